/* sysfence's own code generator (see codegen.h for why it exists).
 *
 * The program is written backwards, from its last instruction to its
 * first: classic BPF only jumps forward, so every target is already placed
 * when a jump to it is written, and its distance is known. Positions are
 * counted from the end (0 is the last instruction). A conditional jump
 * reaches at most 255 instructions: a farther target gets a JA trampoline
 * right after the jump (or, for a return, a fresh RET), which later jumps
 * reuse.
 *
 * The shape mirrors policy_eval: the arch word (x86_64 and x32 told apart
 * by the number, nr -1 being x86_64's), then per arch a chain of jeq on
 * the number, per syscall its rules' conjunctions in turn, each a test of
 * the value set of every argument it constrains, then the default. A
 * value set (a union of `x & mask == value` terms) is tested as maximal
 * intervals where its terms make few of them, else term by term as masked
 * equality on the words the mask covers. Loads are shared: a block that
 * starts by loading a word has a second entry past the load, which a jump
 * taken with that word already in A goes to. The layout pass relays the
 * dispatch out for speed afterwards. */
#include <stdlib.h>
#include <string.h>

#include "backend/codegen.h"
#include "backend/lower.h"

#define CG_MAX_JUMP 255           /* a conditional jump's 8-bit offset */
#define CG_MAX_BUILD (1u << 20)   /* beyond this, stop writing: it cannot fit */
#define CG_WALK_BUDGET 4096       /* nodes of the walk that finds a set's intervals */
#define CG_IVAL_SLACK 64          /* intervals a set may take beyond 4 per term */
#define CG_NONE ((size_t)-1)
#define CG_OFF_NR 0u
#define CG_OFF_ARCH 4u
#define CG_X32_FIRST 0x40000000u

/* What A holds: the word at OFF of seccomp_data, ANDed with MASK;
 * OFF CG_UNKNOWN when that is not known. */
#define CG_UNKNOWN 0xffffffffu
struct cg_acc {
	uint32_t off, mask;
};

/* One way into a block: at POS, for when A holds ACC (e[0] of a label:
 * whatever A holds). */
struct cg_entry {
	size_t pos;
	struct cg_acc acc;
};

struct cg_label {
	int is_ret;
	uint32_t ret;
	struct cg_entry e[3];
	int n;
};

struct cg_ret {
	uint32_t action;
	struct cg_label *label;
};

struct cg {
	struct arena *a;
	struct sock_filter *v;   /* in reverse order */
	size_t n, cap;
	struct cg_ret *rets;
	size_t nrets, caprets;
};

static const struct cg_acc cg_any = { CG_UNKNOWN, 0 };

static struct cg_acc cg_word(uint32_t off, uint32_t mask)
{
	return (struct cg_acc){ off, mask };
}

static size_t cg_push(struct cg *g, uint16_t code, size_t jt, size_t jf, uint32_t k)
{
	if (g->n >= CG_MAX_BUILD)
		return g->n - 1;   /* the build fails on its size anyway */
	g->v = arena_grow(g->a, g->v, g->n, &g->cap, sizeof(*g->v));
	g->v[g->n] = (struct sock_filter){ code, (uint8_t)jt, (uint8_t)jf, k };
	return g->n++;
}

static struct cg_label *cg_label_at(struct cg *g, size_t pos)
{
	struct cg_label *l = arena_alloc(g->a, sizeof(*l));
	l->e[0] = (struct cg_entry){ pos, cg_any };
	l->n = 1;
	return l;
}

/* The label of a return of ACTION, shared by every jump to it. */
static struct cg_label *cg_ret(struct cg *g, uint32_t action)
{
	for (size_t i = 0; i < g->nrets; i++)
		if (g->rets[i].action == action)
			return g->rets[i].label;
	struct cg_label *l = cg_label_at(g, CG_NONE);
	l->is_ret = 1;
	l->ret = action;
	g->rets = arena_grow(g->a, g->rets, g->nrets, &g->caprets, sizeof(*g->rets));
	g->rets[g->nrets++] = (struct cg_ret){ action, l };
	return l;
}

/* The entry of L to take when A holds ACC: the one past the most work. */
static struct cg_entry *cg_entry_for(struct cg_label *l, struct cg_acc acc)
{
	struct cg_entry *best = &l->e[0];
	for (int i = 1; i < l->n; i++)
		if (acc.off != CG_UNKNOWN && l->e[i].acc.off == acc.off && l->e[i].acc.mask == acc.mask)
			best = &l->e[i];
	return best;
}

