import Testing

@testable import DunCore

@Suite("Grade")
struct GradeTests {
    @Test func betterGradesAreGreater() {
        #expect(Grade.c < .b)
        #expect(Grade.a > .b)
        #expect(Grade.b > .c)
        #expect(Grade.c > .d)
        #expect(Grade.d > .e)
        #expect(Grade.e < .a)
        #expect(!(Grade.b < .b))
        #expect(Grade.allCases.sorted() == [.e, .d, .c, .b, .a])
        #expect(Grade.allCases.max() == .a)
        #expect(Grade.allCases.min() == .e)
    }

    @Test(arguments: [
        ("A", Grade.a), ("a", .a), ("B", .b), ("b", .b), ("C", .c), ("c", .c), ("D", .d), ("d", .d),
        ("E", .e), ("e", .e),
    ])
    func fromLetter(letter: String, grade: Grade) {
        #expect(Grade(letter: letter) == grade)
        #expect(Grade(letter: letter[...]) == grade)
        #expect(grade.description == letter.uppercased())
    }

    @Test(arguments: ["F", "f", "", "AA", " A", "A ", "Ａ", "1", "A+"])
    func unknownLetters(letter: String) {
        #expect(Grade(letter: letter) == nil)
    }
}

@Suite("AgingBucket")
struct AgingBucketTests {
    @Test(arguments: [
        (Int64(0), AgingBucket.current),
        (-5, .current),
        (Int64.min, .current),
        (1, .days1to30),
        (15, .days1to30),
        (30, .days1to30),
        (31, .days31to60),
        (60, .days31to60),
        (61, .days61to90),
        (90, .days61to90),
        (91, .over90),
        (365, .over90),
        (Int64.max, .over90),
    ])
    func fromDaysOverdue(days: Int64, bucket: AgingBucket) {
        #expect(AgingBucket(daysOverdue: days) == bucket)
    }

    @Test(arguments: [
        ("current", AgingBucket.current), ("1-30", .days1to30), ("31-60", .days31to60), ("61-90", .days61to90),
        ("90+", .over90),
    ])
    func names(name: String, bucket: AgingBucket) {
        #expect(AgingBucket(name: name) == bucket)
        #expect(AgingBucket(name: name[...]) == bucket)
        #expect(bucket.description == name)
    }

    @Test(arguments: ["Current", "0-30", "90", "91+", "", "1 - 30", "over90"])
    func unknownNames(name: String) {
        #expect(AgingBucket(name: name) == nil)
    }

    @Test func orderedFromCurrentToOldest() {
        #expect(AgingBucket.current < .days1to30)
        #expect(AgingBucket.days1to30 < .days31to60)
        #expect(AgingBucket.days31to60 < .days61to90)
        #expect(AgingBucket.days61to90 < .over90)
        #expect(AgingBucket.allCases == [.current, .days1to30, .days31to60, .days61to90, .over90])
        #expect(AgingBucket.allCases.shuffled().sorted() == AgingBucket.allCases)
    }
}
