#!/usr/bin/env python3
"""Compile every pair of standard-library rulesets, for each arch.

usage: pairs.py SYSFENCE POLICIES_DIR PAIRS_MD ARCHES...

POLICIES_DIR is the source tree's policies/ (its stdlib/ is imported with
-I, so an older installed copy cannot shadow it). PAIRS_MD is
docs/stdlib-pairs.md, whose table lists the pairs of rulesets that conflict
on purpose: | `a.x` | `b.y` | why |. Each must fail with a conflict, on
every arch.

Every other combination (each ruleset alone and every pair) must compile
without an error or a warning. Each ARCHES argument is an --arch list
(x86_64, x86, aarch64, or a comma-separated set). Prints TAP; there are no
skips: each check either passes or fails.
"""
import concurrent.futures
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile

CONFLICT = re.compile(r"has no effect: an unconditional|conflict")
PAIR_ROW = re.compile(r"\|\s*`([\w.]+)`\s*\|\s*`([\w.]+)`\s*\|")


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
    """The conflicting pairs of PAIRS_MD."""
    pairs = set()
    with open(md, encoding="utf-8") as f:
        for line in f:
            m = PAIR_ROW.match(line)
            if m:
                pairs.add(frozenset((m.group(1), m.group(2))))
    return pairs


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


def check_md(md, names, pairs):
    """Problems with PAIRS_MD itself: unknown rulesets."""
    unknown = sorted({r for p in pairs for r in p if r not in names})
    return [f"{md} names unknown rulesets: {unknown}"] if unknown else []


def judge(combo, arches, rc, diags, pairs, md):
    """(ok, description) for one compile."""
    what = f"{' + '.join(combo)} [{arches}]"
    want_conflict = frozenset(combo) in pairs
    errors = [d for d in diags if d["severity"] == "error"]
    conflicts = [d for d in errors if CONFLICT.search(d["message"])]
    other = [d for d in diags if d not in conflicts]
    if other:
        return False, f"{what}: {other[0]['message']}"
    if want_conflict:
        if conflicts:
            return True, f"{what} conflicts as documented"
        return False, f"{what} compiles, but {md} says it conflicts"
    if conflicts:
        return False, f"{what} conflicts: {conflicts[0]['message']}"
    if rc != 0:
        return False, f"{what}: exit status {rc} without a diagnostic"
    return True, what


def main():
    sysfence, policies, md = sys.argv[1:4]
    configs = sys.argv[4:]
    names = rulesets(os.path.join(policies, "stdlib"))
    pairs = read_md(md)
    combos = [(n,) for n in names] + list(itertools.combinations(names, 2))
    jobs = [(c, a) for a in configs for c in combos]

    print(f"1..{len(jobs) + 1}")
    failed = 0
    problems = check_md(md, names, pairs)
    if problems:
        print(f"not ok 1 - {'; '.join(problems)}")
        failed += 1
    else:
        print(f"ok 1 - {len(names)} rulesets, {len(pairs)} pairs expected to conflict")

    counts = {"compiled": 0, "conflicted": 0}
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(2 * (os.cpu_count() or 1)) as pool:
        futures = [pool.submit(run, sysfence, policies, tmp, c, a, i)
                   for i, (c, a) in enumerate(jobs)]
        for n, ((combo, arches), fut) in enumerate(zip(jobs, futures), start=2):
            rc, diags = fut.result()
            ok, desc = judge(combo, arches, rc, diags, pairs, md)
            if ok:
                key = "conflicted" if desc.endswith("conflicts as documented") else "compiled"
                counts[key] += 1
                print(f"ok {n} - {desc}")
            else:
                failed += 1
                print(f"not ok {n} - {desc}")
    print(f"# {len(jobs)} compiles: {counts['compiled']} clean, {counts['conflicted']} conflicts "
          f"as documented, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
