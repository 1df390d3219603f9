import DunCore
import Foundation
import Testing

@testable import DunModel

/// promises.csv and disputes.csv, optional beside the three main files.
@Suite("promises.csv and disputes.csv")
struct PromisesAndDisputesTests {
    func events(_ files: [String: String]) throws -> [History.Event] {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace()
        for (name, text) in files { try folder.write(name, text) }
        return try History.events(in: folder.path, of: try WorkspaceLoader.load(directory: folder.path))
    }

    func errors(_ files: [String: String]) throws -> [String] {
        let folder = try TemporaryFolder()
        try folder.writeWorkspace()
        for (name, text) in files { try folder.write(name, text) }
        do {
            _ = try History.events(in: folder.path, of: try WorkspaceLoader.load(directory: folder.path))
            Issue.record("expected errors")
            return []
        } catch {
            return error.all.map { $0.rendered.replacingOccurrences(of: folder.path + "/", with: "") }
        }
    }

    @Test func neitherFileIsNeeded() throws {
        #expect(try events([:]).isEmpty)
    }

    @Test func promisesAndDisputesBecomeEvents() throws {
        let got = try events([
            "promises.csv": "id,customer_id,invoice_id,amount,made_on,promised_by\nP1,C1,I1,500.00,2026-11-20,2026-12-10\nP2,C2,,100,2026-11-21,2026-12-01\n",
            "disputes.csv": "id,invoice_id,opened,reason,resolved_on\nD1,I2,2026-11-01,\"wrong, count\",\nD2,I1,2026-10-01,x,2026-10-15\n",
        ])
        #expect(
            got == [
                .init(customer: 0, day: try #require(Day(iso: "2026-11-20")), kind: .promised(invoice: 0, amount: 50000, by: try #require(Day(iso: "2026-12-10")))),
                .init(customer: 1, day: try #require(Day(iso: "2026-11-21")), kind: .promised(invoice: nil, amount: 10000, by: try #require(Day(iso: "2026-12-01")))),
                .init(customer: 1, day: try #require(Day(iso: "2026-11-01")), kind: .disputed(invoice: 1)),
                .init(customer: 0, day: try #require(Day(iso: "2026-10-01")), kind: .disputed(invoice: 0)),
                .init(customer: 0, day: try #require(Day(iso: "2026-10-15")), kind: .resolved(invoice: 0)),
            ])
    }

    @Test func badRowsAreErrorsAtTheirField() throws {
        let got = try errors([
            "promises.csv": "customer_id,invoice_id,amount,made_on,promised_by\nC9,,1,2026-11-20,2026-12-10\nC1,I2,1,2026-11-20,2026-12-10\nC1,,x,2026-11-20,2026-12-10\n",
            "disputes.csv": "invoice_id,opened\nI9,2026-11-01\nI1,soon\n",
        ])
        #expect(
            got == [
                "promises.csv:2:1: error: no customer 'C9' in customers.csv\nC9,,1,2026-11-20,2026-12-10\n^~\n",
                "promises.csv:3:4: error: invoice 'I2' is not customer 'C1's\nC1,I2,1,2026-11-20,2026-12-10\n   ^~\n",
                "promises.csv:4:5: error: amount 'x' is not an amount in CNY\nC1,,x,2026-11-20,2026-12-10\n    ^\n",
                "disputes.csv:2:1: error: no invoice 'I9' in invoices.csv\nI9,2026-11-01\n^~\n",
                "disputes.csv:3:4: error: opened 'soon' is not a date\nI1,soon\n   ^~~~\nhint: write it as 2026-11-28\n",
            ])
        #expect(try errors(["disputes.csv": "invoice,opened\nI1,2026-11-01\n"]).first?.contains("missing required column 'invoice_id'") == true)
    }
}

extension PromisesAndDisputesTests {
    @Test func emptyRequiredFieldsAreErrors() throws {
        let got = try errors([
            "promises.csv": "customer_id,amount,made_on,promised_by\n,1,2026-11-20,2026-12-10\nC1,1,,2026-12-10\n",
            "disputes.csv": "invoice_id,opened\n,2026-11-01\nI1,\n",
        ])
        #expect(got.count == 4)
        #expect(got[0].hasPrefix("promises.csv:2:1: error: a promise needs the customer's id"))
        #expect(got[1].hasPrefix("promises.csv:3:6: error: a promise needs the day made and the day promised"))
        #expect(got[2].hasPrefix("disputes.csv:2:1: error: a dispute needs the invoice's id"))
        #expect(got[3].hasPrefix("disputes.csv:3:4: error: a dispute needs the day it opened"))
    }
}
