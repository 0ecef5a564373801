#!/usr/bin/env python3
"""COMPARE WITH 'other.db' against an independent oracle (issue 21, item 4).

The sample city is imported twice; the second copy is changed by hand with
sqlite3, as an office that kept last year's file and edited this year's
would have it: ties deleted, ties added (one between two NPOs written the
other way round from an undirected tie that stays, which is no change), a
count changed, an organisation renamed, one given another sector, one
removed with its programs and ties (ON DELETE CASCADE), one added. The
oracle reads both files with Python's sqlite3 and works out from the rows
what changed, by the rules of docs/language.md (COMPARE):

- nodes are matched by id: an organisation, program or forum in the new
  file only has joined, in the old only has left, in both with another name,
  sector or owner has changed;
- ties are matched by their ends' ids and kind, an undirected tie (every
  kind but referral and membership) either way round: new only is gained,
  old only lost, both with another count changed;
- ties by kind: then and now are the counts in each file;
- each organisation's degree is its number of distinct partner
  organisations over non-membership ties, program ends lifted to their
  owners, ties inside one organisation dropped;
- the horizontal measures then and now equal HORIZONTAL run on each file.

Then the sample city's second year (data/sample-2026, docs/sample-city.md):
COMPARE '2025-04-01' TO '2026-04-01' finds each planted change (a tie lost
between two NPOs, a new horizontal link, a program that ended and opened a
gap, a seam closed) and nothing else.

RENDER CHANGES and REPORT CHANGES (item 5; skipped without GraphViz): the
SVG that dot draws has each gained tie's line in green, each lost tie's
dashed in red, the organisation that joined with a double outline and the
one that left dashed; the report holds COMPARE's tables and that picture.

usage: compare_check.py TSUNAGI SAMPLE_DIR          prints "N passed, N failed"
"""
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    if not ok:
        print(f"FAIL {name}: {detail}")


def run(tsunagi, db, stmt, cwd):
    p = subprocess.run([tsunagi, db, "--format", "json", "-c", stmt], capture_output=True, text=True, cwd=cwd,
                       env=dict(os.environ, LANGUAGE="en"))
    if p.returncode:
        raise SystemExit(f"{stmt}: {p.stderr}")
    return [json.loads(doc) for doc in p.stdout.split("\n\n") if doc.strip()]


def rows(path):
    db = sqlite3.connect(path)
    q = lambda sql: db.execute(sql).fetchall()
    nodes = {}
    for nid, i, name, sector in q("SELECT n.nid, n.id, o.name, o.sector FROM node n JOIN organisation o USING(nid)"):
        nodes[i] = ("organisation", name, sector, None)
    for nid, i, name, owner in q("SELECT n.nid, n.id, p.name, (SELECT id FROM node WHERE nid = p.org) "
                                 "FROM node n JOIN program p USING(nid)"):
        nodes[i] = ("program", name, None, owner)
    for nid, i, name in q("SELECT n.nid, n.id, f.name FROM node n JOIN forum f USING(nid)"):
        nodes[i] = ("forum", name, None, None)
    ties = {}
    for a, b, kind, directed, count in q("SELECT (SELECT id FROM node WHERE nid = src), (SELECT id FROM node WHERE "
                                         "nid = dst), kind, directed, count FROM tie"):
        if not directed and a > b:
            a, b = b, a
        ties[(a, b, kind)] = count
    owner = {i: (v[3] if v[0] == "program" else i) for i, v in nodes.items()}
    partners = {}
    for (a, b, kind) in ties:
        if kind == "membership":
            continue
        x, y = owner.get(a), owner.get(b)
        if x is None or y is None or x == y or nodes[x][0] != "organisation" or nodes[y][0] != "organisation":
            continue
        partners.setdefault(x, set()).add(y)
        partners.setdefault(y, set()).add(x)
    degree = {i: len(partners.get(i, ())) for i, v in nodes.items() if v[0] == "organisation"}
    db.close()
    return nodes, ties, degree


