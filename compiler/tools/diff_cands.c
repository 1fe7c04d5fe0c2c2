/* Candidate argument values for `sysfence diff`: for one (arch, syscall),
 * values of each argument such that every behaviour of a side shows up
 * on some combination of them.
 *
 * Sources (exact). Every rule condition is a boolean combination of
 * atoms, and each atom reads one argument. Take the atoms of both sides
 * on argument i and split its values into cells, the classes on which
 * every one of them has a fixed truth value (diff_cells.c). On a product
 * of cells, one per argument, every atom, hence every condition, hence
 * policy_eval's answer on either side, is constant. So one value per cell,
 * combined over the arguments, shows every behaviour of both sides: two
 * sources that agree there agree everywhere. The cells must come from
 * both sides' atoms together; each side's alone would miss the values
 * where a comparison of one and a comparison of the other both hold.
 * Past the limits (too many atoms or cells) the syscall falls back to the
 * constants and their neighbours and is marked inexact.
 *
 * .bpf files (best effort). The filter is walked once for the concrete
 * arch and nr, tracking what the accumulator holds (a constant, or a
 * 32-bit half of an argument under an AND mask); every comparison of an
 * argument half with a constant contributes that constant and its
 * neighbours, then the halves are combined (the high half also as 0 and
 * as all ones, the sign extension). Arithmetic on arguments other than
 * AND, or comparisons with unknown values, mark the syscall inexact. */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "bpf/insn.h"
#include "tools/diff.h"

#define ATOMS_MAX 256

void diff_cands_init(struct diff_cands *dc)
{
	memset(dc, 0, sizeof(*dc));
}

static void values_add(struct diff_cands *dc, int arg, uint64_t x)
{
	struct diff_values *dv = &dc->arg[arg];
	dv->compared = 1;
	for (size_t i = 0; i < dv->n; i++)
		if (dv->v[i] == x)
			return;
	if (dv->n == DIFF_VALUES_MAX) {
		dc->inexact = 1;
		return;
	}
	dv->v[dv->n++] = x;
}

/* ---- sources: cells of the atoms ---- */

static int atom_same(const struct atom *x, const struct atom *y)
{
	if (x->arg != y->arg || x->width != y->width || x->mask != y->mask || x->op != y->op ||
	    x->value != y->value || x->nset != y->nset)
		return 0;
	return x->nset == 0 || memcmp(x->set, y->set, x->nset * sizeof(*x->set)) == 0;
}

struct atoms {
	const struct atom *v[ATOMS_MAX];
	size_t n;
	int overflow;
};

static void collect_atoms(const struct ncond *c, struct atoms *as)
{
	if (!c)
		return;
	if (c->kind != N_ATOM) {
		collect_atoms(c->lhs, as);
		collect_atoms(c->rhs, as);
		return;
	}
	for (size_t i = 0; i < as->n; i++)
		if (atom_same(as->v[i], &c->atom))
			return;
	if (as->n == ATOMS_MAX)
		as->overflow = 1;
	else
		as->v[as->n++] = &c->atom;
}

/* The fallback: every constant of the atoms on ARG and its neighbours,
 * with the bits outside the mask set too. */
static void boundary_values(struct diff_cands *dc, const struct atoms *as, int arg)
{
	values_add(dc, arg, 0);
	for (size_t k = 0; k < as->n; k++) {
		const struct atom *at = as->v[k];
		if (at->arg != arg)
			continue;
		uint64_t W = width_mask(at->width);
		int is_set = at->op == OP_IN || at->op == OP_NOT_IN;
		for (size_t i = 0; i < (is_set ? at->nset : 1); i++) {
			uint64_t v = (is_set ? at->set[i] : at->value) & W;
			values_add(dc, arg, v);
			values_add(dc, arg, (v - 1) & W);
			values_add(dc, arg, (v + 1) & W);
			values_add(dc, arg, (v | ~at->mask) & W);
		}
	}
}

