// Checker+Actions: the expressions inside actions are checked like any other.

extension Checker {
    /// Checks an action against the rows it will act on.
    mutating func action(_ a: Action, row: RowType) -> CheckedAction {
        within(row) { c in
            var nodes: [Node] = []
            func check(_ e: Expr?, _ type: DunType, _ what: String, hint: String? = nil) {
                guard let e else { return }
                let n = c.expression(e)
                c.expect(n, type, what, hint: hint)
                nodes.append(n)
            }
            switch a.verb {
            case .remind, .escalate, .holdCredit, .releaseCredit, .tag, .untag, .note:
                break
            case .call(let by), .visit(let by):
                check(by, .string, "expected the collector's name", hint: "call by customer.collector")
            case .setGrade(let e):
                check(e, .grade, "expected a grade", hint: "set grade = D")
            case .assign(let e):
                check(e, .string, "expected a collector's name")
            case .offerPlan(let count, let every):
                check(count, .number, "expected a number of installments")
                check(every, .duration, "expected how often", hint: "every 1 month")
            case .chargeLateFee(let e):
                let n = c.expression(e)
                if n.type != .money && n.type != .number && n.type != .unknown {
                    c.error("a late fee is an amount or a percentage, found \(n.type.name(in: c.schema))", e.range)
                }
                nodes.append(n)
            case .chargeInterest(let e):
                check(e, .number, "expected a yearly rate", hint: "charge interest 6% per year")
            }
            check(a.condition, .bool, "expected a condition after 'when'")
            check(a.cooldown, .duration, "expected a duration after 'at most once per'", hint: "at most once per 7 days")
            return CheckedAction(action: a, nodes: nodes)
        }
    }
}
