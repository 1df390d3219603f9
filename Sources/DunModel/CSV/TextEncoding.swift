// Text encoding checks: the loader accepts UTF-8 only, and says so kindly. Two things that are
// valid UTF-8 are refused with it, because they pass for something else: a NUL byte (nothing in
// an export means it, and it would reach the messages sent), and a byte order mark anywhere but
// at the very start (left where files saved with one were joined, it makes `\u{FEFF}C1` a
// customer beside `C1`).

/// The offset of the first byte in `range` that cannot be read (`unreadable`), or `nil` if
/// all can. `range` must start and end between characters (at a line break, say).
func firstUnreadable(_ bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> Int? {
    guard let base = bytes.baseAddress else { return nil }
    let raw = UnsafeRawPointer(base)
    var i = range.lowerBound
    let n = range.upperBound
    while i < n {
        // Eight ASCII bytes at a time, none of them NUL: the common case by far. The pointer is
        // not looked at again for each, and nothing can overflow (this loop was half the time of a check).
        while i &+ 8 <= n, case let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self),
            word & 0x8080_8080_8080_8080 == 0, !hasZeroByte(word)
        {
            i &+= 8
        }
        guard i < n else { break }
        guard let length = readableLength(bytes, at: i, before: n) else { return i }
        i += length
    }
    return nil
}

/// Why the byte at `bad` (found by `firstUnreadable`) cannot be read.
enum Unreadable {
    case nul, byteOrderMark, notUTF8

    init(_ bytes: UnsafeBufferPointer<UInt8>, at bad: Int) {
        if bytes[bad] == 0 {
            self = .nul
        } else if isByteOrderMark(bytes, at: bad) {
            self = .byteOrderMark
        } else {
            self = .notUTF8
        }
    }
}

/// Whether a byte of `word` is zero.
@inline(__always)
private func hasZeroByte(_ word: UInt64) -> Bool {
    (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0
}

@inline(__always)
private func isByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
    i + 2 < bytes.count && bytes[i] == 0xEF && bytes[i + 1] == 0xBB && bytes[i + 2] == 0xBF
}

/// The length of the character at `i` (`characterLength`), or `nil` when it cannot be read:
/// not UTF-8, a NUL, or a byte order mark after the file's start.
@inline(__always)
private func readableLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, before end: Int) -> Int? {
    let b = bytes[i]
    if b == 0 { return nil }
    if b == 0xEF && i > 0 && isByteOrderMark(bytes, at: i) { return nil }
    return characterLength(bytes, at: i, before: end)
}

/// How many bytes the character at `i` takes (1 for ASCII), or `nil` when it is not valid
/// UTF-8 or does not end by `end`.
@inline(__always)
private func characterLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, before end: Int) -> Int? {
    let b = bytes[i]
    if b < 0x80 { return 1 }
    // The second byte's range rules out overlong forms, surrogates and code points past
    // U+10FFFF (RFC 3629); the bytes after it are 80–BF.
    let length: Int
    var second: ClosedRange<UInt8> = 0x80...0xBF
    switch b {
    case 0xC2...0xDF: length = 2
    case 0xE0: length = 3; second = 0xA0...0xBF
    case 0xED: length = 3; second = 0x80...0x9F
    case 0xE1...0xEF: length = 3
    case 0xF0: length = 4; second = 0x90...0xBF
    case 0xF4: length = 4; second = 0x80...0x8F
    case 0xF1...0xF3: length = 4
    default: return nil
    }
    guard i + length <= end, second.contains(bytes[i + 1]) else { return nil }
    for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return nil }
    return length
}

/// Where the first character starting at or after `i` starts, when `i` may fall inside one:
/// past at most three bytes that continue a character (more cannot).
func characterStart(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
    var j = i
    while j < bytes.count && j < i + 3 && bytes[j] & 0xC0 == 0x80 { j += 1 }
    return j
}

