#!/usr/bin/env python3
"""Hostile data and SQL injection (docs/reliability.md).

1. A grep of the library for string-built SQL. Every place SQL text reaches
   SQLite (or one of our helpers that passes it on) must get a literal, a
   static table, or text built with numbers only; user values go in as bound
   parameters. A new call site that is none of these fails here until it is
   reviewed and listed below with its reason.
2. Injections and hostile names through the language, the CSV import and the
   exports: quotes, '--', ';', SQL fragments, control characters, bytes that
   are not UTF-8, a 1 MB name. Each is stored and read back exactly or
   refused with a located error, and the database is intact afterwards.

usage: hostile_check.py TSUNAGI SAMPLE_DIR SOURCE_ROOT
"""
import csv
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

TSUNAGI, SAMPLE, ROOT = sys.argv[1:4]
failures = []
tried = 0


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


# ---- 1. the grep ----------------------------------------------------------------------

# (function, index of its SQL argument)
SINKS = {
    "sqlite3_prepare_v2": 1, "sqlite3_prepare_v3": 1, "sqlite3_prepare": 1, "sqlite3_exec": 1,
    "store_exec": 1, "store_prepare": 1, "qry_result_from_sql": 1,
    "qry_sql_add": 1, "qry_sql_add_t": 1,  # query/sqlbind.c: the statement builder
    "qry_sql_exec": 2,                     # query/sqlbind.c: one statement with bound values
    "qry_mut_sql": 1,                      # query/mutate.c, mutate_tie.c
    "each_row": 1,                         # store/netread.c: the network's rows
}
# Arguments that are not literals, each with why it holds no user text.
ALLOWED = {
    "q->sql.data": "built only through qry_sql_add/qry_sql_add_t, themselves checked",
    "stmts": "store_exec's own parameter", "text": "store_prepare's own parameter",
    "sql": "the parameter of a checked helper (qry_result_from_sql, qry_mut_sql, qry_sql_exec, each_row)",
    "q[i].sql": "store/netread.c: the network reader's static queries",
    "t->sql": "store/export.c: a static table of queries", "r->sql": "store/hsds_export.c: a static table",
    "tops[q]": "store/hsds_export.c: two static queries for the package's city",
    "stmt_sql[i]": "store/import.c: static INSERTs", "clear_sql": "store/import.c: a static DELETE script",
    "migrations[v].sql": "store/store.c: static schema", "by_kind[k]": "query/session.c: static queries",
    "parts[i].sql": "query/summary.c: static queries",
    "dated_views": "query/sqlfunc.c: the static CREATE TEMP VIEW script of the dated views (AS OF)",
    "dated_tables": "query/sqlfunc.c: the static script copying the dated views into indexed TEMP tables",
    "dated_names[i].drop_view": "query/sqlfunc.c drop_dated: static DROP VIEW literals, one per dated name",
    "dated_names[i].drop_table": "query/sqlfunc.c drop_dated: static DROP TABLE literals, one per dated name",
    "select.data": "store/check_rows.c scan_open: a SELECT of the names in its static table of column checks",
    "kinds_sql": "store/check.c: a static query",
    "order_sql": "store/check.c: the static query of the history's order",
    "title_sql": "query/show.c: the static query of the title's name of the day",
    "pragma": "snprintf with %d only (checked below)", "upd": "sqlite3_mprintf with %lld only (checked below)",
    "f->sql": "query/where.c: the static field table", "qry_kinds[0].from": "query/where.c: the static kind table",
    "t->kind->from": "the static kind table", "t->kind->scope": "the static kind table",
    "alias": "an alias the builder numbers itself (t1, t2, …)", "op_sql(op)": "one of six literal operators",
    "name_sql[m->type]": "query/mutate.c: static statements by node type", "in_sql[m->type]": "the same",
    "text_sql[c]": "the same", "insert_sql[m->type]": "the same", "delete_sql[m->type]": "the same",
    "program_lists[i]": "query/mutate.c: static DELETEs", "sql[l]": "engine/network.c: the loader's static queries",
    "sql[c][0]": "query/mutate.c: static list statements", "sql[c][1]": "the same",
    "t.kind->select": "the static kind table",
    "ch": "query/eval.c COUNT BY ward: one character of the static kind table's scope",
    "vocab": "query/eval.c COUNT BY: one of five literal vocabulary kinds, chosen by the keyword",
    "match": "query/eval.c COUNT BY: one of seven literal conditions, chosen by the keyword",
    "level": "query/eval.c COUNT BY ward/school_district: one of two literal level names, chosen by the keyword",
    "forum": "query/eval.c COUNT BY forum: one of two literal conditions, chosen by the kind",
    "when": "store/export.c any_row: the static dated_tables[k].when queries",
    "stmts[k]": "store/import_asof.c: static UPDATE/DELETE/INSERT statements chosen from its static tables",
    "q[i]": "store/netread.c mark_gone: static queries",
    "since_sql[m->type]": "query/mutate.c: static statements by node type", "period_sql[m->type]": "the same",
    "end_sql[m->type]": "the same", "fields[k].sql": "query/mutate_history.c: the static field table",
    "sql[m->type]": "query/mutate.c verified: static UPDATEs by node type",
    "ended_sql[m->type]": "query/mutate_period.c: static statements by node type",
    "back_sql[table]": "store/import_asof.c reopen: static SELECTs by table",
    "i ? by[t].open : by[t].keep": "store/period.c store_reopen: static statements by table",
}
# Sinks that are local helpers of one file.
LOCAL = {"each_row": "store/netread.c"}
SQL_START = re.compile(r'^\s*"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|WITH|PRAGMA|ATTACH|REPLACE|ALTER)\b', re.I)
PRINTF = re.compile(r"\b(snprintf|sqlite3_mprintf|sqlite3_snprintf|util_printf|util_buf_printf|asprintf)\s*\(")


