/* Probe tests (effective widths, libseccomp miscompiles): each
 * tests/probes/DIR/NAME.policy is compiled through
 * the library (driver/compilation.h) and probed with the syscalls its
 * `# probe:` lines give, with raw 64-bit register values:
 *
 *   # probe: SYSCALL ARG... => ACTION [RESULT]
 *
 * ARG is a number (0x, 0o, 0b or decimal), a constant name (x86_64's
 * value), several joined by `|`, or `@path` (a pointer to a path in a
 * directory that does not exist). ACTION is `allow`, `kill_process` or
 * `errno(N)` (N a number or an errno name). RESULT, for `allow`, is what
 * the real call then gives: `ok` (no error) or an errno name; it shows what
 * the kernel made of the registers, so a probe can prove that the kernel
 * ignores bits. Each probe is checked on the reference evaluator
 * (policy_eval), on the BPF interpreter (bpf_run) and in the kernel: a
 * forked child sets PR_SET_NO_NEW_PRIVS, loads the filter and makes the
 * call with syscall(2); the result comes back through a pipe, or the
 * child dies of SIGSYS for kill_process.
 *
 * usage: run_probes DIR   (x86_64 only; exits 77, meson's "skipped",
 * elsewhere) */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf/bpf.h"
#include "driver/compilation.h"
#include "tables/tables.h"

#define WIDTHS_MAX_PROBES 32
#define WIDTHS_ABSENT_PATH "/nonexistent-sysfence-widths/f"

struct widths_probe {
	int line;
	const char *syscall;
	long nr;
	uint64_t args[6];
	uint32_t action;        /* SECCOMP_RET_* the probe expects */
	int check_result;       /* RESULT given (allow only) */
	int result_errno;       /* 0: the call succeeds */
};

struct widths_outcome {
	long ret;
	int err;
};

/* A constant of the tables on x86_64, or a number; -1 when neither. */
static int widths_term(const char *s, uint64_t *out)
{
	char *end;
	if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		*out = strtoull(s + 2, &end, 8);
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		*out = strtoull(s + 2, &end, 2);
	else
		*out = strtoull(s, &end, 0);
	if (end != s && !*end)
		return 0;
	const struct constant_desc *c = constant_find(s);
	if (!c || !(c->present & (1u << ARCH_X86_64)))
		return -1;
	*out = (uint64_t)c->value[ARCH_X86_64];
	return 0;
}

/* An argument: terms joined by '|', or @path. */
static int widths_arg(char *s, uint64_t *out)
{
	if (strcmp(s, "@path") == 0) {
		*out = (uint64_t)(uintptr_t)WIDTHS_ABSENT_PATH;
		return 0;
	}
	*out = 0;
	for (char *save = NULL, *t = strtok_r(s, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		uint64_t v;
		if (widths_term(t, &v))
			return -1;
		*out |= v;
	}
	return 0;
}

static int widths_action(const char *s, uint32_t *out)
{
	uint64_t v;
	if (strcmp(s, "allow") == 0) {
		*out = SECCOMP_RET_ALLOW;
		return 0;
	}
	if (strcmp(s, "kill_process") == 0) {
		*out = SECCOMP_RET_KILL_PROCESS;
		return 0;
	}
	size_t n = strlen(s);
	if (strncmp(s, "errno(", 6) == 0 && n > 7 && s[n - 1] == ')') {
		char num[32];
		snprintf(num, sizeof(num), "%.*s", (int)(n - 7), s + 6);
		if (widths_term(num, &v) == 0 && v < 4096) {
			*out = SECCOMP_RET_ERRNO | (uint32_t)v;
			return 0;
		}
	}
	return -1;
}

/* Parses "SYSCALL ARG... => ACTION [RESULT]" into P; -1 on a bad line. */
static int widths_parse_probe(char *text, struct widths_probe *p)
{
	char *arrow = strstr(text, "=>");
	if (!arrow)
		return -1;
	*arrow = 0;
	char *save = NULL, *tok = strtok_r(text, " \t", &save);
	const struct syscall_desc *d = tok ? syscall_find(tok) : NULL;
	if (!d || d->nr[ARCH_X86_64] < 0)
		return -1;
	p->syscall = d->name;
	p->nr = d->nr[ARCH_X86_64];
	int n = 0;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (n == 6 || widths_arg(tok, &p->args[n++]))
			return -1;
	}
	char *act = strtok_r(arrow + 2, " \t\n", &save);
	char *res = act ? strtok_r(NULL, " \t\n", &save) : NULL;
	if (!act || widths_action(act, &p->action))
		return -1;
	if (res) {
		uint64_t e = 0;
		if (p->action != SECCOMP_RET_ALLOW ||
		    (strcmp(res, "ok") != 0 && widths_term(res, &e)))
			return -1;
		p->check_result = 1;
		p->result_errno = (int)e;
	}
	return 0;
}

