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

import DunCore

enum LineItems {
    /// `table` (customers or payments) made from `source`, the invoices' file, as `settings`
    /// say; when the invoices' header cannot be read (its own error, told when it is read),
    /// a table with a header and no rows.
    static func derive(
        _ table: ExportTable, from source: FileBytes, name: String, settings: WorkspaceSettings
    ) -> (bytes: FileBytes, mapping: TableMapping) {
        var mapping = settings[table]
        let invoices = settings.invoices
        mapping.file = invoices.file
        mapping.sheet = invoices.sheet
        mapping.dates = invoices.dates
        mapping.amounts = invoices.amounts
        let empty = (
            FileBytes(text: table.specs.filter(\.required).map(\.name).joined(separator: ",") + "\n"), TableMapping(table)
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
        let keep: Int
        switch table {
        case .customers:
            byDefault("id", customerID)
            if !named("name") { byDefault("name", customerID) }
            keep = file.positions[InvoiceColumn.customerID.rawValue] ?? 0
        case .payments:
            byDefault("id", invoiceID)
            byDefault("customer_id", customerID)
            byDefault("invoice_id", invoiceID)
            if !named("amount"), let amount = header(.amount) { byDefault("amount", amount) }
            // The settlement date's column: the rows with one are the payments.
            let dates = try? CSVFile(
                name: name, bytes: source.buffer, columns: table.specs, mapping: mapping, sheet: source.sheet)
            guard let column = dates?.positions[PaymentColumn.date.rawValue] else { return (source, mapping) }
            keep = column
        case .invoices:
            return (source, invoices)
        }
        return (
            FileBytes(bytes: rows(of: file, keeping: table == .customers ? .first : .filled, column: keep), sheet: source.sheet),
            mapping
        )
    }

    enum Rule {
        /// The first record of each value of the column.
        case first
        /// The records whose field in the column is not empty.
        case filled
    }

    /// The file's bytes, its records not kept by `rule` left as blank lines (as many as they spanned).
    static func rows(of file: CSVFile, keeping rule: Rule, column: Int) -> [UInt8] {
        let bytes = file.bytes
        var out = [UInt8](bytes[0..<file.records.lowerBound])
        out.reserveCapacity(bytes.count)
        var scanner = CSVScanner(bytes: bytes, range: file.records, line: file.firstLine, delimiter: file.delimiter)
        var fields = CSVFields()
        var seen = Set<[UInt8]>()
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
            // The field as the loader will read it: unquoted, or without spaces and tabs around it.
            var (lo, hi, quoted) = (0, 0, false)
            if column < fields.count {
                let f = fields[column]
                (lo, hi, quoted) = (f.start, f.end, f.quoted)
                if !quoted {
                    while lo < hi && (bytes[lo] == 32 || bytes[lo] == 9) { lo += 1 }
                    while hi > lo && (bytes[hi - 1] == 32 || bytes[hi - 1] == 9) { hi -= 1 }
                }
            }
            let kept: Bool
            switch rule {
            case .filled:
                kept = hi > lo
            case .first:
                let value = Array(bytes[lo..<hi])
                kept = seen.insert(quoted ? unquoted(value) : value).inserted
            }
            if kept {
                out += bytes[start..<end]
            } else {
                // Blank lines where the record was: the lines after it keep their numbers.
                out += [UInt8](repeating: 10, count: max(1, scanner.line - line))
            }
            start = end
        }
        return out
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
