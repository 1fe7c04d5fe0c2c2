/* What the suite measures: the syscall mix, the policies built from it,
 * and the argument vectors of the syscalls that carry conditions. */
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

int mix_read(struct mix *m, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	m->n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && m->n < sizeof(m->e) / sizeof(m->e[0])) {
		struct mix_entry *e = &m->e[m->n];
		if (line[0] != '#' && sscanf(line, "%d %ld %31s", &e->nr, &e->count, e->name) == 3)
			m->n++;
	}
	fclose(f);
	return m->n ? 0 : -1;
}

/* libseccomp 2.5.4 filters these on x86 only through socketcall, which
 * sysfence refuses (docs/language.md): left out of x86 filters. */
static int is_socket_call(const char *name)
{
	static const char *const calls[] = {
		"socket", "socketpair", "bind", "connect", "listen", "accept",
		"accept4", "getsockname", "getpeername", "sendto", "recvfrom",
		"setsockopt", "getsockopt", "shutdown", "sendmsg", "recvmsg",
		"sendmmsg", "recvmmsg", NULL
	};
	for (size_t i = 0; calls[i]; i++)
		if (!strcmp(name, calls[i]))
			return 1;
	return 0;
}

void policy_mix(struct bench_policy *p, const struct mix *m, unsigned arches, int skip_socket)
{
	policy_init(p, arches);
	for (size_t i = 0; i < m->n; i++)
		if (!skip_socket || !is_socket_call(m->e[i].name))
			policy_add(p, m->e[i].name);
}

/* Flag values (x86_64 ABI), written out so both builders get numbers. */
#define O_ACCMODE_ 03
#define O_CREAT_ 0100
#define O_TRUNC_ 01000
#define O_APPEND_ 02000
#define O_CLOEXEC_ 02000000
#define O_DIRECTORY_ 0200000
#define AT_FDCWD_ ((uint64_t)(int64_t)-100)
#define SOCK_CLOEXEC_ 02000000
#define PROT_READ_ 1
#define PROT_WRITE_ 2
#define PROT_EXEC_ 4

/* The mix, with conditions on its hot syscalls. One comparison per
 * argument per rule, as libseccomp needs: "read-only" is one masked test
 * of access mode, O_CREAT, O_TRUNC and O_APPEND together. */
void policy_conditional(struct bench_policy *p, const struct mix *m)
{
	policy_init(p, BENCH_X86_64);
	for (size_t i = 0; i < m->n; i++) {
		const char *name = m->e[i].name;
		if (!strcmp(name, "write")) {
			rule_cmp(policy_add(p, name), 0, UINT64_MAX, 1);
			rule_cmp(policy_add(p, name), 0, UINT64_MAX, 2);
		} else if (!strcmp(name, "openat")) {
			rule_cmp(policy_add(p, name), 2,
				 O_ACCMODE_ | O_CREAT_ | O_TRUNC_ | O_APPEND_, 0);
		} else if (!strcmp(name, "socket")) {
			static const uint64_t families[] = { 2, 10, 1 }; /* INET, INET6, UNIX */
			for (size_t f = 0; f < 3; f++) {
				struct bench_rule *r = policy_add(p, name);
				rule_cmp(r, 0, UINT64_MAX, families[f]);
				rule_cmp(r, 1, 0xf, 1); /* type without flags == SOCK_STREAM */
			}
		} else if (!strcmp(name, "mprotect")) {
			rule_cmp(policy_add(p, name), 2, PROT_EXEC_, 0);
		} else {
			policy_add(p, name);
		}
	}
}

static const struct vector write_v[] = {
	{ 0.6, { 1, 0x7ffd1000, 64 } },
	{ 0.3, { 2, 0x7ffd1000, 64 } },
	{ 0.1, { 5, 0x7ffd1000, 64 } },                          /* denied */
};
static const struct vector openat_v[] = {
	{ 0.8, { AT_FDCWD_, 0x7ffd2000, O_CLOEXEC_ } },
	{ 0.1, { AT_FDCWD_, 0x7ffd2000, O_CLOEXEC_ | O_DIRECTORY_ } },
	{ 0.1, { AT_FDCWD_, 0x7ffd2000, O_CLOEXEC_ | O_CREAT_ | O_TRUNC_ | 1, 0644 } },
};
static const struct vector socket_v[] = {
	{ 0.5, { 2, SOCK_CLOEXEC_ | 1 } },
	{ 0.3, { 1, SOCK_CLOEXEC_ | 1 } },
	{ 0.2, { 16, SOCK_CLOEXEC_ | 3 } },                      /* netlink raw: denied */
};
static const struct vector mprotect_v[] = {
	{ 0.6, { 0x7f0000000000, 4096, PROT_READ_ } },
	{ 0.3, { 0x7f0000000000, 4096, PROT_READ_ | PROT_WRITE_ } },
	{ 0.1, { 0x7f0000000000, 4096, PROT_READ_ | PROT_EXEC_ } }, /* denied */
};
static const struct vector plain_v[] = { { 1.0, { 0 } } };

