/* Unit tests for the seccomp BPF checker, interpreter and disassembler.
 *
 * The checker's expectations below were confirmed against a running
 * kernel (6.18) by loading the same programs with seccomp(2); the cases
 * that look surprising (MOD rejected, a RET "falling through" for the
 * scratch-memory check) are the kernel's behaviour, not ours. */
#define _GNU_SOURCE
#include "bpf/bpf.h"
#include "bpf/insn.h"
#include "bpf/renumber.h"

#include <check.h>
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define RET_K(k) BPF_STMT(BPF_RET | BPF_K, (k))
#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

/* A seccomp_data whose every word differs, so a load from the wrong
 * offset cannot go unnoticed. */
static struct seccomp_data sample_data(void)
{
	struct seccomp_data d;
	uint32_t words[sizeof(d) / 4];

	for (size_t i = 0; i < N(words); i++)
		words[i] = 0x11110000u + (uint32_t)i * 0x101u;
	memcpy(&d, words, sizeof(d));
	return d;
}

static struct seccomp_data syscall_data(uint32_t arch, uint32_t nr)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.arch = arch;
	d.nr = (int)nr;
	return d;
}

/* Runs a program that must be valid and returns its verdict. */
static uint32_t run_ok(const struct sock_filter *p, size_t len,
		       const struct seccomp_data *d, size_t *steps)
{
	uint32_t ret = 0xdeadbeef;
	char why[128];

	ck_assert_msg(bpf_check(p, len, why, sizeof(why)) == 0, "rejected: %s", why);
	ck_assert_int_eq(bpf_run(p, len, d, &ret, steps), 0);
	return ret;
}

/* ---- interpreter: every opcode ---- */

START_TEST(test_initial_registers_zero)
{
	struct sock_filter ret_a[] = { BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter ret_x[] = { BPF_STMT(BPF_MISC | BPF_TXA, 0),
				       BPF_STMT(BPF_RET | BPF_A, 0) };
	struct seccomp_data d = sample_data();
	size_t steps;

	ck_assert_uint_eq(run_ok(ret_a, N(ret_a), &d, &steps), 0);
	ck_assert_uint_eq(steps, 1);
	ck_assert_uint_eq(run_ok(ret_x, N(ret_x), &d, &steps), 0);
	ck_assert_uint_eq(steps, 2);
}
END_TEST

START_TEST(test_ld_abs_every_word)
{
	struct seccomp_data d = sample_data();
	uint32_t words[sizeof(d) / 4];

	memcpy(words, &d, sizeof(d));
	for (uint32_t k = 0; k < sizeof(d); k += 4) {
		struct sock_filter p[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, k),
			BPF_STMT(BPF_RET | BPF_A, 0),
		};

		ck_assert_uint_eq(run_ok(p, N(p), &d, NULL), words[k / 4]);
	}
}
END_TEST

START_TEST(test_ld_abs_named_fields)
{
	struct seccomp_data d = syscall_data(AUDIT_ARCH_X86_64, 231);
	struct sock_filter nr[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
				    BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter arch[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
				      BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter a1[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 24),
				    BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter a1hi[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 28),
				      BPF_STMT(BPF_RET | BPF_A, 0) };

	d.args[1] = 0x0000000700000009ull;
	ck_assert_uint_eq(run_ok(nr, N(nr), &d, NULL), 231);
	ck_assert_uint_eq(run_ok(arch, N(arch), &d, NULL), AUDIT_ARCH_X86_64);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	ck_assert_uint_eq(run_ok(a1, N(a1), &d, NULL), 9);
	ck_assert_uint_eq(run_ok(a1hi, N(a1hi), &d, NULL), 7);
#else
	ck_assert_uint_eq(run_ok(a1, N(a1), &d, NULL), 7);
	ck_assert_uint_eq(run_ok(a1hi, N(a1hi), &d, NULL), 9);
#endif
}
END_TEST

START_TEST(test_ld_imm_len_mem_misc)
{
	struct seccomp_data d = sample_data();
	struct sock_filter imm[] = { BPF_STMT(BPF_LD | BPF_IMM, 0x12345678),
				     BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter len[] = { BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
				     BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter xlen[] = { BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0),
				      BPF_STMT(BPF_MISC | BPF_TXA, 0),
				      BPF_STMT(BPF_RET | BPF_A, 0) };
	/* A -> M[3] -> X via LDX MEM; X -> M[15] -> A via LD MEM. */
	struct sock_filter mem[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 41),
		BPF_STMT(BPF_ST, 3),
		BPF_STMT(BPF_LD | BPF_IMM, 0),
		BPF_STMT(BPF_LDX | BPF_MEM, 3),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1000),	/* A = 1000 */
		BPF_STMT(BPF_STX, 15),				/* M[15] = 41 */
		BPF_STMT(BPF_MISC | BPF_TAX, 0),		/* X = 1000 */
		BPF_STMT(BPF_LD | BPF_MEM, 15),			/* A = 41 */
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),		/* A = 1041 */
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_filter ldx_imm[] = { BPF_STMT(BPF_LDX | BPF_IMM, 77),
					 BPF_STMT(BPF_MISC | BPF_TXA, 0),
					 BPF_STMT(BPF_RET | BPF_A, 0) };
	size_t steps;

	ck_assert_uint_eq(run_ok(imm, N(imm), &d, NULL), 0x12345678);
	ck_assert_uint_eq(run_ok(len, N(len), &d, NULL), sizeof(struct seccomp_data));
	ck_assert_uint_eq(run_ok(xlen, N(xlen), &d, NULL), sizeof(struct seccomp_data));
	ck_assert_uint_eq(run_ok(mem, N(mem), &d, &steps), 1041);
	ck_assert_uint_eq(steps, N(mem));
	ck_assert_uint_eq(run_ok(ldx_imm, N(ldx_imm), &d, NULL), 77);
}
END_TEST

struct alu_case {
	uint16_t op;
	uint32_t a, v, want;
};

static const struct alu_case alu_cases[] = {
	{ BPF_ADD, 0xffffffff, 2, 1 },
	{ BPF_SUB, 1, 2, 0xffffffff },
	{ BPF_MUL, 0x10000, 0x10001, 0x10000 },
	{ BPF_DIV, 100, 7, 14 },
	{ BPF_AND, 0xf0f0, 0xff00, 0xf000 },
	{ BPF_OR,  0xf0f0, 0x0f00, 0xfff0 },
	{ BPF_XOR, 0xf0f0, 0xff00, 0x0ff0 },
	{ BPF_LSH, 3, 4, 48 },
	{ BPF_RSH, 0x80000000, 31, 1 },
};

