// REPL: the interactive shell without its terminal. Lines go in; statements are assembled
// across lines, run in the session, and their results and errors come out through a console.
// The terminal (readline, history, signals) is the `dun` command's business.

import DunCore
import DunLanguage
import Foundation

public final class REPL {
    /// Where the shell writes: results, and messages (errors, notes, timings).
    public struct Console {
        public var write: (String) -> Void
        public var error: (String) -> Void

        public init(write: @escaping (String) -> Void, error: @escaping (String) -> Void) {
            self.write = write
            self.error = error
        }
    }

    /// How the shell is used.
    public struct Settings {
        /// A person at a terminal: each statement runs as soon as it is complete, errors do not
        /// end the session. Otherwise (a pipe) the input is a script: a line starting with `|`
        /// continues the statement before it, and the first error ends the run.
        public var interactive: Bool
        /// Errors in colour (a terminal without NO_COLOR).
        public var colour = false
        /// The command `.edit` runs on a file (`$EDITOR`).
        public var editor: String?
        /// Who `apply` says applied a plan (`--as`); the login name when nil.
        public var who: String?

        public init(interactive: Bool, colour: Bool = false, editor: String? = nil, who: String? = nil) {
            self.interactive = interactive
            self.colour = colour
            self.editor = editor
            self.who = who
        }
    }

    public private(set) var session: Session
    let directory: String
    let settings: Settings
    let console: Console
    /// The lines of the statement being typed, and the number of its first line in the input.
    private var pending: [String] = []
    private var pendingLine = 1
    /// Lines read so far.
    private var lines = 0
    /// The last statement run, for `.edit`.
    var lastStatement: String?
    /// The plan the last statement showed, which `apply` commits.
    var lastPlan: [PlannedAction] = []
    var timer = false
    /// `.quit` was given, or (in a pipe) an error ended the run.
    public private(set) var isFinished = false
    /// Something failed: the exit status is 1.
    public private(set) var failed = false

    /// A shell on `session`, whose workspace was read from `directory` (for `.reload`).
    public init(session: Session, directory: String, settings: Settings, console: Console) {
        self.session = session
        self.directory = directory
        self.settings = settings
        self.console = console
    }

    /// What the shell says when it opens on a terminal: which Dun, which workspace, as of when.
    public var banner: String {
        let w = session.snapshot.workspace
        func count(_ n: Int, _ what: String) -> String { "\(n) \(what)\(n == 1 ? "" : "s")" }
        return """
            Dun \(DunVersion.current) on \(directory): \(count(w.customers.count, "customer")), \(count(w.invoices.count, "invoice")), \(count(w.payments.count, "payment")), as of \(session.snapshot.asOf)
            .help for help, Ctrl-D to leave

            """
    }

    /// `dun> `, or `...> ` while a statement continues.
    public var prompt: String {
        pending.isEmpty ? "dun> " : "...> "
    }

    /// Takes one line of input (a statement recalled from history may hold several). Returns
    /// what the history should remember when a statement or command was taken whole.
    @discardableResult
    public func read(_ line: String) -> String? {
        let first = lines + 1
        lines += line.split(separator: "\n", omittingEmptySubsequences: false).count
        if settings.interactive {
            if pending.isEmpty && REPL.isCommand(line) { return command(line) }
            // A line that goes on with the statement before it does so here too, as it does in
            // a pipe: `| aggregate n = count()` after a query runs the query with it.
            if pending.isEmpty, REPL.continues(line), let last = lastStatement { pending = [last] }
            pending.append(line)
            let text = pending.joined(separator: "\n")
            if isBlank(text) {
                pending = []
                return nil
            }
            if Parser.parse(SourceText(name: "<input>", text: text)).isIncomplete { return nil }
            pending = []
            run(text, firstLine: 1)
            return text
        }
        // A pipe: a complete statement runs once the next line shows it does not go on.
        if !pending.isEmpty && !isBlank(line) && !REPL.continues(line) && !isIncomplete { flush() }
        if pending.isEmpty && REPL.isCommand(line) { return command(line) }
        if pending.isEmpty { pendingLine = first }
        pending.append(line)
        return nil
    }

