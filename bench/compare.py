#!/usr/bin/env python3
"""compare — COMPARE of two dates on a synthetic network (issue 21: "runs in seconds").

Makes the network with bench/gen.py (M municipalities, seed 1) if OUT.db is
not there, then plants a year of dated changes with sqlite3 on a copy, as a
yearly round would leave them: 2% of the ties end on 2026-04-01 (schema v3's
`until`), 1% more begin then (new ties between organisations of the same
municipality, `since`), and 1% of the programs end on 2026-03-31. Then it
times, as a planner runs them (a process per statement, median of RUNS):

  * COMPARE '2025-04-01' TO '2026-04-01'           (the whole network)
  * COMPARE … IN one municipality FOR hikikomori AGED 18..39
  * the peer: the tie diff alone in SQLite, the ties existing on each day
    (tsg_exists) joined to their ends' ids, EXCEPT both ways, as an analyst
    would write it in sqlite3 — one of COMPARE's seven tables.

The counts are checked: COMPARE's gained and lost ties must equal the
peer's.

usage: compare.py TSUNAGI SAMPLE_DIR WORK_DIR [--municipalities 100] [--runs 5]
"""
import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd):
    """Wall-clock seconds, CPU seconds (user + system) and output of one run: on
    a shared machine the wall clock counts the other users' work too."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, LANGUAGE="en"))
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode:
        raise SystemExit(f"{cmd}: {p.stderr}")
    return wall, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime, p.stdout


def plant(path):
    db = sqlite3.connect(path)
    rng = random.Random(2026)
    ties = [r[0] for r in db.execute("SELECT tid FROM tie WHERE kind <> 'membership' AND until IS NULL")]
    ended = rng.sample(ties, len(ties) // 50)
    db.executemany("UPDATE tie SET until = '2026-04-01' WHERE tid = ?", [(t,) for t in ended])
    orgs = db.execute("SELECT nid, district FROM organisation").fetchall()
    by_place = {}
    for nid, d in orgs:
        by_place.setdefault(d, []).append(nid)
    places = [v for v in by_place.values() if len(v) > 1]
    added = 0
    while added < len(ties) // 100:
        a, b = rng.sample(rng.choice(places), 2)
        # co_support is undirected: b → a is the same tie as a → b.
        if db.execute("SELECT 1 FROM tie WHERE ((src = ? AND dst = ?) OR (src = ? AND dst = ?)) "
                      "AND kind = 'co_support'", (a, b, b, a)).fetchone():
            continue
        db.execute("INSERT INTO tie(src, dst, kind, directed, since) VALUES (?, ?, 'co_support', 0, '2026-04-01')",
                   (a, b))
        added += 1
    progs = [r[0] for r in db.execute("SELECT nid FROM program WHERE ends IS NULL")]
    db.executemany("UPDATE program SET ends = '2026-03-31' WHERE nid = ?",
                   [(p,) for p in rng.sample(progs, len(progs) // 100)])
    db.commit()
    db.close()
    return len(ended), added


PEER = """
WITH t(day, a, b, kind) AS (
  SELECT d.day, (SELECT id FROM node WHERE nid = MIN(src, dst) * (1 - directed) + src * directed),
         (SELECT id FROM node WHERE nid = MAX(src, dst) * (1 - directed) + dst * directed), kind
  FROM tie, (SELECT 20250401 AS day UNION ALL SELECT 20260401) d
  WHERE tsg_exists(since, until, d.day))
SELECT (SELECT COUNT(*) FROM (SELECT a, b, kind FROM t WHERE day = 20260401 EXCEPT
                              SELECT a, b, kind FROM t WHERE day = 20250401)),
       (SELECT COUNT(*) FROM (SELECT a, b, kind FROM t WHERE day = 20250401 EXCEPT
                              SELECT a, b, kind FROM t WHERE day = 20260401));
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tsunagi")
    ap.add_argument("sample")
    ap.add_argument("work")
    ap.add_argument("--municipalities", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    o = ap.parse_args()
    os.makedirs(o.work, exist_ok=True)
    base = os.path.join(o.work, f"m{o.municipalities}.db")
    if not os.path.exists(base):
        subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), o.tsunagi, o.sample, base,
                        str(o.municipalities), "--seed", "1"], check=True)
    db = os.path.join(o.work, f"m{o.municipalities}-2026.db")
    shutil.copy(base, db)
    # Bring the copy to the current schema before sqlite3 writes its dated columns.
    subprocess.run([o.tsunagi, db, "-c", "COUNT organisations;"], check=True, capture_output=True)
    ended, added = plant(db)
    con = sqlite3.connect(db)
    orgs, ties = con.execute("SELECT (SELECT COUNT(*) FROM organisation), (SELECT COUNT(*) FROM tie)").fetchone()
    town = con.execute("SELECT name FROM district WHERE level = 'municipality' ORDER BY nid LIMIT 1").fetchone()[0]
    con.close()
    print(f"{o.municipalities} municipalities: {orgs} organisations, {ties} ties; {ended} ties ended, "
          f"{added} begun, 1% of programs ended")
    whole = [o.tsunagi, db, "--format", "json", "-c", "COMPARE '2025-04-01' TO '2026-04-01';"]
    one = [o.tsunagi, db, "-c", f"COMPARE '2025-04-01' TO '2026-04-01' IN '{town}' FOR hikikomori AGED 18..39;"]
    rows = {}
    for name, cmd in (("whole", whole), ("one", one)):
        times, cpu = [], []
        for _ in range(o.runs):
            t, c, out = timed(cmd)
            times.append(t)
            cpu.append(c)
        rows[name] = (statistics.median(times), max(times), out, statistics.median(cpu))
    # The peer, through tsunagi's own SQL function for the period rule (the
    # sqlite3 shell has no tsg_exists: a connection opened by Python gets a copy).
    peer = sqlite3.connect(db)

    def exists(since, until, day):
        first = lambda s: int((s + "-01-01")[:10].replace("-", "")) if s else None
        f, u = first(since), first(until)
        return int((f is None or f <= day) and (u is None or day < u))

    peer.create_function("tsg_exists", 3, exists, deterministic=True)
    times = []
    for _ in range(o.runs):
        t = time.perf_counter()
        gained, lost = peer.execute(PEER).fetchone()
        times.append(time.perf_counter() - t)
    tables = [json.loads(doc) for doc in rows["whole"][2].split("\n\n") if doc.strip()]
    mine = {c: sum(1 for r in tables[1] if r["change"] == c) for c in ("gained", "lost")}
    same = mine == {"gained": gained, "lost": lost}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"COMPARE whole network: median {rows['whole'][0]:.2f} s wall, {rows['whole'][3]:.2f} s CPU; "
          f"max {rows['whole'][1]:.2f} s wall")
    print(f"COMPARE IN '{town}' FOR hikikomori: median {rows['one'][0]:.2f} s wall, {rows['one'][3]:.2f} s CPU; "
          f"max {rows['one'][1]:.2f} s wall")
    print(f"peer (SQL tie diff only, in process): median {statistics.median(times):.2f} s wall")
    print(f"gained/lost ties: COMPARE {mine['gained']}/{mine['lost']}, peer {gained}/{lost}: "
          f"{'same' if same else 'DIFFERENT'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
