// Commands: the dot-commands of the shell, as the sqlite3 and duckdb shells have them.
// Their output (help, schema) is a result and goes to standard output; confirmations and
// complaints go with the errors.

import DunCore
import DunLanguage
import Foundation

extension REPL {
    struct Command: Sendable {
        let name: String
        let arguments: String
        let help: String
        /// What the argument may be, for completion.
        var choices: [String] = []
        let run: @Sendable (REPL, [String]) -> Void
    }

    static let commands: [Command] = [
        Command(name: ".help", arguments: "[topic]", help: "this list; .help functions, .help NAME") { repl, args in
            repl.help(args.first)
        },
        Command(name: ".schema", arguments: "[entity]", help: "the fields of each entity, with types and meanings") {
            repl, args in repl.schema(args.first)
        },
        Command(name: ".load", arguments: "FILE", help: "run a script into the session (its lets stay)") { repl, args in
            repl.load(args.first)
        },
        Command(name: ".reload", arguments: "", help: "read the workspace again (lets are dropped)") { repl, _ in
            repl.reload()
        },
        Command(name: ".asof", arguments: "[DATE]", help: "show or set the as-of date (lets are dropped)") { repl, args in
            repl.asOf(args.first)
        },
        Command(
            name: ".mode", arguments: "[table|csv|csv-raw|json|markdown]", help: "how results are printed",
            choices: OutputFormat.allCases.filter { $0 != .xlsx && $0 != .svg }.map(\.rawValue)
        ) { repl, args in
            repl.mode(args.first)
        },
        Command(
            name: ".expanded", arguments: "[on|off|auto]", help: "one field per line (auto: when rows are too wide)",
            choices: Display.Expanded.allCases.map(\.rawValue)
        ) { repl, args in
            repl.expanded(args.first)
        },
        Command(name: ".maxrows", arguments: "[N|all]", help: "show at most N rows of a table") { repl, args in
            repl.maxRows(args.first)
        },
        Command(name: ".timer", arguments: "[on|off]", help: "say how long each statement took", choices: ["on", "off"]) {
            repl, args in repl.timer(args.first)
        },
        Command(
            name: ".save", arguments: "FILE",
            help: "write the last result whole (.csv, .json, .md, .xlsx: that format; .svg: a chart)"
        ) {
            repl, args in repl.save(args.first)
        },
        Command(name: ".edit", arguments: "", help: "edit the last statement in $EDITOR, then run it") { repl, _ in
            repl.edit()
        },
        Command(name: ".apply", arguments: "", help: "commit the plan just shown to the journal (also: apply)") { repl, _ in
            repl.apply()
        },
        Command(name: ".done", arguments: "TASK OUTCOME", help: "record a worklist task's outcome, and close it") { repl, args in
            repl.done(args)
        },
        Command(name: ".quit", arguments: "", help: "leave (so does Ctrl-D)") { repl, _ in repl.quit() },
        Command(name: ".exit", arguments: "", help: "leave") { repl, _ in repl.quit() },
    ]

    /// Runs a dot-command line; returns it for the history (or, for `.edit`, what was run).
    func command(_ line: String) -> String? {
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if words == ["apply"] { words = [".apply"] }
        guard let name = words.first, let command = REPL.commands.first(where: { $0.name == name }) else {
            complain("unknown command '\(words.first ?? line)'", hint: ".help lists the commands")
            return line
        }
        let before = lastStatement
        command.run(self, Array(words.dropFirst()))
        return name == ".edit" && lastStatement != before ? lastStatement : line
    }

    private func note(_ text: String) {
        console.error(text + "\n")
    }

    /// `.done 12 "promised to pay by Friday"`: the outcome is the rest of the line, quotes or not.
    private func done(_ args: [String]) {
        guard let task = args.first.flatMap({ Int64($0) }), args.count > 1 else {
            return complain(".done needs a task's number and its outcome", hint: ".done 12 \"promised to pay by Friday\"")
        }
        var outcome = args.dropFirst().joined(separator: " ")
        if outcome.count >= 2, outcome.hasPrefix("\""), outcome.hasSuffix("\"") {
            outcome = String(outcome.dropFirst().dropLast())
        }
        do throws(Diagnostics) {
            let journal = try Journal.open(workspace: directory)
            try journal.done(
                task: task, outcome: outcome, who: settings.who ?? Journal.login, at: Journal.now, asOf: session.snapshot.asOf)
            note("task \(task) done")
        } catch {
            report(error.all)
        }
    }

