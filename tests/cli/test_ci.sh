#!/usr/bin/env bash
# The command line in build systems and CI: check --format=sarif|github,
# JSON with nested notes and an id on every error, -W, pipes and stdin,
# diff --git, sim --format=json and its exit status, the empty-file lint,
# raw BPF on a redirected stdout, arch aliases and errno names.
# Usage: test_ci.sh SYSFENCE
set -u
SF=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")   # the test runs in $T
. "$(dirname "$0")/../lib.sh"
LINT_MD=$(cd "$(dirname "$0")/../../docs" && pwd)/lint.md
cd "$T"

printf 'policy p {\n  default errno(EPERM);\n  allow ptrace;\n  allow read, write;\n}\n' > warn.policy
printf 'policy p {\n  default errno(EPERM);\n  allow read;\n  errno(EACCES) read if fd == 1;\n}\n' > conflict.policy
printf 'policy p { allow nosuchcall; }\n' > unknown.policy

# SARIF: one run, every lint id as a rule, results with locations.
"$SF" check --format=sarif warn.policy conflict.policy > out.sarif
check "sarif: exit 1 on the error" test $? -eq 1
sarif_ok() {
	python3 - out.sarif "$(dirname "$SF")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0" and len(d["runs"]) == 1
run = d["runs"][0]
drv = run["tool"]["driver"]
assert drv["name"] == "sysfence" and drv["version"]
ids = {r["id"] for r in drv["rules"]}
for want in ("dangerous-grant", "default-allow", "unused-quiet", "empty-file", "conflict", "syntax"):
    assert want in ids, want
assert all(r["shortDescription"]["text"] for r in drv["rules"])
res = run["results"]
w = [r for r in res if r["ruleId"] == "dangerous-grant"][0]
assert w["level"] == "warning"
loc = w["locations"][0]["physicalLocation"]
assert loc["artifactLocation"]["uri"] == "warn.policy", loc
assert loc["region"] == {"startLine": 3, "startColumn": 9}, loc
e = [r for r in res if r["level"] == "error"][0]
assert e["ruleId"] == "conflict", e
assert e["relatedLocations"] and e["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] in (3, 4)
PY
}
check "sarif: rules, results, locations, notes as relatedLocations" sarif_ok
documented() {
	python3 - out.sarif "$LINT_MD" <<'PY'
import json, sys
rules = json.load(open(sys.argv[1]))["runs"][0]["tool"]["driver"]["rules"]
doc = open(sys.argv[2]).read()
missing = [r["id"] for r in rules if "| `%s` |" % r["id"] not in doc]
assert not missing, "not in docs/lint.md: %s" % missing
PY
}
check "docs/lint.md lists every warning id and error kind" documented
"$SF" check --format=sarif "$T/warn.policy" > abs.sarif
check "sarif: an absolute path under the working directory is relative" \
	grep -q '"uri":"warn.policy"' abs.sarif
"$SF" check --format=sarif empty_does_not_exist.policy > none.sarif
check "sarif: an unlocated error is a result without location" \
	python3 -c 'import json,sys; r=json.load(open("none.sarif"))["runs"][0]["results"]; assert r[0]["ruleId"]=="io" and "locations" not in r[0]'

# GitHub workflow commands.
"$SF" check --format=github warn.policy conflict.policy > gh.txt
check "github: a warning" grep -q '^::warning file=warn.policy,line=3,col=9::.*\[dangerous-grant\]$' gh.txt
check "github: an error with its notes folded in" \
	grep -q '^::error file=conflict.policy,line=4,col=[0-9]*::.*\[conflict\]%0Anote: conflict.policy:' gh.txt
check "github: one line per diagnostic" test "$(wc -l < gh.txt)" -eq 2

# JSON: notes nested, an id on errors too.
"$SF" check --format=json conflict.policy unknown.policy > out.json
json_ok() {
	python3 - out.json <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert all(r["severity"] != "note" for r in recs), recs
c = [r for r in recs if r["id"] == "conflict"][0]
assert len(c["notes"]) == 2 and all(n["severity"] == "note" and "line" in n for n in c["notes"])
u = [r for r in recs if r["file"] == "unknown.policy"][0]
assert u["id"] == "unknown-name" and u["notes"] == []
PY
}
check "json: notes nested, errors with ids" json_ok

# -W
"$SF" check warn.policy 2>/dev/null
check "a warning alone passes" test $? -eq 0
"$SF" check -W no-dangerous-grant warn.policy 2>err
check "-W no-ID silences it" test $? -eq 0 -a ! -s err
"$SF" check -Wno-dangerous-grant -Wdangerous-grant warn.policy 2>err
check "-W ID after -W no-ID turns it back on" grep -q "dangerous-grant" err
"$SF" check -W error=dangerous-grant warn.policy 2>err
check "-W error=ID fails" test $? -eq 1
check "-W error=ID prints an error with the id" grep -q "error: 'allow ptrace'.*\[dangerous-grant\]" err
"$SF" check -W error=default-allow warn.policy 2>/dev/null
check "-W error=ID leaves the others warnings" test $? -eq 0
"$SF" check -W error warn.policy 2>/dev/null
check "-W error is --werror" test $? -eq 1
"$SF" check -W no-dangerus-grant warn.policy 2>err
check "-W with an unknown id is a usage error" test $? -eq 2
check "... with a suggestion" grep -q "unknown warning id 'dangerus-grant'; did you mean 'dangerous-grant'?" err
"$SF" compile -W no-shadowed-by-default -o w.bpf \
	<(printf 'policy p { default errno(EPERM); errno(EPERM) read; allow write; }\n') 2>err
check "compile takes -W too" test $? -eq 0 -a ! -s err

# Pipes and stdin.
"$SF" check <(cat warn.policy) 2>err
check "check <(...) reads the pipe" test $? -eq 0
check "... and names it" grep -q "^/dev/fd/[0-9]*:3:9: warning" err
"$SF" check - < unknown.policy 2>err
check "check - reads stdin" test $? -eq 1
check "... as <stdin>" grep -q "^<stdin>:1:18: error: unknown syscall 'nosuchcall'" err
mkdir -p lib
printf 'ruleset io { allow read, write; }\n' > lib/base.policy
printf 'import "lib/base";\npolicy app { default errno(EPERM); use base.io; allow close; }\n' > app.policy
cat app.policy | "$SF" check - 2>err
check "a stream's imports are found from the current directory" test $? -eq 0 -a ! -s err
"$SF" diff <(sed 's/allow close;/allow close, openat;/' app.policy) app.policy > d.txt
check "diff <(...) FILE" test $? -eq 0
check "... finds the change" grep -q "openat" d.txt

# diff --git REV FILE
if command -v git >/dev/null; then
	mkdir repo && cp -r lib app.policy repo/ && mkdir repo/sub
	(cd repo && git init -q && git add . &&
	 git -c user.email=t@t -c user.name=t commit -qm one) >/dev/null
	sed -i 's/allow close;/allow close, openat;/' repo/app.policy
	printf 'ruleset io { allow read, write, ptrace; }\n' > repo/lib/base.policy
	(cd repo && "$SF" diff --git HEAD app.policy > ../g.txt 2>../gerr)
	check "diff --git: NEW allows more: exit 1" test $? -eq 1
	check "diff --git: the change in the file" grep -q "newly allowed: openat" g.txt
	check "diff --git: the change in an import" grep -q "newly allowed: ptrace" g.txt
	(cd repo/sub && "$SF" diff --git HEAD ../app.policy > ../../g2.txt 2>/dev/null)
	check "diff --git from a subdirectory" test $? -eq 1 -a -s g2.txt
	(cd repo && "$SF" diff --git no-such-rev app.policy 2>../gerr >/dev/null)
	check "diff --git: a bad revision exits 2" test $? -eq 2
	check "... and says so" grep -q "cannot read 'app.policy' at no-such-rev" gerr
	"$SF" diff --git HEAD app.policy 2>gerr >/dev/null
	check "diff --git outside a repository exits 2" test $? -eq 2
	check "no temporary directory is left" test -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'sysfence-git-*' -newer app.policy 2>/dev/null)"
