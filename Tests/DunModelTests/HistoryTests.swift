import DunCore
import Testing

@testable import DunModel

/// The journal's events replayed over the CSV files: what each customer shows as of a day.
@Suite("History")
struct HistoryTests {
    func day(_ text: String) throws -> Day { try #require(Day(iso: text)) }

    @Test func eventsUpToTheAsOfDateAreReplayedInOrder() throws {
        let events: [History.Event] = [
            .init(customer: 0, day: try day("2026-11-01"), kind: .reminded),
            .init(customer: 0, day: try day("2026-11-20"), kind: .reminded),
            .init(customer: 0, day: try day("2026-11-10"), kind: .reminded),
            .init(customer: 0, day: try day("2026-12-01"), kind: .reminded),
            .init(customer: 1, day: try day("2026-11-02"), kind: .heldCredit),
            .init(customer: 1, day: try day("2026-11-05"), kind: .releasedCredit),
            .init(customer: 1, day: try day("2026-11-05"), kind: .heldCredit),
            .init(customer: 2, day: try day("2026-11-02"), kind: .heldCredit),
            .init(customer: 2, day: try day("2026-11-03"), kind: .releasedCredit),
            .init(customer: 2, day: try day("2026-11-01"), kind: .heldCredit),
            .init(customer: 3, day: try day("2026-11-02"), kind: .setGrade(.e)),
            .init(customer: 3, day: try day("2026-12-02"), kind: .setGrade(.a)),
            .init(customer: 9, day: try day("2026-11-02"), kind: .heldCredit),
        ]
        let r = History(events).replayed(customers: 4, asOf: try day("2026-11-28"))
        // The latest reminder up to the day, whatever the order recorded; December's is not yet.
        #expect(r.lastReminder == [0: try day("2026-11-20")])
        // Of two events on one day, the one recorded later wins; an earlier day never does.
        #expect(r.onHold == [1])
        #expect(r.grade == [3: .e])
    }

    @Test func theSnapshotShowsTheReplay() throws {
        let workspace = try load()
        let history = History([.init(customer: 1, day: try day("2026-11-02"), kind: .setGrade(.e))])
        let s = try Snapshot(workspace, asOf: try day("2026-11-28"), history: history)
        #expect(s.perCustomer(s.gradeSet) == [nil, .e])
        #expect(s.perCustomer(s.isOnHold) == [false, false])
        let before = try Snapshot(workspace, asOf: try day("2026-11-01"), history: history)
        #expect(before.perCustomer(before.gradeSet) == [nil, nil])
    }
}
