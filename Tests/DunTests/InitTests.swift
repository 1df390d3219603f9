// `dun init`: a folder of exports looked at, and the dun.toml that reads them written.

import Foundation
import Testing

@Suite struct InitTests {
    /// A fresh folder holding copies of `files` (paths from the repository root).
    func folder(with files: [String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dun-init-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for file in files {
            let source = Paths.root.appendingPathComponent(file)
            try FileManager.default.copyItem(at: source, to: dir.appendingPathComponent(source.lastPathComponent))
        }
        return dir
    }

    func toml(_ dir: URL) throws -> String {
        try String(contentsOf: dir.appendingPathComponent("dun.toml"), encoding: .utf8)
    }

    /// A line-item export alone in its folder (the IBM sample's shape): after `dun init`,
    /// the workspace answers.
    @Test func aLineItemExportAnswersAfterInit() throws {
        let dir = try folder(with: ["examples/line-items/receivables.csv"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runDun(["init", dir.path])
        #expect(r.status == 0, "\(r.err)")
        #expect(
            try toml(dir) == """
                # dun.toml, written by `dun init` from the files in this folder. Each guess says why;
                # change what is wrong, then try: dun --data . -e 'invoices | count'

                [invoices]
                file = "receivables.csv"        # its header has 6 of the 8 fields of invoices
                dates = "%m/%d/%Y"               # dates such as '12/4/2024'

                [customers]
                from = "invoices"            # one line per invoice: its customer is column "customerID"

                [payments]
                from = "invoices"            # one line per invoice: its settlement is column "SettledDate"

                """)
        #expect(r.err.contains("payments: read from receivables.csv (each invoice with a SettledDate is paid in full that day)"))
        let count = try runDun(["--data", dir.path, "-e", "invoices | count"])
        #expect(count.status == 0 && count.out == "800\n", "\(count.err)")
    }

    /// A line-item export that flags the paid invoices (已核销) and gives no day of payment:
    /// `dun init` reads the payments from the flag and leaves the day to the person, who
    /// gives it once for all.
    @Test func aClearedFlagLeavesTheDayOfPaymentToThePerson() throws {
        let dir = try folder(with: ["Tests/DunTests/mappings/line-items-cleared/应收明细.csv"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runDun(["init", dir.path])
        #expect(r.status == 1)
        #expect(
            r.err.contains(
                "payments: read from 应收明细.csv (each invoice flagged in 已核销 is paid in full); it gives no day of payment: edit line 13 of dun.toml"
            ))
        let written = try toml(dir)
        let lines = written.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[10] == "from = \"invoices\"            # one line per invoice: column \"已核销\" flags the paid ones")
        #expect(lines[12].hasPrefix("# date = \"…\""))
        let undated = try runDun(["--data", dir.path, "-e", "payments | count"])
        #expect(undated.status == 1 && undated.err.contains("已核销 says which invoices are paid but not when"))
        try written.replacingOccurrences(of: "# date = \"…\"", with: "date = \"2026-11-27\" #").write(
            to: dir.appendingPathComponent("dun.toml"), atomically: true, encoding: .utf8)
        let paid = try runDun(["--data", dir.path, "-e", "payments | aggregate n = count(), total = sum(amount)"])
        #expect(paid.status == 0 && paid.out.contains("15,300.50"), "\(paid.err)")
    }

    /// An ERP's export — Chinese headers, a GB18030 CSV, workbooks — reads as examples/acme does.
    @Test func anERPExportReadsAsTheCSVsDo() throws {
        let dir = try folder(with: ["examples/acme-erp/客户.csv", "examples/acme-erp/应收明细.xlsx", "examples/acme-erp/收款.xlsx"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runDun(["init", dir.path])
        #expect(r.status == 0, "\(r.err)")
        let written = try toml(dir)
        #expect(written.contains("file = \"客户.csv\"") && written.contains("encoding = \"gb18030\""))
        #expect(written.contains("file = \"应收明细.xlsx\"") && written.contains("file = \"收款.xlsx\""))
        let query = ["--as-of", "2026-11-28", "-e", "customers where overdue > 30 | select id, overdue_balance"]
        let erp = try runDun(["--data", dir.path] + query)
        let acme = try runDun(["--data", "examples/acme"] + query)
        #expect(erp.status == 0 && erp.out == acme.out, "\(erp.err)")
    }

    /// What cannot be guessed is said, with the line of dun.toml to edit, and exit status 1.
    @Test func whatCannotBeGuessedIsSaid() throws {
        let dir = try folder(with: [])
        defer { try? FileManager.default.removeItem(at: dir) }
        try "Rechnungsnummer;Kunde;Datum;Betrag\nR1;K1;01.10.2026;\"1.234,50\"\n".write(
            to: dir.appendingPathComponent("rechnungen.csv"), atomically: true, encoding: .utf8)
        let r = try runDun(["init", dir.path])
        #expect(r.status == 1)
        #expect(r.err.contains("  invoices: no column found for id; edit line 9 of dun.toml\n"))
        let lines = try toml(dir).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[5] == "delimiter = \";\"            # its header has no commas")
        // The amounts are found by their values, and read with a decimal comma.
        #expect(lines[6].hasPrefix("decimal = \",\""))
        #expect(lines[8].hasPrefix("# id = \"…\""))
        #expect(lines[12].hasPrefix("amount = \"Betrag\""))
        // The file written is TOML that dun reads, and says what is missing when it loads.
        let load = try runDun(["--data", dir.path, "-e", "invoices | count"])
        #expect(load.status == 1 && load.err.hasPrefix("error: no customers.csv in workspace"), "\(load.err)")
        // A dun.toml that is there is kept, unless --force.
        let again = try runDun(["init", dir.path])
        #expect(again.status == 1 && again.err.contains("is there already"))
        #expect(try runDun(["init", "--force", dir.path]).status == 1)
    }

    /// Columns whose headers are none of the known names are guessed from their values:
    /// the earlier of two date columns is the issue date, a column of amounts the amount.
    @Test func datesAndAmountsAreGuessedFromTheirValues() throws {
        let dir = try folder(with: [])
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = [
            "customers.csv": "id,name\nK1,Alpha\nK2,Beta\n",
            "invoices.csv":
                "Doc No,Client,Booked,Payable,Sum\nD1,K1,2026/10/01,2026/10/31,\"1,234.50\"\nD2,K2,2026/10/05,2026/10/05,99.00\n",
            "payments.csv": "id,customer_id,invoice_id,date,amount\nP1,K1,D1,2026-11-01,100.00\n",
        ]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let r = try runDun(["init", dir.path])
        #expect(r.status == 0, "\(r.err)")
        let written = try toml(dir)
        #expect(written.contains("\nissued = \"Booked\"          # guessed from its values: dates such as '2026/10/01'"))
        #expect(written.contains("\ndue = \"Payable\"            # guessed from its values"))
        #expect(written.contains("\namount = \"Sum\"             # guessed from its values: amounts such as '1,234.50'"))
        #expect(r.err.contains("  invoices: due is column \"Payable\", guessed from its values; check line 8 of dun.toml\n"))
        let lines = written.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[7].hasPrefix("due = \"Payable\""))
        let total = try runDun(["--data", dir.path, "-e", "invoices | aggregate total = sum(amount), first = min(due)"])
        #expect(total.status == 0 && total.out.contains("1,333.50"), "\(total.out)\(total.err)")
        #expect(total.out.contains("2026-10-05"))

        // Two date columns in no one order on every row are not guessed.
        try "Doc No,Client,Booked,Payable,Sum\nD1,K1,2026/10/01,2026/10/31,1.00\nD2,K2,2026/10/05,2026/10/01,2.00\n".write(
            to: dir.appendingPathComponent("invoices.csv"), atomically: true, encoding: .utf8)
        let unsure = try runDun(["init", "--force", dir.path])
        #expect(unsure.status == 1)
        #expect(unsure.err.contains("  invoices: no column found for issued; edit line 7 of dun.toml\n"), "\(unsure.err)")
    }
}
