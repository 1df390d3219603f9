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
    /// The table (or view, or query) holding the entity's rows, as SQL; or why there is none.
    func table(of entity: EntityID) -> Result<String, SQLUnsupported>
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
    /// The rows a table field of `entity` holds (a customer's `invoices`): their entity, and
    /// their reference field that leads back to the row.
    func children(_ field: Int, of entity: EntityID) -> (entity: EntityID, owner: Int)?
    /// The same tables with the derived fields as of another day (`as_of`).
    func asOf(_ day: Day) -> any SQLModel
    /// The database's dialect, which the query is written in too.
    var dialect: any SQLDialect { get }
}

/// A construct with no SQL (yet): what it is, and where in the query.
public struct SQLUnsupported: Error, Sendable {
    public var construct: String
    public var range: Range<Int>

    /// The function, called in the query, whose body holds the construct (its place is in
    /// the function's source: the call stands for it).
    public var function: String?

    public init(_ construct: String, _ range: Range<Int> = 0..<0) {
        self.construct = construct
        self.range = range
    }

    /// What is said of it.
    public var message: String { "\(function.map { "in \($0): " } ?? "")\(construct) does not compile to SQL" }

    /// This, found in the body of the function `name` called at `range`: said at the call. A
    /// pipeline given as an argument (no name) is in the query already.
    func within(_ name: String, at range: Range<Int>) -> SQLUnsupported {
        guard !name.isEmpty else { return self }
        var e = self
        (e.function, e.range) = (name, range)
        return e
    }
}

/// Compiles checked queries against a model of the database, as of a day (`today`).
public struct SQLCompiler {
    public let schema: Schema
    public let model: any SQLModel
    public let dialect: any SQLDialect
    public let today: Day

    /// The session's `let`s of tables, by slot: a query on one reads the let's query.
    public let lets: [Int: CheckedPipeline]
    /// What reads no row in a function's body written out for a call, computed first
    /// (`Interpreter.folded`), as in the query it is called from.
    let fold: (CheckedPipeline) -> CheckedPipeline

    init(
        schema: Schema, model: any SQLModel, today: Day, lets: [Int: CheckedPipeline] = [:],
        fold: @escaping (CheckedPipeline) -> CheckedPipeline = { $0 }
    ) {
        self.schema = schema
        self.model = model
        self.dialect = model.dialect
        self.today = today
        self.lets = lets
        self.fold = fold
    }

    /// The rows so far: a query, the entity its rows are of (nil for records), and the names
    /// of its columns: those the query made (`c0`, …, in the frame's order), and the keys of
    /// its order, first first.
    fileprivate struct Relation {
        var sql: String
        var entity: EntityID?
        var columns: Int
        var order: [(column: String, descending: Bool)]
        /// The days a column is known to hold before the query runs (a table of dates
        /// written out, `ends_of(month, …)`), by column: `as_of` of each of its rows is a
        /// choice among those days.
        var days: [Int: [Day]] = [:]
    }

    private var counter = 0
    /// The rows of other tables the stage being compiled reads (`customer.region`), each
    /// joined once by the reference followed: at most one row each (the other table's key),
    /// found by a join the database plans once rather than a lookup per row.
    private var joins: [(key: String, alias: String, entity: EntityID, sql: String)] = []
    /// Compiling a group's items, whose aggregates are of the group's rows.
    private var grouping = false
    /// The rows outside the related rows being aggregated, innermost last, which their
    /// condition reads (`count(invoices where amount > credit_limit)`): each joined to those
    /// rows by its key, under its alias.
    private var owners: [(alias: String, relation: Relation)] = []
    /// Compiling what `as_of` computes as of another day: the session's lets, made as of the
    /// run's date, are not read there.
    private var elsewhen = false

    /// Tables that an aggregate of a whole table reads for each row (`sum(paid.amount where
    /// k = collector)`: the let `paid`, or a function's), and values of whole tables, each
    /// made once for the statement (a CTE, by its name: `dialect.with`), in the order
    /// made. Written where they are read, a table's query would be run again for each row,
    /// and a value's each time it is written: a database does not keep what a subquery read.
    private var shared: [(name: String, sql: String)] = []
    /// Compiling the rows an aggregate of a whole table reads for each row: what of them
    /// reads no row is `shared`.
    private var making = false

    /// The statement for `query`; or the first construct that does not compile.
    public mutating func compile(_ query: CheckedPipeline) throws(SQLUnsupported) -> String {
        let statement = try finished(try relation(query), query)
        guard !shared.isEmpty else { return statement }
        return dialect.with(shared, statement)
    }

