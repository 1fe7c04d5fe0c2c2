/* Section 4, compile time: the sysfence CLI against the direct libseccomp
 * program (scmp_direct), each run as a process on the same policy, and
 * how sysfence's time grows with the number of conditional rules. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "bpf/bpf.h"

struct timing {
	double sf_ms, scmp_ms;    /* medians of wall time; -1: failed or not run */
	double sf_cpu, scmp_cpu;  /* medians of CPU time (user + system), ms */
	double sf_rss, scmp_rss;  /* medians of peak RSS, KiB */
	size_t sf_len, scmp_len;  /* instructions of the output */
	char why[512];            /* sysfence's first error line, if it failed */
};

/* The first line of a failed run's stderr, for the table, without the
 * temporary file's name in front of "error:". */
static void first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[400];
	buf[0] = 0;
	if (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		snprintf(buf, len, "%s", strstr(line, "error: ") ? strstr(line, "error: ") : line);
	}
	if (f)
		fclose(f);
}

static double median_ms(double *t, size_t n, int failed)
{
	return failed || n == 0 ? -1 : median(t, n) / 1e6;
}

/* Builds POL RUNS times with each tool, interleaved; the direct
 * libseccomp build only if RUN_SCMP. A failure counts as one unless
 * EXPECTED. */
static void time_policy(const struct bench_env *env, const struct bench_policy *pol,
			int runs, int run_scmp, int expected, struct timing *out)
{
	char *src = tmp_path(env, "ct.policy"), *rules = tmp_path(env, "ct.rules");
	char *sf_out = tmp_path(env, "ct-sf.bpf"), *scmp_out = tmp_path(env, "ct-scmp.bpf");
	char *err = tmp_path(env, "ct.err");
	char *sf_argv[] = { (char *)env->sysfence, "compile", src, "-o", sf_out, NULL };
	char *scmp_argv[] = { (char *)env->scmp_direct, rules, scmp_out, NULL };
	double sf[16], scmp[16], sf_cpu[16], scmp_cpu[16], sf_rss[16], scmp_rss[16];
	out->why[0] = 0;
	int sf_failed = 0, scmp_failed = !run_scmp;
	struct bench_prog prog = { 0 };

	if (policy_write_sysfence(pol, src) || policy_write_rules(pol, rules)) {
		sf_failed = scmp_failed = 1;
		bench_failed();
	}
	for (int r = 0; r < runs && r < 16 && !(sf_failed && scmp_failed); r++) {
		if (!sf_failed && (sf[r] = run_measured(sf_argv, err, &sf_cpu[r], &sf_rss[r])) < 0) {
			sf_failed = 1;
			first_line(err, out->why, sizeof(out->why));
			if (!expected) {
				show_error(err);
				bench_failed();
			}
		}
		if (!scmp_failed &&
		    (scmp[r] = run_measured(scmp_argv, err, &scmp_cpu[r], &scmp_rss[r])) < 0) {
			scmp_failed = 1;
			show_error(err);
			bench_failed();
		}
	}
	out->sf_ms = median_ms(sf, (size_t)runs, sf_failed);
	out->scmp_ms = median_ms(scmp, (size_t)runs, scmp_failed);
	out->sf_cpu = median_ms(sf_cpu, (size_t)runs, sf_failed);
	out->scmp_cpu = median_ms(scmp_cpu, (size_t)runs, scmp_failed);
	out->sf_rss = sf_failed ? -1 : median(sf_rss, (size_t)runs);
	out->scmp_rss = scmp_failed ? -1 : median(scmp_rss, (size_t)runs);
	out->sf_len = out->scmp_len = 0;
	if (!sf_failed && read_prog(sf_out, &prog) == 0)
		out->sf_len = prog.len;
	free(prog.insns);
	prog.insns = NULL;
	if (!scmp_failed && read_prog(scmp_out, &prog) == 0)
		out->scmp_len = prog.len;
	free(prog.insns);
	for (char **p = (char *[]){ src, rules, sf_out, scmp_out, err, NULL }; *p; p++) {
		unlink(*p);
		free(*p);
	}
}

