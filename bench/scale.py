#!/usr/bin/env python3
"""scale — tsunagi against its peers at each size, city to national, in one run.

For each size (municipalities of bench/gen.py; 0 is the sample city) it
makes the database if it is not there yet, then measures on the same data:

  * the load (eng_net_load) against the raw SELECT scan of the same rows,
    with the page faults of each (getrusage);
  * GAPS for one target group aged 18..39 in one ward, and REACH within 3
    hops (VIA any) from one organisation, over the same seeded queries,
    against the SQLite peers of bench/sql/ as an analyst writes them (GAPS'
    coverage in one GROUP BY over the group's needs; REACH level by level,
    counting and listing), run in process by bench/scale_bench.c, which
    prints each peer's query plan; and DuckDB and Kuzu
    (bench/peers/peers.mjs, installed here with npm);
  * the same GAPS with AS OF '2025-04-01' (issue 21), each beside its
    plain twin (in turn first), and REACH with and without AS OF back to
    back, for the cost of AS OF, and the cost of REACH switching days;
  * the cold start: whole processes, `tsunagi DB -c STATEMENT` for a GAPS, a
    REACH and `CENTRALITY degree TOP 10`, against `sqlite3 PEER_DB < FILE`
    running the same peer SQL (bench/sql/, parameters set with
    .parameter), cold (the page cache dropped, or where that is not allowed
    the files' pages evicted with posix_fadvise) and warm, with wall time and
    peak RSS. When tsunagi writes a cache beside the database (DB.tsn), the
    table shows the run that builds it and the runs that find it apart;
    without one, "no cache";
  * the peak memory of a planner's session: `tsunagi DB -c` running a
    GAPS, a REACH and a CENTRALITY degree, read by /usr/bin/time.

The answers are checked: REACH must reach as many nodes as the SQL (in
scale_bench), GAPS must leave uncovered the cells the SQL finds uncovered,
and DuckDB and Kuzu must find the same numbers as SQLite for REACH and for
GAPS' covered school district × need cells. The peers get a copy of the
database with the indexes an analyst adds after reading the plans
(PEER_INDEXES), and CSV files of the same tables.

The tables print after each size, ready to paste into docs/performance.md.

usage: scale.py BUILD SAMPLE_DIR [--sizes 0,10,100,1741] [--work DIR] [--queries N] [--runs N]
                [--budget S] [--cold-runs N] [--cold-runs-city N] [--no-peers] [--no-cold]
"""
import argparse
import csv
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
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
        "default_need": "SELECT target, need FROM default_need",
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


