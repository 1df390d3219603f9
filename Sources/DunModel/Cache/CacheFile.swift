// CacheFile: arrays written to a file as their bytes, and read back straight into arrays.

import Foundation

/// Writes values to a file: numbers and arrays of plain values as their bytes, in this
/// machine's byte order (a cache never leaves the machine that wrote it).
final class CacheWriter {
    private let fd: Int32
    /// The hash of everything written so far, which the file ends with.
    private(set) var digest: UInt64 = 0

    /// The file descriptor stays the caller's.
    init(fd: Int32) {
        self.fd = fd
    }

    struct Failed: Error {}

    /// Whether all the bytes were written.
    private func put(_ bytes: UnsafeRawBufferPointer) -> Bool {
        digest = ContentHash.combine(digest, ContentHash.of(bytes))
        var done = 0
        while done < bytes.count {
            guard let base = bytes.baseAddress else { return true }
            let n = write(fd, base + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    func number<T: FixedWidthInteger>(_ value: T) throws(Failed) {
        guard withUnsafeBytes(of: value, put) else { throw Failed() }
    }

    /// The count, then the elements' bytes. Only for types any bit pattern of which is valid.
    func array<T: BitwiseCopyable>(_ values: [T]) throws(Failed) {
        try number(Int64(values.count))
        guard values.withUnsafeBytes(put) else { throw Failed() }
    }

    func texts(_ values: [String?]) throws(Failed) {
        try number(Int64(values.count))
        for v in values {
            try number(UInt8(v == nil ? 0 : 1))
            if let v { try array(Array(v.utf8)) }
        }
    }
}

/// Reads what a `CacheWriter` wrote; anything out of place makes the cache invalid, never a
/// crash: every count is checked against what is left of the file before it is trusted.
final class CacheReader {
    private let fd: Int32
    private var left: Int
    /// The hash of everything read so far, to compare with the one the file ends with.
    private(set) var digest: UInt64 = 0

    struct Invalid: Error {}

    /// Reads `size` bytes from `fd`, which stays the caller's.
    init(fd: Int32, size: Int) {
        self.fd = fd
        left = size
    }

    var isAtEnd: Bool { left == 0 }

    /// Whether all the bytes were there.
    private func take(_ into: UnsafeMutableRawBufferPointer) -> Bool {
        guard into.count <= left else { return false }
        var done = 0
        while done < into.count {
            guard let base = into.baseAddress else { return true }
            let n = read(fd, base + done, into.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        left -= into.count
        digest = ContentHash.combine(digest, ContentHash.of(UnsafeRawBufferPointer(into)))
        return true
    }

    func number<T: FixedWidthInteger>(_: T.Type = T.self) throws(Invalid) -> T {
        var v = T.zero
        guard withUnsafeMutableBytes(of: &v, take) else { throw Invalid() }
        return v
    }

    /// A count, checked against the bytes left for `size`-byte items.
    private func count(of size: Int) throws(Invalid) -> Int {
        let n = try number(Int64.self)
        guard n >= 0, n <= left / max(size, 1) else { throw Invalid() }
        return Int(n)
    }

    func array<T: BitwiseCopyable>(_: T.Type = T.self) throws(Invalid) -> [T] {
        let n = try count(of: MemoryLayout<T>.stride)
        var whole = false
        let values = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
            whole = take(UnsafeMutableRawBufferPointer(buffer))
            initialized = whole ? n : 0
        }
        guard whole else { throw Invalid() }
        return values
    }

    func texts() throws(Invalid) -> [String?] {
        let n = try count(of: 1)
        var values: [String?] = []
        for _ in 0..<n {
            switch try number(UInt8.self) {
            case 0: values.append(nil)
            case 1: values.append(String(decoding: try array(UInt8.self), as: UTF8.self))
            default: throw Invalid()
            }
        }
        return values
    }
}
