/* The syscall number libseccomp is handed for each rule, and stand-ins.
 *
 * libseccomp numbers syscalls in the host's terms: a rule added to a
 * context for another arch is translated from the host number by name. So
 * for the host arch we pass our own number (that also works for syscalls
 * newer than libseccomp), and for other arches we pass the host or
 * pseudo number libseccomp gives the kernel name, after checking that
 * libseccomp's number on the target equals ours.
 *
 * A syscall libseccomp cannot take exactly on a non-native arch (newer
 * than its tables; on x86 the socket and IPC calls, which it always pairs
 * with socketcall or ipc) has its rules added under a stand-in: a syscall
 * libseccomp knows on that arch that the policy does not use. The
 * exported program is then renumbered (bpf/renumber.c) and verified like
 * any other. The stand-ins are chosen before any context is built, since
 * a filter with stand-ins is exported in libseccomp's linear layout (its
 * binary tree splits ranges at the stand-in's number). */
#include <stdlib.h>
#include <string.h>

#include "backend/scmp_build.h"
#include "tables/tables.h"

/* How libseccomp takes kernel name KNAME, our number NR on ARCH: EXACT
 * (it gives the kernel the same number; *HOST is what to hand it),
 * MULTIPLEXED (it would add rules for socketcall or ipc too) or UNKNOWN. */
enum scmp_fit { FIT_EXACT, FIT_MULTIPLEXED, FIT_UNKNOWN };

static enum scmp_fit scmp_fit(int arch, const char *kname, int nr, int *host)
{
	if (!kname)
		return FIT_UNKNOWN;
	int their = seccomp_syscall_resolve_name_arch(scmp_ctx_arch_token(arch), kname);
	*host = seccomp_syscall_resolve_name(kname);
	if (their < 0 && their != __NR_SCMP_ERROR)
		return FIT_MULTIPLEXED;
	if (their == __NR_SCMP_ERROR || *host == __NR_SCMP_ERROR)
		return FIT_UNKNOWN;
	return their == nr || (their | (int)arch_table[arch].nr_bias) == nr ? FIT_EXACT : FIT_UNKNOWN;
}

static const struct renumbering *standin_for(const struct standins *s, int arch, int nr, int *host)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].audit_arch == arch_table[arch].audit_arch && s->v[i].to == (uint32_t)nr) {
			*host = s->host[i];
			return &s->v[i];
		}
	return NULL;
}

static int nr_in_use(const struct standins *s, const struct arch_lowering *low, int nr)
{
	for (size_t i = 0; i < low->n; i++)
		if (low->rules[i].rule->nr == nr)
			return 1;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].from == (uint32_t)nr || s->v[i].to == (uint32_t)nr)
			return 1;
	return 0;
}

/* Picks a stand-in for NR on LOW's arch. Returns 0, or -1 when none is left. */
static int add_standin(struct standins *s, const struct arch_lowering *low, int nr)
{
	int a = low->arch, host;
	if (s->n == STANDIN_MAX)
		return -1;
	for (size_t i = 0; i < syscall_count(); i++) {
		const struct syscall_desc *d = syscall_at(i);
		const char *k = d->kname[a];
		/* Not the multiplexers themselves: rules on them are the policy's. */
		if (d->nr[a] < 0 || !k || !strcmp(k, "socketcall") || !strcmp(k, "ipc") ||
		    nr_in_use(s, low, d->nr[a]) || scmp_fit(a, k, d->nr[a], &host) != FIT_EXACT)
			continue;
		s->v[s->n] = (struct renumbering){ arch_table[a].audit_arch, (uint32_t)d->nr[a],
						   (uint32_t)nr };
		s->host[s->n++] = host;
		return 0;
	}
	return -1;
}

/* The kernel name of R's syscall on ARCH; *OWNED is what to free. */
static const char *rule_kname(const struct rule *r, int arch, char **owned)
{
	*owned = NULL;
	if (r->sys->desc && r->sys->desc->kname[arch])
		return r->sys->desc->kname[arch];
	*owned = seccomp_syscall_resolve_num_arch(scmp_ctx_arch_token(arch), r->nr);
	return *owned;
}

int standins_unconditional(const struct lrule *lr)
{
	return lr->nchains == 1 && lr->chains[0].n == 0;
}

/* Gives rule R on LOW's arch a stand-in unless libseccomp takes it as it
 * is or it has one. Returns 0, or -1 (diagnosed). */
static int standin_rule(struct scmp_build *b, const struct arch_lowering *low, const struct rule *r)
{
	int a = low->arch, host;
	char *owned;
	const char *k = rule_kname(r, a, &owned);
	enum scmp_fit fit = scmp_fit(a, k, r->nr, &host);
	free(owned);   /* libseccomp's own allocation */
	if (fit == FIT_EXACT || standin_for(&b->standins, a, r->nr, &host))
		return 0;
	if (add_standin(&b->standins, low, r->nr) == 0)
		return 0;
	diag_error(b->u->diag, r->sys->loc,
		   "too many syscalls that libseccomp cannot filter directly on %s",
		   arch_table[a].name);
	return -1;
}

int standins_choose(struct scmp_build *b, int conditional_only)
{
	b->standins.n = 0;
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(b->pb->arch_mask & (1u << a)) || a == arch_native())
			continue;
		const struct arch_lowering *low = &b->low[a];
		for (size_t i = 0; i < low->n; i++) {
			if (conditional_only && standins_unconditional(&low->rules[i]))
				continue;
			if (standin_rule(b, low, low->rules[i].rule))
				return -1;
		}
	}
	return 0;
}

int standins_number(const struct scmp_build *b, const struct rule *r, int arch)
{
	int host;
	if (arch == arch_native())
		return r->nr;
	if (standin_for(&b->standins, arch, r->nr, &host))
		return host;
	char *owned;
	const char *k = rule_kname(r, arch, &owned);
	scmp_fit(arch, k, r->nr, &host);   /* exact: standins_choose saw to it */
	free(owned);
	return host;
}
