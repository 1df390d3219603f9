// Money: an exact amount in minor units of one currency.

/// An amount of money, exact: an integer count of the currency's minor unit (fen, cents).
public struct Money: Sendable, Hashable, CustomStringConvertible {
    public var minor: Int64
    public var currency: Currency

    public init(minor: Int64, currency: Currency) {
        self.minor = minor
        self.currency = currency
    }

    /// The amount as a decimal number (`123.45`), exact.
    public var decimal: Decimal64 {
        Decimal64(significand: minor, scale: Int8(currency.minorUnit))
    }

    /// A decimal amount rounded half away from zero to the currency's minor unit; `nil` on overflow.
    public init?(_ amount: Decimal64, currency: Currency) {
        let rounded = amount.rounded(toScale: currency.minorUnit)
        guard let minor = rounded.significand(atScale: currency.minorUnit) else { return nil }
        self.init(minor: minor, currency: currency)
    }

    /// This amount × `factor` ÷ `divisor`, computed exactly and rounded once, half away from
    /// zero, to the minor unit: a percentage of a balance (`divisor` 1), or a yearly rate for
    /// some days (`factor` rate × days, `divisor` 365). `nil` when it does not fit.
    public func scaled(by factor: Decimal64, over divisor: Int64 = 1) -> Money? {
        guard divisor > 0 else { return nil }
        // minor × significand ÷ (divisor × 10^scale), all in Int128.
        var denominator = Int128(divisor)
        for _ in 0..<Int(factor.scale) { denominator *= 10 }
        let (numerator, overflow) = Int128(minor).multipliedReportingOverflow(by: Int128(factor.significand))
        guard !overflow else { return nil }
        let magnitude = numerator.magnitude
        let d = UInt128(denominator)
        var quotient = magnitude / d
        if (magnitude % d) * 2 >= d { quotient += 1 }
        guard let result = Int64(exactly: quotient) else { return nil }
        return Money(minor: numerator < 0 ? -result : result, currency: currency)
    }

    /// `1234.50` — plain, with every minor digit.
    public var description: String { formatted(grouped: false) }

    /// `1,234.50` when grouped.
    public func formatted(grouped: Bool) -> String {
        Decimal64.digits(minor, scale: currency.minorUnit, grouped: grouped)
    }

    /// Why a text is not an amount.
    public enum ParseError: Error, Equatable, Sendable {
        case notAnAmount
        case tooManyDecimals(allowed: Int)
        case tooLarge
    }

    /// Parses a plain decimal amount: `1234`, `1234.5`, `-12.00`. No grouping, no symbol.
    public static func parse(_ text: some StringProtocol, currency: Currency) -> Result<Money, ParseError> {
        var s = String(text)
        return s.withUTF8 { parse(utf8: $0, currency: currency) }
    }

    /// `parse` over UTF-8 bytes.
    public static func parse(utf8: UnsafeBufferPointer<UInt8>, currency: Currency) -> Result<Money, ParseError> {
        if let minor = plain(utf8, minorUnit: currency.minorUnit) { return .success(Money(minor: minor, currency: currency)) }
        return careful(utf8, currency: currency)
    }

    /// `parse` for any text: signs, overflow, trailing zeros past the minor unit, and why not.
    static func careful(_ utf8: UnsafeBufferPointer<UInt8>, currency: Currency) -> Result<Money, ParseError> {
        let minorUnit = currency.minorUnit
        var bytes = utf8[...]
        var negative = false
        if let f = bytes.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") {
            negative = f == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var value: Int64 = 0
        var decimals = -1
        var digits = 0
        for b in bytes {
            if b == UInt8(ascii: ".") {
                if decimals >= 0 { return .failure(.notAnAmount) }
                decimals = 0
                continue
            }
            guard b >= 48 && b <= 57 else { return .failure(.notAnAmount) }
            digits += 1
            if decimals >= 0 {
                decimals += 1
                if decimals > minorUnit {
                    if b == 48 { continue }  // trailing zeros beyond the unit are harmless
                    return .failure(.tooManyDecimals(allowed: minorUnit))
                }
            }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(b - 48))
            if o1 || o2 { return .failure(.tooLarge) }
            value = a
        }
        guard digits > 0 else { return .failure(.notAnAmount) }
        let used = max(decimals, 0)
        for _ in min(used, minorUnit)..<minorUnit {
            let (m, o) = value.multipliedReportingOverflow(by: 10)
            if o { return .failure(.tooLarge) }
            value = m
        }
        return .success(Money(minor: negative ? -value : value, currency: currency))
    }

    /// The amount in minor units when its text has the common shape, read in one quick pass:
    /// no sign, digits with at most one point and at most `minorUnit` decimals, 15 bytes at
    /// most (so nothing can overflow). `nil` for anything else, which `parse` reads slowly
    /// and explains.
    static func plain(_ b: UnsafeBufferPointer<UInt8>, minorUnit: Int) -> Int64? {
        guard b.count <= 15, minorUnit <= 3 else { return nil }
        // The whole part, then the decimals, whose number the point's place tells: one test a digit.
        var value: Int64 = 0
        var i = 0
        while i < b.count {
            let digit = b[i] &- 48
            if digit >= 10 { break }
            value = value &* 10 &+ Int64(digit)
            i += 1
        }
        var decimals = 0
        if i < b.count {
            decimals = b.count - i - 1
            // One point, with a digit before or after it.
            guard b[i] == UInt8(ascii: "."), decimals <= minorUnit, b.count > 1 else { return nil }
            i += 1
            while i < b.count {
                let digit = b[i] &- 48
                guard digit < 10 else { return nil }
                value = value &* 10 &+ Int64(digit)
                i += 1
            }
        }
        guard !b.isEmpty else { return nil }
        for _ in decimals..<minorUnit { value = value &* 10 }
        return value
    }
}
