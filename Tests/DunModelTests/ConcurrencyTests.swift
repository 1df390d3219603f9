// The helpers that make large arrays on all cores give what one loop would.

import Testing

@testable import DunModel

struct ConcurrencyTests {
    @Test(arguments: [0, 1, 1000, 300_000])
    func indicesAreTheOnesAFilterKeepsInOrder(count: Int) {
        let test = { (i: Int) in i % 7 == 3 || (i / 1000) % 5 == 0 }
        // Compared as one truth, so that a failure does not print 300,000 numbers.
        let same = indices(count, where: test) == (0..<count).filter(test).map(Int32.init)
        #expect(same)
    }

    @Test func indicesOfAllOrNone() {
        let all = indices(200_000) { _ in true } == (0..<200_000).map(Int32.init)
        #expect(all)
        #expect(indices(200_000) { _ in false }.isEmpty)
    }

    @Test func filledArrayHoldsEachIndexsValue() {
        // Large enough to be written in parts: more than 4 MiB.
        let count = 1_500_000
        let made = filledArray(count: count) { Int64($0) * 3 } == (0..<count).map { Int64($0) * 3 }
        #expect(made)
        let filled = filledArray(repeating: Int32(7), count: count) == Array(repeating: 7, count: count)
        #expect(filled)
    }
}
