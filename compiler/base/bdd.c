/* The BDD package (see bdd.h): a node table with a unique hash, ITE with
 * a direct-mapped computed cache, a node budget, and bit-vector helpers.
 *
 * Nodes 0 and 1 are the terminals. A node is (var, lo, hi): lo when the
 * variable is 0. No complement edges: simpler, and fast enough for the
 * comparisons of seccomp filters. */
#include "base/bdd.h"
#include "base/diag.h"
#include "base/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BUDGET ((size_t)4 << 20)
#define MIN_SLOTS ((size_t)1 << 12)

struct bdd_node {
	uint32_t var, lo, hi;
};

struct bdd_cache_entry {
	bdd_t f, g, h, r;
};

struct bdd_ctx {
	unsigned nvars;
	size_t budget;
	int failed;
	struct bdd_node *nodes;
	size_t nnodes, capnodes;
	uint32_t *slots;             /* unique table: node numbers, 0 = empty */
	size_t nslots;               /* a power of two */
	struct bdd_cache_entry *cache;
	size_t ncache;               /* a power of two */
};

static size_t node_hash(uint32_t var, uint32_t lo, uint32_t hi)
{
	uint64_t h = (uint64_t)var * 0x9e3779b97f4a7c15ull;
	h ^= ((uint64_t)lo << 32 | hi) * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 29;
	return (size_t)(h * 0x165667b19e3779f9ull >> 17);
}

static size_t cache_hash(bdd_t f, bdd_t g, bdd_t h)
{
	uint64_t x = (uint64_t)f * 0x9e3779b97f4a7c15ull ^ (uint64_t)g * 0xc2b2ae3d27d4eb4full ^
		     (uint64_t)h * 0x165667b19e3779f9ull;
	return (size_t)(x ^ x >> 31);
}

struct bdd_ctx *bdd_new(unsigned nvars, size_t budget)
{
	struct bdd_ctx *b = mem_calloc(1, sizeof(*b));
	DIAG_ASSERT(nvars <= 65535, "too many BDD variables");
	b->nvars = nvars;
	b->budget = budget ? budget : DEFAULT_BUDGET;
	b->capnodes = 1024;
	b->nodes = mem_calloc(b->capnodes, sizeof(*b->nodes));
	b->nodes[0] = (struct bdd_node){ nvars, 0, 0 };
	b->nodes[1] = (struct bdd_node){ nvars, 1, 1 };
	b->nnodes = 2;
	b->nslots = MIN_SLOTS;
	b->slots = mem_calloc(b->nslots, sizeof(*b->slots));
	b->ncache = MIN_SLOTS;
	b->cache = mem_calloc(b->ncache, sizeof(*b->cache));
	return b;
}

void bdd_free(struct bdd_ctx *b)
{
	if (!b)
		return;
	free(b->nodes);
	free(b->slots);
	free(b->cache);
	free(b);
}

int bdd_failed(const struct bdd_ctx *b)
{
	return b->failed;
}

size_t bdd_nodes(const struct bdd_ctx *b)
{
	return b->nnodes;
}

unsigned bdd_nvars(const struct bdd_ctx *b)
{
	return b->nvars;
}

unsigned bdd_top(const struct bdd_ctx *b, bdd_t f)
{
	return b->nodes[f].var;
}

/* Doubles the unique table (rehashing every node) and the cache (which
 * starts empty again: it is only a cache). */
static void grow_tables(struct bdd_ctx *b)
{
	size_t n = b->nslots * 2;
	uint32_t *s = mem_calloc(n, sizeof(*s));
	for (size_t i = 2; i < b->nnodes; i++) {
		const struct bdd_node *x = &b->nodes[i];
		size_t k = node_hash(x->var, x->lo, x->hi) & (n - 1);
		while (s[k])
			k = (k + 1) & (n - 1);
		s[k] = (uint32_t)i;
	}
	free(b->slots);
	b->slots = s;
	b->nslots = n;
	free(b->cache);
	b->ncache = n / 2;
	b->cache = mem_calloc(b->ncache, sizeof(*b->cache));
}

