// Options shared by the commands that read a workspace.

import ArgumentParser
import Dun
import DunCore
import DunModel
import Foundation

extension Day: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(iso: argument)
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension Charset: ExpressibleByArgument {}

extension Charset {
    /// What the terminal shows, by its locale: the first of LC_ALL, LC_CTYPE and LANG that is
    /// set (as setlocale reads them) names UTF-8, or the terminal gets ASCII — the C locale
    /// of a bare cron job or container included. The library is told, never looks.
    static func ofTerminal(_ environment: [String: String]) -> Charset {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
        let name = locale.lowercased()
        return name.contains("utf-8") || name.contains("utf8") ? .unicode : .ascii
    }
}

struct WorkspaceOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The workspace folder with customers.csv, invoices.csv and payments.csv; or a PostgreSQL database, postgresql://user@host/db, with tables of those names (the password from PGPASSWORD or ~/.pgpass).",
            valueName: "dir"))
    var data: String = "."

    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp(
            "The date the run is as of: what `today` means (YYYY-MM-DD). Default: today's date.", valueName: "date"))
    var asOf: Day?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How results are printed: table, csv, csv-raw, json, markdown, xlsx or svg. csv puts a ' before a text that a spreadsheet would run as a formula (=, +, -, @); csv-raw does not. xlsx writes one Excel workbook, each result a sheet, to standard output (not a terminal). svg writes one SVG document of the charts (| chart) the run draws.",
            valueName: "format"))
    var format: OutputFormat = .table

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How charts (| chart) are drawn as text: utf-8 (Unicode blocks) or ascii. Default: utf-8 when LC_ALL, LC_CTYPE or LANG names a UTF-8 locale, else ascii.",
            valueName: "charset"))
    var charset: Charset?

    @Flag(name: .long, help: "Print to standard error how long the load and each statement took.")
    var timings = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where queries run: memory (the workspace loaded), or postgres (compiled to SQL and run in the database of dun.toml's [source], the workspace never loaded; what does not compile is an error).",
            valueName: "memory|postgres"))
    var engine: Engine = .memory

    enum Engine: String, ExpressibleByArgument {
        case memory, postgres
    }

    @Flag(
        name: .customLong("no-cache"),
        help: "Parse the CSV files even if .dun/cache in the workspace holds them unchanged, and write no cache.")
    var noCache = false

    /// The as-of date: the option, or the local calendar date now. The one place Dun reads the clock.
    var day: Day {
        if let asOf { return asOf }
        let now = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        return Day(year: now.year ?? 1970, month: now.month ?? 1, day: now.day ?? 1) ?? Day(ordinal: 0)
    }

    /// Loads the workspace, or prints why not and exits with status 1. A long load shows a
    /// progress bar on a terminal.
    func session() throws -> Session {
        let bar = ProgressBar(total: Session.size(of: data))
        let clock = ContinuousClock()
        let start = clock.now
        var progress: (@Sendable (Int, Int) -> Void)?
        if let bar {
            progress = { bar.advance(bytes: $0, records: $1) }
        }
        let opened = Result { () throws(Diagnostics) in
            if engine == .postgres { return try Session.openDatabase(directory: data, asOf: day, format: format) }
            if PostgresSource.isURL(data) { return try Session.open(database: data, asOf: day, format: format) }
            return try Session.open(directory: data, asOf: day, format: format, progress: progress, cache: !noCache)
        }
        // The bar is gone before anything else is written.
        bar?.finish()
        switch opened {
        case .success(let session):
            report(session.loadWarnings)
            // A table for a person is cut to fit; one going to a file or a program is whole.
            if isatty(STDOUT_FILENO) == 1 { session.display.cellWidth = Display.terminalCellWidth }
            session.display.charset = charset ?? Charset.ofTerminal(ProcessInfo.processInfo.environment)
            if timings { reportTiming("load", clock.now - start, session.readFromCache ? " (from .dun/cache)" : "") }
            return session
        case .failure(let error):
            report(error.all)
            throw ExitCode(1)
        }
    }
}

/// Who does what the journal records.
struct WhoOptions: ParsableArguments {
    @Option(
        name: .customLong("as"),
        help: ArgumentHelp("Who does it, as the journal records it. Default: the login name.", valueName: "name"))
    var who: String?
}

/// Whether to commit the plan, and as whom.
struct ApplyOptions: ParsableArguments {
    @Flag(
        name: .long,
        help: "Commit the plan to the workspace journal (.dun/journal.sqlite). Without it, a run only prints the plan.")
    var apply = false

