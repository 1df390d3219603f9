// Checker: resolves every name against the schema and types every expression before
// a single row is read.

import DunCore

/// Checks parsed statements. Reports every error it finds; nothing runs if there is one.
public struct Checker {
    let schema: Schema
    let source: SourceText
    var globals: Globals
    var diagnostics: [Diagnostic] = []
    /// Row types in scope, innermost last: a filter or stage pushes the row it runs on.
    var scopes: [RowType] = []
    /// While checking an `aggregate` item outside any aggregate call: the index in `scopes`
    /// of the group's rows, whose fields must be aggregated.
    var groupScope: Int?
    /// While checking an `aggregate` item: the index of the group's rows, and how often they
    /// were referred to (a table built from them differs from row to row).
    var groupRows: Int?
    var groupReferences = 0
    /// In a function's body: its parameters, with the types of the call's arguments.
    var parameters: [(name: String, type: DunType)] = []
    /// The parameters given a list of numbers written out (`[30, 60, 90]`), by name: a pivot
    /// by `band(days_overdue, edges)` in the body knows its columns.
    var listedArguments: [String: [Decimal64]] = [:]
    /// The functions whose bodies are being checked, outermost first: one that calls itself
    /// is an error, not an endless check.
    var calling: [String] = []
    /// Checking a module: the name its names are defined under (`aging.report`), and looked
    /// up under first.
    var module: String?
    /// The bodies of the functions checked so far, by name and argument types: a function
    /// called twice with the same types is checked once (nested calls would be exponential).
    var checkedCalls = CheckedCalls()

    final class CheckedCalls {
        var bodies: [String: (locals: [CheckedPipeline], body: CheckedPipeline)] = [:]
    }

    /// Checks `statements` against the session's `globals`. The `let` bindings they make take
    /// effect for the session only as each runs (`Globals.bind`).
    public static func check(
        _ statements: [Statement], source: SourceText, schema: Schema, globals: Globals, module: String? = nil
    ) -> (statements: [CheckedStatement], diagnostics: [Diagnostic]) {
        var checker = Checker(schema: schema, source: source, globals: globals)
        checker.module = module
        var policies: [String: Range<Int>] = [:]
        var out: [CheckedStatement] = []
        for statement in statements {
            if case .policy(let p) = statement {
                if let first = policies[p.name] {
                    checker.error(
                        "policy '\(p.name)' is defined twice", p.nameRange,
                        hint: "the first is at \(checker.lineColumn(first.lowerBound))")
                }
                policies[p.name] = p.nameRange
                checker.globals.define(policy: p.name)
            }
            out.append(checker.statement(statement))
        }
        return (out, checker.diagnostics)
    }

    // MARK: statements and pipelines

    private mutating func statement(_ s: Statement) -> CheckedStatement {
        switch s {
        case .query(let p):
            return .query(pipeline(p))
        case .binding(let name, let range, let p):
            if schema.entity(named: name) != nil || name == "today" {
                error("'\(name)' is a built-in name", range, hint: "choose another name for the binding")
            }
            let checked = pipeline(p)
            let qualified = module.map { "\($0).\(name)" } ?? name
            return .binding(slot: globals.bind(qualified, checked.type), name: qualified, checked)
        case .explain(let p, let range):
            let checked = pipeline(p)
            switch checked.type {
            case .table, .unknown: break
            default: error("explain needs a query that gives a table", range, hint: "explain customers where overdue > 30")
            }
            return .explain(checked)
        case .policy(let p):
            return .policy(policy(p))
        case .plan(let name, let range):
            knownPolicy(name, range)
            return .plan(name: name, range: range)
        case .why(let id, let policy, let range):
            knownPolicy(policy, range)
            return .why(id: id, policy: policy, range: range)
        case .test(let t):
            var asOf: Node?
            if let e = t.asOf {
                let n = expression(e)
                expect(n, .date, "expected the test's as-of date", hint: "as of 2026-11-28")
                asOf = n
            }
            let expectations = t.expectations.map { e -> CheckedExpectation in
                switch e {
                case .holds(let x):
                    let n = expression(x)
                    expect(n, .bool, "expected a condition to hold", hint: "expect count(customers where on_hold) = 0")
                    return .holds(n, range: x.range)
                case .plans(let p):
                    knownPolicy(p.policy, p.range)
                    return .plans(p)
                }
            }
            return .test(CheckedTest(name: t.name, asOf: asOf, expectations: expectations, range: t.range))
        case .function(let f):
            return .function(function(f), module: module)
        case .import(let i):
            return .imported(range: i.range)
        case .record(let r):
            guard case .promise(_, _, let amount, let by) = r.kind else { return .record(r, nodes: []) }
            let a = expression(amount)
            // A bare number is in the customer's currency, as a number beside money takes its currency.
            if a.type != .number {
                expect(a, .money, "expected the amount promised", hint: "record promise \"C001\" 50000 by 2026-12-15")
            }
            let d = expression(by)
            expect(d, .date, "expected the day promised", hint: "record promise \"C001\" 50000 by 2026-12-15")
            return .record(r, nodes: [a, d])
        }
    }

