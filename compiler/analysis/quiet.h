/* The @quiet annotations that silence warnings.
 *
 * Every warning has an id (printed as "... [id]"). A policy silences one
 * warning by writing @quiet(id, "reason") before the rule, `default`,
 * `use`, ruleset, policy or import it is about; an annotation on a
 * ruleset, policy or `use` also covers every rule inside or brought in
 * through it. The reason is required: silencing is a decision someone
 * must be able to read later. */
#ifndef SYSFENCE_QUIET_H
#define SYSFENCE_QUIET_H

#include "frontend/ast.h"
#include "frontend/lint_ids.h"

struct use_chain;

/* Room for the scope of a rule reached through a deep chain of `use`;
 * deeper chains lose their outermost annotations. */
#define QUIET_SCOPE_MAX 64

/* Fills OUT (NULL-terminated) with the annotation lists in force for
 * statement ST, reached through CHAIN (NULL: written in POLICY itself):
 * the statement's own, then each ruleset and `use` on the way out to the
 * policy's. */
void quiet_scope(struct quiet *out[QUIET_SCOPE_MAX], const struct ruleset *policy,
		 const struct stmt *st, const struct use_chain *chain);

/* Warns about every id of every annotation in F that silenced nothing:
 * stale silencing hides the next real problem. */
void quiet_report_unused(struct diag *d, const struct policy_file *f);

#endif
