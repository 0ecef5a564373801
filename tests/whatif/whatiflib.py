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


def copy_of(db, tmp):
    """A fresh copy of db in tmp (SQLite's backup, so a WAL is included)."""
    copy = os.path.join(tmp, "copy.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(copy + suffix):
            os.remove(copy + suffix)
    src, dst = sqlite3.connect(db), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    return copy
