// Loader: reads a workspace folder's CSV files into a Workspace, or says what is wrong.

import DunCore
import Foundation

/// Reads `customers.csv`, `invoices.csv` and `payments.csv` from a folder.
///
/// Each file is split into parts read at the same time, one per core, then joined in file
/// order. Every bad value stops the load with a diagnostic naming file, line, column and
/// value; up to `maxErrors` are collected, in file order, so that one run shows most of what
/// to fix.
public enum WorkspaceLoader {
    public static let maxErrors = 50
    static let files = ["customers.csv", "invoices.csv", "payments.csv"]

    /// Hears how many more bytes and records have been read, from any thread.
    public typealias Progress = @Sendable (_ bytes: Int, _ records: Int) -> Void

    /// The total size of the files of the workspace in `directory` (for a progress bar).
    public static func size(of directory: String) -> Int {
        files.reduce(0) { total, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size]) as? Int
            return total + (size ?? 0)
        }
    }

    /// Loads the workspace in `directory`.
    public static func load(directory: String, progress: Progress? = nil) throws(Diagnostics) -> Workspace {
        let dir = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw Diagnostics([
                Diagnostic(.error, "no workspace folder '\(directory)'", hint: "give the folder with --data DIR")
            ])
        }
        var contents: [FileBytes] = []
        for name in files {
            let path = dir + "/" + name
            guard let bytes = FileBytes(path: path) else {
                let exists = FileManager.default.fileExists(atPath: path)
                throw Diagnostics([
                    Diagnostic(
                        .error, exists ? "cannot read \(name)" : "no \(name) in workspace '\(directory)'",
                        file: exists ? path : nil,
                        hint: exists ? nil : "a workspace holds customers.csv, invoices.csv and payments.csv")
                ])
            }
            contents.append(bytes)
        }
        return try load(names: files.map { dir + "/" + $0 }, consume contents, progress: progress)
    }

    /// Loads from texts already in memory (tests, and data given on standard input).
    public static func load(customers: String, invoices: String, payments: String) throws(Diagnostics) -> Workspace {
        try load(customers: customers, invoices: invoices, payments: payments, parts: nil)
    }

    /// `parts`, for tests: how many parts each file and index is split into, whatever its size.
    static func load(customers: String, invoices: String, payments: String, parts: Int?) throws(Diagnostics) -> Workspace {
        try load(names: files, [customers, invoices, payments].map(FileBytes.init(text:)), progress: nil, parts: parts)
    }

    /// How many parts to split work of `size` items into: one per core once it is large.
    static func parts(_ size: Int, large: Int, forced: Int?) -> Int {
        forced ?? (size < large ? 1 : ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Each file's bytes are let go once its table is read and checked, so that a large
    /// workspace never holds all three files and all the columns at once.
    static func load(
        names: [String], _ contents: consuming [FileBytes], progress: Progress?, parts: Int? = nil
    ) throws(Diagnostics) -> Workspace {
        var open: [FileBytes?] = (consume contents).map { $0 }
        func file(_ i: Int) -> (name: String, bytes: FileBytes) {
            (names[i], open[i] ?? FileBytes(text: ""))
        }
        var workspace = Workspace()
        var problems = Problems()
        workspace.customers = read(file(0), CustomerColumn.self, empty: Customers(), &problems, progress, parts: parts) {
            CustomerColumn.parse(&$0, &$1)
        }
        problems.duplicates(CustomerColumn.id.rawValue, &workspace.customers.id, what: "customer", parts: parts)
        try problems.throwIfAny()
        // Problems of later files point into their own bytes only.
        problems.forget()
        open[0] = nil

        let customers = workspace.customers
        workspace.invoices = read(
            file(1), InvoiceColumn.self, empty: Invoices(), &problems, progress, parts: parts
        ) {
            InvoiceColumn.parse(&$0, &$1, customers: customers)
        }
        problems.duplicates(InvoiceColumn.id.rawValue, &workspace.invoices.id, what: "invoice", parts: parts)
        try problems.throwIfAny()
        problems.forget()
        open[1] = nil

        let invoices = workspace.invoices
        var paid = read(
            file(2), PaymentColumn.self, empty: PaymentRows(), &problems, progress, parts: parts
        ) {
            PaymentColumn.parse(&$0, &$1, customers: customers, invoices: invoices)
        }
        workspace.payments = paid.payments
        PaymentColumn.resolve(paid.pending, &workspace.payments, workspace, &problems, parts: parts)
        paid = PaymentRows()
        let duplicated = problems.duplicates(PaymentColumn.id.rawValue, &workspace.payments.id, what: "payment", parts: parts)
        PaymentColumn.checkTotals(workspace, skipping: duplicated, &problems)
        try problems.throwIfAny()
        return workspace
    }

    /// Reads one file in parts at once; each part keeps the rows that parsed, with where each
    /// started, and its problems. A malformed record ends the file, and the parts after it.
    private static func read<Rows: Sendable & Joinable, Column: TableColumn>(
        _ file: (name: String, bytes: FileBytes), _: Column.Type, empty: Rows, _ problems: inout Problems,
        _ progress: Progress?, parts wanted: Int?,
        parse: @escaping @Sendable (inout Rows, inout Record<Column>) -> Void
    ) -> Rows {
        let csv: CSVFile
        do {
            csv = try CSVFile(name: file.name, bytes: file.bytes.buffer, columns: Column.specs)
        } catch {
            problems.add(key: 0, error)
            return empty
        }
        // Small files are not worth a thread.
        let parts = csv.parts(WorkspaceLoader.parts(csv.records.count, large: 1 << 20, forced: wanted))
        // The first part's columns become the table's: they get room for every row, so
        // that joining the other parts to them copies nothing twice.
        let lines = concurrently(parts.count) { k in countLineFeeds(UnsafeBufferPointer(rebasing: csv.bytes[parts[k].range])) + 1 }
        var results = concurrently(parts.count) { k in
            readPart(
                csv, parts[k], empty: empty, rows: k == 0 ? lines.reduce(0, +) : lines[k], progress: progress,
                parse: parse)
        }
        if let bad = results.lazy.compactMap(\.encodingError).first {
            problems.add(key: 0, bad)
            return empty
        }
        var rows = results[0].rows
        results[0].rows = empty
        problems.places = []
        for k in results.indices {
            let part = results[k]
            results[k] = Part(rows: empty)
            if k > 0 { rows.append(contentsOf: part.rows) }
            problems.places += part.places
            problems.merge(part.problems)
            if part.ended { break }
        }
        problems.file = csv
        return rows
    }

    private struct Part<Rows>: Sendable where Rows: Sendable {
        var rows: Rows
        var places: [Problems.Place] = []
        var problems = Problems()
        var ended = false
        var encodingError: Diagnostic?
    }

    private static func readPart<Rows: Sendable & Joinable, Column: TableColumn>(
        _ csv: CSVFile, _ part: (range: Range<Int>, line: Int), empty: Rows, rows: Int, progress: Progress?,
        parse: (inout Rows, inout Record<Column>) -> Void
    ) -> Part<Rows> {
        var result = Part(rows: empty)
        if let bad = CSVFile.encodingError(csv.name, csv.bytes, in: part.range) {
            result.encodingError = bad
            return result
        }
        // Room for every row at once: growing a column copies it.
        result.rows.reserve(rows)
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
                    result.places.append(Problems.Place(offset: start.offset, line: Int32(clamping: start.line)))
                } else {
                    for (i, p) in record.problems.enumerated() {
                        result.problems.add(key: start.offset * 4 + (i < record.problemsBeforeDeferred ? 1 : 3), p)
                    }
                }
                if let progress, start.offset - reported >= 1 << 20 {
                    progress(start.offset - reported, records)
                    reported = start.offset
                    records = 0
                }
            }
        } catch {
            result.problems.add(key: record.table.recordStart.offset * 4 + 1, error)
            result.ended = true
        }
        progress?(part.range.upperBound - reported, records)
        return result
    }
}

