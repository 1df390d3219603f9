// CSVTable: a CSV file with a header, its columns found by name, read in parts at once,
// its errors located.

import DunCore
import Foundation

extension FieldKind {
    /// What is wrong with `value` as a constant of this kind, if anything.
    func problem(with value: String, dates: DateFormat) -> String? {
        var v = value
        return v.withUTF8 { b -> String? in
            switch self {
            case .identifier, .reference:
                return "a constant id would give every row the same one; name the column instead"
            case .text, .amount:
                return nil
            case .date:
                return dates.day(b) == nil ? "\(excerpt(value)) is not a date written as \(dates.example)" : nil
            case .currency:
                return Currency(code: value.uppercased()) == nil
                    ? "unknown currency \(excerpt(value)): an ISO 4217 code such as CNY, USD, EUR" : nil
            case .grade:
                return b.count == 1 && Grade(letter: b[0]) != nil
                    ? nil : "unknown grade \(excerpt(value)): grades are A (best) to E (worst)"
            case .days:
                return UInt32(value).map { $0 < 100_000_000 } == true ? nil : "\(excerpt(value)) is not a whole number of days"
            case .number:
                return Decimal64(parsing: Substring(value)) == nil ? "\(excerpt(value)) is not a number" : nil
            case .flag:
                return Flag.value(b) == nil ? "expected true or false, found \(excerpt(value))" : nil
            }
        }
    }
}

/// A whole CSV file in memory: its checked header mapped onto the wanted columns (in any
/// order, unknown ones ignored), and the records after it split into parts that can be
/// read at the same time. Shared by those readers: it never changes, and its bytes are
/// kept alive by their owner until every reader is done.
struct CSVFile: @unchecked Sendable {
    let name: String
    let bytes: UnsafeBufferPointer<UInt8>
    let headerCount: Int
    /// For each wanted column, its index in a record, or `nil` when the header lacks it.
    let positions: [Int?]
    /// The records after the header, and the line they start on.
    let records: Range<Int>
    let firstLine: Int
    /// For each wanted column, the value dun.toml gives every row, if it gives one.
    let constants: Constants
    /// How the file writes dates and amounts.
    let dates: DateFormat
    let amounts: AmountFormat
    /// The section of dun.toml that says how it is read (`invoices`).
    let tableName: String
    /// What separates its fields: a comma, or what dun.toml says, or else what its header uses.
    let delimiter: UInt8
    /// The sheet of an Excel workbook the file is (as CSV, row N on line N): errors name cells.
    let sheet: String?
    /// The header's fields, as written.
    let headers: [String]

