/* How fast sysfence's own code generator's argument tests run (issue
 * "Fast argument code"): for policies of known shapes, the program
 * codegen_build writes must be equal to the policy under the exact
 * validator and stay within a bound on the instructions the interpreter
 * executes in its argument tests. Executed-instruction counts are
 * deterministic, so these are checks of behaviour, not timings.
 *
 * The argument tests' cost of an input is bpf_run's step count minus the
 * steps the same program takes to reach the syscall's code: measured on
 * the policy with the condition left out (one unconditional rule), whose
 * dispatch codegen writes the same way, less its one RET. Every input
 * runs: a few values of each argument around each number of the policy.
 *
 * usage: test_codegen_bounds */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "backend/codegen.h"
#include "harness.h"
#include "vtest.h"

#define NR_FCNTL 72
#define NR_WRITE 1
#define MAX_VALUES 300

struct shape {
	const char *name;
	const char *syscall;
	int nr;
	const char *cond;           /* the condition, in the policy's words */
	size_t max_len;             /* 0: no bound on the program's length */
	size_t max_arg_steps;       /* the bound on the argument tests */
};

/* A program of codegen for "default errno(EPERM); allow SYSCALL if COND;"
 * (COND NULL: unconditional), its policy in *C. Returns 0, or -1 (failed
 * checks recorded). */
static int build(const char *syscall, const char *cond, struct compilation *c,
		 struct sock_filter **insns, size_t *len)
{
	char path[] = "/tmp/sysfence-cgbounds-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!CHECK(f, "cannot write %s", path))
		return -1;
	fprintf(f, "policy p { default errno(EPERM); allow %s%s%s; }\n", syscall, cond ? " if " : "",
		cond ? cond : "");
	fclose(f);
	struct diag d;
	diag_init(&d, stderr);
	struct pipeline_opts o = { .stop = PIPELINE_ANALYSE };
	int rc = pipeline_run(c, &d, &o, path);
	unlink(path);
	diag_fini(&d);
	if (!CHECK(rc == 0, "the analysis refused %s", cond ? cond : syscall))
		return -1;
	if (!CHECK(codegen_build(c->arena, &c->pb, NULL, insns, len) == 0, "no program"))
		return -1;
	char why[200] = "";
	if (!CHECK(bpf_check(*insns, *len, why, sizeof(why)) == 0, "%s", why))
		return -1;
	struct validate_cex cex;
	rc = validate_filter(&c->pb, *insns, *len, &cex, why, sizeof(why));
	if (!CHECK(rc == 0, "the validator says %d %s", rc, rc < 0 ? why : "")) {
		vt_print_cex(stdout, "#   witness: ", &cex);
		return -1;
	}
	return 0;
}

static size_t steps_of(const struct sock_filter *insns, size_t len, int nr, const uint64_t a[6])
{
	struct seccomp_data d = { .nr = nr, .arch = 0xc000003eu };
	for (int i = 0; i < 6; i++)
		d.args[i] = a[i];
	uint32_t ret;
	size_t steps = 0;
	if (!harness_count(bpf_run_valid(insns, len, &d, &ret, &steps) == 0))
		return (size_t)-1;
	return steps;
}

/* The numbers written in COND (decimal or 0x), into V. */
static size_t numbers_of(const char *cond, uint64_t *v, size_t max)
{
	size_t n = 0;
	for (const char *p = cond; *p && n < max;) {
		if ((*p >= '0' && *p <= '9') && (p == cond || !strchr("_abcdefghijklmnopqrstuvwxyz", p[-1]))) {
			char *end;
			v[n++] = strtoull(p, &end, 0);
			p = end;
		} else {
			p++;
		}
	}
	return n;
}

/* The most argument-test steps over inputs: each argument in turn at
 * each number of the condition and its neighbours (the others at 0 or
 * at the first number), and the extremes. */
