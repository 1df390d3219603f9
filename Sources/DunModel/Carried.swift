// Carried: the fields of a table that the model reads, keeps and caches but has no use of its
// own for (an invoice's order number, a payment's method). Each is declared in the catalogue
// alone, after the fields its table's column enum names: its kind says how it is read from a
// file, kept, cached and read by the language, so adding one is one declaration.

import DunCore

/// A table whose catalogue fields after its own are carried.
public protocol CarriesFields: Sendable {
    static var carriedLayout: CarriedLayout { get }
}

/// Where each carried field of a table is: its place among the file's columns, and its column
/// among the table's carried columns of its kind.
public struct CarriedLayout: Sendable {
    public struct Slot: Sendable {
        public let field: StoredField
        /// Among the catalogue's fields of the table, as the file's columns are.
        let position: Int
        /// Among the carried columns of the field's kind.
        public let index: Int
        /// What the field is kept as.
        public var storage: FieldKind { CarriedLayout.storage(field.kind) }
    }

    public let slots: [Slot]
    /// What reading a record needs of each slot, in order: plain values, copied for nothing.
    let reads: [Read]
    /// The slots whose values may be bad: all but optional texts.
    let checked: [Int]

    struct Read {
        let position: Int
        let storage: FieldKind
        let required: Bool
        let index: Int
    }
    /// How many carried columns of each kind.
    let counts: [FieldKind: Int]

    /// The fields of `declaration` after the first `own`.
    init(_ declaration: EntityDeclaration, own: Int) {
        var counts: [FieldKind: Int] = [:]
        slots = declaration.fields.indices.dropFirst(own).map { i in
            let kind = CarriedLayout.storage(declaration.fields[i].kind)
            defer { counts[kind, default: 0] += 1 }
            return Slot(field: declaration.fields[i], position: i, index: counts[kind, default: 0])
        }
        self.counts = counts
        let reads = slots.map { Read(position: $0.position, storage: $0.storage, required: $0.field.required, index: $0.index) }
        self.reads = reads
        checked = reads.indices.filter { reads[$0].required || reads[$0].storage != .text }
    }

    /// The kinds a carried field may have, each as it is stored; a kind that names something
    /// (an id, a reference, a currency) needs code of its own, and is kept as text.
    static func storage(_ kind: FieldKind) -> FieldKind {
        switch kind {
        case .date, .amount, .days, .flag, .grade: kind
        case .text, .identifier, .reference, .currency, .number: .text
        }
    }

    /// The carried fields whose kind needs code of their own: none, as a test checks.
    public var misdeclared: [String] {
        slots.filter { $0.storage != $0.field.kind }.map(\.field.name)
    }
}

/// The carried columns of a table, one array per field, by kind.
public struct Carried<Of: CarriesFields>: Sendable {
    /// Rows, whether or not there are carried fields.
    var count = 0
    public internal(set) var texts: [TextColumn]
    public internal(set) var dates: [[Day?]]
    public internal(set) var amounts: [[Int64?]]
    public internal(set) var days: [[Int32?]]
    public internal(set) var flags: [[Bool]]
    public internal(set) var grades: [[Grade?]]

    init() {
        let counts = Of.carriedLayout.counts
        texts = Array(repeating: TextColumn(), count: counts[.text] ?? 0)
        dates = Array(repeating: [], count: counts[.date] ?? 0)
        amounts = Array(repeating: [], count: counts[.amount] ?? 0)
        days = Array(repeating: [], count: counts[.days] ?? 0)
        flags = Array(repeating: [], count: counts[.flag] ?? 0)
        grades = Array(repeating: [], count: counts[.grade] ?? 0)
    }

    // One call per value: the columns of kinds a row has no value of are not touched (an
    // empty array is never uniquely referenced: writing to it makes a new one).

    @inline(never)
    mutating func append(text: UnsafeBufferPointer<UInt8>, _ i: Int) {
        texts[i].append(text)
    }

    @inline(never)
    mutating func append<T>(_ value: T, to kind: WritableKeyPath<Carried, [[T]]>, _ i: Int) {
        self[keyPath: kind][i].append(value)
    }

