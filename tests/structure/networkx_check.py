#!/usr/bin/env python3
"""Every CENTRALITY measure against NetworkX, as an independent reference.

The organisation graph is rebuilt here from the CSV files by the rules in
docs/language.md (program ends lifted to their owners, memberships and ties
inside one organisation dropped, undirected, one edge per pair weighted by
the summed annual counts, a tie without a count or with COUNT 0 adding 1), and its directed
view (referrals as arcs, other ties both ways); tsunagi computes
the same measures through its language. They must agree to 1e-9 (relative)
on the sample city, on Knoke's bureaucracies network, and on 200 random
networks (fewer in the test command's short run: tests/CMakeLists.txt).
WITHIN k HOPS (paths of at most k steps), which NetworkX does not offer
for betweenness, is checked against the definition computed here.
SAMPLE n (betweenness from n pivots) with n at least the network's size
starts paths from every organisation, so it must give the exact values and a
zero margin; how close a smaller sample comes is measured in
bench/betweenness_sample.py. Exit 77 (a ctest skip) when NetworkX is not installed.

usage: networkx_check.py TSUNAGI SAMPLE_DIR [KNOKE_DIR] [--random N]   (N random networks, default 200)
"""
import csv
import math
from fractions import Fraction
import os
import random
import subprocess
import sys
import tempfile

try:
    import networkx as nx
except ImportError:
    print("SKIP: python3 has no networkx; the NetworkX cross-check did not run")
    sys.exit(77)

MEASURES = ["degree", "betweenness", "closeness", "harmonic", "pagerank", "eigenvector", "constraint",
            "effective_size"]
# CENTRALITY … DIRECTED: referrals as arcs, the other ties arcs both ways.
DIRECTED = ["degree", "betweenness", "closeness", "harmonic", "pagerank", "eigenvector"]
# CENTRALITY … WITHIN k HOPS: only paths of at most k steps.
CUTOFF = ["betweenness", "closeness", "harmonic"]
HOPS = [1, 2, 3]
# SAMPLE n with n beyond any network here: every organisation a pivot.
EVERY = 1000000


def read(folder, name):
    path = os.path.join(folder, name)
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def org_graph(folder, directed=False):
    g = nx.DiGraph() if directed else nx.Graph()
    for o in read(folder, "organisations.csv"):
        g.add_node(o["id"])
    owner = {p["id"]: p["org_id"] for p in read(folder, "programs.csv")}
    for t in read(folder, "ties.csv"):
        if t["kind"] == "membership":
            continue
        a, b = owner.get(t["from_id"], t["from_id"]), owner.get(t["to_id"], t["to_id"])
        if a == b or a not in g or b not in g:
            continue
        # A tie's weight is its annual count; a tie without a count, or with
        # COUNT 0 (no one recorded this year), weighs 1, so every tie has a
        # finite distance (docs/language.md, CENTRALITY).
        w = float(t["count"]) if t["count"] and int(t["count"]) >= 1 else 1.0
        arcs = [(a, b)] if not directed or t["kind"] == "referral" else [(a, b), (b, a)]
        for x, y in arcs:
            if g.has_edge(x, y):
                g[x][y]["weight"] += w
            else:
                g.add_edge(x, y, weight=w)
    # Distances are exact fractions: in floating point, two routes of equal
    # length (1/3 + 1/6 and 1/2) can differ in the last bit, and NetworkX,
    # which compares lengths exactly, then miscounts shortest paths for
    # weighted betweenness (igraph compares with a tolerance and is right).
    for a, b, d in g.edges(data=True):
        d["dist"] = Fraction(1) / Fraction(d["weight"]).limit_denominator()
    return g


