// Formats: dates and amounts as exports write them, and the settings that say how.

import DunCore
import Foundation
import Testing

@testable import DunModel

@Suite struct DateFormatTests {
    func day(_ text: String, _ format: DateFormat) -> String? {
        var t = text
        return t.withUTF8 { format.day($0) }?.description
    }

    @Test(
        arguments: [
            ("2026-11-28", "2026-11-28"), ("2026/11/28", "2026-11-28"), ("2026.1.5", "2026-01-05"), ("2026年11月8日", "2026-11-08"),
            ("2026年1月28", "2026-01-28"), ("2026/02/30", nil), ("2026-11/28", nil), ("26/11/28", nil), ("28.11.2026", nil),
            ("2026/11/28 ", nil), ("2026-011-28", nil),
        ] as [(String, String?)])
    func yearFirstIsTheDefault(text: String, expected: String?) {
        #expect(day(text, .yearFirst) == expected)
    }

    @Test func patternsReadTheirParts() throws {
        let us = try DateFormat("%m/%d/%Y")
        #expect(day("1/2/2013", us) == "2013-01-02")
        #expect(day("12/31/2026", us) == "2026-12-31")
        #expect(day("13/1/2026", us) == nil)
        #expect(day("1/2/13", us) == nil)
        let de = try DateFormat("%d.%m.%Y")
        #expect(day("28.11.2026", de) == "2026-11-28")
        #expect(day("2026-11-28", de) == nil)
        let zh = try DateFormat("%Y年%m月%d日")
        #expect(day("2026年11月28日", zh) == "2026-11-28")
        #expect(day("2026年11月28", zh) == nil)
        // Numbers side by side have their full width.
        let packed = try DateFormat("%Y%m%d")
        #expect(day("20261128", packed) == "2026-11-28")
        #expect(day("2026118", packed) == nil)
        #expect(us.example == "11/28/2026" && zh.example == "2026年11月28日")
    }

    @Test func excelCountsDaysFrom1900() throws {
        let excel = try DateFormat("excel")
        #expect(day("1", excel) == "1900-01-01")
        #expect(day("59", excel) == "1900-02-28")
        // Excel's 1900-02-29 never was.
        #expect(day("60", excel) == nil)
        #expect(day("61", excel) == "1900-03-01")
        #expect(day("46354", excel) == "2026-11-28")
        #expect(day("46354.75", excel) == "2026-11-28")
        #expect(day("0", excel) == nil)
        #expect(day("4.6e4", excel) == nil)
        // Written back: the serial that reads as the day.
        for text in ["1", "59", "61", "25569", "46354"] {
            var t = text
            let read = try #require(t.withUTF8 { excel.day($0) })
            #expect(String(DateFormat.excelSerial(read)) == text)
        }
    }

    @Test(arguments: ["%Y/%m", "%Y-%m-%d-%d", "%Y/%b/%d", "", "%"])
    func badPatternsAreRefused(pattern: String) {
        #expect(throws: FormatError.self) { try DateFormat(pattern) }
    }
}

@Suite struct AmountFormatTests {
    func plain(_ text: String, decimalComma: Bool = false) -> String? {
        let out = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64)
        defer { out.deallocate() }
        var t = text
        let n = t.withUTF8 { AmountFormat(decimalComma: decimalComma).plain($0, into: out) }
        return n.map { String(decoding: out[0..<$0], as: UTF8.self) }
    }

    @Test(
        arguments: [
            ("1,234.50", "1234.50"), ("¥1,234.50", "1234.50"), ("￥70,000.00", "70000.00"), ("$ 1,234,567.89", "1234567.89"),
            ("1,234.50 CNY", "1234.50"), ("USD 12", "12"), ("(1,234.50)", "-1234.50"), ("1,234.50-", "-1234.50"),
            ("-¥5", "-5"), ("100元", "100"), ("1 234.50", "1234.50"), ("1,234", "1234"),
            ("1,23.50", nil), ("12,34", nil), (",123", nil), ("1,234.5,0", nil), ("(5", nil), ("-(5)", nil), ("abc", nil),
            ("1.234,50", nil), ("¥", nil),
        ] as [(String, String?)])
    func exportsAmountsArePlain(text: String, expected: String?) {
        #expect(plain(text) == expected)
    }

    @Test func aDecimalCommaSwapsTheMarks() {
        #expect(plain("1.234,50", decimalComma: true) == "1234.50")
        #expect(plain("1.234,50 €", decimalComma: true) == "1234.50")
        #expect(plain("2 000,00", decimalComma: true) == "2000.00")
        #expect(plain("12,5", decimalComma: true) == "12.5")
        #expect(plain("1,234.50", decimalComma: true) == nil)
    }
}

