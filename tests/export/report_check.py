#!/usr/bin/env python3
"""REPORT GAPS opens in headless Chromium and shows its tables and picture.

Makes a report of the sample city, has Chromium load it from disk (it must
read offline: everything is inline), and checks:
- the DOM Chromium builds holds the gap, coverage and horizontal tables and
  an SVG with the network's nodes;
- a screenshot shows the tables (dark text near the top) and the picture
  (the sector fill colours further down, where only the SVG can put them).
Exit 77 (a ctest skip) when Chromium is not installed.

usage: report_check.py TSUNAGI SAMPLE_DIR          prints "N passed, N failed"
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    if not ok:
        print(f"FAIL {name}: {detail}")


def png_rows(path):
    """Decodes an 8-bit RGB or RGBA PNG: (width, height, rows of bytes)."""
    data = open(path, "rb").read()
    pos, chunks = 8, []
    width = height = colour = 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), "8-bit RGB(A) expected"
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + n
    raw = zlib.decompress(b"".join(chunks))
    bpp = 4 if colour == 6 else 3
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main():
    tsunagi, sample = sys.argv[1], sys.argv[2]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("SKIP: chromium is not installed; the report screenshot test did not run")
        return 77
    work = tempfile.mkdtemp()
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
    db = os.path.join(work, "city.db")
    subprocess.run([tsunagi, "import", sample, db], check=True, capture_output=True, env=env)
    report = os.path.join(work, "report.html")
    r = subprocess.run([tsunagi, db, "-c", f"REPORT GAPS FOR hikikomori AGED 18..39 IN '東区' NEEDS place, peer "
                        f"TO '{report}';"], capture_output=True, text=True, env=env)
    check("REPORT writes the page", r.returncode == 0 and os.path.exists(report), r.stderr)
    html = open(report, encoding="utf-8").read()
    check("the page loads nothing from outside", "http://" not in html.split("<svg", 1)[0] and "<script" not in html
          and "<link" not in html)

    profile = os.path.join(work, "profile")
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", f"file://{report}"],
                         capture_output=True, text=True, timeout=120).stdout
    check("Chromium builds the tables", dom.count("<table") >= 4, f"{dom.count('<table')} tables")
    nodes = dom.count('class="node"')
    check("Chromium builds the picture", "<svg" in dom and nodes >= 10, f"{nodes} nodes")

    shot = os.path.join(work, "report.png")
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1400,9000",
                    f"--screenshot={shot}", f"file://{report}"], capture_output=True, timeout=120)
    check("Chromium takes a screenshot", os.path.exists(shot))
    if os.path.exists(shot):
        width, height, bpp, rows = png_rows(shot)
        dark = [y for y, row in enumerate(rows) if any(row[x] < 80 and row[x + 1] < 80 and row[x + 2] < 80
                                                        for x in range(0, width * bpp, bpp))]
        check("text is visible", len(dark) > 200, f"{len(dark)} rows with dark pixels")
        # The sector fills (#fdbf6f npo, #a6cee3 government, #b2df8a shakyo) are drawn only by the SVG.
        fills = {(0xfd, 0xbf, 0x6f), (0xa6, 0xce, 0xe3), (0xb2, 0xdf, 0x8a)}
        coloured = [y for y, row in enumerate(rows)
                    if any(tuple(row[x:x + 3]) in fills for x in range(0, width * bpp, bpp * 2))]
        tables_end = max(dark[:len(dark) // 2]) if dark else 0
        check("the picture is visible below the tables", len(coloured) > 100 and min(coloured) > tables_end // 2,
              f"{len(coloured)} rows with sector colours")
    shutil.rmtree(work, ignore_errors=True)
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
