// Tables: the columns of each file of a workspace, and how a record becomes a row. Each
// column enum names the fields its table reads with code of its own, the first of the
// catalogue's; the catalogue's fields after them are carried (`Carried`).

import DunCore
import Foundation

/// The columns a table reads with code of its own: the first of its catalogue's fields, in order.
protocol TableColumn: RawRepresentable, CaseIterable where RawValue == Int {
    static var specs: [StoredField] { get }
}

/// The files that rows refer to, as their errors name them, and whether each was read
/// without errors (else a reference to an id it lacks is not one: see `Record.reference`).
struct Origin: Sendable {
    var customers = Catalogue.customers.file
    var invoices = Catalogue.invoices.file
    var customersComplete = true
    var invoicesComplete = true
}

// MARK: customers

enum CustomerColumn: Int, TableColumn {
    case id, name, region, grade, creditLimit, currency, termsDays, collector, email, phone, language
    static let specs = Catalogue.customers.fields

    static func parse(_ rows: inout Customers, _ r: inout Record<CustomerColumn>) {
        let id = r.identifier(.id, what: "customer")
        if r.bytes(.name).isEmpty { r.fail(.name, "empty customer name") }
        let currency = r.currency(.currency) ?? .cny
        let grade = r.grade(.grade)
        let limit = r.amount(.creditLimit, currency: currency, what: "credit limit")
        let terms = r.days(.termsDays)
        r.check(Customers.carriedLayout, currency: currency)
        guard r.isValid, let id else { return }
        rows.id.append(id)
        rows.name.append(r.bytes(.name))
        rows.region.append(r.bytes(.region))
        rows.grade.append(grade)
        rows.creditLimit.append(limit)
        rows.currency.append(currency)
        rows.termsDays.append(terms)
        rows.collector.append(r.bytes(.collector))
        rows.email.append(r.bytes(.email))
        rows.phone.append(r.bytes(.phone))
        rows.language.append(r.bytes(.language))
        r.carry(into: &rows.carried, currency: currency)
    }
}

// MARK: invoices

enum InvoiceColumn: Int, TableColumn {
    case id, customerID, issued, due, amount, currency, disputed
    static let specs = Catalogue.invoices.fields

    /// `currency`: the customers' currency when they share one, which saves reading each
    /// row's customer's (a wait on memory with a million customers). An invoice is in the
    /// currency its row names, else its customer's.
    static func parse(
        _ rows: inout Invoices, _ r: inout Record<InvoiceColumn>, customers: Customers, currency shared: Currency?,
        from origin: Origin = Origin()
    ) {
        let id = r.identifier(.id, what: "invoice")
        let customer = r.reference(
            .customerID, to: customers.id, in: origin.customers, what: "customer", complete: origin.customersComplete)
        r.prefetchNext(.customerID, in: customers.id)
        let issued = r.date(.issued)
        let due = r.date(.due)
        if let issued, let due, due < issued {
            r.fail(.due, "due date \(due) is before the issue date \(issued)")
        }
        let customerCurrency = customer.map { shared ?? customers.currency[Int($0)] } ?? .cny
        let currency = r.currency(.currency) ?? customerCurrency
        // Negative for a credit note.
        let amount = r.amount(.amount, currency: currency, what: "amount", required: true, signed: true)
        let disputed = r.flag(.disputed)
        r.check(Invoices.carriedLayout, currency: currency)
        guard r.isValid, let id, let customer, let issued, let due, let amount else { return }
        rows.id.append(id)
        rows.customer.append(customer)
        rows.issued.append(issued)
        rows.due.append(due)
        rows.amount.append(amount)
        rows.currency.append(currency)
        rows.disputed.append(disputed)
        r.carry(into: &rows.carried, currency: currency)
        if currency != customerCurrency { rows.anyForeign = true }
    }
}

// MARK: payments

enum PaymentColumn: Int, TableColumn {
    case id, customerID, invoiceID, date, amount, currency
    static let specs = Catalogue.payments.fields

    /// Reads a payment. The slots of the next record's customer and invoice ids are read
    /// ahead. Whether the invoice is the customer's, a wait on memory, is checked once the
    /// file is read (`checkOwners`), unless the record has another problem: then here, so
    /// that its problems are shown together, in the order of its fields.
    static func parse(
        _ rows: inout Payments, _ r: inout Record<PaymentColumn>, customers: Customers, currency shared: Currency?,
        invoices: Invoices, from origin: Origin = Origin()
    ) {
        let id = r.identifier(.id, what: "payment")
        let customer = r.reference(
            .customerID, to: customers.id, in: origin.customers, what: "customer", complete: origin.customersComplete)
        let invoice =
            r.bytes(.invoiceID).isEmpty
            ? nil
            : r.reference(.invoiceID, to: invoices.id, in: origin.invoices, what: "invoice", complete: origin.invoicesComplete)
        r.prefetchNext(.customerID, in: customers.id)
        r.prefetchNext(.invoiceID, in: invoices.id)
        let ownerCheck = r.problems.count
        let date = r.date(.date)
        // In the currency its row names, else its invoice's, else its customer's. An invoice's
        // is its customer's (the same customer, or an error below) unless some invoice is not.
        let named = r.currency(.currency)
        let customerCurrency = customer.map { shared ?? customers.currency[Int($0)] } ?? .cny
        let invoiceCurrency = invoice.map { invoices.anyForeign ? invoices.currency[Int($0)] : customerCurrency }
        let currency = named ?? invoiceCurrency ?? customerCurrency
        if let named, let invoice, let invoiceCurrency, named != invoiceCurrency {
            r.fail(
                .currency, "payment in \(named) on invoice \(invoices.id[Int(invoice)]), which is in \(invoiceCurrency)",
                hint: "a payment is in the currency of the invoice it pays; cash in another currency is unapplied")
        }
        let amount = r.amount(.amount, currency: currency, what: "amount", required: true)
        if !r.isValid, let invoice, let customer, invoices.customer[Int(invoice)] != customer {
            r.fail(.invoiceID, ownerMismatch(invoice, invoices, customers), at: ownerCheck)
        }
        r.check(Payments.carriedLayout, currency: currency)
        guard r.isValid, let id, let customer, let date, let amount else { return }
        rows.id.append(id)
        rows.customer.append(customer)
        rows.invoice.append(invoice)
        rows.date.append(date)
        rows.amount.append(amount)
        rows.currency.append(currency)
        r.carry(into: &rows.carried, currency: currency)
    }

