// The REPL through its own interface: lines in, results and errors out — continuation,
// dot-commands, completion, pipes that read like scripts. No terminal here; Tests/tty
// drives the real one.

import Dun
import DunCore
import Foundation
import Testing

/// A REPL on examples/acme as of 2026-11-28, with what it wrote.
final class Transcript {
    var out = ""
    var err = ""
    private(set) var repl: REPL!

    init(interactive: Bool = true, colour: Bool = false, editor: String? = nil, data: String = "examples/acme") throws {
        let directory = Paths.root.appendingPathComponent(data).path
        let day = try #require(Day(iso: "2026-11-28"))
        let session = try Session.open(directory: directory, asOf: day)
        let console = REPL.Console(write: { [unowned self] in out += $0 }, error: { [unowned self] in err += $0 })
        repl = REPL(
            session: session, directory: directory,
            settings: REPL.Settings(interactive: interactive, colour: colour, editor: editor), console: console)
    }

    /// Feeds the lines; returns what was written to standard output meanwhile.
    @discardableResult
    func type(_ lines: String...) -> String {
        let before = out.count
        for line in lines { repl.read(line) }
        return String(out.dropFirst(before))
    }

    func complete(_ line: String) -> [String] {
        repl.complete(line, cursor: line.utf8.count).candidates
    }
}

@Suite struct REPLTests {
    // MARK: continuation

    @Test func anUnfinishedStatementContinuesOnTheNextLine() throws {
        let t = try Transcript()
        #expect(t.repl.prompt == "dun> ")
        for start in ["invoices where balance > 0 |", "invoices where balance > 0 and", "invoices where id in [\"I0001\","] {
            #expect(t.type(start) == "")
            #expect(t.repl.prompt == "...> ", "\(start)")
            t.repl.abandon()
        }
        #expect(t.repl.read("invoices where balance > 0 |") == nil)
        #expect(t.repl.read("count") == "invoices where balance > 0 |\ncount")
        #expect(t.out == "218\n")
        #expect(t.repl.prompt == "dun> ")
    }

    @Test func policiesContinueUntilTheirBraceCloses() throws {
        let t = try Transcript()
        t.type("policy soft \"温和\" {", "  rule late: invoices where days_overdue > 30", "    => remind via email")
        #expect(t.repl.prompt == "...> ")
        t.type("}")
        #expect(t.repl.prompt == "dun> ")
        #expect(t.err == "")
        #expect(t.complete("so") == ["soft", "sort"])
    }

    @Test func aStatementRecalledFromHistoryRunsWhole() throws {
        let t = try Transcript()
        #expect(t.type("customers where grade = E\n  | count") == "7\n")
    }

    @Test func ctrlCDropsTheStatementBeingTyped() throws {
        let t = try Transcript()
        t.type("customers where")
        t.repl.abandon()
        #expect(t.repl.prompt == "dun> ")
        #expect(t.type("customers | count") == "72\n")
        #expect(t.err == "")
    }

    @Test func blankLinesAndCommentsDoNothing() throws {
        let t = try Transcript()
        #expect(t.type("", "   ", "# a note") == "")
        #expect(t.repl.prompt == "dun> ")
    }

    @Test func anInterruptedQueryReportsItAndTheNextRuns() throws {
        let t = try Transcript()
        // A request made while the statement runs stops it: here, made just before the run
        // begins its rows (the REPL clears stale ones first, so it goes through Session).
        let session = t.repl.session
        session.interruption.request()
        let result = session.run(SourceText(name: "<input>", text: "customers where overdue > 30 | count"))
        #expect(result.diagnostics.map(\.rendered) == ["error: interrupted\n"])
        #expect(t.type("customers | count") == "72\n")
    }

    // MARK: errors

