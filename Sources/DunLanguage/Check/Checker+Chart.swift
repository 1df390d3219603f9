// Checker+Chart: which columns of a table `chart` draws — its labels and its values — known
// before any row is read, so that a chart of nothing to draw is an error with the place.

import DunCore

extension Checker {
    /// A column a chart could draw: its name and type as the table prints it, and how to read it.
    private struct Candidate {
        var column: Column
        var node: Node

        var isLabel: Bool { Checker.isChartLabel(column.type) }
        var isValue: Bool { column.type == .number || column.type == .money }
    }

    /// The types a chart labels its bars or points with: a date makes it a chart of lines.
    static func isChartLabel(_ type: DunType) -> Bool {
        switch type {
        case .string, .bucket, .grade, .date: return true
        default: return false
        }
    }

    /// `chart [COLUMN, ...]`: the label column (the first named of text, a bucket, a grade or a
    /// date, else the table's first such) and the value columns (those named, else every column
    /// of numbers or money), as `select` would make them.
    mutating func chart(_ row: RowType, columns named: [ChartColumn], title: String?, range: Range<Int>) -> (
        CheckedStageKind, [Column]
    ) {
        let shown = candidates(row, all: false, range: range)
        // A column to name in a hint: one of the table's values, if it has any.
        let example = shown.first(where: \.isValue)?.column.name ?? "total"
        let unknown = (CheckedStageKind.chart(ChartSpec(labelled: false, title: title), [], []), [Column]())
        var label: Candidate?
        var values: [Candidate] = []
        if named.isEmpty {
            label = shown.first(where: \.isLabel)
            values = shown.filter(\.isValue)
        } else {
            let all = candidates(row, all: true, range: range)
            var failed = false
            for (i, name) in named.enumerated() {
                if named[..<i].contains(where: { $0.name == name.name }) {
                    error("'\(name.name)' is named twice in the chart", name.range)
                    failed = true
                    continue
                }
                guard let found = all.first(where: { $0.column.name == name.name }) else {
                    let names = shown.map(\.column.name)
                    error(
                        "no column '\(name.name)' to chart", name.range,
                        hint: nearestName(to: name.name, in: all.map(\.column.name)).map { "did you mean '\($0)'?" }
                            ?? "the table's columns are \(names.joined(separator: ", "))")
                    failed = true
                    continue
                }
                if found.column.type == .unknown {
                    failed = true
                } else if found.isValue {
                    values.append(found)
                } else if found.isLabel, let first = label {
                    error(
                        "a chart has one column of labels, and '\(first.column.name)' is it", name.range,
                        hint:
                            "chart one of them, with the values: chart \(first.column.name), \(values.first?.column.name ?? example)"
                    )
                    failed = true
                } else if found.isLabel {
                    label = found
                } else {
                    error(
                        "cannot chart '\(name.name)', a \(found.column.type.name(in: schema))", name.range,
                        hint: "a chart's values are numbers or money, its labels text, buckets, grades or dates")
                    failed = true
                }
            }
            if failed { return unknown }
            if label == nil { label = shown.first(where: \.isLabel) }
        }
        guard !values.isEmpty else {
            if shown.contains(where: { $0.column.type == .unknown }) { return unknown }
            let listed = shown.map { "\($0.column.name) (\($0.column.type.name(in: schema)))" }.joined(separator: ", ")
            error(
                named.isEmpty
                    ? "a chart draws columns of numbers or money, and this table has none: \(listed)"
                    : "a chart needs a column of numbers or money among those it names",
                named.isEmpty ? range : (named[0].range.lowerBound..<named[named.count - 1].range.upperBound),
                hint: named.isEmpty
                    ? "count or sum the rows first: | group by region aggregate total = sum(balance) | chart"
                    : "name one with the labels: chart \(label?.column.name ?? "region"), \(example)")
            return unknown
        }
        let drawn = (label.map { [$0] } ?? []) + values
        let columns = drawn.map(\.column)
        return (.chart(ChartSpec(labelled: label != nil, title: title), columns, drawn.map(\.node)), columns)
    }

    /// The columns of a row, as a table prints them (an entity's shown fields, then its derived
    /// columns), or with `all`, every field of an entity too, which a chart may name.
    private func candidates(_ row: RowType, all: Bool, range: Range<Int>) -> [Candidate] {
        var out: [Candidate] = []
        if let e = row.entity {
            let entity = schema[e]
            for f in all ? Array(entity.fields.indices) : entity.display {
                let field = entity.fields[f]
                out.append(
                    Candidate(
                        column: Column(name: field.name, type: field.type, percent: field.percent),
                        node: Node(kind: .field(depth: 0, field: f), type: field.type, range: range)))
            }
        }
        for (c, column) in row.columns.enumerated() {
            out.append(Candidate(column: column, node: Node(kind: .column(depth: 0, index: c), type: column.type, range: range)))
        }
        return out
    }
}
