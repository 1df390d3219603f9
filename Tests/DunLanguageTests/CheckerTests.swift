// The checker on its own, on a schema of one small entity: the types it gives the newer
// forms (conditionals, ++, conditional aggregates, pivots, functions, as_of) and the errors
// it finds before any row is read.

import DunCore
import Testing

@testable import DunLanguage

@Suite struct CheckerTests {
    static let schema = Schema(entities: [
        Entity(
            name: "items", singular: "item",
            fields: [
                Field("id", .string, ""), Field("amount", .money, ""), Field("due", .date, ""), Field("bucket", .bucket, ""),
                Field("grade", .grade, ""), Field("late", .bool, ""),
            ], key: "id", display: ["id"])
    ])

    /// The types of the statements of `text`, and the errors' messages.
    func check(_ text: String) -> (types: [DunType], errors: [String]) {
        let source = SourceText(name: "t.dun", text: text)
        let parsed = Parser.parse(source)
        guard parsed.diagnostics.isEmpty else { return ([], parsed.diagnostics.map(\.message)) }
        let (statements, diagnostics) = Checker.check(parsed.statements, source: source, schema: Self.schema, globals: Globals())
        let types = statements.compactMap { s -> DunType? in
            if case .query(let p) = s { return p.type }
            return nil
        }
        return (types, diagnostics.map(\.message))
    }

    func columns(_ type: DunType?) -> [String] {
        guard case .table(let row)? = type else { return [] }
        return row.columns.map(\.name)
    }

    @Test func aConditionalHasItsBranchesType() {
        #expect(check("if true then 1 else $5").types == [.money])
        #expect(check("if true then \"a\"").types == [.string])
        #expect(check("if true then 1 else \"a\"").errors == ["'if' gives number in one branch and text in another"])
        #expect(check("if 1 then 2 else 3").errors == ["expected a condition (true or false), found number"])
    }

    @Test func joiningGivesText() {
        #expect(check("\"a\" ++ 1 ++ $2 ++ 2026-01-01").types == [.string])
        #expect(check("items | select x = \"a\" ++ items").errors.contains("cannot join text and table of items as text"))
        #expect(check("\"a\" + \"b\"").errors == ["cannot add text to text"])
    }

    @Test func aConditionalAggregateKeepsItsValuesType() {
        let r = check("items | aggregate s = sum(amount where late), n = count(where late)")
        #expect(r.errors.isEmpty, "\(r.errors)")
        guard case .table(.record(let cols))? = r.types.first else {
            Issue.record("not a table: \(r.types)")
            return
        }
        #expect(cols.map(\.type) == [.money, .number])
        #expect(check("sum(items.amount where late)").types == [.money])
        #expect(check("items | select s = sum(amount where late)").errors.first?.hasPrefix("'where' filters a table") == true)
    }

    @Test func aPivotMakesAColumnPerValueInOrder() {
        #expect(
            columns(check("items | group by id pivot bucket aggregate sum(amount)").types.first) == [
                "id", "current", "1-30", "31-60", "61-90", "90+",
            ])
        #expect(
            columns(check("items | pivot grade aggregate count(), n = count()").types.first) == ["A", "B", "C", "D", "E", "n"])
        #expect(columns(check("items | pivot id in [\"x\", \"y\"] aggregate count()").types.first) == ["x", "y"])
        #expect(check("items | pivot id aggregate count()").errors == ["a pivot by text needs the values that are its columns"])
        #expect(check("items | group by id aggregate n = count() | total").errors.isEmpty)
        #expect(check("items | total").errors == ["total adds a last row to the groups of a 'group by' just before it"])
    }

    @Test func aChartDrawsItsLabelThenItsValues() {
        // An entity's shown fields (id alone here): no value among them, so it names one.
        #expect(columns(check("items | chart amount").types.first) == ["id", "amount"])
        #expect(columns(check("items | chart amount, due").types.first) == ["due", "amount"])
        #expect(
            columns(check("items | group by bucket aggregate n = count(), s = sum(amount) | chart").types.first) == [
                "bucket", "n", "s",
            ])
        #expect(columns(check("items | aggregate s = sum(amount) | chart").types.first) == ["s"])
        #expect(
            check("items | chart").errors == ["a chart draws columns of numbers or money, and this table has none: id (text)"])
        #expect(check("items | chart late").errors == ["cannot chart 'late', a bool"])
        #expect(check("items | chart id, due, amount").errors == ["a chart has one column of labels, and 'id' is it"])
        #expect(check("items | chart amount | count").errors == ["'chart' ends a pipeline; nothing can follow it"])
    }

    @Test func aFunctionIsCheckedAtEachCallWithItsArgumentsTypes() {
        #expect(check("fn twice(x) = x * 2\ntwice(1)\ntwice($1)\ntwice(2 days)").types == [.number, .money, .duration])
        #expect(check("fn late(t) = t where late\nlate(items)").types.first.map(columns) == [])
        #expect(check("fn late(t) = t where late\nlate(items)").types.first?.isTable == true)
        #expect(check("fn two(a, b) = a + b\ntwo(1)").errors == ["two takes 2 arguments, found 1"])
        #expect(check("fn f(x) = f(x)").errors == ["f calls itself (f → f); a function cannot"])
        #expect(check("fn f(t) = t where nothing_here\nf(items)").errors == ["unknown field 'nothing_here' in items"])
    }

    @Test func asOfHasItsValuesType() {
        #expect(check("as_of(2026-01-01, sum(items.amount))").types == [.money])
        #expect(check("as_of(1, 2)").errors == ["as_of needs a date first, found number"])
        #expect(columns(check("ends_of(month, 2026-01-01, 2026-03-31)").types.first) == ["date"])
    }
}
