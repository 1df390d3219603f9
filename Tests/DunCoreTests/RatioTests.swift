@testable import DunCore
import Testing

@Suite struct RatioTests {
    func d(_ s: String) -> Decimal64 { Decimal64(parsing: Substring(s))! }

    @Test func isReducedWithItsSignOnTop() {
        let r = Ratio(-6, -4)
        #expect(r?.numerator == 3 && r?.denominator == 2)
        #expect(Ratio(6, -4)?.numerator == -3)
        #expect(Ratio(1, 0) == nil)
        #expect(Ratio(d("0.250")) == Ratio(1, 4))
    }

    @Test func multipliesAndDividesExactly() {
        let r = Ratio(d("11")).divided(by: Ratio(d("1800")))?.multiplied(by: Ratio(d("90")))
        #expect(r == Ratio(11, 20))
        #expect(r?.decimal(places: 6) == d("0.55"))
        #expect(Ratio(1, 3)?.decimal(places: 6) == d("0.333333"))
        #expect(Ratio(2, 3)?.rounded(places: 2) == d("0.67"))
        #expect(Ratio(-2, 3)?.rounded(places: 2) == d("-0.67"))
        #expect(Ratio(1, 3)?.divided(by: Ratio(0, 1)!) == nil)
    }

    @Test func saysWhenItDoesNotFit() {
        let big = Ratio(Int128(Int64.max), 1)!
        #expect(big.multiplied(by: big)?.multiplied(by: big) == nil)
        #expect(big.multiplied(by: big)?.decimal(places: 2) == nil)
    }

    /// The exact decimal is found from the denominator's factors of 2 and 5: the same as
    /// trying each number of places in turn, which it replaced, for small and huge fractions,
    /// ones that end (1/8, 3/1250), ones that do not (1/3, 7/12), and ones that do not fit.
    @Test func findsTheExactDecimalAsTryingEachPlace() {
        func tried(_ r: Ratio, places: Int) -> Decimal64? {
            for scale in 0...Int(Decimal64.maxScale) {
                let (scaled, overflow) = r.numerator.multipliedReportingOverflow(by: Decimal64.pow10(scale))
                if overflow { break }
                if scaled % r.denominator == 0 {
                    guard let s = Int64(exactly: scaled / r.denominator) else { break }
                    return Decimal64(significand: s, scale: Int8(scale))
                }
            }
            return r.rounded(places: places)
        }
        var fractions: [Ratio] = []
        for n in -60...60 {
            for d in 1...400 { fractions.append(Ratio(Int128(n), Int128(d))!) }
        }
        let large = Int128(Int64.max)
        for n in [large, large / 3, large * 1000, -large * 7, 1 << 62] {
            for d in [1, 2, 3, 8, 1024, 1 << 40, 5 * (1 << 40), 390_625, 1_000_000_007] {
                fractions.append(Ratio(n, Int128(d))!)
            }
        }
        fractions.append(Ratio(1, Int128(1) << 70)!)
        fractions.append(Ratio(3, Decimal64.pow10(18) * 5)!)
        for r in fractions {
            #expect(r.decimal(places: 6) == tried(r, places: 6), "\(r.numerator)/\(r.denominator)")
        }
    }
}
