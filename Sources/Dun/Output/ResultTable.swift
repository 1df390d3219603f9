// ResultTable: a result laid out for printing — named columns, rows of plain values.

import DunCore
import DunLanguage

/// How results are printed.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// `csv` is for people, who open it in a spreadsheet: a text beginning with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return gets a `'` in front, so that the spreadsheet shows it
    /// rather than running it as a formula (as OWASP advises for such exports). `csv-raw` is
    /// for programs: every text as it is.
    case table, csv, json, markdown
    case csvRaw = "csv-raw"
    /// An Excel workbook: each result a sheet (binary, for a file: `> report.xlsx`).
    case xlsx
    /// An SVG document of the run's charts (`| chart`), to paste in a report; any other result
    /// is an error, for a picture of a table that was not meant as one would mislead.
    case svg

    /// What the journal and the worklist say to `--format xlsx`.
    public static let xlsxIsForResults = Diagnostic(
        .error, "--format xlsx writes the results of queries and scripts",
        hint: "the journal and the worklist print as table, csv, csv-raw, json or markdown")

    /// What the journal and the worklist say to `--format svg`.
    public static let svgIsForCharts = Diagnostic(
        .error, "--format svg draws the charts of queries and scripts (| chart)",
        hint: "the journal and the worklist print as table, csv, csv-raw, json or markdown")

    /// What ends a line: CRLF in CSV (RFC 4180), LF elsewhere.
    var lineBreak: String { self == .csv || self == .csvRaw ? "\r\n" : "\n" }
}

/// How a table is shown to a person (the REPL's settings); scripts print every row, in columns.
public struct Display: Sendable, Equatable {
    /// One field per line, like psql's expanded display.
    public enum Expanded: String, CaseIterable, Sendable {
        case off, on
        /// Expanded when the columns are wider than `width`.
        case auto
    }

    /// At most this many rows of a table, then a line saying how many more; nil: all of them.
    public var maxRows: Int?
    public var expanded: Expanded
    /// The terminal's width in columns, for `.auto`.
    public var width: Int?
    /// A cell wider than this many columns is cut, and ends in `…` (a table on a terminal; the
    /// other formats are whole).
    public var cellWidth: Int?

    /// The characters charts are drawn with: the `dun` command chooses them by the terminal's
    /// locale, which the library does not read.
    public var charset: Charset

    /// How wide a cell may be on a terminal.
    public static let terminalCellWidth = 60

    public init(
        maxRows: Int? = nil, expanded: Expanded = .off, width: Int? = nil, cellWidth: Int? = nil, charset: Charset = .unicode
    ) {
        self.maxRows = maxRows
        self.expanded = expanded
        self.width = width
        self.cellWidth = cellWidth
        self.charset = charset
    }
}

/// How a chart is drawn as text: with Unicode's blocks (`█▌`, `▁▄█`), or, for a terminal that
/// is not UTF-8, with ASCII (`###`, `_-^`).
public enum Charset: String, CaseIterable, Sendable {
    case unicode = "utf-8"
    case ascii
}

/// Rows of values under column names. Rows and tables inside cells are already turned into
/// their keys and sizes, so every cell prints on its own.
struct ResultTable {
    var columns: [String]
    /// Right-aligned columns (numbers and money).
    var numeric: [Bool]
    var rows: [[Value]]
    /// Columns whose money is in more than one currency: each amount shows its code.
    var mixedCurrency: [Bool]
    /// The one currency of a column's money, if it has exactly one.
    private var currency: [Currency?]
    /// Columns of fractions shown to people as percentages.
    var percent: [Bool] = []

