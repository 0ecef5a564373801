#!/usr/bin/env python3
"""One noun per vocabulary kind (issue 19): the table of what a vocabulary
kind is called in a message lives once, in store/vocab.c
(store_vocab_kind_noun), and its Japanese is the same word the tables use
for that kind's field (msgctxt "field"), so a message says 対象者「x」 where
the FIND table's header says 対象者."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
bad = []
tables = [p for p in sorted(root.glob("*/*.c"))
          if re.search(r'NC_\("vocabulary kind"', p.read_text(encoding="utf-8"))]
if [str(p.relative_to(root)) for p in tables] != ["store/vocab.c"]:
    bad.append("the vocabulary kinds' nouns are in %s, not only store/vocab.c"
               % ", ".join(str(p.relative_to(root)) for p in tables))

po = {}
for e in re.split(r"\n\s*\n", (root / "po/ja.po").read_text(encoding="utf-8")):
    c = re.search(r'^msgctxt "(.*)"', e, re.M)
    i = re.search(r'^msgid "(.*)"', e, re.M)
    s = re.search(r'^msgstr "(.*)"', e, re.M)
    if i and s:
        po[(c.group(1) if c else None, i.group(1))] = s.group(1)
# the kind's noun (msgctxt "vocabulary kind") and its field (msgctxt "field")
SAME = [("target group", "targets"), ("need", "needs"), ("mode", "modes"),
        ("approach", "approach"), ("in_system value", "in_system"), ("sector", "sector")]
for noun, field in SAME:
    a, b = po.get(("vocabulary kind", noun)), po.get(("field", field))
    if a != b:
        bad.append(f"vocabulary kind '{noun}' reads {a}, field '{field}' reads {b}: one word for one thing")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
