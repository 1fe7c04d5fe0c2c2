/* Renumbering syscalls in an exported program.
 *
 * libseccomp 2.5.4 cannot add a rule for some syscalls on a non-native
 * arch: ones newer than its tables, and on x86 the socket and IPC calls,
 * which it always pairs with their multiplexer (socketcall, ipc). The
 * backend adds such a syscall's rules under a stand-in that libseccomp
 * does know and the policy does not use, and this pass then makes the
 * program compare the syscall number with the real number where it
 * compared it with the stand-in's.
 *
 * That is only sound where every comparison of the number is understood,
 * so the pass follows what the accumulator holds along every path (the
 * number, the arch, or something else) and which arch the path has
 * matched, and gives up on anything it cannot account for: a comparison of
 * the number on an unknown arch, ordered comparisons that would treat the
 * two numbers differently, arithmetic on the number, the number stored in
 * scratch memory. The backend verifies the result against the policy like
 * any other program, and an opcode seccomp does not know makes the pass
 * give up too. */
#include <stdlib.h>

#include "base/mem.h"
#include "bpf/insn.h"
#include "bpf/renumber.h"

enum acc { ACC_UNSET, ACC_NR, ACC_ARCH, ACC_OTHER, ACC_MIXED };

struct state {
	int reached;
	enum acc acc;
	int arch_known;
	uint32_t arch;
};

static void merge(struct state *into, const struct state *s)
{
	if (!into->reached) {
		*into = *s;
		return;
	}
	if (into->acc != s->acc)
		into->acc = ACC_MIXED;
	if (!s->arch_known || !into->arch_known || into->arch != s->arch)
		into->arch_known = 0;
}

/* Does the comparison (OP, K) treat numbers X and Y alike? */
static int same_outcome(enum cbpf_op op, uint32_t k, uint32_t x, uint32_t y)
{
	return cbpf_taken(op, x, k) == cbpf_taken(op, y, k);
}

/* A comparison IN of the syscall number on a path for arch S->arch.
 * Rewrites F's K from a stand-in to its syscall; -1 when that is not
 * sound. */
static int renumber_cmp(struct sock_filter *f, const struct cbpf_insn *in, const struct state *s,
			const struct renumbering *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s->arch_known && s->arch != r[i].audit_arch)
			continue;
		if (!s->arch_known || in->src != CBPF_K)
			return -1;
		if (in->op == CBPF_JEQ && in->k == r[i].from) {
			f->k = r[i].to;
			return 0;   /* stand-ins and syscalls are all distinct */
		}
		if (!same_outcome(in->op, in->k, r[i].from, r[i].to))
			return -1;
	}
	return 0;
}

static void flow(struct state *st, size_t len, uint64_t to, const struct state *s)
{
	if (to < len)
		merge(&st[to], s);
}

/* What the accumulator holds after the load IN, from S. */
static enum acc load_acc(const struct cbpf_insn *in, enum acc acc)
{
	if (in->src == CBPF_DATA && in->field == CBPF_FIELD_NR)
		return ACC_NR;
	if (in->src == CBPF_DATA && in->field == CBPF_FIELD_ARCH)
		return ACC_ARCH;
	return in->dst == CBPF_A ? ACC_OTHER : acc;
}

/* The state after the non-jump IN, or -1 when the number escapes where
 * the pass cannot follow it: into arithmetic, scratch memory or X. */
static int step(const struct cbpf_insn *in, struct state *s)
{
	int nr_in_a = s->acc == ACC_NR || s->acc == ACC_MIXED;

	switch (in->kind) {
	case CBPF_LOAD:
		if (in->dst == CBPF_X && in->src == CBPF_A && nr_in_a)
			return -1;   /* TAX: the number in X */
		s->acc = load_acc(in, s->acc);
		return 0;
	case CBPF_STORE:
		return in->src == CBPF_A && nr_in_a ? -1 : 0;
	case CBPF_ALU:
		if (nr_in_a)
			return -1;
		s->acc = ACC_OTHER;
		return 0;
	default:
		return -1;
	}
}

/* A conditional jump IN (F in the program) reached with S. */
static int jump(struct state *st, size_t len, struct sock_filter *f, const struct cbpf_insn *in,
		const struct state *s, const struct renumbering *r, size_t n)
{
	if (s->acc == ACC_MIXED)
		return -1;
	if (s->acc == ACC_NR && renumber_cmp(f, in, s, r, n))
		return -1;
	struct state t = *s;
	if (s->acc == ACC_ARCH && in->op == CBPF_JEQ && in->src == CBPF_K) {
		t.arch_known = 1;
		t.arch = in->k;
	}
	flow(st, len, in->jt, &t);
	flow(st, len, in->jf, s);
	return 0;
}

static int renumber(struct sock_filter *prog, size_t len, const struct renumbering *r, size_t n,
		    struct state *st)
{
	st[0] = (struct state){ 1, ACC_UNSET, 0, 0 };
	for (size_t pc = 0; pc < len; pc++) {
		struct cbpf_insn in;
		struct state s = st[pc];
		if (!s.reached)
			continue;
		if (cbpf_decode(prog, len, pc, &in))
			return -1;
		if (in.kind == CBPF_RET)
			continue;
		if (in.kind == CBPF_JUMP) {
			if (jump(st, len, &prog[pc], &in, &s, r, n))
				return -1;
			continue;
		}
		if (in.kind != CBPF_JA && step(&in, &s))
			return -1;
		flow(st, len, in.jt, &s);
	}
	return 0;
}

int bpf_renumber(struct sock_filter *prog, size_t len, const struct renumbering *r, size_t n)
{
	if (n == 0 || len == 0)
		return 0;
	struct state *st = mem_calloc(len, sizeof(*st));
	int rc = renumber(prog, len, r, n, st);
	free(st);
	return rc;
}
