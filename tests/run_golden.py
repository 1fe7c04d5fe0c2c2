#!/usr/bin/env python3
"""Golden-test runner for sysfence policies.

usage: run_golden.py [--good] [-v] SYSFENCE_BINARY DIR [NAME...]

Without --good, every DIR/*.policy is a policy that must be refused. Its
comment lines say what is expected:

  # expect: LINE:COL: error: MESSAGE       an error or warning, in output order
  # expect: error: MESSAGE                 one printed without a location
  # expect: lib/x.policy:L:C: error: MSG   one located in another file
                                           (path relative to DIR)
  # expect-re: REGEX                       like expect, REGEX must match the
                                           whole "LINE:COL: level: message"
  # expect-note: LINE:COL: note: MESSAGE   a note (same forms as expect)
  # args: ARGS...                          extra command-line arguments
  # command: compile                       run `sysfence compile FILE -o OUT`
                                           instead of `sysfence check`; OUT must
                                           not exist afterwards
  # exit: N                                the exit status (default 1)
  # xfail: REASON                          a known compiler bug: the test is
                                           reported as "xfail" while it fails,
                                           and as a failure once it passes

The errors and warnings printed must be exactly the `expect` lines, in the
same order; the notes listed must appear, in order, among the rest of the
output. The command must finish within 10 seconds, exit with the expected
status and show no sign of a crash (death by signal, sanitizer reports).
Every file is also run through `sysfence check --format=json`: each stdout
line must be a JSON object with "severity" and "message" (and "file",
"line", "column" together when located; "id" and a "notes" list of nested
note objects on every error and warning; a warning's id is what the text
output prints as " [id]" at the end of the message) and, for check tests,
the same diagnostics as the text output.

With --good, every DIR/*.policy must pass `sysfence check` and
`sysfence compile FILE -o tmp.bpf` with exit status 0 and no diagnostics, and
the .bpf file must be a non-zero multiple of 8 bytes (struct sock_filter).
`# args:` applies there too.

Files in subdirectories (DIR/lib/...) are helpers for imports, not tests.
The last line printed is "N passed, M failed"; the exit status is 1 when
anything failed.
"""

import glob
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

TIMEOUT = 10
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer",
                   "ERROR: UndefinedBehaviorSanitizer", "AddressSanitizer:DEADLYSIGNAL")
LEVELS = ("error", "warning", "note")

LOCATED = re.compile(r"^(?!\s)(.*?):(\d+):(\d+): (error|warning|note): (.*)$")
UNLOCATED = re.compile(r"^sysfence: (error|warning|note): (.*)$")
SUMMARY = re.compile(r"^(\d+) errors?, (\d+) warnings?$")
DIRECTIVE = re.compile(r"^\s*#\s*(expect|expect-re|expect-note|args|command|exit|xfail):\s?(.*?)\s*$")


class Failure(Exception):
    pass


class Diag:
    """One diagnostic: its level and the text compared with expectations."""

    def __init__(self, level, path, line, col, message):
        self.level = level
        self.path = path
        self.line = line
        self.col = col
        self.message = message

    def key(self, own):
        """The text an expectation is compared with: no path for OWN."""
        if self.path is None:
            return "%s: %s" % (self.level, self.message)
        loc = "%d:%d" % (self.line, self.col)
        if self.path != own:
            loc = "%s:%s" % (self.path, loc)
        return "%s: %s: %s" % (loc, self.level, self.message)

    def tuple(self):
        return (self.level, self.path, self.line, self.col, self.message)


class Expect:
    def __init__(self, kind, text, lineno):
        self.kind = kind            # "expect", "expect-re" or "expect-note"
        self.text = text
        self.lineno = lineno
        self.regex = re.compile(text) if kind == "expect-re" else None

    @property
    def is_note(self):
        return self.kind == "expect-note"

    def matches(self, key):
        if self.regex:
            return self.regex.fullmatch(key) is not None
        return self.text == key

    def __str__(self):
        return "%s: %s" % (self.kind, self.text)