/* The unique node (VAR, LO, HI), made if new. */
static bdd_t mk(struct bdd_ctx *b, uint32_t var, bdd_t lo, bdd_t hi)
{
	if (lo == hi || b->failed)
		return b->failed ? BDD_FALSE : lo;
	size_t k = node_hash(var, lo, hi) & (b->nslots - 1);
	for (; b->slots[k]; k = (k + 1) & (b->nslots - 1)) {
		const struct bdd_node *x = &b->nodes[b->slots[k]];
		if (x->var == var && x->lo == lo && x->hi == hi)
			return b->slots[k];
	}
	if (b->nnodes >= b->budget || b->nnodes >= UINT32_MAX - 1) {
		b->failed = 1;
		return BDD_FALSE;
	}
	if (b->nnodes == b->capnodes) {
		b->capnodes *= 2;
		b->nodes = mem_realloc(b->nodes, b->capnodes, sizeof(*b->nodes));
	}
	bdd_t id = (bdd_t)b->nnodes++;
	b->nodes[id] = (struct bdd_node){ var, lo, hi };
	b->slots[k] = id;
	if (b->nnodes * 2 > b->nslots)
		grow_tables(b);
	return id;
}

bdd_t bdd_mk(struct bdd_ctx *b, unsigned v, bdd_t lo, bdd_t hi)
{
	DIAG_ASSERT(v < b->nvars && b->nodes[lo].var > v && b->nodes[hi].var > v,
		    "bdd_mk: variable order violated");
	return mk(b, v, lo, hi);
}

bdd_t bdd_var(struct bdd_ctx *b, unsigned v)
{
	return bdd_mk(b, v, BDD_FALSE, BDD_TRUE);
}

bdd_t bdd_nvar(struct bdd_ctx *b, unsigned v)
{
	return bdd_mk(b, v, BDD_TRUE, BDD_FALSE);
}

/* The cofactors of F with respect to variable V (F itself when F does
 * not start with V). */
static void cofactors(const struct bdd_ctx *b, bdd_t f, uint32_t v, bdd_t *f0, bdd_t *f1)
{
	if (b->nodes[f].var == v) {
		*f0 = b->nodes[f].lo;
		*f1 = b->nodes[f].hi;
	} else {
		*f0 = *f1 = f;
	}
}

bdd_t bdd_ite(struct bdd_ctx *b, bdd_t f, bdd_t g, bdd_t h)
{
	if (b->failed)
		return BDD_FALSE;
	if (f == BDD_TRUE || g == h)
		return g;
	if (f == BDD_FALSE)
		return h;
	if (f == g)
		g = BDD_TRUE;
	if (f == h)
		h = BDD_FALSE;
	if (g == BDD_TRUE && h == BDD_FALSE)
		return f;
	if (g == h)
		return g;
	struct bdd_cache_entry *e = &b->cache[cache_hash(f, g, h) & (b->ncache - 1)];
	if (e->f == f && e->g == g && e->h == h)
		return e->r;
	uint32_t v = b->nodes[f].var;
	if (b->nodes[g].var < v)
		v = b->nodes[g].var;
	if (b->nodes[h].var < v)
		v = b->nodes[h].var;
	bdd_t f0, f1, g0, g1, h0, h1;
	cofactors(b, f, v, &f0, &f1);
	cofactors(b, g, v, &g0, &g1);
	cofactors(b, h, v, &h0, &h1);
	bdd_t hi = bdd_ite(b, f1, g1, h1);
	bdd_t lo = bdd_ite(b, f0, g0, h0);
	bdd_t r = mk(b, v, lo, hi);
	if (b->failed)
		return BDD_FALSE;
	/* The tables may have grown (and the cache moved) meanwhile. */
	e = &b->cache[cache_hash(f, g, h) & (b->ncache - 1)];
	*e = (struct bdd_cache_entry){ f, g, h, r };
	return r;
}

bdd_t bdd_not(struct bdd_ctx *b, bdd_t f)
{
	return bdd_ite(b, f, BDD_FALSE, BDD_TRUE);
}

bdd_t bdd_and(struct bdd_ctx *b, bdd_t f, bdd_t g)
{
	return bdd_ite(b, f, g, BDD_FALSE);
}

bdd_t bdd_or(struct bdd_ctx *b, bdd_t f, bdd_t g)
{
	return bdd_ite(b, f, BDD_TRUE, g);
}

bdd_t bdd_xor(struct bdd_ctx *b, bdd_t f, bdd_t g)
{
	return bdd_ite(b, f, bdd_not(b, g), g);
}

int bdd_satone(const struct bdd_ctx *b, bdd_t f, unsigned char *assign)
{
	if (f == BDD_FALSE)
		return -1;
	memset(assign, 0, b->nvars);
	while (f != BDD_TRUE) {
		const struct bdd_node *x = &b->nodes[f];
		if (x->lo != BDD_FALSE) {
			f = x->lo;
		} else {
			assign[x->var] = 1;
			f = x->hi;
		}
	}
	return 0;
}

