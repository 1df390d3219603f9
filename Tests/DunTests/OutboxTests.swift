// The outbox: reminders rendered from templates into RFC 5322 messages, headers that no data
// can break, dun.toml, and delivery through a sendmail-style command (a local stub).

@testable import Dun
import DunCore
import DunModel
import Foundation
import Testing

/// The text of RFC 2047 `=?UTF-8?B?…?=` words (and plain words) of a header value, decoded.
private func decodeHeader(_ value: String) -> String {
    let words = value.replacingOccurrences(of: "\r\n ", with: " ").split(separator: " ")
    var out = ""
    var previousEncoded = false
    for word in words {
        if word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="),
            let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))
        {
            // Space between two encoded words is not part of the text (RFC 2047, 6.2).
            out += (out.isEmpty || previousEncoded ? "" : " ") + String(decoding: data, as: UTF8.self)
            previousEncoded = true
        } else {
            out += (out.isEmpty ? "" : " ") + word
            previousEncoded = false
        }
    }
    return out
}

/// A message's headers, unfolded, by name, in order.
private func headers(_ eml: String) -> [(String, String)] {
    let head = eml.components(separatedBy: "\r\n\r\n").first ?? ""
    return head.replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n").map { line in
        let colon = line.firstIndex(of: ":") ?? line.endIndex
        return (String(line[..<colon]), String(line[colon...].dropFirst().drop { $0 == " " }))
    }
}

@Suite struct HeaderTests {
    @Test func asciiPassesThroughAndChineseIsEncoded() throws {
        #expect(Header.words("Friendly reminder: 60,000.00 CNY") == ["Friendly", "reminder:", "60,000.00", "CNY"])
        #expect(Header.field("Subject", Header.words("Hello there")) == "Subject: Hello there\r\n")
        let words = Header.encodedWords("付款提醒")
        #expect(words == ["=?UTF-8?B?" + Data("付款提醒".utf8).base64EncodedString() + "?="])
        #expect(decodeHeader(words.joined(separator: " ")) == "付款提醒")
        // Text that merely looks like an encoded word is encoded, so it reads back as written.
        #expect(Header.words("=?UTF-8?B?abc?=").allSatisfy { $0.hasPrefix("=?UTF-8?B?") && $0 != "=?UTF-8?B?abc?=" })
    }

    @Test func longSubjectsAreFoldedWithoutSplittingACharacter() throws {
        // 3-byte Chinese, 4-byte emoji and ASCII, so that chunk ends fall in every place.
        let subject = String(repeating: "再次催款：深圳鹏达电子 😀 overdue ", count: 6)
        let field = Header.field("Subject", Header.words(subject))
        let lines = field.components(separatedBy: "\r\n").dropLast()
        #expect(lines.count > 3)
        #expect(lines.allSatisfy { $0.count <= 76 }, "\(lines)")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        for word in field.split(whereSeparator: { $0 == " " || $0 == "\r\n" }).dropFirst() {
            #expect(word.count <= 75)
            // Each word alone is whole UTF-8: no character is split between two words.
            let data = try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            #expect(String(data: data, encoding: .utf8) != nil, "\(word)")
        }
        // ("\r\n" is one Character.)
        #expect(
            decodeHeader(String(field.dropFirst("Subject: ".count).dropLast())) == subject.trimmingCharacters(in: .whitespaces))
        // A long ASCII subject is folded at its spaces.
        let ascii = Header.field("Subject", Header.words(String(repeating: "overdue invoice ", count: 10)))
        #expect(ascii.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(ascii.contains("\r\n overdue"))
    }

    @Test func dataCannotAddAHeader() throws {
        let evil = try #require(Mailbox(name: "Evil\r\nBcc: spy@example.com", address: "ar@example.com"))
        #expect(!evil.rendered.contains("\r") && !evil.rendered.contains("\n"))
        #expect(evil.rendered == "\"Evil  Bcc: spy@example.com\" <ar@example.com>")
        #expect(Mailbox(name: "x", address: "ar@example.com\r\nBcc: spy@example.com") == nil)
        #expect(Mailbox(name: "x", address: "ar@example.com, spy@example.com") == nil)
        #expect(Mailbox(name: "x", address: "<ar@example.com>") == nil)
        #expect(Mailbox(name: "x", address: "no-at-sign") == nil)
        #expect(
            Mailbox(name: "\"quoted\" \\ name", address: "a.b+c@mail.example.com")?.rendered
                == "\"\\\"quoted\\\" \\\\ name\" <a.b+c@mail.example.com>")
        #expect(
            Header.field("Subject", Header.words("Hi\r\nBcc: spy@example.com\u{0}")) == "Subject: Hi Bcc: spy@example.com\r\n")
    }

    @Test func datesAndMessageIDs() {
        #expect(Header.date("2026-11-29T08:30:05Z") == "Sun, 29 Nov 2026 08:30:05 +0000")
        #expect(Header.date("1970-01-01T00:00:00Z") == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(Header.date("yesterday") == nil)
        let id = Header.messageID(entry: 7, key: "k", sender: "ar@acme.example")
        #expect(id == Header.messageID(entry: 7, key: "k", sender: "ar@acme.example"))
        #expect(id != Header.messageID(entry: 7, key: "k2", sender: "ar@acme.example"))
        #expect(id.hasPrefix("dun.7.") && id.hasSuffix("@acme.example"))
    }
}

