// Columns of text built for a million rows, with no String per row: many distinct texts
// stored end to end, keys found by their bytes, few distinct texts stored once.

import DunCore
import Foundation

/// Texts stored end to end in one buffer; an empty text stands for a missing value.
///
/// Texts that are a numbering (ids: "INV-000001", "INV-000002", …) are not stored at all
/// while every one so far is: each is told by its row (`Numbering`). Ten million ids are then
/// 160 MB less memory to fill, copy and cache. The first text that breaks the numbering has
/// the texts before it written out, and is stored after them.
public struct TextColumn: Sendable {
    var bytes: [UInt8] = []
    /// Where each text ends in `bytes`, in 4 bytes, not 8 (40 MB less for ten million ids):
    /// the low 32 bits, and `crossings` the rest. Text `i` starts where text `i - 1` ends.
    var ends: [UInt32] = []
    /// The first row ending past each multiple of 4 GiB of text, in order: none below 4 GiB.
    var crossings: [Int] = []
    /// The texts' numbering, while they have one: then `bytes` and `ends` are empty.
    var numbering: Numbering?

    public init() {}

    public var count: Int { numbering?.count ?? ends.count }

    /// Where text `i` ends in `bytes`.
    @inline(__always)
    func end(_ i: Int) -> Int {
        crossings.isEmpty ? Int(ends[i]) : crossed(before: i) << 32 | Int(ends[i])
    }

    /// How many multiples of 4 GiB text `i` ends past: the crossings at or before it.
    @inline(never)
    private func crossed(before i: Int) -> Int {
        var (lo, hi) = (0, crossings.count)
        while lo < hi {
            let mid = (lo + hi) / 2
            if crossings[mid] <= i { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    @inline(__always)
    private func range(_ i: Int) -> Range<Int> {
        (i == 0 ? 0 : end(i - 1))..<end(i)
    }

    /// Text `i` (empty when missing).
    public subscript(i: Int) -> String {
        withBytes(i) { String(decoding: $0, as: UTF8.self) }
    }

    /// Text `i`, or `nil` when it is empty.
    public func value(_ i: Int) -> String? {
        withBytes(i) { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }
    }

    public mutating func append(_ text: String?) {
        var text = text ?? ""
        text.withUTF8 { append($0) }
    }

    mutating func append(_ text: UnsafeBufferPointer<UInt8>) {
        if ends.isEmpty && numbered(text) { return }
        bytes.append(contentsOf: text)
        endText(at: bytes.count)
    }

    /// Counts `text` in the numbering when it is the next number's text, or starts one when it
    /// is the first text; otherwise writes out the numbered texts, if any.
    @inline(__always)
    private mutating func numbered(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard numbering != nil else {
            numbering = Numbering(first: text)
            return numbering != nil
        }
        // Counted in place, not copied out and back.
        if numbering?.count(text) == true { return true }
        writeOut()
        return false
    }

    /// Stores the numbered texts, and ends the numbering.
    @inline(never)
    private mutating func writeOut() {
        guard let n = numbering else { return }
        numbering = nil
        reserve(n.count)
        for i in 0..<n.count {
            n.withText(i) { bytes.append(contentsOf: $0) }
            endText(at: bytes.count)
        }
    }

    /// Ends the next text at byte `end`.
    @inline(__always)
    mutating func endText(at end: Int) {
        if end > UInt32.max { cross(to: end) }
        ends.append(UInt32(truncatingIfNeeded: end))
    }

    /// Notes that the next text ends past one more multiple of 4 GiB, if it does.
    @inline(never)
    private mutating func cross(to end: Int) {
        while end >> 32 > crossings.count { crossings.append(ends.count) }
    }

    /// Room for `rows` more texts of about `size` bytes each.
    mutating func reserve(_ rows: Int, size: Int = 16) {
        ends.reserveHuge(rows)
        bytes.reserveHuge(rows * size)
    }

    /// Appends every text of `other`, in order: numbered texts followed by the next numbers'
    /// stay numbered.
    mutating func append(contentsOf other: TextColumn) {
        guard other.count > 0 else { return }
        if count == 0 {
            self = other
            return
        }
        if var n = numbering, let m = other.numbering, n.count(m) {
            numbering = n
            // The room the first part kept for its texts, in case they were not numbered.
            (bytes, ends) = ([], [])
            return
        }
        writeOut()
        if let m = other.numbering {
            for i in 0..<m.count { m.withText(i) { append($0) } }
            return
        }
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        guard bytes.count >> 32 > 0 else {
            ends.append(contentsOf: other.ends.lazy.map { $0 + UInt32(base) })
            return
        }
        for i in 0..<other.count { endText(at: base + other.end(i)) }
    }

    /// Whether text `i` is exactly `other`.
    func equals(_ i: Int, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        if let numbering { return numbering.row(of: other) == Int32(i) }
        let r = range(i)
        guard r.count == other.count else { return false }
        return bytes.withUnsafeBufferPointer { all in
            guard let a = all.baseAddress, let b = other.baseAddress else { return true }
            return memcmp(a + r.lowerBound, b, r.count) == 0
        }
    }

    @inline(__always)
    func withBytes<T>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        if let numbering { return numbering.withText(i, body) }
        let r = range(i)
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[r])) }
    }
}