def call_args(text, start):
    """The top-level arguments of the call whose '(' is at text[start]."""
    depth, args, cur, i, quote = 0, [], "", start, None
    while i < len(text):
        c = text[i]
        if quote:
            cur += c
            if c == "\\":
                cur += text[i + 1]
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
            cur += c
        elif c == "(":
            depth += 1
            if depth > 1:
                cur += c
        elif c == ")":
            depth -= 1
            if depth == 0:
                args.append(cur.strip())
                return args
            cur += c
        elif c == "," and depth == 1:
            args.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    return args


def strip_comments(text):
    """C source without comments, string literals kept as they are."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            out.append(" " + "\n" * text.count("\n", i, j))
            i = j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = j if j >= 0 else n
        else:
            out.append(c)
            i += 1
    return "".join(out)


MACROS = {}  # NAME -> its definition, for literals spelled through a macro
FMACROS = set()  # function-like macros whose body is literals and their parameters


def function_macros(text):
    """NAME(a, b) macros whose body is only string literals and the parameters."""
    found = set()
    for d in re.finditer(r"^#define\s+([A-Z][A-Z0-9_]*)\(([^)]*)\)\s+((?:\\\n|[^\n])*)", text, re.M):
        params = {x.strip() for x in d.group(2).split(",")}
        body = d.group(3).replace("\\\n", " ")
        parts = re.findall(r'"(?:[^"\\]|\\.)*"|\w+|\S', body)
        if parts and all(x.startswith('"') or x in params for x in parts):
            found.add(d.group(1))
    return found


def literal_only(expr):
    """A string literal, literals side by side, or a ternary of those."""
    expr = re.sub(r"/\*.*?\*/", "", expr, flags=re.S).strip()
    while expr.startswith("(") and expr.endswith(")"):
        expr = expr[1:-1].strip()
    if "?" in expr and not expr.startswith('"'):
        cond, _, rest = expr.partition("?")
        a, _, b = rest.partition(":")
        return literal_only(a) and literal_only(b)
    # A function-like macro of literals (survey.h's SV_OPEN) called with
    # literals is itself a literal.
    lit = r'"(?:[^"\\]|\\.)*"'
    for name in FMACROS:
        expr = re.sub(r"\b" + name + r"\s*\(\s*" + lit + r"(?:\s*,\s*" + lit + r")*\s*\)", '""', expr)
    parts = re.findall(r'"(?:[^"\\]|\\.)*"|[A-Z][A-Z0-9_]*|\S', expr)
    return bool(parts) and all(p.startswith('"') or (p in MACROS and literal_only(MACROS[p])) for p in parts)


sites = 0
for folder in ("store", "query", "engine", "grammar", "util"):
    for name in sorted(os.listdir(os.path.join(ROOT, folder))):
        if not name.endswith(".c"):
            continue
        path = os.path.join(folder, name)
        text = strip_comments(open(os.path.join(ROOT, path), encoding="utf-8").read())
        MACROS.clear()
        FMACROS.clear()
        FMACROS.update(function_macros(text))
        for inc in re.findall(r'^#include\s+"(\w+\.h)"', text, re.M):
            # The header beside the file, else the one of that name on the
            # include path (store/survey_out.c reads query/where.h's
            # QRY_DISTRICT_AT).
            h = next((c for c in (os.path.join(ROOT, f, inc) for f in (folder, "store", "query", "engine", "grammar",
                                                                      "util")) if os.path.exists(c)), "")
            if h:
                htext = strip_comments(open(h, encoding="utf-8").read())
                FMACROS.update(function_macros(htext))
                for d in re.finditer(r"^#define\s+([A-Z][A-Z0-9_]*)\s+((?:\\\n|[^\n])*)", htext, re.M):
                    MACROS[d.group(1)] = d.group(2).replace("\\\n", " ").strip()
        for d in re.finditer(r"^#define\s+([A-Z][A-Z0-9_]*)\s+((?:\\\n|[^\n])*)", text, re.M):
            MACROS[d.group(1)] = d.group(2).replace("\\\n", " ").strip()
        for m in re.finditer(r"\b(" + "|".join(SINKS) + r")\s*\(", text):
            fn = m.group(1)
            if fn in LOCAL and LOCAL[fn] != path:
                continue
            line = text.count("\n", 0, m.start()) + 1
            before = text[max(0, m.start() - 40):m.start()]
            if re.search(r"(static|tsg_status_t|void|int)\s+[\w\s\*]*$", before) and "=" not in before.split("\n")[-1]:
                continue  # the definition, not a call
            args = call_args(text, m.end() - 1)
            k = SINKS[fn]
            if len(args) <= k:
                continue
            arg = args[k]
            sites += 1
            ok = literal_only(arg) or arg in ALLOWED
            check(ok, f"{path}:{line}: {fn}() gets SQL built from '{arg}' (bind the value, or list it in ALLOWED with why)")
        # printf-built SQL: numbers only.
        for m in PRINTF.finditer(text):
            args = call_args(text, m.end() - 1)
            fmt = next((a for a in args if a.startswith('"')), "")
            if SQL_START.match(fmt):
                sites += 1
                conv = re.findall(r"%[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z)?([a-zA-Z%])", fmt)
                bad = [c for c in conv if c not in "diuxX%"]
                line = text.count("\n", 0, m.start()) + 1
                check(not bad, f"{path}:{line}: SQL built with %{'/%'.join(bad)}: {fmt[:60]}")
print(f"grep: {sites} places where SQL text is made or used, each a literal, a static table or numbers")
check(sites > 40, f"the grep found only {sites} places: is it still reading the sources?")

# ---- 2. hostile input ------------------------------------------------------------------

work = tempfile.mkdtemp(prefix="tsunagi-hostile-")
env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
env.pop("TSUNAGI_DB", None)


def tsunagi(*args, stdin=None):
    return subprocess.run([TSUNAGI, *args], input=stdin, capture_output=True, env=env, timeout=300)


def fresh_city(name):
    db = os.path.join(work, name)
    p = tsunagi("import", SAMPLE, db)
    assert p.returncode == 0, p.stderr
    return db


def intact(db, what):
    con = sqlite3.connect(db)
    ok = con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("organisation", "program", "tie")]
    con.close()
    check(ok, f"{what}: integrity_check")
    check({"organisation", "program", "tie", "node", "district"} <= tables, f"{what}: a table went missing")
    return counts


def q(text):
    """A name as a quoted string of the language: ' doubled."""
    return "'" + text.replace("'", "''") + "'"


