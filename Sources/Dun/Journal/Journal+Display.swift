// Journal+Display: the audit trail as a table, and who and when an apply is, as the journal
// records them.

import DunCore
import DunLanguage
import Foundation

extension Journal {
    /// Entries as a table, one row per entry, in `format`; with `outboxes` (a journal shared
    /// by several folders), the outbox that delivers each reminder.
    public static func table(_ entries: [Entry], format: OutputFormat, outboxes: Bool = false) -> String {
        let columns =
            [
                "id", "at", "who", "as_of", "policy", "rule", "action", "customer", "invoices", "channel", "template", "amount",
                "detail", "status",
            ] + (outboxes ? ["outbox"] : [])
        func text(_ s: String?) -> Value { s.map(Value.string) ?? .null }
        let rows: [[Value]] = entries.map { e in
            [
                .number(Decimal64(e.id)), .string(e.at), .string(e.who), .date(e.asOf), .string(e.policy), .string(e.rule),
                .string(e.action.rawValue), .string(e.customer), .string(e.invoices.joined(separator: ", ")), text(e.channel),
                text(e.template), e.amount.map(Value.money) ?? .null, text(e.detail), .string(e.status.rawValue),
            ] + (outboxes ? [text(e.outbox)] : [])
        }
        let numeric = columns.map { $0 == "id" || $0 == "amount" }
        return ResultTable(columns: columns, numeric: numeric, rows: rows).rendered(format)
    }

    /// The wall-clock time now, in UTC to the second: when an apply happened.
    public static var now: String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    /// Who is applying, when not told: the login name.
    public static var login: String {
        let name = ProcessInfo.processInfo.userName
        return name.isEmpty ? "unknown" : name
    }
}
