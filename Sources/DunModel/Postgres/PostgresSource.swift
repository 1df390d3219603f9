// PostgresSource: a workspace's tables read from a PostgreSQL database (`[source] url` in
// dun.toml), each as CSV with its header, as `COPY … TO STDOUT` writes it. The loader then
// reads them as it reads files: the same mapping, the same checks, the same errors, each
// naming the table (`postgresql:ar_invoices:12:30`).
//
// COPY is PostgreSQL's fastest way out: one round trip per table, rows streamed as text.
// numeric is written exactly (1234.50), date as 2026-11-28 (DateStyle ISO), boolean as t/f.

import CPostgreSQL
import DunCore

/// A database a workspace reads its tables from.
public struct PostgresSource: Sendable, Equatable {
    /// A libpq connection URI, without a password: libpq takes it from PGPASSWORD or
    /// ~/.pgpass.
    public var url: String

    /// The name a table's rows are told by in errors.
    static func display(_ table: String) -> String { "postgresql:" + table }

    /// Each table's rows, as CSV with a header row; or every table's error at once. Each
    /// table on a connection of its own, all at once: the server writes them on as many cores.
    func fetch(_ tables: [String]) throws(Diagnostics) -> [FileBytes] {
        // One connection first: a server that cannot be reached is told once, not per table.
        let first = try PostgresConnection(url: url)
        let url = self.url
        nonisolated(unsafe) let reused = first
        let results = concurrently(tables.count) { k -> Result<FileBytes, Diagnostics> in
            do throws(Diagnostics) {
                let connection = k == 0 ? reused : try PostgresConnection(url: url)
                do throws(Diagnostic) {
                    return .success(FileBytes(bytes: try connection.copy(tables[k])))
                } catch {
                    return .failure(Diagnostics([error]))
                }
            } catch {
                return .failure(error)
            }
        }
        var files: [FileBytes] = []
        var problems: [Diagnostic] = []
        for result in results {
            switch result {
            case .success(let file): files.append(file)
            case .failure(let error): problems += error.all
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return files
    }
}

/// One connection to a database, closed when let go.
final class PostgresConnection {
    private let connection: OpaquePointer

    init(url: String) throws(Diagnostics) {
        guard let c = PQconnectdb(url) else {
            throw Diagnostics([Diagnostic(.error, "cannot connect to the database: out of memory")])
        }
        guard PQstatus(c) == CONNECTION_OK else {
            let why = PostgresConnection.message(c)
            PQfinish(c)
            throw Diagnostics([
                Diagnostic(
                    .error, "cannot connect to \(PostgresConnection.withoutPassword(url)): \(why)",
                    hint: why.contains("password")
                        ? "the password comes from PGPASSWORD or ~/.pgpass, never from dun.toml" : nil)
            ])
        }
        connection = c
        // Dates as 2026-11-28 and text as UTF-8, whatever the server's defaults.
        _ = try? execute("SET DateStyle = 'ISO, YMD'; SET client_encoding = 'UTF8'")
    }

    deinit {
        PQfinish(connection)
    }

    /// The connection's last error, on one line.
    private static func message(_ c: OpaquePointer) -> String {
        let text = PQerrorMessage(c).map { String(cString: $0) } ?? "unknown error"
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.joined(
            separator: "; ")
    }

    /// The URI as it may be shown: any password in it replaced by `…`.
    static func withoutPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let user = url[scheme.upperBound..<at]
        guard let colon = user.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":…" + String(url[at...])
    }

    /// Runs statements that return no rows.
    func execute(_ sql: String) throws(Diagnostic) {
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw Diagnostic(.error, PostgresConnection.message(connection))
        }
    }

    /// `table` quoted as an SQL name: each part of `schema.table` on its own.
    func quoted(_ table: String) -> String {
        table.split(separator: ".", omittingEmptySubsequences: false).map { part -> String in
            let text = String(part)
            guard let escaped = PQescapeIdentifier(connection, text, text.utf8.count) else { return "\"\"" }
            defer { PQfreemem(escaped) }
            return String(cString: escaped)
        }.joined(separator: ".")
    }

    /// Every row of `table` (a table or a view), as CSV with a header row.
    func copy(_ table: String) throws(Diagnostic) -> [UInt8] {
        let sql = "COPY (SELECT * FROM \(quoted(table))) TO STDOUT WITH (FORMAT csv, HEADER true)"
        let started = PQexec(connection, sql)
        let status = PQresultStatus(started)
        PQclear(started)
        guard status == PGRES_COPY_OUT else {
            throw Diagnostic(
                .error, "cannot read table \(table): \(PostgresConnection.message(connection))",
                file: PostgresSource.display(table),
                hint: "dun.toml names each entity's table or view: [invoices] table = \"ar_invoices\"")
        }
        var bytes: [UInt8] = []
        while true {
            var row: UnsafeMutablePointer<CChar>?
            let n = PQgetCopyData(connection, &row, 0)
            if n < 0 { break }
            if let row {
                row.withMemoryRebound(to: UInt8.self, capacity: Int(n)) {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(n)))
                }
                PQfreemem(row)
            }
        }
        // The COPY's own result: an error that stopped it half way is told, not half a table.
        var failure: String?
        while let result = PQgetResult(connection) {
            if PQresultStatus(result) != PGRES_COMMAND_OK { failure = PostgresConnection.message(connection) }
            PQclear(result)
        }
        if let failure {
            throw Diagnostic(.error, "cannot read table \(table): \(failure)", file: PostgresSource.display(table))
        }
        return bytes
    }
}
