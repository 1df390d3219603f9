// Session: a workspace loaded once and queried many times — the CLI runs one script in it,
// the REPL many.

import DunCore
import DunLanguage
import DunModel
import struct Foundation.Data

/// Runs Dun sources against one snapshot of a workspace. `let` bindings live as long as the session.
public final class Session {
    public let schema = Receivables.schema
    public private(set) var snapshot: Snapshot
    public var format: OutputFormat
    /// How tables are shown to a person (the REPL's settings).
    public var display = Display()
    var globals = Globals()
    var interpreter: Interpreter
    /// What the last statement that printed printed: a table is set apart from what came
    /// before by a blank line, in one run and from one run to the next.
    private var previous = ""
    /// The last result shown, for `lastResult`.
    private var lastOutcome: Outcome?
    /// The policies defined so far (the standard library's among them), with their sources.
    var defined: [String: (policy: CheckedPolicy, source: SourceText)] = [:]
    /// The names of the policies defined so far.
    public var policies: [String] { globals.policies }
    /// What the journal says was applied before, for cooldowns.
    public var past: [PastAction] = []
    /// What the journal records, replayed over the workspace.
    let history: History
    /// What money is converted at: dun.toml's [rates] and rates.csv.
    public let rates: ExchangeRates
    /// The workspace folder, whose journal `apply` writes; nil for a workspace given in memory.
    public internal(set) var directory: String?
    /// What the workspace's dun.toml says, read once when it was opened.
    public internal(set) var settings = WorkspaceSettings()
    /// The distinct values of short text fields, by entity and field, computed when first asked.
    private var shortValues: [[Int]: [String]] = [:]

    /// What a run printed, and what went wrong.
    public struct RunResult: Sendable {
        /// Everything for standard output.
        public var output: String
        /// Errors and warnings for standard error.
        public var diagnostics: [Diagnostic]
        /// Parsing stopped in the middle of a statement (a REPL would read on).
        public var isIncomplete: Bool
        /// How long each statement run took, by the line it starts on.
        public var timings: [(line: Int, duration: Swift.Duration)] = []
        /// What the run's policies, and queries ending in actions, would do.
        public var plan: [PlannedAction] = []
        /// With `--format xlsx`: each result, as a sheet of the workbook the run writes.
        public var sheets: [XLSXWriter.Sheet] = []

        public var succeeded: Bool { !diagnostics.contains { $0.severity == .error } }
    }

    /// A session on `workspace` as of `asOf`, with the standard library's bindings made.
    /// `interruption` stops a running statement (Ctrl-C in the REPL).
    public init(
        workspace: Workspace, asOf: Day, format: OutputFormat = .table, interruption: Interruption = Interruption(),
        history: History = History(), rates: ExchangeRates = ExchangeRates()
    ) throws(Diagnostic) {
        snapshot = try Snapshot(workspace, asOf: asOf, history: history, rates: rates)
        self.history = history
        self.rates = rates
        self.format = format
        interpreter = Interpreter(
            schema: Receivables.schema, data: SnapshotSource(snapshot, rates: rates), interruption: interruption)
        for file in Session.standardLibrary {
            let result = run(file, lazily: true)
            if let problem = result.diagnostics.first { throw problem }
        }
    }

    /// stdlib/*.dun, built into the binary, in name order: run when a session starts.
    public static let standardLibrary = StandardLibrary.files.filter {
        $0.name.hasSuffix(".dun") && !$0.name.hasPrefix("modules/")
    }.map {
        SourceText(name: "stdlib/\($0.name)", text: $0.text)
    }

    /// stdlib/modules/*.dun, built into the binary: each run when a script imports it.
    public static let standardModules = StandardLibrary.files.filter { $0.name.hasPrefix("modules/") }.map {
        SourceText(name: "stdlib/\($0.name)", text: $0.text)
    }

    /// The modules imported so far, by file (or `stdlib:NAME`), with the name their names are
    /// qualified with; and those being imported, for a cycle.
    var imported: [String: String] = [:]
    var importing: [String] = []

