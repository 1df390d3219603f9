// Interruption: a request to stop the running statement, made from outside the run (the
// REPL's Ctrl-C handler), and checked by the interpreter between stages and rows.

import Synchronization

public final class Interruption: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    /// Asks the running statement to stop. Safe in a signal handler.
    public func request() {
        flag.store(true, ordering: .relaxed)
    }

    /// Withdraws a request; true when there was one.
    @discardableResult
    public func clear() -> Bool {
        flag.exchange(false, ordering: .relaxed)
    }

    /// Throws when a stop was requested (and withdraws the request).
    func check() throws(RuntimeError) {
        guard flag.load(ordering: .relaxed), clear() else { return }
        var error = RuntimeError("interrupted", 0..<0)
        error.interrupted = true
        throw error
    }
}
