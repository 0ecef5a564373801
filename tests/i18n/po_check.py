#!/usr/bin/env python3
"""Issue 19: the catalogue is complete and no user-visible string escapes it.

1. `msgfmt --check --statistics` over po/ja.po: no error, no untranslated
   and no fuzzy entry.
2. Every string the sources mark (_(), N_(), C_(), NC_(), dngettext) has its
   entry in po/ja.po: a string wrapped on a branch comes with its Japanese.
3. No string literal is passed unwrapped to the functions that make the
   messages, errors and result titles people read (gram_fail, qry_fail,
   util_fail, qry_emit_done, qry_result_new's title, the import's fail_at,
   …). xgettext with those functions as keywords finds exactly the literals
   passed to them directly; a literal inside _() is not passed directly.
   Literals without a letter ("%s") carry no words and pass. Files not yet
   converted are listed in tests/i18n/unwrapped_allow.txt, a list that only
   shrinks: a listed file found clean fails too, so it is taken off.
4. The same for the program in cli/, whose sinks are printf, fprintf and
   repl_fail: a library never prints, so these are looked for there only
   (a library's fprintf writes a file's own syntax, not words for people).

usage: po_check.py SOURCE_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

SRC = sys.argv[1]
DIRS = ["util", "store", "query", "engine", "grammar", "cli"]
MARKS = ["--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2"]
# function:argument of the message format or title
SINKS = ["gram_fail:4", "qry_fail:3", "util_fail:3", "qry_emit_done:2", "qry_result_new:1",
         "qry_result_message:1", "fail_at:4", "eng_gap_say:2"]
CLI_SINKS = ["printf:1", "fprintf:2", "repl_fail:3"]

fail = 0


def report(msg):
    global fail
    print("FAIL " + msg)
    fail = 1


def sources():
    out = []
    for d in DIRS:
        for f in sorted(os.listdir(os.path.join(SRC, d))):
            if f.endswith(".c"):
                out.append(os.path.join(d, f))
    return out


def xgettext(keywords, files):
    with tempfile.NamedTemporaryFile(suffix=".pot", delete=False) as t:
        path = t.name
    subprocess.run(["xgettext", "--from-code=UTF-8", "--language=C", "-k"] + keywords +
                   ["-o", path] + files, cwd=SRC, check=True)
    text = open(path, encoding="utf-8").read() if os.path.getsize(path) else ""
    os.unlink(path)
    return text


def entries(text):
    """(msgctxt, msgid, [file:line…]) of a .po/.pot text."""
    out = []
    for block in text.split("\n\n"):
        refs = [r for line in block.split("\n") if line.startswith("#:") for r in line[2:].split()]
        m = re.search(r'^(?:msgctxt ((?:"(?:[^"\\]|\\.)*"\s*)+))?msgid ((?:"(?:[^"\\]|\\.)*"\s*)+)', block, re.M)
        if not m:
            continue
        join = lambda s: "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', s)) if s else None
        out.append((join(m.group(1)), join(m.group(2)), refs))
    return out


po = os.path.join(SRC, "po", "ja.po")
r = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po], capture_output=True, text=True)
stats = (r.stdout + r.stderr).strip()
print("po/ja.po: " + stats)
if r.returncode or "untranslated" in stats or "fuzzy" in stats:
    report("po/ja.po: msgfmt --check --statistics: " + stats)

files = sources()
translated = {(c, i) for c, i, _ in entries(open(po, encoding="utf-8").read())}
for c, i, refs in entries(xgettext(MARKS, files)):
    if i and (c, i) not in translated:
        report("%s: '%s' is wrapped but has no entry in po/ja.po" % (refs[0] if refs else "?", i))

allow_path = os.path.join(SRC, "tests", "i18n", "unwrapped_allow.txt")
allow = {l.strip() for l in open(allow_path, encoding="utf-8") if l.strip() and not l.startswith("#")}
dirty = set()
cli = [f for f in files if f.startswith("cli/")]
found = entries(xgettext(["--keyword=" + k for k in SINKS], files))
found += entries(xgettext(["--keyword=" + k for k in CLI_SINKS], cli))
for c, i, refs in found:
    # Conversions, escapes (\n) and the program's own name are no words.
    bare = re.sub(r"%[-+ #0-9.*$]*(?:l|ll|z|h)?[a-zA-Z]|\\.|\btsunagi\b", "", i)
    if not re.search(r"[A-Za-z]", bare):
        continue
    for ref in refs:
        f = ref.rsplit(":", 1)[0]
        dirty.add(f)
        if f not in allow:
            report("%s: '%s' reaches the user without _()" % (ref, i))
for f in sorted(allow - dirty):
    report("%s is clean now: take it off tests/i18n/unwrapped_allow.txt" % f)
print("%d files, %d still on the allow-list" % (len(files), len(allow)))
sys.exit(fail)
