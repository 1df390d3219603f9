// Text encoding checks: the loader accepts UTF-8 only, and says so kindly.

/// The offset of the first byte in `range` that is not valid UTF-8, or `nil` if all are.
/// `range` must start and end between characters (at a line break, say).
func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> Int? {
    guard let base = bytes.baseAddress else { return nil }
    let raw = UnsafeRawPointer(base)
    var i = range.lowerBound
    let n = range.upperBound
    while i < n {
        // Eight ASCII bytes at a time: the common case by far. The pointer is not looked at
        // again for each, and nothing can overflow (this loop was half the time of a check).
        while i &+ 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            i &+= 8
        }
        guard i < n else { break }
        let b = bytes[i]
        if b < 0x80 {
            i += 1
            continue
        }
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
        default: return i
        }
        guard i + length <= n, second.contains(bytes[i + 1]) else { return i }
        for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
        i += length
    }
    return nil
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

/// How many line feeds, carriage returns and quotes there are.
func countBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> (lineFeeds: Int, carriageReturns: Int, quotes: Int) {
    var counts = (lineFeeds: 0, carriageReturns: 0, quotes: 0)
    forEachWord(bytes) { word in
        // LF, CR and `"` are below 0x23; most words have no such byte, and one test skips them.
        guard (word &- 0x2323_2323_2323_2323) & ~word & 0x8080_8080_8080_8080 != 0 else { return }
        counts.lineFeeds += matches(word, 0x0A0A_0A0A_0A0A_0A0A)
        counts.carriageReturns += matches(word, 0x0D0D_0D0D_0D0D_0D0D)
        counts.quotes += matches(word, 0x2222_2222_2222_2222)
    }
    return counts
}

/// The bytes eight at a time, the last few padded with zeros.
private func forEachWord(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UInt64) -> Void) {
    guard let base = bytes.baseAddress else { return }
    let raw = UnsafeRawPointer(base)
    var i = 0
    while i &+ 8 <= bytes.count {
        body(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        i &+= 8
    }
    var last: UInt64 = 0
    for k in 0..<(bytes.count - i) { last |= UInt64(bytes[i + k]) << (8 * k) }
    if i < bytes.count { body(last) }
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
