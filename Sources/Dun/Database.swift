// Database: the workspace's entities as a database holds them, for queries compiled to SQL
// (`dun sql`): each entity's table, and each stored field's column, found as the loader finds
// a file's. With `[source] url`, from the database's own columns and dun.toml's mapping;
// without, as tables named like the entities, with the catalogue's names.

import DunCore
import Foundation
import DunLanguage
import DunModel

/// How the entities read from files or a database are found in SQL.
struct DatabaseModel: SQLModel {
    let dialect: any SQLDialect
    /// By entity: its table, each stored field's column by field name, and the order of its
    /// rows as read.
    private let tables: [EntityID: (table: String, columns: [String: String], names: [String])]
    /// By entity: the mapping its table is read with (for the constants dun.toml gives).
    private let mappings: [EntityID: TableMapping]
    /// By entity: its columns that hold no text (an ERP's integer ids), whose ids are compared
    /// and ordered as text, as Dun has them.
    private let notText: [EntityID: Set<String>]

    /// The day the derived fields are as of.
    private var asOf: Day
    /// The journal whose entries the derived fields replay: the grades a policy set, credit
    /// held and released, reminders, disputes recorded and resolved.
    var journal: Replayed
    /// Whether the queries read the journal's table.
    var replaysJournal: Bool {
        if case .table = journal { true } else { false }
    }
    /// What a query compiled against this model (or a copy made as of another day) read:
    /// whether it asked for a field the journal changes (one that asked for none is compiled
    /// again without the journal, which it then need not read, nor the role may), and the
    /// facts it reads, each as written (its key) and as read.
    private let asked = Asked()
    private final class Asked: @unchecked Sendable {
        var journal = false
        var facts: [Facts] = []
    }
    /// Facts of a table as of a day: as a query writes them out (`key`), and as it reads them
    /// (`sql`: the same, or over facts the run made into a table).
    struct Facts {
        var key: String
        var sql: String
    }
    /// Facts the run under way made into temporary tables (`DatabaseEngine`): by the facts'
    /// key, the table.
    var materialized: [String: String] = [:]

    /// `query` as SQL, reading the journal only if it asks for a field the journal changes,
    /// and the facts it reads.
    func compiled(_ query: CheckedPipeline, _ interpreter: Interpreter) throws(SQLUnsupported) -> (
        sql: String, facts: [Facts]
    ) {
        (asked.journal, asked.facts) = (false, [])
        let sql = try interpreter.sql(query, model: self)
        guard replaysJournal && !asked.journal else { return (sql, asked.facts) }
        var without = self
        without.journal = .nothing
        asked.facts = []
        return (try interpreter.sql(query, model: without), asked.facts)
    }

    /// Facts as a query reads them: from the run's table when it made one of them; noted.
    private func read(_ facts: Facts) -> String {
        if !asked.facts.contains(where: { $0.key == facts.key }) { asked.facts.append(facts) }
        return materialized[facts.key] ?? facts.sql
    }
    /// Whether the folder has disputes.csv, which no query can read.
    private let disputesFile: Bool
    /// Whether the folder has promises.csv, which no query can read.
    private let promisesFile: Bool

    /// Where the journal is, as a query sees it.
    enum Replayed: Equatable {
        /// There is none (or none yet): nothing to replay.
        case nothing
        /// A table of the database the query runs in (`[journal] url` names it): replayed by
        /// the query.
        case table(String)
        /// In the folder, or another database: the fields it changes do not compile.
        case elsewhere
    }

    /// The tables of `settings`, for a session as of `asOf` on the workspace in `directory`
    /// (none: a database named on the command line).
    init(settings: WorkspaceSettings, directory: String?, asOf: Day, dialect: any SQLDialect = PostgreSQL()) throws(Diagnostics) {
        self.dialect = dialect
        self.asOf = asOf
        let has = { (file: String) in directory.map { FileManager.default.fileExists(atPath: $0 + "/" + file) } ?? false }
        if let shared = settings.journal {
            // In the same database, the query joins it; read only to find its table.
            if let directory, let source = settings.source, source.isSameDatabase(as: shared) {
                journal = try Journal.openIfPresent(workspace: directory)?.tableInDatabase().map(Replayed.table) ?? .nothing
            } else {
                journal = .elsewhere
            }
        } else {
            journal = has(".dun/journal.sqlite") ? .elsewhere : .nothing
        }
        disputesFile = has(Catalogue.disputes.file)
        promisesFile = has(Catalogue.promises.file)
        var tables: [EntityID: (table: String, columns: [String: String], names: [String])] = [:]
        var mappings: [EntityID: TableMapping] = [:]
        var notText: [EntityID: Set<String>] = [:]
        let entities = [Receivables.customers, Receivables.invoices, Receivables.payments]
        for (entity, export) in zip(entities, ExportTable.allCases) {
            let mapping = settings[export]
            guard mapping.from == nil else { continue }
            let table = mapping.relation ?? export.rawValue
            let typed = try settings.source?.typedColumns(of: table) ?? export.declaration.fields.map { ($0.name, true) }
            let names = typed.map(\.name)
            notText[entity] = Set(typed.filter { !$0.text }.map(\.name))
            let columns = try export.columns(in: names, mapping: mapping, table: table)
            tables[entity] = (SQLName.table(table), columns, names)
            mappings[entity] = mapping
        }
        // The promises the journal records (`promises`), as rows of the catalogue's fields.
        let promised = Catalogue.promises.fields.map(\.name)
        tables[Receivables.promises] = ("", Dictionary(uniqueKeysWithValues: zip(promised, promised)), promised)
        self.tables = tables
        self.mappings = mappings
        self.notText = notText
        currency = settings.rates.base
    }

    /// The entity's table; for invoices and customers, with the columns their derived fields
    /// are made of as of the day (`facts`).
    func table(of entity: EntityID) -> Result<String, SQLUnsupported> {
        let table: String?
        switch entity {
        case Receivables.invoices: table = invoiceFacts.map { read(Facts(key: $0, sql: $0)) } ?? tables[entity]?.table
        case Receivables.customers: table = customerFacts.map(read) ?? tables[entity]?.table
        case Receivables.promises:
            if let refused = promisesRefused { return .failure(refused) }
            asked.journal = true
            table = promises(paid: true)
        case Receivables.actions:
            if journal == .elsewhere { return .failure(actionsRefused) }
            asked.journal = true
            table = actions
        case Receivables.instalments:
            if journal == .elsewhere { return .failure(plansRefused) }
            asked.journal = true
            table = instalments
        default: table = tables[entity]?.table
        }
        return table.map { .success($0) }
            ?? .failure(SQLUnsupported("\(Receivables.schema[entity].name), which the database does not have,"))
    }

    /// The catalogue's declaration of the entity's stored fields.
    private func declaration(of entity: EntityID) -> EntityDeclaration? {
        Catalogue.all.first { $0.name == Receivables.schema[entity].name }
    }

    /// Money written out in a query is in the base currency, as the workspace's totals are.
    var currency: Currency

    func visible(_ entity: EntityID, row: String, asOf day: Day) -> String? {
        // As the snapshot of that day has them: invoices issued and payments made by then.
        let field: String
        switch entity {
        case Receivables.invoices: field = "issued"
        case Receivables.payments: field = "date"
        case Receivables.promises: field = "made_on"
        case Receivables.actions: return "\(row).\(dialect.quote("date")) <= \(dialect.date(day))"
        default: return nil
        }
        guard let column = tables[entity]?.columns[field] else { return nil }
        return "\(row).\(dialect.quote(column)) <= \(dialect.date(day))"
    }

    func order(of entity: EntityID, row: String) -> [String] {
        // Promises in the order recorded, as the load replays them.
        if entity == Receivables.promises { return ["\(row).\(fact("order"))"] }
        if entity == Receivables.actions { return ["\(row).id"] }
        if entity == Receivables.instalments { return ["\(row).\(fact("order"))", "\(row).number"] }
        guard let (_, columns, names) = tables[entity], let key = columns["id"] else { return [] }
        // As the loader reads them (`PostgresSource.order`): the key as text by code point, then
        // the other columns.
        let name = { (c: String) in "\(row).\(self.dialect.quote(c))" }
        return [dialect.ordered(dialect.textOf(name(key)))] + names.filter { $0 != key }.map(name)
    }

