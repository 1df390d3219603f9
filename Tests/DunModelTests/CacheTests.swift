import DunCore
import Foundation
import Testing

@testable import DunModel

/// `WorkspaceCache`: the columns kept in `.dun/cache`, reused only while the CSV files are
/// the same bytes, and refused whole when damaged.
@Suite("WorkspaceCache")
struct CacheTests {
    /// Every cache test caches, however small its files.
    func load(_ folder: borrowing TemporaryFolder) throws -> (workspace: Workspace, cache: WorkspaceCache.Use) {
        try WorkspaceCache.load(directory: folder.path, minimumSize: 0)
    }

    /// A line-item export is cached by its one file and dun.toml: its customers and payments
    /// are made from that file only when the cache does not hold them.
    @Test func aLineItemExportIsCachedByItsFile() throws {
        let folder = try TemporaryFolder()
        let lines = "customerID,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,SettledDate\n"
        try folder.write("ar.csv", lines + "C1,I1,2026-10-01,2026-10-31,10.00,2026-10-20\nC1,I2,2026-10-05,2026-11-04,5.00,\n")
        try folder.write(
            "dun.toml", "[invoices]\nfile = \"ar.csv\"\n[customers]\nfrom = \"invoices\"\n[payments]\nfrom = \"invoices\"\n")
        let first = try load(folder)
        #expect(first.cache == .written && first.workspace.customers.count == 1 && first.workspace.payments.count == 1)
        let second = try load(folder)
        #expect(second.cache == .read)
        expectSame(first.workspace, second.workspace)
        try folder.write(
            "ar.csv", lines + "C1,I1,2026-10-01,2026-10-31,10.00,2026-10-20\nC2,I2,2026-10-05,2026-11-04,5.00,2026-11-01\n")
        let third = try load(folder)
        #expect(third.cache == .written && third.workspace.customers.count == 2 && third.workspace.payments.count == 2)
    }

    func cachePath(_ folder: borrowing TemporaryFolder) -> String {
        folder.path + "/.dun/cache/workspace.bin"
    }

