/* Symbolic execution of seccomp classic BPF (see bpf/sym.h).
 *
 * The program is decoded once, by bpf/insn.h's cbpf_decode, into the
 * instructions every pass below reads; nothing here looks at opcodes.
 * cBPF jumps only go forward, so one pass in index order visits every
 * instruction after all its predecessors. Each instruction has a reach
 * condition (the inputs on which control gets there) and a register state
 * (A, X, M[0..15], each a vector of 32 BDDs) that is exact on its reach
 * condition. Where paths join, registers are merged with ITE on the
 * incoming edge's condition: paths reach an instruction on disjoint input
 * sets, so the merge is exact. A backward liveness pass lets dead
 * registers be dropped instead of merged. */
#include "bpf/sym.h"
#include "base/mem.h"
#include "bpf/insn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NWORDS 16
#define NREGS (2 + BPF_MEMWORDS)   /* A, X, M[0..15] */
#define REG_A 0
#define REG_X 1
#define REG_M(k) (2 + (k))
#define MAX_RET_A_VALUES 1024
#define CHUNK_VECS 256

typedef const bdd_t *vec_t;        /* 32 bits, immutable once made */

struct regs {
	vec_t r[NREGS];
};

struct vec_chunk {
	struct vec_chunk *next;
	bdd_t v[CHUNK_VECS][32];
};

struct sym {
	struct bdd_ctx *b;
	const struct sock_filter *p;
	size_t len;
	struct cbpf_insn *in;      /* p, decoded */
	bdd_t *reach;
	struct regs *st;
	uint32_t *live;            /* registers live into each instruction */
	struct vec_chunk *chunks;
	size_t used;               /* vectors used in the first chunk */
	vec_t zero;
	vec_t words[NWORDS];
	struct bpf_sym_sem *out;
	size_t capout;
	char *why;
	size_t whylen;
};