    func field(_ field: Int, of entity: EntityID, row: String) -> Result<String, SQLUnsupported> {
        let name = Receivables.schema[entity].fields[field].name
        if entity == Receivables.actions || entity == Receivables.instalments {
            // The journal's entries and the plans' instalments: a column each field, the
            // customer a row.
            if journal == .elsewhere { return .failure(entity == Receivables.actions ? actionsRefused : plansRefused) }
            asked.journal = true
            return name == "customer"
                ? .failure(SQLUnsupported("a row (customer) as a value")) : .success("\(row).\(dialect.quote(name))")
        }
        if entity == Receivables.invoices && name == "on_plan" {
            if journal == .elsewhere { return .failure(plansRefused) }
            asked.journal = true
        }
        guard let (_, columns, _) = tables[entity], let declaration = declaration(of: entity) else {
            return .failure(SQLUnsupported("\(Receivables.schema[entity].name), which the database does not have,"))
        }
        guard let stored = declaration.field(named: name) else {
            if declaration.fields.contains(where: { $0.reference?.field == name }) {
                return .failure(SQLUnsupported("a row (\(name)) as a value"))
            }
            if (entity == Receivables.invoices && name == "promised_by") || entity == Receivables.promises {
                if let refused = promisesRefused { return .failure(refused) }
                asked.journal = true
            }
            if entity == Receivables.promises, let sql = promiseField(name, row: row) { return .success(sql) }
            if entity == Receivables.invoices, let sql = invoiceField(name, row: row) { return .success(sql) }
            if entity == Receivables.customers, let sql = customerField(name, row: row) { return .success(sql) }
            if journal == .elsewhere && ["on_hold", "last_reminder"].contains(name) {
                return .failure(SQLUnsupported("\(name), which a journal outside the database says,"))
            }
            return .failure(SQLUnsupported("the derived field \(name)"))
        }
        if name == "grade" && entity == Receivables.customers && journal != .nothing {
            asked.journal = true
            guard case .table = journal, made != nil else {
                return .failure(SQLUnsupported("grade, which the grades a policy set in the journal override"))
            }
            return self.stored(stored, columns, of: entity, row: row).map { "COALESCE(\(row).\(fact("grade")), \($0))" }
        }
        if name == "disputed" && entity == Receivables.invoices && (disputesFile || journal != .nothing) {
            asked.journal = true
            guard case .table = journal, !disputesFile, made != nil else {
                return .failure(SQLUnsupported("disputed, which the disputes recorded here add to"))
            }
            return self.stored(stored, columns, of: entity, row: row).map { "COALESCE(\(row).\(fact("disputed")), \($0))" }
        }
        return self.stored(stored, columns, of: entity, row: row)
    }

    /// The SQL of a stored field as the table has it (its `columns` by field), over the row
    /// named `row`: its column, a constant dun.toml gives, or what a file without the column
    /// would hold.
    private func stored(_ stored: StoredField, _ columns: [String: String], of entity: EntityID, row: String) -> Result<
        String, SQLUnsupported
    > {
        let name = stored.name
        if let column = columns[name] {
            let value = "\(row).\(dialect.quote(column))"
            switch stored.kind {
            case .grade: return .success(grade(value))
            // Text as the loader reads a table's COPY: without the spaces and tabs around it,
            // empty for none. (Ids are refused with spaces around them: they are joined as
            // they are.)
            case .text: return .success("NULLIF(\(trimmed(value)), '')")
            case .identifier,
                .reference where notText[entity]?.contains(column) == true:
                return .success(dialect.textOf(value))
            default: return .success(value)
            }
        }
        if let constant = mappings[entity]?.constant(name) {
            // Text as it is; a date or an amount is written as the export writes them.
            switch stored.kind {
            case .text, .currency, .identifier: return .success(dialect.text(constant))
            default: return .failure(SQLUnsupported("\(name), which dun.toml gives as a constant"))
            }
        }
        // An optional column the table has not: empty, as in a file.
        switch (stored.kind, entity) {
        case (.currency, Receivables.customers): return .success(dialect.text(Currency.cny.code))
        case (.currency, _): return .failure(SQLUnsupported("\(name), which the table has no column for"))
        case (.flag, _): return .success("FALSE")
        default: return .success("NULL")
        }
    }

    /// The columns the derived fields are made of, when the database has them all.
    private typealias Made = (
        invoices: String, payments: String, customersTable: String, id: String, customer: String, issued: String,
        amount: String, due: String, on: String, payer: String, value: String, date: String, key: String, limit: String?
    )
    private var made: Made? {
        guard let (invoices, i, _) = tables[Receivables.invoices], let (payments, p, _) = tables[Receivables.payments],
            let (customers, c, _) = tables[Receivables.customers], let id = i["id"], let customer = i["customer_id"],
            let issued = i["issued"], let amount = i["amount"], let due = i["due"], let on = p["invoice_id"],
            let payer = p["customer_id"], let value = p["amount"], let date = p["date"], let key = c["id"]
        else { return nil }
        // The credit limit is optional, as in customers.csv: without it, no utilization.
        return (invoices, payments, customers, id, customer, issued, amount, due, on, payer, value, date, key, c["credit_limit"])
    }

    /// A column the facts add to a table, named apart from any of the table's own.
    private func fact(_ name: String) -> String { dialect.quote("dun_" + name) }

    /// The invoices, each with what was paid on it by the day and the day of its last payment:
    /// the payments grouped by invoice once and joined, not summed again for every row (a
    /// database plans the join for millions of rows; a subquery per row it would not).
    /// Payments are joined to invoices by customer too (`checkPayments` refuses one of another
    /// customer's invoice), so that a database splitting both by customer (Citus) joins them
    /// where they lie.
    private var invoiceFacts: String? {
        guard let m = made else { return nil }
        let (q, text, day) = (dialect.quote, dialect.textOf, dialect.date(asOf))
        var disputes = ("", "")
        if case .table(let journal) = journal, let promised = promises(paid: false) {
            // The last word on each invoice by the day (of two on one day, the one recorded
            // later), from the entries of customers the table has, as a load replays them.
            let (dispute, resolve) = (ActionKind.dispute.rawValue, ActionKind.resolveDispute.rawValue)
            let said =
                "SELECT v.v AS k, \(dialect.first("j.action", by: Self.newest, where: nil)) = \(dialect.text(dispute)) AS disputed"
                + " FROM \(journal) AS j CROSS JOIN LATERAL \(dialect.elements(ofJSONArray: "j.invoices", as: "v"))"
                + " WHERE j.action IN (\(dialect.text(dispute)), \(dialect.text(resolve))) AND j.as_of <= \(dialect.text(asOf.description))"
                + " AND EXISTS (SELECT 1 FROM \(m.customersTable) AS o WHERE \(text("o.\(q(m.key))")) = j.customer) GROUP BY v.v"
            disputes = (", d.disputed AS \(fact("disputed"))", " LEFT JOIN (\(said)) AS d ON d.k = \(text("i.\(q(m.id))"))")
            // The earliest day promised by an unexpired promise of the invoice, or of all its
            // customer's.
            let unexpired = { (k: String, which: String) in
                "SELECT x.\(k) AS k, min(x.promised_by) AS day FROM \(promised) AS x WHERE x.made_on <= \(day)"
                    + " AND \(day) <= x.promised_by AND x.invoice_id IS \(which) NULL GROUP BY x.\(k)"
            }
            disputes.0 += ", LEAST(pi.day, pc.day) AS \(fact("promised_by")), kp.k IS NOT NULL AS \(fact("on_plan"))"
            // On a plan being kept: among its invoices.
            disputes.1 +=
                " LEFT JOIN (SELECT DISTINCT x.k FROM \(plans(of: journal, m)) AS p JOIN \(planned(journal, m)) AS x ON x.o = p.o"
                + " WHERE p.kept) AS kp ON kp.k = i.\(q(m.id))"
            disputes.1 +=
                " LEFT JOIN (\(unexpired("invoice_id", "NOT"))) AS pi ON pi.k = \(text("i.\(q(m.id))"))"
                + " LEFT JOIN (\(unexpired("customer_id", ""))) AS pc ON pc.k = \(text("i.\(q(m.customer))"))"
        }
        return
            "(SELECT i.*, COALESCE(p.paid, 0) AS \(fact("paid")), p.last AS \(fact("last"))\(disputes.0) FROM \(m.invoices) AS i"
            + " LEFT JOIN (SELECT \(q(m.on)) AS k, \(q(m.payer)) AS c, sum(\(q(m.value))) AS paid, max(\(q(m.date))) AS last"
            + " FROM \(m.payments) WHERE \(q(m.date)) <= \(day) GROUP BY \(q(m.on)), \(q(m.payer))) AS p"
            + " ON p.k = i.\(q(m.id)) AND p.c = i.\(q(m.customer))\(disputes.1))"
    }

