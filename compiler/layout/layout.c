/* The layout pass (see layout.h and docs/layout.md).
 *
 * 1. Which values of seccomp_data.arch and .nr can the program tell
 *    apart? Every jump on a value loaded from arch or nr compares it with
 *    a constant; those constants cut the 32-bit range into intervals whose
 *    members all take the same path.
 * 2. For one representative of every (arch, nr) interval pair the program
 *    is partially evaluated: loads of arch and nr give known values and
 *    jumps on them are decided; what still depends on the arguments (or
 *    instruction_pointer) is kept. The kept code (the residual) is
 *    hash-consed, so identical residuals, e.g. a plain `ret allow`, are
 *    one node, and adjacent intervals with the same residual merge.
 * 3. In front of the residuals goes a comparison tree over the arch
 *    intervals and, per arch, over the nr intervals, built by dynamic
 *    programming to minimise the expected number of comparisons under the
 *    profile's weights (layout_tree.c). x32's numbers are just more nr
 *    intervals of the x86_64 arch value, so its guard is part of the
 *    search.
 * 4. The graph is laid out in reverse postorder (all jumps forward) and
 *    conditional jumps whose 8-bit offset would overflow get a hop: a
 *    copy of a return, or a JA trampoline. A variant with returns private
 *    to each residual (localise_rets) competes with it.
 * Anything the evaluator does not model makes the pass keep the program
 * as it is. */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "bpf/insn.h"
#include "layout/layout.h"
#include "layout/layout_tree.h"

#define EPSILON 1e-6        /* weight of an interval no profiled syscall is in */
#define OTHER_ARCH 0.01     /* weight of an arch other than the profile's */

/* ---- 1. the intervals ---- */

enum { O_CONST = 1, O_ARCH = 2, O_NR = 4, O_OTHER = 8 };

struct cuts {
	uint32_t *v;
	size_t n, cap;
};

static void cut_at(struct cuts *c, uint64_t at)
{
	if (at > UINT32_MAX)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = mem_realloc(c->v, c->cap, sizeof(*c->v));
	}
	c->v[c->n++] = (uint32_t)at;
}

/* Where a comparison of a value with K can change its outcome. */
static void cut_for(struct cuts *c, enum cbpf_op op, uint32_t k)
{
	if (op == CBPF_JEQ) {
		cut_at(c, k);
		cut_at(c, (uint64_t)k + 1);
	} else {
		cut_at(c, op == CBPF_JGT ? (uint64_t)k + 1 : k);
	}
}

/* A comparison of nr: where it cuts, and the arch every path to it has
 * matched (ARCH_KNOWN 0: not known), so that each arch's intervals come
 * only from the comparisons made on its paths. */
struct nr_cut {
	uint32_t at;
	int arch_known;
	uint32_t arch;
};

struct nr_cuts {
	struct nr_cut *v;
	size_t n, cap;
};

static void nr_cut_at(struct nr_cuts *c, uint64_t at, int known, uint32_t arch)
{
	if (at > UINT32_MAX)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = mem_realloc(c->v, c->cap, sizeof(*c->v));
	}
	c->v[c->n++] = (struct nr_cut){ (uint32_t)at, known, arch };
}

/* What reaches an instruction: which of arch, nr, a constant or something
 * else A may hold, and the arch matched on the way (if one). */
struct cut_state {
	uint8_t o;
	uint8_t arch_known;
	uint32_t arch;
};

static void cut_flow(struct cut_state *to, uint8_t o, int known, uint32_t arch)
{
	if (!to->o) {
		*to = (struct cut_state){ o, (uint8_t)known, arch };
		return;
	}
	to->o |= o;
	if (!known || !to->arch_known || to->arch != arch)
		to->arch_known = 0;
}

/* What a load into A holds: O_NR, O_ARCH, O_CONST, O_OTHER; 0 for what
 * the pass does not model (scratch memory, X). */
static uint8_t load_holds(const struct cbpf_insn *in)
{
	switch (in->src) {
	case CBPF_DATA:
		return in->field == CBPF_FIELD_NR ? O_NR : in->field == CBPF_FIELD_ARCH ? O_ARCH : O_OTHER;
	case CBPF_LEN:
	case CBPF_K:
		return O_CONST;
	default:
		return 0;
	}
}

