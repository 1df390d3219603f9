// ExchangeRates: what one unit of each currency is worth in the workspace's base currency,
// from a day on (rates.csv) or on any day (dun.toml's [rates]); money converted exactly and
// rounded once.

/// Rates to a base currency: the rate of a currency on a day is the latest one dated on or
/// before that day, else its undated one.
public struct ExchangeRates: Sendable, Equatable {
    public var base: Currency
    /// Per currency, its dated rates in order of day.
    private var dated: [Currency: [Dated]] = [:]
    private var undated: [Currency: Decimal64] = [:]

    private struct Dated: Sendable, Equatable {
        var from: Day
        var rate: Decimal64
    }

    public init(base: Currency = .cny) {
        self.base = base
    }

    /// One unit of `currency` is worth `rate` of the base currency from `day` on, or on any day
    /// without a dated rate when `day` is nil.
    public mutating func add(_ currency: Currency, _ rate: Decimal64, from day: Day?) {
        guard let day else {
            undated[currency] = rate
            return
        }
        var list = dated[currency, default: []]
        let at = list.firstIndex { $0.from >= day } ?? list.count
        if at < list.count, list[at].from == day {
            list[at].rate = rate
        } else {
            list.insert(Dated(from: day, rate: rate), at: at)
        }
        dated[currency] = list
    }

    /// What one unit of `currency` is worth in the base currency on `day`.
    public func rate(of currency: Currency, on day: Day) -> Decimal64? {
        if currency == base { return Decimal64(1) }
        if let list = dated[currency], let last = list.last(where: { $0.from <= day }) { return last.rate }
        return undated[currency]
    }

    /// How to give `currency` a rate.
    public static func hint(_ currency: Currency) -> String {
        "rates.csv gives dated rates (date,currency,rate); [rates] in dun.toml one for any day: \(currency) = 7.1"
    }

    /// Why money could not be converted.
    public enum Failure: Error, Equatable {
        case noRate(Currency)
        case tooLarge
    }

    /// `money` in `target` on `day`: × its rate ÷ the target's rate, exactly, rounded once
    /// half away from zero to the target's minor unit.
    public func convert(_ money: Money, to target: Currency, on day: Day) -> Result<Money, Failure> {
        if money.currency == target { return .success(money) }
        guard let from = rate(of: money.currency, on: day) else { return .failure(.noRate(money.currency)) }
        guard let to = rate(of: target, on: day) else { return .failure(.noRate(target)) }
        guard let worth = money.decimal.multiplied(by: from), let value = worth.divided(by: to, places: target.minorUnit),
            let result = Money(value, currency: target)
        else { return .failure(.tooLarge) }
        return .success(result)
    }
}