size_t vectors_for(const char *name, const struct vector **out)
{
	static const struct { const char *name; const struct vector *v; size_t n; } table[] = {
		{ "write", write_v, 3 }, { "openat", openat_v, 3 },
		{ "socket", socket_v, 3 }, { "mprotect", mprotect_v, 3 },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(name, table[i].name)) {
			*out = table[i].v;
			return table[i].n;
		}
	*out = plain_v;
	return 1;
}

const char *vectors_describe(void)
{
	return "Argument vectors of the conditional syscalls, as shares of their calls: "
	       "write to fd 1 60%, fd 2 30%, fd 5 10% (denied); "
	       "openat O_RDONLY|O_CLOEXEC 80%, O_RDONLY|O_DIRECTORY|O_CLOEXEC 10%, "
	       "O_WRONLY|O_CREAT|O_TRUNC 10% (denied); "
	       "socket AF_INET/SOCK_STREAM|SOCK_CLOEXEC 50%, AF_UNIX/same 30%, "
	       "AF_NETLINK/SOCK_RAW 20% (denied); "
	       "mprotect PROT_READ 60%, PROT_READ|PROT_WRITE 30%, PROT_READ|PROT_EXEC 10% (denied). "
	       "Other syscalls: all arguments 0.";
}

int policy_docker(struct bench_policy *p, const char *names_path, size_t n)
{
	FILE *f = fopen(names_path, "r");
	char line[128], name[32];
	policy_init(p, BENCH_X86_64 | BENCH_X86 | BENCH_AARCH64);
	if (!f)
		return -1;
	while (p->nrules < n && fgets(line, sizeof(line), f))
		if (line[0] != '#' && sscanf(line, "%31s", name) == 1)
			policy_add(p, name);
	fclose(f);
	return p->nrules == n ? 0 : -1;
}

/* NRULES rules "allow S if arg0 == K" for 40 syscalls whose first argument
 * is a file descriptor, K contiguous for each syscall, starting at
 * STAGGER times the syscall's index. Each syscall's values form a range,
 * so even 10,000 rules can fit in a filter's 4096 instructions. */
void policy_fd_rules(struct bench_policy *p, size_t nrules, unsigned stagger)
{
	static const char *const calls[] = {
		"read", "write", "close", "fstat", "lseek", "pread64", "pwrite64",
		"readv", "writev", "fsync", "fdatasync", "ftruncate", "fchmod",
		"fchown", "flock", "getdents64", "fcntl", "ioctl", "dup", "dup2",
		"fstatfs", "shutdown", "connect", "bind", "listen", "accept",
		"accept4", "sendto", "recvfrom", "sendmsg", "recvmsg",
		"getsockname", "getpeername", "setsockopt", "getsockopt",
		"fadvise64", "fallocate", "syncfs", "fchdir", "epoll_ctl",
	};
	const size_t ncalls = sizeof(calls) / sizeof(calls[0]);
	policy_init(p, BENCH_X86_64);
	for (size_t s = 0; s < ncalls; s++) {
		size_t count = nrules / ncalls + (s < nrules % ncalls);
		for (size_t k = 0; k < count; k++)
			rule_cmp(policy_add(p, calls[s]), 0, UINT64_MAX, k + stagger * s);
	}
}

/* Only the rules for syscalls x86_64 has, for a Docker-size policy on
 * that arch alone (sysfence refuses names no target arch has). */
void policy_x86_64_only(struct bench_policy *p)
{
	size_t kept = 0;
	p->arches = BENCH_X86_64;
	for (size_t i = 0; i < p->nrules; i++)
		if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, p->rules[i].name) >= 0)
			p->rules[kept++] = p->rules[i];
	p->nrules = kept;
}

/* NRULES rules "allow accept if arg0 == 7i + 3": values 7 apart, so that
 * neither compiler can merge them into ranges. */
void policy_accept_spread(struct bench_policy *p, size_t nrules)
{
	policy_init(p, BENCH_X86_64);
	for (size_t i = 0; i < nrules; i++)
		rule_cmp(policy_add(p, "accept"), 0, UINT64_MAX, 7 * i + 3);
}

void policy_first_syscalls(struct bench_policy *p, const struct mix *m, size_t n)
{
	policy_init(p, BENCH_X86_64);
	for (size_t i = 0; i < m->n && i < n; i++)
		policy_add(p, m->e[i].name);
}

/* NRULES rules "ACTION write if arg0 == K", K = 0, 1, ..., the action
 * alternating between allow and errno(EACCES): one syscall whose rules
 * all have to be checked against each other for conflicts. */
void policy_one_syscall_two_actions(struct bench_policy *p, size_t nrules)
{
	policy_init(p, BENCH_X86_64);
	for (size_t k = 0; k < nrules; k++) {
		struct bench_rule *r = policy_add(p, "write");
		rule_cmp(r, 0, UINT64_MAX, k);
		r->err = k % 2 ? 0 : 13;
	}
}
