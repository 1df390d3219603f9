import DunCore
import Foundation
import Testing

@testable import DunModel

/// `WorkspaceLoader.load(directory:)`: real files in a temporary folder.
@Suite("WorkspaceLoader: folders")
struct DirectoryLoaderTests {

    @Test func loadsAFolder() throws {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace()
        let w = try WorkspaceLoader.load(directory: folder.path)
        #expect(w.customers.id == ["C1", "C2"])
        #expect(w.invoices.id == ["I1", "I2"])
        #expect(w.payments.amount == [40_000])
        // A trailing slash is the same folder.
        let again = try WorkspaceLoader.load(directory: folder.path + "/")
        #expect(again.customers.id == ["C1", "C2"])
    }

    @Test func missingFolder() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/nope"
        #expect(
            loadErrors(directory: path) == [
                "error: no workspace folder '\(path)'\nhint: give the folder with --data DIR\n"
            ])
    }

    @Test func aFileIsNotAFolder() throws {
        let folder = try TemporaryFolder()
        try folder.write("customers.csv", Fixture.customers)
        let path = folder.path + "/customers.csv"
        #expect(
            loadErrors(directory: path) == [
                "error: no workspace folder '\(path)'\nhint: give the folder with --data DIR\n"
            ])
    }

    @Test func anEmptyFileOnDiskSaysSo() throws {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace(invoices: "")
        #expect(
            loadErrors(directory: folder.path) == ["\(folder.path)/invoices.csv: error: file is empty; expected a header row\n"])
    }

    @Test func aFolderNamedLikeAFileCannotBeRead() throws {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace()
        try FileManager.default.removeItem(atPath: folder.path + "/payments.csv")
        try FileManager.default.createDirectory(atPath: folder.path + "/payments.csv", withIntermediateDirectories: false)
        #expect(loadErrors(directory: folder.path) == ["\(folder.path)/payments.csv: error: cannot read payments.csv\n"])
    }

    @Test func missingPaymentsFile() throws {
        let folder = try TemporaryFolder()
        try folder.write("customers.csv", Fixture.customers)
        try folder.write("invoices.csv", Fixture.invoices)
        #expect(
            loadErrors(directory: folder.path) == [
                """
                error: no payments.csv in workspace '\(folder.path)'
                hint: a workspace holds customers.csv, invoices.csv and payments.csv, or names its files in dun.toml: [payments] file = "…"

                """
            ])
    }

    @Test func everyMissingFileIsReportedAtOnce() throws {
        let folder = try TemporaryFolder()
        try folder.write("payments.csv", Fixture.payments)
        #expect(
            loadErrors(directory: folder.path + "/")
                == ["customers", "invoices"].map { table in
                    """
                    error: no \(table).csv in workspace '\(folder.path)/'
                    hint: a workspace holds customers.csv, invoices.csv and payments.csv, or names its files in dun.toml: [\(table)] file = "…"

                    """
                })
    }

    @Test func diagnosticsNameTheFileByItsPath() throws {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace(invoices: "id,customer_id,issued,due,amount\nI1,C1,2026-10-01,2026-10-31,1,2\n")
        #expect(
            loadErrors(directory: folder.path) == [
                """
                \(folder.path)/invoices.csv:2:31: error: expected 5 fields as in the header, found 6
                I1,C1,2026-10-01,2026-10-31,1,2
                                              ^
                hint: a field with a comma in it must be quoted

                """
            ])
    }

    @Test func fileThatIsNotUTF8() throws {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace()
        // Valid lines, then two bytes that are neither UTF-8 nor GB18030 on line 3.
        let bytes = Array("id,name\nC1,Alpha\nC2,B".utf8) + [0xFF, 0xFE] + Array("ta\n".utf8)
        try folder.write("customers.csv", bytes: bytes)
        let file = folder.path + "/customers.csv"
        #expect(
            loadErrors(directory: folder.path) == [
                """
                \(file):3:5: error: file is not UTF-8 (invalid byte 0xFF)
                C2,B\u{FFFD}\u{FFFD}ta
                    ^
                hint: save the file as UTF-8

                """
            ])
    }

    @Test func latin1FileIsNotUTF8() throws {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace()
        // "Café" in ISO 8859-1: é is the lone byte E9.
        let bytes = Array("id,name\nC1,Caf".utf8) + [0xE9] + Array("\n".utf8)
        try folder.write("customers.csv", bytes: bytes)
        let file = folder.path + "/customers.csv"
        #expect(
            loadErrors(directory: folder.path) == [
                """
                \(file):2:7: error: file is not UTF-8 (invalid byte 0xE9)
                C1,Caf\u{FFFD}
                      ^
                hint: save the file as UTF-8

                """
            ])
    }

    @Test func fileInGB18030() throws {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace()
        // 客户 in GBK is C3 BF BB A7. C3 BF happens to be valid UTF-8 (ÿ); BB is the first invalid byte.
        let bytes = Array("id,name\nC1,".utf8) + [0xC3, 0xBF, 0xBB, 0xA7] + Array("\n".utf8)
        try folder.write("customers.csv", bytes: bytes)
        let file = folder.path + "/customers.csv"
        let errors = loadErrors(directory: folder.path)
        #expect(
            errors == [
                """
                \(file):2:5: error: file is not UTF-8; it looks like GB18030 (GBK)
                C1,ÿ\u{FFFD}\u{FFFD}
                    ^
                hint: say so in dun.toml: [customers] encoding = "gb18030"

                """
            ])
    }

    @Test func gb18030InvoicesAfterValidCustomers() throws {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace()
        // 上海 (C9 CF BA A3) in the header of invoices.csv: C9 CF is not UTF-8 at all.
        let bytes = Array("id,customer_id,issued,due,amount,".utf8) + [0xC9, 0xCF, 0xBA, 0xA3] + Array("\n".utf8)
        try folder.write("invoices.csv", bytes: bytes)
        let file = folder.path + "/invoices.csv"
        let errors = loadErrors(directory: folder.path)
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("\(file):1:34: error: file is not UTF-8; it looks like GB18030 (GBK)\n") == true)
        #expect(errors.first?.hasSuffix("hint: say so in dun.toml: [invoices] encoding = \"gb18030\"\n") == true)
        // Said so, it is read.
        try folder.write("dun.toml", "[invoices]\nencoding = \"gb18030\"\n")
        try folder.write(
            "invoices.csv",
            bytes: Array("id,customer_id,issued,due,amount,".utf8) + [0xC9, 0xCF, 0xBA, 0xA3]
                + Array("\nI1,C1,2026-10-01,2026-10-31,5000,\n".utf8))
        #expect(try WorkspaceLoader.load(directory: folder.path).invoices.id == ["I1"])
    }

    @Test func iconvHintQuotesAPathWithSpacesAndQuotes() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path + "/AR export's 2026"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let bytes = Array("id,name\nC1,".utf8) + [0xC9, 0xCF, 0xBA, 0xA3] + Array("\n".utf8)
        // A file with no section in dun.toml to say its encoding (contacts.csv) is told to convert it.
        let errors = bytes.withUnsafeBufferPointer { b in
            CSVFile.encodingError(dir + "/customers.csv", b).map { [$0.rendered] } ?? []
        }
        let file = "'" + folder.path + "/AR export'\\''s 2026/customers.csv"
        let utf8 = "'" + folder.path + "/AR export'\\''s 2026/customers.csv.utf8'"
        #expect(errors.count == 1)
        #expect(
            errors.first?.hasSuffix(
                "hint: convert it first: iconv -f GB18030 -t UTF-8 \(file)' > \(utf8) && mv \(utf8) \(file)'\n")
                == true, "\(errors)")
    }

    @Test func byteOrderMarkAndCRLFFromAFile() throws {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace()
        try folder.write("customers.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("id,name,grade\r\nC1,上海华谊,A\r\nC2,Beta,B\r\n".utf8))
        let w = try WorkspaceLoader.load(directory: folder.path)
        #expect(w.customers.id == ["C1", "C2"])
        #expect(w.customers.name == ["上海华谊", "Beta"])
    }

    /// What the caller makes of the workspace is made while the last checks run; their errors
    /// win over its own, and without them its result, or its error, is the load's.
    @Test func nextIsMadeWhileTheLastChecksRun() throws {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace()
        let made = try WorkspaceLoader.load(directory: folder.path) { (w: Workspace) throws(Diagnostics) in w.invoices.count }
        #expect(made.next == 2 && made.workspace.payments.count == 1)
        let failing = Diagnostics([Diagnostic(.error, "the journal is damaged")])
        #expect {
            _ = try WorkspaceLoader.load(directory: folder.path) { (_: Workspace) throws(Diagnostics) -> Int in throw failing }
        } throws: { error in
            (error as? Diagnostics)?.all.map(\.message) == ["the journal is damaged"]
        }
        // A payment id given twice is found by the last checks.
        try folder.writeWorkspace(
            payments: "id,customer_id,invoice_id,date,amount\nP1,C1,I1,2026-10-20,1.00\nP1,C1,I1,2026-10-21,1.00\n")
        #expect {
            _ = try WorkspaceLoader.load(directory: folder.path) { (_: Workspace) throws(Diagnostics) -> Int in throw failing }
        } throws: { error in
            (error as? Diagnostics)?.all.first?.message == "duplicate payment id 'P1'"
        }
    }

    /// The workspace `next` is given is not checked yet: a snapshot of payments larger than
    /// their invoice, whose sum no Int64 holds, stops cleanly, and the check's error is told.
    @Test func aSnapshotMadeBeforeTheChecksStopsCleanly() throws {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace(
            invoices: "id,customer_id,issued,due,amount\nI1,C1,2026-10-01,2026-10-31,1.00\n",
            payments: """
                id,customer_id,invoice_id,date,amount
                P1,C1,I1,2026-10-02,92233720368547758.07
                P2,C1,I1,2026-10-03,0.01

                """)
        let asOf = try day("2026-11-28")
        var stopped: String?
        #expect {
            _ = try WorkspaceLoader.load(directory: folder.path) { (w: Workspace) throws(Diagnostics) in
                do throws(Diagnostic) {
                    _ = try Snapshot(w, asOf: asOf)
                } catch {
                    stopped = error.message
                }
            }
        } throws: { error in
            (error as? Diagnostics)?.all.first?.message.hasPrefix("payment of 92,233,720,368,547,758.07 is more than") == true
        }
        #expect(stopped == "the payments of invoice 'I1' are too large to add up exactly, at payment 'P2'")
    }

    /// A snapshot that added up every payment on its invoice tells the loader whether they fit,
    /// which spares it adding them up again: it does so only to name the payment that goes
    /// over, or when the snapshot could not tell.
    @Test func paymentsAddedUpByTheSnapshotAreNotAddedUpAgain() throws {
        let folder = try TemporaryFolder()
        /// What the snapshot told, and the load's first error; `told` replaces what it told.
        func load(_ payments: String, asOf: String, told: Bool? = nil) throws -> (fit: Bool?, error: String?) {
            try folder.writeWorkspace(payments: "id,customer_id,invoice_id,date,amount\n" + payments + "\n")
            let day = try day(asOf)
            var fit: Bool?
            do {
                let next = { (w: Workspace) throws(Diagnostics) -> Bool? in
                    fit = (try? Snapshot(w, asOf: day))?.paymentsFitInvoices
                    return told ?? fit
                }
                _ = try WorkspaceLoader.load(directory: folder.path, while: next, paymentsFit: { $0 })
                return (fit, nil)
            } catch {
                return (fit, error.all.first?.message)
            }
        }
        let over = "payment of 1,500.00 is more than what is left on invoice I1: 1,000.00"
        // Every payment added up: the one that goes over is named.
        #expect(try load("P1,C1,I1,2026-10-20,1500.00", asOf: "2026-11-28") == (false, over))
        #expect(try load("P1,C1,I1,2026-10-20,1000.00\nP2,C1,,2026-12-01,5.00", asOf: "2026-11-28") == (true, nil))
        // A payment made after the date, or to an invoice issued after it, is not added up.
        #expect(try load("P1,C1,I1,2026-12-01,1500.00", asOf: "2026-11-28") == (nil, over))
        #expect(try load("P1,C1,I1,2026-09-30,1500.00", asOf: "2026-09-30") == (nil, over))
        // What the snapshot tells is trusted.
        #expect(try load("P1,C1,I1,2026-10-20,1500.00", asOf: "2026-11-28", told: true) == (false, nil))
    }
}
