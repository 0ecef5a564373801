#!/usr/bin/env python3
"""CRITICAL against the naive oracle (issue 22, Done when).

pairs_cut and cut_point, for every organisation, against NetworkX on the
organisation graph read from the sample city's CSV files (the definition in
engine/structure.h: organisations based in the district or below, one edge
per pair joined by a referral, co_support, info_sharing or agreement tie,
programs lifted to their owners): remove each organisation in turn and
count the pairs of the others that were connected and no longer are.

partners and brokered, for every organisation, against NetworkX on the same
graph: its degree, and the pairs of its neighbours with no edge between
them (C(degree, 2) minus its triangles). And the order (docs/language.md,
CRITICAL): support lost, cells, pairs cut, cut point, brokered, partners,
id; each row's key must not come before the previous row's. Without FOR
(the district's graph alone) every cost is 0 in a connected ward and the
order is brokered, then partners: checked on 東区 and 北区.

cells and reach, for the organisations CRITICAL ranks first and a few more
(fixed seed; --all: every one), against GAPS before and after REMOVE in a
copy of the database: the (cell, need) pairs where some age becomes a
coverage gap, and where some age becomes a reach gap.

CRITICAL and GAPS before the change share one tsunagi per district, and
each copy one for its removals and GAPS (a process per statement was most of
the test's time).

usage: critical_check.py TSUNAGI SAMPLE_DIR [--all]
"""
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile

import networkx as nx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from whatiflib import copy_of, run_each  # noqa: E402

CASES = [  # (IN, FOR … clauses)
    ("東区", "FOR hikikomori AGED 18..39"),
    ("中央区", "FOR foreign_resident AGED 18..64 NEEDS consultation, learning"),
    ("あさひの市", "FOR single_elderly AGED 18..80 WITHIN 2 HOPS"),
]