def main():
    tsunagi, sample = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp()
    old, new = os.path.join(tmp, "2025.db"), os.path.join(tmp, "2026.db")
    for path in (old, new):
        subprocess.run([tsunagi, "import", sample, path], check=True, capture_output=True)
    db = sqlite3.connect(new)
    db.execute("PRAGMA foreign_keys = ON")
    nid = lambda i: db.execute("SELECT nid FROM node WHERE id = ?", (i,)).fetchone()[0]
    tie = lambda a, b, k: db.execute("SELECT tid FROM tie WHERE src = ? AND dst = ? AND kind = ?",
                                     (nid(a), nid(b), k)).fetchone()
    # Two NPOs stop working together; a referral ends; a count is recorded.
    db.execute("DELETE FROM tie WHERE tid = ?", tie("o-npo-sapo", "o-npo-hyoga", "co_support"))
    first_ref = db.execute("SELECT tid FROM tie WHERE kind = 'referral' ORDER BY tid LIMIT 1").fetchone()
    db.execute("DELETE FROM tie WHERE tid = ?", first_ref)
    db.execute("UPDATE tie SET count = 99 WHERE tid = ?", tie("o-npo-inochi", "o-npo-sns", "co_support"))
    # A new horizontal link, and an undirected tie rewritten the other way round (no change).
    db.execute("INSERT INTO tie(src, dst, kind, directed) VALUES (?, ?, 'co_support', 0)",
               (nid("o-npo-sapo"), nid("o-npo-dv")))
    src, dst, count = db.execute("SELECT src, dst, count FROM tie WHERE tid = ?",
                                 tie("o-npo-victim", "o-npo-inochi", "co_support")).fetchone()
    db.execute("DELETE FROM tie WHERE src = ? AND dst = ? AND kind = 'co_support'", (src, dst))
    db.execute("INSERT INTO tie(src, dst, kind, directed, count) VALUES (?, ?, 'co_support', 0, ?)", (dst, src, count))
    # Renamed, another sector, one gone with its programs and ties, one new.
    db.execute("UPDATE organisation SET name = 'NPO法人ミドル世代しごと応援団（改称）' WHERE nid = ?", (nid("o-npo-hyoga"),))
    db.execute("UPDATE organisation SET sector = 'coop' WHERE nid = ?", (nid("o-npo-dv"),))
    gone = "o-npo-jishi"
    db.execute("DELETE FROM tie WHERE src IN (SELECT nid FROM program WHERE org = ?) OR dst IN "
               "(SELECT nid FROM program WHERE org = ?)", (nid(gone), nid(gone)))
    db.execute("DELETE FROM node WHERE nid IN (SELECT nid FROM program WHERE org = ?)", (nid(gone),))
    db.execute("DELETE FROM node WHERE nid = ?", (nid(gone),))
    db.execute("INSERT INTO node(id, type) VALUES ('o-npo-new', 'organisation')")
    db.execute("INSERT INTO organisation(nid, name, sector, district) VALUES (?, 'NPO法人あたらしい居場所', 'npo', "
               "(SELECT nid FROM node WHERE id = 'd-kita'))", (nid("o-npo-new"),))
    db.execute("INSERT INTO tie(src, dst, kind, directed) VALUES (?, ?, 'co_support', 0)",
               (nid("o-npo-new"), nid("o-kita-shakyo")))
    db.commit()
    db.close()

    n0, t0, d0 = rows(old)
    n1, t1, d1 = rows(new)
    out = run(tsunagi, new, f"COMPARE WITH '{old}';", tmp)
    check("six tables", len(out) == 6, f"{len(out)} tables")  # no FOR: no gap table
    nodes, ties, kinds, sectors, horizontal, orgs = out[:6]

    want = {("joined", i) for i in n1.keys() - n0.keys()} | {("left", i) for i in n0.keys() - n1.keys()}
    want |= {("changed", i) for i in n0.keys() & n1.keys() if n0[i] != n1[i]}
    got = {(r["change"], r["id"]) for r in nodes}
    check("nodes", got == want, f"missing {want - got}, extra {got - want}")
    check("the planted node changes are there", {("joined", "o-npo-new"), ("left", gone), ("changed", "o-npo-hyoga"),
                                                 ("changed", "o-npo-dv")} <= got, got)

    want = {("gained",) + k for k in t1.keys() - t0.keys()} | {("lost",) + k for k in t0.keys() - t1.keys()}
    want |= {("changed",) + k for k in t0.keys() & t1.keys() if t0[k] != t1[k]}
    got = set()
    for r in ties:
        a, b = r["from_id"], r["to_id"]
        if r["kind"] not in ("referral", "membership") and a > b:
            a, b = b, a
        got.add((r["change"], a, b, r["kind"]))
    check("ties", got == want, f"missing {want - got}, extra {got - want}")
    check("the rewritten undirected tie is no change",
          not any({r["from_id"], r["to_id"]} == {"o-npo-victim", "o-npo-inochi"} for r in ties))

    for r in kinds:
        k = r["kind"]
        c0 = sum(1 for t in t0 if t[2] == k)
        c1 = sum(1 for t in t1 if t[2] == k)
        check(f"kind {k}", (r["then"], r["now"]) == (c0, c1), f"{r} against {c0}, {c1}")
        check(f"kind {k} adds up", r["then"] - r["lost"] + r["gained"] == r["now"], r)

    # COMPARE's then and now are HORIZONTAL's on each file.
    for side, path in (("then", old), ("now", new)):
        h = {r["measure"]: r["value"] for r in run(tsunagi, path, "HORIZONTAL;", tmp)[0]}
        mine = {r["measure"]: r[side] for r in horizontal}
        for m in ("organisations", "ties", "vertically dependent organisations", "pieces without government"):
            check(f"{side} {m}", str(mine[m]) == str(h[m]), f"{mine[m]} against {h[m]}")

    want = {}
    for i in d0.keys() | d1.keys():
        if i in d0 and i in d1 and d0[i] == d1[i]:
            continue
        want[i] = (d0.get(i), d1.get(i))
    got = {}
    for r in orgs:
        got[r["id"]] = (r["degree_then"] if r["degree_then"] != "" else None,
                        r["degree_now"] if r["degree_now"] != "" else None)
    # Rows also list organisations whose brokerage alone changed.
    check("degrees", all(got.get(i) == v for i, v in want.items()),
          {i: (v, got.get(i)) for i, v in want.items() if got.get(i) != v})
    check("degree rows are right", all(got[i] == (d0.get(i), d1.get(i)) for i in got),
          {i: (got[i], d0.get(i), d1.get(i)) for i in got if got[i] != (d0.get(i), d1.get(i))})
    changes = [abs((r["degree_now"] or 0) - (r["degree_then"] or 0)) for r in orgs]
    check("largest changes first", changes == sorted(changes, reverse=True), changes)

    # A copy of the file: nothing changed. The file itself is refused (an
    # empty answer would read as "nothing changed" when nothing was compared).
    twin = os.path.join(tmp, "twin.db")
    shutil.copyfile(old, twin)
    same = run(tsunagi, old, f"COMPARE WITH '{twin}';", tmp)
    check("no change with a copy", not same[0] and not same[1] and not same[3] and not same[5], same[:2])
    p = subprocess.run([tsunagi, old, "-c", f"COMPARE WITH '{old}';"], capture_output=True, text=True, cwd=tmp,
                       env=dict(os.environ, LANGUAGE="en"))
    check("itself refused", p.returncode == 1 and "is the database in use" in p.stderr, p.stderr)

    # IN a district: only ties with an end in it.
    kita = run(tsunagi, new, f"COMPARE WITH '{old}' IN '北区';", tmp)
    check("IN 北区", {r["id"] for r in kita[0]} == {"o-npo-new"}, kita[0])

    if shutil.which("dot"):
        pictures(tsunagi, old, new, tmp)
    second_year(tsunagi, sample, tmp)
    untouched(tsunagi, sample, tmp)
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


