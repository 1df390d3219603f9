// Parser: recursive descent from tokens to statements, one method per grammar rule.

import DunCore

/// The statements of a source and every syntax error in it.
public struct ParseResult: Sendable {
    public var statements: [Statement]
    public var diagnostics: [Diagnostic]
    /// The input stopped in the middle of a statement (the REPL reads another line).
    public var isIncomplete: Bool
}

/// A syntax error, thrown to the nearest statement boundary.
struct SyntaxError: Error {
    var diagnostic: Diagnostic
    var atEnd: Bool
}

/// Parses a whole source. After an error it skips to the next statement (or rule),
/// so one run reports every error.
public struct Parser {
    private let source: SourceText
    private let tokens: [Token]
    private var current = 0
    private var diagnostics: [Diagnostic] = []
    private var incomplete = false
    /// Levels of recursive descent into the current expression.
    private var nesting = 0
    /// Inside a pipeline given as an argument, whose commas may also part the arguments.
    private var inArgument = false

    public static func parse(_ source: SourceText) -> ParseResult {
        let (tokens, lexErrors) = Lexer.tokenize(source)
        var parser = Parser(source: source, tokens: tokens)
        let statements = parser.program()
        // In source order, whichever phase found them.
        let diagnostics = (lexErrors + parser.diagnostics).enumerated().sorted { a, b in
            let (x, y) = (a.element.position, b.element.position)
            if x?.line != y?.line { return (x?.line ?? 0) < (y?.line ?? 0) }
            if x?.column != y?.column { return (x?.column ?? 0) < (y?.column ?? 0) }
            return a.offset < b.offset
        }.map(\.element)
        return ParseResult(statements: statements, diagnostics: diagnostics, isIncomplete: parser.incomplete)
    }

    private init(source: SourceText, tokens: [Token]) {
        self.source = source
        self.tokens = tokens
    }

    // MARK: statements

    // program → (statement NEWLINE)* END
    private mutating func program() -> [Statement] {
        var statements: [Statement] = []
        skipNewlines()
        while !isAtEnd {
            let start = current
            do {
                // Kept only when it parsed to its end: `a where b where c` is not `a where b`.
                let s = try statement()
                try endOfStatement()
                statements.append(s)
            } catch {
                record(error)
                synchronize(from: start)
            }
            skipNewlines()
        }
        return statements
    }

    // statement → 'let' NAME '=' pipeline | 'explain' pipeline | policy | pipeline
    private mutating func statement() throws(SyntaxError) -> Statement {
        if match(.keyword(.let)) {
            let (name, range) = try identifier("a name after 'let'")
            try expect(.symbol(.equal), "'=' after the name")
            return .binding(name: name, nameRange: range, try pipeline())
        }
        if check(.keyword(.explain)) {
            let start = advance().range.lowerBound
            let p = try pipeline()
            return .explain(p, range: start..<p.range.upperBound)
        }
        if check(.keyword(.policy)) {
            return .policy(try policy())
        }
        if check(.keyword(.fn)) {
            return .function(try function())
        }
        // 'import' STRING|NAME, 'from' STRING|NAME 'import': no query starts so.
        if check(.identifier("import")),
            next.map({ if case .string = $0.kind { true } else if case .identifier = $0.kind { true } else { false } }) == true
        {
            return .import(try importStatement())
        }
        if check(.identifier("from")), current + 2 < tokens.count, tokens[current + 2].kind == .identifier("import") {
            return .import(try importStatement())
        }
        // 'plan' NAME: 'plan' is a word only here, where no query could start with two names.
        if check(.identifier("plan")), case .identifier(let name)? = next?.kind {
            let start = advance().range.lowerBound
            let end = advance().range.upperBound
            return .plan(name: name, range: start..<end)
        }
        // 'record' WORD … and 'resolve' 'dispute' …: no query starts with two names.
        if check(.identifier("record")) || check(.identifier("resolve")), case .identifier? = next?.kind {
            return .record(try record())
        }
        // 'test' STRING '{' …: no query starts with a name and a text.
        if check(.identifier("test")), case .string? = next?.kind {
            return .test(try testBlock())
        }
        // 'why' STRING 'in' NAME, where no query could start with a name and a text.
        if check(.identifier("why")), case .identifier(let id)? = next?.kind, current + 2 < tokens.count,
            tokens[current + 2].kind == .keyword(.in)
        {
            advance()
            throw unexpected(peek, expected: "the id in quotes", hint: "why \"\(id)\" in …")
        }
        if check(.identifier("why")), case .string? = next?.kind {
            let start = advance().range.lowerBound
            let id = try string("the id of a customer or an invoice, in quotes")
            try expect(.keyword(.in), "'in' and a policy's name after the id")
            let (policy, range) = try identifier("a policy's name")
            return .why(id: id, policy: policy, range: start..<range.upperBound)
        }
        return .query(try pipeline())
    }

    private mutating func endOfStatement() throws(SyntaxError) {
        if match(.newline) || isAtEnd { return }
        // After an unclosed bracket (already reported) swallowed the line breaks, a new
        // unindented line still starts a new statement.
        if !diagnostics.isEmpty && startsUnindentedLine(peek) { return }
        throw unexpected(
            peek, expected: "end of statement",
            hint: check(.keyword(.where)) ? "start another filter with '| where'" : nil)
    }

