// Diagnostic: an error or warning about a script or a data file, with where it is.

/// Where in a text a diagnostic points: a line, a column counted in characters,
/// the line itself (or, for a very long line, the part of it around the column), and how
/// many characters the caret covers.
public struct Position: Sendable, Equatable {
    public var line: Int
    public var column: Int
    /// The line as shown: whole, or a marked excerpt around `column` when it is very long.
    public var lineText: String
    public var length: Int
    /// Where `column` falls in `lineText`, counted in characters from 1.
    public var shownColumn: Int

    public init(line: Int, column: Int, lineText: String, length: Int) {
        self.line = line
        self.column = column
        self.lineText = lineText
        self.length = max(1, length)
        shownColumn = column
    }

    /// A line longer than this many bytes is shown as an excerpt: at most `context` bytes
    /// before the range and after it, and `window` bytes of the range.
    static let longLine = 400
    static let context = 80
    static let window = 60

    /// The position of UTF-8 bytes `range` in `bytes`, whose line `line` starts at `lineStart`.
    public init<Bytes: RandomAccessCollection<UInt8>>(bytes all: Bytes, lineStart: Int, line: Int, range: Range<Int>)
    where Bytes.Index == Int {
        var lineEnd = lineStart
        while lineEnd < all.endIndex && all[lineEnd] != 10 { lineEnd += 1 }
        var textEnd = lineEnd
        if textEnd > lineStart && all[textEnd - 1] == 13 { textEnd -= 1 }
        func chars(_ a: Int, _ b: Int) -> Int {
            guard a < b else { return 0 }
            return String(decoding: all[a..<b], as: UTF8.self).count
        }
        /// The start of the character `i` falls in (a UTF-8 continuation byte is 0b10xxxxxx).
        func characterStart(_ i: Int) -> Int {
            var i = i
            while i > lineStart && i < textEnd && all[i] & 0xC0 == 0x80 { i -= 1 }
            return i
        }
        let start = min(max(range.lowerBound, lineStart), textEnd)
        let end = min(max(range.upperBound, start), textEnd)
        var shownStart = lineStart
        var shownEnd = textEnd
        if textEnd - lineStart > Position.longLine {
            shownStart = characterStart(max(lineStart, start - Position.context))
            shownEnd = characterStart(min(textEnd, min(end, start + Position.window) + Position.context))
        }
        let before = shownStart > lineStart ? "…" : ""
        let after = shownEnd < textEnd ? "…" : ""
        self.init(
            line: line,
            column: chars(lineStart, start) + 1,
            lineText: before + String(decoding: all[shownStart..<shownEnd], as: UTF8.self) + after,
            length: chars(start, min(end, shownEnd)))
        shownColumn = before.count + chars(shownStart, start) + 1
    }
}

/// One message for the person at the terminal. Rendered by `Diagnostic.rendered`.
public struct Diagnostic: Error, Sendable, Equatable {
    public enum Severity: String, Sendable {
        case error, warning, note
    }

    public var severity: Severity
    public var message: String
    /// The file or input name (`policies/standard.dun`, `customers.csv`, `<query>`).
    public var file: String?
    public var position: Position?
    public var hint: String?
    /// Further lines (`note: on invoice INV-0042`).
    public var notes: [String]

    public init(
        _ severity: Severity = .error, _ message: String, file: String? = nil,
        position: Position? = nil, hint: String? = nil, notes: [String] = []
    ) {
        self.severity = severity
        self.message = message
        self.file = file
        self.position = position
        self.hint = hint
        self.notes = notes
    }

    /// `file:line:col: error: message`, the source line, a caret under the range
    /// (widened for double-width characters), notes, and the hint.
    public var rendered: String {
        var head = ""
        if let file {
            head += file + ":"
            if let p = position { head += "\(p.line):\(p.column):" }
            head += " "
        }
        var out = head + "\(severity.rawValue): \(message)\n"
        if let p = position {
            // Each character as shown: a control or bidirectional one as its escape, so that the
            // line reads as it is and stays one line; the caret follows what is shown.
            let shown = p.lineText.map { ch in
                ch.unicodeScalars.contains(where: \.isConcealing) ? ch.unicodeScalars.map(\.escaped).joined() : String(ch)
            }
            out += shown.joined() + "\n"
            var caret = ""
            for text in shown.prefix(p.shownColumn - 1) {
                caret += text == "\t" ? "\t" : String(repeating: " ", count: text.displayWidth)
            }
            let width = max(1, shown.dropFirst(p.shownColumn - 1).prefix(p.length).reduce(0) { $0 + $1.displayWidth })
            caret += "^" + String(repeating: "~", count: width - 1)
            out += caret + "\n"
        }
        for note in notes {
            out += "note: \(note)\n"
        }
        if let hint {
            out += "hint: \(hint)\n"
        }
        return out
    }
}

/// A named text with its line starts, for turning byte ranges into positions.
public struct SourceText: Sendable {
    public let name: String
    public let text: String
    public let bytes: [UInt8]
    private let lineStarts: [Int]
    /// The number of the text's first line: a statement typed into the REPL on line 12 of
    /// its input says so.
    private let firstLine: Int

    public init(name: String, text: String, firstLine: Int = 1) {
        self.name = name
        self.text = text
        self.firstLine = firstLine
        bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 10 {
            starts.append(i + 1)
        }
        lineStarts = starts
    }

    /// The position of a byte range; a range at the very end points just past the last character.
    public func position(of range: Range<Int>) -> Position {
        let offset = min(range.lowerBound, bytes.count)
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return Position(bytes: bytes, lineStart: lineStarts[lo], line: lo + firstLine, range: range)
    }

    /// A diagnostic pointing at `range` of this text.
    public func diagnostic(
        _ message: String, at range: Range<Int>, hint: String? = nil, notes: [String] = [],
        severity: Diagnostic.Severity = .error
    ) -> Diagnostic {
        Diagnostic(severity, message, file: name, position: position(of: range), hint: hint, notes: notes)
    }
}

/// Several diagnostics thrown together, as a load that found many bad rows throws them.
public struct Diagnostics: Error, Sendable {
    public var all: [Diagnostic]

    public init(_ all: [Diagnostic]) {
        self.all = all
    }
}
