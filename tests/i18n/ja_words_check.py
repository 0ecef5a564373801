#!/usr/bin/env python3
"""Issue 19: a Japanese message holds no English word.

Reads the language tests given and, in every case marked ".lang ja", the
expected lines that are messages, errors, titles and the rows of tables (a
header or a cell left in English fails: docs/language.md "Output in
Japanese"); the quoted statement under an error is not read.
What a message may hold in ASCII is taken out first: the runner's "error: "
prefix, names in 「…」 (which may nest), ids (d-kita-es1), $parameters and
upper-case keywords of the language (SET … OF). Any word of two or more
ASCII letters left is English that a sentence was built from.

usage: ja_words_check.py FILE.test…
"""
import re
import sys

fail = 0


def strip_quoted(line):
    out, depth = "", 0
    for ch in line:
        if ch == "「":
            depth += 1
        elif ch == "」" and depth:
            depth -= 1
        elif not depth:
            out += ch
    return out


checked = 0
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    for case in re.split(r"^====\n", text, flags=re.M):
        pre, _, rest = case.partition("\n----\n")
        if not re.search(r"^\.lang ja$", pre, re.M):
            continue
        if re.search(r"^\.format (csv|json)$", pre, re.M):
            continue  # the stable English keys stay there, by design
        after_error = False
        for line in rest.split("\n"):
            # The line after an error quotes the statement (then the caret).
            is_error, after_error = after_error, line.startswith("error")
            # A table's rows (indented) are read too.
            if not line or line.startswith("-") or (line.startswith(" ") and is_error):
                continue
            if re.fullmatch(r"\s*[\^~]+\s*", line):
                continue
            checked += 1
            rest_line = strip_quoted(line[len("error: "):] if line.startswith("error: ") else line)
            rest_line = re.sub(r"(?<![A-Za-z0-9])[a-z]+(?:-[a-z0-9]+)+", "", rest_line)  # ids
            rest_line = re.sub(r"\$\w+", "", rest_line)                        # parameters
            rest_line = re.sub(r"(?<![A-Za-z])[A-Z][A-Z_]+(?![A-Za-z])", "", rest_line)  # keywords
            words = re.findall(r"[A-Za-z]{2,}", rest_line)
            if words:
                print("FAIL %s: English left (%s) in: %s" % (path, ", ".join(words), line))
                fail = 1
print("%d Japanese lines checked" % checked)
if not checked:
    print("FAIL: no .lang ja case found")
    fail = 1
sys.exit(fail)
