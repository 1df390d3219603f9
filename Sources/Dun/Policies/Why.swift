// Why: which rules of a policy act on one customer or invoice, and, for the others, what
// stops them — the condition that drops it, or the rule that wins it instead.

import DunCore
import DunLanguage
import DunModel

extension Planner {
    /// One line per rule and row it is about: the customer, or each of its invoices (for a
    /// rule on invoices); the invoice, or its customer (for a rule on customers).
    /// `nil` when `id` is no customer's or invoice's.
    func why(_ id: String, rules: [PlanRule]) throws(Diagnostic) -> [(rule: String, row: String, verdict: String)]? {
        let customers = snapshot.workspace.customers
        let invoices = snapshot.workspace.invoices
        let invoice = invoices.id.row(of: id)
        guard let customer = invoice.map({ invoices.customer[Int($0)] }) ?? customers.id.row(of: id) else { return nil }
        var ignored: [Diagnostic] = []
        let decision = try decide(rules, warnings: &ignored)
        var lines: [(rule: String, row: String, verdict: String)] = []
        for (r, rule) in rules.enumerated() {
            let selection = decision.selections[r]
            let onCustomers = selection.entity == Receivables.customers
            let rows = onCustomers ? [customer] : invoice.map { [$0] } ?? Array(snapshot.invoicesOfCustomer.rows(of: customer))
            for row in rows {
                let name = onCustomers ? customers.id[Int(row)] : invoices.id[Int(row)]
                lines.append((rule.name, name, try verdict(row, rule: r, rules, decision, onCustomers: onCustomers)))
            }
        }
        return lines
    }

    private func verdict(
        _ row: Int32, rule r: Int, _ rules: [PlanRule], _ decision: Decision, onCustomers: Bool
    ) throws(Diagnostic) -> String {
        let selection = decision.selections[r]
        // A paid invoice is never dunned, whatever the rule's condition says of it.
        if !onCustomers && snapshot.invoiceBalance(row) <= 0 { return "paid: nothing is left to dun" }
        guard let position = selection.rows.firstIndex(of: row) else {
            let dropped: Range<Int>?
            do {
                dropped = try interpreter.dropped(row, by: rules[r].query)
            } catch {
                throw source.diagnostic("rule '\(rules[r].name)': \(error.message)", at: error.range, hint: error.hint)
            }
            return dropped.map { "not selected: \(text($0)) does not hold" } ?? "not selected"
        }
        let winner = onCustomers ? decision.wonCustomer[row] : decision.wonInvoice[row]
        guard let winner else {
            if snapshot.isDisputed(row) && !rules[r].includesDisputed {
                return "selected, but disputed (the rule does not say 'including disputed')"
            }
            return "selected, but its balance is below the policy's tolerance"
        }
        if winner.rule != r { return "selected, but rule '\(rules[winner.rule].name)' comes later and wins" }
        let customer = onCustomers ? row : snapshot.workspace.invoices.customer[Int(row)]
        if !levelsPerInvoice, rules[r].isLevel, let level = decision.level[customer], level != r {
            return "wins, but its customer is at a higher level: rule '\(rules[level].name)' acts for it"
        }
        // A reminder about an invoice under a promise or a plan being kept waits.
        let paused: (Int) -> Bool = { a in
            guard !onCustomers, case .remind = rules[r].actions[a].action.verb else { return false }
            return snapshot.isPaused(row)
        }
        let acting = rules[r].actions.indices.filter { selection.actions[$0][position].applies && !paused($0) }
        let skipped = rules[r].actions.indices.filter { !selection.actions[$0][position].applies }
        var verdict = acting.isEmpty ? "wins, but no action's 'when' holds" : "acts: " + acting.map { words(rules[r].actions[$0]) }.joined(separator: ", ")
        if !acting.isEmpty && !skipped.isEmpty {
            verdict += "; not " + skipped.map { words(rules[r].actions[$0]) }.joined(separator: ", ") + " ('when' does not hold)"
        }
        let waiting = rules[r].actions.indices.filter { selection.actions[$0][position].applies && paused($0) }
        if !waiting.isEmpty {
            verdict = (acting.isEmpty ? "wins, but " : verdict + "; ") + "the reminder waits for a promise or a plan being kept"
        }
        return verdict
    }

    /// The source text at `range` (UTF-8 offsets), on one line.
    private func text(_ range: Range<Int>) -> String {
        let bytes = source.text.utf8.dropFirst(range.lowerBound).prefix(range.count)
        return String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map { $0.trimmingSpaces() }
            .joined(separator: " ")
    }

    private func words(_ action: CheckedAction) -> String {
        Planner.kind(action.action.verb).rawValue
    }
}
