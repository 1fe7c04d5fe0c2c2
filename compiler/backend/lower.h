/* Lowering: each rule's condition becomes a set of comparison chains of
 * the kind libseccomp accepts (one comparison per argument per chain; the
 * rule matches when any chain matches). Nothing here calls libseccomp: the
 * backend maps these one to one. */
#ifndef SYSFENCE_LOWER_H
#define SYSFENCE_LOWER_H

#include "analysis/policy.h"

enum lcmp_op { LC_EQ, LC_NE, LC_LT, LC_LE, LC_GT, LC_GE, LC_MASKED_EQ };

struct lcmp {
	int arg;
	enum lcmp_op op;
	uint64_t a;         /* the value; the mask for LC_MASKED_EQ */
	uint64_t b;         /* the value for LC_MASKED_EQ */
};

struct lchain {
	struct lcmp c[6];
	int n;              /* 0: matches always */
};

struct lrule {
	const struct rule *rule;
	struct lchain *chains;
	size_t nchains;
};

struct arch_lowering {
	int arch;
	struct lrule *rules;
	size_t n;
};

/* The most chains one rule may lower to; beyond it the filter would not
 * fit the kernel's limit anyway. */
#define LOWER_CHAIN_LIMIT 1024

int policy_lower(struct unit *u, const struct policy_build *pb,
		 struct arch_lowering out[ARCH_COUNT]);

/* How many bits of an argument libseccomp compares on ARCH (32 on x86 and
 * x32, whatever the register width). */
unsigned scmp_cmp_bits(int arch);

#endif
