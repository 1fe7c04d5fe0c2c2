/* libseccomp backend.
 *
 * libseccomp numbers syscalls in the host's terms: a rule added to a
 * context for another arch is translated from the host number by name. So
 * for the host arch we pass our own number (that also works for syscalls
 * newer than libseccomp), and for other arches we pass the host or
 * pseudo number libseccomp gives the kernel name, after checking that
 * libseccomp's number on the target equals ours.
 *
 * Every rule_add result is checked; the analysis has already made sure no
 * two rules of a syscall overlap with different actions, so libseccomp has
 * no order-dependent choice to make. Even so, libseccomp 2.5.4 can drop a
 * chain from a syscall's decision tree and still return 0 (for example
 * `errno mmap if len == 5 || addr == 2; kill_process mmap if addr == 1 &&
 * len != 5;` loses the kill). So each arch's program is run on the
 * interpreter at probe points inside and outside every chain and compared
 * with the policy's meaning; on a mismatch the chains are handed over in
 * another order, and if no order works the policy is refused. */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend.h"
#include "bpf/renumber.h"
#include "tables/tables.h"


static const uint32_t scmp_token[ARCH_COUNT] = {
	[ARCH_X86_64] = SCMP_ARCH_X86_64, [ARCH_X86] = SCMP_ARCH_X86,
	[ARCH_X32] = SCMP_ARCH_X32, [ARCH_AARCH64] = SCMP_ARCH_AARCH64,
};

static const char *rule_sys_name(const struct rule *r, int arch)
{
	static char buf[24];
	if (r->sys->desc && r->sys->desc->kname[arch])
		return r->sys->desc->kname[arch];
	if (r->sys->name)
		return r->sys->name;
	snprintf(buf, sizeof(buf), "syscall %d", r->nr);
	return buf;
}

/* How libseccomp takes kernel name KNAME, our number NR on ARCH: EXACT
 * (it gives the kernel the same number; *HOST is what to hand it),
 * MULTIPLEXED (it would add rules for socketcall or ipc too) or UNKNOWN. */
enum scmp_fit { FIT_EXACT, FIT_MULTIPLEXED, FIT_UNKNOWN };

static enum scmp_fit scmp_fit(int arch, const char *kname, int nr, int *host)
{
	if (!kname)
		return FIT_UNKNOWN;
	int their = seccomp_syscall_resolve_name_arch(scmp_token[arch], kname);
	*host = seccomp_syscall_resolve_name(kname);
	if (their < 0 && their != __NR_SCMP_ERROR)
		return FIT_MULTIPLEXED;
	if (their == __NR_SCMP_ERROR || *host == __NR_SCMP_ERROR)
		return FIT_UNKNOWN;
	return their == nr || (their | (int)arch_table[arch].nr_bias) == nr ? FIT_EXACT : FIT_UNKNOWN;
}

/* ---- stand-ins ----
 * A syscall libseccomp cannot take exactly on a non-native arch (newer
 * than its tables; on x86 the socket and IPC calls, which it always pairs
 * with socketcall or ipc) has its rules added under a stand-in: a syscall
 * libseccomp knows on that arch that the policy does not use. The
 * exported program is then renumbered (renumber.c) and verified like any
 * other. The stand-ins are chosen before any context is built, since a
 * filter with stand-ins is exported in libseccomp's linear layout (its
 * binary tree splits ranges at the stand-in's number). */
#define STANDIN_MAX 128

struct standins {
	struct renumbering v[STANDIN_MAX];
	int host[STANDIN_MAX];      /* the stand-in's number for libseccomp */
	size_t n;
};

static struct standins standins;

static const struct renumbering *standin_for(int arch, int nr, int *host)
{
	for (size_t i = 0; i < standins.n; i++)
		if (standins.v[i].audit_arch == arch_table[arch].audit_arch && standins.v[i].to == (uint32_t)nr) {
			*host = standins.host[i];
			return &standins.v[i];
		}
	return NULL;
}

static int nr_in_use(const struct arch_lowering *low, int nr)
{
	for (size_t i = 0; i < low->n; i++)
		if (low->rules[i].rule->nr == nr)
			return 1;
	for (size_t i = 0; i < standins.n; i++)
		if (standins.v[i].from == (uint32_t)nr || standins.v[i].to == (uint32_t)nr)
			return 1;
	return 0;
}

