// TestBlocks: `test "NAME" { … }` blocks, run by `dun test` — what a policy should plan for a
// customer or an invoice as of a date, and what should hold.

import DunCore
import DunLanguage
import DunModel

/// How one test block went: the expectations that failed (none: it passed).
public struct TestOutcome: Sendable {
    public var name: String
    public var failures: [Diagnostic]

    public var passed: Bool { failures.isEmpty }
}

extension Session {
    /// Runs the test blocks of `source`. Each runs in a session of its own, on the same
    /// workspace and journal, as of its `as of` date (else this session's), where the
    /// source's policies and bindings are defined first. The diagnostics are those that
    /// stop the source from being tested at all (a syntax or type error).
    public func test(_ source: SourceText) -> (outcomes: [TestOutcome], diagnostics: [Diagnostic]) {
        let parsed = Parser.parse(source)
        guard parsed.diagnostics.isEmpty else { return ([], parsed.diagnostics) }
        let (statements, problems) = Checker.check(parsed.statements, source: source, schema: schema, globals: globals)
        guard problems.isEmpty else { return ([], problems) }
        var outcomes: [TestOutcome] = []
        var index = 0
        for case .test(let t) in statements {
            defer { index += 1 }
            outcomes.append(run(t, number: index, of: source))
        }
        return (outcomes, [])
    }

    private func run(_ t: CheckedTest, number: Int, of source: SourceText) -> TestOutcome {
        var outcome = TestOutcome(name: t.name, failures: [])
        func fail(_ d: Diagnostic) -> TestOutcome {
            outcome.failures.append(d)
            return outcome
        }
        // The test's own session, as of its date.
        var day = snapshot.asOf
        if let node = t.asOf {
            do {
                guard case .date(let d) = try interpreter.value(of: node) else {
                    return fail(source.diagnostic("the test's as-of date is not a date", at: t.range))
                }
                day = d
            } catch {
                return fail(source.diagnostic(error.message, at: error.range, hint: error.hint))
            }
        }
        let session: Session
        do {
            session = try Session(workspace: snapshot.workspace, asOf: day, history: history, rates: rates)
        } catch {
            return fail(error)
        }
        session.directory = directory
        session.past = past
        let defined = session.run(source, lazily: true, definitionsOnly: true)
        if !defined.succeeded { return TestOutcome(name: t.name, failures: defined.diagnostics) }
        // Checked again in the test's session, so that its names are that session's.
        let parsed = Parser.parse(source).statements
        let tests = Checker.check(parsed, source: source, schema: schema, globals: session.globals).statements.compactMap {
            if case .test(let t) = $0 { return t } else { return nil }
        }
        guard number < tests.count else { return outcome }
        for expectation in tests[number].expectations {
            if let failure = session.check(expectation, in: source) { outcome.failures.append(failure) }
        }
        return outcome
    }

    /// Why an expectation does not hold; nil when it does.
    private func check(_ expectation: CheckedExpectation, in source: SourceText) -> Diagnostic? {
        switch expectation {
        case .holds(let node, let range):
            do {
                let v = try interpreter.value(of: node)
                return v == .bool(true)
                    ? nil : source.diagnostic("expected this to hold as of \(snapshot.asOf); it is \(v)", at: range)
            } catch {
                return source.diagnostic(error.message, at: error.range, hint: error.hint)
            }
        case .plans(let p):
            guard let (policy, policySource) = defined[p.policy] else {
                return source.diagnostic("no policy '\(p.policy)'", at: p.range)
            }
            var warnings: [Diagnostic] = []
            let actions: [PlannedAction]
            do {
                actions = try planActions(policy, policySource, warnings: &warnings)
            } catch {
                return error
            }
            let customers = snapshot.workspace.customers
            let invoices = snapshot.workspace.invoices
            let about = actions.filter { a in
                customers.id[Int(a.customer)] == p.id || a.invoices.contains { invoices.id[Int($0)] == p.id }
            }
            guard let kind = ActionKind(rawValue: p.action) else {
                let near = nearestName(to: p.action, in: ActionKind.allCases.map(\.rawValue))
                return source.diagnostic("no action '\(p.action)'", at: p.range, hint: near.map { "did you mean '\($0)'?" })
            }
            let matching = about.filter { $0.action == kind && (p.rule == nil || $0.rule == p.rule) }
            if matching.isEmpty != p.negated {
                let planned = about.map { "\($0.action.rawValue) by rule \($0.rule)" }
                let what = "\(p.action) for \"\(p.id)\"\(p.rule.map { " by \($0)" } ?? "")"
                return source.diagnostic(
                    p.negated ? "expected no \(what) as of \(snapshot.asOf)" : "expected \(what) as of \(snapshot.asOf)",
                    at: p.range,
                    notes: [planned.isEmpty ? "the plan does nothing for it" : "the plan has: " + planned.joined(separator: ", ")]
                )
            }
            return nil
        }
    }
}
