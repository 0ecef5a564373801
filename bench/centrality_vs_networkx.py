#!/usr/bin/env python3
"""centrality_vs_networkx — every CENTRALITY measure, tsunagi against
NetworkX on the same organisation graph, in one run, at growing sizes.

Sizes: the sample city, then synthetic networks of M municipalities made
by bench/gen.py (287 organisations and about 2,870 ties each). tsunagi is
timed by bench/centrality_bench (median and p95 of `runs` statements
after the network is loaded); NetworkX is timed on the graph built by the
same rules (tests/structure/networkx_check.py), with its default settings
(this machine's NetworkX has no numpy or scipy, so pagerank is its
pure-Python iteration). A NetworkX measure whose time, projected from the
previous size, would pass the budget is skipped and shown as such.

usage: centrality_vs_networkx.py BUILD_DIR SAMPLE_DIR [--sizes 0,10,100] [--runs 5] [--budget 600]
                                 [--measures degree,pagerank,…]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "structure"))
import networkx as nx  # noqa: E402
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python  # noqa: E402
from networkx_check import org_graph  # noqa: E402

MEASURES = ["degree", "betweenness", "closeness", "harmonic", "pagerank", "eigenvector", "constraint",
            "effective_size"]
# How the cost grows: path measures visit every edge from every vertex.
QUADRATIC = {"betweenness", "closeness", "harmonic", "constraint", "effective_size"}


def peer(g, m):
    if m == "degree":
        return dict(g.degree())
    if m == "betweenness":
        return nx.betweenness_centrality(g, normalized=False)
    if m == "closeness":
        return nx.closeness_centrality(g, wf_improved=False)
    if m == "harmonic":
        return nx.harmonic_centrality(g)
    if m == "pagerank":
        return _pagerank_python(g, alpha=0.85, weight=None)  # its default is weight="weight"
    if m == "eigenvector":
        return nx.eigenvector_centrality(g, max_iter=10000)
    if m == "constraint":
        return nx.constraint(g)
    if m == "effective_size":
        return nx.effective_size(g)
    raise ValueError(m)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("sample")
    ap.add_argument("--sizes", default="0,10,100")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--budget", type=float, default=600.0, help="seconds a NetworkX measure may take")
    ap.add_argument("--measures", default=",".join(MEASURES), help="the measures to run, on both sides")
    a = ap.parse_args()
    measures = a.measures.split(",")
    tsunagi = os.path.join(a.build, "tsunagi")
    bench = os.path.join(a.build, "centrality_bench")
    last = {}  # measure -> (n, m, seconds) of NetworkX at the previous size
    print("| size | organisations | edges | measure | tsunagi median / p95 (ms) | NetworkX (ms) | ratio | same top |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
        for size in [int(x) for x in a.sizes.split(",")]:
            db = os.path.join(work, f"net{size}.db")
            label = "sample city" if size == 0 else f"{size} municipalities"
            if size == 0:
                subprocess.run([tsunagi, "import", a.sample, db], check=True, capture_output=True, env=env)
            else:
                subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), tsunagi, a.sample, db, str(size)],
                               check=True, capture_output=True, env=env)
            folder = os.path.join(work, f"csv{size}")
            subprocess.run([tsunagi, "export", folder, db], check=True, capture_output=True, env=env)
            g = org_graph(folder)
            n, m = g.number_of_nodes(), g.number_of_edges()
            out = subprocess.run([bench, db, str(a.runs)] + measures, check=True, capture_output=True, text=True,
                                 env=env)
            ours = {}
            for line in out.stdout.splitlines():
                f = line.split("\t")
                if len(f) == 4:
                    ours[f[0]] = (float(f[1]), float(f[2]), f[3])
            for meas in measures:
                med, p95, top = ours[meas]
                prev = last.get(meas)
                if prev:
                    pn, pm, ps = prev
                    grow = (n * m) / max(1, pn * pm) if meas in QUADRATIC else m / max(1, pm)
                    projected = ps * grow
                else:
                    projected = 0.0
                if projected > a.budget:
                    print(f"| {label} | {n} | {m} | {meas} | {med:.3f} / {p95:.3f} | skipped "
                          f"(~{projected:.0f} s projected) | | |")
                    continue
                times, values = [], None
                for _ in range(a.runs if projected < 2 else 1):
                    t0 = time.perf_counter()
                    values = peer(g, meas)
                    times.append(time.perf_counter() - t0)
                theirs = statistics.median(times)
                last[meas] = (n, m, theirs)
                best = max(values.values())
                # NetworkX stops its iterations at 1e-6: a near tie for the top can go either way.
                same = "yes" if abs(values.get(top, float("nan")) - best) <= 1e-4 * max(1.0, abs(best)) else "no"
                print(f"| {label} | {n} | {m} | {meas} | {med:.3f} / {p95:.3f} | {theirs * 1e3:.1f} | "
                      f"{theirs * 1e3 / med:.1f} | {same} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
