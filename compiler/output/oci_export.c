/* Policy -> OCI seccomp JSON.
 *
 * Built from the lowering (lower.h), whose comparison chains are exactly
 * the rules the backend hands libseccomp: each chain becomes one OCI entry
 * (names, action, errnoRet, args), so runc's libseccomp calls are ours.
 *
 * An OCI entry names kernel syscalls and applies to every arch of the
 * filter where the name exists. That is faithful only when the arches
 * agree, so:
 *  - arches of one host (x86_64, x86, x32) must have the same entries
 *    wherever a name exists; otherwise the policy is refused;
 *  - a policy for both hosts (x86_64 family and aarch64) is written with
 *    Docker's "archMap", and entries that only one host has carry
 *    "includes": {"arches": [HOST]}, which Docker decides by the host it
 *    runs on. */
#define _GNU_SOURCE
#include "output/oci_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/bpf.h"
#include "base/json.h"
#include "backend/lower.h"
#include "output/oci.h"
#include "tables/tables.h"

struct oentry {
	const char *name;            /* kernel name */
	uint32_t action;
	const struct lchain *ch;
	const struct rule *rule;
	int arch;                    /* the arch it was lowered for */
	unsigned hosts;              /* bit per host group that has it */
	int written;
};

struct olist {
	struct oentry *v;
	size_t n, cap;
};

enum { HOST_X86, HOST_ARM, NHOSTS };

static int host_of(int arch)
{
	return arch == ARCH_AARCH64 ? HOST_ARM : HOST_X86;
}

/* The arch that names host H in MASK: x86_64 or aarch64 when targeted,
 * else the first targeted arch of that host. */
static int host_main(int h, unsigned mask)
{
	static const int preferred[NHOSTS] = { ARCH_X86_64, ARCH_AARCH64 };
	if (mask & (1u << preferred[h]))
		return preferred[h];
	for (int a = 0; a < ARCH_COUNT; a++)
		if ((mask & (1u << a)) && host_of(a) == h)
			return a;
	return preferred[h];
}

/* C as libseccomp reads it on an arch that compares W bits: equality on
 * all W bits is the same test whether written == or masked ==. */
static struct lcmp canon(struct lcmp c, unsigned w)
{
	if (w == 32 && c.op == LC_MASKED_EQ && (c.a & 0xffffffffull) == 0xffffffffull) {
		c.op = LC_EQ;
		c.a = c.b;
		c.b = 0;
	}
	if (w == 32) {
		c.a &= 0xffffffffull;
		c.b &= 0xffffffffull;
	}
	if (c.op != LC_MASKED_EQ)
		c.b = 0;
	return c;
}

static int same_chain(const struct lchain *x, const struct lchain *y, unsigned w)
{
	if (x->n != y->n)
		return 0;
	for (int i = 0; i < x->n; i++) {
		struct lcmp p = canon(x->c[i], w), q = canon(y->c[i], w);
		if (p.arg != q.arg || p.op != q.op || p.a != q.a || p.b != q.b)
			return 0;
	}
	return 1;
}

static int same_entry(const struct oentry *x, const struct oentry *y, unsigned w)
{
	return strcmp(x->name, y->name) == 0 && x->action == y->action && same_chain(x->ch, y->ch, w);
}

static struct oentry *find(const struct olist *l, const struct oentry *e, unsigned w)
{
	for (size_t i = 0; i < l->n; i++)
		if (same_entry(&l->v[i], e, w))
			return &l->v[i];
	return NULL;
}

static void add(struct unit *u, struct olist *l, const struct oentry *e)
{
	l->v = arena_grow(u->arena, l->v, l->n, &l->cap, sizeof(*l->v));
	l->v[l->n++] = *e;
}

/* The entries of one arch. */
static int arch_entries(struct unit *u, const struct arch_lowering *low, struct olist *out)
{
	int a = low->arch;
	for (size_t i = 0; i < low->n; i++) {
		const struct lrule *lr = &low->rules[i];
		const struct rule *r = lr->rule;
		const char *name = r->sys->desc ? r->sys->desc->kname[a] : NULL;
		if (!name) {
			const struct syscall_desc *s = syscall_by_nr(a, r->nr);
			name = s ? s->kname[a] : NULL;
		}
		if (!name) {
			diag_error(u->diag, r->sys->loc,
				   "syscall %d has no kernel name on %s, and OCI profiles name syscalls",
				   r->nr, arch_table[a].name);
			return -1;
		}
		for (size_t k = 0; k < lr->nchains; k++) {
			struct oentry e = { name, r->action, &lr->chains[k], r, a, 0, 0 };
			if (!find(out, &e, 64))
				add(u, out, &e);
		}
	}
	return 0;
}

