// Text helpers of every phase: the "did you mean …?", and trimming.

/// The candidate closest to `name` by edit distance, when it is close enough to be
/// a plausible typo (an exact match ignoring case always is).
public func nearestName(to name: String, in candidates: some Sequence<String>) -> String? {
    // No name is this long: a longer text is some other mistake, and comparing it with every
    // candidate would take time in proportion to its length.
    guard name.utf8.count <= 256 else { return nil }
    let target = Array(name.lowercased())
    // No candidate further than this is accepted (below), and the lengths alone tell that.
    let most = max(1, target.count / 3)
    var best: (String, Int)?
    for candidate in candidates {
        let c = Array(candidate.lowercased())
        guard abs(c.count - target.count) <= most else { continue }
        let d = editDistance(target, c)
        if let current = best, current.1 <= d { continue }
        best = (candidate, d)
    }
    guard let (found, distance) = best else { return nil }
    let allowed = max(1, min(target.count, found.count) / 3)
    return distance <= allowed ? found : nil
}

/// A value as a message quotes it: whole when short (`'C042'`); a long one cut to its first
/// `limit` characters, marked, with its length (`'INV-AAAA…' (65536 bytes)`), so that one bad
/// field can neither flood the terminal nor make its error slow to build.
public func excerpt(_ value: some StringProtocol, limit: Int = 40) -> String {
    let head = value.prefix(limit)
    guard head.endIndex < value.endIndex else { return "'\(value)'" }
    return "'\(head)…' (\(value.utf8.count) bytes)"
}

/// The same for UTF-8 bytes, of which only the first few are decoded.
public func excerpt<Bytes: Collection<UInt8>>(utf8 bytes: Bytes, limit: Int = 40) -> String {
    let decoded = bytes.prefix(limit * 4 + 4)
    let head = String(decoding: decoded, as: UTF8.self)
    guard decoded.endIndex < bytes.endIndex else { return excerpt(head, limit: limit) }
    return "'\(head.prefix(limit))…' (\(bytes.count) bytes)"
}

/// Levenshtein distance with adjacent transpositions counting one.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                current[j] = min(current[j], previous2[j - 2] + 1)
            }
        }
        (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
}

extension StringProtocol {
    /// Without leading and trailing white space as Foundation's `CharacterSet.whitespaces` has
    /// it (tabs, every space separator — U+0020, U+00A0, the ideographic U+3000 … — and the
    /// zero-width space), but without its cost: the outbox trims every address and subject of
    /// a night's reminders.
    public func trimmingWhitespace() -> String {
        let isSpace: (Unicode.Scalar) -> Bool = {
            $0 == "\t" || $0 == "\u{200B}" || $0.properties.generalCategory == .spaceSeparator
        }
        let text = String(self)
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        // There is one that is not a space: the last index is found.
        let last = scalars.lastIndex(where: { !isSpace($0) }) ?? first
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    /// Without leading and trailing spaces and tabs.
    public func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether these bytes are exactly `literal`'s, compared as bytes, where `elementsEqual`
    /// goes through generic code and an array of bytes is a global to look up (both showed
    /// in the profile of a load: a flag on every row).
    @inlinable
    public func equals(_ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        let other = literal.utf8Start
        for i in 0..<count where self[i] != other[i] { return false }
        return true
    }
}
