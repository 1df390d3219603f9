// Receivables: the model bound into the language — entities, fields with their meanings,
// and how each field is read from a snapshot.

import DunCore
import DunLanguage
import DunModel

/// A field and how to read it from a snapshot.
struct BoundField: Sendable {
    let field: Field
    let read: @Sendable (Snapshot, Int32) -> Value

    init(_ name: String, _ type: DunType, _ doc: String, _ read: @escaping @Sendable (Snapshot, Int32) -> Value) {
        field = Field(name, type, doc)
        self.read = read
    }
}

/// The entities of a receivables workspace as the language sees them.
public enum Receivables {
    public static let customers = EntityID(0)
    public static let invoices = EntityID(1)
    public static let payments = EntityID(2)
    public static let actions = EntityID(3)
    public static let promises = EntityID(4)

    /// How to read each field of each entity: the closures alone, so that reading a field
    /// copies nothing that is counted by reference.
    static let readers: [[@Sendable (Snapshot, Int32) -> Value]] = [
        customerFields, invoiceFields, paymentFields, actionFields, promiseFields,
    ].map {
        $0.map(\.read)
    }

    public static let schema = Schema(entities: [
        Entity(
            name: "customers", singular: "customer", fields: customerFields.map(\.field), key: "id",
            display: ["id", "name", "region", "grade", "balance", "overdue_balance", "overdue"]),
        Entity(
            name: "invoices", singular: "invoice", fields: invoiceFields.map(\.field), key: "id",
            display: ["id", "customer_id", "issued", "due", "amount", "balance", "days_overdue", "status"]),
        Entity(
            name: "payments", singular: "payment", fields: paymentFields.map(\.field), key: "id",
            display: ["id", "customer_id", "invoice_id", "date", "amount", "method"]),
        Entity(
            name: "actions", singular: "action", fields: actionFields.map(\.field), key: "id",
            display: ["id", "date", "policy", "rule", "action", "customer_id", "channel", "amount", "status"]),
        Entity(
            name: "promises", singular: "promise", fields: promiseFields.map(\.field), key: "customer_id",
            display: ["customer_id", "invoice_id", "amount", "made_on", "promised_by", "paid", "status"]),
    ])

    private static func text(_ s: String?) -> Value { s.map(Value.string) ?? .null }
    private static func day(_ d: Day?) -> Value { d.map(Value.date) ?? .null }
    private static func days(_ n: Int64?) -> Value { n.map { .number(Decimal64($0)) } ?? .null }
    private static func money(_ s: Snapshot, customer c: Int32, _ minor: Int64?) -> Value {
        minor.map { .money(Money(minor: $0, currency: s.currency ?? s.workspace.customers.currency[Int(c)])) } ?? .null
    }

