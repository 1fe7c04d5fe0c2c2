#include "analysis/cond.h"
#include "base/mem.h"

#include <stdlib.h>
#include <string.h>

/* ---- term sets ---- */

struct tbuf {
	struct arena *a;
	struct term *t;
	size_t n, cap;
};

static void tb_push(struct tbuf *b, uint64_t mask, uint64_t value)
{
	b->t = arena_grow(b->a, b->t, b->n, &b->cap, sizeof(*b->t));
	b->t[b->n++] = (struct term){ mask, value & mask };
}

/* The order tb_done looks terms up in: by mask, value, then position. */
struct tref {
	struct term t;
	size_t at;
};

static int by_tref(const void *x, const void *y)
{
	const struct tref *p = x, *q = y;
	if (p->t.mask != q->t.mask)
		return p->t.mask < q->t.mask ? -1 : 1;
	if (p->t.value != q->t.value)
		return p->t.value < q->t.value ? -1 : 1;
	return p->at < q->at ? -1 : p->at > q->at;
}

/* Is there a term with mask M and value V in R[0..N), sorted by value? */
static int group_has(const struct tref *r, size_t n, uint64_t v)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].t.value < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && r[lo].t.value == v;
}

/* Marks in DROP (by position) every term another one contains: a term
 * with a narrower mask that agrees on it, or an equal term before it.
 * R is sorted by by_tref, so the terms of one mask are a run and a wider
 * term is found by binary search in each run whose mask is a subset of
 * its own: O(n log n) per distinct mask, where comparing every pair was
 * quadratic (100000 values in a set took minutes). */
static void mark_contained(const struct tref *r, size_t n, unsigned char *drop)
{
	/* where each run of one mask starts, and (last) where the last ends */
	size_t *run = mem_calloc(n + 1, sizeof(*run)), runs = 0;
	for (size_t i = 0; i < n; i++)
		if (!i || r[i].t.mask != r[i - 1].t.mask)
			run[runs++] = i;
	run[runs] = n;
	for (size_t i = 0; i < n; i++) {
		const struct term x = r[i].t;
		if (i && r[i - 1].t.mask == x.mask && r[i - 1].t.value == x.value) {
			drop[r[i].at] = 1;
			continue;
		}
		for (size_t g = 0; g < runs && !drop[r[i].at]; g++) {
			uint64_t m = r[run[g]].t.mask;
			if (m != x.mask && !(m & ~x.mask) &&
			    group_has(r + run[g], run[g + 1] - run[g], x.value & m))
				drop[r[i].at] = 1;
		}
	}
	free(run);
}

/* Drops terms contained in another: keeps sets small for the products.
 * The terms kept stay in their order. */
static struct argset tb_done(struct tbuf *b)
{
	if (b->n < 2)
		return (struct argset){ b->t, b->n };
	struct tref *r = mem_calloc(b->n, sizeof(*r));
	unsigned char *drop = mem_calloc(b->n, 1);
	for (size_t i = 0; i < b->n; i++)
		r[i] = (struct tref){ b->t[i], i };
	qsort(r, b->n, sizeof(*r), by_tref);
	mark_contained(r, b->n, drop);
	size_t n = 0;
	for (size_t i = 0; i < b->n; i++)
		if (!drop[i])
			b->t[n++] = b->t[i];
	free(drop);
	free(r);
	return (struct argset){ b->t, n };
}

/* x & M < V (or <= V): walk from the top bit keeping "y equals V so far",
 * and emit a term wherever y can drop below V. */
static void less_terms(struct tbuf *b, uint64_t M, uint64_t V, int inclusive)
{
	uint64_t fixed = 0;
	for (int i = 63; i >= 0; i--) {
		uint64_t bit = 1ull << i;
		if (M & bit) {
			if (V & bit)
				tb_push(b, fixed | bit, V & fixed);
			fixed |= bit;
		} else if (V & bit) {
			/* y has a 0 where V has a 1: every y with this prefix is less */
			tb_push(b, fixed, V & fixed);
			return;
		}
	}
	if (inclusive)
		tb_push(b, M, V);
}

