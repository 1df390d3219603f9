// Problems: the errors of a load, kept in file order, at most `maxErrors` shown.

import DunCore

/// The problems found so far, kept in file order: each has a key, the byte where its record
/// starts times four plus the check's rank within the record (`key`), so that checks made
/// after the whole file is read fall in place.
struct Problems: Sendable {
    /// What a problem is to its record, in the order the problems are told.
    enum Rank: Int {
        /// Its id is an earlier record's.
        case givenTwice
        /// One of the record's own checks (whether its invoice is its customer's too).
        case own
        /// The record after it is malformed: told with it, as where it starts is not known.
        case malformedNext
        /// The payments of an invoice add up to more than it.
        case total
    }

    /// The key of a problem of rank `rank` of the record starting at `offset`.
    static func key(_ offset: Int, _ rank: Rank) -> Int {
        offset * 4 + rank.rawValue
    }

    /// Where a row kept from the file starts: for problems found once all rows are read.
    struct Place: Sendable {
        var offset: Int
        var line: Int32
    }

    /// Where each row kept from a file starts, in about 2 bytes a row (a place takes 16): every
    /// 64th row keeps its offset and line, the others their offset from it (a row farther than
    /// 64 KB from the mark starts a mark of its own); a row's line is found, when a problem is
    /// shown on it, by reading the records from there again.
    struct RowPlaces: Sendable {
        private struct Mark: Sendable {
            var row: Int32
            var place: Place
        }
        private var marks: [Mark] = []
        private var deltas: [UInt16] = []

        var count: Int { deltas.count }

        mutating func reserve(_ rows: Int) {
            deltas.reserveHuge(rows)
        }

        /// The next row starts at `offset`, on line `line`.
        mutating func append(offset: Int, line: Int) {
            if let last = marks.last, deltas.count - Int(last.row) < 64, let delta = UInt16(exactly: offset - last.place.offset) {
                deltas.append(delta)
                return
            }
            marks.append(Mark(row: Int32(deltas.count), place: Place(offset: offset, line: Int32(clamping: line))))
            deltas.append(0)
        }

        /// The rows of the part after these.
        mutating func append(contentsOf other: RowPlaces) {
            let shift = Int32(deltas.count)
            marks += other.marks.map { Mark(row: $0.row + shift, place: $0.place) }
            deltas += other.deltas
        }

        /// The mark at or before `row`.
        private func mark(_ row: Int) -> Mark {
            var (lo, hi) = (0, marks.count)
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if Int(marks[mid].row) <= row { lo = mid } else { hi = mid }
            }
            return marks[lo]
        }

        /// The byte where `row` starts.
        func offset(of row: Int) -> Int {
            mark(row).place.offset + Int(deltas[row])
        }

