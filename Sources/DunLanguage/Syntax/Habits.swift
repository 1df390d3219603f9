// Habits: what people who know SQL or psql type, and how Dun says it — one table, read where
// a word is not understood (a stage, the end of a statement, a name) to give the hint.

/// For a word from SQL or a database shell, how Dun says it.
public enum Habits {
    public static let hints: [String: String] = [
        "order": "Dun sorts with 'sort by': customers | sort by balance desc",
        "limit": "Dun keeps the first rows with 'take': customers | take 10",
        "top": "Dun keeps the first rows with 'take': customers | sort by balance desc | take 10",
        "like": "Dun finds text in text with 'contains': customers where name contains \"科技\"",
        "ilike": "Dun finds text in text with 'contains': customers where lower(name) contains \"ltd\"",
        "from": "a Dun query starts with its source, then its stages: customers | select id, name",
        "select": "a Dun query starts with its source, then its stages: customers | select id, name",
        "having": "filter the groups with a stage after them: | group by region aggregate t = sum(balance) | where t > 100k",
        "distinct": "one row per distinct value: customers | group by region",
        "join":
            "follow a relation instead of joining: invoices | select id, customer.region; customers | select id, count(invoices)",
        "case": "Dun's conditional: if overdue > 60 then \"firm\" else \"gentle\"",
        "when": "Dun's conditional: if overdue > 60 then \"firm\" else \"gentle\"",
        "help": "in the shell, .help (and .help where, .help group …); on the command line, dun --help",
        "exit": "in the shell, .quit or Ctrl-D",
        "quit": "in the shell, .quit or Ctrl-D",
    ]

    /// What to say of a `*` where a value was expected (`select *`).
    public static let star =
        "every field is shown without a select; 'derive' adds columns to them: customers | derive late = overdue > 30"

    /// What to say of a backslash command (`\q`, `\?`).
    public static let backslash = "in the shell, .quit ends it and .help lists the commands"
}