static void source_atoms(struct diff_cands *dc, const struct policy_build *pb, int arch, uint32_t nr)
{
	if (!(pb->arch_mask & (1u << arch)))
		return;   /* policy_eval kills whatever the arguments */
	if (!dc->atoms) {
		dc->atoms = mem_calloc(1, sizeof(*dc->atoms));
	}
	const struct ptrvec *rules = &pb->per_arch[arch].rules;
	for (size_t i = 0; i < rules->n; i++) {
		const struct rule *r = rules->v[i];
		if (!r->dropped && (uint32_t)r->nr == nr)
			collect_atoms(r->cond, dc->atoms);
	}
}

/* The cells of the atoms of both sources together: cells of each side
 * alone would miss the values where one side's comparison and the other's
 * hold together. */
void diff_cands_finish(struct diff_cands *dc)
{
	struct atoms *as = dc->atoms;
	if (!as)
		return;
	if (as->overflow)
		dc->inexact = 1;
	const struct atom *on[ATOMS_MAX];
	uint64_t cells[DIFF_VALUES_MAX];
	for (int arg = 0; arg < 6; arg++) {
		size_t n = 0;
		for (size_t k = 0; k < as->n; k++)
			if (as->v[k]->arg == arg)
				on[n++] = as->v[k];
		if (!n)
			continue;
		size_t ncells = atom_cells(on, n, cells, DIFF_VALUES_MAX);
		if (!ncells) {
			dc->inexact = 1;
			boundary_values(dc, as, arg);
		}
		for (size_t i = 0; i < ncells; i++)
			values_add(dc, arg, cells[i]);
	}
	free(as);
	dc->atoms = NULL;
}

/* ---- .bpf: what the accumulator holds ---- */

enum av_kind { AV_UNKNOWN, AV_CONST, AV_FIELD };

struct av {
	enum av_kind kind;
	uint32_t k;          /* AV_CONST */
	unsigned word;       /* AV_FIELD: 32-bit word of seccomp_data */
	uint32_t mask;       /* AV_FIELD: the value is the word & mask */
};

struct astate {
	int reached;
	struct av a, x, mem[BPF_MEMWORDS];
};

#define HALF_MAX 64

#define NRS_MAX 4096

struct halves {
	uint32_t v[12][HALF_MAX];   /* per argument word: lo of arg0, hi of arg0, ... */
	size_t n[12];
	int inexact;
	uint32_t nrs[NRS_MAX];      /* syscall numbers compared, when nr is not fixed */
	size_t nnrs;
};

static void half_add(struct halves *h, unsigned w, uint32_t x)
{
	for (size_t i = 0; i < h->n[w]; i++)
		if (h->v[w][i] == x)
			return;
	if (h->n[w] == HALF_MAX)
		h->inexact = 1;
	else
		h->v[w][h->n[w]++] = x;
}

static int av_equal(struct av x, struct av y)
{
	return x.kind == y.kind && x.k == y.k && x.word == y.word && x.mask == y.mask;
}

static struct av av_join(struct av x, struct av y)
{
	return av_equal(x, y) ? x : (struct av){ .kind = AV_UNKNOWN };
}

static void flow(struct astate *to, const struct astate *from)
{
	if (!to->reached) {
		*to = *from;
		return;
	}
	to->a = av_join(to->a, from->a);
	to->x = av_join(to->x, from->x);
	for (int i = 0; i < BPF_MEMWORDS; i++)
		to->mem[i] = av_join(to->mem[i], from->mem[i]);
}

static int is_arg_word(unsigned word)
{
	return word >= 4 && word < 16;
}

static struct av load_word(uint32_t off, uint32_t audit, const uint32_t *nr)
{
	unsigned word = off / 4;
	if (word == 0 && nr)
		return (struct av){ .kind = AV_CONST, .k = *nr };
	if (word == 1)
		return (struct av){ .kind = AV_CONST, .k = audit };
	return (struct av){ .kind = AV_FIELD, .word = word, .mask = ~0u };
}

