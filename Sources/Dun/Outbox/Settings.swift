// Settings: the workspace's `dun.toml` — who reminders come from and how they are delivered.
//
// A hand-written reader of the small part of TOML these few keys need (sections, strings,
// arrays of strings, comments): a full TOML package would cost more build time than it saves.

import DunCore
import Foundation

/// What `dun.toml` says; every key is optional.
public struct OutboxSettings: Sendable, Equatable {
    /// `[sender] name`, the display name of the From address.
    public var senderName: String?
    /// `[sender] email`: required only to write an e-mail.
    public var senderEmail: String?
    public var company: String?
    /// The workspace's default language (`zh`, `en`), for customers without a `language`.
    public var language: String?
    /// `[delivery] command`: a sendmail-style program and its arguments, run without a shell.
    public var command: [String]?

    public init() {}

    /// The keys, by section ("" for the top of the file).
    static let keys: [String: [String]] = ["": ["company", "language"], "sender": ["name", "email"], "delivery": ["command"]]

    /// `DIR/dun.toml`, or the defaults when there is none.
    public static func load(workspace directory: String) throws(Diagnostics) -> OutboxSettings {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("dun.toml").path
        guard let data = FileManager.default.contents(atPath: path) else { return OutboxSettings() }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Diagnostics([Diagnostic(.error, "dun.toml is not UTF-8", file: "dun.toml", hint: "save it as UTF-8")])
        }
        return try parse(SourceText(name: "dun.toml", text: text))
    }

    /// Reads `source`; every error in it at once, each pointing at its line and column.
    public static func parse(_ source: SourceText) throws(Diagnostics) -> OutboxSettings {
        var settings = OutboxSettings()
        var errors: [Diagnostic] = []
        var section = ""
        var seen: Set<String> = []
        let bytes = source.bytes
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            var reader = LineReader(bytes: bytes, at: lineStart, end: lineEnd)
            defer { lineStart = lineEnd + 1 }
            do throws(LineReader.Failure) {
                reader.skipSpace()
                guard !reader.atEnd else { continue }
                if reader.peek == UInt8(ascii: "[") {
                    let open = reader.at
                    reader.at += 1
                    let name = reader.name()
                    try reader.expect("]")
                    try reader.finish()
                    guard keys[name] != nil, !name.isEmpty else {
                        let known = keys.keys.filter { !$0.isEmpty }.sorted()
                        let near = nearestName(to: name, in: known)
                        errors.append(
                            source.diagnostic(
                                "unknown section [\(name)]", at: open..<reader.at,
                                hint: near.map { "did you mean [\($0)]?" } ?? "the sections are " + known.map { "[\($0)]" }.joined(separator: ", ")))
                        section = "?"
                        continue
                    }
                    section = name
                    continue
                }
                let keyStart = reader.at
                let key = reader.name()
                let keyRange = keyStart..<keyStart + key.utf8.count
                guard !key.isEmpty else { throw LineReader.Failure("expected a key, a [section] or a # comment", at: reader.at) }
                try reader.expect("=")
                let value = try reader.value()
                try reader.finish()
                // Keys under a section we did not know were reported with the section.
                guard section != "?" else { continue }
                let known = keys[section] ?? []
                guard known.contains(key) else {
                    let place = section.isEmpty ? "at the top of dun.toml" : "in [\(section)]"
                    let elsewhere = keys.first { $0.value.contains(key) }.map { $0.key.isEmpty ? "at the top, before any [section]" : "under [\($0.key)]" }
                    let hint = elsewhere.map { "\(key) goes \($0)" } ?? nearestName(to: key, in: known).map { "did you mean \($0)?" }
                        ?? "the keys here are " + known.joined(separator: ", ")
                    errors.append(source.diagnostic("unknown key \(key) \(place)", at: keyRange, hint: hint))
                    continue
                }
                let full = section.isEmpty ? key : "\(section).\(key)"
                guard seen.insert(full).inserted else {
                    errors.append(source.diagnostic("\(key) is set twice", at: keyRange))
                    continue
                }
                if let problem = settings.set(full, value) {
                    errors.append(source.diagnostic(problem, at: keyRange))
                }
            } catch {
                errors.append(source.diagnostic(error.message, at: error.at..<error.at + 1))
            }
        }
        if !errors.isEmpty { throw Diagnostics(errors) }
        return settings
    }

    /// Sets a key to its value; what is wrong with the value, if anything.
    private mutating func set(_ key: String, _ value: Value) -> String? {
        switch (key, value) {
        case ("delivery.command", .array(let words)):
            guard let program = words.first, !program.isEmpty else { return "command needs at least the program to run" }
            command = words
        case ("delivery.command", .string):
            return "command is a list of the program and its arguments, as [\"/usr/sbin/sendmail\", \"-t\", \"-i\"]"
        case (_, .string(let text)):
            switch key {
            case "sender.name": senderName = text
            case "sender.email": senderEmail = text
            case "company": company = text
            default: language = text
            }
        case (_, .array):
            return "\(key.split(separator: ".").last ?? "") is a string, in double quotes"
        }
        return nil
    }

    enum Value {
        case string(String)
        case array([String])
    }
}

