/* Symbolic execution (bpf_sym.c) against the interpreter (bpf_run) on
 * random programs that use every seccomp opcode: loads of every word,
 * immediates, scratch memory, every ALU operation with K and X, TAX/TXA,
 * every jump with K and X, RET K and RET A.
 *
 * For each program the symbolic semantics must partition the inputs; on
 * random inputs the value whose set holds the input must be what bpf_run
 * returns; and a witness of each value (bdd_satone) must return it.
 * Programs the symbolic pass refuses (RET A with too many values, over
 * budget) are counted, not failures, unless they are a third or more.
 *
 * usage: test_sym [PROGRAMS [SEED]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/bpf.h"
#include "bpf/sym.h"
#include "rng.h"

#define INPUTS 300
#define BUDGET 100000

/* Small numbers, powers of two and their neighbours, or anything. */
static uint32_t some_k(struct rng *r)
{
	switch (below(r, 4)) {
	case 0: return below(r, 8);
	case 1: return (1u << below(r, 32)) - below(r, 2);
	case 2: return 0xffffffffu - below(r, 4);
	default: return (uint32_t)rnd(r);
	}
}

static struct sock_filter alu(struct rng *r)
{
	static const uint16_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR,
					BPF_XOR, BPF_LSH, BPF_RSH, BPF_NEG };
	uint16_t op = ops[below(r, 10)], src = below(r, 3) ? BPF_K : BPF_X;
	uint32_t k = some_k(r);
	if (op == BPF_NEG)
		src = BPF_K;
	if ((op == BPF_LSH || op == BPF_RSH) && src == BPF_K)
		k &= 31;
	if (op == BPF_DIV && src == BPF_K && k == 0)
		k = 1u << below(r, 4);
	if (op == BPF_MUL && src == BPF_X && below(r, 4))
		op = BPF_ADD;       /* multiplying variables soon exceeds any budget */
	return (struct sock_filter)BPF_STMT(BPF_ALU | op | src, k);
}

static struct sock_filter jump(struct rng *r, size_t pc, size_t len)
{
	static const uint16_t ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };
	uint32_t room = (uint32_t)(len - pc - 1);
	uint8_t jt = (uint8_t)below(r, room < 8 ? room : 8);
	uint8_t jf = (uint8_t)below(r, room < 8 ? room : 8);
	if (!below(r, 8))
		return (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, jt);
	return (struct sock_filter)BPF_JUMP(BPF_JMP | ops[below(r, 4)] | (below(r, 3) ? BPF_K : BPF_X),
					    some_k(r), jt, jf);
}

/* Mostly the program's own word WORD: arithmetic across words would need
 * interleaved variables, which no seccomp filter needs. */
static struct sock_filter other(struct rng *r, uint32_t word)
{
	uint32_t m = below(r, 3);
	uint32_t off = below(r, 4) ? word : 4 * below(r, 16);
	switch (below(r, 9)) {
	case 0: case 1: return (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off);
	case 2: return (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, some_k(r));
	case 3: return (struct sock_filter)BPF_STMT(BPF_LDX | BPF_IMM, some_k(r));
	case 4: return (struct sock_filter)BPF_STMT(below(r, 2) ? BPF_ST : BPF_STX, m);
	case 5: return (struct sock_filter)BPF_STMT((below(r, 2) ? BPF_LD : BPF_LDX) | BPF_MEM, m);
	case 6: return (struct sock_filter)BPF_STMT(BPF_MISC | (below(r, 2) ? BPF_TAX : BPF_TXA), 0);
	case 7: return (struct sock_filter)BPF_STMT((below(r, 2) ? BPF_LD : BPF_LDX) | BPF_W | BPF_LEN, 0);
	default: return (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, some_k(r));
	}
}

/* A random program that passes bpf_check; returns its length. Scratch
 * cells 0..2 are written first so that reading them is allowed. */
