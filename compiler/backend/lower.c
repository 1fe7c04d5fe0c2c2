/* Lowering conditions to libseccomp-shaped comparison chains.
 *
 * libseccomp compares whole 64-bit arguments with ==, !=, <, <=, >, >= and
 * masked ==, and accepts one comparison per argument in a rule. An atom is
 * passed through when one of those says exactly the same thing; everything
 * else (two constraints on one argument, masked !=, ordered comparisons of
 * 32-bit arguments, sets) is lowered from its exact value set, a union of
 * "x & mask == value" terms, one chain per term.
 *
 * Arguments narrower than a register (an int on a 64-bit arch, a 12-bit
 * mode anywhere): the kernel ignores the bits above the argument's
 * effective width, so the filter must too. libseccomp's plain comparisons
 * look at the whole register, so these atoms only ever use masked == with
 * a mask inside the low WIDTH bits (native_cmp's `full` is false for them,
 * and term_cmp writes every term masked), which the bits above always
 * pass.
 *
 * x32: libseccomp treats it as a 32-bit arch and compares only the low
 * halves, while the kernel hands x32 syscalls full 64-bit registers. A
 * 64-bit argument can therefore only be filtered by libseccomp there when
 * its condition does not look at the upper half. Such a rule, and one that
 * needs more chains than LOWER_CHAIN_LIMIT, is left out and noted in the
 * lowering (enum lower_limit): the backend's own code generator compiles
 * those policies, and lower_report refuses them where libseccomp must. */
#include <stdlib.h>
#include <string.h>

#include "backend/lower.h"

struct alts {
	struct lcmp c[LOWER_CHAIN_LIMIT];
	int none[LOWER_CHAIN_LIMIT];   /* alternative without a comparison */
	size_t n;
};

unsigned scmp_cmp_bits(int arch)
{
	return arch == ARCH_X86_64 || arch == ARCH_AARCH64 ? 64 : 32;
}

/* Can libseccomp compare ATOM directly, with the same meaning? */
static int native_cmp(const struct atom *at, unsigned word_bits, struct lcmp *out)
{
	static const enum lcmp_op ops[] = {
		[OP_EQ] = LC_EQ, [OP_NE] = LC_NE, [OP_LT] = LC_LT,
		[OP_LE] = LC_LE, [OP_GT] = LC_GT, [OP_GE] = LC_GE,
	};
	uint64_t W = width_mask(at->width);
	int full = at->width == word_bits;   /* the compare sees exactly the argument */
	out->arg = at->arg;
	if (at->op == OP_IN || at->op == OP_NOT_IN || at->width > word_bits)
		return 0;
	if (at->masked && (at->mask & W) != W) {
		if (at->op != OP_EQ)
			return 0;
		out->op = LC_MASKED_EQ;
		out->a = at->mask & W;
		out->b = at->value & W;
		return (out->b & ~out->a) == 0;
	}
	if (full) {
		out->op = ops[at->op];
		out->a = at->value & W;
		return 1;
	}
	if (at->op == OP_EQ) {
		out->op = LC_MASKED_EQ;
		out->a = W;
		out->b = at->value & W;
		return 1;
	}
	return 0;
}

static void term_cmp(struct term t, int arg, unsigned width, unsigned word_bits, struct lcmp *out)
{
	out->arg = arg;
	if (t.mask == width_mask(width) && width == word_bits) {
		out->op = LC_EQ;
		out->a = t.value;
	} else {
		out->op = LC_MASKED_EQ;
		out->a = t.mask;
		out->b = t.value;
	}
}

/* The alternatives for one argument of one conjunction. Returns -1 when
 * there are too many. */
static int arg_alts(struct arena *a, const struct conj *c, int arg, unsigned word_bits,
		    struct alts *out)
{
	const struct atom *only = NULL;
	size_t count = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->atoms[i].arg == arg) {
			only = &c->atoms[i];
			count++;
		}
	out->n = 0;
	if (count == 0) {
		out->none[out->n++] = 1;
		return 0;
	}
	if (count == 1 && native_cmp(only, word_bits, &out->c[0])) {
		out->none[0] = 0;
		out->n = 1;
		return 0;
	}
	struct argset s = argset_of_conj(a, c, arg);
	if (s.n > LOWER_CHAIN_LIMIT)
		return -1;
	for (size_t i = 0; i < s.n; i++)
		if (s.t[i].mask & ~width_mask(word_bits))
			return -2;   /* needs bits libseccomp does not compare */
	for (size_t i = 0; i < s.n; i++) {
		out->none[i] = s.t[i].mask == 0;
		term_cmp(s.t[i], arg, only->width, word_bits, &out->c[i]);
	}
	out->n = s.n;
	return 0;
}

