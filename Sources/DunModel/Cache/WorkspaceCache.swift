// WorkspaceCache: the loaded columns kept beside the CSV files, reused while the files are
// unchanged, so that the next run reads them back instead of parsing a million rows again.

import DunCore
import Foundation

/// `.dun/cache/workspace.bin` in the workspace folder: the size and content hash of each
/// CSV file, the columns loaded from them, and a hash of all that, so that a damaged cache
/// is noticed too.
///
/// Every load hashes every byte of the CSV files (the cost of reading them, a fraction of
/// parsing them), so any change is noticed, whatever the files' dates say. A cache that is
/// stale, damaged or from another version of Dun is ignored and written anew; one that
/// cannot be written (a read-only folder) is done without. Only a workspace that loaded
/// without errors is cached, so the errors of bad data are reported on every run.
public enum WorkspaceCache {
    /// Below this many bytes of CSV, parsing is about as quick as reading a cache.
    public static let minimumSize = 4 << 20

    /// What a load did with the cache.
    public enum Use: Sendable, Equatable {
        /// The workspace was read from the cache.
        case read
        /// The CSV files were parsed, and the cache written.
        case written
        /// The CSV files were parsed; no cache was read or written.
        case none
    }

    static let folder = ".dun/cache"
    static let name = "workspace.bin"

    /// Raised whenever the layout of the file changes, so an older cache is never misread.
    static let version: UInt32 = 11
    static let magic: UInt64 = 0x4455_4E43_4143_4845  // "DUNCACHE"

    /// Loads the workspace in `directory` from its cache when the CSV files are the ones
    /// cached (and at least `minimumSize` bytes), else from the files, caching the result.
    public static func load(
        directory: String, progress: WorkspaceLoader.Progress? = nil, minimumSize: Int = minimumSize
    ) throws(Diagnostics) -> (workspace: Workspace, cache: Use) {
        let settings = try WorkspaceSettings.load(workspace: directory)
        let loaded = try load(directory: directory, settings: settings, progress: progress, minimumSize: minimumSize) {
            _ throws(Diagnostics) in
        }
        return (loaded.workspace, loaded.cache)
    }

    /// The same, and `next` made of the workspace: while the files' last checks run, when
    /// they are parsed (see `WorkspaceLoader.load(directory:progress:while:paymentsFit:)`).
    public static func load<T>(
        directory: String, settings: WorkspaceSettings, progress: WorkspaceLoader.Progress? = nil,
        minimumSize: Int = minimumSize, while next: (Workspace) throws(Diagnostics) -> T, paymentsFit: (T) -> Bool? = { _ in nil }
    ) throws(Diagnostics) -> (workspace: Workspace, cache: Use, next: T) {
        // The files as they are: a line-item export's customers and payments are made from
        // its invoices' file only when the cache does not hold them (the key is that file, and
        // dun.toml's `from`).
        var (dir, paths, contents, _) = try WorkspaceLoader.open(directory: directory, settings: settings, deriving: false)
        let size = contents.reduce(0) { $0 + $1.buffer.count }
        guard size >= minimumSize else {
            let (files, names, effective) = try WorkspaceLoader.derive(contents, paths, settings)
            let (workspace, made) = try WorkspaceLoader.load(
                names: names, files, settings: effective, progress: progress, while: next, paymentsFit: paymentsFit)
            return (workspace, .none, made)
        }
        let fingerprints = Fingerprint.of(contents, settings)
        let path = dir + "/" + folder + "/" + name
        // The files' bytes are let go before the columns are read, so that the two are never
        // in memory together; in the rare case of a damaged cache, they are read again.
        if let cached = read(path, fingerprints, matched: { contents = [] }) {
            progress?(size, cached.customers.count + cached.invoices.count + cached.payments.count)
            return (cached, .read, try next(cached))
        }
        let raw =
            contents.isEmpty ? try WorkspaceLoader.open(directory: directory, settings: settings, deriving: false).2 : contents
        contents = []
        let (files, names, effective) = try WorkspaceLoader.derive(raw, paths, settings)
        // Consumed, so that the loader lets go of each file as soon as it is read.
        let (workspace, made) = try WorkspaceLoader.load(
            names: names, consume files, settings: effective, progress: progress, while: next, paymentsFit: paymentsFit)
        return (workspace, write(workspace, to: dir, fingerprints) ? .written : .none, made)
    }

    struct Fingerprint: Equatable {
        var size: Int
        var hash: UInt64

        /// Each file's, and that of how dun.toml says to read them: a changed mapping reads
        /// the files anew.
        static func of(_ files: [FileBytes], _ settings: WorkspaceSettings) -> [Fingerprint] {
            let mapping = Array(settings.fingerprint.utf8)
            return files.map { Fingerprint(size: $0.buffer.count, hash: ContentHash.of($0.buffer)) }
                + [mapping.withUnsafeBufferPointer { Fingerprint(size: $0.count, hash: ContentHash.of($0)) }]
        }
    }

    /// The cached workspace, if the cache at `path` is whole and made from these files;
    /// `matched` is called once its header has been found to be theirs.
    static func read(_ path: String, _ fingerprints: [Fingerprint], matched: () -> Void) -> Workspace? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        let r = CacheReader(fd: fd, size: Int(info.st_size))
        do {
            guard try r.number(UInt64.self) == magic, try r.number(UInt32.self) == version,
                try r.number(Int64.self) == fingerprints.count
            else { return nil }
            for f in fingerprints {
                guard try r.number(Int64.self) == f.size, try r.number(UInt64.self) == f.hash else { return nil }
            }
            matched()
            let workspace = try Workspace(r)
            let digest = r.digest
            return try r.number(UInt64.self) == digest && r.isAtEnd ? workspace : nil
        } catch {
            return nil
        }
    }

    /// Writes the cache beside the files: to a file of its own first, then renamed into
    /// place, so that a reader never sees half a cache, even with two runs writing at once.
    /// Whether it was written.
    static func write(_ workspace: Workspace, to dir: String, _ fingerprints: [Fingerprint]) -> Bool {
        let folder = dir + "/" + folder
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            return false
        }
        // The cache is no one's business in version control.
        let ignore = folder + "/.gitignore"
        if !FileManager.default.fileExists(atPath: ignore) {
            _ = FileManager.default.createFile(atPath: ignore, contents: Data("*\n".utf8))
        }
        let temporary = folder + "/\(name).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return false }
        let w = CacheWriter(fd: fd)
        do {
            try w.number(magic)
            try w.number(version)
            try w.number(Int64(fingerprints.count))
            for f in fingerprints {
                try w.number(Int64(f.size))
                try w.number(f.hash)
            }
            try workspace.store(w)
            try w.number(w.digest)
        } catch {
            close(fd)
            unlink(temporary)
            return false
        }
        guard close(fd) == 0, rename(temporary, folder + "/" + name) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }
}
