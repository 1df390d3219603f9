// LineItems: the customers and payments of a line-item export — one file, one line per
// invoice, its customer's columns and its settlement on the same line (the IBM sample, SAP's
// customer line items, 金蝶/用友 应收明细) — read from the invoices' file.
//
// Each is that file as the loader reads any other: its bytes, with the lines that are not one
// of the table's rows left blank (a customer's lines after its first; an invoice not settled),
// so that every error names the file's own line and column; and a mapping whose headers
// default to the invoices' own: a customer's id is the invoice's customer id (its name too,
// when the export has none), a payment's id and invoice are the invoice's id, its amount
// the invoice's amount unless a paid-amount column is named, its date the settlement date.
// Where the export flags settled invoices (SAP's cleared items, 核销状态), the lines it flags
// are the payments, dated by the settlement date's column or by dun.toml's constant.

import DunCore

enum LineItems {
    /// `table` (customers or payments) made from `source`, the invoices' file, as `settings`
    /// say; when the invoices' header cannot be read (its own error, told when it is read),
    /// a table with a header and no rows. The problems are those of the cleared flag's column,
    /// which leave no table to read; those of its values are the mapping's `rowProblems`.
    static func derive(
        _ table: ExportTable, from source: FileBytes, name: String, settings: WorkspaceSettings
    ) -> (bytes: FileBytes, mapping: TableMapping, problems: [Diagnostic]) {
        var mapping = settings[table]
        let invoices = settings.invoices
        mapping.file = invoices.file
        mapping.sheet = invoices.sheet
        mapping.dates = invoices.dates
        mapping.amounts = invoices.amounts
        let empty = (
            FileBytes(text: table.specs.filter(\.required).map(\.name).joined(separator: ",") + "\n"), TableMapping(table),
            [Diagnostic]()
        )
        guard
            let file = try? CSVFile(
                name: name, bytes: source.buffer, columns: InvoiceColumn.specs, mapping: invoices, sheet: source.sheet)
        else { return empty }
        mapping.delimiter = file.delimiter
        func header(_ column: InvoiceColumn) -> String? {
            file.positions[column.rawValue].map { file.headers[$0] }
        }
        guard let invoiceID = header(.id), let customerID = header(.customerID) else { return empty }
        // What the export names for the table itself (an alias or dun.toml) wins over a default.
        let keys = Set(file.headers.map(StoredField.key))
        func named(_ field: String) -> Bool {
            guard mapping.headers[field] == nil, mapping.constants[field] == nil,
                let spec = table.specs.first(where: { $0.name == field })
            else { return true }
            return !keys.isDisjoint(with: ([spec.name] + spec.aliases).map(StoredField.key))
        }
        func byDefault(_ field: String, _ header: String) {
            if mapping.headers[field] == nil && mapping.constants[field] == nil {
                mapping.headers[field] = Placed(value: header, place: nil)
            }
        }
        let (keep, rule): (Int, Rule)
        switch table {
        case .customers:
            byDefault("id", customerID)
            if !named("name") { byDefault("name", customerID) }
            (keep, rule) = (file.positions[InvoiceColumn.customerID.rawValue] ?? 0, .first)
        case .payments:
            byDefault("id", invoiceID)
            byDefault("customer_id", customerID)
            byDefault("invoice_id", invoiceID)
            if !named("amount"), let amount = header(.amount) { byDefault("amount", amount) }
            // The settlement date's column: without a flag, the rows with one are the payments.
            let dates = try? CSVFile(
                name: name, bytes: source.buffer, columns: table.specs, mapping: mapping, sheet: source.sheet)
            let date = dates?.positions[PaymentColumn.date.rawValue]
            let flag: Int?
            switch clearedFlag(in: file.headers, of: name, mapping: mapping, dated: date != nil) {
            case .success(let column): flag = column
            case .failure(let problem): return (source, mapping, [problem])
            }
            if let flag {
                guard date != nil || mapping.constants["date"] != nil || mapping.headers["date"] != nil else {
                    let problem = Diagnostic(
                        .error, "\(file.headers[flag]) says which invoices are paid but not when", file: name,
                        hint: "name the settlement date's column ([payments.columns] date = \"…\"), or give one day for all, "
                            + "the day of the export ([payments.constants] date = \"…\")")
                    return (source, mapping, [mapping.cleared?.error(problem.message, hint: problem.hint) ?? problem])
                }
                (keep, rule) = (flag, .flagged)
            } else {
                guard let date else { return (source, mapping, []) }
                (keep, rule) = (date, .filled)
            }
        case .invoices:
            return (source, invoices, [])
        }
        let (bytes, problems) = rows(
            of: file, keeping: rule, column: keep,
            credits: table == .payments ? file.positions[InvoiceColumn.amount.rawValue] : nil)
        // Told with the table's own errors, when it is read.
        mapping.rowProblems = problems
        return (FileBytes(bytes: bytes, sheet: source.sheet), mapping, [])
    }

