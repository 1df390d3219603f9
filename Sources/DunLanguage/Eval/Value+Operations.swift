// Value operations: comparison and arithmetic at run time, exact, with errors for what
// cannot be known without a guess (two currencies, months against days).

import DunCore

extension Value {
    /// The value as `++` joins it: text and buckets as they are, money grouped with its code
    /// (`1,234.50 CNY`), others as they print.
    var joinable: String {
        switch self {
        case .string(let s): return s
        case .bucket(let b): return b.description
        case .money(let m): return "\(m.formatted(grouped: true)) \(m.currency)"
        default: return description
        }
    }

    /// `first op value op value …`, left to right. A chain of `*` and `/` on numbers and money
    /// is computed exactly and rounded once at its end (`product`); any other step by step.
    static func chain(
        _ first: Value, _ steps: [(op: ArithmeticOperator, value: Value, range: Range<Int>)]
    ) throws(RuntimeError) -> Value {
        if steps.count == 1, steps[0].op == .multiply, let exact = wholeProduct(first, steps[0].value) {
            return exact
        }
        if steps.allSatisfy({ $0.op == .multiply || $0.op == .divide }), let exact = try product(first, steps) {
            return exact
        }
        var v = first
        for step in steps { v = try arithmetic(step.op, v, step.value, at: step.range) }
        return v
    }

    /// A whole number times money or a whole number (`balance * days`), which is exact in
    /// minor units or units: as `product` computes it, without its fractions. Nil for any
    /// other, or when it does not fit.
    private static func wholeProduct(_ a: Value, _ b: Value) -> Value? {
        switch (a, b) {
        case (.money(let m), .number(let n)), (.number(let n), .money(let m)):
            guard n.scale == 0, case (let minor, false) = m.minor.multipliedReportingOverflow(by: n.significand) else {
                return nil
            }
            return .money(Money(minor: minor, currency: m.currency))
        case (.number(let x), .number(let y)):
            guard x.scale == 0, y.scale == 0, case (let n, false) = x.significand.multipliedReportingOverflow(by: y.significand)
            else { return nil }
            return .number(Decimal64(significand: n, scale: 0))
        default:
            return nil
        }
    }

    /// A chain of `*` and `/` as one fraction: money rounded to its minor unit at the end; a
    /// number exact when it has at most 18 places, else rounded to 6 places (or the most an
    /// operand has). Nil when the chain holds anything else, mixes what cannot mix, or does
    /// not fit: it is then computed step by step, which says what is wrong.
    private static func product(
        _ first: Value, _ steps: [(op: ArithmeticOperator, value: Value, range: Range<Int>)]
    ) throws(RuntimeError) -> Value? {
        func exact(_ v: Value) -> (ratio: Ratio, currency: Currency?, places: Int)? {
            switch v {
            case .number(let d): return (Ratio(d), nil, Int(d.scale))
            case .money(let m): return (Ratio(m.decimal), m.currency, m.currency.minorUnit)
            default: return nil
            }
        }
        if first.isNull || steps.contains(where: { $0.value.isNull }) { return .null }
        guard var (total, currency, places) = exact(first) else { return nil }
        for step in steps {
            guard let (x, c, p) = exact(step.value) else { return nil }
            places = max(places, p)
            switch (step.op, currency, c) {
            case (.multiply, _, nil), (.multiply, nil, _):
                currency = currency ?? c
                guard let r = total.multiplied(by: x) else { return nil }
                total = r
            case (.divide, _, nil), (.divide, .some, .some):
                if x.numerator == 0 { throw RuntimeError("division by zero", step.range) }
                // Money ÷ money of one currency is a number; of two, an error told step by step.
                if let a = currency, let b = c {
                    guard a == b else { return nil }
                    currency = nil
                }
                guard let r = total.divided(by: x) else { return nil }
                total = r
            default:
                return nil
            }
        }
        if let currency {
            return total.rounded(places: currency.minorUnit).flatMap { Money($0, currency: currency) }.map(Value.money)
        }
        return total.decimal(places: max(Int(Decimal64.divisionScale), places)).map(Value.number)
    }

    /// How money of two currencies meets: one converted to the other's.
    static func convertHint(_ to: Currency) -> String {
        "convert one first, as x in \(to); the rates come from rates.csv (date,currency,rate) or [rates] in dun.toml"
    }