/* The position a jump written next (after SLACK more instructions) takes
 * to reach L with ACC in A: within a conditional jump's reach, by a fresh
 * RET or a JA trampoline written now when L is farther. */
static size_t cg_reach(struct cg *g, struct cg_label *l, struct cg_acc acc, size_t slack)
{
	struct cg_entry *e = cg_entry_for(l, acc);
	if (e->pos != CG_NONE && g->n + slack - e->pos - 1 <= CG_MAX_JUMP)
		return e->pos;
	if (l->is_ret)
		e->pos = cg_push(g, BPF_RET | BPF_K, 0, 0, l->ret);
	else
		e->pos = cg_push(g, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(g->n - e->pos - 1));
	return e->pos;
}

/* Makes the next instruction (the last one written) where L starts with
 * ACC in A, for code that falls through into L. */
static void cg_fall(struct cg *g, struct cg_label *l, struct cg_acc acc)
{
	struct cg_entry *e = cg_entry_for(l, acc);
	if (e->pos != CG_NONE && e->pos + 1 == g->n)
		return;
	if (l->is_ret)
		e->pos = cg_push(g, BPF_RET | BPF_K, 0, 0, l->ret);
	else
		e->pos = cg_push(g, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(g->n - e->pos - 1));
}

/* A jump on A OP K (with ACC in A) to T when taken, else to F. */
static struct cg_label *cg_jump(struct cg *g, uint16_t op, uint32_t k, struct cg_acc acc,
				struct cg_label *t, struct cg_label *f)
{
	size_t pf = cg_reach(g, f, acc, 1);
	size_t pt = cg_reach(g, t, acc, 0);
	size_t jt = g->n - pt - 1, jf = g->n - pf - 1;
	return cg_label_at(g, cg_push(g, BPF_JMP | op | BPF_K, jt, jf, k));
}

/* "ld [OFF]; and #MASK" (no and for all ones) before REST, which expects
 * that in A; the label has entries past the load and past the and. */
static struct cg_label *cg_with_load(struct cg *g, uint32_t off, uint32_t mask,
				     struct cg_label *rest)
{
	struct cg_acc raw = cg_word(off, ~0u), masked = cg_word(off, mask);
	struct cg_label *l = arena_alloc(g->a, sizeof(*l));
	cg_fall(g, rest, masked);
	l->e[1] = (struct cg_entry){ g->n - 1, masked };
	l->n = 2;
	if (mask != ~0u) {
		l->e[l->n++] = (struct cg_entry){ cg_push(g, BPF_ALU | BPF_AND | BPF_K, 0, 0, mask),
						  raw };
	}
	l->e[0] = (struct cg_entry){ cg_push(g, BPF_LD | BPF_W | BPF_ABS, 0, 0, off), cg_any };
	return l;
}

/* L <= A <= H, A holding ACC (at most MAX). */
static struct cg_label *cg_range32(struct cg *g, struct cg_acc acc, uint32_t L, uint32_t H,
				   uint32_t max, struct cg_label *yes, struct cg_label *no)
{
	if (L == H)
		return cg_jump(g, BPF_JEQ, L, acc, yes, no);
	if (L == 0 && H >= max)
		return yes;
	if (L == 0)
		return cg_jump(g, BPF_JGT, H, acc, no, yes);
	if (H >= max)
		return cg_jump(g, BPF_JGE, L, acc, yes, no);
	struct cg_label *upper = cg_jump(g, BPF_JGT, H, acc, no, yes);
	return cg_jump(g, BPF_JGE, L, acc, upper, no);
}

/* The word at OFF, ANDed with MASK, in [L, H]. */
static struct cg_label *cg_word_range(struct cg *g, uint32_t off, uint32_t mask, uint32_t L,
				      uint32_t H, struct cg_label *yes, struct cg_label *no)
{
	if (L == 0 && H >= mask)
		return yes;
	struct cg_acc acc = cg_word(off, mask);
	return cg_with_load(g, off, mask, cg_range32(g, acc, L, H, mask, yes, no));
}

/* The word at OFF, ANDed with M, equal to V: a jset where the and would
 * be its only use of A. */
