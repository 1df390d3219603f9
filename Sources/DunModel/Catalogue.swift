// Catalogue: the entities a workspace's files hold, each declared once — its file, and its
// fields as an export holds them: the header and the names exports commonly give it (in
// English and in Chinese: Kingdee 金蝶, Yonyou 用友, SAP), what it holds, whether a file must
// have it, what it means, and the row a reference leads to. The loader reads by it, dun.toml
// is checked against it, `dun init` guesses with it, and the language's schema, `.schema`,
// completion and the reference's tables take their stored fields from it.

import DunCore

/// What a stored field holds, as the loader reads it and a constant in dun.toml is checked.
public enum FieldKind: Sendable {
    case identifier, reference, text, date, amount, currency, grade, days, flag, number
}

/// A reference's row, as the language names it: an invoice's `customer_id` leads to its
/// `customer`.
public struct Reference: Sendable {
    /// The field that holds the row: `customer`.
    public let field: String
    /// The entity the row is of: `customers`.
    public let entity: String
    public let meaning: String
}

/// A field as a file holds it.
public struct StoredField: Sendable {
    /// The header it has in Dun's own files, and its name in the language.
    public var name: String
    public var required: Bool
    public var kind: FieldKind = .text
    /// Other headers it is read from, compared as `key` compares them.
    public var aliases: [String] = []
    public var meaning = ""
    public var reference: Reference? = nil

    /// A header as it is compared with names and aliases: without case, spaces, `_` or `-`.
    static func key(_ header: String) -> String {
        String(header.lowercased().unicodeScalars.filter { !" _-\t\u{3000}".unicodeScalars.contains($0) })
    }
}

/// An entity a workspace file holds.
///
/// A field of customers, invoices or payments that the model has no use of its own for is
/// carried: declared here after the fields the loader reads with code of its own (those its
/// table's column enum names), it is read by its kind, kept, cached and given to the language
/// with nothing more to write (`Carried`).
public struct EntityDeclaration: Sendable {
    /// The plural that scripts name it by: `customers`.
    public let name: String
    /// One row: `customer`.
    public let singular: String
    /// The file it is read from unless dun.toml names another.
    public let file: String
    /// Whether a workspace must have the file.
    public let required: Bool
    /// The field that identifies a row.
    public let key: String
    /// In the order of the loader's columns.
    public let fields: [StoredField]

    public func field(named name: String) -> StoredField? {
        fields.first { $0.name == name }
    }
}

/// A field spec; a name ending in `?` is optional.
private func field(
    _ name: String, _ kind: FieldKind, _ meaning: String, aliases: [String] = [], leadsTo reference: Reference? = nil
) -> StoredField {
    StoredField(
        name: name.hasSuffix("?") ? String(name.dropLast()) : name, required: !name.hasSuffix("?"), kind: kind,
        aliases: aliases, meaning: meaning, reference: reference)
}

/// What every table that names a customer calls its id.
private let customerAliases = [
    "customer", "customer_number", "customer_no", "customer_code", "client", "client_id", "client_no", "debtor", "debtor_id",
    "客户编号", "客户编码", "客户代码", "客户号", "客户id",
]
/// In a customers file, a header "Customer" is the name.
private let customerIDAliases: [String] = ["customer_id"] + customerAliases.filter { $0 != "customer" }
private let invoiceAliases = ["invoice", "invoice_number", "invoice_no", "发票号", "发票号码", "发票编号"]
private let currencyAliases = ["currency_code", "币种", "币别", "货币"]

