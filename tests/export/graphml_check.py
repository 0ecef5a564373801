#!/usr/bin/env python3
"""EXPORT GRAPHML read by NetworkX, compared with the database (issue 20 item 7).

The oracle is the database itself, read with Python's sqlite3 module, not
tsunagi: every organisation, program and forum is a node with its name,
type and sector; every tie is an edge with its kind and count (an
undirected tie once each way, sharing its `tie` number); every program is
linked from the organisation that runs it (kind `runs`). NetworkX refused
the file before (edges said directed="false" in a directed graph).

Also: a count under --suppress-below is left out (count_below says it was
there), a line break in a name comes back as a line break, CLUSTER BY ward
writes each node's ward, HIGHLIGHT BROKERS writes brokerage, and HIGHLIGHT
GAPS writes gap nodes linked to their programs.

usage: graphml_check.py TSUNAGI SAMPLE_DIR          prints "N passed, N failed"
"""
import collections
import os
import sqlite3
import subprocess
import sys
import tempfile

try:
    import networkx as nx
except ImportError:
    print("SKIP: networkx is not installed")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import check, finish  # noqa: E402


def export(tsunagi, db, stmt, work, extra=()):
    out = os.path.join(work, "x.graphml")
    if os.path.exists(out):
        os.unlink(out)
    r = subprocess.run([tsunagi, db, *extra, "-c", stmt.format(out=out)], capture_output=True, text=True)
    check(f"export: {stmt}", r.returncode == 0, r.stderr)
    try:
        return nx.read_graphml(out)
    except Exception as e:  # the very failure this test is for
        check(f"networkx reads: {stmt}", False, repr(e))
        return None


def oracle(db):
    con = sqlite3.connect(db)
    nodes = {}
    for nid, name, sector in con.execute("SELECT n.id, o.name, o.sector FROM organisation o JOIN node n USING (nid)"):
        nodes[nid] = ("organisation", name, sector)
    for pid, name, sector in con.execute("SELECT n.id, p.name, o.sector FROM program p JOIN node n USING (nid)"
                                         " JOIN organisation o ON o.nid = p.org"):
        nodes[pid] = ("program", name, sector)
    for fid, name in con.execute("SELECT n.id, f.name FROM forum f JOIN node n USING (nid)"):
        nodes[fid] = ("forum", name, None)
    edges = collections.Counter()
    for src, dst, kind, directed, count in con.execute(
            "SELECT a.id, b.id, t.kind, t.directed, t.count FROM tie t JOIN node a ON a.nid = t.src"
            " JOIN node b ON b.nid = t.dst"):
        edges[(src, dst, kind, count)] += 1
        if not directed:
            edges[(dst, src, kind, count)] += 1
    for org, prog in con.execute("SELECT o.id, n.id FROM program p JOIN node n USING (nid) JOIN node o ON o.nid = p.org"):
        edges[(org, prog, "runs", None)] += 1
    wards = dict(con.execute(
        "WITH RECURSIVE up(start, at) AS (SELECT nid, nid FROM district"
        " UNION ALL SELECT up.start, d.parent FROM up JOIN district d ON d.nid = up.at WHERE d.parent IS NOT NULL)"
        " SELECT n.id, w.name FROM organisation o JOIN node n USING (nid) JOIN up ON up.start = o.district"
        " JOIN district w ON w.nid = up.at AND w.level = 'ward'"))
    con.close()
    return nodes, edges, wards