/// The problems found so far, kept in file order: each has a key, the byte where its record
/// starts times four plus the check's rank within a record.
struct Problems: Sendable {
    /// Where a row kept from the file starts: for problems found once all rows are read.
    struct Place: Sendable {
        var offset: Int
        var line: Int32
    }

    private(set) var shown: [(key: Int, diagnostic: Diagnostic)] = []
    private(set) var more = 0
    /// The places of the rows of the file last read, and the file.
    var places: [Place] = []
    var file: CSVFile?

    var isFull: Bool { shown.count >= WorkspaceLoader.maxErrors }

    /// Lets go of the file last read and where its rows are, once its checks are done.
    mutating func forget() {
        file = nil
        places = []
    }

    mutating func add(key: Int, _ d: Diagnostic) {
        if shown.count < WorkspaceLoader.maxErrors {
            shown.append((key, d))
        } else {
            more += 1
        }
    }

    /// Adds problems found elsewhere in the file, keeping the first `maxErrors` in file order.
    mutating func merge(_ other: Problems) {
        let all = (shown + other.shown).enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
        shown = all.prefix(WorkspaceLoader.maxErrors).map(\.element)
        more += other.more + max(0, all.count - WorkspaceLoader.maxErrors)
    }

    func throwIfAny() throws(Diagnostics) {
        guard !shown.isEmpty else { return }
        var all = shown.map(\.diagnostic)
        if more > 0 {
            all.append(Diagnostic(.note, "\(more) more error\(more == 1 ? "" : "s") not shown"))
        }
        throw Diagnostics(all)
    }

