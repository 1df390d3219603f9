// Formatters: a result as an aligned table, as RFC 4180 CSV, or as JSON.

import DunCore
import DunLanguage
import DunModel

extension ResultTable {
    /// The table in `format`; `display` (a person's settings) applies to the aligned table.
    func rendered(_ format: OutputFormat, footer: Bool = true, display: Display = Display()) -> String {
        switch format {
        case .table:
            let columns = aligned(footer: footer, limit: display.maxRows, cellWidth: display.cellWidth)
            switch display.expanded {
            case .off: return columns
            case .on: return expanded(limit: display.maxRows)
            case .auto:
                let widest = columns.split(separator: "\n").reduce(0) { max($0, $1.displayWidth) }
                return widest > (display.width ?? Int.max) ? expanded(limit: display.maxRows) : columns
            }
        case .csv: return csv(neutralizing: true)
        case .csvRaw: return csv(neutralizing: false)
        case .json: return json()
        case .markdown: return markdown()
        // A workbook is made of the tables themselves (`sheet(named:)`), and an SVG document of
        // charts (`ChartSVG`), never of this text.
        case .xlsx, .svg: return csv(neutralizing: false)
        }
    }

    /// Each cell as a table shows it: money grouped, a fraction of a percentage column as one
    /// (0.45125 as 45.13%), control characters escaped.
    var shownCells: [[String]] {
        rows.map { row in
            row.indices.map { c in
                if c < percent.count, percent[c], case .number(let n) = row[c], let p = n.multiplied(by: Decimal64(100)) {
                    return p.rounded(toScale: 2).description + "%"
                }
                return TextCell.escape(cell(row[c], column: c).text(grouped: true, currency: mixedCurrency[c]))
            }
        }
    }

    /// Columns padded to their widest cell (CJK characters count two), numbers right-aligned,
    /// a line under the header, and the number of rows. With `limit`, only the first rows,
    /// and a line saying how many more there are.
    func aligned(footer: Bool = true, limit: Int? = nil, cellWidth: Int? = nil) -> String {
        var cells = Array(shownCells.prefix(limit ?? rows.count))
        if let cellWidth { cells = cells.map { $0.map { TextCell.cut($0, to: cellWidth) } } }
        // Each cell measured once.
        let cellWidths = cells.map { $0.map(\.displayWidth) }
        var widths = columns.map(\.displayWidth)
        for row in cellWidths {
            for (c, w) in row.enumerated() { widths[c] = max(widths[c], w) }
        }
        func line(_ values: [String], _ valueWidths: [Int]) -> String {
            var out = ""
            for (c, v) in values.enumerated() {
                let pad = String(repeating: " ", count: widths[c] - valueWidths[c])
                let last = c == values.count - 1
                if numeric[c] {
                    out += pad + v
                } else {
                    out += last ? v : v + pad
                }
                if !last { out += "  " }
            }
            while out.last == " " { out.removeLast() }
            return out + "\n"
        }
        var out = line(columns, columns.map(\.displayWidth))
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for (row, rowWidths) in zip(cells, cellWidths) { out += line(row, rowWidths) }
        return out + more(shown: cells.count) + (footer ? rowCount : "")
    }

    /// `(3 rows)`
    private var rowCount: String {
        "(\(rows.count) \(rows.count == 1 ? "row" : "rows"))\n"
    }

    /// `… 760 more rows` when not all rows were shown.
    private func more(shown: Int) -> String {
        let hidden = rows.count - shown
        return hidden > 0 ? "… \(hidden) more \(hidden == 1 ? "row" : "rows")\n" : ""
    }

    /// One field per line under a header per row, like psql's expanded display.
    func expanded(limit: Int? = nil) -> String {
        let cells = shownCells.prefix(limit ?? rows.count)
        let width = columns.map(\.displayWidth).max() ?? 0
        var out = ""
        for (i, row) in cells.enumerated() {
            out += "-[ RECORD \(i + 1) ]" + String(repeating: "-", count: max(3, width - 9)) + "\n"
            for (name, value) in zip(columns, row) {
                var line = name + String(repeating: " ", count: width - name.displayWidth) + " | " + value
                while line.last == " " { line.removeLast() }
                out += line + "\n"
            }
        }
        return out + more(shown: cells.count) + rowCount
    }

