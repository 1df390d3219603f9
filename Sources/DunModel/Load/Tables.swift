// Tables: the columns of each file of a workspace, and how a record becomes a row.

import DunCore
import Foundation

/// A table's rows can be read in parts and joined.
protocol Joinable {
    mutating func reserve(_ rows: Int)
    mutating func append(contentsOf other: Self)
}

extension Customers: Joinable {}
extension Invoices: Joinable {}

/// Payments as read, with the invoice ids still to look up.
struct PaymentRows: Joinable, Sendable {
    /// An invoice id to look up: where its bytes are in the file, and its record.
    struct Pending: Sendable {
        var key: Int
        var length: Int32
        /// The payment's row when it was kept (its customer and place are the row's);
        /// otherwise `-1 - k`, record `k` of `rejected`.
        var record: Int32
    }

    /// A record that was not kept, whose invoice id is still checked: its customer (-1 when
    /// unknown) and place.
    struct Rejected: Sendable {
        var customer: Int32
        var place: Problems.Place
    }

    var payments = Payments()
    var pending: [Pending] = []
    var rejected: [Rejected] = []

    mutating func reserve(_ rows: Int) {
        payments.reserve(rows)
        pending.reserveHuge(rows)
    }

    mutating func append(contentsOf other: PaymentRows) {
        let (rows, records) = (Int32(payments.count), Int32(rejected.count))
        payments.append(contentsOf: other.payments)
        rejected += other.rejected
        pending += other.pending.lazy.map { p in
            var p = p
            p.record += p.record >= 0 ? rows : -records
            return p
        }
    }
}

/// The columns a file must or may have, in the order of a column enum's cases.
protocol TableColumn: RawRepresentable where RawValue == Int {
    static var specs: [ColumnSpec] { get }
}

/// Column specs in the order of a column enum's cases; a name ending in `?` is optional.
private func columns(_ names: String...) -> [ColumnSpec] {
    names.map { ColumnSpec(name: $0.hasSuffix("?") ? String($0.dropLast()) : $0, required: !$0.hasSuffix("?")) }
}

// MARK: customers

enum CustomerColumn: Int, TableColumn {
    case id, name, region, grade, creditLimit, currency, termsDays, collector, email, phone, language
    static let specs = columns(
        "id", "name", "region?", "grade?", "credit_limit?", "currency?", "terms_days?", "collector?", "email?", "phone?",
        "language?")

    static func parse(_ rows: inout Customers, _ r: inout Record<CustomerColumn>) {
        let id = r.identifier(.id, what: "customer")
        if r.bytes(.name).isEmpty { r.fail(.name, "empty customer name") }
        let currency = r.currency(.currency) ?? .cny
        let grade = r.grade(.grade)
        let limit = r.amount(.creditLimit, currency: currency, what: "credit limit")
        let terms = r.days(.termsDays)
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
    }
}

// MARK: invoices

enum InvoiceColumn: Int, TableColumn {
    case id, customerID, issued, due, amount, currency, disputed
    static let specs = columns("id", "customer_id", "issued", "due", "amount", "currency?", "disputed?")

    /// `currency`: the customers' currency when they share one, which saves reading each
    /// row's customer's (a wait on memory with a million customers).
    static func parse(
        _ rows: inout Invoices, _ r: inout Record<InvoiceColumn>, customers: Customers, currency shared: Currency?
    ) {
        r.prefetchNext(.customerID, in: customers.id)
        let id = r.identifier(.id, what: "invoice")
        let customer = r.reference(.customerID, to: customers.id, in: "customers.csv", what: "customer")
        let issued = r.date(.issued)
        let due = r.date(.due)
        if let issued, let due, due < issued {
            r.fail(.due, "due date \(due) is before the issue date \(issued)")
        }
        let currency = customer.map { shared ?? customers.currency[Int($0)] } ?? .cny
        if let customer {
            r.sameCurrency(.currency, as: currency, customer: customer, of: customers, what: "invoice")
        }
        let amount = r.amount(.amount, currency: currency, what: "amount", required: true)
        let disputed = r.flag(.disputed)
        guard r.isValid, let id, let customer, let issued, let due, let amount else { return }
        rows.id.append(id)
        rows.customer.append(customer)
        rows.issued.append(issued)
        rows.due.append(due)
        rows.amount.append(amount)
        rows.disputed.append(disputed)
    }
}

// MARK: payments

enum PaymentColumn: Int, TableColumn {
    case id, customerID, invoiceID, date, amount, method, currency
    static let specs = columns("id", "customer_id", "invoice_id?", "date", "amount", "method?", "currency?")

