// End-to-end tests of the `dun` executable: exit statuses, streams, help, stdin.

import Dun
import DunCore
import Foundation
import Testing

/// Runs the built `dun` (or another executable of the package) with arguments and optional
/// standard input; `environment` is set over the test's own (an empty value as good as unset).
func runDun(
    _ arguments: [String], stdin: String? = nil, in directory: URL = Paths.root, program: URL = Paths.executable,
    environment: [String: String] = [:]
) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = program
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    process.currentDirectoryURL = directory
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

@Suite struct CLITests {
    let small = "Tests/DunTests/fixtures/small"

    @Test func queryPrintsResultAndExitsZero() throws {
        let r = try runDun(["--data", small, "--as-of", "2026-11-28", "-e", "customers where overdue > 100 | select id, overdue"])
        #expect(r.status == 0)
        #expect(r.out == "id  overdue\n--  -------\nC3      150\n(1 row)\n")
        #expect(r.err == "")
    }

    @Test func scriptErrorGoesToStderrWithStatusOne() throws {
        let r = try runDun(["--data", small, "-e", "customers where overdu > 30"])
        #expect(r.status == 1)
        #expect(r.out == "")
        #expect(
            r.err == """
                <query>:1:17: error: unknown field 'overdu' in customers
                customers where overdu > 30
                                ^~~~~~
                hint: did you mean 'overdue'?

                """)
    }

    @Test func dataErrorNamesFileLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "id,name,grade\nC1,Acme,B\nC2,Beta,F\n".write(
            to: dir.appendingPathComponent("customers.csv"), atomically: true, encoding: .utf8)
        try "id,customer_id,issued,due,amount\n".write(
            to: dir.appendingPathComponent("invoices.csv"), atomically: true, encoding: .utf8)
        try "id,customer_id,date,amount\n".write(
            to: dir.appendingPathComponent("payments.csv"), atomically: true, encoding: .utf8)
        let r = try runDun(["--data", dir.path, "-e", "customers | count"])
        #expect(r.status == 1)
        #expect(
            r.err.hasSuffix(
                "customers.csv:3:9: error: unknown grade 'F'\nC2,Beta,F\n        ^\nhint: grades are A (best) to E (worst)\n"))
    }

    @Test(arguments: [
        (["--as-of", "2026-13-01", "-e", "1"], "--as-of"),
        (["--format", "xml", "-e", "1"], "--format"),
        (["run", "no-such-file.dun"], "no-such-file.dun"),
        (["--bogus"], "--bogus"),
        (["check"], "Missing expected argument"),
    ])
    func badUsageExitsTwo(_ arguments: [String], _ mentioned: String) throws {
        let r = try runDun(["--data", small] + arguments)
        #expect(r.status == 2)
        #expect(r.out == "")
        #expect(r.err.contains(mentioned), "stderr: \(r.err)")
    }

    @Test func scriptThatIsNotUTF8IsAnError() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dun-gbk-\(UUID().uuidString).dun")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data([0xBF, 0xCD, 0xBB, 0xA7, 0x0A]).write(to: file)  // 客户 in GBK
        let r = try runDun(["run", "--data", small, file.path])
        #expect(r.status == 1)
        #expect(r.err == "\(file.path): error: script is not UTF-8\nhint: save it as UTF-8\n")
    }

    @Test func versionIsSaid() throws {
        let r = try runDun(["--version"])
        #expect(r.status == 0)
        #expect(r.out == "dun \(DunVersion.current)\n")
    }

    @Test func missingWorkspaceIsADataError() throws {
        let r = try runDun(["--data", "no/such/folder", "-e", "customers | count"])
        #expect(r.status == 1)
        #expect(r.err == "error: no workspace folder 'no/such/folder'\nhint: give the folder with --data DIR\n")
    }

    @Test func runReadsStandardInputForDash() throws {
        let r = try runDun(
            ["run", "--data", small, "--as-of", "2026-11-28", "-"], stdin: "customers | count\ninvoices | count\n")
        #expect(r.status == 0)
        #expect(r.out == "6\n12\n")
    }

    @Test func runReportsErrorsWithTheScriptsName() throws {
        let r = try runDun(["run", "--data", small, "-"], stdin: "customers | count\ncustomers | take -1\n")
        #expect(r.status == 1)
        #expect(r.out == "6\n")
        #expect(r.err.hasPrefix("<stdin>:2:18: error: take needs a whole number of rows"))
    }

    @Test func formatsAreSelectable() throws {
        let csv = try runDun([
            "--data", small, "--format", "csv", "--as-of", "2026-11-28", "-e",
            "customers where id = \"C2\" | select id, name, balance",
        ])
        #expect(csv.out == "id,name,balance\r\nC2,\"Smith, Jones & Partners\",45000.50\r\n")
        let json = try runDun([
            "--data", small, "--format", "json", "--as-of", "2026-11-28", "-e",
            "customers where id = \"C2\" | select id, balance",
        ])
        #expect(json.out == "[\n  {\"id\": \"C2\", \"balance\": \"45000.50\"}\n]\n")
    }

    @Test func checkRunsNoDataAndReportsEveryFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.dun")
        let bad = dir.appendingPathComponent("bad.dun")
        try "customers where overdue > 30 | count\n".write(to: good, atomically: true, encoding: .utf8)
        try "customers where grade < 3\ninvoices | sotr by x\n".write(to: bad, atomically: true, encoding: .utf8)
        let ok = try runDun(["check", good.path], in: dir)
        #expect(ok.status == 0)
        #expect(ok.out == "ok: 1 file checked\n")
        let r = try runDun(["check", good.path, bad.path], in: dir)
        #expect(r.status == 1)
        #expect(r.err.contains("bad.dun:2:12: error: expected a stage"))
        #expect(r.err.hasSuffix("1 of 2 files had errors\n"))
    }

    @Test(arguments: [[], ["run"], ["check"]])
    func helpExplainsWithAnExample(_ command: [String]) throws {
        let r = try runDun(command + ["--help"])
        #expect(r.status == 0)
        #expect(r.out.contains("Example"))
        #expect(r.out.contains("USAGE: dun"))
    }

    @Test func checkKnowsTheStandardLibrary() throws {
        let r = try runDun(["check", "-"], stdin: "over_limit | select id\nopen_invoices where days_overdue > 30 | count\n")
        #expect(r.status == 0)
        #expect(r.out == "ok: 1 file checked\n")
    }

    /// The standard library is built into the binary: a copy elsewhere still has it.
    @Test func copiedBinaryKeepsItsStandardLibrary() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("dun")
        try FileManager.default.copyItem(at: Paths.executable, to: copy)
        let arguments = [
            "--data", Paths.fixtures.appendingPathComponent("small").path, "--as-of", "2026-11-28", "-e",
            "over_limit | select id",
        ]
        // A process another test starts while the copy is being written inherits the copy's
        // file, open to write, until it runs its own program; the kernel refuses to run a file
        // open to write (ETXTBSY). It is closed a moment later.
        var result: (status: Int32, out: String, err: String)?
        for attempt in 1...20 where result == nil {
            do {
                result = try runDun(arguments, program: copy)
            } catch let error as NSError
                where attempt < 20 && (error.userInfo[NSUnderlyingErrorKey] as? NSError)?.code == Int(ETXTBSY)
            {
                usleep(50_000)
            }
        }
        #expect(result?.status == 0)
        #expect(result?.out == "id\n--\nC3\n(1 row)\n")
    }

    @Test func sameScriptSameBytes() throws {
        let args = ["run", "--data", "examples/acme", "--as-of", "2026-11-28", "examples/acme/tour.dun"]
        let first = try runDun(args)
        let second = try runDun(args)
        #expect(first.status == 0)
        #expect(first.out == second.out)
        #expect(!first.out.isEmpty)
    }
}

