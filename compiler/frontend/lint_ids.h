/* Warning ids. Every warning has an id (printed as "... [id]"), which
 * @quiet(id, "reason") names to silence it (see analysis/quiet.h). */
#ifndef SYSFENCE_LINT_IDS_H
#define SYSFENCE_LINT_IDS_H

#include "frontend/ast.h"

/* Every warning id with its one-line summary (for docs, tests and the
 * rules of a SARIF run), ending with { NULL, NULL }. */
extern const struct diag_rule lint_ids[];

/* Is NAME a warning id? If not, reports it at AT (with the closest id)
 * and returns 0. */
int lint_id_check(struct diag *d, const char *name, struct loc at);

#endif
