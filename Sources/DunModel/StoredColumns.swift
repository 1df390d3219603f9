// StoredColumns: what every column of a table does — reserve room, take the rows of another
// part, go to the cache and come back checked — so that each table lists its columns once
// (`StoredRows.columns`) and is reserved, joined and cached by that list alone.

import DunCore

/// The rows a cached column's values may point at.
struct RowLimits {
    var customers = 0
    var invoices = 0
}

/// A column of a table's rows.
protocol StoredColumn: Sendable {
    var rowCount: Int { get }
    mutating func reserveRows(_ rows: Int)
    mutating func join(_ other: Self)
    func store(_ w: CacheWriter) throws(CacheWriter.Failed)
    /// Reads back what `store` wrote, every value that indexes something checked: a damaged
    /// cache is refused, never a crash.
    init(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid)
}

/// A table's rows as columns, listed once.
protocol StoredRows: Sendable {
    init()
    static var columns: [Stored<Self>] { get }
    mutating func reserve(_ rows: Int)
    /// The rows of `other` after these (the parts of a file read at once).
    mutating func append(contentsOf other: Self)
}

/// One column of `Rows`, found by its key path.
struct Stored<Rows>: Sendable {
    let reserve: @Sendable (inout Rows, Int) -> Void
    let join: @Sendable (inout Rows, Rows) -> Void
    let count: @Sendable (Rows) -> Int
    let store: @Sendable (Rows, CacheWriter) throws(CacheWriter.Failed) -> Void
    let load: @Sendable (inout Rows, CacheReader, RowLimits) throws(CacheReader.Invalid) -> Void

    init<C: StoredColumn>(_ path: WritableKeyPath<Rows, C> & Sendable) {
        reserve = { rows, n in rows[keyPath: path].reserveRows(n) }
        join = { rows, other in rows[keyPath: path].join(other[keyPath: path]) }
        count = { $0[keyPath: path].rowCount }
        store = { (rows, w) throws(CacheWriter.Failed) in try rows[keyPath: path].store(w) }
        load = { (rows, r, limits) throws(CacheReader.Invalid) in rows[keyPath: path] = try C(r, limits: limits) }
    }
}

extension StoredRows {
    mutating func reserve(_ rows: Int) {
        for c in Self.columns { c.reserve(&self, rows) }
    }

    mutating func append(contentsOf other: Self) {
        for c in Self.columns { c.join(&self, other) }
    }

    func store(_ w: CacheWriter) throws(CacheWriter.Failed) {
        for c in Self.columns { try c.store(self, w) }
    }

    /// Every column as `store` wrote it, each as long as the first.
    init(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) {
        self.init()
        for c in Self.columns { try c.load(&self, r, limits) }
        let counts = Self.columns.map { $0.count(self) }
        guard counts.allSatisfy({ $0 == counts.first }) else { throw CacheReader.Invalid() }
    }
}

// MARK: the columns

private func check(_ condition: Bool) throws(CacheReader.Invalid) {
    if !condition { throw CacheReader.Invalid() }
}

extension TextColumn: StoredColumn {
    var rowCount: Int { count }
    mutating func reserveRows(_ rows: Int) { reserve(rows) }
    mutating func join(_ other: TextColumn) { append(contentsOf: other) }
    init(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) { try self.init(r) }
}

extension KeyColumn: StoredColumn {
    var rowCount: Int { count }
    mutating func reserveRows(_ rows: Int) { reserve(rows) }
    mutating func join(_ other: KeyColumn) { append(contentsOf: other) }
    init(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) { try self.init(r) }
}

extension CategoryColumn: StoredColumn {
    var rowCount: Int { count }
    mutating func reserveRows(_ rows: Int) { reserve(rows) }
    mutating func join(_ other: CategoryColumn) { append(contentsOf: other) }
    init(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) { try self.init(r) }
}

/// An invoice's row, or none.
extension OptionalRows: StoredColumn {
    var rowCount: Int { count }
    mutating func reserveRows(_ rows: Int) { reserve(rows) }
    mutating func join(_ other: OptionalRows) { append(contentsOf: other) }
    func store(_ w: CacheWriter) throws(CacheWriter.Failed) { try w.array(rows) }

    init(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) {
        self.init()
        rows = try r.array()
        try check(rows.allSatisfy { $0 >= -1 && Int($0) < limits.invoices })
    }
}

/// A value an array column holds, as the cache writes and checks it.
protocol StoredValue: Sendable {
    static func store(_ values: [Self], _ w: CacheWriter) throws(CacheWriter.Failed)
    static func load(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) -> [Self]
}

extension Array: StoredColumn where Element: StoredValue {
    var rowCount: Int { count }
    mutating func reserveRows(_ rows: Int) { reserveHuge(rows) }
    mutating func join(_ other: [Element]) { self += other }
    func store(_ w: CacheWriter) throws(CacheWriter.Failed) { try Element.store(self, w) }
    init(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) { self = try Element.load(r, limits: limits) }
}

/// An amount in minor units: of any sign (a credit note's is negative).
extension Int64: StoredValue {
    static func store(_ values: [Int64], _ w: CacheWriter) throws(CacheWriter.Failed) { try w.array(values) }
    static func load(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) -> [Int64] { try r.array() }
}