@Suite struct WorkbookOutputTests {
    /// `--format xlsx` writes one workbook of the run's results; a run without one, the
    /// journal and the worklist say why not.
    @Test func aRunWritesAWorkbook() throws {
        let r = try runDun(["--data", "examples/acme", "--as-of", "2026-11-28", "--format", "xlsx", "-e", "customers | count"])
        #expect(r.status == 0 && r.out.hasPrefix("PK\u{03}\u{04}"), "\(r.err)")
        let none = try runDun(["--data", "examples/acme", "--format", "xlsx", "-e", "let x = 1"])
        #expect(none.status == 1 && none.err.contains("no result to write"))
        let journal = try runDun(["journal", "--data", "examples/acme", "--format", "xlsx"])
        #expect(journal.status == 1 && journal.err.contains("--format xlsx writes the results of queries and scripts"))
    }

    @Test func eachResultIsASheet() throws {
        let session = try Session.open(
            directory: Paths.examples.appendingPathComponent("acme").path, asOf: #require(Day(iso: "2026-11-28")), format: .xlsx)
        let result = session.run(
            SourceText(
                name: "r.dun",
                text: "customers | count\nlet x = 2\ncustomers where id = \"C002\" | select id, balance, last_payment\n"))
        #expect(result.output.isEmpty && result.succeeded)
        #expect(result.sheets.map(\.name) == ["line 1", "line 3"])
        #expect(result.sheets.last?.header == ["id", "balance", "last_payment"])
        guard case .money(let balance, decimals: 2) = result.sheets.last?.rows.first?[1] else {
            Issue.record("the balance should be money")
            return
        }
        #expect(balance == "3528.32")
    }
}
