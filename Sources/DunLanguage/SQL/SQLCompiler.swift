// SQLCompiler: a checked query as one SQL statement, for a database to answer (`dun sql`).
//
// Each stage becomes a query over the one before it (`SELECT … FROM (…) AS t2`), so that a
// stage sees exactly the rows the stage before it gives, as in the interpreter. Rows keep
// their order through the stages as named columns (the entity's key at first; a sort's keys
// before the order so far), since SQL keeps no order through a subquery. What has no SQL
// yet is refused, naming the construct: a query never falls back to loading everything.
//
// Dun's values where SQL's differ: a comparison with null is false (SQL: null), so conditions
// are wrapped in COALESCE(…, FALSE); nulls sort last both ways; text is ordered by code
// point (COLLATE "C").

import DunCore

/// How the model's entities are found in a database: the host says it, from the catalogue
/// and the workspace's mapping.
public protocol SQLModel: Sendable {
    /// The table (or view) holding the entity's rows, as SQL.
    func table(of entity: EntityID) -> String?
    /// The SQL of a field of `entity` on the row named `row`; or what does not compile.
    func field(_ field: Int, of entity: EntityID, row: String) -> Result<String, SQLUnsupported>
    /// The order the interpreter has the entity's rows in, as SQL over the row named `row`.
    func order(of entity: EntityID, row: String) -> [String]
    /// The condition a row of the entity meets to exist as of `day` (an invoice issued by
    /// then), as SQL over the row named `row`; nil when every row does.
    func visible(_ entity: EntityID, row: String, asOf day: Day) -> String?
    /// The one currency of the workspace's money, which a money value written out must be in.
    var currency: Currency { get }
    /// The row a reference field leads to: its entity, and the condition that joins the row
    /// named `target` to the row named `row`.
    func reference(_ field: Int, of entity: EntityID, row: String, target: String) -> (entity: EntityID, join: String)?
}

/// A construct with no SQL (yet): what it is, and where in the query.
public struct SQLUnsupported: Error, Sendable {
    public var construct: String
    public var range: Range<Int>

    public init(_ construct: String, _ range: Range<Int> = 0..<0) {
        self.construct = construct
        self.range = range
    }
}

/// One SQL dialect: names, literals, the few functions that differ between engines. PostgreSQL's
/// is also Citus's; another engine is another value of this.
public struct SQLDialect: Sendable {
    public static let postgres = SQLDialect()

    public func quote(_ name: String) -> String { SQLName.quote(name) }

    public func text(_ s: String) -> String {
        "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
    }

    public func date(_ d: Day) -> String { "DATE '\(d)'" }

    /// Text ordered by code point, as Dun orders it.
    func ordered(_ sql: String) -> String { "(\(sql)) COLLATE \"C\"" }

    /// A grade as a number in Dun's order: E lowest, A highest.
    func graded(_ sql: String) -> String {
        "(CASE \(sql) WHEN 'E' THEN 1 WHEN 'D' THEN 2 WHEN 'C' THEN 3 WHEN 'B' THEN 4 WHEN 'A' THEN 5 END)"
    }

    /// `sql` of `type` as it orders: text by code point, grades E to A.
    func ordered(_ sql: String, _ type: DunType) -> String {
        switch type {
        case .string: ordered(sql)
        case .grade: graded(sql)
        default: sql
        }
    }

    /// A value as a literal; nil for one with none.
    func literal(_ v: Value) -> String? {
        switch v {
        case .null: "NULL"
        case .bool(let b): b ? "TRUE" : "FALSE"
        case .number(let d): d.description
        case .money(let m): m.formatted(grouped: false)
        case .string(let s): text(s)
        case .grade(let g): text(g.description)
        case .date(let d): date(d)
        default: nil
        }
    }
}

/// Compiles checked queries against a model of the database, as of a day (`today`).
public struct SQLCompiler {
    public let schema: Schema
    public let model: any SQLModel
    public let dialect: SQLDialect
    public let today: Day