/* Appends the product of ALTS[0..5] to CHAINS. */
static int product(struct alts *alts, struct lchain *chains, size_t *n, size_t limit)
{
	size_t total = 1;
	for (int arg = 0; arg < 6; arg++) {
		if (alts[arg].n == 0)
			return 0;    /* unsatisfiable */
		total *= alts[arg].n;
		if (total > limit)
			return -1;
	}
	if (*n + total > limit)
		return -1;
	for (size_t k = 0; k < total; k++) {
		struct lchain *ch = &chains[(*n)++];
		ch->n = 0;
		size_t rest = k;
		for (int arg = 0; arg < 6; arg++) {
			size_t pick = rest % alts[arg].n;
			rest /= alts[arg].n;
			if (!alts[arg].none[pick])
				ch->c[ch->n++] = alts[arg].c[pick];
		}
	}
	return 0;
}

/* Room for the largest rule, shared by all rules: each rule keeps an
 * exact-size copy of its chains, so memory grows with the chains a policy
 * has, not with the limit times its rules. */
struct scratch {
	struct lchain chains[LOWER_CHAIN_LIMIT];
	struct alts alts[6];
};

/* Notes that R cannot be lowered for libseccomp (the first such rule). */
static int unlowered(struct arch_lowering *low, const struct rule *r, enum lower_limit why, int arg)
{
	if (low->unlowered == LOWER_OK) {
		low->unlowered = why;
		low->unlowered_rule = r;
		low->unlowered_arg = arg;
	}
	return 1;
}

/* Returns 0 with OUT set, or 1 when R cannot be lowered (noted in LOW). */
static int lower_rule(struct unit *u, const struct rule *r, struct arch_lowering *low,
		      struct scratch *sc, struct lrule *out)
{
	unsigned word = scmp_cmp_bits(low->arch);
	struct lchain *chains = sc->chains;
	struct alts *alts = sc->alts;
	size_t n = 0;
	out->rule = r;
	for (size_t i = 0; i < r->dnf.n; i++) {
		int rc = 0, arg;
		for (arg = 0; arg < 6 && !rc; arg++)
			rc = arg_alts(u->arena, &r->dnf.c[i], arg, word, &alts[arg]);
		if (rc == -2)
			return unlowered(low, r, LOWER_UPPER_HALF, arg - 1);
		if (rc || product(alts, chains, &n, LOWER_CHAIN_LIMIT))
			return unlowered(low, r, LOWER_TOO_MANY, 0);
	}
	out->chains = arena_alloc(u->arena, (n + 1) * sizeof(*chains));
	memcpy(out->chains, chains, n * sizeof(*chains));
	out->nchains = n;
	return 0;
}

int lower_incomplete(const struct policy_build *pb, const struct arch_lowering low[ARCH_COUNT])
{
	for (int a = 0; a < ARCH_COUNT; a++)
		if ((pb->arch_mask & (1u << a)) && low[a].unlowered != LOWER_OK)
			return 1;
	return 0;
}

int lower_report(struct unit *u, const struct policy_build *pb,
		 const struct arch_lowering low[ARCH_COUNT])
{
	int failed = 0;
	for (int a = 0; a < ARCH_COUNT; a++) {
		const struct rule *r = low[a].unlowered_rule;
		if (!(pb->arch_mask & (1u << a)) || low[a].unlowered == LOWER_OK)
			continue;
		failed = -1;
		if (low[a].unlowered == LOWER_UPPER_HALF)
			diag_error(u->diag, r->stmt->cond->loc,
				   "on %s libseccomp compares only the low 32 bits of arguments, but '%s' of '%s' "
				   "is 64 bits wide there and this condition depends on its upper half",
				   arch_table[a].name, rule_arg_name(r, a, low[a].unlowered_arg),
				   r->sys->name ? r->sys->name : "this syscall");
		else
			diag_error(u->diag, r->stmt->cond->loc,
				   "condition needs more than %d libseccomp rules for '%s' on %s; "
				   "the filter would not fit the kernel's limit of 4096 instructions",
				   LOWER_CHAIN_LIMIT, r->sys->name ? r->sys->name : "this syscall",
				   arch_table[a].name);
	}
	return failed;
}

