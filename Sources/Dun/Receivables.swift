// Receivables: the model bound into the language — entities, fields with their meanings,
// and how each field is read from a snapshot.

import DunCore
import DunLanguage
import DunModel
import Synchronization

/// How a field is read from a snapshot, for a row.
/// How one field of a row is read. A struct, not a bare function type: a function kept in a
/// dictionary or an array is wrapped in a conversion on the way in and out, which every read
/// of every row paid.
struct Reader: Sendable {
    let read: @Sendable (Snapshot, Int32) -> Value

    init(_ read: @escaping @Sendable (Snapshot, Int32) -> Value) {
        self.read = read
    }

    func callAsFunction(_ s: Snapshot, _ row: Int32) -> Value {
        read(s, row)
    }
}

/// A field and how to read it from a snapshot.
struct BoundField: Sendable {
    let field: Field
    let read: Reader

    init(
        _ name: String, _ type: DunType, _ doc: String, percent: Bool = false,
        _ read: @escaping @Sendable (Snapshot, Int32) -> Value
    ) {
        field = Field(name, type, doc, percent: percent)
        self.read = Reader(read)
    }

    init(_ name: String, _ type: DunType, _ doc: String, _ read: Reader) {
        field = Field(name, type, doc)
        self.read = read
    }
}

/// The entities of a receivables workspace as the language sees them: those of the
/// catalogue, their stored fields (and the rows their references lead to) as it declares
/// them, each read by name, then the fields derived from them; and the journal's actions.
public enum Receivables {
    public static let customers = EntityID(0)
    public static let invoices = EntityID(1)
    public static let payments = EntityID(2)
    public static let actions = EntityID(3)
    public static let promises = EntityID(4)
    public static let contacts = EntityID(5)
    public static let instalments = EntityID(6)

    private static let entities: [(entity: Entity, fields: [BoundField])] = [
        bind(
            Catalogue.customers, customerFields, customersCarried, derived: customerDerived,
            display: ["id", "name", "region", "grade", "balance", "overdue_balance", "overdue"]),
        bind(
            Catalogue.invoices, invoiceFields, invoicesCarried, derived: invoiceDerived,
            display: ["id", "customer_id", "issued", "due", "amount", "balance", "days_overdue", "status"]),
        bind(
            Catalogue.payments, paymentFields, paymentsCarried, derived: paymentDerived,
            display: ["id", "customer_id", "invoice_id", "date", "amount", "method"]),
        (
            Entity(
                name: "actions", singular: "action", fields: actionFields.map(\.field), key: "id",
                display: ["id", "date", "policy", "rule", "action", "customer_id", "channel", "amount", "status"]),
            actionFields
        ),
        bind(
            Catalogue.promises, promiseFields, [:], derived: promiseDerived,
            display: ["customer_id", "invoice_id", "amount", "made_on", "promised_by", "paid", "status"]),
        bind(Catalogue.contacts, contactFields, [:], derived: [], display: ["customer_id", "name", "role", "email"]),
        (
            Entity(
                name: "instalments", singular: "instalment", fields: instalmentFields.map(\.field), key: "customer_id",
                display: ["customer_id", "invoices", "offered", "number", "due", "amount", "owed", "status"]),
            instalmentFields
        ),
    ]

    public static let schema = Schema(entities: entities.map(\.entity))

    /// How to read each field of each entity: the closures alone, so that reading a field
    /// copies nothing that is counted by reference.
    static let readers: [[Reader]] = entities.map { $0.fields.map(\.read) }

    /// The language's type of a stored field.
    private static func type(of kind: FieldKind) -> DunType {
        switch kind {
        case .identifier, .reference, .text, .currency: .string
        case .date: .date
        case .amount: .money
        case .grade: .grade
        case .days, .number: .number
        case .flag: .bool
        }
    }

