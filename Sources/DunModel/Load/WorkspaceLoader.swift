// Loader: reads a workspace folder's CSV files into a Workspace, or says what is wrong.

import DunCore
import Foundation
import Synchronization

/// Reads `customers.csv`, `invoices.csv` and `payments.csv` from a folder.
///
/// A large file is split into parts, eight per core, read on every core at once and joined
/// in file order as they are done. Every bad value stops the load with a diagnostic naming
/// file, line, column and value; up to `maxErrors` are collected, in file order, so that one
/// run shows most of what to fix.
public enum WorkspaceLoader {
    public static let maxErrors = 50
    static let files = ExportTable.allCases.map(\.defaultFile)

    /// Hears how many more bytes and records have been read, from any thread.
    public typealias Progress = @Sendable (_ bytes: Int, _ records: Int) -> Void

    /// The total size of the files of the workspace in `directory` (for a progress bar).
    public static func size(of directory: String, settings: WorkspaceSettings = WorkspaceSettings()) -> Int {
        ExportTable.allCases.map { settings[$0].file }.reduce(0) { total, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size]) as? Int
            return total + (size ?? 0)
        }
    }

    /// Loads the workspace in `directory`, read as its dun.toml says.
    public static func load(directory: String, progress: Progress? = nil) throws(Diagnostics) -> Workspace {
        try load(directory: directory, progress: progress) { _ throws(Diagnostics) in }.workspace
    }

    /// Loads the workspace in `directory`, and makes `next` of it while the last checks of
    /// the files run (payment ids given twice, payments larger than their invoices): an
    /// error of the files is thrown rather than whatever `next` made.
    ///
    /// `paymentsFit` tells, of what `next` made, whether no invoice is paid more than its
    /// amount, when it added up every payment anyway (`Snapshot.paymentsFitInvoices`): the
    /// payments are then added up again, in file order, only to name the one that goes over.
    public static func load<T>(
        directory: String, settings given: WorkspaceSettings? = nil, progress: Progress? = nil,
        while next: (Workspace) throws(Diagnostics) -> T, paymentsFit: (T) -> Bool? = { _ in nil }
    ) throws(Diagnostics) -> (workspace: Workspace, next: T) {
        let settings: WorkspaceSettings
        if let given { settings = given } else { settings = try WorkspaceSettings.load(workspace: directory) }
        let (_, names, contents, effective) = try open(directory: directory, settings: settings)
        return try load(
            names: names, consume contents, settings: effective, progress: progress, while: next, paymentsFit: paymentsFit)
    }

    /// The folder's path without a trailing slash, and each file's path and bytes; or why not.
    /// The settings returned are those the files are read with: a table made from the
    /// invoices' file has its headers filled in (`LineItems`). Without `deriving`, such a
    /// table is left empty, and the settings as they are (the cache's key: `derive` later).
    static func open(
        directory: String, settings: WorkspaceSettings = WorkspaceSettings(), deriving: Bool = true
    ) throws(Diagnostics) -> (String, [String], [FileBytes], WorkspaceSettings) {
        let dir = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw Diagnostics([
                Diagnostic(.error, "no workspace folder '\(directory)'", hint: "give the folder with --data DIR")
            ])
        }
        if let source = settings.source {
            let (paths, contents) = try fetch(source, settings)
            guard deriving else { return (dir, paths, contents, settings) }
            let (files, names, effective) = try derive(contents, paths, settings)
            return (dir, names, files, effective)
        }
        var contents: [FileBytes] = []
        var problems: [Diagnostic] = []
        var paths: [String] = []
        for table in ExportTable.allCases {
            let mapping = settings[table]
            let name = mapping.file
            let path = name.hasPrefix("/") ? name : dir + "/" + name
            paths.append(path)
            // Made from the invoices' file below.
            guard mapping.from == nil else {
                contents.append(FileBytes(text: ""))
                continue
            }
            guard let bytes = FileBytes(path: path) else {
                let exists = FileManager.default.fileExists(atPath: path)
                problems.append(
                    Diagnostic(
                        .error, exists ? "cannot read \(name)" : "no \(name) in workspace '\(directory)'",
                        file: exists ? path : nil,
                        hint: exists
                            ? nil
                            : name == table.defaultFile
                                ? "a workspace holds customers.csv, invoices.csv and payments.csv, or names its files in dun.toml: [\(table.rawValue)] file = \"…\""
                                : "dun.toml names it: [\(table.rawValue)] file = \"\(name)\""))
                continue
            }
            if mapping.isWorkbook {
                do throws(Diagnostic) {
                    contents.append(try FileBytes(workbook: path, sheet: mapping.sheet, display: path))
                } catch {
                    problems.append(error)
                }
                continue
            }
            switch mapping.encoding {
            case .utf8: contents.append(bytes)
            case .gb18030:
                do throws(Diagnostic) {
                    contents.append(try FileBytes(decoding: bytes, from: .gb18030, name: path))
                } catch {
                    problems.append(error)
                }
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        guard deriving else { return (dir, paths, contents, settings) }
        let (files, names, effective) = try derive(contents, paths, settings)
        return (dir, names, files, effective)
    }

    /// Loads a workspace from the database `settings` names (`[source]`, or `--data` given a
    /// URI), with no folder: its tables as `settings` maps them (by default, named as the
    /// entities).
    public static func load(database settings: WorkspaceSettings, progress: Progress? = nil) throws(Diagnostics) -> Workspace {
        guard let source = settings.source else { return Workspace() }
        let (paths, contents) = try fetch(source, settings)
        let (files, names, effective) = try derive(contents, paths, settings)
        return try load(names: names, files, settings: effective, progress: progress)
    }

    /// Each table's name in errors, and its rows from the database, as `open` gives files.
    private static func fetch(
        _ source: PostgresSource, _ settings: WorkspaceSettings
    ) throws(Diagnostics) -> ([String], [FileBytes]) {
        let relations = ExportTable.allCases.map { settings[$0].relation ?? $0.rawValue }
        let read = ExportTable.allCases.indices.filter { settings[ExportTable.allCases[$0]].from == nil }
        // Each table in the order of its key, found as the loader will find it.
        let mappings = read.map { settings[ExportTable.allCases[$0]] }
        let fetched = try source.fetch(read.map { relations[$0] }) { k, names in
            try? mappings[k].table.columns(in: names, mapping: mappings[k], table: "")["id"]
        }
        var contents = ExportTable.allCases.map { _ in FileBytes(text: "") }
        for (k, i) in read.enumerated() { contents[i] = fetched[k] }
        return (relations.map(PostgresSource.display), contents)
    }

    /// The customers and the payments of a line-item export, each read from its invoices'
    /// file at once, in place of the empty files `open` left for them; or the errors of the
    /// flag that says which invoices are paid.
    static func derive(
        _ contents: [FileBytes], _ paths: [String], _ settings: WorkspaceSettings
    ) throws(Diagnostics) -> ([FileBytes], [String], WorkspaceSettings) {
        var (contents, paths, settings) = (contents, paths, settings)
        let derived = ExportTable.allCases.filter { settings[$0].from == .invoices }
        let (source, name, given) = (contents[1], paths[1], settings)
        let made = concurrently(derived.count) { k in LineItems.derive(derived[k], from: source, name: name, settings: given) }
        var problems: [Diagnostic] = []
        for (table, (bytes, mapping, found)) in zip(derived, made) {
            let k = ExportTable.allCases.firstIndex(of: table) ?? 0
            contents[k] = bytes
            paths[k] = name
            settings[table] = mapping
            problems += found
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return (contents, paths, settings)
    }

    /// Loads from texts already in memory (tests, and data given on standard input).
    public static func load(customers: String, invoices: String, payments: String) throws(Diagnostics) -> Workspace {
        try load(customers: customers, invoices: invoices, payments: payments, parts: nil)
    }

    /// `parts`, for tests: how many parts each file and index is split into, whatever its size.
    static func load(
        customers: String, invoices: String, payments: String, parts: Int?, settings: WorkspaceSettings = WorkspaceSettings()
    ) throws(Diagnostics) -> Workspace {
        try load(
            names: files, [customers, invoices, payments].map(FileBytes.init(text:)), settings: settings, progress: nil,
            parts: parts)
    }

    /// How many parts to split work of `size` items into: one per core once it is large.
    static func parts(_ size: Int, large: Int, forced: Int?) -> Int {
        forced ?? (size < large ? 1 : ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Each file's bytes are let go once its table is read and checked, so that a large
    /// workspace never holds all three files and all the columns at once.
    static func load(
        names: [String], _ contents: consuming [FileBytes], settings: WorkspaceSettings = WorkspaceSettings(),
        progress: Progress?,
        parts: Int? = nil
    ) throws(Diagnostics) -> Workspace {
        try load(names: names, contents, settings: settings, progress: progress, parts: parts) { _ throws(Diagnostics) in }
            .workspace
    }

    static func load<T>(
        names: [String], _ contents: consuming [FileBytes], settings: WorkspaceSettings, progress: Progress?, parts: Int? = nil,
        while next: (Workspace) throws(Diagnostics) -> T, paymentsFit: (T) -> Bool? = { _ in nil }
    ) throws(Diagnostics) -> (workspace: Workspace, next: T) {
        var open: [FileBytes?] = (consume contents).map { $0 }
        func file(_ i: Int) -> (name: String, bytes: FileBytes) {
            (names[i], open[i] ?? FileBytes(text: ""))
        }
        var workspace = Workspace()
        var problems = Problems()
        // Every file is read and checked, whatever the ones before it hold: their errors are
        // kept here, and a reference to an id of a file with errors is not one.
        var earlier: [Diagnostic] = []
        var origin = Origin(customers: settings.customers.file, invoices: settings.invoices.file)
        /// Keeps the problems of `file`; whether it had none, and checked every reference.
        func keep(_ problems: inout Problems, of file: String) -> Bool {
            earlier += problems.diagnostics
            let broken = [
                origin.customersComplete ? nil : origin.customers, origin.invoicesComplete ? nil : origin.invoices,
            ].compactMap { $0 }
            let n = problems.unchecked
            if n > 0 {
                earlier.append(
                    Diagnostic(
                        .note,
                        "\(n) reference\(n == 1 ? "" : "s") to \(broken.joined(separator: " or ")) not checked, since \(broken.count == 1 ? "it has" : "they have") errors",
                        file: file))
            }
            let complete = problems.shown.isEmpty && n == 0
            problems = Problems()
            return complete
        }
        workspace.customers = read(
            file(0), CustomerColumn.self, settings.customers, empty: Customers(), &problems, progress, parts: parts
        ) {
            CustomerColumn.parse(&$0, &$1)
        }
        problems.duplicates(CustomerColumn.id.rawValue, &workspace.customers.id, what: "customer", parts: parts)
        origin.customersComplete = keep(&problems, of: names[0])
        // Problems of later files point into their own bytes only.
        problems.forget()
        open[0] = nil

        let (customers, currency, from) = (workspace.customers, workspace.customers.sharedCurrency, origin)
        workspace.invoices = read(
            file(1), InvoiceColumn.self, settings.invoices, empty: Invoices(), &problems, progress, parts: parts
        ) {
            InvoiceColumn.parse(&$0, &$1, customers: customers, currency: currency, from: from)
        }
        problems.duplicates(InvoiceColumn.id.rawValue, &workspace.invoices.id, what: "invoice", parts: parts)
        origin.invoicesComplete = keep(&problems, of: names[1])
        problems.forget()
        open[1] = nil

        let (invoices, paidFrom) = (workspace.invoices, origin)
        workspace.payments = read(
            file(2), PaymentColumn.self, settings.payments, empty: Payments(), &problems, progress, parts: parts
        ) {
            PaymentColumn.parse(&$0, &$1, customers: customers, currency: currency, invoices: invoices, from: paidFrom)
        }
        let loaded = workspace
        earlier += settings.payments.rowProblems
        guard earlier.isEmpty else {
            // The workspace will not be used: the payments' own checks, then every error.
            let mismatched = PaymentColumn.checkOwners(loaded, &problems)
            var paid: [Int32: Set<Int32>] = [:]
            _ = problems.duplicates(
                PaymentColumn.id.rawValue, loaded.payments.id, what: "payment", parts: parts, ignoring: mismatched,
                allowing: { PaymentColumn.isSplit($0, of: $1, in: loaded.payments, &paid) }, hint: PaymentColumn.splitHint)
            _ = keep(&problems, of: names[2])
            throw Diagnostics(earlier)
        }
        // The last checks need no one's result, and no one needs theirs but to know there is
        // no error: payment ids given twice, and invoices of other customers, are looked for
        // on another thread while `next` works here (the session's snapshot: a tenth of a load).
        nonisolated(unsafe) var checked = problems
        nonisolated(unsafe) var skipped: Set<Int32> = []
        let checks = DispatchGroup()
        DispatchQueue.global().async(group: checks) {
            // A payment on another customer's invoice is kept only until this check: as a
            // record with a problem, its id is given twice by no one.
            let mismatched = PaymentColumn.checkOwners(loaded, &checked)
            var paid: [Int32: Set<Int32>] = [:]
            skipped = checked.duplicates(
                PaymentColumn.id.rawValue, loaded.payments.id, what: "payment", parts: parts, ignoring: mismatched,
                allowing: { PaymentColumn.isSplit($0, of: $1, in: loaded.payments, &paid) }, hint: PaymentColumn.splitHint)
            skipped.formUnion(mismatched)
        }
        let made = Result { () throws(Diagnostics) in try next(loaded) }
        checks.wait()
        // What `next` made may have added up every payment already (payments given twice
        // too: when all fit, so do the others). Otherwise they are added up here, after it:
        // beside the snapshot, what is left on ten million invoices was 80 MB more of fresh
        // memory at once, and slowed both down.
        if (try? made.get()).flatMap(paymentsFit) != true {
            PaymentColumn.checkTotals(loaded, skipping: skipped, &checked)
        }
        try checked.throwIfAny()
        return (workspace, try made.get())
    }

    /// Reads one file in parts at once; each part keeps the rows that parsed, with where each
    /// started, and its problems. A malformed record ends the file, and the parts after it.
    private static func read<Rows: StoredRows, Column: TableColumn>(
        _ file: (name: String, bytes: FileBytes), _: Column.Type, _ mapping: TableMapping, empty: Rows,
        _ problems: inout Problems,
        _ progress: Progress?, parts wanted: Int?,
        parse: @escaping @Sendable (inout Rows, inout Record<Column>) -> Void
    ) -> Rows {
        let csv: CSVFile
        do {
            csv = try CSVFile(
                name: file.name, bytes: file.bytes.buffer, columns: Column.specs, mapping: mapping, sheet: file.bytes.sheet)
        } catch {
            problems.add(key: 0, error)
            return empty
        }
        // Small files are not worth a thread. Large ones are read in more parts than there
        // are cores, each joined to the ones before it as soon as they are all read, so that
        // few parts' rows are ever held twice (see `Joined`).
        let cores = WorkspaceLoader.parts(csv.records.count, large: 1 << 20, forced: nil)
        let (parts, firstInvalid) = csv.parts(wanted ?? (cores > 1 ? cores * 8 : 1))
        if let bad = firstInvalid {
            problems.add(key: 0, CSVFile.encodingError(csv.name, csv.bytes, at: bad, section: csv.tableName))
            return empty
        }
        let joined = Joined(empty: empty)
        // The first part's columns become the table's: they get room for every row, so
        // that joining the other parts to them copies nothing twice.
        let all = parts.reduce(0) { $0 + $1.lines }
        _ = concurrently(parts.count) { k in
            joined.add(
                readPart(
                    csv, (parts[k].range, parts[k].line), empty: empty, rows: k == 0 ? all : parts[k].lines,
                    progress: progress, parse: parse),
                at: k)
        }
        return joined.state.withLock { state in
            problems.places = state.places
            problems.merge(state.problems)
            problems.file = csv
            return state.rows
        }
    }

    struct Part<Rows>: Sendable where Rows: Sendable {
        var rows: Rows
        var places = Problems.RowPlaces()
        var problems = Problems()
        var ended = false
        /// Where the part's last record starts; 0 when it has none.
        var lastStart = 0
    }

    /// The parts of a file read so far, joined in file order: a part is appended to the
    /// rows as soon as it and every part before it are read, and let go of.
    ///
    /// One thread at a time joins, with the lock let go: a thread that brings a part while
    /// another joins hands it over and goes back to reading, instead of waiting for the copy.
    final class Joined<Rows: StoredRows>: Sendable {
        struct State {
            var rows: Rows
            var places = Problems.RowPlaces()
            var problems = Problems()
            /// The next part to join; parts read before their turn wait.
            var next = 0
            /// Where the last record of the parts joined so far starts (0: none yet).
            var lastStart = 0
            var waiting: [Int: Part<Rows>] = [:]
            /// A part ended the file: the parts after it are not joined.
            var ended = false
            /// A thread is joining parts, with the rows and places taken out of the state.
            var joining = false
        }
        let state: Mutex<State>
        private let empty: Rows

        init(empty: Rows) {
            self.empty = empty
            state = Mutex(State(rows: empty))
        }

        /// Takes part `k` over: its rows must have no other owner, so that appending to them
        /// never copies them.
        func add(_ part: consuming Part<Rows>, at k: Int) {
            var moving = Optional(consume part)
            let joins = state.withLock { state in
                guard !state.ended else { return false }
                state.waiting[k] = moving.take()
                guard !state.joining else { return false }
                state.joining = true
                return true
            }
            guard joins else { return }
            var (rows, places) = (empty, Problems.RowPlaces())
            while true {
                // The parts whose turn it is, and the table so far, taken out.
                let (first, taken) = state.withLock { state in
                    let first = state.next
                    var ready: [Part<Rows>] = []
                    while !state.ended, let part = state.waiting.removeValue(forKey: state.next) {
                        // A part whose first record is malformed tells it with the record
                        // before it, the last of the parts before.
                        var problems = part.problems
                        let key = Problems.key(state.lastStart, .malformedNext)
                        problems.replaceKey(Problems.beforeThePart, with: key)
                        state.problems.merge(problems)
                        if part.lastStart != 0 { state.lastStart = part.lastStart }
                        state.next += 1
                        if part.ended {
                            state.ended = true
                            state.waiting = [:]
                        }
                        ready.append(part)
                    }
                    if ready.isEmpty {
                        state.joining = false
                    } else {
                        swap(&rows, &state.rows)
                        swap(&places, &state.places)
                    }
                    return (first, ready)
                }
                guard !taken.isEmpty else { return }
                var ready = consume taken
                if first == 0 {
                    // The first part's columns become the table's, moved, not copied.
                    let part = ready.removeFirst()
                    (rows, places) = (part.rows, part.places)
                }
                for part in ready {
                    rows.append(contentsOf: part.rows)
                    places.append(contentsOf: part.places)
                }
                ready = []
                state.withLock { state in
                    swap(&rows, &state.rows)
                    swap(&places, &state.places)
                }
            }
        }
    }

    private static func readPart<Rows: StoredRows, Column: TableColumn>(
        _ csv: CSVFile, _ part: (range: Range<Int>, line: Int), empty: Rows, rows: Int, progress: Progress?,
        parse: (inout Rows, inout Record<Column>) -> Void
    ) -> Part<Rows> {
        var result = Part(rows: empty)
        // Room for every row at once: growing a column copies it.
        result.rows.reserve(rows)
        result.places.reserve(rows)
        var record = Record<Column>(CSVTable(csv, part: part))
        var reported = part.range.lowerBound
        var records = 0
        do {
            while try record.next() {
                records += 1
                record.wantsHints = result.problems.shown.count < maxErrors
                parse(&result.rows, &record)
                let start = record.table.recordStart
                if record.isValid {
                    result.places.append(offset: start.offset, line: start.line)
                } else {
                    for p in record.problems {
                        result.problems.add(key: Problems.key(start.offset, .own), p)
                    }
                }
                if let progress, start.offset - reported >= 1 << 20 {
                    progress(start.offset - reported, records)
                    reported = start.offset
                    records = 0
                }
            }
        } catch {
            // A record that cannot be split into fields is told with the record before it
            // (where it starts is not known; one with too few or too many fields, with itself);
            // when no record of the part came before it, the key is made when parts are joined.
            let before = record.table.recordStart.offset
            let key = before == 0 ? Problems.beforeThePart : Problems.key(before, .malformedNext)
            result.problems.add(key: key, error)
            result.ended = true
        }
        result.problems.unchecked += record.unchecked
        result.lastStart = record.table.recordStart.offset
        progress?(part.range.upperBound - reported, records)
        return result
    }
}
