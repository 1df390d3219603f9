// Interpreter: walks checked expressions and pipelines over the host's rows.

import DunCore

/// The host's rows: what entity names and fields evaluate to.
public protocol DataSource: Sendable {
    /// The run's as-of date: what `today` means.
    var today: Day { get }
    /// The rows of an entity, in order.
    func rows(of entity: EntityID) -> [Int32]
    /// A field of one row.
    func value(of entity: EntityID, field: Int, row: Int32) -> Value
    /// A field as a function of the row, for reading it from many rows: found once, it
    /// reads each row with no lookup of the field, and so nothing shared is written (which
    /// would make threads reading rows at once wait on each other).
    func reader(of entity: EntityID, field: Int) -> @Sendable (Int32) -> Value
    /// When a field is the table of the rows of another entity that belong to the row (a
    /// customer's invoices): that entity, and the row each of its rows belongs to, if any.
    func relation(of entity: EntityID, field: Int) -> (child: EntityID, owner: @Sendable (Int32) -> Int32?)?
    /// The exchange rates money is converted at (`x in USD`), as of `today`.
    var rates: ExchangeRates { get }
    /// The currency of all the workspace's money, when it has one.
    var currency: Currency? { get }
    /// The same data as of another day (`as_of`); nil when it has no other days.
    func asOf(_ day: Day) throws(RuntimeError) -> (any DataSource)?
}

extension DataSource {
    public func reader(of entity: EntityID, field: Int) -> @Sendable (Int32) -> Value {
        { row in self.value(of: entity, field: field, row: row) }
    }

    public func relation(of entity: EntityID, field: Int) -> (child: EntityID, owner: @Sendable (Int32) -> Int32?)? { nil }

    public var rates: ExchangeRates { ExchangeRates() }
    public var currency: Currency? { nil }
    public func asOf(_ day: Day) throws(RuntimeError) -> (any DataSource)? { nil }
}

/// What a statement produced.
public enum Outcome: Sendable {
    /// A `let` or a policy: nothing to show.
    case none
    case value(Value, DunType)
    case table(Frame)
    /// A table to be drawn where it prints (`| chart`): its first column the labels, if
    /// `labelled`, then the values; where charts are not drawn, the table.
    case chart(ChartSpec, Frame)
    /// Each stage with the rows it kept, then the result.
    case explain([ExplainStep], Frame)
}

/// One line of `explain`: a stage, the rows it kept, and the first of them.
public struct ExplainStep: Sendable {
    public var text: String
    public var rows: Int
    public var sample: [Value]
    /// A condition of an `and` chain, shown indented under its `where`.
    public var isPart: Bool
}

/// The rows an expression is evaluated on: one per enclosing filter or stage.
struct Env {
    var scopes: [(frame: Frame, position: Int)] = []
    /// The rows of the group an `aggregate` item is computed over.
    var group: GroupScope?
    /// The values of the parameters of the function being computed.
    var parameters: [Value] = []
}

/// The session's `let` values; a binding made lazily is computed when first read.
final class GlobalValues {
    var values: [Value?] = []
    var pending: [Int: (name: String, pipeline: CheckedPipeline)] = [:]
    /// Every binding's query, computed or not: as of another day (`as_of`), each is computed
    /// again, when first read.
    var definitions: [Int: (name: String, pipeline: CheckedPipeline)] = [:]
}

/// Runs checked statements. Holds the session's `let` values.
public struct Interpreter {
    public let schema: Schema
    public let data: any DataSource
    /// Where a request to stop the running statement comes in.
    public let interruption: Interruption
    private var globals = GlobalValues()

    /// The session's `let`s of tables, by slot, with what reads no row computed: the queries a
    /// query compiled to SQL reads for them.
    var tableLets: [Int: CheckedPipeline] {
        globals.definitions.compactMapValues { definition in
            guard case .table = definition.pipeline.type else { return nil }
            return folded(definition.pipeline)
        }
    }
    /// The fewest rows a loop over a frame is split into parts of, to run on all cores
    /// (`Interpreter.parts`); tests make it 1, to split every loop of every script.
    public var minimumPart = 1 << 14
    /// The fewest rows of a table for work done once for all its rows to be worth it: a
    /// function's body folded for a call given the table (`Interpreter.folded(_:given:)`), the
    /// aggregates inside an expression computed for all its rows at once (`hoisted`); tests
    /// make it 0, to do both in every script.
    public var minimumFolded = 1024
    /// How many parts the rows of a table are cut into when each row's related rows are folded
    /// (`aggregatePerRow`), each on a core; tests make it more than the cores, to cut them.
    public var ownerParts = cores
    /// While folding a function's body for one call: the values of its parameters.
    var given: [Value]?

