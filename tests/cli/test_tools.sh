#!/usr/bin/env bash
# The commands around filters rather than policies: exec (apply a .bpf
# and run a command under it), disasm (any raw filter), resolve (syscall
# names and numbers), dump (a live process's filters), and the per-command
# help and the suggestion for a mistyped command.
# Usage: test_tools.sh SYSFENCE POLICIES
set -u
SF=$1
POLICIES=$2
. "$(dirname "$0")/../lib.sh"

# Exits with STATUS? Runs the rest, output to $T/out and $T/err.
status_is() {
	local want=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	[ $? -eq "$want" ]
}

# ---- help and suggestions ----

check "unknown command suggests the close one" status_is 2 "$SF" comple
check "... in one line naming it" grep -qx "sysfence: error: unknown command 'comple'; did you mean 'compile'?" "$T/err"
check "... without the whole usage" test "$(wc -l < "$T/err")" -eq 1
status_is 2 "$SF" frobnicate
check "an unknown command far from all lists them" grep -q "commands: check, compile" "$T/err"
for c in check compile sim diff import-oci generate doc exec disasm resolve dump; do
	status_is 0 "$SF" "$c" --help
	check "$c --help is $c's own text" grep -q "^usage: sysfence $c " "$T/out"
	check "$c --help describes options" grep -q "^  -h, --help" "$T/out"
	status_is 0 "$SF" help "$c"
	check "help $c is the same text" grep -q "^usage: sysfence $c " "$T/out"
done
status_is 0 "$SF" compile --help
check "compile --help describes --profile" grep -q -- "--profile PROFILE" "$T/out"
check "compile --help is not the whole usage" bash -c "! grep -q 'sysfence check' '$T/out'"
status_is 2 "$SF" compile
check "a usage error shows the command's usage" grep -q "^usage: sysfence compile" "$T/err"

# ---- exec ----

cat > "$T/allow.policy" <<'P'
policy permissive { default allow; }
P
cat > "$T/nomkdir.policy" <<'P'
policy nomkdir {
    default allow;
    errno(EPERM) mkdir, mkdirat;
}
P
"$SF" compile "$T/allow.policy" -o "$T/allow.bpf" 2>/dev/null
"$SF" compile "$T/nomkdir.policy" -o "$T/nomkdir.bpf" 2>/dev/null
check "exec runs /bin/true under a permissive filter" status_is 0 "$SF" exec "$T/allow.bpf" -- /bin/true
check "exec passes the command's exit status on" status_is 3 "$SF" exec "$T/allow.bpf" -- sh -c 'exit 3'
check "exec with --all-threads" status_is 0 "$SF" exec "$T/allow.bpf" --all-threads -- /bin/true
check "the exec'd program is confined" status_is 0 "$SF" exec "$T/allow.bpf" -- grep -q '^Seccomp:.*2' /proc/self/status
check "mkdir fails under a filter denying it" status_is 1 "$SF" exec "$T/nomkdir.bpf" -- mkdir "$T/made"
check "... with EPERM" grep -q "Operation not permitted" "$T/err"
check "... and makes nothing" test ! -e "$T/made"
check "mkdir works without the filter" mkdir "$T/made"
check "a command that is not found exits 127" status_is 127 "$SF" exec "$T/allow.bpf" -- "$T/no-such-command"
check "... naming it" grep -q "cannot run '$T/no-such-command'" "$T/err"
printf '#!/bin/sh\n' > "$T/not-executable"
check "a command that cannot run exits 126" status_is 126 "$SF" exec "$T/allow.bpf" -- "$T/not-executable"
head -c 12 "$T/allow.bpf" > "$T/bad.bpf"
check "a bad filter is refused with 125" status_is 125 "$SF" exec "$T/bad.bpf" -- touch "$T/ran"
check "... through sysfence_strerror" grep -q "not a multiple of 8 bytes" "$T/err"
check "... before the command runs" test ! -e "$T/ran"
# A jump past the end: the loader's own check, before no_new_privs.
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<HBBI", 0x15, 5, 0, 1) + struct.pack("<HBBI", 6, 0, 0, 0x7fff0000))' > "$T/jump.bpf"
check "a filter the kernel would refuse is refused" status_is 125 "$SF" exec "$T/jump.bpf" -- touch "$T/ran"
check "... and nothing runs" test ! -e "$T/ran"
check "exec without -- is a usage error" status_is 2 "$SF" exec "$T/allow.bpf" /bin/true
check "... that says so" grep -q "after '--'" "$T/err"
# ld.so's start-up from stdlib rulesets (docs/embedding.md), killed otherwise.
cat > "$T/start.policy" <<'P'
import "stdlib/base";
import "stdlib/memory";
import "stdlib/io";
import "stdlib/process";
policy start {
    default kill_process;
    use base.basic, memory.exec, io.open_readonly, io.read, io.metadata, process.fork_exec;
}
P
if "$SF" compile "$T/start.policy" -I "$POLICIES" -o "$T/start.bpf" 2>"$T/err"; then
	check "the stdlib start-up rulesets run /bin/true" status_is 0 "$SF" exec "$T/start.bpf" -- /bin/true
