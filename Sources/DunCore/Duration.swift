// Duration: a span of days (exact) or of calendar months.

/// `30 days` and `2 weeks` are exact day counts; `3 months` and `1 year` are calendar
/// units that can be added to a date but never compared with a day count.
public enum Duration: Sendable, Hashable, CustomStringConvertible {
    case days(Int64)
    case months(Int64)

    public var description: String {
        switch self {
        case .days(let n):
            return "\(n) \((n == 1 || n == -1) ? "day" : "days")"
        case .months(let n) where n % 12 == 0:
            let years = n / 12
            return "\(years) \((years == 1 || years == -1) ? "year" : "years")"
        case .months(let n):
            return "\(n) \((n == 1 || n == -1) ? "month" : "months")"
        }
    }

    /// The unit words a literal may use, with how many days or months each is.
    public static func unit(_ word: some StringProtocol) -> (days: Int64?, months: Int64?)? {
        switch word {
        case "day", "days": return (1, nil)
        case "week", "weeks": return (7, nil)
        case "month", "months": return (nil, 1)
        case "year", "years": return (nil, 12)
        default: return nil
        }
    }
}
