#!/usr/bin/env python3
"""Issue 21, the survey round finished (h-survey): what cli.survey's round
does not reach.

1. survey-out is all or nothing. A folder that holds files is refused before
   anything is written (a returned form there would be replaced), and is left
   byte for byte as it was. A run that fails half-way (a file size limit
   under which the first workbooks fit and a later one does not) leaves no
   folder, no private folder and no workbook behind, and says why.
2. survey-out writes forms for the organisations that exist today only: an
   organisation ADDed ON a later day gets no form, is not in the partner
   list, and a tie that begins later is on no form.
3. survey-in takes an answer from an organisation that ended (its form was
   written before REMOVE … ON): the organisation begins a new period on the
   round's day, the earlier one kept in history (AS OF a day between does
   not see it); its program answered 確認 runs again from the day; its ties
   answered 確認 are new ties from the day; an ended program answered 終了
   stays ended as it was. A program ended by hand while its organisation
   stayed is opened again by a 確認 the same way. The report names each row
   that came back and when it had ended. A tie with a partner that ended and
   did not answer is refused with the day the partner ended, and nothing
   changes.
4. COMPARE WITH the file kept from last year IN a district added this year
   is an error with the caret under the district's name.

The forms go through openpyxl (a real XLSX reader and writer, not
tsunagi's), as in tests/cli/survey_check.py. Expectations are computed here
from the database read with sqlite3 before the round and from the answers
this script writes.

usage: survey_edges_check.py TSUNAGI SAMPLE_DIR   (exit 77 without openpyxl)
"""
import glob
import hashlib
import os
import resource
import signal
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
SUPP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lsan_libxlsxwriter.supp")
BASE = dict(os.environ, LANGUAGE="en")
BASE["LSAN_OPTIONS"] = ":".join(x for x in [os.environ.get("LSAN_OPTIONS", ""), "suppressions=" + SUPP] if x)
fail = 0


def check(ok, msg):
    global fail
    if not ok:
        print("FAIL " + msg)
        fail = 1


def run(*args, code=0, today="2026-12-02", limit=None):
    def cap():
        # A file size limit: a write past it fails with EFBIG instead of
        # killing the process (SIGXFSZ ignored), as on a full disk.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    r = subprocess.run([TSUNAGI, *args], capture_output=True, text=True, env=dict(BASE, TSUNAGI_TODAY=today),
                       preexec_fn=cap if limit else None)
    if code is not None:
        check(r.returncode == code, "%s: exit %d, expected %d\n%s%s" % (" ".join(args), r.returncode, code, r.stdout,
                                                                          r.stderr))
    return r


