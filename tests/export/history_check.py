#!/usr/bin/env python3
"""history.csv: the old values SET keeps go through export and import
(issue 21, "history that is never lost").

The oracle is the original database: a network changed on several days
(SET … ON, REMOVE and ADD back, a tie's count changed by import --as-of) is
exported and imported into a fresh file, and for every day a value changed
(the day before, the day, the day after) FIND, SHOW, COUNT and GAPS … AS OF
that day must answer the same in both files. A copy imported without its
history.csv must answer differently on some of those days (the check would
catch a lost history), and the re-imported file exports the same bytes.

Bad history.csv files must be refused with file:line:column, leaving the
database as it was (compared row by row with Python's sqlite3).

usage: history_check.py TSUNAGI SAMPLE_DIR
"""
import datetime
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import check, finish  # noqa: E402

TSUNAGI, SAMPLE = sys.argv[1], sys.argv[2]
WORK = tempfile.mkdtemp()
ENV = dict(os.environ, XDG_CACHE_HOME=os.path.join(WORK, "cache"), TSUNAGI_TODAY="2026-12-02", LANGUAGE="en",
           LC_ALL="C.UTF-8")


def cli(*args):
    return subprocess.run([TSUNAGI, *args], capture_output=True, text=True, env=ENV, check=False)


def must(*args):
    r = cli(*args)
    if r.returncode:
        sys.exit(f"tsunagi {' '.join(args)} failed: {r.stderr}")
    return r.stdout


def path(name):
    return os.path.join(WORK, name)


def rows(db):
    """Every row of every table, for 'unchanged'."""
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


# ---- the original: changes on several days -----------------------------------------
orig = path("orig.db")
must("import", SAMPLE, orig)
must(orig, "-c", """
SET 'o-kita-ward' NAME '北区役所 福祉課' ON '2025-04-01';
SET 'o-kita-ward' SECTOR npo ON '2025-06-01';
SET 'o-kita-ward' IN 'd-minami' ON '2025-09';
SET 'o-kita-ward' NAME '北区役所' ON '2026-02-01';
SET 'p-kita-sodan' AGED 10..60 ON '2025-05-01';
SET 'p-kita-sodan' FOR children, single_elderly ON '2025-05-01';
SET 'p-kita-sodan' AREA * ON '2025-07-01';
SET 'p-kita-sodan' AREA 'd-kita', 'd-minami' ON '2026-01-15';
SET 'p-kita-houkatsu2' HOURS '平日9-17' ON '2025-08-01';
SET 'd-minami-es4' IN 'd-kita' ON '2025-07-01';
REMOVE 'o-kita-komorebi' ON '2025-11-01';
ADD organisation 'こもれび' ID 'o-kita-komorebi' ON '2026-03-01';
ADD organisation '新しい会' SECTOR npo ID 'o-new' IN 'd-kita' ON '2025-10-01';
SET 'o-new' SECTOR coop ON '2026-04-01';
""")
# A tie's count changes only through a folder (import --as-of, survey-in):
# the network exported, two counts edited, brought in as of a day.
year = path("year")
must("export", year, orig)
ties = open(os.path.join(year, "ties.csv"), encoding="utf-8").read()
edited = ties.replace("\np-kita-houkatsu2,p-kita-kaigo,referral,47,2023,", "\np-kita-houkatsu2,p-kita-kaigo,referral,60,2023,")
edited = edited.replace("\np-kita-houkatsu2,p-kita-salon,co_support,,,", "\np-kita-houkatsu2,p-kita-salon,co_support,9,,")
check("the ties to edit are in the sample", edited.count("\n") == ties.count("\n") and edited != ties)
open(os.path.join(year, "ties.csv"), "w", encoding="utf-8").write(edited)
must("import", "--as-of", "2026-06-01", year, orig)

con = sqlite3.connect(orig)
kept = con.execute("SELECT count(*), count(tid) FROM history").fetchone()
dates = {u for (u,) in con.execute("SELECT until FROM history UNION SELECT since FROM organisation"
                                   " WHERE since IS NOT NULL UNION SELECT until FROM organisation WHERE until IS NOT NULL")}
con.close()
check("the original keeps node and tie history", kept[0] >= 15 and kept[1] == 2, kept)

# ---- export, import into a fresh file ------------------------------------------------
folder = path("folder")
must("export", folder, orig)
hist = open(os.path.join(folder, "history.csv"), encoding="utf-8").read().splitlines()
check("history.csv has the header and one row per kept value",
      hist[0] == "id,field,value,until,to_id,kind,since" and len(hist) == 1 + kept[0], hist[:2])