static struct cg_label *cg_word_masked(struct cg *g, uint32_t off, uint32_t m, uint32_t v,
				       struct cg_label *yes, struct cg_label *no)
{
	struct cg_acc raw = cg_word(off, ~0u);
	if (m == 0)
		return yes;
	if ((m & (m - 1)) == 0)
		return cg_with_load(g, off, ~0u, cg_jump(g, BPF_JSET, m, raw, v ? yes : no, v ? no : yes));
	if (v == 0)
		return cg_with_load(g, off, ~0u, cg_jump(g, BPF_JSET, m, raw, no, yes));
	if (m == ~0u)
		return cg_with_load(g, off, ~0u, cg_jump(g, BPF_JEQ, v, raw, yes, no));
	return cg_with_load(g, off, m, cg_jump(g, BPF_JEQ, v, cg_word(off, m), yes, no));
}

/* An argument's words in seccomp_data (little-endian on every arch we
 * target): the low one at 16 + 8 * ARG, the high one 4 bytes on. */
static uint32_t cg_lo(int arg)
{
	return 16u + 8u * (uint32_t)arg;
}

static uint32_t cg_hi(int arg)
{
	return cg_lo(arg) + 4u;
}

/* x & M == V for argument ARG: the high word first, where M covers it. */
static struct cg_label *cg_term(struct cg *g, int arg, struct term t, struct cg_label *yes,
				struct cg_label *no)
{
	struct cg_label *lo = cg_word_masked(g, cg_lo(arg), (uint32_t)t.mask, (uint32_t)t.value, yes, no);
	return cg_word_masked(g, cg_hi(arg), (uint32_t)(t.mask >> 32), (uint32_t)(t.value >> 32), lo, no);
}

/* L <= x <= H on the low WIDTH bits of argument ARG. */
static struct cg_label *cg_interval(struct cg *g, int arg, unsigned width, uint64_t L, uint64_t H,
				    struct cg_label *yes, struct cg_label *no)
{
	uint64_t W = width_mask(width);
	if (width <= 32)
		return cg_word_range(g, cg_lo(arg), (uint32_t)W, (uint32_t)L, (uint32_t)H, yes, no);
	uint32_t mh = (uint32_t)(W >> 32), Lh = (uint32_t)(L >> 32), Hh = (uint32_t)(H >> 32);
	uint32_t Ll = (uint32_t)L, Hl = (uint32_t)H, hi = cg_hi(arg);
	struct cg_acc acc = cg_word(hi, mh);
	if (Lh == Hh) {
		struct cg_label *lo = cg_word_range(g, cg_lo(arg), ~0u, Ll, Hl, yes, no);
		return cg_with_load(g, hi, mh, cg_jump(g, BPF_JEQ, Lh, acc, lo, no));
	}
	/* Above the low bound's high word: only the high bound is left. */
	struct cg_label *up = yes;
	if (Hl == ~0u && Hh < mh)
		up = cg_jump(g, BPF_JGT, Hh, acc, no, yes);
	else if (Hl != ~0u) {
		struct cg_label *uplo = cg_word_range(g, cg_lo(arg), ~0u, 0, Hl, yes, no);
		up = cg_jump(g, BPF_JEQ, Hh, acc, uplo, yes);
		up = cg_jump(g, BPF_JGT, Hh, acc, no, up);
	}
	struct cg_label *start = up;
	if (Ll == 0 && Lh != 0)
		start = cg_jump(g, BPF_JGE, Lh, acc, up, no);
	else if (Ll != 0) {
		struct cg_label *lowlo = cg_word_range(g, cg_lo(arg), ~0u, Ll, ~0u, yes, no);
		start = cg_jump(g, BPF_JEQ, Lh, acc, lowlo, no);
		start = cg_jump(g, BPF_JGT, Lh, acc, up, start);
	}
	return start == yes ? yes : cg_with_load(g, hi, mh, start);
}

struct cg_ival {
	uint64_t lo, hi;
};

/* The free bits of a term that form a run from bit 0: the term is an
 * interval when its other free bits are only those above the width. */
static uint64_t cg_low_run(uint64_t free_bits)
{
	return free_bits & ~(free_bits + 1);
}

/* The walk that turns a set into intervals: down the bits of the value
 * from the top, each node the values that share a prefix, until a term
 * covers a node whole or none is left in it. Ascending, so intervals
 * merge as they come. */
struct cg_walk {
	struct cg_ival *v;
	size_t n, max;           /* intervals found; more than MAX fails */
	size_t budget;           /* nodes left to visit */
	uint64_t W;
	struct term *level[65];  /* the terms left at each depth */
};