    /// The names the standard library binds, with their types: what a script is checked against.
    private static let standardGlobals: Globals = {
        var globals = Globals()
        for file in standardLibrary {
            let (statements, _) = Checker.check(
                Parser.parse(file).statements, source: file, schema: Receivables.schema, globals: globals)
            for statement in statements {
                switch statement {
                case .binding(_, let name, let pipeline): globals.bind(name, pipeline.type)
                case .policy(let p): globals.define(policy: p.name)
                case .function(let f, let module): globals.define(function: f, in: file, module: module)
                default: break
                }
            }
        }
        return globals
    }()

    /// Where queries run instead of in memory (`openDatabase`); nil: in memory.
    var database: DatabaseEngine?

    /// What the load found odd but not wrong: for standard error.
    public internal(set) var loadWarnings: [Diagnostic] = []

    /// Whether the workspace was opened with its cache, and read from it rather than parsed
    /// from its CSV files.
    public private(set) var usesCache = false
    public private(set) var readFromCache = false

    /// Loads the workspace in `directory` and opens a session on it as of `asOf`; `progress`
    /// hears how many more bytes of it have been read. With `cache`, a large workspace is read
    /// from its cache while its files are unchanged (`WorkspaceCache`).
    public static func open(
        directory: String, asOf: Day, format: OutputFormat = .table, progress: WorkspaceLoader.Progress? = nil,
        cache: Bool = false, interruption: Interruption = Interruption()
    ) throws(Diagnostics) -> Session {
        // Read once, for the loader and then for the outbox.
        let settings = try WorkspaceSettings.load(workspace: directory)
        let rates = try ExchangeRates.read(in: directory, settings: settings)
        // Made while the loader runs its last checks of the files.
        func make(_ workspace: Workspace) throws(Diagnostics) -> Session {
            let session = try Session.onWorkspace(
                workspace, in: directory, asOf: asOf, format: format, interruption: interruption, rates: rates)
            session.usesCache = cache
            session.settings = settings
            return session
        }
        let fit = { (session: Session) in session.snapshot.paymentsFitInvoices }
        guard cache else {
            return try WorkspaceLoader.load(
                directory: directory, settings: settings, progress: progress, while: make, paymentsFit: fit
            ).next
        }
        let loaded = try WorkspaceCache.load(
            directory: directory, settings: settings, progress: progress, while: make, paymentsFit: fit)
        loaded.next.readFromCache = loaded.cache == .read
        return loaded.next
    }

    /// The same workspace as of `day`, its journal read again: what was applied or recorded
    /// since the load shows, and `apply` still has the workspace's journal to write.
    public func reopened(asOf day: Day) throws(Diagnostics) -> Session {
        let session = try Session.onWorkspace(
            snapshot.workspace, in: directory, asOf: day, format: format, interruption: interruption, history: history,
            rates: rates)
        session.usesCache = usesCache
        session.readFromCache = readFromCache
        session.settings = settings
        return session
    }

    /// A session on `workspace`, with what the journal in `directory` records replayed over it
    /// (what the team has done); without a folder, `history` as it is.
    static func onWorkspace(
        _ workspace: Workspace, in directory: String?, asOf: Day, format: OutputFormat, interruption: Interruption,
        history: History = History(), rates: ExchangeRates
    ) throws(Diagnostics) -> Session {
        var (history, past, warnings) = (history, [PastAction](), [Diagnostic]())
        if let directory { (history, past, warnings) = try Session.history(of: directory, workspace) }
        do throws(Diagnostic) {
            let session = try Session(
                workspace: workspace, asOf: asOf, format: format, interruption: interruption, history: history, rates: rates)
            session.directory = directory
            session.past = past
            session.loadWarnings = warnings
            return session
        } catch {
            throw Diagnostics([error])
        }
    }

    /// Where a request to stop the running statement comes in (from Ctrl-C).
    public var interruption: Interruption { interpreter.interruption }

