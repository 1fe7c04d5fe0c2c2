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
 * any other program. */
#include <stdlib.h>

#include "bpf/renumber.h"

enum acc { ACC_UNSET, ACC_NR, ACC_ARCH, ACC_OTHER, ACC_MIXED };

struct state {
	int reached;
	enum acc acc;
	int arch_known;
	uint32_t arch;
};

#define NR_OFFSET 0      /* offsetof(struct seccomp_data, nr) */
#define ARCH_OFFSET 4    /* offsetof(struct seccomp_data, arch) */

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
static int same_outcome(uint16_t op, uint32_t k, uint32_t x, uint32_t y)
{
	switch (op) {
	case BPF_JEQ: return (x == k) == (y == k);
	case BPF_JGT: return (x > k) == (y > k);
	case BPF_JGE: return (x >= k) == (y >= k);
	default:      return ((x & k) != 0) == ((y & k) != 0);   /* BPF_JSET */
	}
}

/* A comparison of the syscall number with K on a path for arch S->arch.
 * Rewrites K from a stand-in to its syscall; -1 when that is not sound. */
static int renumber_cmp(struct sock_filter *f, const struct state *s,
			const struct renumbering *r, size_t n)
{
	uint16_t op = BPF_OP(f->code);
	uint32_t k = f->k;
	for (size_t i = 0; i < n; i++) {
		if (s->arch_known && s->arch != r[i].audit_arch)
			continue;
		if (!s->arch_known || BPF_SRC(f->code) != BPF_K)
			return -1;
		if (op == BPF_JEQ && k == r[i].from) {
			f->k = r[i].to;
			return 0;   /* stand-ins and syscalls are all distinct */
		}
		if (!same_outcome(op, k, r[i].from, r[i].to))
			return -1;
	}
	return 0;
}

static void flow(struct state *st, size_t len, size_t to, const struct state *s)
{
	if (to < len)
		merge(&st[to], s);
}

static int renumber(struct sock_filter *prog, size_t len, const struct renumbering *r, size_t n,
		    struct state *st)
{
	st[0] = (struct state){ 1, ACC_UNSET, 0, 0 };
	for (size_t pc = 0; pc < len; pc++) {
		struct sock_filter *f = &prog[pc];
		struct state s = st[pc];
		if (!s.reached)
			continue;
		switch (BPF_CLASS(f->code)) {
		case BPF_RET:
			continue;
		case BPF_LD:
			if (BPF_MODE(f->code) == BPF_ABS && f->k == NR_OFFSET)
				s.acc = ACC_NR;
			else if (BPF_MODE(f->code) == BPF_ABS && f->k == ARCH_OFFSET)
				s.acc = ACC_ARCH;
			else
				s.acc = ACC_OTHER;
			break;
		case BPF_ST:
		case BPF_ALU:
			if (s.acc == ACC_NR || s.acc == ACC_MIXED)
				return -1;
			s.acc = BPF_CLASS(f->code) == BPF_ALU ? ACC_OTHER : s.acc;
			break;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TXA)
				s.acc = ACC_OTHER;
			else if (s.acc == ACC_NR || s.acc == ACC_MIXED)
				return -1;   /* TAX: the number in X */
			break;
		case BPF_JMP: {
			if (BPF_OP(f->code) == BPF_JA) {
				flow(st, len, pc + 1 + f->k, &s);
				continue;
			}
			if (s.acc == ACC_MIXED)
				return -1;
			if (s.acc == ACC_NR && renumber_cmp(f, &s, r, n))
				return -1;
			struct state t = s;
			if (s.acc == ACC_ARCH && BPF_OP(f->code) == BPF_JEQ && BPF_SRC(f->code) == BPF_K) {
				t.arch_known = 1;
				t.arch = f->k;
			}
			flow(st, len, pc + 1 + f->jt, &t);
			flow(st, len, pc + 1 + f->jf, &s);
			continue;
		}
		default:   /* LDX, STX */
			break;
		}
		flow(st, len, pc + 1, &s);
	}
	return 0;
}

int bpf_renumber(struct sock_filter *prog, size_t len, const struct renumbering *r, size_t n)
{
	if (n == 0 || len == 0)
		return 0;
	struct state *st = calloc(len, sizeof(*st));
	if (!st)
		return -1;
	int rc = renumber(prog, len, r, n, st);
	free(st);
	return rc;
}