    /// A problem with column `column` of row `row` of the file last read, found after the
    /// whole file was; `rank` orders it among the record's other problems.
    mutating func add(row: Int32, column: Int, rank: Int, _ message: String, hint: String? = nil) {
        guard Int(row) < places.count else { return }
        add(place: places[Int(row)], column: column, rank: rank, message, hint: hint)
    }

    /// A problem with column `column` of the record at `place` of the file last read.
    mutating func add(place: Place, column: Int, rank: Int, _ message: String, hint: String? = nil) {
        guard let file else { return }
        let key = place.offset * 4 + rank
        // When the list is full, a problem after the last one shown is only counted.
        if shown.count >= WorkspaceLoader.maxErrors, let last = shown.last, key > last.key {
            more += 1
            return
        }
        // Read the record again to point at its field.
        var table = CSVTable(file, part: (place.offset..<file.records.upperBound, Int(place.line)))
        guard (try? table.next()) == true else { return }
        var other = Problems()
        other.add(key: key, table.error(column, message, hint: hint))
        merge(other)
    }

    /// Indexes the ids of the file last read; an id given twice is an error at its second row.
    @discardableResult
    mutating func duplicates(
        _ column: Int, _ ids: inout KeyColumn, what: String, parts: Int?
    ) -> Set<Int32> {
        var rows = Set<Int32>()
        for (row, _) in ids.buildIndex(parts: WorkspaceLoader.parts(ids.count, large: 1 << 16, forced: parts)) {
            rows.insert(row)
            add(row: row, column: column, rank: 0, "duplicate \(what) id '\(ids[Int(row)])'", hint: "each \(what) id may appear once")
        }
        return rows
    }
}

