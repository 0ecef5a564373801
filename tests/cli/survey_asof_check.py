#!/usr/bin/env python3
"""survey-out --as-of DATE (issue 21, the survey round): the workbooks show
the network as it stands on that day, on the sample city's second year
(data/sample-2026/changes.tsq, docs/sample-city.md "The second year"), and
survey-in's error for a partner that has ended.

Why each expectation holds (the rules: a tie exists from its since until
the day before its until; a value changed ON a day is the old one before it,
kept in history; docs/sample-city.md's planted changes 1 and 2):

1. Re-issued for last year (today 2026-12-02, --as-of 2025-10-01): the
   co_support o-npo-sapo - o-npo-hyoga was UNTIEd ON 2026-04-01, so it ran on
   2025-10-01 and is on o-npo-sapo's 関係 sheet; o-minami-kodomo -
   o-minami-shakyo was TIEd SINCE 2026-04-01, so it is on no sheet. The
   name of o-npo-hyoga, changed here by hand ON 2026-06-01, is its old one
   in the partner column and the partner list. All 155 organisations get a
   form (none joined or left in the second year).
2. Without --as-of (today): the reverse of 1, and the new name.
3. Prepared in March for the year from 1 April (today 2026-03-15, --as-of
   2026-04-01): the tie gained on 2026-04-01 is on the forms, the tie lost
   that day is not (until is exclusive).
4. The first sheet states the day (基準日), in each of the three.
5. A malformed day (2025/4/1, Excel's spelling) is refused with the
   spelling to use, exit 1, and no folder is made; --as-of still goes with
   import, survey-out and survey-in only.
6. survey-in: a new tie whose partner (chosen from last year's list) has
   ended since is refused naming the partner's end date, and nothing
   changes.

The workbooks are read back with openpyxl, a real XLSX reader (not
tsunagi's), as tests/cli/survey_check.py does.

usage: survey_asof_check.py TSUNAGI SAMPLE_DIR   (exit 77 without openpyxl)
"""
import glob
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile

try:
    import openpyxl
except ImportError:
    print("openpyxl is not installed for this python: skipped")
    sys.exit(77)

TSUNAGI, SAMPLE = sys.argv[1], sys.argv[2]
CHANGES = os.path.join(os.path.dirname(os.path.abspath(SAMPLE)), "sample-2026", "changes.tsq")
SUPP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lsan_libxlsxwriter.supp")
BASE = dict(os.environ, LANGUAGE="en")
BASE["LSAN_OPTIONS"] = ":".join(x for x in [os.environ.get("LSAN_OPTIONS", ""), "suppressions=" + SUPP] if x)
fail = 0


def check(ok, msg):
    global fail
    if not ok:
        print("FAIL " + msg)
        fail = 1


def run(*args, code=0, today="2026-12-02"):
    r = subprocess.run([TSUNAGI, *args], capture_output=True, text=True, env=dict(BASE, TSUNAGI_TODAY=today))
    if code is not None:
        check(r.returncode == code, "%s: exit %d, expected %d\n%s%s" % (" ".join(args), r.returncode, code, r.stdout,
                                                                          r.stderr))
    return r


def book(folder, org):
    files = glob.glob(os.path.join(folder, org + "_*.xlsx"))
    check(len(files) == 1, "%s: one workbook of %s, found %s" % (folder, org, files))
    return openpyxl.load_workbook(files[0]) if files else None


def answered(folder, org, tie=lambda row: "確認"):
    """org's form from folder, every row answered 確認 but the ties, which
    tie(row) answers; the workbook and its file's name."""
    src = glob.glob(os.path.join(folder, org + "_*.xlsx"))[0]
    wb = openpyxl.load_workbook(src)
    wb["団体情報"]["E2"] = "確認"
    for row in wb["事業"].iter_rows(min_row=2):
        if row[0].value:
            row[9].value = "確認"
    for row in wb["関係"].iter_rows(min_row=2):
        if row[0].value:
            row[9].value = tie(row)
    return wb, os.path.basename(src)


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def partners(wb):
    """(own side, other side, kind label, partner's name) of each row of 関係."""
    return {(r[1], r[3], r[6]): r[4] for r in wb["関係"].iter_rows(min_row=2, values_only=True) if r[0]}


def listed(wb):
    return [r[0] for r in wb["選択肢"].iter_rows(values_only=True) if r[0]]


def first_day(d):
    """A stored date's first day, YYYY-MM-DD (store/period.h: 'YYYY' is 1 January)."""
    return None if d is None else (d + "-01-01")[:10] if len(d) == 4 else (d + "-01")[:10] if len(d) == 7 else d


