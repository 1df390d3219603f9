// Row functions: an expression or a condition that reads only its row's fields (and
// their rows' fields) and constants, made once into a function of the row, so that a stage
// over a million rows skips the general evaluator.

extension Interpreter {
    typealias RowTest = (Int32) throws(RuntimeError) -> Bool
    typealias RowValue = (Int32) -> Value

    /// The expression as a function of a row of `entity`, when it is a constant, a field of
    /// the row, or a field of a row it names (`customer.region`); `nil` otherwise.
    func rowValue(_ n: Node, entity: EntityID) -> RowValue? {
        let data = self.data
        switch n.kind {
        case .constant(let v):
            return { _ in v }
        case .field(0, let f):
            return { row in data.value(of: entity, field: f, row: row) }
        case .member(let base, let f):
            guard let read = rowValue(base, entity: entity) else { return nil }
            return { row in
                guard case .row(let e, let r) = read(row) else { return .null }
                return data.value(of: e, field: f, row: r)
            }
        default:
            return nil
        }
    }

    /// The condition as a function of a row of `entity`, when it is made of comparisons of
    /// row values (`rowValue`), `and`, `or`, `not` and true-or-false row values; `nil`
    /// otherwise. It holds exactly when `truth` would, and fails with the same errors.
    func rowTest(_ n: Node, entity: EntityID) -> RowTest? {
        switch n.kind {
        case .constant, .field, .member:
            guard let read = rowValue(n, entity: entity) else { return nil }
            return { row throws(RuntimeError) in read(row) == .bool(true) }
        case .compare(let op, let a, let b):
            guard let x = rowValue(a, entity: entity), let y = rowValue(b, entity: entity) else { return nil }
            let range = n.range
            if case .constant(.number(let k)) = b.kind {
                // Money against a number (`balance > 0`): the number in minor units of each
                // currency's places, worked out once, not once a row.
                let minor = (0...4).map { k.significand(atScale: $0) }
                return { row throws(RuntimeError) in
                    let v = x(row)
                    if case .money(let m) = v, m.currency.minorUnit < minor.count, let k = minor[m.currency.minorUnit] {
                        return op.holds(m.minor < k ? -1 : (m.minor == k ? 0 : 1))
                    }
                    return op.holds(try Value.order(v, .number(k), at: range))
                }
            }
            return { row throws(RuntimeError) in op.holds(try Value.order(x(row), y(row), at: range)) }
        case .not(let x):
            guard let t = rowTest(x, entity: entity) else { return nil }
            return { row throws(RuntimeError) in try !t(row) }
        case .and(let a, let b):
            guard let x = rowTest(a, entity: entity), let y = rowTest(b, entity: entity) else { return nil }
            return { row throws(RuntimeError) in
                guard try x(row) else { return false }
                return try y(row)
            }
        case .or(let a, let b):
            guard let x = rowTest(a, entity: entity), let y = rowTest(b, entity: entity) else { return nil }
            return { row throws(RuntimeError) in
                if try x(row) { return true }
                return try y(row)
            }
        default:
            return nil
        }
    }
}

extension ComparisonOperator {
    /// Whether two values in this order satisfy the operator; values without an order
    /// (a null) satisfy none.
    func holds(_ order: Int?) -> Bool {
        guard let order else { return false }
        switch self {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessEqual: return order <= 0
        case .greater: return order > 0
        case .greaterEqual: return order >= 0
        }
    }
}