    public init(schema: Schema, model: any SQLModel, dialect: SQLDialect = .postgres, today: Day) {
        self.schema = schema
        self.model = model
        self.dialect = dialect
        self.today = today
    }

    /// The rows so far: a query, the entity its rows are of (nil for records), and the names
    /// of its columns: those the query made (`c0`, …, in the frame's order), and the keys of
    /// its order, first first.
    private struct Relation {
        var sql: String
        var entity: EntityID?
        var columns: Int
        var order: [(column: String, descending: Bool)]
    }

    private var counter = 0

    /// The statement for `query`; or the first construct that does not compile.
    public mutating func compile(_ query: CheckedPipeline) throws(SQLUnsupported) -> String {
        var r = try source(query.source)
        var single = false
        for stage in query.stages {
            if single { throw SQLUnsupported("a stage after count", stage.range) }
            switch stage.kind {
            case .filter(let predicate):
                let t = next()
                r.sql = "SELECT * FROM (\(r.sql)) AS \(t) WHERE \(try condition(predicate, r, t))"
            case .derive(_, let nodes):
                let t = next()
                let made = try nodes.enumerated().map { (k, n) throws(SQLUnsupported) in
                    "\(try expression(n, r, t)) AS \(column(r.columns + k))"
                }
                r.sql = "SELECT \(t).*, \(made.joined(separator: ", ")) FROM (\(r.sql)) AS \(t)"
                r.columns += nodes.count
            case .select(_, let nodes):
                let t = next()
                var made = try nodes.enumerated().map { (k, n) throws(SQLUnsupported) in
                    "\(try expression(n, r, t)) AS \(column(k))"
                }
                made += r.order.map { "\(t).\(dialect.quote($0.column)) AS \(dialect.quote($0.column))" }
                r.sql = "SELECT \(made.joined(separator: ", ")) FROM (\(r.sql)) AS \(t)"
                (r.entity, r.columns) = (nil, nodes.count)
            case .sort(let keys):
                let t = next()
                var made: [String] = []
                var order: [(column: String, descending: Bool)] = []
                for (k, key) in keys.enumerated() {
                    let name = "s\(counter)_\(k)"
                    made.append("\(try ordered(key, r, t)) AS \(dialect.quote(name))")
                    order.append((name, key.descending))
                }
                r.sql = "SELECT \(t).*, \(made.joined(separator: ", ")) FROM (\(r.sql)) AS \(t)"
                r.order = order + r.order
            case .take(let n):
                guard case .constant(.number(let count)) = n.kind, let limit = count.integerValue, limit >= 0 else {
                    throw SQLUnsupported("take of a count not written out", n.range)
                }
                let t = next()
                r.sql = "SELECT * FROM (\(r.sql)) AS \(t) ORDER BY \(orderBy(r, t)) LIMIT \(limit)"
            case .count:
                let t = next()
                r.sql = "SELECT count(*) AS \(column(0)) FROM (\(r.sql)) AS \(t)"
                (r.entity, r.columns, r.order) = (nil, 1, [])
                single = true
            case .group(let keys, let aggregates, _, let total):
                if total != nil { throw SQLUnsupported("total", stage.range) }
                r = try group(r, keys, aggregates)
            case .union: throw SQLUnsupported("union", stage.range)
            case .accumulate: throw SQLUnsupported("accumulate", stage.range)
            case .chart: throw SQLUnsupported("chart", stage.range)
            case .action: throw SQLUnsupported("an action", stage.range)
            }
        }
        return try finished(r, query)
    }

