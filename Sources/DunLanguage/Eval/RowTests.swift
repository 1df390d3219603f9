// Row tests: a condition that reads only its row's fields and constants, made once into a
// function of the row, so that a filter over a million rows skips the general evaluator.

extension Interpreter {
    typealias RowTest = (Int32) throws(RuntimeError) -> Bool

    /// The condition as a function of a row of `entity`, when it is made of comparisons of
    /// the row's fields with constants, `and`, `or`, `not` and true-or-false fields; `nil`
    /// otherwise. It holds exactly when `truth` would, and fails with the same errors.
    func rowTest(_ n: Node, entity: EntityID) -> RowTest? {
        let data = self.data
        switch n.kind {
        case .constant(let v):
            return { _ throws(RuntimeError) in v == .bool(true) }
        case .field(0, let f):
            return { row throws(RuntimeError) in data.value(of: entity, field: f, row: row) == .bool(true) }
        case .compare(let op, let a, let b):
            let range = n.range
            switch (a.kind, b.kind) {
            case (.field(0, let f), .constant(let v)):
                return { row throws(RuntimeError) in
                    op.holds(try Value.order(data.value(of: entity, field: f, row: row), v, at: range))
                }
            case (.constant(let v), .field(0, let f)):
                return { row throws(RuntimeError) in
                    op.holds(try Value.order(v, data.value(of: entity, field: f, row: row), at: range))
                }
            default:
                return nil
            }
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