/// The slot a hash starts at in a table of `count` slots: its low 32 bits scaled to the table
/// (any size, not only powers of two, so that a large table is not up to twice as big as needed).
private func firstSlot(_ hash: Int, of count: Int) -> Int {
    Int((UInt64(UInt32(truncatingIfNeeded: hash)) &* UInt64(count)) >> 32)
}

/// The number of slots for `capacity` texts with a table at most 70% full.
private func slotCount(_ capacity: Int) -> Int {
    max(16, capacity * 10 / 7 + 1)
}

/// Row numbers of texts by their bytes: open addressing, grown as texts are added.
///
/// Each slot holds the first 12 bytes of its text, so that finding an id (most are that
/// short) reads one place in memory, not three: this is what a million lookups cost. A slot
/// takes 16 bytes (it took 24 with 16 bytes of text): a third less memory to fill and wait on.
struct TextIndex: Sendable {
    struct Slot {
        /// The text's first 12 bytes, zero-padded.
        var head: UInt64 = 0
        var tail: UInt32 = 0
        /// Row + 1; 0 is an empty slot. The top bit is set when the text is not `plain`: then
        /// its first 12 bytes do not tell it apart, and it is compared in full.
        var entry: UInt32 = 0

        var row: Int32 { Int32(bitPattern: entry & 0x7FFF_FFFF) - 1 }
        var isPlain: Bool { entry & 0x8000_0000 == 0 }
    }

    /// A text's first 12 bytes, zero-padded, and whether they tell it apart from every other
    /// text: it has at most 12 bytes, none of them zero (the padding).
    struct Head {
        var head: UInt64
        var tail: UInt32
        var isPlain: Bool

        @inline(__always)
        init(_ key: UnsafeBufferPointer<UInt8>) {
            head = TextIndex.word(key, at: 0)
            tail = UInt32(truncatingIfNeeded: TextIndex.word(key, at: 8))
            isPlain = key.count <= 12 && TextIndex.firstZero(head, tail) >= key.count
        }
    }

    var slots: [Slot]
    var count = 0

    /// Room for `capacity` texts with the table at most 70% full.
    init(capacity: Int = 8) {
        slots = filledArray(repeating: Slot(), count: slotCount(capacity))
    }

    private func start(_ hash: Int) -> Int {
        firstSlot(hash, of: slots.count)
    }

