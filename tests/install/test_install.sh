#!/usr/bin/env bash
# `meson install` of this build into a temporary DESTDIR: every file that
# should be installed is there, the installed man pages resolve through
# man(1), and a separate tiny project (tests/install/app, a Makefile) is
# built with pkg-config against the installed loader, its filter compiled
# by the installed sysfence from the installed standard library, and run.
#
# usage: test_install.sh MESON BUILD_DIR SOURCE_DIR VERSION PREFIX BINDIR LIBDIR
#                        INCLUDEDIR DATADIR MANDIR COMPLETIONSDIR
# (directories absolute, as the build installs them without DESTDIR)
set -u
meson=$1 build=$2 src=$3 version=$4
prefix=$5 bindir=$6 libdir=$7 includedir=$8 datadir=$9 mandir=${10} compdir=${11}
fails=0 n=0

ok()  { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

if "$meson" install -C "$build" --no-rebuild --quiet --destdir "$root" > "$tmp/install.log" 2>&1; then
    ok "meson install --destdir (prefix $prefix)"
else
    bad "meson install --destdir"
    cat "$tmp/install.log"
    exit 1
fi

# Every file, where README.md's "Installing" says.
check "bin: sysfence" test -x "$root$bindir/sysfence"
check "lib: libsysfence.a" test -f "$root$libdir/libsysfence.a"
check "include: sysfence.h" cmp -s "$root$includedir/sysfence.h" "$src/runtime/sysfence.h"
check "pkg-config: sysfence.pc" test -f "$root$libdir/pkgconfig/sysfence.pc"
stdlib=$root$datadir/sysfence/policies
for p in "$src"/policies/stdlib/*.policy; do
    check "stdlib: ${p#"$src"/policies/}" cmp -s "$p" "$stdlib/${p#"$src"/policies/}"
done
extra=$(cd "$stdlib" && find . -type f ! -path './stdlib/*.policy')
check "stdlib: nothing else (${extra:-no other file})" test -z "$extra"
for page in man1/sysfence.1 man5/sysfence-policy.5 man3/sysfence_apply.3 \
            man3/sysfence_apply_file.3 man3/sysfence_strerror.3 man3/sysfence_last_tsync_tid.3; do
    check "man: $page" test -f "$root$mandir/$page"
done
check "bash completion: $compdir/sysfence" test -f "$root$compdir/sysfence"

# The pages as man(1) finds them, the .so links included.
for name in sysfence sysfence-policy sysfence_apply sysfence_strerror; do
    if MANPATH=$root$mandir MANPAGER=cat MANWIDTH=80 LC_ALL=C man "$name" 2>&1 | grep -q 'sysfence'; then
        ok "man $name (MANPATH=DESTDIR$mandir)"
    else
        bad "man $name (MANPATH=DESTDIR$mandir)"
    fi
done

# The installed compiler.
sf=$root$bindir/sysfence
check "sysfence --version: $version" test "$("$sf" --version)" = "sysfence $version"

# The loader through pkg-config: PKG_CONFIG_PATH into the install,
# PKG_CONFIG_SYSROOT_DIR for the DESTDIR (the .pc names the prefix).
export PKG_CONFIG_PATH=$root$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=$root$libdir/pkgconfig
check "pkg-config --modversion sysfence: $version" test "$(pkg-config --modversion sysfence)" = "$version"
flags=$(pkg-config --cflags --libs sysfence | xargs)
check "pkg-config --cflags --libs sysfence: $flags" \
    test "$flags" = "-I$root$includedir -L$root$libdir -lsysfence"

# The separate project: its Makefile, the installed sysfence, the
# installed stdlib (-I finds it before any other copy).
cp -r "$src/tests/install/app" "$tmp/app"
san=()
if [[ -n "${SANITIZE:-}" && "$SANITIZE" != none ]]; then
	san=(LDFLAGS="-fsanitize=$SANITIZE")
	# LeakSanitizer needs syscalls at exit that the app's filter denies.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
if make -C "$tmp/app" SYSFENCE="$sf" SYSFENCE_FLAGS="-I $stdlib" "${san[@]}" > "$tmp/make.log" 2>&1; then
    ok "make: app built against the installed loader"
else
    bad "make: app"
    cat "$tmp/make.log"
fi
if [[ -x $tmp/app/app ]]; then
    check "app confines itself from its header" "$tmp/app/app"
    check "app confines itself from app.bpf (sysfence_apply_file)" "$tmp/app/app" --file "$tmp/app/app.bpf"
fi

echo "$((n - fails)) passed, $fails failed"
((fails == 0))
