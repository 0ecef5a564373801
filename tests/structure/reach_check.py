#!/usr/bin/env python3
"""REACH TO and REACH FROM a set against a brute-force oracle (issue 18, item 10).

The oracle is computed here from ties.csv by the rules in docs/language.md
(PATH and REACH): a referral is a step in its direction; with VIA any,
co_support, info_sharing and agreement ties are steps either way; memberships
are never steps. It walks FORWARDS from every node (a breadth-first search
per node, giving every distance d(u, v)), so it does not share the engine's
backward walk:

- REACH TO 'x' WITHIN k HOPS lists exactly the nodes u != x with
  d(u, x) <= k, at hops d(u, x), and each row's `next` is a node v with a
  step u -> v and d(v, x) = d(u, x) - 1;
- REACH FROM s WITHIN k HOPS, s a LET set, lists exactly the nodes outside s
  whose distance from the nearest member is at most k, at that distance.

Every program of the sample city is a target, with k = 1, 2 and 4 and both
VIA referral and VIA any; the sets are 30 random pairs and triples.

usage: reach_check.py TSUNAGI SAMPLE_DIR          prints "N passed, N failed"
"""
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import deque


def read_graph(sample, any_kind):
    out = {}
    with open(os.path.join(sample, "ties.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            a, b, kind = row["from_id"], row["to_id"], row["kind"]
            out.setdefault(a, set())
            out.setdefault(b, set())
            if kind == "referral":
                out[a].add(b)
            elif any_kind and kind != "membership":
                out[a].add(b)
                out[b].add(a)
    return out


def distances(graph, start):
    dist = {s: 0 for s in start}
    q = deque(start)
    while q:
        u = q.popleft()
        for v in graph[u]:
            if v not in dist:
                dist[v] = dist[u] + 1
                q.append(v)
    return dist


def results(tsunagi, db, stmts):
    """The JSON results of the statements, in order (one array each)."""
    r = subprocess.run([tsunagi, db, "--format", "json", "-c", " ".join(stmts)], capture_output=True, text=True,
                       check=False)
    if r.returncode:
        raise SystemExit(f"tsunagi failed: {r.stderr}")
    dec, text, at, out = json.JSONDecoder(), r.stdout, 0, []
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return out
        try:
            value, at = dec.raw_decode(text, at)
        except ValueError as e:
            raise SystemExit(f"not JSON at {at}: {e}")
        # A message (LET's) is an object {"message": …}; a table is an array.
        if isinstance(value, list):
            out.append(value)


def main():
    tsunagi, sample = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp()
    db = os.path.join(work, "city.db")
    subprocess.run([tsunagi, "import", sample, db], check=True, capture_output=True)
    with open(os.path.join(sample, "programs.csv"), encoding="utf-8") as f:
        programs = [row["id"] for row in csv.DictReader(f)]
    name = {}
    for table in ("organisations", "programs", "forums"):
        with open(os.path.join(sample, table + ".csv"), encoding="utf-8") as f:
            name.update((row["id"], row["name"]) for row in csv.DictReader(f))
    passed = failed = 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {name}: {detail}")

    for any_kind in (False, True):
        graph = read_graph(sample, any_kind)
        for p in programs:
            graph.setdefault(p, set())
        # d(u, x) for every u, from a forward walk out of every node.
        forward = {u: distances(graph, [u]) for u in graph}
        via = " VIA any" if any_kind else ""
        for k in (1, 2, 4):
            got = results(tsunagi, db, [f"REACH TO '{x}' WITHIN {k} HOPS{via};" for x in programs])
            for x, rows in zip(programs, got):
                want = {u: forward[u][x] for u in graph if u != x and x in forward[u] and forward[u][x] <= k}
                have = {row["id"]: row["hops"] for row in rows}
                check(f"REACH TO {x} WITHIN {k}{via}", have == want, f"got {sorted(have.items())}, want {sorted(want.items())}")
                # `next` (a name): a step on from the row's node, one hop nearer.
                for row in rows:
                    u, d = row["id"], row["hops"]
                    ok = any(name.get(v) == row["next"] and forward[v].get(x) == d - 1 for v in graph[u])
                    check(f"REACH TO {x}: {u}'s next is one hop nearer", ok, row)
        rng = random.Random(18)
        sets = [rng.sample(programs, rng.choice((2, 3))) for _ in range(30)]
        stmts = []
        for i, members in enumerate(sets):
            quoted = ", ".join(f"'{m}'" for m in members)
            stmts.append(f"LET s{i} = FIND programs WHERE id IN ({quoted}); REACH FROM s{i} WITHIN 3 HOPS{via};")
        got = results(tsunagi, db, stmts)
        # Each LET prints a message object: only the REACH arrays are here.
        for members, rows in zip(sets, got):
            dist = distances(graph, members)
            want = {u: d for u, d in dist.items() if 0 < d <= 3}
            have = {row["id"]: row["hops"] for row in rows}
            check(f"REACH FROM {members}{via}", have == want, f"got {sorted(have.items())}, want {sorted(want.items())}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
