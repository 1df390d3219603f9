// Row functions: an expression or a condition that reads only its row's fields (and
// their rows' fields) and constants, made once into a function of the row, so that a stage
// over a million rows skips the general evaluator, and runs on all cores.

import DunCore

extension Interpreter {
    typealias RowTest = @Sendable (Int32) throws(RuntimeError) -> Bool
    typealias RowValue = @Sendable (Int32) -> Value

    /// A loop of a row function over a large frame runs in parts on all cores: at most
    /// `parts`, none of fewer than `minimumPart` rows (below that, the threads cost more
    /// than they save).
    static let parts = 8

    /// `read` of each row, in order.
    func column(_ rows: [Int32], _ read: RowValue) -> [Value] {
        concurrentMap(rows.count, parts: Interpreter.parts, minimum: minimumPart) { read(rows[$0]) }
    }

    /// The positions of the rows of `frame` that pass `test`, in order. An error is the one
    /// of the first row that fails, as if the rows were tested one by one, and names it.
    func kept(_ frame: Frame, _ test: RowTest) throws(RuntimeError) -> [Int] {
        let rows = frame.rows
        let ranges = slices(of: rows.count, parts: Interpreter.parts, minimum: minimumPart)
        let parts = concurrently(ranges.count) { k -> (keep: [Int], failure: (Int, RuntimeError)?) in
            var keep: [Int] = []
            for i in ranges[k] {
                do throws(RuntimeError) {
                    if try test(rows[i]) { keep.append(i) }
                } catch {
                    return (keep, (i, error))
                }
            }
            return (keep, nil)
        }
        // The parts before the first that failed ran to their end without an error.
        for part in parts {
            guard let (i, error) = part.failure else { continue }
            var e = error
            if e.row == nil { e.row = describe(frame, i) }
            throw e
        }
        return parts.count == 1 ? parts[0].keep : parts.flatMap(\.keep)
    }

    /// The expression as a function of a position of `frame`, when it is one of the frame's
    /// columns or a row value (`rowValue`) of its entity; `nil` otherwise.
    func positionValue(_ n: Node, in frame: Frame) -> ((Int) -> Value)? {
        if case .column(0, let c) = n.kind {
            let column = frame.values[c]
            return { column[$0] }
        }
        guard let entity = frame.entity, let read = rowValue(n, entity: entity) else { return nil }
        let rows = frame.rows
        return { read(rows[$0]) }
    }

    /// The expression as a function of a row of `entity`, when it is a constant, a field of
    /// the row, or a field of a row it names (`customer.region`); `nil` otherwise.
    func rowValue(_ n: Node, entity: EntityID) -> RowValue? {
        let data = self.data
        switch n.kind {
        case .constant(let v):
            return { _ in v }
        case .field(0, let f):
            return data.reader(of: entity, field: f)
        case .member(let base, let f):
            guard let read = rowValue(base, entity: entity) else { return nil }
            // The reader of the entity the base's type names, for the rows of that entity.
            guard case .row(let e) = base.type else { return nil }
            let field = data.reader(of: e, field: f)
            return { row in
                guard case .row(let other, let r) = read(row) else { return .null }
                return other == e ? field(r) : data.value(of: other, field: f, row: r)
            }
        default:
            return nil
        }
    }

