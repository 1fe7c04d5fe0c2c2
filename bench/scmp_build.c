/* A benchmark policy built the way a hand-written libseccomp program
 * builds it: seccomp_init, seccomp_arch_add, one seccomp_rule_add per
 * rule, seccomp_export_bpf. Used in-process by the suite and, as a
 * process of its own, by scmp_direct.c for the compile-time comparison. */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

static int add_arches(scmp_filter_ctx ctx, unsigned arches)
{
	static const struct { unsigned bit; uint32_t token; } map[] = {
		{ BENCH_X86_64, SCMP_ARCH_X86_64 },
		{ BENCH_X86, SCMP_ARCH_X86 },
		{ BENCH_AARCH64, SCMP_ARCH_AARCH64 },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		int have = seccomp_arch_exist(ctx, map[i].token) == 0;
		int want = (arches & map[i].bit) != 0;
		if (want && !have && seccomp_arch_add(ctx, map[i].token))
			return -1;
		if (!want && have && seccomp_arch_remove(ctx, map[i].token))
			return -1;
	}
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, const struct bench_rule *r)
{
	struct scmp_arg_cmp cmp[BENCH_MAX_CMPS];
	int nr = seccomp_syscall_resolve_name(r->name);
	if (nr == __NR_SCMP_ERROR)
		return -1;
	for (unsigned c = 0; c < r->ncmp; c++) {
		const struct bench_cmp *m = &r->cmp[c];
		if (m->ne)
			cmp[c] = (struct scmp_arg_cmp){ m->arg, SCMP_CMP_NE, m->value, 0 };
		else if (m->mask == UINT64_MAX)
			cmp[c] = (struct scmp_arg_cmp){ m->arg, SCMP_CMP_EQ, m->value, 0 };
		else
			cmp[c] = (struct scmp_arg_cmp){ m->arg, SCMP_CMP_MASKED_EQ, m->mask, m->value };
	}
	return seccomp_rule_add_array(ctx, r->err ? SCMP_ACT_ERRNO((uint32_t)r->err) : SCMP_ACT_ALLOW, nr,
				      r->ncmp, cmp);
}

/* seccomp_export_bpf writes to a file descriptor: an anonymous file. */
static int export_prog(scmp_filter_ctx ctx, struct bench_prog *out)
{
	int fd = memfd_create("scmp", 0);
	if (fd < 0)
		return -1;
	off_t size;
	if (seccomp_export_bpf(ctx, fd) || (size = lseek(fd, 0, SEEK_END)) <= 0) {
		close(fd);
		return -1;
	}
	out->insns = malloc((size_t)size);
	out->len = (size_t)size / sizeof(struct sock_filter);
	int ok = out->insns && pread(fd, out->insns, (size_t)size, 0) == size;
	close(fd);
	return ok ? 0 : -1;
}

int scmp_build(const struct bench_policy *p, int optimize, struct bench_prog *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int rc = -1;
	if (!ctx)
		return -1;
	if (add_arches(ctx, p->arches) ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)optimize))
		goto out;
	for (size_t i = 0; i < p->nrules; i++)
		if (add_rule(ctx, &p->rules[i]))
			goto out;
	rc = export_prog(ctx, out);
out:
	seccomp_release(ctx);
	return rc;
}