    /// The bytes eight at a time, each word mixed in by a multiplication, then MurmurHash3's
    /// finalizer, so that ids differing in one digit land far apart.
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        let (a, b) = (word(key, at: 0), word(key, at: 8))
        var h = (UInt64(key.count) ^ a) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 32) ^ b) &* 0xff51_afd7_ed55_8ccd
        // Ids longer than 16 bytes: the rest, eight bytes at a time, the last ones zero-padded.
        var i = 16
        while i < key.count {
            h = (h ^ (h >> 32) ^ word(key, at: i)) &* 0xff51_afd7_ed55_8ccd
            i += 8
        }
        h = (h ^ (h >> 33)) &* 0xff51_afd7_ed55_8ccd
        h = (h ^ (h >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return Int(truncatingIfNeeded: h ^ (h >> 33))
    }

    /// Where the first zero byte of the twelve bytes `head`, `tail` is (12 when none is).
    @inline(__always)
    static func firstZero(_ head: UInt64, _ tail: UInt32) -> Int {
        // Each zero byte's top bit is set, and maybe some above it, never one below.
        let a = (head &- 0x0101_0101_0101_0101) & ~head & 0x8080_8080_8080_8080
        if a != 0 { return a.trailingZeroBitCount / 8 }
        let b = (tail &- 0x0101_0101) & ~tail & 0x8080_8080
        return b != 0 ? 8 + b.trailingZeroBitCount / 8 : 12
    }

    /// The eight bytes from `offset`, zero-padded past the end, read without a byte beyond
    /// the key: eight at once when there are eight, else two overlapping fours, else one by one.
    @inline(__always)
    static func word(_ key: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        let n = key.count - offset
        guard n > 0 else { return 0 }
        let raw = UnsafeRawBufferPointer(key)
        if n >= 8 { return raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        if n >= 4 {
            // Bytes n-4..n-1 of the four read last land where they belong; the overlap is the same bytes.
            let low = UInt64(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let high = UInt64(raw.loadUnaligned(fromByteOffset: offset + n - 4, as: UInt32.self))
            return low | high << (8 * UInt64(n - 4))
        }
        var w: UInt64 = 0
        for k in 0..<n { w |= UInt64(key[offset + k]) << (8 * UInt64(k)) }
        return w
    }

    /// The slot holding `key`, or the empty slot where it belongs.
    private func find(_ key: UnsafeBufferPointer<UInt8>, hash: Int, in texts: TextColumn) -> Int {
        let h = Head(key)
        var s = start(hash)
        while true {
            let slot = slots[s]
            if slot.entry == 0 { return s }
            if slot.head == h.head && slot.tail == h.tail && slot.isPlain == h.isPlain
                && (h.isPlain || texts.equals(Int(slot.row), key))
            {
                return s
            }
            s = s + 1 == slots.count ? 0 : s + 1
        }
    }

    /// The row of `key` among `texts`.
    func row(of key: UnsafeBufferPointer<UInt8>, hash: Int? = nil, in texts: TextColumn) -> Int32? {
        let slot = slots[find(key, hash: hash ?? TextIndex.hash(key), in: texts)]
        return slot.entry == 0 ? nil : slot.row
    }

    /// Starts reading the slot where a hash lands, without waiting for it.
    @inline(__always)
    func prefetch(_ hash: Int) {
        DunCore.prefetch(slots, start(hash))
    }

    /// Reads the slot where a hash lands, so that the cache miss happens now, next to the
    /// misses of the other keys of a batch, rather than one after another.
    func touch(_ hash: Int) -> Int32 {
        Int32(bitPattern: slots[start(hash)].entry)
    }

    /// Adds row `row` of `texts` unless its text is there already; returns the row holding it.
    mutating func insert(_ row: Int32, hash: Int? = nil, of texts: TextColumn) -> Int32? {
        // Row + 1 takes 31 bits; the top one is the slot's flag.
        precondition(row >= 0 && row < Int32.max, "a table holds fewer than 2^31 - 1 rows")
        if 10 * (count + 1) > 7 * slots.count { grow(texts) }
        return texts.withBytes(Int(row)) { key in
            let s = find(key, hash: hash ?? TextIndex.hash(key), in: texts)
            if slots[s].entry != 0 { return slots[s].row }
            let h = Head(key)
            slots[s] = Slot(head: h.head, tail: h.tail, entry: (UInt32(bitPattern: row) &+ 1) | (h.isPlain ? 0 : 0x8000_0000))
            count += 1
            return nil
        }
    }

    private mutating func grow(_ texts: TextColumn) {
        let rows = slots.filter { $0.entry != 0 }.map(\.row)
        slots = filledArray(repeating: Slot(), count: slots.count * 2)
        count = 0
        for r in rows { _ = insert(r, of: texts) }
    }
}

/// Which texts a table holds, to find the ones given twice, where nothing is looked up
/// later. A slot holds 26 bits of a text's hash beside its row, 8 bytes where an index's
/// slot takes 16: a million of them fit the processor's cache far better. Texts are
/// compared only when those bits match.
struct TextSet {
    private var slots: [UInt64]
    private var count = 0

    init(capacity: Int) {
        slots = filledArray(repeating: 0, count: slotCount(capacity))
    }

    /// Reads the slot where a hash lands (see `TextIndex.touch`).
    func touch(_ hash: Int) -> Int32 {
        Int32(truncatingIfNeeded: slots[firstSlot(hash, of: slots.count)])
    }

    /// Adds row `row` of `texts` unless its text is there already; returns the row holding it.
    mutating func insert(_ row: Int32, hash: Int, of texts: TextColumn) -> Int32? {
        if 10 * (count + 1) > 7 * slots.count { grow(texts) }
        // Bits 32–57: neither those that chose the slot nor those that chose the part.
        let tag = UInt64(UInt(bitPattern: hash) >> 32) & 0x3FF_FFFF
        var s = firstSlot(hash, of: slots.count)
        while true {
            let slot = slots[s]
            if slot == 0 {
                slots[s] = tag << 32 | UInt64(row + 1)
                count += 1
                return nil
            }
            if slot >> 32 == tag {
                let other = Int32(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                if texts.withBytes(Int(row), { texts.equals(Int(other), $0) }) { return other }
            }
            s = s + 1 == slots.count ? 0 : s + 1
        }
    }

    /// Twice the slots, each text put in again (a table is made for about the texts it will
    /// hold: this is for the rare part that gets more).
    private mutating func grow(_ texts: TextColumn) {
        let rows = slots.filter { $0 != 0 }.map { Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF) - 1 }
        slots = filledArray(repeating: 0, count: slots.count * 2)
        count = 0
        for r in rows { _ = insert(r, hash: texts.withBytes(Int(r)) { TextIndex.hash($0) }, of: texts) }
    }
}

extension TextColumn {
    /// Each row whose text an earlier row has, with that earlier row (in about `parts` parts
    /// at once, as `KeyColumn.buildIndex`), keeping no index.
    ///
    /// Texts that come in order, each after the one before it, are all different, and need
    /// no table: exported ids mostly do (`isStrictlyIncreasing`).
    func duplicates(parts: Int) -> [(row: Int32, first: Int32)] {
        if isStrictlyIncreasing(parts: parts) { return [] }
        let texts = self
        return partitioned(
            self, parts: parts, table: TextSet.init(capacity:), touch: { $0.touch($1) },
            insert: { $0.insert($1, hash: $2, of: texts) }
        ).duplicates
    }
}

extension TextColumn {
    /// Whether each text comes after the one before it: a shorter text first, texts of one
    /// length in the order of their bytes (so P9 before P10, and PAY-0009 before PAY-0010).
    /// Checked in about `parts` parts at once, each pair of neighbours once.
    func isStrictlyIncreasing(parts: Int) -> Bool {
        // So are numbered texts, each number after the one before it.
        guard numbering == nil else { return true }
        let ranges = slices(of: count, parts: parts, minimum: 1 << 16)
        return bytes.withUnsafeBufferPointer { all in
            concurrently(ranges.count) { k in
                ranges[k].allSatisfy { i in
                    guard i > 0 else { return true }
                    let a = (i == 1 ? 0 : end(i - 2))..<end(i - 1)
                    let b = end(i - 1)..<end(i)
                    guard a.count == b.count else { return a.count < b.count }
                    guard let base = all.baseAddress else { return false }
                    return memcmp(base + a.lowerBound, base + b.lowerBound, a.count) < 0
                }
            }.allSatisfy { $0 }
        }
    }
}

/// Every text of `texts` put into one of about `wanted` tables (a power of two at most, up
/// to 8) chosen by its hash, the tables filled at the same time; returns the tables and
/// each row whose text an earlier row has, with that earlier row.
private func partitioned<Table>(
    _ texts: TextColumn, parts wanted: Int, table: (_ capacity: Int) -> Table, touch: (Table, Int) -> Int32,
    insert: (inout Table, Int32, Int) -> Int32?
) -> (tables: [Table], duplicates: [(row: Int32, first: Int32)]) {
    let count = texts.count
    var n = 1
    while n * 2 <= min(wanted, 8) { n *= 2 }
    let built = concurrently(n) { k in
        // Each part hashes every text and keeps its own: hashing an id costs less than
        // keeping the hashes, which took 80 MB of fresh memory for ten million ids. A part
        // holds about its share of the texts; the table grows if it gets more.
        var filled = table(count / n + count / 64 + 64)
        var duplicates: [(row: Int32, first: Int32)] = []
        var batch: [(row: Int32, hash: Int)] = []
        batch.reserveCapacity(batchSize)
        func flush() {
            // The slots of a batch are read first, close together, so that their cache
            // misses overlap instead of waiting one after another.
            var touched: Int32 = 0
            for (_, hash) in batch { touched &+= touch(filled, hash) }
            keep(touched)
            for (r, hash) in batch {
                if let first = insert(&filled, r, hash) { duplicates.append((r, first)) }
            }
            batch.removeAll(keepingCapacity: true)
        }
        for r in 0..<count {
            let hash = texts.withBytes(r) { TextIndex.hash($0) }
            guard part(hash, of: n) == k else { continue }
            batch.append((Int32(r), hash))
            if batch.count == batchSize { flush() }
        }
        flush()
        return (filled, duplicates)
    }
    return (built.map(\.0), built.flatMap(\.1).sorted { $0.row < $1.row })
}

/// Which of `parts` tables (a power of two) a hash belongs to: its top bits.
private func part(_ hash: Int, of parts: Int) -> Int {
    Int(UInt64(bitPattern: Int64(hash)) >> 58) & (parts - 1)
}

/// How many slots are read ahead at once.
private let batchSize = 32

/// Texts that are one prefix and a number counting up by one from the first row, written
/// with zeros in front up to the first text's width and with no zero in front past it
/// ("INV-000998", "INV-000999", …, "INV-999999", "INV-1000000"), as exports often number
/// their rows: the row of an id is its number less the first one's, found with no index, no
/// hash and no wait on memory. Each number has one way of being written, so such texts are
/// all different.
///
/// Every field is a plain number, so that a lookup copies nothing counted (a copy of an array
/// is an atomic add, and on the two threads that read a file at once, a wait for each other).
struct Numbering: Sendable {
    /// The bytes before the number, in the order they come, little end first.
    private let prefix: (low: UInt64, high: UInt64)
    private let prefixCount: Int
    /// The fewest digits a number is written with (zeros in front).
    private let width: Int
    /// The first row's number.
    private let first: Int
    private(set) var count: Int

    /// The longest prefix kept; texts with a longer one are stored.
    static let maxPrefix = 16
    /// The most digits a number has, so that it fits in an `Int`.
    static let maxDigits = 18

    /// The numbering that `text` starts: its digits at the end (at most `maxDigits`), after a
    /// prefix of at most `maxPrefix` bytes.
    init?(first text: UnsafeBufferPointer<UInt8>) {
        var width = 0
        while width < min(text.count, Numbering.maxDigits) && text[text.count - 1 - width] &- 48 < 10 { width += 1 }
        let prefixCount = text.count - width
        guard width > 0, prefixCount <= Numbering.maxPrefix else { return nil }
        var prefix: (low: UInt64, high: UInt64) = (0, 0)
        for i in 0..<prefixCount {
            if i < 8 { prefix.low |= UInt64(text[i]) << (8 * i) } else { prefix.high |= UInt64(text[i]) << (8 * (i - 8)) }
        }
        var first = 0
        for i in prefixCount..<text.count { first = first * 10 + Int(text[i] - 48) }
        self.init(prefix: prefix, prefixCount: prefixCount, width: width, first: first, count: 1)
    }

    /// A numbering as a cache keeps it; `nil` unless its fields make one.
    init?(prefix: (low: UInt64, high: UInt64), prefixCount: Int, width: Int, first: Int, count: Int) {
        var limit = 1
        for _ in 0..<Numbering.maxDigits { limit *= 10 }
        guard (0...Numbering.maxPrefix).contains(prefixCount), (1...Numbering.maxDigits).contains(width),
            first >= 0, count >= 0, count <= limit - first
        else { return nil }
        (self.prefix, self.prefixCount, self.width, self.first, self.count) = (prefix, prefixCount, width, first, count)
    }

    /// The fields `init(prefix:prefixCount:width:first:count:)` takes.
    var fields: (prefix: (low: UInt64, high: UInt64), prefixCount: Int, width: Int, first: Int, count: Int) {
        (prefix, prefixCount, width, first, count)
    }

    @inline(__always)
    private func prefixByte(_ i: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: i < 8 ? prefix.low >> (8 * i) : prefix.high >> (8 * (i - 8)))
    }

    /// The number `text` writes, if it is written as this numbering writes numbers.
    @inline(__always)
    private func number(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        let digits = text.count - prefixCount
        guard digits >= width && digits <= Numbering.maxDigits else { return nil }
        for i in 0..<prefixCount where text[i] != prefixByte(i) { return nil }
        // A number longer than the width has no zero in front.
        if digits > width && text[prefixCount] == 48 { return nil }
        var n = 0
        for i in prefixCount..<text.count {
            let d = text[i] &- 48
            guard d < 10 else { return nil }
            n = n &* 10 &+ Int(d)
        }
        return n
    }

    /// The row whose text `id` is, if any.
    @inline(__always)
    func row(of id: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard let n = number(id) else { return nil }
        let row = n - first
        return row >= 0 && row < count ? Int32(row) : nil
    }

    /// Counts `text` in when it is the next number's.
    @inline(__always)
    mutating func count(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard number(text) == first + count else { return false }
        count += 1
        return true
    }

    /// Counts the texts of `other` in when they are the next numbers', written the same way.
    mutating func count(_ other: Numbering) -> Bool {
        // When the first of them is, all are: a text that has more digits than the width of
        // `other` is one with no zero in front, and so are the ones after it.
        guard other.count > 0, other.withText(0, { number($0) }) == first + count else { return false }
        count += other.count
        return true
    }

    /// Row `row`'s text, written out for `body`. Inlined, as `TextColumn.withBytes` is: a
    /// closure passed on to a call copies what it captures (a whole column, three arrays).
    @inline(__always)
    func withText<T>(_ row: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        // As a stored text past the end would be: no number is made up.
        precondition(row >= 0 && row < count, "row \(row) of \(count) numbered texts")
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Numbering.maxPrefix + Numbering.maxDigits) { buffer in
            for i in 0..<prefixCount { buffer[i] = prefixByte(i) }
            var n = first + row
            var (digits, limit) = (1, 10)
            while n >= limit && digits < Numbering.maxDigits { (digits, limit) = (digits + 1, limit * 10) }
            let end = prefixCount + max(width, digits)
            for i in (prefixCount..<end).reversed() {
                buffer[i] = UInt8(48 + n % 10)
                n /= 10
            }
            return body(UnsafeBufferPointer(rebasing: buffer[..<end]))
        }
    }
}