/* Each ALU op in K and X form: ld #a; ldx #v; op; ret a. */
START_TEST(test_alu_ops)
{
	const struct alu_case *c = &alu_cases[_i];
	struct seccomp_data d = sample_data();
	struct sock_filter pk[] = {
		BPF_STMT(BPF_LD | BPF_IMM, c->a),
		BPF_STMT(BPF_LDX | BPF_IMM, 0xdead),
		BPF_STMT(BPF_ALU | c->op | BPF_K, c->v),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_filter px[] = {
		BPF_STMT(BPF_LD | BPF_IMM, c->a),
		BPF_STMT(BPF_LDX | BPF_IMM, c->v),
		BPF_STMT(BPF_ALU | c->op | BPF_X, 0xdead),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	size_t steps;

	ck_assert_uint_eq(run_ok(pk, N(pk), &d, &steps), c->want);
	ck_assert_uint_eq(steps, 4);
	ck_assert_uint_eq(run_ok(px, N(px), &d, &steps), c->want);
	ck_assert_uint_eq(steps, 4);
}
END_TEST

START_TEST(test_alu_neg_and_x_shift_mask)
{
	struct seccomp_data d = sample_data();
	struct sock_filter neg[] = { BPF_STMT(BPF_LD | BPF_IMM, 5),
				     BPF_STMT(BPF_ALU | BPF_NEG, 0),
				     BPF_STMT(BPF_RET | BPF_A, 0) };
	/* Shifts by X use its low 5 bits (checked against the kernel). */
	struct sock_filter lsh[] = { BPF_STMT(BPF_LD | BPF_IMM, 1),
				     BPF_STMT(BPF_LDX | BPF_IMM, 33),
				     BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0),
				     BPF_STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter rsh[] = { BPF_STMT(BPF_LD | BPF_IMM, 0x100),
				     BPF_STMT(BPF_LDX | BPF_IMM, 36),
				     BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0),
				     BPF_STMT(BPF_RET | BPF_A, 0) };

	ck_assert_uint_eq(run_ok(neg, N(neg), &d, NULL), (uint32_t)-5);
	ck_assert_uint_eq(run_ok(lsh, N(lsh), &d, NULL), 2);
	ck_assert_uint_eq(run_ok(rsh, N(rsh), &d, NULL), 0x10);
}
END_TEST

START_TEST(test_div_by_x_zero_returns_0)
{
	struct seccomp_data d = sample_data();
	struct sock_filter p[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 100),
		BPF_STMT(BPF_LDX | BPF_IMM, 0),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
		RET_K(SECCOMP_RET_ALLOW),
	};
	size_t steps;

	/* The division ends the run: it is counted, the RET is not. */
	ck_assert_uint_eq(run_ok(p, N(p), &d, &steps), 0);
	ck_assert_uint_eq(steps, 3);
}
END_TEST

struct jmp_case {
	uint16_t op;
	uint32_t a, v;
	int taken;
};

static const struct jmp_case jmp_cases[] = {
	{ BPF_JEQ, 5, 5, 1 },  { BPF_JEQ, 5, 6, 0 },
	{ BPF_JGT, 6, 5, 1 },  { BPF_JGT, 5, 5, 0 },
	{ BPF_JGT, 0x80000000, 1, 1 },	/* unsigned */
	{ BPF_JGE, 5, 5, 1 },  { BPF_JGE, 4, 5, 0 },
	{ BPF_JSET, 6, 2, 1 }, { BPF_JSET, 6, 9, 0 },
};

START_TEST(test_jumps)
{
	const struct jmp_case *c = &jmp_cases[_i];
	struct seccomp_data d = sample_data();
	uint32_t want = c->taken ? 2 : 1;
	struct sock_filter pk[] = {
		BPF_STMT(BPF_LD | BPF_IMM, c->a),
		BPF_JUMP(BPF_JMP | c->op | BPF_K, c->v, 1, 0),
		RET_K(1),
		RET_K(2),
	};
	struct sock_filter px[] = {
		BPF_STMT(BPF_LD | BPF_IMM, c->a),
		BPF_STMT(BPF_LDX | BPF_IMM, c->v),
		BPF_JUMP(BPF_JMP | c->op | BPF_X, ~c->v, 1, 0),
		RET_K(1),
		RET_K(2),
	};
	size_t steps;

	ck_assert_uint_eq(run_ok(pk, N(pk), &d, &steps), want);
	ck_assert_uint_eq(steps, 3);
	ck_assert_uint_eq(run_ok(px, N(px), &d, &steps), want);
	ck_assert_uint_eq(steps, 4);
}
END_TEST

START_TEST(test_ja_and_ret_a)
{
	struct seccomp_data d = sample_data();
	struct sock_filter p[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 7),
		BPF_STMT(BPF_JMP | BPF_JA, 2),
		RET_K(1),
		RET_K(2),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	size_t steps;

	ck_assert_uint_eq(run_ok(p, N(p), &d, &steps), 7);
	ck_assert_uint_eq(steps, 3);
}
END_TEST

/* Steps grow by one per jeq passed in a chain. */
START_TEST(test_step_counts_chain)
{
	struct sock_filter p[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 10, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 11, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 12, 1, 0),
		RET_K(ERRNO(1)),
		RET_K(SECCOMP_RET_ALLOW),
	};
	struct seccomp_data d;
	size_t steps;

	for (uint32_t nr = 10; nr <= 13; nr++) {
		d = syscall_data(AUDIT_ARCH_X86_64, nr);
		ck_assert_uint_eq(run_ok(p, N(p), &d, &steps),
				  nr == 13 ? ERRNO(1) : SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(steps, nr == 13 ? 5 : 3 + (nr - 10));
	}
}
END_TEST

START_TEST(test_run_null_args)
{
	struct sock_filter p[] = { RET_K(0) };
	struct seccomp_data d = sample_data();
	uint32_t ret;

	ck_assert_int_eq(bpf_run(p, 1, NULL, &ret, NULL), -EINVAL);
	ck_assert_int_eq(bpf_run(p, 1, &d, NULL, NULL), -EINVAL);
	ck_assert_int_eq(bpf_run(NULL, 1, &d, &ret, NULL), -EINVAL);
	ck_assert_int_eq(bpf_run(p, 1, &d, &ret, NULL), 0);
}
END_TEST

/* ---- checker ---- */

struct bad_case {
	const char *name;
	struct sock_filter p[6];
	size_t len;
	const char *why;	/* expected substring of the reason */
};

#define LDA(k) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (k))

