/* libseccomp contexts: creating one per arch, adding an arch's chains to it
 * in a chosen order, and exporting the program (with stand-ins moved into
 * place) or its PFC text.
 *
 * Every rule_add result is checked; the analysis has already made sure no
 * two rules of a syscall overlap with different actions, so libseccomp has
 * no order-dependent choice to make. The order still matters to
 * libseccomp's bugs (see backend.c), hence scmp_ctx_sort. */
#define _GNU_SOURCE   /* memfd_create, qsort_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend/scmp_build.h"
#include "tables/tables.h"

uint32_t scmp_ctx_arch_token(int arch)
{
	static const uint32_t token[ARCH_COUNT] = {
		[ARCH_X86_64] = SCMP_ARCH_X86_64, [ARCH_X86] = SCMP_ARCH_X86,
		[ARCH_X32] = SCMP_ARCH_X32, [ARCH_AARCH64] = SCMP_ARCH_AARCH64,
	};
	return token[arch];
}

const char *scmp_ctx_rule_name(const struct rule *r, int arch, char *buf, size_t len)
{
	if (r->sys->desc && r->sys->desc->kname[arch])
		return r->sys->desc->kname[arch];
	if (r->sys->name)
		return r->sys->name;
	snprintf(buf, len, "syscall %d", r->nr);
	return buf;
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

/* qsort_r's comparator; ORDER points to the enum scmp_ctx_order. */
static int by_order(const void *x, const void *y, void *order)
{
	const struct scmp_ctx_item *a = x, *b = y;
	enum scmp_ctx_order o = *(const enum scmp_ctx_order *)order;
	int d = 0;
	if (o == ORDER_LONGEST_FIRST)
		d = b->ch->n - a->ch->n;
	else if (o == ORDER_SHORTEST_FIRST)
		d = a->ch->n - b->ch->n;
	else if (o == ORDER_REVERSE)
		return a->seq < b->seq ? 1 : -1;
	if (d)
		return d;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void scmp_ctx_sort(struct scmp_ctx_items *items, enum scmp_ctx_order order)
{
	qsort_r(items->v, items->n, sizeof(*items->v), by_order, &order);
}

void scmp_ctx_items(struct scmp_build *b, const struct arch_lowering *low,
		    struct scmp_ctx_items *out)
{
	struct arena *ar = b->u->arena;
	size_t n = 0, k = 0;
	for (size_t i = 0; i < low->n; i++)
		n += low->rules[i].nchains;
	out->low = low;
	out->n = n;
	out->v = arena_alloc(ar, (n + 1) * sizeof(*out->v));
	out->nrs = arena_alloc(ar, (low->n + 1) * sizeof(*out->nrs));
	for (size_t i = 0; i < low->n; i++) {
		out->nrs[i] = standins_number(b, low->rules[i].rule, low->arch);
		for (size_t c = 0; c < low->rules[i].nchains; c++, k++)
			out->v[k] = (struct scmp_ctx_item){ &low->rules[i], &low->rules[i].chains[c], k };
	}
}

/* An empty context for ARCH with the policy's default action. */
static scmp_filter_ctx new_context(struct scmp_build *b, int a)
{
	const struct policy_build *pb = b->pb;
	scmp_filter_ctx ctx = seccomp_init(pb->default_action);
	if (!ctx) {
		diag_error(b->u->diag, pb->default_loc, "libseccomp refused the default action");
		return NULL;
	}
	int rc = 0;
	if (scmp_ctx_arch_token(a) != seccomp_arch_native()) {
		rc = seccomp_arch_add(ctx, scmp_ctx_arch_token(a));
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
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, b->standins.n ? 1 : 2);
	if (rc) {
		diag_error(b->u->diag, pb->policy->loc, "libseccomp cannot set up a filter for %s: %s",
			   arch_table[a].name, strerror(-rc));
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

scmp_filter_ctx scmp_ctx_fill(struct scmp_build *b, const struct scmp_ctx_items *items,
			      int *failed)
{
	int a = items->low->arch;
	scmp_filter_ctx ctx = new_context(b, a);
	if (!ctx) {
		*failed = 1;
		return NULL;
	}
	for (size_t i = 0; i < items->n; i++) {
		struct scmp_arg_cmp cmps[6];
		const struct scmp_ctx_item *it = &items->v[i];
		const struct lrule *lr = it->lr;
		for (int j = 0; j < it->ch->n; j++)
			to_scmp(&it->ch->c[j], &cmps[j]);
		int rc = seccomp_rule_add_exact_array(ctx, lr->rule->action,
						      items->nrs[lr - items->low->rules],
						      (unsigned)it->ch->n, cmps);
		if (rc) {
			char name[24];
			diag_error(b->u->diag, lr->rule->sys->loc,
				   "libseccomp rejected the rule for '%s' on %s: %s",
				   scmp_ctx_rule_name(lr->rule, a, name, sizeof(name)),
				   arch_table[a].name, strerror(-rc));
			seccomp_release(ctx);
			*failed = 1;
			return NULL;
		}
	}
	return ctx;
}

/* libseccomp 2.5 exports only to a file descriptor: a memfd, read back
 * into the arena. */
void *scmp_ctx_export(struct unit *u, scmp_filter_ctx ctx, int pfc, size_t *len)
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

int scmp_ctx_export_program(struct scmp_build *b, scmp_filter_ctx ctx,
			    struct sock_filter **insns, size_t *len)
{
	size_t bytes = 0;
	*insns = scmp_ctx_export(b->u, ctx, 0, &bytes);
	*len = bytes / sizeof(**insns);
	if (!*insns || bpf_renumber(*insns, *len, b->standins.v, b->standins.n))
		return -1;
	if (*len > BPF_MAX_INSNS)
		*insns = NULL;
	return 0;
}
