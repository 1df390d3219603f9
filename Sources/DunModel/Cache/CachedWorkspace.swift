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

extension Workspace {
    func store(_ w: CacheWriter) throws(CacheWriter.Failed) {
        try customers.store(w)
        try invoices.store(w)
        try payments.store(w)
    }

    init(_ r: CacheReader) throws(CacheReader.Invalid) {
        self.init()
        customers = try Customers(r, limits: RowLimits())
        invoices = try Invoices(r, limits: RowLimits(customers: customers.count))
        payments = try Payments(r, limits: RowLimits(customers: customers.count, invoices: invoices.count))
        // Never negative, as parsed (`Record.amount`): what is left on an invoice relies on it.
        try check(payments.amount.allSatisfy { $0 >= 0 })
        // Kept for the payments a load parses; none do after a cache is read.
        if let shared = customers.sharedCurrency {
            invoices.anyForeign = invoices.currency.contains { $0 != shared }
        } else {
            let (currencies, customerOf) = (customers.currency, invoices.customer)
            invoices.anyForeign = zip(invoices.currency, customerOf).contains { $0 != currencies[Int($1)] }
        }
    }
}
