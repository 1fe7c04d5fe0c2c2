/* The classic-BPF decoder (see insn.h): the opcodes seccomp accepts,
 * each with what it does, in one table. */
#include "bpf/insn.h"

#include <stdbool.h>

/* What an opcode does; kind CBPF_INVALID (zero) for the ones seccomp
 * does not know. */
struct shape {
	enum cbpf_kind kind;
	enum cbpf_op op;
	enum cbpf_val dst, src;
	bool seccomp;   /* false only for ALU MOD */
};

#define LOAD(c, d, s) [c] = { CBPF_LOAD, 0, (d), (s), true }
#define ALU(o, c) \
	[BPF_ALU | (c) | BPF_K] = { CBPF_ALU, (o), CBPF_A, CBPF_K, true }, \
	[BPF_ALU | (c) | BPF_X] = { CBPF_ALU, (o), CBPF_A, CBPF_X, true }
#define JUMP(o, c) \
	[BPF_JMP | (c) | BPF_K] = { CBPF_JUMP, (o), CBPF_NONE, CBPF_K, true }, \
	[BPF_JMP | (c) | BPF_X] = { CBPF_JUMP, (o), CBPF_NONE, CBPF_X, true }

/* Exactly the kernel's seccomp list (seccomp_check_filter), plus MOD;
 * indexed by opcode, all of which fit in 8 bits. */
static const struct shape shapes[256] = {
	LOAD(BPF_LD | BPF_W | BPF_ABS, CBPF_A, CBPF_DATA),
	LOAD(BPF_LD | BPF_W | BPF_LEN, CBPF_A, CBPF_LEN),
	LOAD(BPF_LDX | BPF_W | BPF_LEN, CBPF_X, CBPF_LEN),
	LOAD(BPF_LD | BPF_IMM, CBPF_A, CBPF_K),
	LOAD(BPF_LDX | BPF_IMM, CBPF_X, CBPF_K),
	LOAD(BPF_LD | BPF_MEM, CBPF_A, CBPF_MEM),
	LOAD(BPF_LDX | BPF_MEM, CBPF_X, CBPF_MEM),
	LOAD(BPF_MISC | BPF_TAX, CBPF_X, CBPF_A),
	LOAD(BPF_MISC | BPF_TXA, CBPF_A, CBPF_X),
	[BPF_ST] = { CBPF_STORE, 0, CBPF_MEM, CBPF_A, true },
	[BPF_STX] = { CBPF_STORE, 0, CBPF_MEM, CBPF_X, true },
	ALU(CBPF_ADD, BPF_ADD), ALU(CBPF_SUB, BPF_SUB), ALU(CBPF_MUL, BPF_MUL),
	ALU(CBPF_DIV, BPF_DIV), ALU(CBPF_AND, BPF_AND), ALU(CBPF_OR, BPF_OR),
	ALU(CBPF_XOR, BPF_XOR), ALU(CBPF_LSH, BPF_LSH), ALU(CBPF_RSH, BPF_RSH),
	[BPF_ALU | BPF_NEG] = { CBPF_ALU, CBPF_NEG, CBPF_A, CBPF_NONE, true },
	[BPF_ALU | BPF_MOD | BPF_K] = { CBPF_ALU, CBPF_MOD, CBPF_A, CBPF_K, false },
	[BPF_ALU | BPF_MOD | BPF_X] = { CBPF_ALU, CBPF_MOD, CBPF_A, CBPF_X, false },
	[BPF_JMP | BPF_JA] = { CBPF_JA, 0, CBPF_NONE, CBPF_NONE, true },
	JUMP(CBPF_JEQ, BPF_JEQ), JUMP(CBPF_JGT, BPF_JGT),
	JUMP(CBPF_JGE, BPF_JGE), JUMP(CBPF_JSET, BPF_JSET),
	[BPF_RET | BPF_K] = { CBPF_RET, 0, CBPF_NONE, CBPF_K, true },
	[BPF_RET | BPF_A] = { CBPF_RET, 0, CBPF_NONE, CBPF_A, true },
};

static const struct shape *shape_of(uint16_t code)
{
	if (code >= sizeof(shapes) / sizeof(shapes[0]) || shapes[code].kind == CBPF_INVALID)
		return NULL;
	return &shapes[code];
}

