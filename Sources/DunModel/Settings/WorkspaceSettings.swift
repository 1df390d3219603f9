// WorkspaceSettings: the workspace's dun.toml, read once for everyone — how each export is
// read onto the model (the loader), who reminders come from and how they are delivered (the
// outbox). Every key is checked; each error points at its line and column.

import DunCore
import Foundation
import TOMLKit

/// The files of an export that make the model, each read as its `[customers]`, `[invoices]`
/// or `[payments]` section of dun.toml says.
public enum ExportTable: String, Sendable, CaseIterable {
    case customers, invoices, payments

    public var declaration: EntityDeclaration {
        switch self {
        case .customers: Catalogue.customers
        case .invoices: Catalogue.invoices
        case .payments: Catalogue.payments
        }
    }

    /// The file read when dun.toml names none.
    public var defaultFile: String { declaration.file }

    /// Its fields, as the loader reads them.
    var specs: [StoredField] { declaration.fields }
}

/// A setting and where dun.toml gives it, for errors about what it says.
public struct Placed<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var place: Diagnostic?

    /// An error about this setting: at its place in dun.toml.
    func error(_ message: String, hint: String? = nil) -> Diagnostic {
        var d = place ?? Diagnostic(.error, "", file: "dun.toml")
        d.message = message
        d.hint = hint
        return d
    }
}

/// How one file of an export is read.
public struct TableMapping: Sendable, Equatable {
    public let table: ExportTable
    /// The file, relative to the workspace folder: CSV, or an Excel workbook (.xlsx).
    public var file: String
    /// The table or view of the database it is read from, when dun.toml names one
    /// (`[source] url`): `ar_invoices`, `erp.ar_invoices`; else the entity's own name.
    public var relation: String?
    /// The sheet of a workbook to read; nil: its first.
    public var sheet: String?
    /// Read from the file of another table rather than a file of its own: the customers and
    /// payments of a line-item export, one line per invoice (`from = "invoices"`).
    public var from: ExportTable?
    /// The header of the invoices' column that flags an invoice settled: the payments of a
    /// line-item export are the lines it flags (`cleared = "已核销"`, with `from`).
    var cleared: Placed<String>?
    /// The errors found choosing the rows of a table made from another file (a cleared flag
    /// that is no flag), told with the table's own when it is read.
    var rowProblems: [Diagnostic] = []
    public var encoding: FileEncoding = .utf8
    /// What separates fields; nil: a comma, or what the header uses if it has no comma.
    public var delimiter: UInt8?
    public var dates: DateFormat = .yearFirst
    public var amounts = AmountFormat()
    /// The header of each field whose header dun.toml gives, by field name.
    var headers: [String: Placed<String>] = [:]
    /// A value for every row, by field name, where the export has no column for it.
    var constants: [String: Placed<String>] = [:]

    public init(_ table: ExportTable) {
        self.table = table
        file = table.defaultFile
    }

    /// The value dun.toml gives `field` on every row, if any.
    public func constant(_ field: String) -> String? { constants[field]?.value }

    /// Whether the file is an Excel workbook.
    public var isWorkbook: Bool { file.lowercased().hasSuffix(".xlsx") }

    /// Whatever changes how the file is read: part of the key of the workspace's cache.
    var fingerprint: String {
        let pairs = { (d: [String: Placed<String>]) in d.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.value)" } }
        return
            ([
                file, relation ?? "", from?.rawValue ?? "", cleared?.value ?? "", sheet ?? "", encoding.rawValue,
                delimiter.map { String($0) } ?? "", dates.description,
                amounts.decimalComma ? "," : ".",
            ]
            + pairs(headers) + ["|"]
            + pairs(constants)).joined(separator: "\u{1F}")
    }
}

/// What dun.toml says; every key is optional.
public struct WorkspaceSettings: Sendable, Equatable {
    public var company: String?
    /// The workspace's default language (`zh`, `en`), for customers without a `language`.
    public var language: String?
    /// `[sender] name`, the display name of the From address.
    public var senderName: String?
    /// `[sender] email`: required only to write an e-mail.
    public var senderEmail: String?
    /// `[delivery] command`: a sendmail-style program and its arguments, run without a shell.
    public var command: [String]?
    /// How each file of the export is read.
    public var customers = TableMapping(.customers)
    public var invoices = TableMapping(.invoices)
    public var payments = TableMapping(.payments)
    /// `[rates]`: the base currency, and rates that hold on any day (rates.csv adds dated ones).
    public var rates = ExchangeRates()
    /// `[source] url`: the database the tables are read from, instead of the folder's files.
    public var source: PostgresSource?
    /// `[journal] url`: the database the team's journal is kept in, instead of the folder's
    /// `.dun/journal.sqlite`.
    public var journal: PostgresSource?