    /// A GitHub Markdown table: numbers right-aligned, `|` escaped.
    func markdown() -> String {
        func line(_ values: [String]) -> String {
            "| "
                + values.map { $0.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|") }
                .joined(separator: " | ") + " |\n"
        }
        var out = line(columns)
        out += "|" + numeric.map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
        for row in shownCells { out += line(row) }
        return out
    }

    /// RFC 4180: CRLF line breaks; fields with commas, quotes, line breaks or edge spaces quoted;
    /// with `neutralizing`, texts that a spreadsheet would run as formulas defused (`OutputFormat`).
    func csv(neutralizing: Bool) -> String {
        // Built as bytes: appending many short Strings to a String costs more than the text.
        var out: [UInt8] = []
        func field(_ c: Int, _ text: String) {
            if c > 0 { out.append(UInt8(ascii: ",")) }
            TextCell.appendCSVField(text, to: &out)
        }
        for (c, name) in columns.enumerated() { field(c, name) }
        out += [13, 10]
        for row in rows {
            for c in row.indices {
                let text = cell(row[c], column: c).text(grouped: false, currency: mixedCurrency[c])
                guard neutralizing, case .string = row[c] else {
                    field(c, text)
                    continue
                }
                field(c, TextCell.defused(text))
            }
            out += [13, 10]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An array of objects, one per line; money as exact decimal strings.
    func json() -> String {
        guard !rows.isEmpty else { return "[]\n" }
        var out = "[\n"
        for (i, row) in rows.enumerated() {
            let members = row.indices.map { c in
                TextCell.jsonString(columns[c]) + ": " + cell(row[c], column: c).json(currency: mixedCurrency[c])
            }
            out += "  {" + members.joined(separator: ", ") + "}" + (i == rows.count - 1 ? "\n" : ",\n")
        }
        return out + "]\n"
    }
}

extension Value {
    /// The value as JSON: numbers as numbers, money as an exact decimal string.
    func json(currency: Bool = false) -> String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n.description
        case .list(let items): return "[" + items.map { $0.json(currency: currency) }.joined(separator: ", ") + "]"
        default: return TextCell.jsonString(text(grouped: false, currency: currency))
        }
    }
}

/// Escaping of text for each format.
enum TextCell {
    /// Control characters shown visibly, so a cell stays on one line of a table; and so are
    /// the characters that would make it read other than it is: the bidirectional controls
    /// (U+202E turns what follows around), C1 controls, line separators and invisible ones.
    static func escape(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.isConcealing }) else { return s }
        return escaped(s, json: false)
    }

    static func jsonString(_ s: String) -> String {
        "\"" + escaped(s, json: true) + "\""
    }

    /// Control characters as escapes (`\n`, `\u{1b}`; JSON's `\u001b`), and in JSON also
    /// quotes and backslashes.
    private static func escaped(_ s: String, json: Bool) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"" where json: out += "\\\""
            case "\\" where json: out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F || (!json && u.isConcealing) {
                    let hex = String(u.value, radix: 16)
                    out += json ? "\\u" + String(repeating: "0", count: 4 - hex.count) + hex : u.escaped
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    /// The text in at most `width` columns: whole, or cut and ended with `…`.
    static func cut(_ s: String, to width: Int) -> String {
        guard s.displayWidth > width else { return s }
        var out = ""
        var used = 0
        for ch in s {
            let w = ch.displayWidth
            if used + w > width - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    /// A text a spreadsheet would take for a formula, with a `'` in front.
    static func defused(_ s: String) -> String {
        guard let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return s }
        return "'" + s
    }

    static func csvField(_ s: String) -> String {
        var out: [UInt8] = []
        appendCSVField(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The text as a CSV field (RFC 4180): quoted, its quotes doubled, when it has a comma, a
    /// quote or a line break, or begins or ends with a space.
    static func appendCSVField(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { bytes in
            let needsQuotes =
                bytes.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 })
                || bytes.first == UInt8(ascii: " ") || bytes.last == UInt8(ascii: " ")
            guard needsQuotes else {
                out.append(contentsOf: bytes)
                return
            }
            out.append(UInt8(ascii: "\""))
            for byte in bytes {
                out.append(byte)
                if byte == UInt8(ascii: "\"") { out.append(byte) }
            }
            out.append(UInt8(ascii: "\""))
        }
    }
}

extension ResultTable {
    /// The table as a sheet of a workbook: numbers, money and dates as Excel's own (money of
    /// several currencies as text, with its currency).
    func sheet(named name: String) -> XLSXWriter.Sheet {
        XLSXWriter.Sheet(
            name: name, header: columns,
            rows: rows.map { row in
                row.indices.map { c in
                    switch cell(row[c], column: c) {
                    case .null: return .empty
                    case .bool(let b): return .bool(b)
                    case .number(let n): return .number(n.description)
                    case .money(let m) where !mixedCurrency[c]:
                        return .money(m.formatted(grouped: false), decimals: m.currency.minorUnit)
                    case .date(let d): return .date(d)
                    case let v: return .text(v.text(grouped: false, currency: mixedCurrency[c]))
                    }
                }
            })
    }
}
