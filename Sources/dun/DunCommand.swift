// The `dun` command: one query with -e, or a subcommand.

import ArgumentParser
import Dun
import DunCore
import DunModel
import Foundation

struct DunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dun",
        abstract: "Dun: a query-and-policy language for accounts-receivable collection (回款管理).",
        discussion: """
            Dun answers questions about a workspace folder of receivables CSV files
            (customers.csv, invoices.csv, payments.csv). Without a query or a
            subcommand it opens the interactive shell on the workspace (.help there).

            Examples:
              dun --data examples/acme -e 'customers where overdue > 30 and grade < B'
              dun --data examples/acme --as-of 2026-11-28 -e 'invoices | group by bucket'
              dun run --data examples/acme examples/acme/aging.dun
              dun run --data examples/acme examples/acme/policies/standard.dun --apply
              dun journal --data examples/acme
              dun check examples/acme/*.dun

            Exit status: 0 success, 1 an error in a script or in the data, 2 bad usage.
            """,
        version: "dun \(DunVersion.current)",
        subcommands: [
            RunCommand.self, CheckCommand.self, TestCommand.self, JournalCommand.self, WorklistCommand.self, DoneCommand.self,
            InitCommand.self, DocCommand.self, SQLCommand.self,
        ])

    @Option(name: .customShort("e"), help: ArgumentHelp("Run one query and print its result.", valueName: "query"))
    var query: String?

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var apply: ApplyOptions

    func run() throws {
        guard let query else { return try options.shell(as: apply.who) }
        try execute(SourceText(name: "<query>", text: query), in: options.session(), timings: options.timings, apply: apply)
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a script: every statement in order, each result printed.",
        discussion: """
            Examples:
              dun run --data examples/acme examples/acme/tour.dun
              echo 'customers | count' | dun run --data examples/acme -

            A policy in the script (or `plan NAME`, or a query ending in an action) prints
            its plan; --apply then commits it to the workspace journal, each action once:
            applying the same run again adds nothing.
              dun run --data examples/acme examples/acme/policies/standard.dun --apply --as 王芳
            """)

    @Argument(help: ArgumentHelp("The script (.dun), or - for standard input.", valueName: "file"))
    var file: String

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var apply: ApplyOptions

    func run() throws {
        let source = try readScript(file)
        try execute(source, in: options.session(), timings: options.timings, apply: apply)
    }
}

struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Print the audit trail: every action applied to the workspace, oldest first.",
        discussion: """
            The journal is .dun/journal.sqlite in the workspace folder, written by --apply.

            Each entry carries a checksum of what it says: a load stops at an entry that was
            changed after it was written (a damaged disk, a hand edit), and --check lists every
            such entry and what SQLite's own check of the file finds.

            Example:
              dun journal --data examples/acme --since 2026-11-01 --format csv
              dun journal --data examples/acme --check
            """)

    @Option(name: .long, help: ArgumentHelp("Only the actions applied as of this date or later (YYYY-MM-DD).", valueName: "date"))
    var since: Day?

    @Flag(name: .long, help: "Check the journal file and every entry; exit 1 when anything is damaged.")
    var check = false

    // The workspace's options (--data, --format), shared with the other commands, which
    // take them before or after the command's name alike.
    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.data, isDirectory: &isFolder), isFolder.boolValue else {
            report([Diagnostic(.error, "no workspace folder '\(options.data)'", hint: "give the folder with --data DIR")])
            throw ExitCode(1)
        }
        try reporting { () throws(Diagnostics) in
            if check {
                guard let journal = try Journal.openIfPresent(workspace: options.data) else {
                    return FileHandle.standardError.write(Data("no journal yet: nothing to check\n".utf8))
                }
                let problems = try journal.check()
                guard problems.isEmpty else {
                    throw Diagnostics(problems.map { Diagnostic(.error, $0, file: journal.path) })
                }
                let count = try journal.entries().count
                return FileHandle.standardError.write(
                    Data("the journal is sound: \(count) entr\(count == 1 ? "y" : "ies")\n".utf8))
            }
            guard options.format != .xlsx else { throw Diagnostics([OutputFormat.xlsxIsForResults]) }
            guard options.format != .svg else { throw Diagnostics([OutputFormat.svgIsForCharts]) }
            let journal = try Journal.openIfPresent(workspace: options.data)
            let entries = try journal?.entries(since: since) ?? []
            let table = Journal.table(entries, format: options.format, outboxes: journal?.isShared ?? false)
            FileHandle.standardOutput.write(Data(table.utf8))
        }
    }
}

