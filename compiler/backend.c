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
 * no order-dependent choice to make. */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend.h"
#include "tables.h"

#define BPF_MAXINSNS_KERNEL 4096

static const uint32_t scmp_token[ARCH_COUNT] = {
	[ARCH_X86_64] = SCMP_ARCH_X86_64, [ARCH_X86] = SCMP_ARCH_X86,
	[ARCH_X32] = SCMP_ARCH_X32, [ARCH_AARCH64] = SCMP_ARCH_AARCH64,
};

static const char *rule_sys_name(const struct rule *r, int arch)
{
	if (r->sys->desc && r->sys->desc->kname[arch])
		return r->sys->desc->kname[arch];
	return r->sys->name;
}

/* The number to hand libseccomp for rule R on ARCH, or -1. */
static int scmp_number(struct unit *u, const struct rule *r, int arch)
{
	if (arch == arch_native())
		return r->nr;
	const char *kname = rule_sys_name(r, arch);
	char *owned = NULL;
	if (!kname) {
		owned = seccomp_syscall_resolve_num_arch(scmp_token[arch], r->nr);
		kname = owned;
	}
	int their = kname ? seccomp_syscall_resolve_name_arch(scmp_token[arch], kname) : __NR_SCMP_ERROR;
	int host = kname ? seccomp_syscall_resolve_name(kname) : __NR_SCMP_ERROR;
	const struct scmp_version *v = seccomp_version();
	int ok = their != __NR_SCMP_ERROR && host != __NR_SCMP_ERROR &&
		 (their == r->nr || (their | (int)arch_table[arch].nr_bias) == r->nr);
	if (!ok)
		diag_error(u->diag, r->sys->loc,
			   "libseccomp %u.%u.%u does not know syscall '%s' (%d) on %s, so it cannot be filtered there",
			   v->major, v->minor, v->micro, kname ? kname : "?", r->nr, arch_table[arch].name);
	free(owned);
	return ok ? host : -1;
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

static scmp_filter_ctx arch_context(struct unit *u, const struct policy_build *pb,
				    const struct arch_lowering *low)
{
	int a = low->arch;
	scmp_filter_ctx ctx = seccomp_init(pb->default_action);
	if (!ctx) {
		diag_error(u->diag, pb->policy->loc, "libseccomp refused the default action");
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
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc) {
		diag_error(u->diag, pb->policy->loc, "libseccomp cannot set up a filter for %s: %s",
			   arch_table[a].name, strerror(-rc));
		seccomp_release(ctx);
		return NULL;
	}
	int failed = 0;
	for (size_t i = 0; i < low->n; i++) {
		const struct lrule *lr = &low->rules[i];
		int nr = scmp_number(u, lr->rule, a);
		if (nr == -1) {
			failed = 1;
			continue;
		}
		for (size_t k = 0; k < lr->nchains; k++) {
			struct scmp_arg_cmp cmps[6];
			for (int j = 0; j < lr->chains[k].n; j++)
				to_scmp(&lr->chains[k].c[j], &cmps[j]);
			rc = seccomp_rule_add_exact_array(ctx, lr->rule->action, nr,
							  (unsigned)lr->chains[k].n, cmps);
			if (rc) {
				diag_error(u->diag, lr->rule->sys->loc,
					   "libseccomp rejected the rule for '%s' on %s: %s",
					   rule_sys_name(lr->rule, a), arch_table[a].name, strerror(-rc));
				failed = 1;
				break;
			}
		}
	}
	if (failed) {
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

int backend_build(struct unit *u, const struct policy_build *pb,
		  const struct arch_lowering low[ARCH_COUNT], struct filter *out)
{
	scmp_filter_ctx merged = NULL;
	int failed = 0;
	memset(out, 0, sizeof(*out));
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(pb->arch_mask & (1u << a)))
			continue;
		scmp_filter_ctx ctx = arch_context(u, pb, &low[a]);
		if (!ctx) {
			failed = 1;
			continue;
		}
		if (!merged) {
			merged = ctx;
			continue;
		}
		int rc = seccomp_merge(merged, ctx);
		if (rc) {
			diag_error(u->diag, pb->policy->loc, "libseccomp cannot merge the %s filter: %s",
				   arch_table[a].name, strerror(-rc));
			seccomp_release(ctx);
			failed = 1;
		}
	}
	if (failed || !merged) {
		seccomp_release(merged);
		return -1;
	}
	size_t bytes = 0;
	out->insns = export_to_memory(u, merged, 0, &bytes);
	out->pfc = export_to_memory(u, merged, 1, &out->pfc_len);
	seccomp_release(merged);
	if (!out->insns || !out->pfc) {
		diag_error(u->diag, pb->policy->loc, "libseccomp could not export the filter");
		return -1;
	}
	out->len = bytes / sizeof(struct sock_filter);
	if (out->len > BPF_MAXINSNS_KERNEL) {
		diag_error(u->diag, pb->policy->loc,
			   "policy '%s' compiles to %zu BPF instructions; the kernel accepts at most %d",
			   pb->policy->name, out->len, BPF_MAXINSNS_KERNEL);
		return -1;
	}
	return 0;
}
