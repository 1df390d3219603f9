import DunCore
import Synchronization
import Testing

@testable import DunModel

/// Derived fields on a small hand-made workspace.
///
/// C1 (limit 7,000.00): I1 paid in 20 days; I2 part-paid, 28 days late; I3 not yet due; I4 issued
/// after 2026-11-28; I7 89 days late, paid only on 2026-12-10; I8 paid in two parts (15 days);
/// I10 paid in 18 days; 250.00 of unapplied cash.
/// C2 (no limit): I5 150 days late; I6 paid in 60 days.
/// C3 (limit 100,000.00): I9 open, not yet due, 62,144.96: utilization 0.6214496.
@Suite("Snapshot")
struct SnapshotTests {
    static let customers = """
        id,name,grade,credit_limit
        C1,Alpha,A,7000.00
        C2,Beta,C,
        C3,Gamma,B,100000.00
        C4,Delta,D,0

        """
    static let invoices = """
        id,customer_id,issued,due,amount
        I1,C1,2026-09-01,2026-10-01,1000.00
        I2,C1,2026-10-01,2026-10-31,2000.00
        I3,C1,2026-11-01,2026-12-01,3000.00
        I4,C1,2026-12-05,2027-01-04,700.00
        I5,C2,2026-06-01,2026-07-01,400.00
        I6,C2,2026-08-01,2026-08-31,600.00
        I7,C1,2026-08-01,2026-08-31,100.00
        I8,C1,2026-09-10,2026-10-10,800.00
        I9,C3,2026-11-20,2026-12-20,62144.96
        I10,C1,2026-10-01,2026-10-31,50.00

        """
    static let payments = """
        id,customer_id,invoice_id,date,amount
        P1,C1,I1,2026-09-21,1000.00
        P2,C1,I2,2026-11-05,500.00
        P3,C1,,2026-11-10,250.00
        P4,C2,I6,2026-09-30,600.00
        P5,C1,I7,2026-12-10,100.00
        P6,C1,I4,2026-12-20,200.00
        P7,C1,I8,2026-09-20,300.00
        P8,C1,I8,2026-09-25,500.00
        P9,C1,I10,2026-10-19,50.00

        """

    // Invoice rows.
    static let (i1, i2, i3, i4, i5, i6, i7, i8, i9, i10): (Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) =
        (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)

    func snapshot(_ asOf: String) throws -> Snapshot {
        let w = try load(customers: Self.customers, invoices: Self.invoices, payments: Self.payments)
        return try Snapshot(w, asOf: try day(asOf))
    }

    struct InvoiceFacts: Equatable, CustomStringConvertible {
        var paid: Int64
        var balance: Int64
        var status: String
        var daysOverdue: Int64
        var bucket: AgingBucket?
        var daysToPay: Int64?

        var description: String {
            "paid \(paid) balance \(balance) \(status) \(daysOverdue) days \(bucket?.description ?? "nil") toPay \(daysToPay.map(String.init) ?? "nil")"
        }
    }

    func facts(_ s: Snapshot, _ i: Int32) -> InvoiceFacts {
        InvoiceFacts(
            paid: s.invoicePaid(i), balance: s.invoiceBalance(i), status: s.status(i), daysOverdue: s.daysOverdue(i),
            bucket: s.bucket(i), daysToPay: s.daysToPay(i))
    }

    // MARK: as of 2026-11-28

    @Test func visibleRows() throws {
        let s = try snapshot("2026-11-28")
        #expect(s.asOf == (try day("2026-11-28")))
        // I4 is issued on 2026-12-05; P5 and P6 are made in December.
        #expect(s.invoices == [0, 1, 2, 4, 5, 6, 7, 8, 9])
        #expect(s.payments == [0, 1, 2, 3, 6, 7, 8])
    }

