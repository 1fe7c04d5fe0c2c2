/* Timing figures for the exact validator (a benchmark, not a test): how
 * long validate_filter and validate_programs take on large filters.
 *
 *  - docker: the 360 syscalls of bench/docker-names.txt allowed on x86_64,
 *    x86 and aarch64;
 *  - fd-rules: 10,000 rules "allow S if fd == K" over 40 syscalls (as
 *    bench/workloads.c's policy_fd_rules, stagger 0 and 3);
 *  - two-actions: 10,000 rules on write, allow and errno alternating.
 *
 * and any FILE[:POLICY] named after it (e.g. an import-oci of Docker's own
 * profile). Times are the best of 5, CPU time of this process (the
 * machine may be shared), wall time in brackets.
 *
 * usage: validate_time DOCKER_NAMES [FILE[:POLICY]]... */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vtest.h"

static const char *const fd_calls[] = {
	"read", "write", "close", "fstat", "lseek", "pread64", "pwrite64",
	"readv", "writev", "fsync", "fdatasync", "ftruncate", "fchmod",
	"fchown", "flock", "getdents64", "fcntl", "ioctl", "dup", "dup2",
	"fstatfs", "shutdown", "connect", "bind", "listen", "accept",
	"accept4", "sendto", "recvfrom", "sendmsg", "recvmsg",
	"getsockname", "getpeername", "setsockopt", "getsockopt",
	"fadvise64", "fallocate", "syncfs", "fchdir", "epoll_ctl",
};
#define NFD_CALLS (sizeof(fd_calls) / sizeof(fd_calls[0]))

static FILE *open_policy(const char *path, const char *arches)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fprintf(f, "policy bench {\n  default errno(EPERM);\n  arch %s;\n", arches);
	return f;
}

static void write_docker(const char *path, const char *names)
{
	FILE *in = fopen(names, "r"), *f = open_policy(path, "x86_64, x86, aarch64");
	char line[128], name[64];
	if (!in) {
		perror(names);
		exit(2);
	}
	while (fgets(line, sizeof(line), in))
		if (line[0] != '#' && sscanf(line, "%63s", name) == 1)
			fprintf(f, "  allow %s;\n", name);
	fclose(in);
	fprintf(f, "}\n");
	fclose(f);
}

static void write_fd_rules(const char *path, size_t nrules, unsigned stagger)
{
	FILE *f = open_policy(path, "x86_64");
	for (size_t s = 0; s < NFD_CALLS; s++) {
		size_t count = nrules / NFD_CALLS + (s < nrules % NFD_CALLS);
		for (size_t k = 0; k < count; k++)
			fprintf(f, "  allow %s if arg0 == %zu;\n", fd_calls[s], k + stagger * s);
	}
	fprintf(f, "}\n");
	fclose(f);
}

static void write_two_actions(const char *path, size_t nrules)
{
	FILE *f = open_policy(path, "x86_64");
	for (size_t k = 0; k < nrules; k++)
		fprintf(f, "  %s write if arg0 == %zu;\n", k % 2 ? "allow" : "errno(13)", k);
	fprintf(f, "}\n");
	fclose(f);
}

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct timing {
	double best, wall;
};

static void keep_best(struct timing *t, double cpu, double wall)
{
	if (cpu < t->best) {
		t->best = cpu;
		t->wall = wall;
	}
}

/* Best of 5 runs of each comparison. */
static void measure(const char *label, const char *path, const char *policy)
{
	struct compilation c;
	struct validate_cex cex;
	char why[200];
	double t0 = vt_now_ms();
	if (compilation_run(&c, NULL, path, policy, 0, stderr)) {
		printf("%-22s does not compile\n", label);
		compilation_free(&c);
		return;
	}
	double compile = vt_now_ms() - t0;
	struct timing f = { 1e9, 0 }, p = { 1e9, 0 };
	int rc = 0, rc2 = 0;
	for (int rep = 0; rep < 5; rep++) {
		double w0 = vt_now_ms(), c0 = cpu_ms();
		rc = validate_filter(&c.pb, c.filter.insns, c.filter.len, &cex, why, sizeof(why));
		double w1 = vt_now_ms(), c1 = cpu_ms();
		rc2 = validate_programs(c.filter.insns, c.filter.len, c.filter.insns, c.filter.len,
					&cex, why, sizeof(why));
		keep_best(&f, c1 - c0, w1 - w0);
		keep_best(&p, cpu_ms() - c1, vt_now_ms() - w1);
	}
	printf("%-24s %5zu insns  compile %7.1f ms  validate_filter %6.1f ms [%6.1f] (%s)"
	       "  validate_programs(self) %6.1f ms [%6.1f] (%s)\n", label, c.filter.len, compile,
	       f.best, f.wall, rc == 0 ? "equal" : rc == 1 ? "MISMATCH" : why, p.best, p.wall,
	       rc2 == 0 ? "equal" : rc2 == 1 ? "MISMATCH" : why);
	compilation_free(&c);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/validate-time-XXXXXX", path[256];
	if (argc < 2) {
		fprintf(stderr, "usage: %s DOCKER_NAMES\n", argv[0]);
		return 2;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/docker.policy", dir);
	write_docker(path, argv[1]);
	measure("docker (3 arches)", path, NULL);
	unlink(path);
	snprintf(path, sizeof(path), "%s/fd.policy", dir);
	write_fd_rules(path, 10000, 0);
	measure("fd-rules 10k", path, NULL);
	write_fd_rules(path, 10000, 3);
	measure("fd-rules 10k stagger 3", path, NULL);
	unlink(path);
	snprintf(path, sizeof(path), "%s/two.policy", dir);
	write_two_actions(path, 10000);
	measure("two-actions 10k", path, NULL);
	unlink(path);
	rmdir(dir);
	for (int i = 2; i < argc; i++) {
		snprintf(path, sizeof(path), "%s", argv[i]);
		char *name = strchr(path, ':');
		if (name)
			*name++ = '\0';
		measure(argv[i], path, name);
	}
	return 0;
}
