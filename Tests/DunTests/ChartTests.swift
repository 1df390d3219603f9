// Charts (`| chart`) beyond what the golden scripts show: ASCII and Unicode drawn from the same
// result, the table alone in every other format, the SVG document against the one kept in
// Tests/DunTests/charts (and parsed as XML), and the terminal's charset as `dun` decides it.

@testable import Dun
import DunCore
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A session on fixtures/small (or another folder) as of 2026-11-28.
private func session(_ format: OutputFormat = .table, charset: Charset = .unicode, data: String = "small") throws -> Session {
    let session = try Session.open(directory: dataFolder(data), asOf: #require(Day(iso: "2026-11-28")), format: format)
    session.display.charset = charset
    return session
}

/// What a run printed; the run must succeed.
private func output(_ session: Session, _ text: String) -> String {
    let result = session.run(SourceText(name: "t.dun", text: text))
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.rendered).joined())")
    return result.output
}

private let aging = "open_invoices | group by bucket aggregate total = sum(balance), n = count()"
private let trend =
    "ends_of(month, 2026-06-01, 2026-11-30) | select date, overdue = as_of(date, sum(customers.overdue_balance)), open = as_of(date, count(open_invoices))"

/// The elements of an XML document, counted by name, and its text; nil when it does not parse.
private final class XMLSummary: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    var root: String?
    var texts: [String] = []
    private var text = ""

    static func of(_ document: String) -> XMLSummary? {
        let summary = XMLSummary()
        let parser = XMLParser(data: Data(document.utf8))
        parser.delegate = summary
        return parser.parse() ? summary : nil
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if root == nil { root = name }
        elements[name, default: 0] += 1
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" || name == "title" { texts.append(text) }
        text = ""
    }
}

@Suite struct ChartTests {
    // MARK: text

    @Test func asciiDrawsTheSameChartWithASCIIOnly() throws {
        let script =
            "\(aging) | chart total\n\(trend) | chart\ncustomers | select id, net = if id = \"C3\" then null else balance - 50k | chart"
        let ascii = output(try session(charset: .ascii), script)
        let unicode = output(try session(), script)
        let isASCII = ascii.unicodeScalars.allSatisfy { $0.isASCII }
        #expect(isASCII, "\(ascii)")
        #expect(ascii.contains("\n61-90    ########################################  330,000.00\n"))
        #expect(ascii.contains("\noverdue  ___==^  40,000.00 -> 515,000.50"))
        #expect(ascii.contains("\nC3      |                                              -\n"))
        #expect(unicode.contains("\n61-90    ████████████████████████████████████████  330,000.00\n"))
        #expect(unicode.contains("\noverdue  ▁▁▁▆▇█  40,000.00 → 515,000.50"))
        #expect(unicode.contains("\nC3      │                                              —\n"))
        // The same lines, bar for bar.
        #expect(ascii.split(separator: "\n").count == unicode.split(separator: "\n").count)
    }

    @Test func aTerminalShowsAtMostMaxRowsBars() throws {
        let s = try session()
        s.display.maxRows = 2
        let out = output(s, "customers | select id, balance | chart")
        #expect(out.hasSuffix("\nC2  █████                                     45,000.50\n… 4 more rows\n"), "\(out)")
    }

    @Test func otherFormatsPrintNothingButTheTable() throws {
        for format in [OutputFormat.csv, .csvRaw, .json, .markdown] {
            let chart = output(try session(format), "\(aging) | chart total\n\(trend) | chart")
            let table = output(try session(format), "\(aging) | select bucket, total\n\(trend)")
            #expect(chart == table, "\(format)")
            #expect(!chart.contains("█") && !chart.contains("<svg"), "\(format)")
        }
        let s = try session(.xlsx)
        let result = s.run(SourceText(name: "t.dun", text: "\(aging) | chart total"))
        #expect(result.output.isEmpty)
        #expect(result.sheets.map(\.header) == [["bucket", "total"]])
    }

    // MARK: SVG

