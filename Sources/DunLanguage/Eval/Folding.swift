// Folding: what reads no row is computed once per statement, not once per row.

extension Interpreter {
    /// The pipeline with each part that reads no row replaced by its value: in
    /// `invoices where issued > today - 90 days`, the date is computed once, not per invoice.
    func folded(_ p: CheckedPipeline) -> CheckedPipeline {
        var p = p
        p.source = folded(p.source)
        p.stages = p.stages.map { $0.mapped(folded) }
        return p
    }

    /// A function's body folded for one call: its parameters are the values `given`, and
    /// what it computes from them alone is computed now. Tables given stay parameters.
    func folded(_ p: CheckedPipeline, given: [Value]) -> CheckedPipeline {
        var folder = self
        folder.given = given
        return folder.folded(p)
    }

    func folded(_ n: Node) -> Node {
        var m = n
        let computable: Bool
        switch n.kind {
        case .today:
            m.kind = .constant(.date(data.today))
            return m
        case .constant, .field, .column, .global, .entityTable, .groupFolded:
            return n
        case .member(let base, let field):
            m.kind = .member(folded(base), field: field)
            return m
        case .project(let base, let projection):
            m.kind = .project(folded(base), projection)
            return m
        case .filter(let table, let predicate):
            m.kind = .filter(folded(table), folded(predicate))
            return m
        case .aggregate(let a, let arg):
            m.kind = .aggregate(a, arg.map(folded))
            return m
        case .groupAggregate(let a, let arg):
            m.kind = .groupAggregate(a, arg.map(folded))
            return m
        case .negate(let x):
            m.kind = .negate(folded(x))
            computable = true
        case .not(let x):
            m.kind = .not(folded(x))
            computable = true
        case .and(let items):
            m.kind = .and(items.map(folded))
            computable = true
        case .or(let items):
            m.kind = .or(items.map(folded))
            computable = true
        case .arithmetic(let first, let steps):
            return foldedChain(
                m, folded(first),
                steps.map { s in
                    var s = s; s.operand = folded(s.operand); return s
                })
        case .coalesce(let a, let b):
            m.kind = .coalesce(folded(a), folded(b))
            computable = true
        case .compare(let op, let a, let b):
            m.kind = .compare(op, folded(a), folded(b))
            computable = true
        case .between(let x, let lo, let hi, let negated):
            m.kind = .between(folded(x), folded(lo), folded(hi), negated: negated)
            computable = true
        case .isIn(let x, let set, let negated):
            m.kind = .isIn(folded(x), folded(set), negated: negated)
            computable = true
        case .isNull(let x, let negated):
            m.kind = .isNull(folded(x), negated: negated)
            computable = true
        case .convert(let x, let currency):
            m.kind = .convert(folded(x), currency)
            computable = true
        case .parameter(let i):
            guard let given, i < given.count else { return m }
            if case .table = given[i] { return m }
            m.kind = .constant(given[i])
            return m
        case .asOf(let day, let body):
            // Its value is computed as of another day, where `today` is that day: not now.
            m.kind = .asOf(folded(day), body)
            return m
        case .function(let name, let locals, let body, let arguments)
        where !name.isEmpty && locals.isEmpty && body.stages.isEmpty:
            // One expression: computed as if written here.
            m.kind = .inlined(name: name, folded(body.source.substituting(arguments)))
            return m
        case .inlined(let name, let body):
            m.kind = .inlined(name: name, folded(body))
            return m
        case .function(let name, let locals, let body, let arguments):
            // Its own parameters are its arguments, not the ones given to the body it is in.
            var own = self
            own.given = nil
            m.kind = .function(
                name: name, locals: locals.map(own.folded), body: own.folded(body), arguments: arguments.map(folded))
            return m
        case .conditional(let branches, let otherwise):
            m.kind = .conditional(
                branches.map { CheckedBranch(condition: folded($0.condition), value: folded($0.value)) },
                otherwise: otherwise.map(folded))
            computable = true
        case .contains(let whole, let part, let negated):
            m.kind = .contains(folded(whole), folded(part), negated: negated)
            computable = true
        case .list(let items):
            m.kind = .list(items.map(folded))
            computable = true
        case .call(let builtin, let args):
            m.kind = .call(builtin, args.map(folded))
            computable = true
        case .extreme(let args, let largest):
            m.kind = .extreme(args.map(folded), largest: largest)
            computable = true
        }
        // Computed now only when every part is a value; an error is left to happen where
        // the node runs, so that it names its row as before.
        var env = Env()
        guard computable, m.kind.children.allSatisfy(\.isConstant), let v = try? evaluate(m, &env) else { return m }
        m.kind = .constant(v)
        return m
    }
}

extension Interpreter {
    /// An arithmetic chain whose leading steps on values are computed now: in
    /// `today - 90 days + x`, the date; the rest stays, or the value when nothing does.
    private func foldedChain(_ n: Node, _ first: Node, _ steps: [CheckedStep]) -> Node {
        var m = n
        // A chain of * and / is computed as one (exactly), so only all of it at once.
        if steps.allSatisfy({ $0.op == .multiply || $0.op == .divide }) {
            m.kind = .arithmetic(first, steps)
            guard case .constant(let a) = first.kind else { return m }
            var values: [(op: ArithmeticOperator, value: Value, range: Range<Int>)] = []
            for step in steps {
                guard case .constant(let b) = step.operand.kind else { return m }
                values.append((step.op, b, step.range))
            }
            guard let v = try? Value.chain(a, values) else { return m }
            m.kind = .constant(v)
            return m
        }
        var first = first
        var rest = steps[...]
        while let step = rest.first, case .constant(let a) = first.kind, case .constant(let b) = step.operand.kind,
            let v = try? Value.arithmetic(step.op, a, b, at: step.range)
        {
            first = Node(kind: .constant(v), type: step.type, range: step.range)
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { return first }
        m.kind = .arithmetic(first, Array(rest))
        return m
    }
}

extension Node {
    var isConstant: Bool {
        if case .constant = kind { return true }
        return false
    }
}

extension NodeKind {
    /// The nodes directly inside this one.
    var children: [Node] {
        switch self {
        case .constant, .today, .field, .column, .global, .entityTable, .groupFolded: return []
        case .member(let x, _), .project(let x, _), .negate(let x), .not(let x), .isNull(let x, _), .convert(let x, _):
            return [x]
        case .coalesce(let a, let b), .compare(_, let a, let b), .isIn(let a, let b, _), .contains(let a, let b, _),
            .filter(let a, let b):
            return [a, b]
        case .arithmetic(let first, let steps): return [first] + steps.map(\.operand)
        case .between(let x, let lo, let hi, _): return [x, lo, hi]
        case .list(let items), .call(_, let items), .extreme(let items, _), .and(let items), .or(let items): return items
        case .aggregate(_, let arg), .groupAggregate(_, let arg): return arg.map { [$0] } ?? []
        case .conditional(let branches, let otherwise):
            return branches.flatMap { [$0.condition, $0.value] } + (otherwise.map { [$0] } ?? [])
        case .parameter: return []
        case .asOf(let day, let body): return [day, body]
        case .function(_, _, _, let arguments): return arguments
        case .inlined(_, let body): return [body]
        }
    }
}