/* The cuts of the conditional jump IN on a value that may be O, on a
 * path that matched arch AV (KNOWN). Returns -1 when it is not modelled. */
static int jump_cuts(const struct cbpf_insn *in, uint8_t o, int known, uint32_t av,
		     struct cuts *arch, struct nr_cuts *nr)
{
	if (in->src == CBPF_X || (in->op == CBPF_JSET && (o & (O_ARCH | O_NR))))
		return -1;
	if (o & O_ARCH)
		cut_for(arch, in->op, in->k);
	if (o & O_NR) {
		nr_cut_at(nr, in->op == CBPF_JGT ? (uint64_t)in->k + 1 : in->k, known, av);
		if (in->op == CBPF_JEQ)
			nr_cut_at(nr, (uint64_t)in->k + 1, known, av);
	}
	return 0;
}

/* Follows what A may hold at each instruction (a forward pass: every jump
 * goes forward) and collects the constants arch and nr are compared with.
 * Returns -1 when arch or nr flows into anything but a comparison with a
 * constant, or the program uses X or scratch memory. */
static int find_cuts(const struct sock_filter *p, size_t len, struct cuts *arch, struct nr_cuts *nr)
{
	struct cut_state *in = mem_calloc(len + 1, sizeof(*in));
	int bad = 0;
	in[0].o = O_CONST;
	cut_at(arch, 0);
	nr_cut_at(nr, 0, 0, 0);
	for (size_t pc = 0; pc < len && !bad; pc++) {
		uint8_t o = in[pc].o, held;
		int known = in[pc].arch_known;
		uint32_t av = in[pc].arch;
		struct cbpf_insn d;
		if (!o)
			continue;   /* unreachable */
		cbpf_decode(p, len, pc, &d);   /* the program passed bpf_check */
		switch (d.kind) {
		case CBPF_LOAD:
			held = d.dst == CBPF_A ? load_holds(&d) : 0;
			if (held)
				cut_flow(&in[d.jt], held, known, av);
			bad = !held;
			break;
		case CBPF_ALU:
			/* Only on values we do not know: folding is not modelled. */
			bad = d.src == CBPF_X || (o & ~O_OTHER);
			cut_flow(&in[d.jt], o, known, av);
			break;
		case CBPF_JA:
			cut_flow(&in[d.jt], o, known, av);
			break;
		case CBPF_JUMP:
			if (jump_cuts(&d, o, known, av, arch, nr)) {
				bad = 1;
				break;
			}
			if (o == O_ARCH && d.op == CBPF_JEQ)
				cut_flow(&in[d.jt], o, 1, d.k);   /* arch == k from here */
			else
				cut_flow(&in[d.jt], o, known, av);
			cut_flow(&in[d.jf], o, known, av);
			break;
		case CBPF_RET:
			bad = d.src == CBPF_A && (o & (O_ARCH | O_NR));
			break;
		default:
			bad = 1;
		}
	}
	free(in);
	return bad ? -1 : 0;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

/* Sorts the cuts and drops duplicates: interval i is [v[i], v[i+1] - 1],
 * the last one ends at UINT32_MAX. */
static void cuts_finish(struct cuts *c)
{
	qsort(c->v, c->n, sizeof(*c->v), cmp_u32);
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		if (n == 0 || c->v[i] != c->v[n - 1])
			c->v[n++] = c->v[i];
	c->n = n;
}

static uint32_t cut_hi(const struct cuts *c, size_t i)
{
	return i + 1 < c->n ? c->v[i + 1] - 1 : UINT32_MAX;
}

/* The nr intervals of arch interval [ALO, AHI]: cut by the comparisons
 * made on paths that matched an arch in it, or matched none. */
static void nr_cuts_for(const struct nr_cuts *all, uint32_t alo, uint32_t ahi, struct cuts *out)
{
	out->n = 0;
	for (size_t i = 0; i < all->n; i++) {
		const struct nr_cut *c = &all->v[i];
		if (!c->arch_known || (c->arch >= alo && c->arch <= ahi))
			cut_at(out, c->at);
	}
	cuts_finish(out);
}

static int by_arch_nr(const void *x, const void *y)
{
	const struct bpf_verdict *a = x, *b = y;
	if (a->arch != b->arch)
		return a->arch < b->arch ? -1 : 1;
	return a->nr < b->nr ? -1 : a->nr > b->nr;
}

/* The verdict for (ARCH, NR), or NULL. */
static const struct bpf_verdict *verdict_at(const struct bpf_verdict *v, size_t nv,
					       uint32_t arch, uint32_t nr)
{
	struct bpf_verdict key = { arch, nr, 0 };
	return nv ? bsearch(&key, v, nv, sizeof(*v), by_arch_nr) : NULL;
}

/* ---- 2. partial evaluation ---- */

struct memo_slot {
	uint32_t gen, pc, val;
	uint8_t known;
	int node;
};

struct spec {
	const struct sock_filter *p;
	size_t len;
	struct ltree_graph *g;
	uint32_t arch, nr;
	struct memo_slot *memo;
	size_t mcap;       /* power of two, > 2 * budget */
	uint32_t gen;
	size_t steps, budget;
	int bad;
};

static struct memo_slot *memo_at(struct spec *s, size_t pc, int known, uint32_t val)
{
	size_t h = ((pc * 0x9e3779b1u) ^ (known ? val * 0x85ebca6bu + 1 : 0)) & (s->mcap - 1);
	for (;; h = (h + 1) & (s->mcap - 1)) {
		struct memo_slot *m = &s->memo[h];
		if (m->gen != s->gen || (m->pc == pc && m->known == known && m->val == val))
			return m;
	}
}

static int spec_at(struct spec *s, size_t pc, int known, uint32_t val);

/* The residual of a conditional jump IN whose value is known (VAL) or not. */
static int spec_jump(struct spec *s, const struct sock_filter *f, const struct cbpf_insn *in,
		     int known, uint32_t val)
{
	if (known)
		return spec_at(s, cbpf_taken(in->op, val, in->k) ? in->jt : in->jf, 1, val);
	int t = spec_at(s, in->jt, 0, 0);
	int e = spec_at(s, in->jf, 0, 0);
	return t < 0 || e < 0 ? -1 : ltree_cons(s->g, f->code, in->k, t, e);
}

static int spec_insn(struct spec *s, size_t pc, int known, uint32_t val)
{
	const struct sock_filter *f = &s->p[pc];
	struct cbpf_insn in;
	cbpf_decode(s->p, s->len, pc, &in);
	switch (in.kind) {
	case CBPF_LOAD:
		if (in.dst != CBPF_A)
			break;
		if (in.src == CBPF_DATA && (in.field == CBPF_FIELD_NR || in.field == CBPF_FIELD_ARCH))
			return spec_at(s, in.jt, 1, in.field == CBPF_FIELD_NR ? s->nr : s->arch);
		if (in.src == CBPF_DATA)
			return ltree_cons(s->g, f->code, in.k, spec_at(s, in.jt, 0, 0), -1);
		if (in.src == CBPF_LEN)
			return spec_at(s, in.jt, 1, CBPF_DATA_SIZE);
		if (in.src == CBPF_K)
			return spec_at(s, in.jt, 1, in.k);
		break;
	case CBPF_ALU:
		if (!known && in.src != CBPF_X)
			return ltree_cons(s->g, f->code, in.k, spec_at(s, in.jt, 0, 0), -1);
		break;
	case CBPF_JA:
		return spec_at(s, in.jt, known, val);
	case CBPF_JUMP:
		if (in.src != CBPF_K)
			break;
		return spec_jump(s, f, &in, known, val);
	case CBPF_RET:
		if (in.src == CBPF_K)
			return ltree_cons(s->g, BPF_RET | BPF_K, in.k, -1, -1);
		return known ? ltree_cons(s->g, BPF_RET | BPF_K, val, -1, -1)
			     : ltree_cons(s->g, f->code, 0, -1, -1);
	default:
		break;
	}
	s->bad = 1;   /* not modelled */
	return -1;
}

static int spec_at(struct spec *s, size_t pc, int known, uint32_t val)
{
	if (s->bad || pc >= s->len || ++s->steps > s->budget) {
		s->bad = 1;
		return -1;
	}
	if (!known)
		val = 0;
	struct memo_slot *m = memo_at(s, pc, known, val);
	if (m->gen == s->gen)
		return m->node;
	int node = spec_insn(s, pc, known, val);
	if (node < 0) {
		s->bad = 1;
		return -1;
	}
	m = memo_at(s, pc, known, val);   /* the table does not move, but a slot may have been taken */
	*m = (struct memo_slot){ s->gen, (uint32_t)pc, val, (uint8_t)known, node };
	return node;
}

/* The residual of the program for ARCH and NR: a graph node, or -1. */
static int specialise(struct spec *s, uint32_t arch, uint32_t nr)
{
	s->arch = arch;
	s->nr = nr;
	s->steps = 0;
	s->bad = 0;
	if (++s->gen == 0) {
		memset(s->memo, 0, s->mcap * sizeof(*s->memo));
		s->gen = 1;
	}
	int node = spec_at(s, 0, 1, 0);   /* A starts at 0 */
	return s->bad || s->g->full ? -1 : node;
}

/* ---- weights ---- */

struct weight {
	uint32_t audit, nr;
	double w;
};

/* Every profiled syscall on every arch, normalised to a total of 1 on the
 * profile's own arch; other arches count OTHER_ARCH as much. */
static struct weight *weights_of(const struct profile *prof, size_t *n)
{
	struct weight *v = mem_calloc(prof->n * ARCH_COUNT + 1, sizeof(*v));
	double total = 0;
	*n = 0;
	for (size_t i = 0; i < prof->n; i++)
		total += prof->v[i].count;
	for (size_t i = 0; i < prof->n; i++)
		for (int a = 0; a < ARCH_COUNT; a++) {
			int nr = prof->v[i].sys->nr[a];
			double w = prof->v[i].count / (total > 0 ? total : 1);
			if (nr >= 0 && w > 0)
				v[(*n)++] = (struct weight){ arch_table[a].audit_arch, (uint32_t)nr,
							     a == (int)prof->arch ? w : w * OTHER_ARCH };
		}
	return v;
}

/* ---- 4. layout ---- */

/* Node indices in reverse postorder from ROOT: every edge goes forward. */
static size_t rpo(const struct ltree_graph *g, int root, int *order)
{
	uint8_t *state = mem_calloc(g->n, 1);   /* 1 on the stack, 2 done */
	int *stack = mem_calloc(2 * g->n + 1, sizeof(int));   /* a node per edge, at most */
	size_t sp = 0, done = g->n;
	stack[sp++] = root;
	while (sp) {
		int x = stack[sp - 1];
		if (state[x] == 0) {
			state[x] = 1;
			const struct ltree_node *v = &g->v[x];
			/* Pushed first, visited last, finished last: the true
			 * branch (or the next instruction) lands right after. */
			if (v->t >= 0 && !state[v->t])
				stack[sp++] = v->t;
			if (v->f >= 0 && !state[v->f])
				stack[sp++] = v->f;
			continue;
		}
		sp--;
		if (state[x] == 1) {
			state[x] = 2;
			order[--done] = x;
		}
	}
	size_t count = g->n - done;
	memmove(order, order + done, count * sizeof(int));
	free(state);
	free(stack);
	return count;
}

/* The instruction at AT that continues to node TO at position TO_POS: a
 * copy of TO when it is a return (one instruction fewer to run), else a
 * JA. */
static struct sock_filter hop(const struct ltree_graph *g, int to, size_t to_pos, size_t at)
{
	if (cbpf_kind_of(g->v[to].code) == CBPF_RET)
		return (struct sock_filter)BPF_STMT(g->v[to].code, g->v[to].k);
	return (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)(to_pos - at - 1), 0, 0);
}

