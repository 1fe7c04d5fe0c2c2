/* The comparison behind `sysfence diff`: for every arch and syscall, both
 * sides are evaluated on the exact engine's vectors when a side is a .bpf
 * (diff_exact.c; numbers outside the list are swept too), else or where
 * it gives up on the candidate vectors (diff_cands.c), and every
 * vector on which they disagree is a change, classified by what it does to
 * the syscall's chance to run. Witnesses are vectors that were evaluated,
 * so every reported change is real by construction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "tools/diff.h"
#include "tables/tables.h"

/* Past this many combinations of candidate values, a syscall is compared
 * on that many random ones instead, and listed as sampled. */
#define VECTORS_MAX 4096
#define CHANGES_PER_SYSCALL 16
#define BPF_NRS_MAX 4096
#define EXTRA_NRS_MAX 16

int diff_allows(uint32_t action)
{
	switch (action & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF:
		return 1;
	}
	return 0;
}

const char *diff_kind_name(enum diff_kind k)
{
	static const char *const names[] = {
		[DIFF_NEWLY_ALLOWED] = "newly allowed", [DIFF_WIDENED] = "widened",
		[DIFF_NEWLY_DENIED] = "newly denied",   [DIFF_NARROWED] = "narrowed",
		[DIFF_ACTION_CHANGED] = "action changed",
	};
	return names[k];
}

static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 64;
	return mem_realloc(v, *cap, size);
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

/* Every syscall the tables know on ARCH, the numbers source rules name
 * and the numbers a .bpf compares nr with (a filter may allow a number
 * the tables do not know). */
