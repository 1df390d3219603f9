// Decimal64: exact decimal numbers for everything in Dun that is not money.

/// An exact decimal number, `significand × 10^-scale`, kept in canonical form
/// (no trailing zeros after the point), so that equal numbers compare and hash equal.
///
/// Addition and subtraction are exact; multiplication is exact unless the product needs
/// more than 18 decimal places, which are then rounded; division rounds half away from
/// zero to `Decimal64.divisionScale` places (or more, if an operand has more).
/// Every operation returns `nil` instead of overflowing.
public struct Decimal64: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let significand: Int64
    /// Digits after the decimal point, 0...18.
    public let scale: Int8

    public static let maxScale: Int8 = 18
    /// Places kept by division.
    public static let divisionScale: Int8 = 6
    public static let zero = Decimal64(0)

    public init(_ integer: Int64) {
        significand = integer
        scale = 0
    }

    public init(_ integer: Int) {
        self.init(Int64(integer))
    }

    /// `significand × 10^-scale`, normalised. `scale` must lie in 0...18.
    public init(significand: Int64, scale: Int8) {
        var s = significand
        var e = scale
        while e > 0 && s % 10 == 0 {
            s /= 10
            e -= 1
        }
        self.significand = s
        self.scale = e
    }

    /// The value as an integer, when it has no fractional part.
    public var integerValue: Int64? { scale == 0 ? significand : nil }

    public var isNegative: Bool { significand < 0 }

    public var description: String {
        Decimal64.digits(significand, scale: Int(scale), grouped: false)
    }

    /// Parses `123`, `-4.50`, `0.125`; no exponent, no grouping.
    public init?(parsing text: Substring) {
        var negative = false
        var digits = text[...]
        if let first = digits.first, first == "-" || first == "+" {
            negative = first == "-"
            digits = digits.dropFirst()
        }
        var sig: Int64 = 0
        var scale: Int8 = 0
        var sawPoint = false
        var sawDigit = false
        for ch in digits.utf8 {
            if ch == UInt8(ascii: ".") {
                if sawPoint { return nil }
                sawPoint = true
                continue
            }
            guard ch >= 48 && ch <= 57 else { return nil }
            sawDigit = true
            let (m, o1) = sig.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(ch - 48))
            if o1 || o2 { return nil }
            sig = a
            if sawPoint {
                scale += 1
                if scale > Decimal64.maxScale { return nil }
            }
        }
        guard sawDigit else { return nil }
        self.init(significand: negative ? -sig : sig, scale: scale)
    }

    // MARK: arithmetic

    public static func < (a: Decimal64, b: Decimal64) -> Bool {
        if a.scale == b.scale { return a.significand < b.significand }
        let (x, y) = aligned(a, b)
        return x < y
    }

    public func negated() -> Decimal64? {
        significand == .min ? nil : Decimal64(significand: -significand, scale: scale)
    }

    public func adding(_ other: Decimal64) -> Decimal64? {
        if scale == other.scale {
            let (r, o) = significand.addingReportingOverflow(other.significand)
            return o ? nil : Decimal64(significand: r, scale: scale)
        }
        // Exact: a sum that does not fit is nil, never rounded.
        let (x, y) = Decimal64.aligned(self, other)
        guard let sum = Int64(exactly: x + y) else { return nil }
        return Decimal64(significand: sum, scale: max(scale, other.scale))
    }

    public func subtracting(_ other: Decimal64) -> Decimal64? {
        guard let n = other.negated() else { return nil }
        return adding(n)
    }

    public func multiplied(by other: Decimal64) -> Decimal64? {
        let product = Int128(significand) * Int128(other.significand)
        return Decimal64.make(product, scale: Int(scale) + Int(other.scale))
    }

    /// The quotient, rounded half away from zero to `places` decimals (by default
    /// `divisionScale`, or more if an operand has more); `nil` on overflow or division by zero.
    public func divided(by other: Decimal64, places: Int? = nil) -> Decimal64? {
        guard other.significand != 0 else { return nil }
        let target =
            places.map { min(max($0, 0), Int(Decimal64.maxScale)) }
            ?? Int(max(scale, other.scale, Decimal64.divisionScale))
        // self / other = (a / b) × 10^(sb - sa); scale the numerator (or the denominator) to the target.
        let shift = target - Int(scale) + Int(other.scale)
        var numerator = Int128(significand)
        var denominator = Int128(other.significand)
        if shift >= 0 {
            guard let n = Decimal64.scaled(numerator, by: shift) else { return nil }
            numerator = n
        } else {
            guard let d = Decimal64.scaled(denominator, by: -shift) else { return nil }
            denominator = d
        }
        let q = Decimal64.divideRounded(numerator, denominator)
        return Decimal64.make(q, scale: target)
    }

    /// Rounded half away from zero to `places` digits after the point.
    public func rounded(toScale places: Int) -> Decimal64 {
        let places = max(0, places)
        guard Int(scale) > places else { return self }
        let divisor = Decimal64.pow10(Int(scale) - places)
        let q = Decimal64.divideRounded(Int128(significand), divisor)
        // The quotient is smaller in magnitude than the significand: it fits.
        return Decimal64(significand: Int64(q), scale: Int8(places))
    }

    /// The significand at a given scale (no rounding: `nil` if digits would be lost or it overflows).
    public func significand(atScale target: Int) -> Int64? {
        if target < Int(scale) { return nil }
        guard let v = Decimal64.scaled(Int128(significand), by: target - Int(scale)) else { return nil }
        return Int64(exactly: v)
    }

    // MARK: helpers shared with Money

    static func pow10(_ n: Int) -> Int128 {
        var r: Int128 = 1
        for _ in 0..<n { r *= 10 }
        return r
    }

    static func scaled(_ value: Int128, by shift: Int) -> Int128? {
        guard shift <= 38 else { return value == 0 ? 0 : nil }
        let (r, o) = value.multipliedReportingOverflow(by: pow10(shift))
        return o ? nil : r
    }

    /// `n / d` rounded half away from zero.
    static func divideRounded(_ n: Int128, _ d: Int128) -> Int128 {
        let (q, r) = n.quotientAndRemainder(dividingBy: d)
        let twice = r.magnitude * 2
        if twice >= d.magnitude {
            return (n < 0) == (d < 0) ? q + 1 : q - 1
        }
        return q
    }

    private static func aligned(_ a: Decimal64, _ b: Decimal64) -> (Int128, Int128) {
        let s = max(a.scale, b.scale)
        return (
            Int128(a.significand) * pow10(Int(s - a.scale)),
            Int128(b.significand) * pow10(Int(s - b.scale))
        )
    }

    /// A Decimal64 from a wide significand: rounds away excess places, `nil` if it still does not fit.
    private static func make(_ value: Int128, scale: Int) -> Decimal64? {
        var v = value
        var s = scale
        while s > Int(maxScale) || (Int64(exactly: v) == nil && s > 0) {
            v = divideRounded(v, 10)
            s -= 1
        }
        guard let small = Int64(exactly: v) else { return nil }
        return Decimal64(significand: small, scale: Int8(s))
    }

    /// Decimal digits of `value × 10^-scale`, optionally with thousands separators.
    public static func digits(_ value: Int64, scale: Int, grouped: Bool) -> String {
        // Written from the last digit back, as bytes: 19 digits, 6 separators, a point, a
        // sign and the zeros of a small fraction fit.
        let scale = max(scale, 0)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scale + 32) { buffer in
            var start = buffer.count
            func put(_ byte: UInt8) {
                start -= 1
                buffer[start] = byte
            }
            var rest = value.magnitude
            func digit() {
                put(UInt8(truncatingIfNeeded: rest % 10) + UInt8(ascii: "0"))
                rest /= 10
            }
            for _ in 0..<scale { digit() }
            if scale > 0 { put(UInt8(ascii: ".")) }
            var written = 0
            repeat {
                if grouped && written > 0 && written % 3 == 0 { put(UInt8(ascii: ",")) }
                digit()
                written += 1
            } while rest > 0
            if value < 0 { put(UInt8(ascii: "-")) }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[start...]), as: UTF8.self)
        }
    }
}
