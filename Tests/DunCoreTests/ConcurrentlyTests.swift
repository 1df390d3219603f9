// Work split over the cores: the parts cover everything once, in order, and a map in parts
// is the map.

import DunCore
import Testing

struct ConcurrentlyTests {
    @Test(arguments: [(0, 8, 4), (1, 8, 4), (3, 8, 4), (31, 8, 4), (32, 8, 4), (1000, 8, 1), (7, 8, 1), (100, 3, 10)])
    func slicesCoverEachIndexOnceInOrder(count: Int, parts: Int, minimum: Int) {
        let ranges = slices(of: count, parts: parts, minimum: minimum)
        #expect(ranges.flatMap { Array($0) } == Array(0..<count))
        #expect(ranges.count <= parts)
        #expect(ranges.allSatisfy { !$0.isEmpty })
        // No part shorter than the minimum, unless there is only one.
        if ranges.count > 1 { #expect(ranges.allSatisfy { $0.count >= minimum }) }
    }

    @Test func slicesUseAllTheParts() {
        #expect(slices(of: 1000, parts: 8, minimum: 1).count == 8)
        #expect(slices(of: 1000, parts: 8, minimum: 300).count == 3)
        #expect(slices(of: 10, parts: 8, minimum: 300).count == 1)
    }

    @Test(arguments: [0, 1, 5, 64, 1000])
    func mapInPartsIsTheMap(count: Int) {
        // Texts long enough to live on the heap: each element is made where it belongs, once.
        let map = concurrentMap(count, parts: 8, minimum: 1) { "row \($0) of a text longer than sixteen bytes" }
        #expect(map == (0..<count).map { "row \($0) of a text longer than sixteen bytes" })
        #expect(concurrently(count) { $0 * $0 } == (0..<count).map { $0 * $0 })
    }
}