/* Positions with trampolines: conditional jumps reach at most 255
 * instructions ahead, so a farther target gets a hop() right after the
 * jump. Adding one can push other jumps out of reach: repeat until none
 * does. */
static struct sock_filter *place(struct arena *a, const struct ltree_graph *g, const int *order, size_t n,
				 size_t *outlen)
{
	int *idx = mem_calloc(g->n, sizeof(int));
	size_t *pos = mem_calloc(n + 1, sizeof(size_t));
	uint8_t *tramp = mem_calloc(n, 1);   /* bit 0: for t, bit 1: for f, bit 2: JA to next */
	for (size_t i = 0; i < n; i++) {
		idx[order[i]] = (int)i;
		const struct ltree_node *v = &g->v[order[i]];
		enum cbpf_kind kind = cbpf_kind_of(v->code);
		if (kind != CBPF_JUMP && kind != CBPF_RET && (i + 1 == n || order[i + 1] != v->t))
			tramp[i] = 4;
	}
	for (int changed = 1; changed;) {
		changed = 0;
		pos[0] = 0;
		for (size_t i = 0; i < n; i++)
			pos[i + 1] = pos[i] + 1 + (tramp[i] & 1) + !!(tramp[i] & 2) + !!(tramp[i] & 4);
		for (size_t i = 0; i < n; i++) {
			const struct ltree_node *v = &g->v[order[i]];
			if (cbpf_kind_of(v->code) != CBPF_JUMP)
				continue;
			for (int e = 0; e < 2; e++) {
				int to = idx[e ? v->f : v->t];
				if (!(tramp[i] & (1 << e)) && pos[to] - pos[i] - 1 > 255) {
					tramp[i] |= (uint8_t)(1 << e);
					changed = 1;
				}
			}
		}
	}
	size_t len = pos[n];
	struct sock_filter *out = NULL;
	if (len <= BPF_MAX_INSNS) {
		out = arena_alloc(a, len * sizeof(*out));
		for (size_t i = 0; i < n; i++) {
			const struct ltree_node *v = &g->v[order[i]];
			size_t p = pos[i], extra = p + 1;
			out[p] = (struct sock_filter){ v->code, 0, 0, v->k };
			if (cbpf_kind_of(v->code) == CBPF_JUMP) {
				int node[2] = { v->t, v->f };
				size_t to[2] = { pos[idx[v->t]], pos[idx[v->f]] };
				for (int e = 0; e < 2; e++)
					if (tramp[i] & (1 << e)) {
						out[extra] = hop(g, node[e], to[e], extra);
						to[e] = extra++;
					}
				out[p].jt = (uint8_t)(to[0] - p - 1);
				out[p].jf = (uint8_t)(to[1] - p - 1);
			} else if (tramp[i] & 4) {
				out[extra] = hop(g, v->t, pos[idx[v->t]], extra);
			}
		}
	}
	free(idx);
	free(pos);
	free(tramp);
	*outlen = len;
	return out;
}

