#!/usr/bin/env python3
"""Damaged and foreign databases (issue 17, items 1-6; docs/reliability.md).

Each case is a copy of the sample city damaged with Python's sqlite3 module
the way a hand edit or another tool would (foreign keys off, as the sqlite3
shell has them; writable_schema to drop a NOT NULL), or a file that is no
tsunagi database at all. On every one tsunagi runs FIND, GAPS, COVERAGE and
THIN LINKS BY ward (one process, --keep-going), `summary` and `export`, each
under a time limit (a hang fails). What must hold, and why:

- no crash: no signal, no sanitizer report (the rule: nothing reachable from
  a file crashes);
- a refused file (a schema version tsunagi never wrote, a foreign SQLite
  file, an empty one, text) gets "FILE: not a tsunagi database" / "written
  by a newer tsunagi" / ..., rc != 0, and its bytes are unchanged with no
  -wal or -shm left beside it (the planted damage is in the header or the
  tables, so any open that went on would have had to change the file:
  switch it to WAL, create tables, run a migration);
- a damaged tsunagi database gets "FILE: damaged database: " and words that
  name the planted damage (the row, the column, the loop), rc != 0, and is
  unchanged; export writes no folder (import would refuse it);
- node numbers far beyond the node count are refused by the statements
  that index nodes in memory (the arrays would be sized by the id), while
  summary and export, plain SQL, still work: export and import renumber.

usage: damaged_check.py TSUNAGI SAMPLE_DIR
"""
import concurrent.futures
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

TSUNAGI, SAMPLE = sys.argv[1:3]
TIMEOUT = 60
failures = []
STATEMENTS = ("FIND programs WHERE need = place;"
              " GAPS FOR hikikomori AGED 18..39 IN '西区' NEEDS place;"
              " COVERAGE FOR hikikomori AGED 18..39 IN '東区' NEEDS place, peer;"
              " THIN LINKS BY ward;")
NSTATEMENTS = 4


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(args, cwd):
    try:
        p = subprocess.run([TSUNAGI] + args, cwd=cwd, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ---- the damage ----------------------------------------------------------------------------

def edit(path, *sql, loosen=()):
    """Runs sql on path with foreign keys and CHECKs off. Each (table, column)
    in loosen first loses its type and NOT NULL, as another tool's schema or
    a writable_schema edit would have it."""
    if loosen:
        c = sqlite3.connect(path)
        c.execute("PRAGMA writable_schema = ON")
        for table, column in loosen:
            (text,) = c.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
            text, n = re.subn(r"\b%s (TEXT|INTEGER)( NOT NULL)?" % column, column, text, count=1)
            assert n == 1, (table, column)
            c.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (text, table))
        c.commit()
        c.close()
    c = sqlite3.connect(path)
    c.execute("PRAGMA foreign_keys = OFF")
    c.execute("PRAGMA ignore_check_constraints = ON")
    for s in sql:
        c.execute(s)
    c.commit()
    c.close()


def one(path, sql):
    c = sqlite3.connect(path)
    row = c.execute(sql).fetchone()
    c.close()
    return row[0]


def set_version(v):
    return lambda p: edit(p, "PRAGMA user_version = %d" % v)


def renumber(table, new=300000000):
    """Gives one node of `table` nid `new`, every reference to it moved
    along: a consistent file, only sparse (or below 1)."""
    def damage(p):
        old = one(p, "SELECT max(nid) FROM %s" % table)
        refs = [("node", "nid"), (table, "nid"), ("district", "parent"), ("organisation", "district"),
                ("forum", "district"), ("program", "org"), ("program_area", "district"),
                ("program_target", "program"), ("program_need", "program"), ("program_mode", "program"),
                ("program_area", "program"),
                ("tie", "src"), ("tie", "dst")]
        edit(p, *["UPDATE %s SET %s = %d WHERE %s = %d" % (t, c, new, c, old) for t, c in refs])
    return damage


