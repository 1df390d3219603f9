// Bindings made lazily (the standard library's) are computed when first read, once.

import DunCore
import Testing

@testable import Dun

@Suite struct LazyBindingTests {
    func session() throws -> Session {
        try Session.open(directory: Paths.fixtures.appendingPathComponent("small").path, asOf: Day(year: 2026, month: 11, day: 28)!)
    }

    @Test func aLazyBindingIsComputedWhenRead() throws {
        let s = try session()
        let made = s.run(SourceText(name: "lib.dun", text: "let big = invoices where amount > 100k CNY"), lazily: true)
        #expect(made.succeeded && made.output.isEmpty)
        let used = s.run(SourceText(name: "q.dun", text: "big | count\nbig | count"))
        #expect(used.output == "2\n2\n")
    }

    @Test func anErrorInALazyBindingIsReportedWhereItIsRead() throws {
        let s = try session()
        _ = s.run(SourceText(name: "lib.dun", text: "let ratios = invoices | select r = amount / balance"), lazily: true)
        let used = s.run(SourceText(name: "q.dun", text: "ratios | count"))
        #expect(used.diagnostics.map(\.rendered) == [
            """
            q.dun:1:1: error: while computing ratios: division by zero
            ratios | count
            ^~~~~~

            """
        ])
    }
}
