/* `sysfence import-oci PROFILE [-o OUT] [--cap CAP]... [--kernel X.Y]
 * [--name NAME] [--arch LIST] [--format=json]`: the command line around
 * oci_import(), which turns the profile into policy text. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arch.h"
#include "base/file.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "cli/help.h"
#include "output/emit.h"
#include "tools/oci_import.h"

struct oci_cmd {
	struct oci_import_options import;
	const char **caps;          /* storage of import.caps */
	const char *out;
	const char *profile;        /* the one argument */
	int json;
};

struct text {
	const char *p;
	size_t len;
};

static int write_text(FILE *out, void *ctx)
{
	const struct text *t = ctx;
	return fwrite(t->p, 1, t->len, out) == t->len ? 0 : -1;
}

static int parse_kernel(struct cli *cli, const char *s, struct oci_import_options *o)
{
	char tail;
	o->kernel_minor = 0;
	int n = sscanf(s, "%d.%d%c", &o->kernel_major, &o->kernel_minor, &tail);
	if (n < 1 || n > 2 || o->kernel_major < 0 || o->kernel_minor < 0) {
		diag_error(&cli->diag, (struct loc){ 0 }, "--kernel wants a version like 5.10, not '%s'", s);
		return -1;
	}
	return 0;
}

/* One option C. Returns 0, 1 for --help, -1 for a usage error. */
static int take_option(struct cli *cli, int c, const char *arg, struct oci_cmd *o)
{
	switch (c) {
	case 'o': o->out = arg; return 0;
	case 'c': o->caps[o->import.ncaps++] = arg; return 0;
	case 'k': return parse_kernel(cli, arg, &o->import);
	case 'n': o->import.name = arg; return 0;
	case 'a': return arch_parse_list(&cli->diag, arg, &o->import.arch_mask);
	case 'f':
		if (strcmp(arg, "json") == 0) {
			o->json = 1;
			return 0;
		}
		diag_error(&cli->diag, (struct loc){ 0 },
			   "import-oci writes a policy; --format takes only json (for the diagnostics)");
		return -1;
	case 'h': return 1;
	default: return -1;
	}
}

/* Returns 0 to go on, or -1 with the exit status in *STATUS. */
static int parse(struct cli *cli, int argc, char **argv, struct oci_cmd *o, int *status)
{
	static const struct option longopts[] = {
		{ "output", required_argument, 0, 'o' }, { "cap", required_argument, 0, 'c' },
		{ "kernel", required_argument, 0, 'k' }, { "name", required_argument, 0, 'n' },
		{ "format", required_argument, 0, 'f' }, { "help", no_argument, 0, 'h' },
		{ "arch", required_argument, 0, 'a' },
		{ 0, 0, 0, 0 },
	};
	int c, rc = 0;
	optind = 1;
	while (rc == 0 && (c = cli_getopt(cli, argc, argv, "o:f:h", longopts)) != -1)
		rc = take_option(cli, c, optarg, o);
	if (rc > 0) {
		fputs(cli_help_import_oci, stdout);
		*status = 0;
		return -1;
	}
	if (rc < 0 || optind != argc - 1) {
		if (rc == 0)
			cli_usage_error(cli, NULL);
		*status = 2;
		return -1;
	}
	o->import.caps = o->caps;
	o->profile = argv[optind];
	return 0;
}

static int import(struct cli *cli, const struct oci_cmd *o)
{
	const char *path = o->profile;
	struct diag *d = &cli->diag;
	d->json = o->json;
	struct arena *a = arena_new();
	int err = 0, rc = 1;
	struct source *src = source_read(a, path, &err);
	char *text = NULL;   /* from open_memstream: free(), not mem.h */
	size_t len = 0;
	if (!src)
		diag_error(d, (struct loc){ 0 }, "cannot read '%s': %s", path, file_error(err));
	else if (oci_import(a, d, src, &o->import, &text, &len) == 0) {
		struct text t = { text, len };
		const char *const inputs[] = { path, NULL };
		rc = emit_atomic(d, a, o->out, inputs, write_text, &t) ? 1 : 0;
	}
	free(text);
	diag_summary(d);
	arena_free(a);
	return rc;
}

int cmd_import_oci(struct cli *cli, int argc, char **argv)
{
	struct oci_cmd o = { .import = { .kernel_major = -1 }, .out = "-" };
	o.caps = mem_calloc((size_t)argc, sizeof(*o.caps));
	int status;
	if (parse(cli, argc, argv, &o, &status) == 0)
		status = import(cli, &o);
	free(o.caps);
	return status;
}
