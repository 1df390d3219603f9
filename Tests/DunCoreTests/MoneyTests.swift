import Testing

@testable import DunCore

@Suite("Money")
struct MoneyTests {
    static let jpy = Currency(code: "JPY")!
    static let kwd = Currency(code: "KWD")!

    // MARK: parse

    @Test(arguments: [
        ("1234", Int64(123400)),
        ("1234.5", 123450),
        ("1234.50", 123450),
        ("-12.00", -1200),
        ("+12", 1200),
        ("12.340", 1234),
        ("12.3400000", 1234),
        ("0.05", 5),
        (".5", 50),
        ("7.", 700),
        ("0", 0),
        ("-0.01", -1),
        ("0001.10", 110),
        ("92233720368547758.07", Int64.max),
    ])
    func parsesCNY(text: String, minor: Int64) {
        #expect(Money.parse(text, currency: .cny) == .success(Money(minor: minor, currency: .cny)))
    }

    @Test(arguments: [
        ("12.345", Money.ParseError.tooManyDecimals(allowed: 2)),
        ("12.3405", .tooManyDecimals(allowed: 2)),
        ("0.001", .tooManyDecimals(allowed: 2)),
        ("abc", .notAnAmount),
        ("", .notAnAmount),
        ("-", .notAnAmount),
        (".", .notAnAmount),
        ("1.2.3", .notAnAmount),
        ("1,234.50", .notAnAmount),
        ("¥100", .notAnAmount),
        ("100 ", .notAnAmount),
        ("1e3", .notAnAmount),
        ("--1", .notAnAmount),
        ("99999999999999999999", .tooLarge),
        ("92233720368547758.08", .tooLarge),
        // Fits as a count of yuan, not as a count of fen.
        ("922337203685477580", .tooLarge),
        ("-92233720368547758.09", .tooLarge),
    ])
    func rejectsCNY(text: String, error: Money.ParseError) {
        #expect(Money.parse(text, currency: .cny) == .failure(error))
    }

    // Was 3,072.43: the rate × days ÷ 365 was rounded to 12 places before the balance was
    // multiplied. Exactly, 87,271.50 × 5% × 257 ÷ 365 is 3,072.435: half away from zero, .44.
    @Test func scaledIsExactThenRoundedOnce() throws {
        let balance = Money(minor: 8_727_150, currency: .cny)
        let rateForDays = try #require(Decimal64(parsing: "0.05")?.multiplied(by: Decimal64(257)))
        #expect(balance.scaled(by: rateForDays, over: 365)?.minor == 307_244)
        #expect(Money(minor: -8_727_150, currency: .cny).scaled(by: rateForDays, over: 365)?.minor == -307_244)
        #expect(Money(minor: 45_000_00, currency: .cny).scaled(by: Decimal64(significand: 15, scale: 3))?.minor == 675_00)
        // 0.5 fen rounds away from zero; below it, down.
        #expect(Money(minor: 1, currency: .cny).scaled(by: Decimal64(significand: 5, scale: 1))?.minor == 1)
        #expect(Money(minor: 1, currency: .cny).scaled(by: Decimal64(significand: 49, scale: 2))?.minor == 0)
        #expect(Money(minor: .max, currency: .cny).scaled(by: Decimal64(2)) == nil)
        #expect(Money(minor: .max, currency: .cny).scaled(by: Decimal64(Int64.max), over: 365) == nil)
    }

    @Test func parsesJPYWithoutDecimals() {
        #expect(Money.parse("1234", currency: Self.jpy) == .success(Money(minor: 1234, currency: Self.jpy)))
        #expect(Money.parse("1234.0", currency: Self.jpy) == .success(Money(minor: 1234, currency: Self.jpy)))
        #expect(Money.parse("-5", currency: Self.jpy) == .success(Money(minor: -5, currency: Self.jpy)))
        #expect(Money.parse("1234.5", currency: Self.jpy) == .failure(.tooManyDecimals(allowed: 0)))
        #expect(Money.parse("9223372036854775807", currency: Self.jpy).map(\.minor) == .success(Int64.max))
        #expect(Money.parse("9223372036854775808", currency: Self.jpy) == .failure(.tooLarge))
    }

    @Test func parsesKWDWithThreeDecimals() {
        #expect(Money.parse("1.5", currency: Self.kwd) == .success(Money(minor: 1500, currency: Self.kwd)))
        #expect(Money.parse("1.234", currency: Self.kwd) == .success(Money(minor: 1234, currency: Self.kwd)))
        #expect(Money.parse("1.2345", currency: Self.kwd) == .failure(.tooManyDecimals(allowed: 3)))
    }

    @Test func parseAcceptsSubstrings() {
        let line = "amount=12.5;"
        let value = line.split(separator: "=")[1].dropLast()
        #expect(Money.parse(value, currency: .usd) == .success(Money(minor: 1250, currency: .usd)))
    }

