/* Disassembler for seccomp classic-BPF programs, with a path analysis
 * that tells each RET which syscall number and arch lead to it.
 *
 * The analysis walks the program once in index order. Classic BPF jumps
 * only go forward, so when we reach an instruction every edge into it has
 * already been seen. Each instruction collects the set of abstract states
 * arriving on those edges; a state records what A and X mirror (nothing
 * known, a constant, seccomp_data.nr or seccomp_data.arch) and the ranges
 * [lo, hi] that the compares on each path so far allow for nr and arch.
 * Keeping states apart instead of merging them at once matters where
 * paths with different knowledge meet, e.g. libseccomp's x32 check
 * re-joining the main jeq chain; comparisons that cannot succeed on a
 * state drop it from that edge, which keeps such sets small. */
#include "bpf/bpf.h"

#include <linux/audit.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DATA_SIZE ((uint32_t)sizeof(struct seccomp_data))
#define MAX_STATES 256	/* per instruction; beyond this, merge into one */
#define TEXT_COLUMN 32	/* where the "; comment" starts */

enum hold { H_UNKNOWN, H_CONST, H_NR, H_ARCH };
enum field { F_NR, F_ARCH, F_COUNT };

struct rstate {
	uint8_t a, x;		/* enum hold: what the register mirrors */
	uint32_t ak, xk;	/* the constant for H_CONST, else 0 */
	uint32_t lo[F_COUNT], hi[F_COUNT];
};

/* The states reaching one instruction. ALL is the join of every state
 * added and is what RET annotations use: its range for a field is a
 * single value exactly when every path agrees on that value. */
struct rset {
	struct rstate *v;	/* distinct states; NULL once joined */
	unsigned n, cap;
	bool joined;		/* too many (or no memory): only ALL is kept */
	bool reached;
	struct rstate all;
};

static void join_hold(uint8_t *h, uint32_t *k, uint8_t h2, uint32_t k2)
{
	if (*h != h2 || *k != k2) {
		*h = H_UNKNOWN;
		*k = 0;
	}
}

/* Widens INTO so that it also describes S. */
static void join(struct rstate *into, const struct rstate *s)
{
	join_hold(&into->a, &into->ak, s->a, s->ak);
	join_hold(&into->x, &into->xk, s->x, s->xk);
	for (int f = 0; f < F_COUNT; f++) {
		if (s->lo[f] < into->lo[f])
			into->lo[f] = s->lo[f];
		if (s->hi[f] > into->hi[f])
			into->hi[f] = s->hi[f];
	}
}

static bool same(const struct rstate *s, const struct rstate *t)
{
	for (int f = 0; f < F_COUNT; f++)
		if (s->lo[f] != t->lo[f] || s->hi[f] != t->hi[f])
			return false;
	return s->a == t->a && s->ak == t->ak && s->x == t->x && s->xk == t->xk;
}

/* Collapses SET to its join: the conservative way out of a state
 * explosion, and the fallback when memory runs out. */
static void rset_collapse(struct rset *set)
{
	free(set->v);
	set->v = NULL;
	set->n = set->cap = 0;
	set->joined = true;
}

static bool rset_grow(struct rset *set)
{
	unsigned cap = set->cap ? set->cap * 2 : 4;
	struct rstate *v;

	if (set->n < set->cap)
		return true;
	if (cap > MAX_STATES)
		cap = MAX_STATES;
	if (set->n >= cap)
		return false;
	v = realloc(set->v, cap * sizeof(*v));
	if (!v)
		return false;
	set->v = v;
	set->cap = cap;
	return true;
}

static void rset_add(struct rset *set, const struct rstate *s)
{
	if (set->reached) {
		join(&set->all, s);
	} else {
		set->all = *s;
		set->reached = true;
	}
	if (set->joined)
		return;
	for (unsigned i = 0; i < set->n; i++)
		if (same(&set->v[i], s))
			return;
	if (!rset_grow(set)) {
		rset_collapse(set);
		return;
	}
	set->v[set->n++] = *s;
}

static size_t rset_states(const struct rset *set, const struct rstate **out)
{
	if (set->joined) {
		*out = &set->all;
		return 1;
	}
	*out = set->v;
	return set->n;
}

static void set_hold(uint8_t *h, uint32_t *k, uint8_t nh, uint32_t nk)
{
	*h = nh;
	*k = nh == H_CONST ? nk : 0;
}

