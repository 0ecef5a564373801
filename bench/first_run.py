#!/usr/bin/env python3
"""first_run — the run that builds the cache against the day issue 23 was filed.

Issue 23 asks that the first run on a database, the one that builds the
cache file beside it (DB.tsn), be no slower than a whole one-statement
process was on the day the issue was filed (10.6–11.4 s then, on that
day's host). Hosts here differ by up to 2× from one hour to the next, so
the figure of that day is not comparable with a run of today: this script
measures both binaries side by side, in turn, on the same data.

"Then" is tsunagi as it was when the issue was filed (THEN_COMMIT: the
parent of ff3f167, the issue's first commit), built from `git archive` in
the work folder. It knows the schema up to version 3; version 4 only added
an index (tie_src, store/store.c's schema_v4), so its copy of the database
is the same rows with that index dropped and user_version set back to 3.

For a GAPS and a REACH from the queries file (bench/scale.py's), in turn,
`runs` times: then's whole process; now's with no cache file (the run that
builds it); now's with the cache present; now's with TSUNAGI_CACHE=off.
Every process's answer (LANGUAGE=en) must be byte-identical to then's: the
old binary is the oracle for the new one's answers, and an empty answer
from then is refused (two empty outputs would agree on nothing). The run
meant to build the cache must leave one, and the run meant to read it must
leave it as it found it (a cache refused is removed or written anew: that
run would have timed a load). Copies and then's build kept in --work are
reused only when made from the same database file and commit. Warm by default (one
untimed pass first); with --cold the page cache is dropped before every
run (root), which disturbs anything else timing on the machine.

usage: first_run.py BUILD DB QUERIES [--work DIR] [--runs N] [--cold] [--then-commit C]
"""
import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
THEN_COMMIT = "ff3f167^"


