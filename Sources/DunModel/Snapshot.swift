// Snapshot: the receivables as of one date, with every total added up once.

import DunCore

/// Rows grouped by an owner (a customer's invoices): `items[offsets[i]..<offsets[i+1]]`.
public struct Relation: Sendable {
    let offsets: [Int32]
    let items: [Int32]

    /// Builds the groups from each item's owner, keeping items in their original order.
    init(owners: Int, items source: [Int32], owner: (Int32) -> Int32) {
        var counts = filledArray(repeating: Int32(0), count: owners + 1)
        for item in source {
            counts[Int(owner(item)) + 1] += 1
        }
        for i in 0..<owners {
            counts[i + 1] += counts[i]
        }
        var next = filledArray(repeating: Int32(0), count: owners + 1)
        next.withUnsafeMutableBufferPointer { next in _ = next.update(fromContentsOf: counts) }
        var items = filledArray(repeating: Int32(0), count: source.count)
        for item in source {
            let o = Int(owner(item))
            items[Int(next[o])] = item
            next[o] += 1
        }
        offsets = counts
        self.items = items
    }

    public func rows(of owner: Int32) -> ArraySlice<Int32> {
        items[Int(offsets[Int(owner)])..<Int(offsets[Int(owner) + 1])]
    }
}

/// What has been paid on an invoice, and when last, in 12 bytes: one place in memory for
/// each payment to touch. The sum is kept in two halves, so that the record needs only
/// 4-byte alignment (ten million invoices take 120 MB, not the 160 an `Int64` field's
/// alignment would make them).
private struct InvoiceTotals {
    private var paidLow: UInt32 = 0
    private var paidHigh: Int32 = 0
    /// The day of the last payment; `Int32.min` before any, `Int32.max` for an invoice issued
    /// after the as-of date.
    private var lastDay: Int32

    init(visible: Bool) {
        lastDay = visible ? Int32.min : Int32.max
    }

    /// Issued on or before the as-of date.
    var visible: Bool { lastDay != Int32.max }

    var paid: Int64 {
        get { Int64(paidHigh) << 32 | Int64(paidLow) }
        set {
            paidLow = UInt32(truncatingIfNeeded: newValue)
            paidHigh = Int32(truncatingIfNeeded: newValue >> 32)
        }
    }

    /// The day the last payment settled a visible invoice of `amount` issued on `issued`; `nil`
    /// while a balance is open.
    func settled(amount: Int64, issued: Day) -> Day? {
        guard visible, paid == amount else { return nil }
        return last ?? issued
    }

    /// Set only on a visible invoice's totals.
    var last: Day? {
        get { lastDay == Int32.min || lastDay == Int32.max ? nil : Day(ordinal: lastDay) }
        set { lastDay = newValue?.ordinal ?? Int32.min }
    }
}

/// What a customer's payments add up to: unapplied cash, and the day of the last one. The
/// payments' pass touches this record (16 bytes) for each payment, the invoices' pass the
/// next one (32 bytes) for each invoice: where one record of 56 served both, each pass read
/// more memory, and with a million customers, each place touched is a wait.
private struct PaidTotals {
    var unapplied: Int64 = 0
    var last: Day?
}

/// What a customer's visible invoices add up to.
private struct OpenTotals {
    var balance: Int64 = 0
    var overdueBalance: Int64 = 0
    var daysToPaySum: Int64 = 0
    var paidCount: Int32 = 0
    var overdue: Int32 = 0
}

/// The workspace seen as of a date: invoices issued and payments made after it do not
/// exist yet; balances, days overdue and buckets are those of that day.
public final class Snapshot: Sendable {
    public let workspace: Workspace
    public let asOf: Day
    /// What the journal records, from which this snapshot took what happened by its date.
    public let history: History
    /// The currency of every customer, invoice and payment, when they all have the same one.
    public let currency: Currency?
    /// What an invoice or payment in another currency than its customer's is converted at,
    /// into the customer's, for the customer's totals.
    public let rates: ExchangeRates

    /// Invoices issued on or before the as-of date, in file order.
    public var invoices: [Int32] { visible.invoices.value }
    /// Payments made on or before the as-of date, in file order.
    public var payments: [Int32] { visible.payments.value }
    /// Both listed when first asked for: the totals need no list, and a snapshot of another
    /// day that only adds up totals (the months of a trend) is a third faster without them.
    private let visible: (invoices: Lazy<[Int32]>, payments: Lazy<[Int32]>)
    /// Whether no invoice is paid more than its amount, known when every payment is made on or
    /// before the as-of date and applied, if at all, to an invoice issued by then: all of them
    /// are then added up here. The loader's check then has only the payment that goes over to
    /// find, if any (`WorkspaceLoader.load(directory:progress:while:paymentsFit:)`).
    public let paymentsFitInvoices: Bool?

