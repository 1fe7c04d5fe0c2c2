/* The pass/fail harness of the C tests: see harness.h. */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

/* Shared with forked children: everything a check changes. */
struct counters {
	long passed, failed;
	long case_failed;          /* failures in the current case */
	long case_unprinted;       /* of which not printed (print limit) */
};

static struct counters *cnt;
static int ncases;             /* TAP test points printed so far */
static int in_case;
static long outside_failed;    /* failures of checks made outside every case */
static char case_name[256];
static char skip_why[256];
static unsigned print_limit;

static struct counters *counters(void)
{
	if (!cnt) {
		cnt = mmap(NULL, sizeof(*cnt), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (cnt == MAP_FAILED) {
			perror("harness: mmap");
			exit(2);
		}
		memset(cnt, 0, sizeof(*cnt));
	}
	return cnt;
}

/* Prints TEXT as TAP comment lines, the first after LEAD. Flushed at once:
 * a child may be killed next, and a fork must not copy pending output. */
static void comment(const char *lead, const char *text)
{
	printf("# %s", lead);
	for (const char *p = text; *p; p++) {
		putchar(*p);
		if (*p == '\n' && p[1])
			fputs("#   ", stdout);
	}
	if (!*text || text[strlen(text) - 1] != '\n')
		putchar('\n');
	fflush(stdout);
}

int harness_count(int ok)
{
	struct counters *c = counters();
	if (ok) {
		__atomic_add_fetch(&c->passed, 1, __ATOMIC_SEQ_CST);
		return 1;
	}
	__atomic_add_fetch(&c->failed, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&c->case_failed, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&c->case_unprinted, 1, __ATOMIC_SEQ_CST);
	return 0;
}

int harness_check(int ok, const char *file, int line, const char *expr, const char *fmt, ...)
{
	if (ok)
		return harness_count(1);
	struct counters *c = counters();
	__atomic_add_fetch(&c->failed, 1, __ATOMIC_SEQ_CST);
	long nth = __atomic_add_fetch(&c->case_failed, 1, __ATOMIC_SEQ_CST);
	if (print_limit && nth > (long)print_limit) {
		__atomic_add_fetch(&c->case_unprinted, 1, __ATOMIC_SEQ_CST);
		return 0;
	}
	char *msg = NULL;
	fmt++;                     /* the space CHECK and FAIL put first */
	if (*fmt) {
		va_list ap;
		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0)
			msg = NULL;
		va_end(ap);
	} else if (asprintf(&msg, "check failed: %s", expr) < 0) {
		msg = NULL;
	}
	char lead[512];
	snprintf(lead, sizeof(lead), "FAIL %s:%d: ", file, line);
	comment(lead, msg ? msg : "(no memory for the message)");
	free(msg);
	return 0;
}

void harness_case_begin(const char *fmt, ...)
{
	struct counters *c = counters();
	if (in_case)
		harness_case_end();
	else
		outside_failed += c->case_failed;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(case_name, sizeof(case_name), fmt, ap);
	va_end(ap);
	/* A '#' in a TAP description would start a directive. */
	for (char *p = case_name; *p; p++)
		if (*p == '#' || *p == '\n')
			*p = ' ';
	c->case_failed = c->case_unprinted = 0;
	skip_why[0] = '\0';
	in_case = 1;
}

int harness_case_end(void)
{
	struct counters *c = counters();
	if (!in_case)
		return 0;
	in_case = 0;
	int failed = c->case_failed > 0;
	if (c->case_unprinted)
		harness_note("(%ld more failures in this case not shown)", c->case_unprinted);
	if (failed)
		printf("not ok %d - %s\n", ++ncases, case_name);
	else if (skip_why[0])
		printf("ok %d - %s # SKIP %s\n", ++ncases, case_name, skip_why);
	else
		printf("ok %d - %s\n", ++ncases, case_name);
	fflush(stdout);
	c->case_failed = c->case_unprinted = 0;
	return failed;
}

int harness_case(const char *name, void (*fn)(void *), void *arg)
{
	harness_case_begin("%s", name);
	fn(arg);
	return harness_case_end();
}

int harness_case_forked(const char *name, int (*fn)(void))
{
	harness_case_begin("%s", name);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		FAIL("fork: %s", strerror(errno));
		return harness_case_end();
	}
	if (pid == 0)
		_exit(fn());
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			FAIL("waitpid: %s", strerror(errno));
			return harness_case_end();
		}
	}
	if (WIFSIGNALED(status))
		FAIL("the child was killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) == HARNESS_SKIP)
		harness_case_skip("(the child says this machine cannot run it)");
	else if (WEXITSTATUS(status) != 0 && counters()->case_failed == 0)
		FAIL("the child exited with status %d", WEXITSTATUS(status));
	return harness_case_end();
}

void harness_case_skip(const char *why)
{
	snprintf(skip_why, sizeof(skip_why), "%s", why);
	for (char *p = skip_why; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

void harness_print_limit(unsigned n)
{
	print_limit = n;
}

void harness_note(const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	comment("", msg ? msg : "(no memory for the note)");
	free(msg);
}

int harness_summary(void)
{
	struct counters *c = counters();
	harness_case_end();
	/* Failures outside every case still need a test point of their own. */
	outside_failed += c->case_failed;
	c->case_failed = 0;
	if (outside_failed)
		printf("not ok %d - checks outside any case\n", ++ncases);
	int nothing = c->passed + c->failed == 0;
	if (nothing)
		printf("not ok %d - the test checked nothing\n", ++ncases);
	printf("# %ld passed, %ld failed\n", c->passed, c->failed);
	printf("1..%d\n", ncases);
	fflush(stdout);
	return c->failed || nothing ? 1 : 0;
}
