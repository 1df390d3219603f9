// Robustness: mutated scripts must give results or clean diagnostics, never a trap or a hang.
//
// `mutantsAreWellFormed` mutates the golden scripts with a fixed seed and its own PRNG (so a
// failure is reproducible: the message names the mutant's number and text) and runs each
// mutant in-process through a fresh Session. It asserts only that the result is well-formed.
//
// `KnownCrashes` holds the smallest inputs a fuzzing pass found that trap or hang. Each runs in
// a child process (an exit test), so until it is fixed it fails on its own instead of taking
// the whole test run down with it.

import Dun
import DunCore
import Foundation
import Testing

// MARK: - the seeded generator

extension SplitMix64 {
    mutating func chance(_ percent: Int) -> Bool {
        below(100) < percent
    }
}

// MARK: - the mutator

enum Mutator {
    /// Pieces inserted into scripts: operators, brackets, quotes, keywords, stages, literals
    /// at the edges of their ranges, Chinese text and full-width punctuation, control characters.
    static let fragments: [String] = [
        "+", "-", "*", "/", "=", "!=", "<", "<=", ">", ">=", "??", "|", ",", ".", ":", "=>", "==", "&&", "||", "<>", "!",
        "(", ")", "[", "]", "{", "}", "\"", "'", "\\", "#", "%", "$", "¥", "￥", "€", "£", "_",
        "and", "or", "not", "in", "is", "null", "true", "false", "where", "sort by", "by", "take", "select", "derive",
        "group by", "aggregate", "between", "contains", "let", "policy", "rule", "explain", "count", "count()", "desc",
        "asc", "today", "customers", "invoices", "payments", "customer", "invoice", "balance", "amount", "overdue",
        "grade", "bucket", "days_overdue", "credit_limit", "utilization", "last_payment", "A", "E", "a",
        "sum(", "avg(", "min(", "max(", "abs(", "round(", "year(", "month(", "lower(", "upper(", "length(",
        "hold credit", "remind via email", "at most once per", "when", "| count", "| take 0", "| where false",
        "9223372036854775807", "9_223_372_036_854_775_807", "9223372036854775808", "1000000000000000000000000000000",
        "0.000000000000000001", "0.0000000000000000001", "92233720368547758.07", "¥92233720368547758.07",
        "9223372036854775807k", "1e30", "1.5m", "0", "0.0", "99.99%", "9999-12-31", "0001-01-01", "0000-00-00",
        "2026-02-29", "30 days", "3 months", "1 year", "2 weeks", "5000 CNY", "5 cny", "1.234 JPY", "10k USD",
        "华东", "\"华东\"", "回款管理", "，", "（", "）", "：", "“", "”", "＝", "＜", "＞", "｜", "［", "］", "｛", "｝", "。", "！",
        "？", "％", "\u{3000}", "e\u{301}", "\u{301}", "\u{200B}", "\u{FEFF}", "\u{FFFD}", "🇨🇳", "👨‍👩‍👧",
        "\u{0}", "\r", "\t", "\r\n", "\n", "\n| ", "\n  and ", "\u{7F}", "\u{1B}[31m", "\u{2028}",
    ]

