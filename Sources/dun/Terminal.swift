// Terminal: the REPL on a person's terminal through GNU readline — line editing, Tab,
// history in ~/.dun_history, Ctrl-C — and on a pipe as plain lines, with no prompt.

import ArgumentParser
@preconcurrency import CReadline
import Dun
import DunLanguage
import Foundation

extension WorkspaceOptions {
    /// Opens the REPL on the workspace: through readline when standard input and output are
    /// both terminals, otherwise reading plain lines (a script: the first error ends it, status 1).
    func shell(as who: String?) throws {
        let session = try self.session()
        let environment = ProcessInfo.processInfo.environment
        let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        let settings = REPL.Settings(
            interactive: interactive, colour: interactive && (environment["NO_COLOR"] ?? "").isEmpty,
            editor: environment["VISUAL"] ?? environment["EDITOR"], who: who)
        let console = REPL.Console(
            write: { FileHandle.standardOutput.write(Data($0.utf8)) },
            error: { FileHandle.standardError.write(Data($0.utf8)) })
        let repl = REPL(session: session, directory: data, settings: settings, console: console)
        if timings { _ = repl.read(".timer on") }
        if interactive {
            Terminal(repl: repl, historyFile: environment["DUN_HISTORY"] ?? (environment["HOME"] ?? ".") + "/.dun_history")
                .run()
        } else {
            while !repl.isFinished, let line = readLine() {
                repl.read(line)
            }
            repl.finish()
            if repl.failed { throw ExitCode(1) }
        }
    }
}

/// The REPL the completion function asks: readline's callbacks are C functions without context.
nonisolated(unsafe) private var active: REPL?
/// What Ctrl-C asks to stop: the REPL's sessions share it.
nonisolated(unsafe) private var interruption: Interruption?
/// Ctrl-C came while a line was being read: the line is dropped.
nonisolated(unsafe) private var abandoned = false

private struct Terminal {
    let repl: REPL
    let historyFile: String

    func run() {
        // Typed Chinese needs a UTF-8 locale; CI and cron give none.
        if let locale = setlocale(LC_CTYPE, ""), ["C", "POSIX"].contains(String(cString: locale)) {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        // Kept by readline for good. Its idea of a word's bounds; the completer has the last word.
        dun_readline_setup(strdup("dun"), strdup(" \t\n\"'()[]{},|=<>!+*/?:."))
        dun_set_completion(complete, readByte)
        active = repl
        interruption = repl.session.interruption
        dun_handle_signal(SIGINT) { _ in interruption?.request() }
        openHistory()
        FileHandle.standardOutput.write(Data(repl.banner.utf8))
        repl.session.display.maxRows = 40
        repl.session.display.cellWidth = Display.terminalCellWidth
        var last: String?
        while !repl.isFinished {
            repl.session.display.width = Terminal.width
            guard let typed = readline(repl.prompt) else {
                // Ctrl-D on an empty line.
                FileHandle.standardOutput.write(Data("\n".utf8))
                break
            }
            let line = String(cString: typed)
            free(typed)
            if abandoned {
                abandoned = false
                repl.abandon()
                continue
            }
            if let entry = repl.read(line), entry != last {
                last = entry
                add_history(entry)
                // Written at once, so every way out (even a kill) keeps it.
                append_history(1, historyFile)
            }
        }
        history_truncate_file(historyFile, 5000)
    }

    /// Reads the history, creating the file readable by its owner only.
    private func openHistory() {
        let fd = open(historyFile, O_CREAT | O_WRONLY | O_APPEND, 0o600)
        if fd >= 0 { close(fd) }
        chmod(historyFile, 0o600)
        read_history(historyFile)
    }

    private static var width: Int? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}

/// readline's input: bytes from the terminal; Ctrl-C (a read interrupted by SIGINT) ends the
/// line at once, to be dropped.
private func readByte(_ file: UnsafeMutablePointer<FILE>?) -> Int32 {
    var byte: UInt8 = 0
    while true {
        if interruption?.clear() == true {
            abandoned = true
            return 10
        }
        let n = read(file.map(fileno) ?? STDIN_FILENO, &byte, 1)
        if n == 1 { return Int32(byte) }
        guard n < 0 && errno == EINTR else { return EOF }
    }
}

/// Tab: the REPL's candidates for the word before the cursor, as readline wants them — the
/// common prefix, then each match, every string malloc'd, the array ending in NULL.
private func complete(
    _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    guard let repl = active, let buffer = rl_line_buffer else { return nil }
    let line = String(cString: buffer)
    let completion = repl.complete(line, cursor: Int(end))
    if completion.files {
        dun_completion_over(0, 32)
        return nil
    }
    dun_completion_over(1, Int32(completion.suffix.utf8.first ?? 0))
    guard !completion.candidates.isEmpty else { return nil }
    // readline replaces bytes start..<end; the candidates replace the completer's word.
    let bytes = Array(line.utf8)
    let wordStart = Int(end) - completion.word.utf8.count
    let matches = completion.candidates.map { candidate -> String in
        if Int(start) >= wordStart {
            return String(decoding: candidate.utf8.dropFirst(Int(start) - wordStart), as: UTF8.self)
        }
        return String(decoding: bytes[Int(start)..<wordStart], as: UTF8.self) + candidate
    }
    var common = matches[0]
    for m in matches.dropFirst() {
        common = String(zip(common, m).prefix { $0 == $1 }.map(\.0))
    }
    let list = matches.count == 1 ? matches : [common] + matches
    let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: list.count + 1)
    for (i, m) in list.enumerated() { array[i] = strdup(m) }
    array[list.count] = nil
    return array
}
