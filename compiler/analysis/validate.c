/* The exact validator (see validate.h): the policy's semantics as BDDs,
 * built to mirror refeval.c's policy_eval, compared with the program's
 * semantics from bpf_sym.c; a difference becomes a checked witness. */
#include "analysis/validate.h"
#include "base/mem.h"

#include <linux/audit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/insn.h"
#include "bpf/sym.h"

#define X32_FIRST 0x40000000u
#define NR_NONE 0xffffffffu

__attribute__((format(printf, 3, 4)))
static int vfail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- action maps: a struct bpf_sym_sem being built ---- */

struct amap {
	struct bpf_sym_sem s;
	size_t cap;
};

static void amap_add(struct bdd_ctx *b, struct amap *m, uint32_t value, bdd_t when)
{
	if (when == BDD_FALSE)
		return;
	for (size_t i = 0; i < m->s.n; i++)
		if (m->s.r[i].value == value) {
			m->s.r[i].when = bdd_or(b, m->s.r[i].when, when);
			return;
		}
	if (m->s.n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 8;
		m->s.r = mem_realloc(m->s.r, m->cap, sizeof(*m->s.r));
	}
	m->s.r[m->s.n++] = (struct bpf_sym_ret){ value, when };
}

static int cmp_ret(const void *x, const void *y)
{
	const struct bpf_sym_ret *p = x, *q = y;
	return p->value < q->value ? -1 : p->value > q->value;
}

static void amap_finish(struct amap *m)
{
	if (m->s.n)
		qsort(m->s.r, m->s.n, sizeof(*m->s.r), cmp_ret);
}

/* ---- conditions ---- */

struct pol {
	struct bdd_ctx *b;
	const struct policy_build *pb;
	bdd_t arch[32], nr[32];
	bdd_t args[6][64];           /* args[i][j]: bit j of the 64-bit value */
	struct amap out;
};

static void pol_init(struct pol *p, struct bdd_ctx *b, const struct policy_build *pb)
{
	memset(p, 0, sizeof(*p));
	p->b = b;
	p->pb = pb;
	bpf_sym_word(b, cbpf_offset_of(CBPF_FIELD_ARCH, 0, 0), p->arch);
	bpf_sym_word(b, cbpf_offset_of(CBPF_FIELD_NR, 0, 0), p->nr);
	for (unsigned i = 0; i < 6; i++) {
		bpf_sym_word(b, cbpf_offset_of(CBPF_FIELD_ARG, i, 0), p->args[i]);
		bpf_sym_word(b, cbpf_offset_of(CBPF_FIELD_ARG, i, 1), p->args[i] + 32);
	}
}

/* atom_eval as a BDD: the argument's low WIDTH bits under the mask,
 * compared with the value's low WIDTH bits. */
static bdd_t atom_bdd(struct pol *p, const struct atom *at)
{
	uint64_t W = width_mask(at->width), M = at->mask & W, V = at->value & W;
	bdd_t y[64], r = BDD_FALSE;
	for (unsigned i = 0; i < 64; i++)
		y[i] = (M >> i & 1) ? p->args[at->arg][i] : BDD_FALSE;
	switch (at->op) {
	case OP_EQ: return bdd_vec_eq_const(p->b, y, 64, V);
	case OP_NE: return bdd_not(p->b, bdd_vec_eq_const(p->b, y, 64, V));
	case OP_LT: return bdd_vec_lt_const(p->b, y, 64, V, 0);
	case OP_LE: return bdd_vec_lt_const(p->b, y, 64, V, 1);
	case OP_GT: return bdd_vec_gt_const(p->b, y, 64, V, 0);
	case OP_GE: return bdd_vec_gt_const(p->b, y, 64, V, 1);
	case OP_IN:
	case OP_NOT_IN:
		for (size_t i = 0; i < at->nset; i++)
			r = bdd_or(p->b, r, bdd_vec_eq_const(p->b, y, 64, at->set[i] & W));
		return at->op == OP_IN ? r : bdd_not(p->b, r);
	}
	return BDD_FALSE;
}