    /// The stored fields of `declaration`, each followed by the row it leads to, read by the
    /// readers of `stored` (or of `carried`) of the same names; then the `derived` fields.
    private static func bind(
        _ declaration: EntityDeclaration, _ own: [String: Reader], _ carried: [String: Reader], derived: [BoundField],
        display: [String]
    ) -> (entity: Entity, fields: [BoundField]) {
        let stored = own.merging(carried) { own, _ in own }
        var fields: [BoundField] = []
        for f in declaration.fields {
            fields.append(BoundField(f.name, type(of: f.kind), f.meaning, stored[f.name] ?? Reader { _, _ in .null }))
            if let r = f.reference {
                let target = EntityID(order.firstIndex(of: r.entity) ?? 0)
                fields.append(BoundField(r.field, .row(target), r.meaning, stored[r.field] ?? Reader { _, _ in .null }))
            }
        }
        fields += derived
        let entity = Entity(
            name: declaration.name, singular: declaration.singular, fields: fields.map(\.field), key: declaration.key,
            display: display)
        return (entity, fields)
    }

    /// A reader of each carried field of a table (`columns`), by its name; an amount is in the
    /// row's `currency`.
    private static func carried<Of>(
        _ layout: CarriedLayout, _ columns: @escaping @Sendable (Snapshot) -> Carried<Of>,
        currency: @escaping @Sendable (Snapshot, Int32) -> Currency = { $0.currency(ofCustomer: $1) }
    ) -> [String: Reader] {
        Dictionary(
            uniqueKeysWithValues: layout.slots.map { slot -> (String, Reader) in
                let i = slot.index
                let read: Reader
                switch slot.storage {
                case .date: read = Reader { s, r in day(columns(s).dates[i][Int(r)]) }
                case .amount:
                    read = Reader { s, r in
                        columns(s).amounts[i][Int(r)].map { .money(Money(minor: $0, currency: currency(s, r))) } ?? .null
                    }
                case .days: read = Reader { s, r in days(columns(s).days[i][Int(r)].map(Int64.init)) }
                case .flag: read = Reader { s, r in .bool(columns(s).flags[i][Int(r)]) }
                case .grade: read = Reader { s, r in columns(s).grades[i][Int(r)].map(Value.grade) ?? .null }
                default: read = Reader { s, r in text(columns(s).texts[i].value(Int(r))) }
                }
                return (slot.field.name, read)
            })
    }

    private static let customersCarried = carried(Customers.carriedLayout, { $0.workspace.customers.carried })
    private static let invoicesCarried = carried(
        Invoices.carriedLayout, { $0.workspace.invoices.carried }, currency: { $0.currency(ofInvoice: $1) })
    private static let paymentsCarried = carried(
        Payments.carriedLayout, { $0.workspace.payments.carried }, currency: { $0.currency(ofPayment: $1) })

    /// The entities by name, in the order of their ids.
    private static let order = ["customers", "invoices", "payments", "actions", "promises", "contacts", "instalments"]

    /// The names of stored fields (and their rows) with no reader, and of readers of no stored
    /// field: none, as a test checks.
    static var unbound: [String] {
        let bound = [
            (Catalogue.customers, customerFields, customersCarried), (Catalogue.invoices, invoiceFields, invoicesCarried),
            (Catalogue.payments, paymentFields, paymentsCarried), (Catalogue.promises, promiseFields, [:]),
            (Catalogue.contacts, contactFields, [:]),
        ]
        return bound.flatMap { declaration, own, carried in
            let names = declaration.fields.flatMap { [$0.name] + ($0.reference.map { [$0.field] } ?? []) }
            let readers = own.merging(carried) { $1 }
            let twice = own.keys.filter { carried[$0] != nil }
            return (names.filter { readers[$0] == nil } + readers.keys.filter { !names.contains($0) } + twice).map {
                "\(declaration.name).\($0)"
            }
        } + zip(order, schema.entities.map(\.name)).filter { $0 != $1 }.map { "entity \($0.0)" }
    }

