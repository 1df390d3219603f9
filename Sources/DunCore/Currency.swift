// Currency: ISO 4217 codes with their minor units.

/// A currency known to Dun, identified by its ISO 4217 code.
///
/// Stored as a small index into a fixed table, so `Money` stays a plain value.
public struct Currency: Sendable, Hashable, CustomStringConvertible {
    let index: UInt8

    /// ISO 4217 code, minor-unit digits, and the symbol a literal may use.
    private static let table: [(code: String, minorUnit: Int, symbol: String?)] = [
        ("CNY", 2, "¥"), ("USD", 2, "$"), ("EUR", 2, "€"), ("GBP", 2, "£"),
        ("HKD", 2, nil), ("TWD", 2, nil), ("MOP", 2, nil), ("JPY", 0, nil),
        ("KRW", 0, nil), ("SGD", 2, nil), ("MYR", 2, nil), ("THB", 2, nil),
        ("VND", 0, nil), ("IDR", 2, nil), ("PHP", 2, nil), ("INR", 2, nil),
        ("AUD", 2, nil), ("NZD", 2, nil), ("CAD", 2, nil), ("CHF", 2, nil),
        ("SEK", 2, nil), ("NOK", 2, nil), ("DKK", 2, nil), ("PLN", 2, nil),
        ("CZK", 2, nil), ("HUF", 2, nil), ("RUB", 2, nil), ("TRY", 2, nil),
        ("AED", 2, nil), ("SAR", 2, nil), ("ILS", 2, nil), ("ZAR", 2, nil),
        ("BRL", 2, nil), ("MXN", 2, nil), ("CLP", 0, nil), ("ARS", 2, nil),
        ("KWD", 3, nil), ("BHD", 3, nil),
    ]

    public static let cny = Currency(index: 0)
    public static let usd = Currency(index: 1)
    public static let eur = Currency(index: 2)
    public static let gbp = Currency(index: 3)

    /// The currency with this ISO code (upper case), if Dun knows it.
    public init?(code: some StringProtocol) {
        guard let i = Currency.byCode[String(code)] else { return nil }
        index = i
    }

    private static let byCode: [String: UInt8] = Dictionary(
        uniqueKeysWithValues: table.enumerated().map { ($0.element.code, UInt8($0.offset)) })

    private init(index: UInt8) {
        self.index = index
    }

    /// The currency a literal symbol stands for: `¥` and `￥` are CNY.
    public init?(symbol: Character) {
        switch symbol {
        case "¥", "￥": self = .cny
        case "$": self = .usd
        case "€": self = .eur
        case "£": self = .gbp
        default: return nil
        }
    }

    public var code: String { Currency.table[Int(index)].code }

    /// Whether `bytes` spell this currency's code exactly (the common case of a file's
    /// currency column, checked without making a string).
    public func isCode(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count == 3 && UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 == Currency.codes[Int(index)]
    }

    /// Each code's three letters in one number, the first in the lowest byte.
    private static let codes: [UInt32] = table.map { $0.code.utf8.reversed().reduce(0) { $0 << 8 | UInt32($1) } }
    /// Digits after the decimal point: 2 for CNY, 0 for JPY.
    public var minorUnit: Int { Currency.table[Int(index)].minorUnit }
    public var description: String { code }

    /// Every code Dun knows, for hints.
    public static var knownCodes: [String] { table.map(\.code) }
}