    /// Commits the plan the last statement showed, once, and delivers its reminders.
    private func apply() {
        guard !lastPlan.isEmpty else {
            return complain(
                "no plan to apply", hint: "show one first: a policy, plan NAME, or a query ending in an action")
        }
        let setup: Outbox.Setup
        do throws(Diagnostics) {
            // Every setting the delivery needs is checked before anything is journaled.
            setup = try Outbox.setup(for: lastPlan, session: session)
            let (added, already) = try session.apply(lastPlan, who: settings.who ?? Journal.login, at: Journal.now)
            lastPlan = []
            let again = already == 0 ? "" : " (\(already) already applied)"
            note("applied \(added.count) action\(added.count == 1 ? "" : "s") to the journal\(again)")
            // What was applied shows at once: holds, promises, the actions entity.
            replace(try session.reopened(asOf: session.snapshot.asOf))
        } catch {
            return report(error.all)
        }
        let delivery = Outbox.deliver(session: session, setup: setup)
        console.error(delivery.report)
        report(delivery.diagnostics)
    }

    private func help(_ topic: String?) {
        let schema = session.schema
        guard let topic else {
            var rows = REPL.commands.map { ["\($0.name) \($0.arguments)", $0.help] }
            rows += [
                ["", ""], ["Statements", "end at the end of a line unless something is open: ( [ {, or a"],
                ["", "trailing | and or => ; Tab completes, Ctrl-C drops the line or stops a query"],
                ["Topics", ".help functions · .help keywords · .help ENTITY · .help FUNCTION"],
            ]
            // The forms of the language, a few to a line.
            let names = REPL.topics.map { ".help \($0.name)" }
            rows += stride(from: 0, to: names.count, by: 7).map {
                ["", names[$0..<min($0 + 7, names.count)].joined(separator: " · ")]
            }
            console.write(REPL.columns(rows))
            return
        }
        let name = topic.hasPrefix(".") ? String(topic.dropFirst()) : topic
        if name == "functions" {
            console.write(REPL.columns(Builtin.all.map { [$0.signature, $0.doc] }))
        } else if name == "keywords" {
            console.write(Keyword.allCases.map(\.rawValue).joined(separator: " ") + "\n")
        } else if let text = ModuleDoc.text(for: name), ModuleDoc.standard.contains(where: { name.hasPrefix($0.name) }) {
            console.write(text)
        } else if let t = REPL.topics.first(where: { $0.name == name }) {
            console.write("\(t.syntax)\n  \(t.example.replacingOccurrences(of: "\n", with: "\n  "))\n")
        } else if schema.entity(named: name) != nil {
            self.schema(name)
        } else if let f = Builtin.named(name) {
            console.write("\(f.signature)\n  \(f.doc)\n")
        } else if let c = REPL.commands.first(where: { $0.name == "." + name }) {
            console.write("\(c.name) \(c.arguments)\n  \(c.help)\n")
        } else {
            complain("no help on '\(topic)'", hint: "try .help functions, .help customers or .help mode")
        }
    }

    private func schema(_ name: String?) {
        let schema = session.schema
        var entities = schema.entities
        if let name {
            guard let e = schema.entity(named: name) else {
                let names = schema.entities.map(\.name).joined(separator: ", ")
                complain("no entity '\(name)'", hint: "the entities are \(names)")
                return
            }
            entities = [schema[e]]
        }
        var out: [String] = []
        for entity in entities {
            let rows = entity.fields.map { ["  " + $0.name, $0.type.name(in: schema), $0.doc] }
            out.append(entity.name + "\n" + REPL.columns(rows))
        }
        console.write(out.joined(separator: "\n"))
    }