struct DocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doc",
        abstract: "Show the standard library's modules, their functions and what each computes.",
        discussion: """
            Without a name, every module and its names with the first line of each's doc; with
            a module's name, all of it; with MODULE.NAME, that one. The text is the modules' own
            doc comments.

            Example:
              dun doc dso.countback
            """)

    @Argument(help: ArgumentHelp("A module, or MODULE.NAME.", valueName: "name"))
    var name: String?

    func run() throws {
        guard let text = ModuleDoc.text(for: name) else {
            let names = ModuleDoc.standard.map(\.name)
            report([
                Diagnostic(
                    .error, "no module or name '\(name ?? "")' in the standard library",
                    hint: "its modules: \(names.joined(separator: ", ")); dun doc lists them")
            ])
            throw ExitCode(1)
        }
        print(text, terminator: "")
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Parse and type-check scripts without running them or reading data.",
        discussion: """
            Reports every error in every file. Exit status 0 when all are clean, 1 otherwise.

            Example:
              dun check examples/acme/*.dun
            """)

    @Argument(help: ArgumentHelp("The scripts to check.", valueName: "file"))
    var files: [String]

    func run() throws {
        var failed = 0
        for file in files {
            let diagnostics = Session.check(try readScript(file))
            report(diagnostics)
            if diagnostics.contains(where: { $0.severity == .error }) { failed += 1 }
        }
        if failed > 0 {
            FileHandle.standardError.write(
                Data("\(failed) of \(files.count) file\(files.count == 1 ? "" : "s") had errors\n".utf8))
            throw ExitCode(1)
        }
        print("ok: \(files.count) file\(files.count == 1 ? "" : "s") checked")
    }
}

struct WorklistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worklist",
        abstract: "List the open call and visit tasks a policy gave the collectors, oldest first.",
        discussion: """
            A task is open until its outcome is recorded with `dun done TASK "outcome"`.

            Example:
              dun worklist --data examples/acme --collector 王芳
            """)

    @Option(name: .long, help: ArgumentHelp("Only this collector's tasks.", valueName: "name"))
    var collector: String?

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let session = try options.session()
        let customers = session.snapshot.workspace.customers
        try reporting { () throws(Diagnostics) in
            guard options.format != .xlsx else { throw Diagnostics([OutputFormat.xlsxIsForResults]) }
            guard options.format != .svg else { throw Diagnostics([OutputFormat.svgIsForCharts]) }
            let tasks = try session.journal()?.openTasks(collector: collector) ?? []
            let table = Journal.worklist(
                tasks,
                names: { id in
                    customers.id.row(of: id).map { (customers.name[Int($0)], customers.phone.value(Int($0))) }
                }, format: options.format)
            FileHandle.standardOutput.write(Data(table.utf8))
        }
    }
}

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Print the SQL a query compiles to, for the workspace's database to answer.",
        discussion: """
            The tables and columns are those of dun.toml's [source] and mapping
            (or, without a database, tables named as the entities, with the
            catalogue's column names); the workspace's data is not read. The query
            may follow the imports and functions it calls. What has no SQL yet is
            an error naming it.

            Examples:
              dun sql --data examples/acme 'invoices where due < today - 30 days'
              dun sql --data examples/acme 'import aging
              aging.by_region(invoices)'
            """)

    @Argument(help: ArgumentHelp("The query.", valueName: "query"))
    var query: String

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        try reporting { () throws(Diagnostics) in
            let sql = try Session.sql(SourceText(name: "<query>", text: query), directory: options.data, asOf: options.day).get()
            FileHandle.standardOutput.write(Data(sql.utf8))
        }
    }
}