static int cg_walk_add(struct cg_walk *w, uint64_t lo, uint64_t hi)
{
	if (w->n && lo - 1 == w->v[w->n - 1].hi) {
		w->v[w->n - 1].hi = hi;
		return 0;
	}
	if (w->n == w->max)
		return -1;
	w->v[w->n++] = (struct cg_ival){ lo, hi };
	return 0;
}

/* The values below bit BIT free, above it PREFIX, that T[0..N) (terms
 * that agree with PREFIX) hold. */
static int cg_walk_node(struct cg_walk *w, const struct term *t, size_t n, uint64_t prefix,
			unsigned bit)
{
	uint64_t below = width_mask(bit) & w->W;
	if (n == 0)
		return 0;
	if (w->budget-- == 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!(t[i].mask & below))
			return cg_walk_add(w, prefix, prefix | below);
	uint64_t b = 1ull << (bit - 1);
	for (int side = 0; side < 2; side++) {
		struct term *sub = w->level[bit - 1];
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (!(t[i].mask & b) || !!(t[i].value & b) == side)
				sub[m++] = t[i];
		if (cg_walk_node(w, sub, m, prefix | (side ? b : 0), bit - 1))
			return -1;
	}
	return 0;
}

/* S on the low WIDTH bits as maximal intervals in *OUT, *N, when it takes
 * no more of them than a binary search over them is worth (a few per
 * term: a search costs about two instructions per interval but runs
 * through only the logarithm of them) and the walk stays small; else -1. */
static int cg_intervals(struct arena *a, struct argset s, unsigned width, struct cg_ival **out,
			size_t *n)
{
	size_t max = 4 * s.n + CG_IVAL_SLACK;
	struct cg_walk w = { .max = max, .budget = CG_WALK_BUDGET + 2 * 65 * max,
			     .W = width_mask(width) };
	w.v = arena_alloc(a, (max + 1) * sizeof(*w.v));
	for (unsigned i = 0; i < width; i++)
		w.level[i] = arena_alloc(a, (s.n + 1) * sizeof(struct term));
	if (cg_walk_node(&w, s.t, s.n, 0, width))
		return -1;
	*out = w.v;
	*n = w.n;
	return 0;
}

/* A word's values from START up to the next segment's start, all going
 * to TO: a search partitions a word's range into them. */
struct cg_seg {
	uint32_t start;
	struct cg_label *to;
};

/* Appends the segment from START to TO to V[0..*N), merged into the last
 * one when it goes to the same place. */
static void cg_seg_add(struct cg_seg *v, size_t *n, uint32_t start, struct cg_label *to)
{
	if (*n && v[*n - 1].to == to)
		return;
	v[(*n)++] = (struct cg_seg){ start, to };
}

/* A balanced binary search over the segments S[0..N) of the word in A
 * (ACC): jge on the middle bound, the lower half
 * falling through. A lone value between two segments of one target is a
 * single jeq. The middle is taken at an even index, so that alternating
 * runs of lone values (an `in` of scattered values) split between the
 * values, never inside the jeq of one. Depth: about log2(N). */
static struct cg_label *cg_search(struct cg *g, struct cg_acc acc, const struct cg_seg *s,
				  size_t n)
{
	if (n == 1)
		return s[0].to;
	if (n == 3 && s[0].to == s[2].to && s[1].start == s[2].start - 1)
		return cg_jump(g, BPF_JEQ, s[1].start, acc, s[1].to, s[0].to);
	size_t m = n / 2;
	if (n > 3 && (m & 1))
		m++;
	struct cg_label *upper = cg_search(g, acc, s + m, n - m);
	struct cg_label *lower = cg_search(g, acc, s, m);
	return cg_jump(g, BPF_JGE, s[m].start, acc, upper, lower);
}

/* The intervals IV[0..N) of values in [0, MAX] of the word at OFF (ANDed
 * with MAX) as a search: YES inside, NO elsewhere. */
