/* Unit tests for the condition algebra (compiler/cond.h).
 *
 * atom_eval() is the reference semantics; everything else is checked
 * against it:
 *  - argset_of_atom() for every operator, exhaustively (every mask, value
 *    and argument) on small widths, and on 32 and 64 bits by boundary
 *    values plus random sampling;
 *  - the terms of an argset are well formed (no value bit outside the mask,
 *    nothing above the width);
 *  - argset_intersect()/argset_of_conj() are the intersection,
 *    argset_witness() gives a value in both sets exactly when there is one;
 *  - dnf_build() of random trees of NOT/AND/OR (and TRUE/FALSE) means the
 *    same as the tree on random arguments, and respects its limit. */
#define _GNU_SOURCE
#include "analysis/cond.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Check's ck_assert*() record every passing assertion through a pipe to
 * the parent, which costs a system call each; the hot loops below make
 * millions of checks, so they only call into Check when one fails. */
#define REQUIRE(cond, ...)                          \
	do {                                        \
		if (!(cond))                        \
			ck_abort_msg(__VA_ARGS__);  \
	} while (0)

static const enum relop rel_ops[] = { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* A scratch arena, renewed every few uses: one arena per trial
 * would spend the time in malloc, one per test would grow without bound. */
static struct arena *scratch;
static struct arena *fresh_arena(void)
{
	static unsigned uses;
	if (!scratch || ++uses % 16 == 0) {
		arena_free(scratch);
		scratch = arena_new();
	}
	return scratch;
}

static void free_scratch(void)
{
	arena_free(scratch);
	scratch = NULL;
}

static struct atom mk_atom(int arg, unsigned width, enum relop op, uint64_t mask, int masked,
			   uint64_t value)
{
	struct atom a;
	memset(&a, 0, sizeof(a));
	a.arg = arg;
	a.width = width;
	a.op = op;
	a.masked = masked;
	a.mask = masked ? mask : width_mask(width);
	a.value = value;
	return a;
}

static int eval1(const struct atom *a, uint64_t x)
{
	uint64_t args[6] = { 0 };
	args[a->arg] = x;
	return atom_eval(a, args);
}

static void check_terms(struct argset s, unsigned width, const char *what)
{
	for (size_t i = 0; i < s.n; i++) {
		REQUIRE((s.t[i].value & ~s.t[i].mask) == 0,
			      "%s: term %zu has value %#llx outside mask %#llx", what, i,
			      (unsigned long long)s.t[i].value, (unsigned long long)s.t[i].mask);
		REQUIRE((s.t[i].mask & ~width_mask(width)) == 0,
			      "%s: term %zu mask %#llx has bits above width %u", what, i,
			      (unsigned long long)s.t[i].mask, width);
	}
}

static const char *opname(enum relop op)
{
	static const char *const n[] = { "==", "!=", "<", "<=", ">", ">=", "in", "not in" };
	return n[op];
}

/* The argset of A must agree with atom_eval on X, also with garbage
 * above the width. */
static void agree(struct argset s, const struct atom *a, uint64_t x)
{
	uint64_t xs[2] = { x, x | ~width_mask(a->width) };
	for (int k = 0; k < (a->width < 64 ? 2 : 1); k++) {
		int want = eval1(a, xs[k]);
		int got = argset_contains(s, xs[k]);
		REQUIRE(got == want,
			      "width %u: (x & %#llx) %s %#llx at x = %#llx: argset says %d, atom_eval %d",
			      a->width, (unsigned long long)a->mask, opname(a->op),
			      (unsigned long long)a->value, (unsigned long long)xs[k], got, want);
	}
}

/* ---- exhaustive on small widths ---- */

START_TEST(test_relops_exhaustive_small_widths)
{
	for (unsigned w = 1; w <= 6; w++) {
		uint64_t n = 1ull << w;
		for (size_t o = 0; o < N(rel_ops); o++)
			for (uint64_t m = 0; m <= n; m++)   /* m == n: unmasked */
				for (uint64_t v = 0; v < n; v++) {
					struct arena *ar = fresh_arena();
					struct atom a = mk_atom(0, w, rel_ops[o], m, m < n, v);
					struct argset s = argset_of_atom(ar, &a);
					check_terms(s, w, "relop");
					for (uint64_t x = 0; x < n; x++)
						agree(s, &a, x);
				}
	}
}
END_TEST

START_TEST(test_relops_exhaustive_width8_unmasked)
{
	for (size_t o = 0; o < N(rel_ops); o++)
		for (uint64_t v = 0; v < 256; v++) {
			struct arena *ar = fresh_arena();
			struct atom a = mk_atom(1, 8, rel_ops[o], 0, 0, v);
			struct argset s = argset_of_atom(ar, &a);
			check_terms(s, 8, "relop8");
			for (uint64_t x = 0; x < 256; x++)
				agree(s, &a, x);
		}
}
END_TEST

/* Values above the width are ignored by both sides. */
START_TEST(test_value_above_width_ignored)
{
	for (size_t o = 0; o < N(rel_ops); o++)
		for (uint64_t v = 0; v < 16; v++) {
			struct arena *ar = fresh_arena();
			struct atom a = mk_atom(0, 4, rel_ops[o], 0, 0, v | 0xabc0);
			struct argset s = argset_of_atom(ar, &a);
			check_terms(s, 4, "high value");
			for (uint64_t x = 0; x < 16; x++)
				agree(s, &a, x);
		}
}
END_TEST

static void set_exhaustive(enum relop op)
{
	for (unsigned w = 1; w <= 4; w++) {
		uint64_t n = 1ull << w;
		for (int trial = 0; trial < 3000; trial++) {
			struct arena *ar = fresh_arena();
			uint64_t m = rnd() % (n + 1);
			struct atom a = mk_atom(2, w, op, m, m < n, 0);
			a.nset = rnd() % 6;
			a.set = arena_alloc(ar, (a.nset + 1) * sizeof(uint64_t));
			for (size_t i = 0; i < a.nset; i++) {
				a.set[i] = rnd() % n;
				if (rnd() % 8 == 0)
					a.set[i] |= rnd() << w;      /* garbage above the width */
				if (i && rnd() % 4 == 0)
					a.set[i] = a.set[i - 1];     /* duplicates */
			}
			struct argset s = argset_of_atom(ar, &a);
			check_terms(s, w, opname(op));
			for (uint64_t x = 0; x < n; x++)
				agree(s, &a, x);
		}
	}
}

START_TEST(test_in_exhaustive_small_widths) { set_exhaustive(OP_IN); }
END_TEST

START_TEST(test_not_in_exhaustive_small_widths) { set_exhaustive(OP_NOT_IN); }
END_TEST

/* ---- 32 and 64 bits: boundaries and sampling ---- */

static uint64_t interesting(unsigned width)
{
	static const uint64_t b[] = {
		0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xfffffffe,
		0xffffffff, 0x100000000ull, 0x100000001ull, 0x7fffffffffffffffull,
		0x8000000000000000ull, 0xfffffffffffffffeull, 0xffffffffffffffffull,
	};
	uint64_t v;
	switch (rnd() % 5) {
	case 0: v = b[rnd() % N(b)]; break;
	case 1: v = 1ull << (rnd() % 64); break;
	case 2: v = (1ull << (rnd() % 64)) - 1; break;
	case 3: v = rnd() >> (rnd() % 64); break;
	default: v = rnd(); break;
	}
	return width < 64 && rnd() % 2 ? v & width_mask(width) : v;
}

/* Values of X worth testing against atom A: around the value, around each
 * set element, with the masked bits equal and the rest random. */
static void sample_atom(struct arena *ar, const struct atom *a)
{
	struct argset s = argset_of_atom(ar, a);
	check_terms(s, a->width, opname(a->op));
	uint64_t centres[8];
	size_t nc = 0;
	centres[nc++] = a->value;
	for (size_t i = 0; i < a->nset && nc < N(centres); i++)
		centres[nc++] = a->set[i];
	for (size_t c = 0; c < nc; c++) {
		uint64_t v = centres[c];
		for (int d = -2; d <= 2; d++) {
			agree(s, a, v + (uint64_t)(int64_t)d);
			agree(s, a, ((v + (uint64_t)(int64_t)d) & a->mask) | (rnd() & ~a->mask));
		}
	}
	for (int i = 0; i < 64; i++) {
		agree(s, a, interesting(64));
		agree(s, a, (a->value & a->mask) ^ (1ull << i));
	}
}

static void sampled(unsigned width)
{
	for (int trial = 0; trial < 20000; trial++) {
		struct arena *ar = fresh_arena();
		enum relop op = (enum relop)(rnd() % 8);
		int masked = rnd() % 2;
		struct atom a = mk_atom((int)(rnd() % 6), width, op, interesting(width), masked,
					interesting(width));
		if (op == OP_IN || op == OP_NOT_IN) {
			a.nset = rnd() % 5;
			a.set = arena_alloc(ar, (a.nset + 1) * sizeof(uint64_t));
			for (size_t i = 0; i < a.nset; i++)
				a.set[i] = rnd() % 3 ? interesting(width) & a.mask : interesting(width);
		}
		sample_atom(ar, &a);
	}
}

START_TEST(test_sampled_width32) { sampled(32); }
END_TEST

START_TEST(test_sampled_width64) { sampled(64); }
END_TEST

/* The corners of the 64-bit range, for every operator. */
START_TEST(test_width64_boundaries)
{
	static const uint64_t v[] = { 0, 1, 0x7fffffffffffffffull, 0x8000000000000000ull,
				      0xfffffffffffffffeull, 0xffffffffffffffffull, 0xffffffffull,
				      0x100000000ull };
	static const uint64_t masks[] = { 0, 1, 0x8000000000000000ull, 0xffffffff00000000ull,
					  0xffffffffull, ~0ull };
	for (size_t o = 0; o < N(rel_ops); o++)
		for (size_t i = 0; i < N(v); i++)
			for (size_t m = 0; m <= N(masks); m++) {
				struct arena *ar = fresh_arena();
				struct atom a = mk_atom(0, 64, rel_ops[o], m < N(masks) ? masks[m] : 0,
							m < N(masks), v[i]);
				struct argset s = argset_of_atom(ar, &a);
				for (size_t k = 0; k < N(v); k++) {
					agree(s, &a, v[k]);
					agree(s, &a, v[k] ^ 0x5555555555555555ull);
				}
			}
	/* The extremes: x < 0 and x > ~0 are empty; x <= ~0 and x >= 0 are all. */
	struct arena *ar = arena_new();
	struct atom lt0 = mk_atom(0, 64, OP_LT, 0, 0, 0), gtmax = mk_atom(0, 64, OP_GT, 0, 0, ~0ull);
	struct atom lemax = mk_atom(0, 64, OP_LE, 0, 0, ~0ull), ge0 = mk_atom(0, 64, OP_GE, 0, 0, 0);
	ck_assert_uint_eq(argset_of_atom(ar, &lt0).n, 0);
	ck_assert_uint_eq(argset_of_atom(ar, &gtmax).n, 0);
	/* argset_is_all() only recognises a term that fixes no bit (the analysis
	 * uses it to leave unconstrained arguments out of its witnesses), so
	 * these unions of prefixes cover everything without saying so. */
	struct argset sle = argset_of_atom(ar, &lemax), sge = argset_of_atom(ar, &ge0);
	for (size_t k = 0; k < N(v); k++) {
		ck_assert(argset_contains(sle, v[k]));
		ck_assert(argset_contains(sge, v[k]));
	}
	/* A masked == whose value has bits outside the mask never holds. */
	struct atom never = mk_atom(0, 64, OP_EQ, 0xf0, 1, 0x0f);
	ck_assert_uint_eq(argset_of_atom(ar, &never).n, 0);
	struct atom always = mk_atom(0, 64, OP_NE, 0xf0, 1, 0x0f);
	ck_assert(argset_is_all(argset_of_atom(ar, &always)));
	arena_free(ar);
}
END_TEST

/* != has one term per bit of the mask, not one per value. */
START_TEST(test_ne_is_small)
{
	struct arena *ar = arena_new();
	struct atom a = mk_atom(0, 64, OP_NE, 0, 0, 12345);
	ck_assert_uint_le(argset_of_atom(ar, &a).n, 64);
	struct atom b = mk_atom(0, 32, OP_LT, 0, 0, 0x80000001);
	ck_assert_uint_le(argset_of_atom(ar, &b).n, 33);
	arena_free(ar);
}
END_TEST

/* ---- intersection, conjunctions, witnesses ---- */

static struct atom random_small_atom(struct arena *ar, unsigned w, int arg)
{
	uint64_t n = 1ull << w;
	enum relop op = (enum relop)(rnd() % 8);
	uint64_t m = rnd() % (n + 1);
	struct atom a = mk_atom(arg, w, op, m, m < n, rnd() % n);
	if (op == OP_IN || op == OP_NOT_IN) {
		a.nset = rnd() % 4;
		a.set = arena_alloc(ar, (a.nset + 1) * sizeof(uint64_t));
		for (size_t i = 0; i < a.nset; i++)
			a.set[i] = rnd() % n;
	}
	return a;
}

START_TEST(test_witness_exhaustive_small)
{
	for (int trial = 0; trial < 20000; trial++) {
		struct arena *ar = fresh_arena();
		unsigned w = 1 + (unsigned)(rnd() % 5);
		struct atom x = random_small_atom(ar, w, 0), y = random_small_atom(ar, w, 0);
		struct argset sx = argset_of_atom(ar, &x), sy = argset_of_atom(ar, &y);
		int both = 0;
		for (uint64_t v = 0; v < (1ull << w); v++)
			both |= eval1(&x, v) && eval1(&y, v);
		uint64_t wv = 0xdead;
		int got = argset_witness(sx, sy, &wv);
		REQUIRE(got == both, "witness says %d, exhaustive search %d", got, both);
		if (got) {
			REQUIRE(eval1(&x, wv) && eval1(&y, wv), "witness %#llx is not in both",
				(unsigned long long)wv);
			REQUIRE(argset_contains(sx, wv) && argset_contains(sy, wv),
				"witness %#llx is not in both argsets", (unsigned long long)wv);
		}
		/* The intersection is exactly the values both accept. */
		struct argset sxy = argset_intersect(ar, sx, sy);
		check_terms(sxy, w, "intersect");
		REQUIRE((sxy.n != 0) == both, "intersection empty: %d, common value: %d",
			sxy.n == 0, both);
		for (uint64_t v = 0; v < (1ull << w); v++)
			REQUIRE(argset_contains(sxy, v) == (eval1(&x, v) && eval1(&y, v)),
				"intersection wrong at %#llx", (unsigned long long)v);
	}
}
END_TEST

START_TEST(test_witness_sampled_64)
{
	for (int trial = 0; trial < 20000; trial++) {
		struct arena *ar = fresh_arena();
		unsigned w = rnd() % 2 ? 64 : 32;
		struct atom x = mk_atom(0, w, (enum relop)(rnd() % 6), interesting(w), rnd() % 2,
					interesting(w));
		struct atom y = mk_atom(0, w, (enum relop)(rnd() % 6), interesting(w), rnd() % 2,
					interesting(w));
		struct argset sx = argset_of_atom(ar, &x), sy = argset_of_atom(ar, &y);
		uint64_t wv;
		int got = argset_witness(sx, sy, &wv);
		if (got) {
			REQUIRE(eval1(&x, wv) && eval1(&y, wv),
				      "witness %#llx is not in both sets", (unsigned long long)wv);
		} else {
			/* No witness: no sampled value may be in both. */
			uint64_t probes[] = { x.value, y.value, x.value + 1, y.value + 1, x.value - 1,
					      y.value - 1, 0, ~0ull, rnd(), rnd() };
			for (size_t i = 0; i < N(probes); i++)
				REQUIRE(!(eval1(&x, probes[i]) && eval1(&y, probes[i])),
					      "no witness, but %#llx is in both",
					      (unsigned long long)probes[i]);
		}
		REQUIRE(got == (argset_intersect(ar, sx, sy).n != 0),
			"witness and intersection disagree");
	}
}
END_TEST

START_TEST(test_conj_per_argument)
{
	for (int trial = 0; trial < 5000; trial++) {
		struct arena *ar = fresh_arena();
		unsigned w = 1 + (unsigned)(rnd() % 4);
		struct conj c;
		c.n = rnd() % 5;
		c.atoms = arena_alloc(ar, (c.n + 1) * sizeof(struct atom));
		for (size_t i = 0; i < c.n; i++)
			c.atoms[i] = random_small_atom(ar, w, (int)(rnd() % 2));
		for (int arg = 0; arg < 3; arg++) {
			struct argset s = argset_of_conj(ar, &c, arg);
			int any = 0;
			for (size_t i = 0; i < c.n; i++)
				any |= c.atoms[i].arg == arg;
			if (!any)
				REQUIRE(argset_is_all(s), "no atom on arg %d, but not all", arg);
			for (uint64_t v = 0; v < (1ull << w); v++) {
				int want = 1;
				for (size_t i = 0; i < c.n; i++)
					if (c.atoms[i].arg == arg)
						want &= eval1(&c.atoms[i], v);
				REQUIRE(argset_contains(s, v) == want, "conj on arg %d wrong at %#llx",
					arg, (unsigned long long)v);
			}
			if (argset_is_all(s))
				for (uint64_t v = 0; v < (1ull << w); v++)
					REQUIRE(argset_contains(s, v), "'all' lacks %#llx",
						(unsigned long long)v);
		}
	}
}
END_TEST

/* ---- DNF ---- */

static struct ncond *random_tree(struct arena *ar, int depth)
{
	struct ncond *c = arena_alloc(ar, sizeof(*c));
	unsigned pick = (unsigned)(rnd() % 12);
	if (depth <= 0)
		c->kind = pick == 0 ? N_TRUE : pick == 1 ? N_FALSE : N_ATOM;
	else if (pick < 3)
		c->kind = N_AND;
	else if (pick < 6)
		c->kind = N_OR;
	else if (pick < 8)
		c->kind = N_NOT;
	else if (pick == 8)
		c->kind = rnd() % 2 ? N_TRUE : N_FALSE;
	else
		c->kind = N_ATOM;
	if (c->kind == N_ATOM) {
		c->atom = random_small_atom(ar, 3, (int)(rnd() % 3));
	} else if (c->kind == N_AND || c->kind == N_OR) {
		c->lhs = random_tree(ar, depth - 1);
		c->rhs = random_tree(ar, depth - 1);
	} else if (c->kind == N_NOT) {
		c->lhs = random_tree(ar, depth - 1);
	}
	return c;
}

static int dnf_eval(const struct dnf *d, const uint64_t args[6])
{
	for (size_t i = 0; i < d->n; i++) {
		int all = 1;
		for (size_t j = 0; j < d->c[i].n && all; j++)
			all = atom_eval(&d->c[i].atoms[j], args);
		if (all)
			return 1;
	}
	return 0;
}

START_TEST(test_dnf_matches_tree)
{
	for (int trial = 0; trial < 3000; trial++) {
		struct arena *ar = fresh_arena();
		struct ncond *t = random_tree(ar, 1 + (int)(rnd() % 4));
		struct dnf d;
		REQUIRE(dnf_build(ar, t, 1u << 20, &d) == 0, "dnf_build failed");
		for (size_t i = 0; i < d.n; i++)
			for (size_t j = 0; j < d.c[i].n; j++)
				REQUIRE(d.c[i].atoms[j].op <= OP_NOT_IN, "bad operator in the DNF");
		/* Three arguments of three bits each: 512 vectors, all of them. */
		for (uint64_t v = 0; v < 512; v++) {
			uint64_t args[6] = { v & 7, (v >> 3) & 7, (v >> 6) & 7,
					     rnd(), rnd(), rnd() };
			if (v & 1)   /* garbage above the width never matters */
				for (int k = 0; k < 3; k++)
					args[k] |= rnd() << 3;
			REQUIRE(dnf_eval(&d, args) == ncond_eval(t, args),
				"DNF and tree disagree at {%#llx, %#llx, %#llx}",
				(unsigned long long)args[0], (unsigned long long)args[1],
				(unsigned long long)args[2]);
		}
	}
}
END_TEST

START_TEST(test_dnf_simple_shapes)
{
	struct arena *ar = arena_new();
	struct dnf d;
	/* NULL: always, one empty conjunction. */
	ck_assert_int_eq(dnf_build(ar, NULL, 10, &d), 0);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_uint_eq(d.c[0].n, 0);
	/* FALSE: no conjunction; NOT FALSE: always. */
	struct ncond f = { .kind = N_FALSE }, nf = { .kind = N_NOT, .lhs = &f };
	ck_assert_int_eq(dnf_build(ar, &f, 10, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_int_eq(dnf_build(ar, &nf, 10, &d), 0);
	ck_assert_uint_eq(d.n, 1);
	/* !(a == 1 || b == 2) is one conjunction a != 1 && b != 2. */
	struct ncond a = { .kind = N_ATOM, .atom = mk_atom(0, 64, OP_EQ, 0, 0, 1) };
	struct ncond b = { .kind = N_ATOM, .atom = mk_atom(1, 64, OP_EQ, 0, 0, 2) };
	struct ncond or = { .kind = N_OR, .lhs = &a, .rhs = &b };
	struct ncond nor = { .kind = N_NOT, .lhs = &or };
	ck_assert_int_eq(dnf_build(ar, &nor, 10, &d), 0);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_uint_eq(d.c[0].n, 2);
	ck_assert_int_eq(d.c[0].atoms[0].op, OP_NE);
	ck_assert_int_eq(d.c[0].atoms[1].op, OP_NE);
	/* Negation flips every operator, sets included. */
	static const enum relop neg[][2] = {
		{ OP_EQ, OP_NE }, { OP_NE, OP_EQ }, { OP_LT, OP_GE }, { OP_LE, OP_GT },
		{ OP_GT, OP_LE }, { OP_GE, OP_LT }, { OP_IN, OP_NOT_IN }, { OP_NOT_IN, OP_IN },
	};
	for (size_t i = 0; i < N(neg); i++) {
		struct ncond at = { .kind = N_ATOM, .atom = mk_atom(0, 32, neg[i][0], 0, 0, 5) };
		struct ncond n = { .kind = N_NOT, .lhs = &at };
		ck_assert_int_eq(dnf_build(ar, &n, 10, &d), 0);
		ck_assert_uint_eq(d.n, 1);
		ck_assert_int_eq(d.c[0].atoms[0].op, neg[i][1]);
	}
	arena_free(ar);
}
END_TEST

START_TEST(test_dnf_limit)
{
	struct arena *ar = arena_new();
	/* (a0 || a1) && (b0 || b1) && (c0 || c1): eight conjunctions. */
	struct ncond atoms[6], ors[3], and1, and2;
	for (int i = 0; i < 6; i++)
		atoms[i] = (struct ncond){ .kind = N_ATOM,
					   .atom = mk_atom(i / 2, 64, OP_EQ, 0, 0, (uint64_t)i) };
	for (int i = 0; i < 3; i++)
		ors[i] = (struct ncond){ .kind = N_OR, .lhs = &atoms[2 * i], .rhs = &atoms[2 * i + 1] };
	and1 = (struct ncond){ .kind = N_AND, .lhs = &ors[0], .rhs = &ors[1] };
	and2 = (struct ncond){ .kind = N_AND, .lhs = &and1, .rhs = &ors[2] };
	struct dnf d;
	ck_assert_int_eq(dnf_build(ar, &and2, 8, &d), 0);
	ck_assert_uint_eq(d.n, 8);
	ck_assert_int_eq(dnf_build(ar, &and2, 7, &d), -1);
	/* Negated, it is !(a0 || a1) || !(b0 || b1) || !(c0 || c1): three
	 * conjunctions of two atoms each. */
	struct ncond n = { .kind = N_NOT, .lhs = &and2 };
	ck_assert_int_eq(dnf_build(ar, &n, 3, &d), 0);
	ck_assert_uint_eq(d.n, 3);
	ck_assert_int_eq(dnf_build(ar, &n, 2, &d), -1);
	arena_free(ar);
}
END_TEST

START_TEST(test_ncond_equal)
{
	struct arena *ar = arena_new();
	uint64_t s1[] = { 1, 2 }, s2[] = { 1, 3 };
	struct ncond a = { .kind = N_ATOM, .atom = mk_atom(0, 32, OP_IN, 0, 0, 0) };
	struct ncond b = a, c = a;
	a.atom.set = s1, a.atom.nset = 2;
	b.atom.set = s1, b.atom.nset = 2;
	c.atom.set = s2, c.atom.nset = 2;
	ck_assert(ncond_equal(&a, &b));
	ck_assert(!ncond_equal(&a, &c));
	ck_assert(ncond_equal(NULL, NULL));
	ck_assert(!ncond_equal(&a, NULL));
	struct ncond na = { .kind = N_NOT, .lhs = &a }, nb = { .kind = N_NOT, .lhs = &b };
	ck_assert(ncond_equal(&na, &nb));
	ck_assert(!ncond_equal(&na, &a));
	struct ncond w = a;
	w.atom.width = 64;
	ck_assert(!ncond_equal(&a, &w));
	arena_free(ar);
}
END_TEST

static Suite *cond_suite(void)
{
	Suite *s = suite_create("cond");
	TCase *t = tcase_create("argset");
	tcase_set_timeout(t, 120);
	tcase_add_checked_fixture(t, NULL, free_scratch);
	tcase_add_test(t, test_relops_exhaustive_small_widths);
	tcase_add_test(t, test_relops_exhaustive_width8_unmasked);
	tcase_add_test(t, test_value_above_width_ignored);
	tcase_add_test(t, test_in_exhaustive_small_widths);
	tcase_add_test(t, test_not_in_exhaustive_small_widths);
	tcase_add_test(t, test_sampled_width32);
	tcase_add_test(t, test_sampled_width64);
	tcase_add_test(t, test_width64_boundaries);
	tcase_add_test(t, test_ne_is_small);
	suite_add_tcase(s, t);

	t = tcase_create("sets");
	tcase_set_timeout(t, 120);
	tcase_add_checked_fixture(t, NULL, free_scratch);
	tcase_add_test(t, test_witness_exhaustive_small);
	tcase_add_test(t, test_witness_sampled_64);
	tcase_add_test(t, test_conj_per_argument);
	suite_add_tcase(s, t);

	t = tcase_create("dnf");
	tcase_set_timeout(t, 120);
	tcase_add_checked_fixture(t, NULL, free_scratch);
	tcase_add_test(t, test_dnf_matches_tree);
	tcase_add_test(t, test_dnf_simple_shapes);
	tcase_add_test(t, test_dnf_limit);
	tcase_add_test(t, test_ncond_equal);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cond_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
