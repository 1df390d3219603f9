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

    /// An aggregate of each row's related rows without a condition (`max(payments.date)`),
    /// which is the same wherever it is written: computed once for a frame however often it is.
    struct Unconditional: Hashable {
        var aggregate: Aggregate
        var field: Int
        var projected: Int?
        var distinct: Bool

        init?(_ node: Node) {
            guard case .aggregate(let aggregate, let arg?) = node.kind, let shape = RelatedRows.shape(arg),
                shape.predicate == nil
            else { return nil }
            (self.aggregate, field, projected, distinct) = (aggregate, shape.field, shape.projected, shape.distinct)
        }
    }
}

/// Where each related row of a part of them counts: the part's first row, each row's
/// owner's place in the frame (-1: nowhere), and the error that ended the part early.
typealias RelatedPart = (start: Int, places: [Int32], failure: (Int, RuntimeError)?)

extension Interpreter {
    /// The values of `node` for every row of `frame`, when `node` aggregates each row's
    /// related rows (`sum((invoices where issued > d).amount)` for each customer) and the
    /// frame holds enough of its entity's rows to make one pass over all related rows worth
    /// it; otherwise `nil`, and the node is evaluated row by row.
    ///
    /// The related rows are visited in their own order, which is each row's related rows in
    /// the order the row-by-row evaluation visits them; so sums add up alike. An error names
    /// the related row it happened on, as row by row.
    ///
    /// `placed` keeps, by the row's table field, where each related row counts when no
    /// condition picks them (`max(payments.date)`), for the next aggregate of the same rows.
    func aggregatePerRow(
        _ node: Node, over frame: Frame, _ env: inout Env, placed: inout [Int: [RelatedPart]]
    ) throws(RuntimeError) -> [Value]? {
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
        var parts: [RelatedPart] = []
        if predicate == nil, let known = placed[field] {
            parts = known
        } else if let predicate, rowTest(predicate, entity: relation.child) == nil {
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
            if predicate == nil { placed[field] = parts }
        }
        let read = projected.map { data.reader(of: relation.child, field: $0) }
        let zero = zero(node.type)
        if distinct {
            var folds = [Fold](repeating: Fold(), count: frame.count)
            try foldUnique(parts, into: &folds, related, read, aggregate, at: node.range)
            return try folds.map { (fold: Fold) throws(RuntimeError) -> Value in
                try fold.result(of: aggregate, zero: zero, at: node.range)
            }
        }
        // Then the values, folded in the related rows' order: on all cores, each core folding
        // the rows of its own owners, so that each owner's values are folded in the same order
        // as one after another. The owner's fold is asked for 8 rows ahead.
        try interruption.check()
        let owned = slices(of: frame.count, parts: ownerParts, minimum: minimumPart)
        let folded = concurrently(owned.count) { k -> (folds: [Fold], failure: (Int, RuntimeError)?) in
            let (low, high) = (Int32(owned[k].lowerBound), Int32(owned[k].upperBound))
            var folds = [Fold](repeating: Fold(), count: owned[k].count)
            for (start, places, failure) in parts {
                for (j, p) in places.enumerated() {
                    if j + 8 < places.count, places[j + 8] >= low, places[j + 8] < high {
                        prefetch(folds, Int(places[j + 8] - low))
                    }
                    guard p >= low, p < high else { continue }
                    do throws(RuntimeError) {
                        try folds[Int(p - low)].add(read?(rows[start + j]) ?? .bool(true), as: aggregate, at: node.range)
                    } catch {
                        return (folds, (start + j, error))
                    }
                }
                // The condition failed there: the rows after it are not folded.
                if failure != nil { break }
            }
            return (folds, nil)
        }
        try interruption.check()
        // The first error in the related rows' order, as one after another would meet it.
        let failures = folded.compactMap(\.failure) + parts.compactMap(\.failure)
        if let (i, error) = failures.min(by: { $0.0 < $1.0 }) {
            var e = error
            if e.row == nil && !e.interrupted { e.row = describe(related, i) }
            throw e
        }
        let folds = folded.count == 1 ? folded[0].folds : folded.flatMap(\.folds)
        return try folds.map { (fold: Fold) throws(RuntimeError) -> Value in
            try fold.result(of: aggregate, zero: zero, at: node.range)
        }
    }

