/* Differential test: for every *.policy in a directory, compile it and
 * compare what the BPF program returns (bpf_run) with what the policy
 * means (policy_eval) on a deterministic set of edge vectors and on many
 * random ones.
 *
 * Vectors are built from what the policy itself mentions: the syscall
 * numbers of its rules on each arch (and their neighbours, x32 twins and
 * random numbers), and the constants of its conditions (values, masks, set
 * members, +-1, with the upper half zero, a sign extension or garbage).
 * Arches are the policy's own, the other known AUDIT_ARCH values and bogus
 * ones. An i386 task cannot pass a non-zero upper half (the kernel zero-
 * extends its 32-bit registers into seccomp_data), so i386 vectors never
 * have one.
 *
 * Reports in TAP through tests/support/harness.h: one case per policy,
 * whose checks are that it compiles (and neither hangs nor crashes) and
 * one check per vector, made in the policy's child process.
 *
 * usage: test_diff DIR [VECTORS_PER_POLICY [SEED]]
 *        (also SYSFENCE_DIFF_VECTORS / SYSFENCE_DIFF_SEED in the environment) */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf/bpf.h"
#include "driver/compilation.h"
#include "analysis/policy.h"
#include "harness.h"

#ifndef AUDIT_ARCH_RISCV64
#define AUDIT_ARCH_RISCV64 0xc00000f3u
#endif

#define X32_BIT 0x40000000u
#define MAX_PRINTED 8           /* mismatches printed per class and policy */
#define MAX_EDGE 60000          /* edge vectors per policy */

/* ---- random numbers (splitmix64: fixed seed, same run everywhere) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* true with probability PCT percent */
static int chance(unsigned pct)
{
	return rnd_below(100) < pct;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* ---- growable arrays of numbers ---- */

struct vec {
	uint64_t *v;
	size_t n, cap;
};

static void vec_add(struct vec *x, uint64_t val)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i] == val)
			return;
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 16;
		x->v = realloc(x->v, x->cap * sizeof(*x->v));
		if (!x->v) {
			perror("realloc");
			exit(2);
		}
	}
	x->v[x->n++] = val;
}

static void vec_free(struct vec *x)
{
	free(x->v);
	memset(x, 0, sizeof(*x));
}

static uint64_t vec_pick(const struct vec *x)
{
	return x->v[rnd_below(x->n)];
}

/* ---- what a policy mentions ---- */

/* One syscall number of one arch, with the constants its conditions use,
 * per argument register. */
struct sysinfo {
	uint32_t nr;
	struct vec args[6];
};

struct archinfo {
	int arch;                   /* enum arch_id */
	struct sysinfo *sys;
	size_t nsys;
	struct vec all;             /* every constant of this arch */
};

struct policyinfo {
	struct archinfo arch[ARCH_COUNT];
	int narch;
	struct vec nrs;             /* every number on every arch */
	struct vec consts;          /* every constant on every arch */
};

/* Adds the values around V that a comparison with V can tell apart. */
static void add_around(struct vec *x, uint64_t v, unsigned width)
{
	uint64_t W = width_mask(width);
	vec_add(x, v & W);
	vec_add(x, (v + 1) & W);
	vec_add(x, (v - 1) & W);
}

static void collect_atom(struct vec *x, const struct atom *at)
{
	uint64_t W = width_mask(at->width);
	if (at->op == OP_IN || at->op == OP_NOT_IN) {
		for (size_t i = 0; i < at->nset; i++)
			add_around(x, at->set[i], at->width);
	} else {
		add_around(x, at->value, at->width);
	}
	if (at->masked) {
		uint64_t m = at->mask & W, v = at->value & m;
		vec_add(x, m);
		vec_add(x, v | (~m & W));                 /* other bits all set */
		if (m)
			vec_add(x, v ^ (m & (0 - m)));    /* lowest mask bit flipped */
		vec_add(x, v ^ m);                        /* every mask bit flipped */
	}
}

static void collect_cond(struct sysinfo *s, struct vec *all, const struct ncond *c)
{
	if (!c)
		return;
	switch (c->kind) {
	case N_TRUE:
	case N_FALSE:
		return;
	case N_AND:
	case N_OR:
		collect_cond(s, all, c->lhs);
		collect_cond(s, all, c->rhs);
		return;
	case N_NOT:
		collect_cond(s, all, c->lhs);
		return;
	case N_ATOM:
		if (c->atom.arg < 0 || c->atom.arg > 5)
			return;
		collect_atom(&s->args[c->atom.arg], &c->atom);
		collect_atom(all, &c->atom);
		return;
	}
}

