#!/usr/bin/env python3
"""Two rules of compiler/ that a grep can hold.

Every allocation outside the arenas goes through base/mem.h, which never
returns NULL: no malloc, calloc, realloc, strdup or strndup anywhere but
base/mem.c (open_memstream's buffers are libc's to hand out and free()).

Every message to the user goes through base/diag (diag.h): no code in
compiler/ or grammar/ writes to stderr itself, calls perror/err/warn, or
spells out a "sysfence: error" prefix, except base/diag.c (the one
formatter) and base/mem.c (out of memory, when diag itself may not be
able to run). Handing stderr to diag_init or to a function that takes a
diagnostics stream is how a message reaches the user, and is allowed.

usage: check_messages.py [ROOT]; prints FILE:LINE: WHAT and exits 1 on
any finding."""
import os
import re
import sys

ALLOWED = {os.path.join('compiler', 'base', 'diag.c'), os.path.join('compiler', 'base', 'mem.c')}
PRINT_TO_STDERR = re.compile(
    r'\b(v?fprintf|fputs|fputc|putc|fwrite|vdprintf|dprintf)\s*\([^;]*\b(stderr|STDERR_FILENO|2)\s*[,)]')
CALLS = re.compile(r'\b(perror|warn|warnx|err|errx|error|psignal)\s*\(')
PREFIX = re.compile(r'"sysfence: (error|warning|note)')
RAW_ALLOC = re.compile(r'(?<![\w.>])(malloc|calloc|realloc|strdup|strndup|reallocarray)\s*\(')
MEM_ONLY = {os.path.join('compiler', 'base', 'mem.c')}
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)


def blank_comments(text):
    return COMMENT.sub(lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text)


def findings(text, rel):
    text = blank_comments(text)
    if rel not in MEM_ONLY:
        for m in RAW_ALLOC.finditer(text):
            yield text.count('\n', 0, m.start()) + 1, 'allocates with %s, not base/mem.h' % m.group(1)
    if rel in ALLOWED:
        return
    for pattern, what in ((PRINT_TO_STDERR, 'writes to stderr itself, not through diag'),
                          (CALLS, 'reports with a libc helper, not through diag'),
                          (PREFIX, 'spells out a diagnostic prefix, not through diag')):
        for m in pattern.finditer(text):
            yield text.count('\n', 0, m.start()) + 1, what


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), '..', '..'))
    bad = files = 0
    for top in ('compiler', 'grammar'):
        for dirpath, dirs, names in os.walk(os.path.join(root, top)):
            dirs.sort()
            for n in sorted(names):
                if not n.endswith(('.c', '.h', '.y', '.l')):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, n), root)
                files += 1
                with open(os.path.join(root, rel), encoding='utf-8') as f:
                    for line, what in findings(f.read(), rel):
                        print('%s:%d: %s' % (rel, line, what))
                        bad += 1
    print('%d files checked, %d problems' % (files, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