def tree(path):
    """Every file under path with its bytes' hash, and every folder."""
    out = {}
    for root, dirs, files in os.walk(path):
        for d in dirs:
            out[os.path.relpath(os.path.join(root, d), path) + "/"] = None
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                out[os.path.relpath(os.path.join(root, f), path)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def dump(db):
    con = sqlite3.connect(db)
    text = "\n".join(con.iterdump())
    con.close()
    return hashlib.sha256(text.encode()).hexdigest()


def leftovers(parent):
    return glob.glob(os.path.join(parent, ".tsunagi-*"))


tmp = tempfile.mkdtemp(prefix="tsg-survey-edges-")
db = os.path.join(tmp, "city.db")
run("import", SAMPLE, db)
con = sqlite3.connect(db)
live = con.execute("SELECT count(*) FROM organisation WHERE until IS NULL").fetchone()[0]
con.close()

# ---- 1. all or nothing ------------------------------------------------------------------------
# A folder of the user's with a returned form in it: refused, untouched.
mine = os.path.join(tmp, "mine")
os.mkdir(mine)
with open(os.path.join(mine, "o-kita-ward_北区役所保健福祉課.xlsx"), "wb") as f:
    f.write(b"a returned form, filled in by hand")
with open(os.path.join(mine, "notes.txt"), "w") as f:
    f.write("the office's notes\n")
before = tree(mine)
r = run("survey-out", mine, db, code=1)
check("already holds files" in r.stderr, "a folder with files is not refused as such: " + r.stderr)
check(tree(mine) == before, "survey-out changed a folder of the user's: %s" % tree(mine))
check(not leftovers(tmp), "a refused survey-out left %s" % leftovers(tmp))

# A file where the folder would go is no folder: refused, untouched.
afile = os.path.join(tmp, "afile")
with open(afile, "w") as f:
    f.write("x")
r = run("survey-out", afile, db, code=1)
check("not a folder" in r.stderr and open(afile).read() == "x", "a file named as the folder: " + r.stderr)

# A whole run: the sizes of the workbooks, in the order they are written
# (by the organisation's number), and nothing private left beside it.
whole = os.path.join(tmp, "whole")
run("survey-out", whole, db)
check(len(os.listdir(whole)) == live and not leftovers(tmp), "a whole run: %d files for %d organisations, left %s" %
      (len(os.listdir(whole)), live, leftovers(tmp)))
con = sqlite3.connect(db)
order = [i for (i,) in con.execute("SELECT n.id FROM organisation o JOIN node n ON n.nid = o.nid"
                                   " WHERE o.until IS NULL ORDER BY o.nid")]
con.close()
size = {}
for f in os.listdir(whole):
    size[f.split("_")[0].removesuffix(".xlsx")] = os.path.getsize(os.path.join(whole, f))
sizes = [size[i] for i in order]
# The limit lets the first three workbooks through and stops a later one:
# the run fails half-way, after files were written.
limit = max(sizes[:3]) + 1
check(any(s > limit for s in sizes[3:]), "no workbook after the third is larger than the first three")
half = os.path.join(tmp, "half")
# SQLite makes its 32 KiB -shm file when the first connection opens the
# database, which the limit would stop before any workbook: a connection
# held open here has made it already (a planner's open REPL does the same).
hold = sqlite3.connect(db)
hold.execute("SELECT count(*) FROM node").fetchone()
r = run("survey-out", half, db, code=1, limit=limit)
hold.close()
# The message names the workbook where it would have been, and the system's
# reason; libxlsxwriter prints a line of its own before it (and under the
# sanitizers LeakSanitizer its suppressions after it): tsunagi's own line.
said = next((l for l in reversed(r.stderr.splitlines()) if l.startswith("tsunagi: ")), "")
check(said.startswith("tsunagi: " + half + "/o-") and "File too large" in said and ".tsunagi-" not in said,
      "a run that failed half-way does not say where and why: " + r.stderr)
check(not os.path.exists(half), "a run that failed half-way left the folder: %s" %
      (os.listdir(half) if os.path.isdir(half) else half))
check(not leftovers(tmp), "a run that failed half-way left its private folder: %s" % leftovers(tmp))

# An empty folder (made ready by the user) is filled.
empty = os.path.join(tmp, "empty")
os.mkdir(empty)
run("survey-out", empty + "/", db)
check(len(os.listdir(empty)) == live, "an empty folder holds %d forms, not %d" % (len(os.listdir(empty)), live))

# ---- 2. only the organisations of today ----------------------------------------------------------
fdb = os.path.join(tmp, "future.db")
run("import", SAMPLE, fdb)
run(fdb, "-c", "ADD organisation 'NPOみらい' SECTOR npo IN '北区' ID 'o-future' ON '2027-04-01';"
               " TIE 'o-future' -> 'o-kita-shakyo' AS co_support SINCE '2027-04-01';"
               " TIE 'o-kita-komorebi' -> 'o-kita-kitanone' AS agreement SINCE '2027-01-01';")
fforms = os.path.join(tmp, "fforms")
run("survey-out", fforms, fdb)
files = os.listdir(fforms)
check(len(files) == live and not any(f.startswith("o-future") for f in files),
      "an organisation that begins in 2027 got a form (%d forms, %d organisations today)" % (len(files), live))
for org, partner in (("o-kita-shakyo", "o-future"), ("o-kita-komorebi", "o-kita-kitanone")):
    wb = openpyxl.load_workbook(glob.glob(os.path.join(fforms, org + "_*.xlsx"))[0])
    listed = [c.value for c in wb["選択肢"]["A"] if c.value]
    check(not any("[o-future]" in x for x in listed), "%s's partner list offers an organisation of 2027" % org)
    ws = wb["関係"]
    rows = [(ws.cell(r, 4).value, ws.cell(r, 7).value) for r in range(2, ws.max_row + 1)]
    check(not any(o == partner and k in ("協働", "協定") for o, k in rows),
          "%s's form asks about a tie that begins later: %s" % (org, rows))

# ---- 3. an organisation that ended answers --------------------------------------------------------
BACK, GONE_PROGRAM_ORG, AS_OF = "o-kita-komorebi", "o-kita-ward", "2026-12-01"
rdb = os.path.join(tmp, "rejoin.db")
run("import", SAMPLE, rdb)
oforms = os.path.join(tmp, "oforms")
run("survey-out", oforms, rdb, today="2026-05-01")  # the forms go out in May
con = sqlite3.connect(rdb)
org_row = con.execute("SELECT o.nid, o.name, o.since FROM organisation o JOIN node n ON n.nid = o.nid WHERE n.id = ?",
                      (BACK,)).fetchone()
programs = [i for (i,) in con.execute("SELECT n.id FROM program p JOIN node n ON n.nid = p.nid JOIN node o"
                                      " ON o.nid = p.org WHERE o.id = ? ORDER BY p.nid", (BACK,))]
ward_programs = [i for (i,) in con.execute("SELECT n.id FROM program p JOIN node n ON n.nid = p.nid JOIN node o"
                                           " ON o.nid = p.org WHERE o.id = ? ORDER BY p.nid", (GONE_PROGRAM_ORG,))]
con.close()
check(programs, "%s runs no program to answer for" % BACK)
gone_program = ward_programs[0]
# In June the organisation leaves (its programs and ties end with it), and
# the ward's first program is ended by hand.
run(rdb, "-c", "REMOVE '%s' ON '2026-06-01'; REMOVE '%s' ON '2026-06-01';" % (BACK, gone_program), today="2026-05-02")
con = sqlite3.connect(rdb)
ended_ties = con.execute(
    "SELECT a.id, b.id, t.kind, t.count FROM tie t JOIN node a ON a.nid = t.src JOIN node b ON b.nid = t.dst"
    " WHERE t.until = '2026-06-01'").fetchall()
con.close()


def fill(org, dest, ends=()):
    """The form of org, every row answered 確認 but the programs in ends (終了)."""
    path = glob.glob(os.path.join(oforms, org + "_*.xlsx"))[0]
    wb = openpyxl.load_workbook(path)
    wb["団体情報"]["E2"] = "確認"
    ws = wb["事業"]
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 10).value = "終了" if ws.cell(r, 2).value in ends else "確認"
    ties = []
    ws = wb["関係"]
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 10).value = "確認"
        ties.append((ws.cell(r, 2).value, ws.cell(r, 4).value))
    wb.save(os.path.join(dest, os.path.basename(path)))
    return ties


