// ActionParser: the grammar of actions, which end pipelines and rules.

/// Parses one action and its guards. Action words are not reserved: they are known
/// only here, at the start of an action.
struct ActionParser {
    var parser: Parser

    /// Words that start an action.
    static let verbs = [
        "remind", "call", "visit", "escalate", "hold", "release", "set", "assign", "tag", "untag", "note", "offer", "charge",
    ]
    static let escalations = ["legal", "agency", "manager"]

    // action → verb ('when' expression)? ('at' 'most' 'once' 'per' expression)?
    mutating func action() throws(SyntaxError) -> Action {
        let start = parser.peek.range.lowerBound
        let verb = try self.verb()
        var condition: Expr?
        var cooldown: Expr?
        if parser.match(.identifier("when")) {
            condition = try parser.expression()
        }
        if parser.match(.identifier("at")) {
            try word("most", after: "'at'")
            try word("once", after: "'at most'")
            try word("per", after: "'at most once'")
            cooldown = try parser.expression()
        }
        return Action(verb: verb, condition: condition, cooldown: cooldown, range: start..<parser.previous.range.upperBound)
    }

    // verb → 'remind' 'via' CHANNEL ('template' STRING)? | 'call' ('by' expr)? | 'visit' ('by' expr)?
    //      | 'escalate' 'to' TARGET | 'hold' 'credit' | 'release' 'credit' | 'set' 'grade' '=' expr
    //      | 'assign' 'to' expr | 'tag' STRING | 'untag' STRING | 'note' STRING
    //      | 'offer' 'plan' expr 'installments' ('every' expr)? | 'charge' 'late' 'fee' expr
    //      | 'charge' 'interest' expr 'per' 'year'
    private mutating func verb() throws(SyntaxError) -> ActionVerb {
        guard case .identifier(let verb) = parser.peek.kind, ActionParser.verbs.contains(verb) else {
            throw parser.unexpected(parser.peek, expected: "an action (\(ActionParser.verbs.joined(separator: ", ")))")
        }
        parser.advance()
        switch verb {
        case "remind":
            try word("via", after: "'remind'")
            let channel = try choice(Channel.allCases.map(\.rawValue), "a channel")
            var template: String?
            if parser.match(.identifier("template")) {
                template = try parser.string("a template name in quotes")
            }
            return .remind(channel: Channel(rawValue: channel) ?? .email, template: template)
        case "call", "visit":
            let by = parser.match(.keyword(.by)) ? try parser.expression() : nil
            return verb == "call" ? .call(by: by) : .visit(by: by)
        case "escalate":
            try word("to", after: "'escalate'")
            return .escalate(to: try choice(ActionParser.escalations, "where to escalate"))
        case "hold", "release":
            try word("credit", after: "'\(verb)'")
            return verb == "hold" ? .holdCredit : .releaseCredit
        case "set":
            try word("grade", after: "'set'")
            try parser.expect(.symbol(.equal), "'=' after 'set grade'")
            return .setGrade(try parser.expression())
        case "assign":
            try word("to", after: "'assign'")
            return .assign(try parser.expression())
        case "tag":
            return .tag(try parser.string("a tag in quotes"))
        case "untag":
            return .untag(try parser.string("a tag in quotes"))
        case "note":
            return .note(try parser.string("the note in quotes"))
        case "offer":
            try word("plan", after: "'offer'")
            let count = try parser.expression()
            try word("installments", after: "the number of installments")
            let every = parser.match(.identifier("every")) ? try parser.expression() : nil
            return .offerPlan(installments: count, every: every)
        default:  // charge
            if parser.match(.identifier("late")) {
                try word("fee", after: "'charge late'")
                return .chargeLateFee(try parser.expression())
            }
            try word("interest", after: "'charge' ('late fee' or 'interest')")
            let rate = try parser.expression()
            try word("per", after: "the interest rate")
            try word("year", after: "'per'")
            return .chargeInterest(rate)
        }
    }

    private mutating func word(_ w: String, after: String) throws(SyntaxError) {
        guard parser.match(.identifier(w)) else {
            throw parser.unexpected(parser.peek, expected: "'\(w)' after \(after)")
        }
    }

    private mutating func choice(_ options: [String], _ what: String) throws(SyntaxError) -> String {
        if case .identifier(let w) = parser.peek.kind, options.contains(w) {
            parser.advance()
            return w
        }
        throw parser.unexpected(parser.peek, expected: "\(what): \(options.joined(separator: ", "))")
    }
}