@Suite struct SettingsTests {
    func settings(_ text: String) throws(Diagnostics) -> WorkspaceSettings {
        try WorkspaceSettings.parse(SourceText(name: "dun.toml", text: text))
    }

    @Test func aMappingSaysHowEachFileIsRead() throws {
        let s = try settings(
            """
            [invoices]
            file = "应收明细.csv"
            encoding = "GBK"
            delimiter = ";"
            dates = "%Y年%m月%d日"
            decimal = ","
            columns = { id = "发票号", "amount" = "价税合计" }
            [invoices.constants]
            currency = "USD"
            [payments.columns]
            date = "到账日期"
            """)
        #expect(s.invoices.file == "应收明细.csv")
        #expect(s.invoices.encoding == .gb18030)
        #expect(s.invoices.delimiter == UInt8(ascii: ";"))
        #expect(s.invoices.dates == (try DateFormat("%Y年%m月%d日")))
        #expect(s.invoices.amounts.decimalComma)
        #expect(s.invoices.headers.mapValues(\.value) == ["id": "发票号", "amount": "价税合计"])
        #expect(s.invoices.constants.mapValues(\.value) == ["currency": "USD"])
        #expect(s.payments.headers.mapValues(\.value) == ["date": "到账日期"])
        #expect(s.customers == TableMapping(.customers))
        // Each setting keeps its place, for the errors of what it says.
        #expect(s.invoices.headers["amount"]?.place?.position?.line == 7)
        #expect(s.invoices.constants["currency"]?.place?.position?.line == 9)
    }

    @Test func aKeyInAnInlineTableIsFoundWhereItIsWritten() {
        #expect(throws: Diagnostics.self) { try settings("[invoices]\ncolumns = { id = \"a\", nope = \"b\" }\n") }
        do {
            _ = try settings("[invoices]\ncolumns = { id = \"a\", nope = \"b\" }\n")
        } catch {
            #expect(
                error.all.map(\.rendered) == [
                    "dun.toml:2:23: error: unknown field nope in [invoices.columns]\ncolumns = { id = \"a\", nope = \"b\" }\n                      ^~~~\nhint: the keys here are id, customer_id, issued, due, amount, currency, disputed, order_id\n"
                ])
        }
    }

    /// Each mistake a mapping can make has its message, at the key's line and column.
    @Test func everyMistakeIsToldAtItsKey() {
        func first(_ text: String) -> String {
            do {
                _ = try settings(text)
                return ""
            } catch {
                return error.all.first.map { $0.rendered.prefix { $0 != "\n" } }.map(String.init) ?? ""
            }
        }
        #expect(
            first("sender = \"x\"\n") == "dun.toml:1:1: error: sender is a section: [sender] and its keys on the lines after it")
        #expect(
            first("[invoices]\ndelimiter = \"::\"\n") == "dun.toml:2:1: error: delimiter is one of \",\", \";\", \"|\" or \"tab\""
        )
        #expect(
            first("[invoices]\nsheet = \"S1\"\n")
                == "dun.toml:2:1: error: sheet names a sheet of an Excel workbook, and 'invoices.csv' is not one (.xlsx)")
        #expect(first("[invoices]\nfile = \"\"\n") == "dun.toml:2:1: error: file names the file to read, as \"应收明细.csv\"")
        #expect(first("[invoices]\nfile = \"a.xls\"\n") == "dun.toml:2:1: error: Excel 97–2003 workbooks (.xls) are not read")
        #expect(first("[invoices.columns]\nid = \" \"\n") == "dun.toml:2:1: error: the header of id is empty")
        #expect(
            first("[invoices.columns]\ncurrency = \"币种\"\n[invoices.constants]\ncurrency = \"USD\"\n")
                == "dun.toml:4:1: error: currency has a column and a constant")
        #expect(first("company = \"a\u{0}\"\n").hasPrefix("dun.toml:1:13: error: a NUL byte in dun.toml"))
        #expect(first("[invoices]\ndates = 3\n") == "dun.toml:2:1: error: dates is a string, in double quotes")
    }

    @Test func aChangedMappingIsAnotherCacheKey() throws {
        let a = try settings("[invoices]\ndates = \"%m/%d/%Y\"\n")
        let b = try settings("[invoices]\ndates = \"%d/%m/%Y\"\n")
        let c = try settings("# only a comment\n[invoices]\ndates = \"%m/%d/%Y\"\n")
        #expect(a.fingerprint != b.fingerprint)
        #expect(a.fingerprint == c.fingerprint)
        #expect(a.fingerprint != WorkspaceSettings().fingerprint)
    }
}

