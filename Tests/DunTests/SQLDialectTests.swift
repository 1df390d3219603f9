// The dialect is the one place SQL differs between engines: every golden query that compiles,
// and the journal's replay, are compiled with a dialect that marks its own words, and what the
// compiler and the tables wrote themselves, outside the marks, must hold none of PostgreSQL's
// own forms; so must the checks the engine makes when it opens. No database is needed:
// without `[source]`, tables are named as the entities.

@testable import Dun
import DunCore
import DunLanguage
import DunModel
import Foundation
import Testing

/// PostgreSQL's SQL, with the words the dialect writes itself between ⟦ and ⟧ and the SQL it
/// is given left as it is.
struct MarkedDialect: SQLDialect {
    let postgres = PostgreSQL()

    /// What `write` makes of `parts`, its own words marked.
    func mark(_ parts: [String], _ write: ([String]) -> String) -> String {
        let holders = parts.indices.map { "\u{1}\($0)\u{2}" }
        var out = ""
        var rest = Substring(write(holders))
        while let start = rest.firstIndex(of: "\u{1}"), let end = rest[start...].firstIndex(of: "\u{2}"),
            let k = Int(rest[rest.index(after: start)..<end]), parts.indices.contains(k)
        {
            if start > rest.startIndex { out += "⟦" + rest[..<start] + "⟧" }
            out += parts[k]
            rest = rest[rest.index(after: end)...]
        }
        return rest.isEmpty ? out : out + "⟦" + rest + "⟧"
    }

    func quote(_ name: String) -> String { mark([]) { _ in postgres.quote(name) } }
    func text(_ s: String) -> String { mark([]) { _ in postgres.text(s) } }
    func date(_ d: Day) -> String { mark([]) { _ in postgres.date(d) } }
    func cast(_ sql: String, to type: SQLType) -> String { mark([sql]) { postgres.cast($0[0], to: type) } }
    func quotient(_ a: String, _ b: String) -> String { mark([a, b]) { postgres.quotient($0[0], $0[1]) } }
    func wholeQuotient(_ a: String, _ b: String) -> String { mark([a, b]) { postgres.wholeQuotient($0[0], $0[1]) } }
    func rounded(_ d: String, places: String) -> String { mark([d, places]) { postgres.rounded($0[0], places: $0[1]) } }
    func scale(_ d: String) -> String { mark([d]) { postgres.scale($0[0]) } }
    func withoutTrailingZeros(_ d: String) -> String { mark([d]) { postgres.withoutTrailingZeros($0[0]) } }
    func filtered(_ a: String, where c: String) -> String { mark([a, c]) { postgres.filtered($0[0], where: $0[1]) } }
    func first(_ value: String, by order: String, where condition: String?) -> String {
        mark([value, order] + (condition.map { [$0] } ?? [])) {
            postgres.first($0[0], by: $0[1], where: $0.count > 2 ? $0[2] : nil)
        }
    }
    func joinedAll(_ t: String, separator: String, by order: String) -> String {
        mark([t, order]) { postgres.joinedAll($0[0], separator: separator, by: $0[1]) }
    }
    func ordered(_ sql: String) -> String { mark([sql]) { postgres.ordered($0[0]) } }
    func matches(_ t: String, _ pattern: String) -> String { mark([t]) { postgres.matches($0[0], pattern) } }
    func position(of part: String, in whole: String) -> String {
        mark([part, whole]) { postgres.position(of: $0[0], in: $0[1]) }
    }
    func word(_ n: Int, of t: String) -> String { mark([t]) { postgres.word(n, of: $0[0]) } }
    func trim(_ t: String, _ characters: String) -> String { mark([t]) { postgres.trim($0[0], characters) } }
    func joined(_ texts: [String], separator: String) -> String {
        mark(texts + [separator]) { postgres.joined(Array($0.dropLast()), separator: $0[$0.count - 1]) }
    }
    var writable: [DunType] { postgres.writable }
    func written(_ sql: String, _ type: DunType) -> String { mark([sql]) { postgres.written($0[0], type) } }
    func moved(_ d: String, months: Int64) -> String { mark([d]) { postgres.moved($0[0], months: months) } }
    func moved(_ d: String, monthsSQL m: String) -> String { mark([d, m]) { postgres.moved($0[0], monthsSQL: $0[1]) } }
    func moved(_ d: String, daysSQL n: String) -> String { mark([d, n]) { postgres.moved($0[0], daysSQL: $0[1]) } }
    func days(from: String, to: String) -> String { mark([from, to]) { postgres.days(from: $0[0], to: $0[1]) } }
    func year(_ d: String) -> String { mark([d]) { postgres.year($0[0]) } }
    func month(_ d: String) -> String { mark([d]) { postgres.month($0[0]) } }
    func weekday(_ d: String) -> String { mark([d]) { postgres.weekday($0[0]) } }
    func bound(_ span: Day.Span, of d: String, first: Bool) -> String {
        mark([d]) { postgres.bound(span, of: $0[0], first: first) }
    }
    func failing(_ message: String, as type: SQLType) -> String { mark([]) { _ in postgres.failing(message, as: type) } }
    func with(_ tables: [(name: String, sql: String)], _ statement: String) -> String {
        mark(tables.map(\.sql) + [statement]) { parts in
            postgres.with(zip(tables, parts).map { ($0.0.name, $0.1) }, parts[parts.count - 1])
        }
    }
    func elements(ofJSONArray json: String, as alias: String) -> String {
        mark([json, alias]) { postgres.elements(ofJSONArray: $0[0], as: $0[1]) }
    }
    func element(_ index: Int, ofJSONArray json: String) -> String {
        mark([json]) { postgres.element(index, ofJSONArray: $0[0]) }
    }
    func series(to count: String, as alias: String) -> String { mark([count, alias]) { postgres.series(to: $0[0], as: $0[1]) } }
    func temporaryTable(_ k: Int, holding sql: String) -> (name: String, making: String) {
        postgres.temporaryTable(k, holding: sql)
    }
    var runSettings: String { postgres.runSettings }
}

