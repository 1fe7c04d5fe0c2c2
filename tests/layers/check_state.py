#!/usr/bin/env python3
"""Finds mutable state with static storage in compiler/ and grammar/.

State travels in context structs (see README.md); nothing is kept in a
variable that lives for the whole process. This reports, for every .c and
.h of compiler/ and the C parts of grammar/*.y and *.l (the %{ %} and
%code blocks and the epilogue; generated code is not scanned):
  - file-scope variables that are not const, with or without `static`
    (`static const char *x;` is mutable: the pointer is not const;
    `static const char *const x[]` is not);
  - `static` variables inside functions that are not const.
Prototypes, typedefs, struct/union/enum definitions and `extern`
declarations are not state.

It is a C-aware scan, not a parser: comments, strings and preprocessor
lines are blanked, braces are tracked, and each declaration is judged by
its declarators. Prints `file:line: mutable file-scope state: <decl>` per
finding and exits 1 if there is any."""
import os
import re
import sys

IDENT = re.compile(r'[A-Za-z_]\w*')
ATTRIBUTE = re.compile(r'\b(__attribute__|__asm__|asm|_Alignas|alignas)\s*\(')
TYPE_ONLY = re.compile(r'^((static|const|volatile|_Thread_local|__thread)\s+)*'
                       r'(struct|union|enum)(\s+\w+)?\s*(\{\})?$')
TYPE_TAIL = re.compile(r'\b(struct|union|enum)(\s+\w+)?\s*$')   # a body follows
NOT_NAMES = {'const', 'volatile', 'restrict', '__restrict', 'static', 'register',
             'signed', 'unsigned', 'struct', 'union', 'enum'}


# ---- reading C ----

def blank(text, start, end):
    """TEXT with [START, END) replaced by spaces, newlines kept."""
    return text[:start] + re.sub(r'[^\n]', ' ', text[start:end]) + text[end:]


def strip_c(text):
    """Comments and preprocessor lines blanked, string and character
    literals emptied (their quotes kept); line numbers are unchanged."""
    out = []
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
            continue
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
            continue
        if c == '#' and line_start:
            j = i
            while j < n and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1   # a continued line goes on
            j = min(j, n)
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
            continue
        if c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            closed = j < n and text[j] == c
            out.append(c + re.sub(r'[^\n]', ' ', text[i + 1:j]) + (c if closed else ''))
            i = j + 1 if closed else j
            continue
        if c == '\n':
            line_start = True
        elif not c.isspace():
            line_start = False
        out.append(c)
        i += 1
    return ''.join(out)


def grammar_c_parts(text):
    """The C code of a flex or bison file, everything else blanked: the
    %{ %} blocks, %code { } blocks and what follows the second %%. The
    rules between the %% lines are patterns and actions, not declarations."""
    keep = [False] * len(text)
    for m in re.finditer(r'^%\{\n(.*?)^%\}', text, re.M | re.S):
        keep[m.start(1):m.end(1)] = [True] * (m.end(1) - m.start(1))
    for m in re.finditer(r'^%code(\s+\w+)?\s*\{', text, re.M):
        end = match_brace(strip_c(text), m.end() - 1) - 1   # without the closing brace
        keep[m.end():end] = [True] * (end - m.end())
    marks = [m.end() for m in re.finditer(r'^%%[^\n]*$', text, re.M)]
    if len(marks) >= 2:
        keep[marks[1]:] = [True] * (len(text) - marks[1])
    return ''.join(c if k or c == '\n' else ' ' for c, k in zip(text, keep))


def match_brace(text, i):
    """The index just after the bracket that closes the one at TEXT[I]."""
    pairs = {'{': '}', '(': ')', '[': ']'}
    stack = []
    for j in range(i, len(text)):
        c = text[j]
        if c in pairs:
            stack.append(pairs[c])
        elif stack and c == stack[-1]:
            stack.pop()
            if not stack:
                return j + 1
    return len(text)


def top_level(s, chars):
    """Indices of CHARS in S outside any bracket pair."""
    depth, found = 0, []
    for i, c in enumerate(s):
        if depth == 0 and c in chars:
            found.append(i)
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
    return found


def depth_at(s, i):
    """How many brackets are open at S[I]."""
    return sum(s[:i].count(c) for c in '([{') - sum(s[:i].count(c) for c in ')]}')


def drop_attributes(s):
    while True:
        m = ATTRIBUTE.search(s)
        if not m:
            return s
        s = s[:m.start()] + ' ' + s[match_brace(s, m.end() - 1):]


# ---- judging one declaration ----

def is_function(decl):
    """Does declarator DECL declare a function (not a pointer to one)?"""
    parens = top_level(decl, '(')
    if not parens:
        return False
    i = parens[0]
    inner = decl[i + 1:match_brace(decl, i) - 1].strip()
    if inner.startswith('*'):
        # A grouped pointer declarator, (*name)(...): a variable, unless
        # it is itself a function returning a pointer, (*name(...))(...).
        return is_function(re.sub(r'^[*\s]*((const|volatile|restrict)\b[*\s]*)*', '', inner))
    return bool(re.search(r'\w\s*$', decl[:i]))