    @Test func invoiceFields() throws {
        let s = try snapshot("2026-11-28")
        #expect(
            facts(s, Self.i1)
                == InvoiceFacts(paid: 100_000, balance: 0, status: "paid", daysOverdue: 0, bucket: nil, daysToPay: 20))
        #expect(
            facts(s, Self.i2)
                == InvoiceFacts(
                    paid: 50_000, balance: 150_000, status: "overdue", daysOverdue: 28, bucket: .days1to30, daysToPay: nil))
        #expect(
            facts(s, Self.i3)
                == InvoiceFacts(paid: 0, balance: 300_000, status: "open", daysOverdue: -3, bucket: .current, daysToPay: nil))
        #expect(
            facts(s, Self.i5)
                == InvoiceFacts(paid: 0, balance: 40_000, status: "overdue", daysOverdue: 150, bucket: .over90, daysToPay: nil))
        #expect(
            facts(s, Self.i6)
                == InvoiceFacts(paid: 60_000, balance: 0, status: "paid", daysOverdue: 0, bucket: nil, daysToPay: 60))
        // Paid on 2026-12-10: still open (and 89 days late) as of 2026-11-28.
        #expect(
            facts(s, Self.i7)
                == InvoiceFacts(paid: 0, balance: 10_000, status: "overdue", daysOverdue: 89, bucket: .days61to90, daysToPay: nil)
        )
        #expect(
            facts(s, Self.i8)
                == InvoiceFacts(paid: 80_000, balance: 0, status: "paid", daysOverdue: 0, bucket: nil, daysToPay: 15))
        #expect(
            facts(s, Self.i9)
                == InvoiceFacts(paid: 0, balance: 6_214_496, status: "open", daysOverdue: -22, bucket: .current, daysToPay: nil))
        #expect(
            facts(s, Self.i10)
                == InvoiceFacts(paid: 5_000, balance: 0, status: "paid", daysOverdue: 0, bucket: nil, daysToPay: 18))
    }

    @Test func settlementDates() throws {
        let s = try snapshot("2026-11-28")
        #expect(s.settled(Self.i1) == (try day("2026-09-21")))
        #expect(s.settled(Self.i8) == (try day("2026-09-25")))
        #expect(s.settled(Self.i2) == nil)
        #expect(s.settled(Self.i7) == nil)
        #expect(s.invoiceLastPayment(Self.i2) == (try day("2026-11-05")))
        #expect(s.invoiceLastPayment(Self.i8) == (try day("2026-09-25")))
        #expect(s.invoiceLastPayment(Self.i3) == nil)
        #expect(s.invoiceLastPayment(Self.i7) == nil)
    }

    @Test func customerFields() throws {
        let s = try snapshot("2026-11-28")
        // C1: open 1,500 + 3,000 + 100, less 250 unapplied.
        #expect(s.perCustomer(s.balance) == [435_000, 40_000, 6_214_496, 0])
        #expect(s.perCustomer(s.unapplied) == [25_000, 0, 0, 0])
        #expect(s.perCustomer(s.overdueBalance) == [160_000, 40_000, 0, 0])
        #expect(s.perCustomer(s.overdue) == [89, 150, 0, 0])
        #expect(s.perCustomer(s.lastPayment) == [try day("2026-11-10"), try day("2026-09-30"), nil, nil])
        // (20 + 15 + 18) / 3 = 17.67
        #expect(s.perCustomer(s.avgDaysToPay).map { $0?.description } == ["17.7", "60", nil, nil])
        // 4,350 / 7,000 = 0.621428571428571428…, to 18 places; 62,144.96 / 100,000 = 0.6214496,
        // exactly: never rounded twice (round(utilization * 100, 2) is 62.14). No limit, or a
        // zero limit: null.
        #expect(s.perCustomer(s.utilization).map { $0?.description } == ["0.621428571428571429", nil, "0.6214496", nil])
    }

    @Test func relationsInFileOrder() throws {
        let s = try snapshot("2026-11-28")
        #expect(Array(s.invoicesOfCustomer.rows(of: 0)) == [Self.i1, Self.i2, Self.i3, Self.i7, Self.i8, Self.i10])
        #expect(Array(s.invoicesOfCustomer.rows(of: 1)) == [Self.i5, Self.i6])
        #expect(Array(s.invoicesOfCustomer.rows(of: 2)) == [Self.i9])
        #expect(Array(s.invoicesOfCustomer.rows(of: 3)) == [])
        #expect(Array(s.paymentsOfCustomer.rows(of: 0)) == [0, 1, 2, 6, 7, 8])
        #expect(Array(s.paymentsOfCustomer.rows(of: 1)) == [3])
        #expect(Array(s.paymentsOfCustomer.rows(of: 2)) == [])
        #expect(Array(s.paymentsOfInvoice.rows(of: Self.i8)) == [6, 7])
        #expect(Array(s.paymentsOfInvoice.rows(of: Self.i1)) == [0])
        #expect(Array(s.paymentsOfInvoice.rows(of: Self.i2)) == [1])
        #expect(Array(s.paymentsOfInvoice.rows(of: Self.i7)) == [])
        #expect(Array(s.paymentsOfInvoice.rows(of: Self.i4)) == [])
        #expect(Array(s.paymentsOfInvoice.rows(of: Self.i3)) == [])
    }

    @Test func appliedInvoiceOfPayment() throws {
        let s = try snapshot("2026-11-28")
        #expect(s.appliedInvoice(ofPayment: 0) == Self.i1)
        #expect(s.appliedInvoice(ofPayment: 2) == nil)  // unapplied cash
        #expect(s.appliedInvoice(ofPayment: 5) == nil)  // I4 is not issued yet
        let later = try snapshot("2026-12-31")
        #expect(later.appliedInvoice(ofPayment: 5) == Self.i4)
    }

    // MARK: a later as-of date

    @Test func laterDateMakesLaterInvoicesAndPaymentsCount() throws {
        let s = try snapshot("2026-12-31")
        #expect(s.invoices == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(s.payments == [0, 1, 2, 3, 4, 5, 6, 7, 8])
        #expect(
            facts(s, Self.i4)
                == InvoiceFacts(paid: 20_000, balance: 50_000, status: "open", daysOverdue: -4, bucket: .current, daysToPay: nil))
        #expect(
            facts(s, Self.i7)
                == InvoiceFacts(paid: 10_000, balance: 0, status: "paid", daysOverdue: 0, bucket: nil, daysToPay: 131))
        #expect(
            facts(s, Self.i2)
                == InvoiceFacts(
                    paid: 50_000, balance: 150_000, status: "overdue", daysOverdue: 61, bucket: .days61to90, daysToPay: nil))
        #expect(
            facts(s, Self.i3)
                == InvoiceFacts(paid: 0, balance: 300_000, status: "overdue", daysOverdue: 30, bucket: .days1to30, daysToPay: nil)
        )
        #expect(
            facts(s, Self.i9)
                == InvoiceFacts(
                    paid: 0, balance: 6_214_496, status: "overdue", daysOverdue: 11, bucket: .days1to30, daysToPay: nil))
        // C1: open 1,500 + 3,000 + 500, less 250 unapplied.
        #expect(s.perCustomer(s.balance) == [475_000, 40_000, 6_214_496, 0])
        #expect(s.perCustomer(s.overdueBalance) == [450_000, 40_000, 6_214_496, 0])
        #expect(s.perCustomer(s.overdue) == [61, 183, 11, 0])
        #expect(s.lastPayment(0) == (try day("2026-12-20")))
        // (20 + 15 + 18 + 131) / 4 = 46
        #expect(s.avgDaysToPay(0)?.description == "46")
        // 4,750 / 7,000 = 0.678571…
        #expect(s.utilization(0)?.description == "0.678571428571428571")
        #expect(Array(s.invoicesOfCustomer.rows(of: 0)) == [Self.i1, Self.i2, Self.i3, Self.i4, Self.i7, Self.i8, Self.i10])
        #expect(Array(s.paymentsOfInvoice.rows(of: Self.i7)) == [4])
        #expect(Array(s.paymentsOfInvoice.rows(of: Self.i4)) == [5])
        #expect(Array(s.paymentsOfCustomer.rows(of: 0)) == [0, 1, 2, 4, 5, 6, 7, 8])
    }

    @Test func dueDateItselfIsNotOverdue() throws {
        let s = try snapshot("2026-10-31")
        // I2 and I10 are due on 2026-10-31: open, 0 days, current. I10 is paid on 2026-10-19.
        #expect(
            facts(s, Self.i2)
                == InvoiceFacts(paid: 0, balance: 200_000, status: "open", daysOverdue: 0, bucket: .current, daysToPay: nil))
        #expect(facts(s, Self.i10).status == "paid")
        let next = try snapshot("2026-11-01")
        #expect(
            facts(next, Self.i2)
                == InvoiceFacts(paid: 0, balance: 200_000, status: "overdue", daysOverdue: 1, bucket: .days1to30, daysToPay: nil))
    }

    @Test func beforeEverythingNothingIsVisible() throws {
        let s = try snapshot("2026-01-01")
        #expect(s.invoices == [])
        #expect(s.payments == [])
        #expect(s.perCustomer(s.balance) == [0, 0, 0, 0])
        #expect(s.perCustomer(s.overdue) == [0, 0, 0, 0])
        #expect(s.perCustomer(s.lastPayment) == [nil, nil, nil, nil])
        #expect(s.perCustomer(s.avgDaysToPay) == [nil, nil, nil, nil])
        #expect(s.perCustomer(s.utilization).map { $0?.description } == ["0", nil, "0", nil])
        #expect(Array(s.invoicesOfCustomer.rows(of: 0)) == [])
    }

    @Test func unappliedCashCanMakeABalanceNegative() throws {
        let w = try load(
            customers: "id,name,credit_limit\nC1,Alpha,1000\n",
            invoices: "id,customer_id,issued,due,amount\nI1,C1,2026-10-01,2026-10-31,100\n",
            payments: "id,customer_id,date,amount\nP1,C1,2026-10-05,300\n")
        let s = try Snapshot(w, asOf: try day("2026-11-28"))
        #expect(s.perCustomer(s.balance) == [-20_000])
        #expect(s.perCustomer(s.unapplied) == [30_000])
        #expect(s.perCustomer(s.overdueBalance) == [10_000])
        #expect(s.perCustomer(s.overdue) == [28])
        #expect(s.utilization(0)?.description == "-0.2")
        #expect(s.perCustomer(s.lastPayment) == [try day("2026-10-05")])
        #expect(s.perCustomer(s.avgDaysToPay) == [nil])
    }

    @Test func zeroAmountInvoiceIsPaidOnIssue() throws {
        let w = try load(
            customers: "id,name\nC1,Alpha\n", invoices: "id,customer_id,issued,due,amount\nI1,C1,2026-10-01,2026-10-31,0\n",
            payments: Fixture.noPayments)
        let s = try Snapshot(w, asOf: try day("2026-11-28"))
        #expect(facts(s, 0) == InvoiceFacts(paid: 0, balance: 0, status: "paid", daysOverdue: 0, bucket: nil, daysToPay: 0))
        #expect(s.settled(0) == (try day("2026-10-01")))
        #expect(s.avgDaysToPay(0)?.description == "0")
    }

    @Test func averageDaysToPayRoundsHalfAwayFromZero() throws {
        // 10 and 11 days: 10.5 exactly; 10, 10, 11: 10.333; 10, 11, 11: 10.667
        let cases: [([Int], String)] = [
            ([10, 11], "10.5"), ([10, 10, 11], "10.3"), ([10, 11, 11], "10.7"), ([1, 2, 2, 2], "1.8"),
        ]
        for (days, expected) in cases {
            var invoices = "id,customer_id,issued,due,amount\n"
            var payments = "id,customer_id,invoice_id,date,amount\n"
            for (n, d) in days.enumerated() {
                invoices += "I\(n),C1,2026-10-01,2026-10-31,1\n"
                let paid = try #require(try day("2026-10-01").adding(days: Int64(d)))
                payments += "P\(n),C1,I\(n),\(paid),1\n"
            }
            let w = try load(customers: "id,name\nC1,Alpha\n", invoices: invoices, payments: payments)
            let s = try Snapshot(w, asOf: try day("2026-11-28"))
            #expect(s.avgDaysToPay(0)?.description == expected, "\(days)")
        }
    }

    @Test func totalsTooLargeToAddAreAnError() throws {
        let w = try load(
            customers: "id,name\nBIG,Alpha\n",
            invoices:
                "id,customer_id,issued,due,amount\nI1,BIG,2026-10-01,2026-10-31,92233720368547758.07\nI2,BIG,2026-10-02,2026-10-31,1\n",
            payments: Fixture.noPayments)
        // Named: the file and the row (it used to name neither).
        #expect(
            throws: Diagnostic(
                .error, "the totals of customer 'BIG' are too large to add up exactly, at invoice 'I2'", file: "invoices.csv",
                hint: "an amount this large is most likely a mistake in the export")
        ) {
            try Snapshot(w, asOf: try day("2026-11-28"))
        }
        // The first alone is fine.
        let s = try Snapshot(w, asOf: try day("2026-10-01"))
        #expect(s.perCustomer(s.balance) == [Int64.max])
    }

    /// The error is the one of the first invoice that overflows, whichever its customer.
    @Test func firstOverflowInInvoiceOrderIsTheError() throws {
        let w = try load(
            customers: "id,name\nFIRST,Alpha\nSECOND,Beta\n",
            invoices: """
                id,customer_id,issued,due,amount
                I1,SECOND,2026-10-01,2026-10-31,92233720368547758.07
                I2,SECOND,2026-10-02,2026-10-31,1
                I3,FIRST,2026-10-03,2026-10-31,92233720368547758.07
                I4,FIRST,2026-10-04,2026-10-31,1

                """,
            payments: Fixture.noPayments)
        #expect(
            throws: Diagnostic(
                .error, "the totals of customer 'SECOND' are too large to add up exactly, at invoice 'I2'", file: "invoices.csv",
                hint: "an amount this large is most likely a mistake in the export")
        ) {
            try Snapshot(w, asOf: try day("2026-11-28"))
        }
    }

    /// Unapplied cash is added up as exactly as invoices.
    @Test func unappliedCashTooLargeIsAnError() throws {
        let w = try load(
            customers: "id,name\nBIG,Alpha\n", invoices: Fixture.noInvoices,
            payments: """
                id,customer_id,date,amount
                P1,BIG,2026-10-01,92233720368547758.07
                P2,BIG,2026-10-02,1

                """)
        #expect(
            throws: Diagnostic(
                .error, "the totals of customer 'BIG' are too large to add up exactly, at payment 'P2'", file: "payments.csv",
                hint: "an amount this large is most likely a mistake in the export")
        ) {
            try Snapshot(w, asOf: try day("2026-11-28"))
        }
        let before = try Snapshot(w, asOf: try day("2026-10-01"))
        #expect(before.perCustomer(before.unapplied) == [Int64.max])
    }

    /// What is paid on an invoice is kept in two 32-bit halves: sums past 2^32 minor units,
    /// and the last payment's day, are read back whole.
    @Test func largeSumsPaidOnAnInvoice() throws {
        let w = try load(
            customers: "id,name\nC1,Alpha\n",
            invoices: "id,customer_id,issued,due,amount\nI1,C1,2026-01-01,2026-01-31,90000000000.00\n",
            payments: """
                id,customer_id,invoice_id,date,amount
                P1,C1,I1,2026-02-01,50000000000.00
                P2,C1,I1,2026-01-15,0.07
                P3,C1,I1,2026-01-20,21474836.48

                """)
        // The low half of the sum has its top bit set (2^31 minor units more).
        let s = try Snapshot(w, asOf: try day("2026-11-28"))
        #expect(s.invoicePaid(0) == 5_002_147_483_655)
        #expect(s.invoiceBalance(0) == 3_997_852_516_345)
        #expect(s.invoiceLastPayment(0) == (try day("2026-02-01")))
        #expect(s.perCustomer(s.balance) == [3_997_852_516_345])
        // Issued after the date: not there yet, and nothing paid on it.
        let before = try Snapshot(w, asOf: try day("2025-12-31"))
        #expect(before.invoices.isEmpty && before.invoicePaid(0) == 0 && before.settled(0) == nil)
    }

    /// Many customers: every total is the one added up invoice by invoice.
    @Test func totalsOfManyCustomers() throws {
        let customers = (0..<500).map { "C\($0),Name \($0)" }.joined(separator: "\n")
        let invoices = (0..<3000).map { i in
            "I\(i),C\((i * 7) % 500),2026-0\(1 + i % 9)-01,2026-0\(1 + i % 9)-28,\(100 + i).00"
        }.joined(separator: "\n")
        let payments = (0..<1000).map { i in
            i % 4 == 0
                ? "P\(i),C\((i * 7) % 500),,2026-10-0\(1 + i % 9),5.00"
                : "P\(i),C\((i * 21) % 500),I\(i * 3),2026-10-0\(1 + i % 9),\(50 + i % 40).00"
        }.joined(separator: "\n")
        let w = try load(
            customers: "id,name\n\(customers)\n", invoices: "id,customer_id,issued,due,amount\n\(invoices)\n",
            payments: "id,customer_id,invoice_id,date,amount\n\(payments)\n")
        let asOf = try day("2026-10-05")
        let s = try Snapshot(w, asOf: asOf)
        var balance = [Int64](repeating: 0, count: 500)
        var overdue = [Int32](repeating: 0, count: 500)
        var paidOn = [Int64](repeating: 0, count: 3000)
        for p in 0..<w.payments.count where w.payments.date[p] <= asOf {
            let c = Int(w.payments.customer[p])
            if let i = w.payments.invoice[p], w.invoices.issued[Int(i)] <= asOf {
                paidOn[Int(i)] += w.payments.amount[p]
            } else {
                balance[c] -= w.payments.amount[p]
            }
        }
        for i in 0..<w.invoices.count where w.invoices.issued[i] <= asOf {
            let c = Int(w.invoices.customer[i])
            let left = w.invoices.amount[i] - paidOn[i]
            balance[c] += left
            if left > 0 { overdue[c] = max(overdue[c], Int32(clamping: asOf.days(since: w.invoices.due[i]))) }
        }
        #expect(s.perCustomer(s.balance) == balance)
        #expect(s.perCustomer(s.overdue) == overdue)
        // The data has unapplied cash, paid and overdue invoices.
        #expect(
            s.perCustomer(s.unapplied).contains { $0 > 0 } && s.perCustomer(s.overdue).contains { $0 > 0 }
                && paidOn.contains { $0 > 0 })
    }
}

struct LazyTests {
    @Test func computesOnceWhenFirstAskedWhicheverThreadAsks() {
        let made = Mutex(0)
        let lazy = Lazy { () -> Int in
            made.withLock { $0 += 1 }
            return 42
        }
        #expect(made.withLock { $0 } == 0)
        let seen = concurrently(64) { _ in lazy.value }
        #expect(seen == Array(repeating: 42, count: 64))
        #expect(made.withLock { $0 } == 1)
    }
}
