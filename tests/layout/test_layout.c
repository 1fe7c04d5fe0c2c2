/* Unit tests for the layout pass (compiler/layout.c), the profile reader
 * and the kernel-cache model (compiler/kcache.c).
 *
 * The layout must never change what a filter does: every relaid program
 * is run on the interpreter next to the program it came from, on random
 * programs and on the filters of the test policies, over many inputs.
 * Usage: test_layout TESTS_DIR SHARED_BENCH_DIR */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/compilation.h"
#include "kcache.h"
#include "layout/layout.h"
#include "layout/layout_tree.h"
#include "layout/profile.h"
#include "tables/tables.h"

static const char *tests_dir, *bench_dir;

#define RET_K(k) BPF_STMT(BPF_RET | BPF_K, (k))
#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

static uint32_t rng_state = 12345;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* The constants PROG compares with, each also +-1: where behaviour changes. */
static size_t program_constants(const struct sock_filter *p, size_t len, uint32_t *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 3 <= max; i++)
		if (BPF_CLASS(p[i].code) == BPF_JMP && BPF_OP(p[i].code) != BPF_JA) {
			out[n++] = p[i].k;
			out[n++] = p[i].k + 1;
			out[n++] = p[i].k - 1;
		}
	return n;
}

static uint32_t pick(const uint32_t *v, size_t n)
{
	return n && rnd() % 4 ? v[rnd() % n] : rnd() % 4 ? rnd() % 64 : rnd();
}

/* Runs X and Y on COUNT inputs drawn from the constants of X: 0 when they
 * always agree, else the number of the first input on which they differ. */
static size_t first_difference(const struct sock_filter *x, size_t xn, const struct sock_filter *y,
			       size_t yn, size_t count)
{
	static uint32_t k[3 * 4096];
	size_t nk = program_constants(x, xn, k, sizeof(k) / sizeof(k[0]));
	static const uint32_t arches[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, 0 };
	ck_assert_int_eq(bpf_check(x, xn, NULL, 0), 0);
	ck_assert_int_eq(bpf_check(y, yn, NULL, 0), 0);
	for (size_t i = 0; i < count; i++) {
		struct seccomp_data d = { 0 };
		d.arch = rnd() % 8 ? arches[rnd() % 3] : pick(k, nk);
		d.nr = (int)pick(k, nk);
		d.instruction_pointer = rnd() % 2 ? pick(k, nk) : 0;
		for (int a = 0; a < 6; a++)
			d.args[a] = rnd() % 3 ? 0 : ((uint64_t)pick(k, nk) << 32 | pick(k, nk));
		uint32_t rx, ry;
		ck_assert_int_eq(bpf_run_valid(x, xn, &d, &rx, NULL), 0);
		ck_assert_int_eq(bpf_run_valid(y, yn, &d, &ry, NULL), 0);
		if (rx != ry)
			return i + 1;
	}
	return 0;
}

/* ---- random programs ---- */

static const uint32_t actions[] = {
	SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, ERRNO(1), ERRNO(13), SECCOMP_RET_TRAP, SECCOMP_RET_LOG,
};

static uint32_t random_k(void)
{
	static const uint32_t special[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, 0x40000000, 0xffffffff, 0 };
	return rnd() % 3 ? rnd() % 40 : special[rnd() % 5];
}

/* A program of the shapes libseccomp emits (loads of arch, nr and
 * arguments, comparisons, AND masks, returns) in random order. */
static size_t random_program(struct sock_filter *p, size_t max)
{
	size_t n = 8 + rnd() % (max - 8);
	static const uint32_t offsets[] = { 0, 4, 0, 4, 8, 16, 20, 24, 28 };
	for (size_t pc = 0; pc + 1 < n; pc++) {
		size_t room = n - pc - 2;   /* jumps stay inside */
		uint32_t r = rnd() % 100;
		uint8_t jt = (uint8_t)(rnd() % (room < 20 ? room + 1 : 20));
		uint8_t jf = (uint8_t)(rnd() % (room < 20 ? room + 1 : 20));
		if (r < 25)
			p[pc] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsets[rnd() % 9]);
		else if (r < 80)
			p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | (rnd() % 2 ? BPF_JEQ : rnd() % 2 ? BPF_JGT : BPF_JGE) | BPF_K,
							     random_k(), jt, jf);
		else if (r < 82)
			p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, rnd(), jt, jf);
		else if (r < 84)
			p[pc] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, rnd());
		else if (r < 86)
			p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, jt, 0, 0);
		else
			p[pc] = (struct sock_filter)RET_K(actions[rnd() % 6]);
	}
	p[n - 1] = (struct sock_filter)RET_K(actions[rnd() % 6]);
	return n;
}