    private static func text(_ s: String?) -> Value { s.map(Value.string) ?? .null }
    private static func day(_ d: Day?) -> Value { d.map(Value.date) ?? .null }
    private static func days(_ n: Int64?) -> Value { n.map { .number(Decimal64($0)) } ?? .null }
    private static func money(_ s: Snapshot, customer c: Int32, _ minor: Int64?) -> Value {
        minor.map { .money(Money(minor: $0, currency: s.currency(ofCustomer: c))) } ?? .null
    }

    private static let customerFields: [String: Reader] = [
        "id": Reader { s, r in .string(s.workspace.customers.id[Int(r)]) },
        "name": Reader { s, r in .string(s.workspace.customers.name[Int(r)]) },
        "region": Reader { s, r in text(s.workspace.customers.region[Int(r)]) },
        "grade": Reader { s, r in
            (s.gradeSet(r) ?? s.workspace.customers.grade[Int(r)]).map(Value.grade) ?? .null
        },
        "credit_limit": Reader { s, r in
            money(s, customer: r, s.workspace.customers.creditLimit[Int(r)])
        },
        "currency": Reader { s, r in
            .string(s.workspace.customers.currency[Int(r)].code)
        },
        "terms_days": Reader { s, r in
            days(s.workspace.customers.termsDays[Int(r)].map(Int64.init))
        },
        "collector": Reader { s, r in
            text(s.workspace.customers.collector[Int(r)])
        },
        "email": Reader { s, r in text(s.workspace.customers.email.value(Int(r))) },
        "phone": Reader { s, r in text(s.workspace.customers.phone.value(Int(r))) },
        "language": Reader { s, r in
            text(s.workspace.customers.language[Int(r)])
        },
    ]

