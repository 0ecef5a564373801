#!/usr/bin/env python3
"""Every igraph call whose status can fail is checked (issue 18, item 5).

igraph reports failure (out of memory, an invalid vertex, an interruption)
only through its igraph_error_t return value, and our error handler returns
that code instead of aborting, so a call whose status is dropped goes on
with an unfilled vector. This reads the igraph headers for the functions
that return igraph_error_t and fails on any call to one of them, in
engine/ and query/, made as a statement of its own (its result dropped).
Exit 77 (a ctest skip) when the igraph headers are not found.

usage: igraph_status_check.py SOURCE_DIR [IGRAPH_INCLUDE_DIR]
"""
import os
import re
import subprocess
import sys


def include_dir(arg):
    if arg:
        return arg
    try:
        flags = subprocess.run(["pkg-config", "--cflags", "igraph"], capture_output=True, text=True).stdout.split()
        for f in flags:
            if f.startswith("-I") and os.path.exists(os.path.join(f[2:], "igraph.h")):
                return f[2:]
    except OSError:
        pass
    return "/usr/include/igraph"


def fallible(inc):
    names = set()
    for name in os.listdir(inc):
        if name.endswith(".h"):
            with open(os.path.join(inc, name), encoding="utf-8", errors="replace") as f:
                text = f.read()
            names.update(re.findall(r"\bigraph_error_t\s+(igraph_\w+)\s*\(", text))
    # The typed containers are declared through templates:
    # "igraph_error_t FUNCTION(igraph_vector, init)(…)" in igraph_vector_pmt.h is
    # igraph_vector_init, igraph_vector_int_init, ….
    templates = {"vector": ["igraph_vector", "igraph_vector_int", "igraph_vector_bool", "igraph_vector_char",
                            "igraph_vector_complex"],
                 "matrix": ["igraph_matrix", "igraph_matrix_int", "igraph_matrix_bool", "igraph_matrix_char",
                            "igraph_matrix_complex"],
                 "stack": ["igraph_stack", "igraph_stack_int", "igraph_stack_bool", "igraph_stack_char"],
                 "dqueue": ["igraph_dqueue", "igraph_dqueue_int", "igraph_dqueue_bool", "igraph_dqueue_char"],
                 "heap": ["igraph_heap", "igraph_heap_int", "igraph_heap_min", "igraph_heap_min_int"]}
    for kind, prefixes in templates.items():
        path = os.path.join(inc, f"igraph_{kind}_pmt.h")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            fns = re.findall(r"\bigraph_error_t\s+FUNCTION\s*\(\s*\w+\s*,\s*(\w+)\s*\)", f.read())
        names.update(f"{p}_{fn}" for p in prefixes for fn in fns)
    return names


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)


def main():
    src = sys.argv[1]
    inc = include_dir(sys.argv[2] if len(sys.argv) > 2 else None)
    if not os.path.isdir(inc):
        print(f"SKIP: no igraph headers at {inc}")
        return 77
    names = fallible(inc)
    if len(names) < 100:
        print(f"SKIP: only {len(names)} igraph_error_t functions found in {inc}")
        return 77
    bad = []
    for d in ("engine", "query"):
        for name in sorted(os.listdir(os.path.join(src, d))):
            if not name.endswith(".c"):
                continue
            path = os.path.join(src, d, name)
            with open(path, encoding="utf-8") as f:
                lines = strip_comments(f.read()).split("\n")
            prev = ";"
            for i, line in enumerate(lines, 1):
                # A call that starts a statement (the previous line ended
                # one, or the call follows "else" or an if's condition):
                # its value goes nowhere. A line continuing an expression
                # (ok = a == IGRAPH_SUCCESS &&\n igraph_…) is not one.
                starts = prev[-1:] in (";", "{", "}", ":")
                m = re.match(r"\s*(?:else\s+|(?:if|for|while)\b.*\)\s*)?(igraph_\w+)\s*\(", line)
                if m and m.group(1) in names and (starts or not line.lstrip().startswith("igraph_")):
                    bad.append(f"{d}/{name}:{i}: {m.group(1)}'s status is dropped: {line.strip()}")
                code = line.split("//")[0].rstrip()
                if code and not code.lstrip().startswith("#"):
                    prev = code
    for b in bad:
        print(b)
    print(f"igraph status: {len(names)} fallible igraph functions; {len(bad)} calls drop the status")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
