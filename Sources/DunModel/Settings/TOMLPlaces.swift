// TOMLPlaces: where each key of a TOML file is written, for errors that point at it.
//
// The TOML library reads the values but keeps no positions; this walks the text once more,
// line by line, following `[table]` headers, `key = value` lines (bare, quoted and dotted
// keys) and the keys of one-line inline tables, and skipping strings, multi-line strings
// and arrays. The file has already parsed, so nothing here needs to judge what is valid.

/// Byte ranges of the keys of a TOML text, by their full path (`invoices.columns.id`).
struct TOMLPlaces {
    private(set) var keys: [[String]: Range<Int>] = [:]
    /// Where a table header names no table (`[{a]`): toml++ asserts on it rather than
    /// reporting an error, so it is refused before the text reaches it.
    private(set) var badHeader: Int?

    init(_ bytes: [UInt8]) {
        var scan = Scan(bytes: bytes)
        var table: [String] = []
        while !scan.atEnd {
            scan.skipBlank()
            guard let b = scan.peek else { break }
            if b == UInt8(ascii: "[") {
                // `[a.b]` or `[[a.b]]`: the keys after it are under a.b; the header is its place.
                let open = scan.at
                scan.at += 1
                if scan.peek == UInt8(ascii: "[") { scan.at += 1 }
                scan.skipSpaces()
                if badHeader == nil, let c = scan.peek,
                    !(Scan.isBare(c) || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "]"))
                {
                    badHeader = scan.at
                }
                let (path, _) = scan.key()
                scan.skipSpaces()
                while scan.peek == UInt8(ascii: "]") { scan.at += 1 }
                table = path
                if !path.isEmpty { keys[path] = keys[path] ?? open..<scan.at }
                scan.skipLine()
            } else if b == UInt8(ascii: "#") || b == 10 || b == 13 {
                scan.skipLine()
            } else {
                keyValue(&scan, under: table)
                scan.skipLine()
            }
        }
    }

    /// `key = value` at the scanner, its keys (and an inline table's) recorded under `table`.
    private mutating func keyValue(_ scan: inout Scan, under table: [String]) {
        let (path, range) = scan.key()
        guard !path.isEmpty else { return }
        keys[table + path] = keys[table + path] ?? range
        scan.skipSpaces()
        guard scan.peek == UInt8(ascii: "=") else { return }
        scan.at += 1
        scan.skipSpaces()
        if scan.peek == UInt8(ascii: "{") {
            scan.at += 1
            while !scan.atEnd {
                scan.skipSpaces()
                guard let b = scan.peek, b != UInt8(ascii: "}"), b != 10 else { return }
                if b == UInt8(ascii: ",") {
                    scan.at += 1
                    continue
                }
                let before = scan.at
                keyValue(&scan, under: table + path)
                if scan.at == before { scan.at += 1 }
            }
        } else {
            scan.value()
        }
    }

    /// The range of the key at `path`, or of the nearest table above it that is written.
    func range(of path: [String]) -> Range<Int>? {
        var path = path
        while !path.isEmpty {
            if let r = keys[path] { return r }
            path.removeLast()
        }
        return nil
    }
}

/// A cursor over the bytes of a TOML text.
private struct Scan {
    let bytes: [UInt8]
    var at = 0

    var atEnd: Bool { at >= bytes.count }
    var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

    mutating func skipSpaces() {
        while let b = peek, b == 32 || b == 9 { at += 1 }
    }

    mutating func skipBlank() {
        while let b = peek, b == 32 || b == 9 || b == 10 || b == 13 { at += 1 }
    }

    /// To the start of the next line, past any string or array that spans lines.
    mutating func skipLine() {
        skip(to: 10)
        at += 1
    }

    /// To the byte `end` (or the end), past strings, arrays, inline tables and comments.
    mutating func skip(to end: UInt8) {
        while let c = peek, c != end {
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                value()
            } else if c == UInt8(ascii: "#") {
                while let d = peek, d != 10 { at += 1 }
            } else {
                at += 1
            }
        }
    }

    /// A key, dotted or not: its parts, and the range of the whole.
    mutating func key() -> ([String], Range<Int>) {
        skipSpaces()
        let start = at
        var parts: [String] = []
        while let b = peek {
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                let s = at
                string()
                let inner = bytes[min(s + 1, at)..<max(s + 1, at - 1)]
                parts.append(String(decoding: inner, as: UTF8.self))
            } else {
                let s = at
                while let c = peek, Scan.isBare(c) { at += 1 }
                guard at > s else { break }
                parts.append(String(decoding: bytes[s..<at], as: UTF8.self))
            }
            let end = at
            skipSpaces()
            guard peek == UInt8(ascii: ".") else {
                at = end
                break
            }
            at += 1
            skipSpaces()
        }
        return (parts, start..<at)
    }

    static func isBare(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b == 45
    }

    /// A value that may hold what would end a line or a key: a string, or an array.
    mutating func value() {
        guard let b = peek else { return }
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
            string()
        } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
            at += 1
            skip(to: b == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}"))
            at += 1
        }
    }

    /// A basic or literal string, one line or three quotes.
    mutating func string() {
        guard let quote = peek else { return }
        let triple = at + 2 < bytes.count && bytes[at + 1] == quote && bytes[at + 2] == quote
        at += triple ? 3 : 1
        while let b = peek {
            if b == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                at += 2
                continue
            }
            if b == 10 && !triple { return }
            if b == quote {
                if !triple {
                    at += 1
                    return
                }
                if at + 2 < bytes.count && bytes[at + 1] == quote && bytes[at + 2] == quote {
                    at += 3
                    // A closing `"""` may be followed by up to two more quotes of the string.
                    while peek == quote { at += 1 }
                    return
                }
            }
            at += 1
        }
    }
}
