/* Warning ids, and which @quiet annotations apply where. */
#include <string.h>

#include "policy.h"
#include "quiet.h"

const struct lint_id lint_ids[] = {
	{ "dangerous-grant", "a rule lets a dangerous syscall (or a dangerous use of one) run" },
	{ "default-allow", "a policy's default action lets every syscall it does not name run" },
	{ "shadowed-by-default", "a rule has the policy's default action and is dropped" },
	{ "never-holds", "a rule's condition holds for no arguments, so the rule has no effect" },
	{ "useless-override", "an 'override' replaces no rule that comes in through 'use'" },
	{ "use-of-policy", "'use' names a policy, whose 'default' and 'arch' it does not take" },
	{ "unused-ruleset", "a ruleset of the checked file is used by none of its policies" },
	{ "unused-import", "no ruleset of an import is used" },
	{ "unused-quiet", "a @quiet annotation silences nothing" },
	{ NULL, NULL },
};

int lint_id_check(struct diag *d, const char *name, struct loc at)
{
	struct suggest s;
	suggest_init(&s, name);
	for (const struct lint_id *l = lint_ids; l->id; l++) {
		if (strcmp(l->id, name) == 0)
			return 1;
		suggest_offer(&s, l->id);
	}
	const char *best = suggest_result(&s);
	if (best)
		diag_error(d, at, "unknown warning id '%s'; did you mean '%s'?", name, best);
	else
		diag_error(d, at, "unknown warning id '%s' (see 'Lints' in docs/lint.md)", name);
	return 0;
}

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
