/* The help text of every command (help.h). One place, so that the texts
 * share their wording for the options several commands take. */
#include "cli/help.h"

#define OPT_I "  -I DIR             look for imports in DIR too (repeatable)\n"
#define OPT_D "  -D NAME=VALUE      override the const NAME of the policy (repeatable)\n"
#define OPT_H "  -h, --help         print this text\n"

const char cli_help_check[] =
	"usage: sysfence check [-I DIR] [-D NAME=VALUE] [--arch LIST] [--werror] [-W [no-|error=]ID]\n"
	"                      [--format=json|sarif|github] [-v] FILE...\n"
	"\n"
	"Parse, resolve and analyse every policy and ruleset of each FILE, take the\n"
	"policies through libseccomp, and lint them. Exit 0 when clean, 1 on errors.\n"
	"FILE may be - (standard input) or a pipe; its imports are then looked up\n"
	"from the current directory.\n"
	"\n"
	OPT_I OPT_D
	"  --arch LIST        check for these arches only (x86_64,x86,x32,aarch64;\n"
	"                     also amd64, x86-64, i386, i686, arm64, native)\n"
	"  --werror           count warnings as errors (exit 1 on any)\n"
	"  -W no-ID           silence warning ID; -W error=ID: make it an error;\n"
	"                     -W ID: turn it back on; -W error: like --werror\n"
	"  --format=json      one JSON object per diagnostic (notes nested) on standard output\n"
	"  --format=sarif     one SARIF 2.1.0 document, for code-scanning annotations\n"
	"  --format=github    GitHub Actions ::error / ::warning lines\n"
	"  -v, --verbose      also say which syscalls are skipped on which arch\n"
	OPT_H;

const char cli_help_compile[] =
	"usage: sysfence compile FILE [-p POLICY] [-o OUT] [-f bpf|c|pfc|asm|oci] [--arch LIST]\n"
	"                        [-I DIR] [-D NAME=VALUE] [-v] [--werror] [-W [no-|error=]ID]\n"
	"                        [--profile PROFILE] [--depfile FILE]\n"
	"\n"
	"Compile one policy of FILE to a seccomp filter. The output is replaced\n"
	"atomically; a failed compile leaves it as it was.\n"
	"\n"
	"  -p, --policy NAME  the policy to compile when FILE has several\n"
	"  -o, --output OUT   where to write it ('-': standard output); without -o, raw BPF\n"
	"                     goes to standard output unless that is a terminal\n"
	"  -f, --format FMT   bpf (raw filter, the default), c (a header), pfc (libseccomp's\n"
	"                     text), asm (annotated disassembly) or oci (OCI/Docker JSON);\n"
	"                     without -f the extension of OUT decides (.bpf .h .pfc .asm .json)\n"
	"  --arch LIST        compile for these arches instead of the policy's own\n"
	OPT_I OPT_D
	"  -v, --verbose      also say which syscalls are skipped on which arch\n"
	"  --werror, -W ...   as for check\n"
	"  --depfile FILE     also write FILE: OUT's dependencies (the policy, every file it\n"
	"                     imports, the profile) in Makefile syntax, for meson and make\n"
	"  --profile PROFILE  lay the dispatch out for a syscall profile (strace -c table,\n"
	"                     or NAME COUNT lines)\n"
	OPT_H;

const char cli_help_sim[] =
	"usage: sysfence sim POLICY_OR_BPF [-p POLICY] [--arch ARCH] [--format=json] [-I DIR]\n"
	"                    [-D NAME=VALUE] SYSCALL [ARG | NAME=VALUE]...\n"
	"\n"
	"Run one syscall through a filter on sysfence's BPF interpreter and say what it\n"
	"does, in how many instructions, and (given the source) which rule decided.\n"
	"SYSCALL is a name or a number; arguments are values in order, or NAME=VALUE.\n"
	"Exit status: 0 allow or log, 1 errno, 2 kill, 3 trap, trace or notify,\n"
	"4 bad input, 5 usage error, 6 the filter and the policy disagree.\n"
	"\n"
	"  -p, --policy NAME  the policy of the file when it has several\n"
	"  --arch ARCH        the arch of the syscall (default: this machine's)\n"
	"  --format=json      the result as one JSON object\n"
	OPT_I OPT_D OPT_H;

const char cli_help_diff[] =
	"usage: sysfence diff (OLD NEW | --git REV FILE) [-p POLICY] [--arch LIST] [--format=json]\n"
	"                     [-I DIR] [-D NAME=VALUE]\n"
	"\n"
	"What NEW allows or denies that OLD did not, exactly, per syscall, with a\n"
	"witness and the deciding rules. OLD and NEW are sources or .bpf files (or -\n"
	"and pipes); --git REV FILE compares FILE at revision REV, with its imports,\n"
	"with FILE in the work tree.\n"
	"Exit 0 when NEW allows nothing more, 1 when it does, 2 when they cannot be\n"
	"compared.\n"
	"\n"
	"  -p, --policy NAME  the policy of each source when it has several\n"
	"  --git REV          OLD is FILE as it is at REV\n"
	"  --arch LIST        compare these arches only\n"
	"  --format=json      one JSON object per change and summary line\n"
	OPT_I OPT_D OPT_H;

