#!/usr/bin/env bash
# End-to-end tests of `sysfence diff`: each case diffs two versions of a
# policy and checks the changes reported (JSON lines), the exit status,
# and that every witness really shows the change: `sysfence sim` is run on
# the witness against both sides and must print the old and new actions.
# Usage: test_diffcmd.sh SYSFENCE
set -u
SF=$1
. "$(dirname "$0")/../lib.sh"

# A policy with one varying line: policy NAME 'RULES' (arches x86_64).
policy() {
	printf 'policy app {\n    arch %s;\n    default errno(EPERM);\n    allow read, close, exit_group;\n%s\n}\n' \
		"${ARCH:-x86_64}" "$2" > "$T/$1.policy"
}

# diff OLD NEW [OPTS]: JSON output in $T/out, status in $rc.
diff_json() {
	"$SF" diff "$@" --format=json > "$T/out" 2> "$T/err"
	rc=$?
}

# Every line parses; prints the field values of the changes: FIELD...
jq_changes() {
	python3 - "$T/out" "$@" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
assert objs and objs[-1].get("summary") is True, "no summary line"
for o in objs[:-1]:
    vals = []
    for path in sys.argv[2:]:
        v = o
        for k in path.split("."):
            v = v.get(k, "-") if isinstance(v, dict) else "-"
        vals.append(str(v))
    print(" ".join(vals))
PY
}

nchanges() { jq_changes kind | wc -l; }

# Re-runs every witness in $T/out through `sim` on OLD and NEW and checks
# the actions the diff reported.
witnesses_real() {
	local old=$1 new=$2 ok=1 n=0 arch sys args oa na got
	while IFS='|' read -r arch sys args oa na; do
		n=$((n + 1))
		# shellcheck disable=SC2086
		got=$("$SF" sim "$old" --arch "$arch" "$sys" $args | sed -n 's/^action: //p')
		[ "$got" = "$oa" ] || { echo "  sim $old $sys $args: $got, diff said $oa"; ok=0; }
		# shellcheck disable=SC2086
		got=$("$SF" sim "$new" --arch "$arch" "$sys" $args | sed -n 's/^action: //p')
		[ "$got" = "$na" ] || { echo "  sim $new $sys $args: $got, diff said $na"; ok=0; }
	done < <(python3 - "$T/out" <<'PY'
import json, sys
for l in open(sys.argv[1]).read().splitlines():
    o = json.loads(l)
    if o.get("summary"):
        continue
    args = " ".join("%s=%d" % kv for kv in o["args"].items())
    print("|".join([o["arch"], o["syscall"], args, o["old"]["action"], o["new"]["action"]]))
PY
)
	[ $ok = 1 ] && [ $n -gt 0 ]
}

# ---- one rule widened: exactly that rule, exit 1 ----
policy old '    allow write if fd == 1;'
policy new '    allow write if fd <= 2;'
diff_json "$T/old.policy" "$T/new.policy"
check "widening exits 1" test $rc -eq 1
check "widening: exactly one change" test "$(nchanges)" -eq 1
check "widening: kind, syscall, new rule's line" \
	test "$(jq_changes kind syscall new.line new.decided_by old.decided_by)" = "widened write 5 rule default"
w=$(jq_changes args.fd)
check "widening: witness fd is 0 or 2 (got $w)" test "$w" = 0 -o "$w" = 2
check "widening: the witness is real (sim)" witnesses_real "$T/old.policy" "$T/new.policy"
"$SF" diff "$T/old.policy" "$T/new.policy" > "$T/text"
check "text names the new rule with its location" grep -q "new.policy:5:5: allow write if fd <= 2;" "$T/text"
check "text shows the witness" grep -Eq "witness: write\(fd=(0|2)\)" "$T/text"

# ---- narrowed: reported, exit 0 ----
diff_json "$T/new.policy" "$T/old.policy"
check "narrowing exits 0" test $rc -eq 0
check "narrowing reported" test "$(jq_changes kind)" = "narrowed"
check "narrowing: the witness is real (sim)" witnesses_real "$T/new.policy" "$T/old.policy"

