/* A bounded differential fuzzer for comparisons of 64-bit arguments, the
 * shapes libseccomp 2.5.4 gets wrong (several ordered comparisons of one
 * argument, joined by || or spread over rules of one syscall).
 *
 * Each seeded policy is built here as a data structure (1 to 3 rules of
 * ==, !=, <, <=, >, >= on 64-bit arguments, joined by && and ||, with
 * constants near the 32-bit boundaries), evaluated by this file's own
 * evaluator (not sysfence's refeval), rendered as policy text and compiled
 * through compilation_run. Checks: it compiles, unless the analysis
 * refuses it for rules of different actions that overlap, which this
 * evaluator must then confirm (the truth of every comparison changes only
 * at its constant, so a grid of each constant and its neighbours decides
 * overlap exactly); the exact validator finds the filter equal to the
 * policy; bpf_run agrees with this evaluator on boundary vectors (every
 * constant +-1 +-2, and its neighbours in the high and the low word).
 *
 * usage: test_fuzz64 [COUNT [SEED]] */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "vtest.h"

#define F_MAX_NODES 16
#define F_MAX_RULES 3
#define F_MAX_CONSTS 64
#define F_MAX_VALUES 1024

enum f_op { F_EQ, F_NE, F_LT, F_LE, F_GT, F_GE, F_AND, F_OR };

struct f_node {
	enum f_op op;
	int arg;              /* comparisons: the register */
	uint64_t value;
	int lhs, rhs;         /* F_AND, F_OR: node indices */
};

/* The syscalls: 64-bit arguments on both arches, by register. */
struct f_call {
	const char *name;
	int nr[2];            /* x86_64, aarch64 */
	int nargs;
	int reg[2];
	const char *arg[2];
};

static const struct f_call f_calls[] = {
	{ "ftruncate", { 77, 46 }, 1, { 1, 0 }, { "length", NULL } },
	{ "pwrite64", { 18, 68 }, 2, { 2, 3 }, { "count", "pos" } },
};

struct f_rule {
	int call;
	uint32_t action;
	const char *action_text;
	struct f_node n[F_MAX_NODES];
	int nn, root;
};

struct f_policy {
	int arch;             /* 0: x86_64, 1: aarch64 */
	struct f_rule r[F_MAX_RULES];
	int nr;
};

struct f_stats {
	unsigned policies, compiled, conflicts, vectors;
};

static uint64_t f_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t f_const(uint64_t *s)
{
	static const uint64_t bases[] = { 0, 1, 1ull << 31, 1ull << 32, 1ull << 63, ~0ull,
					  0xffffffffull, 0x1ffffffffull };
	if (f_next(s) % 5 == 0)
		return f_next(s);
	uint64_t k = f_next(s) % 7;
	return bases[f_next(s) % 8] + k - 3;
}

static int f_cond(struct f_rule *r, uint64_t *s, int depth)
{
	int i = r->nn++;
	struct f_node *n = &r->n[i];
	if (depth >= 2 || f_next(s) % 10 < 4 || r->nn + 2 > F_MAX_NODES) {
		n->op = (enum f_op)(f_next(s) % 6);
		n->arg = (int)(f_next(s) % (unsigned)f_calls[r->call].nargs);
		n->value = f_const(s);
		return i;
	}
	n->op = f_next(s) % 3 ? F_OR : F_AND;
	int l = f_cond(r, s, depth + 1);
	int rr = f_cond(r, s, depth + 1);
	r->n[i].lhs = l;
	r->n[i].rhs = rr;
	return i;
}

static void f_make(struct f_policy *p, uint64_t *s)
{
	static const struct { uint32_t action; const char *text; } acts[] = {
		{ SECCOMP_RET_ERRNO | 1, "errno(EPERM)" },
		{ SECCOMP_RET_ERRNO | 13, "errno(EACCES)" },
		{ SECCOMP_RET_ALLOW, "allow" },
	};
	memset(p, 0, sizeof(*p));
	p->arch = (int)(f_next(s) % 2);
	p->nr = 1 + (int)(f_next(s) % F_MAX_RULES);
	for (int i = 0; i < p->nr; i++) {
		struct f_rule *r = &p->r[i];
		int a = (int)(f_next(s) % 3);
		r->call = (int)(f_next(s) % 2);
		r->action = acts[a].action;
		r->action_text = acts[a].text;
		r->root = f_cond(r, s, 0);
	}
}

