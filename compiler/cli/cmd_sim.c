/* `sysfence sim POLICY_OR_BPF SYSCALL [ARG]...`: the command line around
 * sim_run(), which prints the verdict. */
#include "cli/cli.h"
#include "tools/sim.h"

static int sim(struct cli *cli, const struct cli_opts *o)
{
	if (o->arch_mask & (o->arch_mask - 1)) {
		diag_error(&cli->diag, (struct loc){ 0 }, "sim runs one arch at a time");
		return 2;
	}
	struct sim_request req = {
		&o->unit, o->files[0], o->policy, o->arch_mask, o->files[1], o->files + 2, o->nfiles - 2,
	};
	return sim_run(&req);
}

int cmd_sim(struct cli *cli, int argc, char **argv)
{
	struct cli_opts o;
	int status;
	if (cli_options_parse(cli, argc, argv, &o, &status) == 0)
		status = o.nfiles >= 2 ? sim(cli, &o) : cli_usage_error(cli, NULL);
	cli_options_free(&o);
	return status;
}