static struct sysinfo *sys_get(struct archinfo *ai, uint32_t nr)
{
	for (size_t i = 0; i < ai->nsys; i++)
		if (ai->sys[i].nr == nr)
			return &ai->sys[i];
	ai->sys = realloc(ai->sys, (ai->nsys + 1) * sizeof(*ai->sys));
	if (!ai->sys) {
		perror("realloc");
		exit(2);
	}
	struct sysinfo *s = &ai->sys[ai->nsys++];
	memset(s, 0, sizeof(*s));
	s->nr = nr;
	return s;
}

static void policyinfo_build(struct policyinfo *pi, const struct policy_build *pb)
{
	memset(pi, 0, sizeof(*pi));
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(pb->arch_mask & (1u << a)))
			continue;
		struct archinfo *ai = &pi->arch[pi->narch++];
		ai->arch = a;
		const struct ptrvec *rules = &pb->per_arch[a].rules;
		for (size_t i = 0; i < rules->n; i++) {
			const struct rule *r = rules->v[i];
			struct sysinfo *s = sys_get(ai, (uint32_t)r->nr);
			collect_cond(s, &ai->all, r->cond);
			collect_cond(s, &pi->consts, r->cond);
			vec_add(&pi->nrs, (uint32_t)r->nr);
		}
	}
	vec_add(&pi->consts, 0);
	vec_add(&pi->consts, ~0ull);
}

static void policyinfo_free(struct policyinfo *pi)
{
	for (int i = 0; i < pi->narch; i++) {
		struct archinfo *ai = &pi->arch[i];
		for (size_t j = 0; j < ai->nsys; j++)
			for (int k = 0; k < 6; k++)
				vec_free(&ai->sys[j].args[k]);
		free(ai->sys);
		vec_free(&ai->all);
	}
	vec_free(&pi->nrs);
	vec_free(&pi->consts);
}

/* ---- arches ---- */

static const struct {
	uint32_t audit;
	const char *name;
} known_arches[] = {
	{ AUDIT_ARCH_X86_64, "x86_64" }, { AUDIT_ARCH_I386, "i386" },
	{ AUDIT_ARCH_AARCH64, "aarch64" }, { AUDIT_ARCH_ARM, "arm" },
	{ AUDIT_ARCH_PPC64LE, "ppc64le" }, { AUDIT_ARCH_S390X, "s390x" },
	{ AUDIT_ARCH_RISCV64, "riscv64" }, { AUDIT_ARCH_MIPS, "mips" },
};
#define NKNOWN (sizeof(known_arches) / sizeof(known_arches[0]))

static const char *audit_name(uint32_t audit)
{
	for (size_t i = 0; i < NKNOWN; i++)
		if (known_arches[i].audit == audit)
			return known_arches[i].name;
	return "bogus";
}

/* ---- checking one vector ---- */

/* Mismatches are counted in classes, so that one known disagreement does
 * not hide the others in the printed sample. */
enum mclass { M_X32_BOUNDARY, M_X32_ARGS, M_OTHER, M_NCLASS };

static const char *const mclass_tag[M_NCLASS] = {
	[M_X32_BOUNDARY] = "x32 boundary", [M_X32_ARGS] = "x32 args", [M_OTHER] = "other",
};

static const char *const mclass_name[M_NCLASS] = {
	[M_X32_BOUNDARY] = "x86_64/x32 boundary (AUDIT_ARCH_X86_64, nr >= 0x80000000 or nr == 0xffffffff)",
	[M_X32_ARGS] = "x32 syscall: the filter compares only the low 32 bits of arguments and constants",
	[M_OTHER] = "other",
};

/* What libseccomp's x32 filter computes: x32 is a 32-bit arch to
 * libseccomp, which compares only the low halves of arguments and
 * constants. Used only to classify mismatches. */
static int eval32(const struct ncond *c, const uint64_t args[6])
{
	if (!c)
		return 1;
	switch (c->kind) {
	case N_TRUE: return 1;
	case N_FALSE: return 0;
	case N_AND: return eval32(c->lhs, args) && eval32(c->rhs, args);
	case N_OR: return eval32(c->lhs, args) || eval32(c->rhs, args);
	case N_NOT: return !eval32(c->lhs, args);
	case N_ATOM: {
		struct atom at = c->atom;
		at.width = 32;
		at.mask &= 0xffffffffull;
		return atom_eval(&at, args);
	}
	}
	return 0;
}

