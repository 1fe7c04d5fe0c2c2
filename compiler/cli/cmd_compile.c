/* `sysfence compile FILE`: one policy through the pipeline, written in
 * the format -f or the -o extension asks for (raw BPF by default). */
#include <unistd.h>

#include "cli/cli.h"
#include "driver/compilation.h"

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
	struct compilation c;
	const char *const inputs[] = { o->profile, NULL };   /* and every policy file read */
	int rc = pipeline_run(&c, &cli->diag, &po, o->files[0]) == 0 &&
		 emit_filter(&c.unit, &c.pb, &c.filter, fmt, out ? out : "-", inputs) == 0 ? 0 : 1;
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
