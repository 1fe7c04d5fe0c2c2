#include <linux/seccomp.h>
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
	u->opts = opts;
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

uint32_t policy_eval(const struct policy_build *pb, uint32_t audit_arch, uint32_t nr,
		     const uint64_t args[6])
{
	return policy_eval_rule(pb, audit_arch, nr, args, NULL);
}

uint32_t policy_eval_rule(const struct policy_build *pb, uint32_t audit_arch, uint32_t nr,
			  const uint64_t args[6], const struct rule **decided)
{
	if (decided)
		*decided = NULL;
	/* Which of our arches is this? x32 shares x86_64's AUDIT_ARCH and is
	 * told apart by bit 30 of the number. */
	int arch = -1;
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (arch_table[a].audit_arch != audit_arch)
			continue;
		if (a == ARCH_X32 || a == ARCH_X86_64) {
			int x32 = (nr & 0x40000000u) != 0;
			if (x32 != (a == ARCH_X32))
				continue;
		}
		arch = a;
	}
	if (arch < 0 || !(pb->arch_mask & (1u << arch)))
		return SECCOMP_RET_KILL_PROCESS;
	const struct ptrvec *rules = &pb->per_arch[arch].rules;
	for (size_t i = 0; i < rules->n; i++) {
		const struct rule *r = rules->v[i];
		if (r->dropped || (uint32_t)r->nr != nr)
			continue;
		/* The analysis guarantees that all matching rules agree. */
		if (ncond_eval(r->cond, args)) {
			if (decided)
				*decided = r;
			return r->action;
		}
	}
	return pb->default_action;
}
