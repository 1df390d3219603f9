// SQLDialect: what differs between SQL engines, in one place. The compiler (SQLCompiler) and
// the host's tables (`Database` in Dun) write standard SQL themselves (SELECT, JOIN, CASE,
// COALESCE, GROUP BY, window functions, LATERAL, VALUES, ||, NULLS LAST, transactions and
// savepoints; LIMIT, GREATEST and LEAST taken as common) and ask the dialect for the rest:
// names and literals, casts, exact decimals, the calendar, text, aggregates of some rows, the
// journal's JSON, and the forms a statement is built of beyond SQL's core. Another engine is
// another type conforming to this; PostgreSQL's (`PostgreSQL`) is also Citus's.

import DunCore

/// The SQL types a dialect casts to.
public enum SQLType: Sendable {
    case numeric, integer, bigint, date, boolean, text
}

public protocol SQLDialect: Sendable {
    /// A name (table, column) quoted; text and a day written as literals.
    func quote(_ name: String) -> String
    func text(_ s: String) -> String
    func date(_ d: Day) -> String

    /// `sql` as a value of `type`.
    func cast(_ sql: String, to type: SQLType) -> String

    /// `dividend` over `divisor` to 24 places at least, so that rounding it to 18 or fewer is
    /// rounding the exact value, as Dun's decimals do.
    func quotient(_ dividend: String, _ divisor: String) -> String
    /// A whole number divided by another, the fraction dropped.
    func wholeQuotient(_ dividend: String, _ divisor: String) -> String
    /// An exact decimal rounded half away from zero to `places` (SQL), as Dun rounds.
    func rounded(_ decimal: String, places: String) -> String
    /// How many places after the point an exact decimal has; the decimal without its
    /// trailing zeros.
    func scale(_ decimal: String) -> String
    func withoutTrailingZeros(_ decimal: String) -> String

    /// An aggregate (`sum(x)`) of only the rows meeting `condition`.
    func filtered(_ aggregate: String, where condition: String) -> String
    /// The aggregate of the rows' first value of `value` in the order `order` (SQL's ORDER BY
    /// list), among those meeting `condition`; null for none.
    func first(_ value: String, by order: String, where condition: String?) -> String
    /// The aggregate of the rows' texts joined with `separator`, in the order `order`.
    func joinedAll(_ text: String, separator: String, by order: String) -> String

    /// Text ordered (and cased) by code point, as Dun orders it.
    func ordered(_ sql: String) -> String
    /// Whether text matches a regular expression (`[…]`, `^`, `$`, `{m,n}`, `\x`, `\u` escapes).
    func matches(_ text: String, _ pattern: String) -> String
    /// Where text `part` is first found in `whole`, from 1; 0 when it is not (by code points).
    func position(of part: String, in whole: String) -> String
    /// The `n`th word (from 1) of text whose words are separated by single spaces; empty past
    /// its last.
    func word(_ n: Int, of text: String) -> String
    /// Text without the characters of `characters` at either end.
    func trim(_ text: String, _ characters: String) -> String
    /// Texts joined with `separator` between them, nulls left out.
    func joined(_ texts: [String], separator: String) -> String
    /// The types `written` writes as Dun writes them in text (money Dun writes grouped, with
    /// its currency).
    var writable: [DunType] { get }
    /// A value of `type` as Dun writes it in text (`++`): a date as ISO, a number with the
    /// places it has; text as it is.
    func written(_ sql: String, _ type: DunType) -> String

    /// A date moved by calendar months, clamped to the month's last day as Dun clamps it
    /// (Jan 31 + 1 month is Feb 28 or 29): so many, or as many as SQL says; not held to years
    /// 1 to 9999 (`inRange`).
    func moved(_ date: String, months: Int64) -> String
    func moved(_ date: String, monthsSQL months: String) -> String
    /// A date moved by days (a whole number of them, as SQL).
    func moved(_ date: String, daysSQL days: String) -> String
    /// The days from one date to another, a whole number.
    func days(from: String, to: String) -> String
    /// The year, month (1 to 12) and weekday (1 for Monday to 7) of a date.
    func year(_ date: String) -> String
    func month(_ date: String) -> String
    func weekday(_ date: String) -> String
    /// The first or last day of the week (Monday to Sunday), month, quarter or year a date
    /// is in; a day before year 1 or after 9999 is none, as in Dun.
    func bound(_ span: Day.Span, of date: String, first: Bool) -> String

    /// An error with `message` where it is evaluated, of `type`, said in the database's error
    /// and never found before the query runs (a database computes constants first).
    func failing(_ message: String, as type: SQLType) -> String

    /// `statement` reading the rows of each of `tables` by its name, each made once.
    func with(_ tables: [(name: String, sql: String)], _ statement: String) -> String
    /// A table of the texts of a JSON array held in `json` (text), for FROM: named `alias`,
    /// with the columns `v` (the text) and `n` (its place, from 1).
    func elements(ofJSONArray json: String, as alias: String) -> String
    /// The text at place `index` (from 0) of a JSON array held in `json`; null past its end.
    func element(_ index: Int, ofJSONArray json: String) -> String
    /// A table of the whole numbers 1 to `count` (SQL), for FROM: named `alias`, column `k`.
    func series(to count: String, as alias: String) -> String
    /// The `k`th table of a run's own (gone when its transaction ends), holding what `sql`
    /// selects: its name, and the statements making it, its statistics gathered for the
    /// planner.
    func temporaryTable(_ k: Int, holding sql: String) -> (name: String, making: String)
    /// The settings a run's connection is given first (statements), none when it needs none.
    var runSettings: String { get }
}

