// CSVRows: a small optional file of the workspace (contacts.csv, promises.csv, disputes.csv)
// read whole, by column name, with the same checks and diagnostics as the main files.

import DunCore

/// The rows of a small CSV file, each field's text by wanted column, and where each is, so
/// that a value found wrong later is reported at its file, line and column.
public final class CSVRows: @unchecked Sendable {
    /// The file's bytes, which the fields' places point into.
    private let bytes: FileBytes
    private let name: String
    private let fields: [[CSVField]]
    /// `values[row][column]`: the field's text, nil when empty or the column is absent.
    public let values: [[String?]]

    /// Reads the file of `entity` in `directory`, its values in the order of the entity's
    /// fields: nil when the file does not exist; a diagnostic for any problem, as the loader
    /// gives.
    public static func read(_ entity: EntityDeclaration, in directory: String) throws(Diagnostics) -> CSVRows? {
        let path = directory + "/" + entity.file
        guard let bytes = FileBytes(path: path) else { return nil }
        do {
            // Named by its path, as the loader names the main files.
            return try CSVRows(bytes, name: path, columns: entity.fields)
        } catch {
            throw Diagnostics([error])
        }
    }

    private init(_ bytes: FileBytes, name: String, columns: [StoredField]) throws(Diagnostic) {
        self.bytes = bytes
        self.name = name
        let file = try CSVFile(name: name, bytes: bytes.buffer, columns: columns)
        if let bad = CSVFile.encodingError(name, bytes.buffer) { throw bad }
        var table = CSVTable(file, part: (file.records, file.firstLine))
        var values: [[String?]] = []
        var fields: [[CSVField]] = []
        while try table.next() {
            values.append(columns.indices.map { table.text($0) })
            fields.append(columns.indices.map { table.field($0) })
        }
        self.values = values
        self.fields = fields
    }

    public var count: Int { values.count }

    /// The line row `row` starts on.
    public func line(of row: Int) -> Int {
        fields[row].first?.line ?? 0
    }

    /// An error about column `column` of row `row`, pointing at its field.
    public func error(row: Int, column: Int, _ message: String, hint: String? = nil) -> Diagnostic {
        CSVFile.locate(file: name, bytes: bytes.buffer, field: fields[row][column], message: message, hint: hint)
    }
}
