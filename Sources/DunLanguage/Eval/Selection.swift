// Selection: what a rule (or a query ending in actions) selects, and what each of its
// actions' expressions comes to on each selected row, for the policies layer to plan.

/// An action's expressions on one row.
public struct ActionValues: Sendable {
    /// The verb's own expressions, in source order: `call by X` gives X; `offer plan N
    /// installments every D` gives N and D; `set grade = G`, G; `charge late fee F`, F.
    public var arguments: [Value]
    /// Whether its `when` holds (true without one).
    public var applies: Bool
    /// Its `at most once per D`, a duration.
    public var cooldown: Value?
}

/// The rows of one entity a query selects, and for each action, its values on each row.
public struct Selection: Sendable {
    public var entity: EntityID
    public var rows: [Int32]
    /// `actions[a][i]`: action `a` on `rows[i]`.
    public var actions: [[ActionValues]]
}

extension CheckedPipeline {
    /// The actions the pipeline ends with (`… | remind via email`), and the query before them.
    public var actions: (query: CheckedPipeline, actions: [CheckedAction]) {
        var query = self
        var actions: [CheckedAction] = []
        while case .action(let a)? = query.stages.last?.kind {
            actions.insert(a, at: 0)
            query.stages.removeLast()
        }
        return (query, actions)
    }
}

extension Interpreter {
    /// The value of an expression that reads no row (a policy's tolerance).
    public func value(of node: Node) throws(RuntimeError) -> Value {
        var env = Env()
        return try evaluate(node, &env)
    }

    /// Why `query` drops a row of its entity: nil when it keeps it; else where in the source
    /// is the first condition of a `where` (`a and b`: each in turn), or the first other
    /// stage, that drops it.
    public func dropped(_ row: Int32, by query: CheckedPipeline) throws(RuntimeError) -> Range<Int>? {
        var env = Env()
        let p = folded(query)
        guard case .table(let all) = try evaluate(p.source, &env), let position = all.rows.firstIndex(of: row) else {
            return p.source.range
        }
        var frame = all.picking([position])
        for stage in p.stages {
            if case .action = stage.kind { break }
            if case .filter(let predicate) = stage.kind {
                for part in conjuncts(predicate) {
                    frame = try filter(frame, part, &env)
                    if frame.count == 0 { return part.range }
                }
                continue
            }
            guard case .table(let kept) = try run(stage, on: .table(frame), &env) else { return nil }
            if kept.count == 0 { return stage.range }
            frame = kept
        }
        return nil
    }

    /// Runs `query` (it yields rows of an entity: the checker saw to it) and evaluates each
    /// action on every row it selects. An error on any row is an error of the whole
    /// selection, naming the row.
    public func select(_ query: CheckedPipeline, actions: [CheckedAction]) throws(RuntimeError) -> Selection {
        var env = Env()
        guard case .table(let frame) = try pipeline(query, &env), let entity = frame.entity else {
            throw RuntimeError("a rule selects customers or invoices", query.range)
        }
        var values: [[ActionValues]] = []
        for action in actions {
            let a = action.action
            let guards = (a.condition == nil ? 0 : 1) + (a.cooldown == nil ? 0 : 1)
            let arguments = Array(action.nodes.dropLast(guards))
            let condition = a.condition == nil ? nil : action.nodes[action.nodes.count - guards]
            let cooldown = a.cooldown == nil ? nil : action.nodes.last
            var column: [ActionValues] = []
            column.reserveCapacity(frame.count)
            try forEachRow(frame, nil, &env) { (me, _, env) throws(RuntimeError) in
                var row = ActionValues(arguments: [], applies: true, cooldown: nil)
                for n in arguments { row.arguments.append(try me.evaluate(n, &env)) }
                if let condition { row.applies = try me.truth(condition, &env) }
                if let cooldown { row.cooldown = try me.evaluate(cooldown, &env) }
                column.append(row)
            }
            values.append(column)
        }
        return Selection(entity: entity, rows: frame.rows, actions: values)
    }
}
