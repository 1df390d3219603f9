// CSVTable: a CSV file with a header, its columns found by name, its errors located.

import DunCore

/// A column a table needs, by its header name.
struct ColumnSpec {
    var name: String
    var required: Bool
}

/// A CSV file read whole: its header mapped onto the wanted columns (in any order,
/// unknown ones ignored), then one record at a time.
struct CSVTable {
    let file: String
    private var scanner: CSVScanner
    private var fields: [CSVField] = []
    private let headerCount: Int
    /// For each wanted column, its index in a record, or `nil` when the header lacks it.
    private let positions: [Int?]

    /// Checks the encoding and reads the header; every problem is a diagnostic.
    init(file: String, bytes: [UInt8], columns: [ColumnSpec]) throws(Diagnostic) {
        self.file = file
        if let bad = firstInvalidUTF8(bytes) {
            var lineStart = 0
            var line = 1
            for i in 0..<bad where bytes[i] == 10 {
                line += 1
                lineStart = i + 1
            }
            let gb = looksLikeGB18030(bytes)
            throw Diagnostic(
                .error,
                gb
                    ? "file is not UTF-8; it looks like GB18030 (GBK)"
                    : "file is not UTF-8 (invalid byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))",
                file: file,
                position: Position(bytes: bytes, lineStart: lineStart, line: line, range: bad..<(bad + 1)),
                hint: gb
                    ? "convert it first: iconv -f GB18030 -t UTF-8 \(quoted(file)) > \(quoted(file + ".utf8")) && mv \(quoted(file + ".utf8")) \(quoted(file))"
                    : "save the file as UTF-8")
        }
        scanner = CSVScanner(bytes: bytes)
        var header: [CSVField] = []
        let found: Bool
        do {
            found = try scanner.nextRecord(into: &header)
        } catch {
            throw CSVTable.diagnostic(file: file, bytes: bytes, error)
        }
        guard found else {
            throw Diagnostic(.error, "file is empty; expected a header row", file: file)
        }
        let headerScanner = scanner
        let names = header.map { CSVTable.normalize(headerScanner.text($0)) }
        var seen: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            if let first = seen[name], !name.isEmpty {
                throw CSVTable.locate(
                    file: file, bytes: bytes, field: header[i],
                    message: "column '\(name)' appears twice in the header (also column \(first + 1))", hint: nil)
            }
            seen[name] = i
        }
        positions = columns.map { seen[$0.name] }
        headerCount = header.count
        let missing = columns.indices.filter { columns[$0].required && positions[$0] == nil }.map { columns[$0].name }
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
                file: file,
                position: Position(
                    bytes: bytes, lineStart: header.first?.lineStart ?? 0, line: header.first?.line ?? 1, range: 0..<0),
                hint: hints.isEmpty
                    ? "the header has: \(present.joined(separator: ", "))"
                    : "did you mean " + hints.joined(separator: ", ") + "?")
        }
        fields.reserveCapacity(headerCount)
    }

    /// Moves to the next record; `false` at the end. A record must have as many fields as the header.
    mutating func next() throws(Diagnostic) -> Bool {
        do {
            guard try scanner.nextRecord(into: &fields) else { return false }
        } catch {
            throw CSVTable.diagnostic(file: file, bytes: scanner.bytes, error)
        }
        if fields.count != headerCount {
            let at = fields.count > headerCount ? fields[headerCount] : fields[fields.count - 1]
            throw CSVTable.locate(
                file: file, bytes: scanner.bytes, field: at,
                message: "expected \(headerCount) fields as in the header, found \(fields.count)",
                hint: fields.count > headerCount ? "a field with a comma in it must be quoted" : nil)
        }
        return true
    }

    /// The text of a wanted column in the current record: `nil` when the header lacks
    /// the column or the field is empty. Unquoted fields are trimmed of spaces.
    func text(_ column: Int) -> String? {
        guard let p = positions[column] else { return nil }
        let field = fields[p]
        var text = scanner.text(field)
        if !field.quoted {
            text = text.trimmingSpaces()
        }
        return text.isEmpty ? nil : text
    }

    /// An error about a wanted column of the current record, pointing at its field.
    func error(_ column: Int, _ message: String, hint: String? = nil) -> Diagnostic {
        let field = positions[column].map { fields[$0] } ?? fields[0]
        return CSVTable.locate(file: file, bytes: scanner.bytes, field: field, message: message, hint: hint)
    }

    private static func locate(file: String, bytes: [UInt8], field: CSVField, message: String, hint: String?) -> Diagnostic {
        let start = field.quoted ? field.start - 1 : field.start
        let end = field.quoted ? field.end + 1 : field.end
        return Diagnostic(
            .error, message, file: file,
            position: Position(bytes: bytes, lineStart: field.lineStart, line: field.line, range: start..<end),
            hint: hint)
    }

    private static func diagnostic(file: String, bytes: [UInt8], _ e: CSVSyntaxError) -> Diagnostic {
        Diagnostic(
            .error, e.message, file: file,
            position: Position(bytes: bytes, lineStart: e.lineStart, line: e.line, range: e.offset..<(e.offset + 1)),
            hint: e.hint)
    }

    private static func normalize(_ name: String) -> String {
        name.trimmingSpaces().lowercased()
    }
}

/// A path as a shell word: quoted when it holds anything but plain characters.
private func quoted(_ path: String) -> String {
    let plain = path.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+".contains($0)) }
    return plain ? path : "'" + path.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}
