/* Checking libseccomp's output against the policy.
 *
 * libseccomp 2.5.4 can drop a chain from a syscall's decision tree and
 * still return 0 (for example `errno mmap if len == 5 || addr == 2;
 * kill_process mmap if addr == 1 && len != 5;` loses the kill). So each
 * program is run on the interpreter at probe points inside and outside
 * every chain and compared with the policy's reference semantics
 * (policy_eval); backend.c decides what to do about a mismatch. */
#include <stdio.h>
#include <string.h>

#include "analysis/validate.h"
#include "backend/scmp_build.h"

void probes_add(struct unit *u, struct probes *ps, const struct probe *p)
{
	ps->v = arena_grow(u->arena, ps->v, ps->n, &ps->cap, sizeof(*ps->v));
	ps->v[ps->n++] = *p;
}

void probes_append(struct unit *u, struct probes *ps, const struct probes *from)
{
	for (size_t i = 0; i < from->n; i++)
		probes_add(u, ps, &from->v[i]);
}

/* A stand-in's own number must get what the policy says for it (the
 * default: the policy does not use it). */
void probes_add_standins(const struct scmp_build *b, struct probes *ps)
{
	const struct standins *s = &b->standins;
	for (size_t i = 0; i < s->n; i++) {
		struct probe p = { s->v[i].audit_arch, s->v[i].from, { 0 }, NULL };
		probes_add(b->u, ps, &p);
	}
}

/* A value that satisfies (want = 1) or violates (want = 0) C, if any. */
static int probe_value(const struct lcmp *c, int want, uint64_t *v)
{
	uint64_t a = c->a;
	switch (c->op) {
	case LC_EQ: *v = want ? a : a ^ 1; return 1;
	case LC_NE: *v = want ? a ^ 1 : a; return 1;
	case LC_LT: *v = want ? a - 1 : a; return !want || a != 0;
	case LC_LE: *v = want ? a : a + 1; return want || a != ~0ull;
	case LC_GT: *v = want ? a + 1 : a; return !want || a != ~0ull;
	case LC_GE: *v = want ? a : a - 1; return want || a != 0;
	case LC_MASKED_EQ:
		*v = want ? c->b : c->b ^ (c->a & -c->a);
		return want || c->a != 0;
	}
	return 0;
}

/* The probes of chain CH of LR on ARCH: a point inside it, and one just
 * outside each of its comparisons, each also with garbage in the upper
 * halves where the arch has them. */
static void chain_probes(struct unit *u, int arch, const struct lrule *lr,
			 const struct lchain *ch, struct probes *ps)
{
	struct probe p = { arch_table[arch].audit_arch, (uint32_t)lr->rule->nr, { 0 }, lr->rule };
	for (int j = 0; j < ch->n; j++)
		probe_value(&ch->c[j], 1, &p.args[ch->c[j].arg]);
	for (int miss = -1; miss < ch->n; miss++) {
		struct probe q = p;
		if (miss >= 0 && !probe_value(&ch->c[miss], 0, &q.args[ch->c[miss].arg]))
			continue;
		probes_add(u, ps, &q);
		if (arch_table[arch].word_bits == 64) {
			for (int r = 0; r < 6; r++)
				q.args[r] ^= 0xdeadbeef00000000ull;
			probes_add(u, ps, &q);
		}
	}
}

void probes_make(struct unit *u, const struct arch_lowering *low, struct probes *ps)
{
	for (size_t i = 0; i < low->n; i++) {
		const struct lrule *lr = &low->rules[i];
		for (size_t k = 0; k < lr->nchains; k++)
			chain_probes(u, low->arch, lr, &lr->chains[k], ps);
	}
}

const struct probe *probes_check(const struct policy_build *pb, const struct sock_filter *insns,
				 size_t len, const struct probes *ps, uint32_t *got)
{
	int valid = bpf_check(insns, len, NULL, 0) == 0;
	for (size_t i = 0; i < ps->n; i++) {
		const struct probe *p = &ps->v[i];
		struct seccomp_data d = { .nr = (int)p->nr, .arch = p->audit_arch };
		memcpy(d.args, p->args, sizeof(d.args));
		if (!valid || bpf_run_valid(insns, len, &d, got, NULL) ||
		    *got != policy_eval(pb, p->audit_arch, p->nr, p->args))
			return p;
	}
	return NULL;
}

/* The validator's counterexample CEX, as a probe of B. */
static const struct probe *cex_probe(struct scmp_build *b, const struct validate_cex *cex)
{
	struct probe *p = arena_alloc(b->u->arena, sizeof(*p));
	p->audit_arch = cex->arch;
	p->nr = cex->nr;
	memcpy(p->args, cex->args, sizeof(p->args));
	policy_eval_rule(b->pb, cex->arch, cex->nr, cex->args, &p->rule);
	probes_add(b->u, &b->probes, p);
	return p;
}

const struct probe *probes_faithful(struct scmp_build *b, const struct sock_filter *insns,
				    size_t len, const struct probes *ps, unsigned arch_mask,
				    uint32_t *got)
{
	const struct probe *bad = probes_check(b->pb, insns, len, ps, got);
	if (bad)
		return bad;
	struct validate_opts o = { .arch_mask = arch_mask };
	struct validate_cex cex;
	int rc = validate_filter_opts(b->pb, insns, len, &o, &cex, b->undecided_why,
				      sizeof(b->undecided_why));
	if (rc == 0)
		return NULL;
	if (rc < 0)
		return &b->undecided;
	*got = cex.actual;
	return cex_probe(b, &cex);
}

void probes_report(const struct scmp_build *b, int arch, const struct probe *p, uint32_t got)
{
	const struct policy_build *pb = b->pb;
	char want_s[32], got_s[32], args[160];
	if (p == &b->undecided) {
		diag_error(b->u->diag, pb->policy->loc,
			   "cannot prove that the filter of policy '%s' means what the policy says (%s), "
			   "so the policy is refused", pb->policy->name, b->undecided_why);
		return;
	}
	uint32_t want = policy_eval(pb, p->audit_arch, p->nr, p->args);
	size_t n = 0;
	for (int i = 0; i < 6 && n < sizeof(args); i++)
		n += (size_t)snprintf(args + n, sizeof(args) - n, "%s0x%llx", i ? ", " : "",
				      (unsigned long long)p->args[i]);
	const struct scmp_version *v = seccomp_version();
	char name[32];
	const char *what = name;
	if (p->rule)
		what = scmp_ctx_rule_name(p->rule, arch, name, sizeof(name));
	else
		snprintf(name, sizeof(name), "syscall %u", p->nr);   /* a stand-in's own number */
	diag_error(b->u->diag, p->rule ? p->rule->sys->loc : pb->policy->loc,
		   "libseccomp %u.%u.%u built a wrong filter for '%s' on %s: for arguments (%s) it gives %s, "
		   "the policy means %s; no order or form of the rules helped, so the policy is refused",
		   v->major, v->minor, v->micro, what, arch_table[arch].name, args,
		   bpf_action_str(got, got_s, sizeof(got_s)), bpf_action_str(want, want_s, sizeof(want_s)));
}
