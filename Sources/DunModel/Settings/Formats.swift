// Formats: how an export writes dates and amounts, and in which encoding, as dun.toml says.

import DunCore

/// How the dates of a file are written.
public enum DateFormat: Sendable, Equatable, CustomStringConvertible {
    /// Year first, as most exports and every Chinese ERP write them: 2026-11-28, 2026/11/28,
    /// 2026.11.28, 2026年11月28日, with months and days of one or two digits. The default.
    case yearFirst
    /// The parts in the order and with the separators of a pattern such as `%m/%d/%Y`.
    case pattern([Piece])
    /// Excel's serial day numbers: 1 is 1900-01-01 (a time of day after the point is ignored).
    case excel

    public enum Piece: Sendable, Equatable {
        case year, month, day
        case literal([UInt8])
    }

    /// `%Y/%m/%d`, `%m/%d/%Y`, `%d.%m.%Y`, `%Y年%m月%d日`, `excel` or `iso`; or why not.
    public init(_ text: String) throws(FormatError) {
        switch text.lowercased() {
        case "iso": self = .yearFirst
        case "excel": self = .excel
        default:
            var pieces: [Piece] = []
            var literal: [UInt8] = []
            var scalars = text.unicodeScalars.makeIterator()
            while let u = scalars.next() {
                guard u == "%" else {
                    literal += Array(String(u).utf8)
                    continue
                }
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = []
                switch scalars.next() {
                case "Y": pieces.append(.year)
                case "m": pieces.append(.month)
                case "d": pieces.append(.day)
                case let other:
                    throw FormatError(
                        "unknown part %\(other.map(String.init) ?? "") in the date format \(excerpt(text))",
                        hint: "a date format is made of %Y (year), %m (month), %d (day) and the text between them, or \"excel\"")
                }
            }
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            for part in [Piece.year, .month, .day] where pieces.filter({ $0 == part }).count != 1 {
                throw FormatError(
                    "the date format \(excerpt(text)) needs %Y, %m and %d once each",
                    hint: "for example \"%Y/%m/%d\", \"%m/%d/%Y\" or \"%d.%m.%Y\"")
            }
            self = .pattern(pieces)
        }
    }

    /// The day that `b` names in this format, or `nil`.
    public func day(_ b: UnsafeBufferPointer<UInt8>) -> Day? {
        switch self {
        case .yearFirst: return Day(iso: b) ?? DateFormat.yearFirst(b)
        case .excel: return DateFormat.excel(b)
        case .pattern(let pieces): return DateFormat.read(b, pieces)
        }
    }

    /// How 2026-11-28 is written in this format: what an error shows as an example.
    public var example: String {
        switch self {
        case .yearFirst: return "2026-11-28"
        case .excel: return "46354"
        case .pattern(let pieces): return DateFormat.write(pieces, year: "2026", month: "11", day: "28")
        }
    }

    public var description: String {
        switch self {
        case .yearFirst: return "iso"
        case .excel: return "excel"
        case .pattern(let pieces): return DateFormat.write(pieces, year: "%Y", month: "%m", day: "%d")
        }
    }

    private static func write(_ pieces: [Piece], year: String, month: String, day: String) -> String {
        pieces.map { p in
            switch p {
            case .year: return year
            case .month: return month
            case .day: return day
            case .literal(let b): return String(decoding: b, as: UTF8.self)
            }
        }.joined()
    }

    private static let nian: [UInt8] = Array("年".utf8)
    private static let yue: [UInt8] = Array("月".utf8)
    private static let ri: [UInt8] = Array("日".utf8)

