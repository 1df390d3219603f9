// AST printing: S-expressions, so a test can state a parse in one line.

extension Literal: CustomStringConvertible {
    public var description: String {
        switch self {
        case .number(let n): return n.description
        case .money(let m): return "\(m) \(m.currency)"
        case .date(let d): return d.description
        case .duration(let d): return "(\(d))"
        case .string(let s): return "\"\(s)\""
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }
}

extension Expr: CustomStringConvertible {
    /// `(and (> overdue 30) (< grade B))`
    public var description: String {
        switch kind {
        case .literal(let l): return l.description
        case .name(let n): return n
        case .member(let base, let name, _): return "(. \(base) \(name))"
        case .call(let name, _, let args): return "(\(name)\(args.map { " \($0)" }.joined()))"
        case .negate(let e): return "(- \(e))"
        case .not(let e): return "(not \(e))"
        case .and(let items): return "(and\(items.map { " \($0)" }.joined()))"
        case .or(let items): return "(or\(items.map { " \($0)" }.joined()))"
        case .arithmetic(let first, let steps):
            // Left to right, as nested pairs: `a - b - c` is `(- (- a b) c)`.
            return steps.reduce(first.description) { "(\($1.op.rawValue) \($0) \($1.operand))" }
        case .coalesce(let a, let b): return "(?? \(a) \(b))"
        case .compare(let op, let a, let b): return "(\(op.rawValue) \(a) \(b))"
        case .between(let e, let lo, let hi, let neg): return "(\(neg ? "not-between" : "between") \(e) \(lo) \(hi))"
        case .isIn(let e, let set, let neg): return "(\(neg ? "not-in" : "in") \(e) \(set))"
        case .convert(let e, let currency): return "(in \(e) \(currency))"
        case .conditional(let branches, let otherwise):
            return "(if\(branches.map { " \($0.condition) \($0.value)" }.joined())\(otherwise.map { " else \($0)" } ?? ""))"
        case .isNull(let e, let neg): return "(\(neg ? "is-not-null" : "is-null") \(e))"
        case .contains(let e, let part, let neg): return "(\(neg ? "not-contains" : "contains") \(e) \(part))"
        case .filter(let t, let p): return "(where \(t) \(p))"
        case .list(let items): return "[\(items.map(\.description).joined(separator: " "))]"
        case .pipeline(let p): return p.description
        }
    }
}

extension Item: CustomStringConvertible {
    public var description: String { name.map { "(= \($0) \(expr))" } ?? expr.description }
}

extension Stage: CustomStringConvertible {
    public var description: String {
        switch kind {
        case .filter(let e): return "(where \(e))"
        case .sort(let keys): return "(sort\(keys.map { " \($0.expr)\($0.descending ? " desc" : "")" }.joined()))"
        case .take(let e): return "(take \(e))"
        case .select(let items): return "(select\(items.map { " \($0)" }.joined()))"
        case .derive(let items): return "(derive\(items.map { " \($0)" }.joined()))"
        case .group(let keys, let aggs):
            return
                "(group (\(keys.map(\.description).joined(separator: " "))) (\(aggs.map(\.description).joined(separator: " "))))"
        case .pivot(let keys, let key, let values, let aggs):
            return
                "(pivot (\(keys.map(\.description).joined(separator: " "))) \(key)\(values.map { " in \($0)" } ?? "") (\(aggs.map(\.description).joined(separator: " "))))"
        case .total(let label): return "(total\(label.map { " \"\($0)\"" } ?? ""))"
        case .count: return "(count)"
        case .union(let other): return "(union \(other))"
        case .accumulate(let items): return "(accumulate \(items.map(\.description).joined(separator: " ")))"
        case .chart(let columns, let title):
            return "(chart\(columns.map { " \($0.name)" }.joined())\(title.map { " title \"\($0)\"" } ?? ""))"
        case .action(let a): return a.description
        }
    }
}

