#!/usr/bin/env python3
"""Every tsunagi statement and command the docs show, run against the output they show.

docs/language.md's ```tsq examples are run by tests/lang/runner.c (lang.manual);
this check reads the other docs (docs/tutorial.md, docs/tutorial.ja.md,
README.md), which show what a
planner types at a shell or at the REPL and what comes back. The convention
(docs/decisions.md, "Issue 18: docs as tests"):

  ```console blocks are transcripts. A line "$ build/tsunagi …" is a shell
  command, a line "tsunagi> …" a statement at the REPL ("   ...> " continues
  it); the lines up to the next prompt are exactly what the command prints,
  standard output and standard error as the terminal shows them. Trailing
  blank lines are not compared. A line "[… N more lines]" stands for exactly N
  lines of the real output, so a long answer can be trimmed without lying: the
  lines shown, the count left out, and the table's own "(N rows)" are all
  checked. "tsunagi>" statements run on the sample city, each read as a
  script from standard input, which prints results and errors as the REPL
  does (cli/main.c has one sink; tests/cli covers the terminal itself). A
  transcript does not show the REPL's start ("$ build/tsunagi" alone): its
  greeting names a path that differs from machine to machine.

  A block's info string may name the language its commands run in:
  ```console lang=ja (or ```sh lang=ja) runs them as a planner whose
  environment is Japanese ($LANGUAGE=ja, as LANG=ja_JP.UTF-8 would choose),
  so the shown output is the Japanese one; every other block runs in English
  ($LANGUAGE=en), whatever the environment of the check.

  ```sh blocks are command lists without output: each line whose first word is
  build/tsunagi runs and must exit 0 (other lines, such as ./scripts/demo, are
  not run here: CI runs them).

  A line "<!-- check: COMMAND -->" outside a block runs COMMAND at that point
  (it must exit 0) and shows nothing in the rendered page: it makes the state
  the prose describes (a typo a planner made in Excel, a script file), so
  that the shown commands can run as shown. $TSG_SHARED_DATA names the shared
  data folder; without it, the rest of that section (to the next "## ") is
  skipped and counted as skipped.

Each document runs in its own temporary folder, top to bottom, so files the
commands write (mycity/, summary.csv, …) are there for later commands. Every
command and statement that uses the default database gets a fresh copy of the
sample city (SAMPLE_DIR imported into the program's cache, under a $HOME of
the check's own, which the outputs show as ~), so no statement sees another's
changes.

With --update the check rewrites the shown outputs instead (keeping the
trimmed parts trimmed: each shown run of lines is looked up in the new output);
then read the diff.

usage: docs_check.py [--update] [--shared DIR] TSUNAGI SAMPLE_DIR DOC…
                                          prints "N passed, N failed[, N skipped]"
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

MORE = re.compile(r"^\[… (\d+) more lines?\]$")
SETUP = re.compile(r"^<!-- check: (.*) -->$")
CLI_WORD = re.compile(r"(?<![\w/.-])build/tsunagi(?![\w/.-])")
SANITIZER = re.compile(r"ERROR: [A-Za-z]+Sanitizer|runtime error:")


class Doc:
    def __init__(self, path, tsunagi, template, shared, work):
        self.path, self.tsunagi, self.template, self.shared, self.work = path, tsunagi, template, shared, work
        self.passed = self.failed = self.skipped = 0
        self.edits = []  # (first line, end line, new lines) of shown outputs, for --update
        self.home = os.path.join(work, ".home")  # shown as ~
        self.cached = None

    # ---- running -----------------------------------------------------------------

    def env(self, lang="en"):
        env = {k: v for k, v in os.environ.items()
               if k not in ("TSUNAGI_DB", "XDG_CACHE_HOME", "LANG", "LC_MESSAGES")}
        env.update(HOME=self.home, LC_ALL="C.UTF-8", LANGUAGE=lang)
        if self.shared:
            env["TSG_SHARED_DATA"] = self.shared
        return env

    def fresh_sample(self):
        """The sample city where the program keeps it (~/.cache/tsunagi), fresh."""
        if self.cached is None:
            p = subprocess.run([self.tsunagi, "summary"], env=self.env(), capture_output=True, text=True, check=False)
            self.cached = p.stdout.split("\n")[0]
            if p.returncode or not os.path.isfile(self.cached):
                raise SystemExit("docs_check: the program did not build the sample city: " + p.stdout + p.stderr)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(self.cached + suffix):
                os.unlink(self.cached + suffix)
        shutil.copyfile(self.template, self.cached)

    def shell(self, command, stdin="", lang="en"):
        line = CLI_WORD.sub(lambda m: shlex.quote(self.tsunagi), command)
        self.fresh_sample()
        p = subprocess.run(line, shell=True, cwd=self.work, env=self.env(lang), input=stdin, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300, check=False)
        for l in p.stdout.splitlines():
            if SANITIZER.search(l):
                print(l)  # for ctest's FAIL_REGULAR_EXPRESSION, whatever the comparison says
        return p.returncode, p.stdout.replace(self.home, "~")

    # ---- comparing ---------------------------------------------------------------

    @staticmethod
    def strip(lines):
        lines = list(lines)
        while lines and not lines[-1].strip():
            lines.pop()
        return lines

    @staticmethod
    def matches(shown, got):
        i = 0
        for l in shown:
            m = MORE.match(l)
            if m:
                i += int(m.group(1))
                if i > len(got):
                    return False
            elif i >= len(got) or got[i] != l:
                return False
            else:
                i += 1
        return i == len(got)

    @staticmethod
    def trimmed(shown, got):
        """got, trimmed where shown was: each shown run of lines is found again."""
        if not any(MORE.match(l) for l in shown):
            return got
        runs, run = [], []
        for l in shown:
            if MORE.match(l):
                runs.append(run)
                run = []
            else:
                run.append(l)
        runs.append(run)
        out, at = [], 0
        for k, run in enumerate(runs):
            if k == len(runs) - 1:
                start = max(at, len(got) - len(run))  # the last run shows the end
            elif run and k > 0:
                start = next((j for j in range(at, len(got)) if got[j] == run[0]), at)
            else:
                start = at
            if k > 0:
                out.append("[… %d more lines]" % (start - at))
            out.extend(got[start:start + len(run)])
            at = start + len(run)
        return out

    def check(self, where, what, shown, got):
        shown_s, got_s = self.strip(shown), self.strip(got.splitlines())
        if self.matches(shown_s, got_s):
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s:%d\n--- command\n%s\n--- shown\n%s\n--- got\n%s" %
                  (self.path, where + 1, what, "\n".join(shown), got))
        return self.trimmed(shown_s, got_s) + shown[len(shown_s):]

    # ---- reading -----------------------------------------------------------------

    def console(self, lines, first, lang):
        """A transcript: lines[i] is the file's line first+i."""
        i = 0
        while i < len(lines):
            l = lines[i]
            if l.startswith("$ "):
                command, kind = l[2:], "$"
            elif l.startswith("tsunagi> "):
                command, kind = l[9:], ">"
                while i + 1 < len(lines) and lines[i + 1].startswith("   ...> "):
                    i += 1
                    command += "\n" + lines[i][8:]
            else:
                self.failed += 1
                print("FAIL %s:%d: output before any prompt in a console block" % (self.path, first + i + 1))
                return
            start = i
            j = i + 1
            while j < len(lines) and not (lines[j].startswith("$ ") or lines[j].startswith("tsunagi> ")):
                j += 1
            shown = lines[i + 1:j]
            words = shlex.split(command) if kind == "$" else []
            if kind == "$" and words[:1] == ["build/tsunagi"] and len(words) <= 2 and not any(
                    w.startswith("-") or w in COMMANDS for w in words[1:]):
                # The REPL greets with its version and the database's path:
                # a transcript shows its statements as "tsunagi>" lines and
                # says in the prose which database it opened.
                self.failed += 1
                print("FAIL %s:%d: show the REPL's statements as 'tsunagi>' lines, not its start" %
                      (self.path, first + i + 1))
                i = j
                continue
            if kind == "$":
                _, got = self.shell(command, lang=lang)
            else:
                _, got = self.shell("build/tsunagi", stdin=command + "\n", lang=lang)
            new = self.check(first + start, command, shown, got)
            self.edits.append((first + i + 1, first + j, new))
            i = j

    def sh(self, lines, first, lang):
        for k, l in enumerate(lines):
            if l.split()[:1] != ["build/tsunagi"]:
                continue
            rc, got = self.shell(l, lang=lang)
            if rc == 0:
                self.passed += 1
            else:
                self.failed += 1
                print("FAIL %s:%d: exit status %d\n--- command\n%s\n--- got\n%s" %
                      (self.path, first + k + 1, rc, l, got))

    def info(self, fence, i):
        """A fence's kind and language: "console lang=ja" is ("console", "ja")."""
        words = fence.split()
        kind, lang = (words[0] if words else ""), "en"
        for w in words[1:]:
            if w.startswith("lang=") and w[5:] in LANGS:
                lang = w[5:]
            elif kind in ("console", "sh"):
                self.failed += 1
                print("FAIL %s:%d: unknown '%s' in a %s block's info string (lang=%s)" %
                      (self.path, i + 1, w, kind, "|".join(LANGS)))
        return kind, lang

    def run(self):
        with open(self.path, encoding="utf-8") as f:
            text = f.read().split("\n")
        i, skipping = 0, False
        while i < len(text):
            l = text[i]
            if l.startswith("## "):
                skipping = False
            m = SETUP.match(l)
            fence = l[3:].strip() if l.startswith("```") else None
            if m and not skipping:
                if "$TSG_SHARED_DATA" in m.group(1) and not (self.shared and os.path.isdir(self.shared)):
                    skipping = True
                else:
                    rc, got = self.shell(m.group(1))
                    if rc:
                        self.failed += 1
                        print("FAIL %s:%d: setup exit status %d\n%s" % (self.path, i + 1, rc, got))
            if fence is None:
                i += 1
                continue
            end = i + 1
            while end < len(text) and not text[end].startswith("```"):
                end += 1
            body = text[i + 1:end]
            kind, lang = self.info(fence, i)
            if kind in ("console", "sh") and skipping:
                self.skipped += 1
            elif kind == "console":
                self.console(body, i + 1, lang)
            elif kind == "sh":
                self.sh(body, i + 1, lang)
            i = end + 1
        return text

    def update(self, text):
        for first, end, new in sorted(self.edits, reverse=True):
            text[first:end] = new
        with open(self.path, "w", encoding="utf-8") as f:
            f.write("\n".join(text))