static struct cg_label *cg_word_search(struct cg *g, uint32_t off, uint32_t max,
				       const struct cg_ival *iv, size_t n, struct cg_label *yes,
				       struct cg_label *no)
{
	struct cg_seg *seg = arena_alloc(g->a, (2 * n + 2) * sizeof(*seg));
	size_t ns = 0;
	uint64_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		if (iv[i].lo > pos)
			cg_seg_add(seg, &ns, (uint32_t)pos, no);
		cg_seg_add(seg, &ns, (uint32_t)iv[i].lo, yes);
		pos = iv[i].hi + 1;
	}
	if (pos <= max)
		cg_seg_add(seg, &ns, (uint32_t)pos, no);
	if (ns == 1)
		return seg[0].to;
	return cg_with_load(g, off, max, cg_search(g, cg_word(off, max), seg, ns));
}

/* Part of a set of wide values: the high words H1..H2, and of each the
 * low words LO..HI (all of them when H1 < H2). */
struct cg_piece {
	uint32_t h1, h2;
	uint32_t lo, hi;
};

/* The intervals IV[0..N) cut where the high word changes, in *OUT
 * (3 per interval at most): the part in the first high word, the high
 * words covered whole, the part in the last one. Returns how many. */
static size_t cg_pieces(struct arena *a, const struct cg_ival *iv, size_t n,
			struct cg_piece **out)
{
	struct cg_piece *p = arena_alloc(a, (3 * n + 1) * sizeof(*p));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t ha = (uint32_t)(iv[i].lo >> 32), hb = (uint32_t)(iv[i].hi >> 32);
		uint32_t al = (uint32_t)iv[i].lo, bl = (uint32_t)iv[i].hi;
		if (ha == hb) {
			p[k++] = (struct cg_piece){ ha, ha, al, bl };
			continue;
		}
		uint64_t first = ha, last = hb;
		if (al != 0) {
			p[k++] = (struct cg_piece){ ha, ha, al, ~0u };
			first++;
		}
		if (bl != ~0u)
			last--;
		if (first <= last)
			p[k++] = (struct cg_piece){ (uint32_t)first, (uint32_t)last, 0, ~0u };
		if (bl != ~0u)
			p[k++] = (struct cg_piece){ hb, hb, 0, bl };
	}
	*out = p;
	return k;
}

/* Argument ARG (WIDTH > 32 bits) in the intervals IV[0..N): a search on
 * the high word, whose values with part of their low words in the set go
 * to a search on the low word (the values that share a high word
 * grouped), the others straight to YES or NO. */
static struct cg_label *cg_wide_search(struct cg *g, int arg, unsigned width,
				       const struct cg_ival *iv, size_t n, struct cg_label *yes,
				       struct cg_label *no)
{
	uint32_t mh = (uint32_t)(width_mask(width) >> 32);
	struct cg_piece *p;
	size_t np = cg_pieces(g->a, iv, n, &p), ns = 0;
	struct cg_seg *seg = arena_alloc(g->a, (2 * np + 2) * sizeof(*seg));
	struct cg_ival *part = arena_alloc(g->a, (np + 1) * sizeof(*part));
	uint64_t pos = 0;   /* the first high word not yet placed */
	for (size_t i = 0; i < np;) {
		uint32_t h = p[i].h1;
		if (h > pos)
			cg_seg_add(seg, &ns, (uint32_t)pos, no);
		if (p[i].lo == 0 && p[i].hi == ~0u) {
			cg_seg_add(seg, &ns, h, yes);
			pos = (uint64_t)p[i++].h2 + 1;
			continue;
		}
		size_t k = 0;
		for (; i < np && p[i].h1 == h; i++)
			part[k++] = (struct cg_ival){ p[i].lo, p[i].hi };
		cg_seg_add(seg, &ns, h, cg_word_search(g, cg_lo(arg), ~0u, part, k, yes, no));
		pos = (uint64_t)h + 1;
	}
	if (pos <= mh)
		cg_seg_add(seg, &ns, (uint32_t)pos, no);
	if (ns == 1)
		return seg[0].to;
	return cg_with_load(g, cg_hi(arg), mh, cg_search(g, cg_word(cg_hi(arg), mh), seg, ns));
}

/* When S is a union of single-bit terms on distinct bits (what != and
 * masked != give), the one term of its complement in *C. */
static int cg_complement(struct argset s, struct term *c)
{
	*c = (struct term){ 0, 0 };
	if (s.n < 2)
		return 0;
	for (size_t i = 0; i < s.n; i++) {
		uint64_t m = s.t[i].mask;
		if (!m || (m & (m - 1)) || (c->mask & m))
			return 0;
		c->mask |= m;
		c->value |= ~s.t[i].value & m;
	}
	return 1;
}

