// fuzz-script: libFuzzer's input as a Dun script. It is checked without data (`dun check`),
// then run in a fresh session on a small workspace (`dun run`), its last result printed in
// every format, and its test blocks run (`dun test`); and run again with every loop over rows
// split into parts of one row, to print the same. Nothing is applied and nothing written:
// the sessions are on workspaces in memory, which have no journal.
//
// Header comments choose the run as the golden tests' do, so that the seeds (the golden
// scripts) run as they do there and the fuzzer can vary them:
//   # data: small | mixed | acme      Tests/DunTests/fixtures/small (the default), …/mixed,
//                                     examples/acme
//   # as-of: 2026-11-28               the run's date (this is the default)
//   # format: table|csv|json|…        how results are printed
//
// Besides a trap, a hang or a sanitizer's report, a diagnostic without a message or with a
// line or column below 1 is a failure (the robustness tests' check).

@testable import Dun
import DunCore
import DunModel
import Foundation
import FuzzSupport

/// The repository's root, from where this file is.
private let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Each workspace a script may name, loaded once, lazily; only its CSV files, so that a
/// journal left in examples/acme changes nothing.
private nonisolated(unsafe) var workspaces: [String: Workspace] = [:]

private func workspace(_ name: String) -> Workspace {
    if let known = workspaces[name] { return known }
    let folder =
        name == "acme"
        ? root.appendingPathComponent("examples/acme").path
        : root.appendingPathComponent("Tests/DunTests/fixtures/\(name)").path
    do {
        let loaded = try WorkspaceLoader.load(directory: folder)
        workspaces[name] = loaded
        return loaded
    } catch {
        fatalError("fuzz-script: cannot load \(folder): \(error.all.map(\.rendered).joined())")
    }
}

/// The value of `# key: value` among the script's first comment lines.
private func header(_ key: String, in text: String) -> String? {
    for line in text.split(separator: "\n", maxSplits: 8, omittingEmptySubsequences: false).prefix(8) {
        guard line.hasPrefix("#") else { break }
        let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
        if body.hasPrefix(key + ":") { return body.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces) }
    }
    return nil
}

/// Fails loudly when a diagnostic is malformed.
private func inspect(_ diagnostics: [Diagnostic], _ text: String) {
    for d in diagnostics {
        if let why = malformation(of: d) { fatalError("fuzz-script: \(why)\n--- script:\n\(text)") }
    }
}

/// What a run printed, and its diagnostics.
private func printed(_ result: Session.RunResult) -> String {
    result.output + result.diagnostics.map(\.rendered).joined()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Not UTF-8 is refused by `dun run` before the lexer sees it; repaired here (U+FFFD), as
    // a REPL line is, so that no input is wasted.
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let source = SourceText(name: "fuzz.dun", text: text)
    inspect(Session.check(source), text)

    let data = header("data", in: text).flatMap { ["small", "mixed", "acme"].contains($0) ? $0 : nil } ?? "small"
    let asOf = header("as-of", in: text).flatMap { Day(iso: $0) } ?? Day(iso: "2026-11-28")!
    let format = header("format", in: text).flatMap(OutputFormat.init(rawValue:)) ?? .table
    let session: Session
    do {
        session = try Session(workspace: workspace(data), asOf: asOf, format: format)
    } catch {
        // The standard library cannot be run as of this date: said, not trapped.
        inspect([error], text)
        return 0
    }
    let result = session.run(source)
    inspect(result.diagnostics, text)
    // Each loop over rows split into parts of one row, as the command line splits thousands:
    // the same output and diagnostics, byte for byte (the golden tests' other run).
    if let parted = try? Session(workspace: workspace(data), asOf: asOf, format: format) {
        parted.interpreter.minimumPart = 1
        let again = parted.run(source)
        let (once, split) = (printed(result), printed(again))
        if once != split {
            fatalError("fuzz-script: in parts, another result:\n--- whole:\n\(once)\n--- in parts:\n\(split)\n--- script:\n\(text)")
        }
    }
    for format in OutputFormat.allCases { _ = session.lastResult(as: format) }
    let tested = session.test(source)
    inspect(tested.diagnostics + tested.outcomes.flatMap(\.failures), text)
    return 0
}
