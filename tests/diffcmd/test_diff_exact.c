/* Property test of diff_compare on two sources: it claims to be exact, so
 * for random pairs of policies every argument vector on which the two
 * disagree (found by random sampling, evaluated with the reference
 * evaluator) must be covered by a reported change with the same actions
 * and deciding rules, and every reported witness must re-evaluate to what
 * the change says. The same holds with .bpf sides (each policy's compiled
 * filter, written out and read back): source vs .bpf, .bpf vs source and
 * .bpf vs .bpf, decided by the exact engine (diff_exact.c), evaluated
 * with the interpreter. Reports through tests/support/harness.h.
 * Usage: test_diff_exact [PAIRS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/diff.h"
#include "tables/tables.h"
#include "harness.h"

static const char *const syscalls[] = { "write", "fcntl", "socket", "kill" };
#define NSYS 4
static const char *const argnames[NSYS][2] = {
	{ "fd", "count" }, { "fd", "cmd" }, { "domain", "type" }, { "pid", "sig" },
};
static const uint64_t pool[] = { 0, 1, 2, 3, 7, 0x10, 0x20, 0xf0, 0xff, 0x7fffffff, 0xffffffff,
				 0x100000000ull, 0xffffffffffffffffull };
#define NPOOL (sizeof(pool) / sizeof(pool[0]))
static const char *const actions[] = { "allow", "log", "errno(EACCES)", "kill_process", "trap" };

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A value of the pool that fits ARG: only write's count is 64 bits. */
static uint64_t pool_value(const char *arg)
{
	return pool[rnd() % (strcmp(arg, "count") == 0 ? NPOOL : NPOOL - 2)];
}

static void random_cmp(FILE *f, int sys)
{
	const char *arg = argnames[sys][rnd() % 2];
	uint64_t v = pool_value(arg);
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	switch (rnd() % 4) {
	case 0:
		fprintf(f, "(%s & 0x%llx) == 0x%llx", arg, (unsigned long long)(pool_value(arg) | 0xf0),
			(unsigned long long)(v & 0xf0));
		break;
	case 1:
		fprintf(f, "%s in {0x%llx, 0x%llx}", arg, (unsigned long long)v,
			(unsigned long long)pool_value(arg));
		break;
	default:
		fprintf(f, "%s %s 0x%llx", arg, ops[rnd() % 6], (unsigned long long)v);
	}
}

static void random_cond(FILE *f, int sys, int depth)
{
	int k = depth > 1 ? 0 : (int)(rnd() % 4);
	if (k == 0 || k == 1) {
		random_cmp(f, sys);
		return;
	}
	fprintf(f, "(");
	random_cond(f, sys, depth + 1);
	fprintf(f, k == 2 ? " && " : " || ");
	random_cond(f, sys, depth + 1);
	fprintf(f, ")");
}

/* One action per syscall (so rules cannot conflict), one to three rules. */
static void random_policy(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fprintf(f, "policy p {\n    arch x86_64;\n    default %s;\n", rnd() % 2 ? "errno(EPERM)" : "kill_process");
	for (int sys = 0; sys < NSYS; sys++) {
		if (rnd() % 4 == 0)
			continue;
		const char *act = actions[rnd() % 5];
		if (rnd() % 5 == 0) {
			fprintf(f, "    %s %s;\n", act, syscalls[sys]);
			continue;
		}
		for (int n = 1 + (int)(rnd() % 3); n > 0; n--) {
			fprintf(f, "    %s %s if ", act, syscalls[sys]);
			random_cond(f, sys, 0);
			fprintf(f, ";\n");
		}
	}
	fprintf(f, "}\n");
	fclose(f);
}

static uint64_t random_value(void)
{
	uint64_t v = pool[rnd() % NPOOL];
	switch (rnd() % 5) {
	case 0: return v + 1;
	case 1: return v - 1;
	case 2: return v ^ (1ull << (rnd() % 64));
	case 3: return rnd() % 2 ? rnd() : (rnd() & 0xff);
	}
	return v;
}

static int covered(const struct diff_result *r, int arch, uint32_t nr, uint32_t o, uint32_t n,
		   const struct rule *ro, const struct rule *rn)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_change *c = &r->v[i];
		if (c->arch == arch && c->nr == nr && c->old_action == o && c->new_action == n &&
		    c->old_rule == ro && c->new_rule == rn)
			return 1;
	}
	return 0;
}

