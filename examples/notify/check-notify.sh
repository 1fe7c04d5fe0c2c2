#!/bin/sh
# The notify example end to end: only a directory right inside the allowed
# one is made, by the supervisor; every other mkdir fails with EPERM.
# usage: check-notify.sh NOTIFY_DEMO
set -u
export LC_ALL=C
DEMO=$1
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
mkdir "$T/allowed" "$T/elsewhere"
ln -s "$T/elsewhere" "$T/allowed/link"

"$DEMO" "$T/allowed" "$T/allowed/new" "$T/elsewhere/new" "$T/allowed/../escape" \
	"$T/allowed/link/new" "$T/allowed/new" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc = 2 ] && grep -q "(EINVAL)" "$T/err"; then
	echo "this kernel has no seccomp listeners (Linux 5.0); skipping"; cat "$T/err"
	exit 77
fi
cat > "$T/want" <<WANT
$T/allowed/new: created
$T/elsewhere/new: Operation not permitted
$T/allowed/../escape: Operation not permitted
$T/allowed/link/new: Operation not permitted
$T/allowed/new: File exists
WANT
fail=0
[ $rc = 0 ] || { echo "not ok: notify-demo exited $rc"; cat "$T/err"; fail=1; }
diff -u "$T/want" "$T/out" || { echo "not ok: unexpected answers"; fail=1; }
[ -d "$T/allowed/new" ] || { echo "not ok: allowed/new was not made"; fail=1; }
for p in "$T/elsewhere/new" "$T/escape"; do
	[ ! -e "$p" ] || { echo "not ok: $p was made"; fail=1; }
done
[ $fail = 0 ] && echo "ok: the supervisor made only what it allows"
exit $fail