__attribute__((format(printf, 2, 3)))
static int sym_fail(struct sym *s, const char *fmt, ...)
{
	va_list ap;
	if (s->why && s->whylen) {
		va_start(ap, fmt);
		vsnprintf(s->why, s->whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- variables ---- */

/* Where the word at OFF comes in the variable order (see sym.h). */
static unsigned word_pos(uint32_t off)
{
	unsigned arg;
	int hi;

	switch (cbpf_field_of(off, &arg, &hi)) {
	case CBPF_FIELD_ARCH: return 0;
	case CBPF_FIELD_NR:   return 1;
	case CBPF_FIELD_ARG:  return 2 + 2 * arg + !hi;   /* high word first */
	default:              return hi ? 14 : 15;        /* instruction_pointer */
	}
}

unsigned bpf_sym_var(uint32_t off, unsigned bit)
{
	return word_pos(off) * 32 + (31 - bit);
}

void bpf_sym_word(struct bdd_ctx *b, uint32_t off, bdd_t out[32])
{
	for (unsigned i = 0; i < 32; i++)
		out[i] = bdd_var(b, bpf_sym_var(off, i));
}

void bpf_sym_data(const unsigned char *assign, struct seccomp_data *d)
{
	unsigned char *p = (unsigned char *)d;
	memset(d, 0, sizeof(*d));
	for (uint32_t off = 0; off < 4 * NWORDS; off += 4) {
		uint32_t w = 0;
		for (unsigned i = 0; i < 32; i++)
			w |= (uint32_t)(assign[bpf_sym_var(off, i)] & 1) << i;
		memcpy(p + off, &w, sizeof(w));
	}
}

/* ---- vectors ---- */

static bdd_t *new_vec(struct sym *s)
{
	if (!s->chunks || s->used == CHUNK_VECS) {
		struct vec_chunk *c = mem_calloc(1, sizeof(*c));
		c->next = s->chunks;
		s->chunks = c;
		s->used = 0;
	}
	return s->chunks->v[s->used++];
}

static vec_t const_vec(struct sym *s, uint32_t k)
{
	bdd_t *v = new_vec(s);
	for (unsigned i = 0; i < 32; i++)
		v[i] = (k >> i & 1) ? BDD_TRUE : BDD_FALSE;
	return v;
}

/* 1 and the value in *K when every bit of V is a constant. */
static int vec_const(vec_t v, uint32_t *k)
{
	uint32_t x = 0;
	for (unsigned i = 0; i < 32; i++) {
		if (v[i] != BDD_TRUE && v[i] != BDD_FALSE)
			return 0;
		x |= (uint32_t)(v[i] == BDD_TRUE) << i;
	}
	*k = x;
	return 1;
}

static int vec_same(vec_t x, vec_t y)
{
	return x == y || memcmp(x, y, 32 * sizeof(bdd_t)) == 0;
}

/* ---- results ---- */

/* Records that the program returns VALUE on WHEN. The pieces are joined
 * by finish_rets: ORing each into a growing set as it comes would cost
 * the set's size every time. */
static void add_ret(struct sym *s, uint32_t value, bdd_t when)
{
	struct bpf_sym_sem *o = s->out;
	if (when == BDD_FALSE)
		return;
	if (o->n == s->capout) {
		s->capout = s->capout ? 2 * s->capout : 8;
		o->r = mem_realloc(o->r, s->capout, sizeof(*o->r));
	}
	o->r[o->n++] = (struct bpf_sym_ret){ value, when };
}

/* RET A: splits REACH by the bits of A, most significant first, into the
 * values A takes. Returns -1 when there are too many. */
static int ret_values(struct sym *s, vec_t a, bdd_t reach, int bit, uint32_t prefix,
		      size_t *count)
{
	if (reach == BDD_FALSE || bdd_failed(s->b))
		return 0;
	if (bit < 0) {
		if (++*count > MAX_RET_A_VALUES)
			return -1;
		add_ret(s, prefix, reach);
		return 0;
	}
	bdd_t one = bdd_and(s->b, reach, a[bit]);
	bdd_t zero = bdd_and(s->b, reach, bdd_not(s->b, a[bit]));
	if (ret_values(s, a, zero, bit - 1, prefix, count))
		return -1;
	return ret_values(s, a, one, bit - 1, prefix | 1u << bit, count);
}

static int cmp_ret(const void *x, const void *y)
{
	const struct bpf_sym_ret *p = x, *q = y;
	return p->value < q->value ? -1 : p->value > q->value;
}

/* Sorts the recorded pieces by value and joins those of one value. */
static void finish_rets(struct sym *s)
{
	struct bpf_sym_sem *o = s->out;
	size_t n = 0;
	if (o->n == 0)
		return;
	qsort(o->r, o->n, sizeof(*o->r), cmp_ret);
	bdd_t *w = mem_calloc(o->n, sizeof(*w));
	for (size_t i = 0; i < o->n;) {
		size_t j = i;
		while (j < o->n && o->r[j].value == o->r[i].value) {
			w[j - i] = o->r[j].when;
			j++;
		}
		o->r[n++] = (struct bpf_sym_ret){ o->r[i].value, bdd_or_all(s->b, w, j - i) };
		i = j;
	}
	o->n = n;
	free(w);
}

void bpf_sym_sem_free(struct bpf_sym_sem *s)
{
	free(s->r);
	s->r = NULL;
	s->n = 0;
}

bdd_t bpf_sym_sem_get(const struct bpf_sym_sem *s, uint32_t value)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->r[mid].value == value)
			return s->r[mid].when;
		if (s->r[mid].value < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return BDD_FALSE;
}

/* ---- shape and liveness ---- */

/* Decodes the program into S->in, with the checks the pass relies on for
 * memory safety; bpf_check is stricter. */
static int check_shape(struct sym *s)
{
	for (size_t pc = 0; pc < s->len; pc++) {
		struct cbpf_insn *in = &s->in[pc];
		if (cbpf_decode(s->p, s->len, pc, in))
			return sym_fail(s, "insn %zu: opcode 0x%04x is not a seccomp opcode", pc,
					s->p[pc].code);
		if ((in->src == CBPF_MEM || in->dst == CBPF_MEM) && in->k >= BPF_MEMWORDS)
			return sym_fail(s, "insn %zu: scratch cell %u out of range", pc, in->k);
		if (in->src == CBPF_DATA && in->field == CBPF_FIELD_BAD)
			return sym_fail(s, "insn %zu: load offset %u", pc, in->k);
		if (!in->in_range && in->nsucc == 1 && in->kind != CBPF_JA)
			return sym_fail(s, "insn %zu: falls off the end", pc);
		if (!in->in_range)
			return sym_fail(s, "insn %zu: jump out of range", pc);
	}
	return 0;
}

/* The register operand V (with K for a scratch cell) as a bit mask. */
static uint32_t reg_bit(enum cbpf_val v, uint32_t k)
{
	switch (v) {
	case CBPF_A:   return 1u << REG_A;
	case CBPF_X:   return 1u << REG_X;
	case CBPF_MEM: return 1u << REG_M(k % BPF_MEMWORDS);
	default:       return 0;
	}
}

/* Registers instruction IN reads (USE) and writes (DEF), as bit masks:
 * its operands, and A for the ALU and conditional jumps. */
static void use_def(const struct cbpf_insn *in, uint32_t *use, uint32_t *def)
{
	int reads_a = in->kind == CBPF_ALU || in->kind == CBPF_JUMP;
	*use = reg_bit(in->src, in->k) | (reads_a ? reg_bit(CBPF_A, 0) : 0);
	*def = reg_bit(in->dst, in->k);
}

static void liveness(struct sym *s)
{
	for (size_t i = s->len; i-- > 0;) {
		const struct cbpf_insn *in = &s->in[i];
		uint32_t use, def, out = 0;
		use_def(in, &use, &def);
		if (in->nsucc > 0)   /* one successor: JT = JF */
			out = s->live[in->jt] | s->live[in->jf];
		s->live[i] = use | (out & ~def);
	}
}

/* ---- the forward pass ---- */

/* Adds an edge into T taken on R with registers RG. */
static void flow(struct sym *s, size_t t, bdd_t r, const struct regs *rg)
{
	if (r == BDD_FALSE)
		return;
	uint32_t live = s->live[t];
	struct regs *dst = &s->st[t];
	if (s->reach[t] == BDD_FALSE) {
		for (int k = 0; k < NREGS; k++)
			dst->r[k] = (live >> k & 1) ? rg->r[k] : s->zero;
		s->reach[t] = r;
		return;
	}
	for (int k = 0; k < NREGS; k++) {
		if (!(live >> k & 1) || vec_same(dst->r[k], rg->r[k]))
			continue;
		bdd_t *v = new_vec(s);
		for (unsigned i = 0; i < 32; i++)
			v[i] = bdd_ite(s->b, r, rg->r[k][i], dst->r[k][i]);
		dst->r[k] = v;
	}
	s->reach[t] = bdd_or(s->b, s->reach[t], r);
}

static vec_t shift_const(struct sym *s, vec_t a, unsigned k, int left)
{
	bdd_t *v = new_vec(s);
	for (unsigned i = 0; i < 32; i++) {
		if (left)
			v[i] = i >= k ? a[i - k] : BDD_FALSE;
		else
			v[i] = i + k < 32 ? a[i + k] : BDD_FALSE;
	}
	return v;
}

/* A shifted by the low 5 bits of X, as the kernel does: a barrel shifter. */
static vec_t shift_var(struct sym *s, vec_t a, vec_t x, int left)
{
	vec_t cur = a;
	for (unsigned st = 0; st < 5; st++) {
		vec_t sh = shift_const(s, cur, 1u << st, left);
		bdd_t *v = new_vec(s);
		for (unsigned i = 0; i < 32; i++)
			v[i] = bdd_ite(s->b, x[st], sh[i], cur[i]);
		cur = v;
	}
	return cur;
}

static vec_t add_vec(struct sym *s, vec_t a, vec_t w, int negate_w)
{
	bdd_t nw[32];
	bdd_t *v = new_vec(s);
	for (unsigned i = 0; i < 32; i++)
		nw[i] = negate_w ? bdd_not(s->b, w[i]) : w[i];
	bdd_vec_add(s->b, a, nw, negate_w ? BDD_TRUE : BDD_FALSE, 32, v);
	return v;
}

/* Shift-and-add; an addend is masked by bit J of W (constant or not). */
static vec_t mul_vec(struct sym *s, vec_t a, vec_t w)
{
	vec_t sum = s->zero;
	for (unsigned j = 0; j < 32; j++) {
		if (w[j] == BDD_FALSE)
			continue;
		vec_t sh = shift_const(s, a, j, 1);
		bdd_t *m = new_vec(s);
		for (unsigned i = 0; i < 32; i++)
			m[i] = bdd_and(s->b, w[j], sh[i]);
		sum = add_vec(s, sum, m, 0);
	}
	return sum;
}

static vec_t bitwise(struct sym *s, enum cbpf_op op, vec_t a, vec_t w)
{
	bdd_t *v = new_vec(s);
	for (unsigned i = 0; i < 32; i++) {
		if (op == CBPF_AND)
			v[i] = bdd_and(s->b, a[i], w[i]);
		else if (op == CBPF_OR)
			v[i] = bdd_or(s->b, a[i], w[i]);
		else
			v[i] = bdd_xor(s->b, a[i], w[i]);
	}
	return v;
}

/* A / W by restoring long division, one quotient bit per step from the
 * top; the remainder needs 33 bits between the shift and the subtraction.
 * Exact where W is not 0 (the caller splits that case off). */
static vec_t div_vec(struct sym *s, vec_t a, vec_t w)
{
	bdd_t rem[33], w33[33], diff[33], nw[33];
	bdd_t *q = new_vec(s);
	for (unsigned i = 0; i < 33; i++) {
		rem[i] = BDD_FALSE;
		w33[i] = i < 32 ? w[i] : BDD_FALSE;
		nw[i] = bdd_not(s->b, w33[i]);
	}
	for (int bit = 31; bit >= 0; bit--) {
		memmove(rem + 1, rem, 32 * sizeof(bdd_t));
		rem[0] = a[bit];
		bdd_t ge = bdd_vec_gt(s->b, rem, w33, 33, 1);
		bdd_vec_add(s->b, rem, nw, BDD_TRUE, 33, diff);
		for (unsigned i = 0; i < 33; i++)
			rem[i] = bdd_ite(s->b, ge, diff[i], rem[i]);
		q[bit] = ge;
	}
	return q;
}

/* Division: the kernel ends the program with 0 where the divisor is 0,
 * so that part of *REACH returns 0 and the rest goes on. */
static vec_t exec_div(struct sym *s, vec_t a, vec_t w, bdd_t *reach)
{
	uint32_t x, k;
	bdd_t wzero = bdd_vec_eq_const(s->b, w, 32, 0);
	add_ret(s, 0, bdd_and(s->b, *reach, wzero));
	*reach = bdd_and(s->b, *reach, bdd_not(s->b, wzero));
	if (*reach == BDD_FALSE)
		return a;
	if (vec_const(w, &k) && vec_const(a, &x))
		return const_vec(s, x / k);
	if (vec_const(w, &k) && !(k & (k - 1))) {
		unsigned sh = 0;
		while ((1u << sh) != k)
			sh++;
		return shift_const(s, a, sh, 0);
	}
	return div_vec(s, a, w);
}

/* The ALU instruction IN at PC: updates A, and *REACH where a division
 * ends the path. */
static int exec_alu(struct sym *s, size_t pc, const struct cbpf_insn *in, struct regs *rg,
		    bdd_t *reach)
{
	vec_t a = rg->r[REG_A];
	vec_t w = in->src == CBPF_X ? rg->r[REG_X] : const_vec(s, in->k);
	switch (in->op) {
	case CBPF_ADD: a = add_vec(s, a, w, 0); break;
	case CBPF_SUB: a = add_vec(s, a, w, 1); break;
	case CBPF_NEG: a = add_vec(s, s->zero, a, 1); break;
	case CBPF_MUL: a = mul_vec(s, a, w); break;
	case CBPF_DIV: a = exec_div(s, a, w, reach); break;
	case CBPF_AND: case CBPF_OR: case CBPF_XOR: a = bitwise(s, in->op, a, w); break;
	case CBPF_LSH: case CBPF_RSH:
		if (in->src == CBPF_K)
			a = shift_const(s, a, in->k & 31, in->op == CBPF_LSH);
		else
			a = shift_var(s, a, w, in->op == CBPF_LSH);
		break;
	default:
		return sym_fail(s, "insn %zu: ALU opcode 0x%04x unsupported", pc, s->p[pc].code);
	}
	rg->r[REG_A] = a;
	return 0;
}

/* The inputs on which the conditional jump IN goes to JT. */
static bdd_t jump_cond(struct sym *s, const struct cbpf_insn *in, const struct regs *rg)
{
	vec_t a = rg->r[REG_A];
	int isx = in->src == CBPF_X;
	vec_t x = rg->r[REG_X];
	bdd_t r = BDD_FALSE;
	switch (in->op) {
	case CBPF_JEQ:
		return isx ? bdd_vec_eq(s->b, a, x, 32) : bdd_vec_eq_const(s->b, a, 32, in->k);
	case CBPF_JGT:
		return isx ? bdd_vec_gt(s->b, a, x, 32, 0) : bdd_vec_gt_const(s->b, a, 32, in->k, 0);
	case CBPF_JGE:
		return isx ? bdd_vec_gt(s->b, a, x, 32, 1) : bdd_vec_gt_const(s->b, a, 32, in->k, 1);
	default: /* CBPF_JSET */
		for (unsigned i = 0; i < 32; i++)
			if (isx)
				r = bdd_or(s->b, r, bdd_and(s->b, a[i], x[i]));
			else if (in->k >> i & 1)
				r = bdd_or(s->b, r, a[i]);
		return r;
	}
}

/* JA, or a conditional jump (which needs no condition when both its
 * targets are one). */
static void exec_jump(struct sym *s, const struct cbpf_insn *in, const struct regs *rg,
		      bdd_t reach)
{
	if (in->jt == in->jf) {
		flow(s, (size_t)in->jt, reach, rg);
		return;
	}
	bdd_t c = jump_cond(s, in, rg);
	flow(s, (size_t)in->jt, bdd_and(s->b, reach, c), rg);
	flow(s, (size_t)in->jf, bdd_and(s->b, reach, bdd_not(s->b, c)), rg);
}

/* The register slot of operand V (A, X or the scratch cell K). */
static vec_t *reg_slot(struct regs *rg, enum cbpf_val v, uint32_t k)
{
	switch (v) {
	case CBPF_A: return &rg->r[REG_A];
	case CBPF_X: return &rg->r[REG_X];
	default:     return &rg->r[REG_M(k)];   /* CBPF_MEM */
	}
}

/* Loads and stores: everything that only moves vectors. */
static int exec_move(struct sym *s, size_t pc, const struct cbpf_insn *in, struct regs *rg)
{
	vec_t v;
	switch (in->src) {
	case CBPF_DATA: v = s->words[in->k / 4]; break;
	case CBPF_LEN:  v = const_vec(s, CBPF_DATA_SIZE); break;
	case CBPF_K:    v = const_vec(s, in->k); break;
	case CBPF_A: case CBPF_X: case CBPF_MEM:
		v = *reg_slot(rg, in->src, in->k);
		break;
	default:
		return sym_fail(s, "insn %zu: opcode 0x%04x unsupported", pc, s->p[pc].code);
	}
	*reg_slot(rg, in->dst, in->k) = v;
	return 0;
}

/* RET K, or RET A split into the values A takes. */
static int exec_ret(struct sym *s, size_t pc, const struct cbpf_insn *in, const struct regs *rg,
		    bdd_t reach)
{
	size_t count = 0;
	if (in->src == CBPF_K)
		add_ret(s, in->k, reach);
	else if (ret_values(s, rg->r[REG_A], reach, 31, 0, &count))
		return sym_fail(s, "insn %zu: ret a with more than %d values", pc, MAX_RET_A_VALUES);
	return 0;
}

static int exec_insn(struct sym *s, size_t pc)
{
	const struct cbpf_insn *in = &s->in[pc];
	struct regs rg = s->st[pc];
	bdd_t reach = s->reach[pc];
	int rc;
	switch (in->kind) {
	case CBPF_RET:
		return exec_ret(s, pc, in, &rg, reach);
	case CBPF_JA:
	case CBPF_JUMP:
		exec_jump(s, in, &rg, reach);
		return 0;
	case CBPF_ALU:
		rc = exec_alu(s, pc, in, &rg, &reach);
		break;
	default:   /* CBPF_LOAD, CBPF_STORE; check_shape refused the rest */
		rc = exec_move(s, pc, in, &rg);
		break;
	}
	if (rc == 0)
		flow(s, (size_t)in->jt, reach, &rg);
	return rc < 0 ? -1 : 0;
}

static void sym_init(struct sym *s, struct bdd_ctx *b, const struct sock_filter *prog,
		     size_t len, struct bpf_sym_sem *out)
{
	s->b = b;
	s->p = prog;
	s->len = len;
	s->in = mem_calloc(len, sizeof(*s->in));
	s->out = out;
	s->reach = mem_calloc(len, sizeof(*s->reach));
	s->st = mem_calloc(len, sizeof(*s->st));
	s->live = mem_calloc(len, sizeof(*s->live));
	s->zero = const_vec(s, 0);
	for (uint32_t w = 0; w < NWORDS; w++) {
		bdd_t *v = new_vec(s);
		bpf_sym_word(b, 4 * w, v);
		s->words[w] = v;
	}
}

static void sym_fini(struct sym *s)
{
	free(s->in);
	free(s->reach);
	free(s->st);
	free(s->live);
	while (s->chunks) {
		struct vec_chunk *c = s->chunks;
		s->chunks = c->next;
		free(c);
	}
}

int bpf_sym_run(struct bdd_ctx *b, const struct sock_filter *prog, size_t len,
		struct bpf_sym_sem *out, char *why, size_t whylen)
{
	struct sym s = { .why = why, .whylen = whylen };
	int rc = 0;
	out->r = NULL;
	out->n = 0;
	if (why && whylen)
		why[0] = '\0';
	if (!prog || len == 0 || len > 4096 || bdd_nvars(b) < BPF_SYM_NVARS)
		return sym_fail(&s, "no program, or more than 4096 instructions");
	sym_init(&s, b, prog, len, out);
	rc = check_shape(&s);
	if (rc == 0) {
		liveness(&s);
		for (int k = 0; k < NREGS; k++)
			s.st[0].r[k] = s.zero;
		s.reach[0] = BDD_TRUE;
	}
	for (size_t pc = 0; rc == 0 && pc < len && !bdd_failed(b); pc++)
		if (s.reach[pc] != BDD_FALSE)
			rc = exec_insn(&s, pc);
	if (rc == 0)
		finish_rets(&s);
	if (rc == 0 && bdd_failed(b))
		rc = sym_fail(&s, "out of BDD budget (%zu nodes)", bdd_nodes(b));
	sym_fini(&s);
	return rc;
}
