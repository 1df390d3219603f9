// Where each row of a file starts, kept in about 2 bytes a row: the place of any row,
// found again from the mark before it, is the one its record was read at.

import DunCore
import Testing

@testable import DunModel

struct RowPlacesTests {
    /// 300 records, some with a line break inside a quoted field, some on CRLF lines, some
    /// after a blank line: every row's place is where reading the file found its record,
    /// whether the rows were kept in one piece or joined from parts.
    @Test(arguments: [1, 7, 64, 100])
    func placesOfEveryRowInOnePieceOrInParts(part: Int) {
        let records = (0..<300).map { i in
            switch i % 5 {
            case 0: return "r\(i),\"two\nlines\"\n"
            case 1: return "r\(i),plain\r\n"
            case 2: return "\nr\(i),after a blank line\n"
            default: return "r\(i),\"a \"\"quoted\"\" word\"\n"
            }
        }
        let bytes = Array(("id,text\n" + records.joined()).utf8)
        bytes.withUnsafeBufferPointer { buffer in
            guard let file = try? CSVFile(name: "t.csv", bytes: buffer, columns: [StoredField(name: "id", required: true)])
            else {
                Issue.record("header not read")
                return
            }
            var table = CSVTable(file, part: (file.records, 2))
            var read: [(offset: Int, line: Int)] = []
            while (try? table.next()) == true { read.append(table.recordStart) }
            #expect(read.count == 300)
            var places = Problems.RowPlaces()
            for start in stride(from: 0, to: read.count, by: part) {
                var piece = Problems.RowPlaces()
                for r in read[start..<min(start + part, read.count)] { piece.append(offset: r.offset, line: r.line) }
                places.append(contentsOf: piece)
            }
            #expect(places.count == 300)
            for (row, r) in read.enumerated() {
                let place = places.place(of: row, in: file)
                #expect(place.offset == r.offset && Int(place.line) == r.line, "row \(row)")
                #expect(places.offset(of: row) == r.offset)
            }
        }
    }

    /// Rows 64 KB or more from the last mark start a mark of their own.
    @Test func offsetsFarApart() {
        var places = Problems.RowPlaces()
        let offsets = [0, 10, 65535, 65536, 65536 + 65535, 65536 + 65536, 1 << 33, (1 << 33) + 5, 1 << 40]
        for (i, o) in offsets.enumerated() { places.append(offset: o, line: i + 2) }
        #expect((0..<offsets.count).map { places.offset(of: $0) } == offsets)
    }
}
