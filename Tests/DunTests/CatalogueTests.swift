// Error catalogues: catalogue/*.dun hold many small cases split by `---` lines. A line that
// must fail ends with `## error: TEXT`; the run must report an error on that line whose
// message contains TEXT, and no other error. Cases run on fixtures/small as of 2026-11-28.

import Dun
import DunCore
import Foundation
import Testing

struct CatalogueCase: CustomTestStringConvertible, Sendable {
    let file: String
    let firstLine: Int
    let text: String
    var testDescription: String { "\(file):\(firstLine)" }

    static var all: [CatalogueCase] {
        let dir = Paths.tests.appendingPathComponent("catalogue")
        let files =
            (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.filter { $0.hasSuffix(".dun") }.sorted() ?? []
        var cases: [CatalogueCase] = []
        for file in files {
            guard let text = try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8) else { continue }
            var chunk: [Substring] = []
            var start = 1
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if line == "---" {
                    cases.append(CatalogueCase(file: file, firstLine: start, text: chunk.joined(separator: "\n")))
                    chunk = []
                    start = i + 2
                } else {
                    chunk.append(line)
                }
            }
            if chunk.contains(where: { !$0.isEmpty }) {
                cases.append(CatalogueCase(file: file, firstLine: start, text: chunk.joined(separator: "\n")))
            }
        }
        return cases
    }

    /// (line, text) of every `## error:` mark.
    var expected: [(line: Int, text: String)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { i, line in
            guard let r = line.range(of: "## error: ") else { return nil }
            return (i + 1, String(line[r.upperBound...]))
        }
    }
}

@Suite struct CatalogueTests {
    @Test(arguments: CatalogueCase.all)
    func errors(_ c: CatalogueCase) throws {
        let session = try Session.open(directory: dataFolder("small"), asOf: #require(Day(iso: "2026-11-28")))
        let result = session.run(SourceText(name: c.file, text: c.text))
        let actual = result.diagnostics.filter { $0.severity == .error }
        var unmatched = actual
        for e in c.expected {
            if let i = unmatched.firstIndex(where: { $0.position?.line == e.line && $0.message.contains(e.text) }) {
                unmatched.remove(at: i)
            } else {
                Issue.record("line \(e.line): expected an error containing '\(e.text)'; got:\n\(actual.map(\.rendered).joined())")
            }
        }
        #expect(unmatched.isEmpty, "unexpected errors:\n\(unmatched.map(\.rendered).joined())")
        #expect(!c.expected.isEmpty, "a case with no expected error")
    }
}