    public init(schema: Schema, data: any DataSource, interruption: Interruption = Interruption()) {
        self.schema = schema
        self.data = data
        self.interruption = interruption
    }

    /// Runs one statement; `source` gives `explain` the text of each stage.
    /// With `lazily`, a `let` is computed only when first read (the standard library's
    /// bindings, which most scripts never read).
    public func run(_ statement: CheckedStatement, source: SourceText, lazily: Bool = false) throws(RuntimeError) -> Outcome {
        var env = Env()
        switch statement {
        case .query(let p):
            let value = try pipeline(p, &env)
            if case .chart(let spec, _, _)? = p.stages.last?.kind, case .table(let frame) = value {
                return .chart(spec, frame)
            }
            return outcome(value, p.type)
        case .binding(let slot, let name, let p):
            while globals.values.count <= slot { globals.values.append(nil) }
            globals.definitions[slot] = (name, p)
            if lazily {
                globals.values[slot] = nil
                globals.pending[slot] = (name, p)
            } else {
                globals.values[slot] = try pipeline(p, &env)
                globals.pending[slot] = nil
            }
            return .none
        case .explain(let p):
            return try explain(p, source: source, &env)
        case .policy, .plan, .why, .test, .record, .function, .imported:
            return .none
        }
    }

    private func outcome(_ v: Value, _ type: DunType) -> Outcome {
        if case .table(let frame) = v { return .table(frame) }
        return .value(v, type)
    }

    // MARK: expressions