    /// The rows `query` gives, in order; a query of one value (`count(invoices)`), one row of
    /// it.
    private mutating func relation(_ query: CheckedPipeline) throws(SQLUnsupported) -> Relation {
        guard case .table = query.source.type else {
            // The host reads back values of these types only.
            guard [.string, .number, .money, .date, .bool, .grade, .bucket].contains(query.type) else {
                throw SQLUnsupported("a \(query.type.name(in: schema)) value", query.range)
            }
            let value = try expression(query.source, Relation(sql: "", entity: nil, columns: 0, order: []), next())
            return Relation(sql: "SELECT \(value) AS \(column(0))", entity: nil, columns: 1, order: [])
        }
        var r = try source(query.source)
        var single = false
        for stage in query.stages {
            if single { throw SQLUnsupported("a stage after count", stage.range) }
            switch stage.kind {
            case .filter(let predicate):
                let t = next()
                let test = try condition(predicate, r, t)
                r.sql = "SELECT \(t).* FROM \(from(r, t)) WHERE \(test)"
            case .derive(_, let nodes):
                let t = next()
                r.days.merge(r.days(of: nodes).map { ($0 + r.columns, $1) }) { $1 }
                let made = try nodes.enumerated().map { (k, n) throws(SQLUnsupported) in
                    "\(try expression(n, r, t)) AS \(column(r.columns + k))"
                }
                r.sql = "SELECT \(t).*, \(made.joined(separator: ", ")) FROM \(from(r, t))"
                r.columns += nodes.count
            case .select(_, let nodes), .chart(_, _, let nodes):
                // A chart draws the columns it makes as a select makes them; the host draws it.
                let t = next()
                var made = try nodes.enumerated().map { (k, n) throws(SQLUnsupported) in
                    "\(try expression(n, r, t)) AS \(column(k))"
                }
                made += r.order.map { "\(t).\(dialect.quote($0.column)) AS \(dialect.quote($0.column))" }
                r.sql = "SELECT \(made.joined(separator: ", ")) FROM \(from(r, t))"
                (r.entity, r.columns) = (nil, nodes.count)
                r.days = r.days(of: nodes)
            case .sort(let keys):
                let t = next()
                var made: [String] = []
                var order: [(column: String, descending: Bool)] = []
                for (k, key) in keys.enumerated() {
                    let name = "s\(counter)_\(k)"
                    made.append("\(try ordered(key, r, t)) AS \(dialect.quote(name))")
                    order.append((name, key.descending))
                }
                r.sql = "SELECT \(t).*, \(made.joined(separator: ", ")) FROM \(from(r, t))"
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
                (r.entity, r.columns, r.order, r.days) = (nil, 1, [], [:])
                single = true
            case .group(let keys, let aggregates, _, let total):
                r = try group(r, keys, aggregates, total: total, stage.range)
            case .union(let other, let columns):
                r = try union(r, other, columns, stage.range)
            case .accumulate(_, let nodes):
                // Running totals in row order: null until the first value, nulls skipped.
                let t = next()
                let window =
                    r.order.isEmpty ? "" : "ORDER BY \(orderBy(r, t)) ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
                let made = try nodes.enumerated().map { (k, n) throws(SQLUnsupported) in
                    "sum(\(try expression(n, r, t))) OVER (\(window)) AS \(column(r.columns + k))"
                }
                r.sql = "SELECT \(t).*, \(made.joined(separator: ", ")) FROM \(from(r, t))"
                r.columns += nodes.count
            case .action: throw SQLUnsupported("an action", stage.range)
            }
        }
        return r
    }

    /// `union`: the other table's rows after these, each side in its own order (numbered
    /// by it), the columns these.
    private mutating func union(_ r: Relation, _ other: Node, _ types: [Column], _ range: Range<Int>) throws(SQLUnsupported)
        -> Relation
    {
        let outer = joins
        joins = []
        defer { joins = outer }
        let o = try source(other)
        guard r.entity == nil, o.entity == nil, o.columns == r.columns else {
            throw SQLUnsupported("union of tables not of the same columns", range)
        }
        let (side, place) = ("u\(counter)", "n\(counter)")
        let sides = [(r, 0), (o, 1)].map { (rows, k) in
            let t = next()
            let order = rows.order.isEmpty ? "" : "ORDER BY \(orderBy(rows, t))"
            // Each column of its type on both sides: a null written out is of none.
            let columns = (0..<rows.columns).map { k in
                let sql = "\(t).\(column(k))"
                return k < types.count ? dialect.typed(sql, types[k].type) : sql
            }
            return
                "SELECT \((columns + ["\(k) AS \(dialect.quote(side))", "row_number() OVER (\(order)) AS \(dialect.quote(place))"]).joined(separator: ", ")) FROM (\(rows.sql)) AS \(t)"
        }
        return Relation(
            sql: sides.joined(separator: " UNION ALL "), entity: nil, columns: r.columns,
            order: [(side, false), (place, false)])
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
        return "SELECT \(shown.joined(separator: ", ")) FROM \(from(r, t))\(order)"
    }

    /// Whether `n` is a whole number wherever it is not null, which a duration may be
    /// multiplied by (Dun refuses any other): a whole number written out, or `round(x)`.
    private func isWhole(_ n: Node) -> Bool {
        switch n.kind {
        case .constant(.number(let d)): d.integerValue != nil
        case .call(let builtin, let args): builtin.isRound && args.count == 1 && args[0].type == .number
        default: false
        }
    }

    /// The name of the CTE of `sql` (the first made, for the same SQL).
    private mutating func share(_ sql: String) -> String {
        if let known = shared.first(where: { $0.sql == sql }) { return known.name }
        shared.append((dialect.made(shared.count + 1), sql))
        return dialect.made(shared.count)
    }

    private mutating func next() -> String {
        counter += 1
        return "t\(counter)"
    }

    private func column(_ k: Int) -> String { dialect.quote("c\(k)") }

    /// The rows so far as the stage's source, named `t`, with the rows its expressions joined.
    private mutating func from(_ r: Relation, _ t: String) -> String {
        defer { joins = [] }
        return "(\(r.sql)) AS \(t)" + joins.map { " LEFT JOIN \($0.sql)" }.joined()
    }

    /// The row that reference field `ref` of the row named `t` leads to, joined for the stage:
    /// its name and entity.
    private mutating func joined(_ ref: Int, of e: EntityID, _ t: String, _ range: Range<Int>) throws(SQLUnsupported) -> (
        alias: String, entity: EntityID
    ) {
        let key = "\(t).\(ref)"
        if let j = joins.first(where: { $0.key == key }) { return (j.alias, j.entity) }
        let target = next()
        guard let (other, join) = model.reference(ref, of: e, row: t, target: target) else {
            throw SQLUnsupported("\(schema[e].fields[ref].name)'s row", range)
        }
        let table = try table(of: other, range)
        joins.append((key, target, other, "\(table) AS \(target) ON \(join)"))
        return (target, other)
    }

    private func orderBy(_ r: Relation, _ t: String) -> String {
        r.order.map { "\(t).\(dialect.quote($0.column)) \($0.descending ? "DESC" : "ASC") NULLS LAST" }.joined(
            separator: ", ")
    }