# The komorebi's second program (if any) is answered 終了: it stays ended on
# 2026-06-01, as the database holds. Its ties all go to organisations that
# exist, so each is a new tie from the round's day.
ret = os.path.join(tmp, "returned")
os.mkdir(ret)
stays_ended = programs[1:2]
back_ties = fill(BACK, ret, ends=stays_ended)
fill(GONE_PROGRAM_ORG, ret)
check(back_ties, "%s's form lists no tie" % BACK)

# First a partner that ended and did not answer: refused, with its end, and
# nothing changes. One of the komorebi's partners leaves in July, in a copy.
bad = os.path.join(tmp, "bad.db")
with open(rdb, "rb") as a, open(bad, "wb") as b:
    b.write(a.read())
partner = next(o for (own, o) in back_ties if o and not o.startswith("p-"))  # an organisation at the other end
run(bad, "-c", "REMOVE '%s' ON '2026-07-01';" % partner, today="2026-05-02")
was = dump(bad)
r = run("survey-in", "--as-of", AS_OF, ret, bad, code=1)
check("'%s' ended on 2026-07-01, so a tie with it cannot begin on %s" % (partner, AS_OF) in r.stderr
      and ":関係:" in r.stderr, "a tie with an ended partner is not refused as such: " + r.stderr)
check(dump(bad) == was, "a refused survey-in changed the database")