def build_then(repo, commit, work):
    """tsunagi as of commit, built once in work/then (reused if there)."""
    src = os.path.join(work, "then")
    binary = os.path.join(src, "build", "tsunagi")
    # Reused only when built from the same commit: a work folder kept from
    # a run with another --then-commit would otherwise time that one.
    sha = subprocess.run(["git", "-C", repo, "rev-parse", commit], capture_output=True, check=True,
                         text=True).stdout.strip()
    stamp = os.path.join(work, "then.commit")
    if os.path.exists(binary) and os.path.exists(stamp) and open(stamp).read().strip() == sha:
        return binary
    if os.path.exists(src):
        subprocess.run(["rm", "-rf", src], check=True)
    os.makedirs(src, exist_ok=True)
    archive = subprocess.run(["git", "-C", repo, "archive", commit], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", src], input=archive.stdout, check=True)
    subprocess.run(["cmake", "-S", src, "-B", os.path.join(src, "build"), "-DBUILD_TESTING=OFF",
                    "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", os.path.join(src, "build"), "-j2", "--target", "tsunagi-cli"], check=True,
                   stdout=subprocess.DEVNULL)
    with open(stamp, "w") as f:
        f.write(sha + "\n")
    return binary


def copies(db, work):
    """now.db, a copy of db (the cache is written beside it), and then.db,
    the same rows at schema 3 for the old binary."""
    now, then = os.path.join(work, "now.db"), os.path.join(work, "then.db")
    # Reused only when copied from this very file as it is: copies kept
    # from another database would agree with each other and time it.
    st = os.stat(db)
    source = f"{os.path.realpath(db)} {st.st_size} {st.st_mtime_ns}\n"
    stamp = os.path.join(work, "copies.source")
    if not (os.path.exists(stamp) and open(stamp).read() == source):
        for path in (now, then, now + ".tsn"):
            if os.path.exists(path):
                os.remove(path)
    for path in (now, then):
        if not os.path.exists(path):
            subprocess.run(["cp", db, path], check=True)
    with open(stamp, "w") as f:
        f.write(source)
    c = sqlite3.connect(then)
    version = c.execute("PRAGMA user_version").fetchone()[0]
    if version == 4:
        c.execute("DROP INDEX tie_src")
        c.execute("PRAGMA user_version = 3")
        c.commit()
    elif version > 4:
        sys.exit(f"{db}: schema {version}; this script knows how to take 4 back to 3 only")
    c.close()
    return now, then


def statements(queries):
    lines = open(queries, encoding="utf-8").read().splitlines()
    g = next(l for l in lines if l.startswith("gaps")).split(" ", 3)
    r = next(l for l in lines if l.startswith("reach")).split(" ")
    return [("GAPS", f"GAPS FOR {g[2]} AGED 18..39 IN '{g[3]}';"),
            ("REACH", f"REACH FROM '{r[2]}' WITHIN 3 HOPS VIA any;")]


def file_id(path):
    """(device, inode, size, mtime) of path, None when there is none."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def drop_caches():
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("1\n")


def child(cmd, env):
    """One whole process: (wall s, CPU s, peak RSS MB, stdout bytes). The
    peak is /usr/bin/time's (os.wait4's ru_maxrss would count the Python
    parent's pages the child had before exec); its start-up, a few ms, is
    in every row alike."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".time") as rep:
        t0 = time.monotonic()
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rep.name] + cmd, stdout=out, stderr=err,
                             stdin=subprocess.DEVNULL, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            sys.exit(f"{' '.join(cmd)}: exit {os.waitstatus_to_exitcode(status)}\n{err.read().decode(errors='replace')}")
        out.seek(0)
        return wall, ru.ru_utime + ru.ru_stime, int(rep.read().split()[-1]) / 1024, out.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("db")
    ap.add_argument("queries")
    ap.add_argument("--work", default=None, help="folder for the copies and then's build (default: a temporary one)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cold", action="store_true", help="drop the page cache before every run (root)")
    ap.add_argument("--then-commit", default=THEN_COMMIT)
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="first_run.")
    os.makedirs(work, exist_ok=True)
    now_bin = os.path.abspath(os.path.join(a.build, "tsunagi"))
    then_bin = build_then(os.path.dirname(HERE), a.then_commit, work)
    now_db, then_db = copies(a.db, work)
    tsn = os.path.realpath(now_db) + ".tsn"
    env = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8")
    env.pop("TSUNAGI_CACHE", None)
    off = dict(env, TSUNAGI_CACHE="off")
    print(f"# first_run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, {'cold' if a.cold else 'warm'}, then = {a.then_commit}")
    print("| statement | process | wall s (median, min–max) | CPU s | peak RSS MB | wall / then's |")
    print("|---|---|---:|---:|---:|---:|")
    for name, stmt in statements(a.queries):
        kinds = [("then", [then_bin, then_db, "-c", stmt], env),
                 ("now, builds the cache", [now_bin, now_db, "-c", stmt], env),
                 ("now, cache present", [now_bin, now_db, "-c", stmt], env),
                 ("now, TSUNAGI_CACHE=off", [now_bin, now_db, "-c", stmt], off)]
        got = {k: [] for k, _, _ in kinds}
        answer = None
        for r in range(a.runs + (0 if a.cold else 1)):
            for kind, cmd, e in kinds:
                if kind == "now, builds the cache" and os.path.exists(tsn):
                    os.remove(tsn)
                if a.cold:
                    drop_caches()
                before = file_id(tsn)
                m = child(cmd, e)
                if kind == "now, builds the cache" and not os.path.exists(tsn):
                    sys.exit(f"{name}: the run meant to build the cache left no {tsn}")
                # A cache refused is removed or written anew (a new file):
                # that run would have timed a load, not the cache.
                if kind == "now, cache present" and file_id(tsn) != before:
                    sys.exit(f"{name}: the run meant to read the cache did not keep {tsn} as it found it")
                if kind == "then" and not m[3].strip():
                    sys.exit(f"{name}: then's answer is empty: nothing to compare the others with")
                if kind != "then" and m[3] != answer:
                    sys.exit(f"{name}: {kind}'s answer differs from then's")
                if kind == "then":
                    answer = m[3]
                if a.cold or r > 0:  # the warm pass's first round only warms
                    got[kind].append(m)
        then_wall = sorted(m[0] for m in got["then"])[len(got["then"]) // 2]
        for kind, _, _ in kinds:
            walls = sorted(m[0] for m in got[kind])
            mid = len(walls) // 2
            cpu = sorted(m[1] for m in got[kind])[mid]
            rss = max(m[2] for m in got[kind])
            print(f"| {name} | {kind} | {walls[mid]:.2f} ({walls[0]:.2f}–{walls[-1]:.2f}) | {cpu:.2f} | {rss:.0f} "
                  f"| {walls[mid] / then_wall:.2f} |")
    if os.path.exists(tsn):
        os.remove(tsn)


if __name__ == "__main__":
    main()