static bdd_t ncond_bdd(struct pol *p, const struct ncond *c)
{
	if (!c)
		return BDD_TRUE;
	switch (c->kind) {
	case N_TRUE: return BDD_TRUE;
	case N_FALSE: return BDD_FALSE;
	case N_AND: return bdd_and(p->b, ncond_bdd(p, c->lhs), ncond_bdd(p, c->rhs));
	case N_OR: return bdd_or(p->b, ncond_bdd(p, c->lhs), ncond_bdd(p, c->rhs));
	case N_NOT: return bdd_not(p->b, ncond_bdd(p, c->lhs));
	case N_ATOM: return atom_bdd(p, &c->atom);
	}
	return BDD_FALSE;
}

/* ---- one arch: rules grouped by number ---- */

struct item {
	uint32_t nr;
	size_t idx;                  /* evaluation order within a number */
	const struct rule *r;
};

struct gact {
	uint32_t action;
	bdd_t when;                  /* over the arguments only */
};

struct group {
	uint32_t nr;
	struct gact *acts;
	size_t nacts;
};

struct arch_fn {
	struct group *g;
	size_t ng;
	struct gact *acts;           /* storage for every group's acts */
	uint32_t *values;            /* distinct actions, the default first */
	size_t nvalues;
};

static int by_nr_idx(const void *x, const void *y)
{
	const struct item *p = x, *q = y;
	if (p->nr != q->nr)
		return p->nr < q->nr ? -1 : 1;
	return p->idx < q->idx ? -1 : p->idx > q->idx;
}

/* The rules policy_eval looks at, in the order it tries them for each
 * number: by_nr when the policy is indexed, else source order. */
static struct item *arch_items(const struct arch_policy *ap, size_t *n)
{
	size_t total = ap->by_nr ? ap->nby_nr : ap->rules.n, k = 0;
	struct item *it = mem_calloc(total, sizeof(*it));
	for (size_t i = 0; i < total; i++) {
		const struct rule *r = ap->by_nr ? ap->by_nr[i] : ap->rules.v[i];
		if (r->dropped)
			continue;
		it[k++] = (struct item){ (uint32_t)r->nr, i, r };
	}
	qsort(it, k, sizeof(*it), by_nr_idx);
	*n = k;
	return it;
}

static void add_value(struct arch_fn *fn, uint32_t v)
{
	for (size_t i = 0; i < fn->nvalues; i++)
		if (fn->values[i] == v)
			return;
	fn->values[fn->nvalues++] = v;
}

/* Index of ACTION in OUT[0..*K), added (with set FALSE) when missing. */
static size_t act_slot(struct gact *out, size_t *k, uint32_t action)
{
	size_t j = 0;
	while (j < *k && out[j].action != action)
		j++;
	if (j == *k)
		out[(*k)++] = (struct gact){ action, BDD_FALSE };
	return j;
}

/* First match, literally: rule i decides where its condition holds and
 * no earlier rule's did. Returns the inputs where none holds. */
static bdd_t first_match(struct pol *p, const bdd_t *c, const struct item *it, size_t n,
			 struct gact *out, size_t *k)
{
	bdd_t rest = BDD_TRUE;
	for (size_t i = 0; i < n && rest != BDD_FALSE; i++) {
		size_t j = act_slot(out, k, it[i].r->action);
		out[j].when = bdd_or(p->b, out[j].when, bdd_and(p->b, rest, c[i]));
		rest = bdd_and(p->b, rest, bdd_not(p->b, c[i]));
	}
	return rest;
}

/* The same when the rules of different actions never overlap (what the
 * analysis ensures): then each action holds where any of its rules does,
 * and the unions can be built as balanced trees. Returns 0 (and leaves
 * OUT for first_match) when some do overlap. */
