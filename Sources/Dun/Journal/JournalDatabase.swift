// JournalDatabase: what the journal keeps its entries in — the workspace's SQLite file, or a
// table of a PostgreSQL database the team shares (`[journal] url` in dun.toml). The journal
// speaks SQL both understand; what differs (creating the table, telling it is Dun's, taking
// the write lock) is said here, once for each.

import CSQLite
import DunCore

/// A database the journal can be kept in. Failures carry SQLite's result codes: a
/// PostgreSQL one takes the nearest (a lock not granted in time is `SQLITE_BUSY`).
protocol JournalDatabase: AnyObject {
    /// The entries' table.
    var table: String { get }
    /// Runs statements that return no rows.
    func execute(_ sql: String) throws(SQLiteError)
    /// One statement, its parameters written `?`, to bind and step.
    func statement(_ sql: String) throws(SQLiteError) -> any JournalStatement
    /// The rows changed by the last INSERT or UPDATE.
    var changes: Int64 { get }
    /// Begins a transaction holding the journal's write lock, waiting for it as long as the
    /// connection was told to: two applies at once are taken one after the other.
    func beginWriting() throws(SQLiteError)
    /// What the table says of itself: whose it is (`JournalDatabase.owner` for Dun's) and the
    /// version of its layout; nil for either that it does not say.
    func identity() throws(SQLiteError) -> (owner: String?, version: String?)
    /// Records that the table is of layout `version` (in the transaction under way).
    func setVersion(_ version: Int) throws(SQLiteError)
    /// What the database's own check of its storage finds wrong; nothing when sound.
    func integrityProblems() throws(SQLiteError) -> [String]
    /// Takes, for as long as the connection is open, the lock that lets one delivery at a
    /// time send what the journal has queued, waiting for it as for the write lock.
    func lockDelivery() throws(SQLiteError)
    /// Adds `rows` to the table, each the values of `columns` in order.
    func insert(columns: [String], rows: [[SQLiteValue]]) throws(SQLiteError)
    /// For each of `rows` (the values of `set`, then of `match`), sets the columns `set` of
    /// the table's row whose columns `match` hold those values: the positions of the rows
    /// that matched none.
    func update(set: [String], match: [String], rows: [[SQLiteValue]]) throws(SQLiteError) -> [Int]
}

extension JournalDatabase {
    /// The first column of the first row of `sql` as text; nil for no row or NULL.
    func value(_ sql: String) throws(SQLiteError) -> String? {
        let s = try statement(sql)
        return try s.step() ? s.text(0) : nil
    }
}

/// A statement of a journal's database: bound, then stepped through its rows.
protocol JournalStatement: AnyObject {
    /// Binds `values` to its parameters, in order, ready to run again.
    func bind(_ values: [SQLiteValue]) throws(SQLiteError)
    /// Advances to the next row: true when there is one, false when the statement is done.
    func step() throws(SQLiteError) -> Bool
    /// How many columns a row has.
    var columns: Int32 { get }
    func int64(_ column: Int32) -> Int64
    /// nil for SQL NULL.
    func text(_ column: Int32) -> String?
}

extension Statement: JournalStatement {}

/// The workspace's `.dun/journal.sqlite`: the table `entry`, told apart by SQLite's header
/// (application_id "DunJ") and user_version.
extension SQLite: JournalDatabase {
    /// SQLite's header field for telling a file format apart ("DunJ").
    static let applicationID = 0x4475_6E4A

    var table: String { "entry" }

    func statement(_ sql: String) throws(SQLiteError) -> any JournalStatement {
        try prepare(sql)
    }

    /// BEGIN IMMEDIATE takes the write lock at once (waiting up to the busy timeout) rather
    /// than failing halfway through.
    func beginWriting() throws(SQLiteError) {
        try execute("BEGIN IMMEDIATE")
    }

    func identity() throws(SQLiteError) -> (owner: String?, version: String?) {
        (try value("PRAGMA application_id") == String(SQLite.applicationID) ? "Dun" : nil, try value("PRAGMA user_version"))
    }

    func setVersion(_ version: Int) throws(SQLiteError) {
        try execute("PRAGMA user_version = \(version)")
    }

    /// The workspace folder has its own lock file for that (the outbox's): only processes on
    /// one machine share a SQLite journal.
    func lockDelivery() throws(SQLiteError) {}

    /// One prepared statement, run for each row: no round trips to save.
    func insert(columns: [String], rows: [[SQLiteValue]]) throws(SQLiteError) {
        let insert = try prepare(
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        )
        for row in rows {
            try insert.bind(row)
            _ = try insert.step()
        }
    }

    func update(set: [String], match: [String], rows: [[SQLiteValue]]) throws(SQLiteError) -> [Int] {
        let update = try prepare(
            "UPDATE \(table) SET \(set.map { "\($0) = ?" }.joined(separator: ", "))"
                + " WHERE \(match.map { "\($0) = ?" }.joined(separator: " AND "))")
        var unmatched: [Int] = []
        for (i, row) in rows.enumerated() {
            try update.bind(row)
            _ = try update.step()
            if changes != 1 { unmatched.append(i) }
        }
        return unmatched
    }

    func integrityProblems() throws(SQLiteError) -> [String] {
        var problems: [String] = []
        let integrity = try prepare("PRAGMA integrity_check")
        while try integrity.step() {
            if let line = integrity.text(0), line != "ok" { problems.append(line) }
        }
        return problems
    }
}
