#!/usr/bin/env bash
# Hostile inputs: the compiler must refuse them with a clear message, in
# bounded time, output and memory, never crash (issue "Data safety and
# hostile input"). Usage: test_hostile.sh SYSFENCE
set -u
set -f   # the chains below contain "*"
SF=$1
. "$(dirname "$0")/../lib.sh"

# Runs "$SF ARGS..." with a deadline and a memory cap; output in $T/out.
# Returns its exit status (124: the deadline, >128: a signal).
# The cap is 4 GB of address space, unless the binary cannot start under
# it (AddressSanitizer reserves terabytes): then only the deadline holds.
printf 'policy p { allow read; }\n' > "$T/tiny.policy"
CAP=4000000
bash -c 'ulimit -v $1; "$2" check "$3"; exit $?' - $CAP "$SF" "$T/tiny.policy" >/dev/null 2>&1 ||
	CAP=unlimited
run() {
	local secs=$1; shift
	( ulimit -v $CAP; timeout "$secs" "$SF" "$@" ) > "$T/out" 2>&1
}
# no death by signal or deadline, no sanitizer report
sane() { [ "$1" -lt 124 ] && ! grep -qE "AddressSanitizer|runtime error:|LeakSanitizer" "$T/out"; }

# ---- long chains: a depth limit at the parser, no stack overflow after it
chain() {   # N OP TERM: a policy with one rule whose condition is N terms
	python3 - "$@" <<'PY'
import sys
n, op, term = int(sys.argv[1]), sys.argv[2], sys.argv[3]
terms = (" %s " % op).join(term.replace("I", str(i % 1000)) for i in range(n))
print("policy p {\n    allow read if %s;\n}" % terms)
PY
}
for spec in "60000 || fd==I" "60000 && fd!=I" "60000 + I" "60000 | I" "60000 * 1"; do
	set -- $spec
	if [ "$2" = "||" ] || [ "$2" = "&&" ]; then chain "$1" "$2" "$3"; else
		python3 -c "print('policy p {\n    allow read if count == ' + ' $2 '.join(['$3'.replace('I', str(i % 9)) for i in range($1)]) + ';\n}')"
	fi > "$T/chain.policy"
	run 60 check "$T/chain.policy"; rc=$?
	check "$1-term '$2' chain: no crash (status $rc)" sane $rc
	check "$1-term '$2' chain: refused as too deep" grep -q "2:[0-9]*: error: expression nests too deeply: more than 2000 levels" "$T/out"
	check "$1-term '$2' chain: one error" test "$(grep -c 'error:' "$T/out")" -eq 1
done
printf 'policy p {\n    allow read if %sfd == 1;\n}\n' "$(head -c 60000 /dev/zero | tr '\0' '!')" > "$T/not.policy"
run 60 check "$T/not.policy"; rc=$?
check "60000 negations: no crash (status $rc)" sane $rc
check "60000 negations: refused" grep -q "error:" "$T/out"
printf 'policy p {\n    allow read if %sfd == 1%s;\n}\n' "$(head -c 60000 /dev/zero | tr '\0' '(')" "$(head -c 60000 /dev/zero | tr '\0' ')')" > "$T/paren.policy"
run 60 check "$T/paren.policy"; rc=$?
check "60000 parentheses: no crash (status $rc)" sane $rc
check "60000 parentheses: refused" grep -q "error:" "$T/out"
chain 1000 "||" "fd==I" > "$T/or1000.policy"
run 60 compile "$T/or1000.policy" -o "$T/or1000.bpf"; rc=$?
check "1000-term '||' chain compiles (status $rc)" test $rc -eq 0
chain 1000 "&&" "fd!=I" > "$T/and1000.policy"
run 60 compile "$T/and1000.policy" -o "$T/and1000.bpf"; rc=$?
check "1000-term '&&' chain compiles (status $rc)" test $rc -eq 0
run 60 doc "$T/and1000.policy"; rc=$?
check "doc of a 1000-term chain (status $rc)" test $rc -eq 0

# The deepest trees the parser lets through, for every stage after it
# (under AddressSanitizer too, whose stack frames are bigger).
python3 - "$T" <<'PY'
import sys
t, D = sys.argv[1], 2000
s = "fd == 0"
for i in range(D - 2):   # a || (b || (...)): right-nested, with parentheses
    s = "fd == %d || (%s)" % (i % 50, s)
open(t + "/right.policy", "w").write("policy p {\n    allow read if %s;\n}\n" % s)
e = " + ".join(["1"] * D)
open(t + "/unary.policy", "w").write(
    "const A = %s;\npolicy p {\n    allow read if count == %s1 || count == A;\n"
    "    allow write if count == %s1;\n}\n" % (e, "-" * (D - 1), "~" * (D - 1)))
PY
run 60 check "$T/right.policy"; rc=$?
check "2000 levels of a || (b || ...): no crash (status $rc)" sane $rc
check "2000 levels of a || (b || ...): within the limit" bash -c "! grep -q 'nests too deeply' '$T/out'"
run 60 doc "$T/right.policy"; rc=$?
check "2000 levels of a || (b || ...): doc (status $rc)" test $rc -eq 0
run 60 compile "$T/unary.policy" -o "$T/unary.bpf"; rc=$?
check "2000-level values: compile (status $rc)" test $rc -eq 0