def oracle(db, day, past):
    """Each organisation's ties on day, as (own id, other id, kind) with their
    number, computed from the tables with sqlite3, independently of tsunagi's
    SQL: a row exists from its since until the day before its until; a
    program while its until is ahead and its organisation exists; a tie
    between two nodes that exist. On a day from today on (past False) a row
    with an end set is not asked about. The organisation's side is the end
    that is it or its program (the source when both are)."""
    con = sqlite3.connect(db)
    def live(since, until):
        return (since is None or first_day(since) <= day) and (until is None or first_day(until) > day) and \
            (past or until is None)
    orgs = {nid: i for nid, i, since, until in con.execute(
        "SELECT o.nid, n.id, o.since, o.until FROM organisation o JOIN node n USING (nid)") if live(since, until)}
    forums = {nid for nid, since, until in con.execute("SELECT nid, since, until FROM forum") if live(since, until)}
    owner = {nid: org for nid, org, until in con.execute("SELECT nid, org, until FROM program")
             if org in orgs and live(None, until)}
    ids = dict(con.execute("SELECT nid, id FROM node"))
    out = {i: {} for i in orgs.values()}
    for src, dst, kind, since, until in con.execute("SELECT src, dst, kind, since, until FROM tie"):
        ends_ok = all(x in orgs or x in forums or x in owner for x in (src, dst))
        if not (ends_ok and live(since, until)):
            continue
        side = lambda x: orgs[x] if x in orgs else orgs[owner[x]] if x in owner else None
        # On the form of each end's organisation, from its side; once when
        # both ends are the same organisation's (from the source).
        for own, other in ((src, dst), (dst, src)):
            org = side(own)
            if org is not None and (own == src or org != side(src)):
                key = (ids[own], ids[other], kind)
                out[org][key] = out[org].get(key, 0) + 1
    con.close()
    return out


KIND = {"つなぎ": "referral", "協働": "co_support", "情報共有": "info_sharing", "協定": "agreement", "参加": "membership"}


def forms(folder):
    """Each workbook's 関係 rows as (own id, other id, kind key) with their number."""
    out = {}
    for f in glob.glob(os.path.join(folder, "*.xlsx")):
        wb = openpyxl.load_workbook(f, read_only=True)
        org = wb["団体情報"]["A2"].value
        rows = {}
        for r in wb["関係"].iter_rows(min_row=2, values_only=True):
            if r[0]:
                key = (r[1], r[3], KIND[r[6]])
                rows[key] = rows.get(key, 0) + 1
        out[org] = rows
        wb.close()
    return out


def same_as_oracle(folder, db, day, past):
    want, got = oracle(db, day, past), forms(folder)
    check(set(got) == set(want), "%s: forms of %d organisations, the oracle has %d" % (day, len(got), len(want)))
    bad = [o for o in want if got.get(o) != want[o]]
    check(not bad, "%s: the ties of %d forms differ from the oracle's, e.g. %s: %s"
          % (day, len(bad), bad[:1], bad and sorted(set(got.get(bad[0], {}).items()) ^ set(want[bad[0]].items()))))


OLD, NEW = "NPO法人ミドル世代しごと応援団", "NPO法人ミドル世代しごと応援団あさひの"
LOST = ("o-npo-sapo", "o-npo-hyoga", "協働")       # change 1, untied ON 2026-04-01
GAINED = ("o-minami-kodomo", "o-minami-shakyo", "協働")  # change 2, tied SINCE 2026-04-01

