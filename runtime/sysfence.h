/* sysfence runtime: install a compiled seccomp filter in this process.
 * Needs only libc and kernel headers.  Functions return 0 or a negative
 * code, never exit; sysfence_strerror() explains codes: -errno when the
 * system fails (file, prctl, seccomp), -SYSFENCE_E* when our checks refuse
 * the filter before the kernel sees it, leaving the process unchanged. */
#ifndef SYSFENCE_H
#define SYSFENCE_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/filter.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags, or-ed together; each maps to a SECCOMP_FILTER_FLAG_*.  A kernel
 * that lacks one refuses the filter with -EINVAL. */
#define SYSFENCE_ALL_THREADS 0x1u /* every thread of the process (TSYNC) */
/* Log every action the filter takes except allow (LOG, 4.14), as far as
 * the kernel.seccomp.actions_logged sysctl lets it.  It only logs: a
 * denied call stays denied.  For a permissive trial run compile a policy
 * with `default log` on purpose instead. */
#define SYSFENCE_LOG         0x2u
#define SYSFENCE_SPEC_ALLOW  0x4u /* no forced SSB mitigation (4.17) */
/* A user-notification listener (NEW_LISTENER, 5.0), without which a
 * `notify` rule gives ENOSYS: only with sysfence_apply_listener(), which
 * has somewhere to put its fd.  With SYSFENCE_ALL_THREADS it needs 5.7. */
#define SYSFENCE_NEW_LISTENER 0x8u

/* The kernel's limit on the instructions of one filter (BPF_MAXINSNS). */
#define SYSFENCE_MAX_INSNS 4096

/* Our codes lie above every errno value (< 4096): never confused. */
enum sysfence_error {
	SYSFENCE_EBADSIZE = 4097, /* file size not a multiple of 8 bytes */
	SYSFENCE_EEMPTY,          /* no instructions */
	SYSFENCE_ETOOLONG,        /* more than SYSFENCE_MAX_INSNS */
	SYSFENCE_EJUMP,           /* a jump lands past the last instruction */
	SYSFENCE_ENORET,          /* the last instruction is not a RET */
	SYSFENCE_ETSYNC,          /* another thread could not be confined */
	SYSFENCE_EOPCODE,         /* an instruction seccomp does not take */
	SYSFENCE_ELOAD,           /* a load outside the words of seccomp_data */
	SYSFENCE_EDIVZERO,        /* a division by the constant 0 */
	SYSFENCE_ESHIFT,          /* a shift by a constant of 32 or more */
	SYSFENCE_EMEM,            /* a scratch word past the 16th */
	SYSFENCE_EMEMINIT,        /* a scratch word read before it is written */
	SYSFENCE_ENOTREG,         /* the file is a FIFO, device, ...: no file */
	SYSFENCE_ECHANGED,        /* the file changed while it was read */
	SYSFENCE_EARCH            /* kills exit_group and getpid on this arch */
};

/* Checks the filter (len instructions) as the kernel will, and the flags
 * with the kernel, then sets no_new_privs and installs the filter on the
 * calling thread, or on every thread with SYSFENCE_ALL_THREADS.  A filter
 * or flag refused by then leaves the process exactly as it was.  Filters
 * stack (the strictest answer wins) and last across fork and execve.
 * -SYSFENCE_ETSYNC: a thread has a filter the caller lacks; nothing was
 * installed, and sysfence_last_tsync_tid() names it.
 * -SYSFENCE_EARCH: the filter kills exit_group and getpid of this
 * process's arch, as a filter compiled for other arches does. */
int sysfence_apply(const struct sock_filter *insns, size_t len,
				   unsigned flags);

/* sysfence_apply() with SYSFENCE_NEW_LISTENER (implied): on success
 * *listener_fd is the listener, close-on-exec, to hand to a supervisor
 * that answers with SECCOMP_IOCTL_NOTIF_RECV and _SEND (see
 * examples/notify); otherwise -1.  Hand it over before the first call a
 * `notify` rule catches, which blocks until someone answers.  NULL
 * listener_fd: -EFAULT, and nothing done.  With SYSFENCE_ALL_THREADS the
 * kernel does not name the thread behind -SYSFENCE_ETSYNC (tid 0). */
int sysfence_apply_listener(const struct sock_filter *insns, size_t len,
							unsigned flags, int *listener_fd);

/* The same for a raw filter file as written by `sysfence compile -o X.bpf`:
 * a regular file (a FIFO, device or directory is refused without waiting
 * for it), read whole, and refused if it changes meanwhile.  Uses about
 * 41 KiB of stack, so that nothing is left to free after the filter is in
 * place, when free() might need a syscall it forbids. */
int sysfence_apply_file(const char *path, unsigned flags);

/* The thread id behind the calling thread's last -SYSFENCE_ETSYNC. */
pid_t sysfence_last_tsync_tid(void);

/* A message for any code above, never NULL.  The one for -SYSFENCE_ETSYNC
 * names the thread and lasts until this thread's next call. */
const char *sysfence_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* SYSFENCE_H */
