/* The scenarios of the standard-library tests: see scenario.h. */
#define _GNU_SOURCE
#include "scenario.h"
#include "harness.h"
#include "sysfence.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define MAX_CHECKS 160
#define MAX_OUTPUT 65536
#define CHILD_SECONDS 20

struct result {
	const char *file;                   /* the check's, for the parent's report */
	int line;
	char name[96];
	int ok;                             /* 1 passed, -1 failed, 0 still being written */
	char detail[200];
};

struct shared {
	int n;
	int overflow;
	struct result r[MAX_CHECKS];
};

static struct shared *sh;
char scratch[] = "/tmp/sysfence-stdlib-XXXXXX";
pid_t parent_pid;

void check_result(const char *file, int line, const char *name, int ok, const char *fmt, ...)
{
	int i = __atomic_fetch_add(&sh->n, 1, __ATOMIC_SEQ_CST);
	if (i >= MAX_CHECKS) {
		sh->overflow = 1;
		return;
	}
	struct result *r = &sh->r[i];
	r->file = file;
	r->line = line;
	snprintf(r->name, sizeof(r->name), "%s", name);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	__atomic_store_n(&r->ok, ok ? 1 : -1, __ATOMIC_SEQ_CST);
}

static const char *errname(int err)
{
	const char *s = strerrorname_np(err);
	return s ? s : "?";
}

void record_errno(const char *file, int line, const char *name, int want, long ret, int err)
{
	if (ret == -1)
		check_result(file, line, name, err == want, "failed with %s, want %s", errname(err),
					 errname(want));
	else
		check_result(file, line, name, 0, "returned %ld, want -1 with %s", ret, errname(want));
}

void record_allowed(const char *file, int line, const char *name, long ret, int err)
{
	if (ret == -1)
		check_result(file, line, name, err != EPERM, "failed with %s", errname(err));
	else
		check_result(file, line, name, 1, "returned %ld", ret);
}

/* In the child: set up, confine, work.  Never returns. */
static void child(const struct scenario *s, int out)
{
	alarm(CHILD_SECONDS);               /* a hang ends as SIGALRM */
	if (dup2(out, STDOUT_FILENO) < 0) {
		check("child set-up", 0, "dup2: %s", strerror(errno));
		_exit(1);
	}
	close(out);
	if (s->setup && s->setup() != 0)
		_exit(1);
	int rc = sysfence_apply(s->filter, s->filter_len, 0);
	if (rc != 0) {
		check("install the filter", 0, "%s", sysfence_strerror(rc));
		_exit(1);
	}
	s->work();
	exit(0);                            /* flushes stdout, under the filter */
}

/* A note showing TEXT quoted, its newlines as \n, one line each, the
 * lines after the first aligned under it. */
static void note_quoted(const char *label, const char *text)
{
	size_t len = strlen(text), n = 0;
	static const char next[] = "\\n\"\n      \"";   /* "\n", then under the first line's quote */
	char *q = malloc((sizeof(next) - 1) * len + 3);
	if (!q) {
		harness_note("%s: (no memory to show %zu bytes)", label, len);
		return;
	}
	q[n++] = '"';
	for (const char *p = text; *p; p++) {
		if (*p == '\n' && p[1]) {
			memcpy(q + n, next, sizeof(next) - 1);
			n += sizeof(next) - 1;
		} else if (*p == '\n') {
			memcpy(q + n, "\\n", 2);
			n += 2;
		} else {
			q[n++] = *p;
		}
	}
	q[n++] = '"';
	q[n] = 0;
	harness_note("  %s: %s", label, q);
	free(q);
}

static void remove_scratch(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", scratch);
}

/* Reads what the child writes on OUT until it closes it (or MAX_OUTPUT
 * bytes), into BUF. Returns the length. */
static size_t read_output(int out, char *buf)
{
	size_t len = 0;
	for (;;) {
		ssize_t got = read(out, buf + len, MAX_OUTPUT - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
		if (len == MAX_OUTPUT)
			break;
	}
	buf[len] = 0;
	return len;
}

/* Each check the child recorded, as one case, failed at its file:line. */
static void report_checks(const struct scenario *s)
{
	int count = sh->n < MAX_CHECKS ? sh->n : MAX_CHECKS;
	for (int i = 0; i < count; i++) {
		const struct result *r = &sh->r[i];
		if (!r->ok) {
			harness_case_begin("%s: (check still being written when the child ended)", s->name);
			FAIL("the child ended while recording a check");
		} else {
			harness_case_begin("%s: %s", s->name, r->name);
			harness_check(r->ok > 0, r->file, r->line, r->name, " %s", r->detail);
		}
		harness_case_end();
	}
	if (sh->overflow) {
		harness_case_begin("%s: more than %d checks", s->name, MAX_CHECKS);
		FAIL("the child recorded more than %d checks (MAX_CHECKS)", MAX_CHECKS);
		harness_case_end();
	}
}

static void report_exit(const struct scenario *s, int status)
{
	harness_case_begin("%s: exits normally under the filter", s->name);
	if (WIFSIGNALED(status))
		FAIL("killed by signal %d (%s)%s", WTERMSIG(status), strsignal(WTERMSIG(status)),
			 WTERMSIG(status) == SIGSYS ? ": a syscall was killed, not denied" : "");
	else
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status %d", WEXITSTATUS(status));
	harness_case_end();
}

static void report_output(const struct scenario *s, const char *out, size_t len)
{
	const char *want = s->expected_stdout();
	harness_case_begin("%s: prints what it should (%zu bytes)", s->name, len);
	if (!CHECK(strcmp(out, want) == 0, "standard output differs")) {
		note_quoted("got ", out);
		note_quoted("want", want);
	}
	harness_case_end();
}

/* Runs S in a child and reports it. */
static void run_one(const struct scenario *s)
{
	memset(sh, 0, sizeof(*sh));
	int fds[2];
	if (pipe(fds) != 0) {
		FAIL("%s: pipe: %s", s->name, strerror(errno));
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		FAIL("%s: fork: %s", s->name, strerror(errno));
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		child(s, fds[1]);
	}
	close(fds[1]);
	static char out[MAX_OUTPUT + 1];
	size_t len = read_output(fds[0], out);
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	report_checks(s);
	report_exit(s, status);
	report_output(s, out, len);
}

int run_scenarios(const struct scenario *list, size_t n, int argc, char **argv)
{
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	parent_pid = getpid();
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	int ran = 0;
	for (size_t i = 0; i < n; i++) {
		if (argc > 1 && strcmp(argv[1], list[i].name) != 0)
			continue;
		run_one(&list[i]);
		ran++;
	}
	remove_scratch();
	if (!ran)
		FAIL("no scenario named '%s'", argc > 1 ? argv[1] : "");
	return harness_summary();
}
