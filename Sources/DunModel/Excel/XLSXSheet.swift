// XLSXSheet: one sheet of an Excel workbook (.xlsx, ECMA-376 SpreadsheetML) as CSV text, so
// that the loader reads it as it reads any export — mapping, formats and checks alike.
//
// The workbook is a ZIP archive (read with ZIPFoundation) of XML parts (read with XMLBytes:
// see there why). xl/workbook.xml names the sheets, xl/_rels/workbook.xml.rels says which
// part each is, xl/sharedStrings.xml holds the texts cells refer to by number, and
// xl/styles.xml says which number formats are dates. Row N of the sheet is line N of the
// text, so that an error's line is the sheet's row, and its field the sheet's column.

import DunCore
import Foundation
import ZIPFoundation

enum XLSXSheet {
    /// The sheet named `sheet` (the first when nil) of the workbook at `path`, as CSV bytes,
    /// and its name.
    static func csv(path: String, sheet wanted: String?, display: String) throws(Diagnostic) -> (bytes: [UInt8], sheet: String) {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw Diagnostic(
                .error, "not an Excel workbook: an .xlsx file is a ZIP archive, and this is none", file: display,
                hint: "an Excel 97–2003 workbook (.xls), or a CSV file named .xlsx, must be saved as .xlsx (or named .csv) first")
        }
        func part(_ name: String) throws(Diagnostic) -> Data? {
            guard let entry = archive[name] else { return nil }
            var data = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
            } catch {
                throw Diagnostic(.error, "the workbook's \(name) cannot be read: \(error)", file: display)
            }
            return data
        }
        guard let workbook = try part("xl/workbook.xml") else {
            throw Diagnostic(.error, "not an Excel workbook: it has no xl/workbook.xml", file: display)
        }
        let sheets = XMLBytes.elements("sheet", in: Array(workbook))
        let relations = XMLBytes.elements("Relationship", in: Array(try part("xl/_rels/workbook.xml.rels") ?? Data()))
        let names = sheets.compactMap { $0["name"] }
        guard let chosen = wanted.map({ w in sheets.first { $0["name"] == w } }) ?? sheets.first else {
            throw Diagnostic(
                .error, "the workbook has no sheet \(excerpt(wanted ?? ""))", file: display,
                hint: "its sheets are " + names.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        let name = chosen["name"] ?? "Sheet1"
        // `r:id`: attribute names are read without their prefix.
        guard let target = relations.first(where: { $0["Id"] == chosen["id"] })?["Target"] else {
            throw Diagnostic(.error, "the workbook does not say where sheet \"\(name)\" is", file: display)
        }
        let sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        guard let sheetXML = try part(sheetPath) else {
            throw Diagnostic(.error, "the workbook has no \(sheetPath), where sheet \"\(name)\" should be", file: display)
        }
        let strings = SharedStrings.read(try part("xl/sharedStrings.xml") ?? Data())
        let dates = DateStyles.read(try part("xl/styles.xml") ?? Data())
        let cells = Cells(strings: strings, dateStyles: dates)
        guard cells.read(Array(sheetXML)) else {
            throw Diagnostic(.error, "sheet \"\(name)\" is cut short: a tag in its XML never closes", file: display)
        }
        return (cells.csv(), name)
    }

    /// `D` for the fourth column (from 0: 3), `AA` for the 27th.
    static func columnName(_ index: Int) -> String {
        var n = index + 1
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(UnicodeScalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }

    /// The column of a cell reference (`D12` → 3), or nil.
    static func columnIndex(_ reference: String) -> Int? {
        columnIndex(reference.utf8)
    }

    static func columnIndex(_ reference: some Sequence<UInt8>) -> Int? {
        var n = 0
        var any = false
        for u in reference {
            guard u >= 65 && u <= 90 else { break }
            n = n * 26 + Int(u - 64)
            any = true
            // Excel's last column is XFD, the 16,384th: a reference beyond it is none.
            guard n <= 16_384 else { return nil }
        }
        return any ? n - 1 : nil
    }
}

/// xl/sharedStrings.xml: each `<si>`'s text, its runs joined (phonetic runs left out).
private enum SharedStrings {
    static func read(_ data: Data) -> [String] {
        var strings: [String] = []
        var current: [UInt8] = []
        var inText = false
        var phonetic = 0
        _ = XMLBytes.walk(Array(data)) { event in
            switch event {
            case .start(let name, _, let empty):
                if name.is("si") {
                    current = []
                    if empty { strings.append("") }
                } else if name.is("t") {
                    inText = phonetic == 0 && !empty
                } else if name.is("rPh") {
                    phonetic += empty ? 0 : 1
                }
            case .end(let name):
                if name.is("si") {
                    strings.append(String(decoding: current, as: UTF8.self))
                } else if name.is("t") {
                    inText = false
                } else if name.is("rPh") {
                    phonetic -= 1
                }
            case .text(let bytes):
                if inText { current += XMLBytes.text(bytes).utf8 }
            case .cdata(let bytes):
                if inText { current += bytes }
            }
        }
        return strings
    }
}

/// xl/styles.xml: which cell styles (`s`, an index into `cellXfs`) show a number as a date.
private enum DateStyles {
    static func read(_ data: Data) -> Set<Int> {
        var formats: [Int: String] = [:]
        var styles: [Int] = []
        var inCellXfs = false
        _ = XMLBytes.walk(Array(data)) { event in
            switch event {
            case .start(let name, let attributes, let empty):
                if name.is("numFmt"), let id = XMLBytes.attribute("numFmtId", in: attributes).flatMap({ Int($0) }),
                    let code = XMLBytes.attribute("formatCode", in: attributes)
                {
                    formats[id] = code
                } else if name.is("cellXfs") {
                    inCellXfs = !empty
                } else if name.is("xf") && inCellXfs {
                    styles.append(XMLBytes.attribute("numFmtId", in: attributes).flatMap { Int($0) } ?? 0)
                }
            case .end(let name):
                if name.is("cellXfs") { inCellXfs = false }
            case .text, .cdata:
                break
            }
        }
        return Set(styles.indices.filter { isDate(styles[$0], formats) })
    }

    /// The built-in date formats (ECMA-376 18.8.30: 14–22 and 45–47, and the East Asian ones,
    /// 27–36 and 50–58), or a format of the workbook's own with a day or year in it outside
    /// quotes and brackets.
    private static func isDate(_ id: Int, _ formats: [Int: String]) -> Bool {
        if (14...22).contains(id) || (45...47).contains(id) || (27...36).contains(id) || (50...58).contains(id) { return true }
        guard let code = formats[id] else { return false }
        var quoted = false
        var bracket = false
        for c in code.lowercased() {
            switch c {
            case "\"": quoted.toggle()
            case "[": bracket = true
            case "]": bracket = false
            case "d", "y": if !quoted && !bracket { return true }
            default: break
            }
        }
        return false
    }
}

/// A sheet's cells, read into rows of texts.
private final class Cells {
    let strings: [String]
    let dateStyles: Set<Int>
    /// The rows read, by their number (from 1), each its cells by column.
    private var rows: [(number: Int, cells: [(column: Int, text: String)])] = []
    private var width = 0

    init(strings: [String], dateStyles: Set<Int>) {
        self.strings = strings
        self.dateStyles = dateStyles
    }

    /// Reads the sheet's XML; false when it is cut short.
    func read(_ xml: [UInt8]) -> Bool {
        var cells: [(column: Int, text: String)] = []
        var rowNumber = 0
        var cell: (column: Int, type: String, style: Int)?
        var value: [UInt8] = []
        var inValue = false
        return XMLBytes.walk(xml) { event in
            switch event {
            case .start(let name, let attributes, let empty):
                if name.is("row") {
                    // Rows in order, and no more than Excel's 1,048,576: another number is not believed.
                    let given = XMLBytes.attribute("r", in: attributes).flatMap { Int($0) } ?? 0
                    rowNumber = given > rowNumber && given <= 1_048_576 ? given : rowNumber + 1
                    cells = []
                } else if name.is("c") {
                    // Its reference, type and style, in one pass over its attributes.
                    var (column, type, style) = (cells.last.map { $0.column + 1 } ?? 0, "n", 0)
                    XMLBytes.forEachAttribute(in: attributes) { key, value in
                        if key.is("r") {
                            column = XLSXSheet.columnIndex(value) ?? column
                        } else if key.is("t") {
                            type = String(decoding: value, as: UTF8.self)
                        } else if key.is("s") {
                            style = value.reduce(0) { $0 &* 10 &+ Int($1 &- 48) }
                        }
                    }
                    cell = (column, type, style)
                    value = []
                    if empty { cell = nil }
                } else if name.is("v") || name.is("t") {
                    inValue = cell != nil && !empty
                }
            case .end(let name):
                if name.is("v") || name.is("t") {
                    inValue = false
                } else if name.is("c") {
                    if let (column, type, style) = cell {
                        let text = Cells.text(
                            String(decoding: value, as: UTF8.self), type: type, isDate: self.dateStyles.contains(style),
                            strings: self.strings)
                        if !text.isEmpty {
                            cells.append((column, text))
                            self.width = max(self.width, column + 1)
                        }
                    }
                    cell = nil
                } else if name.is("row") {
                    if !cells.isEmpty { self.rows.append((rowNumber, cells)) }
                }
            case .text(let bytes):
                if inValue { value += XMLBytes.text(bytes).utf8 }
            case .cdata(let bytes):
                if inValue { value += bytes }
            }
        }
    }

    /// What a cell shows, as text: a shared string, an inline one, a boolean, a date (a
    /// number in a date style) as 2026-11-28, a number as written (to 15 significant digits,
    /// as Excel shows it).
    static func text(_ value: String, type: String, isDate: Bool, strings: [String]) -> String {
        guard !value.isEmpty else { return "" }
        switch type {
        case "s": return Int(value).flatMap { $0 < strings.count ? strings[$0] : nil } ?? ""
        case "b": return value == "1" ? "true" : value == "0" ? "false" : value
        case "inlineStr", "str", "e": return value
        case "d": return String(value.prefix(10))
        default:
            var number = Number.plain(value)
            if isDate, let day = number.withUTF8({ DateFormat.excel.day($0) }) { return day.description }
            return number
        }
    }

    /// The sheet as CSV bytes: row N on line N, every row as wide as the widest.
    func csv() -> [UInt8] {
        var out: [UInt8] = []
        var line = 1
        for (number, cells) in rows {
            while line < number {
                out.append(10)
                line += 1
            }
            var fields = [String](repeating: "", count: width)
            for (column, text) in cells where column < width { fields[column] = text }
            for (i, f) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if f.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) {
                    out.append(UInt8(ascii: "\""))
                    for b in f.utf8 {
                        if b == UInt8(ascii: "\"") { out.append(b) }
                        out.append(b)
                    }
                    out.append(UInt8(ascii: "\""))
                } else {
                    out += f.utf8
                }
            }
            out.append(10)
            line += 1
        }
        return out
    }
}

