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

/* profile_read for the command line: diagnostics go to stderr, and the
 * profile lives until the process ends. NULL after an error. */
const struct profile *profile_load(const char *path);

/* The built-in prior used when no profile is given (see profile.c). */
const struct profile *profile_prior(void);

#endif
