/* Comparison trees and the node graph of the layout pass (layout_tree.h).
 *
 * The tree over a sorted run of intervals is found by dynamic programming
 * over contiguous ranges: a range with one target costs nothing; else it
 * is split by a threshold (jge), or a single-value interval at either end
 * is tested with jeq, or, when all but single values share one target,
 * those values are tested with a chain of jeq, hottest first. Each costs
 * one comparison for every weight that passes through it. Splits are
 * searched within Knuth's bound, so the search takes O(n^2) time and
 * three n * n tables; above DP_MAX intervals it gives way to splitting at
 * the weighted median, in O(n) memory, so the tables never grow past
 * DP_MAX * DP_MAX cells (20 MiB at 1024) whatever the program.
 *
 * Up to BOUND_MAX intervals the tree also has a depth bound: no path
 * takes more comparisons than a balanced tree over the intervals
 * (ceil(log2 n)), the hot values tested first included. The weights are
 * a guess without a profile, and a guess that is wrong must not cost a
 * rare syscall twice the comparisons a plain binary search would. The
 * search then carries the depth left: a table per depth, every split
 * tried (Knuth's bound does not hold under a depth limit), O(n^3 log n)
 * time in log n tables of n * n cells (2 MiB per table at 256). */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "bpf/insn.h"
#include "layout/layout_tree.h"

#define NODES_MAX 65536     /* graph nodes, residuals and trees together */
#define DP_MAX 1024         /* intervals for the O(n^2) search (Knuth's bound) */
#define PEEL_MAX 6          /* hottest values tried as jeq before the tree */
#define CHAIN_MAX 8         /* singletons in one jeq chain */
#define BOUND_MAX 256       /* intervals for the depth-bounded search, O(n^3 log n) */
#define INF 1e300           /* the cost of a tree that cannot meet its depth */

static size_t node_hash(const struct ltree_node *g)
{
	size_t h = g->code * 0x9e3779b1u;
	h = (h ^ g->k) * 0x85ebca6bu;
	h = (h ^ (uint32_t)g->t) * 0xc2b2ae35u;
	h = (h ^ (uint32_t)g->f) * 0x27d4eb2fu;
	return h ^ (h >> 15);
}

static void rehash(struct ltree_graph *g)
{
	free(g->hash);
	g->hcap = g->hcap ? g->hcap * 2 : 1024;
	g->hash = mem_calloc(g->hcap, sizeof(*g->hash));
	memset(g->hash, 0xff, g->hcap * sizeof(*g->hash));
	for (size_t i = 0; i < g->n; i++) {
		size_t h = node_hash(&g->v[i]) & (g->hcap - 1);
		while (g->hash[h] >= 0)
			h = (h + 1) & (g->hcap - 1);
		g->hash[h] = (int)i;
	}
}

int ltree_cons(struct ltree_graph *g, uint16_t code, uint32_t k, int t, int f)
{
	enum cbpf_kind kind = cbpf_kind_of(code);
	if (kind == CBPF_JUMP && t == f)
		return t;   /* both ways lead to the same code */
	if (t < 0 && kind != CBPF_RET)
		return -1;  /* a failed successor */
	struct ltree_node n = { code, k, t, f };
	if ((g->n + 1) * 2 > g->hcap)
		rehash(g);
	size_t h = node_hash(&n) & (g->hcap - 1);
	for (; g->hash[h] >= 0; h = (h + 1) & (g->hcap - 1)) {
		const struct ltree_node *o = &g->v[g->hash[h]];
		if (o->code == code && o->k == k && o->t == t && o->f == f)
			return g->hash[h];
	}
	if (g->n >= NODES_MAX) {
		g->full = 1;
		return -1;
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 1024;
		g->v = mem_realloc(g->v, g->cap, sizeof(*g->v));
	}
	g->v[g->n] = n;
	g->hash[h] = (int)g->n;
	return (int)g->n++;
}

void ltree_graph_free(struct ltree_graph *g)
{
	free(g->v);
	free(g->hash);
}