struct DoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "done",
        abstract: "Record the outcome of a call or visit task from the worklist, and close it.",
        discussion: """
            Example:
              dun done --data examples/acme 12 "promised to pay 50,000 by Friday"
            """)

    @Argument(help: ArgumentHelp("The task's number, as `dun worklist` shows it.", valueName: "task"))
    var task: Int64

    @Argument(help: ArgumentHelp("What came of it.", valueName: "outcome"))
    var outcome: String

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var by: WhoOptions

    func run() throws {
        try reporting { () throws(Diagnostics) in
            let journal = try Journal.open(workspace: options.data)
            try journal.done(task: task, outcome: outcome, who: by.who ?? Journal.login, at: Journal.now, asOf: options.day)
            FileHandle.standardError.write(Data("task \(task) done\n".utf8))
        }
    }
}

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the test blocks of policy files: what each policy should plan, as of a date.",
        discussion: """
            A test block:
              test "a week late: a gentle email" {
                as of 2026-11-28
                expect plan dunning has remind for "INV-2026-0711" by gentle
                expect plan dunning has no call for "C001"
                expect count(customers where on_hold) = 0
              }
            Without files, the .dun files of the workspace's policies/ folder are tested.
            Exit status 0 when every test passes, 1 otherwise.

            Example:
              dun test --data examples/acme
            """)

    @Argument(help: ArgumentHelp("The files to test. Default: policies/*.dun in the workspace.", valueName: "file"))
    var files: [String] = []

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        var paths = files
        if paths.isEmpty {
            let folder = (options.data as NSString).appendingPathComponent("policies")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            paths = names.filter { $0.hasSuffix(".dun") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
        }
        let session = try options.session()
        var passed = 0
        var failed = 0
        var broken = false
        for path in paths {
            let (outcomes, diagnostics) = session.test(try readScript(path))
            report(diagnostics)
            broken = broken || !diagnostics.isEmpty
            for outcome in outcomes {
                print("\(outcome.passed ? "ok  " : "FAIL") \(path): \(outcome.name)")
                report(outcome.failures)
                if outcome.passed { passed += 1 } else { failed += 1 }
            }
        }
        guard passed + failed > 0 || broken else {
            report([
                Diagnostic(
                    .error, "no test blocks in \(paths.isEmpty ? "policies/ of the workspace" : paths.joined(separator: ", "))",
                    hint: "a test block: test \"NAME\" { expect plan POLICY has remind for \"ID\" }")
            ])
            throw ExitCode(1)
        }
        print("\(passed + failed) test\(passed + failed == 1 ? "" : "s"): \(passed) passed, \(failed) failed")
        if failed > 0 || broken { throw ExitCode(1) }
    }
}

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write the dun.toml that reads the exports in a folder, guessing what it can.",
        discussion: """
            Looks at the CSV and Excel files in the folder: which is the customers', the
            invoices', the payments' (or whether one line-item file holds all three), their
            encoding, delimiter, date and number formats, and which column is which field
            (from the headers' English and Chinese names; where no header is known, dates and
            amounts from the columns' values). Writes dun.toml with a comment on
            each guess, and says what it could not find and which line to edit.
            Exit status 0 when every required field was found, 1 when dun.toml needs editing.

            Example:
              dun init exports/ && dun --data exports/ -e 'invoices | count'
            """)

    @Argument(help: ArgumentHelp("The folder of exports.", valueName: "folder"))
    var folder = "."

    @Flag(help: "Replace a dun.toml that is there (its sender and delivery settings are not kept).")
    var force = false

    func run() throws {
        let path = (folder.hasSuffix("/") ? String(folder.dropLast()) : folder) + "/dun.toml"
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            report([Diagnostic(.error, "no folder '\(folder)'")])
            throw ExitCode(1)
        }
        if FileManager.default.fileExists(atPath: path) && !force {
            report([Diagnostic(.error, "\(path) is there already", hint: "dun init --force replaces it")])
            throw ExitCode(1)
        }
        let guess = Guess.guess(directory: folder)
        do {
            try Data(guess.toml.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            report([Diagnostic(.error, "cannot write \(path): \(error.localizedDescription)")])
            throw ExitCode(1)
        }
        let lines = guess.report.map { "  \($0)\n" }.joined()
        FileHandle.standardError.write(Data("wrote \(path)\n\(lines)".utf8))
        guard guess.complete else {
            FileHandle.standardError.write(
                Data("dun.toml needs editing where it says so, then: dun --data \(folder) -e 'invoices | count'\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardError.write(Data("try: dun --data \(folder) -e 'invoices | count'\n".utf8))
    }
}
