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
#include "base/bdd.h"
#include "bpf/sym.h"

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

/* ---- one syscall at a time (for `sysfence diff`) ----
 *
 * The same semantics, split per (arch word, syscall number) and per
 * deciding rule, so that a caller can find every way two sides disagree
 * on a syscall, not just one. A space is one BDD context (with the kernel
 * input domain of its options) shared by the sides compared in it. */

struct validate_space;

/* The inputs of one syscall on which a side decides one way. */
struct validate_class {
	uint32_t action;
	const struct rule *rule;     /* a policy's deciding rule; NULL for its default
	                              * action, an arch it does not target, or a program */
	bdd_t when;                  /* never empty */
};

struct validate_classes {
	struct validate_class *v;
	size_t n, cap;
};

/* OPTS may be NULL. */
struct validate_space *validate_space_new(const struct validate_opts *opts);
void validate_space_free(struct validate_space *vs);
struct bdd_ctx *validate_space_bdd(struct validate_space *vs);

/* The semantics of program INSNS in VS (checked with bpf_check first):
 * 0, or -1 with a reason in WHY (invalid, unsupported RET A, out of
 * budget). OUT is released with bpf_sym_sem_free either way. */
int validate_space_program(struct validate_space *vs, const struct sock_filter *insns, size_t len,
			   struct bpf_sym_sem *out, char *why, size_t whylen);

/* The semantics of policy PB in VS, as validate_filter builds it: 0, or
 * -1 (out of budget) with WHY. OUT is released with bpf_sym_sem_free. */
int validate_space_policy(struct validate_space *vs, const struct policy_build *pb, struct bpf_sym_sem *out,
			  char *why, size_t whylen);

/* The inputs on which semantics X and Y return different values. */
bdd_t validate_differ(struct validate_space *vs, const struct bpf_sym_sem *x, const struct bpf_sym_sem *y);

/* A syscall number of ARCH (its AUDIT_ARCH, and for x86_64 and x32 their
 * split of the numbers) not in SKIP[0..NSKIP) with an input in DIFFER
 * the kernel can present: 1 and *NR, 0 when there is none, -1 (out of
 * budget) with WHY. */
int validate_other_nr(struct validate_space *vs, bdd_t differ, int arch, const uint32_t *skip, size_t nskip,
		      uint32_t *nr, char *why, size_t whylen);

/* The inputs of syscall NR under AUDIT_ARCH that the kernel can present
 * (every argument vector and instruction pointer), split by how a side
 * decides them: a program with semantics SEM, or policy PB (per deciding
 * rule, as policy_eval_rule names it). Empty classes are left out; the
 * classes partition the syscall's inputs. OUT is appended to (start it
 * zeroed). Returns 0, or -1 (out of budget) with a reason in WHY. */
int validate_classes_program(struct validate_space *vs, const struct bpf_sym_sem *sem, uint32_t audit_arch,
			     uint32_t nr, struct validate_classes *out, char *why, size_t whylen);
int validate_classes_policy(struct validate_space *vs, const struct policy_build *pb, uint32_t audit_arch,
			    uint32_t nr, struct validate_classes *out, char *why, size_t whylen);
void validate_classes_free(struct validate_classes *c);

/* One input in F, with instruction pointer 0 when F has one: 1 and *D,
 * 0 when F is empty, -1 when the space is out of budget. */
int validate_pick(struct validate_space *vs, bdd_t f, struct seccomp_data *d);

/* Bit i set when some class of C depends on argument i (bits the kernel
 * domain fixes, an i386 upper half, do not count). */
unsigned validate_args_read(struct validate_space *vs, uint32_t audit_arch, const struct validate_classes *c);

#endif
