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
#include "base/mem.h"
#include "bpf/bpf.h"
#include "bpf/insn.h"
#include "tables/tables.h"

#include <linux/audit.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STATES 256	/* per instruction; beyond this, merge into one */
#define TEXT_COLUMN 32	/* where the "; comment" starts */
#define X32_BIT 0x40000000u	/* __X32_SYSCALL_BIT */

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
	bool joined;		/* too many: only ALL is kept */
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
 * explosion, and what is left of an instruction once it is printed. */
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

	if (set->n < set->cap)
		return true;
	if (cap > MAX_STATES)
		cap = MAX_STATES;
	if (set->n >= cap)
		return false;
	set->v = mem_realloc(set->v, cap, sizeof(*set->v));
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
static bool narrow(enum cbpf_op op, uint32_t k, bool outcome, uint32_t *lo,
		   uint32_t *hi)
{
	uint32_t l = *lo, h = *hi;

	switch (op) {
	case CBPF_JEQ:
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
	case CBPF_JGT:
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
	case CBPF_JGE:
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
	case CBPF_JSET:
		/* Only a single known value can decide a bit test. */
		if (l == h && ((l & k) != 0) != outcome)
			return false;
		break;
	default:
		break;
	}
	*lo = l;
	*hi = h;
	return true;
}

/* Refines S for the OUTCOME edge of conditional jump IN; false if that
 * edge cannot be taken from S. An invalid jump refines nothing. */
static bool refine(struct rstate *s, const struct cbpf_insn *in, bool outcome)
{
	uint32_t tlo = 0, thi = UINT32_MAX, k = in->k;
	uint32_t *lo = &tlo, *hi = &thi;

	if (in->kind != CBPF_JUMP)
		return true;
	if (in->src == CBPF_X) {
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
	return narrow(in->op, k, outcome, lo, hi);
}

static void push(struct rset *sets, size_t len, uint64_t target,
		 const struct rstate *s)
{
	if (target < len)
		rset_add(&sets[target], s);
}

/* What a load's source holds in S. */
static void source_hold(const struct rstate *s, const struct cbpf_insn *in,
			uint8_t *h, uint32_t *k)
{
	*k = 0;
	switch (in->src) {
	case CBPF_DATA:
		*h = in->field == CBPF_FIELD_NR ? H_NR :
		     in->field == CBPF_FIELD_ARCH ? H_ARCH : H_UNKNOWN;
		break;
	case CBPF_K:   *h = H_CONST; *k = in->k; break;
	case CBPF_LEN: *h = H_CONST; *k = CBPF_DATA_SIZE; break;
	case CBPF_A:   *h = s->a; *k = s->ak; break;
	case CBPF_X:   *h = s->x; *k = s->xk; break;
	default:       *h = H_UNKNOWN; break;   /* M[]: not followed */
	}
}

/* Effect of a non-jump, non-RET instruction on the registers. */
static void step_regs(struct rstate *s, const struct cbpf_insn *in)
{
	uint8_t h;
	uint32_t k;

	if (in->kind == CBPF_LOAD) {
		source_hold(s, in, &h, &k);
		if (in->dst == CBPF_A)
			set_hold(&s->a, &s->ak, h, k);
		else
			set_hold(&s->x, &s->xk, h, k);
	} else if (in->kind != CBPF_STORE) {
		/* ALU results and invalid opcodes: A is unknown; for invalid
		 * opcodes outside the ALU class X too, to stay conservative. */
		set_hold(&s->a, &s->ak, H_UNKNOWN, 0);
		if (in->dst != CBPF_A)
			set_hold(&s->x, &s->xk, H_UNKNOWN, 0);
	}
}

/* Sends every state reaching IN (at PC) along its outgoing edges. */
static void propagate(struct rset *sets, size_t len, size_t pc, const struct cbpf_insn *in)
{
	const struct rstate *states;
	size_t n = rset_states(&sets[pc], &states);

	for (size_t i = 0; i < n && in->nsucc > 0; i++) {
		struct rstate s = states[i];

		if (in->nsucc == 2) {
			struct rstate t = s;

			if (refine(&t, in, true))
				push(sets, len, in->jt, &t);
			if (refine(&s, in, false))
				push(sets, len, in->jf, &s);
			continue;
		}
		if (in->kind != CBPF_JA)
			step_regs(&s, in);
		push(sets, len, in->jt, &s);
	}
}

/* ---- text ---- */

/* The AUDIT_ARCH_* name of an arch value, for the compares with it. */
#define AUDIT_NAME(x) { AUDIT_ARCH_##x, "AUDIT_ARCH_" #x }
static const char *arch_name(uint32_t arch)
{
	static const struct { uint32_t arch; const char *name; } names[] = {
		AUDIT_NAME(X86_64), AUDIT_NAME(I386), AUDIT_NAME(AARCH64), AUDIT_NAME(ARM),
		AUDIT_NAME(ARMEB), AUDIT_NAME(PPC), AUDIT_NAME(PPC64), AUDIT_NAME(PPC64LE),
		AUDIT_NAME(S390), AUDIT_NAME(S390X), AUDIT_NAME(RISCV32), AUDIT_NAME(RISCV64),
		AUDIT_NAME(MIPS), AUDIT_NAME(MIPSEL), AUDIT_NAME(MIPS64), AUDIT_NAME(MIPSEL64),
		AUDIT_NAME(MIPS64N32), AUDIT_NAME(MIPSEL64N32), AUDIT_NAME(PARISC),
		AUDIT_NAME(PARISC64), AUDIT_NAME(SPARC), AUDIT_NAME(SPARC64),
#ifdef AUDIT_ARCH_LOONGARCH64
		AUDIT_NAME(LOONGARCH64),
#endif
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].arch == arch)
			return names[i].name;
	return NULL;
}

