#!/usr/bin/env python3
"""EXPORT DIRECTORY: the resource list of a district, opened in headless Chromium.

Makes the Japanese resource list of 北区 of the sample city, has Chromium
build its DOM (--dump-dom) and take a screenshot, and checks:
- the Japanese headings (社会資源リスト, 目次, 相談窓口, the needs' label_ja) and
  the table of contents linking every section;
- the consultation windows (相談窓口) are the first section;
- every program of the district appears exactly once under each of its
  needs. The independent oracle is sqlite3 on the database itself: the
  programs serving 北区 (wide-area, or an area at, above or below 北区,
  found with a recursive query over district.parent, not tsunagi's
  tsg_under) and their rows in program_need;
- TO 'list.xlsx' writes the same list as a workbook: a sheet per need in
  the page's order (相談窓口 first), each with the oracle's programs once;
- a drawing's clause (CLUSTER BY) is refused and a failed export leaves an
  earlier file as it was;
- the screenshot shows text (dark pixels over many rows).
Exit 77 (a ctest skip) when Chromium is not installed.

usage: directory_check.py TSUNAGI SAMPLE_DIR          prints "N passed, N failed"
"""
import html.parser
import os
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import CHROMIUM_FLAGS, check, chromium_program, imported_city, finish, png_rows  # noqa: E402
from xlsx_check import read_workbook  # noqa: E402

class Page(html.parser.HTMLParser):
    """Sections (data-need) in order, the program rows under each, headings, links."""

    def __init__(self):
        super().__init__()
        self.sections, self.rows, self.links, self.h2, self.h1 = [], {}, [], [], []
        self.text_of = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-need" in a:
            self.sections.append(a["data-need"])
            self.rows[a["data-need"]] = []
        elif tag == "tr" and "data-program" in a and self.sections:
            self.rows[self.sections[-1]].append(a["data-program"])
        elif tag == "a" and a.get("href", "").startswith("#"):
            self.links.append(a["href"][1:])
        elif tag in ("h1", "h2"):
            self.text_of = tag
            getattr(self, tag).append("")

    def handle_endtag(self, tag):
        if tag == self.text_of:
            self.text_of = None

    def handle_data(self, data):
        if self.text_of:
            lst = getattr(self, self.text_of)
            lst[-1] += data


ORACLE = """
WITH RECURSIVE up(d, anc) AS (SELECT nid, nid FROM district
                              UNION SELECT up.d, district.parent FROM up JOIN district ON district.nid = up.anc
                              WHERE district.parent IS NOT NULL),
     kita(nid) AS (SELECT nid FROM district WHERE name = '北区'),
     serving(p) AS (SELECT nid FROM program WHERE wide_area = 1
                    UNION SELECT a.program FROM program_area a, kita
                    WHERE a.district IN (SELECT d FROM up WHERE anc = kita.nid)
                       OR a.district IN (SELECT anc FROM up WHERE d = kita.nid))
SELECT n.id, pn.need FROM serving JOIN node n ON n.nid = serving.p JOIN program_need pn ON pn.program = serving.p
"""


def main():
    tsunagi, sample = sys.argv[1], sys.argv[2]
    chromium = chromium_program()
    if not chromium:
        print("SKIP: chromium is not installed; the directory test did not run")
        return 77
    work, env, db = imported_city(tsunagi, sample)
    page = os.path.join(work, "kita.html")
    r = subprocess.run([tsunagi, "--lang", "ja", db, "-c", f"EXPORT DIRECTORY OF '北区' TO '{page}';"],
                       capture_output=True, text=True, env=env)
    check("EXPORT DIRECTORY writes the page", r.returncode == 0 and os.path.exists(page), r.stderr)
    text = open(page, encoding="utf-8").read()
    check("the page loads nothing from outside", "http" not in text and "<script" not in text and "<link" not in text)
    check("the page prints on A4", "@page { size: A4" in text and "@media print" in text)

    # A drawing's clause is refused, and the earlier page stays as it was.
    r = subprocess.run([tsunagi, db, "-c", f"EXPORT DIRECTORY OF '北区' TO '{page}' CLUSTER BY sector;"],
                       capture_output=True, text=True, env=env)
    check("CLUSTER BY is refused", r.returncode != 0 and "EXPORT DIRECTORY takes OF" in r.stderr, r.stderr)
    check("a refused export leaves the file", open(page, encoding="utf-8").read() == text)

    profile = os.path.join(work, "profile")
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", f"file://{page}"],
                         capture_output=True, text=True, timeout=120).stdout
    p = Page()
    p.feed(dom)
    check("the Japanese title", p.h1 and p.h1[0].startswith("社会資源リスト") and "北区" in p.h1[0], p.h1)
    check("the table of contents", "目次" in p.h2 and 'id="contents"' in dom, p.h2[:3])
    check("the consultation windows come first", p.sections[:1] == ["consultation"] and p.h2[1:2] == ["相談窓口"],
          f"{p.sections[:2]} {p.h2[:3]}")
    check("needs are headed by their Japanese labels", "居場所" in p.h2 and "アウトリーチ" in p.h2, p.h2)
    check("every section is in the contents", [s for s in p.links] == [f"need-{s}" for s in p.sections],
          f"{p.links} vs {p.sections}")

    con = sqlite3.connect(db)
    want = {}
    for pid, need in con.execute(ORACLE):
        want.setdefault(need, []).append(pid)
    con.close()
    check("the needs are the oracle's", set(want) == set(s for s in p.sections if s != "none"),
          f"{sorted(want)} vs {p.sections}")
    for need, pids in want.items():
        got = p.rows.get(need, [])
        dup = sorted({x for x in got if got.count(x) > 1})
        check(f"programs under {need}", sorted(got) == sorted(pids) and not dup,
              f"missing {sorted(set(pids) - set(got))}, extra {sorted(set(got) - set(pids))}, twice {dup}")
    check("the district has programs", sum(len(v) for v in want.values()) > 50)

    book = os.path.join(work, "kita.xlsx")
    r = subprocess.run([tsunagi, "--lang", "ja", db, "-c", f"EXPORT DIRECTORY OF '北区' TO '{book}';"],
                       capture_output=True, text=True, env=env)
    check("EXPORT DIRECTORY writes the workbook", r.returncode == 0 and os.path.exists(book), r.stderr)
    if os.path.exists(book):
        sheets = read_workbook(book)
        check("a sheet per need, consultation windows first", [n for n, _ in sheets] == p.h2[1:],
              f"{[n for n, _ in sheets]} vs {p.h2[1:]}")
        for (name, rows), need in zip(sheets, p.sections):
            head = [text for _, text in rows[0]] if rows else []
            got = [row[7][1] for row in rows[1:] if len(row) > 7]
            # The header is the column keys, as every --xlsx sheet has (xlsx.c).
            check(f"sheet {name}", head[:2] == ["place", "program_name"] and sorted(got) == sorted(want.get(need, [])),
                  f"{head} {sorted(set(got) ^ set(want.get(need, [])))}")

    shot = os.path.join(work, "kita.png")
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1200,3000",
                    f"--screenshot={shot}", f"file://{page}"], capture_output=True, timeout=120)
    check("Chromium takes a screenshot", os.path.exists(shot))
    if os.path.exists(shot):
        width, height, bpp, rows = png_rows(shot)
        dark = [y for y, row in enumerate(rows) if any(row[x] < 80 and row[x + 1] < 80 and row[x + 2] < 80
                                                        for x in range(0, width * bpp, bpp * 2))]
        check("text is visible", len(dark) > 300, f"{len(dark)} rows with dark pixels")
    shutil.rmtree(work, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