    /// The condition as a function of a row of `entity`, when it is made of comparisons,
    /// `between` and `is null` of row values (`rowValue`), `and`, `or`, `not` and
    /// true-or-false row values; `nil` otherwise. It holds exactly when `truth` would, and
    /// fails with the same errors.
    func rowTest(_ n: Node, entity: EntityID) -> RowTest? {
        switch n.kind {
        case .constant, .field, .member:
            guard let read = rowValue(n, entity: entity) else { return nil }
            return { row throws(RuntimeError) in
                if case .bool(true) = read(row) { return true }
                return false
            }
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
            if case .constant(.date(let day)) = b.kind {
                // A date against a day (`issued > today - 90 days`): compared as days.
                return { row throws(RuntimeError) in
                    let v = x(row)
                    if case .date(let d) = v { return op.holds(d < day ? -1 : (d == day ? 0 : 1)) }
                    return op.holds(try Value.order(v, .date(day), at: range))
                }
            }
            if case .constant(.string(let text)) = b.kind {
                // A text against a text (`kind = "invoice"`): compared as texts.
                return { row throws(RuntimeError) in
                    let v = x(row)
                    if case .string(let t) = v { return op.holds(t < text ? -1 : (t == text ? 0 : 1)) }
                    return op.holds(try Value.order(v, .string(text), at: range))
                }
            }
            return { row throws(RuntimeError) in op.holds(try Value.order(x(row), y(row), at: range)) }
        case .between(let x, let lo, let hi, let negated):
            guard let v = rowValue(x, entity: entity), let a = rowValue(lo, entity: entity),
                let b = rowValue(hi, entity: entity)
            else { return nil }
            let range = n.range
            if case .constant(.number(let l)) = lo.kind, case .constant(.number(let h)) = hi.kind {
                // Between two numbers (`days_overdue between 1 and 14`, every rule of the standard
                // ladder): a number is compared as it is, each row, without the general order.
                return { row throws(RuntimeError) in
                    let value = v(row)
                    if case .number(let x) = value { return (x >= l && x <= h) != negated }
                    guard let above = try Value.order(value, .number(l), at: range),
                        let below = try Value.order(value, .number(h), at: range)
                    else { return false }
                    return (above >= 0 && below <= 0) != negated
                }
            }
            return { row throws(RuntimeError) in
                let value = v(row)
                guard let above = try Value.order(value, a(row), at: range), let below = try Value.order(value, b(row), at: range)
                else { return false }
                return (above >= 0 && below <= 0) != negated
            }
        case .isNull(let x, let negated):
            guard let v = rowValue(x, entity: entity) else { return nil }
            return { row throws(RuntimeError) in v(row).isNull != negated }
        case .not(let x):
            guard let t = rowTest(x, entity: entity) else { return nil }
            return { row throws(RuntimeError) in try !t(row) }
        case .and(let items):
            return rowTest(items, entity: entity, until: false)
        case .or(let items):
            return rowTest(items, entity: entity, until: true)
        default:
            return nil
        }
    }
}

extension Interpreter {
    typealias PositionCompute = @Sendable (Int) throws(RuntimeError) -> Value

