// AST: what the parser builds — statements, pipelines, stages, expressions, policies.

import DunCore

/// A literal value as written.
public enum Literal: Equatable, Sendable {
    case number(Decimal64)
    case money(Money)
    case date(Day)
    case duration(Duration)
    case string(String)
    case bool(Bool)
    case null
}

public enum ArithmeticOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"
    /// Text joined: `"call " ++ collector`.
    case concat = "++"
}

/// `if condition then value`, one of a conditional's branches.
public struct Branch: Equatable, Sendable {
    public var condition: Expr
    public var value: Expr
}

public enum ComparisonOperator: String, Sendable {
    case equal = "=", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
}

/// An expression and the bytes of source it spans.
public struct Expr: Equatable, Sendable {
    public var kind: ExprKind
    public var range: Range<Int>
    /// Levels of the tree below and including this node; the parser bounds it, so that
    /// the phases walking the tree recursively cannot run out of stack.
    public let depth: Int

    public init(_ kind: ExprKind, _ range: Range<Int>) {
        self.kind = kind
        self.range = range
        depth = 1 + (kind.children.map(\.depth).max() ?? 0)
    }
}

public indirect enum ExprKind: Equatable, Sendable {
    case literal(Literal)
    case name(String)
    /// `base.name`
    case member(Expr, String, nameRange: Range<Int>)
    /// `name(arguments)`
    case call(String, nameRange: Range<Int>, [Expr])
    case negate(Expr)
    case not(Expr)
    /// `a and b and …`: two or more conditions, a flat list however long the chain.
    case and([Expr])
    /// `a or b or …`: two or more conditions.
    case or([Expr])
    /// `a + b - c …` or `a * b / c …`: operators of one precedence, applied left to right;
    /// a flat list, so that a long sum is not a deep tree.
    case arithmetic(Expr, [ArithmeticStep])
    /// `a ?? b`
    case coalesce(Expr, Expr)
    case compare(ComparisonOperator, Expr, Expr)
    /// `value [not] between low and high`
    case between(Expr, Expr, Expr, negated: Bool)
    /// `value [not] in [a, b]`
    case isIn(Expr, Expr, negated: Bool)
    /// `amount in USD`: money in another currency, at the rate of the as-of date.
    case convert(Expr, Currency)
    /// `if c then a else if d then b else e`: the value of the first branch whose condition
    /// holds, else of `else` (null without one).
    case conditional([Branch], otherwise: Expr?)
    /// `value is [not] null`
    case isNull(Expr, negated: Bool)
    /// `text [not] contains part`
    case contains(Expr, Expr, negated: Bool)
    /// `table where predicate`
    case filter(Expr, Expr)
    /// `[a, b, c]`
    case list([Expr])
    /// A pipeline given where a value goes, as an argument: `f(invoices | derive k = …)`.
    case pipeline(Pipeline)
}

extension ExprKind {
    /// The expressions directly inside this one.
    public var children: [Expr] {
        switch self {
        case .literal, .name: return []
        case .member(let e, _, _), .negate(let e), .not(let e), .isNull(let e, _), .convert(let e, _): return [e]
        case .call(_, _, let args): return args
        case .coalesce(let a, let b), .compare(_, let a, let b), .isIn(let a, let b, _), .contains(let a, let b, _),
            .filter(let a, let b):
            return [a, b]
        case .arithmetic(let first, let steps): return [first] + steps.map(\.operand)
        case .between(let a, let b, let c, _): return [a, b, c]
        case .list(let items), .and(let items), .or(let items): return items
        case .conditional(let branches, let otherwise):
            return branches.flatMap { [$0.condition, $0.value] } + (otherwise.map { [$0] } ?? [])
        case .pipeline(let p): return [p.source]
        }
    }
}

/// One operator and its right operand in an arithmetic chain.
public struct ArithmeticStep: Equatable, Sendable {
    public var op: ArithmeticOperator
    public var operand: Expr
}

