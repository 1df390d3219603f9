// Plan: what a policy would do, decided from what its rules select, before anything is done.

import DunCore
import DunLanguage
import DunModel

/// One thing a policy would do to one customer: a reminder listing invoices, a task, a hold.
public struct PlannedAction: Sendable, Equatable {
    /// The policy, or "" for a query that ends in an action.
    public var policy: String
    public var rule: String
    public var action: ActionKind
    /// Rows of the workspace.
    public var customer: Int32
    public var invoices: [Int32]
    public var channel: String?
    public var template: String?
    /// The balance the action is about (reminders, tasks), or what it charges (fees, interest).
    public var amount: Money?
    /// What else it says: the collector, the grade, the tag, the note, the plan's terms.
    public var detail: String?
}

/// What a policy would do: its actions, and which customers each rule left to a later one
/// because they are at a higher level.
struct PlanOutcome {
    var actions: [PlannedAction] = []
    var passedUp: [(rule: String, customers: [Int32])] = []

    /// What a plan table ends with instead of its row count: the actions by kind, and the
    /// customers left to a later rule (`ids` names a customer).
    func summary(ids: (Int32) -> String) -> String {
        var counts: [ActionKind: Int] = [:]
        for a in actions { counts[a.action, default: 0] += 1 }
        let kinds = ActionKind.allCases.compactMap { k in counts[k].map { "\(k.rawValue) \($0)" } }
        var out =
            "(\(actions.count) action\(actions.count == 1 ? "" : "s")\(kinds.isEmpty ? "" : ": " + kinds.joined(separator: " · ")))\n"
        for (rule, customers) in passedUp {
            let some = customers.prefix(5).map(ids).joined(separator: ", ") + (customers.count > 5 ? ", …" : "")
            out +=
                "(rule \(rule) leaves \(customers.count) customer\(customers.count == 1 ? "" : "s") to a later rule, at the highest level an invoice of theirs reached: \(some))\n"
        }
        return out
    }
}

/// An action already applied, from the journal: what a cooldown is checked against.
public struct PastAction: Sendable, Equatable {
    public var policy: String
    public var action: ActionKind
    /// A reminder's channel.
    public var channel: String?
    public var customer: Int32
    /// The as-of date it was applied on.
    public var day: Day

    public init(policy: String, action: ActionKind, channel: String?, customer: Int32, day: Day) {
        self.policy = policy
        self.action = action
        self.channel = channel
        self.customer = customer
        self.day = day
    }
}

/// A rule to plan: its name, where its name is (for warnings), what it selects and does.
struct PlanRule {
    var name: String
    var nameRange: Range<Int>
    var includesDisputed = false
    var query: CheckedPipeline
    var actions: [CheckedAction]

    /// Whether it is a dunning level: some action of it presses the customer.
    var isLevel: Bool { actions.contains { $0.action.verb.dunsTheCustomer } }
}

/// Decides a policy's actions.
///
/// Within one policy an invoice is won by at most one rule: the last rule that selects it, as
/// dunning levels work (the highest level reached wins), and a customer by at most one of the
/// rules that select customers; then each customer is dunned at its level (`levelsPerInvoice`).
/// Invoices with nothing left to pay, or less than the policy's tolerance, are never dunned,
/// nor disputed ones unless the rule says `including disputed`. Reminders are grouped: one per
/// customer, channel and template, listing every invoice of that customer the rules won.
struct Planner {
    let snapshot: Snapshot
    let interpreter: Interpreter
    let source: SourceText
    /// `ignore balances below`: the least balance dunned.
    var tolerance: Money?
    /// The workspace folder, where a reminder's template may be (`templates/`).
    var directory: String?
    /// What was applied before: an action `at most once per D` is left out for a customer
    /// the policy did the same to (by any of its rules: a firm reminder does not follow a
    /// gentle one within the week) less than D before the as-of date. By customer: each
    /// planned action looks at its customer's only, not at the whole journal.
    var past: [Int32: [PastAction]] = [:]
    /// `levels per invoice`: each invoice is acted on by the rule that wins it. Otherwise, as
    /// dunning in SAP and Odoo works, a customer is at the level of its most advanced row: only
    /// the last rule that wins any of its invoices (or it) acts on it, a reminder of that rule
    /// lists every invoice of it that a rule won, and the lower rules' actions are left out.
    /// A rule that only keeps the books (tags, notes, grades, assignments) is no level: it
    /// acts whatever the customer's level, and sets none.
    var levelsPerInvoice = false