    private mutating func source(_ n: Node) throws(SQLUnsupported) -> Relation {
        // Read for each row, made once (an entity's table is read as it is).
        if making, !n.readsRow(), !{ if case .entityTable = n.kind { true } else { false } }() {
            // Its names numbered afresh, so that the same table compiled again is the same SQL:
            // in the statement's WITH, they are apart from the query's.
            let outer = counter
            (making, counter) = (false, 0)
            defer { (making, counter) = (true, max(outer, counter)) }
            var rows = try source(n)
            rows.sql = "SELECT * FROM \(dialect.quote(share(rows.sql)))"
            return rows
        }
        switch n.kind {
        case .global(let slot):
            // A let's rows, as its own query gives them: read where used, never kept.
            guard !elsewhen else { throw SQLUnsupported("a let read as of another day", n.range) }
            guard let defined = lets[slot] else { throw SQLUnsupported("a let of a value", n.range) }
            return try relation(defined)
        case .asOf(let day, let body):
            // Another day's rows, their fields as of then: named columns, as a select makes.
            var inner = try elsewhere(day, body)
            let r = try inner.relation(inner.pipeline(of: body))
            (counter, shared) = (inner.counter, inner.shared)
            guard let e = r.entity else { return r }
            // An entity's rows: their display fields made here, as of then.
            let t = inner.next()
            var made = try schema[e].display.enumerated().map { (k, f) throws(SQLUnsupported) in
                "\(try inner.field(f, of: e, t, n.range)) AS \(column(k))"
            }
            made += (0..<r.columns).map { "\(t).\(column($0)) AS \(column(schema[e].display.count + $0))" }
            made += r.order.map { "\(t).\(dialect.quote($0.column)) AS \(dialect.quote($0.column))" }
            let sql = "SELECT \(made.joined(separator: ", ")) FROM \(inner.from(r, t))"
            (counter, shared) = (inner.counter, inner.shared)
            return Relation(sql: sql, entity: nil, columns: schema[e].display.count + r.columns, order: r.order)
        case .function(let name, _, _, _):
            do { return try relation(try expanded(n)) } catch { throw error.within(name, at: n.range) }
        case .inlined(let name, let body):
            do { return try source(body) } catch { throw error.within(name, at: n.range) }
        case .filter(let table, let predicate):
            var r = try source(table)
            let t = next()
            let test = try condition(predicate, r, t)
            r.sql = "SELECT \(t).* FROM \(from(r, t)) WHERE \(test)"
            return r
        case .entityTable:
            break
        case .constant(.table(let frame)) where frame.entity == nil:
            return try values(frame, n.range)
        default:
            throw SQLUnsupported("a source other than an entity's rows", n.range)
        }
        guard case .entityTable(let e) = n.kind else { throw SQLUnsupported("a source other than an entity's rows", n.range) }
        let table = try table(of: e, n.range)
        let t = next()
        // The rows' first order: the one the interpreter has them in; only those there by today.
        let keys = model.order(of: e, row: t)
        let made = keys.enumerated().map { "\($1) AS \(dialect.quote("k\($0)"))" }
        let visible = model.visible(e, row: t, asOf: today).map { " WHERE \($0)" } ?? ""
        return Relation(
            sql: "SELECT \(([t + ".*"] + made).joined(separator: ", ")) FROM \(table) AS \(t)\(visible)", entity: e,
            columns: 0, order: keys.indices.map { ("k\($0)", false) })
    }

    /// A compiler for `body` as of `day` (`as_of(day, body)`): the model's fields as of then,
    /// `today` that day. The day must be known before the query runs, and the body read no
    /// row (a value of each row as of another day is not compiled).
    private func elsewhere(_ day: Node, _ body: Node) throws(SQLUnsupported) -> SQLCompiler {
        guard case .constant(.date(let then)) = day.kind else {
            throw SQLUnsupported("as_of a day not known before the query runs", day.range)
        }
        guard !body.readsRow() else { throw SQLUnsupported("as_of of each row", body.range) }
        let fold = self.fold
        // `today` in the body, and in what its calls write out, is that day.
        var inner = SQLCompiler(
            schema: schema, model: model.asOf(then), today: then, lets: [:],
            fold: { fold($0.replacingToday(with: then)) })
        (inner.counter, inner.shared) = (counter, shared)
        inner.elsewhen = true
        return inner
    }

    /// `node` as a query of its own, what reads no row computed first.
    private func pipeline(of node: Node) -> CheckedPipeline {
        fold(CheckedPipeline(source: node, stages: [], type: node.type, range: node.range))
    }

    /// A call of a function (`aging.open(invoices)`, or a pipeline given as an argument) as
    /// the query its body is for these arguments: each parameter, then each `let` of the body
    /// in turn, replaced by what it stands for, and what reads no row computed. Arguments
    /// that read a row (a call on each row) are refused.
    private func expanded(_ n: Node) throws(SQLUnsupported) -> CheckedPipeline {
        guard case .function(let name, let locals, let body, let arguments) = n.kind else {
            throw SQLUnsupported("this expression", n.range)
        }
        guard !arguments.contains(where: { $0.readsRow() }) else {
            throw SQLUnsupported("a call of \(name.isEmpty ? "a pipeline" : name) on each row", n.range)
        }
        var given = arguments
        for local in locals { given.append(fold(local.substituting(given)).node) }
        return fold(body.substituting(given))
    }