    public init() {}

    public subscript(table: ExportTable) -> TableMapping {
        get {
            switch table {
            case .customers: customers
            case .invoices: invoices
            case .payments: payments
            }
        }
        set {
            switch table {
            case .customers: customers = newValue
            case .invoices: invoices = newValue
            case .payments: payments = newValue
            }
        }
    }

    /// Whatever changes how the export is read: part of the key of the workspace's cache.
    var fingerprint: String {
        ([source?.url ?? ""] + ExportTable.allCases.map { self[$0].fingerprint }).joined(separator: "\u{1E}")
    }

    /// `DIR/dun.toml`, or the defaults when there is none.
    public static func load(workspace directory: String) throws(Diagnostics) -> WorkspaceSettings {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("dun.toml").path
        guard let data = FileManager.default.contents(atPath: path) else { return WorkspaceSettings() }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Diagnostics([Diagnostic(.error, "dun.toml is not UTF-8", file: path, hint: "save it as UTF-8")])
        }
        return try parse(SourceText(name: path, text: text))
    }

    /// Reads `source`; every error in it at once, each pointing at its line and column.
    public static func parse(_ source: SourceText) throws(Diagnostics) -> WorkspaceSettings {
        let root: TOMLTable
        let places = TOMLPlaces(source.bytes)
        do {
            // toml++ reads up to a NUL; one in the text is an error of its own.
            if let nul = source.bytes.firstIndex(of: 0) {
                throw Diagnostics([source.diagnostic("a NUL byte in dun.toml", at: nul..<nul + 1)])
            }
            if let bad = places.badHeader {
                throw Diagnostics([
                    source.diagnostic(
                        "not valid TOML: a table header names its table with a key", at: bad..<bad + 1,
                        hint: "write it as [invoices] or [invoices.columns]")
                ])
            }
            root = try TOMLTable(string: source.text)
        } catch let error as TOMLParseError {
            throw Diagnostics([parseError(error, source)])
        } catch let error as Diagnostics {
            throw error
        } catch {
            throw Diagnostics([Diagnostic(.error, "dun.toml does not parse: \(error)", file: source.name)])
        }
        var reader = Reader(source: source, places: places)
        let settings = reader.settings(root)
        if !reader.errors.isEmpty {
            throw Diagnostics(
                reader.errors.sorted {
                    ($0.position?.line ?? 0, $0.position?.column ?? 0) < ($1.position?.line ?? 0, $1.position?.column ?? 0)
                })
        }
        return settings
    }

    private static func parseError(_ error: TOMLParseError, _ source: SourceText) -> Diagnostic {
        let line = max(1, error.source.begin.line)
        let lines = source.text.split(separator: "\n", omittingEmptySubsequences: false)
        let text = line <= lines.count ? String(lines[line - 1].trimmingSuffix("\r")) : ""
        // toml++ says "Error while parsing value: could not determine value type".
        var message = error.description
        if message.hasPrefix("Error while parsing "), let colon = message.range(of: ": ") {
            message = String(message[colon.upperBound...])
        }
        let hint = message.contains("could not determine value type") ? "text goes in double quotes: company = \"Acme\"" : nil
        return Diagnostic(
            .error, "not valid TOML: \(message)", file: source.name,
            position: Position(line: line, column: max(1, error.source.begin.column), lineText: text, length: 1), hint: hint)
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ s: String) -> Substring { hasSuffix(s) ? dropLast(s.count) : self }
}

/// Walks the parsed file, keeping what it says and an error for everything it should not say.
private struct Reader {
    let source: SourceText
    let places: TOMLPlaces
    var errors: [Diagnostic] = []

