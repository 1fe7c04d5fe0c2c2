/* Warning ids. Every warning has an id (printed as "... [id]"), which
 * @quiet(id, "reason") names to silence it (see analysis/quiet.h). */
#ifndef SYSFENCE_LINT_IDS_H
#define SYSFENCE_LINT_IDS_H

#include "frontend/ast.h"

struct lint_id {
	const char *id;
	const char *summary;   /* one line, for docs and tests */
};

/* Every warning id, ending with { NULL, NULL }. */
extern const struct lint_id lint_ids[];

/* Is NAME a warning id? If not, reports it at AT (with the closest id)
 * and returns 0. */
int lint_id_check(struct diag *d, const char *name, struct loc at);

#endif