@Suite struct SettingsTests {
    @Test func readsTheKeys() throws {
        let text = """
            # Acme's settings
            company = "Acme 贸易"   # after a value too
            language = "zh"

            [sender]
            name = "应收 \\"AR\\""
            email = "ar@acme.example"
            [delivery]
            command = ["/usr/sbin/sendmail", "-t", "-i"]
            """
        let s = try WorkspaceSettings.parse(SourceText(name: "dun.toml", text: text))
        #expect(s.company == "Acme 贸易")
        #expect(s.language == "zh")
        #expect(s.senderName == "应收 \"AR\"")
        #expect(s.senderEmail == "ar@acme.example")
        #expect(s.command == ["/usr/sbin/sendmail", "-t", "-i"])
    }

    @Test func errorsNameLineAndColumn() {
        func errors(_ text: String) -> [String] {
            do {
                _ = try WorkspaceSettings.parse(SourceText(name: "dun.toml", text: text))
                return []
            } catch {
                return error.all.map(\.rendered)
            }
        }
        #expect(
            errors("[sender]\nemial = \"a@b.c\"\n") == [
                "dun.toml:2:1: error: unknown key emial in [sender]\nemial = \"a@b.c\"\n^~~~~\nhint: did you mean email?\n"
            ])
        #expect(
            errors("[sendr]\n") == [
                "dun.toml:1:1: error: unknown section [sendr]\n[sendr]\n^~~~~~~\nhint: did you mean [sender]?\n"
            ])
        #expect(
            errors("company = Acme\n") == [
                "dun.toml:1:11: error: not valid TOML: could not determine value type\ncompany = Acme\n          ^\nhint: text goes in double quotes: company = \"Acme\"\n"
            ])
        #expect(errors("command = [\"sendmail\"]\n").first?.contains("hint: command goes under [delivery]") == true)
        #expect(
            errors("[delivery]\ncommand = \"sendmail -t\"\n").first?.hasPrefix("dun.toml:2:1: error: command is a list") == true)
        #expect(
            errors("company = \"a\"\ncompany = \"b\"\n").first?.hasPrefix(
                "dun.toml:2:11: error: not valid TOML: cannot redefine existing string 'company'") == true)
        // A header toml++ would assert on (it does not report it) is refused before it.
        #expect(
            errors("[{a]\n").first?.hasPrefix("dun.toml:1:2: error: not valid TOML: a table header names its table") == true)
        #expect(errors("x = 1\n[ [b]]\n[[{c]]\n").first?.hasPrefix("dun.toml:2:") == true)
        // The TOML library stops at the first syntax error.
        #expect(errors("language = \"zh\" x\nname = \"open\n").count == 1)
        #expect(errors("# nothing\n\n") == [])
        // Every key is checked, wherever it is, and all of them are told at once.
        #expect(
            errors("[sender]\nemail = 3\n[customers]\nfiles = \"a.csv\"\n[customers.columns]\nnmae = \"名称\"\n").map {
                $0.split(separator: "\n").first.map(String.init) ?? ""
            } == [
                "dun.toml:2:1: error: email is a string, in double quotes",
                "dun.toml:4:1: error: unknown key files in [customers]",
                "dun.toml:6:1: error: unknown field nmae in [customers.columns]",
            ])
    }
}

@Suite struct TemplateTests {
    @Test func theLanguageIsTheColumnThenDunTomlThenTheRegion() {
        #expect(Templates.language(customer: "en", workspace: "zh", region: "华东") == "en")
        #expect(Templates.language(customer: "zh-CN", workspace: nil, region: nil) == "zh")
        #expect(Templates.language(customer: nil, workspace: "zh", region: "Germany") == "zh")
        #expect(Templates.language(customer: nil, workspace: nil, region: "华南") == "zh")
        #expect(Templates.language(customer: nil, workspace: nil, region: "HK") == "zh")
        #expect(Templates.language(customer: nil, workspace: nil, region: "Bavaria") == "en")
        #expect(Templates.language(customer: nil, workspace: nil, region: nil) == "en")
    }