def reference(g, measure, weighted):
    w = "weight" if weighted else None
    dist = "dist" if weighted else None
    if measure == "degree":  # directed: arcs in, as igraph's IGRAPH_IN
        return dict(g.in_degree(weight=w) if g.is_directed() else g.degree(weight=w))
    if measure == "betweenness":
        return {k: float(x) for k, x in nx.betweenness_centrality(g, normalized=False, weight=dist).items()}
    if measure == "closeness":
        return {k: float(x) for k, x in nx.closeness_centrality(g, distance=dist, wf_improved=False).items()}
    if measure == "harmonic":
        return {k: float(x) for k, x in nx.harmonic_centrality(g, distance=dist).items()}
    # Pure-Python algorithms: this NetworkX may have no numpy or scipy.
    if measure == "pagerank":
        from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python
        return _pagerank_python(g, alpha=0.85, weight=w, tol=1e-15, max_iter=1000000)
    if measure == "eigenvector":
        # Power iteration stops at n * tol in total change; try tight first.
        for tol in (1e-14, 1e-13, 1e-12):
            try:
                v = nx.eigenvector_centrality(g, weight=w, tol=tol, max_iter=200000)
                break
            except nx.PowerIterationFailedConvergence:
                v = None
        if v is None:
            raise RuntimeError("NetworkX's power iteration did not converge")
        top = max(abs(x) for x in v.values()) or 1.0
        return {k: abs(x) / top for k, x in v.items()}
    if measure == "effective_size":
        e = nx.effective_size(g, weight=w)
        return {k: (0.0 if math.isnan(x) else x) for k, x in e.items()}
    if measure == "constraint":
        c = nx.constraint(g, weight=w)
        return {k: (0.0 if math.isnan(x) else x) for k, x in c.items()}
    raise ValueError(measure)


def bfs(g, s, k):
    """Distances and numbers of shortest paths from s, at most k steps."""
    dist, sigma, frontier = {s: 0}, {s: 1}, [s]
    while frontier and dist[frontier[0]] < k:
        nxt = []
        for u in frontier:
            for w in (g.successors(u) if g.is_directed() else g.neighbors(u)):
                if w not in dist:
                    dist[w], sigma[w] = dist[u] + 1, 0
                    nxt.append(w)
                if dist[w] == dist[u] + 1:
                    sigma[w] += sigma[u]
        frontier = nxt
    return dist, sigma


def cutoff_reference(g, measure, k):
    """The measures over paths of at most k steps, from their definitions:
    betweenness counts the shortest s–t paths through v for every pair at
    most k apart (each unordered pair once in an undirected graph);
    closeness and harmonic look at the organisations at most k steps away
    (towards v, in a directed graph)."""
    if measure == "betweenness":
        reach = {v: bfs(g, v, k) for v in g}
        b = {v: 0.0 for v in g}
        for s in g:
            ds, ss = reach[s]
            for t, dst in ds.items():
                if t == s:
                    continue
                for v in g:
                    if v in (s, t) or v not in ds:
                        continue
                    dv, sv = reach[v]
                    if t in dv and ds[v] + dv[t] == dst:
                        b[v] += ss[v] * sv[t] / ss[t]
        return {v: x / (1 if g.is_directed() else 2) for v, x in b.items()}
    towards = g.reverse() if g.is_directed() else g
    out = {}
    for v in g:
        d = [x for u, x in nx.single_source_shortest_path_length(towards, v, cutoff=k).items() if u != v]
        if measure == "closeness":
            out[v] = len(d) / sum(d) if d else 0.0
        else:
            out[v] = sum(1 / x for x in d)
    return out


def tsunagi_values(tsunagi, db, env):
    """Runs every measure, plain and weighted, undirected and directed;
    returns {(measure, weighted, directed): {id: value}}."""
    keys = [(m, wt, False, None, False) for m in MEASURES for wt in (False, True)]
    keys += [(m, wt, True, None, False) for m in DIRECTED for wt in (False, True)]
    keys += [(m, False, d, k, False) for m in CUTOFF for d in (False, True) for k in HOPS]
    keys += [("betweenness", wt, d, None, True) for wt in (False, True) for d in (False, True)]
    stmts = [f"CENTRALITY {m} OF organisations{' WEIGHTED' if wt else ''}{' DIRECTED' if d else ''}"
             f"{f' WITHIN {k} HOPS' if k else ''}{f' SAMPLE {EVERY}' if sample else ''};"
             for m, wt, d, k, sample in keys]
    out = subprocess.run([tsunagi, db, "--format", "csv", "-c", "\n".join(stmts)], capture_output=True, text=True,
                         env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"tsunagi failed: {out.stderr}")
    blocks, current = [], None
    for row in csv.reader(out.stdout.splitlines()):
        if row and row[0] == "rank":
            current = {}
            blocks.append(current)
            continue
        current[row[1]] = float(row[4])
        if len(row) > 5 and float(row[5]) != 0:  # SAMPLE's margin: none when every organisation is a pivot
            current[row[1]] = math.nan
    return dict(zip(keys, blocks))