    /// The columns the query yields, in order, and its rows in the interpreter's order.
    private mutating func finished(_ r: Relation, _ query: CheckedPipeline) throws(SQLUnsupported) -> String {
        let t = next()
        var shown: [String]
        if let e = r.entity {
            // An entity's rows as a table prints: its display fields, then what was derived.
            shown = try schema[e].display.map { (f) throws(SQLUnsupported) in
                do throws(SQLUnsupported) {
                    return "\(try field(f, of: e, t, query.range)) AS \(dialect.quote(schema[e].fields[f].name))"
                } catch {
                    // Printed as they are, the rows show fields that may not compile: a select
                    // of others does.
                    throw SQLUnsupported("\(schema[e].name) printed as they are (with \(error.construct))", error.range)
                }
            }
            shown += (0..<r.columns).map { "\(t).\(column($0))" }
        } else {
            shown = (0..<r.columns).map { "\(t).\(column($0))" }
        }
        let order = r.order.isEmpty ? "" : " ORDER BY \(orderBy(r, t))"
        return "SELECT \(shown.joined(separator: ", ")) FROM (\(r.sql)) AS \(t)\(order)"
    }

    private mutating func next() -> String {
        counter += 1
        return "t\(counter)"
    }

    private func column(_ k: Int) -> String { dialect.quote("c\(k)") }

    private func orderBy(_ r: Relation, _ t: String) -> String {
        r.order.map { "\(t).\(dialect.quote($0.column)) \($0.descending ? "DESC" : "ASC") NULLS LAST" }.joined(
            separator: ", ")
    }

    private mutating func source(_ n: Node) throws(SQLUnsupported) -> Relation {
        guard case .entityTable(let e) = n.kind else { throw SQLUnsupported("a source other than an entity's rows", n.range) }
        guard let table = model.table(of: e) else {
            throw SQLUnsupported("\(schema[e].name), which the database does not have,", n.range)
        }
        let t = next()
        // The rows' first order: the one the interpreter has them in; only those there by today.
        let keys = model.order(of: e, row: t)
        let made = keys.enumerated().map { "\($1) AS \(dialect.quote("k\($0)"))" }
        let visible = model.visible(e, row: t, asOf: today).map { " WHERE \($0)" } ?? ""
        return Relation(
            sql: "SELECT \(([t + ".*"] + made).joined(separator: ", ")) FROM \(table) AS \(t)\(visible)", entity: e,
            columns: 0, order: keys.indices.map { ("k\($0)", false) })
    }

    private func field(_ f: Int, of e: EntityID, _ t: String, _ range: Range<Int>) throws(SQLUnsupported) -> String {
        switch model.field(f, of: e, row: t) {
        case .success(let sql): return sql
        case .failure(var error):
            if error.range.isEmpty { error.range = range }
            throw error
        }
    }

    /// A sort key's SQL: text in code point order.
    private mutating func ordered(_ key: (key: Node, descending: Bool), _ r: Relation, _ t: String) throws(SQLUnsupported)
        -> String
    {
        dialect.ordered(try expression(key.key, r, t), key.key.type)
    }

    /// `group by keys aggregate …`: one row per distinct key, in key order, nulls last.
    private mutating func group(_ r: Relation, _ keys: [Node], _ aggregates: [Node]) throws(SQLUnsupported) -> Relation {
        let t = next()
        var made: [String] = []
        var grouped: [String] = []
        var order: [(column: String, descending: Bool)] = []
        for (k, key) in keys.enumerated() {
            let sql = try expression(key, r, t)
            made.append("\(sql) AS \(column(k))")
            grouped.append(sql)
            // Each key's order, as a column of its own: text in code point order.
            let name = "g\(k)"
            made.append("\(dialect.ordered(sql, key.type)) AS \(dialect.quote(name))")
            order.append((name, false))
        }
        for (a, node) in aggregates.enumerated() {
            made.append("\(try aggregate(node, r, t)) AS \(column(keys.count + a))")
        }
        let by = grouped.isEmpty ? "" : " GROUP BY \(grouped.joined(separator: ", "))"
        return Relation(
            sql: "SELECT \(made.joined(separator: ", ")) FROM (\(r.sql)) AS \(t)\(by)", entity: nil,
            columns: keys.count + aggregates.count, order: order)
    }