@Suite struct SQLDialectTests {
    /// PostgreSQL's own forms, which only its dialect may write.
    static let postgresOnly = [
        "::", "FILTER", "COLLATE", "jsonb", "array", "ARRAY", "unnest", "split_part", "generate_series", "scale(",
        "string_agg", "concat_ws", "strpos", "date_trunc", "EXTRACT", "INTERVAL", "make_interval", "to_char",
        "DISTINCT ON", " ~ ", "btrim", "div(", "round(", "MATERIALIZED", "now()", "DATE '",
    ]

    /// `sql` without what the dialect wrote (between ⟦ and ⟧, nested).
    static func unmarked(_ sql: String) -> String {
        var depth = 0
        var out = ""
        for c in sql {
            if c == "⟦" {
                depth += 1
            } else if c == "⟧" {
                depth -= 1
            } else if depth == 0 {
                out.append(c)
            }
        }
        return out
    }

    /// PostgreSQL's forms that `sql` holds outside the dialect's words.
    static func strays(_ sql: String) -> [String] {
        let own = unmarked(sql)
        return postgresOnly.filter { own.contains($0) }
    }

    @Test func theMarksAreTheDialectsOwnWords() {
        let d = MarkedDialect()
        #expect(d.cast("x.a", to: .numeric) == "⟦(⟧x.a⟦)::numeric⟧")
        #expect(Self.unmarked(d.filtered("sum(x)", where: d.cast("y", to: .text))) == "sum(x)y")
        // Not vacuous: PostgreSQL written by hand is found.
        #expect(Self.strays("SELECT a::text FROM t WHERE b ~ 'x'") == ["::", " ~ "])
    }

