/* The pipeline, in one place: load -> resolve -> pick the policy ->
 * expand -> analyse -> lint -> lower -> libseccomp (with the layout pass).
 * Every command that compiles runs it through pipeline_run() with options
 * saying how far to go; compilation_run() is the usual full run, for tests
 * and tools that need a filter in memory with the policy it came from. */
#ifndef SYSFENCE_COMPILATION_H
#define SYSFENCE_COMPILATION_H

#include "backend/backend.h"

/* How far pipeline_run goes. */
enum pipeline_stop {
	PIPELINE_RESOLVE,   /* loaded and resolved: unit only (doc) */
	PIPELINE_ANALYSE,   /* and the policy expanded and analysed: pb (compile -f oci) */
	PIPELINE_FILTER,    /* and lowered and built through libseccomp: low, filter */
};

struct pipeline_opts {
	const struct unit_options *unit;   /* -I, -D, -v, --profile; NULL: none */
	const char *policy;                /* -p; NULL: the file's only policy */
	unsigned arch_mask;                /* --arch; 0: each policy's own arches */
	enum pipeline_stop stop;
	/* Every policy and ruleset of the file, as check takes them (rulesets
	 * stop after analysis; POLICY is ignored); pb, low and filter are
	 * then not kept. */
	int whole_file;
	/* Lint what was analysed without errors (and, with whole_file, the
	 * file itself at the end). */
	int lint;
	int want_pfc;                      /* the filter's PFC text too (-f pfc) */
};

struct compilation {
	struct arena *arena;
	struct diag diag;                  /* compilation_run's own */
	struct unit_options opts;          /* what the unit was given */
	struct unit unit;
	struct ruleset *policy;
	struct policy_build pb;
	struct arch_lowering low[ARCH_COUNT];
	struct filter filter;
};

/* Runs FILE through the pipeline as O says, diagnostics to D (which may
 * be shared by several runs: check takes many files). C is overwritten;
 * release it with compilation_free() either way. Returns 0 when every
 * stage asked for succeeded (whole_file: when the file added no error). */
int pipeline_run(struct compilation *c, struct diag *d, const struct pipeline_opts *o,
		 const char *file);

/* The full pipeline for POLICY (NULL: the file's only policy) of FILE for
 * ARCH_MASK (0: the policy's own arches), with OPTS (NULL: no -I or -D).
 * Diagnostics go to DIAG_OUT through c->diag. Returns 0 when a filter was
 * built; C must be released with compilation_free() either way. */
int compilation_run(struct compilation *c, const struct unit_options *opts, const char *file,
		    const char *policy, unsigned arch_mask, FILE *diag_out);
void compilation_free(struct compilation *c);

/* The backend with the layout pass (unless opts->libseccomp_layout). */
int compilation_backend(struct unit *u, const struct policy_build *pb,
			const struct arch_lowering low[ARCH_COUNT], struct filter *out);

#endif