static int by_nr_action_same(const struct lrule *a, const struct lrule *b)
{
	return a->rule->nr != b->rule->nr || a->rule->action != b->rule->action;
}

static int by_nr_action(const void *x, const void *y)
{
	const struct lrule *a = x, *b = y;
	if (a->rule->nr != b->rule->nr)
		return a->rule->nr < b->rule->nr ? -1 : 1;
	if (a->rule->action != b->rule->action)
		return a->rule->action < b->rule->action ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Rules G[0..N) (one syscall, one action) comparing only argument ARG:
 * their value sets joined, in as few comparisons as argset_simplify finds.
 * Returns 0 with G[0] holding the joined chains, or -1 to keep them. */
static int join_group(struct unit *u, int arch, struct lrule *g, size_t n, int arg,
		      unsigned width)
{
	unsigned word = scmp_cmp_bits(arch);
	size_t before = 0, total = 0;
	for (size_t i = 0; i < n; i++) {
		before += g[i].nchains;
		for (size_t k = 0; k < g[i].rule->dnf.n; k++)
			total += argset_of_conj(u->arena, &g[i].rule->dnf.c[k], arg).n;
	}
	struct argset all = { arena_alloc(u->arena, (total + 1) * sizeof(struct term)), 0 };
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < g[i].rule->dnf.n; k++) {
			struct argset s = argset_of_conj(u->arena, &g[i].rule->dnf.c[k], arg);
			memcpy(all.t + all.n, s.t, s.n * sizeof(*s.t));
			all.n += s.n;
		}
	struct argset joined = argset_simplify(u->arena, all);
	if (joined.n >= before || joined.n > LOWER_CHAIN_LIMIT)
		return -1;
	for (size_t i = 0; i < joined.n; i++)
		if (joined.t[i].mask & ~width_mask(word))
			return -1;   /* bits libseccomp does not compare */
	struct lchain *chains = arena_alloc(u->arena, (joined.n + 1) * sizeof(*chains));
	for (size_t i = 0; i < joined.n; i++) {
		chains[i].n = joined.t[i].mask != 0;
		term_cmp(joined.t[i], arg, width, word, &chains[i].c[0]);
	}
	g[0].chains = chains;
	g[0].nchains = joined.n;
	return 0;
}

/* The rules of one syscall with one action are alternatives. When each
 * compares the same one argument, as in a list of allowed values written
 * one rule at a time, their value sets are joined: libseccomp gets a few
 * masked comparisons instead of a rule per value (and libseccomp's own
 * time grows faster than linearly with its rules). The joined rule keeps
 * the first rule as its source. */
static void join_alternatives(struct unit *u, struct arch_lowering *low)
{
	qsort(low->rules, low->n, sizeof(*low->rules), by_nr_action);
	size_t out = 0;
	for (size_t i = 0, j; i < low->n; i = j) {
		unsigned width = 0, w = 0;
		int arg = dnf_sole_arg(&low->rules[i].rule->dnf, &width);
		for (j = i + 1; j < low->n && !by_nr_action_same(&low->rules[i], &low->rules[j]); j++)
			if (arg >= 0 && (dnf_sole_arg(&low->rules[j].rule->dnf, &w) != arg || w != width))
				arg = -1;
		if (j - i > 1 && arg >= 0 && join_group(u, low->arch, &low->rules[i], j - i, arg, width) == 0) {
			low->rules[out++] = low->rules[i];
			continue;
		}
		for (size_t k = i; k < j; k++)
			low->rules[out++] = low->rules[k];
	}
	low->n = out;
}

int policy_lower(struct unit *u, const struct policy_build *pb,
		 struct arch_lowering out[ARCH_COUNT])
{
	struct scratch *scratch = arena_alloc(u->arena, sizeof(*scratch));
	memset(out, 0, ARCH_COUNT * sizeof(*out));
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(pb->arch_mask & (1u << a)))
			continue;
		const struct ptrvec *rules = &pb->per_arch[a].rules;
		out[a].arch = a;
		out[a].rules = arena_alloc(u->arena, (rules->n + 1) * sizeof(struct lrule));
		for (size_t i = 0; i < rules->n; i++) {
			const struct rule *r = rules->v[i];
			if (r->dropped)
				continue;
			if (!lower_rule(u, r, &out[a], scratch, &out[a].rules[out[a].n]))
				out[a].n++;
		}
		join_alternatives(u, &out[a]);
	}
	return 0;
}