START_TEST(random_programs_keep_their_meaning)
{
	struct arena *a = arena_new();
	struct sock_filter prog[200];
	int relaid = 0, total = 400;
	for (int i = 0; i < total; i++) {
		size_t len = random_program(prog, 200);
		ck_assert_int_eq(bpf_check(prog, len, NULL, 0), 0);
		struct sock_filter *out;
		size_t outlen;
		if (layout_program(a, prog, len, NULL, NULL, 0, &out, &outlen))
			continue;
		relaid++;
		ck_assert_int_eq(bpf_check(out, outlen, NULL, 0), 0);
		size_t bad = first_difference(prog, len, out, outlen, 3000);
		ck_assert_msg(bad == 0, "program %d differs on input %zu", i, bad);
	}
	/* ALU or JSET on arch/nr make the pass keep a program; most have neither. */
	ck_assert_msg(relaid > total / 3, "only %d of %d programs relaid", relaid, total);
	arena_free(a);
}
END_TEST

/* ---- real filters ---- */

static int compile(struct compilation *c, const char *path, unsigned mask, const struct profile *prof,
		   int libseccomp)
{
	struct unit_options o = { .profile = prof, .libseccomp_layout = libseccomp };
	FILE *devnull = fopen("/dev/null", "w");
	int rc = compilation_run(c, &o, path, NULL, mask, devnull);
	fclose(devnull);
	return rc;
}

/* Calls FN for every .policy file under DIR (in tests/) that compiles. */
static int for_each_policy(const char *sub, void (*fn)(const char *path, void *ctx), void *ctx)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/%s", tests_dir, sub);
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 8 || strcmp(e->d_name + len - 7, ".policy") != 0)
			continue;
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fn(path, ctx);
		n++;
	}
	closedir(d);
	return n;
}

struct tally {
	int compiled, relaid;
};

static void check_real(const char *path, void *ctx)
{
	struct tally *t = ctx;
	struct compilation c;
	if (compile(&c, path, 0, NULL, 1) == 0) {
		t->compiled++;
		struct sock_filter *out;
		size_t outlen;
		if (layout_program(c.arena, c.filter.insns, c.filter.len, NULL, NULL, 0, &out, &outlen) == 0) {
			t->relaid++;
			size_t bad = first_difference(c.filter.insns, c.filter.len, out, outlen, 20000);
			ck_assert_msg(bad == 0, "%s: relaid filter differs on input %zu", path, bad);
		}
	}
	compilation_free(&c);
}

START_TEST(real_filters_keep_their_meaning)
{
	struct tally t = { 0 };
	for_each_policy("policies", check_real, &t);
	for_each_policy("good", check_real, &t);
	for_each_policy("stdlib", check_real, &t);
	ck_assert_int_gt(t.compiled, 20);
	ck_assert_msg(t.relaid * 10 >= t.compiled * 9, "%d of %d relaid", t.relaid, t.compiled);
}
END_TEST

/* ---- trampolines ---- */

/* Syscalls 1 and 2 each test one argument against 150 values (a match
 * returns errno(value)); every miss, and every other syscall, ends in one
 * shared errno(999). Each block is 302 instructions long, so the dispatch
 * to the second block and the misses need jumps farther than 255. */
static size_t long_blocks(struct sock_filter *q)
{
	size_t m = 0, ja_blk1, ja_def[3];
	q[m++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4);
	q[m++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	q[m++] = (struct sock_filter)RET_K(SECCOMP_RET_KILL_PROCESS);
	q[m++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
	q[m++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 3, 0);
	q[m++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 1);
	ja_blk1 = m++;
	ja_def[0] = m++;
	for (int blk = 0; blk < 2; blk++) {
		if (blk == 1)
			q[ja_blk1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)(m - ja_blk1 - 1), 0, 0);
		q[m++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16 + 8 * blk);
		for (uint32_t i = 0; i < 150; i++) {
			q[m++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, i * 3 + (uint32_t)blk, 0, 1);
			q[m++] = (struct sock_filter)RET_K(ERRNO(i));
		}
		ja_def[1 + blk] = m++;
	}
	for (int i = 0; i < 3; i++)
		q[ja_def[i]] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)(m - ja_def[i] - 1), 0, 0);
	q[m++] = (struct sock_filter)RET_K(ERRNO(999));
	return m;
}

