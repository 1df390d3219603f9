// Concurrently: work split over the cores.

import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The cores this process may run on (at least 1).
public let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

/// Runs `body` for `0..<count` on as many threads as there are cores; the results in order.
@inlinable
public func concurrently<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
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

/// `0..<count` cut into consecutive ranges, in order, for `concurrently`: as many as `parts`,
/// but none shorter than `minimum` (one range when `count` is below it; none when it is 0).
@inlinable
public func slices(of count: Int, parts: Int, minimum: Int) -> [Range<Int>] {
    let n = max(1, min(parts, count / max(1, minimum)))
    guard count > 0 else { return [] }
    return (0..<n).map { k in (count * k / n)..<(count * (k + 1) / n) }
}

/// `transform` of each of `0..<count`, in order, computed in `slices` on all cores: each
/// writes its own part of the one array, so no part is copied.
@inlinable
public func concurrentMap<T>(_ count: Int, parts: Int, minimum: Int, _ transform: (Int) -> T) -> [T] {
    let ranges = slices(of: count, parts: parts, minimum: minimum)
    guard ranges.count > 1 else { return (0..<count).map(transform) }
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        guard let base = buffer.baseAddress else { return }
        nonisolated(unsafe) let start = base
        _ = concurrently(ranges.count) { k in
            for i in ranges[k] { (start + i).initialize(to: transform(i)) }
        }
        initialized = count
    }
}
