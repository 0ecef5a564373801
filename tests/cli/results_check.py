#!/usr/bin/env python3
"""A script that mixes changes and queries writes output a program can read
(issue 18, item 3), checked with independent readers: Python's csv and json
modules, not tsunagi's own formatter.

- --format csv: standard output is CSV and nothing else; what a change did
  ("added …", "removed …") goes to standard error. --bom puts the byte-order
  mark before the first byte of the first table even when a change ran first.
- --format json: standard output is a stream of JSON documents separated by
  a blank line (as before issue 18): a table is an array of row objects, a
  message is {"message": "…"}.
- --format table: the look is unchanged, the sentence on its own line.

Every way statements reach the program is checked: -c, -f SCRIPT and
statements on standard input (the REPL when it is not a terminal).

usage: results_check.py TSUNAGI SAMPLE_DIR
"""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

TSUNAGI, SAMPLE = (os.path.abspath(a) for a in sys.argv[1:3])
work = tempfile.mkdtemp(prefix="tsunagi-results-")
env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
env.pop("TSUNAGI_DB", None)
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def tsunagi(*args, stdin=None):
    return subprocess.run([TSUNAGI, *args], input=stdin, capture_output=True, env=env, timeout=300)


first = os.path.join(work, "sample.db")
p = tsunagi("import", SAMPLE, first)
assert p.returncode == 0, p.stderr

SCRIPT = """ADD organisation 'x' SECTOR npo IN '北区';
FIND organisations WHERE sector = npo IN '北区';
TIE 'x' -> 'NPO法人こもれび' AS referral COUNT 12;
REMOVE 'x';
COUNT organisations WHERE sector = npo BY ward;
"""
CSV_HEADERS = [["id", "name", "sector", "district", "verified"], ["ward", "count"]]


def db():
    """A fresh copy for each run: the script changes the database."""
    path = os.path.join(work, "city.db")
    shutil.copy(first, path)
    return path


def ways(fmt, *extra):
    """The script run by -c, -f and on standard input, in format fmt."""
    script = os.path.join(work, "mixed.tsq")
    with open(script, "w", encoding="utf-8") as f:
        f.write(SCRIPT)
    yield "-c", tsunagi(db(), "--format", fmt, *extra, "-c", SCRIPT)
    yield "-f", tsunagi(db(), "--format", fmt, *extra, "-f", script)
    yield "stdin", tsunagi(db(), "--format", fmt, *extra, stdin=SCRIPT.encode())


def split_csv(rows):
    """Rows of consecutive CSV tables, split at each known header."""
    tables = []
    for row in rows:
        if row in CSV_HEADERS:
            tables.append([row])
        else:
            check(tables and len(row) == len(tables[-1][0]), f"a CSV row outside a table of its width: {row}")
            if tables:
                tables[-1].append(row)
    return tables


# ---- CSV ---------------------------------------------------------------------------
for way, p in ways("csv"):
    check(p.returncode == 0, f"csv {way}: exit {p.returncode}: {p.stderr.decode()}")
    out = p.stdout.decode("utf-8")
    check("added organisation" not in out and "ended organisation" not in out,
          f"csv {way}: a message on standard output:\n{out}")
    err = p.stderr.decode("utf-8")
    for sentence in ("added organisation 'x'", "tied 'x'", "ended organisation 'x'"):
        check(sentence in err, f"csv {way}: '{sentence}' should be on standard error:\n{err}")
    tables = split_csv(list(csv.reader(io.StringIO(out, newline=""))))
    check([t[0] for t in tables] == CSV_HEADERS, f"csv {way}: the two tables, in order: {tables}")
    if len(tables) == 2:
        check(["x", "npo"] == tables[0][-1][1:3] or any(r[1] == "x" for r in tables[0][1:]),
              f"csv {way}: FIND sees the added organisation")
        check(len(tables[1]) == 6, f"csv {way}: COUNT BY ward has five wards: {tables[1]}")

for way, p in ways("csv", "--bom"):
    check(p.returncode == 0, f"csv --bom {way}: exit {p.returncode}")
    check(p.stdout.startswith(b"\xef\xbb\xbfid,name"), f"csv --bom {way}: the BOM starts the output: {p.stdout[:20]!r}")
    check(p.stdout.count(b"\xef\xbb\xbf") == 1, f"csv --bom {way}: one BOM")
    check(b"\xef\xbb\xbf" not in p.stderr, f"csv --bom {way}: no BOM on standard error")

# ---- JSON --------------------------------------------------------------------------
for way, p in ways("json"):
    check(p.returncode == 0, f"json {way}: exit {p.returncode}: {p.stderr.decode()}")
    docs = []
    for part in p.stdout.decode("utf-8").split("\n\n"):
        if part.strip():
            try:
                docs.append(json.loads(part))
            except ValueError as e:
                check(False, f"json {way}: not JSON ({e}): {part[:200]}")
    kinds = ["table" if isinstance(d, list) else "message" if isinstance(d, dict) and set(d) == {"message"} else "?"
             for d in docs]
    check(kinds == ["message", "table", "message", "message", "table"], f"json {way}: documents {kinds}")
    if len(docs) == 5:
        check(docs[0]["message"].startswith("added organisation 'x'"), f"json {way}: {docs[0]}")
        check(any(row["name"] == "x" for row in docs[1]), f"json {way}: FIND sees 'x'")
        check(all(isinstance(row["count"], int) for row in docs[4]), f"json {way}: counts are numbers")
    check(p.stderr == b"", f"json {way}: nothing on standard error: {p.stderr.decode()}")

# ---- table: today's look -------------------------------------------------------------
p = tsunagi(db(), "-c", "ADD organisation 'x' SECTOR npo IN '北区'; FIND organisations WHERE name = 'x';")
check(p.stdout.decode().startswith("added organisation 'x' (o-1)\n\n id  | name | sector | district | verified\n"),
      f"table: the sentence, a blank line, the table:\n{p.stdout.decode()}")

# ---- several tables in one run are told apart (issue 19, item 10) -----------------------
# A blank line and the statement that made the table, as an SQL comment, before every
# table but the first; a statement's several tables (SHOW) share one heading, and a
# one-statement run looks as it did. JSON and CSV are unchanged: their documents and
# header lines already separate tables (docs/decisions.md, "Issue 19: the REPL").
p = tsunagi(db(), "-c", "FIND districts WHERE level = ward LIMIT 1;\nCOUNT programs\n  BY ward LIMIT 1;")
check(p.stdout.decode() == " id     | name | level | parent\n--------+------+-------+------------\n"
      " d-kita | 北区 | ward  | あさひの市\n(1 row)\n\n-- COUNT programs BY ward LIMIT 1\n"
      " ward | count\n------+-------\n 北区 |   107\n(1 row)\n",
      f"table: the second table under its statement:\n{p.stdout.decode()}")
p = tsunagi(db(), "-c", "SHOW '北区';")
check("\n-- " not in p.stdout.decode(), f"table: one statement's tables have no heading:\n{p.stdout.decode()}")

# ---- an error still stops the run, after the messages so far -------------------------
p = tsunagi(db(), "--format", "csv", "-c", "ADD organisation 'x' SECTOR npo IN '北区'; FIND organisations WHERE nme = 1;")
check(p.returncode == 1 and p.stdout == b"" and b"added organisation" in p.stderr and b"nme" in p.stderr,
      f"csv: a failing statement after a change: {p.returncode} {p.stdout!r} {p.stderr.decode()}")

shutil.rmtree(work, ignore_errors=True)
print(f"results: {len(failures)} failed")
sys.exit(1 if failures else 0)
