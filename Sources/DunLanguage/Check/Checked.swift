// Checked program: what the checker hands the interpreter — names resolved to slots, types known.

import DunCore

/// A checked expression.
public struct Node: Sendable {
    var kind: NodeKind
    public var type: DunType
    var range: Range<Int>
}

/// Where a projection (`table.field`) reads from.
enum Projection: Sendable {
    case field(Int)
    case column(Int)
}

indirect enum NodeKind: Sendable {
    case constant(Value)
    case today
    /// A field of the entity row `depth` scopes out (0 = the innermost row).
    case field(depth: Int, field: Int)
    /// A derived or record column of the row `depth` scopes out.
    case column(depth: Int, index: Int)
    /// A `let` binding of the session.
    case global(Int)
    case entityTable(EntityID)
    /// A field of a row-valued expression (`invoice.customer.region`); null rows give null.
    case member(Node, field: Int)
    /// A field of every row of a table: a list.
    case project(Node, Projection)
    case negate(Node)
    case not(Node)
    case and([Node])
    case or([Node])
    /// `first op x op y …`, applied left to right.
    case arithmetic(Node, [CheckedStep])
    case coalesce(Node, Node)
    case compare(ComparisonOperator, Node, Node)
    case between(Node, Node, Node, negated: Bool)
    case isIn(Node, Node, negated: Bool)
    case isNull(Node, negated: Bool)
    /// Money in another currency, at the rate of the as-of date.
    case convert(Node, Currency)
    /// The value of the first branch whose condition holds, else of `otherwise` (null without).
    case conditional([CheckedBranch], otherwise: Node?)
    /// A parameter of the function being computed.
    case parameter(Int)
    /// `as_of(day, value)`: the value computed with the data as of the day.
    case asOf(Node, Node)
    /// A function's body, checked for the types of these arguments, computed with their values.
    /// `locals`: the block's lets, computed in order after the arguments, as parameters after them.
    case function(name: String, locals: [CheckedPipeline], body: CheckedPipeline, arguments: [Node])
    /// A function's body of one expression, its parameters replaced by the call's arguments
    /// (`Inlining`); an error in it is told at the call, as the function's.
    case inlined(name: String, Node)
    case contains(Node, Node, negated: Bool)
    /// `table where predicate`; the predicate sees each row as the innermost scope.
    case filter(Node, Node)
    case list([Node])
    case call(Builtin, [Node])
    /// `min(a, b, …)` or `max(a, b, …)`: the extreme non-null argument.
    case extreme([Node], largest: Bool)
    /// An aggregate over a table or list argument (`count(invoices)`, `sum(invoices.balance)`).
    case aggregate(Aggregate, Node?)
    /// An aggregate over the rows of the current group, the argument evaluated on each.
    case groupAggregate(Aggregate, Node?)
    /// A `groupAggregate` folded for every group before the groups are computed
    /// (`Interpreter.prefolded`): the group's value, by its number.
    case groupFolded(Int)
}

/// A branch of a conditional: its condition, and its value.
struct CheckedBranch: Sendable {
    var condition: Node
    var value: Node
}

/// One operator of an arithmetic chain, with its right operand.
struct CheckedStep: Sendable {
    var op: ArithmeticOperator
    var operand: Node
    /// The type of the chain up to and including this step.
    var type: DunType
    /// The source from the chain's start to the operand's end, where an error of this step is shown.
    var range: Range<Int>
}

public struct CheckedStage: Sendable {
    var kind: CheckedStageKind
    var range: Range<Int>
}

enum CheckedStageKind: Sendable {
    case filter(Node)
    case sort([(key: Node, descending: Bool)])
    case take(Node)
    case select([Column], [Node])
    case derive([Column], [Node])
    /// `total`: a last row, labelled so in the first key's column, of the aggregates over all rows.
    case group(keys: [Node], aggregates: [Node], columns: [Column], total: String?)
    case count
    /// `union`: the other table's rows after these; the columns are these.
    case union(Node, [Column])
    /// `accumulate`: the running totals, as `derive` adds columns.
    case accumulate([Column], [Node])
    /// `chart`: the columns it draws, made as `select` makes them (the labels first, if any).
    case chart(ChartSpec, [Column], [Node])
    case action(CheckedAction)
}

/// What a `chart` stage says of its table, beyond its columns: how the host draws it.
public struct ChartSpec: Sendable, Equatable {
    /// The first column holds the labels (text, a bucket, a grade, or a date: then the chart
    /// is of lines over the dates). Without, the table is one row, and each column a bar.
    public var labelled: Bool
    public var title: String?

    public init(labelled: Bool, title: String?) {
        self.labelled = labelled
        self.title = title
    }
}

/// A checked action; planning and applying it belongs to the policies layer.
public struct CheckedAction: Sendable {
    public var action: Action
    /// The checked expressions of the action (`by`, `when`, amounts), in source order.
    var nodes: [Node]
}

public struct CheckedPipeline: Sendable {
    var source: Node
    var stages: [CheckedStage]
    /// What the pipeline yields: a table, or a single value.
    public var type: DunType
    public internal(set) var range: Range<Int>
}

public struct CheckedRule: Sendable {
    public var name: String
    public var nameRange: Range<Int>
    public var includesDisputed: Bool
    public var query: CheckedPipeline
    public var actions: [CheckedAction]
}

public struct CheckedTest: Sendable {
    public var name: String
    public var asOf: Node?
    public var expectations: [CheckedExpectation]
    public var range: Range<Int>
}

public enum CheckedExpectation: Sendable {
    case holds(Node, range: Range<Int>)
    case plans(PlanExpectation)
}

public struct CheckedPolicy: Sendable {
    public var name: String
    public var title: String?
    /// An amount: invoices with less left to pay are not dunned.
    public var tolerance: Node?
    /// Each invoice at its own level, rather than each customer at its highest.
    public var levelsPerInvoice: Bool
    public var rules: [CheckedRule]
}

public enum CheckedStatement: Sendable {
    case query(CheckedPipeline)
    case binding(slot: Int, name: String, CheckedPipeline)
    case explain(CheckedPipeline)
    case policy(CheckedPolicy)
    case plan(name: String, range: Range<Int>)
    case why(id: String, policy: String, range: Range<Int>)
    case test(CheckedTest)
    /// A record with its amount and day checked: `nodes` holds a promise's amount and day.
    case record(Record, nodes: [Node])
    /// A function, and the module it is defined in.
    case function(FunctionDefinition, module: String?)
    /// `import …`: done before the statements were checked.
    case imported(range: Range<Int>)

    /// Where the statement's pipeline is in its source (a policy: its first rule's).
    public var range: Range<Int> {
        switch self {
        case .query(let p), .binding(_, _, let p), .explain(let p): return p.range
        case .policy(let p): return p.rules.first?.query.range ?? 0..<0
        case .plan(_, let range), .why(_, _, let range): return range
        case .test(let t): return t.range
        case .record(let r, _): return r.range
        case .function(let f, _): return f.range
        case .imported(let range): return range
        }
    }
}