/// The bytes of a file, whole; they outlive every scanner that points into them.
///
/// A file is mapped, not copied: the system's cached pages are the bytes, which saves
/// reading and zeroing a fresh copy (a third of the load of a large workspace). The mapping
/// lasts only as long as the load.
final class FileBytes: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
    private let mapped: Bool

    /// Maps the file at `path`; `nil` when it cannot be read.
    init?(path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(info.st_size)
        guard size > 0 else {
            buffer = UnsafeBufferPointer(start: nil, count: 0)
            mapped = false
            return
        }
        #if os(Linux)
            let flags = MAP_PRIVATE | MAP_POPULATE
        #else
            let flags = MAP_PRIVATE
        #endif
        guard let memory = mmap(nil, size, PROT_READ, flags, fd, 0), memory != MAP_FAILED else { return nil }
        buffer = UnsafeBufferPointer(start: memory.assumingMemoryBound(to: UInt8.self), count: size)
        mapped = true
    }

    convenience init(text: String) {
        self.init(bytes: Array(text.utf8))
    }

    init(bytes: [UInt8]) {
        let memory = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        _ = memory.initialize(from: bytes)
        buffer = UnsafeBufferPointer(start: memory.baseAddress, count: bytes.count)
        mapped = false
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: buffer.baseAddress), buffer.count)
        } else {
            UnsafeMutableRawPointer(mutating: buffer.baseAddress)?.deallocate()
        }
    }
}

/// Runs `body` for `0..<count` on as many threads as there are cores; the results in order.
func concurrently<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
    guard count > 1 else { return (0..<count).map(body) }
    let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    _ = results.initialize(from: repeatElement(nil, count: count))
    defer {
        _ = results.deinitialize()
        results.deallocate()
    }
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let body = body
        nonisolated(unsafe) let results = results
        // Each iteration writes its own element only.
        DispatchQueue.concurrentPerform(iterations: count) { results[$0] = body($0) }
    }
    return results.compactMap { $0 }
}

/// A table's rows can be read in parts and joined.
protocol Joinable {
    mutating func reserve(_ rows: Int)
    mutating func append(contentsOf other: Self)
}

extension Customers: Joinable {}
extension Invoices: Joinable {}

/// Payments as read, with the invoice ids still to look up.
private struct PaymentRows: Joinable, Sendable {
    /// An invoice id to look up, and the record it is in.
    struct Pending: Sendable {
        /// Where the id's bytes are in the file.
        var key: Int
        var length: Int32
        /// The payment's row, or -1 when the record was not kept.
        var row: Int32
        /// The payment's customer, or -1 when unknown.
        var customer: Int32
        var line: Int32
        var record: Int

        var place: Problems.Place { Problems.Place(offset: record, line: line) }
    }

    var payments = Payments()
    var pending: [Pending] = []

    mutating func reserve(_ rows: Int) {
        payments.reserve(rows)
        pending.reserveCapacity(rows)
    }

    mutating func append(contentsOf other: PaymentRows) {
        let base = Int32(payments.count)
        payments.append(contentsOf: other.payments)
        pending += other.pending.lazy.map { p in
            var p = p
            if p.row >= 0 { p.row += base }
            return p
        }
    }
}

/// The columns a file must or may have, in the order of a column enum's cases.
protocol TableColumn: RawRepresentable where RawValue == Int {
    static var specs: [ColumnSpec] { get }
}

/// Column specs in the order of a column enum's cases; a name ending in `?` is optional.
private func columns(_ names: String...) -> [ColumnSpec] {
    names.map { ColumnSpec(name: $0.hasSuffix("?") ? String($0.dropLast()) : $0, required: !$0.hasSuffix("?")) }
}

// MARK: customers

private enum CustomerColumn: Int, TableColumn {
    case id, name, region, grade, creditLimit, currency, termsDays, collector, email, phone, language
    static let specs = columns(
        "id", "name", "region?", "grade?", "credit_limit?", "currency?", "terms_days?", "collector?", "email?", "phone?",
        "language?")

    static func parse(_ rows: inout Customers, _ r: inout Record<CustomerColumn>) {
        let id = r.identifier(.id, what: "customer")
        if r.bytes(.name).isEmpty { r.fail(.name, "empty customer name") }
        let currency = r.currency(.currency) ?? .cny
        let grade = r.grade(.grade)
        let limit = r.amount(.creditLimit, currency: currency, what: "credit limit")
        let terms = r.days(.termsDays)
        guard r.isValid, let id else { return }
        rows.id.append(id)
        rows.name.append(r.bytes(.name))
        rows.region.append(r.bytes(.region))
        rows.grade.append(grade)
        rows.creditLimit.append(limit)
        rows.currency.append(currency)
        rows.termsDays.append(terms)
        rows.collector.append(r.bytes(.collector))
        rows.email.append(r.bytes(.email))
        rows.phone.append(r.bytes(.phone))
        rows.language.append(r.bytes(.language))
    }
}

