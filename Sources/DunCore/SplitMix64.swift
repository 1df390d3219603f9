// SplitMix64: a seeded generator of numbers, the same on every platform, for generated
// workspaces and seeded tests (never for anything a user's run depends on).

/// SplitMix64: small, fast, and the same everywhere (no system randomness).
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n`; 0 when `n` is not positive.
    public mutating func below(_ n: Int) -> Int {
        n > 0 ? Int(next() % UInt64(n)) : 0
    }

    public mutating func pick<T>(_ items: [T]) -> T {
        items[below(items.count)]
    }
}
