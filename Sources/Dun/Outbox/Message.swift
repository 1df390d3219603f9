// Message: a reminder as an RFC 5322 e-mail — headers safe from the data, RFC 2047 words for
// text that is not ASCII, CRLF line ends — and the recipients from contacts.csv.

import DunCore
import DunModel
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

    /// `DIR/contacts.csv` (customer_id, name, role, email, phone, language), or none.
    static func load(workspace directory: String) throws(Diagnostics) -> Contacts {
        let columns = [("customer_id", true), ("name", false), ("role", false), ("email", true)]
        guard let rows = try CSVRows.read("contacts.csv", in: directory, columns: columns.map { (name: $0.0, required: $0.1) }) else {
            return Contacts()
        }
        var contacts = Contacts()
        for (r, row) in rows.values.enumerated() {
            guard let customer = row[0] else { continue }
            let contact = Contact(
                name: row[1], role: (row[2] ?? "").lowercased(), email: row[3] ?? "", line: rows.line(of: r))
            contacts.byCustomer[customer, default: []].append(contact)
        }
        return contacts
    }
}
