// Session+Policies: the statements about policies — a policy defined, `plan NAME`, `why`,
// a query ending in an action — run in a session: each prints a table and may plan actions.

import DunCore
import DunLanguage
import DunModel

extension Session {
    /// Runs a statement about policies: its table, and the actions it plans; nil for any
    /// other statement. A policy is planned where it is defined, except in the standard
    /// library (run `lazily`), which only defines its policies.
    func policyStatement(
        _ statement: CheckedStatement, in source: SourceText, lazily: Bool, warnings: inout [Diagnostic]
    ) throws(Diagnostic) -> (outcome: Outcome, plan: PlanOutcome?)? {
        if case .policy(let p) = statement {
            defined[p.name] = (p, source)
            globals.define(policy: p.name)
            if lazily { return (.none, nil) }
        }
        if case .why(let id, let name, let range) = statement {
            guard let (policy, policySource) = defined[name] else { return nil }
            let planner = try self.planner(policy, policySource)
            guard let lines = try planner.why(id, rules: Session.rules(of: policy)) else {
                throw source.diagnostic("no customer or invoice '\(id)'", at: range)
            }
            let columns = ["rule", "of", "verdict"].map { Column(name: $0, type: .string) }
            let values: [[Value]] = [
                lines.map { .string($0.rule) }, lines.map { .string($0.row) }, lines.map { .string($0.verdict) },
            ]
            return (.table(Frame(entity: nil, rows: [], columns: columns, values: values, count: lines.count)), nil)
        }
        if case .record(let r, let nodes) = statement {
            let planned = PlanOutcome(actions: [try record(r, nodes, in: source)])
            return (.table(planFrame(planned.actions)), planned)
        }
        let name: String
        let policy: CheckedPolicy?
        let rules: [PlanRule]
        var source = source
        switch statement {
        case .policy(let p):
            (name, policy, rules) = (p.name, p, Session.rules(of: p))
        case .plan(let named, _):
            guard let defined = defined[named] else { return nil }
            (name, policy, rules, source) = (named, defined.policy, Session.rules(of: defined.policy), defined.source)
        case .query(let p):
            // A query ending in actions is a rule of its own, named by its line.
            let (query, actions) = p.actions
            guard !actions.isEmpty else { return nil }
            let line = source.position(of: statement.range).line
            (name, policy, rules) = (
                "", nil, [PlanRule(name: "line \(line)", nameRange: statement.range, query: query, actions: actions)]
            )
        default:
            return nil
        }
        let planned = try plan(name, policy, rules, source, warnings: &warnings)
        return (.table(planFrame(planned.actions)), planned)
    }

    /// What a collector learned, as an action to journal: the ids checked against the
    /// workspace, a promise's amount in the customer's currency and its day not past.
    private func record(_ r: Record, _ nodes: [Node], in source: SourceText) throws(Diagnostic) -> PlannedAction {
        let customers = snapshot.workspace.customers
        let invoices = snapshot.workspace.invoices
        func customer(_ id: String) throws(Diagnostic) -> Int32 {
            guard let c = customers.id.row(of: id) else { throw source.diagnostic("no customer '\(id)'", at: r.range) }
            return c
        }
        func invoice(_ id: String) throws(Diagnostic) -> Int32 {
            guard let i = invoices.id.row(of: id), snapshot.invoiceBalance(i) >= 0, invoices.issued[Int(i)] <= snapshot.asOf
            else {
                throw source.diagnostic("no invoice '\(id)' as of \(snapshot.asOf)", at: r.range)
            }
            return i
        }
        func action(_ kind: ActionKind, _ c: Int32, _ invoices: [Int32], amount: Money? = nil, detail: String?) -> PlannedAction {
            PlannedAction(
                policy: "", rule: "record", action: kind, customer: c, invoices: invoices, amount: amount, detail: detail)
        }
        switch r.kind {
        case .promise(let id, let invoiceID, _, _):
            let c = try customer(id)
            let i = try invoiceID.map { (id: String) throws(Diagnostic) -> Int32 in try invoice(id) }
            if let i, invoices.customer[Int(i)] != c {
                throw source.diagnostic("invoice '\(invoiceID ?? "")' is not customer '\(id)'s", at: r.range)
            }
            let amount: Value
            let by: Value
            do {
                amount = try interpreter.value(of: nodes[0])
                by = try interpreter.value(of: nodes[1])
            } catch {
                throw source.diagnostic(error.message, at: error.range, hint: error.hint)
            }
            let currency = snapshot.currency(ofCustomer: c)
            var promised = amount
            if case .number(let n) = amount {
                // In the customer's currency, exactly: 12.345 is no amount of CNY.
                guard let m = Money(n, currency: currency), m.decimal == n else {
                    throw source.diagnostic(
                        "\(n) is not an amount of \(currency)", at: r.range,
                        hint: "\(currency) has \(currency.minorUnit) decimals")
                }
                promised = .money(m)
            }
            guard case .money(let m) = promised, m.minor > 0 else {
                throw source.diagnostic("a promise is of an amount above zero", at: r.range)
            }
            guard m.currency == currency else {
                throw source.diagnostic("customer '\(id)' pays in \(currency), not \(m.currency)", at: r.range)
            }
            guard case .date(let day) = by, day >= snapshot.asOf else {
                throw source.diagnostic("the day promised is before the as-of date, \(snapshot.asOf)", at: r.range)
            }
            return action(.promise, c, i.map { [$0] } ?? [], amount: m, detail: day.description)
        case .dispute(let id, let reason):
            let i = try invoice(id)
            return action(.dispute, invoices.customer[Int(i)], [i], detail: reason)
        case .resolve(let id):
            let i = try invoice(id)
            guard snapshot.isDisputed(i) else { throw source.diagnostic("invoice '\(id)' is not disputed", at: r.range) }
            return action(.resolveDispute, invoices.customer[Int(i)], [i], detail: nil)
        case .note(let id, let text):
            return action(.note, try customer(id), [], detail: text)
        }
    }