    /// Why the promises do not compile: promises.csv adds to them, or the journal is outside
    /// the database; nil when they do.
    private var promisesRefused: SQLUnsupported? {
        if promisesFile { return SQLUnsupported("promises, which promises.csv adds to,") }
        if journal == .elsewhere { return SQLUnsupported("promises, which a journal outside the database records,") }
        return nil
    }

    /// The promises the journal records, as the load replays them: of customers the table
    /// has, the invoice promised (null, for all the customer's, when the table has it not), in
    /// the order recorded; none without a journal. With `paid`, what was paid toward each
    /// from the day made to the day promised, as far as the day: the customer's payments (of
    /// the invoice, for a promise of one).
    private func promises(paid: Bool) -> String? {
        guard let m = made else { return nil }
        let (q, t, day, text) = (dialect.quote, dialect.text, dialect.date(asOf), dialect.textOf)
        let recorded: String
        if case .table(let journal) = journal {
            recorded =
                "SELECT j.id AS \(fact("order")), \(text("o.\(q(m.key))")) AS customer_id, \(text("v.\(q(m.id))")) AS invoice_id,"
                + " \(amount("j.amount")) AS amount, \(dialect.dateOf("j.as_of")) AS made_on,"
                + " \(dialect.dateOf("j.detail")) AS promised_by"
                + " FROM \(journal) AS j JOIN \(m.customersTable) AS o ON \(text("o.\(q(m.key))")) = j.customer"
                + " LEFT JOIN \(m.invoices) AS v ON \(text("v.\(q(m.id))")) = \(dialect.element(0, ofJSONArray: "j.invoices"))"
                + " WHERE j.action = \(t(ActionKind.promise.rawValue)) AND j.amount IS NOT NULL"
                + " AND \(dialect.matches("j.detail", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))"
        } else {
            // None, in the columns' types.
            recorded =
                "SELECT 0 AS \(fact("order")), \(text("o.\(q(m.key))")) AS customer_id, \(text("v.\(q(m.id))")) AS invoice_id,"
                + " v.\(q(m.amount)) AS amount, v.\(q(m.issued)) AS made_on, v.\(q(m.due)) AS promised_by"
                + " FROM \(m.customersTable) AS o CROSS JOIN \(m.invoices) AS v WHERE FALSE"
        }
        guard paid else { return "(\(recorded))" }
        // Joined and grouped, not summed in a subquery of each promise, which a database
        // splitting the payments (Citus) does not run.
        let order = fact("order")
        let toward =
            "SELECT r.\(order) AS o, sum(p.\(q(m.value))) AS paid FROM (\(recorded)) AS r JOIN \(m.payments) AS p"
            + " ON \(text("p.\(q(m.payer))")) = r.customer_id AND p.\(q(m.date)) BETWEEN r.made_on AND LEAST(r.promised_by, \(day))"
            + " AND (r.invoice_id IS NULL OR \(text("p.\(q(m.on))")) = r.invoice_id) GROUP BY r.\(order)"
        return
            "(SELECT r.*, COALESCE(x.paid, 0) AS \(fact("paid")) FROM (\(recorded)) AS r LEFT JOIN (\(toward)) AS x ON x.o = r.\(order))"
    }

    /// A promise's derived fields over the row named `row` of `promises(paid: true)`.
    private func promiseField(_ name: String, row: String) -> String? {
        let kept = "(\(row).\(fact("paid")) >= \(row).amount)"
        switch name {
        case "paid": return "\(row).\(fact("paid"))"
        case "kept": return kept
        case "status":
            return
                "(CASE WHEN \(kept) THEN 'kept' WHEN \(dialect.date(asOf)) <= \(row).promised_by THEN 'open' ELSE 'broken' END)"
        default: return nil
        }
    }

    /// Why the plans do not compile: the journal that offers them is outside the database.
    private var plansRefused: SQLUnsupported { SQLUnsupported("instalment plans, which a journal outside the database records,") }

    /// The instalment plans the journal records (`offer plan`), as the load replays them as of
    /// the day: of customers the table has, offered by then, their invoices those the table
    /// has, in the order offered. Each with its count and interval (a month unless said: "3
    /// installments every 2 weeks"), what was paid on its invoices after the day offered, the
    /// day its last instalment falls due, what has fallen due by the day, and whether it is
    /// being kept: not past its last instalment, and paid at least what has fallen due.
    private func plans(of journal: String, _ m: Made) -> String {
        let (q, t, day) = (dialect.quote, dialect.text, dialect.date(asOf))
        let word = { (n: Int) in self.dialect.word(n, of: "j.detail") }
        let spelled =
            "\(dialect.matches("j.detail", "^[^ ]*( [^ ]*){4}$")) AND \(dialect.matches(word(4), "^[0-9]{1,9}$"))"
        let days = "(CASE \(word(5)) WHEN 'day' THEN 1 WHEN 'days' THEN 1 WHEN 'week' THEN 7 WHEN 'weeks' THEN 7 END)"
        let months = "(CASE \(word(5)) WHEN 'month' THEN 1 WHEN 'months' THEN 1 WHEN 'year' THEN 12 WHEN 'years' THEN 12 END)"
        let every = dialect.cast(word(4), to: .bigint)
        let offered = [
            "SELECT j.id AS o, c.\(q(m.key)) AS customer_id, \(dialect.dateOf("j.as_of")) AS offered,",
            "\(amount("j.amount")) AS total, \(dialect.integer(word(1))) AS n,",
            "CASE WHEN \(spelled) AND \(days) IS NOT NULL THEN \(every) * \(days) END AS days,",
            "CASE WHEN \(spelled) AND \(days) IS NOT NULL THEN NULL",
            "WHEN \(spelled) AND \(months) IS NOT NULL THEN \(every) * \(months) ELSE 1 END AS months",
            "FROM \(journal) AS j JOIN \(m.customersTable) AS c ON \(dialect.textOf("c.\(q(m.key))")) = j.customer",
            "WHERE j.action = \(t(ActionKind.offerPlan.rawValue)) AND j.amount IS NOT NULL",
            "AND j.as_of <= \(t(asOf.description)) AND \(dialect.matches(word(1), "^0*[1-9][0-9]{0,5}$"))",
        ].joined(separator: " ")
        // What was paid on each plan's invoices (each once) after the day offered: joined and
        // grouped, not summed in a subquery of each plan.
        let paid =
            "SELECT x.o, sum(y.\(q(m.value))) AS paid FROM (SELECT DISTINCT w.o, w.k FROM \(planned(journal, m)) AS w) AS x"
            + " JOIN (\(offered)) AS p ON p.o = x.o JOIN \(m.payments) AS y ON y.\(q(m.on)) = x.k"
            + " AND y.\(q(m.date)) > p.offered AND y.\(q(m.date)) <= \(day) GROUP BY x.o"
        let fallen = dialect.filtered("sum(i.amount)", where: "i.due <= \(day)")
        return "(SELECT p.*, COALESCE(y.paid, 0) AS paid, z.last, z.fallen,"
            + " \(day) <= COALESCE(z.last, p.offered) AND COALESCE(y.paid, 0) >= z.fallen AS kept"
            + " FROM (\(offered)) AS p LEFT JOIN (\(paid)) AS y ON y.o = p.o"
            + " CROSS JOIN LATERAL (SELECT max(i.due) AS last, COALESCE(\(fallen), 0) AS fallen FROM \(instalmentsOf("p")) AS i) AS z)"
    }

    /// The invoices of the plans the journal offers that the table has: the entry's id (`o`),
    /// the invoice's (`k`), and its place in the entry's list (`w`).
    private func planned(_ journal: String, _ m: Made) -> String {
        "(SELECT j.id AS o, v.\(dialect.quote(m.id)) AS k, x.n AS w FROM \(journal) AS j"
            + " CROSS JOIN LATERAL \(dialect.elements(ofJSONArray: "j.invoices", as: "x"))"
            + " JOIN \(m.invoices) AS v ON \(dialect.textOf("v.\(dialect.quote(m.id))")) = x.v"
            + " WHERE j.action = \(dialect.text(ActionKind.offerPlan.rawValue)))"
    }