    @Test func builtInTemplatesExistAndRenderAsPlainText() throws {
        for name in ["gentle", "firm", "final", "statement"] {
            for language in ["zh", "en"] {
                #expect(Templates.builtIn["\(name).\(language).mustache"] != nil)
            }
        }
        var templates = Templates(directory: "/nonexistent")
        let t = try templates.template("firm", language: "de")  // no German: English
        #expect(t.file == "stdlib/templates/firm.en.mustache")
        let (subject, body) = t.render(
            Fields([
                "customer": Fields(["name": TemplateText("Smith & <Jones>")]), "total": TemplateText("1.00 CNY"),
                "company": TemplateText("Acme"),
            ]))
        #expect(subject == "Second notice: 1.00 CNY overdue to Acme")
        #expect(body.hasPrefix("Dear Smith & <Jones>,\n"))
        #expect(throws: Diagnostic.self) { try templates.template("nope", language: "en") }
        // The statement of account: its moves, then all the open items, without the overdue
        // days of a reminder.
        let statement = try templates.template("statement", language: "zh")
        let (head, text) = statement.render(
            Fields([
                "customer": Fields(["name": TemplateText("华东机电")]), "open_total": TemplateText("1,500.00 CNY"),
                "company": TemplateText("Acme 贸易"), "as_of": TemplateText("2026-06-30"),
                "statement": Fields(["table": TemplateText("date  kind\n----  ----\n"), "balance": TemplateText("1,500.00 CNY")]),
                "open": [Fields(["id": TemplateText("I1"), "balance": TemplateText("1,500.00 CNY")])],
            ]))
        #expect(head == "对账单：Acme 贸易 截至 2026-06-30 未结清款项 1,500.00 CNY")
        #expect(text.hasPrefix("华东机电：\n") && text.contains("\ndate  kind\n----  ----\n\n余额：1,500.00 CNY\n"))
        #expect(text.contains("\n  I1  开票   到期   1,500.00 CNY\n") && text.contains("未结清合计：1,500.00 CNY"))
    }

    /// What a template sees renders as the text it is, in sections and through transforms.
    @Test func templateValuesRenderAsText() throws {
        let t = try MessageTemplate(
            file: "t",
            text:
                "Subject: {{uppercased(company)}}\n\n{{#company}}[{{.}}]{{/company}}{{^missing}}none{{/missing}} {{#invoices}}{{id}}:{{days}} {{/invoices}}{{#email}}by mail{{/email}}"
        )
        let fields = Fields([
            "company": TemplateText("Acme & Co"),
            "invoices": [Fields(["id": TemplateText("I1"), "days": 3]), Fields(["id": TemplateText("I2"), "days": 40])],
            "email": true,
        ])
        let (subject, body) = t.render(fields)
        #expect(subject == "ACME & CO")
        #expect(body == "[Acme & Co]none I1:3 I2:40 by mail")
    }

    @Test func aBadTemplateIsAnErrorAtItsLine() {
        #expect(throws: Diagnostic.self) { try MessageTemplate(file: "t", text: "Hello\n\nbody") }
        do {
            _ = try MessageTemplate(file: "templates/x.en.mustache", text: "Subject: hi\n\nline\n{{#invoices}}\nno end\n")
            Issue.record("parsed")
        } catch {
            #expect(error.file == "templates/x.en.mustache")
            #expect((error.position?.line ?? 0) >= 4, "\(error.rendered)")
        }
    }
}

@Suite struct JournalMessageIDTests {
    @Test func aMessageIDOnceGivenIsKept() throws {
        let w = try ApplyTests.Workspace()
        let journal = try Journal.open(workspace: w.folder.path)
        let day = try #require(Day(iso: "2026-11-28"))
        let added = try journal.commit([
            Journal.Entry(
                who: "t", at: "2026-11-28T00:00:00Z", asOf: day, policy: "", rule: "", action: .remind, customer: "C1",
                status: .queued, key: "a")
        ])
        try journal.update(id: added[0].id, status: .queued, detail: nil, messageID: "m@x")
        try journal.update(id: added[0].id, status: .sent, detail: nil)
        let entry = try journal.entries(status: .sent)
        #expect(entry.map(\.messageID) == ["m@x"])
    }
}

@Suite struct OutboxTests {
    /// The small fixture with a dun.toml, a contacts.csv and the standard ladder.
    func workspace(contacts: String? = nil) throws -> ApplyTests.Workspace {
        let w = try ApplyTests.Workspace()
        try write("company = \"Acme 贸易\"\n[sender]\nname = \"应收账款 AR\"\nemail = \"ar@acme.example\"\n", w, "dun.toml")
        if let contacts { try write(contacts, w, "contacts.csv") }
        return w
    }