// MARK: invoices

private enum InvoiceColumn: Int, TableColumn {
    case id, customerID, issued, due, amount, currency, disputed
    static let specs = columns("id", "customer_id", "issued", "due", "amount", "currency?", "disputed?")

    static func parse(_ rows: inout Invoices, _ r: inout Record<InvoiceColumn>, customers: Customers) {
        let id = r.identifier(.id, what: "invoice")
        let customer = r.reference(.customerID, to: customers.id, in: "customers.csv", what: "customer")
        let issued = r.date(.issued)
        let due = r.date(.due)
        if let issued, let due, due < issued {
            r.fail(.due, "due date \(due) is before the issue date \(issued)")
        }
        let currency = customer.map { customers.currency[Int($0)] } ?? .cny
        if let customer {
            r.sameCurrency(.currency, as: currency, customer: customer, of: customers, what: "invoice")
        }
        let amount = r.amount(.amount, currency: currency, what: "amount", required: true)
        let disputed = r.flag(.disputed)
        guard r.isValid, let id, let customer, let issued, let due, let amount else { return }
        rows.id.append(id)
        rows.customer.append(customer)
        rows.issued.append(issued)
        rows.due.append(due)
        rows.amount.append(amount)
        rows.disputed.append(disputed)
    }
}

// MARK: payments

private enum PaymentColumn: Int, TableColumn {
    case id, customerID, invoiceID, date, amount, method, currency
    static let specs = columns("id", "customer_id", "invoice_id?", "date", "amount", "method?", "currency?")

    /// Reads a payment; its invoice id, if its bytes are the file's, is looked up later with
    /// the others (`resolve`), since a million lookups one by one each wait on memory.
    static func parse(_ rows: inout PaymentRows, _ r: inout Record<PaymentColumn>, customers: Customers, invoices: Invoices) {
        let id = r.identifier(.id, what: "payment")
        let customer = r.reference(.customerID, to: customers.id, in: "customers.csv", what: "customer")
        var invoice: Int32?
        var pending: Range<Int>?
        let key = r.bytes(.invoiceID)
        if let file = r.table.file.bytes.baseAddress, let start = key.baseAddress, start >= file,
            start + key.count <= file + r.table.file.bytes.count
        {
            pending = (start - file)..<(start - file + key.count)
            r.deferCheck()
        } else if !key.isEmpty {
            // Unescaped from a quoted field: looked up now.
            invoice = r.reference(.invoiceID, to: invoices.id, in: "invoices.csv", what: "invoice")
            if let invoice, let customer, invoices.customer[Int(invoice)] != customer {
                r.fail(.invoiceID, ownerMismatch(invoice, invoices, customers))
            }
        }
        let date = r.date(.date)
        let currency = customer.map { customers.currency[Int($0)] } ?? .cny
        if let customer {
            r.sameCurrency(.currency, as: currency, customer: customer, of: customers, what: "payment")
        }
        let amount = r.amount(.amount, currency: currency, what: "amount", required: true)
        let kept = r.isValid && id != nil && customer != nil && date != nil && amount != nil
        if let key = pending, !key.isEmpty {
            let start = r.table.recordStart
            rows.pending.append(
                PaymentRows.Pending(
                    key: key.lowerBound, length: Int32(key.count), row: kept ? Int32(rows.payments.count) : -1,
                    customer: customer ?? -1, line: Int32(clamping: start.line), record: start.offset))
        }
        guard kept, let id, let customer, let date, let amount else { return }
        rows.payments.id.append(id)
        rows.payments.customer.append(customer)
        rows.payments.invoice.append(invoice)
        rows.payments.date.append(date)
        rows.payments.amount.append(amount)
        rows.payments.method.append(r.bytes(.method))
    }