else
	skip "diff --git (no git)"
fi

# sim --format=json and the exit status.
printf 'ruleset b { allow read; }\npolicy p { arch x86_64; default errno(EPERM); use b;\n kill_process ptrace; trap uname; log getpid; }\n' > s.policy
"$SF" sim --format=json s.policy read > sim.json
check "sim: allow exits 0" test $? -eq 0
sim_json_ok() {
	python3 - sim.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["action"] == "allow" and r["instructions"] > 0 and r["syscall"] == "read", r
assert r["decided_by"]["file"] == "s.policy" and r["decided_by"]["line"] == 1, r
assert r["decided_by"]["through"][0]["use"] == "b", r
PY
}
check "sim --format=json: action, instructions, deciding rule" sim_json_ok
"$SF" sim --format=json s.policy write > sim2.json
check "sim: errno exits 1" test $? -eq 1
check "sim --format=json: errno by name, the default decides" \
	python3 -c 'import json; r=json.load(open("sim2.json")); assert r["action"]=="errno(EPERM)" and r["decided_by"]["rule"]=="default"'
"$SF" sim s.policy ptrace >/dev/null; check "sim: kill exits 2" test $? -eq 2
"$SF" sim s.policy uname >/dev/null; check "sim: trap exits 3" test $? -eq 3
"$SF" sim s.policy getpid >/dev/null; check "sim: log exits 0" test $? -eq 0
"$SF" sim s.policy nosuchcall >/dev/null 2>&1; check "sim: bad input exits 4" test $? -eq 4
"$SF" sim s.policy >/dev/null 2>&1; check "sim: a usage error exits 5" test $? -eq 5
"$SF" sim --bogus s.policy read >/dev/null 2>&1; check "sim: an unknown option exits 5" test $? -eq 5