def compare(label, g, dg, got, failures):
    connected = g.number_of_nodes() > 0 and nx.is_connected(g)
    strongly = dg.number_of_nodes() > 0 and nx.is_strongly_connected(dg)
    checked = 0
    for (m, weighted, directed, hops, sample), values in got.items():
        if m == "eigenvector" and not (strongly if directed else connected):
            continue  # undefined up to the choice among components' eigenvectors
        gg = dg if directed else g
        ref = cutoff_reference(gg, m, hops) if hops else reference(gg, m, weighted)
        for node, want in ref.items():
            have = values.get(node)
            if have is None or not abs(have - want) <= 1e-9 * max(1.0, abs(want)):
                failures.append(f"{label}: {m}{' weighted' if weighted else ''}{' directed' if directed else ''}"
                                f"{f' within {hops} hops' if hops else ''}{' sampled' if sample else ''} of "
                                f"{node}: tsunagi {have}, networkx {want}")
                break
        checked += 1
    return checked


def sectors_of(folder):
    return {o["id"]: o["sector"] for o in read(folder, "organisations.csv")}


def horizontal_reference(g, sector):
    """HORIZONTAL's figures, computed here from their definitions."""
    gov = {v for v in g if sector[v] == "government"}
    ng = [v for v in g if v not in gov]
    ties = g.number_of_edges()
    ng_ties = sum(1 for a, b in g.edges() if a not in gov and b not in gov)
    dependent = sum(1 for v in ng if g.degree(v) > 0 and all(u in gov for u in g[v]))
    pieces = sorted((len(c) for c in nx.connected_components(g.subgraph(ng))), reverse=True)
    n = g.number_of_nodes()
    cent = 0.0
    if n >= 3:
        b = nx.betweenness_centrality(g, normalized=False)
        top = max(b.values())
        cent = sum(top - x for x in b.values()) / ((n - 1) * (n - 1) * (n - 2) / 2)
    e_gov = sum(1 for a, b in g.edges() if (a in gov) != (b in gov))
    e_sec = sum(1 for a, b in g.edges() if sector[a] != sector[b])
    return {
        "organisations": n,
        "ties": ties,
        "ties between two non-government organisations": ng_ties,
        "vertically dependent organisations": dependent,
        "pieces without government": len(pieces),
        "sizes of the pieces": pieces,
        "articulation points": len(list(nx.articulation_points(g))),
        "bridges": len(list(nx.bridges(g))),
        "betweenness centralization": cent,
        "E-I index, government / non-government": (2 * e_gov - ties) / ties if ties else 0.0,
        "E-I index, across sectors": (2 * e_sec - ties) / ties if ties else 0.0,
    }


def horizontal_check(label, tsunagi, db, env, g, sector, failures):
    out = subprocess.run([tsunagi, db, "--format", "csv", "-c", "HORIZONTAL;"], capture_output=True, text=True,
                         env=env, check=False)
    if out.returncode != 0:
        failures.append(f"{label}: HORIZONTAL failed: {out.stderr}")
        return 0
    got = {}
    for row in csv.reader(out.stdout.splitlines()):
        if len(row) == 2 and row[0] != "measure":
            got.setdefault(row[0], row[1])
    for key, want in horizontal_reference(g, sector).items():
        have = got.get(key)
        if key == "sizes of the pieces":
            ok = have is not None and [int(x) for x in have.split(", ") if x] == want
        elif isinstance(want, int):
            ok = have is not None and int(have.split(" ")[0]) == want
        else:
            ok = have is not None and abs(float(have) - want) <= 1e-9 * max(1.0, abs(want))
        if not ok:
            failures.append(f"{label}: HORIZONTAL {key}: tsunagi {have}, reference {want}")
            return 0
    return 1


def import_folder(tsunagi, folder, db, env):
    out = subprocess.run([tsunagi, "import", folder, db], capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"import of {folder} failed: {out.stderr}")