    /// What a defined policy would do.
    func planActions(_ p: CheckedPolicy, _ source: SourceText, warnings: inout [Diagnostic]) throws(Diagnostic) -> [PlannedAction]
    {
        try plan(p.name, p, Session.rules(of: p), source, warnings: &warnings).actions
    }

    private func plan(
        _ name: String, _ policy: CheckedPolicy?, _ rules: [PlanRule], _ source: SourceText, warnings: inout [Diagnostic]
    ) throws(Diagnostic) -> PlanOutcome {
        var planner = try self.planner(policy, source)
        planner.past = Dictionary(grouping: past, by: \.customer)
        return try planner.plan(policy: name, rules: rules, warnings: &warnings)
    }

    /// A planner for a policy in `source` (none: a query ending in actions), with its
    /// tolerance worked out.
    private func planner(_ policy: CheckedPolicy?, _ source: SourceText) throws(Diagnostic) -> Planner {
        var planner = Planner(snapshot: snapshot, interpreter: interpreter, source: source)
        planner.directory = directory
        planner.levelsPerInvoice = policy?.levelsPerInvoice ?? false
        guard let tolerance = policy?.tolerance else { return planner }
        do {
            if case .money(let m) = try interpreter.value(of: tolerance) { planner.tolerance = m }
        } catch {
            throw source.diagnostic(error.message, at: error.range, hint: error.hint)
        }
        return planner
    }

    private static func rules(of p: CheckedPolicy) -> [PlanRule] {
        p.rules.map {
            PlanRule(
                name: $0.name, nameRange: $0.nameRange, includesDisputed: $0.includesDisputed, query: $0.query,
                actions: $0.actions)
        }
    }

    /// A plan as a table: one row per action.
    private func planFrame(_ actions: [PlannedAction]) -> Frame {
        let columns: [(String, DunType)] = [
            ("policy", .string), ("rule", .string), ("action", .string), ("customer", .string), ("name", .string),
            ("invoices", .string), ("channel", .string), ("template", .string), ("amount", .money), ("detail", .string),
        ]
        let customers = snapshot.workspace.customers
        let invoices = snapshot.workspace.invoices
        func text(_ s: String?) -> Value { s.map(Value.string) ?? .null }
        let rows: [[Value]] = actions.map { a in
            [
                .string(a.policy), .string(a.rule), .string(a.action.rawValue), .string(customers.id[Int(a.customer)]),
                .string(customers.name[Int(a.customer)]),
                .string(a.invoices.map { invoices.id[Int($0)] }.joined(separator: ", ")),
                text(a.channel), text(a.template), a.amount.map(Value.money) ?? .null, text(a.detail),
            ]
        }
        return Frame(
            entity: nil, rows: [], columns: columns.map { Column(name: $0.0, type: $0.1) },
            values: columns.indices.map { c in rows.map { $0[c] } }, count: rows.count)
    }
}
