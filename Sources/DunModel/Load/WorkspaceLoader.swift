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

    /// Runs `body` for each record and reports what it found wrong; a malformed record ends
    /// the file (its structure is lost).
    private mutating func read<C>(
        file: String, bytes: [UInt8], columns: [ColumnSpec], body: (inout WorkspaceLoader, inout Record<C>) -> Void
    ) {
        do {
            var table = try CSVTable(file: file, bytes: bytes, columns: columns)
            while try table.next() {
                var record = Record<C>(table, wantsHints: errors.count < WorkspaceLoader.maxErrors)
                body(&self, &record)
                record.problems.forEach { report($0) }
            }
        } catch {
            report(error)
        }
    }

    // MARK: customers

    private enum CustomerColumn: Int {
        case id, name, region, grade, creditLimit, currency, termsDays, collector, email, phone, language
        static let specs = columns(
            "id", "name", "region?", "grade?", "credit_limit?", "currency?", "terms_days?", "collector?", "email?", "phone?",
            "language?")
    }

    private mutating func loadCustomers(file: String, bytes: [UInt8]) {
        read(file: file, bytes: bytes, columns: CustomerColumn.specs) { (loader, r: inout Record<CustomerColumn>) in
            let id = r.identifier(.id, existing: loader.workspace.customers.row, what: "customer")
            let name = r.text(.name)
            if name == nil { r.fail(.name, "empty customer name") }
            let currency = r.currency(.currency) ?? .cny
            let grade = r.grade(.grade)
            let limit = r.amount(.creditLimit, currency: currency, what: "credit limit")
            let terms = r.days(.termsDays)
            guard r.isValid, let id, let name else { return }
            loader.workspace.customers.append(
                id: id, name: name, region: r.text(.region), grade: grade, creditLimit: limit, currency: currency,
                termsDays: terms, collector: r.text(.collector), email: r.text(.email), phone: r.text(.phone),
                language: r.text(.language))
        }
    }

    // MARK: invoices

    private enum InvoiceColumn: Int {
        case id, customerID, issued, due, amount, currency, disputed
        static let specs = columns("id", "customer_id", "issued", "due", "amount", "currency?", "disputed?")
    }

    private mutating func loadInvoices(file: String, bytes: [UInt8]) {
        read(file: file, bytes: bytes, columns: InvoiceColumn.specs) { (loader, r: inout Record<InvoiceColumn>) in
            let customers = loader.workspace.customers
            let id = r.identifier(.id, existing: loader.workspace.invoices.row, what: "invoice")
            let customer = r.reference(.customerID, to: customers.row, ids: customers.id, in: "customers.csv", what: "customer")
            let issued = r.date(.issued)
            let due = r.date(.due)
            if let issued, let due, due < issued {
                r.fail(.due, "due date \(due) is before the issue date \(issued)")
            }
            let currency = customer.map { customers.currency[Int($0)] } ?? .cny
            if let customer {
                r.sameCurrency(.currency, as: currency, customer: customers.id[Int(customer)], what: "invoice")
            }
            let amount = r.amount(.amount, currency: currency, what: "amount", required: true)
            let disputed = r.flag(.disputed)
            guard r.isValid, let id, let customer, let issued, let due, let amount else { return }
            loader.workspace.invoices.append(
                id: id, customer: customer, issued: issued, due: due, amount: amount, disputed: disputed)
        }
    }

    // MARK: payments

    private enum PaymentColumn: Int {
        case id, customerID, invoiceID, date, amount, method, currency
        static let specs = columns("id", "customer_id", "invoice_id?", "date", "amount", "method?", "currency?")
    }

    private mutating func loadPayments(file: String, bytes: [UInt8]) {
        var applied = [Int64](repeating: 0, count: workspace.invoices.count)
        read(file: file, bytes: bytes, columns: PaymentColumn.specs) { (loader, r: inout Record<PaymentColumn>) in
            let customers = loader.workspace.customers
            let invoices = loader.workspace.invoices
            let id = r.identifier(.id, existing: loader.workspace.payments.row, what: "payment")
            let customer = r.reference(.customerID, to: customers.row, ids: customers.id, in: "customers.csv", what: "customer")
            var invoice: Int32?
            if r.text(.invoiceID) != nil {
                invoice = r.reference(.invoiceID, to: invoices.row, ids: invoices.id, in: "invoices.csv", what: "invoice")
                if let invoice, let customer, invoices.customer[Int(invoice)] != customer {
                    let owner = customers.id[Int(invoices.customer[Int(invoice)])]
                    r.fail(
                        .invoiceID,
                        "invoice '\(invoices.id[Int(invoice)])' belongs to customer \(owner), not to this payment's customer")
                }
            }
            let date = r.date(.date)
            let currency = customer.map { customers.currency[Int($0)] } ?? .cny
            if let customer {
                r.sameCurrency(.currency, as: currency, customer: customers.id[Int(customer)], what: "payment")
            }
            let amount = r.amount(.amount, currency: currency, what: "amount", required: true)
            if r.isValid, let invoice, let amount {
                let i = Int(invoice)
                let total = applied[i].addingReportingOverflow(amount)
                let owed = invoices.amount[i]
                if total.overflow || total.partialValue > owed {
                    let show = { (m: Int64) in Money(minor: m, currency: currency).formatted(grouped: true) }
                    let already = applied[i] > 0 ? " (already paid: \(show(applied[i])))" : ""
                    r.fail(
                        .amount,
                        "payment of \(show(amount)) is more than what is left on invoice \(invoices.id[i]): \(show(owed - applied[i]))\(already)",
                        hint: "an overpayment belongs in a separate row without invoice_id (unapplied cash)")
                } else {
                    applied[i] = total.partialValue
                }
            }
            guard r.isValid, let id, let customer, let date, let amount else { return }
            loader.workspace.payments.append(
                id: id, customer: customer, invoice: invoice, date: date, amount: amount, method: r.text(.method))
        }
    }
}

/// Column specs in the order of a column enum's cases; a name ending in `?` is optional.
private func columns(_ names: String...) -> [ColumnSpec] {
    names.map { ColumnSpec(name: $0.hasSuffix("?") ? String($0.dropLast()) : $0, required: !$0.hasSuffix("?")) }
}
