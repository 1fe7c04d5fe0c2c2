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
	int json;                  /* --format=json: the verdict as one JSON object */
};

/* sim's exit status: what the filter does to the call, or why there is
 * no verdict. */
enum sim_status {
	SIM_ALLOW = 0,       /* allow, log */
	SIM_ERRNO = 1,
	SIM_KILL = 2,        /* kill_process, kill_thread (and unknown actions) */
	SIM_HANDLED = 3,     /* trap, trace, notify: a handler decides */
	SIM_BAD_INPUT = 4,   /* the policy, filter, syscall or a value is wrong */
	SIM_USAGE = 5,       /* a mistake on the command line */
	SIM_DISAGREE = 6,    /* the filter and the policy disagree: a bug */
};

/* The status for return value RET of a filter. */
enum sim_status sim_status_of(uint32_t ret);

/* Prints the verdict to stdout (text, or JSON with req->json), errors
 * through base/diag to stderr, and returns its status. An argument's
 * VALUE is a constant expression of the policy language (numbers,
 * constants, the policy's consts, every operator). */
enum sim_status sim_run(const struct sim_request *req);

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
