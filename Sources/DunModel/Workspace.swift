// Workspace: the receivables as exported from the ERP, held in columns.

import DunCore

/// Customers, one array per column; row `i` of every array is customer `i`.
public struct Customers: StoredRows, CarriesFields {
    public var id = KeyColumn()
    public var name = TextColumn()
    public var region = CategoryColumn()
    public var grade: [Grade?] = []
    /// In minor units of the customer's currency.
    public var creditLimit: [Int64?] = []
    public var currency: [Currency] = []
    public var termsDays: [Int32?] = []
    public var collector = CategoryColumn()
    public var email = TextColumn()
    public var phone = TextColumn()
    public var language = CategoryColumn()
    public var carried = Carried<Customers>()

    public var count: Int { id.count }

    /// The currency of every customer when they all have the same one, as in most
    /// workspaces (CNY, the default, when there are none); `nil` when they differ.
    public var sharedCurrency: Currency? {
        let first = currency.first ?? .cny
        return currency.allSatisfy { $0 == first } ? first : nil
    }

    public init() {}

    static let columns: [Stored<Customers>] = [
        Stored(\.id), Stored(\.name), Stored(\.region), Stored(\.grade), Stored(\.creditLimit), Stored(\.currency),
        Stored(\.termsDays), Stored(\.collector), Stored(\.email), Stored(\.phone), Stored(\.language),
        Stored(\.carried),
    ]
    public static let carriedLayout = CarriedLayout(Catalogue.customers, own: CustomerColumn.allCases.count)
}

/// Invoices, one array per column. An invoice is in its own currency, most often its
/// customer's.
public struct Invoices: StoredRows, CarriesFields {
    public var id = KeyColumn()
    public var customer: [Int32] = []
    public var issued: [Day] = []
    public var due: [Day] = []
    /// In minor units of the invoice's currency.
    public var amount: [Int64] = []
    public var currency: [Currency] = []
    public var disputed: [Bool] = []
    public var carried = Carried<Invoices>()
    /// Whether any invoice is in another currency than its customer's: else a payment on an
    /// invoice is in the customer's currency with no need to read the invoice's.
    public var anyForeign = false

    public var count: Int { id.count }

    public init() {}

    static let columns: [Stored<Invoices>] = [
        Stored(\.id), Stored(\.customer), Stored(\.issued), Stored(\.due), Stored(\.amount), Stored(\.currency),
        Stored(\.disputed), Stored(\.carried),
    ]
    public static let carriedLayout = CarriedLayout(Catalogue.invoices, own: InvoiceColumn.allCases.count)

    /// The rows of `other` after these (the parts of a file read at once).
    mutating func append(contentsOf other: Invoices) {
        for c in Self.columns { c.join(&self, other) }
        anyForeign = anyForeign || other.anyForeign
    }
}

/// Payments, one array per column. A payment without an invoice is unapplied cash.
public struct Payments: StoredRows, CarriesFields {
    /// Never looked up by id, so not indexed.
    public var id = TextColumn()
    public var customer: [Int32] = []
    /// The invoice paid, or `nil` for unapplied cash.
    public var invoice = OptionalRows()
    public var date: [Day] = []
    /// In minor units of the payment's currency: its invoice's, if applied to one.
    public var amount: [Int64] = []
    public var currency: [Currency] = []
    public var carried = Carried<Payments>()

    public var count: Int { id.count }

    public init() {}

    static let columns: [Stored<Payments>] = [
        Stored(\.id), Stored(\.customer), Stored(\.invoice), Stored(\.date), Stored(\.amount), Stored(\.currency),
        Stored(\.carried),
    ]
    public static let carriedLayout = CarriedLayout(Catalogue.payments, own: PaymentColumn.allCases.count)
}

/// Everything a workspace folder holds, as loaded: the system of record, never rewritten.
public struct Workspace: Sendable {
    public var customers = Customers()
    public var invoices = Invoices()
    public var payments = Payments()

    public init() {}

    /// The currency of every customer, invoice and payment when they all have the same one,
    /// as in most workspaces; `nil` when they differ.
    public var sharedCurrency: Currency? {
        guard let shared = customers.sharedCurrency, invoices.currency.allSatisfy({ $0 == shared }),
            payments.currency.allSatisfy({ $0 == shared })
        else { return nil }
        return shared
    }
}