static int any_match(struct pol *p, bdd_t *c, const struct item *it, size_t n,
		     struct gact *out, size_t *k, bdd_t *rest)
{
	bdd_t *w = mem_calloc(n, sizeof(*w)), all = BDD_FALSE;
	int disjoint = 1;
	for (size_t i = 0; i < n; i++)
		act_slot(out, k, it[i].r->action);
	for (size_t j = 0; j < *k && disjoint; j++) {
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (it[i].r->action == out[j].action)
				w[m++] = c[i];
		out[j].when = bdd_or_all(p->b, w, m);
		disjoint = bdd_and(p->b, all, out[j].when) == BDD_FALSE;
		all = bdd_or(p->b, all, out[j].when);
	}
	free(w);
	for (size_t j = 0; !disjoint && j < *k; j++)
		out[j].when = BDD_FALSE;
	*rest = bdd_not(p->b, all);
	return disjoint;
}

/* What the rules for one number give: per action, where it decides;
 * the default decides where no rule's condition holds. */
static void group_acts(struct pol *p, struct arch_fn *fn, const struct item *it, size_t n,
		       struct gact *out, size_t *nout)
{
	bdd_t *c = mem_calloc(n, sizeof(*c)), rest;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		c[i] = ncond_bdd(p, it[i].r->cond);
		add_value(fn, it[i].r->action);
	}
	if (!any_match(p, c, it, n, out, &k, &rest))
		rest = first_match(p, c, it, n, out, &k);
	size_t j = act_slot(out, &k, p->pb->default_action);
	out[j].when = bdd_or(p->b, out[j].when, rest);
	*nout = k;
	free(c);
}

static void arch_fn_build(struct pol *p, const struct arch_policy *ap, struct arch_fn *fn)
{
	size_t n = 0;
	struct item *it = arch_items(ap, &n);
	memset(fn, 0, sizeof(*fn));
	fn->g = mem_calloc(n, sizeof(*fn->g));
	fn->acts = mem_calloc(2 * n, sizeof(*fn->acts));
	fn->values = mem_calloc(n + 1, sizeof(*fn->values));
	fn->values[fn->nvalues++] = p->pb->default_action;
	struct gact *next = fn->acts;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && it[j].nr == it[i].nr)
			j++;
		struct group *g = &fn->g[fn->ng++];
		g->nr = it[i].nr;
		g->acts = next;
		group_acts(p, fn, it + i, j - i, g->acts, &g->nacts);
		next += g->nacts;
		i = j;
	}
	free(it);
}

static void arch_fn_free(struct arch_fn *fn)
{
	free(fn->g);
	free(fn->acts);
	free(fn->values);
}

static bdd_t group_get(const struct group *g, uint32_t v)
{
	for (size_t i = 0; i < g->nacts; i++)
		if (g->acts[i].action == v)
			return g->acts[i].when;
	return BDD_FALSE;
}

/* The inputs (nr and arguments) on which the arch's rules give V: a case
 * split over the bits of nr, most significant first, down to the groups
 * (sorted by nr, all with the same bits above BIT). Numbers no rule names
 * give the default (OTHER). */
static bdd_t nr_split(struct pol *p, const struct group *const *g, size_t n, int bit,
		      uint32_t v, bdd_t other)
{
	if (n == 0)
		return other;
	if (bit < 0)
		return group_get(g[0], v);
	size_t m = 0;
	while (m < n && !(g[m]->nr >> bit & 1))
		m++;
	bdd_t lo = nr_split(p, g, m, bit - 1, v, other);
	bdd_t hi = nr_split(p, g + m, n - m, bit - 1, v, other);
	if (bdd_failed(p->b))
		return BDD_FALSE;
	return bdd_mk(p->b, bpf_sym_var(0, (unsigned)bit), lo, hi);
}

