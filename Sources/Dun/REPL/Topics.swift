// Topics: `.help WORD` for the forms of the language — each its syntax and an example that
// checks (a test runs every one).

extension REPL {
    public struct Topic: Sendable {
        public let name: String
        public let syntax: String
        public let example: String
    }

    public static let topics: [Topic] = [
        Topic(
            name: "where", syntax: "SOURCE where CONDITION · | where CONDITION — keeps the rows where it holds",
            example: "customers where overdue > 30 and grade < B"),
        Topic(
            name: "sort", syntax: "| sort by KEY [desc], … — orders the rows (SQL: ORDER BY)",
            example: "customers | sort by balance desc | take 10"),
        Topic(name: "take", syntax: "| take N — the first N rows (SQL: LIMIT)", example: "invoices | sort by due | take 5"),
        Topic(
            name: "select", syntax: "| select EXPR, NAME = EXPR, … — new rows of just these columns",
            example: "customers | select id, name, late = overdue > 30"),
        Topic(
            name: "derive", syntax: "| derive NAME = EXPR, … — every field, and these columns too (SQL: SELECT *, …)",
            example: "invoices | derive late = days_overdue > 30"),
        Topic(
            name: "group", syntax: "| group by KEY, … [aggregate NAME = AGG, …] — a row per key (SQL: GROUP BY)",
            example: "open_invoices | group by customer.region aggregate total = sum(balance), n = count()"),
        Topic(
            name: "aggregate", syntax: "| aggregate NAME = AGG(VALUE [where CONDITION]), … — one row over all rows",
            example: "invoices | aggregate open = sum(balance), late = count(where days_overdue > 30)"),
        Topic(
            name: "pivot",
            syntax: "| [group by KEY] pivot KEY2 [in LIST] aggregate AGG, NAME = AGG — a column per value of KEY2",
            example: "open_invoices | group by customer.region pivot bucket aggregate sum(balance)"),
        Topic(
            name: "total", syntax: "| total [\"LABEL\"] — after a group by, a last row over all rows",
            example: "open_invoices | group by customer.region aggregate total = sum(balance) | total"),
        Topic(
            name: "chart",
            syntax:
                "| chart [COLUMN, …] [title \"TITLE\"] — bars by label, or sparklines over dates (.save FILE.svg: a picture)",
            example: "open_invoices | group by bucket aggregate total = sum(balance) | chart"),
        Topic(
            name: "if", syntax: "if CONDITION then VALUE [else if CONDITION then VALUE …] [else VALUE] (SQL: CASE)",
            example: "customers | select id, level = if overdue > 60 then \"firm\" else \"gentle\""),
        Topic(
            name: "fn",
            syntax: "fn NAME(PARAMETER, …) = QUERY · fn NAME(…) { let A = …  VALUE } — a function, checked at each call",
            example: "fn late(t, days) = t where days_overdue > days"),
        Topic(
            name: "import",
            syntax: "import \"FILE\" [as NAME] · import MODULE · from MODULE import NAME, … — definitions of another file",
            example: "import aging\naging.by_region(invoices)"),
        Topic(
            name: "let", syntax: "let NAME = QUERY — names a table or a value for later statements",
            example: "let late = invoices where days_overdue > 30"),
        Topic(
            name: "in", syntax: "VALUE in [A, B] · MONEY in CODE — membership, or money converted at the as-of rate",
            example: "customers where region in [\"华东\", \"华南\"]"),
        Topic(
            name: "policy",
            syntax: "policy NAME \"title\" { rule NAME: QUERY => ACTION … } — a dunning policy; dun plan / dun apply run it",
            example: "policy gentle \"A first reminder\" {\n  rule first: invoices where days_overdue > 7 => remind via email\n}"),
        Topic(
            name: "explain", syntax: "explain QUERY — each stage with the rows it kept",
            example: "explain customers where overdue > 30 | take 3"),
    ]
}