    /// Whether a node reads a field or column shown as a percentage, as it is.
    private func isPercent(_ n: Node) -> Bool {
        switch n.kind {
        case .field(let depth, let f):
            guard depth < scopes.count, let e = scopes[scopes.count - 1 - depth].entity else { return false }
            return schema[e].fields[f].percent
        case .column(let depth, let c):
            guard depth < scopes.count else { return false }
            let columns = scopes[scopes.count - 1 - depth].columns
            return c < columns.count && columns[c].percent
        case .member(let base, let f):
            guard case .row(let e) = base.type else { return false }
            return schema[e].fields[f].percent
        default:
            return false
        }
    }

    /// `fn NAME(…) = …`: its name and parameters, and its body as far as it can be checked
    /// without the types of the arguments (names, and what does not depend on them); defined
    /// for the statements after it.
    private mutating func function(_ f: FunctionDefinition) -> FunctionDefinition {
        if Builtin.named(f.name) != nil || schema.entity(named: f.name) != nil || f.name == "today" {
            error("'\(f.name)' is a built-in name", f.nameRange, hint: "choose another name for the function")
        }
        for (i, p) in f.parameters.enumerated() where f.parameters[..<i].contains(p) {
            error("parameter '\(p)' is named twice", f.parameterRanges[i])
        }
        // Defined first, so that a body that calls itself says so.
        globals.define(function: f, in: source, module: module)
        var body = Checker(schema: schema, source: source, globals: globals)
        body.parameters = f.parameters.map { ($0, .unknown) }
        body.module = module
        body.calling = [module.map { "\($0).\(f.name)" } ?? f.name]
        for local in f.locals {
            if f.parameters.contains(local.name)
                || body.parameters.dropFirst(f.parameters.count).contains(where: { $0.name == local.name })
            {
                body.error("'\(local.name)' is named twice in \(f.name)", local.nameRange)
            }
            body.parameters.append((local.name, body.pipeline(local.value).type))
        }
        _ = body.pipeline(f.body)
        diagnostics += body.diagnostics
        globals.define(function: f, in: source, module: module, broken: !body.diagnostics.isEmpty)
        return f
    }

    /// A call of a function `fn` defined: its arguments checked here, its body checked with
    /// their types (in the source it was written in, with no rows in scope).
    mutating func call(_ f: Globals.Function, _ args: [Expr], _ range: Range<Int>) -> Node {
        let d = f.definition
        let name = f.module.map { "\($0).\(d.name)" } ?? d.name
        let arguments = args.map { expression($0) }
        let unknown = Node(kind: .constant(.null), type: .unknown, range: range)
        // Its own errors were told where it was defined.
        guard !f.broken else { return unknown }
        guard arguments.count == d.parameters.count else {
            error(
                "\(d.name) takes \(d.parameters.count) argument\(d.parameters.count == 1 ? "" : "s"), found \(arguments.count)",
                range,
                hint: "\(d.name)(\(d.parameters.joined(separator: ", ")))")
            return unknown
        }
        guard !calling.contains(name) else {
            error(
                "\(name) calls itself (\((calling + [name]).joined(separator: " → "))); a function cannot", range,
                hint: "a function's value is a query over the data, computed once per call")
            return unknown
        }
        // An argument of unknown type was reported where it was written.
        guard !arguments.contains(where: { $0.type == .unknown }) else { return unknown }
        // A list written out, here or where the caller was given it, goes in by its text.
        let listed = args.map(listedNumbers)
        let key =
            "\(name)(\(zip(arguments, listed).map { a, l in l.map { "\($0)" } ?? String(describing: a.type) }.joined(separator: ",")))"
        if let done = checkedCalls.bodies[key] {
            return Node(
                kind: .function(name: name, locals: done.locals, body: done.body, arguments: arguments), type: done.body.type,
                range: range)
        }
        var body = Checker(schema: schema, source: f.source, globals: globals)
        body.checkedCalls = checkedCalls
        body.parameters = zip(d.parameters, arguments.map(\.type)).map { ($0, $1) }
        body.listedArguments = Dictionary(zip(d.parameters, listed).compactMap { p, l in l.map { (p, $0) } }) { a, _ in a }
        body.module = f.module
        body.calling = calling + [name]
        var locals: [CheckedPipeline] = []
        for local in d.locals {
            let value = body.pipeline(local.value)
            locals.append(value)
            body.parameters.append((local.name, value.type))
        }
        let checked = body.pipeline(d.body)
        if !body.diagnostics.isEmpty {
            let at = "called at \(source.name):\(lineColumn(range.lowerBound))"
            diagnostics += body.diagnostics.map {
                var d = $0; d.notes.append(at); return d
            }
            return unknown
        }
        checkedCalls.bodies[key] = (locals, checked)
        return Node(
            kind: .function(name: name, locals: locals, body: checked, arguments: arguments), type: checked.type, range: range)
    }

