/* The reference semantics of an expanded policy: the action it means for
 * one syscall, computed from the rules and not from any BPF. Tests and
 * `sim` compare the emitted filter with it; the backend checks its own
 * output against it. */
#define _GNU_SOURCE
#include <linux/seccomp.h>
#include <stdlib.h>

#include "analysis/policy.h"

/* Which of our arches a syscall belongs to. x32 shares x86_64's AUDIT_ARCH;
 * like libseccomp's filters, every number from 0x40000000 up (bit 30 or
 * 31 set) except -1 counts as x32, the rest as x86_64. */
int policy_arch_of(uint32_t audit_arch, uint32_t nr)
{
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (arch_table[a].audit_arch != audit_arch)
			continue;
		if (a == ARCH_X32 || a == ARCH_X86_64) {
			int x32 = nr >= 0x40000000u && nr != 0xffffffffu;
			if (x32 != (a == ARCH_X32))
				continue;
		}
		return a;
	}
	return -1;
}

/* Orders rule indices by syscall number, then by source order. */
static int by_nr_then_source(const void *x, const void *y, void *ctx)
{
	struct rule *const *rules = ctx;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	if (rules[i]->nr != rules[j]->nr)
		return rules[i]->nr < rules[j]->nr ? -1 : 1;
	return i < j ? -1 : i > j;
}

void policy_index(struct arena *a, struct policy_build *pb)
{
	for (int arch = 0; arch < ARCH_COUNT; arch++) {
		struct arch_policy *ap = &pb->per_arch[arch];
		struct rule **rules = (struct rule **)ap->rules.v;
		size_t *idx = arena_alloc(a, (ap->rules.n + 1) * sizeof(*idx));
		size_t n = 0;
		for (size_t i = 0; i < ap->rules.n; i++)
			if (!rules[i]->dropped)
				idx[n++] = i;
		qsort_r(idx, n, sizeof(*idx), by_nr_then_source, rules);
		ap->by_nr = arena_alloc(a, (n + 1) * sizeof(*ap->by_nr));
		for (size_t i = 0; i < n; i++)
			ap->by_nr[i] = rules[idx[i]];
		ap->nby_nr = n;
	}
}

/* The first of AP's indexed rules for NR, or AP->nby_nr. */
static size_t first_for_nr(const struct arch_policy *ap, int nr)
{
	size_t lo = 0, hi = ap->nby_nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ap->by_nr[mid]->nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
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
	int arch = policy_arch_of(audit_arch, nr);
	/* nr -1 (a syscall skipped by a tracer) is x86_64's; a filter for
	 * x32 without x86_64 sends it through the x32 rules, as libseccomp's
	 * filters do. */
	if (arch == ARCH_X86_64 && nr == 0xffffffffu && !(pb->arch_mask & (1u << ARCH_X86_64)))
		arch = ARCH_X32;
	if (arch < 0 || !(pb->arch_mask & (1u << arch)))
		return SECCOMP_RET_KILL_PROCESS;
	const struct arch_policy *ap = &pb->per_arch[arch];
	if (ap->by_nr) {
		for (size_t i = first_for_nr(ap, (int)nr); i < ap->nby_nr && ap->by_nr[i]->nr == (int)nr; i++)
			if (ncond_eval(ap->by_nr[i]->cond, args)) {
				if (decided)
					*decided = ap->by_nr[i];
				return ap->by_nr[i]->action;
			}
		return pb->default_action;
	}
	for (size_t i = 0; i < ap->rules.n; i++) {
		const struct rule *r = ap->rules.v[i];
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
