// PostgresSource: a workspace's tables read from a PostgreSQL database (`[source] url` in
// dun.toml), each as CSV with its header, as `COPY … TO STDOUT` writes it. The loader then
// reads them as it reads files: the same mapping, the same checks, the same errors, each
// naming the table (`postgresql:ar_invoices:12:30`).
//
// COPY is PostgreSQL's fastest way out: one round trip per table, rows streamed as text.
// numeric is written exactly (1234.50), date as 2026-11-28 (DateStyle ISO), boolean as t/f.

import CPostgreSQL
import Foundation
import DunCore

/// A database a workspace reads its tables from.
/// What the engine's opening checks ask of a database: rows, and whether a unique index says
/// a column's values are each on one row.
public protocol CheckedDatabase {
    func rows(of sql: String) throws(Diagnostics) -> [[String?]]
    func isUnique(_ column: String, in table: String) throws(Diagnostics) -> Bool
}

extension PostgresSource: CheckedDatabase {}

public struct PostgresSource: Sendable, Equatable {
    /// A libpq connection URI, without a password: libpq takes it from PGPASSWORD or
    /// ~/.pgpass.
    public var url: String

    /// The database at `url`, a PostgreSQL URI without a password; or why not.
    public init(url: String) throws(Diagnostics) {
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
            throw Diagnostics([
                Diagnostic(.error, "a database is named by a PostgreSQL URI, as postgresql://user@host:5432/database")
            ])
        }
        guard PostgresConnection.withoutPassword(url) == url else {
            throw Diagnostics([
                Diagnostic(
                    .error, "the database's URI holds its password",
                    hint: "take it out: it comes from PGPASSWORD or ~/.pgpass, never from the command line or a file")
            ])
        }
        self.url = url
    }

    /// Whether `other` names the same database on the same server (host, port and database
    /// name alike, as libpq reads the URIs; a URI without a database names its user's), so
    /// that one query can read the tables of both.
    public func isSameDatabase(as other: PostgresSource) -> Bool {
        let (a, b) = (PostgresSource.place(url), PostgresSource.place(other.url))
        return a != nil && a == b
    }

    /// The host, port and database a URI names (an empty one: libpq's default); nil when
    /// libpq cannot read it.
    private static func place(_ url: String) -> [String]? {
        guard let options = PQconninfoParse(url, nil) else { return nil }
        defer { PQconninfoFree(options) }
        var said: [String: String] = [:]
        var o = options
        while let keyword = o.pointee.keyword {
            if let value = o.pointee.val { said[String(cString: keyword)] = String(cString: value) }
            o += 1
        }
        // Without a database's name, libpq takes the user's.
        let database = said["dbname"].flatMap { $0.isEmpty ? nil : $0 } ?? said["user"] ?? ""
        return ["host", "hostaddr", "port"].map { said[$0] ?? "" } + [database]
    }

    /// Whether `text` names a database rather than a folder.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// The name a table's rows are told by in errors.
    public static func display(_ table: String) -> String { "postgresql:" + table }

    /// The order a table's rows are read in, as SQL: its key (`key`, a column of `columns`)
    /// as text in code point order (an integer id as Dun orders ids), then every other column,
    /// so that a table is read the same every time. A query compiled to SQL orders its rows
    /// the same (`DatabaseModel.order`), in its dialect, to keep the interpreter's order.
    static func order(columns: [String], key: String) -> [String] {
        ["(\(SQLName.quote(key)))::text COLLATE \"C\""] + columns.filter { $0 != key }.map(SQLName.quote)
    }

    /// Each table's rows, as CSV with a header row; or every table's error at once. Each
    /// table on a connection of its own, all at once: the server writes them on as many cores.
    func fetch(_ tables: [String], key: @escaping @Sendable (Int, [String]) -> String?) throws(Diagnostics) -> [FileBytes] {
        // One connection first: a server that cannot be reached is told once, not per table.
        let first = try PostgresConnection(url: url)
        let url = self.url
        nonisolated(unsafe) let reused = first
        let results = concurrently(tables.count) { k -> Result<FileBytes, Diagnostics> in
            do throws(Diagnostics) {
                let connection = k == 0 ? reused : try PostgresConnection(url: url)
                do throws(Diagnostic) {
                    return .success(FileBytes(bytes: try connection.copy(tables[k]) { key(k, $0) }))
                } catch {
                    return .failure(Diagnostics([error]))
                }
            } catch {
                return .failure(error)
            }
        }
        var files: [FileBytes] = []
        var problems: [Diagnostic] = []
        for result in results {
            switch result {
            case .success(let file): files.append(file)
            case .failure(let error): problems += error.all
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return files
    }
}

/// One connection to a database, closed when let go. Not shared between threads: each user
/// opens its own.
public final class PostgresConnection {
    let connection: OpaquePointer

    public init(url: String) throws(Diagnostics) {
        guard let c = PQconnectdb(url) else {
            throw Diagnostics([Diagnostic(.error, "cannot connect to the database: out of memory")])
        }
        guard PQstatus(c) == CONNECTION_OK else {
            let why = PostgresConnection.message(c)
            PQfinish(c)
            throw Diagnostics([
                Diagnostic(
                    .error, "cannot connect to \(PostgresConnection.withoutPassword(url)): \(why)",
                    hint: why.contains("password")
                        ? "the password comes from PGPASSWORD or ~/.pgpass, never from dun.toml" : nil)
            ])
        }
        connection = c
        // Dates as 2026-11-28 and text as UTF-8, whatever the server's defaults.
        _ = try? execute("SET DateStyle = 'ISO, YMD'; SET client_encoding = 'UTF8'")
    }

    deinit {
        PQfinish(connection)
    }

    /// The connection's last error, on one line.
    static func message(_ c: OpaquePointer) -> String {
        let text = PQerrorMessage(c).map { String(cString: $0) } ?? "unknown error"
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.joined(
            separator: "; ")
    }

    /// The URI as it may be shown: any password in it replaced by `…`.
    public static func withoutPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let user = url[scheme.upperBound..<at]
        guard let colon = user.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":…" + String(url[at...])
    }

    /// Runs statements that return no rows.
    func execute(_ sql: String) throws(Diagnostic) {
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw Diagnostic(.error, PostgresConnection.message(connection))
        }
    }

    /// `table` quoted as an SQL name: each part of `schema.table` on its own.
    func quoted(_ table: String) -> String { SQLName.table(table) }

    /// A statement that failed: its SQLSTATE (`55P03`, a lock not granted in time) and the
    /// server's message, on one line.
    public struct Failure: Error, Sendable {
        public var state: String
        public var message: String
    }

    /// Runs one statement with `parameters` for its `$1`, `$2` … (nil: NULL), all as text;
    /// without parameters, several statements, of which the last one's rows are returned.
    /// The rows, each value as PostgreSQL writes it (nil for NULL), and how many rows it
    /// changed. A text holding a NUL character, which PostgreSQL cannot keep, is refused.
    public func run(_ sql: String, _ parameters: [String?] = []) throws(Failure) -> (rows: [[String?]], changed: Int64) {
        guard !parameters.contains(where: { $0?.utf8.contains(0) == true }) else {
            throw Failure(state: "22021", message: "a text holds a NUL character, which PostgreSQL cannot keep")
        }
        var copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { for c in copies { free(c) } }
        let result =
            parameters.isEmpty
            ? PQexec(connection, sql)
            : copies.withUnsafeMutableBufferPointer { values in
                values.baseAddress.map { base in
                    base.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: values.count) {
                        PQexecParams(connection, sql, Int32(values.count), nil, $0, nil, nil, 0)
                    }
                }
            } ?? nil
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
            throw Failure(state: state, message: PostgresConnection.message(connection))
        }
        let (n, m) = (PQntuples(result), PQnfields(result))
        let rows = (0..<n).map { r in
            (0..<m).map { c in PQgetisnull(result, r, c) == 1 ? nil : String(cString: PQgetvalue(result, r, c)) }
        }
        let changed = PQcmdTuples(result).flatMap { Int64(String(cString: $0)) } ?? 0
        return (rows, changed)
    }

    /// Every row of `table` (a table or a view), as CSV with a header row, in the order of
    /// `order`, given the table's columns, by the key `key` finds among them, if any.
    func copy(_ table: String, key: ([String]) -> String?) throws(Diagnostic) -> [UInt8] {
        let names: [String]
        do throws(Diagnostics) {
            names = try columns(of: table)
        } catch {
            throw error.all.first ?? Diagnostic(.error, "cannot read table \(table)")
        }
        let order = key(names).map {
            " ORDER BY " + PostgresSource.order(columns: names, key: $0).joined(separator: ", ")
        }
        let sql = "COPY (SELECT * FROM \(quoted(table))\(order ?? "")) TO STDOUT WITH (FORMAT csv, HEADER true)"
        let started = PQexec(connection, sql)
        let status = PQresultStatus(started)
        PQclear(started)
        guard status == PGRES_COPY_OUT else {
            throw Diagnostic(
                .error, "cannot read table \(table): \(PostgresConnection.message(connection))",
                file: PostgresSource.display(table),
                hint: "dun.toml names each entity's table or view: [invoices] table = \"ar_invoices\"")
        }
        var bytes: [UInt8] = []
        while true {
            var row: UnsafeMutablePointer<CChar>?
            let n = PQgetCopyData(connection, &row, 0)
            if n < 0 { break }
            if let row {
                row.withMemoryRebound(to: UInt8.self, capacity: Int(n)) {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(n)))
                }
                PQfreemem(row)
            }
        }
        // The COPY's own result: an error that stopped it half way is told, not half a table.
        var failure: String?
        while let result = PQgetResult(connection) {
            if PQresultStatus(result) != PGRES_COMMAND_OK { failure = PostgresConnection.message(connection) }
            PQclear(result)
        }
        if let failure {
            throw Diagnostic(.error, "cannot read table \(table): \(failure)", file: PostgresSource.display(table))
        }
        return bytes
    }
}