/* Is argument ARG (of WIDTH bits) in S? */
static struct cg_label *cg_set(struct cg *g, int arg, unsigned width, struct argset s,
			       struct cg_label *yes, struct cg_label *no)
{
	struct cg_ival *iv;
	size_t niv;
	struct term c;
	if (argset_is_all(s))
		return yes;
	if (cg_complement(s, &c))
		return cg_set(g, arg, width, (struct argset){ &c, 1 }, no, yes);
	if (!cg_intervals(g->a, s, width, &iv, &niv)) {
		if (width <= 32)
			return cg_word_search(g, cg_lo(arg), (uint32_t)width_mask(width), iv, niv,
					      yes, no);
		return cg_wide_search(g, arg, width, iv, niv, yes, no);
	}
	uint64_t W = width_mask(width);
	for (size_t i = s.n; i-- > 0;) {
		uint64_t f = ~s.t[i].mask & W, low = cg_low_run(f);
		if (f == low)
			no = cg_interval(g, arg, width, s.t[i].value, s.t[i].value | low, yes, no);
		else
			no = cg_term(g, arg, s.t[i], yes, no);
	}
	return no;
}

/* The width of argument ARG in conjunction C: the widest atom on it. */
static unsigned cg_arg_width(const struct conj *c, int arg)
{
	unsigned w = 1;
	for (size_t i = 0; i < c->n; i++)
		if (c->atoms[i].arg == arg && c->atoms[i].width > w)
			w = c->atoms[i].width;
	return w;
}

static int cg_always(const struct rule *r, size_t k)
{
	for (int arg = 0; arg < 6; arg++)
		if (!argset_is_all(r->sets[k][arg]))
			return 0;
	return 1;
}

/* One conjunction of a syscall's rules, as the tree over them sees it:
 * the value set and width of each argument (one tested already on the
 * way here is left as all values), and the action. */
struct cg_item {
	struct argset s[6];
	unsigned w[6];
	uint32_t action;
};

/* Every value: one term without a mask. */
static const struct term cg_all_term = { 0, 0 };

static int cg_set_same(struct argset x, struct argset y)
{
	return x.n == y.n && !memcmp(x.t, y.t, x.n * sizeof(*x.t));
}

/* The one argument IT constrains; -1 for none, -2 for several. */
static int cg_sole_arg(const struct cg_item *it)
{
	int sole = -1;
	for (int a = 0; a < 6; a++)
		if (!argset_is_all(it->s[a]))
			sole = sole == -1 ? a : -2;
	return sole;
}

/* Joins each run of items with one action that constrain only the same
 * argument, at one width, into one item of the union of their sets (the
 * first match among them is any match), so that the run is one search
 * over the argument's values rather than a test per item. Returns the
 * new N. */
static size_t cg_join(struct arena *a, struct cg_item *v, size_t n)
{
	size_t out = 0;
	for (size_t i = 0; i < n;) {
		int arg = cg_sole_arg(&v[i]);
		size_t j = i + 1, terms = arg >= 0 ? v[i].s[arg].n : 0;
		while (arg >= 0 && j < n && v[j].action == v[i].action && cg_sole_arg(&v[j]) == arg &&
		       v[j].w[arg] == v[i].w[arg])
			terms += v[j++].s[arg].n;
		v[out] = v[i];
		if (j > i + 1) {
			struct term *t = arena_alloc(a, (terms + 1) * sizeof(*t));
			size_t k = 0;
			for (size_t m = i; m < j; m++) {
				memcpy(t + k, v[m].s[arg].t, v[m].s[arg].n * sizeof(*t));
				k += v[m].s[arg].n;
			}
			v[out].s[arg] = (struct argset){ t, k };
		}
		out++;
		i = j;
	}
	return out;
}

static struct cg_label *cg_items(struct cg *g, struct cg_item *v, size_t n, struct cg_label *next);

/* The items V[0..N), which all have the same set on argument ARG: that
 * set tested once, then the items without it; NEXT when it fails. */
static struct cg_label *cg_group(struct cg *g, const struct cg_item *v, size_t n, int arg,
				 struct cg_label *next)
{
	struct cg_item *rest = arena_alloc(g->a, (n + 1) * sizeof(*rest));
	for (size_t i = 0; i < n; i++) {
		rest[i] = v[i];
		rest[i].s[arg] = (struct argset){ (struct term *)&cg_all_term, 1 };
	}
	struct cg_label *inner = cg_items(g, rest, n, next);
	return cg_set(g, arg, v[0].w[arg], v[0].s[arg], inner, next);
}