    // Per invoice (indexed by invoice row; meaningful for visible invoices).
    private let perInvoice: [InvoiceTotals]

    // Per customer (indexed by customer row), read through the functions below: the fields
    // derived from them are not kept, as a million customers' would be 70 MB more of fresh
    // memory to fill at each load.
    private let paid: [PaidTotals]
    private let open: [OpenTotals]
    /// From the journal (`History`): the customers with a latest reminder, on credit hold, or
    /// with a grade set.
    private let journal: History.Replay
    /// The journal's entries applied as of the date: the `actions` entity.
    public let actions: [History.Record]
    /// The tags policies gave each customer (by row), from the journal.
    public let tags: [Int32: [String]]
    /// The notes on each customer (by row), oldest first, from the journal.
    public let notes: [Int32: [String]]
    /// How many reminders (not failed) listed each invoice (by row), from the journal.
    public let reminders: [Int32: Int]
    /// The promises to pay made as of the date, with what was paid toward each: the
    /// `promises` entity.
    public let promises: [History.Promise]
    /// The instalment plans offered as of the date, from the journal.
    public let plans: [History.Plan]
    /// Each instalment of each plan, as (plan, instalment): the `instalments` entity.
    public let instalments: [(plan: Int32, number: Int32)]
    /// Disputes recorded or resolved in the journal, by invoice row, over the file's flag.
    private let disputes: [Int32: Bool]
    /// Invoices, and customers (all their invoices), under an unexpired promise to pay or an
    /// instalment plan being kept.
    private let plannedInvoices: Set<Int32>
    /// The earliest day promised by an unexpired promise, by invoice row (a promise on that
    /// invoice) and by customer row (a promise on all its invoices).
    private let promisedInvoices: [Int32: Day]
    private let promisedCustomers: [Int32: Day]

    /// Rows grouped by their owner, built when first used: most questions need none of
    /// them, and building one takes a pass in no order over ten million rows.
    private let relations:
        (invoicesOfCustomer: Lazy<Relation>, paymentsOfCustomer: Lazy<Relation>, paymentsOfInvoice: Lazy<Relation>)
    /// The visible invoices of each customer, in file order.
    public var invoicesOfCustomer: Relation { relations.invoicesOfCustomer.value }
    /// The promises of each customer (rows of `promises`), in the order made.
    public var promisesOfCustomer: Relation { promisesByCustomer.value }
    private let promisesByCustomer: Lazy<Relation>
    /// The contacts of each customer (rows of `history.contacts`), in file order.
    public var contactsOfCustomer: Relation { contactsByCustomer.value }
    private let contactsByCustomer: Lazy<Relation>
    /// The days late of each customer's paid invoices, added up, and how many: in one pass
    /// over the invoices when first asked (a forecast asks it for every invoice).
    private let lateness: Lazy<[(sum: Int64, count: Int32)]>
    /// The visible payments of each customer, in file order.
    public var paymentsOfCustomer: Relation { relations.paymentsOfCustomer.value }
    /// The payments applied to each visible invoice, in file order.
    public var paymentsOfInvoice: Relation { relations.paymentsOfInvoice.value }