    /// Reads a payment; its invoice id, if its bytes are the file's, is looked up later with
    /// the others (`resolve`), since a million lookups one by one each wait on memory.
    static func parse(
        _ rows: inout PaymentRows, _ r: inout Record<PaymentColumn>, customers: Customers, currency shared: Currency?,
        invoices: Invoices
    ) {
        r.prefetchNext(.customerID, in: customers.id)
        let id = r.identifier(.id, what: "payment")
        let customer = r.reference(.customerID, to: customers.id, in: "customers.csv", what: "customer")
        var invoice: Int32?
        var pending: Range<Int>?
        let key = r.bytes(.invoiceID)
        if let file = r.table.file.bytes.baseAddress, let start = key.baseAddress, start >= file,
            start + key.count <= file + r.table.file.bytes.count
        {
            pending = (start - file)..<(start - file + key.count)
            r.deferCheck()
        } else if !key.isEmpty {
            // Unescaped from a quoted field: looked up now.
            invoice = r.reference(.invoiceID, to: invoices.id, in: "invoices.csv", what: "invoice")
            if let invoice, let customer, invoices.customer[Int(invoice)] != customer {
                r.fail(.invoiceID, ownerMismatch(invoice, invoices, customers))
            }
        }
        let date = r.date(.date)
        let currency = customer.map { shared ?? customers.currency[Int($0)] } ?? .cny
        if let customer {
            r.sameCurrency(.currency, as: currency, customer: customer, of: customers, what: "payment")
        }
        let amount = r.amount(.amount, currency: currency, what: "amount", required: true)
        let kept = r.isValid && id != nil && customer != nil && date != nil && amount != nil
        if let key = pending, !key.isEmpty {
            var record = Int32(rows.payments.count)
            if !kept {
                let start = r.table.recordStart
                rows.rejected.append(
                    PaymentRows.Rejected(
                        customer: customer ?? -1, place: Problems.Place(offset: start.offset, line: Int32(clamping: start.line))))
                record = -Int32(rows.rejected.count)
            }
            rows.pending.append(PaymentRows.Pending(key: key.lowerBound, length: Int32(key.count), record: record))
        }
        guard kept, let id, let customer, let date, let amount else { return }
        rows.payments.id.append(id)
        rows.payments.customer.append(customer)
        rows.payments.invoice.append(invoice)
        rows.payments.date.append(date)
        rows.payments.amount.append(amount)
        rows.payments.method.append(r.bytes(.method))
    }

    private static func ownerMismatch(_ invoice: Int32, _ invoices: Invoices, _ customers: Customers) -> String {
        let owner = customers.id[Int(invoices.customer[Int(invoice)])]
        return "invoice '\(invoices.id[Int(invoice)])' belongs to customer \(owner), not to this payment's customer"
    }

    /// Looks up the invoice ids left for later, a share per core, in batches whose memory
    /// reads overlap; an id not found, or another customer's invoice, is an error at its field.
    static func resolve(
        _ pending: [PaymentRows.Pending], rejected: [PaymentRows.Rejected], _ payments: inout Payments, invoices: Invoices,
        customers: Customers, _ problems: inout Problems, parts: Int?
    ) {
        guard let file = problems.file else { return }
        // The customer of a pending id's record (-1 when unknown).
        let customerOf = payments.customer
        func customer(_ p: PaymentRows.Pending) -> Int32 {
            p.record >= 0 ? customerOf[Int(p.record)] : rejected[Int(-1 - p.record)].customer
        }
        let n = WorkspaceLoader.parts(pending.count, large: 1 << 16, forced: parts)
        // Each share writes the invoices of its own payments, straight into the column.
        let shares = payments.invoice.withUnsafeMutableBufferPointer { invoiceOf in
            concurrently(n) { k in
                var missing: [(PaymentRows.Pending, String?)] = []
                for batch in stride(from: pending.count * k / n, to: pending.count * (k + 1) / n, by: 32) {
                    let items = pending[batch..<min(batch + 32, pending.count * (k + 1) / n)]
                    let rows = invoices.id.rows(
                        of: items.map { UnsafeBufferPointer(rebasing: file.bytes[$0.key..<($0.key + Int($0.length))]) })
                    // Each invoice's customer, read at once too.
                    var touched: Int32 = 0
                    for row in rows { if let row { touched &+= invoices.customer[Int(row)] } }
                    keep(touched)
                    for (p, row) in zip(items, rows) {
                        guard let row else {
                            missing.append((p, nil))
                            continue
                        }
                        let customer = customer(p)
                        if customer >= 0 && invoices.customer[Int(row)] != customer {
                            missing.append((p, ownerMismatch(row, invoices, customers)))
                        } else if p.record >= 0 {
                            invoiceOf[Int(p.record)] = row
                        }
                    }
                }
                return missing
            }
        }
        for missing in shares {
            for (p, mismatch) in missing {
                var message = mismatch ?? ""
                var hint: String?
                if mismatch == nil {
                    let text = String(decoding: file.bytes[p.key..<(p.key + Int(p.length))], as: UTF8.self)
                    message = "no invoice '\(text)' in invoices.csv"
                    let near = invoices.count <= 10_000 && !problems.isFull ? nearestName(to: text, in: invoices.id.all) : nil
                    hint = near.map { "did you mean '\($0)'?" }
                }
                let column = PaymentColumn.invoiceID.rawValue
                if p.record >= 0 {
                    problems.add(row: p.record, column: column, rank: 2, message, hint: hint)
                } else {
                    problems.add(place: rejected[Int(-1 - p.record)].place, column: column, rank: 2, message, hint: hint)
                }
            }
        }
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
            // Amounts are never negative (`Record.amount`): what is left never is either.
            let amount = amounts[p]
            guard amount > left[i] else {
                left[i] -= amount
                continue
            }
            let currency = w.customers.currency[Int(w.invoices.customer[i])]
            let show = { (m: Int64) in Money(minor: m, currency: currency).formatted(grouped: true) }
            let applied = w.invoices.amount[i] - left[i]
            let already = applied > 0 ? " (already paid: \(show(applied)))" : ""
            problems.add(
                row: Int32(p), column: PaymentColumn.amount.rawValue, rank: 3,
                "payment of \(show(amount)) is more than what is left on invoice \(w.invoices.id[i]): \(show(left[i]))\(already)",
                hint: "an overpayment belongs in a separate row without invoice_id (unapplied cash)")
        }
    }
}