/* The table arch whose numbering a compare of nr with NR uses when the
 * path pinned seccomp_data.arch to AUDIT (x32 shares x86_64's AUDIT_ARCH
 * and sets bit 30 of nr), or -1 when the tables have none. */
static int table_arch(uint32_t audit, uint32_t nr)
{
	for (int a = 0; a < ARCH_COUNT; a++)
		if (arch_table[a].audit_arch == audit &&
		    (nr & X32_BIT) == arch_table[a].nr_bias)
			return a;
	return -1;
}

/* The arch value the paths reaching HERE compared with: the one they
 * pinned, or ASSUME when no path compared arch at all; 0 when unknown. */
static uint32_t arch_at(const struct rset *here, uint32_t assume)
{
	const struct rstate *all = &here->all;

	if (all->lo[F_ARCH] == all->hi[F_ARCH])
		return all->lo[F_ARCH];
	if (all->lo[F_ARCH] == 0 && all->hi[F_ARCH] == UINT32_MAX)
		return assume;
	return 0;
}

/* Names the syscall number K that nr is compared with by OP on AUDIT
 * ("openat", ">= mkdir", "> rmdir"), or x32's bit where the x86_64
 * dispatch tells the two ABIs apart. */
static void nr_comment(char *buf, size_t len, enum cbpf_op op, uint32_t audit, uint32_t k)
{
	const char *rel = op == CBPF_JGE ? ">= " : op == CBPF_JGT ? "> " : "";
	const struct syscall_desc *d;
	int a = table_arch(audit, k);

	buf[0] = '\0';
	if (audit == AUDIT_ARCH_X86_64 && (k == X32_BIT || k == X32_BIT - 1)) {
		snprintf(buf, len, "%s%s", rel, k == X32_BIT ? "X32_SYSCALL_BIT" : "X32_SYSCALL_BIT - 1");
		return;
	}
	d = a >= 0 ? syscall_by_nr((enum arch_id)a, (int)k) : NULL;
	if (d)
		snprintf(buf, len, "%s%s", rel, d->name);
}

/* Names the seccomp_data word a load reads. */
static void field_name(const struct cbpf_insn *in, char *buf, size_t len)
{
	const char *half = in->hi ? "high" : "low";

	switch (in->field) {
	case CBPF_FIELD_NR:   snprintf(buf, len, "nr"); break;
	case CBPF_FIELD_ARCH: snprintf(buf, len, "arch"); break;
	case CBPF_FIELD_IP:   snprintf(buf, len, "instruction_pointer %s", half); break;
	case CBPF_FIELD_ARG:  snprintf(buf, len, "args[%u] %s", in->arg, half); break;
	default:              snprintf(buf, len, "invalid offset"); break;
	}
}

