// Grade and AgingBucket: the two ordered labels of receivables.

/// A customer's credit grade, `A` (best) to `E` (worst).
///
/// Ordered by quality: `A > B > … > E`, so `grade < B` means *worse than B*.
public enum Grade: UInt8, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case a = 1, b, c, d, e

    /// The grade of an ASCII letter, either case.
    public init?(letter byte: UInt8) {
        switch byte | 0x20 {
        case UInt8(ascii: "a"): self = .a
        case UInt8(ascii: "b"): self = .b
        case UInt8(ascii: "c"): self = .c
        case UInt8(ascii: "d"): self = .d
        case UInt8(ascii: "e"): self = .e
        default: return nil
        }
    }

    public init?(letter: some StringProtocol) {
        switch letter {
        case "A", "a": self = .a
        case "B", "b": self = .b
        case "C", "c": self = .c
        case "D", "d": self = .d
        case "E", "e": self = .e
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .a: "A"
        case .b: "B"
        case .c: "C"
        case .d: "D"
        case .e: "E"
        }
    }

    /// Better grades are greater.
    public static func < (x: Grade, y: Grade) -> Bool { x.rawValue > y.rawValue }
}

/// The aging bucket of an open invoice: `current` until due, then `1-30`, `31-60`,
/// `61-90`, `90+` days overdue (upper limits inclusive). Ordered from current to oldest.
public enum AgingBucket: UInt8, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case current, days1to30, days31to60, days61to90, over90

    public init(daysOverdue: Int64) {
        switch daysOverdue {
        case ...0: self = .current
        case 1...30: self = .days1to30
        case 31...60: self = .days31to60
        case 61...90: self = .days61to90
        default: self = .over90
        }
    }

    public init?(name: some StringProtocol) {
        guard let b = AgingBucket.allCases.first(where: { $0.description == name }) else { return nil }
        self = b
    }

    public var description: String {
        switch self {
        case .current: "current"
        case .days1to30: "1-30"
        case .days31to60: "31-60"
        case .days61to90: "61-90"
        case .over90: "90+"
        }
    }

    public static func < (x: AgingBucket, y: AgingBucket) -> Bool { x.rawValue < y.rawValue }
}