    /// The instalments of the plan named `plan`: each number from 1, its due day (the day
    /// offered moved by the interval that many times), and its amount (the total in equal
    /// parts, to the minor unit, the last taking what division leaves).
    private func instalmentsOf(_ plan: String) -> String {
        let unit = currency.minorUnit
        let scale = "1" + String(repeating: "0", count: unit)
        let part = dialect.rounded(
            "\(dialect.wholeQuotient("\(plan).total * \(scale)", "\(plan).n")) / \(scale)", places: "\(unit)")
        let every = dialect.moved("\(plan).offered", daysSQL: dialect.integer("\(plan).days * s.k"))
        return "(SELECT s.k AS number, CASE WHEN \(plan).days IS NOT NULL THEN \(every)"
            + " ELSE \(dialect.moved("\(plan).offered", monthsSQL: "\(plan).months * s.k")) END AS due,"
            + " CASE WHEN s.k = \(plan).n THEN \(plan).total - \(part) * (\(plan).n - 1) ELSE \(part) END AS amount"
            + " FROM \(dialect.series(to: "\(plan).n", as: "s")))"
    }

    /// The plans' instalments as the `instalments` entity, a column each field named as the
    /// field: what is owed of each (payments go to the earliest first), and its status.
    private var instalments: String? {
        guard let m = made else { return nil }
        guard case .table(let journal) = journal else {
            return
                "(SELECT 0 AS \(fact("order")), \(dialect.textOf("c.\(dialect.quote(m.key))")) AS customer_id, \(dialect.null(.text)) AS invoices,"
                + " \(dialect.null(.date)) AS offered, 0 AS number, \(dialect.null(.date)) AS due, \(dialect.null(.numeric)) AS amount,"
                + " \(dialect.null(.numeric)) AS owed, FALSE AS kept, \(dialect.null(.text)) AS status FROM \(m.customersTable) AS c WHERE FALSE)"
        }
        let owed = "GREATEST(0, LEAST(i.amount, sum(i.amount) OVER (PARTITION BY p.o ORDER BY i.number) - p.paid))"
        let invoices =
            "SELECT x.o, \(dialect.joinedAll(dialect.textOf("x.k"), separator: ", ", by: "x.w")) AS ids"
            + " FROM \(planned(journal, m)) AS x GROUP BY x.o"
        return
            "(SELECT p.o AS \(fact("order")), \(dialect.textOf("p.customer_id")) AS customer_id, COALESCE(v.ids, '') AS invoices, p.offered,"
            + " i.number, i.due, i.amount, \(owed) AS owed, p.kept,"
            + " CASE WHEN \(owed) = 0 THEN 'paid' WHEN \(dialect.date(asOf)) < i.due THEN 'open' ELSE 'late' END AS status"
            + " FROM \(plans(of: journal, m)) AS p LEFT JOIN (\(invoices)) AS v ON v.o = p.o"
            + " CROSS JOIN LATERAL \(instalmentsOf("p")) AS i)"
    }

    /// Why the journal's entries do not compile: the journal is outside the database.
    private var actionsRefused: SQLUnsupported { SQLUnsupported("actions, which a journal outside the database records,") }

    /// The journal's entries as the `actions` entity, a column each field named as the field
    /// (`invoices` joined with ", ", an amount without its currency); none without a journal.
    private var actions: String {
        guard case .table(let journal) = journal else {
            let text = ["at", "who", "policy", "rule", "action", "customer_id", "invoices", "channel", "template"]
            return
                "(SELECT \(dialect.cast("0", to: .bigint)) AS id, \(dialect.null(.date)) AS date, \(text.map { "\(dialect.null(.text)) AS \($0)" }.joined(separator: ", ")),"
                + " \(dialect.null(.numeric)) AS amount, \(dialect.null(.text)) AS detail, \(dialect.null(.text)) AS status WHERE FALSE)"
        }
        let invoices =
            "COALESCE((SELECT \(dialect.joinedAll("x.v", separator: ", ", by: "x.n"))"
            + " FROM \(dialect.elements(ofJSONArray: "j.invoices", as: "x"))), '')"
        return
            "(SELECT j.id, \(dialect.dateOf("j.as_of")) AS date, j.at, j.who, j.policy, j.rule, j.action, j.customer AS customer_id,"
            + " \(invoices) AS invoices, j.channel, j.template, \(amount("j.amount")) AS amount, j.detail, j.status"
            + " FROM \(journal) AS j)"
    }

    /// The journal's entries newest first, as a load replays them: by as-of day, then the
    /// order recorded.
    private static let newest = "j.as_of DESC, j.id DESC"

    /// A journal entry's amount without its currency (`1200.00 CNY`).
    private func amount(_ entry: String) -> String { dialect.decimal(dialect.word(1, of: entry)) }

    /// What the journal says of each customer as of the day, as a load replays it: the grade
    /// set last, whether credit is held (held, and not released since), the latest reminder
    /// not failed. Columns to add to the customers' facts, and their join; none without a
    /// journal in the database.
    private func replayed(key: String) -> (columns: String, join: String) {
        guard case .table(let journal) = journal else { return ("", "") }
        let t = dialect.text
        let (held, released) = (ActionKind.holdCredit.rawValue, ActionKind.releaseCredit.rawValue)
        let grade = dialect.first(
            "j.detail", by: Self.newest, where: "j.action = \(t(ActionKind.setGrade.rawValue)) AND upper(j.detail) IN (\(grades))"
        )
        let hold = dialect.first("j.action", by: Self.newest, where: "j.action IN (\(t(held)), \(t(released)))")
        let reminded = dialect.filtered(
            "max(j.as_of)",
            where: "j.action = \(t(ActionKind.remind.rawValue)) AND j.status <> \(t(EntryStatus.failed.rawValue))")
        let said =
            "SELECT j.customer AS k, upper(\(grade)) AS grade, \(hold) = \(t(held)) AS held, \(reminded) AS reminded"
            + " FROM \(journal) AS j WHERE j.as_of <= \(t(asOf.description)) GROUP BY j.customer"
        return (
            ", r.grade AS \(fact("grade")), COALESCE(r.held, FALSE) AS \(fact("on_hold")),"
                + " \(dialect.dateOf("r.reminded")) AS \(fact("last_reminder"))",
            " LEFT JOIN (\(said)) AS r ON r.k = \(dialect.textOf("c.\(key)"))"
        )
    }

    /// The customers, each with its totals as the snapshot computes them (`Snapshot`): its
    /// invoices issued by the day grouped once (balance, the part past due, the most days
    /// past due, the days its settled invoices took), less the cash applied to no invoice
    /// there by then.
    private var customerFacts: Facts? {
        guard let inline = invoiceFacts, let key = customerFacts(over: inline) else { return nil }
        // The invoices' facts read first: a run makes them into a table before these.
        let invoices = read(Facts(key: inline, sql: inline))
        return Facts(key: key, sql: invoices == inline ? key : customerFacts(over: invoices) ?? key)
    }

