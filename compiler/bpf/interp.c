/* Checker and interpreter for seccomp classic-BPF programs.
 *
 * The checker decides what the kernel would decide at load time, so its
 * rules follow the kernel's behaviour, including its quirks (see bpf.h).
 * The interpreter runs only checked programs but still bounds-checks
 * every access: it is the part that touches memory, and a checker bug
 * must not become an out-of-bounds read on an untrusted file. */
#include "bpf/bpf.h"
#include "bpf/insn.h"
#include "tables/tables.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

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

static bool is_mem_op(const struct cbpf_insn *in)
{
	return in->src == CBPF_MEM || in->dst == CBPF_MEM;
}

static bool is_shift(const struct cbpf_insn *in)
{
	return in->op == CBPF_LSH || in->op == CBPF_RSH;
}

/* The per-instruction rules: everything but the memory data flow. */
static int check_insn(const struct sock_filter *prog, size_t len, size_t pc,
		      char *why, size_t whylen)
{
	struct cbpf_insn in;

	if (cbpf_decode(prog, len, pc, &in))
		return fail(why, whylen, pc, "opcode 0x%04x not allowed in seccomp",
			    prog[pc].code);
	if (in.src == CBPF_DATA && in.field == CBPF_FIELD_BAD)
		return fail(why, whylen, pc,
			    "load offset %u outside seccomp_data or unaligned", in.k);
	if (is_mem_op(&in) && in.k >= BPF_MEMWORDS)
		return fail(why, whylen, pc, "scratch cell M[%u] out of range", in.k);
	if (in.kind == CBPF_ALU && in.src == CBPF_K && in.op == CBPF_DIV && in.k == 0)
		return fail(why, whylen, pc, "division by constant 0");
	if (in.kind == CBPF_ALU && in.src == CBPF_K && is_shift(&in) && in.k >= 32)
		return fail(why, whylen, pc, "shift by %u (must be < 32)", in.k);
	if (in.kind == CBPF_JA && !in.in_range)
		return fail(why, whylen, pc, "ja target %llu out of range",
			    (unsigned long long)in.jt);
	if (in.kind == CBPF_JUMP && !in.in_range)
		return fail(why, whylen, pc,
			    "jump targets %llu/%llu not both inside %zu instructions",
			    (unsigned long long)in.jt, (unsigned long long)in.jf, len);
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
		struct cbpf_insn in;
		uint16_t cur = valid[pc];

		/* check_insn has accepted every instruction: k of a memory
		 * operand is below BPF_MEMWORDS, targets are in range. */
		cbpf_decode(prog, len, pc, &in);
		if (in.kind == CBPF_LOAD && in.src == CBPF_MEM && !(cur & (1u << in.k)))
			return fail(why, whylen, pc,
				    "reads M[%u], which may not have been written", in.k);
		if (in.kind == CBPF_STORE)
			cur |= (uint16_t)(1u << in.k);
		if (in.kind == CBPF_RET) {
			if (pc + 1 < len)
				valid[pc + 1] &= cur;
			continue;
		}
		valid[in.jt] &= cur;
		valid[in.jf] &= cur;
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
	if (cbpf_kind_of(prog[len - 1].code) != CBPF_RET)
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
static enum vm_status vm_load_abs(struct vm *vm, uint32_t k, uint32_t *v)
{
	if (k >= CBPF_DATA_SIZE || k % 4 != 0)
		return VM_BAD;
	memcpy(v, (const unsigned char *)vm->d + k, sizeof(*v));
	return VM_NEXT;
}

static enum vm_status vm_alu(struct vm *vm, const struct cbpf_insn *in)
{
	uint32_t v = in->src == CBPF_X ? vm->x : in->k;

	switch (in->op) {
	case CBPF_ADD: vm->a += v; break;
	case CBPF_SUB: vm->a -= v; break;
	case CBPF_MUL: vm->a *= v; break;
	case CBPF_AND: vm->a &= v; break;
	case CBPF_OR:  vm->a |= v; break;
	case CBPF_XOR: vm->a ^= v; break;
	case CBPF_NEG: vm->a = -vm->a; break;
	case CBPF_DIV:
	case CBPF_MOD:
		/* The kernel ends the filter with 0 (kill) here. */
		if (v == 0) {
			vm->ret = 0;
			return VM_HALT;
		}
		vm->a = in->op == CBPF_DIV ? vm->a / v : vm->a % v;
		break;
	case CBPF_LSH:
	case CBPF_RSH:
		/* The checker rejects K >= 32; X is masked as the kernel does. */
		if (in->src == CBPF_K && v >= 32)
			return VM_BAD;
		v &= 31;
		vm->a = in->op == CBPF_LSH ? vm->a << v : vm->a >> v;
		break;
	default:
		return VM_BAD;
	}
	return VM_NEXT;
}

static enum vm_status vm_jump(struct vm *vm, const struct cbpf_insn *in)
{
	uint64_t to = in->jt;

	if (in->kind == CBPF_JUMP &&
	    !cbpf_taken(in->op, vm->a, in->src == CBPF_X ? vm->x : in->k))
		to = in->jf;
	if (to >= vm->len)
		return VM_BAD;
	vm->pc = (size_t)to;
	return VM_NEXT;
}

/* The value of a load's or a store's source. */
static enum vm_status vm_value(struct vm *vm, const struct cbpf_insn *in, uint32_t *v)
{
	switch (in->src) {
	case CBPF_DATA: return vm_load_abs(vm, in->k, v);
	case CBPF_K:    *v = in->k; break;
	case CBPF_LEN:  *v = CBPF_DATA_SIZE; break;
	case CBPF_MEM:  *v = vm->mem[in->k]; break;
	case CBPF_A:    *v = vm->a; break;
	case CBPF_X:    *v = vm->x; break;
	default:        return VM_BAD;
	}
	return VM_NEXT;
}

/* Executes prog[pc]. Every path either advances pc, halts or fails, and
 * jumps only go forward, so a run takes at most len steps. */
static enum vm_status vm_step(struct vm *vm)
{
	struct cbpf_insn in;
	uint32_t v;

	if (cbpf_decode(vm->prog, vm->len, vm->pc, &in))
		return VM_BAD;
	if (is_mem_op(&in) && in.k >= BPF_MEMWORDS)
		return VM_BAD;
	switch (in.kind) {
	case CBPF_JA:
	case CBPF_JUMP:
		return vm_jump(vm, &in);
	case CBPF_RET:
		vm->ret = in.src == CBPF_A ? vm->a : in.k;
		return VM_HALT;
	case CBPF_ALU: {
		enum vm_status st = vm_alu(vm, &in);

		if (st != VM_NEXT)
			return st;
		break;
	}
	case CBPF_LOAD:
	case CBPF_STORE:
		if (vm_value(vm, &in, &v) != VM_NEXT)
			return VM_BAD;
		if (in.dst == CBPF_A)
			vm->a = v;
		else if (in.dst == CBPF_X)
			vm->x = v;
		else
			vm->mem[in.k] = v;
		break;
	default:
		return VM_BAD;
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
	case SECCOMP_RET_ERRNO:
	{
		/* As a policy writes it: errno(EPERM), not errno(1). The
		 * arches sysfence knows share their errno values. */
		const char *name = constant_errno_name(ARCH_X86_64, data);
		if (name)
			snprintf(buf, len, "errno(%s)", name);
		else
			snprintf(buf, len, "errno(%u)", data);
		break;
	}
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
