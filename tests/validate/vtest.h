/* Helpers the validator's tests share: listing policy files, compiling
 * one in a child process with a deadline, re-checking and printing
 * counterexamples. */
#ifndef SYSFENCE_VTEST_H
#define SYSFENCE_VTEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "driver/compilation.h"
#include "analysis/validate.h"

/* The *.policy files of DIR, sorted, as "DIR/NAME" strings (malloc'd);
 * returns how many, or exits when DIR cannot be read. */
size_t vt_list(const char *dir, char ***out);
void vt_free_list(char **v, size_t n);

/* The names of the policies PATH defines (lines "policy NAME {"), at most
 * VT_MAX_POLICIES, malloc'd into NAMES; returns how many. */
#define VT_MAX_POLICIES 16
size_t vt_policy_names(const char *path, char **names);

/* Does the counterexample reproduce: bpf_run on INSNS gives ACTUAL,
 * policy_eval on PB gives EXPECTED, and they differ? */
int vt_recheck(const struct policy_build *pb, const struct sock_filter *insns, size_t len,
	       const struct validate_cex *cex);
/* The same for two programs. */
int vt_recheck2(const struct sock_filter *a, size_t alen, const struct sock_filter *b,
		size_t blen, const struct validate_cex *cex);

void vt_print_cex(FILE *out, const char *prefix, const struct validate_cex *cex);
double vt_now_ms(void);

/* Runs FN(ARG) in a child process that SECONDS bounds; returns its exit
 * status, or -1 when it crashed or ran out of time. */
int vt_isolated(int (*fn)(void *), void *arg, unsigned seconds);

#endif
