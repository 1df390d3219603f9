// A file read in parts at once must give what it gives read whole: the same rows, and the
// same errors at the same lines, whatever the number of parts.

import DunCore
import Synchronization
import Testing

@testable import DunModel

/// A workspace of a few thousand rows with everything that makes splitting hard: quoted
/// fields with commas, quotes and line breaks, CRLF line ends, blank lines, a BOM.
struct Sample {
    var customers = "\u{FEFF}id,name,region,grade,credit_limit,currency,terms_days,collector\r\n"
    var invoices = "id,customer_id,issued,due,amount,disputed\n"
    var payments = "id,customer_id,invoice_id,date,amount,method\n"

    init(customers count: Int = 300, invoices: Int = 3000) {
        for c in 0..<count {
            let name =
                switch c % 4 {
                case 0: "客户\(c)有限公司"
                case 1: "\"Smith, Jones & Co \(c)\""
                case 2: "\"Line one\nline \"\"two\"\" \(c)\""
                default: "Plain \(c)"
                }
            customers +=
                "C\(c),\(name),\(["华东", "华北", ""][c % 3]),\(["A", "c", ""][c % 3]),\(c * 100).50,CNY,\(c % 90),\(c % 5 == 0 ? "" : "王芳")\r\n"
            if c % 50 == 0 { customers += "\r\n" }
        }
        for i in 0..<invoices {
            let day = 1 + i % 28
            self.invoices +=
                "INV-\(String(repeating: "0", count: i % 3))\(i),C\(i * 7 % count),2026-03-\(day < 10 ? "0" : "")\(day),2026-05-01,\(i % 1000 + 1).25,\(i % 13 == 0)\n"
            if i % 3 != 0 {
                payments +=
                    "P\(i),C\(i * 7 % count),INV-\(String(repeating: "0", count: i % 3))\(i),2026-04-0\(1 + i % 9),\(i % 1000).25,\"银行,转账\"\n"
            } else if i % 9 == 0 {
                payments += "U\(i),C\(i * 7 % count),,2026-04-02,10.00,\n"
            }
        }
    }

    func load(parts: Int?) -> Result<Workspace, Diagnostics> {
        Result { () throws(Diagnostics) in
            try WorkspaceLoader.load(customers: customers, invoices: invoices, payments: payments, parts: parts)
        }
    }
}

/// The text with its lines changed by `edit`.
func editingLines(_ text: String, separator: String = "\n", _ edit: (inout [String]) -> Void) -> String {
    var lines = text.components(separatedBy: separator)
    edit(&lines)
    return lines.joined(separator: separator)
}

/// Every column of a workspace as text, to compare two loads.
func dump(_ w: Workspace) -> [String] {
    let c = w.customers
    let i = w.invoices
    let p = w.payments
    var lines: [String] = []
    for r in 0..<c.count {
        lines.append(
            "\(c.id[r])|\(c.name[r])|\(c.region[r] ?? "-")|\(c.grade[r].map(String.init(describing:)) ?? "-")|\(c.creditLimit[r] ?? -1)|\(c.currency[r])|\(c.termsDays[r] ?? -1)|\(c.collector[r] ?? "-")|\(c.id.row(of: c.id[r]) ?? -1)"
        )
    }
    for r in 0..<i.count {
        lines.append(
            "\(i.id[r])|\(i.customer[r])|\(i.issued[r])|\(i.due[r])|\(i.amount[r])|\(i.disputed[r])|\(i.id.row(of: i.id[r]) ?? -1)"
        )
    }
    for r in 0..<p.count {
        lines.append(
            "\(p.id[r])|\(p.customer[r])|\(p.invoice[r] ?? -1)|\(p.date[r])|\(p.amount[r])|\(p.carried.values("method")[r])")
    }
    return lines
}

func rendered(_ result: Result<Workspace, Diagnostics>) -> String {
    switch result {
    case .success(let w): return dump(w).joined(separator: "\n")
    case .failure(let d): return d.all.map(\.rendered).joined()
    }
}

struct PartsTests {
    @Test(arguments: [2, 3, 4, 7])
    func partsGiveTheSameRows(parts: Int) throws {
        let sample = Sample()
        let whole = try sample.load(parts: 1).get()
        #expect(whole.customers.count == 300)
        #expect(whole.invoices.count == 3000)
        #expect(whole.customers.name[2] == "Line one\nline \"two\" 2")
        #expect(whole.payments.carried.values("method")[0] == "-")
        #expect(whole.payments.carried.values("method")[1] == "银行,转账")
        #expect(rendered(sample.load(parts: parts)) == rendered(.success(whole)))
    }

    @Test(arguments: ["\r\n", "\r"])
    func otherLineEndsSplitToo(lineEnd: String) {
        var sample = Sample()
        sample.invoices = sample.invoices.replacingOccurrences(of: "\n", with: lineEnd)
        sample.payments = sample.payments.replacingOccurrences(of: "\n", with: lineEnd)
        sample.payments = editingLines(sample.payments, separator: lineEnd) { lines in
            lines[2000] = lines[2000].replacingOccurrences(of: "2026-04", with: "2026-14")
        }
        let whole = rendered(sample.load(parts: 1))
        #expect(whole.contains("payments.csv:2001:"))
        #expect(rendered(sample.load(parts: 4)) == whole)
        let bytes = Array(sample.invoices.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            let file = try? CSVFile(name: "invoices.csv", bytes: buffer, columns: [])
            #expect(file?.parts(4).parts.count == 4)
            // Every line counted once, whatever ends it: the header's and the records'.
            let ends = sample.invoices.components(separatedBy: lineEnd).count - 1
            #expect(file.map { $0.firstLine - 1 + $0.parts(4).parts.reduce(0) { $0 + $1.lines } } == ends + 1)
        }
    }

