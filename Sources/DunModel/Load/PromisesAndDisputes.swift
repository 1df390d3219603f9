// PromisesAndDisputes: the optional promises.csv and disputes.csv of a workspace, exported
// from the ERP or kept by hand, read as the events of a History.

import DunCore

extension History {
    /// The events of `promises.csv` and `disputes.csv` in `directory` (their fields as
    /// `Catalogue` declares them), each file optional. A bad row is an error naming file, line and column;
    /// every one is reported.
    public static func events(in directory: String, of workspace: Workspace) throws(Diagnostics) -> [Event] {
        var events: [Event] = []
        var problems: [Diagnostic] = []
        let customers = workspace.customers
        let invoices = workspace.invoices
        func day(_ rows: CSVRows, _ r: Int, _ c: Int, _ what: String) -> Day? {
            guard let text = rows.values[r][c] else { return nil }
            guard let d = Day(iso: text) else {
                problems.append(
                    rows.error(row: r, column: c, "\(what) \(excerpt(text)) is not a date", hint: "write it as 2026-11-28"))
                return nil
            }
            return d
        }
        func invoice(_ rows: CSVRows, _ r: Int, _ c: Int) -> Int32? {
            guard let id = rows.values[r][c] else { return nil }
            guard let i = invoices.id.row(of: id) else {
                problems.append(rows.error(row: r, column: c, "no invoice \(excerpt(id)) in invoices.csv"))
                return nil
            }
            return i
        }

        if let rows = try CSVRows.read(Catalogue.promises, in: directory) {
            for r in 0..<rows.count {
                let values = rows.values[r]
                guard let id = values[0] else {
                    problems.append(rows.error(row: r, column: 0, "a promise needs the customer's id"))
                    continue
                }
                guard let c = customers.id.row(of: id) else {
                    problems.append(rows.error(row: r, column: 0, "no customer \(excerpt(id)) in customers.csv"))
                    continue
                }
                let i = invoice(rows, r, 1)
                if values[1] != nil && i == nil { continue }
                if let i, invoices.customer[Int(i)] != c {
                    problems.append(rows.error(row: r, column: 1, "invoice '\(values[1] ?? "")' is not customer '\(id)'s"))
                    continue
                }
                guard case .success(let amount) = Money.parse(values[2] ?? "", currency: customers.currency[Int(c)]) else {
                    problems.append(
                        rows.error(
                            row: r, column: 2,
                            "amount \(excerpt(values[2] ?? "")) is not an amount in \(customers.currency[Int(c)])"))
                    continue
                }
                guard let made = day(rows, r, 3, "made_on"), let by = day(rows, r, 4, "promised_by") else {
                    if values[3] == nil || values[4] == nil {
                        problems.append(
                            rows.error(
                                row: r, column: values[3] == nil ? 3 : 4, "a promise needs the day made and the day promised"))
                    }
                    continue
                }
                events.append(Event(customer: c, day: made, kind: .promised(invoice: i, amount: amount.minor, by: by)))
            }
        }

        if let rows = try CSVRows.read(Catalogue.disputes, in: directory) {
            for r in 0..<rows.count {
                guard rows.values[r][0] != nil else {
                    problems.append(rows.error(row: r, column: 0, "a dispute needs the invoice's id"))
                    continue
                }
                guard let i = invoice(rows, r, 0) else { continue }
                guard let opened = day(rows, r, 1, "opened") else {
                    if rows.values[r][1] == nil {
                        problems.append(rows.error(row: r, column: 1, "a dispute needs the day it opened"))
                    }
                    continue
                }
                let c = invoices.customer[Int(i)]
                events.append(Event(customer: c, day: opened, kind: .disputed(invoice: i)))
                if rows.values[r][2] != nil {
                    guard let resolved = day(rows, r, 2, "resolved_on") else { continue }
                    events.append(Event(customer: c, day: resolved, kind: .resolved(invoice: i)))
                }
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return events
    }
}