    /// The quick reading agrees with the careful one on every text of the common shape, and
    /// leaves every other text to it: random texts of digits, points, signs and spaces.
    @Test(arguments: [0, 2, 3])
    func quickReadingAgreesWithTheCarefulOne(minorUnit: Int) {
        let currency = [Self.jpy, .cny, Self.kwd][[0, 2, 3].firstIndex(of: minorUnit) ?? 0]
        var random = SplitMix64(seed: UInt64(minorUnit))
        let alphabet = Array("0123456789..-+ x".utf8)
        var quick = 0
        for _ in 0..<20_000 {
            let length = Int(random.next() % 18)
            let text = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let point = text.firstIndex(of: UInt8(ascii: "."))
            let digits = text.filter { (48...57).contains($0) }.count
            let decimals = point.map { text.count - $0 - 1 } ?? 0
            let common = text.count <= 15 && digits > 0 && digits + (point == nil ? 0 : 1) == text.count && decimals <= minorUnit
            let got = text.withUnsafeBufferPointer { Money.plain($0, minorUnit: minorUnit) }
            let careful = text.withUnsafeBufferPointer { Money.careful($0, currency: currency) }
            let shown = String(decoding: text, as: UTF8.self)
            if common {
                quick += 1
                #expect(got != nil && careful == .success(Money(minor: got ?? -1, currency: currency)), "\(shown)")
            } else {
                #expect(got == nil, "\(shown)")
            }
        }
        // Enough texts of each kind to mean something.
        #expect(quick > 1000)
    }

    // MARK: formatting

    @Test(arguments: [
        (Int64(123450), "1,234.50", "1234.50"),
        (-123450, "-1,234.50", "-1234.50"),
        (5, "0.05", "0.05"),
        (-5, "-0.05", "-0.05"),
        (0, "0.00", "0.00"),
        (99, "0.99", "0.99"),
        (100, "1.00", "1.00"),
        (99999, "999.99", "999.99"),
        (100000, "1,000.00", "1000.00"),
        (123456789012, "1,234,567,890.12", "1234567890.12"),
        (-100000000, "-1,000,000.00", "-1000000.00"),
        (Int64.max, "92,233,720,368,547,758.07", "92233720368547758.07"),
        (Int64.min, "-92,233,720,368,547,758.08", "-92233720368547758.08"),
    ])
    func formatsCNY(minor: Int64, grouped: String, plain: String) {
        let m = Money(minor: minor, currency: .cny)
        #expect(m.formatted(grouped: true) == grouped)
        #expect(m.formatted(grouped: false) == plain)
        #expect(m.description == plain)
    }

    @Test func formatsOtherMinorUnits() {
        #expect(Money(minor: 1234567, currency: Self.jpy).formatted(grouped: true) == "1,234,567")
        #expect(Money(minor: -1234, currency: Self.jpy).formatted(grouped: true) == "-1,234")
        #expect(Money(minor: 0, currency: Self.jpy).description == "0")
        #expect(Money(minor: 1234567, currency: Self.kwd).formatted(grouped: true) == "1,234.567")
        #expect(Money(minor: 5, currency: Self.kwd).description == "0.005")
    }

    @Test func decimalValue() {
        #expect(Money(minor: 123450, currency: .cny).decimal.description == "1234.5")
        #expect(Money(minor: 123450, currency: .cny).decimal == Decimal64(significand: 12345, scale: 1))
        #expect(Money(minor: -5, currency: .cny).decimal.description == "-0.05")
        #expect(Money(minor: 1234, currency: Self.jpy).decimal == Decimal64(1234))
    }

    // MARK: from a decimal

    @Test(arguments: [
        ("1.005", Int64(101)),
        ("-1.005", -101),
        ("1.004", 100),
        ("-1.004", -100),
        ("2.5", 250),
        ("0.125", 13),
        ("-0.125", -13),
        ("0.0049", 0),
        ("1234", 123400),
    ])
    func fromDecimalRoundsHalfAwayFromZero(amount: String, minor: Int64) throws {
        let m = Money(try dec(amount), currency: .cny)
        #expect(m == Money(minor: minor, currency: .cny))
    }

    @Test func fromDecimalInJPYAndOverflow() throws {
        #expect(Money(try dec("12.5"), currency: Self.jpy)?.minor == 13)
        #expect(Money(try dec("-12.5"), currency: Self.jpy)?.minor == -13)
        #expect(Money(try dec("12.49"), currency: Self.jpy)?.minor == 12)
        // Int64.max yuan is not a count of fen.
        #expect(Money(Decimal64(Int64.max), currency: .cny) == nil)
        #expect(Money(Decimal64(Int64.max), currency: Self.jpy)?.minor == Int64.max)
    }

    @Test func equalityIncludesCurrency() {
        #expect(Money(minor: 100, currency: .cny) != Money(minor: 100, currency: .usd))
        #expect(Money(minor: 100, currency: .cny) == Money(minor: 100, currency: Currency(code: "CNY")!))
    }
}
