/* The one decoder of classic-BPF instructions: what an instruction does
 * and where control goes next, for every pass that reads a seccomp
 * program (the checker and interpreter, the disassembler, the renumbering
 * pass, the layout pass, `sysfence diff` and the tests' kernel-cache
 * model). Each of them keeps its own idea of what the registers hold; none
 * of them decodes opcodes or jump offsets itself.
 *
 * Jump targets are given as absolute instruction indices. Classic BPF
 * only jumps forward, so a pass that visits instructions in index order
 * has seen every edge into an instruction before it reaches it. */
#ifndef SYSFENCE_BPF_INSN_H
#define SYSFENCE_BPF_INSN_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

#define CBPF_DATA_SIZE ((uint32_t)sizeof(struct seccomp_data))

enum cbpf_kind {
	CBPF_INVALID,   /* no opcode seccomp knows (see cbpf_decode) */
	CBPF_LOAD,      /* DST := SRC; TAX and TXA are loads from the other register */
	CBPF_STORE,     /* M[k] := SRC (A or X) */
	CBPF_ALU,       /* A := A OP SRC (K or X; NONE for NEG) */
	CBPF_JA,        /* on to JT */
	CBPF_JUMP,      /* A OP SRC (K or X) ? JT : JF */
	CBPF_RET,       /* returns SRC (K or A) */
};

/* The operands: registers, the constant k, a scratch cell M[k], the
 * length of seccomp_data, or the seccomp_data word at offset k. */
enum cbpf_val { CBPF_NONE, CBPF_A, CBPF_X, CBPF_K, CBPF_MEM, CBPF_LEN, CBPF_DATA };

enum cbpf_op {
	CBPF_ADD, CBPF_SUB, CBPF_MUL, CBPF_DIV, CBPF_MOD, CBPF_AND, CBPF_OR, CBPF_XOR,
	CBPF_LSH, CBPF_RSH, CBPF_NEG,              /* ALU */
	CBPF_JEQ, CBPF_JGT, CBPF_JGE, CBPF_JSET,   /* JUMP */
};

/* Which part of struct seccomp_data a CBPF_DATA load reads. */
enum cbpf_field {
	CBPF_FIELD_BAD,    /* outside the struct, or not 4-byte aligned */
	CBPF_FIELD_NR,
	CBPF_FIELD_ARCH,
	CBPF_FIELD_IP,     /* a half of instruction_pointer */
	CBPF_FIELD_ARG,    /* a half of args[ARG] */
};

struct cbpf_insn {
	enum cbpf_kind kind;
	enum cbpf_op op;          /* ALU and JUMP */
	enum cbpf_val dst, src;   /* dst: A or X for LOAD, MEM for STORE, A for ALU */
	uint32_t k;
	/* CBPF_DATA loads: the field read, for args its index, and whether
	 * the word is the high half of a 64-bit field on this machine. */
	enum cbpf_field field;
	unsigned arg;
	int hi;
	/* Successors. RET has none; JUMP two (JT taken, JF not); everything
	 * else one, JT (= JF): the JA target, or the next instruction. An
	 * INVALID instruction goes where its opcode's class would take it
	 * (none for the RET class, JT and JF for the JMP class, else the next
	 * instruction), as a disassembler that goes on past it assumes; its
	 * DST is A for the ALU class (it can only change A), else NONE. */
	unsigned nsucc;
	uint64_t jt, jf;
	/* Every successor is below the program's length: always for a RET,
	 * never for anything else that falls off the end. */
	int in_range;
};

/* Decodes instruction PC of PROG (LEN instructions, PC < LEN). Returns 0
 * when seccomp accepts the opcode (the list in bpf.h's bpf_check), else
 * -1. Operand values are not checked here (offsets, cells, shifts,
 * targets: see bpf_check); IN_RANGE says whether the targets fit. On -1
 * IN->kind is CBPF_INVALID, except for classic BPF's ALU MOD (K and X),
 * which seccomp's list omits but which is decoded as an ALU instruction
 * so that a disassembler can name it. */
int cbpf_decode(const struct sock_filter *prog, size_t len, size_t pc, struct cbpf_insn *in);

/* The kind of instruction CODE is (cbpf_decode without operands). */
enum cbpf_kind cbpf_kind_of(uint16_t code);

/* What a CBPF_DATA load at offset K reads: sets *ARG and *HI as in struct
 * cbpf_insn (0 when they do not apply). */
enum cbpf_field cbpf_field_of(uint32_t k, unsigned *arg, int *hi);

/* The inverse: the offset of the word of seccomp_data that FIELD (with
 * ARG and HI as in struct cbpf_insn, ignored where they do not apply)
 * names; CBPF_DATA_SIZE for CBPF_FIELD_BAD or an ARG past args[5]. */
uint32_t cbpf_offset_of(enum cbpf_field field, unsigned arg, int hi);

/* Does a jump with condition OP (CBPF_JEQ .. CBPF_JSET) on A and the
 * operand V go to JT? */
int cbpf_taken(enum cbpf_op op, uint32_t a, uint32_t v);

#endif
