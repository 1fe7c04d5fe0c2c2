/* A policy expanded for one arch: every `use` followed, every expression
 * evaluated with that arch's constants, every syscall turned into that
 * arch's number. This is what analysis checks and lowering compiles. */
#ifndef SYSFENCE_POLICY_H
#define SYSFENCE_POLICY_H

#include <stdint.h>

#include "base/arch.h"
#include "bpf/bpf.h"
#include "analysis/cond.h"
#include "frontend/unit.h"

/* How a rule reached the policy: the `use` statements from the policy
 * (outermost) down to the ruleset that holds the rule. */
struct use_chain {
	const struct name_ref *ref;
	const struct use_chain *outer;
};

struct rule {
	const struct stmt *stmt;
	const struct syscall_ref *sys;
	const struct use_chain *chain;   /* NULL: written in the policy itself */
	int nr;                          /* this arch's number */
	uint32_t action;                 /* SECCOMP_RET_* with data */
	struct ncond *cond;              /* NULL: unconditional */
	/* filled by analysis */
	int dropped;
	int conflicted;                  /* overlaps a rule of another action */
	struct dnf dnf;
	struct argset (*sets)[6];        /* per conjunction of dnf, per argument */
};

struct arch_policy {
	int arch;
	struct ptrvec rules;             /* struct rule *, in source order */
	/* The rules that are not dropped, by number (then source order):
	 * set by the analysis so the reference evaluator need not scan
	 * every rule for every syscall. NULL before it. */
	struct rule **by_nr;
	size_t nby_nr;
};

struct policy_build {
	const struct ruleset *policy;
	uint32_t default_action;
	struct loc default_loc;
	unsigned arch_mask;              /* bit per enum arch_id */
	struct arch_policy per_arch[ARCH_COUNT];
};

/* expand.c: ARCH_MASK overrides the policy's own `arch` list when non-zero.
 * Returns 0, or -1 after diagnosing errors. */
int policy_expand(struct unit *u, struct ruleset *policy, unsigned arch_mask,
		  struct policy_build *out);

/* expand.c: the value of E (resolved: unit_resolve_expr) on ARCH, computed
 * as the values of rules are, with the same errors. Returns 0, or -1 after
 * diagnosing. */
int policy_eval_expr(struct unit *u, int arch, const struct expr *e, uint64_t *out);

/* The printable name of a rule's argument ARG: the man-page spelling when
 * the signature is known, else argN. */
const char *rule_arg_name(const struct rule *r, int arch, int reg);
/* The same for register REG of syscall D (NULL: unknown) on ARCH. */
const char *syscall_reg_name(const struct syscall_desc *d, int arch, int reg);
/* The register that parameter PARAM of syscall D takes on ARCH: later on
 * 32-bit arches, where each 64-bit value before it takes two. */
int syscall_param_reg(const struct syscall_desc *d, int arch, int param);

/* analyse.c: notes naming each `use` that brought a rule in, outermost first. */
void policy_note_chain(struct diag *d, const struct use_chain *c);

/* analyse.c: conflict analysis; drops duplicates and default-action rules.
 * Returns 0, or -1 after diagnosing errors. */
int policy_analyse(struct unit *u, struct policy_build *pb);

/* refeval.c: the reference semantics of a compiled policy, the action it
 * means for one syscall, computed from the rules and not from the BPF. */
uint32_t policy_eval(const struct policy_build *pb, uint32_t audit_arch, uint32_t nr,
		     const uint64_t args[6]);
/* The same, also naming the rule that decided (NULL: the default action,
 * or an arch the policy does not target). */
uint32_t policy_eval_rule(const struct policy_build *pb, uint32_t audit_arch, uint32_t nr,
			  const uint64_t args[6], const struct rule **decided);
/* Indexes each arch's remaining rules by number (see by_nr). */
void policy_index(struct arena *a, struct policy_build *pb);
/* Our arch for a seccomp_data arch and nr, or -1. */
int policy_arch_of(uint32_t audit_arch, uint32_t nr);

/* resolve.c */
int syscall_arg_index(const struct syscall_desc *s, const char *name);

#endif
