#!/usr/bin/env python3
"""import-hsds against sqlite3 .import of the same files, in one run.

For each package, each round times, in alternating order:
  - tsunagi import-hsds PACKAGE NEW.db (the whole job: read, translate, check,
    one transaction, the report);
  - the floor: sqlite3 NEW.db with `.import --csv` of every CSV file that
    import-hsds reads, into raw tables with no checks, no keys and no mapping.
Both start from no database file, and both include process start-up.
Prints median and p95 over the rounds and the ratio of the medians.

usage: hsds_import.py TSUNAGI SHARED_DATA_DIR [ROUNDS]
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

TSG, DATA = sys.argv[1], os.path.join(sys.argv[2], "hsds")
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 15
READS = ["organizations.csv", "services.csv", "locations.csv", "service_at_location.csv",
         "services_at_location.csv", "addresses.csv", "physical_addresses.csv", "service_areas.csv",
         "eligibility.csv", "services_taxonomy.csv", "taxonomy.csv", "attributes.csv", "taxonomy_terms.csv",
         "taxonomies.csv"]


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def timed(cmd, **kw):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t


def bench(name, folder, work):
    base = os.path.join(folder, "data") if os.path.isdir(os.path.join(folder, "data")) else folder
    files = [f for f in READS if os.path.exists(os.path.join(base, f))]
    script = "".join(f".import --csv '{os.path.join(base, f)}' t{i}\n" for i, f in enumerate(files))
    ours, floor = [], []
    for r in range(ROUNDS):
        a, b = os.path.join(work, f"{name}-{r}.db"), os.path.join(work, f"{name}-{r}-floor.db")
        runs = [lambda: ours.append(timed([TSG, "import-hsds", folder, a])),
                lambda: floor.append(timed(["sqlite3", b], input=script.encode()))]
        for f in (runs if r % 2 == 0 else runs[::-1]):
            f()
        os.remove(a)
        os.remove(b)
    mo, mf = statistics.median(ours), statistics.median(floor)
    print(f"| {name} | {len(files)} | {mo * 1000:.0f} | {p95(ours) * 1000:.0f} | {mf * 1000:.0f} | "
          f"{p95(floor) * 1000:.0f} | {mo / mf:.2f} |")


def main():
    print(f"{ROUNDS} rounds; times in ms\n")
    print("| package | files | import-hsds median | p95 | sqlite3 .import median | p95 | ratio |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for name in ("miami211", "baltimore-charmcare", "hsds3-spec-example"):
            bench(name, os.path.join(DATA, name), work)


main()