/* Narrows [*LO, *HI] to the values v for which "v OP k" has OUTCOME.
 * Returns false when no value is left, i.e. the edge is infeasible. */
static bool narrow(uint16_t op, uint32_t k, bool outcome, uint32_t *lo,
		   uint32_t *hi)
{
	uint32_t l = *lo, h = *hi;

	switch (op) {
	case BPF_JEQ:
		if (outcome) {
			if (k < l || k > h)
				return false;
			l = h = k;
		} else if (l == h && l == k) {
			return false;
		} else if (k == l) {
			l++;
		} else if (k == h) {
			h--;
		}
		break;
	case BPF_JGT:
		if (outcome) {
			if (k >= h)
				return false;
			if (l <= k)
				l = k + 1;
		} else {
			if (l > k)
				return false;
			if (h > k)
				h = k;
		}
		break;
	case BPF_JGE:
		if (outcome) {
			if (h < k)
				return false;
			if (l < k)
				l = k;
		} else {
			if (l >= k)
				return false;
			if (h >= k)
				h = k - 1;
		}
		break;
	case BPF_JSET:
		/* Only a single known value can decide a bit test. */
		if (l == h && ((l & k) != 0) != outcome)
			return false;
		break;
	}
	*lo = l;
	*hi = h;
	return true;
}

/* Refines S for the OUTCOME edge of conditional jump F; false if that
 * edge cannot be taken from S. */
static bool refine(struct rstate *s, const struct sock_filter *f, bool outcome)
{
	uint32_t tlo = 0, thi = UINT32_MAX, k = f->k;
	uint32_t *lo = &tlo, *hi = &thi;

	if (BPF_SRC(f->code) == BPF_X) {
		if (s->x != H_CONST)
			return true;
		k = s->xk;
	}
	if (s->a == H_NR || s->a == H_ARCH) {
		int fld = s->a == H_NR ? F_NR : F_ARCH;

		lo = &s->lo[fld];
		hi = &s->hi[fld];
	} else if (s->a == H_CONST) {
		tlo = thi = s->ak;
	}
	return narrow(BPF_OP(f->code), k, outcome, lo, hi);
}

static void push(struct rset *sets, size_t len, uint64_t target,
		 const struct rstate *s)
{
	if (target < len)
		rset_add(&sets[target], s);
}

/* Effect of a non-jump, non-RET instruction on the registers. */
static void step_regs(struct rstate *s, const struct sock_filter *f)
{
	switch (f->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		set_hold(&s->a, &s->ak,
			 f->k == offsetof(struct seccomp_data, nr) ? H_NR :
			 f->k == offsetof(struct seccomp_data, arch) ? H_ARCH :
			 H_UNKNOWN, 0);
		break;
	case BPF_LD | BPF_IMM:
		set_hold(&s->a, &s->ak, H_CONST, f->k);
		break;
	case BPF_LD | BPF_W | BPF_LEN:
		set_hold(&s->a, &s->ak, H_CONST, DATA_SIZE);
		break;
	case BPF_LDX | BPF_IMM:
		set_hold(&s->x, &s->xk, H_CONST, f->k);
		break;
	case BPF_LDX | BPF_W | BPF_LEN:
		set_hold(&s->x, &s->xk, H_CONST, DATA_SIZE);
		break;
	case BPF_LDX | BPF_MEM:
		set_hold(&s->x, &s->xk, H_UNKNOWN, 0);
		break;
	case BPF_ST:
	case BPF_STX:
		break;
	case BPF_MISC | BPF_TAX:
		set_hold(&s->x, &s->xk, s->a, s->ak);
		break;
	case BPF_MISC | BPF_TXA:
		set_hold(&s->a, &s->ak, s->x, s->xk);
		break;
	default:
		/* ALU results, M[] loads and invalid opcodes: A is unknown;
		 * for invalid opcodes X too, to stay conservative. */
		set_hold(&s->a, &s->ak, H_UNKNOWN, 0);
		if (BPF_CLASS(f->code) != BPF_ALU && f->code != (BPF_LD | BPF_MEM))
			set_hold(&s->x, &s->xk, H_UNKNOWN, 0);
		break;
	}
}