enum cbpf_kind cbpf_kind_of(uint16_t code)
{
	const struct shape *s = shape_of(code);

	return s ? s->kind : CBPF_INVALID;
}

/* Which 4-byte half of a 64-bit field holds its high bits. */
static uint32_t hi_half(void)
{
	return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 4 : 0;
}

enum cbpf_field cbpf_field_of(uint32_t k, unsigned *arg, int *hi)
{
	const uint32_t ip = offsetof(struct seccomp_data, instruction_pointer);
	const uint32_t args = offsetof(struct seccomp_data, args);

	*arg = 0;
	*hi = 0;
	if (k >= CBPF_DATA_SIZE || k % 4 != 0)
		return CBPF_FIELD_BAD;
	if (k == offsetof(struct seccomp_data, nr))
		return CBPF_FIELD_NR;
	if (k == offsetof(struct seccomp_data, arch))
		return CBPF_FIELD_ARCH;
	if (k < args) {
		*hi = (k - ip) % 8 == hi_half();
		return CBPF_FIELD_IP;
	}
	*arg = (k - args) / 8;
	*hi = (k - args) % 8 == hi_half();
	return CBPF_FIELD_ARG;
}

uint32_t cbpf_offset_of(enum cbpf_field field, unsigned arg, int hi)
{
	const uint32_t half = hi ? hi_half() : 4 - hi_half();
	const unsigned nargs = sizeof(((struct seccomp_data *)0)->args) / sizeof(uint64_t);

	switch (field) {
	case CBPF_FIELD_NR:   return offsetof(struct seccomp_data, nr);
	case CBPF_FIELD_ARCH: return offsetof(struct seccomp_data, arch);
	case CBPF_FIELD_IP:   return offsetof(struct seccomp_data, instruction_pointer) + half;
	case CBPF_FIELD_ARG:
		if (arg >= nargs)
			return CBPF_DATA_SIZE;
		return offsetof(struct seccomp_data, args) + 8 * arg + half;
	default:              return CBPF_DATA_SIZE;
	}
}

/* Where control goes after IN, the instruction at PC of a program of LEN.
 * An invalid opcode goes where its class would take it (insn.h). */
static void successors(struct cbpf_insn *in, const struct sock_filter *f, size_t pc, size_t len)
{
	uint64_t next = (uint64_t)pc + 1;
	int invalid = in->kind == CBPF_INVALID;

	in->nsucc = 1;
	in->jt = in->jf = next;
	if (in->kind == CBPF_RET || (invalid && BPF_CLASS(f->code) == BPF_RET)) {
		in->nsucc = 0;
	} else if (in->kind == CBPF_JA) {
		in->jt = in->jf = next + f->k;
	} else if (in->kind == CBPF_JUMP || (invalid && BPF_CLASS(f->code) == BPF_JMP)) {
		in->nsucc = 2;
		in->jt = next + f->jt;
		in->jf = next + f->jf;
	}
	in->in_range = in->nsucc == 0 || (in->jt < len && in->jf < len);
}

int cbpf_decode(const struct sock_filter *prog, size_t len, size_t pc, struct cbpf_insn *in)
{
	const struct sock_filter *f = &prog[pc];
	const struct shape *s = shape_of(f->code);

	*in = (struct cbpf_insn){ .kind = CBPF_INVALID, .k = f->k };
	if (s) {
		in->kind = s->kind;
		in->op = s->op;
		in->dst = s->dst;
		in->src = s->src;
	} else if (BPF_CLASS(f->code) == BPF_ALU) {
		in->dst = CBPF_A;   /* whatever it is, it can only change A */
	}
	if (in->src == CBPF_DATA)
		in->field = cbpf_field_of(f->k, &in->arg, &in->hi);
	successors(in, f, pc, len);
	return s && s->seccomp ? 0 : -1;
}

int cbpf_taken(enum cbpf_op op, uint32_t a, uint32_t v)
{
	switch (op) {
	case CBPF_JEQ: return a == v;
	case CBPF_JGT: return a > v;
	case CBPF_JGE: return a >= v;
	default:       return (a & v) != 0;   /* CBPF_JSET */
	}
}
