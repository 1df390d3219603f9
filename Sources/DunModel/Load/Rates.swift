// Rates: the workspace's exchange rates — dun.toml's [rates], and the dated rates of the
// optional rates.csv.

import DunCore

extension ExchangeRates {
    /// The rates of the workspace in `directory`: those of `settings` (dun.toml's `[rates]`)
    /// and those of `rates.csv`, each row of which is a rate from its day on. A bad row is an
    /// error naming file, line and column; every one is reported.
    public static func read(in directory: String, settings: WorkspaceSettings) throws(Diagnostics) -> ExchangeRates {
        var rates = settings.rates
        guard let rows = try CSVRows.read(Catalogue.rates, in: directory) else { return rates }
        var problems: [Diagnostic] = []
        /// The line of each currency's rate of each day, for an error about a second one.
        var seen: [Currency: [Day: Int]] = [:]
        for r in 0..<rows.count {
            let values = rows.values[r]
            guard var dayText = values[0], let day = dayText.withUTF8({ DateFormat.yearFirst.day($0) }) else {
                problems.append(
                    rows.error(
                        row: r, column: 0,
                        values[0].map { "\(excerpt($0)) is not a date" } ?? "a rate needs the day it applies from",
                        hint: "write it as 2026-11-28"))
                continue
            }
            guard let code = values[1], let currency = Currency(code: code.uppercased()) else {
                problems.append(
                    rows.error(
                        row: r, column: 1,
                        values[1].map { "unknown currency \(excerpt($0)): an ISO 4217 code such as USD, EUR" }
                            ?? "a rate needs its currency"))
                continue
            }
            guard currency != rates.base else {
                problems.append(
                    rows.error(
                        row: r, column: 1, "\(currency) is the base currency: its rate is 1",
                        hint: "another base is set in dun.toml: [rates] base = \"USD\""))
                continue
            }
            guard let text = values[2], let rate = Decimal64(parsing: Substring(text)), Decimal64(0) < rate else {
                problems.append(
                    rows.error(
                        row: r, column: 2,
                        (values[2].map { "\(excerpt($0)) is not a rate" } ?? "a rate needs its value")
                            + ": a number above 0, what one \(currency) is worth in \(rates.base)"))
                continue
            }
            if let line = seen[currency]?[day] {
                problems.append(rows.error(row: r, column: 0, "a second rate of \(currency) from \(day): line \(line) has one"))
                continue
            }
            seen[currency, default: [:]][day] = rows.line(of: r)
            rates.add(currency, rate, from: day)
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return rates
    }
}
