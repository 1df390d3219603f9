// The loader reads each file's columns in the catalogue's order: a column's case is the
// field of the same name.

import Testing

@testable import DunModel

@Suite struct CatalogueOrderTests {
    /// Names compared as headers are: `creditLimit` is `credit_limit`.
    static func names<C: TableColumn>(_: C.Type) -> [String] {
        C.allCases.map { StoredField.key(String(describing: $0)) }
    }

    @Test func theColumnsAreTheCataloguesFields() {
        #expect(Self.names(CustomerColumn.self) == Catalogue.customers.fields.map { StoredField.key($0.name) })
        #expect(Self.names(InvoiceColumn.self) == Catalogue.invoices.fields.map { StoredField.key($0.name) })
        #expect(Self.names(PaymentColumn.self) == Catalogue.payments.fields.map { StoredField.key($0.name) })
    }

    /// Every reference leads to an entity of the catalogue, and every file is named once.
    @Test func referencesLeadToEntities() {
        let names = Set(Catalogue.all.map(\.name))
        for e in Catalogue.all {
            for f in e.fields {
                if let r = f.reference { #expect(names.contains(r.entity), "\(e.name).\(f.name)") }
                #expect((f.kind == .reference) == (f.reference != nil), "\(e.name).\(f.name)")
            }
            #expect(e.field(named: e.key) != nil, "\(e.name)'s key")
        }
        #expect(Set(Catalogue.all.map(\.file)).count == Catalogue.all.count)
    }
}
