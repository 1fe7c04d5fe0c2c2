#!/usr/bin/env bash
# How sysfence writes what -o names (compiler/output/emit.c, emit_atomic):
# regular files replaced atomically with their mode and owner, symlinks
# followed, devices, FIFOs, sockets and standard output written through,
# inputs never overwritten, long names, no temporary file after a kill,
# and the fallback where O_TMPFILE is not there.
# Usage: test_outputs.sh SYSFENCE [RUN_CONFINED]
set -u
SF=$1
RUN_CONFINED=${2:-}
. "$(dirname "$0")/../lib.sh"

umask 022
cat > "$T/a.policy" <<'P'
policy a {
    default errno(EPERM);
    allow read, close, exit_group;
    allow write if fd == 1 || fd == 2;
}
P
sed 's/fd == 2/fd == 3/' "$T/a.policy" > "$T/b.policy"
"$SF" compile "$T/a.policy" -o "$T/ref_a.bpf" && "$SF" compile "$T/b.policy" -o "$T/ref_b.bpf"
check "reference filters differ" bash -c "! cmp -s '$T/ref_a.bpf' '$T/ref_b.bpf'"

# Everything the cases write goes to $D, whose listing must hold no more
# than they made.
D=$T/out
mkdir "$D"
no_strays() { test -z "$(find "$D" -name '.sf*' -o -name '*.tmp.*')"; }

# A new file: 0666 less the umask, like any created file.
(umask 027; "$SF" compile "$T/a.policy" -o "$D/new.bpf")
check "new file: 0666 less the umask" test "$(stat -c %a "$D/new.bpf")" = 640
check "new file: the filter" cmp -s "$D/new.bpf" "$T/ref_a.bpf"

# An existing file keeps its mode and owner.
"$SF" compile "$T/a.policy" -o "$D/mode.bpf" && chmod 600 "$D/mode.bpf"
"$SF" compile "$T/b.policy" -o "$D/mode.bpf"
check "mode 0600 is kept" test "$(stat -c %a "$D/mode.bpf")" = 600
check "... and the contents replaced" cmp -s "$D/mode.bpf" "$T/ref_b.bpf"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	"$SF" compile "$T/a.policy" -o "$D/owner.bpf" && chown nobody:nogroup "$D/owner.bpf" 2>/dev/null ||
		chown nobody "$D/owner.bpf"
	before=$(stat -c %U:%G "$D/owner.bpf")
	"$SF" compile "$T/b.policy" -o "$D/owner.bpf" 2>"$T/err"
	check "owner is kept (root)" test "$(stat -c %U:%G "$D/owner.bpf")" = "$before"
	check "... silently" test ! -s "$T/err"
	chmod 4755 "$D/owner.bpf"
	"$SF" compile "$T/a.policy" -o "$D/owner.bpf"
	check "set-id bits survive the chown" test "$(stat -c %a "$D/owner.bpf")" = 4755
	# Someone who may not give files away is told whose the file is now.
	chmod 755 "$T" && chmod 777 "$D" && chmod 666 "$D/owner.bpf" && chown root "$D/owner.bpf"
	if command -v setpriv >/dev/null; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$SF" compile "$T/b.policy" \
			-o "$D/owner.bpf" 2>"$T/err"
		check "not root: still replaced" cmp -s "$D/owner.bpf" "$T/ref_b.bpf"
		check "not root: a changed owner is a warning" grep -q "warning: '.*owner.bpf' is now owned by" "$T/err"
	else
		skip "owner change as another user (no setpriv)"
	fi
	chmod 700 "$T" && chmod 755 "$D"
else
	skip "owner kept (needs root to chown)"
fi

# A symlink is followed: the target is replaced, the link stays.
mkdir "$D/real"
"$SF" compile "$T/a.policy" -o "$D/real/target.bpf"
ln -s real/target.bpf "$D/link.bpf"
ln -s link.bpf "$D/link2.bpf"
"$SF" compile "$T/b.policy" -o "$D/link2.bpf"
check "symlink: still a link" test -L "$D/link.bpf" -a -L "$D/link2.bpf"
check "symlink: its target has the new filter" cmp -s "$D/real/target.bpf" "$T/ref_b.bpf"
ln -s real/later.bpf "$D/dangling.bpf"
"$SF" compile "$T/a.policy" -o "$D/dangling.bpf"
check "dangling symlink: the target is created" cmp -s "$D/real/later.bpf" "$T/ref_a.bpf"
check "dangling symlink: still a link" test -L "$D/dangling.bpf"
ln -s loop2 "$D/loop1" && ln -s loop1 "$D/loop2"
"$SF" compile "$T/a.policy" -o "$D/loop1" 2>"$T/err"
check "a symlink loop is an error" test $? -eq 1
check "... that names the path" grep -q "cannot write '.*loop1': Too many levels of symbolic links" "$T/err"

