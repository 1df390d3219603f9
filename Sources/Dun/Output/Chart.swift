// Chart: the table of a `| chart` laid out for drawing — labels, and values both as lengths
// and as the table prints them — whether as text (ChartText) or as SVG (ChartSVG).

import DunCore
import DunLanguage

/// A chart ready to draw. Each value has its text, exactly as the table prints it (money
/// grouped, to the fen), and a Double that only sizes its bar or places its point.
struct Chart {
    /// One value: its size (nil for null, drawn as a gap) and its text.
    struct Point {
        var size: Double?
        var text: String
    }

    /// One bar: the column it is of, when the chart has several (its series), and the scale it
    /// is measured on.
    struct Bar {
        var series: Int
        var value: Point
        var scale: Int
    }

    /// The bars of one label: one per value column. A null label is nil, drawn as a dash
    /// rather than as nothing, which would read as the bar above's.
    struct Group {
        var label: String?
        var bars: [Bar]
    }

    /// A value column over the dates.
    struct Series {
        var name: String
        var values: [Point]
        var scale: Int
    }

    enum Body {
        case bars([Group])
        /// Points in date order, rows without a date left out.
        case lines(days: [Day], series: [Series])
    }

    var title: String?
    /// The name of the column of labels; nil when each column is a bar of its own.
    var labelName: String?
    /// The names of the value columns.
    var seriesNames: [String]
    var body: Body
    /// Columns of the same kind of value share a scale: money of one currency, numbers,
    /// percentages. A count beside an amount would otherwise be a sliver.
    var scaleCount: Int

    /// The chart of a `chart` stage's table: its labels first, if `spec.labelled`, then its values.
    init(_ spec: ChartSpec, _ frame: Frame, schema: Schema, data: any DataSource) {
        let table = ResultTable(frame, schema: schema, data: data)
        let cells = table.shownCells
        let first = spec.labelled ? 1 : 0
        let valueColumns = Array(first..<frame.columns.count)
        title = spec.title.map(TextCell.escape)
        labelName = spec.labelled ? frame.columns.first.map { TextCell.escape($0.name) } : nil
        let names = valueColumns.map { TextCell.escape(frame.columns[$0].name) }
        seriesNames = names
        // Each column's scale, numbered in the order the kinds first appear.
        var kinds: [String] = []
        let scales = valueColumns.map { c -> Int in
            let kind = Chart.kind(of: frame.columns[c], frame.values[c])
            if let k = kinds.firstIndex(of: kind) { return k }
            kinds.append(kind)
            return kinds.count - 1
        }
        scaleCount = kinds.count
        func value(_ row: Int, _ column: Int) -> Point {
            let v = frame.values[column][row]
            return Point(size: Chart.size(of: v), text: v.isNull ? "" : cells[row][column])
        }
        if spec.labelled, frame.columns.first?.type == .date {
            let dated = (0..<frame.count).compactMap { row -> (day: Day, row: Int)? in
                guard case .date(let day) = frame.values[0][row] else { return nil }
                return (day, row)
            }.sorted { $0.day != $1.day ? $0.day < $1.day : $0.row < $1.row }
            body = .lines(
                days: dated.map(\.day),
                series: valueColumns.enumerated().map { s, c in
                    Series(name: names[s], values: dated.map { value($0.row, c) }, scale: scales[s])
                })
        } else if spec.labelled {
            body = .bars(
                (0..<frame.count).map { row in
                    Group(
                        label: frame.values[0][row].isNull ? nil : cells[row][0],
                        bars: valueColumns.enumerated().map { s, c in Bar(series: s, value: value(row, c), scale: scales[s]) })
                })
        } else {
            // One row: each column a bar, labelled with its name.
            body = .bars(
                valueColumns.enumerated().map { s, c in
                    Group(label: names[s], bars: frame.count > 0 ? [Bar(series: 0, value: value(0, c), scale: scales[s])] : [])
                })
        }
    }

    /// Whether the bars of one label are told apart by their column's name.
    var hasSeries: Bool { labelName != nil && seriesNames.count > 1 }

    /// What a column's values are, for sharing a scale: money with its currency, percentages, numbers.
    private static func kind(of column: Column, _ values: [Value]) -> String {
        if column.percent { return "percent" }
        guard column.type == .money else { return "number" }
        for case .money(let m) in values { return "money " + m.currency.code }
        return "money"
    }

    /// A value's size, for lengths and places only: money and numbers are never printed from it.
    static func size(of v: Value) -> Double? {
        switch v {
        case .number(let d): return Double(d.significand) / power(Int(d.scale))
        case .money(let m): return Double(m.minor) / power(m.currency.minorUnit)
        default: return nil
        }
    }

    private static func power(_ n: Int) -> Double {
        var p = 1.0
        for _ in 0..<max(n, 0) { p *= 10 }
        return p
    }

    /// Each scale's extent: the largest value above zero and the largest magnitude below it.
    func extents(_ values: [(scale: Int, size: Double?)]) -> [(positive: Double, negative: Double)] {
        var out = Array(repeating: (positive: 0.0, negative: 0.0), count: scaleCount)
        for (scale, size) in values {
            guard let size, size.isFinite else { continue }
            if size > 0 { out[scale].positive = max(out[scale].positive, size) }
            if size < 0 { out[scale].negative = max(out[scale].negative, -size) }
        }
        return out
    }
}
