/* `sysfence diff`: the semantic difference between two filters, each a
 * policy source or a raw .bpf.
 *
 * Meaning is compared per (arch, syscall) by evaluating both sides on
 * argument vectors: a source through the reference evaluator
 * (policy_eval_rule, which also names the deciding rule), a .bpf through
 * the BPF interpreter. For two sources the vectors come from the cells of
 * the constants they compare each argument with (diff_cands.c); with a
 * .bpf side, from the exact engine (diff_exact.c, on analysis/validate.h),
 * or a search where it gives up. Every reported change is a vector on
 * which the two sides were evaluated and disagree.
 *
 * Files: diff_side.c (opening and evaluating one side), diff_cands.c
 * (candidate values), diff_cells.c (their exact part for sources),
 * diff_exact.c (the engine for .bpf sides), diff.c (comparison and classification),
 * cmd_diff.c (the command: options, text and JSON output, exit status). */
#ifndef SYSFENCE_DIFF_H
#define SYSFENCE_DIFF_H

#include "driver/compilation.h"

struct diff_request {
	const struct unit_options *opts;
	const char *old_file, *new_file;
	const char *policy;        /* -p, for every side that is a source */
	unsigned arch_mask;        /* --arch: compare only these (0: all the sides target) */
	int json;
};

/* The command. Exit status: 0 when NEW allows nothing OLD did not, 1 when
 * it does, 2 when the two could not be compared (bad input, with its
 * diagnostic, or bad usage). */
int diff_cmd(const struct diff_request *req);

/* ---- one side (diff_side.c) ---- */

struct diff_side {
	const char *file;
	int is_bpf;
	int compiled;                /* c holds a compilation to free */
	struct compilation c;        /* a source */
	struct sock_filter *insns;   /* a .bpf */
	size_t len;
	unsigned arch_mask;          /* the arches it targets */
};

/* Returns 0, or -1 after printing why FILE cannot be compared. */
int diff_side_open(struct diff_side *s, const struct diff_request *req, const char *file);
void diff_side_close(struct diff_side *s);
/* The action for syscall NR of ARCH with ARGS, and (sources only; else
 * NULL) the rule that decided, NULL for the default action. */
uint32_t diff_side_eval(const struct diff_side *s, int arch, uint32_t nr, const uint64_t args[6],
			const struct rule **decided);

/* ---- candidate argument values (diff_cands.c) ---- */

#define DIFF_VALUES_MAX 256

struct diff_values {
	uint64_t v[DIFF_VALUES_MAX];
	size_t n;
	int compared;                /* some side's decision reads this argument */
};

struct atoms;

struct diff_cands {
	struct diff_values arg[6];
	struct atoms *atoms;         /* the sources' comparisons, until _finish */
	int inexact;                 /* the values may miss a case even for sources:
	                              * too many atoms or cells, or a .bpf that
	                              * computes on arguments */
};

void diff_cands_init(struct diff_cands *dc);
/* Adds what SIDE compares the arguments of NR on ARCH with. */
void diff_cands_add(struct diff_cands *dc, const struct diff_side *side, int arch, uint32_t nr);
/* Turns what was added into values that tell apart every behaviour of
 * the sides added. */
void diff_cands_finish(struct diff_cands *dc);

/* The syscall numbers a .bpf SIDE compares seccomp_data.nr with on
 * ARCH (and their successors), up to MAX into OUT; returns how many. */
size_t diff_bpf_syscalls(const struct diff_side *side, int arch, uint32_t *out, size_t max);

/* diff_cells.c: one member of every class of values on which each of the
 * N ATOMS (all on one argument) has a fixed truth value, into OUT; returns
 * how many, or 0 when there are more than MAX (or too many atoms). */
size_t atom_cells(const struct atom *const *atoms, size_t n, uint64_t *out, size_t max);

/* ---- the exact engine for a .bpf side (diff_exact.c) ---- */

