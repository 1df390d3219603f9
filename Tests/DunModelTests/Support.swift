import DunCore
import Foundation
import Testing

@testable import DunModel

/// Small, valid CSV files that tests vary one file at a time.
enum Fixture {
    static let customers = """
        id,name,region,grade,credit_limit,currency,terms_days
        C1,Alpha Trading,East,A,10000.00,CNY,30
        C2,Beta Works,South,C,,CNY,45

        """
    static let invoices = """
        id,customer_id,issued,due,amount
        I1,C1,2026-10-01,2026-10-31,1000.00
        I2,C2,2026-10-05,2026-11-04,500.00

        """
    static let noInvoices = "id,customer_id,issued,due,amount\n"
    static let noPayments = "id,customer_id,date,amount\n"
    static let payments = """
        id,customer_id,invoice_id,date,amount
        P1,C1,I1,2026-10-20,400.00

        """
}

/// Loads in memory; a failure records an issue with every diagnostic and stops the test.
func load(
    customers: String = Fixture.customers, invoices: String = Fixture.invoices, payments: String = Fixture.payments,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> Workspace {
    do {
        return try WorkspaceLoader.load(customers: customers, invoices: invoices, payments: payments)
    } catch {
        let text = error.all.map(\.rendered).joined()
        Issue.record("the load failed:\n\(text)", sourceLocation: sourceLocation)
        throw error
    }
}

/// Loads in memory and returns every rendered diagnostic; records an issue if the load succeeds.
func loadErrors(
    customers: String = Fixture.customers, invoices: String = Fixture.invoices, payments: String = Fixture.payments,
    sourceLocation: SourceLocation = #_sourceLocation
) -> [String] {
    do {
        _ = try WorkspaceLoader.load(customers: customers, invoices: invoices, payments: payments)
        Issue.record("the load should have failed", sourceLocation: sourceLocation)
        return []
    } catch {
        return withoutUncheckedNotes(error.all).map(\.rendered)
    }
}

/// A fresh folder under the temporary directory, removed when the test is done with it.
struct TemporaryFolder: ~Copyable {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("dun-model-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try write(name, bytes: Array(text.utf8))
    }

    func write(_ name: String, bytes: [UInt8]) throws {
        let ok = FileManager.default.createFile(atPath: path + "/" + name, contents: Data(bytes))
        try #require(ok, "could not write \(name)")
    }

    /// Writes the three fixture files (or the given texts).
    func writeWorkspace(
        customers: String = Fixture.customers, invoices: String = Fixture.invoices, payments: String = Fixture.payments
    ) throws {
        try write("customers.csv", customers)
        try write("invoices.csv", invoices)
        try write("payments.csv", payments)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Loads a folder and returns every rendered diagnostic; records an issue if the load succeeds.
func loadErrors(directory: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
    do {
        _ = try WorkspaceLoader.load(directory: directory)
        Issue.record("the load should have failed", sourceLocation: sourceLocation)
        return []
    } catch {
        return withoutUncheckedNotes(error.all).map(\.rendered)
    }
}

func day(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Day {
    try #require(Day(iso: text), "'\(text)' should be a date", sourceLocation: sourceLocation)
}

// Columns compare with array literals, so that tests read as the data they expect.

extension TextColumn: Equatable, ExpressibleByArrayLiteral {
    public init(arrayLiteral texts: String?...) {
        self.init()
        texts.forEach { append($0) }
    }

    public static func == (a: TextColumn, b: TextColumn) -> Bool {
        a.count == b.count && (0..<a.count).allSatisfy { a.value($0) == b.value($0) }
    }
}

extension OptionalRows: ExpressibleByArrayLiteral {
    public init(arrayLiteral rows: Int32?...) {
        self.init()
        rows.forEach { append($0) }
    }
}

extension KeyColumn: Equatable, ExpressibleByArrayLiteral {
    public init(arrayLiteral ids: String...) {
        self.init()
        for id in ids {
            var id = id
            id.withUTF8 { append($0) }
        }
    }

    public static func == (a: KeyColumn, b: KeyColumn) -> Bool { a.texts == b.texts }

    /// The row of each id, as the index finds it.
    var rows: [String: Int32] {
        Dictionary(uniqueKeysWithValues: (0..<count).compactMap { i in row(of: self[i]).map { (self[i], $0) } })
    }
}

extension CategoryColumn: Equatable, ExpressibleByArrayLiteral {
    public init(arrayLiteral texts: String?...) {
        self.init()
        texts.forEach { append($0) }
    }

    public static func == (a: CategoryColumn, b: CategoryColumn) -> Bool {
        a.count == b.count && (0..<a.count).allSatisfy { a[$0] == b[$0] }
    }
}

/// The first byte of a whole byte array that cannot be read.
func firstInvalid(_ bytes: [UInt8]) -> Int? {
    bytes.withUnsafeBufferPointer { firstUnreadable($0, in: 0..<$0.count) }
}

func looksLikeGB(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBufferPointer { looksLikeGB18030($0) }
}

extension Snapshot {
    /// A field of every customer, in order (`s.perCustomer(s.balance)`).
    func perCustomer<T>(_ field: (Int32) -> T) -> [T] {
        (0..<Int32(workspace.customers.count)).map(field)
    }
}

/// The diagnostics of a load but its notes of references left unchecked, because the file
/// they refer to has errors (told in tests of their own): what most tests are about.
func withoutUncheckedNotes(_ all: [Diagnostic]) -> [Diagnostic] {
    all.filter { !($0.severity == .note && $0.message.contains("not checked, since")) }
}

extension Carried {
    /// The values of the carried field `name`, each as text (`-` when missing), to compare.
    func values(_ name: String) -> [String] {
        guard let slot = Of.carriedLayout.slots.first(where: { $0.field.name == name }) else { return ["no field \(name)"] }
        let i = slot.index
        func show<T>(_ values: [T?]) -> [String] { values.map { $0.map { "\($0)" } ?? "-" } }
        switch slot.storage {
        case .date: return show(dates[i])
        case .amount: return show(amounts[i])
        case .days: return show(days[i])
        case .flag: return flags[i].map { "\($0)" }
        case .grade: return show(grades[i])
        default: return show((0..<texts[i].count).map { texts[i].value($0) })
        }
    }
}