    /// The customers' facts over the invoices' (`invoiceFacts`, or a table made of them).
    private func customerFacts(over invoices: String) -> String? {
        guard let m = made else { return nil }
        let (q, day) = (dialect.quote, dialect.date(asOf))
        let left = "(f.\(q(m.amount)) - f.\(fact("paid")))"
        let late = "\(left) > 0 AND \(dialect.days(from: "f.\(q(m.due))", to: day)) > 0"
        let settled = "\(left) = 0"
        let on = "COALESCE(f.\(fact("last")), f.\(q(m.issued)))"
        /// The average of `days` over the invoices meeting `which`, to one place.
        func average(_ days: String, _ which: String) -> String {
            let total = dialect.decimal(dialect.filtered("sum(\(days))", where: which))
            return dialect.rounded(dialect.quotient(total, "NULLIF(\(dialect.count(where: which)), 0)"), places: "1")
        }
        let since = { (from: String) in self.dialect.days(from: "f.\(q(from))", to: on) }
        let totals =
            "SELECT f.\(q(m.customer)) AS k, sum(\(left)) AS balance,"
            + " \(dialect.filtered("sum(\(left))", where: late)) AS overdue_balance,"
            + " \(dialect.filtered("max(\(dialect.days(from: "f.\(q(m.due))", to: day)))", where: late)) AS overdue,"
            + " \(average(since(m.issued), settled)) AS to_pay,"
            + " \(average(since(m.due), "\(settled) AND f.\(q(m.amount)) > 0")) AS late"
            + " FROM \(invoices) AS f WHERE f.\(q(m.issued)) <= \(day) GROUP BY f.\(q(m.customer))"
        // Of no invoice issued by then.
        let unapplied =
            "SELECT p.\(q(m.payer)) AS k, sum(p.\(q(m.value))) AS cash FROM \(m.payments) AS p LEFT JOIN \(m.invoices) AS v"
            + " ON v.\(q(m.id)) = p.\(q(m.on)) AND v.\(q(m.customer)) = p.\(q(m.payer)) AND v.\(q(m.issued)) <= \(day)"
            + " WHERE p.\(q(m.date)) <= \(day) AND v.\(q(m.id)) IS NULL GROUP BY p.\(q(m.payer))"
        let last =
            "SELECT \(q(m.payer)) AS k, max(\(q(m.date))) AS day FROM \(m.payments) WHERE \(q(m.date)) <= \(day) GROUP BY \(q(m.payer))"
        let journal = replayed(key: q(m.key))
        return "(SELECT c.*, COALESCE(b.balance, 0) - COALESCE(u.cash, 0) AS \(fact("balance")),"
            + " COALESCE(b.overdue_balance, 0) AS \(fact("overdue_balance")), COALESCE(b.overdue, 0) AS \(fact("overdue")),"
            + " b.to_pay AS \(fact("avg_days_to_pay")), b.late AS \(fact("avg_days_late")),"
            + " COALESCE(u.cash, 0) AS \(fact("unapplied")), l.day AS \(fact("last_payment"))\(journal.columns)"
            + " FROM \(m.customersTable) AS c LEFT JOIN (\(totals)) AS b ON b.k = c.\(q(m.key))"
            + " LEFT JOIN (\(unapplied)) AS u ON u.k = c.\(q(m.key)) LEFT JOIN (\(last)) AS l ON l.k = c.\(q(m.key))\(journal.join))"
    }

    /// An invoice's derived fields as the snapshot of `asOf` computes them, over the row named
    /// `row` of `invoiceFacts`: what was paid by then on it, what is left, how late, which
    /// status and bucket; nil for the others.
    private func invoiceField(_ name: String, row: String) -> String? {
        guard let m = made else { return nil }
        let (q, day) = (dialect.quote, dialect.date(asOf))
        let balance = "(\(row).\(q(m.amount)) - \(row).\(fact("paid")))"
        let late = "(CASE WHEN \(balance) <= 0 THEN 0 ELSE \(dialect.days(from: "\(row).\(q(m.due))", to: day)) END)"
        switch name {
        case "paid": return "\(row).\(fact("paid"))"
        case "balance": return balance
        case "days_overdue": return late
        case "kind": return "(CASE WHEN \(row).\(q(m.amount)) < 0 THEN 'credit note' ELSE 'invoice' END)"
        case "last_payment": return "\(row).\(fact("last"))"
        case "promised_by": return journal == .nothing ? "NULL" : "\(row).\(fact("promised_by"))"
        case "on_plan": return journal == .nothing ? "FALSE" : "\(row).\(fact("on_plan"))"
        case "days_to_pay", "days_late":
            // From the day the last payment settled it (the day issued, for an invoice of 0).
            let from = name == "days_to_pay" ? m.issued : m.due
            return
                "(CASE WHEN \(balance) = 0 THEN \(dialect.days(from: "\(row).\(q(from))", to: "COALESCE(\(row).\(fact("last")), \(row).\(q(m.issued)))")) END)"
        case "status":
            return
                "(CASE WHEN \(row).\(q(m.amount)) < 0 THEN 'credit' WHEN \(balance) = 0 THEN 'paid' WHEN \(late) > 0 THEN 'overdue' ELSE 'open' END)"
        case "bucket":
            // `AgingBucket` by name, in the bands' order.
            let bands = AgingBucket.allCases.compactMap { b in
                b.upperDays.map { "WHEN \(late) <= \($0) THEN \(dialect.text(b.description))" }
            }
            let over = AgingBucket.allCases.last.map { dialect.text($0.description) } ?? "NULL"
            return "(CASE WHEN \(balance) <= 0 THEN NULL \(bands.joined(separator: " ")) ELSE \(over) END)"
        default: return nil
        }
    }

    /// A customer's derived fields over the row named `row` of `customerFacts`.
    private func customerField(_ name: String, row: String) -> String? {
        guard let m = made else { return nil }
        switch name {
        case "balance", "overdue_balance", "overdue", "avg_days_to_pay", "avg_days_late", "unapplied", "last_payment":
            return "\(row).\(fact(name))"
        case "utilization":
            guard let column = m.limit else { return "NULL" }
            let limit = "\(row).\(dialect.quote(column))"
            return "(CASE WHEN \(limit) > 0 THEN \(dialect.decimal64(dialect.quotient("\(row).\(fact("balance"))", limit))) END)"
        case "on_hold", "last_reminder":
            asked.journal = true
            switch journal {
            case .nothing: return name == "on_hold" ? "FALSE" : "NULL"
            case .table: return "\(row).\(fact(name))"
            case .elsewhere: return nil
            }
        default: return nil
        }
    }