static const struct bad_case bad_cases[] = {
	{ "empty", { RET_K(0) }, 0, "0 instructions" },
	{ "jt out of range", { BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), RET_K(0) }, 2, "insn 0000" },
	{ "jf out of range", { BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 5), RET_K(0) }, 2, "insn 0000" },
	{ "ja out of range", { RET_K(0), BPF_STMT(BPF_JMP | BPF_JA, 1), RET_K(0) }, 3, "insn 0001" },
	{ "ja wraps", { BPF_STMT(BPF_JMP | BPF_JA, 0xffffffff), RET_K(0) }, 2, "insn 0000" },
	{ "ld h abs", { BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0), RET_K(0) }, 2, "opcode 0x0028" },
	{ "ld b abs", { BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), RET_K(0) }, 2, "opcode" },
	{ "ld ind", { BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), RET_K(0) }, 2, "opcode" },
	{ "ldx msh", { BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0), RET_K(0) }, 2, "opcode" },
	{ "ret x", { BPF_STMT(BPF_RET | BPF_X, 0) }, 1, "opcode" },
	{ "neg x", { BPF_STMT(BPF_ALU | BPF_NEG | BPF_X, 0), RET_K(0) }, 2, "opcode" },
	{ "mod k", { BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), RET_K(0) }, 2, "opcode" },
	{ "mod x", { BPF_STMT(BPF_ALU | BPF_MOD | BPF_X, 0), RET_K(0) }, 2, "opcode" },
	{ "code above 0xff", { { 0x106, 0, 0, 0 } }, 1, "opcode 0x0106" },
	{ "code 0xffff", { { 0xffff, 0, 0, 0 }, RET_K(0) }, 2, "insn 0000" },
	{ "missing final ret", { RET_K(0), BPF_STMT(BPF_LD | BPF_IMM, 0) }, 2, "insn 0001: last" },
	{ "misaligned load", { LDA(2), RET_K(0) }, 2, "offset 2" },
	{ "load past seccomp_data", { LDA(64), RET_K(0) }, 2, "offset 64" },
	{ "ancillary load", { LDA(0xfffff000), RET_K(0) }, 2, "insn 0000" },
	{ "div by constant 0", { BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), RET_K(0) }, 2, "division" },
	{ "lsh by 32", { BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32), RET_K(0) }, 2, "shift" },
	{ "rsh by 33", { BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 33), RET_K(0) }, 2, "shift" },
	{ "st M[16]", { BPF_STMT(BPF_ST, 16), RET_K(0) }, 2, "M[16]" },
	{ "ld M[16]", { BPF_STMT(BPF_LD | BPF_MEM, 16), RET_K(0) }, 2, "M[16]" },
	{ "read unwritten cell", { BPF_STMT(BPF_LDX | BPF_MEM, 0), RET_K(0) }, 2, "insn 0000: reads M[0]" },
	{ "cell written on one path only", {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_ST, 3),
		BPF_STMT(BPF_LD | BPF_MEM, 3),
		RET_K(0) }, 4, "insn 0002: reads M[3]" },
	{ "wrong cell written", { BPF_STMT(BPF_STX, 1), BPF_STMT(BPF_LD | BPF_MEM, 2), RET_K(0) }, 3, "insn 0001" },
	/* The kernel lets a RET's state flow into the next instruction. */
	{ "unwritten read after ret", { RET_K(0), BPF_STMT(BPF_LD | BPF_MEM, 3), RET_K(0) }, 3, "insn 0001" },
};

START_TEST(test_check_rejects)
{
	const struct bad_case *c = &bad_cases[_i];
	struct seccomp_data d = sample_data();
	char why[128];
	uint32_t ret = 0xabcd;
	size_t steps = 99;

	ck_assert_msg(bpf_check(c->p, c->len, why, sizeof(why)) == -EINVAL,
		      "%s: accepted", c->name);
	ck_assert_msg(strstr(why, c->why) != NULL, "%s: reason \"%s\" lacks \"%s\"",
		      c->name, why, c->why);
	ck_assert_ptr_null(strchr(why, '\n'));
	ck_assert_int_eq(bpf_run(c->p, c->len, &d, &ret, &steps), -EINVAL);
	ck_assert_uint_eq(ret, 0xabcd);
	ck_assert_uint_eq(steps, 0);
	/* No reason buffer, or a tiny one, must be fine too. */
	ck_assert_int_eq(bpf_check(c->p, c->len, NULL, 0), -EINVAL);
	ck_assert_int_eq(bpf_check(c->p, c->len, why, 1), -EINVAL);
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(test_check_accepts_edge_cases)
{
	struct seccomp_data d = sample_data();
	/* Written on both branches before the read. */
	struct sock_filter both[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
		BPF_STMT(BPF_ST, 3),
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		BPF_STMT(BPF_STX, 3),
		BPF_STMT(BPF_LD | BPF_MEM, 3),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	/* A read no path reaches (skipped by ja) is fine. */
	struct sock_filter skipped[] = {
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		BPF_STMT(BPF_LD | BPF_MEM, 3),
		RET_K(5),
	};
	/* Unused fields of non-jump instructions are ignored. */
	struct sock_filter junk[] = {
		{ BPF_ALU | BPF_NEG, 3, 4, 99 },
		{ BPF_RET | BPF_K, 7, 7, 9 },
	};
	/* Last word of seccomp_data, and the biggest shift. */
	struct sock_filter edges[] = {
		LDA(60),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 31),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};

	ck_assert_uint_eq(run_ok(both, N(both), &d, NULL), 0);
	ck_assert_uint_eq(run_ok(skipped, N(skipped), &d, NULL), 5);
	ck_assert_uint_eq(run_ok(junk, N(junk), &d, NULL), 9);
	run_ok(edges, N(edges), &d, NULL);
}
END_TEST

START_TEST(test_check_length_limits)
{
	static struct sock_filter big[BPF_MAX_INSNS + 1];
	struct seccomp_data d = sample_data();
	char why[128];
	uint32_t ret;
	size_t steps;

	for (size_t i = 0; i < N(big); i++)
		big[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, (uint32_t)i);
	big[BPF_MAX_INSNS - 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	big[BPF_MAX_INSNS] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);

	ck_assert_int_eq(bpf_check(big, BPF_MAX_INSNS, why, sizeof(why)), 0);
	ck_assert_int_eq(bpf_run(big, BPF_MAX_INSNS, &d, &ret, &steps), 0);
	ck_assert_uint_eq(ret, BPF_MAX_INSNS - 2);
	ck_assert_uint_eq(steps, BPF_MAX_INSNS);

	ck_assert_int_eq(bpf_check(big, BPF_MAX_INSNS + 1, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "4097 instructions"));
	ck_assert_int_eq(bpf_run(big, BPF_MAX_INSNS + 1, &d, &ret, NULL), -EINVAL);
	ck_assert_int_eq(bpf_check(NULL, 1, why, sizeof(why)), -EINVAL);
}
END_TEST

/* Random programs, mostly made of seccomp opcodes with small fields so
 * that many are valid: nothing may crash (ASan/UBSan builds), a valid run
 * takes at most len steps, and bpf_run agrees with bpf_check. */
START_TEST(test_random_programs_are_safe)
{
	static const uint16_t codes[] = {
		0x20, 0x80, 0x81, 0x00, 0x01, 0x60, 0x61, 0x02, 0x03, 0x04, 0x0c,
		0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64,
		0x6c, 0x74, 0x7c, 0x84, 0x94, 0x9c, 0xa4, 0xac, 0x05, 0x15, 0x1d,
		0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x06, 0x16, 0x07, 0x87, 0x28,
		0x0e, 0x0d,
	};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	struct seccomp_data d = sample_data();
	FILE *null = fopen("/dev/null", "w");
	int valid = 0;

	ck_assert_ptr_nonnull(null);
	for (int it = 0; it < 20000; it++) {
		struct sock_filter p[16];
		size_t len = 1 + it % N(p);
		uint32_t ret;
		size_t steps;
		int ck, rr;

		for (size_t i = 0; i < len; i++) {
			seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
			p[i].code = (seed >> 8) % 97 == 0 ? (uint16_t)(seed >> 16) :
				    codes[(seed >> 8) % N(codes)];
			p[i].jt = (uint8_t)((seed >> 24) % (len - i + 1));
			p[i].jf = (uint8_t)((seed >> 32) % (len - i + 1));
			p[i].k = (seed >> 40) % 3 == 0 ? (uint32_t)seed :
				 (uint32_t)((seed >> 44) % 17) * ((seed >> 50) % 2 ? 4 : 1);
		}
		if (it % 2)
			p[len - 1].code = it % 4 == 1 ? (BPF_RET | BPF_K) : (BPF_RET | BPF_A);
		ck = bpf_check(p, len, NULL, 0);
		rr = bpf_run(p, len, &d, &ret, &steps);
		ck_assert_int_eq(ck, rr);
		if (rr == 0) {
			ck_assert_uint_ge(steps, 1);
			ck_assert_uint_le(steps, len);
			valid++;
		}
		bpf_disasm(null, p, len, NULL, NULL);
	}
	fclose(null);
	ck_assert_int_gt(valid, 1000);
}
END_TEST

/* ---- action names ---- */

START_TEST(test_action_str)
{
	char buf[32];

	ck_assert_str_eq(bpf_action_str(SECCOMP_RET_ALLOW, buf, sizeof(buf)), "allow");
	ck_assert_str_eq(bpf_action_str(SECCOMP_RET_KILL_PROCESS, buf, sizeof(buf)), "kill_process");
	ck_assert_str_eq(bpf_action_str(SECCOMP_RET_KILL_THREAD, buf, sizeof(buf)), "kill_thread");
	ck_assert_str_eq(bpf_action_str(SECCOMP_RET_TRAP, buf, sizeof(buf)), "trap");
	ck_assert_str_eq(bpf_action_str(SECCOMP_RET_TRAP | 4, buf, sizeof(buf)), "trap(4)");
	ck_assert_str_eq(bpf_action_str(ERRNO(13), buf, sizeof(buf)), "errno(EACCES)");
	ck_assert_str_eq(bpf_action_str(ERRNO(4000), buf, sizeof(buf)), "errno(4000)");
	ck_assert_str_eq(bpf_action_str(SECCOMP_RET_TRACE | 5, buf, sizeof(buf)), "trace(5)");
	ck_assert_str_eq(bpf_action_str(SECCOMP_RET_LOG, buf, sizeof(buf)), "log");
	ck_assert_str_eq(bpf_action_str(SECCOMP_RET_USER_NOTIF, buf, sizeof(buf)), "notify");
	ck_assert_str_eq(bpf_action_str(0x12340000, buf, sizeof(buf)), "unknown(0x12340000)");
	ck_assert_str_eq(bpf_action_str(ERRNO(13), buf, 4), "err");
	ck_assert_str_eq(bpf_action_str(ERRNO(13), buf, 0), "");
	ck_assert_str_eq(bpf_action_str(ERRNO(13), NULL, 8), "");
}
END_TEST

/* ---- disassembler ---- */

/* Disassembles into a string the caller frees. */
static char *disasm_str(const struct sock_filter *p, size_t len,
			bpf_annotate_fn fn, void *ctx)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	ck_assert_ptr_nonnull(f);
	bpf_disasm(f, p, len, fn, ctx);
	fclose(f);
	return text;
}

