#!/usr/bin/env python3
"""Issue 20 item 6: FORUMS OVERLAP … TO 'file' draws the forum inventory.

The oracle is the database read here with sqlite3. A forum's members are
the organisations with a membership tie to it. Two forums share the
organisations that sit in both.
- The DOT (TO 'x.dot') has one node per forum in scope, labelled with its
  number of members.
- Each node's bar has one cell per sector, as wide as that sector's
  members (6 pt each).
- There is one line per pair sharing at least two members, labelled with
  that number. The legend says pairs sharing one member get no line.
- IN 'district' keeps the forums based in the district or below it.
- The PNG renders. The SVG, in English and in Japanese, keeps its text at
  least 3 mm high on A3 with no two forums' boxes overlapping: a layout
  that met the size by piling boxes on one another would pass the measure
  unread.

usage: forums_check.py TSUNAGI SAMPLE_DIR          prints "N passed, N failed"
"""
import os
import re
import shutil
import sqlite3
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import a3_text_mm, check, imported_city, finish, run  # noqa: E402

PT_PER_MEMBER = 6  # engine/forumview.c
MIN_SHARED = 2     # engine/draw.h, ENG_FORUMS_MIN_SHARED


def oracle(con, district=None):
    """({forum: members}, {forum: {sector: n}}, {frozenset(a, b): shared}) by name."""
    parent = dict(con.execute("SELECT nid, parent FROM district"))

    def under(d):
        while d is not None and d != district:
            d = parent.get(d)
        return d == district
    forums = {nid: name for nid, name, d in con.execute("SELECT nid, name, district FROM forum")
              if district is None or (d is not None and under(d))}
    sector = dict(con.execute("SELECT nid, sector FROM organisation"))
    members = {f: set() for f in forums}
    for org, f in con.execute("SELECT src, dst FROM tie WHERE kind = 'membership'"):
        if f in forums and org in sector:
            members[f].add(org)
    by_sector = {}
    for f, orgs in members.items():
        for o in orgs:
            by_sector.setdefault(forums[f], {}).setdefault(sector[o], 0)
            by_sector[forums[f]][sector[o]] += 1
    shared = {}
    ids = sorted(forums)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            n = len(members[a] & members[b])
            if n:
                shared[frozenset((forums[a], forums[b]))] = n
    return {forums[f]: len(m) for f, m in members.items()}, by_sector, shared


def drawn(src):
    """What the DOT draws, in the oracle's terms."""
    names = dict(re.findall(r'^  (f\d+) \[tooltip="([^"]*)"', src, re.M))
    members = {names[f]: int(n) for f, n in re.findall(r'^  (f\d+) \[tooltip=[^\n]*?<td colspan="\d+">(\d+) members</td>',
                                                       src, re.M)}
    widths = {names[f]: sorted(int(w) for w in re.findall(r'width="(\d+)"', line))
              for f, line in re.findall(r'^  (f\d+) (\[tooltip=[^\n]*)', src, re.M)}
    lines = {frozenset((names.get(a), names.get(z))): int(n)
             for a, z, n in re.findall(r'^  (f\d+) -- (f\d+) \[label="(\d+)"', src, re.M)}
    return names, members, widths, lines


def boxes_overlap(svg):
    """Pairs of node boxes (the forums) that overlap in the SVG."""
    s = open(svg, encoding="utf-8").read()
    boxes = []
    for body in re.findall(r'<g id="node\d+" class="node">(.*?)</g>', s, re.S):
        pts = [tuple(map(float, p.split(","))) for poly in re.findall(r'<polygon[^>]*points="([^"]*)"', body)
               for p in poly.split()]
        if pts:
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5:
                out.append((a, b))
    return len(boxes), out


def main():
    tsunagi, sample = sys.argv[1], sys.argv[2]
    if not shutil.which("dot"):
        print("SKIP: GraphViz dot is not installed")
        return 77
    work, env, db = imported_city(tsunagi, sample)
    con = sqlite3.connect(db)
    city_nid, city = con.execute("SELECT nid, name FROM district WHERE level = 'municipality' ORDER BY nid").fetchone()

    for scope, clause, district in (("every forum", "", None), (city, f"IN '{city}' ", city_nid)):
        out = os.path.join(work, "forums.dot")
        if os.path.exists(out):
            os.unlink(out)
        r = run(tsunagi, db, f"FORUMS OVERLAP {clause}TO '{out}';", env)
        src = open(out, encoding="utf-8").read() if r.returncode == 0 else ""
        check(f"{scope}: FORUMS OVERLAP … TO '.dot' writes the DOT", src.startswith("graph"), r.stderr)
        members, by_sector, shared = oracle(con, district)
        names, got_members, widths, lines = drawn(src)
        check(f"{scope}: one node per forum in scope", sorted(names.values()) == sorted(members),
              set(names.values()) ^ set(members))
        check(f"{scope}: each forum's members", got_members == members,
              {f: (got_members.get(f), n) for f, n in members.items() if got_members.get(f) != n})
        want_w = {f: sorted(PT_PER_MEMBER * n for n in by_sector.get(f, {}).values()) for f in members}
        check(f"{scope}: each forum's bar is its members by sector", widths == want_w,
              {f: (widths.get(f), w) for f, w in want_w.items() if widths.get(f) != w})
        want_lines = {k: n for k, n in shared.items() if n >= MIN_SHARED}
        check(f"{scope}: each line's label is the members the pair shares", lines == want_lines and len(lines) > 10,
              {tuple(sorted(k)): (lines.get(k), want_lines.get(k)) for k in set(lines) | set(want_lines)
               if lines.get(k) != want_lines.get(k)})
        check(f"{scope}: the legend says which pairs have no line", "one member in common draws no line" in src)
    # Below the city: a ward's own forums only (one in the sample city).
    r = run(tsunagi, db, f"FORUMS OVERLAP IN '北区' TO '{out}';", env)
    check("IN a ward draws its own forums", r.returncode == 0 and drawn(open(out, encoding="utf-8").read())[1]
          == oracle(con, con.execute("SELECT nid FROM district WHERE name = '北区'").fetchone()[0])[0], r.stderr)

    png = os.path.join(work, "forums.png")
    r = run(tsunagi, db, f"FORUMS OVERLAP TO '{png}';", env)
    if r.returncode == 0:
        w, h = struct.unpack(">II", open(png, "rb").read()[16:24])
        check("the PNG renders at a sane size", 600 <= w <= 6000 and 600 <= h <= 6000, f"{w} x {h}")
    else:
        check("the PNG renders", False, r.stderr)
    for lang, words in (("en", ("legend", "forums that share members", "members")),
                        ("ja", ("凡例", "構成員が重なる会議体", "構成員"))):
        svg = os.path.join(work, f"forums-{lang}.svg")
        r = run(tsunagi, db, f"FORUMS OVERLAP TO '{svg}';", env, ["--lang", lang])
        if r.returncode != 0:
            check(f"the SVG renders ({lang})", False, r.stderr)
            continue
        mm, size = a3_text_mm(svg)
        check(f"the forums read on A3 ({lang}, text >= 3 mm)", mm >= 3.0, f"{mm:.2f} mm, drawing {size}")
        n, overlaps = boxes_overlap(svg)
        check(f"no two forums overlap ({lang})", n >= len(members) and not overlaps, f"{n} boxes, {overlaps[:2]}")
        text = open(svg, encoding="utf-8").read()
        check(f"the picture speaks {lang}", all(w in text for w in words), words)

    con.close()
    shutil.rmtree(work, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
