// Parser tests: tables of sources and the S-expressions (or diagnostics) they must give.

import DunCore
import DunLanguage
import Testing

/// A source and its statements, printed by `Statement.description` one per line.
struct ParseCase: Sendable, CustomTestStringConvertible {
    let source: String
    let expected: String
    init(_ source: String, _ expected: String) {
        self.source = source
        self.expected = expected
    }
    var testDescription: String { source.debugDescription }
}

/// A source with syntax errors: every diagnostic rendered, joined.
struct ParseErrorCase: Sendable, CustomTestStringConvertible {
    let source: String
    let rendered: String
    init(_ source: String, _ rendered: String) {
        self.source = source
        self.rendered = rendered
    }
    var testDescription: String { source.debugDescription }
}

func parse(_ text: String) -> ParseResult {
    Parser.parse(SourceText(name: "t.dun", text: text))
}

func printed(_ result: ParseResult) -> String {
    result.statements.map(\.description).joined(separator: "\n")
}

// MARK: expressions

let expressionCases: [ParseCase] = [
    // precedence, loosest first: or, and, not, comparisons, ??, + -, * /, unary -, ., calls
    ParseCase("a or b and not c", "(or a (and b (not c)))"),
    ParseCase("a and b or c and d", "(or (and a b) (and c d))"),
    ParseCase("a or b or c", "(or a b c)"),
    ParseCase("a and b and c and d", "(and a b c d)"),
    ParseCase("(a and b) and c", "(and (and a b) c)"),
    ParseCase("a + b - c + d", "(+ (- (+ a b) c) d)"),
    ParseCase("a * b / c + d * e", "(+ (/ (* a b) c) (* d e))"),
    ParseCase("x = 1 and y = 2", "(and (= x 1) (= y 2))"),
    ParseCase("not a = b", "(not (= a b))"),
    ParseCase("not not a", "(not (not a))"),
    ParseCase("-a * b + c", "(+ (* (- a) b) c)"),
    ParseCase("a + b * c", "(+ a (* b c))"),
    ParseCase("a - b - c", "(- (- a b) c)"),
    ParseCase("a / b * c", "(* (/ a b) c)"),
    ParseCase("(a + b) * c", "(* (+ a b) c)"),
    ParseCase("- -a", "(- (- a))"),
    ParseCase("-a.b", "(- (. a b))"),
    ParseCase("a ?? b ?? c", "(?? a (?? b c))"),
    ParseCase("a ?? b > c", "(> (?? a b) c)"),
    ParseCase("a + b ?? c * d", "(?? (+ a b) (* c d))"),
    ParseCase("(a or b) and c", "(and (or a b) c)"),
    // comparisons
    ParseCase("a != b", "(!= a b)"),
    ParseCase("a < b", "(< a b)"),
    ParseCase("a <= b", "(<= a b)"),
    ParseCase("a > b + 1", "(> a (+ b 1))"),
    ParseCase("a >= b", "(>= a b)"),
    ParseCase("x between 1 and 10", "(between x 1 10)"),
    ParseCase("x between 1 and 10 and y", "(and (between x 1 10) y)"),
    ParseCase("x not between a + 1 and b ?? 2", "(not-between x (+ a 1) (?? b 2))"),
    ParseCase(#"region in ["华东", "华南"]"#, #"(in region ["华东" "华南"])"#),
    ParseCase("grade not in [A, B]", "(not-in grade [A B])"),
    ParseCase("x in ys", "(in x ys)"),
    ParseCase("not x in [1]", "(not (in x [1]))"),
    ParseCase("x is null", "(is-null x)"),
    ParseCase("x is not null", "(is-not-null x)"),
    ParseCase("not x is null", "(not (is-null x))"),
    ParseCase(#"name contains "公司""#, #"(contains name "公司")"#),
    ParseCase(#"name not contains "x""#, #"(not-contains name "x")"#),
    ParseCase("a ?? b = c and d is null", "(and (= (?? a b) c) (is-null d))"),
    // member chains and calls
    ParseCase("invoice.customer.region", "(. (. invoice customer) region)"),
    ParseCase("客户.地区 = \"华东\"", "(= (. 客户 地区) \"华东\")"),
    ParseCase("count()", "(count)"),
    ParseCase("max(a, b + 1)", "(max a (+ b 1))"),
    ParseCase("sum(invoices.balance)", "(sum (. invoices balance))"),
    ParseCase("count(invoices where days_overdue > 90)", "(count (where invoices (> days_overdue 90)))"),
    ParseCase(
        "count(invoices where amount > credit_limit and not disputed) > 0",
        "(> (count (where invoices (and (> amount credit_limit) (not disputed)))) 0)"),
    ParseCase("max(payments where x, 1)", "(max (where payments x) 1)"),
    ParseCase("f(g(x)).y", "(. (f (g x)) y)"),
    // lists
    ParseCase("[]", "[]"),
    ParseCase("[1, a + 2, [b]]", "[1 (+ a 2) [b]]"),
    // every literal, in a list
    ParseCase(
        #"[1, 1.5, 1_000, 10k, 1.5m, 90%, ¥5, $1.5k, 5000 CNY, 2026-11-28, 30 days, 2 weeks, 3 months, 1 year, "s", true, false, null]"#,
        #"[1 1.5 1000 10000 1500000 0.9 5.00 CNY 1500.00 USD 5000.00 CNY 2026-11-28 (30 days) (14 days) (3 months) (1 year) "s" true false null]"#
    ),
    ParseCase(#""a\tb\u{4E2D}""#, "\"a\tb中\""),
    ParseCase("today + 30 days", "(+ today (30 days))"),
]

// MARK: pipelines and statements

let pipelineCases: [ParseCase] = [
    ParseCase("customers", "customers"),
    ParseCase("customers where overdue > 30", "(| customers (where (> overdue 30)))"),
    ParseCase("customers | where a", "(| customers (where a))"),
    ParseCase("customers where a | where b", "(| customers (where a) (where b))"),
    ParseCase("customers | sort by balance", "(| customers (sort balance))"),
    ParseCase("customers | sort by balance desc, name asc, id", "(| customers (sort balance desc name id))"),
    ParseCase("customers | sort by customer.region desc", "(| customers (sort (. customer region) desc))"),
    ParseCase("customers | take 5", "(| customers (take 5))"),
    ParseCase("customers | take n + 1", "(| customers (take (+ n 1)))"),
    ParseCase("customers | select name", "(| customers (select name))"),
    ParseCase(
        "invoices | select customer.name, id, total = balance * 2",
        "(| invoices (select (. customer name) id (= total (* balance 2))))"),
    ParseCase(
        "customers | select n = count(invoices where days_overdue > 90)",
        "(| customers (select (= n (count (where invoices (> days_overdue 90))))))"),
    ParseCase("customers | derive x = a + 1, y = b", "(| customers (derive (= x (+ a 1)) (= y b)))"),
    ParseCase("customers | group by region", "(| customers (group (region) ()))"),
    ParseCase(
        "customers | group by region, g = grade aggregate n = count(), s = sum(balance)",
        "(| customers (group (region (= g grade)) ((= n (count)) (= s (sum balance)))))"),
    ParseCase(
        "invoices | aggregate n = count(), total = sum(balance)",
        "(| invoices (group () ((= n (count)) (= total (sum balance)))))"),
    ParseCase("customers | group by region | aggregate n = count()", "(| customers (group (region) ((= n (count)))))"),
    ParseCase("customers | group by region\n  aggregate n = count()", "(| customers (group (region) ((= n (count)))))"),
    ParseCase(
        "customers | aggregate n = count() | aggregate m = count()",
        "(| customers (group () ((= n (count)))) (group () ((= m (count)))))"),
    ParseCase("customers | count", "(| customers (count))"),
    ParseCase("customers | chart", "(| customers (chart))"),
    ParseCase(
        "invoices | chart total, customer.region, \"90+\" title \"Aging\"",
        "(| invoices (chart total customer.region 90+ title \"Aging\"))"),
    // `title` without a text after it is a column's name.
    ParseCase("invoices | chart title, total", "(| invoices (chart title total))"),
    ParseCase("customers | remind via email", "(| customers (remind email))"),
    ParseCase(
        "customers where a | sort by b desc | take 3 | select c | derive d = c | group by d | count",
        "(| customers (where a) (sort b desc) (take 3) (select c) (derive (= d c)) (group (d) ()) (count))"),
    ParseCase("(invoices where x > 1)", "(where invoices (> x 1))"),
    ParseCase("1 + 2", "(+ 1 2)"),
    // multi-line pipelines
    ParseCase(
        """
        invoices where customer.region = "华东" and balance > 10k CNY
          | sort by balance desc
          | take 10
          | select customer.name, id, balance, days_overdue
        """,
        #"(| invoices (where (and (= (. customer region) "华东") (> balance 10000.00 CNY))) (sort balance desc) (take 10) (select (. customer name) id balance days_overdue))"#
    ),
    ParseCase(
        """
        customers where overdue > 30
          and grade < B
          or disputed
        """,
        "(| customers (where (or (and (> overdue 30) (< grade B)) disputed)))"),
    ParseCase(
        """
        customers
          where x > 1   # the filter
          | count
        """,
        "(| customers (where (> x 1)) (count))"),
    ParseCase(
        """
        customers | select name,
                           total = sum(invoices.balance)
        """,
        "(| customers (select name (= total (sum (. invoices balance)))))"),
    // statements
    ParseCase("let big = customers where balance > 10k", "(let big (| customers (where (> balance 10000))))"),
    ParseCase("let n = 1", "(let n 1)"),
    ParseCase("explain invoices | take 3", "(explain (| invoices (take 3)))"),
    ParseCase("explain customers where a", "(explain (| customers (where a)))"),
    ParseCase(
        """
        # header comment

        let big = customers where balance > 10k
        big | count   # how many

        explain big | take 3
        """,
        """
        (let big (| customers (where (> balance 10000))))
        (| big (count))
        (explain (| big (take 3)))
        """),
    ParseCase("", ""),
    ParseCase("# nothing but a comment\n\n", ""),
]

// MARK: policies and actions

let policyCases: [ParseCase] = [
    ParseCase("policy p {}", "(policy p)"),
    ParseCase("policy p \"空\" {\n}", "(policy p \"空\")"),
    ParseCase("policy p {\n  levels per invoice\n}", "(policy p (levels-per-invoice))"),
    ParseCase("policy p {\n  levels per invoice\n  levels per customer\n}", "(policy p)"),
    ParseCase(
        """
        policy standard "标准催收流程" {
          rule gentle: invoices where days_overdue between 1 and 14 and not disputed
            => remind via email template "gentle" at most once per 7 days
          rule call:   invoices where days_overdue between 31 and 60
            => call by customer.collector
          rule hold:   customers where overdue > 60
            => hold credit, escalate to legal when overdue_balance > 50k
        }
        """,
        "(policy standard \"标准催收流程\""
            + " (rule gentle (| invoices (where (and (between days_overdue 1 14) (not disputed)))) (remind email \"gentle\" (once-per (7 days))))"
            + " (rule call (| invoices (where (between days_overdue 31 60))) (call (. customer collector)))"
            + " (rule hold (| customers (where (> overdue 60))) (hold-credit) (escalate legal (when (> overdue_balance 50000)))))"
    ),
    // every action, with and without its options and guards
    ParseCase(
        """
        policy all {
          rule a: invoices => remind via sms, remind via letter template "final", call, visit,
                  visit by "王五" when x at most once per 2 weeks
          rule b: customers
            | where grade < C
            => escalate to agency, escalate to manager, hold credit, release credit,
               set grade = D, assign to "李雷", tag "vip", untag "new", note "见面"
          rule c: invoices => offer plan 3 installments,
            offer plan 6 installments every 1 month when balance > ¥10k,
            charge late fee 1.5% * balance at most once per 30 days,
            charge interest 12% per year when not disputed at most once per 1 year
        }
        let x = 1
        """,
        "(policy all"
            + " (rule a invoices (remind sms) (remind letter \"final\") (call) (visit) (visit \"王五\" (when x) (once-per (14 days))))"
            + " (rule b (| customers (where (< grade C))) (escalate agency) (escalate manager) (hold-credit) (release-credit)"
            + " (set-grade D) (assign \"李雷\") (tag \"vip\") (untag \"new\") (note \"见面\"))"
            + " (rule c invoices (offer-plan 3) (offer-plan 6 (1 month) (when (> balance 10000.00 CNY)))"
            + " (late-fee (* 0.015 balance) (once-per (30 days))) (interest 0.12 (when (not disputed)) (once-per (1 year)))))"
            + "\n(let x 1)"),
    ParseCase(
        "customers where overdue > 60 | hold credit when a at most once per 3 months",
        "(| customers (where (> overdue 60)) (hold-credit (when a) (once-per (3 months))))"),
    ParseCase("invoices | call by owner ?? \"desk\"", "(| invoices (call (?? owner \"desk\")))"),
    ParseCase("invoices | set grade = E when days_overdue > 90", "(| invoices (set-grade E (when (> days_overdue 90))))"),
    ParseCase("invoices | assign to customer.collector", "(| invoices (assign (. customer collector)))"),
    ParseCase("invoices | charge late fee ¥50", "(| invoices (late-fee 50.00 CNY))"),
    ParseCase("invoices | remind via email | take 5", "(| invoices (remind email) (take 5))"),
]

@Test(arguments: expressionCases + pipelineCases + policyCases)
func parses(_ c: ParseCase) {
    let result = parse(c.source)
    #expect(result.diagnostics.map(\.rendered).joined() == "")
    #expect(printed(result) == c.expected)
    #expect(!result.isIncomplete)
}

// MARK: syntax errors

let parseErrorCases: [ParseErrorCase] = [
    // a missing ')' says where the '(' was
    ParseErrorCase(
        "customers where count(invoices where x > 1",
        """
        t.dun:1:43: error: expected ')' to close '(' at 1:22, found end of input
        customers where count(invoices where x > 1
                                                  ^

        """),
    ParseErrorCase(
        "customers where (x > 1 | take 5",
        """
        t.dun:1:32: error: expected ')' to close '(' at 1:17, found end of input
        customers where (x > 1 | take 5
                                       ^

        """),
    ParseErrorCase(
        "[1, 2\n",
        """
        t.dun:1:6: error: expected ']' to close '[' at 1:1, found end of input
        [1, 2
             ^

        """),
    // stages
    ParseErrorCase(
        "invoices | sotr by x",
        """
        t.dun:1:12: error: expected a stage (where, sort by, take, select, derive, group by, pivot, total, union, accumulate, count, chart, or an action), found 'sotr'
        invoices | sotr by x
                   ^~~~
        hint: did you mean 'sort'?

        """),
    ParseErrorCase(
        "customers | Where x",
        """
        t.dun:1:13: error: expected a stage (where, sort by, take, select, derive, group by, pivot, total, union, accumulate, count, chart, or an action), found 'Where'
        customers | Where x
                    ^~~~~
        hint: keywords are lower case: 'where'

        """),
    ParseErrorCase(
        "customers | count(x)",
        """
        t.dun:1:13: error: expected a stage (where, sort by, take, select, derive, group by, pivot, total, union, accumulate, count, chart, or an action), found 'count'
        customers | count(x)
                    ^~~~~
        hint: the count stage takes no arguments: '| where …' then '| count'

        """),
    ParseErrorCase(
        "customers | sort balance",
        """
        t.dun:1:18: error: expected 'by' after 'sort', found 'balance'
        customers | sort balance
                         ^~~~~~~

        """),
    ParseErrorCase(
        "customers | group region",
        """
        t.dun:1:19: error: expected 'by' after 'group', found 'region'
        customers | group region
                          ^~~~~~

        """),
    ParseErrorCase(
        "customers | take",
        """
        t.dun:1:17: error: expected an expression, found end of input
        customers | take
                        ^

        """),
    // keywords
    ParseErrorCase(
        "customers where grade < B AND overdue > 30",
        """
        t.dun:1:27: error: expected end of statement, found 'AND'
        customers where grade < B AND overdue > 30
                                  ^~~
        hint: keywords are lower case: 'and'

        """),
    ParseErrorCase(
        "customers where x > 1 where y < 2",
        """
        t.dun:1:23: error: expected end of statement, found 'where'
        customers where x > 1 where y < 2
                              ^~~~~
        hint: start another filter with '| where'

        """),
    ParseErrorCase(
        "where x > 1",
        """
        t.dun:1:1: error: expected an expression, found 'where'
        where x > 1
        ^~~~~
        hint: a filter reads 'customers where …'

        """),
    ParseErrorCase(
        "customers where select > 1",
        """
        t.dun:1:17: error: expected an expression, found 'select'
        customers where select > 1
                        ^~~~~~
        hint: 'select' is a reserved word

        """),
    ParseErrorCase(
        "customers where x bteween 1 and 2",
        """
        t.dun:1:19: error: expected end of statement, found 'bteween'
        customers where x bteween 1 and 2
                          ^~~~~~~
        hint: did you mean 'between'?

        """),
    ParseErrorCase(
        "let where = 1",
        """
        t.dun:1:5: error: expected a name after 'let', found 'where'
        let where = 1
            ^~~~~
        hint: 'where' is a reserved word

        """),
    ParseErrorCase(
        "let = 5",
        """
        t.dun:1:5: error: expected a name after 'let', found '='
        let = 5
            ^

        """),
    ParseErrorCase(
        "let x customers",
        """
        t.dun:1:7: error: expected '=' after the name, found 'customers'
        let x customers
              ^~~~~~~~~

        """),
    // expressions
    ParseErrorCase(
        "a < b < c",
        """
        t.dun:1:7: error: expected end of statement, found '<'
        a < b < c
              ^

        """),
    ParseErrorCase(
        "x between 1 or 2",
        """
        t.dun:1:13: error: expected 'and' between the bounds of 'between', found 'or'
        x between 1 or 2
                    ^~

        """),
    ParseErrorCase(
        "grade is B",
        """
        t.dun:1:10: error: expected 'null' or 'not null' after 'is', found 'B'
        grade is B
                 ^

        """),
    ParseErrorCase(
        "x is not 1",
        """
        t.dun:1:10: error: expected 'null' after 'is not', found number 1
        x is not 1
                 ^

        """),
    ParseErrorCase(
        "invoice.where",
        """
        t.dun:1:9: error: expected a field name after '.', found 'where'
        invoice.where
                ^~~~~
        hint: 'where' is a reserved word

        """),
    // one-letter names get no "did you mean 'by'?"
    ParseErrorCase(
        "a b",
        """
        t.dun:1:3: error: expected end of statement, found 'b'
        a b
          ^

        """),
    // an error at the end of a file that ends with a line break points after the last token
    ParseErrorCase(
        "customers where\n\n# trailing comment\n",
        """
        t.dun:1:16: error: expected an expression, found end of input
        customers where
                       ^

        """),
    // lexer errors come first; a recovered typo causes no second error
    ParseErrorCase(
        "customers where overdue > 30 && grade < B",
        """
        t.dun:1:30: error: unexpected '&&'
        customers where overdue > 30 && grade < B
                                     ^~
        hint: use 'and'

        """),
    ParseErrorCase(
        "customers where a ! b",
        """
        t.dun:1:19: error: unexpected '!'
        customers where a ! b
                          ^
        hint: use 'not' to negate, '!=' for not equal
        t.dun:1:21: error: expected end of statement, found 'b'
        customers where a ! b
                            ^

        """),
    // actions
    ParseErrorCase(
        "invoices | remind via fax",
        """
        t.dun:1:23: error: expected a channel: email, sms, letter, found 'fax'
        invoices | remind via fax
                              ^~~

        """),
    ParseErrorCase(
        "invoices | remind email",
        """
        t.dun:1:19: error: expected 'via' after 'remind', found 'email'
        invoices | remind email
                          ^~~~~

        """),
    ParseErrorCase(
        "invoices | remind via sms template gentle",
        """
        t.dun:1:36: error: expected a template name in quotes, found 'gentle'
        invoices | remind via sms template gentle
                                           ^~~~~~

        """),
    ParseErrorCase(
        "invoices | escalate to boss",
        """
        t.dun:1:24: error: expected where to escalate: legal, agency, manager, found 'boss'
        invoices | escalate to boss
                               ^~~~

        """),
    ParseErrorCase(
        "invoices | hold it",
        """
        t.dun:1:17: error: expected 'credit' after 'hold', found 'it'
        invoices | hold it
                        ^~

        """),
    ParseErrorCase(
        "invoices | set grade D",
        """
        t.dun:1:22: error: expected '=' after 'set grade', found 'D'
        invoices | set grade D
                             ^

        """),
    ParseErrorCase(
        "invoices | tag vip",
        """
        t.dun:1:16: error: expected a tag in quotes, found 'vip'
        invoices | tag vip
                       ^~~

        """),
    ParseErrorCase(
        "invoices | offer plan 3",
        """
        t.dun:1:24: error: expected 'installments' after the number of installments, found end of input
        invoices | offer plan 3
                               ^

        """),
    ParseErrorCase(
        "invoices | charge fee 5",
        """
        t.dun:1:19: error: expected 'interest' after 'charge' ('late fee' or 'interest'), found 'fee'
        invoices | charge fee 5
                          ^~~

        """),
    ParseErrorCase(
        "invoices | charge interest 5% per month",
        """
        t.dun:1:35: error: expected 'year' after 'per', found 'month'
        invoices | charge interest 5% per month
                                          ^~~~~

        """),
    ParseErrorCase(
        "invoices | call at least once",
        """
        t.dun:1:20: error: expected 'most' after 'at', found 'least'
        invoices | call at least once
                           ^~~~~

        """),
    // policies
    ParseErrorCase(
        "policy p \"t\" x {\n  rule a: x => tag \"a\"\n}",
        """
        t.dun:1:14: error: expected '{' to open the policy, found 'x'
        policy p "t" x {
                     ^

        """),
    ParseErrorCase(
        "policy {\n}",
        """
        t.dun:1:8: error: expected a policy name, found '{'
        policy {
               ^

        """),
    ParseErrorCase(
        "policy p {\n  rule a x => tag \"a\"\n}",
        """
        t.dun:2:10: error: expected ':' after the rule name, found 'x'
          rule a x => tag "a"
                 ^

        """),
    ParseErrorCase(
        "policy p {\n  rule a: x\n}",
        """
        t.dun:2:12: error: expected '=>' before the rule's actions, found end of line
          rule a: x
                   ^

        """),
    ParseErrorCase(
        "policy p {\n  oops\n}",
        """
        t.dun:2:3: error: expected 'rule' or '}', found 'oops'
          oops
          ^~~~

        """),
    ParseErrorCase(
        "policy p {\n  rule a: x => tag \"a\" rule b: y => tag \"b\"\n}",
        """
        t.dun:2:24: error: expected a line break after the rule, found 'rule'
          rule a: x => tag "a" rule b: y => tag "b"
                               ^~~~

        """),
    ParseErrorCase(
        "policy p \"t\" {\n  rule a: x => tag \"a\"\n",
        """
        t.dun:2:23: error: expected '}' to close the policy opened at 1:1, found end of input
          rule a: x => tag "a"
                              ^

        """),
]

@Test(arguments: parseErrorCases)
func syntaxError(_ c: ParseErrorCase) {
    #expect(parse(c.source).diagnostics.map(\.rendered).joined() == c.rendered)
}

// MARK: unfinished input

struct IncompleteCase: Sendable, CustomTestStringConvertible {
    let source: String
    let incomplete: Bool
    init(_ source: String, _ incomplete: Bool) {
        self.source = source
        self.incomplete = incomplete
    }
    var testDescription: String { source.debugDescription }
}

let incompleteCases: [IncompleteCase] = [
    IncompleteCase("customers where", true),
    IncompleteCase("customers where\n", true),
    IncompleteCase("customers where x >", true),
    IncompleteCase("customers |", true),
    IncompleteCase("customers\n  |", true),
    IncompleteCase("customers where (x > 1", true),
    IncompleteCase("count(invoices", true),
    IncompleteCase("[1,", true),
    IncompleteCase("let x =", true),
    IncompleteCase("explain", true),
    IncompleteCase("policy p {", true),
    IncompleteCase("policy p {\n  rule a: x =>", true),
    IncompleteCase("policy p {\n  rule a: x => tag \"a\"\n", true),
    // complete, or wrong before the end: the REPL must not wait for more
    IncompleteCase("customers where x > 1", false),
    IncompleteCase("customers where x > 1\n", false),
    IncompleteCase("policy p {\n  rule a: x => tag \"a\"\n}", false),
    IncompleteCase("customers where x > 1 where", false),
    IncompleteCase("customers | sotr", false),
    IncompleteCase("\"abc", false),
    IncompleteCase("", false),
]

@Test(arguments: incompleteCases)
func incompleteInput(_ c: IncompleteCase) {
    let result = parse(c.source)
    #expect(result.isIncomplete == c.incomplete)
    if c.incomplete { #expect(!result.diagnostics.isEmpty) }
}

// MARK: error recovery

@Test func everyBadStatementIsReportedAndGoodOnesParse() {
    let result = parse(
        """
        invoices | sotr by balance
        customers where grade < B AND overdue > 30
        customers where x > 1 where y < 2
        customers | take 5
        """)
    #expect(
        result.diagnostics.map(\.rendered).joined() == """
            t.dun:1:12: error: expected a stage (where, sort by, take, select, derive, group by, pivot, total, union, accumulate, count, chart, or an action), found 'sotr'
            invoices | sotr by balance
                       ^~~~
            hint: did you mean 'sort'?
            t.dun:2:27: error: expected end of statement, found 'AND'
            customers where grade < B AND overdue > 30
                                      ^~~
            hint: keywords are lower case: 'and'
            t.dun:3:23: error: expected end of statement, found 'where'
            customers where x > 1 where y < 2
                                  ^~~~~
            hint: start another filter with '| where'

            """)
    // Only the statement that parsed to its end: not `customers where x > 1`.
    #expect(printed(result) == "(| customers (take 5))")
    #expect(!result.isIncomplete)
}

@Test func aBadRuleDoesNotLoseTheGoodOnes() {
    let result = parse(
        """
        policy p "t" {
          rule bad: invoices where x > => remind via email
          rule good: invoices where days_overdue > 30 => remind via email
          rule worse: invoices => remind via fax
          rule last: customers => hold credit
        }
        customers | count
        """)
    #expect(
        result.diagnostics.map(\.rendered).joined() == """
            t.dun:2:32: error: expected an expression, found '=>'
              rule bad: invoices where x > => remind via email
                                           ^~
            t.dun:4:38: error: expected a channel: email, sms, letter, found 'fax'
              rule worse: invoices => remind via fax
                                                 ^~~

            """)
    #expect(
        printed(result) == """
            (policy p "t" (rule good (| invoices (where (> days_overdue 30))) (remind email)) (rule last customers (hold-credit)))
            (| customers (count))
            """)
}

@Test func aBadPolicyHeaderSkipsThePolicyButNotWhatFollows() {
    let result = parse("policy p \"t\" x {\n  rule a: x => tag \"a\"\n}\ncustomers | count\nlet = 1\nlet y = 2")
    #expect(
        result.diagnostics.map(\.message) == [
            "expected '{' to open the policy, found 'x'",
            "expected a name after 'let', found '='",
        ])
    #expect(printed(result) == "(| customers (count))\n(let y 2)")
}

// MARK: ranges

@Test func pipelineAndExpressionRanges() throws {
    let text = "invoices where 客户 = ¥5 | take 3"
    let result = parse(text)
    guard case .query(let pipeline) = try #require(result.statements.first) else {
        Issue.record("not a query")
        return
    }
    func slice(_ r: Range<Int>) -> String { String(decoding: Array(text.utf8)[r], as: UTF8.self) }
    #expect(slice(pipeline.range) == text)
    #expect(slice(pipeline.source.range) == "invoices")
    #expect(pipeline.stages.count == 2)
    #expect(pipeline.stages[0].range.upperBound == "invoices where 客户 = ¥5".utf8.count)
    #expect(slice(pipeline.stages[1].range) == "take 3")
    guard case .filter(let predicate) = pipeline.stages[0].kind else {
        Issue.record("not a filter")
        return
    }
    #expect(slice(predicate.range) == "客户 = ¥5")
}
