/* The one pipeline driver: every command that compiles (check, compile,
 * doc, diff, sim, generate's self-check) sequences the stages here, so
 * that they cannot drift apart. */
#include <string.h>

#include "analysis/lint.h"
#include "analysis/validate.h"
#include "driver/compilation.h"
#include "layout/layout.h"

static struct ruleset *pick_policy(struct unit *u, const char *name)
{
	struct ruleset *found = NULL;
	int count = 0;
	for (size_t i = 0; i < u->root->rulesets.n; i++) {
		struct ruleset *rs = u->root->rulesets.v[i];
		if (!rs->is_policy || (name && strcmp(rs->name, name) != 0))
			continue;
		found = rs;
		count++;
	}
	if (name && !found)
		diag_error(u->diag, (struct loc){ 0 }, "no policy named '%s' in '%s'", name, u->root->path);
	else if (!found)
		diag_error(u->diag, (struct loc){ 0 }, "'%s' defines no policy to compile", u->root->path);
	else if (count > 1) {
		diag_error(u->diag, (struct loc){ 0 }, "'%s' defines %d policies; choose one with -p",
			   u->root->path, count);
		found = NULL;
	}
	return found;
}

/* The layout pass, as the backend calls it (it cannot name a later layer). */
static int run_layout(void *ctx, struct arena *a, const struct sock_filter *prog, size_t len,
		      const struct bpf_verdict *v, size_t nv, struct sock_filter **out,
		      size_t *outlen)
{
	const struct unit_options *opts = ctx;
	return layout_program(a, prog, len, opts->profile, v, nv, out, outlen);
}

/* The promise of every filter sysfence writes, kept in one place: the
 * exact validator has decided that it means what the policy says. The
 * backend validates every candidate it chooses between, so this never
 * fails unless the backend is wrong; then nothing is written. */
static int validated(struct unit *u, const struct policy_build *pb, const struct filter *f)
{
	struct validate_cex cex;
	char why[160] = "", want[32], got[32];
	int rc = validate_filter(pb, f->insns, f->len, &cex, why, sizeof(why));
	if (rc == 0)
		return 0;
	if (rc < 0)
		diag_error(u->diag, pb->policy->loc,
			   "cannot prove that the filter of policy '%s' means what the policy says (%s), "
			   "so the policy is refused", pb->policy->name, why);
	else
		diag_error(u->diag, pb->policy->loc,
			   "internal error: the filter of policy '%s' gives %s for syscall %u "
			   "(arch 0x%x) where the policy means %s; nothing is written",
			   pb->policy->name, bpf_action_str(cex.actual, got, sizeof(got)), cex.nr,
			   cex.arch, bpf_action_str(cex.expected, want, sizeof(want)));
	return -1;
}

int compilation_backend(struct unit *u, const struct policy_build *pb,
			const struct arch_lowering low[ARCH_COUNT], struct filter *out)
{
	struct backend_relayout rl = { run_layout, (void *)u->opts };
	if (backend_build(u, pb, low, u->opts->libseccomp_layout ? NULL : &rl, out))
		return -1;
	return validated(u, pb, out);
}

/* One ruleset or policy of a whole-file run. A ruleset has no default
 * action and is analysed only; a policy goes all the way through
 * libseccomp when asked, so that what compile would refuse (size,
 * libseccomp limits) fails check too. ERRORS: the count before the file. */
static void whole_file_one(struct unit *u, const struct pipeline_opts *o, struct ruleset *rs,
			   int errors)
{
	struct diag *d = u->diag;
	struct policy_build pb;
	if (policy_expand(u, rs, o->arch_mask, &pb) != 0)
		return;
	if (!rs->is_policy)
		pb.default_action = ~0u;
	if (policy_analyse(u, &pb) != 0)
		return;
	if (o->lint && d->errors == errors)   /* lints on a broken file are noise */
		lint_policy(u, &pb);
	if (!rs->is_policy || o->stop < PIPELINE_FILTER || diag_failed(d))
		return;
	struct arch_lowering low[ARCH_COUNT];
	struct filter f;
	if (policy_lower(u, &pb, low) == 0)
		compilation_backend(u, &pb, low, &f);
}

/* Every ruleset and policy of the root, even after errors in the front
 * end, so that one run reports all it can. */
static int whole_file(struct unit *u, const struct pipeline_opts *o, int errors)
{
	for (size_t i = 0; o->stop > PIPELINE_RESOLVE && i < u->root->rulesets.n; i++)
		whole_file_one(u, o, u->root->rulesets.v[i], errors);
	/* Lints about the file as a whole need every part of it checked. */
	if (o->lint && u->diag->errors == errors)
		lint_root_file(u);
	return u->diag->errors == errors ? 0 : -1;
}

/* The one policy O names, as far as O says. */
static int one_policy(struct compilation *c, const struct pipeline_opts *o)
{
	struct unit *u = &c->unit;
	c->policy = pick_policy(u, o->policy);
	if (!c->policy)
		return -1;
	if (policy_expand(u, c->policy, o->arch_mask, &c->pb) || policy_analyse(u, &c->pb) ||
	    diag_failed(u->diag))
		return -1;
	if (o->lint) {
		lint_policy(u, &c->pb);
		if (diag_failed(u->diag))
			return -1;
	}
	if (o->stop < PIPELINE_FILTER)
		return 0;
	return policy_lower(u, &c->pb, c->low) || compilation_backend(u, &c->pb, c->low, &c->filter) ?
		       -1 : 0;
}

/* The pipeline on a cleared C whose diag (if it is D) is already set up. */
static int run(struct compilation *c, struct diag *d, const struct pipeline_opts *o, const char *file)
{
	c->arena = arena_new();
	if (o->unit)
		c->opts = *o->unit;
	c->opts.want_pfc |= o->want_pfc;
	struct unit *u = &c->unit;
	u->arena = c->arena;
	u->diag = d;
	u->opts = &c->opts;
	int errors = d->errors;
	if (unit_load(u, file) != 0)
		return -1;
	unit_resolve(u);
	if (o->whole_file)
		return whole_file(u, o, errors);
	if (diag_failed(d))
		return -1;
	return o->stop == PIPELINE_RESOLVE ? 0 : one_policy(c, o);
}

int pipeline_run(struct compilation *c, struct diag *d, const struct pipeline_opts *o,
		 const char *file)
{
	memset(c, 0, sizeof(*c));
	return run(c, d, o, file);
}

int compilation_run(struct compilation *c, const struct unit_options *opts, const char *file,
		    const char *policy, unsigned arch_mask, FILE *diag_out)
{
	struct pipeline_opts o = { .unit = opts, .policy = policy, .arch_mask = arch_mask,
				   .stop = PIPELINE_FILTER };
	memset(c, 0, sizeof(*c));
	diag_init(&c->diag, diag_out);
	return run(c, &c->diag, &o, file);
}

void compilation_free(struct compilation *c)
{
	arena_free(c->arena);
	diag_fini(&c->diag);
	c->arena = NULL;
}
