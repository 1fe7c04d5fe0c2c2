/* Section 2, the kernel's constant-action cache: for each native arch the
 * kernel runs the filter once per syscall number at load time, with only
 * nr and arch known (kcache_const_allow emulates that), and a syscall it
 * proves allowed never runs the filter again. The share of the policy's
 * unconditionally allowed syscalls it can prove is what a filter gets
 * from the cache. */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bpf/bpf.h"
#include "kcache.h"

struct share {
	size_t proved, total;
	char missed[200]; /* the names not proved */
};

/* The arches whose cache the kernel fills on x86_64: native and i386. */
static const struct {
	const char *name;
	uint32_t token, audit;
} arches[] = {
	{ "x86_64", SCMP_ARCH_X86_64, AUDIT_ARCH_X86_64 },
	{ "x86", SCMP_ARCH_X86, AUDIT_ARCH_I386 },
};

/* The syscalls PROG allows with all arguments 0 (the policies here have
 * no conditions, so these are its unconditional allows), counted from the
 * filter itself, since builders may map a name to different numbers (x86
 * "mmap": old_mmap for libseccomp, mmap2 for sysfence). */
static struct share share_of(const struct bench_prog *prog, int a)
{
	struct share s = { 0, 0, "" };
	for (uint32_t nr = 0; nr < 1024; nr++) {
		struct seccomp_data d = { .nr = (int)nr, .arch = arches[a].audit };
		uint32_t ret;
		if (bpf_run(prog->insns, prog->len, &d, &ret, NULL) || ret != SECCOMP_RET_ALLOW)
			continue;
		s.total++;
		if (kcache_const_allow(prog->insns, prog->len, arches[a].audit, nr)) {
			s.proved++;
		} else if (strlen(s.missed) + 40 < sizeof(s.missed)) {
			char *name = seccomp_syscall_resolve_num_arch(arches[a].token, (int)nr);
			snprintf(s.missed + strlen(s.missed), sizeof(s.missed) - strlen(s.missed),
				 "%s%s (%u)", s.missed[0] ? ", " : "", name ? name : "?", nr);
			free(name);
		}
	}
	return s;
}

static void kcache_rows(struct bench_env *env, const char *title_in, const struct bench_policy *pol)
{
	char title[128];   /* fmt's buffers are reused: keep a copy */
	static const char *const builders[] = { "sysfence", "libseccomp default", "libseccomp tree" };
	char *missed[6];
	int nmissed = 0;
	snprintf(title, sizeof(title), "%s", title_in);
	for (int b = 0; b < 3; b++) {
		struct bench_prog prog = { 0 };
		int rc = b == 0 ? sysfence_build(env, pol, NULL, &prog) : scmp_build(pol, b, &prog);
		const char *cells[2] = { "n/a", "n/a" };
		if (rc)
			bench_failed();
		for (int a = 0; a < 2 && rc == 0; a++) {
			struct share s = share_of(&prog, a);
			double share = s.total ? (double)s.proved / (double)s.total : 0;
			if (b == 0 && (env->kcache_share < 0 || share < env->kcache_share))
				env->kcache_share = share;
			cells[a] = fmt("%zu / %zu (%.1f%%)", s.proved, s.total, 100 * share);
			if (s.missed[0] && asprintf(&missed[nmissed], "%s, %s on %s: not proved: %s",
						    title, builders[b], arches[a].name, s.missed) >= 0)
				nmissed++;
		}
		table_row(4, fmt("%s: %s", title, builders[b]), fmt("%zu", prog.len), cells[0], cells[1]);
		free(prog.insns);
	}
	for (int i = 0; i < nmissed; i++) {
		table_note("%s", missed[i]);
		free(missed[i]);
	}
}

void bench_kcache(struct bench_env *env)
{
	struct bench_policy pol;
	table_section("2. Kernel constant-action cache (allowed syscalls the kernel proves at load time)");
	table_header(4, "policy: filter", "insns", "x86_64", "x86 (i386)");
	policy_mix(&pol, &env->mix, BENCH_X86_64 | BENCH_X86, 1);
	kcache_rows(env, fmt("mix, %zu syscalls, x86_64+x86", pol.nrules), &pol);
	policy_free(&pol);
	if (policy_docker(&pol, env->docker_names, 360) == 0)
		kcache_rows(env, "Docker 360, x86_64+x86+aarch64", &pol);
	policy_free(&pol);
	table_note("The kernel's seccomp_is_const_allow, emulated by compiler/kcache.c: it follows "
		   "only loads of nr and arch, JA, JEQ/JGE/JGT/JSET with K and ALU AND K to a RET. "
		   "Counted: the syscall numbers below 1024 each filter allows (all arguments 0). "
		   "The mix leaves out its socket calls, which x86 reaches through socketcall.");
}
