// Checker+Expressions: the type rules of expressions, and name resolution.

import DunCore

extension Checker {
    mutating func expression(_ e: Expr) -> Node {
        func node(_ kind: NodeKind, _ type: DunType) -> Node { Node(kind: kind, type: type, range: e.range) }
        switch e.kind {
        case .literal(let literal):
            switch literal {
            case .number(let n): return node(.constant(.number(n)), .number)
            case .money(let m): return node(.constant(.money(m)), .money)
            case .date(let d): return node(.constant(.date(d)), .date)
            case .duration(let d): return node(.constant(.duration(d)), .duration)
            case .string(let s): return node(.constant(.string(s)), .string)
            case .bool(let b): return node(.constant(.bool(b)), .bool)
            case .null: return node(.constant(.null), .null)
            }
        case .name(let name):
            return resolve(name, e.range)
        case .member(let base, let name, let nameRange):
            // `kpi.total`: a module's binding, unless a field or parameter has the module's name.
            if case .name(let m) = base.kind, globals.modules.contains(m), !parameters.contains(where: { $0.name == m }),
                !scopes.contains(where: { row in
                    row.columns.contains { $0.name == m } || row.entity.map { schema[$0].field(named: m) != nil } == true
                })
            {
                if let slot = globals.slot(of: "\(m).\(name)") {
                    return Node(kind: .global(slot), type: globals.types[slot], range: e.range)
                }
                error(
                    "module \(m) has no '\(name)'", nameRange,
                    hint: nearestName(to: name, in: globals.names(of: m)).map { "did you mean '\(m).\($0)'?" })
                return Node(kind: .constant(.null), type: .unknown, range: e.range)
            }
            return member(expression(base), name, nameRange, e.range)
        case .call(let name, let nameRange, let args):
            return call(name, nameRange, args, e.range)
        case .negate(let operand):
            let n = expression(operand)
            switch n.type {
            case .number, .money, .duration, .unknown, .null: return node(.negate(n), n.type)
            default:
                error("cannot negate a \(n.type.name(in: schema))", e.range)
                return node(.negate(n), .unknown)
            }
        case .not(let operand):
            return node(.not(condition(operand)), .bool)
        case .and(let items):
            return node(.and(items.map { condition($0) }), .bool)
        case .or(let items):
            return node(.or(items.map { condition($0) }), .bool)
        case .arithmetic(let first, let steps):
            return arithmetic(expression(first), steps, e.range)
        case .coalesce(let a, let b):
            let x = expression(a)
            let y = expression(b)
            guard let type = unify(x.type, y.type) else {
                error(
                    "'??' needs a default of the same type: \(x.type.name(in: schema)) ?? \(y.type.name(in: schema))",
                    e.range)
                return node(.coalesce(x, y), .unknown)
            }
            return node(.coalesce(x, y), type)
        case .compare(let op, let a, let b):
            var x = expression(a)
            var y = expression(b)
            comparable(&x, &y, ordered: op != .equal && op != .notEqual, e.range)
            return node(.compare(op, x, y), .bool)
        case .between(let v, let lo, let hi, let negated):
            var x = expression(v)
            var low = expression(lo)
            var high = expression(hi)
            comparable(&x, &low, ordered: true, e.range)
            comparable(&x, &high, ordered: true, e.range)
            return node(.between(x, low, high, negated: negated), .bool)
        case .isIn(let v, let set, let negated):
            var x = expression(v)
            var s = expression(set)
            switch s.type {
            case .list(let element):
                if case .list(var items) = s.kind {
                    for i in items.indices {
                        comparable(&x, &items[i], ordered: false, items[i].range)
                    }
                    s = Node(kind: .list(items), type: .list(x.type == .bucket ? .bucket : element), range: s.range)
                } else {
                    var probe = Node(kind: .constant(.null), type: element, range: s.range)
                    comparable(&x, &probe, ordered: false, e.range)
                }
            case .unknown:
                break
            default:
                error("'in' needs a list: [\"华东\", \"华南\"]", set.range)
            }
            return node(.isIn(x, s, negated: negated), .bool)
        case .isNull(let v, let negated):
            return node(.isNull(expression(v), negated: negated), .bool)
        case .conditional(let branches, let otherwise):
            var checked: [CheckedBranch] = []
            var type = DunType.null
            for value in branches.map(\.value) + (otherwise.map { [$0] } ?? []) {
                let v = expression(value)
                if let t = unify(type, v.type) {
                    type = t
                } else {
                    error(
                        "'if' gives \(type.name(in: schema)) in one branch and \(v.type.name(in: schema)) in another",
                        value.range, hint: "each branch gives the same type; null where there is nothing")
                    type = .unknown
                }
                if checked.count < branches.count {
                    checked.append(CheckedBranch(condition: condition(branches[checked.count].condition), value: v))
                } else {
                    return node(.conditional(checked, otherwise: v), type)
                }
            }
            return node(.conditional(checked, otherwise: nil), type)
        case .convert(let v, let currency):
            let x = expression(v)
            switch x.type {
            case .money, .null, .unknown: return node(.convert(x, currency), .money)
            case .list(.money), .list(.null), .list(.unknown): return node(.convert(x, currency), .list(.money))
            default:
                error(
                    "only money is converted to a currency; this is \(x.type.name(in: schema))", e.range,
                    hint: "a number becomes money as 100 \(currency), or ¥100")
                return node(.convert(x, currency), .money)
            }
        case .contains(let whole, let part, let negated):
            let w = expression(whole)
            var p = expression(part)
            switch (w.type, p.type) {
            case (.string, .string), (.unknown, _), (_, .unknown), (_, .null):
                break
            case (.list(let element), _):
                var probe = Node(kind: .constant(.null), type: element, range: w.range)
                comparable(&probe, &p, ordered: false, e.range)
            default:
                error(
                    "'contains' looks for text in text, or a value in a list; found \(w.type.name(in: schema)) and \(p.type.name(in: schema))",
                    e.range)
            }
            return node(.contains(w, p, negated: negated), .bool)
        case .filter(let table, let predicate):
            return filtered(expression(table), predicate, e.range)
        case .list(let items):
            let nodes = items.map { expression($0) }
            var element: DunType = .null
            for n in nodes {
                guard let u = unify(element, n.type) else {
                    error("a list holds values of one type; this is a \(n.type.name(in: schema))", n.range)
                    break
                }
                element = u
            }
            return node(.list(nodes), .list(element))
        case .pipeline(let p):
            return pipelineArgument(p, e.range)
        }
    }

