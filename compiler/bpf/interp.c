/* Checker and interpreter for seccomp classic-BPF programs.
 *
 * The checker decides what the kernel would decide at load time, so its
 * rules follow the kernel's behaviour, including its quirks (see bpf.h).
 * The interpreter runs only checked programs but still bounds-checks
 * every access: it is the part that touches memory, and a checker bug
 * must not become an out-of-bounds read on an untrusted file. */
#include "bpf/bpf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#define DATA_SIZE ((uint32_t)sizeof(struct seccomp_data))

/* Writes "insn NNNN: <message>" into WHY and returns -EINVAL. */
__attribute__((format(printf, 4, 5)))
static int fail(char *why, size_t whylen, size_t pc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!why || whylen == 0)
		return -EINVAL;
	n = snprintf(why, whylen, "insn %04zu: ", pc);
	if (n >= 0 && (size_t)n < whylen) {
		va_start(ap, fmt);
		vsnprintf(why + n, whylen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Exactly the opcodes the kernel's seccomp loader lets through; fields a
 * form does not use (jt/jf of non-jumps, k of NEG) are ignored, as there. */
static bool seccomp_opcode(uint16_t code)
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
	case BPF_ALU | BPF_ADD | BPF_K:
	case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K:
	case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K:
	case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K:
	case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K:
	case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K:
	case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_X:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
		return true;
	}
	return false;
}

static bool is_mem_op(uint16_t code)
{
	return code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM) ||
	       code == BPF_ST || code == BPF_STX;
}

static bool is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* True when a jump at PC skipping OFF instructions stays inside a program
 * of LEN instructions. Written without pc + 1 + off, which could wrap. */
static bool jump_ok(size_t pc, size_t len, uint32_t off)
{
	return off < len - pc - 1;
}

/* The per-instruction rules: everything but the memory data flow. */
static int check_insn(const struct sock_filter *prog, size_t len, size_t pc,
		      char *why, size_t whylen)
{
	const struct sock_filter *f = &prog[pc];

	if (!seccomp_opcode(f->code))
		return fail(why, whylen, pc, "opcode 0x%04x not allowed in seccomp",
			    f->code);
	if (f->code == (BPF_LD | BPF_W | BPF_ABS) &&
	    (f->k >= DATA_SIZE || f->k % 4 != 0))
		return fail(why, whylen, pc,
			    "load offset %u outside seccomp_data or unaligned", f->k);
	if (is_mem_op(f->code) && f->k >= BPF_MEMWORDS)
		return fail(why, whylen, pc, "scratch cell M[%u] out of range", f->k);
	if (f->code == (BPF_ALU | BPF_DIV | BPF_K) && f->k == 0)
		return fail(why, whylen, pc, "division by constant 0");
	if ((f->code == (BPF_ALU | BPF_LSH | BPF_K) ||
	     f->code == (BPF_ALU | BPF_RSH | BPF_K)) && f->k >= 32)
		return fail(why, whylen, pc, "shift by %u (must be < 32)", f->k);
	if (f->code == (BPF_JMP | BPF_JA) && !jump_ok(pc, len, f->k))
		return fail(why, whylen, pc, "ja target %llu out of range",
			    (unsigned long long)pc + 1 + f->k);
	if (is_cond_jump(f->code) &&
	    (!jump_ok(pc, len, f->jt) || !jump_ok(pc, len, f->jf)))
		return fail(why, whylen, pc,
			    "jump targets %zu/%zu not both inside %zu instructions",
			    pc + 1 + f->jt, pc + 1 + f->jf, len);
	return 0;
}

/* Scratch-memory definedness: VALID[i] is the set of cells written on
 * every path into instruction i. Jumps only go forward, so one pass in
 * index order sees all predecessors of i before i. Like the kernel, a RET
 * passes its set on to the next instruction as if it fell through; only
 * jumps cut the fall-through edge. Instructions nothing flows into keep
 * "all written", which can never cause a rejection. */
