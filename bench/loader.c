/* Section 5, the loader (runtime/): its size in source lines and object
 * code, and how long sysfence_apply takes in a fresh child. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "sysfence.h"

/* Lines of the .c and .h files in runtime/. */
static long runtime_lines(const struct bench_env *env, int *files)
{
	char dir[512], path[1024];
	snprintf(dir, sizeof(dir), "%s/runtime", env->source_root);
	DIR *d = opendir(dir);
	struct dirent *de;
	long lines = 0;
	*files = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 3 || (strcmp(de->d_name + n - 2, ".c") && strcmp(de->d_name + n - 2, ".h")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "r");
		int ch;
		if (!f)
			continue;
		while ((ch = getc(f)) != EOF)
			lines += ch == '\n';
		fclose(f);
		(*files)++;
	}
	closedir(d);
	return lines;
}

/* size(1)'s text column summed over the archive's members. */
static long text_size(const char *lib)
{
	char cmd[1024], line[512];
	long text = -1, t;
	snprintf(cmd, sizeof(cmd), "size -t '%s' 2>/dev/null", lib);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		if (strstr(line, "(TOTALS)") && sscanf(line, "%ld", &t) == 1)
			text = t;
	pclose(p);
	return text;
}

static int time_apply(void *arg, double *out)
{
	const struct bench_prog *prog = arg;
	uint64_t t0 = now_ns();
	int rc = sysfence_apply(prog->insns, prog->len, 0);
	out[0] = (double)(now_ns() - t0);
	return rc;
}

static void apply_row(struct bench_env *env, const char *what, const struct bench_policy *pol)
{
	enum { RUNS = 21 };
	struct bench_prog prog;
	double t[RUNS];
	size_t n = 0;
	if (sysfence_build(env, pol, NULL, &prog)) {
		table_row(2, fmt("sysfence_apply, %s", what), "n/a");
		bench_failed();
		return;
	}
	for (int i = 0; i < (env->quick ? 1 : RUNS); i++)
		if (in_child(time_apply, &prog, &t[n], 1) == 0)
			n++;
		else
			bench_failed();
	table_row(2, fmt("sysfence_apply, %s (%zu insns), median of %zu children", what,
			 prog.len, n),
		  n ? fmt("%.1f us", median(t, n) / 1000) : "n/a");
	free(prog.insns);
}

void bench_loader(struct bench_env *env)
{
	struct bench_policy pol;
	int files;
	long lines = runtime_lines(env, &files), text = text_size(env->runtime_lib);
	table_section("5. Loader (runtime/)");
	table_header(2, "measure", "value");
	if (lines < 0 || text < 0)
		bench_failed();
	table_row(2, fmt("source lines, runtime/ .c and .h (%d files)", files),
		  lines < 0 ? "n/a" : fmt("%ld", lines));
	table_row(2, "object code, libsysfence.a text (size -t)",
		  text < 0 ? "n/a" : fmt("%ld bytes", text));
	policy_conditional(&pol, &env->mix);
	policy_add(&pol, "exit_group");   /* for the child to end */
	apply_row(env, "mix + conditions", &pol);
	policy_free(&pol);
	if (policy_docker(&pol, env->docker_names, 360) == 0)
		apply_row(env, "Docker-size 360 syscalls, 3 arches", &pol);
	policy_free(&pol);
}