    /// The expression as a function of a position of `frame` that may fail, when it is made
    /// of the frame's columns, row values (`rowValue`) and constants by arithmetic,
    /// comparisons, `and`, `or`, `not`, `is null`, `between`, `??`, `if`, `min`/`max` and the
    /// functions of the standard library; `nil` otherwise. It gives what `evaluate` gives, with
    /// the same errors, and is run on all cores (`computed`).
    func positionCompute(_ n: Node, in frame: Frame) -> PositionCompute? {
        let range = n.range
        func each(_ nodes: [Node]) -> [PositionCompute]? {
            let made = nodes.compactMap { positionCompute($0, in: frame) }
            return made.count == nodes.count ? made : nil
        }
        func truth(_ f: @escaping PositionCompute) -> @Sendable (Int) throws(RuntimeError) -> Bool {
            { p throws(RuntimeError) in
                if case .bool(true) = try f(p) { return true }
                return false
            }
        }
        // A condition on the row alone is its row test, which compares without the general
        // order where it can.
        let rows = frame.rows
        func condition(_ c: Node) -> (@Sendable (Int) throws(RuntimeError) -> Bool)? {
            if let entity = frame.entity, let test = rowTest(c, entity: entity) {
                return { p throws(RuntimeError) in try test(rows[p]) }
            }
            return positionCompute(c, in: frame).map(truth)
        }
        func conditions(_ nodes: [Node]) -> [@Sendable (Int) throws(RuntimeError) -> Bool]? {
            let made = nodes.compactMap(condition)
            return made.count == nodes.count ? made : nil
        }
        switch n.kind {
        case .constant(let v):
            return { _ in v }
        case .column(0, let c):
            let column = frame.values[c]
            return { column[$0] }
        case .field(0, _), .member:
            guard let entity = frame.entity, let read = rowValue(n, entity: entity) else { return nil }
            return { read(rows[$0]) }
        case .negate(let x):
            guard let f = positionCompute(x, in: frame) else { return nil }
            return { p throws(RuntimeError) in try Value.negated(f(p), at: range) }
        case .not(let x):
            guard let f = condition(x) else { return nil }
            return { p throws(RuntimeError) in .bool(!(try f(p))) }
        case .and(let items), .or(let items):
            guard let fs = conditions(items) else { return nil }
            let decisive: Bool
            if case .or = n.kind { decisive = true } else { decisive = false }
            let test = chained(fs, until: decisive)
            return { p throws(RuntimeError) in .bool(try test(p)) }
        case .arithmetic(let first, let steps):
            guard let f = positionCompute(first, in: frame), let operands = each(steps.map(\.operand)) else { return nil }
            if steps.count == 1, steps[0].op != .multiply, steps[0].op != .divide {
                // One step of +, - or ++: no chain to make exact.
                let (op, at, g) = (steps[0].op, steps[0].range, operands[0])
                return { p throws(RuntimeError) in try Value.arithmetic(op, f(p), g(p), at: at) }
            }
            let ops = steps.map { ($0.op, $0.range) }
            let values = gathered(operands)
            return { p throws(RuntimeError) in
                let v = try f(p)
                let operands = try values(p)
                return try Value.chain(v, operands.indices.map { (ops[$0].0, operands[$0], ops[$0].1) })
            }
        case .coalesce(let a, let b):
            guard let x = positionCompute(a, in: frame), let y = positionCompute(b, in: frame) else { return nil }
            return { p throws(RuntimeError) in
                let v = try x(p)
                return v.isNull ? try y(p) : v
            }
        case .compare(let op, let a, let b):
            guard let x = positionCompute(a, in: frame), let y = positionCompute(b, in: frame) else { return nil }
            return { p throws(RuntimeError) in .bool(op.holds(try Value.order(x(p), y(p), at: range))) }
        case .between(let x, let lo, let hi, let negated):
            guard let v = positionCompute(x, in: frame), let a = positionCompute(lo, in: frame),
                let b = positionCompute(hi, in: frame)
            else { return nil }
            return { p throws(RuntimeError) in
                let value = try v(p)
                guard let above = try Value.order(value, a(p), at: range), let below = try Value.order(value, b(p), at: range)
                else { return .bool(false) }
                return .bool((above >= 0 && below <= 0) != negated)
            }
        case .isNull(let x, let negated):
            guard let f = positionCompute(x, in: frame) else { return nil }
            return { p throws(RuntimeError) in .bool(try f(p).isNull != negated) }
        case .conditional(let branches, let otherwise):
            guard let conditions = conditions(branches.map(\.condition)), let values = each(branches.map(\.value))
            else { return nil }
            var rest: PositionCompute = { _ in .null }
            if let otherwise {
                guard let last = positionCompute(otherwise, in: frame) else { return nil }
                rest = last
            }
            guard conditions.count <= Interpreter.nestedAtMost else {
                let last = rest
                return { p throws(RuntimeError) in
                    for (k, condition) in conditions.enumerated() where try condition(p) { return try values[k](p) }
                    return try last(p)
                }
            }
            // From the last branch back: each tests its condition, else goes on to the next.
            for (condition, value) in zip(conditions, values).reversed() {
                rest = { [rest] p throws(RuntimeError) in try condition(p) ? try value(p) : try rest(p) }
            }
            return rest
        case .extreme(let args, let largest):
            guard var fs = each(args), !fs.isEmpty else { return nil }
            guard fs.count <= Interpreter.nestedAtMost else {
                return { [fs] p throws(RuntimeError) in
                    var best: Value = .null
                    for f in fs { best = try Value.extreme(best, f(p), largest: largest, at: range) }
                    return best
                }
            }
            var best = fs.removeFirst()
            for f in fs {
                best = { [best] p throws(RuntimeError) in try Value.extreme(best(p), f(p), largest: largest, at: range) }
            }
            return best
        case .call(let builtin, let args):
            guard case .scalar = builtin.kind, let fs = each(args) else { return nil }
            let arguments = gathered(fs)
            return { p throws(RuntimeError) in try builtin.called(arguments(p), at: range) }
        case .list(let items):
            guard let fs = each(items) else { return nil }
            let values = gathered(fs)
            return { p throws(RuntimeError) in .list(try values(p)) }
        case .inlined(let name, let body):
            guard let f = positionCompute(body, in: frame) else { return nil }
            return { p throws(RuntimeError) in
                do throws(RuntimeError) {
                    return try f(p)
                } catch {
                    throw error.within(name, at: range)
                }
            }
        default:
            return nil
        }
    }

