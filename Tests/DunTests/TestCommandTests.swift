// `dun test`: the test blocks of policy files, each as of its own date.

import Foundation
import Testing

@Suite struct TestCommandTests {
    @Test func theExamplePoliciesPassTheirTests() throws {
        let r = try runDun(["test", "--data", "examples/acme"])
        #expect(r.status == 0, "\(r.err)")
        #expect(
            r.out == """
                ok   examples/acme/policies/standard.dun: two days late: a gentle email, no call
                ok   examples/acme/policies/standard.dun: two months late: a call by the collector, then a hold
                ok   examples/acme/policies/standard.dun: a customer is dunned at the highest level any of its invoices reached
                ok   examples/acme/policies/standard.dun: a disputed invoice is never dunned
                ok   examples/acme/policies/standard.dun: 15 days late: the firm reminder
                5 tests: 5 passed, 0 failed

                """)
        #expect(r.err.isEmpty)
    }

    @Test func aFailingExpectationSaysWhatThePlanHas() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dun-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("t.dun")
        try Data(
            """
            policy tiny {
              rule big: invoices where balance > 50k => note "大额"
            }
            test "passes" {
              expect plan tiny has note for "I02"
              expect plan tiny has no note for "I03"
            }
            test "fails" {
              as of 2026-11-01
              expect plan tiny has note for "C5" by big
              expect count(customers) = 5
            }
            """.utf8
        ).write(to: file)
        let r = try runDun(["test", "--data", "Tests/DunTests/fixtures/small", "--as-of", "2026-11-28", file.path])
        #expect(r.status == 1)
        #expect(r.out == "ok   \(file.path): passes\nFAIL \(file.path): fails\n2 tests: 1 passed, 1 failed\n")
        #expect(
            r.err == """
                \(file.path):10:10: error: expected note for "C5" by big as of 2026-11-01
                  expect plan tiny has note for "C5" by big
                         ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
                note: the plan does nothing for it
                \(file.path):11:10: error: expected this to hold as of 2026-11-01; it is false
                  expect count(customers) = 5
                         ^~~~~~~~~~~~~~~~~~~~

                """)
        // A run plans the policy and skips the tests.
        let run = try runDun(["run", "--data", "Tests/DunTests/fixtures/small", "--as-of", "2026-11-28", file.path])
        #expect(run.status == 0 && run.out.contains("大额") && !run.out.contains("passes"))
    }

    @Test func noTestsIsAnError() throws {
        let r = try runDun(["test", "--data", "Tests/DunTests/fixtures/small"])
        #expect(r.status == 1)
        #expect(r.err.contains("no test blocks in policies/ of the workspace"))
    }
}