const char cli_help_import_oci[] =
	"usage: sysfence import-oci PROFILE.json [-o OUT] [--cap CAP]... [--kernel X.Y] [--arch LIST]\n"
	"                           [--name NAME] [--format=json]\n"
	"\n"
	"Write an OCI/Docker seccomp profile as an equivalent sysfence policy.\n"
	"\n"
	"  -o, --output OUT   where to write the policy (default: standard output)\n"
	"  --cap CAP          take capability CAP as granted (repeatable), as --cap-add does\n"
	"  --kernel X.Y       decide the profile's minKernel entries for this kernel\n"
	"                     (default: every minKernel is met)\n"
	"  --arch LIST        keep only these arches\n"
	"  --name NAME        the policy's name\n"
	"  --format=json      diagnostics as JSON lines\n"
	OPT_H;

const char cli_help_generate[] =
	"usage: sysfence generate [-o OUT] [-p NAME] [--format=json] [--min-cover=PERCENT] [-v]\n"
	"                         (-- COMMAND [ARG]... | --from STRACE_LOG [--arch ARCH])\n"
	"\n"
	"Write a starting policy from what COMMAND does under strace -f, or from a log\n"
	"strace wrote earlier: stdlib rulesets where they cover what it did, rules\n"
	"with argument conditions for the rest.\n"
	"\n"
	"  -o, --output OUT   where to write the policy (default: standard output)\n"
	"  -p, --policy NAME  the policy's name (default: the command's file name)\n"
	"  --format=json      a JSON summary on standard output, errors as JSON lines\n"
	"  --min-cover=PERCENT  use a stdlib ruleset when the trace shows at least\n"
	"                     PERCENT of it (1 to 100, default 40)\n"
	"  --from STRACE_LOG  read this log instead of running a command\n"
	"  --arch ARCH        the arch the --from log was made on (default: this machine's)\n"
	"  -v, --verbose      say how many calls and syscalls were read and lines skipped\n"
	OPT_H;

const char cli_help_doc[] =
	"usage: sysfence doc [-I DIR] [-D NAME=VALUE] FILE...\n"
	"\n"
	"Print a Markdown table of every ruleset in the files (docs/stdlib.md).\n"
	"\n"
	OPT_I OPT_D OPT_H;

const char cli_help_exec[] =
	"usage: sysfence exec FILTER.bpf [--all-threads] -- COMMAND [ARG]...\n"
	"\n"
	"Apply the raw filter FILTER.bpf to this process with the runtime loader\n"
	"(which checks it and sets no_new_privs first), then run COMMAND under it.\n"
	"The filter must allow execve and what the dynamic loader does at start-up.\n"
	"Exit status: COMMAND's; 125 when the filter cannot be applied (nothing ran,\n"
	"nothing was confined); 126 when COMMAND cannot be run, 127 when it is not found.\n"
	"\n"
	"  --all-threads      confine every thread (SYSFENCE_ALL_THREADS, TSYNC)\n"
	OPT_H;

const char cli_help_disasm[] =
	"usage: sysfence disasm FILE.bpf [--arch ARCH]\n"
	"\n"
	"Disassemble any raw seccomp filter, one instruction a line, with comments\n"
	"naming the seccomp_data words loaded (nr, arch, args[1] low), the AUDIT_ARCH\n"
	"values and syscalls compared with (on the arch the path checked), and the\n"
	"actions returned (errno(EACCES)). A file the kernel would refuse is shown too,\n"
	"with a warning saying why.\n"
	"\n"
	"  --arch ARCH        name syscall numbers as on ARCH where the filter compares\n"
	"                     nr without having compared arch first\n"
	OPT_H;

const char cli_help_resolve[] =
	"usage: sysfence resolve [--arch ARCH] NAME|NUMBER...\n"
	"\n"
	"Syscall names to numbers and numbers to names, on every arch sysfence knows\n"
	"(x86_64, x86, x32, aarch64) or on ARCH only. Numbers are decimal or 0x hex;\n"
	"x32's include bit 30 (0x40000000), which may be left out with --arch x32.\n"
	"With --arch, each answer is one bare line (for scripts). Exit 1 when some\n"
	"name or number is unknown.\n"
	"\n"
	"  --arch ARCH        resolve on this arch only\n"
	OPT_H;

const char cli_help_dump[] =
	"usage: sysfence dump PID [-o PREFIX]\n"
	"\n"
	"Read the seccomp filters thread PID runs under, with\n"
	"ptrace(PTRACE_SECCOMP_GET_FILTER), into PREFIX.0.bpf, PREFIX.1.bpf, ... in\n"
	"the order they were installed: .0 is the oldest, the highest number the newest\n"
	"(the kernel runs every one; the strictest answer wins). Needs CAP_SYS_ADMIN,\n"
	"the right to ptrace PID, and a sysfence not under seccomp itself. Compare a\n"
	"dump with what was reviewed: sysfence diff app.policy PREFIX.0.bpf\n"
	"\n"
	"  -o, --output PREFIX  the start of the file names (default: PID)\n"
	OPT_H;