    @Test(arguments: [2, 3, 4, 7])
    func partsGiveTheSameErrors(parts: Int) {
        var sample = Sample()
        // Bad values spread over the file, some in the last rows, more than can be shown.
        sample.invoices = editingLines(sample.invoices) { lines in
            for k in stride(from: 40, to: 3000, by: 50) {
                lines[k] = lines[k].replacingOccurrences(of: "2026-05-01", with: "2026-02-30")
            }
            lines[2999] = lines[2999].replacingOccurrences(of: ",C", with: ",NOPE")
            lines[21] = lines[20]  // a duplicate id
        }
        let whole = rendered(sample.load(parts: 1))
        #expect(whole.contains("invoices.csv:41:"))
        #expect(whole.contains("duplicate invoice id"))
        #expect(whole.contains("more errors not shown"))
        #expect(rendered(sample.load(parts: parts)) == whole)
    }

    @Test(arguments: [2, 3, 5])
    func paymentsNotKeptInEveryPartHaveTheirInvoicesChecked(parts: Int) {
        var sample = Sample()
        // Payments with a bad date (not kept) spread over every part, each with an invoice
        // that is missing or another customer's: each error names its own line.
        sample.payments = editingLines(sample.payments) { lines in
            for k in stride(from: 100, to: lines.count - 1, by: 97) {
                lines[k] = lines[k].replacingOccurrences(of: "2026-04", with: "2026-13")
                lines[k] = lines[k].replacingOccurrences(of: k % 2 == 0 ? ",INV-" : ",C", with: k % 2 == 0 ? ",NOT-" : ",C1")
            }
        }
        let whole = rendered(sample.load(parts: 1))
        #expect(whole.contains("payments.csv:101:"))
        #expect(whole.contains("no invoice 'NOT-"))
        #expect(whole.contains("not to this payment's customer"))
        #expect(rendered(sample.load(parts: parts)) == whole)
    }

    @Test(arguments: [2, 5])
    func paymentErrorsFoundAfterReadingKeepTheirOrder(parts: Int) {
        var sample = Sample()
        sample.payments = editingLines(sample.payments) { lines in
            lines[10] = lines[10].replacingOccurrences(of: ",INV-", with: ",NOT-")  // no such invoice
            lines[11] = lines[11].replacingOccurrences(of: "2026-04", with: "2026-13")  // bad date, then
            lines[11] = lines[11].replacingOccurrences(of: ",INV-", with: ",NOT-")  // no such invoice first
            let p1201 = lines.firstIndex { $0.hasPrefix("P1201,") } ?? 0
            let p1802 = lines.firstIndex { $0.hasPrefix("P1802,") } ?? 0
            lines[p1201] = lines[p1201].replacingOccurrences(of: ".25,", with: "000.25,")  // more than owed
            lines[p1802] = lines[p1802].replacingOccurrences(of: ",C", with: ",C1")  // another customer's invoice
        }
        let whole = rendered(sample.load(parts: 1))
        #expect(whole.contains("no invoice 'NOT-"))
        #expect(whole.contains("is more than what is left"))
        #expect(whole.contains("not to this payment's customer"))
        #expect(whole.components(separatedBy: "payments.csv:12:").count == 3)
        #expect(rendered(sample.load(parts: parts)) == whole)
    }

    @Test(arguments: [2, 4])
    func aMalformedRecordEndsTheFileInEveryPart(parts: Int) {
        var sample = Sample()
        sample.invoices = editingLines(sample.invoices) { lines in
            lines[700] = lines[700].replacingOccurrences(of: ",C", with: ",\"C")  // an unterminated quote
            lines[2500] = lines[2500].replacingOccurrences(of: "2026-05-01", with: "soon")
        }
        let whole = rendered(sample.load(parts: 1))
        #expect(whole.contains("unterminated quoted field"))
        #expect(!whole.contains("soon"))
        #expect(rendered(sample.load(parts: parts)) == whole)
    }

