/* Syscall frequency profiles: how often a workload makes each syscall.
 *
 * The layout pass (layout.c) orders the filter's comparisons so that the
 * syscalls a program makes most are decided in the fewest instructions.
 * The weights come from a profile the user gives (`--profile FILE`) or,
 * without one, from a built-in prior of commonly hot syscalls. */
#ifndef SYSFENCE_PROFILE_H
#define SYSFENCE_PROFILE_H

#include "base/arena.h"
#include "base/diag.h"
#include "tables/tables.h"

struct profile_entry {
	const struct syscall_desc *sys;
	double count;
};

/* Counts per syscall. Names in a profile are the kernel's names on ARCH,
 * the arch the workload ran on; the layout maps each to every target
 * arch through the syscall tables. */
struct profile {
	enum arch_id arch;
	struct profile_entry *v;
	size_t n, cap;
};

/* Reads PATH: an `strace -c` or `strace -f -c` summary table, or lines of
 * `NAME COUNT`; blank lines and lines starting with '#' are ignored. Names
 * are kernel names of the native arch. Returns the profile, or NULL after
 * diagnosing every bad line (file:line:col) on D. */
struct profile *profile_read(struct arena *a, struct diag *d, const char *path);

/* profile_read for the command line: diagnostics, and a count of them
 * after an error, go to stderr (through diag). The profile lives in A,
 * as long as the caller keeps it. NULL after an error. */
const struct profile *profile_load(struct arena *a, const char *path);

/* Room for the built-in prior: it is built on demand into storage the
 * caller provides, so that nothing is kept between calls. */
#define PROFILE_PRIOR_MAX 96
struct profile_prior {
	struct profile p;
	struct profile_entry v[PROFILE_PRIOR_MAX];
};

/* The built-in prior used when no profile is given (see profile.c),
 * built into BUF; returns &BUF->p. */
const struct profile *profile_prior(struct profile_prior *buf);

#endif
