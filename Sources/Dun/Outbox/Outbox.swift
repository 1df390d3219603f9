// Outbox: the journal's reminders rendered into the workspace's `outbox/` and, when dun.toml
// names a sendmail-style command, delivered through it.
//
// The journal says `queued` before a message is handed to the command and `sent` (or `failed`,
// with what the command said) after. A crash in between leaves it `queued`, and the next apply
// hands it over again; nothing `sent` is handed over twice. Delivery is at least once: a crash
// after the command took a message but before `sent` was recorded sends it again, with the
// same Message-ID, by which mail programs recognise a duplicate.

import CSystem
import DunCore
import DunLanguage
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
                lines.append(
                    failed == 0
                        ? "sent \(sent) message\(sent == 1 ? "" : "s")"
                        : "sent \(sent), failed \(failed) (retried on the next apply)")
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

    /// What a delivery needs from the workspace — dun.toml, the templates — read
    /// and checked before an apply writes anything: a bad setting stops the run with nothing
    /// journaled, instead of after the journal says the plan was applied.
    public struct Setup: Sendable {
        let settings: WorkspaceSettings
    }

    /// Reads and checks what delivering `plan`'s reminders (and those still queued) will need:
    /// dun.toml parses (contacts.csv was read with the workspace); for e-mails, a sender address that is one, and a
    /// delivery command that can be run; each template a reminder of the plan uses, in the
    /// language of its customer, parses.
    public static func setup(for plan: [PlannedAction], session: Session) throws(Diagnostics) -> Setup {
        guard let directory = session.directory else { return Setup(settings: WorkspaceSettings()) }
        let settings = session.settings
        var problems: [Diagnostic] = []
        let reminders = plan.filter { $0.action == .remind }
        if reminders.contains(where: { ($0.channel ?? "email") == "email" }) {
            if let sender = settings.senderEmail {
                if Mailbox(name: nil, address: sender) == nil {
                    problems.append(
                        Diagnostic(
                            .error, "the sender's e-mail \(excerpt(Header.oneLine(sender))) is not an e-mail address",
                            file: "dun.toml"))
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
            let language = Templates.language(
                customer: customers.language[row], workspace: settings.language, region: customers.region[row])
            let name = r.template ?? "gentle"
            guard seen.insert("\(name).\(language)").inserted else { continue }
            do throws(Diagnostic) {
                _ = try templates.template(name, language: language)
            } catch  where !problems.contains(error) {
                problems.append(error)
            } catch {}
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return Setup(settings: settings)
    }

    /// The name of the outbox of the workspace in `directory`, by which a journal shared by
    /// several folders says which one delivers a reminder: the machine's name and the
    /// outbox's path when it was first named (`ar-server:/srv/acme/outbox`), kept in
    /// `.dun/outbox-name` so that it stays the same when the folder moves.
    public static func name(of directory: String) throws(Diagnostics) -> String {
        let file = directory + "/.dun/outbox-name"
        func read() -> String? {
            (try? String(contentsOfFile: file, encoding: .utf8)).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .flatMap { $0.isEmpty ? nil : $0 }
        }
        if let name = read() { return name }
        let path = URL(fileURLWithPath: directory).standardizedFileURL.appendingPathComponent("outbox").path
        let name = ProcessInfo.processInfo.hostName + ":" + path
        // Written whole and made durable under another name, then linked into place unless
        // another apply named it first: both then use the one in place. One left empty (a
        // crash, a hand) is replaced: the name is the same one, made from the same place.
        let temporary = file + "-\(UUID().uuidString).new"
        defer { unlink(temporary) }
        do {
            try FileManager.default.createDirectory(atPath: directory + "/.dun", withIntermediateDirectories: true)
            try Data((name + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw Diagnostics([Diagnostic(.error, "cannot name the outbox: \(error.localizedDescription)", file: file)])
        }
        Delivery.sync([temporary])
        func failed(_ code: Int32) -> Diagnostics {
            Diagnostics([Diagnostic(.error, "cannot name the outbox: \(String(cString: strerror(code)))", file: file)])
        }
        if link(temporary, file) != 0 {
            let code = errno
            guard code == EEXIST else { throw failed(code) }
            if read() == nil && rename(temporary, file) != 0 { throw failed(errno) }
        }
        guard let named = read() else {
            throw Diagnostics([Diagnostic(.error, "cannot name the outbox: the file is unreadable", file: file)])
        }
        return named
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
            // And one at a time on every machine that shares the journal.
            try journal.holdDelivery()
            var delivery = Delivery(
                session: session, directory: directory, settings: setup.settings, journal: journal,
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
    let settings: WorkspaceSettings
    let journal: Journal
    let timeout: Swift.Duration
    var templates: Templates
    /// The customers' statements of account the templates asked for.
    let statements = Statements()
    /// dun.toml's sender; nil when it has no e-mail address that is one.
    let from: Mailbox?

    init(
        session: Session, directory: String, settings: WorkspaceSettings, journal: Journal,
        timeout: Swift.Duration
    ) {
        self.session = session
        self.directory = directory
        self.settings = settings
        self.journal = journal
        self.timeout = timeout
        templates = Templates(directory: directory)
        from = Mailbox(name: settings.senderName ?? settings.company, address: settings.senderEmail ?? "")
    }

    /// A reminder that cannot be written or sent, said in the journal's detail.
    struct Failure: Error {
        var detail: String
    }

    /// A message rendered, on its way to the outbox and the delivery command.
    private struct Pending {
        var entry: Journal.Entry
        var text: String
        var messageID: String?
        /// Its file's name in the outbox, and its path.
        var name: String
        var file: String
        /// Whether the file is written (else the outbox keeps the one it has).
        var write: Bool
        /// The temporary file it was written to, to be renamed into place; nil when the outbox
        /// keeps the file it has.
        var temporary: String?
        /// Why the temporary file could not be written (an errno), told on the thread that
        /// reports it: strerror's text may be the calling thread's buffer.
        var unwritten: Int32?
        /// Whether it is a file the outbox did not have.
        var new: Bool
    }

    /// In three steps, so that a night's thousands of reminders cost a few disk syncs rather
    /// than a few each: every message rendered and written to a temporary file; the files made
    /// durable and renamed into place, then one transaction records them all `queued` with
    /// their Message-IDs (or `failed`); then, with a command, each handed over and recorded
    /// `sent` on its own, so that a crash can leave only the one message being handed over
    /// sent but not recorded.
    mutating func run(_ summary: inout Summary) throws(Diagnostics) {
        // A shared journal's reminders applied in another folder are its outbox's to deliver.
        let mine = journal.isShared ? try Outbox.name(of: directory) : nil
        let waiting = try journal.waitingReminders().filter { $0.outbox == nil || $0.outbox == mine }
        guard !waiting.isEmpty else { return }
        let outbox = directory + "/outbox"
        let existing: Set<String>
        do {
            try FileManager.default.createDirectory(atPath: outbox, withIntermediateDirectories: true)
            existing = Set(try FileManager.default.contentsOfDirectory(atPath: outbox))
        } catch {
            throw Diagnostics([
                Diagnostic(.error, "cannot create the outbox folder: \(error.localizedDescription)", file: "outbox/")
            ])
        }
        // In the outbox already, with nothing to hand it to: a person sends it from there. Only
        // the others are read whole.
        let entries = try journal.entries(
            ids: waiting.filter { w in
                let email = (w.channel ?? "email") == "email"
                let exists = existing.contains(Delivery.fileName(id: w.id, customer: w.customer, channel: w.channel))
                return !(exists && w.status == .queued && (!email || (settings.command == nil && w.hasMessageID)))
            }.map(\.id))
        var missingSender = false
        var pending: [Pending] = []
        var changes: [Journal.StatusChange] = []
        func fail(_ entry: Journal.Entry, _ detail: String) {
            summary.failed += 1
            summary.failures.append("\(entry.customer) (entry \(entry.id)): \(detail)")
            changes.append(Journal.StatusChange(entry, status: .failed, detail: detail))
        }
        // What to render, with its template: each read once per name and language.
        var jobs: [(entry: Journal.Entry, job: Result<Job, Failure>)] = []
        for entry in entries {
            let email = (entry.channel ?? "email") == "email"
            if email && settings.senderEmail == nil {
                missingSender = true
                continue
            }
            let name = Delivery.fileName(id: entry.id, customer: entry.customer, channel: entry.channel)
            let exists = existing.contains(name)
            // Without a command, a message already in the outbox is left as it is.
            let write = !exists || (email && settings.command != nil)
            let job = Result { () throws(Failure) -> Job in
                let (template, customer) = try template(for: entry)
                return Job(entry: entry, name: name, template: template, customer: customer, write: write, new: !exists)
            }
            jobs.append((entry, job))
        }
        // Rendered and written to their temporary files on every core: most of the work of a
        // night's thousands, the rendering of one overlapping the file system's work for another.
        let rendered = concurrentMap(jobs.count, parts: ProcessInfo.processInfo.activeProcessorCount, minimum: 64) { i in
            jobs[i].job.flatMap { job in
                Result { () throws(Failure) -> Pending in
                    var message = try render(job, in: outbox)
                    if message.write {
                        switch Delivery.writeTemporary(Data(message.text.utf8), in: outbox, name: message.name) {
                        case .success(let path): message.temporary = path
                        case .failure(let problem): message.unwritten = problem.code
                        }
                    }
                    return message
                }
            }
        }
        for (entry, result) in zip(jobs.map(\.entry), rendered) {
            switch result {
            case .success(let message):
                if let code = message.unwritten {
                    fail(entry, "cannot write outbox/\(message.name): \(String(cString: strerror(code)))")
                } else {
                    pending.append(message)
                }
            case .failure(let error): fail(entry, error.detail)
            }
        }
        // Durable before the journal says they are in the outbox; then put in place.
        Delivery.sync(pending.compactMap(\.temporary))
        var queued: [Pending] = []
        for message in pending {
            if let temporary = message.temporary, rename(temporary, message.file) != 0 {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                fail(message.entry, "cannot write outbox/\(message.name): \(reason)")
                continue
            }
            if message.new { summary.written += 1 }
            changes.append(Journal.StatusChange(message.entry, status: .queued, detail: nil, messageID: message.messageID))
            queued.append(message)
        }
        Delivery.sync([outbox])
        // Nothing is handed over before the journal holds its Message-ID.
        try journal.update(changes)
        if let command = settings.command {
            for message in queued where message.messageID != nil {
                let problem = DeliveryCommand.hand(Data(message.text.utf8), to: command, timeout: timeout)
                do throws(Diagnostics) {
                    if let problem {
                        summary.failed += 1
                        summary.failures.append("\(message.entry.customer) (entry \(message.entry.id)): \(problem)")
                        try journal.update(id: message.entry.id, status: .failed, detail: problem)
                    } else {
                        try journal.update(id: message.entry.id, status: .sent, detail: nil)
                        summary.sent += 1
                    }
                } catch {
                    // Hand over no more: what they did could not be recorded.
                    summary.diagnostics += error.all
                    break
                }
            }
        }
        if missingSender {
            var d = Outbox.noSender
            d.message += "; the e-mails stay queued"
            summary.diagnostics.append(d)
        }
    }

    /// `outbox/000042-C4.eml` (or `.txt` for a letter or an SMS): in journal order, one per entry.
    static func fileName(id: Int64, customer: String, channel: String?) -> String {
        let id = String(id)
        let customer = String(customer.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        let suffix = (channel ?? "email") == "email" ? "eml" : "txt"
        return String(repeating: "0", count: max(0, 6 - id.count)) + id + "-" + customer + "." + suffix
    }

    /// A reminder to render: its entry, its file's name in the outbox, and its template.
    private struct Job {
        var entry: Journal.Entry
        var name: String
        var template: MessageTemplate
        var customer: Int32
        /// Whether the file is written (else the outbox keeps the one it has).
        var write: Bool
        /// Whether the outbox has no file of that name yet.
        var new: Bool
    }

    /// The template of a reminder, in its customer's language; and the customer's row.
    private mutating func template(for entry: Journal.Entry) throws(Failure) -> (MessageTemplate, Int32) {
        let customers = session.snapshot.workspace.customers
        guard let c = customers.id.row(of: entry.customer) else {
            throw Failure(detail: "customer \(entry.customer) is not in customers.csv")
        }
        let row = Int(c)
        let language = Templates.language(
            customer: customers.language[row], workspace: settings.language, region: customers.region[row])
        do {
            return (try templates.template(entry.template ?? "gentle", language: language), c)
        } catch {
            throw Failure(detail: (error.file.map { "\($0): " } ?? "") + error.message)
        }
    }

    /// A job's message.
    private func render(_ job: Job, in outbox: String) throws(Failure) -> Pending {
        let (text, messageID) = try render(job.entry, template: job.template, customer: job.customer)
        return Pending(
            entry: job.entry, text: text, messageID: messageID, name: job.name, file: outbox + "/" + job.name, write: job.write,
            new: job.new && job.write)
    }

    /// The message's text and its Message-ID (nil for a letter or SMS).
    private func render(_ entry: Journal.Entry, template: MessageTemplate, customer c: Int32) throws(Failure) -> (String, String?)
    {
        let customers = session.snapshot.workspace.customers
        let row = Int(c)
        let channel = entry.channel ?? "email"
        let statement = Deferred { [statements, session] in
            switch statements.of(c, id: entry.customer, session: session) {
            case .success(let fields): (fields, nil)
            case .failure(let failure): (nil, failure.detail)
            }
        }
        let (subject, body) = template.render(context(entry, customer: c, channel: channel, statement: statement))
        if let problem = statement.problem { throw Failure(detail: problem) }
        guard channel == "email" else {
            var head = "Channel: \(channel)\nTo: \(Header.oneLine(customers.name[row]))\n"
            if channel == "sms", let phone = customers.phone.value(row) { head += "Phone: \(Header.oneLine(phone))\n" }
            return (head + "Subject: \(Header.oneLine(subject))\n\n" + body, nil)
        }
        let sender = settings.senderEmail ?? ""
        guard let from else {
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
        let people = session.snapshot.contactsOfCustomer.rows(of: Int32(row)).map { session.history.contacts[Int($0)] }
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
        guard let address = customers.email.value(row), !address.trimmingWhitespace().isEmpty else {
            throw Failure(
                detail: "no e-mail address for customer \(customer) (customers.csv email, or a billing contact in contacts.csv)")
        }
        guard let box = Mailbox(name: customers.name[row], address: address) else {
            throw Failure(detail: "customers.csv: '\(Header.oneLine(address))' of customer \(customer) is not an e-mail address")
        }
        return ([box], [])
    }

    /// What a template sees.
    private func context(_ entry: Journal.Entry, customer c: Int32, channel: String, statement: Deferred) -> Fields {
        let snapshot = session.snapshot
        let workspace = snapshot.workspace
        func money(_ m: Money) -> String {
            "\(m.formatted(grouped: true)) \(m.currency.code)"
        }
        /// The invoices as a template lists them, each in its currency; their total in the customer's.
        func listed(_ rows: [Int32]) -> (invoices: [Fields], total: TemplateText) {
            var total = Money(minor: 0, currency: snapshot.currency(ofCustomer: c))
            let invoices = rows.map { i in
                let balance = Money(minor: snapshot.invoiceBalance(i), currency: snapshot.currency(ofInvoice: i))
                total.minor += snapshot.invoiceBalanceInCustomers(i).minor
                return Fields([
                    "id": TemplateText(workspace.invoices.id[Int(i)]),
                    "issued": TemplateText(workspace.invoices.issued[Int(i)].description),
                    "due": TemplateText(workspace.invoices.due[Int(i)].description), "balance": TemplateText(money(balance)),
                    "days_overdue": snapshot.daysOverdue(i),
                ])
            }
            return (invoices, TemplateText(money(total)))
        }
        let reminded = listed(entry.invoices.compactMap { workspace.invoices.id.row(of: $0) })
        // Every invoice and credit note of the customer not settled: a statement's open items.
        let open = listed(snapshot.invoicesOfCustomer.rows(of: c).filter { snapshot.invoiceBalance($0) != 0 })
        return Fields([
            "customer": Fields(["id": TemplateText(entry.customer), "name": TemplateText(workspace.customers.name[Int(c)])]),
            "company": TemplateText(settings.company ?? ""),
            "sender": TemplateText(settings.senderName ?? settings.company ?? ""),
            "as_of": TemplateText(snapshot.asOf.description), "total": reminded.total, "invoices": reminded.invoices,
            "open": open.invoices, "open_total": open.total, "channel": TemplateText(channel), "statement": statement,
            channel: true,
        ])
    }

    /// Each customer's statement of account (`statement.of` of the standard library), made on
    /// the session once per customer and one at a time: messages are rendered on every core.
    final class Statements: @unchecked Sendable {
        private let lock = NSLock()
        private var made: [Int32: Result<Fields, Failure>] = [:]

        /// The customer's statement as a template sees it: `table`, the moves aligned as a
        /// table prints them; `moves`, each with its fields (date, kind, ref, debit, credit,
        /// balance); and `balance`, the last one.
        func of(_ c: Int32, id: String, session: Session) -> Result<Fields, Failure> {
            lock.withLock {
                if let known = made[c] { return known }
                let query = "import statement\nstatement.of(customers where id = \(Lexer.literal(id)))\n"
                let result = session.table(of: SourceText(name: "statement of \(id)", text: query))
                    .mapError { Failure(detail: $0.all.map(\.message).joined(separator: "; ")) }
                    .map { table in
                        let shown = table.shownCells
                        let moves = shown.map { row in
                            Fields(Dictionary(uniqueKeysWithValues: zip(table.columns, row.map { TemplateText($0) as Any })))
                        }
                        let balance = table.columns.firstIndex(of: "balance").flatMap { c in
                            table.rows.last.map { table.cell($0[c], column: c).text(grouped: true, currency: true) }
                        }
                        return Fields([
                            "table": TemplateText(table.rendered(.table, footer: false)), "moves": moves,
                            "balance": TemplateText(balance ?? ""),
                        ])
                    }
                made[c] = result
                return result
            }
        }
    }

    /// `data` in a temporary file `.NAME.tmp` in `folder`, to be renamed to `NAME` once made
    /// durable: a message is in the outbox whole or not at all. One delivery runs at a time
    /// (the outbox lock), so the name is this one's; a stale one, left by a crash, is overwritten.
    static func writeTemporary(_ data: Data, in folder: String, name: String) -> Result<String, WriteFailure> {
        let temporary = "\(folder)/.\(name).tmp"
        let fd = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
        var problem: Int32? = fd < 0 ? errno : nil
        if fd >= 0 {
            data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                var done = 0
                while done < bytes.count, let base = bytes.baseAddress {
                    let n = write(fd, base + done, bytes.count - done)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        // Nothing written and no error: a file system that takes no more.
                        problem = n == 0 ? ENOSPC : errno
                        return
                    }
                    done += n
                }
            }
            if close(fd) != 0 && problem == nil { problem = errno }
        }
        guard let problem else { return .success(temporary) }
        unlink(temporary)
        return .failure(WriteFailure(code: problem))
    }

    /// The errno of a file that could not be written.
    struct WriteFailure: Error {
        let code: Int32
    }

    /// Writes to disk what was written to the files (or folders) `paths`: one sync of their file
    /// system for any number of them. Best effort: a file system that cannot sync has said so
    /// on each write already.
    static func sync(_ paths: [String]) {
        guard let first = paths.first else { return }
        let fd = open(first, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = dun_sync_file_system(fd)
        close(fd)
    }
}

private typealias Summary = Outbox.Summary
