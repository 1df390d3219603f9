// SQLite: the little of the C API the journal needs, with every return code checked.

import CSQLite

/// A failed SQLite call: its primary result code (`SQLITE_BUSY`, `SQLITE_NOTADB`, …) and
/// SQLite's own message.
struct SQLiteError: Error, Sendable {
    var code: Int32
    var message: String
}

/// A value to bind to a statement's `?`.
enum SQLiteValue: Sendable {
    case integer(Int64)
    case text(String)
    case null

    /// `null` for nil, so that optional fields bind as SQL NULL.
    init(_ text: String?) {
        self = text.map(SQLiteValue.text) ?? .null
    }

    /// The value as SQLite gives it back as text; nil for null.
    var textValue: String? {
        switch self {
        case .integer(let i): String(i)
        case .text(let t): t
        case .null: nil
        }
    }
}

/// One connection to one database file. Not shared between threads: each user opens its own.
final class SQLite {
    private let db: OpaquePointer

    /// Opens `path` with `flags` (`SQLITE_OPEN_READWRITE`, `SQLITE_OPEN_CREATE`, …).
    init(path: String, flags: Int32) throws(SQLiteError) {
        var handle: OpaquePointer?
        // One connection is used by one thread at a time: SQLite's own locking of it (a mutex
        // taken on every call) is left out.
        let rc = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let handle else {
            // Even a failed open may return a handle, which holds the message and must be closed.
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(handle)
            throw SQLiteError(code: rc & 0xFF, message: message)
        }
        db = handle
    }

    deinit {
        // close_v2 waits for statements still alive (they keep this object alive anyway);
        // its result cannot be reported from here, and it fails only for a bad handle.
        sqlite3_close_v2(db)
    }

    /// Waits up to `milliseconds` for another connection's lock before failing with SQLITE_BUSY.
    func setBusyTimeout(milliseconds: Int32) throws(SQLiteError) {
        try check(sqlite3_busy_timeout(db, milliseconds))
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard rc == SQLITE_OK else {
            throw SQLiteError(code: rc & 0xFF, message: message.map { String(cString: $0) } ?? errorMessage)
        }
    }

    /// One statement, to bind and step.
    func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        var handle: OpaquePointer?
        try check(sqlite3_prepare_v2(db, sql, -1, &handle, nil))
        guard let handle else { throw SQLiteError(code: SQLITE_MISUSE, message: "no statement in: \(sql)") }
        return Statement(handle, connection: self)
    }

    /// The first column of the first row of `sql` as text; nil for no row or NULL.
    func value(_ sql: String) throws(SQLiteError) -> String? {
        let statement = try prepare(sql)
        return try statement.step() ? statement.text(0) : nil
    }

    /// The rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int64 { Int64(sqlite3_changes(db)) }

    fileprivate var errorMessage: String { String(cString: sqlite3_errmsg(db)) }

    fileprivate func check(_ rc: Int32) throws(SQLiteError) {
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc & 0xFF, message: errorMessage) }
    }
}

/// A prepared statement; finalized when released.
final class Statement {
    private let handle: OpaquePointer
    /// Keeps the connection open for as long as the statement lives.
    private let connection: SQLite

    fileprivate init(_ handle: OpaquePointer, connection: SQLite) {
        self.handle = handle
        self.connection = connection
    }

    deinit {
        // finalize repeats the last step's error, which step already reported.
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `values` to its parameters, in order.
    func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        try connection.check(sqlite3_reset(handle))
        try connection.check(sqlite3_clear_bindings(handle))
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            switch value {
            case .integer(let n):
                try connection.check(sqlite3_bind_int64(handle, index, n))
            case .null:
                try connection.check(sqlite3_bind_null(handle, index))
            case .text(let s):
                // With an explicit length, so that a NUL inside the text survives; "" as a
                // pointer to an empty C string, since a nil one would bind NULL.
                var s = s
                let rc = s.withUTF8 { text in
                    "".withCString { empty in
                        let start = text.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) } ?? empty
                        return sqlite3_bind_text64(
                            handle, index, start, UInt64(text.count), dun_sqlite_transient(), UInt8(SQLITE_UTF8))
                    }
                }
                try connection.check(rc)
            }
        }
    }

    /// Advances to the next row: true when there is one, false when the statement is done.
    func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(code: rc & 0xFF, message: connection.errorMessage)
        }
    }

    /// How many columns a row of the statement has.
    var columns: Int32 { sqlite3_column_count(handle) }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    /// nil for SQL NULL.
    func text(_ column: Int32) -> String? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL, let bytes = sqlite3_column_text(handle, column)
        else { return nil }
        return String(
            decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }
}
