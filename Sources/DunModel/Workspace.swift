// Workspace: the receivables as exported from the ERP, held in columns.

import DunCore

/// Customers, one array per column; row `i` of every array is customer `i`.
public struct Customers: Sendable {
    public var id: [String] = []
    public var name: [String] = []
    public var region: [String?] = []
    public var grade: [Grade?] = []
    /// In minor units of the customer's currency.
    public var creditLimit: [Int64?] = []
    public var currency: [Currency] = []
    public var termsDays: [Int32?] = []
    public var collector: [String?] = []
    public var email: [String?] = []
    public var phone: [String?] = []
    public var language: [String?] = []
    /// Row of each id.
    public var row: [String: Int32] = [:]

    public var count: Int { id.count }

    mutating func append(
        id: String, name: String, region: String?, grade: Grade?, creditLimit: Int64?, currency: Currency,
        termsDays: Int32?, collector: String?, email: String?, phone: String?, language: String?
    ) {
        row[id] = Int32(count)
        self.id.append(id)
        self.name.append(name)
        self.region.append(region)
        self.grade.append(grade)
        self.creditLimit.append(creditLimit)
        self.currency.append(currency)
        self.termsDays.append(termsDays)
        self.collector.append(collector)
        self.email.append(email)
        self.phone.append(phone)
        self.language.append(language)
    }
}

/// Invoices, one array per column. An invoice is in its customer's currency.
public struct Invoices: Sendable {
    public var id: [String] = []
    public var customer: [Int32] = []
    public var issued: [Day] = []
    public var due: [Day] = []
    /// In minor units of the customer's currency.
    public var amount: [Int64] = []
    public var disputed: [Bool] = []
    public var row: [String: Int32] = [:]

    public var count: Int { id.count }

    mutating func append(id: String, customer: Int32, issued: Day, due: Day, amount: Int64, disputed: Bool) {
        row[id] = Int32(count)
        self.id.append(id)
        self.customer.append(customer)
        self.issued.append(issued)
        self.due.append(due)
        self.amount.append(amount)
        self.disputed.append(disputed)
    }
}

/// Payments, one array per column. A payment without an invoice is unapplied cash.
public struct Payments: Sendable {
    public var id: [String] = []
    public var customer: [Int32] = []
    /// The invoice paid, or `nil` for unapplied cash.
    public var invoice: [Int32?] = []
    public var date: [Day] = []
    /// In minor units of the customer's currency.
    public var amount: [Int64] = []
    public var method: [String?] = []
    public var row: [String: Int32] = [:]

    public var count: Int { id.count }

    mutating func append(id: String, customer: Int32, invoice: Int32?, date: Day, amount: Int64, method: String?) {
        row[id] = Int32(count)
        self.id.append(id)
        self.customer.append(customer)
        self.invoice.append(invoice)
        self.date.append(date)
        self.amount.append(amount)
        self.method.append(method)
    }
}

/// Everything a workspace folder holds, as loaded: the system of record, never rewritten.
public struct Workspace: Sendable {
    public var customers = Customers()
    public var invoices = Invoices()
    public var payments = Payments()

    public init() {}
}