static const char *op_name(enum cbpf_op op)
{
	static const char *const names[] = {
		[CBPF_ADD] = "add", [CBPF_SUB] = "sub", [CBPF_MUL] = "mul",
		[CBPF_DIV] = "div", [CBPF_MOD] = "mod", [CBPF_AND] = "and",
		[CBPF_OR] = "or", [CBPF_XOR] = "xor", [CBPF_LSH] = "lsh",
		[CBPF_RSH] = "rsh", [CBPF_NEG] = "neg", [CBPF_JEQ] = "jeq",
		[CBPF_JGT] = "jgt", [CBPF_JGE] = "jge", [CBPF_JSET] = "jset",
	};

	return names[op];
}

/* One instruction's text and comment, filled in by the format_* helpers. */
struct line {
	char text[64];
	char comment[64];
};

static void format_alu(struct line *ln, const struct cbpf_insn *in)
{
	const char *name = op_name(in->op);
	bool by_k = in->src == CBPF_K;

	if (in->op == CBPF_NEG) {
		snprintf(ln->text, sizeof(ln->text), "neg");
		return;
	}
	if (by_k)
		snprintf(ln->text, sizeof(ln->text), "%-4s #0x%x", name, in->k);
	else
		snprintf(ln->text, sizeof(ln->text), "%-4s x", name);
	if (in->op == CBPF_MOD)
		snprintf(ln->comment, sizeof(ln->comment), "not allowed in seccomp");
	else if (by_k && in->op == CBPF_DIV && in->k == 0)
		snprintf(ln->comment, sizeof(ln->comment), "division by zero");
	else if (by_k && (in->op == CBPF_LSH || in->op == CBPF_RSH) && in->k >= 32)
		snprintf(ln->comment, sizeof(ln->comment), "shift out of range");
}

static void format_jump(struct line *ln, const struct cbpf_insn *in, const struct rset *here,
			uint32_t assume)
{
	char operand[16];
	const char *arch;
	bool known = here && here->reached && in->src == CBPF_K;

	if (in->kind == CBPF_JA) {
		snprintf(ln->text, sizeof(ln->text), "ja   -> %04llu",
			 (unsigned long long)in->jt);
		if (!in->in_range)
			snprintf(ln->comment, sizeof(ln->comment), "target out of range");
		return;
	}
	if (in->src == CBPF_K)
		snprintf(operand, sizeof(operand), "#0x%x", in->k);
	else
		snprintf(operand, sizeof(operand), "x");
	snprintf(ln->text, sizeof(ln->text), "%-4s %s -> %04llu : %04llu", op_name(in->op),
		 operand, (unsigned long long)in->jt, (unsigned long long)in->jf);
	arch = in->src == CBPF_K ? arch_name(in->k) : NULL;
	if (!in->in_range)
		snprintf(ln->comment, sizeof(ln->comment), "target out of range");
	else if (arch && known && here->all.a == H_ARCH)
		snprintf(ln->comment, sizeof(ln->comment), "%s", arch);
	else if (known && here->all.a == H_NR && in->op != CBPF_JSET)
		nr_comment(ln->comment, sizeof(ln->comment), in->op, arch_at(here, assume), in->k);
}

static void format_mem(struct line *ln, const char *name, uint32_t k)
{
	snprintf(ln->text, sizeof(ln->text), "%-4s M[%u]", name, k);
	if (k >= BPF_MEMWORDS)
		snprintf(ln->comment, sizeof(ln->comment), "cell out of range");
}

static void format_load(struct line *ln, const struct cbpf_insn *in)
{
	bool to_a = in->dst == CBPF_A;

	switch (in->src) {
	case CBPF_DATA:
		snprintf(ln->text, sizeof(ln->text), "ld   [%u]", in->k);
		field_name(in, ln->comment, sizeof(ln->comment));
		break;
	case CBPF_K:
		snprintf(ln->text, sizeof(ln->text), "%s #0x%x", to_a ? "ld  " : "ldx ", in->k);
		break;
	case CBPF_LEN:
		snprintf(ln->text, sizeof(ln->text), "%s len", to_a ? "ld  " : "ldx ");
		snprintf(ln->comment, sizeof(ln->comment), "= %u", CBPF_DATA_SIZE);
		break;
	case CBPF_MEM:
		format_mem(ln, to_a ? "ld" : "ldx", in->k);
		break;
	case CBPF_A: snprintf(ln->text, sizeof(ln->text), "tax"); break;
	case CBPF_X: snprintf(ln->text, sizeof(ln->text), "txa"); break;
	default: break;
	}
}

/* bpf_action_str with errno values by name: "errno(EACCES)". The errno
 * numbers of sysfence's arches are asm-generic's, the same on each. */
