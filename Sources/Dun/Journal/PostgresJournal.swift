// PostgresJournal: the team's journal in a PostgreSQL database (`[journal] url` in dun.toml),
// so that every collector's shell and the nightly job, on any machine, record into one.
//
// The table is `dun_journal`, in the first schema of the connection's search path; its
// comment says it is Dun's and of which version. The write lock is the table's own
// (LOCK TABLE … IN EXCLUSIVE MODE): readers go on reading, and two applies are taken one
// after the other, as SQLite's BEGIN IMMEDIATE takes them.

import CSQLite
import DunCore
import DunModel

final class PostgresJournalDatabase: JournalDatabase {
    private let connection: PostgresConnection
    let table = "dun_journal"
    private(set) var changes: Int64 = 0

    /// What the table's comment says when the table is Dun's journal of `version`.
    static func comment(version: Int) -> String { "Dun journal, version \(version)" }

    /// Connected to `url`, waiting up to `lockTimeout` for another's write lock.
    init(url: String, lockTimeout: Swift.Duration) throws(Diagnostics) {
        connection = try PostgresConnection(url: url)
        let milliseconds = max(1, Int(lockTimeout / .milliseconds(1)))
        do {
            _ = try connection.run("SET lock_timeout = '\(milliseconds)ms'")
        } catch {
            throw Diagnostics([Diagnostic(.error, "cannot use the journal: \(error.message)", file: url)])
        }
    }

    /// Whether the table is there (Dun's or not).
    func exists() throws(SQLiteError) -> Bool {
        try value("SELECT to_regclass('\(table)') IS NOT NULL") == "t"
    }