/// Reads one line of dun.toml from left to right.
private struct LineReader {
    let bytes: [UInt8]
    var at: Int
    let end: Int

    struct Failure: Error {
        var message: String
        var at: Int
        init(_ message: String, at: Int) {
            self.message = message
            self.at = at
        }
    }

    init(bytes: [UInt8], at: Int, end: Int) {
        self.bytes = bytes
        self.at = at
        // A CRLF line ends before its CR.
        self.end = end > at && bytes[end - 1] == 13 ? end - 1 : end
    }

    var atEnd: Bool { at >= end || bytes[at] == UInt8(ascii: "#") }
    var peek: UInt8? { at < end ? bytes[at] : nil }

    mutating func skipSpace() {
        while at < end && (bytes[at] == 32 || bytes[at] == 9) { at += 1 }
    }

    /// A bare key or section name: letters, digits, `_` and `-`.
    mutating func name() -> String {
        skipSpace()
        let start = at
        while let b = peek, b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || (b < 128 && Character(UnicodeScalar(b)).isLetter)
            || (b >= 48 && b <= 57)
        {
            at += 1
        }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        skipSpace()
        return text
    }

    mutating func expect(_ c: Character) throws(Failure) {
        skipSpace()
        guard let b = peek, b == c.asciiValue else { throw Failure("expected \(c)", at: at) }
        at += 1
        skipSpace()
    }

    /// Nothing but spaces and a comment is left on the line.
    mutating func finish() throws(Failure) {
        skipSpace()
        guard atEnd else { throw Failure("unexpected text after the value", at: at) }
    }

    mutating func value() throws(Failure) -> OutboxSettings.Value {
        skipSpace()
        if peek == UInt8(ascii: "[") {
            at += 1
            var words: [String] = []
            skipSpace()
            while peek != UInt8(ascii: "]") {
                words.append(try string())
                skipSpace()
                guard peek == UInt8(ascii: ",") else { break }
                at += 1
                skipSpace()
            }
            try expect("]")
            return .array(words)
        }
        return .string(try string())
    }

    /// A basic string in double quotes, with TOML's common escapes.
    mutating func string() throws(Failure) -> String {
        guard peek == UInt8(ascii: "\"") else { throw Failure("expected a string in double quotes", at: at) }
        let open = at
        at += 1
        var out: [UInt8] = []
        while at < end {
            let b = bytes[at]
            at += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard at < end else { break }
                let e = bytes[at]
                at += 1
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(e)
                default: throw Failure("unknown escape \\\(Character(UnicodeScalar(e)))", at: at - 2)
                }
            default:
                out.append(b)
            }
        }
        throw Failure("this string has no closing \"", at: open)
    }
}
