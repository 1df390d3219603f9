// Day: a calendar date without time or zone, counted in days since 1970-01-01.

/// A date in the proleptic Gregorian calendar. Arithmetic is on whole days;
/// adding months clamps to the end of the month (Jan 31 + 1 month = Feb 28 or 29).
public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before).
    public var ordinal: Int32

    public init(ordinal: Int32) {
        self.ordinal = ordinal
    }

    /// `nil` unless the date exists (no 2026-02-30) and the year is 1...9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= Day.daysIn(month: month, year: year)
        else { return nil }
        ordinal = Int32(Day.daysFromCivil(year, month, day))
    }

    /// Strict ISO 8601 calendar date: `YYYY-MM-DD`.
    public init?(iso text: some StringProtocol) {
        var s = String(text)
        guard let day = s.withUTF8({ Day(iso: $0) }) else { return nil }
        self = day
    }

    /// Strict ISO 8601 calendar date from its UTF-8 bytes.
    public init?(iso b: UnsafeBufferPointer<UInt8>) {
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        // A byte that is not a digit becomes 10 or more.
        let d = (b[0] &- 48, b[1] &- 48, b[2] &- 48, b[3] &- 48, b[5] &- 48, b[6] &- 48, b[8] &- 48, b[9] &- 48)
        guard max(d.0, d.1, d.2, d.3, d.4, d.5, d.6, d.7) < 10 else { return nil }
        let year = Int(d.0) * 1000 + Int(d.1) * 100 + Int(d.2) * 10 + Int(d.3)
        self.init(year: year, month: Int(d.4) * 10 + Int(d.5), day: Int(d.6) * 10 + Int(d.7))
    }

    public static func < (a: Day, b: Day) -> Bool { a.ordinal < b.ordinal }

    public var components: (year: Int, month: Int, day: Int) {
        Day.civilFromDays(Int(ordinal))
    }

    public var description: String {
        let (y, m, d) = components
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// `nil` when the result leaves years 1...9999.
    public func adding(days: Int64) -> Day? {
        let (r, overflow) = Int64(ordinal).addingReportingOverflow(days)
        guard !overflow, r >= Day.minOrdinal && r <= Day.maxOrdinal else { return nil }
        return Day(ordinal: Int32(r))
    }

    /// Calendar months; the day clamps to the month's last day.
    public func adding(months: Int64) -> Day? {
        let (y, m, d) = components
        let (total, overflow) = (Int64(y) * 12 + Int64(m - 1)).addingReportingOverflow(months)
        guard !overflow, total >= 12, total < 10000 * 12 else { return nil }
        let ny = Int(total / 12)
        let nm = Int(total % 12) + 1
        return Day(year: ny, month: nm, day: min(d, Day.daysIn(month: nm, year: ny)))
    }

    /// The day of the week, ISO style: 1 for Monday to 7 for Sunday.
    public var weekday: Int {
        // 1970-01-01, ordinal 0, was a Thursday.
        Int(((Int64(ordinal) + 3) % 7 + 7) % 7) + 1
    }

    /// A span of the calendar a day falls in.
    public enum Span: String, CaseIterable, Sendable {
        /// Monday to Sunday.
        case week, month, quarter, year
    }

    /// The first day of the week, month, quarter or year this day is in; `nil` before year 1.
    public func start(of span: Span) -> Day? {
        let (y, m, _) = components
        switch span {
        case .week: return adding(days: -Int64(weekday - 1))
        case .month: return Day(year: y, month: m, day: 1)
        case .quarter: return Day(year: y, month: (m - 1) / 3 * 3 + 1, day: 1)
        case .year: return Day(year: y, month: 1, day: 1)
        }
    }

    /// The last day of the week, month, quarter or year this day is in; `nil` after 9999.
    public func end(of span: Span) -> Day? {
        let (y, m, _) = components
        switch span {
        case .week: return adding(days: Int64(7 - weekday))
        case .month: return Day(year: y, month: m, day: Day.daysIn(month: m, year: y))
        case .quarter:
            let last = (m - 1) / 3 * 3 + 3
            return Day(year: y, month: last, day: Day.daysIn(month: last, year: y))
        case .year: return Day(year: y, month: 12, day: 31)
        }
    }

    /// Whole days from `other` to `self`.
    public func days(since other: Day) -> Int64 {
        Int64(ordinal) - Int64(other.ordinal)
    }

    private static let minOrdinal = Int64(daysFromCivil(1, 1, 1))
    private static let maxOrdinal = Int64(daysFromCivil(9999, 12, 31))
    /// The first and last days Dun has: 0001-01-01 and 9999-12-31.
    public static let earliest = Day(ordinal: Int32(minOrdinal))
    public static let latest = Day(ordinal: Int32(maxOrdinal))

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days, in eras of 400 years.
    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    private static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
