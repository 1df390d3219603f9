// A function called with a table of 1,024 rows or more has its body folded for the call, with
// the arguments as values: it must answer as the same query written out does.

@testable import Dun
import DunCore
import Foundation
import Testing

@Suite struct FoldingTests {
    /// 1,500 invoices of ¥1 to ¥1,500, one per day back from the as-of date, none paid.
    static func workspace() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-folding-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let asOf = try #require(Day(iso: "2026-11-28"))
        var invoices = "id,customer_id,issued,due,amount\n"
        for i in 1...1500 {
            let issued = try #require(asOf.adding(days: Int64(-i)))
            let due = try #require(issued.adding(days: 30))
            invoices += "I\(i),C\(i % 3),\(issued),\(due),\(i).00\n"
        }
        try invoices.write(to: dir.appendingPathComponent("invoices.csv"), atomically: true, encoding: .utf8)
        try "id,name\nC0,Zero\nC1,One\nC2,Two\n".write(
            to: dir.appendingPathComponent("customers.csv"), atomically: true, encoding: .utf8)
        try "id,customer_id,invoice_id,date,amount\n".write(
            to: dir.appendingPathComponent("payments.csv"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func aFoldedCallAnswersAsTheQueryWrittenOut() throws {
        let dir = try FoldingTests.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let session = try Session.open(directory: dir.path, asOf: #require(Day(iso: "2026-11-28")))
        let script = """
            fn recent(t, period) = count(t where issued > today - period)
            fn inner(t, n) = count(t where amount > n)
            fn outer(t, n) { let twice = n * 2
              inner(t, twice) + count(t where amount > n) + recent(t, 10 days) }
            recent(invoices, 100 days)
            count(invoices where issued > today - 100 days)
            outer(invoices, ¥1000)
            count(invoices where amount > ¥2000) + count(invoices where amount > ¥1000) + count(invoices where issued > today - 10 days)
            fn since(period) { let start = today - period
              count(invoices where issued > start) }
            since(100 days)
            import dso
            dso.sales(invoices, 90 days)
            sum((invoices where issued > today - 90 days).amount)
            """
        let result = session.run(SourceText(name: "folding.dun", text: script))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.rendered))")
        // 99 invoices issued in the last 100 days (1 to 99 days back); 0 + 500 + 9; the same
        // by a function called once, its local folded; ¥1 + … + ¥89.
        #expect(result.output == "99\n99\n509\n509\n99\n4,005.00 CNY\n4,005.00 CNY\n", "\(result.output)")
    }

    /// C0's payments on each of the 40 days back from the as-of date, two lines a day (¥1 on
    /// day 1 … ¥40 on day 40), interleaved with C1's ten lines of ¥5 on 2026-11-01; C2 paid
    /// nothing.
    static func writePayments(to dir: URL) throws {
        let asOf = try #require(Day(iso: "2026-11-28"))
        var payments = "id,customer_id,invoice_id,date,amount\n"
        for d in 1...40 {
            let day = try #require(asOf.adding(days: Int64(-d)))
            payments += "P\(d)a,C0,,\(day),\(d).00\nP\(d)b,C0,,\(day),\(d).00\n"
            if d <= 10 { payments += "Q\(d),C1,,2026-11-01,5.00\n" }
        }
        try payments.write(to: dir.appendingPathComponent("payments.csv"), atomically: true, encoding: .utf8)
    }

    /// `query` on the workspace in `dir`, its aggregates folded for tables of `minimum` rows
    /// or more, and the rows of a table cut in `parts` when their related rows are folded.
    static func run(_ query: String, in dir: URL, folded minimum: Int, parts: Int = 1) throws -> Session.RunResult {
        let session = try Session.open(directory: dir.path, asOf: #require(Day(iso: "2026-11-28")))
        session.interpreter.minimumFolded = minimum
        session.interpreter.minimumPart = 1
        session.interpreter.ownerParts = parts
        return session.run(SourceText(name: "q", text: query))
    }

    /// `count(unique(payments.date))` per customer, folded for all customers in one pass over
    /// the payments, answers as row by row: each owner's repeats left out, for an owner with
    /// few values and one with more than fit its short list (`writePayments`).
    @Test func aUniqueAggregateFoldedAtOnceAnswersAsRowByRow() throws {
        let dir = try FoldingTests.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FoldingTests.writePayments(to: dir)
        let query =
            "customers | select id, days = count(unique(payments.date)), paid = sum(unique(payments.amount)), lines = count(payments)"
        let expected = """
            id  days    paid  lines
            --  ----  ------  -----
            C0    40  820.00     80
            C1     1    5.00     10
            C2     0    0.00      0
            (3 rows)

            """
        for minimum in [0, 1024] {
            let result = try FoldingTests.run(query, in: dir, folded: minimum)
            #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.rendered))")
            #expect(result.output == expected, "minimumFolded \(minimum):\n\(result.output)")
        }
    }

    /// Aggregates of each customer's payments (`writePayments`), promises and contacts, folded
    /// for all customers at once with the customers cut in parts, answer as row by row; an
    /// aggregate written twice (folded once) answers twice the same, and another aggregate of
    /// the same rows (min beside max) its own. C0 made two promises, one broken; C1 has two
    /// contacts, one for billing.
    @Test func relatedAggregatesFoldedInPartsAnswerAsRowByRow() throws {
        let dir = try FoldingTests.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FoldingTests.writePayments(to: dir)
        try """
        customer_id,invoice_id,amount,made_on,promised_by
        C0,I3,3.00,2026-11-01,2026-11-10
        C0,I6,6.00,2026-11-20,2026-12-10

        """.write(to: dir.appendingPathComponent("promises.csv"), atomically: true, encoding: .utf8)
        try """
        customer_id,name,role,email
        C1,Ann,billing,ann@one.example
        C1,Bob,ops,bob@one.example

        """.write(to: dir.appendingPathComponent("contacts.csv"), atomically: true, encoding: .utf8)
        let query = """
            customers | select id, last = max(payments.date), again = max(payments.date), first = min(payments.date),
              days = count(unique(payments.date)) - count(unique(payments.date)) + count(unique(payments.date)),
              promises = count(promises), broken = count(promises where status = "broken"),
              contacts = count(contacts), billing = count(contacts where role = "billing")
            """
        let expected = """
            id  last        again       first       days  promises  broken  contacts  billing
            --  ----------  ----------  ----------  ----  --------  ------  --------  -------
            C0  2026-11-27  2026-11-27  2026-10-19    40         2       1         0        0
            C1  2026-11-01  2026-11-01  2026-11-01     1         0       0         2        1
            C2                                         0         0       0         0        0
            (3 rows)

            """
        for (minimum, parts) in [(1024, 1), (0, 1), (0, 2), (0, 3)] {
            let result = try FoldingTests.run(query, in: dir, folded: minimum, parts: parts)
            #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.rendered))")
            #expect(result.output == expected, "minimumFolded \(minimum), \(parts) parts:\n\(result.output)")
        }
    }

    /// An aggregate whose condition fails on several of the related rows, folded for all
    /// customers at once however they are cut, fails as row by row: at P3, the first customer's
    /// (¥10 divided by ¥5 − ¥5), though C1's Q2 comes first in payments.csv.
    @Test func aFoldedAggregateFailsAsRowByRowWhateverTheParts() throws {
        let dir = try FoldingTests.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        id,customer_id,invoice_id,date,amount
        P1,C0,,2026-11-01,1.00
        Q2,C1,,2026-11-02,5.00
        P3,C0,,2026-11-03,5.00
        Q4,C2,,2026-11-04,5.00

        """.write(to: dir.appendingPathComponent("payments.csv"), atomically: true, encoding: .utf8)
        for parts in [1, 2, 3] {
            let result = try FoldingTests.run(
                "customers | select id, n = count(payments where ¥10 / (amount - ¥5) > 1)", in: dir, folded: 0, parts: parts)
            let rendered = result.diagnostics.map(\.rendered).joined()
            #expect(rendered.contains("division by zero") && rendered.contains("on payment P3"), "\(parts) parts: \(rendered)")
        }
    }
}
