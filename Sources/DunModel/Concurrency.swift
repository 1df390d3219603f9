// Concurrency: work left until it is needed, and memory for large columns.

import DunCore
import Foundation
import Synchronization

/// A value computed when it is first asked for, once, whichever thread asks first; never,
/// if no one asks.
final class Lazy<T: Sendable>: Sendable {
    private let make: @Sendable () -> T
    private let state = Mutex<T?>(nil)

    init(_ make: @escaping @Sendable () -> T) {
        self.make = make
    }

    var value: T {
        state.withLock { value in
            if let value { return value }
            let made = make()
            value = made
            return made
        }
    }
}

/// Asks the kernel to back a large buffer, about to be written for the first time, with
/// huge pages (2 MiB) instead of 4 KiB ones. The first touch of each page costs some
/// microseconds, more on a virtual machine, and the columns of ten million invoices touch
/// half a million pages: a third of the time it takes to read them from the cache.
func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
    #if os(Linux)
        guard buffer.count >= 4 << 20, let base = buffer.baseAddress else { return }
        // Whole pages only: the advice is for the pages inside the buffer.
        let start = (Int(bitPattern: base) + 4095) & ~4095
        let end = (Int(bitPattern: base) + buffer.count) & ~4095
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE)
    #endif
}

extension Array {
    /// Room for `more` elements after these, in huge pages when large: a column reserved
    /// for a million rows is then faulted in 2 MiB at a time, not 4 KiB.
    mutating func reserveHuge(_ more: Int) {
        reserveCapacity(count + more)
        let bytes = capacity * MemoryLayout<Element>.stride
        withUnsafeMutableBufferPointer { buffer in
            // The buffer counts only the elements there are, but starts where the room does.
            guard let base = buffer.baseAddress else { return }
            adviseHugePages(UnsafeMutableRawBufferPointer(start: base, count: bytes))
        }
    }
}

/// `count` copies of `value`, in huge pages when large, and written on all cores: the first
/// write of each page is the kernel's zeroing it, and on this kind of machine a fresh GB costs
/// a second or more of it.
func filledArray<T>(repeating value: T, count: Int) -> [T] {
    filledArray(count: count) { _ in value }
}

/// `value(i)` for each of `0..<count`, made as `filledArray(repeating:count:)` is.
func filledArray<T>(count: Int, _ value: (Int) -> T) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
        let ranges = slices(
            of: count, parts: ProcessInfo.processInfo.activeProcessorCount,
            minimum: (4 << 20) / max(1, MemoryLayout<T>.stride))
        nonisolated(unsafe) let all = buffer
        _ = concurrently(ranges.count) { k in
            for i in ranges[k] { all.initializeElement(at: i, to: value(i)) }
        }
        initialized = count
    }
}

/// The numbers in `0..<count` for which `isIncluded` holds, in order, found on all cores:
/// each part is counted first, then written in its place, so that no part is copied.
func indices(_ count: Int, where isIncluded: (Int) -> Bool) -> [Int32] {
    let ranges = slices(of: count, parts: ProcessInfo.processInfo.activeProcessorCount, minimum: 1 << 16)
    let counts = concurrently(ranges.count) { k in ranges[k].reduce(0) { $0 + (isIncluded($1) ? 1 : 0) } }
    let total = counts.reduce(0, +)
    return [Int32](unsafeUninitializedCapacity: total) { buffer, initialized in
        adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
        var starts = [0]
        for c in counts.dropLast() { starts.append(starts[starts.count - 1] + c) }
        nonisolated(unsafe) let all = buffer
        _ = concurrently(ranges.count) { k in
            var at = starts[k]
            for i in ranges[k] where isIncluded(i) {
                all.initializeElement(at: at, to: Int32(i))
                at += 1
            }
        }
        initialized = total
    }
}