    private mutating func knownPolicy(_ name: String, _ range: Range<Int>) {
        if !globals.isPolicy(name) {
            error(
                "no policy '\(name)'", range,
                hint: nearestName(to: name, in: globals.policies).map { "did you mean '\($0)'?" }
                    ?? "define it with policy \(name) { … }, or load the file that does")
        }
    }

    mutating func pipeline(_ p: Pipeline) -> CheckedPipeline {
        let source = expression(p.source)
        var current = source.type
        var stages: [CheckedStage] = []
        var ended: String?
        for stage in p.stages {
            if let ended {
                error("'\(ended)' ends a pipeline; nothing can follow it", stage.range)
                break
            }
            guard case .table(let row) = current else {
                if current != .unknown {
                    error(
                        "this stage needs a table, but the pipeline holds a \(current.name(in: schema)) here",
                        stage.range)
                }
                break
            }
            let kind: CheckedStageKind
            switch stage.kind {
            case .filter(let e):
                kind = .filter(within(row) { $0.condition(e) })
            case .sort(let keys):
                kind = .sort(
                    within(row) { c in
                        keys.map { key in
                            let n = c.expression(key.expr)
                            if !(n.type.isOrdered || n.type == .bool) {
                                c.error("cannot sort by a \(n.type.name(in: c.schema))", key.expr.range)
                            }
                            return (n, key.descending)
                        }
                    })
            case .take(let e):
                let n = expression(e)
                expect(n, .number, "take needs a number of rows")
                kind = .take(n)
            case .select(let items):
                let (columns, nodes) = within(row) { $0.items(items, taken: []) }
                kind = .select(columns, nodes)
                current = .table(.record(columns))
            case .derive(let items):
                let existing = existingNames(row)
                let (columns, nodes) = within(row) { $0.items(items, taken: existing, requireNames: "derive") }
                kind = .derive(columns, nodes)
                switch row {
                case .entity(let e, let extras): current = .table(.entity(e, extras: extras + columns))
                case .record(let cols): current = .table(.record(cols + columns))
                }
            case .group(let keys, let aggregates):
                let (checked, columns) = group(row, keys: keys, aggregates: aggregates, range: stage.range)
                kind = checked
                current = .table(.record(columns))
            case .pivot(let keys, let key, let values, let aggregates):
                // The key computed once per row, in a column of its own (a stage `explain` does
                // not show), rather than once for each value's column.
                let hidden = Item(name: "\u{1F}pivot", nameRange: nil, expr: key)
                let taken = existingNames(row)
                let (keyColumn, keyNode) = within(row) { $0.items([hidden], taken: taken) }
                let keyed: RowType
                switch row {
                case .entity(let e, let extras): keyed = .entity(e, extras: extras + keyColumn)
                case .record(let cols): keyed = .record(cols + keyColumn)
                }
                stages.append(
                    CheckedStage(kind: .derive(keyColumn, keyNode), range: stage.range.lowerBound..<stage.range.lowerBound))
                let items = pivoted(
                    key: key, type: keyNode.first?.type ?? .unknown, reading: Expr(.name("\u{1F}pivot"), key.range),
                    values: values, aggregates: aggregates)
                let (checked, columns) = group(keyed, keys: keys, aggregates: items, range: stage.range)
                kind = checked
                current = .table(.record(columns))
            case .total(let label):
                ended = "total"
                guard let last = stages.last, case .group(let keys, let aggregates, let columns, nil) = last.kind, !keys.isEmpty
                else {
                    error(
                        "total adds a last row to the groups of a 'group by' just before it", stage.range,
                        hint: "invoices | group by region aggregate sum(balance) | total")
                    continue
                }
                // The first key's column holds the label: text, its values written as they print.
                var labelled = columns
                labelled[0].type = .string
                stages[stages.count - 1].kind = .group(
                    keys: keys, aggregates: aggregates, columns: labelled, total: label ?? "(all)")
                current = .table(.record(labelled))
                continue
            case .union(let e):
                let other = expression(e)
                let (columns, ok) = united(row, other, stage.range)
                guard ok else { continue }
                kind = .union(other, columns)
                current = .table(.record(columns))
            case .accumulate(let items):
                let existing = existingNames(row)
                let (columns, nodes) = within(row) { $0.items(items, taken: existing, requireNames: "accumulate") }
                for (c, n) in zip(columns, nodes)
                where !(c.type == .number || c.type == .money || c.type == .null || c.type == .unknown) {
                    error("accumulate adds up numbers or money, not \(c.type.name(in: schema))", n.range)
                }
                kind = .accumulate(columns, nodes)
                switch row {
                case .entity(let e, let extras): current = .table(.entity(e, extras: extras + columns))
                case .record(let cols): current = .table(.record(cols + columns))
                }
            case .count:
                kind = .count
                current = .number
                ended = "count"
            case .chart(let columns, let title):
                let (checked, drawn) = chart(row, columns: columns, title: title, range: stage.range)
                kind = checked
                current = drawn.isEmpty ? .unknown : .table(.record(drawn))
                ended = "chart"
            case .action(let a):
                kind = .action(action(a, row: row))
                ended = "an action"
            }
            stages.append(CheckedStage(kind: kind, range: stage.range))
        }
        return CheckedPipeline(source: source, stages: stages, type: current, range: p.range)
    }