/* Picks a stand-in for NR on LOW's arch. Returns 0, or -1 when none is left. */
static int add_standin(const struct arch_lowering *low, int nr)
{
	int a = low->arch, host;
	if (standins.n == STANDIN_MAX)
		return -1;
	for (size_t i = 0; i < syscall_count(); i++) {
		const struct syscall_desc *d = syscall_at(i);
		const char *k = d->kname[a];
		/* Not the multiplexers themselves: rules on them are the policy's. */
		if (d->nr[a] < 0 || !k || !strcmp(k, "socketcall") || !strcmp(k, "ipc") ||
		    nr_in_use(low, d->nr[a]) || scmp_fit(a, k, d->nr[a], &host) != FIT_EXACT)
			continue;
		standins.v[standins.n] = (struct renumbering){ arch_table[a].audit_arch,
							       (uint32_t)d->nr[a], (uint32_t)nr };
		standins.host[standins.n++] = host;
		return 0;
	}
	return -1;
}

static const char *rule_kname(const struct rule *r, int arch, char **owned)
{
	*owned = NULL;
	if (r->sys->desc && r->sys->desc->kname[arch])
		return r->sys->desc->kname[arch];
	*owned = seccomp_syscall_resolve_num_arch(scmp_token[arch], r->nr);
	return *owned;
}

/* Chooses the stand-ins every arch of LOW needs. Returns 0, or -1 after
 * diagnosing a syscall no stand-in is left for. */
static int unconditional(const struct lrule *lr)
{
	return lr->nchains == 1 && lr->chains[0].n == 0;
}

/* Only for the rules handed to libseccomp: all, or with CONDITIONAL_ONLY
 * the conditional ones (the others become layout verdicts). */
static int choose_standins(struct unit *u, const struct policy_build *pb,
			   const struct arch_lowering low[ARCH_COUNT], int conditional_only)
{
	standins.n = 0;
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(pb->arch_mask & (1u << a)) || a == arch_native())
			continue;
		for (size_t i = 0; i < low[a].n; i++) {
			const struct rule *r = low[a].rules[i].rule;
			if (conditional_only && unconditional(&low[a].rules[i]))
				continue;
			char *owned;
			int host;
			const char *k = rule_kname(r, a, &owned);
			enum scmp_fit fit = scmp_fit(a, k, r->nr, &host);
			free(owned);
			if (fit == FIT_EXACT || standin_for(a, r->nr, &host))
				continue;
			if (add_standin(&low[a], r->nr)) {
				diag_error(u->diag, r->sys->loc,
					   "too many syscalls that libseccomp cannot filter directly on %s",
					   arch_table[a].name);
				return -1;
			}
		}
	}
	return 0;
}

/* The number to hand libseccomp for rule R on ARCH. */
static int scmp_number(const struct rule *r, int arch)
{
	int host;
	if (arch == arch_native())
		return r->nr;
	if (standin_for(arch, r->nr, &host))
		return host;
	char *owned;
	const char *k = rule_kname(r, arch, &owned);
	scmp_fit(arch, k, r->nr, &host);   /* exact: choose_standins saw to it */
	free(owned);
	return host;
}

