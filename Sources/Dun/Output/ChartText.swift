// ChartText: a chart drawn in a terminal — bars of Unicode eighth blocks, or sparklines over
// dates — with labels and values lined up as a table lines them up (Chinese counts two).

import DunCore

extension Chart {
    /// The columns the bars are drawn in, whatever the terminal's width: the same chart prints
    /// the same everywhere, and a library has no business asking the terminal.
    static let barWidth = 40

    /// The characters of one charset.
    private struct Glyphs {
        /// The blocks a bar ends in, by eighths of a column (index 1 to 7); none in ASCII.
        var eighths: [String]
        var full: String
        var axis: String
        var null: String
        var sparks: [String]
        var ellipsis: String
        var arrow: String

        static let unicode = Glyphs(
            eighths: ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"], full: "█", axis: "│", null: "—",
            sparks: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], ellipsis: "…", arrow: "→")
        static let ascii = Glyphs(
            eighths: [], full: "#", axis: "|", null: "-", sparks: ["_", ".", "-", "=", "^"], ellipsis: "...", arrow: "->")

        /// The end of a bar that grows to the left: Unicode has no left-growing eighths but for
        /// the right eighth and half, so the end is rounded to them.
        func leftEnd(_ eighths: Int) -> String {
            switch eighths {
            case 1...2: return "▕"
            case 3...5: return "▐"
            case 6...7: return full
            default: return ""
            }
        }
    }

    /// The chart as text; `display` says which characters, and on a terminal how many bars and
    /// how wide a label.
    func text(_ display: Display) -> String {
        let glyphs = display.charset == .ascii ? Glyphs.ascii : Glyphs.unicode
        let heading = title.map { $0 + "\n" } ?? ""
        switch body {
        case .bars(let groups): return heading + bars(groups, display, glyphs)
        case .lines(let days, let series): return heading + lines(days, series, glyphs)
        }
    }

    // MARK: bars

    private func bars(_ groups: [Group], _ display: Display, _ g: Glyphs) -> String {
        guard groups.contains(where: { !$0.bars.isEmpty }) else { return "(no rows to chart)\n" }
        let shown = Array(groups.prefix(display.maxRows ?? groups.count))
        let cut = { (s: String) in display.cellWidth.map { TextCell.cut(s, to: $0) } ?? s }
        let labels = shown.map { cut($0.label ?? g.null) }
        let names = seriesNames.map(cut)
        let valueHeader = labelName != nil && !hasSeries ? names.first ?? "" : ""
        let labelWidth = (labels + [labelName ?? ""]).map(\.displayWidth).max() ?? 0
        let seriesWidth = hasSeries ? names.map(\.displayWidth).max() ?? 0 : 0
        let texts = shown.map { $0.bars.map { $0.value.size == nil ? g.null : $0.value.text } }
        let valueWidth = (texts.joined() + [valueHeader]).map(\.displayWidth).max() ?? 0
        let extents = self.extents(groups.flatMap { $0.bars.map { ($0.scale, $0.value.size) } })

        func line(_ label: String, _ series: String?, _ bar: String, _ value: String) -> String {
            var out = pad(label, labelWidth) + "  "
            if let series { out += pad(series, seriesWidth) + "  " }
            out += pad(bar, Chart.barWidth) + "  " + String(repeating: " ", count: valueWidth - value.displayWidth) + value
            while out.last == " " { out.removeLast() }
            return out + "\n"
        }
        var out = labelName.map { line($0, hasSeries ? "" : nil, "", valueHeader) } ?? ""
        for (i, group) in shown.enumerated() {
            if hasSeries && i > 0 { out += "\n" }
            for (b, bar) in group.bars.enumerated() {
                let drawn = self.bar(bar.value.size, extents[bar.scale], g)
                out += line(b == 0 ? labels[i] : "", hasSeries ? names[bar.series] : nil, drawn, texts[i][b])
            }
        }
        let hidden = groups.count - shown.count
        if hidden > 0 { out += "\(g.ellipsis) \(hidden) more \(hidden == 1 ? "row" : "rows")\n" }
        return out
    }

    /// A bar in `barWidth` columns: from the left edge, or, on a scale with values below zero,
    /// from an axis placed so that both sides have the same scale.
    private func bar(_ size: Double?, _ extent: (positive: Double, negative: Double), _ g: Glyphs) -> String {
        let (positive, negative) = extent
        guard negative > 0 else { return grown(size.map { max($0, 0) }, of: positive, in: Chart.barWidth, g) }
        let room = Chart.barWidth - 1
        var left = Int((Double(room) * negative / (negative + positive)).rounded())
        left = positive > 0 ? min(max(left, 1), room - 1) : room
        let below = size.map { $0 < 0 ? -$0 : 0 }
        let right = grown(size.map { max($0, 0) }, of: positive, in: room - left, g)
        let leftBar = grown(below, of: negative, in: left, g, leftward: true)
        return String(repeating: " ", count: left - leftBar.displayWidth) + leftBar + g.axis + right
    }

    /// A bar of `size` out of `extent` over `width` columns, in eighths of a column where the
    /// charset has them; anything above zero shows at least the thinnest mark.
    private func grown(_ size: Double?, of extent: Double, in width: Int, _ g: Glyphs, leftward: Bool = false) -> String {
        guard let size, size > 0, extent > 0, width > 0 else { return "" }
        let fraction = min(size / extent, 1)
        guard !g.eighths.isEmpty else {
            return String(repeating: g.full, count: max(1, Int((fraction * Double(width)).rounded())))
        }
        let eighths = max(1, Int((fraction * Double(width * 8)).rounded()))
        let whole = String(repeating: g.full, count: eighths / 8)
        return leftward ? g.leftEnd(eighths % 8) + whole : whole + g.eighths[eighths % 8]
    }

    // MARK: lines

    /// Each series a sparkline, a character a date, with its first and last values and its
    /// least and greatest; under them, the dates it spans.
    private func lines(_ days: [Day], _ series: [Series], _ g: Glyphs) -> String {
        guard let firstDay = days.first, let lastDay = days.last else { return "(no rows to chart)\n" }
        let label = labelName ?? ""
        let nameWidth = (series.map(\.name) + [label]).map(\.displayWidth).max() ?? 0
        struct Row {
            var spark: String
            var cells: [String]
        }
        let rows = series.map { s -> Row in
            let sizes = s.values.compactMap(\.size)
            let low = sizes.min() ?? 0
            let high = sizes.max() ?? 0
            let spark = s.values.map { point -> String in
                guard let size = point.size else { return " " }
                let top = g.sparks.count - 1
                let level = high > low ? Int(((size - low) / (high - low) * Double(top)).rounded()) : top / 2
                return g.sparks[min(max(level, 0), top)]
            }.joined()
            let text = { (p: Point?) in p.flatMap { $0.size == nil ? nil : $0.text } ?? g.null }
            let least = s.values.first { $0.size == low && !sizes.isEmpty }
            let greatest = s.values.first { $0.size == high && !sizes.isEmpty }
            return Row(spark: spark, cells: [text(s.values.first), text(s.values.last), text(least), text(greatest)])
        }
        let widths = (0..<4).map { c in rows.map { $0.cells[c].displayWidth }.max() ?? 0 }
        func right(_ s: String, _ c: Int) -> String { String(repeating: " ", count: widths[c] - s.displayWidth) + s }
        var out = ""
        for (s, row) in zip(series, rows) {
            out +=
                pad(s.name, nameWidth) + "  " + row.spark + "  " + right(row.cells[0], 0) + " \(g.arrow) "
                + right(row.cells[1], 1) + "  min " + right(row.cells[2], 2) + "  max " + right(row.cells[3], 3) + "\n"
        }
        let (first, last) = (firstDay.description, lastDay.description)
        var axis = first
        if days.count > 1 {
            let gap = days.count - first.count - last.count
            axis += gap >= 1 ? String(repeating: " ", count: gap) + last : " \(g.ellipsis) " + last
        }
        var bottom = pad(label, nameWidth) + "  " + axis
        while bottom.last == " " { bottom.removeLast() }
        return out + bottom + "\n"
    }

    /// A text padded with spaces to `width` columns.
    private func pad(_ s: String, _ width: Int) -> String {
        s + String(repeating: " ", count: max(0, width - s.displayWidth))
    }
}
