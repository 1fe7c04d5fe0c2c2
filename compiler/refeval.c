/* The reference semantics of an expanded policy: the action it means for
 * one syscall, computed from the rules and not from any BPF. Tests and
 * `sim` compare the emitted filter with it; the backend checks its own
 * output against it. */
#include <linux/seccomp.h>

#include "policy.h"

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
