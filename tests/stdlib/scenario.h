/* The scenarios of the standard-library tests (tests/stdlib/).
 *
 * Each scenario runs in a forked child: it sets up what it needs, installs
 * the filter compiled from its policy, does real work with glibc, then
 * tries what the policy must deny.  It records every check in memory shared
 * with the parent (no syscall needed: a confined child cannot print what
 * its filter denies), and its standard output goes to a pipe that the
 * parent reads and compares with what the scenario meant to print.  The
 * parent reports through the shared harness (tests/support/harness.h), one
 * case per recorded check, with its file and line, then a case for the
 * child's exit (a SIGSYS or any other signal is a failure) and one for its
 * output.
 */
#ifndef STDLIB_SCENARIO_H
#define STDLIB_SCENARIO_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/filter.h>

struct scenario {
	const char *name;
	/* The filter, installed by run() between setup and work. */
	const struct sock_filter *filter;
	size_t filter_len;
	/* Before the filter: open, create, bind what the work needs.  May be
	 * NULL.  Returns 0, or -1 after recording why. */
	int (*setup)(void);
	/* Under the filter: the real work, then the attempts that must fail. */
	void (*work)(void);
	/* What work() prints on standard output, exactly. */
	const char *(*expected_stdout)(void);
};

/* Records one check, with the caller's file and line.  Usable under any
 * filter: it only writes memory.
 * COND is evaluated before the message's arguments, so that these can
 * show the errno it left. */
#define check(name, cond, ...)                                               \
	do {                                                                     \
		int ok_ = !!(cond);                                                  \
		check_result(__FILE__, __LINE__, (name), ok_, __VA_ARGS__);          \
	} while (0)
void check_result(const char *file, int line, const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Records that CALL returned -1 (MAP_FAILED for mmap) with errno EPERM:
 * the policy's default action, an errno return and not a kill.  denied_as
 * expects another errno (ENOSYS for clone3 and openat2). */
#define denied(name, call) denied_as(name, EPERM, call)
#define denied_as(name, want, call)                                          \
	do {                                                                     \
		errno = 0;                                                           \
		long ret_ = (long)(call);                                            \
		check_errno((name), (want), ret_, errno);                            \
	} while (0)
#define check_errno(name, want, ret, err) \
	record_errno(__FILE__, __LINE__, (name), (want), (ret), (err))
void record_errno(const char *file, int line, const char *name, int want, long ret, int err);

/* Records that CALL did not fail with EPERM (it succeeded, or the kernel
 * refused it for its own reason, such as EAFNOSUPPORT): the policy let it
 * through.  Returns what CALL returned. */
#define allowed(name, call)                                                  \
	({                                                                       \
		errno = 0;                                                           \
		long ret_ = (long)(call);                                            \
		record_allowed(__FILE__, __LINE__, (name), ret_, errno);             \
		ret_;                                                                \
	})
void record_allowed(const char *file, int line, const char *name, long ret, int err);

/* Runs the scenario named argv[1] (or all) and reports in TAP; the
 * return value is main's. */
int run_scenarios(const struct scenario *list, size_t n, int argc, char **argv);

/* A scratch directory made before the filter, removed by the parent. */
extern char scratch[];

/* The pid of the parent (the unconfined test process), for attempts to
 * signal another process. */
extern pid_t parent_pid;

#endif