    /// The keys of each table, and what may go under an export's section.
    static let top =
        ["company", "language", "sender", "delivery", "rates", "source", "journal"] + ExportTable.allCases.map(\.rawValue)
    static let sender = ["name", "email"]
    static let delivery = ["command"]
    static let source = ["url"]
    static let table = [
        "file", "table", "from", "cleared", "sheet", "encoding", "delimiter", "dates", "decimal", "columns", "constants",
    ]
    /// The sections a key may start.
    static let sections = ["sender", "delivery", "rates", "source", "journal"] + ExportTable.allCases.map(\.rawValue)
    /// Where each key of the top, of [sender] and of [delivery] belongs ("" for the top).
    static let homes: [String: String] = [
        "company": "", "language": "", "name": "sender", "email": "sender", "command": "delivery", "url": "source",
    ]

    /// A diagnostic at the key `path`.
    func at(_ path: [String], _ message: String, hint: String? = nil) -> Diagnostic {
        guard let range = places.range(of: path) else { return Diagnostic(.error, message, file: source.name, hint: hint) }
        return source.diagnostic(message, at: range, hint: hint)
    }

    mutating func fail(_ path: [String], _ message: String, hint: String? = nil) {
        errors.append(at(path, message, hint: hint))
    }

    /// The keys of `table` at `path` that are not among `known`, as errors.
    mutating func unknownKeys(_ table: TOMLTable, at path: [String], known: [String], what: String? = nil) {
        for key in table.keys.sorted() where !known.contains(key) {
            if table[key]?.table != nil, what == nil {
                // A section of its own: `[sendr]`.
                let sections = known.filter { table[$0]?.table != nil || Reader.sections.contains($0) }
                let name = (path + [key]).joined(separator: ".")
                fail(
                    path + [key], "unknown section [\(name)]",
                    hint: nearestName(to: key, in: sections).map { "did you mean [\((path + [$0]).joined(separator: "."))]?" }
                        ?? "the sections are "
                        + sections.map { "[\((path + [$0]).joined(separator: "."))]" }.joined(separator: ", "))
                continue
            }
            let place = path.isEmpty ? "at the top of dun.toml" : "in [\(path.joined(separator: "."))]"
            var hint: String?
            if let home = Reader.homes[key], home != path.first ?? "" {
                hint = "\(key) goes " + (home.isEmpty ? "at the top, before any [section]" : "under [\(home)]")
            }
            hint = hint ?? nearestName(to: key, in: known).map { "did you mean \($0)?" }
            if hint == nil, what == nil, ExportTable.allCases.contains(where: { $0.specs.contains { $0.name == key } }) {
                hint = "the header of a field goes under [TABLE.columns], as [invoices.columns] \(key) = \"…\""
            }
            fail(
                path + [key], "unknown \(what ?? "key") \(key) \(place)",
                hint: hint ?? "the keys here are " + known.joined(separator: ", "))
        }
    }

    mutating func string(_ value: TOMLValueConvertible?, at path: [String]) -> String? {
        guard let value else { return nil }
        guard let s = value.string else {
            fail(path, "\(path.last ?? "") is a string, in double quotes")
            return nil
        }
        return s
    }

    mutating func table(_ value: TOMLValueConvertible?, at path: [String]) -> TOMLTable? {
        guard let value else { return nil }
        guard let t = value.table else {
            fail(path, "\(path.last ?? "") is a section: [\(path.joined(separator: "."))] and its keys on the lines after it")
            return nil
        }
        return t
    }

    func placed(_ value: String, at path: [String]) -> Placed<String> {
        Placed(value: value, place: places.range(of: path).map { source.diagnostic("", at: $0) })
    }