extension Pipeline: CustomStringConvertible {
    /// `(| customers (where …) (take 5))`, or just the source when there are no stages.
    public var description: String {
        stages.isEmpty ? source.description : "(| \(source)\(stages.map { " \($0)" }.joined()))"
    }
}

extension Action: CustomStringConvertible {
    public var description: String {
        var out: String
        switch verb {
        case .remind(let channel, let template): out = "(remind \(channel.rawValue)\(template.map { " \"\($0)\"" } ?? "")"
        case .call(let by): out = "(call\(by.map { " \($0)" } ?? "")"
        case .visit(let by): out = "(visit\(by.map { " \($0)" } ?? "")"
        case .escalate(let to): out = "(escalate \(to)"
        case .holdCredit: out = "(hold-credit"
        case .releaseCredit: out = "(release-credit"
        case .setGrade(let e): out = "(set-grade \(e)"
        case .assign(let e): out = "(assign \(e)"
        case .tag(let t): out = "(tag \"\(t)\""
        case .untag(let t): out = "(untag \"\(t)\""
        case .note(let t): out = "(note \"\(t)\""
        case .offerPlan(let n, let every): out = "(offer-plan \(n)\(every.map { " \($0)" } ?? "")"
        case .chargeLateFee(let e): out = "(late-fee \(e)"
        case .chargeInterest(let e): out = "(interest \(e)"
        }
        if let c = condition { out += " (when \(c))" }
        if let c = cooldown { out += " (once-per \(c))" }
        return out + ")"
    }
}

extension Statement: CustomStringConvertible {
    public var description: String {
        switch self {
        case .query(let p): return p.description
        case .binding(let name, _, let p): return "(let \(name) \(p))"
        case .explain(let p, _): return "(explain \(p))"
        case .policy(let policy):
            let rules = policy.rules.map { r in
                " (rule \(r.name) \(r.query)\(r.includesDisputed ? " including-disputed" : "")\(r.actions.map { " \($0)" }.joined()))"
            }
            let tolerance = policy.tolerance.map { " (ignore-below \($0))" } ?? ""
            let levels = policy.levelsPerInvoice ? " (levels-per-invoice)" : ""
            return "(policy \(policy.name)\(policy.title.map { " \"\($0)\"" } ?? "")\(tolerance)\(levels)\(rules.joined()))"
        case .plan(let name, _): return "(plan \(name))"
        case .why(let id, let policy, _): return "(why \"\(id)\" \(policy))"
        case .test(let t):
            let steps = t.expectations.map { e -> String in
                switch e {
                case .holds(let x): return " (expect \(x))"
                case .plans(let p):
                    return
                        " (expect-plan \(p.policy)\(p.negated ? " no" : "") \(p.action) \"\(p.id)\"\(p.rule.map { " \($0)" } ?? ""))"
                }
            }
            return "(test \"\(t.name)\"\(t.asOf.map { " (as-of \($0))" } ?? "")\(steps.joined()))"
        case .import(let i):
            return "(import \(i.module)\(i.alias.map { " as \($0)" } ?? "")\(i.names.map { " \($0.name)" }.joined()))"
        case .function(let f):
            let locals = f.locals.map { " (let \($0.name) \($0.value))" }.joined()
            return "(fn \(f.name) (\(f.parameters.joined(separator: " ")))\(locals) \(f.body))"
        case .record(let r):
            switch r.kind {
            case .promise(let c, let i, let amount, let by):
                return "(record-promise \"\(c)\"\(i.map { " \"\($0)\"" } ?? "") \(amount) \(by))"
            case .dispute(let i, let reason): return "(record-dispute \"\(i)\" \"\(reason)\")"
            case .resolve(let i): return "(resolve-dispute \"\(i)\")"
            case .note(let c, let text): return "(record-note \"\(c)\" \"\(text)\")"
            }
        }
    }
}
