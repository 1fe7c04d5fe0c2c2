/* Reading an strace log: which syscalls a program made, how often, and
 * with which argument values, for `sysfence generate`.
 *
 * The log is what `strace -f -o LOG` writes, in strace's default form
 * (symbolic constants: `openat(AT_FDCWD, "x", O_RDONLY|O_CLOEXEC) = 3`) or
 * with `-X raw` (numbers: `openat(-100, "x", 0x80000) = 3`). Lines may
 * start with a pid (`-f`, or `[pid N]`) and timestamps (`-t`, `-tt`,
 * `-ttt`, `-r`); calls split by `<unfinished ...>` / `<... NAME resumed>`
 * are joined. Exit (`+++`), signal (`---`) and strace's own lines are
 * skipped and counted. Any other line is an error at log:LINE:COL.
 *
 * An argument's value is known when the log gives it as a number, NULL, or
 * constants of the tables or'ed together; strings, structures, arrays and
 * unknown names leave it unknown. */
#ifndef SYSFENCE_TRACE_H
#define SYSFENCE_TRACE_H

#include <stdint.h>

#include "base/arena.h"
#include "base/diag.h"
#include "tables/tables.h"

/* One distinct argument vector of one syscall. */
struct trace_vec {
	uint64_t args[6];          /* registers, as the log gave them; 0 where unknown */
	unsigned known;            /* bit per register whose value the log gave */
	/* clone3 passes its flags in a structure; strace prints it, as
	 * {flags=..., ...}, and the flags are kept here. */
	int has_struct_flags;
	uint64_t struct_flags;
	size_t count;
	const struct trace_sys *sys;   /* whose vector it is */
	struct trace_vec *next;    /* hash chain */
};

#define TRACE_ERRNO_MAX 4

struct trace_sys {
	const struct syscall_desc *desc;   /* NULL: a number the tables do not name */
	int nr;                            /* on the trace's arch */
	const char *name;                  /* as the log spells it */
	uint32_t expect;                   /* what the policy must answer every call: SECCOMP_RET_ALLOW,
	                                    * or an errno the program falls back from (clone3) */
	size_t count;                      /* calls */
	size_t failed;                     /* calls that returned -1 */
	const char *errnos[TRACE_ERRNO_MAX];   /* distinct error names seen, first ones */
	size_t nerrnos;
	const char *unread[6];             /* per register: the first value that could not be read */
	struct ptrvec vecs;                /* struct trace_vec *, in order of first appearance */
	struct loc first;                  /* the first line that shows it */
};

struct trace {
	int arch;
	struct arena *arena;
	struct ptrvec syscalls;            /* struct trace_sys *, in order of first appearance */
	size_t calls;                      /* syscall lines (a split call counts once) */
	size_t skipped;                    /* exit, signal and strace lines */
	struct trace_vec **buckets;        /* vectors by hash */
	struct ptrvec pending;             /* calls waiting for their `resumed` line */
};

/* The entry of syscall NAME (the kernel's name on the trace's arch), made
 * with no calls when the trace has none; NULL when the tables do not
 * know it there. */
struct trace_sys *trace_sys_get(struct trace *t, const char *name, struct loc at);

/* Adds COUNT to the vector ARGS (with KNOWN, STRUCT_FLAGS as in struct
 * trace_vec) of S, without counting calls: for calls a program will make
 * in place of others (clone for clone3). */
void trace_add_vec(struct trace *t, struct trace_sys *s, const struct trace_vec *like, size_t count);

/* Reads the log SRC, made on ARCH. Returns 0, or -1 after diagnosing the
 * bad lines (each at its line and column) on D. */
int trace_read(struct trace *t, struct arena *a, struct diag *d, const struct source *src, int arch);

#endif
