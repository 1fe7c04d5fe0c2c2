#!/bin/sh
# Runs the demo confined by the compiled demo policy and checks what it says.
# usage: check-demo.sh DEMO FILTER.bpf FILE1 FILE2
# The demo applies its embedded filter (generated header) unless given
# --filter FILE.bpf; both ways are checked.
set -u
demo=$1 bpf=$2 f1=$3 f2=$4
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/out" ] && cat "$tmp/out"; exit 1; }

# Counting under the filter, compared with wc(1) (ASCII input: same words).
"$demo" "$f1" "$f2" >"$tmp/out" 2>&1 || fail "demo exited $?"
set -- $(wc -l -w -c <"$f1") $(wc -l -w -c <"$f2")
want1=$(printf '%7d %7d %7d %s' "$1" "$2" "$3" "$f1")
want2=$(printf '%7d %7d %7d %s' "$4" "$5" "$6" "$f2")
want3=$(printf '%7d %7d %7d total' $(($1 + $4)) $(($2 + $5)) $(($3 + $6)))
printf '%s\n%s\n%s\n' "$want1" "$want2" "$want3" >"$tmp/want"
cmp -s "$tmp/want" "$tmp/out" || { diff "$tmp/want" "$tmp/out"; fail "counts differ"; }
echo "ok: counts match wc (embedded filter)"
"$demo" --filter "$bpf" "$f1" "$f2" >"$tmp/out2" 2>&1 || fail "demo --filter exited $?"
cmp -s "$tmp/want" "$tmp/out2" || fail "counts differ with --filter"
echo "ok: counts match wc (filter from a .bpf file)"

# Standard input when no file is named.
"$demo" <"$f1" >"$tmp/out" 2>&1 || fail "demo on stdin exited $?"
[ "$(cat "$tmp/out")" = "$(printf '%7d %7d %7d' $(wc -l -w -c <"$f1"))" ] ||
    fail "stdin counts differ"
echo "ok: standard input"

# Every escape is denied with EPERM, and the counting still works.
"$demo" --try-escape "$f1" >"$tmp/out" 2>&1 || fail "--try-escape exited $?"
[ "$(grep -c 'denied: Operation not permitted$' "$tmp/out")" -eq 4 ] ||
    fail "not every escape denied with EPERM"
grep -q "$f1\$" "$tmp/out" || fail "no counts with --try-escape"
cat "$tmp/out"
echo "ok: escapes denied"

# A file that is not a filter: a clean error, exit 2, nothing counted.
"$demo" --filter "$f1" "$f2" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "bad filter: exit $rc, want 2"
grep -q 'not a multiple of 8 bytes\|jump past\|does not end with a RET\|refused' "$tmp/out" ||
    fail "bad filter: unclear message"
"$demo" --filter "$tmp/missing.bpf" "$f2" >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q 'No such file' "$tmp/out" || fail "missing filter"
echo "ok: bad filters refused"