/* ---- 5. checking ---- */

/* Do the programs (both checked) agree at both ends of every class, with
 * all-zero and all-one arguments? (Every value of a class takes the same
 * path in both by construction; this checks that construction, so the
 * ends of each class suffice. NR is scratch room.) */
static int same_on_classes(const struct sock_filter *x, size_t xn, const struct sock_filter *y,
			   size_t yn, const struct cuts *arch, const struct nr_cuts *all, struct cuts *nr,
			   const struct bpf_verdict *v, size_t nv)
{
	for (size_t ai = 0; ai < arch->n; ai++) {
		nr_cuts_for(all, arch->v[ai], cut_hi(arch, ai), nr);
		for (size_t ni = 0; ni < nr->n; ni++)
			for (int fill = 0; fill < 2; fill++) {
				struct seccomp_data d = { .nr = (int)nr->v[ni], .arch = arch->v[ai] };
				memset(d.args, fill ? 0xff : 0, sizeof(d.args));
				uint32_t rx, ry, rhi;
				const struct bpf_verdict *vd = verdict_at(v, nv, d.arch, (uint32_t)d.nr);
				if (vd)
					rx = vd->ret;   /* what PROG plus the verdicts says */
				else if (bpf_run_valid(x, xn, &d, &rx, NULL))
					return 0;
				if (bpf_run_valid(y, yn, &d, &ry, NULL))
					return 0;
				d.nr = (int)cut_hi(nr, ni);   /* x is the same there: the cuts are its own */
				if (bpf_run_valid(y, yn, &d, &rhi, NULL) || rx != ry || rx != rhi)
					return 0;
			}
	}
	return 1;
}