    /// How many bytes `open` reads from `directory` (for a progress bar).
    public static func size(of directory: String) -> Int {
        WorkspaceLoader.size(of: directory)
    }

    /// Parses and checks a source without running it (no data needed; what it imports is
    /// read, its definitions checked).
    public static func check(_ source: SourceText) -> [Diagnostic] {
        let parsed = Parser.parse(source)
        guard parsed.diagnostics.isEmpty else { return parsed.diagnostics }
        var globals = standardGlobals
        if parsed.statements.contains(where: { if case .import = $0 { true } else { false } }) {
            // On no data: an import runs nothing but definitions, and lets are computed when read.
            guard let day = Day(iso: "2000-01-01"), let session = try? Session(workspace: Workspace(), asOf: day) else {
                return []
            }
            for case .import(let i) in parsed.statements {
                let problems = session.load(i, from: source)
                guard problems.isEmpty else { return problems }
            }
            globals = session.globals
        }
        return Checker.check(parsed.statements, source: source, schema: Receivables.schema, globals: globals).diagnostics
    }

    /// Parses, checks, then runs each statement in order; stops at the first run-time error.
    /// With `lazily`, each `let` is computed when first read.
    /// With `definitionsOnly`, only the policies and bindings run (a test's session).
    /// With `module`, the names the source defines are that module's (`aging.report`).
    public func run(_ source: SourceText, lazily: Bool = false, definitionsOnly: Bool = false, module: String? = nil)
        -> RunResult
    {
        let parsed = Parser.parse(source)
        guard parsed.diagnostics.isEmpty else {
            return RunResult(output: "", diagnostics: parsed.diagnostics, isIncomplete: parsed.isIncomplete)
        }
        // What it imports first: their names are what its statements are checked against.
        for case .import(let i) in parsed.statements {
            let problems = load(i, from: source)
            guard problems.isEmpty else { return RunResult(output: "", diagnostics: problems, isIncomplete: false) }
        }
        let (statements, problems) = Checker.check(
            parsed.statements, source: source, schema: schema, globals: globals, module: module)
        guard problems.isEmpty else {
            return RunResult(output: "", diagnostics: problems, isIncomplete: false)
        }
        // In the database, one snapshot for all of the source's queries.
        database?.begin()
        defer { database?.end() }
        var output = ""
        var timings: [(line: Int, duration: Swift.Duration)] = []
        var plan: [PlannedAction] = []
        var sheets: [XLSXWriter.Sheet] = []
        var charts: [Chart] = []
        var warnings: [Diagnostic] = []
        let clock = ContinuousClock()
        for statement in statements {
            if definitionsOnly {
                switch statement {
                case .binding, .policy, .function, .imported: break
                default: continue
                }
            }
            let start = clock.now
            defer { timings.append((line: source.position(of: statement.range).line, duration: clock.now - start)) }
            do throws(RuntimeError) {
                let outcome: Outcome
                let handled: (outcome: Outcome, plan: PlanOutcome?)?
                if database != nil {
                    switch statement {
                    case .query, .function, .imported: break
                    // A table's let is its query, which those that read it compile with theirs.
                    case .binding(_, _, let p) where p.type.isTable: break
                    default:
                        throw RuntimeError(
                            "only queries and lets of tables run in the database", statement.range,
                            hint: "a let of a value, a policy, a plan or a test runs in memory: --engine memory")
                    }
                }
                do {
                    handled = try policyStatement(statement, in: source, lazily: lazily, warnings: &warnings)
                } catch {
                    return RunResult(output: output, diagnostics: warnings + [error], isIncomplete: false, timings: timings)
                }
                var summary: String?
                if let handled {
                    outcome = handled.outcome
                    if let planned = handled.plan {
                        plan += planned.actions
                        summary = planned.summary { self.snapshot.workspace.customers.id[Int($0)] }
                    }
                } else if let database, case .query(let query) = statement {
                    outcome = try database.outcome(of: query, interpreter, schema: schema)
                } else if database != nil {
                    // Kept, never computed here: the workspace is the database's.
                    outcome = try interpreter.run(statement, source: source, lazily: true)
                } else {
                    outcome = try interpreter.run(statement, source: source, lazily: lazily)
                }
                // A workbook gets each result as a sheet, and no text.
                if format == .xlsx, let table = table(of: outcome) {
                    sheets.append(table.sheet(named: "line \(source.position(of: statement.range).line)"))
                }
                // An SVG document gets each chart, drawn once the run is over; other results have
                // no picture that would not mislead.
                if format == .svg {
                    switch outcome {
                    case .none: break
                    case .chart(let spec, let frame): charts.append(Chart(spec, frame, schema: schema, data: interpreter.data))
                    default:
                        let d = source.diagnostic(
                            "--format svg draws charts, and this statement's result is not one", at: statement.range,
                            hint: "end the query with '| chart' (.help chart), or print it with --format table")
                        return RunResult(output: "", diagnostics: warnings + [d], isIncomplete: false, timings: timings)
                    }
                }
                let text =
                    format == .xlsx || format == .svg ? "" : render(outcome, as: format, display: display, summary: summary)
                switch statement {
                case .binding(_, let name, let pipeline):
                    // A binding holds its new type only once it holds its new value.
                    globals.bind(name, pipeline.type)
                case .policy:
                    break
                case .function(let f, let module):
                    globals.define(function: f, in: source, module: module)
                case .imported:
                    break
                default:
                    lastOutcome = outcome
                }
                // Tables are set apart by a blank line; single values follow each other.
                if !text.isEmpty {
                    if !previous.isEmpty && (Session.isBlock(text) || Session.isBlock(previous)) {
                        output += format.lineBreak
                    }
                    output += text
                    previous = text
                }
            } catch {
                let note = error.row.map { ["on \($0)"] } ?? []
                let d =
                    error.interrupted
                    ? Diagnostic(.error, error.message)
                    : source.diagnostic(error.message, at: error.range, hint: error.hint, notes: note)
                return RunResult(output: output, diagnostics: warnings + [d], isIncomplete: false, timings: timings)
            }
        }
        if !charts.isEmpty { output = ChartSVG.document(charts) }
        return RunResult(output: output, diagnostics: warnings, isIncomplete: false, timings: timings, plan: plan, sheets: sheets)
    }

