#!/usr/bin/env python3
"""Times Dun, DuckDB and the sqlite3 shell on the six questions of Benchmarks/questions.dun
and checks that their answers agree. Driven by Benchmarks/run; see Benchmarks/README.md.

    compare.py compare WORKSPACE --dun BIN [--runs N]     the three engines, one table
    compare.py scale WORKSPACE... --dun BIN [--runs N]    Dun alone, one row per workspace
    compare.py nightly WORKSPACE --dun BIN [--runs N]     the nightly job: plan, apply, outbox
    compare.py measures WORKSPACE --dun BIN [--runs N] [--engine postgres]
                                                          the standard library's measures (in the
                                                          database: those that compile to SQL)
    compare.py postgres WORKSPACE --dun BIN [--runs N]    the same from a PostgreSQL server
    compare.py compiled WORKSPACE --dun BIN [--runs N] [--citus]
                                                          the six compiled to SQL and run in
                                                          PostgreSQL (or Citus), against memory and
                                                          psql
    compare.py duckdb-worker WORKSPACE                    (internal) one DuckDB run, as JSON

Each engine runs in its own process under /usr/bin/time, so that its peak memory is its own
and every run starts cold, as an analyst's session would.
"""

import argparse
import csv
import datetime
import functools
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

AS_OF = "2026-11-28"
# q4 counts sales of the last 90 days: issued after as-of − 90 days.
SALES_FROM = (datetime.date.fromisoformat(AS_OF) - datetime.timedelta(days=90)).isoformat()
HERE = os.path.dirname(os.path.abspath(__file__))
QUESTIONS = os.path.join(HERE, "questions.dun")
NIGHTLY = os.path.join(HERE, "nightly.dun")
ORDERED = {3, 5}  # questions whose row order is part of the answer (sort … | take)


def half_away(n, d, div):
    """SQL for n / d rounded half away from zero to an integer, for integer n and d > 0.

    Exact, unlike dividing as DOUBLE: Dun's decimals round ties away from zero, and a ratio
    like 0.12345 is not exactly representable as a double. `div` is the integer division
    operator of the dialect (DuckDB's `/` is a float division; its `//` truncates).
    """
    return (f"(CASE WHEN ({n}) >= 0 THEN (2 * ({n}) + ({d})) {div} (2 * ({d}))"
            f" ELSE -((2 * -({n}) + ({d})) {div} (2 * ({d}))) END)")


# ---------------------------------------------------------------------------------------
# DuckDB: typed read_csv, money as DECIMAL(18,2) (sums stay exact), dates as DATE.
# The derived fields are views, computed by each question that uses them, as an analyst
# would write it; nothing is precomputed during the load.

def duckdb_load(ws):
    def read(name, columns):
        cols = ", ".join(f"'{c}': '{t}'" for c, t in columns)
        return f"CREATE TABLE {name} AS SELECT * FROM read_csv('{ws}/{name}.csv', header = true, columns = {{{cols}}})"
    money, text = "DECIMAL(18,2)", "VARCHAR"
    return [
        read("customers", [("id", text), ("name", text), ("region", text), ("grade", text), ("credit_limit", money),
                           ("currency", text), ("terms_days", "INTEGER"), ("collector", text), ("email", text),
                           ("phone", text), ("language", text)]),
        read("invoices", [("id", text), ("customer_id", text), ("issued", "DATE"), ("due", "DATE"), ("amount", money),
                          ("currency", text), ("disputed", "BOOLEAN")]),
        read("payments", [("id", text), ("customer_id", text), ("invoice_id", text), ("date", "DATE"), ("amount", money),
                          ("method", text)]),
    ]


def cents(x):
    return f"CAST(({x}) * 100 AS HUGEINT)"


DUCKDB_VIEWS = [f"""
CREATE VIEW invoice_facts AS
WITH applied AS (
    SELECT invoice_id, sum(amount) AS paid, max(date) AS last_paid
    FROM payments
    WHERE date <= DATE '{AS_OF}' AND invoice_id IS NOT NULL
    GROUP BY invoice_id),
balanced AS (
    SELECT i.*, i.amount - coalesce(a.paid, 0) AS balance,
           -- the day the last payment settled it (an invoice of 0 is settled when issued)
           coalesce(a.last_paid, i.issued) AS settled_on
    FROM invoices i LEFT JOIN applied a ON a.invoice_id = i.id
    WHERE i.issued <= DATE '{AS_OF}'),
aged AS (
    SELECT *, CASE WHEN balance > 0 THEN DATE '{AS_OF}' - due ELSE 0 END AS days_overdue
    FROM balanced)
SELECT *,
       CASE WHEN balance = 0 THEN NULL
            WHEN days_overdue <= 0 THEN 'current' WHEN days_overdue <= 30 THEN '1-30'
            WHEN days_overdue <= 60 THEN '31-60' WHEN days_overdue <= 90 THEN '61-90' ELSE '90+' END AS bucket
FROM aged""", f"""
CREATE VIEW customer_facts AS
WITH per_customer AS (
    SELECT customer_id,
           sum(balance) FILTER (balance > 0) AS open_balance,
           sum(balance) FILTER (balance > 0 AND days_overdue > 0) AS overdue_balance,
           max(days_overdue) FILTER (balance > 0 AND days_overdue > 0) AS overdue,
           sum(settled_on - issued) FILTER (balance = 0) AS days_to_pay,
           count(*) FILTER (balance = 0) AS settled
    FROM invoice_facts GROUP BY customer_id),
unapplied AS (
    SELECT customer_id, sum(amount) AS unapplied
    FROM payments
    WHERE date <= DATE '{AS_OF}' AND invoice_id IS NULL
    GROUP BY customer_id),
totals AS (
    SELECT c.*, coalesce(p.open_balance, 0) - coalesce(u.unapplied, 0) AS balance,
           coalesce(p.overdue_balance, 0) AS overdue_balance, coalesce(p.overdue, 0) AS overdue,
           p.days_to_pay, p.settled
    FROM customers c
    LEFT JOIN per_customer p ON p.customer_id = c.id
    LEFT JOIN unapplied u ON u.customer_id = c.id)
SELECT *,
       CASE WHEN credit_limit > 0
            THEN {half_away(cents('balance') + ' * 10000', cents('credit_limit'), '//')} * 0.0001 END AS utilization,
       CASE WHEN settled > 0 THEN {half_away('days_to_pay * 10', 'settled', '//')} * 0.1 END AS avg_days_to_pay
FROM totals"""]

