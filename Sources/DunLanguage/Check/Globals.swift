// Globals: the names a session binds with `let`, kept from one run to the next.

import DunCore

/// The `let` bindings of a session: each name has a slot and a type. Rebinding a name
/// reuses its slot with the new type.
public struct Globals: Sendable {
    public private(set) var names: [String] = []
    public private(set) var types: [DunType] = []
    /// Each name's slot: found at once, however many bindings a script makes.
    private var slots: [String: Int] = [:]
    /// The policies defined, which `plan NAME` may name, in the order defined.
    public private(set) var policies: [String] = []
    private var policySet: Set<String> = []
    /// The functions defined (`fn`), each with the source it was written in, and whether its
    /// body has errors of its own (then its calls are not checked again).
    private var functions: [String: (definition: FunctionDefinition, source: SourceText, broken: Bool)] = [:]

    public init() {}

    public mutating func define(function: FunctionDefinition, in source: SourceText, broken: Bool = false) {
        functions[function.name] = (function, source, broken)
    }

    func function(named name: String) -> (definition: FunctionDefinition, source: SourceText, broken: Bool)? {
        functions[name]
    }

    public var functionNames: [String] { functions.keys.sorted() }

    public mutating func define(policy name: String) {
        if policySet.insert(name).inserted { policies.append(name) }
    }

    func slot(of name: String) -> Int? {
        slots[name]
    }

    func isPolicy(_ name: String) -> Bool {
        policySet.contains(name)
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
        slots[name] = names.count - 1
        return names.count - 1
    }
}