enum { CH_LEAF = -1, CH_PEEL_LO = -2, CH_PEEL_HI = -3, CH_CHAIN_LO = -4, CH_CHAIN_HI = -5 };

struct dp {
	const struct ltree_item *it;
	size_t n;
	double *w;      /* item weights, hot values peeled off */
	double *pre;    /* prefix sums of w */
	size_t *run;    /* run[i]: last index of the run of targets equal to it[i]'s */
	double *cost;   /* n * n: expected comparisons for the range */
	int *choice;    /* n * n: CH_* or the last index of the left half */
	size_t *split;  /* n * n: the best split point found for the range */
	unsigned bound; /* the depth bound, 0 when there is none (above BOUND_MAX) */
	unsigned depth; /* the bound the tables below were solved for, 0: cost/choice hold the tree */
	double *bcost;  /* (bound + 1) * n * n: cost for the range within d comparisons */
	int *bchoice;   /* (bound + 1) * n * n: CH_* or the last index of the left half */
};

static size_t bat(const struct dp *d, unsigned depth, size_t i, size_t j)
{
	return ((size_t)depth * d->n + i) * d->n + j;
}

static double range_w(const struct dp *d, size_t i, size_t j)
{
	return d->pre[j + 1] - d->pre[i];
}

static int singleton(const struct ltree_item *it)
{
	return it->lo == it->hi;
}

/* The cost of testing every singleton of [I, J] whose target is not that
 * of BACK with jeq, hottest first, the rest going to BACK's target; or a
 * negative value when that does not cover the range. *LEN (may be NULL)
 * gets the number of jeqs, the chain's depth. */
static double chain_cost_len(const struct dp *d, size_t i, size_t j, size_t back, size_t *len)
{
	double w[CHAIN_MAX];
	size_t m = 0;
	for (size_t x = i; x <= j; x++) {
		if (d->it[x].target == d->it[back].target)
			continue;
		if (!singleton(&d->it[x]) || m == CHAIN_MAX)
			return -1;
		size_t y = m++;
		for (; y > 0 && w[y - 1] < d->w[x]; y--)
			w[y] = w[y - 1];
		w[y] = d->w[x];
	}
	double cost = 0, rest = range_w(d, i, j);
	for (size_t r = 0; r < m; r++) {
		cost += (double)(r + 1) * w[r];
		rest -= w[r];
	}
	if (len)
		*len = m;
	return cost + (double)m * rest;
}

static double chain_cost(const struct dp *d, size_t i, size_t j, size_t back)
{
	return chain_cost_len(d, i, j, back, NULL);
}

/* Fills cost and choice for one range, the smaller ranges being done. */
static void dp_range(struct dp *d, size_t i, size_t j)
{
	size_t n = d->n, at = i * n + j;
	d->split[at] = i;
	if (d->run[i] >= j) {
		d->cost[at] = 0;
		d->choice[at] = CH_LEAF;
		return;
	}
	double best = 1e300;
	int choice = CH_LEAF;
	/* Knuth's bound: the best split of [i, j] lies between those of
	 * [i, j-1] and [i+1, j]. It holds exactly for plain search trees and
	 * keeps the search O(n^2); the other choices are tried on top. */
	size_t lo = d->split[i * n + j - 1], hi = d->split[(i + 1) * n + j];
	if (hi >= j || hi < lo)
		hi = j - 1;
	for (size_t m = lo; m <= hi; m++) {
		double c = d->cost[i * n + m] + d->cost[(m + 1) * n + j];
		if (c < best) {
			best = c;
			choice = (int)m;
			d->split[at] = m;
		}
	}
	if (singleton(&d->it[i]) && d->cost[(i + 1) * n + j] < best) {
		best = d->cost[(i + 1) * n + j];
		choice = CH_PEEL_LO;
	}
	if (singleton(&d->it[j]) && d->cost[i * n + j - 1] < best) {
		best = d->cost[i * n + j - 1];
		choice = CH_PEEL_HI;
	}
	best += range_w(d, i, j);
	double c = chain_cost(d, i, j, i);
	if (c >= 0 && c < best) {
		best = c;
		choice = CH_CHAIN_LO;
	}
	c = chain_cost(d, i, j, j);
	if (c >= 0 && c < best) {
		best = c;
		choice = CH_CHAIN_HI;
	}
	d->cost[at] = best;
	d->choice[at] = choice;
}