        /// Where `row` starts in `file`, its line read again from the mark before it.
        func place(of row: Int, in file: CSVFile) -> Place {
            let mark = mark(row)
            let offset = mark.place.offset + Int(deltas[row])
            var table = CSVTable(file, part: (mark.place.offset..<file.records.upperBound, Int(mark.place.line)))
            while offset > mark.place.offset, (try? table.next()) == true {
                if table.recordStart.offset >= offset {
                    return Place(offset: offset, line: Int32(clamping: table.recordStart.line))
                }
            }
            return Place(offset: offset, line: mark.place.line)
        }
    }

    private(set) var shown: [(key: Int, diagnostic: Diagnostic)] = []
    private(set) var more = 0
    /// References not checked, to a file with errors of its own: rows not kept without an
    /// error of their own.
    var unchecked = 0
    /// The places of the rows of the file last read, and the file.
    var places = RowPlaces()
    var file: CSVFile?

    var isFull: Bool { shown.count >= WorkspaceLoader.maxErrors }

    /// Lets go of the file last read and where its rows are, once its checks are done.
    mutating func forget() {
        file = nil
        places = RowPlaces()
    }

    /// The key of a problem told with the record before its part's first, which only the
    /// part before knows (see `replaceKey`).
    static let beforeThePart = -1

    /// Gives the problems with key `old` the key `new`.
    mutating func replaceKey(_ old: Int, with new: Int) {
        shown = shown.map { ($0.key == old ? new : $0.key, $0.diagnostic) }
    }

    mutating func add(key: Int, _ d: Diagnostic) {
        if shown.count < WorkspaceLoader.maxErrors {
            shown.append((key, d))
        } else {
            more += 1
        }
    }

    /// Adds problems found elsewhere in the file, keeping the first `maxErrors` in file order.
    mutating func merge(_ other: Problems) {
        let all = (shown + other.shown).enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
        shown = all.prefix(WorkspaceLoader.maxErrors).map(\.element)
        more += other.more + max(0, all.count - WorkspaceLoader.maxErrors)
        unchecked += other.unchecked
    }

    func throwIfAny() throws(Diagnostics) {
        guard !shown.isEmpty else { return }
        throw Diagnostics(diagnostics)
    }

    /// The problems shown, and a note of how many more there are. The same error about a
    /// constant of dun.toml on many rows is one error, naming the first row and the count.
    var diagnostics: [Diagnostic] {
        var all: [Diagnostic] = []
        var rows: [Int] = []
        for d in shown.map(\.diagnostic) {
            if let marker = d.message.range(of: CSVTable.constantFor),
                let same = all.firstIndex(where: {
                    $0.file == d.file && $0.position == d.position && $0.hint == d.hint
                        && $0.message.hasPrefix(d.message[..<marker.upperBound])
                })
            {
                rows[same] += 1
                continue
            }
            all.append(d)
            rows.append(1)
        }
        for (i, n) in rows.enumerated() where n > 1 {
            all[i].message.removeLast()
            all[i].message += " and \(n - 1) more row\(n == 2 ? "" : "s"))"
        }
        if more > 0 {
            all.append(Diagnostic(.note, "\(more) more error\(more == 1 ? "" : "s") not shown"))
        }
        return all
    }

    /// A problem with column `column` of row `row` of the file last read, found after the
    /// whole file was; `rank` orders it among the record's other problems. When the list is
    /// full, a problem after the last one shown is only counted; one shown has its record
    /// read again, to point at its field.
    mutating func add(row: Int32, column: Int, rank: Rank, _ message: String, hint: String? = nil) {
        guard Int(row) < places.count, let file else { return }
        let key = Problems.key(places.offset(of: Int(row)), rank)
        if shown.count >= WorkspaceLoader.maxErrors, let last = shown.last, key > last.key {
            more += 1
            return
        }
        let place = places.place(of: Int(row), in: file)
        var table = CSVTable(file, part: (place.offset..<file.records.upperBound, Int(place.line)))
        guard (try? table.next()) == true else { return }
        var other = Problems()
        other.add(key: key, table.error(column, message, hint: hint))
        merge(other)
    }

    /// Indexes the ids of the file last read; an id given twice is an error at its second row.
    @discardableResult
    mutating func duplicates(_ column: Int, _ ids: inout KeyColumn, what: String, parts: Int?) -> Set<Int32> {
        let found = ids.buildIndex(parts: WorkspaceLoader.parts(ids.count, large: 1 << 16, forced: parts))
        return duplicates(column, found, of: ids.texts, what: what)
    }

    /// The same for ids that are never looked up, so not indexed; the rows in `ignoring` (not
    /// kept, for another problem) are as if they were not in the file.
    /// `allowing`, called in row order, says of a row whose id an earlier row (`first`) has
    /// whether that is no error (one payment split over several invoices).
    mutating func duplicates(
        _ column: Int, _ ids: TextColumn, what: String, parts: Int?, ignoring: Set<Int32> = [],
        allowing: (_ row: Int32, _ first: Int32) -> Bool = { _, _ in false }, hint: String? = nil
    ) -> Set<Int32> {
        let found = ids.duplicates(parts: WorkspaceLoader.parts(ids.count, large: 1 << 16, forced: parts))
        return duplicates(
            column, without(ignoring, found).filter { !allowing($0.row, $0.first) }, of: ids, what: what, hint: hint)
    }

    /// Rows given twice, with the first row of each text, among the rows not in `ignoring`.
    private func without(
        _ ignoring: Set<Int32>, _ found: [(row: Int32, first: Int32)]
    ) -> [(row: Int32, first: Int32)] {
        guard !ignoring.isEmpty else { return found }
        // Each text's rows in order (the found rows are), its first one first.
        var rows: [Int32: [Int32]] = [:]
        for (row, first) in found { rows[first, default: [first]].append(row) }
        var kept: [(row: Int32, first: Int32)] = []
        for same in rows.values {
            let left = same.filter { !ignoring.contains($0) }
            guard let first = left.first else { continue }
            kept += left.dropFirst().map { ($0, first) }
        }
        return kept.sorted { $0.row < $1.row }
    }

    private mutating func duplicates(
        _ column: Int, _ found: [(row: Int32, first: Int32)], of ids: TextColumn, what: String, hint: String? = nil
    ) -> Set<Int32> {
        var rows = Set<Int32>()
        for (row, _) in found {
            rows.insert(row)
            add(
                row: row, column: column, rank: .givenTwice, "duplicate \(what) id \(excerpt(ids[Int(row)]))",
                hint: hint ?? "each \(what) id may appear once")
        }
        return rows
    }
}
