/* The exact validator: decides whether a seccomp program returns what a
 * policy means for every input, and two programs the same as each other.
 *
 * Both sides become BDDs over the bits of struct seccomp_data (see
 * bpf/sym.h): the program by symbolic execution, the policy by building
 * the sets of refeval.c's policy_eval (the reference semantics) directly:
 * the arch word, the x32 split of AUDIT_ARCH_X86_64 numbers, nr -1, every
 * rule's condition with its atoms' widths and masks, KILL_PROCESS for
 * arches the policy does not target. This is a decision, not a sample:
 * every arch word, every number and every argument vector is covered.
 *
 * The input domain is what the kernel presents: an i386 task's arguments
 * and instruction pointer are zero-extended, so for AUDIT_ARCH_I386 the
 * upper halves are 0 (validate_opts.any_upper_half lifts that).
 *
 * Every counterexample is run again through bpf_run and policy_eval
 * before it is reported; one that does not reproduce is an internal
 * error (return -1), never a mismatch. */
#ifndef SYSFENCE_VALIDATE_H
#define SYSFENCE_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/policy.h"

struct validate_cex {
	uint32_t arch, nr;               /* seccomp_data.arch, .nr */
	uint64_t args[6];
	uint64_t instruction_pointer;
	uint32_t expected;               /* the policy's action (or program A's) */
	uint32_t actual;                 /* what the program (program B) returns */
};

struct validate_opts {
	size_t node_budget;              /* BDD nodes; 0: the default (4 million) */
	int any_upper_half;              /* also i386 inputs the kernel never passes */
	/* validate_filter: compare only the inputs of these of the policy's
	 * arches (bit per enum arch_id, x32 and x86_64 split by number as the
	 * policy splits them); 0: every input. For a program built for some
	 * arches of a policy only. */
	unsigned arch_mask;
};

/* Compares INSNS with what PB means. Returns 0 when they agree on every
 * input, 1 when they do not (CEX filled, when not NULL), -1 when it could
 * not decide (invalid program, unsupported opcode, out of budget, or an
 * internal error), with a reason in WHY. OPTS may be NULL. */
int validate_filter(const struct policy_build *pb, const struct sock_filter *insns,
		    size_t len, struct validate_cex *cex, char *why, size_t whylen);
int validate_filter_opts(const struct policy_build *pb, const struct sock_filter *insns,
			 size_t len, const struct validate_opts *opts,
			 struct validate_cex *cex, char *why, size_t whylen);

/* The same for two programs: expected is what A returns, actual B. */
int validate_programs(const struct sock_filter *a, size_t alen,
		      const struct sock_filter *b, size_t blen,
		      struct validate_cex *cex, char *why, size_t whylen);
int validate_programs_opts(const struct sock_filter *a, size_t alen,
			   const struct sock_filter *b, size_t blen,
			   const struct validate_opts *opts,
			   struct validate_cex *cex, char *why, size_t whylen);

/* The seccomp_data a counterexample stands for. */
void validate_cex_data(const struct validate_cex *cex, struct seccomp_data *d);

#endif
