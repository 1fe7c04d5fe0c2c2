/* `sysfence compile FILE`: one policy through the pipeline, written in
 * the format -f or the -o extension asks for (raw BPF by default). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "driver/compilation.h"

/* What --depfile writes: OUT depends on every policy file the compile
 * read (the root and each import, the standard library's included) and
 * the --profile, in Makefile syntax as `gcc -MD` writes it, so that meson
 * (custom_target's depfile) and make rebuild OUT when an import changes. */
struct depfile {
	const char *target;
	const struct unit *unit;
	const char *profile;
};

/* PATH as one word of a Makefile rule. */
static void make_word(FILE *out, const char *path)
{
	for (const char *p = path; *p; p++) {
		if (*p == '$')
			fputc('$', out);
		else if (*p == ' ' || *p == '#' || *p == '\\' || *p == ':')
			fputc('\\', out);
		fputc(*p, out);
	}
}

static int write_depfile(FILE *out, void *ctx)
{
	const struct depfile *dep = ctx;
	make_word(out, dep->target);
	fputc(':', out);
	for (size_t i = 0; i < dep->unit->files.n; i++) {
		const struct policy_file *f = dep->unit->files.v[i];
		if (f->stream)
			continue;   /* a pipe has no file to depend on */
		fputs(" \\\n ", out);
		make_word(out, f->path);
	}
	if (dep->profile) {
		fputs(" \\\n ", out);
		make_word(out, dep->profile);
	}
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}

/* -f, else the -o extension, else raw BPF. */
static enum out_format pick_format(const struct cli_opts *o)
{
	enum out_format fmt = o->fmt;
	if (fmt == FMT_NONE && o->out)
		fmt = format_from_path(o->out);
	return fmt == FMT_NONE ? FMT_BPF : fmt;
}

static int compile(struct cli *cli, const struct cli_opts *o)
{
	enum out_format fmt = pick_format(o);
	const char *out = o->out;
	cli_warnings_setup(cli, o);
	/* Binary to a pipe or a file (`> app.bpf`) is what was asked for;
	 * to a terminal it is garbage. */
	if (!out && fmt == FMT_BPF && isatty(STDOUT_FILENO)) {
		diag_error(&cli->diag, (struct loc){ 0 },
			   "raw BPF is binary and standard output is a terminal; redirect it or name "
			   "an output file with -o (-o - writes to the terminal anyway)");
		return 2;
	}
	/* OCI JSON is made from the analysed policy (oci_export lowers it
	 * itself): the runtime builds its own filter, so none is built here. */
	const struct pipeline_opts po = {
		.unit = &o->unit, .policy = o->policy, .arch_mask = o->arch_mask,
		.stop = fmt == FMT_OCI ? PIPELINE_ANALYSE : PIPELINE_FILTER,
		.want_pfc = fmt == FMT_PFC,
	};
	if (o->depfile && (!out || !strcmp(out, "-"))) {
		diag_error(&cli->diag, (struct loc){ 0 },
			   "--depfile names what OUT depends on; it needs an output file (-o OUT)");
		return 2;
	}
	struct compilation c;
	const char *const inputs[] = { o->profile, NULL };   /* and every policy file read */
	int rc = pipeline_run(&c, &cli->diag, &po, o->files[0]) == 0 &&
		 emit_filter(&c.unit, &c.pb, &c.filter, fmt, out ? out : "-", inputs) == 0 ? 0 : 1;
	if (rc == 0 && o->depfile) {
		struct depfile dep = { out, &c.unit, o->profile };
		const char *const none[] = { NULL };
		rc = emit_atomic(&cli->diag, c.arena, o->depfile, none, write_depfile, &dep) ? 1 : 0;
	}
	diag_summary(&cli->diag);
	compilation_free(&c);
	return rc;
}

int cmd_compile(struct cli *cli, int argc, char **argv)
{
	struct cli_opts o;
	int status;
	if (cli_options_parse(cli, argc, argv, &o, &status) == 0)
		status = o.nfiles == 1 ? compile(cli, &o) : cli_usage_error(cli, NULL);
	cli_options_free(&o);
	return status;
}
