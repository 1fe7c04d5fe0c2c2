/* `sysfence sim POLICY_OR_BPF SYSCALL [ARG]...`: the command line around
 * sim_run(), which prints the verdict. The exit status says what the
 * filter does (enum sim_status): 0 allow or log, 1 errno, 2 kill, 3 trap,
 * trace or notify, 4 bad input, 5 a usage error, 6 a bug. */
#include "cli/cli.h"
#include "tools/sim.h"

static int sim(struct cli *cli, const struct cli_opts *o)
{
	if (o->arch_mask & (o->arch_mask - 1)) {
		diag_error(&cli->diag, (struct loc){ 0 }, "sim runs one arch at a time");
		return SIM_USAGE;
	}
	if (o->dfmt == DIAG_SARIF || o->dfmt == DIAG_GITHUB) {
		diag_error(&cli->diag, (struct loc){ 0 }, "sim's --format is json");
		return SIM_USAGE;
	}
	struct sim_request req = {
		&o->unit, o->files[0], o->policy, o->arch_mask, o->files[1], o->files + 2, o->nfiles - 2,
		o->json,
	};
	return (int)sim_run(&req);
}

int cmd_sim(struct cli *cli, int argc, char **argv)
{
	struct cli_opts o;
	int status;
	if (cli_options_parse(cli, argc, argv, &o, &status) == 0)
		status = o.nfiles >= 2 ? sim(cli, &o) : (cli_usage_error(cli, NULL), SIM_USAGE);
	else if (status == 2)
		status = SIM_USAGE;
	else if (status == 1)
		status = SIM_BAD_INPUT;
	cli_options_free(&o);
	return status;
}