    // import → 'import' module ('as' NAME)? | 'from' module 'import' NAME (',' NAME)*
    // module → STRING | NAME
    private mutating func importStatement() throws(SyntaxError) -> Import {
        let start = peek.range.lowerBound
        let from = match(.identifier("from"))
        if !from { advance() }
        let module: Import.Module
        if case .string(let path) = peek.kind {
            advance()
            module = .file(path)
        } else {
            module = .standard(try identifier("a module: a file in quotes, or a module of the standard library").0)
        }
        var names: [(name: String, range: Range<Int>)] = []
        var alias: String?
        if from {
            try expect(.identifier("import"), "'import' and the names after the module")
            names = try commaSeparated { (p: inout Parser) throws(SyntaxError) in
                let (n, r) = try p.identifier("a name to import")
                return (name: n, range: r)
            }
        } else if match(.identifier("as")) {
            alias = try identifier("the name after 'as'").0
        }
        return Import(module: module, alias: alias, names: names, range: start..<previous.range.upperBound)
    }

    // function → 'fn' NAME '(' (NAME (',' NAME)*)? ')' ('=' pipeline | '{' ('let' NAME '=' pipeline NEWLINE)* pipeline '}')
    private mutating func function() throws(SyntaxError) -> FunctionDefinition {
        let start = advance().range.lowerBound
        let (name, nameRange) = try identifier("the function's name after 'fn'")
        let open = peek
        try expect(.symbol(.leftParen), "'(' and the parameters after the function's name", hint: "fn \(name)(x) = x * 2")
        var parameters: [(String, Range<Int>)] = []
        if !check(.symbol(.rightParen)) {
            parameters = try commaSeparated { (p: inout Parser) throws(SyntaxError) in try p.identifier("a parameter's name") }
        }
        try closing(.rightParen, opened: open)
        var locals: [FunctionDefinition.Local] = []
        let body: Pipeline
        if check(.symbol(.leftBrace)) {
            // The block form: lets, then the value.
            let brace = advance()
            skipNewlines()
            while match(.keyword(.let)) {
                let (local, range) = try identifier("a name after 'let'")
                try expect(.symbol(.equal), "'=' after the name")
                locals.append(FunctionDefinition.Local(name: local, nameRange: range, value: try pipeline()))
                try expect(.newline, "the end of the line after a let", hint: "each let on a line of its own, the value last")
                skipNewlines()
            }
            body = try pipeline()
            skipNewlines()
            try closing(.rightBrace, opened: brace)
        } else {
            try expect(
                .symbol(.equal), "'=' and the function's value after its parameters, or '{' and a block",
                hint: "fn \(name)(x) = x * 2")
            body = try pipeline()
        }
        return FunctionDefinition(
            name: name, nameRange: nameRange, parameters: parameters.map(\.0), parameterRanges: parameters.map(\.1),
            locals: locals, body: body, range: start..<previous.range.upperBound)
    }

    // pipeline → query ('|' stage)*
    private mutating func pipeline() throws(SyntaxError) -> Pipeline {
        let source = try expression()
        var stages: [Stage] = []
        if check(.keyword(.where)) {
            let start = advance().range.lowerBound
            let predicate = try expression()
            stages.append(Stage(kind: .filter(predicate), range: start..<predicate.range.upperBound))
        }
        return try pipeline(from: source, stages)
    }

    // argument → query ('|' stage)*: a pipeline where a value goes, closed by ')' or ','.
    /// `commasPart`: a comma may end the pipeline, as between a call's arguments; not so
    /// inside parentheses.
    private mutating func argument(commasPart: Bool = true) throws(SyntaxError) -> Expr {
        let query = try query()
        guard check(.symbol(.pipe)) else { return query }
        let outer = inArgument
        inArgument = commasPart
        defer { inArgument = outer }
        let p = try pipeline(from: query, [])
        return Expr(.pipeline(p), p.range)
    }

    /// The stages after `source` and the stages read with it.
    private mutating func pipeline(from source: Expr, _ first: [Stage]) throws(SyntaxError) -> Pipeline {
        var stages = first
        while match(.symbol(.pipe)) {
            let next = try stage()
            // `group by k | aggregate …` is `group by k aggregate …`, as the design writes it.
            if case .group(let keys, []) = stages.last?.kind, !keys.isEmpty,
                case .group([], let aggregates) = next.kind, let last = stages.popLast()
            {
                stages.append(
                    Stage(kind: .group(keys: keys, aggregates: aggregates), range: last.range.lowerBound..<next.range.upperBound))
            } else {
                stages.append(next)
            }
        }
        let end = stages.last?.range.upperBound ?? source.range.upperBound
        return Pipeline(source: source, stages: stages, range: source.range.lowerBound..<end)
    }

    // query → expression ('where' expression)?
    private mutating func query() throws(SyntaxError) -> Expr {
        let table = try expression()
        guard match(.keyword(.where)) else { return table }
        let predicate = try expression()
        return Expr(.filter(table, predicate), table.range.lowerBound..<predicate.range.upperBound)
    }