extension SQLDialect where Self == PostgreSQL {
    public static var postgres: PostgreSQL { PostgreSQL() }
}

// What every dialect builds the same way, of the requirements and standard SQL.
extension SQLDialect {
    /// `sql` as an exact decimal, an integer, text, a date.
    public func decimal(_ sql: String) -> String { cast(sql, to: .numeric) }
    public func integer(_ sql: String) -> String { cast(sql, to: .integer) }
    public func textOf(_ sql: String) -> String { cast(sql, to: .text) }
    public func dateOf(_ sql: String) -> String { cast(sql, to: .date) }
    /// A null of `type` (a row of none written out has no types of its own).
    public func null(_ type: SQLType) -> String { cast("NULL", to: type) }

    /// How many rows meet `condition`.
    public func count(where condition: String) -> String { filtered("count(*)", where: condition) }

    /// `sql` as the SQL type of a Dun type: a null written out has none of its own.
    func typed(_ sql: String, _ type: DunType) -> String {
        switch type {
        case .number, .money: cast(sql, to: .numeric)
        case .date: cast(sql, to: .date)
        case .bool: cast(sql, to: .boolean)
        case .string, .grade, .bucket: cast(sql, to: .text)
        default: sql
        }
    }

    /// The name of the `k`th table a statement makes once (`with`), apart from the database's.
    func made(_ k: Int) -> String { "dun_m\(k)" }

    /// A date computed in SQL, which an error stops outside years 1 to 9999 as Dun stops it.
    func inRange(_ date: String) -> String {
        "(CASE WHEN \(date) < \(self.date(.earliest)) OR \(date) > \(self.date(.latest))"
            + " THEN \(failing("date out of range", as: .date)) ELSE \(date) END)"
    }

    /// Whether text may hold a letter written with several code points (an accent written
    /// apart, Indic or Thai letters, emoji joined, CR LF): a character outside those known to
    /// be letters of their own (ASCII, Latin letters written whole, punctuation, CJK, kana
    /// without its voicing marks, Hangul syllables, full-width forms).
    func joinsCharacters(_ text: String) -> String {
        let own =
            #"\t\n\x20-\x7E\u00A0-\u024F\u2010-\u2027\u2030-\u205E\u3000-\u303F\u3040-\u3098\u309B-\u30FF"#
            + #"\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7A3\uF900-\uFAFF\uFF00-\uFF9D\uFFA0-\uFFEF"#
        return "COALESCE(\(matches(text, "[^\(own)]")), FALSE)"
    }

    /// Whether text may hold a letter with a case outside ASCII (é, Ａ, Д): a character
    /// outside ASCII and the scripts without case (CJK, kana, Hangul, their punctuation).
    func hasCaseBeyondASCII(_ text: String) -> String {
        let caseless =
            #"\x01-\x7F\u2010-\u2027\u2030-\u205E\u3000-\u303F\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7A3\uF900-\uFAFF"#
        return "COALESCE(\(matches(text, "[^\(caseless)]")), FALSE)"
    }

    /// A grade as a number in Dun's order: E lowest, A highest.
    func graded(_ sql: String) -> String {
        "(CASE \(sql) WHEN 'E' THEN 1 WHEN 'D' THEN 2 WHEN 'C' THEN 3 WHEN 'B' THEN 4 WHEN 'A' THEN 5 END)"
    }

    /// An aging bucket as a number in Dun's order: current first.
    func bucketed(_ sql: String) -> String {
        "(CASE \(sql) " + AgingBucket.allCases.map { "WHEN \(text($0.description)) THEN \($0.rawValue)" }.joined(separator: " ")
            + " END)"
    }

    /// `sql` of `type` as it orders: text by code point, grades E to A, buckets current first.
    func ordered(_ sql: String, _ type: DunType) -> String {
        switch type {
        case .string: ordered(sql)
        case .grade: graded(sql)
        case .bucket: bucketed(sql)
        default: sql
        }
    }

    /// A number as Dun's exact decimals hold a quotient: rounded half away from zero to 18
    /// places, then one place fewer at a time while its digits do not fit 64 bits (`Decimal64`).
    public func decimal64(_ sql: String) -> String {
        // Written out in each branch, not computed once in a subquery: an aggregate in `sql`
        // would be that subquery's, of its one row.
        let v = rounded(decimal(sql), places: "18")
        let fitting = (1...18).map { k in
            "WHEN abs(\(v)) <= 9.223372036854775807e\(k) THEN \(roundedDown(v, from: 18, to: 18 - k))"
        }
        return "(CASE WHEN abs(\(v)) <= 9.223372036854775807 THEN \(v) \(fitting.joined(separator: " ")) END)"
    }

    /// `sql` rounded at each place from `from` down to `to`, one at a time, as `Decimal64` does.
    private func roundedDown(_ sql: String, from: Int, to: Int) -> String {
        guard from > to else { return sql }
        return (to..<from).reversed().reduce(sql) { rounded($0, places: "\($1)") }
    }

    /// A value as a literal; nil for one with none.
    func literal(_ v: Value) -> String? {
        switch v {
        case .null: "NULL"
        case .bool(let b): b ? "TRUE" : "FALSE"
        case .number(let d): d.description
        case .money(let m): m.formatted(grouped: false)
        case .string(let s): text(s)
        case .grade(let g): text(g.description)
        case .bucket(let b): text(b.description)
        case .date(let d): date(d)
        default: nil
        }
    }
}
