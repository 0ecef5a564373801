#!/usr/bin/env python3
"""Files that must not be lost (issue 17, items 7-11), driving the built CLI.

7. No statement or command writes over the database it runs on, its -wal or
   -shm, or the workbook --xlsx collects, however the name is spelled (./,
   an absolute path, dir/.., a symbolic link, a hard link): each is refused,
   the database is byte-identical and still opens, and the session goes on.
   Oracle: the files' device+inode, compared by the test itself.
8. A full disk (RLIMIT_FSIZE, with SIGXFSZ ignored so the write just fails)
   during RENDER and REPORT leaves the old picture / report byte-identical
   and gives an error. Oracle: the old bytes, kept by the test.
9. Planted links at the old predictable temporary names (PATH.<pid>.tmp for
   the next few hundred pids, .partial-<pid>, DIR/.FILE.tmp) are left as they
   were and their targets unchanged; an overwritten file keeps its mode;
   a target that is a link (or a FIFO) is refused, as docs/language.md
   says, and the link is still a link; no scratch folder is left behind.
10. RENDER TO '-O.svg' writes the file -O.svg; dot gets no argument that a
    file name could turn into an option. Oracle: a stand-in `dot` on PATH
    that records its argv.
11. dot runs under RLIMIT_AS (2048 MiB by default, TSUNAGI_DOT_MEMORY) with
    no descriptor of tsunagi's but 0-2 (the stand-in records what it got,
    with an extra descriptor handed to tsunagi by this test); the real dot
    under a 24 MiB limit fails with "needed more memory than allowed".

usage: files_check.py TSUNAGI SAMPLE_DIR
"""
import glob
import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile

TSUNAGI, SAMPLE = os.path.abspath(sys.argv[1]), sys.argv[2]
failures = []


def check(ok, what, detail=""):
    if not ok:
        failures.append(what)
        print("FAIL:", what, detail[:600], file=sys.stderr)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


work = tempfile.mkdtemp(prefix="tsg-files-")
os.umask(0o022)
env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
env.pop("TSUNAGI_DOT_MEMORY", None)


def run(args, cwd=work, extra_env=None, **kw):
    e = dict(env, **(extra_env or {}))
    r = subprocess.run([TSUNAGI, *args], capture_output=True, text=True, cwd=cwd, env=e, check=False, **kw)
    if "Sanitizer" in r.stderr or "runtime error:" in r.stderr:
        # Shown, so ctest's FAIL_REGULAR_EXPRESSION sees it even where a failure was expected.
        print(r.stderr)
        failures.append("sanitizer: " + " ".join(args))
    return r


def db_ok(path, digest, what):
    check(sha(path) == digest, f"{what}: the database is byte-identical")
    con = sqlite3.connect(path)
    try:
        n = con.execute("SELECT count(*) FROM organisation").fetchone()[0]
        ok = con.execute("PRAGMA integrity_check").fetchone()[0] == "ok" and n > 0
    except sqlite3.Error as e:
        ok = False
    con.close()
    check(ok, f"{what}: the database still opens whole")


def no_scratch(folder, what):
    left = glob.glob(os.path.join(folder, ".tsunagi-*"))
    check(not left, f"{what}: no private folder left behind", str(left))


master = os.path.join(work, "master.db")
subprocess.run([TSUNAGI, "import", SAMPLE, master], check=True, capture_output=True, env=env)
db = os.path.join(work, "c.db")