    /// Checks the encoding and reads the header; every problem is a diagnostic.
    init(
        name: String, bytes: UnsafeBufferPointer<UInt8>, columns: [StoredField], mapping: TableMapping? = nil,
        sheet: String? = nil
    ) throws(Diagnostic) {
        self.name = name
        self.bytes = bytes
        self.sheet = sheet
        let start = CSVScanner.start(of: bytes)
        delimiter = mapping?.delimiter ?? CSVFile.sniffDelimiter(bytes, from: start)
        var scanner = CSVScanner(bytes: bytes, range: start..<bytes.count, line: 1, delimiter: delimiter)
        var fields = CSVFields()
        let found: Bool
        do {
            found = try scanner.nextRecord(into: &fields)
        } catch {
            throw CSVFile.encodingError(name, bytes, section: mapping?.table.rawValue)
                ?? CSVFile.diagnostic(file: name, bytes: bytes, error)
        }
        if let bad = CSVFile.encodingError(name, bytes, in: 0..<scanner.offset, section: mapping?.table.rawValue) { throw bad }
        guard found else {
            throw Diagnostic(.error, "file is empty; expected a header row", file: name)
        }
        let header = fields.array
        headers = header.map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) }
        let names = headers.map(CSVFile.normalize)
        var seen: [String: Int] = [:]
        for (i, column) in names.enumerated() {
            if let first = seen[column], !column.isEmpty {
                throw CSVFile.locate(
                    file: name, bytes: bytes, field: header[i],
                    message: "column \(excerpt(column)) appears twice in the header (also column \(first + 1))", hint: nil)
            }
            seen[column] = i
        }
        let (positions, problems) = CSVFile.match(columns, names, mapping: mapping, file: name)
        if let first = problems.first { throw first }
        self.positions = positions
        constants = Constants(columns.map { mapping?.constants[$0.name] })
        dates = mapping?.dates ?? .yearFirst
        amounts = mapping?.amounts ?? AmountFormat()
        tableName = mapping?.table.rawValue ?? "TABLE"
        headerCount = header.count
        records = scanner.offset..<bytes.count
        firstLine = scanner.line
        let missing = columns.indices.filter { columns[$0].required && positions[$0] == nil && constants[$0] == nil }.map {
            columns[$0].name
        }
        if !missing.isEmpty {
            let present = names.filter { !$0.isEmpty }
            var hints: [String] = []
            for m in missing {
                if let near = nearestName(to: m, in: present) {
                    hints.append("'\(m)' instead of '\(near)'")
                }
            }
            throw Diagnostic(
                .error,
                "missing required column\(missing.count > 1 ? "s" : "") \(missing.map { "'\($0)'" }.joined(separator: ", "))",
                file: name,
                position: Position(
                    bytes: bytes, lineStart: header.first?.lineStart ?? 0, line: header.first?.line ?? 1, range: 0..<0),
                hint: hints.isEmpty
                    ? "the header has: \(present.prefix(40).map { $0.utf8.count > 40 ? excerpt($0) : $0 }.joined(separator: ", "))"
                        + (present.count > 40 ? ", …" : "")
                        + "; dun.toml can say which is which: [\(tableName).columns] \(missing[0]) = \"…\""
                    : "did you mean " + hints.joined(separator: ", ") + "?")
        }
    }

    /// For each wanted column, the field of the header that holds it: the header dun.toml
    /// names, else the one of the field's own name, else the one of its aliases — an error
    /// when two headers could be it, or dun.toml names one the file does not have.
    static func match(_ columns: [StoredField], _ names: [String], mapping: TableMapping?, file: String) -> ([Int?], [Diagnostic])
    {
        var problems: [Diagnostic] = []
        var positions = [Int?](repeating: nil, count: columns.count)
        var taken = Set<Int>()
        let keys = names.map(StoredField.key)
        // What dun.toml says first, then exact names: an alias never takes a header they name.
        for (c, spec) in columns.enumerated() {
            if let given = mapping?.headers[spec.name] {
                let wanted = normalize(given.value)
                if let i = names.firstIndex(of: wanted) ?? keys.firstIndex(of: StoredField.key(given.value)) {
                    positions[c] = i
                    taken.insert(i)
                } else {
                    let near = nearestName(to: wanted, in: names.filter { !$0.isEmpty })
                    problems.append(
                        given.error(
                            "\(file.split(separator: "/").last.map(String.init) ?? file) has no column \(excerpt(given.value))",
                            hint: near.map { "did you mean \"\($0)\"?" }
                                ?? "its header has: " + names.prefix(40).filter { !$0.isEmpty }.joined(separator: ", ")))
                }
            } else if mapping?.constants[spec.name] == nil, let i = names.firstIndex(of: spec.name) {
                positions[c] = i
                taken.insert(i)
            }
        }
        // Then the aliases, for the fields dun.toml neither names a header for nor gives a value.
        for (c, spec) in columns.enumerated()
        where positions[c] == nil && mapping?.headers[spec.name] == nil && mapping?.constants[spec.name] == nil {
            let wanted = Set(([spec.name] + spec.aliases).map(StoredField.key))
            let found = keys.indices.filter { !taken.contains($0) && wanted.contains(keys[$0]) }
            if found.count > 1 {
                let which = found.map { "'\(names[$0])'" }.joined(separator: " and ")
                problems.append(
                    Diagnostic(
                        .error, "columns \(which) could each be \(spec.name)", file: file,
                        hint:
                            "say which in dun.toml: [\(mapping?.table.rawValue ?? "TABLE").columns] \(spec.name) = \"\(names[found[0]])\""
                    ))
            } else if let i = found.first {
                positions[c] = i
                taken.insert(i)
            }
        }
        return (positions, problems)
    }

    /// The records split into about `count` parts of similar size, each starting at a record,
    /// with the line it starts on and how many lines it spans (at least as many as its
    /// records), and the first byte of the records that is not UTF-8, if any (then the file
    /// is not read). A line break inside a quoted field is not a record's end.
    ///
    /// Every byte is counted and checked once, a share per part at the same time; then each
    /// split point walks on to the next line break outside quotes.
    func parts(_ count: Int) -> (parts: [(range: Range<Int>, line: Int, lines: Int)], firstInvalid: Int?) {
        let n = max(count, 1)
        let size = records.count / n
        // Where each share ends; the characters checked with it end where the next one starts.
        let ends = (0..<n).map { k in k == n - 1 ? records.upperBound : records.lowerBound + size * (k + 1) }
        let counts = concurrently(n) { k in
            let lo = k == 0 ? records.lowerBound : ends[k - 1]
            let checked = (k == 0 ? lo : characterStart(bytes, at: lo))..<characterStart(bytes, at: ends[k])
            return countAndCheck(bytes, lo..<ends[k], checking: checked)
        }
        if let bad = counts.lazy.compactMap(\.firstInvalid).first { return ([], bad) }
        // Line feeds, carriage returns and quotes before each share, and in all.
        var before = [(lineFeeds: 0, carriageReturns: 0, quotes: 0)]
        for c in counts {
            let last = before[before.count - 1]
            before.append((last.lineFeeds + c.lineFeeds, last.carriageReturns + c.carriageReturns, last.quotes + c.quotes))
        }
        // Lines from `start`, where the counts so far are `counted`, to `end`, `start` being
        // outside quotes; and whether `end` is inside quotes.
        func lines(
            from start: Int, _ counted: (lineFeeds: Int, carriageReturns: Int, quotes: Int), to end: Int,
            _ total: (
                lineFeeds: Int, carriageReturns: Int, quotes: Int
            )
        ) -> (Int, Bool) {
            // A CR outside quotes ends a line too unless an LF follows it (CRLF is one break).
            let crs = total.carriageReturns - counted.carriageReturns
            let lone = crs == 0 ? 0 : loneCarriageReturns(in: start..<end, quoted: false)
            return (total.lineFeeds - counted.lineFeeds + lone, (total.quotes - counted.quotes) % 2 == 1)
        }
        var parts: [(range: Range<Int>, line: Int, lines: Int)] = []
        var start = records.lowerBound
        var line = firstLine
        var counted = (lineFeeds: 0, carriageReturns: 0, quotes: 0)
        for k in 1..<n {
            let target = records.lowerBound + size * k
            // Each part but the last ends about `size` bytes on, if that leaves the last half a part.
            guard size > 0, target > start, target + size / 2 < records.upperBound else { continue }
            var (partLines, quoted) = lines(from: start, counted, to: target, before[k])
            var walked = before[k]
            var i = target
            while i < records.upperBound {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") {
                    quoted.toggle()
                    walked.quotes += 1
                } else if b == 10 {
                    partLines += 1
                    walked.lineFeeds += 1
                    if !quoted { break }
                } else if b == 13 {
                    walked.carriageReturns += 1
                    if !quoted && (i + 1 == records.upperBound || bytes[i + 1] != 10) {
                        partLines += 1
                        break
                    }
                }
                i += 1
            }
            guard i < records.upperBound else { break }
            parts.append((start..<(i + 1), line, partLines))
            start = i + 1
            line += partLines
            counted = walked
        }
        let (last, _) = lines(from: start, counted, to: records.upperBound, before[n])
        parts.append((start..<records.upperBound, line, last + 1))
        return (parts, nil)
    }

    /// How many CR bytes in `range` outside quotes have no LF after them, as the scanner
    /// counts lines; `quoted` tells whether the range starts inside quotes.
    private func loneCarriageReturns(in range: Range<Int>, quoted: Bool) -> Int {
        var quoted = quoted
        var count = 0
        for i in range {
            if bytes[i] == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if bytes[i] == 13 && !quoted && (i + 1 == bytes.count || bytes[i + 1] != 10) {
                count += 1
            }
        }
        return count
    }

    /// The first byte of `range` (the whole file by default) that cannot be read, as a diagnostic.
    static func encodingError(
        _ name: String, _ bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>? = nil, section: String? = nil
    ) -> Diagnostic? {
        firstUnreadable(bytes, in: range ?? 0..<bytes.count).map { encodingError(name, bytes, at: $0, section: section) }
    }

    /// The diagnostic of a file whose byte `bad` is the first that cannot be read.
    /// `section`: the section of dun.toml that could say how the file is read, if one can.
    static func encodingError(_ name: String, _ bytes: UnsafeBufferPointer<UInt8>, at bad: Int, section: String? = nil)
        -> Diagnostic
    {
        var lineStart = 0
        var line = 1
        for i in 0..<bad where bytes[i] == 10 {
            line += 1
            lineStart = i + 1
        }
        switch Unreadable(bytes, at: bad) {
        case .nul:
            return Diagnostic(
                .error, "a NUL byte (0x00) in the file", file: name,
                position: Position(bytes: bytes, lineStart: lineStart, line: line, range: bad..<(bad + 1)),
                hint: "no export means one; the file may be damaged, or in UTF-16: save it as UTF-8")
        case .byteOrderMark:
            return Diagnostic(
                .error, "a byte order mark (U+FEFF) inside the file", file: name,
                position: Position(bytes: bytes, lineStart: lineStart, line: line, range: bad..<(bad + 3)),
                hint: "it is left where files saved with one were joined; remove it, or it becomes part of the value")
        case .notUTF8:
            break
        }
        let gb = looksLikeGB18030(bytes)
        return Diagnostic(
            .error,
            gb
                ? "file is not UTF-8; it looks like GB18030 (GBK)"
                : "file is not UTF-8 (invalid byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))",
            file: name,
            position: Position(bytes: bytes, lineStart: lineStart, line: line, range: bad..<(bad + 1)),
            hint: gb
                ? section.map { "say so in dun.toml: [\($0)] encoding = \"gb18030\"" }
                    ?? "convert it first: iconv -f GB18030 -t UTF-8 \(quoted(name)) > \(quoted(name + ".utf8")) && mv \(quoted(name + ".utf8")) \(quoted(name))"
                : "save the file as UTF-8")
    }

    static func locate(
        file: String, bytes: UnsafeBufferPointer<UInt8>, field: CSVField, message: String, hint: String?
    ) -> Diagnostic {
        let start = field.quoted ? field.start - 1 : field.start
        let end = field.quoted ? field.end + 1 : field.end
        return Diagnostic(
            .error, message, file: file,
            position: Position(bytes: bytes, lineStart: field.lineStart, line: field.line, range: start..<end),
            hint: hint)
    }

    static func diagnostic(file: String, bytes: UnsafeBufferPointer<UInt8>, _ e: CSVSyntaxError) -> Diagnostic {
        Diagnostic(
            .error, e.message, file: file,
            position: Position(bytes: bytes, lineStart: e.lineStart, line: e.line, range: e.offset..<(e.offset + 1)),
            hint: e.hint)
    }

    /// The delimiter of a file whose header has no comma outside quotes but semicolons, tabs
    /// or bars (as European Excel and some ERPs write): the one it has most of.
    static func sniffDelimiter(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt8 {
        var counts: [UInt8: Int] = [:]
        var quoted = false
        var i = start
        while i < bytes.count, quoted || (bytes[i] != 10 && bytes[i] != 13) {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if !quoted && (b == UInt8(ascii: ",") || b == UInt8(ascii: ";") || b == 9 || b == UInt8(ascii: "|")) {
                counts[b, default: 0] += 1
            }
            i += 1
        }
        guard counts[UInt8(ascii: ",")] == nil, let most = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else {
            return UInt8(ascii: ",")
        }
        return most.key
    }

    static func normalize(_ name: String) -> String {
        name.trimmingSpaces().lowercased()
    }
}

