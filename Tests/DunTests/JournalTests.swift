// The workspace journal: its file, exact round trips, idempotent commits, status updates,
// files that are not journals, and two writers at once.

import CSQLite
import DunCore
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

    func entry(_ key: String, asOf: String = "2026-11-28", status: String = "done") throws -> Journal.Entry {
        Journal.Entry(
            who: "li.na", at: "2026-11-29T08:30:00Z", asOf: try #require(Day(iso: asOf)), policy: "standard",
            rule: "late", action: "call", customer: "C001", status: status, key: key)
    }

    /// The first message of what `body` throws, which must be Diagnostics about `path`.
    func failure(at path: String, _ body: () throws(Diagnostics) -> Void) -> Diagnostic? {
        let error = #expect(throws: Diagnostics.self) { try body() }
        #expect(error?.all.count == 1)
        #expect(error?.all.first?.file == path)
        return error?.all.first
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
                    rule: "逾期三十天", action: "remind", customer: "C058", invoices: ["INV-0042", "INV/2026/7", "发票\"甲\",乙"],
                    channel: "email", template: "first_notice", amount: "1296498.26 CNY", detail: "请于月底前付款\n谢谢",
                    messageID: "<C058.1@dun>", status: "queued", key: "standard/late/C058/2026-11-28"),
                Journal.Entry(
                    who: "", at: "2026-11-29T08:30:01Z", asOf: try #require(Day(iso: "2026-11-28")), policy: "",
                    rule: "", action: "tag", customer: "C001", status: "done", key: "k2"),
                Journal.Entry(
                    who: "ops", at: "2026-11-29T08:30:02Z", asOf: try #require(Day(iso: "2026-11-28")), policy: "p",
                    rule: "r", action: "hold credit", customer: "C002", invoices: (1...500).map { "INV-\($0)" },
                    channel: nil, template: "", amount: "0.00 USD", detail: "", status: "done", key: "k3"),
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
            let added = try journal.commit([entry("b"), entry("c"), entry("a"), entry("c", status: "queued")])
            #expect(added.map(\.key) == ["c"])
            #expect(added.map(\.id) == [3])
            #expect(try journal.entries().map(\.key) == ["a", "b", "c"])
            #expect(try journal.entries().map(\.status) == ["done", "done", "done"])
        }
    }

    @Test func updateSetsTheStatusAndDetail() throws {
        try withWorkspace { dir in
            let journal = try Journal.open(workspace: dir)
            let queued = try journal.commit([entry("a", status: "queued"), entry("b", status: "queued")])
            try journal.update(id: queued[0].id, status: "failed", detail: "sendmail: exit 75")
            #expect(try journal.entries(status: "queued").map(\.key) == ["b"])
            #expect(try journal.entries(status: "failed").map(\.detail) == ["sendmail: exit 75"])
            try journal.update(id: queued[0].id, status: "sent", detail: nil)
            #expect(try journal.entries(status: "failed") == [])
            var sent = queued[0]
            sent.status = "sent"
            #expect(try Journal.open(workspace: dir).entries(status: "sent") == [sent])

            let missing = failure(at: journalPath(dir)) { () throws(Diagnostics) in
                try journal.update(id: 99, status: "sent", detail: nil)
            }
            #expect(missing?.message == "the journal has no entry 99")
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
                try SQLite(path: path, flags: SQLITE_OPEN_READWRITE).execute("PRAGMA user_version = 2")
            }
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let errors = [
                failure(at: path) { () throws(Diagnostics) in _ = try Journal.open(workspace: dir) },
                failure(at: path) { () throws(Diagnostics) in _ = try Journal.openIfPresent(workspace: dir) },
            ]
            for error in errors {
                if impostor == .newerJournal {
                    #expect(error?.message == "the journal is of version 2, and this Dun reads version 1")
                } else {
                    #expect(error?.message.hasPrefix("this file is not a Dun journal") == true, "\(String(describing: error))")
                    #expect(error?.hint?.contains("move the file elsewhere") == true)
                }
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
    }

    @Test(arguments: [
        ("as_of = '2026-02-30'", "the journal is damaged: entry 1 has an as-of date that is not a date: '2026-02-30'"),
        ("invoices = 'INV-1'", "the journal is damaged: entry 1 has invoices that are not a JSON list: 'INV-1'"),
    ])
    func aDamagedEntryIsAClearError(change: String, message: String) throws {
        try withWorkspace { dir in
            let journal = try Journal.open(workspace: dir)
            _ = try journal.commit([entry("a")])
            try SQLite(path: journalPath(dir), flags: SQLITE_OPEN_READWRITE).execute("UPDATE entry SET \(change)")
            let error = failure(at: journalPath(dir)) { () throws(Diagnostics) in _ = try journal.entries() }
            #expect(error?.message == message)
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
                failure(at: journalPath(dir)) { () throws(Diagnostics) in try journal.update(id: 1, status: "sent", detail: nil)
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
                        action: "call", customer: "C001", status: "done", key: "k\($0)")
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