static size_t gen(struct rng *r, struct sock_filter *p)
{
	size_t len = 8 + below(r, 30);
	for (;;) {
		uint32_t word = 4 * below(r, 16);
		p[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, word);
		for (uint32_t m = 0; m < 3; m++)
			p[1 + m] = (struct sock_filter)BPF_STMT(BPF_ST, m);
		for (size_t pc = 4; pc + 1 < len; pc++) {
			uint32_t u = below(r, 10);
			p[pc] = u < 4 ? alu(r) : u < 7 ? jump(r, pc, len) : other(r, word);
		}
		p[len - 1] = (struct sock_filter)BPF_STMT(BPF_RET | (below(r, 3) ? BPF_A : BPF_K),
							  some_k(r));
		/* RET A of a whole word has too many values: mostly mask it. */
		if (BPF_RVAL(p[len - 1].code) == BPF_A && below(r, 8))
			p[len - 2] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K,
								  (uint32_t)rnd(r) & 0x3ffu << below(r, 22));
		if (bpf_check(p, len, NULL, 0) == 0)
			return len;
	}
}

static void assign_of(const struct seccomp_data *d, unsigned char *assign)
{
	const unsigned char *bytes = (const unsigned char *)d;
	for (uint32_t off = 0; off < 64; off += 4) {
		uint32_t w;
		memcpy(&w, bytes + off, sizeof(w));
		for (unsigned i = 0; i < 32; i++)
			assign[bpf_sym_var(off, i)] = w >> i & 1;
	}
}

static void random_input(struct rng *r, struct seccomp_data *d)
{
	uint32_t w[16];
	for (int i = 0; i < 16; i++)
		w[i] = below(r, 2) ? some_k(r) : below(r, 64);
	memcpy(d, w, sizeof(w));
}

/* Does the input D get, from SEM, exactly the value bpf_run gives? */
static int agrees(const struct bdd_ctx *b, const struct bpf_sym_sem *sem,
		  const struct sock_filter *p, size_t len, const struct seccomp_data *d)
{
	unsigned char assign[BPF_SYM_NVARS];
	uint32_t got = 0;
	int hits = 0, right = 0;
	assign_of(d, assign);
	if (bpf_run(p, len, d, &got, NULL))
		return 0;
	for (size_t i = 0; i < sem->n; i++)
		if (bdd_eval(b, sem->r[i].when, assign)) {
			hits++;
			right = sem->r[i].value == got;
		}
	return hits == 1 && right;
}

static int check_program(struct rng *r, const struct sock_filter *p, size_t len, int *refused)
{
	struct bdd_ctx *b = bdd_new(BPF_SYM_NVARS, BUDGET);
	struct bpf_sym_sem sem;
	char why[200];
	int bad = 0;
	*refused = 0;
	if (bpf_sym_run(b, p, len, &sem, why, sizeof(why))) {
		*refused = 1;
		if (getenv("TEST_SYM_WHY"))
			printf("refused: %s\n", why);
	} else {
		unsigned char assign[BPF_SYM_NVARS];
		for (int i = 0; i < INPUTS && !bad; i++) {
			struct seccomp_data d;
			random_input(r, &d);
			bad = !agrees(b, &sem, p, len, &d);
		}
		for (size_t i = 0; i < sem.n && !bad; i++) {
			struct seccomp_data d;
			uint32_t got = 0;
			bdd_satone(b, sem.r[i].when, assign);
			bpf_sym_data(assign, &d);
			bad = bpf_run(p, len, &d, &got, NULL) || got != sem.r[i].value;
		}
	}
	bpf_sym_sem_free(&sem);
	bdd_free(b);
	return bad;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1500;
	struct rng r = { argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed5 };
	struct sock_filter p[64];
	unsigned refused = 0, failed = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t len = gen(&r, p);
		int ref;
		if (check_program(&r, p, len, &ref)) {
			printf("program %u disagrees with bpf_run:\n", i);
			bpf_disasm(stdout, p, len, NULL, NULL);
			failed++;
		}
		refused += ref;
	}
	printf("%u programs, %u refused by the symbolic pass, %u failures\n", n, refused, failed);
	return failed || refused * 3 > n ? 1 : 0;
}
