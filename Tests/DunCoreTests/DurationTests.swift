import Testing

@testable import DunCore

@Suite("Duration")
struct DurationTests {
    @Test(
        arguments: [
            (Duration.days(1), "1 day"),
            (.days(2), "2 days"),
            (.days(0), "0 days"),
            (.days(-1), "-1 day"),
            (.days(-30), "-30 days"),
            (.months(1), "1 month"),
            (.months(3), "3 months"),
            (.months(-1), "-1 month"),
            (.months(13), "13 months"),
            (.months(12), "1 year"),
            (.months(24), "2 years"),
            (.months(-12), "-1 year"),
            (.months(-36), "-3 years"),
        ] as [(Duration, String)])
    func description(duration: Duration, text: String) {
        #expect(duration.description == text)
    }

    @Test(
        arguments: [
            ("day", 1, nil),
            ("days", 1, nil),
            ("week", 7, nil),
            ("weeks", 7, nil),
            ("month", nil, 1),
            ("months", nil, 1),
            ("year", nil, 12),
            ("years", nil, 12),
        ] as [(String, Int64?, Int64?)])
    func units(word: String, days: Int64?, months: Int64?) throws {
        let unit = try #require(Duration.unit(word))
        #expect(unit.days == days)
        #expect(unit.months == months)
    }

    @Test(arguments: ["Day", "DAYS", "fortnight", "d", "", "hours", "yr", "weekss"])
    func unknownUnits(word: String) {
        #expect(Duration.unit(word) == nil)
    }

    @Test func equality() {
        #expect(Duration.days(7) == .days(7))
        #expect(Duration.days(30) != .months(1))
        #expect(Duration.months(12) == .months(12))
    }
}