/// One part of a CSV file, read a record at a time, and the record after it already split
/// into fields: what it refers to can be looked for in memory before it is needed.
struct CSVTable: ~Copyable {
    let file: CSVFile
    private var scanner: CSVScanner
    /// Where unescaped quoted fields are written; valid until the next record.
    private var scratch: UnsafeMutableBufferPointer<UInt8>
    private var scratchUsed = 0
    /// Full buffers of the current record, freed when the next one is read.
    private var retired: [UnsafeMutableBufferPointer<UInt8>] = []
    /// Where the current record starts: its first byte and line.
    private(set) var recordStart = (offset: 0, line: 0)
    /// The current record's fields.
    private var fields = CSVFields()
    /// The next record's fields, if there is one: not at the end of the part, nor when it is
    /// malformed (its error is thrown when its turn comes).
    private var ahead = CSVFields()
    private var hasAhead = false
    private var aheadError: CSVSyntaxError?

    init(_ file: CSVFile, part: (range: Range<Int>, line: Int)) {
        self.file = file
        scanner = CSVScanner(bytes: file.bytes, range: part.range, line: part.line, delimiter: file.delimiter)
        scratch = .allocate(capacity: 256)
        scanAhead()
    }

    deinit {
        scratch.deallocate()
        retired.forEach { $0.deallocate() }
    }