    /// What the last statement of `source` gives, as a table, run on this session without
    /// printing it or making it the last result: what a template lists. Its errors otherwise.
    func table(of source: SourceText) -> Result<ResultTable, Diagnostics> {
        let kept = (lastOutcome, previous)
        defer { (lastOutcome, previous) = kept }
        lastOutcome = nil
        let result = run(source)
        guard result.succeeded else { return .failure(Diagnostics(result.diagnostics)) }
        guard let outcome = lastOutcome, let table = table(of: outcome) else {
            return .failure(Diagnostics([Diagnostic(.error, "\(source.name) gives no table")]))
        }
        return .success(table)
    }

    /// A result as a table: a table as it is, a single value as one cell; nil for nothing.
    private func table(of outcome: Outcome) -> ResultTable? {
        switch outcome {
        case .none: return nil
        case .value(let v, let type):
            let printable = ResultTable.printable(v, type, schema: schema, data: interpreter.data)
            return ResultTable(columns: ["value"], numeric: [false], rows: [[printable]])
        case .table(let frame), .chart(_, let frame), .explain(_, let frame):
            return ResultTable(frame, schema: schema, data: interpreter.data)
        }
    }

    /// The last result a statement printed, as an SVG document; nil before any.
    public func lastResultSVG() throws(Diagnostic) -> String? {
        guard let outcome = lastOutcome else { return nil }
        guard case .chart(let spec, let frame) = outcome else {
            throw Diagnostic(
                .error, "the last result is not a chart, and only a chart is saved as SVG",
                hint: "end the query with '| chart', then .save FILE.svg")
        }
        return ChartSVG.document([Chart(spec, frame, schema: schema, data: interpreter.data)])
    }

