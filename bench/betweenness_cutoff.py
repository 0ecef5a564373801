#!/usr/bin/env python3
"""betweenness_cutoff — how close CENTRALITY betweenness WITHIN k HOPS comes
to exact betweenness, and how much faster it is, on one network (made by
bench/gen.py when the database does not exist yet).

For each k: the time of the statement (tsunagi's own, the network load
measured apart and taken off), the Spearman rank correlation with the exact
values over all organisations, how many of the exact top 100 are in the
cut-off top 100, and the median relative error over the exact top 1,000.

usage: betweenness_cutoff.py BUILD_DIR SAMPLE_DIR DB MUNICIPALITIES [--hops 2,3,4]
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


def run(tsunagi, db, stmt):
    t0 = time.perf_counter()
    out = subprocess.run([tsunagi, db, "--format", "csv", "-c", stmt], check=True, capture_output=True, text=True)
    return time.perf_counter() - t0, {r["id"]: float(r["betweenness"]) for r in csv.DictReader(io.StringIO(out.stdout))
                                      if "betweenness" in r}


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("sample")
    ap.add_argument("db")
    ap.add_argument("municipalities", type=int)
    ap.add_argument("--hops", default="2,3,4")
    a = ap.parse_args()
    tsunagi = os.path.join(a.build, "tsunagi")
    if not os.path.exists(a.db):
        subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), tsunagi, a.sample, a.db, str(a.municipalities)],
                       check=True)
    load, _ = run(tsunagi, a.db, "CENTRALITY degree TOP 1;")
    t_exact, exact = run(tsunagi, a.db, "CENTRALITY betweenness;")
    t_exact -= load
    top = sorted(exact, key=lambda i: -exact[i])
    print(f"{len(exact)} organisations; load and a first statement {load:.1f} s; exact betweenness {t_exact:.1f} s")
    print("| k | time (s) | speed-up | Spearman ρ | top-100 overlap | median relative error, exact top 1,000 |")
    print("|---|---|---|---|---|---|")
    for k in [int(x) for x in a.hops.split(",")]:
        t, approx = run(tsunagi, a.db, f"CENTRALITY betweenness WITHIN {k} HOPS;")
        t -= load
        atop = set(sorted(approx, key=lambda i: -approx[i])[:100])
        overlap = len(atop & set(top[:100]))
        rel = statistics.median(abs(approx[i] - exact[i]) / exact[i] for i in top[:1000] if exact[i] > 0)
        print(f"| {k} | {t:.1f} | {t_exact / t:.1f}× | {spearman(exact, approx):.4f} | {overlap}/100 | {rel:.3f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
