// ProgressBar: what a long load is doing, on a terminal's standard error.

import Foundation
import Synchronization

/// Draws `loading  62.1 / 124.0 MB  [#####     ]  2.1M rows/s` once a load has taken half a
/// second, at most ten times a second, and erases it at the end. Only on a terminal.
public final class ProgressBar: Sendable {
    private struct State {
        var bytes = 0
        var records = 0
        var lastDraw: ContinuousClock.Instant?
        var drawn = false
    }

    private let total: Int
    private let start: ContinuousClock.Instant
    private let now: @Sendable () -> ContinuousClock.Instant
    private let write: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// A bar for `total` bytes on standard error, or `nil` when standard error is not a terminal.
    public convenience init?(total: Int) {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        self.init(total: total, now: { .now }, write: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    /// A bar that reads the time from `now` and draws with `write` (tests give their own).
    init(total: Int, now: @escaping @Sendable () -> ContinuousClock.Instant, write: @escaping @Sendable (String) -> Void) {
        self.total = total
        self.now = now
        self.write = write
        start = now()
    }

    /// Counts bytes and records read; redraws when it is time. Safe from any thread.
    public func advance(bytes: Int, records: Int) {
        state.withLock { s in
            s.bytes += bytes
            s.records += records
            let t = now()
            guard t - start >= .milliseconds(500) else { return }
            if let last = s.lastDraw, t - last < .milliseconds(100) { return }
            s.lastDraw = t
            s.drawn = true
            write(ProgressBar.line(bytes: s.bytes, of: total, records: s.records, in: t - start))
        }
    }

    /// Erases the bar, if it was drawn.
    public func finish() {
        state.withLock { s in
            if s.drawn { write("\r\u{1B}[K") }
            s.drawn = false
        }
    }

    static func line(bytes: Int, of total: Int, records: Int, in elapsed: Swift.Duration) -> String {
        let width = 24
        let done = min(width, width * bytes / max(total, 1))
        let seconds = max(elapsed.seconds, 0.001)
        let rate = Double(records) / seconds
        let mb = { (n: Int) in String(format: "%.1f", Double(n) / 1e6) }
        let rows = rate >= 1e6 ? String(format: "%.1fM", rate / 1e6) : String(format: "%.0fk", rate / 1e3)
        return "\rloading  \(mb(bytes)) / \(mb(total)) MB  [" + String(repeating: "#", count: done)
            + String(repeating: " ", count: width - done) + "]  \(rows) rows/s\u{1B}[K"
    }
}

extension Swift.Duration {
    /// In seconds, for showing how long something took.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