    @Test func everyCompiledQueryLeavesTheEngineToTheDialect() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dun-dialect-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let asOf = try #require(Day(iso: "2026-11-28"))
        var compiled = 0
        for golden in GoldenScript.all {
            let text = try String(contentsOf: golden.url, encoding: .utf8)
            let bytes = Array(text.utf8)
            let parsed = Parser.parse(SourceText(name: "golden", text: text))
            // The script's imports and functions, before each of its queries.
            var definitions = ""
            for statement in parsed.statements {
                switch statement {
                case .import(let i): definitions += String(decoding: bytes[i.range], as: UTF8.self) + "\n"
                case .function(let f): definitions += String(decoding: bytes[f.range], as: UTF8.self) + "\n"
                case .query(let pipeline):
                    let query = String(decoding: bytes[pipeline.range], as: UTF8.self)
                    let session = try Session(workspace: Workspace(), asOf: asOf)
                    session.directory = dir.path
                    guard case .success(let checked) = session.compilable(SourceText(name: "q", text: definitions + query))
                    else { continue }
                    // With no journal, and with one in the database, whose replay it writes.
                    var model = try DatabaseModel(
                        settings: session.settings, directory: nil, asOf: asOf, dialect: MarkedDialect())
                    for journal in [DatabaseModel.Replayed.nothing, .table("\"dun_journal\"")] {
                        model.journal = journal
                        guard let sql = try? model.compiled(checked, session.interpreter).sql else { continue }
                        compiled += 1
                        let strays = Self.strays(sql)
                        #expect(strays.isEmpty, "\(golden.testDescription): \(query) writes \(strays)\n\(Self.unmarked(sql))")
                    }
                default: continue
                }
            }
        }
        #expect(compiled >= 500, "only \(compiled) compiled")
    }

    /// A database that answers nothing, keeping what it was asked.
    final class Asked: CheckedDatabase, @unchecked Sendable {
        var statements: [String] = []
        func rows(of sql: String) throws(Diagnostics) -> [[String?]] {
            statements.append(sql)
            return []
        }
        func isUnique(_ column: String, in table: String) throws(Diagnostics) -> Bool { false }
    }

    /// The checks the engine makes when it opens, which no query compiles.
    @Test func theOpeningChecksLeaveTheEngineToTheDialect() throws {
        let asOf = try #require(Day(iso: "2026-11-28"))
        let session = try Session(workspace: Workspace(), asOf: asOf)
        let model = try DatabaseModel(settings: session.settings, directory: nil, asOf: asOf, dialect: MarkedDialect())
        let database = Asked()
        try model.checkKeys(in: database)
        try model.checkPayments(in: database)
        try model.checkCurrencies(in: database)
        try model.checkRows(in: database)
        // Three tables' ids, the payments, the currencies, three tables' rows.
        #expect(database.statements.count == 8)
        for sql in database.statements {
            #expect(Self.strays(sql).isEmpty, "\(Self.strays(sql))\n\(Self.unmarked(sql))")
        }
    }

    /// The journal's replay, which the golden queries read only in part: each entity and field
    /// it makes.
    @Test func theJournalsReplayLeavesTheEngineToTheDialect() throws {
        let asOf = try #require(Day(iso: "2026-11-28"))
        let session = try Session(workspace: Workspace(), asOf: asOf)
        var model = try DatabaseModel(settings: session.settings, directory: nil, asOf: asOf, dialect: MarkedDialect())
        model.journal = .table("\"dun_journal\"")
        let queries = [
            "promises | select customer_id, invoice_id, amount, paid, kept, status",
            "instalments | select customer_id, invoices, due, amount, owed, status",
            "actions | select id, date, customer_id, invoices, amount",
            "invoices | select id, promised_by, on_plan, disputed, balance, days_to_pay, status",
            "customers | select id, grade, on_hold, last_reminder, balance, avg_days_late, unapplied",
        ]
        for query in queries {
            let checked = try session.compilable(SourceText(name: "q", text: query)).get()
            let sql = try model.compiled(checked, session.interpreter).sql
            #expect(Self.strays(sql).isEmpty, "\(query) writes \(Self.strays(sql))\n\(Self.unmarked(sql))")
        }
    }
}
