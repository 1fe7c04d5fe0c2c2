/* `sysfence dump`: the seccomp filters a live process runs under, read
 * with ptrace(PTRACE_SECCOMP_GET_FILTER). That request needs
 * CAP_SYS_ADMIN, a kernel built with CONFIG_CHECKPOINT_RESTORE, a reader
 * not confined by seccomp itself, and the right to trace the process. */
#ifndef SYSFENCE_DUMP_H
#define SYSFENCE_DUMP_H

#include <linux/filter.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/diag.h"

struct dump_filter {
	struct sock_filter *insns;
	size_t len;
};

/* The filters of one thread in the order they were installed: v[0] is the
 * oldest, v[n - 1] the newest, which the kernel runs first (a syscall gets
 * the strictest answer of them all). */
struct dump_result {
	struct dump_filter *v;
	size_t n;
};

/* Attaches to thread PID (PTRACE_SEIZE and PTRACE_INTERRUPT), reads
 * every filter, and detaches, leaving the process running as before.
 * Returns 0, or -1 after an error in D naming what is missing. R is to
 * be released with dump_result_free either way. */
int dump_filters(struct diag *d, pid_t pid, struct dump_result *r);
void dump_result_free(struct dump_result *r);

#endif
