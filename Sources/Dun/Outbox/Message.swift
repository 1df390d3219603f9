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
        // Each LF (or CRLF, from a template saved with those) as CRLF; byte by byte, since
        // splitting a Chinese body into characters showed in the profile of a night's outbox.
        var lines: [UInt8] = []
        lines.reserveCapacity(body.utf8.count + body.utf8.count / 16)
        var length = 0
        var longest = 0
        for b in body.utf8 {
            guard b == UInt8(ascii: "\n") else {
                lines.append(b)
                length += 1
                continue
            }
            if lines.last == UInt8(ascii: "\r") {
                lines.removeLast()
                length -= 1
            }
            longest = max(longest, length)
            lines += [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
            length = 0
        }
        let eightBit = max(longest, length) <= 998
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
            out += String(decoding: lines, as: UTF8.self)
        } else {
            let encoded = Data(body.utf8).base64EncodedString(options: [
                .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
            ])
            out += encoded + "\r\n"
        }
        return out
    }
}

/// A display name and an address (`"王芳" <wf@example.com>`).
struct Mailbox: Equatable {
    let name: String?
    let address: String
    /// The header words of this mailbox: the name (quoted, or RFC 2047 words), then `<address>`;
    /// made once, since the sender's is in every message of a night.
    let words: [String]

    /// A mailbox whose address is a plain `local@domain`; nil for anything else, so that no
    /// text from the data (a CR or LF, a comma, an angle bracket) gets into the header raw.
    init?(name: String?, address: String) {
        let address = address.trimmingWhitespace()
        guard Mailbox.isAddress(address) else { return nil }
        let name = name.map(Header.oneLine).flatMap { $0.isEmpty ? nil : $0 }
        self.name = name
        self.address = address
        words = Mailbox.words(name: name, address: address)
    }

    /// A dot-atom local part, `@`, and a domain of letters, digits, hyphens and dots.
    static func isAddress(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let dot = UInt8(ascii: "."), hyphen = UInt8(ascii: "-")
        let parts = bytes.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard parts.count == 2, bytes.count <= 254 else { return false }
        let local = parts[0].split(separator: dot, omittingEmptySubsequences: false)
        let labels = parts[1].split(separator: dot, omittingEmptySubsequences: false)
        return local.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0 < 0x80 && atom[Int($0)] } }
            && labels.allSatisfy { label in
                !label.isEmpty && label.first != hyphen && label.last != hyphen
                    && label.allSatisfy { $0 < 0x80 && (letterOrDigit[Int($0)] || $0 == hyphen) }
            }
    }

    /// ASCII letters and digits, by byte.
    private static let letterOrDigit: [Bool] = (0..<128).map { b in
        let c = Unicode.Scalar(UInt8(b))
        return ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }

    /// What RFC 5322's atext allows in a local part, by byte.
    private static let atom: [Bool] = (0..<128).map { b in
        letterOrDigit[b] || "!#$%&'*+/=?^_`{|}~-".utf8.contains(UInt8(b))
    }

    /// The words, as one header value.
    var rendered: String {
        words.joined(separator: " ")
    }

    private static func words(name: String?, address: String) -> [String] {
        guard let name else { return ["<\(address)>"] }
        var quoted = "\""
        for c in name.unicodeScalars {
            if c == "\\" || c == "\"" { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(c)
        }
        quoted += "\""
        let plain = Header.isPlain(name) && quoted.utf8.count <= 70
        return (plain ? [quoted] : Header.encodedWords(name)) + ["<\(address)>"]
    }
}

/// Header values built so that data cannot add a header or break a line, folded at 76 columns.
enum Header {
    /// `text` on one line: CR, LF and every other control character become a space.
    static func oneLine(_ text: String) -> String {
        // The control characters (general category Cc) are exactly these two ranges.
        let breaks: (Unicode.Scalar) -> Bool = {
            $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}"
        }
        guard text.unicodeScalars.contains(where: breaks) else { return text.trimmingWhitespace() }
        var out = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            out.append(breaks(u) ? " " : u)
        }
        return String(out).trimmingWhitespace()
    }

    /// ASCII with no `=?` (which would read as the start of an encoded word): fit to go in a
    /// header as it is.
    static func isPlain(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for b in text.utf8 {
            if b >= 0x80 || (previous == UInt8(ascii: "=") && b == UInt8(ascii: "?")) { return false }
            previous = b
        }
        return true
    }

    /// The words of an unstructured value (a subject): ASCII text as it is, split at spaces;
    /// anything else as RFC 2047 encoded-words.
    static func words(_ text: String) -> [String] {
        let line = oneLine(text)
        guard isPlain(line) else { return encodedWords(line) }
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
            if chunk.count + UTF8.width(u) > maxBytes { flush() }
            UTF8.encode(u) { chunk.append($0) }
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
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[day.weekday - 1]
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
