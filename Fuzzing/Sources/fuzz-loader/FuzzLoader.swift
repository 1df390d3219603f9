// fuzz-loader: libFuzzer's input as the CSV files of a workspace, written to a temporary
// folder and opened as `dun --data DIR` opens one (the loader, promises.csv and disputes.csv,
// the snapshot), then queried. The first byte chooses what the rest is:
//   0 customers.csv   1 invoices.csv   2 payments.csv   3 promises.csv   4 disputes.csv
//   (the other files are Tests/DunTests/fixtures/small's; no promises or disputes)
//   5 all five files, in that order, split at NUL bytes (which no good file holds)
// taken modulo 6. The three main files are also loaded from memory, whole and split into
// parts (as a large file is read on every core), to the same outcome; a workspace that loads
// is cached and read back from its cache (`WorkspaceCache`, whatever its size), and must
// answer the same questions alike.
//
// Nothing is written outside the temporary folder, which is removed at exit.

import Dun
import DunCore
@testable import DunModel
import Foundation
import FuzzSupport

private let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private let names = ["customers.csv", "invoices.csv", "payments.csv", "promises.csv", "disputes.csv"]

/// fixtures/small's three files, and no promises or disputes.
private let fixture: [[UInt8]?] = names.map { name in
    FileManager.default.contents(atPath: root.appendingPathComponent("Tests/DunTests/fixtures/small/\(name)").path)
        .map { [UInt8]($0) }
}

/// The workspace folder, made once per process.
private let folder: String = {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dun-fuzz-loader-\(getpid())").path
    try? FileManager.default.removeItem(atPath: path)
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: folder) }
    return path
}()

/// Questions whose answers depend on every table and derived column, and the standard ladder.
private let questions = SourceText(
    name: "questions.dun",
    text: """
        customers | sort by balance desc | select id, name, grade, balance, overdue_balance, utilization
        invoices | group by bucket | aggregate n = count(), total = sum(balance)
        payments | group by customer | aggregate n = count()
        invoices where disputed or days_overdue > 30 | select id, customer.name, balance, last_payment
        plan dunning

        """)

private func fail(_ why: String, _ files: [[UInt8]?]) -> Never {
    let shown = zip(names, files).compactMap { name, bytes in
        bytes.map { "--- \(name):\n\(String(decoding: $0.prefix(2_000), as: UTF8.self))" }
    }
    fatalError("fuzz-loader: \(why)\n\(shown.joined(separator: "\n"))")
}

private func inspect(_ diagnostics: [Diagnostic], _ files: [[UInt8]?]) {
    for d in diagnostics {
        if let why = malformation(of: d) { fail(why, files) }
    }
}

private let asOf = Day(iso: "2026-11-28")!

/// The main files loaded from memory in `parts` (nil: as their size has it): the answers
/// to `questions`, or the errors; and whether they loaded and a session was made of them.
private func outcome(_ files: [[UInt8]], parts: Int?) -> (String, loaded: Bool) {
    let workspace: Workspace
    do {
        workspace = try WorkspaceLoader.load(
            names: Array(names.prefix(3)), files.map { FileBytes(bytes: $0) }, progress: nil, parts: parts)
    } catch {
        return ("errors:\n" + error.all.map(\.rendered).joined(), false)
    }
    do {
        return (answers(try Session(workspace: workspace, asOf: asOf)), true)
    } catch {
        // Loaded, but no snapshot of it can be made (an amount in a currency with no rate):
        // the cache, which makes one while it reads, fails the same way; nothing to compare.
        return ("no session:\n" + error.rendered, false)
    }
}

/// What `questions` print in `session`, diagnostics and all.
private func answers(_ session: Session) -> String {
    let result = session.run(questions)
    return result.output + result.diagnostics.map(\.rendered).joined()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var files = fixture
    let choice = Int(data[0] % 6)
    if choice < 5 {
        files[choice] = rest
    } else {
        let parts = rest.split(separator: 0, maxSplits: 4, omittingEmptySubsequences: false).map(Array.init)
        files = names.indices.map { $0 < parts.count ? parts[$0] : nil }
    }
    let manager = FileManager.default
    try? manager.removeItem(atPath: folder + "/.dun")
    for (name, bytes) in zip(names, files) {
        let path = folder + "/" + name
        if let bytes {
            guard manager.createFile(atPath: path, contents: Data(bytes)) else { fatalError("cannot write \(path)") }
        } else {
            try? manager.removeItem(atPath: path)
        }
    }

    // As `--data` opens it: the files mapped, promises and disputes read, the snapshot made.
    do {
        let session = try Session.open(directory: folder, asOf: asOf)
        inspect(session.loadWarnings, files)
        _ = answers(session)
    } catch {
        inspect(error.all, files)
    }

    // The three main files again, from memory, whole and split into three parts each (as a
    // large file is read on every core): the same workspace, or the same errors.
    guard let customers = files[0], let invoices = files[1], let payments = files[2] else { return 0 }
    let main = [customers, invoices, payments]
    let (whole, loaded) = outcome(main, parts: nil)
    let (split, _) = outcome(main, parts: 3)
    if split != whole { fail("read in parts, another outcome:\n--- whole:\n\(whole)\n--- in parts:\n\(split)", files) }
    guard loaded else { return 0 }

    // Cached, then read back from the cache: the same answers.
    do {
        let written = try WorkspaceCache.load(directory: folder, minimumSize: 0)
        guard written.cache == .written else { fail("the cache was not written (\(written.cache))", files) }
        let read = try WorkspaceCache.load(directory: folder, minimumSize: 0)
        guard read.cache == .read else { fail("the cache was not read back (\(read.cache))", files) }
        let cached = answers(try Session(workspace: read.workspace, asOf: asOf))
        if cached != whole {
            fail("the cached workspace answers differently:\n--- from the files:\n\(whole)\n--- from the cache:\n\(cached)", files)
        }
    } catch {
        fail("loaded, but not from its cache: \(error)", files)
    }
    return 0
}
