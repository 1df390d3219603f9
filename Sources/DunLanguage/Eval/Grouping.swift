// Grouping: the `group by` stage. Rows are numbered by their keys' values, on all cores,
// and each aggregate is folded for every group in one pass over the rows.

import DunCore

/// One group of a `group by` stage, while its aggregates are computed.
struct GroupScope {
    var groups: Groups
    /// Which group this is.
    var number: Int
}

/// The groups of a `group by` stage: which group each position of the frame is in, and the
/// aggregates of their rows.
final class Groups {
    let frame: Frame
    /// The group of each position of the frame.
    let groupOf: [Int32]
    /// Each group's number of positions, and its first position (-1 for a group of none).
    let sizes: [Int]
    let firsts: [Int]
    /// The aggregates folded for every group before the groups' rows are computed
    /// (`Interpreter.prefolded`), in the order of their `.groupFolded` numbers; a group's
    /// error is thrown when the group asks for it.
    var prefolded: [[Result<Value, RuntimeError>]] = []
    private var members: [[Int]]?

    init(frame: Frame, groupOf: [Int32], groups: Int) {
        self.frame = frame
        self.groupOf = groupOf
        var sizes = [Int](repeating: 0, count: groups)
        var firsts = [Int](repeating: -1, count: groups)
        for (p, g) in groupOf.enumerated() {
            if sizes[Int(g)] == 0 { firsts[Int(g)] = p }
            sizes[Int(g)] += 1
        }
        self.sizes = sizes
        self.firsts = firsts
    }

    /// Group `g`'s positions, in order.
    func positions(of g: Int) -> [Int] {
        if let members { return members[g] }
        var all = sizes.map { n in
            var positions: [Int] = []
            positions.reserveCapacity(n)
            return positions
        }
        for (p, g) in groupOf.enumerated() { all[Int(g)].append(p) }
        members = all
        return all[g]
    }

    /// Every group's aggregate of `values`: folded in one pass over the rows in order, each
    /// value into its row's group, so that a group's values are folded in the order of its
    /// positions, as if group by group, but memory is read forward once. A group whose
    /// rows include one of `failures` fails with the first of them.
    func fold(
        _ aggregate: Aggregate, at range: Range<Int>, zero: Value, _ values: [Value], failures: [Int: RuntimeError]
    ) -> [Result<Value, RuntimeError>] {
        var folded = [Fold](repeating: Fold(), count: sizes.count)
        var failed = [RuntimeError?](repeating: nil, count: sizes.count)
        for (p, group) in groupOf.enumerated() {
            let h = Int(group)
            guard failed[h] == nil else { continue }
            if let failure = failures[p] {
                failed[h] = failure
                continue
            }
            do throws(RuntimeError) {
                try folded[h].add(values[p], as: aggregate, at: range)
            } catch {
                failed[h] = error
            }
        }
        return folded.indices.map { h -> Result<Value, RuntimeError> in
            if let failure = failed[h] { return .failure(failure) }
            do throws(RuntimeError) {
                return .success(try folded[h].result(of: aggregate, zero: zero, at: range))
            } catch {
                return .failure(error)
            }
        }
    }
}

extension Interpreter {
    /// `aggregates` with each aggregate over a group's rows whose argument is a row function
    /// (`positionCompute`) folded now for every group of each of `groupings`, its values
    /// computed once for all rows on all cores; each is then read by its `.groupFolded` number.
    func prefolded(_ aggregates: [Node], _ groupings: [Groups], frame: Frame) throws(RuntimeError) -> [Node] {
        var stopped: RuntimeError?
        func prefold(_ n: Node) -> Node {
            guard case .groupAggregate(let aggregate, let arg?) = n.kind else {
                var m = n
                m.kind = n.kind.mapped { child, _ in prefold(child) }
                return m
            }
            guard stopped == nil, let f = positionCompute(arg, in: frame) else { return n }
            let (values, failures) = computedEach(frame, f)
            if let interrupted = failures.values.first(where: \.interrupted) {
                stopped = interrupted
                return n
            }
            for groups in groupings {
                groups.prefolded.append(groups.fold(aggregate, at: n.range, zero: zero(n.type), values, failures: failures))
            }
            return Node(kind: .groupFolded((groupings.first?.prefolded.count ?? 1) - 1), type: n.type, range: n.range)
        }
        let result = aggregates.map(prefold)
        if let stopped { throw stopped }
        return result
    }