static void greater_terms(struct tbuf *b, uint64_t M, uint64_t V, int inclusive)
{
	uint64_t fixed = 0;
	for (int i = 63; i >= 0; i--) {
		uint64_t bit = 1ull << i;
		if (M & bit) {
			if (!(V & bit))
				tb_push(b, fixed | bit, (V & fixed) | bit);
			fixed |= bit;
		} else if (V & bit) {
			return;   /* y is below V from here on */
		}
	}
	if (inclusive)
		tb_push(b, M, V);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

struct argset argset_intersect(struct arena *a, struct argset x, struct argset y)
{
	struct tbuf b = { .a = a };
	for (size_t i = 0; i < x.n; i++)
		for (size_t j = 0; j < y.n; j++) {
			struct term p = x.t[i], q = y.t[j];
			if ((p.value ^ q.value) & p.mask & q.mask)
				continue;
			tb_push(&b, p.mask | q.mask, p.value | q.value);
		}
	return tb_done(&b);
}

static int by_mask_value(const void *x, const void *y)
{
	const struct term *p = x, *q = y;
	if (p->mask != q->mask)
		return p->mask < q->mask ? -1 : 1;
	return p->value < q->value ? -1 : p->value > q->value;
}

/* Does term P hold every value term Q holds? */
static int term_covers(struct term p, struct term q)
{
	return (p.mask & ~q.mask) == 0 && (q.value & p.mask) == p.value;
}

struct argset argset_simplify(struct arena *a, struct argset s)
{
	struct term *t = arena_alloc(a, (s.n + 1) * sizeof(*t));
	struct term *o = arena_alloc(a, (s.n + 1) * sizeof(*o));
	unsigned char *used = arena_alloc(a, s.n + 1);
	memcpy(t, s.t, s.n * sizeof(*t));
	size_t n = s.n;
	for (int changed = 1; changed;) {
		changed = 0;
		qsort(t, n, sizeof(*t), by_mask_value);
		memset(used, 0, n);
		size_t out = 0;
		for (size_t i = 0; i < n; i++) {
			if (used[i] || (i && !by_mask_value(&t[i], &t[i - 1])))
				continue;   /* paired already, or a duplicate */
			o[out] = t[i];
			/* x&m==v and x&m==v^b together are x&(m&~b)==v&~b */
			for (uint64_t bits = t[i].mask; bits; bits &= bits - 1) {
				uint64_t b = bits & -bits;
				struct term want = { t[i].mask, t[i].value ^ b };
				struct term *j = bsearch(&want, t + i + 1, n - i - 1, sizeof(*t), by_mask_value);
				if (j && !used[j - t]) {
					used[j - t] = 1;
					o[out] = (struct term){ t[i].mask & ~b, t[i].value & ~b };
					changed = 1;
					break;
				}
			}
			out++;
		}
		struct term *swap = t;
		t = o;
		o = swap;
		n = out;
	}
	/* Drop terms another one covers (cheap once the set is small). */
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		int covered = 0;
		for (size_t j = 0; j < n && n <= 4096 && !covered; j++)
			covered = j != i && term_covers(t[j], t[i]) &&
				  (!term_covers(t[i], t[j]) || j < i);
		if (!covered)
			t[out++] = t[i];
	}
	return (struct argset){ t, out };
}

static struct argset all_values(struct arena *a)
{
	struct tbuf b = { .a = a };
	tb_push(&b, 0, 0);
	return tb_done(&b);
}

struct argset argset_of_atom(struct arena *a, const struct atom *at)
{
	uint64_t W = width_mask(at->width);
	uint64_t M = at->mask & W, V = at->value & W;
	struct tbuf b = { .a = a };
	switch (at->op) {
	case OP_EQ:
		if (!(V & ~M))
			tb_push(&b, M, V);
		break;
	case OP_NE:
		if (V & ~M) {
			tb_push(&b, 0, 0);
			break;
		}
		for (int i = 0; i < 64; i++)
			if (M & (1ull << i))
				tb_push(&b, 1ull << i, ~V & (1ull << i));
		break;
	case OP_LT: less_terms(&b, M, V, 0); break;
	case OP_LE: less_terms(&b, M, V, 1); break;
	case OP_GT: greater_terms(&b, M, V, 0); break;
	case OP_GE: greater_terms(&b, M, V, 1); break;
	case OP_IN:
		for (size_t i = 0; i < at->nset; i++) {
			uint64_t s = at->set[i] & W;
			if (!(s & ~M))
				tb_push(&b, M, s);
		}
		break;
	case OP_NOT_IN: {
		/* The gaps between the excluded values, each a range. */
		uint64_t *s = arena_alloc(a, (at->nset + 1) * sizeof(*s));
		size_t n = 0;
		for (size_t i = 0; i < at->nset; i++)
			if (!((at->set[i] & W) & ~M))
				s[n++] = at->set[i] & W;
		qsort(s, n, sizeof(*s), cmp_u64);
		if (n == 0)
			return all_values(a);
		less_terms(&b, M, s[0], 0);
		for (size_t i = 0; i + 1 < n; i++) {
			if (s[i] == s[i + 1])
				continue;
			struct tbuf lo = { .a = a }, hi = { .a = a };
			greater_terms(&lo, M, s[i], 0);
			less_terms(&hi, M, s[i + 1], 0);
			struct argset gap = argset_intersect(a, (struct argset){ lo.t, lo.n },
							     (struct argset){ hi.t, hi.n });
			for (size_t k = 0; k < gap.n; k++)
				tb_push(&b, gap.t[k].mask, gap.t[k].value);
		}
		greater_terms(&b, M, s[n - 1], 0);
		break;
	}
	}
	return tb_done(&b);
}

