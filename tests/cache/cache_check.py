#!/usr/bin/env python3
"""The cache file beside the database (DB.tsn, issue 23): answers with it are
the answers without it, and it is never trusted when it does not describe
the database.

The oracle throughout is the same statements run with TSUNAGI_CACHE=off,
which loads from the database as tsunagi did before the cache existed. Each
check that a stale or damaged cache is refused also checks that the change
is visible in the answers (so a cache wrongly kept would fail it), and that
the cache was written anew (a new file: renamed into place, new inode).

- the sample city and a generated network (bench/gen.py, 2 municipalities):
  the first run writes the cache, the second maps it; both answer as the
  run without it;
- the cache is read: a name changed inside it *with its checksums fixed*
  shows up in the answer (so the checks below are what refuses a changed
  cache, not a cache that is never read);
- it is rebuilt after a statement through tsunagi (SET), an import, an edit
  by another program through the sqlite3 CLI (right after the cache was
  written: file times have a coarse grain), and a change of day
  (TSUNAGI_TODAY) that ends a program;
- a truncated cache and one with a flipped byte are refused;
- copies: a cache copied along with its database (cp city.db other.db,
  cp city.db.tsn other.db.tsn) is refused for the copy (another file), and
  so is a cache copied beside another database;
- TSUNAGI_CACHE=off writes no cache;
- two caches written of the same unchanged database are the same bytes.

usage: cache_check.py TSUNAGI SAMPLE_DIR GEN_PY      prints "N passed, N failed"
"""
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile

TSUNAGI, SAMPLE, GEN = sys.argv[1], sys.argv[2], sys.argv[3]

CITY = ("GAPS FOR hikikomori AGED 18..39 IN '北区';"
        " REACH FROM '北区社会福祉協議会' WITHIN 2 HOPS;"
        " CENTRALITY degree IN '北区' TOP 5;"
        " SHOW 'o-kita-komorebi';"
        " PATH FROM 'o-kita-komorebi' TO '北区社会福祉協議会';")

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run(db, stmts, cache=True, day=None):
    env = dict(os.environ)
    env["TSUNAGI_CACHE"] = "on" if cache else "off"
    if day:
        env["TSUNAGI_TODAY"] = day
    r = subprocess.run([TSUNAGI, db, "-c", stmts], capture_output=True, text=True, env=env)
    if r.returncode:
        raise SystemExit(f"tsunagi {db} -c {stmts!r}: exit {r.returncode}\n{r.stderr}")
    return r.stdout


def inode(path):
    return os.stat(path).st_ino if os.path.exists(path) else None


# The file's layout (engine/netcache.c): a header page, then the regions.
HEADER_SUM_AT = 1032
REGIONS_AT = 776
MASK = (1 << 64) - 1
K1 = 0xff51afd7ed558ccd


