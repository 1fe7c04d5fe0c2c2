/* The table of warning ids: the parser checks @quiet against it, and
 * docs/lint.md and the tests list it. */
#include <string.h>

#include "frontend/lint_ids.h"

const struct diag_rule lint_ids[] = {
	{ "dangerous-grant", "a rule lets a dangerous syscall (or a dangerous use of one) run" },
	{ "default-allow", "a policy's default action lets every syscall it does not name run" },
	{ "width-depends", "a rule that refuses a call compares an argument whose width depends on another argument" },
	{ "shadowed-by-default", "a rule has the policy's default action and is dropped" },
	{ "never-holds", "a rule's condition holds for no arguments, so the rule has no effect" },
	{ "useless-override", "an 'override' replaces no rule that comes in through 'use'" },
	{ "use-of-policy", "'use' names a policy, whose 'default' and 'arch' it does not take" },
	{ "unused-ruleset", "a ruleset of the checked file is used by none of its policies" },
	{ "unused-import", "no ruleset of an import is used" },
	{ "unused-quiet", "a @quiet annotation silences nothing" },
	{ "empty-file", "a checked file defines no policy and no ruleset" },
	{ NULL, NULL },
};

int lint_id_check(struct diag *d, const char *name, struct loc at)
{
	struct suggest s;
	suggest_init(&s, name);
	for (const struct diag_rule *l = lint_ids; l->id; l++) {
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