    /// Adds up every total as of `asOf`, with what `history` records up to that day; the fields
    /// derived from them are computed as they are read. A customer's totals are in its
    /// currency, an invoice or payment in another converted at `rates` as of the date. Fails
    /// if a total overflows, or an amount needs a rate there is none of.
    public init(
        _ workspace: Workspace, asOf: Day, history: History = History(), rates: ExchangeRates = ExchangeRates()
    ) throws(Diagnostic) {
        self.workspace = workspace
        self.asOf = asOf
        self.history = history
        self.rates = rates
        let shared = workspace.sharedCurrency
        currency = shared
        let inv = workspace.invoices
        let pay = workspace.payments
        let cust = workspace.customers
        /// `minor` of `from` in customer `c`'s currency; the error names the row (`at`).
        func inCustomers(_ minor: Int64, _ from: Currency, _ c: Int, at place: @autoclosure () -> (file: String, row: String))
            throws(Diagnostic) -> Int64
        {
            guard shared == nil, minor != 0 else { return minor }
            switch rates.convert(Money(minor: minor, currency: from), to: cust.currency[c], on: asOf) {
            case .success(let m):
                return m.minor
            case .failure(let failure):
                let (file, row) = place()
                guard case .noRate(let missing) = failure else {
                    throw Diagnostic(.error, "\(row) is too large to convert to \(cust.currency[c]) exactly", file: file)
                }
                throw Diagnostic(
                    .error,
                    "\(row) is in \(from) and its customer \(excerpt(cust.id[c])) in \(cust.currency[c]): no exchange rate for \(missing) on or before \(asOf)",
                    file: file, hint: ExchangeRates.hint(missing))
            }
        }
        /// Adds to a customer's total; on overflow, the error names the customer, the file and
        /// the row whose amount did not fit (`at`: the file and the row's id).
        func add(_ a: Int64, _ b: Int64, _ c: Int, at place: @autoclosure () -> (file: String, row: String)) throws(Diagnostic)
            -> Int64
        {
            let (r, overflow) = a.addingReportingOverflow(b)
            if overflow {
                let (file, row) = place()
                throw Diagnostic(
                    .error, "the totals of customer \(excerpt(cust.id[c])) are too large to add up exactly, at \(row)",
                    file: file,
                    hint: "an amount this large is most likely a mistake in the export")
            }
            return r
        }

        // What each pass below adds up is kept per invoice and per customer in one small
        // record, so that a payment or an invoice touches one place in memory for its invoice
        // and one for its customer, not one per total: with a million customers, the totals
        // no longer fit in the processor's cache, and each place touched is a wait.
        var perInvoice = filledArray(count: inv.count) { InvoiceTotals(visible: inv.issued[$0] <= asOf) }
        var paid = filledArray(repeating: PaidTotals(), count: cust.count)
        var open = filledArray(repeating: OpenTotals(), count: cust.count)

        // Whether each payment applied to an invoice is added to it below: not when it is made
        // after the date, nor when its invoice is issued after it.
        var everyPaymentAdded = true
        for i in 0..<pay.count {
            // The records the next 64 payments update are read first, all together, so that
            // their cache misses overlap rather than come one after another (a third faster
            // with ten million invoices); the same for invoices below.
            if i % 64 == 0 {
                var touched: Int64 = 0
                for q in i..<min(i + 64, pay.count) where pay.date[q] <= asOf {
                    touched &+= paid[Int(pay.customer[q])].unapplied
                    if let t = pay.invoice[q] { touched &+= perInvoice[Int(t)].paid }
                }
                keep(Int32(truncatingIfNeeded: touched))
            }
            guard pay.date[i] <= asOf else {
                if pay.invoice[i] != nil { everyPaymentAdded = false }
                continue
            }
            let c = Int(pay.customer[i])
            let date = pay.date[i]
            if let d = paid[c].last, d >= date {} else { paid[c].last = date }
            if let target = pay.invoice[i] {
                if perInvoice[Int(target)].visible {
                    // The loader checks that no payment exceeds what is left on its invoice, but a
                    // snapshot may be made before it checks (`WorkspaceLoader.load(while:)`), and
                    // the check's error is the one told: here a sum too large only stops.
                    let (sum, overflow) = perInvoice[Int(target)].paid.addingReportingOverflow(pay.amount[i])
                    if overflow {
                        throw Diagnostic(
                            .error,
                            "the payments of invoice \(excerpt(inv.id[Int(target)])) are too large to add up exactly, at payment \(excerpt(pay.id[i]))",
                            file: Catalogue.payments.file)
                    }
                    perInvoice[Int(target)].paid = sum
                    if let d = perInvoice[Int(target)].last, d >= date {} else { perInvoice[Int(target)].last = date }
                    continue
                }
                everyPaymentAdded = false
            }
            let amount = try inCustomers(
                pay.amount[i], pay.currency[i], c, at: (Catalogue.payments.file, "payment \(excerpt(pay.id[i]))"))
            paid[c].unapplied = try add(
                paid[c].unapplied, amount, c, at: (Catalogue.payments.file, "payment \(excerpt(pay.id[i]))"))
        }

        var overpaid = false
        for i in 0..<inv.count {
            if i % 64 == 0 {
                var touched: Int64 = 0
                for j in i..<min(i + 64, inv.count) where perInvoice[j].visible { touched &+= open[Int(inv.customer[j])].balance }
                keep(Int32(truncatingIfNeeded: touched))
            }
            guard perInvoice[i].visible else { continue }
            let c = Int(inv.customer[i])
            let left = inv.amount[i] - perInvoice[i].paid
            // A credit note (a negative amount) is left negative; nothing may be paid on it.
            if left < 0 && (inv.amount[i] >= 0 || perInvoice[i].paid > 0) { overpaid = true }
            if left == 0 {
                open[c].daysToPaySum += (perInvoice[i].last ?? inv.issued[i]).days(since: inv.issued[i])
                open[c].paidCount += 1
                continue
            }
            let owed = try inCustomers(left, inv.currency[i], c, at: (Catalogue.invoices.file, "invoice \(excerpt(inv.id[i]))"))
            open[c].balance = try add(open[c].balance, owed, c, at: (Catalogue.invoices.file, "invoice \(excerpt(inv.id[i]))"))
            let late = Int32(clamping: asOf.days(since: inv.due[i]))
            // A credit note lowers the balance, never the overdue one: it is not late.
            if late > 0 && left > 0 {
                open[c].overdueBalance = try add(
                    open[c].overdueBalance, owed, c, at: (Catalogue.invoices.file, "invoice \(excerpt(inv.id[i]))"))
                open[c].overdue = max(open[c].overdue, late)
            }
        }

        // A balance is told as it is read (`balance(_:)`): here only checked.
        for c in 0..<cust.count {
            _ = try add(open[c].balance, -paid[c].unapplied, c, at: (Catalogue.payments.file, "its unapplied cash"))
        }

        let visible = (
            invoices: Lazy { indices(inv.count) { inv.issued[$0] <= asOf } },
            payments: Lazy { indices(pay.count) { pay.date[$0] <= asOf } }
        )
        self.visible = visible
        paymentsFitInvoices = everyPaymentAdded ? !overpaid : nil
        self.perInvoice = perInvoice
        relations = (
            Lazy { Relation(owners: cust.count, items: visible.invoices.value) { inv.customer[Int($0)] } },
            Lazy { Relation(owners: cust.count, items: visible.payments.value) { pay.customer[Int($0)] } },
            Lazy { [perInvoice] in
                // Applied: to an invoice visible as of the date.
                let applied = visible.payments.value.filter { p in
                    pay.invoice[Int(p)].map { perInvoice[Int($0)].visible } ?? false
                }
                return Relation(owners: inv.count, items: applied) { pay.invoice[Int($0)] ?? 0 }
            }
        )
        self.paid = paid
        self.open = open
        lateness = Lazy { [perInvoice] in
            var totals = [(sum: Int64, count: Int32)](repeating: (0, 0), count: cust.count)
            for i in 0..<inv.count where inv.amount[i] > 0 {
                guard let settled = perInvoice[i].settled(amount: inv.amount[i], issued: inv.issued[i]) else { continue }
                totals[Int(inv.customer[i])].sum &+= settled.days(since: inv.due[i])
                totals[Int(inv.customer[i])].count += 1
            }
            return totals
        }
        journal = history.replayed(customers: cust.count, asOf: asOf)
        actions = history.records.filter { $0.day <= asOf }
        disputes = history.disputes(invoices: inv.count, asOf: asOf)
        tags = history.tags(customers: cust.count, asOf: asOf)
        var notes: [Int32: [String]] = [:]
        var reminders: [Int32: Int] = [:]
        for record in actions {
            switch record.action {
            case .note:
                if let c = record.customer, let text = record.detail { notes[c, default: []].append(text) }
            case .remind where record.status != .failed:
                for id in record.invoices {
                    if let i = inv.id.row(of: id) { reminders[i, default: 0] += 1 }
                }
            default: break
            }
        }
        self.notes = notes
        self.reminders = reminders
        let paymentsOfCustomer = relations.paymentsOfCustomer
        /// A visible payment's amount in its customer's currency: converted above already.
        func customers(_ p: Int32) -> Int64 {
            let (i, c) = (Int(p), Int(pay.customer[Int(p)]))
            return (try? inCustomers(pay.amount[i], pay.currency[i], c, at: ("", ""))) ?? 0
        }
        promises = history.promises(asOf: asOf) { customer, invoice, from, to in
            var sum: Int64 = 0
            for p in paymentsOfCustomer.value.rows(of: customer) {
                let d = pay.date[Int(p)]
                guard d >= from && d <= to else { continue }
                if let invoice, pay.invoice[Int(p)] != invoice { continue }
                sum &+= customers(p)
            }
            return sum
        }
        promisesByCustomer = Lazy { [promises = self.promises] in
            Relation(owners: cust.count, items: Array(0..<Int32(promises.count))) { promises[Int($0)].customer }
        }
        contactsByCustomer = Lazy { [contacts = history.contacts] in
            Relation(owners: cust.count, items: Array(0..<Int32(contacts.count))) { contacts[Int($0)].customer }
        }
        let plans = history.plans(asOf: asOf) { invoices, since in
            var sum: Int64 = 0
            for p in visible.payments.value {
                if let i = pay.invoice[Int(p)], invoices.contains(i), pay.date[Int(p)] > since { sum &+= customers(p) }
            }
            return sum
        }
        self.plans = plans
        plannedInvoices = plans.reduce(into: []) { kept, plan in if plan.kept { kept.formUnion(plan.invoices) } }
        instalments = plans.indices.flatMap { p in plans[p].instalments.indices.map { (Int32(p), Int32($0)) } }
        var byInvoice: [Int32: Day] = [:]
        var byCustomer: [Int32: Day] = [:]
        for p in promises where p.unexpired(on: asOf) {
            if let i = p.invoice {
                byInvoice[i] = min(byInvoice[i] ?? p.by, p.by)
            } else {
                byCustomer[p.customer] = min(byCustomer[p.customer] ?? p.by, p.by)
            }
        }
        promisedInvoices = byInvoice
        promisedCustomers = byCustomer
    }