START_TEST(trampolines_reach_far_targets)
{
	struct sock_filter q[720];
	size_t m = long_blocks(q);
	char why[128];
	ck_assert_msg(bpf_check(q, m, why, sizeof(why)) == 0, "%s", why);
	struct arena *a = arena_new();
	struct sock_filter *out;
	size_t outlen;
	ck_assert_int_eq(layout_program(a, q, m, NULL, NULL, 0, &out, &outlen), 0);
	ck_assert_int_eq(bpf_check(out, outlen, NULL, 0), 0);
	int tramps = 0;
	for (size_t i = 0; i < outlen; i++)
		tramps += out[i].code == (BPF_JMP | BPF_JA);
	ck_assert_int_gt(tramps, 0);
	/* every value of both blocks and the misses, on each syscall */
	for (int nr = 0; nr < 4; nr++)
		for (uint32_t v = 0; v < 460; v++)
			for (int reg = 0; reg < 2; reg++) {
				struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64 };
				d.args[reg] = v;
				uint32_t want, got;
				ck_assert_int_eq(bpf_run(q, m, &d, &want, NULL), 0);
				ck_assert_int_eq(bpf_run(out, outlen, &d, &got, NULL), 0);
				ck_assert_uint_eq(got, want);
			}
	arena_free(a);
}
END_TEST

/* ---- the kernel's cache ---- */

static int unconditional_allow(const struct policy_build *pb, int arch, int nr)
{
	const struct ptrvec *rules = &pb->per_arch[arch].rules;
	for (size_t i = 0; i < rules->n; i++) {
		const struct rule *r = rules->v[i];
		if (r->nr == nr && !r->dropped)
			return r->action == SECCOMP_RET_ALLOW && r->cond == NULL;
	}
	return pb->default_action == SECCOMP_RET_ALLOW;
}

/* Does the policy give NR different verdicts for different arguments?
 * (Syntax is not enough: `allow mmap if (prot & PROT_EXEC) == 0` and
 * `... != 0` together allow every mmap.) A few vectors that tell apart
 * the conditions of the stdlib suffice here. */
static int depends_on_args(const struct policy_build *pb, int arch, int nr)
{
	static const uint64_t values[] = { 0, 1, 2, 4, 0x80000, 0xffffffff, ~0ull };
	uint32_t audit = arch_table[arch].audit_arch;
	uint64_t args[6] = { 0 };
	uint32_t first = policy_eval(pb, audit, (uint32_t)nr, args);
	for (int reg = 0; reg < 6; reg++)
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			uint64_t a[6] = { 0 };
			a[reg] = values[v];
			if (policy_eval(pb, audit, (uint32_t)nr, a) != first)
				return 1;
		}
	return 0;
}

static void check_cache(const char *path, void *ctx)
{
	int *cached = ctx;
	struct compilation c;
	unsigned mask = 1u << ARCH_X86_64 | 1u << ARCH_X86;
	if (compile(&c, path, mask, NULL, 0) == 0) {
		static const int arches[] = { ARCH_X86_64, ARCH_X86 };
		for (int i = 0; i < 2; i++)
			for (int nr = 0; nr < 512; nr++) {
				uint32_t audit = arch_table[arches[i]].audit_arch;
				int hit = kcache_const_allow(c.filter.insns, c.filter.len, audit, (uint32_t)nr);
				if (unconditional_allow(&c.pb, arches[i], nr)) {
					ck_assert_msg(hit, "%s: %s nr %d is allowed but not cacheable", path,
						      arch_table[arches[i]].name, nr);
					(*cached)++;
				} else if (depends_on_args(&c.pb, arches[i], nr)) {
					ck_assert_msg(!hit, "%s: %s nr %d depends on arguments but is cached", path,
						      arch_table[arches[i]].name, nr);
				}
			}
	}
	compilation_free(&c);
}

/* Verdicts: decisions the pass adds to a program that does not make
 * them (what the backend hands it for rules without conditions). */