/// `name = expr` in select, derive, group and aggregate; the name is optional where a
/// default can be derived from the expression.
public struct Item: Equatable, Sendable {
    public var name: String?
    public var nameRange: Range<Int>?
    public var expr: Expr
}

public struct SortKey: Equatable, Sendable {
    public var expr: Expr
    public var descending: Bool
}

public struct Stage: Equatable, Sendable {
    public var kind: StageKind
    public var range: Range<Int>
}

public enum StageKind: Equatable, Sendable {
    case filter(Expr)
    case sort([SortKey])
    case take(Expr)
    case select([Item])
    case derive([Item])
    /// `group by keys aggregate values`; no keys for a bare `aggregate`.
    case group(keys: [Item], aggregates: [Item])
    /// `[group by keys] pivot key [in values] aggregate items`: the unnamed aggregate once per
    /// value of the key (its values in their order, or those listed), each a column named
    /// after the value; the named ones as they are.
    case pivot(keys: [Item], key: Expr, values: Expr?, aggregates: [Item])
    /// `total ["label"]`: after a `group by`, a last row of its aggregates over all its rows.
    case total(label: String?)
    /// `union TABLE`: the rows of another table of the same columns after these.
    case union(Expr)
    /// `accumulate NAME = VALUE, ...`: each row's running total of the value, in row order.
    case accumulate([Item])
    case count
    /// `chart [COLUMN, ...] [title "TITLE"]`: the table drawn where it prints (bars, or lines
    /// over dates), its columns those named, or all it can draw.
    case chart(columns: [ChartColumn], title: String?)
    case action(Action)
}

/// A column named in `chart`: `total`, `customer.region`, or `"90+"`.
public struct ChartColumn: Equatable, Sendable {
    public var name: String
    public var range: Range<Int>
}

/// `source | stage | stage …`
public struct Pipeline: Equatable, Sendable {
    public var source: Expr
    public var stages: [Stage]
    public var range: Range<Int>
}

public enum Channel: String, CaseIterable, Sendable {
    case email, sms, letter
}

/// What an action does; see the policies part of the language reference.
public enum ActionVerb: Equatable, Sendable {
    case remind(channel: Channel, template: String?)
    case call(by: Expr?)
    case visit(by: Expr?)
    case escalate(to: String)
    case holdCredit
    case releaseCredit
    case setGrade(Expr)
    case assign(Expr)
    case tag(String)
    case untag(String)
    case note(String)
    case offerPlan(installments: Expr, every: Expr?)
    case chargeLateFee(Expr)
    case chargeInterest(Expr)
}

/// An action with its guards: `remind via email when x at most once per 7 days`.
public struct Action: Equatable, Sendable {
    public var verb: ActionVerb
    public var condition: Expr?
    public var cooldown: Expr?
    public var range: Range<Int>
}

public struct Rule: Equatable, Sendable {
    public var name: String
    public var nameRange: Range<Int>
    public var query: Pipeline
    /// `including disputed`: the rule may act on disputed invoices.
    public var includesDisputed: Bool
    public var actions: [Action]
    public var range: Range<Int>
}

public struct Policy: Equatable, Sendable {
    public var name: String
    public var nameRange: Range<Int>
    public var title: String?
    /// `ignore balances below AMOUNT`: invoices with less left to pay are not dunned.
    public var tolerance: Expr?
    /// `levels per invoice`: each invoice acted on at its own level, rather than every
    /// customer at the highest level any of its rows reached (the default).
    public var levelsPerInvoice = false
    public var rules: [Rule]
    public var range: Range<Int>
}

