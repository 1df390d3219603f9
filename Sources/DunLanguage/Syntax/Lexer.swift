// Lexer: turns source text into tokens, reporting every bad character it meets.

import DunCore

/// Scans a source into tokens. Line breaks become `.newline` tokens only where they end
/// a statement: not inside brackets, not after an operator, not before `|`, `=>`,
/// `where`, `and` or `or` (so a pipeline may continue on the next line).
public struct Lexer {
    private let source: SourceText
    private let bytes: [UInt8]
    private var index = 0
    private var tokens: [Token] = []
    public private(set) var diagnostics: [Diagnostic] = []

    public init(_ source: SourceText) {
        self.source = source
        bytes = source.bytes
    }

    /// Every token, ending with `.end`, and the diagnostics met on the way.
    public static func tokenize(_ source: SourceText) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(source)
        lexer.scanAll()
        return (Lexer.significantNewlines(lexer.tokens), lexer.diagnostics)
    }

    private mutating func scanAll() {
        while index < bytes.count {
            let start = index
            let b = bytes[index]
            switch b {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), 13:
                index += 1
            case 10:
                index += 1
                add(.newline, start)
            case UInt8(ascii: "#"):
                while index < bytes.count && bytes[index] != 10 { index += 1 }
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                scanNumberOrDate()
            case UInt8(ascii: "\""):
                scanString()
            case UInt8(ascii: "$"):
                index += 1
                scanMoney(symbolAt: start, currency: .usd)
            default:
                if b >= 0x80 || isIdentifierStart(b) {
                    scanWordOrUnicode()
                } else {
                    scanSymbol()
                }
            }
        }
        tokens.append(Token(.end, bytes.count..<bytes.count))
    }

    private mutating func add(_ kind: TokenKind, _ start: Int) {
        tokens.append(Token(kind, start..<index))
    }

    private mutating func error(_ message: String, _ range: Range<Int>, hint: String? = nil) {
        diagnostics.append(source.diagnostic(message, at: range, hint: hint))
    }

    // MARK: words

    private func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || b == 95
    }

    /// The Unicode scalar at `i` and its length in bytes.
    private func scalar(at i: Int) -> (Unicode.Scalar, Int)? {
        var iterator = bytes[i...].makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let s) = decoder.decode(&iterator) else { return nil }
        return (s, String(s).utf8.count)
    }

    /// Length of the identifier starting at `i` (0 if none).
    private func identifierLength(at i: Int) -> Int {
        var j = i
        while j < bytes.count {
            let b = bytes[j]
            if b < 0x80 {
                let ok = isIdentifierStart(b) || (j > i && b >= 48 && b <= 57)
                if !ok { break }
                j += 1
            } else {
                guard let (s, n) = scalar(at: j) else { break }
                let ok = j == i ? s.properties.isXIDStart : s.properties.isXIDContinue
                if !ok { break }
                j += n
            }
        }
        return j - i
    }

    private mutating func scanWordOrUnicode() {
        let start = index
        let n = identifierLength(at: index)
        if n == 0 {
            scanUnicodeSymbol()
            return
        }
        index += n
        let word = String(decoding: bytes[start..<index], as: UTF8.self)
        if let k = Keyword(rawValue: word) {
            add(.keyword(k), start)
        } else {
            add(.identifier(word), start)
        }
    }

    /// A non-letter outside ASCII: a currency symbol, or full-width punctuation typed by mistake.
    private mutating func scanUnicodeSymbol() {
        let start = index
        guard let (s, n) = scalar(at: index) else {
            index += 1
            error("invalid UTF-8 in source", start..<index)
            return
        }
        index += n
        let ch = Character(s)
        if let currency = Currency(symbol: ch) {
            scanMoney(symbolAt: start, currency: currency)
            return
        }
        let fullWidth: [Character: String] = [
            "，": ",", "（": "(", "）": ")", "：": ":", "“": "\"", "”": "\"", "＝": "=", "＜": "<", "＞": ">",
            "｜": "|", "［": "[", "］": "]", "｛": "{", "｝": "}", "。": ".", "！": "!", "？": "?", "％": "%",
        ]
        if let ascii = fullWidth[ch] {
            error(
                "unexpected full-width '\(ch)'", start..<index,
                hint: "did you mean '\(ascii)'? switch the input method to half-width")
            // Read as the ASCII symbol, so `id，name` causes no second error.
            if let symbol = Symbol(rawValue: ascii) { add(.symbol(symbol), start) }
        } else {
            error("unexpected character '\(ch)'", start..<index, hint: ch == "\\" ? Habits.backslash : nil)
        }
    }

    // MARK: numbers, dates, money, durations

    private mutating func scanNumberOrDate() {
        let start = index
        if let day = scanDate() {
            add(.date(day), start)
            return
        }
        let number = scanPlainNumber()
        if index < bytes.count && bytes[index] == UInt8(ascii: "%") {
            index += 1
            // Exact: dividing by 100 only moves the decimal point (`divided(by:)` would round
            // to 6 places, so `0.12345%` lost a digit).
            let shifted =
                Int(number.scale) + 2 <= Int(Decimal64.maxScale)
                ? Decimal64(significand: number.significand, scale: number.scale + 2)
                : number.divided(by: Decimal64(100)) ?? number
            add(.percent(shifted), start)
            return
        }
        finishNumber(number, start: start)
    }

    /// After a number: a currency code (`5000 CNY`) or a duration unit (`30 days`) on the
    /// same line makes it money or a duration.
    private mutating func finishNumber(_ number: Decimal64, start: Int) {
        var j = index
        while j < bytes.count && (bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t")) { j += 1 }
        let n = identifierLength(at: j)
        if n > 0 {
            let word = String(decoding: bytes[j..<(j + n)], as: UTF8.self)
            if let unit = Duration.unit(word) {
                index = j + n
                guard let whole = number.integerValue else {
                    error(
                        "a duration is a whole number of \(word)", start..<index,
                        hint: Lexer.wholeDurationHint(number, unit: word))
                    add(.duration(.days(0)), start)
                    return
                }
                let (product, overflow) = whole.multipliedReportingOverflow(by: unit.days ?? unit.months ?? 1)
                if overflow { error("duration too long", start..<index) }
                add(.duration(unit.days != nil ? .days(product) : .months(product)), start)
                return
            }
            if n == 3, let currency = Currency(code: word.uppercased()) {
                index = j + n
                if word != currency.code {
                    error("currency codes are upper case", j..<index, hint: "write \(currency.code)")
                }
                addMoney(number, currency: currency, start: start)
                return
            }
            if j == index {
                index += n
                error("unexpected '\(word)' after a number", start..<index, hint: "numbers take a k or m suffix: 10k, 1.5m")
                return
            }
        }
        add(.number(number), start)
    }

    /// `write 1 day or 2 days` for `1.5 days`: the whole numbers on either side.
    private static func wholeDurationHint(_ number: Decimal64, unit: String) -> String {
        var power: Int64 = 1
        for _ in 0..<number.scale { power *= 10 }
        let lower = number.significand / power
        let singular = unit.hasSuffix("s") ? String(unit.dropLast()) : unit
        func amount(_ n: Int64) -> String { "\(n) \(n == 1 ? singular : singular + "s")" }
        return "write \(amount(lower)) or \(amount(lower + 1))"
    }

    private mutating func addMoney(_ amount: Decimal64, currency: Currency, start: Int) {
        if amount.scale > currency.minorUnit {
            error("\(currency.code) amounts have at most \(currency.minorUnit) decimals", start..<index)
        }
        guard let money = Money(amount, currency: currency) else {
            error("amount too large", start..<index)
            return
        }
        add(.money(money), start)
    }

    /// `¥5000`, `$1.5k`: the number right after a currency symbol.
    private mutating func scanMoney(symbolAt start: Int, currency: Currency) {
        guard index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 else {
            error(
                "expected an amount after '\(String(decoding: bytes[start..<index], as: UTF8.self))'", start..<index,
                hint: "write ¥5000 or 5000 CNY")
            return
        }
        let number = scanPlainNumber()
        addMoney(number, currency: currency, start: start)
    }

    /// `YYYY-MM-DD` not followed by another digit or letter.
    private mutating func scanDate() -> Day? {
        let i = index
        guard i + 10 <= bytes.count else { return nil }
        let b = bytes
        let digit = { (k: Int) in b[i + k] >= 48 && b[i + k] <= 57 }
        guard (0..<4).allSatisfy(digit), bytes[i + 4] == UInt8(ascii: "-"), digit(5), digit(6),
            bytes[i + 7] == UInt8(ascii: "-"), digit(8), digit(9)
        else { return nil }
        if i + 10 < bytes.count && (identifierLength(at: i + 10) > 0 || (bytes[i + 10] >= 48 && bytes[i + 10] <= 57)) {
            return nil
        }
        index = i + 10
        let text = String(decoding: bytes[i..<(i + 10)], as: UTF8.self)
        guard let day = Day(iso: text) else {
            error("no such date \(text)", i..<index)
            return Day(ordinal: 0)
        }
        return day
    }

    /// Digits with `_` separators, an optional fraction, an optional `k` or `m` multiplier.
    /// A number too large is reported and read as 0, so that it causes no second error.
    private mutating func scanPlainNumber() -> Decimal64 {
        let start = index
        var text = ""
        var lastWasDigit = false
        var sawPoint = false
        while index < bytes.count {
            let b = bytes[index]
            if b >= 48 && b <= 57 {
                text.append(Character(Unicode.Scalar(b)))
                lastWasDigit = true
            } else if b == UInt8(ascii: "_") && lastWasDigit && index + 1 < bytes.count
                && bytes[index + 1] >= 48 && bytes[index + 1] <= 57
            {
                lastWasDigit = false
            } else if b == UInt8(ascii: ".") && !sawPoint && lastWasDigit && index + 1 < bytes.count
                && bytes[index + 1] >= 48 && bytes[index + 1] <= 57
            {
                sawPoint = true
                text.append(".")
                lastWasDigit = false
            } else {
                break
            }
            index += 1
        }
        guard var value = Decimal64(parsing: Substring(text)) else {
            error("number too large", start..<index)
            return .zero
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "k") || bytes[index] == UInt8(ascii: "m"),
            identifierLength(at: index + 1) == 0 || index + 1 >= bytes.count
        {
            let factor: Int64 = bytes[index] == UInt8(ascii: "k") ? 1000 : 1_000_000
            index += 1
            guard let scaled = value.multiplied(by: Decimal64(factor)) else {
                error("number too large", start..<index)
                return .zero
            }
            value = scaled
        }
        return value
    }

    // MARK: strings

    /// The string literal that reads as `text`: quoted, with `"`, `\` and every control
    /// character escaped. What a query made from data (a customer's id) is written with.
    public static func literal(_ text: String) -> String {
        var out = "\""
        for u in text.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where u.properties.generalCategory == .control:
                out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    private mutating func scanString() {
        let start = index
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                add(.string(String(decoding: out, as: UTF8.self)), start)
                return
            }
            if b == 10 { break }
            if b == UInt8(ascii: "\\") {
                let escapeStart = index
                index += 1
                guard index < bytes.count, bytes[index] != 10 else { break }
                switch bytes[index] {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "u"):
                    if let s = scanUnicodeEscape() {
                        out.append(contentsOf: Array(String(s).utf8))
                        continue
                    }
                    error("invalid unicode escape", escapeStart..<index, hint: "write \\u{4E2D} with 1 to 6 hex digits")
                    continue
                default:
                    // The whole character after the backslash, which may take several bytes.
                    index += scalar(at: index)?.1 ?? 1
                    error(
                        "unknown escape '\(String(decoding: bytes[escapeStart..<index], as: UTF8.self))'", escapeStart..<index,
                        hint: "escapes are \\\" \\\\ \\n \\t \\r \\u{…}")
                    continue
                }
                index += 1
                continue
            }
            out.append(b)
            index += 1
        }
        error("unterminated string", start..<(start + 1), hint: "close it with \" on the same line")
        add(.string(String(decoding: out, as: UTF8.self)), start)
    }

    /// `u{XXXX}` after a backslash; leaves `index` after the brace.
    private mutating func scanUnicodeEscape() -> Unicode.Scalar? {
        index += 1
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        let digitsStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "}"), bytes[index] != UInt8(ascii: "\""), bytes[index] != 10 {
            index += 1
        }
        let hex = String(decoding: bytes[digitsStart..<index], as: UTF8.self)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "}") else { return nil }
        index += 1
        guard (1...6).contains(hex.count), let v = UInt32(hex, radix: 16) else { return nil }
        return Unicode.Scalar(v)
    }

    // MARK: symbols

    private mutating func scanSymbol() {
        let start = index
        let two = index + 1 < bytes.count ? String(decoding: bytes[index..<(index + 2)], as: UTF8.self) : ""
        // Each mistake is reported, then read as what it stands for, so it causes no second error.
        let mistakes: [String: (TokenKind, String)] = [
            "==": (.symbol(.equal), "use '=' to compare"), "&&": (.keyword(.and), "use 'and'"),
            "||": (.keyword(.or), "use 'or'"), "<>": (.symbol(.notEqual), "use '!='"),
        ]
        if let (kind, hint) = mistakes[two] {
            index += 2
            error("unexpected '\(two)'", start..<index, hint: hint)
            add(kind, start)
            return
        }
        if let symbol = Symbol(rawValue: two) {
            index += 2
            add(.symbol(symbol), start)
            return
        }
        let one = String(UnicodeScalar(bytes[index]))
        index += 1
        if let symbol = Symbol(rawValue: one) {
            add(.symbol(symbol), start)
            return
        }
        switch one {
        case "'":
            // Read 'text' as the string it was meant to be, with one error.
            var end = index
            while end < bytes.count, bytes[end] != UInt8(ascii: "'"), bytes[end] != 10 { end += 1 }
            guard end < bytes.count, bytes[end] == UInt8(ascii: "'") else {
                error("unexpected \"'\"", start..<index, hint: "strings use double quotes: \"华东\"")
                return
            }
            let text = String(decoding: bytes[index..<end], as: UTF8.self)
            index = end + 1
            error("strings use double quotes", start..<index, hint: "write \"\(text)\"")
            add(.string(text), start)
        case "!":
            error("unexpected '!'", start..<index, hint: "use 'not' to negate, '!=' for not equal")
        default:
            error("unexpected character '\(one)'", start..<index, hint: one == "\\" ? Habits.backslash : nil)
        }
    }

    // MARK: line breaks

    /// Keeps a line break only where it ends a statement.
    static func significantNewlines(_ raw: [Token]) -> [Token] {
        var out: [Token] = []
        out.reserveCapacity(raw.count)
        var depth = 0  // parentheses and brackets; braces hold statements, so they do not count
        var next = 0  // the first token after the current one that is not a line break
        for (i, token) in raw.enumerated() {
            switch token.kind {
            case .symbol(.leftParen), .symbol(.leftBracket): depth += 1
            case .symbol(.rightParen), .symbol(.rightBracket): depth = max(0, depth - 1)
            default: break
            }
            guard token.kind == .newline else {
                out.append(token)
                continue
            }
            if depth > 0 { continue }
            guard let previous = out.last, !continuesAfter(previous.kind) else { continue }
            if previous.kind == .newline { continue }
            if next <= i {
                next = i + 1
                while next < raw.count && raw[next].kind == .newline { next += 1 }
            }
            if next < raw.count, continuesBefore(raw[next].kind) {
                continue
            }
            out.append(token)
        }
        return out
    }

    /// Tokens after which a statement cannot end.
    private static func continuesAfter(_ kind: TokenKind) -> Bool {
        switch kind {
        case .symbol(let s):
            return s != .rightParen && s != .rightBracket && s != .rightBrace
        case .keyword(let k):
            return [
                .and, .or, .not, .in, .is, .where, .by, .between, .contains, .select, .derive, .aggregate, .let, .if, .then,
                .else,
            ].contains(k)
        default:
            return false
        }
    }

    /// Tokens that continue the statement of the line before.
    public static func continuesBefore(_ kind: TokenKind) -> Bool {
        switch kind {
        case .symbol(.pipe), .symbol(.arrow), .symbol(.rightParen), .symbol(.rightBracket),
            .keyword(.and), .keyword(.or), .keyword(.where), .keyword(.aggregate), .keyword(.then), .keyword(.else):
            return true
        default:
            return false
        }
    }
}
