// Outbox: the journal's reminders rendered into the workspace's `outbox/` and, when dun.toml
// names a sendmail-style command, delivered through it.
//
// The journal says `queued` before a message is handed to the command and `sent` (or `failed`,
// with what the command said) after. A crash in between leaves it `queued`, and the next apply
// hands it over again; nothing `sent` is handed over twice. Delivery is at least once: a crash
// after the command took a message but before `sent` was recorded sends it again, with the
// same Message-ID, by which mail programs recognise a duplicate.

import DunCore
import DunModel
import Foundation

public enum Outbox {
    /// What one delivery did.
    public struct Summary: Sendable {
        /// Files written to outbox/ (reminders not yet there, or rewritten to send).
        public var written = 0
        public var sent = 0
        public var failed = 0
        /// One line per failed reminder: the customer and why.
        public var failures: [String] = []
        /// Problems with dun.toml, contacts.csv or a template: nothing of the kind was delivered.
        public var diagnostics: [Diagnostic] = []
        /// Whether dun.toml names a delivery command.
        public var delivers = false

        /// What to say on standard error, one line each; nothing when nothing happened.
        public var report: String {
            var lines: [String] = []
            if delivers && sent + failed > 0 {
                lines.append(failed == 0 ? "sent \(sent) message\(sent == 1 ? "" : "s")" : "sent \(sent), failed \(failed) (retried on the next apply)")
            } else if written > 0 {
                lines.append("wrote \(written) message\(written == 1 ? "" : "s") to outbox/")
            }
            if failed > 0 && !delivers {
                lines.append("failed \(failed) (retried on the next apply)")
            }
            lines += failures.map { "  \($0)" }
            return lines.map { $0 + "\n" }.joined()
        }

        public var succeeded: Bool { failed == 0 && !diagnostics.contains { $0.severity == .error } }
    }

    /// How long a delivery command may take over one message before it is stopped.
    public static let defaultTimeout: Swift.Duration = .seconds(60)

    /// What a delivery needs from the workspace — dun.toml, contacts.csv, the templates — read
    /// and checked before an apply writes anything: a bad setting stops the run with nothing
    /// journaled, instead of after the journal says the plan was applied.
    public struct Setup: Sendable {
        let settings: OutboxSettings
        let contacts: Contacts
    }

    /// Reads and checks what delivering `plan`'s reminders (and those still queued) will need:
    /// dun.toml and contacts.csv parse; for e-mails, a sender address that is one, and a
    /// delivery command that can be run; each template a reminder of the plan uses, in the
    /// language of its customer, parses.
    public static func setup(for plan: [PlannedAction], session: Session) throws(Diagnostics) -> Setup {
        guard let directory = session.directory else { return Setup(settings: OutboxSettings(), contacts: Contacts()) }
        let settings = try OutboxSettings.load(workspace: directory)
        let contacts = try Contacts.load(workspace: directory)
        var problems: [Diagnostic] = []
        let reminders = plan.filter { $0.action == .remind }
        if reminders.contains(where: { ($0.channel ?? "email") == "email" }) {
            if let sender = settings.senderEmail {
                if Mailbox(name: nil, address: sender) == nil {
                    problems.append(
                        Diagnostic(.error, "the sender's e-mail \(excerpt(Header.oneLine(sender))) is not an e-mail address", file: "dun.toml"))
                }
            } else {
                problems.append(Outbox.noSender)
            }
            if let command = settings.command, let name = command.first, !DeliveryCommand.canRun(name) {
                problems.append(
                    Diagnostic(
                        .error, "the delivery command \(excerpt(name)) is not a program that can be run", file: "dun.toml",
                        hint: "name the program with its folder (/usr/sbin/sendmail), or one in PATH"))
            }
        }
        var templates = Templates(directory: directory)
        let customers = session.snapshot.workspace.customers
        var seen: Set<String> = []
        for r in reminders {
            let row = Int(r.customer)
            let language = Templates.language(customer: customers.language[row], workspace: settings.language, region: customers.region[row])
            let name = r.template ?? "gentle"
            guard seen.insert("\(name).\(language)").inserted else { continue }
            do throws(Diagnostic) {
                _ = try templates.template(name, language: language)
            } catch where !problems.contains(error) {
                problems.append(error)
            } catch {}
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return Setup(settings: settings, contacts: contacts)
    }

    static let noSender = Diagnostic(
        .error, "no sender e-mail address to send reminders from", file: "dun.toml",
        hint: "add `email = \"ar@example.com\"` under `[sender]` in dun.toml")

    /// Renders every reminder the journal has `queued` or `failed` into `outbox/` and delivers
    /// the e-mails through dun.toml's command, if it names one. Letters and SMS are written as
    /// text files and stay `queued` for a person to send.
    public static func deliver(session: Session, setup: Setup, timeout: Swift.Duration = defaultTimeout) -> Summary {
        var summary = Summary()
        guard let directory = session.directory else { return summary }
        do throws(Diagnostics) {
            let journal = try Journal.open(workspace: directory)
            summary.delivers = setup.settings.command != nil
            // One delivery at a time per workspace (two applies at once): the lock goes with the process.
            let lock = open(directory + "/.dun/outbox.lock", O_CREAT | O_RDWR, 0o644)
            defer { if lock >= 0 { close(lock) } }
            if lock >= 0 { flock(lock, LOCK_EX) }
            var delivery = Delivery(
                session: session, directory: directory, settings: setup.settings, contacts: setup.contacts, journal: journal,
                timeout: timeout)
            try delivery.run(&summary)
        } catch {
            summary.diagnostics += error.all
        }
        return summary
    }
}

/// One delivery's state: the templates read so far, and the entries to do.
private struct Delivery {
    let session: Session
    let directory: String
    let settings: OutboxSettings
    let contacts: Contacts
    let journal: Journal
    let timeout: Swift.Duration
    var templates: Templates