    func evaluate(_ n: Node, _ env: inout Env) throws(RuntimeError) -> Value {
        switch n.kind {
        case .constant(let v):
            return v
        case .today:
            return .date(data.today)
        case .field(let depth, let field):
            let scope = env.scopes[env.scopes.count - 1 - depth]
            guard let e = scope.frame.entity else { return .null }
            return data.value(of: e, field: field, row: scope.frame.rows[scope.position])
        case .column(let depth, let index):
            let scope = env.scopes[env.scopes.count - 1 - depth]
            return scope.frame.values[index][scope.position]
        case .global(let slot):
            return try global(slot, at: n.range)
        case .entityTable(let e):
            return .table(Frame(entity: e, rows: data.rows(of: e)))
        case .member(let base, let field):
            guard case .row(let e, let row) = try evaluate(base, &env) else { return .null }
            return data.value(of: e, field: field, row: row)
        case .project(let base, let projection):
            guard case .table(let frame) = try evaluate(base, &env) else { return .null }
            switch projection {
            case .field(let f):
                guard let e = frame.entity else { return .null }
                return .list(frame.rows.map { data.value(of: e, field: f, row: $0) })
            case .column(let c):
                return .list(frame.values[c])
            }
        case .negate(let x):
            return try Value.negated(evaluate(x, &env), at: n.range)
        case .not(let x):
            return .bool(!(try truth(x, &env)))
        case .and(let items):
            for item in items where !(try truth(item, &env)) { return .bool(false) }
            return .bool(true)
        case .or(let items):
            for item in items where try truth(item, &env) { return .bool(true) }
            return .bool(false)
        case .arithmetic(let first, let steps):
            let v = try evaluate(first, &env)
            var values: [(op: ArithmeticOperator, value: Value, range: Range<Int>)] = []
            for step in steps { values.append((step.op, try evaluate(step.operand, &env), step.range)) }
            return try Value.chain(v, values)
        case .coalesce(let a, let b):
            let v = try evaluate(a, &env)
            return v.isNull ? try evaluate(b, &env) : v
        case .compare(let op, let a, let b):
            return .bool(op.holds(try Value.order(evaluate(a, &env), evaluate(b, &env), at: n.range)))
        case .between(let x, let lo, let hi, let negated):
            let v = try evaluate(x, &env)
            guard let a = try Value.order(v, evaluate(lo, &env), at: n.range),
                let b = try Value.order(v, evaluate(hi, &env), at: n.range)
            else { return .bool(false) }
            return .bool((a >= 0 && b <= 0) != negated)
        case .isIn(let x, let set, let negated):
            let v = try evaluate(x, &env)
            guard !v.isNull, case .list(let items) = try evaluate(set, &env) else { return .bool(false) }
            for item in items where try Value.order(v, item, at: n.range) == 0 {
                return .bool(!negated)
            }
            return .bool(negated)
        case .isNull(let x, let negated):
            return .bool(try evaluate(x, &env).isNull != negated)
        case .asOf(let dayNode, let body):
            guard case .date(let day) = try evaluate(dayNode, &env) else { return .null }
            // A day's snapshot takes a while to make: a request to stop is heard between them.
            try interruption.check()
            do throws(RuntimeError) {
                guard let source = try data.asOf(day) else {
                    throw RuntimeError("as_of needs a workspace, which has other days", n.range)
                }
                var inner = Interpreter(schema: schema, data: source, interruption: interruption)
                inner.minimumPart = minimumPart
                inner.minimumFolded = minimumFolded
                inner.ownerParts = ownerParts
                // The session's bindings, each computed again as of that day when read.
                inner.globals = GlobalValues()
                inner.globals.values = globals.values.map { _ in nil }
                inner.globals.pending = globals.definitions
                inner.globals.definitions = globals.definitions
                return try inner.evaluate(body, &env)
            } catch {
                var e = error
                // The making of the day's snapshot has no place of its own: this call is it.
                if !e.interrupted, e.range.isEmpty { e.range = n.range }
                e.message = error.interrupted ? e.message : "as of \(day): \(e.message)"
                throw e
            }
        case .parameter(let i):
            return i < env.parameters.count ? env.parameters[i] : .null
        case .function(let name, let locals, let body, let arguments):
            try interruption.check()
            var inner = Env()
            for a in arguments { inner.parameters.append(try evaluate(a, &env)) }
            // Over a large table, or called once (in no row), what the body computes from the
            // arguments alone (`today - period`) is computed once for the call, not once per
            // row; a call per row of a small table is not worth the folding.
            let large =
                env.scopes.isEmpty
                || inner.parameters.contains { if case .table(let f) = $0 { f.count >= minimumFolded } else { false } }
            do {
                for local in locals {
                    inner.parameters.append(
                        try pipeline(large ? folded(local, given: inner.parameters) : local, &inner, folding: false))
                }
                return try pipeline(large ? folded(body, given: inner.parameters) : body, &inner, folding: false)
            } catch {
                // Its place is in the function's source: the call stands for it here. A
                // pipeline given as an argument (no name) is in this source already.
                if error.interrupted || name.isEmpty { throw error }
                var e = RuntimeError("in \(name): \(error.message)", n.range, hint: error.hint)
                e.row = error.row
                throw e
            }
        case .inlined(let name, let body):
            do {
                return try evaluate(body, &env)
            } catch {
                throw error.within(name, at: n.range)
            }
        case .conditional(let branches, let otherwise):
            for b in branches where try truth(b.condition, &env) { return try evaluate(b.value, &env) }
            return try otherwise.map { (o) throws(RuntimeError) in try evaluate(o, &env) } ?? .null
        case .convert(let x, let currency):
            let v = try evaluate(x, &env)
            if case .list(let items) = v {
                var converted: [Value] = []
                for item in items { converted.append(try self.converted(item, to: currency, at: n.range)) }
                return .list(converted)
            }
            return try converted(v, to: currency, at: n.range)
        case .contains(let whole, let part, let negated):
            let w = try evaluate(whole, &env)
            let p = try evaluate(part, &env)
            switch (w, p) {
            case (.string(let s), .string(let t)):
                return .bool(s.contains(t) != negated)
            case (.list(let items), _) where !p.isNull:
                for item in items where try Value.order(item, p, at: n.range) == 0 {
                    return .bool(!negated)
                }
                return .bool(negated)
            default:
                return .bool(false)
            }
        case .filter(let table, let predicate):
            guard case .table(let frame) = try evaluate(table, &env) else { return .null }
            return .table(try filter(frame, predicate, &env))
        case .list(let items):
            var values: [Value] = []
            for item in items { values.append(try evaluate(item, &env)) }
            return .list(values)
        case .call(let builtin, let args):
            var values: [Value] = []
            for a in args { values.append(try evaluate(a, &env)) }
            return try builtin.called(values, at: n.range)
        case .extreme(let args, let largest):
            var best: Value = .null
            for a in args { best = try Value.extreme(best, evaluate(a, &env), largest: largest, at: n.range) }
            return best
        case .aggregate(let aggregate, let arg):
            guard let arg else { return .null }
            switch try evaluate(arg, &env) {
            case .table(let frame):
                return .number(Decimal64(frame.count))
            case .list(let values):
                return try fold(aggregate, values, at: n.range, zero: zero(n.type))
            default:
                return .null
            }
        case .groupAggregate(let aggregate, let arg):
            guard let scope = env.group else { return .null }
            let groups = scope.groups
            guard let arg else { return .number(Decimal64(groups.sizes[scope.number])) }
            var values: [Value] = []
            values.reserveCapacity(groups.sizes[scope.number])
            let saved = env.group
            env.group = nil
            defer { env.group = saved }
            try forEachRow(groups.frame, groups.positions(of: scope.number), &env) { (me, _, env) throws(RuntimeError) in
                values.append(try me.evaluate(arg, &env))
            }
            return try fold(aggregate, values, at: n.range, zero: zero(n.type))
        case .groupFolded(let i):
            guard let scope = env.group, i < scope.groups.prefolded.count else { return .null }
            return try scope.groups.prefolded[i][scope.number].get()
        }
    }

