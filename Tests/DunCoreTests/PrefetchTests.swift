// A prefetch is a hint: it reads nothing the program sees and never faults, wherever it points.

import DunCore
import Testing

struct PrefetchTests {
    @Test func neverFaultsAndChangesNothing() {
        let numbers = Array(0..<1000)
        let texts = ["华东", "a longer text than fits in a String's own sixteen bytes"]
        let empty: [Int64] = []
        for i in [0, 1, 999, 1000, 1 << 20, Int(Int32.max), -1] {
            prefetch(numbers, i)
            prefetch(texts, i)
            prefetch(empty, i)
        }
        #expect(numbers == Array(0..<1000))
        #expect(texts == ["华东", "a longer text than fits in a String's own sixteen bytes"])
    }
}