# Dun's dso: money ÷ money to 6 places, × 90, then round(…, 1); each step half away from zero.
DSO = lambda div, r, s: half_away(half_away(f"{r} * 1000000", s, div) + " * 90", "100000", div)
BUCKET_ORDER = "CASE bucket WHEN 'current' THEN 0 WHEN '1-30' THEN 1 WHEN '31-60' THEN 2 WHEN '61-90' THEN 3 ELSE 4 END"
LEVEL = ("CASE WHEN days_overdue <= 14 THEN 1 WHEN days_overdue <= 30 THEN 2"
         " WHEN days_overdue <= 60 THEN 3 ELSE 4 END")

# Question 4's receivables and sales of the last 90 days by region, as DuckDB and
# PostgreSQL write them.
REGIONS = f"""WITH sales AS (
            SELECT customer_id, sum(amount) AS sales FROM invoices
            WHERE issued > DATE '{SALES_FROM}' AND issued <= DATE '{AS_OF}' GROUP BY customer_id),
        regions AS (
            SELECT c.region, sum(c.balance) AS receivables, sum(s.sales) AS sales_90_days
            FROM customer_facts c LEFT JOIN sales s ON s.customer_id = c.id GROUP BY c.region)
        """

DUCKDB_QUESTIONS = [
    """SELECT id, name, grade, overdue, overdue_balance FROM customer_facts
       WHERE overdue > 30 AND grade IN ('C', 'D', 'E') ORDER BY id""",
    f"""SELECT c.region, f.bucket, count(*) AS invoices, sum(f.balance) AS balance
        FROM invoice_facts f JOIN customers c ON c.id = f.customer_id
        WHERE f.balance > 0
        GROUP BY c.region, f.bucket ORDER BY c.region NULLS LAST, {BUCKET_ORDER}""",
    """SELECT id, name, balance, credit_limit, utilization FROM customer_facts
       ORDER BY balance DESC, id LIMIT 20""",
    REGIONS + f"""SELECT region, receivables, sales_90_days,
               {DSO('//', cents('receivables'), cents('sales_90_days'))} * 0.1 AS dso
        FROM regions ORDER BY region NULLS LAST""",
    """SELECT id, name, grade, avg_days_to_pay, terms_days FROM customer_facts
       WHERE avg_days_to_pay IS NOT NULL ORDER BY avg_days_to_pay DESC, id LIMIT 50""",
    f"""SELECT {LEVEL} AS level, count(*) AS invoices, sum(balance) AS balance
        FROM invoice_facts WHERE balance > 0 AND NOT disputed AND days_overdue > 0
        GROUP BY level ORDER BY level""",
]


# The six questions by hand in PostgreSQL, over views of the same facts (numeric is exact:
# no cents needed). Temporary views, so that nothing stays in the database.
PG_VIEWS = [f"""
CREATE TEMP VIEW invoice_facts AS
WITH applied AS (
    SELECT invoice_id, sum(amount) AS paid, max(date) AS last_paid FROM payments
    WHERE date <= DATE '{AS_OF}' AND invoice_id IS NOT NULL GROUP BY invoice_id),
balanced AS (
    SELECT i.*, i.amount - coalesce(a.paid, 0) AS balance, coalesce(a.last_paid, i.issued) AS settled_on
    FROM invoices i LEFT JOIN applied a ON a.invoice_id = i.id WHERE i.issued <= DATE '{AS_OF}'),
aged AS (
    SELECT *, CASE WHEN balance > 0 THEN DATE '{AS_OF}' - due ELSE 0 END AS days_overdue FROM balanced)
SELECT *,
       CASE WHEN balance = 0 THEN NULL
            WHEN days_overdue <= 0 THEN 'current' WHEN days_overdue <= 30 THEN '1-30'
            WHEN days_overdue <= 60 THEN '31-60' WHEN days_overdue <= 90 THEN '61-90' ELSE '90+' END AS bucket
FROM aged;""", f"""
CREATE TEMP VIEW customer_facts AS
WITH per_customer AS (
    SELECT customer_id,
           sum(balance) FILTER (WHERE balance > 0) AS open_balance,
           sum(balance) FILTER (WHERE balance > 0 AND days_overdue > 0) AS overdue_balance,
           max(days_overdue) FILTER (WHERE balance > 0 AND days_overdue > 0) AS overdue,
           sum(settled_on - issued) FILTER (WHERE balance = 0) AS days_to_pay,
           count(*) FILTER (WHERE balance = 0) AS settled
    FROM invoice_facts GROUP BY customer_id),
unapplied AS (
    SELECT customer_id, sum(amount) AS unapplied FROM payments
    WHERE date <= DATE '{AS_OF}' AND invoice_id IS NULL GROUP BY customer_id),
totals AS (
    SELECT c.*, coalesce(p.open_balance, 0) - coalesce(u.unapplied, 0) AS balance,
           coalesce(p.overdue_balance, 0) AS overdue_balance, coalesce(p.overdue, 0) AS overdue,
           p.days_to_pay, p.settled
    FROM customers c LEFT JOIN per_customer p ON p.customer_id = c.id LEFT JOIN unapplied u ON u.customer_id = c.id)
SELECT *, CASE WHEN credit_limit > 0 THEN round(balance / credit_limit, 4) END AS utilization,
       CASE WHEN settled > 0 THEN round(days_to_pay::numeric / settled, 1) END AS avg_days_to_pay
FROM totals;"""]

PG_QUESTIONS = [
    DUCKDB_QUESTIONS[0], DUCKDB_QUESTIONS[1], DUCKDB_QUESTIONS[2],
    REGIONS + f"""SELECT region, receivables, sales_90_days, round(receivables / sales_90_days * 90, 1) AS dso
        FROM regions ORDER BY region NULLS LAST""",
    DUCKDB_QUESTIONS[4], DUCKDB_QUESTIONS[5],
]


def run_psql(url):
    """The six questions by hand in psql, each timed by the server's round trip (\\timing)."""
    script = "\\timing on\n" + "\n".join(PG_VIEWS) + "\n" + ";\n".join(PG_QUESTIONS) + ";\n"
    wall, peak, out, err = measured(["psql", "-q", "-w", "--csv", "-v", "ON_ERROR_STOP=1", url], stdin=script)
    # After each statement its "Time: 12.345 ms"; before it, a question's rows under a header.
    times, answers, rows = [], [], []
    for line in out.splitlines():
        if m := re.fullmatch(r"Time: ([0-9.]+) ms.*", line):
            times.append(float(m.group(1)) / 1000)
            answers.append(rows[1:])
            rows = []
        elif line:
            rows.append(next(csv.reader([line])))
    if len(times) != len(PG_VIEWS) + 6:
        fail(f"psql timed {len(times)} statements, expected {len(PG_VIEWS) + 6}:\n{err}")
    return Run(wall, peak, None, times[len(PG_VIEWS):], answers[len(PG_VIEWS):])


