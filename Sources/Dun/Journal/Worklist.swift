// Worklist: the calls and visits a policy gave the collectors, still open, and the outcome a
// collector records when one is done.

import DunCore
import DunLanguage
import Foundation

extension Journal {
    /// The open call and visit tasks, oldest first; with `collector`, only that collector's.
    public func openTasks(collector: String? = nil) throws(Diagnostics) -> [Entry] {
        try entries(status: .open).filter { $0.action.isTask && (collector == nil || $0.detail == collector) }
    }

    /// Records the outcome of task `id` and closes it: a new entry says what came of it, and
    /// the task's status becomes `done`. Doing it again changes nothing.
    @discardableResult
    public func done(task id: Int64, outcome: String, who: String, at: String, asOf: Day) throws(Diagnostics) -> Entry {
        let all = try entries()
        guard let task = all.first(where: { $0.id == id }), task.action.isTask else {
            throw Diagnostics([
                Diagnostic(
                    .error, "there is no call or visit task \(id) in the journal", file: path, hint: "dun worklist lists them")
            ])
        }
        let record = Entry(
            who: who, at: at, asOf: asOf, policy: task.policy, rule: task.rule, action: .outcome, customer: task.customer,
            invoices: task.invoices, channel: nil, template: nil, amount: nil,
            detail: "task \(id) (\(task.action.rawValue)): \(outcome)",
            status: .done, key: "outcome of task \(id)")
        // The outcome first: should the second step not happen, doing it again completes it.
        if task.status == .done, let earlier = all.first(where: { $0.key == record.key }) {
            throw Diagnostics([
                Diagnostic(
                    .error, "task \(id) is already done: \(earlier.detail ?? "")", file: path,
                    hint: "its outcome is entry \(earlier.id); record more with `record note \"\(task.customer)\" \"…\"`")
            ])
        }
        let added = try commit([record]).first ?? all.first(where: { $0.key == record.key }) ?? record
        if task.status != .done { try update(id: id, status: .done, detail: task.detail) }
        return added
    }

    /// Open tasks as a table: the customer's name and phone from `customers`.
    public static func worklist(_ tasks: [Entry], names: (String) -> (name: String, phone: String?)?, format: OutputFormat)
        -> String
    {
        let columns = ["task", "action", "collector", "customer", "name", "phone", "invoices", "amount", "rule", "as_of"]
        func text(_ s: String?) -> Value { s.map(Value.string) ?? .null }
        let rows: [[Value]] = tasks.map { t in
            let customer = names(t.customer)
            return [
                .number(Decimal64(t.id)), .string(t.action.rawValue), text(t.detail), .string(t.customer), text(customer?.name),
                text(customer?.phone), .string(t.invoices.joined(separator: ", ")), t.amount.map(Value.money) ?? .null,
                .string(t.rule),
                .date(t.asOf),
            ]
        }
        return ResultTable(columns: columns, numeric: columns.map { $0 == "task" || $0 == "amount" }, rows: rows).rendered(format)
    }
}