    /// Four digits of year, a separator (`-`, `/`, `.`, or 年 … 月 … 日), one or two of month, the
    /// same separator, one or two of day.
    private static func yearFirst(_ b: UnsafeBufferPointer<UInt8>) -> Day? {
        var r = Reader(b)
        guard let year = r.digits(4, 4) else { return nil }
        let chinese = r.skip(nian)
        let separator = chinese ? nil : r.next()
        guard chinese || separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/") || separator == UInt8(ascii: ".") else {
            return nil
        }
        guard let month = r.digits(1, 2) else { return nil }
        if chinese {
            guard r.skip(yue) else { return nil }
        } else {
            guard r.next() == separator else { return nil }
        }
        guard let day = r.digits(1, 2) else { return nil }
        if chinese { _ = r.skip(ri) }
        guard r.atEnd else { return nil }
        return Day(year: year, month: month, day: day)
    }

    private static func read(_ b: UnsafeBufferPointer<UInt8>, _ pieces: [Piece]) -> Day? {
        parts(b, pieces).flatMap { Day(year: $0.year, month: $0.month, day: $0.day) }
    }

    /// Whether `b` is written as this format writes a date, whether or not that day exists
    /// (`2026-02-30`, `2/30/2013`): an error then says there is no such date.
    public func isShaped(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .yearFirst:
            return DateFormat.parts(b, [.year, .literal([UInt8(ascii: "-")]), .month, .literal([UInt8(ascii: "-")]), .day]) != nil
        case .excel: return false
        case .pattern(let pieces): return DateFormat.parts(b, pieces) != nil
        }
    }

    /// The numbers of a date written in `pieces`, unchecked.
    private static func parts(_ b: UnsafeBufferPointer<UInt8>, _ pieces: [Piece]) -> (year: Int, month: Int, day: Int)? {
        var r = Reader(b)
        var (year, month, day) = (0, 0, 0)
        // Numbers side by side (`%Y%m%d`) have their full width; between text, one or two digits.
        let packed = zip(pieces, pieces.dropFirst()).contains { a, b in
            if case .literal = a { return false }
            if case .literal = b { return false }
            return true
        }
        for piece in pieces {
            switch piece {
            case .year: guard let n = r.digits(4, 4) else { return nil }; year = n
            case .month: guard let n = r.digits(packed ? 2 : 1, 2) else { return nil }; month = n
            case .day: guard let n = r.digits(packed ? 2 : 1, 2) else { return nil }; day = n
            case .literal(let text): guard r.skip(text) else { return nil }
            }
        }
        guard r.atEnd else { return nil }
        return (year, month, day)
    }

    /// Days since 1899-12-30 (Excel's day 1 is 1900-01-01, and it counts a 1900-02-29 that
    /// never was: day 60, which is refused).
    private static func excel(_ b: UnsafeBufferPointer<UInt8>) -> Day? {
        var r = Reader(b)
        guard let n = r.digits(1, 7) else { return nil }
        if r.skip([UInt8(ascii: ".")]) {
            while let d = r.peek, d >= 48 && d <= 57 { _ = r.next() }
        }
        guard r.atEnd, n >= 1, n != 60, let epoch = Day(year: 1899, month: 12, day: n < 60 ? 31 : 30) else { return nil }
        return epoch.adding(days: Int64(n))
    }

    /// Excel's serial number of `day`, the number `excel` reads back as `day` (from 1900-03-01
    /// on, one more for the phantom 1900-02-29; before 1900, none Excel shows).
    public static func excelSerial(_ day: Day) -> Int {
        let march1900 = Day(year: 1900, month: 3, day: 1)?.ordinal ?? 0
        let december1899 = Day(year: 1899, month: 12, day: 31)?.ordinal ?? 0
        return day.ordinal >= march1900 ? Int(day.ordinal - march1900) + 61 : Int(day.ordinal - december1899)
    }

    private struct Reader {
        let b: UnsafeBufferPointer<UInt8>
        var at = 0
        init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }
        var atEnd: Bool { at == b.count }
        var peek: UInt8? { at < b.count ? b[at] : nil }
        mutating func next() -> UInt8? {
            defer { at += 1 }
            return peek
        }
        /// `least` to `most` digits, as many as there are.
        mutating func digits(_ least: Int, _ most: Int) -> Int? {
            var n = 0
            var count = 0
            while count < most, let d = peek, d >= 48 && d <= 57 {
                n = n * 10 + Int(d - 48)
                count += 1
                at += 1
            }
            return count >= least ? n : nil
        }
        mutating func skip(_ text: [UInt8]) -> Bool {
            guard b.count - at >= text.count, text.indices.allSatisfy({ b[at + $0] == text[$0] }) else { return false }
            at += text.count
            return true
        }
    }
}

/// What is wrong with a format given in dun.toml.
public struct FormatError: Error, Sendable {
    public var message: String
    public var hint: String?
    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}

/// How the amounts of a file are written: with thousands separators or not, a currency sign
/// or code before or after, a negative in parentheses or with a minus after. Only the decimal
/// mark must be said, when it is a comma (`1.234,50`).
public struct AmountFormat: Sendable, Equatable {
    public var decimalComma = false

    public init(decimalComma: Bool = false) {
        self.decimalComma = decimalComma
    }