    /// The order of two values (-1, 0, 1), or `nil` when either is null.
    static func order(_ a: Value, _ b: Value, at range: Range<Int>) throws(RuntimeError) -> Int? {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case (.null, _), (_, .null):
            return nil
        case (.number(let x), .number(let y)):
            return sign(x, y)
        case (.money(let x), .money(let y)):
            guard x.currency == y.currency else {
                throw RuntimeError(
                    "cannot compare \(x.formatted(grouped: true)) \(x.currency) with \(y.formatted(grouped: true)) \(y.currency) without an exchange rate",
                    range, hint: convertHint(x.currency))
            }
            return sign(x.minor, y.minor)
        case (.money(let x), .number(let y)):
            // A number with no more places than the currency (`balance > 0`) compares in minor units.
            if let minor = y.significand(atScale: x.currency.minorUnit) { return sign(x.minor, minor) }
            return sign(x.decimal, y)
        case (.number(let x), .money(let y)):
            if let minor = x.significand(atScale: y.currency.minorUnit) { return sign(minor, y.minor) }
            return sign(x, y.decimal)
        case (.date(let x), .date(let y)):
            return sign(x, y)
        case (.string(let x), .string(let y)):
            return sign(x, y)
        case (.grade(let x), .grade(let y)):
            return sign(x, y)
        case (.bucket(let x), .bucket(let y)):
            return sign(x, y)
        case (.bool(let x), .bool(let y)):
            return sign(x ? 1 : 0, y ? 1 : 0)
        case (.row(let e, let x), .row(let f, let y)) where e == f:
            return sign(x, y)
        case (.number(let x), .duration(let d)):
            return try sign(x, Decimal64(days(d, at: range)))
        case (.duration(let d), .number(let y)):
            return try sign(Decimal64(days(d, at: range)), y)
        case (.duration(.days(let x)), .duration(.days(let y))), (.duration(.months(let x)), .duration(.months(let y))):
            return sign(x, y)
        default:
            throw RuntimeError("cannot compare \(a.kindName) with \(b.kindName)", range)
        }
    }

    private static func days(_ d: Duration, at range: Range<Int>) throws(RuntimeError) -> Int64 {
        guard case .days(let n) = d else {
            throw RuntimeError(
                "months and years are calendar units and cannot be compared with a day count", range,
                hint: "compare with days or weeks: 90 days")
        }
        return n
    }

    /// `a op b`; null if either is null.
    static func arithmetic(_ op: ArithmeticOperator, _ a: Value, _ b: Value, at range: Range<Int>) throws(RuntimeError) -> Value {
        func check<T>(_ v: T?, _ what: String = "number too large") throws(RuntimeError) -> T {
            guard let v else { throw RuntimeError(what, range) }
            return v
        }
        func money(_ d: Decimal64?, _ c: Currency) throws(RuntimeError) -> Value {
            .money(try check(d.flatMap { Money($0, currency: c) }, "amount too large"))
        }
        switch (op, a, b) {
        case (_, .null, _), (_, _, .null):
            return .null
        case (.concat, _, _):
            return .string(a.joinable + b.joinable)
        case (_, .number(let x), .number(let y)):
            switch op {
            case .add: return .number(try check(x.adding(y)))
            case .subtract: return .number(try check(x.subtracting(y)))
            case .multiply: return .number(try check(x.multiplied(by: y)))
            case .divide:
                if y == .zero { throw RuntimeError("division by zero", range) }
                return .number(try check(x.divided(by: y)))
            case .concat: return .string(a.joinable + b.joinable)
            }
        case (.add, .money(let x), .money(let y)), (.subtract, .money(let x), .money(let y)):
            guard x.currency == y.currency else {
                throw RuntimeError(
                    "cannot \(op == .add ? "add" : "subtract") \(x.currency) and \(y.currency) without an exchange rate", range,
                    hint: convertHint(x.currency))
            }
            let r = op == .add ? x.minor.adding(y.minor) : x.minor.subtracting(y.minor)
            return .money(Money(minor: try check(r, "amount too large"), currency: x.currency))
        case (.add, .money(let x), .number(let y)), (.add, .number(let y), .money(let x)):
            return try money(x.decimal.adding(y), x.currency)
        case (.subtract, .money(let x), .number(let y)):
            return try money(x.decimal.subtracting(y), x.currency)
        case (.subtract, .number(let x), .money(let y)):
            return try money(x.subtracting(y.decimal), y.currency)
        case (.multiply, .money(let x), .number(let y)), (.multiply, .number(let y), .money(let x)):
            return try money(x.decimal.multiplied(by: y), x.currency)
        case (.divide, .money(let x), .number(let y)):
            if y == .zero { throw RuntimeError("division by zero", range) }
            return try money(x.decimal.divided(by: y, places: x.currency.minorUnit), x.currency)
        case (.divide, .money(let x), .money(let y)):
            guard x.currency == y.currency else {
                throw RuntimeError(
                    "cannot divide \(x.currency) by \(y.currency) without an exchange rate", range,
                    hint: convertHint(x.currency))
            }
            if y.minor == 0 { throw RuntimeError("division by zero", range) }
            return .number(try check(Decimal64(x.minor).divided(by: Decimal64(y.minor))))
        case (.add, .date(let d), .duration(let s)), (.add, .duration(let s), .date(let d)):
            return .date(try check(shift(d, s, 1), "date out of range"))
        case (.subtract, .date(let d), .duration(let s)):
            return .date(try check(shift(d, s, -1), "date out of range"))
        case (.subtract, .date(let x), .date(let y)):
            return .number(Decimal64(x.days(since: y)))
        case (.add, .duration(let x), .duration(let y)), (.subtract, .duration(let x), .duration(let y)):
            switch (x, y) {
            case (.days(let p), .days(let q)):
                return .duration(.days(try check(op == .add ? p.adding(q) : p.subtracting(q), "duration too long")))
            case (.months(let p), .months(let q)):
                return .duration(.months(try check(op == .add ? p.adding(q) : p.subtracting(q), "duration too long")))
            default:
                throw RuntimeError("cannot mix days and months in one duration", range)
            }
        case (.multiply, .duration(let d), .number(let n)), (.multiply, .number(let n), .duration(let d)):
            guard let k = n.integerValue else {
                throw RuntimeError("a duration can only be multiplied by a whole number", range)
            }
            switch d {
            case .days(let p): return .duration(.days(try check(p.multiplied(by: k), "duration too long")))
            case .months(let p): return .duration(.months(try check(p.multiplied(by: k), "duration too long")))
            }
        default:
            throw RuntimeError("cannot apply '\(op.rawValue)' to \(a.kindName) and \(b.kindName)", range)
        }
    }

    private static func shift(_ d: Day, _ s: Duration, _ sign: Int64) -> Day? {
        switch s {
        case .days(let n): return n.multiplied(by: sign).flatMap { d.adding(days: $0) }
        case .months(let n): return n.multiplied(by: sign).flatMap { d.adding(months: $0) }
        }
    }

    /// The name of the value's kind, for messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .number: return "number"
        case .money(let m): return "money (\(m.currency))"
        case .date: return "date"
        case .duration: return "duration"
        case .string: return "text"
        case .grade: return "grade"
        case .bucket: return "bucket"
        case .row: return "row"
        case .table: return "table"
        case .list: return "list"
        }
    }
}

