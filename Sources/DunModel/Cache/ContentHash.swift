// ContentHash: a fingerprint of a file's bytes, to notice any change to a CSV file.

import DunCore

/// A 64-bit hash of bytes, fast enough to run over every CSV file at every load (several
/// GB/s): four independent multiply-rotate lanes over 32 bytes at a time, as in the xxHash
/// family. Not cryptographic: it tells a changed file from the one cached, not an attack.
///
/// The bytes are hashed in chunks of a fixed size, at once on every core, and the chunks'
/// hashes hashed in turn, so the result does not depend on the number of cores.
public enum ContentHash {
    static let chunk = 4 << 20

    static func of(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        of(raw.assumingMemoryBound(to: UInt8.self))
    }

    /// A hash of two hashes, in order: for a sequence of pieces.
    static func combine(_ first: UInt64, _ second: UInt64) -> UInt64 {
        round(first &+ p3, second)
    }

    static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let chunks = (bytes.count + chunk - 1) / chunk
        let parts = concurrently(min(chunks, 8)) { k in
            (chunks * k / min(chunks, 8)..<chunks * (k + 1) / min(chunks, 8)).map { c in
                hash(UnsafeBufferPointer(rebasing: bytes[c * chunk..<min(bytes.count, (c + 1) * chunk)]))
            }
        }.flatMap { $0 }
        return parts.withUnsafeBytes { hash(UnsafeBufferPointer(start: $0.bindMemory(to: UInt8.self).baseAddress, count: $0.count)) }
            ^ UInt64(bytes.count)
    }

    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9

    @inline(__always)
    private static func round(_ lane: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = lane &+ word &* p2
        return ((mixed << 31) | (mixed >> 33)) &* p1
    }

    /// One chunk: four lanes over whole 32-byte blocks, then the tail a byte at a time.
    public static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = bytes.baseAddress else { return p3 }
        let raw = UnsafeRawPointer(base)
        var a = p1 &+ p2, b = p2, c: UInt64 = 0, d = 0 &- p1
        var i = 0
        while i + 32 <= bytes.count {
            a = round(a, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            b = round(b, raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            c = round(c, raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
            d = round(d, raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
            i += 32
        }
        var h = ((a << 1) | (a >> 63)) &+ ((b << 7) | (b >> 57)) &+ ((c << 12) | (c >> 52)) &+ ((d << 18) | (d >> 46))
        h = h &+ UInt64(bytes.count)
        while i < bytes.count {
            h = round(h, UInt64(bytes[i]) &+ p3)
            i += 1
        }
        h = (h ^ (h >> 33)) &* p2
        h = (h ^ (h >> 29)) &* p3
        return h ^ (h >> 32)
    }
}
