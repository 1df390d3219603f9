// DunType: the static types the checker gives every expression.

/// An entity of the model (`customers`, `invoices`, …), by its position in the schema.
public struct EntityID: Hashable, Sendable {
    public let index: Int

    public init(_ index: Int) {
        self.index = index
    }
}

/// A named column of a table.
public struct Column: Equatable, Sendable {
    public var name: String
    public var type: DunType
    /// A fraction a person reads as a percentage (`utilization`): tables show 0.4512 as 45.12%.
    public var percent = false

    public init(name: String, type: DunType, percent: Bool = false) {
        self.name = name
        self.type = type
        self.percent = percent
    }
}

/// What one row of a table holds: an entity's fields plus derived columns, or plain columns
/// (after `select` or `group by`).
public enum RowType: Equatable, Sendable {
    case entity(EntityID, extras: [Column])
    case record([Column])

    /// The columns a row carries beside its entity's fields.
    public var columns: [Column] {
        switch self {
        case .entity(_, let extras): return extras
        case .record(let columns): return columns
        }
    }

    public var entity: EntityID? {
        if case .entity(let e, _) = self { return e }
        return nil
    }
}

public indirect enum DunType: Equatable, Sendable {
    public var isTable: Bool {
        if case .table = self { return true }
        return false
    }

    case bool, number, money, date, duration, string, grade, bucket
    /// The type of the `null` literal: it fits anywhere.
    case null
    /// One row of an entity (`invoice.customer`).
    case row(EntityID)
    case table(RowType)
    case list(DunType)
    /// An expression that already had an error; checking it further reports nothing more.
    case unknown

    /// The name in messages.
    public func name(in schema: Schema) -> String {
        switch self {
        case .bool: return "bool"
        case .number: return "number"
        case .money: return "money"
        case .date: return "date"
        case .duration: return "duration"
        case .string: return "text"
        case .grade: return "grade"
        case .bucket: return "bucket"
        case .null: return "null"
        case .row(let e): return schema[e].singular
        case .table(let r):
            if let e = r.entity { return "table of \(schema[e].name)" }
            return "table"
        case .list(let t): return "list of \(t.name(in: schema))"
        case .unknown: return "unknown"
        }
    }

    /// Values of this type can be ordered and compared with `<`.
    var isOrdered: Bool {
        switch self {
        case .number, .money, .date, .duration, .string, .grade, .bucket, .unknown: return true
        default: return false
        }
    }
}
