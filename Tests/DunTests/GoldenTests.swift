// Golden script tests: each golden/<area>/NAME.dun runs and must print exactly NAME.out
// (standard output) and NAME.err (diagnostics; absent means none).
//
// Header comments set up the run:
//   # as-of: 2026-11-28     the run's date (this is the default)
//   # data: small           a folder under fixtures/, or a path from the repository root
//   # format: csv           table (default), or any other --format: csv, json, markdown, svg …
//   # charset: ascii        how charts are drawn in text: utf-8 (default) or ascii
//   # exit: 1               1 when the script must fail (default 0)
// DUN_RECORD=1 swift test rewrites the expected files from the actual output.
//
// Each script runs twice: as the command line runs it, and with every loop over rows split
// into parts run at once on all cores (which the command line does only for thousands of
// rows), to print the same, byte for byte.

@testable import Dun
import DunCore
import Foundation
import Testing

struct GoldenScript: CustomTestStringConvertible, Sendable {
    let url: URL
    var testDescription: String { url.deletingPathExtension().path.replacingOccurrences(of: Paths.golden.path + "/", with: "") }

    static var all: [GoldenScript] {
        let files =
            FileManager.default.enumerator(at: Paths.golden, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "dun" } ?? []
        return files.sorted { $0.path < $1.path }.map(GoldenScript.init)
    }

    /// The value of `# key: value` in the header, if present.
    func header(_ key: String, in text: String) -> String? {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("#") else { break }
            let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
            if body.hasPrefix(key + ":") {
                return body.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}

/// The folder a `# data:` header names.
func dataFolder(_ name: String?) -> String {
    let name = name ?? "small"
    if name.contains("/") { return Paths.root.appendingPathComponent(name).path }
    return Paths.fixtures.appendingPathComponent(name).path
}

@Suite struct GoldenTests {
    @Test(arguments: GoldenScript.all)
    func script(_ golden: GoldenScript) throws {
        try run(golden, inParts: false)
    }

    @Test(arguments: GoldenScript.all)
    func scriptInParts(_ golden: GoldenScript) throws {
        try run(golden, inParts: true)
    }

    private func run(_ golden: GoldenScript, inParts: Bool) throws {
        let text = try String(contentsOf: golden.url, encoding: .utf8)
        let asOf = try #require(Day(iso: golden.header("as-of", in: text) ?? "2026-11-28"), "bad as-of header")
        let format = try #require(OutputFormat(rawValue: golden.header("format", in: text) ?? "table"), "bad format header")
        let expectedExit = golden.header("exit", in: text) ?? "0"
        let session = try Session.open(directory: dataFolder(golden.header("data", in: text)), asOf: asOf, format: format)
        session.display.charset = try #require(Charset(rawValue: golden.header("charset", in: text) ?? "utf-8"), "bad charset")
        if inParts {
            session.interpreter.minimumPart = 1
            session.interpreter.minimumFolded = 0
            session.interpreter.ownerParts = 3
        }
        let name = golden.url.lastPathComponent
        let result = session.run(SourceText(name: name, text: text))
        let stderr = result.diagnostics.map(\.rendered).joined()

        #expect((result.succeeded ? "0" : "1") == expectedExit, "exit status; diagnostics:\n\(stderr)")
        let record = !inParts && ProcessInfo.processInfo.environment["DUN_RECORD"] == "1"
        compare(golden.url.deletingPathExtension().appendingPathExtension("out"), result.output, record: record)
        compare(golden.url.deletingPathExtension().appendingPathExtension("err"), stderr, optional: true, record: record)
    }

    private func compare(_ url: URL, _ actual: String, optional: Bool = false, record: Bool) {
        let expected = try? String(contentsOf: url, encoding: .utf8)
        if record {
            guard expected != actual && !(expected == nil && actual.isEmpty && optional) else { return }
            if actual.isEmpty && optional {
                try? FileManager.default.removeItem(at: url)
            } else {
                try? actual.write(to: url, atomically: true, encoding: .utf8)
            }
            // Recorded is not checked: the run fails, as snapshot libraries do, until it is run
            // again without DUN_RECORD and passes.
            Issue.record("recorded \(url.lastPathComponent); run again without DUN_RECORD=1 to check it")
            return
        }
        guard let expected else {
            #expect(optional && actual.isEmpty, "\(url.lastPathComponent) is missing; actual output:\n\(actual)")
            return
        }
        #expect(expected == actual, "\(url.lastPathComponent) differs:\n\(lineDiff(expected: expected, actual: actual))")
    }
}
