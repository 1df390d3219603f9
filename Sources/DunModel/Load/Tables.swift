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
extension Payments: Joinable {}

/// The columns a file must or may have, in the order of a column enum's cases.
protocol TableColumn: RawRepresentable where RawValue == Int {
    static var specs: [ColumnSpec] { get }
}

/// A column spec; a name ending in `?` is optional. The aliases are the headers exports
/// commonly give the field, in English and in Chinese (Kingdee 金蝶, Yonyou 用友, SAP).
private func column(_ name: String, _ kind: FieldKind, _ aliases: String...) -> ColumnSpec {
    ColumnSpec(
        name: name.hasSuffix("?") ? String(name.dropLast()) : name, required: !name.hasSuffix("?"), kind: kind,
        aliases: aliases)
}

/// What every table that names a customer calls its id.
private let customerAliases = [
    "customer", "customer_number", "customer_no", "customer_code", "客户编号", "客户编码", "客户代码", "客户号", "客户id",
]
private let currencyAliases = ["currency_code", "币种", "币别", "货币"]

/// The files that rows refer to, as their errors name them, and whether each was read
/// without errors (else a reference to an id it lacks is not one: see `Record.reference`).
struct Origin: Sendable {
    var customers = "customers.csv"
    var invoices = "invoices.csv"
    var customersComplete = true
    var invoicesComplete = true
}

// MARK: customers

enum CustomerColumn: Int, TableColumn {
    case id, name, region, grade, creditLimit, currency, termsDays, collector, email, phone, language
    static let specs = [
        // In a customers file, a header "Customer" is the name.
        ColumnSpec(
            name: "id", required: true, kind: .identifier, aliases: ["customer_id"] + customerAliases.filter { $0 != "customer" }),
        column("name", .text, "customer_name", "company", "company_name", "客户名称", "客户", "客户全称", "公司名称", "单位名称"),
        column("region?", .text, "area", "territory", "country", "country_code", "地区", "区域", "片区", "国家"),
        column("grade?", .grade, "credit_grade", "rating", "credit_rating", "信用等级", "等级", "客户等级"),
        column("credit_limit?", .amount, "limit", "credit_line", "信用额度", "授信额度", "额度"),
        ColumnSpec(name: "currency", required: false, kind: .currency, aliases: currencyAliases),
        column("terms_days?", .days, "terms", "payment_terms", "credit_days", "账期", "账期天数", "信用期", "付款期限", "信用天数"),
        column("collector?", .text, "owner", "salesperson", "account_manager", "催收员", "收款负责人", "负责人", "业务员"),
        column("email?", .text, "e_mail", "mail", "email_address", "邮箱", "电子邮件", "电子邮箱"),
        column("phone?", .text, "telephone", "tel", "phone_number", "电话", "联系电话", "手机"),
        column("language?", .text, "lang", "语言"),
    ]

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
    static let specs = [
        column(
            "id", .identifier, "invoice_id", "invoice_number", "invoice_no", "invoice", "document_number", "发票号", "发票号码", "发票编号",
            "单据编号", "单据号"),
        ColumnSpec(name: "customer_id", required: true, kind: .reference, aliases: customerAliases),
        column("issued", .date, "invoice_date", "issue_date", "date", "document_date", "开票日期", "发票日期", "单据日期", "业务日期"),
        column("due", .date, "due_date", "net_due_date", "到期日", "到期日期", "应收日期"),
        column("amount", .amount, "invoice_amount", "total", "amount_due", "金额", "发票金额", "应收金额", "价税合计"),
        ColumnSpec(name: "currency", required: false, kind: .currency, aliases: currencyAliases),
        column("disputed?", .flag, "dispute", "in_dispute", "争议", "是否争议", "有争议"),
    ]

    /// `currency`: the customers' currency when they share one, which saves reading each
    /// row's customer's (a wait on memory with a million customers).
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
        let currency = customer.map { shared ?? customers.currency[Int($0)] } ?? .cny
        if let customer {
            r.sameCurrency(.currency, as: currency, customer: customer, of: customers, what: "invoice")
        }
        // Negative for a credit note.
        let amount = r.amount(.amount, currency: currency, what: "amount", required: true, signed: true)
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
    static let specs = [
        column("id", .identifier, "payment_id", "payment_number", "receipt_number", "receipt_no", "收款单号", "收款编号", "收款单编号"),
        ColumnSpec(name: "customer_id", required: true, kind: .reference, aliases: customerAliases),
        column("invoice_id?", .reference, "invoice", "invoice_number", "invoice_no", "发票号", "发票号码", "发票编号", "核销发票"),
        column(
            "date", .date, "payment_date", "paid_date", "receipt_date", "settled_date", "settlement_date", "cleared_date",
            "收款日期", "付款日期", "到账日期", "结算日期", "核销日期"),
        column("amount", .amount, "payment_amount", "paid_amount", "收款金额", "实收金额", "付款金额", "金额"),
        column("method?", .text, "payment_method", "收款方式", "结算方式", "付款方式"),
        ColumnSpec(name: "currency", required: false, kind: .currency, aliases: currencyAliases),
    ]

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
        let currency = customer.map { shared ?? customers.currency[Int($0)] } ?? .cny
        if let customer {
            r.sameCurrency(.currency, as: currency, customer: customer, of: customers, what: "payment")
        }
        let amount = r.amount(.amount, currency: currency, what: "amount", required: true)
        if !r.isValid, let invoice, let customer, invoices.customer[Int(invoice)] != customer {
            r.fail(.invoiceID, ownerMismatch(invoice, invoices, customers), at: ownerCheck)
        }
        guard r.isValid, let id, let customer, let date, let amount else { return }
        rows.id.append(id)
        rows.customer.append(customer)
        rows.invoice.append(invoice)
        rows.date.append(date)
        rows.amount.append(amount)
        rows.method.append(r.bytes(.method))
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
            let currency = w.customers.currency[Int(w.invoices.customer[i])]
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