# empty-file
: > empty.policy
"$SF" check empty.policy 2>err
check "an empty file is checked" test $? -eq 0
check "... with a warning" grep -q "warning: 'empty.policy' defines no policy and no ruleset \[empty-file\]" err
printf 'const X = 1;\n' > consts.policy
"$SF" check -W error=empty-file consts.policy 2>/dev/null
check "a file of consts alone: empty-file, here an error" test $? -eq 1
"$SF" check lib/base.policy 2>err
check "a library of rulesets is not empty" test $? -eq 0 -a ! -s err

# Raw BPF to a redirected stdout.
"$SF" compile warn.policy > r.bpf 2>err
check "compile > file writes raw BPF" test $? -eq 0 -a -s r.bpf
check "... whole instructions" test $(( $(stat -c %s r.bpf) % 8 )) -eq 0
"$SF" compile warn.policy -o r2.bpf 2>/dev/null
check "... the same as -o" cmp -s r.bpf r2.bpf
check "compile | reads as BPF" test "$("$SF" compile warn.policy 2>/dev/null | wc -c)" -eq "$(stat -c %s r.bpf)"

# Arch names.
for a in amd64 x86-64 x86_64; do
	check "--arch $a is x86_64" grep -q "^arch: x86_64" <<<"$("$SF" sim --arch $a warn.policy read 2>&1)"
done
for a in i386 i686; do
	check "--arch $a is x86" grep -q "^arch: x86$" <<<"$("$SF" sim --arch $a s.policy getpid 2>&1; "$SF" sim --arch $a warn.policy read 2>&1)"
done
check "--arch arm64 is aarch64" grep -q "^arch: aarch64" <<<"$("$SF" sim --arch arm64 warn.policy read 2>&1)"
case "$(uname -m)" in
x86_64) native=x86_64 ;; aarch64) native=aarch64 ;; *) native= ;;
esac
if [ -n "$native" ]; then
	check "--arch native is $native" grep -q "^arch: $native" <<<"$("$SF" sim --arch native warn.policy read 2>&1)"
else
	skip "--arch native (unknown host)"
fi
"$SF" check --arch sparc warn.policy 2>err
check "an unknown --arch names the known ones" grep -q "known: x86_64, x86, x32, aarch64, native" err

# Actions by name in messages.
check "sim names errno values" grep -q "^action: errno(EPERM)" <<<"$("$SF" sim warn.policy openat)"
"$SF" check conflict.policy 2>err
check "conflicts name errno values" grep -q "'errno(EACCES)'" err

finish
