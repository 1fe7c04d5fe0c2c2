#!/usr/bin/env python3
"""One style for the C sources (compiler/, runtime/, tests/, bench/,
examples/, grammar/): indentation by tabs (spaces after the tabs only to
align a continuation), no trailing white space, a newline at the end.
.editorconfig says the same to editors.

usage: check_style.py [--fix] [ROOT]

Without --fix, prints FILE:LINE: PROBLEM for each offence and exits 1 if
there is any. With --fix, rewrites the files: a run of leading spaces
becomes one tab per four (the old style of some tests), trailing white
space goes, a final newline is added. `./dev fmt` runs --fix."""
import os
import re
import subprocess
import sys

EXTENSIONS = ('.c', '.h', '.y', '.l')
FOLDERS = ('compiler', 'runtime', 'tests', 'bench', 'examples', 'grammar')
SPACE_INDENT = re.compile(r'^( {4,})(?=\S)')
MIXED = re.compile(r'^\t* +\t')


def tracked_sources(root):
    out = subprocess.run(['git', '-C', root, 'ls-files', '--'] + list(FOLDERS),
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:   # not a checkout: walk the folders
        names = []
        for top in FOLDERS:
            for dirpath, _, files in os.walk(os.path.join(root, top)):
                names += [os.path.relpath(os.path.join(dirpath, f), root) for f in files]
    else:
        names = out.stdout.split()
    return sorted(n for n in names if n.endswith(EXTENSIONS))


def problems(lines):
    for i, line in enumerate(lines, 1):
        body = line.rstrip('\n')
        if body != body.rstrip():
            yield i, 'trailing white space'
        if SPACE_INDENT.match(body):
            yield i, 'indented with spaces, not tabs'
        if MIXED.match(body):
            yield i, 'a space before a tab in the indentation'


def fixed(text):
    out = []
    for line in text.split('\n'):
        line = line.rstrip()
        m = SPACE_INDENT.match(line)
        if m:
            n = len(m.group(1))
            line = '\t' * (n // 4) + ' ' * (n % 4) + line[n:]
        out.append(line)
    return '\n'.join(out).rstrip('\n') + '\n'


def main():
    args = sys.argv[1:]
    fix = '--fix' in args
    args = [a for a in args if a != '--fix']
    root = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), '..', '..'))
    bad = 0
    files = tracked_sources(root)
    for name in files:
        path = os.path.join(root, name)
        with open(path, encoding='utf-8') as f:
            text = f.read()
        if fix:
            new = fixed(text)
            if new != text:
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(new)
                print('fixed', name)
            continue
        if text and not text.endswith('\n'):
            print('%s: no newline at the end' % name)
            bad += 1
        for line, what in problems(text.splitlines(True)):
            print('%s:%d: %s' % (name, line, what))
            bad += 1
    if not fix:
        print('%d files checked, %d style problems' % (len(files), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
