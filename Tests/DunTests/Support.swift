// Test support: where the golden files, fixtures and the built `dun` live, and a line diff.

import Dun
import DunCore
import Foundation

enum Paths {
    /// Tests/DunTests
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let root = tests.deletingLastPathComponent().deletingLastPathComponent()
    static let golden = tests.appendingPathComponent("golden")
    static let fixtures = tests.appendingPathComponent("fixtures")
    static let examples = root.appendingPathComponent("examples")

    /// The `dun` executable built beside the test bundle.
    static var executable: URL { executable(named: "dun") }

    /// An executable of the package built beside the test bundle.
    static func executable(named name: String) -> URL {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [here, here.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return root.appendingPathComponent(".build/debug/" + name)
    }
}

/// The first lines where two texts differ, for a failure message.
func lineDiff(expected: String, actual: String) -> String {
    let e = expected.components(separatedBy: "\n")
    let a = actual.components(separatedBy: "\n")
    var out: [String] = []
    for i in 0..<max(e.count, a.count) where out.count < 12 {
        let x = i < e.count ? e[i] : "<missing>"
        let y = i < a.count ? a[i] : "<missing>"
        if x != y {
            out.append("line \(i + 1):\n  expected: \(x)\n  actual:   \(y)")
        }
    }
    return out.joined(separator: "\n")
}
