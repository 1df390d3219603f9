import Testing

@testable import DunCore

@Suite("Currency")
struct CurrencyTests {
    @Test(arguments: [
        ("CNY", 2), ("USD", 2), ("EUR", 2), ("GBP", 2), ("HKD", 2), ("JPY", 0), ("KRW", 0),
        ("VND", 0), ("CLP", 0), ("KWD", 3), ("BHD", 3), ("CHF", 2),
    ])
    func knownCodes(code: String, minorUnit: Int) throws {
        let c = try #require(Currency(code: code))
        #expect(c.code == code)
        #expect(c.description == code)
        #expect(c.minorUnit == minorUnit)
    }

    @Test(arguments: ["XYZ", "", "cny", "Usd", "RMB", "CNY ", "CN"])
    func unknownCodes(code: String) {
        #expect(Currency(code: code) == nil)
    }

    @Test(arguments: ["CNY", "USD", "KWD", "JPY"])
    func bytesSpellOnlyTheirOwnCode(code: String) throws {
        let currency = try #require(Currency(code: code))
        func spells(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBufferPointer { currency.isCode($0) }
        }
        #expect(spells(code))
        for other in ["CNY", "USD", "KWD", "JPY"] where other != code { #expect(!spells(other)) }
        #expect(!spells(code.lowercased()))
        #expect(!spells(String(code.dropLast())))
        #expect(!spells(code + "X"))
        #expect(!spells(String(code.reversed())))
        #expect(!spells(""))
    }

    @Test func namedConstants() {
        #expect(Currency.cny.code == "CNY")
        #expect(Currency.usd.code == "USD")
        #expect(Currency.eur.code == "EUR")
        #expect(Currency.gbp.code == "GBP")
        #expect(Currency(code: "CNY") == .cny)
        #expect(Currency(code: "USD") != .cny)
        #expect(Currency(code: "USD"[...]) == .usd)
    }

    @Test(arguments: [
        (Character("¥"), "CNY"), ("￥", "CNY"), ("$", "USD"), ("€", "EUR"), ("£", "GBP"),
    ])
    func symbols(symbol: Character, code: String) {
        #expect(Currency(symbol: symbol)?.code == code)
    }

    @Test(arguments: [Character("A"), "#", "₩", "円", "元"])
    func unknownSymbols(symbol: Character) {
        #expect(Currency(symbol: symbol) == nil)
    }

    @Test func knownCodesList() {
        let codes = Currency.knownCodes
        #expect(codes.count == 38)
        #expect(Array(codes.prefix(4)) == ["CNY", "USD", "EUR", "GBP"])
        #expect(Set(codes).count == codes.count)
        for code in codes {
            #expect(Currency(code: code)?.code == code)
        }
    }
}
