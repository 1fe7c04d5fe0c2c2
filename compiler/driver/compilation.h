/* The whole pipeline in one call: parse -> resolve -> analyse -> lower ->
 * libseccomp. Used by the CLI and by tests that need a filter in memory
 * together with the expanded policy it came from. */
#ifndef SYSFENCE_COMPILATION_H
#define SYSFENCE_COMPILATION_H

#include "backend/backend.h"

struct compilation {
	struct arena *arena;
	struct diag diag;
	struct unit unit;
	struct ruleset *policy;
	struct policy_build pb;
	struct arch_lowering low[ARCH_COUNT];
	struct filter filter;
};

/* Compiles POLICY (NULL: the file's only policy) of FILE for ARCH_MASK (0:
 * the policy's own arches), with OPTS (NULL: no -I or -D). Diagnostics go to DIAG_OUT. Returns 0 when a
 * filter was built; C must be released with compilation_free() either way. */
int compilation_run(struct compilation *c, const struct unit_options *opts, const char *file,
		    const char *policy, unsigned arch_mask, FILE *diag_out);
void compilation_free(struct compilation *c);

/* The backend with the layout pass (unless opts->libseccomp_layout). */
int compilation_backend(struct unit *u, const struct policy_build *pb,
			const struct arch_lowering low[ARCH_COUNT], struct filter *out);


#endif
