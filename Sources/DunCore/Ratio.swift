// Ratio: an exact fraction, for a chain of `*` and `/` computed with nothing rounded until its
// end: `¥11 / ¥1800 * 90` is 0.55, not 0.006111 × 90 = 0.54999.

/// `numerator ÷ denominator`, reduced, the denominator above 0. Every operation returns
/// `nil` instead of overflowing.
public struct Ratio: Sendable, Equatable {
    public let numerator: Int128
    public let denominator: Int128

    /// `numerator ÷ denominator`, reduced; nil when the denominator is 0.
    public init?(_ numerator: Int128, _ denominator: Int128) {
        guard denominator != 0 else { return nil }
        self.init(reducing: numerator, denominator)
    }

    /// The decimal's exact value: its significand over 10^scale (at most 10^18).
    public init(_ d: Decimal64) {
        self.init(reducing: Int128(d.significand), Decimal64.pow10(Int(d.scale)))
    }

    /// `denominator` is not 0.
    private init(reducing numerator: Int128, _ denominator: Int128) {
        let g = Int128(Ratio.gcd(numerator.magnitude, denominator.magnitude))
        let sign: Int128 = denominator < 0 ? -1 : 1
        self.numerator = sign * (numerator / g)
        self.denominator = sign * (denominator / g)
    }

    public func multiplied(by other: Ratio) -> Ratio? {
        // Crosswise first, so that the products stay small.
        let g1 = Int128(Ratio.gcd(numerator.magnitude, other.denominator.magnitude))
        let g2 = Int128(Ratio.gcd(other.numerator.magnitude, denominator.magnitude))
        let (n, o1) = (numerator / g1).multipliedReportingOverflow(by: other.numerator / g2)
        let (d, o2) = (denominator / g2).multipliedReportingOverflow(by: other.denominator / g1)
        guard !o1, !o2 else { return nil }
        return Ratio(n, d)
    }

    /// nil on overflow, or when `other` is 0.
    public func divided(by other: Ratio) -> Ratio? {
        guard other.numerator != 0, let inverse = Ratio(other.denominator, other.numerator) else { return nil }
        return multiplied(by: inverse)
    }

    /// The exact decimal when it has at most `Decimal64.maxScale` places; else rounded half
    /// away from zero to `places`. nil when it does not fit.
    public func decimal(places: Int) -> Decimal64? {
        // Reduced, the fraction has an end in decimals only when its denominator is
        // 2^twos × 5^fives, and then max(twos, fives) places: 10^scale is the least power of
        // 10 it divides. (Found at once: looking scale by scale cost 19 divisions a value.)
        let twos = denominator.trailingZeroBitCount
        var rest = denominator >> twos
        var fives = 0
        while rest % 5 == 0 {
            rest /= 5
            fives += 1
        }
        let scale = max(twos, fives)
        if rest == 1, scale <= Int(Decimal64.maxScale) {
            let (scaled, overflow) = numerator.multipliedReportingOverflow(by: Decimal64.pow10(scale))
            if !overflow, let s = Int64(exactly: scaled / denominator) {
                return Decimal64(significand: s, scale: Int8(scale))
            }
        }
        return rounded(places: places)
    }

    /// Rounded half away from zero to `places` decimals; nil when it does not fit.
    public func rounded(places: Int) -> Decimal64? {
        let places = min(max(places, 0), Int(Decimal64.maxScale))
        guard let scaled = Decimal64.scaled(numerator, by: places),
            let s = Int64(exactly: Decimal64.divideRounded(scaled, denominator))
        else { return nil }
        return Decimal64(significand: s, scale: Int8(places))
    }

    private static func gcd(_ a: UInt128, _ b: UInt128) -> UInt128 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a == 0 ? 1 : a
    }
}