    /// Two workspaces hold the same rows, and their ids find the same rows.
    func expectSame(_ a: Workspace, _ b: Workspace, sourceLocation: SourceLocation = #_sourceLocation) {
        let (c, d) = (a.customers, b.customers)
        #expect(
            c.id == d.id && c.id.rows == d.id.rows && c.name == d.name && c.region == d.region, sourceLocation: sourceLocation)
        #expect(c.grade == d.grade && c.creditLimit == d.creditLimit && c.currency == d.currency, sourceLocation: sourceLocation)
        #expect(c.termsDays == d.termsDays && c.collector == d.collector && c.email == d.email, sourceLocation: sourceLocation)
        #expect(c.phone == d.phone && c.language == d.language, sourceLocation: sourceLocation)
        let (i, j) = (a.invoices, b.invoices)
        #expect(i.id == j.id && i.id.rows == j.id.rows && i.customer == j.customer, sourceLocation: sourceLocation)
        #expect(
            i.issued == j.issued && i.due == j.due && i.amount == j.amount && i.disputed == j.disputed
                && i.carried.values("order_id") == j.carried.values("order_id"),
            sourceLocation: sourceLocation)
        let (p, q) = (a.payments, b.payments)
        #expect(p.id == q.id && p.customer == q.customer && p.invoice == q.invoice, sourceLocation: sourceLocation)
        #expect(
            p.date == q.date && p.amount == q.amount && p.carried.values("method") == q.carried.values("method"),
            sourceLocation: sourceLocation)
    }

    /// Every kind of column, optional values missing and present, Chinese text, two currencies.
    static let customers = """
        id,name,region,grade,credit_limit,currency,terms_days,collector,email,phone,language
        C1,Alpha Trading,East,A,10000.00,CNY,30,王芳,a@example.com,+86 21 5555,zh
        C2,"北京""长城""机械",华北,,,USD,,,,,
        C3,Gamma,East,E,0.50,CNY,45,王芳,,,en

        """
    static let invoices = """
        id,customer_id,issued,due,amount,disputed,order_id
        I1,C1,2026-10-01,2026-10-31,1000.00,false,SO-1
        I2,C2,2026-10-05,2026-11-04,500.00,true,
        I3,C3,0001-01-01,9999-12-31,0.01,,采购-3

        """
    static let payments = """
        id,customer_id,invoice_id,date,amount,method
        P1,C1,I1,2026-10-20,400.00,wire
        P2,C2,,2026-10-21,7.00,

        """

    func writeWorkspace(_ folder: borrowing TemporaryFolder) throws {
        try folder.writeWorkspace(customers: Self.customers, invoices: Self.invoices, payments: Self.payments)
    }

    @Test func writtenOnceThenRead() throws {
        let folder = try TemporaryFolder()
        try writeWorkspace(folder)
        let parsed = try WorkspaceLoader.load(directory: folder.path)
        let first = try load(folder)
        #expect(first.cache == .written)
        expectSame(first.workspace, parsed)
        #expect(FileManager.default.contents(atPath: folder.path + "/.dun/cache/.gitignore") == Data("*\n".utf8))
        let second = try load(folder)
        #expect(second.cache == .read)
        expectSame(second.workspace, parsed)
        #expect(second.workspace.invoices.id.row(of: "I3") == 2)
        #expect(second.workspace.customers.name[1] == "北京\"长城\"机械")
    }

    @Test func smallWorkspacesAreNotCached() throws {
        let folder = try TemporaryFolder()
        try writeWorkspace(folder)
        let loaded = try WorkspaceCache.load(directory: folder.path)
        #expect(loaded.cache == .none)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/.dun"))
    }

    /// A change that keeps the file's size and modification time is noticed all the same.
    @Test func anyChangeToAFileIsNoticed() throws {
        let folder = try TemporaryFolder()
        try writeWorkspace(folder)
        _ = try load(folder)
        let path = folder.path + "/invoices.csv"
        let date = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        try folder.write("invoices.csv", Self.invoices.replacingOccurrences(of: "500.00", with: "600.00"))
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
        let changed = try load(folder)
        #expect(changed.cache == .written)
        #expect(changed.workspace.invoices.amount[1] == 60_000)
        #expect(try load(folder).workspace.invoices.amount[1] == 60_000)
    }

    /// A cache cut short or with any byte changed is refused: the files are parsed instead,
    /// and the cache written anew.
    @Test func damagedCachesAreRefused() throws {
        let folder = try TemporaryFolder()
        try writeWorkspace(folder)
        let parsed = try WorkspaceLoader.load(directory: folder.path)
        _ = try load(folder)
        let good = try #require(FileManager.default.contents(atPath: cachePath(folder)))
        var random = SplitMix64(seed: 3)
        for mutant in 0..<300 {
            var bytes = [UInt8](good)
            if mutant % 3 == 0 {
                bytes.removeLast(1 + Int(random.next() % UInt64(bytes.count)))
            } else {
                let i = Int(random.next() % UInt64(bytes.count))
                bytes[i] ^= UInt8(1 << (random.next() % 8))
            }
            try #require(FileManager.default.createFile(atPath: cachePath(folder), contents: Data(bytes)))
            let loaded = try load(folder)
            #expect(loaded.cache == .written, "mutant \(mutant)")
            expectSame(loaded.workspace, parsed)
        }
        #expect(FileManager.default.contents(atPath: cachePath(folder)) == good)
    }

    /// The workspace written to `folder`, as parsed, and its files' fingerprints: to write
    /// caches of other contents that claim to be of those files.
    func parsedWorkspace(in folder: borrowing TemporaryFolder) throws -> (Workspace, [WorkspaceCache.Fingerprint]) {
        try writeWorkspace(folder)
        let parsed = try WorkspaceLoader.load(directory: folder.path)
        let fingerprints = WorkspaceCache.Fingerprint.of(try WorkspaceLoader.open(directory: folder.path).2, WorkspaceSettings())
        return (parsed, fingerprints)
    }

    /// A cache holding a negative payment, which no file can give, is refused even when its
    /// digest is right: what is left on an invoice relies on payments never being negative.
    /// (An invoice's amount may be: a credit note's.)
    @Test func aCacheWithANegativeAmountIsRefused() throws {
        let folder = try TemporaryFolder()
        let (parsed, fingerprints) = try parsedWorkspace(in: folder)
        var kept = parsed
        #expect(WorkspaceCache.write(kept, to: folder.path, fingerprints))
        #expect(try load(folder).cache == .read)
        kept.invoices.amount[0] = -1
        #expect(WorkspaceCache.write(kept, to: folder.path, fingerprints))
        #expect(try load(folder).cache == .read)
        kept = parsed
        kept.payments.amount[0] = -1
        #expect(WorkspaceCache.write(kept, to: folder.path, fingerprints))
        #expect(try load(folder).cache == .written)
        #expect(try load(folder).cache == .read)
    }

    /// Numbered ids are cached as their numbering, with no index; a cache that has no index
    /// for ids that are not numbered is refused.
    @Test func numberedIdsAreCachedAsTheirNumbering() throws {
        let folder = try TemporaryFolder()
        let (parsed, fingerprints) = try parsedWorkspace(in: folder)
        #expect(parsed.invoices.id.isNumbered && parsed.invoices.id.parts.isEmpty)
        var kept = parsed
        #expect(WorkspaceCache.write(kept, to: folder.path, fingerprints))
        let read = try load(folder)
        #expect(read.cache == .read && read.workspace.invoices.id.row(of: "I3") == 2)
        #expect(read.workspace.invoices.id.isNumbered && read.workspace.invoices.id.texts.bytes.isEmpty)
        // Ids that are not numbered, written as if they were.
        var ids = KeyColumn()
        for id in ["I1", "I3", "I2"] { Array(id.utf8).withUnsafeBufferPointer { ids.append($0) } }
        ids.parts = []
        kept.invoices.id = ids
        #expect(WorkspaceCache.write(kept, to: folder.path, fingerprints))
        #expect(try load(folder).cache == .written)
        #expect(try load(folder).cache == .read)
    }

    /// Data with an error is never cached, so the error is reported on every run.
    @Test func badDataIsReportedEveryTime() throws {
        let folder = try TemporaryFolder()
        try writeWorkspace(folder)
        _ = try load(folder)
        try folder.write("invoices.csv", Self.invoices.replacingOccurrences(of: "500.00", with: "5OO.00"))
        for _ in 0..<2 {
            let error = #expect(throws: Diagnostics.self) { try load(folder) }
            #expect(error?.all.first?.rendered.contains("invoices.csv:3:") == true)
        }
        // The cache of the good files is still there, and right again once the file is.
        try writeWorkspace(folder)
        #expect(try load(folder).cache == .read)
    }

    /// A workspace where the cache cannot be written loads all the same.
    @Test func anUnwritableCacheIsDoneWithout() throws {
        let folder = try TemporaryFolder()
        try writeWorkspace(folder)
        try folder.write(".dun", "not a folder")
        let loaded = try load(folder)
        #expect(loaded.cache == .none)
        expectSame(loaded.workspace, try WorkspaceLoader.load(directory: folder.path))
    }

    @Test func theContentHashSeesEveryByte() {
        var random = SplitMix64(seed: 11)
        let bytes = (0..<(ContentHash.chunk + 100)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let hash = bytes.withUnsafeBufferPointer { ContentHash.of($0) }
        for i in [0, 31, 32, 1000, ContentHash.chunk - 1, ContentHash.chunk, bytes.count - 1] {
            var changed = bytes
            changed[i] ^= 1
            #expect(changed.withUnsafeBufferPointer { ContentHash.of($0) } != hash, "byte \(i)")
        }
        #expect(bytes.dropLast().withUnsafeBufferPointer { ContentHash.of($0) } != hash)
        #expect(bytes.withUnsafeBufferPointer { ContentHash.of($0) } == hash)
    }
}