static struct av alu(struct av a, enum cbpf_op op, struct av operand, struct halves *h)
{
	if (op == CBPF_AND && a.kind == AV_FIELD && operand.kind == AV_CONST) {
		a.mask &= operand.k;
		return a;
	}
	if (a.kind != AV_CONST || (op != CBPF_NEG && operand.kind != AV_CONST)) {
		if (a.kind == AV_FIELD && is_arg_word(a.word))
			h->inexact = 1;   /* arithmetic on an argument: not followed */
		return (struct av){ .kind = AV_UNKNOWN };
	}
	uint32_t x = a.k, y = operand.k;
	switch (op) {
	case CBPF_ADD: x += y; break;
	case CBPF_SUB: x -= y; break;
	case CBPF_MUL: x *= y; break;
	case CBPF_DIV:
		if (!y)
			return (struct av){ .kind = AV_UNKNOWN };
		x /= y;
		break;
	case CBPF_OR: x |= y; break;
	case CBPF_AND: x &= y; break;
	case CBPF_XOR: x ^= y; break;
	case CBPF_LSH: x = (y & 31) == y ? x << y : 0; break;
	case CBPF_RSH: x = (y & 31) == y ? x >> y : 0; break;
	case CBPF_NEG: x = -x; break;
	default: return (struct av){ .kind = AV_UNKNOWN };
	}
	return (struct av){ .kind = AV_CONST, .k = x };
}

/* A comparison of an argument half (under MASK) with K. Unmasked: K and
 * its neighbours. Masked (libseccomp and our lowering write ranges and
 * != as prefix terms `x & mask == k`): the smallest and largest match,
 * which are the bounds of the range, and a value just outside. JSET: no
 * bit, the lowest bit of K, and every other bit. */
static void compared(struct halves *h, unsigned word, uint32_t mask, enum cbpf_op op, uint32_t k)
{
	unsigned w = word - 4;
	if (op == CBPF_JSET) {
		half_add(h, w, 0);
		half_add(h, w, k & mask & -(k & mask));
		half_add(h, w, ~(k & mask));
		return;
	}
	half_add(h, w, k & mask);
	if (mask != ~0u) {
		half_add(h, w, k | ~mask);
		half_add(h, w, (k & mask) ^ (mask & -mask));
		return;
	}
	half_add(h, w, k - 1);
	half_add(h, w, k + 1);
}

/* Which successors of the jump IN run; both when unknown. */
static void jump(const struct cbpf_insn *in, const struct astate *s, struct halves *h, int *taken,
		 int *fallen)
{
	struct av a = s->a, b = in->src == CBPF_X ? s->x : (struct av){ .kind = AV_CONST, .k = in->k };
	*taken = *fallen = 1;
	if (a.kind == AV_CONST && b.kind == AV_CONST) {
		int t = cbpf_taken(in->op, a.k, b.k);
		*taken = t;
		*fallen = !t;
		return;
	}
	if (a.kind == AV_FIELD && b.kind == AV_CONST) {
		if (is_arg_word(a.word))
			compared(h, a.word, a.mask, in->op, b.k);
		/* nr compared with K: K and, for ranges, K + 1 are syscalls
		 * the filter may treat apart. */
		for (uint32_t d = 0; a.word == 0 && a.mask == ~0u && d < 2 && h->nnrs < NRS_MAX; d++)
			h->nrs[h->nnrs++] = b.k + d;
		return;
	}
	h->inexact = 1;
}

/* The value of operand V of IN in S. */
static struct av operand(const struct cbpf_insn *in, enum cbpf_val v, const struct astate *s,
			 uint32_t audit, const uint32_t *nr)
{
	switch (v) {
	case CBPF_DATA: return load_word(in->k, audit, nr);
	case CBPF_MEM:  return s->mem[in->k];
	case CBPF_LEN:  return (struct av){ .kind = AV_CONST, .k = sizeof(struct seccomp_data) };
	case CBPF_A:    return s->a;
	case CBPF_X:    return s->x;
	default:        return (struct av){ .kind = AV_CONST, .k = in->k };   /* K, NEG's none */
	}
}

