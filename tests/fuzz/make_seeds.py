#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into tests/fuzz-corpus/.

Seeds are where fuzzing starts: the statements of docs/language.md, the mini
city of tests/data, the Open Referral packages of ../shared/data/hsds cut to a
few rows, and names that need escaping. Run again after the language or the
formats grow; findings that scripts/fuzz saves sit beside the seeds as
crash-*, timeout-* or leak-* files and must be kept.

usage: make_seeds.py [SHARED_DATA]    (default ../shared/data)
"""
import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data")
CORPUS = os.path.join(ROOT, "tests", "fuzz-corpus")


def save(target, data, name=None):
    if isinstance(data, str):
        data = data.encode("utf-8")
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    name = name or "seed-" + hashlib.sha1(data).hexdigest()[:12]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def files(pairs):
    """One input holding several files (tests/fuzz/fuzz.h)."""
    out = b""
    for name, data in pairs:
        if isinstance(data, str):
            data = data.encode("utf-8")
        if data and not data.endswith(b"\n"):
            data += b"\n"
        out += b"=== " + name.encode() + b"\n" + data
    return out


def head(path, lines):
    with open(path, "rb") as f:
        return b"".join(f.readlines()[:lines])


# The language: every example of the manual, for the parser and the evaluator.
manual = open(os.path.join(ROOT, "docs", "language.md"), encoding="utf-8").read()
for block in re.findall(r"```tsq\n(.*?)```", manual, re.S):
    block = re.sub(r"^\.mode \w+\n", "", block)  # the runner's format line, not a statement
    save("parse", block)
    save("exec", block)

# The data-driven language tests: every case's statements.
lang = os.path.join(ROOT, "tests", "lang")
for name in sorted(os.listdir(lang)):
    if not name.endswith(".test"):
        continue
    for case in open(os.path.join(lang, name), encoding="utf-8").read().split("\n====\n"):
        stmts = case.split("\n----\n")[0]
        stmts = "\n".join(l for l in stmts.splitlines() if not l.startswith("#") and not l.startswith(".format"))
        if stmts.strip():
            save("parse", stmts)
            save("exec", stmts)

# CSV folders: the mini city, and the same in CP932.
mini = os.path.join(ROOT, "tests", "data", "mini")
pairs = [(n, open(os.path.join(mini, n), "rb").read()) for n in sorted(os.listdir(mini))]
save("csv", files(pairs), "seed-mini")
save("csv", files([(n, d.decode("utf-8").encode("cp932")) for n, d in pairs]), "seed-mini-cp932")
save("csv", files(pairs + [("vocabulary.csv", "kind,key,label,aliases\ntarget,night_owl,夜型の人,夜ふかし\n")]),
     "seed-mini-vocabulary")

# Open Referral: the three layouts, a few rows each.
hsds = os.path.join(SHARED, "hsds")
if os.path.isdir(hsds):
    ex = os.path.join(hsds, "hsds3-spec-example")
    save("hsds", files([(n, open(os.path.join(ex, n), "rb").read()) for n in sorted(os.listdir(ex))
                        if n.endswith(".csv")]), "seed-hsds3")
    mi = os.path.join(hsds, "miami211", "data")
    save("hsds", files([(n, head(os.path.join(mi, n), 12)) for n in sorted(os.listdir(mi))]), "seed-miami")
    ba = os.path.join(hsds, "baltimore-charmcare")
    save("hsds", files([(n, head(os.path.join(ba, n), 8)) for n in sorted(os.listdir(ba)) if n.endswith(".csv")]
                       + [("service_categories.json", '[{"service_id": 1, "name": "Food"}]')]), "seed-ohana")
save("hsds", files([
    ("organizations.csv", "id,name\no1,Org One\no1,Org Dup\n,No Id\no2,\no3,Line\\nBreak \n"),
    ("services.csv", "id,organization_id,name,status,minimum_age,maximum_age,eligibility_description\n"
                     "s1,o1,Plain,active,,,ages 18-65\ns2,s1,Child,,,,\ns5,o1,Odd,paused,7.5,12.9,\n"
                     "s6,o1,Bad ages,active,x,200,\ns9,o1,Semi,active,,,all ages\n"),
    ("attributes.csv", "id,link_id,taxonomy_term_id,link_type,link_entity,value\na1,s1,t1,,service,\n"),
    ("taxonomy_terms.csv", "id,code,name,description,taxonomy\nt1,YB-8000,Older Adults,,AIRS\n"),
]), "seed-synthetic")

# Names for the drawings: quotes, backslashes, line breaks, HTML, DOT words.
save("dot", 'plain\n"quoted"\nback\\slash\\\nline\\nbreak\n<b>&amp;</b>\nsubgraph\n-> --\n北区社会福祉協議会\n', "seed-names")
save("dot", "\\\n\\\\\n\"\n\r\n{}[];=,\n", "seed-escapes")
print("seeds written to", CORPUS)
