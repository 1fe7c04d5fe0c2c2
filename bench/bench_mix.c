/* Filter speed on a real syscall mix, as a ratio against a baseline built
 * in the same run.
 *
 * The mix (shared/bench/mix-x86_64.tsv: nr, count, name) comes from strace
 * of three real workloads. Both filters allow exactly those syscalls with
 * default errno(EPERM): the baseline is what a hand-written libseccomp
 * program gets (default layout), the candidate is sysfence's output. The
 * cost is the number of BPF instructions the interpreter executes,
 * weighted by how often each syscall occurs: it is what the kernel runs
 * per syscall, and unlike time it does not depend on machine load.
 * Usage: bench_mix MIX.tsv */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bpf.h"
#include "compilation.h"

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

int main(int argc, char **argv)
{
	if (argc != 2 || read_mix(argv[1])) {
		fprintf(stderr, "usage: bench_mix MIX.tsv\n");
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
	struct unit_options opts = { 0 };
	struct compilation c;
	int rc = compilation_run(&c, &opts, path, NULL, 1u << ARCH_X86_64, stderr);
	unlink(path);
	size_t blen = 0;
	struct sock_filter *b = baseline(&blen);
	struct cost base, ours;
	if (rc || !b || measure(b, blen, &base) || measure(c.filter.insns, c.filter.len, &ours)) {
		fprintf(stderr, "bench_mix: a filter failed to build or to allow the mix\n");
		return 1;
	}
	printf("syscall mix: %zu syscalls, x86_64, default errno(EPERM)\n", nmix);
	printf("%-34s %8s %5s %7s\n", "filter", "mean", "max", "insns");
	printf("%-34s %8.2f %5zu %7zu\n", "libseccomp default (baseline)", base.mean, base.max, base.len);
	printf("%-34s %8.2f %5zu %7zu\n", "sysfence", ours.mean, ours.max, ours.len);
	printf("ratio (sysfence / baseline): %.3f mean instructions per syscall\n", ours.mean / base.mean);
	free(b);
	compilation_free(&c);
	return 0;
}
