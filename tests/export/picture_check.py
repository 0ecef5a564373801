#!/usr/bin/env python3
"""Issue 20 items 1, 2 and 4: pictures a committee can read, with the real GraphViz.

The city at a glance (RENDER OF the whole city): draws well inside the time
limit (measured and printed, not asserted: the machine is shared), a PNG of
sane size, every ward drawn, the tie counts between wards those the
database holds (an oracle in SQL here), legible on A3. The heat map's cells
are the database's sector × sector tie counts. A ward in detail: one gap
mark per GAPS row, each in the frame of the district it concerns and joined
to the organisation running its program; count labels on edges; a legend
naming every tie kind in the colour its edges are drawn in; a title without
the file's path; WITHOUT forums leaves out forums and memberships; node text
at least 3 mm high when the picture is scaled to an A3 sheet. One
organisation's neighbourhood draws exactly those one work tie away.

usage: picture_check.py TSUNAGI SAMPLE_DIR          prints "N passed, N failed"
"""
import csv
import io
import os
import re
import shutil
import sqlite3
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import a3_text_mm, check, imported_city, finish, run  # noqa: E402


def ward_of(con):
    """district nid → its ward's name (None above the wards), from the tree."""
    rows = {nid: (name, level, parent) for nid, name, level, parent in
            con.execute("SELECT nid, name, level, parent FROM district")}
    out = {}
    for nid in rows:
        d = nid
        while d and rows[d][1] != "ward":
            d = rows[d][2]
        out[nid] = rows[d][0] if d else None
    return out


def org_ties(con):
    """(organisation, organisation, kind) per tie but memberships, a
    program standing for its organisation."""
    org = {nid: nid for (nid,) in con.execute("SELECT nid FROM organisation")}
    org.update({nid: o for nid, o in con.execute("SELECT nid, org FROM program")})
    return [(org[a], org[z], k) for a, z, k in con.execute("SELECT src, dst, kind FROM tie WHERE kind <> 'membership'")
            if a in org and z in org]