    /// The values of `fs` at a position, in order: nested (see `chained`) when they are few.
    private func gathered(_ fs: [PositionCompute]) -> @Sendable (Int) throws(RuntimeError) -> [Value] {
        let count = fs.count
        guard count <= Interpreter.nestedAtMost else {
            return { p throws(RuntimeError) in
                var values: [Value] = []
                for f in fs { values.append(try f(p)) }
                return values
            }
        }
        var all: @Sendable (Int) throws(RuntimeError) -> [Value] = { _ in
            var values: [Value] = []
            values.reserveCapacity(count)
            return values
        }
        for f in fs {
            all = { [all] p throws(RuntimeError) in
                var values = try all(p)
                values.append(try f(p))
                return values
            }
        }
        return all
    }

    /// `f` of every position of `frame`, in parts on all cores, null where it fails; and each
    /// position's error, naming its row.
    func computedEach(_ frame: Frame, _ f: PositionCompute) -> (values: [Value], failures: [Int: RuntimeError]) {
        let ranges = slices(of: frame.count, parts: Interpreter.parts, minimum: minimumPart)
        var parts: [[Int: RuntimeError]] = []
        // Each part writes its own positions of the one array: no part is copied after.
        let values = [Value](unsafeUninitializedCapacity: frame.count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            nonisolated(unsafe) let start = base
            parts = concurrently(ranges.count) { k -> [Int: RuntimeError] in
                var failures: [Int: RuntimeError] = [:]
                var stopped = false
                for i in ranges[k] {
                    var value = Value.null
                    if !stopped {
                        do throws(RuntimeError) {
                            if i & 1023 == 0 { try interruption.check() }
                            value = try f(i)
                        } catch {
                            failures[i] = error
                            stopped = error.interrupted
                        }
                    }
                    (start + i).initialize(to: value)
                }
                return failures
            }
            initialized = frame.count
        }
        var failures: [Int: RuntimeError] = [:]
        for part in parts {
            for (i, error) in part {
                var e = error
                if e.row == nil && !e.interrupted { e.row = describe(frame, i) }
                failures[i] = e
            }
        }
        return (values, failures)
    }

    /// `f` of every position of `frame`, in parts on all cores. An error is the one of the
    /// first position that fails, as if computed one by one, and names its row.
    func computed(_ frame: Frame, _ f: PositionCompute) throws(RuntimeError) -> [Value] {
        let (values, failures) = computedEach(frame, f)
        if let stop = failures.values.first(where: \.interrupted) { throw stop }
        if let first = failures.keys.min(), let error = failures[first] { throw error }
        return values
    }
}

extension Interpreter {
    /// A chain of at most this many functions of a row is made of nested functions, each
    /// calling the next: a loop over an array of functions retains and releases each one on
    /// every row. A longer chain (a generated `or` of thousands) is a loop, as nesting that
    /// deep would overflow the stack.
    static let nestedAtMost = 16

    /// The conditions of an `and` (`decisive` false) or an `or` (true) chain, tested in turn
    /// until one gives `decisive`: then the chain gives it too.
    private func rowTest(_ items: [Node], entity: EntityID, until decisive: Bool) -> RowTest? {
        let tests = items.compactMap { rowTest($0, entity: entity) }
        guard tests.count == items.count else { return nil }
        return chained(tests, until: decisive)
    }

    /// `tests` as one test, each run in turn until one gives `decisive`, which the chain then
    /// gives; `!decisive` if none does.
    func chained<T>(
        _ tests: [@Sendable (T) throws(RuntimeError) -> Bool], until decisive: Bool
    ) -> @Sendable (T) throws(RuntimeError) -> Bool {
        guard var test = tests.last, tests.count <= Interpreter.nestedAtMost else {
            return { x throws(RuntimeError) in
                for test in tests where try test(x) == decisive { return decisive }
                return !decisive
            }
        }
        for earlier in tests.dropLast().reversed() {
            test = { [test] x throws(RuntimeError) in try earlier(x) == decisive ? decisive : test(x) }
        }
        return test
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
