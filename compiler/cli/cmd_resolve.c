/* `sysfence resolve [--arch ARCH] NAME|NUMBER...`: syscall names to
 * numbers and numbers to names, from the tables (tables/tables.h), on
 * every arch sysfence knows or on one. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tables/tables.h"

#define RESOLVE_X32_BIT 0x40000000u

struct resolve_cmd {
	struct cli *cli;
	int arch;                   /* --arch, or -1 for every arch */
};

/* Returns 0 to go on, or -1 with the exit status in *STATUS. */
static int parse(struct cli *cli, int argc, char **argv, struct resolve_cmd *o, int *status)
{
	static const struct option longopts[] = {
		{ "arch", required_argument, 0, 'a' }, { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	unsigned mask = 0;
	int c;
	optind = 1;
	*status = 2;
	while ((c = cli_getopt(cli, argc, argv, "h", longopts)) != -1) {
		if (c == 'h') {
			fputs(cli->usage, stdout);
			*status = 0;
			return -1;
		}
		if (c != 'a' || arch_parse_list(&cli->diag, optarg, &mask))
			return -1;
	}
	if (mask & (mask - 1)) {
		diag_error(&cli->diag, (struct loc){ 0 }, "resolve takes one arch, or none for all of them");
		return -1;
	}
	if (optind == argc) {
		cli_usage_error(cli, NULL);
		return -1;
	}
	o->arch = -1;
	for (int a = 0; a < ARCH_COUNT; a++)
		if (mask & (1u << a))
			o->arch = a;
	return 0;
}

/* S as a syscall number (decimal or 0x hex); 0 when it is none. */
static int parse_number(const char *s, long *nr)
{
	char *end;
	if (!(*s >= '0' && *s <= '9'))
		return 0;
	*nr = strtol(s, &end, 0);
	return *end == '\0' && *nr >= 0 && *nr <= 0x7fffffffL;
}

/* The syscall of NR on arch A; on x32 NR may leave bit 30 out. */
static const struct syscall_desc *by_number(int a, long nr)
{
	const struct syscall_desc *d = syscall_by_nr((enum arch_id)a, (int)nr);
	if (!d && arch_table[a].nr_bias && !(nr & arch_table[a].nr_bias))
		d = syscall_by_nr((enum arch_id)a, (int)(nr | arch_table[a].nr_bias));
	return d;
}

static int resolve_number(const struct resolve_cmd *o, const char *arg, long nr)
{
	struct diag *d = &o->cli->diag;
	if (o->arch >= 0) {
		const struct syscall_desc *s = by_number(o->arch, nr);
		if (s) {
			printf("%s\n", s->name);
			return 0;
		}
		diag_error(d, (struct loc){ 0 }, "no syscall has number %s on %s", arg,
			   arch_table[o->arch].name);
		return 1;
	}
	int found = 0;
	for (int a = 0; a < ARCH_COUNT; a++)
		found |= by_number(a, nr) != NULL;
	if (!found) {
		diag_error(d, (struct loc){ 0 }, "no syscall has number %s on any arch", arg);
		return 1;
	}
	printf("%s:", arg);
	for (int a = 0; a < ARCH_COUNT; a++) {
		const struct syscall_desc *s = by_number(a, nr);
		printf("%s %s %s", a ? "," : "", arch_table[a].name, s ? s->name : "-");
	}
	printf("\n");
	return 0;
}

static void unknown_name(struct diag *d, const char *name)
{
	struct suggest s;
	suggest_init(&s, name);
	for (size_t i = 0; i < syscall_count(); i++)
		suggest_offer(&s, syscall_at(i)->name);
	const char *best = suggest_result(&s);
	if (best)
		diag_error(d, (struct loc){ 0 }, "unknown syscall '%s'; did you mean '%s'?", name, best);
	else
		diag_error(d, (struct loc){ 0 }, "unknown syscall '%s'", name);
}

/* x32's numbers in hex, where bit 30 shows; the others in decimal. */
static void print_nr(int a, int nr)
{
	if (nr < 0)
		printf("-");
	else if (arch_table[a].nr_bias)
		printf("0x%x", (unsigned)nr);
	else
		printf("%d", nr);
}

static int resolve_name(const struct resolve_cmd *o, const char *name)
{
	struct diag *d = &o->cli->diag;
	const struct syscall_desc *s = syscall_find(name);
	if (!s) {
		unknown_name(d, name);
		return 1;
	}
	if (o->arch >= 0) {
		if (s->nr[o->arch] >= 0) {
			printf("%d\n", s->nr[o->arch]);
			return 0;
		}
		diag_error(d, (struct loc){ 0 }, "%s does not exist on %s", name, arch_table[o->arch].name);
		return 1;
	}
	printf("%s:", name);
	for (int a = 0; a < ARCH_COUNT; a++) {
		printf("%s %s ", a ? "," : "", arch_table[a].name);
		print_nr(a, s->nr[a]);
	}
	printf("\n");
	return 0;
}

int cmd_resolve(struct cli *cli, int argc, char **argv)
{
	struct resolve_cmd o = { cli, -1 };
	int status;
	if (parse(cli, argc, argv, &o, &status))
		return status;
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		long nr;
		rc |= parse_number(argv[i], &nr) ? resolve_number(&o, argv[i], nr)
						 : resolve_name(&o, argv[i]);
	}
	return rc;
}
