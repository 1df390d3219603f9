// Inlining: a function whose body is one expression is computed as if its body were written
// at the call, its parameters replaced by the arguments, so that what the body aggregates
// over a row's related rows is computed for the whole table at once (`Decorrelation`), as
// the same aggregate written in the row's `derive` is.

import DunCore

extension NodeKind {
    /// The same node with each node directly inside it replaced by `transform(child, scoped)`;
    /// `scoped` tells a child computed with one more row in scope (a filter's condition).
    func mapped(_ transform: (Node, _ scoped: Bool) -> Node) -> NodeKind {
        func t(_ n: Node) -> Node { transform(n, false) }
        switch self {
        case .constant, .today, .field, .column, .global, .entityTable, .parameter, .groupFolded: return self
        case .member(let x, let f): return .member(t(x), field: f)
        case .project(let x, let p): return .project(t(x), p)
        case .negate(let x): return .negate(t(x))
        case .not(let x): return .not(t(x))
        case .and(let items): return .and(items.map(t))
        case .or(let items): return .or(items.map(t))
        case .arithmetic(let first, let steps):
            return .arithmetic(
                t(first),
                steps.map { s in
                    var s = s; s.operand = t(s.operand); return s
                })
        case .coalesce(let a, let b): return .coalesce(t(a), t(b))
        case .compare(let op, let a, let b): return .compare(op, t(a), t(b))
        case .between(let x, let lo, let hi, let negated): return .between(t(x), t(lo), t(hi), negated: negated)
        case .isIn(let x, let set, let negated): return .isIn(t(x), t(set), negated: negated)
        case .isNull(let x, let negated): return .isNull(t(x), negated: negated)
        case .convert(let x, let c): return .convert(t(x), c)
        case .conditional(let branches, let otherwise):
            return .conditional(
                branches.map { CheckedBranch(condition: t($0.condition), value: t($0.value)) }, otherwise: otherwise.map(t))
        case .asOf(let day, let body): return .asOf(t(day), t(body))
        case .function(let name, let locals, let body, let arguments):
            return .function(name: name, locals: locals, body: body, arguments: arguments.map(t))
        case .inlined(let name, let body): return .inlined(name: name, t(body))
        case .contains(let whole, let part, let negated): return .contains(t(whole), t(part), negated: negated)
        case .filter(let table, let predicate): return .filter(t(table), transform(predicate, true))
        case .list(let items): return .list(items.map(t))
        case .call(let b, let args): return .call(b, args.map(t))
        case .extreme(let args, let largest): return .extreme(args.map(t), largest: largest)
        case .aggregate(let a, let arg): return .aggregate(a, arg.map(t))
        case .groupAggregate(let a, let arg): return .groupAggregate(a, arg.map(t))
        }
    }
}

extension Node {
    /// The node with each row it reads from outside itself (`depth` at least `level`, the
    /// rows its own filters bring counted) `by` more scopes out; `nil` when `by` is negative
    /// and a row it reads would be inside.
    func shifted(by k: Int, level: Int = 0) -> Node? {
        guard k != 0 else { return self }
        var m = self
        switch kind {
        case .field(let d, let f) where d >= level:
            guard d + k >= level else { return nil }
            m.kind = .field(depth: d + k, field: f)
        case .column(let d, let i) where d >= level:
            guard d + k >= level else { return nil }
            m.kind = .column(depth: d + k, index: i)
        default:
            var failed = false
            m.kind = kind.mapped { child, scoped in
                guard let c = child.shifted(by: k, level: level + (scoped ? 1 : 0)) else {
                    failed = true
                    return child
                }
                return c
            }
            if failed { return nil }
        }
        return m
    }

    /// A function's body with each parameter replaced by its argument, the argument's rows
    /// reached from as many scopes further in as the parameter is.
    func substituting(_ arguments: [Node], level: Int = 0) -> Node {
        if case .parameter(let i) = kind {
            return i < arguments.count ? arguments[i].shifted(by: level) ?? self : self
        }
        var m = self
        m.kind = kind.mapped { child, scoped in child.substituting(arguments, level: level + (scoped ? 1 : 0)) }
        return m
    }
}

extension Node {
    /// Whether the node reads a row from outside itself (`depth` at least `level`, the rows
    /// its own filters bring counted): a call's arguments that do not are the same wherever
    /// the call's body is written out.
    func readsRow(outside level: Int = 0) -> Bool {
        switch kind {
        case .field(let d, _), .column(let d, _): return d >= level
        default:
            var reads = false
            _ = kind.mapped { child, scoped in
                if !reads, child.readsRow(outside: level + (scoped ? 1 : 0)) { reads = true }
                return child
            }
            return reads
        }
    }
}

extension CheckedPipeline {
    /// A function's body with each parameter replaced by its argument (arguments that read
    /// no row: see `Node.substituting`).
    func substituting(_ arguments: [Node]) -> CheckedPipeline {
        var p = self
        p.source = source.substituting(arguments)
        p.stages = stages.map { $0.mapped { $0.substituting(arguments) } }
        return p
    }

    /// The pipeline as a node where a table or a value is written: its source alone when it
    /// has no stages, else the pipeline given as an argument is (a call with no name).
    var node: Node {
        guard !stages.isEmpty else { return source }
        return Node(kind: .function(name: "", locals: [], body: self, arguments: []), type: type, range: range)
    }
}

extension CheckedStage {
    /// The same stage with each expression in it replaced by `transform(expression)`.
    func mapped(_ transform: (Node) -> Node) -> CheckedStage {
        var s = self
        switch kind {
        case .filter(let n): s.kind = .filter(transform(n))
        case .sort(let keys): s.kind = .sort(keys.map { (transform($0.key), $0.descending) })
        case .take(let n): s.kind = .take(transform(n))
        case .select(let columns, let nodes): s.kind = .select(columns, nodes.map(transform))
        case .derive(let columns, let nodes): s.kind = .derive(columns, nodes.map(transform))
        case .group(let keys, let aggregates, let columns, let total):
            s.kind = .group(keys: keys.map(transform), aggregates: aggregates.map(transform), columns: columns, total: total)
        case .union(let other, let columns): s.kind = .union(transform(other), columns)
        case .accumulate(let columns, let nodes): s.kind = .accumulate(columns, nodes.map(transform))
        case .chart(let spec, let columns, let nodes): s.kind = .chart(spec, columns, nodes.map(transform))
        case .count, .action: break
        }
        return s
    }
}

extension Node {
    /// The node with `today` the day `day` (an `as_of` body's, written out for that day),
    /// in the bodies of the functions it calls too; not inside an `as_of` of its own, whose
    /// `today` is its day.
    func replacingToday(with day: Day) -> Node {
        var m = self
        switch kind {
        case .today: m.kind = .constant(.date(day))
        case .asOf(let then, let body): m.kind = .asOf(then.replacingToday(with: day), body)
        case .function(let name, let locals, let body, let arguments):
            m.kind = .function(
                name: name, locals: locals.map { $0.replacingToday(with: day) }, body: body.replacingToday(with: day),
                arguments: arguments.map { $0.replacingToday(with: day) })
        default: m.kind = kind.mapped { child, _ in child.replacingToday(with: day) }
        }
        return m
    }
}

extension CheckedPipeline {
    /// The pipeline with `today` the day `day` (see `Node.replacingToday`).
    func replacingToday(with day: Day) -> CheckedPipeline {
        var p = self
        p.source = source.replacingToday(with: day)
        p.stages = stages.map { $0.mapped { $0.replacingToday(with: day) } }
        return p
    }
}