static struct timing failed_timing(void)
{
	return (struct timing){ .sf_ms = -1, .scmp_ms = -1, .sf_cpu = -1, .scmp_cpu = -1,
				.sf_rss = -1, .scmp_rss = -1 };
}

static const char *ms_cell(double ms)
{
	return ms < 0 ? "n/a" : fmt("%.1f", ms);
}

static const char *len_cell(size_t len)
{
	if (len == 0)
		return "n/a";
	return len > BPF_MAX_INSNS ? fmt("%zu (> %d: unloadable)", len, BPF_MAX_INSNS) : fmt("%zu", len);
}

static const char *ratio_cell(double a, double b)
{
	return a <= 0 || b <= 0 ? "n/a" : fmt("%.2f", a / b);
}

static void timing_row(const char *what, const struct timing *t)
{
	table_row(7, what, ms_cell(t->sf_ms), ms_cell(t->scmp_ms),
		  ratio_cell(t->sf_ms, t->scmp_ms), ratio_cell(t->sf_cpu, t->scmp_cpu),
		  len_cell(t->sf_len), len_cell(t->scmp_len));
}

/* Least-squares slope of log(time) over log(rules): 1 is linear. */
static double exponent(const double *n, const double *ms, size_t k)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	for (size_t i = 0; i < k; i++) {
		double x = log(n[i]), y = log(ms[i]);
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	return (k * sxy - sx * sy) / (k * sxx - sx * sx);
}

static const char *per_rule(double ms, double rules)
{
	return ms < 0 ? "n/a" : fmt("%.1f", ms * 1000 / rules);
}

/* The fitted exponent of the figures FIELD picks, or -1 if any failed. */
static double fitted(const struct timing *t, const double *sizes, size_t k,
		     double (*field)(const struct timing *))
{
	double ms[8];
	for (size_t i = 0; i < k; i++)
		if ((ms[i] = field(&t[i])) <= 0)
			return -1;
	return exponent(sizes, ms, k);
}

static const char *exp_cell(double e)
{
	return e < 0 ? "n/a" : fmt("%.2f", e);
}

static double sf_wall(const struct timing *t) { return t->sf_ms; }
static double sf_cpu(const struct timing *t) { return t->sf_cpu; }
static double scmp_wall(const struct timing *t) { return t->scmp_ms; }
static double scmp_cpu(const struct timing *t) { return t->scmp_cpu; }

/* Wall time as asked, CPU time too: on a busy machine it is the steadier
 * measure of how the work grows. */
static void growth(struct bench_env *env, const struct timing *t, const double *sizes, size_t k)
{
	env->growth_exp = fitted(t, sizes, k, sf_cpu);
	env->growth_exp_wall = fitted(t, sizes, k, sf_wall);
	table_section("4b. Compile time growth (conditional rules \"allow S if arg0 == K\", x86_64; ms)");
	table_header(7, "rules", "sysfence wall", "sysfence CPU", "sysfence CPU us/rule",
		     "libseccomp wall", "libseccomp CPU", "libseccomp CPU us/rule");
	for (size_t i = 0; i < k; i++)
		table_row(7, fmt("%.0f", sizes[i]), ms_cell(t[i].sf_ms), ms_cell(t[i].sf_cpu),
			  per_rule(t[i].sf_cpu, sizes[i]), ms_cell(t[i].scmp_ms),
			  ms_cell(t[i].scmp_cpu), per_rule(t[i].scmp_cpu, sizes[i]));
	table_row(7, "fitted exponent (time ~ rules^e)", exp_cell(env->growth_exp_wall),
		  exp_cell(env->growth_exp), "", exp_cell(fitted(t, sizes, k, scmp_wall)),
		  exp_cell(fitted(t, sizes, k, scmp_cpu)), "");
}