static int same_cond(const struct ncond *x, const struct ncond *y)
{
	if (!x || !y)
		return x == y;
	if (x->kind != y->kind)
		return 0;
	if (x->kind != N_ATOM)
		return same_cond(x->lhs, y->lhs) && same_cond(x->rhs, y->rhs);
	const struct atom *p = &x->atom, *q = &y->atom;
	if (p->arg != q->arg || p->width != q->width || p->masked != q->masked || p->mask != q->mask ||
	    p->op != q->op || p->value != q->value || p->nset != q->nset)
		return 0;
	return p->nset == 0 || memcmp(p->set, q->set, p->nset * sizeof(*p->set)) == 0;
}

/* Does L hold, from another arch than E's, the same source rule with the
 * same evaluated condition? x32's chains for `family < 38` (libseccomp
 * compares 32 bits there) differ from x86_64's, but x86_64's say the same
 * on x32: the x32 lowering only succeeds for conditions that do not look
 * at upper halves, and then x86_64's masked comparisons of low bits mean
 * the same when only low halves are compared. */
static int same_rule(const struct olist *l, const struct oentry *e)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct oentry *o = &l->v[i];
		if (o->arch != e->arch && o->rule->stmt == e->rule->stmt && o->action == e->action &&
		    strcmp(o->name, e->name) == 0 && same_cond(o->rule->cond, e->rule->cond))
			return 1;
	}
	return 0;
}

/* Every entry of a host must hold on each of its arches that has the
 * syscall: OCI cannot say "this rule, but not on x86". */
static int check_host(struct unit *u, const struct olist per[ARCH_COUNT], unsigned mask, int host,
		      struct olist *out)
{
	/* x86_64 comes first: its form of a comparison (masked == over the
	 * low half for an int) also means the same on x86 and x32, which
	 * compare 32 bits, while theirs (plain ==) would not on x86_64. */
	for (int a = 0; a < ARCH_COUNT; a++)
		if ((mask & (1u << a)) && host_of(a) == host)
			for (size_t i = 0; i < per[a].n; i++)
				if (!find(out, &per[a].v[i], scmp_cmp_bits(a)) && !same_rule(out, &per[a].v[i]))
					add(u, out, &per[a].v[i]);
	for (size_t i = 0; i < out->n; i++) {
		const struct oentry *e = &out->v[i];
		for (int a = 0; a < ARCH_COUNT; a++) {
			if (!(mask & (1u << a)) || host_of(a) != host || oci_kernel_nr(e->name, a) < 0 ||
			    find(&per[a], e, scmp_cmp_bits(a)) || same_rule(&per[a], e))
				continue;
			diag_error(u->diag, e->rule->sys->loc,
				   "an OCI profile applies each rule to every arch of the filter, but this policy "
				   "filters '%s' differently on %s; compile for one arch at a time (--arch)",
				   e->name, arch_table[a].name);
			return -1;
		}
	}
	return 0;
}

static void write_args(FILE *f, const struct lchain *ch)
{
	if (!ch->n)
		return;
	fputs(",\n      \"args\": [", f);
	for (int i = 0; i < ch->n; i++) {
		const struct lcmp *c = &ch->c[i];
		/* OCI's value is libseccomp's first datum (the mask for
		 * MASKED_EQ), valueTwo its second. */
		fprintf(f, "%s\n        { \"index\": %d, \"value\": %llu, \"valueTwo\": %llu, \"op\": \"%s\" }",
			i ? "," : "", c->arg, (unsigned long long)c->a,
			(unsigned long long)(c->op == LC_MASKED_EQ ? c->b : 0), oci_op_name(c->op));
	}
	fputs("\n      ]", f);
}

static void write_action(FILE *f, const char *key, const char *ret_key, uint32_t action)
{
	fprintf(f, "\"%s\": \"%s\"", key, oci_action_name(action));
	uint32_t full = action & SECCOMP_RET_ACTION_FULL;
	if (full == SECCOMP_RET_ERRNO || full == SECCOMP_RET_TRACE)
		fprintf(f, ", \"%s\": %u", ret_key, action & SECCOMP_RET_DATA);
}