    /// `money`: the columns of money, whose bare numbers (sums of nothing) take the currency
    /// of the column's other amounts, else `currency` (the workspace's one currency), if any.
    init(columns: [String], numeric: [Bool], rows: [[Value]], money: [Bool] = [], currency workspace: Currency? = nil) {
        self.columns = columns
        self.numeric = numeric
        self.rows = rows
        var mixed = [Bool](repeating: false, count: columns.count)
        var currency = [Currency?](repeating: nil, count: columns.count)
        for c in columns.indices {
            for row in rows {
                guard case .money(let m) = row[c] else { continue }
                if let s = currency[c], s != m.currency { mixed[c] = true }
                currency[c] = m.currency
            }
        }
        mixedCurrency = mixed
        self.currency = columns.indices.map { c in
            mixed[c] ? nil : currency[c] ?? (c < money.count && money[c] ? workspace : nil)
        }
    }

    /// A cell as printed: a bare number in a column of money (the sum of nothing) takes
    /// that money's currency, so it shows `0.00` beside other amounts.
    func cell(_ v: Value, column c: Int) -> Value {
        guard case .number(let n) = v, let currency = currency[c], let m = Money(n, currency: currency) else { return v }
        return .money(m)
    }

    /// A frame as printed: an entity's display fields then derived columns, or a record's columns.
    init(_ frame: Frame, schema: Schema, data: any DataSource) {
        var names: [String] = []
        var types: [DunType] = []
        var fields: [Int] = []
        var percent: [Bool] = []
        if let e = frame.entity {
            fields = schema[e].display
            names = fields.map { schema[e].fields[$0].name }
            types = fields.map { schema[e].fields[$0].type }
            percent = fields.map { schema[e].fields[$0].percent }
        }
        names += frame.columns.map(\.name)
        types += frame.columns.map(\.type)
        percent += frame.columns.map(\.percent)
        var rows: [[Value]] = []
        rows.reserveCapacity(frame.count)
        for i in 0..<frame.count {
            var row: [Value] = []
            row.reserveCapacity(names.count)
            if let e = frame.entity {
                for f in fields {
                    row.append(ResultTable.printable(data.value(of: e, field: f, row: frame.rows[i]), schema: schema, data: data))
                }
            }
            for c in frame.values.indices {
                row.append(ResultTable.printable(frame.values[c][i], schema: schema, data: data))
            }
            rows.append(row)
        }
        self.init(
            columns: names, numeric: types.map { $0 == .number || $0 == .money }, rows: rows, money: types.map { $0 == .money },
            currency: data.currency)
        self.percent = percent
    }

    /// A single value as printed: a bare number of type money (the sum of nothing) in the
    /// workspace's one currency, if it has one.
    static func printable(_ v: Value, _ type: DunType, schema: Schema, data: any DataSource) -> Value {
        if type == .money, case .number(let n) = v, let currency = data.currency, let m = Money(n, currency: currency) {
            return .money(m)
        }
        return printable(v, schema: schema, data: data)
    }

    /// Rows become their keys, tables their size.
    static func printable(_ v: Value, schema: Schema, data: any DataSource) -> Value {
        switch v {
        case .row(let e, let r):
            return data.value(of: e, field: schema[e].key, row: r)
        case .table(let f):
            let what = f.entity.map { schema[$0].name } ?? "rows"
            return .string("[\(f.count) \(what)]")
        case .list(let items):
            return .list(items.map { printable($0, schema: schema, data: data) })
        default:
            return v
        }
    }
}

extension Value {
    /// The value as text: money with every minor digit (grouped for people), dates ISO,
    /// null as nothing; for people (`grouped`), a number to at most 6 places, rounded half
    /// away from zero (the value keeps them all: `round(utilization * 100, 1)`).
    func text(grouped: Bool, currency: Bool = false) -> String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return grouped && n.scale > 6 ? n.rounded(toScale: 6).description : n.description
        case .money(let m): return m.formatted(grouped: grouped) + (currency ? " \(m.currency)" : "")
        case .date(let d): return d.description
        case .duration(let d): return d.description
        case .string(let s): return s
        case .grade(let g): return g.description
        case .bucket(let b): return b.description
        case .row(_, let r): return "#\(r)"
        case .table(let f): return "[\(f.count) rows]"
        case .list(let items):
            return "[" + items.map { $0.text(grouped: grouped, currency: currency) }.joined(separator: ", ") + "]"
        }
    }
}
