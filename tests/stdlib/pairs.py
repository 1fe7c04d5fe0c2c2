#!/usr/bin/env python3
"""Compile every pair of standard-library rulesets, for each arch.

usage: pairs.py SYSFENCE POLICIES_DIR PAIRS_MD ARCHES...

POLICIES_DIR is the source tree's policies/ (its stdlib/ is imported with
-I, so an older installed copy cannot shadow it). PAIRS_MD is
docs/stdlib-pairs.md, which has two tables:

- pairs of rulesets that conflict on purpose: | `a.x` | `b.y` | why |.
  Each must fail with a conflict, on every arch.
- rulesets the compiler refuses on an arch: | `net.*` | x86 | why |
  (a ruleset name or a glob over them, then arches). A combination that
  includes such a ruleset must fail, whenever one of those arches is a
  target, with the compiler's refusal naming that arch, and nothing else.

Every other combination (each ruleset alone and every pair) must compile
without an error or a warning. Each ARCHES argument is an --arch list
(x86_64, x86, aarch64, or a comma-separated set). Prints TAP; there are no
skips: each check either passes or fails.
"""
import concurrent.futures
import fnmatch
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile

ARCHES = {"x86_64", "x86", "aarch64", "x32"}
CONFLICT = re.compile(r"has no effect: an unconditional|conflict")
# backend.c: socket and ipc calls on x86, which libseccomp 2.5.4 filters only
# together with their multiplexer (socketcall, ipc).
REFUSAL = re.compile(r"filters '\w+' on (\w+) only together with its multiplexer")
PAIR_ROW = re.compile(r"\|\s*`([\w.]+)`\s*\|\s*`([\w.]+)`\s*\|")
REFUSED_ROW = re.compile(r"\|\s*`([\w.*?]+)`\s*\|\s*([\w, ]+?)\s*\|")


def rulesets(stdlib):
    names = []
    for fn in sorted(os.listdir(stdlib)):
        if not fn.endswith(".policy"):
            continue
        stem = fn[: -len(".policy")]
        with open(os.path.join(stdlib, fn), encoding="utf-8") as f:
            for line in f:
                m = re.match(r"\s*ruleset\s+(\w+)", line)
                if m:
                    names.append(f"{stem}.{m.group(1)}")
    return names


def read_md(md):
    """The conflicting pairs and the (glob, arches) refusals of PAIRS_MD."""
    pairs, refused = set(), []
    with open(md, encoding="utf-8") as f:
        for line in f:
            m = PAIR_ROW.match(line)
            if m:
                pairs.add(frozenset((m.group(1), m.group(2))))
                continue
            m = REFUSED_ROW.match(line)
            if m:
                arches = {a.strip() for a in m.group(2).split(",")}
                refused.append((m.group(1), arches))
    return pairs, refused


def refused_arches(combo, targets, refused):
    """The target arches on which the compiler must refuse COMBO."""
    out = set()
    for glob, arches in refused:
        if any(fnmatch.fnmatchcase(r, glob) for r in combo):
            out |= arches & targets
    return out


def run(sysfence, policies, tmp, combo, arches, index):
    stems = sorted({r.split(".")[0] for r in combo})
    path = os.path.join(tmp, f"p{index}.policy")
    with open(path, "w", encoding="utf-8") as f:
        for s in stems:
            f.write(f'import "stdlib/{s}";\n')
        f.write(f"policy p {{ use {', '.join(combo)}; }}\n")
    res = subprocess.run(
        [sysfence, "check", "-I", policies, "--arch", arches, "--format=json", path],
        capture_output=True, text=True, check=False)
    diags = []
    for line in res.stdout.splitlines() + res.stderr.splitlines():
        try:
            d = json.loads(line)
        except ValueError:
            if line.strip():
                diags.append({"severity": "error", "message": line})
            continue
        if d.get("severity") in ("error", "warning"):
            diags.append(d)
    return res.returncode, diags


def check_md(md, names, pairs, refused):
    """Problems with PAIRS_MD itself: unknown rulesets or arches."""
    problems = []
    unknown = sorted({r for p in pairs for r in p if r not in names})
    if unknown:
        problems.append(f"names unknown rulesets: {unknown}")
    for glob, arches in refused:
        if not any(fnmatch.fnmatchcase(n, glob) for n in names):
            problems.append(f"refusal `{glob}` matches no ruleset")
        if not arches or not arches <= ARCHES:
            problems.append(f"refusal `{glob}` names unknown arches: {sorted(arches - ARCHES)}")
    return [f"{md} {p}" for p in problems]


def judge(combo, arches, rc, diags, pairs, refused, md):
    """(ok, description) for one compile."""
    what = f"{' + '.join(combo)} [{arches}]"
    want_conflict = frozenset(combo) in pairs
    want_refused = refused_arches(combo, set(arches.split(",")), refused)
    errors = [d for d in diags if d["severity"] == "error"]
    conflicts = [d for d in errors if CONFLICT.search(d["message"])]
    refusals = []
    for d in errors:
        m = REFUSAL.search(d["message"])
        if m and m.group(1) in want_refused:
            refusals.append(d)
    other = [d for d in diags if d not in conflicts and d not in refusals]
    if other:
        return False, f"{what}: {other[0]['message']}"
    if want_conflict:
        if conflicts:
            return True, f"{what} conflicts as documented"
        return False, f"{what} compiles, but {md} says it conflicts"
    if conflicts:
        return False, f"{what} conflicts: {conflicts[0]['message']}"
    if want_refused:
        seen = {REFUSAL.search(d["message"]).group(1) for d in refusals}
        if seen == want_refused:
            return True, f"{what} refused on {', '.join(sorted(seen))} as documented"
        return False, (f"{what} is not refused on {', '.join(sorted(want_refused - seen))}, "
                       f"but {md} says it is")
    if rc != 0:
        return False, f"{what}: exit status {rc} without a diagnostic"
    return True, what


def main():
    sysfence, policies, md = sys.argv[1:4]
    configs = sys.argv[4:]
    names = rulesets(os.path.join(policies, "stdlib"))
    pairs, refused = read_md(md)
    combos = [(n,) for n in names] + list(itertools.combinations(names, 2))
    jobs = [(c, a) for a in configs for c in combos]

    print(f"1..{len(jobs) + 1}")
    failed = 0
    problems = check_md(md, names, pairs, refused)
    if problems:
        print(f"not ok 1 - {'; '.join(problems)}")
        failed += 1
    else:
        print(f"ok 1 - {len(names)} rulesets, {len(pairs)} pairs expected to conflict, "
              f"{len(refused)} row(s) of rulesets refused on an arch")

    counts = {"compiled": 0, "conflicted": 0, "refused": 0}
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(2 * (os.cpu_count() or 1)) as pool:
        futures = [pool.submit(run, sysfence, policies, tmp, c, a, i)
                   for i, (c, a) in enumerate(jobs)]
        for n, ((combo, arches), fut) in enumerate(zip(jobs, futures), start=2):
            rc, diags = fut.result()
            ok, desc = judge(combo, arches, rc, diags, pairs, refused, md)
            if ok:
                key = ("conflicted" if desc.endswith("conflicts as documented") else
                       "refused" if desc.endswith("as documented") else "compiled")
                counts[key] += 1
                print(f"ok {n} - {desc}")
            else:
                failed += 1
                print(f"not ok {n} - {desc}")
    print(f"# {len(jobs)} compiles: {counts['compiled']} clean, {counts['conflicted']} conflicts "
          f"and {counts['refused']} refusals as documented, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
