// Message: a reminder as an RFC 5322 e-mail — headers safe from the data, RFC 2047 words for
// text that is not ASCII, CRLF line ends — and the recipients from contacts.csv.

import DunCore
import Foundation

/// An e-mail ready to write: every header value comes from `Header`, which no data can break.
struct EmailMessage {
    var from: Mailbox
    var to: [Mailbox]
    var cc: [Mailbox]
    var subject: String
    /// RFC 5322 date-time, from `Header.date`.
    var date: String
    /// Without the angle brackets.
    var messageID: String
    var body: String

    /// The message's bytes, with CRLF line ends.
    ///
    /// The body is sent as UTF-8 `8bit`, so the .eml in the outbox reads as it will arrive; only a
    /// body with a line too long for 8bit (over 998 bytes) is sent as base64 instead.
    var rendered: String {
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        let eightBit = lines.allSatisfy { $0.utf8.count <= 998 }
        var out = Header.field("From", [from.rendered])
        out += Header.field("To", to.enumerated().map { $0.element.rendered + ($0.offset < to.count - 1 ? "," : "") })
        if !cc.isEmpty {
            out += Header.field("Cc", cc.enumerated().map { $0.element.rendered + ($0.offset < cc.count - 1 ? "," : "") })
        }
        out += Header.field("Subject", Header.words(subject))
        out += "Date: \(date)\r\n"
        out += "Message-ID: <\(messageID)>\r\n"
        out += "MIME-Version: 1.0\r\n"
        out += "Content-Type: text/plain; charset=utf-8\r\n"
        out += "Content-Transfer-Encoding: \(eightBit ? "8bit" : "base64")\r\n\r\n"
        if eightBit {
            out += lines.joined(separator: "\r\n")
        } else {
            let encoded = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            out += encoded + "\r\n"
        }
        return out
    }
}

/// A display name and an address (`"王芳" <wf@example.com>`).
struct Mailbox: Equatable {
    var name: String?
    var address: String

    /// A mailbox whose address is a plain `local@domain`; nil for anything else, so that no
    /// text from the data (a CR or LF, a comma, an angle bracket) gets into the header raw.
    init?(name: String?, address: String) {
        let address = address.trimmingCharacters(in: .whitespaces)
        guard Mailbox.isAddress(address) else { return nil }
        self.name = name.map(Header.oneLine).flatMap { $0.isEmpty ? nil : $0 }
        self.address = address
    }

    /// A dot-atom local part, `@`, and a domain of letters, digits, hyphens and dots.
    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, text.utf8.count <= 254 else { return false }
        let atom = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-")
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return !local.isEmpty && local.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0.allSatisfy(atom.contains) }
            && labels.count >= 1
            && labels.allSatisfy { label in
                !label.isEmpty && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
    }

    /// The header words of this mailbox: the name (quoted, or RFC 2047 words), then `<address>`.
    var rendered: String {
        words.joined(separator: " ")
    }

    var words: [String] {
        guard let name else { return ["<\(address)>"] }
        let quoted = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        let plain = name.unicodeScalars.allSatisfy { $0.isASCII } && !name.contains("=?") && quoted.count <= 70
        return (plain ? [quoted] : Header.encodedWords(name)) + ["<\(address)>"]
    }
}

/// Header values built so that data cannot add a header or break a line, folded at 76 columns.
enum Header {
    /// `text` on one line: CR, LF and every other control character become a space.
    static func oneLine(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            out.append(u.properties.generalCategory == .control || u == "\u{2028}" || u == "\u{2029}" ? " " : u)
        }
        return String(out).trimmingCharacters(in: .whitespaces)
    }

    /// The words of an unstructured value (a subject): ASCII text as it is, split at spaces;
    /// anything else as RFC 2047 encoded-words.
    static func words(_ text: String) -> [String] {
        let line = oneLine(text)
        let plain = line.unicodeScalars.allSatisfy { $0.isASCII } && !line.contains("=?")
        guard plain else { return encodedWords(line) }
        let split = line.split(separator: " ").map(String.init)
        // A word too long to fold is encoded, so that no line exceeds the limit.
        return split.contains { $0.count > 66 } ? encodedWords(line) : split
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words, each holding whole characters: 39 bytes of UTF-8 make 52
    /// characters of base64, 64 with the word's frame, so that one fits on a line after `Subject: `
    /// within the 76 characters RFC 2047 allows.
    static func encodedWords(_ text: String, maxBytes: Int = 39) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
            chunk = []
        }
        for u in text.unicodeScalars {
            let bytes = Array(String(u).utf8)
            if chunk.count + bytes.count > maxBytes { flush() }
            chunk += bytes
        }
        flush()
        return words
    }

    /// `Name: word word…` with CRLF SP between words where a line would pass 76 characters.
    static func field(_ name: String, _ words: [String]) -> String {
        var out = name + ":"
        var column = out.count
        for word in words {
            if column + 1 + word.count > 76 && column > name.count + 1 {
                out += "\r\n"
                column = 0
            }
            out += " " + word
            column += 1 + word.count
        }
        return out + "\r\n"
    }

    /// RFC 5322 date-time in UTC from the journal's ISO 8601 `2026-11-29T08:30:00Z`; nil if it is not that.
    static func date(_ iso: String) -> String? {
        let parts = iso.split(separator: "T")
        guard parts.count == 2, let day = Day(iso: parts[0]), parts[1].hasSuffix("Z") else { return nil }
        let time = parts[1].dropLast()
        guard time.count == 8, time.split(separator: ":").count == 3 else { return nil }
        // 1970-01-01 was a Thursday.
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[Int(((day.ordinal % 7) + 7) % 7)]
        let (y, m, d) = day.components
        let dd = d < 10 ? "0\(d)" : "\(d)"
        return "\(weekday), \(dd) \(months[m - 1]) \(y) \(time) +0000"
    }

    /// `dun.ID.HASH@DOMAIN`: the same for the same journal entry, on every apply and retry.
    static func messageID(entry id: Int64, key: String, sender: String) -> String {
        // FNV-1a of the entry's key: stable across runs and platforms, unlike Hasher.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.utf8 {
            hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3
        }
        let domain = sender.split(separator: "@").last.map(String.init) ?? "localhost"
        return "dun.\(id).\(String(hash, radix: 16))@\(domain)"
    }
}