static const char *kib_cell(double kib)
{
	return kib < 0 ? "n/a" : fmt("%.0f", kib);
}

/* Peak RSS per rule between the smallest and the largest policy: what one
 * more rule costs, the fixed cost of the process left out. */
static double kib_per_rule(const struct timing *t, const double *sizes, size_t k, int scmp)
{
	double lo = scmp ? t[0].scmp_rss : t[0].sf_rss, hi = scmp ? t[k - 1].scmp_rss : t[k - 1].sf_rss;
	return lo < 0 || hi < 0 ? -1 : (hi - lo) / (sizes[k - 1] - sizes[0]);
}

/* Rules whose values do not merge ("allow accept if fd == 7i + 3"): the
 * filter grows with them, in both compilers. */
static void spread_growth(struct bench_env *env, const struct timing *t, const double *sizes,
			  size_t k)
{
	env->nm_exp[0] = fitted(t, sizes, k, sf_cpu);
	env->nm_exp[1] = fitted(t, sizes, k, scmp_cpu);
	env->kib_rule[0] = kib_per_rule(t, sizes, k, 0);
	env->kib_rule[1] = kib_per_rule(t, sizes, k, 1);
	table_section("4c. Compile time and memory, values that do not merge "
		      "(\"allow accept if fd == 7i+3\", x86_64; CPU ms, peak RSS KiB)");
	table_header(7, "rules", "sysfence CPU", "libseccomp CPU", "ratio CPU", "sysfence peak RSS",
		     "libseccomp peak RSS", "sysfence insns");
	for (size_t i = 0; i < k; i++)
		table_row(7, fmt("%.0f", sizes[i]), ms_cell(t[i].sf_cpu), ms_cell(t[i].scmp_cpu),
			  ratio_cell(t[i].sf_cpu, t[i].scmp_cpu), kib_cell(t[i].sf_rss),
			  kib_cell(t[i].scmp_rss), len_cell(t[i].sf_len));
	table_row(7, "fitted exponent (CPU ~ rules^e)", exp_cell(env->nm_exp[0]),
		  exp_cell(env->nm_exp[1]), "", "", "", "");
	table_row(7, fmt("KiB of peak RSS per rule, %.0f -> %.0f", sizes[0], sizes[k - 1]),
		  "", "", "", env->kib_rule[0] < 0 ? "n/a" : fmt("%.2f", env->kib_rule[0]),
		  env->kib_rule[1] < 0 ? "n/a" : fmt("%.2f", env->kib_rule[1]), "");
	table_row(7, fmt("KiB of peak RSS / rules at %.0f", sizes[k - 1]), "", "", "",
		  t[k - 1].sf_rss < 0 ? "n/a" : fmt("%.2f", t[k - 1].sf_rss / sizes[k - 1]),
		  t[k - 1].scmp_rss < 0 ? "n/a" : fmt("%.2f", t[k - 1].scmp_rss / sizes[k - 1]), "");
	table_note("Peak RSS: ru_maxrss of the process, which for sysfence includes its "
		   "libseccomp child; sysfence's CPU time includes that child's too.");
}