    private mutating func scanAhead() {
        ahead.removeAll()
        do {
            hasAhead = try scanner.nextRecord(into: &ahead)
        } catch {
            hasAhead = false
            aheadError = error
        }
    }

    /// Moves to the next record; `false` at the end. A record must have as many fields as the header.
    mutating func next() throws(Diagnostic) -> Bool {
        scratchUsed = 0
        retired.forEach { $0.deallocate() }
        retired.removeAll()
        if let aheadError { throw CSVFile.diagnostic(file: file.name, bytes: file.bytes, aheadError) }
        guard hasAhead else { return false }
        swap(&fields, &ahead)
        scanAhead()
        let first = fields[0]
        recordStart = (first.start - (first.quoted ? 1 : 0), first.line)
        if fields.count != file.headerCount {
            let at = fields.count > file.headerCount ? fields[file.headerCount] : fields[fields.count - 1]
            throw CSVFile.locate(
                file: file.name, bytes: file.bytes, field: at,
                message: "expected \(file.headerCount) fields as in the header, found \(fields.count)",
                hint: fields.count > file.headerCount ? "a field with a comma in it must be quoted" : nil)
        }
        return true
    }

    /// The bytes of a wanted column in the current record: empty when the header lacks the
    /// column or the field is empty. Quotes are removed and `""` read as `"`; unquoted fields
    /// are trimmed of spaces and tabs. Valid until the next record.
    @inline(__always)
    mutating func bytes(_ column: Int) -> UnsafeBufferPointer<UInt8> {
        guard let p = file.positions[column] else { return file.constants.bytes(column) }
        let field = fields[p]
        return field.quoted ? unquoted(field) : trimmed(field)
    }

