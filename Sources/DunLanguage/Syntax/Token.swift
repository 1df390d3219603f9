// Token: the words of Dun, each with the bytes of source it came from.

import DunCore

/// Reserved words. Action words (`remind`, `via`, `hold`, …) are not reserved:
/// they are read by position, so they stay free for field names.
public enum Keyword: String, CaseIterable, Sendable {
    case and, or, not, `in`, `is`, null, `true`, `false`
    case `where`, sort, by, take, select, derive, group, aggregate
    case between, contains, `let`, policy, rule, explain
    case `if`, then, `else`, fn
}

/// Punctuation and operators.
public enum Symbol: String, CaseIterable, Sendable {
    case plus = "+", minus = "-", star = "*", slash = "/"
    case equal = "=", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case coalesce = "??", concat = "++", pipe = "|", comma = ",", dot = ".", colon = ":", arrow = "=>"
    case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]"
    case leftBrace = "{", rightBrace = "}"
}

public enum TokenKind: Equatable, Sendable {
    case identifier(String)
    case keyword(Keyword)
    /// `123`, `1_000`, `1.5`, `10k`, `1.5m`.
    case number(Decimal64)
    /// `90%`, already divided by 100.
    case percent(Decimal64)
    /// `¥5000`, `$200`, `5000 CNY`.
    case money(Money)
    /// `2026-11-28`.
    case date(Day)
    /// `30 days`, `2 weeks`, `3 months`, `1 year`.
    case duration(Duration)
    case string(String)
    case symbol(Symbol)
    /// The end of a statement (only where a line break ends one).
    case newline
    case end
}

/// A token and its byte range in the source.
public struct Token: Equatable, Sendable {
    public var kind: TokenKind
    public var range: Range<Int>

    public init(_ kind: TokenKind, _ range: Range<Int>) {
        self.kind = kind
        self.range = range
    }

    /// How the token reads in a message: `'where'`, `number 42`, `end of input`.
    public var described: String {
        switch kind {
        case .identifier(let s): return "'\(s)'"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .number(let n): return "number \(n)"
        case .percent(let p): return "percentage \(p)"
        case .money(let m): return "amount \(m) \(m.currency)"
        case .date(let d): return "date \(d)"
        case .duration(let d): return "duration \(d)"
        case .string(let s): return "string \"\(s)\""
        case .symbol(let s): return "'\(s.rawValue)'"
        case .newline: return "end of line"
        case .end: return "end of input"
        }
    }
}