START_TEST(verdicts_are_added)
{
	/* x86_64 only: write (1) with fd == 2 allowed, the rest errno(1) */
	struct sock_filter q[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
	};
	const struct bpf_verdict v[] = {
		{ AUDIT_ARCH_X86_64, 0, SECCOMP_RET_ALLOW },
		{ AUDIT_ARCH_X86_64, 60, SECCOMP_RET_ERRNO | 5 },
		{ AUDIT_ARCH_X86_64, 0x40000000 | 3, SECCOMP_RET_TRAP },
	};
	struct arena *a = arena_new();
	struct sock_filter *out;
	size_t outlen;
	ck_assert_int_eq(layout_program(a, q, sizeof(q) / sizeof(q[0]), NULL, v, 3, &out, &outlen), 0);
	static const struct { uint32_t arch, nr; uint64_t fd; uint32_t want; } cases[] = {
		{ AUDIT_ARCH_X86_64, 0, 7, SECCOMP_RET_ALLOW },
		{ AUDIT_ARCH_X86_64, 60, 0, SECCOMP_RET_ERRNO | 5 },
		{ AUDIT_ARCH_X86_64, 59, 0, SECCOMP_RET_ERRNO | 1 },
		{ AUDIT_ARCH_X86_64, 61, 0, SECCOMP_RET_ERRNO | 1 },
		{ AUDIT_ARCH_X86_64, 1, 2, SECCOMP_RET_ALLOW },
		{ AUDIT_ARCH_X86_64, 1, 3, SECCOMP_RET_ERRNO | 1 },
		{ AUDIT_ARCH_X86_64, 0x40000000 | 3, 0, SECCOMP_RET_TRAP },
		{ AUDIT_ARCH_X86_64, 0x40000000 | 4, 0, SECCOMP_RET_ERRNO | 1 },
		{ AUDIT_ARCH_I386, 0, 0, SECCOMP_RET_KILL_PROCESS },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct seccomp_data d = { .nr = (int)cases[i].nr, .arch = cases[i].arch };
		d.args[0] = cases[i].fd;
		uint32_t ret;
		ck_assert_int_eq(bpf_run(out, outlen, &d, &ret, NULL), 0);
		ck_assert_msg(ret == cases[i].want, "case %zu: got %#x want %#x", i, ret, cases[i].want);
	}
	/* a verdict is a constant action the kernel can cache */
	ck_assert(kcache_const_allow(out, outlen, AUDIT_ARCH_X86_64, 0));
	ck_assert(!kcache_const_allow(out, outlen, AUDIT_ARCH_X86_64, 1));
	arena_free(a);
}
END_TEST

START_TEST(unconditional_allows_stay_cacheable)
{
	int cached = 0;
	ck_assert_int_gt(for_each_policy("stdlib", check_cache, &cached), 3);
	char path[4096];
	snprintf(path, sizeof(path), "%s/good/readme_stdlib.policy", tests_dir);
	check_cache(path, &cached);
	ck_assert_int_gt(cached, 100);
}
END_TEST

START_TEST(kcache_follows_the_kernel_rule)
{
	struct sock_filter arg_first[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16), RET_K(SECCOMP_RET_ALLOW),
	};
	struct sock_filter masked[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x80, 1, 0),
		RET_K(SECCOMP_RET_ALLOW),
		RET_K(ERRNO(1)),
	};
	ck_assert_int_eq(kcache_const_allow(arg_first, 2, AUDIT_ARCH_X86_64, 0), 0);
	ck_assert_int_eq(kcache_const_allow(masked, 5, AUDIT_ARCH_X86_64, 0x17f), 1);
	ck_assert_int_eq(kcache_const_allow(masked, 5, AUDIT_ARCH_X86_64, 0x180), 0);
}
END_TEST

/* ---- the mix of bench/data ---- */

/* The allow-list of the mix compiled with PROF; its weighted mean cost
 * on the mix. */