def svg_items(path):
    """The SVG's nodes and edges: title (ids, '--' between an edge's ends) -> its markup."""
    text = open(path, encoding="utf-8").read()
    items = {}
    for m in re.finditer(r'<g id="(?:node|edge)\d+" class="(node|edge)">\s*<title>([^<]*)</title>(.*?)</g>', text, re.S):
        items.setdefault(html.unescape(m.group(2)), []).append(m.group(3))
    return items


def pictures(tsunagi, old, new, tmp):
    subprocess.run([tsunagi, new, "-c", f"RENDER CHANGES WITH '{old}' TO 'with.svg'; "
                    f"REPORT CHANGES WITH '{old}' TO 'with.html';"], check=True, capture_output=True, cwd=tmp)
    items = svg_items(os.path.join(tmp, "with.svg"))
    gained = items.get("o-npo-dv--o-npo-sapo", [])
    check("picture: gained tie in green", any('stroke="#1a7f37"' in g for g in gained), gained)
    lost = items.get("o-npo-hyoga--o-npo-sapo", [])
    check("picture: lost tie dashed in red", any('stroke="#d1242f"' in g and "stroke-dasharray" in g for g in lost), lost)
    joined = items.get("o-npo-new", [""])[0]
    check("picture: joined has a double outline", joined.count("<polygon") == 2, joined)
    left = items.get("o-npo-jishi", [""])[0]
    check("picture: left is dashed", "stroke-dasharray" in left, left)
    page = open(os.path.join(tmp, "with.html"), encoding="utf-8").read()
    check("report: tables and picture", "ties gained and lost" in page and "<svg" in page and
          "o-npo-new" in page and "@media print" in page, page[:300])


