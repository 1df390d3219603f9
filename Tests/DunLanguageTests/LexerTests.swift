// Lexer tests: tables of sources and the tokens (or diagnostics) they must give.

import DunCore
import DunLanguage
import Testing

// MARK: helpers

/// Short constructors, so a table row states its tokens in one line.
enum K {
    static func id(_ s: String) -> TokenKind { .identifier(s) }
    static func kw(_ k: Keyword) -> TokenKind { .keyword(k) }
    static func num(_ s: String) -> TokenKind { .number(dec(s)) }
    static func pct(_ s: String) -> TokenKind { .percent(dec(s)) }
    static func money(_ minor: Int64, _ code: String) -> TokenKind {
        .money(Money(minor: minor, currency: Currency(code: code)!))
    }
    static func date(_ iso: String) -> TokenKind { .date(Day(iso: iso)!) }
    static func days(_ n: Int64) -> TokenKind { .duration(.days(n)) }
    static func months(_ n: Int64) -> TokenKind { .duration(.months(n)) }
    static func str(_ s: String) -> TokenKind { .string(s) }
    static func sym(_ s: Symbol) -> TokenKind { .symbol(s) }
    static let nl = TokenKind.newline

    static func dec(_ s: String) -> Decimal64 { Decimal64(parsing: Substring(s))! }
}

/// A source and the kinds of its tokens, without the final `.end`.
struct LexCase: Sendable, CustomTestStringConvertible {
    let source: String
    let kinds: [TokenKind]
    init(_ source: String, _ kinds: [TokenKind]) {
        self.source = source
        self.kinds = kinds
    }
    var testDescription: String { source.debugDescription }
}

/// A source that the lexer must reject: every diagnostic rendered, and the tokens it
/// still gives (so a typo such as `&&` does not cause a second error in the parser).
struct LexErrorCase: Sendable, CustomTestStringConvertible {
    let source: String
    let rendered: String
    let kinds: [TokenKind]
    init(_ source: String, _ rendered: String, _ kinds: [TokenKind]) {
        self.source = source
        self.rendered = rendered
        self.kinds = kinds
    }
    var testDescription: String { source.debugDescription }
}

func lex(_ text: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
    Lexer.tokenize(SourceText(name: "t.dun", text: text))
}

// MARK: tokens