    /// Every column's length.
    private var lengths: [Int] {
        texts.map(\.count) + dates.map(\.count) + amounts.map(\.count) + days.map(\.count) + flags.map(\.count)
            + grades.map(\.count)
    }
}

extension Carried: StoredColumn {
    var rowCount: Int { count }

    mutating func reserveRows(_ rows: Int) {
        for i in texts.indices { texts[i].reserveRows(rows) }
        for i in dates.indices { dates[i].reserveRows(rows) }
        for i in amounts.indices { amounts[i].reserveRows(rows) }
        for i in days.indices { days[i].reserveRows(rows) }
        for i in flags.indices { flags[i].reserveRows(rows) }
        for i in grades.indices { grades[i].reserveRows(rows) }
    }

    mutating func join(_ other: Carried) {
        for i in texts.indices { texts[i].join(other.texts[i]) }
        for i in dates.indices { dates[i].join(other.dates[i]) }
        for i in amounts.indices { amounts[i].join(other.amounts[i]) }
        for i in days.indices { days[i].join(other.days[i]) }
        for i in flags.indices { flags[i].join(other.flags[i]) }
        for i in grades.indices { grades[i].join(other.grades[i]) }
        count += other.count
    }

    /// The fields' names first: a cache of another catalogue is refused, and the files read.
    func store(_ w: CacheWriter) throws(CacheWriter.Failed) {
        try w.texts(Of.carriedLayout.slots.map(\.field.name))
        try w.number(UInt64(count))
        for c in texts { try c.store(w) }
        for c in dates { try c.store(w) }
        for c in amounts { try c.store(w) }
        for c in days { try c.store(w) }
        for c in flags { try c.store(w) }
        for c in grades { try c.store(w) }
    }

    init(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) {
        self.init()
        guard try r.texts() == Of.carriedLayout.slots.map(\.field.name) else { throw CacheReader.Invalid() }
        guard let rows = Int(exactly: try r.number(UInt64.self)) else { throw CacheReader.Invalid() }
        count = rows
        for i in texts.indices { texts[i] = try TextColumn(r, limits: limits) }
        for i in dates.indices { dates[i] = try [Day?](r, limits: limits) }
        for i in amounts.indices { amounts[i] = try [Int64?](r, limits: limits) }
        for i in days.indices { days[i] = try [Int32?](r, limits: limits) }
        for i in flags.indices { flags[i] = try [Bool](r, limits: limits) }
        for i in grades.indices { grades[i] = try [Grade?](r, limits: limits) }
        guard lengths.allSatisfy({ $0 == count }) else { throw CacheReader.Invalid() }
    }
}

extension Record {
    /// Checks the record's carried fields (of `layout`): a bad value is a problem of the
    /// record; an amount is in `currency`, and may be negative (a credit note's).
    mutating func check(_ layout: CarriedLayout, currency: Currency) {
        for k in layout.checked {
            let (read, c) = (layout.reads[k], layout.reads[k].position)
            guard !bytes(at: c).isEmpty else {
                if read.required { fail(at: c, "empty \(layout.slots[k].field.name)") }
                continue
            }
            switch read.storage {
            case .date: _ = date(at: c)
            case .amount: _ = amount(at: c, currency: currency, what: layout.slots[k].field.name, signed: true)
            case .days: _ = days(at: c)
            case .flag: _ = flag(at: c)
            case .grade: _ = grade(at: c)
            default: break
            }
        }
    }

    /// Appends the carried fields of a record that `check` found good to `rows`.
    mutating func carry<Of>(into rows: inout Carried<Of>, currency: Currency) {
        for read in Of.carriedLayout.reads {
            let (c, i) = (read.position, read.index)
            let empty = bytes(at: c).isEmpty
            switch read.storage {
            case .date: rows.append(empty ? nil : date(at: c), to: \.dates, i)
            case .amount: rows.append(amount(at: c, currency: currency, what: "", signed: true), to: \.amounts, i)
            case .days: rows.append(days(at: c), to: \.days, i)
            case .flag: rows.append(flag(at: c), to: \.flags, i)
            case .grade: rows.append(grade(at: c), to: \.grades, i)
            default: rows.append(text: bytes(at: c), i)
            }
        }
        rows.count += 1
    }
}
