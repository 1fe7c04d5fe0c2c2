/* `sysfence disasm FILE.bpf [--arch ARCH]`: any raw seccomp filter, not
 * only sysfence's, through the annotating disassembler (bpf_disasm_as),
 * each return noted with the syscalls whose paths reach it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/mem.h"
#include "bpf/bpf.h"
#include "cli/cli.h"
#include "tables/tables.h"

struct disasm_cmd {
	const char *file;
	unsigned arch_mask;         /* --arch: at most one bit */
};

/* Returns 0 to go on, or -1 with the exit status in *STATUS. */
static int parse(struct cli *cli, int argc, char **argv, struct disasm_cmd *o, int *status)
{
	static const struct option longopts[] = {
		{ "arch", required_argument, 0, 'a' }, { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;
	optind = 1;
	*status = 2;
	while ((c = cli_getopt(cli, argc, argv, "h", longopts)) != -1) {
		if (c == 'h') {
			fputs(cli->usage, stdout);
			*status = 0;
			return -1;
		}
		if (c != 'a' || arch_parse_list(&cli->diag, optarg, &o->arch_mask))
			return -1;
	}
	if (o->arch_mask & (o->arch_mask - 1)) {
		diag_error(&cli->diag, (struct loc){ 0 }, "disasm names syscalls as on one arch");
		return -1;
	}
	if (optind != argc - 1) {
		cli_usage_error(cli, NULL);
		return -1;
	}
	o->file = argv[optind];
	return 0;
}

/* The table arch of syscall NR on AUDIT (x32 by bit 30), or -1. */
static int arch_of(uint32_t audit, uint32_t nr)
{
	for (int a = 0; a < ARCH_COUNT; a++)
		if (arch_table[a].audit_arch == audit && (nr & 0x40000000u) == arch_table[a].nr_bias)
			return a;
	return -1;
}

/* "x86_64 read, write; x86 read" for the syscalls whose paths end here. */
static void note_paths(const struct bpf_reach *r, void *ctx, char *note, size_t len)
{
	(void)ctx;
	size_t n = 0;
	int last = -1;
	note[0] = '\0';
	for (unsigned i = 0; i < r->npaths && n + 1 < len; i++) {
		int a = arch_of(r->paths[i].arch, r->paths[i].nr);
		const struct syscall_desc *d = a >= 0 ? syscall_by_nr((enum arch_id)a, (int)r->paths[i].nr) : NULL;
		if (!d)
			continue;
		if (a != last)
			n += (size_t)snprintf(note + n, len - n, "%s%s ", n ? "; " : "", arch_table[a].name);
		else
			n += (size_t)snprintf(note + n, len - n, ", ");
		if (n + 1 < len)
			n += (size_t)snprintf(note + n, len - n, "%s", d->name);
		last = a;
	}
	if (n + 1 >= len && len > 4)
		memcpy(note + len - 4, "...", 4);
}

/* The instructions of the file, copied out of the arena for alignment. */
static struct sock_filter *read_filter(struct cli *cli, const char *path, size_t *n)
{
	struct arena *a = arena_new();
	size_t bytes;
	int err;
	char *text = read_all(a, path, &bytes, &err);
	struct sock_filter *p = NULL;
	if (!text)
		diag_error(&cli->diag, (struct loc){ 0 }, "cannot read '%s': %s", path, strerror(err));
	else if (bytes == 0 || bytes % sizeof(*p))
		diag_error(&cli->diag, (struct loc){ 0 },
			   "'%s' is no raw filter: %zu bytes, not a whole number of 8-byte instructions",
			   path, bytes);
	else {
		*n = bytes / sizeof(*p);
		p = mem_alloc(bytes);
		memcpy(p, text, bytes);
	}
	arena_free(a);
	return p;
}

int cmd_disasm(struct cli *cli, int argc, char **argv)
{
	struct disasm_cmd o = { 0 };
	int status;
	if (parse(cli, argc, argv, &o, &status))
		return status;
	size_t n;
	struct sock_filter *p = read_filter(cli, o.file, &n);
	if (!p)
		return 1;
	char why[160];
	if (bpf_check(p, n, why, sizeof(why)))
		diag_warning(&cli->diag, (struct loc){ 0 }, "the kernel would refuse '%s': %s", o.file, why);
	uint32_t assume = 0;
	for (int a = 0; a < ARCH_COUNT; a++)
		if (o.arch_mask & (1u << a))
			assume = arch_table[a].audit_arch;
	printf("# %s: %zu instructions\n", o.file, n);
	fflush(stdout);
	bpf_disasm_as(stdout, p, n, assume, note_paths, NULL);
	free(p);
	return 0;
}
