// A workspace whose tables are in PostgreSQL (`[source] url`), against a real server: the one
// .ci/run starts (DUN_TEST_POSTGRES, PGPASSWORD), or else one these tests start themselves
// with Tests/postgres/server and stop when the process ends.

import Dun
import DunCore
import DunModel
import Foundation
import Testing

/// The server the tests connect to.
enum TestDatabase {
    /// Its URI, or why there is none.
    static let url: Result<String, TestDatabaseMissing> = {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["DUN_TEST_POSTGRES"], !url.isEmpty { return .success(url) }
        let script = Paths.root.appendingPathComponent("Tests/postgres/server").path
        let (status, output) = run([script, "start"])
        let dir = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0, let url = try? String(contentsOfFile: dir + "/url", encoding: .utf8),
            let password = try? String(contentsOfFile: dir + "/password", encoding: .utf8)
        else {
            return .failure(TestDatabaseMissing(why: "Tests/postgres/server start failed: \(output)"))
        }
        startedIn = dir
        setenv("PGPASSWORD", password.trimmingCharacters(in: .whitespacesAndNewlines), 1)
        atexit {
            if let dir = TestDatabase.startedIn {
                _ = TestDatabase.run([Paths.root.appendingPathComponent("Tests/postgres/server").path, "stop", dir])
            }
        }
        return .success(url.trimmingCharacters(in: .whitespacesAndNewlines))
    }()

    /// The folder of the server these tests started, to stop at exit.
    nonisolated(unsafe) static var startedIn: String?

    /// Runs a program; its status, and what it wrote to standard output and error. Spawned
    /// and waited for by hand: Foundation's Process did not reap a child started while the
    /// other tests waited for this server.
    static func run(_ arguments: [String], input: String? = nil) -> (Int32, String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("dun-run-\(UInt64.random(in: 0...UInt64.max))")
        let (inPath, outPath) = (base.path + ".in", base.path + ".out")
        defer {
            unlink(inPath)
            unlink(outPath)
        }
        guard FileManager.default.createFile(atPath: inPath, contents: Data((input ?? "").utf8)) else { return (127, "") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ) == 0 else { return (127, "cannot run") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128, output)
    }

    /// Runs SQL (psql's meta-commands too); fails the test with psql's output if it fails.
    static func sql(_ text: String) throws {
        let url = try url.get()
        let (status, output) = run(["psql", "-q", "-w", "-v", "ON_ERROR_STOP=1", url], input: text)
        if status != 0 { throw TestDatabaseMissing(why: "psql failed: \(output)") }
    }

    /// Whether the server is Citus's (`Tests/postgres/server start --citus`): SQLTests then
    /// distribute the tables they make, as a team on Citus would.
    static let citus: Bool = {
        guard let url = try? url.get() else { return false }
        let query = "SELECT count(*) FROM pg_extension WHERE extname = 'citus'"
        return run(["psql", "-qtA", "-w", url, "-c", query]).1.hasPrefix("1")
    }()

    /// On Citus, SQL that distributes a workspace's tables as a receivables database would be:
    /// the customers on every node (a reference table), the invoices and payments split by
    /// customer, a customer's on one node. Nothing on PostgreSQL.
    static func distributing(customers: String, invoices: String, payments: String) -> String {
        guard citus else { return "" }
        return """
            SELECT create_reference_table('\(customers)');
            SELECT create_distributed_table('\(invoices)', 'customer_id');
            SELECT create_distributed_table('\(payments)', 'customer_id', colocate_with => '\(invoices)');

            """
    }

    /// A schema of one's own, so that tests running at once never share a table.
    static func schema() -> String {
        "t" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }
}

struct TestDatabaseMissing: Error, CustomStringConvertible {
    let why: String
    var description: String { why }
}

@Suite struct PostgresTests {
    /// The small fixture's tables in `schema`, typed as an ERP's database types them (numeric
    /// money, dates, booleans), the invoices' id under a name of the ERP's own.
    static func loadSmall(into schema: String) throws {
        let small = Paths.fixtures.appendingPathComponent("small").path
        try TestDatabase.sql(
            """
            CREATE SCHEMA \(schema);
            CREATE TABLE \(schema).customers (id text PRIMARY KEY, name text NOT NULL, region text, grade char(1),
              credit_limit numeric(14,2), currency char(3), terms_days integer, collector text, email text, phone text,
              language text);
            CREATE TABLE \(schema).ar_invoices (doc_no text PRIMARY KEY, customer_id text, issued date, due date,
              amount numeric(14,2), currency char(3), disputed boolean);
            CREATE TABLE \(schema).ar_payments (id text, customer_id text, invoice_id text, date date,
              amount numeric(14,2), method text);
            \\copy \(schema).customers FROM '\(small)/customers.csv' WITH (FORMAT csv, HEADER true)
            \\copy \(schema).ar_invoices FROM '\(small)/invoices.csv' WITH (FORMAT csv, HEADER true)
            \\copy \(schema).ar_payments FROM '\(small)/payments.csv' WITH (FORMAT csv, HEADER true)

            """)
    }

