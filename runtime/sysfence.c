/* sysfence runtime: check a compiled filter and hand it to the kernel.
 * Everything the kernel could refuse is checked first (check.c), so that
 * a truncated, corrupt or foreign filter fails with a precise error and
 * leaves the process as it was; so does one compiled for another arch
 * (interp.c). */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>

/* Older kernel headers lack the newer flags; the values are ABI.
 * (TSYNC came with the seccomp syscall itself.) */
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

#define SYSFENCE_ALL_FLAGS \
	(SYSFENCE_ALL_THREADS | SYSFENCE_LOG | SYSFENCE_SPEC_ALLOW | \
	 SYSFENCE_NEW_LISTENER)

/* Per thread, so that two threads failing at once each see their own. */
static _Thread_local pid_t tsync_tid;
static _Thread_local char tsync_msg[96];
static _Thread_local char arch_msg[96];

/* Asks the kernel about the flags, changing nothing: it checks them
 * before it reads the program, so with none it answers EFAULT when it
 * knows them all, EINVAL when not, ENOSYS without seccomp filters.
 * A listener is only made once the program is read: none is made here. */
static int probe_flags(unsigned long kflags)
{
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, kflags, NULL) != -1)
		return -EINVAL; /* it took no program: trust nothing it says */
	return errno == EFAULT ? 0 : -errno;
}

static unsigned long kernel_flags(unsigned flags)
{
	unsigned long kflags = 0;

	if (flags & SYSFENCE_ALL_THREADS)
		kflags |= SECCOMP_FILTER_FLAG_TSYNC;
	if (flags & SYSFENCE_LOG)
		kflags |= SECCOMP_FILTER_FLAG_LOG;
	if (flags & SYSFENCE_SPEC_ALLOW)
		kflags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	if (flags & SYSFENCE_NEW_LISTENER)
		kflags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	/* A successful call answers the listener fd, so a thread that cannot
	 * be synchronised can no longer be named by the answer: the kernel
	 * takes the two together only if told to fail with ESRCH instead. */
	if ((flags & SYSFENCE_ALL_THREADS) && (flags & SYSFENCE_NEW_LISTENER))
		kflags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	return kflags;
}

/* The kernel's answer to the install, as our code; a listener goes to
 * *listener_fd when one was asked for (listener_fd not NULL). */
static int install_result(long ret, unsigned long kflags, int *listener_fd)
{
	if (ret < 0 && errno == ESRCH && (kflags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH)) {
		tsync_tid = 0; /* TSYNC_ESRCH: nothing installed, no name */
		return -SYSFENCE_ETSYNC;
	}
	if (ret < 0)
		return -errno;
	if (listener_fd) {
		*listener_fd = (int)ret;
		return 0;
	}
	if (ret > 0) {
		/* With TSYNC the kernel answers the id of a thread it could not
		 * synchronise, and has installed nothing anywhere. */
		tsync_tid = (pid_t)ret;
		return -SYSFENCE_ETSYNC;
	}
	return 0;
}

/* Both entry points: listener_fd is NULL exactly when no listener is
 * wanted. */
static int install(const struct sock_filter *insns, size_t len,
				   unsigned flags, int *listener_fd)
{
	unsigned long kflags;
	long ret;
	int err;

	/* Refuse what we cannot install before changing anything. */
	if (flags & ~SYSFENCE_ALL_FLAGS)
		return -EINVAL;
	err = sysfence_check_filter(insns, len);
	if (!err)
		err = sysfence_check_arch(insns, len);
	if (err)
		return err;
	kflags = kernel_flags(flags);
	err = probe_flags(kflags);
	if (err)
		return err;

	/*
	 * The kernel takes a filter from a process without CAP_SYS_ADMIN only
	 * once no_new_privs is set, so that a setuid program cannot be run
	 * confined in ways its author never expected.  Set it even when we are
	 * privileged: a confined process should not gain privileges by execve.
	 */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -errno;

	/* len fits: it is at most SYSFENCE_MAX_INSNS.  The kernel only reads
	 * the instructions, whatever the missing const says. */
	struct sock_fprog prog = { .len = (unsigned short)len,
							   .filter = (struct sock_filter *)insns };

	/* The syscall, not prctl(PR_SET_SECCOMP), which takes no flags. */
	ret = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, kflags, &prog);
	return install_result(ret, kflags, listener_fd);
}

int sysfence_apply(const struct sock_filter *insns, size_t len,
				   unsigned flags)
{
	/* The listener fd would have nowhere to go: leaked, and no call it
	 * is for ever answered. */
	if (flags & SYSFENCE_NEW_LISTENER)
		return -EINVAL;
	return install(insns, len, flags, NULL);
}

int sysfence_apply_listener(const struct sock_filter *insns, size_t len,
							unsigned flags, int *listener_fd)
{
	if (!listener_fd)
		return -EFAULT;
	*listener_fd = -1;
	return install(insns, len, flags | SYSFENCE_NEW_LISTENER, listener_fd);
}