struct argset argset_of_conj(struct arena *a, const struct conj *c, int arg)
{
	struct argset s = all_values(a);
	for (size_t i = 0; i < c->n && s.n; i++)
		if (c->atoms[i].arg == arg)
			s = argset_intersect(a, s, argset_of_atom(a, &c->atoms[i]));
	return s;
}

int argset_is_all(struct argset s)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.t[i].mask == 0)
			return 1;
	return 0;
}

int argset_contains(struct argset s, uint64_t value)
{
	for (size_t i = 0; i < s.n; i++)
		if ((value & s.t[i].mask) == s.t[i].value)
			return 1;
	return 0;
}

int argset_witness(struct argset x, struct argset y, uint64_t *value)
{
	for (size_t i = 0; i < x.n; i++)
		for (size_t j = 0; j < y.n; j++) {
			struct term p = x.t[i], q = y.t[j];
			if ((p.value ^ q.value) & p.mask & q.mask)
				continue;
			*value = p.value | q.value;
			return 1;
		}
	return 0;
}

/* ---- evaluation ---- */

int atom_eval(const struct atom *at, const uint64_t args[6])
{
	uint64_t W = width_mask(at->width);
	uint64_t y = args[at->arg] & at->mask & W, v = at->value & W;
	switch (at->op) {
	case OP_EQ: return y == v;
	case OP_NE: return y != v;
	case OP_LT: return y < v;
	case OP_LE: return y <= v;
	case OP_GT: return y > v;
	case OP_GE: return y >= v;
	case OP_IN:
	case OP_NOT_IN:
		for (size_t i = 0; i < at->nset; i++)
			if (y == (at->set[i] & W))
				return at->op == OP_IN;
		return at->op == OP_NOT_IN;
	}
	return 0;
}

int ncond_eval(const struct ncond *c, const uint64_t args[6])
{
	if (!c)
		return 1;
	switch (c->kind) {
	case N_TRUE: return 1;
	case N_FALSE: return 0;
	case N_AND: return ncond_eval(c->lhs, args) && ncond_eval(c->rhs, args);
	case N_OR: return ncond_eval(c->lhs, args) || ncond_eval(c->rhs, args);
	case N_NOT: return !ncond_eval(c->lhs, args);
	case N_ATOM: return atom_eval(&c->atom, args);
	}
	return 0;
}

/* ---- DNF ---- */

static enum relop negate(enum relop op)
{
	static const enum relop neg[] = {
		[OP_EQ] = OP_NE, [OP_NE] = OP_EQ, [OP_LT] = OP_GE, [OP_LE] = OP_GT,
		[OP_GT] = OP_LE, [OP_GE] = OP_LT, [OP_IN] = OP_NOT_IN, [OP_NOT_IN] = OP_IN,
	};
	return neg[op];
}

static struct dnf dnf_true(struct arena *a)
{
	struct dnf d = { arena_alloc(a, sizeof(struct conj)), 1 };
	return d;
}

static int dnf_rec(struct arena *a, const struct ncond *c, int neg, size_t limit, struct dnf *out);

static int dnf_concat(struct arena *a, struct dnf x, struct dnf y, size_t limit, struct dnf *out)
{
	if (x.n + y.n > limit)
		return -1;
	out->n = x.n + y.n;
	out->c = arena_alloc(a, (out->n + 1) * sizeof(struct conj));
	if (x.n)
		memcpy(out->c, x.c, x.n * sizeof(struct conj));
	if (y.n)
		memcpy(out->c + x.n, y.c, y.n * sizeof(struct conj));
	return 0;
}

