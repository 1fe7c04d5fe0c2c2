#!/usr/bin/env bash
# End-to-end tests of the sysfence command line: output formats, atomic
# writes, the generated C header as C99 and C++, and loading a .bpf with
# bubblewrap. Usage: test_cli.sh SYSFENCE
set -u
SF=$1
. "$(dirname "$0")/../lib.sh"

cat > "$T/p.policy" <<'P'
const OUT = 1;
policy web_app {
    default errno(EPERM);
    allow read, close, exit_group;
    allow write if fd == OUT || fd == 2;
    errno(EACCES) mkdir, mkdirat;
}
P

# Formats follow the extension unless -f says otherwise.
"$SF" compile "$T/p.policy" -o "$T/out.bpf"
check "bpf is a whole number of instructions" test $(( $(stat -c %s "$T/out.bpf") % 8 )) -eq 0 -a -s "$T/out.bpf"
"$SF" compile "$T/p.policy" -o "$T/out.pfc"
check "pfc by extension" grep -q "pseudo filter code" "$T/out.pfc"
"$SF" compile "$T/p.policy" -o "$T/out.asm"
check "asm by extension" grep -q "ret .*allow" "$T/out.asm"
check "asm annotates returns with rules" grep -q "p.policy:[0-9]" "$T/out.asm"
"$SF" compile "$T/p.policy" -f c -o "$T/named_after_path.txt"
check "-f overrides the extension" grep -q "struct sock_filter" "$T/named_after_path.txt"

# The C header: named after the policy, clean as C99 and C++.
"$SF" compile "$T/p.policy" -o "$T/some_other_name.h"
check "header names the policy, not the path" grep -q "sysfence_web_app_filter\[" "$T/some_other_name.h"
check "header comment names source, policy, arches, hash" \
	grep -q "content hash" "$T/some_other_name.h"
cat > "$T/use.c" <<'C'
#include "some_other_name.h"
int main(void) { return sysfence_web_app_prog.len == sysfence_web_app_filter_len ? 0 : 1; }
C
check "header compiles as C99 -pedantic" cc -std=c99 -Wall -Wextra -pedantic -Werror -I"$T" -o "$T/use" "$T/use.c"
check "header's fprog matches its length" "$T/use"
if command -v c++ >/dev/null; then
	check "header compiles as C++ -pedantic" c++ -std=c++11 -Wall -Wextra -pedantic -Werror -I"$T" -x c++ -o "$T/usexx" "$T/use.c"
else
	skip "header as C++ (no c++ compiler)"
fi

# Atomic output: a failed compile leaves the previous file alone.
cp "$T/out.bpf" "$T/before.bpf"
printf 'policy p { allow nosuchcall; }\n' > "$T/bad.policy"
"$SF" compile "$T/bad.policy" -o "$T/out.bpf" 2>/dev/null
check "failed compile exits 1" test $? -eq 1
check "failed compile keeps the old output" cmp -s "$T/out.bpf" "$T/before.bpf"
"$SF" compile "$T/bad.policy" -o "$T/new.bpf" 2>/dev/null
check "failed compile creates no file" test ! -e "$T/new.bpf"
check "no temporary files left" test -z "$(find "$T" -name '*.tmp.*')"

# -D overrides a const: the filters differ.
"$SF" compile "$T/p.policy" -D OUT=5 -o "$T/d.bpf"
check "-D changes the filter" bash -c "! cmp -s '$T/d.bpf' '$T/out.bpf'"

# libseccomp 2.5.4 never returns on this policy when given the condition
# as it is: the compiler must not hang. It builds the filter in a child with
# a deadline and, when that passes, tries the masked-equality form of the
# rules, which libseccomp finishes.
printf 'policy hangs { default errno(EPERM); arch x86_64;\n allow mmap if len <= 0x1000 && offset not in {0x100000000, 0x200000000}; }\n' > "$T/hang.policy"
start=$(date +%s)
SYSFENCE_LIBSECCOMP_TIMEOUT=1 timeout 60 "$SF" compile "$T/hang.policy" -o "$T/hang.bpf"
check "a libseccomp hang is survived" test $? -eq 0 -a -s "$T/hang.bpf"
check "within the deadline" test $(( $(date +%s) - start )) -lt 30
check "the filter after a hang is right (allowed)" \
	grep -q "^action: allow" <<<"$("$SF" sim "$T/hang.bpf" mmap 0 0x1000 0 0 0 0x300000000)"