    /// Runs `body` with `row` as the innermost scope.
    mutating func within<T>(_ row: RowType, _ body: (inout Checker) -> T) -> T {
        scopes.append(row)
        defer { scopes.removeLast() }
        return body(&self)
    }

    private func existingNames(_ row: RowType) -> [String] {
        var names = row.columns.map(\.name)
        if let e = row.entity { names += schema[e].fields.map(\.name) }
        return names
    }

    /// Checks `name = expr` items; an unnamed item is named after its source text.
    private mutating func items(_ items: [Item], taken: [String], requireNames: String? = nil) -> ([Column], [Node]) {
        var columns: [Column] = []
        var nodes: [Node] = []
        for item in items {
            let node = expression(item.expr)
            if case .table = node.type {
                error("a column cannot hold a whole table", item.expr.range, hint: "count or sum it: count(invoices)")
            }
            let name: String
            if let n = item.name {
                name = n
            } else {
                if let what = requireNames {
                    error("\(what) needs a name for each column", item.expr.range, hint: "\(what) name = …")
                }
                name = source.text.utf8Slice(item.expr.range)
            }
            let range = item.nameRange ?? item.expr.range
            if taken.contains(name) {
                error("'\(name)' is already a field of this table", range, hint: "choose another name")
            } else if columns.contains(where: { $0.name == name }) {
                error("duplicate column '\(name)'", range, hint: "name it: other_name = …")
            }
            columns.append(Column(name: name, type: node.type, percent: isPercent(node)))
            nodes.append(node)
        }
        return (columns, nodes)
    }

