// Concurrency: work split over the cores, and work started on another thread.

import Foundation

/// Runs `body` for `0..<count` on as many threads as there are cores; the results in order.
func concurrently<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
    guard count > 1 else { return (0..<count).map(body) }
    let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    _ = results.initialize(from: repeatElement(nil, count: count))
    defer {
        _ = results.deinitialize()
        results.deallocate()
    }
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let body = body
        nonisolated(unsafe) let results = results
        // Each iteration writes its own element only.
        DispatchQueue.concurrentPerform(iterations: count) { results[$0] = body($0) }
    }
    return results.compactMap { $0 }
}

/// Work started on another thread, its result waited for when needed.
final class Background<T: Sendable>: @unchecked Sendable {
    private let work: @Sendable () -> T
    private var value: T?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () -> T) {
        self.work = work
        DispatchQueue.global().async {
            self.value = work()
            self.done.signal()
        }
    }

    /// Waits for the work; call once. (The semaphore orders its write before this read.)
    func result() -> T {
        done.wait()
        return value ?? work()
    }
}