    /// The entity's table, or why there is none, said at `range`.
    private func table(of e: EntityID, _ range: Range<Int>) throws(SQLUnsupported) -> String {
        switch model.table(of: e) {
        case .success(let sql): return sql
        case .failure(var error):
            if error.range.isEmpty { error.range = range }
            throw error
        }
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

    /// `group by keys aggregate …`: one row per distinct key, in key order, nulls last; with
    /// `total`, then a row of the aggregates over all rows, the label in the first key's column.
    private mutating func group(
        _ r: Relation, _ keys: [Node], _ aggregates: [Node], total: String?, _ range: Range<Int>
    ) throws(SQLUnsupported) -> Relation {
        guard let total else { return try group(r, keys, aggregates) }
        // The first key's column is text then: keys that are text in SQL as they print.
        guard let first = keys.first, [.string, .grade, .bucket].contains(first.type) else {
            throw SQLUnsupported("total beside a first key that is not text", range)
        }
        let groups = try group(r, keys, aggregates)
        let t = next()
        grouping = true
        defer { grouping = false }
        var made = [dialect.text(total) + " AS \(column(0))"]
        for k in keys.indices {
            if k > 0 { made.append("NULL AS \(column(k))") }
            made.append("NULL AS \(dialect.quote("g\(k)"))")
        }
        for (a, node) in aggregates.enumerated() {
            made.append("\(try expression(node, r, t)) AS \(column(keys.count + a))")
        }
        let u = next()
        // The groups first, the total last: an order column of its own.
        return Relation(
            sql: "SELECT \(u).*, 0 AS \(dialect.quote("gt")) FROM (\(groups.sql)) AS \(u)"
                + " UNION ALL SELECT \(made.joined(separator: ", ")), 1 FROM \(from(r, t))",
            entity: nil, columns: groups.columns, order: [("gt", false)] + groups.order)
    }

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
        grouping = true
        defer { grouping = false }
        for (a, node) in aggregates.enumerated() {
            made.append("\(try expression(node, r, t)) AS \(column(keys.count + a))")
        }
        let by = grouped.isEmpty ? "" : " GROUP BY \(grouped.joined(separator: ", "))"
        return Relation(
            sql: "SELECT \(made.joined(separator: ", ")) FROM \(from(r, t))\(by)", entity: nil,
            columns: keys.count + aggregates.count, order: order)
    }

    /// An aggregate of a group's rows: count, and sum, min or max of numbers and money.
    private mutating func aggregate(_ n: Node, _ a: Aggregate, _ arg: Node?, _ r: Relation, _ t: String) throws(SQLUnsupported)
        -> String
    {
        guard let arg else { return "count(*)" }
        let sql = try expression(arg, r, t)
        switch a {
        case .count:
            return arg.type == .bool ? dialect.count(where: sql) : "count(\(sql))"
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
            return try average(sql, arg.type, n.range)
        }
    }

    /// The average of the values `sql` over the rows aggregated, as Dun's fold makes it: their
    /// sum divided by how many are not null, a number to 6 places (or as many as the sum has)
    /// as Dun's decimals hold it, money to its minor unit; null over none.
    private func average(_ sql: String, _ type: DunType, _ range: Range<Int>) throws(SQLUnsupported) -> String {
        let (total, count) = (dialect.decimal("sum(\(sql))"), "count(\(sql))")
        switch type {
        case .number:
            return dialect.decimal64(
                dialect.rounded(
                    dialect.quotient(total, "NULLIF(\(count), 0)"),
                    places: "GREATEST(\(dialect.scale(total)), \(Decimal64.divisionScale))")
            )
        case .money:
            return dialect.rounded(dialect.quotient(total, "NULLIF(\(count), 0)"), places: "\(model.currency.minorUnit)")
        default:
            throw SQLUnsupported("avg of \(type)", range)
        }
    }

    /// A chain of `*` and `/` on numbers and money as Dun computes it (`Value.chain`): one
    /// fraction, the multiplied operands over the divided ones, worked out exactly. Money is
    /// rounded to its minor unit at the end; a number is exact, with the fewest places that
    /// hold it, when 18 places do, else rounded to 6 (or the most an operand has).
    private mutating func product(
        _ n: Node, _ first: Node, _ steps: [CheckedStep], _ r: Relation, _ t: String
    ) throws(SQLUnsupported) -> String {
        let x = try expression(first, r, t)
        var over = [dialect.decimal(x)]
        var under: [String] = []
        var places = [first.type == .money ? "\(model.currency.minorUnit)" : dialect.scale(dialect.decimal(x))]
        for step in steps {
            let o = try expression(step.operand, r, t)
            if step.op == .multiply { over.append(dialect.decimal(o)) } else { under.append(dialect.decimal(o)) }
            places.append(step.operand.type == .money ? "\(model.currency.minorUnit)" : dialect.scale(dialect.decimal(o)))
        }
        let numerator = over.joined(separator: " * ")
        let quotient = under.isEmpty ? numerator : dialect.quotient(numerator, under.joined(separator: " * "))
        if n.type == .money { return dialect.rounded(quotient, places: "\(model.currency.minorUnit)") }
        guard !under.isEmpty else { return dialect.withoutTrailingZeros(numerator) }
        let denominator = under.joined(separator: " * ")
        let at18 = dialect.rounded(quotient, places: "\(Decimal64.maxScale)")
        return "(CASE WHEN \(at18) * (\(denominator)) = (\(numerator)) THEN \(dialect.withoutTrailingZeros(at18))"
            + " ELSE \(dialect.rounded(quotient, places: "GREATEST(\(Decimal64.divisionScale), \(places.joined(separator: ", ")))")) END)"
    }