/* Sends every state reaching PC along PC's outgoing edges. */
static void propagate(struct rset *sets, const struct sock_filter *prog,
		      size_t len, size_t pc)
{
	const struct sock_filter *f = &prog[pc];
	const struct rstate *in;
	size_t n = rset_states(&sets[pc], &in);

	if (BPF_CLASS(f->code) == BPF_RET)
		return;
	for (size_t i = 0; i < n; i++) {
		struct rstate s = in[i];

		if (f->code == (BPF_JMP | BPF_JA)) {
			push(sets, len, (uint64_t)pc + 1 + f->k, &s);
		} else if (BPF_CLASS(f->code) == BPF_JMP) {
			struct rstate t = s;

			if (refine(&t, f, true))
				push(sets, len, (uint64_t)pc + 1 + f->jt, &t);
			if (refine(&s, f, false))
				push(sets, len, (uint64_t)pc + 1 + f->jf, &s);
		} else {
			step_regs(&s, f);
			push(sets, len, pc + 1, &s);
		}
	}
}

/* ---- text ---- */

static const char *arch_name(uint32_t arch)
{
	static const struct { uint32_t arch; const char *name; } names[] = {
		{ AUDIT_ARCH_X86_64,  "x86_64" },
		{ AUDIT_ARCH_I386,    "i386" },
		{ AUDIT_ARCH_AARCH64, "aarch64" },
		{ AUDIT_ARCH_ARM,     "arm" },
		{ AUDIT_ARCH_PPC64,   "ppc64" },
		{ AUDIT_ARCH_PPC64LE, "ppc64le" },
		{ AUDIT_ARCH_S390X,   "s390x" },
		{ AUDIT_ARCH_RISCV64, "riscv64" },
		{ AUDIT_ARCH_MIPS64,  "mips64" },
		{ AUDIT_ARCH_MIPSEL64, "mipsel64" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].arch == arch)
			return names[i].name;
	return NULL;
}

/* Names the seccomp_data word at offset K. */
static void field_name(uint32_t k, char *buf, size_t len)
{
	/* Which 4-byte half of a 64-bit field holds its low bits. */
	const uint32_t lo_half = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 0 : 4;
	const uint32_t ip = offsetof(struct seccomp_data, instruction_pointer);
	const uint32_t args = offsetof(struct seccomp_data, args);

	if (k >= DATA_SIZE || k % 4 != 0)
		snprintf(buf, len, "invalid offset");
	else if (k == offsetof(struct seccomp_data, nr))
		snprintf(buf, len, "nr");
	else if (k == offsetof(struct seccomp_data, arch))
		snprintf(buf, len, "arch");
	else if (k < args)
		snprintf(buf, len, "ip %s", (k - ip) % 8 == lo_half ? "lo" : "hi");
	else
		snprintf(buf, len, "arg%u %s", (k - args) / 8,
			 (k - args) % 8 == lo_half ? "lo" : "hi");
}

static const char *alu_name(uint16_t op)
{
	switch (op) {
	case BPF_ADD: return "add";
	case BPF_SUB: return "sub";
	case BPF_MUL: return "mul";
	case BPF_DIV: return "div";
	case BPF_MOD: return "mod";
	case BPF_AND: return "and";
	case BPF_OR:  return "or";
	case BPF_XOR: return "xor";
	case BPF_LSH: return "lsh";
	case BPF_RSH: return "rsh";
	}
	return NULL;
}

static const char *jmp_name(uint16_t op)
{
	switch (op) {
	case BPF_JEQ:  return "jeq";
	case BPF_JGT:  return "jgt";
	case BPF_JGE:  return "jge";
	case BPF_JSET: return "jset";
	}
	return NULL;
}

/* One instruction's text and comment, filled in by the format_* helpers. */
struct line {
	char text[64];
	char comment[64];
};

static void format_alu(struct line *ln, const struct sock_filter *f)
{
	uint16_t op = BPF_OP(f->code);
	const char *name = alu_name(op);
	bool by_k = BPF_SRC(f->code) == BPF_K;

	if (f->code == (BPF_ALU | BPF_NEG)) {
		snprintf(ln->text, sizeof(ln->text), "neg");
		return;
	}
	if (!name || f->code != (BPF_ALU | op | BPF_SRC(f->code)))
		return;
	if (by_k)
		snprintf(ln->text, sizeof(ln->text), "%-4s #0x%x", name, f->k);
	else
		snprintf(ln->text, sizeof(ln->text), "%-4s x", name);
	if (op == BPF_MOD)
		snprintf(ln->comment, sizeof(ln->comment), "not allowed in seccomp");
	else if (by_k && op == BPF_DIV && f->k == 0)
		snprintf(ln->comment, sizeof(ln->comment), "division by zero");
	else if (by_k && (op == BPF_LSH || op == BPF_RSH) && f->k >= 32)
		snprintf(ln->comment, sizeof(ln->comment), "shift out of range");
}