NAMES = [
    "O'Brien相談所", "x'); DROP TABLE tie; --", "'; DELETE FROM organisation WHERE '1'='1",
    "a -- comment", "semi;colon;", "\" OR 1=1 --", "Robert'); DROP TABLE node;--",
    "%s%s%n%x", "back\\slash\\", "tab\there", "UNION SELECT * FROM sqlite_schema",
    "NUL-free but 🙂 emoji", "全角；セミコロン", "<script>alert(1)</script>", "$param",
    "ends with quote'", "''", "--", ";",
]

db = fresh_city("lang.db")
base = intact(db, "before")
for i, name in enumerate(NAMES):
    tried += 1
    p = tsunagi(db, "--format", "csv", "-c",
                f"ADD organisation {q(name)} SECTOR npo IN '北区' ID 'o-hostile-{i}';")
    check(p.returncode == 0, f"ADD {name!r}: {p.stderr.decode(errors='replace')}")
    p = tsunagi(db, "--format", "csv", "-c", f"FIND organisations WHERE id = 'o-hostile-{i}';")
    out = p.stdout.decode()
    check(p.returncode == 0 and f"o-hostile-{i}" in out, f"FIND back {name!r}: {out} {p.stderr}")
    con = sqlite3.connect(db)
    stored = con.execute("SELECT o.name FROM organisation o JOIN node n ON n.nid = o.nid WHERE n.id = ?",
                         (f"o-hostile-{i}",)).fetchone()
    con.close()
    check(stored and stored[0] == name, f"stored {name!r} as {stored!r}")
    # and as a condition, where injections would bite
    p = tsunagi(db, "--format", "csv", "-c", f"FIND organisations WHERE name = {q(name)};")
    check(p.returncode == 0 and f"o-hostile-{i}" in p.stdout.decode(), f"WHERE name = {name!r}")
