// ActionKind: what the collection team does to a customer, and where each entry of its
// journal stands — one word each, declared once, for the planner, the journal and replay.

/// An action, as a plan shows it and the journal records it (its raw value is the word).
public enum ActionKind: String, CaseIterable, Sendable {
    case remind, call, visit, escalate
    case holdCredit = "hold credit"
    case releaseCredit = "release credit"
    case setGrade = "set grade"
    case assign, tag, untag, note
    case offerPlan = "offer plan"
    case chargeLateFee = "charge late fee"
    case chargeInterest = "charge interest"
    /// What a collector recorded: a promise to pay, a dispute opened or resolved.
    case promise, dispute
    case resolveDispute = "resolve dispute"
    /// The outcome of a call or visit, recorded by `dun done`.
    case outcome

    /// A call or a visit: a task on a collector's worklist until its outcome is recorded.
    public var isTask: Bool { self == .call || self == .visit }

    /// Where a new entry of this kind starts: a reminder waits to be delivered, a task to be
    /// done, anything else is done when journaled.
    public var initialStatus: EntryStatus {
        switch self {
        case .remind: .queued
        case .call, .visit: .open
        default: .done
        }
    }
}

/// Where a journal entry stands.
public enum EntryStatus: String, CaseIterable, Sendable {
    /// Done when journaled, or a task whose outcome is recorded.
    case done
    /// A reminder written to outbox/ (or to be), not yet handed to a delivery command.
    case queued
    case sent
    /// Its delivery failed; retried on the next apply.
    case failed
    /// A call or visit task not done yet.
    case open
}