else
	bad "the start-up policy compiles: $(cat "$T/err")"
fi

# ---- disasm ----

# A hand-written filter: arch check, openat with a look at args[1], mkdir.
python3 - "$T/hand.bpf" <<'PY'
import struct, sys
LD, JEQ, JSET, RET = 0x20, 0x15, 0x45, 0x06
prog = [
    (LD, 0, 0, 4),                 # 0 arch
    (JEQ, 0, 7, 0xc000003e),       # 1 x86_64, else kill
    (LD, 0, 0, 0),                 # 2 nr
    (JEQ, 2, 0, 257),              # 3 openat -> 6
    (JEQ, 3, 4, 83),               # 4 mkdir -> 8 : 9
    (RET, 0, 0, 0),                # 5 unreached
    (LD, 0, 0, 24),                # 6 args[1] low
    (JSET, 0, 1, 3),               # 7 O_ACCMODE -> 8 : 9
    (RET, 0, 0, 0x0005000d),       # 8 errno(EACCES)
    (RET, 0, 0, 0x7fff0000),       # 9 allow
]
prog[1] = (JEQ, 0, 8, 0xc000003e)  # kill is at 10
prog.append((RET, 0, 0, 0x80000000))
with open(sys.argv[1], 'wb') as f:
    for code, jt, jf, k in prog:
        f.write(struct.pack('<HBBI', code, jt, jf, k))
PY
check "disasm reads a raw filter" status_is 0 "$SF" disasm "$T/hand.bpf"
cp "$T/out" "$T/hand.asm"
check "disasm names the arch" grep -q "jeq  #0xc000003e .*; AUDIT_ARCH_X86_64" "$T/hand.asm"
check "disasm names openat" grep -q "jeq  #0x101 .*; openat$" "$T/hand.asm"
check "disasm names mkdir" grep -q "jeq  #0x53 .*; mkdir$" "$T/hand.asm"
check "disasm names argument words" grep -q "ld   \[24\] .*; args\[1\] low" "$T/hand.asm"
check "disasm names errno values" grep -q "ret  #0x0005000d .*; errno(EACCES)" "$T/hand.asm"
check "disasm names actions" grep -q "ret  #0x80000000 .*; kill_process" "$T/hand.asm"
check "disasm notes the syscalls of a return" grep -q "errno(EACCES)  # x86_64 mkdir, openat\|errno(EACCES)  # x86_64 openat, mkdir" "$T/hand.asm"
check "disasm names the instruction count" grep -q "^# .*hand.bpf: 11 instructions" "$T/hand.asm"
# No arch check: numbers are named only as on --arch.
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<HBBI", 0x20, 0, 0, 0) + struct.pack("<HBBI", 0x15, 0, 1, 2) + struct.pack("<HBBI", 6, 0, 0, 0x00050001) + struct.pack("<HBBI", 6, 0, 0, 0x7fff0000))' > "$T/noarch.bpf"
status_is 0 "$SF" disasm "$T/noarch.bpf"
check "without an arch check no number is named" bash -c "! grep -q 'jeq  #0x2 .*;' '$T/out'"
check "... errno(EPERM) still is" grep -q "errno(EPERM)" "$T/out"
status_is 0 "$SF" disasm "$T/noarch.bpf" --arch x86_64
check "--arch x86_64 names 2 open" grep -q "jeq  #0x2 .*; open$" "$T/out"
status_is 0 "$SF" disasm --arch aarch64 "$T/noarch.bpf"
check "--arch aarch64 names 2 io_submit" grep -q "jeq  #0x2 .*; io_submit$" "$T/out"
check "disasm refuses a file of no whole instructions" status_is 1 "$SF" disasm "$T/bad.bpf"
check "disasm shows a filter the kernel refuses, with a warning" status_is 0 "$SF" disasm "$T/jump.bpf"
check "... saying why" grep -q "the kernel would refuse" "$T/err"
check "disasm --arch takes one arch" status_is 2 "$SF" disasm --arch x86_64,aarch64 "$T/hand.bpf"
# A sysfence filter, and -f asm with the same annotations and its rules.
"$SF" compile "$T/nomkdir.policy" -f asm -o "$T/nomkdir.asm" 2>/dev/null
status_is 0 "$SF" disasm "$T/nomkdir.bpf"
check "disasm of a sysfence filter names mkdir" grep -q "; >= mkdir\|; mkdir" "$T/out"
check "... and errno(EPERM)" grep -q "; errno(EPERM)" "$T/out"
check "-f asm names syscalls too" grep -q "; >= mkdir\|; mkdir" "$T/nomkdir.asm"
check "-f asm names errno values" grep -q "; errno(EPERM)" "$T/nomkdir.asm"
check "-f asm keeps its rule annotations" grep -q "errno(EPERM)  # .*nomkdir.policy:3" "$T/nomkdir.asm"
check "-f asm and disasm show the same instructions" \
	bash -c "diff <(grep -o '^[0-9]*: [^;#]*' '$T/nomkdir.asm' | sed 's/ *$//') <(grep -o '^[0-9]*: [^;#]*' '$T/out' | sed 's/ *$//')"

