/* The layout pass: rebuilds the dispatch of a finished seccomp program.
 *
 * libseccomp decides what each syscall gets; this pass only changes how
 * fast a syscall reaches that decision. It specialises the program for
 * every class of (arch, nr) values the program cannot tell apart, shares
 * the identical residual code, and puts an optimal weighted comparison
 * tree in front of it (weights: a profile, or profile_prior()). See
 * docs/layout.md. */
#ifndef SYSFENCE_LAYOUT_H
#define SYSFENCE_LAYOUT_H

#include "base/arena.h"
#include "bpf/bpf.h"
#include "layout/profile.h"

/* Relays out PROG (LEN instructions, valid under bpf_check) with the NV
 * verdicts V added (none may be for an (arch, nr) PROG decides other than
 * by its default). Returns 0 and sets *OUT (in A) and *OUTLEN to the new
 * program, which behaves exactly like PROG plus V on every input (checked
 * at both ends of every class before returning). Returns 1, leaving *OUT
 * alone, when PROG is kept: it uses something the specialiser does not
 * model (scratch memory, X, ALU on arch/nr), the result would be too
 * large, or (without verdicts) it would not be faster under PROF's
 * weights. PROF NULL means profile_prior(). */
int layout_program(struct arena *a, const struct sock_filter *prog, size_t len,
		   const struct profile *prof, const struct bpf_verdict *v, size_t nv,
		   struct sock_filter **out, size_t *outlen);

/* The weighted mean number of instructions PROG executes on the syscalls
 * of PROF (NULL: the prior) for the arches in ARCH_MASK, with zero
 * arguments. Used to decide whether a layout pays, and by tests. */
double layout_cost(const struct sock_filter *prog, size_t len, const struct profile *prof,
		   unsigned arch_mask);

#endif