/// Numbers as a sheet stores them (`1234.5`, `1.5E-3`, `1234.5600000000001`) as plain
/// decimals, rounded to the 15 significant digits Excel keeps.
enum Number {
    static func plain(_ text: String) -> String {
        // Most are already plain: digits, perhaps a point, at most 15 of them, no zeros to drop.
        var digits = 0
        var points = 0
        var plain = true
        for (i, b) in text.utf8.enumerated() {
            if b >= 48 && b <= 57 {
                digits += 1
            } else if b == UInt8(ascii: ".") {
                points += 1
            } else if !(i == 0 && b == UInt8(ascii: "-")) {
                plain = false
                break
            }
        }
        if plain, digits > 0, digits <= 15, text != "-0", points == 0 || (points == 1 && text.utf8.last != UInt8(ascii: "0")),
            text.utf8.first != UInt8(ascii: "0") || text.utf8.count == 1 || text.utf8.dropFirst().first == UInt8(ascii: ".")
        {
            return text
        }
        return rounded(text)
    }

    private static func rounded(_ text: String) -> String {
        var t = Substring(text)
        var negative = false
        if t.first == "-" {
            negative = true
            t = t.dropFirst()
        }
        var exponent = 0
        if let e = t.firstIndex(where: { $0 == "E" || $0 == "e" }) {
            // A double's exponent is within ±330: a larger one is no number Excel wrote.
            guard let x = Int(t[t.index(after: e)...]), abs(x) <= 330 else { return text }
            exponent = x
            t = t[..<e]
        }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return text }
        var digits = Array((parts[0] + (parts.count > 1 ? parts[1] : "")).utf8).map { Int($0 - 48) }
        // The point after `point` digits.
        var point = parts[0].count + exponent
        while digits.first == 0 && digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        if digits.count > 15 {
            let up = digits[15] >= 5
            digits = Array(digits.prefix(15))
            var i = 14
            while up && i >= 0 {
                digits[i] += 1
                if digits[i] < 10 { break }
                digits[i] = 0
                i -= 1
            }
            if up && i < 0 {
                digits.insert(1, at: 0)
                point += 1
            }
        }
        var whole = point <= 0 ? "0" : ""
        var fraction = point < 0 ? String(repeating: "0", count: -point) : ""
        for (k, d) in digits.enumerated() {
            if k < point { whole += String(d) } else { fraction += String(d) }
        }
        if point > digits.count { whole += String(repeating: "0", count: point - digits.count) }
        while fraction.last == "0" { fraction.removeLast() }
        if whole.isEmpty { whole = "0" }
        let result = fraction.isEmpty ? whole : whole + "." + fraction
        return negative && result != "0" ? "-" + result : result
    }
}