public enum Statement: Equatable, Sendable {
    case query(Pipeline)
    case binding(name: String, nameRange: Range<Int>, Pipeline)
    case explain(Pipeline, range: Range<Int>)
    case policy(Policy)
    /// `plan NAME`: plans a policy defined elsewhere (the standard library's, an earlier file's).
    case plan(name: String, range: Range<Int>)
    /// `why "ID" in NAME`: which rules of a policy select a customer or an invoice, and why not.
    case why(id: String, policy: String, range: Range<Int>)
    /// `test "NAME" { … }`: run by `dun test` only.
    case test(TestBlock)
    /// `record promise …`, `record dispute …`, `resolve dispute …`, `record note …`: what a
    /// collector learned, planned like an action and journaled when applied.
    case record(Record)
    /// `fn NAME(PARAMETER, …) = QUERY`
    case function(FunctionDefinition)
    /// `import "lib/kpi.dun" [as NAME]`, `import aging`, `from MODULE import a, b`: done by the
    /// session before the statements are checked; nothing of its own.
    case `import`(Import)

    /// Where the statement is written.
    public var range: Range<Int> {
        switch self {
        case .query(let p): p.range
        case .binding(_, let name, let p): name.lowerBound..<p.range.upperBound
        case .explain(_, let range), .plan(_, let range), .why(_, _, let range): range
        case .policy(let p): p.range
        case .test(let t): t.range
        case .record(let r): r.range
        case .function(let f): f.range
        case .import(let i): i.range
        }
    }
}

public struct Import: Equatable, Sendable {
    public enum Module: Equatable, Sendable {
        /// A file, relative to the importing one's folder.
        case file(String)
        /// A module of the standard library.
        case standard(String)
    }

    public var module: Module
    /// The name its names are qualified by: `as NAME`, else the file's or module's name.
    public var alias: String?
    /// `from MODULE import a, b`: these names, unqualified too.
    public var names: [(name: String, range: Range<Int>)]
    public var range: Range<Int>

    public static func == (a: Import, b: Import) -> Bool {
        a.module == b.module && a.alias == b.alias && a.names.map(\.name) == b.names.map(\.name) && a.range == b.range
    }
}

/// `fn late(t, days) = t where days_overdue > days`: a query with parameters, checked at
/// each call with the types of its arguments.
public struct FunctionDefinition: Equatable, Sendable {
    public var name: String
    public var nameRange: Range<Int>
    public var parameters: [String]
    public var parameterRanges: [Range<Int>]
    /// The block form's `let`s, computed in order before the body, each seeing those before.
    public var locals: [Local] = []
    public var body: Pipeline
    public var range: Range<Int>

    public struct Local: Equatable, Sendable {
        public var name: String
        public var nameRange: Range<Int>
        public var value: Pipeline
    }
}

public struct Record: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// `record promise "CUSTOMER" [for "INVOICE"] AMOUNT by DATE`
        case promise(customer: String, invoice: String?, amount: Expr, by: Expr)
        /// `record dispute "INVOICE" "reason"`
        case dispute(invoice: String, reason: String)
        /// `resolve dispute "INVOICE"`
        case resolve(invoice: String)
        /// `record note "CUSTOMER" "text"`
        case note(customer: String, text: String)
    }

    public var kind: Kind
    public var range: Range<Int>
}

/// `test "NAME" { as of DATE  expect … }`: what a policy should plan, and what should hold.
public struct TestBlock: Equatable, Sendable {
    public var name: String
    public var asOf: Expr?
    public var expectations: [Expectation]
    public var range: Range<Int>
}

public enum Expectation: Equatable, Sendable {
    /// `expect CONDITION`
    case holds(Expr)
    /// `expect plan POLICY has [no] ACTION for "ID" [by RULE]`
    case plans(PlanExpectation)
}

public struct PlanExpectation: Equatable, Sendable {
    public var policy: String
    /// `has no`: the plan must not hold such an action.
    public var negated: Bool
    /// The action's words: `remind`, `hold credit` …
    public var action: String
    /// A customer's or an invoice's id.
    public var id: String
    public var rule: String?
    public var range: Range<Int>
}