double layout_cost(const struct sock_filter *prog, size_t len, const struct profile *prof,
		   unsigned arch_mask)
{
	struct profile_prior prior;
	if (!prof)
		prof = profile_prior(&prior);
	if (bpf_check(prog, len, NULL, 0))
		return -1;
	double total = 0, weight = 0;
	for (size_t i = 0; i < prof->n; i++)
		for (int a = 0; a < ARCH_COUNT; a++) {
			int nr = prof->v[i].sys->nr[a];
			if (nr < 0 || !(arch_mask & (1u << a)))
				continue;
			double w = prof->v[i].count * (a == (int)prof->arch ? 1 : OTHER_ARCH);
			struct seccomp_data d = { .nr = nr, .arch = arch_table[a].audit_arch };
			uint32_t ret;
			size_t steps;
			if (bpf_run_valid(prog, len, &d, &ret, &steps))
				return -1;
			total += w * (double)steps;
			weight += w;
		}
	return weight > 0 ? total / weight : 0;
}

/* ---- the pass ---- */

struct pass {
	struct ltree_graph g;
	struct spec s;
	struct cuts arch, nr;   /* nr: the intervals of the arch at hand */
	struct nr_cuts nr_all;
	struct ltree_item *items;
	struct ltree_hot *hot;
	struct weight *wv;
	size_t nw;
	uint8_t *resid;    /* per node: made by the specialiser */
	size_t nresid;
	const struct bpf_verdict *v;   /* sorted by arch, then nr */
	size_t nv;
};


