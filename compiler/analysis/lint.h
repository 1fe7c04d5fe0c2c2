/* The lints of `sysfence check`: warnings about policies that compile but
 * are probably not what their author wants. Each has an id (quiet.h) and
 * can be silenced with @quiet. docs/lint.md lists them. */
#ifndef SYSFENCE_LINT_H
#define SYSFENCE_LINT_H

#include "analysis/policy.h"

/* dangerous-grant and default-allow for one expanded policy (or ruleset:
 * its default_action is then ~0u), after policy_analyse succeeded. */
void lint_policy(struct unit *u, const struct policy_build *pb);

/* The I-th syscall dangerous-grant knows (for tests), NULL after the last. */
const char *lint_dangerous_syscall(size_t i);

/* unused-ruleset and unused-import for the unit's root file, then
 * unused-quiet: call it last, when every other warning has been given. */
void lint_root_file(struct unit *u);

#endif
