#!/usr/bin/env python3
"""critical_bench — CRITICAL against the naive loop at 10 and 100
municipalities (bench/gen.py networks; docs/performance.md).

For each size: a network made by gen.py (seed 1), then build/critical_bench
on municipality d-m0 (about 287 organisations) and on its first ward, for
hikikomori 18..39.

usage: critical_bench.py BUILD_DIR SAMPLE_DIR [SIZES…]
"""
import os
import subprocess
import sys
import tempfile

build, sample = sys.argv[1], sys.argv[2]
sizes = [int(x) for x in sys.argv[3:]] or [10, 100]
here = os.path.dirname(os.path.abspath(__file__))
with tempfile.TemporaryDirectory() as tmp:
    for m in sizes:
        db = os.path.join(tmp, f"m{m}.db")
        subprocess.run([sys.executable, os.path.join(here, "gen.py"), os.path.join(build, "tsunagi"), sample, db, str(m)],
                       check=True, capture_output=True)
        for district in ("d-m0", "d-m0-w0"):
            p = subprocess.run([os.path.join(build, "critical_bench"), db, district, "FOR hikikomori AGED 18..39", "5", "5"],
                               capture_output=True, text=True)
            print(f"{m} municipalities, {district}: {p.stdout.strip()}{p.stderr.strip()}", flush=True)