    /// A workspace folder whose dun.toml reads the tables of `schema`, with `extra` after it.
    static func workspace(_ schema: String, extra: String = "") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-pg-\(schema)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        [source]
        url = "\(TestDatabase.url.get())"

        [customers]
        table = "\(schema).customers"

        [invoices]
        table = "\(schema).ar_invoices"
        [invoices.columns]
        id = "doc_no"

        [payments]
        table = "\(schema).ar_payments"
        \(extra)
        """.write(to: dir.appendingPathComponent("dun.toml"), atomically: true, encoding: .utf8)
        return dir
    }

    static let queries = """
        customers | select id, name, grade, credit_limit, balance, overdue_balance, overdue
        invoices | select id, customer_id, issued, due, amount, disputed, balance, status
        payments | select id, customer_id, invoice_id, date, amount, method
        customers | group by region aggregate owed = sum(balance), late = max(overdue)

        """

    static func output(_ directory: String) throws -> String {
        let session = try Session.open(directory: directory, asOf: #require(Day(iso: "2026-11-28")))
        let result = session.run(SourceText(name: "queries.dun", text: queries))
        #expect(result.succeeded, "\(result.diagnostics.map(\.rendered).joined())")
        return result.output
    }

    @Test func aWorkspaceReadsItsTablesFromTheDatabase() throws {
        let schema = TestDatabase.schema()
        try Self.loadSmall(into: schema)
        let dir = try Self.workspace(schema)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fromFiles = try Self.output(Paths.fixtures.appendingPathComponent("small").path)
        let fromDatabase = try Self.output(dir.path)
        #expect(fromFiles.contains("C1"))
        #expect(fromDatabase == fromFiles)
    }

    /// `--data postgresql://…`: the database's tables named as the entities, no folder. The
    /// schema is the search path's (`?options=-csearch_path=…`).
    @Test func theCommandLineNamesADatabase() throws {
        let schema = TestDatabase.schema()
        try Self.loadSmall(into: schema)
        try TestDatabase.sql(
            "ALTER TABLE \(schema).ar_invoices RENAME TO invoices; ALTER TABLE \(schema).invoices RENAME COLUMN doc_no TO id; ALTER TABLE \(schema).ar_payments RENAME TO payments;"
        )
        let url = try TestDatabase.url.get() + "?options=-csearch_path%3D\(schema)"
        let password = getenv("PGPASSWORD").map { String(cString: $0) } ?? ""
        let fromDatabase = try runDun(
            ["--data", url, "--as-of", "2026-11-28", "-e", "customers | select id, balance, overdue"],
            environment: ["PGPASSWORD": password])
        let fromFiles = try runDun(
            [
                "--data", Paths.fixtures.appendingPathComponent("small").path, "--as-of", "2026-11-28", "-e",
                "customers | select id, balance, overdue",
            ])
        #expect(fromDatabase.status == 0, "\(fromDatabase.err)")
        #expect(fromDatabase.out == fromFiles.out && fromFiles.out.contains("C1"), "\(fromDatabase.out)")
        let compiled = try runDun(
            ["--data", url, "--engine", "postgres", "--as-of", "2026-11-28", "-e", "customers | select id, balance, overdue"],
            environment: ["PGPASSWORD": password])
        #expect(compiled.status == 0, "\(compiled.err)")
        #expect(compiled.out == fromFiles.out, "\(compiled.out)")
        let withPassword = try runDun(["--data", "postgresql://dun:secret@127.0.0.1/dun", "-e", "customers | count"])
        #expect(withPassword.status == 1)
        #expect(withPassword.err.contains("the database's URI holds its password"), "\(withPassword.err)")
    }

    /// A field dun.toml gives as a constant, where the table has no column: the constant,
    /// in memory and in SQL alike.
    @Test func aConstantStandsForAMissingColumn() throws {
        let schema = TestDatabase.schema()
        try Self.loadSmall(into: schema)
        try TestDatabase.sql("ALTER TABLE \(schema).customers DROP COLUMN region;")
        let dir = try Self.workspace(schema, extra: "[customers.constants]\nregion = \"华北\"\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let day = try #require(Day(iso: "2026-11-28"))
        let query = SourceText(name: "q", text: "customers where region = \"华北\" | select id, region")
        let memory = try Session.open(directory: dir.path, asOf: day).run(query)
        let database = try Session.openDatabase(directory: dir.path, asOf: day).run(query)
        #expect(memory.output.contains("C6  华北"), "\(memory.output)")
        #expect(database.output == memory.output, "\(database.diagnostics.map(\.rendered).joined())")
    }

    /// A database that cannot be reached is told once, with the reason.
    /// Two URIs name one database when libpq would connect both to it: the same host, port
    /// and database, whatever else they say; a URI without a database names its user's.
    @Test func twoURIsNameOneDatabaseAsLibpqReadsThem() throws {
        let same: (String, String) throws -> Bool = { try PostgresSource(url: $0).isSameDatabase(as: PostgresSource(url: $1)) }
        #expect(try same("postgresql://ar@db/erp", "postgresql://collections@db/erp?options=-csearch_path%3Ddun"))
        #expect(try same("postgresql://ar@db:5432/erp", "postgresql://ar@db:5432/erp"))
        #expect(try !same("postgresql://ar@db/erp", "postgresql://ar@db:5433/erp"))
        #expect(try !same("postgresql://ar@db/erp", "postgresql://ar@other/erp"))
        #expect(try !same("postgresql://ar@db/erp", "postgresql://ar@db/dw"))
        #expect(try !same("postgresql://alice@db/", "postgresql://bob@db/"))
        #expect(try same("postgresql://alice@db/", "postgresql://alice@db/alice"))
    }

    @Test func anUnreachableDatabaseIsTold() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-pg-unreachable-\(TestDatabase.schema())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[source]\nurl = \"postgresql://dun@127.0.0.1:1/dun\"\n".write(
            to: dir.appendingPathComponent("dun.toml"), atomically: true, encoding: .utf8)
        do {
            _ = try Session.open(directory: dir.path, asOf: #require(Day(iso: "2026-11-28")))
            Issue.record("a workspace opened on no database")
        } catch let error as Diagnostics {
            #expect(error.all.count == 1)
            #expect(
                error.all.map(\.rendered).joined().hasPrefix("error: cannot connect to postgresql://dun@127.0.0.1:1/dun: "),
                "\(error.all.map(\.rendered).joined())")
        }
    }

    /// The errors of opening the small fixture's tables after `change` (SQL, `S` standing
    /// for the schema), and the schema; an issue if it opens.
    static func errors(after change: String) throws -> (text: String, schema: String) {
        let schema = TestDatabase.schema()
        try loadSmall(into: schema)
        try TestDatabase.sql(change.replacingOccurrences(of: "S.", with: schema + "."))
        let dir = try workspace(schema)
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try Session.open(directory: dir.path, asOf: #require(Day(iso: "2026-11-28")))
            Issue.record("the workspace opened after: \(change)")
        } catch let error as Diagnostics {
            return (error.all.map(\.rendered).joined(), schema)
        }
        return ("", schema)
    }

    @Test func aMissingTableIsNamed() throws {
        let (text, schema) = try Self.errors(after: "DROP TABLE S.ar_payments;")
        #expect(text.contains("postgresql:\(schema).ar_payments: error: cannot read table \(schema).ar_payments"), "\(text)")
        #expect(text.contains("does not exist"), "\(text)")
    }

    /// A bad value is an error at its row and column, the row as COPY gives it shown.
    @Test func aBadValueNamesTheTableRowAndColumn() throws {
        let (text, schema) = try Self.errors(after: "UPDATE S.ar_payments SET amount = -5 WHERE id = 'P2';")
        #expect(text.contains("postgresql:\(schema).ar_payments:"), "\(text)")
        #expect(text.contains("error: negative amount '-5.00'"), "\(text)")
        #expect(text.contains("P2,C2,I03,2026-09-30,-5.00"), "\(text)")
    }

    /// A column the mapping names that the table lacks is an error naming both.
    @Test func aMappedColumnTheTableLacksIsNamed() throws {
        let (text, schema) = try Self.errors(after: "ALTER TABLE S.ar_invoices RENAME COLUMN doc_no TO document;")
        #expect(text.contains("doc_no"), "\(text)")
        #expect(text.contains("postgresql:\(schema).ar_invoices"), "\(text)")
    }
}
