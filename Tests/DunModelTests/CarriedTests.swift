// Carried fields of every kind: read from a file by their kind, with an error at the cell of a
// bad value, kept only for good records, and cached and read back.

import DunCore
import Foundation
import Testing

@testable import DunModel

/// A table whose every field is carried, one of each kind.
private struct Things: CarriesFields {
    static let declaration = EntityDeclaration(
        name: "things", singular: "thing", file: "things.csv", required: false, key: "label",
        fields: [
            StoredField(name: "label", required: true, kind: .text),
            StoredField(name: "since", required: false, kind: .date),
            StoredField(name: "fee", required: false, kind: .amount),
            StoredField(name: "grace", required: false, kind: .days),
            StoredField(name: "vip", required: false, kind: .flag),
            StoredField(name: "band", required: false, kind: .grade),
        ])
    static let carriedLayout = CarriedLayout(declaration, own: 0)
}

/// Things with a field renamed.
private struct Renamed: CarriesFields {
    static let carriedLayout = CarriedLayout(
        EntityDeclaration(
            name: "things", singular: "thing", file: "things.csv", required: false, key: "label",
            fields: Things.declaration.fields.map { f in
                var f = f
                if f.name == "grace" { f.name = "grace_days" }
                return f
            }), own: 0)
}

/// No column of its own.
private enum NoColumn: Int {
    case none
}

/// The rows of `text` that read without error, and each bad record's problems.
private func read(_ text: String) throws -> (Carried<Things>, [String]) {
    let bytes = FileBytes(text: text)
    let file = try CSVFile(name: "things.csv", bytes: bytes.buffer, columns: Things.declaration.fields)
    let part = try #require(file.parts(1).parts.first)
    var record = Record<NoColumn>(CSVTable(file, part: (part.range, part.line)))
    var rows = Carried<Things>()
    var problems: [String] = []
    while try record.next() {
        record.check(Things.carriedLayout, currency: .cny)
        if record.isValid {
            record.carry(into: &rows, currency: .cny)
        } else {
            problems += record.problems.map { $0.rendered.split(separator: "\n").first.map(String.init) ?? "" }
        }
    }
    return (rows, problems)
}

@Suite struct CarriedTests {
    static let file = """
        label,since,fee,grace,vip,band
        one,2024-03-01,"1,234.50",10,是,B
        two,,,,,
        bad,2024-02-30,12.345,-3,maybe,F
        ,2024-01-01,1.00,1,no,A
        three,2025-12-31,-5.00,0,X,E

        """

    @Test func eachKindIsReadByItsKind() throws {
        let (rows, _) = try read(Self.file)
        #expect(rows.count == 3)
        #expect(rows.values("label") == ["one", "two", "three"])
        #expect(rows.values("since") == ["2024-03-01", "-", "2025-12-31"])
        #expect(rows.values("fee") == ["123450", "-", "-500"])
        #expect(rows.values("grace") == ["10", "-", "0"])
        #expect(rows.values("vip") == ["true", "false", "true"])
        #expect(rows.values("band") == ["B", "-", "E"])
    }

    @Test func aBadValueIsAnErrorAtItsCell() throws {
        let (_, problems) = try read(Self.file)
        #expect(
            problems == [
                "things.csv:4:5: error: no such date '2024-02-30'",
                "things.csv:4:16: error: fee '12.345' has more decimals than CNY allows (2)",
                "things.csv:4:23: error: expected a whole number of days, found '-3'",
                "things.csv:4:26: error: expected true or false, found 'maybe'",
                "things.csv:4:32: error: unknown grade 'F'",
                "things.csv:5:1: error: empty label",
            ])
    }

    /// A cache written when the catalogue carried other fields is not read as this one's.
    @Test func aCacheOfOtherFieldsIsRefused() throws {
        let (rows, _) = try read(Self.file)
        #expect(throws: CacheReader.Invalid.self) { try roundTrip(rows, as: Renamed.self) }
    }

    @Test func theCacheGivesTheColumnsBack() throws {
        let (rows, _) = try read(Self.file)
        let back = try roundTrip(rows)
        for field in Things.declaration.fields {
            #expect(back.values(field.name) == rows.values(field.name), "\(field.name)")
        }
    }
}

/// `columns` written to a cache file and read back.
private func roundTrip<Back>(_ columns: Carried<Things>, as _: Back.Type = Things.self) throws -> Carried<Back> {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("carried-\(UInt64.random(in: 0...UInt64.max))").path
    defer { unlink(path) }
    let out = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
    try #require(out >= 0)
    try columns.store(CacheWriter(fd: out))
    close(out)
    let input = open(path, O_RDONLY)
    try #require(input >= 0)
    defer { close(input) }
    var info = stat()
    fstat(input, &info)
    return try Carried<Back>(CacheReader(fd: input, size: Int(info.st_size)), limits: RowLimits())
}