/* A chain from BACK over [I, J] if it fits in DEPTH jeqs and beats *BEST. */
static void bounded_chain(const struct dp *d, size_t i, size_t j, size_t back, unsigned depth,
			  int ch, double *best, int *choice)
{
	size_t len;
	double c = chain_cost_len(d, i, j, back, &len);
	if (c >= 0 && len <= depth && c < *best) {
		*best = c;
		*choice = ch;
	}
}

/* Fills bcost and bchoice for [I, J] within DEPTH comparisons, the tables
 * for DEPTH - 1 being done. */
static void bounded_range(struct dp *d, unsigned depth, size_t i, size_t j)
{
	size_t at = bat(d, depth, i, j);
	if (d->run[i] >= j) {
		d->bcost[at] = 0;
		d->bchoice[at] = CH_LEAF;
		return;
	}
	d->bcost[at] = INF;
	d->bchoice[at] = CH_LEAF;
	if (depth == 0)
		return;
	double best = INF;
	int choice = CH_LEAF;
	for (size_t m = i; m < j; m++) {
		double c = d->bcost[bat(d, depth - 1, i, m)] + d->bcost[bat(d, depth - 1, m + 1, j)];
		if (c < best) {
			best = c;
			choice = (int)m;
		}
	}
	if (singleton(&d->it[i]) && d->bcost[bat(d, depth - 1, i + 1, j)] < best) {
		best = d->bcost[bat(d, depth - 1, i + 1, j)];
		choice = CH_PEEL_LO;
	}
	if (singleton(&d->it[j]) && d->bcost[bat(d, depth - 1, i, j - 1)] < best) {
		best = d->bcost[bat(d, depth - 1, i, j - 1)];
		choice = CH_PEEL_HI;
	}
	best = best >= INF ? INF : best + range_w(d, i, j);
	bounded_chain(d, i, j, i, depth, CH_CHAIN_LO, &best, &choice);
	bounded_chain(d, i, j, j, depth, CH_CHAIN_HI, &best, &choice);
	d->bcost[at] = best;
	d->bchoice[at] = choice;
}

/* The depth of a balanced tree over N intervals: ceil(log2 N). */
static unsigned balanced_depth(size_t n)
{
	unsigned depth = 0;
	while (((size_t)1 << depth) < n)
		depth++;
	return depth;
}

/* Above DP_MAX intervals: split where the weight halves, O(n log n).
 * Computed as the tree is built, so that no n * n table is needed. */
static int greedy_choice(const struct dp *d, size_t i, size_t j)
{
	if (d->run[i] >= j)
		return CH_LEAF;
	double half = range_w(d, i, j) / 2;
	size_t m = i;
	while (m + 1 < j && range_w(d, i, m) < half)
		m++;
	return (int)m;
}

static void dp_solve(struct dp *d)
{
	size_t n = d->n;
	d->pre[0] = 0;
	for (size_t i = 0; i < n; i++)
		d->pre[i + 1] = d->pre[i] + d->w[i];
	for (size_t i = n; i-- > 0;)
		d->run[i] = i + 1 < n && d->it[i + 1].target == d->it[i].target ? d->run[i + 1] : i;
	if (d->depth) {   /* the unbounded tables were too deep: the slow search */
		for (unsigned depth = 0; depth <= d->depth; depth++)
			for (size_t len = 1; len <= n; len++)
				for (size_t i = 0; i + len <= n; i++)
					bounded_range(d, depth, i, i + len - 1);
		return;
	}
	if (n > DP_MAX)
		return;   /* greedy_choice, as the tree is built */
	for (size_t len = 1; len <= n; len++)
		for (size_t i = 0; i + len <= n; i++)
			dp_range(d, i, i + len - 1);
}

