// The README and the examples tell the truth: their outputs are checked, and the language
// reference names every field and function.

import Dun
import DunCore
import DunLanguage
import Foundation
import Testing

/// A `$ dun …` command in a ```console block of a Markdown file, and the output below it.
struct ConsoleExample: CustomTestStringConvertible, Sendable {
    let command: String
    let expected: String
    var testDescription: String { command }

    static func all(in file: URL) -> [ConsoleExample] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        var out: [ConsoleExample] = []
        let blocks = text.components(separatedBy: "```console\n").dropFirst()
        for block in blocks {
            guard let body = block.components(separatedBy: "```").first else { continue }
            var lines = body.components(separatedBy: "\n")
            guard let first = lines.first, first.hasPrefix("$ dun ") else { continue }
            lines.removeFirst()
            out.append(ConsoleExample(command: String(first.dropFirst(2)), expected: lines.joined(separator: "\n")))
        }
        return out
    }

    /// Splits a command line the way a shell would for single- and double-quoted words.
    var arguments: [String] {
        var args: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for ch in command {
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                inWord = true
            } else if ch == " " {
                if inWord { args.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(ch)
                inWord = true
            }
        }
        if inWord { args.append(current) }
        return Array(args.dropFirst())
    }
}

/// The lists that parameterized tests run over, each from files: a moved or emptied folder
/// would make its test run no case at all, and pass. Here it fails.
@Suite struct TestListTests {
    @Test func everyListFindsItsCases() throws {
        let lists: [(String, Int)] = [
            ("golden scripts in \(Paths.golden.path)", GoldenScript.all.count),
            ("error catalogues in \(Paths.tests.appendingPathComponent("catalogue").path)", CatalogueCase.all.count),
            ("example scripts in \(Paths.examples.path)/acme", DocumentationTests.examples.count),
            ("console examples in README.md", ConsoleExample.all(in: Paths.root.appendingPathComponent("README.md")).count),
            ("files of the standard library", Session.standardLibrary.count),
        ]
        for (what, count) in lists {
            #expect(count > 0, "no \(what)")
        }
    }
}

@Suite struct DocumentationTests {
    @Test(arguments: ConsoleExample.all(in: Paths.root.appendingPathComponent("README.md")))
    func readmeOutputIsReal(_ example: ConsoleExample) throws {
        // As on the reader's terminal, which is UTF-8: a chart is drawn in blocks.
        let r = try runDun(example.arguments, environment: ["LC_ALL": "", "LC_CTYPE": "", "LANG": "C.UTF-8"])
        let actual = r.out + r.err
        #expect(
            actual == example.expected, "README differs from a real run:\n\(lineDiff(expected: example.expected, actual: actual))"
        )
    }

    @Test func readmeHasItsTwoCommands() throws {
        let readme = try String(contentsOf: Paths.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("swift run dun --data examples/acme"))
        #expect(readme.contains("\nswift test\n"))
        let ci = try String(contentsOf: Paths.root.appendingPathComponent(".ci/run"), encoding: .utf8)
        #expect(ci.contains("swift test"))
    }

    static var examples: [String] {
        let dir = Paths.examples.appendingPathComponent("acme")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".dun") }.sorted()
    }

    /// Every example script runs cleanly and prints what Tests/DunTests/examples/NAME.out holds.
    @Test(arguments: examples)
    func exampleRuns(_ name: String) throws {
        let script = Paths.examples.appendingPathComponent("acme").appendingPathComponent(name)
        let session = try Session.open(
            directory: Paths.examples.appendingPathComponent("acme").path, asOf: #require(Day(iso: "2026-11-28")))
        let result = session.run(SourceText(name: name, text: try String(contentsOf: script, encoding: .utf8)))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.rendered).joined())")
        let expectedURL = Paths.tests.appendingPathComponent("examples").appendingPathComponent(
            name.replacingOccurrences(of: ".dun", with: ".out"))
        if ProcessInfo.processInfo.environment["DUN_RECORD"] == "1",
            (try? String(contentsOf: expectedURL, encoding: .utf8)) != result.output
        {
            try result.output.write(to: expectedURL, atomically: true, encoding: .utf8)
            Issue.record("recorded \(expectedURL.lastPathComponent); run again without DUN_RECORD=1 to check it")
            return
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(result.output == expected, "\(lineDiff(expected: expected, actual: result.output))")
    }

    /// examples/acme-erp is examples/acme as a Chinese ERP exports it (its own file names,
    /// Chinese headers, grouped amounts, 2024/12/04 dates, GB18030): every example script
    /// answers the same on both, byte for byte.
    @Test(arguments: examples)
    func theERPExportAnswersAsTheCSVsDo(_ name: String) throws {
        let text = try String(
            contentsOf: Paths.examples.appendingPathComponent("acme").appendingPathComponent(name), encoding: .utf8)
        let outputs = try ["acme", "acme-erp"].map { folder in
            let session = try Session.open(
                directory: Paths.examples.appendingPathComponent(folder).path, asOf: #require(Day(iso: "2026-11-28")))
            return session.run(SourceText(name: name, text: text)).output
        }
        #expect(!outputs[0].isEmpty && outputs[0] == outputs[1], "\(lineDiff(expected: outputs[0], actual: outputs[1]))")
    }

    /// Every file of the standard library checks cleanly on its own and is in the reference.
    @Test(arguments: Session.standardLibrary.map(\.name))
    func standardLibraryChecks(_ name: String) throws {
        let file = try #require(Session.standardLibrary.first { $0.name == name })
        #expect(Session.check(file).isEmpty)
        let reference = try String(contentsOf: Paths.root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        for line in file.text.split(separator: "\n") where line.hasPrefix("let ") {
            let binding = line.dropFirst(4).prefix { $0 != " " }
            #expect(reference.contains("`\(binding)`"), "\(binding) is not in docs/language.md")
        }
    }

    @Test func referenceNamesEveryFieldAndFunction() throws {
        let reference = try String(contentsOf: Paths.root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        for entity in Receivables.schema.entities {
            #expect(reference.contains("### \(entity.name)"), "no section for \(entity.name)")
            for field in entity.fields {
                #expect(reference.contains("`\(field.name)`"), "\(entity.name).\(field.name) is not documented")
            }
        }
        for builtin in Builtin.all {
            #expect(reference.contains("`\(builtin.name)("), "\(builtin.name) is not documented")
        }
    }
}
