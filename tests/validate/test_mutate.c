/* Mutation test for the exact validator.
 *
 * The filters of a few policies are mutated (jump targets, jump
 * constants and operators, load offsets, return values); every mutant
 * that passes bpf_check is judged twice: by the validator, and by a
 * search that runs it on thousands of inputs built from the program's
 * constants (and random ones) against policy_eval. Failures:
 *  - the search finds a difference the validator calls equal;
 *  - the validator reports a witness that bpf_run/policy_eval do not
 *    reproduce, or cannot decide;
 *  - the program-against-program comparison with the original filter
 *    disagrees with the program-against-policy one.
 * Mutants the validator alone tells apart are counted, not failures: a
 * search is weaker than a decision.
 *
 * The policy is mutated too, with the filter left alone: a rule gets
 * another action or another rule's condition, or two rules for one
 * number swap places. Rules of different actions then overlap, which the
 * analysis never lets through, so the validator's literal first-match
 * path is exercised; the same two failures apply.
 *
 * usage: test_mutate POLICY... (MUTANTS per policy: SYSFENCE_MUTANTS) */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "vtest.h"
#include "rng.h"

#define SEARCH_VECTORS 3000
#define MAX_CONSTS 4096

struct stats {
	unsigned mutants, invalid, search_killed, validator_only, equal, failures;
};

struct consts {
	uint32_t v[MAX_CONSTS];
	size_t n;
};

static void add_const(struct consts *c, uint32_t k)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i] == k)
			return;
	if (c->n < MAX_CONSTS)
		c->v[c->n++] = k;
}

static void collect(struct consts *c, const struct sock_filter *p, size_t len)
{
	add_const(c, 0);
	add_const(c, ~0u);
	for (size_t i = 0; i < len; i++)
		if (BPF_CLASS(p[i].code) == BPF_JMP && BPF_OP(p[i].code) != BPF_JA) {
			add_const(c, p[i].k);
			add_const(c, p[i].k + 1);
			add_const(c, p[i].k - 1);
		}
}

static uint32_t pick_word(struct rng *r, const struct consts *c)
{
	uint32_t u = below(r, 100);
	if (u < 75)
		return c->v[below(r, (uint32_t)c->n)];
	if (u < 85)
		return c->v[below(r, (uint32_t)c->n)] ^ (1u << below(r, 32));
	return (uint32_t)rnd(r);
}

/* One input; i386 inputs have zero upper halves, as the kernel makes them. */
static void make_input(struct rng *r, const struct consts *c, struct seccomp_data *d)
{
	memset(d, 0, sizeof(*d));
	d->arch = pick_word(r, c);
	d->nr = (int)pick_word(r, c);
	d->instruction_pointer = below(r, 4) ? 0 : rnd(r);
	for (int i = 0; i < 6; i++) {
		uint64_t hi = below(r, 3) ? 0 : pick_word(r, c);
		d->args[i] = hi << 32 | pick_word(r, c);
	}
	if (d->arch == arch_table[ARCH_X86].audit_arch) {
		d->instruction_pointer &= 0xffffffffu;
		for (int i = 0; i < 6; i++)
			d->args[i] &= 0xffffffffu;
	}
}

/* Does the search find an input where MUT and the policy differ? */
static int search(const struct compilation *c, const struct sock_filter *mut, size_t len,
		  const struct consts *k, struct rng *r)
{
	for (unsigned i = 0; i < SEARCH_VECTORS; i++) {
		struct seccomp_data d;
		uint64_t args[6];
		uint32_t got = 0;
		make_input(r, k, &d);
		memcpy(args, d.args, sizeof(args));
		if (bpf_run_valid(mut, len, &d, &got, NULL))
			return 1;
		if (got != policy_eval(&c->pb, d.arch, (uint32_t)d.nr, args))
			return 1;
	}
	return 0;
}

static uint32_t some_ret(struct rng *r, const struct sock_filter *p, size_t len)
{
	static const uint32_t actions[] = {
		SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_ERRNO | 1,
		SECCOMP_RET_ERRNO | 13, SECCOMP_RET_TRAP, SECCOMP_RET_LOG,
	};
	for (int tries = 0; tries < 8; tries++) {
		size_t i = below(r, (uint32_t)len);
		if (p[i].code == (BPF_RET | BPF_K))
			return p[i].k;
	}
	return actions[below(r, 6)];
}

static void mutate_jump(struct rng *r, struct sock_filter *f, size_t pc, size_t len)
{
	static const uint16_t ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };
	uint32_t room = (uint32_t)(len - pc - 1);
	switch (below(r, 5)) {
	case 0: f->jt = (uint8_t)below(r, room < 256 ? room : 256); break;
	case 1: f->jf = (uint8_t)below(r, room < 256 ? room : 256); break;
	case 2: f->k += below(r, 2) ? 1 : -1u; break;
	case 3: f->k ^= 1u << below(r, 32); break;
	default: f->code = (uint16_t)(BPF_JMP | ops[below(r, 4)] | BPF_SRC(f->code)); break;
	}
}

