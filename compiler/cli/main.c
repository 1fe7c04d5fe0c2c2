/* The sysfence command line: the table of commands and the dispatch to
 * them. Each command lives in its own cmd_*.c; the options most of them
 * share are parsed in options.c. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#ifndef SYSFENCE_VERSION
#define SYSFENCE_VERSION "0"
#endif

static const char synopsis[] =
	"usage: sysfence check [-I DIR] [-D NAME=VALUE] [--arch LIST] [--werror] [-W [no-|error=]ID]\n"
	"                      [--format=json|sarif|github] [-v] FILE...   (FILE may be - or a pipe)\n"
	"       sysfence compile FILE [-p POLICY] [-o OUT] [-f bpf|c|pfc|asm|oci] [--arch LIST]\n"
	"                        [-I DIR] [-D NAME=VALUE] [-v] [--profile PROFILE]\n"
	"       sysfence sim POLICY_OR_BPF [-p POLICY] [--arch ARCH] [--format=json] [-I DIR] [-D NAME=VALUE]\n"
	"                    SYSCALL [ARG | NAME=VALUE]...\n"
	"       sysfence diff (OLD NEW | --git REV FILE) [-p POLICY] [--arch LIST] [--format=json]\n"
	"                     [-I DIR] [-D NAME=VALUE]\n"
	"       sysfence import-oci PROFILE.json [-o OUT] [--cap CAP]... [--kernel X.Y] [--arch LIST]\n"
	"                           [--name NAME] [--format=json]\n"
	"       sysfence generate [-o OUT] [-p NAME] [--format=json] [--min-cover=PERCENT]\n"
	"                         (-- COMMAND [ARG]... | --from STRACE_LOG [--arch ARCH])\n"
	"       sysfence doc [-I DIR] FILE...\n"
	"       sysfence --version\n"
	"\n";

struct command {
	const char *name;
	cli_command run;
	const char *summary;   /* for the usage text; continuation lines indented */
};

static const struct command commands[] = {
	{ "check", cmd_check, "parse, resolve and analyse policies; exit 1 on any error\n"
			      "         (-v: also say which syscalls are skipped on which arch)" },
	{ "compile", cmd_compile, "compile one policy to a seccomp filter (raw BPF by default);\n"
				  "         --profile: order it for a syscall profile (strace -c table, or NAME COUNT lines)" },
	{ "sim", cmd_sim, "run one syscall through a filter and say what it does, and why" },
	{ "diff", cmd_diff, "what NEW allows or denies that OLD did not (source or .bpf);\n"
			    "         exit 1 when NEW allows more, 2 when they cannot be compared" },
	{ "import-oci", cmd_import_oci,
	  "write an OCI/Docker seccomp profile as a sysfence policy (compile -f oci: back)" },
	{ "generate", cmd_generate, "write a starting policy from what COMMAND does under strace (or a log)" },
	{ "doc", cmd_doc, "print a Markdown table of every ruleset in the files" },
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

static int dispatch(struct cli *cli, int argc, char **argv)
{
	const char *cmd = argv[1];
	if (argc < 2 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		if (argc < 2)
			return cli_usage_error(cli, NULL);
		fputs(cli->usage, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("sysfence %s\n", SYSFENCE_VERSION);
		return 0;
	}
	const struct command *c = find_command(cmd);
	if (c)
		return c->run(cli, argc - 1, argv + 1);
	diag_error(&cli->diag, (struct loc){ 0 }, "unknown command '%s'", cmd);
	diag_text(&cli->diag, "\n");
	return cli_usage_error(cli, NULL);
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
