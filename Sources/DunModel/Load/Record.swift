// Record: one CSV record read field by field into typed values, keeping every problem found.

import DunCore

/// The current record of a table, read by column straight from the file's bytes. Each
/// parser returns `nil` for an empty optional field or a bad value; a bad value also leaves
/// a diagnostic in `problems`. Texts are made only to explain a problem.
struct Record<Column: RawRepresentable>: ~Copyable where Column.RawValue == Int {
    private(set) var table: CSVTable
    /// The problems of the current record, in the order of its fields.
    private(set) var problems: [Diagnostic] = []
    /// Whether a problem will be shown, so that "did you mean" is worth looking for.
    var wantsHints = true
    /// References not checked, to files with errors of their own (`reference`).
    private(set) var unchecked = 0

    /// The ids read ahead in the next record by `prefetchNext` (the last two), and their hashes.
    private var peeked = (Peeked(), Peeked())

    private struct Peeked {
        var start: UnsafePointer<UInt8>?
        var count = 0
        var hash = 0

        func hash(of id: UnsafeBufferPointer<UInt8>) -> Int? {
            start == id.baseAddress && count == id.count ? hash : nil
        }
    }

    /// Dates read lately, by their bytes: a file holds few distinct dates, each on many rows.
    private var recentDays = RecentDays()
    /// Where an amount written as exports write it is made plain (`-1234.50`).
    private let plainAmount = PlainAmount()

    init(_ table: consuming CSVTable) {
        self.table = table
    }

    /// Moves to the next record; `false` at the end.
    mutating func next() throws(Diagnostic) -> Bool {
        problems.removeAll(keepingCapacity: true)
        return try table.next()
    }

    /// No field of the record has failed so far.
    var isValid: Bool { problems.isEmpty }

    /// The field's bytes (empty when empty or absent), valid until the next record.
    @inline(__always)
    mutating func bytes(_ c: Column) -> UnsafeBufferPointer<UInt8> {
        table.bytes(c.rawValue)
    }

    @inline(__always)
    mutating func bytes(at i: Int) -> UnsafeBufferPointer<UInt8> {
        table.bytes(i)
    }

    /// The field's text; `nil` when empty or when the file lacks the column.
    mutating func text(at i: Int) -> String? {
        table.text(i)
    }

    mutating func fail(_ c: Column, _ message: String, hint: String? = nil) {
        fail(at: c.rawValue, message, hint: hint)
    }

    mutating func fail(at i: Int, _ message: String, hint: String? = nil) {
        problems.append(table.error(i, message, hint: hint))
    }

    /// A problem of a field checked after later fields were read (so that a wait on memory
    /// overlaps their reading): it goes where the record's problems were `at` then.
    mutating func fail(_ c: Column, _ message: String, at: Int) {
        problems.insert(table.error(c.rawValue, message), at: min(at, problems.count))
    }

    /// A non-empty id (whether it is new is checked once the whole file is read).
    mutating func identifier(_ c: Column, what: String) -> UnsafeBufferPointer<UInt8>? {
        let id = bytes(c)
        if id.isEmpty {
            fail(c, "empty \(what) id")
            return nil
        }
        return id
    }

    /// Starts reading where the next record's id in this column is kept in `keys`, so that
    /// its lookup, a record later, finds it in the cache instead of waiting on memory.
    @inline(__always)
    mutating func prefetchNext(_ c: Column, in keys: KeyColumn) {
        guard !keys.isNumbered, let id = table.peekNext(c.rawValue), !id.isEmpty else { return }
        let hash = TextIndex.hash(id)
        keys.prefetch(hash: hash)
        // Kept for that lookup, which finds the same bytes.
        peeked = (peeked.1, Peeked(start: id.baseAddress, count: id.count, hash: hash))
    }

    /// The row of the id in this field among `keys` (the ids of `file`). When `file` had
    /// errors of its own (`complete` false), an id not among its rows kept is no error here:
    /// it may be one of the rows with an error.
    mutating func reference(_ c: Column, to keys: KeyColumn, in file: String, what: String, complete: Bool = true) -> Int32? {
        let ref = bytes(c)
        guard !ref.isEmpty else {
            fail(c, "empty \(what)_id")
            return nil
        }
        let hash = keys.isNumbered ? nil : peeked.1.hash(of: ref) ?? peeked.0.hash(of: ref)
        guard let row = keys.row(of: ref, hash: hash) else {
            guard complete else {
                unchecked += 1
                return nil
            }
            // Looking for the nearest of very many ids would take longer than the load.
            let near =
                wantsHints && keys.count <= 10_000 ? nearestName(to: String(decoding: ref, as: UTF8.self), in: keys.all) : nil
            fail(c, "no \(what) \(excerpt(utf8: ref)) in \(file)", hint: near.map { "did you mean '\($0)'?" })
            return nil
        }
        return row
    }