# ---- a refactor: rules moved into rulesets, split, reordered ----
cat > "$T/refactor.policy" <<'P'
ruleset out {
    allow write if fd == 0;
    allow write if fd == 2 || fd == 1;
}
ruleset life { allow exit_group; }
policy app {
    arch x86_64;
    use out;
    allow close;
    use life;
    default errno(EPERM);
    allow read;
}
P
diff_json "$T/new.policy" "$T/refactor.policy"
check "refactor: no change, exit 0" test $rc -eq 0 -a "$(nchanges)" -eq 0
check "refactor: the comparison is exact" grep -q '"exact":true' "$T/out"
diff_json "$T/refactor.policy" "$T/new.policy"
check "refactor, the other way: no change" test $rc -eq 0 -a "$(nchanges)" -eq 0

# ---- a newly allowed syscall, an action changed, a syscall denied ----
policy more "    allow socket if domain == AF_INET6 && (type & 0xf) == SOCK_STREAM;
    errno(ENOSYS) mkdir;"
policy more_old "    allow write if fd == 1;"
diff_json "$T/more_old.policy" "$T/more.policy"
check "new syscall: exit 1" test $rc -eq 1
check "kinds: newly allowed socket, action changed mkdir, newly denied write" \
	test "$(jq_changes kind syscall | sort | tr '\n' ,)" = "action changed mkdir,newly allowed socket,newly denied write,"
check "socket's witness is AF_INET6, SOCK_STREAM" \
	test "$(jq_changes syscall args.domain args.type | grep ^socket)" = "socket 10 1"
check "mkdir: errno(EPERM) -> errno(ENOSYS)" \
	grep -q '"old":{"action":"errno(EPERM)".*"new":{"action":"errno(ENOSYS)"' "$T/out"
check "all witnesses are real (sim)" witnesses_real "$T/more_old.policy" "$T/more.policy"

# ---- masks: the witness needs bits from two comparisons ----
policy m_old '    allow fcntl if (cmd & 0xf0) == 0x10;'
policy m_new '    allow fcntl if (cmd & 0xf0) == 0x10 || ((cmd & 0xf0) == 0x20 && (cmd & 0x0f) == 1);'
diff_json "$T/m_old.policy" "$T/m_new.policy"
check "masked widening found exactly (cmd=0x21)" test "$(jq_changes kind args.cmd)" = "widened 33"
check "masked witness is real (sim)" witnesses_real "$T/m_old.policy" "$T/m_new.policy"

# ---- .bpf against a source ----
"$SF" compile "$T/old.policy" -o "$T/old.bpf"
diff_json "$T/old.bpf" "$T/new.policy"
check ".bpf vs source: exit 1, one widening of write" \
	test $rc -eq 1 -a "$(jq_changes kind syscall old.decided_by)" = "widened write filter"
check ".bpf vs source: the witness is real (sim)" witnesses_real "$T/old.bpf" "$T/new.policy"
check ".bpf vs source: decided exactly" grep -q '"exact":true' "$T/out"
diff_json "$T/old.bpf" "$T/old.policy"
check ".bpf vs its own source: no change" test $rc -eq 0 -a "$(nchanges)" -eq 0
"$SF" compile "$T/new.policy" -o "$T/new.bpf"
diff_json "$T/new.bpf" "$T/old.bpf"
check ".bpf vs .bpf: the narrowing" test $rc -eq 0 -a "$(jq_changes kind syscall)" = "narrowed write"

printf 'policy app {\n    arch x86_64;\n    default errno(EPERM);\n    allow 1003;\n}\n' > "$T/raw.policy"
"$SF" compile "$T/raw.policy" -o "$T/raw.bpf"
diff_json "$T/old.bpf" "$T/raw.bpf"
check ".bpf vs .bpf: a number the tables do not know" \
	test $rc -eq 1 -a "$(jq_changes kind syscall | grep 1003)" = "newly allowed 1003"

# ---- a .bpf side is decided, not searched ----
# Only fd 7 tells these apart; no constant the filter compares with
# would lead a search there.
# The template allows close; these do not.
cpolicy() {
	printf 'policy app {\n    arch x86_64;\n    default errno(EPERM);\n    allow read, exit_group;\n%s\n}\n' \
		"$2" > "$T/$1.policy"
}
cpolicy c_old '    allow close if fd != 0;'
cpolicy c_new '    allow close if fd != 0 && fd != 7;'
"$SF" compile "$T/c_new.policy" -o "$T/c_new.bpf"
diff_json "$T/c_old.policy" "$T/c_new.bpf"
check "policy vs .bpf: close(7) narrowed, exit 0" \
	test $rc -eq 0 -a "$(jq_changes kind syscall args.fd old.decided_by new.decided_by)" = "narrowed close 7 rule filter"