    // group → keys, then aggregates checked with the group's rows in scope
    private mutating func group(
        _ row: RowType, keys: [Item], aggregates: [Item], range: Range<Int>
    ) -> (CheckedStageKind, [Column]) {
        scopes.append(row)
        defer { scopes.removeLast() }
        let (keyColumns, keyNodes) = items(keys, taken: [])
        // A table as a key is already reported: a column cannot hold a table.
        for n in keyNodes {
            if case .list = n.type {
                error("cannot group by a \(n.type.name(in: schema))", n.range, hint: "group by a field such as region or bucket")
            }
        }
        groupScope = scopes.count - 1
        groupRows = groupScope
        var (aggColumns, aggNodes) = items(aggregates, taken: keyColumns.map(\.name))
        groupScope = nil
        groupRows = nil
        if aggregates.isEmpty {
            aggColumns = [Column(name: "count", type: .number)]
            aggNodes = [Node(kind: .groupAggregate(.count, nil), type: .number, range: range)]
        }
        let columns = keyColumns + aggColumns
        return (.group(keys: keyNodes, aggregates: aggNodes, columns: columns, total: nil), columns)
    }

    /// The numbers of a list written out (`[30, 60, 90]`), or of the parameter given one; nil
    /// for anything else.
    func listedNumbers(_ e: Expr) -> [Decimal64]? {
        if case .name(let n) = e.kind { return listedArguments[n] }
        guard case .list(let items) = e.kind else { return nil }
        var numbers: [Decimal64] = []
        for item in items {
            guard case .literal(.number(let n)) = item.kind else { return nil }
            numbers.append(n)
        }
        return numbers
    }

    /// The columns of `union`: the two tables' records must have the same columns, by name and
    /// order, of types that agree (null fits any); and whether they do.
    private mutating func united(_ row: RowType, _ other: Node, _ range: Range<Int>) -> ([Column], Bool) {
        let hint = "select the same columns on both sides: … | select date, amount | union (payments | select date, amount)"
        guard case .record(let mine) = row else {
            error("union joins tables of records: select the columns first", range, hint: hint)
            return ([], false)
        }
        guard case .table(let theirs) = other.type else {
            if other.type != .unknown { error("union needs a table, found \(other.type.name(in: schema))", other.range) }
            return ([], false)
        }
        guard case .record(let cols) = theirs, cols.map(\.name) == mine.map(\.name) else {
            let names: [String] = if case .record(let cols) = theirs { cols.map(\.name) } else { [] }
            error(
                "union joins tables of the same columns: these have \(mine.map(\.name).joined(separator: ", ")), that one \(names.isEmpty ? "an entity's rows" : names.joined(separator: ", "))",
                other.range, hint: hint)
            return ([], false)
        }
        var columns = mine
        for i in columns.indices {
            guard let t = unify(mine[i].type, cols[i].type) else {
                error(
                    "column \(mine[i].name) is \(mine[i].type.name(in: schema)) here and \(cols[i].type.name(in: schema)) in the other table",
                    other.range)
                return ([], false)
            }
            columns[i].type = t
        }
        return (columns, true)
    }

    /// The bands of `band(…, [edges])` (edges the argument `argument`) or `bands([edges])`
    /// whose edges are numbers written out, here or in the call of the function checked;
    /// nil for anything else.
    func literalBands(_ e: Expr, argument: Int = 0) -> AgingBands? {
        guard case .call(let name, _, let args) = e.kind, name == (argument == 0 ? "bands" : "band"),
            args.count == argument + 1
        else { return nil }
        return listedNumbers(args[argument]).flatMap { AgingBands(edges: $0) }
    }

