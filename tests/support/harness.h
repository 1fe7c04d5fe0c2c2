/* The one pass/fail harness of the C tests (tests/): checks that record
 * file:line and a message, cases that group them, and the summary meson
 * reads.
 *
 * Output is TAP, which meson's `protocol : 'tap'` parses: one "ok N -
 * NAME" or "not ok N - NAME" line per case, every failed check as a
 * "# FAIL file:line: message" comment inside it, and at the end
 * "# N passed, M failed" (N and M count checks) and the plan "1..CASES".
 * harness_summary() returns the exit status: 0 when nothing failed, 1
 * otherwise, and also 1 when nothing was checked at all, since a test
 * that checks nothing proves nothing.
 *
 * The counters live in an anonymous shared mapping, so that checks made
 * in a forked child (a confined probe, say) count in the parent too. */
#ifndef TESTS_SUPPORT_HARNESS_H
#define TESTS_SUPPORT_HARNESS_H

#include <unistd.h>

/* What a forked case returns to say it could not run here (meson's
 * convention for a skipped test). */
#define HARNESS_SKIP 77

/* Records one check: it passes when OK is non-zero. A failure prints
 * FILE:LINE and the message (FMT after its first character, or EXPR when
 * that is all FMT has: see CHECK). Returns
 * OK as 0 or 1, so that a caller can stop after a failure. */
int harness_check(int ok, const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* CHECK(cond) or CHECK(cond, "format", args...): the message is optional;
 * without one the failure shows the condition's text. The format is
 * glued to a leading space (dropped when printed) so that it is never
 * empty, which printf-format checking would reject. */
#define CHECK(cond, ...) harness_check(!!(cond), __FILE__, __LINE__, #cond, " " __VA_ARGS__)
/* Records one check as CHECK does, but prints nothing when it fails: the
 * failure counts among the case's "more failures not shown". For a loop
 * over many vectors that prints a sample of its failures itself (through
 * FAIL) and only counts the rest. Returns OK as 0 or 1. */
int harness_count(int ok);

/* A failure that no condition expresses (a file cannot be read, ...). */
#define FAIL(...) ((void)harness_check(0, __FILE__, __LINE__, "", " " __VA_ARGS__))
/* In a forked child (harness_case_forked): a failed check ends the child,
 * since what follows would only repeat the failure. */
#define REQUIRE(cond, ...) \
	do { if (!CHECK(cond, __VA_ARGS__)) _exit(1); } while (0)

/* A case: the checks between begin and end. End prints its TAP line and
 * returns 1 when one of them failed. Checks outside every case count too
 * (they are reported as a case of their own by harness_summary). */
void harness_case_begin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int harness_case_end(void);

/* The runner: one case around FN(ARG). Returns 1 when the case failed. */
int harness_case(const char *name, void (*fn)(void *), void *arg);

/* One case around FN run in a forked child, whose exit status is 0,
 * HARNESS_SKIP, or anything else for a failure; a child killed by a
 * signal fails the case. Returns 1 when the case failed. */
int harness_case_forked(const char *name, int (*fn)(void));

/* Marks the current case skipped (its TAP line gets "# SKIP WHY"), for
 * what this machine cannot do; never for missing test data. */
void harness_case_skip(const char *why);

/* At most N failures per case are printed (0: all); the others are still
 * counted, and the case's end says how many were not shown. */
void harness_print_limit(unsigned n);

/* A "# " comment line: figures and context, not a verdict. */
void harness_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the summary and plan; returns main's exit status. */
int harness_summary(void);

#endif