/* Adds, for each action of the arch, DOMAIN and the arch's rules. */
static void arch_add(struct pol *p, const struct arch_policy *ap, bdd_t domain)
{
	struct arch_fn fn;
	arch_fn_build(p, ap, &fn);
	const struct group **sel = mem_calloc(fn.ng, sizeof(*sel));
	for (size_t i = 0; i < fn.nvalues; i++) {
		uint32_t v = fn.values[i];
		int is_default = v == p->pb->default_action;
		size_t n = 0;
		for (size_t k = 0; k < fn.ng; k++)
			if (is_default || group_get(&fn.g[k], v) != BDD_FALSE)
				sel[n++] = &fn.g[k];
		bdd_t f = nr_split(p, sel, n, 31, v, is_default ? BDD_TRUE : BDD_FALSE);
		amap_add(p->b, &p->out, v, bdd_and(p->b, domain, f));
	}
	free(sel);
	arch_fn_free(&fn);
}

/* ---- arches ---- */

/* The inputs policy_arch_of (and policy_eval's nr -1 rule) gives ARCH. */
static bdd_t arch_domain(struct pol *p, int arch)
{
	struct bdd_ctx *b = p->b;
	bdd_t d = bdd_vec_eq_const(b, p->arch, 32, arch_table[arch].audit_arch);
	bdd_t none = bdd_vec_eq_const(b, p->nr, 32, NR_NONE);
	bdd_t x32 = bdd_and(b, bdd_vec_gt_const(b, p->nr, 32, X32_FIRST, 1), bdd_not(b, none));
	int x86_64_in = (p->pb->arch_mask >> ARCH_X86_64) & 1;
	if (arch == ARCH_X32)
		return bdd_and(b, d, x86_64_in ? x32 : bdd_or(b, x32, none));
	if (arch == ARCH_X86_64)
		return bdd_and(b, d, bdd_not(b, x32));
	return d;
}

static void policy_sem(struct pol *p)
{
	bdd_t covered = BDD_FALSE;
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(p->pb->arch_mask >> a & 1))
			continue;
		bdd_t d = arch_domain(p, a);
		covered = bdd_or(p->b, covered, d);
		arch_add(p, &p->pb->per_arch[a], d);
	}
	amap_add(p->b, &p->out, SECCOMP_RET_KILL_PROCESS, bdd_not(p->b, covered));
	amap_finish(&p->out);
}

/* The inputs on which the seccomp_data word at OFF is 0. */
static bdd_t word_is_zero(struct bdd_ctx *b, uint32_t off)
{
	bdd_t w[32];
	bpf_sym_word(b, off, w);
	return bdd_vec_eq_const(b, w, 32, 0);
}

/* The inputs the kernel can present: for 32-bit arches, upper halves 0. */
static bdd_t kernel_domain(struct bdd_ctx *b, const struct validate_opts *o)
{
	bdd_t arch[32], k = BDD_TRUE;
	if (o && o->any_upper_half)
		return BDD_TRUE;
	bpf_sym_word(b, cbpf_offset_of(CBPF_FIELD_ARCH, 0, 0), arch);
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (arch_table[a].word_bits != 32)
			continue;
		/* The high words of instruction_pointer and of every argument. */
		bdd_t upper0 = word_is_zero(b, cbpf_offset_of(CBPF_FIELD_IP, 0, 1));
		for (unsigned i = 0; i < 6; i++)
			upper0 = bdd_and(b, upper0,
					 word_is_zero(b, cbpf_offset_of(CBPF_FIELD_ARG, i, 1)));
		bdd_t is = bdd_vec_eq_const(b, arch, 32, arch_table[a].audit_arch);
		k = bdd_and(b, k, bdd_or(b, bdd_not(b, is), upper0));
	}
	return k;
}

/* ---- comparison ---- */

void validate_cex_data(const struct validate_cex *cex, struct seccomp_data *d)
{
	memset(d, 0, sizeof(*d));
	d->arch = cex->arch;
	d->nr = (int)cex->nr;
	d->instruction_pointer = cex->instruction_pointer;
	memcpy(d->args, cex->args, sizeof(d->args));
}

/* Is S a partition of the inputs: every input gets exactly one value?
 * A self-check of both semantics. */
static int is_partition(struct bdd_ctx *b, const struct bpf_sym_sem *s)
{
	bdd_t u = BDD_FALSE;
	for (size_t i = 0; i < s->n; i++) {
		if (bdd_and(b, u, s->r[i].when) != BDD_FALSE)
			return 0;
		u = bdd_or(b, u, s->r[i].when);
	}
	return u == BDD_TRUE;
}

