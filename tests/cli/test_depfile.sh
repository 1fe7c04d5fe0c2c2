#!/usr/bin/env bash
# --depfile: a header compiled from a policy is rebuilt when a file the
# policy imports changes, by meson (custom_target's depfile) and by make
# (-include), as docs/embedding.md shows. Usage: test_depfile.sh SYSFENCE
set -u
SF=$(readlink -f "$1")
. "$(dirname "$0")/../lib.sh"

cd "$T" || exit 1
printf 'ruleset r { allow read; }\n' > lib.policy
printf 'import "lib";\npolicy app { default errno(EPERM); use lib.r; allow exit_group; }\n' > app.policy

"$SF" compile app.policy -o app.h --depfile app.h.d
printf 'app.h: \\\n app.policy \\\n lib.policy\n' > want.d
check "the depfile names the output, the policy and its import" cmp -s want.d app.h.d
"$SF" compile app.policy --depfile x.d >/dev/null 2>"$T/err"; rc=$?
check "--depfile without -o is a usage error" test $rc -eq 2
mkdir -p 'a b$c'
printf 'policy app { default allow; }\n' > 'a b$c/p.policy'
"$SF" compile 'a b$c/p.policy' -o sp.h --depfile sp.d
check "spaces and \$ are escaped for make" grep -qF 'a\ b$$c/p.policy' sp.d

# meson: the recipe of docs/embedding.md.
mkdir -p m
cp app.policy lib.policy m/
cat > m/meson.build <<'M'
project('dep', 'c')
sysfence = find_program('sysfence')
custom_target('app.h', input : 'app.policy', output : 'app.h', depfile : 'app.h.d',
  command : [sysfence, 'compile', '@INPUT@', '-o', '@OUTPUT@', '--depfile', '@DEPFILE@'],
  build_by_default : true)
M
export PATH="$(dirname "$SF"):$PATH"
if meson setup m/build m >/dev/null 2>&1 && ninja -C m/build >/dev/null 2>&1; then
	cp m/build/app.h before.h
	check "meson: nothing to do when nothing changed" \
		bash -c 'ninja -C m/build -n | grep -q "no work to do"'
	printf 'ruleset r { allow read, write; }\n' > m/lib.policy
	check "meson: editing the import rebuilds the header" \
		bash -c '! ninja -C m/build -n | grep -q "no work to do"'
	ninja -C m/build >/dev/null 2>&1
	check "meson: the header was rebuilt with the new rule" \
		bash -c '! cmp -s before.h m/build/app.h && "$1" sim m/app.policy write | grep -q "^action: allow"' _ "$SF"
else
	bad "meson: the recipe builds"
fi

# make: the recipe of docs/embedding.md.
mkdir -p k
cp app.policy lib.policy k/
printf 'app.h: app.policy\n\tsysfence compile $< -o $@ --depfile $@.d\n-include app.h.d\n' > k/Makefile
if make -C k -s app.h >/dev/null 2>&1; then
	check "make: up to date when nothing changed" \
		bash -c 'make -C k -q app.h'
	sleep 1
	printf 'ruleset r { allow read, write; }\n' > k/lib.policy
	check "make: editing the import makes the header out of date" \
		bash -c '! make -C k -q app.h'
else
	bad "make: the recipe builds"
fi
finish