    /// A malformed record that starts a part is told after the problems of the parts before
    /// it, as when the file is read in one part.
    @Test(arguments: [2, 3, 5])
    func aMalformedRecordThatStartsAPartComesAfterTheProblemsBeforeIt(parts: Int) throws {
        var sample = Sample()
        sample.invoices = editingLines(sample.invoices) { lines in
            lines[10] = lines[10].replacingOccurrences(of: "2026-05-01", with: "soon")
        }
        // The first record of the last part, made malformed without moving where parts split:
        // two more quotes (as many as before, in pairs) and two more bytes.
        let split = try Array(sample.invoices.utf8).withUnsafeBufferPointer { all in
            try CSVFile(name: "invoices.csv", bytes: all, columns: []).parts(parts).parts
        }
        let line = try #require(split.last?.line)
        sample.invoices = editingLines(sample.invoices) { lines in
            lines[line - 1] = "\"INV\"" + lines[line - 1].dropFirst(3)
        }
        let moved = try Array(sample.invoices.utf8).withUnsafeBufferPointer { all in
            try CSVFile(name: "invoices.csv", bytes: all, columns: []).parts(parts).parts
        }
        #expect(moved.last?.line == line)
        let whole = rendered(sample.load(parts: 1))
        #expect(whole.contains("invoices.csv:11:") && whole.contains("invoices.csv:\(line):"))
        let (early, late) = (whole.range(of: "invoices.csv:11:"), whole.range(of: "invoices.csv:\(line):"))
        #expect(early?.lowerBound ?? whole.endIndex < late?.lowerBound ?? whole.startIndex)
        #expect(rendered(sample.load(parts: parts)) == whole)
    }

    @Test func invalidUTF8InALaterPartIsTheOnlyError() {
        var sample = Sample()
        sample.invoices += "INV-X,C1,2026-03-01,2026-05-01,1.00,\u{FFFD}\n"
        let bad = sample.invoices.utf8.count - 4
        var bytes = Array(sample.invoices.utf8)
        bytes.replaceSubrange(bad..<(bad + 3), with: [0xC9, 0xCF, 0x0A])
        sample.invoices = String(decoding: bytes, as: UTF8.self)
        // String(decoding:) would repair the bytes, so they are loaded as bytes.
        let whole = loadBytes(Array(sample.customers.utf8), bytes, Array(sample.payments.utf8), parts: 1)
        #expect(whole.contains("file is not UTF-8"))
        #expect(loadBytes(Array(sample.customers.utf8), bytes, Array(sample.payments.utf8), parts: 3) == whole)
    }