    /// An aggregate of each row's related rows (`sum((invoices where issued > d).amount)` of a
    /// customer), as the interpreter folds it for a whole table (`aggregatePerRow`): the
    /// related rows grouped by their owner once, joined to the stage's rows. Only a condition
    /// on the related row alone compiles.
    private mutating func related(_ n: Node, _ a: Aggregate, _ arg: Node?, _ r: Relation, _ t: String) throws(SQLUnsupported)
        -> String
    {
        guard let arg, let e = r.entity, let (field, predicate, projectedField, distinct) = RelatedRows.shape(arg),
            let (child, owner) = model.children(field, of: e)
        else { throw SQLUnsupported("an aggregate of each row's related rows", n.range) }
        let source = try table(of: child, n.range)
        // The related rows' field, of its own type (a count of true/false counts the true).
        let projected = projectedField.map {
            Node(kind: .field(depth: 0, field: $0), type: schema[child].fields[$0].type, range: arg.range)
        }
        // The related rows' own stage: their joins are theirs.
        let outer = joins
        joins = []
        let c = next()
        let rows = Relation(sql: "", entity: child, columns: 0, order: [])
        let key = try self.field(owner, of: child, c, n.range)
        var tests = model.visible(child, row: c, asOf: today).map { [$0] } ?? []
        // A condition that reads the row they are of (its credit limit) reads it joined to
        // them, each related row to its own: grouped as the others, not a query per row.
        var joinedOwner = ""
        if let predicate, predicate.readsRow(outside: 1) {
            let o = next()
            joinedOwner = " JOIN (\(r.sql)) AS \(o) ON \(try self.field(schema[e].key, of: e, o, n.range)) = \(key)"
            owners.append((o, r))
        }
        do {
            defer { if !joinedOwner.isEmpty { owners.removeLast() } }
            if let predicate { tests.append(try condition(predicate, rows, c)) }
        }
        let value = try projected.map { (p) throws(SQLUnsupported) in try expression(p, rows, c) }
        let folded = try fold(
            a, of: value.map { ($0, projected?.type ?? .null) }, distinct: distinct, n, "each row's related rows")
        let inner = "\(source) AS \(c)\(joinedOwner)" + joins.map { " LEFT JOIN \($0.sql)" }.joined()
        let alias = next()
        let grouped =
            "(SELECT \(key) AS k, \(folded) AS v FROM \(inner)\(tests.isEmpty ? "" : " WHERE " + tests.joined(separator: " AND "))"
            + " GROUP BY \(key)) AS \(alias) ON \(alias).k = \(try self.field(schema[e].key, of: e, t, n.range))"
        joins = outer + [(key: alias, alias: alias, entity: child, sql: grouped)]
        // The sum and count of no rows are 0, as in Dun.
        return a == .count || a == .sum
            ? "COALESCE(\(alias).v, \(a == .count ? "0" : dialect.literal(zero(n.type)) ?? "0"))" : "\(alias).v"
    }

    /// The aggregate `a` of `value` (of its type) over some rows, or of the rows themselves
    /// (nil); `distinct`, of each value once (`count(unique(…))`). `of` says of what, when
    /// it does not compile.
    private func fold(
        _ a: Aggregate, of value: (sql: String, type: DunType)?, distinct: Bool, _ n: Node, _ of: String
    ) throws(SQLUnsupported) -> String {
        let once = distinct ? "DISTINCT " : ""
        switch (a, value?.type) {
        case (.count, nil) where !distinct: return "count(*)"
        case (.count, .bool?) where !distinct: return dialect.count(where: value?.sql ?? "TRUE")
        case (.count, _) where !distinct:
            return "count(\(value?.sql ?? "*"))"
        // Each value once as Dun tells them apart: numbers, money and dates (text, which
        // Swift compares by canonical form, not byte by byte, is not said the same way).
        case (.count, .number?), (.count, .money?), (.count, .date?):
            return "count(\(once)\(value?.sql ?? "*"))"
        case (.sum, .number?), (.sum, .money?):
            return "sum(\(once)\(value?.sql ?? "NULL"))"
        case (.min, .number?), (.min, .money?), (.min, .date?), (.max, .number?), (.max, .money?), (.max, .date?):
            return "\(a.rawValue)(\(value?.sql ?? "NULL"))"
        case (.avg, let type?) where !distinct:
            return try average(value?.sql ?? "NULL", type, n.range)
        default:
            throw SQLUnsupported("\(a.rawValue)\(distinct ? " of unique values" : "") of \(of)", n.range)
        }
    }

    /// An aggregate of a whole table (`count(customers where grade < B)`,
    /// `sum((invoices where overdue).balance)`, `count(unique(payments.date))`): the table's
    /// own query, folded to its one value.
    private mutating func wholeTable(_ n: Node, _ a: Aggregate, _ arg: Node, _ r: Relation, _ t: String)
        throws(SQLUnsupported) -> String
    {
        var table = arg
        var distinct = false
        if case .call(let builtin, let args) = table.kind, builtin.isUnique, args.count == 1 {
            table = args[0]
            distinct = true
        }
        var projection: Projection?
        if case .project(let base, let p) = table.kind {
            (table, projection) = (base, p)
        }
        guard case .table = table.type else { throw SQLUnsupported("an aggregate of a list", n.range) }
        // The table's own query: its joins are its own.
        let outer = joins
        joins = []
        defer { joins = outer }
        // A condition reading this row (`sum(paid.amount where k = collector)`) reads it as
        // the row outside: a subquery for each row, as the interpreter reads the table for each.
        let correlated = table.readsRow()
        if correlated { owners.append((t, r)) }
        defer { if correlated { owners.removeLast() } }
        let wasMaking = making
        making = correlated
        defer { making = wasMaking }
        // Of a table that reads no row, one value for the statement, made once however often
        // it is written (`cei.of(start, …)` writes `start` three times): its names numbered
        // afresh, so that the same value compiled again is the same SQL.
        let outerCounter = counter
        if !correlated { counter = 0 }
        defer { if !correlated { counter = max(outerCounter, counter) } }
        let rows = try source(table)
        let c = next()
        var value: (sql: String, type: DunType)?
        switch projection {
        case .field(let f)?:
            guard let e = rows.entity else { throw SQLUnsupported("a field of rows no longer there", n.range) }
            value = (try field(f, of: e, c, n.range), schema[e].fields[f].type)
        case .column(let k)?:
            guard case .table(let row) = table.type, k < row.columns.count else {
                throw SQLUnsupported("a column of rows no longer there", n.range)
            }
            value = ("\(c).\(column(k))", row.columns[k].type)
        case nil:
            value = nil
        }
        let folded = try fold(a, of: value, distinct: distinct, n, "a table")
        let sql =
            correlated
            ? "(SELECT \(folded) FROM \(from(rows, c)))"
            : "(SELECT v FROM \(dialect.quote(share("SELECT \(folded) AS v FROM \(from(rows, c))"))))"
        // The sum and count of no rows are 0, as in Dun.
        return a == .count || a == .sum ? "COALESCE(\(sql), \(a == .count ? "0" : dialect.literal(zero(n.type)) ?? "0"))" : sql
    }

