#!/usr/bin/env python3
"""Writes random policies with 64-bit range comparisons on x86_64: the
shapes on which libseccomp 2.5.4 emits wrong filters (several comparisons
of one 64-bit argument, joined by || or spread over rules of one syscall).
Not a test: a hunt. Validate what it writes with

    random_policies.py DIR [COUNT [SEED]]
    SYSFENCE_LIBSECCOMP_TIMEOUT=2 build/tests/validate/test_validate --equal DIR

which prints a checked witness for every wrong filter. In one run of 400
(seed 2), 372 compiled and 43 of those were wrong."""
import os
import random
import sys

CALLS = [("ftruncate", ["length"]), ("write", ["buf", "count"]), ("lseek", ["offset"]),
         ("mmap", ["addr", "len", "offset"])]
BASES = [0, 1 << 31, 1 << 32, 1 << 33, 0x7fffffffffffffff, 0x8000000000000000,
         0xffffffff, 0x1ffffffff, 3, 0x200000005]


def const(rng):
    if rng.random() < 0.2:
        return hex(rng.randrange(0, 1 << 64))
    return hex((rng.choice(BASES) + rng.randrange(-3, 4)) % (1 << 64))


def atom(rng, args):
    op = rng.choice(["==", "!=", "<", "<=", ">", ">="])
    return "%s %s %s" % (rng.choice(args), op, const(rng))


def cond(rng, args, depth=0):
    r = rng.random()
    if depth > 1 or r < 0.4:
        return atom(rng, args)
    if r < 0.6:
        return "%s && %s" % (cond(rng, args, depth + 1), cond(rng, args, depth + 1))
    return "(%s || %s)" % (cond(rng, args, depth + 1), cond(rng, args, depth + 1))


def policy(rng):
    lines = ["policy p {", "  default allow;", "  arch x86_64;"]
    for name, args in rng.sample(CALLS, rng.randrange(1, 3)):
        action = rng.choice(["errno(EPERM)", "errno(EACCES)"])
        for _ in range(rng.randrange(1, 4)):
            lines.append("  %s %s if %s;" % (action, name, cond(rng, args)))
    return "\n".join(lines + ["}", ""])


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: random_policies.py DIR [COUNT [SEED]]")
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out, "r%05d.policy" % i), "w") as f:
            f.write(policy(rng))


if __name__ == "__main__":
    main()
