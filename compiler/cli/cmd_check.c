/* `sysfence check FILE...`: every policy and ruleset of each file through
 * the pipeline (policies through libseccomp too), with the lints; exit 1
 * on errors, or with --werror on warnings. */
#include "cli/cli.h"
#include "driver/compilation.h"

static int check_files(struct cli *cli, const struct cli_opts *o)
{
	struct diag *d = &cli->diag;
	cli_diag_setup(cli, o);
	const struct pipeline_opts po = {
		.unit = &o->unit, .arch_mask = o->arch_mask, .stop = PIPELINE_FILTER,
		.whole_file = 1, .lint = 1,
	};
	for (int i = 0; i < o->nfiles; i++) {
		struct compilation c;
		pipeline_run(&c, d, &po, o->files[i]);
		compilation_free(&c);
	}
	int failed = diag_failed(d);
	diag_summary(d);
	return failed ? 1 : 0;
}

int cmd_check(struct cli *cli, int argc, char **argv)
{
	struct cli_opts o;
	int status;
	if (cli_options_parse(cli, argc, argv, &o, &status) == 0)
		status = o.nfiles ? check_files(cli, &o) : cli_usage_error(cli, NULL);
	cli_options_free(&o);
	return status;
}
