/* Which @quiet annotations apply where, and which silenced nothing. */
#include "analysis/policy.h"
#include "analysis/quiet.h"

void quiet_scope(struct quiet *out[QUIET_SCOPE_MAX], const struct ruleset *policy,
		 const struct stmt *st, const struct use_chain *chain)
{
	size_t n = 0;
#define PUSH(list) do { if ((list) && n + 1 < QUIET_SCOPE_MAX) out[n++] = (list); } while (0)
	PUSH(st->quiet);
	for (const struct use_chain *c = chain; c; c = c->outer) {
		PUSH(c->ref->target->quiet);   /* the ruleset the rule (or inner use) is in */
		PUSH(c->ref->stmt->quiet);     /* the `use` that brought it in */
	}
	PUSH(policy->quiet);
#undef PUSH
	out[n] = NULL;
}

static void unused_in(struct diag *d, const struct quiet *q)
{
	for (; q; q = q->next)
		if (!q->used)
			diag_warning_id(d, NULL, q->loc, "unused-quiet",
					"@quiet(%s) silences nothing here; remove it", q->id);
}

void quiet_report_unused(struct diag *d, const struct policy_file *f)
{
	for (size_t i = 0; i < f->imports.n; i++)
		unused_in(d, ((const struct import *)f->imports.v[i])->quiet);
	for (size_t i = 0; i < f->rulesets.n; i++) {
		const struct ruleset *rs = f->rulesets.v[i];
		unused_in(d, rs->quiet);
		for (size_t j = 0; j < rs->stmts.n; j++)
			unused_in(d, ((const struct stmt *)rs->stmts.v[j])->quiet);
	}
}