    // The fields of the table's own columns, by name.

    @inline(__always) mutating func date(_ c: Column) -> Day? { date(at: c.rawValue) }
    @inline(__always) mutating func flag(_ c: Column) -> Bool { flag(at: c.rawValue) }
    @inline(__always) mutating func grade(_ c: Column) -> Grade? { grade(at: c.rawValue) }
    @inline(__always) mutating func currency(_ c: Column) -> Currency? { currency(at: c.rawValue) }
    @inline(__always) mutating func days(_ c: Column) -> Int32? { days(at: c.rawValue) }
    @inline(__always)
    mutating func amount(_ c: Column, currency: Currency, what: String, required: Bool = false, signed: Bool = false) -> Int64? {
        amount(at: c.rawValue, currency: currency, what: what, required: required, signed: signed)
    }

    // The fields of any column of the table, by place.

    mutating func date(at c: Int) -> Day? {
        let b = bytes(at: c)
        let format = table.file.dates
        if let day = recentDays.day(b, format) { return day }
        guard let text = text(at: c) else {
            fail(at: c, "empty date")
            return nil
        }
        // Shaped like the format (so "no such date"), or written some other way.
        let shape = format.isShaped(b)
        let how: String
        switch format {
        case .yearFirst:
            how =
                "dates are year first (2026-11-28, 2026/11/28); another order goes in dun.toml: [\(table.file.tableName)] dates = \"%d-%m-%Y\""
        case .excel: how = "dates are read as Excel's serial day numbers, as dun.toml says"
        case .pattern: how = "dates are read as dun.toml says: \"\(format)\""
        }
        fail(
            at: c, shape ? "no such date '\(text)'" : "expected a date like \(format.example), found \(excerpt(text))",
            hint: shape && format == .yearFirst ? nil : how)
        return nil
    }

    /// An amount in minor units of `currency`; never negative unless `signed` (an invoice's,
    /// negative for a credit note).
    mutating func amount(at c: Int, currency: Currency, what: String, required: Bool = false, signed: Bool = false) -> Int64? {
        let b = bytes(at: c)
        guard !b.isEmpty else {
            if required { fail(at: c, "empty \(what)") }
            return nil
        }
        // As exports write amounts: 1,234.50, ¥1,234.50, (1,234.50), 1.234,50 when dun.toml
        // says so; made plain, then read as plain ones are.
        let format = table.file.amounts
        let result: Result<Money, Money.ParseError>
        if format.decimalComma || AmountFormat.isWritten(b), let n = format.plain(b, into: plainAmount.bytes) {
            result = Money.parse(utf8: UnsafeBufferPointer(rebasing: plainAmount.bytes[0..<n]), currency: currency)
        } else {
            result = Money.parse(utf8: b, currency: currency)
        }
        if case .success(let money) = result, money.minor >= 0 || signed { return money.minor }
        let text = excerpt(utf8: b)
        switch result {
        case .success:
            fail(
                at: c, "negative \(what) \(text)",
                hint: "a credit note is an invoice with a negative amount; a refund is not a payment")
        case .failure(.tooManyDecimals(let allowed)):
            fail(at: c, "\(what) \(text) has more decimals than \(currency.code) allows (\(allowed))")
        case .failure(.tooLarge):
            fail(at: c, "\(what) \(text) is too large")
        case .failure(.notAnAmount):
            let hint =
                format.decimalComma
                ? "amounts look like 1.234,56, as dun.toml says (decimal = \",\")"
                : b.contains(UInt8(ascii: ","))
                    ? "amounts look like 1234.56 or 1,234.56; if the comma is the decimal mark, say so in dun.toml: [\(table.file.tableName)] decimal = \",\""
                    : "amounts look like 1234.56"
            fail(at: c, "expected an amount, found \(text)", hint: hint)
        }
        return nil
    }

    /// `true`/`false`, `yes`/`no`, `y`/`n`, `1`/`0`, `是`/`否`, any case; empty is false.
    mutating func flag(at c: Int) -> Bool {
        let b = bytes(at: c)
        if b.isEmpty || b.equals("false") { return false }
        if b.equals("true") { return true }
        if let value = Flag.value(b) { return value }
        fail(at: c, "expected true or false, found \(excerpt(utf8: b))", hint: "also accepted: yes/no, y/n, 1/0, 是/否")
        return false
    }