    // stage → 'where' expr | 'sort' 'by' keys | 'take' expr | 'select' items | 'derive' items
    //       | 'group' 'by' items ['aggregate' items] | 'aggregate' items | 'count' | chart | action
    private mutating func stage() throws(SyntaxError) -> Stage {
        let start = peek.range.lowerBound
        let kind: StageKind
        switch peek.kind {
        case .keyword(.where):
            advance()
            kind = .filter(try expression())
        case .keyword(.sort):
            advance()
            try expect(.keyword(.by), "'by' after 'sort'")
            // In an argument, a comma after a key parts the arguments: sort keys have no names.
            kind = .sort(
                try commaSeparated(while: { !$0.inArgument }) { (p: inout Parser) throws(SyntaxError) in try p.sortKey() })
        case .keyword(.take):
            advance()
            kind = .take(try expression())
        case .keyword(.select):
            advance()
            kind = .select(try items())
        case .keyword(.derive):
            advance()
            kind = .derive(try items())
        case .keyword(.group):
            advance()
            try expect(.keyword(.by), "'by' after 'group'")
            let keys = try items()
            if match(.identifier("pivot")) {
                kind = try pivot(keys)
            } else {
                let aggregates = match(.keyword(.aggregate)) ? try items() : []
                kind = .group(keys: keys, aggregates: aggregates)
            }
        case .identifier("pivot") where !peekNext(is: .symbol(.leftParen)):
            advance()
            kind = try pivot([])
        case .identifier("total") where !peekNext(is: .symbol(.leftParen)):
            advance()
            var label: String?
            if case .string(let text) = peek.kind {
                advance()
                label = text
            }
            kind = .total(label: label)
        case .keyword(.aggregate):
            advance()
            kind = .group(keys: [], aggregates: try items())
        case .identifier("count") where !peekNext(is: .symbol(.leftParen)):
            advance()
            kind = .count
        case .identifier("union") where !peekNext(is: .symbol(.equal)):
            advance()
            // A pipeline goes in parentheses: what follows a bare table is this pipeline's next stage.
            kind = .union(try query())
        case .identifier("accumulate") where !peekNext(is: .symbol(.equal)):
            advance()
            kind = .accumulate(try items())
        case .identifier("chart") where !peekNext(is: .symbol(.leftParen)):
            advance()
            kind = try chart()
        case .identifier(let word) where ActionParser.verbs.contains(word):
            kind = .action(try action())
        default:
            throw unexpected(
                peek,
                expected:
                    "a stage (where, sort by, take, select, derive, group by, pivot, total, union, accumulate, count, chart, or an action)",
                hint: stageHint())
        }
        return Stage(kind: kind, range: start..<previous.range.upperBound)
    }

    // pivot → 'pivot' coalesce ('in' coalesce)? 'aggregate' items
    private mutating func pivot(_ keys: [Item]) throws(SyntaxError) -> StageKind {
        let key = try coalescing()
        let values = match(.keyword(.in)) ? try coalescing() : nil
        try expect(.keyword(.aggregate), "'aggregate' and what to compute for each value after the key of 'pivot'")
        return .pivot(keys: keys, key: key, values: values, aggregates: try items())
    }

    // chart → 'chart' (column (',' column)*)? ('title' STRING)?
    // column → NAME ('.' NAME)* | STRING
    // A column is named as the table names it: `customer.region` after an unnamed select,
    // `"90+"` after a pivot. `title` followed by a text is the title, not a column.
    private mutating func chart() throws(SyntaxError) -> StageKind {
        var columns: [ChartColumn] = []
        func isTitle(_ p: Parser) -> Bool {
            guard p.check(.identifier("title")), case .string? = p.next?.kind else { return false }
            return true
        }
        while !isTitle(self) {
            if case .string(let name) = peek.kind, !name.isEmpty {
                columns.append(ChartColumn(name: name, range: advance().range))
            } else if case .identifier(let first) = peek.kind {
                let start = advance().range
                var name = first
                var end = start.upperBound
                while check(.symbol(.dot)), case .identifier(let part)? = next?.kind {
                    advance()
                    name += "." + part
                    end = advance().range.upperBound
                }
                columns.append(ChartColumn(name: name, range: start.lowerBound..<end))
            } else {
                // A bare `chart`: every column it can draw.
                if columns.isEmpty { break }
                throw unexpected(peek, expected: "a column's name after ',' in 'chart'")
            }
            if check(.symbol(.leftParen)) || check(.symbol(.equal)) {
                throw unexpected(
                    peek, expected: "',' or the end of the chart after a column's name",
                    hint:
                        "chart names columns of the table; compute them before it: | select region, total = sum(balance) | chart")
            }
            guard match(.symbol(.comma)) else { break }
        }
        var title: String?
        if isTitle(self) {
            advance()
            title = try string("the chart's title in quotes")
        }
        return .chart(columns: columns, title: title)
    }

    /// The words a stage starts with (actions aside).
    public static let stages = [
        "where", "sort", "take", "select", "derive", "group", "aggregate", "pivot", "total", "count", "chart",
    ]