def write_csv(folder, name, header, rows):
    with open(os.path.join(folder, name), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def network_folder(folder, orgs, programs, ties):
    os.makedirs(folder)
    write_csv(folder, "districts.csv", ["id", "name", "level", "parent_id"], [["d-city", "市", "municipality", ""]])
    write_csv(folder, "organisations.csv", ["id", "name", "sector", "district_id"], orgs)
    write_csv(folder, "programs.csv",
              ["id", "name", "org_id", "targets", "age_min", "age_max", "needs", "modes", "approach", "area",
               "in_system", "hours"], programs)
    write_csv(folder, "forums.csv", ["id", "name", "kind", "district_id"], [["f-p", "会議", "platform", ""]])
    write_csv(folder, "ties.csv", ["from_id", "to_id", "kind", "count", "since"], ties)


def knoke_folder(src, folder):
    nodes = read(src, "nodes.csv")
    code = {n["id"]: n["code"] for n in nodes}
    orgs = [[n["code"], n["name"], "government" if n["code"] in ("COUN", "MAYR") else "npo", "d-city"] for n in nodes]
    seen, ties = set(), []
    for e in read(src, "edges.csv"):
        a, b = code.get(e["source"], e["source"]), code.get(e["target"], e["target"])
        if (a, b) in seen or a == b:
            continue
        seen.add((a, b))
        ties.append([a, b, "referral", "", ""])
    network_folder(folder, orgs, [], ties)


def random_folder(rng, folder):
    sectors = ["government", "shakyo", "npo", "company", "resident", "medical"]
    n = rng.randint(2, 30)
    orgs = [[f"o{i}", f"団体{i}", rng.choice(sectors), "d-city"] for i in range(n)]
    programs = []
    for i in range(n):
        for k in range(rng.randint(0, 2)):
            programs.append([f"p{i}-{k}", f"事業{i}-{k}", f"o{i}", "everyone", "", "", "consultation", "", "", "*", "",
                             ""])
    ends = [o[0] for o in orgs] + [p[0] for p in programs]
    ties, used = [], set()
    for _ in range(rng.randint(0, 4 * n)):
        a, b = rng.choice(ends), rng.choice(ends)
        kind = rng.choice(["referral", "co_support", "info_sharing", "agreement"])
        key = (a, b, kind) if kind == "referral" else (min(a, b), max(a, b), kind)
        if a == b or key in used:
            continue
        used.add(key)
        # Counts 0..50: COUNT 0 must weigh 1, not 0 (distance 1/0 = inf).
        ties.append([a, b, kind, str(rng.randint(0, 50)) if rng.random() < 0.7 else "", ""])
    if rng.random() < 0.5:
        ties.append([orgs[0][0], "f-p", "membership", "", ""])
    network_folder(folder, orgs, programs, ties)


def main():
    args = sys.argv[1:]
    nrandom = 200
    if "--random" in args:
        i = args.index("--random")
        nrandom = int(args[i + 1])
        del args[i:i + 2]
    if len(args) < 2:
        print(__doc__)
        return 2
    tsunagi, sample = args[0], args[1]
    knoke = args[2] if len(args) > 2 else None
    failures, checked, graphs = [], 0, 0
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
        cases = [("sample city", sample)]
        if knoke and os.path.isdir(knoke):
            knoke_folder(knoke, os.path.join(work, "knoke"))
            cases.append(("Knoke bureaucracies", os.path.join(work, "knoke")))
        else:
            print("note: Knoke's network was not found; checking the sample city and random networks only")
        rng = random.Random(20261124)
        for i in range(nrandom):
            folder = os.path.join(work, f"random{i}")
            random_folder(rng, folder)
            cases.append((f"random network {i}", folder))
        for label, folder in cases:
            db = os.path.join(work, "check.db")
            if os.path.exists(db):
                os.remove(db)
            import_folder(tsunagi, folder, db, env)
            g = org_graph(folder)
            checked += compare(label, g, org_graph(folder, True), tsunagi_values(tsunagi, db, env), failures)
            checked += horizontal_check(label, tsunagi, db, env, g, sectors_of(folder), failures)
            graphs += 1
    for f in failures[:20]:
        print("FAIL", f)
    print(f"networkx: {graphs} graphs, {checked} measure comparisons")
    print(f"{checked - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