    mutating func grade(at c: Int) -> Grade? {
        let b = bytes(at: c)
        if b.isEmpty { return nil }
        if b.count == 1, let grade = Grade(letter: b[0]) { return grade }
        fail(at: c, "unknown grade \(excerpt(utf8: b))", hint: "grades are A (best) to E (worst)")
        return nil
    }

    mutating func currency(at c: Int) -> Currency? {
        let b = bytes(at: c)
        if b.isEmpty { return nil }
        // Most files name one currency on every row.
        if Currency.cny.isCode(b) { return .cny }
        let code = String(decoding: b, as: UTF8.self)
        if let currency = Currency(code: code) ?? Currency(code: code.uppercased()) { return currency }
        let hint: String
        if code.uppercased() == "RMB" {
            // RMB is one edit from RUB, but it means the renminbi.
            hint = "the ISO 4217 code of the renminbi is CNY"
        } else if let near = nearestName(to: code.uppercased(), in: Currency.knownCodes) {
            hint = "did you mean '\(near)'?"
        } else {
            hint = "currencies are ISO 4217 codes such as CNY, USD, EUR"
        }
        fail(at: c, "unknown currency \(excerpt(code))", hint: hint)
        return nil
    }

    /// A whole number of days, 0 or more.
    mutating func days(at c: Int) -> Int32? {
        let b = bytes(at: c)
        if b.isEmpty { return nil }
        var n: Int32 = 0
        for digit in b.first == UInt8(ascii: "+") ? b.dropFirst() : b[...] {
            guard digit >= 48 && digit <= 57, n < 100_000_000 else {
                fail(at: c, "expected a whole number of days, found \(excerpt(utf8: b))")
                return nil
            }
            n = n * 10 + Int32(digit - 48)
        }
        return n
    }
}

/// ISO dates already read, by their ten bytes: a lookup in a small table where reading a
/// date costs a calendar calculation. Only valid dates are kept.
private struct RecentDays: ~Copyable {
    private struct Entry {
        /// The first eight bytes (`YYYY-MM-`), and the last two; zero when the entry is empty.
        var head: UInt64 = 0
        var tail: UInt16 = 0
        var day = Day(ordinal: 0)
    }

    private static let size = 256
    private let entries = UnsafeMutablePointer<Entry>.allocate(capacity: size)

    init() {
        entries.initialize(repeating: Entry(), count: RecentDays.size)
    }

    deinit {
        entries.deallocate()
    }

    /// The day the bytes name in `format`, or `nil` when they name none.
    func day(_ b: UnsafeBufferPointer<UInt8>, _ format: DateFormat) -> Day? {
        guard b.count == 10 else { return format.day(b) }
        let raw = UnsafeRawBufferPointer(b)
        let head = raw.loadUnaligned(as: UInt64.self)
        let tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        let slot = Int(((head ^ UInt64(tail)) &* 0x9E37_79B9_7F4A_7C15) >> 56)
        if entries[slot].head == head && entries[slot].tail == tail { return entries[slot].day }
        guard let day = format.day(b) else { return nil }
        entries[slot] = Entry(head: head, tail: tail, day: day)
        return day
    }
}

/// `true`/`false`, `yes`/`no`, `y`/`n`, `t`/`f`, `1`/`0`, `是`/`否`, in any case; empty is false,
/// and `X` true (SAP marks with X and leaves blank).
enum Flag {
    static func value(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        if b.isEmpty { return false }
        // 是 and 否, as Chinese exports write every row, without making a text of them.
        if b.count == 3 && b[0] == 0xE6 && b[1] == 0x98 && b[2] == 0xAF { return true }
        if b.count == 3 && b[0] == 0xE5 && b[1] == 0x90 && b[2] == 0xA6 { return false }
        let text = b.count > 8 ? "" : String(decoding: b, as: UTF8.self)
        switch text.lowercased() {
        case "true", "yes", "y", "1", "是", "t", "x": return true
        case "false", "no", "n", "0", "否", "f": return false
        default: return nil
        }
    }
}

/// Room for one amount made plain: more than the longest amount an Int64 of minor units holds.
private struct PlainAmount: ~Copyable {
    let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64)

    deinit {
        bytes.deallocate()
    }
}