    private static func ownerMismatch(_ invoice: Int32, _ invoices: Invoices, _ customers: Customers) -> String {
        let owner = customers.id[Int(invoices.customer[Int(invoice)])]
        return "invoice '\(invoices.id[Int(invoice)])' belongs to customer \(owner), not to this payment's customer"
    }

    /// Looks up the invoice ids left for later, a share per core, in batches whose memory
    /// reads overlap; an id not found, or another customer's invoice, is an error at its field.
    static func resolve(
        _ pending: [PaymentRows.Pending], _ payments: inout Payments, _ w: Workspace, _ problems: inout Problems, parts: Int?
    ) {
        guard let file = problems.file else { return }
        let n = WorkspaceLoader.parts(pending.count, large: 1 << 16, forced: parts)
        let shares = concurrently(n) { k in
            var found: [(row: Int32, invoice: Int32)] = []
            var missing: [(PaymentRows.Pending, String?)] = []
            for batch in stride(from: pending.count * k / n, to: pending.count * (k + 1) / n, by: 32) {
                let items = pending[batch..<min(batch + 32, pending.count * (k + 1) / n)]
                let rows = w.invoices.id.rows(of: items.map { UnsafeBufferPointer(rebasing: file.bytes[$0.key..<($0.key + Int($0.length))]) })
                // Each invoice's customer, read at once too.
                var touched: Int32 = 0
                for row in rows { if let row { touched &+= w.invoices.customer[Int(row)] } }
                keep(touched)
                for (p, row) in zip(items, rows) {
                    guard let row else {
                        missing.append((p, nil))
                        continue
                    }
                    if p.customer >= 0 && w.invoices.customer[Int(row)] != p.customer {
                        missing.append((p, ownerMismatch(row, w.invoices, w.customers)))
                    } else if p.row >= 0 {
                        found.append((p.row, row))
                    }
                }
            }
            return (found, missing)
        }
        for (found, missing) in shares {
            for (row, invoice) in found { payments.invoice[Int(row)] = invoice }
            for (p, mismatch) in missing {
                if let mismatch {
                    problems.add(place: p.place, column: PaymentColumn.invoiceID.rawValue, rank: 2, mismatch)
                    continue
                }
                let text = String(decoding: file.bytes[p.key..<(p.key + Int(p.length))], as: UTF8.self)
                let near = w.invoices.count <= 10_000 && !problems.isFull ? nearestName(to: text, in: w.invoices.id.all) : nil
                problems.add(
                    place: p.place, column: PaymentColumn.invoiceID.rawValue, rank: 2, "no invoice '\(text)' in invoices.csv",
                    hint: near.map { "did you mean '\($0)'?" })
            }
        }
    }

    /// Payments applied to an invoice may not add up to more than it: checked in file order,
    /// so that the payment that goes over is the one named.
    static func checkTotals(_ w: Workspace, skipping: Set<Int32>, _ problems: inout Problems) {
        var applied = [Int64](repeating: 0, count: w.invoices.count)
        for p in 0..<w.payments.count {
            guard let invoice = w.payments.invoice[p], !skipping.contains(Int32(p)) else { continue }
            let i = Int(invoice)
            let amount = w.payments.amount[p]
            let total = applied[i].addingReportingOverflow(amount)
            let owed = w.invoices.amount[i]
            guard total.overflow || total.partialValue > owed else {
                applied[i] = total.partialValue
                continue
            }
            let currency = w.customers.currency[Int(w.invoices.customer[i])]
            let show = { (m: Int64) in Money(minor: m, currency: currency).formatted(grouped: true) }
            let already = applied[i] > 0 ? " (already paid: \(show(applied[i])))" : ""
            problems.add(
                row: Int32(p), column: PaymentColumn.amount.rawValue, rank: 3,
                "payment of \(show(amount)) is more than what is left on invoice \(w.invoices.id[i]): \(show(owed - applied[i]))\(already)",
                hint: "an overpayment belongs in a separate row without invoice_id (unapplied cash)")
        }
    }
}
