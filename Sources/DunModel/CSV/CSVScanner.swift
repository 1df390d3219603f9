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

/// Reads records one at a time from a part of a file: fields separated by commas, records
/// by LF or CRLF, quoted fields may hold commas, doubled quotes and line breaks.
///
/// The bytes belong to the caller, who keeps them alive while the scanner is in use.
struct CSVScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    /// Where this part of the file ends.
    let end: Int
    private(set) var offset: Int
    private(set) var line: Int
    private(set) var lineStart: Int

    /// A scanner over `bytes[range]`, whose first byte starts line `line`.
    init(bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, line: Int) {
        self.bytes = bytes
        end = range.upperBound
        offset = range.lowerBound
        lineStart = range.lowerBound
        self.line = line
    }

    /// The byte after a UTF-8 byte-order mark, if the file starts with one.
    static func start(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// The next record's fields; `false` at the end. Blank lines are not records.
    mutating func nextRecord(into fields: inout [CSVField]) throws(CSVSyntaxError) -> Bool {
        fields.removeAll(keepingCapacity: true)
        while offset < end && (bytes[offset] == 10 || bytes[offset] == 13) {
            endLine()
        }
        guard offset < end else { return false }
        while true {
            let field = try scanField()
            fields.append(field)
            if offset >= end { return true }
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
        if bytes[offset] == 13 && offset + 1 < end && bytes[offset + 1] == 10 {
            offset += 1
        }
        offset += 1
        line += 1
        lineStart = offset
    }

    private mutating func scanField() throws(CSVSyntaxError) -> CSVField {
        let startLine = line
        let startLineStart = lineStart
        guard offset < end, bytes[offset] == UInt8(ascii: "\"") else {
            let start = offset
            while offset < end {
                let b = bytes[offset]
                // One comparison rules out every byte that can end a field or be wrong in it.
                if b <= UInt8(ascii: ",") {
                    if b == UInt8(ascii: ",") || b == 10 || b == 13 { break }
                    if b == UInt8(ascii: "\"") {
                        throw error(
                            "a quote inside an unquoted field",
                            hint: "quote the whole field and double the quote: \"say \"\"hi\"\"\"")
                    }
                }
                offset += 1
            }
            return CSVField(start: start, end: offset, quoted: false, line: startLine, lineStart: startLineStart)
        }
        let open = offset
        offset += 1
        let start = offset
        while offset < end {
            let b = bytes[offset]
            if b == UInt8(ascii: "\"") {
                if offset + 1 < end && bytes[offset + 1] == UInt8(ascii: "\"") {
                    offset += 2
                    continue
                }
                let fieldEnd = offset
                offset += 1
                return CSVField(start: start, end: fieldEnd, quoted: true, line: startLine, lineStart: startLineStart)
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
}