def duckdb_worker(ws):
    """One cold DuckDB session; prints {"load": s, "questions": [s…], "answers": [rows…]}."""
    import duckdb
    start = time.perf_counter()
    con = duckdb.connect()  # in memory, all cores
    for sql in duckdb_load(ws) + DUCKDB_VIEWS:
        con.execute(sql)
    load = time.perf_counter() - start
    times, answers = [], []
    for sql in DUCKDB_QUESTIONS:
        t = time.perf_counter()
        rows = con.execute(sql).fetchall()
        times.append(time.perf_counter() - t)
        answers.append([["" if v is None else str(v) for v in row] for row in rows])
    json.dump({"load": load, "questions": times, "answers": answers}, sys.stdout)


# ---------------------------------------------------------------------------------------
# sqlite3 shell: .import into tables with primary keys ("with keys"), as the peer figures
# were measured; no other indexes (on customer_id or invoice_id the planner walks the index
# for GROUP BY and is about 2× slower than sorting, and the load takes 1.5 s longer).
# sqlite has no decimal type: amounts are imported as REAL and turned into integer cents
# (exact sums), dates stay ISO text (they sort as dates), and julianday() counts days.

SQLITE_TABLES = """
CREATE TABLE customers(id TEXT PRIMARY KEY, name TEXT, region TEXT, grade TEXT, credit_limit REAL,
    currency TEXT, terms_days INTEGER, collector TEXT, email TEXT, phone TEXT, language TEXT);
CREATE TABLE invoices(id TEXT PRIMARY KEY, customer_id TEXT, issued TEXT, due TEXT, amount REAL,
    currency TEXT, disputed TEXT);
CREATE TABLE payments(id TEXT PRIMARY KEY, customer_id TEXT, invoice_id TEXT, date TEXT, amount REAL,
    method TEXT);
"""


def sqlite_cents(x):
    return f"CAST(round(({x}) * 100) AS INTEGER)"


# .import stores an empty field as '' (not NULL): invoice_id = '' is unapplied cash,
# and nullif() turns a missing credit limit into NULL.
SQLITE_VIEWS = f"""
CREATE VIEW invoice_facts AS
WITH applied AS (
    SELECT invoice_id, sum({sqlite_cents('amount')}) AS paid, max(date) AS last_paid
    FROM payments
    WHERE date <= '{AS_OF}' AND invoice_id <> ''
    GROUP BY invoice_id),
balanced AS (
    SELECT i.id, i.customer_id, i.issued, i.due, i.disputed, {sqlite_cents('i.amount')} AS amount,
           {sqlite_cents('i.amount')} - coalesce(a.paid, 0) AS balance,
           coalesce(a.last_paid, i.issued) AS settled_on
    FROM invoices i LEFT JOIN applied a ON a.invoice_id = i.id
    WHERE i.issued <= '{AS_OF}'),
aged AS (
    SELECT *, CASE WHEN balance > 0 THEN CAST(julianday('{AS_OF}') - julianday(due) AS INTEGER) ELSE 0 END
              AS days_overdue
    FROM balanced)
SELECT *,
       CASE WHEN balance = 0 THEN NULL
            WHEN days_overdue <= 0 THEN 'current' WHEN days_overdue <= 30 THEN '1-30'
            WHEN days_overdue <= 60 THEN '31-60' WHEN days_overdue <= 90 THEN '61-90' ELSE '90+' END AS bucket
FROM aged;

CREATE VIEW customer_facts AS
WITH per_customer AS (
    SELECT customer_id,
           sum(balance) FILTER (WHERE balance > 0) AS open_balance,
           sum(balance) FILTER (WHERE balance > 0 AND days_overdue > 0) AS overdue_balance,
           max(days_overdue) FILTER (WHERE balance > 0 AND days_overdue > 0) AS overdue,
           sum(CAST(julianday(settled_on) - julianday(issued) AS INTEGER)) FILTER (WHERE balance = 0) AS days_to_pay,
           count(*) FILTER (WHERE balance = 0) AS settled
    FROM invoice_facts GROUP BY customer_id),
unapplied AS (
    SELECT customer_id, sum({sqlite_cents('amount')}) AS unapplied
    FROM payments
    WHERE date <= '{AS_OF}' AND invoice_id = ''
    GROUP BY customer_id),
totals AS (
    SELECT c.id, c.name, c.region, c.grade, c.terms_days,
           {sqlite_cents("nullif(c.credit_limit, '')")} AS credit_limit,
           coalesce(p.open_balance, 0) - coalesce(u.unapplied, 0) AS balance,
           coalesce(p.overdue_balance, 0) AS overdue_balance, coalesce(p.overdue, 0) AS overdue,
           p.days_to_pay, p.settled
    FROM customers c
    LEFT JOIN per_customer p ON p.customer_id = c.id
    LEFT JOIN unapplied u ON u.customer_id = c.id)
SELECT *,
       CASE WHEN credit_limit > 0 THEN {half_away('balance * 10000', 'credit_limit', '/')} / 10000.0 END AS utilization,
       CASE WHEN settled > 0 THEN {half_away('days_to_pay * 10', 'settled', '/')} / 10.0 END AS avg_days_to_pay
FROM totals;
"""

# Money leaves as cents / 100.0: the shell prints a REAL with 15 significant digits, which
# gives back the exact decimal for any amount below 10^13.
SQLITE_QUESTIONS = [
    """SELECT id, name, grade, overdue, overdue_balance / 100.0 FROM customer_facts
       WHERE overdue > 30 AND grade IN ('C', 'D', 'E') ORDER BY id;""",
    f"""SELECT c.region, f.bucket, count(*), sum(f.balance) / 100.0
        FROM invoice_facts f JOIN customers c ON c.id = f.customer_id
        WHERE f.balance > 0
        GROUP BY c.region, f.bucket ORDER BY c.region IS NULL, c.region, {BUCKET_ORDER};""",
    """SELECT id, name, balance / 100.0, credit_limit / 100.0, utilization FROM customer_facts
       ORDER BY balance DESC, id LIMIT 20;""",
    # Integers up to 9.2e18: receivables × 2·10^6 fits for regions below ~4.6e12 cents (10M invoices).
    f"""WITH sales AS (
            SELECT customer_id, sum({sqlite_cents('amount')}) AS sales FROM invoices
            WHERE issued > '{SALES_FROM}' AND issued <= '{AS_OF}' GROUP BY customer_id),
        regions AS (
            SELECT c.region, sum(c.balance) AS receivables, sum(s.sales) AS sales_90_days
            FROM customer_facts c LEFT JOIN sales s ON s.customer_id = c.id GROUP BY c.region)
        SELECT region, receivables / 100.0, sales_90_days / 100.0,
               {DSO('/', 'receivables', 'sales_90_days')} / 10.0
        FROM regions ORDER BY region IS NULL, region;""",
    """SELECT id, name, grade, avg_days_to_pay, terms_days FROM customer_facts
       WHERE avg_days_to_pay IS NOT NULL ORDER BY avg_days_to_pay DESC, id LIMIT 50;""",
    f"""SELECT {LEVEL} AS level, count(*), sum(balance) / 100.0
        FROM invoice_facts WHERE balance > 0 AND disputed = 'false' AND days_overdue > 0
        GROUP BY level ORDER BY level;""",
]

