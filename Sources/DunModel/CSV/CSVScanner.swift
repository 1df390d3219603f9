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

/// The fields of a record, in storage kept from record to record: a million records should
/// not cost a million checks that an array is not shared.
struct CSVFields: ~Copyable {
    private var base: UnsafeMutablePointer<CSVField>
    private var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 16
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deallocate()
    }

    subscript(i: Int) -> CSVField {
        precondition(i >= 0 && i < count, "field index out of range")
        return base[i]
    }

    var array: [CSVField] { Array(UnsafeBufferPointer(start: base, count: count)) }

    mutating func removeAll() {
        count = 0
    }

    mutating func append(_ field: CSVField) {
        if count == capacity {
            let larger = UnsafeMutablePointer<CSVField>.allocate(capacity: capacity * 2)
            larger.initialize(from: base, count: count)
            base.deallocate()
            base = larger
            capacity *= 2
        }
        (base + count).initialize(to: field)
        count += 1
    }
}

/// Reads records one at a time from a part of a file: fields separated by commas (or the
/// file's delimiter: `;`, a tab, `|`), records by LF or CRLF, quoted fields may hold
/// delimiters, doubled quotes and line breaks.
///
/// The bytes belong to the caller, who keeps them alive while the scanner is in use.
struct CSVScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    /// Where this part of the file ends.
    let end: Int
    private(set) var offset: Int
    private(set) var line: Int
    private(set) var lineStart: Int
    let delimiter: UInt8
    /// The bytes below 64 that end an unquoted field (`"` by mistake), as bits of a number.
    private let fieldEnds: UInt64
    /// Words of eight bytes each below this are skipped whole (see `skipPlainWords`): 0x2D,
    /// above the comma; above the delimiter when it is larger.
    private let plainFrom: UInt64

    /// A scanner over `bytes[range]`, whose first byte starts line `line`.
    init(bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, line: Int, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.bytes = bytes
        end = range.upperBound
        offset = range.lowerBound
        lineStart = range.lowerBound
        self.line = line
        self.delimiter = delimiter
        fieldEnds = 1 << 10 | 1 << 13 | 1 << 34 | (delimiter < 64 ? 1 << UInt64(delimiter) : 0)
        plainFrom = 0x0101_0101_0101_0101 &* UInt64(min(0x80, max(0x2D, Int(delimiter) + 1)))
    }

    /// The byte after a UTF-8 byte-order mark, if the file starts with one.
    static func start(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// Appends the next record's fields; `false` at the end. Blank lines are not records.
    mutating func nextRecord(into fields: inout CSVFields) throws(CSVSyntaxError) -> Bool {
        while offset < end && (bytes[offset] == 10 || bytes[offset] == 13) {
            endLine()
        }
        guard offset < end else { return false }
        while true {
            if offset < end && bytes[offset] == UInt8(ascii: "\"") {
                fields.append(try scanQuoted())
            } else {
                // Unquoted, the common case, read here rather than in a call of its own.
                let start = offset
                while offset < end {
                    skipPlainWords(&offset)
                    guard offset < end else { break }
                    let b = bytes[offset]
                    // A comma, a line break or a quote, told by one bit: compared one by one,
                    // the bytes below `-` became a jump table, and every record's end a
                    // mispredicted jump.
                    if (b < 64 && (1 << b) & fieldEnds != 0) || b == delimiter {
                        if b != UInt8(ascii: "\"") { break }
                        throw error(
                            "a quote inside an unquoted field",
                            hint: "quote the whole field and double the quote: \"say \"\"hi\"\"\"")
                    }
                    offset += 1
                }
                fields.append(CSVField(start: start, end: offset, quoted: false, line: line, lineStart: lineStart))
            }
            if offset >= end { return true }
            switch bytes[offset] {
            case delimiter:
                offset += 1
            case 13, 10:
                endLine()
                return true
            default:
                throw error(
                    "unexpected character after a quoted field",
                    hint:
                        "a quoted field must end at a \(delimiter == UInt8(ascii: ",") ? "comma" : "delimiter") or the end of the line"
                )
            }
        }
    }

    /// Moves `i` on eight bytes at a time while none can end a field (only the delimiter, `"`,
    /// CR and LF can), to the first byte below `-` (0x2D, or just above the delimiter) of a
    /// word, which is then looked at. In the last seven bytes of the part it stays: they are
    /// read one by one.
    @inline(__always)
    private func skipPlainWords(_ i: inout Int) {
        let raw = UnsafeRawBufferPointer(bytes)
        while i + 8 <= end {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let low = (word &- plainFrom) & ~word & 0x8080_8080_8080_8080
            if low != 0 {
                // The lowest marked byte is the first below 0x2D (a borrow only runs upward).
                i += low.trailingZeroBitCount / 8
                return
            }
            i += 8
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

    /// A quoted field, from its opening quote to just after its closing one.
    private mutating func scanQuoted() throws(CSVSyntaxError) -> CSVField {
        let startLine = line
        let startLineStart = lineStart
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
