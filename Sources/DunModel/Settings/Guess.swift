// Guess: `dun init` — a folder of exports looked at, and the dun.toml that reads them
// written, each guess with a comment, and what could not be guessed said plainly.

import DunCore
import Foundation

public enum Guess {
    /// What `dun init` found: dun.toml's text, and what to tell the person, one line each.
    public struct Result: Sendable {
        public var toml: String
        public var report: [String]
        /// Whether every required field of every table was found.
        public var complete: Bool
    }

    /// The files other than the export's, which a workspace may hold as they are.
    static let ownFiles = Set(Catalogue.all.filter { !$0.required }.map(\.file))

    /// A file looked at: its name, how it is read, its header and first records.
    struct Sample {
        var name: String
        var encoding: FileEncoding = .utf8
        var delimiter: UInt8 = UInt8(ascii: ",")
        var sheet: String?
        var headers: [String] = []
        var rows: [[String]] = []

        /// The header that holds `spec`'s field: its own name or an alias.
        func header(for spec: StoredField) -> String? {
            let wanted = Set(([spec.name] + spec.aliases).map(StoredField.key))
            return headers.first { wanted.contains(StoredField.key($0)) }
        }

        func values(of header: String) -> [String] {
            guard let i = headers.firstIndex(of: header) else { return [] }
            return rows.compactMap { i < $0.count ? $0[i].trimmingSpaces() : nil }.filter { !$0.isEmpty }
        }
    }

