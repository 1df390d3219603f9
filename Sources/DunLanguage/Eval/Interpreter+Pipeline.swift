// Interpreter+Pipeline: the stages of a pipeline, and `explain`.

import DunCore

extension Interpreter {
    /// A pipeline's value; `folding`: its constant parts computed first (a function's body was,
    /// with the query that calls it).
    func pipeline(_ p: CheckedPipeline, _ env: inout Env, folding: Bool = true) throws(RuntimeError) -> Value {
        let p = folding ? folded(p) : p
        var value = try evaluate(p.source, &env)
        for (i, stage) in p.stages.enumerated() {
            try interruption.check()
            // `sort | take N` needs only the first N in order.
            if case .sort(let keys) = stage.kind, case .table(let frame) = value, i + 1 < p.stages.count,
                case .take(let n) = p.stages[i + 1].kind, case .number(let d)? = try? evaluate(n, &env),
                let limit = d.integerValue, limit >= 0
            {
                value = .table(try sort(frame, keys, limit: Int(clamping: limit), &env))
                continue
            }
            value = try run(stage, on: value, &env)
        }
        return value
    }

    func run(_ stage: CheckedStage, on value: Value, _ env: inout Env) throws(RuntimeError) -> Value {
        guard case .table(let frame) = value else { return value }
        switch stage.kind {
        case .filter(let predicate):
            return .table(try filter(frame, predicate, &env))
        case .sort(let keys):
            return .table(try sort(frame, keys, &env))
        case .take(let n):
            let v = try evaluate(n, &env)
            guard case .number(let d) = v, let count = d.integerValue, count >= 0 else {
                throw RuntimeError("take needs a whole number of rows, 0 or more; found \(v)", n.range)
            }
            return .table(count >= frame.count ? frame : frame.picking(Array(0..<Int(count))))
        case .select(let columns, let nodes):
            let values = try computeColumns(frame, nodes, &env)
            return .table(Frame(entity: nil, rows: [], columns: columns, values: values, count: frame.count))
        case .derive(let columns, let nodes):
            let values = try computeColumns(frame, nodes, &env)
            return .table(
                Frame(
                    entity: frame.entity, rows: frame.rows, columns: frame.columns + columns,
                    values: frame.values + values, count: frame.count))
        case .group(let keys, let aggregates, let columns, let total):
            return .table(try group(frame, keys: keys, aggregates: aggregates, columns: columns, total: total, &env))
        case .count:
            return .number(Decimal64(frame.count))
        case .union(let node, let columns):
            guard case .table(let other) = try evaluate(node, &env) else { return .table(frame) }
            let mine = records(frame, columns)
            let theirs = records(other, columns)
            return .table(
                Frame(
                    entity: nil, rows: [], columns: columns, values: zip(mine, theirs).map { $0 + $1 },
                    count: frame.count + other.count))
        case .accumulate(let columns, let nodes):
            // In row order, one after another: each total is the one before plus this row's.
            var values = try computeColumns(frame, nodes, &env)
            for c in values.indices {
                var total: Value = .null
                for i in values[c].indices {
                    let v = values[c][i]
                    if !v.isNull { total = total.isNull ? v : try Value.arithmetic(.add, total, v, at: nodes[c].range) }
                    values[c][i] = total
                }
            }
            return .table(
                Frame(
                    entity: frame.entity, rows: frame.rows, columns: frame.columns + columns,
                    values: frame.values + values, count: frame.count))
        case .chart(let spec, let columns, let nodes):
            let values = try computeColumns(frame, nodes, &env)
            try checkChartable(spec, columns, values, count: frame.count, at: stage.range)
            return .table(Frame(entity: nil, rows: [], columns: columns, values: values, count: frame.count))
        case .action:
            throw RuntimeError(
                "an action is planned only at the end of a query or in a policy's rule", stage.range,
                hint: "leave out the action to list the rows it would act on")
        }
    }