    @Test func errorsPointAtTheTypedLine() throws {
        let t = try Transcript()
        t.type("customers where overdu > 30")
        #expect(
            t.err == """
                <input>:1:17: error: unknown field 'overdu' in customers
                customers where overdu > 30
                                ^~~~~~
                hint: did you mean 'overdue'?

                """)
        #expect(!t.repl.isFinished)
        #expect(t.type("customers | count") == "72\n")
    }

    @Test func errorsAreColouredOnlyWhenAsked() throws {
        let plain = try Transcript()
        plain.type("customers | take -1")
        #expect(!plain.err.contains("\u{1B}"))
        let coloured = try Transcript(colour: true)
        coloured.type("customers | take -1")
        #expect(coloured.err.hasPrefix("<input>:1:18: \u{1B}[1;31merror:\u{1B}[0m take needs"))
        #expect(coloured.err.contains("\u{1B}[1;31m                 ^~\u{1B}[0m"))
    }

    // MARK: pipes

    /// Every golden script that succeeds prints the same through a pipe into the REPL as run whole.
    @Test(arguments: GoldenScript.all)
    func aPipedScriptPrintsWhatTheScriptPrints(_ golden: GoldenScript) throws {
        let text = try String(contentsOf: golden.url, encoding: .utf8)
        // Scripts that fail, or warn (a .err beside them), say so on standard error, named otherwise.
        let warns = FileManager.default.fileExists(atPath: golden.url.deletingPathExtension().appendingPathExtension("err").path)
        guard golden.header("exit", in: text) == nil, golden.header("as-of", in: text) == nil, !warns else { return }
        let directory = dataFolder(golden.header("data", in: text))
        let format = OutputFormat(rawValue: golden.header("format", in: text) ?? "table") ?? .table
        let day = try #require(Day(iso: "2026-11-28"))
        let whole = try Session.open(directory: directory, asOf: day, format: format)
            .run(SourceText(name: "x", text: text)).output
        var out = ""
        let session = try Session.open(directory: directory, asOf: day, format: format)
        let repl = REPL(
            session: session, directory: directory, settings: REPL.Settings(interactive: false),
            console: REPL.Console(write: { out += $0 }, error: { Issue.record("stderr: \($0)") }))
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) { repl.read(String(line)) }
        repl.finish()
        #expect(out == whole, "\(lineDiff(expected: whole, actual: out))")
        #expect(!repl.failed)
    }

    @Test func aPipeStopsAtTheFirstErrorWithItsLine() throws {
        let t = try Transcript(interactive: false)
        t.type("customers | count", "customers", "  | take -1", "customers | count")
        t.repl.finish()
        #expect(t.out == "72\n")
        #expect(t.err.hasPrefix("<stdin>:3:10: error: take needs a whole number of rows"))
        #expect(t.repl.failed && t.repl.isFinished)
    }

    @Test func aPipeTakesDotCommands() throws {
        let t = try Transcript(interactive: false)
        t.type(".mode csv", "customers where id = \"C040\"", "  | select id, overdue")
        t.repl.finish()
        #expect(t.out == "id,overdue\r\nC040,610\r\n")
    }

    // MARK: dot-commands

    @Test func modeChangesTheFormat() throws {
        let t = try Transcript()
        let query = "customers where id = \"C040\" | select id, name, balance"
        t.type(".mode markdown")
        #expect(
            t.type(query) == """
                | id | name | balance |
                | --- | --- | ---: |
                | C040 | 无锡盛世贸易有限公司 | 989,102.50 |

                """)
        t.type(".mode json")
        #expect(t.type(query) == "\n[\n  {\"id\": \"C040\", \"name\": \"无锡盛世贸易有限公司\", \"balance\": \"989102.50\"}\n]\n")
        #expect(t.type(".mode") == "json\n")
        t.type(".mode xml")
        #expect(t.err.contains("error: unknown mode 'xml'"))
    }

    @Test func expandedDisplayShowsOneFieldPerLine() throws {
        let t = try Transcript()
        t.type(".expanded on")
        #expect(
            t.type("customers where id = \"C040\" | select id, name") == """
                -[ RECORD 1 ]---
                id   | C040
                name | 无锡盛世贸易有限公司
                (1 row)

                """)
        t.type(".expanded auto")
        t.repl.session.display.width = 20
        #expect(t.type("customers where id = \"C040\" | select id, name").contains("-[ RECORD 1 ]"))
        t.repl.session.display.width = 100
        #expect(t.type("customers where id = \"C040\" | select id, name").contains("id    name"))
    }

    @Test func maxRowsSaysHowManyMore() throws {
        let t = try Transcript()
        t.type(".maxrows 2")
        #expect(
            t.type("customers | select id | take 5") == """
                id
                ----
                C001
                C002
                … 3 more rows
                (5 rows)

                """)
        #expect(t.type(".maxrows") == "2\n")
        t.type(".maxrows all")
        #expect(t.type("customers | select id | take 5").contains("C005"))
    }

    // Were ~250 columns wide: a hold listed every invoice of a customer. On a terminal a wide
    // cell is cut with … (the executable sets the width); csv and .save keep it whole.
    @Test func wideCellsAreCutOnATerminalOnly() throws {
        let t = try Transcript()
        t.repl.session.display.cellWidth = 20
        let query = #"customers where id = "C058" | select id, name, all = "INV-2025-0065, INV-2025-0071, INV-2025-0082""#
        #expect(
            t.type(query) == """
                id    name                 all
                ----  -------------------  --------------------
                C058  重庆振华精密制造有…  INV-2025-0065, INV-…
                (1 row)

                """)
        t.type(".mode csv")
        #expect(t.type(query).contains(",\"INV-2025-0065, INV-2025-0071, INV-2025-0082\""))
    }

    @Test func theBannerSaysWhichWorkspaceAsOfWhen() throws {
        let t = try Transcript()
        #expect(t.repl.banner.hasPrefix("Dun \(DunVersion.current) on "))
        #expect(t.repl.banner.contains("examples/acme: 72 customers, 800 invoices, 743 payments, as of 2026-11-28\n"))
    }

    // Was an error in the shell (a line cannot start with '|') while a pipe ran it: a line
    // that goes on with the statement before it does so in both.
    @Test func aLineStartingWithAPipeGoesOnWithTheStatementBefore() throws {
        let t = try Transcript()
        t.type("invoices where balance > 0")
        #expect(t.type("| aggregate n = count()") == "\n  n\n---\n218\n(1 row)\n")
        #expect(t.type("| where n > 1000") == "\nn\n-\n(0 rows)\n")
        #expect(t.err.isEmpty, "\(t.err)")
    }

    /// `.help WORD` for each form of the language: its syntax, and an example that checks.
    @Test func helpTopicsShowSyntaxAndAnExampleThatChecks() throws {
        let t = try Transcript()
        #expect(t.type(".help group").hasPrefix("| group by KEY, … [aggregate NAME = AGG, …]"))
        #expect(t.type(".help").contains(".help where · .help sort"))
        for topic in REPL.topics {
            let problems = Session.check(SourceText(name: topic.name, text: topic.example))
            #expect(problems.isEmpty, "\(topic.name): \(problems.map(\.rendered).joined())")
            #expect(t.type(".help \(topic.name)").contains(topic.example.split(separator: "\n")[0]))
        }
    }

    @Test func schemaListsFieldsWithTypesAndMeanings() throws {
        let t = try Transcript()
        let out = t.type(".schema payments")
        #expect(
            out.hasPrefix("payments\n  id           text      the payment's id; a payment split over several invoices repeats it")
        )
        #expect(out.contains("\n  invoice      invoice   the invoice paid; null for unapplied cash\n"))
        #expect(t.type(".schema").contains("customers\n  id "))
        t.type(".schema debtors")
        #expect(t.err.contains("error: no entity 'debtors'"))
    }

    @Test func helpListsEveryCommandAndTopics() throws {
        let t = try Transcript()
        let out = t.type(".help")
        for name in [".help", ".schema", ".load", ".reload", ".asof", ".mode", ".expanded", ".timer", ".save", ".edit", ".quit"] {
            #expect(out.contains("\n\(name) ") || out.hasPrefix("\(name) "), "\(name)")
        }
        #expect(t.type(".help round").hasPrefix("round(x)"))
        #expect(t.type(".help functions").contains("year(date)"))
        #expect(t.type(".help mode").hasPrefix(".mode [table|csv|csv-raw|json|markdown]"))
        t.type(".help nothing")
        t.type(".frobnicate")
        #expect(t.err.contains("error: no help on 'nothing'"))
        #expect(t.err.contains("error: unknown command '.frobnicate'\nhint: .help lists the commands\n"))
    }

    @Test func asOfMovesTodayAndReloadReadsAgain() throws {
        let t = try Transcript()
        #expect(t.type(".asof") == "2026-11-28\n")
        t.type(".asof 2027-01-01")
        #expect(t.type("today") == "2027-01-01\n")
        t.type(".mode csv")
        t.type(".reload")
        #expect(t.type("today") == "2027-01-01\r\n")
        #expect(t.err == "as of 2027-01-01\nreloaded \(Paths.root.appendingPathComponent("examples/acme").path)\n")
        t.type(".asof yesterday")
        #expect(t.err.contains("error: 'yesterday' is not a date"))
    }

    @Test func timerSaysHowLongOnStandardError() throws {
        let t = try Transcript()
        t.type(".timer on")
        #expect(t.type("customers | count") == "72\n")
        #expect(t.err.hasPrefix("time: ") && t.err.hasSuffix(" s\n"))
        #expect(t.type(".timer") == "on\n")
    }

    @Test func saveWritesTheLastResultWholeInTheFileFormat() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try Transcript()
        t.type(".save \(dir.path)/none.csv")
        #expect(t.err.contains("error: no result to save yet"))
        t.type(".maxrows 1", "customers | select id, balance | take 2", ".save \(dir.path)/two.csv")
        #expect(
            try String(contentsOf: dir.appendingPathComponent("two.csv"), encoding: .utf8)
                == "id,balance\r\nC001,22080.88\r\nC002,3528.32\r\n")
        t.type(".save \(dir.path)/two.txt")
        #expect(try String(contentsOf: dir.appendingPathComponent("two.txt"), encoding: .utf8).contains("C002"))
    }

    @Test func loadRunsAScriptIntoTheSession() throws {
        let t = try Transcript()
        let script = Paths.root.appendingPathComponent("examples/acme/dso.dun").path
        let out = t.type(".load \(script)")
        #expect(out.hasPrefix("13,384,396.07 CNY\n265,000.00 CNY\n143.3\n"))
        // What it imports stays in the session.
        #expect(t.complete("dso.s") == ["sales", "simple"])
        t.type(".load /nonexistent.dun")
        #expect(t.err.contains("error: cannot read '/nonexistent.dun': no such file"))
    }

    @Test func editRunsWhatTheEditorSaved() throws {
        let t = try Transcript(editor: "sed -i 's/take 2/take 1/'")
        t.type("customers | select id | take 2")
        #expect(t.repl.read(".edit") == "customers | select id | take 1")
        #expect(t.out.hasSuffix("id\n----\nC001\n(1 row)\n"))
        let failing = try Transcript(editor: "false")
        failing.type(".edit")
        #expect(failing.err.contains("error: the editor exited with status 1; nothing was run"))
    }

    @Test func quitEndsTheSession() throws {
        let t = try Transcript()
        t.type(".quit")
        #expect(t.repl.isFinished)
    }

    // MARK: completion

    @Test func completesKeywordsEntitiesFunctionsAndNames() throws {
        let t = try Transcript()
        #expect(t.complete("custo") == ["customers"])
        #expect(t.complete("customers whe") == ["where"])
        #expect(t.complete("customers where count(inv") == ["invoices"])
        #expect(t.complete("customers | sort by ro") == ["round"])
        #expect(t.complete("open_") == ["open_invoices"])
        t.type("let 逾期大户 = customers where overdue > 300")
        #expect(t.complete("逾") == ["逾期大户"])
        #expect(t.complete("逾期大户 where overdue_b") == ["overdue_balance"])
    }

    @Test func completesFieldsOfTheEntityInScope() throws {
        let t = try Transcript()
        #expect(t.complete("customers where reg") == ["region"])
        #expect(t.complete("invoices where days_") == ["days_between", "days_late", "days_overdue", "days_to_pay"])
        #expect(t.complete("invoices | select customer.re") == ["region"])
        #expect(t.complete("payments where invoice.customer.coll") == ["collector"])
        // Inside a customer's invoices, the invoice's fields; after the bracket, the customer's again.
        #expect(t.complete("customers where count(invoices where iss") == ["issued"])
        #expect(t.complete("customers where count(invoices where issued > today) > 0 and credit_") == ["credit_limit"])
        let continued = try Transcript()
        continued.type("customers where grade = E |")
        #expect(continued.complete("  select ter") == ["terms_days"])
    }

    @Test func completesValuesOfShortTextFieldsInAString() throws {
        let t = try Transcript()
        let regions = t.repl.complete("customers where region = \"华", cursor: "customers where region = \"华".utf8.count)
        #expect(regions.candidates == ["华东", "华中", "华北", "华南"])
        #expect(regions.word == "华")
        #expect(regions.suffix == "\"")
        #expect(t.complete("invoices where customer.region in [\"华东\", \"西") == ["西南"])
        #expect(t.complete("customers where collector = \"") == ["Emily Chen", "张伟", "李强", "王芳"])
        // More than 100 values (800 invoice numbers) are not short text: nothing to offer.
        #expect(t.complete("invoices where id = \"INV-2024-000") == [])
    }

    @Test func completesGradesAfterAComparison() throws {
        let t = try Transcript()
        #expect(t.complete("customers where grade < ") == ["A", "B", "C", "D", "E"])
        #expect(t.complete("invoices where customer.grade >= ") == ["A", "B", "C", "D", "E"])
    }

    @Test func completesDotCommandsAndTheirArguments() throws {
        let t = try Transcript()
        #expect(t.complete(".sch") == [".schema"])
        #expect(t.complete(".e") == [".edit", ".exit", ".expanded"])
        #expect(t.complete(".mode m") == ["markdown"])
        #expect(t.complete(".schema inv") == ["invoices"])
        #expect(t.complete(".expanded a") == ["auto"])
        #expect(t.repl.complete(".load ex", cursor: 8).files)
    }
}