    /// Refuses rows the loader refuses in a file, which compiled queries would count as they
    /// are: a required value missing, an invoice or a payment of a customer the customers'
    /// table has not, an invoice due before it was issued, a payment of a negative amount.
    /// The first of each kind, by key, is named; one pass over each table.
    func checkRows(in source: some CheckedDatabase) throws(Diagnostics) {
        let (q, text) = (dialect.quote, dialect.textOf)
        guard let (customers, c, _) = tables[Receivables.customers], let customerKey = c["id"] else { return }
        var problems: [Diagnostic] = []
        for entity in [Receivables.customers, Receivables.invoices, Receivables.payments] {
            guard let (table, columns, _) = tables[entity], let declaration = declaration(of: entity),
                let key = columns[declaration.key]
            else { continue }
            let singular = Receivables.schema[entity].singular
            /// Each kind of problem: the condition a row has it on, what of the row the
            /// message names, and the message given the row's key and that.
            var kinds: [(condition: String, value: String, message: (String, String) -> String, hint: String?)] = []
            var joins: [String] = []
            // First: an id with spaces around it is one the loader reads, not one missing.
            for field in declaration.fields where field.kind == .identifier || field.kind == .reference {
                guard let column = columns[field.name] else { continue }
                let value = text("t.\(q(column))")
                kinds.append(
                    (
                        "\(value) <> \(trimmed(value))", value,
                        { k, v in
                            "\(singular) \(k) has spaces around its \(field.name)"
                                + (field.name == declaration.key ? "" : " \(excerpt(v))")
                        },
                        "the loader reads it without them, and compiled queries join ids as they are: trim them in the database, or use --engine memory"
                    ))
            }
            for field in declaration.fields where field.required {
                guard let column = columns[field.name] else { continue }
                let value = "t.\(q(column))"
                kinds.append(
                    (
                        "\(value) IS NULL OR \(dialect.trim(text(value), " ")) = ''", "''",
                        { k, _ in "\(singular) \(k) has no \(field.name)" }, nil
                    ))
                guard entity != Receivables.customers, field.reference?.entity == Receivables.schema[Receivables.customers].name
                else { continue }
                let r = "r\(joins.count)"
                joins.append(
                    " LEFT JOIN (SELECT DISTINCT \(text(q(customerKey))) AS k FROM \(customers)) AS \(r) ON \(r).k = \(text(value))"
                )
                kinds.append(
                    (
                        "\(r).k IS NULL", text(value),
                        { k, v in "\(singular) \(k) is of customer \(excerpt(v)), which \(Self.display(customers)) has not" },
                        nil
                    ))
            }
            for field in declaration.fields where field.kind == .grade {
                guard let column = columns[field.name] else { continue }
                kinds.append(
                    (
                        "\(grade("t.\(q(column))")) NOT IN (\(grades))", text("t.\(q(column))"),
                        { k, v in "\(singular) \(k) has an unknown \(field.name) \(excerpt(v))" }, nil
                    ))
            }
            if entity == Receivables.invoices, let issued = columns["issued"], let due = columns["due"] {
                let (i, d) = ("t.\(q(issued))", "t.\(q(due))")
                kinds.append(
                    (
                        "\(d) < \(i)", "\(text(d)) || ' ' || \(text(i))",
                        { k, v in
                            let days = v.split(separator: " ")
                            return
                                "the due date of invoice \(k), \(days.first ?? ""), is before its issue date, \(days.last ?? "")"
                        }, nil
                    ))
            }
            if entity == Receivables.payments, let amount = columns["amount"] {
                kinds.append(
                    (
                        "t.\(q(amount)) < 0", text("t.\(q(amount))"), { k, v in "payment \(k) is of a negative amount, \(v)" },
                        nil
                    ))
            }
            guard !kinds.isEmpty else { continue }
            func cases(_ then: (Int) -> String) -> String {
                "CASE " + kinds.indices.map { "WHEN \(kinds[$0].condition) THEN \(then($0))" }.joined(separator: " ") + " END"
            }
            // The first row of each kind, by key.
            let first = { (column: String) in self.dialect.first(column, by: self.dialect.ordered("k"), where: nil) }
            let rows = try source.rows(
                of: "SELECT o, \(first("k")), \(first("v")) FROM (SELECT \(cases { "\($0)" }) AS o, \(text("t.\(q(key))")) AS k,"
                    + " \(cases { kinds[$0].value }) AS v FROM \(table) AS t\(joins.joined())) AS x WHERE o IS NOT NULL"
                    + " GROUP BY o ORDER BY o")
            for row in rows where row.count == 3 {
                guard let o = row[0].flatMap({ Int($0) }), kinds.indices.contains(o) else { continue }
                // A row without a key has only that to be told by.
                let message =
                    row[1].map { kinds[o].message(excerpt($0), row[2] ?? "") } ?? "a row has no \(declaration.key)"
                problems.append(
                    Diagnostic(
                        .error, message, file: Self.display(table),
                        hint: kinds[o].hint ?? "the loader refuses it in a file; compiled queries would count it as it is"))
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
    }

    /// A grade as the loader reads it: either case, spaces around it, empty for none.
    private func grade(_ sql: String) -> String {
        "NULLIF(upper(\(dialect.trim(dialect.textOf(sql), " "))), '')"
    }

    /// The grades' letters, as SQL: a list for `IN`.
    private var grades: String {
        Grade.allCases.map { dialect.text($0.description) }.joined(separator: ", ")
    }

    /// A value as text without the spaces and tabs around it, as the loader trims a COPY's.
    private func trimmed(_ sql: String) -> String {
        dialect.trim(dialect.textOf(sql), " \t")
    }

    /// A table as an error names it: as dun.toml names it, not quoted.
    private static func display(_ table: String) -> String {
        PostgresSource.display(table.replacingOccurrences(of: "\"", with: ""))
    }

    /// Refuses a database whose money is not all in the workspace's currency: compiled
    /// queries add and compare amounts as numbers, where the interpreter converts them or
    /// refuses to add two currencies. A row without a currency has its owner's (a customer
    /// without one, CNY, as in a file), so the currencies written in the three tables, and
    /// CNY for a customer with none, are all there are.
    func checkCurrencies(in source: some CheckedDatabase) throws(Diagnostics) {
        // Each table's values as they are (k: 0 for the customers'), or the one dun.toml gives
        // it, told apart here: a handful, where trimming and upper-casing every row in the
        // query took three times as long (0.85 s against 0.3 s at a million invoices).
        var parts: [String] = []
        var found: Set<String> = []
        for (k, entity) in [Receivables.customers, Receivables.invoices, Receivables.payments].enumerated() {
            guard let (table, columns, _) = tables[entity] else { continue }
            if let column = columns["currency"] {
                parts.append("SELECT DISTINCT \(k) AS k, \(dialect.textOf(dialect.quote(column))) AS c FROM \(table)")
            } else if let constant = mappings[entity]?.constant("currency") {
                found.insert(constant.trimmingCharacters(in: .whitespaces).uppercased())
            } else if entity == Receivables.customers {
                found.insert(Currency.cny.code)
            }
        }
        let given = parts.isEmpty ? [] : try source.rows(of: parts.joined(separator: " UNION ") + " LIMIT 100")
        for row in given where row.count == 2 {
            let code = row[1]?.trimmingCharacters(in: .whitespaces).uppercased() ?? ""
            // A customer without a currency has CNY; an invoice or payment without, its owner's.
            if !code.isEmpty {
                found.insert(code)
            } else if row[0] == "0" {
                found.insert(Currency.cny.code)
            }
        }
        let sorted = found.sorted()
        guard sorted.contains(where: { $0 != currency.code }) else { return }
        let named = sorted.count > 3 ? sorted.prefix(3).joined(separator: ", ") + " …" : sorted.joined(separator: " and ")
        throw Diagnostics([
            Diagnostic(
                .error,
                "the database's money is in \(named), and queries compiled to SQL add amounts in one currency, \(currency.code)",
                hint: sorted.count == 1
                    ? "[rates] base = \"\(sorted[0])\" in dun.toml makes it the workspace's currency"
                    : "--engine memory converts them (rates.csv, [rates] in dun.toml)")
        ])
    }

    /// Refuses tables whose rows repeat an id that compiled queries join by (a customer's, an
    /// invoice's): a row joined to two would count twice, where the loader refuses the file.
    /// The first repeated id is named. A table with a unique index on its id is not read.
    func checkKeys(in source: some CheckedDatabase) throws(Diagnostics) {
        var problems: [Diagnostic] = []
        for entity in [Receivables.customers, Receivables.invoices, Receivables.payments] {
            guard let (table, columns, _) = tables[entity], let key = columns["id"] else { continue }
            let k = dialect.quote(key)
            // A unique index on the id (a primary key) says it already.
            if try source.isUnique(key, in: table) { continue }
            let rows = try source.rows(
                of: "SELECT \(k), count(*) OVER () FROM \(table) WHERE \(k) IS NOT NULL GROUP BY \(k) HAVING count(*) > 1"
                    + " ORDER BY \(dialect.ordered(dialect.textOf(k))) LIMIT 3")
            guard let first = rows.first, let id = first[0] else { continue }
            let more = (first.count > 1 ? first[1].flatMap { Int($0) } : nil).map { $0 > 1 ? " and \($0 - 1) more" : "" } ?? ""
            problems.append(
                Diagnostic(
                    .error, "\(Receivables.schema[entity].singular) id \(excerpt(id)) is on more than one row\(more)",
                    file: Self.display(table),
                    hint:
                        "each \(Receivables.schema[entity].singular) is one row, as the loader requires: compiled queries join by its id"
                ))
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
    }

    /// Refuses payments the loader would refuse in files, which compiled queries would count
    /// wrong: one of an invoice the invoices table has not, one of another customer's
    /// invoice, and an invoice paid more than its amount (a credit note paid at all; the
    /// payments of another customer left out, as the loader leaves them). The first of each
    /// kind, by id, is named. One pass over the payments joined to their invoices, a session.
    func checkPayments(in source: some CheckedDatabase) throws(Diagnostics) {
        guard let m = made, let (_, p, _) = tables[Receivables.payments], let pid = p["id"] else { return }
        let (q, text) = (dialect.quote, dialect.textOf)
        // Invoices and payments are joined by customer too, as a database that splits them by
        // customer (Citus) joins them where they lie; a payment found with no invoice of its
        // customer is of none, or of another customer's (few: made once, then looked up).
        let own = "i.\(q(m.id)) = p.\(q(m.on)) AND i.\(q(m.customer)) = p.\(q(m.payer))"
        let astray =
            "SELECT p.\(q(pid)) AS id, p.\(q(m.on)) AS invoice, p.\(q(m.payer)) AS payer FROM \(m.payments) AS p"
            + " LEFT JOIN \(m.invoices) AS i ON \(own) WHERE p.\(q(m.on)) IS NOT NULL AND i.\(q(m.id)) IS NULL"
        let owned =
            "SELECT a.id, a.invoice, a.payer, i.\(q(m.id)) AS found, i.\(q(m.customer)) AS owner FROM \(q("dun_astray")) AS a"
            + " LEFT JOIN \(m.invoices) AS i ON i.\(q(m.id)) = a.invoice"
        // Of each kind (1 unknown invoice, 2 another customer's, 3 paid over its total), the
        // first by what the message names first.
        let first = { (kind: Int, columns: String, rest: String) in
            "(SELECT * FROM (SELECT \(kind) AS o, \(columns) \(rest)) AS x ORDER BY \(self.dialect.ordered("a")) LIMIT 1)"
        }
        let kinds = [
            first(
                1, "\(text("id")) AS a, \(text("invoice")) AS b, NULL AS c, NULL AS d",
                "FROM \(q("dun_owned")) WHERE found IS NULL"),
            first(
                2, "\(text("id")) AS a, \(text("invoice")) AS b, \(text("payer")) AS c, \(text("owner")) AS d",
                // (An invoice and a payment both without a customer: `checkRows` says so.)
                "FROM \(q("dun_owned")) WHERE found IS NOT NULL AND owner IS DISTINCT FROM payer"),
            first(
                3,
                "\(text("i.\(q(m.id))")) AS a, \(text("i.\(q(m.id))")) AS b, \(text("sum(p.\(q(m.value)))")) AS c,"
                    + " \(text("i.\(q(m.amount))")) AS d",
                "FROM \(m.payments) AS p JOIN \(m.invoices) AS i ON \(own)"
                    + " GROUP BY i.\(q(m.id)), i.\(q(m.customer)), i.\(q(m.amount))"
                    + " HAVING sum(p.\(q(m.value))) > GREATEST(i.\(q(m.amount)), 0)"),
        ]
        let rows = try source.rows(
            of: dialect.with(
                [("dun_astray", astray), ("dun_owned", owned)], kinds.joined(separator: " UNION ALL ") + " ORDER BY o"))
        let money = { (text: String?) in
            (text.flatMap { try? Money.parse($0, currency: self.currency).get() })?.formatted(grouped: true) ?? (text ?? "")
        }
        var problems: [Diagnostic] = []
        for row in rows where row.count == 5 {
            let (a, b, c, d) = (excerpt(row[1] ?? ""), excerpt(row[2] ?? ""), row[3], row[4])
            switch row[0] {
            case "1":
                problems.append(
                    Diagnostic(
                        .error, "payment \(a) is of invoice \(b), which \(Self.display(m.invoices)) has not",
                        file: Self.display(m.payments),
                        hint: "a payment of no invoice (unapplied cash) leaves invoice_id empty"))
            case "2":
                problems.append(
                    Diagnostic(
                        .error,
                        "payment \(a) is customer \(excerpt(c ?? ""))'s, but invoice \(b) "
                            + ((d ?? "").isEmpty ? "has no customer" : "is customer \(excerpt(d ?? ""))'s"),
                        file: Self.display(m.payments), hint: "a payment is of its own customer's invoice"))
            default:
                problems.append(
                    Diagnostic(
                        .error, "invoice \(a) is paid \(money(c)), more than its amount: \(money(d))",
                        file: Self.display(m.payments),
                        hint: "an overpayment belongs in a separate row without invoice_id (unapplied cash)"))
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
    }

    func asOf(_ day: Day) -> any SQLModel {
        var then = self
        then.asOf = day
        return then
    }

    /// A table field named as an entity (a customer's `invoices`) holds that entity's rows
    /// whose reference leads back (the invoice's `customer_id`).
    func children(_ field: Int, of entity: EntityID) -> (entity: EntityID, owner: Int)? {
        let name = Receivables.schema[entity].fields[field].name
        guard let child = Receivables.schema.entity(named: name), let declaration = declaration(of: child),
            let back = declaration.fields.first(where: { $0.reference?.entity == Receivables.schema[entity].name }),
            let owner = Receivables.schema[child].fields.firstIndex(where: { $0.name == back.name })
        else { return nil }
        return (child, owner)
    }

    func reference(_ field: Int, of entity: EntityID, row: String, target: String) -> (entity: EntityID, join: String)? {
        let name = Receivables.schema[entity].fields[field].name
        if entity == Receivables.actions || entity == Receivables.instalments, name == "customer",
            case .success(let key) = self.field(
                Receivables.schema[Receivables.customers].key, of: Receivables.customers, row: target)
        {
            // An entry of a customer no longer in the table leads to none.
            return (Receivables.customers, "\(dialect.textOf(key)) = \(row).customer_id")
        }
        guard let declaration = declaration(of: entity),
            let stored = declaration.fields.first(where: { $0.reference?.field == name }),
            let reference = stored.reference, let other = Receivables.schema.entity(named: reference.entity),
            let storedField = Receivables.schema[entity].fields.firstIndex(where: { $0.name == stored.name }),
            case .success(let from) = self.field(storedField, of: entity, row: row),
            case .success(let to) = self.field(Receivables.schema[other].key, of: other, row: target)
        else { return nil }
        // Ids of another type than text on both sides (integers) are joined as they are, not
        // as text: a database joins them by its indexes, or where its shards lie.
        if let a = tables[entity]?.columns[stored.name], notText[entity]?.contains(a) == true,
            let b = tables[other]?.columns[Receivables.schema[other].fields[Receivables.schema[other].key].name],
            notText[other]?.contains(b) == true
        {
            return (other, "\(target).\(dialect.quote(b)) = \(row).\(dialect.quote(a))")
        }
        return (other, "\(to) = \(from)")
    }
}

extension Session {
    /// The SQL the one query of `source` compiles to, as of `asOf`, against the database of
    /// the workspace in `directory` (or, without one, tables named as its entities); or the
    /// errors, naming what does not compile. The workspace's data is not read.
    public static func sql(_ source: SourceText, directory: String, asOf: Day) -> Result<String, Diagnostics> {
        let session: Session
        do throws(Diagnostic) {
            session = try Session(workspace: Workspace(), asOf: asOf)
        } catch {
            return .failure(Diagnostics([error]))
        }
        do throws(Diagnostics) {
            session.settings = try WorkspaceSettings.load(workspace: directory)
        } catch {
            return .failure(error)
        }
        session.directory = directory
        return session.sql(source)
    }

    func sql(_ source: SourceText) -> Result<String, Diagnostics> {
        let query: CheckedPipeline
        switch compilable(source) {
        case .success(let q): query = q
        case .failure(let e): return .failure(e)
        }
        do throws(Diagnostics) {
            let model = try DatabaseModel(settings: settings, directory: directory, asOf: snapshot.asOf)
            do throws(SQLUnsupported) {
                return .success(try model.compiled(query, interpreter).sql + ";\n")
            } catch {
                return .failure(
                    Diagnostics([
                        source.diagnostic(
                            error.message, at: error.range,
                            hint:
                                "dun sql compiles filters, stored fields and the rows they lead to, most derived fields of invoices and customers, aggregates of each row's related rows and of whole tables, the fields and promises a journal in the same database records, arithmetic, dates and durations, text, round, select, sort, take, count, group by or aggregate with count, sum, min, max and expressions of them, union, accumulate, as_of a day known before the query runs, chart, and calls of functions given tables and values"
                        )
                    ]))
            }
        } catch {
            return .failure(error)
        }
    }

    /// The one query of `source`, checked, after the imports and functions it calls (made in
    /// the session first, as a script makes them); or what is wrong with it.
    func compilable(_ source: SourceText) -> Result<CheckedPipeline, Diagnostics> {
        let parsed = Parser.parse(source)
        guard parsed.diagnostics.isEmpty else { return .failure(Diagnostics(parsed.diagnostics)) }
        // One query, after the imports and functions it calls (made first, as a script makes them).
        let definitions = parsed.statements.dropLast()
        guard let last = parsed.statements.last, case .query = last,
            definitions.allSatisfy({ if case .import = $0 { true } else if case .function = $0 { true } else { false } })
        else {
            let other = parsed.statements.first { if case .query = $0 { false } else { true } }
            return .failure(
                Diagnostics([
                    source.diagnostic(
                        "dun sql compiles one query, after the imports and functions it calls",
                        at: (other ?? parsed.statements.last)?.range ?? 0..<0,
                        hint: "a query such as: invoices where due < today | select id, amount")
                ]))
        }
        if !definitions.isEmpty {
            let made = run(source, definitionsOnly: true)
            guard made.diagnostics.isEmpty else { return .failure(Diagnostics(made.diagnostics)) }
        }
        let (statements, problems) = Checker.check([last], source: source, schema: schema, globals: globals)
        guard problems.isEmpty else { return .failure(Diagnostics(problems)) }
        guard statements.count == 1, case .query(let query) = statements[0] else { return .failure(Diagnostics([])) }
        return .success(query)
    }
}

/// Where a session's queries run instead of its memory (`--engine postgres`): each compiled
/// to SQL and answered by the workspace's database, its rows read back as the values the
/// interpreter would give, so that they print the same.
struct DatabaseEngine {
    let source: PostgresSource
    let model: DatabaseModel
    /// The run under way: its connection, in one transaction.
    private let run = Run()

    /// While a run is under way (`begin` to `end`, nested runs counted), its queries share one
    /// connection and one REPEATABLE READ transaction, begun at its first query: all of a
    /// script's queries see the database as it was then, as the interpreter's all see one
    /// load, whatever the ERP writes meanwhile. Facts that a second query of the run reads
    /// (the invoices' or customers' as of a day) are made into a temporary table then, and
    /// read from it by the rest, as the interpreter makes them once at its load; where the
    /// database makes no tables (a standby), each query makes them again.
    final class Run {
        var depth = 0
        var connection: PostgresConnection?
        /// How many of the run's queries read each facts (by key), and the tables made.
        var reads: [String: Int] = [:]
        var tables: [String: String] = [:]
        /// Whether the database may make tables for the run.
        var making = true
        /// How many tables the session's runs made, all told.
        var made = 0
    }

    /// How many tables of facts the session's runs made.
    var tablesMade: Int { run.made }

    func begin() {
        run.depth += 1
    }

    func end() {
        run.depth -= 1
        guard run.depth == 0 else { return }
        (run.reads, run.tables, run.making) = ([:], [:], true)
        guard let connection = run.connection else { return }
        run.connection = nil
        // Nothing to keep: the run only read, and its tables go with the transaction.
        _ = try? connection.rows(of: "ROLLBACK")
    }

    /// The run's connection, its transaction begun.
    private func connection() throws(Diagnostics) -> PostgresConnection {
        if let connection = run.connection { return connection }
        let connection = try PostgresConnection(url: source.url)
        // The dialect's settings (PostgreSQL's: no JIT compiling); a server without one keeps
        // its own.
        if !model.dialect.runSettings.isEmpty { _ = try? connection.rows(of: model.dialect.runSettings) }
        _ = try connection.rows(of: "BEGIN ISOLATION LEVEL REPEATABLE READ")
        run.connection = connection
        return connection
    }

    /// The rows of `sql`: in the run's transaction, or on a connection of its own outside one.
    private func rows(of sql: String) throws(Diagnostics) -> [[String?]] {
        guard run.depth > 0 else { return try source.rows(of: sql) }
        return try connection().rows(of: sql)
    }

    /// Counts the facts a query of the run reads, and makes those read a second time into
    /// temporary tables: whether it made any. A table the database refuses to make (a
    /// standby, a role without TEMP) is undone to its savepoint, and the run makes no more.
    private func make(_ facts: [DatabaseModel.Facts]) -> Bool {
        guard run.depth > 0 else { return false }
        var made = false
        for f in facts where run.tables[f.key] == nil {
            run.reads[f.key, default: 0] += 1
            guard run.making, run.reads[f.key, default: 0] > 1 else { continue }
            let (table, making) = model.dialect.temporaryTable(run.tables.count + 1, holding: "SELECT * FROM \(f.sql) AS f")
            do throws(Diagnostics) {
                let c = try connection()
                _ = try c.rows(of: "SAVEPOINT dun_facts")
                do throws(Diagnostics) {
                    _ = try c.rows(of: making)
                    run.tables[f.key] = table
                    run.made += 1
                    made = true
                } catch {
                    run.making = false
                    _ = try c.rows(of: "ROLLBACK TO SAVEPOINT dun_facts")
                }
            } catch {
                run.making = false
            }
        }
        return made
    }

    func outcome(of query: CheckedPipeline, _ interpreter: Interpreter, schema: Schema) throws(RuntimeError) -> Outcome {
        let sql: String
        do throws(SQLUnsupported) {
            var model = self.model
            model.materialized = run.tables
            var compiled = try model.compiled(query, interpreter)
            if make(compiled.facts) {
                model.materialized = run.tables
                compiled = try model.compiled(query, interpreter)
            }
            sql = compiled.sql
        } catch {
            throw RuntimeError(
                error.message, error.range,
                hint: "--engine postgres runs what compiles (dun sql); --engine memory runs everything")
        }
        let rows: [[String?]]
        do throws(Diagnostics) {
            rows = try self.rows(of: sql)
        } catch {
            throw RuntimeError(error.all.first?.message ?? "the database failed", query.range)
        }
        guard case .table(let row) = query.type else {
            return .value(try value(rows.first?.first ?? nil, query.type, query), query.type)
        }
        var columns = row.columns
        if let e = row.entity {
            columns = schema[e].display.map { Column(name: schema[e].fields[$0].name, type: schema[e].fields[$0].type) } + columns
        }
        var values = columns.map { _ in [Value]() }
        for r in rows {
            for (c, column) in columns.enumerated() { values[c].append(try value(c < r.count ? r[c] : nil, column.type, query)) }
        }
        let frame = Frame(entity: nil, rows: [], columns: columns, values: values, count: rows.count)
        return try interpreter.charted(query, frame) ?? .table(frame)
    }

    /// A value as PostgreSQL writes it, as the type the checker gave its column.
    private func value(_ text: String?, _ type: DunType, _ query: CheckedPipeline) throws(RuntimeError) -> Value {
        guard let text else { return .null }
        let made: Value?
        switch type {
        case .string: made = .string(text)
        case .number: made = Decimal64(parsing: Substring(text)).map(Value.number)
        case .money: made = (try? Money.parse(text, currency: model.currency).get()).map(Value.money)
        case .date: made = Day(iso: text).map(Value.date)
        case .bool: made = text == "t" ? .bool(true) : text == "f" ? .bool(false) : nil
        case .grade: made = Grade(letter: text).map(Value.grade)
        case .bucket: made = AgingBucket(name: text).map(Value.bucket)
        default: made = nil
        }
        guard let made else {
            throw RuntimeError("the database gave '\(text)' for a \(type.name(in: Receivables.schema))", query.range)
        }
        return made
    }
}

extension Session {
    /// A session whose queries run in the database of the workspace in `directory`
    /// (`[source] url`), as of `asOf`: its data is never loaded.
    public static func openDatabase(directory: String, asOf: Day, format: OutputFormat = .table) throws(Diagnostics) -> Session {
        let settings: WorkspaceSettings
        let folder: String?
        if PostgresSource.isURL(directory) {
            (settings, folder) = (try Session.settings(database: directory), nil)
        } else {
            (settings, folder) = (try WorkspaceSettings.load(workspace: directory), directory)
        }
        guard let source = settings.source else {
            throw Diagnostics([
                Diagnostic(
                    .error, "--engine postgres runs queries in the workspace's database, and its dun.toml names none",
                    hint: "[source] url = \"postgresql://user@host/database\"")
            ])
        }
        let model = try DatabaseModel(settings: settings, directory: folder, asOf: asOf)
        // What the loader refuses and compiled queries would count wrong, each check on a
        // connection of its own, all at once: the server runs them on as many cores. The
        // journal the queries replay is checked as a load checks it: each entry read back
        // and held to its checksum, a damaged one refused by name.
        let problems = concurrently(5) { k -> [Diagnostic] in
            do throws(Diagnostics) {
                switch k {
                case 0: try model.checkKeys(in: source)
                case 1: try model.checkPayments(in: source)
                case 2: try model.checkCurrencies(in: source)
                case 3: try model.checkRows(in: source)
                default:
                    if model.replaysJournal, let folder { _ = try Journal.openIfPresent(workspace: folder)?.entries() }
                }
                return []
            } catch {
                return error.all
            }
        }.flatMap { $0 }
        if !problems.isEmpty { throw Diagnostics(problems) }
        let session: Session
        do throws(Diagnostic) {
            session = try Session(workspace: Workspace(), asOf: asOf, format: format)
        } catch {
            throw Diagnostics([error])
        }
        session.settings = settings
        session.directory = folder
        session.database = DatabaseEngine(source: source, model: model)
        return session
    }

    /// How a database named on the command line is read: its tables named as the entities,
    /// their columns found as a file's are.
    static func settings(database url: String) throws(Diagnostics) -> WorkspaceSettings {
        var settings = WorkspaceSettings()
        settings.source = try PostgresSource(url: url)
        return settings
    }

    /// Loads the workspace from the database at `url` (`--data postgresql://…`): a session
    /// with no folder, so no journal, cache or policies of its own.
    public static func open(database url: String, asOf: Day, format: OutputFormat = .table) throws(Diagnostics) -> Session {
        let settings = try Session.settings(database: url)
        let workspace = try WorkspaceLoader.load(database: settings)
        let session = try onWorkspace(
            workspace, in: nil, asOf: asOf, format: format, interruption: Interruption(), rates: settings.rates)
        session.settings = settings
        return session
    }
}
