#!/usr/bin/env python3
"""Input and messages (issue 17, items 17-20), through the program itself.

17. A NUL byte in a script (-f), on standard input or in .read is an error
    at its line and column; the statements before it ran, the run fails.
19. A LET set made before another process re-imports the database is
    refused as stale instead of silently meaning other nodes.
20. A read on a database in a read-only folder or a read-only file works;
    a write there says the database is read-only. A full disk (RLIMIT_FSIZE)
    during import is reported as the database file being too large, naming
    it, not as a fault of a CSV file; SIGXFSZ does not kill the program.

Each check says why its expectation is right.

usage: input_check.py TSUNAGI SAMPLE_DIR
"""
import os
import resource
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile

TSUNAGI, SAMPLE = sys.argv[1:3]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(args, stdin=b"", env=None, preexec_fn=None):
    p = subprocess.run([TSUNAGI] + args, input=stdin, capture_output=True, timeout=120,
                       env=env, preexec_fn=preexec_fn)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


work = tempfile.mkdtemp(prefix="tsg-input-")
db = os.path.join(work, "city.db")
rc, out, err = run(["import", SAMPLE, db])
assert rc == 0, err

# ---- 17. NUL bytes ----------------------------------------------------------------
# The rule: text is read with its length; a NUL is a byte of the script (a
# binary or damaged file), so the run fails at its place. Before, the run
# stopped at the NUL with rc 0 and the statements after it never ran.
script = b"FIND forums;\nFIND forums WHERE id = 'f-suicide';\x00 FIND programs;\n"
path = os.path.join(work, "nul.tsq")
with open(path, "wb") as f:
    f.write(script)
rc, out, err = run([db, "-f", path])
check(rc == 1, "-f with a NUL: exit 1, got %d" % rc)
# line 2, column 36: the NUL follows the 35 characters of "FIND forums WHERE id = 'f-suicide';"
check("nul.tsq, line 2, column 36: NUL byte" in err, "-f: the NUL located at line 2, column 36: %r" % err)
check("(19 rows)" in out, "-f: the statement before the NUL ran: %r" % out[-200:])

rc, out, err = run([db], stdin=script)
check(rc == 1 and "line 2, column 36: NUL byte" in err, "stdin with a NUL: rc %d, %r" % (rc, err))

# The statements after the NUL were not silently dropped: with --keep-going
# the run goes on after the failed statement (which ends at its ';').
rc, out, err = run([db, "--keep-going"], stdin=b"FIND forums;\x00;\nFIND forums WHERE id = 'f-suicide';\n")
check(rc == 1 and "(1 row)" in out, "keep-going runs past the NUL: %r" % out[-200:])

# A NUL inside a comment is refused as well: a comment is still text.
rc, out, err = run([db], stdin=b"-- note\x00\nFIND forums;\n")
check(rc == 1 and "line 1, column 8: NUL byte" in err, "a NUL in a comment: rc %d, %r" % (rc, err))

# Inside a quoted name it is a control character like any other.
rc, out, err = run([db], stdin=b"FIND programs WHERE name = 'a\x00b';\n")
check(rc == 1 and "line 1, column 30: control character U+0000" in err, "a NUL in a name: %r" % err)

# A folder given to -f was read as an empty script (rc 0); it is an error.
rc, out, err = run([db, "-f", work])
check(rc == 1 and "cannot read" in err and work in err, "-f FOLDER: rc %d, %r" % (rc, err))

# ---- 18. numbers from the command line ----------------------------------------------
# strtol saturated 10^20 to LONG_MAX and the option was taken; a count of
# people has the limit TSG_MAX_COUNT (10^8), the same as a tie's COUNT.
rc, out, err = run([db, "--suppress-below", "99999999999999999999", "-c", "FIND forums;"])
check(rc == 2 and "--suppress-below takes a whole number" in err, "--suppress-below 10^20: rc %d, %r" % (rc, err))
rc, out, err = run([db, "--suppress-below", "100000001", "-c", "FIND forums;"])
check(rc == 2, "--suppress-below above the count limit: rc %d" % rc)
rc, out, err = run([db, "--suppress-below", "5", "-c", "FIND forums;"])
check(rc == 0, "--suppress-below 5 still works: rc %d, %r" % (rc, err))
# --timeout takes seconds written as --help says (digits, one point): C's
# strtod alone also read hex, exponents, "inf" and leading blanks.
for bad in ["0x10", "1e3", "inf", " 5", "+5", "1.2.3", ""]:
    rc, out, err = run([db, "--timeout", bad, "-c", "FIND forums;"])
    check(rc == 2 and "--timeout takes seconds" in err, "--timeout %r: rc %d, %r" % (bad, rc, err))