def flatten(decl):
    """DECL with array sizes, parameter lists and grouping removed:
    `(*const tbl[4])(void)` becomes `*const tbl`."""
    out, i = '', 0
    while i < len(decl):
        c = decl[i]
        if c == '[':
            i = match_brace(decl, i)
            continue
        if c == '(':
            end = match_brace(decl, i)
            if re.search(r'[\w)]\s*$', out):
                i = end                    # a parameter list
            else:
                out += ' ' + flatten(decl[i + 1:end - 1]) + ' '
                i = end
            continue
        out += c
        i += 1
    return out


def split_specifiers(piece):
    """The first declaration of a list as (specifiers, declarator)."""
    starts = top_level(piece, '*(')
    if starts:
        return piece[:starts[0]], piece[starts[0]:]
    outside = [m for m in IDENT.finditer(piece)
               if m.group() not in NOT_NAMES and depth_at(piece, m.start()) == 0]
    if not outside:
        return piece, ''
    last = outside[-1]
    return piece[:last.start()], piece[last.start():]


def declarators(decl):
    """(name, is_const) for each variable declared by DECL, a statement
    with bodies and initializers already reduced to `{}`; [] when it
    declares no variable."""
    decl = drop_attributes(decl).strip()
    if not decl or re.match(r'(typedef|extern|_Static_assert|static_assert)\b', decl):
        return []
    if TYPE_ONLY.match(decl):
        return []
    pieces, last = [], 0
    for i in top_level(decl, ',') + [len(decl)]:
        piece = decl[last:i]
        eq = top_level(piece, '=')
        pieces.append(piece[:eq[0]] if eq else piece)
        last = i + 1
    if is_function(pieces[0]):
        return []    # a prototype (and a list of them: `int f(void), g(int);`)
    specifiers, first = split_specifiers(pieces[0])
    found = []
    for d in [first] + pieces[1:]:
        if not d.strip() or is_function(d):
            continue
        flat = flatten(d)
        names = [n for n in IDENT.findall(flat) if n not in NOT_NAMES]
        if not names:
            continue
        star = flat.rfind('*')
        if star >= 0:
            const = re.search(r'\bconst\b', flat[star:]) is not None
        else:
            const = re.search(r'\bconst\b', specifiers + flat) is not None
        found.append((names[-1], const))
    return found


# ---- walking a file ----

class Scan:
    def __init__(self, path, text):
        self.path = path
        self.text = text
        self.findings = []   # (line, name, shown)

    def line_of(self, i):
        return self.text.count('\n', 0, i) + 1

    def judge(self, start, decl, where):
        decl = re.sub(r'\s+', ' ', decl).strip()
        for name, const in declarators(decl):
            if const:
                continue
            eq = top_level(decl, '=')
            # Without the initializer, unless it declares several names.
            shown = decl[:eq[0]] + '= ...' if eq and not top_level(decl, ',') else decl
            shown += ' [%s]' % name
            if where is not None:
                shown += ', a static local in %s()' % where
            self.findings.append((self.line_of(start), name, shown))

    def file_scope(self):
        t, i, n = self.text, 0, len(self.text)
        start, decl = None, ''
        while i < n:
            c = t[i]
            if start is None and not c.isspace():
                start = i
            if c == '{':
                end = match_brace(t, i)
                if top_level(decl, '=') or TYPE_TAIL.search(decl):
                    decl += '{}'               # an initializer or a type's body
                else:                           # a function's body
                    m = re.search(r'(\w+)\s*\([^()]*\)\s*$', drop_attributes(decl))
                    self.body(i + 1, end - 1, m.group(1) if m else '?')
                    start, decl = None, ''
                i = end
                continue
            if c == ';':
                self.judge(start, decl, None)
                start, decl = None, ''
            else:
                decl += c
            i += 1

    def body(self, i, end, func):
        """Static locals in the function body t[I:END]."""
        t = self.text
        start, stmt = None, ''
        while i < end:
            c = t[i]
            if start is None and not c.isspace():
                start = i
            if c == '(' or (c == '{' and (top_level(stmt, '=') or TYPE_TAIL.search(stmt))):
                j = match_brace(t, i)           # a condition, call, initializer or type
                stmt += t[i:j] if c == '(' else '{}'
                i = j
                continue
            if c in '{};':
                if c == ';' and re.match(r'\s*static\b', stmt):
                    self.judge(start, stmt, func)
                start, stmt = None, ''
            else:
                stmt += c
            i += 1


def scan_file(root, path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if path.endswith(('.y', '.l')):
        text = grammar_c_parts(text)
    s = Scan(os.path.relpath(path, root), strip_c(text))
    s.file_scope()
    return s.findings


def sources(root):
    for top, exts in (('compiler', ('.c', '.h')), ('grammar', ('.y', '.l'))):
        for dirpath, dirs, names in os.walk(os.path.join(root, top)):
            dirs.sort()
            for n in sorted(names):
                if n.endswith(exts):
                    yield os.path.join(dirpath, n)


def main():
    args = sys.argv[1:]
    root = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), '..', '..'))
    errors, files = 0, 0
    for path in sources(root):
        files += 1
        for line, _, shown in scan_file(root, path):
            print('%s:%d: mutable file-scope state: %s' % (os.path.relpath(path, root), line, shown))
            errors += 1
    print('%d files checked, %d errors' % (files, errors))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
