/* `sysfence dump PID [-o PREFIX]`: the filters a running process is under
 * (tools/dump.h) written as PREFIX.0.bpf (the oldest) to PREFIX.N.bpf
 * (the newest), each one a file `sysfence diff` and `disasm` read. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "output/emit.h"
#include "tools/dump.h"

struct dump_cmd {
	pid_t pid;
	const char *prefix;         /* -o; default the PID as written */
};

static int parse_pid(struct cli *cli, const char *s, pid_t *pid)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s >= '0' && *s <= '9' && *end == '\0' && v > 0 && v <= 0x7fffffffL) {
		*pid = (pid_t)v;
		return 0;
	}
	diag_error(&cli->diag, (struct loc){ 0 }, "dump wants a process id, not '%s'", s);
	return -1;
}

/* Returns 0 to go on, or -1 with the exit status in *STATUS. */
static int parse(struct cli *cli, int argc, char **argv, struct dump_cmd *o, int *status)
{
	static const struct option longopts[] = {
		{ "output", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;
	optind = 1;
	*status = 2;
	while ((c = cli_getopt(cli, argc, argv, "o:h", longopts)) != -1) {
		if (c == 'h') {
			fputs(cli->usage, stdout);
			*status = 0;
			return -1;
		}
		if (c != 'o')
			return -1;
		o->prefix = optarg;
	}
	if (optind != argc - 1) {
		cli_usage_error(cli, NULL);
		return -1;
	}
	if (parse_pid(cli, argv[optind], &o->pid))
		return -1;
	if (!o->prefix)
		o->prefix = argv[optind];
	return 0;
}

static int write_filter(FILE *out, void *ctx)
{
	const struct dump_filter *f = ctx;
	return fwrite(f->insns, sizeof(*f->insns), f->len, out) == f->len ? 0 : -1;
}

/* Every filter to its file, and a line on standard output for each. */
static int write_all(struct cli *cli, const struct dump_cmd *o, struct dump_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *path = arena_printf(cli->arena, "%s.%zu.bpf", o->prefix, i);
		if (emit_atomic(&cli->diag, cli->arena, path, NULL, write_filter, &r->v[i]))
			return 1;
		printf("%s: %zu instructions%s\n", path, r->v[i].len,
		       r->n == 1 ? "" : i == 0 ? " (the oldest)" : i + 1 == r->n ? " (the newest)" : "");
	}
	return 0;
}

int cmd_dump(struct cli *cli, int argc, char **argv)
{
	struct dump_cmd o = { 0 };
	int status;
	if (parse(cli, argc, argv, &o, &status))
		return status;
	struct dump_result r;
	int rc = dump_filters(&cli->diag, o.pid, &r) == 0 ? write_all(cli, &o, &r) : 1;
	dump_result_free(&r);
	return rc;
}