/* This file's own semantics of one comparison tree. */
static int f_eval(const struct f_rule *r, int i, const uint64_t *args)
{
	const struct f_node *n = &r->n[i];
	uint64_t x = args[f_calls[r->call].reg[n->arg]];
	switch (n->op) {
	case F_EQ: return x == n->value;
	case F_NE: return x != n->value;
	case F_LT: return x < n->value;
	case F_LE: return x <= n->value;
	case F_GT: return x > n->value;
	case F_GE: return x >= n->value;
	case F_AND: return f_eval(r, n->lhs, args) && f_eval(r, n->rhs, args);
	case F_OR: return f_eval(r, n->lhs, args) || f_eval(r, n->rhs, args);
	}
	return 0;
}

/* The action for syscall CALL; *CLASH when rules of two actions match. */
static uint32_t f_policy_eval(const struct f_policy *p, int call, const uint64_t *args, int *clash)
{
	uint32_t got = SECCOMP_RET_ALLOW;
	int matched = 0;
	for (int i = 0; i < p->nr; i++) {
		if (p->r[i].call != call || !f_eval(&p->r[i], p->r[i].root, args))
			continue;
		if (matched && got != p->r[i].action)
			*clash = 1;
		got = p->r[i].action;
		matched = 1;
	}
	return got;
}

static const char *const f_op_text[] = { "==", "!=", "<", "<=", ">", ">=", "&&", "||" };

static void f_print_cond(FILE *f, const struct f_rule *r, int i)
{
	const struct f_node *n = &r->n[i];
	if (n->op == F_AND || n->op == F_OR) {
		fputc('(', f);
		f_print_cond(f, r, n->lhs);
		fprintf(f, " %s ", f_op_text[n->op]);
		f_print_cond(f, r, n->rhs);
		fputc(')', f);
		return;
	}
	fprintf(f, "%s %s 0x%llx", f_calls[r->call].arg[n->arg], f_op_text[n->op],
		(unsigned long long)n->value);
}

static void f_render(FILE *f, const struct f_policy *p)
{
	fprintf(f, "policy p {\n    default allow;\n    arch %s;\n", p->arch ? "aarch64" : "x86_64");
	for (int i = 0; i < p->nr; i++) {
		fprintf(f, "    %s %s if ", p->r[i].action_text, f_calls[p->r[i].call].name);
		f_print_cond(f, &p->r[i], p->r[i].root);
		fputs(";\n", f);
	}
	fputs("}\n", f);
}

/* The values worth trying for register REG of CALL: every constant
 * compared with it, +-1 +-2, with the other word cleared or moved by one. */
static size_t f_values(const struct f_policy *p, int call, int arg, uint64_t *v)
{
	size_t n = 0;
	v[n++] = 0;
	v[n++] = ~0ull;
	for (int i = 0; i < p->nr; i++)
		for (int k = 0; p->r[i].call == call && k < p->r[i].nn; k++) {
			const struct f_node *nd = &p->r[i].n[k];
			if (nd->op >= F_AND || nd->arg != arg || n + 11 > F_MAX_VALUES)
				continue;
			for (int d = -2; d <= 2; d++)
				v[n++] = nd->value + (uint64_t)(int64_t)d;
			v[n++] = nd->value & 0xffffffffull;
			v[n++] = nd->value & ~0xffffffffull;
			v[n++] = nd->value + (1ull << 32);
			v[n++] = nd->value - (1ull << 32);
			v[n++] = nd->value ^ 0xffffffffull;
			v[n++] = nd->value ^ 0xffffffff00000000ull;
		}
	return n;
}

/* Runs the grid of boundary vectors of CALL through the filter (when
 * C is not NULL) and this evaluator; returns 1 when rules of two
 * actions overlap somewhere on it. */