    /// The rows of `query` that another engine computed (`--engine postgres`), as a chart
    /// when its last stage is one: checked as the interpreter checks its own; nil otherwise.
    public func charted(_ query: CheckedPipeline, _ frame: Frame) throws(RuntimeError) -> Outcome? {
        guard let last = query.stages.last, case .chart(let spec, let columns, _) = last.kind else { return nil }
        try checkChartable(spec, columns, frame.values, count: frame.count, at: last.range)
        return .chart(spec, frame)
    }

    /// What only the rows can tell of a chart: a column of money in one currency (bars of
    /// yuan and dollars side by side would compare what does not compare), and, without a
    /// column of labels, one row, whose columns are the bars.
    private func checkChartable(
        _ spec: ChartSpec, _ columns: [Column], _ values: [[Value]], count: Int, at range: Range<Int>
    ) throws(RuntimeError) {
        for (c, column) in columns.enumerated() where column.type == .money {
            var currencies: [Currency] = []
            for case .money(let m) in values[c] where !currencies.contains(m.currency) { currencies.append(m.currency) }
            if currencies.count > 1 {
                throw RuntimeError(
                    "cannot chart '\(column.name)': it holds money in \(currencies.map(\.code).joined(separator: " and "))",
                    range,
                    hint: "convert it to one currency first: \(column.name) in \(currencies[0].code)")
            }
        }
        if !spec.labelled && count != 1 {
            throw RuntimeError(
                "a chart without a column of labels draws one row, each column a bar; this table has \(count) rows", range,
                hint: "label the rows with a column of text, a bucket, a grade or a date: | select region, total | chart")
        }
    }

    /// Each node evaluated on each row: one array per node.
    /// The values of a table of records, column by column, in the order of `columns` (the
    /// checker made sure it has them all).
    private func records(_ frame: Frame, _ columns: [Column]) -> [[Value]] {
        columns.map { c in
            frame.columns.firstIndex { $0.name == c.name }.map { frame.values[$0] }
                ?? [Value](repeating: .null, count: frame.count)
        }
    }

    func computeColumns(_ frame: Frame, _ nodes: [Node], _ env: inout Env) throws(RuntimeError) -> [[Value]] {
        var values = nodes.map { _ in [Value]() }
        var rest: [Int] = []
        for (c, node) in nodes.enumerated() {
            if let entity = frame.entity, let read = rowValue(node, entity: entity) {
                values[c] = column(frame.rows, read)
            } else {
                rest.append(c)
            }
        }
        guard !rest.isEmpty else { return values }
        // An aggregate of each row's related rows, or one inside a node, for all rows at once.
        let (with, hoisted) = try hoisted(rest.map { nodes[$0] }, over: frame, &env)
        var computed: [(column: Int, node: Node)] = []
        for (k, c) in rest.enumerated() {
            if case .column(0, let i) = hoisted[k].kind, i >= frame.columns.count {
                values[c] = with.values[i]
            } else if let f = positionCompute(hoisted[k], in: with) {
                values[c] = try self.computed(with, f)
            } else {
                computed.append((c, hoisted[k]))
                values[c].reserveCapacity(frame.count)
            }
        }
        guard !computed.isEmpty else { return values }
        try prepareDays(with, computed.map(\.node), &env)
        try forEachRow(with, nil, &env) { (me, _, env) throws(RuntimeError) in
            for (c, node) in computed {
                values[c].append(try me.evaluate(node, &env))
            }
        }
        return values
    }

    /// The data as of each day that `as_of` in `nodes` will ask for on the rows of a small
    /// frame (a month end a row), made at once on all cores rather than one after another.
    private func prepareDays(_ frame: Frame, _ nodes: [Node], _ env: inout Env) throws(RuntimeError) {
        // Only a column that is an as_of: its day is of the row (one inside a filter or a branch
        // may be of another row, or never asked for).
        let dayNodes = nodes.compactMap { n -> Node? in
            if case .asOf(let day, _) = n.kind { return day }
            return nil
        }
        guard !dayNodes.isEmpty, frame.count > 1, frame.count <= 1000 else { return }
        var days = Set<Day>()
        try forEachRow(frame, nil, &env) { (me, _, env) throws(RuntimeError) in
            for d in dayNodes {
                // An error is told when the day is asked for, if it is.
                if case .date(let day)? = try? me.evaluate(d, &env) { days.insert(day) }
            }
        }
        // No more than the data source keeps: else made twice.
        guard days.count <= 32 else { return }
        let (list, data) = (Array(days), data)
        // An error is told when the day is asked for.
        _ = concurrently(list.count) { i in try? data.asOf(list[i]) }
    }

