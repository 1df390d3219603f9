// CachedWorkspace: a Workspace written as its columns' bytes, and read back with every
// number that indexes something checked, so that a damaged cache is refused, never a crash.

import DunCore

private func check(_ condition: Bool) throws(CacheReader.Invalid) {
    if !condition { throw CacheReader.Invalid() }
}

extension TextColumn {
    /// Numbered texts as their numbering; others as their bytes and ends.
    func store(_ w: CacheWriter) throws(CacheWriter.Failed) {
        if let numbering {
            let n = numbering.fields
            try w.number(Int64(1))
            for field in [n.prefix.low, n.prefix.high] { try w.number(field) }
            for field in [n.prefixCount, n.width, n.first, n.count] { try w.number(Int64(field)) }
            return
        }
        try w.number(Int64(0))
        try w.array(bytes)
        try w.array(ends)
        try w.array(crossings)
    }

    init(_ r: CacheReader) throws(CacheReader.Invalid) {
        self.init()
        let numbered = try r.number(Int64.self)
        try check(numbered == 0 || numbered == 1)
        if numbered == 1 {
            let prefix = (low: try r.number(UInt64.self), high: try r.number(UInt64.self))
            var fields: [Int] = []
            for _ in 0..<4 { fields.append(Int(try r.number(Int64.self))) }
            numbering = Numbering(prefix: prefix, prefixCount: fields[0], width: fields[1], first: fields[2], count: fields[3])
            try check(numbering != nil)
            return
        }
        bytes = try r.array()
        ends = try r.array()
        crossings = try r.array()
        var last = 0
        for (k, row) in crossings.enumerated() {
            try check(row >= (k == 0 ? 0 : crossings[k - 1]) && row < ends.count)
        }
        // The ends, each with the crossings before it, in order.
        var next = 0
        for (i, end) in ends.enumerated() {
            while next < crossings.count && crossings[next] <= i { next += 1 }
            let whole = next << 32 | Int(end)
            try check(whole >= last)
            last = whole
        }
        try check(last <= bytes.count)
    }
}

extension TextIndex {
    func store(_ w: CacheWriter) throws(CacheWriter.Failed) {
        try w.array(slots)
        try w.number(Int64(count))
    }

    /// An index of `texts`: each slot's row among them, and one empty slot at least, so that
    /// every search ends.
    init(_ r: CacheReader, of texts: TextColumn) throws(CacheReader.Invalid) {
        self.init()
        slots = try r.array()
        count = Int(try r.number(Int64.self))
        var used = 0
        for slot in slots {
            guard slot.entry != 0 else { continue }
            try check(slot.row >= 0 && Int(slot.row) < texts.count)
            used += 1
        }
        try check(used == count && count < slots.count)
    }
}

extension KeyColumn {
    /// The ids, and the parts of their index: none when they are numbered.
    func store(_ w: CacheWriter) throws(CacheWriter.Failed) {
        try texts.store(w)
        try w.number(Int64(parts.count))
        for part in parts { try part.store(w) }
    }

    init(_ r: CacheReader) throws(CacheReader.Invalid) {
        self.init()
        texts = try TextColumn(r)
        let n = try r.number(Int64.self)
        if n == 0 {
            try check(isNumbered)
            parts = []
            return
        }
        // A power of two: the part of an id is some bits of its hash.
        try check(n >= 1 && n <= 64 && n & (n - 1) == 0)
        var parts: [TextIndex] = []
        for _ in 0..<n { parts.append(try TextIndex(r, of: texts)) }
        self.parts = parts
    }
}

extension CategoryColumn {
    func store(_ w: CacheWriter) throws(CacheWriter.Failed) {
        try w.texts(values)
        try w.array(codes)
    }

    init(_ r: CacheReader) throws(CacheReader.Invalid) {
        let values = try r.texts()
        guard let column = CategoryColumn(values: values, codes: try r.array()) else { throw CacheReader.Invalid() }
        self = column
    }
}

/// Rows that point at other rows: each in `0..<rows`.
private func rows(_ r: CacheReader, below rows: Int) throws(CacheReader.Invalid) -> [Int32] {
    let values: [Int32] = try r.array()
    try check(values.allSatisfy { $0 >= 0 && Int($0) < rows })
    return values
}

/// Days as their ordinals, each one a date of years 1 to 9999.
private func store(_ days: [Day], _ w: CacheWriter) throws(CacheWriter.Failed) {
    try w.array(days.map(\.ordinal))
}

private let dayRange = (Day(year: 1, month: 1, day: 1)?.ordinal ?? 0)...(Day(year: 9999, month: 12, day: 31)?.ordinal ?? 0)

private func days(_ r: CacheReader) throws(CacheReader.Invalid) -> [Day] {
    let ordinals: [Int32] = try r.array()
    try check(ordinals.allSatisfy { dayRange.contains($0) })
    return ordinals.map(Day.init(ordinal:))
}

/// Optional numbers as two arrays: whether each is there, and its value (0 when not).
private func store<T: FixedWidthInteger & BitwiseCopyable>(_ values: [T?], _ w: CacheWriter) throws(CacheWriter.Failed) {
    try w.array(values.map { $0 == nil ? UInt8(0) : 1 })
    try w.array(values.map { $0 ?? 0 })
}