/// Ids and the row of each: a table's key column. Ids are appended first, then indexed
/// once, which also finds the ids given twice.
///
/// The index is split by hash into one part per core, built at the same time; ids with a
/// `Numbering` need none.
public struct KeyColumn: Sendable {
    public internal(set) var texts = TextColumn()
    /// None once the ids are indexed, if they are numbered.
    var parts = [TextIndex()]

    public init() {}

    public var count: Int { texts.count }
    public subscript(i: Int) -> String { texts[i] }

    mutating func append(_ id: UnsafeBufferPointer<UInt8>) {
        texts.append(id)
    }

    mutating func reserve(_ rows: Int) {
        texts.reserve(rows)
    }

    mutating func append(contentsOf other: KeyColumn) {
        texts.append(contentsOf: other.texts)
    }

    /// Indexes every id in about `parts` parts (a power of two at most, up to 8); returns each
    /// row whose id an earlier row has, with that earlier row.
    mutating func buildIndex(parts wanted: Int) -> [(row: Int32, first: Int32)] {
        // Numbered ids are all different.
        if isNumbered {
            parts = []
            return []
        }
        let texts = self.texts
        let built = partitioned(
            texts, parts: wanted, table: TextIndex.init(capacity:), touch: { $0.touch($1) },
            insert: { $0.insert($1, hash: $2, of: texts) })
        parts = built.tables
        return built.duplicates
    }