    @OptionGroup var by: WhoOptions
    var who: String? { by.who }

    /// Commits the plan of a run that succeeded, then delivers its reminders; says on standard
    /// error what was added, written and sent.
    func commit(_ result: Session.RunResult, in session: Session, timings: Bool) throws {
        guard apply else { return }
        let clock = ContinuousClock()
        var start = clock.now
        guard result.succeeded else {
            FileHandle.standardError.write(Data("nothing applied: the run had errors\n".utf8))
            throw ExitCode(1)
        }
        let setup: Outbox.Setup
        do {
            // Every setting the delivery needs is checked before anything is journaled.
            setup = try Outbox.setup(for: result.plan, session: session)
            let (added, already) = try session.apply(result.plan, who: who ?? Journal.login, at: Journal.now)
            let again = already == 0 ? "" : " (\(already) already applied)"
            FileHandle.standardError.write(
                Data("applied \(added.count) action\(added.count == 1 ? "" : "s") to the journal\(again)\n".utf8))
            if timings { reportTiming("apply", clock.now - start) }
        } catch {
            report(error.all)
            FileHandle.standardError.write(Data("nothing applied\n".utf8))
            throw ExitCode(1)
        }
        // The reminders journaled now, and any left queued or failed before, to the outbox.
        start = clock.now
        let delivery = Outbox.deliver(session: session, setup: setup)
        FileHandle.standardError.write(Data(delivery.report.utf8))
        if timings { reportTiming("outbox", clock.now - start) }
        report(delivery.diagnostics)
        if !delivery.succeeded { throw ExitCode(1) }
    }
}

/// Runs `body`; its diagnostics go to standard error, and the exit status is 1.
func reporting(_ body: () throws(Diagnostics) -> Void) throws {
    do {
        try body()
    } catch {
        report(error.all)
        throw ExitCode(1)
    }
}

/// Prints diagnostics to standard error.
func report(_ diagnostics: [Diagnostic]) {
    for d in diagnostics {
        FileHandle.standardError.write(Data(d.rendered.utf8))
    }
}

/// `timing: WHAT 0.123 s` on standard error, then `note`.
func reportTiming(_ what: String, _ d: Swift.Duration, _ note: String = "") {
    FileHandle.standardError.write(Data("timing: \(what) \(String(format: "%.3f", d.seconds)) s\(note)\n".utf8))
}

/// Runs a source in a session: results to standard output, diagnostics to standard error;
/// with `timings`, how long each statement took; with `--apply`, the plan committed.
func execute(_ source: SourceText, in session: Session, timings: Bool, apply: ApplyOptions? = nil) throws {
    // A workbook is bytes for a file, not for a terminal.
    if session.format == .xlsx && isatty(STDOUT_FILENO) == 1 {
        throw ValidationError("--format xlsx writes a workbook: send it to a file (> report.xlsx)")
    }
    let result = session.run(source)
    FileHandle.standardOutput.write(Data(result.output.utf8))
    report(result.diagnostics)
    if session.format == .svg && result.succeeded && result.output.isEmpty {
        report([Diagnostic(.error, "no chart to draw: --format svg writes the charts of the run (| chart)")])
        throw ExitCode(1)
    }
    if session.format == .xlsx && result.succeeded {
        do throws(Diagnostic) {
            guard !result.sheets.isEmpty else { throw Diagnostic(.error, "no result to write: the workbook would be empty") }
            FileHandle.standardOutput.write(try XLSXWriter.workbook(result.sheets))
        } catch {
            report([error])
            throw ExitCode(1)
        }
    }
    if timings {
        let name = source.name.split(separator: "/").last.map(String.init) ?? source.name
        for t in result.timings { reportTiming("\(name):\(t.line)", t.duration) }
        reportTiming("statements", result.timings.reduce(.zero) { $0 + $1.duration })
    }
    try apply?.commit(result, in: session, timings: timings)
    if !result.succeeded { throw ExitCode(1) }
}

/// A script's text: a file, or standard input for `-`. A missing file is bad usage (status 2).
func readScript(_ path: String) throws -> SourceText {
    let data: Data?
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        data = FileManager.default.contents(atPath: path)
    }
    guard let data else {
        throw ValidationError("cannot read '\(path)': no such file")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        report([Diagnostic(.error, "script is not UTF-8", file: path, hint: "save it as UTF-8")])
        throw ExitCode(1)
    }
    return SourceText(name: path == "-" ? "<stdin>" : path, text: text)
}
