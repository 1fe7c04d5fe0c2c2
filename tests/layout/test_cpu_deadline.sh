#!/usr/bin/env bash
# The libseccomp child's deadline (SYSFENCE_LIBSECCOMP_TIMEOUT) counts its
# CPU time, not wall time: on a CPU shared with busy loops, a build that
# needs a fraction of the deadline in CPU time but several times it in
# wall time still succeeds, and a child that spins is stopped only after
# it has used the whole deadline. Everything runs pinned to one CPU so
# that the load does not depend on the machine's size.
# Usage: test_cpu_deadline.sh SYSFENCE POLICIES
set -u
SF=$1
POLICIES=$2
. "$(dirname "$0")/../lib.sh"

cpu=$(taskset -pc $$ 2>/dev/null | sed 's/.*: *//; s/[,-].*//')
if [ -z "$cpu" ]; then
	skip "taskset cannot pin to one CPU"
	finish
	exit
fi
busy=()
load() { for _ in $(seq "$1"); do taskset -c "$cpu" sh -c 'while :; do :; done' & busy+=($!); done; }
unload() { for p in "${busy[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; busy=(); }
trap 'unload; rm -rf "$T"' EXIT

# 1500 non-merging conditional rules: about 0.2-0.4 s of CPU in
# libseccomp (-f pfc keeps the build in libseccomp's hands).
{
	echo "policy many {"
	echo "    default errno(EPERM);"
	echo "    arch x86_64;"
	for i in $(seq 0 1499); do echo "    allow accept if fd == $((7 * i + 3));"; done
	echo "}"
} > "$T/many.policy"

# Two busy loops at nice 0 against sysfence at nice 5 leave it about a
# seventh of the CPU: seconds of wall time for a fraction of a second of CPU.
load 2
start=$(date +%s%N)
SYSFENCE_LIBSECCOMP_TIMEOUT=1 taskset -c "$cpu" nice -n 5 "$SF" compile "$T/many.policy" \
	-f pfc -o "$T/many.pfc" 2>"$T/many.err"
rc=$?
wall=$((($(date +%s%N) - start) / 1000000))
unload
echo "# 1500 rules under load: ${wall} ms wall"
check "a build that is slow only in wall time is not cut off (rc $rc)" test "$rc" -eq 0
check "nothing about a deadline is printed" test ! -s "$T/many.err"

# A child stuck in libseccomp, sharing its CPU with one busy loop: it is
# stopped after 1 s of its own CPU time (about 2 s of wall time), not
# after 1 s of wall time (half a second of CPU).
load 1
out=$( (SYSFENCE_LIBSECCOMP_TIMEOUT=1 taskset -c "$cpu" "$SF" compile \
	"$POLICIES/23-libseccomp-hangs.policy" -f pfc -o "$T/hang.pfc" 2>/dev/null; times) | tail -1)
unload
child_ms=$(echo "$out" | awk '{ split($1, u, "m"); split($2, s, "m");
	print int((u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000) }')
echo "# stuck child under load: ${child_ms} ms CPU in sysfence's children"
check "the stuck child ran 1 s of CPU time before it was stopped" test "$child_ms" -ge 900
check "and was stopped soon after" test "$child_ms" -lt 3000
finish
