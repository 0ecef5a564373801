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
- two caches written of the same unchanged database are the same bytes;
- the network's parts are read as statements ask (issue 23, h-cold): every
  lang test case that runs REACH, PATH or GAPS, run alone in a process that
  finds the cache (so its first statement reads only its parts, and any
  later one reads the rest), answers (output, errors, exit) as without the
  cache; so do scripts of those statements in orders that read the parts
  one after another; a changed byte in each region, met by a statement that
  reads it, is refused and the cache written anew, while a statement that
  does not read that part answers from the cache untouched.

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
# Every how many lang cases run alone from the cache (below): 1, all of
# them; the sanitized build takes every 4th, its short version
# (tests/CMakeLists.txt, TSG_CACHE_CASE_STRIDE).
STRIDE = int(sys.argv[4]) if len(sys.argv) > 4 else 1

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


def run_all(db, stmts, cache=True, day="2026-12-02"):
    """Output, errors and exit status, as the lang runner's day and language."""
    env = dict(os.environ, TSUNAGI_CACHE="on" if cache else "off", TSUNAGI_TODAY=day, LANGUAGE="en")
    r = subprocess.run([TSUNAGI, db, "-c", stmts], capture_output=True, text=True, env=env)
    return r.stdout, r.stderr, r.returncode


# Statements that change nothing: a lang case made only of these runs on the
# one database, with and without the cache, in either order.
READING = ("REACH", "PATH", "GAPS", "LET", "SHOW", "FIND", "COUNT", "CENTRALITY", "COVERAGE", "FORUMS")


def lang_cases():
    """The statements of every lang case that walks or looks for gaps and
    changes nothing (tests/lang/*.test: cases split by '====', statements
    before '----')."""
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lang")
    out = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".test"):
            continue
        for case in open(os.path.join(folder, name), encoding="utf-8").read().split("\n====\n"):
            text = case.split("\n----\n")[0]
            stmts = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#")).strip()
            words = [w.strip().split(None, 1)[0].upper() for w in stmts.split(";") if w.strip()]
            if stmts and any(w in ("REACH", "PATH", "GAPS") for w in words) and all(w in READING for w in words):
                out.append((name, stmts))
    return out


def damage(path, region, at=None):
    """Flips a bit of one byte in the middle of a region (at: offset into
    it), checksums left as they were."""
    data = open(path, "rb").read()
    length, offset, _ = regions(data)[region]
    at = length // 2 if at is None else at
    byte = data[offset + at:][:1]
    replace_in_cache(path, region, byte, bytes([byte[0] ^ 0x40]), fix_sums=False, at=at)


