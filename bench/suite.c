/* `./dev bench`: the whole benchmark suite, one table. Every ratio is
 * measured in the same run against a baseline built in that run.
 * Usage: bench_suite [--quick] [--markdown FILE]
 *   --quick     one repetition of everything (a smoke test, not figures)
 *   --markdown  also write the table as Markdown to FILE (atomically);
 *               docs/performance.md is written this way. */
#define _GNU_SOURCE
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	snprintf(buf, len, "unknown");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(buf, len, "%s", strchr(line, ':') + 2);
			buf[strcspn(buf, "\n")] = 0;
			break;
		}
	if (f)
		fclose(f);
}

/* Options the CLI has: its usage text names them. */
static int cli_has(const char *sysfence, const char *option)
{
	char cmd[1024], line[512];
	int found = 0;
	snprintf(cmd, sizeof(cmd), "'%s' --help 2>&1", sysfence);
	FILE *p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p))
		found |= strstr(line, option) != NULL;
	if (p)
		pclose(p);
	return found;
}

static void machine_section(void)
{
	char cpu[128], date[64];
	struct utsname u;
	const struct scmp_version *v = seccomp_version();
	time_t now = time(NULL);
	cpu_model(cpu, sizeof(cpu));
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	table_section("Machine");
	table_header(2, "machine", "");
	table_row(2, "date", date);
	table_row(2, "CPU", fmt("%s (%ld online)", cpu, sysconf(_SC_NPROCESSORS_ONLN)));
	table_row(2, "kernel", fmt("%s %s %s", u.sysname, u.release, u.machine));
	table_row(2, "libseccomp", fmt("%u.%u.%u", v->major, v->minor, v->micro));
}

/* The targets, met or missed, from the figures above. */
static void targets_section(const struct bench_env *env)
{
	table_section("Targets");
	table_header(3, "target", "measured", "");
	const double *mix = env->mean[0], *cond = env->mean[1], *mix_max = env->max[0];
	table_row(3, "mix allow-list, no profile: mean <= 10 (section 1)",
		  mix[SYSFENCE] < 0 ? "n/a" : fmt("%.2f", mix[SYSFENCE]),
		  mix[SYSFENCE] < 0 ? "" : mix[SYSFENCE] <= 10 ? "met" : "MISSED");
	int mix_ok = mix[SYSFENCE] >= 0 && mix_max[SYSFENCE] >= 0;
	table_row(3, "mix allow-list, no profile: mean <= 8.0 and max <= 11 (section 1)",
		  mix_ok ? fmt("%.2f / %.0f", mix[SYSFENCE], mix_max[SYSFENCE]) : "n/a",
		  !mix_ok ? "" : mix[SYSFENCE] <= 8.0 && mix_max[SYSFENCE] <= 11 ? "met" :
		  mix_max[SYSFENCE] <= 11 ? "MISSED (mean)" : "MISSED");
	table_row(3, "mix allow-list, --profile: mean <= 8.5 (section 1)",
		  mix[SYSFENCE_PROFILE] < 0 ? "n/a" : fmt("%.2f", mix[SYSFENCE_PROFILE]),
		  mix[SYSFENCE_PROFILE] < 0 ? "" : mix[SYSFENCE_PROFILE] <= 8.5 ? "met" : "MISSED");
	int have = cond[SYSFENCE] >= 0 && cond[SCMP_DEFAULT] >= 0 && cond[SCMP_TREE] >= 0;
	double best_scmp = cond[SCMP_TREE] < cond[SCMP_DEFAULT] ? cond[SCMP_TREE] : cond[SCMP_DEFAULT];
	table_row(3, "mix + conditions: mean below both libseccomp layouts (section 1)",
		  have ? fmt("%.2f vs %.2f", cond[SYSFENCE], best_scmp) : "n/a",
		  !have ? "" : cond[SYSFENCE] < best_scmp ? "met" : "MISSED");
	table_row(3, "kernel cache proves 100% of sysfence's allows (section 2)",
		  env->kcache_share < 0 ? "n/a" : fmt("%.1f%% (lowest)", 100 * env->kcache_share),
		  env->kcache_share < 0 ? "" : env->kcache_share >= 1 ? "met" : "MISSED");
	table_row(3, "compile time <= 1.3x direct libseccomp, 360 syscalls (section 4)",
		  env->ratio_360 < 0 ? "n/a" : fmt("%.2fx", env->ratio_360),
		  env->ratio_360 < 0 ? "" : env->ratio_360 <= 1.3 ? "met" : "MISSED");
	const long *sock = env->docker_socket;
	table_row(3, "Docker x86_64 socket: executed <= best libseccomp layout (section 1b)",
		  sock[0] < 0 || sock[1] < 0 ? "n/a" : fmt("%ld vs %ld", sock[0], sock[1]),
		  sock[0] < 0 || sock[1] < 0 ? "" : sock[0] <= sock[1] ? "met" : "MISSED");
	table_row(3, "compile CPU <= 1.3x direct libseccomp, Docker x86_64 (section 4)",
		  env->ratio_x86_64_cpu < 0 ? "n/a" : fmt("%.2fx", env->ratio_x86_64_cpu),
		  env->ratio_x86_64_cpu < 0 ? "" : env->ratio_x86_64_cpu <= 1.3 ? "met" : "MISSED");
	int nm = env->nm_exp[0] >= 0 && env->nm_exp[1] >= 0;
	table_row(3, "non-merging rules: CPU exponent < 1.15 and <= libseccomp's (section 4c)",
		  nm ? fmt("%.2f vs %.2f", env->nm_exp[0], env->nm_exp[1]) : "n/a",
		  !nm ? "" : env->nm_exp[0] < 1.15 && env->nm_exp[0] <= env->nm_exp[1] ? "met" : "MISSED");
	int kib = env->kib_rule[0] >= 0 && env->kib_rule[1] >= 0;
	table_row(3, "peak RSS per rule <= 2x direct libseccomp's (section 4c; our bound, the issue sets none)",
		  kib ? fmt("%.2f vs %.2f KiB", env->kib_rule[0], env->kib_rule[1]) : "n/a",
		  !kib ? "" : env->kib_rule[0] <= 2 * env->kib_rule[1] ? "met" : "MISSED");
	/* "Near linear": an exponent below 1.15 over a 10x range of rules. */
	table_row(3, "compile time near linear in rules (section 4b, exponent < 1.15)",
		  env->growth_exp < 0 ? "n/a" : fmt("%.2f CPU, %.2f wall", env->growth_exp,
						   env->growth_exp_wall),
		  env->growth_exp < 0 ? "" : env->growth_exp < 1.15 ? "met" : "MISSED");
}