    /// The end of the input: what is pending runs (and reports what it lacks).
    public func finish() {
        flush()
    }

    /// Ctrl-C while typing: the statement being typed is dropped.
    public func abandon() {
        pending = []
    }

    /// Tab at byte `cursor` of `line`, the line being typed (after any lines of the same
    /// statement before it).
    public func complete(_ line: String, cursor: Int) -> Completion {
        let typed = String(decoding: line.utf8.prefix(cursor), as: UTF8.self)
        let completer = Completer(session: session, commands: REPL.commands.map { ($0.name, $0.choices) })
        return completer.complete((pending + [typed]).joined(separator: "\n"))
    }

    private var isIncomplete: Bool {
        Parser.parse(SourceText(name: "<stdin>", text: pending.joined(separator: "\n"))).isIncomplete
    }

    private func flush() {
        let text = pending.joined(separator: "\n")
        pending = []
        if !isBlank(text) && !isFinished { run(text, firstLine: pendingLine) }
    }

    /// Nothing but blanks and comments.
    private func isBlank(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { line in
            let t = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
            return t.isEmpty || t.hasPrefix("#")
        }
    }

    /// A line that goes on with the statement before it, as in a script: it starts with `|`,
    /// `=>`, `and`, `or`, `where`, `else` … (`Lexer.continuesBefore`).
    static func continues(_ line: String) -> Bool {
        Lexer.tokenize(SourceText(name: "", text: line)).tokens.first.map { Lexer.continuesBefore($0.kind) } ?? false
    }

    /// A dot-command, or `apply` alone on its line (the plan just shown, committed).
    static func isCommand(_ line: String) -> Bool {
        let trimmed = line.trimmingSpaces()
        return trimmed.hasPrefix(".") || trimmed == "apply"
    }

    /// Runs a source: results to the console, errors after them; with the timer on, how long it took.
    func run(_ text: String, firstLine: Int, name: String? = nil) {
        session.interruption.clear()
        lastStatement = text
        let clock = ContinuousClock()
        let start = clock.now
        let result = session.run(
            SourceText(name: name ?? (settings.interactive ? "<input>" : "<stdin>"), text: text, firstLine: firstLine))
        console.write(result.output)
        report(result.diagnostics)
        lastPlan = result.succeeded ? result.plan : []
        if timer {
            console.error("time: \(String(format: "%.3f", (clock.now - start).seconds)) s\n")
        }
    }

    /// Diagnostics to the console; an error marks the session failed and, in a pipe, ends it.
    func report(_ diagnostics: [Diagnostic]) {
        for d in diagnostics {
            console.error(settings.colour ? REPL.coloured(d) : d.rendered)
        }
        if diagnostics.contains(where: { $0.severity == .error }) {
            failed = true
            if !settings.interactive { isFinished = true }
        }
    }

    /// A usage error of a dot-command.
    func complain(_ message: String, hint: String? = nil) {
        report([Diagnostic(.error, message, hint: hint)])
    }

    func quit() {
        isFinished = true
    }

    /// Replaces the session (`.reload`, `.asof`), keeping how results are shown.
    func replace(_ new: Session) {
        new.format = session.format
        new.display = session.display
        session = new
    }

    /// The severity in red (errors) or yellow, the caret in the same colour, `hint:` in cyan.
    static func coloured(_ d: Diagnostic) -> String {
        let colour = d.severity == .error ? "\u{1B}[1;31m" : "\u{1B}[1;33m"
        let reset = "\u{1B}[0m"
        var lines = d.rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let head = "\(d.severity.rawValue):"
        if let r = lines[0].range(of: head) {
            lines[0].replaceSubrange(r, with: colour + head + reset)
        }
        if d.position != nil && lines.count > 2 { lines[2] = colour + lines[2] + reset }
        for i in lines.indices where lines[i].hasPrefix("hint:") {
            lines[i] = "\u{1B}[36mhint:" + reset + lines[i].dropFirst(5)
        }
        return lines.joined(separator: "\n")
    }
}
