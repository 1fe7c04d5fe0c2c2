/* Section 3, runtime: nanoseconds per syscall with a filter loaded, in
 * the same process layout for every configuration: a forked child loads
 * its filter with the runtime library and times N calls of each syscall.
 * Configurations are interleaved and repeated; the table has medians and
 * the spread (fastest and slowest child).
 *
 * One filter costs a few ns next to a syscall's 100-200, less than the
 * noise between children; so each child stacks its filter STACK times
 * (the kernel runs every one of them on every syscall), which multiplies
 * the filter's part and not the noise. A difference between two filters
 * counts as real only when their spreads do not overlap. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "sysfence.h"

enum { GETPPID, WRITE, DENIED, NCALLS };
enum { BATCHES = 10, STACK = 8 };
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
	for (int s = 0; c->prog && s < STACK; s++)
		if (sysfence_apply(c->prog->insns, c->prog->len, 0))
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

enum { MAX_REPS = 9 };

struct runtime {
	int reps, have[NCONFIGS], got[NCONFIGS];
	double med[NCONFIGS][NCALLS];   /* ns per call; -1: no figure */
	double lo[NCONFIGS][NCALLS], hi[NCONFIGS][NCALLS];   /* the spread */
};

static void spread(const double *v, int n, double *lo, double *hi)
{
	*lo = *hi = n ? v[0] : -1;
	for (int i = 1; i < n; i++) {
		if (v[i] < *lo)
			*lo = v[i];
		if (v[i] > *hi)
			*hi = v[i];
	}
}

static const char *ns_cell(const struct runtime *rt, int c, int k)
{
	double ns = rt->med[c][k], base = rt->med[0][k];
	return ns < 0 ? "n/a" : fmt("%.1f [%.1f-%.1f] (%.2fx)", ns, rt->lo[c][k], rt->hi[c][k],
				    ns / base);
}

/* The ratio of the medians of A and B, and whether the difference is
 * beyond the spread of the children. */
static const char *ratio_cell(const struct runtime *rt, int a, int b, int k)
{
	if (rt->med[a][k] < 0 || rt->med[b][k] < 0)
		return "n/a";
	if (rt->got[a] < 3 || rt->got[b] < 3)
		return fmt("%.3f (too few children to tell)", rt->med[a][k] / rt->med[b][k]);
	int apart = rt->lo[a][k] > rt->hi[b][k] || rt->lo[b][k] > rt->hi[a][k];
	return fmt("%.3f (%s)", rt->med[a][k] / rt->med[b][k], apart ? "real" : "noise");
}

/* What one pass of the filter costs: the median over no filter, per copy. */
static const char *per_filter_cell(const struct runtime *rt, int c, int k)
{
	if (rt->med[c][k] < 0 || rt->med[0][k] < 0)
		return "n/a";
	return fmt("%.1f", (rt->med[c][k] - rt->med[0][k]) / STACK);
}

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
		for (int k = 0; k < NCALLS; k++) {
			spread(samples[c][k], rt->got[c], &rt->lo[c][k], &rt->hi[c][k]);
			rt->med[c][k] = rt->got[c] ? median(samples[c][k], (size_t)rt->got[c]) : -1;
		}
}

static void print(const struct runtime *rt, long n)
{
	table_section("3. Runtime (ns per syscall with the filter stacked 8 times, median "
		      "[fastest-slowest] of forked children; x: ratio to no filter)");
	table_header(4, "filter (mix + conditions)", "getppid (cached allow)",
		     "write fd 1 (allowed by condition)", "getpgrp (denied)");
	for (int c = 0; c < NCONFIGS; c++)
		table_row(4, config_names[c], ns_cell(rt, c, GETPPID), ns_cell(rt, c, WRITE),
			  ns_cell(rt, c, DENIED));
	for (int c = SF; c < NCONFIGS; c++)
		table_row(4, fmt("%s: ns per filter pass", config_names[c]),
			  per_filter_cell(rt, c, GETPPID), per_filter_cell(rt, c, WRITE),
			  per_filter_cell(rt, c, DENIED));
	for (int c = SF_SCMP_DEFAULT; c <= SF_SCMP_TREE; c++)
		table_row(4, fmt("ratio sysfence / %s", config_names[c]),
			  ratio_cell(rt, SF, c, GETPPID), ratio_cell(rt, SF, c, WRITE),
			  ratio_cell(rt, SF, c, DENIED));
	table_note("Each child sends fd 1 to /dev/null, loads its filter %d times with "
		   "sysfence_apply (the policy plus exit_group, seccomp and prctl, for the child to load the next copy and to end) and times %ld "
		   "calls of each syscall after a warm-up, in %d batches, keeping the fastest; %d "
		   "children per configuration, interleaved. Ratios: \"real\" when the two "
		   "spreads do not overlap, else \"noise\". getppid is allowed from the kernel's "
		   "constant-action cache (Linux 5.11+) by every filter: its column is the cost "
		   "of entering seccomp, not of a filter's code.",
		   STACK, n, BATCHES, rt->reps);
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
	policy_add(&pol, "seccomp");      /* and to load the next copy */
	policy_add(&pol, "prctl");
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