    /// A wanted column's bytes in the record after this one, as `bytes` will give them then,
    /// when the field is there and not quoted; `nil` otherwise. A hint of what is coming,
    /// unchecked.
    @inline(__always)
    mutating func peekNext(_ column: Int) -> UnsafeBufferPointer<UInt8>? {
        guard hasAhead, let p = file.positions[column], p < ahead.count else { return nil }
        let field = ahead[p]
        return field.quoted ? nil : trimmed(field)
    }

    /// An unquoted field's bytes without the spaces and tabs around them.
    @inline(__always)
    private func trimmed(_ field: CSVField) -> UnsafeBufferPointer<UInt8> {
        var lo = field.start
        var hi = field.end
        let all = file.bytes
        // Most fields start and end with neither: one test at each end, not two.
        if lo < hi && (all[lo] <= 32 || all[hi - 1] <= 32) {
            while lo < hi && (all[lo] == 32 || all[lo] == 9) { lo += 1 }
            while hi > lo && (all[hi - 1] == 32 || all[hi - 1] == 9) { hi -= 1 }
        }
        return UnsafeBufferPointer(rebasing: all[lo..<hi])
    }

    /// A quoted field's bytes without its quotes, `""` read as `"`.
    private mutating func unquoted(_ field: CSVField) -> UnsafeBufferPointer<UInt8> {
        let (lo, hi) = (field.start, field.end)
        let all = file.bytes
        guard all[lo..<hi].contains(UInt8(ascii: "\"")) else { return UnsafeBufferPointer(rebasing: all[lo..<hi]) }
        if scratch.count - scratchUsed < hi - lo {
            // Fields already handed out stay valid until the next record.
            retired.append(scratch)
            scratch = .allocate(capacity: max(256, 2 * (hi - lo)))
            scratchUsed = 0
        }
        let start = scratchUsed
        var i = lo
        while i < hi {
            scratch[scratchUsed] = all[i]
            scratchUsed += 1
            i += all[i] == UInt8(ascii: "\"") ? 2 : 1
        }
        return UnsafeBufferPointer(rebasing: scratch[start..<scratchUsed])
    }

