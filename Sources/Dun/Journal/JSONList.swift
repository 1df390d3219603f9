// JSONList: a list of texts as a JSON array, written and read by hand. The journal writes one
// for every entry it adds (the entry's key, its invoices) and reads one for every entry it
// loads; Foundation's coders spent more time on those than the rest of an apply together.

/// Writes exactly what Foundation's JSONEncoder writes for `[String]` (a test holds the two
/// together), so that the keys of entries journaled by an earlier Dun still match.
enum JSONList {
    /// `["a","b\/c"]`: quotes and backslashes escaped, `\b \f \n \r \t` and `\u00XX` for the
    /// other control characters; the slash too unless `escapingSlashes` is false.
    static func encode(_ texts: [String], escapingSlashes: Bool) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(texts.reduce(2) { $0 + $1.utf8.count + 3 })
        for (i, text) in texts.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            for b in text.utf8 {
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), b])
                case UInt8(ascii: "/") where escapingSlashes: out.append(contentsOf: [UInt8(ascii: "\\"), b])
                case 0x08: out.append(contentsOf: #"\b"#.utf8)
                case 0x0C: out.append(contentsOf: #"\f"#.utf8)
                case 0x0A: out.append(contentsOf: #"\n"#.utf8)
                case 0x0D: out.append(contentsOf: #"\r"#.utf8)
                case 0x09: out.append(contentsOf: #"\t"#.utf8)
                case 0..<0x20:
                    out.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(b >> 4)], hexDigits[Int(b & 0xF)],
                    ])
                default: out.append(b)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The texts of a JSON array of strings; nil for anything else (another value, a bad
    /// escape, a lone surrogate, text after the `]`).
    static func decode(_ json: String) -> [String]? {
        var reader = Reader(bytes: Array(json.utf8))
        return reader.list()
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func list() -> [String]? {
            skipSpace()
            guard take(UInt8(ascii: "[")) else { return nil }
            var texts: [String] = []
            skipSpace()
            if !take(UInt8(ascii: "]")) {
                repeat {
                    skipSpace()
                    guard let text = string() else { return nil }
                    texts.append(text)
                    skipSpace()
                } while take(UInt8(ascii: ","))
                guard take(UInt8(ascii: "]")) else { return nil }
            }
            skipSpace()
            return at == bytes.count ? texts : nil
        }

        private mutating func take(_ b: UInt8) -> Bool {
            guard at < bytes.count, bytes[at] == b else { return false }
            at += 1
            return true
        }

        private mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x09 || bytes[at] == 0x0A || bytes[at] == 0x0D { at += 1 }
        }

        private mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while at < bytes.count {
                let b = bytes[at]
                at += 1
                switch b {
                case UInt8(ascii: "\""): return String(validating: out, as: UTF8.self)
                case 0..<0x20: return nil
                case UInt8(ascii: "\\"):
                    guard at < bytes.count else { return nil }
                    let e = bytes[at]
                    at += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let scalar = unicodeEscape() else { return nil }
                        out += Array(String(Character(scalar)).utf8)
                    default: return nil
                    }
                default: out.append(b)
                }
            }
            return nil
        }

        /// After `\u`: four hex digits, or a surrogate pair of two escapes.
        private mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let high = hex4() else { return nil }
            guard (0xD800..<0xDC00).contains(high) else { return Unicode.Scalar(high) }
            guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(), (0xDC00..<0xE000).contains(low)
            else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }

        private mutating func hex4() -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for b in bytes[at..<at + 4] {
                guard let digit = UInt32(String(UnicodeScalar(b)), radix: 16) else { return nil }
                value = value << 4 | digit
            }
            at += 4
            return value
        }
    }
}
