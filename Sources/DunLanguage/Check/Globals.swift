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
    private var functions: [String: Function] = [:]
    /// The modules imported, by the name their names are qualified with.
    public private(set) var modules: Set<String> = []

    /// A function as defined: its body's names are looked up in its module first.
    struct Function: Sendable {
        var definition: FunctionDefinition
        var source: SourceText
        var broken: Bool
        var module: String?
    }

    public init() {}

    /// Defines `function` under its name, `module.name` when it is a module's.
    public mutating func define(function: FunctionDefinition, in source: SourceText, module: String? = nil, broken: Bool = false)
    {
        functions[module.map { "\($0).\(function.name)" } ?? function.name] = Function(
            definition: function, source: source, broken: broken, module: module)
    }

    func function(named name: String) -> Function? {
        functions[name]
    }

    public mutating func define(module name: String) {
        modules.insert(name)
    }

    /// `from MODULE import name`: `name` for `module.name`, a function or a binding; false
    /// when the module has no such name.
    public mutating func alias(_ name: String, to qualified: String) -> Bool {
        if let f = functions[qualified] {
            functions[name] = f
            return true
        }
        guard let slot = slots[qualified] else { return false }
        slots[name] = slot
        return true
    }

    /// The names a module defines, unqualified.
    public func names(of module: String) -> [String] {
        let prefix = module + "."
        return (Array(slots.keys) + Array(functions.keys)).filter { $0.hasPrefix(prefix) }.map {
            String($0.dropFirst(prefix.count))
        }
        .sorted()
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