static int check_memory(const struct sock_filter *prog, size_t len,
			char *why, size_t whylen)
{
	uint16_t valid[BPF_MAX_INSNS];

	for (size_t i = 0; i < len; i++)
		valid[i] = 0xffff;
	valid[0] = 0;
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		uint16_t cur = valid[pc];

		/* check_insn has already bounded k below BPF_MEMWORDS. */
		if ((f->code == (BPF_LD | BPF_MEM) || f->code == (BPF_LDX | BPF_MEM)) &&
		    !(cur & (1u << f->k)))
			return fail(why, whylen, pc,
				    "reads M[%u], which may not have been written", f->k);
		if (f->code == BPF_ST || f->code == BPF_STX)
			cur |= (uint16_t)(1u << f->k);
		if (f->code == (BPF_JMP | BPF_JA)) {
			valid[pc + 1 + f->k] &= cur;
		} else if (is_cond_jump(f->code)) {
			valid[pc + 1 + f->jt] &= cur;
			valid[pc + 1 + f->jf] &= cur;
		} else if (pc + 1 < len) {
			valid[pc + 1] &= cur;
		}
	}
	return 0;
}

int bpf_check(const struct sock_filter *prog, size_t len, char *why,
	      size_t whylen)
{
	int err;

	if (why && whylen > 0)
		why[0] = '\0';
	if (!prog) {
		if (why && whylen > 0)
			snprintf(why, whylen, "no program");
		return -EINVAL;
	}
	if (len == 0 || len > BPF_MAX_INSNS) {
		if (why && whylen > 0)
			snprintf(why, whylen, "program has %zu instructions (need 1..%d)",
				 len, BPF_MAX_INSNS);
		return -EINVAL;
	}
	for (size_t pc = 0; pc < len; pc++) {
		err = check_insn(prog, len, pc, why, whylen);
		if (err)
			return err;
	}
	if (BPF_CLASS(prog[len - 1].code) != BPF_RET)
		return fail(why, whylen, len - 1, "last instruction is not a ret");
	return check_memory(prog, len, why, whylen);
}

/* Interpreter state. */
struct vm {
	const struct sock_filter *prog;
	size_t len;
	size_t pc;
	const struct seccomp_data *d;
	uint32_t a, x;
	uint32_t mem[BPF_MEMWORDS];
	uint32_t ret;
};

enum vm_status { VM_NEXT, VM_HALT, VM_BAD };

/* A native-endian 32-bit word of seccomp_data, as the kernel loads it. */
static enum vm_status vm_load_abs(struct vm *vm, uint32_t k)
{
	if (k >= DATA_SIZE || k % 4 != 0)
		return VM_BAD;
	memcpy(&vm->a, (const unsigned char *)vm->d + k, sizeof(vm->a));
	return VM_NEXT;
}

static enum vm_status vm_alu(struct vm *vm, const struct sock_filter *f)
{
	uint32_t v = BPF_SRC(f->code) == BPF_X ? vm->x : f->k;

	switch (BPF_OP(f->code)) {
	case BPF_ADD: vm->a += v; break;
	case BPF_SUB: vm->a -= v; break;
	case BPF_MUL: vm->a *= v; break;
	case BPF_AND: vm->a &= v; break;
	case BPF_OR:  vm->a |= v; break;
	case BPF_XOR: vm->a ^= v; break;
	case BPF_NEG: vm->a = -vm->a; break;
	case BPF_DIV:
	case BPF_MOD:
		/* The kernel ends the filter with 0 (kill) here. */
		if (v == 0) {
			vm->ret = 0;
			return VM_HALT;
		}
		vm->a = BPF_OP(f->code) == BPF_DIV ? vm->a / v : vm->a % v;
		break;
	case BPF_LSH:
	case BPF_RSH:
		/* The checker rejects K >= 32; X is masked as the kernel does. */
		if (BPF_SRC(f->code) == BPF_K && v >= 32)
			return VM_BAD;
		v &= 31;
		vm->a = BPF_OP(f->code) == BPF_LSH ? vm->a << v : vm->a >> v;
		break;
	default:
		return VM_BAD;
	}
	return VM_NEXT;
}

static bool jump_cond(uint16_t op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_JEQ: return a == v;
	case BPF_JGT: return a > v;
	case BPF_JGE: return a >= v;
	default:      return (a & v) != 0; /* BPF_JSET */
	}
}

static enum vm_status vm_jump(struct vm *vm, const struct sock_filter *f)
{
	uint32_t off;

	if (BPF_OP(f->code) == BPF_JA) {
		off = f->k;
	} else {
		uint32_t v = BPF_SRC(f->code) == BPF_X ? vm->x : f->k;

		off = jump_cond(BPF_OP(f->code), vm->a, v) ? f->jt : f->jf;
	}
	if (!jump_ok(vm->pc, vm->len, off))
		return VM_BAD;
	vm->pc += 1 + off;
	return VM_NEXT;
}

