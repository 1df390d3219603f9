// Loader: reads a workspace folder's CSV files into a Workspace, or says what is wrong.

import DunCore
import Foundation

/// Reads `customers.csv`, `invoices.csv` and `payments.csv` from a folder.
///
/// Every bad value stops the load with a diagnostic naming file, line, column and value;
/// up to `maxErrors` are collected so that one run shows most of what to fix.
public struct WorkspaceLoader {
    public static let maxErrors = 50

    private var workspace = Workspace()
    private var errors: [Diagnostic] = []
    private var suppressed = 0

    /// Loads the workspace in `directory`.
    public static func load(directory: String) throws(Diagnostics) -> Workspace {
        var loader = WorkspaceLoader()
        let dir = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw Diagnostics([
                Diagnostic(.error, "no workspace folder '\(directory)'", hint: "give the folder with --data DIR")
            ])
        }
        let files = ["customers.csv", "invoices.csv", "payments.csv"]
        var contents: [[UInt8]] = []
        for name in files {
            let path = dir + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                let exists = FileManager.default.fileExists(atPath: path)
                throw Diagnostics([
                    Diagnostic(
                        .error, exists ? "cannot read \(name)" : "no \(name) in workspace '\(directory)'",
                        file: exists ? path : nil,
                        hint: exists ? nil : "a workspace holds customers.csv, invoices.csv and payments.csv")
                ])
            }
            contents.append([UInt8](data))
        }
        loader.loadCustomers(file: dir + "/" + files[0], bytes: contents[0])
        if loader.errors.isEmpty {
            loader.loadInvoices(file: dir + "/" + files[1], bytes: contents[1])
        }
        if loader.errors.isEmpty {
            loader.loadPayments(file: dir + "/" + files[2], bytes: contents[2])
        }
        try loader.finish()
        return loader.workspace
    }

    /// Loads from texts already in memory (tests, and data given on standard input).
    public static func load(customers: String, invoices: String, payments: String) throws(Diagnostics) -> Workspace {
        var loader = WorkspaceLoader()
        loader.loadCustomers(file: "customers.csv", bytes: Array(customers.utf8))
        if loader.errors.isEmpty {
            loader.loadInvoices(file: "invoices.csv", bytes: Array(invoices.utf8))
        }
        if loader.errors.isEmpty {
            loader.loadPayments(file: "payments.csv", bytes: Array(payments.utf8))
        }
        try loader.finish()
        return loader.workspace
    }

    private func finish() throws(Diagnostics) {
        guard !errors.isEmpty else { return }
        var all = errors
        if suppressed > 0 {
            all.append(Diagnostic(.note, "\(suppressed) more error\(suppressed == 1 ? "" : "s") not shown"))
        }
        throw Diagnostics(all)
    }

    private mutating func report(_ d: Diagnostic) {
        if errors.count < WorkspaceLoader.maxErrors {
            errors.append(d)
        } else {
            suppressed += 1
        }
    }

    /// Runs `body` for each record; a malformed record ends the file (its structure is lost).
    private mutating func read(
        file: String, bytes: [UInt8], columns: [ColumnSpec], body: (inout WorkspaceLoader, CSVTable) -> Void
    ) {
        do {
            var table = try CSVTable(file: file, bytes: bytes, columns: columns)
            while try table.next() {
                body(&self, table)
            }
        } catch {
            report(error)
        }
    }

    // MARK: customers

    private enum CustomerColumn: Int, CaseIterable {
        case id, name, region, grade, creditLimit, currency, termsDays, collector, email, phone, language
        static let specs: [ColumnSpec] = [
            ColumnSpec(name: "id", required: true), ColumnSpec(name: "name", required: true),
            ColumnSpec(name: "region", required: false), ColumnSpec(name: "grade", required: false),
            ColumnSpec(name: "credit_limit", required: false), ColumnSpec(name: "currency", required: false),
            ColumnSpec(name: "terms_days", required: false), ColumnSpec(name: "collector", required: false),
            ColumnSpec(name: "email", required: false), ColumnSpec(name: "phone", required: false),
            ColumnSpec(name: "language", required: false),
        ]
    }

    private mutating func loadCustomers(file: String, bytes: [UInt8]) {
        typealias C = CustomerColumn
        read(file: file, bytes: bytes, columns: C.specs) { loader, t in
            var ok = true
            func fail(_ c: C, _ message: String, hint: String? = nil) {
                loader.report(t.error(c.rawValue, message, hint: hint))
                ok = false
            }
            let id = loader.identifier(t, C.id.rawValue, existing: loader.workspace.customers.row, what: "customer")
            ok = ok && id != nil
            guard let name = t.text(C.name.rawValue) else {
                return fail(.name, "empty customer name")
            }
            var currency = Currency.cny
            if let code = t.text(C.currency.rawValue) {
                if let c = Currency(code: code.uppercased()) {
                    currency = c
                } else {
                    fail(.currency, "unknown currency '\(code)'", hint: loader.currencyHint(code))
                }
            }
            var grade: Grade?
            if let g = t.text(C.grade.rawValue) {
                grade = Grade(letter: g)
                if grade == nil { fail(.grade, "unknown grade '\(g)'", hint: "grades are A (best) to E (worst)") }
            }
            let limit = loader.amount(t, C.creditLimit.rawValue, currency: currency, what: "credit limit")
            ok = ok && !limit.failed
            var terms: Int32?
            if let text = t.text(C.termsDays.rawValue) {
                if let n = Int32(text), n >= 0 {
                    terms = n
                } else {
                    fail(.termsDays, "expected a whole number of days, found '\(text)'")
                }
            }
            guard ok, let id else { return }
            loader.workspace.customers.append(
                id: id, name: name, region: t.text(C.region.rawValue), grade: grade, creditLimit: limit.minor,
                currency: currency, termsDays: terms, collector: t.text(C.collector.rawValue),
                email: t.text(C.email.rawValue), phone: t.text(C.phone.rawValue), language: t.text(C.language.rawValue))
        }
    }

    // MARK: invoices

    private enum InvoiceColumn: Int, CaseIterable {
        case id, customerID, issued, due, amount, currency, disputed
        static let specs: [ColumnSpec] = [
            ColumnSpec(name: "id", required: true), ColumnSpec(name: "customer_id", required: true),
            ColumnSpec(name: "issued", required: true), ColumnSpec(name: "due", required: true),
            ColumnSpec(name: "amount", required: true), ColumnSpec(name: "currency", required: false),
            ColumnSpec(name: "disputed", required: false),
        ]
    }

    private mutating func loadInvoices(file: String, bytes: [UInt8]) {
        typealias C = InvoiceColumn
        read(file: file, bytes: bytes, columns: C.specs) { loader, t in
            var ok = true
            func fail(_ c: C, _ message: String, hint: String? = nil) {
                loader.report(t.error(c.rawValue, message, hint: hint))
                ok = false
            }
            let id = loader.identifier(t, C.id.rawValue, existing: loader.workspace.invoices.row, what: "invoice")
            ok = ok && id != nil
            let customer = loader.customerReference(t, C.customerID.rawValue)
            ok = ok && customer != nil
            let issued = loader.date(t, C.issued.rawValue)
            let due = loader.date(t, C.due.rawValue)
            ok = ok && issued != nil && due != nil
            if let issued, let due, due < issued {
                fail(.due, "due date \(due) is before the issue date \(issued)")
            }
            let currency = customer.map { loader.workspace.customers.currency[Int($0)] } ?? .cny
            if let customer, let code = t.text(C.currency.rawValue), code.uppercased() != currency.code {
                let cid = loader.workspace.customers.id[Int(customer)]
                fail(
                    .currency, "invoice currency '\(code)' differs from customer \(cid)'s currency \(currency.code)",
                    hint: "Dun keeps each customer's receivables in one currency")
            }
            let amount = loader.amount(t, C.amount.rawValue, currency: currency, what: "amount", required: true)
            ok = ok && !amount.failed
            var disputed = false
            if let text = t.text(C.disputed.rawValue) {
                if let b = parseFlag(text) {
                    disputed = b
                } else {
                    fail(.disputed, "expected true or false, found '\(text)'", hint: "also accepted: yes/no, 1/0, 是/否")
                }
            }
            guard ok, let id, let customer, let issued, let due, let minor = amount.minor else { return }
            loader.workspace.invoices.append(
                id: id, customer: customer, issued: issued, due: due, amount: minor, disputed: disputed)
        }
    }

    // MARK: payments

    private enum PaymentColumn: Int, CaseIterable {
        case id, customerID, invoiceID, date, amount, method, currency
        static let specs: [ColumnSpec] = [
            ColumnSpec(name: "id", required: true), ColumnSpec(name: "customer_id", required: true),
            ColumnSpec(name: "invoice_id", required: false), ColumnSpec(name: "date", required: true),
            ColumnSpec(name: "amount", required: true), ColumnSpec(name: "method", required: false),
            ColumnSpec(name: "currency", required: false),
        ]
    }

    private mutating func loadPayments(file: String, bytes: [UInt8]) {
        typealias C = PaymentColumn
        var applied = [Int64](repeating: 0, count: workspace.invoices.count)
        read(file: file, bytes: bytes, columns: C.specs) { loader, t in
            var ok = true
            func fail(_ c: C, _ message: String, hint: String? = nil) {
                loader.report(t.error(c.rawValue, message, hint: hint))
                ok = false
            }
            let id = loader.identifier(t, C.id.rawValue, existing: loader.workspace.payments.row, what: "payment")
            ok = ok && id != nil
            let customer = loader.customerReference(t, C.customerID.rawValue)
            ok = ok && customer != nil
            var invoice: Int32?
            if let ref = t.text(C.invoiceID.rawValue) {
                invoice = loader.workspace.invoices.row[ref]
                if invoice == nil {
                    fail(
                        .invoiceID, "no invoice '\(ref)' in invoices.csv",
                        hint: nearestName(to: ref, in: loader.workspace.invoices.id).map { "did you mean '\($0)'?" })
                } else if let invoice, let customer, loader.workspace.invoices.customer[Int(invoice)] != customer {
                    let owner = loader.workspace.customers.id[Int(loader.workspace.invoices.customer[Int(invoice)])]
                    fail(.invoiceID, "invoice '\(ref)' belongs to customer \(owner), not to this payment's customer")
                }
            }
            let date = loader.date(t, C.date.rawValue)
            ok = ok && date != nil
            let currency = customer.map { loader.workspace.customers.currency[Int($0)] } ?? .cny
            if let customer, let code = t.text(C.currency.rawValue), code.uppercased() != currency.code {
                let cid = loader.workspace.customers.id[Int(customer)]
                fail(.currency, "payment currency '\(code)' differs from customer \(cid)'s currency \(currency.code)")
            }
            let amount = loader.amount(t, C.amount.rawValue, currency: currency, what: "amount", required: true)
            ok = ok && !amount.failed
            if ok, let invoice, let minor = amount.minor {
                let i = Int(invoice)
                let total = applied[i].addingReportingOverflow(minor)
                let owed = loader.workspace.invoices.amount[i]
                if total.overflow || total.partialValue > owed {
                    let show = { (m: Int64) in Money(minor: m, currency: currency).formatted(grouped: true) }
                    let already = applied[i] > 0 ? " (already paid: \(show(applied[i])))" : ""
                    fail(
                        .amount,
                        "payment of \(show(minor)) is more than what is left on invoice \(loader.workspace.invoices.id[i]): \(show(owed - applied[i]))\(already)",
                        hint: "an overpayment belongs in a separate row without invoice_id (unapplied cash)")
                } else {
                    applied[i] = total.partialValue
                }
            }
            guard ok, let id, let customer, let date, let minor = amount.minor else { return }
            loader.workspace.payments.append(
                id: id, customer: customer, invoice: invoice, date: date, amount: minor,
                method: t.text(C.method.rawValue))
        }
    }

    // MARK: field parsers

    /// A non-empty id not seen before in this file.
    private mutating func identifier(_ t: CSVTable, _ column: Int, existing: [String: Int32], what: String) -> String? {
        guard let id = t.text(column) else {
            report(t.error(column, "empty \(what) id"))
            return nil
        }
        if existing[id] != nil {
            report(t.error(column, "duplicate \(what) id '\(id)'", hint: "each \(what) id may appear once"))
            return nil
        }
        return id
    }

    private mutating func customerReference(_ t: CSVTable, _ column: Int) -> Int32? {
        guard let ref = t.text(column) else {
            report(t.error(column, "empty customer_id"))
            return nil
        }
        guard let row = workspace.customers.row[ref] else {
            report(
                t.error(
                    column, "no customer '\(ref)' in customers.csv",
                    hint: nearestName(to: ref, in: workspace.customers.id).map { "did you mean '\($0)'?" }))
            return nil
        }
        return row
    }

    private mutating func date(_ t: CSVTable, _ column: Int) -> Day? {
        guard let text = t.text(column) else {
            report(t.error(column, "empty date"))
            return nil
        }
        if let day = Day(iso: text) { return day }
        // Shaped like YYYY-MM-DD (so "no such date"), or some other format such as 28-11-2026.
        let shape = text.utf8.count == 10
            && text.utf8.enumerated().allSatisfy { i, b in
                i == 4 || i == 7 ? b == UInt8(ascii: "-") : (48...57).contains(b)
            }
        report(
            t.error(
                column, shape ? "no such date '\(text)'" : "expected a date like 2026-11-28, found '\(text)'",
                hint: shape ? nil : "dates are ISO: year-month-day"))
        return nil
    }

    /// An amount in a currency: `minor` is `nil` for an empty optional field; `failed` after an error.
    private mutating func amount(
        _ t: CSVTable, _ column: Int, currency: Currency, what: String, required: Bool = false
    ) -> (minor: Int64?, failed: Bool) {
        guard let text = t.text(column) else {
            if required {
                report(t.error(column, "empty \(what)"))
                return (nil, true)
            }
            return (nil, false)
        }
        switch Money.parse(text, currency: currency) {
        case .success(let money) where money.minor < 0:
            report(t.error(column, "negative \(what) '\(text)'", hint: "credit notes and refunds are not supported yet"))
        case .success(let money):
            return (money.minor, false)
        case .failure(.tooManyDecimals(let allowed)):
            report(t.error(column, "\(what) '\(text)' has more decimals than \(currency.code) allows (\(allowed))"))
        case .failure(.tooLarge):
            report(t.error(column, "\(what) '\(text)' is too large"))
        case .failure(.notAnAmount):
            let hint = text.contains(",") ? "write amounts without thousands separators: 1234567.89" : "amounts look like 1234.56"
            report(t.error(column, "expected an amount, found '\(text)'", hint: hint))
        }
        return (nil, true)
    }

    private func currencyHint(_ code: String) -> String {
        // RMB is one edit from RUB, but it means the renminbi.
        if code.uppercased() == "RMB" {
            return "the ISO 4217 code of the renminbi is CNY"
        }
        if let near = nearestName(to: code.uppercased(), in: Currency.knownCodes) {
            return "did you mean '\(near)'?"
        }
        return "currencies are ISO 4217 codes such as CNY, USD, EUR"
    }
}

/// `true`/`false`, `yes`/`no`, `y`/`n`, `1`/`0`, `是`/`否`, any case.
func parseFlag(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "true", "yes", "y", "1", "是", "t": return true
    case "false", "no", "n", "0", "否", "f": return false
    default: return nil
    }
}
