// The benchmark's pieces: the workspace generator, `--timings`, and the cache of a large workspace.

import Foundation
import Testing

@Suite struct BenchmarkTests {
    static let generator = Paths.executable(named: "generate-workspace")

    func generate(_ arguments: [String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dun-gen-\(UUID().uuidString)")
        let run = try runDun(arguments + [folder.path], program: BenchmarkTests.generator)
        #expect(run.status == 0, "\(run.err)")
        return folder
    }

    func contents(_ folder: URL) throws -> [Data] {
        try ["customers.csv", "invoices.csv", "payments.csv"].map { try Data(contentsOf: folder.appendingPathComponent($0)) }
    }

    @Test func theGeneratorGivesTheSameBytesForTheSameArguments() throws {
        let a = try generate(["--invoices", "3000", "--seed", "7"])
        let b = try generate(["--invoices", "3000", "--seed", "7"])
        let c = try generate(["--invoices", "3000", "--seed", "8"])
        defer { [a, b, c].forEach { try? FileManager.default.removeItem(at: $0) } }
        #expect(try contents(a) == contents(b))
        #expect(try contents(a) != contents(c))
    }

    @Test(arguments: [
        (["--customers", "0", "/tmp/unused"], "Error: sizes must be positive"),
        (["--as-of", "2026-13-01", "/tmp/unused"], "Error: --as-of must be a date like 2026-11-28"),
        (["--invoices", "10", "/proc/dun-no-such-folder"], "Error: cannot create the folder '/proc/dun-no-such-folder'"),
    ])
    func theGeneratorRefusesBadArguments(arguments: [String], message: String) throws {
        let run = try runDun(arguments, program: BenchmarkTests.generator)
        #expect(run.status == 64)
        #expect(run.err.hasPrefix(message + "\n"), "\(run.err)")
        #expect(run.out.isEmpty)
    }

    @Test func aGeneratedWorkspaceLoadsAndLooksReal() throws {
        let folder = try generate(["--invoices", "5000", "--customers", "400"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let facts = """
            customers | count
            invoices | count
            payments where date > today | count
            count(payments where not applied) > 0
            count(invoices where disputed) > 0
            count(invoices where balance > 0 and balance < amount) > 0
            count(customers where grade = A) > 0 and count(customers where grade = E) > 0
            avg((customers where grade = A).avg_days_to_pay) < avg((customers where grade = E).avg_days_to_pay)
            count(customers where name contains "有限公司") > count(customers where name contains ",")
            """
        let run = try runDun(["--data", folder.path, "--as-of", "2026-11-28", "run", "-"], stdin: facts)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out == "400\n5000\n0\ntrue\ntrue\ntrue\ntrue\ntrue\ntrue\n")
    }

    @Test func timingsGoToStandardErrorOnePerStatement() throws {
        let folder = try generate(["--invoices", "2000"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let questions = Paths.root.appendingPathComponent("Benchmarks/questions.dun").path
        let plain = try runDun(["--data", folder.path, "--as-of", "2026-11-28", "--format", "csv", "run", questions])
        let timed = try runDun(["--data", folder.path, "--as-of", "2026-11-28", "--format", "csv", "--timings", "run", questions])
        #expect(plain.status == 0 && timed.status == 0, "\(timed.err)")
        #expect(plain.err.isEmpty)
        #expect(timed.out == plain.out)
        let lines = timed.err.split(separator: "\n").map(String.init)
        let shape = /timing: (load|statements|questions\.dun:\d+) \d+\.\d{3} s/
        #expect(lines.allSatisfy { $0.wholeMatch(of: shape) != nil }, "\(timed.err)")
        #expect(lines.first?.hasPrefix("timing: load ") == true)
        #expect(lines.last?.hasPrefix("timing: statements ") == true)
        // One line per statement, by the line it starts on: six questions, the last in five statements.
        #expect(lines.dropFirst().dropLast().map { $0.split(separator: " ")[1] } == [
            "questions.dun:4", "questions.dun:8", "questions.dun:13", "questions.dun:19", "questions.dun:25",
            "questions.dun:31", "questions.dun:32", "questions.dun:33", "questions.dun:34", "questions.dun:35",
        ])
    }

    /// A workspace over 4 MiB is cached by its first run and read from the cache by the next,
    /// which print the same bytes; `--no-cache` parses the files again.
    @Test func aLargeWorkspaceIsCachedAndGivesTheSameAnswers() throws {
        let folder = try generate(["--invoices", "40000"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let questions = Paths.root.appendingPathComponent("Benchmarks/questions.dun").path
        func run(_ options: [String]) throws -> (out: String, load: String) {
            let r = try runDun(["--data", folder.path, "--as-of", "2026-11-28", "--timings"] + options + ["run", questions])
            #expect(r.status == 0, "\(r.err)")
            let load = r.err.split(separator: "\n").first { $0.hasPrefix("timing: load ") } ?? ""
            return (r.out, String(load.replacing(/[0-9.]+ s/, with: "T s")))
        }
        let first = try run([])
        #expect(first.load == "timing: load T s")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".dun/cache/workspace.bin").path))
        let second = try run([])
        #expect(second.load == "timing: load T s (from .dun/cache)")
        #expect(second.out == first.out)
        let parsed = try run(["--no-cache"])
        #expect(parsed.load == "timing: load T s")
        #expect(parsed.out == first.out)
    }
}