    mutating func settings(_ root: TOMLTable) -> WorkspaceSettings {
        var s = WorkspaceSettings()
        unknownKeys(root, at: [], known: Reader.top, what: nil)
        s.company = string(root["company"], at: ["company"])
        s.language = string(root["language"], at: ["language"])
        if let sender = table(root["sender"], at: ["sender"]) {
            unknownKeys(sender, at: ["sender"], known: Reader.sender)
            s.senderName = string(sender["name"], at: ["sender", "name"])
            s.senderEmail = string(sender["email"], at: ["sender", "email"])
        }
        if let delivery = table(root["delivery"], at: ["delivery"]) {
            unknownKeys(delivery, at: ["delivery"], known: Reader.delivery)
            if let command = delivery["command"] {
                let path = ["delivery", "command"]
                let words = command.array.map { a in (0..<a.count).compactMap { a[$0].string } }
                if let words, words.count == command.array?.count, let program = words.first, !program.isEmpty {
                    s.command = words
                } else if let words, words.isEmpty || words.first?.isEmpty == true, words.count == command.array?.count {
                    fail(path, "command needs at least the program to run")
                } else {
                    fail(path, "command is a list of the program and its arguments, as [\"/usr/sbin/sendmail\", \"-t\", \"-i\"]")
                }
            }
        }
        if let rates = table(root["rates"], at: ["rates"]) { s.rates = self.rates(rates) }
        if let source = table(root["source"], at: ["source"]) { s.source = database(source, "source") }
        if let journal = table(root["journal"], at: ["journal"]) { s.journal = database(journal, "journal") }
        for t in ExportTable.allCases {
            guard let section = table(root[t.rawValue], at: [t.rawValue]) else { continue }
            let mapping = self.mapping(t, section, database: root["source"] != nil)
            switch t {
            case .customers: s.customers = mapping
            case .invoices: s.invoices = mapping
            case .payments: s.payments = mapping
            }
        }
        return s
    }

    /// `[rates]`: `base = "CNY"`, and what one unit of a currency is worth in it on any day,
    /// as `USD = 7.1` or `USD = "7.1"`.
    mutating func rates(_ section: TOMLTable) -> ExchangeRates {
        var rates = ExchangeRates()
        if let code = string(section["base"], at: ["rates", "base"]) {
            if let base = Currency(code: code.uppercased()) {
                rates.base = base
            } else {
                fail(["rates", "base"], "unknown currency \(excerpt(code)): an ISO 4217 code such as CNY, USD, EUR")
            }
        }
        for key in section.keys.sorted() where key != "base" {
            let path = ["rates", key]
            guard let currency = Currency(code: key.uppercased()) else {
                fail(
                    path, "unknown currency \(excerpt(key)) in [rates]",
                    hint:
                        "each key is a currency's ISO code, and its value what one unit is worth in the base currency: USD = 7.1")
                continue
            }
            let value = section[key]
            let text = value?.string ?? value?.double.map { String($0) } ?? value?.int.map { String($0) }
            guard let text, let rate = Decimal64(parsing: Substring(text)), Decimal64(0) < rate else {
                fail(path, "\(key)'s rate is a number above 0, as \(key) = 7.1 or \(key) = \"7.1\"")
                continue
            }
            if currency == rates.base {
                fail(path, "\(key) is the base currency: its rate is 1")
                continue
            }
            rates.add(currency, rate, from: nil)
        }
        return rates
    }

    /// `[source]` or `[journal]` (`section`): `url = "postgresql://collections@db.example.com/erp"`,
    /// with no password.
    mutating func database(_ table: TOMLTable, _ section: String) -> PostgresSource? {
        unknownKeys(table, at: [section], known: Reader.source)
        let path = [section, "url"]
        guard let url = string(table["url"], at: path) else {
            fail([section], "[\(section)] needs url, the database's: url = \"postgresql://user@host/database\"")
            return nil
        }
        guard PostgresSource.isURL(url) else {
            fail(path, "url is a PostgreSQL connection URI, as \"postgresql://user@host:5432/database\"")
            return nil
        }
        guard PostgresConnection.withoutPassword(url) == url else {
            fail(
                path, "dun.toml holds the database's password",
                hint: "take it out of the URI: it comes from PGPASSWORD or ~/.pgpass, never from a file in the workspace")
            return nil
        }
        return try? PostgresSource(url: url)
    }

