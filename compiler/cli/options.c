/* The options check, compile, sim, diff and doc share, parsed in one
 * place so that -I, -D, --arch, -p, -o and -v mean the same to each. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "frontend/lint_ids.h"
#include "layout/profile.h"

/* -D NAME=VALUE: split in place, the value after the '='. */
static int take_define(struct cli *cli, char *arg, struct cli_opts *o)
{
	char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		diag_error(&cli->diag, (struct loc){ 0 }, "-D wants NAME=VALUE, not '%s'", arg);
		return -1;
	}
	*eq = '\0';
	o->defs[o->unit.ndefines++] = (struct define){ arg, eq + 1 };
	return 0;
}

/* --format=json and -f bpf share a letter; json is check's, diff's and
 * sim's, sarif and github check's. */
static int take_format(struct cli *cli, const char *arg, struct cli_opts *o)
{
	static const struct { const char *name; enum diag_format f; } diag_formats[] = {
		{ "json", DIAG_JSON }, { "sarif", DIAG_SARIF }, { "github", DIAG_GITHUB },
	};
	for (size_t i = 0; i < sizeof(diag_formats) / sizeof(diag_formats[0]); i++)
		if (strcmp(arg, diag_formats[i].name) == 0) {
			o->dfmt = diag_formats[i].f;
			o->json = o->dfmt == DIAG_JSON;
			return 0;
		}
	o->fmt = format_from_name(arg);
	if (o->fmt != FMT_NONE)
		return 0;
	diag_error(&cli->diag, (struct loc){ 0 },
		   "unknown format '%s' (bpf, c, pfc, asm, oci; json, sarif, github for check)", arg);
	return -1;
}

/* -W error (--werror), -W error=ID, -W no-ID, -W ID. */
static int take_warning(struct cli *cli, const char *arg, struct cli_opts *o)
{
	if (strcmp(arg, "error") == 0) {
		o->werror = 1;
		return 0;
	}
	struct diag_wctl w = { arg, DIAG_W_ON };
	if (strncmp(arg, "error=", 6) == 0)
		w = (struct diag_wctl){ arg + 6, DIAG_W_ERROR };
	else if (strncmp(arg, "no-", 3) == 0)
		w = (struct diag_wctl){ arg + 3, DIAG_W_OFF };
	if (!lint_id_check(&cli->diag, w.id, (struct loc){ 0 }))
		return -1;
	o->wctl[o->nwctl++] = w;
	return 0;
}

/* One option C with its argument. Returns 0, 1 for --help, -1 for a
 * usage error (diagnosed, or by getopt itself). */
static int take_option(struct cli *cli, int c, char *arg, struct cli_opts *o)
{
	switch (c) {
	case 'I': o->incs[o->unit.ninclude++] = arg; return 0;
	case 'D': return take_define(cli, arg, o);
	case 'p': o->policy = arg; return 0;
	case 'o': o->out = arg; return 0;
	case 'f': return take_format(cli, arg, o);
	case 'a': return arch_parse_list(&cli->diag, arg, &o->arch_mask);
	case 'E': o->werror = 1; return 0;
	case 'W': return take_warning(cli, arg, o);
	case 'v': o->unit.verbose = 1; return 0;
	case 'P': o->profile = arg; return 0;
	case 'M': o->depfile = arg; return 0;
	case 'G': o->git_rev = arg; return 0;
	case 'h': return 1;
	default: return -1;
	}
}

int cli_getopt(struct cli *cli, int argc, char **argv, const char *opts,
	       const struct option *longopts)
{
	char with_colon[64];
	int plus = opts[0] == '+';
	/* ':' first (after a '+') makes getopt tell a missing argument apart. */
	snprintf(with_colon, sizeof(with_colon), "%s:%s", plus ? "+" : "", opts + plus);
	opterr = 0;
	int c = getopt_long(argc, argv, with_colon, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	const char *arg = argv[optind - 1];
	if (c == ':')
		diag_error(&cli->diag, (struct loc){ 0 }, "option '%s' needs an argument", arg);
	else if (optopt && strncmp(arg, "--", 2) != 0)
		diag_error(&cli->diag, (struct loc){ 0 }, "unknown option '-%c'", optopt);
	else
		diag_error(&cli->diag, (struct loc){ 0 }, "unknown option '%s'", arg);
	return '?';
}

int cli_options_parse(struct cli *cli, int argc, char **argv, struct cli_opts *o, int *status)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, 0, 'p' }, { "output", required_argument, 0, 'o' },
		{ "format", required_argument, 0, 'f' }, { "arch", required_argument, 0, 'a' },
		{ "werror", no_argument, 0, 'E' },       { "help", no_argument, 0, 'h' },
		{ "verbose", no_argument, 0, 'v' },      { "profile", required_argument, 0, 'P' },
		{ "depfile", required_argument, 0, 'M' },
		{ "git", required_argument, 0, 'G' },
		{ 0, 0, 0, 0 },
	};
	memset(o, 0, sizeof(*o));
	o->fmt = FMT_NONE;
	/* No more -I or -D than arguments. */
	o->incs = mem_calloc((size_t)argc, sizeof(*o->incs));
	o->defs = mem_calloc((size_t)argc, sizeof(*o->defs));
	o->wctl = mem_calloc((size_t)argc, sizeof(*o->wctl));
	o->unit.include_dirs = o->incs;
	o->unit.defines = o->defs;
	int c, rc = 0;
	optind = 1;
	while (rc == 0 && (c = cli_getopt(cli, argc, argv, "I:D:p:o:f:W:hv", longopts)) != -1)
		rc = take_option(cli, c, optarg, o);
	if (rc) {
		if (rc > 0)
			fputs(cli->usage, stdout);
		*status = rc > 0 ? 0 : 2;
		return -1;
	}
	o->files = argv + optind;
	o->nfiles = argc - optind;
	if (o->profile && !(o->unit.profile = profile_load(cli->arena, o->profile))) {
		*status = 1;
		return -1;
	}
	return 0;
}

void cli_options_free(struct cli_opts *o)
{
	free(o->incs);
	free(o->defs);
	free(o->wctl);
	o->incs = NULL;
	o->defs = NULL;
	o->wctl = NULL;
}

void cli_warnings_setup(struct cli *cli, const struct cli_opts *o)
{
	struct diag *d = &cli->diag;
	d->werror = o->werror;
	d->wctl = o->wctl;
	d->nwctl = o->nwctl;
	d->rules = lint_ids;
}

void cli_diag_setup(struct cli *cli, const struct cli_opts *o)
{
	struct diag *d = &cli->diag;
	cli_warnings_setup(cli, o);
	if (o->dfmt == DIAG_TEXT)
		return;
	d->format = o->dfmt;
	d->json = o->dfmt == DIAG_JSON;
	d->out = stdout;   /* the records are the output, for CI tools */
}

int cli_usage_error(struct cli *cli, const char *usage)
{
	diag_text(&cli->diag, usage ? usage : cli->usage);
	return 2;
}