    /// Whole words, runs of spaces and single other characters.
    static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var currentKind = 0  // 0 none, 1 word, 2 blank
        func kind(_ s: Unicode.Scalar) -> Int {
            if s == "_" || s.properties.isAlphabetic || ("0"..."9").contains(s) { return 1 }
            if s == " " || s == "\t" { return 2 }
            return 3
        }
        for s in text.unicodeScalars {
            let k = kind(s)
            if k != 3 && k == currentKind {
                current.unicodeScalars.append(s)
                continue
            }
            if !current.isEmpty { out.append(current) }
            current = String(s)
            currentKind = k
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// One to four random edits of `text`, or (one time in two) one or two edits that keep
    /// its shape, so that the mutant is more likely to get past the checker and run; `others`
    /// are the scripts spliced from.
    static func mutate(_ text: String, others: [String], rng: inout SplitMix64) -> String {
        var out = text
        if rng.chance(50) {
            for _ in 0..<(1 + rng.below(2)) {
                out = soften(out, rng: &rng)
            }
            return out
        }
        for _ in 0..<(1 + rng.below(4)) {
            out = mutateOnce(out, others: others, rng: &rng)
        }
        return out
    }

    static let classes: [[String]] = [
        ["customers", "invoices", "payments"],
        [
            "id", "name", "region", "grade", "credit_limit", "currency", "terms_days", "balance", "overdue_balance", "unapplied",
            "overdue", "utilization", "last_payment", "avg_days_to_pay", "on_hold", "last_reminder", "invoices", "payments",
            "customer_id", "customer", "issued", "due", "amount", "disputed", "paid", "status", "days_overdue", "bucket",
            "days_to_pay", "invoice_id", "invoice", "date", "method", "applied", "today",
        ],
        ["+", "-", "*", "/"],
        ["=", "<", ">"],
        ["count", "sum", "avg", "min", "max", "abs", "round", "year", "month", "lower", "upper", "length"],
        ["and", "or"],
        ["asc", "desc"],
        ["A", "B", "C", "D", "E"],
        ["day", "days", "week", "weeks", "month", "months", "year", "years"],
    ]

    static let numbers = [
        "0", "1", "2", "30", "1.5", "0.000000000000000001", "92233720368547758.07", "9223372036854775807",
        "9_223_372_036_854_775_807", "4611686018427387904", "99999999999999999999", "10k", "1.5m", "100%",
    ]

    /// One edit that keeps the shape: a number for a number, a field for a field, an operator
    /// for an operator, a date at an end of the calendar for a date.
    private static func soften(_ text: String, rng: inout SplitMix64) -> String {
        var toks = tokens(text)
        let candidates = toks.indices.filter { !toks[$0].allSatisfy { $0 == " " || $0 == "\t" } }
        guard !candidates.isEmpty else { return text }
        let i = rng.pick(candidates)
        let t = toks[i]
        if t.first?.isNumber == true {
            // A date's year is a number token too: move it to an end of the calendar.
            let isYear = i + 1 < toks.count && toks[i + 1] == "-" && t.count == 4
            toks[i] = isYear ? rng.pick(["0001", "9999", "1970", "2024"]) : rng.pick(numbers)
        } else if let words = classes.first(where: { $0.contains(t) }) {
            toks[i] = rng.pick(words)
        } else {
            toks[i] = rng.pick([t, "(" + t + ")", "-" + t, t + " ?? " + t])
        }
        return toks.joined()
    }

    private static func mutateOnce(_ text: String, others: [String], rng: inout SplitMix64) -> String {
        var toks = tokens(text)
        if toks.isEmpty { toks = [""] }
        let i = rng.below(toks.count)
        switch rng.below(14) {
        case 0:
            toks.remove(at: i)
        case 1:
            toks.insert(toks[i], at: i)
        case 2:
            toks.swapAt(i, rng.below(toks.count))
        case 3:
            toks.insert(" " + rng.pick(fragments) + " ", at: i)
        case 4:
            toks[i] = rng.pick(fragments)
        case 5:
            // A number at the edge of what fits, where a number (or anything) was.
            let numbers = toks.indices.filter { toks[$0].first?.isNumber == true }
            toks[numbers.isEmpty ? i : rng.pick(numbers)] = rng.pick([
                "9223372036854775807", "9_223_372_036_854_775_807", "99999999999999999999", "0.000000000000000001",
                "92233720368547758.07", "4611686018427387904", "0", "1.5", "1_000",
            ])
        case 6:
            var scalars = Array(toks.joined().unicodeScalars)
            if !scalars.isEmpty { scalars.remove(at: rng.below(scalars.count)) }
            return String(String.UnicodeScalarView(scalars))
        case 7:
            var scalars = Array(toks.joined().unicodeScalars)
            let pieces: [Unicode.Scalar] = [
                "(", ")", "[", "]", "\"", "'", "\\", "|", "\n", "{", "}", "#", "-", ".", "%", "k", "\u{0}", "，", "长",
            ]
            scalars.insert(rng.pick(pieces), at: rng.below(scalars.count + 1))
            return String(String.UnicodeScalarView(scalars))
        case 8:
            // Shallow nesting only: deep nesting is a known crash, tested on its own below.
            let depth = 1 + rng.below(12)
            toks[i] = String(repeating: "(", count: depth) + toks[i] + String(repeating: ")", count: depth)
        case 9:
            let other = tokens(rng.pick(others))
            if !other.isEmpty {
                let a = rng.below(other.count)
                let b = min(other.count, a + 1 + rng.below(24))
                toks.insert(contentsOf: other[a..<b], at: i)
            }
        case 10:
            toks.insert(
                rng.chance(50)
                    ? String(repeating: "x", count: 2_000)
                    : "\"" + String(repeating: "长", count: 1_000) + "\"",
                at: i)
        case 11:
            // Bytes that are not UTF-8, repaired as reading a file would (U+FFFD).
            var bytes = Array(toks.joined().utf8)
            let bad: [[UInt8]] = [[0xFF], [0xC3], [0xE4, 0xB8], [0xED, 0xA0, 0x80], [0xB9, 0xFA], [0x00]]
            bytes.insert(contentsOf: rng.pick(bad), at: rng.below(bytes.count + 1))
            return String(decoding: bytes, as: UTF8.self)
        case 12:
            toks.insert(rng.pick(["\n| ", "\n  and ", "\nwhere ", "\n\n\n", "\n)", "\r\n"]), at: i)
        default:
            toks.removeSubrange(i...)
        }
        return toks.joined()
    }
}

// MARK: - running a source and checking its result

enum Robust {
    static let seed: UInt64 = 0x00D0_4E5E_ED2C_0FFE
    static let mutantCount = 400