extension PostgresSource {
    /// A table's columns, in order, each with whether it holds text (text, varchar, char): an
    /// id in a column of another type (an integer) is compared and ordered as text, as Dun has
    /// ids.
    public func typedColumns(of table: String) throws(Diagnostics) -> [(name: String, text: Bool)] {
        try PostgresConnection(url: url).typedColumns(of: table)
    }
}

extension PostgresConnection {
    func columns(of table: String) throws(Diagnostics) -> [String] { try typedColumns(of: table).map(\.name) }

    /// PostgreSQL's types of text: text, varchar, char, name.
    private static let textTypes: Set<Oid> = [25, 1043, 1042, 19]

    func typedColumns(of table: String) throws(Diagnostics) -> [(name: String, text: Bool)] {
        let result = PQexec(connection, "SELECT * FROM \(quoted(table)) LIMIT 0")
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_TUPLES_OK else {
            throw Diagnostics([
                Diagnostic(
                    .error, "cannot read table \(table): \(PostgresConnection.message(connection))",
                    file: PostgresSource.display(table))
            ])
        }
        return (0..<PQnfields(result)).map {
            (String(cString: PQfname(result, $0)), PostgresConnection.textTypes.contains(PQftype(result, $0)))
        }
    }
}

extension ExportTable {
    /// Each field's column among a table's columns `names`, found as the loader finds a
    /// file's (dun.toml's header, else the field's name, else an alias), by field name; or the
    /// errors of the mapping, as the loader gives them.
    public func columns(in names: [String], mapping: TableMapping, table: String) throws(Diagnostics) -> [String: String] {
        let (positions, problems) = CSVFile.match(specs, names, mapping: mapping, file: table)
        let missing = specs.indices.filter {
            specs[$0].required && positions[$0] == nil && mapping.constants[specs[$0].name] == nil
        }
        if !problems.isEmpty || !missing.isEmpty {
            throw Diagnostics(
                problems.isEmpty
                    ? [
                        Diagnostic(
                            .error, "\(table) has no column for \(missing.map { specs[$0].name }.joined(separator: ", "))",
                            file: table)
                    ]
                    : problems)
        }
        var columns: [String: String] = [:]
        for (k, p) in positions.enumerated() { if let p { columns[specs[k].name] = names[p] } }
        return columns
    }
}

extension PostgresSource {
    /// The rows of a query, each value as PostgreSQL writes it (nil for null).
    public func rows(of sql: String) throws(Diagnostics) -> [[String?]] {
        try PostgresConnection(url: url).rows(of: sql)
    }

    /// Whether a unique index on `column` alone (a primary key) says that `table` holds each
    /// of its values once, as PostgreSQL's catalogue has it.
    public func isUnique(_ column: String, in table: String) throws(Diagnostics) -> Bool {
        let literal = SQLName.literal
        let rows = try rows(
            of: "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                + " AND a.attnum = i.indkey[0] WHERE i.indrelid = to_regclass(\(literal(table))) AND i.indisunique"
                + " AND i.indnatts = 1 AND a.attname = \(literal(column)))")
        return rows.first?.first == "t"
    }
}

extension PostgresConnection {
    /// The rows of a query, each value as PostgreSQL writes it (nil for null).
    public func rows(of sql: String) throws(Diagnostics) -> [[String?]] {
        do {
            return try run(sql).rows
        } catch {
            throw Diagnostics([Diagnostic(.error, "the database: \(error.message)")])
        }
    }
}
