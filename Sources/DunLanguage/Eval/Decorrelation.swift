// Decorrelation: an aggregate over each row's related rows, computed for a whole table in
// one pass over the related table, instead of one lookup of scattered rows per row.

import DunCore

/// The argument of an aggregate of each row's related rows, as the interpreter folds it for a
/// whole table and the SQL compiler joins it grouped.
enum RelatedRows {
    /// The shapes `rel`, `rel.f`, `rel where p`, `(rel where p).f`, and the last two inside
    /// `unique(…)` (`count(unique(payments.date))`: each owner's value once): the row's table
    /// field, the condition, the field projected, and whether unique; nil for any other.
    static func shape(_ arg: Node) -> (field: Int, predicate: Node?, projected: Int?, distinct: Bool)? {
        var arg = arg
        var distinct = false
        if case .call(let builtin, let args) = arg.kind, builtin.isUnique, args.count == 1 {
            arg = args[0]
            distinct = true
        }
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
        guard case .field(0, let field) = table.kind else { return nil }
        return (field, predicate, projected, distinct)
    }
}

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
        guard let entity = frame.entity, case .aggregate(let aggregate, let arg?) = node.kind,
            let (field, predicate, projected, distinct) = RelatedRows.shape(arg)
        else { return nil }
        guard let relation = data.relation(of: entity, field: field) else { return nil }
        // Worth a pass over every related row only when the frame has a good share of its rows.
        let owners = data.rows(of: entity)
        guard frame.count >= max(1, owners.count / 8), projected != nil || (aggregate == .count && !distinct) else { return nil }
        var positions = [Int32](repeating: -1, count: Int(owners.max() ?? -1) + 1)
        for (p, row) in frame.rows.enumerated() {
            // A frame holding a row twice is left to the row-by-row evaluation.
            guard Int(row) < positions.count, positions[Int(row)] < 0 else { return nil }
            positions[Int(row)] = Int32(p)
        }
        let position = positions
        let related = Frame(entity: relation.child, rows: data.rows(of: relation.child))
        let rows = related.rows
        // A related row's place in the frame: its owner's position, or -1.
        let place = { (row: Int32) -> Int32 in
            guard let owner = relation.owner(row), Int(owner) < position.count else { return -1 }
            return position[Int(owner)]
        }
        // First, where each related row counts (-1: nowhere), part by part; a part ends at an
        // error of the condition on a row whose owner is in the frame.
        var parts: [(start: Int, places: [Int32], failure: (Int, RuntimeError)?)] = []
        if let predicate, rowTest(predicate, entity: relation.child) == nil {
            // The condition reads the owner (`issued > customer.since`): row by row, in scope.
            var places: [Int32] = []
            var failure: (Int, RuntimeError)?
            env.scopes.append((frame, 0))
            env.scopes.append((related, 0))
            defer { env.scopes.removeLast(2) }
            for i in rows.indices {
                if i & 1023 == 0 { try interruption.check() }
                var p = place(rows[i])
                if p >= 0 {
                    env.scopes[env.scopes.count - 2].position = Int(p)
                    env.scopes[env.scopes.count - 1].position = i
                    do throws(RuntimeError) {
                        if !(try truth(predicate, &env)) { p = -1 }
                    } catch {
                        failure = (i, error)
                        break
                    }
                }
                places.append(p)
            }
            parts = [(0, places, failure)]
        } else {
            // A condition on the related row alone (`issued > d`), or none: on all cores. The
            // owner's place (memory read in no order) is asked for 16 rows ahead, and read
            // only for a row that passes; a row's error counts only if its owner is in the frame.
            let test = predicate.flatMap { rowTest($0, entity: relation.child) }
            let ranges = slices(of: rows.count, parts: Interpreter.parts, minimum: minimumPart)
            parts = concurrently(ranges.count) { k in
                var places: [Int32] = []
                places.reserveCapacity(ranges[k].count)
                for i in ranges[k] {
                    if i + 16 < rows.count, let owner = relation.owner(rows[i + 16]) { prefetch(position, Int(owner)) }
                    do throws(RuntimeError) {
                        places.append(try test?(rows[i]) ?? true ? place(rows[i]) : -1)
                    } catch {
                        if place(rows[i]) >= 0 { return (ranges[k].lowerBound, places, (i, error)) }
                        places.append(-1)
                    }
                }
                return (ranges[k].lowerBound, places, nil)
            }
        }
        // Then the values, folded in the related rows' order. The owner's fold is asked for 8
        // rows ahead.
        var folds = [Fold](repeating: Fold(aggregate, zero: zero(node.type)), count: frame.count)
        let read = projected.map { data.reader(of: relation.child, field: $0) }
        // Under `unique`, the rows that count, by owner: each owner's values are then folded
        // together, its repeats left out.
        var counted: [(row: Int32, place: Int32)] = []
        for (start, places, failure) in parts {
            for (j, p) in places.enumerated() {
                let i = start + j
                if i & 1023 == 0 { try interruption.check() }
                guard !distinct else {
                    if p >= 0 { counted.append((Int32(i), p)) }
                    continue
                }
                if j + 8 < places.count, places[j + 8] >= 0 { prefetch(folds, Int(places[j + 8])) }
                guard p >= 0 else { continue }
                do throws(RuntimeError) {
                    try folds[Int(p)].add(read?(rows[i]) ?? .bool(true), at: node.range)
                } catch {
                    var e = error
                    if e.row == nil { e.row = describe(related, i) }
                    throw e
                }
            }
            if let (i, error) = failure {
                if distinct { try foldOnce(counted, into: &folds, related, read, at: node.range) }
                var e = error
                if e.row == nil && !e.interrupted { e.row = describe(related, i) }
                throw e
            }
        }
        if distinct { try foldOnce(counted, into: &folds, related, read, at: node.range) }
        return try folds.map { (fold: Fold) throws(RuntimeError) -> Value in try fold.result(at: node.range) }
    }

    /// Folds the values of `counted` (rows of `related`, each with its owner's place) into
    /// their owners' folds, each value once per owner, in the rows' order: the rows are put in
    /// order of owner first (a counting sort, which keeps their order), so that each owner's
    /// values are looked through together, not in one set of them all, which missed the
    /// cache on every row.
    private func foldOnce(
        _ counted: [(row: Int32, place: Int32)], into folds: inout [Fold], _ related: Frame,
        _ read: (@Sendable (Int32) -> Value)?, at range: Range<Int>
    ) throws(RuntimeError) {
        var starts = [Int](repeating: 0, count: folds.count + 1)
        for c in counted { starts[Int(c.place) + 1] += 1 }
        for o in folds.indices { starts[o + 1] += starts[o] }
        var next = starts
        var byOwner = [Int32](repeating: 0, count: counted.count)
        for c in counted {
            byOwner[next[Int(c.place)]] = c.row
            next[Int(c.place)] += 1
        }
        var seen: [Value] = []
        var many = Set<Value>()
        for o in folds.indices where starts[o] < starts[o + 1] {
            seen.removeAll(keepingCapacity: true)
            many.removeAll(keepingCapacity: true)
            for k in starts[o]..<starts[o + 1] {
                let i = Int(byOwner[k])
                let v = read?(related.rows[i]) ?? .bool(true)
                // The first few are looked through in a list, quicker than a set; the rest
                // (an owner with many) go to a set.
                if seen.count < 32 {
                    if seen.contains(v) { continue }
                    seen.append(v)
                } else if seen.contains(v) || !many.insert(v).inserted {
                    continue
                }
                do throws(RuntimeError) {
                    try folds[o].add(v, at: range)
                } catch {
                    var e = error
                    if e.row == nil { e.row = describe(related, i) }
                    throw e
                }
            }
        }
    }

    /// `nodes` with each aggregate in them that `aggregatePerRow` computes for every row of
    /// `frame` at once (`avg(invoices.days_late where …) - avg(…) > 10`, and one in a filter's
    /// condition that reads only the frame's row) read from a column of its values instead, and
    /// the frame with those columns. Inner aggregates first: an outer one's condition then reads
    /// their columns. One that fails is left to fail, or not, row by row.
    func hoisted(_ nodes: [Node], over frame: Frame, _ env: inout Env) throws(RuntimeError) -> (Frame, [Node]) {
        guard frame.entity != nil, frame.count >= max(minimumFolded, 1) else { return (frame, nodes) }
        var with = frame
        var stopped: RuntimeError?
        func hoist(_ n: Node, level: Int) -> Node {
            // Another day's data is not this frame's.
            if case .asOf = n.kind { return n }
            var m = n
            m.kind = n.kind.mapped { child, scoped in hoist(child, level: level + (scoped ? 1 : 0)) }
            guard stopped == nil, case .aggregate = m.kind, let own = m.shifted(by: -level) else { return m }
            do throws(RuntimeError) {
                guard let column = try aggregatePerRow(own, over: with, &env) else { return m }
                with = Frame(
                    entity: with.entity, rows: with.rows, columns: with.columns + [Column(name: "\u{1F}aggregate", type: n.type)],
                    values: with.values + [column], count: with.count)
                return Node(kind: .column(depth: level, index: with.columns.count - 1), type: n.type, range: n.range)
            } catch {
                if error.interrupted { stopped = error }
                return m
            }
        }
        let result = nodes.map { hoist($0, level: 0) }
        if let stopped { throw stopped }
        return (with, result)
    }
}
