// History: what the collection team did, from Dun's journal, replayed over the CSV files at
// load: reminders sent, credit held and released, grades set.

import DunCore

/// The team's actions on customers, in the order they were recorded.
public struct History: Sendable {
    public enum Kind: Sendable, Equatable {
        case reminded
        case heldCredit
        case releasedCredit
        case setGrade(Grade)
        /// A dispute recorded, or resolved, on an invoice (a row).
        case disputed(invoice: Int32)
        case resolved(invoice: Int32)
        /// A promise to pay an amount (in minor units) by a day, for one invoice or (nil) all
        /// the customer's.
        case promised(invoice: Int32?, amount: Int64, by: Day)
        case tagged(String)
        case untagged(String)
        /// An instalment plan offered: `count` instalments of the total, one every `every`,
        /// the first one `every` after the day offered.
        case planOffered(invoices: [Int32], total: Int64, count: Int, every: Duration)
    }

    /// One action on one customer (a row of the workspace), on the as-of date it was applied.
    public struct Event: Sendable, Equatable {
        public var customer: Int32
        public var day: Day
        public var kind: Kind

        public init(customer: Int32, day: Day, kind: Kind) {
            self.customer = customer
            self.day = day
            self.kind = kind
        }
    }

    /// One entry of the journal, as the `actions` entity shows it.
    public struct Record: Sendable {
        public var id: Int64
        /// The wall-clock time it was recorded.
        public var at: String
        public var who: String
        /// The as-of date of the run that applied it.
        public var day: Day
        public var policy: String
        public var rule: String
        public var action: ActionKind
        /// The customer's row; nil for a customer no longer in the export.
        public var customer: Int32?
        public var customerID: String
        public var invoices: [String]
        public var channel: String?
        public var template: String?
        public var amount: Money?
        public var detail: String?
        public var status: EntryStatus

        public init(
            id: Int64, at: String, who: String, day: Day, policy: String, rule: String, action: ActionKind, customer: Int32?,
            customerID: String, invoices: [String], channel: String?, template: String?, amount: Money?, detail: String?,
            status: EntryStatus
        ) {
            (self.id, self.at, self.who, self.day, self.policy, self.rule, self.action) = (id, at, who, day, policy, rule, action)
            (self.customer, self.customerID, self.invoices, self.channel) = (customer, customerID, invoices, channel)
            (self.template, self.amount, self.detail, self.status) = (template, amount, detail, status)
        }
    }

    public var events: [Event]
    /// Every entry, in the order recorded.
    public var records: [Record]
    /// The people to write to at each customer (contacts.csv): who the team deals with.
    public var contacts: [Contact]

    public init(_ events: [Event] = [], records: [Record] = [], contacts: [Contact] = []) {
        self.events = events
        self.records = records
        self.contacts = contacts
    }

    /// Disputes recorded or resolved in the journal, as of `asOf`: per invoice, the last word
    /// (true: disputed, false: resolved), over what the file says; nil where it says nothing.
    func disputes(invoices: Int, asOf: Day) -> [Int32: Bool] {
        var last: [Int32: (day: Day, disputed: Bool)] = [:]
        for e in events where e.day <= asOf {
            let (invoice, disputed): (Int32, Bool)
            switch e.kind {
            case .disputed(let i): (invoice, disputed) = (i, true)
            case .resolved(let i): (invoice, disputed) = (i, false)
            default: continue
            }
            guard invoice >= 0, Int(invoice) < invoices else { continue }
            if let l = last[invoice], l.day > e.day { continue }
            last[invoice] = (e.day, disputed)
        }
        return last.mapValues(\.disputed)
    }

    /// A promise as of a date: what has been paid toward it, and whether it was kept.
    public struct Promise: Sendable {
        public var customer: Int32
        public var invoice: Int32?
        public var amount: Int64
        public var madeOn: Day
        public var by: Day
        /// Paid on the invoice (or by the customer, for a promise on all its invoices) from
        /// the day made to the day promised, as far as the as-of date.
        public var paid: Int64
        public var kept: Bool { paid >= amount }

        /// Made by `day` and not past the day promised: what pauses reminders. A promise not
        /// kept by its day is broken, and reminders resume.
        public func unexpired(on day: Day) -> Bool { madeOn <= day && day <= by }
    }

