"""What the WHAT IF / CRITICAL / SUGGEST checks share: running tsunagi with
JSON output, reading the JSON values it prints one after another, and a
copy of a database file (the oracle's "copy of the database changed by
hand")."""
import json
import os
import sqlite3
import subprocess


def run_json(tsunagi, db, text, keep_going=False):
    """tsunagi's stdout, stderr and exit status for text on db, in English JSON."""
    args = [tsunagi, db, "--format", "json"] + (["--keep-going"] if keep_going else []) + ["-c", text]
    p = subprocess.run(args, capture_output=True, text=True, env=dict(os.environ, LANGUAGE="en"))
    return p.stdout, p.stderr, p.returncode


def values(stdout):
    """The JSON values printed one after another: tables (lists) and messages."""
    dec, i, out = json.JSONDecoder(), 0, []
    while True:
        while i < len(stdout) and stdout[i].isspace():
            i += 1
        if i >= len(stdout):
            return out
        v, i = dec.raw_decode(stdout, i)
        out.append(v)


def tables(stdout):
    return [v for v in values(stdout) if isinstance(v, list)]


def copy_of(db, tmp, name="copy.db"):
    """A fresh copy of db in tmp (SQLite's backup, so a WAL is included)."""
    copy = os.path.join(tmp, name)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(copy + suffix):
            os.remove(copy + suffix)
    src, dst = sqlite3.connect(db), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    return copy


def segments(stdout):
    """The tables between one message and the next: run with statements
    S; TIE …; S; UNTIE …; S; the segments are S's tables each time."""
    out = [[]]
    for v in values(stdout):
        if isinstance(v, list):
            out[-1].append(v)
        else:
            out.append([])
    return out


SEP = "LET tsg_sep = FIND programs WHERE id IN ('-')"


def run_each(tsunagi, db, statements):
    """Several statements in one tsunagi (--keep-going): for each, its tables
    and its number of errors. A statement that prints nothing (or fails) is
    still told apart: each is followed by a LET that prints a message, and
    each sits on its own line, which an error names."""
    text = "".join(f"{s};\n{SEP};\n" for s in statements)
    out, err, _ = run_json(tsunagi, db, text, keep_going=True)
    res, cur = [], []
    for v in values(out):
        if isinstance(v, list):
            cur.append(v)
        elif isinstance(v, dict) and v.get("message", "").startswith("tsg_sep:"):
            res.append(cur)
            cur = []
    errors = [0] * len(statements)
    for line in err.splitlines():
        if line.startswith("error: line "):
            n = int(line.split()[2].rstrip(","))
            if n % 2 == 1 and n // 2 < len(statements):
                errors[n // 2] += 1
    if len(res) != len(statements):
        raise SystemExit(f"{len(res)} results for {len(statements)} statements:\n{err}")
    return res, errors, err