    /// Charts as SVG, each against the document kept beside this test (DUN_RECORD=1 writes it).
    @Test(arguments: [
        ("aging", "\(aging) | chart"),
        ("trend", "\(trend) | chart title \"Overdue & open, <monthly>\""),
        (
            "negative",
            "customers | select name, net = if id = \"C3\" then null else balance - 50k | chart\n\(aging) | chart total"
        ),
    ])
    func svgIsTheDocumentKept(_ name: String, _ script: String) throws {
        let document = output(try session(.svg), script)
        let url = Paths.tests.appendingPathComponent("charts").appendingPathComponent("\(name).svg")
        if ProcessInfo.processInfo.environment["DUN_RECORD"] == "1",
            (try? String(contentsOf: url, encoding: .utf8)) != document
        {
            try document.write(to: url, atomically: true, encoding: .utf8)
            Issue.record("recorded \(name).svg; run again without DUN_RECORD=1 to check it")
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(document == expected, "\(lineDiff(expected: expected, actual: document))")
        // The same charts, the same bytes.
        #expect(output(try session(.svg), script) == document)
        let xml = try #require(XMLSummary.of(document), "not well-formed XML")
        #expect(xml.root == "svg")
        #expect(xml.elements["svg"] == 1 && xml.elements["title"] == 1)
    }

    @Test func svgBarsHaveTheirLabelsAndExactValues() throws {
        let xml = try #require(XMLSummary.of(output(try session(.svg), "\(aging) | chart")))
        // Five buckets of two bars, five labels, ten values, a legend of two and the heading.
        #expect(xml.elements["rect"] == 1 + 10 + 2)
        for text in ["current", "90+", "107,000.50", "330,000.00", "total", "n", "total, n by bucket"] {
            #expect(xml.texts.contains(text), "\(text)")
        }
    }

    @Test func svgLinesHaveAPanelPerScaleAndAGapForANull() throws {
        let script = "\(trend) | derive gap = if date = 2026-08-31 then null else overdue | select date, gap, open | chart"
        let xml = try #require(XMLSummary.of(output(try session(.svg), script)))
        // gap: two runs around its null; open: one.
        #expect(xml.elements["polyline"] == 3)
        #expect(xml.elements["circle"] == 5 + 6)
        for text in ["40,000.00", "515,000.50", "2", "9", "2026-06-30", "2026-11-30", "gap", "open"] {
            #expect(xml.texts.contains(text), "\(text)")
        }
    }

    @Test func svgTextIsEscapedAndParses() throws {
        let document = output(try session(.svg), "\(aging) | chart total title \"<R&D> \\\"Q4\\\" 'é' 应收\"")
        #expect(document.contains("<title>&lt;R&amp;D&gt; &quot;Q4&quot; 'é' 应收</title>"))
        let xml = try #require(XMLSummary.of(document))
        #expect(xml.texts.contains("<R&D> \"Q4\" 'é' 应收"))
        #expect(ChartSVG.xml("a\u{1}b\u{FFFE}") == "a\u{FFFD}b\u{FFFD}")
        #expect(ChartSVG.n(12.34) == "12.3" && ChartSVG.n(-0.05) == "-0.1" && ChartSVG.n(0) == "0.0")
    }

    @Test func svgOfAnythingButAChartIsAnError() throws {
        let result = try session(.svg).run(SourceText(name: "t.dun", text: "\(aging) | chart\ncustomers | count"))
        #expect(result.output.isEmpty)
        #expect(
            result.diagnostics.map(\.rendered).joined().hasPrefix(
                "t.dun:2:1: error: --format svg draws charts, and this statement's result is not one\n"))
    }

    // MARK: the shell

    @Test func theShellSavesTheLastChartAsSVG() throws {
        let t = try Transcript()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dun-chart-\(UUID().uuidString).svg").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(t.type("\(aging) | chart total").hasPrefix("bucket "))
        t.type(".save \(path)")
        #expect(t.err == "saved to \(path) (svg)\n")
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        #expect(saved.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "))
        #expect(XMLSummary.of(saved)?.texts.contains("5,103,693.02") == true)
        t.type("customers | count", ".save \(path)", ".mode svg")
        #expect(t.err.contains("error: the last result is not a chart, and only a chart is saved as SVG\n"))
        #expect(t.err.contains("error: unknown mode 'svg'\n"))
        #expect(t.complete("invoices | cha") == ["chart"])
    }

    // MARK: the command line

    /// `dun` draws with Unicode on a UTF-8 terminal, by the locale as setlocale reads it
    /// (LC_ALL, then LC_CTYPE, then LANG), and with ASCII otherwise; --charset says which.
    @Test(arguments: [
        (["LANG": "en_US.UTF-8", "LC_ALL": "", "LC_CTYPE": ""], [String](), "█"),
        (["LANG": "zh_CN.utf8", "LC_ALL": "", "LC_CTYPE": ""], [], "█"),
        (["LANG": "C", "LC_ALL": "", "LC_CTYPE": ""], [], "#"),
        (["LANG": "", "LC_ALL": "", "LC_CTYPE": ""], [], "#"),
        (["LANG": "en_US.UTF-8", "LC_ALL": "C", "LC_CTYPE": ""], [], "#"),
        (["LANG": "C", "LC_ALL": "", "LC_CTYPE": "C.UTF-8"], [], "█"),
        (["LANG": "C.UTF-8", "LC_ALL": "", "LC_CTYPE": ""], ["--charset", "ascii"], "#"),
        (["LANG": "C", "LC_ALL": "", "LC_CTYPE": ""], ["--charset", "utf-8"], "█"),
    ])
    func theCommandDrawsByTheTerminalsLocale(_ environment: [String: String], _ options: [String], _ bar: String) throws {
        let r = try runDun(
            ["--data", "Tests/DunTests/fixtures/small", "--as-of", "2026-11-28", "-e", "\(aging) | chart total"] + options,
            environment: environment)
        #expect(r.status == 0 && r.err == "", "\(r.err)")
        #expect(r.out.contains("\n61-90    " + String(repeating: bar, count: 40) + "  330,000.00\n"), "\(r.out)")
    }

    @Test func theCommandWritesSVGAndRefusesWhatIsNoChart() throws {
        let small = ["--data", "Tests/DunTests/fixtures/small", "--as-of", "2026-11-28", "--format", "svg"]
        let chart = try runDun(small + ["-e", "\(aging) | chart"])
        #expect(chart.status == 0 && chart.err == "")
        #expect(XMLSummary.of(chart.out)?.root == "svg")
        let table = try runDun(small + ["-e", "customers"])
        #expect(table.status == 1 && table.out == "")
        #expect(table.err.hasPrefix("<query>:1:1: error: --format svg draws charts, and this statement's result is not one\n"))
        let nothing = try runDun(small + ["-e", "let x = 1"])
        #expect(nothing.status == 1)
        #expect(nothing.err == "error: no chart to draw: --format svg writes the charts of the run (| chart)\n")
        let journal = try runDun(["journal", "--data", "Tests/DunTests/fixtures/small", "--format", "svg"])
        #expect(journal.status == 1)
        #expect(journal.err.hasPrefix("error: --format svg draws the charts of queries and scripts (| chart)\n"))
    }
}