static void note_nr(const struct bpf_reach *r, void *ctx, char *note, size_t len)
{
	(void)ctx;
	if (r->nr_known)
		snprintf(note, len, "nr=%u", r->nr);
}

START_TEST(test_disasm_small_filter)
{
	struct sock_filter p[] = {
		LDA(4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
		LDA(0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 60, 0, 1),
		RET_K(SECCOMP_RET_ALLOW),
		RET_K(ERRNO(13)),
	};
	const char *want =
		"0000: ld   [4]                         ; arch\n"
		"0001: jeq  #0xc000003e -> 0002 : 0005  ; AUDIT_ARCH_X86_64\n"
		"0002: ld   [0]                         ; nr\n"
		"0003: jeq  #0x3c -> 0004 : 0005        ; exit\n"
		"0004: ret  #0x7fff0000                 ; allow  # nr=60\n"
		"0005: ret  #0x0005000d                 ; errno(EACCES)\n";
	char *text = disasm_str(p, N(p), note_nr, NULL);

	ck_assert_str_eq(text, want);
	free(text);
}
END_TEST

START_TEST(test_disasm_every_form)
{
	struct sock_filter p[] = {
		/*  0 */ LDA(16),
		/*  1 */ LDA(20),
		/*  2 */ LDA(8),
		/*  3 */ LDA(56),
		/*  4 */ LDA(2),
		/*  5 */ BPF_STMT(BPF_LDX | BPF_IMM, 7),
		/*  6 */ BPF_STMT(BPF_LD | BPF_IMM, 0xabc),
		/*  7 */ BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		/*  8 */ BPF_STMT(BPF_ST, 3),
		/*  9 */ BPF_STMT(BPF_STX, 15),
		/* 10 */ BPF_STMT(BPF_LD | BPF_MEM, 3),
		/* 11 */ BPF_STMT(BPF_LDX | BPF_MEM, 1),
		/* 12 */ BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
		/* 13 */ BPF_STMT(BPF_ALU | BPF_SUB | BPF_X, 0),
		/* 14 */ BPF_STMT(BPF_ALU | BPF_NEG, 0),
		/* 15 */ BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3),
		/* 16 */ BPF_STMT(BPF_MISC | BPF_TAX, 0),
		/* 17 */ BPF_STMT(BPF_MISC | BPF_TXA, 0),
		/* 18 */ BPF_STMT(BPF_JMP | BPF_JA, 2),
		/* 19 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 1, 0),
		/* 20 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 9, 200, 0),
		/* 21 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0),
		/* 22 */ BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const char *const want[] = {
		"0000: ld   [16]", "; args[0] low\n",
		"0001: ld   [20]", "; args[0] high\n",
		"0002: ld   [8]", "; instruction_pointer low\n",
		"0003: ld   [56]", "; args[5] low\n",
		"0004: ld   [2]", "; invalid offset\n",
		"0005: ldx  #0x7\n",
		"0006: ld   #0xabc\n",
		"0007: ld   len", "; = 64\n",
		"0008: st   M[3]\n",
		"0009: stx  M[15]\n",
		"0010: ld   M[3]\n",
		"0011: ldx  M[1]\n",
		"0012: add  #0x1\n",
		"0013: sub  x\n",
		"0014: neg\n",
		"0015: mod  #0x3", "; not allowed in seccomp\n",
		"0016: tax\n",
		"0017: txa\n",
		"0018: ja   -> 0021\n",
		"0019: jset x -> 0021 : 0020\n",
		"0020: jge  #0x9 -> 0221 : 0021", "; target out of range\n",
		"0021: .insn 0x0028, 0, 0, 0x0", "; invalid opcode\n",
		"0022: ret  a\n",
	};
	char *text = disasm_str(p, N(p), NULL, NULL);

	for (size_t i = 0; i < N(want); i++)
		ck_assert_msg(strstr(text, want[i]) != NULL, "missing \"%s\" in:\n%s",
			      want[i], text);
	free(text);
}
END_TEST

START_TEST(test_disasm_empty_and_oversized)
{
	static struct sock_filter big[BPF_MAX_INSNS + 10];
	char *text = disasm_str(big, 0, note_nr, NULL);

	ck_assert_str_eq(text, "");
	free(text);
	text = disasm_str(NULL, 3, note_nr, NULL);
	ck_assert_str_eq(text, "");
	free(text);
	/* Too long to analyse, still printed: ld #0 x N. */
	text = disasm_str(big, N(big), note_nr, NULL);
	ck_assert_ptr_nonnull(strstr(text, "4105: ld   #0x0\n"));
	free(text);
}
END_TEST

/* Collects the reach facts of every RET, by its return value. */
struct reach_log {
	struct bpf_reach r[64];
	size_t n;
};

static void log_reach(const struct bpf_reach *r, void *ctx, char *note, size_t len)
{
	struct reach_log *log = ctx;

	if (log->n < N(log->r))
		log->r[log->n++] = *r;
	if (r->nr_known)
		snprintf(note, len, "rule for nr %u", r->nr);
}

static const struct bpf_reach *reach_for(const struct reach_log *log, uint32_t ret)
{
	for (size_t i = 0; i < log->n; i++)
		if (log->r[i].ret == ret)
			return &log->r[i];
	ck_abort_msg("no RET returning 0x%x", ret);
	return NULL;
}

static void analyse(const struct sock_filter *p, size_t len, struct reach_log *log)
{
	memset(log, 0, sizeof(*log));
	free(disasm_str(p, len, log_reach, log));
}

/* For every nr in 0..LIMIT, the RET that bpf_run reaches must not claim
 * some other nr: the analysis has to be sound, not just precise. Several
 * RETs may return the same value; one of them must fit. */
static void assert_reach_sound(const struct sock_filter *p, size_t len,
			       const struct reach_log *log, uint32_t arch,
			       uint32_t limit)
{
	for (uint32_t nr = 0; nr <= limit; nr++) {
		struct seccomp_data d = syscall_data(arch, nr);
		uint32_t ret = run_ok(p, len, &d, NULL);
		bool fits = false;

		for (size_t i = 0; i < log->n; i++) {
			const struct bpf_reach *r = &log->r[i];

			if (r->ret == ret && (!r->nr_known || r->nr == nr) &&
			    (!r->arch || r->arch == arch))
				fits = true;
		}
		ck_assert_msg(fits, "nr %u reached ret 0x%x, whose facts exclude it",
			      nr, ret);
	}
}

/* A libseccomp-style jeq chain, with the x32 guard that rejoins the chain
 * and an argument check that clobbers A before nr is reloaded. */
START_TEST(test_reach_jeq_chain)
{
	struct sock_filter p[] = {
		/*  0 */ LDA(4),
		/*  1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 15),
		/*  2 */ LDA(0),
		/*  3 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
		/*  4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 0, 12),
		/*  5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 7, 0),
		/*  6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 3),
		/*  7 */ LDA(16),
		/*  8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5, 6, 0),
		/*  9 */ LDA(0),
		/* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 5, 0),
		/* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 2, 0),
		/* 12 */ RET_K(ERRNO(1)),
		/* 13 */ RET_K(ERRNO(10)),
		/* 14 */ RET_K(ERRNO(13)),
		/* 15 */ RET_K(ERRNO(11)),
		/* 16 */ RET_K(ERRNO(12)),
		/* 17 */ RET_K(SECCOMP_RET_KILL_PROCESS),
	};
	struct reach_log log;
	const struct bpf_reach *r;
	char *text;

	analyse(p, N(p), &log);
	ck_assert_uint_eq(log.n, 6);
	r = reach_for(&log, ERRNO(10));		/* nr 0 */
	ck_assert_int_eq(r->nr_known, 1);
	ck_assert_uint_eq(r->nr, 0);
	ck_assert_uint_eq(r->arch, AUDIT_ARCH_X86_64);
	r = reach_for(&log, ERRNO(11));		/* nr 1 with arg0 == 5 */
	ck_assert_int_eq(r->nr_known, 1);
	ck_assert_uint_eq(r->nr, 1);
	r = reach_for(&log, ERRNO(12));		/* nr 2, after the nr reload */
	ck_assert_int_eq(r->nr_known, 1);
	ck_assert_uint_eq(r->nr, 2);
	r = reach_for(&log, ERRNO(13));		/* nr 3 */
	ck_assert_int_eq(r->nr_known, 1);
	ck_assert_uint_eq(r->nr, 3);
	r = reach_for(&log, ERRNO(1));		/* default: many nrs */
	ck_assert_int_eq(r->nr_known, 0);
	ck_assert_uint_eq(r->arch, AUDIT_ARCH_X86_64);
	r = reach_for(&log, SECCOMP_RET_KILL_PROCESS);	/* bad arch or x32 */
	ck_assert_int_eq(r->nr_known, 0);
	ck_assert_uint_eq(r->arch, 0);

	assert_reach_sound(p, N(p), &log, AUDIT_ARCH_X86_64, 8);
	text = disasm_str(p, N(p), log_reach, &log);
	ck_assert_ptr_nonnull(strstr(text,
		"0016: ret  #0x0005000c                 ; errno(ENOMEM)  # rule for nr 2\n"));
	free(text);
}
END_TEST

/* A jgt/jge binary tree, where some leaves are pinned by ranges alone. */
START_TEST(test_reach_binary_tree)
{
	struct sock_filter p[] = {
		/*  0 */ LDA(4),
		/*  1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_AARCH64, 0, 11),
		/*  2 */ LDA(0),
		/*  3 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 8, 3, 0),	/* [8,max] : [0,7] */
		/*  4 */ BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 1, 0, 4),	/* [2,7] : [0,1] */
		/*  5 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 3, 5, 0),	/* [3,7] : [2,2] */
		/*  6 */ RET_K(ERRNO(2)),
		/*  7 */ BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 8, 3, 0),	/* [9,max] : [8,8] */
		/*  8 */ RET_K(ERRNO(8)),
		/*  9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),	/* [0,0] : [1,1] */
		/* 10 */ RET_K(ERRNO(100)),
		/* 11 */ RET_K(SECCOMP_RET_ALLOW),
		/* 12 */ RET_K(ERRNO(1)),
		/* 13 */ RET_K(SECCOMP_RET_KILL_THREAD),
	};
	static const struct { uint32_t ret, nr; } pinned[] = {
		{ ERRNO(2), 2 }, { ERRNO(8), 8 }, { ERRNO(100), 0 }, { ERRNO(1), 1 },
	};
	struct reach_log log;
	const struct bpf_reach *r;

	analyse(p, N(p), &log);
	for (size_t i = 0; i < N(pinned); i++) {
		r = reach_for(&log, pinned[i].ret);
		ck_assert_int_eq(r->nr_known, 1);
		ck_assert_uint_eq(r->nr, pinned[i].nr);
		ck_assert_uint_eq(r->arch, AUDIT_ARCH_AARCH64);
	}
	ck_assert_int_eq(reach_for(&log, SECCOMP_RET_ALLOW)->nr_known, 0);
	ck_assert_uint_eq(reach_for(&log, SECCOMP_RET_KILL_THREAD)->arch, 0);
	assert_reach_sound(p, N(p), &log, AUDIT_ARCH_AARCH64, 20);
}
END_TEST

