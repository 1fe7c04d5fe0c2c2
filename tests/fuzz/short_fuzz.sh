#!/usr/bin/env bash
# A short libFuzzer session over the front end, for the test suite.
#
#   short_fuzz.sh --src-root DIR --out-dir DIR [--seconds N] [--budget M] -- FILE.c...
#
# FILE.c are the compiler's sources, the flex/bison outputs (lexer.c,
# parser.c; the directory of parser.c is also searched for headers) and
# fuzz_frontend.c. They are compiled with clang and
# -fsanitize=fuzzer,address,undefined into OUT-DIR/fuzz_frontend, again only
# when one of them (or a header) is newer than the binary. The binary then
# runs for N seconds (default 20) on a copy of tests/fuzz/corpus, or less
# when building took so long that the whole would exceed M seconds (default
# 50; the run gets at least 5).
#
# Exit status: 0 no finding, 1 a crash, leak or timeout (the input is kept
# in OUT-DIR and printed), 77 (meson's "skipped") when clang or libFuzzer
# is not usable here.
set -euo pipefail

SRC_ROOT= OUT_DIR= SECONDS_TO_RUN=20 BUDGET=50
while (($#)); do
    case "$1" in
        --src-root) SRC_ROOT="$2"; shift 2 ;;
        --out-dir)  OUT_DIR="$2"; shift 2 ;;
        --seconds)  SECONDS_TO_RUN="$2"; shift 2 ;;
        --budget)   BUDGET="$2"; shift 2 ;;
        --) shift; break ;;
        *) echo "short_fuzz: unknown argument: $1" >&2; exit 2 ;;
    esac
done
SOURCES=()
for s in "$@"; do
    [[ "$s" == /* ]] || s="$PWD/$s"
    SOURCES+=("$s")
done
if [[ -z "$SRC_ROOT" || -z "$OUT_DIR" || ${#SOURCES[@]} -eq 0 ]]; then
    echo "usage: short_fuzz.sh --src-root DIR --out-dir DIR [--seconds N] [--budget M] -- FILE.c..." >&2
    exit 2
fi
skip() { echo "short_fuzz: skipped: $*"; exit 77; }

CLANG="${FUZZ_CLANG:-clang}"
command -v "$CLANG" >/dev/null 2>&1 || skip "$CLANG is not installed"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

SAN=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)

# Is libFuzzer (with ASan and UBSan) usable with this clang?
probe="$OUT_DIR/probe"
if [[ ! -x "$probe" ]]; then
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
        > "$OUT_DIR/probe.c"
    if ! "$CLANG" "${SAN[@]}" -o "$probe" "$OUT_DIR/probe.c" > "$OUT_DIR/probe.log" 2>&1; then
        sed 's/^/  /' "$OUT_DIR/probe.log" | head -5
        rm -f "$probe"
        skip "$CLANG cannot link -fsanitize=fuzzer,address,undefined (is libclang-rt-dev installed?)"
    fi
fi
"$probe" -runs=1 > "$OUT_DIR/probe.log" 2>&1 \
    || { sed 's/^/  /' "$OUT_DIR/probe.log" | tail -5; skip "a trivial libFuzzer binary does not run here"; }

# ---- build (only when something changed) ----
bin="$OUT_DIR/fuzz_frontend"
inc=(-I"$SRC_ROOT/compiler" -I"$SRC_ROOT/grammar")
declare -A seen_dir=()
for s in "${SOURCES[@]}"; do
    [[ -f "$s" ]] || { echo "short_fuzz: no such source: $s" >&2; exit 2; }
    d="$(cd "$(dirname "$s")" && pwd)"
    if [[ -z "${seen_dir[$d]:-}" ]]; then
        seen_dir[$d]=1
        inc+=(-I"$d")   # generated parser.h / lexer.h live next to their .c
    fi
done

stale=0
if [[ ! -x "$bin" ]]; then
    stale=1
else
    # Anything newer than the binary: a source, a header, or this script.
    newer="$(find "${SOURCES[@]}" "$SRC_ROOT/compiler" "$SRC_ROOT/grammar" \
                  -name '*.[ch]' -newer "$bin" -print -quit 2>/dev/null || true)"
    newer+="$(find "$0" -newer "$bin" -print -quit 2>/dev/null || true)"
    [[ -n "$newer" ]] && stale=1
fi

if ((stale)); then
    start=$SECONDS
    objdir="$OUT_DIR/obj"
    rm -rf "$objdir"
    mkdir -p "$objdir"
    CFLAGS=(-gline-tables-only -std=gnu11 -w "${SAN[@]/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,}"
            "${inc[@]}"
            -DSYSFENCE_STDLIB_DIR="\"$SRC_ROOT/policies\""
            -DSYSFENCE_SOURCE_STDLIB_DIR="\"$SRC_ROOT/policies\"")
    # One object per source, named by its index (sources may share a name),
    # at most $(nproc) compilers at a time.
    njobs="$(nproc 2>/dev/null || echo 2)"
    for i in "${!SOURCES[@]}"; do
        while (($(jobs -rp | wc -l) >= njobs)); do wait -n || true; done
        # bison's and flex's big tables take long to optimise for little gain
        opt=-O1
        case "${SOURCES[$i]##*/}" in parser.c|lexer.c) opt=-O0 ;; esac
        "$CLANG" "${CFLAGS[@]}" "$opt" -c "${SOURCES[$i]}" -o "$objdir/$i.o" 2> "$objdir/$i.log" &
    done
    wait
    objs=()
    for i in "${!SOURCES[@]}"; do
        if [[ ! -f "$objdir/$i.o" ]]; then
            echo "short_fuzz: cannot compile ${SOURCES[$i]}:" >&2
            cat "$objdir/$i.log" >&2 2>/dev/null || true
            exit 1
        fi
        objs+=("$objdir/$i.o")
    done
    if ! "$CLANG" "${SAN[@]}" -o "$bin.tmp" "${objs[@]}" -lseccomp 2> "$objdir/link.log"; then
        echo "short_fuzz: cannot link the fuzzer:" >&2
        cat "$objdir/link.log" >&2
        exit 1
    fi
    mv "$bin.tmp" "$bin"
    echo "short_fuzz: built $bin in $((SECONDS - start))s"
fi

# ---- run ----
left=$((BUDGET - SECONDS - 3))
if ((left < SECONDS_TO_RUN)); then
    SECONDS_TO_RUN=$((left > 5 ? left : 5))
    echo "short_fuzz: the build took long; fuzzing for ${SECONDS_TO_RUN}s only"
fi
work="$(mktemp -d "$OUT_DIR/run.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cp -- "$SRC_ROOT"/tests/fuzz/corpus/* "$work/corpus/"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"
rc=0
(cd "$work" && "$bin" -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 \
    -max_len=4096 -dict="$SRC_ROOT/tests/fuzz/policy.dict" -print_final_stats=1 \
    -artifact_prefix="$OUT_DIR/" corpus) \
    > "$work/log" 2>&1 || rc=$?
tail -n 25 "$work/log"
if ((rc != 0)); then
    echo "short_fuzz: libFuzzer exited with $rc; findings:"
    for f in "$OUT_DIR"/crash-* "$OUT_DIR"/leak-* "$OUT_DIR"/timeout-* "$OUT_DIR"/oom-*; do
        [[ -f "$f" ]] || continue
        echo "--- $f"
        od -c "$f" | head -40
    done
    exit 1
fi
echo "short_fuzz: no crash in ${SECONDS_TO_RUN}s"
