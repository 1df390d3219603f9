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

    /// The most days overdue in the bucket; nil for the last, which has no end.
    public var upperDays: Int64? {
        switch self {
        case .current: 0
        case .days1to30: 30
        case .days31to60: 60
        case .days61to90: 90
        case .over90: nil
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

/// Aging bands of one's own edges (`[30, 60, 90, 120]`): `current` until due, then `1-30`,
/// `31-60`, …, `91-120`, `120+` days overdue, upper limits inclusive, as the standard buckets
/// (`AgingBucket`, the bands of `[30, 60, 90]`) are.
public struct AgingBands: Sendable, Equatable {
    /// Ascending whole days, each more than 0.
    public let edges: [Int64]

    /// Nil unless the edges are whole days above 0, ascending.
    public init?(edges: [Decimal64]) {
        var whole: [Int64] = []
        for e in edges {
            guard let d = e.integerValue, d > (whole.last ?? 0) else { return nil }
            whole.append(d)
        }
        guard !whole.isEmpty else { return nil }
        self.edges = whole
    }

    /// Every band's label, from current to the oldest.
    public var labels: [String] {
        ["current"] + edges.indices.map { label(band: $0 + 1) } + [label(band: edges.count + 1)]
    }

    /// The label of the band `days` falls in.
    public func label(days: Decimal64) -> String {
        guard days > .zero else { return "current" }
        return label(band: (edges.firstIndex { days <= Decimal64($0) } ?? edges.count) + 1)
    }

    /// Band 1 is from 1 day to the first edge; band `edges.count + 1` is past the last.
    private func label(band k: Int) -> String {
        guard k <= edges.count else { return "\(edges[edges.count - 1])+" }
        return "\(k == 1 ? 1 : edges[k - 2] + 1)-\(edges[k - 1])"
    }

    /// What an error says edges must be.
    public static let rule = "the edges are whole days above 0, ascending: [30, 60, 90, 120]"
}