with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "city.db")
    run("import", SAMPLE, db)
    run(db, "-f", CHANGES)
    run(db, "-c", "SET 'o-npo-hyoga' NAME '%s' ON '2026-06-01';" % NEW)

    # 1. Last year's state, re-issued.
    past = os.path.join(tmp, "past")
    r = run("survey-out", "--as-of", "2025-10-01", past, db)
    check("of the network as it stands on 2025-10-01" in r.stdout, "survey-out --as-of says the day: " + r.stdout)
    check(len(glob.glob(os.path.join(past, "*.xlsx"))) == 155, "155 forms on 2025-10-01")
    sapo, kodomo = book(past, "o-npo-sapo"), book(past, "o-minami-kodomo")
    if sapo and kodomo:
        check(partners(sapo).get(LOST) == OLD, "2025-10-01: the tie lost later, with the old name: %s"
              % partners(sapo).get(LOST))
        check(GAINED not in partners(kodomo), "2025-10-01: the tie gained later is on no form")
        check("%s [o-npo-hyoga]" % OLD in listed(sapo) and "%s [o-npo-hyoga]" % NEW not in listed(sapo),
              "2025-10-01: the partner list has the old name")
        check(sapo["記入方法"]["A2"].value.startswith("基準日：2025年10月1日"), "2025-10-01 stated: "
              + str(sapo["記入方法"]["A2"].value))
    same_as_oracle(past, db, "2025-10-01", True)

    # 2. Today.
    now = os.path.join(tmp, "now")
    r = run("survey-out", now, db)
    check("as it stands" not in r.stdout, "without --as-of, no day in the line: " + r.stdout)
    sapo, kodomo = book(now, "o-npo-sapo"), book(now, "o-minami-kodomo")
    if sapo and kodomo:
        check(LOST not in partners(sapo), "today: the lost tie is on no form")
        check(GAINED in partners(kodomo), "today: the gained tie is on the form")
        check(partners(sapo).get(("o-npo-sapo", "o-chuo-shakyo", "協働")) is not None, "today: a kept tie stays")
        check("%s [o-npo-hyoga]" % NEW in listed(sapo), "today: the partner list has the new name")
        check(sapo["記入方法"]["A2"].value.startswith("基準日：2026年12月2日"), "today stated")
    same_as_oracle(now, db, "2026-12-02", False)

    # 3. Prepared in March for the year from 1 April.
    april = os.path.join(tmp, "april")
    run("survey-out", "--as-of", "2026-04-01", april, db, today="2026-03-15")
    sapo, kodomo = book(april, "o-npo-sapo"), book(april, "o-minami-kodomo")
    if sapo and kodomo:
        check(LOST not in partners(sapo), "2026-04-01: the tie lost that day is on no form")
        check(GAINED in partners(kodomo), "2026-04-01: the tie gained that day is on the form")
        check(sapo["記入方法"]["A2"].value.startswith("基準日：2026年4月1日"), "2026-04-01 stated")
    same_as_oracle(april, db, "2026-04-01", False)

    # 5. A malformed day, and --as-of elsewhere.
    bad = os.path.join(tmp, "bad")
    r = run("survey-out", "--as-of", "2025/4/1", bad, db, code=1)
    check("write '2025-04-01'" in r.stderr, "malformed day: " + r.stderr)
    check(not os.path.exists(bad), "malformed day: no folder made")
    r = run("survey-out", "--as-of", "2025-02-30", bad, db, code=1)
    check(r.stderr.strip() != "" and not os.path.exists(bad), "a day not in the calendar: " + r.stderr)
    r = run("export", "--as-of", "2025-10-01", os.path.join(tmp, "x"), db, code=2)
    check("--as-of goes with import, survey-out and survey-in" in r.stderr, "export --as-of: " + r.stderr)

    # 6. survey-in: o-chuo-shakyo fills in last year's form, adding a tie
    # with o-npo-hyoga, which has been removed since: refused with the day
    # it ended; the file is unchanged.
    run(db, "-c", "REMOVE 'o-npo-hyoga' ON '2026-09-01';")
    back = os.path.join(tmp, "back")
    os.mkdir(back)
    wb, name = answered(past, "o-chuo-shakyo")
    new = wb["新しい関係"]
    new["B2"], new["C2"], new["D2"] = "%s [o-npo-hyoga]" % OLD, "協働", "相互"
    wb.save(os.path.join(back, name))
    before = digest(db)
    r = run("survey-in", back, db, code=1)
    check("新しい関係:2:B" in r.stderr and "ended on 2026-09-01" in r.stderr,
          "a partner that ended: the message names it and its end: " + r.stderr)
    check(digest(db) == before, "refused survey-in: the file is unchanged")

    # 7. survey-in as of the day a tie begins, answered 終了: ending it then
    # gives it an empty period (until = since), which store_check calls
    # damaged and whose exported folder does not import again (rule: a row
    # ends after it begins; UNTIE … ON refuses the same). Refused, the file
    # unchanged; a day later it ends.
    fresh = os.path.join(tmp, "fresh.db")
    run("import", SAMPLE, fresh)
    run(fresh, "-f", CHANGES)
    ended = os.path.join(tmp, "ended")
    os.mkdir(ended)
    wb, name = answered(april, "o-minami-kodomo", lambda row: "終了" if row[3].value == GAINED[1] else "確認")
    wb.save(os.path.join(ended, name))
    before = digest(fresh)
    r = run("survey-in", "--as-of", "2026-04-01", ended, fresh, code=1)
    check("begins on 2026-04-01, the round's day" in r.stderr, "a tie ended on the day it begins: " + r.stderr)
    check(digest(fresh) == before, "refused: the file is unchanged")
    run("survey-in", "--as-of", "2026-04-02", ended, fresh)
    con = sqlite3.connect(fresh)
    got = con.execute("SELECT t.since, t.until FROM tie t JOIN node a ON a.nid = t.src JOIN node b ON b.nid = t.dst"
                      " WHERE a.id = ? AND b.id = ?", GAINED[:2]).fetchall()
    con.close()
    check(got == [("2026-04-01", "2026-04-02")], "a day later the tie ends: %s" % got)

if fail:
    sys.exit(1)
print("ok")