check "the filter after a hang is right (denied)" \
	grep -q "^action: errno(EPERM)" <<<"$("$SF" sim "$T/hang.bpf" mmap 0 0x1000 0 0 0 0x200000000)"

# -v says what is skipped on which arch; without it, nothing is said.
printf 'ruleset r { allow open, openat; }\npolicy p { arch x86_64, aarch64; use r; }\n' > "$T/v.policy"
"$SF" check -v "$T/v.policy" 2>"$T/err"
check "-v: a name missing on one arch is skipped, and said so" \
	grep -q "note: 'open' does not exist on aarch64; the rule is skipped there" "$T/err"
"$SF" check "$T/v.policy" 2>"$T/err"
check "without -v the skip is silent" test ! -s "$T/err"

# check: exit codes and JSON.
"$SF" check "$T/p.policy"
check "check exits 0 on a clean file" test $? -eq 0
printf 'policy p { default errno(EPERM); errno(EPERM) read; allow write; }\n' > "$T/warn.policy"
"$SF" check "$T/warn.policy" 2>/dev/null
check "warnings alone exit 0" test $? -eq 0
"$SF" check --werror "$T/warn.policy" 2>/dev/null
check "--werror makes warnings fail" test $? -eq 1
"$SF" check --format=json "$T/bad.policy" > "$T/diag.json"
check "json diagnostics parse" python3 -c "
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and rows[0]['severity'] == 'error' and rows[0]['line'] == 1 and 'nosuchcall' in rows[0]['message']
" "$T/diag.json"
# Lints: an id per warning, in the text and as a JSON field; @quiet.
printf 'policy p {\n  default errno(EPERM);\n  allow ptrace;\n}\n' > "$T/lint.policy"
check "warnings end with their id" grep -q "3:9: warning: .*ptrace.* \[dangerous-grant\]$" \
	<<<"$("$SF" check "$T/lint.policy" 2>&1)"
"$SF" check --format=json "$T/lint.policy" > "$T/lint.json"
check "json warnings carry the id" python3 -c "
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [(r['severity'], r['id'], r['line']) for r in rows] == [('warning', 'dangerous-grant', 3)], rows
assert not rows[0]['message'].endswith(']')
" "$T/lint.json"
printf 'policy p {\n  default errno(EPERM);\n  @quiet(dangerous-grant, "we trace our children")\n  allow ptrace;\n}\n' > "$T/quiet.policy"
out=$("$SF" check --werror "$T/quiet.policy" 2>&1)
check "@quiet silences, also for --werror" test $? -eq 0 -a -z "$out"

# sim: the verdict, the path length and the deciding rule.
out=$("$SF" sim "$T/p.policy" write fd=2)
check "sim allows write to fd 2" grep -q "^action: allow" <<<"$out"
check "sim names the deciding rule" grep -q "decided by: .*p.policy:5:5" <<<"$out"
check "sim reports the path length" grep -Eq "^path: [0-9]+ instructions" <<<"$out"
out=$("$SF" sim "$T/p.policy" write 7)
check "sim: the default decides write to fd 7" grep -q "decided by: the default action" <<<"$out"
out=$("$SF" sim "$T/p.policy" mkdirat AT_FDCWD 0 0o755)
check "sim: errno rule" grep -q "^action: errno(EACCES)" <<<"$out"
printf 'policy two { arch x86_64, aarch64;\n allow openat if (flags & O_DIRECTORY) != 0; }\n' > "$T/two.policy"
out=$("$SF" sim "$T/two.policy" --arch aarch64 openat AT_FDCWD 0 0o40000)
check "sim on a foreign arch uses its constants" grep -q "^action: allow" <<<"$out"
out=$("$SF" sim "$T/two.policy" --arch aarch64 openat AT_FDCWD 0 0o200000)
check "sim on a foreign arch: x86's O_DIRECTORY is not aarch64's" grep -q "^action: errno(EPERM)" <<<"$out"
# On x86 the 64-bit offset and nbytes take two registers each: flags is in the sixth.
printf 'policy p { arch x86; allow sync_file_range if flags == 2; }\n' > "$T/sfr.policy"
out=$("$SF" sim "$T/sfr.policy" --arch x86 sync_file_range flags=2)
check "sim on x86: a named argument after split 64-bit ones" grep -q "^action: allow" <<<"$out"
out=$("$SF" sim "$T/sfr.policy" --arch x86 sync_file_range 0 0 0 2)
check "sim on x86: positional values are registers" grep -q "^action: errno(EPERM)" <<<"$out"
out=$("$SF" sim "$T/out.bpf" write 0x700000002)
check "sim on a .bpf: 32-bit fd ignores the upper half" grep -q "^action: allow" <<<"$out"
out=$("$SF" sim "$T/out.bpf" openat AT_FDCWD 0 'O_WRONLY|O_CREAT')
check "sim on a .bpf: symbolic flags" grep -q "^action: errno(EPERM)" <<<"$out"
# sim's values are the language's constant expressions, read by its own
# parser, resolver and evaluator: every operator, consts and constants.
printf 'const SHIFT = 3;\npolicy ops { arch x86_64; default errno(EPERM);\n allow write if fd == 24; }\n' > "$T/ops.policy"
sim_action() { "$SF" sim "$T/ops.policy" write "$1" | sed -n 's/^action: //p'; }
check "sim value: *" test "$(sim_action 'fd=3*8')" = allow
check "sim value: * is not +" test "$(sim_action 'fd=3*7')" = "errno(EPERM)"
check "sim value: <<" test "$(sim_action 'fd=3<<3')" = allow
check "sim value: >>" test "$(sim_action 'fd=97>>2')" = allow
check "sim value: parentheses" test "$(sim_action 'fd=(1+2)*8')" = allow
check "sim value: precedence without them" test "$(sim_action 'fd=1+2*8')" = "errno(EPERM)"
check "sim value: the policy's const and a named constant" \
	test "$(sim_action 'fd=O_WRONLY<<SHIFT|16')" = allow
