// `--apply` end to end: a plan committed to the journal once, read back at load, and two
// applies at once that never both add an action.

import CSQLite
import DunCore
import Foundation
import Testing

@testable import Dun

@Suite struct ApplyTests {
    /// A copy of the small fixture workspace in a fresh folder, and a policy file beside it.
    final class Workspace {
        let folder: URL

        init(fixture: String = "small") throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("dun-apply-\(UUID().uuidString)")
            try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent(fixture), to: folder)
            try Data(Workspace.ladderPerInvoice.utf8).write(to: folder.appendingPathComponent("standard.dun"))
            // A sender, so that applying also writes the reminders to outbox/ (OutboxTests).
            try Data("[sender]\nemail = \"ar@example.com\"\n".utf8).write(to: folder.appendingPathComponent("dun.toml"))
        }

        deinit {
            try? FileManager.default.removeItem(at: folder)
        }

        /// The standard ladder with `levels per invoice`: every rule acts on the invoices it
        /// wins, so that the small fixture gives these tests of applying and delivering two
        /// reminders (C4 gentle, C3 firm), a call (C6) and holds. The standard ladder at its
        /// default, each customer at its highest level, is tested by the goldens.
        static let ladderPerInvoice: String = {
            // (`aLadderPerInvoiceActsOnEveryLevel` checks that the line went in.)
            let ladder = Session.standardLibrary.first { $0.name == "stdlib/dunning.dun" }?.text ?? ""
            return ladder.replacingOccurrences(of: "\"标准催收流程\" {\n", with: "\"标准催收流程\" {\n  levels per invoice\n")
        }()

        /// `dun` run in the workspace folder, as cron would.
        func dun(_ arguments: [String], asOf: String = "2026-11-28") throws -> (status: Int32, out: String, err: String) {
            try runDun(["--as-of", asOf] + arguments, in: folder)
        }

        /// The journal as CSV rows, without the wall-clock column.
        func journal() throws -> [String] {
            let r = try runDun(["journal", "--data", folder.path, "--format", "csv"])
            #expect(r.status == 0, "\(r.err)")
            // CSV rows end in CRLF, one Character.
            return r.out.split(separator: "\r\n").map { line in
                var cells = line.split(separator: ",", omittingEmptySubsequences: false)
                if cells.count > 1 { cells.remove(at: 1) }
                return cells.joined(separator: ",")
            }
        }
    }

    @Test func applyingTheSameRunTwiceAddsNothing() throws {
        let w = try Workspace()
        let dry = try w.dun(["run", "standard.dun"])
        #expect(dry.status == 0, "\(dry.err)")
        #expect(!FileManager.default.fileExists(atPath: w.folder.appendingPathComponent(".dun").path))

        let first = try w.dun(["run", "standard.dun", "--apply", "--as", "王芳"])
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out == dry.out)
        #expect(first.err == "applied 6 actions to the journal\nwrote 2 messages to outbox/\n")
        let journal = try w.journal()
        #expect(journal.count == 7)
        #expect(journal.first == "id,who,as_of,policy,rule,action,customer,invoices,channel,template,amount,detail,status")
        #expect(journal[1] == "1,王芳,2026-11-28,dunning,gentle,remind,C4,I08,email,gentle,60000.00,,queued")
        #expect(journal[3] == "3,王芳,2026-11-28,dunning,call,call,C6,I12,,,45000.00,李强,open")

        // Again: the reminders, the call and the escalation wait out their cooldowns, and the
        // customers on hold are not held again: nothing is planned.
        let second = try w.dun(["run", "standard.dun", "--apply"])
        #expect(second.status == 0, "\(second.err)")
        #expect(second.err == "applied 0 actions to the journal\n")
        // The same plan applied twice within one run would find its actions journaled.
        let third = try w.dun(["-e", "invoices where days_overdue > 60 | note \"late\"", "--apply"])
        let fourth = try w.dun(["-e", "invoices where days_overdue > 60 | note \"late\"", "--apply"])
        #expect(third.err == "applied 2 actions to the journal\n")
        #expect(fourth.err == "applied 0 actions to the journal (2 already applied)\n")
        #expect(try w.journal().count == journal.count + 2)
    }

    @Test func theJournalIsReplayedAtLoadAndCooldownsEnd() throws {
        let w = try Workspace()
        #expect(try w.dun(["run", "standard.dun", "--apply"]).status == 0)
        let after = try w.dun(["-e", "customers | select id, on_hold, last_reminder"])
        #expect(
            after.out == """
                id  on_hold  last_reminder
                --  -------  -------------
                C1  false
                C2  true
                C3  true     2026-11-28
                C4  false    2026-11-28
                C5  false
                C6  false
                (6 rows)

                """)
        // As of the day before, nothing was applied yet.
        let reminded = try w.dun(["--format", "csv", "-e", "invoices where reminders > 0 | select id, reminders"])
        #expect(reminded.out == "id,reminders\r\nI06,1\r\nI08,1\r\n")
        #expect(try w.dun(["-e", "record note \"C1\" \"回电\"", "--apply"]).status == 0)
        #expect(try w.dun(["--format", "csv", "-e", "customers where id = \"C1\" | select notes"]).out == "notes\r\n[回电]\r\n")
        let before = try w.dun(["-e", "customers where on_hold or last_reminder is not null | count"], asOf: "2026-11-27")
        #expect(before.out == "0\n")
        // Within 7 days no customer reminded on 2026-11-28 is reminded by email again, by any
        // rule (C4's invoice is now for the firm reminder), nor called; after, they are.
        func planned(_ asOf: String) throws -> [String] {
            let r = try w.dun(["--format", "csv", "run", "standard.dun"], asOf: asOf)
            return r.out.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",").prefix(4).joined(separator: ",") }
        }
        // Nor is credit held again while it is on hold (C2, C3).
        #expect(try planned("2026-12-04") == ["dunning,gentle,remind,C1", "dunning,call,call,C3", "dunning,hold,hold credit,C6"])
        #expect(
            try planned("2026-12-05") == [
                "dunning,gentle,remind,C1", "dunning,firm,remind,C4", "dunning,call,call,C3", "dunning,hold,hold credit,C6",
            ])
    }

    @Test func theActionsEntityIsTheJournalAsOfTheDate() throws {
        let w = try ApplyTests.Workspace()
        #expect(try w.dun(["run", "standard.dun", "--apply", "--as", "王芳"]).status == 0)
        let grouped = try w.dun([
            "-e", "actions where date > today - 7 days | group by action aggregate n = count(), total = sum(amount)",
        ])
        #expect(
            grouped.out == """
                action       n      total
                -----------  -  ---------
                call         1  45,000.00
                escalate     1  40,000.00
                hold credit  2  70,000.00
                remind       2  85,000.00
                (4 rows)

                """, "\(grouped.err)")
        let joined = try w.dun([
            "--format", "csv", "-e", "actions where channel = \"email\" | select id, who, customer.name, invoices",
        ])
        #expect(
            joined.out == "id,who,customer.name,invoices\r\n1,王芳,\"\"\"Golden Dragon\"\" Trading\",I08\r\n2,王芳,深圳鹏达电子,I06\r\n")
        #expect(try w.dun(["-e", "actions | count"], asOf: "2026-11-27").out == "0\n")
    }

    /// What collectors record is planned, applied, and then pauses or resumes dunning.
    @Test func promisesAndDisputesPauseReminders() throws {
        let w = try ApplyTests.Workspace()
        func reminded(_ asOf: String) throws -> [String] {
            let r = try w.dun(["--format", "csv", "run", "standard.dun"], asOf: asOf)
            return r.out.split(separator: "\r\n").dropFirst().filter { $0.contains(",remind,") }.map {
                $0.split(separator: ",").prefix(4).joined(separator: ",")
            }
        }
        #expect(try reminded("2026-11-28") == ["dunning,gentle,remind,C4", "dunning,firm,remind,C3"])
        let records = "record promise \"C4\" 60000 CNY by 2026-12-10\nrecord dispute \"I06\" \"数量不符\"\n"
        let recorded = try runDun(["--data", w.folder.path, "--as-of", "2026-11-28", "run", "-", "--apply"], stdin: records)
        #expect(recorded.status == 0 && recorded.err == "applied 2 actions to the journal\n", "\(recorded.err)")
        // The promise pauses C4's reminder until its day; the dispute C3's for I06.
        #expect(try reminded("2026-11-28") == [])
        #expect(try w.dun(["-e", "invoices where disputed | count"]).out == "3\n")
        // The day after the promised day, not kept: the reminders resume.
        #expect(try reminded("2026-12-11") == ["dunning,gentle,remind,C1", "dunning,gentle,remind,C5", "dunning,firm,remind,C4"])
        let resolved = try runDun(
            ["--data", w.folder.path, "--as-of", "2026-11-29", "-e", "resolve dispute \"I06\"", "--apply"])
        #expect(resolved.status == 0, "\(resolved.err)")
        #expect(try w.dun(["-e", "invoices where disputed | count"], asOf: "2026-11-29").out == "2\n")
    }

    @Test func tagsAreReplayedAndNotGivenTwice() throws {
        let w = try ApplyTests.Workspace()
        let tag = ["-e", "customers where grade <= D | tag \"watch\"", "--apply"]
        #expect(try w.dun(tag).err == "applied 2 actions to the journal\n")
        #expect(try w.dun(tag, asOf: "2026-11-29").err == "applied 0 actions to the journal\n")
        #expect(try w.dun(["-e", "customers where tags contains \"watch\" | count"]).out == "2\n")
        #expect(try w.dun(["-e", "customers where id = \"C3\" | untag \"watch\"", "--apply"], asOf: "2026-11-29").status == 0)
        #expect(
            try w.dun(["--format", "csv", "-e", "customers where tags contains \"watch\" | select id"], asOf: "2026-11-29").out
                == "id\r\nC4\r\n")
        // As of the day before the untag, C3 still has it.
        #expect(try w.dun(["-e", "customers where tags contains \"watch\" | count"]).out == "2\n")
    }

    /// promises.csv and disputes.csv pause reminders as recorded ones do.
    @Test func promisesAndDisputesFromTheirFiles() throws {
        let w = try ApplyTests.Workspace()
        try Data("id,customer_id,invoice_id,amount,made_on,promised_by\nP1,C4,,60000.00,2026-11-20,2026-12-10\n".utf8)
            .write(to: w.folder.appendingPathComponent("promises.csv"))
        try Data("id,invoice_id,opened,reason,resolved_on\nD1,I06,2026-11-01,数量不符,\n".utf8)
            .write(to: w.folder.appendingPathComponent("disputes.csv"))
        let plan = try w.dun(["--format", "csv", "run", "standard.dun"])
        #expect(plan.status == 0, "\(plan.err)")
        #expect(!plan.out.contains(",remind,"), "\(plan.out)")
        #expect(try w.dun(["-e", "invoices where disputed | count"]).out == "3\n")
        let why = try w.dun(["-e", "why \"I08\" in dunning"])
        #expect(why.out.contains("gentle  I08  wins, but the reminder waits for a promise or a plan being kept"), "\(why.out)")
    }

    /// An instalment plan being kept pauses the reminders about its invoices; a missed
    /// instalment resumes them.
    @Test func aPlanBeingKeptPausesReminders() throws {
        let w = try ApplyTests.Workspace()
        try Data("policy p {\n  rule r: invoices where days_overdue > 0 => remind via email template \"gentle\"\n}\n".utf8)
            .write(to: w.folder.appendingPathComponent("p.dun"))
        func reminded(_ asOf: String) throws -> [String] {
            let r = try w.dun(["--format", "csv", "run", "p.dun"], asOf: asOf)
            return r.out.split(separator: "\r\n").dropFirst().map { String($0.split(separator: ",")[3]) }
        }
        #expect(try reminded("2026-11-28") == ["C2", "C3", "C4", "C6"])
        let offer = ["-e", "customers where id = \"C4\" | offer plan 3 installments every 1 month", "--apply"]
        #expect(try w.dun(offer).status == 0)
        #expect(try reminded("2026-11-28") == ["C2", "C3", "C6"])
        // The invoices on the plan say so while it is kept (what the forecast leaves undated).
        let onPlan = ["--format", "csv", "-e", "invoices where on_plan | select customer_id, promised_by"]
        #expect(try w.dun(onPlan, asOf: "2026-11-28").out.hasPrefix("customer_id,promised_by\r\nC4,\r\n"))
        #expect(try w.dun(onPlan, asOf: "2026-12-29").out == "customer_id,promised_by\r\n")
        // The first instalment falls due on 2026-12-28 and is not paid: the plan is broken.
        #expect(try reminded("2026-12-27") == ["C1", "C2", "C3", "C5", "C6"])
        #expect(try reminded("2026-12-29") == ["C1", "C2", "C3", "C4", "C5", "C6"])
    }

    /// A plan's instalments are what the forecast expects of its invoices: each one still owed
    /// on its day, payments going to the earliest first; once broken, the invoices are
    /// forecast by their customer's pattern again. Worked by hand on fixtures/forecast.
    @Test func anInstalmentPlanIsForecastByItsInstalments() throws {
        let w = try ApplyTests.Workspace(fixture: "forecast")
        try Data("import forecast\nforecast.weekly(invoices, 6)\nforecast.later(invoices, 6)\n".utf8)
            .write(to: w.folder.appendingPathComponent("f.dun"))
        // K1's open invoices A1, A2 and A9 (1,000 + 2,000 + 600; not the credit note A8): three
        // instalments of 1,200, a month apart from the day offered.
        let offer = ["-e", "customers where id = \"K1\" | offer plan 3 installments every 1 month", "--apply"]
        #expect(try w.dun(offer, asOf: "2026-06-30").status == 0)
        let instalments = ["--format", "csv", "-e", "instalments | select number, due, amount, owed, kept, status"]
        #expect(
            try w.dun(instalments, asOf: "2026-06-30").out
                == "number,due,amount,owed,kept,status\r\n1,2026-07-30,1200.00,1200.00,true,open\r\n"
                + "2,2026-08-30,1200.00,1200.00,true,open\r\n3,2026-09-30,1200.00,1200.00,true,open\r\n")
        // Weeks to Sunday from Tuesday 06-30: A3 (K2's pattern) on 07-01; A5 and A6 promised by
        // 07-08; the first instalment on 07-30. The other two (2,400) come later. A2's promise
        // gives way to the plan.
        #expect(
            try w.dun(["--format", "csv", "run", "f.dun"], asOf: "2026-06-30").out
                == "week,invoices,instalments,amount\r\n2026-07-05,1,0,500.00\r\n2026-07-12,2,0,700.00\r\n"
                + "2026-07-19,0,0,0.00\r\n2026-07-26,0,0,0.00\r\n2026-08-02,0,1,1200.00\r\n2026-08-09,0,0,0.00\r\n"
                + "\r\n2400.00\r\n")
        // 1,000 paid on A1 on 07-10 goes to the first instalment: 200 of it is still owed.
        let payments = w.folder.appendingPathComponent("payments.csv")
        try (String(contentsOf: payments, encoding: .utf8) + "P4,K1,A1,2026-07-10,1000.00\n").write(
            to: payments, atomically: true, encoding: .utf8)
        #expect(try w.dun(instalments, asOf: "2026-07-15").out.contains("\r\n1,2026-07-30,1200.00,200.00,true,open\r\n"))
        // On 08-05 the first instalment is late: the plan is broken, and its open invoices go by
        // their customer's pattern again (A2's promise expired on 07-20; A1 is paid).
        #expect(try w.dun(instalments, asOf: "2026-08-05").out.contains("\r\n1,2026-07-30,1200.00,200.00,false,late\r\n"))
        let expected = [
            "--format", "csv", "-e", "import forecast\nforecast.expected(invoices where customer_id = \"K1\") | select id, basis",
        ]
        #expect(try w.dun(expected, asOf: "2026-08-05").out == "id,basis\r\nA2,pattern\r\nA9,pattern\r\n")
    }

    /// promises: what was paid toward each, and whether it was kept, as of the date.
    @Test func promisesAreKeptOpenOrBroken() throws {
        let w = try ApplyTests.Workspace()
        try Data(
            "id,customer_id,invoice_id,amount,made_on,promised_by\nP1,C1,I01,500.00,2026-09-10,2026-09-30\nP3,C2,I03,30000,2026-10-01,2026-10-31\n"
                .utf8
        ).write(to: w.folder.appendingPathComponent("promises.csv"))
        // A bare number is in the customer's currency (README's example wrote 50k and failed).
        #expect(try w.dun(["-e", "record promise \"C4\" 60k by 2026-12-10", "--apply"]).status == 0)
        let r = try w.dun(["--format", "csv", "-e", "promises | select customer_id, invoice_id, amount, paid, kept, status"])
        #expect(
            r.out == "customer_id,invoice_id,amount,paid,kept,status\r\nC1,I01,500.00,120000.00,true,kept\r\n"
                + "C2,I03,30000.00,0.00,false,broken\r\nC4,,60000.00,0.00,false,open\r\n", "\(r.err)")
        // As of before the promise to C4 was recorded, it is not there yet.
        #expect(try w.dun(["-e", "promises | count"], asOf: "2026-11-27").out == "2\n")
    }

    /// contacts.csv is read with the workspace: a contact of no customer, or of one not in the
    /// export, is an error at its cell, every one of them told.
    @Test func contactsAreCheckedAtTheirCells() throws {
        let w = try ApplyTests.Workspace()
        try Data("customer_id,name,role,email\nC1,Li,Billing,li@c1.example\nC9,Wu,billing,wu@c9.example\n,Ma,,\n".utf8)
            .write(to: w.folder.appendingPathComponent("contacts.csv"))
        let r = try w.dun(["-e", "contacts | count"])
        #expect(r.status == 1)
        #expect(r.err.contains("./contacts.csv:3:1: error: no customer 'C9' in customers.csv\n"), "\(r.err)")
        #expect(r.err.contains("./contacts.csv:4:1: error: a contact needs the customer's id\n"), "\(r.err)")
        try Data("customer_id,name,role,email\nC1,Li,Billing,li@c1.example\n".utf8)
            .write(to: w.folder.appendingPathComponent("contacts.csv"))
        // The role is read in lower case.
        #expect(try w.dun(["-e", "customers where id = \"C1\" | select contacts.role"]).out.contains("[billing]"))
    }

    @Test func recordsAreChecked() throws {
        let w = try ApplyTests.Workspace()
        let cases: [(String, String)] = [
            ("record promise \"C9\" 5 CNY by 2026-12-10", "no customer 'C9'"),
            ("record promise \"C4\" 5 USD by 2026-12-10", "customer 'C4' pays in CNY, not USD"),
            ("record promise \"C4\" 5 CNY by 2026-11-01", "the day promised is before the as-of date, 2026-11-28"),
            ("record promise \"C4\" for \"I01\" 5 CNY by 2026-12-10", "invoice 'I01' is not customer 'C4's"),
            ("record promise \"C4\" 0 CNY by 2026-12-10", "a promise is of an amount above zero"),
            ("record promise \"C4\" 12.345 by 2026-12-10", "12.345 is not an amount of CNY"),
            ("record promise \"C4\" \"50k\" by 2026-12-10", "expected the amount promised, found text"),
            ("record dispute \"I13\" \"x\"", "no invoice 'I13' as of 2026-11-28"),
            ("resolve dispute \"I01\"", "invoice 'I01' is not disputed"),
        ]
        for (text, message) in cases {
            let r = try w.dun(["-e", text, "--apply"])
            #expect(r.status == 1, "\(text)")
            #expect(r.err.contains("error: \(message)"), "\(text): \(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: w.folder.appendingPathComponent(".dun").path))
    }

    @Test func aRunWithAnErrorAppliesNothing() throws {
        let w = try Workspace()
        let bad = "policy p {\n  rule r: invoices where days_overdue > 0 => remind via email when 1 / (amount - amount) > 0\n}\n"
        try Data(bad.utf8).write(to: w.folder.appendingPathComponent("bad.dun"))
        let r = try w.dun(["run", "bad.dun", "--apply"])
        #expect(r.status == 1)
        #expect(r.err.hasSuffix("nothing applied: the run had errors\n"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: w.folder.appendingPathComponent(".dun/journal.sqlite").path))
    }

    /// Two processes applying at once: each action is journaled by exactly one of them.
    /// `dun run standard.dun --apply` in each of `folders`, all at once: each one's status and
    /// what it said on standard error.
    static func applyAtOnce(_ folders: [Workspace]) throws -> [(Int32, String)] {
        let runs = folders.map { w in
            let p = Process()
            p.executableURL = Paths.executable
            p.arguments = [
                "run", "--data", w.folder.path, "--as-of", "2026-11-28", "--apply",
                w.folder.appendingPathComponent("standard.dun").path,
            ]
            let err = Pipe()
            p.standardOutput = FileHandle.nullDevice
            p.standardError = err
            return (p, err)
        }
        for (p, _) in runs { try p.run() }
        return runs.map { p, err in
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
    }

    @Test func twoAppliesAtOnceNeverBothAdd() throws {
        let w = try Workspace()
        let said = try ApplyTests.applyAtOnce([w, w])
        #expect(said.allSatisfy { $0.0 == 0 }, "\(said)")
        // The other found the actions journaled as it committed, or (starting later) planned
        // none of them: the cooldowns and the holds saw them already.
        #expect(said.filter { $0.1.hasPrefix("applied 6 actions to the journal\n") }.count == 1, "\(said)")
        #expect(said.filter { $0.1.hasPrefix("applied 0 actions to the journal") }.count == 1, "\(said)")
        #expect(try w.journal().count == 7)
    }

    // Was "cannot use the journal: unable to open database file": a query opened the journal
    // to write, which a workspace one may only read does not allow.
    @Test func aWorkspaceWithAJournalThatCannotBeWrittenCanBeQueried() throws {
        let w = try Workspace()
        #expect(try w.dun(["run", "standard.dun", "--apply"]).status == 0)
        let folder = w.folder.path
        func chmod(_ mode: String) throws {
            let p = try Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", mode, folder])
            p.waitUntilExit()
        }
        try chmod("a-w")
        defer { try? chmod("u+w") }
        // Permissions do not bind root: then the commands run as nobody. The standard ladder
        // held two customers.
        let asNobody = getuid() == 0 ? ["--reuid=65534", "--regid=65534", "--clear-groups", Paths.executable.path] : []
        func dun(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
            guard !asNobody.isEmpty else { return try w.dun(arguments) }
            return try runDun(
                asNobody + ["--as-of", "2026-11-28"] + arguments, in: w.folder, program: URL(fileURLWithPath: "/usr/bin/setpriv"))
        }
        let query = try dun(["-e", "customers where on_hold | count"])
        #expect(query.status == 0, "\(query.err)")
        #expect(query.out == "2\n")
        let journal = try dun(["journal", "--format", "csv"])
        #expect(journal.status == 0, "\(journal.err)")
        #expect(journal.out.split(separator: "\r\n").count == 7)
        // Applying needs to write, and says so.
        let apply = try dun(["run", "standard.dun", "--apply"])
        #expect(apply.status == 1)
        #expect(!FileManager.default.fileExists(atPath: folder + "/.dun/journal.sqlite-shm") || getuid() != 0)
    }

    @Test func theJournalIsCheckedAndEntriesAboutCustomersGoneAreNamed() throws {
        let w = try Workspace()
        #expect(try w.dun(["run", "standard.dun", "--apply"]).status == 0)
        let sound = try w.dun(["journal", "--check"])
        #expect(sound.status == 0)
        #expect(sound.err == "the journal is sound: 6 entries\n")
        // C6 gone from the export: its call (entry 3) bears on no one, and a warning says so.
        for file in ["customers.csv", "invoices.csv", "payments.csv"] {
            let url = w.folder.appendingPathComponent(file)
            let kept = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.contains("C6,") }
            try Data((kept.joined(separator: "\n") + "\n").utf8).write(to: url)
        }
        let query = try w.dun(["-e", "actions | count"])
        #expect(query.out == "6\n")
        #expect(
            query.err.hasSuffix(
                "/.dun/journal.sqlite: warning: 1 journal entry is about customers not in customers.csv (3); replayed on no one\n"
                    + "hint: `dun journal --check` says whether the journal is damaged\n"), "\(query.err)")
        // An entry changed behind Dun's back: the load stops, and --check names it.
        let db = w.folder.appendingPathComponent(".dun/journal.sqlite").path
        try SQLite(path: db, flags: SQLITE_OPEN_READWRITE).execute("UPDATE entry SET amount = '1.00 CNY' WHERE id = 2")
        let load = try w.dun(["-e", "customers | count"])
        #expect(load.status == 1)
        #expect(load.err.contains("error: the journal is damaged: entry 2 does not match its checksum"), "\(load.err)")
        let damaged = try w.dun(["journal", "--check"])
        #expect(damaged.status == 1)
        #expect(
            damaged.err.hasSuffix(
                "/.dun/journal.sqlite: error: entry 2 does not match its checksum: it was changed after it was written\n"))
    }

    // Was as written: a note "=1+1" went out to the journal's CSV as a formula.
    @Test func theJournalsCSVDefusesFormulas() throws {
        let w = try Workspace()
        #expect(try w.dun(["-e", #"record note "C1" "=HYPERLINK(\"http://x\")""#, "--apply"]).status == 0)
        let csv = try w.dun(["journal", "--format", "csv"])
        #expect(csv.out.contains(",\"'=HYPERLINK(\"\"http://x\"\")\",done\r\n"), "\(csv.out)")
        let raw = try w.dun(["journal", "--format", "csv-raw"])
        #expect(raw.out.contains(",\"=HYPERLINK(\"\"http://x\"\")\",done\r\n"), "\(raw.out)")
    }

    @Test func theJournalCommandFiltersAndRefusesAMissingFolder() throws {
        let w = try Workspace()
        #expect(try w.dun(["run", "standard.dun", "--apply"], asOf: "2026-11-20").status == 0)
        #expect(try w.dun(["run", "standard.dun", "--apply"], asOf: "2026-11-28").status == 0)
        let all = try w.journal()
        let since = try runDun(["journal", "--data", w.folder.path, "--since", "2026-11-21", "--format", "csv"])
        let rows = since.out.split(separator: "\r\n")
        #expect(rows.count > 1 && rows.count < all.count)
        #expect(rows.dropFirst().allSatisfy { $0.contains(",2026-11-28,") })
        let missing = try runDun(["journal", "--data", w.folder.appendingPathComponent("nope").path])
        #expect(missing.status == 1)
        #expect(missing.err.contains("no workspace folder"))
        // No journal yet: an empty trail, and no journal made.
        let fresh = try Workspace()
        #expect(
            try fresh.journal()
                == ["id,at,who,as_of,policy,rule,action,customer,invoices,channel,template,amount,detail,status"].map {
                    var cells = $0.split(separator: ",")
                    cells.remove(at: 1)
                    return cells.joined(separator: ",")
                })
        #expect(!FileManager.default.fileExists(atPath: fresh.folder.appendingPathComponent(".dun").path))
    }
}

