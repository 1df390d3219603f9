// Interpreter+Pipeline: the stages of a pipeline, and `explain`.

import DunCore

extension Interpreter {
    func pipeline(_ p: CheckedPipeline, _ env: inout Env) throws(RuntimeError) -> Value {
        let p = folded(p)
        var value = try evaluate(p.source, &env)
        for (i, stage) in p.stages.enumerated() {
            try interruption.check()
            // `sort | take N` needs only the first N in order.
            if case .sort(let keys) = stage.kind, case .table(let frame) = value, i + 1 < p.stages.count,
                case .take(let n) = p.stages[i + 1].kind, case .number(let d)? = try? evaluate(n, &env),
                let limit = d.integerValue, limit >= 0
            {
                value = .table(try sort(frame, keys, limit: Int(clamping: limit), &env))
                continue
            }
            value = try run(stage, on: value, &env)
        }
        return value
    }

    func run(_ stage: CheckedStage, on value: Value, _ env: inout Env) throws(RuntimeError) -> Value {
        guard case .table(let frame) = value else { return value }
        switch stage.kind {
        case .filter(let predicate):
            return .table(try filter(frame, predicate, &env))
        case .sort(let keys):
            return .table(try sort(frame, keys, &env))
        case .take(let n):
            let v = try evaluate(n, &env)
            guard case .number(let d) = v, let count = d.integerValue, count >= 0 else {
                throw RuntimeError("take needs a whole number of rows, 0 or more; found \(v)", n.range)
            }
            return .table(count >= frame.count ? frame : frame.picking(Array(0..<Int(count))))
        case .select(let columns, let nodes):
            let values = try computeColumns(frame, nodes, &env)
            return .table(Frame(entity: nil, rows: [], columns: columns, values: values, count: frame.count))
        case .derive(let columns, let nodes):
            let values = try computeColumns(frame, nodes, &env)
            return .table(
                Frame(
                    entity: frame.entity, rows: frame.rows, columns: frame.columns + columns,
                    values: frame.values + values, count: frame.count))
        case .group(let keys, let aggregates, let columns):
            return .table(try group(frame, keys: keys, aggregates: aggregates, columns: columns, &env))
        case .count:
            return .number(Decimal64(frame.count))
        case .action:
            throw RuntimeError(
                "an action is planned only at the end of a query or in a policy's rule", stage.range,
                hint: "leave out the action to list the rows it would act on")
        }
    }

    /// Each node evaluated on each row: one array per node.
    private func computeColumns(_ frame: Frame, _ nodes: [Node], _ env: inout Env) throws(RuntimeError) -> [[Value]] {
        var values = nodes.map { _ in [Value]() }
        var rest: [Int] = []
        for (c, node) in nodes.enumerated() {
            if let entity = frame.entity, let read = rowValue(node, entity: entity) {
                values[c] = column(frame.rows, read)
            } else if let column = try aggregatePerRow(node, over: frame, &env) {
                values[c] = column
            } else {
                rest.append(c)
                values[c].reserveCapacity(frame.count)
            }
        }
        guard !rest.isEmpty else { return values }
        try forEachRow(frame, nil, &env) { (me, _, env) throws(RuntimeError) in
            for c in rest {
                values[c].append(try me.evaluate(nodes[c], &env))
            }
        }
        return values
    }

