// SQLName: names and text in SQL as PostgreSQL (and the standard) quotes them, for the model's tables
// read from a database and for queries compiled to SQL alike.

/// A column's name, or a table's with its schema (`erp.ar_invoices`), quoted.
public enum SQLName {
    public static func quote(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// Text as a literal: in single quotes, each one in it doubled.
    public static func literal(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
    }

    public static func table(_ table: String) -> String {
        table.split(separator: ".", omittingEmptySubsequences: false).map { quote(String($0)) }.joined(separator: ".")
    }
}
