// Journal: what the collection team did — reminders, calls, holds, notes — kept in the
// workspace's `.dun/journal.sqlite`, beside the CSVs that Dun never rewrites, or in the
// team's PostgreSQL database (`[journal] url` in dun.toml).

import CSQLite
import DunCore
import DunLanguage
import DunModel
import Foundation

public final class Journal {
    /// One thing done (or to be done) to one customer.
    public struct Entry: Sendable, Equatable {
        /// Assigned by the journal; 0 before commit.
        public var id: Int64
        public var who: String
        /// Wall-clock time, ISO 8601 UTC with seconds (`2026-11-29T08:30:00Z`), given by the caller.
        public var at: String
        public var asOf: Day
        /// "" for an ad-hoc query.
        public var policy: String
        public var rule: String
        public var action: ActionKind
        public var customer: String
        public var invoices: [String]
        /// email, sms or letter, for reminders.
        public var channel: String?
        public var template: String?
        /// Stored as exact decimal text with its currency code (`1234.50 CNY`).
        public var amount: Money?
        /// Free text: the note, tag, grade or collector, or a failed delivery's error output.
        public var detail: String?
        public var messageID: String?
        public var status: EntryStatus
        /// The outbox that delivers it, when the journal is shared by several (a PostgreSQL
        /// journal): the one of the folder that applied it. nil: whichever delivers.
        public var outbox: String?
        /// Idempotency key, computed by the caller: an entry whose key is journaled is not again.
        public var key: String

        public init(
            id: Int64 = 0, who: String, at: String, asOf: Day, policy: String, rule: String, action: ActionKind,
            customer: String, invoices: [String] = [], channel: String? = nil, template: String? = nil,
            amount: Money? = nil, detail: String? = nil, messageID: String? = nil, status: EntryStatus,
            outbox: String? = nil, key: String
        ) {
            self.id = id
            self.who = who
            self.at = at
            self.asOf = asOf
            self.policy = policy
            self.rule = rule
            self.action = action
            self.customer = customer
            self.invoices = invoices
            self.channel = channel
            self.template = template
            self.amount = amount
            self.detail = detail
            self.messageID = messageID
            self.status = status
            self.outbox = outbox
            self.key = key
        }
    }

    /// The journal file, or the database's URI, as diagnostics name it.
    public let path: String
    private let db: any JournalDatabase

    /// The schema's version (SQLite's PRAGMA user_version; a PostgreSQL table's comment),
    /// raised by any later change of the schema. Version 2 added each entry's checksum,
    /// version 3 its outbox; an older journal is brought up to date when opened to write.
    private static let schemaVersion = 3

    /// The table and its index, named `table`, ids of SQL type `integer`.
    // Invoices are a JSON array in a column rather than a child table: an entry is always
    // written and read whole, and replay filters in Swift, so a table would only add a join.
    private static func layout(_ table: String, integer: String) -> String {
        """
        CREATE TABLE \(table) (
            id \(integer) PRIMARY KEY,
            key TEXT NOT NULL,
            who TEXT NOT NULL,
            at TEXT NOT NULL,
            as_of TEXT NOT NULL,
            policy TEXT NOT NULL,
            rule TEXT NOT NULL,
            action TEXT NOT NULL,
            customer TEXT NOT NULL,
            invoices TEXT NOT NULL,
            channel TEXT,
            template TEXT,
            amount TEXT,
            detail TEXT,
            message_id TEXT,
            status TEXT NOT NULL,
            checksum TEXT NOT NULL DEFAULT '',
            outbox TEXT
        );
        CREATE UNIQUE INDEX \(table)_key ON \(table) (key)
        """
    }
    /// An entry's columns after its id, in the order of `values(of:)`; the last, the outbox,
    /// only from version 3.
    private static let columnNames = [
        "key", "who", "at", "as_of", "policy", "rule", "action", "customer", "invoices", "channel", "template", "amount",
        "detail", "message_id", "status", "outbox",
    ]
    /// The columns of every version.
    private static let columns = columnNames.dropLast().joined(separator: ", ")
    /// The schema version of the file: 1 has no checksums to check, 1 and 2 no outboxes.
    private var version = schemaVersion
    /// Whether the table is there: a PostgreSQL journal opened only to read may have none yet.
    private var exists = true
    /// What a query of whole entries selects (`entry` reads it).
    private var selected: String {
        "id, \(Journal.columns)" + (version > 2 ? ", outbox" : "") + (version > 1 ? ", checksum" : "")
    }
    /// The journal's table as a query in its database names it (schema and table), for
    /// queries compiled to SQL to read; nil for a SQLite journal, which no query can join.
    public func tableInDatabase() throws(Diagnostics) -> String? {
        guard db is PostgresJournalDatabase else { return nil }
        return try attempt { () throws(SQLiteError) -> String? in
            try db.value(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class AS c"
                    + " JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE c.oid = to_regclass('\(db.table)')")
        }
    }