LANGS = ("en", "ja")
COMMANDS = {"summary", "import", "export", "import-hsds", "export-hsds", "hsds-mapping"}


def main(argv):
    update = "--update" in argv
    argv = [a for a in argv if a != "--update"]
    shared = None
    if "--shared" in argv:
        k = argv.index("--shared")
        shared = os.path.abspath(argv[k + 1])
        del argv[k:k + 2]
    if len(argv) < 3:
        print(__doc__.strip().split("\n")[-2].strip(), file=sys.stderr)
        return 2
    tsunagi, sample, docs = os.path.abspath(argv[0]), os.path.abspath(argv[1]), [os.path.abspath(d) for d in argv[2:]]
    tmp = tempfile.mkdtemp(prefix="tsunagi-docs-")
    try:
        template = os.path.join(tmp, "sample.db")
        p = subprocess.run([tsunagi, "import", sample, template], capture_output=True, text=True,
                           env=dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, ".cache")), check=False)
        if p.returncode:
            print("docs_check: cannot import the sample city: %s" % (p.stdout + p.stderr))
            return 2
        passed = failed = skipped = 0
        for n, path in enumerate(docs):
            work = os.path.join(tmp, "work-%d" % n)
            os.makedirs(work)
            doc = Doc(path, tsunagi, template, shared, work)
            text = doc.run()
            if update:
                doc.update(text)
            if doc.passed + doc.failed + doc.skipped == 0:
                print("FAIL %s: nothing to check" % path)
                doc.failed += 1
            passed, failed, skipped = passed + doc.passed, failed + doc.failed, skipped + doc.skipped
        print("%d passed, %d failed%s" % (passed, failed, ", %d skipped" % skipped if skipped else ""))
        return 1 if failed and not update else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
