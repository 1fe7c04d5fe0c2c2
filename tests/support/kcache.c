/* A model of the kernel's seccomp_is_const_allow() (see kcache.h). */
#include <stddef.h>

#include "bpf/insn.h"
#include "kcache.h"

/* The emulator's step: the next instruction, or -1 when the emulation
 * gives up (an instruction it does not emulate). A holds what it has
 * emulated so far. */
static int64_t kcache_step(const struct cbpf_insn *in, uint32_t *a, uint32_t arch, uint32_t nr)
{
	switch (in->kind) {
	case CBPF_LOAD:
		if (in->src != CBPF_DATA)
			return -1;
		if (in->field == CBPF_FIELD_NR)
			*a = nr;
		else if (in->field == CBPF_FIELD_ARCH)
			*a = arch;
		else
			return -1;   /* a value that is not constant per syscall */
		return (int64_t)in->jt;
	case CBPF_JA:
		return (int64_t)in->jt;
	case CBPF_JUMP:
		if (in->src != CBPF_K)
			return -1;
		return (int64_t)(cbpf_taken(in->op, *a, in->k) ? in->jt : in->jf);
	case CBPF_ALU:
		if (in->op != CBPF_AND || in->src != CBPF_K)
			return -1;
		*a &= in->k;
		return (int64_t)in->jt;
	default:
		return -1;
	}
}

int kcache_const_allow(const struct sock_filter *prog, size_t len, uint32_t arch, uint32_t nr)
{
	uint32_t a = 0;
	for (uint64_t pc = 0; pc < len;) {
		struct cbpf_insn in;
		if (cbpf_decode(prog, len, (size_t)pc, &in))
			return 0;
		if (in.kind == CBPF_RET)
			return in.src == CBPF_K && in.k == SECCOMP_RET_ALLOW;
		int64_t next = kcache_step(&in, &a, arch, nr);
		if (next < 0)
			return 0;
		pc = (uint64_t)next;
	}
	return 0;   /* ran off the end */
}