    /// Whether several folders share the journal (a PostgreSQL one), each delivering through
    /// its own outbox.
    public var isShared: Bool { db is PostgresJournalDatabase }

    /// The journal of the workspace in `workspace`: the database dun.toml's `[journal] url`
    /// names, else `DIR/.dun/journal.sqlite`; created (with `.dun/`, or the table) if missing.
    public static func open(workspace: String, busyTimeout: Swift.Duration = .seconds(10)) throws(Diagnostics) -> Journal {
        if let database = try WorkspaceSettings.load(workspace: workspace).journal {
            return try Journal(database: database.url, busyTimeout: busyTimeout, creating: true)
        }
        let folder = URL(fileURLWithPath: workspace).appendingPathComponent(".dun")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw Diagnostics([
                Diagnostic(
                    .error, "cannot create the journal's folder", file: folder.path, notes: [error.localizedDescription])
            ])
        }
        let path = folder.appendingPathComponent("journal.sqlite").path
        if !FileManager.default.fileExists(atPath: path) { try create(at: path) }
        return try Journal(path: path, busyTimeout: busyTimeout)
    }

    /// For reading (a load, `dun journal`): nil when the workspace has no journal yet. Opened
    /// read-only, so that a workspace one may only read can be queried: nothing is created.
    public static func openIfPresent(workspace: String) throws(Diagnostics) -> Journal? {
        if let database = try WorkspaceSettings.load(workspace: workspace).journal {
            let journal = try Journal(database: database.url, busyTimeout: .seconds(10), creating: false)
            return journal.exists ? journal : nil
        }
        let path = URL(fileURLWithPath: workspace).appendingPathComponent(".dun/journal.sqlite").path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try Journal(readingOnly: path)
    }

    /// Makes a new journal whole in a file of its own, then links it into place unless another
    /// process got there first. Made in place, two processes would race to switch the file to WAL
    /// mode, and that switch fails at once, without the busy timeout, when another has it open.
    private static func create(at path: String) throws(Diagnostics) {
        let temporary = path + "-\(UUID().uuidString).new"
        // Whether or not it was linked, the temporary name goes; nothing else uses it.
        defer { unlink(temporary) }
        do {
            // Closed at the end of this block, which folds the WAL file into the database.
            let db = try SQLite(path: temporary, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            try db.execute(layout(db.table, integer: "INTEGER"))
            try db.execute("PRAGMA application_id = \(SQLite.applicationID); PRAGMA user_version = \(schemaVersion)")
            try useWAL(db)
        } catch {
            throw diagnostics(error, path: temporary)
        }
        guard link(temporary, path) == 0 || errno == EEXIST else {
            let reason = String(cString: strerror(errno))
            throw Diagnostics([Diagnostic(.error, "cannot create the journal: \(reason)", file: path)])
        }
    }

    private init(path: String, busyTimeout: Swift.Duration) throws(Diagnostics) {
        self.path = path
        let sqlite: SQLite
        do {
            sqlite = try SQLite(path: path, flags: SQLITE_OPEN_READWRITE)
        } catch {
            throw Journal.diagnostics(error, path: path)
        }
        db = sqlite
        let milliseconds = Int32(min(max(busyTimeout / .milliseconds(1), 0), Double(Int32.max)))
        try attempt { () throws(SQLiteError) in try sqlite.setBusyTimeout(milliseconds: milliseconds) }
        // Checked first, so that another program's database is left exactly as it was.
        try checkSchema()
        // Born in WAL mode, a journal stays so, but one that a person switched back returns to it.
        try attempt { () throws(SQLiteError) in try Journal.useWAL(sqlite) }
        if version < Journal.schemaVersion { try upgrade() }
    }

    /// The journal in the PostgreSQL database at `url`; with `creating`, its table made if
    /// missing. Another table of the name is refused, untouched.
    private init(database url: String, busyTimeout: Swift.Duration, creating: Bool) throws(Diagnostics) {
        path = PostgresConnection.withoutPassword(url)
        let postgres = try PostgresJournalDatabase(url: url, lockTimeout: busyTimeout)
        db = postgres
        let layout = Journal.layout(postgres.table, integer: "BIGINT")
        exists = try attempt { () throws(SQLiteError) -> Bool in
            if creating { try postgres.create(layout, version: Journal.schemaVersion) }
            return try postgres.exists()
        }
        if exists {
            try checkSchema()
            if creating && version < Journal.schemaVersion { try upgrade() }
        }
    }

    /// Brings an older journal up to date in one transaction: version 1 to 2, each entry gets
    /// its checksum (only a SQLite journal was ever of version 1); 2 to 3, the outbox column,
    /// empty, which leaves every checksum as it was.
    private func upgrade() throws(Diagnostics) {
        try transaction { () throws(SQLiteError) in
            // Read again under the write lock: another process may have upgraded it meanwhile.
            let (_, current) = try db.identity()
            guard let from = current.flatMap({ Int($0) }), from < Journal.schemaVersion else {
                version = Journal.schemaVersion
                return
            }
            if from == 1 {
                try db.execute("ALTER TABLE \(db.table) ADD COLUMN checksum TEXT NOT NULL DEFAULT ''")
                let all = try db.statement("SELECT id, \(Journal.columns) FROM \(db.table) ORDER BY id")
                var sums: [(Int64, String)] = []
                while try all.step() {
                    sums.append((all.int64(0), Journal.checksum(id: all.int64(0), (1...15).map { all.text(Int32($0)) })))
                }
                let set = try db.statement("UPDATE \(db.table) SET checksum = ? WHERE id = ?")
                for (id, sum) in sums {
                    try set.bind([.text(sum), .integer(id)])
                    _ = try set.step()
                }
            }
            try db.execute("ALTER TABLE \(db.table) ADD COLUMN outbox TEXT")
            try db.setVersion(Journal.schemaVersion)
            version = Journal.schemaVersion
        }
    }

    private init(readingOnly path: String) throws(Diagnostics) {
        self.path = path
        let sqlite: SQLite
        do {
            sqlite = try Journal.reader(path)
        } catch {
            throw Journal.diagnostics(error, path: path)
        }
        db = sqlite
        try checkSchema()
    }

    /// A read-only connection. Reading a WAL journal needs its `-shm` file, which SQLite
    /// cannot make in a folder one may not write: there, where no one can be writing the
    /// journal either, it is read as it is on disk (`immutable`). It waits for another
    /// connection's lock, as a writer does, from its first read: an apply closing its
    /// connection holds the journal for a moment to fold the WAL file into it.
    private static func reader(_ path: String) throws(SQLiteError) -> SQLite {
        let db = try SQLite(path: path, flags: SQLITE_OPEN_READONLY)
        try db.setBusyTimeout(milliseconds: 10_000)
        do {
            _ = try db.value("PRAGMA application_id")
            return db
        } catch  where error.code == SQLITE_CANTOPEN || error.code == SQLITE_READONLY {
            var uri = URLComponents()
            uri.scheme = "file"
            uri.path = path
            uri.queryItems = [URLQueryItem(name: "immutable", value: "1")]
            let immutable = try SQLite(path: uri.string ?? path, flags: SQLITE_OPEN_READONLY | SQLITE_OPEN_URI)
            try immutable.setBusyTimeout(milliseconds: 10_000)
            return immutable
        }
    }

    /// WAL: a load reads while an apply writes, and a crash loses no committed entry.
    private static func useWAL(_ db: SQLite) throws(SQLiteError) {
        let mode = try db.value("PRAGMA journal_mode = WAL")
        guard mode == "wal" else {
            throw SQLiteError(code: SQLITE_ERROR, message: "it cannot be put in WAL mode (it is in \(mode ?? "no") mode)")
        }
    }

    /// Refuses a file (or table) that is not a Dun journal, or is of a newer version.
    private func checkSchema() throws(Diagnostics) {
        let (owner, version) = try attempt { () throws(SQLiteError) in try db.identity() }
        guard owner == "Dun" else { throw Journal.notAJournal(path, table: db is PostgresJournalDatabase) }
        guard version == String(Journal.schemaVersion) else {
            if version == "1" {
                self.version = 1
                return
            }
            // Only a newer Dun raises the version; any other is no journal of Dun's.
            if version == "2" {
                self.version = 2
                return
            }
            guard let v = version.flatMap({ Int($0) }), v > Journal.schemaVersion else {
                throw Journal.notAJournal(path, table: db is PostgresJournalDatabase)
            }
            throw Diagnostics([
                Diagnostic(
                    .error, "the journal is of version \(v), and this Dun reads version \(Journal.schemaVersion)",
                    file: path, hint: "a newer Dun wrote it; use that one")
            ])
        }
    }

    /// In one transaction: inserts each entry whose key is not journaled yet, in order, and returns
    /// them with their ids; entries whose key is present are skipped. The transaction takes the
    /// write lock at once, so two applies serialize and the second finds the first one's keys.
    public func commit(_ entries: [Entry]) throws(Diagnostics) -> [Entry] {
        try transaction { () throws(SQLiteError) -> [Entry] in
            // The write lock is held: the keys journaled stay as they are read here, the ids
            // after the last are ours to give, and each entry's checksum covers its id.
            let next = Int64(try db.value("SELECT COALESCE(MAX(id), 0) FROM \(db.table)") ?? "0").map { $0 + 1 } ?? 1
            var seen = try journaled(keys: entries.map(\.key))
            var added: [Entry] = []
            for var entry in entries where seen.insert(entry.key).inserted {
                entry.id = next + Int64(added.count)
                added.append(entry)
            }
            // The rows and their checksums made on every core.
            let rows = Journal.inParallel(added.count) { i in
                let row = values(of: added[i])
                return [.integer(added[i].id)] + row + [.text(Journal.checksum(id: added[i].id, row.map(\.textValue)))]
            }
            // A journal open to write is of the latest version: it was upgraded when opened.
            try db.insert(columns: ["id"] + Journal.columnNames + ["checksum"], rows: rows)
            return added
        }
    }

    /// Which of `keys` the journal has: asked in slices, a statement taking only so many
    /// parameters.
    private func journaled(keys: [String]) throws(SQLiteError) -> Set<String> {
        var found: Set<String> = []
        for start in stride(from: 0, to: keys.count, by: 500) {
            let slice = keys[start..<min(start + 500, keys.count)]
            let select = try db.statement(
                "SELECT key FROM \(db.table) WHERE key IN (\(slice.map { _ in "?" }.joined(separator: ", ")))")
            try select.bind(slice.map { .text($0) })
            while try select.step() {
                if let key = select.text(0) { found.insert(key) }
            }
        }
        return found
    }

    /// A new status for an entry as it was read, and its detail (nil clears it); a message id,
    /// once given, is kept: a nil one leaves it as it is.
    public struct StatusChange: Sendable, Equatable {
        public var entry: Entry
        public var status: EntryStatus
        public var detail: String?
        public var messageID: String?

        public init(_ entry: Entry, status: EntryStatus, detail: String?, messageID: String? = nil) {
            self.entry = entry
            self.status = status
            self.detail = detail
            self.messageID = messageID
        }
    }

    /// Holds, until the journal is let go, the lock that lets one delivery at a time send
    /// what the journal has queued: on a PostgreSQL journal, across every machine that shares
    /// it, so that two applies at once never both send a reminder.
    public func holdDelivery() throws(Diagnostics) {
        try attempt { () throws(SQLiteError) in try db.lockDelivery() }
    }

    /// Sets the status and detail of one entry (queued → sent, or failed with the error output).
    public func update(id: Int64, status: EntryStatus, detail: String?, messageID: String? = nil) throws(Diagnostics) {
        try transaction { () throws(SQLiteError) in
            let read = try db.statement("SELECT \(selected) FROM \(db.table) WHERE id = ?")
            try read.bind([.integer(id)])
            guard try read.step() else { throw SQLiteError(code: SQLITE_NOTFOUND, message: "the journal has no entry \(id)") }
            try write([StatusChange(try entry(Row(read, version: version)), status: status, detail: detail, messageID: messageID)]
            )
        }
    }

    /// Makes every change in one transaction, or none: an entry that is no longer as it was
    /// read (changed by another process, or gone) stops them all.
    public func update(_ changes: [StatusChange]) throws(Diagnostics) {
        guard !changes.isEmpty else { return }
        try transaction { () throws(SQLiteError) in try write(changes) }
    }

    /// The changes, in the transaction under way; an error rolls them all back. The entries
    /// are not read again: each is matched by its id and the checksum of what was read (a
    /// journal open to write has checksums: it was upgraded when opened), so that a night's
    /// thousands of reminders are recorded in one statement each.
    private func write(_ changes: [StatusChange]) throws(SQLiteError) {
        // The new values and both checksums made on every core.
        let rows = Journal.inParallel(changes.count) { i in
            let change = changes[i]
            var entry = change.entry
            let before = Journal.checksum(id: entry.id, values(of: entry).map(\.textValue))
            entry.status = change.status
            entry.detail = change.detail
            entry.messageID = change.messageID ?? entry.messageID
            let after = values(of: entry)
            return [
                after[14], after[12], after[13], .text(Journal.checksum(id: entry.id, after.map(\.textValue))),
                .integer(entry.id), .text(before),
            ]
        }
        let unmatched = try db.update(
            set: ["status", "detail", "message_id", "checksum"], match: ["id", "checksum"], rows: rows)
        if let first = unmatched.first {
            throw SQLiteError(
                code: SQLITE_NOTFOUND,
                message: "entry \(changes[first].entry.id) of the journal was changed or removed while it was being delivered")
        }
    }

    /// Every entry, in id order; with `since`, only those whose as-of date is on or after it.
    public func entries(since: Day? = nil) throws(Diagnostics) -> [Entry] {
        guard let since else { return try select("", []) }
        // ISO dates of four-digit years sort as text in date order.
        return try select("WHERE as_of >= ?", [.text(since.description)])
    }

    /// Entries with the given status (`queued` or `failed`, to retry), in id order.
    public func entries(status: EntryStatus) throws(Diagnostics) -> [Entry] {
        try select("WHERE status = ?", [.text(status.rawValue)])
    }

    /// A reminder waiting in the journal (`queued` or `failed`), as far as choosing whether to
    /// deliver it needs: the outbox reads whole only the entries it acts on, since reminders
    /// left queued for a person to send pile up, night after night.
    public struct Waiting: Sendable, Equatable {
        public var id: Int64
        public var customer: String
        public var channel: String?
        public var status: EntryStatus
        public var hasMessageID: Bool
        public var outbox: String?
    }

    /// The reminders `queued` or `failed`, in id order. Not checked: a load checks every entry.
    public func waitingReminders() throws(Diagnostics) -> [Waiting] {
        try attempt { () throws(SQLiteError) -> [Waiting] in
            let select = try db.statement(
                "SELECT id, customer, channel, status, CASE WHEN message_id IS NULL THEN 0 ELSE 1 END"
                    + (version > 2 ? ", outbox" : "") + " FROM \(db.table)"
                    + " WHERE action = ? AND status IN (?, ?) ORDER BY id")
            try select.bind([
                .text(ActionKind.remind.rawValue), .text(EntryStatus.queued.rawValue), .text(EntryStatus.failed.rawValue),
            ])
            var waiting: [Waiting] = []
            while try select.step() {
                waiting.append(
                    Waiting(
                        id: select.int64(0), customer: select.text(1) ?? "", channel: select.text(2),
                        status: select.text(3) == EntryStatus.queued.rawValue ? .queued : .failed,
                        hasMessageID: select.int64(4) != 0, outbox: select.columns > 5 ? select.text(5) : nil))
            }
            return waiting
        }
    }

    /// The entries with these ids, in id order; those it does not have are left out.
    public func entries(ids: [Int64]) throws(Diagnostics) -> [Entry] {
        // In slices, each one query: SQLite allows only so many parameters to one.
        var entries: [Entry] = []
        let sorted = ids.sorted()
        for start in stride(from: 0, to: sorted.count, by: 500) {
            let slice = sorted[start..<min(start + 500, sorted.count)]
            entries += try select(
                "WHERE id IN (\(slice.map { _ in "?" }.joined(separator: ", ")))", slice.map { .integer($0) })
        }
        return entries
    }

    private func select(_ filter: String, _ values: [SQLiteValue]) throws(Diagnostics) -> [Entry] {
        try attempt { () throws(SQLiteError) -> [Entry] in
            let select = try db.statement("SELECT \(selected) FROM \(db.table) \(filter) ORDER BY id")
            try select.bind(values)
            // Read here, checked and made into entries on every core: a load replays them all.
            var rows: [Row] = []
            while try select.step() {
                rows.append(Row(select, version: version))
            }
            var entries: [Entry] = []
            entries.reserveCapacity(rows.count)
            for made in Journal.inParallel(rows.count, { i in Result { () throws(SQLiteError) in try entry(rows[i]) } }) {
                entries.append(try made.get())
            }
            return entries
        }
    }

    /// What is wrong with the journal: the database's own check of its storage (SQLite's of
    /// its pages and indexes), then every entry read and checked as a load would; nothing
    /// when it is sound.
    public func check() throws(Diagnostics) -> [String] {
        try attempt { () throws(SQLiteError) -> [String] in
            var problems = try db.integrityProblems()
            let select = try db.statement("SELECT \(selected) FROM \(db.table) ORDER BY id")
            while try select.step() {
                do throws(SQLiteError) {
                    _ = try entry(Row(select, version: version))
                } catch {
                    problems.append(error.message)
                }
            }
            return problems
        }
    }

    /// The values for `columns`, in its order.
    private func values(of e: Entry) -> [SQLiteValue] {
        [
            .text(e.key), .text(e.who), .text(e.at), .text(e.asOf.description), .text(e.policy), .text(e.rule),
            .text(e.action.rawValue), .text(e.customer), .text(Journal.stored(e.invoices)), SQLiteValue(e.channel),
            SQLiteValue(e.template), SQLiteValue(e.amount.map(Journal.stored)), SQLiteValue(e.detail), SQLiteValue(e.messageID),
            .text(e.status.rawValue), SQLiteValue(e.outbox),
        ]
    }

    /// A list of ids as the journal stores it: a JSON array of strings.
    private static func stored(_ ids: [String]) -> String {
        JSONList.encode(ids, escapingSlashes: false)
    }

    /// An amount as the journal stores it: exact decimal text and the currency (`1234.50 CNY`).
    private static func stored(_ amount: Money) -> String {
        "\(amount.formatted(grouped: false)) \(amount.currency)"
    }

    /// The amount stored as `1234.50 CNY`; nil when it is not one.
    private static func amount(_ text: String) -> Money? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, let currency = Currency(code: String(parts[1])),
            case .success(let m) = Money.parse(parts[0], currency: currency)
        else { return nil }
        return m
    }

    /// A fingerprint of an entry's id and stored values: a byte changed anywhere in them (a
    /// damaged disk, a hand edit) no longer matches it. Not a signature: it finds damage, and
    /// one who may write the file may also write a matching sum. No outbox (the 16th value,
    /// missing before version 3) adds nothing, so that the sums of version 2 still hold.
    private static func checksum(id: Int64, _ all: [String?]) -> String {
        let values = all.count > 15 && all[15] == nil ? all[..<15] : all[...]
        var bytes = Array(String(id).utf8)
        bytes.reserveCapacity(values.reduce(bytes.count) { $0 + 1 + ($1?.utf8.count ?? 1) })
        for v in values {
            bytes.append(0x1F)
            if let v { bytes.append(contentsOf: v.utf8) } else { bytes.append(0) }
        }
        let sum = bytes.withUnsafeBufferPointer { ContentHash.hash($0) }
        let hex = String(sum, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A row of a `SELECT id, columns[, outbox][, checksum]` (`selected`) as read: its texts,
    /// to be checked apart.
    private struct Row {
        var id: Int64
        var values: [String?]
        var checksum: String?

        init(_ row: any JournalStatement, version: Int) {
            id = row.int64(0)
            // Before version 3, no outbox; in version 1, no checksum either.
            let count = version > 2 ? 16 : 15
            values = (1...count).map { row.text(Int32($0)) }
            checksum = version > 1 ? row.text(Int32(count + 1)) : nil
        }
    }

    /// `count` results of `make`, made on every core, in order.
    private static func inParallel<T>(_ count: Int, _ make: (Int) -> T) -> [T] {
        concurrentMap(count, parts: ProcessInfo.processInfo.activeProcessorCount, minimum: 1024, make)
    }

    /// The entry of a row, every value checked: a journal that does not read back as written
    /// is damaged, never half believed.
    private func entry(_ row: Row) throws(SQLiteError) -> Entry {
        let id = row.id
        let values = row.values
        func value(_ column: Int) -> String? { values[column - 1] }
        func text(_ column: Int) -> String { values[column - 1] ?? "" }
        func damaged(_ what: String) -> SQLiteError {
            SQLiteError(code: SQLITE_CORRUPT, message: "entry \(id) \(what)")
        }
        if version > 1 {
            guard row.checksum == Journal.checksum(id: id, values) else {
                throw damaged("does not match its checksum: it was changed after it was written")
            }
        }
        guard let asOf = Day(iso: text(4)) else { throw damaged("has an as-of date that is not a date: \(excerpt(text(4)))") }
        guard let action = ActionKind(rawValue: text(7)) else { throw damaged("has an unknown action \(excerpt(text(7)))") }
        guard let status = EntryStatus(rawValue: text(15)) else { throw damaged("has an unknown status \(excerpt(text(15)))") }
        guard let invoices = JSONList.decode(text(9)) else {
            throw damaged("has invoices that are not a JSON list: \(excerpt(text(9)))")
        }
        var amount: Money?
        if let stored = value(12) {
            guard let m = Journal.amount(stored) else { throw damaged("has an amount that is not an amount: \(excerpt(stored))") }
            amount = m
        }
        if let channel = value(10), Channel(rawValue: channel) == nil {
            throw damaged("has an unknown channel \(excerpt(channel))")
        }
        guard !text(8).isEmpty, !text(1).isEmpty else { throw damaged("has no customer or no key") }
        return Entry(
            id: id, who: text(2), at: text(3), asOf: asOf, policy: text(5), rule: text(6), action: action,
            customer: text(8), invoices: invoices, channel: value(10), template: value(11), amount: amount,
            detail: value(13), messageID: value(14), status: status, outbox: values.count > 15 ? values[15] : nil,
            key: text(1))
    }

    /// Runs `body` in one transaction that takes the write lock at once (waiting up to the busy
    /// timeout) rather than failing halfway through.
    private func transaction<T>(_ body: () throws(SQLiteError) -> T) throws(Diagnostics) -> T {
        try attempt { () throws(SQLiteError) -> T in
            do throws(SQLiteError) {
                // Inside: a lock not granted in time leaves PostgreSQL's transaction begun.
                try db.beginWriting()
                let result = try body()
                try db.execute("COMMIT")
                return result
            } catch {
                // The body's error is the one to report; should the rollback fail too, SQLite
                // rolls the transaction back when the connection closes.
                try? db.execute("ROLLBACK")
                throw error
            }
        }
    }

    private func attempt<T>(_ body: () throws(SQLiteError) -> T) throws(Diagnostics) -> T {
        do {
            return try body()
        } catch {
            throw Journal.diagnostics(error, path: path)
        }
    }

    /// An SQLite failure, said in terms of the journal.
    private static func diagnostics(_ error: SQLiteError, path: String) -> Diagnostics {
        switch error.code {
        case SQLITE_BUSY, SQLITE_LOCKED:
            return Diagnostics([
                Diagnostic(
                    .error, "another `dun run --apply` holds the journal", file: path,
                    hint: "try again when it has finished")
            ])
        case SQLITE_NOTFOUND:
            // An entry asked for by id (`update`) that the journal does not have.
            return Diagnostics([Diagnostic(.error, error.message, file: path)])
        case SQLITE_NOTADB:
            return notAJournal(path, because: error.message)
        case SQLITE_CORRUPT:
            return Diagnostics([
                Diagnostic(
                    .error, "the journal is damaged: \(error.message)", file: path,
                    hint: "`dun journal --check` lists every damaged entry; to start afresh, move the file away")
            ])
        default:
            return Diagnostics([Diagnostic(.error, "cannot use the journal: \(error.message)", file: path)])
        }
    }

    private static func notAJournal(_ path: String, because reason: String? = nil, table: Bool = false) -> Diagnostics {
        guard !table else {
            return Diagnostics([
                Diagnostic(
                    .error, "the database's table dun_journal is not a Dun journal", file: path,
                    hint: "Dun keeps its journal in that table; rename it, or name another schema in the URI"
                        + " (?options=-csearch_path%3Ddun)")
            ])
        }
        return Diagnostics([
            Diagnostic(
                .error, "this file is not a Dun journal" + (reason.map { " (\($0))" } ?? ""), file: path,
                hint: "Dun keeps its journal here; move the file elsewhere and Dun starts a new journal")
        ])
    }
}