    private func stageHint() -> String? {
        guard case .identifier(let word) = peek.kind else { return nil }
        if word == "count" { return "the count stage takes no arguments: '| where …' then '| count'" }
        if let keyword = Keyword(rawValue: word.lowercased()) { return "keywords are lower case: '\(keyword.rawValue)'" }
        let names = Parser.stages + ActionParser.verbs
        return nearestName(to: word, in: names).map { "did you mean '\($0)'?" }
    }

    // sortKey → expression ('asc' | 'desc')?
    private mutating func sortKey() throws(SyntaxError) -> SortKey {
        let e = try expression()
        if match(.identifier("desc")) { return SortKey(expr: e, descending: true) }
        _ = match(.identifier("asc"))
        return SortKey(expr: e, descending: false)
    }

    // items → item (',' item)* ; item → ((NAME | STRING) '=')? query
    // A column named by a string may have any name: `"90+" = sum(…)`.
    private mutating func items() throws(SyntaxError) -> [Item] {
        // In an argument, a comma goes on with the list only before a named item:
        // `f(invoices | derive key = region, [30, 60])` gives f two arguments.
        try commaSeparated(while: { p in !p.inArgument || p.itemName != nil }) { (p: inout Parser) throws(SyntaxError) -> Item in
            guard let name = p.itemName else { return Item(name: nil, nameRange: nil, expr: try p.query()) }
            let range = p.advance().range
            p.advance()
            return Item(name: name, nameRange: range, expr: try p.query())
        }
    }

    /// The name of the item that starts here, `NAME =` or `"any text" =`; nil for an unnamed one.
    private var itemName: String? {
        guard peekNext(is: .symbol(.equal)) else { return nil }
        switch peek.kind {
        case .identifier(let name): return name
        case .string(let name) where !name.isEmpty: return name
        default: return nil
        }
    }

    // MARK: policies

    // policy → 'policy' NAME STRING? '{' ((rule | 'ignore' 'balances' 'below' expression
    //          | 'levels' 'per' ('invoice' | 'customer')) NEWLINE)* '}'
    private mutating func policy() throws(SyntaxError) -> Policy {
        let start = advance().range.lowerBound
        let (name, nameRange) = try identifier("a policy name")
        var title: String?
        if case .string(let s) = peek.kind {
            advance()
            title = s
        }
        try expect(.symbol(.leftBrace), "'{' to open the policy")
        var rules: [Rule] = []
        var tolerance: Expr?
        var levelsPerInvoice = false
        skipNewlines()
        while !check(.symbol(.rightBrace)) {
            if isAtEnd {
                throw unexpected(peek, expected: "'}' to close the policy opened at \(lineColumn(start))")
            }
            do throws(SyntaxError) {
                // 'ignore' 'balances' 'below' expression
                if match(.identifier("ignore")) {
                    guard match(.identifier("balances")), match(.identifier("below")) else {
                        throw unexpected(peek, expected: "'balances below AMOUNT' after 'ignore'")
                    }
                    tolerance = try expression()
                } else if match(.identifier("levels")) {
                    // 'levels' 'per' ('invoice' | 'customer')
                    guard match(.identifier("per")) else {
                        throw unexpected(peek, expected: "'per invoice' or 'per customer' after 'levels'")
                    }
                    if match(.identifier("invoice")) {
                        levelsPerInvoice = true
                    } else if match(.identifier("customer")) {
                        levelsPerInvoice = false
                    } else {
                        throw unexpected(peek, expected: "'invoice' or 'customer' after 'levels per'")
                    }
                } else {
                    rules.append(try rule())
                }
                if !check(.symbol(.rightBrace)) && !isAtEnd {
                    try expect(.newline, "a line break after the rule")
                }
            } catch {
                if error.atEnd { throw error }
                record(error)
                while !isAtEnd && !check(.keyword(.rule)) && !check(.symbol(.rightBrace)) { advance() }
            }
            skipNewlines()
        }
        advance()
        return Policy(
            name: name, nameRange: nameRange, title: title, tolerance: tolerance, levelsPerInvoice: levelsPerInvoice,
            rules: rules, range: start..<previous.range.upperBound)
    }

    // record → 'record' 'promise' STRING ('for' STRING)? expression 'by' expression
    //        | 'record' 'dispute' STRING STRING | 'resolve' 'dispute' STRING | 'record' 'note' STRING STRING
    private mutating func record() throws(SyntaxError) -> Record {
        let start = peek.range.lowerBound
        if match(.identifier("resolve")) {
            guard match(.identifier("dispute")) else { throw unexpected(peek, expected: "'dispute' after 'resolve'") }
            let invoice = try string("the invoice's id in quotes")
            return Record(kind: .resolve(invoice: invoice), range: start..<previous.range.upperBound)
        }
        advance()
        let kind: Record.Kind
        if match(.identifier("promise")) {
            let customer = try string("the customer's id in quotes")
            var invoice: String?
            if match(.identifier("for")) { invoice = try string("the invoice's id in quotes") }
            let amount = try expression()
            try expect(.keyword(.by), "'by' and the day promised")
            kind = .promise(customer: customer, invoice: invoice, amount: amount, by: try expression())
        } else if match(.identifier("dispute")) {
            let invoice = try string("the invoice's id in quotes")
            kind = .dispute(invoice: invoice, reason: try string("the reason in quotes"))
        } else if match(.identifier("note")) {
            let customer = try string("the customer's id in quotes")
            kind = .note(customer: customer, text: try string("the note in quotes"))
        } else {
            throw unexpected(peek, expected: "what to record: promise, dispute or note")
        }
        return Record(kind: kind, range: start..<previous.range.upperBound)
    }

