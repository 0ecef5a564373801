#!/usr/bin/env python3
"""The library's layout rules that issue 18 (item 4) put in place, checked on
the sources, so a later change cannot quietly undo them:

  * the engine knows no SQL: no file in engine/ includes sqlite3.h or calls
    sqlite3_* (it reads the network through store_read_network);
  * one transaction API, in store/: no file outside store/ runs BEGIN,
    COMMIT, ROLLBACK or END itself (a savepoint inside a statement, such as
    LET's "ROLLBACK TO", is not a transaction);
  * one SQL binder, query/sqlbind.c: elsewhere in query/, a value is bound
    only at a literal parameter number (sqlite3_bind_text(st, 1, …)); a
    loop binding values by a computed index is a second binder;
  * no evaluator folds a word (item 1): the tokenizer folds a bare word once
    into gram_token_t.fold, so in query/ neither util_fold nor a
    case-insensitive compare is applied to a token's slice (its .z).

usage: layout_check.py SOURCE_DIR
"""
import os
import re
import sys


def sources(root, folder):
    d = os.path.join(root, folder)
    for name in sorted(os.listdir(d)):
        if name.endswith((".c", ".h")):
            path = os.path.join(d, name)
            with open(path, encoding="utf-8") as f:
                text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), f.read(), flags=re.S)
            yield f"{folder}/{name}", text.split("\n")


def main():
    root = sys.argv[1]
    bad = []
    for name, lines in sources(root, "engine"):
        for i, line in enumerate(lines, 1):
            if re.search(r"#\s*include\s*[<\"]sqlite3\.h|\bsqlite3_\w+\s*\(", line):
                bad.append(f"{name}:{i}: the engine knows no SQL (read through store/): {line.strip()}")
    txn = re.compile(r"\"\s*(BEGIN|COMMIT|END|ROLLBACK)\b(?!\s+TO\b)[^\"]*\"")
    for folder in ("engine", "query", "grammar", "util", "cli"):
        for name, lines in sources(root, folder):
            for i, line in enumerate(lines, 1):
                if txn.search(line):
                    bad.append(f"{name}:{i}: a transaction outside store/ (use store_begin/commit/rollback or "
                               f"store_read_begin/end): {line.strip()}")
    for name, lines in sources(root, "query"):
        if name.startswith("query/sqlbind."):
            continue
        for i, line in enumerate(lines, 1):
            m = re.search(r"\bsqlite3_bind_\w+\s*\(\s*[^,]+,\s*([^,]+),", line)
            if m and not re.fullmatch(r"\s*\d+\s*", m.group(1)):
                bad.append(f"{name}:{i}: values bound by a computed index: use query/sqlbind.h: {line.strip()}")
    # COUNT … BY once folded its word again from by.z (the review of issue 18
    # found it): a token's slice and a fold on one line is that mistake.
    slice_fold = re.compile(r"(\butil_fold|\bstrn?casecmp)\s*\(.*(\.|->)z\b|(\.|->)z\b.*\butil_fold\s*\(")
    for name, lines in sources(root, "query"):
        for i, line in enumerate(lines, 1):
            if slice_fold.search(line):
                bad.append(f"{name}:{i}: a word folded again from its token's slice (compare the token's .fold): "
                           f"{line.strip()}")
    for b in bad:
        print(b)
    print(f"layout: {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