    /// A pipeline given as an argument: checked as a function's body is, with no rows in
    /// scope but the parameters and lets of the function it is in, which it is given as its
    /// own arguments.
    private mutating func pipelineArgument(_ p: Pipeline, _ range: Range<Int>) -> Node {
        // Its names would not see the row's fields: `invoices` would be every invoice.
        guard scopes.isEmpty else {
            error(
                "a pipeline cannot be given for each row", range,
                hint: "filter the row's table with where: count(invoices where balance > 0)")
            return Node(kind: .constant(.null), type: .unknown, range: range)
        }
        var inner = Checker(schema: schema, source: source, globals: globals)
        inner.checkedCalls = checkedCalls
        inner.parameters = parameters
        inner.listedArguments = listedArguments
        inner.module = module
        inner.calling = calling
        let checked = inner.pipeline(p)
        diagnostics += inner.diagnostics
        checkedCalls = inner.checkedCalls
        guard inner.diagnostics.isEmpty else { return Node(kind: .constant(.null), type: .unknown, range: range) }
        let given = parameters.indices.map { Node(kind: .parameter($0), type: parameters[$0].type, range: range) }
        return Node(kind: .function(name: "", locals: [], body: checked, arguments: given), type: checked.type, range: range)
    }

    /// `t where predicate`, the predicate seeing each row of table `t`.
    private mutating func filtered(_ t: Node, _ predicate: Expr, _ range: Range<Int>) -> Node {
        // Of a table not known (an error told, or a parameter before its call): nothing to
        // check the condition against.
        if t.type == .unknown { return Node(kind: .constant(.null), type: .unknown, range: range) }
        guard case .table(let row) = t.type else {
            if t.type != .unknown {
                error(
                    "'where' filters a table, but this is a \(t.type.name(in: schema))", t.range,
                    hint: "inside an aggregate, sum(balance where …) adds up the rows where it holds")
            }
            return Node(kind: .filter(t, condition(predicate)), type: .unknown, range: range)
        }
        let p = within(row) { $0.condition(predicate) }
        return Node(kind: .filter(t, p), type: t.type, range: range)
    }