int bdd_eval(const struct bdd_ctx *b, bdd_t f, const unsigned char *assign)
{
	while (f > BDD_TRUE) {
		const struct bdd_node *x = &b->nodes[f];
		f = assign[x->var] ? x->hi : x->lo;
	}
	return f == BDD_TRUE;
}

/* A walk of the nodes reachable from F, each visited once (a bit per
 * node, an explicit stack: no recursion on deep diagrams). */
void bdd_support(const struct bdd_ctx *b, const bdd_t *f, size_t n, unsigned char *vars)
{
	unsigned char *seen = mem_calloc(b->nnodes / 8 + 1, 1);
	size_t cap = n + 64, top = 0;
	bdd_t *stack = mem_calloc(cap, sizeof(*stack));
	for (size_t i = 0; i < n; i++)
		stack[top++] = f[i];
	while (top) {
		bdd_t x = stack[--top];
		if (x <= BDD_TRUE || (seen[x / 8] >> (x % 8) & 1))
			continue;
		seen[x / 8] |= (unsigned char)(1u << (x % 8));
		vars[b->nodes[x].var] = 1;
		if (top + 2 > cap) {
			cap *= 2;
			stack = mem_realloc(stack, cap, sizeof(*stack));
		}
		stack[top++] = b->nodes[x].lo;
		stack[top++] = b->nodes[x].hi;
	}
	free(stack);
	free(seen);
}

/* ---- bit vectors ---- */

bdd_t bdd_vec_eq_const(struct bdd_ctx *b, const bdd_t *v, unsigned n, uint64_t k)
{
	bdd_t r = BDD_TRUE;
	for (unsigned i = 0; i < n; i++)
		r = (k >> i & 1) ? bdd_and(b, v[i], r) : bdd_ite(b, v[i], BDD_FALSE, r);
	return r;
}

/* From the least significant bit up: R says how V compares with K on the
 * bits seen so far when all higher bits are equal. */
bdd_t bdd_vec_lt_const(struct bdd_ctx *b, const bdd_t *v, unsigned n, uint64_t k,
		       int inclusive)
{
	bdd_t r = inclusive ? BDD_TRUE : BDD_FALSE;
	for (unsigned i = 0; i < n; i++)
		r = (k >> i & 1) ? bdd_ite(b, v[i], r, BDD_TRUE) : bdd_ite(b, v[i], BDD_FALSE, r);
	return r;
}

bdd_t bdd_vec_gt_const(struct bdd_ctx *b, const bdd_t *v, unsigned n, uint64_t k,
		       int inclusive)
{
	return bdd_not(b, bdd_vec_lt_const(b, v, n, k, !inclusive));
}

bdd_t bdd_vec_eq(struct bdd_ctx *b, const bdd_t *v, const bdd_t *w, unsigned n)
{
	bdd_t r = BDD_TRUE;
	for (unsigned i = 0; i < n; i++)
		r = bdd_and(b, r, bdd_not(b, bdd_xor(b, v[i], w[i])));
	return r;
}

bdd_t bdd_vec_gt(struct bdd_ctx *b, const bdd_t *v, const bdd_t *w, unsigned n,
		 int inclusive)
{
	bdd_t r = inclusive ? BDD_TRUE : BDD_FALSE;
	for (unsigned i = 0; i < n; i++)
		r = bdd_ite(b, bdd_xor(b, v[i], w[i]), v[i], r);
	return r;
}

void bdd_vec_add(struct bdd_ctx *b, const bdd_t *v, const bdd_t *w, bdd_t carry_in,
		 unsigned n, bdd_t *out)
{
	bdd_t c = carry_in;
	for (unsigned i = 0; i < n; i++) {
		bdd_t x = v[i], y = w[i];
		bdd_t s = bdd_xor(b, bdd_xor(b, x, y), c);
		c = bdd_ite(b, x, bdd_or(b, y, c), bdd_and(b, y, c));
		out[i] = s;
	}
}

/* The union of W[0..N) by pairwise rounds: a balanced tree of ORs, far
 * cheaper than growing one set. W is overwritten. */
bdd_t bdd_or_all(struct bdd_ctx *b, bdd_t *w, size_t n)
{
	while (n > 1) {
		size_t k = 0;
		for (size_t i = 0; i < n; i += 2)
			w[k++] = i + 1 < n ? bdd_or(b, w[i], w[i + 1]) : w[i];
		n = k;
	}
	return n ? w[0] : BDD_FALSE;
}