"$SF" sim "$T/ops.policy" write 'fd=3*O_WRONGLY' >/dev/null 2>"$T/err"
check "sim: a bad value exits 4" test $? -eq 4
check "sim: a bad value's error points into the argument" \
	grep -qx "<command line>:1:6: error: unknown constant 'O_WRONGLY'; did you mean 'O_WRONLY'?" "$T/err"
check "sim: ... and quotes it" grep -qx "  fd=3\*O_WRONGLY" "$T/err"
"$SF" sim "$T/ops.policy" write 'fd=1<<64' >/dev/null 2>"$T/err"
check "sim: a policy's evaluation errors" \
	grep -qx "<command line>:1:7: error: shift by 64 is out of range (0 to 63)" "$T/err"
"$SF" sim "$T/ops.policy" write 'fd=(3' >/dev/null 2>"$T/err"
check "sim: a policy's syntax errors" grep -qx "<command line>:1:5: error: unexpected end of file" "$T/err"
"$SF" sim "$T/out.bpf" write 'fd=OUT' >/dev/null 2>"$T/err"
check "sim on a .bpf: no consts to name" grep -q "error: unknown constant 'OUT'" "$T/err"
head -c 12 "$T/out.bpf" > "$T/short.bpf"
"$SF" sim "$T/short.bpf" write 1 2>"$T/err"
check "sim refuses a truncated filter" test $? -eq 4 -a -s "$T/err"

# bubblewrap loads the raw .bpf as it is.
if command -v bwrap >/dev/null && bwrap --ro-bind / / --dev /dev true 2>/dev/null; then
	cat > "$T/bw.policy" <<'P'
policy sandbox {
    default allow;
    errno(EACCES) mkdir, mkdirat;
    errno(EPERM) uname;
}
P
	"$SF" compile "$T/bw.policy" -o "$T/bw.bpf"
	out=$(bwrap --ro-bind / / --dev /dev --tmpfs /tmp --seccomp 9 -- /bin/sh -c 'cat /etc/hostname >/dev/null && echo read-ok; mkdir /tmp/x 2>&1; uname 2>&1' 9<"$T/bw.bpf")
	check "bwrap: allowed syscalls work" grep -q "read-ok" <<<"$out"
	check "bwrap: mkdir denied with EACCES" grep -q "Permission denied" <<<"$out"
	check "bwrap: uname denied with EPERM" grep -q "Operation not permitted" <<<"$out"
else
	skip "bwrap --seccomp (bubblewrap cannot create a sandbox on this machine)"
fi

# Option mistakes are diagnostics like any other (through diag), exit 2.
for args in "check -x" "check --bogus" "check -I" "compile --arch" "generate -q" "import-oci --zz"; do
	"$SF" $args >/dev/null 2>"$T/err"; rc=$?
	check "'sysfence $args' is a usage error" test $rc -eq 2
	check "'sysfence $args' says why in sysfence's own words" \
		grep -qE "^sysfence: error: (unknown option|option '.*' needs an argument)" "$T/err"
done
finish
