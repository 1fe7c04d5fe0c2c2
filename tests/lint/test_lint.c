/* Tests of the lints below the command line (compiler/lint.c):
 *
 *  - every syscall of dangerous-grant's table exists, and `allow` of it
 *    warns on every arch where it exists, while notify, trace and errno
 *    do not;
 *  - the verdict on clone, unshare, ioctl and personality is exact: for
 *    random conditions, the lint warns exactly when some argument the
 *    condition accepts is dangerous. The oracle tries every value of a
 *    universe small enough to enumerate and rich enough to decide the
 *    condition (every bit or value the condition mentions, and one value
 *    it does not), and evaluates the condition with the reference
 *    evaluator (ncond_eval), not with the value sets the lint uses.
 *
 * Reports through the shared harness (tests/support/harness.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/lint.h"
#include "tables/tables.h"
#include "harness.h"

static char dir[] = "/tmp/sysfence-lint-XXXXXX";

/* What checking a source gave: the diagnostics, and the expanded rules of
 * the file's last ruleset or policy (alive until result_free). */
struct result {
	char *text;
	size_t len;
	struct arena *arena;
	struct policy_build pb;
	int built;
};

/* Runs SRC through the stages `sysfence check` runs, lints included. */
static void check_source(const char *src, unsigned arch_mask, struct result *res)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/t.policy", dir);
	FILE *f = fopen(path, "w");
	if (!f || fputs(src, f) < 0 || fclose(f)) {
		perror(path);
		exit(2);
	}
	memset(res, 0, sizeof(*res));
	FILE *out = open_memstream(&res->text, &res->len);
	struct diag d;
	diag_init(&d, out);
	static const struct unit_options none;
	struct unit u = { .arena = arena_new(), .diag = &d, .opts = &none };
	res->arena = u.arena;
	if (unit_load(&u, path) == 0) {
		unit_resolve(&u);
		for (size_t i = 0; !diag_failed(&d) && i < u.root->rulesets.n; i++) {
			struct ruleset *rs = u.root->rulesets.v[i];
			if (policy_expand(&u, rs, arch_mask, &res->pb))
				break;
			if (!rs->is_policy)
				res->pb.default_action = ~0u;
			res->built = 1;
			if (policy_analyse(&u, &res->pb) == 0)
				lint_policy(&u, &res->pb);
		}
		lint_root_file(&u);
	}
	diag_fini(&d);
	fclose(out);
}

static void result_free(struct result *res)
{
	free(res->text);
	arena_free(res->arena);
}

static int count(const char *text, const char *what)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/* ---- the table ---- */

static void expect_warnings(const char *src, unsigned mask, int want, const char *what)
{
	struct result res;
	check_source(src, mask, &res);
	int got = count(res.text, "[dangerous-grant]");
	CHECK(got == want && !count(res.text, "error:"),
	      "%s: %d dangerous-grant warnings, expected %d:\n%s%s", what, got, want, src, res.text);
	result_free(&res);
}

static void test_table(void *unused)
{
	(void)unused;
	for (size_t i = 0; lint_dangerous_syscall(i); i++) {
		const char *name = lint_dangerous_syscall(i);
		const struct syscall_desc *d = syscall_find(name);
		if (!d) {
			FAIL("'%s' of the dangerous-grant table is no syscall", name);
			continue;
		}
		for (int a = 0; a < ARCH_COUNT; a++) {
			if (d->nr[a] < 0)
				continue;
			static const char *const actions[] = { "allow", "log", "notify", "trace(1)", "errno(EPERM)" };
			for (size_t k = 0; k < sizeof(actions) / sizeof(actions[0]); k++) {
				char src[256], what[128];
				snprintf(src, sizeof(src), "policy p {\n    default kill_process;\n    %s %s;\n}\n",
					 actions[k], name);
				snprintf(what, sizeof(what), "'%s %s' on %s", actions[k], name, arch_table[a].name);
				expect_warnings(src, 1u << a, k < 2, what);
			}
		}
	}
}