/* The items V[0..N) in turn, the first that matches deciding, NEXT when
 * none does: a decision tree in which consecutive items that test the
 * same set on their first argument share that test (and its load). The
 * recursion is as deep as there are arguments, not items. */
static struct cg_label *cg_items(struct cg *g, struct cg_item *v, size_t n, struct cg_label *next)
{
	n = cg_join(g->a, v, n);
	size_t *start = arena_alloc(g->a, (n + 1) * sizeof(*start));
	int *arg = arena_alloc(g->a, (n + 1) * sizeof(*arg));
	size_t groups = 0;
	for (size_t i = 0; i < n;) {
		int a = 0;
		while (a < 6 && argset_is_all(v[i].s[a]))
			a++;
		size_t j = i + 1;
		while (a < 6 && j < n && v[j].w[a] == v[i].w[a] && cg_set_same(v[j].s[a], v[i].s[a]))
			j++;
		start[groups] = i;
		arg[groups++] = a;
		i = j;
	}
	start[groups] = n;
	for (size_t k = groups; k-- > 0;) {
		size_t i = start[k];
		next = arg[k] == 6 ? cg_ret(g, v[i].action)
				   : cg_group(g, v + i, start[k + 1] - i, arg[k], next);
	}
	return next;
}

/* One syscall's rules R[0..N): their conjunctions in turn, then DFLT. */
static struct cg_label *cg_syscall(struct cg *g, struct rule *const *r, size_t n,
				   struct cg_label *dflt)
{
	size_t ni = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < r[i]->dnf.n; k++)
			if (cg_always(r[i], k))
				return cg_ret(g, r[i]->action);
		ni += r[i]->dnf.n;
	}
	struct cg_item *v = arena_alloc(g->a, (ni + 1) * sizeof(*v));
	ni = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < r[i]->dnf.n; k++, ni++) {
			for (int arg = 0; arg < 6; arg++) {
				v[ni].s[arg] = r[i]->sets[k][arg];
				v[ni].w[arg] = cg_arg_width(&r[i]->dnf.c[k], arg);
			}
			v[ni].action = r[i]->action;
		}
	return cg_items(g, v, ni, dflt);
}

static int cg_by_nr(const void *x, const void *y)
{
	const struct rule *a = *(struct rule *const *)x, *b = *(struct rule *const *)y;
	return a->nr < b->nr ? -1 : a->nr > b->nr;
}

/* AP's rules that are not dropped, by number, in *N. */
static struct rule **cg_sorted(struct arena *a, const struct arch_policy *ap, size_t *n)
{
	struct rule **v = arena_alloc(a, (ap->rules.n + 1) * sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < ap->rules.n; i++) {
		struct rule *r = ap->rules.v[i];
		if (!r->dropped)
			v[(*n)++] = r;
	}
	qsort(v, *n, sizeof(*v), cg_by_nr);
	return v;
}

/* One arch: the number loaded, a jeq per syscall with rules, the default. */
static struct cg_label *cg_arch(struct cg *g, const struct policy_build *pb, int arch)
{
	size_t n, groups = 0;
	struct rule **r = cg_sorted(g->a, &pb->per_arch[arch], &n);
	struct cg_label **body = arena_alloc(g->a, (n + 1) * sizeof(*body));
	size_t *first = arena_alloc(g->a, (n + 1) * sizeof(*first));
	struct cg_label *dflt = cg_ret(g, pb->default_action);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || r[i]->nr != r[i - 1]->nr)
			first[groups++] = i;
	first[groups] = n;
	for (size_t k = groups; k-- > 0;)
		body[k] = cg_syscall(g, r + first[k], first[k + 1] - first[k], dflt);
	struct cg_label *next = dflt;
	for (size_t k = groups; k-- > 0;)
		next = cg_jump(g, BPF_JEQ, (uint32_t)r[first[k]]->nr, cg_word(CG_OFF_NR, ~0u), body[k],
			       next);
	return cg_with_load(g, CG_OFF_NR, ~0u, next);
}

/* AUDIT_ARCH_X86_64, split as policy_arch_of splits it: numbers from
 * 0x40000000 up are x32's except -1, which is x86_64's (x32's when the
 * policy does not target x86_64); an untargeted side kills. */