static uint32_t x32_model(const struct policy_build *pb, uint32_t nr, const uint64_t args[6])
{
	const struct ptrvec *rules = &pb->per_arch[ARCH_X32].rules;
	for (size_t i = 0; i < rules->n; i++) {
		const struct rule *r = rules->v[i];
		if (!r->dropped && (uint32_t)r->nr == nr && eval32(r->cond, args))
			return r->action;
	}
	return pb->default_action;
}

static enum mclass classify(const struct policy_build *pb, uint32_t audit, uint32_t nr,
			   const uint64_t args[6], uint32_t got)
{
	/* Where "is this x32?" has more than one plausible answer: the
	 * numbers with bit 31 set, and -1. */
	if (audit == AUDIT_ARCH_X86_64 && nr >= 0x80000000u)
		return M_X32_BOUNDARY;
	if (audit == AUDIT_ARCH_X86_64 && (nr & X32_BIT) && (pb->arch_mask & (1u << ARCH_X32)) &&
	    x32_model(pb, nr, args) == got)
		return M_X32_ARGS;
	return M_OTHER;
}

struct stats {
	unsigned long vectors, mismatches;
	unsigned long by_class[M_NCLASS];
	int printed_policy;
};

static void print_policy(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	fprintf(stderr, "---- %s ----\n", path);
	char line[1024];
	while (fgets(line, sizeof(line), f))
		fputs(line, stderr);
	fprintf(stderr, "---- end of %s ----\n", path);
	fclose(f);
}

/* Prints one mismatch as a failed check. */
static void report_mismatch(const char *path, enum mclass mc, uint32_t audit, uint32_t nr,
			    const uint64_t args[6], uint32_t want, int rc, uint32_t got)
{
	char b1[32], b2[32];
	FAIL("MISMATCH [%s] %s: arch %#010" PRIx32 " (%s) nr %" PRIu32 " (%#" PRIx32 ") args "
	     "%#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64
	     ": policy means %s, BPF %s %s",
	     mclass_tag[mc], path, audit, audit_name(audit), nr, nr, args[0], args[1], args[2],
	     args[3], args[4], args[5], bpf_action_str(want, b1, sizeof(b1)), rc ? "fails to run:" : "returns",
	     rc ? "-EINVAL" : bpf_action_str(got, b2, sizeof(b2)));
}

/* One check: the BPF program returns what the policy means. The first
 * MAX_PRINTED mismatches of each class are printed, the others counted. */
static void check_vector(const struct compilation *c, const char *path, struct stats *st, uint32_t audit,
			 uint32_t nr, uint64_t args[6])
{
	if (audit == AUDIT_ARCH_I386)
		for (int i = 0; i < 6; i++)
			args[i] &= 0xffffffffull;
	struct seccomp_data d;
	memset(&d, 0, sizeof(d));
	d.arch = audit;
	d.nr = (int)nr;
	d.instruction_pointer = 0x7f0000001000ull;
	memcpy(d.args, args, sizeof(d.args));
	uint32_t want = policy_eval(&c->pb, audit, nr, args), got = 0;
	int rc = bpf_run(c->filter.insns, c->filter.len, &d, &got, NULL);
	st->vectors++;
	if (rc == 0 && got == want) {
		harness_count(1);
		return;
	}
	st->mismatches++;
	enum mclass mc = classify(&c->pb, audit, nr, args, got);
	if (++st->by_class[mc] > MAX_PRINTED) {
		harness_count(0);
		return;
	}
	report_mismatch(path, mc, audit, nr, args, want, rc, got);
	if (!st->printed_policy) {
		print_policy(path);
		st->printed_policy = 1;
	}
}

/* ---- vector generation ---- */

static uint64_t with_upper(uint64_t v, int kind)
{
	uint64_t lo = v & 0xffffffffull;
	switch (kind) {
	case 0: return v;                                  /* as the constant is */
	case 1: return lo;                                 /* zero */
	case 2: return lo | 0xffffffff00000000ull;         /* all ones */
	case 3: return lo | (lo & 0x80000000u ? 0xffffffff00000000ull : 0);  /* sign extension */
	default: return lo | (rnd() << 32);                /* garbage */
	}
}