static size_t syscall_numbers(const struct diff_side *sides[2], int arch, uint32_t **out)
{
	size_t n = 0, cap = 0;
	uint32_t *v = NULL;
	for (size_t i = 0; i < syscall_count(); i++) {
		int nr = syscall_at(i)->nr[arch];
		if (nr < 0)
			continue;
		v = grow(v, n, &cap, sizeof(*v));
		v[n++] = (uint32_t)nr;
	}
	for (int s = 0; s < 2; s++) {
		if (sides[s]->is_bpf) {
			uint32_t found[BPF_NRS_MAX];
			size_t k = diff_bpf_syscalls(sides[s], arch, found, BPF_NRS_MAX);
			for (size_t i = 0; i < k; i++) {
				/* x32 and x86_64 share an AUDIT_ARCH: each gets its own numbers. */
				if (policy_arch_of(arch_table[arch].audit_arch, found[i]) != arch)
					continue;
				v = grow(v, n, &cap, sizeof(*v));
				v[n++] = found[i];
			}
			continue;
		}
		const struct ptrvec *rules = &sides[s]->c.pb.per_arch[arch].rules;
		for (size_t i = 0; i < rules->n; i++) {
			v = grow(v, n, &cap, sizeof(*v));
			v[n++] = (uint32_t)((const struct rule *)rules->v[i])->nr;
		}
	}
	qsort(v, n, sizeof(*v), cmp_u32);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (m == 0 || v[m - 1] != v[i])
			v[m++] = v[i];
	*out = v;
	return m;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Vector K of the product of the candidate values, or a random one. */
static void pick(const struct diff_cands *dc, size_t k, uint64_t *rng, uint64_t args[6])
{
	for (int i = 0; i < 6; i++) {
		size_t n = dc->arg[i].n, j = rng ? xorshift(rng) % n : k % n;
		args[i] = dc->arg[i].v[j];
		k /= n;
	}
}

struct syscall_cmp {
	const struct diff_side *old, *new;
	int arch;
	uint32_t nr;
	int old_allows, new_allows;   /* for some vector */
	int varied;                   /* some side's action depends on the arguments */
	int any_wider;                /* NEW allows some vector OLD did not */
	size_t unlisted;              /* changes past CHANGES_PER_SYSCALL */
	uint32_t first_old, first_new;
	struct diff_change found[CHANGES_PER_SYSCALL];
	int wider[CHANGES_PER_SYSCALL], narrower[CHANGES_PER_SYSCALL];
	size_t nfound;
};

static void evaluate(struct syscall_cmp *sc, const uint64_t args[6], size_t k)
{
	const struct rule *ro, *rn;
	uint32_t o = diff_side_eval(sc->old, sc->arch, sc->nr, args, &ro);
	uint32_t n = diff_side_eval(sc->new, sc->arch, sc->nr, args, &rn);
	sc->old_allows |= diff_allows(o);
	sc->new_allows |= diff_allows(n);
	if (k == 0)
		sc->first_old = o, sc->first_new = n;
	else if (o != sc->first_old || n != sc->first_new)
		sc->varied = 1;
	if (o == n)
		return;
	sc->any_wider |= diff_allows(n) && !diff_allows(o);
	/* One change per kind of disagreement: the actions and the rules
	 * that decided them. */
	for (size_t i = 0; i < sc->nfound; i++) {
		const struct diff_change *c = &sc->found[i];
		if (c->old_action == o && c->new_action == n && c->old_rule == ro && c->new_rule == rn)
			return;
	}
	if (sc->nfound == CHANGES_PER_SYSCALL) {
		sc->unlisted++;   /* counted per vector: at most this many */
		return;
	}
	struct diff_change *c = &sc->found[sc->nfound];
	*c = (struct diff_change){ .arch = sc->arch, .nr = sc->nr, .old_action = o, .new_action = n,
				   .old_rule = ro, .new_rule = rn };
	memcpy(c->args, args, sizeof(c->args));
	sc->wider[sc->nfound] = diff_allows(n) && !diff_allows(o);
	sc->narrower[sc->nfound] = diff_allows(o) && !diff_allows(n);
	sc->nfound++;
}

static enum diff_kind classify(const struct syscall_cmp *sc, size_t i)
{
	if (sc->wider[i])
		return sc->old_allows ? DIFF_WIDENED : DIFF_NEWLY_ALLOWED;
	if (sc->narrower[i])
		return sc->new_allows ? DIFF_NARROWED : DIFF_NEWLY_DENIED;
	return DIFF_ACTION_CHANGED;
}

/* Today's search: the candidate values (diff_cands.c), all their
 * combinations or a random sample of them. Returns the arguments some
 * side compares; *INEXACT when the values may miss a case. */
static unsigned search_syscall(struct syscall_cmp *sc, size_t *vectors, int *inexact)
{
	struct diff_cands dc;
	diff_cands_init(&dc);
	diff_cands_add(&dc, sc->old, sc->arch, sc->nr);
	diff_cands_add(&dc, sc->new, sc->arch, sc->nr);
	diff_cands_finish(&dc);
	size_t total = 1;
	for (int i = 0; i < 6; i++) {
		if (dc.arg[i].n == 0)
			dc.arg[i].v[dc.arg[i].n++] = 0;
		total = total > VECTORS_MAX ? total : total * dc.arg[i].n;
	}
	int sampled = total > VECTORS_MAX;
	size_t count = sampled ? VECTORS_MAX : total;
	uint64_t seed = ((uint64_t)sc->arch << 32 | sc->nr) ^ 0x9e3779b97f4a7c15ull;
	for (size_t k = 0; k < count; k++) {
		uint64_t args[6];
		/* The first sampled vector is the product's first, all the
		 * others random. */
		pick(&dc, k, sampled && k ? &seed : NULL, args);
		evaluate(sc, args, k);
	}
	unsigned compared = 0;
	for (int arg = 0; arg < 6; arg++)
		compared |= dc.arg[arg].compared ? 1u << arg : 0;
	*vectors = count;
	*inexact = sampled || dc.inexact;
	return compared;
}

/* Does V evaluate (interpreter, reference evaluator) as the engine said? */
static int reproduces(const struct syscall_cmp *sc, const struct diff_vector *v)
{
	const struct rule *ro, *rn;
	uint32_t o = diff_side_eval(sc->old, sc->arch, sc->nr, v->args, &ro);
	uint32_t n = diff_side_eval(sc->new, sc->arch, sc->nr, v->args, &rn);
	return o == v->action[0] && n == v->action[1] && ro == v->rule[0] && rn == v->rule[1];
}

/* The exact engine's vectors, each checked before it counts. Returns 0,
 * or -1 (nothing evaluated) to fall back to the search. */
static int exact_syscall(struct diff_exact *dx, struct syscall_cmp *sc, unsigned *compared, size_t *vectors)
{
	struct diff_vectors dv = { 0 };
	int rc = diff_exact_vectors(dx, sc->arch, sc->nr, &dv);
	for (size_t k = 0; rc == 0 && k < dv.n; k++)
		if (!reproduces(sc, &dv.v[k])) {
			diff_exact_distrust(dx, "internal error: a vector of the exact engine does not reproduce");
			rc = -1;
		}
	for (size_t k = 0; rc == 0 && k < dv.n; k++)
		evaluate(sc, dv.v[k].args, k);
	*compared = dv.compared;
	*vectors = dv.n;
	free(dv.v);
	return rc;
}

static void compare_syscall(const struct diff_side *old, const struct diff_side *new, struct diff_exact *dx,
			    int arch, uint32_t nr, struct diff_result *out)
{
	struct syscall_cmp *sc = mem_calloc(1, sizeof(*sc));
	*sc = (struct syscall_cmp){ .old = old, .new = new, .arch = arch, .nr = nr };
	unsigned compared = 0;
	size_t count = 0;
	int inexact = 0;
	if (!dx || exact_syscall(dx, sc, &compared, &count)) {
		compared = search_syscall(sc, &count, &inexact);
		inexact |= old->is_bpf || new->is_bpf;   /* a search over a .bpf may miss a case */
	}
	out->vectors += count;
	out->syscalls++;
	out->widens |= sc->any_wider;
	out->unlisted += sc->unlisted;
	for (size_t i = 0; i < sc->nfound; i++) {
		struct diff_change *c = &sc->found[i];
		c->kind = classify(sc, i);
		c->uniform = !sc->varied;
		for (int arg = 0; arg < 6; arg++)
			if ((compared >> arg & 1) || c->args[arg])
				c->shown |= 1u << arg;
		if (c->kind == DIFF_WIDENED || c->kind == DIFF_NEWLY_ALLOWED)
			out->widens = 1;
		out->v = grow(out->v, out->n, &out->cap, sizeof(*out->v));
		out->v[out->n++] = *c;
	}
	if (inexact) {
		out->sampled = grow(out->sampled, out->nsampled, &out->capsampled, sizeof(*out->sampled));
		out->sampled[out->nsampled++] = (struct diff_sampled){ arch, nr };
	}
	free(sc);
}

/* Numbers no table, rule or comparison names (a .bpf may decide whole
 * ranges): while the engine finds one on which the sides differ, it is
 * compared like the others, up to EXTRA_NRS_MAX. Returns the count. */
static size_t sweep_numbers(const struct diff_side *old, const struct diff_side *new, struct diff_exact *dx,
			    int arch, uint32_t **nrs, size_t n, struct diff_result *out)
{
	size_t cap = n;
	for (int extra = 0;; extra++) {
		uint32_t nr;
		int rc = diff_exact_other_nr(dx, arch, *nrs, n, &nr);
		if (rc == 0)
			return n;
		if (rc < 0 || extra == EXTRA_NRS_MAX) {
			if (rc > 0 && !out->inexact_why[0])
				snprintf(out->inexact_why, sizeof(out->inexact_why),
					 "more than %d syscall numbers outside the tables differ", EXTRA_NRS_MAX);
			out->numbers_open = 1;
			return n;
		}
		*nrs = grow(*nrs, n, &cap, sizeof(**nrs));
		(*nrs)[n++] = nr;
		compare_syscall(old, new, dx, arch, nr, out);
	}
}

void diff_compare(const struct diff_side *old, const struct diff_side *new, unsigned arch_mask,
		  struct diff_result *out)
{
	memset(out, 0, sizeof(*out));
	out->arch_mask = arch_mask ? arch_mask : old->arch_mask | new->arch_mask;
	const struct diff_side *sides[2] = { old, new };
	struct diff_exact *dx = diff_exact_new(old, new);
	for (int arch = 0; arch < ARCH_COUNT; arch++) {
		if (!(out->arch_mask & (1u << arch)))
			continue;
		uint32_t *nrs;
		size_t n = syscall_numbers(sides, arch, &nrs);
		for (size_t i = 0; i < n; i++)
			compare_syscall(old, new, dx, arch, nrs[i], out);
		if (dx)
			n = sweep_numbers(old, new, dx, arch, &nrs, n, out);
		free(nrs);
	}
	if (diff_exact_why(dx) && !out->inexact_why[0])
		snprintf(out->inexact_why, sizeof(out->inexact_why), "%s", diff_exact_why(dx));
	diff_exact_free(dx);
}

void diff_result_free(struct diff_result *r)
{
	free(r->v);
	free(r->sampled);
	memset(r, 0, sizeof(*r));
}