    /// The argument of an aggregate, `value where predicate` among them: a table filtered; a
    /// table's field (`invoices.balance where disputed`) of the rows where it holds; in an
    /// `aggregate` item, a value of each row of the group (`balance where bucket = "90+"`)
    /// where it holds, and null (which aggregates skip) where not.
    private mutating func aggregated(_ arg: Expr, inGroup: Bool) -> Node {
        guard case .filter(let value, let predicate) = arg.kind else { return expression(arg) }
        let v = expression(value)
        switch (v.kind, v.type) {
        case (.project(let base, let projection), .list) where base.type.isTable:
            return Node(kind: .project(filtered(base, predicate, arg.range), projection), type: v.type, range: arg.range)
        case (_, .table), (_, .list), (_, .unknown):
            return filtered(v, predicate, arg.range)
        case _ where inGroup:
            let branch = CheckedBranch(condition: condition(predicate), value: v)
            return Node(kind: .conditional([branch], otherwise: nil), type: v.type, range: arg.range)
        default:
            return filtered(v, predicate, arg.range)
        }
    }

    /// An expression that must be true or false.
    mutating func condition(_ e: Expr) -> Node {
        let n = expression(e)
        expect(n, .bool, "expected a condition (true or false)")
        return n
    }

    mutating func expect(_ n: Node, _ type: DunType, _ message: String, hint: String? = nil) {
        guard n.type != type, n.type != .unknown, n.type != .null else { return }
        error("\(message), found \(n.type.name(in: schema))", n.range, hint: hint)
    }

    // MARK: names

    /// A name is, in order: a field of a row in scope (innermost first), a `let` binding,
    /// an entity, `today`, or a grade letter.
    mutating func resolve(_ name: String, _ range: Range<Int>) -> Node {
        // In a function's body, its parameters first.
        if let p = parameters.firstIndex(where: { $0.name == name }) {
            return Node(kind: .parameter(p), type: parameters[p].type, range: range)
        }
        for index in scopes.indices.reversed() {
            let depth = scopes.count - 1 - index
            var found: Node?
            switch scopes[index] {
            case .entity(let e, let extras):
                if let f = schema[e].field(named: name) {
                    found = Node(kind: .field(depth: depth, field: f), type: schema[e].fields[f].type, range: range)
                } else if let c = extras.firstIndex(where: { $0.name == name }) {
                    found = Node(kind: .column(depth: depth, index: c), type: extras[c].type, range: range)
                }
            case .record(let columns):
                if let c = columns.firstIndex(where: { $0.name == name }) {
                    found = Node(kind: .column(depth: depth, index: c), type: columns[c].type, range: range)
                }
            }
            guard let found else { continue }
            if index == groupRows { groupReferences += 1 }
            if groupScope == index {
                error(
                    "'\(name)' differs from row to row of a group; aggregate it", range,
                    hint: "use sum(\(name)), min(\(name)), max(\(name)) or avg(\(name)), or group by it")
            }
            return found
        }
        if let module, let slot = globals.slot(of: "\(module).\(name)") {
            return Node(kind: .global(slot), type: globals.types[slot], range: range)
        }
        if let slot = globals.slot(of: name) {
            return Node(kind: .global(slot), type: globals.types[slot], range: range)
        }
        if let e = schema.entity(named: name) {
            return Node(kind: .entityTable(e), type: .table(.entity(e, extras: [])), range: range)
        }
        if name == "today" {
            return Node(kind: .today, type: .date, range: range)
        }
        if name.count == 1, name == name.uppercased(), let grade = Grade(letter: name) {
            return Node(kind: .constant(.grade(grade)), type: .grade, range: range)
        }
        var candidates = globals.names + schema.entities.map(\.name) + ["today"]
        var message = "unknown name '\(name)'"
        if let row = scopes.last {
            // Not the columns the checker made (a pivot's key): no one wrote them.
            candidates = row.columns.map(\.name).filter { !$0.hasPrefix("\u{1F}") } + candidates
            if let e = row.entity {
                candidates = schema[e].fields.map(\.name) + candidates
                message = "unknown field '\(name)' in \(schema[e].name)"
            } else {
                message = "unknown column '\(name)'"
            }
        }
        let gradeHint = name.count == 1 && Grade(letter: name) != nil ? "if you meant the grade, write \(name.uppercased())" : nil
        let hint =
            gradeHint ?? Habits.hints[name.lowercased()] ?? nearestName(to: name, in: candidates).map { "did you mean '\($0)'?" }
            ?? (scopes.last?.entity).map { "\(schema[$0].name) have: \(schema[$0].fields.map(\.name).joined(separator: ", "))" }
        error(message, range, hint: hint)
        return Node(kind: .constant(.null), type: .unknown, range: range)
    }