    /// `b` as plain `-1234.50`, written into `out`: how many bytes; nil when it is not an
    /// amount (or longer than `out`, which no amount is).
    func plain(_ b: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var count = 0
        @inline(__always) func append(_ c: UInt8) -> Bool {
            guard count < out.count else { return false }
            out[count] = c
            count += 1
            return true
        }
        var lo = 0
        var hi = b.count
        var negative = false
        // Signs, currency signs and codes, spaces and parentheses around the number (most
        // amounts have none: the first byte is a digit and the last one too).
        var parenthesized = false
        while lo < hi, !AmountFormat.isDigit(b[lo]) {
            if let n = AmountFormat.space(b, lo, hi) {
                lo += n
            } else if b[lo] == UInt8(ascii: "-") && !negative {
                negative = true
                lo += 1
            } else if b[lo] == UInt8(ascii: "+") {
                lo += 1
            } else if b[lo] == UInt8(ascii: "(") && !parenthesized {
                parenthesized = true
                lo += 1
            } else if let n = AmountFormat.symbol(b, at: lo, lo, hi, backwards: false) {
                lo += n
            } else {
                break
            }
        }
        var closed = false
        while hi > lo, !AmountFormat.isDigit(b[hi - 1]) {
            if b[hi - 1] == 32 || b[hi - 1] == 9 {
                hi -= 1
            } else if hi - 2 >= lo, b[hi - 2] == 0xC2, b[hi - 1] == 0xA0 {
                hi -= 2
            } else if b[hi - 1] == UInt8(ascii: "-") && !negative {
                negative = true
                hi -= 1
            } else if b[hi - 1] == UInt8(ascii: ")") && parenthesized && !closed {
                closed = true
                hi -= 1
            } else if let n = AmountFormat.symbol(b, at: hi, lo, hi, backwards: true) {
                hi -= n
            } else {
                break
            }
        }
        guard parenthesized == closed, !(parenthesized && negative), lo < hi else { return nil }
        if parenthesized { negative = true }
        let decimal = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        let comma = decimalComma ? UInt8(ascii: ".") : UInt8(ascii: ",")
        if negative { _ = append(UInt8(ascii: "-")) }
        // Digits between separators: the first group 1 to 3, each after it 3.
        var group = 0
        var groups = 0
        var fraction = false
        var i = lo
        while i < hi {
            let c = b[i]
            if AmountFormat.isDigit(c) {
                guard append(c) else { return nil }
                group += 1
            } else if c == decimal && !fraction {
                guard groups == 0 || group == 3, append(UInt8(ascii: ".")) else { return nil }
                fraction = true
                group = 0
            } else if c == comma || c == 32 || c == UInt8(ascii: "'") || (c == 0xC2 && i + 1 < hi && b[i + 1] == 0xA0) {
                guard !fraction, group >= 1, group <= 3, groups == 0 || group == 3 else { return nil }
                if c == 0xC2 { i += 1 }
                groups += 1
                group = 0
            } else {
                return nil
            }
            i += 1
        }
        return fraction || groups == 0 || group == 3 ? count : nil
    }

    /// Whether `b` holds anything but digits, a point and a leading minus: then it is read as
    /// exports write amounts, rather than as a plain one.
    @inline(__always)
    static func isWritten(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for c in b where !isDigit(c) && c != UInt8(ascii: ".") && c != UInt8(ascii: "-") { return true }
        return false
    }

    @inline(__always)
    private static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }

    /// How many bytes of space (a space, a tab, a no-break space) start at `i`.
    private static func space(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int) -> Int? {
        if b[i] == 32 || b[i] == 9 { return 1 }
        if b[i] == 0xC2, i + 1 < hi, b[i + 1] == 0xA0 { return 2 }
        return nil
    }

    /// The length of a currency sign or code that starts at `i` (or ends there, `backwards`)
    /// within `lo..<hi`.
    private static func symbol(_ b: UnsafeBufferPointer<UInt8>, at i: Int, _ lo: Int, _ hi: Int, backwards: Bool) -> Int? {
        for s in symbols {
            let start = backwards ? i - s.count : i
            if start >= lo, start + s.count <= hi, (0..<s.count).allSatisfy({ b[start + $0] == s[$0] }) { return s.count }
        }
        // A currency code: three capitals.
        let start = backwards ? i - 3 : i
        if start >= lo, start + 3 <= hi, (start..<start + 3).allSatisfy({ b[$0] >= 65 && b[$0] <= 90 }) { return 3 }
        return nil
    }

    /// Currency signs an export writes beside its amounts: ¥ ￥ $ € £ 元.
    private static let symbols: [[UInt8]] = ["¥", "￥", "$", "€", "£", "元", "US$", "HK$"].map { Array($0.utf8) }
}

/// The character encoding of a file.
public enum FileEncoding: String, Sendable, Equatable, CaseIterable {
    case utf8 = "utf-8"
    /// China's national standard, a superset of GBK and GB2312: what Chinese Excel and ERPs save.
    case gb18030

    /// `utf-8`, `utf8`, `gb18030`, `gbk`, `gb2312`, in any case.
    public init?(name: String) {
        switch name.lowercased() {
        case "utf-8", "utf8": self = .utf8
        case "gb18030", "gbk", "gb2312", "cp936": self = .gb18030
        default: return nil
        }
    }
}
