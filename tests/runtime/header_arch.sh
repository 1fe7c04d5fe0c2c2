#!/bin/sh
# The generated C header refuses to compile for a target its filter does
# not cover (an #error naming the filter's arches), and compiles for one it
# does: a filter for another arch would kill the program at its first
# syscall after applying it.
# usage: header_arch.sh SYSFENCE
set -u
SF=$1
CC=${CC:-cc}
case $(uname -m) in
x86_64) native=x86_64 other=aarch64 ;;
aarch64) native=aarch64 other=x86_64 ;;
*) echo "no foreign arch chosen for $(uname -m); skipping"; exit 77 ;;
esac
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail=0

cat > "$T/p.policy" <<'POLICY'
policy tiny {
    default errno(EPERM);
    allow read, write, exit_group;
}
POLICY

# compiles ARCHES: `cc -c` of a file including the header for ARCHES;
# its diagnostics in $T/cc.err
compiles() {
	"$SF" compile "$T/p.policy" --arch "$1" -o "$T/f.h" || { echo "compile --arch $1 failed"; exit 1; }
	printf '#include "f.h"\nint main(void) { return sysfence_tiny_filter_len == 0; }\n' > "$T/m.c"
	"$CC" -Wall -Werror -c "$T/m.c" -I "$T" -o "$T/m.o" 2> "$T/cc.err"
}

if ! compiles "$native"; then
	echo "not ok: the $native header does not compile on $native:"; cat "$T/cc.err"; fail=1
fi
if ! compiles "$native,$other"; then
	echo "not ok: the $native,$other header does not compile on $native:"; cat "$T/cc.err"; fail=1
fi
if compiles "$other"; then
	echo "not ok: the $other header compiles on $native"; fail=1
elif ! grep -q "#error \"this filter is for $other, not for this target\"" "$T/cc.err"; then
	echo "not ok: the $other header fails on $native, but not with the arch #error:"; cat "$T/cc.err"; fail=1
fi
[ $fail = 0 ] && echo "ok: the header compiles for $native only when its filter covers it"
exit $fail