/* More distinct states than the per-instruction cap meet at one RET: the
 * analysis must merge them conservatively, not claim a single nr. */
START_TEST(test_reach_state_cap)
{
	enum { CHAIN = 100 };
	static struct sock_filter p[CHAIN + 3];
	struct reach_log log;

	p[0] = (struct sock_filter)LDA(0);
	for (uint32_t i = 0; i < CHAIN; i++)
		p[1 + i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							i * 2, (uint8_t)(CHAIN - i), 0);
	p[CHAIN + 1] = (struct sock_filter)RET_K(ERRNO(1));
	p[CHAIN + 2] = (struct sock_filter)RET_K(SECCOMP_RET_ALLOW);

	analyse(p, N(p), &log);
	ck_assert_int_eq(reach_for(&log, SECCOMP_RET_ALLOW)->nr_known, 0);
	ck_assert_int_eq(reach_for(&log, ERRNO(1))->nr_known, 0);
	assert_reach_sound(p, N(p), &log, 0, 2 * CHAIN + 1);
}
END_TEST

/* ---- a real filter from libseccomp ---- */

/* Exports CTX's BPF through a memfd and reads it back; returns its length. */
static size_t export_filter(scmp_filter_ctx ctx, struct sock_filter *prog,
			    size_t max)
{
	int fd = memfd_create("sysfence-test", 0);
	size_t got = 0;
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(seccomp_export_bpf(ctx, fd), 0);
	while ((n = pread(fd, (char *)prog + got, max * sizeof(*prog) - got,
			  (off_t)got)) > 0)
		got += (size_t)n;
	close(fd);
	ck_assert_uint_eq(got % sizeof(*prog), 0);
	return got / sizeof(*prog);
}