    // MARK: derived customer fields

    /// What the customer owes: its visible invoices' balances less its unapplied cash.
    public func balance(_ c: Int32) -> Int64 {
        // Checked when the snapshot was made: it does not overflow.
        open[Int(c)].balance - paid[Int(c)].unapplied
    }

    /// The balances of its invoices past due.
    public func overdueBalance(_ c: Int32) -> Int64 {
        open[Int(c)].overdueBalance
    }

    /// Its payments applied to no visible invoice.
    public func unapplied(_ c: Int32) -> Int64 {
        paid[Int(c)].unapplied
    }

    /// The days overdue of its most overdue open invoice; 0 when none is past due.
    public func overdue(_ c: Int32) -> Int32 {
        open[Int(c)].overdue
    }

    /// The date of its latest payment.
    public func lastPayment(_ c: Int32) -> Day? {
        paid[Int(c)].last
    }

    /// The average days from issue to the payment that settled them, of its paid invoices.
    public func avgDaysToPay(_ c: Int32) -> Decimal64? {
        let totals = open[Int(c)]
        guard totals.paidCount > 0 else { return nil }
        // Rounded once, straight to the places shown (rounding to 6 places first could round twice).
        return Decimal64(totals.daysToPaySum).divided(by: Decimal64(Int64(totals.paidCount)), places: 1)
    }