/* The first input in DOMAIN on which X and Y differ: 1 and *D, or 0. */
static int find_diff(struct bdd_ctx *b, const struct bpf_sym_sem *x, const struct bpf_sym_sem *y,
		     bdd_t domain, struct seccomp_data *d)
{
	unsigned char assign[BPF_SYM_NVARS];
	for (int side = 0; side < 2; side++) {
		const struct bpf_sym_sem *s = side ? y : x, *t = side ? x : y;
		for (size_t i = 0; i < s->n; i++) {
			bdd_t other = bpf_sym_sem_get(t, s->r[i].value);
			bdd_t diff = bdd_and(b, domain, bdd_xor(b, s->r[i].when, other));
			if (diff == BDD_FALSE || bdd_failed(b))
				continue;
			bdd_satone(b, diff, assign);
			bpf_sym_data(assign, d);
			return 1;
		}
	}
	return 0;
}

static void fill_cex(struct validate_cex *cex, const struct seccomp_data *d, uint32_t want,
		     uint32_t got)
{
	if (!cex)
		return;
	cex->arch = d->arch;
	cex->nr = (uint32_t)d->nr;
	cex->instruction_pointer = d->instruction_pointer;
	memcpy(cex->args, d->args, sizeof(cex->args));
	cex->expected = want;
	cex->actual = got;
}

/* Symbolic semantics of PROG, checked with bpf_check first. */
static int program_sem(struct bdd_ctx *b, const struct sock_filter *prog, size_t len,
		       struct bpf_sym_sem *s, char *why, size_t whylen)
{
	char msg[160];
	s->r = NULL;
	s->n = 0;
	if (bpf_check(prog, len, msg, sizeof(msg)))
		return vfail(why, whylen, "invalid program: %s", msg);
	if (bpf_sym_run(b, prog, len, s, msg, sizeof(msg)))
		return vfail(why, whylen, "%s", msg);
	if (!is_partition(b, s) && !bdd_failed(b))
		return vfail(why, whylen, "internal error: the program's semantics is not a partition");
	return 0;
}

/* The inputs of the arches in MASK, as the policy of P splits them. */
static bdd_t arches_domain(struct pol *p, unsigned mask)
{
	bdd_t d = BDD_FALSE;
	for (int a = 0; a < ARCH_COUNT; a++)
		if (mask >> a & 1)
			d = bdd_or(p->b, d, arch_domain(p, a));
	return d;
}

/* Decides X (expected) against Y (actual) on the inputs in RESTRICT; on a
 * difference fills *D. */
static int decide(struct bdd_ctx *b, const struct bpf_sym_sem *x, const struct bpf_sym_sem *y,
		  const struct validate_opts *o, bdd_t restrict_to, struct seccomp_data *d,
		  char *why, size_t whylen)
{
	bdd_t domain = bdd_and(b, kernel_domain(b, o), restrict_to);
	int found = find_diff(b, x, y, domain, d);
	if (bdd_failed(b))
		return vfail(why, whylen, "out of BDD budget (%zu nodes)", bdd_nodes(b));
	return found;
}

int validate_filter_opts(const struct policy_build *pb, const struct sock_filter *insns,
			 size_t len, const struct validate_opts *opts,
			 struct validate_cex *cex, char *why, size_t whylen)
{
	struct bdd_ctx *b = bdd_new(BPF_SYM_NVARS, opts ? opts->node_budget : 0);
	struct bpf_sym_sem prog;
	struct pol p;
	struct seccomp_data d;
	int rc = program_sem(b, insns, len, &prog, why, whylen);
	pol_init(&p, b, pb);
	if (rc == 0) {
		policy_sem(&p);
		if (!is_partition(b, &p.out.s) && !bdd_failed(b))
			rc = vfail(why, whylen, "internal error: the policy's semantics is not a partition");
	}
	if (rc == 0)
		rc = decide(b, &p.out.s, &prog, opts,
			    opts && opts->arch_mask ? arches_domain(&p, opts->arch_mask) : BDD_TRUE,
			    &d, why, whylen);
	if (rc == 1) {
		uint64_t args[6];
		memcpy(args, d.args, sizeof(args));
		uint32_t want = policy_eval(pb, d.arch, (uint32_t)d.nr, args), got = 0;
		if (bpf_run(insns, len, &d, &got, NULL) || got == want)
			rc = vfail(why, whylen, "internal error: a witness does not reproduce");
		else
			fill_cex(cex, &d, want, got);
	}
	bpf_sym_sem_free(&prog);
	bpf_sym_sem_free(&p.out.s);
	bdd_free(b);
	return rc;
}