/* ---- exact verdicts on random conditions ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* One argument and the values that decide conditions on it. */
struct space {
	const char *syscall, *arg;
	int reg;
	int bits;                 /* 1: VALS are flag bits (masks allowed); 0: plain values */
	uint64_t vals[12];
	size_t nvals;
	uint64_t outside;         /* a bit or value no condition mentions */
	int (*dangerous)(const struct space *s, uint64_t v);
	uint64_t danger[8];       /* the bits or values that make a call dangerous */
	size_t ndanger;
};

static int any_danger_bit(const struct space *s, uint64_t v)
{
	for (size_t i = 0; i < s->ndanger; i++)
		if (v & s->danger[i])
			return 1;
	return 0;
}

static int is_danger_value(const struct space *s, uint64_t v)
{
	for (size_t i = 0; i < s->ndanger; i++)
		if (v == s->danger[i])
			return 1;
	return 0;
}

static int not_safe_value(const struct space *s, uint64_t v)
{
	return !is_danger_value(s, v);   /* DANGER holds the safe values */
}

/* A value built from the space: a subset of its bits, or one of its values. */
static uint64_t pick(const struct space *s)
{
	if (!s->bits)
		return s->vals[rnd((unsigned)s->nvals)];
	uint64_t v = 0;
	for (size_t i = 0; i < s->nvals; i++)
		if (rnd(3) == 0)
			v |= s->vals[i];
	return v;
}

static size_t atom(char *buf, size_t len, const struct space *s)
{
	unsigned kind = rnd(s->bits ? 8 : 4);
	uint64_t a = pick(s), b = pick(s);
	uint64_t most = 0;   /* every bit but perhaps one: a mask that nearly excludes */
	for (size_t i = 0; s->bits && i < s->nvals; i++)
		most |= s->vals[i];
	if (s->bits && rnd(2))
		most &= ~s->vals[rnd((unsigned)s->nvals)];
	switch (kind) {
	case 0: return (size_t)snprintf(buf, len, "%s == 0x%llx", s->arg, (unsigned long long)a);
	case 1: return (size_t)snprintf(buf, len, "%s != 0x%llx", s->arg, (unsigned long long)a);
	case 2: return (size_t)snprintf(buf, len, "%s in {0x%llx, 0x%llx}", s->arg,
					(unsigned long long)a, (unsigned long long)b);
	case 3: return (size_t)snprintf(buf, len, "%s not in {0x%llx, 0x%llx}", s->arg,
					(unsigned long long)a, (unsigned long long)b);
	default:   /* masked, often with 0: the way flags are excluded */
		return (size_t)snprintf(buf, len, "(%s & 0x%llx) %s 0x%llx", s->arg,
					(unsigned long long)(kind < 6 ? a | b : most), kind % 2 ? "!=" : "==",
					(unsigned long long)(rnd(2) ? 0 : a));
	}
}

static size_t cond(char *buf, size_t len, const struct space *s, int depth)
{
	unsigned k = depth ? rnd(4) : 0;
	if (k == 0)
		return atom(buf, len, s);
	if (k == 1) {
		size_t n = (size_t)snprintf(buf, len, "!(");
		n += cond(buf + n, len - n, s, depth - 1);
		return n + (size_t)snprintf(buf + n, len - n, ")");
	}
	size_t n = (size_t)snprintf(buf, len, "(");
	n += cond(buf + n, len - n, s, depth - 1);
	n += (size_t)snprintf(buf + n, len - n, ") %s (", k == 2 ? "&&" : "||");
	n += cond(buf + n, len - n, s, depth - 1);
	return n + (size_t)snprintf(buf + n, len - n, ")");
}

/* Is there a value the condition accepts that is dangerous? Every subset
 * of the bits (with and without the outside bit), or every value and the
 * outside one. */
static int oracle(const struct space *s, const struct ncond *c)
{
	uint64_t args[6] = { 0 };
	size_t n = s->bits ? (size_t)1 << (s->nvals + 1) : s->nvals + 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t v = 0;
		if (s->bits) {
			for (size_t b = 0; b < s->nvals; b++)
				if (i & ((size_t)1 << b))
					v |= s->vals[b];
			if (i & ((size_t)1 << s->nvals))
				v |= s->outside;
		} else {
			v = i < s->nvals ? s->vals[i] : s->outside;
		}
		args[s->reg] = v;
		if (ncond_eval(c, args) && s->dangerous(s, v))
			return 1;
	}
	return 0;
}

