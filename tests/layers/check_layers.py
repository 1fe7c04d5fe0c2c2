#!/usr/bin/env python3
"""Checks the layering of compiler/ (see compiler/meson.build).

Every #include "LAYER/file.h" in a file of compiler/ or grammar/ must name
its own layer or one below it; compiler/ holds only layer folders; every
layer folder is known. Prints one line per violation and exits 1 if any.
The link step enforces the same for calls (layer_check_* shared objects)."""
import os
import re
import sys

LAYERS = ['base', 'tables', 'bpf', 'frontend', 'analysis', 'backend', 'layout',
          'output', 'driver', 'tools', 'cli']
RANK = {name: i for i, name in enumerate(LAYERS)}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(root, path):
    rel = os.path.relpath(path, root)
    top = rel.split(os.sep)[0]
    if top == 'grammar':
        return 'frontend'        # lexer.l and parser.y are built into it
    return rel.split(os.sep)[1] if top == 'compiler' else None


def check_file(root, path, errors):
    own = layer_of(root, path)
    with open(path, encoding='utf-8') as f:
        text = f.read()
    for m in INCLUDE.finditer(text):
        inc = m.group(1)
        line = text.count('\n', 0, m.start()) + 1
        where = '%s:%d' % (os.path.relpath(path, root), line)
        if '/' not in inc:
            if inc not in ('parser.h', 'lexer.h'):   # generated next to their user
                errors.append('%s: include "%s" is not path-qualified' % (where, inc))
            continue
        target = inc.split('/')[0]
        if target not in RANK:
            errors.append('%s: include "%s" names no layer' % (where, inc))
        elif RANK[target] > RANK[own]:
            errors.append('%s: %s includes "%s" from the later layer %s'
                          % (where, own, inc, target))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..')
    root = os.path.abspath(root)
    errors = []
    compiler = os.path.join(root, 'compiler')
    for entry in sorted(os.listdir(compiler)):
        full = os.path.join(compiler, entry)
        if os.path.isdir(full):
            if entry not in RANK:
                errors.append('compiler/%s: a folder that is no layer' % entry)
        elif entry.endswith(('.c', '.h')):
            errors.append('compiler/%s: a loose source file outside the layers' % entry)
    checked = 0
    for top in ('compiler', 'grammar'):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for n in sorted(names):
                if n.endswith(('.c', '.h', '.l', '.y')):
                    check_file(root, os.path.join(dirpath, n), errors)
                    checked += 1
    for e in errors:
        print(e)
    print('%d files checked, %d layering errors' % (checked, len(errors)))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
