/* A model of the kernel's seccomp_is_const_allow() (see kcache.h). */
#include <stddef.h>

#include "kcache.h"

int kcache_const_allow(const struct sock_filter *prog, size_t len, uint32_t arch, uint32_t nr)
{
	uint32_t a = 0;
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &prog[pc];
		uint32_t k = in->k;
		int taken;
		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (k == offsetof(struct seccomp_data, nr))
				a = nr;
			else if (k == offsetof(struct seccomp_data, arch))
				a = arch;
			else
				return 0;   /* a value that is not constant per syscall */
			break;
		case BPF_RET | BPF_K:
			return k == SECCOMP_RET_ALLOW;
		case BPF_JMP | BPF_JA:
			pc += k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_K:
			switch (BPF_OP(in->code)) {
			case BPF_JEQ: taken = a == k; break;
			case BPF_JGE: taken = a >= k; break;
			case BPF_JGT: taken = a > k; break;
			default: taken = (a & k) != 0; break;
			}
			pc += taken ? in->jt : in->jf;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= k;
			break;
		default:
			return 0;
		}
	}
	return 0;   /* ran off the end */
}