def second_year(tsunagi, sample, tmp):
    changes = os.path.join(os.path.dirname(os.path.abspath(sample)), "sample-2026")
    city = os.path.join(tmp, "city.db")
    subprocess.run([tsunagi, "import", sample, city], check=True, capture_output=True)
    subprocess.run([tsunagi, city, "-f", os.path.join(changes, "changes.tsq")], check=True, capture_output=True)
    out = run(tsunagi, city, "COMPARE '2025-04-01' TO '2026-04-01' FOR hikikomori AGED 15..39 "
              "NEEDS consultation, place;", tmp)
    nodes, ties, kinds, sectors, horizontal, gaps, orgs = out
    # Its ENDS passed: a program is part of a day's network only while it
    # runs (h-asof), so it left, and its five referral ties are lost with it.
    check("year 2: the program that ended left, nothing else",
          [(r["change"], r["type"], r["id"], r["before"]) for r in nodes]
          == [("left", "program", "p-higashi-campus", None)], nodes)
    check("year 2: ties", sorted((r["change"], r["kind"], r["from_id"], r["to_id"]) for r in ties) == [
        ("gained", "co_support", "o-minami-kodomo", "o-minami-shakyo"),
        ("gained", "referral", "p-kita-futoko", "p-kita-kitanone"),
        ("lost", "co_support", "o-npo-sapo", "o-npo-hyoga"),
        ("lost", "referral", "p-city-kowaka", "p-higashi-campus"),
        ("lost", "referral", "p-higashi-campus", "p-city-hikikomori"),
        ("lost", "referral", "p-higashi-campus", "p-higashi-ibasho"),
        ("lost", "referral", "p-higashi-ibasho", "p-higashi-campus"),
        ("lost", "referral", "p-higashi-kokoro", "p-higashi-campus")], ties)
    h = {r["measure"]: (r["then"], r["now"]) for r in horizontal}
    # 南区's 子ども食堂 NPO no longer hangs on government alone (weakness 4).
    check("year 2: one NPO fewer depends on government", h["vertically dependent organisations"] == (5, 4), h)
    check("year 2: one piece fewer", h["pieces without government"] == (6, 5), h)
    want = {("opened", "fragility", f"d-higashi-es{k}", "place", 15, 29) for k in range(1, 5)}
    want.add(("closed", "seam", "d-kita", None, 18, 19))  # a seam has no need
    got = {(r["change"], r["kind"], r["district_id"], r["need"], r["age_from"], r["age_to"]) for r in gaps}
    check("year 2: gaps opened and closed", got == want, f"missing {want - got}, extra {got - want}")
    moved = {r["id"] for r in orgs if r["degree_then"] != r["degree_now"]}
    # The café's organisation (o-edu-univ) and those of the programs it
    # referred with lose a partner, except o-higashi-youth, still tied to
    # o-edu-univ otherwise.
    check("year 2: degrees change at the ends of the gained and lost ties only",
          moved == {"o-minami-kodomo", "o-minami-shakyo", "o-kita-komorebi", "o-kita-kitanone", "o-edu-univ",
                    "o-higashi-hoken", "o-city-child", "o-city-health"}, moved)
    minami = run(tsunagi, city, "COMPARE '2025-04-01' TO '2026-04-01' IN '南区';", tmp)
    h = {r["measure"]: (r["then"], r["now"]) for r in minami[4]}
    check("year 2: 南区", h["vertically dependent organisations"] == (5, 4) and h["pieces without government"] == (6, 5), h)
    # Two days of the same year: nothing changed.
    same = run(tsunagi, city, "COMPARE '2025-04-01' TO '2026-03-31';", tmp)
    check("year 2: nothing within the first year", not same[0] and not same[1] and not same[5], same[:2])


