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

/* Prints the verdict to stdout, errors through base/diag to stderr.
 * Returns 0, 1 on errors in the input, 3 when the filter and the policy
 * disagree. An argument's VALUE is a constant expression of the policy
 * language (numbers, constants, the policy's consts, every operator). */
int sim_run(const struct sim_request *req);

/* Is PATH a raw filter (named *.bpf, or binary) rather than a policy? */
int is_bpf_file(const char *path);
struct sock_filter;
struct diag;
/* Reads and checks (bpf_check) a raw filter; NULL after an error in D.
 * The caller frees the result. */
struct sock_filter *sim_read_bpf(struct diag *d, const char *path, size_t *len);
/* The same, for callers without diagnostics of their own: errors go to
 * stderr. */
struct sock_filter *read_bpf(const char *path, size_t *len);

#endif