    private mutating func member(_ base: Node, _ name: String, _ nameRange: Range<Int>, _ range: Range<Int>) -> Node {
        func missing(_ fields: [String], _ what: String) -> Node {
            error(
                "\(what) has no field '\(name)'", nameRange,
                hint: nearestName(to: name, in: fields).map { "did you mean '\($0)'?" })
            return Node(kind: .constant(.null), type: .unknown, range: range)
        }
        switch base.type {
        case .row(let e):
            guard let f = schema[e].field(named: name) else {
                return missing(schema[e].fields.map(\.name), "a \(schema[e].singular)")
            }
            return Node(kind: .member(base, field: f), type: schema[e].fields[f].type, range: range)
        case .table(let row):
            if let e = row.entity, let f = schema[e].field(named: name) {
                let type = schema[e].fields[f].type
                if case .table = type {
                    error("cannot take '\(name)' of every row of a table", nameRange, hint: "use a filter per row instead")
                    return Node(kind: .constant(.null), type: .unknown, range: range)
                }
                return Node(kind: .project(base, .field(f)), type: .list(type), range: range)
            }
            if let c = row.columns.firstIndex(where: { $0.name == name }) {
                return Node(kind: .project(base, .column(c)), type: .list(row.columns[c].type), range: range)
            }
            let fields = row.columns.map(\.name) + (row.entity.map { schema[$0].fields.map(\.name) } ?? [])
            return missing(fields, "the table")
        case .unknown:
            return Node(kind: .constant(.null), type: .unknown, range: range)
        default:
            error("a \(base.type.name(in: schema)) has no fields", nameRange)
            return Node(kind: .constant(.null), type: .unknown, range: range)
        }
    }

    // MARK: calls