/// The entities of a workspace's files.
public enum Catalogue {
    public static let customers = EntityDeclaration(
        name: "customers", singular: "customer", file: "customers.csv", required: true, key: "id",
        fields: [
            field("id", .identifier, "the customer's id in the ERP", aliases: customerIDAliases),
            field(
                "name", .text, "the customer's name",
                aliases: [
                    "customer_name", "client_name", "debtor_name", "company", "company_name", "客户名称", "客户", "客户全称", "公司名称",
                    "单位名称",
                ]),
            field(
                "region?", .text, "sales region",
                aliases: ["area", "territory", "country", "country_code", "地区", "区域", "片区", "国家"]),
            field(
                "grade?", .grade, "credit grade, A (best) to E (worst); a grade set by a policy overrides the file's",
                aliases: ["credit_grade", "rating", "credit_rating", "信用等级", "等级", "客户等级"]),
            field(
                "credit_limit?", .amount, "credit limit; null when none is set",
                aliases: ["limit", "credit_line", "信用额度", "授信额度", "额度"]),
            field(
                "currency?", .currency,
                "ISO code of the customer's currency, CNY when the file has none: its totals are in it (an invoice or payment in another converted at the as-of date's rate)",
                aliases: currencyAliases),
            field(
                "terms_days?", .days, "payment terms in days",
                aliases: ["terms", "payment_terms", "credit_days", "账期", "账期天数", "信用期", "付款期限", "信用天数"]),
            field(
                "collector?", .text, "who collects from this customer",
                aliases: ["owner", "salesperson", "account_manager", "催收员", "收款负责人", "负责人", "业务员"]),
            field(
                "email?", .text, "the customer's e-mail address",
                aliases: ["e_mail", "mail", "email_address", "邮箱", "电子邮件", "电子邮箱"]),
            field(
                "phone?", .text, "the customer's phone number", aliases: ["telephone", "tel", "phone_number", "电话", "联系电话", "手机"]),
            field("language?", .text, "language for messages: `zh`, `en`, …", aliases: ["lang", "语言"]),
        ])

    public static let invoices = EntityDeclaration(
        name: "invoices", singular: "invoice", file: "invoices.csv", required: true, key: "id",
        fields: [
            field(
                "id", .identifier, "the invoice number",
                aliases: [
                    "invoice_id", "invoice_number", "invoice_no", "invoice", "document_number", "document_no", "doc_no", "发票号",
                    "发票号码", "发票编号", "单据编号",
                    "单据号",
                ]),
            field(
                "customer_id", .reference, "the customer's id", aliases: customerAliases,
                leadsTo: Reference(field: "customer", entity: "customers", meaning: "the customer billed")),
            field(
                "issued", .date, "date of issue",
                aliases: ["invoice_date", "issue_date", "date", "document_date", "开票日期", "发票日期", "单据日期", "业务日期"]),
            field("due", .date, "due date", aliases: ["due_date", "net_due_date", "到期日", "到期日期", "应收日期"]),
            field(
                "amount", .amount, "amount invoiced; negative for a credit note",
                aliases: ["invoice_amount", "total", "amount_due", "金额", "发票金额", "应收金额", "价税合计"]),
            field(
                "currency?", .currency, "ISO code of the invoice's currency; its customer's when the file has none",
                aliases: currencyAliases),
            field(
                "disputed?", .flag, "the customer disputes it: the file's flag, or a dispute recorded and not resolved",
                aliases: ["dispute", "in_dispute", "争议", "是否争议", "有争议"]),
            field(
                "order_id?", .text, "the sales order (or the customer's purchase order) it bills",
                aliases: [
                    "order", "order_no", "order_number", "sales_order", "po", "po_number", "purchase_order", "订单号", "订单编号",
                    "销售订单号", "采购订单号",
                ]),
        ])