extension Int64 {
    /// Checked arithmetic: `nil` instead of overflowing.
    func adding(_ o: Int64) -> Int64? {
        let (r, overflow) = addingReportingOverflow(o)
        return overflow ? nil : r
    }

    func subtracting(_ o: Int64) -> Int64? {
        let (r, overflow) = subtractingReportingOverflow(o)
        return overflow ? nil : r
    }

    func multiplied(by o: Int64) -> Int64? {
        let (r, overflow) = multipliedReportingOverflow(by: o)
        return overflow ? nil : r
    }
}

extension Value {
    /// `-v`: null for what has no negative.
    static func negated(_ v: Value, at range: Range<Int>) throws(RuntimeError) -> Value {
        switch v {
        case .number(let d):
            guard let r = d.negated() else { throw RuntimeError("number too large", range) }
            return .number(r)
        case .money(let m):
            guard m.minor != .min else { throw RuntimeError("amount too large", range) }
            return .money(Money(minor: -m.minor, currency: m.currency))
        case .duration(.days(let d)):
            guard let r = Int64(0).subtracting(d) else { throw RuntimeError("duration too long", range) }
            return .duration(.days(r))
        case .duration(.months(let d)):
            guard let r = Int64(0).subtracting(d) else { throw RuntimeError("duration too long", range) }
            return .duration(.months(r))
        default: return .null
        }
    }

    /// The greater (`largest`) or lesser of the best so far and `v`, nulls skipped: one step of
    /// `min(a, b, …)` or `max(a, b, …)`.
    static func extreme(_ best: Value, _ v: Value, largest: Bool, at range: Range<Int>) throws(RuntimeError) -> Value {
        if let order = try Value.order(v, best, at: range), largest ? order > 0 : order < 0 { return v }
        return best.isNull ? v : best
    }
}

extension Builtin {
    /// The function of the standard library on these values; its error told as its own.
    func called(_ values: [Value], at range: Range<Int>) throws(RuntimeError) -> Value {
        guard case .scalar(_, let run) = kind else { return .null }
        do {
            return try run(values)
        } catch {
            throw RuntimeError("\(name): \(error.message)", range)
        }
    }
}