# References as ids (the CSV's form), never nids.
check("a district reference is kept as its id", "o-kita-ward,district,d-kita,2025-09,,," in hist, hist)
check("an area is kept as its ids or *", "p-kita-sodan,area,*,2026-01-15,,," in hist, hist)
check("a tie is named as ties.csv names it",
      "p-kita-houkatsu2,count,47,2026-06-01,p-kita-kaigo,referral,2023" in hist, hist)
copy = path("copy.db")
must("import", folder, copy)
again = path("again")
must("export", again, copy)
same = all(open(os.path.join(folder, f), "rb").read() == open(os.path.join(again, f), "rb").read()
           for f in os.listdir(folder))
check("the re-imported file exports the same bytes", same and sorted(os.listdir(folder)) == sorted(os.listdir(again)))

# The folder without history.csv: what the export wrote before this file.
lost = path("lost.db")
shutil.copytree(folder, path("nohist"))
os.remove(os.path.join(path("nohist"), "history.csv"))
must("import", path("nohist"), lost)


def first_day(d):
    parts = [int(x) for x in d.split("-")] + [1, 1]
    return datetime.date(parts[0], parts[1], parts[2])


days = sorted({first_day(d) + datetime.timedelta(days=k) for d in dates for k in (-1, 0, 1)})
nodes = ["o-kita-ward", "p-kita-sodan", "p-kita-houkatsu2", "d-minami-es4", "o-kita-komorebi", "o-new", "p-kita-kaigo"]


def answers(db, day):
    stmts = [f"SHOW '{n}' AS OF '{day}';" for n in nodes]
    stmts += [f"FIND organisations IN '北区' AS OF '{day}';", f"FIND organisations IN '南区' AS OF '{day}';",
              f"FIND programs IN '北区' AS OF '{day}';", f"COUNT organisations BY sector AS OF '{day}';",
              f"GAPS FOR children IN '北区' AS OF '{day}';", f"GAPS FOR single_elderly IN '南区' AS OF '{day}';"]
    r = cli(db, "-c", "\n".join(stmts))  # one run a day: the statements' answers in order
    return r.stdout + r.stderr


differ = 0
for day in days:
    a, b = answers(orig, day), answers(copy, day)
    check(f"AS OF {day}: the re-imported file answers as the original", a == b, f"{a}\n---\n{b}")
    differ += answers(lost, day) != a
# The check can fail: without history.csv the same folder answers otherwise.
check("without history.csv some day answers differently", differ >= 5, differ)

# ---- bad history.csv: refused at file:line:column, the database unchanged ---------


def bad(name, line, text, where):
    folder_bad = path("bad-" + name)
    shutil.copytree(folder, folder_bad)
    p = os.path.join(folder_bad, "history.csv")
    lines = open(p, encoding="utf-8").read().split("\n")
    if line < len(lines) - 1:
        lines[line] = text
    else:
        lines.insert(len(lines) - 1, text)
    open(p, "w", encoding="utf-8").write("\n".join(lines))
    before = rows(copy)
    r = cli("import", folder_bad, copy)
    check(f"bad {name}: refused at {where}", r.returncode != 0 and f"bad-{name}/history.csv:{where}:" in r.stderr,
          r.stderr)
    check(f"bad {name}: the database is unchanged", rows(copy) == before)


n = len(hist)  # the line after the last row
bad("id", n, "o-kita-wardx,name,A,2024-01-01,,,", f"{n + 1}:1")
bad("date", n, "o-kita-ward,name,A,2024-13-01,,,", f"{n + 1}:20")
bad("field", n, "o-kita-ward,nam,A,2024-01-01,,,", f"{n + 1}:13")
bad("field-of-type", n, "p-kita-sodan,sector,npo,2024-01-01,,,", f"{n + 1}:14")
bad("key", n, "o-new,sector,npx,2024-01-01,,,", f"{n + 1}:14")
bad("list-item", n, "p-kita-sodan,targets,children;kids,2024-01-01,,,", f"{n + 1}:31")
bad("ref-type", n, "p-kita-sodan,org,d-kita,2024-01-01,,,", f"{n + 1}:18")
bad("empty-until", n, "o-kita-ward,name,A,,,,", f"{n + 1}:20")
bad("tie", n, "p-kita-houkatsu2,count,47,2026-06-01,p-kita-kaigo,referral,2022", f"{n + 1}:1")
bad("tie-kind-alone", n, "o-kita-ward,name,A,2024-01-01,,referral,", f"{n + 1}:32")
# o-kita-ward's name was kept until 2025-04-01 (line 2) and 2026-02-01: a
# third change dated before them is out of order.
order = [i + 1 for i, h in enumerate(hist) if h.startswith("o-kita-ward,name,")]
bad("order", n, "o-kita-ward,name,A,2025-01-01,,,", f"{n + 1}:20")
check("the order case follows two kept names", len(order) == 2, order)