    private static let customerDerived: [BoundField] = [
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
        BoundField(
            "utilization", .number,
            "balance ÷ credit limit, exactly (to 18 places), shown in tables as a percentage; null without a limit",
            percent: true
        ) { s, r in
            s.utilization(r).map(Value.number) ?? .null
        },
        BoundField("last_payment", .date, "date of the latest payment") { s, r in day(s.lastPayment(r)) },
        BoundField("avg_days_to_pay", .number, "average days from issue to settlement of paid invoices, to 1 place") { s, r in
            s.avgDaysToPay(r).map(Value.number) ?? .null
        },
        BoundField(
            "avg_days_late", .number,
            "average days from due date to settlement of paid invoices (negative: paid early), to 1 place"
        ) { s, r in
            s.avgDaysLate(r).map(Value.number) ?? .null
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
        BoundField("promises", .table(.entity(promises, extras: [])), "the customer's promises to pay, as made") { s, r in
            .table(Frame(entity: promises, rows: Array(s.promisesOfCustomer.rows(of: r))))
        },
        BoundField("contacts", .table(.entity(contacts, extras: [])), "the people to write to there (contacts.csv)") { s, r in
            .table(Frame(entity: contacts, rows: Array(s.contactsOfCustomer.rows(of: r))))
        },
    ]

    private static func invoiceMoney(_ s: Snapshot, _ r: Int32, _ minor: Int64) -> Value {
        .money(Money(minor: minor, currency: s.currency(ofInvoice: r)))
    }

    private static let invoiceFields: [String: Reader] = [
        "id": Reader { s, r in .string(s.workspace.invoices.id[Int(r)]) },
        "customer_id": Reader { s, r in
            .string(s.workspace.customers.id[Int(s.workspace.invoices.customer[Int(r)])])
        },
        "customer": Reader { s, r in
            .row(customers, s.workspace.invoices.customer[Int(r)])
        },
        "issued": Reader { s, r in .date(s.workspace.invoices.issued[Int(r)]) },
        "due": Reader { s, r in .date(s.workspace.invoices.due[Int(r)]) },
        "amount": Reader { s, r in invoiceMoney(s, r, s.workspace.invoices.amount[Int(r)]) },
        "currency": Reader { s, r in .string(s.currency(ofInvoice: r).code) },
        "disputed": Reader { s, r in .bool(s.isDisputed(r)) },
    ]

    private static let invoiceDerived: [BoundField] = [
        BoundField("paid", .money, "payments applied to it so far") { s, r in invoiceMoney(s, r, s.invoicePaid(r)) },
        BoundField("reminders", .number, "how many reminders listed it (from the journal; failed ones not counted)") { s, r in
            .number(Decimal64(s.reminders[r] ?? 0))
        },
        BoundField("balance", .money, "amount minus payments applied") { s, r in invoiceMoney(s, r, s.invoiceBalance(r)) },
        BoundField(
            "kind", .string,
            "`invoice`, or `credit note` (a negative amount: it lowers the customer's balance, never the overdue one)"
        ) { s, r in
            .string(s.isCreditNote(r) ? "credit note" : "invoice")
        },
        BoundField("status", .string, "`open` (not yet due), `overdue`, `paid`, or `credit` (a credit note)") { s, r in
            .string(s.status(r))
        },
        BoundField(
            "days_overdue", .number, "days past due while open (negative before the due date); 0 once paid, and for a credit note"
        ) { s, r in
            days(s.daysOverdue(r))
        },
        BoundField(
            "bucket", .bucket,
            "aging bucket: current, 1-30, 31-60, 61-90, 90+ (upper limits inclusive); null once paid, and for a credit note"
        ) { s, r in
            s.bucket(r).map(Value.bucket) ?? .null
        },
        BoundField("days_to_pay", .number, "days from issue to settlement; null while open") { s, r in days(s.daysToPay(r)) },
        BoundField(
            "promised_by", .date,
            "the earliest day promised by an unexpired promise to pay covering it (its own, or its customer's); null when none"
        ) { s, r in day(s.promisedBy(r)) },
        BoundField("on_plan", .bool, "covered by an instalment plan being kept (from the journal)") { s, r in .bool(s.isOnPlan(r))
        },
        BoundField("days_late", .number, "days from due date to settlement, negative when paid early; null while open") {
            s, r in days(s.daysLate(r))
        },
        BoundField("last_payment", .date, "date of the latest payment applied") { s, r in day(s.invoiceLastPayment(r)) },
        BoundField("payments", .table(.entity(payments, extras: [])), "payments applied to it") { s, r in
            .table(Frame(entity: payments, rows: Array(s.paymentsOfInvoice.rows(of: r))))
        },
    ]

    private static let paymentFields: [String: Reader] = [
        "id": Reader { s, r in .string(s.workspace.payments.id[Int(r)]) },
        "customer_id": Reader { s, r in
            .string(s.workspace.customers.id[Int(s.workspace.payments.customer[Int(r)])])
        },
        "customer": Reader { s, r in
            .row(customers, s.workspace.payments.customer[Int(r)])
        },
        "invoice_id": Reader { s, r in
            text(s.appliedInvoice(ofPayment: r).map { s.workspace.invoices.id[Int($0)] })
        },
        "invoice": Reader { s, r in
            s.appliedInvoice(ofPayment: r).map { .row(invoices, $0) } ?? .null
        },
        "date": Reader { s, r in .date(s.workspace.payments.date[Int(r)]) },
        "amount": Reader { s, r in .money(Money(minor: s.workspace.payments.amount[Int(r)], currency: s.currency(ofPayment: r)))
        },
        "currency": Reader { s, r in .string(s.currency(ofPayment: r).code) },
    ]

    private static let paymentDerived: [BoundField] = [
        BoundField("applied", .bool, "applied to an invoice (false for unapplied cash)") { s, r in
            .bool(s.appliedInvoice(ofPayment: r) != nil)
        }
    ]

    /// Promises to pay (promises.csv and `record promise`), made as of the run's date.
    private static let promiseFields: [String: Reader] = [
        "customer_id": Reader { s, r in
            .string(s.workspace.customers.id[Int(s.promises[Int(r)].customer)])
        },
        "customer": Reader { s, r in
            .row(customers, s.promises[Int(r)].customer)
        },
        "invoice_id": Reader { s, r in
            text(s.promises[Int(r)].invoice.map { s.workspace.invoices.id[Int($0)] })
        },
        "invoice": Reader { s, r in
            s.promises[Int(r)].invoice.map { .row(invoices, $0) } ?? .null
        },
        "amount": Reader { s, r in
            money(s, customer: s.promises[Int(r)].customer, s.promises[Int(r)].amount)
        },
        "made_on": Reader { s, r in .date(s.promises[Int(r)].madeOn) },
        "promised_by": Reader { s, r in .date(s.promises[Int(r)].by) },
    ]

    private static let promiseDerived: [BoundField] = [
        BoundField("paid", .money, "paid toward it from the day made to the day promised, so far") { s, r in
            money(s, customer: s.promises[Int(r)].customer, s.promises[Int(r)].paid)
        },
        BoundField("kept", .bool, "paid in full by the day promised") { s, r in .bool(s.promises[Int(r)].kept) },
        BoundField("status", .string, "kept, open (not yet due) or broken") { s, r in
            let p = s.promises[Int(r)]
            return .string(p.kept ? "kept" : (s.asOf <= p.by ? "open" : "broken"))
        },
    ]

    /// The people to write to at each customer (contacts.csv).
    private static let contactFields: [String: Reader] = [
        "customer_id": Reader { s, r in .string(s.workspace.customers.id[Int(s.history.contacts[Int(r)].customer)]) },
        "customer": Reader { s, r in .row(customers, s.history.contacts[Int(r)].customer) },
        "name": Reader { s, r in text(s.history.contacts[Int(r)].name) },
        "role": Reader { s, r in text(s.history.contacts[Int(r)].role.isEmpty ? nil : s.history.contacts[Int(r)].role) },
        "email": Reader { s, r in text(s.history.contacts[Int(r)].email.isEmpty ? nil : s.history.contacts[Int(r)].email) },
    ]

    /// The instalments of the plans offered (`offer plan`), as of the run's date.
    private static func plan(_ s: Snapshot, _ r: Int32) -> History.Plan { s.plans[Int(s.instalments[Int(r)].plan)] }
    private static func number(_ s: Snapshot, _ r: Int32) -> Int { Int(s.instalments[Int(r)].number) }

    private static let instalmentFields: [BoundField] = [
        BoundField("customer_id", .string, "the customer's id") { s, r in
            .string(s.workspace.customers.id[Int(plan(s, r).customer)])
        },
        BoundField("customer", .row(customers), "the customer") { s, r in .row(customers, plan(s, r).customer) },
        BoundField("invoices", .string, "the invoices of its plan, comma-separated") { s, r in
            .string(plan(s, r).invoices.map { s.workspace.invoices.id[Int($0)] }.joined(separator: ", "))
        },
        BoundField("offered", .date, "the day its plan was offered") { s, r in .date(plan(s, r).offered) },
        BoundField("number", .number, "which of its plan's instalments it is, from 1") { s, r in
            .number(Decimal64(number(s, r) + 1))
        },
        BoundField("due", .date, "the day it falls due") { s, r in .date(plan(s, r).instalments[number(s, r)].due) },
        BoundField("amount", .money, "its part of the plan's total") { s, r in
            money(s, customer: plan(s, r).customer, plan(s, r).instalments[number(s, r)].amount)
        },
        BoundField("owed", .money, "what is still owed of it: payments go to the earliest first") { s, r in
            money(s, customer: plan(s, r).customer, plan(s, r).owed(number(s, r)))
        },
        BoundField("kept", .bool, "its plan is being kept (what customer.on_plan says of its invoices)") { s, r in
            .bool(plan(s, r).kept)
        },
        BoundField("status", .string, "paid, open (not yet due) or late") { s, r in
            let p = plan(s, r)
            let k = number(s, r)
            return .string(p.owed(k) == 0 ? "paid" : (s.asOf < p.instalments[k].due ? "open" : "late"))
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
    public let rates: ExchangeRates
    /// The snapshots of other days made so far (`as_of`), each made once.
    private let dated = Dated()

    private final class Dated: Sendable {
        let made = Mutex<[Day: SnapshotSource]>([:])
    }

    /// Made for `as_of`: the rows it is asked about were found as of another day, and one
    /// that does not exist as of this one (an invoice not yet issued, a promise not yet made)
    /// reads as null.
    private let other: Bool

    public init(_ snapshot: Snapshot, rates: ExchangeRates = ExchangeRates()) {
        self.init(snapshot, rates: rates, other: false)
    }

    private init(_ snapshot: Snapshot, rates: ExchangeRates, other: Bool) {
        self.snapshot = snapshot
        self.rates = rates
        self.other = other
    }

    /// Whether `row` of `entity` exists as of this snapshot's day.
    private static func exists(_ s: Snapshot, _ entity: EntityID, _ row: Int32) -> Bool {
        let i = Int(row)
        switch entity {
        case Receivables.customers: return i < s.workspace.customers.count
        case Receivables.invoices: return i < s.workspace.invoices.count && s.workspace.invoices.issued[i] <= s.asOf
        case Receivables.payments: return i < s.workspace.payments.count && s.workspace.payments.date[i] <= s.asOf
        case Receivables.actions: return i < s.actions.count
        case Receivables.contacts: return i < s.history.contacts.count
        case Receivables.instalments: return i < s.instalments.count
        default: return i < s.promises.count
        }
    }

    public func asOf(_ day: Day) throws(RuntimeError) -> (any DataSource)? {
        if day == snapshot.asOf { return self }
        if let made = dated.made.withLock({ $0[day] }) { return made }
        do {
            let other = SnapshotSource(
                try Snapshot(snapshot.workspace, asOf: day, history: snapshot.history, rates: rates), rates: rates, other: true)
            return dated.made.withLock { made in
                if let first = made[day] { return first }
                // A snapshot holds a few numbers per invoice: a query that asks for a day per
                // row keeps the last few dozen, not one per row.
                if made.count >= 32 { made.removeAll() }
                made[day] = other
                return other
            }
        } catch {
            throw RuntimeError(error.message, 0..<0, hint: error.hint)
        }
    }

    public var today: Day { snapshot.asOf }
    public var currency: Currency? { snapshot.currency }

    public func rows(of entity: EntityID) -> [Int32] {
        switch entity {
        case Receivables.customers: return Array(0..<Int32(snapshot.workspace.customers.count))
        case Receivables.invoices: return snapshot.invoices
        case Receivables.actions: return Array(0..<Int32(snapshot.actions.count))
        case Receivables.promises: return Array(0..<Int32(snapshot.promises.count))
        case Receivables.contacts: return Array(0..<Int32(snapshot.history.contacts.count))
        case Receivables.instalments: return Array(0..<Int32(snapshot.instalments.count))
        default: return snapshot.payments
        }
    }

    public func value(of entity: EntityID, field: Int, row: Int32) -> Value {
        if other && !SnapshotSource.exists(snapshot, entity, row) { return .null }
        return Receivables.readers[entity.index][field](snapshot, row)
    }

    public func reader(of entity: EntityID, field: Int) -> @Sendable (Int32) -> Value {
        let (read, s) = (Receivables.readers[entity.index][field], snapshot)
        // Customers are the same on every day: only other rows may not exist yet.
        if other && entity != Receivables.customers {
            return { row in SnapshotSource.exists(s, entity, row) ? read(s, row) : .null }
        }
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
        case (Receivables.customers, "promises"):
            return (Receivables.promises, { s.promises[Int($0)].customer })
        case (Receivables.customers, "contacts"):
            return (Receivables.contacts, { s.history.contacts[Int($0)].customer })
        default:
            return nil
        }
    }
}