for good in ["30", "0.5", "0", "off"]:
    rc, out, err = run([db, "--timeout", good, "-c", "FIND forums;"])
    check(rc == 0, "--timeout %r still works: rc %d, %r" % (good, rc, err))
# A parameter from -p reaches the same checks as a written number: 2^32 hops
# wrapped to 0 through an int before.
rc, out, err = run([db, "-p", "k=4294967296", "-c", "GAPS FOR hikikomori AGED 18..39 IN '西区' WITHIN $k HOPS;"])
check(rc == 1 and "$k is '4294967296', a number above 1000000000" in err, "-p k=2^32: rc %d, %r" % (rc, err))

# ---- 20. IN with a thousand names ---------------------------------------------------
# SQLite refuses an expression deeper than 1000; the IN list was a flat OR
# chain, so a thousand names failed with "Expression tree is too large" at
# column 1. The oracle: every organisation id from organisations.csv plus
# 1000 ids that exist nowhere must list exactly the organisations.
with open(os.path.join(SAMPLE, "organisations.csv"), encoding="utf-8-sig") as f:
    ids = [line.split(",")[0] for line in f.read().splitlines()[1:] if line]
names = ids + ["no-such-%d" % i for i in range(1000)]
stmt = "FIND organisations WHERE id IN (%s);" % ", ".join("'%s'" % n for n in names)
rc, out, err = run([db, "--format", "csv", "-c", stmt])
listed = sorted(line.split(",")[0] for line in out.splitlines()[1:])
check(rc == 0 and listed == sorted(ids), "IN with %d names: rc %d, %d listed of %d, %r" % (len(names), rc, len(listed), len(ids), err[:300]))
# Past the limit (util/bounds.h: 10000), a clear error at the value past it.
stmt = "FIND organisations WHERE id IN (%s);" % ", ".join("'x%d'" % i for i in range(10001))
rc, out, err = run([db, "-c", stmt])
check(rc == 1 and "IN takes at most 10000 values" in err and "column 1:" not in err, "IN with 10001 names: %r" % err[:300])

# ---- 20. read-only databases -------------------------------------------------------
# A read needs no write: COUNT on a database in a read-only folder said
# "attempt to write a readonly database" (WAL needs -shm beside the file).
# Root ignores permissions, so as root the program runs as nobody.
def as_reader():
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setgroups([])
        os.setuid(65534)


def digest(path):
    with open(path, "rb") as f:
        return f.read()


os.chmod(work, 0o755)
rodir = os.path.join(work, "rodir")
os.mkdir(rodir)
rodb = os.path.join(rodir, "city.db")
shutil.copyfile(db, rodb)
os.chmod(rodb, 0o444)
os.chmod(rodir, 0o555)
before = digest(rodb)
# LET and COUNT: a set lives in temporary tables, which a read-only database allows.
count = ["-c", "LET s = FIND organisations WHERE sector = npo; COUNT s BY sector;"]
rc, out, err = run([rodb] + count, preexec_fn=as_reader)
check(rc == 0 and "(12 rows)" in out, "COUNT in a read-only folder: rc %d, %r" % (rc, err))
# A write says what is wrong, names the file, and changes nothing.
rc, out, err = run([rodb, "-c", "ADD organisation 'ro-test' SECTOR npo;"], preexec_fn=as_reader)
check(rc == 1 and rodb + " is read-only: changes are refused" in err, "ADD in a read-only folder: %r" % err)
rc, out, err = run(["import", SAMPLE, rodb], preexec_fn=as_reader)
check(rc == 1 and "is read-only: changes are refused" in err and "unchanged" in err, "import into it: %r" % err)
check(digest(rodb) == before and os.listdir(rodir) == ["city.db"], "the read-only database is unchanged")
os.chmod(rodir, 0o755)

