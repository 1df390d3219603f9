// CSVScanner: RFC 4180 records over the bytes of a UTF-8 file.

/// One field of a record: a byte range of the file and where it starts.
struct CSVField {
    var start: Int
    var end: Int
    /// The field was quoted, and its `""` pairs stand for `"`.
    var quoted: Bool
    var line: Int
    var lineStart: Int
}

/// A malformed record: what is wrong and at which byte.
struct CSVSyntaxError: Error {
    var message: String
    var hint: String?
    var offset: Int
    var line: Int
    var lineStart: Int
}

/// Reads records one at a time: fields separated by commas, records by LF or CRLF,
/// quoted fields may hold commas, doubled quotes and line breaks.
struct CSVScanner {
    let bytes: [UInt8]
    private(set) var offset: Int
    private(set) var line = 1
    private var lineStart: Int

    init(bytes: [UInt8]) {
        self.bytes = bytes
        let bom = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        offset = bom
        lineStart = bom
    }

    /// The next record's fields; `false` at the end of the file. Blank lines are not records.
    mutating func nextRecord(into fields: inout [CSVField]) throws(CSVSyntaxError) -> Bool {
        fields.removeAll(keepingCapacity: true)
        while offset < bytes.count && (bytes[offset] == 10 || bytes[offset] == 13) {
            endLine()
        }
        guard offset < bytes.count else { return false }
        while true {
            let field = try scanField()
            fields.append(field)
            if offset >= bytes.count { return true }
            switch bytes[offset] {
            case UInt8(ascii: ","):
                offset += 1
            case 13, 10:
                endLine()
                return true
            default:
                throw error(
                    "unexpected character after a quoted field", hint: "a quoted field must end at a comma or the end of the line"
                )
            }
        }
    }

    /// Consumes one line ending (LF, CRLF or a lone CR).
    private mutating func endLine() {
        if bytes[offset] == 13 && offset + 1 < bytes.count && bytes[offset + 1] == 10 {
            offset += 1
        }
        offset += 1
        line += 1
        lineStart = offset
    }

    private mutating func scanField() throws(CSVSyntaxError) -> CSVField {
        let startLine = line
        let startLineStart = lineStart
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
            let start = offset
            while offset < bytes.count {
                let b = bytes[offset]
                if b == UInt8(ascii: ",") || b == 10 || b == 13 { break }
                if b == UInt8(ascii: "\"") {
                    throw error(
                        "a quote inside an unquoted field", hint: "quote the whole field and double the quote: \"say \"\"hi\"\"\""
                    )
                }
                offset += 1
            }
            return CSVField(start: start, end: offset, quoted: false, line: startLine, lineStart: startLineStart)
        }
        let open = offset
        offset += 1
        let start = offset
        while offset < bytes.count {
            let b = bytes[offset]
            if b == UInt8(ascii: "\"") {
                if offset + 1 < bytes.count && bytes[offset + 1] == UInt8(ascii: "\"") {
                    offset += 2
                    continue
                }
                let end = offset
                offset += 1
                return CSVField(start: start, end: end, quoted: true, line: startLine, lineStart: startLineStart)
            }
            if b == 10 {
                line += 1
                lineStart = offset + 1
            }
            offset += 1
        }
        throw CSVSyntaxError(
            message: "unterminated quoted field", hint: "every opening quote needs a closing quote",
            offset: open, line: startLine, lineStart: startLineStart)
    }

    private func error(_ message: String, hint: String?) -> CSVSyntaxError {
        CSVSyntaxError(message: message, hint: hint, offset: offset, line: line, lineStart: lineStart)
    }

    /// The text of a field: quotes removed and `""` turned into `"`.
    func text(_ field: CSVField) -> String {
        let raw = bytes[field.start..<field.end]
        guard field.quoted, raw.contains(UInt8(ascii: "\"")) else {
            return String(decoding: raw, as: UTF8.self)
        }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i < raw.endIndex {
            unescaped.append(raw[i])
            i += raw[i] == UInt8(ascii: "\"") ? 2 : 1
        }
        return String(decoding: unescaped, as: UTF8.self)
    }
}