    /// What a sum of nothing is: money 0 in the workspace's currency when it sums money (and
    /// the workspace has one currency), so that it divides and compares as money; else 0.
    func zero(_ type: DunType) -> Value {
        guard type == .money, let currency = data.currency else { return .number(.zero) }
        return .money(Money(minor: 0, currency: currency))
    }

    /// Money in `currency` at the rates of the as-of date; anything else as it is (null).
    private func converted(_ v: Value, to currency: Currency, at range: Range<Int>) throws(RuntimeError) -> Value {
        guard case .money(let m) = v else { return v }
        switch data.rates.convert(m, to: currency, on: data.today) {
        case .success(let converted):
            return .money(converted)
        case .failure(.noRate(let missing)):
            throw RuntimeError(
                "no exchange rate for \(missing) on or before \(data.today)", range, hint: ExchangeRates.hint(missing))
        case .failure(.tooLarge):
            throw RuntimeError("amount too large", range)
        }
    }

    private func global(_ slot: Int, at range: Range<Int>) throws(RuntimeError) -> Value {
        guard slot < globals.values.count else { return .null }
        if let v = globals.values[slot] { return v }
        guard let (name, p) = globals.pending[slot] else { return .null }
        var env = Env()
        do {
            let v = try pipeline(p, &env)
            globals.values[slot] = v
            globals.pending[slot] = nil
            return v
        } catch {
            // The error's place is in the binding's source, not in the one being run.
            throw RuntimeError("while computing \(name): \(error.message)", range, hint: error.hint)
        }
    }

    /// Whether a condition holds; null counts as false.
    func truth(_ n: Node, _ env: inout Env) throws(RuntimeError) -> Bool {
        if case .bool(true) = try evaluate(n, &env) { return true }
        return false
    }

    /// Runs `body` on each of `positions` of `frame` (all of them by default), each in turn the
    /// innermost scope; an error from it names the row. The scope is pushed once and moved
    /// from row to row: this loop is where most of a query's time goes.
    func forEachRow(
        _ frame: Frame, _ positions: [Int]? = nil, _ env: inout Env,
        _ body: (Interpreter, Int, inout Env) throws(RuntimeError) -> Void
    ) throws(RuntimeError) {
        env.scopes.append((frame, 0))
        let scope = env.scopes.count - 1
        defer { env.scopes.removeLast() }
        var current = 0
        do {
            if let positions {
                for (k, p) in positions.enumerated() {
                    if k & 1023 == 0 { try interruption.check() }
                    current = p
                    env.scopes[scope].position = p
                    try body(self, p, &env)
                }
            } else {
                for p in 0..<frame.count {
                    if p & 1023 == 0 { try interruption.check() }
                    current = p
                    env.scopes[scope].position = p
                    try body(self, p, &env)
                }
            }
        } catch {
            var e = error
            if e.row == nil && !e.interrupted { e.row = describe(frame, current) }
            throw e
        }
    }