def refused_once(db, what, spoil, base):
    """spoil(cache file) changes a byte, checksums left as they were; CITY,
    which reads every region, answers base as without the cache, and the
    damaged file is never used again: written anew at once when the network
    is met damaged (it is loaded then), removed when the names are (the
    network may be in use by then), so the next run writes it. Two caches
    of one database are the same bytes, so "anew" is "as it was"."""
    run(db, CITY)
    good = open(db + ".tsn", "rb").read()
    spoil(db + ".tsn")
    check(run(db, CITY) == base, f"a cache with {what} is refused")
    check(not os.path.exists(db + ".tsn") or open(db + ".tsn", "rb").read() == good,
          f"a cache with {what} is not used again")
    run(db, CITY)
    check(open(db + ".tsn", "rb").read() == good, f"a cache with {what} is written anew")


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
# strings, the network's walk part, its strings, its other arrays, its ties.
NAMES, NAME_STRINGS, NET, NET_STRINGS, NET_REST, NET_TIES = range(6)


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
        refused_once(city, "a name changed in the network's strings",
                     lambda p: replace_in_cache(p, NET_STRINGS, old, new, fix_sums=False), base)
        refused_once(city, "a changed byte in the names' array", lambda p: damage(p, NAMES, at=100), base)

        # The network's regions are read when a statement first needs them
        # (issue 23, lazy cache): a process whose first statement needs only
        # names (SHOW) takes the names from the cache, and a changed byte in
        # the network, met by its second statement (GAPS), is still refused
        # before it is used: the answers are the ones without a cache.
        names_first = "SHOW 'o-kita-komorebi'; " + CITY
        plain = run(city, names_first, cache=False)
        run(city, CITY)
        damage(city + ".tsn", NET, at=64)
        written = inode(city + ".tsn")
        check(run(city, names_first) == plain, "a changed byte in the network met after the names is refused")
        check(inode(city + ".tsn") != written, "a cache refused at its network is written anew")

        # The network's parts, read as statements ask. The oracle: the same
        # statements without the cache. Each lang case alone in a process
        # that finds the cache (written for the lang tests' day); the
        # database is unchanged throughout.
        run_all(city, CITY)
        written = inode(city + ".tsn")
        cases = lang_cases()
        check(len(cases) > 50, f"the lang cases that walk or look for gaps are found ({len(cases)})")
        for name, stmts in cases[::STRIDE]:
            want = run_all(city, stmts, cache=False)
            check(run_all(city, stmts) == want, f"{name}: {stmts[:60]!r} answers as without the cache")
        check(inode(city + ".tsn") == written, "the lang cases read the cache, never wrote it anew")
        # Orders that read the parts one after another in one process.
        orders = ("REACH FROM '北区社会福祉協議会' WITHIN 2 HOPS; GAPS FOR hikikomori AGED 18..39 IN '北区';"
                  " PATH FROM 'o-kita-komorebi' TO '北区社会福祉協議会'; CENTRALITY degree TOP 5;",
                  "REACH TO 'o-kita-komorebi' WITHIN 2 HOPS; REACH FROM 'o-kita-komorebi' WITHIN 3 HOPS;"
                  " GAPS FOR hikikomori AGED 18..39 IN '西区'; COVERAGE FOR hikikomori AGED 18..39 IN '北区';",
                  "PATH FROM 'o-kita-komorebi' TO '北区社会福祉協議会'; GAPS FOR hikikomori AGED 18..39 IN '東区';"
                  " SHOW 'o-kita-komorebi'; REACH FROM 'o-kita-komorebi' WITHIN 1 HOPS;",
                  "GAPS FOR hikikomori AGED 18..39 IN '北区'; REACH FROM 'p-kita-futoko' WITHIN 2 HOPS;"
                  " REACH TO 'p-kita-futoko' WITHIN 2 HOPS;")
        for stmts in orders:
            check(run_all(city, stmts) == run_all(city, stmts, cache=False), f"{stmts[:70]!r}: answers as without the cache")
        check(inode(city + ".tsn") == written, "the scripts read the cache, never wrote it anew")

        # A walk's ends looked up while the names' regions are unread (an id
        # through SQL, anything else through the index, which is then read),
        # against the index itself: the same statement after a SHOW that
        # read the index first, in the same cache state. Ids of every kind,
        # folded and unknown ones, names, a kind written first, a wrong kind,
        # a program that does not run that day, a parameter.
        show = "SHOW 'o-kita-komorebi';"
        shown = run_all(city, show)
        lookups = ["REACH FROM 'o-kita-komorebi' WITHIN 2 HOPS;", "REACH FROM 'p-kita-futoko' WITHIN 2 HOPS;",
                   "REACH FROM 'f-platform' WITHIN 1 HOPS;", "REACH FROM 'd-kita' WITHIN 1 HOPS;",
                   "REACH FROM 'O-KITA-KOMOREBI' WITHIN 1 HOPS;", "REACH FROM 'ｏ-kita-komorebi' WITHIN 1 HOPS;",
                   "REACH FROM 'o-kita-komorebiX' WITHIN 1 HOPS;", "REACH FROM '北区社会福祉協議会' WITHIN 1 HOPS;",
                   "REACH FROM organisation 'o-kita-komorebi' WITHIN 1 HOPS;",
                   "REACH FROM program 'o-kita-komorebi' WITHIN 1 HOPS;", "REACH FROM o WITHIN 1 HOPS;",
                   "REACH TO 'p-kita-futoko' WITHIN 2 HOPS;", "REACH FROM 'p-kita-sodan' AS OF '2025-06-30' LIMIT 1;",
                   "REACH FROM 'p-kita-sodan' AS OF '2025-07-01' LIMIT 1;",
                   "PATH FROM 'o-kita-komorebi' TO 'p-foodbank';", "PATH FROM 'p-kita-sodan' TO 'O-KITA-KOMOREBI';",
                   "PATH FROM 'o-kita-komorebi' TO 'nobody';",
                   "REACH FROM 'o-kita-komorebi' WITHIN 3 HOPS WHERE area = 'd-kita';",
                   "REACH FROM 'o-kita-komorebi' WITHIN 3 HOPS WHERE need = place;",
                   "REACH FROM 'p-kita-futoko' WITHIN 3 HOPS WHERE age = 18..39 AND area = *;"]
        for stmt in lookups:
            alone = run_all(city, stmt)
            after = run_all(city, show + "\n" + stmt)
            # On the script's second line, an error names line 2.
            # A script heads each statement after the first with its text.
            rest = after[0][len(shown[0]):] if after[0].startswith(shown[0]) else None
            if rest is not None and rest.startswith("\n-- "):
                rest = rest.split("\n", 2)[2]
            check(rest == alone[0] and after[1] == alone[1].replace("line 1, column", "line 2, column") and
                  after[2] == alone[2],
                  f"{stmt!r} finds what the index finds (alone: {alone[1].strip()[:60]!r})")
            check(alone == run_all(city, stmt, cache=False), f"{stmt!r} answers as without the cache")
        check(inode(city + ".tsn") == written, "the look-ups read the cache, never wrote it anew")

        # A changed byte in the middle of each region.
        for region in (NAMES, NAME_STRINGS, NET, NET_STRINGS, NET_REST, NET_TIES):
            refused_once(city, f"a changed byte in region {region}", lambda p: damage(p, region), base)
        # A part a statement does not read is not read: REACH FROM reads no
        # tie, GAPS neither; the damage is found by the first statement that
        # reads the ties (PATH), which answers from the database.
        walk = "REACH FROM '北区社会福祉協議会' WITHIN 2 HOPS; GAPS FOR hikikomori AGED 18..39 IN '北区';"
        path = "PATH FROM 'o-kita-komorebi' TO '北区社会福祉協議会';"
        want_walk, want_path = run(city, walk, cache=False), run(city, path, cache=False)
        run(city, CITY)
        damage(city + ".tsn", NET_TIES)
        written = inode(city + ".tsn")
        check(run(city, walk) == want_walk and inode(city + ".tsn") == written,
              "REACH FROM and GAPS answer from the cache without reading its ties")
        check(run(city, walk + " " + path) == want_walk + want_path and inode(city + ".tsn") != written,
              "a changed byte in the ties, met by PATH after a walk, is refused and the cache written anew")
        # A cache of an earlier format (engine/netcache.c's FORMAT_VERSION,
        # 4 since h-r2 narrowed prog_nid, which no layout shows): its version one
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

        # A network without ties: its ties' region is empty (no bytes, no
        # address), and the cache is still written and read.
        bare = os.path.join(tmp, "bare")
        shutil.copytree(SAMPLE, bare)
        with open(os.path.join(bare, "ties.csv"), encoding="utf-8") as f:
            header = f.readline()
        with open(os.path.join(bare, "ties.csv"), "w", encoding="utf-8") as f:
            f.write(header)
        nothing = os.path.join(tmp, "bare.db")
        subprocess.run([TSUNAGI, "import", bare, nothing], check=True, capture_output=True)
        same_with_and_without(nothing, CITY, "a network without ties")
        data = open(nothing + ".tsn", "rb").read()
        check(regions(data)[NET_TIES][0] == 0, "a network without ties: its ties' region is empty")
        for one in ("REACH FROM 'o-kita-komorebi' WITHIN 2 HOPS;", "PATH FROM 'o-kita-komorebi' TO '北区社会福祉協議会';"):
            check(run(nothing, one) == run(nothing, one, cache=False), f"a network without ties: {one!r} alone")

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
        # Each alone, in a process that reads only its statement's parts.
        written = inode(gen + ".tsn")
        for one in [t.strip() + ";" for t in stmts.split(";") if t.strip()] + [f"REACH TO '{org}' WITHIN 2 HOPS;"]:
            check(run(gen, one) == run(gen, one, cache=False), f"a generated network: {one!r} alone answers as without the cache")
        check(inode(gen + ".tsn") == written, "a generated network: the statements alone read the cache")
    finally:
        shutil.rmtree(tmp)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


sys.exit(main())
