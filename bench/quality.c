/* Section 1, filter quality: how many BPF instructions a filter has and
 * how many it executes per syscall of the mix (weighted by the mix's
 * counts), from the in-tree interpreter, so the figures are exact and do
 * not depend on machine load. Every filter's verdict on every vector is
 * checked against the policy itself before it is measured. */
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "bpf/bpf.h"

struct quality {
	size_t len, max;
	double mean;
};

/* Runs the mix (with its argument vectors) through PROG. */
static int measure(const struct bench_env *env, const struct bench_policy *pol,
		   const struct bench_prog *prog, struct quality *q)
{
	double total = 0, weight = 0;
	q->len = prog->len;
	q->max = 0;
	for (size_t i = 0; i < env->mix.n; i++) {
		const struct mix_entry *e = &env->mix.e[i];
		const struct vector *v;
		size_t nv = vectors_for(e->name, &v);
		for (size_t j = 0; j < nv; j++) {
			struct seccomp_data d = { .nr = e->nr, .arch = AUDIT_ARCH_X86_64 };
			uint32_t ret;
			size_t steps;
			for (int a = 0; a < 6; a++)
				d.args[a] = v[j].args[a];
			if (bpf_run(prog->insns, prog->len, &d, &ret, &steps))
				return -1;
			int allow = policy_allows(pol, e->name, v[j].args);
			if (ret != (allow ? SECCOMP_RET_ALLOW : SECCOMP_RET_ERRNO | 1)) {
				fprintf(stderr, "bench: filter gives %#x to %s vector %zu\n",
					ret, e->name, j);
				return -1;
			}
			double w = (double)e->count * v[j].share;
			total += (double)steps * w;
			weight += w;
			if (steps > q->max)
				q->max = steps;
		}
	}
	q->mean = total / weight;
	return 0;
}


static void quality_rows(struct bench_env *env, const char *title_in, const struct bench_policy *pol,
			 double mean[NBUILDERS], double max[NBUILDERS])
{
	char title[128];   /* fmt's buffers are reused: keep a copy */
	struct quality q[NBUILDERS];
	int ok[NBUILDERS];
	snprintf(title, sizeof(title), "%s", title_in);
	for (int b = 0; b < NBUILDERS; b++) {
		struct bench_prog prog = { 0 };
		int rc = bench_build(env, pol, (enum builder)b, &prog);
		ok[b] = rc == 0 && measure(env, pol, &prog, &q[b]) == 0;
		mean[b] = ok[b] ? q[b].mean : -1;
		max[b] = ok[b] ? (double)q[b].max : -1;
		if (rc < 0 || (rc == 0 && !ok[b])) {
			fprintf(stderr, "bench: %s: %s failed\n", title, builder_names[b]);
			bench_failed();
		}
		free(prog.insns);
	}
	for (int b = 0; b < NBUILDERS; b++) {
		const char *name = fmt("%s: %s", title, builder_names[b]);
		if (!ok[b]) {
			table_row(5, name, "n/a", "n/a", "n/a", "n/a");
			continue;
		}
		table_row(5, name, fmt("%zu", q[b].len), fmt("%.2f", q[b].mean),
			  fmt("%zu", q[b].max),
			  ok[SCMP_DEFAULT] ? fmt("%.3f", q[b].mean / q[SCMP_DEFAULT].mean) : "n/a");
	}
}

void bench_quality(struct bench_env *env)
{
	struct bench_policy pol;
	table_section("1. Filter quality (x86_64, BPF interpreter, weighted by the syscall mix)");
	table_header(5, "policy: filter", "insns", "mean exec", "max exec", "mean / libseccomp default");
	policy_mix(&pol, &env->mix, BENCH_X86_64, 0);
	quality_rows(env, fmt("mix allow-list (%zu)", pol.nrules), &pol, env->mean[0], env->max[0]);
	policy_free(&pol);
	policy_conditional(&pol, &env->mix);
	quality_rows(env, "mix + conditions", &pol, env->mean[1], env->max[1]);
	policy_free(&pol);
	table_note("Mix: bench/data/mix-x86_64.tsv (%zu syscalls, strace of an HTTP server, tar, gcc); "
		   "default errno(EPERM). \"mix + conditions\": write only to fd 1 or 2, openat without "
		   "write access/O_CREAT/O_TRUNC/O_APPEND, socket of AF_INET/AF_INET6/AF_UNIX and "
		   "SOCK_STREAM, mprotect without PROT_EXEC; the rest of the mix unconditional.",
		   env->mix.n);
	table_note("%s", vectors_describe());
	if (!env->has_profile)
		table_note("n/a: this sysfence has no `compile --profile`.");
}
