/* Conflict analysis: finds rules that override each other.
 *
 * For each arch and syscall number, every pair of rules is compared (for
 * a syscall with many rules on one argument, a sweep over their value
 * intervals finds the overlapping pairs instead: see "large groups"):
 *  - same action, one unconditional: the conditional one has no effect;
 *  - different actions whose conditions can both hold: which one wins
 *    would depend on rule order, which a policy must not depend on. The
 *    diagnostic shows arguments for which both match, computed from the
 *    exact value sets (struct argset) and checked by the reference
 *    evaluator before it is printed.
 * Identical duplicates (the same rule reached twice) merge silently; rules
 * whose action is the default are checked like the others, then dropped
 * with a warning. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/policy.h"
#include "analysis/quiet.h"
#include "base/mem.h"

#define DNF_LIMIT 4096

struct analysis {
	struct unit *u;
	const struct policy_build *pb;
	int arch;
	int failed;
	/* pairs already reported, so several arches report a conflict once:
	 * an open-addressing set of statement pairs */
	const struct stmt **pairs;
	size_t npairs, cappairs;   /* entries (pairs), slots (a power of two) */
};

static size_t pair_slot(const struct analysis *an, const struct stmt *a, const struct stmt *b)
{
	uint64_t h = ((uintptr_t)a * 0x9e3779b97f4a7c15ull) ^ ((uintptr_t)b * 0xc2b2ae3d27d4eb4full);
	size_t i = (size_t)(h >> 17) & (an->cappairs - 1);
	while (an->pairs[2 * i] && (an->pairs[2 * i] != a || an->pairs[2 * i + 1] != b))
		i = (i + 1) & (an->cappairs - 1);
	return i;
}

static int reported(struct analysis *an, const struct stmt *a, const struct stmt *b)
{
	if (2 * (an->npairs + 1) > an->cappairs) {
		struct analysis old = *an;
		an->cappairs = an->cappairs ? an->cappairs * 2 : 64;
		an->pairs = mem_calloc(2 * an->cappairs, sizeof(*an->pairs));
		for (size_t i = 0; i < old.cappairs; i++)
			if (old.pairs[2 * i]) {
				size_t j = pair_slot(an, old.pairs[2 * i], old.pairs[2 * i + 1]);
				an->pairs[2 * j] = old.pairs[2 * i];
				an->pairs[2 * j + 1] = old.pairs[2 * i + 1];
			}
		free(old.pairs);
	}
	size_t i = pair_slot(an, a, b);
	if (an->pairs[2 * i])
		return 1;
	an->pairs[2 * i] = a;
	an->pairs[2 * i + 1] = b;
	an->npairs++;
	return 0;
}

/* Room for a syscall number as sys_name writes it. */
#define SYS_NAME_LEN 24

/* R's syscall as the policy names it, or its number, written into BUF. */
static const char *sys_name(const struct rule *r, char buf[SYS_NAME_LEN])
{
	if (r->sys->name)
		return r->sys->name;
	snprintf(buf, SYS_NAME_LEN, "%d", r->nr);
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
	char buf[32], name[SYS_NAME_LEN];
	diag_note(an->u->diag, r->stmt->loc, "%s rule: '%s %s%s'", which,
		  bpf_action_str(r->action, buf, sizeof(buf)), sys_name(r, name),
		  r->cond ? " if ..." : "");
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
	r->sets = arena_alloc(a, (r->dnf.n + 1) * sizeof(*r->sets));
	for (size_t i = 0; i < r->dnf.n; i++) {
		int empty = 0;
		for (int arg = 0; arg < 6 && !empty; arg++) {
			r->sets[n][arg] = argset_of_conj(a, &r->dnf.c[i], arg);
			empty = r->sets[n][arg].n == 0;
		}
		if (!empty)
			r->dnf.c[n++] = r->dnf.c[i];
	}
	r->dnf.n = n;
	if (n == 0) {
		struct quiet *scope[QUIET_SCOPE_MAX];
		char name[SYS_NAME_LEN];
		rule_scope(an, r, scope);
		diag_warning_id(an->u->diag, scope, r->stmt->cond->loc, "never-holds",
				"condition can never hold; the rule for '%s' has no effect",
				sys_name(r, name));
		r->dropped = 1;
	}
	return 0;
}

/* Finds arguments for which two conjunctions, given by their value sets
 * per argument, both hold. */