static void test_space(const struct space *s, int rounds)
{
	int verdicts[2] = { 0, 0 };
	for (int r = 0; r < rounds; r++) {
		char c[2048], src[2300];
		cond(c, sizeof(c), s, 2);
		snprintf(src, sizeof(src), "ruleset r {\n    allow %s if %s;\n}\n", s->syscall, c);
		struct result res;
		check_source(src, 1u << ARCH_X86_64, &res);
		const struct rule *rule = res.built && res.pb.per_arch[ARCH_X86_64].rules.n
			? res.pb.per_arch[ARCH_X86_64].rules.v[0] : NULL;
		if (!rule || count(res.text, "error:")) {
			FAIL("%s: no rule built:\n%s%s", s->syscall, src, res.text);
		} else {
			int want = oracle(s, rule->cond);
			verdicts[want]++;
			int got = count(res.text, "[dangerous-grant]") > 0;
			CHECK(want == got, "%s: lint says %s, a brute-force search says %s:\n%s%s", s->syscall,
			      got ? "dangerous" : "safe", want ? "dangerous" : "safe", src, res.text);
		}
		result_free(&res);
	}
	/* Both verdicts must be common, or the test proves little. */
	harness_note("%s: %d dangerous, %d safe conditions", s->syscall, verdicts[1], verdicts[0]);
	CHECK(verdicts[0] >= rounds / 10 && verdicts[1] >= rounds / 10,
	      "%s: the random conditions are too one-sided", s->syscall);
}

static uint64_t constant(const char *name)
{
	const struct constant_desc *c = constant_find(name);
	if (!c) {
		FAIL("no constant %s", name);
		exit(harness_summary());
	}
	return (uint64_t)c->value[ARCH_X86_64];
}

static void test_exact(void *unused)
{
	(void)unused;
	static const char *const ns[] = {
		"CLONE_NEWUSER", "CLONE_NEWNS", "CLONE_NEWPID", "CLONE_NEWNET",
		"CLONE_NEWIPC", "CLONE_NEWUTS", "CLONE_NEWCGROUP",
	};
	struct space clone = { "clone", "flags", 0, 1, { 0 }, 0, 1ull << 40, any_danger_bit, { 0 }, 0 };
	for (size_t i = 0; i < 7; i++)
		clone.vals[clone.nvals++] = clone.danger[clone.ndanger++] = constant(ns[i]);
	clone.vals[clone.nvals++] = constant("CLONE_VM");
	clone.vals[clone.nvals++] = constant("CLONE_THREAD");
	clone.vals[clone.nvals++] = constant("CLONE_NEWTIME");   /* part of the exit signal for clone */
	test_space(&clone, 300);

	struct space unshare = clone;
	unshare.syscall = "unshare";
	unshare.danger[unshare.ndanger++] = constant("CLONE_NEWTIME");
	test_space(&unshare, 200);

	struct space ioctl = { "ioctl", "request", 1, 0, { 0 }, 0, 0x12345, is_danger_value, { 0 }, 0 };
	static const char *const reqs[] = { "TIOCSTI", "TIOCLINUX", "TCGETS", "TIOCGWINSZ", "FIONREAD" };
	for (size_t i = 0; i < 5; i++)
		ioctl.vals[ioctl.nvals++] = constant(reqs[i]);
	ioctl.danger[ioctl.ndanger++] = constant("TIOCSTI");
	ioctl.danger[ioctl.ndanger++] = constant("TIOCLINUX");
	test_space(&ioctl, 200);

	struct space pers = { "personality", "persona", 0, 0,
			      { 0, 8, 0x20000, 0x20008, 0xffffffff, 0x40000, 0x400000 }, 7,
			      0x1234567, not_safe_value, { 0, 8, 0x20000, 0x20008, 0xffffffff }, 5 };
	test_space(&pers, 200);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	harness_case("the dangerous-grant table", test_table, NULL);
	harness_case("exact verdicts on random conditions", test_exact, NULL);
	char path[64];
	snprintf(path, sizeof(path), "%s/t.policy", dir);
	unlink(path);
	rmdir(dir);
	return harness_summary();
}
