#!/usr/bin/env python3
"""WHAT IF against the real change (issue 22, Done when).

For organisations of the sample city, one at a time, and for random pairs
(a fixed seed), `WHAT IF WITHOUT …` must give, in its rows marked new or
same, exactly the rows the same statement returns after the organisations
are really removed (their programs first, as REMOVE asks) from a copy of the
database file. The copy is made with Python's sqlite3 backup, and the
statements run on it by a second tsunagi: the oracle shares no code with
WHAT IF's own copy. The rows marked same or gone must be the statement's
rows before the change, too.

Every case's WHAT IF statements and the statements before any change run in
one tsunagi on the imported file (WHAT IF changes nothing there); each
oracle copy gets one tsunagi for its removals and statements. A process per
statement was most of the test's time, not the statements.

usage: whatif_check.py TSUNAGI SAMPLE_DIR [--orgs N] [--pairs N] [--all]
  --all checks every organisation (the exhaustive run, scripts/whatif-full);
  the test command checks a few, chosen with a fixed seed.
"""
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from whatiflib import copy_of, run_each  # noqa: E402

STATEMENTS = [
    "GAPS FOR hikikomori AGED 18..39 IN 'あさひの市'",
    "REACH FROM 'p-higashi-sodan' WITHIN 3 HOPS",
    "HORIZONTAL IN 'あさひの市'",
]


def split_whatif(ts):
    """WHAT IF's tables: the rows after (new, same) and before (same, gone)."""
    after, before = [], []
    for t in ts:
        a = [{k: v for k, v in r.items() if not k.startswith("whatif")} for r in t if r["whatif"] != "gone"]
        b = [{k: v for k, v in r.items() if not k.startswith("whatif")} for r in t if r["whatif"] != "new"]
        after.append(a)
        before.append(b)
    return after, before


def canon(ts):
    # Each table as a sorted list of rows; empty tables carry no shape.
    return sorted(sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in t) for t in ts if t)


def main():
    args = sys.argv[1:]
    tsunagi, sample = args[0], args[1]
    norgs = int(args[args.index("--orgs") + 1]) if "--orgs" in args else 2
    npairs = int(args[args.index("--pairs") + 1]) if "--pairs" in args else 1
    with open(os.path.join(sample, "organisations.csv"), encoding="utf-8-sig") as f:
        orgs = [r["id"] for r in csv.DictReader(f)]
    progs = {}
    with open(os.path.join(sample, "programs.csv"), encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            progs.setdefault(r["org_id"], []).append(r["id"])
    rnd = random.Random(22)
    # The planted weaknesses' organisations always, then a random few.
    planted = ["o-chuo-shakyo", "o-higashi-joshi", "o-int-kokusai"]
    if "--all" in args:
        cases = [[o] for o in orgs]
    else:
        cases = [[o] for o in planted] + [[o] for o in rnd.sample([o for o in orgs if o not in planted], norgs)]
    cases += [rnd.sample(orgs, 2) for _ in range(npairs)]
    tmp = tempfile.mkdtemp(prefix="whatif-")
    failures = 0
    try:
        db = os.path.join(tmp, "city.db")
        p = subprocess.run([tsunagi, "import", sample, db], capture_output=True, text=True)
        if p.returncode:
            print(p.stderr)
            return 1
        k = len(STATEMENTS)
        whatifs = [f"WHAT IF WITHOUT {', '.join(f'organisation {o!r}' for o in case)} {s}" for case in cases
                   for s in STATEMENTS]
        res, errs, whatif_err = run_each(tsunagi, db, STATEMENTS + whatifs)
        base = [t for r in res[:k] for t in r]
        for i, case in enumerate(cases):
            out = [t for r in res[k + i * k:k + (i + 1) * k] for t in r]
            err = errs[k + i * k:k + (i + 1) * k]
            # The oracle: the same statements after REMOVE, on a copy of the file.
            copy = copy_of(db, tmp)
            # The removals on one line, as one step: a separator between them
            # would make tsunagi read the changed network each time.
            removes = [f"REMOVE program '{p}'" for o in case for p in progs.get(o, [])]
            removes = ["; ".join(removes + [f"REMOVE organisation '{o}'" for o in case])]
            want_res, want_errs, want_err = run_each(tsunagi, copy, removes + STATEMENTS)
            if any(want_errs[:len(removes)]):
                print(f"FAIL {case}: the oracle's REMOVE failed: {want_err}")
                failures += 1
                continue
            after, before = split_whatif(out)
            want = [t for r in want_res[len(removes):] for t in r]
            # A statement that fails after the change (REACH from a program
            # taken away) fails in both.
            if want_errs[len(removes):] != err:
                print(f"FAIL {case}: errors differ:\n{whatif_err}\n---\n{want_err}")
                failures += 1
                continue
            if canon(after) != canon(want):
                print(f"FAIL {case}: WHAT IF's new and same rows differ from the statements after REMOVE")
                failures += 1
            elif canon(before) != canon([t for t in base if t]) and not any(err):
                print(f"FAIL {case}: WHAT IF's same and gone rows differ from the statements before")
                failures += 1
            else:
                print(f"ok {case}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(cases) - failures} of {len(cases)} cases agree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