check "policy vs .bpf: exact" grep -q '"exact":true' "$T/out"
check "policy vs .bpf: the witness is real (sim)" witnesses_real "$T/c_old.policy" "$T/c_new.bpf"
"$SF" diff "$T/c_old.policy" "$T/c_new.bpf" > "$T/text"
check "text: narrowed close, witness fd=7, the old rule, by the filter" \
	sh -c "grep -q '^narrowed: close on x86_64' '$T/text' && grep -q 'witness: close(fd=7)' '$T/text' &&
		grep -q 'c_old.policy:5:5: allow close if fd != 0;' '$T/text' && grep -q 'by the filter' '$T/text' &&
		grep -q 'the comparison is exact' '$T/text'"
diff_json "$T/c_new.bpf" "$T/c_old.policy"
check ".bpf vs policy: close(7) widened, exit 1" \
	test $rc -eq 1 -a "$(jq_changes kind args.fd new.line)" = "widened 7 5"
"$SF" compile "$T/c_old.policy" -o "$T/c_old.bpf"
diff_json "$T/c_old.bpf" "$T/c_new.bpf"
check ".bpf vs .bpf: close(7) narrowed, exact" \
	test $rc -eq 0 -a "$(jq_changes kind args.fd)" = "narrowed 7" -a -n "$(grep '"exact":true' "$T/out")"

# One 64-bit value just past the 32-bit range.
printf 'policy p {\n    arch x86_64;\n    default allow;\n%s\n}\n' \
	'    errno(EPERM) ftruncate if length == 0x100000000;' > "$T/w_new.policy"
printf 'policy p {\n    arch x86_64;\n    default allow;\n}\n' > "$T/w_old.policy"
"$SF" compile "$T/w_old.policy" -o "$T/w_old.bpf"
"$SF" compile "$T/w_new.policy" -o "$T/w_new.bpf"
diff_json "$T/w_old.bpf" "$T/w_new.bpf"
check ".bpf vs .bpf: ftruncate(length=2^32) narrowed, exactly" \
	test $rc -eq 0 -a "$(jq_changes kind syscall args.length)" = "narrowed ftruncate 4294967296" \
	-a -n "$(grep '"exact":true' "$T/out")"
check ".bpf vs .bpf: the 64-bit witness is real (sim)" witnesses_real "$T/w_old.bpf" "$T/w_new.bpf"
diff_json "$T/w_new.bpf" "$T/w_old.bpf"
check ".bpf vs .bpf, reversed: widened, exit 1" \
	test $rc -eq 1 -a "$(jq_changes kind args.length)" = "widened 4294967296"

# The same meaning laid out differently: no difference, and exactly so.
cat > "$T/hot.txt" <<'P'
close 5000
exit_group 4000
P
"$SF" compile "$T/more.policy" -o "$T/plain.bpf"
"$SF" compile "$T/more.policy" --profile "$T/hot.txt" -o "$T/hot.bpf"
check "--profile lays the filter out differently" sh -c "! cmp -s '$T/plain.bpf' '$T/hot.bpf'"
diff_json "$T/plain.bpf" "$T/hot.bpf"
check "layouts: no difference, exact" test $rc -eq 0 -a "$(nchanges)" -eq 0 -a -n "$(grep '"exact":true' "$T/out")"
"$SF" diff "$T/plain.bpf" "$T/hot.bpf" > "$T/text"
check "layouts: text says exact" grep -q '^no difference (exact: [0-9]* syscalls)' "$T/text"
"$SF" compile "$T/refactor.policy" -o "$T/refactor.bpf"
diff_json "$T/new.policy" "$T/refactor.bpf"
check "reordered rules as a .bpf: no difference, exact" \
	test $rc -eq 0 -a "$(nchanges)" -eq 0 -a -n "$(grep '"exact":true' "$T/out")"