after = intact(db, "after the names")
check(after == [base[0] + len(NAMES), base[1], base[2]], f"counts {after} after adding {len(NAMES)} to {base}")

# The same names in a parameter, and as a set name / id where words are expected.
for name in NAMES[:6]:
    tried += 1
    p = tsunagi(db, "-p", f"who={name}", "-c", "FIND organisations WHERE name = $who;")
    check(p.returncode == 0, f"-p who={name!r}: {p.stderr}")
    p = tsunagi(db, "-c", f"SHOW {q(name)};")
    check(p.returncode == 0, f"SHOW {name!r}: {p.stderr}")
check(intact(db, "after parameters") == after, "parameters changed the counts")

# Control characters, non-UTF-8 bytes and a 1 MB name through the language:
# a located error, nothing stored.
for label, text in [("a control character", "ADD organisation 'bell\x07' SECTOR npo;"),
                    ("DEL", "ADD organisation 'del\x7f' SECTOR npo;"),
                    ("bytes that are not UTF-8", "ADD organisation 'bad\xff\xfe' SECTOR npo;"),
                    ("a 1 MB name", "ADD organisation '" + "長" * 350000 + "' SECTOR npo;")]:
    tried += 1
    script = os.path.join(work, "hostile.tsq")
    with open(script, "wb") as f:
        f.write(text.encode("utf-8", errors="surrogateescape") if "\xff" not in text
                else text.encode("latin-1", errors="replace").replace(b"bad\xff\xfe", b"bad\xff\xfe"))
    p = tsunagi(db, "-f", script)
    err = p.stderr.decode(errors="replace")
    check(p.returncode == 1 and "hostile.tsq, line 1, column " in err, f"{label}: exit {p.returncode}, {err[:200]}")