static void format_jump(struct line *ln, const struct sock_filter *f,
			size_t pc, size_t len, const struct rset *here)
{
	uint16_t op = BPF_OP(f->code);
	const char *name = jmp_name(op);
	uint64_t jt = (uint64_t)pc + 1 + f->jt, jf = (uint64_t)pc + 1 + f->jf;
	char operand[16];
	const char *arch;

	if (f->code == (BPF_JMP | BPF_JA)) {
		uint64_t to = (uint64_t)pc + 1 + f->k;

		snprintf(ln->text, sizeof(ln->text), "ja   -> %04llu",
			 (unsigned long long)to);
		if (to >= len)
			snprintf(ln->comment, sizeof(ln->comment), "target out of range");
		return;
	}
	if (!name || f->code != (BPF_JMP | op | BPF_SRC(f->code)))
		return;
	if (BPF_SRC(f->code) == BPF_K)
		snprintf(operand, sizeof(operand), "#0x%x", f->k);
	else
		snprintf(operand, sizeof(operand), "x");
	snprintf(ln->text, sizeof(ln->text), "%-4s %s -> %04llu : %04llu", name,
		 operand, (unsigned long long)jt, (unsigned long long)jf);
	arch = BPF_SRC(f->code) == BPF_K ? arch_name(f->k) : NULL;
	if (jt >= len || jf >= len)
		snprintf(ln->comment, sizeof(ln->comment), "target out of range");
	else if (arch && here && here->reached && here->all.a == H_ARCH)
		snprintf(ln->comment, sizeof(ln->comment), "%s", arch);
}

static void format_mem(struct line *ln, const char *name, uint32_t k)
{
	snprintf(ln->text, sizeof(ln->text), "%-4s M[%u]", name, k);
	if (k >= BPF_MEMWORDS)
		snprintf(ln->comment, sizeof(ln->comment), "cell out of range");
}

static void format_load(struct line *ln, const struct sock_filter *f)
{
	switch (f->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		snprintf(ln->text, sizeof(ln->text), "ld   [%u]", f->k);
		field_name(f->k, ln->comment, sizeof(ln->comment));
		break;
	case BPF_LD | BPF_IMM:
		snprintf(ln->text, sizeof(ln->text), "ld   #0x%x", f->k);
		break;
	case BPF_LDX | BPF_IMM:
		snprintf(ln->text, sizeof(ln->text), "ldx  #0x%x", f->k);
		break;
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
		snprintf(ln->text, sizeof(ln->text), "%s len",
			 BPF_CLASS(f->code) == BPF_LD ? "ld  " : "ldx ");
		snprintf(ln->comment, sizeof(ln->comment), "= %u", DATA_SIZE);
		break;
	case BPF_LD | BPF_MEM:  format_mem(ln, "ld", f->k); break;
	case BPF_LDX | BPF_MEM: format_mem(ln, "ldx", f->k); break;
	case BPF_ST:            format_mem(ln, "st", f->k); break;
	case BPF_STX:           format_mem(ln, "stx", f->k); break;
	}
}

static void format_ret(struct line *ln, const struct sock_filter *f,
		       const struct rset *here)
{
	if (f->code == (BPF_RET | BPF_K)) {
		snprintf(ln->text, sizeof(ln->text), "ret  #0x%08x", f->k);
		bpf_action_str(f->k, ln->comment, sizeof(ln->comment));
	} else if (f->code == (BPF_RET | BPF_A)) {
		snprintf(ln->text, sizeof(ln->text), "ret  a");
		if (here && here->reached && here->all.a == H_CONST)
			bpf_action_str(here->all.ak, ln->comment, sizeof(ln->comment));
	}
}