    /// What each rule selects, which rule wins each invoice and each customer, and each
    /// customer's level: the last rule that won any of its rows.
    struct Decision {
        var selections: [Selection]
        var wonInvoice: [Int32: (rule: Int, position: Int)] = [:]
        var wonCustomer: [Int32: (rule: Int, position: Int)] = [:]
        var level: [Int32: Int] = [:]
        /// The invoices of each customer that some rule won, in file order.
        var wonOf: [Int32: [Int32]] = [:]
    }

    /// The actions; `warnings` gets those about rules that select nothing or everything. A
    /// rule whose query or action fails on any row is an error, and there is no plan.
    func plan(policy: String, rules: [PlanRule], warnings: inout [Diagnostic]) throws(Diagnostic) -> PlanOutcome {
        let decision = try decide(rules, warnings: &warnings)
        let (selections, wonInvoice, wonCustomer) = (decision.selections, decision.wonInvoice, decision.wonCustomer)
        var actions: [PlannedAction] = []
        // For each rule, the customers it would have acted on that are at a higher level.
        var passedUp: [Int: [Int32]] = [:]
        for rule in rules {
            for action in rule.actions {
                guard case .remind(_, let template?) = action.action.verb, !Templates.exists(template, in: directory) else {
                    continue
                }
                var unknown = Templates.unknown(template)
                unknown = source.diagnostic(unknown.message, at: action.action.range, hint: unknown.hint, severity: .warning)
                warnings.append(unknown)
            }
        }
        for (r, rule) in rules.enumerated() {
            let selection = selections[r]
            // The rows this rule won, by customer, in the order of customers then of rows.
            var byCustomer: [Int32: [Int]] = [:]
            for (k, row) in selection.rows.enumerated() {
                if selection.entity == Receivables.customers {
                    if wonCustomer[row]?.rule == r { byCustomer[row, default: []].append(k) }
                } else if wonInvoice[row]?.rule == r {
                    byCustomer[snapshot.workspace.invoices.customer[Int(row)], default: []].append(k)
                }
            }
            for customer in byCustomer.keys.sorted() {
                let positions = byCustomer[customer] ?? []
                if !levelsPerInvoice, rule.isLevel, let level = decision.level[customer], level != r {
                    if rule.actions.indices.contains(where: { a in positions.contains { selection.actions[a][$0].applies } }) {
                        passedUp[r, default: []].append(customer)
                    }
                    continue
                }
                for (a, action) in rule.actions.enumerated() {
                    let applying = positions.filter { selection.actions[a][$0].applies }
                    guard let first = applying.first else { continue }
                    var invoices =
                        selection.entity == Receivables.customers
                        ? try openInvoices(of: customer, for: rule) : applying.map { selection.rows[$0] }
                    // At the customer's level, a message or a task is about every invoice of it
                    // that a rule won, the lower levels' too.
                    if !levelsPerInvoice, selection.entity != Receivables.customers, action.action.verb.contacts {
                        invoices = Array(Set(invoices).union(decision.wonOf[customer] ?? [])).sorted()
                    }
                    guard !invoices.isEmpty || selection.entity == Receivables.customers else { continue }
                    let made = try planned(
                        action.action.verb, arguments: selection.actions[a][first].arguments, customer: customer,
                        invoices: invoices, at: action.action.range)
                    for var m in made {
                        m.policy = policy
                        m.rule = rule.name
                        if let cooldown = selection.actions[a][first].cooldown,
                            try recently(m, within: cooldown, at: action.action.cooldown?.range ?? action.action.range)
                        {
                            continue
                        }
                        actions.append(m)
                    }
                }
            }
        }
        // A task for no one: the customer has no collector and the rule names none.
        for (r, rule) in rules.enumerated() {
            let unassigned = actions.filter { $0.rule == rule.name && $0.action.isTask && ($0.detail ?? "").isEmpty }
            guard !unassigned.isEmpty else { continue }
            let ids = unassigned.prefix(5).map { snapshot.workspace.customers.id[Int($0.customer)] }.joined(separator: ", ")
            warnings.append(
                source.diagnostic(
                    "rule '\(rule.name)' gives \(unassigned.count) task\(unassigned.count == 1 ? "" : "s") to no one: no collector for \(ids)\(unassigned.count > 5 ? ", …" : "")",
                    at: rules[r].nameRange, hint: "fill in customers.csv's collector column, or say who: call by \"王芳\"",
                    severity: .warning))
        }
        return PlanOutcome(
            actions: actions, passedUp: passedUp.sorted { $0.key < $1.key }.map { (rules[$0.key].name, $0.value) })
    }