/* Reads up to size bytes, to the end of the file or until full. */
static ssize_t read_full(int fd, void *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = read(fd, (char *)buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n; /* progress each time: at most size rounds */
	}
	return (ssize_t)got;
}

static int same_file_state(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size &&
		   a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
		   a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Reads the filter file open on fd into buf, which has room for one
 * instruction more than the limit; its size in bytes goes to *size. */
static int read_filter_file(int fd, struct sock_filter *buf, size_t *size)
{
	struct stat before, after;
	ssize_t n;

	/* Only a regular file has a size to trust; a FIFO or a device might
	 * block, or never end. */
	if (fstat(fd, &before) != 0)
		return -errno;
	if (S_ISDIR(before.st_mode))
		return -EISDIR;
	if (!S_ISREG(before.st_mode))
		return -SYSFENCE_ENOTREG;
	if (before.st_size > (off_t)(SYSFENCE_MAX_INSNS * sizeof(*buf)))
		return -SYSFENCE_ETOOLONG;
	if (before.st_size % sizeof(*buf) != 0)
		return -SYSFENCE_EBADSIZE;

	/* Ask for a byte more than the file holds: exactly st_size bytes must
	 * come, and afterwards it must still look the same, or someone wrote
	 * to it meanwhile and what we hold may be half old, half new. */
	*size = (size_t)before.st_size;
	n = read_full(fd, buf, *size + 1);
	if (n < 0)
		return (int)n;
	if ((size_t)n != *size)
		return -SYSFENCE_ECHANGED;
	if (fstat(fd, &after) != 0)
		return -errno;
	if (!same_file_state(&before, &after))
		return -SYSFENCE_ECHANGED;
	return 0;
}

int sysfence_apply_file(const char *path, unsigned flags)
{
	struct sock_filter buf[SYSFENCE_MAX_INSNS + 1];
	size_t size = 0;
	int fd, err;

	if (!path)
		return -EFAULT;
	/* O_NONBLOCK: opening a FIFO would wait for a writer, before fstat
	 * could say what it is; a regular file reads the same with it.
	 * O_NOCTTY: a terminal must not become ours by being opened. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = read_filter_file(fd, buf, &size);
	close(fd);
	if (err)
		return err;
	return sysfence_apply(buf, size / sizeof(buf[0]), flags);
}

pid_t sysfence_last_tsync_tid(void)
{
	return tsync_tid;
}

const char *sysfence_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -SYSFENCE_EBADSIZE:
		return "filter size is not a multiple of 8 bytes (not a raw BPF file?)";
	case -SYSFENCE_EEMPTY:
		return "filter has no instructions";
	case -SYSFENCE_ETOOLONG:
		return "filter has more than 4096 instructions";
	case -SYSFENCE_EJUMP:
		return "filter has a jump past its last instruction";
	case -SYSFENCE_ENORET:
		return "filter does not end with a RET instruction";
	case -SYSFENCE_EOPCODE:
		return "filter has an instruction seccomp does not accept";
	case -SYSFENCE_ELOAD:
		return "filter loads outside the aligned words of seccomp_data";
	case -SYSFENCE_EDIVZERO:
		return "filter divides by the constant 0";
	case -SYSFENCE_ESHIFT:
		return "filter shifts by a constant of 32 or more";
	case -SYSFENCE_EMEM:
		return "filter uses a scratch word past the 16th";
	case -SYSFENCE_EMEMINIT:
		return "filter may read a scratch word before writing it";
	case -SYSFENCE_ENOTREG:
		return "filter file is not a regular file (a FIFO or device?)";
	case -SYSFENCE_ECHANGED:
		return "filter file changed while it was read";
	case -SYSFENCE_ETSYNC:
		if (tsync_tid == 0)
			return "a thread could not be synchronised: it has a filter "
				   "this thread lacks (the kernel names none with a listener)";
		snprintf(tsync_msg, sizeof(tsync_msg),
				 "thread %ld could not be synchronised: it has a filter "
				 "this thread lacks", (long)tsync_tid);
		return tsync_msg;
	case -SYSFENCE_EARCH:
		snprintf(arch_msg, sizeof(arch_msg),
				 "the filter does not allow this machine's arch (%s): "
				 "compiled for another?", sysfence_arch_name());
		return arch_msg;
	/* The errno values the seccomp call itself gives, said plainly. */
	case -EINVAL:
		return "invalid argument: an unknown flag, or the kernel refused the "
			   "filter or a flag it lacks (EINVAL)";
	case -EFAULT:
		return "bad address: the filter could not be read (EFAULT)";
	case -ENOMEM:
		return "the kernel refused the filter: out of memory, or the stacked "
			   "filters are too long (ENOMEM)";
	case -ENOSYS:
		return "this kernel has no seccomp filters (ENOSYS)";
	}
	if (err < 0 && err > -SYSFENCE_EBADSIZE)
		return strerror(-err);
	return "unknown sysfence error";
}