class Test:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.expects = []
        self.args = []
        self.command = "check"
        self.exit = None
        self.xfail = None
        with open(path, encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                m = DIRECTIVE.match(line)
                if not m:
                    continue
                kind, value = m.group(1), m.group(2)
                if kind in ("expect", "expect-re", "expect-note"):
                    try:
                        self.expects.append(Expect(kind, value, lineno))
                    except re.error as e:
                        raise Failure("line %d: bad regex: %s" % (lineno, e))
                elif kind == "args":
                    self.args += shlex.split(value)
                elif kind == "command":
                    if value not in ("check", "compile"):
                        raise Failure("line %d: unknown command '%s'" % (lineno, value))
                    self.command = value
                elif kind == "exit":
                    self.exit = int(value)
                elif kind == "xfail":
                    self.xfail = value or "known bug"


def run(argv, cwd):
    try:
        p = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Failure("timed out after %ds: %s" % (TIMEOUT, " ".join(argv)))
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode < 0:
        raise Failure("killed by signal %d: %s" % (-p.returncode, " ".join(argv)))
    for mark in SANITIZER_MARKS:
        if mark in err or mark in out:
            raise Failure("sanitizer report (%s): %s" % (mark, " ".join(argv)))
    return p.returncode, out, err


def parse_text(err):
    """The diagnostics of a text-format run; checks carets and the summary."""
    diags = []
    lines = err.split("\n")
    summary = None
    for i, line in enumerate(lines):
        m = LOCATED.match(line)
        if m:
            d = Diag(m.group(4), m.group(1), int(m.group(2)), int(m.group(3)), m.group(5))
            diags.append(d)
            # The source line and a caret under column COL.
            if i + 2 < len(lines) and lines[i + 1].startswith("  ") and lines[i + 2].endswith("^"):
                src, caret = lines[i + 1][2:], lines[i + 2][2:]
                want = min(d.col - 1, len(src))
                if src.startswith("...") or src.endswith("..."):
                    # a long line cut around the caret: it must point
                    # inside what is shown
                    want = min(len(caret) - 1, len(src))
                if len(caret) - 1 != want:
                    raise Failure("caret of '%s' is under column %d, not %d"
                                  % (line, len(caret), want + 1))
            continue
        m = UNLOCATED.match(line)
        if m:
            diags.append(Diag(m.group(1), None, None, None, m.group(2)))
            continue
        m = SUMMARY.match(line)
        if m:
            summary = (int(m.group(1)), int(m.group(2)))
    if summary is not None:
        counted = (sum(d.level == "error" for d in diags), sum(d.level == "warning" for d in diags))
        if summary != counted:
            raise Failure("summary says %d errors, %d warnings; %d and %d were printed"
                          % (summary + counted))
    return diags


ID = re.compile(r"[a-z]+(-[a-z]+)*")


def json_diag(obj, n, line, note):
    """One diagnostic (or nested note) of a --format=json record."""
    if not isinstance(obj, dict):
        raise Failure("--format=json line %d: not an object: %r" % (n, line))
    if obj.get("severity") not in LEVELS or not isinstance(obj.get("message"), str):
        raise Failure("--format=json line %d lacks severity/message: %r" % (n, line))
    if note and (obj["severity"] != "note" or "id" in obj or "notes" in obj):
        raise Failure("--format=json line %d: a nested note must be a plain note: %r" % (n, line))
    message = obj["message"]
    if obj["severity"] != "note" or "id" in obj:
        # Every error and warning has an id; a warning's is printed as
        # "[id]" at the end of the text line, an error's (its kind) is not.
        if obj["severity"] == "note" or not isinstance(obj.get("id"), str) or \
                not ID.fullmatch(obj["id"]):
            raise Failure("--format=json line %d has a bad or no id: %r" % (n, line))
        if obj["severity"] == "warning":
            message = "%s [%s]" % (message, obj["id"])
        if not isinstance(obj.get("notes"), list):
            raise Failure("--format=json line %d has no list of notes: %r" % (n, line))
    located = [k in obj for k in ("file", "line", "column")]
    if any(located) and not all(located):
        raise Failure("--format=json line %d has only part of file/line/column: %r" % (n, line))
    if all(located):
        if not isinstance(obj["file"], str) or not all(
                isinstance(obj[k], int) and obj[k] >= 1 for k in ("line", "column")):
            raise Failure("--format=json line %d has a bad location: %r" % (n, line))
        return Diag(obj["severity"], obj["file"], obj["line"], obj["column"], message)
    return Diag(obj["severity"], None, None, None, message)


def parse_json(out):
    """The diagnostics of a --format=json run, notes after their diagnostic
    as the text output prints them."""
    diags = []
    for n, line in enumerate(out.splitlines(), 1):
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise Failure("--format=json line %d is not JSON (%s): %r" % (n, e, line))
        diags.append(json_diag(obj, n, line, False))
        for note in obj.get("notes", []) if isinstance(obj, dict) else []:
            diags.append(json_diag(note, n, line, True))
    return diags


def compare(test, diags):
    own = test.name
    keys = [(d.level, d.key(own)) for d in diags]
    main = [k for lv, k in keys if lv != "note"]
    wanted = [e for e in test.expects if not e.is_note]
    for i in range(max(len(main), len(wanted))):
        got = main[i] if i < len(main) else None
        exp = wanted[i] if i < len(wanted) else None
        if got is None:
            raise Failure("missing diagnostic #%d: %s" % (i + 1, exp.text))
        if exp is None:
            raise Failure("unexpected diagnostic #%d: %s" % (i + 1, got))
        if not exp.matches(got):
            raise Failure("diagnostic #%d is\n      %s\n    expected\n      %s" % (i + 1, got, exp.text))
    # Notes, in order among everything printed.
    pos = 0
    for e in test.expects:
        while pos < len(keys) and not e.matches(keys[pos][1]):
            pos += 1
        if pos == len(keys):
            raise Failure("expected note not found (in order): %s" % e.text)
        pos += 1


def run_bad(sysfence, d, test):
    if not test.expects:
        raise Failure("no '# expect:' lines")
    want_exit = 1 if test.exit is None else test.exit
    with tempfile.TemporaryDirectory(prefix="golden-") as tmp:
        out_path = os.path.join(tmp, "out.bpf")
        if test.command == "compile":
            argv = [sysfence, "compile", test.name, "-o", out_path] + test.args
        else:
            argv = [sysfence, "check"] + test.args + [test.name]
        rc, out, err = run(argv, d)
        diags = parse_text(err)
        if rc != want_exit:
            raise Failure("exit status %d, expected %d" % (rc, want_exit), diags)
        try:
            compare(test, diags)
        except Failure as f:
            raise Failure(f.args[0], diags)
        if test.command == "compile":
            left = os.listdir(tmp)
            if left:
                raise Failure("compile left files behind: %s" % ", ".join(sorted(left)))
            if out.strip():
                raise Failure("compile printed on stdout: %r" % out[:200])

    # The same file through --format=json.
    jrc, jout, jerr = run([sysfence, "check", "--format=json"] + test.args + [test.name], d)
    jdiags = parse_json(jout)
    if '"id":"error"' in jout:
        raise Failure("an error has the catch-all id 'error' (no kind in compiler/base/diag_kind.c): %r"
                      % jout[:300])
    if test.command == "check":
        if jrc != rc:
            raise Failure("--format=json exits %d, the text run %d" % (jrc, rc))
        text = [x.tuple() for x in diags]
        js = [x.tuple() for x in jdiags]
        if text != js:
            raise Failure("--format=json reports other diagnostics than the text run:\n      %s\n    vs\n      %s"
                          % (js, text))
    if jerr.strip() and jrc in (0, 1):
        raise Failure("--format=json printed on stderr: %r" % jerr[:200])


def run_good(sysfence, d, test):
    argv = [sysfence, "check"] + test.args + [test.name]
    rc, out, err = run(argv, d)
    if rc != 0 or err.strip():
        raise Failure("check exits %d:\n%s" % (rc, indent(err)))
    rc, out, err = run([sysfence, "check", "--format=json"] + test.args + [test.name], d)
    if rc != 0 or out.strip():
        raise Failure("check --format=json exits %d:\n%s" % (rc, indent(out)))
    parse_json(out)
    with tempfile.TemporaryDirectory(prefix="golden-") as tmp:
        bpf = os.path.join(tmp, "tmp.bpf")
        rc, out, err = run([sysfence, "compile", test.name, "-o", bpf] + test.args, d)
        if rc != 0 or err.strip():
            raise Failure("compile exits %d:\n%s" % (rc, indent(err)))
        if not os.path.isfile(bpf):
            raise Failure("compile wrote no %s" % bpf)
        size = os.path.getsize(bpf)
        if size == 0 or size % 8:
            raise Failure("the .bpf file has %d bytes, not a non-zero multiple of 8" % size)
        left = sorted(set(os.listdir(tmp)) - {"tmp.bpf"})
        if left:
            raise Failure("compile left files behind: %s" % ", ".join(left))


def indent(text):
    return "\n".join("    " + l for l in text.rstrip("\n").split("\n"))


def main(argv):
    good = False
    verbose = False
    rest = []
    for a in argv[1:]:
        if a == "--good":
            good = True
        elif a in ("-v", "--verbose"):
            verbose = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            rest.append(a)
    if len(rest) < 2:
        sys.stderr.write("usage: run_golden.py [--good] [-v] SYSFENCE_BINARY DIR [NAME...]\n")
        return 2
    sysfence, d, only = os.path.abspath(rest[0]), os.path.abspath(rest[1]), rest[2:]
    files = sorted(glob.glob(os.path.join(d, "*.policy")))
    if only:
        names = {n if n.endswith(".policy") else n + ".policy" for n in only}
        files = [f for f in files if os.path.basename(f) in names]
    if not files:
        sys.stderr.write("run_golden.py: no *.policy files in %s\n" % d)
        return 1
    passed = failed = xfailed = 0
    for path in files:
        name = os.path.basename(path)[:-len(".policy")]
        xfail = None
        try:
            test = Test(path)
            xfail = test.xfail
            (run_good if good else run_bad)(sysfence, d, test)
        except Failure as f:
            if xfail:
                xfailed += 1
                print("xfail %s: %s (%s)" % (name, xfail, f.args[0].split("\n")[0]))
                continue
            failed += 1
            print("FAIL %s: %s" % (name, f.args[0]))
            if len(f.args) > 1 or verbose:
                for diag in (f.args[1] if len(f.args) > 1 else []):
                    print("    | %s" % diag.key(os.path.basename(path)))
            continue
        if xfail:
            failed += 1
            print("FAIL %s: passes, but is marked '# xfail: %s'; remove the mark" % (name, xfail))
            continue
        passed += 1
        print("ok %s" % name)
    if xfailed:
        print("%d expected failure%s (known compiler bugs, '# xfail:')" % (xfailed, "" if xfailed == 1 else "s"))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