def cache_sum(b):
    """engine/netcache.c's eng_cache_sum, written again from its comment."""
    a, c = [0] * 8, [0] * 8
    n = len(b)
    whole = n // 64 * 64
    words = struct.unpack_from("<%dQ" % (whole // 8), b, 0)
    for i in range(0, len(words), 8):
        for lane in range(8):
            a[lane] = (a[lane] + words[i + lane]) & MASK
            c[lane] = (c[lane] + a[lane]) & MASK
    for i in range(whole, n):
        a[0] = ((a[0] ^ b[i]) * K1) & MASK
    r = n
    for lane in range(8):
        r = mix(mix(r ^ a[lane]) ^ c[lane])
    return r


def mix(x):
    """MurmurHash3's finaliser (netcache.c's mix)."""
    x ^= x >> 33
    x = (x * K1) & MASK
    x ^= x >> 33
    x = (x * 0xc4ceb9fe1a85ec53) & MASK
    return x ^ (x >> 33)


def regions(data):
    out = []
    for i in range(struct.unpack_from("<I", data, 12)[0]):
        addr, length, offset, total = struct.unpack_from("<4Q", data, REGIONS_AT + 32 * i)
        out.append((length, offset, total))
    return out


# The regions, in order (query/diskcache.c): the names' arrays, their
# strings, the network's arrays, its strings.
NAMES, NAME_STRINGS, NET, NET_STRINGS = range(4)


def replace_in_cache(path, region, old, new, fix_sums, at=None):
    """Replaces old by new (the same length) in a region, at its first
    occurrence or at offset `at` into it, fixing its checksum and the
    header's when asked."""
    data = bytearray(open(path, "rb").read())
    length, offset, _ = regions(data)[region]
    at = data.find(old, offset, offset + length) if at is None else offset + at
    assert at >= 0 and len(old) == len(new), "the text is in the cache"
    data[at:at + len(new)] = new
    if fix_sums:
        struct.pack_into("<Q", data, REGIONS_AT + 32 * region + 24, cache_sum(bytes(data[offset:offset + length])))
        struct.pack_into("<Q", data, HEADER_SUM_AT, cache_sum(bytes(data[:HEADER_SUM_AT])))
    with open(path, "wb") as f:
        f.write(data)


def same_with_and_without(db, stmts, what, day=None):
    want = run(db, stmts, cache=False, day=day)
    first = run(db, stmts, day=day)
    check(os.path.exists(db + ".tsn"), f"{what}: the first run wrote the cache")
    written = inode(db + ".tsn")
    second = run(db, stmts, day=day)
    check(first == want, f"{what}: the run that wrote the cache answers as without it")
    check(second == want, f"{what}: the run from the cache answers as without it")
    check(inode(db + ".tsn") == written, f"{what}: the second run used the cache, not a new one")
    return want


def rebuilt(db, stmts, before, what, day=None):
    """After a change: the answers are the database's, they differ from
    before (the change is visible), and the cache was written anew."""
    old = inode(db + ".tsn")
    got = run(db, stmts, day=day)
    want = run(db, stmts, cache=False, day=day)
    check(got == want, f"{what}: answers as without the cache")
    check(got != before, f"{what}: the change shows in the answers (else this check could not fail)")
    check(inode(db + ".tsn") != old, f"{what}: the cache was written anew")
    check(run(db, stmts, day=day) == want, f"{what}: the new cache answers as without it")
    return want


def sqlite_cli(db, sql):
    cli = shutil.which("sqlite3")
    if cli:
        subprocess.run([cli, db, sql], check=True, capture_output=True)
    else:  # another program all the same
        c = sqlite3.connect(db)
        c.executescript(sql)
        c.close()


def main():
    tmp = tempfile.mkdtemp(prefix="tsg-cache-")
    try:
        city = os.path.join(tmp, "city.db")
        subprocess.run([TSUNAGI, "import", SAMPLE, city], check=True, capture_output=True)
        base = same_with_and_without(city, CITY, "sample city")

        # The same database writes the same bytes: nothing in the file is
        # left as memory happened to hold it (a struct's padding from the
        # stack differed from run to run with the addresses there).
        first = open(city + ".tsn", "rb").read()
        os.remove(city + ".tsn")
        run(city, CITY)
        check(open(city + ".tsn", "rb").read() == first, "two caches written of the same database are byte-identical")

        # TSUNAGI_CACHE=off neither reads nor writes one.
        off = os.path.join(tmp, "off.db")
        shutil.copy(city, off)
        run(off, CITY, cache=False)
        check(not os.path.exists(off + ".tsn"), "TSUNAGI_CACHE=off writes no cache")

        # The cache is read: a program's name changed in the network's
        # strings, checksums fixed, shows in GAPS.
        planted = os.path.join(tmp, "planted.db")
        shutil.copy(city, planted)
        run(planted, CITY)
        old, new = "こもれび」".encode(), "こもれぶ」".encode()
        replace_in_cache(planted + ".tsn", NET_STRINGS, old, new, fix_sums=True)
        got = run(planted, CITY)
        check("こもれぶ」" in got and got != base, "a cache with valid checksums is what answers")

        # Changed bytes, checksums left as they were: the same name, and a
        # pointer in the names' array (trusted, it would crash or lie).
        run(city, CITY)
        for region, old, new, at in ((NET_STRINGS, old, new, None), (NAMES, b"\0", b"\x40", 100)):
            data = open(city + ".tsn", "rb").read()
            if at is not None:
                old = data[regions(data)[region][1] + at:][:1]
                new = bytes([old[0] ^ 0x40])
            replace_in_cache(city + ".tsn", region, old, new, fix_sums=False, at=at)
            written = inode(city + ".tsn")
            check(run(city, CITY) == base, f"a cache with a changed byte in region {region} is refused")
            check(inode(city + ".tsn") != written, f"a cache with a changed byte in region {region} is written anew")

        # The network's regions are read when a statement first needs them
        # (issue 23, lazy cache): a process whose first statement needs only
        # names (SHOW) takes the names from the cache, and a changed byte in
        # the network, met by its second statement (GAPS), is still refused
        # before it is used: the answers are the ones without a cache.
        names_first = "SHOW 'o-kita-komorebi'; " + CITY
        plain = run(city, names_first, cache=False)
        run(city, CITY)
        data = open(city + ".tsn", "rb").read()
        byte = data[regions(data)[NET][1] + 64:][:1]
        replace_in_cache(city + ".tsn", NET, byte, bytes([byte[0] ^ 0x40]), fix_sums=False, at=64)
        written = inode(city + ".tsn")
        check(run(city, names_first) == plain, "a changed byte in the network met after the names is refused")
        check(inode(city + ".tsn") != written, "a cache refused at its network is written anew")

        # A cache of an earlier format (engine/netcache.c's FORMAT_VERSION,
        # 2 since h-lean narrowed the network's structs): its version one
        # less, the header's checksum fixed, so that only the version can
        # refuse it.
        run(city, CITY)
        data = bytearray(open(city + ".tsn", "rb").read())
        version = struct.unpack_from("<I", data, 8)[0]
        struct.pack_into("<I", data, 8, version - 1)
        struct.pack_into("<Q", data, HEADER_SUM_AT, cache_sum(bytes(data[:HEADER_SUM_AT])))
        with open(city + ".tsn", "wb") as f:
            f.write(data)
        written = inode(city + ".tsn")
        check(version >= 2 and run(city, CITY) == base, "a cache of the earlier format is refused")
        check(inode(city + ".tsn") != written, "a cache of the earlier format is written anew")

        # A truncated cache.
        with open(city + ".tsn", "r+b") as f:
            f.truncate(os.path.getsize(city + ".tsn") // 2)
        check(run(city, CITY) == base, "a truncated cache is refused")
        check(os.path.getsize(city + ".tsn") % 4096 == 0 and run(city, CITY) == base, "the cache is whole again")

        # Copies: the cache travels with its database, yet describes only
        # the file it was written from.
        other = os.path.join(tmp, "other.db")
        shutil.copy(city, other)
        shutil.copy(city + ".tsn", other + ".tsn")
        written = inode(other + ".tsn")
        check(run(other, CITY) == base and inode(other + ".tsn") != written,
              "a cache copied with its database is refused for the copy, and written anew")
        renamed = os.path.join(tmp, "renamed.db")
        shutil.copy(city, renamed)
        sqlite_cli(renamed, "UPDATE program SET name = '居場所「こもれび２」' WHERE nid ="
                            " (SELECT nid FROM node WHERE id = 'p-kita-futoko');")
        shutil.copy(city + ".tsn", renamed + ".tsn")
        got = run(renamed, CITY)
        check(got == run(renamed, CITY, cache=False) and "こもれび２" in got,
              "a cache copied beside another database is refused")

        # A statement through tsunagi, in a process that used the cache.
        run(city, "SHOW 'p-kita-futoko';")
        run(city, "SET 'p-kita-futoko' AGED 12..25;")
        base = rebuilt(city, CITY, base, "after SET")

        # An edit by another program, right after the cache was written.
        os.remove(city + ".tsn")
        run(city, CITY)
        sqlite_cli(city, "UPDATE organisation SET name = 'NPO法人こもれび（新）' WHERE nid ="
                         " (SELECT nid FROM node WHERE id = 'o-kita-komorebi');")
        base = rebuilt(city, CITY, base, "after the sqlite3 CLI")

        # An import: the sample city again, with one program renamed.
        folder = os.path.join(tmp, "sample")
        shutil.copytree(SAMPLE, folder)
        programs = os.path.join(folder, "programs.csv")
        with open(programs, encoding="utf-8") as f:
            text = f.read()
        with open(programs, "w", encoding="utf-8") as f:
            f.write(text.replace("こもれび」", "こもれびの家」"))
        subprocess.run([TSUNAGI, "import", folder, city], check=True, capture_output=True)
        base = rebuilt(city, CITY, base, "after an import")

        # The day: a program that ends between two days, each day's answers
        # its own (TSUNAGI_TODAY stands for the clock passing midnight).
        sqlite_cli(city, "UPDATE program SET until = '2027-01-01' WHERE nid ="
                         " (SELECT nid FROM node WHERE id = 'p-kita-futoko');")
        today = same_with_and_without(city, CITY, "before the day changes", day="2026-12-02")
        rebuilt(city, CITY, today, "after the day changed", day="2027-06-01")

        # A generated network: every kind of node and tie, many programs.
        gen = os.path.join(tmp, "g2.db")
        r = subprocess.run([sys.executable, GEN, TSUNAGI, SAMPLE, gen, "2"], capture_output=True, text=True)
        if r.returncode:
            raise SystemExit(r.stderr)
        c = sqlite3.connect(gen)
        ward = c.execute("SELECT name FROM district WHERE level = 'ward' ORDER BY nid LIMIT 1").fetchone()[0]
        org = c.execute("SELECT n.id FROM organisation o JOIN node n USING (nid) ORDER BY nid LIMIT 1").fetchone()[0]
        c.close()
        stmts = (f"GAPS FOR hikikomori AGED 18..39 IN '{ward}'; GAPS FOR children AGED 6..12 IN '{ward}';"
                 f" REACH FROM '{org}' WITHIN 3 HOPS; CENTRALITY degree IN '{ward}' TOP 20;")
        same_with_and_without(gen, stmts, "a generated network")
    finally:
        shutil.rmtree(tmp)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


sys.exit(main())
