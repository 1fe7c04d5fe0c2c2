#!/usr/bin/env bash
# The bash completion (completion/sysfence), sourced in a plain bash: a few
# completions by hand, then every option of each command's usage text (as
# `sysfence COMMAND --help` prints it) offered for `sysfence COMMAND -<TAB>`.
# usage: test_completion.sh COMPLETION_FILE SYSFENCE
set -u
comp=$(realpath "$1") sysfence=$(realpath "$2")
fails=0 n=0

# shellcheck source=/dev/null
source "$comp" || { echo "not ok: cannot source $comp"; exit 1; }
complete -p sysfence >/dev/null || { echo "not ok: no completion registered for sysfence"; exit 1; }

# complete WORD... : COMPREPLY for the last word, as bash would ask.
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _sysfence sysfence "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
}

# expect "WANT" WORD... : the completions, sorted and joined by spaces.
expect() {
    local want=$1 got
    shift
    complete_words "$@"
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//')
    n=$((n + 1))
    if [[ $got == "$want" ]]; then
        echo "ok $n - '$*<TAB>' -> $got"
    else
        echo "not ok $n - '$*<TAB>' -> '$got', want '$want'"
        fails=$((fails + 1))
    fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
mkdir dir
touch app.policy app.bpf profile.json notes.txt

expect "compile" sysfence com
expect "--arch" sysfence compile --ar
expect "x86_64,aarch64 x86_64,arm64" sysfence compile --arch x86_64,a
expect "asm bpf c oci pfc" sysfence compile -f ''
expect "github json sarif" sysfence check --format = ''
expect "json" sysfence diff --format = ''
expect "app.policy dir" sysfence check ''
expect "app.bpf app.policy dir" sysfence diff app.policy ''
expect "dir profile.json" sysfence import-oci ''
expect "dir" sysfence compile app.policy -I ''
expect "--version" sysfence --v

# Every option of every command's usage lines is offered.
commands=$("$sysfence" --help | awk '/^$/ { body = 1; next } body && /^[a-z]/ { print $1 }')
[[ -n $commands ]] || { echo "not ok: no commands in sysfence --help"; exit 1; }
expect "$(printf '%s\n' $commands | sort | tr '\n' ' ' | sed 's/ $//')" sysfence ''
for cmd in $commands; do
    opts=$("$sysfence" "$cmd" --help | awk -v cmd="$cmd" '
        /^$/ { exit }
        /^(usage:)? *sysfence / { sub(/^(usage:)? *sysfence +/, ""); cur = $1 }
        cur == cmd { print }' |
        grep -oE '(^|[^A-Za-z0-9-])--?[A-Za-z][A-Za-z0-9-]*(=[a-z]+)?' | sed 's/^[^-]*//' | sort -u)
    complete_words sysfence "$cmd" -
    offered=" ${COMPREPLY[*]} "
    missing=""
    for o in $opts; do
        [[ $offered == *" $o "* || $offered == *" $o= "* ]] || missing+=" $o"
    done
    n=$((n + 1))
    if [[ -z $missing ]]; then
        echo "ok $n - 'sysfence $cmd -<TAB>' offers all of:" $opts
    else
        echo "not ok $n - 'sysfence $cmd -<TAB>' lacks$missing"
        fails=$((fails + 1))
    fi
done

echo "$((n - fails)) passed, $fails failed"
((fails == 0))
