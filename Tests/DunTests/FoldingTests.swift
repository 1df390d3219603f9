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
            import dso
            dso.sales(invoices, 90 days)
            sum((invoices where issued > today - 90 days).amount)
            """
        let result = session.run(SourceText(name: "folding.dun", text: script))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.rendered))")
        // 99 invoices issued in the last 100 days (1 to 99 days back); 0 + 500 + 9; ¥1 + … + ¥89.
        #expect(result.output == "99\n99\n509\n509\n4,005.00 CNY\n4,005.00 CNY\n", "\(result.output)")
    }

    /// `count(unique(payments.date))` per customer, folded for all customers in one pass over
    /// the payments, answers as row by row: each owner's repeats left out, for an owner with
    /// few values and one with more than fit its short list. C0 paid twice on each of 40
    /// days (80 lines, ¥1 on day 1 … ¥40 on day 40), interleaved with C1's ten lines of ¥5 on
    /// one day; C2 paid nothing.
    @Test func aUniqueAggregateFoldedAtOnceAnswersAsRowByRow() throws {
        let dir = try FoldingTests.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let asOf = try #require(Day(iso: "2026-11-28"))
        var payments = "id,customer_id,invoice_id,date,amount\n"
        for d in 1...40 {
            let day = try #require(asOf.adding(days: Int64(-d)))
            payments += "P\(d)a,C0,,\(day),\(d).00\nP\(d)b,C0,,\(day),\(d).00\n"
            if d <= 10 { payments += "Q\(d),C1,,2026-11-01,5.00\n" }
        }
        try payments.write(to: dir.appendingPathComponent("payments.csv"), atomically: true, encoding: .utf8)
        let query = SourceText(
            name: "q",
            text:
                "customers | select id, days = count(unique(payments.date)), paid = sum(unique(payments.amount)), lines = count(payments)"
        )
        let expected = """
            id  days    paid  lines
            --  ----  ------  -----
            C0    40  820.00     80
            C1     1    5.00     10
            C2     0    0.00      0
            (3 rows)

            """
        for minimum in [0, 1024] {
            let session = try Session.open(directory: dir.path, asOf: asOf)
            session.interpreter.minimumFolded = minimum
            let result = session.run(query)
            #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.rendered))")
            #expect(result.output == expected, "minimumFolded \(minimum):\n\(result.output)")
        }
    }
}