    public static let payments = EntityDeclaration(
        name: "payments", singular: "payment", file: "payments.csv", required: true, key: "id",
        fields: [
            field(
                "id", .identifier,
                "the payment's id; a payment split over several invoices repeats it, with the same customer and date",
                aliases: ["payment_id", "payment_number", "receipt_number", "receipt_no", "收款单号", "收款编号", "收款单编号"]),
            field(
                "customer_id", .reference, "the paying customer's id", aliases: customerAliases,
                leadsTo: Reference(field: "customer", entity: "customers", meaning: "the paying customer")),
            field(
                "invoice_id?", .reference, "the invoice paid; null for unapplied cash", aliases: invoiceAliases + ["核销发票"],
                leadsTo: Reference(field: "invoice", entity: "invoices", meaning: "the invoice paid; null for unapplied cash")),
            field(
                "date", .date, "date received",
                aliases: [
                    "payment_date", "paid_date", "receipt_date", "settled_date", "settlement_date", "cleared_date", "收款日期",
                    "付款日期",
                    "到账日期", "结算日期", "核销日期",
                ]),
            field(
                "amount", .amount, "amount received", aliases: ["payment_amount", "paid_amount", "收款金额", "实收金额", "付款金额", "金额"]),
            field(
                "currency?", .currency,
                "ISO code of the payment's currency; when the file has none, its invoice's, else its customer's",
                aliases: currencyAliases),
            field("method?", .text, "how it was paid", aliases: ["payment_method", "收款方式", "结算方式", "付款方式"]),
        ])

    /// The people to write to at each customer (`role` billing: To; others: Cc).
    public static let contacts = EntityDeclaration(
        name: "contacts", singular: "contact", file: "contacts.csv", required: false, key: "customer_id",
        fields: [
            field(
                "customer_id", .reference, "the customer's id",
                leadsTo: Reference(field: "customer", entity: "customers", meaning: "the customer")),
            field("name?", .text, "the person's name"),
            field("role?", .text, "`billing` (the message's To), or another (Cc)"),
            field("email", .text, "the person's e-mail address"),
        ])

    /// Promises to pay, exported or kept by hand; `record promise` adds to them.
    public static let promises = EntityDeclaration(
        name: "promises", singular: "promise", file: "promises.csv", required: false, key: "customer_id",
        fields: [
            field(
                "customer_id", .reference, "the customer who promised",
                leadsTo: Reference(field: "customer", entity: "customers", meaning: "the customer who promised")),
            field(
                "invoice_id?", .reference, "the invoice promised; null for all the customer's",
                leadsTo: Reference(
                    field: "invoice", entity: "invoices", meaning: "the invoice promised; null for all the customer's")),
            field("amount", .amount, "the amount promised"),
            field("made_on", .date, "the day it was made"),
            field("promised_by", .date, "the day promised"),
        ])

    /// Disputes on invoices, exported or kept by hand; `record dispute` adds to them.
    public static let disputes = EntityDeclaration(
        name: "disputes", singular: "dispute", file: "disputes.csv", required: false, key: "invoice_id",
        fields: [
            field(
                "invoice_id", .reference, "the invoice disputed",
                leadsTo: Reference(field: "invoice", entity: "invoices", meaning: "the invoice disputed")),
            field("opened", .date, "the day the dispute opened"),
            field("resolved_on?", .date, "the day it was resolved; empty while open"),
        ])

    /// Exchange rates, dated: what one unit of a currency is worth in the base currency (dun.toml's
    /// `[rates] base`, CNY by default) from that day on.
    public static let rates = EntityDeclaration(
        name: "rates", singular: "rate", file: "rates.csv", required: false, key: "currency",
        fields: [
            field(
                "date", .date, "the day the rate applies from", aliases: ["rate_date", "effective_date", "日期", "汇率日期", "生效日期"]),
            field("currency", .currency, "the currency's ISO code", aliases: currencyAliases),
            field(
                "rate", .number, "what one unit of it is worth in the base currency", aliases: ["exchange_rate", "汇率", "折算汇率"]),
        ])

    public static let all = [customers, invoices, payments, contacts, promises, disputes, rates]

    /// The headers of a line-item export's flag that an invoice is settled (SAP's cleared
    /// items, 金蝶/用友's 核销状态): where its invoices give no settlement date, the lines it
    /// flags are the payments (`cleared` in dun.toml's `[payments]` names another). Not `paid`
    /// nor 已收款: exports name the amount paid so.
    public static let clearedFlag = [
        "cleared", "is_cleared", "settled", "is_settled", "is_paid", "fully_paid", "已核销", "是否核销", "核销状态",
        "已结清", "是否结清", "结清", "是否收款",
    ]
}