START_TEST(test_libseccomp_filter)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(1));
	uint32_t arch = seccomp_arch_native();
	uint32_t other = arch == AUDIT_ARCH_AARCH64 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64;
	uint32_t badarch = 0xdead;
	static struct sock_filter prog[BPF_MAX_INSNS];
	struct seccomp_data d;
	struct reach_log log;
	const struct bpf_reach *r;
	char why[128];
	size_t len;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 0), 0);
	ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0), 0);
	/* datum_b is unused by EQ; spelled out to keep clang's
	 * -Wmissing-field-initializers quiet. */
	ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
					  SCMP_A0(SCMP_CMP_EQ, 5, 0)), 0);
	ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(2), SCMP_SYS(getpid), 0), 0);
	ck_assert_int_eq(seccomp_attr_get(ctx, SCMP_FLTATR_ACT_BADARCH, &badarch), 0);
	/* libseccomp's default bad-arch action is SCMP_ACT_KILL, which is
	 * KILL_THREAD (0), not KILL_PROCESS (checked with 2.5.4). */
	ck_assert_uint_eq(badarch, SECCOMP_RET_KILL_THREAD);
	len = export_filter(ctx, prog, N(prog));
	seccomp_release(ctx);

	ck_assert_uint_gt(len, 0);
	ck_assert_msg(bpf_check(prog, len, why, sizeof(why)) == 0, "%s", why);

	d = syscall_data(arch, SCMP_SYS(read));
	ck_assert_uint_eq(run_ok(prog, len, &d, NULL), SECCOMP_RET_ALLOW);
	d = syscall_data(arch, SCMP_SYS(exit_group));
	ck_assert_uint_eq(run_ok(prog, len, &d, NULL), SECCOMP_RET_ALLOW);
	d = syscall_data(arch, SCMP_SYS(getpid));
	ck_assert_uint_eq(run_ok(prog, len, &d, NULL), ERRNO(2));
	d = syscall_data(arch, SCMP_SYS(close));
	ck_assert_uint_eq(run_ok(prog, len, &d, NULL), ERRNO(1));
	d = syscall_data(arch, SCMP_SYS(write));
	d.args[0] = 5;
	ck_assert_uint_eq(run_ok(prog, len, &d, NULL), SECCOMP_RET_ALLOW);
	d.args[0] = 6;
	ck_assert_uint_eq(run_ok(prog, len, &d, NULL), ERRNO(1));
#if __SIZEOF_LONG__ == 8
	d.args[0] = (1ull << 32) | 5;	/* the high word is compared too */
	ck_assert_uint_eq(run_ok(prog, len, &d, NULL), ERRNO(1));
#endif
	d = syscall_data(other, SCMP_SYS(read));
	ck_assert_uint_eq(run_ok(prog, len, &d, NULL), badarch);
#ifdef __x86_64__
	/* An x32 syscall number on the x86_64 filter is a bad arch too. */
	d = syscall_data(arch, 0x40000000u | SCMP_SYS(read));
	ck_assert_uint_eq(run_ok(prog, len, &d, NULL), badarch);
#endif

	/* getpid has the only errno(2): the analysis should find it. */
	analyse(prog, len, &log);
	r = reach_for(&log, ERRNO(2));
	ck_assert_int_eq(r->nr_known, 1);
	ck_assert_uint_eq(r->nr, SCMP_SYS(getpid));
	ck_assert_uint_eq(r->arch, arch);
	ck_assert_uint_eq(reach_for(&log, badarch)->arch, 0);
	assert_reach_sound(prog, len, &log, arch, 400);
}
END_TEST

/* ---- renumbering (renumber.c) ---- */

#define X86_64 AUDIT_ARCH_X86_64
#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)
#define LD_ARCH BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4)

/* arch check, then 10 -> errno(10), 20 -> errno(20), else errno(1). */
START_TEST(test_renumber_moves_a_syscall)
{
	struct sock_filter p[] = {
		LD_ARCH, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, X86_64, 1, 0), RET_K(SECCOMP_RET_KILL_PROCESS),
		LD_NR, BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 10, 0, 1), RET_K(ERRNO(10)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 20, 0, 1), RET_K(ERRNO(20)),
		RET_K(ERRNO(1)),
	};
	struct renumbering r = { X86_64, 10, 500 };
	ck_assert_int_eq(bpf_renumber(p, N(p), &r, 1), 0);
	struct seccomp_data d = syscall_data(X86_64, 500);
	ck_assert_uint_eq(run_ok(p, N(p), &d, NULL), ERRNO(10));
	d = syscall_data(X86_64, 10);
	ck_assert_uint_eq(run_ok(p, N(p), &d, NULL), ERRNO(1));
	d = syscall_data(X86_64, 20);
	ck_assert_uint_eq(run_ok(p, N(p), &d, NULL), ERRNO(20));
	/* another arch's renumbering leaves this program alone */
	struct renumbering other = { AUDIT_ARCH_I386, 20, 501 };
	ck_assert_int_eq(bpf_renumber(p, N(p), &other, 1), 0);
	d = syscall_data(X86_64, 20);
	ck_assert_uint_eq(run_ok(p, N(p), &d, NULL), ERRNO(20));
}
END_TEST

/* What the pass cannot account for, it refuses. */
START_TEST(test_renumber_refuses)
{
	struct renumbering r = { X86_64, 10, 500 };
	/* a split between stand-in and syscall (a binary tree) */
	struct sock_filter split[] = {
		LD_ARCH, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, X86_64, 1, 0), RET_K(0),
		LD_NR, BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 100, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 10, 0, 1), RET_K(ERRNO(10)), RET_K(ERRNO(1)),
	};
	ck_assert_int_eq(bpf_renumber(split, N(split), &r, 1), -1);
	/* the number compared before the arch is known */
	struct sock_filter noarch[] = {
		LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 10, 0, 1), RET_K(ERRNO(10)), RET_K(ERRNO(1)),
	};
	ck_assert_int_eq(bpf_renumber(noarch, N(noarch), &r, 1), -1);
	/* the real number already compared */
	struct sock_filter taken[] = {
		LD_ARCH, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, X86_64, 1, 0), RET_K(0),
		LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 500, 0, 1), RET_K(ERRNO(10)), RET_K(ERRNO(1)),
	};
	ck_assert_int_eq(bpf_renumber(taken, N(taken), &r, 1), -1);
	/* arithmetic on the number */
	struct sock_filter alu[] = {
		LD_ARCH, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, X86_64, 1, 0), RET_K(0),
		LD_NR, BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff), RET_K(0),
	};
	ck_assert_int_eq(bpf_renumber(alu, N(alu), &r, 1), -1);
	/* paths that disagree on what the accumulator holds, then compare */
	struct sock_filter mixed[] = {
		LD_ARCH, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, X86_64, 1, 0), RET_K(0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1), LD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 10, 0, 1), RET_K(ERRNO(10)), RET_K(ERRNO(1)),
	};
	ck_assert_int_eq(bpf_renumber(mixed, N(mixed), &r, 1), -1);
}
END_TEST