    /// `customer C042`, or `row 3` of a table without an entity.
    func describe(_ frame: Frame, _ position: Int) -> String {
        guard let e = frame.entity else { return "row \(position + 1)" }
        let entity = schema[e]
        let key = data.value(of: e, field: entity.key, row: frame.rows[position])
        if case .string(let k) = key { return "\(entity.singular) \(k)" }
        return "\(entity.singular) #\(frame.rows[position])"
    }

    func filter(_ frame: Frame, _ predicate: Node, _ env: inout Env) throws(RuntimeError) -> Frame {
        var keep: [Int] = []
        if let entity = frame.entity, let test = rowTest(predicate, entity: entity) {
            keep = try kept(frame, test)
        } else {
            let (with, hoisted) = try hoisted([predicate], over: frame, &env)
            if let f = positionCompute(hoisted[0], in: with) {
                let values = try computed(with, f)
                keep = values.indices.filter { values[$0] == .bool(true) }
            } else {
                try forEachRow(with, nil, &env) { (me, i, env) throws(RuntimeError) in
                    if try me.truth(hoisted[0], &env) { keep.append(i) }
                }
            }
        }
        return keep.count == frame.count ? frame : frame.picking(keep)
    }

    /// Folds values into one: nulls are skipped; `count` counts non-null values, or true ones.
    func fold(_ aggregate: Aggregate, _ values: [Value], at range: Range<Int>, zero: Value) throws(RuntimeError) -> Value {
        var fold = Fold()
        for v in values { try fold.add(v, as: aggregate, at: range) }
        return try fold.result(of: aggregate, zero: zero, at: range)
    }
}

/// An aggregate of the values given to it so far, one at a time.
/// Small, as one is kept for each row of a table: the aggregate and the sum of nothing are
/// given to each call, not kept.
struct Fold {
    /// The sum, or the least or greatest value, so far.
    private var value: Value = .null
    /// The values added up, or counted.
    private var count = 0

    /// Takes in one more value for `aggregate`: a null is skipped; `count` counts a value
    /// unless it is false.
    mutating func add(_ v: Value, as aggregate: Aggregate, at range: Range<Int>) throws(RuntimeError) {
        guard !v.isNull else { return }
        switch aggregate {
        case .count:
            if case .bool(false) = v { return }
            count += 1
        case .sum, .avg:
            // Money of one currency, numbers and dates, the most summed and compared, without
            // the general arithmetic and order.
            if case .money(let x) = value, case .money(let y) = v, x.currency == y.currency,
                case (let minor, false) = x.minor.addingReportingOverflow(y.minor)
            {
                value = .money(Money(minor: minor, currency: x.currency))
            } else if case .number(let x) = value, case .number(let y) = v, let sum = x.adding(y) {
                value = .number(sum)
            } else {
                value = count == 0 ? v : try Value.arithmetic(.add, value, v, at: range)
            }
            count += 1
        case .min, .max:
            if case .date(let x) = value, case .date(let y) = v {
                if aggregate == .max ? y > x : y < x { value = v }
            } else if value.isNull {
                value = v
            } else if let order = try Value.order(v, value, at: range), aggregate == .max ? order > 0 : order < 0 {
                value = v
            }
        }
    }

    /// The `aggregate` of the values taken in: the sum of none is `zero`; their average,
    /// minimum or maximum is null.
    func result(of aggregate: Aggregate, zero: Value, at range: Range<Int>) throws(RuntimeError) -> Value {
        switch aggregate {
        case .count: return .number(Decimal64(count))
        case .sum: return count == 0 ? zero : value
        case .avg: return count == 0 ? .null : try Value.arithmetic(.divide, value, .number(Decimal64(count)), at: range)
        case .min, .max: return value
        }
    }
}
