#!/usr/bin/env python3
"""Issue 19, items 1 and 2 for the store: the importer's and the database
check's errors in Japanese (--lang ja).

Each import case is the sample city with one planted mistake, imported over
a database that already holds the sample. What must hold, and why:

- rc != 0 and the database unchanged (the rule for bad input: a clear
  message and nothing changed; compared by an SQL dump, which a rolled-back
  transaction leaves as it was);
- the message keeps FILE:LINE:COLUMN, the place the planner must look at
  (the position is the English run's, taken as the oracle: the language
  must not move it);
- the Japanese sentence expected for that mistake is there, whole (the
  messages used to be built from English nouns such as "district" put into
  a sentence, which no translation can make natural);
- no English word is left in the sentence once the quoted values ('…'),
  the file names and the keys the planner typed are taken out: a noun
  substituted untranslated ("unknown district", "is a program") would show.

The database check is run the same way on copies damaged with Python's
sqlite3 module (as tests/reliability/damaged_check.py does): the findings
read as Japanese sentences, rc != 0 and the file's bytes are unchanged.

usage: store_ja_check.py TSUNAGI SAMPLE_DIR
"""
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

TSUNAGI, SAMPLE = sys.argv[1:3]
failures = []
ENV = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
# The English words a sentence built from fragments would leave behind.
ENGLISH = re.compile(r"\b(unknown|district|parent|organisation|organization|program|forum|target|group|tie|kind|"
                     r"level|column|row|field|fields|header|empty|listed|twice|duplicate|is|not|a|an|the|of|"
                     r"cannot|under|did|you|mean|no|such|id|database|damaged|date|over)\b", re.I)


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(args):
    p = subprocess.run([TSUNAGI] + args, capture_output=True, env=ENV, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")


def dump(db):
    con = sqlite3.connect(db)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def edit(folder, name, line, old, new):
    path = os.path.join(folder, name)
    with open(path, encoding="utf-8") as f:
        rows = f.read().split("\n")
    if old not in rows[line - 1]:
        raise SystemExit("test setup: %r not in %s line %d" % (old, name, line))
    rows[line - 1] = rows[line - 1].replace(old, new, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(rows))


def leftover_english(sentence, keep=()):
    """The English words of a message once quoted values, file names and
    the keys the planner wrote (keep) are taken out."""
    s = re.sub(r"'[^']*'|「[^」]*」", " ", sentence)
    s = re.sub(r"\b[\w.-]+\.csv(:\d+)?", " ", s)
    for k in keep:
        s = s.replace(k, " ")
    return ENGLISH.findall(s)


# (what, file, line, old, new, expected position, expected Japanese, words the planner wrote)
CASES = [
    ("a district written by its name", "programs.csv", 2, ",d-kita,yes", ",北区,yes", "programs.csv:2:89",
     "地区ID '北区' は登録されていません（d-kita のことですか？）", ()),
    ("a district id one slip away", "programs.csv", 2, ",d-kita,yes", ",d-kitaa,yes", "programs.csv:2:89",
     "地区 'd-kitaa' は登録されていません（d-kita のことですか？）", ()),
    ("a parent district written by its name", "districts.csv", 3, ",d-mizuho", ",みずほ県", "districts.csv:3:30",
     "上位地区のID 'みずほ県' は登録されていません（d-mizuho のことですか？）", ()),
    ("an organisation id that does not exist", "programs.csv", 2, "o-kita-ward", "o-nowhere-at-all",
     "programs.csv:2:23", "団体 'o-nowhere-at-all' は登録されていません（このIDの団体はありません）", ()),
    ("a district where an organisation belongs", "programs.csv", 2, "o-kita-ward", "d-kita",
     "programs.csv:2:23", "'d-kita' は地区です（districts.csv:5）。ここには団体を記入してください", ()),
    ("a membership from a program", "ties.csv", 2, ",referral,", ",membership,", "ties.csv:2:1",
     "'p-kita-sodan' は事業です（programs.csv:2）。ここには団体を記入してください。参加（membership）のつながりは、"
     "団体から会議体へ向けて記入します", ("membership",)),
    ("an unknown approach", "programs.csv", 2, ",problem_solving,", ",xxx,", "programs.csv:2:73",
     "関わり方「xxx」はありません（everyday, continuous, problem_solving のいずれかを指定してください）",
     ("everyday", "continuous", "problem_solving")),
    ("an age that is not a number", "programs.csv", 3, ",0,18,", ",0,abc,", "programs.csv:3:94",
     "age_max 列の 'abc' は年齢（整数）ではありません", ("age_max",)),
    ("a level under a lower one", "districts.csv", 3, ",municipality,", ",school_district,", "districts.csv:5:11",
     "区は小学校区の下に置けません（'d-asahino' は小学校区です）", ()),
    ("a tie given twice", "ties.csv", 3, "p-kita-sodan", "p-kita-sodan", "ties.csv:4:1",
     "'p-kita-sodan' と 'p-kita-houkatsu1' の間の「つなぎ」のつながりが重複しています（3 行目に登録済み）", ()),
    ("a row short of a field", "ties.csv", 2, ",51,2017", ",51", "ties.csv:2:40",
     "この行の項目数は 4 個ですが、見出し行は 5 個です", ()),
    # 全ての人 is everyone's label: the same key twice, which only the vocabulary sees.
    ("a target group listed twice", "programs.csv", 2, ",everyone,", ",everyone;全ての人,", "programs.csv:2:44",
     "対象者「everyone」が2回記入されています", ()),
]

tmp = tempfile.mkdtemp(prefix="store-ja-")
try:
    db = os.path.join(tmp, "city.db")
    rc, out = run(["import", SAMPLE, db])
    if rc != 0:
        raise SystemExit("test setup: the sample does not import: " + out)
    before = dump(db)
    for what, name, line, old, new, where, ja, keep in CASES:
        folder = os.path.join(tmp, "broken")
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(SAMPLE, folder)
        edit(folder, name, line, old, new)
        if what == "a tie given twice":  # the same row again, below it
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                rows = f.read().split("\n")
            rows.insert(3, rows[2])
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                f.write("\n".join(rows))
        rc_en, en = run(["--lang", "en", "import", folder, db])
        rc, out = run(["--lang", "ja", "import", folder, db])
        first = out.strip().split("\n")[0]
        m = re.search(r"(\S+\.csv):(\d+):(\d+): (.*)", first)
        check(rc != 0 and rc_en != 0, "%s: exit status %d (ja), %d (en), expected non-zero" % (what, rc, rc_en))
        check(dump(db) == before, "%s: the database changed" % what)
        check(m is not None and m.group(1).endswith("broken/" + where.split(":")[0]) and
              ":".join(m.group(1, 2, 3)).endswith(where), "%s: expected %s in: %s" % (what, where, first))
        check(("%s: " % where) in en, "%s: the English run puts it elsewhere: %s" % (what, en.strip()))
        check(ja in first, "%s: expected %r in: %s" % (what, ja, first))
        left = leftover_english(m.group(4) if m else first, keep)
        check(not left, "%s: English words %s left in: %s" % (what, left, first))

    # The database check: a copy damaged the way a hand edit would.
    DAMAGE = [
        ("a text age", "UPDATE program SET age_min = 'abc' WHERE rowid = (SELECT min(rowid) FROM program)",
         "program 表の", "列 age_min の型が文字列になっています"),
        ("a date that is no date", "UPDATE program SET starts = '2024-13-40' WHERE rowid = "
         "(SELECT min(rowid) FROM program)", "program 表の", "列 starts の値 '2024-13-40' は日付ではありません"),
        ("a ward under a school district", "UPDATE district SET level = 'school_district' WHERE level = 'municipality'",
         "district 表の", "区は小学校区の下に置けません"),
    ]
    for what, sql, table, ja in DAMAGE:
        bad = os.path.join(tmp, "damaged.db")
        shutil.copyfile(db, bad)
        con = sqlite3.connect(bad)
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute(sql)
        con.commit()
        con.close()
        with open(bad, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        rc, out = run([bad, "--lang", "ja", "-c", "FIND programs WHERE need = place;"])
        with open(bad, "rb") as f:
            check(hashlib.sha256(f.read()).hexdigest() == digest, "check, %s: the file changed" % what)
        check(rc != 0, "check, %s: exit status %d, expected non-zero" % (what, rc))
        line = next((l for l in out.split("\n") if "データベースが壊れています" in l), "")
        check(bad + "：データベースが壊れています：" in line,
              "check, %s: expected the file and データベースが壊れています in: %s" % (what, out.strip()))
        check(table in line and ja in line, "check, %s: expected %r and %r in: %s" % (what, table, ja, line))
        # Table and column names are the database's own (program, age_min).
        left = leftover_english(line.split("：", 1)[-1], ("program", "district", "age_min", "starts", "sqlite3"))
        check(not left, "check, %s: English words %s left in: %s" % (what, left, line))
finally:
    shutil.rmtree(tmp, ignore_errors=True)

print("%d import cases, %d damaged databases: %s" % (len(CASES), 3, "FAIL" if failures else "ok"))
sys.exit(1 if failures else 0)
