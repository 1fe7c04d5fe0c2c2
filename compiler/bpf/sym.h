/* Symbolic execution of a classic-BPF seccomp program over BDDs: for each
 * value the program can return, the exact set of inputs (struct
 * seccomp_data, as bits) that make it return that value.
 *
 * The inputs are the 16 32-bit words of struct seccomp_data as the
 * kernel's BPF_LD|BPF_W|BPF_ABS loads them (native words): nr at offset
 * 0, arch at 4, then the halves of instruction_pointer and of args[i],
 * which bpf/insn.h's cbpf_field_of and cbpf_offset_of tell apart (on a
 * little-endian machine instruction_pointer's low word is at 8 and its
 * high word at 12, args[i]'s at 16 + 8i and 20 + 8i). Each bit is one
 * BDD variable. The order puts arch first, then nr, then each argument
 * high word before its low word, then instruction_pointer, and every word
 * most significant bit first: the order in which filters compare. */
#ifndef SYSFENCE_BPF_SYM_H
#define SYSFENCE_BPF_SYM_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bdd.h"

#define BPF_SYM_NVARS 512          /* 16 words of 32 bits */

/* The variable of bit BIT (0: least significant) of the seccomp_data word
 * at byte offset OFF (a multiple of 4 below 64). */
unsigned bpf_sym_var(uint32_t off, unsigned bit);
/* The word at OFF as a vector of variables (OUT[0]: bit 0). */
void bpf_sym_word(struct bdd_ctx *b, uint32_t off, bdd_t out[32]);
/* The input an assignment of the BPF_SYM_NVARS variables stands for. */
void bpf_sym_data(const unsigned char *assign, struct seccomp_data *d);

struct bpf_sym_ret {
	uint32_t value;            /* what the program returns */
	bdd_t when;                /* on these inputs */
};

/* A program's semantics: its return values (ascending, distinct), each
 * with its input set. The sets partition all inputs. */
struct bpf_sym_sem {
	struct bpf_sym_ret *r;
	size_t n;
};

/* Runs PROG symbolically in the context B, which must have at least
 * BPF_SYM_NVARS variables. PROG should have passed bpf_check; what the
 * pass needs for safety is checked here too (an opcode seccomp does not
 * accept anywhere in PROG, a scratch cell or load offset out of range, a
 * target past the end). Supports every opcode seccomp accepts (a division
 * by X == 0 returns 0, as in the kernel); RET A with more than 1024
 * possible values is refused as unsupported. Returns 0, or -1 with a
 * reason in WHY (unsupported, malformed, or out of BDD budget). OUT is to
 * be released with bpf_sym_sem_free either way. */
int bpf_sym_run(struct bdd_ctx *b, const struct sock_filter *prog, size_t len,
		struct bpf_sym_sem *out, char *why, size_t whylen);
void bpf_sym_sem_free(struct bpf_sym_sem *s);
/* The inputs on which the program returns VALUE (BDD_FALSE: never). */
bdd_t bpf_sym_sem_get(const struct bpf_sym_sem *s, uint32_t value);

#endif