static void to_scmp(const struct lcmp *c, struct scmp_arg_cmp *out)
{
	static const enum scmp_compare ops[] = {
		[LC_EQ] = SCMP_CMP_EQ, [LC_NE] = SCMP_CMP_NE, [LC_LT] = SCMP_CMP_LT,
		[LC_LE] = SCMP_CMP_LE, [LC_GT] = SCMP_CMP_GT, [LC_GE] = SCMP_CMP_GE,
		[LC_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
	};
	out->arg = (unsigned)c->arg;
	out->op = ops[c->op];
	out->datum_a = c->a;
	out->datum_b = c->b;
}

/* Orders in which chains are handed to libseccomp; the first that yields
 * a faithful program wins. */
enum add_order { ORDER_SOURCE, ORDER_LONGEST_FIRST, ORDER_SHORTEST_FIRST, ORDER_REVERSE,
		 ORDER_COUNT };

struct add_item {
	const struct lrule *lr;
	const struct lchain *ch;
	size_t seq;
};

static enum add_order sort_order;
static int masked_first;  /* try the masked-equality form first: see backend_build */

static int by_order(const void *x, const void *y)
{
	const struct add_item *a = x, *b = y;
	int d = 0;
	if (sort_order == ORDER_LONGEST_FIRST)
		d = b->ch->n - a->ch->n;
	else if (sort_order == ORDER_SHORTEST_FIRST)
		d = a->ch->n - b->ch->n;
	else if (sort_order == ORDER_REVERSE)
		return a->seq < b->seq ? 1 : -1;
	if (d)
		return d;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static scmp_filter_ctx new_context(struct unit *u, const struct policy_build *pb, int a)
{
	scmp_filter_ctx ctx = seccomp_init(pb->default_action);
	if (!ctx) {
		diag_error(u->diag, pb->default_loc, "libseccomp refused the default action");
		return NULL;
	}
	int rc = 0;
	if (scmp_token[a] != seccomp_arch_native()) {
		rc = seccomp_arch_add(ctx, scmp_token[a]);
		if (!rc)
			rc = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
	}
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* A binary search over syscall numbers instead of a linear chain:
	 * on a real syscall mix it runs ~2.7x fewer instructions (bench/). */
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, standins.n ? 1 : 2);
	if (rc) {
		diag_error(u->diag, pb->policy->loc, "libseccomp cannot set up a filter for %s: %s",
			   arch_table[a].name, strerror(-rc));
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

/* libseccomp 2.5 exports only to a file descriptor. */
static void *export_to_memory(struct unit *u, scmp_filter_ctx ctx, int pfc, size_t *len)
{
	int fd = memfd_create("sysfence-export", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	int rc = pfc ? seccomp_export_pfc(ctx, fd) : seccomp_export_bpf(ctx, fd);
	void *buf = NULL;
	off_t size = rc ? -1 : lseek(fd, 0, SEEK_END);
	if (size >= 0) {
		buf = arena_alloc(u->arena, (size_t)size + 1);
		if (pread(fd, buf, (size_t)size, 0) != size)
			buf = NULL;
		*len = (size_t)size;
	}
	close(fd);
	return buf;
}

/* ---- checking libseccomp's output against the policy ---- */

struct probe {
	uint32_t audit_arch, nr;
	uint64_t args[6];
	const struct rule *rule;    /* the rule whose chain it was made from */
};

struct probes {
	struct probe *v;
	size_t n, cap;
};

static void probe_add(struct unit *u, struct probes *ps, const struct probe *p)
{
	ps->v = arena_grow(u->arena, ps->v, ps->n, &ps->cap, sizeof(*ps->v));
	ps->v[ps->n++] = *p;
}

/* A stand-in's own number must get what the policy says for it (the
 * default: the policy does not use it). */
static void standin_probes(struct unit *u, struct probes *ps)
{
	for (size_t i = 0; i < standins.n; i++) {
		struct probe p = { standins.v[i].audit_arch, standins.v[i].from, { 0 }, NULL };
		probe_add(u, ps, &p);
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

/* Points inside each chain, and just outside each of its comparisons,
 * each also with garbage in the upper halves where an arch has them. */
static void make_probes(struct unit *u, const struct arch_lowering *low, struct probes *ps)
{
	int a = low->arch;
	for (size_t i = 0; i < low->n; i++) {
		const struct lrule *lr = &low->rules[i];
		for (size_t k = 0; k < lr->nchains; k++) {
			const struct lchain *ch = &lr->chains[k];
			struct probe p = { arch_table[a].audit_arch, (uint32_t)lr->rule->nr, { 0 }, lr->rule };
			for (int j = 0; j < ch->n; j++)
				probe_value(&ch->c[j], 1, &p.args[ch->c[j].arg]);
			for (int miss = -1; miss < ch->n; miss++) {
				struct probe q = p;
				if (miss >= 0 && !probe_value(&ch->c[miss], 0, &q.args[ch->c[miss].arg]))
					continue;
				probe_add(u, ps, &q);
				if (arch_table[a].word_bits == 64) {
					for (int r = 0; r < 6; r++)
						q.args[r] ^= 0xdeadbeef00000000ull;
					probe_add(u, ps, &q);
				}
			}
		}
	}
}

/* Returns the first probe the program gets wrong, or NULL. */
static const struct probe *check_probes(const struct policy_build *pb, const struct sock_filter *insns,
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

static void report_unfaithful(struct unit *u, const struct policy_build *pb, int a,
			      const struct probe *p, uint32_t got)
{
	char want_s[32], got_s[32], args[160];
	uint32_t want = policy_eval(pb, p->audit_arch, p->nr, p->args);
	size_t n = 0;
	for (int i = 0; i < 6 && n < sizeof(args); i++)
		n += (size_t)snprintf(args + n, sizeof(args) - n, "%s0x%llx", i ? ", " : "",
				      (unsigned long long)p->args[i]);
	const struct scmp_version *v = seccomp_version();
	char name[32];
	snprintf(name, sizeof(name), "syscall %u", p->nr);   /* a stand-in's own number */
	diag_error(u->diag, p->rule ? p->rule->sys->loc : pb->policy->loc,
		   "libseccomp %u.%u.%u built a wrong filter for '%s' on %s: for arguments (%s) it gives %s, "
		   "the policy means %s; no order or form of the rules helped, so the policy is refused",
		   v->major, v->minor, v->micro, p->rule ? rule_sys_name(p->rule, a) : name,
		   arch_table[a].name, args,
		   bpf_action_str(got, got_s, sizeof(got_s)), bpf_action_str(want, want_s, sizeof(want_s)));
}

/* Builds the context for one arch, trying add orders until the program
 * agrees with the policy on every probe. */
static scmp_filter_ctx try_orders(struct unit *u, const struct policy_build *pb,
				  const struct arch_lowering *low, const struct probes *probes,
				  const struct probe **first_bad, uint32_t *first_got, int *failed);

/* The same rules with every ordered or != comparison written as masked
 * equalities (its exact value set, cond.c's prefix decomposition): a second
 * chance for programs where libseccomp 2.5.4 gets its own ordered
 * comparisons wrong (e.g. `len < 0x1000 || len > 0x100000000` on a 64-bit
 * argument). Returns NULL when that would take too many chains. */
static struct arch_lowering *masked_only(struct unit *u, const struct arch_lowering *low)
{
	unsigned width = scmp_cmp_bits(low->arch);
	struct arch_lowering *out = arena_alloc(u->arena, sizeof(*out));
	*out = *low;
	out->rules = arena_alloc(u->arena, (low->n + 1) * sizeof(*out->rules));
	/* Each rule's chains are built here and kept at their exact size. */
	struct lchain *room = arena_alloc(u->arena, LOWER_CHAIN_LIMIT * sizeof(*room));
	for (size_t i = 0; i < low->n; i++) {
		const struct lrule *lr = &low->rules[i];
		struct lrule *nr = &out->rules[i];
		*nr = *lr;
		nr->nchains = 0;
		for (size_t k = 0; k < lr->nchains; k++) {
			/* Start from the chain with no comparisons, then multiply
			 * by each comparison's alternatives. */
			struct lchain *cur = arena_alloc(u->arena, sizeof(*cur));
			size_t ncur = 1;
			cur[0].n = 0;
			for (int j = 0; j < lr->chains[k].n; j++) {
				const struct lcmp *c = &lr->chains[k].c[j];
				static const enum relop rel[] = {
					[LC_NE] = OP_NE, [LC_LT] = OP_LT, [LC_LE] = OP_LE,
					[LC_GT] = OP_GT, [LC_GE] = OP_GE,
				};
				struct argset s;
				if (c->op == LC_EQ || c->op == LC_MASKED_EQ) {
					struct term t = c->op == LC_EQ ? (struct term){ width_mask(width), c->a }
								       : (struct term){ c->a, c->b };
					s = (struct argset){ &t, 1 };
					s = argset_intersect(u->arena, s, s);   /* a copy in the arena */
				} else {
					struct atom at = { .arg = c->arg, .width = width,
							   .mask = width_mask(width), .op = rel[c->op],
							   .value = c->a };
					s = argset_of_atom(u->arena, &at);
				}
				if (ncur * s.n > LOWER_CHAIN_LIMIT)
					return NULL;
				struct lchain *next = arena_alloc(u->arena, (ncur * s.n + 1) * sizeof(*next));
				size_t nn = 0;
				for (size_t p = 0; p < ncur; p++)
					for (size_t t = 0; t < s.n; t++) {
						next[nn] = cur[p];
						if (s.t[t].mask)
							next[nn].c[next[nn].n++] = (struct lcmp){
								c->arg, LC_MASKED_EQ, s.t[t].mask, s.t[t].value };
						nn++;
					}
				cur = next;
				ncur = nn;
			}
			if (nr->nchains + ncur > LOWER_CHAIN_LIMIT)
				return NULL;
			memcpy(room + nr->nchains, cur, ncur * sizeof(*cur));
			nr->nchains += ncur;
		}
		nr->chains = arena_alloc(u->arena, (nr->nchains + 1) * sizeof(*nr->chains));
		memcpy(nr->chains, room, nr->nchains * sizeof(*room));
	}
	return out;
}

static scmp_filter_ctx arch_context(struct unit *u, const struct policy_build *pb,
				    const struct arch_lowering *low, struct probes *all)
{
	struct probes ps = { 0 };
	make_probes(u, low, &ps);
	const struct probe *first_bad = NULL;
	uint32_t first_got = 0;
	int failed = 0;
	const struct arch_lowering *alt = masked_only(u, low);
	const struct arch_lowering *form[2] = { masked_first && alt ? alt : low,
						masked_first || !alt ? NULL : alt };
	scmp_filter_ctx ctx = NULL;
	for (int f = 0; f < 2 && form[f] && !ctx && !failed; f++)
		ctx = try_orders(u, pb, form[f], &ps, &first_bad, &first_got, &failed);
	if (ctx) {
		for (size_t i = 0; i < ps.n; i++)
			probe_add(u, all, &ps.v[i]);
		return ctx;
	}
	if (!failed)
		report_unfaithful(u, pb, low->arch, first_bad, first_got);
	return NULL;
}

/* LOW's chains as items to add, in source order, with the number to hand
 * libseccomp for each rule (by the rule's index in LOW). */
static size_t collect_items(struct unit *u, const struct arch_lowering *low,
			    struct add_item **items, int **nrs)
{
	size_t n = 0, k = 0;
	for (size_t i = 0; i < low->n; i++)
		n += low->rules[i].nchains;
	*items = arena_alloc(u->arena, (n + 1) * sizeof(**items));
	*nrs = arena_alloc(u->arena, (low->n + 1) * sizeof(**nrs));
	for (size_t i = 0; i < low->n; i++) {
		(*nrs)[i] = scmp_number(low->rules[i].rule, low->arch);
		for (size_t c = 0; c < low->rules[i].nchains; c++, k++)
			(*items)[k] = (struct add_item){ &low->rules[i], &low->rules[i].chains[c], k };
	}
	return n;
}

/* A fresh context for LOW's arch holding ITEMS in their order. NULL with
 * *FAILED set when libseccomp refused (diagnosed). */
static scmp_filter_ctx fill_context(struct unit *u, const struct policy_build *pb,
				    const struct arch_lowering *low, const struct add_item *items,
				    size_t n, const int *nrs, int *failed)
{
	int a = low->arch;
	scmp_filter_ctx ctx = new_context(u, pb, a);
	if (!ctx) {
		*failed = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct scmp_arg_cmp cmps[6];
		const struct lrule *lr = items[i].lr;
		for (int j = 0; j < items[i].ch->n; j++)
			to_scmp(&items[i].ch->c[j], &cmps[j]);
		int rc = seccomp_rule_add_exact_array(ctx, lr->rule->action, nrs[lr - low->rules],
						      (unsigned)items[i].ch->n, cmps);
		if (rc) {
			diag_error(u->diag, lr->rule->sys->loc,
				   "libseccomp rejected the rule for '%s' on %s: %s",
				   rule_sys_name(lr->rule, a), arch_table[a].name, strerror(-rc));
			seccomp_release(ctx);
			*failed = 1;
			return NULL;
		}
	}
	return ctx;
}

/* Exports CTX and moves stand-ins into place. Returns 0 with the program
 * (NULL when it is too large to run: backend_build refuses it), or -1. */
static int export_program(struct unit *u, scmp_filter_ctx ctx, struct sock_filter **insns,
			  size_t *len)
{
	size_t bytes = 0;
	*insns = export_to_memory(u, ctx, 0, &bytes);
	*len = bytes / sizeof(**insns);
	if (!*insns || bpf_renumber(*insns, *len, standins.v, standins.n))
		return -1;
	if (*len > BPF_MAX_INSNS)
		*insns = NULL;
	return 0;
}

/* Exports CTX, moves stand-ins into place, and checks PROBES: the first
 * probe it gets wrong (PROBES->v when the program cannot be run or
 * renumbered), NULL when it is faithful, or NULL with *INSNS NULL when it
 * is too large to run (backend_build refuses it). */
static const struct probe *export_checked(struct unit *u, const struct policy_build *pb,
					  scmp_filter_ctx ctx, const struct probes *probes,
					  struct sock_filter **insns, size_t *len, uint32_t *got)
{
	if (export_program(u, ctx, insns, len))
		return probes->v;
	return *insns ? check_probes(pb, *insns, *len, probes, got) : NULL;
}

/* Adds LOW's chains to a fresh context in each order in turn until the
 * program agrees with the policy on every probe. *FAILED is set when
 * libseccomp refused outright (already diagnosed). */
static scmp_filter_ctx try_orders(struct unit *u, const struct policy_build *pb,
				  const struct arch_lowering *low, const struct probes *probes,
				  const struct probe **first_bad, uint32_t *first_got, int *failed)
{
	struct add_item *items;
	int *nrs;
	size_t n = collect_items(u, low, &items, &nrs);
	for (int k = 0; k < ORDER_COUNT; k++) {
		sort_order = (enum add_order)k;
		qsort(items, n, sizeof(*items), by_order);
		scmp_filter_ctx ctx = fill_context(u, pb, low, items, n, nrs, failed);
		if (!ctx)
			return NULL;
		struct sock_filter *insns;
		size_t len;
		uint32_t got = 0;
		const struct probe *bad = export_checked(u, pb, ctx, probes, &insns, &len, &got);
		if (!bad)
			return ctx;
		if (!*first_bad) {
			*first_bad = bad;
			*first_got = got;
		}
		seccomp_release(ctx);
	}
	return NULL;
}

/* Unconditional rules, decided by the layout pass instead of libseccomp
 * on the first try: libseccomp's export time grows with its rules, and a
 * syscall that always gets one action needs no code but a return. */
struct verdicts {
	struct bpf_verdict *v;
	size_t n, cap;
};

static void verdict_add(struct unit *u, struct verdicts *vs, int arch, const struct rule *r)
{
	vs->v = arena_grow(u->arena, vs->v, vs->n, &vs->cap, sizeof(*vs->v));
	vs->v[vs->n++] = (struct bpf_verdict){ arch_table[arch].audit_arch, (uint32_t)r->nr,
						   r->action };
}

/* Replaces libseccomp's program by layout.c's faster one with the same
 * meaning, which must pass the same probes: 0 when it did. The PFC text
 * stays libseccomp's. */
static int relayout(struct unit *u, const struct policy_build *pb, const struct probes *probes,
		    const struct backend_relayout *rl, const struct verdicts *vs, struct filter *f)
{
	struct sock_filter *insns;
	size_t len;
	uint32_t got;
	if (!rl ||
	    rl->run(rl->ctx, u->arena, f->insns, f->len, vs ? vs->v : NULL, vs ? vs->n : 0,
		    &insns, &len) ||
	    check_probes(pb, insns, len, probes, &got))
		return -1;
	f->insns = insns;
	f->len = len;
	return 0;
}

/* The common case in one pass: every arch's rules in source order, one
 * merged context, one export. Returns 1 with *MERGED and OUT's program
 * (not yet checked: see build_filter) set and the probes added to ALL,
 * 0 to take the careful way (each arch on its own, other orders and
 * forms), -1 when libseccomp refused a rule (diagnosed). */
static int first_try(struct unit *u, const struct policy_build *pb,
		     const struct arch_lowering low[ARCH_COUNT], int split, struct probes *all,
		     struct verdicts *vs, scmp_filter_ctx *merged, struct filter *out)
{
	struct probes ps = { 0 };
	scmp_filter_ctx m = NULL;
	int failed = 0;
	if (choose_standins(u, pb, low, split))
		return -1;
	standin_probes(u, &ps);
	for (size_t i = 0; i < all->n; i++)
		probe_add(u, &ps, &all->v[i]);
	for (int a = 0; a < ARCH_COUNT && !failed; a++) {
		if (!(pb->arch_mask & (1u << a)))
			continue;
		struct arch_lowering *rest = arena_alloc(u->arena, sizeof(*rest));
		*rest = low[a];
		rest->rules = arena_alloc(u->arena, (low[a].n + 1) * sizeof(*rest->rules));
		rest->n = 0;
		for (size_t i = 0; i < low[a].n; i++)
			if (split && unconditional(&low[a].rules[i]))
				verdict_add(u, vs, a, low[a].rules[i].rule);
			else
				rest->rules[rest->n++] = low[a].rules[i];
		const struct arch_lowering *form = masked_first ? masked_only(u, rest) : rest;
		if (!form)
			form = rest;
		make_probes(u, &low[a], &ps);
		struct add_item *items;
		int *nrs;
		size_t n = collect_items(u, form, &items, &nrs);
		scmp_filter_ctx ctx = fill_context(u, pb, form, items, n, nrs, &failed);
		if (ctx && !m)
			m = ctx;
		else if (ctx && seccomp_merge(m, ctx)) {
			seccomp_release(ctx);
			failed = 2;   /* let the careful way say why */
		}
	}
	struct sock_filter *insns = NULL;
	size_t len;
	if (!failed && m && !export_program(u, m, &insns, &len) && insns) {
		for (size_t i = all->n; i < ps.n; i++)
			probe_add(u, all, &ps.v[i]);
		*merged = m;
		out->insns = insns;
		out->len = len;
		return 1;
	}
	seccomp_release(m);
	return failed == 1 ? -1 : 0;
}

/* Each arch on its own, trying other orders and forms where libseccomp
 * got one wrong, then merged and exported. Returns 0 with OUT's program
 * and *MERGED set, or -1 (diagnosed). */
static int careful_way(struct unit *u, const struct policy_build *pb,
		       const struct arch_lowering low[ARCH_COUNT], struct probes *probes,
		       scmp_filter_ctx *merged, struct filter *out)
{
	int failed = 0;
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(pb->arch_mask & (1u << a)))
			continue;
		scmp_filter_ctx ctx = arch_context(u, pb, &low[a], probes);
		if (!ctx) {
			failed = 1;
			continue;
		}
		if (!*merged) {
			*merged = ctx;
			continue;
		}
		int rc = seccomp_merge(*merged, ctx);
		if (rc) {
			diag_error(u->diag, pb->policy->loc, "libseccomp cannot merge the %s filter: %s",
				   arch_table[a].name, strerror(-rc));
			seccomp_release(ctx);
			failed = 1;
		}
	}
	if (failed || !*merged)
		return -1;
	size_t bytes = 0;
	out->insns = export_to_memory(u, *merged, 0, &bytes);
	out->len = bytes / sizeof(struct sock_filter);
	if (!out->insns) {
		diag_error(u->diag, pb->policy->loc, "libseccomp could not export the filter");
		return -1;
	}
	if (bpf_renumber(out->insns, out->len, standins.v, standins.n)) {
		diag_error(u->diag, pb->policy->loc,
			   "cannot move the rules of syscalls libseccomp does not know into place in policy '%s'",
			   pb->policy->name);
		return -1;
	}
	if (out->len > BPF_MAX_INSNS) {
		diag_error(u->diag, pb->policy->loc,
			   "policy '%s' compiles to %zu BPF instructions; the kernel accepts at most %d",
			   pb->policy->name, out->len, BPF_MAX_INSNS);
		return -1;
	}
	uint32_t got;
	const struct probe *bad = check_probes(pb, out->insns, out->len, probes, &got);
	if (bad) {
		report_unfaithful(u, pb, policy_arch_of(bad->audit_arch, bad->nr), bad, got);
		return -1;
	}
	return 0;
}

static int build_filter(struct unit *u, const struct policy_build *pb,
			const struct arch_lowering low[ARCH_COUNT],
			const struct backend_relayout *rl, struct filter *out)
{
	scmp_filter_ctx merged = NULL;
	struct probes probes = { 0 };
	struct verdicts vs = { 0 };
	memset(out, 0, sizeof(*out));
	/* The layout pass must run (and PFC shows libseccomp's program) for
	 * unconditional rules to be left to it. */
	int split = rl && !u->opts->want_pfc;
	int first = first_try(u, pb, low, split, &probes, &vs, &merged, out);
	/* The first try's program counts once its relayout passes the probes
	 * (it means the same on every class, so a faithful relayout vouches
	 * for it, and one check is saved), or, without verdicts, once it
	 * passes them itself. */
	int laid = first == 1 ? relayout(u, pb, &probes, rl, &vs, out) : -1;
	uint32_t got;
	if (first == 1 && laid && (vs.n || check_probes(pb, out->insns, out->len, &probes, &got))) {
		seccomp_release(merged);
		merged = NULL;
		memset(out, 0, sizeof(*out));
		first = 0;
	}
	if (!first) {
		/* Every rule through libseccomp. */
		probes.n = 0;
		if (choose_standins(u, pb, low, 0))
			return -1;
		standin_probes(u, &probes);
	}
	if (first < 0 || (!first && careful_way(u, pb, low, &probes, &merged, out))) {
		seccomp_release(merged);
		return -1;
	}
	/* PFC only when asked for: an export costs as much as building. */
	out->pfc = u->opts->want_pfc ? export_to_memory(u, merged, 1, &out->pfc_len) : "";
	seccomp_release(merged);
	if (!out->pfc) {
		diag_error(u->diag, pb->policy->loc, "libseccomp could not export the filter");
		return -1;
	}
	if (!first)
		relayout(u, pb, &probes, rl, NULL, out);
	return 0;
}

/* ---- running libseccomp at arm's length ----
 *
 * libseccomp 2.5.4 has inputs on which seccomp_rule_add never returns
 * (tests/policies/23-libseccomp-hangs.policy), and a compiler must not
 * hang in CI. So the filter is built in a child process with a deadline;
 * the program and its PFC come back through a pipe. When the deadline
 * passes, the build is tried once more with the masked-equality form of
 * the rules first (the hangs seen so far involve libseccomp's own ordered
 * comparisons), and the policy is refused when that does not finish
 * either. */

#define BUILD_SECONDS 10   /* per attempt; SYSFENCE_LIBSECCOMP_TIMEOUT overrides */

struct build_header {
	int32_t status;
	uint32_t errors, warnings;
	uint64_t len, pfc_len;
};

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static void build_child(int fd, struct unit *u, const struct policy_build *pb,
			const struct arch_lowering low[ARCH_COUNT],
			const struct backend_relayout *rl)
{
	struct filter f;
	struct build_header h = { 0 };
	int errors = u->diag->errors, warnings = u->diag->warnings;
	h.status = build_filter(u, pb, low, rl, &f);
	h.errors = (uint32_t)(u->diag->errors - errors);
	h.warnings = (uint32_t)(u->diag->warnings - warnings);
	if (h.status == 0) {
		h.len = f.len;
		h.pfc_len = f.pfc_len;
	}
	fflush(u->diag->out);
	int bad = write_all(fd, &h, sizeof(h));
	if (!bad && h.status == 0)
		bad = write_all(fd, f.insns, f.len * sizeof(*f.insns)) ||
		      write_all(fd, f.pfc, f.pfc_len);
	_exit(bad ? 1 : 0);
}

static long long now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000LL + now.tv_nsec / 1000000;
}

/* Reads N bytes before DEADLINE (now_ms() time); 0, or -1 on
 * timeout, error or end of file. */
static int read_until(int fd, void *p, size_t n, long long deadline)
{
	char *c = p;
	while (n) {
		long long left = deadline - now_ms();
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (left <= 0)
			return -1;
		int rc = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			continue;   /* time left is checked above */
		ssize_t got = read(fd, c, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		c += got;
		n -= (size_t)got;
	}
	return 0;
}

/* One attempt in a child. Returns 0 (built), 1 (refused, diagnosed by the
 * child) or -1 (did not finish in time). */
static int build_attempt(struct unit *u, const struct policy_build *pb,
			 const struct arch_lowering low[ARCH_COUNT],
			 const struct backend_relayout *rl, struct filter *out, int seconds)
{
	int fds[2];
	fflush(u->diag->out);
	if (pipe(fds))
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return build_filter(u, pb, low, rl, out) ? 1 : 0;   /* no child: in-process */
	}
	if (pid == 0) {
		close(fds[0]);
		build_child(fds[1], u, pb, low, rl);
	}
	close(fds[1]);
	long long deadline = now_ms() + seconds * 1000LL;
	struct build_header h;
	int rc = read_until(fds[0], &h, sizeof(h), deadline);
	if (rc == 0 && h.status == 0 && h.len <= BPF_MAX_INSNS && h.pfc_len < (64u << 20)) {
		out->len = (size_t)h.len;
		out->pfc_len = (size_t)h.pfc_len;
		out->insns = arena_alloc(u->arena, out->len * sizeof(*out->insns) + 1);
		out->pfc = arena_alloc(u->arena, out->pfc_len + 1);
		rc = read_until(fds[0], out->insns, out->len * sizeof(*out->insns), deadline) ||
		     read_until(fds[0], out->pfc, out->pfc_len, deadline);
	}
	close(fds[0]);
	if (rc)
		kill(pid, SIGKILL);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc)
		return -1;
	u->diag->errors += (int)h.errors;
	u->diag->warnings += (int)h.warnings;
	return h.status == 0 ? 0 : 1;
}

int backend_build(struct unit *u, const struct policy_build *pb,
		  const struct arch_lowering low[ARCH_COUNT],
		  const struct backend_relayout *relayout, struct filter *out)
{
	const char *env = getenv("SYSFENCE_LIBSECCOMP_TIMEOUT");
	int seconds = env && atoi(env) > 0 ? atoi(env) : BUILD_SECONDS;
	memset(out, 0, sizeof(*out));
	for (masked_first = 0; masked_first < 2; masked_first++) {
		int rc = build_attempt(u, pb, low, relayout, out, seconds);
		if (rc >= 0)
			return rc ? -1 : 0;
	}
	const struct scmp_version *v = seccomp_version();
	diag_error(u->diag, pb->policy->loc,
		   "libseccomp %u.%u.%u did not finish building the filter of policy '%s' "
		   "(2 attempts of %d s); this is a libseccomp bug, and the policy is refused",
		   v->major, v->minor, v->micro, pb->policy->name, seconds);
	return -1;
}
