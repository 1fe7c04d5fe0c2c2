#!/usr/bin/env bash
# The libseccomp child dies with sysfence: killing sysfence while its
# child is stuck in libseccomp (tests/policies/23-libseccomp-hangs.policy,
# built through libseccomp because -f pfc needs its text) must not leave
# the child spinning under init. Usage: test_child.sh SYSFENCE POLICIES
set -u
SF=$1
POLICIES=$2
. "$(dirname "$0")/../lib.sh"

SYSFENCE_LIBSECCOMP_TIMEOUT=60 "$SF" compile "$POLICIES/23-libseccomp-hangs.policy" \
	-f pfc -o "$T/hang.pfc" 2>/dev/null &
parent=$!
child=""
for _ in $(seq 50); do
	child=$(pgrep -P "$parent" | head -1)
	[ -n "$child" ] && break
	sleep 0.1
done
check "sysfence builds the filter in a child" test -n "$child"
sleep 0.5
kill -9 "$parent" 2>/dev/null
wait "$parent" 2>/dev/null || true
gone=0
for _ in $(seq 50); do
	if ! kill -0 "$child" 2>/dev/null; then gone=1; break; fi
	sleep 0.1
done
check "the child is gone within 5 s of sysfence's death" test "$gone" -eq 1
[ "$gone" -eq 1 ] || kill -9 "$child" 2>/dev/null
check "no output file is left" test ! -e "$T/hang.pfc"
finish
