"""What the tests/export checks share: the pass/fail tally, running one
statement, GraphViz's dot, headless Chromium (its flags, a PNG screenshot
decoded) and the A3 text measure.

Each check script imports it from its own folder:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from checklib import check, finish, run, a3_text_mm  # noqa: E402
"""
import os
import re
import shutil
import struct
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zlib

results = []

# Headless Chromium with nothing reaching out to the network and no GPU
# (the build machine has none); each run gets its own --user-data-dir.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]

A3 = (1190.55, 841.89)  # 420 × 297 mm in pt
PT_MM = 25.4 / 72


def imported_city(tsunagi, sample):
    """A fresh work folder with the sample city imported into city.db, and
    the environment that keeps tsunagi's cache inside it: (work, env, db)."""
    work = tempfile.mkdtemp()
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
    db = os.path.join(work, "city.db")
    subprocess.run([tsunagi, "import", sample, db], check=True, capture_output=True, env=env)
    return work, env, db


def check(name, ok, detail=""):
    results.append(bool(ok))
    if not ok:
        print(f"FAIL {name}: {detail}")


def finish():
    """Prints the tally; the script's exit status (0 when all passed)."""
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def run(tsunagi, db, stmt, env=None, extra=()):
    """One statement through the CLI (`tsunagi DB [extra] -c STMT`)."""
    return subprocess.run([tsunagi, db, *extra, "-c", stmt], capture_output=True, text=True, env=env, check=False)


def chromium_program():
    """The Chromium program, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def dot(fmt, src, out, *flags):
    """GraphViz dot on a file: `dot [flags] -T<fmt> SRC -o OUT`."""
    return subprocess.run(["dot", *flags, f"-T{fmt}", src, "-o", out], capture_output=True, text=True, check=False)


def svg_text(path):
    """Every line of text drawn in an SVG, in order."""
    ns = "{http://www.w3.org/2000/svg}"
    return ["".join(t.itertext()) for t in ET.parse(path).getroot().iter(ns + "text")]


def a3_text_mm(svg):
    """The smallest text's height in mm when the SVG is scaled to fit an A3
    sheet (either way round): dot writes the size in pt and each text's
    font-size in pt of that drawing. Returns (mm, (width, height))."""
    s = open(svg, encoding="utf-8").read()
    w, h = map(float, re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', s).groups())
    # A drawing dot scaled down (size=…) says so in its first group's
    # transform; the font sizes are of the drawing before it.
    m = re.search(r'<g id="graph0" class="graph" transform="scale\(([\d.]+) ([\d.]+)\)', s)
    shrink = float(m.group(1)) if m else 1.0
    sizes = [float(x) for x in re.findall(r'font-size="([\d.]+)"', s)]
    scale = max(min(A3[0] / w, A3[1] / h), min(A3[1] / w, A3[0] / h))
    return min(sizes) * shrink * scale * PT_MM, (w, h)


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