/// `contacts.csv`: the people to write to at each customer.
struct Contacts {
    struct Contact {
        var name: String?
        var role: String
        var email: String
        /// Where the address is, for an error about it.
        var line: Int
    }

    var byCustomer: [String: [Contact]] = [:]

    /// `DIR/contacts.csv` (customer_id, name, role, email, phone, language; RFC 4180), or none.
    static func load(workspace directory: String) throws(Diagnostics) -> Contacts {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("contacts.csv").path
        guard let data = FileManager.default.contents(atPath: path) else { return Contacts() }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Diagnostics([Diagnostic(.error, "contacts.csv is not UTF-8", file: "contacts.csv", hint: "save it as UTF-8")])
        }
        let source = SourceText(name: "contacts.csv", text: text)
        let rows = try CSVRecords.parse(source)
        guard let header = rows.first else { return Contacts() }
        let names = header.fields.map { $0.text.lowercased().trimmingCharacters(in: .whitespaces) }
        var missing: [String] = []
        func column(_ name: String, required: Bool) -> Int? {
            let i = names.firstIndex(of: name)
            if i == nil && required { missing.append(name) }
            return i
        }
        let (id, email) = (column("customer_id", required: true), column("email", required: true))
        let (name, role) = (column("name", required: false), column("role", required: false))
        guard let id, let email else {
            throw Diagnostics([
                source.diagnostic(
                    "contacts.csv has no \(missing.joined(separator: " or ")) column", at: 0..<(header.fields.last?.range.upperBound ?? 0),
                    hint: "its columns are customer_id, name, role, email, phone, language")
            ])
        }
        var contacts = Contacts()
        for row in rows.dropFirst() {
            func field(_ i: Int?) -> String {
                guard let i, i < row.fields.count else { return "" }
                return row.fields[i].text.trimmingCharacters(in: .whitespaces)
            }
            let customer = field(id)
            guard !customer.isEmpty else { continue }
            let contact = Contact(
                name: field(name).isEmpty ? nil : field(name), role: field(role).lowercased(), email: field(email), line: row.line)
            contacts.byCustomer[customer, default: []].append(contact)
        }
        return contacts
    }
}

/// RFC 4180 records: fields in double quotes may hold commas, quotes (doubled) and line breaks.
enum CSVRecords {
    struct Field {
        var text: String
        /// Bytes of the source, for a diagnostic.
        var range: Range<Int>
    }

    struct Record {
        var fields: [Field]
        var line: Int
    }

    static func parse(_ source: SourceText) throws(Diagnostics) -> [Record] {
        let b = source.bytes
        var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var records: [Record] = []
        while i < b.count {
            var fields: [Field] = []
            let recordLine = line
            while true {
                let start = i
                var text: [UInt8] = []
                if i < b.count && b[i] == UInt8(ascii: "\"") {
                    i += 1
                    while true {
                        guard i < b.count else {
                            throw Diagnostics([source.diagnostic("this quoted field has no closing quote", at: start..<start + 1)])
                        }
                        if b[i] == UInt8(ascii: "\"") {
                            if i + 1 < b.count && b[i + 1] == UInt8(ascii: "\"") {
                                text.append(b[i])
                                i += 2
                                continue
                            }
                            i += 1
                            break
                        }
                        if b[i] == 10 { line += 1 }
                        text.append(b[i])
                        i += 1
                    }
                    guard i >= b.count || [UInt8(ascii: ","), 10, 13].contains(b[i]) else {
                        throw Diagnostics([
                            source.diagnostic("text after a quoted field", at: i..<i + 1, hint: "a quote inside a quoted field is doubled: \"\"")
                        ])
                    }
                } else {
                    while i < b.count && b[i] != UInt8(ascii: ",") && b[i] != 10 && b[i] != 13 { i += 1 }
                    text = Array(b[start..<i])
                }
                fields.append(Field(text: String(decoding: text, as: UTF8.self), range: start..<i))
                guard i < b.count && b[i] == UInt8(ascii: ",") else { break }
                i += 1
            }
            if i < b.count && b[i] == 13 { i += 1 }
            if i < b.count && b[i] == 10 { i += 1 }
            line += 1
            // A blank line is no record.
            if fields.count == 1 && fields[0].text.isEmpty { continue }
            records.append(Record(fields: fields, line: recordLine))
        }
        return records
    }
}
