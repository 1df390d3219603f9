// DeliveryCommand: a sendmail-style program run on one message, stopped at a deadline.
//
// The program runs without a shell, in a process group of its own, with the message on its
// standard input and its standard error read back. At the deadline the whole group is sent
// SIGTERM, then SIGKILL: a command that ignores SIGTERM, or that left a child behind, cannot
// hold a delivery (and the outbox's lock) longer than the timeout and a short grace.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

enum DeliveryCommand {
    /// How long a command stopped with SIGTERM has to end before SIGKILL.
    static let grace: Swift.Duration = .seconds(2)
    /// At most this much of what the command says is kept, the rest counted.
    static let keptStandardError = 4096

    /// How the command ended, and what it said on standard error (trimmed, bounded).
    enum Outcome: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        /// It could not be started at all.
        case notStarted(String)
    }

    /// Runs `command` with `input`: nil when it took the message, else why not.
    static func hand(_ input: Data, to command: [String], timeout: Swift.Duration) -> String? {
        let name = command.first ?? ""
        let (outcome, said) = DeliveryCommand.run(command, input: input, timeout: timeout)
        let also = said.isEmpty ? "" : ": " + said
        switch outcome {
        case .exited(0): return nil
        case .exited(let status): return said.isEmpty ? "\(name) exited with status \(status)" : said
        case .signalled(let signal): return "\(name) was stopped by signal \(signal)" + also
        case .timedOut: return "\(name) did not finish within \(timeout.components.seconds) s and was stopped" + also
        case .notStarted(let reason): return reason
        }
    }

    /// Runs `command` (a program and its arguments) with `input` on its standard input, for at
    /// most `timeout`.
    static func run(_ command: [String], input: Data, timeout: Swift.Duration) -> (Outcome, String) {
        guard let name = command.first else { return (.notStarted("no command"), "") }
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { return (.notStarted(errorText()), "") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0])
            close(toChild[1])
            return (.notStarted(errorText()), "")
        }
        // Our ends are not passed on to this or any other program.
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let started = spawn(program(name), command, stdin: toChild[0], stderr: fromChild[1])
        close(toChild[0])
        close(fromChild[1])
        guard case .success(let pid) = started else {
            close(toChild[1])
            close(fromChild[0])
            if case .failure(let reason) = started { return (.notStarted("cannot run \(name): \(reason)"), "") }
            return (.notStarted("cannot run \(name)"), "")
        }
        _ = fcntl(toChild[1], F_SETFL, O_NONBLOCK)
        _ = fcntl(fromChild[0], F_SETFL, O_NONBLOCK)
        var talk = Conversation(input: input, writing: toChild[1], reading: fromChild[0])
        // A command that stops reading its input makes our next write fail with EPIPE; the
        // SIGPIPE that comes with it is held back for this thread and taken away after, so that
        // nothing process-wide (a signal disposition) has to change.
        var pipeSignal = sigset_t()
        var previous = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer {
            if talk.brokePipe {
                var none = timespec(tv_sec: 0, tv_nsec: 0)
                _ = sigtimedwait(&pipeSignal, nil, &none)
            }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
            talk.closeAll()
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var status: Int32 = 0
        while true {
            if waitpid(pid, &status, WNOHANG) == pid {
                // Ended: what it said is read as far as it is there now, not until a child it
                // left behind lets go of its standard error.
                talk.stopWriting()
                talk.exchange(waitingAtMost: 0)
                return (outcome(status), talk.said)
            }
            let left = deadline - clock.now
            guard left > .zero else { break }
            talk.exchange(waitingAtMost: min(50, max(1, Int32(left / .milliseconds(1)))))
        }
        // Out of time: the whole group is stopped, politely first.
        kill(-pid, SIGTERM)
        let graceEnd = clock.now + grace
        while clock.now < graceEnd && waitpid(pid, &status, WNOHANG) != pid {
            talk.exchange(waitingAtMost: 20)
        }
        kill(-pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (.timedOut, talk.said)
    }

    /// The exit status or the signal, from waitpid's status word.
    private static func outcome(_ status: Int32) -> Outcome {
        status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F)
    }

    /// Starts `program` with `arguments` (the first is its name) in a new process group, with
    /// `stdin` and `stderr` as its standard input and error, its output thrown away, and its
    /// signals as a new program's: none blocked, SIGPIPE and the others at their defaults.
    private static func spawn(_ program: String, _ arguments: [String], stdin: Int32, stderr: Int32) -> Result<pid_t, SpawnFailure> {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
        guard result == 0 else { return .failure(SpawnFailure(reason: String(cString: strerror(result)))) }
        return .success(pid)
    }

    private struct SpawnFailure: Error {
        var reason: String
    }

    /// Whether `name` is a program that can be run: an executable file, given with its folder
    /// or found in PATH.
    static func canRun(_ name: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: program(name))
    }

    /// A program named without a folder is looked for in PATH, as a shell would.
    private static func program(_ name: String) -> String {
        guard !name.contains("/") else { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
            return "\(folder)/\(name)"
        }
        return name
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }

    /// The message going in and the standard error coming out, both without blocking.
    private struct Conversation {
        let input: Data
        var written = 0
        var writing: Int32
        var reading: Int32
        var kept = Data()
        var dropped = 0
        var brokePipe = false

        init(input: Data, writing: Int32, reading: Int32) {
            self.input = input
            self.writing = writing
            self.reading = reading
            if input.isEmpty { stopWriting() }
        }

        /// What the command said, trimmed; a long text is cut and says so.
        var said: String {
            let text = String(decoding: kept, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return dropped == 0 ? text : text + " … (\(dropped) more bytes)"
        }

        mutating func stopWriting() {
            if writing >= 0 { close(writing) }
            writing = -1
        }

        mutating func closeAll() {
            stopWriting()
            if reading >= 0 { close(reading) }
            reading = -1
        }

        /// Writes what the command can take and reads what it said, waiting at most
        /// `milliseconds` for either to be possible (0: only what is possible now, until nothing is).
        mutating func exchange(waitingAtMost milliseconds: Int32) {
            // Without waiting, a bounded number of rounds: a child left behind that writes
            // without end cannot keep us here.
            var rounds = 0
            repeat {
                rounds += 1
                var fds: [pollfd] = []
                if writing >= 0 { fds.append(pollfd(fd: writing, events: Int16(POLLOUT), revents: 0)) }
                if reading >= 0 { fds.append(pollfd(fd: reading, events: Int16(POLLIN), revents: 0)) }
                guard !fds.isEmpty else { return }
                let ready = poll(&fds, nfds_t(fds.count), milliseconds)
                guard ready > 0 else { return }
                for fd in fds where fd.revents != 0 {
                    if fd.fd == writing { write() } else { read() }
                }
            } while milliseconds == 0 && rounds < 64
        }

        private mutating func write() {
            let n = input.withUnsafeBytes { raw in
                Glibc.write(writing, raw.baseAddress.map { $0 + written }, input.count - written)
            }
            if n > 0 {
                written += n
                if written == input.count { stopWriting() }
            } else if n < 0 && errno != EAGAIN && errno != EINTR {
                brokePipe = errno == EPIPE
                stopWriting()
            }
        }

        private mutating func read() {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = Glibc.read(reading, &buffer, buffer.count)
            if n > 0 {
                let room = max(0, DeliveryCommand.keptStandardError - kept.count)
                kept.append(contentsOf: buffer[0..<min(n, room)])
                dropped += max(0, n - room)
            } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                close(reading)
                reading = -1
            }
        }
    }
}
