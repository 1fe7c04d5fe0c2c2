/* Timing, processes and files for the benchmark suite. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

static int failures;

void bench_failed(void)
{
	failures++;
}

int bench_failures(void)
{
	return failures;
}

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double median(double *v, size_t n)
{
	if (n == 0)
		return -1;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double run_timed(char *const argv[], const char *errpath, double *cpu_ns)
{
	return run_measured(argv, errpath, cpu_ns, NULL);
}

double run_measured(char *const argv[], const char *errpath, double *cpu_ns, double *rss_kib)
{
	struct rusage ru;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (errpath)
		posix_spawn_file_actions_addopen(&fa, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	uint64_t t0 = now_ns();
	int err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err || wait4(pid, &status, 0, &ru) != pid)
		return -1;
	uint64_t t1 = now_ns();
	if (cpu_ns)
		*cpu_ns = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
			  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
	if (rss_kib)
		*rss_kib = (double)ru.ru_maxrss;   /* the largest of it and its children */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return (double)(t1 - t0);
}

int read_prog(const char *path, struct bench_prog *out)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	out->insns = NULL;
	out->len = 0;
	if (fd < 0 || fstat(fd, &st) || st.st_size <= 0 ||
	    st.st_size % (off_t)sizeof(struct sock_filter)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	out->insns = malloc((size_t)st.st_size);
	int ok = out->insns && read(fd, out->insns, (size_t)st.st_size) == st.st_size;
	close(fd);
	out->len = (size_t)st.st_size / sizeof(struct sock_filter);
	return ok ? 0 : -1;
}

/* The first lines of a failed child's stderr, on ours. */
void show_error(const char *errpath)
{
	FILE *f = fopen(errpath, "r");
	char line[512];
	for (int i = 0; f && i < 3 && fgets(line, sizeof(line), f); i++)
		fprintf(stderr, "bench: %s", line);
	if (f)
		fclose(f);
}

char *tmp_path(const struct bench_env *env, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", env->tmpdir, name) < 0) {
		perror("bench");
		exit(1);
	}
	return p;
}

int sysfence_build(const struct bench_env *env, const struct bench_policy *p,
		   const char *profile, struct bench_prog *out)
{
	char *src = tmp_path(env, "build.policy"), *bpf = tmp_path(env, "build.bpf");
	char *err = tmp_path(env, "build.err");
	char *argv[] = { (char *)env->sysfence, "compile", src, "-o", bpf,
			 profile ? "--profile" : NULL, (char *)profile, NULL };
	int rc = -1;
	if (policy_write_sysfence(p, src) == 0 && run_timed(argv, err, NULL) >= 0)
		rc = read_prog(bpf, out);
	else
		show_error(err);
	unlink(src);
	unlink(bpf);
	unlink(err);
	free(src);
	free(bpf);
	free(err);
	return rc;
}

/* Runs FN in a forked child, so that the filter it loads dies with it;
 * the child's figures come back through a shared page. */
int in_child(int (*fn)(void *ctx, double *out), void *ctx, double *out, size_t nout)
{
	double *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status, rc = -1;
	if (shared == MAP_FAILED || nout > 4096 / sizeof(double))
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	/* The raw exit_group: under ASan, _exit first makes syscalls of its
	 * own (sigaltstack) that the child's filter denies. */
	if (pid == 0)
		syscall(SYS_exit_group, fn(ctx, shared) ? 1 : 0);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0) {
		memcpy(out, shared, nout * sizeof(double));
		rc = 0;
	}
	munmap(shared, 4096);
	return rc;
}

const char *const builder_names[NBUILDERS] = {
	"sysfence", "sysfence --profile mix", "libseccomp default", "libseccomp tree (OPTIMIZE=2)",
};

int bench_build(const struct bench_env *env, const struct bench_policy *p, enum builder b,
		struct bench_prog *out)
{
	char profile[512];
	switch (b) {
	case SYSFENCE:
		return sysfence_build(env, p, NULL, out);
	case SYSFENCE_PROFILE:
		if (!env->has_profile)
			return 1;
		snprintf(profile, sizeof(profile), "%s/mix-x86_64.strace-c.txt", env->data_dir);
		return sysfence_build(env, p, profile, out);
	case SCMP_DEFAULT:
		return scmp_build(p, 1, out);
	default:
		return scmp_build(p, 2, out);
	}
}
