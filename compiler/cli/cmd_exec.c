/* `sysfence exec FILTER.bpf [--all-threads] -- COMMAND [ARG]...`: applies
 * a raw filter with the runtime loader (runtime/sysfence.h), which checks
 * it and sets no_new_privs before anything changes, then runs COMMAND in
 * this process, which inherits the filter across execve. Exit statuses
 * follow env(1) and the shell: 125 when the filter cannot be applied,
 * 126 when COMMAND cannot be run, 127 when it is not found. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysfence.h>
#include <unistd.h>

#include "cli/cli.h"

enum {
	EXEC_CANNOT_APPLY = 125,
	EXEC_CANNOT_RUN = 126,
	EXEC_NOT_FOUND = 127,
};

struct exec_cmd {
	const char *filter;
	unsigned flags;
	char **cmd;                 /* NULL-terminated, from argv */
};

/* The index of the "--" that ends sysfence's arguments, or -1. */
static int find_dashdash(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			return i;
	return -1;
}

/* Options and the filter come before "--", the command after it; the
 * command's own options are never taken for ours. Returns 0 to go on, or
 * -1 with the exit status in *STATUS. */
static int parse(struct cli *cli, int argc, char **argv, struct exec_cmd *e, int *status)
{
	static const struct option longopts[] = {
		{ "all-threads", no_argument, 0, 'T' }, { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int end = find_dashdash(argc, argv);
	int ours = end < 0 ? argc : end;
	int c;
	optind = 1;
	*status = 2;
	while ((c = cli_getopt(cli, ours, argv, "h", longopts)) != -1) {
		if (c == 'T') {
			e->flags |= SYSFENCE_ALL_THREADS;
		} else if (c == 'h') {
			fputs(cli->usage, stdout);
			*status = 0;
			return -1;
		} else {
			return -1;
		}
	}
	if (end < 0 || end + 1 >= argc) {
		diag_error(&cli->diag, (struct loc){ 0 },
			   "exec wants the command after '--': sysfence exec FILTER.bpf -- COMMAND [ARG]...");
		return -1;
	}
	if (optind != ours - 1) {
		cli_usage_error(cli, NULL);
		return -1;
	}
	e->filter = argv[optind];
	e->cmd = argv + end + 1;
	return 0;
}

/* Past the filter: only COMMAND's failure to start is left to report, and
 * the message itself needs write(2) on standard error to get out. */
static int exec_command(struct cli *cli, const struct exec_cmd *e)
{
	fflush(NULL);
	execvp(e->cmd[0], e->cmd);
	int err = errno;
	diag_error(&cli->diag, (struct loc){ 0 }, "cannot run '%s' under '%s': %s", e->cmd[0], e->filter,
		   strerror(err));
	if (err == EPERM)
		diag_note(&cli->diag, (struct loc){ 0 },
			  "the filter must allow execve and the dynamic loader's start-up (docs/embedding.md)");
	return err == ENOENT || err == ENOTDIR ? EXEC_NOT_FOUND : EXEC_CANNOT_RUN;
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	struct exec_cmd e = { 0 };
	int status;
	if (parse(cli, argc, argv, &e, &status))
		return status;
	int rc = sysfence_apply_file(e.filter, e.flags);
	if (rc < 0) {
		diag_error(&cli->diag, (struct loc){ 0 }, "cannot apply '%s': %s", e.filter,
			   sysfence_strerror(rc));
		diag_note(&cli->diag, (struct loc){ 0 }, "'%s' was not run, and nothing was confined",
			  e.cmd[0]);
		return EXEC_CANNOT_APPLY;
	}
	return exec_command(cli, &e);
}