    struct Seed {
        var text: String
        var data: String
        var asOf: Day
        var format: OutputFormat
    }

    /// The golden scripts, and each one-line statement of them on its own (a mutant of a
    /// whole script is mostly stopped by the checker; one of a single statement often runs),
    /// with the data folder, date and format their headers name.
    static func seeds() throws -> [Seed] {
        var seeds: [Seed] = []
        for golden in GoldenScript.all {
            let text = try String(contentsOf: golden.url, encoding: .utf8)
            let data = dataFolder(golden.header("data", in: text))
            let asOf = Day(iso: golden.header("as-of", in: text) ?? "2026-11-28") ?? Day(year: 2026, month: 11, day: 28)!
            let format = OutputFormat(rawValue: golden.header("format", in: text) ?? "table") ?? .table
            seeds.append(Seed(text: text, data: data, asOf: asOf, format: format))
            for line in text.split(separator: "\n") {
                guard let first = line.first, first != "#", first != " ", first != "|", first != "}" else { continue }
                seeds.append(Seed(text: String(line), data: data, asOf: asOf, format: format))
            }
        }
        return seeds
    }

    /// What is wrong with a run's result, if anything: every diagnostic needs a message,
    /// and a position with a line and a column of at least 1.
    static func problems(_ diagnostics: [Diagnostic]) -> [String] {
        var out: [String] = []
        for d in diagnostics {
            if d.message.isEmpty { out.append("a diagnostic without a message: \(d)") }
            if let p = d.position {
                if p.line < 1 { out.append("line \(p.line) < 1 in '\(d.message)'") }
                if p.column < 1 { out.append("column \(p.column) < 1 in '\(d.message)'") }
            }
        }
        if out.isEmpty {
            // Rendering indexes the line by the column: it must not trap either.
            _ = diagnostics.map(\.rendered)
        }
        return out
    }