    /// One row per distinct key, in key order, with the aggregates computed over its rows; with
    /// `total`, a last row of them over all rows, labelled so in the first key's column.
    func group(
        _ frame: Frame, keys: [Node], aggregates: [Node], columns: [Column], total: String? = nil, _ env: inout Env
    ) throws(RuntimeError) -> Frame {
        // A key read from the row or the frame is read where it is needed; the others are
        // computed first, together, as any derived column.
        let reads = keys.map { positionValue($0, in: frame) }
        let computed = try computeColumns(frame, keys.indices.filter { reads[$0] == nil }.map { keys[$0] }, &env)
        var next = computed.makeIterator()
        let keyValue: [(Int) -> Value] = reads.map { read in
            if let read { return read }
            let column = next.next() ?? []
            return { column[$0] }
        }
        // Each row's group, numbered in order of first appearance, found key by key: the
        // group so far and the next key's value name the next group, with no array per row.
        struct Step: Hashable {
            var group: Int32
            var value: Int32
        }
        var group = [Int32](repeating: 0, count: frame.count)
        var groupCount = frame.count > 0 || keys.isEmpty ? 1 : 0
        for value in keyValue {
            let (numbers, distinct) = Interpreter.numbered(frame.count, minimumPart: minimumPart, value)
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
        let groups = Groups(frame: frame, groupOf: group, groups: groupCount)
        // A group's key is its first row's.
        let order: [[Value]] = groups.firsts.map { first in keyValue.map { $0(max(first, 0)) } }
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
        let all = total.map { _ in Groups(frame: frame, groupOf: [Int32](repeating: 0, count: frame.count), groups: 1) }
        let aggregates = try prefolded(aggregates, [groups] + (all.map { [$0] } ?? []), frame: frame)
        // Each group, then the total over all rows (-1).
        for g in sorted + (total == nil ? [] : [-1]) {
            let groups = (g < 0 ? all : nil) ?? groups
            for k in keys.indices {
                let key = g >= 0 ? order[g][k] : k == 0 ? .string(total ?? "") : .null
                // With a total, the first key's column is text (its label beside the keys).
                values[k].append(total != nil && k == 0 && !key.isNull ? .string(key.joinable) : key)
            }
            let g = max(g, 0)
            env.group = GroupScope(groups: groups, number: g)
            // A row of the group stands in scope so that outer rows keep the depth the checker
            // gave them; the checker lets nothing read it outside an aggregate.
            env.scopes.append((frame, max(groups.firsts[g], 0)))
            defer {
                env.scopes.removeLast()
                env.group = nil
            }
            for (a, node) in aggregates.enumerated() {
                values[keys.count + a].append(try evaluate(node, &env))
            }
        }
        return Frame(entity: nil, rows: [], columns: columns, values: values, count: sorted.count + (total == nil ? 0 : 1))
    }

    /// Each position's number among the distinct values of `value` at `0..<count`, numbered in
    /// order of first appearance; and how many distinct values there are.
    ///
    /// The positions are numbered in parts on all cores, each part on its own, and the parts'
    /// numbers then made one: a value first seen in a part is new only if no part before
    /// it saw it.
    static func numbered(
        _ count: Int, minimumPart: Int, _ value: (Int) -> Value
    ) -> (numbers: [Int32], distinct: Int) {
        let ranges = slices(of: count, parts: parts, minimum: minimumPart)
        let counted = concurrently(ranges.count) { k in numbered(ranges[k], value) }
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
        let numbers = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            nonisolated(unsafe) let start = base
            _ = concurrently(ranges.count) { k in
                for (j, n) in counted[k].numbers.enumerated() {
                    (start + ranges[k].lowerBound + j).initialize(to: renumber[k][Int(n)])
                }
            }
            initialized = count
        }
        return (numbers, all.count)
    }

    /// The positions of `range`, numbered by their values in order of first appearance; and
    /// the distinct values in that order.
    ///
    /// Hashing a value is slow (a String hashes its normalized form), and a key holds few
    /// distinct values many times over, a text each time the same String (a region read
    /// from the workspace). So a value is first looked for in a small cache by its bytes: the
    /// same bytes are the same value while the value seen is alive, and the cache keeps it
    /// alive. Only a value not found there is hashed, which finds it if it is equal to one
    /// seen (as Swift compares values) under other bytes.
    private static func numbered(_ range: Range<Int>, _ value: (Int) -> Value) -> (numbers: [Int32], firsts: [Value]) {
        var byValue: [Value: Int32] = [:]
        var firsts: [Value] = []
        var cache = [(bits: ValueBits, number: Int32, value: Value)](repeating: (ValueBits(), -1, .null), count: 256)
        let numbers = range.map { i in
            let v = value(i)
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
            if bits.isWhole { cache[slot] = (bits, n, v) }
            return n
        }
        return (numbers, firsts)
    }
}