static int dnf_product(struct arena *a, struct dnf x, struct dnf y, size_t limit, struct dnf *out)
{
	if (x.n && y.n && x.n * y.n > limit)
		return -1;
	out->n = x.n * y.n;
	out->c = arena_alloc(a, (out->n + 1) * sizeof(struct conj));
	size_t k = 0;
	for (size_t i = 0; i < x.n; i++)
		for (size_t j = 0; j < y.n; j++) {
			struct conj *r = &out->c[k++];
			r->n = x.c[i].n + y.c[j].n;
			r->atoms = arena_alloc(a, (r->n + 1) * sizeof(struct atom));
			if (x.c[i].n)
				memcpy(r->atoms, x.c[i].atoms, x.c[i].n * sizeof(struct atom));
			if (y.c[j].n)
				memcpy(r->atoms + x.c[i].n, y.c[j].atoms, y.c[j].n * sizeof(struct atom));
		}
	return 0;
}

static int dnf_rec(struct arena *a, const struct ncond *c, int neg, size_t limit, struct dnf *out)
{
	struct dnf x, y;
	switch (c->kind) {
	case N_TRUE:
	case N_FALSE:
		if ((c->kind == N_TRUE) != neg)
			*out = dnf_true(a);
		else
			*out = (struct dnf){ NULL, 0 };
		return 0;
	case N_NOT:
		return dnf_rec(a, c->lhs, !neg, limit, out);
	case N_ATOM:
		*out = dnf_true(a);
		out->c[0].n = 1;
		out->c[0].atoms = arena_alloc(a, sizeof(struct atom));
		out->c[0].atoms[0] = c->atom;
		if (neg)
			out->c[0].atoms[0].op = negate(c->atom.op);
		return 0;
	case N_AND:
	case N_OR:
		if (dnf_rec(a, c->lhs, neg, limit, &x) || dnf_rec(a, c->rhs, neg, limit, &y))
			return -1;
		/* De Morgan: under negation AND becomes OR and vice versa */
		if ((c->kind == N_OR) != neg)
			return dnf_concat(a, x, y, limit, out);
		return dnf_product(a, x, y, limit, out);
	}
	return -1;
}

int dnf_build(struct arena *a, const struct ncond *c, size_t limit, struct dnf *out)
{
	if (!c) {
		*out = dnf_true(a);
		return 0;
	}
	return dnf_rec(a, c, 0, limit, out);
}

int dnf_sole_arg(const struct dnf *d, unsigned *width)
{
	int arg = -1;
	for (size_t i = 0; i < d->n; i++) {
		if (d->c[i].n == 0)
			return -1;   /* a conjunction that always holds */
		for (size_t k = 0; k < d->c[i].n; k++) {
			const struct atom *at = &d->c[i].atoms[k];
			if (arg >= 0 && (at->arg != arg || at->width != *width))
				return -1;
			arg = at->arg;
			*width = at->width;
		}
	}
	return arg;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

uint64_t ncond_hash(const struct ncond *c)
{
	if (!c)
		return 1;
	uint64_t h = mix(0, (uint64_t)c->kind);
	switch (c->kind) {
	case N_NOT:
		return mix(h, ncond_hash(c->lhs));
	case N_AND:
	case N_OR:
		return mix(mix(h, ncond_hash(c->lhs)), ncond_hash(c->rhs));
	case N_ATOM: {
		const struct atom *a = &c->atom;
		h = mix(mix(mix(h, (uint64_t)a->arg), a->width), a->mask);
		h = mix(mix(mix(h, (uint64_t)a->op), a->value), a->nset);
		for (size_t i = 0; i < a->nset; i++)
			h = mix(h, a->set[i]);
		return h;
	}
	default:
		return h;
	}
}

int ncond_equal(const struct ncond *x, const struct ncond *y)
{
	if (!x || !y)
		return x == y;
	if (x->kind != y->kind)
		return 0;
	switch (x->kind) {
	case N_TRUE:
	case N_FALSE:
		return 1;
	case N_NOT:
		return ncond_equal(x->lhs, y->lhs);
	case N_AND:
	case N_OR:
		return ncond_equal(x->lhs, y->lhs) && ncond_equal(x->rhs, y->rhs);
	case N_ATOM: {
		const struct atom *p = &x->atom, *q = &y->atom;
		if (p->arg != q->arg || p->width != q->width || p->mask != q->mask ||
		    p->op != q->op || p->value != q->value || p->nset != q->nset)
			return 0;
		for (size_t i = 0; i < p->nset; i++)
			if (p->set[i] != q->set[i])
				return 0;
		return 1;
	}
	}
	return 0;
}