    /// An aggregate item of a group: count, and sum, min or max of numbers and money.
    private mutating func aggregate(_ n: Node, _ r: Relation, _ t: String) throws(SQLUnsupported) -> String {
        guard case .groupAggregate(let a, let arg) = n.kind else {
            throw SQLUnsupported("an expression of aggregates (one aggregate an item)", n.range)
        }
        guard let arg else { return "count(*)" }
        let sql = try expression(arg, r, t)
        switch a {
        case .count:
            return arg.type == .bool ? "count(*) FILTER (WHERE \(sql))" : "count(\(sql))"
        case .sum:
            guard arg.type == .number || arg.type == .money else { throw SQLUnsupported("sum of \(arg.type)", n.range) }
            // The sum of no rows is 0, as in Dun.
            return "COALESCE(sum(\(sql)), 0)"
        case .min, .max:
            guard arg.type != .string, arg.type != .grade else {
                throw SQLUnsupported("\(a.rawValue) of text or grades", n.range)
            }
            return "\(a.rawValue)(\(sql))"
        case .avg:
            throw SQLUnsupported("avg (its rounding is Dun's own)", n.range)
        }
    }

    /// A condition: true or false, never null.
    private mutating func condition(_ n: Node, _ r: Relation, _ t: String) throws(SQLUnsupported) -> String {
        "COALESCE(\(try expression(n, r, t)), FALSE)"
    }

