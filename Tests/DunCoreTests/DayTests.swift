import Testing

@testable import DunCore

func day(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Day {
    try #require(Day(iso: text), "'\(text)' should be a date", sourceLocation: sourceLocation)
}

@Suite("Day")
struct DayTests {

    // MARK: parsing

    @Test(arguments: [
        "2026-11-28", "2024-02-29", "2000-02-29", "1970-01-01", "0001-01-01", "9999-12-31", "2026-12-31",
        "2026-04-30", "1969-12-31",
    ])
    func parsesAndRoundTrips(text: String) throws {
        let d = try day(text)
        #expect(d.description == text)
        #expect(Day(iso: d.description) == d)
    }

    @Test(arguments: [
        "2026-2-3", "2026-02-3", "26-02-03", "2026-02-30", "2025-02-29", "1900-02-29", "2026-04-31",
        "2026-13-01", "2026-00-10", "2026-01-00", "0000-01-01", "2026/02/03", "2026-02-03 ", " 2026-02-03",
        "2026-02-03T00:00", "20260203", "", "abcd-ef-gh", "+026-02-03", "-026-02-03", "2026--2-03",
        "２０２６-０２-０３", "28-11-2026",
    ])
    func rejects(text: String) {
        #expect(Day(iso: text) == nil)
    }

    @Test func parsesSubstrings() {
        let text = "due:2026-11-28!"
        let start = text.index(text.startIndex, offsetBy: 4)
        let end = text.index(start, offsetBy: 10)
        #expect(Day(iso: text[start..<end])?.description == "2026-11-28")
    }

    @Test func componentsAndInit() throws {
        let d = try day("2026-11-28")
        #expect(d.components == (2026, 11, 28))
        #expect(Day(year: 2026, month: 11, day: 28) == d)
        #expect(Day(year: 2026, month: 2, day: 29) == nil)
        #expect(Day(year: 2024, month: 2, day: 29)?.description == "2024-02-29")
        #expect(Day(year: 0, month: 1, day: 1) == nil)
        #expect(Day(year: 10000, month: 1, day: 1) == nil)
        #expect(Day(year: 2026, month: 13, day: 1) == nil)
        #expect(Day(year: 2026, month: 1, day: 0) == nil)
    }

    @Test(arguments: [
        (2, 2024, 29), (2, 2025, 28), (2, 2000, 29), (2, 1900, 28), (2, 2100, 28), (2, 2400, 29),
        (1, 2026, 31), (4, 2026, 30), (6, 2026, 30), (9, 2026, 30), (11, 2026, 30), (12, 2026, 31), (7, 2026, 31),
        (8, 2026, 31),
    ])
    func daysInMonth(month: Int, year: Int, days: Int) {
        #expect(Day.daysIn(month: month, year: year) == days)
    }

    // MARK: ordinals

    @Test(arguments: [
        ("1970-01-01", Int32(0)),
        ("1970-01-02", 1),
        ("1969-12-31", -1),
        ("1971-01-01", 365),
        ("2000-01-01", 10957),
        ("2026-11-28", 20785),
        ("0001-01-01", -719162),
        ("9999-12-31", 2932896),
    ])
    func ordinals(text: String, ordinal: Int32) throws {
        #expect(try day(text).ordinal == ordinal)
        #expect(Day(ordinal: ordinal).description == text)
    }

    @Test func everyDayOfALeapYearRoundTrips() throws {
        var d = try day("2023-12-31")
        var seen = 0
        while true {
            d = try #require(d.adding(days: 1))
            guard d.components.year == 2024 else { break }
            seen += 1
            #expect(Day(iso: d.description) == d)
        }
        #expect(seen == 366)
    }

    // MARK: ordering

    @Test func ordering() throws {
        #expect(try day("2026-11-28") < (try day("2026-11-29")))
        #expect(try day("2025-12-31") < (try day("2026-01-01")))
        #expect(try day("0001-01-01") < (try day("1969-12-31")))
        #expect(!(try day("2026-11-28") < (try day("2026-11-28"))))
        #expect(try day("2026-11-28") == (try day("2026-11-28")))
    }

    // MARK: arithmetic

    @Test(arguments: [
        ("2026-11-28", Int64(1), "2026-11-29"),
        ("2026-12-31", 1, "2027-01-01"),
        ("2026-03-01", -1, "2026-02-28"),
        ("2024-03-01", -1, "2024-02-29"),
        ("2026-11-28", 0, "2026-11-28"),
        ("2026-01-01", 365, "2027-01-01"),
        ("2024-01-01", 366, "2025-01-01"),
        ("1970-01-01", -1, "1969-12-31"),
        ("2026-11-28", -30, "2026-10-29"),
        ("0001-01-02", -1, "0001-01-01"),
        ("9999-12-30", 1, "9999-12-31"),
    ])
    func addingDays(start: String, days: Int64, result: String) throws {
        #expect(try day(start).adding(days: days)?.description == result)
    }

    @Test(
        arguments: [
            ("2026-01-31", Int64(1), "2026-02-28"),
            ("2024-01-31", 1, "2024-02-29"),
            ("2026-03-31", -1, "2026-02-28"),
            ("2024-03-31", -1, "2024-02-29"),
            ("2026-03-31", 1, "2026-04-30"),
            ("2026-01-15", -1, "2025-12-15"),
            ("2026-11-28", 12, "2027-11-28"),
            ("2026-11-28", -13, "2025-10-28"),
            ("2024-02-29", 12, "2025-02-28"),
            ("2024-02-29", 48, "2028-02-29"),
            ("2026-11-28", 0, "2026-11-28"),
            ("2026-12-15", 1, "2027-01-15"),
            ("2026-01-15", -12 * 2026 + 12, "0001-01-15"),
            ("0001-02-28", -1, "0001-01-28"),
            ("9999-11-30", 1, "9999-12-30"),
        ] as [(String, Int64, String)])
    func addingMonths(start: String, months: Int64, result: String) throws {
        #expect(try day(start).adding(months: months)?.description == result)
    }

    @Test func farDatesOutOfRangeAreNil() throws {
        let first = try day("0001-01-01")
        let last = try day("9999-12-31")
        #expect(first.adding(days: -1) == nil)
        #expect(last.adding(days: 1) == nil)
        #expect(first.adding(months: -1) == nil)
        #expect(last.adding(months: 1) == nil)
        #expect(try day("2026-11-28").adding(months: 12 * 8000) == nil)
        #expect(try day("2026-11-28").adding(months: -12 * 2026) == nil)
        #expect(first.adding(days: Int64(last.ordinal) - Int64(first.ordinal)) == last)
        #expect(last.adding(days: Int64(first.ordinal) - Int64(last.ordinal)) == first)
    }

    @Test(arguments: [Int64.max, Int64.min, Int64.max / 2, Int64.min + 1])
    func hugeAdditionsAreNilNotACrash(amount: Int64) throws {
        let d = try day("2026-11-28")
        #expect(d.adding(days: amount) == nil)
        #expect(d.adding(months: amount) == nil)
        #expect(try day("0001-01-01").adding(days: amount) == nil)
        #expect(try day("9999-12-31").adding(months: amount) == nil)
    }

    @Test func daysSince() throws {
        #expect(try day("2026-11-28").days(since: try day("2026-10-31")) == 28)
        #expect(try day("2026-10-31").days(since: try day("2026-11-28")) == -28)
        #expect(try day("2026-11-28").days(since: try day("2026-11-28")) == 0)
        #expect(try day("2027-01-01").days(since: try day("2026-01-01")) == 365)
        #expect(try day("2025-01-01").days(since: try day("2024-01-01")) == 366)
        #expect(try day("9999-12-31").days(since: try day("0001-01-01")) == 3_652_058)
    }
}
