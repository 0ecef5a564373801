#!/usr/bin/env python3
"""The pictures in the docs are drawn by scripts/doc-pictures, not by hand (issue 20).

Runs the script into a temporary folder with the given tsunagi and checks:

  - every picture a docs/*.md file links under pictures/ (a Markdown image or
    link "](pictures/NAME)") is one the script draws and is committed in
    docs/pictures/, so a picture added by hand, or one the script no longer
    draws, fails;
  - every committed docs/pictures/*.svg is one the script draws;
  - every SVG, committed and freshly drawn, is well-formed XML whose text
    names what its statement draws: each quoted name after OF in the
    statement (the district, the organisation), and for a picture of the
    city every ward (the city view has one box per ward).

Nothing compares bytes: the pictures carry the date they were drawn and
GraphViz versions lay them out differently.

usage: pictures_check.py REPO_DIR TSUNAGI
"""
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

DRAW = re.compile(r'^draw (\S+) (\w+) "(.*)"$')
LINK = re.compile(r"\]\((?:\./)?pictures/([^)\s#]+)")
OF_NAME = re.compile(r"\bOF '([^']+)'")
CITY = "あさひの市"
WARDS = ["北区", "南区", "東区", "西区", "中央区"]  # data/sample/districts.csv


def draws(script):
    """{file: statement} from the script's `draw FILE LANG "STATEMENT"` lines."""
    out = {}
    with open(script, encoding="utf-8") as f:
        for line in f:
            m = DRAW.match(line.strip())
            if m:
                out[m.group(1)] = m.group(3)
    return out


def svg_text(path):
    """The picture's text, whitespace removed (GraphViz breaks a long name into lines)."""
    root = ET.parse(path).getroot()
    if not root.tag.endswith("svg"):
        raise ValueError("the root element is <%s>, not <svg>" % root.tag)
    parts = [" ".join(e.itertext()) for e in root.iter() if e.tag.endswith("}text")]
    return re.sub(r"\s+", "", "".join(parts))


def check_svg(path, statement, problems):
    try:
        text = svg_text(path)
    except (ET.ParseError, ValueError) as e:
        problems.append("%s is not a well-formed SVG: %s" % (path, e))
        return
    names = OF_NAME.findall(statement)
    if CITY in names and " AS matrix" not in statement:
        names += WARDS
    for name in names:
        if re.sub(r"\s+", "", name) not in text:
            problems.append("%s does not name %s, which its statement draws (%s)" % (path, name, statement))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    repo, tsunagi = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    script = os.path.join(repo, "scripts", "doc-pictures")
    docs = os.path.join(repo, "docs")
    committed_dir = os.path.join(docs, "pictures")
    expected = draws(script)
    problems = []
    if not expected:
        problems.append("%s has no draw lines" % script)

    with tempfile.TemporaryDirectory(prefix="tsunagi-pictures-") as tmp:
        env = dict(os.environ, TSUNAGI_BIN=tsunagi, HOME=tmp, XDG_CACHE_HOME=os.path.join(tmp, ".cache"))
        env.pop("TSUNAGI_DB", None)
        out = os.path.join(tmp, "pictures")
        run = subprocess.run([script, out], env=env, capture_output=True, text=True)
        if run.returncode != 0:
            problems.append("scripts/doc-pictures failed (exit %d): %s" % (run.returncode, run.stderr.strip()))
        drawn = set(os.listdir(out)) if os.path.isdir(out) else set()
        for name in sorted(set(expected) - drawn):
            problems.append("scripts/doc-pictures has a draw line for %s but did not draw it" % name)
        for name in sorted(drawn & set(expected)):
            check_svg(os.path.join(out, name), expected[name], problems)

        committed = set(os.listdir(committed_dir)) if os.path.isdir(committed_dir) else set()
        for name in sorted(committed - drawn):
            problems.append("docs/pictures/%s is not drawn by scripts/doc-pictures (hand-made or stale?)" % name)
        for name in sorted(committed & drawn):
            if name.endswith(".svg"):
                check_svg(os.path.join(committed_dir, name), expected[name], problems)

        linked = 0
        for doc in sorted(os.listdir(docs)):
            if not doc.endswith(".md"):
                continue
            with open(os.path.join(docs, doc), encoding="utf-8") as f:
                for lineno, line in enumerate(f, 1):
                    for name in LINK.findall(line):
                        linked += 1
                        if name not in drawn:
                            problems.append("docs/%s:%d links pictures/%s, which scripts/doc-pictures does not draw"
                                            % (doc, lineno, name))
                        elif name not in committed:
                            problems.append("docs/%s:%d links pictures/%s, which is not committed (run scripts/doc-pictures)"
                                            % (doc, lineno, name))
        if linked == 0:
            problems.append("no docs/*.md links a picture under pictures/")

    for p in problems:
        print(p)
    print("%d pictures drawn, %d links checked, %d problems" % (len(drawn), linked, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