    /// Runs each source in turn in one session on `fixtures/small`; what it prints (output,
    /// then diagnostics) must be exactly the expected text. For the child processes of the
    /// crash tests: a mismatch exits with status 3 and says why on standard error.
    static func expectInSmall(
        _ cases: [(source: String, prints: String)], asOf: String = "2026-11-28", format: OutputFormat = .table
    ) throws {
        let session = try Session.open(
            directory: Paths.fixtures.appendingPathComponent("small").path, asOf: Day(iso: asOf)!, format: format)
        for (i, c) in cases.enumerated() {
            let result = session.run(SourceText(name: "<case \(i)>", text: c.source))
            let printed = result.output + result.diagnostics.map(\.rendered).joined()
            let problems = problems(result.diagnostics)
            if !problems.isEmpty || printed != c.prints {
                let why = problems.isEmpty ? lineDiff(expected: c.prints, actual: printed) : problems.joined(separator: "\n")
                FileHandle.standardError.write(Data("case \(i):\n\(why)\n".utf8))
                exit(3)
            }
        }
    }
}

// MARK: - the fuzzing pass

@Suite struct RobustnessTests {
    @Test func mutantsAreWellFormed() throws {
        let seeds = try Robust.seeds()
        try #require(!seeds.isEmpty, "no golden scripts found under \(Paths.golden.path)")
        let texts = seeds.map(\.text)
        let dates = [Day(year: 1, month: 1, day: 1)!, Day(year: 9999, month: 12, day: 31)!, Day(year: 1970, month: 1, day: 1)!]
        var rng = SplitMix64(seed: Robust.seed)
        // One workspace per folder, loaded once; a fresh session per mutant so that no
        // `let` of one mutant leaks into the next.
        var loaded: [String: Session] = [:]
        var ran = 0
        for n in 0..<Robust.mutantCount {
            let seed = rng.pick(seeds)
            let text = Mutator.mutate(seed.text, others: texts, rng: &rng)
            let asOf = rng.chance(15) ? rng.pick(dates) : seed.asOf
            let format = rng.chance(20) ? rng.pick(OutputFormat.allCases) : seed.format
            if loaded[seed.data] == nil {
                loaded[seed.data] = try Session.open(directory: seed.data, asOf: seed.asOf)
            }
            let workspace = loaded[seed.data]!
            let session = try Session(workspace: workspace.snapshot.workspace, asOf: asOf, format: format, rates: workspace.rates)
            let result = session.run(SourceText(name: "mutant-\(n).dun", text: text))
            let problems = Robust.problems(result.diagnostics)
            #expect(
                problems.isEmpty, "mutant \(n) (seed \(Robust.seed)):\n\(problems.joined(separator: "\n"))\n--- text:\n\(text)")
            ran += 1
        }
        #expect(ran == Robust.mutantCount)
    }

    @Test func checkingMutantsWithoutDataIsWellFormed() throws {
        let texts = try Robust.seeds().map(\.text)
        var rng = SplitMix64(seed: Robust.seed ^ 0xC4EC)
        for n in 0..<100 {
            let text = Mutator.mutate(rng.pick(texts), others: texts, rng: &rng)
            let diagnostics = Session.check(SourceText(name: "check-\(n).dun", text: text))
            let problems = Robust.problems(diagnostics)
            #expect(problems.isEmpty, "check mutant \(n):\n\(problems.joined(separator: "\n"))\n--- text:\n\(text)")
        }
    }
}

// MARK: - crashes and hangs found by fuzzing, now fixed

/// Inputs that once trapped or hung. Each runs in a child process (an exit test), so that a
/// regression fails its own test instead of taking the whole run down, and must print
/// exactly what it prints now.
@Suite struct CrashRegressions {
    static let longest = "-9223372036854775807 days - 1 day"

