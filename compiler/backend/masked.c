/* The masked-equality form of an arch's lowered rules: every ordered or
 * != comparison written as masked equalities (its exact value set,
 * analysis/cond.c's prefix decomposition). A second chance for programs
 * where libseccomp 2.5.4 gets its own ordered comparisons wrong (e.g.
 * `len < 0x1000 || len > 0x100000000` on a 64-bit argument), and the
 * form tried first once a build did not finish (see child.c). */
#include <string.h>

#include "backend/scmp_build.h"

/* The exact value set of comparison C, WIDTH bits wide, in the arena. */
static struct argset cmp_set(struct unit *u, const struct lcmp *c, unsigned width)
{
	static const enum relop rel[] = {
		[LC_NE] = OP_NE, [LC_LT] = OP_LT, [LC_LE] = OP_LE,
		[LC_GT] = OP_GT, [LC_GE] = OP_GE,
	};
	if (c->op == LC_EQ || c->op == LC_MASKED_EQ) {
		struct term t = c->op == LC_EQ ? (struct term){ width_mask(width), c->a }
					       : (struct term){ c->a, c->b };
		struct argset s = { &t, 1 };
		return argset_intersect(u->arena, s, s);   /* a copy in the arena */
	}
	struct atom at = { .arg = c->arg, .width = width, .mask = width_mask(width),
			   .op = rel[c->op], .value = c->a };
	return argset_of_atom(u->arena, &at);
}

/* CH as masked-equality chains in the arena: *N of them, or NULL when
 * they would be more than LOWER_CHAIN_LIMIT. */
static struct lchain *masked_chain(struct unit *u, const struct lchain *ch, unsigned width,
				   size_t *n)
{
	/* Start from the chain with no comparisons, then multiply by each
	 * comparison's alternatives. */
	struct lchain *cur = arena_alloc(u->arena, sizeof(*cur));
	size_t ncur = 1;
	cur[0].n = 0;
	for (int j = 0; j < ch->n; j++) {
		const struct lcmp *c = &ch->c[j];
		struct argset s = cmp_set(u, c, width);
		if (ncur * s.n > LOWER_CHAIN_LIMIT)
			return NULL;
		struct lchain *next = arena_alloc(u->arena, (ncur * s.n + 1) * sizeof(*next));
		size_t nn = 0;
		for (size_t p = 0; p < ncur; p++)
			for (size_t t = 0; t < s.n; t++) {
				next[nn] = cur[p];
				if (s.t[t].mask)
					next[nn].c[next[nn].n++] = (struct lcmp){
						c->arg, LC_MASKED_EQ, s.t[t].mask, s.t[t].value };
				nn++;
			}
		cur = next;
		ncur = nn;
	}
	*n = ncur;
	return cur;
}

/* LR's chains in masked form into OUT, built in ROOM (LOWER_CHAIN_LIMIT
 * chains) and kept at their exact size. Returns 0, or -1 when too many. */
static int masked_rule(struct unit *u, const struct lrule *lr, unsigned width,
		       struct lchain *room, struct lrule *out)
{
	*out = *lr;
	out->nchains = 0;
	for (size_t k = 0; k < lr->nchains; k++) {
		size_t ncur;
		struct lchain *cur = masked_chain(u, &lr->chains[k], width, &ncur);
		if (!cur || out->nchains + ncur > LOWER_CHAIN_LIMIT)
			return -1;
		memcpy(room + out->nchains, cur, ncur * sizeof(*cur));
		out->nchains += ncur;
	}
	out->chains = arena_alloc(u->arena, (out->nchains + 1) * sizeof(*out->chains));
	memcpy(out->chains, room, out->nchains * sizeof(*room));
	return 0;
}

struct arch_lowering *masked_form(struct unit *u, const struct arch_lowering *low)
{
	unsigned width = scmp_cmp_bits(low->arch);
	struct arch_lowering *out = arena_alloc(u->arena, sizeof(*out));
	*out = *low;
	out->rules = arena_alloc(u->arena, (low->n + 1) * sizeof(*out->rules));
	struct lchain *room = arena_alloc(u->arena, LOWER_CHAIN_LIMIT * sizeof(*room));
	for (size_t i = 0; i < low->n; i++)
		if (masked_rule(u, &low->rules[i], width, room, &out->rules[i]))
			return NULL;
	return out;
}