/* One random change; returns 0 when it found nothing to change. */
static int mutate(struct rng *r, struct sock_filter *p, size_t len)
{
	for (int tries = 0; tries < 32; tries++) {
		size_t pc = below(r, (uint32_t)len);
		struct sock_filter *f = &p[pc];
		if (BPF_CLASS(f->code) == BPF_JMP && BPF_OP(f->code) != BPF_JA) {
			mutate_jump(r, f, pc, len);
			return 1;
		}
		if (f->code == (BPF_JMP | BPF_JA)) {
			f->k = below(r, (uint32_t)(len - pc - 1));
			return 1;
		}
		if (f->code == (BPF_RET | BPF_K)) {
			f->k = some_ret(r, p, len);
			return 1;
		}
		if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
			f->k = 4 * below(r, 16);
			return 1;
		}
	}
	return 0;
}

/* Validator against policy and against the original; 0 when all is well. */
static int judge(const struct compilation *c, const struct sock_filter *mut, size_t len,
		 int found, int orig_right, struct stats *st)
{
	struct validate_cex cex, cex2;
	char why[200];
	const struct filter *o = &c->filter;
	int v = validate_filter(&c->pb, mut, len, &cex, why, sizeof(why));
	int w = validate_programs(o->insns, o->len, mut, len, &cex2, why, sizeof(why));
	if (v < 0 || w < 0) {
		printf("    undecided: %s\n", why);
		return 1;
	}
	if (v == 1 && !vt_recheck(&c->pb, mut, len, &cex)) {
		vt_print_cex(stdout, "    witness does not reproduce: ", &cex);
		return 1;
	}
	if (w == 1 && !vt_recheck2(o->insns, o->len, mut, len, &cex2)) {
		vt_print_cex(stdout, "    program witness does not reproduce: ", &cex2);
		return 1;
	}
	if (found && v == 0) {
		printf("    the search found a difference the validator missed\n");
		return 1;
	}
	/* Right original: the two verdicts coincide. Wrong original: no
	 * mutant can equal both it and the policy. */
	if (orig_right ? v != w : v == 0 && w == 0) {
		printf("    against the policy %d, against the original filter %d\n", v, w);
		return 1;
	}
	st->search_killed += found;
	st->validator_only += v == 1 && !found;
	st->equal += v == 0;
	return 0;
}

/* ---- policy mutants ---- */

struct saved {
	struct rule *r, *q;          /* changed rules (q may be NULL) */
	struct rule rv, qv;          /* their contents before */
	size_t i, j;                 /* swapped by_nr slots (i == j: none) */
};

/* Changes one or two indexed rules of one arch; returns 0 when the arch
 * has fewer than two rules. */
static int mutate_policy(struct rng *r, struct arch_policy *ap, struct saved *sv)
{
	if (ap->nby_nr < 2)
		return 0;
	size_t i = below(r, (uint32_t)ap->nby_nr), j = below(r, (uint32_t)ap->nby_nr);
	memset(sv, 0, sizeof(*sv));
	sv->r = ap->by_nr[i];
	sv->rv = *sv->r;
	switch (below(r, 3)) {
	case 0:
		sv->r->action = ap->by_nr[j]->action != sv->r->action ? ap->by_nr[j]->action
			: SECCOMP_RET_ERRNO | below(r, 4);
		break;
	case 1:
		/* Another rule's condition, mostly a neighbour's with the same
		 * number, so that the two overlap. */
		if (below(r, 4) && i + 1 < ap->nby_nr)
			j = i + 1;
		sv->r->cond = below(r, 4) ? ap->by_nr[j]->cond : NULL;
		sv->r->nr = below(r, 2) ? ap->by_nr[j]->nr : sv->r->nr;
		break;
	default:
		/* Two neighbours with one number trade places. */
		if (i + 1 < ap->nby_nr && ap->by_nr[i + 1]->nr == sv->r->nr) {
			sv->i = i;
			sv->j = i + 1;
			ap->by_nr[i] = ap->by_nr[i + 1];
			ap->by_nr[i + 1] = sv->r;
		}
		break;
	}
	return 1;
}

static void restore_policy(struct arch_policy *ap, struct saved *sv)
{
	if (sv->i != sv->j) {
		struct rule *t = ap->by_nr[sv->i];
		ap->by_nr[sv->i] = ap->by_nr[sv->j];
		ap->by_nr[sv->j] = t;
	}
	*sv->r = sv->rv;
}