def foreign(version=None, text=False, empty=False, tables=True):
    def damage(p):
        os.remove(p)
        if empty:
            open(p, "wb").close()
            return
        if text:
            with open(p, "w") as f:
                f.write("my notes, not a database\n" * 40)
            return
        c = sqlite3.connect(p, isolation_level=None)
        if tables:
            c.execute("CREATE TABLE recipes(name TEXT, minutes INTEGER)")
            c.execute("INSERT INTO recipes VALUES ('miso soup', 10)")
            c.execute("CREATE TABLE node(x)")  # a name tsunagi also uses
        if version is not None:
            c.execute("PRAGMA user_version = %d" % version)
        c.execute("VACUUM")  # writes the header even with no tables
        c.close()
    return damage


FIRST_ORG = "(SELECT min(nid) FROM organisation)"
FIRST_PROG = "(SELECT min(nid) FROM program)"
WARD = "(SELECT min(nid) FROM district WHERE level = 'ward')"
SCHOOL = "(SELECT min(nid) FROM district WHERE level = 'school_district')"

# (name, damage, expectation, words the message must hold)
#   refused: open refuses, file untouched; damaged: statements refuse;
#   sparse: the in-memory statements refuse, summary/export work; ok: all work.
CASES = [
    # 1. schema versions tsunagi never wrote
    ("version -1000", set_version(-1000), "refused", "not a tsunagi database"),
    ("version -1", set_version(-1), "refused", "not a tsunagi database"),
    ("version 0 on a full file", set_version(0), "refused", "not a tsunagi database"),
    ("version 5", set_version(5), "refused", "written by a newer tsunagi"),
    ("version 4, history gone", lambda p: edit(p, "DROP TABLE history"), "refused", "no table 'history'"),
    ("version 99", set_version(99), "refused", "written by a newer tsunagi"),
    ("version 2^31-1", set_version(2**31 - 1), "refused", "written by a newer tsunagi"),
    ("version 1, tables gone", lambda p: edit(p, "PRAGMA user_version = 1", "DROP TABLE tie"), "refused",
     "no table 'tie'"),
    # 2. NULL or wrongly typed values where the loaders need them
    ("NULL vocab.label_ja", lambda p: edit(p, "UPDATE vocab SET label_ja = NULL WHERE rowid = 3",
                                           loosen=[("vocab", "label_ja")]), "damaged", "label_ja is null"),
    ("NULL vocab.key", lambda p: edit(p, "UPDATE vocab SET key = NULL WHERE rowid = 5",
                                      loosen=[("vocab", "key")]), "damaged", "key is null"),
    ("NULL district.name", lambda p: edit(p, "UPDATE district SET name = NULL WHERE nid = %s" % WARD,
                                          loosen=[("district", "name")]), "damaged", "name is null"),
    ("NULL organisation.name", lambda p: edit(p, "UPDATE organisation SET name = NULL WHERE nid = %s" % FIRST_ORG,
                                              loosen=[("organisation", "name")]), "damaged", "name is null"),
    ("NULL node.type", lambda p: edit(p, "UPDATE node SET type = NULL WHERE nid = %s" % FIRST_PROG,
                                      loosen=[("node", "type")]), "damaged", "type is null"),
    ("NULL node.id", lambda p: edit(p, "UPDATE node SET id = NULL WHERE nid = %s" % FIRST_PROG,
                                    loosen=[("node", "id")]), "damaged", "id is null"),
    ("NULL program.org", lambda p: edit(p, "UPDATE program SET org = NULL WHERE nid = %s" % FIRST_PROG,
                                        loosen=[("program", "org")]), "damaged", "org is null"),
    ("NULL program_need.need", lambda p: edit(p, "UPDATE program_need SET need = NULL WHERE rowid = 1",
                                              loosen=[("program_need", "need")]), "damaged", "need is null"),
    ("integer organisation.name", lambda p: edit(p, "UPDATE organisation SET name = 42 WHERE nid = %s" % FIRST_ORG,
                                                 loosen=[("organisation", "name")]), "damaged", "name is integer"),
    ("text tie.count", lambda p: edit(p, "UPDATE tie SET count = 'many' WHERE tid = 1"), "damaged",
     "count is text"),
    ("text tie.src", lambda p: edit(p, "UPDATE tie SET src = 'x' WHERE tid = 2"), "damaged", "src is text"),
    ("blob program.name", lambda p: edit(p, "UPDATE program SET name = x'00ff' WHERE nid = %s" % FIRST_PROG),
     "damaged", "name is blob"),
    ("real district.parent", lambda p: edit(p, "UPDATE district SET parent = 1.5 WHERE nid = %s" % SCHOOL),
     "damaged", "parent is real"),
    ("unknown district.level", lambda p: edit(p, "UPDATE district SET level = 'galaxy' WHERE nid = %s" % WARD),
     "damaged", "level is 'galaxy'"),
    ("unknown tie.kind", lambda p: edit(p, "UPDATE tie SET kind = 'hug' WHERE tid = 3"), "damaged",
     "kind is 'hug'"),
    # Values the import refuses but SQLite's schema lets in (second attack):
    # a sector the vocabulary does not know left its organisations out of
    # COUNT BY sector; an age past 2^32 read back through an int wrapped to
    # a small age GAPS counted; each of these made `export` write a folder
    # `import` refuses. The rule is the import's: util/bounds.h, the vocab.
    ("unknown organisation.sector", lambda p: edit(p, "UPDATE organisation SET sector = 'nosuch' WHERE nid = %s"
                                                   % FIRST_ORG), "damaged", "sector is 'nosuch'"),
    ("unknown forum.kind", lambda p: edit(p, "UPDATE forum SET kind = 'nosuch'"), "damaged", "kind is 'nosuch'"),
    ("unknown program_need.need", lambda p: edit(p, "UPDATE program_need SET need = 'nosuch' WHERE rowid = 1"),
     "damaged", "need is 'nosuch'"),
    ("unknown default_need.need", lambda p: edit(p, "INSERT INTO default_need VALUES ('hikikomori', 99, 'nosuch')"),
     "damaged", "need is 'nosuch'"),
    ("age_min 2^32+18", lambda p: edit(p, "UPDATE program SET age_min = 4294967314, age_max = 4294967335"
                                          " WHERE nid = %s" % FIRST_PROG), "damaged", "age_min is 4294967314, over 150"),
    ("tie.count 2^63-1", lambda p: edit(p, "UPDATE tie SET count = 9223372036854775807 WHERE tid = 1"), "damaged",
     "count is 9223372036854775807, over 100000000"),
    ("tie.since 2026-02-30", lambda p: edit(p, "UPDATE tie SET since = '2026-02-30' WHERE tid = 1"), "damaged",
     "since is '2026-02-30', not a date"),
    ("program.starts garbage", lambda p: edit(p, "UPDATE program SET starts = 'soon' WHERE nid = %s" % FIRST_PROG),
     "damaged", "starts is 'soon', not a date"),
    # The message quotes the value: an ESC sequence in it is shown as
    # [U+XXXX] by summary and export too, not only by the statements.
    ("sector with an OSC sequence", lambda p: edit(p, "UPDATE organisation SET sector = 'x' || char(27) || ']0;pwn'"
                                                      " || char(7) WHERE nid = %s" % FIRST_ORG), "damaged",
     "sector is 'x[U+001B]]0;pwn[U+0007]'"),
    ("ward under a ward", lambda p: edit(p, "UPDATE district SET level = 'ward' WHERE nid = %s" % SCHOOL), "damaged",
     "a ward cannot sit under a ward"),
    ("program starts after it ends", lambda p: edit(p, "UPDATE program SET starts = '2030-04', ends = '2020'"
                                                       " WHERE nid = %s" % FIRST_PROG), "damaged",
     "starts 2030-04 is after ends 2020"),
    # 3. a district that is its own ancestor
    ("self-parent district", lambda p: edit(p, "UPDATE district SET parent = nid WHERE nid = %s" % WARD),
     "damaged", "its own ancestor"),
    ("2-cycle", lambda p: edit(p, "UPDATE district SET parent = %s WHERE nid = (SELECT parent FROM district"
                                  " WHERE nid = %s)" % (WARD, WARD)), "damaged", "its own ancestor"),
    ("3-cycle", lambda p: edit(p, "UPDATE district SET parent = %s WHERE nid = (SELECT parent FROM district"
                                  " WHERE nid = (SELECT parent FROM district WHERE nid = %s))" % (SCHOOL, SCHOOL)),
     "damaged", "its own ancestor"),
    ("root in a loop", lambda p: edit(p, "UPDATE district SET parent = %s WHERE parent IS NULL" % SCHOOL),
     "damaged", "its own ancestor"),
    # 4. references that dangle
    ("organisation deleted", lambda p: edit(p, "DELETE FROM organisation WHERE nid = (SELECT org FROM program"
                                               " WHERE nid = %s)" % FIRST_PROG,
                                            "DELETE FROM node WHERE nid NOT IN (SELECT nid FROM district UNION"
                                            " SELECT nid FROM organisation UNION SELECT nid FROM program UNION"
                                            " SELECT nid FROM forum)"),
     "damaged", "refers to a missing"),
    ("dangling program.org", lambda p: edit(p, "UPDATE program SET org = 999999 WHERE nid = %s" % FIRST_PROG),
     "damaged", "org refers to a missing organisation row"),
    ("dangling tie src", lambda p: edit(p, "UPDATE tie SET src = 999999 WHERE tid = 1"), "damaged",
     "src refers to a missing node row"),
    ("dangling district parent", lambda p: edit(p, "UPDATE district SET parent = 999999 WHERE nid = %s" % SCHOOL),
     "damaged", "parent refers to a missing district row"),
    ("dangling program_area", lambda p: edit(p, "UPDATE program_area SET district = 999999 WHERE rowid = 1"),
     "damaged", "district refers to a missing district row"),
    ("dangling forum district", lambda p: edit(p, "UPDATE forum SET district = 999999"
                                                  " WHERE nid = (SELECT min(nid) FROM forum)"),
     "damaged", "district refers to a missing district row"),
    ("node without its row", lambda p: edit(p, "DELETE FROM forum WHERE nid = (SELECT min(nid) FROM forum)"),
     "damaged", "has type forum but no row in table forum"),
    ("row of another type", lambda p: edit(p, "UPDATE node SET type = 'forum' WHERE nid = %s" % FIRST_ORG),
     "damaged", "whose type is forum"),
    # 5. a very large internal id
    ("nid 300000000 organisation", renumber("organisation"), "sparse", "node numbers go up to 300000000"),
    ("nid 300000000 program", renumber("program"), "sparse", "node numbers go up to 300000000"),
    ("nid 300000000 district", renumber("district"), "sparse", "node numbers go up to 300000000"),
    ("nid 300000000 forum", renumber("forum"), "sparse", "node numbers go up to 300000000"),
    ("nid -5 forum", renumber("forum", -5), "damaged", "nid is -5"),
    ("nid 0 program", renumber("program", 0), "damaged", "nid is 0"),
    ("tid 300000000", lambda p: edit(p, "UPDATE tie SET tid = 300000000 WHERE tid = (SELECT max(tid) FROM tie)"),
     "ok", None),
    # 6. files that are not tsunagi's
    # A trigger planted by another tool ran with tsunagi's own changes and
    # the import (here: every new tie emptied program_need); tsunagi makes
    # none, so one is refused before anything is read or changed.
    ("trigger on tie", lambda p: edit(p, "CREATE TRIGGER evil AFTER INSERT ON tie BEGIN DELETE FROM program_need; END"),
     "refused", "holds a trigger ('evil' on tie)"),
    ("trigger on program", lambda p: edit(p, "CREATE TRIGGER t2 BEFORE UPDATE ON program BEGIN SELECT 1; END"),
     "refused", "holds a trigger ('t2' on program)"),
    ("foreign SQLite file", foreign(), "refused", "not a tsunagi database"),
    ("foreign file, user_version 2", foreign(version=2), "refused", "not a tsunagi database"),
    ("foreign file, user_version 1", foreign(version=1), "refused", "not a tsunagi database"),
    ("foreign file, user_version 7", foreign(version=7), "refused", "written by a newer tsunagi"),
    ("SQLite file without tables", foreign(tables=False), "refused", "not a tsunagi database"),
    ("0-byte file", foreign(empty=True), "refused", "not a tsunagi database"),
    ("text file", foreign(text=True), "refused", "file is not a database"),
]


