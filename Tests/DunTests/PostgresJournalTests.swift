// The team's journal in PostgreSQL (`[journal] url`): workspace folders on several machines
// (here, several folders) record into one table, with the SQLite journal's guarantees.

@testable import Dun
import DunCore
import DunModel
import Foundation
import Testing

@Suite struct PostgresJournalTests {
    /// `count` workspace folders on the small fixture, each with the standard ladder and a
    /// dun.toml whose journal is the table `dun_journal` of `schema` on the test server.
    static func folders(_ count: Int, schema: String) throws -> [ApplyTests.Workspace] {
        try TestDatabase.sql("CREATE SCHEMA \(schema);\n")
        return try (0..<count).map { _ in
            let w = try ApplyTests.Workspace()
            try """
            [sender]
            email = "ar@example.com"

            [journal]
            url = "\(TestDatabase.url.get())?options=-csearch_path%3D\(schema)"

            """.write(to: w.folder.appendingPathComponent("dun.toml"), atomically: true, encoding: .utf8)
            return w
        }
    }

    /// The rows of `query` on the test server, as psql writes them unaligned.
    static func rows(_ query: String) throws -> [String] {
        let (status, out) = TestDatabase.run(
            ["psql", "-q", "-w", "-A", "-t", "-v", "ON_ERROR_STOP=1", try TestDatabase.url.get()], input: query)
        #expect(status == 0, "\(out)")
        return out.split(separator: "\n").map(String.init)
    }

