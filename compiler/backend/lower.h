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

/* Why a rule could not be lowered for libseccomp: sysfence's own code
 * generator (codegen.h) may still compile it, so policy_lower leaves the
 * rule out and notes the first one here; lower_report diagnoses it when
 * libseccomp must build the filter after all. */
enum lower_limit { LOWER_OK, LOWER_UPPER_HALF, LOWER_TOO_MANY };

struct arch_lowering {
	int arch;
	struct lrule *rules;
	size_t n;
	enum lower_limit unlowered;
	const struct rule *unlowered_rule;
	int unlowered_arg;
};

/* The most chains one rule may lower to; beyond it the filter would not
 * fit the kernel's limit anyway. */
#define LOWER_CHAIN_LIMIT 1024

/* Lowers every rule of PB that is not dropped; returns 0. A rule it
 * cannot lower is left out and noted (see enum lower_limit). */
int policy_lower(struct unit *u, const struct policy_build *pb,
		 struct arch_lowering out[ARCH_COUNT]);
/* Did policy_lower leave a rule out on an arch of PB (see lower_limit)? */
int lower_incomplete(const struct policy_build *pb, const struct arch_lowering low[ARCH_COUNT]);
/* Diagnoses every rule policy_lower left out; returns -1 when there was one. */
int lower_report(struct unit *u, const struct policy_build *pb,
		 const struct arch_lowering low[ARCH_COUNT]);

/* How many bits of an argument libseccomp compares on ARCH (32 on x86 and
 * x32, whatever the register width). */
unsigned scmp_cmp_bits(int arch);

#endif