r = run("survey-in", "--as-of", AS_OF, ret, rdb)
con = sqlite3.connect(rdb)
row = con.execute("SELECT o.since, o.until, o.verified FROM organisation o WHERE o.nid = ?", (org_row[0],)).fetchone()
check(row == (AS_OF, None, AS_OF), "%s after its answer: %s" % (BACK, row))
hist = sorted(con.execute("SELECT field, value, until FROM history WHERE nid = ? AND field IN ('since', 'until')",
                          (org_row[0],)).fetchall())
check(hist == sorted([("since", org_row[2], AS_OF), ("until", "2026-06-01", AS_OF)]),
      "%s's first period is not kept in history: %s" % (BACK, hist))
for p in programs + [gone_program]:
    until = con.execute("SELECT p.until FROM program p JOIN node n ON n.nid = p.nid WHERE n.id = ?", (p,)).fetchone()[0]
    want = "2026-06-01" if p in stays_ended else None
    check(until == want, "program %s: until %s, expected %s" % (p, until, want))
    h = con.execute("SELECT value, until FROM history h JOIN node n ON n.nid = h.nid WHERE n.id = ? AND field = 'until'",
                    (p,)).fetchall()
    check(h == ([] if p in stays_ended else [("2026-06-01", AS_OF)]), "program %s: history of until %s" % (p, h))
# Every tie of the komorebi's form is open again as a new row from the day;
# the old rows stay ended. The other side did not answer (only the ward
# did, and its ties with the komorebi are confirmed when both said so).
open_ties = con.execute(
    "SELECT a.id, b.id, t.kind, t.since, t.status FROM tie t JOIN node a ON a.nid = t.src JOIN node b ON b.nid = t.dst"
    " WHERE t.until IS NULL AND t.since = ?", (AS_OF,)).fetchall()
komorebi_side = set(programs) | {BACK}
for own, other in back_ties:
    found = [t for t in open_ties if {t[0], t[1]} == {own, other}]
    check(len(found) >= 1, "the confirmed tie %s - %s is not open again from %s" % (own, other, AS_OF))
still = con.execute("SELECT count(*) FROM tie WHERE until = '2026-06-01'").fetchone()[0]
check(still == len(ended_ties), "%d ties ended on 2026-06-01 remain, expected %d (history kept)" % (still, len(ended_ties)))
con.close()
for line in ["%s %s (ended 2026-06-01)" % (BACK, org_row[1]), gone_program + " "]:
    check(line in r.stdout, "the report does not name %r:\n%s" % (line, r.stdout))
check("begin again on %s" % AS_OF in r.stdout, "the report does not say when they begin again:\n" + r.stdout)
# A day between the periods does not see it; the day itself does.
for day, n in (("2026-09-01", "0"), (AS_OF, "1")):
    r = run(rdb, "--format", "csv", "-c", "COUNT organisations WHERE id = '%s' AS OF '%s';" % (BACK, day))
    check(r.stdout.split() == ["count", n], "AS OF %s sees %s %s times: %s" % (day, BACK, r.stdout.split()[-1:], n))

# ---- 4. COMPARE WITH last year's file, IN a district it lacks ------------------------------------
# The office compares this year's file with the one kept from last year; a
# district added this year is not in last year's. The error is the
# district's, so the caret is under its name, not under IN.
old = os.path.join(tmp, "last-year.db")
with open(db, "rb") as a, open(old, "wb") as b:
    b.write(a.read())
run(db, "-c", "ADD district 'みなと地区' LEVEL school_district UNDER '南区' ID 'd-minato';")
r = run(db, "-c", "COMPARE WITH '%s'\n  IN 'みなと地区';" % old, code=1)
lines = r.stderr.splitlines()
want = "  IN 'みなと地区';"
check(len(lines) >= 3 and "line 2, column 6: district 'みなと地区' is not in" in lines[0] and lines[1] == "  " + want
      and lines[2] == "       ^~~~~~~~~~~~", "COMPARE … IN's caret is not under the district:\n" + r.stderr)

print("survey edges: %d workbooks, limit %d bytes, %d ties back" % (live, limit, len(back_ties)))
sys.exit(fail)
