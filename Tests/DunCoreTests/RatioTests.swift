import DunCore
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
}