def main():
    tsunagi, sample = sys.argv[1], sys.argv[2]
    if not shutil.which("dot"):
        print("SKIP: GraphViz dot is not installed")
        return 77
    work, env, db = imported_city(tsunagi, sample)
    con = sqlite3.connect(db)
    wards = [n for (n,) in con.execute("SELECT name FROM district WHERE level = 'ward' ORDER BY nid")]
    city = con.execute("SELECT name FROM district WHERE level = 'municipality'").fetchone()[0]
    sector_of = dict(con.execute("SELECT nid, sector FROM organisation"))
    based = dict(con.execute("SELECT nid, district FROM organisation"))
    ward = ward_of(con)
    ties = org_ties(con)

    # ---- the city at a glance ----------------------------------------------------------
    png = os.path.join(work, "city.png")
    started = time.monotonic()
    r = run(tsunagi, db, f"RENDER OF '{city}' TO '{png}' CLUSTER BY ward;", env, ["--timeout", "60"])
    took = time.monotonic() - started
    print(f"the whole city's picture took {took:.1f} s")
    check("the city view draws within the limit", r.returncode == 0 and "time limit" not in r.stderr, r.stderr)
    if os.path.exists(png):
        w, h = struct.unpack(">II", open(png, "rb").read()[16:24])
        check("the city PNG is a readable size", 800 <= w <= 6000 and 800 <= h <= 6000, f"{w} x {h}")
    svg = os.path.join(work, "city.svg")
    run(tsunagi, db, f"RENDER OF '{city}' TO '{svg}';", env)
    text = open(svg, encoding="utf-8").read() if os.path.exists(svg) else ""
    check("every ward appears in the city view", wards and all(f">{w}<" in text for w in wards),
          [w for w in wards if f">{w}<" not in text])
    if text:
        mm, size = a3_text_mm(svg)
        check("the city view reads on A3 (text >= 3 mm)", mm >= 3.0, f"{mm:.2f} mm, drawing {size}")
    # Horizontal ties between two wards: neither end a government office.
    dot = os.path.join(work, "city.dot")
    r = run(tsunagi, db, f"EXPORT DOT OF '{city}' TO '{dot}' AS city;", env)
    src = open(dot, encoding="utf-8").read() if r.returncode == 0 else ""
    check("EXPORT DOT … AS city writes the city view", "layout=neato" in src, r.stderr)
    group = {g: name for g, name in re.findall(r'^  (g\d+) \[label=<.*?<b>(.*?)</b>', src, re.M)}
    drawn = {}
    for a, z, label, kind in re.findall(r'^  (g\d+) -- (g\d+) \[[^\n]*?label="(?:⚠ )?(\d+)", tooltip="([a-z ]+)"', src,
                                        re.M):
        drawn[(frozenset((group.get(a), group.get(z))), kind)] = int(label)
    want = {}
    for a, z, _ in ties:
        wa, wz = ward.get(based.get(a)), ward.get(based.get(z))
        if not wa or not wz or wa == wz:
            continue
        kind = "through government" if "government" in (sector_of[a], sector_of[z]) else "horizontal"
        key = (frozenset((wa, wz)), kind)
        want[key] = want.get(key, 0) + 1
    between_wards = {k: v for k, v in drawn.items() if None not in k[0] and "city-wide" not in k[0]}
    check("ties between wards are the database's", want and all(between_wards.get(k, 0) == v for k, v in want.items())
          and all(v == 0 or k in want for k, v in between_wards.items()),
          {str(sorted(k[0])) + k[1]: (between_wards.get(k), want.get(k)) for k in set(want) | set(between_wards)
           if between_wards.get(k, 0) != want.get(k, 0)})
    check("thin links are marked", "⚠" in src and re.search(r'color="red", [^\n]*style=dashed', src))

    # ---- the heat map ------------------------------------------------------------------
    mdot = os.path.join(work, "matrix.dot")
    r = run(tsunagi, db, f"EXPORT DOT OF '{city}' TO '{mdot}' AS matrix;", env)
    msrc = open(mdot, encoding="utf-8").read() if r.returncode == 0 else ""
    cells = {}
    for row in re.findall(r'<tr><td align="left" bgcolor="[^"]*"><b>(\w+)</b></td>(.*?)</tr>', msrc):
        cells[row[0]] = [int(x) for x in re.findall(r'>(\d+)</font>', row[1])]
    keys = [k for (k,) in con.execute("SELECT key FROM vocab WHERE kind = 'sector' ORDER BY rowid")]
    # The city's own organisations: those based in a district under it.
    parent = dict(con.execute("SELECT nid, parent FROM district"))
    top = con.execute("SELECT nid FROM district WHERE level = 'municipality'").fetchone()[0]

    def under_city(dist):
        while dist and dist != top:
            dist = parent.get(dist)
        return dist == top
    counts = {}
    for a, z, _ in ties:
        if not under_city(based.get(a)) or not under_city(based.get(z)):
            continue
        counts[(sector_of[a], sector_of[z])] = counts.get((sector_of[a], sector_of[z]), 0) + 1
        if sector_of[a] != sector_of[z]:
            counts[(sector_of[z], sector_of[a])] = counts.get((sector_of[z], sector_of[a]), 0) + 1
    want_m = {r: [counts.get((r, c), 0) for c in keys] for r in keys}
    check("the heat map's cells are the sector × sector tie counts", cells == want_m,
          {k: (cells.get(k), want_m[k]) for k in keys if cells.get(k) != want_m[k]})
    msvg = os.path.join(work, "matrix.svg")
    r = run(tsunagi, db, f"RENDER OF '{city}' TO '{msvg}' AS matrix;", env)
    check("the heat map renders", r.returncode == 0 and os.path.getsize(msvg) > 1000, r.stderr)

    # ---- a ward in detail --------------------------------------------------------------
    gaps = "HIGHLIGHT GAPS FOR hikikomori AGED 18..39 NEEDS place, peer"
    ddot = os.path.join(work, "higashi.dot")
    r = run(tsunagi, db, f"EXPORT DOT OF '東区' TO '{ddot}' CLUSTER BY ward {gaps};", env)
    d = open(ddot, encoding="utf-8").read() if r.returncode == 0 else ""
    check("the title does not carry the file's path", d and ddot not in d and "higashi.dot" not in d)
    rows = list(csv.DictReader(io.StringIO(run(tsunagi, db, "GAPS FOR hikikomori AGED 18..39 IN '東区' NEEDS place, peer;",
                                               env, ["--format", "csv"]).stdout)))
    marks = re.findall(r'^    (gap\d+) \[', d, re.M)
    check("one gap mark per finding", len(rows) > 3 and len(marks) == len(rows), f"{len(marks)} marks, {len(rows)} rows")
    nid = dict(con.execute("SELECT id, nid FROM node"))
    org_of = dict(con.execute("SELECT nid, org FROM program"))
    frames = re.findall(r'subgraph cluster_gaps\d+ \{\n    label="([^"]*)";(.*?)\n  \}', d, re.S)
    frame_of = {g: label for label, body in frames for g in re.findall(r'(gap\d+) \[', body)}
    links = dict(re.findall(r'^  (gap\d+) -> n(\d+) \[', d, re.M))
    for i, row in enumerate(rows):
        g = f"gap{i}"
        check(f"gap {i} in its district's frame", frame_of.get(g) == row["district"], (frame_of.get(g), row["district"]))
        if row["program"]:
            p = nid[row["program"]]
            check(f"gap {i} joined to its program's organisation", links.get(g) == str(org_of.get(p, p)),
                  (links.get(g), row["program"]))
    # The legend names every kind in the colour its edges are drawn in (the
    # whole city in detail has every kind; EXPORT does not lay it out).
    full = os.path.join(work, "full.dot")
    r = run(tsunagi, db, f"EXPORT DOT OF '{city}' TO '{full}' AS detail {gaps};", env)
    d_full = open(full, encoding="utf-8").read() if r.returncode == 0 else r.stderr
    legend = d_full[d_full.index("label=<<table"):] if "label=<<table" in d_full else ""
    for kind, word in (("referral", "referral"), ("co_support", "co-support"), ("info_sharing", "information sharing"),
                       ("agreement", "agreement")):
        edge = re.search(r'color="(#[0-9a-f]{6})[^\n]*tooltip="%s"' % kind, d_full)
        check(f"legend: {kind} in its edges' colour",
              edge and re.search(r'<font color="%s">[^<]*</font></td><td align="left">%s<' % (edge.group(1), word), legend),
              edge and edge.group(1))
    for word in ("organisation (box)", "sits in forum F1", "gap, joined"):
        check(f"legend: {word}", word in legend)
    # Memberships are forum codes on their members, not lines (decisions.md,
    # issue 20: a ward with its forums).
    check("no membership line is drawn", 'tooltip="membership"' not in d_full and "hexagon" not in d_full)
    # Count labels: every line between two organisations carries the sum
    # of the counts of the ties it stands for (programs folded in).
    labels = sum(int(x) for x in re.findall(r'^  n\d+ -> n\d+ \[[^\n]*label="(\d+)"', d, re.M))
    higashi = {o for o, dist in based.items() if ward.get(dist) == "東区"}
    org = {o: o for o in sector_of}
    org.update(org_of)
    want_sum = sum(c or 0 for a, z, c in con.execute("SELECT src, dst, count FROM tie WHERE kind <> 'membership'")
                   if org.get(a) in higashi and org.get(z) in higashi and org.get(a) != org.get(z))
    check("edges carry the ties' counts", labels == want_sum and labels > 0, f"{labels} drawn, {want_sum} in the database")

    # WITHOUT forums: no forum, no membership; WITH programs: programs drawn.
    out = os.path.join(work, "noforum.dot")
    r = run(tsunagi, db, f"EXPORT DOT OF '東区' TO '{out}' WITHOUT forums;", env)
    t = open(out, encoding="utf-8").read() if r.returncode == 0 else r.stderr
    check("WITHOUT forums leaves out forums and memberships", "hexagon" not in t.split("label=<<table")[0]
          and 'tooltip="membership"' not in t and "shape=box" in t, t[-300:])
    out = os.path.join(work, "programs.dot")
    r = run(tsunagi, db, f"EXPORT DOT OF '東区' TO '{out}' WITH programs;", env)
    t = open(out, encoding="utf-8").read() if r.returncode == 0 else r.stderr
    check("WITH programs draws programs", "shape=ellipse" in t and "program (ellipse)" in t, r.stderr)
    r = run(tsunagi, db, f"EXPORT DOT OF '東区' TO '{out}' WITHOUT programs;", env)
    check("WITHOUT takes forums only", r.returncode == 1 and "WITHOUT takes forums" in r.stderr, r.stderr)

    # Legibility on A3: every ward drawn for a meeting WITHOUT forums, with
    # its gaps, keeps its text at least 3 mm high.
    for w in wards:
        wsvg = os.path.join(work, f"ward-{w}.svg")
        r = run(tsunagi, db, f"RENDER OF '{w}' TO '{wsvg}' WITHOUT forums {gaps};", env)
        if r.returncode != 0:
            check(f"{w} renders", False, r.stderr)
            continue
        mm, size = a3_text_mm(wsvg)
        check(f"{w} reads on A3 (text >= 3 mm)", mm >= 3.0, f"{mm:.2f} mm, drawing {size}")

    # A ward WITH its forums (the default): each forum is a code (F1, F2, …)
    # on the organisations sitting in it and the key names it in full. The
    # codes on each organisation are the forums the database has it a
    # member of (an oracle in SQL); every ward, in English and Japanese,
    # keeps its text at least 3 mm high on A3.
    member_of = {}
    for o, f in con.execute("SELECT t.src, f.name FROM tie t JOIN forum f ON f.nid = t.dst "
                            "JOIN organisation o ON o.nid = t.src WHERE t.kind = 'membership'"):
        member_of.setdefault(o, set()).add(f)
    for w in wards:
        fdot = os.path.join(work, f"forums-{w}.dot")
        r = run(tsunagi, db, f"EXPORT DOT OF '{w}' TO '{fdot}';", env)
        fd = open(fdot, encoding="utf-8").read() if r.returncode == 0 else r.stderr
        key = dict(re.findall(r'<td><b>(F\d+)</b></td><td align="left">([^<]*)</td>', fd))
        drawn_codes = {}
        for n, label in re.findall(r'^    n(\d+) \[label="([^"]*)", shape=box', fd, re.M):
            codes = [c for line in label.split("\\n") if re.fullmatch(r'(F\d+ ?)+', line) for c in line.split()]
            drawn_codes[int(n)] = {key.get(c, c) for c in codes}
        wrong = {n: (got, member_of.get(n, set())) for n, got in drawn_codes.items() if got != member_of.get(n, set())}
        check(f"{w}: each organisation carries the codes of its forums", drawn_codes and key and not wrong,
              f"{len(wrong)} wrong, e.g. {next(iter(wrong.items()), None)}")
        check(f"{w}: no forum node, no membership line", "hexagon" not in fd and 'tooltip="membership"' not in fd)
    for lang in ("en", "ja"):
        for w in wards:
            wsvg = os.path.join(work, f"ward-forums-{lang}-{w}.svg")
            r = run(tsunagi, db, f"RENDER OF '{w}' TO '{wsvg}';", env, ["--lang", lang])
            if r.returncode != 0:
                check(f"{w} renders with its forums ({lang})", False, r.stderr)
                continue
            mm, size = a3_text_mm(wsvg)
            check(f"{w} with its forums reads on A3 ({lang}, text >= 3 mm)", mm >= 3.0, f"{mm:.2f} mm, drawing {size}")

    # Item 4: one organisation's neighbourhood. The organisations drawn are
    # the start and those one work tie away (either way, a program standing
    # for its organisation), as the database has them.
    npo = "NPO法人あさがおの会"
    start = con.execute("SELECT nid FROM organisation WHERE name = ?", (npo,)).fetchone()[0]
    near = {start} | {z for a, z, _ in ties if a == start} | {a for a, z, _ in ties if z == start}
    ndot = os.path.join(work, "asagao.dot")
    r = run(tsunagi, db, f"EXPORT DOT OF '{npo}' TO '{ndot}' WITHIN 1 HOPS WITHOUT forums;", env)
    nd = open(ndot, encoding="utf-8").read() if r.returncode == 0 else r.stderr
    boxes = {int(x) for x in re.findall(r'^    n(\d+) \[[^\n]*shape=box', nd, re.M)}
    check("a neighbourhood draws the organisations one tie away", len(near) > 2 and boxes == near,
          f"{len(boxes)} drawn, {len(near)} expected")
    check("the neighbourhood's own box is outlined", re.search(r'n%d \[[^\n]*penwidth=4' % start, nd))
    # A forum's neighbourhood is its members (the forum's only ties), each
    # carrying its code.
    forum = "北区地域ケア会議"
    members = {o for (o,) in con.execute("SELECT t.src FROM tie t JOIN forum f ON f.nid = t.dst WHERE f.name = ? "
                                         "AND t.kind = 'membership'", (forum,))}
    r = run(tsunagi, db, f"EXPORT DOT OF '{forum}' TO '{ndot}';", env)
    nd = open(ndot, encoding="utf-8").read() if r.returncode == 0 else r.stderr
    boxes = {int(x) for x in re.findall(r'^    n(\d+) \[[^\n]*\\nF1", shape=box', nd, re.M)}
    check("a forum's neighbourhood draws its members", len(members) > 2 and boxes == members and forum in nd,
          f"{len(boxes)} drawn, {len(members)} members")
    npng = os.path.join(work, "asagao.png")
    r = run(tsunagi, db, f"RENDER NEIGHBOURHOOD OF '{npo}' TO '{npng}' WITHIN 2 HOPS;", env)
    check("RENDER NEIGHBOURHOOD draws", r.returncode == 0 and os.path.getsize(npng) > 1000, r.stderr)
    r = run(tsunagi, db, f"RENDER NEIGHBOURHOOD OF '北区' TO '{npng}';", env)
    check("RENDER NEIGHBOURHOOD of a district is refused", r.returncode == 1 and "NEIGHBOURHOOD needs OF an" in r.stderr,
          r.stderr)

    con.close()
    shutil.rmtree(work, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