def main():
    tsunagi, sample = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp()
    db = os.path.join(work, "city.db")
    folder = os.path.join(work, "city")
    subprocess.run([tsunagi, "import", sample, db], check=True, capture_output=True)
    # A name with a line break, kept as one (GraphML &#10;, not a space).
    subprocess.run([tsunagi, "export", folder, db], check=True, capture_output=True)
    with open(os.path.join(folder, "organisations.csv"), "a", encoding="utf-8") as f:
        f.write('o-two-lines,"二行の\n名前 & <co>",npo,d-minami\n')
    db = os.path.join(work, "city2.db")
    subprocess.run([tsunagi, "import", folder, db], check=True, capture_output=True)
    nodes, edges, wards = oracle(db)

    g = export(tsunagi, db, "EXPORT GRAPHML TO '{out}';", work)
    if g is not None:
        check("directed multigraph", g.is_directed() and g.is_multigraph(), type(g).__name__)
        got = {n: (a.get("type"), a.get("name"), a.get("sector")) for n, a in g.nodes(data=True)}
        check("nodes, names, types, sectors as in the database", got == nodes,
              str(sorted(set(got.items()) ^ set(nodes.items()))[:5]))
        check("a line break in a name is kept", got.get("o-two-lines", (0, ""))[1] == "二行の\n名前 & <co>",
              repr(got.get("o-two-lines")))
        got_e = collections.Counter((u, v, a.get("kind"), a.get("count")) for u, v, a in g.edges(data=True))
        check("edges, kinds, counts as in the database", got_e == edges,
              str(list((got_e - edges).items())[:3]) + " / " + str(list((edges - got_e).items())[:3]))
        counts = [a["count"] for _, _, a in g.edges(data=True) if "count" in a]
        check("count is typed int", counts and all(type(c) is int for c in counts), str(counts[:5]))
        pairs = collections.Counter(a["tie"] for _, _, a in g.edges(data=True) if a.get("undirected"))
        check("an undirected tie is two edges with one tie number", pairs and set(pairs.values()) == {2}, str(pairs))

    g = export(tsunagi, db, "EXPORT GRAPHML TO '{out}';", work, ["--suppress-below", "5"])
    if g is not None:
        small = [a for _, _, a in g.edges(data=True) if a.get("count_below") == 5]
        check("suppressed counts are missing, count_below says so",
              small and all("count" not in a for a in small) and
              all(a["count"] >= 5 for _, _, a in g.edges(data=True) if "count" in a), str(small[:3]))
        want = sum(n for (u, v, k, c), n in edges.items() if c is not None and c < 5)
        check("as many suppressed edges as small counts in the database", len(small) == want, f"{len(small)} != {want}")

    g = export(tsunagi, db, "EXPORT GRAPHML TO '{out}' CLUSTER BY ward HIGHLIGHT BROKERS;", work)
    if g is not None:
        got = {n: a.get("cluster") for n, a in g.nodes(data=True) if a.get("type") == "organisation"}
        want = {n: wards.get(n) for n in got}
        check("CLUSTER BY ward: each organisation's ward", got == want, str(set(got.items()) ^ set(want.items()))[:300])
        brokers = [a["brokerage"] for _, a in g.nodes(data=True) if "brokerage" in a]
        check("HIGHLIGHT BROKERS: five brokers, brokerage an int", len(brokers) == 5 and all(type(b) is int for b in brokers),
              str(brokers))

    g = export(tsunagi, db, "EXPORT GRAPHML OF '北区' TO '{out}' HIGHLIGHT GAPS FOR hikikomori AGED 18..39;", work)
    if g is not None:
        gaps = [n for n, a in g.nodes(data=True) if a.get("type") == "gap"]
        check("HIGHLIGHT GAPS: gap nodes", gaps and all(g.nodes[n].get("need") and g.nodes[n].get("age_from") == 18 or
                                                        g.nodes[n].get("gap_kind") == "seam" for n in gaps), str(gaps))
        linked = [v for n in gaps for _, v, a in g.out_edges(n, data=True) if a.get("kind") == "concerns"]
        check("a gap is linked to the program it concerns", all(g.nodes[v]["type"] == "program" for v in linked),
              str(linked))

    g = export(tsunagi, db, "EXPORT GRAPHML TO '{out}' HIGHLIGHT THIN LINKS;", work)
    if g is not None:
        check("HIGHLIGHT THIN LINKS: the note on the graph", bool(g.graph.get("note")), str(g.graph))

    return finish()


if __name__ == "__main__":
    sys.exit(main())