static uint64_t random_arg(const struct vec *local, const struct archinfo *ai,
			   const struct policyinfo *pi)
{
	unsigned r = (unsigned)rnd_below(100);
	uint64_t v;
	if (r < 50 && local && local->n)
		v = vec_pick(local);
	else if (r < 62 && ai && ai->all.n)
		v = vec_pick(&ai->all);
	else if (r < 72)
		v = vec_pick(&pi->consts);
	else if (r < 78)
		return 0;
	else if (r < 84)
		return ~0ull;
	else if (r < 92)
		return rnd();
	else
		return rnd_below(4096);
	unsigned u = (unsigned)rnd_below(100);
	return with_upper(v, u < 40 ? 0 : u < 55 ? 1 : u < 70 ? 2 : u < 80 ? 3 : 4);
}

static const struct archinfo *arch_of(const struct policyinfo *pi, uint32_t audit, uint32_t nr)
{
	for (int i = 0; i < pi->narch; i++) {
		const struct archinfo *ai = &pi->arch[i];
		if (arch_table[ai->arch].audit_arch != audit)
			continue;
		if (audit == AUDIT_ARCH_X86_64 && ((nr & X32_BIT) != 0) != (ai->arch == ARCH_X32))
			continue;
		return ai;
	}
	return NULL;
}

static void random_vector(const struct compilation *c, const char *path, const struct policyinfo *pi,
			  struct stats *st)
{
	uint32_t audit, nr;
	const struct archinfo *ai = NULL;
	unsigned r = (unsigned)rnd_below(100);
	if (r < 75 && pi->narch) {
		ai = &pi->arch[rnd_below((uint64_t)pi->narch)];
		audit = arch_table[ai->arch].audit_arch;
	} else if (r < 90) {
		audit = known_arches[rnd_below(NKNOWN)].audit;
	} else {
		/* bogus: random, or a known value with one bit flipped */
		if (chance(50))
			audit = (uint32_t)rnd();
		else
			audit = known_arches[rnd_below(NKNOWN)].audit ^ (1u << rnd_below(32));
	}
	/* the syscall number */
	r = (unsigned)rnd_below(100);
	if (r < 60 && ai && ai->nsys)
		nr = ai->sys[rnd_below(ai->nsys)].nr;
	else if (r < 70 && pi->nrs.n)
		nr = (uint32_t)vec_pick(&pi->nrs);
	else if (r < 80 && pi->nrs.n)
		nr = (uint32_t)vec_pick(&pi->nrs) + (uint32_t)rnd_below(5) - 2;
	else if (r < 90 && pi->nrs.n)
		nr = (uint32_t)vec_pick(&pi->nrs) ^ X32_BIT;
	else if (r < 95)
		nr = (uint32_t)rnd_below(1100) | (chance(30) ? X32_BIT : 0);
	else
		nr = (uint32_t)rnd();
	/* the arguments, from what this (arch, nr) compares when we know it */
	const struct archinfo *target = arch_of(pi, audit, nr);
	const struct sysinfo *s = NULL;
	if (target)
		for (size_t i = 0; i < target->nsys; i++)
			if (target->sys[i].nr == nr)
				s = &target->sys[i];
	uint64_t args[6];
	for (int i = 0; i < 6; i++)
		args[i] = random_arg(s ? &s->args[i] : NULL, target, pi);
	check_vector(c, path, st, audit, nr, args);
}

/* The deterministic part: every constant of every compared argument, its
 * neighbours and upper halves, with the other arguments zero or set to
 * one of their own constants; every syscall number of the policy and its
 * neighbours on every arch. */
