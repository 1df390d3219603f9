// The loader reads each file's columns in the catalogue's order: a column's case is the
// field of the same name, and the fields after the cases are carried.

import Testing

@testable import DunModel

@Suite struct CatalogueOrderTests {
    /// Names compared as headers are: `creditLimit` is `credit_limit`.
    static func names<C: TableColumn>(_: C.Type) -> [String] {
        C.allCases.map { StoredField.key(String(describing: $0)) }
    }

    static func first<C: TableColumn>(_: C.Type, of e: EntityDeclaration) -> [String] {
        e.fields.prefix(C.allCases.count).map { StoredField.key($0.name) }
    }

    @Test func theColumnsAreTheCataloguesFirstFields() {
        #expect(Self.names(CustomerColumn.self) == Self.first(CustomerColumn.self, of: Catalogue.customers))
        #expect(Self.names(InvoiceColumn.self) == Self.first(InvoiceColumn.self, of: Catalogue.invoices))
        #expect(Self.names(PaymentColumn.self) == Self.first(PaymentColumn.self, of: Catalogue.payments))
    }

    /// The rest are carried, each of a kind that is read without code of its own.
    @Test func theOtherFieldsAreCarried() {
        #expect(Customers.carriedLayout.slots.map(\.field.name) == [])
        #expect(Invoices.carriedLayout.slots.map(\.field.name) == ["order_id"])
        #expect(Payments.carriedLayout.slots.map(\.field.name) == ["method"])
        for layout in [Customers.carriedLayout, Invoices.carriedLayout, Payments.carriedLayout] {
            #expect(layout.misdeclared.isEmpty)
        }
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
