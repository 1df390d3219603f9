// Documentation: the standard library's modules described by their own doc comments — the
// comment lines just above each `fn` and `let`, and a module's first lines — for `dun doc`
// and `.help MODULE`, so that what they say cannot drift from what the modules hold.

/// A module of the standard library, as its comments describe it.
public struct ModuleDoc: Sendable {
    public struct Item: Sendable {
        public var name: String
        /// `fn simple(t, period)`, `let late`.
        public var signature: String
        public var lines: [String]
    }

    public var name: String
    /// Its first comment lines.
    public var lines: [String]
    public var items: [Item]

    /// Reads a module's text: a comment block before a blank line at the top is the module's;
    /// a block just above a definition is the definition's.
    public init(name: String, text: String) {
        self.name = name
        lines = []
        items = []
        var block: [String] = []
        var atTop = true
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingSpaces()
            if line.hasPrefix("#") {
                block.append(String(line.dropFirst().drop { $0 == " " }))
                continue
            }
            if line.isEmpty {
                if atTop && !block.isEmpty { lines = block }
                atTop = atTop && block.isEmpty
                block = []
                continue
            }
            atTop = false
            // A definition of the module: not indented (a block's lets are).
            for keyword in ["fn ", "let "] where raw.hasPrefix(keyword) {
                let rest = line.dropFirst(keyword.count)
                let itemName = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                let end = rest.firstIndex { $0 == "=" || $0 == "{" } ?? rest.endIndex
                items.append(
                    Item(name: itemName, signature: keyword + rest[..<end].trimmingSpaces(), lines: block))
            }
            block = []
        }
    }

    /// The standard library's modules, by name.
    public static let standard: [ModuleDoc] = Session.standardModules.map { file in
        let base = file.name.split(separator: "/").last.map(String.init) ?? file.name
        return ModuleDoc(name: base.hasSuffix(".dun") ? String(base.dropLast(4)) : base, text: file.text)
    }

    /// Every module and its names with the first line of each's doc; or one module in full
    /// (`dso`); or one name in full (`dso.simple`). Nil for a name that is none of these.
    public static func text(for topic: String?) -> String? {
        guard let topic else {
            return standard.map { m in
                "\(m.lines.first ?? m.name)\n"
                    + m.items.map {
                        "  \(m.name).\($0.signature.dropFirst($0.signature.hasPrefix("fn ") ? 3 : 0))  \($0.lines.first ?? "")\n"
                    }
                    .joined()
            }.joined(separator: "\n")
                + "\nimport MODULE, then MODULE.NAME(…); dun doc MODULE or dun doc MODULE.NAME for the whole of it\n"
        }
        let parts = topic.split(separator: ".", maxSplits: 1).map(String.init)
        guard let module = standard.first(where: { $0.name == parts[0] }) else { return nil }
        if parts.count == 1 {
            return "import \(module.name)\n\n" + module.lines.map { $0 + "\n" }.joined() + "\n"
                + module.items.map { item in "\(item.signature)\n" + item.lines.map { "  \($0)\n" }.joined() }
                .joined(separator: "\n")
        }
        guard let item = module.items.first(where: { $0.name == parts[1] }) else { return nil }
        return "\(module.name).\(item.signature.dropFirst(item.signature.hasPrefix("fn ") ? 3 : 0))\n"
            + item.lines.map { "  \($0)\n" }.joined()
    }
}
