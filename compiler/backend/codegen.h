/* sysfence's own code generator: the whole filter program of an analysed
 * policy, written without libseccomp.
 *
 * libseccomp 2.5.4 builds wrong filters for several ordered comparisons of
 * one 64-bit argument, hangs on some, and cannot compare the upper half of
 * x32's 64-bit registers at all. This generator compiles the exact value
 * sets the analysis computed (struct argset) straight to comparisons of
 * 32-bit words, ranges as direct jge/jgt/jeq on the high then the low
 * word. The backend uses it where libseccomp is risky or has refused, and
 * checks its output with the exact validator like any other program. */
#ifndef SYSFENCE_CODEGEN_H
#define SYSFENCE_CODEGEN_H

#include "analysis/policy.h"
#include "base/diag.h"

/* The filter of PB (after policy_analyse) in *INSNS (allocated in A) and
 * *LEN. Returns 0, or -1 when it would not fit the kernel's limit of
 * BPF_MAX_INSNS instructions, diagnosed to D (NULL: silently). */
int codegen_build(struct arena *a, const struct policy_build *pb, struct diag *d,
		  struct sock_filter **insns, size_t *len);

/* Does PB have conditions libseccomp 2.5.4 is known to get wrong or hang
 * on? On a 64-bit arch whose arguments libseccomp compares whole (x86_64,
 * aarch64), a syscall's rules are risky when, over all their
 * conjunctions, an argument wider than 32 bits is compared with an ordered
 * operator (<, <=, >, >=, masked or not), or more than once (an `in` of N
 * values counts N times, `not in` N + 1, a masked != twice: as many
 * libseccomp comparisons as the lowering would make). */
int codegen_preferred(const struct policy_build *pb);

#endif