# A hard link is broken, and said so: a stale whole filter rather than a
# half-written one (see emit.c).
"$SF" compile "$T/a.policy" -o "$D/hard1.bpf" && ln "$D/hard1.bpf" "$D/hard2.bpf"
"$SF" compile "$T/b.policy" -o "$D/hard1.bpf" 2>"$T/err"
check "hard link: the named file is replaced" cmp -s "$D/hard1.bpf" "$T/ref_b.bpf"
check "hard link: the other name keeps the old filter" cmp -s "$D/hard2.bpf" "$T/ref_a.bpf"
check "hard link: a warning says so" grep -q "warning: '.*hard1.bpf' was replaced; its other hard links (1) keep the old contents" "$T/err"

# Devices are written to, never replaced: made here, not on the real /dev.
if mknod "$T/null" c 1 3 2>/dev/null && mknod "$T/full" c 1 7 2>/dev/null; then
	"$SF" compile "$T/a.policy" -o "$T/null"
	check "device: exit 0" test $? -eq 0
	check "device: still a character device" test -c "$T/null"
	"$SF" compile "$T/a.policy" -o "$T/full" 2>"$T/err"
	check "device that fails (/dev/full): exit 1" test $? -eq 1
	check "... with the error and the path" grep -q "cannot write '.*full': No space left on device" "$T/err"
	check "... and it stays a device" test -c "$T/full"
	ln -s null "$T/null.link"
	"$SF" compile "$T/a.policy" -o "$T/null.link"
	check "symlink to a device: both stay" test -L "$T/null.link" -a -c "$T/null"
else
	skip "device nodes (mknod not permitted here)"
fi

# A FIFO gets the filter through it.
mkfifo "$D/fifo"
timeout 20 cat "$D/fifo" > "$T/from_fifo" &
reader=$!
timeout 20 "$SF" compile "$T/a.policy" -o "$D/fifo"
check "FIFO: exit 0" test $? -eq 0
wait "$reader"
check "FIFO: the reader got the filter" cmp -s "$T/from_fifo" "$T/ref_a.bpf"
check "FIFO: still a FIFO" test -p "$D/fifo"

# A unix socket gets it over a connection.
if command -v python3 >/dev/null; then
	python3 - "$D/sock" "$T/from_sock" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1); s.settimeout(20)
