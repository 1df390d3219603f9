// Formatters: a result as an aligned table, as RFC 4180 CSV, or as JSON.

import DunCore
import DunLanguage

extension ResultTable {
    func rendered(_ format: OutputFormat, footer: Bool = true) -> String {
        switch format {
        case .table: return aligned(footer: footer)
        case .csv: return csv()
        case .json: return json()
        }
    }

    /// Columns padded to their widest cell (CJK characters count two), numbers right-aligned,
    /// a line under the header, and the number of rows.
    func aligned(footer: Bool = true) -> String {
        let cells = rows.map { row in
            row.indices.map { c in TextCell.escape(cell(row[c], column: c).text(grouped: true, currency: mixedCurrency[c])) }
        }
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
        if footer {
            out += "(\(rows.count) \(rows.count == 1 ? "row" : "rows"))\n"
        }
        return out
    }

    /// RFC 4180: CRLF line breaks; fields with commas, quotes, line breaks or edge spaces quoted.
    func csv() -> String {
        var out = columns.map(TextCell.csvField).joined(separator: ",") + "\r\n"
        for row in rows {
            for c in row.indices {
                if c > 0 { out += "," }
                out += TextCell.csvField(cell(row[c], column: c).text(grouped: false, currency: mixedCurrency[c]))
            }
            out += "\r\n"
        }
        return out
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
    /// Control characters shown visibly, so a cell stays on one line of a table.
    static func escape(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return s }
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
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16)
                    out += json ? "\\u" + String(repeating: "0", count: 4 - hex.count) + hex : "\\u{\(hex)}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    static func csvField(_ s: String) -> String {
        let bytes = s.utf8
        let needsQuotes =
            bytes.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 })
            || bytes.first == UInt8(ascii: " ") || bytes.last == UInt8(ascii: " ")
        guard needsQuotes else { return s }
        var out = "\""
        for ch in s {
            out += ch == "\"" ? "\"\"" : String(ch)
        }
        return out + "\""
    }
}
