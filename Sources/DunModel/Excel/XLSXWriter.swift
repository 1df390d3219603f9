// XLSXWriter: tables written as an Excel workbook (.xlsx), one sheet each, for analysts who
// send results on in Excel: numbers and money as numbers (money with its decimals shown),
// dates as date cells, texts as texts. The same tables give the same bytes.

import DunCore
import Foundation
import ZIPFoundation

public enum XLSXWriter {
    /// A cell as the workbook keeps it.
    public enum Cell: Sendable {
        case empty
        case text(String)
        /// A number, written as its exact decimal text (`1234.5`).
        case number(String)
        /// Money: its exact decimal text, shown with `decimals` places and thousands separators.
        case money(String, decimals: Int)
        case date(Day)
        case bool(Bool)
    }

    public struct Sheet: Sendable {
        public var name: String
        public var header: [String]
        public var rows: [[Cell]]

        public init(name: String, header: [String], rows: [[Cell]]) {
            self.name = name
            self.header = header
            self.rows = rows
        }
    }

    /// The workbook's bytes.
    public static func workbook(_ sheets: [Sheet]) throws(Diagnostic) -> Data {
        let names = sheetNames(sheets.map(\.name))
        var parts: [(String, String)] = [
            ("[Content_Types].xml", contentTypes(sheets.count)),
            ("_rels/.rels", rootRelations),
            ("xl/workbook.xml", workbookXML(names)),
            ("xl/_rels/workbook.xml.rels", workbookRelations(sheets.count)),
            ("xl/styles.xml", styles),
        ]
        for (i, sheet) in sheets.enumerated() {
            parts.append(("xl/worksheets/sheet\(i + 1).xml", sheetXML(sheet)))
        }
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            // A fixed date, so that the same tables give the same bytes.
            let date = Date(timeIntervalSince1970: 315_532_800)  // 1980-01-01, ZIP's first day
            for (path, text) in parts {
                let data = Data(text.utf8)
                try archive.addEntry(
                    with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: date,
                    compressionMethod: .deflate
                ) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            guard let data = archive.data else { throw Diagnostic(.error, "the workbook could not be made") }
            return data
        } catch let error as Diagnostic {
            throw error
        } catch {
            throw Diagnostic(.error, "the workbook could not be made: \(error)")
        }
    }

    /// Names Excel accepts: at most 31 characters, none of `[]:*?/\`, each once.
    static func sheetNames(_ wanted: [String]) -> [String] {
        var used = Set<String>()
        return wanted.enumerated().map { i, name in
            var base = String(name.map { "[]:*?/\\".contains($0) ? "_" : $0 }.prefix(31))
            if base.isEmpty { base = "Sheet\(i + 1)" }
            var candidate = base
            var n = 2
            while used.contains(candidate.lowercased()) {
                let suffix = " (\(n))"
                candidate = String(base.prefix(31 - suffix.count)) + suffix
                n += 1
            }
            used.insert(candidate.lowercased())
            return candidate
        }
    }

    private static func contentTypes(_ count: Int) -> String {
        let sheets = (0..<count).map { i in
            "<Override PartName=\"/xl/worksheets/sheet\(i + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }.joined()
        return header
            + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
            + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
            + sheets + "</Types>"
    }

    private static let header = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

    private static let rootRelations =
        header + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
        + "</Relationships>"

    private static func workbookXML(_ names: [String]) -> String {
        let sheets = names.enumerated().map { i, name in
            "<sheet name=\"\(escaped(name))\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>"
        }.joined()
        return header
            + "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
            + "<sheets>\(sheets)</sheets></workbook>"
    }

    private static func workbookRelations(_ count: Int) -> String {
        let sheets = (0..<count).map { i in
            "<Relationship Id=\"rId\(i + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(i + 1).xml\"/>"
        }.joined()
        return header + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" + sheets
            + "<Relationship Id=\"rId\(count + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
            + "</Relationships>"
    }

    /// Styles: 0 general, 1 a date (2026-11-28), 2 money with 2 decimals, 3 with none,
    /// 4 with 3 (Bahraini dinar and the like), 5 the header (bold).
    private static let styles =
        header + "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        + "<numFmts count=\"3\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/><numFmt numFmtId=\"165\" formatCode=\"#,##0.00\"/>"
        + "<numFmt numFmtId=\"166\" formatCode=\"#,##0.000\"/></numFmts>"
        + "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
        + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
        + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"6\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        + "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"165\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"3\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"166\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>"
        + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>"

    private static func sheetXML(_ sheet: Sheet) -> String {
        var out = header + "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
        func row(_ number: Int, _ cells: [Cell], style header: Bool) {
            out += "<row r=\"\(number)\">"
            for (c, cell) in cells.enumerated() {
                let ref = XLSXSheet.columnName(c) + String(number)
                switch cell {
                case .empty: continue
                case .text(let s):
                    out +=
                        "<c r=\"\(ref)\" t=\"inlineStr\"\(header ? " s=\"5\"" : "")><is><t xml:space=\"preserve\">\(escaped(s))</t></is></c>"
                case .number(let n): out += "<c r=\"\(ref)\"><v>\(n)</v></c>"
                case .money(let m, let decimals):
                    let style = decimals == 0 ? 3 : decimals == 3 ? 4 : 2
                    out += "<c r=\"\(ref)\" s=\"\(style)\"><v>\(m)</v></c>"
                case .date(let d): out += "<c r=\"\(ref)\" s=\"1\"><v>\(DateFormat.excelSerial(d))</v></c>"
                case .bool(let b): out += "<c r=\"\(ref)\" t=\"b\"><v>\(b ? 1 : 0)</v></c>"
                }
            }
            out += "</row>"
        }
        row(1, sheet.header.map(Cell.text), style: true)
        for (i, cells) in sheet.rows.enumerated() { row(i + 2, cells, style: false) }
        return out + "</sheetData></worksheet>"
    }

    /// Text for XML: `&`, `<`, `>`, `"` as entities; the control characters XML 1.0 cannot
    /// hold (all below 0x20 but tab, line feed and carriage return) as U+FFFD. Public for the
    /// other XML Dun writes, its charts' SVG.
    public static func escaped(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            case _ where u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