static void edge_vectors(const struct compilation *c, const char *path, const struct policyinfo *pi,
			 struct stats *st)
{
	unsigned long start = st->vectors;
	uint32_t audits[NKNOWN + 3];
	size_t naudit = 0;
	for (size_t i = 0; i < NKNOWN; i++)
		audits[naudit++] = known_arches[i].audit;
	audits[naudit++] = 0;
	audits[naudit++] = 0xffffffffu;
	audits[naudit++] = AUDIT_ARCH_X86_64 ^ 0x80000000u;   /* x86_64 without __AUDIT_ARCH_64BIT */
	/* numbers on every arch, arguments all zero / all ones */
	for (size_t a = 0; a < naudit; a++) {
		for (size_t i = 0; i < pi->nrs.n; i++) {
			uint32_t base = (uint32_t)pi->nrs.v[i];
			const uint32_t nrs[] = { base, base - 1, base + 1, base ^ X32_BIT,
						 (base - 1) ^ X32_BIT, (base + 1) ^ X32_BIT };
			for (size_t k = 0; k < sizeof(nrs) / sizeof(nrs[0]); k++) {
				uint64_t zero[6] = { 0 }, ones[6];
				for (int j = 0; j < 6; j++)
					ones[j] = ~0ull;
				check_vector(c, path, st, audits[a], nrs[k], zero);
				check_vector(c, path, st, audits[a], nrs[k], ones);
			}
		}
		const uint32_t special[] = { 0, 1, X32_BIT - 1, X32_BIT, X32_BIT | 1, 0x7fffffffu,
					     0x80000000u, 0xffffffffu, 0xfffffffeu, 0xbfffffffu };
		for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); k++) {
			uint64_t zero[6] = { 0 };
			check_vector(c, path, st, audits[a], special[k], zero);
		}
	}
	/* the constants of each argument of each syscall of each arch */
	for (int a = 0; a < pi->narch; a++) {
		const struct archinfo *ai = &pi->arch[a];
		uint32_t audit = arch_table[ai->arch].audit_arch;
		for (size_t i = 0; i < ai->nsys; i++) {
			const struct sysinfo *s = &ai->sys[i];
			for (int arg = 0; arg < 6; arg++) {
				const struct vec *vals = &s->args[arg];
				for (size_t j = 0; j < vals->n; j++) {
					for (int upper = 0; upper < 5; upper++) {
						for (int fill = 0; fill < 3; fill++) {
							if (st->vectors - start >= MAX_EDGE)
								return;
							uint64_t args[6];
							for (int o = 0; o < 6; o++) {
								const struct vec *ov = &s->args[o];
								if (fill == 0 || !ov->n)
									args[o] = fill == 2 ? ~0ull : 0;
								else
									args[o] = ov->v[(j + (size_t)fill * 7 + (size_t)o) % ov->n];
							}
							args[arg] = with_upper(vals->v[j], upper);
							check_vector(c, path, st, audit, s->nr, args);
						}
					}
				}
			}
		}
	}
}

/* ---- one policy, in a child process ---- */

/* The compiler runs in a child, so that a policy on which it hangs (or
 * crashes) fails alone instead of taking the whole test with it. */
#define COMPILE_TIMEOUT 15      /* seconds (the backend retries a hung libseccomp for 4 x 10 s) */
#define CHECK_TIMEOUT 240

enum rstatus { RES_OK, RES_NO_COMPILE, RES_HANG, RES_CRASH };

struct result {
	enum rstatus status;
	unsigned long vectors, mismatches;
	char why[64];
};

/* In the child. Writes one byte to FD once the policy compiled (or failed
 * to), so the parent can tell a hung compiler from a long check. */
static void check_policy(const char *path, const char *name, unsigned long nrandom, uint64_t seed,
			 int fd, struct result *r)
{
	struct unit_options opts = { 0 };
	struct compilation c;
	int rc = compilation_run(&c, &opts, path, NULL, 0, stderr);
	fflush(stderr);
	if (write(fd, "C", 1) != 1)
		_exit(3);
	if (rc) {
		r->status = RES_NO_COMPILE;
		compilation_free(&c);
		return;
	}
	struct policyinfo pi;
	policyinfo_build(&pi, &c.pb);
	struct stats st = { 0 };
	rng_state = seed ^ hash_str(name);
	edge_vectors(&c, path, &pi, &st);
	unsigned long edges = st.vectors;
	for (unsigned long k = 0; k < nrandom; k++)
		random_vector(&c, path, &pi, &st);
	harness_note("%s: %lu vectors (%lu edge, %lu random), %lu mismatches, %zu BPF instructions",
		     name, st.vectors, edges, st.vectors - edges, st.mismatches, c.filter.len);
	for (int m = 0; m < M_NCLASS; m++)
		if (st.by_class[m])
			harness_note("    %lu mismatches: %s", st.by_class[m], mclass_name[m]);
	r->status = RES_OK;
	r->vectors = st.vectors;
	r->mismatches = st.mismatches;
	policyinfo_free(&pi);
	compilation_free(&c);
}