    private mutating func call(_ name: String, _ nameRange: Range<Int>, _ args: [Expr], _ range: Range<Int>) -> Node {
        guard let builtin = Builtin.named(name) else {
            if let module, let f = globals.function(named: "\(module).\(name)") { return call(f, args, range) }
            if let f = globals.function(named: name) { return call(f, args, range) }
            if let dot = name.firstIndex(of: "."), globals.modules.contains(String(name[..<dot])) {
                let module = String(name[..<dot])
                args.forEach { _ = expression($0) }
                error(
                    "module \(module) has no function '\(name[name.index(after: dot)...])'", nameRange,
                    hint: nearestName(to: String(name[name.index(after: dot)...]), in: globals.names(of: module))
                        .map { "did you mean '\(module).\($0)'?" }
                        ?? "it has: \(globals.names(of: module).joined(separator: ", "))")
                return Node(kind: .constant(.null), type: .unknown, range: range)
            }
            args.forEach { _ = expression($0) }
            error(
                "unknown function '\(name)'", nameRange,
                hint: nearestName(to: name, in: Builtin.all.map(\.name) + globals.functionNames).map { "did you mean '\($0)'?" })
            return Node(kind: .constant(.null), type: .unknown, range: range)
        }
        switch builtin.kind {
        case .aggregate(let aggregate) where !((aggregate == .min || aggregate == .max) && args.count > 1):
            return self.aggregate(aggregate, args, range)
        case .aggregate(let aggregate):
            // min(a, b, …) and max(a, b, …) of plain values
            var nodes = args.map { expression($0) }
            var type: DunType = .null
            // Nulls are skipped; every other argument must compare with the first of them.
            for i in nodes.indices where nodes[i].type != .null {
                if var first = nodes.first(where: { $0.type != .null }) {
                    comparable(&first, &nodes[i], ordered: true, nodes[i].range)
                }
                type = unify(type, nodes[i].type) ?? .unknown
            }
            return Node(kind: .extreme(nodes, largest: aggregate == .max), type: type, range: range)
        case .asOf:
            guard args.count == 2 else {
                args.forEach { _ = expression($0) }
                error(
                    "as_of takes a date and a value, found \(args.count) argument\(args.count == 1 ? "" : "s")", range,
                    hint: builtin.signature)
                return Node(kind: .constant(.null), type: .unknown, range: range)
            }
            let day = expression(args[0])
            expect(day, .date, "as_of needs a date first", hint: builtin.signature)
            let value = expression(args[1])
            return Node(kind: .asOf(day, value), type: value.type, range: range)
        case .scalar(let check, _):
            var args = args
            // `start_of(month, due)`: the span is a word, not a name to look up.
            if builtin.firstIsSpan, let first = args.first, case .name(let span) = first.kind {
                guard Day.Span(rawValue: span) != nil else {
                    error(
                        "\(name) needs a span of the calendar: week, month, quarter or year", first.range,
                        hint: nearestName(to: span, in: Day.Span.allCases.map(\.rawValue)).map { "did you mean '\($0)'?" })
                    args.dropFirst().forEach { _ = expression($0) }
                    return Node(kind: .constant(.null), type: .unknown, range: range)
                }
                args[0] = Expr(.literal(.string(span)), first.range)
            }
            let nodes = args.map { expression($0) }
            if nodes.contains(where: { $0.type == .unknown }) {
                return Node(kind: .call(builtin, nodes), type: .unknown, range: range)
            }
            switch check(nodes.map(\.type)) {
            case .success(let type):
                return Node(kind: .call(builtin, nodes), type: type, range: range)
            case .failure(let mismatch):
                error(
                    "\(name): \(mismatch.message), found (\(nodes.map { $0.type.name(in: schema) }.joined(separator: ", ")))",
                    range, hint: builtin.signature)
                return Node(kind: .call(builtin, nodes), type: .unknown, range: range)
            }
        }
    }

    /// `count(table)`, `sum(list)`; in an `aggregate` item, `sum(expr)` over the group's rows.
    private mutating func aggregate(_ aggregate: Aggregate, _ args: [Expr], _ range: Range<Int>) -> Node {
        let name = aggregate.rawValue
        let group = groupScope
        groupScope = nil
        defer { groupScope = group }
        guard let arg = args.first else {
            if group != nil && aggregate == .count {
                return Node(kind: .groupAggregate(.count, nil), type: .number, range: range)
            }
            error(
                "\(name) needs an argument", range,
                hint: aggregate == .count ? "count(invoices), or count() inside aggregate" : "\(name)(invoices.balance)")
            return Node(kind: .constant(.null), type: .unknown, range: range)
        }
        if args.count > 1 {
            error("\(name) takes one argument, found \(args.count)", range)
        }
        let before = groupReferences
        let n = aggregated(arg, inGroup: group != nil)
        let perRow = groupReferences > before
        let element: DunType
        let overCollection: Bool
        switch n.type {
        case .table(let row):
            guard aggregate == .count else {
                let money = row.entity.flatMap { e in schema[e].fields.first { $0.type == .money }?.name }
                error(
                    "\(name) of a table needs a field", arg.range,
                    hint: "\(name)(\(source.text.utf8Slice(arg.range)).\(money ?? "field"))")
                return Node(kind: .aggregate(aggregate, n), type: .unknown, range: range)
            }
            element = .number
            overCollection = true
        case .list(let t):
            element = t
            overCollection = true
        default:
            element = n.type
            overCollection = false
        }
        if overCollection, group != nil, perRow {
            error(
                "\(name)(…) here gives one value per row of the group; aggregate it over the group",
                range, hint: "sum(\(source.text.utf8Slice(range)))")
        }
        if !overCollection && group == nil && element != .unknown {
            error(
                "\(name) needs a table or a list here, found \(element.name(in: schema))", arg.range,
                hint: aggregate == .count
                    ? "count(invoices where balance > 0)" : "\(name)(invoices.balance), or use it inside 'aggregate'")
            return Node(kind: .aggregate(aggregate, n), type: .unknown, range: range)
        }
        let type = aggregateType(aggregate, element, arg.range)
        let kind: NodeKind = overCollection ? .aggregate(aggregate, n) : .groupAggregate(aggregate, n)
        return Node(kind: kind, type: type, range: range)
    }