def run_case(work, base, i, case):
    name, damage, expect, words = case
    db = os.path.join(work, "case%02d.db" % i)
    shutil.copyfile(base, db)
    damage(db)
    for side in ("-wal", "-shm"):
        check(not os.path.exists(db + side), "%s: the damage left %s behind" % (name, side))
    before = digest(db)
    out = os.path.join(work, "out%02d" % i)
    runs = [("statements", ["--keep-going", db, "-c", STATEMENTS]), ("summary", ["summary", db]),
            ("export", ["export", out, db])]
    if expect == "refused":
        runs.append(("import", ["import", SAMPLE, db]))
    for what, args in runs:
        r = run(args, work)
        where = "%s, %s" % (name, what)
        if r is None:
            check(False, "%s: ran longer than %d s" % (where, TIMEOUT))
            continue
        rc, stdout, stderr = r
        check(rc >= 0, "%s: killed by signal %d" % (where, -rc))
        check("Sanitizer" not in stderr and "runtime error" not in stderr, "%s: sanitizer report:\n%s"
              % (where, stderr[-2000:]))
        # import is asked to create a database, and an empty file is
        # one it may make (issue 17, item 6).
        empty = name in ("0-byte file", "SQLite file without tables")
        works = (expect == "ok" or (expect == "sparse" and what in ("summary", "export"))
                 or (empty and what == "import"))
        if works:
            check(rc == 0, "%s: rc %d, expected success: %s" % (where, rc, stderr[-500:]))
            if what == "import":
                r2 = run([db, "-c", STATEMENTS], work)
                check(r2 is not None and r2[0] == 0, "%s: the new database does not answer: %s" % (where, r2))
            if what == "export" and name == "nid 300000000 organisation":
                # The folder a sparse file exports imports again, renumbered.
                again = os.path.join(work, "again%02d.db" % i)
                r2 = run(["import", out, again], work)
                check(r2 is not None and r2[0] == 0, "%s: the export does not import: %s" % (where, r2))
                r3 = r2 and r2[0] == 0 and run([again, "-c", STATEMENTS], work)
                check(bool(r3) and r3[0] == 0, "%s: the re-imported copy does not answer: %s" % (where, r3))
            continue
        check(rc != 0, "%s: rc 0 on a %s file" % (where, expect))
        check(os.path.basename(db) in stderr, "%s: the message does not name the file: %s" % (where, stderr))
        check(words in stderr, "%s: the message does not say %r: %s" % (where, words, stderr[-800:]))
        if expect != "refused":
            check("damaged database" in stderr, "%s: not called damaged: %s" % (where, stderr[-500:]))
        if what == "statements" and expect == "damaged":
            check(stderr.count("damaged database") == NSTATEMENTS,
                  "%s: not every statement refused: %s" % (where, stderr[-1500:]))
        if what == "export":
            check(not os.path.exists(out), "%s: wrote the folder %s" % (where, out))
        check(digest(db) == before, "%s: the file changed" % where)
        for side in ("-wal", "-shm", "-journal"):
            check(not os.path.exists(db + side), "%s: left %s behind" % (where, side))


def main():
    work = tempfile.mkdtemp(prefix="tsunagi-damaged-")
    base = os.path.join(work, "base.db")
    r = run(["import", SAMPLE, base], work)
    if not r or r[0] != 0:
        print("cannot import the sample city:", r, file=sys.stderr)
        return 1
    # Two at a time: the cases are independent files, and the sanitized
    # build spends most of its time starting processes.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda ic: run_case(work, base, *ic), enumerate(CASES)))
    print("%d damaged or foreign databases, %d failures" % (len(CASES), len(failures)))
    if not failures:
        shutil.rmtree(work)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
