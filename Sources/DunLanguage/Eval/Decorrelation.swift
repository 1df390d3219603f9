// Decorrelation: an aggregate over each row's related rows, computed for a whole table in
// one pass over the related table, instead of one lookup of scattered rows per row.

import DunCore

extension Interpreter {
    /// The values of `node` for every row of `frame`, when `node` aggregates each row's
    /// related rows (`sum((invoices where issued > d).amount)` for each customer) and the
    /// frame holds enough of its entity's rows to make one pass over all related rows worth
    /// it; otherwise `nil`, and the node is evaluated row by row.
    ///
    /// The related rows are visited in their own order, which is each row's related rows in
    /// the order the row-by-row evaluation visits them; so sums add up alike. An error names
    /// the related row it happened on, as row by row.
    func aggregatePerRow(_ node: Node, over frame: Frame, _ env: inout Env) throws(RuntimeError) -> [Value]? {
        guard let entity = frame.entity, case .aggregate(let aggregate, let arg?) = node.kind else { return nil }
        // The shapes: agg(rel), agg(rel.f), agg(rel where p), agg((rel where p).f).
        var table = arg
        var projected: Int?
        if case .project(let base, .field(let f)) = arg.kind {
            table = base
            projected = f
        }
        var predicate: Node?
        if case .filter(let base, let p) = table.kind {
            table = base
            predicate = p
        }
        guard case .field(0, let field) = table.kind, let relation = data.relation(of: entity, field: field) else { return nil }
        // Worth a pass over every related row only when the frame has a good share of its rows.
        let owners = data.rows(of: entity)
        guard frame.count >= max(1, owners.count / 8), projected != nil || aggregate == .count else { return nil }
        var position = [Int32](repeating: -1, count: Int(owners.max() ?? -1) + 1)
        for (p, row) in frame.rows.enumerated() {
            // A frame holding a row twice is left to the row-by-row evaluation.
            guard Int(row) < position.count, position[Int(row)] < 0 else { return nil }
            position[Int(row)] = Int32(p)
        }
        var values = [Value](repeating: .null, count: frame.count)
        var counts = [Int](repeating: 0, count: frame.count)
        let related = Frame(entity: relation.child, rows: data.rows(of: relation.child))
        // A condition on the related row alone (`issued > d`) runs as a function of it.
        let test = predicate.flatMap { rowTest($0, entity: relation.child) }
        env.scopes.append((frame, 0))
        let ownerScope = env.scopes.count - 1
        defer { env.scopes.removeLast() }
        // Owners come in no order: for the related row 16 on, its owner's place is asked for,
        // and for the row 8 on (whose place has arrived by then), the owner's total.
        let n = related.rows.count
        try forEachRow(related, nil, &env) { (me, i, env) throws(RuntimeError) in
            if i + 16 < n, let owner = relation.owner(related.rows[i + 16]) { prefetch(position, Int(owner)) }
            if i + 8 < n, let owner = relation.owner(related.rows[i + 8]), Int(owner) < position.count {
                let p = Int(position[Int(owner)])
                if p >= 0 {
                    prefetch(values, p)
                    prefetch(counts, p)
                }
            }
            // The owner's place (memory read in no order) only for a related row that passes
            // a condition on itself alone; its error counts only if its owner is in the frame.
            var failure: RuntimeError?
            if let test {
                do throws(RuntimeError) {
                    guard try test(related.rows[i]) else { return }
                } catch {
                    failure = error
                }
            }
            guard let owner = relation.owner(related.rows[i]), Int(owner) < position.count else { return }
            let p = Int(position[Int(owner)])
            guard p >= 0 else { return }
            if let failure { throw failure }
            env.scopes[ownerScope].position = p
            if test == nil, let predicate, !(try me.truth(predicate, &env)) {
                return
            }
            let v: Value = projected.map { me.data.value(of: relation.child, field: $0, row: related.rows[i]) } ?? .bool(true)
            guard !v.isNull else { return }
            switch aggregate {
            case .count:
                if v != .bool(false) { counts[p] += 1 }
            case .sum, .avg:
                values[p] = counts[p] == 0 ? v : try Value.arithmetic(.add, values[p], v, at: node.range)
                counts[p] += 1
            case .min, .max:
                if values[p].isNull {
                    values[p] = v
                } else if let order = try Value.order(v, values[p], at: node.range), aggregate == .max ? order > 0 : order < 0 {
                    values[p] = v
                }
            }
        }
        return try values.indices.map { (p: Int) throws(RuntimeError) -> Value in
            switch aggregate {
            case .count:
                return .number(Decimal64(counts[p]))
            case .sum:
                return counts[p] == 0 ? .number(.zero) : values[p]
            case .avg:
                return counts[p] == 0 ? .null : try Value.arithmetic(.divide, values[p], .number(Decimal64(counts[p])), at: node.range)
            case .min, .max:
                return values[p]
            }
        }
    }
}
