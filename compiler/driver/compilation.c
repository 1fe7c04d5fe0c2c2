#include <string.h>

#include "compilation.h"

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
	if (policy_lower(u, &c->pb, c->low) || backend_build(u, &c->pb, c->low, &c->filter))
		return -1;
	return 0;
}

void compilation_free(struct compilation *c)
{
	arena_free(c->arena);
	diag_fini(&c->diag);
	c->arena = NULL;
}