/* Checks one pair (the checks go to the current case). */
static void check_pair(const struct diff_side *old, const struct diff_side *new)
{
	struct diff_result r;
	diff_compare(old, new, 0, &r);
	CHECK(!r.nsampled, "small policies were only sampled");
	for (size_t i = 0; i < r.n; i++) {
		const struct diff_change *c = &r.v[i];
		const struct rule *ro, *rn;
		uint32_t o = diff_side_eval(old, c->arch, c->nr, c->args, &ro);
		uint32_t n = diff_side_eval(new, c->arch, c->nr, c->args, &rn);
		CHECK(o == c->old_action && n == c->new_action && ro == c->old_rule && rn == c->new_rule,
		      "witness %zu does not show its change", i);
	}
	for (int sys = 0; sys < NSYS; sys++) {
		uint32_t nr = (uint32_t)syscall_find(syscalls[sys])->nr[ARCH_X86_64];
		for (int k = 0; k < 3000; k++) {
			uint64_t args[6] = { 0 };
			for (int a = 0; a < 3; a++)
				args[a] = rnd() % 4 ? random_value() : 0;
			const struct rule *ro, *rn;
			uint32_t o = diff_side_eval(old, ARCH_X86_64, nr, args, &ro);
			uint32_t n = diff_side_eval(new, ARCH_X86_64, nr, args, &rn);
			if (o == n || covered(&r, ARCH_X86_64, nr, o, n, ro, rn))
				continue;
			FAIL("%s(0x%llx, 0x%llx, 0x%llx): %#x vs %#x not reported", syscalls[sys],
			     (unsigned long long)args[0], (unsigned long long)args[1],
			     (unsigned long long)args[2], o, n);
			break;
		}
	}
	diff_result_free(&r);
}

/* Writes the filter SRC was compiled to into PATH and opens it as a side. */
static int open_bpf(struct diff_side *out, const struct diff_side *src, const struct diff_request *req,
		    const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = fwrite(src->c.filter.insns, sizeof(*src->c.filter.insns), src->c.filter.len, f);
	if (fclose(f) || n != src->c.filter.len)
		return -1;
	return diff_side_open(out, req, path);
}

/* The pair again with .bpf sides, in every mix. */
static void check_bpf_mixes(const struct diff_side *old, const struct diff_side *new,
			    const struct diff_request *req, const char *dir)
{
	char pa[80], pb[80];
	struct diff_side ob, nb;
	snprintf(pa, sizeof(pa), "%s/a.bpf", dir);
	snprintf(pb, sizeof(pb), "%s/b.bpf", dir);
	memset(&ob, 0, sizeof(ob));
	memset(&nb, 0, sizeof(nb));
	if (CHECK(open_bpf(&ob, old, req, pa) == 0 && open_bpf(&nb, new, req, pb) == 0,
		  "cannot write or read back the filters")) {
		check_pair(old, &nb);
		check_pair(&ob, new);
		check_pair(&ob, &nb);
	}
	diff_side_close(&ob);
	diff_side_close(&nb);
	unlink(pa);
	unlink(pb);
}

int main(int argc, char **argv)
{
	int pairs = argc > 1 ? atoi(argv[1]) : 60;
	char dir[] = "/tmp/sysfence-diff-XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	char a[64], b[64];
	snprintf(a, sizeof(a), "%s/a.policy", dir);
	snprintf(b, sizeof(b), "%s/b.policy", dir);
	FILE *null = fopen("/dev/null", "w");
	int compared = 0, changes = 0, kept = 0;
	for (int i = 0; i < pairs; i++) {
		random_policy(a);
		random_policy(b);
		struct diff_request req = { .old_file = a, .new_file = b };
		struct diff_side old, new;
		memset(&old, 0, sizeof(old));
		memset(&new, 0, sizeof(new));
		/* Random rules may conflict with each other; such pairs are
		 * skipped (the diagnostics go nowhere). */
		FILE *saved = stderr;
		stderr = getenv("SHOW") ? saved : null;
		int ok = diff_side_open(&old, &req, a) == 0 && diff_side_open(&new, &req, b) == 0;
		stderr = saved;
		if (ok) {
			harness_case_begin("pair %d", i + 1);
			check_pair(&old, &new);
			check_bpf_mixes(&old, &new, &req, dir);
			if (harness_case_end()) {
				harness_note("the failing pair is kept in %s", dir);
				kept = 1;
				break;
			}
			struct diff_result r;
			diff_compare(&old, &new, 0, &r);
			changes += r.n > 0;
			diff_result_free(&r);
			compared++;
		}
		diff_side_close(&old);
		diff_side_close(&new);
	}
	fclose(null);
	harness_note("%d pairs compared (%d with changes)", compared, changes);
	if (!kept) {
		unlink(a);
		unlink(b);
		rmdir(dir);
	}
	/* The property must have been exercised, not skipped. */
	CHECK(compared >= pairs / 2, "only %d of %d pairs compared", compared, pairs);
	CHECK(changes >= compared / 2, "only %d of %d pairs had changes", changes, compared);
	return harness_summary();
}
