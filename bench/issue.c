/* Section 1b, argument code: the worst case, in BPF instructions executed
 * (the in-tree interpreter, so exact), of policies whose cost is in their
 * argument checks, for sysfence and both libseccomp layouts built in the
 * same run. Every verdict is checked against the policy first. Each row
 * names its target: sysfence's worst case no higher than the better of
 * libseccomp's. */
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bpf/bpf.h"

/* One syscall with one argument vector, to run through each filter. */
struct probe {
	char name[32];
	uint64_t args[6];
};

struct probes {
	struct probe *v;
	size_t n, cap;
};

static void probe_add(struct probes *p, const char *name, uint64_t a0, uint64_t a1, uint64_t a2)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		if (!p->v) {
			perror("bench");
			exit(1);
		}
	}
	struct probe *e = &p->v[p->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->args[0] = a0;
	e->args[1] = a1;
	e->args[2] = a2;
}

struct target_arch {
	unsigned bench;
	uint32_t audit, scmp;
};

static const struct target_arch arch_x86_64 = { BENCH_X86_64, AUDIT_ARCH_X86_64, SCMP_ARCH_X86_64 };
static const struct target_arch arch_x86 = { BENCH_X86, AUDIT_ARCH_I386, SCMP_ARCH_X86 };

enum { REFUSED = -1, WRONG = -2 };

/* The most instructions PROG executes on any of PR, or WRONG when it gives
 * a verdict the policy does not. Syscalls the arch lacks are skipped. */
static long worst_steps(const struct bench_policy *pol, const struct bench_prog *prog,
			const struct target_arch *a, const struct probes *pr)
{
	long worst = 0;
	for (size_t i = 0; i < pr->n; i++) {
		int nr = seccomp_syscall_resolve_name_arch(a->scmp, pr->v[i].name);
		if (nr < 0)
			continue;
		struct seccomp_data d = { .nr = nr, .arch = a->audit };
		uint32_t ret;
		size_t steps;
		memcpy(d.args, pr->v[i].args, sizeof(d.args));
		if (bpf_run(prog->insns, prog->len, &d, &ret, &steps))
			return WRONG;
		uint32_t want = policy_allows(pol, pr->v[i].name, pr->v[i].args) ?
				SECCOMP_RET_ALLOW : SECCOMP_RET_ERRNO | 1;
		if (ret != want) {
			fprintf(stderr, "bench: filter gives %#x to %s vector %zu\n", ret,
				pr->v[i].name, i);
			return WRONG;
		}
		if ((long)steps > worst)
			worst = (long)steps;
	}
	return worst;
}

enum { W_SF, W_DEFAULT, W_TREE, NW };

/* POL through sysfence and both libseccomp layouts, worst case over PR,
 * or REFUSED (the build failed) or WRONG. */
static void worst_of_all(const struct bench_env *env, const struct bench_policy *pol,
			 const struct target_arch *a, const struct probes *pr, long out[NW])
{
	static const enum builder builders[NW] = { SYSFENCE, SCMP_DEFAULT, SCMP_TREE };
	for (int w = 0; w < NW; w++) {
		struct bench_prog prog = { 0 };
		int rc = bench_build(env, pol, builders[w], &prog);
		out[w] = rc ? REFUSED : worst_steps(pol, &prog, a, pr);
		if ((rc && w != W_SF) || out[w] == WRONG)
			bench_failed();   /* libseccomp refusing, or a wrong verdict */
		free(prog.insns);
	}
}

static const char *steps_cell(long w)
{
	return w == REFUSED ? "refused" : w == WRONG ? "wrong verdict" : fmt("%ld", w);
}

static long best_scmp(const long w[NW])
{
	return w[W_DEFAULT] < 0 ? w[W_TREE] :
	       w[W_TREE] < 0 || w[W_DEFAULT] < w[W_TREE] ? w[W_DEFAULT] : w[W_TREE];
}

static void worst_row(const char *what, const long w[NW])
{
	long best = best_scmp(w);
	const char *met = w[W_SF] < 0 ? "MISSED" : best < 0 ? "n/a" :
			  w[W_SF] <= best ? "met" : "MISSED";
	char label[160];   /* fmt's buffers are reused: keep a copy */
	snprintf(label, sizeof(label), "%s", what);
	table_row(5, label, steps_cell(w[W_SF]), steps_cell(w[W_DEFAULT]), steps_cell(w[W_TREE]),
		  met);
}

/* Docker's profile on x86_64 with its one argument rule, socket unless
 * AF_VSOCK (40): the worst syscall is socket, the one that checks an
 * argument. Rows for socket alone and for every syscall of the profile. */