int validate_filter(const struct policy_build *pb, const struct sock_filter *insns,
		    size_t len, struct validate_cex *cex, char *why, size_t whylen)
{
	return validate_filter_opts(pb, insns, len, NULL, cex, why, whylen);
}

int validate_programs_opts(const struct sock_filter *a, size_t alen,
			   const struct sock_filter *b, size_t blen,
			   const struct validate_opts *opts,
			   struct validate_cex *cex, char *why, size_t whylen)
{
	struct bdd_ctx *ctx = bdd_new(BPF_SYM_NVARS, opts ? opts->node_budget : 0);
	struct bpf_sym_sem sa, sb = { 0 };
	struct seccomp_data d;
	int rc = program_sem(ctx, a, alen, &sa, why, whylen);
	if (rc == 0)
		rc = program_sem(ctx, b, blen, &sb, why, whylen);
	if (rc == 0)
		rc = decide(ctx, &sa, &sb, opts, BDD_TRUE, &d, why, whylen);
	if (rc == 1) {
		uint32_t want = 0, got = 0;
		if (bpf_run(a, alen, &d, &want, NULL) || bpf_run(b, blen, &d, &got, NULL) ||
		    got == want)
			rc = vfail(why, whylen, "internal error: a witness does not reproduce");
		else
			fill_cex(cex, &d, want, got);
	}
	bpf_sym_sem_free(&sa);
	bpf_sym_sem_free(&sb);
	bdd_free(ctx);
	return rc;
}

int validate_programs(const struct sock_filter *a, size_t alen,
		      const struct sock_filter *b, size_t blen,
		      struct validate_cex *cex, char *why, size_t whylen)
{
	return validate_programs_opts(a, alen, b, blen, NULL, cex, why, whylen);
}

/* ---- one syscall at a time ---- */

struct validate_space {
	struct bdd_ctx *b;
	struct pol p;                /* the argument variables (no policy) */
	bdd_t kernel;                /* kernel_domain */
	bdd_t ip0;                   /* instruction_pointer == 0 */
	int any_upper_half;
};

struct validate_space *validate_space_new(const struct validate_opts *opts)
{
	struct validate_space *vs = mem_calloc(1, sizeof(*vs));
	bdd_t lo[32], hi[32];
	vs->b = bdd_new(BPF_SYM_NVARS, opts ? opts->node_budget : 0);
	pol_init(&vs->p, vs->b, NULL);
	vs->kernel = kernel_domain(vs->b, opts);
	bpf_sym_word(vs->b, 8, lo);
	bpf_sym_word(vs->b, 12, hi);
	vs->ip0 = bdd_and(vs->b, bdd_vec_eq_const(vs->b, lo, 32, 0), bdd_vec_eq_const(vs->b, hi, 32, 0));
	vs->any_upper_half = opts && opts->any_upper_half;
	return vs;
}

void validate_space_free(struct validate_space *vs)
{
	if (!vs)
		return;
	bdd_free(vs->b);
	free(vs);
}

struct bdd_ctx *validate_space_bdd(struct validate_space *vs)
{
	return vs->b;
}

static int space_failed(struct validate_space *vs, char *why, size_t whylen)
{
	if (!bdd_failed(vs->b))
		return 0;
	return vfail(why, whylen, "out of BDD budget (%zu nodes)", bdd_nodes(vs->b));
}