    /// The text of a wanted column: `nil` when empty or absent.
    mutating func text(_ column: Int) -> String? {
        let b = bytes(column)
        return b.isEmpty ? nil : String(decoding: b, as: UTF8.self)
    }

    /// Where a wanted column's field of the current record is (the first field when absent).
    func field(_ column: Int) -> CSVField {
        fields[file.positions[column] ?? 0]
    }

    /// How an error about a constant of dun.toml names the row it was found on.
    static let constantFor = " (the constant in dun.toml, for "

    /// An error about a wanted column of the current record, pointing at its field.
    func error(_ column: Int, _ message: String, hint: String? = nil) -> Diagnostic {
        if file.positions[column] == nil, let constant = file.constants[column] {
            return constant.error("\(message)\(CSVTable.constantFor)\(file.name):\(recordStart.line))", hint: hint)
        }
        let field = fields[file.positions[column] ?? 0]
        if let sheet = file.sheet {
            // 应收明细.xlsx:Sheet1!D12: the workbook, the sheet and the cell.
            let cell = XLSXSheet.columnName(file.positions[column] ?? 0) + String(field.line)
            return Diagnostic(.error, message, file: "\(file.name):\(sheet)!\(cell)", hint: hint)
        }
        return CSVFile.locate(file: file.name, bytes: file.bytes, field: field, message: message, hint: hint)
    }
}

/// A path as a shell word: quoted when it holds anything but plain characters.
private func quoted(_ path: String) -> String {
    let plain = path.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+".contains($0)) }
    return plain ? path : "'" + path.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}

/// The values dun.toml gives a file's columns for every row, as bytes that live as long as the
/// file is read.
final class Constants: @unchecked Sendable {
    private let settings: [Placed<String>?]
    /// Each constant's bytes, in memory of its own, and how many they are.
    private let buffers: [(memory: UnsafeMutableBufferPointer<UInt8>, count: Int)?]

    init(_ settings: [Placed<String>?]) {
        self.settings = settings
        buffers = settings.map { s in
            s.map { s in
                let memory = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, s.value.utf8.count))
                let (_, count) = memory.initialize(from: s.value.utf8)
                return (memory, count)
            }
        }
    }

    deinit {
        for b in buffers { b?.memory.deallocate() }
    }

    subscript(column: Int) -> Placed<String>? { settings[column] }

    /// The constant's bytes; empty when there is none.
    func bytes(_ column: Int) -> UnsafeBufferPointer<UInt8> {
        guard let (memory, count) = buffers[column] else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(rebasing: memory[0..<count])
    }
}
