// Display width: how many terminal columns a character takes (CJK takes two).

extension Unicode.Scalar {
    /// Columns on a terminal: 0 for combining marks and zero-width characters,
    /// 2 for East Asian wide and fullwidth characters, else 1. A fixed table, so output
    /// is the same whatever the locale.
    public var displayWidth: Int {
        let v = value
        // Below U+0300 there is no mark and nothing wide.
        if v < 0x300 { return v == 0 ? 0 : 1 }
        if v == 0x200B || v == 0x200C || v == 0x200D || v == 0xFEFF { return 0 }
        switch properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return 0
        default: break
        }
        for range in Unicode.Scalar.wideRanges where range.contains(v) {
            return 2
        }
        return 1
    }

    /// East Asian Width W and F blocks.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
        0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF,
        0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}

extension Unicode.Scalar {
    /// Not to be printed as itself: a control character (a tab aside), or one that would make a
    /// text read other than it is: the bidirectional controls (U+202E turns what follows
    /// around), C1 controls, line separators and invisible ones. Tables and diagnostics show
    /// these as escapes (`\u{202e}`).
    public var isConcealing: Bool {
        switch value {
        case 0x00...0x08, 0x0A...0x1F, 0x7F,  // C0 controls but the tab, and DEL
            0x80...0x9F,  // C1 controls
            0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069,  // bidirectional controls
            0x2028, 0x2029,  // line and paragraph separators
            0x200B, 0xFEFF:  // zero width space, byte order mark
            return true
        default:
            return false
        }
    }

    /// `\u{202e}`: how a concealing scalar is shown.
    public var escaped: String {
        "\\u{\(String(value, radix: 16))}"
    }
}

extension Character {
    /// Columns on a terminal: the width of the first scalar (the rest combine with it).
    public var displayWidth: Int {
        unicodeScalars.first?.displayWidth ?? 0
    }
}

extension StringProtocol {
    /// Columns on a terminal.
    public var displayWidth: Int {
        if utf8.allSatisfy({ $0 != 0 && $0 < 0x80 }) { return utf8.count }
        return reduce(0) { $0 + $1.displayWidth }
    }
}