def reset():
    """A fresh copy of the database for each part, so one part's damage
    (on a tsunagi without these fixes) does not hide the next part's."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.lexists(db + suffix):
            os.unlink(db + suffix)
    shutil.copy(master, db)
    return sha(db)


digest = reset()
os.mkdir(os.path.join(work, "sub"))
os.symlink("c.db", os.path.join(work, "link.json"))
os.symlink("c.db", os.path.join(work, "link.svg"))
os.link(db, os.path.join(work, "hard.json"))
os.link(db, os.path.join(work, "hard.svg"))

# ---- 7. the database, its -wal/-shm and the workbook are never written over -------------

AFTER = "COUNT organisations BY sector;"
targets = ["c.db", "./c.db", db, "sub/../c.db", "c.db-wal", "c.db-shm", "./c.db-wal", "link.json", "hard.json"]
stmts = []
for t in targets:
    stmts += [f"EXPORT JSON OF '北区' TO '{t}';", f"EXPORT GRAPHML TO '{t}';", f"EXPORT DOT OF '北区' TO '{t}';",
              f"REPORT GAPS FOR hikikomori AGED 18..39 IN '北区' TO '{t}';"]
stmts += ["RENDER OF '北区' TO 'link.svg';", "RENDER OF '北区' TO 'hard.svg';", AFTER]
r = run([db, "--keep-going", "-c", " ".join(stmts)])
refused = r.stderr.count("tsunagi does not write over it")
check(r.returncode != 0 and refused == len(stmts) - 1,
      f"7: every write over the database's files is refused ({refused} of {len(stmts) - 1})", r.stderr)
check("npo" in r.stdout or "NPO" in r.stdout or r.stdout.strip() != "", "7: the session goes on after the refusals")
db_ok(db, digest, "7 statements")
for t in ("c.db-wal", "c.db-shm"):
    p = os.path.join(work, t)
    check(not os.path.exists(p) or os.path.getsize(p) in (0, 32768), f"7: {t} was not written as a picture or export")

# A database whose own name is a picture's.
shutil.copy(master, os.path.join(work, "net.svg"))
nd = sha(os.path.join(work, "net.svg"))
r = run(["net.svg", "-c", "RENDER OF '北区' TO './net.svg';"])
check(r.returncode != 0 and "does not write over it" in r.stderr, "7: RENDER over the database it runs on", r.stderr)
db_ok(os.path.join(work, "net.svg"), nd, "7 RENDER")

digest = reset()
# --xlsx: not the database, and no statement writes over the workbook being collected.
for x in ("c.db", "./c.db-wal", "link.json"):
    r = run([db, "--xlsx", x, "-c", AFTER])
    check(r.returncode != 0 and "does not write over it" in r.stderr, f"7: --xlsx {x} is refused", r.stderr)
db_ok(db, digest, "7 --xlsx")
digest = reset()
r = run([db, "--xlsx", "book.xlsx", "-c", f"{AFTER} EXPORT JSON OF '北区' TO './book.xlsx';"])
check(r.returncode != 0 and "workbook" in r.stderr, "7: EXPORT over the workbook --xlsx collects is refused", r.stderr)

# The folder exports: a database kept in the folder under one of their names.
for cmd, name in (("export", "ties.csv"), ("export-hsds", "organizations.csv")):
    d = os.path.join(work, f"dir-{cmd}")
    os.mkdir(d)
    shutil.copy(master, os.path.join(d, name))
    before = sha(os.path.join(d, name))
    r = run([cmd, d, os.path.join(d, name)])
    check(r.returncode != 0 and "does not write over it" in r.stderr, f"7: {cmd} into the database's folder", r.stderr)
    db_ok(os.path.join(d, name), before, f"7 {cmd}")
    check(sorted(os.listdir(d)) in ([name], sorted([name, name + "-wal", name + "-shm"])),
          f"7: {cmd} wrote nothing", str(os.listdir(d)))

# import-hsds --report naming the database it imports into.
pkg = os.path.join(work, "pkg")
run(["export-hsds", pkg, db])
hdb = os.path.join(work, "h.db")
shutil.copy(master, hdb)
hd = sha(hdb)
r = run(["import-hsds", "--report", "./h.db", pkg, hdb])
check(r.returncode != 0 and "does not write over it" in r.stderr, "7: import-hsds --report over the database", r.stderr)
db_ok(hdb, hd, "7 --report")

# ---- 8. a full disk leaves the old picture and report as they were ------------------------

reset()


def full_disk():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 10, 64 << 10))


for stmt, name, ok_word in (("RENDER OF '北区' TO '{}';", "old.svg", "drew"),
                            ("REPORT GAPS FOR hikikomori AGED 18..39 IN '北区' TO '{}';", "old.html", "wrote")):
    p = os.path.join(work, name)
    r = run([db, "-c", stmt.format(name)])
    check(r.returncode == 0 and os.path.getsize(p) > (64 << 10), f"8: {name} is larger than the limit", r.stderr)
    old = sha(p)
    r = run([db, "-c", stmt.format(name)], preexec_fn=full_disk)
    check(r.returncode != 0 and ok_word not in r.stdout, f"8: {name} on a full disk is an error", r.stdout + r.stderr)
    check(sha(p) == old, f"8: {name} on a full disk is byte-identical to the old one")
    no_scratch(work, f"8 {name}")

# ---- 9. temporary files: nothing predictable, modes kept, links refused ------------------

victim = os.path.join(work, "victim.txt")
with open(victim, "w") as f:
    f.write("not yours\n")


def plant(pattern):
    """Links at the names the next few hundred processes would have used."""
    with open("/proc/sys/kernel/ns_last_pid") as f:
        last = int(f.read())
    links = [pattern.format(pid) for pid in range(last + 1, last + 400)]
    for l in links:
        os.symlink(victim, l)
    return links


def planted_intact(links, what):
    ok = all(os.path.islink(l) and os.readlink(l) == victim for l in links)
    check(ok and open(victim).read() == "not yours\n", f"9: {what}: planted links and their target untouched")
    for l in links:
        if os.path.lexists(l):
            os.unlink(l)


links = plant(os.path.join(work, "out.json.{}.tmp"))
r = run([db, "-c", "EXPORT JSON OF '北区' TO 'out.json';"])
check(r.returncode == 0 and os.path.isfile(os.path.join(work, "out.json")), "9: EXPORT with planted links", r.stderr)
planted_intact(links, "EXPORT's PATH.<pid>.tmp")
links = plant(os.path.join(work, "book.xlsx.partial-{}"))
r = run([db, "--xlsx", "book.xlsx", "-c", AFTER])
check(r.returncode == 0, "9: --xlsx with planted links", r.stderr)
planted_intact(links, "--xlsx's .partial-<pid>")
d = os.path.join(work, "csvout")
os.mkdir(d)
links = [os.path.join(d, ".districts.csv.tmp"), os.path.join(d, ".ties.csv.tmp")]
for l in links:
    os.symlink(victim, l)
r = run(["export", d, db])
check(r.returncode == 0, "9: export with planted links", r.stderr)
planted_intact(links, "export's DIR/.FILE.tmp")

# An existing file keeps its mode; links and FIFOs are refused and stay.
for stmt, name in (("EXPORT JSON OF '北区' TO '{}';", "kept.json"), ("RENDER OF '北区' TO '{}';", "kept.svg"),
                   ("REPORT GAPS FOR hikikomori AGED 18..39 IN '北区' TO '{}';", "kept.html")):
    p = os.path.join(work, name)
    with open(p, "w") as f:
        f.write("old\n")
    os.chmod(p, 0o640)
    r = run([db, "-c", stmt.format(name)])
    mode = stat.S_IMODE(os.stat(p).st_mode)
    check(r.returncode == 0 and mode == 0o640 and open(p, "rb").read() != b"old\n",
          f"9: {name} rewritten keeps mode 0640 (got {oct(mode)})", r.stderr)
other = os.path.join(work, "other.json")
with open(other, "w") as f:
    f.write("other\n")
os.symlink("other.json", os.path.join(work, "to-other.json"))
os.mkfifo(os.path.join(work, "fifo.json"))
for t, word in (("to-other.json", "symbolic link"), ("fifo.json", "not a regular file")):
    r = run([db, "-c", f"EXPORT JSON OF '北区' TO '{t}';"])
    check(r.returncode != 0 and word in r.stderr, f"9: EXPORT to {t} is refused", r.stderr)
check(os.path.islink(os.path.join(work, "to-other.json")) and open(other).read() == "other\n",
      "9: the link and the file it points to are unchanged")
check(stat.S_ISFIFO(os.lstat(os.path.join(work, "fifo.json")).st_mode), "9: the FIFO is still a FIFO")
# A database, not only the one in use, is never an output: REPORT CHANGES
# WITH a file TO that same file (and --xlsx naming it) wrote HTML or a
# workbook over last year's database (found by an attack on issue 21).
last = os.path.join(work, "last.db")
shutil.copyfile(db, last)
for args in ([db, "-c", "REPORT CHANGES WITH 'last.db' TO 'last.db';"],
             [db, "--xlsx", "last.db", "-c", "COMPARE WITH 'last.db' IN '北区';"],
             [db, "-c", "EXPORT JSON OF '北区' TO 'last.db';"]):
    before = sha(last)
    r = run(args)
    check(r.returncode != 0 and "is a database" in r.stderr and sha(last) == before,
          f"9: {' '.join(args[1:])} refuses to write over a database", r.stderr)
# A FIFO among the files read (an import folder, survey answers) is refused,
# not waited on forever: opening it for reading blocks until a writer comes
# (found by an attack on issue 21). timeout turns a hang into a failure.
fifo_in = os.path.join(work, "fifo-in")
shutil.copytree(SAMPLE, fifo_in)
os.remove(os.path.join(fifo_in, "forums.csv"))
os.mkfifo(os.path.join(fifo_in, "forums.csv"))
answers = os.path.join(work, "fifo-answers")
os.mkdir(answers)
os.mkfifo(os.path.join(answers, "o.xlsx"))
for args in (["import", "--as-of", "2026-12-02", fifo_in, db], ["survey-in", answers, db]):
    before = sha(db)
    r = run(args, timeout=60)
    check(r.returncode != 0 and "not a regular file" in r.stderr and sha(db) == before,
          f"9: {args[0]} {args[1]} with a FIFO is refused, the database unchanged", r.stderr)
no_scratch(work, "9")
no_scratch(d, "9 export")

# ---- 10. a name starting with '-' is a file to dot ------------------------------------------

p = os.path.join(work, "-O.svg")
r = run([db, "-c", "RENDER OF '北区' TO '-O.svg';"])
check(r.returncode == 0 and os.path.isfile(p) and b"<svg" in open(p, "rb").read(), "10: RENDER TO '-O.svg' writes -O.svg",
      r.stderr)

# ---- 10, 11 with a stand-in dot that says what it was given --------------------------------

fake = os.path.join(work, "fakebin")
os.mkdir(fake)
log = os.path.join(work, "fakedot.log")
with open(os.path.join(fake, "dot"), "w") as f:
    f.write(f"""#!{sys.executable}
