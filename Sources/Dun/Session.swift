// Session: a workspace loaded once and queried many times — the CLI runs one script in it,
// the REPL many.

import DunCore
import DunLanguage
import DunModel

/// Runs Dun sources against one snapshot of a workspace. `let` bindings live as long as the session.
public final class Session {
    public let schema = Receivables.schema
    public private(set) var snapshot: Snapshot
    public var format: OutputFormat
    private var globals = Globals()
    private let interpreter: Interpreter

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

        public var succeeded: Bool { !diagnostics.contains { $0.severity == .error } }
    }

    /// A session on `workspace` as of `asOf`, with the standard library's bindings made.
    public init(workspace: Workspace, asOf: Day, format: OutputFormat = .table) throws(Diagnostic) {
        snapshot = try Snapshot(workspace, asOf: asOf)
        self.format = format
        interpreter = Interpreter(schema: Receivables.schema, data: SnapshotSource(snapshot))
        for file in Session.standardLibrary {
            let result = run(file, lazily: true)
            if let problem = result.diagnostics.first { throw problem }
        }
    }

    /// stdlib/*.dun, built into the binary, in name order.
    public static let standardLibrary = StandardLibrary.files.map { SourceText(name: "stdlib/\($0.name)", text: $0.text) }

    /// The names the standard library binds, with their types: what a script is checked against.
    private static let standardGlobals: Globals = {
        var globals = Globals()
        for file in standardLibrary {
            let (statements, _) = Checker.check(
                Parser.parse(file).statements, source: file, schema: Receivables.schema, globals: globals)
            for case .binding(_, let name, let pipeline) in statements {
                globals.bind(name, pipeline.type)
            }
        }
        return globals
    }()

    /// Whether the workspace was read from its cache rather than parsed from its CSV files.
    public private(set) var readFromCache = false

    /// Loads the workspace in `directory` and opens a session on it as of `asOf`; `progress`
    /// hears how many more bytes of it have been read. With `cache`, a large workspace is read
    /// from its cache while its files are unchanged (`WorkspaceCache`).
    public static func open(
        directory: String, asOf: Day, format: OutputFormat = .table, progress: WorkspaceLoader.Progress? = nil,
        cache: Bool = false
    ) throws(Diagnostics) -> Session {
        var workspace: Workspace
        var use = WorkspaceCache.Use.none
        if cache {
            (workspace, use) = try WorkspaceCache.load(directory: directory, progress: progress)
        } else {
            workspace = try WorkspaceLoader.load(directory: directory, progress: progress)
        }
        do {
            let session = try Session(workspace: workspace, asOf: asOf, format: format)
            session.readFromCache = use == .read
            return session
        } catch {
            throw Diagnostics([error])
        }
    }

    /// How many bytes `open` reads from `directory` (for a progress bar).
    public static func size(of directory: String) -> Int {
        WorkspaceLoader.size(of: directory)
    }

    /// Parses and checks a source without running it (no data needed).
    public static func check(_ source: SourceText) -> [Diagnostic] {
        let parsed = Parser.parse(source)
        guard parsed.diagnostics.isEmpty else { return parsed.diagnostics }
        return Checker.check(parsed.statements, source: source, schema: Receivables.schema, globals: standardGlobals)
            .diagnostics
    }

    /// Parses, checks, then runs each statement in order; stops at the first run-time error.
    /// With `lazily`, each `let` is computed when first read.
    public func run(_ source: SourceText, lazily: Bool = false) -> RunResult {
        let parsed = Parser.parse(source)
        guard parsed.diagnostics.isEmpty else {
            return RunResult(output: "", diagnostics: parsed.diagnostics, isIncomplete: parsed.isIncomplete)
        }
        let (statements, problems) = Checker.check(parsed.statements, source: source, schema: schema, globals: globals)
        guard problems.isEmpty else {
            return RunResult(output: "", diagnostics: problems, isIncomplete: false)
        }
        var output = ""
        var previous = ""
        var timings: [(line: Int, duration: Swift.Duration)] = []
        let clock = ContinuousClock()
        for statement in statements {
            let start = clock.now
            defer { timings.append((line: source.position(of: statement.range).line, duration: clock.now - start)) }
            do {
                let text = render(try interpreter.run(statement, source: source, lazily: lazily))
                // A binding holds its new type only once it holds its new value.
                if case .binding(_, let name, let pipeline) = statement {
                    globals.bind(name, pipeline.type)
                }
                // Tables are set apart by a blank line; single values follow each other.
                if !text.isEmpty {
                    if !output.isEmpty && (Session.isBlock(text) || Session.isBlock(previous)) {
                        output += format.lineBreak
                    }
                    output += text
                    previous = text
                }
            } catch {
                let note = error.row.map { ["on \($0)"] } ?? []
                let d = source.diagnostic(error.message, at: error.range, hint: error.hint, notes: note)
                return RunResult(output: output, diagnostics: [d], isIncomplete: false, timings: timings)
            }
        }
        return RunResult(output: output, diagnostics: [], isIncomplete: false, timings: timings)
    }

    private static func isBlock(_ text: String) -> Bool {
        text.utf8.dropLast().contains(10)
    }

    private func render(_ outcome: Outcome) -> String {
        let data = interpreter.data
        switch outcome {
        case .none:
            return ""
        case .value(let v, _):
            let printable = ResultTable.printable(v, schema: schema, data: data)
            switch format {
            case .table:
                return printable.isNull ? "null\n" : TextCell.escape(printable.text(grouped: true, currency: true)) + "\n"
            case .csv: return TextCell.csvField(printable.text(grouped: false)) + format.lineBreak
            case .json: return printable.json() + "\n"
            }
        case .table(let frame):
            return ResultTable(frame, schema: schema, data: data).rendered(format)
        case .explain(let steps, let frame):
            let rows: [[Value]] = steps.map { step in
                var sample = step.sample.map { $0.text(grouped: false) }.joined(separator: ", ")
                if step.rows > step.sample.count && !sample.isEmpty { sample += ", …" }
                return [.string((step.isPart ? "  " : "") + step.text), .number(Decimal64(step.rows)), .string(sample)]
            }
            let trace = ResultTable(columns: ["stage", "rows", "first rows"], numeric: [false, true, false], rows: rows)
            return trace.rendered(format, footer: false) + format.lineBreak
                + ResultTable(frame, schema: schema, data: data).rendered(format)
        }
    }
}
