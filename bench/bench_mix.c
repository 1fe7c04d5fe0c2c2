/* Filter speed on a real syscall mix, as a ratio against a baseline built
 * in the same run.
 *
 * The mix (bench/data/mix-x86_64.tsv: nr, count, name) comes from strace
 * of three real workloads. Both filters allow exactly those syscalls with
 * default errno(EPERM): the baseline is what a hand-written libseccomp
 * program gets (default layout), the candidate is sysfence's output. The
 * cost is the number of BPF instructions the interpreter executes,
 * weighted by how often each syscall occurs: it is what the kernel runs
 * per syscall, and unlike time it does not depend on machine load.
 * With PROFILE (an strace -c table of the same mix) the candidate is also
 * compiled with --profile; "libseccomp tree" is sysfence without its
 * layout pass (libseccomp's binary tree).
 * Usage: bench_mix MIX.tsv [PROFILE] */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bpf/bpf.h"
#include "driver/compilation.h"
#include "layout/profile.h"

struct entry {
	int nr;
	long count;
	char name[64];
};

static struct entry mix[512];
static size_t nmix;

static int read_mix(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && nmix < 512) {
		struct entry *e = &mix[nmix];
		if (line[0] != '#' && sscanf(line, "%d %ld %63s", &e->nr, &e->count, e->name) == 3)
			nmix++;
	}
	fclose(f);
	return nmix ? 0 : -1;
}

struct cost {
	double mean;
	size_t max, len;
};

static int measure(const struct sock_filter *p, size_t len, struct cost *c)
{
	double total = 0, weight = 0;
	c->max = 0;
	c->len = len;
	for (size_t i = 0; i < nmix; i++) {
		struct seccomp_data d = { .nr = mix[i].nr, .arch = AUDIT_ARCH_X86_64 };
		uint32_t ret;
		size_t steps;
		if (bpf_run(p, len, &d, &ret, &steps) || ret != SECCOMP_RET_ALLOW)
			return -1;   /* both filters must allow the whole mix */
		total += (double)steps * (double)mix[i].count;
		weight += (double)mix[i].count;
		if (steps > c->max)
			c->max = steps;
	}
	c->mean = total / weight;
	return 0;
}

static struct sock_filter *baseline(size_t *len)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	for (size_t i = 0; i < nmix; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, mix[i].nr, 0))
			return NULL;
	int fd = memfd_create("baseline", 0);
	seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	off_t size = lseek(fd, 0, SEEK_END);
	struct sock_filter *p = malloc((size_t)size);
	if (!p || pread(fd, p, (size_t)size, 0) != size)
		return NULL;
	close(fd);
	*len = (size_t)size / sizeof(*p);
	return p;
}

/* Compiles the mix policy at PATH with OPTS and measures it; prints a row. */
static int candidate(const char *path, const struct unit_options *opts, const char *label,
		     struct cost *c)
{
	struct compilation comp;
	int rc = compilation_run(&comp, opts, path, NULL, 1u << ARCH_X86_64, stderr);
	if (!rc)
		rc = measure(comp.filter.insns, comp.filter.len, c);
	if (!rc)
		printf("%-34s %8.2f %5zu %7zu\n", label, c->mean, c->max, c->len);
	compilation_free(&comp);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || read_mix(argv[1])) {
		fprintf(stderr, "usage: bench_mix MIX.tsv [PROFILE]\n");
		return 2;
	}
	char path[] = "/tmp/sysfence-bench-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "policy mix {\n  default errno(EPERM);\n");
	for (size_t i = 0; i < nmix; i++)
		fprintf(f, "  allow %s;\n", mix[i].name);
	fprintf(f, "}\n");
	fclose(f);
	struct unit_options opts = { 0 }, tree = { .libseccomp_layout = 1 }, prof = { 0 };
	size_t blen = 0;
	struct sock_filter *b = baseline(&blen);
	struct cost base, ours, other;
	printf("syscall mix: %zu syscalls, x86_64, default errno(EPERM)\n", nmix);
	printf("%-34s %8s %5s %7s\n", "filter", "mean", "max", "insns");
	int rc = !b || measure(b, blen, &base);
	if (!rc)
		printf("%-34s %8.2f %5zu %7zu\n", "libseccomp default (baseline)", base.mean, base.max, base.len);
	rc = rc || candidate(path, &tree, "sysfence, libseccomp tree", &other) ||
	     candidate(path, &opts, "sysfence (built-in prior)", &ours);
	if (!rc && argc == 3) {
		struct arena *pa = arena_new();
		prof.profile = profile_load(pa, argv[2]);
		rc = !prof.profile || candidate(path, &prof, "sysfence --profile", &other);
		arena_free(pa);
	}
	unlink(path);
	if (rc) {
		fprintf(stderr, "bench_mix: a filter failed to build or to allow the mix\n");
		return 1;
	}
	printf("ratio (sysfence / baseline): %.3f mean instructions per syscall\n", ours.mean / base.mean);
	free(b);
	return 0;
}