/* A mutant of the policy against the unchanged filter. A changed number
 * can break by_nr's order; policy_eval's binary search then misses rules,
 * so such mutants are judged only when the order still holds. */
static int sorted(const struct arch_policy *ap)
{
	for (size_t i = 0; i + 1 < ap->nby_nr; i++)
		if (ap->by_nr[i]->nr > ap->by_nr[i + 1]->nr)
			return 0;
	return 1;
}

static void policy_mutants(struct compilation *c, const struct consts *k, struct rng *r,
			   unsigned n, struct stats *st, const char *path)
{
	int arches[ARCH_COUNT], narch = 0;
	for (int a = 0; a < ARCH_COUNT; a++)
		if (c->pb.arch_mask & (1u << a))
			arches[narch++] = a;
	for (unsigned m = 0; m < n && narch; m++) {
		struct arch_policy *ap = &c->pb.per_arch[arches[below(r, (uint32_t)narch)]];
		struct saved sv;
		struct validate_cex cex;
		char why[200];
		if (!mutate_policy(r, ap, &sv))
			continue;
		if (sorted(ap)) {
			st->mutants++;
			int found = search(c, c->filter.insns, c->filter.len, k, r);
			int v = validate_filter(&c->pb, c->filter.insns, c->filter.len, &cex, why,
						sizeof(why));
			int bad = v < 0 || (found && v == 0) ||
				  (v == 1 && !vt_recheck(&c->pb, c->filter.insns, c->filter.len, &cex));
			if (bad) {
				printf("%s: policy mutant %u (validator %d%s%s)  <-- FAIL\n", path, m, v,
				       v < 0 ? ": " : "", v < 0 ? why : "");
				st->failures++;
			}
			st->search_killed += found;
			st->validator_only += v == 1 && !found;
			st->equal += v == 0;
		}
		restore_policy(ap, &sv);
	}
}

static void dump(const struct sock_filter *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		printf("      %04zu: code %#06x jt %u jf %u k %#x\n", i, p[i].code, p[i].jt, p[i].jf,
		       p[i].k);
}

static void run_policy(const char *path, unsigned nmutants, struct stats *st)
{
	struct compilation c;
	if (compilation_run(&c, NULL, path, NULL, 0, stderr)) {
		printf("%s: does not compile  <-- FAIL\n", path);
		st->failures++;
		compilation_free(&c);
		return;
	}
	size_t len = c.filter.len;
	struct sock_filter *mut = calloc(len, sizeof(*mut));
	struct consts *k = calloc(1, sizeof(*k));
	struct rng r = { 0x5eed ^ len };
	if (!mut || !k)
		abort();
	collect(k, c.filter.insns, len);
	unsigned before = st->failures;
	char why[200];
	int orig = validate_filter(&c.pb, c.filter.insns, len, NULL, why, sizeof(why));
	if (orig < 0) {
		printf("%s: undecided: %s  <-- FAIL\n", path, why);
		st->failures++;
	}
	for (unsigned m = 0; m < nmutants; m++) {
		memcpy(mut, c.filter.insns, len * sizeof(*mut));
		int changes = 1 + (int)below(&r, 2);
		for (int i = 0; i < changes; i++)
			mutate(&r, mut, len);
		if (bpf_check(mut, len, NULL, 0)) {
			st->invalid++;
			continue;
		}
		st->mutants++;
		int found = search(&c, mut, len, k, &r);
		if (judge(&c, mut, len, found, orig == 0, st)) {
			printf("%s: mutant %u  <-- FAIL\n", path, m);
			if (len <= 64)
				dump(mut, len);
			st->failures++;
		}
	}
	policy_mutants(&c, k, &r, nmutants, st, path);
	printf("%s: %zu instructions, %u mutants (the filter is %s), %s\n", path, len, nmutants,
	       orig == 0 ? "right" : "wrong", st->failures == before ? "ok" : "FAIL");
	free(mut);
	free(k);
	compilation_free(&c);
}

int main(int argc, char **argv)
{
	const char *env = getenv("SYSFENCE_MUTANTS");
	unsigned nmutants = env ? (unsigned)strtoul(env, NULL, 0) : 40;
	struct stats st = { 0 };
	double t0 = vt_now_ms();
	if (argc < 2) {
		fprintf(stderr, "usage: %s POLICY...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		run_policy(argv[i], nmutants, &st);
	printf("%u valid mutants (%u invalid dropped): %u found by the search, %u by the validator "
	       "alone, %u equivalent; %u failures; %.0f ms\n", st.mutants, st.invalid,
	       st.search_killed, st.validator_only, st.equal, st.failures, vt_now_ms() - t0);
	return st.failures ? 1 : 0;
}