/* Executes prog[pc]. Every path either advances pc, halts or fails, and
 * jumps only go forward, so a run takes at most len steps. */
static enum vm_status vm_step(struct vm *vm)
{
	const struct sock_filter *f = &vm->prog[vm->pc];
	uint16_t code = f->code;

	if (!seccomp_opcode(code))
		return VM_BAD;
	if (is_mem_op(code) && f->k >= BPF_MEMWORDS)
		return VM_BAD;
	switch (BPF_CLASS(code)) {
	case BPF_JMP:
		return vm_jump(vm, f);
	case BPF_RET:
		vm->ret = BPF_RVAL(code) == BPF_A ? vm->a : f->k;
		return VM_HALT;
	case BPF_ALU: {
		enum vm_status st = vm_alu(vm, f);

		if (st != VM_NEXT)
			return st;
		break;
	}
	case BPF_LD:
		if (BPF_MODE(code) == BPF_ABS && vm_load_abs(vm, f->k) != VM_NEXT)
			return VM_BAD;
		if (BPF_MODE(code) == BPF_IMM)
			vm->a = f->k;
		if (BPF_MODE(code) == BPF_LEN)
			vm->a = DATA_SIZE;
		if (BPF_MODE(code) == BPF_MEM)
			vm->a = vm->mem[f->k];
		break;
	case BPF_LDX:
		vm->x = BPF_MODE(code) == BPF_IMM ? f->k :
			BPF_MODE(code) == BPF_LEN ? DATA_SIZE : vm->mem[f->k];
		break;
	case BPF_ST:
		vm->mem[f->k] = vm->a;
		break;
	case BPF_STX:
		vm->mem[f->k] = vm->x;
		break;
	case BPF_MISC:
		if (BPF_MISCOP(code) == BPF_TAX)
			vm->x = vm->a;
		else
			vm->a = vm->x;
		break;
	}
	vm->pc++;
	return VM_NEXT;
}

int bpf_run(const struct sock_filter *prog, size_t len,
	    const struct seccomp_data *d, uint32_t *ret, size_t *steps)
{
	if (steps)
		*steps = 0;
	if (!d || !ret || bpf_check(prog, len, NULL, 0) != 0)
		return -EINVAL;
	return bpf_run_valid(prog, len, d, ret, steps);
}

int bpf_run_valid(const struct sock_filter *prog, size_t len,
		  const struct seccomp_data *d, uint32_t *ret, size_t *steps)
{
	struct vm vm = { .prog = prog, .len = len, .d = d };
	size_t n = 0;

	if (steps)
		*steps = 0;
	if (!d || !ret)
		return -EINVAL;
	while (vm.pc < len) {
		enum vm_status st = vm_step(&vm);

		n++;
		if (st == VM_BAD)
			return -EINVAL;
		if (st == VM_HALT) {
			*ret = vm.ret;
			if (steps)
				*steps = n;
			return 0;
		}
	}
	return -EINVAL; /* fell off the end: impossible after bpf_check */
}

const char *bpf_action_str(uint32_t ret, char *buf, size_t len)
{
	uint32_t data = ret & SECCOMP_RET_DATA;

	if (!buf || len == 0)
		return "";
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS: snprintf(buf, len, "kill_process"); break;
	case SECCOMP_RET_KILL_THREAD:  snprintf(buf, len, "kill_thread"); break;
	case SECCOMP_RET_ERRNO:        snprintf(buf, len, "errno(%u)", data); break;
	case SECCOMP_RET_TRACE:        snprintf(buf, len, "trace(%u)", data); break;
	case SECCOMP_RET_USER_NOTIF:   snprintf(buf, len, "notify"); break;
	case SECCOMP_RET_LOG:          snprintf(buf, len, "log"); break;
	case SECCOMP_RET_ALLOW:        snprintf(buf, len, "allow"); break;
	case SECCOMP_RET_TRAP:
		/* The data reaches the handler as si_errno; show it if set. */
		if (data)
			snprintf(buf, len, "trap(%u)", data);
		else
			snprintf(buf, len, "trap");
		break;
	default:
		snprintf(buf, len, "unknown(0x%08x)", ret);
		break;
	}
	return buf;
}
