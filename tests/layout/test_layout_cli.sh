#!/usr/bin/env bash
# `--profile` on the command line: a good profile orders the filter, a bad
# one is refused with located diagnostics and no output file.
# Usage: test_layout_cli.sh SYSFENCE TESTS_LAYOUT_DIR BENCH_DATA_DIR
set -u
SF=$1
BENCH=$3
. "$(dirname "$0")/../lib.sh"

cat > "$T/p.policy" <<'P'
policy p {
    default errno(EPERM);
    allow read, write, close, openat, futex, mmap, munmap, brk, exit_group, getpid, gettid, poll;
    allow ioctl if request == 0x5401;
}
P
# A profile where getpid and gettid are the hot ones, in both formats.
cat > "$T/names.txt" <<'P'
# NAME COUNT
getpid 5000
gettid 4000
read 10
P
cat > "$T/strace.txt" <<'P'
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 55.00    0.000550           0      5000           getpid
 44.00    0.000440           0      4000         3 gettid
  1.00    0.000010           1        10           read
------ ----------- ----------- --------- --------- ----------------
100.00    0.001000           0      9010         3 total
P

"$SF" compile "$T/p.policy" -o "$T/prior.bpf"
check "compiles without a profile" test -s "$T/prior.bpf"
"$SF" compile "$T/p.policy" --profile "$T/names.txt" -o "$T/names.bpf"
check "compiles with a NAME COUNT profile" test -s "$T/names.bpf"
"$SF" compile "$T/p.policy" --profile "$T/strace.txt" -o "$T/strace.bpf"
check "compiles with an strace -c profile" test -s "$T/strace.bpf"
check "both profile formats give the same filter" cmp -s "$T/names.bpf" "$T/strace.bpf"
check "the profile changes the layout" sh -c "! cmp -s '$T/prior.bpf' '$T/names.bpf'"
# getpid (39) is the hottest: the new program decides it in two
# comparisons after ld arch, jeq arch, ld nr (not one jeq in front: the
# tree's depth bound leaves no comparison to spare with this many
# classes), the prior's program in more.
insns() { "$SF" sim "$1" --format=json getpid | sed 's/.*"instructions":\([0-9]*\).*/\1/'; }
check "the profiled program decides getpid in 6 instructions" test "$(insns "$T/names.bpf")" -le 6
check "without the profile getpid takes more" test "$(insns "$T/prior.bpf")" -gt 6
"$SF" compile "$T/p.policy" --profile "$T/names.txt" -f asm -o "$T/names.asm"
# The listing is of that program: as many instructions as the .bpf holds.
check "-f asm shows the new program" grep -q ", $(($(stat -c %s "$T/names.bpf") / 8)) instructions\$" "$T/names.asm"
"$SF" compile "$T/p.policy" --profile "$T/names.txt" -f pfc -o "$T/names.pfc"
check "-f pfc stays libseccomp's text" grep -q "pseudo filter code" "$T/names.pfc"
"$SF" check "$T/p.policy" --profile "$T/names.txt"
check "check accepts --profile" test $? -eq 0
# The mix is part of the repository (bench/data): missing, it is a failure.
rm -f "$T/mix.bpf"
"$SF" compile "$T/p.policy" --profile "$BENCH/mix-x86_64.strace-c.txt" -o "$T/mix.bpf"
check "reads bench/data's strace -f -c mix" test -s "$T/mix.bpf"

# Bad profiles: each line located, exit 1, no output file.
cat > "$T/bad.txt" <<'P'
read 10
write lots
frobnicate 3
 12.00    0.000100           0        x            close
just three words
P
"$SF" compile "$T/p.policy" --profile "$T/bad.txt" -o "$T/bad.bpf" 2> "$T/bad.err"
check "a bad profile exits 1" test $? -eq 1
check "no output file after a bad profile" test ! -e "$T/bad.bpf"
check "bad count located" grep -q "bad.txt:2:7: error: 'lots' is not a call count" "$T/bad.err"
check "unknown syscall located" grep -q "bad.txt:3:1: error: unknown syscall 'frobnicate' on x86_64" "$T/bad.err"
check "bad strace row located" grep -q "bad.txt:4:39: error: 'x' is not a call count" "$T/bad.err"
check "bad line shape located" grep -q "bad.txt:5:1: error: not a profile line" "$T/bad.err"
check "the source line and a caret are shown" grep -q "^ *\^" "$T/bad.err"
"$SF" compile "$T/p.policy" --profile "$T/missing.txt" -o "$T/bad.bpf" 2> "$T/missing.err"
check "a missing profile exits 1" test $? -eq 1
check "a missing profile is named" grep -q "cannot read profile" "$T/missing.err"

finish
