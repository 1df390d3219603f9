// Modules: files imported relative to the importing one, the standard library's modules,
// names qualified or imported by name, cycles told, and the shell completing their names.

import DunCore
import Foundation
import Testing

@testable import Dun

@Suite struct ModuleTests {
    /// A folder holding `files` (path → text), removed by the caller.
    func folder(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-modules-\(UUID().uuidString)")
        for (path, text) in files {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    func run(_ file: URL) throws -> Session.RunResult {
        let session = try Session.open(directory: dataFolder("small"), asOf: #require(Day(iso: "2026-11-28")))
        return session.run(SourceText(name: file.path, text: try String(contentsOf: file, encoding: .utf8)))
    }

    @Test func aFileIsImportedRelativeToTheImportingOneItsNamesQualified() throws {
        let dir = try folder([
            "lib/kpi.dun":
                "let late_count = count(invoices where days_overdue > 30)\nfn late(t) = t where days_overdue > 30\nfn share(t) = round(count(late(t)) / count(t) * 100, 1)\n",
            "reports/late.dun":
                "import \"../lib/kpi.dun\"\nimport \"../lib/kpi.dun\" as k\nfrom \"../lib/kpi.dun\" import late\nkpi.late_count\nkpi.share(invoices)\nk.late_count\ncount(late(open_invoices))\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(dir.appendingPathComponent("reports/late.dun"))
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics.map(\.rendered).joined())")
        #expect(r.output == "4\n33.3\n4\n4\n")
    }

    @Test func aCycleIsToldWithItsFiles() throws {
        let dir = try folder([
            "a.dun": "import \"b.dun\"\nlet a = 1\n", "b.dun": "import \"a.dun\"\nlet b = 2\n",
            "main.dun": "import \"a.dun\"\n1\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(dir.appendingPathComponent("main.dun"))
        let text = r.diagnostics.map(\.rendered).joined()
        #expect(text.contains("error: an import cycle: a.dun → b.dun → a.dun"), "\(text)")
        #expect(text.contains("note: imported at"))
    }

    @Test func whatIsNotThereIsSaid() throws {
        let dir = try folder([
            "lib/kpi.dun": "fn late(t) = t where days_overdue > 30\n",
            "a.dun": "import \"lib/nothing.dun\"\n", "b.dun": "from \"lib/kpi.dun\" import lat\n",
            "c.dun": "import \"lib/kpi.dun\"\nkpi.lat(invoices)\n", "d.dun": "import agin\n",
            "e.dun": "import \"lib/kpi.dun\" as invoices\n", "lib/my-kpi.dun": "let x = 1\n",
            "f.dun": "import \"lib/my-kpi.dun\"\n",
        ])
        try Data([0x6C, 0x65, 0x74, 0xFF]).write(to: dir.appendingPathComponent("lib/latin.dun"))
        try "import \"lib/latin.dun\"\n".write(to: dir.appendingPathComponent("g.dun"), atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = [
            "a.dun": "cannot import 'lib/nothing.dun': no such file", "b.dun": "module kpi has no 'lat'",
            "c.dun": "module kpi has no function 'lat'", "d.dun": "hint: did you mean 'aging'?",
            "e.dun": "error: 'invoices' is a built-in name, which would hide the module's",
            "f.dun":
                "error: 'my-kpi' cannot qualify names\nimport \"lib/my-kpi.dun\"\n^~~~~~~~~~~~~~~~~~~~~~~\nhint: import it as a name",
            "g.dun": "error: cannot import 'lib/latin.dun': it is not UTF-8",
        ]
        for (file, message) in expected {
            let text = try run(dir.appendingPathComponent(file)).diagnostics.map(\.rendered).joined()
            #expect(text.contains(message), "\(file): \(text)")
        }
    }

    /// Every module of the standard library imports cleanly, and is in the reference.
    @Test func theStandardModulesImport() throws {
        let reference = try String(contentsOf: Paths.root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        #expect(!Session.standardModules.isEmpty)
        for module in Session.standardModules {
            let name = URL(fileURLWithPath: module.name).deletingPathExtension().lastPathComponent
            let session = try Session.open(directory: dataFolder("small"), asOf: #require(Day(iso: "2026-11-28")))
            let r = session.run(SourceText(name: "t.dun", text: "import \(name)\n"))
            #expect(r.diagnostics.isEmpty, "\(name): \(r.diagnostics.map(\.rendered).joined())")
            for f in session.names(of: name) {
                #expect(reference.contains("`\(name).\(f)"), "\(name).\(f) is not in docs/language.md")
            }
        }
    }

    /// Every module and every name it defines has its doc comment, which `dun doc` and
    /// `.help` show.
    @Test func everyNameOfAStandardModuleIsDocumentedInPlace() throws {
        #expect(!ModuleDoc.standard.isEmpty)
        for doc in ModuleDoc.standard {
            #expect(!doc.lines.isEmpty, "\(doc.name) has no doc comment")
            let session = try Session.open(directory: dataFolder("small"), asOf: #require(Day(iso: "2026-11-28")))
            _ = session.run(SourceText(name: "t.dun", text: "import \(doc.name)\n"))
            #expect(Set(doc.items.map(\.name)) == Set(session.names(of: doc.name)), "\(doc.name)")
            for item in doc.items {
                #expect(!item.lines.isEmpty, "\(doc.name).\(item.name) has no doc comment")
            }
        }
        let r = try runDun(["doc", "dso.simple"])
        #expect(r.status == 0 && r.out.hasPrefix("dso.simple(t, period)\n  Simple DSO: receivables ÷"), "\(r.out)\(r.err)")
        #expect(try runDun(["doc"]).out.contains("  cei.index(t, period)  The index over `period`, to one place; null when there was nothing to collect.\n"))
        let missing = try runDun(["doc", "dos"])
        #expect(missing.status == 1 && missing.err.contains("error: no module or name 'dos' in the standard library"))
        let t = try Transcript()
        #expect(t.type(".help dso.add").hasPrefix("dso.add(t, period)\n  Average days delinquent"))
    }

    @Test func theShellCompletesAModulesNames() throws {
        let t = try Transcript()
        t.type("import aging")
        #expect(t.complete("aging.by") == ["by_key", "by_region"])
        #expect(t.type("aging.share_over(invoices, 90)") == "36\n")
    }
}