    /// The aggregates of `pivot key [in values] aggregate items`: the one unnamed item once
    /// per value of the key, named after it and aggregating the rows that have it, in the
    /// values' order (aging buckets in aging order, grades A to E, true then false, or as
    /// listed); then the named items. Each compares `reading` (the key's column) with a value.
    private mutating func pivoted(key: Expr, type: DunType, reading: Expr, values: Expr?, aggregates: [Item]) -> [Item] {
        let named = aggregates.filter { $0.name != nil }
        let cases: [(label: String, value: Expr)]
        // Bands of edges written out: `pivot band(days_overdue, [30, 60, 90, 120])`, or
        // `in bands([…])`, have their labels known.
        if let bands = values.map({ literalBands($0) }) ?? literalBands(key, argument: 1) {
            cases = bands.labels.map { ($0, Expr(.literal(.string($0)), values?.range ?? key.range)) }
        } else if let values {
            guard case .list(let items) = values.kind else {
                error("the values of a pivot are a list: pivot region in [\"华东\", \"华南\"]", values.range)
                return named
            }
            cases = items.map { item in
                switch item.kind {
                case .literal(.string(let s)): return (s, item)
                case .literal(let l): return (l.description, item)
                case .name(let n): return (n, item)
                default: return (source.text.utf8Slice(item.range), item)
                }
            }
        } else {
            switch type {
            case .bucket:
                cases = AgingBucket.allCases.map { ($0.description, Expr(.literal(.string($0.description)), key.range)) }
            case .grade: cases = Grade.allCases.map { ($0.description, Expr(.name($0.description), key.range)) }
            case .bool: cases = [true, false].map { ("\($0)", Expr(.literal(.bool($0)), key.range)) }
            case .unknown: return named
            default:
                let text = source.text.utf8Slice(key.range)
                var isBand = false
                if case .call("band", _, let args) = key.kind {
                    isBand = true
                    // Written out, but not edges: say what edges are.
                    if args.count == 2, case .list = args[1].kind {
                        error("band: \(AgingBands.rule)", args[1].range)
                        return named
                    }
                }
                error(
                    "a pivot by \(type.name(in: schema)) needs the values that are its columns", key.range,
                    hint: isBand
                        ? "write the edges out, here or in the call of the function: band(days_overdue, [30, 60, 90])"
                        : "pivot \(text) in [\"…\", \"…\"]: only buckets, grades and true/false have theirs known")
                return named
            }
        }
        if cases.isEmpty, let values {
            error("a pivot needs at least one value to make a column of", values.range, hint: "pivot region in [\"华东\", \"华南\"]")
            return named
        }
        let unnamed = aggregates.filter { $0.name == nil }
        guard unnamed.count == 1, case .call(let name, let nameRange, let args) = unnamed[0].expr.kind,
            let builtin = Builtin.named(name), case .aggregate = builtin.kind
        else {
            error(
                "a pivot makes a column per value of one unnamed aggregate; name the others",
                unnamed.first?.expr.range ?? key.range,
                hint: "pivot bucket aggregate sum(balance), total = sum(balance)")
            return named
        }
        let pivotedCases: [Item] = cases.map { label, value in
            let holds = Expr(.compare(.equal, reading, value), key.range)
            // `sum(balance where disputed)`: both conditions.
            let argument =
                args.first.map { a -> Expr in
                    guard case .filter(let v, let condition) = a.kind else { return Expr(.filter(a, holds), a.range) }
                    return Expr(.filter(v, Expr(.and([condition, holds]), condition.range)), a.range)
                } ?? holds
            return Item(
                name: label, nameRange: nil, expr: Expr(.call(name, nameRange: nameRange, [argument]), unnamed[0].expr.range))
        }
        return pivotedCases + named
    }

    // MARK: policies

    private mutating func policy(_ p: Policy) -> CheckedPolicy {
        var rules: [CheckedRule] = []
        var seen: [String: Range<Int>] = [:]
        for rule in p.rules {
            if let first = seen[rule.name] {
                error(
                    "rule '\(rule.name)' appears twice in policy '\(p.name)'", rule.nameRange,
                    hint: "the first is at \(lineColumn(first.lowerBound))")
            }
            seen[rule.name] = rule.nameRange
            let query = pipeline(rule.query)
            var actions: [CheckedAction] = []
            switch query.type {
            case .table(let row) where row.entity.map({ ["customers", "invoices"].contains(schema[$0].name) }) == true:
                actions = rule.actions.map { action($0, row: row) }
            case .unknown:
                break
            default:
                error(
                    "a rule selects customers or invoices, not a \(query.type.name(in: schema))", rule.query.range,
                    hint: "rule late: invoices where days_overdue > 30 => …")
            }
            rules.append(
                CheckedRule(
                    name: rule.name, nameRange: rule.nameRange, includesDisputed: rule.includesDisputed, query: query,
                    actions: actions))
        }
        var tolerance: Node?
        if let e = p.tolerance {
            let n = expression(e)
            expect(n, .money, "expected an amount", hint: "ignore balances below 10 CNY")
            tolerance = n
        }
        return CheckedPolicy(
            name: p.name, title: p.title, tolerance: tolerance, levelsPerInvoice: p.levelsPerInvoice, rules: rules)
    }

    // MARK: diagnostics

    mutating func error(_ message: String, _ range: Range<Int>, hint: String? = nil) {
        diagnostics.append(source.diagnostic(message, at: range, hint: hint))
    }

    func lineColumn(_ offset: Int) -> String {
        let p = source.position(of: offset..<offset)
        return "\(p.line):\(p.column)"
    }
}
