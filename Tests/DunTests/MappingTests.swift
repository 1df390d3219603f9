// Mapping tests: each folder under mappings/ is a workspace as some export writes it, with
// the dun.toml that says how to read it (or none). Opening it must print exactly the folder's
// `expected.out`: the load's diagnostics when it fails, else what mappings/check.dun prints
// (the tables as loaded) and its diagnostics. Paths are shown relative to the folder.
// DUN_RECORD=1 swift test rewrites the expected files, and fails until run again without it.

@testable import Dun
import DunCore
import Foundation
import Testing

struct MappingCase: CustomTestStringConvertible, Sendable {
    let url: URL
    var testDescription: String { url.lastPathComponent }

    static let folder = Paths.tests.appendingPathComponent("mappings")

    static var all: [MappingCase] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }.filter { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }.map(MappingCase.init)
    }

    /// What opening the workspace and running check.dun prints.
    func output() throws -> String {
        let check = try String(contentsOf: MappingCase.folder.appendingPathComponent("check.dun"), encoding: .utf8)
        let asOf = try #require(Day(iso: "2026-11-28"))
        var out: String
        do throws(Diagnostics) {
            let session = try Session.open(directory: url.path, asOf: asOf)
            let result = session.run(SourceText(name: "check.dun", text: check))
            out = result.output + result.diagnostics.map(\.rendered).joined()
        } catch {
            out = error.all.map(\.rendered).joined()
        }
        return out.replacingOccurrences(of: url.path + "/", with: "")
    }
}

@Suite struct MappingTests {
    @Test func theCasesAreFound() {
        #expect(MappingCase.all.count >= 16, "no mapping cases in \(MappingCase.folder.path)")
    }

    @Test(arguments: MappingCase.all)
    func mapping(_ c: MappingCase) throws {
        let actual = try c.output()
        let url = c.url.appendingPathComponent("expected.out")
        let expected = try? String(contentsOf: url, encoding: .utf8)
        if ProcessInfo.processInfo.environment["DUN_RECORD"] == "1" {
            guard expected != actual else { return }
            try actual.write(to: url, atomically: true, encoding: .utf8)
            Issue.record("recorded \(c.testDescription)/expected.out; run again without DUN_RECORD=1 to check it")
            return
        }
        #expect(
            expected == actual,
            "\(c.testDescription)/expected.out differs:\n\(lineDiff(expected: expected ?? "", actual: actual))")
    }
}