    // Was a trap: abs(Int64.min) when printing a duration of -2^63 days or months.
    @Test func printingTheSmallestDurations() async {
        await #expect(processExitsWith: .success) {
            try Robust.expectInSmall([
                (CrashRegressions.longest, "-9223372036854775808 days\n"),
                ("-9223372036854775807 months - 1 month", "-9223372036854775808 months\n"),
            ])
            try Robust.expectInSmall(
                [
                    (
                        "customers | take 1 | select d = \(CrashRegressions.longest)",
                        "[\n  {\"d\": \"-9223372036854775808 days\"}\n]\n"
                    )
                ],
                format: .json)
        }
    }

    // Was a trap: overflow of `sign * n` when subtracting a duration of -2^63 from a date.
    @Test func subtractingTheSmallestDurationFromADate() async {
        await #expect(processExitsWith: .success) {
            let source = "today - (\(CrashRegressions.longest))"
            let caret = "^" + String(repeating: "~", count: source.count - 1)
            try Robust.expectInSmall([(source, "<case 0>:1:1: error: date out of range\n\(source)\n\(caret)\n")])
        }
    }

    // Was an index out of range: an aggregate of a table built from the group's row read a row
    // of an empty group (and, with rows, silently used the group's first). Now a check error.
    @Test func aggregateOfATableBuiltFromTheGroupsRow() async {
        await #expect(processExitsWith: .success) {
            let call = "count(customers where amount > 0)"
            let source = "invoices where false | aggregate n = \(call)"
            let caret = String(repeating: " ", count: 37) + "^" + String(repeating: "~", count: call.count - 1)
            let message = "count(…) here gives one value per row of the group; aggregate it over the group"
            try Robust.expectInSmall([
                (source, "<case 0>:1:38: error: \(message)\n\(source)\n\(caret)\nhint: sum(\(call))\n")
            ])
        }
    }

    // Was an index out of range: a `let` whose run failed kept its new type with its old value.
    @Test func rebindingThatFailsKeepsTheOldBinding() async {
        await #expect(processExitsWith: .success) {
            try Robust.expectInSmall([
                ("let x = customers", ""),
                (
                    "let x = customers | select a = 1 / 0",
                    "<case 1>:1:32: error: division by zero\nlet x = customers | select a = 1 / 0\n                               ^~~~~\nnote: on customer C1\n"
                ),
                (
                    "x | where a = 1",
                    "<case 2>:1:11: error: unknown field 'a' in customers\nx | where a = 1\n          ^\nhint: if you meant the grade, write A\n"
                ),
            ])
        }
    }

    // Were stack overflows: parentheses, `not`, minus signs and member chains thousands deep.
    @Test(arguments: [
        String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000),
        String(repeating: "not ", count: 5_000) + "true",
        String(repeating: "-", count: 100_000) + "1",
        "customers" + String(repeating: ".id", count: 100_000),
    ])
    func deepExpressionsAreRefused(_ source: String) async {
        await #expect(processExitsWith: .success) { [source] in
            let session = try Session.open(
                directory: Paths.fixtures.appendingPathComponent("small").path, asOf: Day(iso: "2026-11-28")!)
            let result = session.run(SourceText(name: "deep", text: source))
            let message = "expression nested too deeply (more than 64 levels)"
            guard result.diagnostics.count == 1, result.diagnostics[0].message == message else { exit(3) }
        }
    }

    /// A long chain of one operator, named by its operator in test reports.
    struct Chain: Sendable, Codable, CustomTestStringConvertible {
        let testDescription: String
        let source: String
        let prints: String
        init(_ name: String, _ term: String, _ count: Int, _ separator: String, around: (String, String), _ prints: String) {
            testDescription = "\(count) × \(name)"
            source = around.0 + Array(repeating: term, count: count).joined(separator: separator) + around.1
            self.prints = prints
        }
    }

    // Was a stack overflow (letting go of a tree 100,000 deep), and before that "nested too
    // deeply": a chain of one operator is a flat list, however long.
    @Test(arguments: [
        Chain("+", "1 + 1", 50_000, " + ", around: ("customers | where ", " = 100000 | count"), "6\n"),
        Chain("and", #"id != "x""#, 100_000, " and ", around: ("customers | where ", " | count"), "6\n"),
        Chain("or", #"id = "x""#, 100_000, " or ", around: ("customers | where ", " | count"), "0\n"),
        Chain("-", "2 * 3 / 3", 20_000, " - ", around: ("", " + 40000"), "4\n"),
    ])
    func longChainsRun(_ chain: Chain) async {
        await #expect(processExitsWith: .success) { [chain] in
            try Robust.expectInSmall([(chain.source, chain.prints)])
        }
    }

    // Was quadratic: each dropped line break scanned all the line breaks after it. The sizes
    // make a linear run take a second or two and a quadratic one minutes, so that the alarm
    // tells the two apart however busy the machine is.
    @Test func manyBlankLinesBeforeAPipe() async {
        await #expect(processExitsWith: .success) {
            alarm(60)
            try Robust.expectInSmall([("customers" + String(repeating: "\n", count: 250_000) + "| count", "6\n")])
        }
    }

    // Was quadratic: a "did you mean" over every id for every bad reference, shown or not.
    // Were minutes and hundreds of megabytes: a did-you-mean over every id for a 256 KiB
    // reference, and each bad value echoed whole in the message and the line shown.
    @Test func hugeBadValuesGiveShortErrorsQuickly() async {
        await #expect(processExitsWith: .success) {
            alarm(60)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-robustness-\(getpid())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let n = 2_000
            try ("id,name\n" + (0..<n).map { "C\($0),n\n" }.joined())
                .write(to: dir.appendingPathComponent("customers.csv"), atomically: true, encoding: .utf8)
            try ("id,customer_id,issued,due,amount\n" + (0..<n).map { "I\($0),C\($0),2026-01-01,2026-02-01,1.00\n" }.joined())
                .write(to: dir.appendingPathComponent("invoices.csv"), atomically: true, encoding: .utf8)
            let id = String(repeating: "A", count: 256 << 10)
            let amount = String(repeating: "9", count: 4 << 20) + "x"
            try
                ("id,customer_id,invoice_id,date,amount\n" + "P0,C0,I0,2026-03-01,\(amount)\n"
                + (1..<60).map { "P\($0),C\($0),\(id),2026-03-01,1.00\n" }.joined())
                .write(to: dir.appendingPathComponent("payments.csv"), atomically: true, encoding: .utf8)
            do throws(Diagnostics) {
                _ = try Session.open(directory: dir.path, asOf: Day(iso: "2026-11-28")!)
                exit(3)
            } catch {
                let rendered = error.all.map(\.rendered)
                let a40 = String(repeating: "A", count: 40)
                guard error.all.count == 51,
                    error.all[0].message == "amount '\(String(repeating: "9", count: 40))…' (4194305 bytes) is too large",
                    error.all[1].message == "no invoice '\(a40)…' (262144 bytes) in invoices.csv",
                    error.all[1].position?.column == 7,
                    rendered.allSatisfy({ $0.utf8.count < 2_000 })
                else {
                    FileHandle.standardError.write(Data(rendered.prefix(2).joined().prefix(4000).utf8))
                    exit(3)
                }
                // The line from its start (less than 80 bytes before the value), then 60 bytes of
                // the value and 80 after, here more of it; the caret under the value shown.
                let line = "P1,C1,\(String(repeating: "A", count: 140))…"
                let caret = "      ^" + String(repeating: "~", count: 139)
                guard
                    rendered[1].hasSuffix(
                        "/payments.csv:3:7: error: no invoice '\(a40)…' (262144 bytes) in invoices.csv\n\(line)\n\(caret)\n")
                else {
                    FileHandle.standardError.write(Data(rendered[1].prefix(4000).utf8))
                    exit(3)
                }
            }
        }
    }

    // Was quadratic: each `let` looked for its name among all the names before it (100,000
    // took 39 s). Linear, it takes a second or two; quadratic, minutes: the alarm tells.
    @Test func manyBindingsAreCheckedQuickly() async {
        await #expect(processExitsWith: .success) {
            alarm(60)
            let text = (0..<100_000).map { "let x\($0) = \($0)\n" }.joined() + "x99999 + x5\n"
            guard Session.check(SourceText(name: "lets.dun", text: text)).isEmpty else { exit(3) }
            try Robust.expectInSmall([(text, "100004\n")])
        }
    }

    @Test func manyBadReferencesLoadQuickly() async {
        await #expect(processExitsWith: .success) {
            alarm(60)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-robustness-\(getpid())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let n = 20_000
            try ("id,name\n" + (0..<n).map { "C\($0),n\n" }.joined())
                .write(to: dir.appendingPathComponent("customers.csv"), atomically: true, encoding: .utf8)
            try ("id,customer_id,issued,due,amount\n" + (0..<n).map { "I\($0),X\($0),2026-01-01,2026-02-01,1.00\n" }.joined())
                .write(to: dir.appendingPathComponent("invoices.csv"), atomically: true, encoding: .utf8)
            try "id,customer_id,date,amount\n".write(
                to: dir.appendingPathComponent("payments.csv"), atomically: true, encoding: .utf8)
            do throws(Diagnostics) {
                _ = try Session.open(directory: dir.path, asOf: Day(iso: "2026-11-28")!)
                exit(3)
            } catch {
                // 50 errors shown, then a note for the rest.
                guard error.all.count == 51, error.all.last?.message == "19950 more errors not shown" else { exit(3) }
            }
        }
    }
}