    /// The promises made as of `asOf`; `paid(customer, invoice, from, to)` adds up payments.
    func promises(asOf: Day, paid: (Int32, Int32?, Day, Day) -> Int64) -> [Promise] {
        events.compactMap { e in
            guard case .promised(let invoice, let amount, let by) = e.kind, e.day <= asOf else { return nil }
            let p = paid(e.customer, invoice, e.day, min(by, asOf))
            return Promise(customer: e.customer, invoice: invoice, amount: amount, madeOn: e.day, by: by, paid: p)
        }
    }

    /// An instalment plan as of a date: its instalments, what was paid toward it, and whether
    /// it is being kept.
    public struct Plan: Sendable {
        public var customer: Int32
        public var invoices: [Int32]
        public var offered: Day
        /// Each instalment's day and amount: the total in equal parts, the last one taking
        /// what division leaves over.
        public var instalments: [(due: Day, amount: Int64)]
        /// Paid on its invoices since the day it was offered, as far as the as-of date.
        public var paid: Int64
        /// Not yet past its last instalment, and paid at least the instalments fallen due.
        public var kept: Bool

        /// What is still owed of instalment `k`: paid amounts go to the earliest instalments first.
        public func owed(_ k: Int) -> Int64 {
            let before = instalments[..<k].reduce(Int64(0)) { $0 &+ $1.amount }
            return max(0, min(instalments[k].amount, before &+ instalments[k].amount &- paid))
        }
    }

    /// The instalment plans offered as of `asOf`, in the order offered. `paid(invoices, since)`
    /// adds up the payments on those invoices after the day offered.
    func plans(asOf: Day, paid: (Set<Int32>, Day) -> Int64) -> [Plan] {
        events.compactMap { e -> Plan? in
            guard e.day <= asOf, case .planOffered(let invoices, let total, let count, let every) = e.kind, count > 0 else {
                return nil
            }
            let part = total / Int64(count)
            let instalments: [(due: Day, amount: Int64)] = (1...count).compactMap { i in
                let due: Day?
                switch every {
                case .days(let n): due = e.day.adding(days: n * Int64(i))
                case .months(let n): due = e.day.adding(months: n * Int64(i))
                }
                return due.map { ($0, i == count ? total - part * Int64(count - 1) : part) }
            }
            let paid = paid(Set(invoices), e.day)
            let fallen = instalments.filter { $0.due <= asOf }.reduce(Int64(0)) { $0 &+ $1.amount }
            let kept = asOf <= (instalments.last?.due ?? e.day) && paid >= fallen
            return Plan(
                customer: e.customer, invoices: invoices, offered: e.day, instalments: instalments, paid: paid, kept: kept)
        }
    }

    /// Each customer's tags as of `asOf`, in the order first given; untagging removes one.
    func tags(customers: Int, asOf: Day) -> [Int32: [String]] {
        var tags: [Int32: [String]] = [:]
        for e in events where e.day <= asOf && e.customer >= 0 && Int(e.customer) < customers {
            switch e.kind {
            case .tagged(let t) where !(tags[e.customer] ?? []).contains(t): tags[e.customer, default: []].append(t)
            case .untagged(let t): tags[e.customer]?.removeAll { $0 == t }
            default: continue
            }
        }
        return tags
    }

    /// What the journal says of customers as of a date, for the customers it names only: the
    /// latest reminder, whether credit is on hold, and the grade set last.
    struct Replay: Sendable {
        var lastReminder: [Int32: Day] = [:]
        var onHold: Set<Int32> = []
        var grade: [Int32: Grade] = [:]
    }

    /// What the events up to `asOf` leave on the first `customers` customers. Later events
    /// are not there yet, as of that day; of two events on one day, the one recorded later wins.
    func replayed(customers: Int, asOf: Day) -> Replay {
        var replay = Replay()
        var holdDay: [Int32: Day] = [:]
        var gradeDay: [Int32: Day] = [:]
        for e in events where e.day <= asOf && Int(e.customer) < customers && e.customer >= 0 {
            let c = e.customer
            switch e.kind {
            case .reminded:
                if let d = replay.lastReminder[c], d >= e.day {} else { replay.lastReminder[c] = e.day }
            case .heldCredit, .releasedCredit:
                if let d = holdDay[c], d > e.day { continue }
                holdDay[c] = e.day
                if e.kind == .heldCredit { replay.onHold.insert(c) } else { replay.onHold.remove(c) }
            case .setGrade(let g):
                if let d = gradeDay[c], d > e.day { continue }
                gradeDay[c] = e.day
                replay.grade[c] = g
            case .disputed, .resolved, .promised, .tagged, .untagged, .planOffered:
                continue
            }
        }
        return replay
    }
}