# Schema 2 as an older tsunagi wrote it (the SQL of tests/unit/test_history.c's
# migration test): the tie table with its UNIQUE and without until, verified
# and status; no since, until or verified on organisations, forums and
# programs; no history table.
TO_SCHEMA_2 = """
CREATE TABLE tie2(tid INTEGER PRIMARY KEY, src INTEGER NOT NULL REFERENCES node(nid) ON DELETE CASCADE,
 dst INTEGER NOT NULL REFERENCES node(nid) ON DELETE CASCADE, kind TEXT NOT NULL, directed INTEGER NOT NULL,
 count INTEGER, since TEXT, CHECK(src <> dst), UNIQUE(src, dst, kind));
INSERT INTO tie2 SELECT tid, src, dst, kind, directed, count, since FROM tie;
DROP TABLE tie; ALTER TABLE tie2 RENAME TO tie; CREATE INDEX tie_dst ON tie(dst);
DROP TABLE history;
ALTER TABLE organisation DROP COLUMN since; ALTER TABLE organisation DROP COLUMN until;
ALTER TABLE organisation DROP COLUMN verified; ALTER TABLE forum DROP COLUMN since;
ALTER TABLE forum DROP COLUMN until; ALTER TABLE forum DROP COLUMN verified;
ALTER TABLE program DROP COLUMN until; ALTER TABLE program DROP COLUMN verified;
PRAGMA user_version = 2;
"""


def sha(path):
    import hashlib
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def listing(folder):
    return sorted((n, os.path.getsize(os.path.join(folder, n))) for n in os.listdir(folder))


def user_version(path):
    db = sqlite3.connect(path)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    db.close()
    return version