    /// The sum of nothing: 0 of the workspace's currency for money.
    private func zero(_ type: DunType) -> Value {
        type == .money ? .money(Money(minor: 0, currency: model.currency)) : .number(.zero)
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
        case .field(let d, let f) where d <= owners.count:
            // The row the related rows being aggregated are of (`owners`).
            let (alias, rows) = owners[owners.count - d]
            guard let e = rows.entity else { throw SQLUnsupported("a field of rows no longer there", n.range) }
            return try field(f, of: e, alias, n.range)
        case .column(let d, let c) where d <= owners.count:
            return "\(owners[owners.count - d].alias).\(column(c))"
        case .field, .column:
            throw SQLUnsupported("a field of the row outside, read by a condition on its related rows", n.range)
        case .member(let base, let f):
            guard case .field(let d, let ref) = base.kind, d <= owners.count else {
                throw SQLUnsupported("a field of a row not read from this one", n.range)
            }
            let (alias, entity) =
                d == 0 ? (t, r.entity) : (owners[owners.count - d].alias, owners[owners.count - d].relation.entity)
            guard let e = entity else { throw SQLUnsupported("a field of a row not read from this one", n.range) }
            let (target, other) = try joined(ref, of: e, alias, base.range)
            return try field(f, of: other, target, n.range)
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
        case .arithmetic(let first, let steps)
        where steps.allSatisfy({ $0.op == .multiply || $0.op == .divide })
            && ([first.type] + steps.map(\.operand.type)).allSatisfy({ $0 == .number || $0 == .money }):
            return try product(n, first, steps, r, t)
        case .arithmetic(let first, let steps):
            var sql = try expression(first, r, t)
            var type = first.type
            for step in steps {
                // A duration is written into its step (days, or an interval of months).
                let operand = step.operand.type == .duration ? "" : try expression(step.operand, r, t)
                switch (step.op, type, step.operand.type) {
                case (.add, .number, .number), (.subtract, .number, .number), (.add, .money, .money),
                    (.subtract, .money, .money):
                    sql = "(\(sql) \(step.op.rawValue) \(operand))"
                case (.add, .money, .number), (.subtract, .money, .number), (.add, .number, .money),
                    (.subtract, .number, .money):
                    // Money, rounded half away from zero to its minor unit, as Dun makes it.
                    sql = dialect.rounded("\(sql) \(step.op.rawValue) \(operand)", places: "\(model.currency.minorUnit)")
                case (.add, .date, .duration), (.subtract, .date, .duration):
                    switch step.operand.kind {
                    case .constant(.duration(.days(let days))):
                        sql = dialect.moved(sql, daysSQL: "\(step.op == .add ? "" : "-")\(days)")
                    case .constant(.duration(.months(let months))):
                        // Both clamp to the month's last day: Jan 31 + 1 month is Feb 28 or 29.
                        let (back, overflow) = months.multipliedReportingOverflow(by: -1)
                        guard step.op == .add || !overflow else {
                            throw SQLUnsupported("a date moved by so many months", step.range)
                        }
                        sql = dialect.moved(sql, months: step.op == .add ? months : back)
                    case .arithmetic(let whole, let by) where by.count == 1 && by[0].op == .multiply && isWhole(whole):
                        // A whole number of days or months (`round(avg_days_late) * 1 day`).
                        let n = dialect.integer(try expression(whole, r, t))
                        let sign = step.op == .add ? "" : "-"
                        switch by[0].operand.kind {
                        case .constant(.duration(.days(let days))): sql = dialect.moved(sql, daysSQL: "\(sign)\(n) * \(days)")
                        case .constant(.duration(.months(let months))):
                            sql = dialect.moved(sql, monthsSQL: "\(sign)\(n) * \(months)")
                        default: throw SQLUnsupported("a date moved by a duration not written out", step.range)
                        }
                    default:
                        throw SQLUnsupported("a date moved by a duration not written out", step.range)
                    }
                case (.concat, let a, let b) where dialect.writable.contains(a) && dialect.writable.contains(b):
                    // Null joined to anything is null, in both.
                    sql = "(\(dialect.written(sql, a)) || \(dialect.written(operand, b)))"
                case (.subtract, .date, .date):
                    sql = "(\(sql) - \(operand))"
                default:
                    throw SQLUnsupported("\(type) \(step.op.rawValue) \(step.operand.type)", step.range)
                }
                type = step.type
            }
            // A date moved, held to years 1 to 9999 once, at the end of the chain.
            let moved = steps.contains { $0.operand.type == .duration }
            return moved && type == .date ? dialect.inRange(sql) : sql
        case .coalesce(let a, let b):
            return "COALESCE(\(try expression(a, r, t)), \(try expression(b, r, t)))"
        case .compare(let op, let a, let b):
            var (x, y) = (try comparable(a, r, t), try comparable(b, r, t))
            if op != .equal, op != .notEqual { (x, y) = (dialect.ordered(x, a.type), dialect.ordered(y, b.type)) }
            return "COALESCE(\(x) \(op.sql) \(y), FALSE)"
        case .between(let x, let lo, let hi, let negated):
            guard x.type != .string, x.type != .grade else { throw SQLUnsupported("between of text or grades", n.range) }
            // Dun: a null is neither between nor not between.
            let between = negated ? "NOT BETWEEN" : "BETWEEN"
            return
                "COALESCE(\(try expression(x, r, t)) \(between) \(try comparable(lo, r, t)) AND \(try comparable(hi, r, t)), FALSE)"
        case .isIn(let x, let set, let negated):
            let within: String
            switch set.kind {
            case .list(let items):
                var values: [String] = []
                for item in items { values.append(try expression(item, r, t)) }
                guard !values.isEmpty else { return negated ? "TRUE" : "FALSE" }
                within = values.joined(separator: ", ")
            case .constant(.list(let items)):
                // A list known before the query runs (written out, then folded).
                var values: [String] = []
                for item in items {
                    guard let sql = dialect.literal(item) else { throw SQLUnsupported("in of a list of such values", set.range) }
                    values.append(sql)
                }
                guard !values.isEmpty else { return negated ? "TRUE" : "FALSE" }
                within = values.joined(separator: ", ")
            case .project(let table, .field(let f)) where !set.readsRow():
                // The field of a table's rows (`customer_id in c.id`): the table's own query.
                let outer = joins
                joins = []
                defer { joins = outer }
                let rows = try source(table)
                guard let e = rows.entity else { throw SQLUnsupported("a field of rows no longer there", set.range) }
                let c = next()
                within = "SELECT \(try field(f, of: e, c, set.range)) FROM \(from(rows, c))"
            default:
                throw SQLUnsupported("in of a list not written out", set.range)
            }
            let sql = "COALESCE(\(try expression(x, r, t)) IN (\(within)), FALSE)"
            // Dun: a null is in no list, and not in none.
            return negated ? "(\(try expression(x, r, t)) IS NOT NULL AND NOT \(sql))" : sql
        case .contains(let whole, let part, let negated) where whole.type == .string:
            // Text in text, a null in neither. Dun finds letters, SQL code points: alike where
            // each code point is a letter of its own; elsewhere (an accent written apart, a
            // script whose letters join several) the query stops rather than answer otherwise.
            let (w, p) = (try expression(whole, r, t), try expression(part, r, t))
            let found = "COALESCE(\(dialect.position(of: p, in: w)) \(negated ? "=" : ">") 0, FALSE)"
            let stop = dialect.failing(
                "contains: text whose letters are written with several characters; --engine memory finds letters", as: .boolean)
            return "(CASE WHEN \(dialect.joinsCharacters(w)) OR \(dialect.joinsCharacters(p)) THEN \(stop) ELSE \(found) END)"
        case .contains(let list, let value, let negated):
            // A value in a list is the list holding it.
            return try expression(Node(kind: .isIn(value, list, negated: negated), type: .bool, range: n.range), r, t)
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
        case .inlined(let name, let body):
            // A function of one expression, its parameters the call's arguments.
            do { return try expression(body, r, t) } catch { throw error.within(name, at: n.range) }
        case .function(let name, _, _, _):
            // A function of a value (`twice(3)`), its body one expression once written out.
            let body = try expanded(n)
            guard body.stages.isEmpty, !isTable(body.source.type) else {
                throw SQLUnsupported("a table inside an expression", n.range)
            }
            do { return "(\(try expression(body.source, r, t)))" } catch { throw error.within(name, at: n.range) }
        case .call(let builtin, let args) where builtin.isRound:
            let x = try expression(args[0], r, t)
            let places = try args.count > 1 ? expression(args[1], r, t) : "0"
            switch args[0].type {
            // Dun keeps the places a number has when it has fewer.
            case .number:
                return dialect.rounded(dialect.decimal(x), places: "LEAST(\(dialect.scale(dialect.decimal(x))), \(places))")
            case .money: return dialect.rounded(x, places: "LEAST(\(places), \(model.currency.minorUnit))")
            default: throw SQLUnsupported("round of \(args[0].type)", n.range)
            }
        case .call(let builtin, let args) where builtin.isBand && args.count == 2:
            // Edges written out (or known once the query is folded): each band's label.
            guard case .constant(let v) = args[1].kind, case .list(let items) = v,
                let bands = AgingBands(edges: items.compactMap { if case .number(let d) = $0 { d } else { nil } }),
                bands.edges.count == items.count
            else { throw SQLUnsupported("band of edges not written out", args[1].range) }
            let days = try expression(args[0], r, t)
            let labels = bands.labels.map(dialect.text)
            let within = zip(bands.edges, labels.dropFirst()).map { "WHEN \(days) <= \($0) THEN \($1)" }
            return "(CASE WHEN \(days) IS NULL THEN NULL WHEN \(days) <= 0 THEN \(labels[0]) \(within.joined(separator: " "))"
                + " ELSE \(labels[labels.count - 1]) END)"
        case .call(let builtin, let args):
            return try call(builtin, args, n.range, r, t)
        case .groupAggregate(let a, let arg):
            guard grouping else { throw SQLUnsupported("an aggregate of a group outside it", n.range) }
            return try aggregate(n, a, arg, r, t)
        case .aggregate(let a, let arg?) where RelatedRows.shape(arg) == nil:
            return try wholeTable(n, a, arg, r, t)
        case .aggregate(let a, let arg):
            return try related(n, a, arg, r, t)
        case .filter:
            throw SQLUnsupported("a table inside an expression", n.range)
        case .asOf(let day, let body):
            if case .column(0, let c) = day.kind, let days = r.days[c] {
                // Of each row, on a day known before the query runs: the value as of each.
                guard days.count <= 400 else { throw SQLUnsupported("as_of on more than 400 days", day.range) }
                guard !days.isEmpty else { return dialect.typed("NULL", n.type) }
                var sql = "(CASE \(t).\(column(c))"
                for then in days {
                    let written = Node(kind: .constant(.date(then)), type: .date, range: day.range)
                    sql +=
                        " WHEN \(dialect.date(then)) THEN \(try expression(Node(kind: .asOf(written, body), type: n.type, range: n.range), r, t))"
                }
                return sql + " END)"
            }
            var inner = try elsewhere(day, body)
            let folded = inner.pipeline(of: body)
            guard folded.stages.isEmpty, !isTable(folded.source.type) else {
                throw SQLUnsupported("a table inside an expression", n.range)
            }
            let sql = try inner.expression(folded.source, Relation(sql: "", entity: nil, columns: 0, order: []), inner.next())
            (counter, shared) = (inner.counter, inner.shared)
            return "(\(sql))"
        default:
            throw SQLUnsupported("this expression", n.range)
        }
    }
}

