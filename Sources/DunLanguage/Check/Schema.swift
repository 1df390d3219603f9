// Schema: the entities and fields that names in a script resolve against.

/// A field of an entity, with a one-line meaning for `.schema` and completion.
public struct Field: Sendable {
    public var name: String
    public var type: DunType
    public var doc: String
    /// A fraction a person reads as a percentage (`utilization`).
    public var percent: Bool

    public init(_ name: String, _ type: DunType, _ doc: String, percent: Bool = false) {
        self.name = name
        self.type = type
        self.doc = doc
        self.percent = percent
    }
}

/// An entity: a table of the model, such as `customers`.
public struct Entity: Sendable {
    /// The plural name scripts use as a source: `customers`.
    public var name: String
    /// One row: `customer`.
    public var singular: String
    public var fields: [Field]
    /// The field that identifies a row (`id`).
    public var key: Int
    /// The fields shown when a table of this entity is printed as it is.
    public var display: [Int]

    public init(name: String, singular: String, fields: [Field], key: String, display: [String]) {
        self.name = name
        self.singular = singular
        self.fields = fields
        self.key = fields.firstIndex { $0.name == key } ?? 0
        self.display = display.compactMap { d in fields.firstIndex { $0.name == d } }
    }

    public func field(named name: String) -> Int? {
        fields.firstIndex { $0.name == name }
    }
}

/// Every entity a script can name. Built by the host (the receivables binding).
public struct Schema: Sendable {
    public var entities: [Entity]

    public init(entities: [Entity]) {
        self.entities = entities
    }

    public subscript(id: EntityID) -> Entity { entities[id.index] }

    public func entity(named name: String) -> EntityID? {
        entities.firstIndex { $0.name == name }.map(EntityID.init)
    }
}