    /// Rows of cells in columns lined up (Chinese counts two), the last column unpadded.
    static func columns(_ rows: [[String]]) -> String {
        var widths: [Int] = []
        for row in rows {
            for (c, cell) in row.enumerated().dropLast() {
                if c == widths.count { widths.append(0) }
                widths[c] = max(widths[c], cell.displayWidth)
            }
        }
        return rows.map { row in
            var line = ""
            for (c, cell) in row.enumerated() {
                line += c == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[c] - cell.displayWidth + 2)
            }
            while line.last == " " { line.removeLast() }
            return line + "\n"
        }.joined()
    }

    private func load(_ path: String?) {
        guard let path else { return complain(".load needs a file", hint: ".load policies/standard.dun") }
        guard let data = FileManager.default.contents(atPath: path) else {
            return complain("cannot read '\(path)': no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return complain("'\(path)' is not UTF-8", hint: "save it as UTF-8")
        }
        run(text, firstLine: 1, name: path)
    }

    private func reload() {
        do throws(Diagnostics) {
            replace(
                try Session.open(
                    directory: directory, asOf: session.snapshot.asOf, cache: session.usesCache,
                    interruption: session.interruption))
            note("reloaded \(directory)")
        } catch {
            report(error.all)
        }
    }

    private func asOf(_ text: String?) {
        guard let text else { return console.write("\(session.snapshot.asOf)\n") }
        guard let day = Day(iso: text) else { return complain("'\(text)' is not a date", hint: "dates are YYYY-MM-DD") }
        do throws(Diagnostics) {
            replace(try session.reopened(asOf: day))
            note("as of \(day)")
        } catch {
            report(error.all)
        }
    }

    private func mode(_ text: String?) {
        guard let text else { return console.write(session.format.rawValue + "\n") }
        guard let format = OutputFormat(rawValue: text), format != .xlsx, format != .svg else {
            return complain(
                "unknown mode '\(text)'",
                hint:
                    "the modes are table, csv, csv-raw, json and markdown; .save FILE.xlsx writes a result as a workbook, .save FILE.svg a chart"
            )
        }
        session.format = format
    }

    private func expanded(_ text: String?) {
        guard let text else { return console.write(session.display.expanded.rawValue + "\n") }
        guard let value = Display.Expanded(rawValue: text) else {
            return complain("'.expanded \(text)': say on, off or auto")
        }
        session.display.expanded = value
    }

    private func maxRows(_ text: String?) {
        guard let text else { return console.write((session.display.maxRows.map(String.init) ?? "all") + "\n") }
        if text == "all" {
            session.display.maxRows = nil
        } else if let n = Int(text), n > 0 {
            session.display.maxRows = n
        } else {
            complain("'.maxrows \(text)': say a number of rows, or all")
        }
    }

    private func timer(_ text: String?) {
        switch text {
        case "on": timer = true
        case "off": timer = false
        case nil: console.write(timer ? "on\n" : "off\n")
        default: complain("'.timer \(text ?? "")': say on or off")
        }
    }

    private func save(_ path: String?) {
        guard let path else { return complain(".save needs a file", hint: ".save overdue.csv") }
        let byExtension: [String: OutputFormat] = ["csv": .csv, "json": .json, "md": .markdown, "xlsx": .xlsx, "svg": .svg]
        let format = byExtension[URL(fileURLWithPath: path).pathExtension.lowercased()] ?? session.format
        let contents: Data?
        do throws(Diagnostic) {
            switch format {
            case .xlsx: contents = try session.lastResultWorkbook()
            case .svg: contents = try session.lastResultSVG().map { Data($0.utf8) }
            default: contents = session.lastResult(as: format).map { Data($0.utf8) }
            }
        } catch {
            return complain(error.message, hint: error.hint)
        }
        guard let contents else { return complain("no result to save yet") }
        guard FileManager.default.createFile(atPath: path, contents: contents) else {
            return complain("cannot write '\(path)'")
        }
        note("saved to \(path) (\(format.rawValue))")
    }

    /// Opens the editor on the last statement in a temporary file, and runs what it saved.
    private func edit() {
        guard let editor = settings.editor else { return complain("no editor", hint: "set EDITOR, e.g. EDITOR=nano") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dun-edit-\(getpid()).dun")
        defer { try? FileManager.default.removeItem(at: file) }
        guard FileManager.default.createFile(atPath: file.path, contents: Data((lastStatement ?? "").utf8 + [10])) else {
            return complain("cannot write '\(file.path)'")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", editor + " \"$1\"", "sh", file.path]
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return complain("cannot run the editor '\(editor)'")
        }
        guard process.terminationStatus == 0 else {
            return complain("the editor exited with status \(process.terminationStatus); nothing was run")
        }
        let data = FileManager.default.contents(atPath: file.path) ?? Data()
        var text = String(decoding: data, as: UTF8.self)
        while text.last?.isNewline == true { text.removeLast() }
        if !text.isEmpty { run(text, firstLine: 1) }
    }
}