    /// Stable: rows with equal keys keep their order. Nulls sort last in both directions.
    /// With a `limit`, only that many first rows are kept, found in one pass.
    private func sort(
        _ frame: Frame, _ keys: [(key: Node, descending: Bool)], limit: Int? = nil, _ env: inout Env
    ) throws(RuntimeError) -> Frame {
        let columns = try computeColumns(frame, keys.map(\.key), &env)
        var failure: RuntimeError?
        let precedes = { (a: Int, b: Int) -> Bool in
            for (k, key) in keys.enumerated() {
                let x = columns[k][a]
                let y = columns[k][b]
                if x.isNull != y.isNull { return y.isNull }
                do throws(RuntimeError) {
                    if let order = try Value.order(x, y, at: key.key.range), order != 0 {
                        return key.descending ? order > 0 : order < 0
                    }
                } catch {
                    if failure == nil { failure = error }
                    return false
                }
            }
            return a < b
        }
        var positions: [Int]
        if let limit, limit < frame.count {
            // The first `limit` rows so far, in order; a row goes in only if it precedes the last.
            positions = []
            positions.reserveCapacity(limit + 1)
            for p in 0..<frame.count where limit > 0 {
                if positions.count == limit {
                    guard let last = positions.last, precedes(p, last) else { continue }
                    positions.removeLast()
                }
                var lo = 0
                var hi = positions.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if precedes(p, positions[mid]) { hi = mid } else { lo = mid + 1 }
                }
                positions.insert(p, at: lo)
            }
        } else {
            positions = Array(0..<frame.count).sorted(by: precedes)
        }
        if let failure { throw failure }
        return frame.picking(positions)
    }

    // MARK: explain

    /// Runs the pipeline stage by stage, counting the rows after each; a `where` of several
    /// conditions joined by `and` is counted condition by condition.
    func explain(_ p: CheckedPipeline, source: SourceText, _ env: inout Env) throws(RuntimeError) -> Outcome {
        let p = folded(p)
        var value = try evaluate(p.source, &env)
        var steps: [ExplainStep] = []
        func text(_ range: Range<Int>) -> String {
            source.text.utf8Slice(range).split(whereSeparator: \.isNewline).map { $0.trimmingSpaces() }.joined(separator: " ")
        }
        func step(_ t: String, _ v: Value, part: Bool = false) {
            guard case .table(let f) = v else { return }
            let sample = f.entity.map { e in f.rows.prefix(5).map { data.value(of: e, field: schema[e].key, row: $0) } } ?? []
            steps.append(ExplainStep(text: t, rows: f.count, sample: sample, isPart: part))
        }
        step(text(p.source.range), value)
        for stage in p.stages {
            if case .filter(let predicate) = stage.kind, case .table(var frame) = value, case .and = predicate.kind {
                let parts = conjuncts(predicate)
                for (i, part) in parts.enumerated() {
                    frame = try filter(frame, part, &env)
                    step((i == 0 ? "where " : "and ") + text(part.range), .table(frame), part: i > 0)
                }
                value = .table(frame)
                continue
            }
            value = try run(stage, on: value, &env)
            // A stage the checker made (a pivot's key) has no text of its own.
            if !stage.range.isEmpty { step(text(stage.range), value) }
        }
        guard case .table(let result) = value else { return .value(value, p.type) }
        return .explain(steps, result)
    }

    func conjuncts(_ n: Node) -> [Node] {
        if case .and(let items) = n.kind { return items.flatMap(conjuncts) }
        return [n]
    }
}
