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
	double sf[16], scmp[16], sf_cpu[16], scmp_cpu[16];
	out->why[0] = 0;
	int sf_failed = 0, scmp_failed = !run_scmp;
	struct bench_prog prog = { 0 };

	if (policy_write_sysfence(pol, src) || policy_write_rules(pol, rules)) {
		sf_failed = scmp_failed = 1;
		bench_failed();
	}
	for (int r = 0; r < runs && r < 16 && !(sf_failed && scmp_failed); r++) {
		if (!sf_failed && (sf[r] = run_timed(sf_argv, err, &sf_cpu[r])) < 0) {
			sf_failed = 1;
			first_line(err, out->why, sizeof(out->why));
			if (!expected) {
				show_error(err);
				bench_failed();
			}
		}
		if (!scmp_failed && (scmp[r] = run_timed(scmp_argv, err, &scmp_cpu[r])) < 0) {
			scmp_failed = 1;
			show_error(err);
			bench_failed();
		}
	}
	out->sf_ms = median_ms(sf, (size_t)runs, sf_failed);
	out->scmp_ms = median_ms(scmp, (size_t)runs, scmp_failed);
	out->sf_cpu = median_ms(sf_cpu, (size_t)runs, sf_failed);
	out->scmp_cpu = median_ms(scmp_cpu, (size_t)runs, scmp_failed);
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

void bench_compile(struct bench_env *env)
{
	static const double sizes[] = { 1000, 2500, 5000, 10000 };
	enum { NSIZES = sizeof(sizes) / sizeof(sizes[0]) };
	const int small_runs = env->quick ? 1 : 7, big_runs = env->quick ? 1 : 3;
	struct timing t20, t360, grow[NSIZES], staggered, mixed;
	struct bench_policy pol;

	policy_first_syscalls(&pol, &env->mix, 20);
	time_policy(env, &pol, small_runs, 1, 0, &t20);
	policy_free(&pol);
	if (policy_docker(&pol, env->docker_names, 360) == 0)
		time_policy(env, &pol, small_runs, 1, 0, &t360);
	else
		t360 = (struct timing){ -1, -1, -1, -1, 0, 0, "" };
	policy_free(&pol);
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
	if (!env->quick)
		growth(env, grow, sizes, NSIZES);
}