    /// The last result a statement printed, as an Excel workbook; nil before any.
    public func lastResultWorkbook() throws(Diagnostic) -> Data? {
        guard let outcome = lastOutcome, let table = table(of: outcome) else { return nil }
        return try XLSXWriter.workbook([table.sheet(named: "result")])
    }

    private static func isBlock(_ text: String) -> Bool {
        text.utf8.dropLast().contains(10)
    }

    /// The last result a statement printed, whole, in `format`; nil before any.
    public func lastResult(as format: OutputFormat) -> String? {
        lastOutcome.map { render($0, as: format, display: Display(charset: display.charset)) }
    }

    /// The names bound by `let` (the standard library's and the session's), with their types.
    public var bindings: [(name: String, type: DunType)] {
        Array(zip(globals.names, globals.types))
    }

    /// The functions defined so far (`fn`).
    public var functions: [String] { globals.functionNames }

    /// The modules imported so far, by the names that qualify theirs.
    public var modules: Set<String> { globals.modules }

    /// The names a module imported defines (`report` for `aging.report`).
    public func names(of module: String) -> [String] { globals.names(of: module) }

    /// The distinct values of a text field, sorted, when there are at most 100 of them (regions,
    /// collectors, methods); none for fields such as names and ids.
    public func shortTextValues(of entity: EntityID, field: Int) -> [String] {
        let key = [entity.index, field]
        if let known = shortValues[key] { return known }
        var values = Set<String>()
        let data = interpreter.data
        for row in data.rows(of: entity) {
            guard case .string(let s) = data.value(of: entity, field: field, row: row) else { continue }
            values.insert(s)
            if values.count > 100 { break }
        }
        let found = values.count > 100 ? [] : values.sorted()
        shortValues[key] = found
        return found
    }

    /// `summary`, when given, ends a table in place of its row count (a plan's).
    private func render(_ outcome: Outcome, as format: OutputFormat, display: Display, summary: String? = nil) -> String {
        let data = interpreter.data
        switch outcome {
        case .none:
            return ""
        case .value(let v, let type):
            let printable = ResultTable.printable(v, type, schema: schema, data: data)
            switch format {
            case .table, .markdown:
                return printable.isNull ? "null\n" : TextCell.escape(printable.text(grouped: true, currency: true)) + "\n"
            case .csv:
                let text = printable.text(grouped: false)
                guard case .string = printable else { return TextCell.csvField(text) + format.lineBreak }
                return TextCell.csvField(TextCell.defused(text)) + format.lineBreak
            case .csvRaw, .xlsx, .svg: return TextCell.csvField(printable.text(grouped: false)) + format.lineBreak
            case .json: return printable.json() + "\n"
            }
        case .table(let frame):
            let table = ResultTable(frame, schema: schema, data: data)
            guard let summary, format == .table || format == .markdown else { return table.rendered(format, display: display) }
            return table.rendered(format, footer: false, display: display) + summary
        case .chart(let spec, let frame):
            // Drawn on a terminal; elsewhere (CSV, JSON, Markdown) nothing but its table.
            guard format == .table else { return ResultTable(frame, schema: schema, data: data).rendered(format) }
            return Chart(spec, frame, schema: schema, data: data).text(display)
        case .explain(let steps, let frame):
            let rows: [[Value]] = steps.map { step in
                var sample = step.sample.map { $0.text(grouped: false) }.joined(separator: ", ")
                if step.rows > step.sample.count && !sample.isEmpty { sample += ", …" }
                return [.string((step.isPart ? "  " : "") + step.text), .number(Decimal64(step.rows)), .string(sample)]
            }
            let trace = ResultTable(columns: ["stage", "rows", "first rows"], numeric: [false, true, false], rows: rows)
            return trace.rendered(format, footer: false) + format.lineBreak
                + ResultTable(frame, schema: schema, data: data).rendered(format, display: display)
        }
    }
}
