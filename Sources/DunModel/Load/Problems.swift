// Problems: the errors of a load, kept in file order, at most `maxErrors` shown.

import DunCore

/// The problems found so far, kept in file order: each has a key, the byte where its record
/// starts times four plus the check's rank within the record, so that checks made after the
/// whole file is read fall in place: 0 an id given twice, 1 the record's checks before a
/// lookup left for later, 2 that lookup, 3 the checks after it and the totals of payments.
struct Problems: Sendable {
    /// Where a row kept from the file starts: for problems found once all rows are read.
    struct Place: Sendable {
        var offset: Int
        var line: Int32
    }

    private(set) var shown: [(key: Int, diagnostic: Diagnostic)] = []
    private(set) var more = 0
    /// The places of the rows of the file last read, and the file.
    var places: [Place] = []
    var file: CSVFile?

    var isFull: Bool { shown.count >= WorkspaceLoader.maxErrors }

    /// Lets go of the file last read and where its rows are, once its checks are done.
    mutating func forget() {
        file = nil
        places = []
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
    }

    func throwIfAny() throws(Diagnostics) {
        guard !shown.isEmpty else { return }
        var all = shown.map(\.diagnostic)
        if more > 0 {
            all.append(Diagnostic(.note, "\(more) more error\(more == 1 ? "" : "s") not shown"))
        }
        throw Diagnostics(all)
    }

    /// A problem with column `column` of row `row` of the file last read, found after the
    /// whole file was; `rank` orders it among the record's other problems.
    mutating func add(row: Int32, column: Int, rank: Int, _ message: String, hint: String? = nil) {
        guard Int(row) < places.count else { return }
        add(place: places[Int(row)], column: column, rank: rank, message, hint: hint)
    }

    /// A problem with column `column` of the record at `place` of the file last read.
    mutating func add(place: Place, column: Int, rank: Int, _ message: String, hint: String? = nil) {
        guard let file else { return }
        let key = place.offset * 4 + rank
        // When the list is full, a problem after the last one shown is only counted.
        if shown.count >= WorkspaceLoader.maxErrors, let last = shown.last, key > last.key {
            more += 1
            return
        }
        // Read the record again to point at its field.
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

    /// The same for ids that are never looked up, so not indexed.
    mutating func duplicates(_ column: Int, _ ids: TextColumn, what: String, parts: Int?) -> Set<Int32> {
        let found = ids.duplicates(parts: WorkspaceLoader.parts(ids.count, large: 1 << 16, forced: parts))
        return duplicates(column, found, of: ids, what: what)
    }

    private mutating func duplicates(
        _ column: Int, _ found: [(row: Int32, first: Int32)], of ids: TextColumn, what: String
    ) -> Set<Int32> {
        var rows = Set<Int32>()
        for (row, _) in found {
            rows.insert(row)
            add(row: row, column: column, rank: 0, "duplicate \(what) id '\(ids[Int(row)])'", hint: "each \(what) id may appear once")
        }
        return rows
    }
}
