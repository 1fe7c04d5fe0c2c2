/* Conflict analysis: finds rules that override each other.
 *
 * For each arch and syscall number, every pair of rules is compared:
 *  - same action, one unconditional: the conditional one has no effect;
 *  - different actions whose conditions can both hold: which one wins
 *    would depend on rule order, which a policy must not depend on. The
 *    diagnostic shows arguments for which both match, computed from the
 *    exact value sets (struct argset) and checked by the reference
 *    evaluator before it is printed.
 * Identical duplicates (the same rule reached twice) merge silently; rules
 * whose action is the default are dropped with a warning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "quiet.h"

#define DNF_LIMIT 4096

struct analysis {
	struct unit *u;
	const struct policy_build *pb;
	int arch;
	int failed;
	/* pairs already reported, so several arches report a conflict once */
	const struct stmt **pairs;
	size_t npairs, cappairs;
};

static int reported(struct analysis *an, const struct stmt *a, const struct stmt *b)
{
	for (size_t i = 0; i < an->npairs; i += 2)
		if (an->pairs[i] == a && an->pairs[i + 1] == b)
			return 1;
	if (an->npairs + 2 > an->cappairs) {
		an->cappairs = an->cappairs ? an->cappairs * 2 : 32;
		an->pairs = realloc(an->pairs, an->cappairs * sizeof(*an->pairs));
		if (!an->pairs)
			abort();
	}
	an->pairs[an->npairs++] = a;
	an->pairs[an->npairs++] = b;
	return 0;
}

static const char *sys_name(const struct rule *r)
{
	static char buf[24];
	if (r->sys->name)
		return r->sys->name;
	snprintf(buf, sizeof(buf), "%d", r->nr);
	return buf;
}

void policy_note_chain(struct diag *d, const struct use_chain *c)
{
	if (!c)
		return;
	policy_note_chain(d, c->outer);
	if (c->ref->qualifier)
		diag_note(d, c->ref->loc, "brought in by 'use %s.%s' here",
			  c->ref->qualifier, c->ref->name);
	else
		diag_note(d, c->ref->loc, "brought in by 'use %s' here", c->ref->name);
}

static void note_chain(struct analysis *an, const struct use_chain *c)
{
	policy_note_chain(an->u->diag, c);
}

/* The @quiet annotations that apply to rule R. */
static void rule_scope(const struct analysis *an, const struct rule *r,
		       struct quiet *scope[QUIET_SCOPE_MAX])
{
	quiet_scope(scope, an->pb->policy, r->stmt, r->chain);
}

static void note_rule(struct analysis *an, const struct rule *r, const char *which)
{
	char buf[32];
	diag_note(an->u->diag, r->stmt->loc, "%s rule: '%s %s%s'", which,
		  bpf_action_str(r->action, buf, sizeof(buf)), sys_name(r), r->cond ? " if ..." : "");
	note_chain(an, r->chain);
}

/* Prepares a rule: its DNF, with conjunctions that can never hold removed. */
static int prepare(struct analysis *an, struct rule *r)
{
	struct arena *a = an->u->arena;
	if (dnf_build(a, r->cond, DNF_LIMIT, &r->dnf)) {
		diag_error(an->u->diag, r->stmt->cond->loc,
			   "condition is too complex: it expands to more than %d alternatives", DNF_LIMIT);
		return -1;
	}
	size_t n = 0;
	for (size_t i = 0; i < r->dnf.n; i++) {
		int empty = 0;
		for (int arg = 0; arg < 6 && !empty; arg++)
			empty = argset_of_conj(a, &r->dnf.c[i], arg).n == 0;
		if (!empty)
			r->dnf.c[n++] = r->dnf.c[i];
	}
	r->dnf.n = n;
	if (n == 0) {
		struct quiet *scope[QUIET_SCOPE_MAX];
		rule_scope(an, r, scope);
		diag_warning_id(an->u->diag, scope, r->stmt->cond->loc, "never-holds",
				"condition can never hold; the rule for '%s' has no effect", sys_name(r));
		r->dropped = 1;
	}
	return 0;
}

/* Finds arguments for which conjunctions X and Y both hold. */
static int conj_overlap(struct arena *a, const struct conj *x, const struct conj *y, uint64_t args[6],
			unsigned *used)
{
	*used = 0;
	for (int arg = 0; arg < 6; arg++) {
		struct argset sx = argset_of_conj(a, x, arg), sy = argset_of_conj(a, y, arg);
		if (!argset_witness(sx, sy, &args[arg]))
			return 0;
		if (!argset_is_all(sx) || !argset_is_all(sy))
			*used |= 1u << arg;
	}
	return 1;
}

/* The name the policy used for argument ARG in either rule, so the
 * witness reads like the conditions; else the signature's name. */
static const char *written_name(const struct rule *p, const struct rule *q, int arch, int arg)
{
	const struct rule *both[2] = { p, q };
	for (int r = 0; r < 2; r++)
		for (size_t i = 0; i < both[r]->dnf.n; i++)
			for (size_t k = 0; k < both[r]->dnf.c[i].n; k++)
				if (both[r]->dnf.c[i].atoms[k].arg == arg)
					return both[r]->dnf.c[i].atoms[k].name;
	return rule_arg_name(p, arch, arg);
}

