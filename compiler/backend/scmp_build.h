/* Backend-private: the state of one backend build (struct scmp_build) and
 * what its files offer each other. Nothing outside compiler/backend/
 * includes this; the public API is backend/backend.h.
 *
 *   standins.c      which number libseccomp gets for a rule, stand-ins
 *   scmp_context.c  building and exporting libseccomp contexts
 *   masked.c        the masked-equality form of an arch's rules
 *   probes.c        probe points and checking programs against the policy
 *   child.c         running a build in a child process with a deadline
 *   codegen.c       sysfence's own code generator (public: codegen.h)
 *   backend.c       the orchestration: first try, careful way, retries */
#ifndef SYSFENCE_SCMP_BUILD_H
#define SYSFENCE_SCMP_BUILD_H

#include <seccomp.h>

#include "backend/backend.h"
#include "bpf/renumber.h"

/* A syscall libseccomp cannot take exactly on a non-native arch has its
 * rules added under a stand-in (see standins.c). */
#define STANDIN_MAX 128

struct standins {
	struct renumbering v[STANDIN_MAX];
	int host[STANDIN_MAX];      /* the stand-in's number for libseccomp */
	size_t n;
};

/* A point at which a program must give what the policy means. */
struct probe {
	uint32_t audit_arch, nr;
	uint64_t args[6];
	const struct rule *rule;    /* the rule whose chain it was made from */
};

struct probes {
	struct probe *v;
	size_t n, cap;
};

/* Unconditional rules, decided by the layout pass instead of libseccomp
 * on the first try (see backend.c). */
struct verdicts {
	struct bpf_verdict *v;
	size_t n, cap;
};

/* One backend build: what backend_build was given and what the build has
 * decided so far. A child process (child.c) works on its own copy. */
struct scmp_build {
	struct unit *u;
	const struct policy_build *pb;
	const struct arch_lowering *low;        /* [ARCH_COUNT] */
	const struct backend_relayout *rl;      /* NULL: keep libseccomp's program */
	int masked_first;   /* try the masked-equality form first: see backend_build */
	struct standins standins;
	struct probes probes;                   /* every program must pass these */
	struct verdicts verdicts;               /* rules left to the layout pass */
	/* What probes_faithful returns for a program the exact validator
	 * could not decide, and why (for probes_report). */
	struct probe undecided;
	char undecided_why[160];
};

/* ---- standins.c ---- */

/* Is LR one chain without comparisons (a rule that always matches)? */
int standins_unconditional(const struct lrule *lr);
/* Chooses the stand-ins every arch of B needs for the rules handed to
 * libseccomp: all, or with CONDITIONAL_ONLY the conditional ones. Returns
 * 0, or -1 after diagnosing a syscall no stand-in is left for. */
int standins_choose(struct scmp_build *b, int conditional_only);
/* The number to hand libseccomp for rule R on ARCH. */
int standins_number(const struct scmp_build *b, const struct rule *r, int arch);

/* ---- scmp_context.c ---- */

/* libseccomp's token for ARCH. */
uint32_t scmp_ctx_arch_token(int arch);
/* The name of R's syscall for messages on ARCH, in BUF (LEN bytes) when
 * it has none of its own. */
const char *scmp_ctx_rule_name(const struct rule *r, int arch, char *buf, size_t len);

/* Orders in which chains are handed to libseccomp; the first that yields
 * a faithful program wins. */
enum scmp_ctx_order { ORDER_SOURCE, ORDER_LONGEST_FIRST, ORDER_SHORTEST_FIRST, ORDER_REVERSE,
		      ORDER_COUNT };

struct scmp_ctx_item {
	const struct lrule *lr;
	const struct lchain *ch;
	size_t seq;
};

/* A context's worth of chains to add: the items and, by rule index in
 * LOW, the number to hand libseccomp for each rule. */
struct scmp_ctx_items {
	const struct arch_lowering *low;
	struct scmp_ctx_item *v;
	size_t n;
	int *nrs;
};

/* LOW's chains in source order. */
void scmp_ctx_items(struct scmp_build *b, const struct arch_lowering *low,
		    struct scmp_ctx_items *out);
/* Sorts ITEMS into ORDER. */
void scmp_ctx_sort(struct scmp_ctx_items *items, enum scmp_ctx_order order);
/* A fresh context holding ITEMS in their order. NULL with *FAILED set when
 * libseccomp refused (diagnosed). */
scmp_filter_ctx scmp_ctx_fill(struct scmp_build *b, const struct scmp_ctx_items *items,
			      int *failed);
/* CTX's program (PFC text when PFC) in the arena, *LEN bytes; NULL when
 * libseccomp could not export it. */
void *scmp_ctx_export(struct unit *u, scmp_filter_ctx ctx, int pfc, size_t *len);
/* Exports CTX and moves stand-ins into place. Returns 0 with the program
 * (NULL when it is too large to run), or -1. */
int scmp_ctx_export_program(struct scmp_build *b, scmp_filter_ctx ctx,
			    struct sock_filter **insns, size_t *len);

/* ---- masked.c ---- */

/* LOW with every ordered or != comparison written as masked equalities,
 * or NULL when that would take too many chains. */
struct arch_lowering *masked_form(struct unit *u, const struct arch_lowering *low);

/* ---- probes.c ---- */

void probes_add(struct unit *u, struct probes *ps, const struct probe *p);
/* Appends FROM's probes to PS. */
void probes_append(struct unit *u, struct probes *ps, const struct probes *from);
/* A stand-in's own number must get the policy's default. */
void probes_add_standins(const struct scmp_build *b, struct probes *ps);
/* Points inside each of LOW's chains and just outside each comparison. */
void probes_make(struct unit *u, const struct arch_lowering *low, struct probes *ps);
/* The first probe of PS the program gets wrong (what it gave in *GOT), or
 * NULL. */
const struct probe *probes_check(const struct policy_build *pb, const struct sock_filter *insns,
				 size_t len, const struct probes *ps, uint32_t *got);
/* Is the program faithful to the policy on the arches in ARCH_MASK? The
 * probes of PS first (fast, and they hold every counterexample found so
 * far), then the exact validator (analysis/validate.h), which decides it
 * for every input. Returns NULL when it is; else the probe it gets wrong
 * (what it gave in *GOT): a counterexample of the validator becomes a
 * probe of B, so that later programs are tried on it first; or
 * &B->undecided when the validator could not decide. */
const struct probe *probes_faithful(struct scmp_build *b, const struct sock_filter *insns,
				    size_t len, const struct probes *ps, unsigned arch_mask,
				    uint32_t *got);
/* Diagnoses that libseccomp's program for ARCH got probe P wrong. */
void probes_report(const struct scmp_build *b, int arch, const struct probe *p, uint32_t got);

/* ---- child.c ---- */

/* What an attempt printed, kept back: its diagnostics as text, and how
 * many errors and warnings they hold. */
struct child_report {
	char *text;
	size_t len;
	unsigned errors, warnings;
};

/* One attempt in a child with a deadline of SECONDS. Returns 0 (built),
 * 1 (refused, the reasons in REP) or -1 (did not finish in time). Nothing
 * is printed: REP holds the attempt's diagnostics either way. */
int child_attempt(struct scmp_build *b, struct filter *out, int seconds, struct child_report *rep);
/* Prints REP's diagnostics and counts them in U's diag. */
void child_report_print(struct unit *u, const struct child_report *rep);

/* ---- backend.c ---- */

/* The whole build of B in this process. Returns 0, or -1 (diagnosed). */
int backend_build_here(struct scmp_build *b, struct filter *out);

#endif
