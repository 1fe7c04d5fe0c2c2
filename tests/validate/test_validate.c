/* The exact validator on real filters.
 *
 *  - every policy of the directories given after --equal compiles (those
 *    that do not are skipped) to a filter the validator finds equal to the
 *    policy, and equal to itself as a program; with a tiny node budget
 *    the validator gives up cleanly instead; built from libseccomp's own
 *    program (no layout pass) it is equal to the laid-out one, and gets
 *    the same verdict; a file with several policies is checked for each;
 *  - every policy of the directory given after --wrong is one libseccomp
 *    2.5.4 miscompiles: the validator must find a mismatch, with a witness
 *    bpf_run and policy_eval confirm. Should the compiler ever emit a
 *    right filter for one, the known witness below must then agree, or
 *    the validator missed it.
 *
 * usage: test_validate [--equal DIR]... [--wrong DIR] */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "vtest.h"

enum { R_EQUAL, R_MISMATCH, R_UNDECIDED, R_NO_COMPILE, R_BAD_WITNESS, R_MISSED };

static const char *const rname[] = {
	"equal", "MISMATCH", "UNDECIDED", "skipped (does not compile)",
	"BAD WITNESS", "MISSED (known witness shows a mismatch)",
};

/* The known wrong filters and an input each gets wrong (x86_64). */
static const struct known {
	const char *file;
	uint32_t nr;
	uint64_t args[6];
} known[] = {
	{ "ftruncate-or.policy", 77, { 3, 0x80000000u } },
	{ "write-two-ranges.policy", 1, { 1, 0, 3 } },
	{ "ftruncate-le-or-le.policy", 77, { 3, 0x200000005u } },
	{ "ftruncate-ge-or-lt.policy", 77, { 3, 0x80000000u } },
};

struct job {
	const char *path;
	const char *policy;          /* NULL: the file's only policy */
	int wrong;
};

static const struct known *known_for(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].file, base))
			return &known[i];
	return NULL;
}

/* For a filter the validator calls right: does the known witness agree? */
static int known_agrees(const struct compilation *c, const struct known *k)
{
	struct seccomp_data d = { .nr = (int)k->nr, .arch = arch_table[ARCH_X86_64].audit_arch };
	uint32_t got = 0;
	memcpy(d.args, k->args, sizeof(d.args));
	if (bpf_run(c->filter.insns, c->filter.len, &d, &got, NULL))
		return 0;
	return got == policy_eval(&c->pb, d.arch, k->nr, k->args);
}

static int self_equal(const struct compilation *c)
{
	struct validate_cex cex;
	char why[200];
	int rc = validate_programs(c->filter.insns, c->filter.len, c->filter.insns, c->filter.len,
				   &cex, why, sizeof(why));
	if (rc)
		printf("    the filter is not equal to itself (%d): %s\n", rc, rc < 0 ? why : "");
	return rc == 0;
}

/* With a tiny node budget the validator must give up cleanly: -1 and a
 * reason naming the budget, never a verdict it could not reach. */
static int gives_up_cleanly(const struct compilation *c)
{
	struct validate_opts o = { .node_budget = 300 };
	struct validate_cex cex;
	char why[200] = "";
	int rc = validate_filter_opts(&c->pb, c->filter.insns, c->filter.len, &o, &cex, why,
				      sizeof(why));
	if (rc == -1 && strstr(why, "budget"))
		return 1;
	printf("    with a budget of 300 nodes: %d (%s)\n", rc, why);
	return rc == 0 && c->filter.len < 8;
}

/* The same policy built from libseccomp's own program (no layout pass):
 * the layout pass must not change the meaning, so the two programs are
 * equal, and for a right policy this one is right too. */
