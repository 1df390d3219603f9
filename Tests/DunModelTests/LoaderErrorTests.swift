import DunCore
import Testing

@testable import DunModel

/// One test per class of bad input, each asserting the exact rendered diagnostic.
@Suite("WorkspaceLoader: bad input")
struct LoaderErrorTests {
    static let invoiceHeader = "id,customer_id,issued,due,amount\n"
    static let paymentHeader = "id,customer_id,invoice_id,date,amount\n"

    func invoiceErrors(_ row: String) -> [String] {
        loadErrors(invoices: Self.invoiceHeader + row + "\n", payments: Fixture.noPayments)
    }

    func paymentErrors(_ rows: String) -> [String] {
        loadErrors(payments: Self.paymentHeader + rows + "\n")
    }

    // MARK: bytes that pass for something else

    // Were accepted: a NUL went on into the messages sent, and a BOM inside a field made
    // `\u{FEFF}C1` a customer beside `C1`.
    @Test func aNulByteIsAnError() {
        let errors = invoiceErrors("I1,C1,2026-10-01,2026-10-31,1000.00\nI2,C1\u{0},2026-10-01,2026-10-31,1.00")
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("invoices.csv:3:6: error: a NUL byte (0x00) in the file\n") == true, "\(errors)")
        #expect(
            errors.first?.hasSuffix("hint: no export means one; the file may be damaged, or in UTF-16: save it as UTF-8\n")
                == true)
    }

    @Test func aByteOrderMarkInsideTheFileIsAnError() {
        #expect(
            loadErrors(customers: "\u{FEFF}id,name\nC1,Alpha\n\u{FEFF}C2,Beta\n") == [
                """
                customers.csv:3:1: error: a byte order mark (U+FEFF) inside the file
                \\u{feff}C2,Beta
                ^~~~~~~~
                hint: it is left where files saved with one were joined; remove it, or it becomes part of the value

                """
            ])
    }

    // MARK: dates

    @Test func unparseableDate() {
        #expect(
            invoiceErrors("I1,C1,Oct 1 2026,2026-10-31,1000.00") == [
                """
                invoices.csv:2:7: error: expected a date like 2026-11-28, found 'Oct 1 2026'
                I1,C1,Oct 1 2026,2026-10-31,1000.00
                      ^~~~~~~~~~
                hint: dates are year first (2026-11-28, 2026/11/28); another order goes in dun.toml: [invoices] dates = "%d-%m-%Y"

                """
            ])
    }

    @Test func dayFirstDateIsAFormatErrorNotAnImpossibleDate() {
        #expect(
            invoiceErrors("I1,C1,2026-10-01,28-11-2026,1000.00") == [
                """
                invoices.csv:2:18: error: expected a date like 2026-11-28, found '28-11-2026'
                I1,C1,2026-10-01,28-11-2026,1000.00
                                 ^~~~~~~~~~
                hint: dates are year first (2026-11-28, 2026/11/28); another order goes in dun.toml: [invoices] dates = "%d-%m-%Y"

                """
            ])
    }

    @Test func impossibleDate() {
        #expect(
            invoiceErrors("I1,C1,2026-02-01,2026-02-30,1000.00") == [
                """
                invoices.csv:2:18: error: no such date '2026-02-30'
                I1,C1,2026-02-01,2026-02-30,1000.00
                                 ^~~~~~~~~~

                """
            ])
    }

    @Test func emptyDate() {
        #expect(
            paymentErrors("P1,C1,I1,,400.00") == [
                """
                payments.csv:2:10: error: empty date
                P1,C1,I1,,400.00
                         ^

                """
            ])
    }

    @Test func dueBeforeIssued() {
        #expect(
            invoiceErrors("I1,C1,2026-10-31,2026-10-01,1000.00") == [
                """
                invoices.csv:2:18: error: due date 2026-10-01 is before the issue date 2026-10-31
                I1,C1,2026-10-31,2026-10-01,1000.00
                                 ^~~~~~~~~~

                """
            ])
    }

    // MARK: amounts

    @Test func unparseableAmount() {
        #expect(
            invoiceErrors("I1,C1,2026-10-01,2026-10-31,12abc") == [
                """
                invoices.csv:2:29: error: expected an amount, found '12abc'
                I1,C1,2026-10-01,2026-10-31,12abc
                                            ^~~~~
                hint: amounts look like 1234.56

                """
            ])
    }

    @Test func amountWithThousandsSeparator() {
        #expect(
            invoiceErrors("I1,C1,2026-10-01,2026-10-31,\"1,23.50\"") == [
                """
                invoices.csv:2:29: error: expected an amount, found '1,23.50'
                I1,C1,2026-10-01,2026-10-31,"1,23.50"
                                            ^~~~~~~~~
                hint: amounts look like 1234.56 or 1,234.56; if the comma is the decimal mark, say so in dun.toml: [invoices] decimal = ","

                """
            ])
    }

    @Test func amountWithTooManyDecimals() {
        #expect(
            invoiceErrors("I1,C1,2026-10-01,2026-10-31,12.345") == [
                """
                invoices.csv:2:29: error: amount '12.345' has more decimals than CNY allows (2)
                I1,C1,2026-10-01,2026-10-31,12.345
                                            ^~~~~~

                """
            ])
    }

    /// An invoice may be negative (a credit note); a payment may not, nor be applied to one.
    @Test func negativeAmount() throws {
        let credit = try WorkspaceLoader.load(
            customers: Fixture.customers, invoices: Self.invoiceHeader + "I1,C1,2026-10-01,2026-10-31,-5.00\n",
            payments: Fixture.noPayments)
        #expect(credit.invoices.amount == [-500])
        #expect(
            loadErrors(payments: "id,customer_id,invoice_id,date,amount\nP1,C1,I1,2026-10-20,-5.00\n") == [
                """
                payments.csv:2:21: error: negative amount '-5.00'
                P1,C1,I1,2026-10-20,-5.00
                                    ^~~~~
                hint: a credit note is an invoice with a negative amount; a refund is not a payment

                """
            ])
        #expect(
            loadErrors(
                invoices: Self.invoiceHeader + "I1,C1,2026-10-01,2026-10-31,\"(5.00)\"\n",
                payments: "id,customer_id,invoice_id,date,amount\nP1,C1,I1,2026-10-20,1.00\n") == [
                    """
                    payments.csv:2:7: error: invoice I1 is a credit note: nothing is paid on it
                    P1,C1,I1,2026-10-20,1.00
                          ^~
                    hint: a payment that a credit note settles names the invoice it pays; a refund is not a payment

                    """
                ])
    }

    @Test func amountTooLarge() {
        #expect(
            invoiceErrors("I1,C1,2026-10-01,2026-10-31,99999999999999999999") == [
                """
                invoices.csv:2:29: error: amount '99999999999999999999' is too large
                I1,C1,2026-10-01,2026-10-31,99999999999999999999
                                            ^~~~~~~~~~~~~~~~~~~~

                """
            ])
    }

    @Test func emptyRequiredAmount() {
        #expect(
            invoiceErrors("I1,C1,2026-10-01,2026-10-31,") == [
                """
                invoices.csv:2:29: error: empty amount
                I1,C1,2026-10-01,2026-10-31,
                                            ^

                """
            ])
    }

    @Test func badCreditLimitAndTerms() {
        #expect(
            loadErrors(customers: "id,name,credit_limit,terms_days\nC1,Alpha,5.001,30d\n") == [
                """
                customers.csv:2:10: error: credit limit '5.001' has more decimals than CNY allows (2)
                C1,Alpha,5.001,30d
                         ^~~~~

                """,
                """
                customers.csv:2:16: error: expected a whole number of days, found '30d'
                C1,Alpha,5.001,30d
                               ^~~

                """,
            ])
    }

    @Test func jpyAmountWithDecimals() {
        #expect(
            loadErrors(
                customers: "id,name,currency\nJ1,Tokyo,JPY\n",
                invoices: Self.invoiceHeader + "I1,J1,2026-10-01,2026-10-31,100.5\n", payments: Fixture.noPayments) == [
                    """
                    invoices.csv:2:29: error: amount '100.5' has more decimals than JPY allows (0)
                    I1,J1,2026-10-01,2026-10-31,100.5
                                                ^~~~~

                    """
                ])
    }

    @Test func badDisputedFlag() {
        #expect(
            loadErrors(
                invoices: "id,customer_id,issued,due,amount,disputed\nI1,C1,2026-10-01,2026-10-31,1,maybe\n",
                payments: Fixture.noPayments) == [
                    """
                    invoices.csv:2:31: error: expected true or false, found 'maybe'
                    I1,C1,2026-10-01,2026-10-31,1,maybe
                                                  ^~~~~
                    hint: also accepted: yes/no, y/n, 1/0, 是/否

                    """
                ])
    }

    // MARK: customers

    @Test func unknownGrade() {
        #expect(
            loadErrors(customers: "id,name,grade\nC1,Alpha,F\n") == [
                """
                customers.csv:2:10: error: unknown grade 'F'
                C1,Alpha,F
                         ^
                hint: grades are A (best) to E (worst)

                """
            ])
    }

    @Test func duplicateCustomerID() {
        #expect(
            loadErrors(customers: "id,name\nC1,Alpha\nC1,Beta\n") == [
                """
                customers.csv:3:1: error: duplicate customer id 'C1'
                C1,Beta
                ^~
                hint: each customer id may appear once

                """
            ])
    }

    @Test func emptyCustomerID() {
        #expect(
            loadErrors(customers: "id,name\n,Alpha\n") == [
                """
                customers.csv:2:1: error: empty customer id
                ,Alpha
                ^

                """
            ])
    }

    @Test func unknownCurrency() {
        #expect(
            loadErrors(customers: "id,name,currency\nC1,Alpha,XYZ\n") == [
                """
                customers.csv:2:10: error: unknown currency 'XYZ'
                C1,Alpha,XYZ
                         ^~~
                hint: currencies are ISO 4217 codes such as CNY, USD, EUR

                """
            ])
    }

    @Test func misspeltCurrency() {
        #expect(
            loadErrors(customers: "id,name,currency\nC1,Alpha,usdd\n") == [
                """
                customers.csv:2:10: error: unknown currency 'usdd'
                C1,Alpha,usdd
                         ^~~~
                hint: did you mean 'USD'?

                """
            ])
    }

    @Test func renminbiIsNotTheRuble() {
        // RMB is one edit from RUB, but a Chinese ledger writing RMB means CNY.
        #expect(
            loadErrors(customers: "id,name,currency\nC1,Alpha,RMB\n") == [
                """
                customers.csv:2:10: error: unknown currency 'RMB'
                C1,Alpha,RMB
                         ^~~
                hint: the ISO 4217 code of the renminbi is CNY

                """
            ])
    }

    // MARK: invoices

    @Test func duplicateInvoiceID() {
        #expect(
            loadErrors(
                invoices: Self.invoiceHeader + "I1,C1,2026-10-01,2026-10-31,1\nI1,C2,2026-10-05,2026-11-04,2\n",
                payments: Fixture.noPayments) == [
                    """
                    invoices.csv:3:1: error: duplicate invoice id 'I1'
                    I1,C2,2026-10-05,2026-11-04,2
                    ^~
                    hint: each invoice id may appear once

                    """
                ])
    }

    @Test func invoiceForAnUnknownCustomer() {
        #expect(
            loadErrors(
                customers: "id,name\nCUST-001,Alpha\nCUST-002,Beta\n",
                invoices: Self.invoiceHeader + "I1,CUST-01,2026-10-01,2026-10-31,1\nI2,ACME,2026-10-01,2026-10-31,1\n",
                payments: Fixture.noPayments) == [
                    """
                    invoices.csv:2:4: error: no customer 'CUST-01' in customers.csv
                    I1,CUST-01,2026-10-01,2026-10-31,1
                       ^~~~~~~
                    hint: did you mean 'CUST-001'?

                    """,
                    """
                    invoices.csv:3:4: error: no customer 'ACME' in customers.csv
                    I2,ACME,2026-10-01,2026-10-31,1
                       ^~~~

                    """,
                ])
    }

    /// An invoice may be in another currency than its customer's; a payment on it is in
    /// its currency unless the row names another, which is an error.
    @Test func anInvoiceMayBeInAnotherCurrency() throws {
        let invoices =
            "id,customer_id,issued,due,amount,currency\nI1,C1,2026-10-01,2026-10-31,1000.00,USD\nI2,C1,2026-10-01,2026-10-31,10,\n"
        let w = try load(invoices: invoices, payments: "id,customer_id,invoice_id,date,amount\nP1,C1,I1,2026-10-20,400.00\n")
        #expect(w.invoices.currency == [.usd, .cny])
        #expect(w.invoices.anyForeign)
        #expect(w.payments.currency == [.usd])
        #expect(
            loadErrors(
                invoices: invoices, payments: "id,customer_id,invoice_id,date,amount,currency\nP1,C1,I1,2026-10-20,400.00,CNY\n")
                == [
                    """
                    payments.csv:2:28: error: payment in CNY on invoice I1, which is in USD
                    P1,C1,I1,2026-10-20,400.00,CNY
                                               ^~~
                    hint: a payment is in the currency of the invoice it pays; cash in another currency is unapplied

                    """
                ])
    }

    // MARK: payments

    @Test func paymentForAnUnknownInvoice() {
        #expect(
            paymentErrors("P1,C1,I3,2026-10-20,1\nP2,C1,INV-9,2026-10-20,1") == [
                """
                payments.csv:2:7: error: no invoice 'I3' in invoices.csv
                P1,C1,I3,2026-10-20,1
                      ^~
                hint: did you mean 'I1'?

                """,
                """
                payments.csv:3:7: error: no invoice 'INV-9' in invoices.csv
                P2,C1,INV-9,2026-10-20,1
                      ^~~~~

                """,
            ])
    }

    @Test func paymentForAnUnknownCustomer() {
        #expect(
            paymentErrors("P1,C9,,2026-10-20,1") == [
                """
                payments.csv:2:4: error: no customer 'C9' in customers.csv
                P1,C9,,2026-10-20,1
                   ^~
                hint: did you mean 'C1'?

                """
            ])
    }

    @Test func paymentWhoseInvoiceBelongsToAnotherCustomer() {
        #expect(
            paymentErrors("P1,C2,I1,2026-10-20,1") == [
                """
                payments.csv:2:7: error: invoice 'I1' belongs to customer C1, not to this payment's customer
                P1,C2,I1,2026-10-20,1
                      ^~

                """
            ])
    }

    @Test func aPaymentOnAnotherCustomersInvoiceCountsForNoTotal() {
        // Checked once the file is read, it is kept meanwhile; its amount must not make the
        // owner's own payment of the whole invoice (1000.00) look like too much.
        #expect(
            paymentErrors("P1,C2,I1,2026-10-20,999.00\nP2,C1,I1,2026-10-21,1000.00") == [
                """
                payments.csv:2:7: error: invoice 'I1' belongs to customer C1, not to this payment's customer
                P1,C2,I1,2026-10-20,999.00
                      ^~

                """
            ])
    }

    /// Such a payment is not kept, as before the check came after the file: its id is given
    /// twice by no one, and its problem comes before a malformed record's after it.
    @Test(arguments: [
        ("P1,C2,I1,2026-10-20,10.00\nP1,C1,I1,2026-10-21,10.00", ["2:7: error: invoice 'I1' belongs"]),
        ("P1,C1,I1,2026-10-20,10.00\nP1,C2,I1,2026-10-21,10.00", ["3:7: error: invoice 'I1' belongs"]),
        (
            "P1,C2,I1,2026-10-20,10.00\nP1,C1,I1,2026-10-21,1000.00\nP2,C1,I1,2026-10-22,50.00",
            ["2:7: error: invoice 'I1' belongs", "4:21: error: payment of 50.00 is more than what is left"]
        ),
        (
            "P1,C2,I1,2026-10-20,10.00\nP2,C1,\"I1\"x,2026-10-21,10.00",
            ["2:7: error: invoice 'I1' belongs", "3:11: error: unexpected character after a quoted field"]
        ),
    ])
    func aPaymentOnAnotherCustomersInvoiceIsNotKept(rows: String, starts: [String]) {
        let errors = paymentErrors(rows)
        #expect(errors.count == starts.count, "\(errors)")
        for (error, start) in zip(errors, starts) {
            #expect(error.hasPrefix("payments.csv:" + start), "\(error)")
        }
    }

    @Test func paymentsNotKeptStillHaveTheirInvoiceChecked() {
        // A payment with a bad date is not kept, yet its invoice is checked: its errors come
        // in the order of its fields, though the invoice's customer is compared after the
        // date is read.
        #expect(
            paymentErrors("P1,C2,I1,2026-13-01,1\nP2,C1,I9,bad,1\nP3,C1,I1,2026-10-05,1") == [
                """
                payments.csv:2:7: error: invoice 'I1' belongs to customer C1, not to this payment's customer
                P1,C2,I1,2026-13-01,1
                      ^~

                """,
                """
                payments.csv:2:10: error: no such date '2026-13-01'
                P1,C2,I1,2026-13-01,1
                         ^~~~~~~~~~

                """,
                """
                payments.csv:3:7: error: no invoice 'I9' in invoices.csv
                P2,C1,I9,bad,1
                      ^~
                hint: did you mean 'I1'?

                """,
                """
                payments.csv:3:10: error: expected a date like 2026-11-28, found 'bad'
                P2,C1,I9,bad,1
                         ^~~
                hint: dates are year first (2026-11-28, 2026/11/28); another order goes in dun.toml: [payments] dates = "%d-%m-%Y"

                """,
            ])
    }

    /// Unapplied cash may be in another currency than its customer's.
    @Test func unappliedCashMayBeInAnotherCurrency() throws {
        let w = try load(payments: "id,customer_id,date,amount,currency\nP1,C1,2026-10-20,1,EUR\n")
        #expect(w.payments.currency == [.eur])
        #expect(!w.invoices.anyForeign)
    }

    @Test func paymentLargerThanTheInvoice() {
        #expect(
            paymentErrors("P1,C1,I1,2026-10-20,1500.00") == [
                """
                payments.csv:2:21: error: payment of 1,500.00 is more than what is left on invoice I1: 1,000.00
                P1,C1,I1,2026-10-20,1500.00
                                    ^~~~~~~
                hint: an overpayment belongs in a separate row without invoice_id (unapplied cash)

                """
            ])
    }

    @Test func twoPaymentsTogetherLargerThanTheInvoice() {
        #expect(
            paymentErrors("P1,C1,I1,2026-10-20,600.00\nP2,C1,I1,2026-10-25,600.00\nP3,C1,I1,2026-10-26,400.00") == [
                """
                payments.csv:3:21: error: payment of 600.00 is more than what is left on invoice I1: 400.00 (already paid: 600.00)
                P2,C1,I1,2026-10-25,600.00
                                    ^~~~~~
                hint: an overpayment belongs in a separate row without invoice_id (unapplied cash)

                """
            ])
    }

    @Test func rejectedOverpaymentDoesNotCountAsPaid() {
        // P2 is refused; P3 then settles exactly what P1 left, so only P2 is reported.
        let errors = paymentErrors("P1,C1,I1,2026-10-20,999.99\nP2,C1,I1,2026-10-25,0.02\nP3,C1,I1,2026-10-26,0.01")
        #expect(
            errors == [
                """
                payments.csv:3:21: error: payment of 0.02 is more than what is left on invoice I1: 0.01 (already paid: 999.99)
                P2,C1,I1,2026-10-25,0.02
                                    ^~~~
                hint: an overpayment belongs in a separate row without invoice_id (unapplied cash)

                """
            ])
    }

    @Test func duplicatePaymentID() {
        #expect(
            paymentErrors("P1,C1,I1,2026-10-20,1\nP1,C1,I1,2026-10-21,1") == [
                """
                payments.csv:3:1: error: duplicate payment id 'P1'
                P1,C1,I1,2026-10-21,1
                ^~
                hint: each payment id may appear once, or on several rows with the same customer and date, each for another invoice (a payment split over invoices)

                """
            ])
    }

    /// One payment split over several invoices repeats its id, with the same customer and
    /// date; the same invoice twice, or another customer or date, is an id given twice.
    @Test func aPaymentSplitOverInvoicesRepeatsItsID() throws {
        let invoices =
            Self.invoiceHeader
            + "I1,C1,2026-10-01,2026-10-31,100.00\nI2,C1,2026-10-01,2026-10-31,50.00\nI3,C2,2026-10-01,2026-10-31,10.00\n"
        let split = try WorkspaceLoader.load(
            customers: Fixture.customers, invoices: invoices,
            payments: "id,customer_id,invoice_id,date,amount\nP1,C1,I1,2026-10-20,100.00\nP1,C1,I2,2026-10-20,50.00\n")
        #expect(split.payments.count == 2 && split.payments.invoice[0] == 0 && split.payments.invoice[1] == 1)
        for (rows, line) in [
            ("P1,C1,I1,2026-10-20,60.00\nP1,C1,I1,2026-10-20,40.00", 3),
            ("P1,C1,I1,2026-10-20,60.00\nP1,C1,I2,2026-10-21,40.00", 3),
            ("P1,C1,I1,2026-10-20,60.00\nP1,C1,I2,2026-10-20,40.00\nP1,C1,I1,2026-10-20,1.00", 4),
            ("P1,C1,I1,2026-10-20,60.00\nP1,C2,I3,2026-10-20,1.00", 3),
        ] {
            #expect(
                loadErrors(invoices: invoices, payments: "id,customer_id,invoice_id,date,amount\n" + rows + "\n").map {
                    $0.split(separator: "\n")[0]
                } == ["payments.csv:\(line):1: error: duplicate payment id 'P1'"], "\(rows)")
        }
    }

    @Test func aRowNotKeptIsNotComparedWithTheOthers() {
        // A payment whose invoice is unknown is not kept, as one with an unknown customer or
        // a bad date is not: its id is not compared with the other payments' ids, quoted
        // invoice id or not.
        for invoice in ["I9", "\"I9\""] {
            #expect(
                paymentErrors("P1,C1,I1,2026-10-20,1\nP1,C1,\(invoice),2026-10-21,1").map { $0.split(separator: "\n")[0] } == [
                    "payments.csv:3:7: error: no invoice 'I9' in invoices.csv"
                ])
        }
    }

    // MARK: CSV structure

    @Test func tooManyFields() {
        #expect(
            loadErrors(customers: "id,name\nC1,Alpha,extra\nC2,Beta,F,G\n") == [
                """
                customers.csv:2:10: error: expected 2 fields as in the header, found 3
                C1,Alpha,extra
                         ^~~~~
                hint: a field with a comma in it must be quoted

                """
            ])
    }

    @Test func tooFewFields() {
        #expect(
            loadErrors(customers: "id,name,grade\nC1,Alpha\n") == [
                """
                customers.csv:2:4: error: expected 3 fields as in the header, found 2
                C1,Alpha
                   ^~~~~

                """
            ])
    }

    @Test func unterminatedQuote() {
        #expect(
            loadErrors(customers: "id,name\nC1,\"Alpha\nC2,Beta\n") == [
                """
                customers.csv:2:4: error: unterminated quoted field
                C1,"Alpha
                   ^
                hint: every opening quote needs a closing quote

                """
            ])
    }

    @Test func quoteInsideAnUnquotedField() {
        #expect(
            loadErrors(customers: "id,name\nC1,Al\"pha\n") == [
                """
                customers.csv:2:6: error: a quote inside an unquoted field
                C1,Al"pha
                     ^
                hint: quote the whole field and double the quote: \"say \"\"hi\"\"\"

                """
            ])
    }

    @Test func textAfterAClosingQuote() {
        #expect(
            loadErrors(customers: "id,name\nC1,\"Alpha\" Ltd\n") == [
                """
                customers.csv:2:11: error: unexpected character after a quoted field
                C1,"Alpha" Ltd
                          ^
                hint: a quoted field must end at a comma or the end of the line

                """
            ])
    }

    @Test func missingRequiredColumnWithHint() {
        #expect(
            loadErrors(invoices: "id,customer_id,issued,due,amout\nI1,C1,2026-10-01,2026-10-31,1\n") == [
                """
                invoices.csv:1:1: error: missing required column 'amount'
                id,customer_id,issued,due,amout
                ^
                hint: did you mean 'amount' instead of 'amout'?

                """
            ])
    }

    @Test func missingRequiredColumnsWithTwoHints() {
        #expect(
            loadErrors(invoices: "id,customer_id,isued,due,amout\n") == [
                """
                invoices.csv:1:1: error: missing required columns 'issued', 'amount'
                id,customer_id,isued,due,amout
                ^
                hint: did you mean 'issued' instead of 'isued', 'amount' instead of 'amout'?

                """
            ])
    }

    @Test func missingRequiredColumnsWithoutNearName() {
        #expect(
            loadErrors(payments: "id,purchaser,,note\n") == [
                """
                payments.csv:1:1: error: missing required columns 'customer_id', 'date', 'amount'
                id,purchaser,,note
                ^
                hint: the header has: id, purchaser, note; dun.toml can say which is which: [payments.columns] customer_id = "…"

                """
            ])
    }

    @Test func missingRequiredColumnOnAHeaderAfterBlankLines() {
        #expect(
            loadErrors(customers: "\n\nid,nmae\nC1,Alpha\n") == [
                """
                customers.csv:3:1: error: missing required column 'name'
                id,nmae
                ^
                hint: did you mean 'name' instead of 'nmae'?

                """
            ])
    }

    @Test func duplicateHeaderColumn() {
        #expect(
            loadErrors(customers: "id,name,ID\nC1,Alpha,C1\n") == [
                """
                customers.csv:1:9: error: column 'id' appears twice in the header (also column 1)
                id,name,ID
                        ^~

                """
            ])
    }

    @Test func duplicateHeaderColumnAfterAByteOrderMark() {
        // The mark is not a character of the line: the column and the line shown ignore it.
        #expect(
            loadErrors(customers: "\u{FEFF}id,name,ID\nC1,Alpha,C1\n") == [
                """
                customers.csv:1:9: error: column 'id' appears twice in the header (also column 1)
                id,name,ID
                        ^~

                """
            ])
    }

    @Test func missingColumnAfterAByteOrderMark() {
        #expect(
            loadErrors(customers: "\u{FEFF}id\nC1\n") == [
                """
                customers.csv:1:1: error: missing required column 'name'
                id
                ^
                hint: the header has: id; dun.toml can say which is which: [customers.columns] name = "…"

                """
            ])
    }

    @Test func emptyFile() {
        #expect(loadErrors(customers: "") == ["customers.csv: error: file is empty; expected a header row\n"])
        #expect(
            loadErrors(invoices: "\r\n\n", payments: Fixture.noPayments) == [
                "invoices.csv: error: file is empty; expected a header row\n"
            ])
        #expect(loadErrors(payments: "\u{FEFF}") == ["payments.csv: error: file is empty; expected a header row\n"])
    }

    @Test func crlfLinesAreShownWithoutTheCarriageReturn() {
        #expect(
            loadErrors(customers: "id,name,grade\r\nC1,Alpha,A\r\nC2,Beta,G\r\n") == [
                "customers.csv:3:9: error: unknown grade 'G'\nC2,Beta,G\n        ^\nhint: grades are A (best) to E (worst)\n"
            ])
    }

    // MARK: line numbers

    @Test func lineNumbersStayRightAfterAQuotedNewline() {
        #expect(
            loadErrors(customers: "id,name,grade\nC1,\"Alpha\nTrading\nLtd\",A\nC2,Beta,F\n") == [
                """
                customers.csv:5:9: error: unknown grade 'F'
                C2,Beta,F
                        ^
                hint: grades are A (best) to E (worst)

                """
            ])
    }

    @Test func errorAfterAQuotedNewlineInTheSameRecord() {
        #expect(
            loadErrors(customers: "id,name,grade\r\nC1,\"Alpha\r\nLtd\",Q\r\n") == [
                """
                customers.csv:3:6: error: unknown grade 'Q'
                Ltd",Q
                     ^
                hint: grades are A (best) to E (worst)

                """
            ])
    }

    @Test func errorOnAQuotedFieldThatSpansLinesPointsAtItsFirstLine() {
        do {
            _ = try WorkspaceLoader.load(
                customers: "id,name\n\"C\n1\",A\n\"C\n1\",B\n", invoices: Fixture.invoices, payments: Fixture.payments)
            Issue.record("the load should have failed")
        } catch {
            #expect(withoutUncheckedNotes(error.all).count == 1)
            #expect(error.all.first?.message == "duplicate customer id 'C\n1'")
            #expect(error.all.first?.position == Position(line: 4, column: 1, lineText: "\"C", length: 2))
        }
    }

    // MARK: many errors

    @Test func everyBadRowIsReported() {
        let errors = loadErrors(customers: "id,name,grade\nC1,Alpha,F\nC2,Beta,B\nC3,Gamma,G\nC4,Delta,H\n")
        #expect(
            errors == [
                "customers.csv:2:10: error: unknown grade 'F'\nC1,Alpha,F\n         ^\nhint: grades are A (best) to E (worst)\n",
                "customers.csv:4:10: error: unknown grade 'G'\nC3,Gamma,G\n         ^\nhint: grades are A (best) to E (worst)\n",
                "customers.csv:5:10: error: unknown grade 'H'\nC4,Delta,H\n         ^\nhint: grades are A (best) to E (worst)\n",
            ])
    }

    @Test func everyBadFieldOfARowIsReported() {
        #expect(
            loadErrors(customers: "id,name,grade,currency\nC1,Alpha,F,XYZ\n") == [
                "customers.csv:2:12: error: unknown currency 'XYZ'\nC1,Alpha,F,XYZ\n           ^~~\nhint: currencies are ISO 4217 codes such as CNY, USD, EUR\n",
                "customers.csv:2:10: error: unknown grade 'F'\nC1,Alpha,F,XYZ\n         ^\nhint: grades are A (best) to E (worst)\n",
            ])
    }

    @Test func errorsInInvoicesAcrossRows() {
        let errors = loadErrors(
            invoices: Self.invoiceHeader
                + "I1,C1,2026-10-01,2026-10-31,x\nI2,C7,2026-10-01,2026-10-31,1\nI3,C1,2026-10-01,2026-10-31,1\nI4,C1,2026-13-01,2026-10-31,1\n",
            payments: Fixture.noPayments)
        #expect(errors.count == 3)
        #expect(
            errors.map { $0.prefix(while: { $0 != "\n" }) } == [
                "invoices.csv:2:29: error: expected an amount, found 'x'",
                "invoices.csv:3:4: error: no customer 'C7' in customers.csv",
                "invoices.csv:5:7: error: no such date '2026-13-01'",
            ])
    }

    /// Every file is read and checked in one run, whatever the files before it hold; a
    /// reference to a file with errors is not checked (the id may be on a row with an
    /// error), and a note says how many were not.
    @Test func errorsInEveryFileAreToldInOneRun() throws {
        do {
            _ = try WorkspaceLoader.load(
                customers: "id,name,grade\nC1,Alpha,F\nC2,Beta,B\n",
                invoices: Self.invoiceHeader
                    + "I1,C9,bad,2026-10-31,1\nI2,C2,2026-10-01,2026-10-31,x\nI3,C2,2026-10-01,2026-10-31,1\n",
                payments:
                    "id,customer_id,invoice_id,date,amount\nP1,C1,,2026-10-20,1.00\nP2,C2,I3,2026-10-20,1.00\nP2,C2,I3,2026-10-21,bad\n"
            )
            Issue.record("the load should have failed")
        } catch {
            #expect(
                error.all.map { $0.rendered.prefix(while: { $0 != "\n" }) } == [
                    "customers.csv:2:10: error: unknown grade 'F'",
                    "invoices.csv:2:7: error: expected a date like 2026-11-28, found 'bad'",
                    "invoices.csv:3:29: error: expected an amount, found 'x'",
                    "invoices.csv: note: 1 reference to customers.csv not checked, since it has errors",
                    "payments.csv:4:21: error: expected an amount, found 'bad'",
                    "payments.csv: note: 1 reference to customers.csv or invoices.csv not checked, since they have errors",
                ])
        }
    }

    @Test func atMostFiftyErrorsThenANote() {
        let rows = (1...53).map { "C\($0),Name,F\n" }.joined()
        let errors = loadErrors(customers: "id,name,grade\n" + rows)
        #expect(errors.count == 51)
        #expect(
            errors.first
                == "customers.csv:2:9: error: unknown grade 'F'\nC1,Name,F\n        ^\nhint: grades are A (best) to E (worst)\n")
        #expect(errors[49].hasPrefix("customers.csv:51:10: error: unknown grade 'F'\nC50,Name,F\n"))
        #expect(errors.last == "note: 3 more errors not shown\n")
        #expect(WorkspaceLoader.maxErrors == 50)
    }

    @Test func oneMoreErrorIsSingular() {
        let rows = (1...51).map { "C\($0),Name,F\n" }.joined()
        let errors = loadErrors(customers: "id,name,grade\n" + rows)
        #expect(errors.count == 51)
        #expect(errors.last == "note: 1 more error not shown\n")
    }

    @Test func exactlyFiftyErrorsHaveNoNote() {
        let rows = (1...50).map { "C\($0),Name,F\n" }.joined()
        let errors = loadErrors(customers: "id,name,grade\n" + rows)
        #expect(errors.count == 50)
        #expect(errors.last?.hasPrefix("customers.csv:51:10: error") == true)
    }

    @Test func diagnosticsAreErrorsWithFileAndPosition() {
        do {
            _ = try WorkspaceLoader.load(
                customers: "id,name,grade\nC1,Alpha,F\n", invoices: Self.invoiceHeader, payments: Fixture.noPayments)
            Issue.record("the load should have failed")
        } catch {
            #expect(error.all.count == 1)
            let d = error.all[0]
            #expect(d.severity == .error)
            #expect(d.file == "customers.csv")
            #expect(d.position == Position(line: 2, column: 10, lineText: "C1,Alpha,F", length: 1))
            #expect(d.message == "unknown grade 'F'")
            #expect(d.hint == "grades are A (best) to E (worst)")
        }
    }
}