# A read-only file in a folder we may write: reads work, writes are refused.
rofile = os.path.join(work, "ro.db")
shutil.copyfile(db, rofile)
os.chmod(rofile, 0o444)
before = digest(rofile)
rc, out, err = run([rofile] + count, preexec_fn=as_reader)
check(rc == 0 and "(12 rows)" in out, "COUNT on a read-only file: rc %d, %r" % (rc, err))
rc, out, err = run([rofile, "-c", "ADD organisation 'ro-test' SECTOR npo;"], preexec_fn=as_reader)
check(rc == 1 and "is read-only: changes are refused" in err, "ADD on a read-only file: %r" % err)
check(digest(rofile) == before, "the read-only file is unchanged")

# ---- 20. a full disk and the file size limit ---------------------------------------
# RLIMIT_FSIZE stands for a full disk the test cannot make: a write past it
# fails. Before, SIGXFSZ killed the program with no message (exit -25); the
# import's failure was blamed on the CSV row being written. Now the message
# names the database file and the cause, and nothing is changed or left.
def small_files(kib):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (kib * 1024, kib * 1024))
    return limit


fresh = os.path.join(work, "fresh.db")
rc, out, err = run(["import", SAMPLE, fresh], preexec_fn=small_files(100))
check(rc == 1 and fresh + ": file too large" in err and ".csv" not in err,
      "import of a new database past the size limit: rc %d, %r" % (rc, err))
check(not [n for n in os.listdir(work) if n.startswith("fresh.db")], "no half-made database is left")

full = os.path.join(work, "full.db")
shutil.copyfile(db, full)
before = digest(full)
rc, out, err = run(["import", SAMPLE, full], preexec_fn=small_files(200))
check(rc == 1 and full + ": file too large" in err and "unchanged" in err and ".csv" not in err,
      "import into a database past the size limit: rc %d, %r" % (rc, err))
check(digest(full) == before, "the database is unchanged after the failed import")

# SIGXFSZ: a result file past the limit is an error naming the file.
big = os.path.join(work, "big.json")
rc, out, err = run([db, "-c", "EXPORT JSON TO '%s';" % big], preexec_fn=small_files(64))
check(rc == 1 and big in err and "File too large" in err, "EXPORT past the size limit: rc %d, %r" % (rc, err))
check(not os.path.exists(big), "no partial export is left")

# A network larger than SQLite's page cache spills to the file while rows
# are inserted, so the write fails inside a CSV file's rows: that message
# blamed the row ("programs.csv:NNN: disk I/O error"). It is the database's.
GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "gen.py")
bigcsv = os.path.join(work, "bigcsv")
p = subprocess.run([sys.executable, GEN, TSUNAGI, SAMPLE, os.path.join(work, "gen.db"), "6", "--keep", bigcsv],
                   capture_output=True, timeout=300)
check(p.returncode == 0, "gen.py: %r" % p.stderr[-300:])
spill = os.path.join(work, "spill.db")
rc, out, err = run(["import", bigcsv, spill], preexec_fn=small_files(1200))
check(rc == 1 and "import: cannot write " + spill + ": file too large" in err and ".csv" not in err
      and "was not created" in err,
      "import of a network past the size limit, mid-file: rc %d, %r" % (rc, err))
check(not [n for n in os.listdir(work) if n.startswith("spill.db")], "no half-made database is left")

# A package whose datapackage.json is there but is not JSON is refused at
# its line and column (second attack): it was read as a package without
# one ("HSDS 1.x … (no datapackage.json)"), its version guessed.
city = os.path.join(work, "hsds-city.db")
rc, out, err = run(["import", SAMPLE, city])
check(rc == 0, "import of the sample for HSDS: %r" % err)
pkg = os.path.join(work, "pkg")
rc, out, err = run(["export-hsds", pkg, city])
check(rc == 0, "export-hsds: %r" % err)
with open(os.path.join(pkg, "datapackage.json"), "w") as f:
    f.write('{"version": "3.0.0", broken')
pdb = os.path.join(work, "pkg.db")
rc, out, err = run(["import-hsds", pkg, pdb])
check(rc == 1 and "datapackage.json:1:27: not valid JSON" in err and not os.path.exists(pdb),
      "import-hsds of a broken datapackage.json: rc %d, %r" % (rc, err))

#@MORE@

shutil.rmtree(work, ignore_errors=True)
if failures:
    print("%d failures" % len(failures), file=sys.stderr)
    sys.exit(1)
print("input and messages: all checks passed")
