/* Reading a live process's seccomp filters through ptrace (dump.h).
 *
 * PTRACE_SECCOMP_GET_FILTER numbers a thread's filters from the oldest
 * (index 0: the kernel's get_nth_filter counts back from the newest by
 * the total less the index; tests/cli/test_tools.sh checks the order) to
 * the newest, and answers ENOENT past the last; with a NULL buffer it returns only
 * the length. The tracee must be stopped
 * under us, so we seize it, interrupt it, wait for the stop, read, and
 * detach. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "base/mem.h"
#include "tools/dump.h"

/* /proc/PID/status's "Seccomp:" mode: 0 none, 1 strict, 2 filter; -1
 * when it cannot be read. */
static int seccomp_mode(pid_t pid)
{
	char path[64], line[256];
	int mode = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode;
}

static void attach_error(struct diag *d, pid_t pid, int err)
{
	if (err == ESRCH)
		diag_error(d, (struct loc){ 0 }, "no process %d", (int)pid);
	else if (err == EPERM)
		diag_error(d, (struct loc){ 0 },
			   "cannot trace process %d: %s (ptrace needs the same user or "
			   "CAP_SYS_PTRACE, and Yama's ptrace_scope may forbid it)", (int)pid, strerror(err));
	else
		diag_error(d, (struct loc){ 0 }, "cannot trace process %d: %s", (int)pid, strerror(err));
}

/* Why reading filter INDEX failed with ERR, in words. */
static void read_error(struct diag *d, pid_t pid, unsigned long index, int err)
{
	int mode = seccomp_mode(pid);
	if (err == EINVAL && index == 0 && mode == 0)
		diag_error(d, (struct loc){ 0 }, "process %d runs under no seccomp filter", (int)pid);
	else if (err == EINVAL && index == 0 && mode == 1)
		diag_error(d, (struct loc){ 0 }, "process %d is in seccomp's strict mode, which has no filter",
			   (int)pid);
	else if (err == EACCES)
		diag_error(d, (struct loc){ 0 },
			   "reading the filters of process %d needs CAP_SYS_ADMIN, and sysfence must not "
			   "run under a seccomp filter itself", (int)pid);
	else if (err == EIO)
		diag_error(d, (struct loc){ 0 },
			   "this kernel cannot hand out seccomp filters (it needs CONFIG_CHECKPOINT_RESTORE)");
	else if (err == EMEDIUMTYPE)
		diag_error(d, (struct loc){ 0 }, "filter %lu of process %d was not given as classic BPF",
			   index, (int)pid);
	else
		diag_error(d, (struct loc){ 0 }, "cannot read filter %lu of process %d: %s", index,
			   (int)pid, strerror(err));
}

/* Filter INDEX (0: the oldest) into F. Returns 1, 0 past the last, or -1
 * with errno set. */
static int read_one(pid_t pid, unsigned long index, struct dump_filter *f)
{
	long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)index, NULL);
	if (n < 0)
		return errno == ENOENT ? 0 : -1;
	f->len = (size_t)n;
	f->insns = mem_calloc(f->len ? f->len : 1, sizeof(*f->insns));
	long again = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)index, f->insns);
	if (again < 0)
		return -1;
	f->len = (size_t)again < f->len ? (size_t)again : f->len;
	return 1;
}

/* Every filter of the stopped PID, in the kernel's order: oldest first. */
static int read_all_filters(struct diag *d, pid_t pid, struct dump_result *r)
{
	size_t cap = 0;
	for (unsigned long i = 0;; i++) {
		if (r->n == cap) {
			cap = cap ? cap * 2 : 4;
			r->v = mem_realloc(r->v, cap, sizeof(*r->v));
		}
		memset(&r->v[r->n], 0, sizeof(r->v[r->n]));
		int got = read_one(pid, i, &r->v[r->n]);
		if (got < 0) {
			int err = errno;
			free(r->v[r->n].insns);
			read_error(d, pid, i, err);
			return -1;
		}
		if (got == 0)
			break;
		r->n++;
	}
	return 0;
}

/* Waits for a stop: the one PTRACE_INTERRUPT asked for, or a signal on
 * its way to the process, which *SIG is set to so that the detach hands
 * it on (0 for ptrace's own stop). */
static int wait_stop(struct diag *d, pid_t pid, int *sig)
{
	int status;
	*sig = 0;
	if (waitpid(pid, &status, __WALL) != pid) {
		diag_error(d, (struct loc){ 0 }, "cannot stop process %d: %s", (int)pid, strerror(errno));
		return -1;
	}
	if (!WIFSTOPPED(status)) {
		diag_error(d, (struct loc){ 0 }, "process %d ended before its filters were read", (int)pid);
		return -1;
	}
	if (status >> 16 == 0)
		*sig = WSTOPSIG(status);
	return 0;
}

int dump_filters(struct diag *d, pid_t pid, struct dump_result *r)
{
	memset(r, 0, sizeof(*r));
	if (pid <= 0) {
		diag_error(d, (struct loc){ 0 }, "no process %d", (int)pid);
		return -1;
	}
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) != 0) {
		attach_error(d, pid, errno);
		return -1;
	}
	int rc = -1, sig = 0;
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) != 0)
		diag_error(d, (struct loc){ 0 }, "cannot stop process %d: %s", (int)pid, strerror(errno));
	else if (wait_stop(d, pid, &sig) == 0)
		rc = read_all_filters(d, pid, r);
	ptrace(PTRACE_DETACH, pid, NULL, (void *)(long)sig);
	return rc;
}

void dump_result_free(struct dump_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].insns);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}
