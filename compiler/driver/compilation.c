#include <string.h>

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

int compilation_backend(struct unit *u, const struct policy_build *pb,
			const struct arch_lowering low[ARCH_COUNT], struct filter *out)
{
	struct backend_relayout rl = { run_layout, (void *)u->opts };
	return backend_build(u, pb, low, u->opts->libseccomp_layout ? NULL : &rl, out);
}

int compilation_run(struct compilation *c, const struct unit_options *opts, const char *file,
		    const char *policy, unsigned arch_mask, FILE *diag_out)
{
	memset(c, 0, sizeof(*c));
	c->arena = arena_new();
	diag_init(&c->diag, diag_out);
	struct unit *u = &c->unit;
	u->arena = c->arena;
	u->diag = &c->diag;
	static const struct unit_options none;
	u->opts = opts ? opts : &none;
	if (unit_load(u, file))
		return -1;
	unit_resolve(u);
	if (diag_failed(&c->diag))
		return -1;
	c->policy = pick_policy(u, policy);
	if (!c->policy)
		return -1;
	if (policy_expand(u, c->policy, arch_mask, &c->pb) || policy_analyse(u, &c->pb) ||
	    diag_failed(&c->diag))
		return -1;
	if (policy_lower(u, &c->pb, c->low) || compilation_backend(u, &c->pb, c->low, &c->filter))
		return -1;
	return 0;
}

void compilation_free(struct compilation *c)
{
	arena_free(c->arena);
	diag_fini(&c->diag);
	c->arena = NULL;
}