static double mix_cost(const struct profile *mix, const struct profile *prof, int libseccomp)
{
	char path[] = "/tmp/sysfence-layout-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "policy mix {\n  default errno(EPERM);\n");
	for (size_t i = 0; i < mix->n; i++)
		fprintf(f, "  allow %s;\n", mix->v[i].sys->name);
	fprintf(f, "}\n");
	fclose(f);
	struct compilation c;
	ck_assert_int_eq(compile(&c, path, 1u << ARCH_X86_64, prof, libseccomp), 0);
	unlink(path);
	double cost = layout_cost(c.filter.insns, c.filter.len, mix, 1u << ARCH_X86_64);
	compilation_free(&c);
	return cost;
}

START_TEST(mix_meets_its_targets)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/mix-x86_64.strace-c.txt", bench_dir);
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "skipped: %s is not there\n", path);
		return;
	}
	struct arena *a = arena_new();
	struct diag d;
	diag_init(&d, stderr);
	const struct profile *mix = profile_read(a, &d, path);
	ck_assert_ptr_nonnull(mix);
	ck_assert_int_eq(mix->n, 62);
	double tree = mix_cost(mix, NULL, 1), prior = mix_cost(mix, NULL, 0),
	       profiled = mix_cost(mix, mix, 0);
	fprintf(stderr, "mix: libseccomp tree %.2f, prior %.2f, profile %.2f\n", tree, prior, profiled);
	ck_assert_double_le(profiled, 8.5);
	ck_assert_double_le(prior, 10.0);
	ck_assert_double_lt(prior, tree);
	diag_fini(&d);
	arena_free(a);
}
END_TEST

/* The comparisons on the way from NODE to a return, and the return
 * reached for X. */
static int tree_walk(const struct ltree_graph *g, int node, uint32_t x, unsigned *steps)
{
	*steps = 0;
	while (BPF_CLASS(g->v[node].code) == BPF_JMP) {
		const struct ltree_node *n = &g->v[node];
		int taken = BPF_OP(n->code) == BPF_JEQ ? x == n->k : x >= n->k;
		node = taken ? n->t : n->f;
		(*steps)++;
	}
	return node;
}

/* Whatever the weights and hot values, the dispatch tree sends every
 * value to its target and takes no more comparisons on any path than a
 * balanced tree over the intervals would (ceil(log2 n)). */
START_TEST(trees_are_no_deeper_than_balanced)
{
	for (int round = 0; round < 300; round++) {
		struct ltree_graph g = { 0 };
		int ret[3];
		for (int r = 0; r < 3; r++)
			ret[r] = ltree_cons(&g, BPF_RET | BPF_K, (uint32_t)r, -1, -1);
		size_t n = 2 + rnd() % 200, nhot = rnd() % 10;
		struct ltree_item it[202];
		struct ltree_hot hot[10];
		uint32_t lo = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t span = rnd() % 3 ? 1 : 1 + rnd() % 5;
			it[i] = (struct ltree_item){ lo, i + 1 == n ? UINT32_MAX : lo + span - 1,
						     ret[rnd() % 3], rnd() % 4 ? 1e-6 : (double)(rnd() % 1000) };
			lo += span;
		}
		for (size_t h = 0; h < nhot; h++)
			hot[h] = (struct ltree_hot){ it[rnd() % n].lo, (double)(rnd() % 100000) };
		for (size_t h = 0; h < nhot; h++)
			it[ltree_item_of(it, n, hot[h].value)].w += hot[h].w;
		int root = ltree_build(&g, it, n, hot, nhot);
		ck_assert_int_ge(root, 0);
		unsigned bound = 0, steps;
		while (((size_t)1 << bound) < n)
			bound++;
		for (size_t i = 0; i < n; i++) {
			ck_assert_int_eq(tree_walk(&g, root, it[i].lo, &steps), it[i].target);
			ck_assert_uint_le(steps, bound);
			ck_assert_int_eq(tree_walk(&g, root, it[i].hi, &steps), it[i].target);
			ck_assert_uint_le(steps, bound);
		}
		ltree_graph_free(&g);
	}
}
END_TEST

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_layout TESTS_DIR SHARED_BENCH_DIR\n");
		return 2;
	}
	tests_dir = argv[1];
	bench_dir = argv[2];
	Suite *s = suite_create("layout");
	TCase *tc = tcase_create("layout");
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, random_programs_keep_their_meaning);
	tcase_add_test(tc, real_filters_keep_their_meaning);
	tcase_add_test(tc, trampolines_reach_far_targets);
	tcase_add_test(tc, verdicts_are_added);
	tcase_add_test(tc, unconditional_allows_stay_cacheable);
	tcase_add_test(tc, kcache_follows_the_kernel_rule);
	tcase_add_test(tc, mix_meets_its_targets);
	tcase_add_test(tc, trees_are_no_deeper_than_balanced);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
