#!/usr/bin/env python3
"""The manual pages: each renders without a single groff warning, and
sysfence(1) describes every command and option that `sysfence --help`
(and `sysfence COMMAND --help`) lists, so the page cannot drift from the
program.

usage: check_man.py SYSFENCE MANDIR_SOURCE PAGE...
"""
import os
import re
import subprocess
import sys

failures = []


def fail(msg):
    failures.append(msg)
    print("not ok:", msg)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def check_warnings(page):
    """groff with every warning on (-ww), for the default device and for
    an 80-column terminal as man(1) would format it."""
    for extra in ([], ["-Tascii", "-rLL=80n"]):
        r = run(["groff", "-man", "-ww", "-z"] + extra + [page])
        if r.returncode != 0 or r.stderr.strip():
            fail("%s: groff %s: %s" % (page, " ".join(extra), r.stderr.strip() or r.returncode))


def render(page):
    """The page as man(1) shows it, in plain ASCII."""
    env = dict(os.environ, LC_ALL="C", MANWIDTH="200", MANPAGER="cat", PAGER="cat")
    r = run(["man", "-l", page], env=env)
    if r.returncode != 0 or not r.stdout.strip():
        fail("%s: man -l failed: %s" % (page, r.stderr.strip()))
        return ""
    return re.sub(r".\x08", "", r.stdout)


OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][A-Za-z0-9-]*(?:=[a-z]+)?)")


def usage_entries(text):
    """{command: set of options} from the usage lines of a --help text:
    'usage: sysfence CMD ...' and '       sysfence CMD ...', with their
    continuation lines."""
    entries, cmd = {}, None
    for line in text.splitlines():
        if not line.strip():
            break
        m = re.match(r"^(?:usage:)?\s*sysfence\s+(\S+)(.*)$", line)
        if m:
            cmd, rest = m.group(1), m.group(2)
            if cmd.startswith("-"):         # sysfence --version
                entries.setdefault("", set()).add(cmd)
                cmd, rest = None, ""
                continue
            if not re.match(r"^[a-z][a-z-]*$", cmd):
                # 'sysfence COMMAND --help | sysfence help COMMAND |
                # sysfence --version': COMMAND is a placeholder, not a
                # command; the options are sysfence's own.
                entries.setdefault("", set()).update(OPTION.findall(rest))
                cmd = None
                continue
        elif cmd:
            rest = line
        else:
            continue
        entries.setdefault(cmd, set()).update(OPTION.findall(rest))
    return entries


def summary_commands(text):
    """The commands of the table after the usage lines."""
    body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    return {m.group(1) for m in re.finditer(r"^([a-z][a-z-]*)\s", body, re.M)}


def section(text, heading, level):
    """The lines under a heading ('SH': at column 0, 'SS': at column 3)."""
    pat = r"^%s%s$" % ("" if level == "SH" else "   ", re.escape(heading))
    m = re.search(pat, text, re.M)
    if not m:
        return None
    rest = text[m.end():]
    stop = r"^(?:\S|   \S)" if level == "SS" else r"^\S"
    n = re.search(stop, rest, re.M)
    return rest[: n.start()] if n else rest


def has_token(text, tok):
    return re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(tok), text) is not None


def check_page_covers_help(sysfence, page):
    main = run([sysfence, "--help"])
    if main.returncode != 0:
        fail("sysfence --help exited %d" % main.returncode)
        return
    entries = usage_entries(main.stdout)
    commands = (set(entries) - {""}) | summary_commands(main.stdout)
    for cmd in sorted(commands):
        own = run([sysfence, cmd, "--help"])
        if own.returncode != 0:
            fail("sysfence %s --help exited %d" % (cmd, own.returncode))
        entries.setdefault(cmd, set()).update(usage_entries(own.stdout).get(cmd, set()))
    text = render(page)
    synopsis = section(text, "SYNOPSIS", "SH") or ""
    commands_sec = section(text, "COMMANDS", "SH") or ""
    options_sec = section(text, "OPTIONS", "SH") or ""
    # The tags of the option list: lines indented 7, not 14, columns.
    tags = "\n".join(l for l in options_sec.splitlines() if re.match(r"^ {7}\S", l))
    checked = 0
    for cmd in sorted(commands):
        if not section(commands_sec, cmd, "SS"):
            fail("%s: no COMMANDS entry for '%s'" % (page, cmd))
        syn = "\n".join(l for l in synopsis.split("\n       sysfence ")
                        if l.startswith(cmd + " ") or l.strip() == cmd)
        if not syn:
            fail("%s: no SYNOPSIS line for '%s'" % (page, cmd))
        for opt in sorted(entries.get(cmd, ())):
            checked += 1
            if not has_token(syn, opt):
                fail("%s: SYNOPSIS of '%s' lacks %s" % (page, cmd, opt))
            if not has_token(tags, opt):
                fail("%s: OPTIONS does not describe %s (of '%s')" % (page, opt, cmd))
    for opt in sorted(entries.get("", ())):
        checked += 1
        if not has_token(synopsis, opt) or not has_token(tags, opt):
            fail("%s: %s is not in SYNOPSIS and OPTIONS" % (page, opt))
    for sec in ("EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"):
        if section(text, sec, "SH") is None:
            fail("%s: no %s section" % (page, sec))
    env_sec = section(text, "ENVIRONMENT", "SH") or ""
    if "SYSFENCE_LIBSECCOMP_TIMEOUT" not in env_sec:
        fail("%s: ENVIRONMENT lacks SYSFENCE_LIBSECCOMP_TIMEOUT" % page)
    print("ok: %s covers %d commands and %d command options of --help" % (page, len(commands), checked))


def main():
    sysfence, pages = sys.argv[1], sys.argv[2:]
    for page in pages:
        with open(page) as f:
            if f.readline().startswith(".so "):
                continue            # a link, checked below
        check_warnings(page)
        if render(page):
            print("ok: %s renders" % page)
        if os.path.basename(page) == "sysfence.1":
            check_page_covers_help(sysfence, page)
    for page in pages:
        # .so links must name a page of this set.
        with open(page) as f:
            first = f.readline()
        if first.startswith(".so "):
            target = os.path.basename(first.split()[1])
            if not any(os.path.basename(p) == target for p in pages):
                fail("%s: .so names %s, not a page here" % (page, target))
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
