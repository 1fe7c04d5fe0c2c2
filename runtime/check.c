/* sysfence runtime: every check the kernel makes of a seccomp filter
 * (bpf_check_classic, then seccomp_check_filter), made before the loader
 * changes anything in the process.  A filter the kernel would refuse then
 * leaves the caller as it was, not half set up with no_new_privs, and the
 * error says which rule it broke rather than a bare EINVAL.  Never laxer
 * than the kernel, which still checks every instruction itself. */
#include "check.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <linux/seccomp.h>

/* The ALU and conditional jump codes seccomp takes: an operation from the
 * list, a K or X source, and no other bit. */
static int alu_or_jump_ok(uint16_t code)
{
	if (code > 0xff) /* class, source and operation fill the low byte */
		return 0;
	if (BPF_CLASS(code) == BPF_ALU) {
		switch (BPF_OP(code)) {
		case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_DIV:
		case BPF_AND: case BPF_OR: case BPF_XOR: case BPF_LSH: case BPF_RSH:
			return 1; /* no MOD: seccomp refuses it */
		}
	}
	if (BPF_CLASS(code) == BPF_JMP) {
		switch (BPF_OP(code)) {
		case BPF_JEQ: case BPF_JGT: case BPF_JGE: case BPF_JSET:
			return 1;
		}
	}
	return 0;
}

/* The whole code must be one seccomp accepts: the kernel compares all 16
 * bits, so a stray bit in an otherwise good code is refused too. */
static int opcode_ok(uint16_t code)
{
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_ALU | BPF_NEG:
	case BPF_JMP | BPF_JA:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
		return 1;
	}
	return alu_or_jump_ok(code);
}

/* One instruction, with `after` instructions following it. */
static int check_insn(const struct sock_filter *in, size_t after)
{
	if (!opcode_ok(in->code))
		return -SYSFENCE_EOPCODE;

	switch (in->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		/* seccomp_data is the only packet: whole, aligned words of it. */
		if (in->k >= sizeof(struct seccomp_data) || in->k % 4 != 0)
			return -SYSFENCE_ELOAD;
		return 0;
	case BPF_ALU | BPF_DIV | BPF_K:
		return in->k == 0 ? -SYSFENCE_EDIVZERO : 0;
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_K:
		return in->k >= 32 ? -SYSFENCE_ESHIFT : 0;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
		return in->k >= BPF_MEMWORDS ? -SYSFENCE_EMEM : 0;
	case BPF_JMP | BPF_JA:
		/* Offsets are unsigned, so jumps only go forward: no loops. */
		return in->k >= after ? -SYSFENCE_EJUMP : 0;
	}
	if (BPF_CLASS(in->code) == BPF_JMP && (in->jt >= after || in->jf >= after))
		return -SYSFENCE_EJUMP;
	return 0;
}

/*
 * A scratch word must be written on every path before it is read.  As the
 * kernel does, walk the program once with the set of words written so far
 * (one bit each): a jump hands its set to both targets, and an instruction
 * keeps only what every way into it has written.  Like the kernel, a RET
 * passes its set on to the next instruction too, which is stricter than
 * needed but is what the kernel accepts.  Needs the jumps checked first.
 */
static int check_scratch(const struct sock_filter *insns, size_t len)
{
	uint16_t in_sets[SYSFENCE_MAX_INSNS]; /* written on every jump here */
	uint16_t set = 0;
	size_t pc;

	memset(in_sets, 0xff, len * sizeof(in_sets[0]));
	for (pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &insns[pc];

		set &= in_sets[pc];
		if (in->code == BPF_ST || in->code == BPF_STX) {
			set |= (uint16_t)(1u << in->k);
		} else if (in->code == (BPF_LD | BPF_MEM) ||
				   in->code == (BPF_LDX | BPF_MEM)) {
			if (!(set & (1u << in->k)))
				return -SYSFENCE_EMEMINIT;
		} else if (in->code == (BPF_JMP | BPF_JA)) {
			in_sets[pc + 1 + in->k] &= set;
			set = 0xffff; /* only jumps lead to the next one */
		} else if (BPF_CLASS(in->code) == BPF_JMP) {
			in_sets[pc + 1 + in->jt] &= set;
			in_sets[pc + 1 + in->jf] &= set;
			set = 0xffff;
		}
	}
	return 0;
}

int sysfence_check_filter(const struct sock_filter *insns, size_t len)
{
	size_t pc;
	int err;

	if (len == 0)
		return -SYSFENCE_EEMPTY;
	if (len > SYSFENCE_MAX_INSNS)
		return -SYSFENCE_ETOOLONG;
	if (!insns)
		return -EFAULT;

	for (pc = 0; pc < len; pc++) {
		err = check_insn(&insns[pc], len - pc - 1);
		if (err)
			return err;
	}
	/* Without a final RET the filter could run off its end. */
	if (BPF_CLASS(insns[len - 1].code) != BPF_RET)
		return -SYSFENCE_ENORET;
	return check_scratch(insns, len);
}
