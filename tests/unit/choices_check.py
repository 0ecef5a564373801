#!/usr/bin/env python3
"""One word list (issue 19, docs/decisions.md "Issue 19: completion of
values"): the evaluators read the words of a clause's value from
query/choices.c, the tables Tab offers, and keep no copy of their own.

For each evaluator switched to a table, the file must name that table and
hold no function-local word list with the table's words (export.c, the
last to keep copies, reads them since issue 19's leftovers)."""
import re
import sys

ROOT = sys.argv[1]
# (file, table, one word only that table's list holds)
SWITCHED = [
    ("query/eval.c", "qry_count_by_word", '"school_district", "forum", "target"'),
    ("query/eval_gaps.c", "qry_by_level_words", '"school_district", "ward"'),
    ("query/eval_paths.c", "qry_via_words", '"referral", "any"'),
    ("query/eval_structure.c", "qry_by_group_words", '"sector", "ward", "community"'),
    ("query/export.c", "qry_cluster_words", '"sector", "ward", "community", "forum"'),
    ("query/export.c", "qry_label_words", '"ja", "en"'),
    ("query/export.c", "qry_highlight_words", '"gaps", "brokers", "thin"'),
    ("query/export.c", "qry_render_formats", '"svg", "png", "pdf"'),
    ("query/export.c", "qry_export_formats", '"dot", "graphml", "json"'),
    ("query/report.c", "qry_report_words", '"gaps"'),
]
bad = []
for path, table, copy in SWITCHED:
    text = open(f"{ROOT}/{path}", encoding="utf-8").read()
    if table not in text:
        bad.append(f"{path}: does not read {table} (query/choices.c)")
    if re.search(r"\{\s*" + re.escape(copy), text):
        bad.append(f"{path}: holds its own copy {{{copy}, …}} of {table}")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