    /// Stable: rows with equal keys keep their order. Nulls sort last in both directions.
    /// With a `limit`, only that many first rows are kept, found in one pass.
    private func sort(
        _ frame: Frame, _ keys: [(key: Node, descending: Bool)], limit: Int? = nil, _ env: inout Env
    ) throws(RuntimeError) -> Frame {
        let columns = try computeColumns(frame, keys.map(\.key), &env)
        var failure: RuntimeError?
        let precedes = { (a: Int, b: Int) -> Bool in
            for (k, key) in keys.enumerated() {
                let x = columns[k][a]
                let y = columns[k][b]
                if x.isNull != y.isNull { return y.isNull }
                do throws(RuntimeError) {
                    if let order = try Value.order(x, y, at: key.key.range), order != 0 {
                        return key.descending ? order > 0 : order < 0
                    }
                } catch {
                    if failure == nil { failure = error }
                    return false
                }
            }
            return a < b
        }
        var positions: [Int]
        if let limit, limit < frame.count {
            // The first `limit` rows so far, in order; a row goes in only if it precedes the last.
            positions = []
            positions.reserveCapacity(limit + 1)
            for p in 0..<frame.count where limit > 0 {
                if positions.count == limit {
                    guard let last = positions.last, precedes(p, last) else { continue }
                    positions.removeLast()
                }
                var lo = 0
                var hi = positions.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if precedes(p, positions[mid]) { hi = mid } else { lo = mid + 1 }
                }
                positions.insert(p, at: lo)
            }
        } else {
            positions = Array(0..<frame.count).sorted(by: precedes)
        }
        if let failure { throw failure }
        return frame.picking(positions)
    }

    /// Each value's number among the distinct values, numbered in order of first appearance.
    ///
    /// The column is numbered in parts on all cores, each part on its own, and the parts'
    /// numbers then made one: a value first seen in a part is new only if no part before
    /// it saw it.
    static func numbered(_ column: [Value], minimumPart: Int) -> (numbers: [Int32], distinct: Int) {
        let ranges = slices(of: column.count, parts: parts, minimum: minimumPart)
        let counted = concurrently(ranges.count) { k in numbered(column, ranges[k]) }
        guard counted.count > 1 else { return (counted.first?.numbers ?? [], counted.first?.firsts.count ?? 0) }
        var all: [Value: Int32] = [:]
        let renumber = counted.map { part in
            part.firsts.map { v in
                if let n = all[v] { return n }
                let n = Int32(all.count)
                all[v] = n
                return n
            }
        }
        let numbers = [Int32](unsafeUninitializedCapacity: column.count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            nonisolated(unsafe) let start = base
            _ = concurrently(ranges.count) { k in
                for (j, n) in counted[k].numbers.enumerated() {
                    (start + ranges[k].lowerBound + j).initialize(to: renumber[k][Int(n)])
                }
            }
            initialized = column.count
        }
        return (numbers, all.count)
    }

    /// The values of `range`, numbered in order of first appearance; and the distinct values
    /// in that order.
    ///
    /// Hashing a value is slow (a String hashes its normalized form), and a key column holds
    /// few distinct values many times over, a text each time the same String (a region read
    /// from the workspace). So a value is first looked for in a small cache by its bits: the
    /// same bits are the same value. Only a value not found there is hashed, which finds it if
    /// it is equal to one seen (as Swift compares values) under other bits.
    private static func numbered(_ column: [Value], _ range: Range<Int>) -> (numbers: [Int32], firsts: [Value]) {
        var byValue: [Value: Int32] = [:]
        var firsts: [Value] = []
        // The column holds every value alive, so bits seen stay the same value's.
        var cache = [(bits: ValueBits, number: Int32)](repeating: (ValueBits(), -1), count: 256)
        let numbers = range.map { i in
            let v = column[i]
            let bits = ValueBits(v)
            let slot = bits.slot(of: cache.count)
            if cache[slot].number >= 0, cache[slot].bits == bits { return cache[slot].number }
            let n: Int32
            if let seen = byValue[v] {
                n = seen
            } else {
                n = Int32(firsts.count)
                byValue[v] = n
                firsts.append(v)
            }
            if bits.isWhole { cache[slot] = (bits, n) }
            return n
        }
        return (numbers, firsts)
    }

    /// One row per distinct key, in key order, with the aggregates computed over its rows.
    private func group(
        _ frame: Frame, keys: [Node], aggregates: [Node], columns: [Column], _ env: inout Env
    ) throws(RuntimeError) -> Frame {
        let keyValues = try computeColumns(frame, keys, &env)
        // Each row's group, numbered in order of first appearance, found key by key: the
        // group so far and the next key's value name the next group, with no array per row.
        struct Step: Hashable {
            var group: Int32
            var value: Int32
        }
        var group = [Int32](repeating: 0, count: frame.count)
        var groupCount = frame.count > 0 || keys.isEmpty ? 1 : 0
        for column in keyValues {
            let (numbers, distinct) = Interpreter.numbered(column, minimumPart: minimumPart)
            if groupCount * distinct <= 1 << 16 {
                // Few groups so far and few values: the next group of each pair is in a table.
                var next = [Int32](repeating: -1, count: groupCount * distinct)
                var count: Int32 = 0
                for i in 0..<frame.count {
                    let slot = Int(group[i]) * distinct + Int(numbers[i])
                    if next[slot] < 0 {
                        next[slot] = count
                        count += 1
                    }
                    group[i] = next[slot]
                }
                groupCount = Int(count)
                continue
            }
            var next: [Step: Int32] = [:]
            for i in 0..<frame.count {
                let step = Step(group: group[i], value: numbers[i])
                if let g = next[step] {
                    group[i] = g
                } else {
                    let g = Int32(next.count)
                    next[step] = g
                    group[i] = g
                }
            }
            groupCount = next.count
        }
        var members = [[Int]](repeating: [], count: groupCount)
        for i in 0..<frame.count { members[Int(group[i])].append(i) }
        // A group's key is its first row's.
        let order: [[Value]] = members.map { rows in keyValues.map { $0[rows.first ?? 0] } }
        var failure: RuntimeError?
        let sorted = Array(order.indices).sorted { a, b in
            for k in keys.indices {
                let (x, y) = (order[a][k], order[b][k])
                if x.isNull != y.isNull { return y.isNull }
                do throws(RuntimeError) {
                    if let o = try Value.order(x, y, at: keys[k].range), o != 0 { return o < 0 }
                } catch {
                    if failure == nil { failure = error }
                    return false
                }
            }
            return a < b
        }
        if let failure { throw failure }
        var values = columns.map { _ in [Value]() }
        let arguments = GroupArguments(groupOf: group, groups: groupCount)
        for g in sorted {
            for k in keys.indices { values[k].append(order[g][k]) }
            env.group = GroupScope(frame: frame, positions: members[g], number: g, arguments: arguments)
            // A row of the group stands in scope so that outer rows keep the depth the checker
            // gave them; the checker lets nothing read it outside an aggregate.
            env.scopes.append((frame, members[g].first ?? 0))
            defer {
                env.scopes.removeLast()
                env.group = nil
            }
            for (a, node) in aggregates.enumerated() {
                values[keys.count + a].append(try evaluate(node, &env))
            }
        }
        return Frame(entity: nil, rows: [], columns: columns, values: values, count: sorted.count)
    }

    // MARK: explain

    /// Runs the pipeline stage by stage, counting the rows after each; a `where` of several
    /// conditions joined by `and` is counted condition by condition.
    func explain(_ p: CheckedPipeline, source: SourceText, _ env: inout Env) throws(RuntimeError) -> Outcome {
        let p = folded(p)
        var value = try evaluate(p.source, &env)
        var steps: [ExplainStep] = []
        func text(_ range: Range<Int>) -> String {
            source.text.utf8Slice(range).split(whereSeparator: \.isNewline).map { $0.trimmingSpaces() }.joined(separator: " ")
        }
        func step(_ t: String, _ v: Value, part: Bool = false) {
            guard case .table(let f) = v else { return }
            let sample = f.entity.map { e in f.rows.prefix(5).map { data.value(of: e, field: schema[e].key, row: $0) } } ?? []
            steps.append(ExplainStep(text: t, rows: f.count, sample: sample, isPart: part))
        }
        step(text(p.source.range), value)
        for stage in p.stages {
            if case .filter(let predicate) = stage.kind, case .table(var frame) = value, case .and = predicate.kind {
                let parts = conjuncts(predicate)
                for (i, part) in parts.enumerated() {
                    frame = try filter(frame, part, &env)
                    step((i == 0 ? "where " : "and ") + text(part.range), .table(frame), part: i > 0)
                }
                value = .table(frame)
                continue
            }
            value = try run(stage, on: value, &env)
            step(text(stage.range), value)
        }
        guard case .table(let result) = value else { return .value(value, p.type) }
        return .explain(steps, result)
    }

    func conjuncts(_ n: Node) -> [Node] {
        if case .and(let a, let b) = n.kind { return conjuncts(a) + conjuncts(b) }
        return [n]
    }
}