extension SQLCompiler.Relation {
    /// The days known of the columns `nodes` make, each a column of these rows read as it is.
    fileprivate func days(of nodes: [Node]) -> [Int: [Day]] {
        var known: [Int: [Day]] = [:]
        for (k, n) in nodes.enumerated() {
            if case .column(0, let c) = n.kind, let d = days[c] { known[k] = d }
        }
        return known
    }
}

extension SQLCompiler {
    /// A table written out, or known before the query runs (`ends_of(month, …)`): its rows
    /// as VALUES, numbered in their order.
    fileprivate mutating func values(_ frame: Frame, _ range: Range<Int>) throws(SQLUnsupported) -> Relation {
        let t = next()
        let names = (0..<frame.columns.count).map(column) + [dialect.quote("k0")]
        var rows: [String] = []
        var days: [Int: [Day]] = [:]
        for (c, column) in frame.columns.enumerated() where column.type == .date {
            days[c] = Array(Set(frame.values[c].compactMap { if case .date(let d) = $0 { d } else { nil } })).sorted()
        }
        for k in 0..<frame.count {
            var row: [String] = []
            for (c, column) in frame.columns.enumerated() {
                guard let sql = dialect.literal(frame.values[c][k]) else {
                    throw SQLUnsupported("a table of \(column.type.name(in: schema)) values", range)
                }
                row.append(dialect.typed(sql, column.type))
            }
            rows.append("(\((row + ["\(k)"]).joined(separator: ", ")))")
        }
        // No rows: VALUES has none to write; the columns of their types, and no row.
        let sql =
            rows.isEmpty
            ? "SELECT \((frame.columns.enumerated().map { dialect.typed("NULL", $1.type) + " AS \(column($0))" } + ["0 AS \(dialect.quote("k0"))"]).joined(separator: ", ")) WHERE FALSE"
            : "SELECT * FROM (VALUES \(rows.joined(separator: ", "))) AS \(t)(\(names.joined(separator: ", ")))"
        return Relation(sql: sql, entity: nil, columns: frame.columns.count, order: [("k0", false)], days: days)
    }