    private static let customerFields: [BoundField] = [
        BoundField("id", .string, "the customer's id in the ERP") { s, r in .string(s.workspace.customers.id[Int(r)]) },
        BoundField("name", .string, "the customer's name") { s, r in .string(s.workspace.customers.name[Int(r)]) },
        BoundField("region", .string, "sales region") { s, r in text(s.workspace.customers.region[Int(r)]) },
        BoundField("grade", .grade, "credit grade, A (best) to E (worst); a grade set by a policy overrides the file's") { s, r in
            (s.gradeSet(r) ?? s.workspace.customers.grade[Int(r)]).map(Value.grade) ?? .null
        },
        BoundField("credit_limit", .money, "credit limit; null when none is set") { s, r in
            money(s, customer: r, s.workspace.customers.creditLimit[Int(r)])
        },
        BoundField("currency", .string, "ISO code of the customer's currency") { s, r in
            .string(s.workspace.customers.currency[Int(r)].code)
        },
        BoundField("terms_days", .number, "payment terms in days") { s, r in
            days(s.workspace.customers.termsDays[Int(r)].map(Int64.init))
        },
        BoundField("collector", .string, "who collects from this customer") { s, r in
            text(s.workspace.customers.collector[Int(r)])
        },
        BoundField("email", .string, "the customer's e-mail address") { s, r in text(s.workspace.customers.email.value(Int(r))) },
        BoundField("phone", .string, "the customer's phone number") { s, r in text(s.workspace.customers.phone.value(Int(r))) },
        BoundField("language", .string, "language for messages (zh, en, …)") { s, r in
            text(s.workspace.customers.language[Int(r)])
        },
        BoundField("balance", .money, "open invoice balances minus unapplied cash") { s, r in
            money(s, customer: r, s.balance(r))
        },
        BoundField("overdue_balance", .money, "balances of invoices past due") { s, r in
            money(s, customer: r, s.overdueBalance(r))
        },
        BoundField("unapplied", .money, "payments received but not applied to an invoice") { s, r in
            money(s, customer: r, s.unapplied(r))
        },
        BoundField("overdue", .number, "most days overdue among open invoices; 0 if none") { s, r in
            days(Int64(s.overdue(r)))
        },
        BoundField("utilization", .number, "balance ÷ credit limit, to 4 places; null without a limit") { s, r in
            s.utilization(r).map(Value.number) ?? .null
        },
        BoundField("last_payment", .date, "date of the latest payment") { s, r in day(s.lastPayment(r)) },
        BoundField("avg_days_to_pay", .number, "average days from issue to settlement of paid invoices, to 1 place") { s, r in
            s.avgDaysToPay(r).map(Value.number) ?? .null
        },
        BoundField("on_hold", .bool, "credit on hold (from the journal: held and not released)") { s, r in
            .bool(s.isOnHold(r))
        },
        BoundField("last_reminder", .date, "date of the latest reminder (from the journal; null before any)") { s, r in
            day(s.lastReminder(r))
        },
        BoundField("tags", .list(.string), "the tags policies gave it (from the journal): tags contains \"watch\"") { s, r in
            .list((s.tags[r] ?? []).map(Value.string))
        },
        BoundField("notes", .list(.string), "the notes on it, oldest first (from the journal)") { s, r in
            .list((s.notes[r] ?? []).map(Value.string))
        },
        BoundField("invoices", .table(.entity(invoices, extras: [])), "the customer's invoices") { s, r in
            .table(Frame(entity: invoices, rows: Array(s.invoicesOfCustomer.rows(of: r))))
        },
        BoundField("payments", .table(.entity(payments, extras: [])), "the customer's payments") { s, r in
            .table(Frame(entity: payments, rows: Array(s.paymentsOfCustomer.rows(of: r))))
        },
    ]

    private static func invoiceMoney(_ s: Snapshot, _ r: Int32, _ minor: Int64) -> Value {
        // With one currency in the workspace, the invoice's customer need not be read.
        .money(
            Money(
                minor: minor, currency: s.currency ?? s.workspace.customers.currency[Int(s.workspace.invoices.customer[Int(r)])]))
    }

    private static let invoiceFields: [BoundField] = [
        BoundField("id", .string, "the invoice number") { s, r in .string(s.workspace.invoices.id[Int(r)]) },
        BoundField("customer_id", .string, "the customer's id") { s, r in
            .string(s.workspace.customers.id[Int(s.workspace.invoices.customer[Int(r)])])
        },
        BoundField("customer", .row(customers), "the customer billed") { s, r in
            .row(customers, s.workspace.invoices.customer[Int(r)])
        },
        BoundField("issued", .date, "date of issue") { s, r in .date(s.workspace.invoices.issued[Int(r)]) },
        BoundField("due", .date, "due date") { s, r in .date(s.workspace.invoices.due[Int(r)]) },
        BoundField("amount", .money, "amount invoiced") { s, r in invoiceMoney(s, r, s.workspace.invoices.amount[Int(r)]) },
        BoundField("currency", .string, "ISO code of the currency") { s, r in
            .string(s.workspace.customers.currency[Int(s.workspace.invoices.customer[Int(r)])].code)
        },
        BoundField("disputed", .bool, "the customer disputes it: the file's flag, or a dispute recorded and not resolved") {
            s, r in
            .bool(s.isDisputed(r))
        },
        BoundField("paid", .money, "payments applied to it so far") { s, r in invoiceMoney(s, r, s.invoicePaid(r)) },
        BoundField("reminders", .number, "how many reminders listed it (from the journal; failed ones not counted)") { s, r in
            .number(Decimal64(s.reminders[r] ?? 0))
        },
        BoundField("balance", .money, "amount minus payments applied") { s, r in invoiceMoney(s, r, s.invoiceBalance(r)) },
        BoundField("kind", .string, "invoice, or credit note (a negative amount)") { s, r in
            .string(s.isCreditNote(r) ? "credit note" : "invoice")
        },
        BoundField("status", .string, "open, overdue, paid, or credit (a credit note)") { s, r in .string(s.status(r)) },
        BoundField(
            "days_overdue", .number, "days past due while open (negative before the due date); 0 once paid, and for a credit note"
        ) { s, r in
            days(s.daysOverdue(r))
        },
        BoundField("bucket", .bucket, "aging bucket: current, 1-30, 31-60, 61-90, 90+; null once paid") { s, r in
            s.bucket(r).map(Value.bucket) ?? .null
        },
        BoundField("days_to_pay", .number, "days from issue to settlement; null while open") { s, r in days(s.daysToPay(r)) },
        BoundField("last_payment", .date, "date of the latest payment applied") { s, r in day(s.invoiceLastPayment(r)) },
        BoundField("payments", .table(.entity(payments, extras: [])), "payments applied to it") { s, r in
            .table(Frame(entity: payments, rows: Array(s.paymentsOfInvoice.rows(of: r))))
        },
    ]

