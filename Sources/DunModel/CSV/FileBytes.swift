// FileBytes: a file's bytes in memory, for the time of a load.

import DunCore
import Foundation

/// The bytes of a file, whole; they outlive every scanner that points into them.
///
/// A file is mapped, not copied: the system's cached pages are the bytes, which saves
/// reading and zeroing a fresh copy (a third of the load of a large workspace). The mapping
/// lasts only as long as the load.
final class FileBytes: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
    private let mapped: Bool
    /// The sheet of an Excel workbook these bytes are (as CSV), whose cells errors name.
    private(set) var sheet: String?

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

    /// The sheet `sheet` (the first when nil) of the workbook at `path`, as CSV.
    convenience init(workbook path: String, sheet: String?, display: String) throws(Diagnostic) {
        let (bytes, name) = try XLSXSheet.csv(path: path, sheet: sheet, display: display)
        self.init(bytes: bytes)
        self.sheet = name
    }

    convenience init(text: String) {
        self.init(bytes: Array(text.utf8))
    }

    init(bytes: [UInt8], sheet: String? = nil) {
        self.sheet = sheet
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

extension FileBytes {
    /// `file`'s bytes, in `encoding`, as UTF-8 (a line feed is one byte in both, so lines
    /// keep their numbers). A byte sequence that is not one of the encoding's characters is
    /// an error naming its line.
    convenience init(decoding file: FileBytes, from encoding: FileEncoding, name: String) throws(Diagnostic) {
        let source = file.buffer
        guard encoding == .gb18030, !source.isEmpty else {
            self.init(bytes: Array(source))
            return
        }
        guard let converter = Optional(iconv_open("UTF-8", "GB18030")), Int(bitPattern: converter) != -1 else {
            throw Diagnostic(.error, "cannot read GB18030 on this system (iconv has no converter for it)", file: name)
        }
        defer { iconv_close(converter) }
        // GB18030 takes 1 to 4 bytes a character, UTF-8 1 to 4: twice the size always suffices.
        var out = [UInt8](repeating: 0, count: source.count * 2 + 16)
        var stopped: (offset: Int, error: Int32)?
        let written = out.withUnsafeMutableBufferPointer { o -> Int in
            var inPointer = UnsafeMutablePointer(mutating: source.baseAddress).map {
                UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self)
            }
            var inLeft = source.count
            var outPointer = o.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
            var outLeft = o.count
            if iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) == -1 {
                stopped = (source.count - inLeft, errno)
            }
            return o.count - outLeft
        }
        if let (offset, error) = stopped {
            var line = 1
            for b in source[..<offset] where b == 10 { line += 1 }
            let what = error == EINVAL ? "the file ends inside a character" : "bytes that are not GB18030"
            let shown = source[offset..<min(source.count, offset + 4)].map { String(format: "%02X", $0) }.joined(separator: " ")
            throw Diagnostic(
                .error, "\(what) on line \(line) (\(shown))", file: name,
                hint: "dun.toml says this file is in GB18030 (encoding = \"gb18030\"); if it is UTF-8, remove that line")
        }
        out.removeSubrange(written...)
        self.init(bytes: out)
    }
}