c, _ = s.accept()
with open(sys.argv[2], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b:
            break
        f.write(b)
PY
	listener=$!
	for _ in $(seq 100); do [ -S "$D/sock" ] && break; sleep 0.05; done
	"$SF" compile "$T/a.policy" -o "$D/sock"
	check "socket: exit 0" test $? -eq 0
	wait "$listener"
	check "socket: the listener got the filter" cmp -s "$T/from_sock" "$T/ref_a.bpf"
	check "socket: still a socket" test -S "$D/sock"
else
	skip "unix socket (no python3)"
fi

# Standard output, as "-" and through /proc/self/fd/1 (what /dev/stdout
# is; a link of our own so that the real /dev is never at stake).
"$SF" compile "$T/a.policy" -o - > "$T/stdout.bpf"
check "-o -: the filter on standard output" cmp -s "$T/stdout.bpf" "$T/ref_a.bpf"
ln -s /proc/self/fd/1 "$D/stdout"
"$SF" compile "$T/a.policy" -o "$D/stdout" | cat > "$T/piped.bpf"
check "/proc/self/fd/1 on a pipe: written through" cmp -s "$T/piped.bpf" "$T/ref_a.bpf"
check "... the link untouched" test "$(readlink "$D/stdout")" = /proc/self/fd/1
"$SF" compile "$T/a.policy" -o "$D/stdout" > "$T/redirected.bpf"
check "/proc/self/fd/1 on a file: written through" cmp -s "$T/redirected.bpf" "$T/ref_a.bpf"

# The input as the output: refused before anything is written.
cp "$T/a.policy" "$D/self.policy"
expect_refused() {   # NAME OUT-AS-SHOWN INPUT-FILE COMMAND...
	local name=$1 out=$2 input=$3; shift 3
	cp "$input" "$T/saved"
	"$@" 2>"$T/err" >/dev/null
	check "$name: exit 1" test $? -eq 1
	check "$name: the error names both" grep -q "error: cannot write '$out': it is the input '.*', which it would destroy" "$T/err"
	check "$name: the input is unchanged" cmp -s "$input" "$T/saved"
}
expect_refused "compile -o INPUT" "$D/self.policy" "$D/self.policy" \
	"$SF" compile "$D/self.policy" -o "$D/self.policy"
ln -s self.policy "$D/self.link"
expect_refused "compile -o a symlink to the input" "$D/self.link" "$D/self.policy" \
	"$SF" compile "$D/self.policy" -o "$D/self.link"
ln "$D/self.policy" "$D/self.hard"
expect_refused "compile -o a hard link of the input" "$D/self.hard" "$D/self.policy" \
	"$SF" compile "$D/self.policy" -o "$D/self.hard" -f bpf
mkdir "$D/lib"
printf 'ruleset io { allow read, write; }\n' > "$D/lib/mylib.policy"
printf 'import "mylib";\npolicy p { default errno(EPERM); use mylib.io; }\n' > "$D/main.policy"
expect_refused "compile -o an imported file" "$D/lib/mylib.policy" "$D/lib/mylib.policy" \
	"$SF" compile -I "$D/lib" "$D/main.policy" -f bpf -o "$D/lib/mylib.policy"
printf 'read 10\nwrite 5\n' > "$D/counts.txt"
expect_refused "compile -o the --profile" "$D/counts.txt" "$D/counts.txt" \
	"$SF" compile "$D/self.policy" --profile "$D/counts.txt" -f bpf -o "$D/counts.txt"
cat > "$D/profile.json" <<'J'
{ "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [ { "names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW" } ] }
J
expect_refused "import-oci -o PROFILE" "$D/profile.json" "$D/profile.json" \
	"$SF" import-oci "$D/profile.json" -o "$D/profile.json"
printf '1 read(0, "", 10) = 0\n1 write(1, "x", 1) = 1\n1 exit_group(0) = ?\n' > "$D/trace.log"
expect_refused "generate -o --from's log" "$D/trace.log" "$D/trace.log" \
	"$SF" generate --from "$D/trace.log" -o "$D/trace.log"
"$SF" import-oci "$D/profile.json" -o "$D/imported.policy"
check "import-oci -o another file works" grep -q "policy" "$D/imported.policy"
"$SF" generate --from "$D/trace.log" -o "$D/generated.policy" 2>/dev/null
check "generate -o another file works" grep -q "policy" "$D/generated.policy"

# Names up to NAME_MAX: the temporary file takes no room in the name.
long=$(printf 'x%.0s' $(seq 246)).bpf
"$SF" compile "$T/a.policy" -o "$D/$long"
check "a 250-character name works" cmp -s "$D/$long" "$T/ref_a.bpf"
"$SF" compile "$T/b.policy" -o "$D/$long"
check "... also replacing it" cmp -s "$D/$long" "$T/ref_b.bpf"
longest=$(printf 'y%.0s' $(seq 251)).bpf
"$SF" compile "$T/a.policy" -o "$D/$longest"
check "a 255-character name (NAME_MAX) works" cmp -s "$D/$longest" "$T/ref_a.bpf"
"$SF" compile "$T/a.policy" -o "$D/z$longest" 2>"$T/err"
check "a longer one is an error that says so" grep -q "cannot write '.*': File name too long" "$T/err"

# Errors name the path and leave nothing.
"$SF" compile "$T/a.policy" -o "$D/no/such/dir.bpf" 2>"$T/err"
check "missing directory: exit 1" test $? -eq 1
check "... the path and the reason" grep -q "cannot write '$D/no/such/dir.bpf': No such file or directory" "$T/err"
"$SF" compile "$T/a.policy" -o "$D/real" 2>"$T/err"
check "a directory as -o: exit 1" test $? -eq 1 -a -d "$D/real"
check "... says so" grep -q "cannot write '$D/real': Is a directory" "$T/err"
check "no temporary files left by any of it" no_strays

# Without O_TMPFILE (refused by a filter, as a file system without it
# would): a short named temporary file, the same guarantees otherwise.
# And without linkat(AT_EMPTY_PATH) (not root): the /proc/self/fd link.
if [ -n "$RUN_CONFINED" ]; then
	printf 'policy no_tmpfile { @quiet(default-allow, "a test harness") default allow;\n errno(EOPNOTSUPP) openat if (flags & O_TMPFILE) == O_TMPFILE; }\n' > "$T/no_tmpfile.policy"
	printf 'policy no_empty_path { @quiet(default-allow, "a test harness") default allow;\n errno(ENOENT) linkat if (flags & AT_EMPTY_PATH) != 0; }\n' > "$T/no_empty_path.policy"
	for f in no_tmpfile no_empty_path; do
		"$SF" compile "$T/$f.policy" -o "$T/$f.bpf" 2>/dev/null
		check "$f: the filter compiles" test -s "$T/$f.bpf"
		F=$D/$f
		mkdir "$F"
		(umask 027; "$RUN_CONFINED" "$T/$f.bpf" "$SF" compile "$T/a.policy" -o "$F/new.bpf")
		check "$f: a new file" cmp -s "$F/new.bpf" "$T/ref_a.bpf"
		check "$f: ... 0666 less the umask" test "$(stat -c %a "$F/new.bpf")" = 640
		chmod 604 "$F/new.bpf"
		"$RUN_CONFINED" "$T/$f.bpf" "$SF" compile "$T/b.policy" -o "$F/new.bpf"
		check "$f: replaced" cmp -s "$F/new.bpf" "$T/ref_b.bpf"
		check "$f: ... with its mode" test "$(stat -c %a "$F/new.bpf")" = 604
		"$RUN_CONFINED" "$T/$f.bpf" "$SF" compile "$T/a.policy" -o "$F/$longest"
		check "$f: a NAME_MAX name" cmp -s "$F/$longest" "$T/ref_a.bpf"
		check "$f: nothing but the outputs" test "$(ls -A "$F" | wc -l)" -eq 2
	done
else
	skip "no O_TMPFILE (no run_confined given)"
fi

# SIGKILL at random points of a compile: afterwards the directory holds
# the output and nothing else, and the output is the old filter or the
# new one, whole. The policy is big enough that the kills land all over
# the run, writing included.
big_policy() {   # N: rules
	echo 'policy big { default errno(EPERM); arch x86_64, aarch64;'
	local i=0 s
	for s in pread64 pwrite64 lseek mmap mprotect ioctl fcntl kill tgkill socket connect bind \
		setsockopt getsockopt sendto recvfrom dup3 fchown fchmodat renameat openat linkat \
		symlinkat readlinkat mkdirat unlinkat faccessat utimensat; do
		i=$((i + 1))
		[ "$i" -gt "$1" ] && break
		echo " allow $s if arg0 in {1, 2, $((i + 100)), $((i + 200))};"
		echo " errno($((i + 1))) $s if arg0 == $((i * 7 + 1000));"
	done
	echo '}'
}
big_policy 27 > "$T/old.policy"
big_policy 28 > "$T/new.policy"
"$SF" compile "$T/old.policy" -f asm -o "$T/old.asm" && "$SF" compile "$T/new.policy" -f asm -o "$T/new.asm"
check "kill test: the two outputs differ" bash -c "! cmp -s '$T/old.asm' '$T/new.asm'"
start=$(date +%s%N)
"$SF" compile "$T/new.policy" -f asm -o "$T/timed.asm"
ms=$(( ($(date +%s%N) - start) / 1000000 + 5 ))
K=$D/kill
mkdir "$K"
torn=0 strays=0 killed=0
for i in $(seq 60); do
	cp "$T/old.asm" "$K/out.asm"
	"$SF" compile "$T/new.policy" -f asm -o "$K/out.asm" 2>/dev/null &
	pid=$!
	sleep "$(printf '0.%03d' $(( RANDOM % ms )))"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	cmp -s "$K/out.asm" "$T/old.asm" || cmp -s "$K/out.asm" "$T/new.asm" || torn=$((torn + 1))
	[ "$(ls -A "$K")" = out.asm ] || { strays=$((strays + 1)); ls -A "$K"; find "$K" -mindepth 1 ! -name out.asm -delete; }
done
echo "# kill test: $killed of 60 runs killed, within ${ms} ms"
check "kill test: the output is always the old or the new one" test "$torn" -eq 0
check "kill test: no file left beside it" test "$strays" -eq 0
check "kill test: most runs were killed" test "$killed" -ge 20

# A hostile source path must not reach an output unescaped: a directory
# named "*/ newline #error newline /*" would otherwise inject code into every
# program that includes the header.
evil="$T/x*/
#error injected
/*"
mkdir -p "$evil"
printf 'policy p { default allow; errno(EPERM) mkdir; }\n' > "$evil/p.policy"
"$SF" compile "$evil/p.policy" -o "$T/evil.h" 2>/dev/null
check "a header from a hostile path is written" test -s "$T/evil.h"
check "the path's newline does not start a line of its own" \
	bash -c '! grep -q "^#error injected" "$1"' _ "$T/evil.h"
printf '#include "evil.h"\nint main(void) { return sysfence_p_filter_len == 0; }\n' > "$T/evil.c"
check "the header still compiles" cc -std=c99 -Wall -Werror -I"$T" -o "$T/evil" "$T/evil.c"
"$SF" compile "$evil/p.policy" -f asm -o "$T/evil.asm" 2>/dev/null
check "the listing keeps one line per instruction" \
	bash -c '! grep -q "^#error injected" "$1"' _ "$T/evil.asm"

finish