    /// The average days from due date to the payment that settled them (negative when paid
    /// early), of its paid invoices, to one place; `nil` before any is paid. Added up when
    /// asked, over its invoices: few questions ask it, and the totals' pass stays small.
    public func avgDaysLate(_ c: Int32) -> Decimal64? {
        let (sum, count) = lateness.value[Int(c)]
        guard count > 0 else { return nil }
        return Decimal64(sum).divided(by: Decimal64(Int64(count)), places: 1)
    }

    /// Its balance over its credit limit, exactly; `nil` without a limit.
    public func utilization(_ c: Int32) -> Decimal64? {
        guard let limit = workspace.customers.creditLimit[Int(c)], limit > 0 else { return nil }
        // Exact (or to as many places as fit): it is rounded where it is shown, not here.
        return Decimal64(balance(c)).divided(by: Decimal64(limit), places: Int(Decimal64.maxScale))
    }

    /// The day of the latest reminder the journal records.
    public func lastReminder(_ c: Int32) -> Day? {
        journal.lastReminder[c]
    }

    /// Whether the journal has the customer's credit on hold.
    public func isOnHold(_ c: Int32) -> Bool {
        journal.onHold.contains(c)
    }

    /// The grade the journal last set, over the file's.
    public func gradeSet(_ c: Int32) -> Grade? {
        journal.grade[c]
    }

    // MARK: derived invoice fields

    /// Whether the customer disputes an invoice: the file's flag, unless the journal has a
    /// dispute recorded or resolved since.
    public func isDisputed(_ i: Int32) -> Bool {
        disputes[i] ?? workspace.invoices.disputed[Int(i)]
    }