    /// Enough reminders that they are rendered on several threads (OutboxTests run the small
    /// fixture, which renders on one): the files come out in journal order, one per entry,
    /// each the customer's; a bad address in the middle fails that one alone; and all are
    /// recorded queued, with their Message-IDs, in one transaction.
    @Test func aNightOfManyRemindersIsWrittenInJournalOrder() throws {
        let w = try workspace()
        let n = 600
        var customers = "id,name,region,grade,credit_limit,currency,terms_days,collector,email,phone,language\n"
        var invoices = "id,customer_id,issued,due,amount,currency,disputed\n"
        for i in 1...n {
            let id = String(format: "C%03d", i)
            let email = i == 150 ? "not an address" : "ap\(i)@example.com"
            customers += "\(id),客户\(i),华东,B,,CNY,30,王芳,\(email),,\(i % 2 == 0 ? "zh" : "en")\n"
            invoices += "I\(i),\(id),2026-10-01,2026-11-20,\(i).00,CNY,false\n"
        }
        try write(customers, w, "customers.csv")
        try write(invoices, w, "invoices.csv")
        try write("id,customer_id,invoice_id,date,amount,method\n", w, "payments.csv")
        let r = try w.dun(["run", "standard.dun", "--apply"])
        #expect(r.status == 1)
        #expect(
            r.err.contains(
                "applied \(n) actions to the journal\nwrote \(n - 1) messages to outbox/\nfailed 1 (retried on the next apply)\n"),
            "\(r.err)")
        #expect(r.err.contains("  C150 (entry 150): customers.csv: 'not an address' of customer C150 is not an e-mail address"))
        let files = outbox(w)
        #expect(files == (1...n).filter { $0 != 150 }.map { String(format: "%06d-C%03d.eml", $0, $0) })
        for i in [1, 2, 149, 151, 499, 500, 501, 600] {
            let h = Dictionary(
                headers(try read(w, "outbox/" + String(format: "%06d-C%03d.eml", i, i))), uniquingKeysWith: { a, _ in a })
            #expect(h["To"]?.hasSuffix("<ap\(i)@example.com>") == true)
            #expect(h["Message-ID"]?.hasPrefix("<dun.\(i).") == true)
            #expect(decodeHeader(h["Subject"] ?? "").contains("\(i).00 CNY"))
        }
        let journal = try Journal.open(workspace: w.folder.path)
        #expect(try journal.entries(status: .queued).map(\.id) == (1...Int64(n)).filter { $0 != 150 })
        #expect(try journal.entries(status: .queued).allSatisfy { $0.messageID != nil })
        #expect(try journal.entries(status: .failed).map(\.id) == [150])
        // No temporary file is left behind.
        let all = try FileManager.default.contentsOfDirectory(atPath: w.folder.appendingPathComponent("outbox").path)
        #expect(all.count == n - 1)

