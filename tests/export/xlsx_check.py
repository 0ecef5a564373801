#!/usr/bin/env python3
"""--xlsx against the JSON output of the same statements.

The workbook is read here as what it is, a zip of SpreadsheetML, with the
standard library only (no spreadsheet package), so the test depends on
nothing libxlsxwriter itself wrote about its output. For each statement
set: one sheet per result, in order, named after the result's title (cut
to Excel's 31 characters, made unique); row 1 the columns; every cell equal
to the JSON value, JSON's numbers (the right-aligned columns) stored as
numbers and everything else as text. A failing run must leave an earlier file at the
path byte for byte and no partial file beside it; an unwritable path is an
error before anything runs.

usage: xlsx_check.py TSUNAGI
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

CASES = [
    # several results of one statement, Japanese titles, numbers and text
    "HORIZONTAL IN '南区';",
    # two statements with the same kind of result: unique sheet names
    "CENTRALITY degree TOP 5; CENTRALITY betweenness TOP 5 WEIGHTED;",
    # counts suppressed below 10 stay text ("<10")
    "FIND ties WHERE kind = referral;",
    "GAPS FOR hikikomori AGED 18..39 IN 'あさひの市';",
    "COUNT programs BY target;",
]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def column_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_workbook(path):
    """[(sheet name, [[(kind, text)], …])], kind 'n' for numbers, 's' for text."""
    z = zipfile.ZipFile(path)
    check(z.testzip() is None, f"{path}: a damaged zip member")
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
    rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels")).iter(f"{RELS}Relationship")}
    sheets = []
    for s in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", NS):
        target = rels[s.get(f"{{{NS['r']}}}id")]
        root = ET.fromstring(z.read("xl/" + target.lstrip("/").removeprefix("xl/")))
        rows = []
        for row in root.find("m:sheetData", NS):
            cells = {}
            for c in row:
                v = c.find("m:v", NS)
                if c.get("t") == "s":
                    cells[column_index(c.get("r"))] = ("s", shared[int(v.text)])
                elif c.get("t") == "inlineStr":
                    cells[column_index(c.get("r"))] = ("s", "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t")))
                else:
                    cells[column_index(c.get("r"))] = ("n", v.text)
            rows.append([cells.get(i, ("", "")) for i in range(max(cells) + 1 if cells else 0)])
        sheets.append((s.get("name"), rows))
    return sheets


def json_results(text):
    """The JSON of several results: one array each, separated by blank lines."""
    return [json.loads(block) for block in text.strip().split("\n\n")]


def compare(label, sheets, results):
    check(len(sheets) == len(results), f"{label}: {len(sheets)} sheets for {len(results)} results")
    names = [n for n, _ in sheets]
    check(len({n.lower() for n in names}) == len(names), f"{label}: sheet names not unique: {names}")
    cells = 0
    for (name, rows), want in zip(sheets, results):
        check(len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name), f"{label}: bad sheet name {name!r}")
        check(len(rows) == len(want) + 1, f"{label}/{name}: {len(rows) - 1} data rows, JSON has {len(want)}")
        if not want:
            continue
        header = list(want[0])
        check([t for _, t in rows[0]] == header, f"{label}/{name}: header {rows[0]}, JSON keys {header}")
        for i, (got, exp) in enumerate(zip(rows[1:], want)):
            got = got + [("", "")] * (len(header) - len(got))
            for j, key in enumerate(header):
                kind, text = got[j]
                e = exp[key]
                # JSON numbers are the cells of number columns; everything else is text (null: empty).
                if isinstance(e, (int, float)) and not isinstance(e, bool):
                    ok = kind == "n" and float(text) == float(e)
                else:
                    ok = kind in ("s", "") and text == ("" if e is None else e)
                check(ok, f"{label}/{name} row {i + 2} {key}: workbook {kind}:{text!r}, JSON {e!r}")
                cells += 1
    return cells


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    tsunagi = sys.argv[1]
    checked = 0
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
        for k, stmts in enumerate(CASES):
            extra = ["--suppress-below", "10"] if "ties" in stmts else []
            book = os.path.join(work, f"case{k}.xlsx")
            r = subprocess.run([tsunagi, *extra, "--xlsx", book, "-c", stmts], capture_output=True, text=True, env=env)
            check(r.returncode == 0 and r.stdout.strip() == f"wrote {book}", f"case {k}: {r.returncode} {r.stdout} {r.stderr}")
            out = subprocess.run([tsunagi, *extra, "--format", "json", "-c", stmts], capture_output=True, text=True,
                                 env=env, check=True)
            sheets = read_workbook(book)
            checked += compare(f"case {k}", sheets, json_results(out.stdout))
            if k == 1:
                # Issue 19, item 10: an untitled table's sheet is named after
                # what its statement's tables hold (clauses.c), made unique.
                check([n for n, _ in sheets] == ["centrality", "centrality (2)"], f"untitled sheets: {[n for n, _ in sheets]}")
            if k == 2:
                check(any(t == "<10" for _, rows in sheets for row in rows for kind, t in row if kind == "s"),
                      "suppressed counts are not in the workbook as text")
            if k == 0:
                check(sheets[0][0] == "horizontal links in 南区", f"sheet title {sheets[0][0]!r}")
                check(sheets[1][0] == "vertically dependent organisati", f"cut title {sheets[1][0]!r}")

        # A failing statement: the earlier workbook stays as it was, no partial file is left.
        book = os.path.join(work, "case0.xlsx")
        before = open(book, "rb").read()
        r = subprocess.run([tsunagi, "--xlsx", book, "-c", "CENTRALITY degree TOP 3; FIND nothing;"],
                           capture_output=True, text=True, env=env)
        check(r.returncode == 1, f"a failed run exits {r.returncode}")
        check("was not written" in r.stderr, f"no word that the workbook was not written: {r.stderr}")
        check(open(book, "rb").read() == before, "a failed run changed the earlier workbook")
        check(not [f for f in os.listdir(work) if ".partial-" in f or ".tsunagi-" in f],
              f"partial files left: {os.listdir(work)}")

        # An unwritable place is an error before anything runs.
        r = subprocess.run([tsunagi, "--xlsx", os.path.join(work, "no", "such", "dir.xlsx"), "-c",
                            "ADD organisation 'xlsxテスト' SECTOR npo IN '南区';"], capture_output=True, text=True, env=env)
        check(r.returncode == 1 and "cannot write" in r.stderr, f"unwritable path: {r.returncode} {r.stderr}")
        r = subprocess.run([tsunagi, "--format", "json", "-c", "FIND organisations WHERE name = 'xlsxテスト';"],
                           capture_output=True, text=True, env=env)
        check(json_results(r.stdout) == [[]], f"the statement ran although the workbook could not be written: {r.stdout}")

        # summary takes --xlsx too; import does not.
        book = os.path.join(work, "summary.xlsx")
        r = subprocess.run([tsunagi, "summary", "--xlsx", book], capture_output=True, text=True, env=env)
        check(r.returncode == 0 and len(read_workbook(book)) >= 3, f"summary --xlsx: {r.returncode} {r.stderr}")
        r = subprocess.run([tsunagi, "import", "--xlsx", book, work, os.path.join(work, "x.db")], capture_output=True,
                           text=True, env=env)
        check(r.returncode == 2 and "--xlsx" in r.stderr, f"import --xlsx: {r.returncode} {r.stderr}")

    for f in failures[:20]:
        print("FAIL", f)
    print(f"xlsx: {len(CASES)} statement sets, {checked} cells compared; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
