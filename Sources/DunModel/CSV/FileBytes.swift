// FileBytes: a file's bytes in memory, for the time of a load.

import Foundation

/// The bytes of a file, whole; they outlive every scanner that points into them.
///
/// A file is mapped, not copied: the system's cached pages are the bytes, which saves
/// reading and zeroing a fresh copy (a third of the load of a large workspace). The mapping
/// lasts only as long as the load.
final class FileBytes: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
    private let mapped: Bool

    /// Maps the file at `path`; `nil` when it cannot be read.
    init?(path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(info.st_size)
        guard size > 0 else {
            buffer = UnsafeBufferPointer(start: nil, count: 0)
            mapped = false
            return
        }
        // Not populated up front (MAP_POPULATE): that maps every page on this one thread before
        // the load starts, 40 ms for the 124 MB of a million invoices; the parts' threads map
        // them as they first read them, on every core at once.
        guard let memory = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), memory != MAP_FAILED else { return nil }
        buffer = UnsafeBufferPointer(start: memory.assumingMemoryBound(to: UInt8.self), count: size)
        mapped = true
    }

    convenience init(text: String) {
        self.init(bytes: Array(text.utf8))
    }

    init(bytes: [UInt8]) {
        let memory = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        _ = memory.initialize(from: bytes)
        buffer = UnsafeBufferPointer(start: memory.baseAddress, count: bytes.count)
        mapped = false
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: buffer.baseAddress), buffer.count)
        } else {
            UnsafeMutableRawPointer(mutating: buffer.baseAddress)?.deallocate()
        }
    }
}
