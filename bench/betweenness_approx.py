#!/usr/bin/env python3
"""betweenness_approx — how close the two approximations of betweenness come
to the exact values, and how much faster they are, on one network (made by
bench/gen.py when the database does not exist yet): CENTRALITY betweenness
WITHIN k HOPS (only short routes; a different, local measure) and SAMPLE n
(an estimate of the exact one from n pivots, with a 95% margin).

For each: the time of the statement (tsunagi's own, the network load
measured apart and taken off), the Spearman rank correlation with the exact
values over all organisations, how many of the exact top 100 are in its
top 100, the median relative error over the exact top 1,000, and for SAMPLE
how often the exact value lies inside the stated margin (over the exact top
100, top 1,000 and all organisations). NetworkX's own
pivot estimate (betweenness_centrality with k) runs on the same graph in
the same run as the peer, for the sample sizes in --nx.

usage: betweenness_approx.py BUILD_DIR SAMPLE_DIR DB MUNICIPALITIES [--hops 2,3,4] [--samples 100,1000]
                             [--nx 100]
"""
import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "structure"))


def run(tsunagi, db, stmt, margins=None):
    t0 = time.perf_counter()
    out = subprocess.run([tsunagi, db, "--format", "csv", "-c", stmt], check=True, capture_output=True, text=True)
    rows = [r for r in csv.DictReader(io.StringIO(out.stdout)) if "betweenness" in r]
    if margins is not None:
        margins.update({r["id"]: float(r["margin_95"]) for r in rows})
    return time.perf_counter() - t0, {r["id"]: float(r["betweenness"]) for r in rows}


def accuracy(exact, top, approx):
    """Spearman ρ, the top-100 overlap, and the median relative error over the exact top 1,000."""
    if exact is None:
        return "— | — | —"
    atop = set(sorted(approx, key=lambda i: -approx[i])[:100])
    rel = statistics.median(abs(approx[i] - exact[i]) / exact[i] for i in top[:1000] if exact[i] > 0)
    return f"{spearman(exact, approx):.4f} | {len(atop & set(top[:100]))}/100 | {rel:.3f}"


def ranks(values, ids):
    order = sorted(ids, key=lambda i: values[i])
    r, i = {}, 0
    while i < len(order):  # average ranks for ties
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2
        i = j + 1
    return r


def spearman(a, b):
    ids = list(a)
    ra, rb = ranks(a, ids), ranks(b, ids)
    ma, mb = statistics.fmean(ra.values()), statistics.fmean(rb.values())
    cov = sum((ra[i] - ma) * (rb[i] - mb) for i in ids)
    va = sum((ra[i] - ma) ** 2 for i in ids)
    vb = sum((rb[i] - mb) ** 2 for i in ids)
    return cov / (va * vb) ** 0.5


def speedup(t_exact, t):
    return "—" if t_exact is None else f"{t_exact / t:.1f}×"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("sample")
    ap.add_argument("db")
    ap.add_argument("municipalities", type=int)
    ap.add_argument("--hops", default="2,3,4")
    ap.add_argument("--samples", default="100,300,1000,3000")
    ap.add_argument("--nx", default="100", help="sample sizes to run NetworkX's estimate for ('' for none)")
    ap.add_argument("--no-exact", action="store_true", help="times only, for networks where exact takes too long")
    a = ap.parse_args()
    tsunagi = os.path.join(a.build, "tsunagi")
    csv_dir = a.db + ".csv"
    if not os.path.exists(a.db) or (a.nx and not os.path.isdir(csv_dir)):
        subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), tsunagi, a.sample, a.db, str(a.municipalities),
                        "--keep", csv_dir], check=True)
    load, _ = run(tsunagi, a.db, "CENTRALITY degree TOP 1;")
    if a.no_exact:
        t_exact, exact, top = None, None, None
        print(f"load and a first statement {load:.1f} s; exact betweenness not run")
    else:
        t_exact, exact = run(tsunagi, a.db, "CENTRALITY betweenness;")
        t_exact -= load
        top = sorted(exact, key=lambda i: -exact[i])
        print(f"{len(exact)} organisations; load and a first statement {load:.1f} s; exact betweenness {t_exact:.1f} s")
    print("| statement | time (s) | speed-up | Spearman ρ | top-100 overlap | median relative error, exact top 1,000 "
          "| exact inside margin_95: top 100 / top 1,000 / all |")
    print("|---|---|---|---|---|---|---|")
    for k in [int(x) for x in a.hops.split(",") if x]:
        t, approx = run(tsunagi, a.db, f"CENTRALITY betweenness WITHIN {k} HOPS;")
        t -= load
        print(f"| WITHIN {k} HOPS | {t:.1f} | {speedup(t_exact, t)} | {accuracy(exact, top, approx)} | |", flush=True)
    for n in [int(x) for x in a.samples.split(",") if x]:
        margin = {}
        t, approx = run(tsunagi, a.db, f"CENTRALITY betweenness SAMPLE {n};", margin)
        t -= load
        def inside(ids):
            return f"{sum(abs(approx[i] - exact[i]) <= margin[i] for i in ids) / len(ids):.0%}"
        cover = "—" if exact is None else f"{inside(top[:100])} / {inside(top[:1000])} / {inside(list(exact))}"
        print(f"| SAMPLE {n} | {t:.1f} | {speedup(t_exact, t)} | {accuracy(exact, top, approx)} | {cover} |",
              flush=True)
    if a.nx:
        import networkx as nx
        from networkx_check import org_graph
        g = org_graph(csv_dir)
        for n in [int(x) for x in a.nx.split(",")]:
            t0 = time.perf_counter()
            approx = nx.betweenness_centrality(g, k=n, normalized=False, seed=1)
            t = time.perf_counter() - t0
            ts, _ = run(tsunagi, a.db, f"CENTRALITY betweenness SAMPLE {n};")
            ts -= load
            print(f"| NetworkX betweenness_centrality(k={n}) | {t:.1f} | NetworkX / tsunagi SAMPLE {n}: "
                  f"{t / ts:.1f}× | {accuracy(exact, top, approx)} | |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