/* The state after the non-jump IN (loads, stores, ALU). */
static void step(const struct cbpf_insn *in, struct astate *s, uint32_t audit, const uint32_t *nr,
		 struct halves *h)
{
	struct av v = operand(in, in->src, s, audit, nr);
	if (in->kind == CBPF_ALU)
		s->a = alu(s->a, in->op, v, h);
	else if (in->dst == CBPF_A)
		s->a = v;
	else if (in->dst == CBPF_X)
		s->x = v;
	else
		s->mem[in->k] = v;
}

/* NR NULL: the syscall number is not fixed (to find the ones compared). */
static void walk(const struct sock_filter *p, size_t len, uint32_t audit, const uint32_t *nr,
		 struct halves *h)
{
	struct astate *st = mem_calloc(len, sizeof(*st));
	st[0].reached = 1;
	st[0].a = st[0].x = (struct av){ .kind = AV_CONST, .k = 0 };
	/* seccomp filters only jump forward: one pass in order sees every
	 * predecessor of an instruction before the instruction. The
	 * program passed bpf_check (read_bpf), so every target is inside. */
	for (size_t pc = 0; pc < len; pc++) {
		if (!st[pc].reached)
			continue;
		struct astate s = st[pc];
		struct cbpf_insn in;
		cbpf_decode(p, len, pc, &in);
		int taken = 1, fallen = 1;
		if (in.kind == CBPF_RET)
			continue;
		if (in.kind == CBPF_JUMP)
			jump(&in, &s, h, &taken, &fallen);
		else if (in.kind != CBPF_JA)
			step(&in, &s, audit, nr, h);
		if (taken)
			flow(&st[in.jt], &s);
		if (fallen && in.nsucc == 2)
			flow(&st[in.jf], &s);
	}
	free(st);
}

static void bpf_cands(struct diff_cands *dc, const struct diff_side *side, int arch, uint32_t nr)
{
	struct halves *h = mem_calloc(1, sizeof(*h));
	walk(side->insns, side->len, arch_table[arch].audit_arch, &nr, h);
	if (h->inexact)
		dc->inexact = 1;
	for (int arg = 0; arg < 6; arg++) {
		unsigned lo = 2 * arg, hi = lo + 1;
		if (!h->n[lo] && !h->n[hi])
			continue;
		half_add(h, lo, 0);
		/* High halves 0 and all ones first: should the values overflow,
		 * the ones dropped are the least likely to matter. */
		uint32_t his[HALF_MAX + 2] = { 0, ~0u };
		size_t nhi = 2;
		for (size_t i = 0; i < h->n[hi]; i++)
			if (h->v[hi][i] && h->v[hi][i] != ~0u)
				his[nhi++] = h->v[hi][i];
		for (size_t i = 0; i < nhi; i++)
			for (size_t j = 0; j < h->n[lo]; j++)
				values_add(dc, arg, (uint64_t)his[i] << 32 | h->v[lo][j]);
	}
	free(h);
}

void diff_cands_add(struct diff_cands *dc, const struct diff_side *side, int arch, uint32_t nr)
{
	if (side->is_bpf)
		bpf_cands(dc, side, arch, nr);
	else
		source_atoms(dc, &side->c.pb, arch, nr);
}

size_t diff_bpf_syscalls(const struct diff_side *side, int arch, uint32_t *out, size_t max)
{
	struct halves *h = mem_calloc(1, sizeof(*h));
	walk(side->insns, side->len, arch_table[arch].audit_arch, NULL, h);
	size_t n = h->nnrs < max ? h->nnrs : max;
	memcpy(out, h->nrs, n * sizeof(*out));
	free(h);
	return n;
}