    init(
        session: Session, directory: String, settings: OutboxSettings, contacts: Contacts, journal: Journal,
        timeout: Swift.Duration
    ) {
        self.session = session
        self.directory = directory
        self.settings = settings
        self.contacts = contacts
        self.journal = journal
        self.timeout = timeout
        templates = Templates(directory: directory)
    }

    /// A reminder that cannot be written or sent, said in the journal's detail.
    struct Failure: Error {
        var detail: String
    }

    mutating func run(_ summary: inout Summary) throws(Diagnostics) {
        let entries = (try journal.entries(status: .queued) + journal.entries(status: .failed))
            .filter { $0.action == .remind }
            .sorted { $0.id < $1.id }
        guard !entries.isEmpty else { return }
        let outbox = URL(fileURLWithPath: directory).appendingPathComponent("outbox")
        do {
            try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)
        } catch {
            throw Diagnostics([Diagnostic(.error, "cannot create the outbox folder: \(error.localizedDescription)", file: "outbox/")])
        }
        var missingSender = false
        var reported: Set<String> = []
        for entry in entries {
            let email = (entry.channel ?? "email") == "email"
            if email && settings.senderEmail == nil {
                missingSender = true
                continue
            }
            do throws(Failure) {
                let (text, messageID) = try render(entry)
                let file = outbox.appendingPathComponent(Delivery.fileName(entry))
                let exists = FileManager.default.fileExists(atPath: file.path)
                // Without a command, a message already in the outbox is left as it is.
                if !exists || (email && settings.command != nil) {
                    try write(Data(text.utf8), to: file)
                    if !exists { summary.written += 1 }
                }
                // Now in the outbox: queued, with its Message-ID, before it is handed over.
                try journaled { () throws(Diagnostics) in
                    try journal.update(id: entry.id, status: .queued, detail: nil, messageID: messageID)
                }
                guard email, let command = settings.command else { continue }
                if let problem = DeliveryCommand.hand(Data(text.utf8), to: command, timeout: timeout) {
                    throw Failure(detail: problem)
                }
                try journaled { () throws(Diagnostics) in try journal.update(id: entry.id, status: .sent, detail: nil) }
                summary.sent += 1
            } catch {
                summary.failed += 1
                summary.failures.append("\(entry.customer) (entry \(entry.id)): \(error.detail)")
                if (try? journal.update(id: entry.id, status: .failed, detail: error.detail)) == nil,
                    reported.insert("journal").inserted
                {
                    summary.diagnostics.append(Diagnostic(.error, "cannot record a failed delivery", file: journal.path))
                }
            }
        }
        if missingSender {
            var d = Outbox.noSender
            d.message += "; the e-mails stay queued"
            summary.diagnostics.append(d)
        }
    }

    /// A journal error, as a failure of this one reminder.
    private func journaled(_ body: () throws(Diagnostics) -> Void) throws(Failure) {
        do {
            try body()
        } catch {
            throw Failure(detail: error.all.first?.message ?? "the journal cannot be updated")
        }
    }