    /// Whether an unexpired promise to pay, or an instalment plan being kept, covers an
    /// invoice: reminders about it wait.
    public func isPaused(_ i: Int32) -> Bool {
        isOnPlan(i) || promisedBy(i) != nil
    }

    /// The earliest day promised by an unexpired promise to pay that covers an invoice (one on
    /// it, or on all its customer's invoices); `nil` when none does.
    public func promisedBy(_ i: Int32) -> Day? {
        let own = promisedInvoices[i]
        let customers = promisedCustomers[workspace.invoices.customer[Int(i)]]
        guard let a = own else { return customers }
        return min(a, customers ?? a)
    }

    /// Whether an instalment plan being kept covers an invoice.
    public func isOnPlan(_ i: Int32) -> Bool {
        plannedInvoices.contains(i)
    }

    /// The payments applied to an invoice so far.
    public func invoicePaid(_ i: Int32) -> Int64 {
        perInvoice[Int(i)].paid
    }

    /// The date of the latest payment applied to an invoice.
    public func invoiceLastPayment(_ i: Int32) -> Day? {
        perInvoice[Int(i)].last
    }

    /// What is left to pay on an invoice, in its currency.
    public func invoiceBalance(_ i: Int32) -> Int64 {
        workspace.invoices.amount[Int(i)] - perInvoice[Int(i)].paid
    }

    // MARK: currencies

    public func currency(ofCustomer c: Int32) -> Currency {
        currency ?? workspace.customers.currency[Int(c)]
    }

    public func currency(ofInvoice i: Int32) -> Currency {
        currency ?? workspace.invoices.currency[Int(i)]
    }

    public func currency(ofPayment p: Int32) -> Currency {
        currency ?? workspace.payments.currency[Int(p)]
    }

    /// What is left to pay on a visible invoice, in its customer's currency: converted as the
    /// customer's balance is.
    public func invoiceBalanceInCustomers(_ i: Int32) -> Money {
        let c = workspace.invoices.customer[Int(i)]
        let left = Money(minor: invoiceBalance(i), currency: currency(ofInvoice: i))
        guard case .success(let m) = rates.convert(left, to: currency(ofCustomer: c), on: asOf) else { return left }
        return m
    }

    /// As-of minus due for an open invoice (negative before the due date); 0 once paid, and
    /// for a credit note, which is never late.
    public func daysOverdue(_ i: Int32) -> Int64 {
        invoiceBalance(i) <= 0 ? 0 : asOf.days(since: workspace.invoices.due[Int(i)])
    }

    /// The aging bucket of an open invoice; `nil` once paid, and for a credit note.
    public func bucket(_ i: Int32) -> AgingBucket? {
        invoiceBalance(i) <= 0 ? nil : AgingBucket(daysOverdue: daysOverdue(i))
    }

    /// Whether the invoice is a credit note: a negative amount, which lowers its customer's balance.
    public func isCreditNote(_ i: Int32) -> Bool {
        workspace.invoices.amount[Int(i)] < 0
    }

    /// `paid`, `overdue` (open and past due), `open`, or `credit` (a credit note).
    public func status(_ i: Int32) -> String {
        if isCreditNote(i) { return "credit" }
        if invoiceBalance(i) == 0 { return "paid" }
        return daysOverdue(i) > 0 ? "overdue" : "open"
    }

    /// The date the last payment settled a visible invoice; `nil` while a balance is open.
    public func settled(_ i: Int32) -> Day? {
        perInvoice[Int(i)].settled(amount: workspace.invoices.amount[Int(i)], issued: workspace.invoices.issued[Int(i)])
    }

    /// Days from issue to the payment that settled it; `nil` while open.
    public func daysToPay(_ i: Int32) -> Int64? {
        settled(i).map { $0.days(since: workspace.invoices.issued[Int(i)]) }
    }

    /// Days from the due date to the payment that settled it, negative when paid early; `nil`
    /// while open, and for a credit note.
    public func daysLate(_ i: Int32) -> Int64? {
        guard workspace.invoices.amount[Int(i)] > 0 else { return nil }
        return settled(i).map { $0.days(since: workspace.invoices.due[Int(i)]) }
    }

    /// Whether a payment is applied to an invoice visible as of this date.
    public func appliedInvoice(ofPayment p: Int32) -> Int32? {
        guard let i = workspace.payments.invoice[Int(p)], workspace.invoices.issued[Int(i)] <= asOf else { return nil }
        return i
    }
}