/// A customer's row: the one column of plain rows there is (an invoice's or a payment's customer).
extension Int32: StoredValue {
    static func store(_ values: [Int32], _ w: CacheWriter) throws(CacheWriter.Failed) { try w.array(values) }
    static func load(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) -> [Int32] {
        let values: [Int32] = try r.array()
        try check(values.allSatisfy { $0 >= 0 && Int($0) < limits.customers })
        return values
    }
}

/// As their ordinals, each a date of years 1 to 9999.
extension Day: StoredValue {
    fileprivate static let range =
        (Day(year: 1, month: 1, day: 1)?.ordinal ?? 0)...(Day(year: 9999, month: 12, day: 31)?.ordinal ?? 0)

    static func store(_ values: [Day], _ w: CacheWriter) throws(CacheWriter.Failed) { try w.array(values.map(\.ordinal)) }
    static func load(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) -> [Day] {
        let ordinals: [Int32] = try r.array()
        try check(ordinals.allSatisfy { range.contains($0) })
        return ordinals.map(Day.init(ordinal:))
    }
}

extension Bool: StoredValue {
    static func store(_ values: [Bool], _ w: CacheWriter) throws(CacheWriter.Failed) {
        try w.array(values.map { $0 ? UInt8(1) : 0 })
    }
    static func load(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) -> [Bool] {
        let bytes: [UInt8] = try r.array()
        try check(bytes.allSatisfy { $0 <= 1 })
        return bytes.map { $0 == 1 }
    }
}

/// As the codes used, and each value's index among them.
extension Currency: StoredValue {
    static func store(_ values: [Currency], _ w: CacheWriter) throws(CacheWriter.Failed) {
        let codes = Array(Set(values.map(\.code))).sorted()
        try w.texts(codes)
        try w.array(values.map { UInt8(codes.firstIndex(of: $0.code) ?? 0) })
    }
    static func load(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) -> [Currency] {
        let currencies = try r.texts().map { code -> Currency? in code.flatMap { Currency(code: $0) } }
        let known = currencies.compactMap { $0 }
        try check(known.count == currencies.count)
        let indexes: [UInt8] = try r.array()
        try check(indexes.allSatisfy { Int($0) < known.count })
        return indexes.map { known[Int($0)] }
    }
}

/// A grade or none: 0 for none, else its raw value.
extension Optional: StoredValue where Wrapped: OptionalStoredValue {
    static func store(_ values: [Wrapped?], _ w: CacheWriter) throws(CacheWriter.Failed) {
        try Wrapped.storeOptionals(values, w)
    }
    static func load(_ r: CacheReader, limits: RowLimits) throws(CacheReader.Invalid) -> [Wrapped?] {
        try Wrapped.loadOptionals(r)
    }
}

/// A value that may be missing in its column.
protocol OptionalStoredValue: Sendable {
    static func storeOptionals(_ values: [Self?], _ w: CacheWriter) throws(CacheWriter.Failed)
    static func loadOptionals(_ r: CacheReader) throws(CacheReader.Invalid) -> [Self?]
}

/// Numbers as two arrays: whether each is there, and its value (0 when not).
extension OptionalStoredValue where Self: FixedWidthInteger & BitwiseCopyable {
    static func storeOptionals(_ values: [Self?], _ w: CacheWriter) throws(CacheWriter.Failed) {
        try w.array(values.map { $0 == nil ? UInt8(0) : 1 })
        try w.array(values.map { $0 ?? 0 })
    }
    static func loadOptionals(_ r: CacheReader) throws(CacheReader.Invalid) -> [Self?] {
        let present: [UInt8] = try r.array()
        let values: [Self] = try r.array()
        try check(present.count == values.count && present.allSatisfy { $0 <= 1 })
        return zip(present, values).map { $0 == 1 ? $1 : nil }
    }
}

extension Int64: OptionalStoredValue {}
extension Int32: OptionalStoredValue {}

/// A day or none, as two arrays: whether each is there, and its ordinal (checked as `Day`'s).
extension Day: OptionalStoredValue {
    static func storeOptionals(_ values: [Day?], _ w: CacheWriter) throws(CacheWriter.Failed) {
        try Int32.storeOptionals(values.map { $0?.ordinal }, w)
    }
    static func loadOptionals(_ r: CacheReader) throws(CacheReader.Invalid) -> [Day?] {
        let ordinals = try Int32.loadOptionals(r)
        try check(ordinals.allSatisfy { $0.map(range.contains) ?? true })
        return ordinals.map { $0.map(Day.init(ordinal:)) }
    }
}

extension Grade: OptionalStoredValue {
    static func storeOptionals(_ values: [Grade?], _ w: CacheWriter) throws(CacheWriter.Failed) {
        try w.array(values.map { $0?.rawValue ?? 0 })
    }
    static func loadOptionals(_ r: CacheReader) throws(CacheReader.Invalid) -> [Grade?] {
        var grades: [Grade?] = []
        for g in try r.array(UInt8.self) {
            guard g == 0 || Grade(rawValue: g) != nil else { throw CacheReader.Invalid() }
            grades.append(Grade(rawValue: g))
        }
        return grades
    }
}