    // test → 'test' STRING '{' (('as' 'of' expression | 'expect' expectation) NEWLINE)* '}'
    private mutating func testBlock() throws(SyntaxError) -> TestBlock {
        let start = advance().range.lowerBound
        let name = try string("the test's name in quotes")
        try expect(.symbol(.leftBrace), "'{' to open the test")
        var asOf: Expr?
        var expectations: [Expectation] = []
        skipNewlines()
        while !match(.symbol(.rightBrace)) {
            if isAtEnd { throw unexpected(peek, expected: "'}' to close the test opened at \(lineColumn(start))") }
            if match(.identifier("as")) {
                guard match(.identifier("of")) else { throw unexpected(peek, expected: "'of' after 'as'") }
                asOf = try expression()
            } else if match(.identifier("expect")) {
                expectations.append(try expectation())
            } else {
                throw unexpected(peek, expected: "'as of DATE', 'expect …' or '}'")
            }
            if !check(.symbol(.rightBrace)) { try expect(.newline, "a line break after it") }
            skipNewlines()
        }
        return TestBlock(name: name, asOf: asOf, expectations: expectations, range: start..<previous.range.upperBound)
    }

    // expectation → 'plan' NAME 'has' 'no'? WORD+ 'for' STRING ('by' NAME)? | expression
    private mutating func expectation() throws(SyntaxError) -> Expectation {
        guard check(.identifier("plan")), case .identifier? = next?.kind else { return .holds(try expression()) }
        let start = advance().range.lowerBound
        let (policy, _) = try identifier("a policy's name")
        guard match(.identifier("has")) else { throw unexpected(peek, expected: "'has' or 'has no' after the policy") }
        let negated = match(.identifier("no"))
        var words: [String] = []
        while case .identifier(let w) = peek.kind, w != "for" {
            words.append(w)
            advance()
        }
        guard !words.isEmpty else { throw unexpected(peek, expected: "an action, such as remind or hold credit") }
        guard match(.identifier("for")) else { throw unexpected(peek, expected: "'for' and the id of a customer or invoice") }
        let id = try string("the id of a customer or an invoice, in quotes")
        var rule: String?
        if match(.keyword(.by)) { rule = try identifier("a rule's name").0 }
        return .plans(
            PlanExpectation(
                policy: policy, negated: negated, action: words.joined(separator: " "), id: id, rule: rule,
                range: start..<previous.range.upperBound))
    }

    // rule → 'rule' NAME ':' pipeline ('including' 'disputed')? '=>' action (',' action)*
    private mutating func rule() throws(SyntaxError) -> Rule {
        guard check(.keyword(.rule)) else {
            throw unexpected(peek, expected: "'rule' or '}'")
        }
        let start = advance().range.lowerBound
        let (name, nameRange) = try identifier("a rule name")
        try expect(.symbol(.colon), "':' after the rule name")
        let query = try pipeline()
        let includesDisputed = match(.identifier("including"))
        if includesDisputed && !match(.identifier("disputed")) {
            throw unexpected(peek, expected: "'disputed' after 'including'")
        }
        try expect(.symbol(.arrow), "'=>' before the rule's actions")
        let actions = try commaSeparated { (p: inout Parser) throws(SyntaxError) in try p.action() }
        return Rule(
            name: name, nameRange: nameRange, query: query, includesDisputed: includesDisputed, actions: actions,
            range: start..<previous.range.upperBound)
    }

    private mutating func action() throws(SyntaxError) -> Action {
        var actions = ActionParser(parser: self)
        let result = try actions.action()
        self = actions.parser
        return result
    }

    // MARK: expressions, loosest first

    // expression → and ('or' and)*
    mutating func expression() throws(SyntaxError) -> Expr {
        try descend()
        defer { nesting -= 1 }
        var terms = [try conjunction()]
        while match(.keyword(.or)) { terms.append(try conjunction()) }
        let e = terms.count == 1 ? terms[0] : Expr(.or(terms), Parser.span(terms))
        guard e.depth <= Parser.maxDepth else { throw tooDeep(e.range) }
        return e
    }

    /// Expressions deeper than this are refused: the checker and the interpreter walk them
    /// recursively, and no sensible query comes near it. A chain of one operator (`a + b + …`,
    /// `a and b and …`) is one level however long: it is a list, not a tree.
    static let maxDepth = 64

    /// The source the terms of a chain span, from the first to the last.
    private static func span(_ terms: [Expr]) -> Range<Int> {
        terms[0].range.lowerBound..<terms[terms.count - 1].range.upperBound
    }

    /// Counts one more level of recursive descent, refusing to go deeper than `maxDepth`.
    private mutating func descend() throws(SyntaxError) {
        nesting += 1
        if nesting > Parser.maxDepth {
            nesting -= 1
            throw tooDeep(peek.range)
        }
    }