    /// The row of an id (once indexed).
    public func row(of id: String) -> Int32? {
        var id = id
        return id.withUTF8 { row(of: $0) }
    }

    /// The row of an id whose `hash` (`TextIndex.hash`) is known, or computed now if needed.
    func row(of id: UnsafeBufferPointer<UInt8>, hash: Int? = nil) -> Int32? {
        if let numbering = texts.numbering { return numbering.row(of: id) }
        let hash = hash ?? TextIndex.hash(id)
        return parts[part(hash, of: parts.count)].row(of: id, hash: hash, in: texts)
    }

    /// Whether an id's row is found by its number, with no hash (see `Numbering`).
    var isNumbered: Bool { texts.numbering != nil }

    /// Starts reading where an id would be found (see `TextIndex.prefetch`).
    @inline(__always)
    func prefetch(hash: Int) {
        guard !parts.isEmpty else { return }
        parts[part(hash, of: parts.count)].prefetch(hash)
    }

    /// Every id, as texts (for "did you mean").
    var all: [String] { (0..<count).map { texts[$0] } }
}

/// A column of few distinct texts (regions, collectors, methods): each row holds the number
/// of its text; number 0 is the missing value.
public struct CategoryColumn: Sendable {
    /// The distinct texts in order of first appearance; `values[0]` is `nil`.
    public private(set) var values: [String?] = [nil]
    public private(set) var codes: [UInt32] = []
    private var distinct = TextColumn()
    private var index = TextIndex()