/* Reads exactly LEN bytes from FD within TIMEOUT_MS; returns the bytes
 * read (less on EOF), or -1 on timeout. */
static ssize_t read_within(int fd, void *buf, size_t len, int timeout_ms)
{
	size_t got = 0;
	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int n = poll(&pfd, 1, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return -1;
		ssize_t k = read(fd, (char *)buf + got, len - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

static void run_isolated(const char *path, const char *name, unsigned long nrandom, uint64_t seed,
			 struct result *r)
{
	memset(r, 0, sizeof(*r));
	int fds[2];
	fflush(stdout);
	fflush(stderr);
	if (pipe(fds)) {
		perror("pipe");
		exit(2);
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		setpgid(0, 0);   /* a group of its own: the backend forks too */
		close(fds[0]);
		struct result mine;
		memset(&mine, 0, sizeof(mine));
		check_policy(path, name, nrandom, seed, fds[1], &mine);
		fflush(stdout);
		fflush(stderr);
		ssize_t w = write(fds[1], &mine, sizeof(mine));
		_exit(w == (ssize_t)sizeof(mine) ? 0 : 3);
	}
	setpgid(pid, pid);
	close(fds[1]);
	char mark = 0;
	ssize_t got = read_within(fds[0], &mark, 1, COMPILE_TIMEOUT * 1000);
	int hung = got < 0;
	if (got == 1) {
		got = read_within(fds[0], r, sizeof(*r), CHECK_TIMEOUT * 1000);
		hung = got < 0;
	}
	if (hung) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (hung) {
		memset(r, 0, sizeof(*r));
		r->status = RES_HANG;
		snprintf(r->why, sizeof(r->why), "%s", mark == 'C' ? "checking" : "compiling");
	} else if (got != (ssize_t)sizeof(*r) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		memset(r, 0, sizeof(*r));
		r->status = RES_CRASH;
		if (WIFSIGNALED(status))
			snprintf(r->why, sizeof(r->why), "signal %d", WTERMSIG(status));
		else
			snprintf(r->why, sizeof(r->why), "exit status %d",
				 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
}

/* ---- driver ---- */

/* The check of one policy's child: it compiled the policy and checked
 * every vector, within the time limits, without crashing. */
static int check_ran(const char *path, const struct result *r)
{
	switch (r->status) {
	case RES_OK:
		return CHECK(1, "%s compiles and is checked", path);
	case RES_NO_COMPILE:
		FAIL("%s does not compile", path);
		break;
	case RES_HANG:
		if (strcmp(r->why, "compiling") == 0)
			FAIL("%s: the compiler did not finish within %d s", path, COMPILE_TIMEOUT);
		else
			FAIL("%s: checking took more than %d s", path, CHECK_TIMEOUT);
		break;
	case RES_CRASH:
		FAIL("%s: the check crashed (%s)", path, r->why);
		break;
	}
	return 0;
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [VECTORS [SEED]]\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	const char *nv = argc > 2 ? argv[2] : getenv("SYSFENCE_DIFF_VECTORS");
	const char *sv = argc > 3 ? argv[3] : getenv("SYSFENCE_DIFF_SEED");
	unsigned long nrandom = nv ? strtoul(nv, NULL, 0) : 20000;
	uint64_t seed = sv ? strtoull(sv, NULL, 0) : 0x5eccf11e;

	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return 2;
	}
	char **names = NULL;
	size_t nnames = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!ends_with(de->d_name, ".policy"))
			continue;
		names = realloc(names, (nnames + 1) * sizeof(*names));
		if (!names || !(names[nnames] = strdup(de->d_name))) {
			perror("alloc");
			return 2;
		}
		nnames++;
	}
	closedir(d);
	if (nnames)
		qsort(names, nnames, sizeof(*names), by_name);

	unsigned long total_vectors = 0, total_mismatches = 0;
	CHECK(nnames > 0, "no *.policy files in %s", dir);
	for (size_t i = 0; i < nnames; i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			perror("asprintf");
			return 2;
		}
		struct result r;
		harness_case_begin("%s", names[i]);
		run_isolated(path, names[i], nrandom, seed, &r);
		if (!check_ran(path, &r))
			print_policy(path);
		harness_case_end();
		total_vectors += r.vectors;
		total_mismatches += r.mismatches;
		free(path);
	}
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	harness_note("%zu policies, %lu vectors, %lu mismatches", nnames, total_vectors, total_mismatches);
	return harness_summary();
}
