// Builtins: the one table of functions — name, signature, meaning, type rule, implementation.

import DunCore

public enum Aggregate: String, Sendable, CaseIterable {
    case count, sum, avg, min, max
}

/// A function a script can call. The checker, `.help` and completion read this table.
public struct Builtin: Sendable {
    public let name: String
    public let signature: String
    public let doc: String
    let kind: Kind
    /// The first argument is a span of the calendar, written bare (`start_of(month, due)`).
    var firstIsSpan = false

    enum Kind: Sendable {
        /// Counted or folded over a table, a list, or the rows of a group.
        case aggregate(Aggregate)
        /// `as_of(day, value)`: its value computed as of another day.
        case asOf
        /// Argument types to result type (or a message), and the evaluation.
        case scalar(
            check: @Sendable ([DunType]) -> Result<DunType, TypeMismatch>,
            run: @Sendable ([Value]) throws(BuiltinFailure) -> Value)
    }

    struct TypeMismatch: Error {
        var message: String
    }

    struct BuiltinFailure: Error {
        var message: String
    }

    public static let all: [Builtin] = [
        Builtin(
            name: "count", signature: "count(table) · count() in aggregate",
            doc: "number of rows; in `aggregate`, count() counts the group's rows and count(cond) the rows where cond holds",
            kind: .aggregate(.count)),
        Builtin(
            name: "sum", signature: "sum(list) · sum(expr) in aggregate",
            doc: "total of numbers or money, nulls skipped; 0 when there is nothing to add",
            kind: .aggregate(.sum)),
        Builtin(
            name: "avg", signature: "avg(list) · avg(expr) in aggregate",
            doc: "mean of numbers or money (money rounds half away from zero to its minor unit), nulls skipped",
            kind: .aggregate(.avg)),
        Builtin(
            name: "min", signature: "min(list) · min(expr) in aggregate · min(a, b, …)",
            doc: "smallest value, nulls skipped; with several arguments, the smallest of them",
            kind: .aggregate(.min)),
        Builtin(
            name: "max", signature: "max(list) · max(expr) in aggregate · max(a, b, …)",
            doc: "largest value, nulls skipped; with several arguments, the largest of them",
            kind: .aggregate(.max)),
        Builtin(
            name: "abs", signature: "abs(x)", doc: "absolute value of a number or amount",
            kind: .scalar(
                check: { one($0, [.number, .money]) },
                run: { (args) throws(BuiltinFailure) in
                    switch args[0] {
                    case .number(let n) where n.isNegative:
                        guard let v = n.negated() else { throw BuiltinFailure(message: "number too large") }
                        return .number(v)
                    case .money(let m) where m.minor < 0:
                        guard m.minor != .min else { throw BuiltinFailure(message: "amount too large") }
                        return .money(Money(minor: -m.minor, currency: m.currency))
                    default: return args[0]
                    }
                })),
        Builtin(
            name: "round", signature: "round(x) · round(x, places)",
            doc: "rounds half away from zero to whole units or to `places` decimals",
            kind: .scalar(
                check: { types in
                    guard types.count == 1 || (types.count == 2 && fits(types[1], .number)) else {
                        return .failure(
                            TypeMismatch(message: "round takes a number or amount, and optionally the number of places"))
                    }
                    return one([types[0]], [.number, .money])
                },
                run: { (args) throws(BuiltinFailure) in
                    var places = 0
                    if args.count == 2 {
                        guard case .number(let p) = args[1], let n = p.integerValue, (0...18).contains(n) else {
                            if args[1].isNull { return .null }
                            throw BuiltinFailure(message: "places must be a whole number from 0 to 18")
                        }
                        places = Int(n)
                    }
                    switch args[0] {
                    case .number(let n): return .number(n.rounded(toScale: places))
                    case .money(let m):
                        let r = m.decimal.rounded(toScale: min(places, m.currency.minorUnit))
                        guard let rounded = Money(r, currency: m.currency) else {
                            throw BuiltinFailure(message: "amount too large")
                        }
                        return .money(rounded)
                    default: return .null
                    }
                })),
        Builtin(
            name: "year", signature: "year(date)", doc: "the year of a date",
            kind: .scalar(
                check: { one($0, [.date], result: .number) },
                run: { args in
                    guard case .date(let d) = args[0] else { return .null }
                    return .number(Decimal64(d.components.year))
                })),
        Builtin(
            name: "month", signature: "month(date)", doc: "the month of a date, 1 to 12",
            kind: .scalar(
                check: { one($0, [.date], result: .number) },
                run: { args in
                    guard case .date(let d) = args[0] else { return .null }
                    return .number(Decimal64(d.components.month))
                })),
        Builtin(
            name: "start_of", signature: "start_of(week|month|quarter|year, date)",
            doc: "the first day of the week (from Monday), month, quarter or year a date is in",
            kind: .scalar(check: spanAndDate, run: { (args) throws(BuiltinFailure) in try span(args) { $0.start(of: $1) } }),
            firstIsSpan: true),
        Builtin(
            name: "end_of", signature: "end_of(week|month|quarter|year, date)",
            doc: "the last day of the week (to Sunday), month, quarter or year a date is in",
            kind: .scalar(check: spanAndDate, run: { (args) throws(BuiltinFailure) in try span(args) { $0.end(of: $1) } }),
            firstIsSpan: true),
        Builtin(
            name: "ends_of", signature: "ends_of(week|month|quarter|year, from, to)",
            doc: "a table of the last days of each week, month, quarter or year from one date to another, its column 'date'",
            kind: .scalar(
                check: { types in
                    guard types.count == 3, fits(types[0], .string), fits(types[1], .date), fits(types[2], .date) else {
                        return .failure(TypeMismatch(message: "expected a span (week, month, quarter or year) and two dates"))
                    }
                    return .success(.table(.record([Column(name: "date", type: .date)])))
                },
                run: { (args) throws(BuiltinFailure) in
                    guard case .string(let name) = args[0], case .date(let from) = args[1], case .date(let to) = args[2] else {
                        return .null
                    }
                    guard let span = Day.Span(rawValue: name) else {
                        throw BuiltinFailure(message: "\(excerpt(name)) is no span: week, month, quarter or year")
                    }
                    var days: [Value] = []
                    var day = from.end(of: span)
                    while let d = day, d <= to {
                        guard days.count < 10_000 else { throw BuiltinFailure(message: "more than 10,000 dates") }
                        days.append(.date(d))
                        day = d.adding(days: 1).flatMap { $0.end(of: span) }
                    }
                    return .table(
                        Frame(
                            entity: nil, rows: [], columns: [Column(name: "date", type: .date)], values: [days], count: days.count
                        ))
                }),
            firstIsSpan: true),
        Builtin(
            name: "as_of", signature: "as_of(date, value)",
            doc:
                "the value as of another day: the workspace seen as of that date (`ends_of(month, …) | select date, v = as_of(date, …)`)",
            kind: .asOf),
        Builtin(
            name: "days_between", signature: "days_between(from, to)", doc: "the days from one date to another: to − from",
            kind: .scalar(
                check: { types in
                    guard types.count == 2, fits(types[0], .date), fits(types[1], .date) else {
                        return .failure(TypeMismatch(message: "expected two dates"))
                    }
                    return .success(.number)
                },
                run: { args in
                    guard case .date(let a) = args[0], case .date(let b) = args[1] else { return .null }
                    return .number(Decimal64(b.days(since: a)))
                })),
        Builtin(
            name: "weekday", signature: "weekday(date)", doc: "the day of the week: 1 for Monday to 7 for Sunday",
            kind: .scalar(
                check: { one($0, [.date], result: .number) },
                run: { args in
                    guard case .date(let d) = args[0] else { return .null }
                    return .number(Decimal64(d.weekday))
                })),
        Builtin(
            name: "band", signature: "band(days, edges)",
            doc:
                "the aging band of a number of days, for edges of one's own: band(45, [30, 60, 90, 120]) is \"31-60\"; 0 or less is \"current\", past the last edge \"120+\"",
            kind: .scalar(
                check: { types in
                    guard types.count == 2, fits(types[0], .number), fits(types[1], .list(.number)) else {
                        return .failure(
                            TypeMismatch(
                                message: "expected a number of days and a list of edges: band(days_overdue, [30, 60, 90])"))
                    }
                    return .success(.string)
                },
                run: { (args) throws(BuiltinFailure) in
                    guard case .number(let days) = args[0] else { return .null }
                    return .string(try bands(args[1]).label(days: days))
                })),
        Builtin(
            name: "bands", signature: "bands(edges)",
            doc:
                "the labels of the bands of `edges`, in aging order: bands([30, 60]) is [\"current\", \"1-30\", \"31-60\", \"60+\"]",
            kind: .scalar(
                check: { types in
                    guard types.count == 1, fits(types[0], .list(.number)) else {
                        return .failure(TypeMismatch(message: "expected a list of edges: bands([30, 60, 90])"))
                    }
                    return .success(.list(.string))
                },
                run: { (args) throws(BuiltinFailure) in .list(try bands(args[0]).labels.map(Value.string)) })),
        Builtin(
            name: "join", signature: "join(list, separator)",
            doc: "the list's values joined as `++` joins them, nulls left out: join([\"a\", null, \"b\"], \", \") is \"a, b\"",
            kind: .scalar(
                check: { types in
                    guard types.count == 2, case .list = types[0], fits(types[1], .string) else {
                        return .failure(TypeMismatch(message: "expected a list and the text between its values"))
                    }
                    return .success(.string)
                },
                run: { args in
                    guard case .list(let items) = args[0], case .string(let separator) = args[1] else { return .null }
                    return .string(items.filter { !$0.isNull }.map(\.joinable).joined(separator: separator))
                })),
        Builtin(
            name: "unique", signature: "unique(list)",
            doc:
                "the list's values without repeats, in the order first seen, nulls left out: count(unique(payments.date)) days paid",
            kind: .scalar(
                check: { types in
                    guard types.count == 1, case .list = types[0] else {
                        return .failure(TypeMismatch(message: "expected a list: unique(payments.date)"))
                    }
                    return .success(types[0])
                },
                run: { args in
                    guard case .list(let items) = args[0] else { return .null }
                    var seen = Set<Value>()
                    return .list(items.filter { !$0.isNull && seen.insert($0).inserted })
                })),
        Builtin(
            name: "lower", signature: "lower(text)", doc: "text in lower case",
            kind: .scalar(
                check: { one($0, [.string]) },
                run: { args in
                    guard case .string(let s) = args[0] else { return .null }
                    return .string(s.lowercased())
                })),
        Builtin(
            name: "upper", signature: "upper(text)", doc: "text in upper case",
            kind: .scalar(
                check: { one($0, [.string]) },
                run: { args in
                    guard case .string(let s) = args[0] else { return .null }
                    return .string(s.uppercased())
                })),
        Builtin(
            name: "length", signature: "length(text)", doc: "number of characters in a text",
            kind: .scalar(
                check: { one($0, [.string], result: .number) },
                run: { args in
                    guard case .string(let s) = args[0] else { return .null }
                    return .number(Decimal64(s.count))
                })),
    ]

