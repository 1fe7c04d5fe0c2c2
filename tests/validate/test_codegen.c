/* sysfence's own code generator (compiler/backend/codegen.c), checked
 * directly: for every policy of the directories given, the program it
 * generates from the analysed policy must pass bpf_check and be equal to
 * the policy under the exact validator, whatever the backend would have
 * chosen. Policies the analysis refuses are skipped. Prints the sizes
 * next to the filter the backend builds, for comparison.
 *
 * usage: test_codegen DIR... */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "backend/codegen.h"
#include "harness.h"
#include "vtest.h"

struct job {
	const char *path;
	const char *policy;   /* NULL: the file's only policy */
};

static void check_one(void *arg)
{
	const struct job *j = arg;
	struct compilation c;
	struct diag quiet;
	FILE *null = fopen("/dev/null", "w");
	struct pipeline_opts o = { .policy = j->policy, .stop = PIPELINE_ANALYSE };
	diag_init(&quiet, null ? null : stderr);
	if (pipeline_run(&c, &quiet, &o, j->path)) {
		printf("# %s: refused by the analysis, skipped\n", j->path);
		goto out;
	}
	struct sock_filter *insns;
	size_t len;
	char why[200] = "";
	if (!CHECK(codegen_build(c.arena, &c.pb, NULL, &insns, &len) == 0, "%s: no program",
		   j->path))
		goto out;
	if (!CHECK(bpf_check(insns, len, why, sizeof(why)) == 0, "%s: %s", j->path, why))
		goto out;
	struct validate_cex cex;
	int rc = validate_filter(&c.pb, insns, len, &cex, why, sizeof(why));
	if (!CHECK(rc == 0, "%s: the validator says %d %s", j->path, rc, rc < 0 ? why : ""))
		vt_print_cex(stdout, "#   witness: ", &cex);
	printf("# %s%s%s: %zu instructions\n", j->path, j->policy ? ":" : "",
	       j->policy ? j->policy : "", len);
out:
	compilation_free(&c);
	diag_fini(&quiet);
	if (null)
		fclose(null);
}

static void run_dir(const char *dir)
{
	char **paths, *names[VT_MAX_POLICIES];
	size_t n = vt_list(dir, &paths);
	for (size_t i = 0; i < n; i++) {
		size_t np = vt_policy_names(paths[i], names);
		for (size_t k = 0; k < (np < 2 ? 1 : np); k++) {
			struct job j = { paths[i], np < 2 ? NULL : names[k] };
			char name[600];
			snprintf(name, sizeof(name), "%s%s%s", paths[i], j.policy ? ":" : "",
				 j.policy ? j.policy : "");
			harness_case(name, check_one, &j);
		}
		for (size_t k = 0; k < np; k++)
			free(names[k]);
	}
	vt_free_list(paths, n);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		run_dir(argv[i]);
	return harness_summary();
}