def evict(paths):
    """Empties the page cache before a cold run: all of it where allowed
    (root: /proc/sys/vm/drop_caches), else these files' pages
    (posix_fadvise DONTNEED, after their dirty pages are written). Returns
    how."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("1\n")
        return "drop_caches"
    except OSError:
        for path in paths:
            if os.path.exists(path):
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(fd)
        return "posix_fadvise"


def child(cmd, stdin_path=None):
    """Runs one whole process, output to /dev/null; returns (wall s, major
    faults, CPU s: user + system), all from os.wait4 on the process itself.
    Nothing runs in between: /usr/bin/time in front would add its own
    start-up, about 7 ms of CPU here, to a sample city's 20 ms."""
    with tempfile.TemporaryFile() as err, open(os.devnull, "wb") as out, \
            (open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb")) as stdin:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            err.seek(0)
            sys.stderr.write(f"{' '.join(cmd)}: exit {p.returncode}\n{err.read().decode(errors='replace')}")
            sys.exit(1)
    return wall, ru.ru_majflt, ru.ru_utime + ru.ru_stime


def peak_rss(cmd, stdin_path=None):
    """One more run of cmd for its peak RSS in MB, /usr/bin/time's report of
    the process alone (os.wait4's ru_maxrss would count the Python parent's
    pages the child had before exec)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as rep, open(os.devnull, "wb") as out, \
            (open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb")) as stdin:
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rep.name] + cmd, stdin=stdin, stdout=out,
                           stderr=subprocess.DEVNULL)
        if p.returncode != 0:
            sys.stderr.write(f"{' '.join(cmd)}: exit {p.returncode}\n")
            sys.exit(1)
        return int(rep.read().split()[-1]) / 1024


def sql_literal(v):
    return str(v) if isinstance(v, int) else "\"'" + str(v).replace("'", "''") + "'\""


def cold_statements(a, size, queries):
    """The cold start's three statements: tsunagi's text, and the sqlite3
    script (the peer SQL of bench/sql/ with its parameters set) for each."""
    lines = open(queries, encoding="utf-8").read().splitlines()
    g = next(l for l in lines if l.startswith("gaps")).split(" ", 3)
    r = next(l for l in lines if l.startswith("reach")).split(" ")
    todo = [
        ("GAPS", f"GAPS FOR {g[2]} AGED 18..39 IN '{g[3]}';", "gaps",
         {":ward": int(g[1]), ":target": g[2], ":age_from": 18, ":age_to": 39}),
        ("REACH", f"REACH FROM '{r[2]}' WITHIN 3 HOPS VIA any;", "reach_rows", {":org": int(r[1])}),
        ("CENTRALITY degree", "CENTRALITY degree TOP 10;", "degree", {":top": 10}),
    ]
    out = []
    for name, stmt, sql, params in todo:
        script = os.path.join(a.work, f"g{size}.cold_{sql}.sql")
        with open(script, "w", encoding="utf-8") as f:
            f.write("".join(f".parameter set {k} {sql_literal(v)}\n" for k, v in params.items()))
            f.write(open(os.path.join(HERE, "sql", sql + ".sql"), encoding="utf-8").read())
        out.append((name, stmt, script))
    return out


def cold_start(a, tsunagi, db, peer, size, queries):
    """Whole processes, cold and warm, tsunagi and sqlite3 in turn (so both
    meet the same machine). tsunagi's runs are told apart by its cache file
    (DB.tsn): a run that finds none and leaves one built it; a run that
    finds one used it; otherwise there is no cache. Returns the rows of the
    table and how the cache was emptied."""
    # SQLite names the database by its resolved path (symlinks followed),
    # and tsunagi puts the cache beside that name: a cache looked for
    # beside a link is never found, and every run read as "no cache".
    tsn = os.path.realpath(db) + ".tsn"
    how = None
    rows = []
    for name, stmt, script in cold_statements(a, size, queries):
        runs = {}  # (tool, state, cold|warm) -> [(wall, majflt, cpu)]

        def rec(tool, state, temp, m):
            runs.setdefault((tool, state, temp), []).append(m)

        ours = [tsunagi, db, "-c", stmt]
        theirs = ["sqlite3", peer]
        built = False
        # The sample city's cells are a few milliseconds, which the machine's
        # noise moves as much: the median of more runs there.
        for _ in range(a.cold_runs_city if size == 0 else a.cold_runs):
            # No cache file: this run either has none to use or builds it.
            if os.path.exists(tsn):
                os.remove(tsn)
            how = evict([db, tsn, peer])
            m = child(ours)
            built = os.path.exists(tsn)
            rec("tsunagi", "cache being built" if built else "no cache", "cold", m)
            evict([db, tsn, peer])
            rec("sqlite3", "", "cold", child(theirs, script))
            if built:
                evict([db, tsn, peer])
                rec("tsunagi", "cache present", "cold", child(ours))
                rec("tsunagi", "cache present", "warm", child(ours))
                os.remove(tsn)
                rec("tsunagi", "cache being built", "warm", child(ours))
            else:
                rec("tsunagi", "no cache", "warm", child(ours))
            rec("sqlite3", "", "warm", child(theirs, script))
        # Peak memory, from runs of their own (the cache file as each state
        # has it: none, then the one that run wrote).
        rss = {"sqlite3": peak_rss(theirs, script)}
        if built:
            os.remove(tsn)
            rss["cache being built"] = peak_rss(ours)
            rss["cache present"] = peak_rss(ours)
        else:
            rss["no cache"] = peak_rss(ours)

        def med(key, i):
            v = sorted(m[i] for m in runs.get(key, []))
            return v[len(v) // 2] if v else None

        for state in ("no cache", "cache being built", "cache present"):
            if ("tsunagi", state, "cold") not in runs and ("tsunagi", state, "warm") not in runs:
                continue
            rows.append({"statement": name, "state": state, "runs": len(runs.get(("tsunagi", state, "cold"), [])),
                         "cold": med(("tsunagi", state, "cold"), 0), "warm": med(("tsunagi", state, "warm"), 0),
                         "cpu_cold": med(("tsunagi", state, "cold"), 2), "cpu_warm": med(("tsunagi", state, "warm"), 2),
                         "rss": rss.get(state), "majflt": med(("tsunagi", state, "cold"), 1),
                         "peer_cold": med(("sqlite3", "", "cold"), 0), "peer_warm": med(("sqlite3", "", "warm"), 0),
                         "peer_cpu_cold": med(("sqlite3", "", "cold"), 2),
                         "peer_cpu_warm": med(("sqlite3", "", "warm"), 2), "peer_rss": rss["sqlite3"]})
    return rows, how


def parse(text):
    res, info, answers, plans = {}, {}, {"gaps": {}, "reach": {}}, {}
    for line in text.splitlines():
        p = line.split()
        if p[:1] == ["result"]:
            res[p[1]] = {"n": int(p[2]), "median_ms": float(p[3]), "p95_ms": float(p[4])}
        elif p[:1] == ["info"]:
            for k, v in zip(p[1::2], p[2::2]):
                info[k] = float(v)
        elif p[:1] == ["answer"]:
            answers[p[1]][int(p[2])] = int(p[3])
        elif p[:1] == ["plan"]:
            plans.setdefault(p[1], []).append("  " * int(p[2]) + " ".join(p[3:]))
    return res, info, answers, plans


def machine():
    """One line for the tables' heading: date, CPU, memory, load average."""
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    sqlite = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout.split()[:1]
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} × {cpu}, "
            f"{mem / 1048576:.0f} GiB, {platform.system()} {platform.release()}, SQLite {' '.join(sqlite)}, "
            f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("sample")
    ap.add_argument("--sizes", default="0,10,100,1741")
    ap.add_argument("--work", default="/tmp/tsunagi-scale")
    ap.add_argument("--queries", type=int, default=50, help="wards for GAPS and organisations for REACH")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--budget", type=float, default=120.0, help="seconds each peer may spend on one kind of query")
    ap.add_argument("--cold-runs", type=int, default=3, help="runs of each whole process in the cold-start table")
    ap.add_argument("--cold-runs-city", type=int, default=11, help="the same for the sample city (size 0)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-peers", action="store_true", help="skip DuckDB and Kuzu")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold-start table")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    tsunagi = os.path.join(a.build, "tsunagi")
    bench = os.path.join(a.build, "scale_bench")
    peers = None if a.no_peers else ensure_peers()
    rows = []
    failed = False
    print(f"Run: {machine()}", flush=True)
    for size in [int(x) for x in a.sizes.split(",")]:
        db = make_db(a, tsunagi, size)
        peer = make_peer_db(db)
        q = os.path.join(a.work, f"g{size}.queries")
        write_queries(db, q, a.queries, a.seed)
        c = sqlite3.connect(db)
        counts = [c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("organisation", "program", "tie")]
        c.close()
        load_avg = os.getloadavg()[0]
        r = subprocess.run([bench, db, peer, q, str(a.runs), str(a.budget)], capture_output=True, text=True)
        sys.stderr.write(r.stderr)
        if r.returncode != 0:
            sys.stderr.write(f"scale_bench on {db}: exit {r.returncode}\n")
            return 1
        with open(os.path.join(a.work, f"g{size}.bench.txt"), "w", encoding="utf-8") as f:
            f.write(r.stdout)  # scale_bench's raw output, kept beside the databases
        res, info, answers, plans = parse(r.stdout)
        mem, took = session_memory(tsunagi, db, q)
        row = {"size": size, "orgs": counts[0], "programs": counts[1], "ties": counts[2], "res": res, "info": info,
               "plans": plans, "session_mb": mem, "session_s": took, "load_avg": load_avg}
        if not a.no_cold:
            report(rows + [row])  # the session's tables now: the cold start takes longest
            row["cold"], row["evict"] = cold_start(a, tsunagi, db, peer, size, q)
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
    w = rows[-1]
    print(f"\nQuery plans of the SQLite peers on {network(w)} (EXPLAIN QUERY PLAN, printed by scale_bench):")
    for name, lines in w.get("plans", {}).items():
        print(f"\n{name}:\n```\n" + "\n".join(lines) + "\n```")
    print(f"\nEnd: {machine()}")
    return 1 if failed else 0