    private mutating func aggregateType(_ aggregate: Aggregate, _ element: DunType, _ range: Range<Int>) -> DunType {
        switch aggregate {
        case .count:
            return .number
        case .sum, .avg:
            switch element {
            case .number, .money, .unknown: return element
            case .null: return .number
            default:
                error("\(aggregate.rawValue) needs numbers or money, not \(element.name(in: schema))", range)
                return .unknown
            }
        case .min, .max:
            if element.isOrdered || element == .null { return element }
            error("\(aggregate.rawValue) needs values that can be ordered, not \(element.name(in: schema))", range)
            return .unknown
        }
    }

    // MARK: type rules

    /// The common type of two branches (`??`, list elements), if any.
    func unify(_ a: DunType, _ b: DunType) -> DunType? {
        switch (a, b) {
        case _ where a == b: return a
        case (.null, _), (.unknown, _): return b
        case (_, .null), (_, .unknown): return a
        case (.number, .money), (.money, .number): return .money
        default: return nil
        }
    }

    /// Reports when `x` and `y` cannot be compared; turns a text constant compared with an
    /// aging bucket into that bucket.
    mutating func comparable(_ x: inout Node, _ y: inout Node, ordered: Bool, _ range: Range<Int>) {
        bucketConstant(&y, other: x)
        bucketConstant(&x, other: y)
        let a = x.type
        let b = y.type
        let what = "cannot compare \(a.name(in: schema)) with \(b.name(in: schema))"
        switch (a, b) {
        case (.unknown, _), (_, .unknown):
            return
        case (.null, _), (_, .null):
            error(
                "a comparison with null is always false", range, hint: "test for a missing value with 'is null' or 'is not null'")
        case (.bool, .bool), (.row, .row):
            if a != b {
                error(what, range)
            } else if ordered {
                error("\(a.name(in: schema)) values can only be compared with = and !=", range)
            }
        case (.list, _), (.table, _), (_, .list), (_, .table):
            error(what, range)
        case (.number, .money), (.money, .number):
            return
        case (.number, .duration), (.duration, .number):
            for n in [x, y] {
                if case .constant(.duration(.months)) = n.kind {
                    error(
                        "months and years are calendar units and cannot be compared with a day count", n.range,
                        hint: "compare with days or weeks: 90 days")
                }
            }
        case (.grade, .string), (.string, .grade):
            error(what, range, hint: "grades are written bare: grade < B")
        case (.grade, _), (_, .grade):
            if a != b {
                error(what, range, hint: "grades run from A (best) to E (worst): grade < B means C, D or E")
            }
        default:
            if a != b {
                error(what, range, hint: a == .date || b == .date ? "dates are written 2026-11-28" : nil)
            } else if let ca = staticCurrency(x), let cb = staticCurrency(y), ca != cb {
                error("cannot compare \(ca) with \(cb) without an exchange rate", range, hint: Value.convertHint(ca))
            }
        }
    }

    /// A text constant next to an aging bucket must name a bucket; it becomes one.
    private mutating func bucketConstant(_ n: inout Node, other: Node) {
        guard other.type == .bucket, case .constant(.string(let s)) = n.kind else { return }
        guard let bucket = AgingBucket(name: s) else {
            let names = AgingBucket.allCases.map { "\"\($0)\"" }.joined(separator: ", ")
            error("no aging bucket \"\(s)\"", n.range, hint: "buckets are \(names)")
            n = Node(kind: .constant(.null), type: .unknown, range: n.range)
            return
        }
        n = Node(kind: .constant(.bucket(bucket)), type: .bucket, range: n.range)
    }