# ---- inputs without an end: a size limit and no devices
for cmd in "import-oci /dev/zero" "generate --from /dev/zero" "check /dev/zero"; do
	set -- $cmd
	run 20 "$@"; rc=$?
	check "$cmd: refused (status $rc)" test $rc -eq 1
	check "$cmd: says why" grep -qE "cannot read '/dev/zero': (it is a device|not a regular file)" "$T/out"
done
truncate -s 20G "$T/sparse.json"
for cmd in "import-oci $T/sparse.json" "generate --from $T/sparse.json" "check $T/sparse.json" "compile $T/or1000.policy --profile $T/sparse.json -o $T/x.bpf"; do
	set -- $cmd
	run 20 "$@"; rc=$?
	check "${cmd#$T/} (20 GB sparse): refused (status $rc)" test $rc -eq 1
	check "${cmd#$T/} (20 GB sparse): says why" grep -q "is larger than 16777216 bytes" "$T/out"
done
# A pipe has no size: it is still read, up to the limit.
mkfifo "$T/fifo.log"
printf 'execve("/bin/true", ["true"], 0x0 /* 0 vars */) = 0\nexit_group(0) = ?\n' > "$T/fifo.log" &
run 20 generate --from "$T/fifo.log" -o "$T/fifo.policy"; rc=$?
wait
check "generate --from a FIFO still works (status $rc)" test $rc -eq 0
mkfifo "$T/big.fifo"
( head -c 20000000 /dev/zero | tr '\0' 'x' > "$T/big.fifo" ) 2>/dev/null &
run 20 generate --from "$T/big.fifo"; rc=$?
wait
check "a 20 MB pipe: refused (status $rc)" test $rc -eq 1
check "a 20 MB pipe: says why" grep -q "is larger than 16777216 bytes" "$T/out"

# ---- diagnostics: whole lines, long lines cut, at most 50 errors
python3 - "$T/garbage.policy" <<'PY'
import random, sys
random.seed(7)
# one 24 KB line of tokens and bytes that are errors nearly everywhere
open(sys.argv[1], "w").write("".join(random.choice("abc(){};|&!=0123 @$") for _ in range(24 * 1024)))
PY
start=$(date +%s%N)
run 20 check "$T/garbage.policy"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "24 KB of garbage: refused (status $rc)" test $rc -eq 1
check "24 KB of garbage: under 100 KB of output ($(stat -c %s "$T/out") bytes)" test "$(stat -c %s "$T/out")" -lt 100000
check "24 KB of garbage: under 5 s (${ms} ms)" test "$ms" -lt 5000
check "24 KB of garbage: stops after 50 errors" grep -q "error: too many errors; stopping" "$T/out"
check "24 KB of garbage: no line over 300 bytes" test "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$T/out")" -le 300
check "long lines are cut with an ellipsis" grep -q '^  \.\.\..*\.\.\.$' "$T/out"
printf 'policy p {\n    allow read if %s fd == $;\n}\n' "$(head -c 5000 /dev/zero | tr '\0' ' ')" > "$T/far.policy"
run 20 check "$T/far.policy"
check "the caret is under the column in a cut line" python3 - "$T/out" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = next(k for k, l in enumerate(lines) if "error:" in l)
src, caret = lines[i + 1], lines[i + 2]
sys.exit(0 if src[caret.index("^")] == "$" and src.startswith("  ...") else 1)
PY

# ---- big sets: building the set of 100000 values is not quadratic
python3 -c "print('policy p {\n    allow read if count in {' + ', '.join(str(i * 3) for i in range(100000)) + '};\n}')" > "$T/set.policy"
start=$(date +%s%N)
run 60 check "$T/set.policy"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "in {100000 values}: no crash (status $rc)" sane $rc
check "in {100000 values}: under 10 s (${ms} ms)" test "$ms" -lt 10000
check "in {100000 values}: too many rules for libseccomp" grep -q "needs more than 1024 libseccomp rules" "$T/out"

# 60k consts, each defined by the next, and 60k rulesets, each using the
# next: a located error (not a stack overflow), in bounded time; name
# lookups are not a scan per reference.
python3 -c '
n = 60000
print("const C0 = 1;")
for i in range(1, n): print("const C%d = C%d;" % (i, i - 1))
print("policy p { default allow; errno(EPERM) write if fd == C%d; }" % (n - 1))' > "$T/cchain.policy"
python3 -c '
n = 60000
print("ruleset r0 { allow read; }")
for i in range(1, n): print("ruleset r%d { use r%d; }" % (i, i - 1))
print("policy p { default errno(EPERM); use r%d; }" % (n - 1))' > "$T/uchain.policy"
for f in cchain uchain; do
	t0=$(date +%s%N)
	"$SF" check "$T/$f.policy" > "$T/out" 2>&1; rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	check "$f (60000 deep): no crash (status $rc)" sane $rc
	check "$f (60000 deep): refused with a reason" \
		grep -qE "defined through more than 1000 other consts|'use' nests more than 256 rulesets deep" "$T/out"
	check "$f (60000 deep): under 10 s (${ms} ms)" test "$ms" -lt 10000
done

finish
