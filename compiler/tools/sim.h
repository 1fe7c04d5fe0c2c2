/* `sysfence sim`: what a filter does to one syscall, on the in-tree BPF
 * interpreter (so it works for foreign arches too), explained with the
 * rule that decided when the policy source is given. */
#ifndef SYSFENCE_SIM_H
#define SYSFENCE_SIM_H

#include "frontend/unit.h"

struct sim_request {
	const struct unit_options *opts;
	const char *file;          /* a .policy or a raw .bpf */
	const char *policy;        /* -p */
	unsigned arch_mask;        /* --arch; at most one bit */
	const char *syscall;       /* name or number */
	char **args;               /* "VALUE" or "NAME=VALUE" */
	int nargs;
};

/* Prints the verdict to stdout. Returns 0, 1 on errors in the input. */
int sim_run(const struct sim_request *req);

/* Is PATH a raw filter (named *.bpf, or binary) rather than a policy? */
int is_bpf_file(const char *path);
struct sock_filter;
/* Reads and checks (bpf_check) a raw filter; NULL after an error message.
 * The caller frees the result. */
struct sock_filter *read_bpf(const char *path, size_t *len);

#endif