static int f_grid(const struct f_policy *p, int call, const struct compilation *c,
		  struct f_stats *st)
{
	static const uint32_t audit[] = { 0xc000003eu, 0xc00000b7u };
	uint64_t v0[F_MAX_VALUES], v1[F_MAX_VALUES];
	size_t n0 = f_values(p, call, 0, v0);
	size_t n1 = f_calls[call].nargs > 1 ? f_values(p, call, 1, v1) : 1;
	int clash = 0, shown = 0;
	if (f_calls[call].nargs == 1)
		v1[0] = 0;
	for (size_t i = 0; i < n0; i++)
		for (size_t j = 0; j < n1; j++) {
			uint64_t args[6] = { 3, 0, 0, 0, 0, 0 };
			args[f_calls[call].reg[0]] = v0[i];
			if (f_calls[call].nargs > 1)
				args[f_calls[call].reg[1]] = v1[j];
			uint32_t want = f_policy_eval(p, call, args, &clash), got = 0;
			if (!c)
				continue;
			struct seccomp_data d = { .nr = f_calls[call].nr[p->arch], .arch = audit[p->arch] };
			memcpy(d.args, args, sizeof(args));
			st->vectors++;
			int ok = bpf_run(c->filter.insns, c->filter.len, &d, &got, NULL) == 0 && got == want;
			if (!harness_count(ok) && shown++ < 3)
				FAIL("%s(0x%llx, 0x%llx): filter 0x%x, expected 0x%x", f_calls[call].name,
				     (unsigned long long)v0[i], (unsigned long long)v1[j], got, want);
		}
	return clash;
}

static int f_overlaps(const struct f_policy *p)
{
	int clash = 0;
	for (int call = 0; call < 2; call++)
		clash |= f_grid(p, call, NULL, NULL);
	return clash;
}

static void f_dump(const struct f_policy *p, FILE *diags)
{
	printf("# the policy:\n");
	f_render(stdout, p);
	rewind(diags);
	char line[512];
	while (fgets(line, sizeof(line), diags))
		printf("#   %s", line);
}

static void f_one(const struct f_policy *p, const char *path, struct f_stats *st)
{
	FILE *f = fopen(path, "w"), *diags = tmpfile();
	if (!CHECK(f && diags, "cannot write %s", path))
		return;
	f_render(f, p);
	fclose(f);
	struct compilation c;
	int clash = f_overlaps(p);
	int rc = compilation_run(&c, NULL, path, NULL, 0, diags);
	st->policies++;
	if (rc) {
		st->conflicts += clash;
		if (!CHECK(clash, "refused, but no rules of two actions overlap"))
			f_dump(p, diags);
	} else {
		struct validate_cex cex;
		char why[200] = "";
		st->compiled++;
		if (!CHECK(!clash, "compiled, but rules of two actions overlap"))
			f_dump(p, diags);
		int v = validate_filter(&c.pb, c.filter.insns, c.filter.len, &cex, why, sizeof(why));
		if (!CHECK(v == 0, "the validator says %d %s", v, why))
			f_dump(p, diags);
		for (int call = 0; call < 2; call++)
			f_grid(p, call, &c, st);
	}
	compilation_free(&c);
	fclose(diags);
}

int main(int argc, char **argv)
{
	unsigned count = argc > 1 ? (unsigned)atoi(argv[1]) : 300;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed64;
	char dir[] = "/tmp/sysfence-fuzz64-XXXXXX", path[64];
	struct f_stats st = { 0 };
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/p.policy", dir);
	uint64_t s = seed | 1;
	for (unsigned i = 0; i < count; i++) {
		struct f_policy p;
		f_make(&p, &s);
		harness_case_begin("policy %u (seed 0x%llx)", i, (unsigned long long)seed);
		f_one(&p, path, &st);
		harness_case_end();
	}
	unlink(path);
	rmdir(dir);
	printf("# %u policies: %u compiled, %u refused for overlapping rules (confirmed); "
	       "%u boundary vectors run\n", st.policies, st.compiled, st.conflicts, st.vectors);
	return harness_summary();
}