let literalCases: [LexCase] = [
    // numbers
    LexCase("42", [K.num("42")]),
    LexCase("0", [K.num("0")]),
    LexCase("1_000_000", [K.num("1000000")]),
    LexCase("1.5", [K.num("1.5")]),
    LexCase("1_234.50", [K.num("1234.5")]),
    LexCase("10k", [K.num("10000")]),
    LexCase("1.5m", [K.num("1500000")]),
    LexCase("2.5k", [K.num("2500")]),
    LexCase("1.", [K.num("1"), K.sym(.dot)]),
    LexCase("-5", [K.sym(.minus), K.num("5")]),
    // percentages, already divided by 100, exactly
    LexCase("90%", [K.pct("0.9")]),
    LexCase("12.5%", [K.pct("0.125")]),
    LexCase("100%", [K.pct("1")]),
    LexCase("0.12345%", [K.pct("0.0012345")]),
    LexCase("1k%", [K.pct("10")]),
    // money: a symbol before, or an ISO code after
    LexCase("¥5000", [K.money(500_000, "CNY")]),
    LexCase("￥5000", [K.money(500_000, "CNY")]),
    LexCase("$200", [K.money(20_000, "USD")]),
    LexCase("€1.5k", [K.money(150_000, "EUR")]),
    LexCase("£3", [K.money(300, "GBP")]),
    LexCase("¥0.5", [K.money(50, "CNY")]),
    LexCase("5000 CNY", [K.money(500_000, "CNY")]),
    LexCase("5000CNY", [K.money(500_000, "CNY")]),
    LexCase("10k CNY", [K.money(1_000_000, "CNY")]),
    LexCase("12.34 USD", [K.money(1234, "USD")]),
    LexCase("5000 JPY", [K.money(5000, "JPY")]),
    LexCase("5000 XYZ", [K.num("5000"), K.id("XYZ")]),
    // dates
    LexCase("2026-11-28", [K.date("2026-11-28")]),
    LexCase("2024-02-29", [K.date("2024-02-29")]),
    LexCase("2026-1-5", [K.num("2026"), K.sym(.minus), K.num("1"), K.sym(.minus), K.num("5")]),
    // durations
    LexCase("30 days", [K.days(30)]),
    LexCase("1 day", [K.days(1)]),
    LexCase("30days", [K.days(30)]),
    LexCase("2 weeks", [K.days(14)]),
    LexCase("1 week", [K.days(7)]),
    LexCase("3 months", [K.months(3)]),
    LexCase("1 month", [K.months(1)]),
    LexCase("1 year", [K.months(12)]),
    LexCase("2 years", [K.months(24)]),
    LexCase("30\tdays", [K.days(30)]),
    LexCase("30\ndays", [K.num("30"), K.nl, K.id("days")]),
    // strings
    LexCase(#""华东""#, [K.str("华东")]),
    LexCase(#""""#, [K.str("")]),
    LexCase(#""say \"hi\"""#, [K.str("say \"hi\"")]),
    LexCase(#""a\\b""#, [K.str("a\\b")]),
    LexCase(#""line\nbreak""#, [K.str("line\nbreak")]),
    LexCase(#""\t|\r""#, [K.str("\t|\r")]),
    LexCase(#""\u{4E2D}\u{6587}""#, [K.str("中文")]),
    LexCase(#""\u{1F600}""#, [K.str("😀")]),
    LexCase(#""a # not a comment""#, [K.str("a # not a comment")]),
    LexCase(#""a" "b""#, [K.str("a"), K.str("b")]),
]

let wordCases: [LexCase] = [
    LexCase("customer_id _x x2", [K.id("customer_id"), K.id("_x"), K.id("x2")]),
    LexCase("客户", [K.id("客户")]),
    LexCase("客户名称 地区", [K.id("客户名称"), K.id("地区")]),
    LexCase("客户.地区", [K.id("客户"), K.sym(.dot), K.id("地区")]),
    LexCase("逾期天数2 > 30", [K.id("逾期天数2"), K.sym(.greater), K.num("30")]),
    LexCase("invoice.customer.region", [K.id("invoice"), K.sym(.dot), K.id("customer"), K.sym(.dot), K.id("region")]),
    // every keyword
    LexCase(
        "and or not in is null true false where sort by take select derive group aggregate between contains let policy rule explain",
        [
            K.kw(.and), K.kw(.or), K.kw(.not), K.kw(.in), K.kw(.is), K.kw(.null), K.kw(.true), K.kw(.false),
            K.kw(.where), K.kw(.sort), K.kw(.by), K.kw(.take), K.kw(.select), K.kw(.derive), K.kw(.group),
            K.kw(.aggregate), K.kw(.between), K.kw(.contains), K.kw(.let), K.kw(.policy), K.kw(.rule),
            K.kw(.explain),
        ]),
    // not keywords: other cases, longer words, action words, sort directions, functions
    LexCase("And WHERE Null", [K.id("And"), K.id("WHERE"), K.id("Null")]),
    LexCase("notes index where_x byline", [K.id("notes"), K.id("index"), K.id("where_x"), K.id("byline")]),
    LexCase(
        "count remind via email hold credit",
        [K.id("count"), K.id("remind"), K.id("via"), K.id("email"), K.id("hold"), K.id("credit")]),
    LexCase("asc desc today when at", [K.id("asc"), K.id("desc"), K.id("today"), K.id("when"), K.id("at")]),
    // symbols
    LexCase(
        "+ - * / = != < <= > >= ?? | , . : => ( ) [ ] { }",
        [
            K.sym(.plus), K.sym(.minus), K.sym(.star), K.sym(.slash), K.sym(.equal), K.sym(.notEqual),
            K.sym(.less), K.sym(.lessEqual), K.sym(.greater), K.sym(.greaterEqual), K.sym(.coalesce),
            K.sym(.pipe), K.sym(.comma), K.sym(.dot), K.sym(.colon), K.sym(.arrow), K.sym(.leftParen),
            K.sym(.rightParen), K.sym(.leftBracket), K.sym(.rightBracket), K.sym(.leftBrace), K.sym(.rightBrace),
        ]),
    LexCase("a>=b", [K.id("a"), K.sym(.greaterEqual), K.id("b")]),
    LexCase("a??b", [K.id("a"), K.sym(.coalesce), K.id("b")]),
    LexCase("x=>y", [K.id("x"), K.sym(.arrow), K.id("y")]),
    LexCase("a<b", [K.id("a"), K.sym(.less), K.id("b")]),
    LexCase("f(x,y)", [K.id("f"), K.sym(.leftParen), K.id("x"), K.sym(.comma), K.id("y"), K.sym(.rightParen)]),
    // comments
    LexCase("a # comment", [K.id("a")]),
    LexCase("# only a comment", []),
    LexCase("a#b", [K.id("a")]),
    LexCase("a # c\nb", [K.id("a"), K.nl, K.id("b")]),
    LexCase("", []),
    LexCase("  \t ", []),
]

/// Which line breaks survive as `.newline`: only those that end a statement.
let newlineCases: [LexCase] = [
    LexCase("a\nb", [K.id("a"), K.nl, K.id("b")]),
    LexCase("a\r\nb", [K.id("a"), K.nl, K.id("b")]),
    LexCase("a\n\n\nb\n", [K.id("a"), K.nl, K.id("b"), K.nl]),
    LexCase("\n\na", [K.id("a")]),
    LexCase("a\n# comment line\n\nb", [K.id("a"), K.nl, K.id("b")]),
    // inside ( ) and [ ]
    LexCase("(a\n+ b)", [K.sym(.leftParen), K.id("a"), K.sym(.plus), K.id("b"), K.sym(.rightParen)]),
    LexCase("[a\n, b\n]", [K.sym(.leftBracket), K.id("a"), K.sym(.comma), K.id("b"), K.sym(.rightBracket)]),
    LexCase("f(\n(a)\n)", [K.id("f"), K.sym(.leftParen), K.sym(.leftParen), K.id("a"), K.sym(.rightParen), K.sym(.rightParen)]),
    // after a closing bracket or brace the line may end
    LexCase("f(x)\nb", [K.id("f"), K.sym(.leftParen), K.id("x"), K.sym(.rightParen), K.nl, K.id("b")]),
    LexCase("[1]\nb", [K.sym(.leftBracket), K.num("1"), K.sym(.rightBracket), K.nl, K.id("b")]),
    LexCase("{\na\n}\nb", [K.sym(.leftBrace), K.id("a"), K.nl, K.sym(.rightBrace), K.nl, K.id("b")]),
    // after an operator, `|`, `,`, `=>`, `:`
    LexCase("a +\nb", [K.id("a"), K.sym(.plus), K.id("b")]),
    LexCase("a >=\nb", [K.id("a"), K.sym(.greaterEqual), K.id("b")]),
    LexCase("a ??\nb", [K.id("a"), K.sym(.coalesce), K.id("b")]),
    LexCase("a |\nb", [K.id("a"), K.sym(.pipe), K.id("b")]),
    LexCase("a,\nb", [K.id("a"), K.sym(.comma), K.id("b")]),
    LexCase("a =>\nb", [K.id("a"), K.sym(.arrow), K.id("b")]),
    LexCase("a:\nb", [K.id("a"), K.sym(.colon), K.id("b")]),
    LexCase("a.\nb", [K.id("a"), K.sym(.dot), K.id("b")]),
    // after keywords that need more
    LexCase("a and\nb", [K.id("a"), K.kw(.and), K.id("b")]),
    LexCase("a or\nb", [K.id("a"), K.kw(.or), K.id("b")]),
    LexCase("not\na", [K.kw(.not), K.id("a")]),
    LexCase("a in\nb", [K.id("a"), K.kw(.in), K.id("b")]),
    LexCase("a is\nnull", [K.id("a"), K.kw(.is), K.kw(.null)]),
    LexCase("a between\n1", [K.id("a"), K.kw(.between), K.num("1")]),
    LexCase("a contains\nb", [K.id("a"), K.kw(.contains), K.id("b")]),
    LexCase("a where\nb", [K.id("a"), K.kw(.where), K.id("b")]),
    LexCase("sort by\nb", [K.kw(.sort), K.kw(.by), K.id("b")]),
    LexCase("select\na", [K.kw(.select), K.id("a")]),
    LexCase("derive\na", [K.kw(.derive), K.id("a")]),
    LexCase("aggregate\na", [K.kw(.aggregate), K.id("a")]),
    LexCase("let\na", [K.kw(.let), K.id("a")]),
    // before a line that continues the statement
    LexCase("a\n| b", [K.id("a"), K.sym(.pipe), K.id("b")]),
    LexCase("a\n  | b\n  | c", [K.id("a"), K.sym(.pipe), K.id("b"), K.sym(.pipe), K.id("c")]),
    LexCase("a\n=> b", [K.id("a"), K.sym(.arrow), K.id("b")]),
    LexCase("a\nand b", [K.id("a"), K.kw(.and), K.id("b")]),
    LexCase("a\nor b", [K.id("a"), K.kw(.or), K.id("b")]),
    LexCase("a\n  where b", [K.id("a"), K.kw(.where), K.id("b")]),
    LexCase("a\n)", [K.id("a"), K.sym(.rightParen)]),
    LexCase("a\n]", [K.id("a"), K.sym(.rightBracket)]),
    LexCase("a # note\n\n# more\n  | b", [K.id("a"), K.sym(.pipe), K.id("b")]),
    // but not before other operators or words
    LexCase("a\n+ b", [K.id("a"), K.nl, K.sym(.plus), K.id("b")]),
    LexCase("a\n-b", [K.id("a"), K.nl, K.sym(.minus), K.id("b")]),
    LexCase("a\nnot b", [K.id("a"), K.nl, K.kw(.not), K.id("b")]),
    LexCase("a\nsort by b", [K.id("a"), K.nl, K.kw(.sort), K.kw(.by), K.id("b")]),
]

@Test(arguments: literalCases + wordCases + newlineCases)
func tokenKinds(_ c: LexCase) {
    let (tokens, diagnostics) = lex(c.source)
    #expect(diagnostics.map(\.rendered).joined() == "")
    #expect(tokens.map(\.kind) == c.kinds + [.end])
}

// MARK: ranges

struct RangeCase: Sendable, CustomTestStringConvertible {
    let source: String
    let index: Int
    let kind: TokenKind
    let range: Range<Int>
    var testDescription: String { "\(source.debugDescription) token \(index)" }
}

let rangeCases: [RangeCase] = [
    // 客 and 户 are three bytes each in UTF-8
    RangeCase(source: "客户 = ¥5000", index: 0, kind: K.id("客户"), range: 0..<6),
    RangeCase(source: "客户 = ¥5000", index: 1, kind: K.sym(.equal), range: 7..<8),
    // ¥ is two bytes; the range starts at the symbol
    RangeCase(source: "客户 = ¥5000", index: 2, kind: K.money(500_000, "CNY"), range: 9..<15),
    // ￥ (full-width yen) is three bytes
    RangeCase(source: "￥5000", index: 0, kind: K.money(500_000, "CNY"), range: 0..<7),
    // the code after the number belongs to the money token
    RangeCase(source: "x > 5000 CNY", index: 2, kind: K.money(500_000, "CNY"), range: 4..<12),
    RangeCase(source: "x > 5000 CNY", index: 3, kind: .end, range: 12..<12),
    RangeCase(source: "take 30 days", index: 1, kind: K.days(30), range: 5..<12),
    RangeCase(source: "90% x", index: 0, kind: K.pct("0.9"), range: 0..<3),
    RangeCase(source: #"x "a\"b""#, index: 1, kind: K.str("a\"b"), range: 2..<8),
    RangeCase(source: "a >= 2026-11-28", index: 2, kind: K.date("2026-11-28"), range: 5..<15),
    RangeCase(source: "a # c\nb", index: 1, kind: K.nl, range: 5..<6),
    RangeCase(source: "地区 ?? 1", index: 1, kind: K.sym(.coalesce), range: 7..<9),
]

@Test(arguments: rangeCases)
func tokenRange(_ c: RangeCase) throws {
    let tokens = lex(c.source).tokens
    try #require(c.index < tokens.count)
    #expect(tokens[c.index].kind == c.kind)
    #expect(tokens[c.index].range == c.range)
}

@Test func chineseIdentifierRangeSlicesBackToTheName() {
    let text = "customers where 客户名称 = \"华东\""
    let token = lex(text).tokens[2]
    #expect(token.kind == K.id("客户名称"))
    #expect(String(decoding: Array(text.utf8)[token.range], as: UTF8.self) == "客户名称")
}

// MARK: errors

let lexErrorCases: [LexErrorCase] = [
    // full-width punctuation: reported, then read as the ASCII symbol where there is one
    LexErrorCase(
        "customers | select id，name",
        """
        t.dun:1:22: error: unexpected full-width '，'
        customers | select id，name
                             ^~
        hint: did you mean ','? switch the input method to half-width

        """,
        [K.id("customers"), K.sym(.pipe), K.kw(.select), K.id("id"), K.sym(.comma), K.id("name")]),
    LexErrorCase(
        "f（x）",
        """
        t.dun:1:2: error: unexpected full-width '（'
        f（x）
         ^~
        hint: did you mean '('? switch the input method to half-width
        t.dun:1:4: error: unexpected full-width '）'
        f（x）
            ^~
        hint: did you mean ')'? switch the input method to half-width

        """,
        [K.id("f"), K.sym(.leftParen), K.id("x"), K.sym(.rightParen)]),
    LexErrorCase(
        "rule a：x",
        """
        t.dun:1:7: error: unexpected full-width '：'
        rule a：x
              ^~
        hint: did you mean ':'? switch the input method to half-width

        """,
        [K.kw(.rule), K.id("a"), K.sym(.colon), K.id("x")]),
    // curly quotes are one column wide; what they enclose is read as a name
    LexErrorCase(
        "x = “华东”",
        """
        t.dun:1:5: error: unexpected full-width '“'
        x = “华东”
            ^
        hint: did you mean '"'? switch the input method to half-width
        t.dun:1:8: error: unexpected full-width '”'
        x = “华东”
                 ^
        hint: did you mean '"'? switch the input method to half-width

        """,
        [K.id("x"), K.sym(.equal), K.id("华东")]),
    // operators from other languages
    LexErrorCase(
        "x == 1",
        """
        t.dun:1:3: error: unexpected '=='
        x == 1
          ^~
        hint: use '=' to compare

        """,
        [K.id("x"), K.sym(.equal), K.num("1")]),
    LexErrorCase(
        "a && b",
        """
        t.dun:1:3: error: unexpected '&&'
        a && b
          ^~
        hint: use 'and'

        """,
        [K.id("a"), K.kw(.and), K.id("b")]),
    LexErrorCase(
        "a || b",
        """
        t.dun:1:3: error: unexpected '||'
        a || b
          ^~
        hint: use 'or'

        """,
        [K.id("a"), K.kw(.or), K.id("b")]),
    LexErrorCase(
        "a <> b",
        """
        t.dun:1:3: error: unexpected '<>'
        a <> b
          ^~
        hint: use '!='

        """,
        [K.id("a"), K.sym(.notEqual), K.id("b")]),
    LexErrorCase(
        "a ! b",
        """
        t.dun:1:3: error: unexpected '!'
        a ! b
          ^
        hint: use 'not' to negate, '!=' for not equal

        """,
        [K.id("a"), K.id("b")]),
    LexErrorCase(
        "a @ b",
        """
        t.dun:1:3: error: unexpected character '@'
        a @ b
          ^

        """,
        [K.id("a"), K.id("b")]),
    // single quotes: each one is reported
    LexErrorCase(
        "x = 'a'",
        """
        t.dun:1:5: error: strings use double quotes
        x = 'a'
            ^~~
        hint: write "a"

        """,
        [K.id("x"), K.sym(.equal), .string("a")]),
    LexErrorCase(
        "x = 'a",
        """
        t.dun:1:5: error: unexpected "'"
        x = 'a
            ^
        hint: strings use double quotes: "华东"

        """,
        [K.id("x"), K.sym(.equal), K.id("a")]),
    LexErrorCase(
        "5000 cny",
        """
        t.dun:1:6: error: currency codes are upper case
        5000 cny
             ^~~
        hint: write CNY

        """,
        [K.money(500_000, "CNY")]),
    // strings
    LexErrorCase(
        #"x = "abc"#,
        """
        t.dun:1:5: error: unterminated string
        x = "abc
            ^
        hint: close it with " on the same line

        """,
        [K.id("x"), K.sym(.equal), K.str("abc")]),
    LexErrorCase(
        "\"abc\ndef\"",
        """
        t.dun:1:1: error: unterminated string
        "abc
        ^
        hint: close it with " on the same line
        t.dun:2:4: error: unterminated string
        def"
           ^
        hint: close it with " on the same line

        """,
        [K.str("abc"), K.nl, K.id("def"), K.str("")]),
    // a backslash at the end of a line does not carry the string onto the next
    LexErrorCase(
        "\"abc\\\nx",
        """
        t.dun:1:1: error: unterminated string
        "abc\\
        ^
        hint: close it with " on the same line

        """,
        [K.str("abc"), K.nl, K.id("x")]),
    LexErrorCase(
        #""a\qb""#,
        #"""
        t.dun:1:3: error: unknown escape '\q'
        "a\qb"
          ^~
        hint: escapes are \" \\ \n \t \r \u{…}

        """#,
        [K.str("ab")]),
    // the whole character after the backslash, not its first byte
    LexErrorCase(
        #""\中x""#,
        #"""
        t.dun:1:2: error: unknown escape '\中'
        "\中x"
         ^~~
        hint: escapes are \" \\ \n \t \r \u{…}

        """#,
        [K.str("x")]),
    LexErrorCase(
        #""\u4E2D" "\u{D800}""#,
        #"""
        t.dun:1:2: error: invalid unicode escape
        "\u4E2D" "\u{D800}"
         ^~
        hint: write \u{4E2D} with 1 to 6 hex digits
        t.dun:1:11: error: invalid unicode escape
        "\u4E2D" "\u{D800}"
                  ^~~~~~~~
        hint: write \u{4E2D} with 1 to 6 hex digits

        """#,
        [K.str("4E2D"), K.str("")]),
    // numbers
    LexErrorCase(
        "5x",
        """
        t.dun:1:1: error: unexpected 'x' after a number
        5x
        ^~
        hint: numbers take a k or m suffix: 10k, 1.5m

        """,
        []),
    LexErrorCase(
        "take 10kg",
        """
        t.dun:1:6: error: unexpected 'kg' after a number
        take 10kg
             ^~~~
        hint: numbers take a k or m suffix: 10k, 1.5m

        """,
        [K.kw(.take)]),
    LexErrorCase(
        "x > 2026-02-30",
        """
        t.dun:1:5: error: no such date 2026-02-30
        x > 2026-02-30
            ^~~~~~~~~~

        """,
        [K.id("x"), K.sym(.greater), .date(Day(ordinal: 0))]),
    LexErrorCase(
        "1.5 days",
        """
        t.dun:1:1: error: a duration is a whole number of days
        1.5 days
        ^~~~~~~~
        hint: write 1 day or 2 days

        """,
        [K.days(0)]),
    LexErrorCase(
        "0.5 years",
        """
        t.dun:1:1: error: a duration is a whole number of years
        0.5 years
        ^~~~~~~~~
        hint: write 0 years or 1 year

        """,
        [K.days(0)]),
    // money
    LexErrorCase(
        "¥ 5",
        """
        t.dun:1:1: error: expected an amount after '¥'
        ¥ 5
        ^
        hint: write ¥5000 or 5000 CNY

        """,
        [K.num("5")]),
    LexErrorCase(
        "¥1.234",
        """
        t.dun:1:1: error: CNY amounts have at most 2 decimals
        ¥1.234
        ^~~~~~

        """,
        [K.money(123, "CNY")]),
    LexErrorCase(
        "1.5 JPY",
        """
        t.dun:1:1: error: JPY amounts have at most 0 decimals
        1.5 JPY
        ^~~~~~~

        """,
        [K.money(2, "JPY")]),
]

@Test(arguments: lexErrorCases)
func lexerError(_ c: LexErrorCase) {
    let (tokens, diagnostics) = lex(c.source)
    #expect(diagnostics.map(\.rendered).joined() == c.rendered)
    #expect(tokens.map(\.kind) == c.kinds + [.end])
}

/// A literal made from any text reads back as that text: quotes, backslashes, line breaks
/// and other control characters escaped, the rest (Chinese, emoji) as it is.
@Test(arguments: ["C058", "a\"b", "back\\slash", "two\nlines\r\tend", "bell\u{7}\u{1B}", "华东 \"机电\"", "🙂", ""])
func aLiteralReadsBackAsItsText(_ text: String) {
    let literal = Lexer.literal(text)
    let tokens = lex(literal)
    #expect(tokens.diagnostics.isEmpty)
    #expect(tokens.tokens.first?.kind == .string(text), "\(literal)")
    #expect(!literal.dropFirst().dropLast().contains("\n"))
}
