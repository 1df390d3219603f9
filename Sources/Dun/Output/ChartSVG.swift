// ChartSVG: charts as one standalone SVG document, to paste in a report — bars with their
// labels and values, or lines over a time axis. The same charts give the same bytes: no
// timestamps, no generated ids, every coordinate to one decimal.

import DunCore
import DunModel

enum ChartSVG {
    /// A chart drawn at the origin, and the room it takes.
    private struct Drawing {
        var width: Double
        var height: Double
        var body: String
    }

    private static let margin = 16.0
    /// Colours told apart by most readers, colour-blind ones too (Tableau 10).
    private static let palette = [
        "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]

    /// One document of `charts`, one under another.
    static func document(_ charts: [Chart]) -> String {
        let drawings = charts.map(draw)
        let width = drawings.map(\.width).max() ?? 0
        let height = drawings.reduce(0) { $0 + $1.height }
        let title = charts.map(heading).joined(separator: "; ")
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" \
            viewBox="0 0 \(n(width)) \(n(height))" font-family="sans-serif" font-size="12">
            <title>\(xml(title))</title>
            <rect width="\(n(width))" height="\(n(height))" fill="#ffffff"/>

            """
        var y = 0.0
        for d in drawings {
            out += "<g transform=\"translate(0,\(n(y)))\">\n" + d.body + "</g>\n"
            y += d.height
        }
        return out + "</svg>\n"
    }

    /// The chart's title, or what it shows: `total, invoices by bucket`.
    private static func heading(_ chart: Chart) -> String {
        if let title = chart.title { return title }
        let values = chart.seriesNames.joined(separator: ", ")
        return chart.labelName.map { "\(values) by \($0)" } ?? values
    }

    private static func draw(_ chart: Chart) -> Drawing {
        var body = text(heading(chart), x: margin, y: margin + 14, attributes: " font-size=\"15\" font-weight=\"bold\"")
        var top = margin + 28
        switch chart.body {
        case .bars(let groups):
            if chart.hasSeries {
                body += legend(chart.seriesNames.enumerated().map { ($0.element, $0.offset) }, y: top)
                top += 22
            }
            return bars(chart, groups, top: top, body: body)
        case .lines(let days, let series):
            return lines(chart, days, series, top: top, body: body)
        }
    }

    // MARK: bars

    private static let plotWidth = 400.0
    private static let barHeight = 16.0

    private static func bars(_ chart: Chart, _ groups: [Chart.Group], top: Double, body: String) -> Drawing {
        var body = body
        let labelWidth = groups.map { width(of: $0.label ?? "—") }.max() ?? 0
        let plotX = margin + labelWidth + 10
        let texts = groups.map { $0.bars.map { $0.value.size == nil ? "—" : $0.value.text } }
        let valueRight = plotX + plotWidth + 10 + (texts.joined().map(width).max() ?? 0)
        let extents = chart.extents(groups.flatMap { $0.bars.map { ($0.scale, $0.value.size) } })
        // Where zero is on each scale: so far right as its values go below zero.
        let zeros = extents.map { e in e.negative > 0 ? plotX + plotWidth * e.negative / (e.negative + e.positive) : plotX }
        let units = extents.map { e in e.negative + e.positive > 0 ? plotWidth / (e.negative + e.positive) : 0 }
        var y = top
        let empty = !groups.contains { !$0.bars.isEmpty }
        if empty {
            body += text("(no rows to chart)", x: margin, y: y + 12)
            y += 20
        }
        for (g, group) in groups.enumerated() {
            let height = Double(group.bars.count) * (barHeight + 4)
            body += text(group.label ?? "—", x: margin, y: y + height / 2 + 2)
            for (b, bar) in group.bars.enumerated() {
                let colour = palette[(chart.hasSeries ? bar.series : 0) % palette.count]
                if let size = bar.value.size, size != 0, size.isFinite {
                    let length = max(abs(size) * units[bar.scale], 1)
                    let x = size > 0 ? zeros[bar.scale] : zeros[bar.scale] - length
                    body +=
                        "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(length))\" height=\"\(n(barHeight))\" fill=\"\(colour)\"/>\n"
                }
                body += text(texts[g][b], x: valueRight, y: y + barHeight - 4, attributes: " text-anchor=\"end\"")
                y += barHeight + 4
            }
            if chart.hasSeries { y += 8 }
        }
        // An axis at each scale's zero, under the bars that start there.
        for x in Set(zeros).sorted() where !empty {
            body += line(x, top - 2, x, y - 2, "#333333")
        }
        let whole = max(valueRight + margin, margin * 2 + width(of: heading(chart)) * 15 / 12)
        return Drawing(width: whole, height: y + margin, body: body)
    }

    // MARK: lines

    private static let lineWidth = 560.0
    private static let lineHeight = 180.0

    /// A panel per scale (money apart from counts), each series a line over the days: x by
    /// the date, so that uneven dates are spaced as they fall; a null breaks the line. The
    /// panels share their time axis, one above the other.
    private static func lines(_ chart: Chart, _ days: [Day], _ series: [Chart.Series], top: Double, body: String) -> Drawing {
        let panels = (0..<chart.scaleCount).map { scale in
            let members = series.enumerated().filter { $0.element.scale == scale }
            let points = members.flatMap { $0.element.values }.filter { $0.size != nil }
            let low = points.min { ($0.size ?? 0) < ($1.size ?? 0) }
            let high = points.max { ($0.size ?? 0) < ($1.size ?? 0) }
            return (members: members, low: low, high: high)
        }
        let axisWidth = panels.flatMap { [$0.low, $0.high] }.compactMap { $0.map { width(of: $0.text) } }.max() ?? 0
        let plotX = margin + axisWidth + 8
        let first = days.first.map { Double($0.ordinal) } ?? 0
        let span = days.last.map { Double($0.ordinal) - first } ?? 0
        func x(_ day: Day) -> Double {
            span > 0 ? plotX + (Double(day.ordinal) - first) / span * lineWidth : plotX + lineWidth / 2
        }
        var body = body
        var y = top
        for panel in panels {
            body += legend(panel.members.map { ($0.element.name, $0.offset) }, y: y)
            y += 22
            guard let low = panel.low, let high = panel.high, let lowSize = low.size, let highSize = high.size else {
                body += text("(no values)", x: margin, y: y + 14)
                y += 30
                continue
            }
            let plotTop = y + 6
            let bottom = plotTop + lineHeight
            func yOf(_ size: Double) -> Double {
                highSize > lowSize ? bottom - (size - lowSize) / (highSize - lowSize) * lineHeight : plotTop + lineHeight / 2
            }
            // The least and greatest values on the axis, as the table prints them; zero dashed.
            for (point, size) in highSize > lowSize ? [(high, highSize), (low, lowSize)] : [(high, highSize)] {
                body += line(plotX, yOf(size), plotX + lineWidth, yOf(size), "#dddddd")
                body += text(point.text, x: plotX - 6, y: yOf(size) + 4, attributes: " text-anchor=\"end\"")
            }
            if lowSize < 0 && highSize > 0 {
                body += line(plotX, yOf(0), plotX + lineWidth, yOf(0), "#999999", " stroke-dasharray=\"4 3\"")
            }
            body += line(plotX, plotTop, plotX, bottom, "#333333") + line(plotX, bottom, plotX + lineWidth, bottom, "#333333")
            for day in labelled(days, x: x) {
                body += line(x(day), bottom, x(day), bottom + 4, "#333333")
                body += text(day.description, x: x(day), y: bottom + 17, attributes: " text-anchor=\"middle\"")
            }
            for (s, member) in panel.members {
                let colour = palette[s % palette.count]
                // Runs of points with values: a null is a gap in the line.
                var run: [String] = []
                func flush() {
                    if run.count > 1 {
                        body +=
                            "<polyline points=\"\(run.joined(separator: " "))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
                    }
                    run = []
                }
                for (day, point) in zip(days, member.values) {
                    guard let size = point.size else {
                        flush()
                        continue
                    }
                    run.append("\(n(x(day))),\(n(yOf(size)))")
                    if days.count <= 60 {
                        body += "<circle cx=\"\(n(x(day)))\" cy=\"\(n(yOf(size)))\" r=\"2.5\" fill=\"\(colour)\"/>\n"
                    }
                }
                flush()
            }
            y = bottom + 36
        }
        // Room on the right for half the last date, written centred under its point.
        let right = plotX + lineWidth + 40 + margin
        return Drawing(width: max(right, margin * 2 + width(of: heading(chart)) * 15 / 12), height: y, body: body)
    }

    /// The days written under the axis, each centred under its point: the first, the last, and
    /// between them those 90 points or more from their neighbours, so that no two overlap.
    private static func labelled(_ days: [Day], x: (Day) -> Double) -> [Day] {
        guard let first = days.first, let last = days.last else { return [] }
        var out = [first]
        var at = x(first)
        for day in days.dropFirst().dropLast() where x(day) - at >= 90 && x(last) - x(day) >= 90 {
            out.append(day)
            at = x(day)
        }
        if x(last) - at >= 90 { out.append(last) }
        return out
    }

    /// A line from one point to another.
    private static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ stroke: String, _ extra: String = "")
        -> String
    {
        "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\"\(extra)/>\n"
    }

    // MARK: pieces

    /// A row of series: a swatch of each one's colour, and its name.
    private static func legend(_ entries: [(name: String, index: Int)], y: Double) -> String {
        var out = ""
        var x = margin
        for (name, index) in entries {
            out +=
                "<rect x=\"\(n(x))\" y=\"\(n(y + 2))\" width=\"10\" height=\"10\" fill=\"\(palette[index % palette.count])\"/>\n"
            out += text(name, x: x + 14, y: y + 11)
            x += 14 + width(of: name) + 16
        }
        return out
    }

    private static func text(_ s: String, x: Double, y: Double, attributes: String = "") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\"\(attributes)>\(xml(s))</text>\n"
    }

    /// About how wide a text is at 12 points: a Chinese character twice a Latin one.
    private static func width(of s: String) -> Double {
        Double(s.displayWidth) * 7
    }

    /// A coordinate to one decimal, the same on every machine and in every locale.
    static func n(_ x: Double) -> String {
        guard x.isFinite else { return "0.0" }
        let tenths = Int((x * 10).rounded())
        let magnitude = tenths.magnitude
        return (tenths < 0 ? "-" : "") + "\(magnitude / 10).\(magnitude % 10)"
    }

    /// Text as XML character data or a double-quoted attribute's value, as the workbooks'
    /// XML has it: markup escaped, and what XML 1.0 cannot hold replaced, so the document parses.
    static func xml(_ s: String) -> String {
        XLSXWriter.escaped(s)
    }
}