    /// `[invoices]`: the file (or the database's table), its encoding, formats, columns and
    /// constants.
    mutating func mapping(_ t: ExportTable, _ section: TOMLTable, database: Bool) -> TableMapping {
        let path = [t.rawValue]
        var m = TableMapping(t)
        unknownKeys(section, at: path, known: Reader.table)
        if let relation = string(section["table"], at: path + ["table"]) {
            if !database {
                fail(
                    path + ["table"], "table names a table of the database, and dun.toml names none",
                    hint: "[source] url = \"postgresql://user@host/database\"")
            } else if relation.isEmpty || relation.hasPrefix(".") || relation.hasSuffix(".") {
                fail(path + ["table"], "table names a table or view, as \"ar_invoices\" or \"erp.ar_invoices\"")
            } else {
                m.relation = relation
            }
        }
        if database, section["file"] != nil {
            fail(
                path + ["file"], "with [source], the tables are read from the database, not from files",
                hint: "name its table instead: [\(t.rawValue)] table = \"…\"")
        }
        if let file = string(section["file"], at: path + ["file"]) {
            if file.isEmpty || file.hasSuffix("/") {
                fail(path + ["file"], "file names the file to read, as \"应收明细.csv\"")
            } else if file.lowercased().hasSuffix(".xls") {
                fail(
                    path + ["file"], "Excel 97–2003 workbooks (.xls) are not read", hint: "save it as .xlsx, or the sheet as CSV")
            } else {
                m.file = file
            }
        }
        if let from = string(section["from"], at: path + ["from"]) {
            if t == .invoices || from != ExportTable.invoices.rawValue {
                fail(
                    path + ["from"], "only customers and payments are read from another file: from = \"invoices\"",
                    hint: "a line-item export (one line per invoice) gives its customers and payments")
            } else if section["file"] != nil || section["table"] != nil {
                fail(
                    path + ["from"],
                    "\(t.rawValue) come from a \(database ? "table" : "file") of their own or from the invoices, not both")
            } else {
                m.from = .invoices
            }
        }
        if let cleared = string(section["cleared"], at: path + ["cleared"]) {
            if t != .payments || m.from == nil {
                fail(
                    path + ["cleared"],
                    "cleared names the invoices' column that flags an invoice paid, for payments read from the invoices",
                    hint: "[payments] from = \"invoices\" and cleared = \"\(cleared)\"")
            } else if cleared.trimmingSpaces().isEmpty {
                fail(path + ["cleared"], "cleared names a column of the invoices' file, as \"已核销\"")
            } else {
                m.cleared = placed(cleared, at: path + ["cleared"])
            }
        }
        if let sheet = string(section["sheet"], at: path + ["sheet"]) {
            if m.isWorkbook {
                m.sheet = sheet
            } else {
                fail(path + ["sheet"], "sheet names a sheet of an Excel workbook, and \(excerpt(m.file)) is not one (.xlsx)")
            }
        }
        if let name = string(section["encoding"], at: path + ["encoding"]) {
            if let e = FileEncoding(name: name) {
                m.encoding = e
            } else {
                fail(
                    path + ["encoding"], "unknown encoding \(excerpt(name))",
                    hint: "the encodings read are utf-8 and gb18030 (also gbk, gb2312)")
            }
        }
        if let d = string(section["delimiter"], at: path + ["delimiter"]) {
            switch d {
            case ",", ";", "|": m.delimiter = d.utf8.first
            case "\t", "tab": m.delimiter = 9
            default: fail(path + ["delimiter"], "delimiter is one of \",\", \";\", \"|\" or \"tab\"")
            }
        }
        if let text = string(section["dates"], at: path + ["dates"]) {
            do throws(FormatError) {
                m.dates = try DateFormat(text)
            } catch {
                fail(path + ["dates"], error.message, hint: error.hint)
            }
        }
        if let mark = string(section["decimal"], at: path + ["decimal"]) {
            switch mark {
            case ".": m.amounts.decimalComma = false
            case ",": m.amounts.decimalComma = true
            default: fail(path + ["decimal"], "decimal is the decimal mark of amounts: \".\" or \",\"")
            }
        }
        let fields = t.specs.map(\.name)
        if let columns = table(section["columns"], at: path + ["columns"]) {
            unknownKeys(columns, at: path + ["columns"], known: fields, what: "field")
            for field in fields {
                guard let header = string(columns[field], at: path + ["columns", field]) else { continue }
                if header.trimmingSpaces().isEmpty {
                    fail(path + ["columns", field], "the header of \(field) is empty")
                } else {
                    m.headers[field] = placed(header, at: path + ["columns", field])
                }
            }
        }
        if let constants = table(section["constants"], at: path + ["constants"]) {
            unknownKeys(constants, at: path + ["constants"], known: fields, what: "field")
            for spec in t.specs {
                let at = path + ["constants", spec.name]
                guard let value = string(constants[spec.name], at: at) else { continue }
                if m.headers[spec.name] != nil {
                    fail(at, "\(spec.name) has a column and a constant", hint: "keep one of the two")
                } else if let problem = spec.kind.problem(with: value, dates: m.dates) {
                    fail(at, problem)
                } else {
                    m.constants[spec.name] = placed(value, at: at)
                }
            }
        }
        return m
    }
}