private func optionals<T: FixedWidthInteger & BitwiseCopyable>(_ r: CacheReader) throws(CacheReader.Invalid) -> [T?] {
    let present: [UInt8] = try r.array()
    let values: [T] = try r.array()
    try check(present.count == values.count && present.allSatisfy { $0 <= 1 })
    return zip(present, values).map { $0 == 1 ? $1 : nil }
}

/// Currencies as the codes they use, and each one's index among them.
private func store(_ currencies: [Currency], _ w: CacheWriter) throws(CacheWriter.Failed) {
    let codes = Array(Set(currencies.map(\.code))).sorted()
    try w.texts(codes)
    try w.array(currencies.map { UInt8(codes.firstIndex(of: $0.code) ?? 0) })
}

private func currencies(_ r: CacheReader) throws(CacheReader.Invalid) -> [Currency] {
    let currencies = try r.texts().map { code -> Currency? in code.flatMap { Currency(code: $0) } }
    let known = currencies.compactMap { $0 }
    try check(known.count == currencies.count)
    let indexes: [UInt8] = try r.array()
    try check(indexes.allSatisfy { Int($0) < known.count })
    return indexes.map { known[Int($0)] }
}

private func bools(_ r: CacheReader) throws(CacheReader.Invalid) -> [Bool] {
    let bytes: [UInt8] = try r.array()
    try check(bytes.allSatisfy { $0 <= 1 })
    return bytes.map { $0 == 1 }
}

extension Customers {
    func store(_ w: CacheWriter) throws(CacheWriter.Failed) {
        try id.store(w)
        try name.store(w)
        try region.store(w)
        try w.array(grade.map { $0?.rawValue ?? 0 })
        try DunModel.store(creditLimit, w)
        try DunModel.store(currency, w)
        try DunModel.store(termsDays, w)
        try collector.store(w)
        try email.store(w)
        try phone.store(w)
        try language.store(w)
    }

    init(_ r: CacheReader) throws(CacheReader.Invalid) {
        id = try KeyColumn(r)
        name = try TextColumn(r)
        region = try CategoryColumn(r)
        let grades: [UInt8] = try r.array()
        grade = []
        for g in grades {
            if g == 0 {
                grade.append(nil)
            } else {
                guard let known = Grade(rawValue: g) else { throw CacheReader.Invalid() }
                grade.append(known)
            }
        }
        creditLimit = try optionals(r)
        currency = try currencies(r)
        termsDays = try optionals(r)
        collector = try CategoryColumn(r)
        email = try TextColumn(r)
        phone = try TextColumn(r)
        language = try CategoryColumn(r)
        let n = id.count
        try check(
            [
                name.count, region.count, grade.count, creditLimit.count, currency.count, termsDays.count,
                collector.count, email.count, phone.count, language.count,
            ].allSatisfy { $0 == n })
    }
}

extension Invoices {
    func store(_ w: CacheWriter) throws(CacheWriter.Failed) {
        try id.store(w)
        try w.array(customer)
        try DunModel.store(issued, w)
        try DunModel.store(due, w)
        try w.array(amount)
        try DunModel.store(currency, w)
        try w.array(disputed.map { $0 ? UInt8(1) : 0 })
        try w.number(Int64(anyForeign ? 1 : 0))
    }

    init(_ r: CacheReader, customers: Int) throws(CacheReader.Invalid) {
        id = try KeyColumn(r)
        customer = try rows(r, below: customers)
        issued = try days(r)
        due = try days(r)
        // Of any sign: a credit note's is negative.
        amount = try r.array()
        currency = try currencies(r)
        disputed = try bools(r)
        let foreign = try r.number(Int64.self)
        try check(foreign == 0 || foreign == 1)
        anyForeign = foreign == 1
        let n = id.count
        try check([customer.count, issued.count, due.count, amount.count, currency.count, disputed.count].allSatisfy { $0 == n })
    }
}

extension Payments {
    func store(_ w: CacheWriter) throws(CacheWriter.Failed) {
        try id.store(w)
        try w.array(customer)
        try w.array(invoice.rows)
        try DunModel.store(date, w)
        try w.array(amount)
        try DunModel.store(currency, w)
        try method.store(w)
    }

    init(_ r: CacheReader, customers: Int, invoices: Int) throws(CacheReader.Invalid) {
        id = try TextColumn(r)
        customer = try rows(r, below: customers)
        invoice.rows = try r.array()
        try check(invoice.rows.allSatisfy { $0 >= -1 && Int($0) < invoices })
        date = try days(r)
        amount = try r.array()
        // Never negative, as parsed (`Record.amount`): what is left on an invoice relies on it.
        try check(amount.allSatisfy { $0 >= 0 })
        currency = try currencies(r)
        method = try CategoryColumn(r)
        let n = id.count
        try check([customer.count, invoice.count, date.count, amount.count, currency.count, method.count].allSatisfy { $0 == n })
    }
}

extension Workspace {
    func store(_ w: CacheWriter) throws(CacheWriter.Failed) {
        try customers.store(w)
        try invoices.store(w)
        try payments.store(w)
    }

    init(_ r: CacheReader) throws(CacheReader.Invalid) {
        self.init()
        customers = try Customers(r)
        invoices = try Invoices(r, customers: customers.count)
        payments = try Payments(r, customers: customers.count, invoices: invoices.count)
    }
}