def read(sample, name):
    with open(os.path.join(sample, name), encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def run(tsunagi, db, statements):
    """Each statement's tables; any error ends the check."""
    res, errors, err = run_each(tsunagi, db, statements)
    if any(errors):
        raise SystemExit(f"{statements}\n{err}")
    return res


def org_graph(sample, district):
    parent = {r["id"]: r["parent_id"] for r in read(sample, "districts.csv")}

    def under(d, anc):
        while d:
            if d == anc:
                return True
            d = parent.get(d, "")
        return False

    orgs = [r["id"] for r in read(sample, "organisations.csv") if under(r["district_id"], district)]
    owner = {r["id"]: r["org_id"] for r in read(sample, "programs.csv")}
    g = nx.Graph()
    g.add_nodes_from(orgs)
    for t in read(sample, "ties.csv"):
        if t["kind"] == "membership":
            continue
        a, b = owner.get(t["from_id"], t["from_id"]), owner.get(t["to_id"], t["to_id"])
        if a != b and a in g and b in g:
            g.add_edge(a, b)
    return g


def connected_pairs(g):
    return sum(len(c) * (len(c) - 1) // 2 for c in nx.connected_components(g))


def order_key(r):
    cells, reach = int(r["cells"] or 0), int(r["reach"] or 0)
    return (-(cells + reach), -cells, -int(r["pairs_cut"]), -(r["cut_point"] == "yes"), -int(r["brokered"]),
            -int(r["partners"]), r["id"])


def check_rows(district, g, rows):
    """partners, brokered against NetworkX, and the order; failures."""
    bad = 0
    tri = nx.triangles(g)
    for r in rows:
        if r["id"] in g:
            d = g.degree(r["id"])
            want = (d, d * (d - 1) // 2 - tri[r["id"]])
        else:
            want = (0, 0)  # an organisation outside the graph, ranked for its cells
        if (int(r["partners"]), int(r["brokered"])) != want:
            print(f"FAIL {district} {r['id']}: partners, brokered {r['partners']} {r['brokered']}, NetworkX {want}")
            bad += 1
    for a, b in zip(rows, rows[1:]):
        if order_key(a) > order_key(b):
            print(f"FAIL {district}: {a['id']} ranked before {b['id']} against the rule")
            bad += 1
    return bad


def gap_ages(tables):
    cov, reach = set(), set()
    for t in tables:
        for r in t:
            for x in range(int(r["age_from"]), int(r["age_to"]) + 1):
                if r["kind"] == "coverage":
                    cov.add((r["district_id"], r["need"], x))
                elif r["kind"] == "reach":
                    reach.add((r["district_id"], r["need"], x))
    return cov, reach


def main():
    tsunagi, sample = sys.argv[1], sys.argv[2]
    full = "--all" in sys.argv
    ids = {r["name"]: r["id"] for r in read(sample, "districts.csv")}
    progs = {}
    for r in read(sample, "programs.csv"):
        progs.setdefault(r["org_id"], []).append(r["id"])
    tmp = tempfile.mkdtemp(prefix="critical-")
    failures = checked = 0
    try:
        db = os.path.join(tmp, "city.db")
        subprocess.run([tsunagi, "import", sample, db], check=True, capture_output=True)
        rnd = random.Random(22)
        for district, group in CASES:
            gaps = f"GAPS {group} IN '{district}'"
            critical, before = run(tsunagi, db, [f"CRITICAL IN '{district}' {group}", gaps])
            rows = critical[0]
            # Fragmentation and cut points: every organisation, NetworkX.
            g = org_graph(sample, ids[district])
            base = connected_pairs(g)
            cuts = set(nx.articulation_points(g))
            got = {r["id"]: r for r in rows}
            failures += check_rows(district, g, rows)
            checked += 1
            if set(got) - set(g.nodes):
                print(f"FAIL {district}: ranked organisations outside the graph")
                failures += 1
            for o in g.nodes:
                h = g.copy()
                h.remove_node(o)
                # Pairs of the others that were connected, minus those still connected.
                comp = next(len(c) for c in nx.connected_components(g) if o in c)
                want = (base - (comp - 1)) - connected_pairs(h)
                r = got.get(o)
                if not r or int(r["pairs_cut"]) != want or (r["cut_point"] == "yes") != (o in cuts):
                    print(f"FAIL {district} {o}: pairs_cut {r and r['pairs_cut']} cut {r and r['cut_point']},"
                          f" NetworkX {want} {o in cuts}")
                    failures += 1
                checked += 1
            # Cells and reach: the naive loop, REMOVE in a copy and GAPS again.
            cov0, reach0 = gap_ages(before)
            names = [r["id"] for r in rows]
            sample_ids = names if full else names[:2] + rnd.sample(names[2:], 1)
            for o in sample_ids:
                copy = copy_of(db, tmp)
                # The removals on one line, as one step: a separator between
                # them would make tsunagi read the changed network each time.
                removes = "; ".join([f"REMOVE program '{p}'" for p in progs.get(o, [])] + [f"REMOVE organisation '{o}'"])
                cov1, reach1 = gap_ages(run(tsunagi, copy, [removes, gaps])[-1])
                cells = len({(d, n) for d, n, _ in cov1 - cov0})
                reach = len({(d, n) for d, n, _ in reach1 - reach0})
                r = got[o]
                if int(r["cells"]) != cells or int(r["reach"]) != reach:
                    print(f"FAIL {district} {o}: cells {r['cells']} reach {r['reach']}, after REMOVE {cells} {reach}")
                    failures += 1
                checked += 1
            print(f"ok {district}: {len(g)} organisations, {len(sample_ids)} removed in a copy")
        # Without FOR: the structure alone, where brokerage decides.
        for district in ("東区", "北区"):
            rows = run(tsunagi, db, [f"CRITICAL IN '{district}'"])[0][0]
            g = org_graph(sample, ids[district])
            failures += check_rows(district, g, rows)
            checked += 1
            if len({r["brokered"] for r in rows}) < 3 or any(int(r["pairs_cut"]) for r in rows):
                print(f"FAIL {district}: expected a connected ward whose organisations differ in brokerage")
                failures += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{checked - failures} of {checked} checks agree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