/* Marks the nodes from FROM on as residual code (see localise_rets). */
static void mark_residual(struct pass *p, size_t from)
{
	if (p->g.n > p->nresid) {
		p->resid = mem_realloc(p->resid, p->g.n, 1);
		memset(p->resid + p->nresid, 0, p->g.n - p->nresid);
		p->nresid = p->g.n;
	}
	memset(p->resid + from, 1, p->g.n - from);
}

/* The node that decides for arch interval AI: a residual when nr does not
 * matter there, else `ld nr` and a tree over the nr intervals. */
static int arch_dispatch(struct pass *p, size_t ai)
{
	size_t n = 0;
	nr_cuts_for(&p->nr_all, p->arch.v[ai], cut_hi(&p->arch, ai), &p->nr);
	for (size_t ni = 0; ni < p->nr.n; ni++) {
		size_t before = p->g.n;
		const struct bpf_verdict *vd = p->nr.v[ni] == cut_hi(&p->nr, ni) ?
			verdict_at(p->v, p->nv, p->arch.v[ai], p->nr.v[ni]) : NULL;
		int r = vd ? ltree_cons(&p->g, BPF_RET | BPF_K, vd->ret, -1, -1)
			   : specialise(&p->s, p->arch.v[ai], p->nr.v[ni]);
		if (!vd)
			mark_residual(p, before);
		if (r < 0)
			return -1;
		if (n && p->items[n - 1].target == r) {
			p->items[n - 1].hi = cut_hi(&p->nr, ni);
			continue;
		}
		p->items[n++] = (struct ltree_item){ p->nr.v[ni], cut_hi(&p->nr, ni), r, EPSILON };
	}
	if (n == 1)
		return p->items[0].target;
	size_t nhot = 0;
	uint32_t alo = p->arch.v[ai], ahi = cut_hi(&p->arch, ai);
	for (size_t i = 0; i < p->nw; i++) {
		const struct weight *w = &p->wv[i];
		if (w->audit < alo || w->audit > ahi)
			continue;
		p->items[ltree_item_of(p->items, n, w->nr)].w += w->w;
		p->hot[nhot++] = (struct ltree_hot){ w->nr, w->w };
	}
	int tree = ltree_build(&p->g, p->items, n, p->hot, nhot);
	return tree < 0 ? -1 : ltree_cons(&p->g, BPF_LD | BPF_W | BPF_ABS, 0, tree, -1);
}