    /// A span written bare or as text, and a date.
    private static func spanAndDate(_ types: [DunType]) -> Result<DunType, TypeMismatch> {
        guard types.count == 2, fits(types[0], .string), fits(types[1], .date) else {
            return .failure(TypeMismatch(message: "expected a span (week, month, quarter or year) and a date"))
        }
        return .success(.date)
    }

    /// The day `day` gives for the span and date of `args`.
    private static func span(_ args: [Value], _ day: (Day, Day.Span) -> Day?) throws(BuiltinFailure) -> Value {
        guard case .string(let name) = args[0], case .date(let d) = args[1] else { return .null }
        guard let span = Day.Span(rawValue: name) else {
            throw BuiltinFailure(message: "\(excerpt(name)) is no span: week, month, quarter or year")
        }
        return day(d, span).map(Value.date) ?? .null
    }

    /// The bands of a list of edges, or why they are none.
    private static func bands(_ value: Value) throws(BuiltinFailure) -> AgingBands {
        guard case .list(let items) = value else { throw BuiltinFailure(message: AgingBands.rule) }
        var edges: [Decimal64] = []
        for item in items {
            guard case .number(let n) = item else { throw BuiltinFailure(message: AgingBands.rule) }
            edges.append(n)
        }
        guard let bands = AgingBands(edges: edges) else { throw BuiltinFailure(message: AgingBands.rule) }
        return bands
    }

    public static func named(_ name: String) -> Builtin? {
        all.first { $0.name == name }
    }

    /// `unique(list)`, which an aggregate of each row's related rows folds without repeats.
    var isUnique: Bool { name == "unique" }
    /// `round(x, places)`, which SQL has too.
    var isRound: Bool { name == "round" }
    /// `band(days, edges)`, whose labels SQL can give once the edges are known.
    var isBand: Bool { name == "band" }

    /// Exactly one argument, of one of `allowed`; the result is `result`, or the argument's type.
    private static func one(_ types: [DunType], _ allowed: [DunType], result: DunType? = nil) -> Result<DunType, TypeMismatch> {
        guard types.count == 1 else {
            return .failure(TypeMismatch(message: "expected 1 argument, found \(types.count)"))
        }
        guard let match = allowed.first(where: { fits(types[0], $0) }) else {
            return .failure(TypeMismatch(message: "expected \(allowed.map { "\($0)" }.joined(separator: " or "))"))
        }
        return .success(result ?? (types[0] == .null || types[0] == .unknown ? match : types[0]))
    }

    private static func fits(_ type: DunType, _ wanted: DunType) -> Bool {
        type == wanted || type == .null || type == .unknown
    }
}