static int write_markdown(const char *path)
{
	char tmp[1024];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "# Performance\n\n"
		"Generated by `./dev bench --markdown` (bench/bench_suite) on the machine below; "
		"every ratio compares figures measured in the same run. bench/README.md says "
		"what each section measures.\n");
	table_print_markdown(f);
	int bad = ferror(f);
	if (fclose(f) || bad || rename(tmp, path)) {
		remove(tmp);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_env env = {
		.sysfence = BENCH_SYSFENCE, .scmp_direct = BENCH_SCMP_DIRECT,
		.runtime_lib = BENCH_RUNTIME_LIB, .source_root = BENCH_SOURCE_ROOT,
		.data_dir = BENCH_DATA, .docker_names = BENCH_SOURCE_ROOT "/bench/docker-names.txt",
		.kcache_share = -1, .ratio_360 = -1, .growth_exp = -1, .growth_exp_wall = -1,
		.docker_socket = { -1, -1 }, .ratio_x86_64_cpu = -1, .nm_exp = { -1, -1 },
		.kib_rule = { -1, -1 },
	};
	for (int p = 0; p < 2; p++)
		for (int b = 0; b < NBUILDERS; b++)
			env.mean[p][b] = env.max[p][b] = -1;
	const char *markdown = NULL;
	char mixpath[512];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			env.quick = 1;
		else if (!strcmp(argv[i], "--markdown") && i + 1 < argc)
			markdown = argv[++i];
		else {
			fprintf(stderr, "usage: bench_suite [--quick] [--markdown FILE]\n");
			return 2;
		}
	}
	snprintf(mixpath, sizeof(mixpath), "%s/mix-x86_64.tsv", env.data_dir);
	snprintf(env.tmpdir, sizeof(env.tmpdir), "/tmp/sysfence-bench-XXXXXX");
	if (mix_read(&env.mix, mixpath) || !mkdtemp(env.tmpdir)) {
		fprintf(stderr, "bench: cannot read %s or make a temporary directory\n", mixpath);
		return 1;
	}
	env.has_profile = cli_has(env.sysfence, "--profile");

	machine_section();
	bench_quality(&env);
	bench_arguments(&env);
	bench_kcache(&env);
	bench_runtime(&env);
	bench_compile(&env);
	bench_loader(&env);
	if (!env.quick)
		targets_section(&env);
	rmdir(env.tmpdir);

	table_print_text(stdout);
	if (bench_failures()) {
		fprintf(stderr, "bench: %d figures could not be measured (see above)\n",
			bench_failures());
		return 1;
	}
	if (markdown && write_markdown(markdown)) {
		perror(markdown);
		return 1;
	}
	return 0;
}
