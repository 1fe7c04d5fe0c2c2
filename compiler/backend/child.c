/* Running libseccomp at arm's length.
 *
 * libseccomp 2.5.4 has inputs on which seccomp_rule_add never returns
 * (tests/policies/23-libseccomp-hangs.policy), and a compiler must not
 * hang in CI. So the filter is built in a child process with a deadline;
 * the deadline counts the child's CPU time (RLIMIT_CPU), not wall time,
 * so that a loaded machine does not turn a slow build into a refusal,
 * with a generous wall-clock backstop for a child that sleeps. The program and its PFC come back through a pipe, after a header with
 * the child's result and its diagnostics. Those are kept back in a
 * struct child_report: backend.c decides what to do when the deadline
 * passes, and whether a refusal is printed at all (its own code generator
 * may still compile the policy). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend/scmp_build.h"

struct build_header {
	int32_t status;
	uint32_t errors, warnings;
	uint64_t len, pfc_len, diag_len;
};

#define CHILD_DIAG_MAX (16u << 20)   /* more diagnostics than this are dropped */

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Builds B into F with its diagnostics captured into REP instead of
 * printed (and not counted in B's diag). Returns what backend_build_here
 * returned. */
static int build_captured(struct scmp_build *b, struct filter *f, struct child_report *rep)
{
	struct diag *d = b->u->diag;
	FILE *out = d->out;
	int errors = d->errors, warnings = d->warnings;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (mem)
		d->out = mem;
	int status = backend_build_here(b, f);
	rep->errors = (unsigned)(d->errors - errors);
	rep->warnings = (unsigned)(d->warnings - warnings);
	d->errors = errors;
	d->warnings = warnings;
	d->out = out;
	if (mem && !fclose(mem) && text) {
		rep->text = arena_alloc(b->u->arena, len + 1);
		memcpy(rep->text, text, len);
		rep->len = len;
	}
	free(text);
	return status;
}

/* The child's side: builds, writes the result to FD, and exits. */
static void __attribute__((noreturn)) build_child(int fd, struct scmp_build *b)
{
	struct filter f;
	struct child_report rep = { 0 };
	struct build_header h = { 0 };
	h.status = build_captured(b, &f, &rep);
	h.errors = rep.errors;
	h.warnings = rep.warnings;
	h.diag_len = rep.len;
	if (h.status == 0) {
		h.len = f.len;
		h.pfc_len = f.pfc_len;
	}
	int bad = write_all(fd, &h, sizeof(h)) || write_all(fd, rep.text, rep.len);
	if (!bad && h.status == 0)
		bad = write_all(fd, f.insns, f.len * sizeof(*f.insns)) ||
		      write_all(fd, f.pfc, f.pfc_len);
	_exit(bad ? 1 : 0);
}

/* The wall-clock backstop for a deadline of SECONDS of CPU time: only a
 * child that does not run at all (stopped, or starved far beyond a busy
 * machine's share) reaches it. */
static long long backstop_ms(int seconds)
{
	return (20LL * seconds + 60) * 1000;
}

/* The child's own deadline: SIGXCPU after SECONDS of CPU time, SIGKILL
 * one second later should it be caught; no core file either way. */
static void limit_cpu(int seconds)
{
	struct rlimit core = { 0, 0 }, cpu;
	setrlimit(RLIMIT_CORE, &core);
	/* An unprivileged process cannot raise its hard limit: a lower one
	 * inherited from the shell stays, and the deadline comes no later. */
	if (getrlimit(RLIMIT_CPU, &cpu))
		return;
	rlim_t hard = (rlim_t)seconds + 1;
	if (cpu.rlim_max != RLIM_INFINITY && cpu.rlim_max < hard)
		hard = cpu.rlim_max;
	cpu.rlim_max = hard;
	cpu.rlim_cur = (rlim_t)seconds < hard ? (rlim_t)seconds : hard;
	setrlimit(RLIMIT_CPU, &cpu);
	signal(SIGXCPU, SIG_DFL);
}

static long long now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000LL + now.tv_nsec / 1000000;
}

/* Reads N bytes before DEADLINE (now_ms() time); 0, or -1 on
 * timeout, error or end of file. */
static int read_until(int fd, void *p, size_t n, long long deadline)
{
	char *c = p;
	while (n) {
		long long left = deadline - now_ms();
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (left <= 0)
			return -1;
		int rc = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			continue;   /* time left is checked above */
		ssize_t got = read(fd, c, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		c += got;
		n -= (size_t)got;
	}
	return 0;
}

/* The parent's side: the header into *H and the program into OUT before
 * DEADLINE. Returns 0, or -1 when the child did not deliver in time. */
static int read_result(struct unit *u, int fd, long long deadline, struct build_header *h,
		       struct filter *out, struct child_report *rep)
{
	if (read_until(fd, h, sizeof(*h), deadline) || h->diag_len > CHILD_DIAG_MAX)
		return -1;
	rep->text = arena_alloc(u->arena, (size_t)h->diag_len + 1);
	rep->len = (size_t)h->diag_len;
	if (read_until(fd, rep->text, rep->len, deadline))
		return -1;
	rep->errors = h->errors;
	rep->warnings = h->warnings;
	if (h->status != 0 || h->len > BPF_MAX_INSNS || h->pfc_len >= (64u << 20))
		return 0;
	out->len = (size_t)h->len;
	out->pfc_len = (size_t)h->pfc_len;
	out->insns = arena_alloc(u->arena, out->len * sizeof(*out->insns) + 1);
	out->pfc = arena_alloc(u->arena, out->pfc_len + 1);
	return read_until(fd, out->insns, out->len * sizeof(*out->insns), deadline) ||
	       read_until(fd, out->pfc, out->pfc_len, deadline) ? -1 : 0;
}

void child_report_print(struct unit *u, const struct child_report *rep)
{
	if (rep->len)
		fwrite(rep->text, 1, rep->len, u->diag->out);
	u->diag->errors += (int)rep->errors;
	u->diag->warnings += (int)rep->warnings;
}

int child_attempt(struct scmp_build *b, struct filter *out, int seconds, struct child_report *rep)
{
	struct unit *u = b->u;
	int fds[2];
	fflush(u->diag->out);
	if (pipe(fds))
		return -1;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return build_captured(b, out, rep) ? 1 : 0;   /* no child: in-process */
	}
	if (pid == 0) {
		/* A child stuck in libseccomp must not outlive a sysfence that
		 * was killed: it dies with its parent (checked once more after
		 * the prctl, in case the parent died before it). */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(1);
		close(fds[0]);
		limit_cpu(seconds);
		build_child(fds[1], b);
	}
	close(fds[1]);
	struct build_header h;
	int rc = read_result(u, fds[0], now_ms() + backstop_ms(seconds), &h, out, rep);
	close(fds[0]);
	if (rc)
		kill(pid, SIGKILL);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc) {
		memset(rep, 0, sizeof(*rep));
		return -1;
	}
	return h.status == 0 ? 0 : 1;
}