struct builder {
	struct ltree_graph *g;
	struct dp dp;
};

static int chain_nodes(struct builder *b, size_t i, size_t j, size_t back)
{
	const struct dp *d = &b->dp;
	size_t idx[CHAIN_MAX], m = 0;
	for (size_t x = i; x <= j; x++) {
		if (d->it[x].target == d->it[back].target)
			continue;
		size_t y = m++;
		for (; y > 0 && d->w[idx[y - 1]] < d->w[x]; y--)
			idx[y] = idx[y - 1];
		idx[y] = x;
	}
	int node = d->it[back].target;
	for (size_t r = m; r-- > 0;)
		node = ltree_cons(b->g, BPF_JMP | BPF_JEQ | BPF_K, d->it[idx[r]].lo, d->it[idx[r]].target, node);
	return node;
}

/* The depth of the unbounded tree over [I, J] (cost/choice tables). */
static unsigned unbounded_depth(const struct dp *d, size_t i, size_t j)
{
	int ch = d->choice[i * d->n + j];
	size_t len = 0;
	unsigned l, r;
	switch (ch) {
	case CH_LEAF:
		return 0;
	case CH_PEEL_LO:
		return 1 + unbounded_depth(d, i + 1, j);
	case CH_PEEL_HI:
		return 1 + unbounded_depth(d, i, j - 1);
	case CH_CHAIN_LO:
	case CH_CHAIN_HI:
		chain_cost_len(d, i, j, ch == CH_CHAIN_LO ? i : j, &len);
		return (unsigned)len;
	}
	l = unbounded_depth(d, i, (size_t)ch);
	r = unbounded_depth(d, (size_t)ch + 1, j);
	return 1 + (l > r ? l : r);
}

/* The tree over [I, J] within DEPTH comparisons (ignored without a bound). */
static int tree_nodes(struct builder *b, size_t i, size_t j, unsigned depth)
{
	const struct dp *d = &b->dp;
	int ch = d->depth ? d->bchoice[bat(d, depth, i, j)] :
		 d->n > DP_MAX ? greedy_choice(d, i, j) : d->choice[i * d->n + j];
	unsigned below = depth ? depth - 1 : 0;
	switch (ch) {
	case CH_LEAF:
		return d->it[i].target;
	case CH_PEEL_LO:
		return ltree_cons(b->g, BPF_JMP | BPF_JEQ | BPF_K, d->it[i].lo, d->it[i].target,
			    tree_nodes(b, i + 1, j, below));
	case CH_PEEL_HI:
		return ltree_cons(b->g, BPF_JMP | BPF_JEQ | BPF_K, d->it[j].lo, d->it[j].target,
			    tree_nodes(b, i, j - 1, below));
	case CH_CHAIN_LO:
		return chain_nodes(b, i, j, i);
	case CH_CHAIN_HI:
		return chain_nodes(b, i, j, j);
	}
	size_t m = (size_t)ch;
	int right = tree_nodes(b, m + 1, j, below);
	return ltree_cons(b->g, BPF_JMP | BPF_JGE | BPF_K, d->it[m + 1].lo, right,
		    tree_nodes(b, i, m, below));
}

