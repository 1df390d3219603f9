import DunCore
import Testing

@testable import DunModel

/// Files that load: what ends up in the workspace.
@Suite("WorkspaceLoader: valid files")
struct LoaderTests {

    @Test func fixtureLoads() throws {
        let w = try load()
        #expect(w.customers.id == ["C1", "C2"])
        #expect(w.customers.name == ["Alpha Trading", "Beta Works"])
        #expect(w.customers.region == ["East", "South"])
        #expect(w.customers.grade == [.a, .c])
        #expect(w.customers.creditLimit == [1_000_000, nil])
        #expect(w.customers.currency == [.cny, .cny])
        #expect(w.customers.termsDays == [30, 45])
        #expect(w.customers.collector == [nil, nil])
        #expect(w.customers.id.rows == ["C1": 0, "C2": 1])
        #expect(w.customers.count == 2)

        #expect(w.invoices.id == ["I1", "I2"])
        #expect(w.invoices.customer == [0, 1])
        #expect(w.invoices.issued == [try day("2026-10-01"), try day("2026-10-05")])
        #expect(w.invoices.due == [try day("2026-10-31"), try day("2026-11-04")])
        #expect(w.invoices.amount == [100_000, 50_000])
        #expect(w.invoices.disputed == [false, false])
        #expect(w.invoices.id.rows == ["I1": 0, "I2": 1])

        #expect(w.payments.id == ["P1"])
        #expect(w.payments.customer == [0])
        #expect(w.payments.invoice == [0])
        #expect(w.payments.date == [try day("2026-10-20")])
        #expect(w.payments.amount == [40_000])
        #expect(w.payments.carried.values("method") == ["-"])
    }

    @Test func headerOnlyFilesGiveAnEmptyWorkspace() throws {
        let w = try load(
            customers: "id,name\n", invoices: "id,customer_id,issued,due,amount", payments: "id,customer_id,date,amount\n")
        #expect(w.customers.count == 0)
        #expect(w.invoices.count == 0)
        #expect(w.payments.count == 0)
    }

    @Test func byteOrderMarkIsAccepted() throws {
        let w = try load(
            customers: "\u{FEFF}id,name\nC1,Alpha\n",
            invoices: "\u{FEFF}id,customer_id,issued,due,amount\nI1,C1,2026-10-01,2026-10-31,5\n",
            payments: "\u{FEFF}id,customer_id,date,amount\n")
        #expect(w.customers.id == ["C1"])
        #expect(w.customers.name == ["Alpha"])
        #expect(w.invoices.amount == [500])
    }

    @Test func crlfLineEndings() throws {
        let w = try load(
            customers: "id,name,grade\r\nC1,Alpha,A\r\nC2,Beta,B\r\n",
            invoices: "id,customer_id,issued,due,amount\r\nI1,C2,2026-10-01,2026-10-31,7.50\r\n",
            payments: "id,customer_id,invoice_id,date,amount\r\nP1,C2,I1,2026-10-02,7.50")
        #expect(w.customers.id == ["C1", "C2"])
        #expect(w.customers.grade == [.a, .b])
        #expect(w.invoices.amount == [750])
        #expect(w.invoices.customer == [1])
        #expect(w.payments.amount == [750])
    }

    @Test func loneCarriageReturnsEndLinesToo() throws {
        let w = try load(customers: "id,name\rC1,Alpha\rC2,Beta\r", invoices: Fixture.noInvoices, payments: Fixture.noPayments)
        #expect(w.customers.id == ["C1", "C2"])
    }

    @Test func columnsInAnyOrderAndUnknownColumnsIgnored() throws {
        let w = try load(
            customers: """
                notes,Currency,NAME, Id ,grade,owner
                hello,usd,Alpha,C1,b,me
                ,,Beta,C2,,

                """,
            invoices: """
                amount,due,disputed,issued,customer_id,id,po_number
                12.5,2026-10-31,yes,2026-10-01,C1,I1,PO-7
                3,2026-11-30,否,2026-11-01,C2,I2,

                """,
            payments: """
                method,amount,date,customer_id,id,invoice_id,reference
                wire,2.50,2026-10-15,C1,P1,I1,abc
                ,1,2026-11-02,C2,P2,,

                """)
        #expect(w.customers.id == ["C1", "C2"])
        #expect(w.customers.name == ["Alpha", "Beta"])
        #expect(w.customers.currency == [.usd, .cny])
        #expect(w.customers.grade == [.b, nil])
        #expect(w.invoices.id == ["I1", "I2"])
        #expect(w.invoices.customer == [0, 1])
        #expect(w.invoices.amount == [1250, 300])
        #expect(w.invoices.disputed == [true, false])
        #expect(w.invoices.issued == [try day("2026-10-01"), try day("2026-11-01")])
        #expect(w.payments.carried.values("method") == ["wire", "-"])
        #expect(w.payments.invoice == [0, nil])
        // Read one by one: no invoice is told from invoice row 0.
        #expect(w.payments.invoice[0] == 0 && w.payments.invoice[1] == nil)
        #expect(w.payments.amount == [250, 100])
    }