/* The probes of FILE; returns their number, or -1 after a message. */
static int widths_read_probes(const char *file, struct widths_probe *probes)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		perror(file);
		return -1;
	}
	char line[512];
	int n = 0, lineno = 0, bad = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (strncmp(line, "# probe:", 8) != 0)
			continue;
		struct widths_probe *p = &probes[n];
		memset(p, 0, sizeof(*p));
		p->line = lineno;
		if (n == WIDTHS_MAX_PROBES || widths_parse_probe(line + 8, p)) {
			fprintf(stderr, "%s:%d: bad probe line\n", file, lineno);
			bad = 1;
			break;
		}
		n++;
	}
	fclose(f);
	return bad ? -1 : n;
}

/* In the child: load the filter, make the call, report through FD. */
static void widths_child(const struct filter *f, const struct widths_probe *p, int fd)
{
	struct sock_fprog prog = { (unsigned short)f->len, f->insns };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		_exit(100);
	const uint64_t *a = p->args;
	errno = 0;
	long ret = syscall(p->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (ret == 0 && p->nr == SYS_clone)
		_exit(0);   /* the new child of a clone that got through */
	struct widths_outcome o = { ret, ret == -1 ? errno : 0 };
	if (write(fd, &o, sizeof(o)) != (ssize_t)sizeof(o))
		_exit(101);
	_exit(0);
}

/* Runs P in a forked child; returns 0 when the kernel did what P says. */
static int widths_kernel(const char *name, const struct filter *f, const struct widths_probe *p)
{
	int fds[2];
	if (pipe(fds))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		widths_child(f, p, fds[1]);
	}
	close(fds[1]);
	struct widths_outcome o;
	ssize_t got = read(fds[0], &o, sizeof(o));
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	if (p->action == SECCOMP_RET_KILL_PROCESS) {
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
			return 0;
		fprintf(stderr, "FAIL %s:%d: %s was not killed\n", name, p->line, p->syscall);
		return -1;
	}
	if (got != (ssize_t)sizeof(o)) {
		fprintf(stderr, "FAIL %s:%d: %s: the child reported nothing (status 0x%x)\n",
			name, p->line, p->syscall, status);
		return -1;
	}
	int want_err = -1;   /* -1: any */
	if ((p->action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
		want_err = (int)(p->action & SECCOMP_RET_DATA);
	else if (p->check_result)
		want_err = p->result_errno;
	if (want_err >= 0 && o.err != want_err) {
		fprintf(stderr, "FAIL %s:%d: %s returned %ld with errno %d, expected errno %d\n",
			name, p->line, p->syscall, o.ret, o.err, want_err);
		return -1;
	}
	return 0;
}

/* The reference evaluator and the interpreter must both say P's action. */
static int widths_simulated(const char *name, const struct compilation *c,
			    const struct widths_probe *p)
{
	struct seccomp_data d = { .nr = (int)p->nr, .arch = AUDIT_ARCH_X86_64 };
	memcpy(d.args, p->args, sizeof(d.args));
	uint32_t ref = policy_eval(&c->pb, d.arch, (uint32_t)d.nr, p->args), ret = 0;
	int rc = bpf_run(c->filter.insns, c->filter.len, &d, &ret, NULL);
	if (ref == p->action && rc == 0 && ret == p->action)
		return 0;
	char b1[32], b2[32], b3[32];
	fprintf(stderr, "FAIL %s:%d: %s: expected %s, reference %s, interpreter %s\n", name,
		p->line, p->syscall, bpf_action_str(p->action, b1, sizeof(b1)),
		bpf_action_str(ref, b2, sizeof(b2)), rc ? "error" : bpf_action_str(ret, b3, sizeof(b3)));
	return -1;
}

/* Returns the number of failed probes of FILE (1 when it does not load). */
static int widths_case(const char *file)
{
	struct widths_probe probes[WIDTHS_MAX_PROBES];
	int n = widths_read_probes(file, probes);
	if (n <= 0) {
		fprintf(stderr, "FAIL %s: %s\n", file, n ? "unreadable probes" : "no probes");
		return 1;
	}
	struct unit_options opts = { 0 };
	struct compilation c;
	if (compilation_run(&c, &opts, file, NULL, 1u << ARCH_X86_64, stderr)) {
		fprintf(stderr, "FAIL %s: does not compile\n", file);
		compilation_free(&c);
		return 1;
	}
	int failed = 0;
	for (int i = 0; i < n; i++)
		if (widths_simulated(file, &c, &probes[i]) || widths_kernel(file, &c.filter, &probes[i]))
			failed++;
	compilation_free(&c);
	printf("%s %s: %d probes\n", failed ? "FAIL" : "ok  ", file, n);
	return failed;
}

static int widths_by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int widths_is_policy(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 7 && strcmp(e->d_name + n - 7, ".policy") == 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: run_probes DIR\n");
		return 2;
	}
#ifndef __x86_64__
	printf("skipped: the probes are x86_64 syscalls\n");
	return 77;
#endif
	struct dirent **list;
	int n = scandir(argv[1], &list, widths_is_policy, widths_by_name);
	if (n <= 0) {
		fprintf(stderr, "run_probes: no policies in %s\n", argv[1]);
		return 1;
	}
	int failed = 0;
	for (int i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", argv[1], list[i]->d_name);
		failed += widths_case(path) != 0;
		free(list[i]);
	}
	free(list);
	printf("%d cases, %d failed\n", n, failed);
	return failed ? 1 : 0;
}
