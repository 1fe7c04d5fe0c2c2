# Shared by the shell tests: a scratch directory $T removed on exit,
# ok/bad/skip/check to count results, and finish to print the count and
# set the exit status. Source it after setting `set -u`.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 skip=0
ok()    { echo "ok   $1"; pass=$((pass + 1)); }
bad()   { echo "FAIL $1"; fail=$((fail + 1)); }
skip()  { echo "skip $1"; skip=$((skip + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
finish() {
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
}