/* One input of a syscall and how each side decides it. */
struct diff_vector {
	uint64_t args[6];
	uint32_t action[2];          /* OLD's, NEW's */
	const struct rule *rule[2];  /* the deciding rules (sources only) */
};

struct diff_vectors {
	struct diff_vector *v;
	size_t n, cap;
	unsigned compared;           /* bit per argument some side's decision reads */
};

struct diff_exact;

/* The engine for OLD and NEW, or NULL when both are sources (the cells
 * are exact there). When it cannot work at all (a program it cannot run
 * symbolically), every syscall falls back; diff_exact_why says why. */
struct diff_exact *diff_exact_new(const struct diff_side *old, const struct diff_side *new);
void diff_exact_free(struct diff_exact *dx);
/* Why the engine gave up (the first reason), or NULL. */
const char *diff_exact_why(const struct diff_exact *dx);
/* One vector in each class of inputs of NR on ARCH on which both sides
 * decide one way (per action and deciding rule): together they show
 * every behaviour of both, and so every difference. Returns 0, or -1
 * when the engine cannot decide this syscall (diff_exact_why). OUT is
 * appended to; free its v. */
int diff_exact_vectors(struct diff_exact *dx, int arch, uint32_t nr, struct diff_vectors *out);
/* A syscall number of ARCH outside LISTED[0..N) on which the sides
 * differ for some input: 1 and *NR, 0 when there is none (the numbers
 * compared cover every difference), -1 when it cannot tell. */
int diff_exact_other_nr(struct diff_exact *dx, int arch, const uint32_t *listed, size_t n, uint32_t *nr);
/* Records that a vector did not reproduce: the engine is not trusted any
 * more (every later syscall falls back). */
void diff_exact_distrust(struct diff_exact *dx, const char *why);

/* ---- comparison (diff.c) ---- */

enum diff_kind {
	DIFF_NEWLY_ALLOWED,   /* OLD allows no vector, NEW allows some */
	DIFF_WIDENED,         /* NEW allows a vector OLD did not; both allow some */
	DIFF_NEWLY_DENIED,
	DIFF_NARROWED,
	DIFF_ACTION_CHANGED,  /* both deny (or both allow), differently */
};

struct diff_change {
	int arch;
	uint32_t nr;
	enum diff_kind kind;
	uint64_t args[6];            /* the witness */
	unsigned shown;              /* bit per argument worth naming */
	uint32_t old_action, new_action;
	const struct rule *old_rule, *new_rule;
	int uniform;                 /* both sides ignore the arguments of this syscall */
};

struct diff_sampled {
	int arch;
	uint32_t nr;
};

struct diff_result {
	struct diff_change *v;
	size_t n, cap;
	struct diff_sampled *sampled;   /* syscalls compared on a sample only */
	size_t nsampled, capsampled;
	size_t vectors;                 /* argument vectors evaluated */
	size_t syscalls;                /* (arch, syscall) pairs compared */
	unsigned arch_mask;             /* the arches compared */
	int widens;                     /* NEW allows something OLD did not */
	size_t unlisted;                /* vectors showing changes past the
	                                 * per-syscall limit, not listed */
	int numbers_open;               /* a .bpf side: syscall numbers outside
	                                 * those compared may differ */
	char inexact_why[160];          /* a .bpf side: why the exact engine did not
	                                 * decide the sampled syscalls ("" when it did) */
};

/* Does the syscall run under ACTION? allow and log do; so do trace and
 * user_notif, whose tracer or supervisor may let it run: for review,
 * "may run" counts as allowed. */
int diff_allows(uint32_t action);
const char *diff_kind_name(enum diff_kind k);

/* Compares OLD and NEW on the arches of ARCH_MASK (0: every arch either
 * targets). OUT is freed with diff_result_free. */
void diff_compare(const struct diff_side *old, const struct diff_side *new, unsigned arch_mask,
		  struct diff_result *out);
void diff_result_free(struct diff_result *r);

#endif