int validate_space_program(struct validate_space *vs, const struct sock_filter *insns, size_t len,
			   struct bpf_sym_sem *out, char *why, size_t whylen)
{
	if (program_sem(vs->b, insns, len, out, why, whylen))
		return -1;
	return space_failed(vs, why, whylen);
}

/* The inputs of syscall NR under AUDIT the kernel can present. */
static bdd_t syscall_domain(struct validate_space *vs, uint32_t audit, uint32_t nr)
{
	bdd_t d = bdd_and(vs->b, vs->kernel, bdd_vec_eq_const(vs->b, vs->p.arch, 32, audit));
	return bdd_and(vs->b, d, bdd_vec_eq_const(vs->b, vs->p.nr, 32, nr));
}

static void class_add(struct validate_classes *c, uint32_t action, const struct rule *r, bdd_t when)
{
	if (when == BDD_FALSE)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->v = mem_realloc(c->v, c->cap, sizeof(*c->v));
	}
	c->v[c->n++] = (struct validate_class){ action, r, when };
}

void validate_classes_free(struct validate_classes *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

int validate_classes_program(struct validate_space *vs, const struct bpf_sym_sem *sem, uint32_t audit_arch,
			     uint32_t nr, struct validate_classes *out, char *why, size_t whylen)
{
	bdd_t dom = syscall_domain(vs, audit_arch, nr);
	for (size_t i = 0; i < sem->n; i++)
		class_add(out, sem->r[i].value, NULL, bdd_and(vs->b, dom, sem->r[i].when));
	return space_failed(vs, why, whylen);
}

/* policy_eval_rule's choice of rules: the arch the number belongs to
 * (nr -1 goes to x32 when x86_64 is not targeted), -1 when the policy
 * kills the syscall whatever its arguments. */
static int policy_arch_for(const struct policy_build *pb, uint32_t audit, uint32_t nr)
{
	int arch = policy_arch_of(audit, nr);
	if (arch == ARCH_X86_64 && nr == NR_NONE && !(pb->arch_mask >> ARCH_X86_64 & 1))
		arch = ARCH_X32;
	if (arch < 0 || !(pb->arch_mask >> arch & 1))
		return -1;
	return arch;
}

int validate_classes_policy(struct validate_space *vs, const struct policy_build *pb, uint32_t audit_arch,
			    uint32_t nr, struct validate_classes *out, char *why, size_t whylen)
{
	bdd_t rest = syscall_domain(vs, audit_arch, nr);
	int arch = policy_arch_for(pb, audit_arch, nr);
	if (arch < 0) {
		class_add(out, SECCOMP_RET_KILL_PROCESS, NULL, rest);
		return space_failed(vs, why, whylen);
	}
	/* First match in policy_eval_rule's order: by_nr when indexed (a
	 * stable sort by number), else source order. */
	const struct arch_policy *ap = &pb->per_arch[arch];
	size_t total = ap->by_nr ? ap->nby_nr : ap->rules.n;
	for (size_t i = 0; i < total && rest != BDD_FALSE; i++) {
		const struct rule *r = ap->by_nr ? ap->by_nr[i] : ap->rules.v[i];
		if (r->dropped || (uint32_t)r->nr != nr)
			continue;
		bdd_t c = ncond_bdd(&vs->p, r->cond);
		class_add(out, r->action, r, bdd_and(vs->b, rest, c));
		rest = bdd_and(vs->b, rest, bdd_not(vs->b, c));
	}
	class_add(out, pb->default_action, NULL, rest);
	return space_failed(vs, why, whylen);
}

int validate_pick(struct validate_space *vs, bdd_t f, struct seccomp_data *d)
{
	unsigned char assign[BPF_SYM_NVARS];
	if (bdd_failed(vs->b))
		return -1;
	if (f == BDD_FALSE)
		return 0;
	bdd_t at0 = bdd_and(vs->b, f, vs->ip0);
	if (bdd_failed(vs->b))
		return -1;
	bdd_satone(vs->b, at0 != BDD_FALSE ? at0 : f, assign);
	bpf_sym_data(assign, d);
	return 1;
}

static int word_read(const unsigned char *vars, uint32_t off)
{
	for (unsigned bit = 0; bit < 32; bit++)
		if (vars[bpf_sym_var(off, bit)])
			return 1;
	return 0;
}

unsigned validate_args_read(struct validate_space *vs, uint32_t audit_arch, const struct validate_classes *c)
{
	unsigned char vars[BPF_SYM_NVARS] = { 0 };
	bdd_t *roots = mem_calloc(c->n + 1, sizeof(*roots));
	for (size_t i = 0; i < c->n; i++)
		roots[i] = c->v[i].when;
	bdd_support(vs->b, roots, c->n, vars);
	free(roots);
	int upper_fixed = 0;
	for (int a = 0; a < ARCH_COUNT; a++)
		if (arch_table[a].audit_arch == audit_arch && arch_table[a].word_bits == 32)
			upper_fixed = !vs->any_upper_half;
	unsigned mask = 0;
	for (unsigned i = 0; i < 6; i++)
		if (word_read(vars, 16 + 8 * i) || (!upper_fixed && word_read(vars, 20 + 8 * i)))
			mask |= 1u << i;
	return mask;
}

int validate_space_policy(struct validate_space *vs, const struct policy_build *pb, struct bpf_sym_sem *out,
			  char *why, size_t whylen)
{
	struct pol p;
	pol_init(&p, vs->b, pb);
	policy_sem(&p);
	*out = p.out.s;
	if (space_failed(vs, why, whylen))
		return -1;
	if (!is_partition(vs->b, out))
		return vfail(why, whylen, "internal error: the policy's semantics is not a partition");
	return 0;
}

/* The numbers policy_arch_of gives ARCH, under its AUDIT_ARCH. */
static bdd_t arch_numbers(struct validate_space *vs, int arch)
{
	struct bdd_ctx *b = vs->b;
	bdd_t d = bdd_vec_eq_const(b, vs->p.arch, 32, arch_table[arch].audit_arch);
	bdd_t none = bdd_vec_eq_const(b, vs->p.nr, 32, NR_NONE);
	bdd_t x32 = bdd_and(b, bdd_vec_gt_const(b, vs->p.nr, 32, X32_FIRST, 1), bdd_not(b, none));
	if (arch == ARCH_X32)
		return bdd_and(b, d, x32);
	if (arch == ARCH_X86_64)
		return bdd_and(b, d, bdd_not(b, x32));
	return d;
}

bdd_t validate_differ(struct validate_space *vs, const struct bpf_sym_sem *x, const struct bpf_sym_sem *y)
{
	struct bdd_ctx *b = vs->b;
	bdd_t d = BDD_FALSE;
	for (size_t i = 0; i < x->n; i++)
		d = bdd_or(b, d, bdd_xor(b, x->r[i].when, bpf_sym_sem_get(y, x->r[i].value)));
	for (size_t i = 0; i < y->n; i++)
		if (bpf_sym_sem_get(x, y->r[i].value) == BDD_FALSE)
			d = bdd_or(b, d, y->r[i].when);
	return d;
}

int validate_other_nr(struct validate_space *vs, bdd_t differ, int arch, const uint32_t *skip, size_t nskip,
		      uint32_t *nr, char *why, size_t whylen)
{
	struct bdd_ctx *b = vs->b;
	bdd_t d = bdd_and(b, bdd_and(b, vs->kernel, differ), arch_numbers(vs, arch));
	for (size_t i = 0; i < nskip && d != BDD_FALSE; i++)
		d = bdd_and(b, d, bdd_not(b, bdd_vec_eq_const(b, vs->p.nr, 32, skip[i])));
	if (space_failed(vs, why, whylen))
		return -1;
	struct seccomp_data data;
	if (validate_pick(vs, d, &data) != 1)
		return 0;
	*nr = (uint32_t)data.nr;
	return 1;
}