    /// `outbox/000042-C4.eml` (or `.txt` for a letter or an SMS): in journal order, one per entry.
    static func fileName(_ entry: Journal.Entry) -> String {
        let id = String(entry.id)
        let customer = String(entry.customer.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        let suffix = (entry.channel ?? "email") == "email" ? "eml" : "txt"
        return String(repeating: "0", count: max(0, 6 - id.count)) + id + "-" + customer + "." + suffix
    }

    /// The message's text and its Message-ID (nil for a letter or SMS).
    private mutating func render(_ entry: Journal.Entry) throws(Failure) -> (String, String?) {
        let snapshot = session.snapshot
        let customers = snapshot.workspace.customers
        guard let c = customers.id.row(of: entry.customer) else {
            throw Failure(detail: "customer \(entry.customer) is not in customers.csv")
        }
        let row = Int(c)
        let language = Templates.language(customer: customers.language[row], workspace: settings.language, region: customers.region[row])
        let name = entry.template ?? "gentle"
        let template: MessageTemplate
        do {
            template = try templates.template(name, language: language)
        } catch {
            throw Failure(detail: (error.file.map { "\($0): " } ?? "") + error.message)
        }
        let channel = entry.channel ?? "email"
        let (subject, body) = template.render(context(entry, customer: c, channel: channel))
        guard channel == "email" else {
            var head = "Channel: \(channel)\nTo: \(Header.oneLine(customers.name[row]))\n"
            if channel == "sms", let phone = customers.phone.value(row) { head += "Phone: \(Header.oneLine(phone))\n" }
            return (head + "Subject: \(Header.oneLine(subject))\n\n" + body, nil)
        }
        let sender = settings.senderEmail ?? ""
        guard let from = Mailbox(name: settings.senderName ?? settings.company, address: sender) else {
            throw Failure(detail: "dun.toml: the sender's e-mail '\(Header.oneLine(sender))' is not an e-mail address")
        }
        let (to, cc) = try recipients(entry.customer, row: row)
        let messageID = Header.messageID(entry: entry.id, key: entry.key, sender: sender)
        let date = Header.date(entry.at) ?? Header.date("\(entry.asOf)T00:00:00Z") ?? entry.at
        let message = EmailMessage(from: from, to: to, cc: cc, subject: subject, date: date, messageID: messageID, body: body)
        return (message.rendered, messageID)
    }

    /// contacts.csv's billing contacts (To) and the others (Cc); else the customer's own e-mail.
    private func recipients(_ customer: String, row: Int) throws(Failure) -> (to: [Mailbox], cc: [Mailbox]) {
        let people = contacts.byCustomer[customer] ?? []
        if people.contains(where: { $0.role == "billing" }) {
            var to: [Mailbox] = []
            var cc: [Mailbox] = []
            for p in people where !p.email.isEmpty {
                guard let box = Mailbox(name: p.name, address: p.email) else {
                    throw Failure(detail: "contacts.csv:\(p.line): '\(Header.oneLine(p.email))' is not an e-mail address")
                }
                if p.role == "billing" { to.append(box) } else { cc.append(box) }
            }
            if !to.isEmpty { return (to, cc) }
        }
        let customers = session.snapshot.workspace.customers
        guard let address = customers.email.value(row), !address.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Failure(detail: "no e-mail address for customer \(customer) (customers.csv email, or a billing contact in contacts.csv)")
        }
        guard let box = Mailbox(name: customers.name[row], address: address) else {
            throw Failure(detail: "customers.csv: '\(Header.oneLine(address))' of customer \(customer) is not an e-mail address")
        }
        return ([box], [])
    }

    /// What a template sees.
    private func context(_ entry: Journal.Entry, customer c: Int32, channel: String) -> [String: Any] {
        let snapshot = session.snapshot
        let workspace = snapshot.workspace
        let currency = workspace.customers.currency[Int(c)]
        func money(_ minor: Int64) -> String { "\(Money(minor: minor, currency: currency).formatted(grouped: true)) \(currency.code)" }
        var total: Int64 = 0
        var invoices: [[String: Any]] = []
        for id in entry.invoices {
            guard let i = workspace.invoices.id.row(of: id) else { continue }
            let balance = snapshot.invoiceBalance(i)
            total += balance
            invoices.append([
                "id": id, "issued": workspace.invoices.issued[Int(i)].description, "due": workspace.invoices.due[Int(i)].description,
                "balance": money(balance), "days_overdue": snapshot.daysOverdue(i),
            ])
        }
        return [
            "customer": ["id": entry.customer, "name": workspace.customers.name[Int(c)]],
            "company": settings.company ?? "", "sender": settings.senderName ?? settings.company ?? "",
            "as_of": snapshot.asOf.description, "total": money(total), "invoices": invoices, "channel": channel,
            channel: true,
        ]
    }

    /// Written whole or not at all: a temporary file renamed into place.
    private func write(_ data: Data, to file: URL) throws(Failure) {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary)
            guard rename(temporary.path, file.path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw Failure(detail: "cannot write outbox/\(file.lastPathComponent): \(reason)")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(detail: "cannot write outbox/\(file.lastPathComponent): \(error.localizedDescription)")
        }
    }
}

private typealias Summary = Outbox.Summary
