// Apply: a plan committed to the workspace journal, each action once; and the journal read
// back at load, so that what was applied shows in the derived fields and in cooldowns.

import DunCore
import DunModel
import Foundation

extension Session {
    /// The journal entry that records a planned action. Its key is the action itself on its
    /// as-of date: the same run applied again finds its actions journaled and adds nothing.
    func entry(_ a: PlannedAction, who: String, at: String) -> Journal.Entry {
        let customer = snapshot.workspace.customers.id[Int(a.customer)]
        let invoices = a.invoices.map { snapshot.workspace.invoices.id[Int($0)] }
        let parts = [
            snapshot.asOf.description, a.policy, a.rule, a.action.rawValue, customer, invoices.joined(separator: ","),
            a.channel ?? "", a.template ?? "", a.detail ?? "",
        ]
        // JSON, so that no text inside a part can make two different actions one key.
        let key = JSONList.encode(parts, escapingSlashes: true)
        return Journal.Entry(
            who: who, at: at, asOf: snapshot.asOf, policy: a.policy, rule: a.rule, action: a.action, customer: customer,
            invoices: invoices, channel: a.channel, template: a.template,
            amount: a.amount, detail: a.detail, status: a.action.initialStatus,
            key: key)
    }

    /// The workspace's journal; nil when it has none yet (or the session no folder).
    public func journal() throws(Diagnostics) -> Journal? {
        guard let directory else { return nil }
        return try Journal.openIfPresent(workspace: directory)
    }

    /// Commits `plan` to the journal of the workspace, in one transaction: actions journaled
    /// by an earlier apply of the same run are left out. The entries added, and how many
    /// were there already.
    public func apply(_ plan: [PlannedAction], who: String, at: String) throws(Diagnostics) -> (
        added: [Journal.Entry], already: Int
    ) {
        guard let directory else {
            throw Diagnostics([Diagnostic(.error, "this session has no workspace folder to keep a journal in")])
        }
        let journal = try Journal.open(workspace: directory)
        // In a journal several folders share, a reminder is delivered by the outbox of the
        // folder that applied it, not by each one's: a letter is written once, in one place.
        let outbox = journal.isShared ? try Outbox.name(of: directory) : nil
        // On every core: a first night makes tens of thousands.
        let entries = concurrentMap(plan.count, parts: ProcessInfo.processInfo.activeProcessorCount, minimum: 1024) {
            var e = entry(plan[$0], who: who, at: at)
            if e.action == .remind { e.outbox = outbox }
            return e
        }
        let added = try journal.commit(entries)
        return (added, entries.count - added.count)
    }

    /// What the workspace in `directory` records beside its three files — promises.csv,
    /// disputes.csv, contacts.csv and the journal — as the snapshot and the planner use it:
    /// the events that derived fields replay, the people to write to, and the actions
    /// cooldowns see.
    /// Entries for customers not in the export are kept (the `actions` entity shows them) but
    /// bear on no one; a warning names them.
    static func history(of directory: String, _ workspace: Workspace) throws(Diagnostics) -> (History, [PastAction], [Diagnostic])
    {
        // promises.csv and disputes.csv first: what the journal records came after.
        var events = try History.events(in: directory, of: workspace)
        let contacts = try Contact.read(in: directory, of: workspace)
        guard let journal = try Journal.openIfPresent(workspace: directory) else {
            return (History(events, contacts: contacts), [], [])
        }
        var records: [History.Record] = []
        var past: [PastAction] = []
        var strangers: [Int64] = []
        for e in try journal.entries() {
            let row = workspace.customers.id.row(of: e.customer)
            if row == nil { strangers.append(e.id) }
            records.append(
                History.Record(
                    id: e.id, at: e.at, who: e.who, day: e.asOf, policy: e.policy, rule: e.rule, action: e.action, customer: row,
                    customerID: e.customer, invoices: e.invoices, channel: e.channel, template: e.template,
                    amount: e.amount, detail: e.detail, status: e.status))
            // An entry for a customer no longer in the export bears on no one.
            guard let c = row else { continue }
            past.append(PastAction(policy: e.policy, action: e.action, channel: e.channel, customer: c, day: e.asOf))
            switch e.action {
            case .remind where e.status != .failed: events.append(History.Event(customer: c, day: e.asOf, kind: .reminded))
            case .holdCredit: events.append(History.Event(customer: c, day: e.asOf, kind: .heldCredit))
            case .releaseCredit: events.append(History.Event(customer: c, day: e.asOf, kind: .releasedCredit))
            case .setGrade:
                if let g = e.detail.flatMap({ Grade(letter: $0) }) {
                    events.append(History.Event(customer: c, day: e.asOf, kind: .setGrade(g)))
                }
            case .dispute, .resolveDispute:
                for i in e.invoices.compactMap({ workspace.invoices.id.row(of: $0) }) {
                    let kind: History.Kind = e.action == .dispute ? .disputed(invoice: i) : .resolved(invoice: i)
                    events.append(History.Event(customer: c, day: e.asOf, kind: kind))
                }
            case .offerPlan:
                // "3 installments every 1 month": the count, and the interval (a month unless said).
                let words = (e.detail ?? "").split(separator: " ")
                if let count = words.first.flatMap({ Int($0) }), let total = e.amount {
                    var every = Duration.months(1)
                    if words.count == 5, let n = Int64(words[3]), let unit = Duration.unit(words[4]) {
                        every = unit.days.map { .days($0 * n) } ?? .months((unit.months ?? 1) * n)
                    }
                    let invoices = e.invoices.compactMap { workspace.invoices.id.row(of: $0) }
                    events.append(
                        History.Event(
                            customer: c, day: e.asOf,
                            kind: .planOffered(invoices: invoices, total: total.minor, count: count, every: every)))
                }
            case .tag, .untag:
                if let t = e.detail {
                    events.append(History.Event(customer: c, day: e.asOf, kind: e.action == .tag ? .tagged(t) : .untagged(t)))
                }
            case .promise:
                if let by = e.detail.flatMap({ Day(iso: $0) }), let amount = e.amount {
                    let invoice = e.invoices.first.flatMap { workspace.invoices.id.row(of: $0) }
                    events.append(
                        History.Event(customer: c, day: e.asOf, kind: .promised(invoice: invoice, amount: amount.minor, by: by)))
                }
            default: break
            }
        }
        var warnings: [Diagnostic] = []
        if !strangers.isEmpty {
            let some = strangers.prefix(10).map(String.init).joined(separator: ", ") + (strangers.count > 10 ? ", …" : "")
            warnings.append(
                Diagnostic(
                    .warning,
                    "\(strangers.count) journal entr\(strangers.count == 1 ? "y is" : "ies are") about customers not in customers.csv (\(some)); replayed on no one",
                    file: journal.path, hint: "`dun journal --check` says whether the journal is damaged"))
        }
        return (History(events, records: records, contacts: contacts), past, warnings)
    }
}