    /// The currency an expression's money is known to have before running, if any.
    func staticCurrency(_ n: Node) -> Currency? {
        switch n.kind {
        case .constant(.money(let m)): return m.currency
        case .convert(_, let c): return c
        case .negate(let x): return staticCurrency(x)
        case .arithmetic(let first, let steps):
            return currency(after: steps, staticCurrency(first))
        default: return nil
        }
    }

    /// The currency known of a chain's money after `steps`, from what is known of its start: a
    /// step that gives money keeps it, or takes its operand's.
    private func currency(after steps: some Sequence<CheckedStep>, _ start: Currency?) -> Currency? {
        steps.reduce(start) { known, step in step.type == .money ? known ?? staticCurrency(step.operand) : nil }
    }

    /// An arithmetic chain, each step typed by the rules of its operator on the result so far.
    private mutating func arithmetic(_ first: Node, _ steps: [ArithmeticStep], _ range: Range<Int>) -> Node {
        var checked: [CheckedStep] = []
        checked.reserveCapacity(steps.count)
        var type = first.type
        var known = staticCurrency(first)
        for step in steps {
            let y = expression(step.operand)
            let span = range.lowerBound..<step.operand.range.upperBound
            type = arithmetic(step.op, type, known, y, span)
            checked.append(CheckedStep(op: step.op, operand: y, type: type, range: span))
            known = currency(after: checked.suffix(1), known)
        }
        return Node(kind: .arithmetic(first, checked), type: type, range: range)
    }

    /// The type of `x op y`, where `x` has type `a` and money of currency `ca` if known;
    /// `.unknown` after reporting an error.
    private mutating func arithmetic(
        _ op: ArithmeticOperator, _ a: DunType, _ ca: Currency?, _ y: Node, _ range: Range<Int>
    ) -> DunType {
        let b = y.type
        var type: DunType?
        switch (op, a, b) {
        case (.concat, .table, _), (.concat, _, .table), (.concat, .list, _), (.concat, _, .list), (.concat, .row, _),
            (.concat, _, .row):
            type = nil
        case (.concat, _, _):
            type = .string
        case (_, .unknown, _), (_, _, .unknown):
            type = .unknown
        case (_, .null, _):
            type = b
        case (_, _, .null):
            type = a
        case (_, .number, .number):
            type = .number
        case (.add, .money, .money), (.subtract, .money, .money):
            if let ca, let cb = staticCurrency(y), ca != cb {
                error(
                    "cannot \(op == .add ? "add" : "subtract") \(ca) and \(cb) without an exchange rate", range,
                    hint: Value.convertHint(ca))
            }
            type = .money
        case (.add, .money, .number), (.add, .number, .money), (.subtract, .money, .number),
            (.subtract, .number, .money), (.multiply, .money, .number), (.multiply, .number, .money),
            (.divide, .money, .number):
            type = .money
        case (.divide, .money, .money):
            if let ca, let cb = staticCurrency(y), ca != cb {
                error("cannot divide \(ca) by \(cb) without an exchange rate", range, hint: Value.convertHint(ca))
            }
            type = .number
        case (.add, .date, .duration), (.add, .duration, .date), (.subtract, .date, .duration):
            type = .date
        case (.subtract, .date, .date):
            type = .number
        case (.add, .duration, .duration), (.subtract, .duration, .duration), (.multiply, .duration, .number),
            (.multiply, .number, .duration):
            type = .duration
        default:
            type = nil
        }
        guard let type else {
            let (an, bn) = (a.name(in: schema), b.name(in: schema))
            let message: String
            switch op {
            case .add: message = "cannot add \(bn) to \(an)"
            case .subtract: message = "cannot subtract \(bn) from \(an)"
            case .multiply: message = "cannot multiply \(an) by \(bn)"
            case .divide: message = "cannot divide \(an) by \(bn)"
            case .concat: message = "cannot join \(an) and \(bn) as text"
            }
            var hint: String?
            if a == .string && b == .string && op == .add { hint = "join text with ++: \"call \" ++ collector" }
            if a == .date && b == .number { hint = "add a duration: due + 30 days" }
            if a == .money && b == .money && op == .multiply { hint = "multiply an amount by a number: balance * 5%" }
            error(message, range, hint: hint)
            return .unknown
        }
        return type
    }
}