check(intact(db, "after refused statements") == after, "a refused statement changed the counts")

# The CSV import: the same names load and come back byte for byte; a
# non-UTF-8 file under --encoding utf-8 and a 1 MB name are refused with
# file:line:column and the database unchanged.
src = os.path.join(work, "csv")
shutil.copytree(SAMPLE, src)
orgs = os.path.join(src, "organisations.csv")
rows = open(orgs, encoding="utf-8").read()


def csv_quote(s):
    return '"' + s.replace('"', '""') + '"'


extra = "".join(f"o-h{i},{csv_quote(n)},npo,\n" for i, n in enumerate(NAMES))
with open(orgs, "w", encoding="utf-8") as f:
    f.write(rows + extra)
tried += len(NAMES)
cdb = os.path.join(work, "csv.db")
p = tsunagi("import", src, cdb)
check(p.returncode == 0, f"import of hostile names: {p.stderr}")
out = os.path.join(work, "csv-out")
p = tsunagi("export", out, cdb)
back = {r["id"]: r["name"] for r in csv.DictReader(open(os.path.join(out, "organisations.csv"), encoding="utf-8"))}
check(p.returncode == 0 and all(back.get(f"o-h{i}") == n for i, n in enumerate(NAMES)),
      "hostile names did not come back exactly from export")
before = subprocess.run(["sqlite3", cdb, ".dump"], capture_output=True).stdout
for label, payload, enc in [("bytes that are not UTF-8", b"o-bad,\"bad\xff\",npo,\n", "utf-8"),
                            ("a 1 MB name", ("o-long," + "長" * 350000 + ",npo,\n").encode(), "auto"),
                            ("a control character", b"o-c,bell\x07,npo,\n", "auto"),
                            ("a bare quote", b"o-q,ab\"c,npo,\n", "auto"),
                            ("an unterminated quote", b"o-u,\"abc,npo\n", "auto")]:
    tried += 1
    with open(orgs, "wb") as f:
        f.write(rows.encode() + payload)
    p = tsunagi("import", "--encoding", enc, src, cdb)
    err = p.stderr.decode(errors="replace")
    check(p.returncode == 1 and re.search(r"organisations\.csv:\d+:\d+: ", err), f"CSV {label}: {err[:200]}")
    check(subprocess.run(["sqlite3", cdb, ".dump"], capture_output=True).stdout == before,
          f"CSV {label}: the database changed")

# The drawings: every hostile name through dot, with no warning.
if shutil.which("dot"):
    tried += 1
    svg = os.path.join(work, "hostile.svg")
    p = tsunagi(db, "-c", f"RENDER OF '北区' TO {q(svg)};")
    check(p.returncode == 0, f"RENDER with hostile names: {p.stderr}")
    texts = set()
    if os.path.exists(svg):
        tree = ET.parse(svg)
        texts = {t.text for t in tree.iter("{http://www.w3.org/2000/svg}text") if t.text}
        # A long name is drawn in short lines (issue 20); whole, it is the
        # node's tooltip.
        texts |= {a.get("{http://www.w3.org/1999/xlink}title") for a in tree.iter("{http://www.w3.org/2000/svg}a")}
    for name in NAMES:
        if "\t" in name:
            continue  # SVG text collapses white space
        check(name in texts, f"the SVG lost {name!r}")

shutil.rmtree(work)
print(f"hostile: {tried} hostile inputs tried, {len(failures)} failures")
sys.exit(1 if failures else 0)
