#!/usr/bin/env bash
# End-to-end tests of `sysfence generate`.
# Usage: test_generate.sh SYSFENCE RUN_CONFINED TRACED DATA_DIR
#
#  1. Real programs (the test program `traced`, ls, a shell pipeline) are
#     traced, the generated policy is checked and compiled, and the program
#     runs again under the filter (run_confined applies it before execve):
#     it must exit 0 with the same output.
#  2. The filter confines: `traced` doing one thing more that the trace
#     never showed (open for writing, mkdir, an AF_INET socket) gets EPERM,
#     though the same step succeeds unconfined.
#  3. Committed strace logs, raw (-X raw) and decoded (-tt), give the
#     committed policies (golden); the JSON summary; bad log lines are
#     located errors and leave no output file.
set -u
# Absolute paths: the golden part runs in DATA, so the logs are named as committed.
SF=$(realpath "$1") RUN=$(realpath "$2") TRACED=$(realpath "$3") DATA=$4
. "$(dirname "$0")/../lib.sh"

# generate_and_run NAME CMD...: trace CMD, compile, run it confined, compare.
generate_and_run() {
	local name=$1; shift
	if ! "$SF" generate -o "$T/$name.policy" -- "$@" > "$T/$name.traced" 2> "$T/$name.err"; then
		bad "$name: generate exits 0"; cat "$T/$name.err"; return
	fi
	ok "$name: generate exits 0"
	check "$name: the policy checks cleanly" "$SF" check --werror "$T/$name.policy"
	if ! "$SF" compile "$T/$name.policy" -o "$T/$name.bpf"; then
		bad "$name: the policy compiles"; return
	fi
	"$RUN" "$T/$name.bpf" "$@" > "$T/$name.confined" 2> "$T/$name.cerr"
	local rc=$?
	check "$name: runs confined, exit 0" test $rc -eq 0
	check "$name: same output confined" cmp -s "$T/$name.traced" "$T/$name.confined"
	[ $rc -eq 0 ] || { cat "$T/$name.cerr"; sed -n '/^policy/,$p' "$T/$name.policy"; }
}

if ! command -v strace > /dev/null; then
	bad "strace is installed (./dev deps installs it)"
elif ! strace -f -qq -o /dev/null /bin/true 2> /dev/null; then
	# A container without ptrace (no CAP_SYS_PTRACE, or a seccomp profile
	# that denies it) cannot trace at all; the log-based parts still run.
	skip "live tracing (strace cannot trace on this machine)"
else
	echo "input for the traced program" > "$T/input"
	generate_and_run traced "$TRACED" "$T/input"
	generate_and_run ls /bin/ls -l /etc
	generate_and_run pipeline /bin/sh -c 'cat /etc/hostname | wc -c'

	# Confinement: steps the trace never showed are denied.
	for step in "write $T/written" "mkdir $T/made" inet; do
		set -- $step
		rm -rf "$T/written" "$T/made"
		free=$("$TRACED" "$T/input" "$@" | tail -n 1)
		rm -rf "$T/written" "$T/made"
		confined=$("$RUN" "$T/traced.bpf" "$TRACED" "$T/input" "$@" | tail -n 1)
		check "$1: succeeds unconfined ($free)" test "$free" = "$1: ok"
		check "$1: EPERM under the generated filter ($confined)" test "$confined" = "$1: EPERM"
	done
	check "write: no file was created" test ! -e "$T/written"
	check "mkdir: no directory was made" test ! -e "$T/made"
fi

# Golden: committed logs of `sh -c 'traced input | cat; ls -d / >/dev/null'`
# (raw.log: strace -f -X raw; decoded.log: strace -f -tt), and forms.log,
# written by hand: [pid N] and -ttt prefixes, -y decorations, "A or B"
# ioctl names, syscall_0x1b6, a resumed call whose start is missing, a
# call cut by the process's death, a last line cut short.
cd "$DATA" || exit 1
for form in raw decoded forms; do
	SOURCE_DATE_EPOCH=0 "$SF" generate --from $form.log --arch x86_64 -p golden > "$T/$form.policy" 2> "$T/$form.err"
	check "$form log: generate exits 0" test $? -eq 0
	check "$form log: the policy is $form.policy" diff -u $form.policy "$T/$form.policy"
	check "$form log: the policy checks" "$SF" check --arch x86_64 "$T/$form.policy"
done
check "raw and decoded logs give the same rules" \
	diff <(sed 1,3d raw.policy) <(sed 1,3d decoded.policy)

SOURCE_DATE_EPOCH=0 "$SF" generate --from raw.log --arch x86_64 -p golden --format=json > "$T/summary.json"
check "json: exits 0" test $? -eq 0
check "json: the summary says what was seen, used and written" python3 - "$T/summary.json" raw.policy <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
by = {s["name"]: s for s in d["syscalls"]}
assert d["policy_name"] == "golden" and d["arch"] == "x86_64", d
assert d["policy"] == open(sys.argv[2]).read()
assert by["openat"]["count"] == 69 and by["openat"]["failed"] == 26, by["openat"]
assert "base.basic" in by["brk"]["rulesets"]
assert "base.basic" in [r["name"] for r in d["rulesets"]]
rules = {r["syscall"]: r for r in d["rules"]}
assert rules["socketpair"]["condition"].startswith("domain == AF_UNIX"), rules["socketpair"]
assert rules["openat"]["condition"] is None   # sh opens /dev/null for writing
assert by["clone3"]["answer"] == "errno(ENOSYS)" and by["clone"]["count"] == 2, by["clone3"]
assert d["calls"] == sum(s["count"] for s in d["syscalls"])
PY

# Bad lines are errors at log:LINE:COL; nothing is written.
"$SF" generate --from bad.log --arch x86_64 -o "$T/bad.policy" 2> "$T/bad.err"
check "bad log: exit 1" test $? -eq 1
check "bad log: no output file" test ! -e "$T/bad.policy"
check "bad log: located errors" diff -u bad.expected "$T/bad.err"

# More distinct ioctl requests than a filter can list: ioctl is allowed
# whatever the request (and the rule says why), not an internal error from
# a policy that cannot compile; 20k calls stay fast.
python3 -c '
for i in range(20000): print("100 ioctl(3, %#x, 0x7ffd) = 0" % (0x10000 + 7 * i))
print("100 exit_group(0) = ?")' > "$T/ioctl.log"
"$SF" generate --from "$T/ioctl.log" --arch x86_64 -o "$T/ioctl.policy" 2> "$T/ioctl.err"
check "20000 distinct ioctls: exit 0" test $? -eq 0
check "20000 distinct ioctls: ioctl allowed, with the reason" \
	grep -q "20000 distinct requests" "$T/ioctl.policy"
check "20000 distinct ioctls: the policy compiles" "$SF" compile "$T/ioctl.policy" -o "$T/ioctl.bpf"
head -n 301 "$T/ioctl.log" | sed '$d' > "$T/ioctl300.log"
echo "100 exit_group(0) = ?" >> "$T/ioctl300.log"
"$SF" generate --from "$T/ioctl300.log" --arch x86_64 -o "$T/ioctl300.policy" 2>/dev/null
check "300 distinct ioctls: listed in a set" grep -q "allow ioctl if request in {" "$T/ioctl300.policy"

finish
