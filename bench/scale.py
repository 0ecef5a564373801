#!/usr/bin/env python3
"""scale — tsunagi against its peers at each size, city to national, in one run.

For each size (municipalities of bench/gen.py; 0 is the sample city) it
makes the database if it is not there yet, then measures on the same data:

  * the load (eng_net_load) against the raw SELECT scan of the same rows;
  * GAPS for one target group aged 18..39 in one ward, and REACH within 3
    hops (VIA any) from one organisation, over the same seeded queries,
    against SQLite's recursive CTEs (bench/scale_bench.c; for REACH one
    that counts and one that lists what REACH lists), and DuckDB and
    Kuzu (bench/peers/peers.mjs, installed here with npm);
  * the same GAPS and REACH with AS OF '2025-04-01' (issue 21), each beside
    its plain twin (in turn first), for the cost of AS OF;
  * the peak memory of a planner's session: `tsunagi DB -c` running a
    GAPS, a REACH and a CENTRALITY degree, read by /usr/bin/time.

The answers are checked: REACH must reach as many nodes as the CTE (in
scale_bench), and DuckDB and Kuzu must find the same numbers as SQLite for
REACH and for GAPS' covered school district × need cells. The peers get a
copy of the database with the index an analyst would add
(program(wide_area)), and CSV files of the same tables.

usage: scale.py BUILD SAMPLE_DIR [--sizes 0,10,100,1741] [--work DIR] [--queries N] [--runs N]
                [--budget S] [--no-peers]
"""
import argparse
import csv
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.stderr.write(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
        sys.exit(1)
    return r.stdout


def make_db(a, tsunagi, size):
    db = os.path.join(a.work, "city.db" if size == 0 else f"g{size}.db")
    if not os.path.exists(db):
        if size == 0:
            run([tsunagi, "import", a.sample, db])
        else:
            run([sys.executable, os.path.join(HERE, "gen.py"), tsunagi, a.sample, db, str(size)])
    return db


def make_peer_db(db):
    peer = db[:-3] + ".peer.db"
    if not os.path.exists(peer) or os.path.getmtime(peer) < os.path.getmtime(db):
        part = peer + ".part"  # renamed into place only when complete
        if os.path.exists(part):
            os.remove(part)
        c = sqlite3.connect(db)
        c.execute(f"VACUUM INTO '{part}'")
        c.close()
        c = sqlite3.connect(part)
        add_peer_indexes(c)
        c.close()
        os.replace(part, peer)
    else:
        c = sqlite3.connect(peer)
        add_peer_indexes(c)
        c.close()
    return peer


# The indexes an analyst adds to the peer's copy after reading the plans
# (EXPLAIN QUERY PLAN, printed by scale_bench): GAPS finds the wide-area
# programs through program_wide instead of scanning every program; REACH
# walks open ties through covering indexes in both directions (the schema's
# tie_open is partial, so a walk that reads `until` still visits each row,
# and tie_dst has no kind or direction). No ANALYZE: with statistics SQLite
# 3.40 planned the old recursive REACH with a Bloom filter that scans every
# tie on every query (10x slower).
PEER_INDEXES = (
    "CREATE INDEX IF NOT EXISTS program_wide ON program(wide_area)",
    "CREATE INDEX IF NOT EXISTS tie_out ON tie(src, until, kind, dst)",
    "CREATE INDEX IF NOT EXISTS tie_in ON tie(dst, until, directed, kind, src)",
)


def add_peer_indexes(c):
    for sql in PEER_INDEXES:
        c.execute(sql)
    c.commit()


def write_queries(db, path, n, seed):
    c = sqlite3.connect(db)
    rng = random.Random(seed)
    wards = c.execute("SELECT nid, name FROM district WHERE level = 'ward' ORDER BY nid").fetchall()
    if not wards:
        wards = c.execute("SELECT nid, name FROM district WHERE level = 'municipality' ORDER BY nid").fetchall()
    targets = [r[0] for r in c.execute("SELECT key FROM vocab WHERE kind = 'target' AND key <> 'everyone' ORDER BY rowid")]
    orgs = c.execute("SELECT o.nid, n.id FROM organisation o JOIN node n USING (nid) ORDER BY o.nid").fetchall()
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(n):
            nid, name = rng.choice(wards)
            f.write(f"gaps {nid} {rng.choice(targets)} {name}\n")
        for _ in range(n):
            nid, oid = rng.choice(orgs)
            f.write(f"reach {nid} {oid}\n")
    c.close()


def write_csv(peer, folder):
    """The tables the Node.js peers load, from the peer database."""
    done = os.path.join(folder, ".done")
    if os.path.exists(done) and os.path.getmtime(done) >= os.path.getmtime(peer):
        return
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    c = sqlite3.connect(peer)
    tables = {
        "district": "SELECT nid, parent, level FROM district",
        "program": "SELECT nid, org, age_min, age_max, wide_area FROM program",
        "program_target": "SELECT program, target FROM program_target",
        "program_need": "SELECT program, need FROM program_need",
        "program_area": "SELECT program, district FROM program_area",
        "needs": "SELECT key AS need FROM vocab WHERE kind = 'need'",
        # REACH's steps: ties other than memberships, undirected ones both ways.
        "steps": "SELECT src AS a, dst AS b FROM tie WHERE kind <> 'membership'"
                 " UNION ALL SELECT dst, src FROM tie WHERE kind <> 'membership' AND directed = 0",
        "runs": "SELECT org, nid AS program FROM program",
        "nodes": "SELECT nid FROM node WHERE type IN ('organisation', 'program')",
        "kuzu_district": "SELECT nid, level FROM district",
        "kuzu_parent": "SELECT nid AS child, parent FROM district WHERE parent IS NOT NULL",
        "kuzu_program": "SELECT p.nid, p.age_min, p.age_max, p.wide_area,"
                        " '[' || (SELECT group_concat(target, ',') FROM program_target t WHERE t.program = p.nid) || ']',"
                        " '[' || (SELECT group_concat(need, ',') FROM program_need k WHERE k.program = p.nid) || ']'"
                        " FROM program p",
    }
    for name, sql in tables.items():
        cur = c.execute(sql)
        with open(os.path.join(folder, name + ".csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([d[0] for d in cur.description])
            for row in cur:
                w.writerow(["" if v is None else v for v in row])
    c.close()
    open(done, "w").close()


def ensure_peers():
    folder = os.path.join(HERE, "peers")
    if not os.path.isdir(os.path.join(folder, "node_modules", "kuzu")):
        run(["npm", "install", "--no-audit", "--no-fund", "--prefix", folder])
    return folder


def session_memory(tsunagi, db, queries):
    lines = open(queries, encoding="utf-8").read().splitlines()
    g = next(l for l in lines if l.startswith("gaps")).split(" ", 3)
    r = next(l for l in lines if l.startswith("reach")).split(" ")
    stmts = (f"GAPS FOR {g[2]} AGED 18..39 IN '{g[3]}'; REACH FROM '{r[2]}' WITHIN 3 HOPS VIA any;"
             " CENTRALITY degree TOP 5;")
    t0 = time.monotonic()
    out = subprocess.run(["/usr/bin/time", "-v", tsunagi, db, "-c", stmts], capture_output=True, text=True)
    took = time.monotonic() - t0
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        sys.exit(1)
    kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
    return kb / 1024, took


def parse(text):
    res, info, answers = {}, {}, {"gaps": {}, "reach": {}}
    for line in text.splitlines():
        p = line.split()
        if p[:1] == ["result"]:
            res[p[1]] = {"n": int(p[2]), "median_ms": float(p[3]), "p95_ms": float(p[4])}
        elif p[:1] == ["info"]:
            for k, v in zip(p[1::2], p[2::2]):
                info[k] = float(v)
        elif p[:1] == ["answer"]:
            answers[p[1]][int(p[2])] = int(p[3])
    return res, info, answers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("sample")
    ap.add_argument("--sizes", default="0,10,100,1741")
    ap.add_argument("--work", default="/tmp/tsunagi-scale")
    ap.add_argument("--queries", type=int, default=50, help="wards for GAPS and organisations for REACH")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--budget", type=float, default=120.0, help="seconds each peer may spend on one kind of query")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-peers", action="store_true", help="skip DuckDB and Kuzu")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    tsunagi = os.path.join(a.build, "tsunagi")
    bench = os.path.join(a.build, "scale_bench")
    peers = None if a.no_peers else ensure_peers()
    rows = []
    failed = False
    for size in [int(x) for x in a.sizes.split(",")]:
        db = make_db(a, tsunagi, size)
        peer = make_peer_db(db)
        q = os.path.join(a.work, f"g{size}.queries")
        write_queries(db, q, a.queries, a.seed)
        c = sqlite3.connect(db)
        counts = [c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("organisation", "program", "tie")]
        c.close()
        r = subprocess.run([bench, db, peer, q, str(a.runs), str(a.budget)], capture_output=True, text=True)
        sys.stderr.write(r.stderr)
        if r.returncode != 0:
            sys.stderr.write(f"scale_bench on {db}: exit {r.returncode}\n")
            return 1
        res, info, answers = parse(r.stdout)
        mem, took = session_memory(tsunagi, db, q)
        row = {"size": size, "orgs": counts[0], "programs": counts[1], "ties": counts[2], "res": res, "info": info,
               "session_mb": mem, "session_s": took}
        if peers:
            folder = os.path.join(a.work, f"g{size}.csv")
            write_csv(peer, folder)
            out = run(["node", os.path.join(peers, "peers.mjs"), folder, q, str(a.runs), str(a.budget), a.work])
            row["peers"] = json.loads(out)
            for name, p in row["peers"].items():
                if "error" in p:
                    print(f"{name}: {p['error']}", file=sys.stderr)
                    continue
                for kind in ("gaps", "reach"):
                    for nid, n in p[kind]["answers"].items():
                        want = answers[kind].get(int(nid))
                        if want is not None and want != n:
                            print(f"MISMATCH {name} {kind} {nid}: {n}, SQLite {want}", file=sys.stderr)
                            failed = True
        rows.append(row)
        report(rows)
    return 1 if failed else 0


def cell(r):
    return f"{r['median_ms']:.2f} / {r['p95_ms']:.2f}" if r else "—"


def report(rows):
    print("\n| network | organisations | programs | ties | load (floor) | ratio | session peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for w in rows:
        lf, ld = w["res"].get("load_floor"), w["res"].get("load")
        name = "sample city" if w["size"] == 0 else f"{w['size']} municipalities"
        print(f"| {name} | {w['orgs']:,} | {w['programs']:,} | {w['ties']:,} | {ld['median_ms']:.0f} ms "
              f"({lf['median_ms']:.0f} ms) | {ld['median_ms'] / lf['median_ms']:.2f} | {w['session_mb']:.0f} MB |")
    for kind in ("gaps", "reach"):
        sqlite = [kind + "_sqlite"] + ([kind + "_sqlite_rows"] if kind == "reach" else [])
        heads = ["SQLite CTE"] if kind == "gaps" else ["SQLite CTE (count)", "SQLite CTE (rows)"]
        print(f"\n{kind.upper()}: median / p95 in ms; ratio = peer median / tsunagi median\n")
        print("| network | tsunagi | " + " | ".join(f"{h} | ratio" for h in heads + ["DuckDB", "Kuzu"]) + " |")
        print("|---|---:|" + "---:|---:|" * (len(heads) + 2))
        for w in rows:
            ours = w["res"].get(kind)
            cols = [cell(ours)]
            peers = [w["res"].get(k) for k in sqlite]
            for name in ("duckdb", "kuzu"):
                p = w.get("peers", {}).get(name, {})
                peers.append(p.get(kind))
            for p in peers:
                cols.append(cell(p))
                cols.append(f"{p['median_ms'] / ours['median_ms']:.0f}×" if p and ours else "—")
            name = "sample city" if w["size"] == 0 else f"{w['size']} municipalities"
            print(f"| {name} | " + " | ".join(cols) + " |")
    print("\nAS OF (issue 21): each statement with AS OF '2025-04-01' beside its plain twin (in turn first); "
          "median / p95 in ms, and the cost of AS OF (limit: +20%)\n")
    print("| network | GAPS | GAPS AS OF | cost | REACH | REACH AS OF | cost |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for w in rows:
        cols = []
        for kind in ("gaps", "reach"):
            ours, dated = w["res"].get(kind), w["res"].get(kind + "_asof")
            cost = f"{(dated['median_ms'] / ours['median_ms'] - 1) * 100:+.0f}%" if ours and dated else "—"
            cols += [cell(ours), cell(dated), cost]
        name = "sample city" if w["size"] == 0 else f"{w['size']} municipalities"
        print(f"| {name} | " + " | ".join(cols) + " |")
    print("\nREACH back to back (REACH statements one after another, then the counting CTE the same way):\n")
    print("| network | tsunagi | SQLite CTE (count) | ratio |")
    print("|---|---:|---:|---:|")
    for w in rows:
        ours, p = w["res"].get("reach_alone"), w["res"].get("reach_sqlite_alone")
        name = "sample city" if w["size"] == 0 else f"{w['size']} municipalities"
        ratio = f"{p['median_ms'] / ours['median_ms']:.0f}×" if p and ours else "—"
        print(f"| {name} | {cell(ours)} | {cell(p)} | {ratio} |")
    for w in rows:
        for name, p in w.get("peers", {}).items():
            if "load_s" in p:
                print(f"{w['size']}: {name} load {p['load_s']:.1f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
