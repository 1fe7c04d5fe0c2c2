/* `sysfence generate`: a starting policy from what a traced program did.
 *
 * Stages, data flowing forward only:
 *   trace.c         the strace log -> struct trace (syscalls, counts, arguments)
 *   cover.c         the standard library's rulesets the trace covers
 *   generate.c      explicit rules for the rest (with argument conditions for
 *                   socket, socketpair, open, openat, clone and ioctl), the
 *                   policy text, and its check: compiled by the real
 *                   pipeline, every call of the trace must be allowed by
 *                   the reference evaluator
 *   cmd_generate.c  the command: options, running strace, output, JSON */
#ifndef SYSFENCE_GENERATE_H
#define SYSFENCE_GENERATE_H

#include "analysis/policy.h"
#include "tools/trace.h"

/* A standard-library ruleset, expanded for the trace's arch. */
struct gen_ruleset {
	const char *file;          /* import stem: "io" */
	const char *name;          /* "read" */
	struct ruleset *rs;
	struct ptrvec rules;       /* struct rule *, this arch's */
	size_t allowed;            /* distinct syscalls it allows here */
	size_t seen;               /* of those, how many the trace shows */
};

/* cover.c: loads every stdlib/NAME.policy (as `import "stdlib/X"` would find
 * it) and expands its rulesets for ARCH into CANDS. Returns 0, or -1 after
 * an error on D. */
int cover_load(struct arena *a, struct diag *d, int arch, struct ptrvec *cands);

/* cover.c: picks rulesets of CANDS into CHOSEN (greedy, most newly covered
 * syscalls first). A ruleset is taken only when the trace shows at least
 * MIN_COVER percent of the syscalls it allows, and the chosen ones must
 * not conflict and, together, allow every call of every syscall they
 * decide (a rule that reads an argument the log did not give does not
 * count as allowing; a call must get the answer its syscall's `expect`
 * says). The syscalls they decide get no explicit rule. */
void cover_choose(struct arena *a, const struct trace *t, struct ptrvec *cands, int min_cover,
		  struct ptrvec *chosen);

/* cover.c: 0 when the analysed policy PB has no rule for S on ARCH; 1
 * when it gives every call of S in the trace the answer S expects, judged
 * by the reference evaluator on the arguments the log gave (a rule that
 * reads another argument makes it -1); else -1. *OWN (unless NULL): a
 * rule of the policy itself, not of a used ruleset, decides S. */
int cover_answers(const struct policy_build *pb, int arch, const struct trace_sys *s, int *own);

/* Does ruleset R have a rule for S? */
int cover_decides(const struct gen_ruleset *r, const struct trace_sys *s);

/* An explicit rule of the generated policy. */
struct gen_rule {
	const struct trace_sys *sys;
	const char *syscall;       /* as the policy names it */
	const char *action;        /* "allow", or "errno(ENOSYS)" for clone3 */
	const char *cond;          /* NULL: unconditional */
	const char *note;          /* the comment after it */
	size_t count;              /* calls of the trace it allows */
};

struct gen_options {
	const char *name;          /* the policy's name */
	int min_cover;             /* see cover_choose */
	const char *source;        /* comment lines (without '#') on where the trace came from */
	const char *date;          /* "2026-11-29 04:50 UTC" */
};

struct generated {
	struct ptrvec chosen;      /* struct gen_ruleset * */
	struct ptrvec rules;       /* struct gen_rule * */
	char *text;                /* the policy, NUL-terminated */
};

/* generate.c: the policy for T. Returns 0, or -1 after an error on D.
 * When every clone3 call's flags are known, T gets clone calls for them:
 * the policy answers clone3 with ENOSYS, on which glibc makes the same
 * call with clone, whose flags a filter can check. */
int generate_policy(struct arena *a, struct diag *d, struct trace *t,
		    const struct gen_options *o, struct generated *out);

/* generate.c: the action, as a policy writes it, that gives the answer
 * a trace_sys expects: "allow", or "errno(ENOSYS)". */
const char *gen_action_text(uint32_t expect);

#endif