/// Whether the bytes have the shape of GB18030 (or GBK) text with some Chinese in it:
/// one-byte ASCII, two-byte pairs 81–FE + 40–FE, four-byte 81–FE 30–39 81–FE 30–39.
func looksLikeGB18030(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    var multibyte = 0
    let n = bytes.count
    while i < n {
        let b = bytes[i]
        if b < 0x80 {
            i += 1
            continue
        }
        guard (0x81...0xFE).contains(b), i + 1 < n else { return false }
        let c = bytes[i + 1]
        if (0x40...0x7E).contains(c) || (0x80...0xFE).contains(c) {
            i += 2
        } else if (0x30...0x39).contains(c), i + 3 < n,
            (0x81...0xFE).contains(bytes[i + 2]), (0x30...0x39).contains(bytes[i + 3])
        {
            i += 4
        } else {
            return false
        }
        multibyte += 1
    }
    return multibyte > 0
}

/// How many line feeds, carriage returns and quotes `share` holds, and the first byte that
/// cannot be read (`firstUnreadable`) among the characters from `checked.lowerBound` (which starts one) up to
/// `checked.upperBound` (which ends one): one pass over the bytes for both, eight at a time.
/// The characters checked may start a little after the share, and end a little after it, so
/// that shares side by side check each character once.
func countAndCheck(_ bytes: UnsafeBufferPointer<UInt8>, _ share: Range<Int>, checking checked: Range<Int>) -> (
    lineFeeds: Int, carriageReturns: Int, quotes: Int, firstInvalid: Int?
) {
    var counts = (lineFeeds: 0, carriageReturns: 0, quotes: 0)
    func count(_ word: UInt64) {
        counts.lineFeeds += matches(word, 0x0A0A_0A0A_0A0A_0A0A)
        counts.carriageReturns += matches(word, 0x0D0D_0D0D_0D0D_0D0D)
        counts.quotes += matches(word, 0x2222_2222_2222_2222)
    }
    guard let base = bytes.baseAddress else { return (0, 0, 0, nil) }
    let raw = UnsafeRawPointer(base)
    // Characters before `next` are checked; none is bad so far.
    var next = checked.lowerBound
    var i = share.lowerBound
    while i &+ 8 <= share.upperBound {
        let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        // LF, CR, `"` and NUL are below 0x23; most words have no such byte, and one test skips them.
        let low = (word &- 0x2323_2323_2323_2323) & ~word & 0x8080_8080_8080_8080 != 0
        if low { count(word) }
        // A word of ASCII needs no check but for a NUL: the characters before it ended before it.
        if word & 0x8080_8080_8080_8080 == 0 {
            // Only the bytes of the characters this share checks.
            let from = max(i, checked.lowerBound)
            let to = min(i &+ 8, checked.upperBound)
            if low && hasZeroByte(word) && from < to, let nul = (from..<to).first(where: { bytes[$0] == 0 }) {
                return (counts.lineFeeds, counts.carriageReturns, counts.quotes, nul)
            }
        } else {
            next = max(next, i)
            while next < i &+ 8 && next < checked.upperBound {
                guard let length = readableLength(bytes, at: next, before: checked.upperBound) else {
                    return (counts.lineFeeds, counts.carriageReturns, counts.quotes, next)
                }
                next += length
            }
        }
        i &+= 8
    }
    // The last few bytes, zero-padded, and the characters after the last word of the share.
    if i < share.upperBound {
        var last: UInt64 = 0
        for k in 0..<(share.upperBound - i) { last |= UInt64(bytes[i + k]) << (8 * k) }
        count(last)
    }
    let bad = firstUnreadable(bytes, in: min(max(next, i), checked.upperBound)..<checked.upperBound)
    return (counts.lineFeeds, counts.carriageReturns, counts.quotes, bad)
}

/// How many bytes of `word` equal the byte repeated in `pattern` (which is not zero).
private func matches(_ word: UInt64, _ pattern: UInt64) -> Int {
    let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    // A byte of `x` is zero where the byte matched; mark each non-zero byte's top bit, keep
    // the others' as ones in the lowest bit, and add those up with one multiplication.
    let x = word ^ pattern
    let ones = (~(((x & low) &+ low) | x) & ~low) >> 7
    return Int((ones &* 0x0101_0101_0101_0101) >> 56)
}