void bench_compile(struct bench_env *env)
{
	static const double sizes[] = { 1000, 2500, 5000, 10000 }, spread[] = { 500, 1000, 2000 };
	enum { NSIZES = sizeof(sizes) / sizeof(sizes[0]), NSPREAD = sizeof(spread) / sizeof(spread[0]) };
	const int small_runs = env->quick ? 1 : 7, big_runs = env->quick ? 1 : 3;
	struct timing t20, t360, t360x, grow[NSIZES], nm[NSPREAD], staggered, mixed;
	struct bench_policy pol;

	policy_first_syscalls(&pol, &env->mix, 20);
	time_policy(env, &pol, small_runs, 1, 0, &t20);
	policy_free(&pol);
	if (policy_docker(&pol, env->docker_names, 360) == 0)
		time_policy(env, &pol, small_runs, 1, 0, &t360);
	else
		t360 = failed_timing();
	policy_free(&pol);
	if (policy_docker(&pol, env->docker_names, 360) == 0) {
		policy_x86_64_only(&pol);
		time_policy(env, &pol, small_runs, 1, 0, &t360x);
	} else {
		t360x = failed_timing();
	}
	policy_free(&pol);
	if (t360x.sf_cpu > 0 && t360x.scmp_cpu > 0)
		env->ratio_x86_64_cpu = t360x.sf_cpu / t360x.scmp_cpu;
	for (size_t i = 0; i < (env->quick ? 1 : NSPREAD); i++) {
		policy_accept_spread(&pol, (size_t)spread[i]);
		time_policy(env, &pol, big_runs, 1, 0, &nm[i]);
		policy_free(&pol);
	}
	for (size_t i = 0; i < (env->quick ? 1 : NSIZES); i++) {
		policy_fd_rules(&pol, (size_t)sizes[i], 0);
		time_policy(env, &pol, big_runs, 1, 0, &grow[i]);
		policy_free(&pol);
	}
	/* The same with a different range for each syscall, once: libseccomp
	 * cannot share one comparison chain between syscalls then, and takes
	 * minutes on the 10,000 equalities, so only sysfence is run, with a
	 * short libseccomp deadline. */
	if (!env->quick) {
		policy_fd_rules(&pol, 10000, 3);
		setenv("SYSFENCE_LIBSECCOMP_TIMEOUT", "3", 1);
		time_policy(env, &pol, 1, 0, 1, &staggered);
		unsetenv("SYSFENCE_LIBSECCOMP_TIMEOUT");
		policy_free(&pol);
		/* Every rule on one syscall, two actions: no quadratic
		 * conflict check (libseccomp takes seconds; one run each). */
		policy_one_syscall_two_actions(&pol, 10000);
		time_policy(env, &pol, 1, 1, 0, &mixed);
		policy_free(&pol);
	}

	table_section("4. Compile time (wall ms, median of processes; ratios: sysfence / libseccomp)");
	table_header(7, "policy", "sysfence CLI", "direct libseccomp", "ratio wall", "ratio CPU",
		     "sysfence insns", "libseccomp insns");
	timing_row("20 syscalls (mix's most frequent), x86_64", &t20);
	timing_row("360 syscalls (Docker's), x86_64+x86+aarch64", &t360);
	if (t360.sf_ms > 0 && t360.scmp_ms > 0)
		env->ratio_360 = t360.sf_ms / t360.scmp_ms;
	timing_row("Docker's 360, those x86_64 has, x86_64 only", &t360x);
	if (!env->quick) {
		timing_row("10,000 conditional rules, x86_64 (values 0-249 for each of 40 syscalls)",
			   &grow[NSIZES - 1]);
		timing_row("10,000 conditional rules, a different range for each syscall (one run)",
			   &staggered);
		timing_row("10,000 rules on write, allow and errno(EACCES) alternating (one run)",
			   &mixed);
	}
	table_note("sysfence: `sysfence compile P -o F` (parse, analyse, libseccomp in a child, "
		   "verification against the reference evaluator, layout, write). Direct: "
		   "bench/scmp_direct.c reads the same rules as a list and calls seccomp_init, "
		   "seccomp_arch_add, seccomp_rule_add_array, seccomp_export_bpf. %d runs each "
		   "(%d for the rule-growth policies).", small_runs, big_runs);
	if (!env->quick && staggered.sf_ms < 0)
		table_note("10,000 rules with a different range per syscall (values 3i..3i+249 for "
			   "syscall i; direct libseccomp not run: minutes, over 4096 instructions): "
			   "sysfence, with SYSFENCE_LIBSECCOMP_TIMEOUT=3, says: %s", staggered.why);
	if (!env->quick) {
		growth(env, grow, sizes, NSIZES);
		spread_growth(env, nm, spread, NSPREAD);
	}
}