size_t ltree_item_of(const struct ltree_item *it, size_t n, uint32_t x)
{
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (it[mid].lo <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int by_weight(const void *x, const void *y)
{
	const struct ltree_hot *a = x, *b = y;
	return a->w > b->w ? -1 : a->w < b->w;
}

static int by_value(const void *x, const void *y)
{
	const struct ltree_hot *a = x, *b = y;
	return a->value < b->value ? -1 : a->value > b->value;
}

/* One entry per value (names that share a number on an arch add up),
 * hottest first. Returns the new count. */
static size_t merge_hot(struct ltree_hot *hot, size_t n)
{
	size_t m = 0;
	qsort(hot, n, sizeof(*hot), by_value);
	for (size_t i = 0; i < n; i++) {
		if (m && hot[m - 1].value == hot[i].value)
			hot[m - 1].w += hot[i].w;
		else
			hot[m++] = hot[i];
	}
	qsort(hot, m, sizeof(*hot), by_weight);
	return m;
}

/* Solves the tree for IT with the first K of HOT peeled off as jeq; returns
 * its expected cost (the jeqs included). */
static double solve_peeled(struct dp *d, const struct ltree_hot *hot, size_t k)
{
	double peeled = 0, cost = 0, total = 0;
	for (size_t i = 0; i < d->n; i++) {
		d->w[i] = d->it[i].w;
		total += d->w[i];
	}
	for (size_t r = 0; r < k; r++) {
		double *w = &d->w[ltree_item_of(d->it, d->n, hot[r].value)];
		*w = *w > hot[r].w ? *w - hot[r].w : 0;
		cost += (double)(r + 1) * hot[r].w;
		peeled += hot[r].w;
	}
	if (d->bound && k > d->bound)
		return INF;
	/* The unbounded search first: O(n^2), and when its tree keeps to the
	 * bound it is the best bounded one too. */
	d->depth = 0;
	dp_solve(d);
	if (d->bound && unbounded_depth(d, 0, d->n - 1) + k > d->bound) {
		if (k == d->bound)
			return INF;   /* no comparison left for the tree */
		d->depth = d->bound - (unsigned)k;
		dp_solve(d);
	}
	double tree = d->depth ? d->bcost[bat(d, d->depth, 0, d->n - 1)] :
		      d->n > DP_MAX ? total : d->cost[d->n - 1];
	if (tree >= INF)
		return INF;   /* the peeled jeqs leave the tree too little depth */
	return cost + (double)k * (total - peeled) + tree;
}

/* The comparison tree over IT (sorted, covering the 32-bit range), with
 * the best number of HOT values tested first: a graph node, or -1. */
int ltree_build(struct ltree_graph *g, const struct ltree_item *it, size_t n, struct ltree_hot *hot, size_t nhot)
{
	struct builder b = { g, { it, n, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL } };
	b.dp.w = mem_calloc(n, sizeof(double));
	b.dp.pre = mem_calloc(n + 1, sizeof(double));
	b.dp.run = mem_calloc(n, sizeof(size_t));
	if (n > 1 && n <= BOUND_MAX) {
		b.dp.bound = balanced_depth(n);
		size_t cells = ((size_t)b.dp.bound + 1) * n * n;
		b.dp.bcost = mem_alloc(cells * sizeof(double));
		b.dp.bchoice = mem_alloc(cells * sizeof(int));
	}
	if (n <= DP_MAX) {   /* the tables are bounded by DP_MAX * DP_MAX cells */
		b.dp.cost = mem_alloc(n * n * sizeof(double));
		b.dp.choice = mem_alloc(n * n * sizeof(int));
		b.dp.split = mem_alloc(n * n * sizeof(size_t));
	}
	nhot = merge_hot(hot, nhot);
	/* Peel the hottest values one more at a time while that pays; the
	 * DP tables then hold the best tree unless the last try lost. */
	size_t best_k = 0, last = 0;
	double best = 1e300;
	for (size_t k = 0; k <= PEEL_MAX && k <= nhot; k++) {
		double c = solve_peeled(&b.dp, hot, k);
		last = k;
		if (c >= best - 1e-12)
			break;
		best = c;
		best_k = k;
	}
	if (last != best_k)
		solve_peeled(&b.dp, hot, best_k);
	int node = tree_nodes(&b, 0, n - 1, b.dp.depth);
	for (size_t r = best_k; r-- > 0 && node >= 0;)
		node = ltree_cons(g, BPF_JMP | BPF_JEQ | BPF_K, hot[r].value,
			    it[ltree_item_of(it, n, hot[r].value)].target, node);
	free(b.dp.w);
	free(b.dp.pre);
	free(b.dp.run);
	free(b.dp.cost);
	free(b.dp.choice);
	free(b.dp.split);
	free(b.dp.bcost);
	free(b.dp.bchoice);
	return node;
}