    /// Runs every rule; the last rule to select an invoice (that may be dunned) or a customer
    /// wins it. `warnings` gets those about rules that select nothing or everything.
    func decide(_ rules: [PlanRule], warnings: inout [Diagnostic]) throws(Diagnostic) -> Decision {
        var selections: [Selection] = []
        for rule in rules {
            let selection: Selection
            do {
                selection = try interpreter.select(rule.query, actions: rule.actions)
            } catch {
                let note = error.row.map { ["on \($0)"] } ?? []
                throw source.diagnostic(
                    "rule '\(rule.name)' cannot be planned: \(error.message)", at: error.range, hint: error.hint, notes: note)
            }
            let what = selection.entity == Receivables.customers ? "customers" : "invoices"
            let all = selection.entity == Receivables.customers ? snapshot.workspace.customers.count : snapshot.invoices.count
            if selection.rows.isEmpty {
                warnings.append(
                    source.diagnostic("rule '\(rule.name)' selects no \(what)", at: rule.nameRange, severity: .warning))
            } else if selection.rows.count == all {
                warnings.append(
                    source.diagnostic(
                        "rule '\(rule.name)' selects every one of the \(all) \(what)", at: rule.nameRange,
                        hint: "is a condition missing?", severity: .warning))
            }
            selections.append(selection)
        }
        var decision = Decision(selections: selections)
        for (r, selection) in selections.enumerated() {
            for (k, row) in selection.rows.enumerated() {
                if selection.entity == Receivables.customers {
                    decision.wonCustomer[row] = (r, k)
                } else if try dunnable(row, for: rules[r]) {
                    decision.wonInvoice[row] = (r, k)
                }
            }
        }
        for (customer, won) in decision.wonCustomer where rules[won.rule].isLevel {
            decision.level[customer] = max(decision.level[customer] ?? 0, won.rule)
        }
        for (invoice, won) in decision.wonInvoice where rules[won.rule].isLevel {
            let customer = snapshot.workspace.invoices.customer[Int(invoice)]
            decision.level[customer] = max(decision.level[customer] ?? 0, won.rule)
            decision.wonOf[customer, default: []].append(invoice)
        }
        for customer in decision.wonOf.keys { decision.wonOf[customer]?.sort() }
        return decision
    }

    /// Whether the journal has the same action (on the same channel) by the same policy on the
    /// same customer, less than `cooldown` before the as-of date (and not after it).
    private func recently(_ m: PlannedAction, within cooldown: Value, at range: Range<Int>) throws(Diagnostic) -> Bool {
        let today = snapshot.asOf
        let since: Day?
        switch cooldown {
        case .duration(.days(let n)): since = today.adding(days: -n)
        case .duration(.months(let n)): since = today.adding(months: -n)
        default: since = nil
        }
        guard let since else {
            throw source.diagnostic("'at most once per' needs a duration, found \(cooldown)", at: range)
        }
        return (past[m.customer] ?? []).contains {
            $0.policy == m.policy && $0.action == m.action && $0.channel == m.channel
                && $0.day > since && $0.day <= today
        }
    }