static int raw_layout_agrees(const struct job *j, const struct compilation *laid, int laid_rc)
{
	struct unit_options opts = { .libseccomp_layout = 1 };
	struct compilation c;
	struct validate_cex cex;
	char why[200] = "";
	int ok = 1;
	if (compilation_run(&c, &opts, j->path, j->policy, 0, stderr)) {
		compilation_free(&c);
		return 1;
	}
	int same = validate_programs(laid->filter.insns, laid->filter.len, c.filter.insns,
				     c.filter.len, &cex, why, sizeof(why));
	int rc = validate_filter(&c.pb, c.filter.insns, c.filter.len, &cex, why, sizeof(why));
	if (same != 0) {
		printf("    the layout pass changed the filter (%d)%s\n", same, same < 0 ? why : "");
		if (same == 1)
			vt_print_cex(stdout, "    laid out vs libseccomp's: ", &cex);
		ok = 0;
	}
	if (rc != laid_rc) {
		printf("    libseccomp's own program: %d, laid out: %d\n", rc, laid_rc);
		ok = 0;
	}
	compilation_free(&c);
	return ok;
}

static int run_one(void *arg)
{
	const struct job *j = arg;
	struct compilation c;
	struct validate_cex cex;
	char why[200] = "";
	if (compilation_run(&c, NULL, j->path, j->policy, 0, stderr)) {
		compilation_free(&c);
		return R_NO_COMPILE;
	}
	double t0 = vt_now_ms();
	int rc = validate_filter(&c.pb, c.filter.insns, c.filter.len, &cex, why, sizeof(why));
	double t1 = vt_now_ms();
	int res = rc == 0 ? R_EQUAL : rc == 1 ? R_MISMATCH : R_UNDECIDED;
	printf("%s%s%s: %zu instructions, validated in %.1f ms\n", j->path, j->policy ? ":" : "",
	       j->policy ? j->policy : "", c.filter.len, t1 - t0);
	if (rc == 1) {
		vt_print_cex(stdout, "    witness: ", &cex);
		if (!vt_recheck(&c.pb, c.filter.insns, c.filter.len, &cex))
			res = R_BAD_WITNESS;
	} else if (rc < 0) {
		printf("    %s\n", why);
	} else if (j->wrong && known_for(j->path) && !known_agrees(&c, known_for(j->path))) {
		res = R_MISSED;
	}
	if (res == R_EQUAL && (!self_equal(&c) || !gives_up_cleanly(&c)))
		res = R_UNDECIDED;
	if ((res == R_EQUAL || res == R_MISMATCH) && !raw_layout_agrees(j, &c, rc))
		res = R_UNDECIDED;
	compilation_free(&c);
	return res;
}

/* Returns 1 when the result is what the directory expects. */
static int judge(const struct job *j, int res)
{
	if (res == R_NO_COMPILE)
		return !j->wrong;
	if (j->wrong)
		return res == R_MISMATCH || (res == R_EQUAL && known_for(j->path));
	return res == R_EQUAL;
}

static int run_job(const struct job *j)
{
	int res = vt_isolated(run_one, (void *)j, 60);
	const char *what = res >= 0 && res <= R_MISSED ? rname[res] : "CRASHED or timed out";
	int ok = res >= 0 && judge(j, res);
	printf("%s%s%s: %s%s\n", j->path, j->policy ? ":" : "", j->policy ? j->policy : "", what,
	       ok ? "" : "  <-- FAIL");
	return !ok;
}

static int run_dir(const char *dir, int wrong)
{
	char **paths, *names[VT_MAX_POLICIES];
	size_t n = vt_list(dir, &paths);
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		size_t np = vt_policy_names(paths[i], names);
		if (np < 2) {
			struct job j = { paths[i], NULL, wrong };
			failed += run_job(&j);
		}
		for (size_t k = 0; np >= 2 && k < np; k++) {
			struct job j = { paths[i], names[k], wrong };
			failed += run_job(&j);
		}
		for (size_t k = 0; k < np; k++)
			free(names[k]);
	}
	vt_free_list(paths, n);
	return failed;
}

int main(int argc, char **argv)
{
	int failed = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--equal"))
			failed += run_dir(argv[i + 1], 0);
		else if (!strcmp(argv[i], "--wrong"))
			failed += run_dir(argv[i + 1], 1);
		else {
			fprintf(stderr, "usage: %s [--equal DIR]... [--wrong DIR]\n", argv[0]);
			return 2;
		}
	}
	printf("%d failures\n", failed);
	return failed ? 1 : 0;
}
