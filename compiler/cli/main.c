/* The sysfence command line: the table of commands and the dispatch to
 * them. Each command lives in its own cmd_*.c; the options most of them
 * share are parsed in options.c. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/help.h"

#ifndef SYSFENCE_VERSION
#define SYSFENCE_VERSION "0"
#endif

static const char synopsis[] =
	"usage: sysfence check [-I DIR] [-D NAME=VALUE] [--arch LIST] [--werror] [-W [no-|error=]ID]\n"
	"                      [--format=json|sarif|github] [-v] FILE...   (FILE may be - or a pipe)\n"
	"       sysfence compile FILE [-p POLICY] [-o OUT] [-f bpf|c|pfc|asm|oci] [--arch LIST]\n"
	"                        [-I DIR] [-D NAME=VALUE] [-v] [--profile PROFILE] [--depfile FILE]\n"
	"       sysfence sim POLICY_OR_BPF [-p POLICY] [--arch ARCH] [--format=json] [-I DIR] [-D NAME=VALUE]\n"
	"                    SYSCALL [ARG | NAME=VALUE]...\n"
	"       sysfence diff (OLD NEW | --git REV FILE) [-p POLICY] [--arch LIST] [--format=json]\n"
	"                     [-I DIR] [-D NAME=VALUE]\n"
	"       sysfence import-oci PROFILE.json [-o OUT] [--cap CAP]... [--kernel X.Y] [--arch LIST]\n"
	"                           [--name NAME] [--format=json]\n"
	"       sysfence generate [-o OUT] [-p NAME] [--format=json] [--min-cover=PERCENT]\n"
	"                         (-- COMMAND [ARG]... | --from STRACE_LOG [--arch ARCH])\n"
	"       sysfence doc [-I DIR] FILE...\n"
	"       sysfence exec FILTER.bpf [--all-threads] -- COMMAND [ARG]...\n"
	"       sysfence disasm FILE.bpf [--arch ARCH]\n"
	"       sysfence resolve [--arch ARCH] NAME|NUMBER...\n"
	"       sysfence dump PID [-o PREFIX]\n"
	"       sysfence COMMAND --help | sysfence help COMMAND | sysfence --version\n"
	"\n";

struct command {
	const char *name;
	cli_command run;
	const char *summary;   /* for the usage text; continuation lines indented */
	const char *help;      /* COMMAND --help: the synopsis and every option */
};

static const struct command commands[] = {
	{ "check", cmd_check, "parse, resolve and analyse policies; exit 1 on any error\n"
			      "         (-v: also say which syscalls are skipped on which arch)",
	  cli_help_check },
	{ "compile", cmd_compile, "compile one policy to a seccomp filter (raw BPF by default);\n"
				  "         --profile: order it for a syscall profile (strace -c table, or NAME COUNT lines)",
	  cli_help_compile },
	{ "sim", cmd_sim, "run one syscall through a filter and say what it does, and why", cli_help_sim },
	{ "diff", cmd_diff, "what NEW allows or denies that OLD did not (source or .bpf);\n"
			    "         exit 1 when NEW allows more, 2 when they cannot be compared",
	  cli_help_diff },
	{ "import-oci", cmd_import_oci,
	  "write an OCI/Docker seccomp profile as a sysfence policy (compile -f oci: back)",
	  cli_help_import_oci },
	{ "generate", cmd_generate, "write a starting policy from what COMMAND does under strace (or a log)",
	  cli_help_generate },
	{ "doc", cmd_doc, "print a Markdown table of every ruleset in the files", cli_help_doc },
	{ "exec", cmd_exec, "apply a .bpf filter, then run COMMAND under it", cli_help_exec },
	{ "disasm", cmd_disasm, "disassemble any raw filter, naming syscalls, arches, arguments, errnos",
	  cli_help_disasm },
	{ "resolve", cmd_resolve, "syscall names to numbers and back, on every arch", cli_help_resolve },
	{ "dump", cmd_dump, "read the filters a running process is under into .bpf files (ptrace)",
	  cli_help_dump },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The synopsis, then a line per command: names padded to a column of
 * nine, longer ones followed by two spaces. */
static void usage_text(char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s", synopsis);
	for (size_t i = 0; i < NCOMMANDS && n < len; i++) {
		int width = strlen(commands[i].name) < 9 ? 9 : (int)strlen(commands[i].name) + 2;
		n += (size_t)snprintf(buf + n, len - n, "%-*s%s\n", width, commands[i].name,
				      commands[i].summary);
	}
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* A mistyped command: the closest name when there is one, else the list
 * of them; not the whole usage text, which would bury the line. */
static int unknown_command(struct cli *cli, const char *name)
{
	struct suggest s;
	suggest_init(&s, name);
	for (size_t i = 0; i < NCOMMANDS; i++)
		suggest_offer(&s, commands[i].name);
	const char *best = suggest_result(&s);
	if (best) {
		diag_error(&cli->diag, (struct loc){ 0 }, "unknown command '%s'; did you mean '%s'?", name,
			   best);
		return 2;
	}
	char list[256];
	size_t n = 0;
	list[0] = '\0';
	for (size_t i = 0; i < NCOMMANDS && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", commands[i].name);
	diag_error(&cli->diag, (struct loc){ 0 }, "unknown command '%s' (commands: %s; "
		   "sysfence --help says more)", name, list);
	return 2;
}

/* `sysfence help [COMMAND]`. */
static int help(struct cli *cli, int argc, char **argv)
{
	if (argc < 3) {
		fputs(cli->usage, stdout);
		return 0;
	}
	const struct command *c = find_command(argv[2]);
	if (!c)
		return unknown_command(cli, argv[2]);
	fputs(c->help, stdout);
	return 0;
}

static int dispatch(struct cli *cli, int argc, char **argv)
{
	const char *cmd = argv[1];
	if (argc < 2)
		return cli_usage_error(cli, NULL);
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0)
		return help(cli, argc, argv);
	if (strcmp(cmd, "--version") == 0) {
		printf("sysfence %s\n", SYSFENCE_VERSION);
		return 0;
	}
	const struct command *c = find_command(cmd);
	if (!c)
		return unknown_command(cli, cmd);
	/* From here on usage errors and --help print this command's text. */
	cli->usage = c->help;
	return c->run(cli, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	char usage[4096];
	usage_text(usage, sizeof(usage));
	struct cli cli = { .usage = usage };
	diag_init(&cli.diag, stderr);
	cli.arena = arena_new();
	int status = dispatch(&cli, argc, argv);
	diag_fini(&cli.diag);
	arena_free(cli.arena);
	return status;
}