    @Test func quotedFields() throws {
        let w = try load(
            customers: """
                id,name,region
                C1,"Smith, Jones & Partners","East, North"
                C2,"\"\"Golden Dragon\"\" Trading",
                C3,"Alpha
                Ltd",West
                "C4","Delta",""
                C5," padded ",x

                """, invoices: Fixture.noInvoices, payments: Fixture.noPayments)
        #expect(w.customers.id == ["C1", "C2", "C3", "C4", "C5"])
        #expect(w.customers.name[0] == "Smith, Jones & Partners")
        #expect(w.customers.region[0] == "East, North")
        #expect(w.customers.name[1] == "\"Golden Dragon\" Trading")
        #expect(w.customers.name[2] == "Alpha\nLtd")
        #expect(w.customers.region[2] == "West")
        #expect(w.customers.name[3] == "Delta")
        // An empty quoted field is empty; a quoted name keeps its spaces.
        #expect(w.customers.region[3] == nil)
        #expect(w.customers.name[4] == " padded ")
    }

    @Test func emptyCustomerNameIsAnErrorEvenWhenQuoted() {
        #expect(
            loadErrors(customers: "id,name\nC4,\"\"\n") == [
                "customers.csv:2:4: error: empty customer name\nC4,\"\"\n   ^~\n"
            ])
    }

    @Test func quotedNewlineKeepsCRLF() throws {
        let w = try load(
            customers: "id,name\r\nC1,\"Alpha\r\nLtd\"\r\nC2,Beta\r\n", invoices: Fixture.noInvoices, payments: Fixture.noPayments
        )
        #expect(w.customers.name == ["Alpha\r\nLtd", "Beta"])
    }

    @Test func emptyOptionalFieldsAreNil() throws {
        let w = try load(
            customers: """
                id,name,region,grade,credit_limit,currency,terms_days,collector,email,phone,language
                C1,Alpha,,,,,,,,,
                C2,Beta,华东,E,0,cny,0,王芳,ap@beta.cn,021-6234 5678,zh

                """,
            invoices: """
                id,customer_id,issued,due,amount,currency,disputed
                I1,C1,2026-10-01,2026-10-31,1,,

                """,
            payments: """
                id,customer_id,invoice_id,date,amount,method,currency
                P1,C1,,2026-10-02,1,,

                """)
        #expect(w.customers.region == [nil, "华东"])
        #expect(w.customers.grade == [nil, .e])
        #expect(w.customers.creditLimit == [nil, 0])
        #expect(w.customers.currency == [.cny, .cny])
        #expect(w.customers.termsDays == [nil, 0])
        #expect(w.customers.collector == [nil, "王芳"])
        #expect(w.customers.email == [nil, "ap@beta.cn"])
        #expect(w.customers.phone == [nil, "021-6234 5678"])
        #expect(w.customers.language == [nil, "zh"])
        #expect(w.invoices.disputed == [false])
        #expect(w.payments.invoice == [nil])
        #expect(w.payments.carried.values("method") == ["-"])
    }

    @Test func spacesAroundUnquotedValuesAreTrimmed() throws {
        let w = try load(
            customers: "id , name , grade,credit_limit\n C1 ,  Alpha Trading  , a ,\t100.50\t\n"
                + "C2,Beta\t,,\nC3, Gamma,,\nC4,\u{1}Delta\u{1},,\n",
            invoices: "id,customer_id,issued,due,amount\n I1 , C1 , 2026-10-01 , 2026-10-31 , 12.00 \n",
            payments: "id,customer_id,invoice_id,date,amount\n P1 , C1 , I1 , 2026-10-05 , 2 \n")
        #expect(w.customers.id == ["C1", "C2", "C3", "C4"])
        // Spaces and tabs at either end or both; other bytes below the space are kept.
        #expect(w.customers.name == ["Alpha Trading", "Beta", "Gamma", "\u{1}Delta\u{1}"])
        #expect(w.customers.grade == [.a, nil, nil, nil])
        #expect(w.customers.creditLimit == [10050, nil, nil, nil])
        #expect(w.invoices.id == ["I1"])
        #expect(w.invoices.id.rows == ["I1": 0])
        #expect(w.invoices.issued == [try day("2026-10-01")])
        #expect(w.invoices.amount == [1200])
        #expect(w.payments.invoice == [0])
        #expect(w.payments.amount == [200])
    }

    @Test func blankLinesAreSkipped() throws {
        let w = try load(customers: "\n\nid,name\n\nC1,Alpha\r\n\r\n\nC2,Beta\n\n")
        #expect(w.customers.id == ["C1", "C2"])
    }

    @Test func currenciesAndMinorUnits() throws {
        let w = try load(
            customers: "id,name,currency,credit_limit\nJ1,Tokyo,JPY,1000000\nK1,Kuwait,kwd,1.5\nU1,US,USD,\n",
            invoices:
                "id,customer_id,issued,due,amount,currency\nI1,J1,2026-10-01,2026-10-31,5000,jpy\nI2,K1,2026-10-01,2026-10-31,0.125,KWD\n",
            payments: "id,customer_id,invoice_id,date,amount,currency\nP1,J1,I1,2026-10-02,5000,JPY\n")
        #expect(w.customers.currency.map(\.code) == ["JPY", "KWD", "USD"])
        #expect(w.customers.creditLimit == [1_000_000, 1500, nil])
        #expect(w.invoices.amount == [5000, 125])
        #expect(w.payments.amount == [5000])
        #expect(w.customers.sharedCurrency == nil)
    }

    @Test func customersShareACurrencyOrNot() throws {
        let invoices = "id,customer_id,issued,due,amount\n", payments = "id,customer_id,invoice_id,date,amount\n"
        let shared = try load(customers: "id,name,currency\nA,a,usd\nB,b,USD\n", invoices: invoices, payments: payments)
        #expect(shared.customers.sharedCurrency?.code == "USD")
        let none = try load(customers: "id,name\n", invoices: invoices, payments: payments)
        #expect(none.customers.sharedCurrency?.code == "CNY")
    }

    @Test(arguments: [
        ("true", true), ("TRUE", true), ("yes", true), ("Y", true), ("1", true), ("是", true), ("t", true),
        ("false", false), ("No", false), ("n", false), ("0", false), ("否", false), ("F", false), ("", false),
    ])
    func disputedFlags(text: String, disputed: Bool) throws {
        let w = try load(
            invoices: "id,customer_id,issued,due,amount,disputed\nI1,C1,2026-10-01,2026-10-31,1,\(text)\n",
            payments: "id,customer_id,date,amount\n")
        #expect(w.invoices.disputed == [disputed])
    }

    @Test func paymentsThatExactlySettleAnInvoiceInParts() throws {
        let w = try load(
            payments: """
                id,customer_id,invoice_id,date,amount,method
                P1,C1,I1,2026-10-20,400.00,银行转账
                P2,C1,I1,2026-10-25,600.00,wire
                P3,C1,,2026-10-26,99999.99,
                P4,C2,I2,2026-11-01,500,

                """)
        #expect(w.payments.id == ["P1", "P2", "P3", "P4"])
        #expect(w.payments.invoice == [0, 0, nil, 1])
        #expect(w.payments.amount == [40_000, 60_000, 9_999_999, 50_000])
        #expect(w.payments.carried.values("method") == ["银行转账", "wire", "-", "-"])
        #expect(w.invoices.id.rows == ["I1": 0, "I2": 1])
    }

    @Test func manyDistinctDatesAreEachReadRight() throws {
        // 2,000 distinct days in a scrambled order, each twice, through the loader's table of
        // recent dates (256 slots, so many share one): every one read as the day it names.
        var random = SplitMix64(seed: 5)
        let base = try day("2024-01-01")
        let days = (0..<4000).map { k in base.adding(days: Int64((k * 7919) % 2000)) }.compactMap { $0 }
        let rows = days.enumerated().map { k, d in "I\(k),C1,\(d),\(d),\(1 + random.below(9))\n" }
        let w = try load(invoices: "id,customer_id,issued,due,amount\n" + rows.joined(), payments: Fixture.noPayments)
        #expect(w.invoices.issued == days)
        // '2026-02-x0' shares its first eight bytes and its slot in the table with 2026-02-28,
        // read just before it: it is still an error, and so is a day that does not exist.
        let bad = loadErrors(
            invoices: "id,customer_id,issued,due,amount\nI1,C1,2026-02-28,2026-02-28,1\nI2,C1,2026-02-x0,2026-02-30,1\n",
            payments: Fixture.noPayments)
        #expect(bad.count == 2)
        #expect(bad.first?.contains("invoices.csv:3:7: error: expected a date like 2026-11-28, found '2026-02-x0'") == true)
        #expect(bad.last?.contains("invoices.csv:3:18: error: no such date '2026-02-30'") == true)
    }

    @Test func zeroAmountsAreAllowed() throws {
        let w = try load(
            invoices: "id,customer_id,issued,due,amount\nI1,C1,2026-10-01,2026-10-01,0\n",
            payments: "id,customer_id,date,amount\nP1,C1,2026-10-01,0.00\n")
        #expect(w.invoices.amount == [0])
        #expect(w.payments.amount == [0])
    }

    @Test func disputedAcceptsEveryFlagSpelling() throws {
        let w = try load(
            invoices: """
                id,customer_id,issued,due,amount,disputed
                I1,C1,2026-10-01,2026-10-31,1,Yes
                I2,C1,2026-10-01,2026-10-31,1,no
                I3,C1,2026-10-01,2026-10-31,1,是
                I4,C1,2026-10-01,2026-10-31,1,否
                I5,C1,2026-10-01,2026-10-31,1,1
                I6,C1,2026-10-01,2026-10-31,1,
                I7,C1,2026-10-01,2026-10-31,1,TRUE

                """, payments: "id,customer_id,date,amount\n")
        #expect(w.invoices.disputed == [true, false, true, false, true, false, true])
    }

    @Test func internalHelpers() {
        #expect(" \t a b \t".trimmingSpaces() == "a b")
        #expect("   ".trimmingSpaces() == "")
        // As Foundation's `.whitespaces` trims: tabs and space separators (the ideographic and
        // no-break spaces too), never a line break.
        for text in ["", " ", "a", " \t a b\u{3000}", "\u{A0}上海\u{2003}", "\n a \n", "\u{3000}\u{3000}", "x\u{200B}", " é "] {
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces), "\(text.unicodeScalars.map(\.value))")
        }
        let differ = (0...0xFFFF).compactMap(Unicode.Scalar.init).filter { u in
            let text = "a\(u)"
            return text.trimmingWhitespace() != text.trimmingCharacters(in: .whitespaces)
        }
        #expect(differ.isEmpty, "\(differ.map(\.value))")
        #expect(firstInvalid(Array("ok 上海".utf8)) == nil)
        #expect(firstInvalid([0x41, 0xC0, 0x80]) == 1)  // overlong
        #expect(firstInvalid([0xED, 0xA0, 0x80]) == 0)  // surrogate
        #expect(firstInvalid([0xF4, 0x90, 0x80, 0x80]) == 0)  // beyond U+10FFFF
        #expect(firstInvalid([0x41, 0xE4, 0xB8]) == 1)  // cut short
        #expect(firstInvalid([0x41, 0x00, 0x42]) == 1)  // NUL
        #expect(firstInvalid([0xEF, 0xBB, 0xBF, 0x41]) == nil)  // a BOM at the start
        #expect(firstInvalid([0x41, 0xEF, 0xBB, 0xBF]) == 1)  // one after it
        // Random bytes, mostly from the edges of UTF-8's ranges: readable exactly when Swift's
        // own decoder says so and there is no NUL and no BOM after the start, and the first
        // bad byte is where the readable prefix ends.
        func readable(_ bytes: ArraySlice<UInt8>) -> Bool {
            guard let text = String(validating: bytes, as: UTF8.self) else { return false }
            return !text.unicodeScalars.contains("\0") && !text.unicodeScalars.dropFirst().contains("\u{FEFF}")
        }
        var random = SplitMix64(seed: 7)
        let edges: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBB, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
            0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        for _ in 0..<20_000 {
            // Some ASCII first, so that bad bytes also come after eight read at once.
            let ascii = Array(repeating: UInt8(ascii: "a"), count: random.below(12))
            let bytes = ascii + (0..<random.below(7)).map { _ in random.pick(edges) }
            let bad = firstInvalid(bytes)
            #expect((bad == nil) == readable(bytes[...]), "\(bytes)")
            if let bad {
                #expect(readable(bytes[..<bad]), "\(bytes)")
            }
        }
        #expect(looksLikeGB([0xC9, 0xCF, 0xBA, 0xA3]))  // 上海
        #expect(looksLikeGB([0x81, 0x30, 0x81, 0x30]))  // four-byte form
        #expect(!looksLikeGB(Array("ascii only".utf8)))
        #expect(!looksLikeGB([0xFF, 0xFE]))
        #expect(!looksLikeGB([0xC9]))
    }
}