# The shell has no clock of its own for dot-commands (.timer skips .import), so the script
# prints the time between phases; julianday('now') has millisecond resolution.
MARK = "SELECT '#mark', (julianday('now') - 2440587.5) * 86400.0;"


def sqlite_script(ws):
    imports = "\n".join(f".import --csv --skip 1 '{ws}/{t}.csv' {t}" for t in ("customers", "invoices", "payments"))
    parts = [".bail on", ".headers off", ".mode csv", MARK, SQLITE_TABLES, imports, SQLITE_VIEWS, MARK]
    for q in SQLITE_QUESTIONS:
        parts += [q, MARK]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------------------
# Running a process: wall time, peak RSS, output.

def fail(message):
    """Stops with status 2: status 1 means that the answers disagree."""
    print(message, file=sys.stderr)
    sys.exit(2)


def measured(cmd, stdin=None):
    """Runs cmd under /usr/bin/time; returns (wall seconds, peak MiB, stdout, stderr)."""
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name] + cmd, input=stdin,
                           capture_output=True, text=True)
        wall = time.perf_counter() - start
        if p.returncode != 0:
            fail(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
        peak = int(rss.read().split()[-1]) / 1024  # KiB → MiB
    return wall, peak, p.stdout, p.stderr


class Run:
    """One cold run of an engine: load, q1..q6 (None when not measured), answers per question."""

    def __init__(self, wall, peak, load, questions, answers):
        self.wall, self.peak, self.load, self.questions, self.answers = wall, peak, load, questions, answers

    @property
    def total(self):
        """Load + six as the engine timed them; the wall time when it timed nothing."""
        if self.load is None or None in self.questions:
            return self.wall
        return self.load + sum(self.questions)


def question_of_line():
    """Line number → question, from the '# N.' comment heading each question in questions.dun."""
    owner, current = {}, None
    with open(QUESTIONS, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if m := re.match(r"#\s*(\d+)\.", line):
                current = int(m.group(1))
            owner[n] = current
    return owner


@functools.cache
def has_timings(dun):
    """Whether this dun has --timings (it is new); without it only the wall time is known."""
    return "--timings" in subprocess.run([dun, "--help"], capture_output=True, text=True).stdout


@functools.cache
def has_cache(dun):
    """Whether this dun keeps a cache of the workspace (it is new), which --no-cache turns off."""
    return "--no-cache" in subprocess.run([dun, "--help"], capture_output=True, text=True).stdout


def run_dun(dun, ws, cache=True, engine=None):
    """One run of the six questions. With `cache`, the workspace is read from its cache (written
    by an earlier run); without, the CSV files are parsed. With `engine` "postgres", each
    question is compiled to SQL and answered by the workspace's database."""
    options = ["--timings"] if has_timings(dun) else []
    if engine:
        options += ["--engine", engine]
    if has_cache(dun) and not cache:
        options.append("--no-cache")
    wall, peak, out, err = measured(
        [dun, "--data", ws, "--as-of", AS_OF, "--format", "csv"] + options + ["run", QUESTIONS])
    # stderr: "timing: load 0.412 s", "timing: questions.dun:12 0.023 s", "timing: total 0.6 s";
    # a load from the cache says so after the time.
    load, questions, owner = None, [None] * 6, question_of_line()
    for name, secs in re.findall(r"^timing: (\S+) ([0-9.]+) s(?: .*)?$", err, re.M):
        if name == "load":
            load = float(secs)
        elif m := re.match(r".*:(\d+)$", name):
            q = owner.get(int(m.group(1)))
            if q:
                questions[q - 1] = (questions[q - 1] or 0) + float(secs)
    # stdout: one CSV table per statement, separated by a blank line; the 4 tables of
    # question 6's ladder together make its answer.
    blocks = [[]]
    for row in csv.reader(io.StringIO(out, newline="")):
        if row:
            blocks[-1].append(row)
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    if len(blocks) < 9:
        fail(f"dun printed {len(blocks)} tables, expected 9")
    answers = []
    for b in blocks[:9]:
        header, rows = b[0], b[1:]
        # Tolerate stray lines (debug prints) that are not rows of this table.
        answers.append([r for r in rows if len(r) == len(header)])
    answers = answers[:5] + [sum(answers[5:9], [])]
    return Run(wall, peak, load, questions, answers)


def run_duckdb(ws):
    wall, peak, out, _ = measured([sys.executable, os.path.abspath(__file__), "duckdb-worker", ws])
    r = json.loads(out)
    return Run(wall, peak, r["load"], r["questions"], r["answers"])


def run_sqlite(ws):
    wall, peak, out, _ = measured(["/usr/bin/sqlite3", "-batch"], stdin=sqlite_script(ws))
    marks, answers, rows = [], [], []
    for row in csv.reader(io.StringIO(out, newline="")):
        if row and row[0] == "#mark":
            marks.append(float(row[1]))
            if len(marks) > 2:
                answers.append(rows)
            rows = []
        elif row:
            rows.append(row)
    spans = [b - a for a, b in zip(marks, marks[1:])]
    return Run(wall, peak, spans[0], spans[1:], answers)


# ---------------------------------------------------------------------------------------
# Checking: cells compare as exact decimals when they are numbers ("0.9960" = "0.996").

NUMBER = re.compile(r"-?\d+(\.\d+)?")


def cell(v):
    return (0, Decimal(v)) if NUMBER.fullmatch(v) else (1, v)


def disagreements(reference, other, name):
    """Messages naming each question where `other` differs from Dun, with the first differing row."""
    notes = []
    for q, (a, b) in enumerate(zip(reference, other), 1):
        ka, kb = [tuple(map(cell, r)) for r in a], [tuple(map(cell, r)) for r in b]
        if q not in ORDERED:
            ka, kb = sorted(ka), sorted(kb)
        if ka == kb:
            continue
        i = next((i for i, (x, y) in enumerate(zip(ka, kb)) if x != y), min(len(ka), len(kb)))
        show = lambda rows, i: ",".join(str(v) for _, v in rows[i]) if i < len(rows) else "(no row)"
        notes.append(f"q{q}: {name} differs from dun at row {i + 1} ({len(ka)} rows vs {len(kb)}):\n"
                     f"      dun:    {show(ka, i)}\n      {name + ':':7} {show(kb, i)}")
    return notes


# ---------------------------------------------------------------------------------------
# Reporting.

def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def secs(x):
    return "–" if x is None else f"{x:.3f}"


def ratio(a, b):
    return "–" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def invoices_in(ws):
    m = re.search(r"inv-(\d+)", ws)
    return int(m.group(1)) if m else None


def compare(args):
    engines = {"dun": lambda: run_dun(args.dun, args.workspace),
               "dun, csv": lambda: run_dun(args.dun, args.workspace, cache=False),
               "duckdb": lambda: run_duckdb(args.workspace),
               "sqlite3": lambda: run_sqlite(args.workspace)}
    # The first run after the CSV files change parses them and writes the cache; this one
    # makes sure that "dun" measures the runs after it. "dun, csv" parses them every time.
    print("writing dun's cache", file=sys.stderr, flush=True)
    run_dun(args.dun, args.workspace)
    runs = {name: [] for name in engines}
    for i in range(args.runs):
        for name, run in engines.items():  # interleaved, so a slow spell hits all three
            print(f"run {i + 1}/{args.runs}: {name}", file=sys.stderr, flush=True)
            runs[name].append(run())

    n = invoices_in(args.workspace)
    print(f"Six questions, {f'{n:,} invoices ' if n else ''}({args.workspace}), as of {AS_OF}; median of {args.runs} "
          f"run{'s' if args.runs > 1 else ''}, each a cold process; times in seconds")
    dun_load, dun_total = median(r.load for r in runs["dun"]), median(r.total for r in runs["dun"])
    rows = []
    for name, rs in runs.items():
        load, total = median(r.load for r in rs), median(r.total for r in rs)
        qs = [median(r.questions[q] for r in rs) for q in range(6)]
        peer = not name.startswith("dun")
        rows.append([name, secs(load)] + [secs(q) for q in qs] +
                    [secs(total), secs(median(r.wall for r in rs)), f"{median(r.peak for r in rs):.0f}",
                     ratio(dun_load, load) if peer else "", ratio(dun_total, total) if peer else ""])
    print(table(["engine", "load"] + [f"q{q}" for q in range(1, 7)] +
                ["load+six", "wall", "peak MiB", "dun÷ load", "dun÷ load+six"], rows))
    if dun_load is None:
        print("(dun printed no timing lines: its load+six is the wall time of its process)")

    print('("dun" reads the workspace from its cache, .dun/cache, as every run does while the CSV files are\n'
          'unchanged; "dun, csv" parses the CSV files, as the first run after they change does.)')
    notes = disagreements(runs["dun"][0].answers, runs["dun, csv"][0].answers, "dun, csv")
    for name in ("duckdb", "sqlite3"):
        notes += disagreements(runs["dun"][0].answers, runs[name][0].answers, name)
    if notes:
        print("\nANSWERS DISAGREE\n" + "\n".join(notes))
        return 1
    sizes = ", ".join(str(len(a)) for a in runs["dun"][0].answers)
    print(f"\nAnswers agree: all three engines, and dun with and without its cache, give the same rows for q1..q6 "
          f"({sizes} rows).")
    return 0


def scale(args):
    print(f"\nDun alone as the workspace grows; median of {args.runs} run{'s' if args.runs > 1 else ''}; times in seconds")
    rows, points = [], []
    for ws in args.workspaces:
        n = invoices_in(ws)
        # Every size gets as many runs: on this kind of machine one run at 10M can take half as
        # long again as the next, and the 10M ÷ 1M ratio is a target.
        runs = args.runs
        csv_runs, cached = [], []
        run_dun(args.dun, ws)  # writes the cache, if the workspace is large enough to have one
        for i in range(runs):
            print(f"scale {n:,}: run {i + 1}/{runs}", file=sys.stderr, flush=True)
            csv_runs.append(run_dun(args.dun, ws, cache=False))
            cached.append(run_dun(args.dun, ws))
        point = (n, median(r.load for r in csv_runs), median(r.total for r in csv_runs),
                 median(r.peak for r in csv_runs), median(r.load for r in cached), median(r.total for r in cached),
                 median(r.peak for r in cached))
        prev = points[-1] if points else None
        growth = lambda k: f"{ratio(point[k], prev[k])}×" if prev else ""
        rows.append([f"{n:,}"] + [x for k in range(1, 7) for x in (
            f"{point[k]:.0f}" if k in (3, 6) else secs(point[k]), growth(k))] + [str(runs)])
        points.append(point)
    print(table(["invoices", "csv: load", "× prev", "load+six", "× prev", "peak MiB", "× prev",
                 "cache: load", "× prev", "load+six", "× prev", "peak MiB", "× prev", "runs"], rows))
    if len(points) >= 2:
        (n0, *a), (n1, *b) = points[-2], points[-1]
        limit = 1.2 * n1 / n0  # 12× for 10× the invoices: near-linear growth
        verdict = lambda x, y: "–" if x is None or y is None else f"{y / x:.1f}×" + (" ✓" if y / x <= limit else " ✗")
        for what, k in (("csv", 0), ("cache", 3)):
            print(f"{what}: {n1:,} ÷ {n0:,} invoices: load {verdict(a[k], b[k])}, load+six {verdict(a[k + 1], b[k + 1])}, "
                  f"peak memory {verdict(a[k + 2], b[k + 2])} (target: ≤ {limit:g}×)")
    print("(Below 4 MiB of CSV there is no cache: both columns parse the files.)")
    return 0


def formats(args):
    """The same data in the plain schema and as a Chinese ERP writes it (`generate-workspace
    --erp`: Chinese headers, "1,234.50", 2026/11/28, 是/否): the six questions on each, parsed
    and from the cache; the answers must agree."""
    print(f"\nThe same workspace as a Chinese ERP writes it; median of {args.runs} run{'s' if args.runs > 1 else ''}; times in seconds")
    results = {}
    for label, ws in (("plain", args.plain), ("erp", args.erp)):
        run_dun(args.dun, ws)  # writes the cache
        parsed, cached = [], []
        for i in range(args.runs):
            print(f"formats {label}: run {i + 1}/{args.runs}", file=sys.stderr, flush=True)
            parsed.append(run_dun(args.dun, ws, cache=False))
            cached.append(run_dun(args.dun, ws))
        results[label] = (parsed, cached)
    if results["plain"][0][0].answers != results["erp"][0][0].answers:
        fail("the ERP-shaped workspace answers differently from the plain one")
    rows = []
    for label in ("plain", "erp"):
        parsed, cached = results[label]
        rows.append([label, secs(median(r.load for r in parsed)), secs(median(r.load for r in cached)),
                     f"{median(r.peak for r in parsed):.0f}"])
    p, e = (median(r.load for r in results[k][0]) for k in ("plain", "erp"))
    print(table(["workspace", "csv: load", "cache: load", "peak MiB"], rows))
    print(f"erp ÷ plain, parsing the files: {e / p:.2f}× (target: ≤ 1.3×); the six answers agree")
    return 0


def trend(args):
    """The overdue balance at 12 month ends in one query (`as_of` over `ends_of`), against one
    run that asks it once: the as-of date a parameter of evaluation, each day one snapshot."""
    one = "sum(customers.overdue_balance)"
    twelve = "ends_of(month, 2025-12-01, 2026-11-30) | select date, overdue = as_of(date, sum(customers.overdue_balance))"
    print(f"\nThe overdue trend at 12 month ends; median of {args.runs} run{'s' if args.runs > 1 else ''}; times in seconds")
    base = [args.dun, "--data", args.workspace, "--as-of", "2026-11-28", "-e"]
    measured(base + [one])  # writes the cache
    ones, twelves = [], []
    for i in range(args.runs):
        print(f"trend: run {i + 1}/{args.runs}", file=sys.stderr, flush=True)
        ones.append(measured(base + [one])[0])
        twelves.append(measured(base + [twelve])[0])
    o, t = median(ones), median(twelves)
    print(table(["query", "wall"], [["one date", secs(o)], ["12 month ends", secs(t)]]))
    print(f"12 month ends ÷ one date: {t / o:.2f}× (target: ≤ 3×)")
    return 0


MEASURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "measures.dun")


def measures(args):
    """Each statement of Benchmarks/measures.dun (one measure of the standard library), timed by
    Dun's own --timings after the workspace is loaded; median of the runs, against 0.3 s."""
    if args.engine == "postgres":
        return measures_compiled(args)
    with open(MEASURES, encoding="utf-8") as f:
        lines = f.read().split("\n")
    runs = []
    for i in range(args.runs):
        print(f"measures: run {i + 1}/{args.runs}", file=sys.stderr, flush=True)
        _, _, _, err = measured([args.dun, "--data", args.workspace, "--as-of", AS_OF, "--timings", "run", MEASURES])
        runs.append({int(line): float(t) for line, t in re.findall(r"^timing: measures\.dun:(\d+) ([0-9.]+) s", err, re.M)})
    n = invoices_in(args.workspace)
    print(f"\nThe standard library's measures, {f'{n:,} invoices' if n else args.workspace}, after the load; "
          f"median of {args.runs} run{'s' if args.runs > 1 else ''}; times in seconds (target: < 0.3 s each)")
    rows = []
    for line in sorted(runs[0]):
        text = lines[line - 1].strip()
        if text.startswith("import "):
            continue
        t = median(r[line] for r in runs)
        rows.append([text, secs(t), "" if t < 0.3 else "over"])
    print(table(["measure", "after load", ""], rows))
    return 0


def measures_compiled(args):
    """The measures of Benchmarks/measures.dun that compile to SQL (`dun sql`), run by PostgreSQL
    (`--engine postgres`) on the workspace copied into it, each timed by Dun's --timings; the
    others named with why not. Their answers must be the interpreter's, byte for byte."""
    with open(MEASURES, encoding="utf-8") as f:
        lines = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    imports = [line for line in lines if line.startswith("import ")]
    with Database() as db:
        db.load(args.workspace)
        compiling, refused = [], {}
        for m in (line for line in lines if not line.startswith("import ")):
            p = subprocess.run([args.dun, "sql", "--data", db.ws, "--as-of", AS_OF, "\n".join(imports + [m])],
                               capture_output=True, text=True)
            if p.returncode == 0:
                compiling.append(m)
            else:
                refused[m] = next((line.split("error: ", 1)[1] for line in p.stderr.splitlines() if "error: " in line), "?")
        script = os.path.join(db.ws, "measures.dun")
        with open(script, "w", encoding="utf-8") as f:
            f.write("\n".join(imports + compiling) + "\n")
        first = len(imports) + 1
        runs = []
        out = ""
        for i in range(args.runs):
            print(f"measures compiled: run {i + 1}/{args.runs}", file=sys.stderr, flush=True)
            _, _, out, err = measured([args.dun, "--data", db.ws, "--engine", "postgres", "--as-of", AS_OF, "--format",
                                       "csv", "--timings", "run", script])
            runs.append({int(k): float(t) for k, t in re.findall(r"^timing: measures\.dun:(\d+) ([0-9.]+) s", err, re.M)})
            load = re.search(r"^timing: load ([0-9.]+) s", err, re.M)
            runs[-1][0] = float(load.group(1)) if load else None
        _, _, memory, _ = measured([args.dun, "--data", args.workspace, "--as-of", AS_OF, "--format", "csv", "run", script])
        if memory != out:
            fail("the compiled measures answer differently from the interpreter")
    n = invoices_in(args.workspace)
    print(f"\nThe standard library's measures compiled to SQL and run by PostgreSQL, "
          f"{f'{n:,} invoices' if n else args.workspace}; median of {args.runs} run{'s' if args.runs > 1 else ''}; "
          f"times in seconds")
    rows = [[m, secs(median(r[first + k] for r in runs))] for k, m in enumerate(compiling)]
    rows += [[m, "does not compile: " + why] for m, why in refused.items()]
    if all(r.get(0) is not None for r in runs):
        rows.append(["(opening: the engine's checks)", secs(median(r[0] for r in runs))])
    print(table(["measure", "compiled"], rows))
    print("The compiled measures answer as the interpreter does, byte for byte.")
    return 0


def make_xlsx(args):
    """A copy of WORKSPACE whose invoices are an Excel workbook (date cells, number cells), as an
    ERP exports them; its customers and payments hard-linked."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    os.makedirs(args.target, exist_ok=True)
    for name in ("customers.csv", "payments.csv"):
        target = os.path.join(args.target, name)
        if os.path.exists(target):
            os.remove(target)
        os.link(os.path.join(args.workspace, name), target)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("应收明细")
    with open(os.path.join(args.workspace, "invoices.csv"), encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        ws.append(next(rows))
        for i, c, issued, due, amount, currency, disputed in rows:
            dates = []
            for d in (issued, due):
                cell = WriteOnlyCell(ws, value=datetime.date.fromisoformat(d))
                cell.number_format = "yyyy/mm/dd"
                dates.append(cell)
            ws.append([i, c, *dates, float(amount), currency, disputed == "true"])
    wb.save(os.path.join(args.target, "invoices.xlsx"))
    with open(os.path.join(args.target, "dun.toml"), "w", encoding="utf-8") as f:
        f.write('[invoices]\nfile = "invoices.xlsx"\n')
    return 0


def xlsx(args):
    """Loading a workspace whose invoices are a workbook of N rows, against the same as CSV."""
    print(f"\nInvoices as an Excel workbook; median of {args.runs} run{'s' if args.runs > 1 else ''}; times in seconds")
    rows = []
    for label, ws in (("csv", args.plain), ("xlsx", args.workbook)):
        runs = []
        for i in range(args.runs):
            print(f"xlsx {label}: run {i + 1}/{args.runs}", file=sys.stderr, flush=True)
            runs.append(run_dun(args.dun, ws, cache=False))
        rows.append((label, runs))
    if rows[0][1][0].answers != rows[1][1][0].answers:
        fail("the workbook answers differently from the CSV files")
    print(table(["invoices", "load", "peak MiB"],
                [[label, secs(median(r.load for r in runs)), f"{median(r.peak for r in runs):.0f}"] for label, runs in rows]))
    n = invoices_in(args.plain)
    print(f"{f'{n:,} rows' if n else 'the sheet'} of invoices.xlsx: load {secs(median(r.load for r in rows[1][1]))} s "
          f"(target: < 2 s); the six answers agree")
    return 0


def nightly_run(dun, ws, as_of):
    """One night: `dun run nightly.dun --apply`; its timings, counts and peak memory."""
    wall, peak, _, err = measured(
        [dun, "--data", ws, "--as-of", as_of, "--format", "csv", "--timings", "run", NIGHTLY, "--apply"])
    t = {name: float(x) for name, x in re.findall(r"^timing: (\S+) ([0-9.]+) s(?: .*)?$", err, re.M)}
    actions = re.search(r"^applied (\d+) action", err, re.M)
    messages = re.search(r"^wrote (\d+) message", err, re.M)
    phases = [t.get("load"), t.get("statements"), t.get("apply"), t.get("outbox")]
    return {"wall": wall, "peak": peak, "phases": phases,
            "total": None if None in phases else sum(phases),
            "actions": int(actions.group(1)) if actions else 0, "messages": int(messages.group(1)) if messages else 0}


def nightly(args):
    """The nightly job on a copy of WORKSPACE (its CSV files hard-linked, a dun.toml with a
    sender, no delivery command): the first night, from an empty journal and outbox, then the
    next day on the journal the first left (the steady state). Each run starts afresh."""
    night = args.workspace.rstrip("/") + "-night"
    os.makedirs(night, exist_ok=True)
    for name in ("customers.csv", "invoices.csv", "payments.csv"):
        target = os.path.join(night, name)
        if os.path.exists(target):
            os.remove(target)
        os.link(os.path.join(args.workspace, name), target)
    with open(os.path.join(night, "dun.toml"), "w", encoding="utf-8") as f:
        f.write('company = "Acme 贸易"\n[sender]\nname = "应收账款 Accounts Receivable"\nemail = "ar@acme.example"\n')
    trash = night + "-trash"

    def afresh():
        # The outbox is moved aside, not deleted: ext4 makes files slowly in a folder whose
        # thousands of files were just removed, which would be measured as the next night's.
        for name in os.listdir(os.path.join(night, ".dun")) if os.path.isdir(os.path.join(night, ".dun")) else []:
            if name.startswith("journal.sqlite"):
                os.remove(os.path.join(night, ".dun", name))
        if os.path.isdir(os.path.join(night, "outbox")):
            os.makedirs(trash, exist_ok=True)
            os.rename(os.path.join(night, "outbox"), os.path.join(trash, str(time.time_ns())))

    print("writing dun's cache", file=sys.stderr, flush=True)
    afresh()
    measured([args.dun, "--data", night, "--as-of", AS_OF, "--format", "csv", "run", NIGHTLY])
    next_day = (datetime.date.fromisoformat(AS_OF) + datetime.timedelta(days=1)).isoformat()
    firsts, nexts = [], []
    for i in range(args.runs):
        print(f"nightly: run {i + 1}/{args.runs}", file=sys.stderr, flush=True)
        afresh()
        firsts.append(nightly_run(args.dun, night, AS_OF))
        nexts.append(nightly_run(args.dun, night, next_day))
    afresh()
    subprocess.run(["rm", "-rf", trash])

    n = invoices_in(args.workspace)
    print(f"\nThe nightly job: `plan dunning --apply` with a sender, {f'{n:,} invoices' if n else args.workspace}; "
          f"median of {args.runs} run{'s' if args.runs > 1 else ''}, each a cold process; times in seconds")
    rows = []
    for label, day, rs in (("first night", AS_OF, firsts), ("next day", next_day, nexts)):
        phases = [median(r["phases"][k] for r in rs) for k in range(4)]
        rows.append([label, day, str(rs[0]["actions"]), str(rs[0]["messages"])] + [secs(p) for p in phases] +
                    [secs(median(r["total"] for r in rs)), secs(median(r["wall"] for r in rs)),
                     f"{median(r['peak'] for r in rs):.0f}"])
    print(table(["night", "as of", "actions", "messages", "load", "plan", "apply", "outbox",
                 "load+plan+apply+outbox", "wall", "peak MiB"], rows))
    print("(plan: the script's statement; apply: the actions journaled in one transaction; outbox: the reminders\n"
          "rendered, written to outbox/ and recorded queued. The next day runs on the first night's journal.)")
    return 0


# Column types in the benchmark's database, as an ERP's database types them; text otherwise.
PG_TYPES = {"credit_limit": "numeric(18,2)", "terms_days": "integer", "issued": "date", "due": "date",
            "amount": "numeric(18,2)", "disputed": "boolean", "date": "date"}


class Database:
    """WORKSPACE copied into a PostgreSQL server of the benchmark's own (Tests/postgres/server, on
    loopback, stopped when done), typed as an ERP's database types it, with a workspace folder
    whose dun.toml names it ([source]). With `citus`, the server is Citus's (shards on its one
    node) and the tables are split as SQLTests split them: customers on every node, invoices
    and payments by customer."""

    def __init__(self, citus=False):
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.server = os.path.join(root, "Tests", "postgres", "server")
        self.citus = citus
        start = [self.server, "start"] + (["--citus"] if citus else [])
        self.folder = subprocess.run(start, capture_output=True, text=True, check=True).stdout.strip()

    def __enter__(self):
        return self

    def load(self, workspace):
        self.url = open(os.path.join(self.folder, "url")).read().strip()
        os.environ["PGPASSWORD"] = open(os.path.join(self.folder, "password")).read().strip()
        script = []
        for name in ("customers", "invoices", "payments"):
            path = os.path.join(workspace, name + ".csv")
            with open(path, encoding="utf-8") as f:
                header = next(csv.reader(f))
            columns = ", ".join(f'"{c}" {PG_TYPES.get(c, "text")}' for c in header)
            script += [f"CREATE TABLE {name} ({columns});",
                       f"\\copy {name} FROM '{path}' WITH (FORMAT csv, HEADER true)"]
        if self.citus:
            script += ["SELECT create_reference_table('customers');",
                       "SELECT create_distributed_table('invoices', 'customer_id');",
                       "SELECT create_distributed_table('payments', 'customer_id', colocate_with => 'invoices');",
                       "SELECT truncate_local_data_after_distributing_table(t) FROM unnest(ARRAY['customers', 'invoices', 'payments']) AS t;"]
        script.append("ANALYZE;")
        start = time.perf_counter()
        subprocess.run(["psql", "-q", "-w", "-v", "ON_ERROR_STOP=1", self.url], input="\n".join(script) + "\n",
                       text=True, check=True, stdout=subprocess.DEVNULL)
        print(f"copied into PostgreSQL in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        self.ws = tempfile.mkdtemp(prefix="dun-pg-workspace-")
        with open(os.path.join(self.ws, "dun.toml"), "w") as f:
            f.write(f'[source]\nurl = "{self.url}"\n')
        return self

    def __exit__(self, *_):
        subprocess.run([self.server, "stop", self.folder], check=False)


def postgres(args):
    """The six questions asked of the workspace read from PostgreSQL (COPY, through dun.toml's
    [source]) and from its CSV files; the answers must agree."""
    with Database() as db:
        db.load(args.workspace)
        ws = db.ws
        runs = {"csv files": [], "postgresql": []}
        for i in range(args.runs):
            print(f"postgres: run {i + 1}/{args.runs}", file=sys.stderr, flush=True)
            runs["csv files"].append(run_dun(args.dun, args.workspace, cache=False))
            runs["postgresql"].append(run_dun(args.dun, ws, cache=False))
        notes = disagreements(runs["csv files"][0].answers, runs["postgresql"][0].answers, "pg")
        if notes:
            fail("the database answers differently from the files:\n" + "\n".join(notes))
        print(f"\nThe six questions, {args.workspace} from its CSV files and from PostgreSQL (COPY); "
              f"median of {args.runs} runs, each a cold process, no cache; times in seconds")
        rows = [[label, secs(median(r.load for r in rs)), secs(median(sum(r.questions) for r in rs)),
                 secs(median(r.wall for r in rs)), f"{median(r.peak for r in rs):.0f}"] for label, rs in runs.items()]
        print(table(["source", "load", "six", "wall", "peak MiB"], rows))
        print("The answers agree.")
        return 0


def compiled(args):
    """The six questions answered three ways: by Dun in memory (its CSV files, from the cache),
    compiled to SQL by Dun and answered by PostgreSQL (`--engine postgres`: nothing loaded),
    and written by hand in psql over views of the same facts. Dun's two answers must agree;
    the hand-written ones are checked too."""
    with Database(citus=args.citus) as db:
        db.load(args.workspace)
        run_dun(args.dun, args.workspace)  # the cache, written once
        runs = {"memory": [], "compiled": [], "psql": []}
        for i in range(args.runs):
            print(f"compiled: run {i + 1}/{args.runs}", file=sys.stderr, flush=True)
            runs["memory"].append(run_dun(args.dun, args.workspace))
            runs["compiled"].append(run_dun(args.dun, db.ws, engine="postgres"))
            runs["psql"].append(run_psql(db.url))
        notes = disagreements(runs["memory"][0].answers, runs["compiled"][0].answers, "compiled")
        if notes:
            fail("the compiled queries answer differently from the interpreter:\n" + "\n".join(notes))
        by_hand = disagreements(runs["memory"][0].answers, runs["psql"][0].answers, "psql")
        n = invoices_in(args.workspace)
        engine = "Citus (one node, tables split by customer)" if args.citus else "PostgreSQL"
        print(f"\nThe six questions, {f'{n:,} invoices' if n else args.workspace}: Dun in memory (from its cache, "
              f"after the load), compiled to SQL by Dun and run by {engine} (nothing loaded), and written by hand "
              f"in psql; median of {args.runs} runs; times in seconds")
        rows = [[f"Q{q + 1}"] + [secs(median(r.questions[q] for r in rs)) for rs in runs.values()] for q in range(6)]
        rows.append(["six"] + [secs(median(sum(r.questions) for r in rs)) for rs in runs.values()])
        rows.append(["load"] + [secs(median(r.load for r in runs["memory"])), "-", "-"])
        rows.append(["wall"] + [secs(median(r.wall for r in rs)) for rs in runs.values()])
        rows.append(["peak MiB"] + [f"{median(r.peak for r in rs):.0f}" for rs in runs.values()])
        print(table(["", "memory", "compiled", "psql"], rows))
        print("Compiled and in memory, the answers agree." + ("" if not by_hand else
              " By hand, psql differs:\n" + "\n".join(by_hand)))
        return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compare")
    c.add_argument("workspace")
    s = sub.add_parser("scale")
    s.add_argument("workspaces", nargs="+")
    n = sub.add_parser("nightly")
    n.add_argument("workspace")
    x = sub.add_parser("xlsx")
    x.add_argument("plain")
    x.add_argument("workbook")
    m = sub.add_parser("make-xlsx")
    m.add_argument("workspace")
    m.add_argument("target")
    f = sub.add_parser("formats")
    f.add_argument("plain")
    f.add_argument("erp")
    t = sub.add_parser("trend")
    t.add_argument("workspace")
    ms = sub.add_parser("measures")
    ms.add_argument("workspace")
    ms.add_argument("--engine", choices=["memory", "postgres"], default="memory")
    pg = sub.add_parser("postgres")
    pg.add_argument("workspace")
    cp = sub.add_parser("compiled")
    cp.add_argument("workspace")
    cp.add_argument("--citus", action="store_true", help="on Citus (installed by hand), the tables distributed")
    for p_ in (c, s, n, f, x, t, ms, pg, cp):
        p_.add_argument("--dun", required=True)
        p_.add_argument("--runs", type=int, default=5)
    w = sub.add_parser("duckdb-worker")
    w.add_argument("workspace")
    args = p.parse_args()
    if args.command == "duckdb-worker":
        return duckdb_worker(args.workspace)
    if args.command == "make-xlsx":
        return make_xlsx(args)
    return {"compare": compare, "scale": scale, "nightly": nightly, "formats": formats, "xlsx": xlsx, "trend": trend,
            "measures": measures, "postgres": postgres, "compiled": compiled}[
        args.command](args)


if __name__ == "__main__":
    sys.exit(main())