/// The collectors' worklist: the open calls and visits, and their outcomes.
@Suite struct WorklistTests {
    @Test func tasksAreListedUntilTheirOutcomeIsRecorded() throws {
        let w = try ApplyTests.Workspace()
        #expect(try w.dun(["run", "standard.dun", "--apply"]).status == 0)
        let list = try w.dun(["worklist", "--format", "csv"])
        #expect(list.status == 0, "\(list.err)")
        #expect(
            list.out == "task,action,collector,customer,name,phone,invoices,amount,rule,as_of\r\n"
                + "3,call,李强,C6,北京长城机械,,I12,45000.00,call,2026-11-28\r\n")
        #expect(try w.dun(["worklist", "--collector", "王芳", "--format", "csv"]).out.split(separator: "\r\n").count == 1)

        let done = try w.dun(["done", "3", "答应周五付款", "--as", "李强"], asOf: "2026-11-29")
        #expect(done.status == 0 && done.err == "task 3 done\n", "\(done.err)")
        #expect(try w.dun(["worklist", "--format", "csv"]).out.split(separator: "\r\n").count == 1)
        let journal = try w.journal()
        #expect(journal.last == "7,李强,2026-11-29,dunning,call,outcome,C6,I12,,,,task 3 (call): 答应周五付款,done")
        #expect(journal[3].hasSuffix(",李强,done"))
        // Again: said, and nothing new (it used to say "task 3 done" and record nothing). A reminder is no task.
        let again = try w.dun(["done", "3", "again"])
        #expect(again.status == 1)
        #expect(
            again.err.contains("error: task 3 is already done: task 3 (call): 答应周五付款\nhint: its outcome is entry 7"),
            "\(again.err)")
        #expect(try w.journal() == journal)
        let notATask = try w.dun(["done", "1", "x"])
        #expect(notATask.status == 1 && notATask.err.contains("there is no call or visit task 1"))
    }

    /// kpi counts each collector's tasks and outcomes from the journal: C6 is 李强's.
    @Test func theCollectorsTasksCountInTheirKPIs() throws {
        let w = try ApplyTests.Workspace()
        #expect(try w.dun(["run", "standard.dun", "--apply"]).status == 0)
        let query = [
            "--format", "csv", "-e",
            "import kpi\nkpi.report(30 days) | select collector, tasks_done, tasks_open\nkpi.outcomes(actions, 30 days)",
        ]
        let before = try w.dun(query, asOf: "2026-11-29")
        #expect(before.out.hasPrefix("collector,tasks_done,tasks_open\r\n"), "\(before.err)")
        #expect(
            before.out.contains("李强,0,1\r\n") && before.out.hasSuffix("collector,customer_id,date,outcome\r\n"), "\(before.out)")
        // `policy` and `rule` are fields of the actions, though they start statements too.
        let fields = try w.dun(["--format", "csv", "-e", "actions where rule = \"call\" | select policy, rule, action"])
        #expect(fields.out == "policy,rule,action\r\ndunning,call,call\r\n", "\(fields.out)\(fields.err)")
        // Done a week after it was planned: it counts in the week it was done, not planned.
        #expect(try w.dun(["done", "3", "答应周五付款", "--as", "李强"], asOf: "2026-12-05").status == 0)
        let after = try w.dun(query, asOf: "2026-12-05")
        #expect(after.out.contains("李强,1,0\r\n"), "\(after.out)")
        #expect(
            after.out.hasSuffix("collector,customer_id,date,outcome\r\n李强,C6,2026-12-05,task 3 (call): 答应周五付款\r\n"),
            "\(after.out)")
        let week = ["-e", "import kpi\nkpi.tasks_done(actions, 7 days)"]
        let r = try w.dun(week, asOf: "2026-12-05")
        #expect(r.out == "1\n", "\(r.out)\(r.err)")
        #expect(try w.dun(week, asOf: "2026-12-13").out == "0\n")
    }
}