# A tie two rows of ties.csv share (ended twice, no since) cannot be named.
amb = path("bad-ambiguous")
shutil.copytree(folder, amb)
with open(os.path.join(amb, "ties.csv"), "a", encoding="utf-8") as f:
    f.write("o-new,o-kita-ward,info_sharing,,,2026-05-01,,\no-new,o-kita-ward,info_sharing,,,2026-07-01,,\n")
with open(os.path.join(amb, "history.csv"), "a", encoding="utf-8") as f:
    f.write("o-new,count,3,2026-04-01,o-kita-ward,info_sharing,\n")
before = rows(copy)
r = cli("import", amb, copy)
check("a tie history.csv cannot tell apart is refused", r.returncode != 0 and f"history.csv:{n + 1}:1:" in r.stderr
      and "cannot tell them apart" in r.stderr, r.stderr)
check("ambiguous: the database is unchanged", rows(copy) == before)

# ---- import --as-of leaves history.csv unread ------------------------------------
# A folder exported and edited (o-new removed) still carries the database's
# history, which names o-new: the as-of import reads the folder as that
# day's network and keeps the database's own past.
edit = path("edit")
shutil.copytree(folder, edit)
p = os.path.join(edit, "organisations.csv")
kept_orgs = [line for line in open(p, encoding="utf-8") if not line.startswith("o-new,")]
open(p, "w", encoding="utf-8").write("".join(kept_orgs))
before = rows(copy)
r = cli("import", "--as-of", "2026-09-01", edit, copy)
con = sqlite3.connect(copy)
until = con.execute("SELECT o.until FROM organisation o JOIN node n USING (nid) WHERE n.id = 'o-new'").fetchone()
kept_after = con.execute("SELECT count(*) FROM history").fetchone()[0]
con.close()
check("--as-of: the folder is read, history.csv left unread", r.returncode == 0 and until == ("2026-09-01",), r.stderr)
check("--as-of: the database's own history stays", kept_after == kept[0], kept_after)
# The planner is told the file was passed over (cli/commands.c), naming it.
check("--as-of: says history.csv was not read", "history.csv was not read" in r.stderr, r.stderr)

# ---- import --as-of on the day a tie begins, the tie not in the folder ------------
# Ending the tie that day would give it an empty period (until = since),
# which the plain import of the exported folder refuses ("a row ends after
# it begins"), so the export could not be brought back. Rule: no row ends on
# or before the day it begins; the as-of import refuses and changes nothing.
sameday = path("sameday.db")
must("import", SAMPLE, sameday)
must(sameday, "-c", "TIE 'o-minami-kodomo' -> 'o-minami-shakyo' AS co_support SINCE '2026-04-01';")
before = rows(sameday)
r = cli("import", "--as-of", "2026-04-01", SAMPLE, sameday)
check("--as-of the day a tie begins, the tie gone: refused with its name",
      r.returncode != 0 and "o-minami-kodomo -> o-minami-shakyo (co_support)" in r.stderr, r.stderr)
check("--as-of the day a tie begins: the database is unchanged", rows(sameday) == before)
r = cli("import", "--as-of", "2026-04-02", SAMPLE, sameday)
back = path("sameday-folder")
ok = r.returncode == 0 and cli("export", back, sameday).returncode == 0
r2 = cli("import", back, path("sameday-copy.db"))
check("--as-of a day later: ended, and the export imports again", ok and r2.returncode == 0, r.stderr + r2.stderr)

# ---- a network without history writes no history.csv (and removes a stale one) ---
plain = path("plain.db")
must("import", SAMPLE, plain)
must("export", folder, plain)
check("no history: no history.csv", not os.path.exists(os.path.join(folder, "history.csv")))

shutil.rmtree(WORK)
sys.exit(finish())
