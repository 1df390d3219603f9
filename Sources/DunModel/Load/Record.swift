// Record: one CSV record read field by field into typed values, keeping every problem found.

import DunCore

/// The current record of a table, read by column. Each parser returns `nil` for an empty
/// optional field or a bad value; a bad value also leaves a diagnostic in `problems`.
struct Record<Column: RawRepresentable> where Column.RawValue == Int {
    let table: CSVTable
    private(set) var problems: [Diagnostic] = []
    /// Whether a problem will be shown, so that "did you mean" is worth looking for.
    let wantsHints: Bool

    init(_ table: CSVTable, wantsHints: Bool) {
        self.table = table
        self.wantsHints = wantsHints
    }

    /// No field of the record has failed so far.
    var isValid: Bool { problems.isEmpty }

    /// The field's text; `nil` when empty or when the file lacks the column.
    func text(_ c: Column) -> String? {
        table.text(c.rawValue)
    }

    mutating func fail(_ c: Column, _ message: String, hint: String? = nil) {
        problems.append(table.error(c.rawValue, message, hint: hint))
    }

    /// A non-empty id not seen before in this file.
    mutating func identifier(_ c: Column, existing: [String: Int32], what: String) -> String? {
        guard let id = text(c) else {
            fail(c, "empty \(what) id")
            return nil
        }
        if existing[id] != nil {
            fail(c, "duplicate \(what) id '\(id)'", hint: "each \(what) id may appear once")
            return nil
        }
        return id
    }

    /// The row of the id in this field among `rows` (ids of `file`).
    mutating func reference(_ c: Column, to rows: [String: Int32], ids: [String], in file: String, what: String) -> Int32? {
        guard let ref = text(c) else {
            fail(c, "empty \(what)_id")
            return nil
        }
        guard let row = rows[ref] else {
            // Looking for the nearest of very many ids would take longer than the load.
            let near = wantsHints && ids.count <= 10_000 ? nearestName(to: ref, in: ids) : nil
            fail(c, "no \(what) '\(ref)' in \(file)", hint: near.map { "did you mean '\($0)'?" })
            return nil
        }
        return row
    }

    mutating func date(_ c: Column) -> Day? {
        guard let text = text(c) else {
            fail(c, "empty date")
            return nil
        }
        if let day = Day(iso: text) { return day }
        // Shaped like YYYY-MM-DD (so "no such date"), or some other format such as 28-11-2026.
        let shape =
            text.utf8.count == 10
            && text.utf8.enumerated().allSatisfy { i, b in
                i == 4 || i == 7 ? b == UInt8(ascii: "-") : (48...57).contains(b)
            }
        fail(
            c, shape ? "no such date '\(text)'" : "expected a date like 2026-11-28, found '\(text)'",
            hint: shape ? nil : "dates are ISO: year-month-day")
        return nil
    }

    /// An amount in minor units of `currency`, never negative.
    mutating func amount(_ c: Column, currency: Currency, what: String, required: Bool = false) -> Int64? {
        guard let text = text(c) else {
            if required { fail(c, "empty \(what)") }
            return nil
        }
        switch Money.parse(text, currency: currency) {
        case .success(let money) where money.minor < 0:
            fail(c, "negative \(what) '\(text)'", hint: "credit notes and refunds are not supported yet")
        case .success(let money):
            return money.minor
        case .failure(.tooManyDecimals(let allowed)):
            fail(c, "\(what) '\(text)' has more decimals than \(currency.code) allows (\(allowed))")
        case .failure(.tooLarge):
            fail(c, "\(what) '\(text)' is too large")
        case .failure(.notAnAmount):
            let hint = text.contains(",") ? "write amounts without thousands separators: 1234567.89" : "amounts look like 1234.56"
            fail(c, "expected an amount, found '\(text)'", hint: hint)
        }
        return nil
    }

    /// `true`/`false`, `yes`/`no`, `y`/`n`, `1`/`0`, `是`/`否`, any case; empty is false.
    mutating func flag(_ c: Column) -> Bool {
        guard let text = text(c) else { return false }
        switch text.lowercased() {
        case "true", "yes", "y", "1", "是", "t": return true
        case "false", "no", "n", "0", "否", "f": return false
        default:
            fail(c, "expected true or false, found '\(text)'", hint: "also accepted: yes/no, 1/0, 是/否")
            return false
        }
    }

    mutating func grade(_ c: Column) -> Grade? {
        guard let text = text(c) else { return nil }
        guard let grade = Grade(letter: text) else {
            fail(c, "unknown grade '\(text)'", hint: "grades are A (best) to E (worst)")
            return nil
        }
        return grade
    }

    mutating func currency(_ c: Column) -> Currency? {
        guard let code = text(c) else { return nil }
        if let currency = Currency(code: code.uppercased()) { return currency }
        let hint: String
        if code.uppercased() == "RMB" {
            // RMB is one edit from RUB, but it means the renminbi.
            hint = "the ISO 4217 code of the renminbi is CNY"
        } else if let near = nearestName(to: code.uppercased(), in: Currency.knownCodes) {
            hint = "did you mean '\(near)'?"
        } else {
            hint = "currencies are ISO 4217 codes such as CNY, USD, EUR"
        }
        fail(c, "unknown currency '\(code)'", hint: hint)
        return nil
    }

    /// The field must name `expected` when present: an invoice or payment is in its customer's currency.
    mutating func sameCurrency(_ c: Column, as expected: Currency, customer: String, what: String) {
        guard let code = text(c), code.uppercased() != expected.code else { return }
        fail(
            c, "\(what) currency '\(code)' differs from customer \(customer)'s currency \(expected.code)",
            hint: "Dun keeps each customer's receivables in one currency")
    }

    /// A whole number of days, 0 or more.
    mutating func days(_ c: Column) -> Int32? {
        guard let text = text(c) else { return nil }
        guard let n = Int32(text), n >= 0 else {
            fail(c, "expected a whole number of days, found '\(text)'")
            return nil
        }
        return n
    }
}