# A number no table, rule or comparison names: the filter computes
# nr - 0x12345 and allows where that is 0. The engine sweeps the numbers.
python3 - "$T/sub.bpf" <<'PY'
import struct, sys
ins = [(0x20, 0, 0, 4), (0x15, 0, 5, 0xc000003e), (0x20, 0, 0, 0), (0x14, 0, 0, 0x12345),
       (0x15, 0, 1, 0), (0x06, 0, 0, 0x7fff0000), (0x06, 0, 0, 0x00050001), (0x06, 0, 0, 0x80000000)]
open(sys.argv[1], "wb").write(b"".join(struct.pack("<HBBI", *i) for i in ins))
PY
printf 'policy p {\n    arch x86_64;\n    default errno(EPERM);\n}\n' > "$T/none.policy"
diff_json "$T/none.policy" "$T/sub.bpf" --arch x86_64
check "an unnamed number (0x12345) found by the sweep, exactly" \
	test $rc -eq 1 -a "$(jq_changes kind nr)" = "newly allowed 74565" -a -n "$(grep '"exact":true' "$T/out")"

# Where the engine cannot decide (ret A: the filter returns nr itself), the
# search is used and said to be one.
python3 -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<HBBI", 0x20, 0, 0, 0) + struct.pack("<HBBI", 0x16, 0, 0, 0))' \
	> "$T/reta.bpf"
diff_json "$T/w_old.bpf" "$T/reta.bpf" --arch x86_64
check "ret A: falls back, not exact, with the reason" \
	sh -c "grep -q '\"exact\":false' '$T/out' && grep -q '\"inexact_why\":\"[^\"]*reta.bpf' '$T/out'"

# ---- what counts as allowing: notify may run the syscall, log does ----
policy n_old '    allow write if fd == 1;
    allow getpid;'
policy n_new '    allow write if fd == 1;
    log getpid;
    notify mkdir;'
diff_json "$T/n_old.policy" "$T/n_new.policy"
check "notify counts as allowing, allow -> log is an action change" \
	test $rc -eq 1 -a "$(jq_changes kind syscall new.action | sort | tr '\n' ,)" = "action changed getpid log,newly allowed mkdir notify,"

# ---- --arch ----
ARCH="x86_64, aarch64" policy a_old '    allow write if fd == 1;'
ARCH="x86_64, aarch64" policy a_new '    allow write if fd == 1;
    allow getpid;'
diff_json "$T/a_old.policy" "$T/a_new.policy"
check "two arches: one change each" test "$(jq_changes arch syscall | sort | tr '\n' ,)" = "aarch64 getpid,x86_64 getpid,"
diff_json "$T/a_old.policy" "$T/a_new.policy" --arch aarch64
check "--arch aarch64: only aarch64" test "$(jq_changes arch syscall | tr '\n' ,)" = "aarch64 getpid,"
check "--arch: witnesses are real (sim)" witnesses_real "$T/a_old.policy" "$T/a_new.policy"

# ---- a changed default: one block for all the syscalls ----
sed 's/default errno(EPERM)/default kill_process/' "$T/old.policy" > "$T/kill.policy"
"$SF" diff "$T/old.policy" "$T/kill.policy" > "$T/text"
rc=$?
check "changed default: exit 0, one grouped block" \
	test $rc -eq 0 -a "$(grep -c '^action changed: [0-9]* syscalls on x86_64' "$T/text")" -eq 1

# ---- bad input: located diagnostic, exit 2, nothing on stdout ----
printf 'policy p {\n    allow nosuchcall;\n}\n' > "$T/bad.policy"
"$SF" diff "$T/old.policy" "$T/bad.policy" > "$T/out" 2> "$T/err"
rc=$?
check "bad source: exit 2" test $rc -eq 2
check "bad source: file:line:col diagnostic" grep -q "bad.policy:2:11: error:" "$T/err"
check "bad source: no output" test ! -s "$T/out"
printf 'garbage' > "$T/bad.bpf"
"$SF" diff "$T/bad.bpf" "$T/old.policy" > "$T/out" 2> "$T/err"
check "bad .bpf: exit 2 with a reason" test $? -eq 2 -a -s "$T/err"
"$SF" diff "$T/old.policy" > /dev/null 2>&1
check "one file: usage, exit 2" test $? -eq 2

finish
