/* Helpers the validator's tests share (see vtest.h). */
#define _GNU_SOURCE
#include "vtest.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int is_policy(const char *name)
{
	size_t n = strlen(name);
	return n > 7 && strcmp(name + n - 7, ".policy") == 0;
}

size_t vt_list(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t n = 0;
	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		exit(2);
	}
	while ((de = readdir(d))) {
		if (!is_policy(de->d_name))
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v || asprintf(&v[n], "%s/%s", dir, de->d_name) < 0) {
			perror("alloc");
			exit(2);
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), by_name);
	*out = v;
	return n;
}

void vt_free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

size_t vt_policy_names(const char *path, char **names)
{
	FILE *f = fopen(path, "r");
	char line[512], name[128];
	size_t n = 0;
	if (!f)
		return 0;
	while (n < VT_MAX_POLICIES && fgets(line, sizeof(line), f))
		if (sscanf(line, " policy %127[A-Za-z0-9_]", name) == 1 && (names[n] = strdup(name)))
			n++;
	fclose(f);
	return n;
}

int vt_recheck(const struct policy_build *pb, const struct sock_filter *insns, size_t len,
	       const struct validate_cex *cex)
{
	struct seccomp_data d;
	uint32_t got = 0;
	validate_cex_data(cex, &d);
	if (bpf_run(insns, len, &d, &got, NULL))
		return 0;
	uint32_t want = policy_eval(pb, cex->arch, cex->nr, cex->args);
	return got == cex->actual && want == cex->expected && got != want;
}

int vt_recheck2(const struct sock_filter *a, size_t alen, const struct sock_filter *b,
		size_t blen, const struct validate_cex *cex)
{
	struct seccomp_data d;
	uint32_t x = 0, y = 0;
	validate_cex_data(cex, &d);
	if (bpf_run(a, alen, &d, &x, NULL) || bpf_run(b, blen, &d, &y, NULL))
		return 0;
	return x == cex->expected && y == cex->actual && x != y;
}

void vt_print_cex(FILE *out, const char *prefix, const struct validate_cex *c)
{
	char b1[32], b2[32];
	fprintf(out, "%sarch %#010" PRIx32 " nr %" PRIu32 " (%#" PRIx32 ") args %#" PRIx64 " %#" PRIx64
		" %#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64 " ip %#" PRIx64
		": expected %s, program %s\n", prefix, c->arch, c->nr, c->nr, c->args[0], c->args[1],
		c->args[2], c->args[3], c->args[4], c->args[5], c->instruction_pointer,
		bpf_action_str(c->expected, b1, sizeof(b1)), bpf_action_str(c->actual, b2, sizeof(b2)));
}

double vt_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int vt_isolated(int (*fn)(void *), void *arg, unsigned seconds)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		alarm(seconds);
		int rc = fn(arg);
		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