    @Test func splitPointsRespectQuotes() {
        let text = "h\n" + String(repeating: "a,\"x\ny\"\n", count: 40) + "b,c\n"
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            guard let file = try? CSVFile(name: "t.csv", bytes: buffer, columns: [StoredField(name: "h", required: true)])
            else {
                Issue.record("header not read")
                return
            }
            let parts = file.parts(5).parts
            #expect(parts.count == 5)
            #expect(parts.first?.range.lowerBound == 2)
            #expect(parts.last?.range.upperBound == bytes.count)
            for (a, b) in zip(parts, parts.dropFirst()) {
                #expect(a.range.upperBound == b.range.lowerBound)
                // Each part starts a record: after a line break that ends a record.
                #expect(bytes[b.range.lowerBound - 1] == 10 && bytes[b.range.lowerBound - 2] == UInt8(ascii: "\""))
                #expect(b.line == 2 + 2 * (b.range.lowerBound - 2) / 8)
                #expect(a.lines == b.line - a.line)
            }
            // The last part's lines: its line breaks, and one more for a last line without one.
            #expect(parts.last.map { $0.lines == bytes[$0.range].filter { $0 == 10 }.count + 1 } == true)
        }
    }

    @Test func countsWordByWord() {
        // Words with no byte below 0x23 are skipped: spaces, tabs and `!` are below it too.
        let below = String(repeating: "a b\tc!d", count: 9) + "\n" + String(repeating: "abcdefgh", count: 5) + "\r\"\n"
        // And random bytes of any length: each of the three anywhere in a word, or in the last few bytes.
        var random = SplitMix64(seed: 3)
        let alphabet = Array("\n\r\" !#a,\u{7F}".utf8) + [0x80, 0xFF, 0x00, 0x22, 0x23]
        let randomTexts = (0..<2000).map { _ in (0..<random.below(70)).map { _ in random.pick(alphabet) } }
        let texts = ["", "\"", "\r\n\"\"", String(repeating: "ab\r\n\"上海\"\n", count: 13) + "x", below].map { Array($0.utf8) }
        for bytes in texts + randomTexts {
            let counts = bytes.withUnsafeBufferPointer { countAndCheck($0, 0..<$0.count, checking: 0..<0) }
            #expect(counts.lineFeeds == bytes.filter { $0 == 10 }.count)
            #expect(counts.carriageReturns == bytes.filter { $0 == 13 }.count)
            #expect(counts.quotes == bytes.filter { $0 == 34 }.count)
        }
    }

    /// The bytes are checked in shares, at the same time as they are counted: the first bad
    /// byte found is the one a check of the whole file finds, wherever the shares split a
    /// character, whichever share holds it.
    @Test func theFirstByteNotUTF8IsFoundInShares() {
        var random = SplitMix64(seed: 11)
        let pieces: [[UInt8]] = ["a", "bcdefghi", "\n", "é", "上海", "😀", "x,y", "\u{FEFF}"].map { Array($0.utf8) }
        let edges: [UInt8] = [0x00, 0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xE4, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        for _ in 0..<3000 {
            var body: [UInt8] = []
            for _ in 0..<random.below(40) {
                body += random.below(12) == 0 ? [random.pick(edges)] : random.pick(pieces)
            }
            let bytes = Array("h\n".utf8) + body
            bytes.withUnsafeBufferPointer { all in
                guard let file = try? CSVFile(name: "t.csv", bytes: all, columns: []) else {
                    Issue.record("header not read")
                    return
                }
                let whole = firstUnreadable(all, in: file.records)
                for n in [1, 2, 3, 5, 8] {
                    #expect(file.parts(n).firstInvalid == whole, "\(body) in \(n)")
                }
            }
        }
    }

    @Test func anUnquotedFieldEndsOnlyAtACommaOrALineBreak() throws {
        // Every other ASCII byte stays in its field, read one by one and eight at a time.
        for b in UInt8(1)...127 where ![UInt8(ascii: ","), 10, 13, UInt8(ascii: "\"")].contains(b) {
            let bytes = [UInt8(ascii: "x"), b, UInt8(ascii: "y"), UInt8(ascii: ",")] + Array(repeating: b, count: 11) + [10]
            let fields = try bytes.withUnsafeBufferPointer { all in
                var scanner = CSVScanner(bytes: all, range: 0..<all.count, line: 1)
                var fields = CSVFields()
                _ = try scanner.nextRecord(into: &fields)
                return fields.array.map { Array(all[$0.start..<$0.end]) }
            }
            #expect(fields == [Array(bytes[0..<3]), Array(bytes[4..<15])], "byte \(b)")
        }
    }

    @Test func peeksAtAPlainFieldOfTheNextRecordOnly() {
        // On the first record of each case, what `peekNext` gives of the second's columns a, b, c, d.
        func peek(_ records: String) -> [String?] {
            let bytes = Array(("a,b,c\n" + records).utf8)
            return bytes.withUnsafeBufferPointer { all in
                let specs = ["a", "b", "c", "d"].map { StoredField(name: $0, required: false) }
                guard let file = try? CSVFile(name: "t.csv", bytes: all, columns: specs) else { return [] }
                var table = CSVTable(file, part: (file.records, 2))
                guard (try? table.next()) == true else { return [] }
                return (0..<4).map { table.peekNext($0).map { String(decoding: $0, as: UTF8.self) } }
            }
        }
        #expect(peek("1,C6,x\nINV-2,C7,2026-01-01\n") == ["INV-2", "C7", "2026-01-01", nil])
        #expect(peek("1,C6,x\r\n\r\nINV-2,C7,2026-01-01\r\n") == ["INV-2", "C7", "2026-01-01", nil])
        // Trimmed as the field will be read; empty; quoted (not peeked); missing.
        #expect(peek("1,C6,x\n INV-2\t,,\"x\"") == ["INV-2", "", nil, nil])
        #expect(peek("1,C6,x\nINV-2") == ["INV-2", nil, nil, nil])
        // No record after this one, or a malformed one.
        #expect(peek("1,C6,x\n") == [nil, nil, nil, nil])
        #expect(peek("1,C6,x\nINV-2,\"C7") == [nil, nil, nil, nil])
    }

    @Test func aMalformedRecordStopsThePartWhenItsTurnComes() throws {
        let bytes = Array("a,b\n1,2\n3,\"4\n".utf8)
        try bytes.withUnsafeBufferPointer { all in
            let file = try CSVFile(name: "t.csv", bytes: all, columns: [StoredField(name: "a", required: true)])
            var table = CSVTable(file, part: (file.records, 2))
            // The record before it is read whole, though the scanner has seen the bad one.
            #expect(try table.next())
            #expect(String(decoding: table.bytes(0), as: UTF8.self) == "1")
            #expect(table.recordStart.line == 2)
            do throws(Diagnostic) {
                _ = try table.next()
                Issue.record("no error")
            } catch {
                #expect(error.message == "unterminated quoted field")
                #expect(error.position?.line == 3 && error.position?.column == 3)
            }
        }
    }

    @Test(arguments: [1, 2, 4, 8])
    func keyIndexFindsEveryIdAndEachDuplicate(parts: Int) {
        var ids = KeyColumn()
        // Long ids sharing their first 16 bytes, short ones, and the empty id.
        let texts =
            (0..<5000).map { "customer-account-number-\($0)" } + (0..<5000).map { "\($0)" } + [
                "", "7", "customer-account-number-42",
            ]
        for t in texts {
            var t = t
            t.withUTF8 { ids.append($0) }
        }
        let duplicates = ids.buildIndex(parts: parts)
        #expect(duplicates.map(\.row) == [10_001, 10_002])
        #expect(duplicates.map(\.first) == [5007, 42])
        #expect(ids.row(of: "customer-account-number-4999") == 4999)
        #expect(ids.row(of: "4999") == 9999)
        #expect(ids.row(of: "") == 10_000)
        #expect(ids.row(of: "customer-account-number-5000") == nil)
        #expect(ids.row(of: "customer-account-number-") == nil)
        // Ids that are not indexed find the same duplicates.
        let unindexed = ids.texts.duplicates(parts: parts)
        #expect(unindexed.map(\.row) == [10_001, 10_002])
        #expect(unindexed.map(\.first) == [5007, 42])
    }

    /// Ids that are a prefix and a number counting up from the first row need no index: each
    /// is found by its number, and nothing else is found.
    @Test(arguments: [1, 2, 4])
    func numberedIdsAreFoundByTheirNumber(parts: Int) {
        func column(_ texts: [String]) -> KeyColumn {
            var ids = KeyColumn()
            for t in texts { Array(t.utf8).withUnsafeBufferPointer { ids.append($0) } }
            return ids
        }
        var ids = column((7..<70_007).map { "INV-" + String(repeating: "0", count: 6 - String($0).count) + String($0) })
        #expect(ids.buildIndex(parts: parts).isEmpty)
        #expect(ids.isNumbered && ids.parts.isEmpty)
        #expect(ids.row(of: "INV-000007") == 0 && ids.row(of: "INV-070006") == 69_999 && ids.row(of: "INV-012345") == 12_338)
        for missing in ["INV-000006", "INV-070007", "INV-00007", "INV-0000007", "inv-000007", "INV-00000a", "XNV-000007", ""] {
            #expect(ids.row(of: missing) == nil, "\(missing)")
        }
        // Numbers alone, past what an Int64 holds in all: the leading digits are the prefix.
        var long = column((0..<3).map { "1234567890" + String(1_234_567_890 + $0) })
        #expect(long.buildIndex(parts: parts).isEmpty && long.isNumbered && long.row(of: "12345678901234567892") == 2)
        // Numbers that outgrow the width of the first: written with no zero in front past it.
        var growing = column((99_990..<100_010).map { "客户" + String($0) })
        #expect(growing.buildIndex(parts: parts).isEmpty && growing.isNumbered)
        #expect(growing.row(of: "客户99999") == 9 && growing.row(of: "客户100000") == 10)
        #expect(growing.row(of: "客户100009") == 19)
        for missing in ["客户099999", "客户0100000", "客户1000000", "客户09999", "客户9999", "客户100010", "客户"] {
            #expect(growing.row(of: missing) == nil, "\(missing)")
        }
        var short = column(["A8", "A9", "A10"])
        #expect(short.buildIndex(parts: parts).isEmpty && short.isNumbered)
        #expect(short.row(of: "A10") == 2 && short.row(of: "A010") == nil && short.row(of: "A08") == nil)
        // A prefix of 16 bytes is kept, one of 17 is indexed.
        for prefix in ["ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOPQ"] {
            var ids = column((1...3).map { prefix + String($0) })
            #expect(ids.buildIndex(parts: parts).isEmpty && ids.isNumbered == (prefix.utf8.count <= 16), "\(prefix)")
            #expect(ids.row(of: prefix + "3") == 2 && ids.row(of: "ABCDEFGHIJKLMNOX3") == nil, "\(prefix)")
        }
        // Not numbered: a gap, a zero in front past the width, one given twice, one going down,
        // a number past 18 digits.
        let past = ["999999999999999999", "1000000000000000000"]
        for texts in [["A1", "A2", "A4"], ["A08", "A09", "A010"], ["N1", "N2", "N2"], ["B2", "B1"], ["X", "Y"], past] {
            var other = column(texts)
            let duplicates = other.buildIndex(parts: parts)
            #expect(!other.isNumbered, "\(texts)")
            #expect(duplicates.map(\.row) == (texts == ["N1", "N2", "N2"] ? [2] : []), "\(texts)")
            for (row, text) in texts.enumerated() where !duplicates.contains(where: { $0.row == row }) {
                #expect(other.row(of: text) == Int32(row), "\(texts)")
            }
        }
    }

    /// Texts are kept as their numbering while every one continues it, whether appended one
    /// by one or joined from parts, and written out when one does not: whatever the texts,
    /// the column gives back the same texts, finds each one's row, and is numbered exactly when
    /// the texts are, as told here from their strings.
    @Test(arguments: [17, 29, 41] as [UInt64])
    func numberedTextsGiveBackWhatWasAppended(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        /// Whether `texts` are a prefix of at most 16 bytes and numbers counting up by one, each
        /// written with zeros in front up to the first one's width and none past it.
        func numbered(_ texts: [String]) -> Bool {
            guard let first = texts.first else { return false }
            let digitBytes = Array(first.utf8.reversed().prefix { (48...57).contains($0) }.prefix(18).reversed())
            let digits = String(decoding: digitBytes, as: UTF8.self)
            let prefix = String(decoding: first.utf8.dropLast(digitBytes.count), as: UTF8.self)
            guard let start = Int(digits), prefix.utf8.count <= 16 else { return false }
            return texts.enumerated().allSatisfy { r, text in
                let number = String(start + r)
                let padded = String(repeating: "0", count: max(0, digits.count - number.count)) + number
                return number.count <= 18 && text == prefix + padded
            }
        }
        for round in 0..<600 {
            let prefix = random.pick(["", "INV-", "客户", "C", "ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOPQ", "12", "P-7x"])
            let start = random.pick([0, 1, 7, 95, 998, 99_990, 999_999_999_999_999_990])
            let width = 1 + random.below(8)
            var texts = (0..<(1 + random.below(40))).map { i -> String in
                let number = String(start + i)
                return prefix + String(repeating: "0", count: max(0, width - number.count)) + number
            }
            // Sometimes broken: a number skipped or given twice, a zero in front too many or
            // too few, another prefix, a missing value, a word.
            if random.below(3) == 0 {
                let i = random.below(texts.count)
                switch random.below(6) {
                case 0: texts.remove(at: i)
                case 1: texts.insert(texts[i], at: i)
                case 2: texts[i] = prefix + "0" + texts[i].dropFirst(prefix.count)
                case 3: texts[i] = prefix + texts[i].dropFirst(prefix.count + 1)
                case 4: texts[i] = "X" + texts[i]
                default: texts[i] = random.pick(["", "word"])
                }
            }
            // Appended in up to four parts, then joined.
            var cuts = (0..<random.below(4)).map { _ in random.below(texts.count + 1) }.sorted()
            cuts = [0] + cuts + [texts.count]
            let parts = (0..<(cuts.count - 1)).map { k in
                var ids = KeyColumn()
                for t in texts[cuts[k]..<cuts[k + 1]] {
                    var t = t
                    t.withUTF8 { ids.append($0) }
                }
                return ids
            }
            var ids = parts[0]
            for part in parts.dropFirst() { ids.append(contentsOf: part) }
            #expect((0..<ids.count).map { ids[$0] } == texts, "round \(round): \(texts)")
            #expect(ids.isNumbered == numbered(texts), "round \(round): \(texts)")
            #expect(ids.texts.ends.count == (ids.isNumbered ? 0 : texts.count), "round \(round): \(texts)")
            let duplicates = ids.buildIndex(parts: 2)
            let firsts = Dictionary(texts.enumerated().map { ($1, $0) }, uniquingKeysWith: min)
            #expect(duplicates.map(\.row) == texts.indices.filter { firsts[texts[$0]] != $0 }.map(Int32.init))
            for (text, row) in firsts {
                #expect(ids.row(of: text) == Int32(row), "round \(round): \(text) in \(texts)")
            }
            for missing in [prefix + "0", prefix + "00" + (texts.first ?? "").dropFirst(prefix.count), prefix, "Y"]
            where firsts[missing] == nil {
                #expect(ids.row(of: missing) == nil, "round \(round): \(missing) in \(texts)")
            }
        }
    }

    /// A numbering read from a cache is one only if its fields make one.
    @Test func aNumberingIsMadeOfSensibleFields() {
        let prefix: (low: UInt64, high: UInt64) = (0x41, 0)
        #expect(Numbering(prefix: prefix, prefixCount: 1, width: 6, first: 1, count: 10) != nil)
        #expect(Numbering(prefix: prefix, prefixCount: 16, width: 18, first: 999_999_999_999_999_990, count: 10) != nil)
        #expect(Numbering(prefix: prefix, prefixCount: 0, width: 1, first: 0, count: 1_000_000_000_000_000_000) != nil)
        for (prefixCount, width, first, count) in [
            (17, 6, 1, 10), (-1, 6, 1, 10), (1, 0, 1, 10), (1, 19, 1, 10), (1, 6, -1, 10), (1, 6, 1, -1),
            (1, 18, 999_999_999_999_999_990, 11), (1, 6, 1, Int.max),
        ] {
            #expect(
                Numbering(prefix: prefix, prefixCount: prefixCount, width: width, first: first, count: count) == nil,
                "\(prefixCount) \(width) \(first) \(count)")
        }
    }

    @Test func keysOfEveryLengthDifferingInOneByteAreTold() {
        // Every length from 0 to 40, and each of those with one byte changed, anywhere: the
        // hash and the prefix kept in a slot read each byte, and none beyond the key.
        var texts: [String] = []
        for length in 0...40 {
            let base = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            texts.append(base)
            for k in 0..<length {
                var bytes = Array(base.utf8)
                bytes[k] = UInt8(ascii: "Z")
                texts.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        var ids = KeyColumn()
        for t in texts {
            var t = t
            t.withUTF8 { ids.append($0) }
        }
        #expect(ids.buildIndex(parts: 2).isEmpty)
        #expect(ids.texts.duplicates(parts: 2).isEmpty)
        #expect(texts.enumerated().allSatisfy { ids.row(of: $0.element) == Int32($0.offset) })
        let hashes = Set(
            texts.map { t in
                var t = t
                return t.withUTF8 { TextIndex.hash($0) }
            })
        #expect(hashes.count == texts.count)
    }

    @Test func textsAlikeInTheTwelveBytesASlotKeepsAreToldApart() {
        // All given one hash, so that each is compared with every one before it: zero bytes
        // look like a slot's padding, and texts longer than 12 bytes share their first 12.
        let keys = [
            "", "\0", "AB", "AB\0", "AB\0\0", "A\0B", "ABCDEFGHIJK", "ABCDEFGHIJK\0", "ABCDEFGHIJKL", "ABCDEFGHIJKL\0",
            "ABCDEFGHIJKLM", "ABCDEFGHIJKLN", "ABCDEFGHIJKL\0\0", "XY\0", "XY",
        ]
        var texts = TextColumn()
        (keys + keys).forEach { texts.append($0) }
        var index = TextIndex(capacity: 64)
        for row in keys.indices {
            #expect(index.insert(Int32(row), hash: 0, of: texts) == nil, "\(keys[row].debugDescription)")
        }
        for row in keys.indices {
            #expect(index.insert(Int32(keys.count + row), hash: 0, of: texts) == Int32(row))
            var key = keys[row]
            #expect(key.withUTF8 { index.row(of: $0, hash: 0, in: texts) } == Int32(row))
        }
        var missing = "ABCDEFGHIJKLO"
        #expect(missing.withUTF8 { index.row(of: $0, hash: 0, in: texts) } == nil)
    }

    /// A text's end is kept in 32 bits, with the rows from which the text is past each 4 GiB:
    /// a column of more text than that still knows where each text ends.
    @Test func endsPastFourGigabytesAreKept() {
        var ends = TextColumn()
        let at = [3, (1 << 32) - 1, 1 << 32, (1 << 32) + 7, (3 << 32) + 1, (3 << 32) + 1, 5 << 32]
        at.forEach { ends.endText(at: $0) }
        #expect((0..<at.count).map(ends.end) == at)
        #expect(ends.crossings == [2, 4, 4, 6, 6])
        // Texts joined after 4 GiB less 2 bytes (memory never written, so never given a page).
        var big = TextColumn()
        big.bytes = [UInt8](unsafeUninitializedCapacity: (1 << 32) + 4096) { $1 = (1 << 32) - 2 }
        big.endText(at: big.bytes.count)
        big.append(contentsOf: ["abc", nil, "de"])
        #expect(big.count == 4 && big.crossings == [1])
        #expect(big[1] == "abc" && big.value(2) == nil && big[3] == "de")
        #expect((1..<4).map(big.end) == [(1 << 32) + 1, (1 << 32) + 1, (1 << 32) + 3])
        // Joined again, to a column already past 4 GiB.
        big.append(contentsOf: ["f"])
        #expect(big.crossings == [1] && big.end(4) == (1 << 32) + 4 && big[4] == "f" && big[3] == "de")
    }

    @Test func textsInOrderAreShorterFirstThenByBytes() {
        func increasing(_ texts: [String]) -> Bool {
            var column = TextColumn()
            texts.forEach { column.append($0) }
            return column.isStrictlyIncreasing(parts: 2)
        }
        #expect(increasing([]))
        #expect(increasing(["P9"]))
        #expect(increasing(["P9", "P10", "P11", "Q10", "PAY-0009", "PAY-0010"]))
        #expect(increasing(["", "a"]))
        #expect(!increasing(["P10", "P9"]))
        #expect(!increasing(["P10", "P10"]))
        #expect(!increasing(["", ""]))
        #expect(!increasing(["Q10", "P11"]))
    }

    @Test(arguments: [1, 2, 4])
    func idsInOrderButOneGivenTwiceAreFound(parts: Int) {
        // In order but for one id given twice, where the rows are split in two: the check of
        // the order sees the pair across the split, and the ids go to the tables.
        func id(_ n: Int) -> String {
            let digits = String(n)
            return "PAY-" + String(repeating: "0", count: 7 - digits.count) + digits
        }
        var ids = TextColumn()
        for i in 0..<200_000 { ids.append(id(i == 100_000 ? 99_999 : i)) }
        #expect(!ids.isStrictlyIncreasing(parts: parts))
        #expect(ids.duplicates(parts: parts).map { [$0.row, $0.first] } == [[100_000, 99_999]])
        var inOrder = TextColumn()
        for i in 0..<200_000 { inOrder.append(id(i)) }
        #expect(inOrder.isStrictlyIncreasing(parts: parts))
        #expect(inOrder.duplicates(parts: parts).isEmpty)
    }

    @Test func setOfTextsComparesTextsWhoseHashBitsMatch() {
        // A set made for one text holds 16 slots; these ten land in them without it growing,
        // and all share the 26 bits a slot keeps: texts are told apart by their bytes.
        var texts = TextColumn()
        (0..<10).forEach { texts.append("id-\($0)") }
        var set = TextSet(capacity: 1)
        for row in 0..<10 {
            let hash = texts.withBytes(row) { TextIndex.hash($0) } & 0x0000_0000_FFFF_FFFF
            #expect(set.insert(Int32(row), hash: hash, of: texts) == nil)
        }
        texts.append("id-3")
        let hash = texts.withBytes(10) { TextIndex.hash($0) } & 0x0000_0000_FFFF_FFFF
        #expect(set.insert(10, hash: hash, of: texts) == 3)
    }

    /// A set given more texts than it was made for grows, and still finds each one again.
    @Test(.timeLimit(.minutes(1)))  // a set that does not grow probes its full table for ever
    func setOfTextsGrows() {
        var texts = TextColumn()
        (0..<2000).forEach { texts.append("id-\($0 % 1000)") }
        var set = TextSet(capacity: 1)
        let found = (0..<2000).map { row in
            set.insert(Int32(row), hash: texts.withBytes(row) { TextIndex.hash($0) }, of: texts)
        }
        #expect(found == Array(repeating: nil, count: 1000) + (0..<1000).map { Int32($0) })
    }

    /// Ids that all fall in one part, more than its share: its table grows.
    @Test(.timeLimit(.minutes(1)), arguments: [2, 4])
    func aPartWithMoreThanItsShareOfIds(parts: Int) {
        // Ids whose hash picks part 0, then the first hundred again.
        var ids = TextColumn()
        var n = 0
        while ids.count < 3000 {
            let id = "C\(n)"
            n += 1
            var bytes = id
            if bytes.withUTF8({ TextIndex.hash($0) }) >> 58 & (parts - 1) == 0 { ids.append(id) }
        }
        for row in 0..<100 { ids.append(ids[row]) }
        let twice = (0..<100).map { [Int32(3000 + $0), Int32($0)] }
        #expect(ids.duplicates(parts: parts).map { [$0.row, $0.first] } == twice)
        var keys = KeyColumn()
        keys.texts = ids
        #expect(keys.buildIndex(parts: parts).map { [$0.row, $0.first] } == twice)
        #expect((0..<3000).allSatisfy { keys.row(of: ids[$0]) == Int32($0) })
    }
}

/// Loads files given as bytes (possibly not UTF-8): the rows, or the errors, as text.
func loadBytes(_ customers: [UInt8], _ invoices: [UInt8], _ payments: [UInt8], parts: Int) -> String {
    let files = [customers, invoices, payments].map { FileBytes(bytes: $0) }
    do {
        return dump(try WorkspaceLoader.load(names: WorkspaceLoader.files, files, progress: nil, parts: parts)).joined()
    } catch {
        return error.all.map(\.rendered).joined()
    }
}

/// Damaged files, read whole and in parts: never a crash, and the same rows or errors.
struct DamagedPartsTests {
    @Test func mutantsReadTheSameInParts() {
        let sample = Sample(customers: 60, invoices: 600)
        let pieces: [[UInt8]] = [[34], [13], [10], [44], [0xC9], [0xE4, 0xB8], [32], [34, 34], Array("2026-02-30".utf8)]
        for n in 0..<120 {
            var random = SplitMix64(seed: UInt64(n))
            var bytes = Array((n % 2 == 0 ? sample.invoices : sample.payments).utf8)
            for _ in 0..<(1 + random.below(4)) {
                let at = random.below(bytes.count)
                switch random.below(3) {
                case 0: bytes.insert(contentsOf: pieces[random.below(pieces.count)], at: at)
                case 1: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(20)))
                default: bytes[at] = pieces[random.below(pieces.count)][0]
                }
            }
            let invoices = n % 2 == 0 ? bytes : Array(sample.invoices.utf8)
            let payments = n % 2 == 0 ? Array(sample.payments.utf8) : bytes
            let results = [1, 2, 5].map { loadBytes(Array(sample.customers.utf8), invoices, payments, parts: $0) }
            #expect(results[1] == results[0], "mutant \(n) in 2 parts")
            #expect(results[2] == results[0], "mutant \(n) in 5 parts")
        }
    }
}

