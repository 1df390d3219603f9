import Testing

@testable import DunCore

@Suite("displayWidth")
struct DisplayWidthTests {
    @Test(
        arguments: [
            ("a", 1), ("Z", 1), (" ", 1), ("~", 1), ("é", 1), ("¥", 1), ("€", 1), ("\t", 1),
            ("中", 2), ("客", 2), ("。", 2), ("、", 2), ("あ", 2), ("カ", 2), ("한", 2), ("㐀", 2), ("𠀀", 2),
            ("Ａ", 2), ("１", 2), ("￥", 2), ("，", 2), ("（", 2), ("😀", 2), ("🤝", 2), ("⌚", 2),
            ("ｱ", 1),  // half-width katakana
        ] as [(Character, Int)])
    func characterWidths(ch: Character, width: Int) {
        #expect(ch.displayWidth == width)
    }

    @Test(arguments: [
        (Unicode.Scalar(0x0301)!, 0),  // combining acute accent
        (Unicode.Scalar(0x20DD)!, 0),  // combining enclosing circle
        (Unicode.Scalar(0x200B)!, 0),  // zero-width space
        (Unicode.Scalar(0x200D)!, 0),  // zero-width joiner
        (Unicode.Scalar(0xFEFF)!, 0),  // byte order mark
        (Unicode.Scalar(0)!, 0),
        (Unicode.Scalar(0x41)!, 1),
        (Unicode.Scalar(0x4E00)!, 2),
        (Unicode.Scalar(0x9FFF)!, 2),
        (Unicode.Scalar(0xA000)!, 2),
        (Unicode.Scalar(0xFF01)!, 2),
        (Unicode.Scalar(0xFF61)!, 1),
        (Unicode.Scalar(0x1100)!, 2),
        (Unicode.Scalar(0x1160)!, 1),
    ])
    func scalarWidths(scalar: Unicode.Scalar, width: Int) {
        #expect(scalar.displayWidth == width)
    }

    @Test func combiningMarkAddsNothing() {
        let decomposed: Character = "e\u{301}"
        #expect(decomposed.displayWidth == 1)
        #expect("e\u{301}".displayWidth == 1)
        #expect("\u{301}".displayWidth == 0)
    }

    @Test(arguments: [
        ("", 0),
        ("hello", 5),
        ("上海华谊贸易有限公司", 20),
        ("ab中文", 6),
        ("C1,上海,A", 9),
        ("Ｕｎｉ", 6),
        ("cafe\u{301} 客户", 9),
        ("a\u{200B}b", 2),
        ("¥1,234.50", 9),
        ("￥1,234.50", 10),
        ("👍🏽", 2),
    ])
    func stringWidths(text: String, width: Int) {
        #expect(text.displayWidth == width)
        #expect(text[...].displayWidth == width)
    }
}
