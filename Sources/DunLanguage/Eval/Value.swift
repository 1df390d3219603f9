// Value: what expressions evaluate to at run time.

import DunCore

/// A run-time value. Money stays exact; `null` is a missing value.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Decimal64)
    case money(Money)
    case date(Day)
    case duration(Duration)
    case string(String)
    case grade(Grade)
    case bucket(AgingBucket)
    /// One row of an entity.
    case row(EntityID, Int32)
    case table(Frame)
    case list([Value])

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// The bytes of a value, compared as such: values with the same bytes are equal (a String
/// with the same bytes is the same String; a table or list, the same one), though equal
/// values may have different bytes (a String made twice; the bytes a case leaves unused).
struct ValueBits: Equatable {
    var a: UInt64 = 0
    var b: UInt64 = 0
    var c: UInt64 = 0
    /// Whether the bytes are all of the value's: false if a value were ever larger than these.
    var isWhole = true

    init() {}

    init(_ v: Value) {
        var words = (UInt64(0), UInt64(0), UInt64(0))
        withUnsafeBytes(of: v) { raw in
            isWhole = raw.count <= MemoryLayout.size(ofValue: words)
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw.prefix($0.count))) }
        }
        (a, b, c) = words
    }

    /// A slot for these bytes in a table of `count` slots, a power of 2.
    func slot(of count: Int) -> Int {
        let h = (a &* 0x9E37_79B9_7F4A_7C15) ^ (b &* 0xC2B2_AE3D_27D4_EB4F) ^ (c &* 0x1656_67B1_9E37_79F9)
        return Int(truncatingIfNeeded: h >> 32) & (count - 1)
    }
}

/// A table: rows of an entity (with derived columns), or plain records.
/// Columns are stored column-major: `values[column][position]`.
public final class Frame: Sendable, Hashable {
    /// Set when each position is a row of this entity.
    public let entity: EntityID?
    /// Entity row numbers, one per position (empty for records).
    public let rows: [Int32]
    public let columns: [Column]
    public let values: [[Value]]
    public let count: Int

    public init(entity: EntityID?, rows: [Int32], columns: [Column], values: [[Value]], count: Int) {
        self.entity = entity
        self.rows = rows
        self.columns = columns
        self.values = values
        self.count = count
    }

    /// All rows of an entity, no derived columns.
    public convenience init(entity: EntityID, rows: [Int32]) {
        self.init(entity: entity, rows: rows, columns: [], values: [], count: rows.count)
    }

    /// The same table with only the positions given, in that order.
    func picking(_ positions: [Int]) -> Frame {
        Frame(
            entity: entity,
            rows: entity == nil ? [] : positions.map { rows[$0] },
            columns: columns,
            values: values.map { column in positions.map { column[$0] } },
            count: positions.count)
    }

    public static func == (a: Frame, b: Frame) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// An error while evaluating: what went wrong, where in the source, and on which row.
public struct RuntimeError: Error, Sendable {
    public var message: String
    public var range: Range<Int>
    public var hint: String?
    /// The row being evaluated (`invoice INV-0042`), added as the error leaves it.
    public var row: String?
    /// The run was stopped by `Interruption.request`: the message is all there is to say.
    public var interrupted = false

    public init(_ message: String, _ range: Range<Int>, hint: String? = nil) {
        self.message = message
        self.range = range
        self.hint = hint
    }

    /// This error, raised inside the function `name` inlined at `range`: said there.
    func within(_ name: String, at range: Range<Int>) -> RuntimeError {
        if interrupted { return self }
        var e = RuntimeError("in \(name): \(message)", range, hint: hint)
        e.row = row
        return e
    }
}

extension Value: CustomStringConvertible {
    /// Plain text: money with its minor digits and code, dates ISO.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n.description
        case .money(let m): return "\(m) \(m.currency)"
        case .date(let d): return d.description
        case .duration(let d): return d.description
        case .string(let s): return "\"\(s)\""
        case .grade(let g): return g.description
        case .bucket(let b): return "\"\(b)\""
        case .row(let e, let r): return "row \(r) of entity \(e.index)"
        case .table(let f): return "table of \(f.count) rows"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }
}