/* ---- the decoder (bpf/insn.h) ---- */

/* Every opcode seccomp accepts, with what cbpf_decode must say of it. */
static const struct decode_case {
	uint16_t code;
	enum cbpf_kind kind;
	enum cbpf_op op;
	enum cbpf_val dst, src;
} decode_cases[] = {
	{ BPF_LD | BPF_W | BPF_ABS, CBPF_LOAD, 0, CBPF_A, CBPF_DATA },
	{ BPF_LD | BPF_W | BPF_LEN, CBPF_LOAD, 0, CBPF_A, CBPF_LEN },
	{ BPF_LDX | BPF_W | BPF_LEN, CBPF_LOAD, 0, CBPF_X, CBPF_LEN },
	{ BPF_LD | BPF_IMM, CBPF_LOAD, 0, CBPF_A, CBPF_K },
	{ BPF_LDX | BPF_IMM, CBPF_LOAD, 0, CBPF_X, CBPF_K },
	{ BPF_LD | BPF_MEM, CBPF_LOAD, 0, CBPF_A, CBPF_MEM },
	{ BPF_LDX | BPF_MEM, CBPF_LOAD, 0, CBPF_X, CBPF_MEM },
	{ BPF_MISC | BPF_TAX, CBPF_LOAD, 0, CBPF_X, CBPF_A },
	{ BPF_MISC | BPF_TXA, CBPF_LOAD, 0, CBPF_A, CBPF_X },
	{ BPF_ST, CBPF_STORE, 0, CBPF_MEM, CBPF_A },
	{ BPF_STX, CBPF_STORE, 0, CBPF_MEM, CBPF_X },
	{ BPF_ALU | BPF_ADD | BPF_K, CBPF_ALU, CBPF_ADD, CBPF_A, CBPF_K },
	{ BPF_ALU | BPF_ADD | BPF_X, CBPF_ALU, CBPF_ADD, CBPF_A, CBPF_X },
	{ BPF_ALU | BPF_SUB | BPF_K, CBPF_ALU, CBPF_SUB, CBPF_A, CBPF_K },
	{ BPF_ALU | BPF_SUB | BPF_X, CBPF_ALU, CBPF_SUB, CBPF_A, CBPF_X },
	{ BPF_ALU | BPF_MUL | BPF_K, CBPF_ALU, CBPF_MUL, CBPF_A, CBPF_K },
	{ BPF_ALU | BPF_MUL | BPF_X, CBPF_ALU, CBPF_MUL, CBPF_A, CBPF_X },
	{ BPF_ALU | BPF_DIV | BPF_K, CBPF_ALU, CBPF_DIV, CBPF_A, CBPF_K },
	{ BPF_ALU | BPF_DIV | BPF_X, CBPF_ALU, CBPF_DIV, CBPF_A, CBPF_X },
	{ BPF_ALU | BPF_AND | BPF_K, CBPF_ALU, CBPF_AND, CBPF_A, CBPF_K },
	{ BPF_ALU | BPF_AND | BPF_X, CBPF_ALU, CBPF_AND, CBPF_A, CBPF_X },
	{ BPF_ALU | BPF_OR | BPF_K, CBPF_ALU, CBPF_OR, CBPF_A, CBPF_K },
	{ BPF_ALU | BPF_OR | BPF_X, CBPF_ALU, CBPF_OR, CBPF_A, CBPF_X },
	{ BPF_ALU | BPF_XOR | BPF_K, CBPF_ALU, CBPF_XOR, CBPF_A, CBPF_K },
	{ BPF_ALU | BPF_XOR | BPF_X, CBPF_ALU, CBPF_XOR, CBPF_A, CBPF_X },
	{ BPF_ALU | BPF_LSH | BPF_K, CBPF_ALU, CBPF_LSH, CBPF_A, CBPF_K },
	{ BPF_ALU | BPF_LSH | BPF_X, CBPF_ALU, CBPF_LSH, CBPF_A, CBPF_X },
	{ BPF_ALU | BPF_RSH | BPF_K, CBPF_ALU, CBPF_RSH, CBPF_A, CBPF_K },
	{ BPF_ALU | BPF_RSH | BPF_X, CBPF_ALU, CBPF_RSH, CBPF_A, CBPF_X },
	{ BPF_ALU | BPF_NEG, CBPF_ALU, CBPF_NEG, CBPF_A, CBPF_NONE },
	{ BPF_JMP | BPF_JA, CBPF_JA, 0, CBPF_NONE, CBPF_NONE },
	{ BPF_JMP | BPF_JEQ | BPF_K, CBPF_JUMP, CBPF_JEQ, CBPF_NONE, CBPF_K },
	{ BPF_JMP | BPF_JEQ | BPF_X, CBPF_JUMP, CBPF_JEQ, CBPF_NONE, CBPF_X },
	{ BPF_JMP | BPF_JGT | BPF_K, CBPF_JUMP, CBPF_JGT, CBPF_NONE, CBPF_K },
	{ BPF_JMP | BPF_JGT | BPF_X, CBPF_JUMP, CBPF_JGT, CBPF_NONE, CBPF_X },
	{ BPF_JMP | BPF_JGE | BPF_K, CBPF_JUMP, CBPF_JGE, CBPF_NONE, CBPF_K },
	{ BPF_JMP | BPF_JGE | BPF_X, CBPF_JUMP, CBPF_JGE, CBPF_NONE, CBPF_X },
	{ BPF_JMP | BPF_JSET | BPF_K, CBPF_JUMP, CBPF_JSET, CBPF_NONE, CBPF_K },
	{ BPF_JMP | BPF_JSET | BPF_X, CBPF_JUMP, CBPF_JSET, CBPF_NONE, CBPF_X },
	{ BPF_RET | BPF_K, CBPF_RET, 0, CBPF_NONE, CBPF_K },
	{ BPF_RET | BPF_A, CBPF_RET, 0, CBPF_NONE, CBPF_A },
};

START_TEST(test_decode_every_seccomp_opcode)
{
	const struct decode_case *c = &decode_cases[_i];
	/* At 1 of 10 instructions, with jt 2 and jf 3 (k 4 for JA). */
	struct sock_filter prog[10] = { [1] = { c->code, 2, 3, 4 } };
	struct cbpf_insn in;

	ck_assert_int_eq(cbpf_decode(prog, N(prog), 1, &in), 0);
	ck_assert_int_eq(in.kind, c->kind);
	ck_assert_int_eq(in.dst, c->dst);
	ck_assert_int_eq(in.src, c->src);
	if (c->kind == CBPF_ALU || c->kind == CBPF_JUMP)
		ck_assert_int_eq(in.op, c->op);
	ck_assert_uint_eq(in.k, 4);
	ck_assert_int_eq(cbpf_kind_of(c->code), c->kind);
	ck_assert(in.in_range);
	switch (c->kind) {
	case CBPF_RET:
		ck_assert_uint_eq(in.nsucc, 0);
		break;
	case CBPF_JA:
		ck_assert_uint_eq(in.nsucc, 1);
		ck_assert_uint_eq(in.jt, 6);
		break;
	case CBPF_JUMP:
		ck_assert_uint_eq(in.nsucc, 2);
		ck_assert_uint_eq(in.jt, 4);
		ck_assert_uint_eq(in.jf, 5);
		break;
	default:
		ck_assert_uint_eq(in.nsucc, 1);
		ck_assert_uint_eq(in.jt, 2);
		ck_assert_uint_eq(in.jf, 2);
		break;
	}
}
END_TEST