    private mutating func expression(_ n: Node, _ r: Relation, _ t: String) throws(SQLUnsupported) -> String {
        switch n.kind {
        case .constant(let v):
            if case .money(let m) = v, m.currency != model.currency {
                throw SQLUnsupported("money in \(m.currency.code), not the workspace's \(model.currency.code)", n.range)
            }
            guard let sql = dialect.literal(v) else { throw SQLUnsupported("a \(n.type) value", n.range) }
            return sql
        case .today:
            return dialect.date(today)
        case .field(0, let f):
            guard let e = r.entity else { throw SQLUnsupported("a field of rows no longer there", n.range) }
            return try field(f, of: e, t, n.range)
        case .column(0, let c):
            return "\(t).\(column(c))"
        case .member(let base, let f):
            guard case .field(0, let ref) = base.kind, let e = r.entity else {
                throw SQLUnsupported("a field of a row not read from this one", n.range)
            }
            let target = next()
            guard let (other, join) = model.reference(ref, of: e, row: t, target: target),
                let table = model.table(of: other)
            else { throw SQLUnsupported("\(schema[e].fields[ref].name)'s row", base.range) }
            let value = try field(f, of: other, target, n.range)
            return "(SELECT \(value) FROM \(table) AS \(target) WHERE \(join))"
        case .negate(let x):
            return "(-\(try expression(x, r, t)))"
        case .not(let x):
            return "(NOT \(try condition(x, r, t)))"
        case .and(let items), .or(let items):
            let op: String
            if case .and = n.kind { op = " AND " } else { op = " OR " }
            var parts: [String] = []
            for item in items { parts.append(try condition(item, r, t)) }
            return "(\(parts.joined(separator: op)))"
        case .arithmetic(let first, let steps):
            var sql = try expression(first, r, t)
            var type = first.type
            for step in steps {
                let operand = try expression(step.operand, r, t)
                switch (step.op, type, step.operand.type) {
                case (.add, .number, .number), (.subtract, .number, .number), (.multiply, .number, .number),
                    (.add, .money, .money), (.subtract, .money, .money):
                    sql = "(\(sql) \(step.op.rawValue) \(operand))"
                case (.add, .date, .duration), (.subtract, .date, .duration):
                    guard case .constant(.duration(.days(let days))) = step.operand.kind else {
                        throw SQLUnsupported("a date moved by months, or by days not written out", step.range)
                    }
                    sql = "(\(sql) \(step.op.rawValue) \(days))"
                case (.subtract, .date, .date):
                    sql = "(\(sql) - \(operand))"
                default:
                    throw SQLUnsupported("\(type) \(step.op.rawValue) \(step.operand.type)", step.range)
                }
                type = step.type
            }
            return sql
        case .coalesce(let a, let b):
            return "COALESCE(\(try expression(a, r, t)), \(try expression(b, r, t)))"
        case .compare(let op, let a, let b):
            var (x, y) = (try expression(a, r, t), try expression(b, r, t))
            if op != .equal, op != .notEqual { (x, y) = (dialect.ordered(x, a.type), dialect.ordered(y, b.type)) }
            return "COALESCE(\(x) \(op.sql) \(y), FALSE)"
        case .between(let x, let lo, let hi, let negated):
            guard x.type != .string, x.type != .grade else { throw SQLUnsupported("between of text or grades", n.range) }
            // Dun: a null is neither between nor not between.
            let between = negated ? "NOT BETWEEN" : "BETWEEN"
            return
                "COALESCE(\(try expression(x, r, t)) \(between) \(try expression(lo, r, t)) AND \(try expression(hi, r, t)), FALSE)"
        case .isIn(let x, let set, let negated):
            guard case .list(let items) = set.kind else { throw SQLUnsupported("in of a list not written out", set.range) }
            var values: [String] = []
            for item in items { values.append(try expression(item, r, t)) }
            guard !values.isEmpty else { return negated ? "TRUE" : "FALSE" }
            let sql = "COALESCE(\(try expression(x, r, t)) IN (\(values.joined(separator: ", "))), FALSE)"
            // Dun: a null is in no list, and not in none.
            return negated ? "(\(try expression(x, r, t)) IS NOT NULL AND NOT \(sql))" : sql
        case .isNull(let x, let negated):
            return "(\(try expression(x, r, t)) IS \(negated ? "NOT " : "")NULL)"
        case .conditional(let branches, let otherwise):
            var sql = "CASE"
            for b in branches {
                sql += " WHEN \(try condition(b.condition, r, t)) THEN \(try expression(b.value, r, t))"
            }
            return sql + " ELSE \(try otherwise.map { (o) throws(SQLUnsupported) in try expression(o, r, t) } ?? "NULL") END"
        case .extreme(let args, let largest):
            guard args.allSatisfy({ $0.type == .number || $0.type == .money || $0.type == .date }) else {
                throw SQLUnsupported("\(largest ? "max" : "min") of text or grades", n.range)
            }
            var parts: [String] = []
            for a in args { parts.append(try expression(a, r, t)) }
            return "\(largest ? "GREATEST" : "LEAST")(\(parts.joined(separator: ", ")))"
        case .inlined(let name, _), .function(let name, _, _, _):
            throw SQLUnsupported("a call of \(name.isEmpty ? "a pipeline" : name)", n.range)
        case .call(let builtin, _):
            throw SQLUnsupported("\(builtin.name)()", n.range)
        case .aggregate:
            throw SQLUnsupported("an aggregate of each row's related rows", n.range)
        case .filter:
            throw SQLUnsupported("a table inside an expression", n.range)
        case .asOf:
            throw SQLUnsupported("as_of", n.range)
        default:
            throw SQLUnsupported("this expression", n.range)
        }
    }
}

extension ComparisonOperator {
    var sql: String {
        switch self {
        case .equal: "="
        case .notEqual: "<>"
        case .less: "<"
        case .lessEqual: "<="
        case .greater: ">"
        case .greaterEqual: ">="
        }
    }
}

extension Interpreter {
    /// The statement `query` compiles to against `model`, as of the data's day, with what reads
    /// no row computed first; or the first construct that does not compile, at its place (the
    /// query's when it has none).
    public func sql(_ query: CheckedPipeline, model: any SQLModel, dialect: SQLDialect = .postgres) throws(SQLUnsupported)
        -> String
    {
        var compiler = SQLCompiler(schema: schema, model: model, dialect: dialect, today: data.today)
        do {
            return try compiler.compile(folded(query))
        } catch {
            var e = error
            if e.range.isEmpty { e.range = query.range }
            throw e
        }
    }
}