    /// A side of a comparison: a duration in days written out (`overdue > 30 days`) as its
    /// day count, as Dun compares it with a number.
    fileprivate mutating func comparable(_ n: Node, _ r: Relation, _ t: String) throws(SQLUnsupported) -> String {
        guard n.type == .duration else { return try expression(n, r, t) }
        guard case .constant(.duration(.days(let days))) = n.kind else {
            throw SQLUnsupported("a comparison with a duration not written out in days", n.range)
        }
        return "\(days)"
    }

    /// A builtin of values (not an aggregate) with SQL of its own.
    fileprivate mutating func call(_ builtin: Builtin, _ args: [Node], _ range: Range<Int>, _ r: Relation, _ t: String)
        throws(SQLUnsupported) -> String
    {
        if builtin.firstIsSpan {
            guard case .constant(.string(let name)) = args[0].kind, let span = Day.Span(rawValue: name), args.count == 2 else {
                throw SQLUnsupported("\(builtin.name)() of a span not written out", range)
            }
            return dialect.bound(span, of: try expression(args[1], r, t), first: builtin.name == "start_of")
        }
        if builtin.name == "join", args.count == 2 {
            // The list's values joined, nulls left out.
            let items: [Node]
            switch args[0].kind {
            case .list(let nodes): items = nodes
            case .constant(.list(let values)):
                guard case .list(let element) = args[0].type else { throw SQLUnsupported("join() of a list", args[0].range) }
                items = values.map { Node(kind: .constant($0), type: $0.isNull ? .null : element, range: args[0].range) }
            default: throw SQLUnsupported("join() of a list not written out", args[0].range)
            }
            var parts: [String] = []
            for item in items {
                guard dialect.writable.contains(item.type) else {
                    throw SQLUnsupported("join() of \(item.type) values", item.range)
                }
                parts.append(dialect.written(try expression(item, r, t), item.type))
            }
            return dialect.joined(parts, separator: try expression(args[1], r, t))
        }
        var sql: [String] = []
        for a in args { sql.append(try expression(a, r, t)) }
        switch (builtin.name, sql.count) {
        case ("abs", 1): return "abs(\(sql[0]))"
        case ("year", 1): return dialect.year(sql[0])
        case ("month", 1): return dialect.month(sql[0])
        case ("weekday", 1): return dialect.weekday(sql[0])
        case ("days_between", 2): return dialect.days(from: sql[0], to: sql[1])
        case ("length", 1):
            // Dun counts letters, SQL characters: alike where each character is a letter.
            let stop = dialect.failing(
                "length: text whose letters are written with several characters; --engine memory counts letters", as: .integer)
            return "(CASE WHEN \(dialect.joinsCharacters(sql[0])) THEN \(stop) ELSE char_length(\(sql[0])) END)"
        case ("lower", 1), ("upper", 1):
            // Dun follows Unicode, a database its locale: alike on ASCII, in the C locale,
            // where the rest has no case (CJK, kana, Hangul, punctuation).
            let stop = dialect.failing(
                "\(builtin.name): letters with a case outside ASCII; --engine memory follows Unicode", as: .text)
            return
                "(CASE WHEN \(dialect.hasCaseBeyondASCII(sql[0])) THEN \(stop) ELSE \(builtin.name)(\(dialect.ordered(sql[0]))) END)"
        default:
            throw SQLUnsupported("\(builtin.name)()", range)
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

private func isTable(_ type: DunType) -> Bool {
    if case .table = type { return true }
    return false
}

extension Interpreter {
    /// The statement `query` compiles to against `model`, as of the data's day, with what reads
    /// no row computed first; or the first construct that does not compile, at its place (the
    /// query's when it has none).
    public func sql(_ query: CheckedPipeline, model: any SQLModel) throws(SQLUnsupported) -> String {
        var compiler = SQLCompiler(schema: schema, model: model, today: data.today, lets: tableLets, fold: { self.folded($0) })
        do {
            return try compiler.compile(folded(query))
        } catch {
            var e = error
            if e.range.isEmpty { e.range = query.range }
            throw e
        }
    }
}
