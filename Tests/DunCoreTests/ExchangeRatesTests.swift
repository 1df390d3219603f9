import DunCore
import Testing

@Suite struct ExchangeRatesTests {
    let day = { (s: String) in Day(iso: s)! }

    @Test func theLatestRateOnOrBeforeTheDayApplies() {
        var rates = ExchangeRates()
        // Added out of order, as a file may list them.
        rates.add(.usd, Decimal64(parsing: "7.3")!, from: day("2026-12-01"))
        rates.add(.usd, Decimal64(parsing: "7.1")!, from: day("2026-10-01"))
        rates.add(.usd, Decimal64(parsing: "7.0")!, from: nil)
        #expect(rates.rate(of: .usd, on: day("2026-09-30")) == Decimal64(parsing: "7.0"))
        #expect(rates.rate(of: .usd, on: day("2026-10-01")) == Decimal64(parsing: "7.1"))
        #expect(rates.rate(of: .usd, on: day("2026-11-30")) == Decimal64(parsing: "7.1"))
        #expect(rates.rate(of: .usd, on: day("2026-12-01")) == Decimal64(parsing: "7.3"))
        #expect(rates.rate(of: .cny, on: day("2026-12-01")) == Decimal64(1))
        #expect(rates.rate(of: .eur, on: day("2026-12-01")) == nil)
    }

    @Test func convertsExactlyAndRoundsOnceHalfAwayFromZero() {
        var rates = ExchangeRates()
        rates.add(.usd, Decimal64(parsing: "7.25")!, from: nil)
        let on = day("2026-11-28")
        // 0.02 USD × 7.25 = 0.145 CNY → 0.15; -0.145 → -0.15.
        #expect(rates.convert(Money(minor: 2, currency: .usd), to: .cny, on: on) == .success(Money(minor: 15, currency: .cny)))
        #expect(rates.convert(Money(minor: -2, currency: .usd), to: .cny, on: on) == .success(Money(minor: -15, currency: .cny)))
        // ¥1 ÷ 7.25 = 0.137931… USD → 0.14.
        #expect(rates.convert(Money(minor: 100, currency: .cny), to: .usd, on: on) == .success(Money(minor: 14, currency: .usd)))
        #expect(rates.convert(Money(minor: 100, currency: .eur), to: .usd, on: on) == .failure(.noRate(.eur)))
        #expect(rates.convert(Money(minor: .max, currency: .usd), to: .cny, on: on) == .failure(.tooLarge))
    }
}