    /// What one records, the others replay at their load and list in `dun journal`; none of
    /// them keeps a journal file of its own.
    @Test func everyFolderReadsTheOneJournal() throws {
        let schema = TestDatabase.schema()
        let (a, b) = try { () throws -> (ApplyTests.Workspace, ApplyTests.Workspace) in
            let f = try PostgresJournalTests.folders(2, schema: schema)
            return (f[0], f[1])
        }()
        let tag = ["-e", "customers where id = \"C4\" | tag \"watch\"", "--apply"]
        let first = try a.dun(tag)
        #expect(first.status == 0 && first.err == "applied 1 action to the journal\n", "\(first.err)")
        #expect(
            try b.dun(["--format", "csv", "-e", "customers where id = \"C4\" | select id, tags"]).out
                == "id,tags\r\nC4,[watch]\r\n")
        // Given already, as B's load replays: not planned again.
        #expect(try b.dun(tag).err == "applied 0 actions to the journal\n")
        let journal = try b.journal()
        #expect(
            journal.count == 2 && journal[1].hasPrefix("1,") && journal[1].hasSuffix(",tag,C4,I08,,,60000.00,watch,done,"),
            "\(journal)")
        #expect(try a.journal() == journal)
        for w in [a, b] {
            #expect(!FileManager.default.fileExists(atPath: w.folder.appendingPathComponent(".dun/journal.sqlite").path))
        }
        #expect(try PostgresJournalTests.rows("SELECT count(*) FROM \(schema).dun_journal") == ["1"])
    }

    /// Four processes apply the same policies at once, from four folders: each action is
    /// recorded once, by one of them; the others find it there (or, later, plan none).
    @Test func severalProcessesApplyingAtOnceRecordEachActionOnce() throws {
        let schema = TestDatabase.schema()
        let folders = try PostgresJournalTests.folders(4, schema: schema)
        let said = try ApplyTests.applyAtOnce(folders)
        #expect(said.allSatisfy { $0.0 == 0 }, "\(said)")
        #expect(said.filter { $0.1.hasPrefix("applied 6 actions to the journal\n") }.count == 1, "\(said)")
        #expect(said.filter { $0.1.hasPrefix("applied 0 actions to the journal") }.count == 3, "\(said)")
        #expect(try PostgresJournalTests.rows("SELECT count(*), count(DISTINCT key) FROM \(schema).dun_journal") == ["6|6"])
        #expect(try PostgresJournalTests.rows("SELECT min(id), max(id) FROM \(schema).dun_journal") == ["1|6"])
    }

    /// Three folders apply at once, each delivering through a (slow) sendmail stand-in: each
    /// reminder is handed over once, by one of them. Delivery takes a lock every machine
    /// sharing the journal sees, and reads what is queued only once it has it.
    @Test func remindersQueuedInTheSharedJournalAreSentOnce() throws {
        let folders = try PostgresJournalTests.folders(3, schema: TestDatabase.schema())
        let shared = FileManager.default.temporaryDirectory.appendingPathComponent("dun-pg-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: shared) }
        let stub = shared.appendingPathComponent("sendmail").path
        try """
        #!/bin/sh
        id=$(grep -m1 '^Message-ID:' | tr -d '\\r<>' | cut -d' ' -f2)
        sleep 0.3
        echo "$id" >> "\(shared.path)/took.log"

        """.write(toFile: stub, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stub)
        for w in folders {
            let toml = w.folder.appendingPathComponent("dun.toml")
            try (String(contentsOf: toml, encoding: .utf8) + "[delivery]\ncommand = [\"\(stub)\"]\n").write(
                to: toml, atomically: true, encoding: .utf8)
        }
        let said = try ApplyTests.applyAtOnce(folders)
        #expect(said.allSatisfy { $0.0 == 0 }, "\(said)")
        let took = try String(contentsOf: shared.appendingPathComponent("took.log"), encoding: .utf8).split(separator: "\n")
        #expect(took.count == 2 && Set(took).count == 2, "\(took)")
    }

    /// A reminder is delivered by the outbox of the folder that applied it, not by every
    /// folder sharing the journal: A, with no delivery command, writes its e-mails to its
    /// outbox for a person to send; B, with one, sends none of them and writes none, and
    /// `dun journal` names A's outbox. Given a command, A sends them. (Before, B sent them
    /// too: the customer had each twice.)
    @Test func aReminderIsDeliveredByTheOutboxOfTheFolderThatAppliedIt() throws {
        let schema = TestDatabase.schema()
        let (a, b) = try { () throws -> (ApplyTests.Workspace, ApplyTests.Workspace) in
            let f = try PostgresJournalTests.folders(2, schema: schema)
            return (f[0], f[1])
        }()
        let shared = FileManager.default.temporaryDirectory.appendingPathComponent("dun-pg-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: shared) }
        let stub = shared.appendingPathComponent("sendmail").path
        try "#!/bin/sh\ngrep -m1 '^Message-ID:' >> \"\(shared.path)/took.log\"\n".write(
            toFile: stub, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stub)
        func deliver(_ w: ApplyTests.Workspace) throws {
            let toml = w.folder.appendingPathComponent("dun.toml")
            try (String(contentsOf: toml, encoding: .utf8) + "[delivery]\ncommand = [\"\(stub)\"]\n").write(
                to: toml, atomically: true, encoding: .utf8)
        }
        func outbox(_ w: ApplyTests.Workspace) -> [String] {
            (try? FileManager.default.contentsOfDirectory(atPath: w.folder.appendingPathComponent("outbox").path).sorted()) ?? []
        }
        let ladder = { (w: ApplyTests.Workspace) in
            try w.dun(["run", "--apply", w.folder.appendingPathComponent("standard.dun").path])
        }
        let first = try ladder(a)
        #expect(first.status == 0 && first.err.contains("wrote 2 messages to outbox/"), "\(first.err)")
        let written = outbox(a)
        #expect(written.count == 2, "\(written)")
        let name = try String(contentsOf: a.folder.appendingPathComponent(".dun/outbox-name"), encoding: .utf8)
        #expect(name.hasSuffix(":" + a.folder.standardizedFileURL.appendingPathComponent("outbox").path + "\n"), "\(name)")

        try deliver(b)
        let second = try ladder(b)
        #expect(second.status == 0 && !second.err.contains("sent") && !second.err.contains("wrote"), "\(second.err)")
        #expect(outbox(b).isEmpty && !FileManager.default.fileExists(atPath: shared.appendingPathComponent("took.log").path))
        let reminders = try b.journal().filter { $0.contains(",remind,") }
        #expect(reminders.count == 2 && reminders.allSatisfy { $0.hasSuffix(",queued," + name.dropLast()) }, "\(reminders)")

        try deliver(a)
        let third = try ladder(a)
        #expect(third.status == 0 && third.err.contains("sent 2 messages"), "\(third.err)")
        let took = try String(contentsOf: shared.appendingPathComponent("took.log"), encoding: .utf8)
        #expect(took.split(whereSeparator: \.isNewline).count == 2, "\(took)")
        #expect(outbox(a) == written)
    }

    /// A shared journal of version 2 (before outboxes) is read as it is, and brought to
    /// version 3 by the first apply, its entries' checksums still holding.
    @Test func aVersion2JournalInTheDatabaseIsUpgraded() throws {
        let schema = TestDatabase.schema()
        let w = try PostgresJournalTests.folders(1, schema: schema)[0]
        #expect(try w.dun(["-e", "customers where id = \"C4\" | tag \"watch\"", "--apply"]).status == 0)
        try TestDatabase.sql(
            "ALTER TABLE \(schema).dun_journal DROP COLUMN outbox; COMMENT ON TABLE \(schema).dun_journal IS 'Dun journal, version 2';\n"
        )
        let check = try runDun(["journal", "--check", "--data", w.folder.path])
        #expect(check.status == 0 && check.err == "the journal is sound: 1 entry\n", "\(check.err)")
        #expect(try w.dun(["-e", "customers where id = \"C4\" | tag \"vip\"", "--apply"]).status == 0)
        #expect(
            try PostgresJournalTests.rows("SELECT obj_description('\(schema).dun_journal'::regclass, 'pg_class')")
                == ["Dun journal, version 3"])
        let after = try runDun(["journal", "--check", "--data", w.folder.path])
        #expect(after.status == 0 && after.err == "the journal is sound: 2 entries\n", "\(after.err)")
    }

    /// The journal's own calls on a PostgreSQL table, in batches larger than one statement
    /// takes: a commit adds only the keys it does not have (the first of two alike), ids in
    /// order; a batch of status changes made from entries read before one of them changed is
    /// refused whole, naming it; every entry reads back exactly and checks.
    @Test func commitsAndUpdatesGoInBatchesAndStayExact() throws {
        // Kept to the end: the folder goes with it.
        let workspace = try PostgresJournalTests.folders(1, schema: TestDatabase.schema())[0]
        defer { withExtendedLifetime(workspace) {} }
        let folder = workspace.folder.path
        #expect(try WorkspaceSettings.load(workspace: folder).journal != nil)
        let journal = try Journal.open(workspace: folder)
        func entry(_ key: String) throws -> Journal.Entry {
            Journal.Entry(
                who: "李强", at: "2026-11-29T08:30:00Z", asOf: try #require(Day(iso: "2026-11-28")), policy: "p", rule: "r",
                action: .remind, customer: "C4", invoices: ["I08", "I\"07"], channel: "email", template: "gentle",
                amount: Money(minor: 6_000_000, currency: .cny), detail: "第\(key)", status: .queued, key: key)
        }
        let first = try journal.commit((1...2500).map { try entry("k\($0)") })
        #expect(first.map(\.id) == (1...2500).map(Int64.init))
        let second = try journal.commit([try entry("k7"), try entry("new"), try entry("new"), try entry("k2501")])
        #expect(second.map(\.key) == ["new", "k2501"] && second.map(\.id) == [2501, 2502])
        let read = try Journal.open(workspace: folder).entries()
        #expect(read == first + second)

        try journal.update(id: 1200, status: .failed, detail: "exit 75")
        let stale = #expect(throws: Diagnostics.self) {
            try journal.update(read.map { Journal.StatusChange($0, status: .sent, detail: nil, messageID: "m\($0.id)@x") })
        }
        #expect(stale?.all.first?.message == "entry 1200 of the journal was changed or removed while it was being delivered")
        #expect(try journal.entries(status: .sent).isEmpty)
        let queued = try journal.entries(status: .queued)
        try journal.update(queued.map { Journal.StatusChange($0, status: .sent, detail: nil, messageID: "m\($0.id)@x") })
        let sent = try journal.entries(status: .sent)
        // Entry 1200 failed; the others were sent, each with its id, the detail cleared.
        #expect(sent.count == 2501 && !sent.contains { $0.id == 1200 })
        #expect(sent.allSatisfy { $0.messageID == "m\($0.id)@x" && $0.detail == nil && $0.invoices == ["I08", "I\"07"] })
        #expect(try journal.check() == [])
    }

    /// Another holding the write lock longer than the busy timeout: the commit says so, and
    /// the journal is usable again once the lock is let go (its transaction was rolled back).
    /// A text PostgreSQL cannot keep (a NUL character) fails the commit, recording nothing.
    @Test func aHeldLockAndATextWithNULAreTold() throws {
        // Kept to the end: the folder goes with it.
        let workspace = try PostgresJournalTests.folders(1, schema: TestDatabase.schema())[0]
        defer { withExtendedLifetime(workspace) {} }
        let folder = workspace.folder.path
        #expect(try WorkspaceSettings.load(workspace: folder).journal != nil)
        let journal = try Journal.open(workspace: folder, busyTimeout: .milliseconds(200))
        func entry(_ key: String, detail: String? = nil) throws -> Journal.Entry {
            Journal.Entry(
                who: "ops", at: "2026-11-29T08:30:00Z", asOf: try #require(Day(iso: "2026-11-28")), policy: "p", rule: "r",
                action: .call, customer: "C4", detail: detail, status: .open, key: key)
        }
        let url = try #require(try WorkspaceSettings.load(workspace: folder).journal?.url)
        let holder = try PostgresJournalDatabase(url: url, lockTimeout: .seconds(1))
        try holder.beginWriting()
        let held = #expect(throws: Diagnostics.self) { try journal.commit([entry("a")]) }
        #expect(held?.all.first?.message == "another `dun run --apply` holds the journal")
        try holder.execute("ROLLBACK")
        #expect(try journal.commit([entry("a")]).map(\.id) == [1])
        let nul = #expect(throws: Diagnostics.self) { try journal.commit([entry("b", detail: "exit\u{0}75")]) }
        #expect(nul?.all.first?.message.contains("a text holds a NUL character, which PostgreSQL cannot keep") == true)
        #expect(try journal.entries().map(\.key) == ["a"])
    }

    /// The worklist is the journal's: a task done from one folder is done in every other.
    @Test func aTaskDoneByOneCollectorIsDoneForAll() throws {
        let folders = try PostgresJournalTests.folders(2, schema: TestDatabase.schema())
        #expect(try folders[0].dun(["run", "standard.dun", "--apply"]).status == 0)
        let list = try folders[1].dun(["worklist", "--format", "csv"])
        #expect(
            list.out == "task,action,collector,customer,name,phone,invoices,amount,rule,as_of\r\n"
                + "3,call,李强,C6,北京长城机械,,I12,45000.00,call,2026-11-28\r\n", "\(list.err)")
        let done = try folders[1].dun(["done", "3", "答应周五付款", "--as", "李强"], asOf: "2026-11-29")
        #expect(done.status == 0 && done.err == "task 3 done\n", "\(done.err)")
        #expect(try folders[0].dun(["worklist", "--format", "csv"]).out.split(separator: "\r\n").count == 1)
        let again = try folders[0].dun(["done", "3", "again"])
        #expect(again.status == 1 && again.err.contains("error: task 3 is already done"), "\(again.err)")
    }

    /// An entry changed in the database after it was written is found by `dun journal
    /// --check`, and a load refuses the journal, naming the entry.
    @Test func anEntryChangedInTheDatabaseIsFound() throws {
        let schema = TestDatabase.schema()
        let w = try PostgresJournalTests.folders(1, schema: schema)[0]
        #expect(try w.dun(["-e", "customers where id = \"C4\" | tag \"watch\"", "--apply"]).status == 0)
        let sound = try runDun(["journal", "--check", "--data", w.folder.path])
        #expect(sound.status == 0, "\(sound.err)")
        try TestDatabase.sql("UPDATE \(schema).dun_journal SET detail = 'vip';\n")
        let check = try runDun(["journal", "--check", "--data", w.folder.path])
        #expect(check.status == 1 && check.err.contains("error: entry 1 does not match its checksum"), "\(check.err)")
        let load = try w.dun(["-e", "customers | count"])
        #expect(
            load.status == 1 && load.err.contains("error: the journal is damaged: entry 1 does not match its checksum"),
            "\(load.err)")
    }

    /// A table of the name that is not Dun's is refused, and left as it was.
    @Test func anotherTableOfTheNameIsLeftAlone() throws {
        let schema = TestDatabase.schema()
        let w = try PostgresJournalTests.folders(1, schema: schema)[0]
        try TestDatabase.sql(
            "CREATE TABLE \(schema).dun_journal (note text); INSERT INTO \(schema).dun_journal VALUES ('mine');\n")
        for arguments in [["-e", "customers where id = \"C4\" | tag \"watch\"", "--apply"], ["-e", "customers | count"]] {
            let r = try w.dun(arguments)
            #expect(r.status == 1)
            #expect(r.err.contains("error: the database's table dun_journal is not a Dun journal"), "\(r.err)")
        }
        #expect(try PostgresJournalTests.rows("SELECT * FROM \(schema).dun_journal") == ["mine"])
    }

    /// `[journal] url` is a PostgreSQL URI without a password, told at its line.
    @Test func theJournalsURIIsChecked() {
        for (toml, message) in [
            ("[journal]\nurl = \"postgresql://ar:secret@db/erp\"\n", "t:2:1: error: dun.toml holds the database's password"),
            ("[journal]\nurl = \"/srv/journal.sqlite\"\n", "t:2:1: error: url is a PostgreSQL connection URI"),
            ("[journal]\n", "t:1:1: error: [journal] needs url"),
        ] {
            let result = Result { () throws(Diagnostics) in try WorkspaceSettings.parse(SourceText(name: "t", text: toml)) }
            guard case .failure(let errors) = result else {
                Issue.record("accepted: \(toml)")
                continue
            }
            #expect(errors.all.map(\.rendered).joined().hasPrefix(message), "\(errors.all.map(\.rendered))")
        }
    }
}
