/* sysfence runtime: a filter meant for another machine's arch, refused
 * before it is installed.  Such a filter kills every call of this one, so
 * the process would die with "Bad system call" at its next syscall; the
 * loader says why instead.  To know, it runs the filter on two calls, as
 * the kernel would run it, with a small classic BPF interpreter. */
#include "check.h"

#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

/* Older kernel headers lack it; the value is ABI. */
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif

/* The arch the kernel puts in seccomp_data for this process.  x32 shares
 * x86_64's: its syscall numbers (bit 30 set) tell them apart, and the
 * __NR_* values below already carry that bit. */
#if defined(__x86_64__)
#define RUNNING_ARCH AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define RUNNING_ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define RUNNING_ARCH AUDIT_ARCH_AARCH64
#else
#define RUNNING_ARCH 0 /* none sysfence compiles for: no opinion */
#endif

/* A + k, A - k, ...: one ALU operation.  Needs the checks of check.c (no
 * constant division by 0, no constant shift of 32 or more); a division
 * by X = 0 is handled by the caller, and a shift by X of 32 or more,
 * which the kernel leaves undefined, shifts by its low 5 bits. */
static uint32_t alu(uint16_t op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_ADD: return a + v;
	case BPF_SUB: return a - v;
	case BPF_MUL: return a * v;
	case BPF_DIV: return a / v;
	case BPF_AND: return a & v;
	case BPF_OR:  return a | v;
	case BPF_XOR: return a ^ v;
	case BPF_LSH: return a << (v & 31);
	case BPF_RSH: return a >> (v & 31);
	}
	return 0;
}

static int jump_taken(uint16_t op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_JEQ:  return a == v;
	case BPF_JGT:  return a > v;
	case BPF_JGE:  return a >= v;
	case BPF_JSET: return (a & v) != 0;
	}
	return 0;
}

/*
 * What the filter returns for *d.  The filter must have passed
 * sysfence_check_filter: every opcode is one seccomp takes, every load
 * lies inside seccomp_data, every jump lands, scratch words are written
 * before they are read, and the program ends in a RET, so that the loop
 * ends and reads nothing outside insns and d.
 */
static uint32_t run(const struct sock_filter *insns, size_t len,
					const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 }, w;
	size_t pc;

	for (pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &insns[pc];
		uint16_t code = in->code;
		uint32_t v = BPF_SRC(code) == BPF_X ? x : in->k;

		switch (code) {
		case BPF_LD | BPF_W | BPF_ABS:
			memcpy(&w, (const char *)d + in->k, sizeof(w));
			a = w;
			continue;
		case BPF_LD | BPF_W | BPF_LEN:  a = sizeof(*d); continue;
		case BPF_LDX | BPF_W | BPF_LEN: x = sizeof(*d); continue;
		case BPF_LD | BPF_IMM:          a = in->k; continue;
		case BPF_LDX | BPF_IMM:         x = in->k; continue;
		case BPF_LD | BPF_MEM:          a = mem[in->k]; continue;
		case BPF_LDX | BPF_MEM:         x = mem[in->k]; continue;
		case BPF_ST:                    mem[in->k] = a; continue;
		case BPF_STX:                   mem[in->k] = x; continue;
		case BPF_MISC | BPF_TAX:        x = a; continue;
		case BPF_MISC | BPF_TXA:        a = x; continue;
		case BPF_ALU | BPF_NEG:         a = -a; continue;
		case BPF_JMP | BPF_JA:          pc += in->k; continue;
		case BPF_RET | BPF_K:           return in->k;
		case BPF_RET | BPF_A:           return a;
		}
		if (BPF_CLASS(code) == BPF_ALU) {
			if (BPF_OP(code) == BPF_DIV && v == 0)
				return 0; /* as the kernel: the program returns 0 */
			a = alu(BPF_OP(code), a, v);
		} else if (jump_taken(BPF_OP(code), a, v)) {
			pc += in->jt;
		} else {
			pc += in->jf;
		}
	}
	return 0; /* not reached after the checks: a RET ends every path */
}

static int kills(const struct sock_filter *insns, size_t len, int nr)
{
	struct seccomp_data d;
	uint32_t action;

	memset(&d, 0, sizeof(d));
	d.nr = nr;
	d.arch = RUNNING_ARCH;
	action = run(insns, len, &d) & SECCOMP_RET_ACTION_FULL;
	return action == SECCOMP_RET_KILL_PROCESS ||
		   action == SECCOMP_RET_KILL_THREAD;
}

/*
 * The rule, exactly: a filter that kills both exit_group and getpid (all
 * arguments 0) of this process's arch is refused.  No filter meant for
 * this arch does that, since the program could neither end cleanly nor
 * make the most harmless call there is, while a filter compiled for
 * other arches only kills every call here at its arch check.
 */
int sysfence_check_arch(const struct sock_filter *insns, size_t len)
{
	if (RUNNING_ARCH == 0)
		return 0;
	if (kills(insns, len, __NR_exit_group) && kills(insns, len, __NR_getpid))
		return -SYSFENCE_EARCH;
	return 0;
}

const char *sysfence_arch_name(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return "AUDIT_ARCH_X86_64, x32";
#elif defined(__x86_64__)
	return "AUDIT_ARCH_X86_64";
#elif defined(__i386__)
	return "AUDIT_ARCH_I386";
#elif defined(__aarch64__)
	return "AUDIT_ARCH_AARCH64";
#else
	return "unknown";
#endif
}
