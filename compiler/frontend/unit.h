/* A compilation unit: one root policy file and everything it imports,
 * with the options that steer how names are found. Each stage takes the
 * unit and adds its own results; none reaches back into an earlier one. */
#ifndef SYSFENCE_UNIT_H
#define SYSFENCE_UNIT_H

#include "base/arena.h"
#include "frontend/ast.h"
#include "base/diag.h"

struct define {
	const char *name;
	const char *value;        /* as given on the command line */
};

struct unit_options {
	const char **include_dirs;   /* -I, in order */
	size_t ninclude;
	struct define *defines;      /* -D */
	size_t ndefines;
	int verbose;                 /* -v: say what is skipped on which arch */
	const struct profile *profile;  /* --profile: weights for layout.c; NULL: its prior */
	int libseccomp_layout;       /* keep libseccomp's own program (no layout pass) */
	int want_pfc;                /* the filter's PFC text is wanted (-f pfc) */
};

struct unit {
	struct arena *arena;
	struct diag *diag;
	const struct unit_options *opts;
	struct ptrvec files;         /* struct policy_file *, in load order */
	struct policy_file *root;
	int uses_marked;             /* lint: used_by_policy is set on every ruleset */
};

/* load.c: reads ROOT and, transitively, every file it imports. Returns 0,
 * or -1 when the root itself could not be read (other errors are only
 * diagnosed). */
int unit_load(struct unit *u, const char *root);

/* The directories searched for imports after -I: the installed standard
 * library, then the source tree's (so an uninstalled build finds it). */
const char *const *stdlib_dirs(void);

/* resolve.c: binds every name in every loaded file (imports, consts, uses,
 * syscalls, arguments, arches) and checks for `use` cycles. */
void unit_resolve(struct unit *u);
/* resolve.c: binds the names of E, an expression written outside the
 * policy (a command-line value), as if it stood in F: F's consts, else the
 * constant table (F NULL: the table only). Returns 0, or -1 after
 * diagnosing an unknown name. */
int unit_resolve_expr(struct unit *u, struct policy_file *f, struct expr *e);

#endif