    /// Looks at the CSV and Excel files in `directory` and writes what dun.toml would say.
    public static func guess(directory: String) -> Result {
        var report: [String] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted().filter {
            !$0.hasPrefix(".") && !ownFiles.contains($0)
                && ($0.lowercased().hasSuffix(".csv") || $0.lowercased().hasSuffix(".xlsx"))
        }
        var samples: [Sample] = []
        for name in names {
            switch sample(directory + "/" + name, name: name) {
            case .success(let s): samples.append(s)
            case .failure(let problem): report.append("\(name): skipped: \(problem.message)")
            }
        }
        if samples.isEmpty {
            report.append("no CSV or Excel file (.xlsx) in \(directory)")
        }
        // Each table from the file that has most of its fields, among those with all its
        // required ones; a file is one table's (the invoices' first: a line-item export).
        var chosen: [ExportTable: Sample] = [:]
        var used = Set<String>()
        for table in [ExportTable.invoices, .payments, .customers] {
            let fit = samples.filter { s in
                !used.contains(s.name) && table.specs.filter(\.required).allSatisfy { s.header(for: $0) != nil }
            }
            let score = { (s: Sample) in
                table.specs.filter { s.header(for: $0) != nil }.count * 2
                    + (StoredField.key(s.name).hasPrefix(table.rawValue) ? 1 : 0)
            }
            if let best = fit.max(by: { (score($0), $1.name) < (score($1), $0.name) }) {
                chosen[table] = best
                used.insert(best.name)
            }
        }
        // No file has every required field of the invoices: the one with most of them, or the
        // only file left, with the fields it lacks to be named by hand.
        if chosen[.invoices] == nil {
            let left = samples.filter { !used.contains($0.name) }
            let partial = left.max { a, b in
                InvoiceColumn.specs.filter { a.header(for: $0) != nil }.count
                    < InvoiceColumn.specs.filter { b.header(for: $0) != nil }.count
            }
            if let partial, left.count == 1 || InvoiceColumn.specs.contains(where: { partial.header(for: $0) != nil }) {
                chosen[.invoices] = partial
            }
        }
        var toml = "# dun.toml, written by `dun init` from the files in this folder. Each guess says why;\n"
        toml += "# change what is wrong, then try: dun --data . -e 'invoices | count'\n"
        var complete = true
        var lines: [String] = []
        func line(_ text: String) { lines.append(text) }
        for table in [ExportTable.invoices, .customers, .payments] {
            line("")
            line("[\(table.rawValue)]")
            var sample = chosen[table]
            var derived = false
            if sample == nil, table != .invoices, let invoices = chosen[.invoices] {
                // A line-item export: the customers and settlements are on the invoices' lines.
                let needs = table == .customers ? "customer_id" : "date"
                let spec = (table == .customers ? InvoiceColumn.specs : PaymentColumn.specs).first { $0.name == needs }
                if let spec, let header = invoices.header(for: spec) {
                    line(
                        "from = \"invoices\"            # one line per invoice: its \(table == .customers ? "customer" : "settlement") is column \"\(header)\""
                    )
                    report.append(
                        "\(table.rawValue): read from \(invoices.name) (\(table == .customers ? "its customers" : "each invoice with a \(header) is paid in full that day"))"
                    )
                    sample = invoices
                    derived = true
                } else if table == .payments,
                    let flag = invoices.headers.first(where: {
                        Set(Catalogue.clearedFlag.map(StoredField.key)).contains(StoredField.key($0))
                    })
                {
                    // Settled invoices flagged, with no day: the day must come from the person.
                    complete = false
                    line("from = \"invoices\"            # one line per invoice: column \(quoted(flag)) flags the paid ones")
                    line("[payments.constants]")
                    line("# date = \"…\"                 # the export gives no day of payment: the day of the export?")
                    report.append(
                        "payments: read from \(invoices.name) (each invoice flagged in \(flag) is paid in full); it gives no day of payment: edit line \(lines.count + 2) of dun.toml"
                    )
                    continue
                }
            }
            guard let sample else {
                complete = false
                line("# file = \"…\"                 # no file has the columns of \(table.rawValue); name it here")
                report.append("\(table.rawValue): no file found; edit line \(lines.count + 2) of dun.toml")
                continue
            }
            if !derived {
                line("file = \(quoted(sample.name))\(pad(sample.name))# its header has \(summary(sample, table))")
                if let sheet = sample.sheet { line("sheet = \(quoted(sheet))\(pad(sheet))# the workbook's first sheet") }
                if sample.encoding == .gb18030 {
                    line("encoding = \"gb18030\"          # not UTF-8; read as GB18030 (GBK), as Chinese Excel and ERPs save")
                }
                if sample.delimiter != UInt8(ascii: ",") {
                    let d = sample.delimiter == 9 ? "tab" : String(UnicodeScalar(sample.delimiter))
                    line("delimiter = \(quoted(d))            # its header has no commas")
                }
                report.append("\(table.rawValue): \(sample.name)")
            }
            // The required fields whose header is none of the known names, and the columns
            // their values say they are.
            let missing = table.specs.filter { $0.required && sample.header(for: $0) == nil }
                .filter { !derived || (table == .payments && $0.name == "date") }
            let guessed = derived ? [:] : byValues(missing, in: sample, table: table)
            func header(_ spec: StoredField) -> String? { sample.header(for: spec) ?? guessed[spec.name]?.header }
            // Formats, from the values of the fields of each kind.
            let specs = table.specs.filter { !derived || table != .customers || $0.name == "id" }
            let dates = specs.filter { $0.kind == .date }.compactMap(header).flatMap { sample.values(of: $0) }
            if !derived, let (format, note) = dateFormat(dates) {
                if format != .yearFirst { line("dates = \(quoted(format.description))\(pad(format.description))# \(note)") }
            } else if !derived, !dates.isEmpty {
                line("# dates = \"%d/%m/%Y\"         # the dates (\(excerpt(dates[0]))) are in no format tried: say which")
                report.append(
                    "\(table.rawValue): the dates (\(excerpt(dates[0]))) are in no format tried; edit line \(lines.count + 2)")
            }
            let amounts = specs.filter { $0.kind == .amount }.compactMap(header).flatMap { sample.values(of: $0) }
            if !derived, decimalComma(amounts) {
                line(
                    "decimal = \",\"                 # amounts such as \(excerpt(amounts.first { $0.contains(",") } ?? "")) have a decimal comma"
                )
            }
            if !missing.isEmpty {
                line("[\(table.rawValue).columns]")
                for spec in missing {
                    if let (column, why) = guessed[spec.name] {
                        let setting = "\(spec.name) = \(quoted(column))"
                        line("\(setting)\(pad(setting, width: 26))# guessed from its values: \(why)")
                        report.append(
                            "\(table.rawValue): \(spec.name) is column \(quoted(column)), guessed from its values; check line \(lines.count + 2) of dun.toml"
                        )
                        continue
                    }
                    complete = false
                    line(
                        "# \(spec.name) = \"…\"\(pad(spec.name + " = \"…\"", width: 26))# which column is the \(spec.name)? its header has \(summary(sample, nil))"
                    )
                    report.append("\(table.rawValue): no column found for \(spec.name); edit line \(lines.count + 2) of dun.toml")
                }
            }
        }
        toml += lines.joined(separator: "\n") + "\n"
        return Result(toml: toml, report: report, complete: complete)
    }

    /// The file's encoding, delimiter, header and first 500 records; or why it cannot be read.
    static func sample(_ path: String, name: String) -> Swift.Result<Sample, Diagnostic> {
        var s = Sample(name: name)
        var file: FileBytes
        do throws(Diagnostic) {
            if name.lowercased().hasSuffix(".xlsx") {
                file = try FileBytes(workbook: path, sheet: nil, display: name)
                s.sheet = file.sheet
            } else {
                guard let raw = FileBytes(path: path) else { return .failure(Diagnostic(.error, "cannot be read", file: name)) }
                file = raw
                if firstUnreadable(raw.buffer, in: 0..<raw.buffer.count) != nil {
                    guard looksLikeGB18030(raw.buffer) else {
                        return .failure(Diagnostic(.error, "neither UTF-8 nor GB18030; save it as UTF-8", file: name))
                    }
                    file = try FileBytes(decoding: raw, from: .gb18030, name: name)
                    s.encoding = .gb18030
                }
            }
        } catch {
            return .failure(error)
        }
        let bytes = file.buffer
        let start = CSVScanner.start(of: bytes)
        s.delimiter = CSVFile.sniffDelimiter(bytes, from: start)
        var scanner = CSVScanner(bytes: bytes, range: start..<bytes.count, line: 1, delimiter: s.delimiter)
        var fields = CSVFields()
        var records: [[String]] = []
        while records.count <= 500, (try? scanner.nextRecord(into: &fields)) == true {
            records.append(
                fields.array.map { f in
                    let text = String(decoding: bytes[f.start..<f.end], as: UTF8.self)
                    return f.quoted ? text.replacingOccurrences(of: "\"\"", with: "\"") : text
                })
            fields.removeAll()
        }
        guard let header = records.first else { return .failure(Diagnostic(.error, "is empty", file: name)) }
        s.headers = header.map { $0.trimmingSpaces() }
        s.rows = Array(records.dropFirst())
        return .success(s)
    }

    /// For the required fields no header names, the columns whose values say they are them,
    /// and why: of the columns no field's header names, the one of dates (of two, the issue
    /// date is on or before the due date on every row), the one of amounts with decimals.
    static func byValues(
        _ fields: [StoredField], in s: Sample, table: ExportTable
    ) -> [String: (header: String, why: String)] {
        let claimed = Set(table.specs.compactMap { s.header(for: $0) })
        let free = s.headers.enumerated().filter { i, h in
            !claimed.contains(h) && s.headers.firstIndex(of: h) == i && !s.values(of: h).isEmpty
        }.map(\.element)
        var out: [String: (header: String, why: String)] = [:]
        func example(_ header: String) -> String { excerpt(s.values(of: header)[0]) }

        let dateFields = fields.filter { $0.kind == .date }
        let dateColumns = free.filter { dateFormat(s.values(of: $0)) != nil }
        if dateFields.count == 1, dateColumns.count == 1 {
            out[dateFields[0].name] = (dateColumns[0], "dates such as \(example(dateColumns[0]))")
        } else if dateFields.map(\.name) == ["issued", "due"], dateColumns.count == 2,
            let (first, second) = inOrder(dateColumns[0], dateColumns[1], in: s)
        {
            out["issued"] = (first, "dates such as \(example(first)), on or before \(quoted(second))'s on every row")
            out["due"] = (second, "dates such as \(example(second)), on or after \(quoted(first))'s on every row")
        }

        let amountFields = fields.filter { $0.kind == .amount }
        let out64 = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64)
        defer { out64.deallocate() }
        let amountColumns = free.filter { h in
            let values = s.values(of: h)
            guard !dateColumns.contains(h), values.contains(where: { $0.contains(".") || $0.contains(",") }) else { return false }
            return [AmountFormat(), AmountFormat(decimalComma: true)].contains { f in
                values.allSatisfy { v in
                    var v = v
                    return v.withUTF8 { f.plain($0, into: out64) } != nil
                }
            }
        }
        if amountFields.count == 1, amountColumns.count == 1 {
            out[amountFields[0].name] = (amountColumns[0], "amounts such as \(example(amountColumns[0]))")
        }
        return out
    }

    /// The two date columns in the order their dates are on every row where both have one
    /// (the earlier first); nil when neither order holds.
    private static func inOrder(_ a: String, _ b: String, in s: Sample) -> (String, String)? {
        guard let i = s.headers.firstIndex(of: a), let j = s.headers.firstIndex(of: b) else { return nil }
        let formats = [s.values(of: a), s.values(of: b)].compactMap { dateFormat($0)?.0 }
        guard formats.count == 2 else { return nil }
        func day(_ text: String, _ f: DateFormat) -> Day? {
            var t = text.trimmingSpaces()
            return t.withUTF8 { f.day($0) }
        }
        var (aFirst, bFirst) = (true, true)
        for row in s.rows where i < row.count && j < row.count {
            guard let x = day(row[i], formats[0]), let y = day(row[j], formats[1]) else { continue }
            if x > y { aFirst = false }
            if y > x { bFirst = false }
        }
        if aFirst && !bFirst { return (a, b) }
        if bFirst && !aFirst { return (b, a) }
        return nil
    }

    /// The format that reads every date given, and why; nil when none does.
    static func dateFormat(_ values: [String]) -> (DateFormat, String)? {
        guard !values.isEmpty else { return nil }
        func reads(_ f: DateFormat) -> Bool {
            values.allSatisfy { v in
                var v = v
                return v.withUTF8 { f.day($0) } != nil
            }
        }
        if reads(.yearFirst) { return (.yearFirst, "") }
        let candidates = ["%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%Y%m%d", "excel"].compactMap {
            try? DateFormat($0)
        }
        let fit = candidates.filter(reads)
        guard let first = fit.first else { return nil }
        let example = excerpt(values[0])
        if fit.count > 1 {
            return (
                first,
                "dates such as \(example); \(fit.dropFirst().map(\.description).joined(separator: ", ")) would read them too (no part above 12 in the first rows): check"
            )
        }
        return (first, "dates such as \(example)")
    }

    /// Whether the amounts read with a decimal comma, and not without one.
    static func decimalComma(_ values: [String]) -> Bool {
        let out = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64)
        defer { out.deallocate() }
        func reads(_ f: AmountFormat) -> Bool {
            values.allSatisfy { v in
                var v = v
                return v.withUTF8 { f.plain($0, into: out) } != nil
            }
        }
        return !values.isEmpty && !reads(AmountFormat()) && reads(AmountFormat(decimalComma: true))
    }

    private static func summary(_ s: Sample, _ table: ExportTable?) -> String {
        let shown = s.headers.prefix(8).map { "\"\($0)\"" }.joined(separator: ", ") + (s.headers.count > 8 ? ", …" : "")
        guard let table else { return shown }
        let found = table.specs.filter { s.header(for: $0) != nil }.count
        return "\(found) of the \(table.specs.count) fields of \(table.rawValue)"
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Spaces that line the comments up.
    private static func pad(_ value: String, width: Int = 22) -> String {
        String(repeating: " ", count: max(1, width - value.displayWidth)) + " "
    }
}