    /// Whether `row` repeats the id of `first` as one payment split over several invoices
    /// does: the same customer and date, each row another invoice. `invoices` keeps, per first
    /// row, the invoices its id has paid so far; called in row order.
    static func isSplit(_ row: Int32, of first: Int32, in p: Payments, _ invoices: inout [Int32: Set<Int32>]) -> Bool {
        let (r, f) = (Int(row), Int(first))
        guard p.customer[r] == p.customer[f], p.date[r] == p.date[f], let invoice = p.invoice[r], let firstInvoice = p.invoice[f]
        else { return false }
        return invoices[first, default: [firstInvoice]].insert(invoice).inserted
    }

    static let splitHint =
        "each payment id may appear once, or on several rows with the same customer and date, each for another invoice (a payment split over invoices)"

    private static func ownerMismatch(_ invoice: Int32, _ invoices: Invoices, _ customers: Customers) -> String {
        let owner = customers.id[Int(invoices.customer[Int(invoice)])]
        return "invoice '\(invoices.id[Int(invoice)])' belongs to customer \(owner), not to this payment's customer"
    }

    /// Each payment's invoice is its customer's, checked for the rows kept from the file: the
    /// invoice of the payment sixteen rows on is read ahead, so that the waits overlap.
    /// Returns the payments that fail, which count for no invoice's total (as a payment not
    /// kept would not).
    static func checkOwners(_ w: Workspace, _ problems: inout Problems) -> Set<Int32> {
        let (invoiceOf, customerOf, owners) = (w.payments.invoice, w.payments.customer, w.invoices.customer)
        var failed = Set<Int32>()
        for p in 0..<w.payments.count {
            if p + 16 < w.payments.count, let ahead = invoiceOf[p + 16] { prefetch(owners, Int(ahead)) }
            guard let i = invoiceOf[p], owners[Int(i)] != customerOf[p] else { continue }
            failed.insert(Int32(p))
            problems.add(
                row: Int32(p), column: PaymentColumn.invoiceID.rawValue, rank: .own, ownerMismatch(i, w.invoices, w.customers))
        }
        return failed
    }

    /// Payments applied to an invoice may not add up to more than it: checked in file order,
    /// so that the payment that goes over is the one named.
    ///
    /// What is left on each invoice is one number to touch per payment (what was paid, and
    /// the amount, would be two places in memory, and with ten million invoices each is a
    /// wait); the invoices of the next 64 payments are read first, so that the waits overlap.
    static func checkTotals(_ w: Workspace, skipping: Set<Int32>, _ problems: inout Problems) {
        let (invoiceOf, amounts) = (w.payments.invoice, w.payments.amount)
        var left = filledArray(count: w.invoices.count) { w.invoices.amount[$0] }
        for p in 0..<w.payments.count {
            if p % 64 == 0 {
                var touched: Int64 = 0
                for q in p..<min(p + 64, w.payments.count) {
                    if let i = invoiceOf[q] { touched &+= left[Int(i)] }
                }
                keep(Int32(truncatingIfNeeded: touched))
            }
            guard let invoice = invoiceOf[p], !skipping.contains(Int32(p)) else { continue }
            let i = Int(invoice)
            let amount = amounts[p]
            if w.invoices.amount[i] < 0 {
                problems.add(
                    row: Int32(p), column: PaymentColumn.invoiceID.rawValue, rank: .total,
                    "invoice \(w.invoices.id[i]) is a credit note: nothing is paid on it",
                    hint: "a payment that a credit note settles names the invoice it pays; a refund is not a payment")
                continue
            }
            // What is left on an invoice is never negative: payments are not (`Record.amount`).
            guard amount > left[i] else {
                left[i] -= amount
                continue
            }
            let currency = w.invoices.currency[i]
            let show = { (m: Int64) in Money(minor: m, currency: currency).formatted(grouped: true) }
            let applied = w.invoices.amount[i] - left[i]
            let already = applied > 0 ? " (already paid: \(show(applied)))" : ""
            problems.add(
                row: Int32(p), column: PaymentColumn.amount.rawValue, rank: .total,
                "payment of \(show(amount)) is more than what is left on invoice \(w.invoices.id[i]): \(show(left[i]))\(already)",
                hint: "an overpayment belongs in a separate row without invoice_id (unapplied cash)")
        }
    }
}
