// Completer: what Tab offers at the end of a partly typed statement — keywords, entities,
// the fields of the entity in scope, functions, bound names, dot-commands, and the values
// of short text fields inside a string.

import DunCore
import DunLanguage

/// The candidates for the word before the cursor.
public struct Completion: Equatable, Sendable {
    /// The word being completed, as typed (the text each candidate replaces).
    public var word: String
    /// Whole replacements for `word`, sorted.
    public var candidates: [String]
    /// What to type after a single candidate: a space, or the closing quote of a string.
    public var suffix: String
    /// Offer the names of files instead (the argument of `.load` and `.save`).
    public var files = false
}

struct Completer {
    let session: Session
    /// The dot-commands with their arguments' choices (`.mode` → table, csv, …).
    let commands: [(name: String, choices: [String])]

    /// The completion of `text`, the statement typed so far up to the cursor.
    func complete(_ text: String) -> Completion {
        let start = text.drop { $0 == " " || $0 == "\t" }
        if start.hasPrefix(".") {
            return command(String(start))
        }
        if let open = openString(text) {
            let word = String(text[text.index(after: open)...])
            return Completion(word: word, candidates: matching(word, stringValues(before: String(text[..<open]))), suffix: "\"")
        }
        let word = String(text.reversed().prefix { Completer.isWordCharacter($0) }.reversed())
        let before = String(text.dropLast(word.count))
        let tokens = Lexer.tokenize(SourceText(name: "<input>", text: before)).tokens.filter {
            $0.kind != .newline && $0.kind != .end
        }
        let scope = Completer.scope(of: tokens, schema: session.schema, bindings: session.bindings)
        // After a module's name and a dot: its names.
        if tokens.last?.kind == .symbol(.dot), tokens.count >= 2, case .identifier(let m) = tokens[tokens.count - 2].kind,
            session.modules.contains(m)
        {
            return Completion(word: word, candidates: matching(word, session.names(of: m)), suffix: "")
        }
        // After a dot: the fields of what stands before it.
        if tokens.last?.kind == .symbol(.dot) {
            let fields = entity(of: resolve(tokens.dropLast(), scope: scope)).map { session.schema[$0].fields.map(\.name) }
            return Completion(word: word, candidates: matching(word, fields ?? []), suffix: " ")
        }
        // After `grade <` (or any comparison with a grade): the grades.
        if let last = tokens.last, case .symbol(let s) = last.kind, Completer.comparisons.contains(s),
            resolve(tokens.dropLast(), scope: scope) == .grade
        {
            return Completion(word: word, candidates: matching(word, Grade.allCases.map(\.description)), suffix: " ")
        }
        var names = Keyword.allCases.map(\.rawValue) + Parser.stages + session.schema.entities.map(\.name)
        names += Builtin.all.map(\.name) + session.bindings.map(\.name) + session.policies + session.functions
        if let scope { names += session.schema[scope].fields.map(\.name) }
        return Completion(word: word, candidates: matching(word, names), suffix: " ")
    }