def cell(r):
    return f"{r['median_ms']:.2f} / {r['p95_ms']:.2f}" if r else "—"


def ratio(peer, ours):
    return f"{peer['median_ms'] / ours['median_ms']:.1f}×" if peer and ours else "—"


def network(w):
    return "sample city" if w["size"] == 0 else f"{w['size']:,} municipalities"


def seconds(x):
    return "—" if x is None else (f"{x * 1e3:.0f} ms" if x < 1 else f"{x:.2f} s")


def report(rows):
    print(f"\n===== after {network(rows[-1])}: tables of every size so far =====")
    print("\nLoad against the floor (median of the runs), with page faults (getrusage: minor / major, median per"
          " load; the first load apart) and the load average when the size began:\n")
    print("| network | organisations | programs | ties | load (floor) | ratio | ratio, CPU | load CPU (floor CPU) |"
          " ratio to the floor of the load's columns, wall / CPU | faults: floor | load | first load |"
          " session peak RSS | load average |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for w in rows:
        lf, ld, i, res = w["res"].get("load_floor"), w["res"].get("load"), w["info"], w["res"]
        f = lambda k: f"{i.get(k + '_minflt', 0):,.0f} / {i.get(k + '_majflt', 0):,.0f}"
        # CPU time and the floor of the load's columns (scale_bench.c): "—" from an older scale_bench.
        part = lambda a, b: f"{res[a]['median_ms'] / res[b]['median_ms']:.2f}" if a in res and b in res else "—"
        cpu = (f"{res['load_cpu']['median_ms']:,.0f} ms ({res['load_floor_cpu']['median_ms']:,.0f} ms)"
               if "load_cpu" in res and "load_floor_cpu" in res else "—")
        print(f"| {network(w)} | {w['orgs']:,} | {w['programs']:,} | {w['ties']:,} | {ld['median_ms']:,.0f} ms "
              f"({lf['median_ms']:,.0f} ms) | {ld['median_ms'] / lf['median_ms']:.2f} |"
              f" {part('load_cpu', 'load_floor_cpu')} | {cpu} |"
              f" {part('load', 'load_floor_columns')} / {part('load_cpu', 'load_floor_columns_cpu')} |"
              f" {f('floor')} | {f('load')} | {f('first_load')} | {w['session_mb']:,.0f} MB | {w['load_avg']:.1f} |")
    print("\nThe first statement of a session (the load and the names) against the scan of every row both read:\n")
    print("| network | first statement | floor | ratio | first AS OF statement |")
    print("|---|---:|---:|---:|---:|")
    for w in rows:
        i = w["info"]
        print(f"| {network(w)} | {i.get('first_statement_ms', 0):,.0f} ms | {i.get('first_floor_ms', 0):,.0f} ms | "
              f"{i.get('first_statement_ms', 0) / max(i.get('first_floor_ms', 1), 1e-9):.2f} | "
              f"{i.get('first_asof_statement_ms', 0):,.0f} ms |")
    for kind in ("gaps", "reach"):
        sqlite = [kind + "_sqlite"] + ([kind + "_sqlite_rows"] if kind == "reach" else [])
        heads = (["SQLite (bench/sql/gaps.sql)"] if kind == "gaps" else
                 ["SQLite levels, count (reach.sql)", "SQLite levels, rows (reach_rows.sql)"])
        print(f"\n{kind.upper()}: median / p95 in ms; ratio = peer median / tsunagi median\n")
        print("| network | tsunagi | " + " | ".join(f"{h} | ratio" for h in heads + ["DuckDB", "Kuzu"]) + " |")
        print("|---|---:|" + "---:|---:|" * (len(heads) + 2))
        for w in rows:
            ours = w["res"].get(kind)
            cols = [cell(ours)]
            peers = [w["res"].get(k) for k in sqlite]
            for name in ("duckdb", "kuzu"):
                peers.append(w.get("peers", {}).get(name, {}).get(kind))
            for p in peers:
                cols += [cell(p), ratio(p, ours)]
            print(f"| {network(w)} | " + " | ".join(cols) + " |")
    print("\nBack to back: each kind's statements one after another, then its peer SQL the same way, so both meet"
          " their pages warm (above, each peer runs once per query, right after tsunagi's first run of it);"
          " median / p95 in ms\n")
    print("| network | GAPS tsunagi | SQLite (gaps.sql) | ratio | REACH tsunagi | SQLite levels, count | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for w in rows:
        cols = []
        for kind in ("gaps", "reach"):
            ours, p = w["res"].get(kind + "_alone"), w["res"].get(kind + "_sqlite_alone")
            cols += [cell(ours), cell(p), ratio(p, ours)]
        print(f"| {network(w)} | " + " | ".join(cols) + " |")
    print("\nAS OF (issue 21): each GAPS with AS OF '2025-04-01' beside its plain twin (in turn first); REACH back to"
          " back with and without AS OF; median / p95 in ms, and the cost of AS OF (limit: +20%). The first REACH on"
          " another day than the last (the switch), one statement each way, in ms\n")
    print("| network | GAPS | GAPS AS OF | cost | REACH | REACH AS OF | cost | REACH switching to AS OF | back |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for w in rows:
        cols = []
        for plain, dated in (("gaps_twin", "gaps_asof"), ("reach_alone", "reach_asof_alone")):
            ours, d = w["res"].get(plain), w["res"].get(dated)
            cost = f"{(d['median_ms'] / ours['median_ms'] - 1) * 100:+.0f}%" if ours and d else "—"
            cols += [cell(ours), cell(d), cost]
        i = w["info"]
        cols += [f"{i.get('reach_switch_asof_ms', 0):,.0f}", f"{i.get('reach_switch_today_ms', 0):,.0f}"]
        print(f"| {network(w)} | " + " | ".join(cols) + " |")
    if any("cold" in w for w in rows):
        print("\nCold start: whole processes, median of the runs (n); tsunagi DB -c STATEMENT against sqlite3 PEER_DB <"
              " the same peer SQL (bench/sql/); cold = page cache emptied first"
              f" ({', '.join(sorted({w['evict'] for w in rows if w.get('evict')}))}), warm = run again at once;"
              " wall (CPU = user + system) and major faults from os.wait4 on the process itself; ratio = tsunagi's"
              " cold wall / sqlite3's; peak RSS from a run of its own under /usr/bin/time\n")
        print("| network | statement | tsunagi | n | cold (CPU) | warm (CPU) | peak RSS | major faults |"
              " sqlite3 cold (CPU) | warm (CPU) | peak RSS | ratio cold |")
        print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for w in rows:
            for c in w.get("cold", []):
                rss = lambda x: "—" if x is None else f"{x:,.0f} MB"
                both = lambda t, u: f"{seconds(t)} ({seconds(u)})" if u is not None else seconds(t)
                against = f"{c['cold'] / c['peer_cold']:.2f}" if c["cold"] and c["peer_cold"] else "—"
                print(f"| {network(w)} | {c['statement']} | {c['state']} | {c['runs']} |"
                      f" {both(c['cold'], c['cpu_cold'])} | {both(c['warm'], c['cpu_warm'])} |"
                      f" {rss(c['rss'])} | {c['majflt'] if c['majflt'] is not None else '—'} |"
                      f" {both(c['peer_cold'], c['peer_cpu_cold'])} | {both(c['peer_warm'], c['peer_cpu_warm'])} |"
                      f" {rss(c['peer_rss'])} | {against} |")
    for w in rows:
        for name, p in w.get("peers", {}).items():
            if "load_s" in p:
                print(f"{w['size']}: {name} load {p['load_s']:.1f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