/// Rows that are numbers, to join parts without reading a file.
/// A table of one column, joined as the workspace's tables are.
private struct Numbers: StoredRows {
    var values: [Int64] = []
    static let columns = [Stored(\Numbers.values)]
}

struct JoinedTests {
    private typealias Part = WorkspaceLoader.Part<Numbers>

    private func part(_ values: [Int], ended: Bool = false) -> Part {
        var part = Part(rows: Numbers(values: values.map(Int64.init)))
        for v in values { part.places.append(offset: v, line: v) }
        part.ended = ended
        return part
    }

    @Test func partsReadInAnyOrderAreJoinedInFileOrder() {
        let joined = WorkspaceLoader.Joined(empty: Numbers())
        joined.add(part([5, 6]), at: 2)
        joined.add(part([3, 4]), at: 1)
        #expect(joined.state.withLock { $0.rows.values } == [])
        joined.add(part([1, 2]), at: 0)
        joined.add(part([7]), at: 3)
        #expect(joined.state.withLock { $0.rows.values } == [1, 2, 3, 4, 5, 6, 7])
        #expect(
            joined.state.withLock { state in (0..<state.places.count).map { state.places.offset(of: $0) } } == [
                1, 2, 3, 4, 5, 6, 7,
            ])
    }

    @Test func aPartThatEndsTheFileDropsTheOnesAfterIt() {
        let joined = WorkspaceLoader.Joined(empty: Numbers())
        joined.add(part([1]), at: 0)
        joined.add(part([5]), at: 2)
        joined.add(part([9]), at: 3)
        joined.add(part([3], ended: true), at: 1)
        #expect(joined.state.withLock { $0.rows.values } == [1, 3])
    }

    /// Parts brought by many threads at once, in no order: one thread joins while the others
    /// hand their parts over; every part is joined once, in file order, and nothing waits.
    @Test func partsBroughtAtOnceAreAllJoinedInOrder() {
        for round in 0..<20 {
            let joined = WorkspaceLoader.Joined(empty: Numbers())
            let order = (0..<64).map { ($0 * 37 + round * 11) % 64 }
            _ = concurrently(order.count) { i in
                let k = order[i]
                joined.add(part([3 * k, 3 * k + 1, 3 * k + 2]), at: k)
            }
            #expect(joined.state.withLock { $0.rows.values } == Array(0..<192))
            #expect(
                joined.state.withLock { state in (0..<state.places.count).map { state.places.offset(of: $0) } } == Array(0..<192))
            #expect(joined.state.withLock { !$0.joining && $0.waiting.isEmpty && $0.next == 64 })
        }
    }
}