        // Again: the failed one is tried again, a file gone from the outbox is written again,
        // and the others, queued and in the outbox, are left as they are (and not read whole).
        try FileManager.default.removeItem(at: w.folder.appendingPathComponent("outbox/000300-C300.eml"))
        try write("changed", w, "outbox/000301-C301.eml")
        let again = try w.dun(["run", "standard.dun", "--apply"])
        #expect(
            again.err.contains("applied 0 actions to the journal\nwrote 1 message to outbox/\nfailed 1 (retried"), "\(again.err)")
        #expect(try read(w, "outbox/000301-C301.eml") == "changed")
        #expect(try read(w, "outbox/000300-C300.eml").contains("<ap300@example.com>"))
        #expect(outbox(w).count == n - 1)
    }

    /// A message whose file cannot be written (its temporary name is taken by a folder) fails
    /// alone, with the system's reason; the others, written on every core, are queued.
    @Test func aMessageThatCannotBeWrittenFailsAlone() throws {
        let w = try workspace()
        var customers = "id,name,region,grade,credit_limit,currency,terms_days,collector,email,phone,language\n"
        var invoices = "id,customer_id,issued,due,amount,currency,disputed\n"
        for i in 1...100 {
            customers += "C\(i),客户\(i),华东,B,,CNY,30,王芳,ap\(i)@example.com,,zh\n"
            invoices += "I\(i),C\(i),2026-10-01,2026-11-20,\(i).00,CNY,false\n"
        }
        try write(customers, w, "customers.csv")
        try write(invoices, w, "invoices.csv")
        try write("id,customer_id,invoice_id,date,amount,method\n", w, "payments.csv")
        try FileManager.default.createDirectory(
            at: w.folder.appendingPathComponent("outbox/.000042-C42.eml.tmp"), withIntermediateDirectories: true)
        let r = try w.dun(["run", "standard.dun", "--apply"])
        #expect(r.status == 1)
        #expect(r.err.contains("wrote 99 messages to outbox/\nfailed 1 (retried on the next apply)\n"), "\(r.err)")
        #expect(r.err.contains("  C42 (entry 42): cannot write outbox/000042-C42.eml: Is a directory"), "\(r.err)")
        #expect(try Journal.open(workspace: w.folder.path).entries(status: .failed).map(\.id) == [42])
    }

    /// dun.toml's `[delivery] command`.
    func deliver(_ w: ApplyTests.Workspace, through command: [String]) throws {
        let list = command.map { "\"\($0)\"" }.joined(separator: ", ")
        try write(try read(w, "dun.toml") + "[delivery]\ncommand = [\(list)]\n", w, "dun.toml")
    }

    func write(_ text: String, _ w: ApplyTests.Workspace, _ path: String) throws {
        let url = w.folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ w: ApplyTests.Workspace, _ path: String) throws -> String {
        try String(contentsOf: w.folder.appendingPathComponent(path), encoding: .utf8)
    }

    func outbox(_ w: ApplyTests.Workspace) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: w.folder.appendingPathComponent("outbox").path)) ?? []).sorted()
    }

    /// The journal's status column, by entry id, for the reminders.
    func statuses(_ w: ApplyTests.Workspace) throws -> [String] {
        try w.journal().filter { $0.contains(",remind,") }.map { String($0.split(separator: ",").last ?? "") }
    }

    @Test func anAppliedReminderIsAnEmlCheckedHeaderByHeader() throws {
        let contacts = """
            customer_id,name,role,email,phone,language
            C4,"Li, Wei",billing,li.wei@golden.example,,
            C4,Ops Desk,ops,ops@golden.example,,
            C4,王会计,billing,kuaiji@golden.example,,

            """
        let w = try workspace(contacts: contacts)
        let r = try w.dun(["run", "standard.dun", "--apply"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err == "applied 6 actions to the journal\nwrote 2 messages to outbox/\n")
        #expect(outbox(w) == ["000001-C4.eml", "000002-C3.eml"])
        let eml = try read(w, "outbox/000001-C4.eml")
        // Every line ends in CRLF, and no bare LF is left.
        #expect(!eml.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let h = headers(eml)
        #expect(
            h.map(\.0) == [
                "From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
            ])
        #expect(h[0].1 == "=?UTF-8?B?" + Data("应收账款 AR".utf8).base64EncodedString() + "?= <ar@acme.example>")
        #expect(
            h[1].1 == "\"Li, Wei\" <li.wei@golden.example>, =?UTF-8?B?" + Data("王会计".utf8).base64EncodedString()
                + "?= <kuaiji@golden.example>")
        #expect(h[2].1 == "\"Ops Desk\" <ops@golden.example>")
        // C4's language column says English; the company's name is Chinese, so the subject is encoded.
        #expect(decodeHeader(h[3].1) == "Friendly reminder: 60,000.00 CNY due to Acme 贸易")
        #expect(
            h[4].1.range(of: #"^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000$"#, options: .regularExpression)
                != nil, "\(h[4].1)")
        #expect(h[5].1.range(of: #"^<dun\.1\.[0-9a-f]+@acme\.example>$"#, options: .regularExpression) != nil, "\(h[5].1)")
        #expect(h[6].1 == "1.0")
        #expect(h[7].1 == "text/plain; charset=utf-8")
        #expect(h[8].1 == "8bit")
        #expect(eml.contains("\r\n\r\nDear \"Golden Dragon\" Trading,\r\n"))
        #expect(eml.contains("  I08  issued 2026-09-20  due 2026-11-19  60,000.00 CNY  (9 days overdue)\r\n"))
        // C3 has no contacts: its own e-mail; its language is Chinese.
        let c3 = headers(try read(w, "outbox/000002-C3.eml"))
        #expect(c3[1].1 == "=?UTF-8?B?" + Data("深圳鹏达电子".utf8).base64EncodedString() + "?= <finance@pengda.cn>")
        #expect(decodeHeader(c3[2].1).hasPrefix("再次催款：深圳鹏达电子"))
        #expect(try statuses(w) == ["queued", "queued"])

        // Applied again without a command: nothing new, and the files are left as they are.
        try write("changed", w, "outbox/000002-C3.eml")
        let again = try w.dun(["run", "standard.dun", "--apply"])
        #expect(again.err == "applied 0 actions to the journal\n")
        #expect(try read(w, "outbox/000002-C3.eml") == "changed")
    }

    /// The statement template lists the customer's moves as statement.of gives them, with the
    /// balance after each, then every open item (not only those the rule picked). Worked by
    /// hand on the small fixture: C4 was invoiced I07 300,000 and I08 60,000 and paid nothing;
    /// the rule below picks I08 alone.
    @Test func aStatementIsTheCustomersMovesAndOpenItems() throws {
        let w = try workspace()
        let remind = "invoices where id = \"I08\" | remind via email template \"statement\""
        let r = try w.dun(["-e", remind, "--apply"])
        #expect(r.status == 0, "\(r.err)")
        let eml = try read(w, "outbox/000001-C4.eml").replacingOccurrences(of: "\r\n", with: "\n")
        let moves = """
            date        kind     ref       debit  credit     balance
            ----------  -------  ---  ----------  ------  ----------
            2026-07-15  invoice  I07  300,000.00          300,000.00
            2026-09-20  invoice  I08   60,000.00          360,000.00

            Balance: 360,000.00 CNY
            """
        #expect(eml.contains(moves), "\(eml)")
        #expect(eml.contains("  I07  issued 2026-07-15  due 2026-09-13  300,000.00 CNY\n"), "\(eml)")
        #expect(eml.contains("Total open: 360,000.00 CNY\n"), "\(eml)")
    }

    @Test func aCRLFInACustomersNameOrEmailAddsNoHeader() throws {
        let w = try workspace()
        var customers = try read(w, "customers.csv")
        customers = customers.replacingOccurrences(
            of: "\"\"\"Golden Dragon\"\" Trading\"", with: "\"Golden\r\nBcc: spy@evil.example\"")
        customers = customers.replacingOccurrences(
            of: "finance@pengda.cn", with: "\"finance@pengda.cn\r\nBcc: spy@evil.example\"")
        try write(customers, w, "customers.csv")
        let r = try w.dun(["run", "standard.dun", "--apply"])
        #expect(r.status == 1)
        #expect(
            r.err.contains(
                "C3 (entry 2): customers.csv: 'finance@pengda.cn  Bcc: spy@evil.example' of customer C3 is not an e-mail address"),
            "\(r.err)")
        #expect(outbox(w) == ["000001-C4.eml"])
        let eml = try read(w, "outbox/000001-C4.eml")
        #expect(!headers(eml).contains { $0.0 == "Bcc" })
        #expect(!(eml.components(separatedBy: "\r\n\r\n").first ?? "").contains("\r\nBcc:"))
        #expect(headers(eml)[1].1 == "\"Golden  Bcc: spy@evil.example\" <gd@example.com>")
        #expect(try statuses(w) == ["queued", "failed"])
    }

    @Test func templatesComeFromTheWorkspaceAndDunToml() throws {
        let w = try workspace()
        // The workspace's default language applies only without a language column.
        try write(
            try read(w, "dun.toml").replacingOccurrences(of: "company =", with: "language = \"zh\"\ncompany ="), w, "dun.toml")
        let customers = try read(w, "customers.csv").replacingOccurrences(of: ",gd@example.com,,en", with: ",gd@example.com,,")
        try write(customers, w, "customers.csv")
        try write(
            "Subject: {{customer.id}} owes {{total}}\n\nOurs: {{#invoices}}{{id}} {{/invoices}}\n", w,
            "templates/firm.zh.mustache")
        let r = try w.dun(["run", "standard.dun", "--apply"])
        #expect(r.status == 0, "\(r.err)")
        #expect(decodeHeader(headers(try read(w, "outbox/000001-C4.eml"))[2].1).hasPrefix("付款提醒"))
        let c3 = try read(w, "outbox/000002-C3.eml")
        #expect(headers(c3)[2].1 == "C3 owes 25,000.00 CNY")
        #expect(c3.hasSuffix("\r\n\r\nOurs: I06 \r\n"))
    }

    // Was a path traversal: the language column was put into the template's path, so
    // `/../../…/evil` rendered the reminder from any file named `.mustache`.
    @Test func aLanguageFromTheDataNamesNoFile() throws {
        let w = try workspace()
        try write("Subject: EVIL\n\nread from outside templates/\n", w, "evil.mustache")
        try write("Subject: EVIL\n\nread from outside templates/\n", w, "templates/sub/gentle.en.mustache")
        let escape = String(repeating: "/..", count: 12) + w.folder.path + "/evil"
        let original = try read(w, "customers.csv")
        #expect(original.contains(",gd@example.com,,en"))
        for language in [escape, "../evil", "sub/../../evil", "en/../../evil"] {
            let customers = original.replacingOccurrences(of: ",gd@example.com,,en", with: ",gd@example.com,,\"\(language)\"")
            try write(customers, w, "customers.csv")
            try? FileManager.default.removeItem(at: w.folder.appendingPathComponent(".dun"))
            try? FileManager.default.removeItem(at: w.folder.appendingPathComponent("outbox"))
            let r = try w.dun(["run", "standard.dun", "--apply"])
            #expect(r.status == 0, "\(r.err)")
            let eml = try read(w, "outbox/000001-C4.eml")
            #expect(!eml.contains("EVIL") && !eml.contains("outside"), "\(language)")
            // Not a language code: as if the column were empty, the language of C4's region, Chinese.
            let subject = headers(eml).first { $0.0 == "Subject" }?.1 ?? ""
            #expect(decodeHeader(subject).hasPrefix("付款提醒"), "\(language)")
        }
    }

    // Was "applied 9 actions", then the error: the plan was journaled before dun.toml, the
    // sender or the templates were read. Now any of them wrong applies nothing.
    @Test func aBadSettingOrTemplateAppliesNothing() throws {
        let w = try workspace()
        try write("policy p {\n  rule r: invoices where days_overdue > 0 => remind via email template \"nope\"\n}\n", w, "p.dun")
        let r = try w.dun(["run", "p.dun", "--apply"])
        #expect(r.status == 1)
        #expect(
            r.err.hasSuffix(
                "error: there is no template \"nope\"\nhint: the built-in templates are gentle, firm and final; a workspace adds its own as templates/nope.LANG.mustache\nnothing applied\n"
            ), "\(r.err)")
        #expect(try statuses(w).isEmpty)

        let bare = try ApplyTests.Workspace()
        try FileManager.default.removeItem(at: bare.folder.appendingPathComponent("dun.toml"))
        let s = try bare.dun(["run", "standard.dun", "--apply"])
        #expect(s.status == 1)
        #expect(
            s.err.hasSuffix(
                "dun.toml: error: no sender e-mail address to send reminders from\nhint: add `email = \"ar@example.com\"` under `[sender]` in dun.toml\nnothing applied\n"
            ), "\(s.err)")
        #expect(try statuses(bare).isEmpty)

        for (toml, message) in [
            ("[sender]\nemail = \"ar@example.com\"\nlanguage = zh\n", "dun.toml:3:12: error: "),
            (
                "[sender]\nemail = \"not an address\"\n",
                "dun.toml: error: the sender's e-mail 'not an address' is not an e-mail address"
            ),
            (
                "[sender]\nemail = \"ar@example.com\"\n[delivery]\ncommand = [\"/no/such/sendmail\"]\n",
                "dun.toml: error: the delivery command '/no/such/sendmail' is not a program that can be run"
            ),
        ] {
            try write(toml, bare, "dun.toml")
            let t = try bare.dun(["run", "standard.dun", "--apply"])
            #expect(t.status == 1)
            // dun.toml that does not parse stops the run before the workspace is loaded.
            let parses = !message.hasPrefix("dun.toml:3:12")
            #expect(t.err.contains(message) && t.err.hasSuffix("nothing applied\n") == parses, "\(t.err)")
            // Where the journal is depends on dun.toml: `dun journal` cannot read one that
            // does not parse, and there is no journal file either.
            if parses {
                #expect(try statuses(bare).isEmpty)
            } else {
                #expect(!FileManager.default.fileExists(atPath: bare.folder.appendingPathComponent(".dun/journal.sqlite").path))
            }
        }
    }

    @Test func lettersAndSMSAreTextFiles() throws {
        let w = try workspace()
        try write("policy p {\n  rule r: invoices where id = \"I08\" => remind via letter template \"final\"\n}\n", w, "p.dun")
        let r = try w.dun(["run", "p.dun", "--apply"])
        #expect(r.status == 0, "\(r.err)")
        let letter = try read(w, "outbox/000001-C4.txt")
        #expect(
            letter.hasPrefix(
                "Channel: letter\nTo: \"Golden Dragon\" Trading\nSubject: Final notice before further action: 60,000.00 CNY overdue\n\nDear "
            ))
    }

    /// A sendmail stand-in: it refuses each message the first time it sees its Message-ID and
    /// takes it the second, logging its arguments and each message it took.
    func stub(_ w: ApplyTests.Workspace, _ behaviour: String) throws -> String {
        let script = """
            #!/bin/sh
            dir="$(dirname "$0")"
            mkdir -p "$dir/seen"
            cat > "$dir/in.eml"
            id=$(grep -m1 '^Message-ID:' "$dir/in.eml" | tr -d '\\r<>' | cut -d' ' -f2)
            \(behaviour)
            echo "$id $*" >> "$dir/took.log"
            """
        let path = w.folder.appendingPathComponent("stub/sendmail").path
        try write(script, w, "stub/sendmail")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    func took(_ w: ApplyTests.Workspace) -> [String] {
        ((try? read(w, "stub/took.log")) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func aFailedMessageIsRetriedAndASentOneNeverAgain() throws {
        let w = try workspace()
        let path = try stub(
            w,
            """
            if [ ! -e "$dir/seen/$id" ]; then touch "$dir/seen/$id"; echo "451 4.3.0 mailbox busy, try $id later" >&2; exit 75; fi
            """)
        try deliver(w, through: [path, "-t", "-i"])

        let first = try w.dun(["run", "standard.dun", "--apply"])
        #expect(first.status == 1)
        #expect(
            first.err.hasPrefix("applied 6 actions to the journal\nsent 0, failed 2 (retried on the next apply)\n"),
            "\(first.err)")
        #expect(try statuses(w) == ["failed", "failed"])
        #expect(try w.journal().contains { $0.contains("451 4.3.0 mailbox busy, try dun.1.") })
        #expect(took(w).isEmpty)

        let second = try w.dun(["run", "standard.dun", "--apply"])
        #expect(second.status == 0, "\(second.err)")
        #expect(second.err == "applied 0 actions to the journal\nsent 2 messages\n")
        #expect(try statuses(w) == ["sent", "sent"])
        // Each message taken exactly once, with the command's arguments, and as written to the outbox.
        let log = took(w)
        #expect(log.count == 2 && Set(log.map { $0.split(separator: " ")[0] }).count == 2, "\(log)")
        #expect(log.allSatisfy { $0.hasSuffix(" -t -i") })

        // Sent is sent: a third apply (and a later day's) hands nothing over.
        let third = try w.dun(["run", "standard.dun", "--apply"])
        #expect(third.err == "applied 0 actions to the journal\n")
        #expect(took(w) == log)
    }

    /// Dun killed while the command has a message: after `queued`, before `sent`.
    @Test func aProcessKilledBetweenQueuedAndSentLosesNothing() throws {
        let w = try workspace()
        // The first time, the stub kills Dun (its parent) before taking the message; after, it takes them.
        let path = try stub(
            w,
            """
            if [ ! -e "$dir/killed" ]; then touch "$dir/killed"; kill -KILL $PPID; exit 1; fi
            """)
        try deliver(w, through: [path])
        let killed = try w.dun(["run", "standard.dun", "--apply"])
        #expect(killed.status == SIGKILL)
        #expect(killed.err == "applied 6 actions to the journal\n")
        // The journal was committed, and says both messages are queued, with their Message-IDs:
        // all are recorded in the outbox before the first is handed over.
        #expect(try statuses(w) == ["queued", "queued"])
        let journal = try Journal.open(workspace: w.folder.path)
        #expect(try journal.entries(status: .queued).map { $0.messageID != nil } == [true, true])
        #expect(took(w).isEmpty)

        let next = try w.dun(["run", "standard.dun", "--apply"])
        #expect(next.status == 0, "\(next.err)")
        #expect(next.err == "applied 0 actions to the journal\nsent 2 messages\n")
        #expect(took(w).count == 2)
        #expect(try statuses(w) == ["sent", "sent"])
    }
}

/// The delivery command stopped at its timeout, whatever it does. Each used to block for its
/// own whole run (about 100 s here) or forever, holding the outbox's lock.
@Suite struct DeliveryCommandTests {
    func sh(_ script: String) -> [String] { ["/bin/sh", "-c", script] }

    func timed(_ body: () -> (DeliveryCommand.Outcome, String)) -> (DeliveryCommand.Outcome, String, Swift.Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let (outcome, said) = body()
        return (outcome, said, clock.now - start)
    }

    @Test func aCommandThatIgnoresSIGTERMIsKilled() {
        let (outcome, said, took) = timed {
            DeliveryCommand.run(
                sh("trap '' TERM; echo started >&2; sleep 100; sleep 100"), input: Data("x".utf8), timeout: .seconds(1))
        }
        #expect(outcome == .timedOut)
        #expect(said == "started")
        // The timeout, the grace after SIGTERM, and room for a busy machine; not 100 s.
        #expect(took < .seconds(30), "\(took)")
    }

    @Test func aChildLeftHoldingStandardErrorIsNotWaitedFor() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("dun-left-\(UUID().uuidString)")
        defer {
            if let text = try? String(contentsOf: pidFile, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                kill(pid, SIGKILL)
            }
            try? FileManager.default.removeItem(at: pidFile)
        }
        let (outcome, said, took) = timed {
            DeliveryCommand.run(sh("sleep 100 & echo $! > '\(pidFile.path)'; echo bye >&2"), input: Data(), timeout: .seconds(60))
        }
        #expect(outcome == .exited(0))
        #expect(said == "bye")
        #expect(took < .seconds(30), "\(took)")
    }

    @Test func aCommandThatReadsNothingDoesNotKillUsWithSIGPIPE() {
        let input = Data(repeating: UInt8(ascii: "a"), count: 4 << 20)
        let (outcome, said, _) = timed {
            DeliveryCommand.run(sh("exec 0<&-; echo closed >&2; exit 3"), input: input, timeout: .seconds(60))
        }
        #expect(outcome == .exited(3))
        #expect(said == "closed")
    }

    @Test func whatItSaysIsBounded() {
        let (outcome, said, _) = timed {
            DeliveryCommand.run(
                sh("head -c 100000 /dev/zero | tr '\\0' x >&2; kill -KILL $$"), input: Data("m".utf8), timeout: .seconds(60))
        }
        #expect(outcome == .signalled(SIGKILL))
        #expect(said == String(repeating: "x", count: 4096) + " … (95904 more bytes)")
        #expect(
            DeliveryCommand.hand(Data(), to: ["/no/such/program"], timeout: .seconds(5))?.hasPrefix(
                "cannot run /no/such/program: ") == true)
        #expect(DeliveryCommand.hand(Data(), to: sh("exit 0"), timeout: .seconds(5)) == nil)
        #expect(DeliveryCommand.hand(Data(), to: sh("exit 75"), timeout: .seconds(5)) == "/bin/sh exited with status 75")
    }
}

