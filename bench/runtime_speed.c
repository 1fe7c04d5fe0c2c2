/* Section 3, runtime: nanoseconds per syscall with a filter loaded, in
 * the same process layout for every configuration: a forked child loads
 * its filter with the runtime library and times N calls of each syscall.
 * Configurations are interleaved and repeated; the table has medians. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "sysfence.h"

enum { GETPPID, WRITE, DENIED, NCALLS };
enum { BATCHES = 10 };
/* Configuration 0 is no filter; configuration 1 + b is builder b. */
enum { NONE, SF = 1 + SYSFENCE, SF_PROFILE = 1 + SYSFENCE_PROFILE, SF_SCMP_DEFAULT = 1 + SCMP_DEFAULT,
	   SF_SCMP_TREE = 1 + SCMP_TREE, NCONFIGS = 1 + NBUILDERS };
static const char *const config_names[NCONFIGS] = {
	"no filter", "sysfence", "sysfence --profile mix", "libseccomp default",
	"libseccomp tree (OPTIMIZE=2)",
};

struct child_ctx {
	const struct bench_prog *prog; /* NULL: no filter */
	long n;
};

/* One call each: cached allow, allowed by a condition (write to fd 1,
 * which is /dev/null), denied (getpgrp is not in the policy). Returns the
 * result, so that a wrong verdict is noticed. */
static long call(int which)
{
	static const char byte = 'x';
	switch (which) {
	case GETPPID:
		return syscall(SYS_getppid);
	case WRITE:
		return syscall(SYS_write, 1, &byte, 1);
	default:
		return syscall(SYS_getpgrp);
	}
}

static int time_calls(void *arg, double *out)
{
	const struct child_ctx *c = arg;
	int null = open("/dev/null", O_WRONLY);
	if (null < 0 || dup2(null, 1) != 1)
		return -1;
	if (c->prog && sysfence_apply(c->prog->insns, c->prog->len, 0))
		return -1;
	/* The filter must give what the policy says, or the timing is void. */
	if (call(GETPPID) <= 0 || call(WRITE) != 1)
		return -1;
	if (c->prog ? call(DENIED) != -1 || errno != EPERM : call(DENIED) <= 0)
		return -1;
	/* The fastest of BATCHES batches: a batch the scheduler interrupted
	 * (the machine may be busy) says nothing about the filter. */
	for (int which = 0; which < NCALLS; which++) {
		long per = c->n / BATCHES;
		for (long i = 0; i < per; i++)   /* warm up */
			call(which);
		out[which] = -1;
		for (int b = 0; b < BATCHES; b++) {
			uint64_t t0 = now_ns();
			for (long i = 0; i < per; i++)
				call(which);
			double ns = (double)(now_ns() - t0) / (double)per;
			if (out[which] < 0 || ns < out[which])
				out[which] = ns;
		}
	}
	return 0;
}

static int build_config(const struct bench_env *env, const struct bench_policy *pol,
			int config, struct bench_prog *out)
{
	return bench_build(env, pol, (enum builder)(config - SF), out);
}

static const char *ns_cell(double ns, double base)
{
	return ns < 0 ? "n/a" : fmt("%.1f (%.2fx)", ns, ns / base);
}

static const char *ratio_cell(double a, double b)
{
	return a < 0 || b < 0 ? "n/a" : fmt("%.3f", a / b);
}

enum { MAX_REPS = 9 };

struct runtime {
	int reps, have[NCONFIGS], got[NCONFIGS];
	double med[NCONFIGS][NCALLS];   /* ns per call; -1: no figure */
};

/* REPS rounds of one child per configuration, interleaved so that a
 * change in machine load hits every configuration alike. */
static void measure(const struct child_ctx *ctx, struct runtime *rt)
{
	double samples[NCONFIGS][NCALLS][MAX_REPS];
	for (int r = 0; r < rt->reps; r++)
		for (int c = 0; c < NCONFIGS; c++) {
			double out[NCALLS];
			if (!rt->have[c] || in_child(time_calls, (void *)&ctx[c], out, NCALLS))
				continue;
			for (int k = 0; k < NCALLS; k++)
				samples[c][k][rt->got[c]] = out[k];
			rt->got[c]++;
		}
	for (int c = 0; c < NCONFIGS; c++)
		for (int k = 0; k < NCALLS; k++)
			rt->med[c][k] = rt->got[c] ? median(samples[c][k], (size_t)rt->got[c]) : -1;
}

static void print(const struct runtime *rt, long n)
{
	table_section("3. Runtime (ns per syscall, median of forked children; x: ratio to no filter)");
	table_header(4, "filter (mix + conditions)", "getppid (cached allow)",
		     "write fd 1 (allowed by condition)", "getpgrp (denied)");
	for (int c = 0; c < NCONFIGS; c++)
		table_row(4, config_names[c], ns_cell(rt->med[c][GETPPID], rt->med[NONE][GETPPID]),
			  ns_cell(rt->med[c][WRITE], rt->med[NONE][WRITE]),
			  ns_cell(rt->med[c][DENIED], rt->med[NONE][DENIED]));
	for (int c = SF_SCMP_DEFAULT; c <= SF_SCMP_TREE; c++)
		table_row(4, fmt("ratio sysfence / %s", config_names[c]),
			  ratio_cell(rt->med[SF][GETPPID], rt->med[c][GETPPID]),
			  ratio_cell(rt->med[SF][WRITE], rt->med[c][WRITE]),
			  ratio_cell(rt->med[SF][DENIED], rt->med[c][DENIED]));
	table_note("Each child sends fd 1 to /dev/null, loads its filter with sysfence_apply "
		   "(the policy plus exit_group, for the child to end) and times %ld calls of "
		   "each syscall after a warm-up, in %d batches, keeping the fastest; %d children "
		   "per configuration, interleaved.", n, BATCHES, rt->reps);
	for (int c = 0; c < NCONFIGS; c++) {
		if (!rt->have[c] && c != SF_PROFILE)
			bench_failed();
		if (rt->have[c] && rt->got[c] < rt->reps) {
			bench_failed();
			table_note("%s: %d of %d children failed (wrong verdict or load error).",
				   config_names[c], rt->reps - rt->got[c], rt->reps);
		}
	}
}

void bench_runtime(struct bench_env *env)
{
	struct runtime rt = { .reps = env->quick ? 1 : MAX_REPS };
	struct child_ctx ctx[NCONFIGS];
	struct bench_prog progs[NCONFIGS] = { { 0 } };
	struct bench_policy pol;
	long n = env->quick ? 2000 : 200000;

	policy_conditional(&pol, &env->mix);
	policy_add(&pol, "exit_group");   /* for the child to end */
	for (int c = 0; c < NCONFIGS; c++) {
		rt.have[c] = c == NONE || build_config(env, &pol, c, &progs[c]) == 0;
		ctx[c] = (struct child_ctx){ c == NONE ? NULL : &progs[c], n };
	}
	measure(ctx, &rt);
	print(&rt, n);
	for (int c = 0; c < NCONFIGS; c++)
		free(progs[c].insns);
	policy_free(&pol);
}