static struct cg_label *cg_x86_64_word(struct cg *g, const struct policy_build *pb)
{
	int x64 = !!(pb->arch_mask & (1u << ARCH_X86_64)), x32 = !!(pb->arch_mask & (1u << ARCH_X32));
	struct cg_label *kill = cg_ret(g, SECCOMP_RET_KILL_PROCESS);
	struct cg_label *l64 = x64 ? cg_arch(g, pb, ARCH_X86_64) : kill;
	struct cg_label *l32 = x32 ? cg_arch(g, pb, ARCH_X32) : kill;
	struct cg_acc nr = cg_word(CG_OFF_NR, ~0u);
	struct cg_label *split = cg_jump(g, BPF_JGE, CG_X32_FIRST, nr, l32, l64);
	struct cg_label *none = cg_jump(g, BPF_JEQ, 0xffffffffu, nr, x64 ? l64 : l32, split);
	return cg_with_load(g, CG_OFF_NR, ~0u, none);
}

/* The whole program, backwards: the arch word last of all. */
static void cg_program(struct cg *g, const struct policy_build *pb)
{
	static const int order[] = { ARCH_X86, ARCH_AARCH64, ARCH_X86_64 };
	struct cg_label *next = cg_ret(g, SECCOMP_RET_KILL_PROCESS);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int a = order[i];
		unsigned want = a == ARCH_X86_64 ? (1u << ARCH_X86_64) | (1u << ARCH_X32) : 1u << a;
		if (!(pb->arch_mask & want))
			continue;
		struct cg_label *body = a == ARCH_X86_64 ? cg_x86_64_word(g, pb) : cg_arch(g, pb, a);
		next = cg_jump(g, BPF_JEQ, arch_table[a].audit_arch, cg_word(CG_OFF_ARCH, ~0u), body, next);
	}
	cg_with_load(g, CG_OFF_ARCH, ~0u, next);
}

int codegen_build(struct arena *a, const struct policy_build *pb, struct diag *d,
		  struct sock_filter **insns, size_t *len)
{
	struct cg g = { .a = a };
	cg_program(&g, pb);
	if (g.n > BPF_MAX_INSNS) {
		if (d)
			diag_error(d, pb->policy->loc,
				   "policy '%s' compiles to %s%zu BPF instructions; the kernel accepts at most %d",
				   pb->policy->name, g.n >= CG_MAX_BUILD ? "more than " : "", g.n,
				   BPF_MAX_INSNS);
		return -1;
	}
	*insns = arena_alloc(a, (g.n + 1) * sizeof(**insns));
	for (size_t i = 0; i < g.n; i++)
		(*insns)[i] = g.v[g.n - 1 - i];
	*len = g.n;
	return 0;
}

/* How many libseccomp comparisons the lowering makes of AT. */
static unsigned cg_weight(const struct atom *at)
{
	if (at->op == OP_IN)
		return (unsigned)at->nset;
	if (at->op == OP_NOT_IN)
		return (unsigned)at->nset + 1;
	return at->op == OP_NE && at->masked ? 2 : 1;
}

/* Are the rules of R's syscall (R among RULES) risky on argument ARG? */
static int cg_risky_arg(const struct ptrvec *rules, const struct rule *r, int arg)
{
	unsigned count = 0;
	for (size_t i = 0; i < rules->n; i++) {
		const struct rule *q = rules->v[i];
		if (q->dropped || q->nr != r->nr)
			continue;
		for (size_t k = 0; k < q->dnf.n; k++)
			for (size_t j = 0; j < q->dnf.c[k].n; j++) {
				const struct atom *at = &q->dnf.c[k].atoms[j];
				if (at->arg != arg || at->width <= 32)
					continue;
				if (at->op >= OP_LT && at->op <= OP_GE)
					return 1;
				count += cg_weight(at);
			}
	}
	return count >= 2;
}

int codegen_preferred(const struct policy_build *pb)
{
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(pb->arch_mask & (1u << a)) || scmp_cmp_bits(a) != 64)
			continue;
		const struct ptrvec *rules = &pb->per_arch[a].rules;
		for (size_t i = 0; i < rules->n; i++) {
			const struct rule *r = rules->v[i];
			for (int arg = 0; !r->dropped && r->cond && arg < 6; arg++)
				if (cg_risky_arg(rules, r, arg))
					return 1;
		}
	}
	return 0;
}