/* Entries with the same action, chain and hosts share one "names" list. */
static void write_entries(FILE *f, struct olist *all, unsigned mask, unsigned hosts_present)
{
	int first = 1;
	for (size_t i = 0; i < all->n; i++) {
		struct oentry *e = &all->v[i];
		if (e->written)
			continue;
		fprintf(f, "%s\n    {\n      \"names\": [", first ? "" : ",");
		first = 0;
		int n = 0;
		for (size_t k = i; k < all->n; k++) {
			struct oentry *o = &all->v[k];
			if (o->written || o->action != e->action || o->hosts != e->hosts ||
			    !same_chain(o->ch, e->ch, 64))
				continue;
			int dup = 0;
			for (size_t j = i; j < k && !dup; j++)
				dup = all->v[j].written == 2 && strcmp(all->v[j].name, o->name) == 0 &&
				      all->v[j].action == o->action && all->v[j].hosts == o->hosts &&
				      same_chain(all->v[j].ch, o->ch, 64);
			o->written = 2;
			if (dup)
				continue;
			fprintf(f, "%s\"%s\"", n++ ? ", " : "", o->name);
		}
		for (size_t k = i; k < all->n; k++)
			if (all->v[k].written == 2)
				all->v[k].written = 1;
		fputs("],\n      ", f);
		write_action(f, "action", "errnoRet", e->action);
		write_args(f, e->ch);
		if (e->hosts != hosts_present)
			fprintf(f, ",\n      \"includes\": { \"arches\": [\"%s\"] }",
				oci_host_names(host_main(e->hosts == (1u << HOST_ARM) ? HOST_ARM : HOST_X86, mask))[0]);
		fputs("\n    }", f);
	}
}

static void write_arches(FILE *f, unsigned mask, unsigned hosts_present)
{
	if (hosts_present != (1u << HOST_X86 | 1u << HOST_ARM)) {
		fputs("  \"architectures\": [", f);
		int n = 0;
		for (int a = 0; a < ARCH_COUNT; a++)
			if (mask & (1u << a))
				fprintf(f, "%s\"%s\"", n++ ? ", " : "", oci_arch_token(a));
		fputs("],\n", f);
		return;
	}
	/* Two hosts: Docker picks the archMap entry of the one it runs on. */
	fputs("  \"archMap\": [", f);
	for (int h = 0; h < NHOSTS; h++) {
		int main = host_main(h, mask);
		fprintf(f, "%s\n    { \"architecture\": \"%s\", \"subArchitectures\": [", h ? "," : "",
			oci_arch_token(main));
		int n = 0;
		for (int a = 0; a < ARCH_COUNT; a++)
			if ((mask & (1u << a)) && host_of(a) == h && a != main)
				fprintf(f, "%s\"%s\"", n++ ? ", " : "", oci_arch_token(a));
		fputs("] }", f);
	}
	fputs("\n  ],\n", f);
}

int oci_export(struct unit *u, const struct policy_build *pb, const char **text, size_t *len)
{
	struct arch_lowering low[ARCH_COUNT];
	/* Docker's libseccomp interprets the profile: what it cannot express
	 * is refused. */
	if (policy_lower(u, pb, low) || lower_report(u, pb, low))
		return -1;
	if (!oci_action_name(pb->default_action)) {
		diag_error(u->diag, pb->default_loc, "OCI profiles have no default action like this one");
		return -1;
	}
	struct olist per[ARCH_COUNT], host[NHOSTS], all = { 0 };
	memset(per, 0, sizeof(per));
	memset(host, 0, sizeof(host));
	unsigned hosts_present = 0;
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(pb->arch_mask & (1u << a)))
			continue;
		hosts_present |= 1u << host_of(a);
		if (arch_entries(u, &low[a], &per[a]))
			return -1;
	}
	for (int h = 0; h < NHOSTS; h++) {
		if (!(hosts_present & (1u << h)))
			continue;
		if (check_host(u, per, pb->arch_mask, h, &host[h]))
			return -1;
		for (size_t i = 0; i < host[h].n; i++) {
			struct oentry *have = find(&all, &host[h].v[i], 64);
			if (have)
				have->hosts |= 1u << h;
			else {
				struct oentry e = host[h].v[i];
				e.hosts = 1u << h;
				add(u, &all, &e);
			}
		}
	}
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		return -1;
	fputs("{\n  ", f);
	write_action(f, "defaultAction", "defaultErrnoRet", pb->default_action);
	fputs(",\n", f);
	write_arches(f, pb->arch_mask, hosts_present);
	fputs("  \"syscalls\": [", f);
	write_entries(f, &all, pb->arch_mask, hosts_present);
	fputs("\n  ]\n}\n", f);
	fclose(f);
	*text = arena_strndup(u->arena, buf, n);
	*len = n;
	free(buf);
	return 0;
}
