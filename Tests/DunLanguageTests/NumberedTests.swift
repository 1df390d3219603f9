// Numbering a group-by key column: each value's number is its place among the distinct
// values in order of first appearance, whether the column is numbered whole or in parts.

import DunCore
@testable import DunLanguage
import Testing

struct NumberedTests {
    /// A text made anew each time: equal Strings with different bytes.
    static func text(_ s: String) -> Value { .string(String(s.unicodeScalars.map(Character.init))) }

    static let column: [Value] = (0..<200).map { i in
        switch i % 7 {
        case 0: return text("华东 region, a text longer than sixteen bytes")
        case 1: return .bucket(AgingBucket.allCases[i % AgingBucket.allCases.count])
        case 2: return .null
        case 3: return text(i < 100 ? "west" : "north")
        case 4: return .number(Decimal64(i % 3))
        case 5: return text("华东 region, a text longer than sixteen bytes")
        default: return .bool(i % 2 == 0)
        }
    }

    /// The numbering, one value after the other.
    static func expected(_ column: [Value]) -> (numbers: [Int32], distinct: Int) {
        var seen: [Value] = []
        let numbers = column.map { v in
            if let n = seen.firstIndex(of: v) { return Int32(n) }
            seen.append(v)
            return Int32(seen.count - 1)
        }
        return (numbers, seen.count)
    }

    @Test(arguments: [1, 3, 50, 1000])
    func inPartsAsWhole(minimumPart: Int) {
        let (numbers, distinct) = Interpreter.numbered(Self.column.count, minimumPart: minimumPart) { Self.column[$0] }
        let expected = Self.expected(Self.column)
        #expect(numbers == expected.numbers)
        #expect(distinct == expected.distinct)
    }

    @Test func firstAppearanceOrder() {
        let column: [Value] = [Self.text("b"), Self.text("a"), Self.text("b"), .null, Self.text("a"), .null]
        for minimumPart in [1, 2, 100] {
            let (numbers, distinct) = Interpreter.numbered(column.count, minimumPart: minimumPart) { column[$0] }
            #expect(numbers == [0, 1, 0, 2, 1, 2])
            #expect(distinct == 3)
        }
        #expect(Interpreter.numbered(0, minimumPart: 1) { _ in .null }.distinct == 0)
    }

    /// Values made anew as they are read and let go at once (as a key read from the rows
    /// may be): a String freed leaves its bytes free for the next, different one.
    @Test func valuesMadeAsRead() {
        let words = (0..<500).map { i in "text number \(i % 37), longer than sixteen bytes" }
        let (numbers, distinct) = Interpreter.numbered(words.count, minimumPart: 100) { Self.text(words[$0]) }
        let expected = Self.expected(words.map { Value.string($0) })
        #expect(numbers == expected.numbers)
        #expect(distinct == 37)
    }
}