    public init() {
        distinct.append(nil)
    }

    /// The column whose row `i` is `values[codes[i]]`, as a cache holds it; `nil` when a
    /// code has no value.
    init?(values: [String?], codes: [UInt32]) {
        self.init()
        for text in values.dropFirst() {
            var t = text ?? ""
            _ = t.withUTF8 { code(of: $0) }
        }
        guard self.values == values, codes.allSatisfy({ Int($0) < values.count }) else { return nil }
        self.codes = codes
    }

    public var count: Int { codes.count }

    public subscript(i: Int) -> String? { values[Int(codes[i])] }

    public mutating func append(_ text: String?) {
        var t = text ?? ""
        t.withUTF8 { append($0) }
    }

    mutating func append(_ text: UnsafeBufferPointer<UInt8>) {
        codes.append(code(of: text))
    }

    private mutating func code(of text: UnsafeBufferPointer<UInt8>) -> UInt32 {
        if text.isEmpty { return 0 }
        if let c = index.row(of: text, in: distinct) { return UInt32(c) }
        distinct.append(text)
        _ = index.insert(Int32(distinct.count - 1), of: distinct)
        values.append(String(decoding: text, as: UTF8.self))
        return UInt32(values.count - 1)
    }

    mutating func reserve(_ rows: Int) {
        codes.reserveHuge(rows)
    }

    /// Appends every row of `other`, its texts renumbered into this column's.
    mutating func append(contentsOf other: CategoryColumn) {
        let map = (0..<other.values.count).map { i in other.distinct.withBytes(i) { code(of: $0) } }
        codes.append(contentsOf: other.codes.lazy.map { map[Int($0)] })
    }
}

/// Rows of another table, or none: 4 bytes a row, where an array of `Int32?` takes 8 (37 MB
/// more for ten million payments). -1 stands for none.
public struct OptionalRows: Sendable, Equatable {
    var rows: [Int32] = []

    public var count: Int { rows.count }

    public subscript(i: Int) -> Int32? {
        let row = rows[i]
        return row < 0 ? nil : row
    }

    mutating func append(_ row: Int32?) {
        rows.append(row ?? -1)
    }

    mutating func reserve(_ more: Int) {
        rows.reserveHuge(more)
    }

    mutating func append(contentsOf other: OptionalRows) {
        rows += other.rows
    }
}

/// Uses a value, so that the reads that made it are not optimised away.
@inline(never) @_optimize(none)
func keep(_: Int32) {}