@Suite struct OutboxNameTests {
    /// The outbox's name is made once and kept; one left empty (a crash between writing and
    /// syncing, a hand) is made again, where every apply had failed on it.
    @Test func theNameIsKeptAndAnEmptyOneMadeAgain() throws {
        let w = try ApplyTests.Workspace()
        let file = w.folder.appendingPathComponent(".dun/outbox-name")
        let name = try Outbox.name(of: w.folder.path)
        #expect(name.hasSuffix(":" + w.folder.standardizedFileURL.appendingPathComponent("outbox").path), "\(name)")
        try "kept:/elsewhere/outbox\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try Outbox.name(of: w.folder.path) == "kept:/elsewhere/outbox")
        try " \n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try Outbox.name(of: w.folder.path) == name)
        #expect(try String(contentsOf: file, encoding: .utf8) == name + "\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: w.folder.appendingPathComponent(".dun").path)
        #expect(!leftovers.contains { $0.hasSuffix(".new") }, "\(leftovers)")
    }

    /// A folder where the name cannot be kept is told, naming the file.
    @Test func aNameThatCannotBeKeptIsTold() throws {
        let w = try ApplyTests.Workspace()
        let dun = w.folder.appendingPathComponent(".dun")
        try? FileManager.default.removeItem(at: dun)
        try Data().write(to: dun)
        let error = #expect(throws: Diagnostics.self) { try Outbox.name(of: w.folder.path) }
        #expect(error?.all.first?.message.hasPrefix("cannot name the outbox: ") == true, "\(String(describing: error))")
        #expect(error?.all.first?.file == w.folder.path + "/.dun/outbox-name")
    }
}
