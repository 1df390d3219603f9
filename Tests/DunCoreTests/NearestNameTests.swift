import Testing

@testable import DunCore

@Suite("nearestName")
struct NearestNameTests {
    static let fields = ["id", "name", "balance", "overdue", "overdue_balance", "grade", "utilization", "agent"]

    @Test func typoFindsTheField() {
        #expect(nearestName(to: "overdu", in: Self.fields) == "overdue")
        #expect(nearestName(to: "balnce", in: Self.fields) == "balance")
        #expect(nearestName(to: "utilisation", in: Self.fields) == "utilization")
        #expect(nearestName(to: "overdue_balanc", in: Self.fields) == "overdue_balance")
    }

    @Test func exactMatchIgnoringCaseAlwaysCounts() {
        #expect(nearestName(to: "BALANCE", in: Self.fields) == "balance")
        #expect(nearestName(to: "Id", in: Self.fields) == "id")
        #expect(nearestName(to: "overdue", in: ["OVERDUE"]) == "OVERDUE")
        // Returns the candidate as spelled in the list.
        #expect(nearestName(to: "cny", in: ["USD", "CNY"]) == "CNY")
    }

    @Test func aVeryLongTextIsNoTypo() {
        #expect(nearestName(to: String(repeating: "a", count: 100_000), in: ["a", "aa"]) == nil)
        #expect(nearestName(to: "INV-00001" + String(repeating: "x", count: 300), in: ["INV-00001"]) == nil)
    }

    @Test func nothingCloseIsNil() {
        #expect(nearestName(to: "zzzz", in: Self.fields) == nil)
        #expect(nearestName(to: "customer", in: Self.fields) == nil)
        #expect(nearestName(to: "x", in: ["abc"]) == nil)
        #expect(nearestName(to: "anything", in: [String]()) == nil)
    }

    @Test func transpositionCountsOne() {
        // Short names allow one edit: "aegnt" is one swap from "agent" (two without transpositions).
        #expect(nearestName(to: "aegnt", in: Self.fields) == "agent")
        #expect(nearestName(to: "nmae", in: Self.fields) == "name")
        #expect(nearestName(to: "dI", in: Self.fields) == "id")
        // Two separate swaps are two edits: too many for five letters.
        #expect(nearestName(to: "gaetn", in: Self.fields) == nil)
    }

    @Test func allowanceGrowsWithLength() {
        // Up to a third of the shorter name, at least one.
        #expect(nearestName(to: "gradx", in: ["grade"]) == "grade")  // 1 of 5
        #expect(nearestName(to: "grdx", in: ["grade"]) == nil)  // 2 of 4
        #expect(nearestName(to: "utilzaton", in: ["utilization"]) == "utilization")  // 2 of 9
        #expect(nearestName(to: "utlzaton", in: ["utilization"]) == nil)  // 3 of 8
        #expect(nearestName(to: "C9", in: ["C1", "D2"]) == "C1")  // 1 of 2
        #expect(nearestName(to: "C", in: ["CD"]) == "CD")  // 1, however short
        #expect(nearestName(to: "", in: ["a"]) == "a")
        #expect(nearestName(to: "", in: ["ab"]) == nil)
    }

    @Test func firstOfEquallyCloseWins() {
        #expect(nearestName(to: "cat", in: ["bat", "cot", "cut"]) == "bat")
        #expect(nearestName(to: "cat", in: ["cot", "bat"]) == "cot")
    }

    @Test func worksOnChinese() {
        #expect(nearestName(to: "上海华谊", in: ["北京长城", "上海华谊贸易"]) == nil)  // 2 of 4
        #expect(nearestName(to: "上海华谊贸", in: ["北京长城", "上海华谊贸易"]) == "上海华谊贸易")
    }

    @Test(arguments: [
        ("", "", 0), ("abc", "", 3), ("", "abc", 3), ("abc", "abc", 0), ("ab", "ba", 1),
        ("kitten", "sitting", 3), ("abcd", "badc", 2), ("overdu", "overdue", 1), ("ca", "abc", 3),
        ("flaw", "lawn", 2),
    ])
    func editDistances(a: String, b: String, distance: Int) {
        #expect(editDistance(Array(a), Array(b)) == distance)
        #expect(editDistance(Array(b), Array(a)) == distance)
    }
}