    private func tooDeep(_ range: Range<Int>) -> SyntaxError {
        SyntaxError(
            diagnostic: source.diagnostic(
                "expression nested too deeply (more than \(Parser.maxDepth) levels)", at: range,
                hint: "split it with let, or test many values at once with in [...]"),
            atEnd: false)
    }

    // and → not ('and' not)*
    private mutating func conjunction() throws(SyntaxError) -> Expr {
        var terms = [try negation()]
        while match(.keyword(.and)) { terms.append(try negation()) }
        return terms.count == 1 ? terms[0] : Expr(.and(terms), Parser.span(terms))
    }

    // not → 'not' not | comparison
    private mutating func negation() throws(SyntaxError) -> Expr {
        if check(.keyword(.not)) {
            let start = advance().range.lowerBound
            try descend()
            defer { nesting -= 1 }
            let operand = try negation()
            return Expr(.not(operand), start..<operand.range.upperBound)
        }
        return try comparison()
    }

    // comparison → converted (('=' | '!=' | '<' | '<=' | '>' | '>=') converted
    //            | 'not'? 'between' converted 'and' converted | 'not'? 'in' coalesce
    //            | 'is' 'not'? 'null' | 'not'? 'contains' coalesce)?
    private mutating func comparison() throws(SyntaxError) -> Expr {
        let left = try converted()
        let start = left.range.lowerBound
        if case .symbol(let s) = peek.kind, let op = ComparisonOperator(rawValue: s.rawValue) {
            advance()
            let right = try converted()
            return Expr(.compare(op, left, right), start..<right.range.upperBound)
        }
        if match(.keyword(.is)) {
            let negated = match(.keyword(.not))
            try expect(.keyword(.null), negated ? "'null' after 'is not'" : "'null' or 'not null' after 'is'")
            return Expr(.isNull(left, negated: negated), start..<previous.range.upperBound)
        }
        var negated = false
        if check(.keyword(.not)),
            peekNext(is: .keyword(.between)) || peekNext(is: .keyword(.in)) || peekNext(is: .keyword(.contains))
        {
            advance()
            negated = true
        }
        if match(.keyword(.between)) {
            let low = try converted()
            try expect(.keyword(.and), "'and' between the bounds of 'between'")
            let high = try converted()
            return Expr(.between(left, low, high, negated: negated), start..<high.range.upperBound)
        }
        if match(.keyword(.in)) {
            let set = try coalescing()
            return Expr(.isIn(left, set, negated: negated), start..<set.range.upperBound)
        }
        if match(.keyword(.contains)) {
            let part = try coalescing()
            return Expr(.contains(left, part, negated: negated), start..<part.range.upperBound)
        }
        return left
    }

    // converted → coalesce ('in' CODE)*, CODE a currency's ISO code (`balance in USD`); any
    // other 'in' is a test of membership.
    private mutating func converted() throws(SyntaxError) -> Expr {
        var e = try coalescing()
        while check(.keyword(.in)), case .identifier(let code)? = next?.kind, let currency = Currency(code: code) {
            advance()
            let end = advance().range.upperBound
            e = Expr(.convert(e, currency), e.range.lowerBound..<end)
        }
        return e
    }

    // coalesce → additive ('??' coalesce)?
    private mutating func coalescing() throws(SyntaxError) -> Expr {
        let left = try additive()
        guard match(.symbol(.coalesce)) else { return left }
        try descend()
        defer { nesting -= 1 }
        let right = try coalescing()
        return Expr(.coalesce(left, right), left.range.lowerBound..<right.range.upperBound)
    }

    // additive → multiplicative (('+' | '-' | '++') multiplicative)*
    private mutating func additive() throws(SyntaxError) -> Expr {
        let first = try multiplicative()
        var steps: [ArithmeticStep] = []
        while case .symbol(let s) = peek.kind, s == .plus || s == .minus || s == .concat {
            advance()
            steps.append(ArithmeticStep(op: s == .plus ? .add : s == .minus ? .subtract : .concat, operand: try multiplicative()))
        }
        return chain(first, steps)
    }

    // multiplicative → unary (('*' | '/') unary)*
    private mutating func multiplicative() throws(SyntaxError) -> Expr {
        let first = try unary()
        var steps: [ArithmeticStep] = []
        while case .symbol(let s) = peek.kind, s == .star || s == .slash {
            advance()
            steps.append(ArithmeticStep(op: s == .star ? .multiply : .divide, operand: try unary()))
        }
        return chain(first, steps)
    }

    private func chain(_ first: Expr, _ steps: [ArithmeticStep]) -> Expr {
        guard let last = steps.last else { return first }
        return Expr(.arithmetic(first, steps), first.range.lowerBound..<last.operand.range.upperBound)
    }

    // unary → '-' unary | postfix
    private mutating func unary() throws(SyntaxError) -> Expr {
        if check(.symbol(.minus)) {
            let start = advance().range.lowerBound
            try descend()
            defer { nesting -= 1 }
            let operand = try unary()
            return Expr(.negate(operand), start..<operand.range.upperBound)
        }
        return try postfix()
    }

