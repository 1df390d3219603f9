// The model is declared once, in the catalogue: the language binds every stored field of it,
// and the reference's tables of entities and files are the catalogue's, word for word.
// `DUN_RECORD=1 swift test --filter SchemaTests` writes them into docs/language.md.

import DunLanguage
import DunModel
import Foundation
import Testing

@testable import Dun

@Suite struct SchemaTests {
    static let reference = Paths.root.appendingPathComponent("docs/language.md")

    @Test func everyStoredFieldIsBound() {
        #expect(Receivables.unbound.isEmpty, "\(Receivables.unbound)")
    }

    /// Every stored field of an entity of the language is one of its fields, of the type its
    /// kind gives, in the catalogue's order.
    @Test func theLanguageHasTheCatalogueFields() throws {
        for declaration in [Catalogue.customers, Catalogue.invoices, Catalogue.payments, Catalogue.promises] {
            let entity = try #require(Receivables.schema.entity(named: declaration.name))
            let names = Receivables.schema[entity].fields.map(\.name)
            let stored = declaration.fields.flatMap { [$0.name] + ($0.reference.map { [$0.field] } ?? []) }
            #expect(Array(names.prefix(stored.count)) == stored)
            #expect(Receivables.schema[entity].singular == declaration.singular)
        }
    }

    /// The table of each entity's fields, as the reference shows it.
    static func fieldTable(_ entity: Entity) -> String {
        let schema = Receivables.schema
        return
            (["| field | type | meaning |", "|---|---|---|"]
            + entity.fields.map { "| `\($0.name)` | \($0.type.name(in: schema)) | \($0.doc) |" }).joined(separator: "\n")
    }

    /// The table of a file's headers, as the reference shows it: required ones in bold.
    static func fileTable(_ declaration: EntityDeclaration) -> String {
        func holds(_ f: StoredField) -> String {
            switch f.kind {
            case .identifier: "id"
            case .reference:
                "\(f.reference.flatMap { r in Catalogue.all.first { $0.name == r.entity } }.map { "a \($0.singular)'s " } ?? "")id"
            case .text: "text"
            case .date: "date"
            case .amount: "amount"
            case .currency: "currency code"
            case .grade: "grade"
            case .days: "whole days"
            case .flag: "true or false"
            case .number: "number"
            }
        }
        return
            (["| header | holds | also read from |", "|---|---|---|"]
            + declaration.fields.map { f in
                let name = f.required ? "**\(f.name)**" : f.name
                let aliases = f.aliases.isEmpty ? "—" : f.aliases.map { "`\($0)`" }.joined(separator: ", ")
                return "| \(name) | \(holds(f)) | \(aliases) |"
            }).joined(separator: "\n")
    }

    /// The tables the catalogue gives, each under its heading.
    static var tables: [(heading: String, table: String)] {
        Receivables.schema.entities.map { ("### \($0.name)", fieldTable($0)) }
            + Catalogue.all.map { ("### \($0.file)", fileTable($0)) }
    }

    @Test func theReferenceTablesAreTheCatalogues() throws {
        var text = try String(contentsOf: Self.reference, encoding: .utf8)
        let original = text
        for (heading, table) in Self.tables {
            guard let h = text.range(of: "\n\(heading)\n"),
                let start = text.range(of: "\n| ", range: h.upperBound..<text.endIndex)
            else {
                Issue.record("docs/language.md has no table under \(heading)")
                continue
            }
            let end = text.range(of: "\n\n", range: start.lowerBound..<text.endIndex)?.lowerBound ?? text.endIndex
            let current = String(text[text.index(after: start.lowerBound)..<end])
            if current != table {
                text.replaceSubrange(text.index(after: start.lowerBound)..<end, with: table)
                if ProcessInfo.processInfo.environment["DUN_RECORD"] != "1" {
                    Issue.record(
                        "docs/language.md \(heading) differs from the catalogue:\n\(lineDiff(expected: table, actual: current))")
                }
            }
        }
        if text != original, ProcessInfo.processInfo.environment["DUN_RECORD"] == "1" {
            try text.write(to: Self.reference, atomically: true, encoding: .utf8)
            Issue.record("recorded docs/language.md; run again without DUN_RECORD=1 to check it")
        }
    }

    /// The README's table of files names each file's fields, the required ones in bold.
    @Test func theReadmeNamesTheFields() throws {
        let readme = try String(contentsOf: Paths.root.appendingPathComponent("README.md"), encoding: .utf8)
        for declaration in Catalogue.all {
            let row = try #require(
                readme.split(separator: "\n").first { $0.hasPrefix("| `\(declaration.file)`") },
                "README has no row for \(declaration.file)")
            let cells = row.split(separator: "|")
            // The names: each comma-separated entry's first word, parentheses dropped.
            var names: [String] = []
            var depth = 0
            var entry = ""
            for ch in cells[cells.count - 1] + "," {
                if ch == "(" {
                    depth += 1
                } else if ch == ")" {
                    depth -= 1
                } else if depth == 0 {
                    if ch == "," {
                        names.append(entry.trimmingCharacters(in: .whitespaces).components(separatedBy: " ")[0])
                        entry = ""
                    } else {
                        entry.append(ch)
                    }
                }
            }
            let expected = declaration.fields.map { $0.required ? "**\($0.name)**" : $0.name }
            #expect(names == expected, "README's \(declaration.file)")
        }
    }
}