static size_t worst_arg_steps(const struct sock_filter *insns, size_t len, int nr, const char *cond,
			      size_t dispatch)
{
	static uint64_t v[MAX_VALUES * 3 + 4];
	size_t nv = numbers_of(cond, v, MAX_VALUES), worst = 0;
	for (size_t i = 0, n = nv; i < n; i++) {
		v[nv++] = v[i] + 1;
		v[nv++] = v[i] - 1;
	}
	v[nv++] = 0;
	v[nv++] = ~0ull;
	v[nv++] = 0xffffffffull;
	for (int arg = 0; arg < 3; arg++)
		for (size_t i = 0; i < nv; i++)
			for (int rest = 0; rest < 2; rest++) {
				uint64_t a[6] = { 0 };
				for (int k = 0; k < 6; k++)
					a[k] = rest ? v[0] : 0;
				a[arg] = v[i];
				size_t s = steps_of(insns, len, nr, a);
				if (s != (size_t)-1 && s - dispatch > worst)
					worst = s - dispatch;
			}
	return worst;
}

static void check_shape(void *arg)
{
	const struct shape *sh = arg;
	struct compilation c, u;
	struct sock_filter *insns, *uinsns;
	size_t len, ulen;
	if (build(sh->syscall, sh->cond, &c, &insns, &len) == 0 &&
	    build(sh->syscall, NULL, &u, &uinsns, &ulen) == 0) {
		uint64_t zero[6] = { 0 };
		size_t dispatch = steps_of(uinsns, ulen, sh->nr, zero) - 1;
		size_t worst = worst_arg_steps(insns, len, sh->nr, sh->cond, dispatch);
		printf("# %s: %zu instructions, argument tests at most %zu executed (dispatch %zu)\n",
		       sh->name, len, worst, dispatch);
		CHECK(!sh->max_len || len <= sh->max_len, "%s: %zu instructions, more than %zu", sh->name,
		      len, sh->max_len);
		CHECK(worst <= sh->max_arg_steps, "%s: %zu argument-test steps, more than %zu", sh->name,
		      worst, sh->max_arg_steps);
		compilation_free(&u);
	}
	compilation_free(&c);
}

/* 250 values of a pseudo-random walk, strictly increasing, scattered
 * (gaps of 2 to 401, so no two are consecutive), as "fd in {...}". */
static char *scattered_in(const char *argname, uint64_t base)
{
	size_t cap = 250 * 24 + 64, n = 0;
	char *s = malloc(cap);
	uint64_t x = base, r = 12345;
	n += (size_t)snprintf(s + n, cap - n, "%s in {", argname);
	for (int i = 0; i < 250; i++) {
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		x += 2 + (r >> 33) % 400;
		n += (size_t)snprintf(s + n, cap - n, "%s%llu", i ? ", " : "", (unsigned long long)x);
	}
	snprintf(s + n, cap - n, "}");
	return s;
}

int main(void)
{
	char *in32 = scattered_in("fd", 0);
	char *in64 = scattered_in("offset", 0xfffff000ull);
	const struct shape shapes[] = {
		/* Complements of small sets: "arg not in S -> next", one jeq each. */
		{ "fcntl negations", "fcntl", NR_FCNTL, "fd != 1 && cmd != 2 && arg != 3", 20, 9 },
		{ "write in 250 values", "write", NR_WRITE, in32, 0, 12 },
		/* pwrite64's offset is 64 bits wide: searched on the high word, then the low. */
		{ "pwrite64 in 250 wide values", "pwrite64", 18, in64, 0, 16 },
		{ "write not in 3 values", "write", NR_WRITE, "fd not in {1, 5, 9}", 0, 5 },
		/* fd == 1 tested once for both; count's two values one search. */
		{ "write shared test", "write", NR_WRITE, "(fd == 1 && count == 2) || (fd == 1 && count == 3)",
		  0, 8 },
		{ "write ranges", "write", NR_WRITE,
		  "(fd >= 10 && fd <= 20) || (fd >= 30 && fd <= 40) || fd == 99", 0, 5 },
	};
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		harness_case(shapes[i].name, check_shape, (void *)&shapes[i]);
	free(in32);
	free(in64);
	return harness_summary();
}