    /// Whether an invoice may be dunned: something left to pay, at least the tolerance, and
    /// not disputed unless the rule says `including disputed`; on invoices of customers, only
    /// undisputed ones. A tolerance in another currency than the invoice's is an error at the rule.
    private func dunnable(_ invoice: Int32, for rule: PlanRule, customers: Bool = false) throws(Diagnostic) -> Bool {
        let disputedToo = rule.includesDisputed && !customers
        let open = snapshot.invoiceBalance(invoice)
        guard open > 0, disputedToo || !snapshot.isDisputed(invoice) else { return false }
        guard let tolerance else { return true }
        let currency = snapshot.currency(ofInvoice: invoice)
        guard tolerance.currency == currency else {
            throw source.diagnostic(
                "the policy ignores balances below \(tolerance.formatted(grouped: true)) \(tolerance.currency), "
                    + "but invoice \(snapshot.workspace.invoices.id[Int(invoice)]) is in \(currency)",
                at: rule.nameRange, hint: "a tolerance is in the customers' currency")
        }
        return open >= tolerance.minor
    }

    /// A customer's open, undisputed invoices, in file order.
    private func openInvoices(of customer: Int32, for rule: PlanRule) throws(Diagnostic) -> [Int32] {
        var open: [Int32] = []
        for i in snapshot.invoicesOfCustomer.rows(of: customer) where try dunnable(i, for: rule, customers: true) {
            open.append(i)
        }
        return open
    }

    /// What is left on `invoices`, in the customer's currency.
    private func balance(_ invoices: [Int32], of customer: Int32) -> Money {
        Money(
            minor: invoices.reduce(0) { $0 + snapshot.invoiceBalanceInCustomers($1).minor },
            currency: snapshot.currency(ofCustomer: customer))
    }

    /// What is left on an invoice, in its currency.
    private func open(_ invoice: Int32) -> Money {
        Money(minor: snapshot.invoiceBalance(invoice), currency: snapshot.currency(ofInvoice: invoice))
    }

    /// The planned actions of one verb for one customer: one, except fees and interest,
    /// which are one per invoice they arise from.
    private func planned(
        _ verb: ActionVerb, arguments: [Value], customer: Int32, invoices: [Int32], at range: Range<Int>
    ) throws(Diagnostic) -> [PlannedAction] {
        func action(detail: String? = nil, amount: Money? = nil) -> PlannedAction {
            PlannedAction(
                policy: "", rule: "", action: Planner.kind(verb), customer: customer, invoices: invoices,
                amount: amount ?? balance(invoices, of: customer), detail: detail)
        }
        let collector = snapshot.workspace.customers.collector[Int(customer)]
        switch verb {
        case .remind(let channel, let template):
            // An unexpired promise to pay, or a plan being kept, pauses the reminders about what it covers.
            let invoices = invoices.filter { !snapshot.isPaused($0) }
            // A reminder of nothing is not sent (a customer whose open invoices are all disputed).
            guard !invoices.isEmpty else { return [] }
            var a = action()
            a.invoices = invoices
            a.amount = balance(invoices, of: customer)
            a.channel = channel.rawValue
            a.template = template
            return [a]
        case .call, .visit:
            let by = arguments.first.flatMap(text) ?? collector
            return [action(detail: by)]
        case .escalate(let to):
            return [action(detail: to)]
        // What is so already is not done again: a hold on a held customer, a grade it has.
        case .holdCredit:
            return snapshot.isOnHold(customer) ? [] : [action()]
        case .releaseCredit:
            return snapshot.isOnHold(customer) ? [action()] : []
        case .setGrade:
            if case .grade(let g)? = arguments.first,
                g == snapshot.gradeSet(customer) ?? snapshot.workspace.customers.grade[Int(customer)]
            {
                return []
            }
            return [action(detail: arguments.first.flatMap(text))]
        case .assign:
            return [action(detail: arguments.first.flatMap(text))]
        case .tag(let t):
            return snapshot.tags[customer]?.contains(t) == true ? [] : [action(detail: t)]
        case .untag(let t):
            return snapshot.tags[customer]?.contains(t) == true ? [action(detail: t)] : []
        case .note(let t):
            return [action(detail: t)]
        case .offerPlan:
            let count = arguments.first.flatMap(text) ?? "?"
            let every = arguments.count > 1 ? " every \(arguments[1])" : ""
            return [action(detail: "\(count) installments\(every)")]
        case .chargeLateFee:
            return try invoices.map { (i: Int32) throws(Diagnostic) -> PlannedAction in
                var a = action(amount: try lateFee(arguments.first, on: i, at: range))
                a.invoices = [i]
                return a
            }
        case .chargeInterest:
            // No interest on an invoice not yet overdue: there is nothing to charge.
            return try invoices.filter { snapshot.daysOverdue($0) > 0 }.map { (i: Int32) throws(Diagnostic) -> PlannedAction in
                let days = snapshot.daysOverdue(i)
                var a = action(amount: try interest(arguments.first, on: i, days: days, at: range))
                a.invoices = [i]
                a.detail = "\(days) days at \(arguments.first.map { "\($0)" } ?? "?") a year"
                return a
            }
        }
    }