static int conj_overlap(const struct argset x[6], const struct argset y[6], uint64_t args[6],
			unsigned *used)
{
	*used = 0;
	for (int arg = 0; arg < 6; arg++) {
		if (!argset_witness(x[arg], y[arg], &args[arg]))
			return 0;
		if (!argset_is_all(x[arg]) || !argset_is_all(y[arg]))
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
	char b1[32], b2[32], n1[SYS_NAME_LEN], n2[SYS_NAME_LEN];
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
			   sys_name(cond, n1), bpf_action_str(uncond->action, b1, sizeof(b1)),
			   sys_name(uncond, n2));
		note_rule(an, cond, "conditional");
		note_rule(an, uncond, "unconditional");
		return;
	}
	for (size_t i = 0; i < p->dnf.n; i++)
		for (size_t j = 0; j < q->dnf.n; j++) {
			uint64_t args[6] = { 0 };
			unsigned used;
			if (!conj_overlap(p->sets[i], q->sets[j], args, &used))
				continue;
			an->failed = 1;
			p->conflicted = q->conflicted = 1;
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
				   sys_name(second, n1), bpf_action_str(first->action, b1, sizeof(b1)),
				   bpf_action_str(second->action, b2, sizeof(b2)), used ? "when " : "", w,
				   multi_arch ? " on " : "", multi_arch ? arch_table[an->arch].name : "");
			note_rule(an, first, "first");
			note_rule(an, second, "second");
			return;
		}
}

/* ---- large groups ----
 * Generated policies can give one syscall thousands of rules. Comparing
 * every pair is then too slow, so when every rule compares the same one
 * argument, each rule's value set is cut into intervals (a term whose
 * free bits are the low ones is an interval) and one sweep in order of
 * their starts finds, for each interval, whether an interval of another
 * action seen before reaches into it: the one reaching furthest of each
 * action is kept. Terms that are not intervals are compared with every
 * rule of another action. check_pair then reports each pair exactly. */

#define PAIRWISE_MAX 64   /* groups up to this size compare every pair */
#define SWEEP_ACTIONS 16

struct span {
	uint64_t lo, hi;
	size_t rule;          /* index in the group */
};

static int by_lo(const void *x, const void *y)
{
	const struct span *a = x, *b = y;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

/* Reports the pair of R[I] and R[J] in source order. */
static void check_ordered(struct analysis *an, struct rule **r, size_t i, size_t j)
{
	if (i < j)
		check_pair(an, r[i], r[j]);
	else
		check_pair(an, r[j], r[i]);
}

/* Checks the pairs of rules whose spans SP[0..M) overlap, in one pass in
 * order of their low ends that keeps, per action, the span reaching
 * furthest. Returns 0, or -1 when there are too many actions for that. */
static int sweep(struct analysis *an, struct rule **r, struct span *sp, size_t m)
{
	qsort(sp, m, sizeof(*sp), by_lo);
	struct { uint32_t action; uint64_t hi; size_t rule; } reach[SWEEP_ACTIONS];
	size_t nreach = 0;
	for (size_t s = 0; s < m; s++) {
		uint32_t act = r[sp[s].rule]->action;
		size_t mine = nreach;
		for (size_t k = 0; k < nreach; k++) {
			if (reach[k].action == act)
				mine = k;
			else if (reach[k].hi >= sp[s].lo)
				check_ordered(an, r, reach[k].rule, sp[s].rule);
		}
		if (mine == nreach) {
			if (nreach == SWEEP_ACTIONS)
				return -1;
			reach[nreach++] = (typeof(reach[0])){ act, sp[s].hi, sp[s].rule };
		} else if (sp[s].hi > reach[mine].hi) {
			reach[mine].hi = sp[s].hi;
			reach[mine].rule = sp[s].rule;
		}
	}
	return 0;
}

/* Returns 0 when it could check the group, -1 to compare every pair. */
static int sweep_group(struct analysis *an, struct rule **r, size_t n)
{
	unsigned width = 0, w = 0;
	int arg = -1;
	size_t nspan = 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i]->dropped)
			continue;
		int a = dnf_sole_arg(&r[i]->dnf, &w);
		if (a < 0 || (arg >= 0 && (a != arg || w != width)))
			return -1;
		arg = a;
		width = w;
		for (size_t k = 0; k < r[i]->dnf.n; k++)
			nspan += r[i]->sets[k][arg].n;
	}
	if (arg < 0)
		return 0;   /* nothing left to compare */
	uint64_t W = width_mask(width);
	struct span *sp = mem_calloc(nspan + 1, sizeof(*sp));
	size_t *odd = mem_calloc(n + 1, sizeof(*odd)), nodd = 0, m = 0;
	for (size_t i = 0; i < n; i++) {
		int has_odd = 0;
		for (size_t k = 0; !r[i]->dropped && k < r[i]->dnf.n; k++)
			for (size_t t = 0; t < r[i]->sets[k][arg].n; t++) {
				struct term te = r[i]->sets[k][arg].t[t];
				uint64_t free_bits = ~te.mask & W;
				if (free_bits & (free_bits + 1))
					has_odd = 1;   /* free bits not a low run: not an interval */
				else
					sp[m++] = (struct span){ te.value & W, (te.value & W) | free_bits, i };
			}
		if (has_odd)
			odd[nodd++] = i;
	}
	int ok = sweep(an, r, sp, m) == 0;
	for (size_t o = 0; o < nodd && ok; o++)
		for (size_t j = 0; j < n; j++)
			if (!r[j]->dropped && r[j]->action != r[odd[o]]->action)
				check_ordered(an, r, odd[o], j);
	free(sp);
	free(odd);
	return ok ? 0 : -1;
}

