// PostgreSQL's dialect (13 and later; Citus's too): what `SQLDialect` asks, as PostgreSQL
// writes it.

import DunCore

public struct PostgreSQL: SQLDialect {
    public init() {}

    public func quote(_ name: String) -> String { SQLName.quote(name) }

    public func text(_ s: String) -> String { SQLName.literal(s) }

    public func date(_ d: Day) -> String { "DATE '\(d)'" }

    public func cast(_ sql: String, to type: SQLType) -> String { "(\(sql))::\(name(of: type))" }

    private func name(of type: SQLType) -> String {
        switch type {
        case .numeric: "numeric"
        case .integer: "integer"
        case .bigint: "bigint"
        case .date: "date"
        case .boolean: "boolean"
        case .text: "text"
        }
    }

    // PostgreSQL's own quotient has about 16 significant digits: the dividend's scale, which
    // the quotient's is at least, is raised to 24 first.
    public func quotient(_ dividend: String, _ divisor: String) -> String {
        "((\(dividend)) * 1.\(String(repeating: "0", count: 24))) / (\(divisor))"
    }

    public func wholeQuotient(_ dividend: String, _ divisor: String) -> String { "div(\(dividend), \(divisor))" }

    // numeric's round is half away from zero.
    public func rounded(_ decimal: String, places: String) -> String { "round(\(decimal), \(places))" }

    public func scale(_ decimal: String) -> String { "scale(\(decimal))" }

    public func withoutTrailingZeros(_ decimal: String) -> String { "trim_scale(\(decimal))" }

    public func filtered(_ aggregate: String, where condition: String) -> String {
        "\(aggregate) FILTER (WHERE \(condition))"
    }

    public func first(_ value: String, by order: String, where condition: String?) -> String {
        "(array_agg(\(value) ORDER BY \(order))\(condition.map { " FILTER (WHERE \($0))" } ?? ""))[1]"
    }

    public func joinedAll(_ text: String, separator: String, by order: String) -> String {
        "string_agg(\(text), \(self.text(separator)) ORDER BY \(order))"
    }

    public func ordered(_ sql: String) -> String { "(\(sql)) COLLATE \"C\"" }

    public func matches(_ text: String, _ pattern: String) -> String { "(\(text) ~ \(self.text(pattern)))" }

    public func position(of part: String, in whole: String) -> String { "strpos(\(whole), \(part))" }

    public func word(_ n: Int, of text: String) -> String { "split_part(\(text), ' ', \(n))" }

    public func trim(_ text: String, _ characters: String) -> String { "btrim(\(text), \(self.text(characters)))" }

    public func joined(_ texts: [String], separator: String) -> String {
        "concat_ws(\(([separator] + texts).joined(separator: ", ")))"
    }

    public var writable: [DunType] { [.string, .grade, .bucket, .date, .number, .null] }

    public func written(_ sql: String, _ type: DunType) -> String {
        switch type {
        case .date: "to_char(\(sql), 'YYYY-MM-DD')"
        // Without trailing zeros, as Dun writes a number (a column's scale would keep them).
        case .number, .null: "trim_scale((\(sql))::numeric)::text"
        default: sql
        }
    }

    // An interval of months added to a date clamps to the month's end, as Dun does.
    public func moved(_ date: String, months: Int64) -> String { "(\(date) + INTERVAL '\(months) months')::date" }

    public func moved(_ date: String, monthsSQL months: String) -> String {
        "(\(date) + make_interval(months => (\(months))::integer))::date"
    }

    public func moved(_ date: String, daysSQL days: String) -> String { "(\(date) + (\(days)))" }

    public func days(from: String, to: String) -> String { "(\(to) - \(from))" }

    public func year(_ date: String) -> String { "EXTRACT(YEAR FROM \(date))::integer" }
    public func month(_ date: String) -> String { "EXTRACT(MONTH FROM \(date))::integer" }
    public func weekday(_ date: String) -> String { "EXTRACT(ISODOW FROM \(date))::integer" }

    public func bound(_ span: Day.Span, of date: String, first: Bool) -> String {
        guard span != .week else {
            let day = "(\(date) \(first ? "-" : "+") \(first ? "(\(weekday(date)) - 1)" : "(7 - \(weekday(date)))"))"
            return "(CASE WHEN \(day) BETWEEN \(self.date(.earliest)) AND \(self.date(.latest)) THEN \(day) END)"
        }
        let start = "date_trunc('\(span.rawValue)', \(date))"
        let length = ["month": "1 month", "quarter": "3 months", "year": "1 year"][span.rawValue] ?? ""
        return first ? "(\(start))::date" : "(\(start) + INTERVAL '\(length)' - INTERVAL '1 day')::date"
    }

    // Text that is no number, cast to one, made with the time the transaction began so that
    // it is not computed before the query runs.
    public func failing(_ message: String, as type: SQLType) -> String {
        "((left(now()::text, 0) || \(text(message)))::integer)::text::\(name(of: type))"
    }

    public func with(_ tables: [(name: String, sql: String)], _ statement: String) -> String {
        "WITH " + tables.map { "\(quote($0.name)) AS MATERIALIZED (\($0.sql))" }.joined(separator: ", ") + " " + statement
    }

    public func elements(ofJSONArray json: String, as alias: String) -> String {
        "jsonb_array_elements_text((\(json))::jsonb) WITH ORDINALITY AS \(alias)(v, n)"
    }

    public func element(_ index: Int, ofJSONArray json: String) -> String { "((\(json))::jsonb ->> \(index))" }

    public func series(to count: String, as alias: String) -> String { "generate_series(1, \(count)) AS \(alias)(k)" }

    public func temporaryTable(_ k: Int, holding sql: String) -> (name: String, making: String) {
        let name = "pg_temp.dun_facts_\(k)"
        return (name, "CREATE TEMPORARY TABLE \(name) AS \(sql); ANALYZE \(name)")
    }

    // No JIT compiling: a compiled report is one statement of hundreds of subqueries, whose
    // estimated cost sets PostgreSQL compiling it for seconds (kpi.report: 17 s to compile,
    // 12 ms to run), while the six benchmark questions at a million invoices took the same
    // time without it (11.7 s).
    public var runSettings: String { "SET jit = off" }
}