    /// The kind of action a verb does, as a plan and the journal name it.
    static func kind(_ verb: ActionVerb) -> ActionKind {
        switch verb {
        case .remind: .remind
        case .call: .call
        case .visit: .visit
        case .escalate: .escalate
        case .holdCredit: .holdCredit
        case .releaseCredit: .releaseCredit
        case .setGrade: .setGrade
        case .assign: .assign
        case .tag: .tag
        case .untag: .untag
        case .note: .note
        case .offerPlan: .offerPlan
        case .chargeLateFee: .chargeLateFee
        case .chargeInterest: .chargeInterest
        }
    }

    private func text(_ v: Value) -> String? {
        switch v {
        case .null: return nil
        case .string(let s): return s
        default: return "\(v)"
        }
    }

    /// A percentage of the invoice's balance, or a fixed amount in its currency.
    private func lateFee(_ fee: Value?, on invoice: Int32, at range: Range<Int>) throws(Diagnostic) -> Money {
        let open = open(invoice)
        switch fee {
        case .money(let m)?:
            guard m.currency == open.currency else {
                throw source.diagnostic(
                    "a late fee in \(m.currency) for an invoice in \(open.currency)", at: range,
                    hint: "write the fee in the invoice's currency, or as a percentage")
            }
            return m
        case .number(let rate)?:
            return try scaled(open, by: rate, at: range)
        default:
            throw source.diagnostic("a late fee is an amount or a percentage", at: range)
        }
    }

    /// Simple daily interest since the due date: balance × rate × days ÷ 365, computed exactly
    /// and rounded once to the cent.
    private func interest(_ rate: Value?, on invoice: Int32, days: Int64, at range: Range<Int>) throws(Diagnostic) -> Money {
        guard case .number(let yearly)? = rate else {
            throw source.diagnostic("interest needs a yearly rate", at: range, hint: "charge interest 6% per year")
        }
        let open = open(invoice)
        guard let rateForDays = yearly.multiplied(by: Decimal64(days)), let m = open.scaled(by: rateForDays, over: 365) else {
            throw source.diagnostic("the interest is too large to compute exactly", at: range)
        }
        return m
    }

    /// `amount × factor`, rounded half away from zero to the currency's minor unit.
    private func scaled(_ amount: Money, by factor: Decimal64, at range: Range<Int>) throws(Diagnostic) -> Money {
        guard let m = amount.scaled(by: factor) else {
            throw source.diagnostic("the amount is too large to compute exactly", at: range)
        }
        return m
    }
}

extension ActionVerb {
    /// Whether it presses the customer: all but tags, notes, grades and assignments, which
    /// only keep the books (a rule of these alone is no dunning level).
    var dunsTheCustomer: Bool {
        switch self {
        case .tag, .untag, .note, .setGrade, .assign: false
        case .remind, .call, .visit, .escalate, .holdCredit, .releaseCredit, .offerPlan, .chargeLateFee, .chargeInterest: true
        }
    }

    /// A reminder, a call or a visit: it reaches the customer about its invoices.
    var contacts: Bool {
        switch self {
        case .remind, .call, .visit: true
        case .escalate, .holdCredit, .releaseCredit, .setGrade, .assign, .tag, .untag, .note, .offerPlan, .chargeLateFee,
            .chargeInterest:
            false
        }
    }
}