static void docker_rows(const struct bench_env *env, long socket_worst[2])
{
	struct bench_policy pol;
	struct probes all = { 0 }, sock = { 0 };
	long w[NW], ws[NW];
	if (policy_docker(&pol, env->docker_names, 360)) {
		bench_failed();
		policy_free(&pol);
		return;
	}
	policy_x86_64_only(&pol);
	rule_cmp_ne(policy_add(&pol, "socket"), 0, 40);
	for (size_t i = 0; i < pol.nrules; i++)
		probe_add(&all, pol.rules[i].name, 0, 0, 0);
	probe_add(&sock, "socket", 2, 1, 0);    /* AF_INET, SOCK_STREAM */
	probe_add(&sock, "socket", 1, 1, 0);    /* AF_UNIX */
	probe_add(&sock, "socket", 40, 1, 0);   /* AF_VSOCK: denied */
	for (size_t i = 0; i < sock.n; i++)
		probe_add(&all, "socket", sock.v[i].args[0], 1, 0);
	worst_of_all(env, &pol, &arch_x86_64, &sock, ws);
	worst_of_all(env, &pol, &arch_x86_64, &all, w);
	worst_row(fmt("Docker profile x86_64 (%zu + socket if domain != AF_VSOCK): socket",
		      pol.nrules - 1), ws);
	worst_row("Docker profile x86_64: worst syscall of the profile", w);
	socket_worst[0] = ws[W_SF];
	socket_worst[1] = best_scmp(ws);
	free(all.v);
	free(sock.v);
	policy_free(&pol);
}

/* fcntl if fd != 1 && cmd != 2 && arg != 3: an allowed call has to pass
 * every comparison. fd and cmd are ints (32 bits) on x86_64; on x86 every
 * argument is. */
static void ne_row(const struct bench_env *env, const struct target_arch *a, const char *what)
{
	struct bench_policy pol;
	struct probes pr = { 0 };
	long w[NW];
	policy_init(&pol, a->bench);
	struct bench_rule *r = policy_add(&pol, "fcntl");
	rule_cmp_ne(r, 0, 1);
	rule_cmp_ne(r, 1, 2);
	rule_cmp_ne(r, 2, 3);
	probe_add(&pr, "fcntl", 5, 4, 6);
	probe_add(&pr, "fcntl", 1, 4, 6);
	probe_add(&pr, "fcntl", 5, 2, 6);
	probe_add(&pr, "fcntl", 5, 4, 3);
	worst_of_all(env, &pol, a, &pr, w);
	worst_row(what, w);
	free(pr.v);
	policy_free(&pol);
}

/* write if fd in {3, 10, 17, ...}: 250 values 7 apart, so that no two
 * merge into a range; every member and the value after each probed. No
 * vector with a high word: fd is an int, the kernel ignores it, and
 * sysfence (rightly) does not compare it. */
static void set_row(const struct bench_env *env)
{
	struct bench_policy pol;
	struct probes pr = { 0 };
	long w[NW];
	policy_init(&pol, BENCH_X86_64);
	for (uint64_t i = 0; i < 250; i++) {
		rule_cmp(policy_add(&pol, "write"), 0, UINT64_MAX, 7 * i + 3);
		probe_add(&pr, "write", 7 * i + 3, 0, 0);
		probe_add(&pr, "write", 7 * i + 4, 0, 0);
	}
	worst_of_all(env, &pol, &arch_x86_64, &pr, w);
	worst_row("write if fd in { 250 values 7 apart }, x86_64", w);
	free(pr.v);
	policy_free(&pol);
}

void bench_arguments(struct bench_env *env)
{
	table_section("1b. Argument code, worst case (BPF instructions executed, interpreter)");
	table_header(5, "policy: probe", "sysfence", "libseccomp default", "libseccomp tree",
		     "target: sysfence <= best libseccomp");
	docker_rows(env, env->docker_socket);
	ne_row(env, &arch_x86_64, "fcntl if fd != 1 && cmd != 2 && arg != 3, x86_64 (fd, cmd 32-bit)");
	ne_row(env, &arch_x86, "fcntl if fd != 1 && cmd != 2 && arg != 3, x86 (all 32-bit)");
	set_row(env);
	table_note("Worst case over the probes, each checked against the policy: Docker, every "
		   "syscall of the profile with arguments 0 and socket with AF_INET, AF_UNIX and "
		   "AF_VSOCK (denied); fcntl, (5, 4, 6) allowed and each comparison failing once; "
		   "the set, every member and the value after each. "
		   "\"refused\": sysfence did not compile the policy.");
}