    private static let paymentFields: [BoundField] = [
        BoundField("id", .string, "the payment's id") { s, r in .string(s.workspace.payments.id[Int(r)]) },
        BoundField("customer_id", .string, "the paying customer's id") { s, r in
            .string(s.workspace.customers.id[Int(s.workspace.payments.customer[Int(r)])])
        },
        BoundField("customer", .row(customers), "the paying customer") { s, r in
            .row(customers, s.workspace.payments.customer[Int(r)])
        },
        BoundField("invoice_id", .string, "the invoice paid; null for unapplied cash") { s, r in
            text(s.appliedInvoice(ofPayment: r).map { s.workspace.invoices.id[Int($0)] })
        },
        BoundField("invoice", .row(invoices), "the invoice paid; null for unapplied cash") { s, r in
            s.appliedInvoice(ofPayment: r).map { .row(invoices, $0) } ?? .null
        },
        BoundField("date", .date, "date received") { s, r in .date(s.workspace.payments.date[Int(r)]) },
        BoundField("amount", .money, "amount received") { s, r in
            money(s, customer: s.workspace.payments.customer[Int(r)], s.workspace.payments.amount[Int(r)])
        },
        BoundField("method", .string, "how it was paid") { s, r in text(s.workspace.payments.method[Int(r)]) },
        BoundField("applied", .bool, "applied to an invoice (false for unapplied cash)") { s, r in
            .bool(s.appliedInvoice(ofPayment: r) != nil)
        },
    ]

    /// Promises to pay (promises.csv and `record promise`), made as of the run's date.
    private static let promiseFields: [BoundField] = [
        BoundField("customer_id", .string, "the customer who promised") { s, r in
            .string(s.workspace.customers.id[Int(s.promises[Int(r)].customer)])
        },
        BoundField("customer", .row(customers), "the customer who promised") { s, r in
            .row(customers, s.promises[Int(r)].customer)
        },
        BoundField("invoice_id", .string, "the invoice promised; null for all the customer's") { s, r in
            text(s.promises[Int(r)].invoice.map { s.workspace.invoices.id[Int($0)] })
        },
        BoundField("invoice", .row(invoices), "the invoice promised; null for all the customer's") { s, r in
            s.promises[Int(r)].invoice.map { .row(invoices, $0) } ?? .null
        },
        BoundField("amount", .money, "the amount promised") { s, r in
            money(s, customer: s.promises[Int(r)].customer, s.promises[Int(r)].amount)
        },
        BoundField("made_on", .date, "the day it was made") { s, r in .date(s.promises[Int(r)].madeOn) },
        BoundField("promised_by", .date, "the day promised") { s, r in .date(s.promises[Int(r)].by) },
        BoundField("paid", .money, "paid toward it from the day made to the day promised, so far") { s, r in
            money(s, customer: s.promises[Int(r)].customer, s.promises[Int(r)].paid)
        },
        BoundField("kept", .bool, "paid in full by the day promised") { s, r in .bool(s.promises[Int(r)].kept) },
        BoundField("status", .string, "kept, open (not yet due) or broken") { s, r in
            let p = s.promises[Int(r)]
            return .string(p.kept ? "kept" : (s.asOf <= p.by ? "open" : "broken"))
        },
    ]

