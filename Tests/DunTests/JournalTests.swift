// The workspace journal: its file, exact round trips, idempotent commits, status updates,
// files that are not journals, and two writers at once.

import CSQLite
import DunCore
import DunModel
import Foundation
import Testing

@testable import Dun

@Suite struct JournalTests {
    /// A fresh workspace folder for `body`, removed afterwards.
    func withWorkspace(_ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try body(dir.path)
    }

    func journalPath(_ workspace: String) -> String { workspace + "/.dun/journal.sqlite" }

    func entry(_ key: String, asOf: String = "2026-11-28", status: EntryStatus = .done) throws -> Journal.Entry {
        Journal.Entry(
            who: "li.na", at: "2026-11-29T08:30:00Z", asOf: try #require(Day(iso: asOf)), policy: "standard",
            rule: "late", action: .call, customer: "C001", status: status, key: key)
    }

    /// The first message of what `body` throws, which must be Diagnostics about `path`.
    func failure(at path: String, _ body: () throws(Diagnostics) -> Void) -> Diagnostic? {
        let error = #expect(throws: Diagnostics.self) { try body() }
        #expect(error?.all.count == 1)
        #expect(error?.all.first?.file == path)
        return error?.all.first
    }

    /// A reader waits for a lock another connection holds for a moment (an apply closing its
    /// connection folds the WAL file into the journal under it), as a writer does, rather
    /// than fail at once as if an apply held the journal.
    @Test func aReaderWaitsForAMomentsLock() throws {
        try withWorkspace { dir in
            _ = try Journal.open(workspace: dir)
            // A connection in exclusive locking mode holds the file once it writes, until closed.
            nonisolated(unsafe) var held: SQLite? = try SQLite(path: journalPath(dir), flags: SQLITE_OPEN_READWRITE)
            try held?.execute("PRAGMA locking_mode = EXCLUSIVE; BEGIN IMMEDIATE; PRAGMA user_version = 3; COMMIT")
            let released = DispatchSemaphore(value: 0)
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(300)) {
                held = nil
                released.signal()
            }
            let journal = Result { () throws(Diagnostics) in try Journal.openIfPresent(workspace: dir) }
            released.wait()
            _ = held
            guard case .success(let opened) = journal else {
                Issue.record("the reader failed while the lock was held: \(journal)")
                return
            }
            #expect(opened != nil)
        }
    }

    @Test func openCreatesTheJournalInWALMode() throws {
        try withWorkspace { dir in
            _ = try Journal.open(workspace: dir)
            #expect(FileManager.default.fileExists(atPath: journalPath(dir)))
            // Asked on a connection of its own: WAL mode is kept in the file, not in one connection.
            let db = try SQLite(path: journalPath(dir), flags: SQLITE_OPEN_READWRITE)
            #expect(try db.value("PRAGMA journal_mode") == "wal")
        }
    }

    @Test func entriesRoundTripExactlyAndSurviveReopening() throws {
        try withWorkspace { dir in
            let all = [
                Journal.Entry(
                    who: "王小明", at: "2026-11-29T08:30:00Z", asOf: try #require(Day(iso: "2026-11-28")), policy: "标准催收",
                    rule: "逾期三十天", action: .remind, customer: "C058", invoices: ["INV-0042", "INV/2026/7", "发票\"甲\",乙"],
                    channel: "email", template: "first_notice", amount: Money(minor: 129_649_826, currency: .cny),
                    detail: "请于月底前付款\n谢谢",
                    messageID: "<C058.1@dun>", status: .queued, key: "standard/late/C058/2026-11-28"),
                Journal.Entry(
                    who: "", at: "2026-11-29T08:30:01Z", asOf: try #require(Day(iso: "2026-11-28")), policy: "",
                    rule: "", action: .tag, customer: "C001", status: .done, key: "k2"),
                Journal.Entry(
                    who: "ops", at: "2026-11-29T08:30:02Z", asOf: try #require(Day(iso: "2026-11-28")), policy: "p",
                    rule: "r", action: .holdCredit, customer: "C002", invoices: (1...500).map { "INV-\($0)" },
                    channel: nil, template: "", amount: Money(minor: 0, currency: try #require(Currency(code: "USD"))),
                    detail: "", status: .done, key: "k3"),
            ]
            let committed = try Journal.open(workspace: dir).commit(all)
            #expect(committed.map(\.id) == [1, 2, 3])
            #expect(
                committed.map {
                    var e = $0; e.id = 0; return e
                } == all)
            #expect(try Journal.open(workspace: dir).entries() == committed)
            #expect(try Journal.openIfPresent(workspace: dir)?.entries() == committed)
        }
    }

    @Test func committingTheSameEntriesTwiceJournalsThemOnce() throws {
        try withWorkspace { dir in
            let journal = try Journal.open(workspace: dir)
            let entries = try ["a", "b", "c"].map { try entry($0) }
            #expect(try journal.commit(entries).map(\.key) == ["a", "b", "c"])
            #expect(try journal.commit(entries) == [])
            #expect(try journal.entries().map(\.key) == ["a", "b", "c"])
        }
    }

    @Test func aPartlyJournaledCommitInsertsOnlyTheNewKeys() throws {
        try withWorkspace { dir in
            let journal = try Journal.open(workspace: dir)
            _ = try journal.commit([entry("a"), entry("b")])
            // "c" twice in one commit: the second is already journaled by the first.
            let added = try journal.commit([entry("b"), entry("c"), entry("a"), entry("c", status: .queued)])
            #expect(added.map(\.key) == ["c"])
            #expect(added.map(\.id) == [3])
            #expect(try journal.entries().map(\.key) == ["a", "b", "c"])
            #expect(try journal.entries().map(\.status) == [.done, .done, .done])
        }
    }

    @Test func updateSetsTheStatusAndDetail() throws {
        try withWorkspace { dir in
            let journal = try Journal.open(workspace: dir)
            let queued = try journal.commit([entry("a", status: .queued), entry("b", status: .queued)])
            try journal.update(id: queued[0].id, status: .failed, detail: "sendmail: exit 75")
            #expect(try journal.entries(status: .queued).map(\.key) == ["b"])
            #expect(try journal.entries(status: .failed).map(\.detail) == ["sendmail: exit 75"])
            try journal.update(id: queued[0].id, status: .sent, detail: nil)
            #expect(try journal.entries(status: .failed) == [])
            var sent = queued[0]
            sent.status = .sent
            #expect(try Journal.open(workspace: dir).entries(status: .sent) == [sent])

            let missing = failure(at: journalPath(dir)) { () throws(Diagnostics) in
                try journal.update(id: 99, status: .sent, detail: nil)
            }
            #expect(missing?.message == "the journal has no entry 99")
        }
    }

    /// The outbox's form: many changes in one transaction, each to an entry as it was read;
    /// one entry changed since (by another process) or gone stops them all, and none is made.
    @Test func aBatchOfUpdatesIsAllOrNothing() throws {
        try withWorkspace { dir in
            let journal = try Journal.open(workspace: dir)
            let queued = try journal.commit((1...3).map { try entry("k\($0)", status: .queued) })
            try journal.update(queued.map { Journal.StatusChange($0, status: .queued, detail: nil, messageID: "m\($0.id)@x") })
            let read = try journal.entries(status: .queued)
            #expect(read.map(\.messageID) == ["m1@x", "m2@x", "m3@x"])

            // Entry 2 changes after it was read: a batch made from what was read is refused whole.
            try journal.update(id: 2, status: .failed, detail: "exit 75")
            let stale = failure(at: journalPath(dir)) { () throws(Diagnostics) in
                try journal.update(read.map { Journal.StatusChange($0, status: .sent, detail: nil) })
            }
            #expect(stale?.message == "entry 2 of the journal was changed or removed while it was being delivered")
            #expect(try journal.entries().map(\.status) == [.queued, .failed, .queued])
            // A message id, once given, is kept by a change that gives none; the checksums still hold.
            try journal.update(journal.entries(status: .queued).map { Journal.StatusChange($0, status: .sent, detail: nil) })
            #expect(try Journal.open(workspace: dir).entries().map(\.status) == [.sent, .failed, .sent])
            #expect(try journal.entries(status: .sent).map(\.messageID) == ["m1@x", "m3@x"])
            #expect(try journal.check() == [])
        }
    }

    /// The journal's lists (invoices, an entry's key) are written and read by hand: byte for
    /// byte what Foundation's coders give, so that keys journaled by an earlier Dun match.
    /// Thousands of entries are made into rows, and read back and checked, on every core: ids
    /// after a key that was there already shift down and their checksums are made again, and
    /// of two damaged entries the first is the one named.
    @Test func largeCommitsAndReadsAreCheckedOnEveryCore() throws {
        try withWorkspace { dir in
            let journal = try Journal.open(workspace: dir)
            _ = try journal.commit(stride(from: 0, to: 3000, by: 300).map { try entry("k\($0)") })
            let added = try journal.commit((0..<3000).map { try entry("k\($0)") })
            #expect(added.count == 2990)
            #expect(added.map(\.id) == Array(11...3000))
            let all = try Journal.open(workspace: dir).entries()
            #expect(all.map(\.id) == Array(1...3000))
            #expect(all.dropFirst(10).map(\.key) == (0..<3000).filter { $0 % 300 != 0 }.map { "k\($0)" })
            #expect(try journal.check() == [])

            let db = try SQLite(path: journalPath(dir), flags: SQLITE_OPEN_READWRITE)
            try db.execute("UPDATE entry SET who = 'x' WHERE id IN (2600, 1700)")
            let damaged = failure(at: journalPath(dir)) { () throws(Diagnostics) in _ = try journal.entries() }
            #expect(
                damaged?.message
                    == "the journal is damaged: entry 1700 does not match its checksum: it was changed after it was written")
        }
    }

    @Test func jsonListsAreFoundationsJSON() throws {
        var random = SplitMix64(seed: 17)
        let alphabet: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "\"", "\\", "/", "\u{0}", "\u{1}", "\u{8}", "\u{9}", "\u{A}", "\u{C}", "\u{D}", "\u{1F}",
            "\u{7F}",
            "é", "上", "海", "\u{2028}", "\u{FEFF}", "😀", "[", "]", ",",
        ]
        let plain = JSONEncoder()
        let unslashed = JSONEncoder()
        unslashed.outputFormatting = .withoutEscapingSlashes
        for round in 0..<2000 {
            let texts = (0..<Int(random.next() % 4)).map { _ in
                String(
                    String.UnicodeScalarView(
                        (0..<Int(random.next() % 12)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }))
            }
            #expect(JSONList.encode(texts, escapingSlashes: true) == String(decoding: try plain.encode(texts), as: UTF8.self))
            #expect(
                JSONList.encode(texts, escapingSlashes: false) == String(decoding: try unslashed.encode(texts), as: UTF8.self))
            #expect(JSONList.decode(JSONList.encode(texts, escapingSlashes: round % 2 == 0)) == texts)
        }
    }

    @Test func jsonListsAreReadStrictly() {
        #expect(JSONList.decode(#" [ "a" , "b\/c\u4e0a\ud83d\ude00" ] "#) == ["a", "b/c上😀"])
        #expect(JSONList.decode("[]") == [])
        for bad in [
            #"["a""#, #"["a",]"#, "[1]", #""a""#, #"["\x"]"#, #"["\ud800"]"#, #"["\u12"]"#, #"["a"] x"#, "[\"\u{1}\"]", "", "[",
            #"[,"a"]"#,
        ] {
            #expect(JSONList.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func sinceKeepsTheEntriesOnOrAfterTheDate() throws {
        try withWorkspace { dir in
            let journal = try Journal.open(workspace: dir)
            _ = try journal.commit([
                entry("late", asOf: "2026-11-29"), entry("early", asOf: "2026-11-27"), entry("on", asOf: "2026-11-28"),
            ])
            let fromThe28th = try journal.entries(since: Day(iso: "2026-11-28"))
            #expect(fromThe28th.map(\.key) == ["late", "on"])
            let fromThe30th = try journal.entries(since: Day(iso: "2026-11-30"))
            #expect(fromThe30th == [])
            #expect(try journal.entries().map(\.key) == ["late", "early", "on"])
        }
    }

    @Test func openIfPresentOnAFreshFolderCreatesNothing() throws {
        try withWorkspace { dir in
            let journal = try Journal.openIfPresent(workspace: dir)
            #expect(journal == nil)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [])
        }
    }

    enum Impostor: String, CaseIterable {
        case empty, text, otherDatabase, newerJournal
    }

    @Test(arguments: Impostor.allCases)
    func aFileThatIsNotAJournalIsAClearError(_ impostor: Impostor) throws {
        try withWorkspace { dir in
            let path = journalPath(dir)
            try FileManager.default.createDirectory(atPath: dir + "/.dun", withIntermediateDirectories: true)
            switch impostor {
            case .empty:
                try Data().write(to: URL(fileURLWithPath: path))
            case .text:
                try Data(String(repeating: "not a database at all\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
            case .otherDatabase:
                try SQLite(path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE).execute("CREATE TABLE t (x)")
            case .newerJournal:
                _ = try Journal.open(workspace: dir)
                try SQLite(path: path, flags: SQLITE_OPEN_READWRITE).execute("PRAGMA user_version = 4")
            }
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let errors = [
                failure(at: path) { () throws(Diagnostics) in _ = try Journal.open(workspace: dir) },
                failure(at: path) { () throws(Diagnostics) in _ = try Journal.openIfPresent(workspace: dir) },
            ]
            for error in errors {
                if impostor == .newerJournal {
                    #expect(error?.message == "the journal is of version 4, and this Dun reads version 3")
                } else {
                    #expect(error?.message.hasPrefix("this file is not a Dun journal") == true, "\(String(describing: error))")
                    #expect(error?.hint?.contains("move the file elsewhere") == true)
                }
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
    }

    // Were accepted: a hand-edited row (an unknown action, an amount 'abc') was replayed as if
    // written by Dun. A version-1 journal has no checksums, so each value is checked alone.
    @Test(arguments: [
        ("as_of = '2026-02-30'", "entry 1 has an as-of date that is not a date: '2026-02-30'"),
        ("invoices = 'INV-1'", "entry 1 has invoices that are not a JSON list: 'INV-1'"),
        ("action = 'pay'", "entry 1 has an unknown action 'pay'"),
        ("amount = 'abc'", "entry 1 has an amount that is not an amount: 'abc'"),
        ("amount = '12.345 CNY'", "entry 1 has an amount that is not an amount: '12.345 CNY'"),
        ("status = 'lost'", "entry 1 has an unknown status 'lost'"),
        ("channel = 'fax'", "entry 1 has an unknown channel 'fax'"),
    ])
    func aDamagedEntryIsAClearError(change: String, message: String) throws {
        try withWorkspace { dir in
            _ = try Journal.open(workspace: dir).commit([entry("a")])
            // With a checksum, any change is found as such.
            let db = try SQLite(path: journalPath(dir), flags: SQLITE_OPEN_READWRITE)
            try db.execute("UPDATE entry SET \(change)")
            let changed = failure(at: journalPath(dir)) { () throws(Diagnostics) in
                _ = try Journal.openIfPresent(workspace: dir)?.entries()
            }
            #expect(
                changed?.message
                    == "the journal is damaged: entry 1 does not match its checksum: it was changed after it was written")
            #expect(changed?.hint?.contains("dun journal --check") == true)
            // Without one, the value itself.
            try db.execute(
                "ALTER TABLE entry DROP COLUMN checksum; ALTER TABLE entry DROP COLUMN outbox; PRAGMA user_version = 1")
            let error = failure(at: journalPath(dir)) { () throws(Diagnostics) in
                _ = try Journal.openIfPresent(workspace: dir)?.entries()
            }
            #expect(error?.message == "the journal is damaged: " + message)
            #expect(try Journal.openIfPresent(workspace: dir)?.check() == [message])
        }
    }

    @Test func aVersion1JournalGetsChecksumsWhenOpenedToWrite() throws {
        try withWorkspace { dir in
            let journal = try Journal.open(workspace: dir)
            let committed = try journal.commit([entry("a"), entry("b", status: .queued)])
            try SQLite(path: journalPath(dir), flags: SQLITE_OPEN_READWRITE)
                .execute("ALTER TABLE entry DROP COLUMN checksum; ALTER TABLE entry DROP COLUMN outbox; PRAGMA user_version = 1")
            #expect(try Journal.openIfPresent(workspace: dir)?.entries() == committed)
            let upgraded = try Journal.open(workspace: dir)
            #expect(try upgraded.entries() == committed)
            let db = try SQLite(path: journalPath(dir), flags: SQLITE_OPEN_READWRITE)
            #expect(try db.value("PRAGMA user_version") == "3")
            try db.execute("UPDATE entry SET who = 'x' WHERE id = 2")
            #expect(try upgraded.check() == ["entry 2 does not match its checksum: it was changed after it was written"])
        }
    }

    /// Version 3 added each reminder's outbox, empty in the entries written before: the
    /// checksums of version 2 hold, read as they are and once the journal is upgraded.
    @Test func aVersion2JournalKeepsItsChecksumsWhenGivenOutboxes() throws {
        try withWorkspace { dir in
            let committed = try Journal.open(workspace: dir).commit([entry("a"), entry("b", status: .queued)])
            try SQLite(path: journalPath(dir), flags: SQLITE_OPEN_READWRITE)
                .execute("ALTER TABLE entry DROP COLUMN outbox; PRAGMA user_version = 2")
            let old = try Journal.openIfPresent(workspace: dir)
            #expect(try old?.entries() == committed)
            #expect(try old?.check() == [])
            let upgraded = try Journal.open(workspace: dir)
            #expect(try upgraded.check() == [] && upgraded.entries() == committed)
            #expect(try SQLite(path: journalPath(dir), flags: SQLITE_OPEN_READWRITE).value("PRAGMA user_version") == "3")
            var later = try entry("c", status: .queued)
            later.outbox = "host:/srv/acme/outbox"
            let added = try upgraded.commit([later])
            #expect(try upgraded.entries() == committed + added && added.first?.outbox == "host:/srv/acme/outbox")
            try upgraded.update(id: 3, status: .sent, detail: nil)
            #expect(try upgraded.check() == [] && upgraded.entries().last?.outbox == "host:/srv/acme/outbox")
        }
    }

    // Were silent: random byte flips in the file changed 37 of 150 answers without a word. Now
    // a flipped journal reads back exactly as written, or not at all.
    @Test func aByteFlippedAnywhereIsFoundOrHarmless() throws {
        try withWorkspace { dir in
            let day = try #require(Day(iso: "2026-11-28"))
            let entries = (1...40).map { n in
                Journal.Entry(
                    who: "王芳", at: "2026-11-29T08:30:00Z", asOf: day, policy: "dunning", rule: "gentle", action: .remind,
                    customer: "C\(n)", invoices: ["INV-\(n)", "INV-\(n + 100)"], channel: "email", template: "gentle",
                    amount: Money(minor: Int64(n) * 123_456, currency: .cny), detail: "第\(n)次", status: .queued, key: "k\(n)")
            }
            let written = try Journal.open(workspace: dir).commit(entries)
            let path = journalPath(dir)
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
            var rng = SplitMix64(seed: 17)
            var found = 0
            for _ in 0..<300 {
                var bytes = original
                let at = 100 + rng.below(bytes.count - 100)
                bytes[at] ^= UInt8(1 << rng.below(8))
                try bytes.write(to: URL(fileURLWithPath: path))
                do throws(Diagnostics) {
                    let read = try Journal.openIfPresent(workspace: dir)?.entries()
                    #expect(read == written, "byte \(at)")
                } catch {
                    found += 1
                }
            }
            // About a quarter of the flips land in what the entries say (79 of 300 with this
            // seed); the rest in free space, which reads back the same.
            #expect(found > 30, "\(found)")
        }
    }

    /// What several threads' commits gave, in the order they finished.
    final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [Result<[Journal.Entry], Diagnostics>] = []

        func add(_ result: Result<[Journal.Entry], Diagnostics>) {
            lock.withLock { results.append(result) }
        }

        var all: [Result<[Journal.Entry], Diagnostics>] { lock.withLock { results } }
    }

    @Test func twoConnectionsCommittingTheSameEntriesAtOnceJournalEachOnce() throws {
        try withWorkspace { dir in
            let entries = try (1...200).map { try entry("k\($0)") }
            let outcomes = Outcomes()
            let group = DispatchGroup()
            // Two threads, each with its own connection, on a workspace with no journal yet.
            for _ in 0..<2 {
                group.enter()
                Thread {
                    outcomes.add(Result { () throws(Diagnostics) in try Journal.open(workspace: dir).commit(entries) })
                    group.leave()
                }.start()
            }
            group.wait()
            let counts = try outcomes.all.map { try $0.get().count }
            #expect(counts.sorted() == [0, 200])
            #expect(try Journal.open(workspace: dir).entries().map(\.key) == entries.map(\.key))
        }
    }

    @Test func aWriterHoldingTheJournalMakesTheOtherTryAgain() throws {
        try withWorkspace { dir in
            let journal = try Journal.open(workspace: dir, busyTimeout: .milliseconds(50))
            let a = try entry("a")
            let holder = try SQLite(path: journalPath(dir), flags: SQLITE_OPEN_READWRITE)
            try holder.execute("BEGIN IMMEDIATE")
            let errors = [
                failure(at: journalPath(dir)) { () throws(Diagnostics) in _ = try journal.commit([a]) },
                failure(at: journalPath(dir)) { () throws(Diagnostics) in try journal.update(id: 1, status: .sent, detail: nil)
                },
            ]
            for error in errors {
                #expect(error?.message == "another `dun run --apply` holds the journal")
                #expect(error?.hint == "try again when it has finished")
            }
            // Reading does not wait for the writer.
            #expect(try journal.entries() == [])
            try holder.execute("COMMIT")
            #expect(try journal.commit([a]).count == 1)
        }
    }
}

extension JournalTests {
    @Test func twoProcessesCommittingAtOnceJournalEachEntryOnce() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Each child process opens and commits the same 200 entries; exit code 10 + how many it added.
        func child() async -> ExitTest.Result? {
            await #expect(processExitsWith: .failure) { [dir = dir as String] in
                let entries = (1...200).map {
                    Journal.Entry(
                        who: "ops", at: "2026-11-29T08:30:00Z", asOf: Day(ordinal: 20_000), policy: "p", rule: "r",
                        action: .call, customer: "C001", status: .done, key: "k\($0)")
                }
                let added = try Journal.open(workspace: dir).commit(entries)
                exit(added.isEmpty ? 10 : added.count == 200 ? 11 : 12)
            }
        }
        async let first = child()
        async let second = child()
        let codes = await [first, second].map { result -> Int32? in
            guard case .exitCode(let code) = result?.exitStatus else { return nil }
            return code
        }
        #expect(codes.sorted { ($0 ?? 0) < ($1 ?? 0) } == [10, 11])
        #expect(try Journal.open(workspace: dir).entries().map(\.key) == (1...200).map { "k\($0)" })
    }
}