    // postfix → primary ('.' NAME)*
    private mutating func postfix() throws(SyntaxError) -> Expr {
        var e = try primary()
        while match(.symbol(.dot)) {
            let (name, range) = try identifier("a field name after '.'")
            // `aging.report(…)`: a module's function.
            if case .name(let module) = e.kind, check(.symbol(.leftParen)) {
                let open = advance()
                var arguments: [Expr] = []
                if !check(.symbol(.rightParen)) {
                    arguments = try commaSeparated { (p: inout Parser) throws(SyntaxError) in try p.argument() }
                }
                try closing(.rightParen, opened: open)
                e = Expr(
                    .call("\(module).\(name)", nameRange: e.range.lowerBound..<range.upperBound, arguments),
                    e.range.lowerBound..<previous.range.upperBound)
                continue
            }
            e = Expr(.member(e, name, nameRange: range), e.range.lowerBound..<range.upperBound)
            // Refused as it grows: a tree built deeper would itself be too deep to let go of.
            guard e.depth <= Parser.maxDepth else { throw tooDeep(e.range) }
        }
        return e
    }

    // primary → literal | NAME | NAME '(' (query (',' query)*)? ')' | '(' query ')' | '[' (expr (',' expr)*)? ']'
    private mutating func primary() throws(SyntaxError) -> Expr {
        let token = peek
        let literal: Literal?
        switch token.kind {
        case .number(let n), .percent(let n): literal = .number(n)
        case .money(let m): literal = .money(m)
        case .date(let d): literal = .date(d)
        case .duration(let d): literal = .duration(d)
        case .string(let s): literal = .string(s)
        case .keyword(.true): literal = .bool(true)
        case .keyword(.false): literal = .bool(false)
        case .keyword(.null): literal = .null
        default: literal = nil
        }
        if let literal {
            advance()
            return Expr(.literal(literal), token.range)
        }
        switch token.kind {
        case .identifier(let name):
            advance()
            guard check(.symbol(.leftParen)) else { return Expr(.name(name), token.range) }
            let open = advance()
            var arguments: [Expr] = []
            if match(.keyword(.where)) {
                // `count(where overdue > 30)`: the rows of the group where it holds.
                arguments = [try expression()]
            } else if !check(.symbol(.rightParen)) {
                arguments = try commaSeparated { (p: inout Parser) throws(SyntaxError) in try p.argument() }
            }
            try closing(.rightParen, opened: open)
            return Expr(.call(name, nameRange: token.range, arguments), token.range.lowerBound..<previous.range.upperBound)
        case .symbol(.leftParen):
            let open = advance()
            // Inside parentheses no comma parts arguments: `f((t | select id, name), 5)`.
            let inner = try argument(commasPart: false)
            try closing(.rightParen, opened: open)
            return Expr(inner.kind, open.range.lowerBound..<previous.range.upperBound)
        case .keyword(.if):
            return try conditional()
        case .symbol(.leftBracket):
            let open = advance()
            var elements: [Expr] = []
            if !check(.symbol(.rightBracket)) {
                elements = try commaSeparated { (p: inout Parser) throws(SyntaxError) in try p.expression() }
            }
            try closing(.rightBracket, opened: open)
            return Expr(.list(elements), open.range.lowerBound..<previous.range.upperBound)
        case .keyword(let k) where k == .policy || k == .rule:
            // Words of a policy's statement, and fields of the actions entity: in a value's
            // place, the field.
            advance()
            return Expr(.name(k.rawValue), token.range)
        case .keyword(let k):
            throw unexpected(
                token, expected: "an expression",
                hint: k == .where
                    ? "a filter reads 'customers where …'"
                    : k == .select && (current == 0 || tokens[current - 1].kind == .newline)
                        ? Habits.hints["select"] : "'\(k.rawValue)' is a reserved word")
        case .symbol(.star):
            throw unexpected(token, expected: "an expression", hint: Habits.star)
        default:
            throw unexpected(token, expected: "an expression")
        }
    }

    // conditional → 'if' expr 'then' expr ('else' 'if' expr 'then' expr)* ('else' expr)?
    private mutating func conditional() throws(SyntaxError) -> Expr {
        let start = advance().range.lowerBound
        try descend()
        defer { nesting -= 1 }
        var branches: [Branch] = []
        var otherwise: Expr?
        while true {
            let condition = try expression()
            try expect(.keyword(.then), "'then' and the value after the condition of 'if'")
            branches.append(Branch(condition: condition, value: try expression()))
            guard match(.keyword(.else)) else { break }
            if match(.keyword(.if)) { continue }
            otherwise = try expression()
            break
        }
        let end = (otherwise ?? branches[branches.count - 1].value).range.upperBound
        return Expr(.conditional(branches, otherwise: otherwise), start..<end)
    }

    // MARK: token helpers

    var peek: Token { tokens[current] }
    var previous: Token { tokens[max(0, current - 1)] }
    var isAtEnd: Bool { peek.kind == .end }

    func check(_ kind: TokenKind) -> Bool { peek.kind == kind }

    var next: Token? { current + 1 < tokens.count ? tokens[current + 1] : nil }

