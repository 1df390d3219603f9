// Prefetch: memory asked for before it is needed, by the loops that read it in no order.

import CSystem

/// Starts reading element `i` of `array` into the processor's cache, and goes on without
/// waiting for it: a read of that element a little later then finds it there. A loop over
/// rows that reads other arrays in no order (a customer's totals for each invoice) asks for
/// what a row some way ahead will read, so that the waits on memory overlap instead of
/// coming one after another. Past the end of the array, nothing happens: a prefetch never
/// faults.
@inlinable @inline(__always)
public func prefetch<T>(_ array: [T], _ i: Int) {
    // The array is passed as a pointer argument: no closure, so no retain of its buffer.
    prefetchElement(array, i)
}

@inlinable @inline(__always)
func prefetchElement<T>(_ base: UnsafePointer<T>, _ i: Int) {
    dun_prefetch(base, i &* MemoryLayout<T>.stride)
}