@Suite struct WorkbookTests {
    @Test(arguments: [
        ("1234.5", "1234.5"), ("0.30000000000000004", "0.3"), ("1234.5600000000001", "1234.56"), ("1E3", "1000"),
        ("1.5E-3", "0.0015"), ("-0.5", "-0.5"), ("46296", "46296"), ("99999999999999999", "100000000000000000"),
        ("0.1234567890123456789", "0.123456789012346"), ("-0", "0"), ("abc", "abc"), ("1E999999999", "1E999999999"),
    ])
    func numbersAreWrittenAsExcelShowsThem(stored: String, shown: String) {
        #expect(Number.plain(stored) == shown)
    }

    @Test func cellReferencesNameColumns() {
        #expect((0..<3).map(XLSXSheet.columnName) == ["A", "B", "C"])
        #expect(XLSXSheet.columnName(25) == "Z" && XLSXSheet.columnName(26) == "AA" && XLSXSheet.columnName(701) == "ZZ")
        #expect(XLSXSheet.columnIndex("D12") == 3 && XLSXSheet.columnIndex("AA1") == 26 && XLSXSheet.columnIndex("12") == nil)
    }
}

@Suite struct WorkbookWritingTests {
    /// What is written is read back as it was: texts (with the characters XML escapes),
    /// numbers, money, dates, booleans, empty cells; and the same tables give the same bytes.
    @Test func aWrittenWorkbookReadsBack() throws {
        let day = try #require(Day(iso: "2026-11-28"))
        let sheet = XLSXWriter.Sheet(
            name: "逾期/客户", header: ["id", "name", "balance", "due", "late", "n"],
            rows: [
                [.text("C1"), .text("A & B <\"x\">"), .money("1234.50", decimals: 2), .date(day), .bool(true), .number("3")],
                [.text("C2"), .empty, .money("0", decimals: 0), .empty, .bool(false), .number("-0.125")],
            ])
        let data = try XLSXWriter.workbook([sheet, sheet])
        #expect(data == (try XLSXWriter.workbook([sheet, sheet])))
        let folder = try TemporaryFolder()
        let path = folder.path + "/r.xlsx"
        #expect(FileManager.default.createFile(atPath: path, contents: data))
        let (csv, name) = try XLSXSheet.csv(path: path, sheet: nil, display: "r.xlsx")
        #expect(name == "逾期_客户")
        #expect(
            String(decoding: csv, as: UTF8.self) == """
                id,name,balance,due,late,n
                C1,"A & B <""x"">",1234.5,2026-11-28,true,3
                C2,,0,,false,-0.125

                """)
        #expect((try XLSXSheet.csv(path: path, sheet: "逾期_客户 (2)", display: "r.xlsx")).sheet == "逾期_客户 (2)")
    }

    @Test func sheetNamesAreOnesExcelTakes() {
        #expect(
            XLSXWriter.sheetNames(["a", "A", "", String(repeating: "x", count: 40), "a:b"]) == [
                "a", "A (2)", "Sheet3", String(repeating: "x", count: 31), "a_b",
            ])
    }
}

@Suite struct WorkbookLimitsTests {
    /// Cell references beyond Excel's last column, and row numbers out of order or beyond its
    /// last row, are not believed: a damaged workbook cannot make the reader overflow or
    /// write a billion blank lines.
    @Test func outlandishReferencesAreNotBelieved() {
        #expect(XLSXSheet.columnIndex("XFD1") == 16_383)
        #expect(XLSXSheet.columnIndex("XFE1") == nil && XLSXSheet.columnIndex("ZZZZZZZZZZZZZZZZ1") == nil)
    }
}