    func peekNext(is kind: TokenKind) -> Bool {
        current + 1 < tokens.count && tokens[current + 1].kind == kind
    }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[current]
        if !isAtEnd { current += 1 }
        return t
    }

    mutating func match(_ kind: TokenKind) -> Bool {
        guard check(kind) else { return false }
        advance()
        return true
    }

    mutating func expect(_ kind: TokenKind, _ what: String, hint: String? = nil) throws(SyntaxError) {
        guard match(kind) else { throw unexpected(peek, expected: what, hint: hint) }
    }

    mutating func identifier(_ what: String) throws(SyntaxError) -> (String, Range<Int>) {
        guard case .identifier(let name) = peek.kind else {
            var hint: String?
            if case .keyword(let k) = peek.kind { hint = "'\(k.rawValue)' is a reserved word" }
            throw unexpected(peek, expected: what, hint: hint)
        }
        return (name, advance().range)
    }

    mutating func string(_ what: String) throws(SyntaxError) -> String {
        guard case .string(let s) = peek.kind else { throw unexpected(peek, expected: what) }
        advance()
        return s
    }

    private mutating func closing(_ symbol: Symbol, opened: Token) throws(SyntaxError) {
        guard match(.symbol(symbol)) else {
            throw unexpected(
                peek,
                expected:
                    "'\(symbol.rawValue)' to close '\(source.text.utf8Slice(opened.range))' at \(lineColumn(opened.range.lowerBound))"
            )
        }
    }

    /// Elements parted by commas; a comma is the list's only while `more` holds after it.
    private mutating func commaSeparated<T>(
        while more: (Parser) -> Bool = { _ in true }, _ element: (inout Parser) throws(SyntaxError) -> T
    ) throws(SyntaxError) -> [T] {
        var out = [try element(&self)]
        while check(.symbol(.comma)) {
            var after = self
            after.current += 1
            guard more(after) else { break }
            advance()
            out.append(try element(&self))
        }
        return out
    }

    private mutating func skipNewlines() {
        while match(.newline) {}
    }

    private func lineColumn(_ offset: Int) -> String {
        let p = source.position(of: offset..<offset)
        return "\(p.line):\(p.column)"
    }

    // MARK: errors

    func unexpected(_ token: Token, expected: String, hint: String? = nil) -> SyntaxError {
        var hint = hint
        if case .identifier(let word) = token.kind, let habit = Habits.hints[word.lowercased()] {
            hint = habit
        } else if hint == nil, case .identifier(let word) = token.kind {
            if let keyword = Keyword(rawValue: word.lowercased()) {
                hint = "keywords are lower case: '\(keyword.rawValue)'"
            } else if word.count >= 3, let keyword = nearestName(to: word, in: Keyword.allCases.map(\.rawValue)) {
                // Not for shorter words: every one-letter name is one edit from 'by' or 'in'.
                hint = "did you mean '\(keyword)'?"
            }
        }
        // The end of input is shown just after the last token, not on the empty line after
        // the file's final line break.
        let range: Range<Int>
        var found = token.described
        let lastEnd = tokens[..<current].last(where: { $0.kind != .newline })?.range.upperBound ?? 0
        if token.kind == .end {
            range = lastEnd..<lastEnd
        } else if startsUnindentedLine(token) && current > 0 && tokens[current - 1].kind != .newline {
            // A new line (after a swallowed line break) is where the statement before went wrong.
            range = lastEnd..<lastEnd
            found = "end of line"
        } else {
            range = token.range
        }
        return SyntaxError(
            diagnostic: source.diagnostic("expected \(expected), found \(found)", at: range, hint: hint),
            atEnd: token.kind == .end)
    }

    private mutating func record(_ error: SyntaxError) {
        diagnostics.append(error.diagnostic)
        if error.atEnd { incomplete = true }
    }

    /// Skips to the start of the next statement.
    /// Skips to the start of the next statement: after a line break, or at a token that starts
    /// an unindented line (a line break swallowed by an unclosed bracket must not hide the
    /// statements after it). `start` is where the failed statement began.
    private mutating func synchronize(from start: Int) {
        var depth = 0
        if current == start { advance() }
        while !isAtEnd {
            if depth == 0 && startsUnindentedLine(peek) && current != start { return }
            switch peek.kind {
            case .newline where depth == 0:
                return
            case .symbol(.leftBrace):
                depth += 1
            case .symbol(.rightBrace):
                depth -= 1
                if depth <= 0 {
                    advance()
                    return
                }
            default:
                break
            }
            advance()
        }
    }
}

extension Parser {
    /// Whether a token is the first of a line that starts in column 1.
    func startsUnindentedLine(_ token: Token) -> Bool {
        let at = token.range.lowerBound
        return at > 0 && at <= source.bytes.count && source.bytes[at - 1] == 10
    }
}

extension String {
    /// The characters of a UTF-8 byte range.
    func utf8Slice(_ range: Range<Int>) -> String {
        let bytes = Array(utf8)
        let r = min(range.lowerBound, bytes.count)..<min(range.upperBound, bytes.count)
        return String(decoding: bytes[r], as: UTF8.self)
    }
}