def untouched(tsunagi, sample, tmp):
    """COMPARE WITH reads the other file and writes nothing (issue 21): not
    its bytes (no switch to WAL, no migration), not a -wal, -shm or .tsn
    cache beside it. Each file is in a folder of its own, so the folder's
    listing is the file's neighbourhood. A file of an older schema is
    refused with a message saying how to bring it up to date, and a failed
    import --as-of into one leaves it in its old schema, byte for byte."""
    here = os.path.join(tmp, "untouched")
    os.makedirs(here)
    city = os.path.join(here, "city.db")
    subprocess.run([tsunagi, "import", sample, city], check=True, capture_output=True)
    cases = []
    for name in ("wal", "rollback", "schema2"):
        folder = os.path.join(here, name)
        os.makedirs(folder)
        path = os.path.join(folder, "last.db")
        shutil.copyfile(city, path)
        db = sqlite3.connect(path)
        if name == "rollback":  # a file another tool left in the rollback journal (old code made it WAL)
            db.execute("PRAGMA journal_mode = DELETE")
        if name == "schema2":
            db.executescript(TO_SCHEMA_2)
        db.commit()
        db.close()
        cases.append((name, folder, path))
    for name, folder, path in cases:
        before, files = sha(path), listing(folder)
        p = subprocess.run([tsunagi, city, "-c", f"COMPARE WITH '{path}';"], capture_output=True, text=True,
                           cwd=here, env=dict(os.environ, LANGUAGE="en"))
        if name == "schema2":
            check("an old schema is refused, saying how to upgrade it",
                  p.returncode == 1 and "written by an older tsunagi (schema 2; this one uses 4)" in p.stderr
                  and "tsunagi summary" in p.stderr, p.stderr)
        else:
            # The copy of the same city: nothing changed, and it was read.
            check(f"COMPARE WITH a {name} file reads it", p.returncode == 0 and "(0 rows)" in p.stdout, p.stderr)
        check(f"COMPARE WITH leaves the {name} file's bytes", sha(path) == before)
        check(f"COMPARE WITH makes nothing beside the {name} file", listing(folder) == files,
              f"{files} -> {listing(folder)}")
    # import --as-of into the schema-2 file that fails (a date before a change
    # the file already holds cannot fail here: schema 2 has no dates; a folder
    # that does not import does): nothing imported, the file as it was.
    # A fresh schema-2 file of its own, so these checks do not lean on the ones above.
    folder = os.path.join(here, "import")
    os.makedirs(folder)
    path = os.path.join(folder, "last.db")
    shutil.copyfile(city, path)
    db = sqlite3.connect(path)
    db.executescript(TO_SCHEMA_2)
    db.close()
    bad = os.path.join(here, "bad")
    shutil.copytree(sample, bad)
    with open(os.path.join(bad, "organisations.csv"), "a", encoding="utf-8") as f:
        f.write("o-broken,壊れた行,not-a-sector,d-kita\n")
    before, files = sha(path), listing(folder)
    p = subprocess.run([tsunagi, "import", "--as-of", "2026-04-01", bad, path], capture_output=True, text=True,
                       env=dict(os.environ, LANGUAGE="en"))
    check("a failed import --as-of says the file is unchanged", p.returncode == 1 and "is unchanged" in p.stderr,
          p.stderr)
    check("a failed import --as-of leaves a schema-2 file's bytes", sha(path) == before)
    check("a failed import --as-of leaves nothing beside it", listing(folder) == files, listing(folder))
    # A failure inside the write (the migration ran there and is rolled back
    # with it): an id that is an organisation in the file and a forum in the folder.
    clash = os.path.join(here, "clash")
    shutil.copytree(sample, clash)
    with open(os.path.join(clash, "forums.csv"), encoding="utf-8") as f:
        forums = f.read().splitlines()
    with open(os.path.join(clash, "organisations.csv"), encoding="utf-8") as f:
        orgs = f.read().splitlines()
    moved = orgs[1].split(",")[0]
    ties = open(os.path.join(clash, "ties.csv"), encoding="utf-8").read().splitlines()
    progs = open(os.path.join(clash, "programs.csv"), encoding="utf-8").read().splitlines()
    with open(os.path.join(clash, "organisations.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(orgs[:1] + orgs[2:]) + "\n")
    with open(os.path.join(clash, "programs.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(l for l in progs if l.split(",")[2:3] != [moved]) + "\n")
    gone = {l.split(",")[0] for l in progs if l.split(",")[2:3] == [moved]} | {moved}
    with open(os.path.join(clash, "ties.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(l for l in ties if not set(l.split(",")[:2]) & gone) + "\n")
    head = forums[0].split(",")
    row = forums[1].split(",")
    row[0] = moved
    with open(os.path.join(clash, "forums.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(forums + [",".join(row)]) + "\n")
    p = subprocess.run([tsunagi, "import", "--as-of", "2026-04-01", clash, path], capture_output=True, text=True,
                       env=dict(os.environ, LANGUAGE="en"))
    check("an id of another kind fails inside the write",
          p.returncode == 1 and f"id '{moved}' is a organisation in the database but a forum in the folder" in p.stderr,
          p.stderr)
    check("the failed write leaves a schema-2 file's bytes", sha(path) == before)
    check("the failed write leaves nothing beside it", listing(folder) == files, listing(folder))
    check("the failed write leaves schema 2", user_version(path) == 2, user_version(path))
    # survey-in opens the file as import does: refused (a folder with no
    # forms), it leaves the schema-2 file as it was, not migrated.
    empty = os.path.join(here, "no-forms")
    os.makedirs(empty)
    p = subprocess.run([tsunagi, "survey-in", empty, path], capture_output=True, text=True,
                       env=dict(os.environ, LANGUAGE="en"))
    check("a refused survey-in says the file is unchanged", p.returncode == 1 and "is unchanged" in p.stderr,
          p.stderr)
    check("a refused survey-in leaves a schema-2 file's bytes", sha(path) == before)
    check("a refused survey-in leaves schema 2", user_version(path) == 2, user_version(path))
    # An empty file is no database: refused as tsg_open refuses it, and left
    # empty (it is not made one, as import would).
    zero = os.path.join(here, "zero.db")
    open(zero, "wb").close()
    p = subprocess.run([tsunagi, "survey-in", empty, zero], capture_output=True, text=True,
                       env=dict(os.environ, LANGUAGE="en"))
    check("survey-in refuses an empty file and leaves it empty",
          p.returncode == 1 and "empty, not a tsunagi database" in p.stderr and os.path.getsize(zero) == 0, p.stderr)
    # The same import of a good folder brings the file up to date and in.
    p = subprocess.run([tsunagi, "import", "--as-of", "2026-04-01", sample, path], capture_output=True, text=True)
    version = user_version(path)
    check("a good import --as-of migrates it", p.returncode == 0 and version == 4, (p.stderr, version))


if __name__ == "__main__":
    sys.exit(main())
