#!/usr/bin/env python3
"""crash_check — an import killed at any moment loses nothing, and a reader
never sees half of one.

1. Kill points. A database holds the sample city; `tsunagi import` of a
   bigger network (bench/gen.py, 4 municipalities) into it is killed with
   SIGKILL at POINTS moments spread over the import's duration. After each
   kill, PRAGMA integrity_check must say ok, and the database must be
   exactly the sample city or exactly the new network (a dump of every
   table, hashed), and tsunagi must open it and answer.
2. A writer and a reader. One process replaces the network again and
   again (the big one, the sample, …) while a tsunagi session in another
   process counts organisations by sector, statement after statement. Every
   count must be one of the two networks' totals, and no statement may fail
   (the store waits for a busy lock; WAL lets the reader go on).

Prints the figures docs/reliability.md quotes.

usage: crash_check.py TSUNAGI SAMPLE_DIR [--points N] [--seed N]
"""
import argparse
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "..", "bench", "gen.py")


def digest(db):
    c = sqlite3.connect(db)
    ok = c.execute("PRAGMA integrity_check").fetchone()[0]
    h = hashlib.sha256()
    for line in c.iterdump():
        h.update(line.encode())
    c.close()
    return ok, h.hexdigest()


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tsunagi")
    ap.add_argument("sample")
    ap.add_argument("--points", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="tsunagi-crash-")
    try:
        big = os.path.join(work, "big")
        r = subprocess.run([sys.executable, GEN, a.tsunagi, a.sample, os.path.join(work, "gen.db"), "4",
                            "--keep", big], capture_output=True, text=True)
        if r.returncode != 0:
            fail("gen.py: " + r.stderr)
        base = os.path.join(work, "base.db")
        subprocess.run([a.tsunagi, "import", a.sample, base], check=True, capture_output=True)
        _, old = digest(base)
        done = os.path.join(work, "done.db")
        times = []
        for _ in range(3):
            shutil.copy(base, done)
            t0 = time.monotonic()
            subprocess.run([a.tsunagi, "import", big, done], check=True, capture_output=True)
            times.append(time.monotonic() - t0)
        _, new = digest(done)
        took = sorted(times)[1]
        print(f"import of {big}: {took * 1e3:.0f} ms (median of 3)")

        outcomes = {"old": 0, "new": 0}
        t = os.path.join(work, "t.db")
        for i in range(a.points):
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(t + suffix):
                    os.remove(t + suffix)
            shutil.copy(base, t)
            at = rng.uniform(0, took * 1.1)
            p = subprocess.Popen([a.tsunagi, "import", big, t], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(at)
            p.send_signal(signal.SIGKILL)
            p.wait()
            ok, d = digest(t)
            if ok != "ok":
                fail(f"kill {i} at {at * 1e3:.0f} ms: integrity_check says {ok}")
            if d not in (old, new):
                fail(f"kill {i} at {at * 1e3:.0f} ms: the database is neither the old network nor the new one")
            outcomes["old" if d == old else "new"] += 1
            r = subprocess.run([a.tsunagi, t, "-c", "COUNT organisations BY sector;"], capture_output=True, text=True)
            if r.returncode != 0:
                fail(f"kill {i}: tsunagi cannot read the database afterwards: {r.stderr}")
        print(f"kill -9 at {a.points} points: {a.points} survived (integrity ok; {outcomes['old']} held the old "
              f"network whole, {outcomes['new']} the new one whole)")

        # A writer and a reader on one database.
        shared = os.path.join(work, "shared.db")
        shutil.copy(base, shared)
        totals = set()
        for folder in (a.sample, big):
            c = sqlite3.connect(base if folder == a.sample else done)
            totals.add(c.execute("SELECT count(*) FROM organisation").fetchone()[0])
            c.close()
        # The writer replaces the network in a loop, in a thread of its own;
        # reading sessions (500 statements each) run until they have seen
        # both networks, at least three sessions, or a minute.
        stop, wrote, werr = threading.Event(), [0], []

        def writer():
            while not stop.is_set():
                folder = big if wrote[0] % 2 == 0 else a.sample
                w = subprocess.run([a.tsunagi, "import", folder, shared], capture_output=True, text=True)
                if w.returncode != 0:
                    werr.append(w.stderr)
                    return
                wrote[0] += 1

        script = os.path.join(work, "read.tsq")
        with open(script, "w") as f:
            f.write("COUNT organisations BY sector;\n" * 500)
        th = threading.Thread(target=writer)
        th.start()
        seen, sessions, until = [], 0, time.monotonic() + 60
        try:
            while sessions < 3 or (len(set(seen)) < 2 and time.monotonic() < until):
                # Into a file, not a pipe: a full pipe would stop the reader.
                with open(os.path.join(work, "read.out"), "w+") as rout:
                    r = subprocess.run([a.tsunagi, shared, "-f", script, "--format", "csv"], stdout=rout,
                                       stderr=subprocess.PIPE, text=True)
                    rout.seek(0)
                    out = rout.read()
                if r.returncode != 0:
                    fail(f"reader: exit {r.returncode}: {r.stderr}")
                got, count = [], None
                for line in out.splitlines():
                    if line.startswith("sector,"):
                        if count is not None:
                            got.append(count)
                        count = 0
                    elif line.strip():
                        count += int(line.rsplit(",", 1)[1])
                if count is not None:
                    got.append(count)
                if len(got) != 500:
                    fail(f"reader: {len(got)} results for 500 statements")
                seen += got
                sessions += 1
        finally:
            stop.set()
            th.join()
        if werr:
            fail(f"writer: {werr[0]}")
        writes, reads = wrote[0], len(seen)
        bad = [s for s in seen if s not in totals]
        if bad:
            fail(f"reader saw totals {sorted(set(bad))}, not one of {sorted(totals)}")
        if len(set(seen)) < 2:
            fail("the reader never saw the writer's work: the test did not overlap them")
        ok, _ = digest(shared)
        if ok != "ok":
            fail(f"after the writer and reader: integrity_check says {ok}")
        print(f"writer and reader: {writes} imports while {reads} statements read; every count was "
              f"{' or '.join(map(str, sorted(totals)))} ({len(set(seen))} distinct seen), integrity ok")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