static int build_program(struct pass *p)
{
	size_t na = 0;
	struct ltree_item *arch_items = mem_calloc(p->arch.n, sizeof(*arch_items));
	int root = 0;
	for (size_t ai = 0; ai < p->arch.n && root >= 0; ai++) {
		root = arch_dispatch(p, ai);
		if (root < 0)
			break;
		if (na && arch_items[na - 1].target == root) {
			arch_items[na - 1].hi = cut_hi(&p->arch, ai);
			continue;
		}
		arch_items[na++] = (struct ltree_item){ p->arch.v[ai], cut_hi(&p->arch, ai), root, EPSILON };
	}
	if (root >= 0 && na > 1) {
		size_t nhot = 0;
		for (size_t i = 0; i < p->nw; i++) {
			const struct weight *w = &p->wv[i];
			arch_items[ltree_item_of(arch_items, na, w->audit)].w += w->w;
			size_t h = 0;
			while (h < nhot && p->hot[h].value != w->audit)
				h++;
			if (h == nhot)
				p->hot[nhot++] = (struct ltree_hot){ w->audit, 0 };
			p->hot[h].w += w->w;
		}
		root = ltree_build(&p->g, arch_items, na, p->hot, nhot);
		root = root < 0 ? -1 : ltree_cons(&p->g, BPF_LD | BPF_W | BPF_ABS, 4, root, -1);
	} else if (root >= 0) {
		root = arch_items[0].target;
	}
	free(arch_items);
	return root;
}

/* ---- returns near their jumps ----
 *
 * Hash-consing makes every `ret allow` of the program one node, which
 * reverse postorder places after all its users, often more than 255
 * instructions away from a residual's argument checks; each such jump then
 * needs a hop. libseccomp instead repeats the returns after each syscall's
 * checks. localise_rets builds that variant: inside each residual (code
 * that checks arguments), returns are copies private to that residual, so
 * they are placed right after it. Both variants are laid out and the
 * better one is kept. */

struct localiser {
	struct pass *p;
	size_t old_n;
	struct lmemo { int node, tag, out; } *memo;
	size_t mcap, used;
};

static struct lmemo *lmemo_at(struct localiser *l, int node, int tag)
{
	size_t h = ((size_t)node * 0x9e3779b1u ^ (size_t)(tag + 1) * 0x85ebca6bu) & (l->mcap - 1);
	while (l->memo[h].node >= 0 && (l->memo[h].node != node || l->memo[h].tag != tag))
		h = (h + 1) & (l->mcap - 1);
	return &l->memo[h];
}

static int localise(struct localiser *l, int node, int tag)
{
	const struct ltree_node v = l->p->g.v[node];   /* cons may move the array */
	enum cbpf_kind kind = cbpf_kind_of(v.code);
	if (tag < 0 && l->p->resid[node] && kind != CBPF_RET)
		tag = node;   /* entering a residual */
	if (kind == CBPF_RET)
		return tag < 0 ? node : ltree_cons(&l->p->g, v.code, v.k, -1, -2 - tag);
	struct lmemo *m = lmemo_at(l, node, tag);
	if (m->node >= 0)
		return m->out;
	if (2 * ++l->used > l->mcap)
		return -1;
	int t = localise(l, v.t, tag);
	int f = kind == CBPF_JUMP && t >= 0 ? localise(l, v.f, tag) : -1;
	int out = t < 0 || (kind == CBPF_JUMP && f < 0) ? -1 : ltree_cons(&l->p->g, v.code, v.k, t, f);
	m = lmemo_at(l, node, tag);
	*m = (struct lmemo){ node, tag, out };
	return out;
}

/* The program from ROOT with private returns per residual, or -1. */
static int localise_rets(struct pass *p, int root)
{
	struct localiser l = { p, p->g.n, NULL, 1024, 0 };
	while (l.mcap < 4 * p->g.n)
		l.mcap *= 2;
	l.memo = mem_calloc(l.mcap, sizeof(*l.memo));
	memset(l.memo, 0xff, l.mcap * sizeof(*l.memo));
	mark_residual(p, p->g.n);   /* covers every node so far */
	int out = localise(&l, root, -1);
	free(l.memo);
	return out;
}