/* The rules of a group seen so far that are kept, by condition hash, to
 * find identical duplicates (the same action and condition as an earlier
 * kept rule) without comparing every pair. */
struct seen {
	size_t *slot, cap;
};

/* Is R a duplicate of a kept rule? If not, and KEEP, remembers it. */
static int seen_before(struct seen *t, struct rule **r, size_t i, int keep)
{
	size_t h = (size_t)(ncond_hash(r[i]->cond) ^ r[i]->action * 0x9e3779b97f4a7c15ull) & (t->cap - 1);
	for (; t->slot[h] != SIZE_MAX; h = (h + 1) & (t->cap - 1)) {
		const struct rule *q = r[t->slot[h]];
		if (q->action == r[i]->action && ncond_equal(q->cond, r[i]->cond))
			return 1;
	}
	if (keep)
		t->slot[h] = i;
	return 0;
}

/* Drops R, a rule with the policy's default action that conflicts with
 * nothing: the default already does what it says (and libseccomp would
 * refuse it). */
static void drop_shadowed(struct analysis *an, struct rule *r)
{
	char buf[32], name[SYS_NAME_LEN];
	struct quiet *scope[QUIET_SCOPE_MAX];
	rule_scope(an, r, scope);
	diag_warning_id(an->u->diag, scope, r->sys->loc, "shadowed-by-default",
			"rule for '%s' has the policy's default action (%s) and is dropped",
			sys_name(r, name), bpf_action_str(r->action, buf, sizeof(buf)));
	note_chain(an, r->chain);
	r->dropped = 1;
}

/* Rules with the default action take part in the conflict check like any
 * other: `default kill_process; allow umask; kill_process umask if ...`
 * must be refused, not compiled as if the kill rule were not there. Only
 * once nothing overlaps them are they dropped. */
static void analyse_group(struct analysis *an, struct rule **r, size_t n)
{
	struct seen seen = { NULL, 16 };
	while (seen.cap < 2 * n)
		seen.cap *= 2;
	seen.slot = mem_calloc(seen.cap, sizeof(*seen.slot));
	for (size_t i = 0; i < seen.cap; i++)
		seen.slot[i] = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		if (r[i]->dropped)
			continue;
		if (seen_before(&seen, r, i, 0)) {
			r[i]->dropped = 1;   /* an identical duplicate */
			continue;
		}
		if (prepare(an, r[i]))
			an->failed = 1, r[i]->dropped = 1;
		if (!r[i]->dropped)
			seen_before(&seen, r, i, 1);
	}
	free(seen.slot);
	if (n <= PAIRWISE_MAX || sweep_group(an, r, n) != 0)
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (!r[i]->dropped && !r[j]->dropped)
					check_pair(an, r[i], r[j]);
	for (size_t i = 0; i < n; i++)
		if (!r[i]->dropped && !r[i]->conflicted && r[i]->action == an->pb->default_action)
			drop_shadowed(an, r[i]);
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
