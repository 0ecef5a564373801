#!/usr/bin/env python3
"""SUGGEST TIES: each claimed effect, by applying the tie (issue 22, Done when).

For each statement below, each of its top 10 suggestions is added with TIE
(from_id -> to_id AS tie) to a copy of the database made with sqlite3's
backup, by a second tsunagi:
  reach and seam: the matching GAPS must lose exactly `closes` rows;
  thin links:     HORIZONTAL's share of ties between two non-government
                  organisations must become the "after" figure of `why`, and
                  its pieces without government drop by `closes`; neither end
                  is a government body (organisations.csv).
The TIE must succeed (so the tie did not exist). And the sample city's
planted weaknesses that a tie can close (docs/sample-city.md) each get one:
6, a referral to the 東区 女子会 from an entry point serving 東区 closing its
four reach rows; 3, a hand-over from こもれび closing the seam; 4, a tie
joining one of 南区's five NPOs to another non-government organisation.

usage: suggest_check.py TSUNAGI SAMPLE_DIR [--top N]
  the test command checks the top 4 of each; scripts/whatif-full the top 10.
"""
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from whatiflib import copy_of, run_json, tables  # noqa: E402

GROUPS = [
    ("FOR hikikomori AGED 18..39 IN '東区' NEEDS peer", "reach"),
    ("FOR hikikomori AGED 15..39 IN '北区' NEEDS consultation, place", "seam"),
]
THIN = ["南区", "中央区"]


def run(tsunagi, db, text):
    out, err, rc = run_json(tsunagi, db, text)
    return (None, err) if rc else (tables(out), "")


def measures(tables):
    return {r["measure"]: r["value"] for r in tables[0]}


def main():
    tsunagi, sample = sys.argv[1], sys.argv[2]
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 4
    with open(os.path.join(sample, "organisations.csv"), encoding="utf-8-sig") as f:
        sector = {r["id"]: r["sector"] for r in csv.DictReader(f)}
    tmp = tempfile.mkdtemp(prefix="suggest-")
    failures = checks = 0
    found = set()
    try:
        db = os.path.join(tmp, "city.db")
        subprocess.run([tsunagi, "import", sample, db], check=True, capture_output=True)
        for clauses, kind in GROUPS:
            sugg, err = run(tsunagi, db, f"SUGGEST TIES {clauses} TOP {top};")
            before, _ = run(tsunagi, db, f"GAPS {clauses};")
            for s in sugg[0]:
                checks += 1
                copy = copy_of(db, tmp)
                after, err = run(tsunagi, copy, f"TIE '{s['from_id']}' -> '{s['to_id']}' AS {s['tie']}; GAPS {clauses};")
                lost = len(before[0]) - (len(after[0]) if after else 0)
                if after is None or lost != int(s["closes"]) or s["kind"] != kind:
                    print(f"FAIL {clauses}: {s['from_id']} -> {s['to_id']} claims {s['closes']}, loses {lost} {err}")
                    failures += 1
                if s["kind"] == "reach" and s["to_id"] == "p-higashi-joshi" and int(s["closes"]) >= 4:
                    found.add(6)
                if s["kind"] == "seam" and s["from_id"] == "p-kita-futoko" and int(s["closes"]) >= 1:
                    found.add(3)
        npos = {"o-minami-kodomo", "o-minami-gakushu", "o-minami-hikiko", "o-minami-women", "o-minami-tabunka"}
        for district in THIN:
            sugg, _ = run(tsunagi, db, f"SUGGEST TIES IN '{district}' TOP {top};")
            m0 = measures(run(tsunagi, db, f"HORIZONTAL IN '{district}';")[0])
            for s in sugg[0]:
                checks += 1
                copy = copy_of(db, tmp)
                after, err = run(tsunagi, copy, f"TIE '{s['from_id']}' -> '{s['to_id']}' AS {s['tie']}; HORIZONTAL IN '{district}';")
                if after is None:
                    print(f"FAIL {district}: TIE {s['from_id']} -> {s['to_id']}: {err}")
                    failures += 1
                    continue
                m1 = measures(after)
                share = re.search(r"\(([\d.]+)%\)", m1["ties between two non-government organisations"]).group(1)
                claimed = re.search(r"-> ([\d.]+)%", s["why"]).group(1)
                pieces = int(m0["pieces without government"]) - int(m1["pieces without government"])
                gov = sector.get(s["from_id"]) == "government" or sector.get(s["to_id"]) == "government"
                if share != claimed or pieces != int(s["closes"]) or gov:
                    print(f"FAIL {district}: {s['from_id']} -> {s['to_id']}: share {share} (claimed {claimed}),"
                          f" pieces joined {pieces} (claimed {s['closes']}), government {gov}")
                    failures += 1
                if district == "南区" and ({s["from_id"], s["to_id"]} & npos) and pieces >= 1:
                    found.add(4)
        # RENDER … HIGHLIGHT SUGGESTIONS: the top five as dashed green edges
        # (EXPORT DOT writes the same picture as text), with a legend entry.
        dot = os.path.join(tmp, "minami.dot")
        p = subprocess.run([tsunagi, db, "-c", f"EXPORT DOT OF '南区' TO '{dot}' AS detail HIGHLIGHT SUGGESTIONS;"],
                           capture_output=True, text=True, env=dict(os.environ, LANGUAGE="en"))
        text = open(dot, encoding="utf-8").read() if os.path.exists(dot) else p.stderr
        checks += 1
        if text.count('color="#1a9850", penwidth') != 5 or "suggested tie (SUGGEST TIES)" not in text:
            print(f"FAIL HIGHLIGHT SUGGESTIONS: {text[:300]}")
            failures += 1
        # REPORT's next steps: SUGGEST TIES' table for the report's question.
        html = os.path.join(tmp, "r.html")
        subprocess.run([tsunagi, db, "-c", f"REPORT GAPS {GROUPS[0][0]} TO '{html}';"], capture_output=True,
                       env=dict(os.environ, LANGUAGE="en"))
        text = open(html, encoding="utf-8").read() if os.path.exists(html) else ""
        top, _ = run(tsunagi, db, f"SUGGEST TIES {GROUPS[0][0]} TOP 1;")
        checks += 1
        step = text[text.find("Next steps"):]
        if "Next steps" not in text or not top or top[0][0]["from_id"] not in step or "p-higashi-joshi" not in step:
            print("FAIL REPORT has no next steps with SUGGEST TIES' first suggestion")
            failures += 1
        for w in (3, 4, 6):
            if w not in found:
                print(f"FAIL planted weakness {w} gets no suggestion that closes it")
                failures += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{checks - failures} of {checks} suggestions give what they claim; planted weaknesses closed: {sorted(found)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