static void action_name(uint32_t ret, char *buf, size_t len)
{
	const char *name = NULL;

	if ((ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
		name = constant_errno_name(ARCH_X86_64, ret & SECCOMP_RET_DATA);
	if (name)
		snprintf(buf, len, "errno(%s)", name);
	else
		bpf_action_str(ret, buf, len);
}

static void format_ret(struct line *ln, const struct cbpf_insn *in, const struct rset *here)
{
	if (in->src == CBPF_K) {
		snprintf(ln->text, sizeof(ln->text), "ret  #0x%08x", in->k);
		action_name(in->k, ln->comment, sizeof(ln->comment));
	} else {
		snprintf(ln->text, sizeof(ln->text), "ret  a");
		if (here && here->reached && here->all.a == H_CONST)
			action_name(here->all.ak, ln->comment, sizeof(ln->comment));
	}
}

static void format_insn(struct line *ln, const struct sock_filter *f,
			const struct cbpf_insn *in, const struct rset *here, uint32_t assume)
{
	ln->text[0] = ln->comment[0] = '\0';
	switch (in->kind) {
	case CBPF_LOAD:  format_load(ln, in); break;
	case CBPF_STORE: format_mem(ln, in->src == CBPF_A ? "st" : "stx", in->k); break;
	case CBPF_ALU:   format_alu(ln, in); break;
	case CBPF_JA:
	case CBPF_JUMP:  format_jump(ln, in, here, assume); break;
	case CBPF_RET:   format_ret(ln, in, here); break;
	case CBPF_INVALID: break;
	}
	if (ln->text[0] == '\0') {
		snprintf(ln->text, sizeof(ln->text),
			 ".insn 0x%04x, %u, %u, 0x%x", f->code, f->jt, f->jf, f->k);
		snprintf(ln->comment, sizeof(ln->comment), "invalid opcode");
	}
}

/* What the analysis knows at the RET at PC; all zero if nothing. */
static void reach_of(struct bpf_reach *r, const struct cbpf_insn *in,
		     const struct rset *here)
{
	const struct rstate *all = here && here->reached ? &here->all : NULL;

	memset(r, 0, sizeof(*r));
	if (in->kind == CBPF_RET && in->src == CBPF_K)
		r->ret = in->k;
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

/* What the printing of every instruction shares. */
struct disasm {
	FILE *out;
	uint32_t assume;	/* bpf_disasm_as's ARCH */
	bpf_annotate_fn annotate;
	void *ctx;
};

static void print_insn(const struct disasm *ds, const struct sock_filter *f, size_t pc,
		       const struct cbpf_insn *in, const struct rset *here)
{
	FILE *out = ds->out;
	bpf_annotate_fn annotate = ds->annotate;
	struct line ln;
	char note[256] = "";

	format_insn(&ln, f, in, here, ds->assume);
	if (ln.comment[0])
		fprintf(out, "%04zu: %-*s ; %s", pc, TEXT_COLUMN, ln.text, ln.comment);
	else
		fprintf(out, "%04zu: %s", pc, ln.text);
	/* Every instruction that ends the program, even an invalid one. */
	if (annotate && in->nsucc == 0) {
		struct bpf_reach r;

		reach_of(&r, in, here);
		annotate(&r, ds->ctx, note, sizeof(note));
		note[sizeof(note) - 1] = '\0';
		if (note[0])
			fprintf(out, "  # %s", note);
	}
	fputc('\n', out);
}

void bpf_disasm(FILE *out, const struct sock_filter *prog, size_t len,
		bpf_annotate_fn annotate, void *ctx)
{
	bpf_disasm_as(out, prog, len, 0, annotate, ctx);
}

void bpf_disasm_as(FILE *out, const struct sock_filter *prog, size_t len, uint32_t arch,
		   bpf_annotate_fn annotate, void *ctx)
{
	const struct disasm ds = { out, arch, annotate, ctx };
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
		sets = mem_calloc(len, sizeof(*sets));
	if (sets)
		rset_add(&sets[0], &entry);
	for (size_t pc = 0; pc < len; pc++) {
		struct rset *here = sets ? &sets[pc] : NULL;
		struct cbpf_insn in;

		cbpf_decode(prog, len, pc, &in);
		if (here)
			propagate(sets, len, pc, &in);
		print_insn(&ds, &prog[pc], pc, &in, here);
		if (here)
			rset_collapse(here);
	}
	free(sets);
}