import os, resource, stat, sys
fds = sorted(int(n) for n in os.listdir('/proc/self/fd'))
soft = resource.getrlimit(resource.RLIMIT_AS)[0]
out = [a[2:] for a in sys.argv[1:] if a.startswith('-o')][0]
mode = stat.S_IMODE(os.stat(os.path.dirname(out)).st_mode)
with open({log!r}, 'a') as f:
    f.write(repr((sys.argv[1:], fds, soft, mode)) + '\\n')
open(out, 'w').write('<svg></svg>\\n')
""")
os.chmod(os.path.join(fake, "dot"), 0o755)
fenv = {"PATH": fake + os.pathsep + env.get("PATH", "")}
extra_r, extra_w = os.pipe()  # a descriptor tsunagi inherits without close-on-exec
os.set_inheritable(extra_w, True)
r = run([db, "-c", "RENDER OF '北区' TO '-x.svg'; REPORT GAPS FOR hikikomori AGED 18..39 IN '北区' TO '-r.html';"],
        extra_env=fenv, pass_fds=(extra_w,))
run([db, "-c", "RENDER OF '北区' TO 'small.svg';"], extra_env=dict(fenv, TSUNAGI_DOT_MEMORY="300"))
os.close(extra_r)
os.close(extra_w)
calls = [eval(line) for line in open(log)] if os.path.exists(log) else []
check(r.returncode == 0 and len(calls) == 3, "10/11: the stand-in dot ran three times", r.stderr + str(calls))
for argv, fds, soft, mode in calls:
    # -T<fmt>, -o<path> as one argument, the input: no bare name an option parser could take.
    check(len(argv) == 3 and argv[0].startswith("-T") and (argv[1].startswith("-o/") or argv[1].startswith("-o./")),
          "10: dot's arguments are -T…, -o<path>, path", str(argv))
    check(not argv[2].startswith("-"), "10: dot's input is not an option", str(argv))
    check(mode == 0o700, f"9: dot writes into a 0700 private folder (got {oct(mode)})")
    # Its own listing of /proc/self/fd opens one descriptor: 0, 1, 2 and that one.
    check(len([fd for fd in fds if fd > 2]) <= 1, "11: no descriptor of tsunagi's reaches dot", str(fds))
if len(calls) == 3:
    check(calls[0][2] == 2048 << 20 and calls[1][2] == 2048 << 20, "11: dot runs under RLIMIT_AS 2048 MiB",
          str([c[2] for c in calls]))
    check(calls[2][2] == 300 << 20, "11: TSUNAGI_DOT_MEMORY=300 sets RLIMIT_AS to 300 MiB", str(calls[2][2]))

# The real dot, under a limit too small for the city: a clear error, the old picture kept.
p = os.path.join(work, "old.svg")
old = sha(p)
r = run([db, "-c", "RENDER OF '北区' TO 'old.svg';"], extra_env={"TSUNAGI_DOT_MEMORY": "24"})
check(r.returncode != 0 and "needed more memory than allowed" in r.stderr, "11: dot past its memory limit says so",
      r.stderr)
check(sha(p) == old, "11: the old picture is kept when dot runs out of memory")
r = run([db, "-c", AFTER], extra_env={"TSUNAGI_DOT_MEMORY": "lots"})
check(r.returncode != 0 and "TSUNAGI_DOT_MEMORY" in r.stderr, "11: a bad TSUNAGI_DOT_MEMORY is refused", r.stderr)
no_scratch(work, "11")

shutil.rmtree(work, ignore_errors=True)
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