    /// The journal's entries, applied as of the run's date.
    private static let actionFields: [BoundField] = [
        BoundField("id", .number, "the entry's number in the journal") { s, r in .number(Decimal64(s.actions[Int(r)].id)) },
        BoundField("date", .date, "the as-of date of the run that applied it") { s, r in .date(s.actions[Int(r)].day) },
        BoundField("at", .string, "when it was applied, wall-clock UTC") { s, r in .string(s.actions[Int(r)].at) },
        BoundField("who", .string, "who applied it (--as, else the login name)") { s, r in .string(s.actions[Int(r)].who) },
        BoundField("policy", .string, "the policy; empty for a query's action") { s, r in .string(s.actions[Int(r)].policy) },
        BoundField("rule", .string, "the rule that planned it") { s, r in .string(s.actions[Int(r)].rule) },
        BoundField("action", .string, "remind, call, hold credit, outcome …") { s, r in .string(s.actions[Int(r)].action.rawValue)
        },
        BoundField("customer_id", .string, "the customer's id") { s, r in .string(s.actions[Int(r)].customerID) },
        BoundField("customer", .row(customers), "the customer; null if no longer in the export") { s, r in
            s.actions[Int(r)].customer.map { .row(customers, $0) } ?? .null
        },
        BoundField("invoices", .string, "the invoices it is about, comma-separated") { s, r in
            .string(s.actions[Int(r)].invoices.joined(separator: ", "))
        },
        BoundField("channel", .string, "a reminder's channel: email, sms or letter") { s, r in text(s.actions[Int(r)].channel) },
        BoundField("template", .string, "a reminder's template") { s, r in text(s.actions[Int(r)].template) },
        BoundField("amount", .money, "the balance it was about, or what it charged") { s, r in
            s.actions[Int(r)].amount.map(Value.money) ?? .null
        },
        BoundField("detail", .string, "the collector, grade, tag, note or outcome") { s, r in text(s.actions[Int(r)].detail) },
        BoundField("status", .string, "queued, sent, failed, open or done") { s, r in .string(s.actions[Int(r)].status.rawValue)
        },
    ]
}

/// A snapshot as the interpreter's data source.
public struct SnapshotSource: DataSource {
    public let snapshot: Snapshot

    public init(_ snapshot: Snapshot) {
        self.snapshot = snapshot
    }

    public var today: Day { snapshot.asOf }

    public func rows(of entity: EntityID) -> [Int32] {
        switch entity {
        case Receivables.customers: return Array(0..<Int32(snapshot.workspace.customers.count))
        case Receivables.invoices: return snapshot.invoices
        case Receivables.actions: return Array(0..<Int32(snapshot.actions.count))
        case Receivables.promises: return Array(0..<Int32(snapshot.promises.count))
        default: return snapshot.payments
        }
    }

    public func value(of entity: EntityID, field: Int, row: Int32) -> Value {
        Receivables.readers[entity.index][field](snapshot, row)
    }

    public func reader(of entity: EntityID, field: Int) -> @Sendable (Int32) -> Value {
        let (read, s) = (Receivables.readers[entity.index][field], snapshot)
        return { row in read(s, row) }
    }

    public func relation(of entity: EntityID, field: Int) -> (child: EntityID, owner: @Sendable (Int32) -> Int32?)? {
        let s = snapshot
        switch (entity, Receivables.schema[entity].fields[field].name) {
        case (Receivables.customers, "invoices"):
            return (Receivables.invoices, { s.workspace.invoices.customer[Int($0)] })
        case (Receivables.customers, "payments"):
            return (Receivables.payments, { s.workspace.payments.customer[Int($0)] })
        case (Receivables.invoices, "payments"):
            return (Receivables.payments, { s.appliedInvoice(ofPayment: $0) })
        default:
            return nil
        }
    }
}
