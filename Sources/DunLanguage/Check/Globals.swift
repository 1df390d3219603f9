// Globals: the names a session binds with `let`, kept from one run to the next.

/// The `let` bindings of a session: each name has a slot and a type. Rebinding a name
/// reuses its slot with the new type.
public struct Globals: Sendable {
    public private(set) var names: [String] = []
    public private(set) var types: [DunType] = []
    /// The policies defined, which `plan NAME` may name.
    public private(set) var policies: [String] = []

    public init() {}

    public mutating func define(policy name: String) {
        if !policies.contains(name) { policies.append(name) }
    }

    func slot(of name: String) -> Int? {
        names.firstIndex(of: name)
    }

    /// The slot of `name`, now of `type`.
    @discardableResult
    public mutating func bind(_ name: String, _ type: DunType) -> Int {
        if let slot = slot(of: name) {
            types[slot] = type
            return slot
        }
        names.append(name)
        types.append(type)
        return names.count - 1
    }
}
