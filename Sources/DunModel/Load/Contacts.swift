// Contacts: the optional contacts.csv of a workspace, the people to write to at each
// customer: read once, for the `contacts` entity and for the e-mails the outbox writes.

import DunCore

/// A person to write to at a customer.
public struct Contact: Sendable, Equatable {
    /// The customer's row.
    public var customer: Int32
    public var name: String?
    /// `billing` (a message's To) or another (Cc), in lower case; empty when not given.
    public var role: String
    /// The address as written; empty when not given.
    public var email: String
    /// The line of contacts.csv it is on, for an error about its address.
    public var line: Int

    /// The people of `DIR/contacts.csv` (its fields as `Catalogue.contacts` declares them), in
    /// file order; none without the file. A row whose customer is missing or not in the
    /// export is an error at its cell; every one is reported.
    public static func read(in directory: String, of workspace: Workspace) throws(Diagnostics) -> [Contact] {
        guard let rows = try CSVRows.read(Catalogue.contacts, in: directory) else { return [] }
        var contacts: [Contact] = []
        var problems: [Diagnostic] = []
        for (r, row) in rows.values.enumerated() {
            guard let id = row[0] else {
                problems.append(rows.error(row: r, column: 0, "a contact needs the customer's id"))
                continue
            }
            guard let customer = workspace.customers.id.row(of: id) else {
                problems.append(rows.error(row: r, column: 0, "no customer \(excerpt(id)) in customers.csv"))
                continue
            }
            contacts.append(
                Contact(
                    customer: customer, name: row[1], role: (row[2] ?? "").lowercased(), email: row[3] ?? "",
                    line: rows.line(of: r)))
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return contacts
    }
}
