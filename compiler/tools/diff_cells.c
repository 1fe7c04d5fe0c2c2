/* The cells of a set of comparisons on one argument: the classes of
 * values on which every comparison has the same truth value, one member
 * of each. `sysfence diff` compares two sources exactly by evaluating them
 * on one member of each cell per argument (see diff_cands.c).
 *
 * The values are walked bit by bit from the top, as a comparison is
 * decided: for `(x & m) op v` all that matters about a prefix of x is
 * whether its masked bits are so far equal to v's, already below, or
 * already above; for `in {...}`, which elements it still equals. Prefixes
 * in the same state for every comparison behave alike from there on, so
 * one is kept per state (the smallest). After the last bit each state
 * left is a reachable combination of truth values with its witness. This
 * is exact whatever the masks, where splitting argsets by each comparison
 * and its negation grows too many terms (`!=` alone is 64 of them), and
 * where boundary values miss cells: `(x & 0xf0) == 0x10 && (x & 0x0f) ==
 * 1` holds only at 0x11, no boundary of either comparison. */
#define _GNU_SOURCE   /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "tools/diff.h"

#define STATES_MAX 4096
#define ATOMS_PER_ARG 64

enum { SO_FAR_EQUAL, SO_FAR_BELOW, SO_FAR_ABOVE };

struct walk {
	const struct atom *const *atoms;
	size_t n;
	size_t words;            /* per state: the prefix, then one per atom */
};

static int is_set(const struct atom *at)
{
	return at->op == OP_IN || at->op == OP_NOT_IN;
}

/* Where an atom stands before any bit is read. */
static uint64_t start(const struct atom *at)
{
	if (!is_set(at))
		return SO_FAR_EQUAL;
	return at->nset == 64 ? ~0ull : (1ull << at->nset) - 1;   /* every element still equal */
}

/* The state of AT after the bit BIT of x is XB. */
static uint64_t step(const struct atom *at, uint64_t s, int bit, uint64_t xb)
{
	uint64_t W = width_mask(at->width);
	uint64_t m = (at->mask & W) >> bit & 1, y = xb & m;
	if (is_set(at)) {
		for (size_t j = 0; j < at->nset; j++)
			if ((s >> j & 1) && ((at->set[j] & W) >> bit & 1) != y)
				s &= ~(1ull << j);
		return s;
	}
	if (s != SO_FAR_EQUAL)
		return s;
	uint64_t vb = (at->value & W) >> bit & 1;
	if (y == vb)
		return s;
	/* For == and != only "equal or not" matters: one state for both. */
	if (at->op == OP_EQ || at->op == OP_NE)
		return SO_FAR_BELOW;
	return y < vb ? SO_FAR_BELOW : SO_FAR_ABOVE;
}

static int truth(const struct atom *at, uint64_t s)
{
	switch (at->op) {
	case OP_EQ: return s == SO_FAR_EQUAL;
	case OP_NE: return s != SO_FAR_EQUAL;
	case OP_LT: return s == SO_FAR_BELOW;
	case OP_LE: return s != SO_FAR_ABOVE;
	case OP_GT: return s == SO_FAR_ABOVE;
	case OP_GE: return s != SO_FAR_BELOW;
	case OP_IN: return s != 0;
	case OP_NOT_IN: return s == 0;
	}
	return 0;
}

/* Orders states by their atoms' states, then by prefix, so that the first
 * of equal states has the smallest prefix. */
static int by_state(const void *x, const void *y, void *arg)
{
	const uint64_t *p = x, *q = y;
	size_t words = *(const size_t *)arg;
	for (size_t i = 1; i <= words; i++) {
		size_t k = i % words;   /* the atoms first, the prefix (word 0) last */
		if (p[k] != q[k])
			return p[k] < q[k] ? -1 : 1;
	}
	return 0;
}

static size_t dedupe(uint64_t *v, size_t count, size_t words)
{
	qsort_r(v, count, words * sizeof(*v), by_state, &words);
	size_t m = 0;
	for (size_t i = 0; i < count; i++) {
		uint64_t *s = v + i * words;
		if (m && memcmp(v + (m - 1) * words + 1, s + 1, (words - 1) * sizeof(*s)) == 0)
			continue;
		memmove(v + m++ * words, s, words * sizeof(*s));
	}
	return m;
}

size_t atom_cells(const struct atom *const *atoms, size_t n, uint64_t *out, size_t max)
{
	if (n > ATOMS_PER_ARG)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (is_set(atoms[i]) && atoms[i]->nset > 64)
			return 0;
	size_t words = 1 + n, count = 1;
	uint64_t *cur = mem_alloc(2 * STATES_MAX * words * sizeof(*cur));
	uint64_t *next = mem_alloc(2 * STATES_MAX * words * sizeof(*next));
	cur[0] = 0;
	for (size_t i = 0; i < n; i++)
		cur[1 + i] = start(atoms[i]);
	for (int bit = 63; bit >= 0 && count; bit--) {
		size_t m = 0;
		for (size_t s = 0; s < count; s++)
			for (uint64_t xb = 0; xb < 2; xb++) {
				const uint64_t *from = cur + s * words;
				uint64_t *to = next + m++ * words;
				to[0] = from[0] | xb << bit;
				for (size_t i = 0; i < n; i++)
					to[1 + i] = step(atoms[i], from[1 + i], bit, xb);
			}
		count = dedupe(next, m, words);
		if (count > STATES_MAX)
			count = 0;
		uint64_t *t = cur;
		cur = next;
		next = t;
	}
	/* Now every state is a cell: keep one value per combination of truth
	 * values, and check each against the reference evaluation. */
	for (size_t s = 0; s < count; s++) {
		uint64_t *v = cur + s * words;
		for (size_t i = 0; i < n; i++)
			v[1 + i] = (uint64_t)truth(atoms[i], v[1 + i]);
	}
	count = count ? dedupe(cur, count, words) : 0;
	if (count > max)
		count = 0;
	for (size_t s = 0; s < count; s++) {
		uint64_t *v = cur + s * words, args[6] = { 0 };
		for (size_t i = 0; i < n; i++) {
			args[atoms[i]->arg] = v[0];
			if ((uint64_t)atom_eval(atoms[i], args) != v[1 + i]) {
				count = 0;   /* a bug here: fall back rather than lie */
				break;
			}
		}
		out[s] = v[0];
	}
	free(cur);
	free(next);
	return count;
}