/* Is X better than Y: shorter, unless Y runs at least 1% fewer
 * instructions under PROF? */
static int better(const struct sock_filter *x, size_t xn, const struct sock_filter *y, size_t yn,
		  const struct profile *prof)
{
	double cx = layout_cost(x, xn, prof, ARCH_MASK_ALL), cy = layout_cost(y, yn, prof, ARCH_MASK_ALL);
	if (cx < cy * 0.99 || cy < cx * 0.99)
		return cx < cy;
	return xn < yn;
}

/* Lays out the program from ROOT; NULL when it does not fit. */
static struct sock_filter *lay_out(struct arena *a, const struct ltree_graph *g, int root, size_t *len)
{
	int *order = mem_calloc(g->n, sizeof(int));
	size_t n = rpo(g, root, order);
	struct sock_filter *prog = place(a, g, order, n, len);
	free(order);
	return prog;
}

static void pass_free(struct pass *p)
{
	ltree_graph_free(&p->g);
	free(p->s.memo);
	free(p->arch.v);
	free(p->nr.v);
	free(p->nr_all.v);
	free(p->items);
	free(p->hot);
	free(p->wv);
	free(p->resid);
}

int layout_program(struct arena *a, const struct sock_filter *prog, size_t len,
		   const struct profile *prof, const struct bpf_verdict *v, size_t nv,
		   struct sock_filter **out, size_t *outlen)
{
	struct profile_prior prior;
	if (!prof)
		prof = profile_prior(&prior);
	if (bpf_check(prog, len, NULL, 0))
		return 1;
	struct pass p;
	memset(&p, 0, sizeof(p));
	int kept = 1;
	if (find_cuts(prog, len, &p.arch, &p.nr_all))
		goto done;
	/* Each verdict is a class of its own. */
	struct bpf_verdict *sorted = mem_calloc(nv + 1, sizeof(*sorted));
	if (nv)
		memcpy(sorted, v, nv * sizeof(*v));
	qsort(sorted, nv, sizeof(*sorted), by_arch_nr);
	p.v = sorted;
	p.nv = nv;
	for (size_t i = 0; i < nv; i++) {
		cut_at(&p.arch, sorted[i].arch);
		cut_at(&p.arch, (uint64_t)sorted[i].arch + 1);
		nr_cut_at(&p.nr_all, sorted[i].nr, 1, sorted[i].arch);
		nr_cut_at(&p.nr_all, (uint64_t)sorted[i].nr + 1, 1, sorted[i].arch);
	}
	cuts_finish(&p.arch);
	p.s = (struct spec){ .p = prog, .len = len, .g = &p.g, .budget = 8 * len + 64 };
	for (p.s.mcap = 64; p.s.mcap <= 2 * p.s.budget; p.s.mcap *= 2)
		;
	p.s.memo = mem_calloc(p.s.mcap, sizeof(*p.s.memo));
	p.wv = weights_of(prof, &p.nw);
	p.items = mem_calloc(p.nr_all.n + 1, sizeof(*p.items));
	p.hot = mem_calloc(p.nw + 1, sizeof(*p.hot));
	int root = build_program(&p);
	if (root < 0)
		goto done;
	size_t newlen = 0, loclen = 0;
	int local = localise_rets(&p, root);
	struct sock_filter *np = lay_out(a, &p.g, root, &newlen);
	struct sock_filter *lp = local < 0 ? NULL : lay_out(a, &p.g, local, &loclen);
	if (lp && (!np || better(lp, loclen, np, newlen, prof))) {
		np = lp;
		newlen = loclen;
	}
	/* Built to be equivalent; checked anyway, and kept only if it pays. */
	if (np && bpf_check(np, newlen, NULL, 0) == 0 &&
	    same_on_classes(prog, len, np, newlen, &p.arch, &p.nr_all, &p.nr, p.v, p.nv) &&
	    (nv || layout_cost(np, newlen, prof, ARCH_MASK_ALL) <= layout_cost(prog, len, prof, ARCH_MASK_ALL))) {
		*out = np;
		*outlen = newlen;
		kept = 0;
	}
done:
	free((void *)p.v);
	pass_free(&p);
	return kept;
}