    /// Makes the table, unless it is there: one process at a time (an advisory lock for the
    /// length of the transaction), so that two first applies at once make it once.
    func create(_ statements: String, version: Int) throws(SQLiteError) {
        try execute("BEGIN; SELECT pg_advisory_xact_lock(\(SQLite.applicationID))")
        do throws(SQLiteError) {
            if try !exists() {
                try execute(statements)
                try setVersion(version)
            }
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    func execute(_ sql: String) throws(SQLiteError) {
        _ = try run(sql, [])
    }

    func statement(_ sql: String) throws(SQLiteError) -> any JournalStatement {
        PostgresStatement(PostgresStatement.numbered(sql), database: self)
    }

    func beginWriting() throws(SQLiteError) {
        try execute("BEGIN; LOCK TABLE \(table) IN EXCLUSIVE MODE")
    }

    func identity() throws(SQLiteError) -> (owner: String?, version: String?) {
        let comment = try value("SELECT obj_description(to_regclass('\(table)'), 'pg_class')") ?? ""
        let prefix = "Dun journal, version "
        guard comment.hasPrefix(prefix) else { return (nil, nil) }
        return ("Dun", String(comment.dropFirst(prefix.count)))
    }

    func setVersion(_ version: Int) throws(SQLiteError) {
        try execute("COMMENT ON TABLE \(table) IS '\(PostgresJournalDatabase.comment(version: version))'")
    }

    /// An advisory lock named by the table's own number: each journal (a schema's table) has
    /// its own, held by whichever machine delivers.
    func lockDelivery() throws(SQLiteError) {
        try execute("SELECT pg_advisory_lock(to_regclass('\(table)')::oid::bigint)")
    }

    /// Rows sent in one statement: a night's tens of thousands of entries in a few dozen round
    /// trips, each well under PostgreSQL's 65,535 parameters.
    private static let batch = 1000

    /// `$first`, `$first + 1` … for `row`, cast to its type: text for NULL.
    private static func placeholders(_ row: [SQLiteValue], from first: Int, cast: Bool) -> String {
        "("
            + row.indices.map { k in
                guard cast else { return "$\(first + k)" }
                if case .integer = row[k] { return "$\(first + k)::bigint" }
                return "$\(first + k)::text"
            }.joined(separator: ", ") + ")"
    }

    func insert(columns: [String], rows: [[SQLiteValue]]) throws(SQLiteError) {
        for start in stride(from: 0, to: rows.count, by: PostgresJournalDatabase.batch) {
            let part = rows[start..<min(start + PostgresJournalDatabase.batch, rows.count)]
            var values: [String] = []
            var parameters: [String?] = []
            for row in part {
                values.append(PostgresJournalDatabase.placeholders(row, from: parameters.count + 1, cast: false))
                parameters += row.map(\.textValue)
            }
            _ = try run(
                "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(values.joined(separator: ", "))", parameters)
        }
    }

    /// In batches, each row numbered: the numbers of the rows updated come back.
    func update(set: [String], match: [String], rows: [[SQLiteValue]]) throws(SQLiteError) -> [Int] {
        var unmatched: [Int] = []
        let names = (["n"] + set.map { "s_\($0)" } + match.map { "m_\($0)" }).joined(separator: ", ")
        for start in stride(from: 0, to: rows.count, by: PostgresJournalDatabase.batch) {
            let part = start..<min(start + PostgresJournalDatabase.batch, rows.count)
            var values: [String] = []
            var parameters: [String?] = []
            for i in part {
                let row = [SQLiteValue.integer(Int64(i))] + rows[i]
                values.append(PostgresJournalDatabase.placeholders(row, from: parameters.count + 1, cast: true))
                parameters += row.map(\.textValue)
            }
            let updated = try run(
                "UPDATE \(table) AS e SET \(set.map { "\($0) = v.s_\($0)" }.joined(separator: ", "))"
                    + " FROM (VALUES \(values.joined(separator: ", "))) AS v(\(names))"
                    + " WHERE \(match.map { "e.\($0) = v.m_\($0)" }.joined(separator: " AND ")) RETURNING v.n", parameters)
            let done = Set(updated.compactMap { row in row.first.flatMap { $0 }.flatMap { Int($0) } })
            unmatched += part.filter { !done.contains($0) }
        }
        return unmatched
    }

    /// The server keeps its own storage whole; the entries are checked one by one.
    func integrityProblems() throws(SQLiteError) -> [String] { [] }

    /// Runs `sql` with `parameters`; a failure in SQLite's terms.
    fileprivate func run(_ sql: String, _ parameters: [String?]) throws(SQLiteError) -> [[String?]] {
        do {
            let (rows, changed) = try connection.run(sql, parameters)
            changes = changed
            return rows
        } catch {
            // 55P03: a lock not granted in time; 40001, 40P01: a transaction given up for
            // another's sake. Another apply holds the journal either way.
            let busy = ["55P03", "40001", "40P01"].contains(error.state)
            throw SQLiteError(code: busy ? SQLITE_BUSY : SQLITE_ERROR, message: error.message)
        }
    }
}

/// A statement run when first stepped, with the parameters bound last; its rows then read
/// one by one.
final class PostgresStatement: JournalStatement {
    private let sql: String
    private let database: PostgresJournalDatabase
    private var parameters: [String?] = []
    private var rows: [[String?]]?
    private var next = 0
    private var row: [String?] = []

    init(_ sql: String, database: PostgresJournalDatabase) {
        self.sql = sql
        self.database = database
    }

    /// `sql` with its `?` parameters numbered as PostgreSQL writes them (`$1`, `$2` …); a
    /// `?` inside quotes is left as it is.
    static func numbered(_ sql: String) -> String {
        var out = ""
        var n = 0
        var quoted = false
        for c in sql {
            if c == "'" { quoted.toggle() }
            if c == "?" && !quoted {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
    }

    func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        parameters = values.map(\.textValue)
        rows = nil
    }

    func step() throws(SQLiteError) -> Bool {
        if rows == nil {
            rows = try database.run(sql, parameters)
            next = 0
        }
        guard let rows, next < rows.count else { return false }
        row = rows[next]
        next += 1
        return true
    }

    var columns: Int32 { Int32(row.count) }

    func int64(_ column: Int32) -> Int64 {
        Int(column) < row.count ? row[Int(column)].flatMap { Int64($0) } ?? 0 : 0
    }

    func text(_ column: Int32) -> String? {
        Int(column) < row.count ? row[Int(column)] : nil
    }
}