    /// The column of the invoices' file that flags an invoice settled: the one dun.toml names
    /// (an error when the file has none), else, when the file gives no settlement date, the
    /// one header of `Catalogue.clearedFlag` it has (an error when it has two); nil when none.
    static func clearedFlag(in headers: [String], of file: String, mapping: TableMapping, dated: Bool) -> Result<Int?, Diagnostic>
    {
        if let given = mapping.cleared {
            // Found as any header dun.toml names is, or told as missing as one is.
            var named = TableMapping(.payments)
            named.headers["cleared"] = given
            let (at, problems) = CSVFile.match(
                [StoredField(name: "cleared", required: false)], headers, mapping: named, file: file)
            if let problem = problems.first { return .failure(problem) }
            return .success(at[0])
        }
        guard !dated else { return .success(nil) }
        let keys = headers.map(StoredField.key)
        let wanted = Set(Catalogue.clearedFlag.map(StoredField.key))
        let found = keys.indices.filter { wanted.contains(keys[$0]) }
        guard found.count < 2 else {
            return .failure(
                Diagnostic(
                    .error, "\(found.map { "'\(headers[$0])'" }.joined(separator: " and ")) could each flag the invoices paid",
                    file: file, hint: "say which in dun.toml: [payments] cleared = \"\(headers[found[0]])\""))
        }
        return .success(found.first)
    }

    enum Rule {
        /// The first record of each value of the column.
        case first
        /// The records whose field in the column is not empty.
        case filled
        /// The records whose field in the column is a true flag (是, Y, yes, true, 1); one that
        /// is no flag is a problem.
        case flagged
    }

    /// The file's bytes, its records not kept by `rule` left as blank lines (as many as they
    /// spanned), and the problems of the fields `rule` read. With `credits` (the invoices'
    /// amount column), a credit note (an amount of zero or less) is never kept: settled or
    /// flagged, it was offset against an invoice, not paid.
    static func rows(of file: CSVFile, keeping rule: Rule, column: Int, credits: Int? = nil) -> ([UInt8], [Diagnostic]) {
        let bytes = file.bytes
        var out = [UInt8](bytes[0..<file.records.lowerBound])
        out.reserveCapacity(bytes.count)
        var scanner = CSVScanner(bytes: bytes, range: file.records, line: file.firstLine, delimiter: file.delimiter)
        var fields = CSVFields()
        var seen = Set<[UInt8]>()
        var problems: [Diagnostic] = []
        var start = file.records.lowerBound
        while true {
            fields.removeAll()
            let line = scanner.line
            guard (try? scanner.nextRecord(into: &fields)) == true else {
                // The end, or a record the loader will say is malformed: the rest as it is.
                out += bytes[start..<bytes.count]
                break
            }
            let end = scanner.offset
            // A field as the loader will read it: unquoted, or without spaces and tabs around it.
            func field(_ column: Int) -> (lo: Int, hi: Int, quoted: Bool) {
                guard column < fields.count else { return (0, 0, false) }
                let f = fields[column]
                var (lo, hi) = (f.start, f.end)
                if !f.quoted {
                    while lo < hi && (bytes[lo] == 32 || bytes[lo] == 9) { lo += 1 }
                    while hi > lo && (bytes[hi - 1] == 32 || bytes[hi - 1] == 9) { hi -= 1 }
                }
                return (lo, hi, f.quoted)
            }
            let (lo, hi, quoted) = field(column)
            var kept: Bool
            switch rule {
            case .filled:
                kept = hi > lo
            case .flagged:
                let flag = Flag.value(UnsafeBufferPointer(rebasing: bytes[lo..<hi]))
                if flag == nil && problems.count < WorkspaceLoader.maxErrors, column < fields.count {
                    problems.append(
                        CSVFile.locate(
                            file: file.name, bytes: bytes, field: fields[column],
                            message:
                                "\(excerpt(String(decoding: bytes[lo..<hi], as: UTF8.self))) is not a flag of whether the invoice is paid",
                            hint: "write 是 or 否 (yes/no, y/n, true/false, 1/0; X or empty)"))
                }
                kept = flag == true
            case .first:
                let value = Array(bytes[lo..<hi])
                kept = seen.insert(quoted ? unquoted(value) : value).inserted
            }
            if kept, let credits {
                let (lo, hi, _) = field(credits)
                kept = !isCredit(UnsafeBufferPointer(rebasing: bytes[lo..<hi]))
            }
            if kept {
                out += bytes[start..<end]
            } else {
                // Blank lines where the record was: the lines after it keep their numbers.
                out += [UInt8](repeating: 10, count: max(1, scanner.line - line))
            }
            start = end
        }
        return (out, problems)
    }

    /// Whether an amount as an export writes it is zero or less: `-300.00`, `(300.00)`,
    /// `300.00-`, `0.00`. Anything else, a bad amount included, is for the loader to read.
    static func isCredit(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = b.first, let last = b.last else { return false }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "(") || last == UInt8(ascii: "-") { return true }
        let digits = b.filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        return !digits.isEmpty && digits.allSatisfy { $0 == UInt8(ascii: "0") }
    }

    private static func unquoted(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < value.count {
            out.append(value[i])
            i += value[i] == UInt8(ascii: "\"") ? 2 : 1
        }
        return out
    }
}