static void format_witness(const struct rule *r, const struct rule *q, int arch,
			   const uint64_t args[6], unsigned used, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int arg = 0; arg < 6 && n < len; arg++) {
		if (!(used & (1u << arg)))
			continue;
		const char *name = written_name(r, q, arch, arg);
		if (args[arg] < 10)
			n += (size_t)snprintf(buf + n, len - n, "%s%s=%llu", n ? ", " : "", name,
					      (unsigned long long)args[arg]);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%s=0x%llx", n ? ", " : "", name,
					      (unsigned long long)args[arg]);
	}
	if (!n)
		snprintf(buf, len, "whatever the arguments");
}

static void check_pair(struct analysis *an, struct rule *p, struct rule *q)
{
	struct diag *d = an->u->diag;
	char b1[32], b2[32];
	if (p->action == q->action) {
		if ((p->cond == NULL) == (q->cond == NULL))
			return;
		struct rule *cond = p->cond ? p : q, *uncond = p->cond ? q : p;
		cond->dropped = 1;
		an->failed = 1;
		if (reported(an, cond->stmt, uncond->stmt))
			return;
		diag_error(d, cond->sys->loc,
			   "conditional rule for '%s' has no effect: an unconditional '%s %s' also applies",
			   sys_name(cond), bpf_action_str(uncond->action, b1, sizeof(b1)), sys_name(uncond));
		note_rule(an, cond, "conditional");
		note_rule(an, uncond, "unconditional");
		return;
	}
	for (size_t i = 0; i < p->dnf.n; i++)
		for (size_t j = 0; j < q->dnf.n; j++) {
			uint64_t args[6] = { 0 };
			unsigned used;
			if (!conj_overlap(an->u->arena, &p->dnf.c[i], &q->dnf.c[j], args, &used))
				continue;
			an->failed = 1;
			/* The witness comes from the exact value sets; check it with
			 * the reference evaluator all the same. */
			if (!ncond_eval(p->cond, args) || !ncond_eval(q->cond, args)) {
				diag_error(d, q->sys->loc, "internal error: conflict witness does not match");
				return;
			}
			const struct rule *first = p, *second = q;
			if (reported(an, first->stmt, second->stmt))
				return;
			char w[256];
			format_witness(p, q, an->arch, args, used, w, sizeof(w));
			unsigned m = an->pb->arch_mask;
			int multi_arch = (m & (m - 1)) != 0;
			diag_error(d, second->sys->loc,
				   "rules for '%s' conflict: '%s' and '%s' both match %s%s%s%s",
				   sys_name(second), bpf_action_str(first->action, b1, sizeof(b1)),
				   bpf_action_str(second->action, b2, sizeof(b2)), used ? "when " : "", w,
				   multi_arch ? " on " : "", multi_arch ? arch_table[an->arch].name : "");
			note_rule(an, first, "first");
			note_rule(an, second, "second");
			return;
		}
}

static void analyse_group(struct analysis *an, struct rule **r, size_t n)
{
	char buf[32];
	for (size_t i = 0; i < n; i++) {
		if (r[i]->dropped)
			continue;
		if (r[i]->action == an->pb->default_action) {
			struct quiet *scope[QUIET_SCOPE_MAX];
			rule_scope(an, r[i], scope);
			diag_warning_id(an->u->diag, scope, r[i]->sys->loc, "shadowed-by-default",
					"rule for '%s' has the policy's default action (%s) and is dropped",
					sys_name(r[i]), bpf_action_str(r[i]->action, buf, sizeof(buf)));
			note_chain(an, r[i]->chain);
			r[i]->dropped = 1;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (!r[j]->dropped && r[j]->action == r[i]->action &&
			    ncond_equal(r[j]->cond, r[i]->cond)) {
				r[i]->dropped = 1;   /* an identical duplicate */
				break;
			}
		if (!r[i]->dropped && prepare(an, r[i]))
			an->failed = 1, r[i]->dropped = 1;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (!r[i]->dropped && !r[j]->dropped)
				check_pair(an, r[i], r[j]);
}

int policy_analyse(struct unit *u, struct policy_build *pb)
{
	struct analysis an = { .u = u, .pb = pb };
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(pb->arch_mask & (1u << a)))
			continue;
		an.arch = a;
		struct ptrvec *rules = &pb->per_arch[a].rules;
		/* One group per syscall, taken in the order the syscalls first
		 * appear, each in source order: diagnostics follow the file. */
		struct rule **group = arena_alloc(u->arena, (rules->n + 1) * sizeof(*group));
		char *done = arena_alloc(u->arena, rules->n + 1);
		for (size_t i = 0; i < rules->n; i++) {
			if (done[i])
				continue;
			size_t n = 0;
			int nr = ((struct rule *)rules->v[i])->nr;
			for (size_t j = i; j < rules->n; j++)
				if (((struct rule *)rules->v[j])->nr == nr) {
					group[n++] = rules->v[j];
					done[j] = 1;
				}
			analyse_group(&an, group, n);
		}
	}
	free(an.pairs);
	policy_index(u->arena, pb);
	return an.failed ? -1 : 0;
}