    /// The unique values of each owner's related rows folded (`count(unique(payments.date))`):
    /// the rows that count gathered by owner, each owner's values then folded together, its
    /// repeats left out. An error of the condition is thrown after the rows before it are.
    private func foldUnique(
        _ parts: [RelatedPart], into folds: inout [Fold],
        _ related: Frame, _ read: (@Sendable (Int32) -> Value)?, _ aggregate: Aggregate, at range: Range<Int>
    ) throws(RuntimeError) {
        let rows = related.rows
        var counted: [(row: Int32, place: Int32)] = []
        // Dates counted or compared are read now, in the rows' order, as their day numbers:
        // read later in the owners' order, they missed the cache (nil once a value is not a date).
        var days: [Int32]? = read != nil && aggregate != .sum && aggregate != .avg ? [] : nil
        for (start, places, failure) in parts {
            for (j, p) in places.enumerated() where p >= 0 {
                let i = start + j
                if i & 1023 == 0 { try interruption.check() }
                counted.append((Int32(i), p))
                if days != nil {
                    if case .date(let d)? = read?(rows[i]) { days?.append(d.ordinal) } else { days = nil }
                }
            }
            if let (i, error) = failure {
                try foldOnce(counted, days, into: &folds, related, read, aggregate, at: range)
                var e = error
                if e.row == nil && !e.interrupted { e.row = describe(related, i) }
                throw e
            }
        }
        try foldOnce(counted, days, into: &folds, related, read, aggregate, at: range)
    }

    /// Folds the values of `counted` (rows of `related`, each with its owner's place) into
    /// their owners' folds, each value once per owner, in the rows' order: the rows are put in
    /// order of owner first (a counting sort, which keeps their order), so that each owner's
    /// values are looked through together, not in one set of them all, which missed the
    /// cache on every row.
    private func foldOnce(
        _ counted: [(row: Int32, place: Int32)], _ days: [Int32]?, into folds: inout [Fold], _ related: Frame,
        _ read: (@Sendable (Int32) -> Value)?, _ aggregate: Aggregate, at range: Range<Int>
    ) throws(RuntimeError) {
        var starts = [Int](repeating: 0, count: folds.count + 1)
        for c in counted { starts[Int(c.place) + 1] += 1 }
        for o in folds.indices { starts[o + 1] += starts[o] }
        if let days, days.count == counted.count {
            try foldDaysOnce(counted, days, starts, into: &folds, aggregate, at: range)
            return
        }
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
                    try folds[o].add(v, as: aggregate, at: range)
                } catch {
                    var e = error
                    if e.row == nil { e.row = describe(related, i) }
                    throw e
                }
            }
        }
    }

    /// `foldOnce` of dates, given as the day numbers `days` of the rows `counted`, and the
    /// start of each owner's rows in owner order (`starts`): the day numbers are put in owner
    /// order, and each owner's looked through as numbers. A date counts, or is compared, without
    /// an error.
    private func foldDaysOnce(
        _ counted: [(row: Int32, place: Int32)], _ days: [Int32], _ starts: [Int], into folds: inout [Fold],
        _ aggregate: Aggregate, at range: Range<Int>
    ) throws(RuntimeError) {
        var next = starts
        var byOwner = [Int32](repeating: 0, count: days.count)
        for (c, day) in zip(counted, days) {
            byOwner[next[Int(c.place)]] = day
            next[Int(c.place)] += 1
        }
        var seen = Set<Int32>()
        for o in folds.indices where starts[o] < starts[o + 1] {
            let own = byOwner[starts[o]..<starts[o + 1]]
            seen.removeAll(keepingCapacity: true)
            for (k, day) in zip(own.indices, own) {
                // An owner's few days are looked through, its many put in a set.
                if own.count <= 32 ? own[own.startIndex..<k].contains(day) : !seen.insert(day).inserted { continue }
                try folds[o].add(.date(Day(ordinal: day)), as: aggregate, at: range)
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
        var made: [RelatedRows.Unconditional: Int] = [:]
        var placed: [Int: [RelatedPart]] = [:]
        func hoist(_ n: Node, level: Int) -> Node {
            // Another day's data is not this frame's.
            if case .asOf = n.kind { return n }
            var m = n
            m.kind = n.kind.mapped { child, scoped in hoist(child, level: level + (scoped ? 1 : 0)) }
            guard stopped == nil, case .aggregate = m.kind, let own = m.shifted(by: -level) else { return m }
            let same = RelatedRows.Unconditional(own)
            if let same, let index = made[same] {
                return Node(kind: .column(depth: level, index: index), type: n.type, range: n.range)
            }
            do throws(RuntimeError) {
                guard let column = try aggregatePerRow(own, over: with, &env, placed: &placed) else { return m }
                with = Frame(
                    entity: with.entity, rows: with.rows, columns: with.columns + [Column(name: "\u{1F}aggregate", type: n.type)],
                    values: with.values + [column], count: with.count)
                if let same { made[same] = with.columns.count - 1 }
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