static void format_insn(struct line *ln, const struct sock_filter *prog,
			size_t len, size_t pc, const struct rset *here)
{
	const struct sock_filter *f = &prog[pc];

	ln->text[0] = ln->comment[0] = '\0';
	switch (BPF_CLASS(f->code)) {
	case BPF_LD:
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		format_load(ln, f);
		break;
	case BPF_ALU:
		format_alu(ln, f);
		break;
	case BPF_JMP:
		format_jump(ln, f, pc, len, here);
		break;
	case BPF_RET:
		format_ret(ln, f, here);
		break;
	case BPF_MISC:
		if (f->code == (BPF_MISC | BPF_TAX))
			snprintf(ln->text, sizeof(ln->text), "tax");
		else if (f->code == (BPF_MISC | BPF_TXA))
			snprintf(ln->text, sizeof(ln->text), "txa");
		break;
	}
	if (ln->text[0] == '\0') {
		snprintf(ln->text, sizeof(ln->text),
			 ".insn 0x%04x, %u, %u, 0x%x", f->code, f->jt, f->jf, f->k);
		snprintf(ln->comment, sizeof(ln->comment), "invalid opcode");
	}
}

/* What the analysis knows at the RET at PC; all zero if nothing. */
static void reach_of(struct bpf_reach *r, const struct sock_filter *f,
		     const struct rset *here)
{
	const struct rstate *all = here && here->reached ? &here->all : NULL;

	memset(r, 0, sizeof(*r));
	if (f->code == (BPF_RET | BPF_K))
		r->ret = f->k;
	else if (all && all->a == H_CONST)
		r->ret = all->ak;
	if (!all)
		return;
	if (all->lo[F_ARCH] == all->hi[F_ARCH])
		r->arch = all->lo[F_ARCH];
	if (all->lo[F_NR] == all->hi[F_NR]) {
		r->nr_known = 1;
		r->nr = all->lo[F_NR];
	}
	const struct rstate *v;
	size_t n = rset_states(here, &v);
	for (size_t i = 0; i < n; i++) {
		int pinned = v[i].lo[F_NR] == v[i].hi[F_NR] && v[i].lo[F_ARCH] == v[i].hi[F_ARCH];
		if (!pinned || r->npaths == BPF_REACH_PATHS) {
			r->npaths = 0;
			return;
		}
		struct bpf_path p = { v[i].lo[F_ARCH], v[i].lo[F_NR] };
		unsigned k = 0;
		while (k < r->npaths && (r->paths[k].arch != p.arch || r->paths[k].nr != p.nr))
			k++;
		if (k == r->npaths)
			r->paths[r->npaths++] = p;
	}
}

static void print_insn(FILE *out, const struct sock_filter *prog, size_t len,
		       size_t pc, const struct rset *here,
		       bpf_annotate_fn annotate, void *ctx)
{
	struct line ln;
	char note[256] = "";

	format_insn(&ln, prog, len, pc, here);
	if (ln.comment[0])
		fprintf(out, "%04zu: %-*s ; %s", pc, TEXT_COLUMN, ln.text, ln.comment);
	else
		fprintf(out, "%04zu: %s", pc, ln.text);
	if (annotate && BPF_CLASS(prog[pc].code) == BPF_RET) {
		struct bpf_reach r;

		reach_of(&r, &prog[pc], here);
		annotate(&r, ctx, note, sizeof(note));
		note[sizeof(note) - 1] = '\0';
		if (note[0])
			fprintf(out, "  # %s", note);
	}
	fputc('\n', out);
}

void bpf_disasm(FILE *out, const struct sock_filter *prog, size_t len,
		bpf_annotate_fn annotate, void *ctx)
{
	/* A and X start at 0; nothing is known about seccomp_data. */
	const struct rstate entry = {
		.a = H_CONST, .x = H_CONST,
		.hi = { [F_NR] = UINT32_MAX, [F_ARCH] = UINT32_MAX },
	};
	struct rset *sets = NULL;

	if (!out || !prog || len == 0)
		return;
	/* Oversized input is still printed, just without the analysis. */
	if (len <= BPF_MAX_INSNS)
		sets = calloc(len, sizeof(*sets));
	if (sets)
		rset_add(&sets[0], &entry);
	for (size_t pc = 0; pc < len; pc++) {
		struct rset *here = sets ? &sets[pc] : NULL;

		if (here)
			propagate(sets, prog, len, pc);
		print_insn(out, prog, len, pc, here, annotate, ctx);
		if (here)
			rset_collapse(here);
	}
	free(sets);
}