    /// Characters of a word: letters of any script (Chinese too), digits and `_`.
    static func isWordCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_"
    }

    private static let comparisons: Set<Symbol> = [.equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual]

    /// A dot-command's name, or its argument's choices.
    private func command(_ text: String) -> Completion {
        guard let space = text.firstIndex(where: { $0 == " " }) else {
            return Completion(word: text, candidates: matching(text, commands.map(\.name)), suffix: " ")
        }
        let name = String(text[..<space])
        let word = String(text[space...].drop { $0 == " " })
        var choices = commands.first { $0.name == name }?.choices ?? []
        if name == ".schema" || name == ".help" { choices += session.schema.entities.map(\.name) }
        if name == ".help" { choices += Builtin.all.map(\.name) + commands.map { String($0.name.dropFirst()) } }
        let files = name == ".load" || name == ".save"
        return Completion(word: word, candidates: matching(word, choices), suffix: " ", files: files)
    }

    /// Where the string the cursor is in opens, if it is in one (quotes, escapes and comments
    /// read as the lexer reads them).
    private func openString(_ text: String) -> String.Index? {
        var open: String.Index?
        var escaped = false
        var comment = false
        for i in text.indices {
            let c = text[i]
            if comment {
                if c == "\n" { comment = false }
            } else if open != nil {
                if escaped {
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" || c == "\n" {
                    open = nil
                }
            } else if c == "#" {
                comment = true
            } else if c == "\"" {
                open = i
            }
        }
        return open
    }

    /// The values a string typed after `before` may take: those of the text field it is
    /// compared with, or else of every short text field of the entity in scope.
    private func stringValues(before: String) -> [String] {
        let tokens = Lexer.tokenize(SourceText(name: "<input>", text: before)).tokens.filter {
            $0.kind != .newline && $0.kind != .end
        }
        let schema = session.schema
        let scope = Completer.scope(of: tokens, schema: schema, bindings: session.bindings)
        // Back over `=`, `in [`, `"a",` … to the field.
        var end = tokens.endIndex
        while end > tokens.startIndex {
            switch tokens[end - 1].kind {
            case .symbol(.leftBracket), .symbol(.comma), .string, .keyword(.in), .keyword(.not), .keyword(.contains):
                end -= 1
                continue
            case .symbol(let s) where Completer.comparisons.contains(s):
                end -= 1
                continue
            default:
                break
            }
            break
        }
        if end > tokens.startIndex, case .identifier(let name) = tokens[end - 1].kind {
            let owner =
                end - 1 > tokens.startIndex && tokens[end - 2].kind == .symbol(.dot)
                ? entity(of: resolve(tokens[..<(end - 2)], scope: scope)) : scope
            if let owner, let f = schema[owner].field(named: name), schema[owner].fields[f].type == .string {
                return session.shortTextValues(of: owner, field: f)
            }
        }
        let entities = scope.map { [$0] } ?? schema.entities.indices.map(EntityID.init)
        var values = Set<String>()
        for e in entities {
            for (f, field) in schema[e].fields.enumerated() where field.type == .string {
                values.formUnion(session.shortTextValues(of: e, field: f))
            }
        }
        return Array(values)
    }

    /// The type of the name chain (`customer.region`) that ends `tokens`, looked up in `scope`.
    private func resolve(_ tokens: ArraySlice<Token>, scope: EntityID?) -> DunType? {
        guard case .identifier(let name)? = tokens.last?.kind else { return nil }
        let rest = tokens.dropLast()
        if rest.last?.kind == .symbol(.dot) {
            guard let owner = entity(of: resolve(rest.dropLast(), scope: scope)),
                let f = session.schema[owner].field(named: name)
            else { return nil }
            return session.schema[owner].fields[f].type
        }
        if let scope, let f = session.schema[scope].field(named: name) {
            return session.schema[scope].fields[f].type
        }
        if let e = session.schema.entity(named: name) {
            return .table(.entity(e, extras: []))
        }
        return session.bindings.last { $0.name == name }?.type
    }

    /// The entity whose fields a value of this type has: a row's, or a table's rows'.
    private func entity(of type: DunType?) -> EntityID? {
        switch type {
        case .row(let e): return e
        case .table(let rows): return rows.entity
        case .list(let item): return entity(of: item)
        default: return nil
        }
    }

    /// The entity whose rows the end of `tokens` is about: the last table named at the
    /// innermost open bracket (`customers where count(invoices where ` → invoices).
    static func scope(of tokens: [Token], schema: Schema, bindings: [(name: String, type: DunType)]) -> EntityID? {
        var stack: [EntityID?] = [nil]
        for (i, token) in tokens.enumerated() {
            switch token.kind {
            case .symbol(.leftParen), .symbol(.leftBracket), .symbol(.leftBrace):
                stack.append(stack.last ?? nil)
            case .symbol(.rightParen), .symbol(.rightBracket), .symbol(.rightBrace):
                if stack.count > 1 { stack.removeLast() }
            case .identifier(let name) where i == 0 || tokens[i - 1].kind != .symbol(.dot):
                let current = stack[stack.count - 1]
                var type: DunType?
                if let e = schema.entity(named: name) {
                    type = .table(.entity(e, extras: []))
                } else if let current, let f = schema[current].field(named: name) {
                    type = schema[current].fields[f].type
                } else {
                    type = bindings.last { $0.name == name }?.type
                }
                if case .table(let rows)? = type, let e = rows.entity { stack[stack.count - 1] = e }
            default:
                break
            }
        }
        return stack[stack.count - 1]
    }

    private func matching(_ word: String, _ names: [String]) -> [String] {
        Array(Set(names.filter { $0.hasPrefix(word) })).sorted()
    }
}