static bool seccomp_code(uint16_t code)
{
	for (size_t i = 0; i < N(decode_cases); i++)
		if (decode_cases[i].code == code)
			return true;
	return false;
}

/* Every other 16-bit opcode is refused; only ALU MOD keeps its shape. */
START_TEST(test_decode_rejects_the_rest)
{
	struct sock_filter prog[2] = { { 0, 0, 0, 0 }, RET_K(0) };
	struct cbpf_insn in;

	for (uint32_t code = 0; code <= 0xffff; code++) {
		if (seccomp_code((uint16_t)code))
			continue;
		prog[0].code = (uint16_t)code;
		ck_assert_int_eq(cbpf_decode(prog, N(prog), 0, &in), -1);
		if (code == (BPF_ALU | BPF_MOD | BPF_K) || code == (BPF_ALU | BPF_MOD | BPF_X)) {
			ck_assert_int_eq(in.kind, CBPF_ALU);
			ck_assert_int_eq(in.op, CBPF_MOD);
		} else {
			ck_assert_int_eq(in.kind, CBPF_INVALID);
			ck_assert_int_eq(cbpf_kind_of((uint16_t)code), CBPF_INVALID);
		}
	}
}
END_TEST

START_TEST(test_decode_targets_and_fields)
{
	struct sock_filter prog[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),   /* jf past the end */
		BPF_STMT(BPF_JMP | BPF_JA, 0xffffffffu),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		RET_K(0),
	};
	struct cbpf_insn in;
	unsigned arg;
	int hi;
	int le = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

	cbpf_decode(prog, N(prog), 0, &in);
	ck_assert(!in.in_range);
	ck_assert_uint_eq(in.jf, 4);
	cbpf_decode(prog, N(prog), 1, &in);
	ck_assert(!in.in_range);
	ck_assert_uint_eq(in.jt, 2ull + 0xffffffffu);   /* no 32-bit wrap */
	cbpf_decode(prog, N(prog), 2, &in);
	ck_assert_int_eq(in.field, CBPF_FIELD_ARCH);
	ck_assert(in.in_range);
	cbpf_decode(prog, N(prog), 3, &in);   /* a last RET has no successor */
	ck_assert(in.in_range);
	cbpf_decode(prog, N(prog) - 1, 2, &in);   /* a last load falls off the end */
	ck_assert(!in.in_range);
	ck_assert_uint_eq(in.jt, 3);
	ck_assert_int_eq(cbpf_field_of(0, &arg, &hi), CBPF_FIELD_NR);
	ck_assert_int_eq(cbpf_field_of(8, &arg, &hi), CBPF_FIELD_IP);
	ck_assert_int_eq(hi, !le);
	ck_assert_int_eq(cbpf_field_of(16 + 8 * 5 + 4, &arg, &hi), CBPF_FIELD_ARG);
	ck_assert_uint_eq(arg, 5);
	ck_assert_int_eq(hi, le);
	ck_assert_int_eq(cbpf_field_of(64, &arg, &hi), CBPF_FIELD_BAD);
	ck_assert_int_eq(cbpf_field_of(6, &arg, &hi), CBPF_FIELD_BAD);
	/* cbpf_offset_of inverts cbpf_field_of on every word. */
	for (uint32_t k = 0; k < CBPF_DATA_SIZE; k += 4) {
		enum cbpf_field f = cbpf_field_of(k, &arg, &hi);

		ck_assert_uint_eq(cbpf_offset_of(f, arg, hi), k);
	}
	ck_assert_uint_eq(cbpf_offset_of(CBPF_FIELD_ARG, 0, 0), le ? 16 : 20);
	ck_assert_uint_eq(cbpf_offset_of(CBPF_FIELD_IP, 0, 1), le ? 12 : 8);
	ck_assert_uint_eq(cbpf_offset_of(CBPF_FIELD_ARG, 6, 0), CBPF_DATA_SIZE);
	ck_assert_uint_eq(cbpf_offset_of(CBPF_FIELD_BAD, 0, 0), CBPF_DATA_SIZE);
	ck_assert(cbpf_taken(CBPF_JEQ, 3, 3) && !cbpf_taken(CBPF_JEQ, 3, 4));
	ck_assert(cbpf_taken(CBPF_JGT, 4, 3) && !cbpf_taken(CBPF_JGT, 3, 3));
	ck_assert(cbpf_taken(CBPF_JGE, 3, 3) && !cbpf_taken(CBPF_JGE, 2, 3));
	ck_assert(cbpf_taken(CBPF_JSET, 6, 2) && !cbpf_taken(CBPF_JSET, 6, 1));
}
END_TEST

static Suite *bpf_suite(void)
{
	Suite *s = suite_create("bpf");
	TCase *run = tcase_create("interpreter");
	TCase *check = tcase_create("checker");
	TCase *names = tcase_create("actions");
	TCase *disasm = tcase_create("disasm");
	TCase *real = tcase_create("libseccomp");

	tcase_add_test(run, test_initial_registers_zero);
	tcase_add_test(run, test_ld_abs_every_word);
	tcase_add_test(run, test_ld_abs_named_fields);
	tcase_add_test(run, test_ld_imm_len_mem_misc);
	tcase_add_loop_test(run, test_alu_ops, 0, N(alu_cases));
	tcase_add_test(run, test_alu_neg_and_x_shift_mask);
	tcase_add_test(run, test_div_by_x_zero_returns_0);
	tcase_add_loop_test(run, test_jumps, 0, N(jmp_cases));
	tcase_add_test(run, test_ja_and_ret_a);
	tcase_add_test(run, test_step_counts_chain);
	tcase_add_test(run, test_run_null_args);
	suite_add_tcase(s, run);

	tcase_add_loop_test(check, test_check_rejects, 0, N(bad_cases));
	tcase_add_test(check, test_check_accepts_edge_cases);
	tcase_add_test(check, test_check_length_limits);
	tcase_add_test(check, test_random_programs_are_safe);
	tcase_set_timeout(check, 60);
	suite_add_tcase(s, check);

	tcase_add_test(names, test_action_str);
	suite_add_tcase(s, names);

	tcase_add_test(disasm, test_disasm_small_filter);
	tcase_add_test(disasm, test_disasm_every_form);
	tcase_add_test(disasm, test_disasm_empty_and_oversized);
	tcase_add_test(disasm, test_reach_jeq_chain);
	tcase_add_test(disasm, test_reach_binary_tree);
	tcase_add_test(disasm, test_reach_state_cap);
	suite_add_tcase(s, disasm);

	tcase_add_test(real, test_libseccomp_filter);
	suite_add_tcase(s, real);

	TCase *decode = tcase_create("decode");
	tcase_add_loop_test(decode, test_decode_every_seccomp_opcode, 0, N(decode_cases));
	tcase_add_test(decode, test_decode_rejects_the_rest);
	tcase_add_test(decode, test_decode_targets_and_fields);
	suite_add_tcase(s, decode);

	TCase *renum = tcase_create("renumber");
	tcase_add_test(renum, test_renumber_moves_a_syscall);
	tcase_add_test(renum, test_renumber_refuses);
	suite_add_tcase(s, renum);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bpf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
