import Testing

@testable import DunCore

/// Parses a decimal the test relies on; records an issue (and stops the test) if it does not parse.
func dec(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Decimal64 {
    try #require(Decimal64(parsing: text[...]), "'\(text)' should parse", sourceLocation: sourceLocation)
}

@Suite("Decimal64")
struct Decimal64Tests {

    // MARK: parsing

    @Test(
        arguments: [
            ("123", 123, 0, "123"),
            ("-4.50", -45, 1, "-4.5"),
            ("0.125", 125, 3, "0.125"),
            ("+7", 7, 0, "7"),
            ("007.100", 71, 1, "7.1"),
            ("0.000", 0, 0, "0"),
            ("-0", 0, 0, "0"),
            ("9223372036854775807", Int64.max, 0, "9223372036854775807"),
            ("0.000000000000000001", 1, 18, "0.000000000000000001"),
        ] as [(String, Int64, Int8, String)])
    func parses(text: String, significand: Int64, scale: Int8, description: String) {
        let d = Decimal64(parsing: text[...])
        #expect(d?.significand == significand)
        #expect(d?.scale == scale)
        #expect(d?.description == description)
    }

    @Test(arguments: [
        "1.2.3", "abc", "", "-", "+", ".", "1e5", "1,000", " 1", "1 ", "--1", "12a",
        // 20 digits: more than an Int64 holds
        "12345678901234567890",
        "9223372036854775808",
        // 19 places: more than the maximum scale
        "0.0000000000000000001",
    ])
    func rejects(text: String) {
        #expect(Decimal64(parsing: text[...]) == nil)
    }

    @Test func parsesASubstringOfALargerText() throws {
        let text = "x=12.50;"
        let start = text.index(text.startIndex, offsetBy: 2)
        let end = text.index(before: text.endIndex)
        #expect(Decimal64(parsing: text[start..<end])?.description == "12.5")
    }

    // MARK: canonical form

    @Test func trailingZerosDoNotMatter() throws {
        let a = try dec("1.50")
        let b = try dec("1.5")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b, try dec("1.500000")]).count == 1)
        #expect(Decimal64(significand: 1500, scale: 3) == b)
        #expect(Decimal64(significand: 1500, scale: 3).significand == 15)
        #expect(Decimal64(significand: 1500, scale: 3).scale == 1)
        // Trailing zeros of an integer stay: scale never goes below 0.
        #expect(Decimal64(significand: 1500, scale: 0).significand == 1500)
        #expect(Decimal64(significand: 0, scale: 5) == Decimal64.zero)
        #expect(Decimal64(significand: 0, scale: 5).scale == 0)
        #expect(Decimal64(12) == (try dec("12.000")))
        #expect(Decimal64(Int64(12)).integerValue == 12)
        #expect((try dec("12.5")).integerValue == nil)
        #expect((try dec("12.0")).integerValue == 12)
    }

    @Test func isNegative() throws {
        #expect(try dec("-0.01").isNegative)
        #expect(!(try dec("0")).isNegative)
        #expect(!(try dec("-0")).isNegative)
        #expect(!(try dec("3")).isNegative)
    }

    // MARK: add, subtract, multiply

    @Test(arguments: [
        ("0.1", "0.2", "0.3"),
        ("1.5", "2.5", "4"),
        ("1", "0.001", "1.001"),
        ("-1.25", "1.25", "0"),
        ("-3", "1.75", "-1.25"),
        ("99.99", "0.01", "100"),
    ])
    func adds(a: String, b: String, sum: String) throws {
        let r = try dec(a).adding(try dec(b))
        #expect(r == (try dec(sum)))
        #expect(r?.description == sum)
        // Commutative.
        #expect(try dec(b).adding(try dec(a)) == r)
    }

    @Test(arguments: [
        ("0.3", "0.1", "0.2"),
        ("1", "0.001", "0.999"),
        ("1.5", "2.75", "-1.25"),
        ("-1", "-1", "0"),
        ("100", "0.01", "99.99"),
    ])
    func subtracts(a: String, b: String, difference: String) throws {
        #expect(try dec(a).subtracting(try dec(b))?.description == difference)
    }

    @Test(arguments: [
        ("1.5", "1.5", "2.25"),
        ("0.1", "0.1", "0.01"),
        ("-2.5", "4", "-10"),
        ("-0.5", "-0.5", "0.25"),
        ("123456.789", "1000", "123456789"),
        ("0", "-7.25", "0"),
        ("0.000000001", "0.000000001", "0.000000000000000001"),
    ])
    func multiplies(a: String, b: String, product: String) throws {
        let r = try dec(a).multiplied(by: try dec(b))
        #expect(r?.description == product)
        #expect(try dec(b).multiplied(by: try dec(a)) == r)
    }

    @Test func overflowIsNil() throws {
        let max = Decimal64(Int64.max)
        let min = Decimal64(Int64.min)
        #expect(max.adding(Decimal64(1)) == nil)
        #expect(min.subtracting(Decimal64(1)) == nil)
        #expect(min.adding(Decimal64(-1)) == nil)
        #expect(max.subtracting(Decimal64(-1)) == nil)
        #expect(Decimal64(1).subtracting(min) == nil)  // -Int64.min does not exist
        #expect(min.negated() == nil)
        #expect(max.multiplied(by: Decimal64(2)) == nil)
        #expect(max.multiplied(by: max) == nil)
        #expect(min.multiplied(by: Decimal64(-1)) == nil)
        // Overflow across scales: aligning 0.5 needs a digit more than Int64.max has.
        #expect(max.adding(try dec("0.5")) == nil)
        // Addition is exact: a sum that would need a 20th digit is nil, not rounded.
        #expect(Decimal64(Int64.max - 1).adding(try dec("0.5")) == nil)
        #expect(Decimal64(Int64.max - 1).subtracting(try dec("-0.5")) == nil)
        #expect(try dec("922337203685477580.6").adding(try dec("0.01")) == nil)
        #expect(try dec("922337203685477580.6").adding(try dec("0.1"))?.description == "922337203685477580.7")
        // Right at the edge still works.
        #expect(max.adding(Decimal64(0)) == max)
        #expect(Decimal64(Int64.max - 1).adding(Decimal64(1)) == max)
        #expect(min.adding(Decimal64(0)) == min)
        #expect(max.negated()?.significand == -Int64.max)
    }

    // MARK: division

    @Test(arguments: [
        ("1", "3", "0.333333"),
        ("2", "3", "0.666667"),
        ("-2", "3", "-0.666667"),
        ("2", "-3", "-0.666667"),
        ("-2", "-3", "0.666667"),
        ("1", "8", "0.125"),
        ("10", "4", "2.5"),
        ("6", "3", "2"),
        ("0", "7", "0"),
        // Half away from zero at the 7th place: 0.0000005 rounds to 0.000001.
        ("1", "2000000", "0.000001"),
        ("-1", "2000000", "-0.000001"),
        // Just under half rounds toward zero.
        ("1", "2000001", "0"),
        // An operand with more places keeps them.
        ("0.00000001", "1", "0.00000001"),
        ("1", "0.0000003", "3333333.3333333"),
        ("7.5", "0.5", "15"),
    ])
    func divides(a: String, b: String, quotient: String) throws {
        #expect(try dec(a).divided(by: try dec(b))?.description == quotient)
    }

    @Test func divisionScaleIsSix() {
        #expect(Decimal64.divisionScale == 6)
        #expect(Decimal64.maxScale == 18)
    }

    @Test(arguments: [
        ("1", "3", 2, "0.33"),
        ("2", "3", 2, "0.67"),
        ("2", "3", 0, "1"),
        ("-2", "3", 0, "-1"),
        ("1", "3", 10, "0.3333333333"),
        ("1", "3", 18, "0.333333333333333333"),
        // Clamped to 18 places.
        ("1", "3", 40, "0.333333333333333333"),
        // Clamped to 0 places.
        ("5", "2", -3, "3"),
        ("-5", "2", -3, "-3"),
        ("1.23456789", "1", 4, "1.2346"),
        ("1", "8", 2, "0.13"),
        ("-1", "8", 2, "-0.13"),
    ])
    func dividesToPlaces(a: String, b: String, places: Int, quotient: String) throws {
        #expect(try dec(a).divided(by: try dec(b), places: places)?.description == quotient)
    }

    @Test func divisionByZeroIsNil() throws {
        #expect(Decimal64(1).divided(by: .zero) == nil)
        #expect(Decimal64(0).divided(by: .zero) == nil)
        #expect(try dec("-2.5").divided(by: try dec("0.000"), places: 2) == nil)
    }

    @Test func divisionOverflowIsNil() throws {
        #expect(Decimal64(Int64.max).divided(by: try dec("0.5")) == nil)
        #expect(Decimal64(Int64.max).divided(by: try dec("0.000000000000000001")) == nil)
        // Large but representable once the places are given up.
        #expect(Decimal64(Int64.max).divided(by: Decimal64(1))?.description == "9223372036854775807")
        // 4611686018427387903.5 needs 20 digits: the place is given up, rounding half away from zero.
        #expect(Decimal64(Int64.max).divided(by: Decimal64(2))?.description == "4611686018427387904")
    }

    // MARK: rounding

    @Test(arguments: [
        ("1.25", 1, "1.3"),
        ("1.24", 1, "1.2"),
        ("-1.25", 1, "-1.3"),
        ("-1.24", 1, "-1.2"),
        ("2.5", 0, "3"),
        ("-2.5", 0, "-3"),
        ("0.5", 0, "1"),
        ("-0.5", 0, "-1"),
        ("0.4999", 0, "0"),
        ("-0.4999", 0, "0"),
        ("0.99", 1, "1"),
        ("9.995", 2, "10"),
        ("-9.995", 2, "-10"),
        ("1.2345", 3, "1.235"),
        // Fewer places than asked: unchanged.
        ("1.5", 4, "1.5"),
        ("7", 2, "7"),
        // Negative places count as 0.
        ("1.5", -1, "2"),
    ])
    func roundsHalfAwayFromZero(value: String, places: Int, result: String) throws {
        #expect(try dec(value).rounded(toScale: places).description == result)
    }

    @Test func roundingExtremes() {
        let tiny = Decimal64(significand: Int64.max, scale: 18)  // 9.223372036854775807
        #expect(tiny.rounded(toScale: 0).description == "9")
        #expect(tiny.rounded(toScale: 2).description == "9.22")
        let negative = Decimal64(significand: Int64.min, scale: 18)
        #expect(negative.rounded(toScale: 3).description == "-9.223")
    }

    // MARK: significand at a scale

    @Test func significandAtScale() throws {
        #expect(try dec("1.5").significand(atScale: 2) == 150)
        #expect(try dec("1.5").significand(atScale: 1) == 15)
        #expect(try dec("1.5").significand(atScale: 0) == nil)  // would lose the .5
        #expect(try dec("-1.25").significand(atScale: 4) == -12500)
        #expect(Decimal64(2).significand(atScale: 3) == 2000)
        #expect(Decimal64(2).significand(atScale: -1) == nil)
        #expect(Decimal64.zero.significand(atScale: 18) == 0)
        #expect(Decimal64(Int64.max).significand(atScale: 1) == nil)  // overflow
        #expect(Decimal64(Int64.max / 10).significand(atScale: 1) == Int64.max / 10 * 10)
        #expect(Decimal64(1).significand(atScale: 40) == nil)
        #expect(Decimal64(0).significand(atScale: 40) == 0)
    }

    // MARK: comparison

    @Test func comparesAcrossScales() throws {
        #expect(try dec("1.5") < (try dec("1.55")))
        #expect(try dec("1.55") > (try dec("1.5")))
        #expect(try dec("-1.5") < (try dec("-1.49")))
        #expect(try dec("2") > (try dec("1.999999")))
        #expect(try dec("0.1") < Decimal64(1))
        #expect(!(try dec("1.50") < (try dec("1.5"))))
        #expect(!(try dec("1.5") < (try dec("1.50"))))
        #expect(Decimal64(Int64.min) < Decimal64(significand: Int64.min, scale: 18))
        #expect(Decimal64(significand: Int64.max, scale: 18) < Decimal64(Int64.max))
        let sorted = try ["3", "-1.5", "0.25", "-1.25", "0.3"].map { try dec($0) }.sorted()
        #expect(sorted.map(\.description) == ["-1.5", "-1.25", "0.25", "0.3", "3"])
        #expect([try dec("2.5"), Decimal64(2), try dec("2.05")].max()?.description == "2.5")
    }

    // MARK: description and digits

    @Test(
        arguments: [
            (Int64(0), Int8(0), "0"),
            (5, 2, "0.05"),
            (-5, 2, "-0.05"),
            (-45, 1, "-4.5"),
            (123456789, 3, "123456.789"),
            (1, 18, "0.000000000000000001"),
            (Int64.min, 0, "-9223372036854775808"),
            (Int64.min, 18, "-9.223372036854775808"),
        ] as [(Int64, Int8, String)])
    func description(significand: Int64, scale: Int8, text: String) {
        #expect(Decimal64(significand: significand, scale: scale).description == text)
    }

    @Test(
        arguments: [
            (Int64(0), 2, "0.00"),
            (123456789, 2, "1,234,567.89"),
            (-123456789, 2, "-1,234,567.89"),
            (100000, 0, "100,000"),
            (999, 0, "999"),
            (1000, 0, "1,000"),
            (-1000, 3, "-1.000"),
            (12, 3, "0.012"),
            (-5, 2, "-0.05"),
            (Int64.min, 0, "-9,223,372,036,854,775,808"),
            (Int64.max, 2, "92,233,720,368,547,758.07"),
            (Int64.min, 18, "-9.223372036854775808"),
            (1, 18, "0.000000000000000001"),
            (-123456, 3, "-123.456"),
        ] as [(Int64, Int, String)])
    func groupedDigits(value: Int64, scale: Int, text: String) {
        #expect(Decimal64.digits(value, scale: scale, grouped: true) == text)
        #expect(Decimal64.digits(value, scale: scale, grouped: false) == String(text.filter { $0 != "," }))
    }
}
