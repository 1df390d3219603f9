import Testing

@testable import DunCore

@Suite("Diagnostic")
struct DiagnosticTests {

    // MARK: rendered

    @Test func fullDiagnostic() {
        let d = Diagnostic(
            .error, "unknown field 'amout'", file: "policies/standard.dun",
            position: Position(line: 3, column: 7, lineText: "where amout > 5", length: 5),
            hint: "did you mean 'amount'?", notes: ["on invoice INV-0042", "in rule 'remind'"])
        #expect(
            d.rendered == """
                policies/standard.dun:3:7: error: unknown field 'amout'
                where amout > 5
                      ^~~~~
                note: on invoice INV-0042
                note: in rule 'remind'
                hint: did you mean 'amount'?

                """)
    }

    /// A source line is shown as it is: a bidirectional control (which would turn what
    /// follows around) or a control character as its escape, a tab as a tab; the caret
    /// follows what is shown.
    @Test func controlAndBidiCharactersInTheLineAreShownAsEscapes() {
        let d = Diagnostic(
            .error, "unknown field 'x'", file: "f.dun",
            position: Position(line: 1, column: 8, lineText: "\t\"\u{202E}上\"\u{1B} x", length: 1))
        let caret = "\t" + String(repeating: " ", count: 19) + "^\n"
        #expect(d.rendered == "f.dun:1:8: error: unknown field 'x'\n\t\"\\u{202e}上\"\\u{1b} x\n" + caret)
    }

    @Test func caretOfOneCharacterAtTheStart() {
        let d = Diagnostic(
            .error, "expected a stage", file: "<query>",
            position: Position(line: 1, column: 1, lineText: "| count", length: 1))
        #expect(d.rendered == "<query>:1:1: error: expected a stage\n| count\n^\n")
    }

    @Test func lengthBelowOneCoversOneCharacter() {
        let p = Position(line: 1, column: 2, lineText: "abc", length: 0)
        #expect(p.length == 1)
        let d = Diagnostic(.error, "here", file: "f", position: p)
        #expect(d.rendered == "f:1:2: error: here\nabc\n ^\n")
    }

    @Test func caretJustPastTheEndOfTheLine() {
        let d = Diagnostic(
            .error, "expected an expression", file: "<query>",
            position: Position(line: 1, column: 11, lineText: "where x >=", length: 1))
        #expect(d.rendered == "<query>:1:11: error: expected an expression\nwhere x >=\n          ^\n")
    }

    @Test func caretWidenedForCJKBeforeTheRange() {
        // "where 客户 == " is 12 characters but 14 columns.
        let d = Diagnostic(
            .error, "unknown customer", file: "<query>",
            position: Position(line: 1, column: 13, lineText: "where 客户 == 张三", length: 2))
        #expect(
            d.rendered == """
                <query>:1:13: error: unknown customer
                where 客户 == 张三
                              ^~~~

                """)
    }

    @Test func caretWidenedForCJKInsideTheRange() {
        // The range is 客户 (2 characters, 4 columns) followed by "ab" (2 columns).
        let d = Diagnostic(
            .warning, "odd name", file: "x.dun",
            position: Position(line: 4, column: 3, lineText: "= 客户ab;", length: 4))
        #expect(d.rendered == "x.dun:4:3: warning: odd name\n= 客户ab;\n  ^~~~~~\n")
    }

    @Test func fullWidthFormsAreTwoColumns() {
        let d = Diagnostic(
            .error, "full-width digits", file: "q",
            position: Position(line: 1, column: 4, lineText: "x =１２", length: 2))
        #expect(d.rendered == "q:1:4: error: full-width digits\nx =１２\n   ^~~~\n")
    }

    @Test func tabsInThePrefixArePreserved() {
        let d = Diagnostic(
            .error, "bad", file: "p.dun",
            position: Position(line: 2, column: 3, lineText: "\t\tamount > 1", length: 6))
        #expect(d.rendered == "p.dun:2:3: error: bad\n\t\tamount > 1\n\t\t^~~~~~\n")
    }

    @Test func tabsMixedWithCJK() {
        let d = Diagnostic(
            .error, "bad", file: "p.dun",
            position: Position(line: 1, column: 4, lineText: "\t客 x", length: 1))
        #expect(d.rendered == "p.dun:1:4: error: bad\n\t客 x\n\t   ^\n")
    }

    @Test func combiningMarksTakeNoExtraColumn() {
        // "cafe\u{301}" is four characters, four columns.
        let d = Diagnostic(
            .error, "bad", file: "p.dun",
            position: Position(line: 1, column: 6, lineText: "cafe\u{301} x", length: 1))
        #expect(d.rendered == "p.dun:1:6: error: bad\ncafe\u{301} x\n     ^\n")
    }

    @Test func withoutPosition() {
        let d = Diagnostic(.error, "cannot read payments.csv", file: "data/payments.csv")
        #expect(d.rendered == "data/payments.csv: error: cannot read payments.csv\n")
    }

    @Test func withoutFile() {
        let d = Diagnostic(.error, "no workspace folder 'x'", hint: "give the folder with --data DIR")
        #expect(d.rendered == "error: no workspace folder 'x'\nhint: give the folder with --data DIR\n")
    }

    @Test func withoutFileButWithPosition() {
        let d = Diagnostic(.error, "bad", position: Position(line: 1, column: 3, lineText: "a b c", length: 1))
        #expect(d.rendered == "error: bad\na b c\n  ^\n")
    }

    @Test func defaultsAndSeverities() {
        let d = Diagnostic(.error, "plain")
        #expect(d.severity == .error)
        #expect(d.file == nil)
        #expect(d.position == nil)
        #expect(d.hint == nil)
        #expect(d.notes.isEmpty)
        #expect(d.rendered == "error: plain\n")
        #expect(Diagnostic(.warning, "w").rendered == "warning: w\n")
        #expect(Diagnostic(.note, "3 more errors not shown").rendered == "note: 3 more errors not shown\n")
        #expect(Diagnostic(.note, "n", notes: ["a"]).rendered == "note: n\nnote: a\n")
    }

    @Test func diagnosticsCarriesAll() {
        let list = Diagnostics([Diagnostic(.error, "a"), Diagnostic(.warning, "b")])
        #expect(list.all.map(\.message) == ["a", "b"])
        #expect(list.all.map(\.severity) == [.error, .warning])
    }

    // MARK: SourceText positions

    static let chinese = "第一行\n客户 = 张三\n第三行 x"

    /// The byte range of the first `needle` in `text`.
    func bytes(of needle: String, in text: String) throws -> Range<Int> {
        let r = try #require(text.firstRange(of: needle))
        let start = text.utf8.distance(from: text.startIndex, to: r.lowerBound)
        return start..<(start + needle.utf8.count)
    }

    @Test func positionsInMultiLineChineseTextCountCharacters() throws {
        let source = SourceText(name: "q.dun", text: Self.chinese)
        let name = try bytes(of: "张三", in: Self.chinese)
        #expect(name == 19..<25)
        #expect(source.position(of: name) == Position(line: 2, column: 6, lineText: "客户 = 张三", length: 2))
        #expect(
            source.position(of: try bytes(of: "第一", in: Self.chinese))
                == Position(line: 1, column: 1, lineText: "第一行", length: 2))
        #expect(
            source.position(of: try bytes(of: "x", in: Self.chinese))
                == Position(line: 3, column: 5, lineText: "第三行 x", length: 1))
        #expect(
            source.position(of: try bytes(of: "=", in: Self.chinese))
                == Position(line: 2, column: 4, lineText: "客户 = 张三", length: 1))
    }

    @Test func rangeAtTheVeryEndPointsPastTheLastCharacter() {
        let source = SourceText(name: "q.dun", text: Self.chinese)
        let end = Self.chinese.utf8.count
        #expect(source.position(of: end..<end) == Position(line: 3, column: 6, lineText: "第三行 x", length: 1))
    }

    @Test func rangeAfterATrailingNewlineIsOnTheEmptyLastLine() {
        let source = SourceText(name: "q", text: "ab\n")
        #expect(source.position(of: 3..<3) == Position(line: 2, column: 1, lineText: "", length: 1))
    }

    @Test func rangeAcrossALineEndIsCutAtTheLineEnd() {
        let source = SourceText(name: "q", text: "abc\ndef")
        #expect(source.position(of: 1..<6) == Position(line: 1, column: 2, lineText: "abc", length: 2))
        // The newline itself: just past the line's last character.
        #expect(source.position(of: 3..<4) == Position(line: 1, column: 4, lineText: "abc", length: 1))
        #expect(source.position(of: 4..<7) == Position(line: 2, column: 1, lineText: "def", length: 3))
    }

    @Test func carriageReturnsAreNotPartOfTheLine() {
        let source = SourceText(name: "q", text: "a,b\r\nc,d\r\n")
        #expect(source.position(of: 2..<3) == Position(line: 1, column: 3, lineText: "a,b", length: 1))
        #expect(source.position(of: 7..<8) == Position(line: 2, column: 3, lineText: "c,d", length: 1))
    }

    @Test func emptyText() {
        let source = SourceText(name: "q", text: "")
        #expect(source.position(of: 0..<0) == Position(line: 1, column: 1, lineText: "", length: 1))
        #expect(source.bytes.isEmpty)
    }

    @Test func manyLinesFindTheRightOne() {
        let text = (1...100).map { "line \($0)" }.joined(separator: "\n")
        let source = SourceText(name: "q", text: text)
        for n in [1, 2, 50, 99, 100] {
            let r = try? bytes(of: "line \(n)\n", in: text + "\n")
            let range = r.map { $0.lowerBound..<($0.upperBound - 1) } ?? 0..<0
            #expect(source.position(of: range) == Position(line: n, column: 1, lineText: "line \(n)", length: "line \(n)".count))
        }
    }

    @Test func sourceTextDiagnosticRendersWithCJK() throws {
        let text = "where 客户 == 张三"
        let source = SourceText(name: "<query>", text: text)
        let d = source.diagnostic("unknown customer '张三'", at: try bytes(of: "张三", in: text), hint: "did you mean '张四'?")
        #expect(d.file == "<query>")
        #expect(d.severity == .error)
        #expect(
            d.rendered == """
                <query>:1:13: error: unknown customer '张三'
                where 客户 == 张三
                              ^~~~
                hint: did you mean '张四'?

                """)
        let w = source.diagnostic("w", at: 0..<5, notes: ["n"], severity: .warning)
        #expect(w.rendered == "<query>:1:1: warning: w\nwhere 客户 == 张三\n^~~~~\nnote: n\n")
    }

    @Test func positionFromBytesOfALaterLine() {
        let bytes = Array("id,name\r\nC1,上海\r\n".utf8)
        // "上海" starts at byte 12 on line 2, which starts at byte 9.
        let p = Position(bytes: bytes, lineStart: 9, line: 2, range: 12..<18)
        #expect(p == Position(line: 2, column: 4, lineText: "C1,上海", length: 2))
    }

    @Test func aVeryLongLineIsShownAroundTheCaret() throws {
        let text = String(repeating: "a", count: 300) + " 客户 " + String(repeating: "b", count: 300)
        let d = SourceText(name: "long.dun", text: text).diagnostic("x", at: try bytes(of: "客户", in: text))
        // The column is the real one; the line is cut 80 bytes either side, on character boundaries.
        #expect(d.position?.column == 302)
        #expect(d.rendered == "long.dun:1:302: error: x\n…" + String(repeating: "a", count: 79) + " 客户 " + String(repeating: "b", count: 79)
            + "…\n" + String(repeating: " ", count: 81) + "^~~~\n")
        // A line of 400 bytes or less is shown whole.
        let short = String(repeating: "a", count: 390) + "!"
        #expect(SourceText(name: "s", text: short).position(of: 390..<391).lineText == short)
    }

    @Test func longValuesAreQuotedInPart() {
        #expect(excerpt("C042") == "'C042'")
        #expect(excerpt(String(repeating: "客", count: 40)) == "'\(String(repeating: "客", count: 40))'")
        #expect(excerpt(String(repeating: "客", count: 41)) == "'\(String(repeating: "客", count: 40))…' (123 bytes)")
        #expect(excerpt(utf8: Array(String(repeating: "x", count: 1 << 20).utf8)) == "'\(String(repeating: "x", count: 40))…' (1048576 bytes)")
        #expect(excerpt(utf8: Array("短".utf8)) == "'短'")
    }
}