# ---- resolve ----

status_is 0 "$SF" resolve openat
check "resolve a name on every arch" grep -qx "openat: x86_64 257, x86 295, x32 0x40000101, aarch64 56" "$T/out"
check "resolve a name on one arch" status_is 0 "$SF" resolve --arch aarch64 openat
check "... bare" grep -qx 56 "$T/out"
check "resolve a number on one arch" status_is 0 "$SF" resolve --arch x86_64 257
check "... bare" grep -qx openat "$T/out"
check "resolve hex" status_is 0 "$SF" resolve --arch x86_64 0x101
check "... bare" grep -qx openat "$T/out"
status_is 0 "$SF" resolve 59
check "resolve a number on every arch" grep -qx "59: x86_64 execve, x86 oldolduname, x32 -, aarch64 pipe2" "$T/out"
check "x32 numbers with bit 30" status_is 0 "$SF" resolve --arch x32 0x40000101
check "... bare" grep -qx openat "$T/out"
check "several at once" status_is 0 "$SF" resolve --arch x86_64 read write 2
check "... in order" test "$(tr '\n' ' ' < "$T/out")" = "0 1 open "
check "an unknown name fails" status_is 1 "$SF" resolve opnat
check "... with a suggestion" grep -q "unknown syscall 'opnat'; did you mean 'openat'?" "$T/err"
check "a name absent on the arch fails" status_is 1 "$SF" resolve --arch aarch64 open
check "... saying so" grep -q "open does not exist on aarch64" "$T/err"
check "an unknown number fails" status_is 1 "$SF" resolve 99999
check "... saying so" grep -q "no syscall has number 99999 on any arch" "$T/err"
check "the known ones still answer" status_is 1 "$SF" resolve --arch x86_64 read nosuch
check "... on standard output" grep -qx 0 "$T/out"
check "an unknown arch is a usage error" status_is 2 "$SF" resolve --arch vax read

# ---- dump ----

# sleep under two stacked filters: the outer (allow.bpf) is the oldest.
"$SF" exec "$T/allow.bpf" -- "$SF" exec "$T/nomkdir.bpf" -- sleep 30 &
pid=$!
for _ in $(seq 50); do
	[ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ] && break
	sleep 0.1
done
if "$SF" dump "$pid" -o "$T/live" >"$T/out" 2>"$T/err"; then
	check "dump writes one file per filter" test -e "$T/live.0.bpf" -a -e "$T/live.1.bpf" -a ! -e "$T/live.2.bpf"
	check "dump's .0 is the first installed" cmp -s "$T/live.0.bpf" "$T/allow.bpf"
	check "dump's .1 is the newest, byte for byte" cmp -s "$T/live.1.bpf" "$T/nomkdir.bpf"
	check "dump says which is which" grep -q "live.1.bpf: .* instructions (the newest)" "$T/out"
	check "diff finds the reviewed policy running" status_is 0 "$SF" diff "$T/nomkdir.policy" "$T/live.1.bpf"
	check "... exactly" grep -q "no difference" "$T/out"
	check "the process runs on after dump" kill -0 "$pid"
	check "dump of a process without a filter fails" status_is 1 "$SF" dump $$
	check "... saying so" grep -q "runs under no seccomp filter" "$T/err"
elif grep -q "cannot trace\|CAP_SYS_ADMIN\|CONFIG_CHECKPOINT_RESTORE" "$T/err"; then
	skip "dump: ptrace is not permitted here ($(head -1 "$T/err"))"
else
	bad "dump $pid: $(cat "$T/err")"
fi
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "dump of no process fails" status_is 1 "$SF" dump 2147483646
check "dump wants a number" status_is 2 "$SF" dump self

finish