/// `apply` in the shell commits the plan just shown.
@Suite struct ShellApplyTests {
    @Test func applyCommitsThePlanJustShownOnce() throws {
        let w = try ApplyTests.Workspace()
        let day = try #require(Day(iso: "2026-11-28"))
        let session = try Session.open(directory: w.folder.path, asOf: day)
        var out = ""
        var err = ""
        let console = REPL.Console(write: { out += $0 }, error: { err += $0 })
        let repl = REPL(
            session: session, directory: w.folder.path, settings: REPL.Settings(interactive: true, who: "李强"),
            console: console)
        repl.read("apply")
        #expect(err.hasPrefix("error: no plan to apply"))
        err = ""
        repl.read("plan dunning")
        // Each customer at its highest level: C3's firm reminder gives way to its hold.
        #expect(
            out.hasSuffix(
                "(5 actions: remind 1 · call 1 · escalate 1 · hold credit 2)\n"
                    + "(rule firm leaves 1 customer to a later rule, at the highest level an invoice of theirs reached: C3)\n"),
            "\(out)")
        repl.read("apply")
        #expect(err == "applied 5 actions to the journal\nwrote 1 message to outbox/\n")
        err = ""
        repl.read("apply")
        #expect(err.hasPrefix("error: no plan to apply"))
        #expect(try w.journal().dropFirst().allSatisfy { $0.hasPrefix("\($0.prefix { $0 != "," }),李强,") })
        // The call to C6 is task 2 on the worklist; .done closes it.
        err = ""
        repl.read(".done 2 \"答应周五付款 5 万\"")
        #expect(err == "task 2 done\n")
        #expect(try w.journal().last?.hasSuffix(",task 2 (call): 答应周五付款 5 万,done") == true)
        err = ""
        repl.read(".done three x")
        #expect(err.hasPrefix("error: .done needs a task's number and its outcome"))
    }

    @Test func aLadderPerInvoiceActsOnEveryLevel() throws {
        let w = try ApplyTests.Workspace()
        #expect(ApplyTests.Workspace.ladderPerInvoice.contains("  levels per invoice\n"))
        let r = try w.dun(["run", "standard.dun"])
        #expect(r.out.contains("dunning  firm    remind       C3 "), "\(r.out)")
        #expect(r.out.hasSuffix("(6 actions: remind 2 · call 1 · escalate 1 · hold credit 2)\n"), "\(r.out)")
    }

    // Was "this session has no workspace folder to keep a journal in" after `.asof`, until
    // `.reload`; and a promise just applied was missing until `.reload`.
    @Test func asOfKeepsTheJournalAndShowsWhatWasJustApplied() throws {
        let w = try ApplyTests.Workspace()
        let session = try Session.open(directory: w.folder.path, asOf: try #require(Day(iso: "2026-11-28")))
        var out = ""
        var err = ""
        let repl = REPL(
            session: session, directory: w.folder.path, settings: REPL.Settings(interactive: true, who: "李强"),
            console: REPL.Console(write: { out += $0 }, error: { err += $0 }))
        repl.read(".asof 2026-11-29")
        repl.read("record promise \"C4\" ¥50k by 2026-12-15")
        err = ""
        repl.read("apply")
        #expect(err == "applied 1 action to the journal\n", "\(err)")
        out = ""
        repl.read("promises | select customer_id, amount, promised_by, status")
        #expect(out.contains("\nC4           50,000.00  2026-12-15   open\n"), "\(out)")
        repl.read(".asof 2026-11-30")
        out = ""
        repl.read("promises | count")
        #expect(out == "1\n", "\(out)")
    }
}
