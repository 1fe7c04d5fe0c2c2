/* OCI import and export, checked against libseccomp.
 *
 * 1. Equality: each profile (Docker's default and the ones in profiles/)
 *    is imported (oci_import), each resulting policy compiled, and the
 *    filter compared on the BPF interpreter with one this test builds
 *    straight from the same JSON with libseccomp, the way runc does
 *    (seccomp_rule_add_array per name). Vectors: every syscall number
 *    0..599 of every arch of the filter (x32's with bit 30), zero, all-ones
 *    and random arguments, and for syscalls with conditions the profile's
 *    constants, their neighbours and random mixes.
 *
 *    The kernel reads only the low 32 bits of an int argument and sysfence
 *    decides on those; libseccomp compares all 64 bits. So the check is:
 *    sysfence(v) == libseccomp(v') where v' is v with the upper half of
 *    every 32-bit argument cleared (v' == v for most vectors; the count of
 *    those where libseccomp's own answer depends on the ignored bits is
 *    printed).
 * 2. Round trip: each roundtrip/NAME.policy is compiled, exported as OCI JSON,
 *    imported again and compiled; both filters must agree on every vector.
 *    The exported JSON is also built with libseccomp as in (1).
 * 3. Kernel: the filter of Docker's profile is loaded in a forked child,
 *    which makes real syscalls.
 * 4. Bad profiles (bad/NAME.json): `sysfence import-oci` exits 1 with a located
 *    error and writes no file; --format=json gives JSON lines.
 *
 * Reports in TAP through tests/support/harness.h: a case per compared
 * pair of filters (a check per vector), per kernel probe, per bad
 * profile and per CLI run.
 *
 * usage: test_oci SYSFENCE DOCKER_JSON TESTS_OCI_DIR */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/file.h"
#include "bpf/bpf.h"
#include "driver/compilation.h"
#include "output/emit.h"
#include "base/json.h"
#include "output/oci_export.h"
#include "tools/oci_import.h"
#include "tables/tables.h"
#include "harness.h"

#define X32_BIT 0x40000000u
#define NR_MAX 600
#define MAX_PRINTED 8   /* mismatches printed per pair of filters */

static unsigned long total_vectors, total_mismatches;

/* ---- random numbers (splitmix64, fixed seed) ---- */

static uint64_t rng = 0x0c1f11e5;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- the reference: libseccomp from the JSON, as runc does it ---- */

static const uint32_t scmp_token[ARCH_COUNT] = {
	[ARCH_X86_64] = SCMP_ARCH_X86_64, [ARCH_X86] = SCMP_ARCH_X86,
	[ARCH_X32] = SCMP_ARCH_X32, [ARCH_AARCH64] = SCMP_ARCH_AARCH64,
};

/* Docker's names for the host in includes/excludes "arches". */
static int host_is(int host, const char *name)
{
	static const char *const names[ARCH_COUNT] = {
		[ARCH_X86_64] = "amd64", [ARCH_X86] = "x86", [ARCH_X32] = "x32", [ARCH_AARCH64] = "arm64",
	};
	return strcmp(names[host], name) == 0;
}

static int ref_arch(const char *token)
{
	static const char *const t[ARCH_COUNT] = {
		[ARCH_X86_64] = "SCMP_ARCH_X86_64", [ARCH_X86] = "SCMP_ARCH_X86",
		[ARCH_X32] = "SCMP_ARCH_X32", [ARCH_AARCH64] = "SCMP_ARCH_AARCH64",
	};
	for (int a = 0; a < ARCH_COUNT; a++)
		if (strcmp(token, t[a]) == 0)
			return a;
	return -1;
}

struct group {
	int host;
	unsigned mask;
};

/* The filters a profile stands for: one per supported archMap host, or
 * one for a flat architectures list (host: its first arch). */
static int ref_groups(const struct json *root, struct group *g)
{
	int n = 0;
	const struct json *list = json_get(root, "architectures"), *map = json_get(root, "archMap");
	if (list && list->n) {
		g[0] = (struct group){ -1, 0 };
		for (size_t i = 0; i < list->n; i++) {
			int a = ref_arch(list->items[i]->text);
			if (a >= 0 && g[0].host < 0)
				g[0].host = a;
			if (a >= 0)
				g[0].mask |= 1u << a;
		}
		return 1;
	}
	for (size_t i = 0; map && i < map->n; i++) {
		int a = ref_arch(json_get(map->items[i], "architecture")->text);
		if (a < 0)
			continue;
		g[n] = (struct group){ a, 1u << a };
		const struct json *subs = json_get(map->items[i], "subArchitectures");
		for (size_t k = 0; subs && k < subs->n; k++) {
			int s = ref_arch(subs->items[k]->text);
			if (s >= 0)
				g[n].mask |= 1u << s;
		}
		n++;
	}
	return n;
}

static uint32_t ref_action(const struct json *e, const char *act_key, const char *ret_key)
{
	const char *act = json_get(e, act_key)->text;
	const struct json *ret = json_get(e, ret_key);
	uint32_t data = ret ? (uint32_t)strtoul(ret->text, NULL, 10) : EPERM;
	if (strcmp(act, "SCMP_ACT_ALLOW") == 0) return SCMP_ACT_ALLOW;
	if (strcmp(act, "SCMP_ACT_ERRNO") == 0) return SCMP_ACT_ERRNO(data);
	if (strcmp(act, "SCMP_ACT_TRACE") == 0) return SCMP_ACT_TRACE(data);
	if (strcmp(act, "SCMP_ACT_KILL") == 0 || strcmp(act, "SCMP_ACT_KILL_THREAD") == 0)
		return SCMP_ACT_KILL_THREAD;
	if (strcmp(act, "SCMP_ACT_KILL_PROCESS") == 0) return SCMP_ACT_KILL_PROCESS;
	if (strcmp(act, "SCMP_ACT_TRAP") == 0) return SCMP_ACT_TRAP;
	if (strcmp(act, "SCMP_ACT_LOG") == 0) return SCMP_ACT_LOG;
	if (strcmp(act, "SCMP_ACT_NOTIFY") == 0) return SCMP_ACT_NOTIFY;
	return 0xdead;
}

static int list_has_host(const struct json *list, int host)
{
	for (size_t i = 0; list && i < list->n; i++)
		if (host_is(host, list->items[i]->text))
			return 1;
	return 0;
}

/* No capabilities granted, every minKernel assumed satisfied. */
static int entry_used(const struct json *e, int host)
{
	const struct json *inc = json_get(e, "includes"), *exc = json_get(e, "excludes");
	const struct json *ia = json_get(inc, "arches"), *ea = json_get(exc, "arches");
	if (ia && ia->n && !list_has_host(ia, host))
		return 0;
	if (ea && ea->n && list_has_host(ea, host))
		return 0;
	const struct json *ic = json_get(inc, "caps");
	if (ic && ic->n)
		return 0;
	if (json_get(exc, "minKernel"))
		return 0;
	return 1;
}

static enum scmp_compare ref_op(const char *op)
{
	static const struct { const char *name; enum scmp_compare op; } ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
		{ "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(op, ops[i].name) == 0)
			return ops[i].op;
	return _SCMP_CMP_MIN;
}

static uint64_t num(const struct json *v)
{
	uint64_t x = 0;
	if (v)
		json_u64(v, &x);
	return x;
}

struct prog {
	struct sock_filter *insns;
	size_t len;
};

static int ref_build(const struct json *root, const struct group *g, struct prog *out)
{
	uint32_t def = ref_action(root, "defaultAction", "defaultErrnoRet");
	scmp_filter_ctx ctx = seccomp_init(def);
	int native_kept = 0, rc = 0;
	for (int a = 0; a < ARCH_COUNT && ctx; a++) {
		if (!(g->mask & (1u << a)))
			continue;
		if (scmp_token[a] == seccomp_arch_native())
			native_kept = 1;
		else
			rc |= seccomp_arch_add(ctx, scmp_token[a]);
	}
	if (!native_kept)
		rc |= seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
	rc |= seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	const struct json *sys = json_get(root, "syscalls");
	for (size_t i = 0; sys && i < sys->n && !rc; i++) {
		const struct json *e = sys->items[i];
		uint32_t act = ref_action(e, "action", "errnoRet");
		if (!entry_used(e, g->host) || act == def)
			continue;   /* libseccomp refuses a rule with the default action */
		const struct json *args = json_get(e, "args"), *names = json_get(e, "names");
		struct scmp_arg_cmp cmps[6];
		unsigned n = 0;
		for (size_t k = 0; args && k < args->n; k++)
			cmps[n++] = (struct scmp_arg_cmp){
				(unsigned)num(json_get(args->items[k], "index")),
				ref_op(json_get(args->items[k], "op")->text),
				num(json_get(args->items[k], "value")), num(json_get(args->items[k], "valueTwo")) };
		for (size_t k = 0; names && k < names->n; k++) {
			int nr = seccomp_syscall_resolve_name(names->items[k]->text);
			if (nr == __NR_SCMP_ERROR)
				continue;   /* runc skips names libseccomp does not know */
			int r = seccomp_rule_add_array(ctx, act, nr, n, cmps);
			if (r) {
				FAIL("libseccomp refused '%s' of entry %zu: %s", names->items[k]->text, i + 1,
				     strerror(-r));
				rc = r;
			}
		}
	}
	int fd = memfd_create("ref", 0);
	if (rc || fd < 0 || seccomp_export_bpf(ctx, fd)) {
		seccomp_release(ctx);
		return -1;
	}
	seccomp_release(ctx);
	off_t size = lseek(fd, 0, SEEK_END);
	out->len = (size_t)size / sizeof(struct sock_filter);
	out->insns = malloc((size_t)size);
	if (pread(fd, out->insns, (size_t)size, 0) != size)
		return -1;
	close(fd);
	return 0;
}

/* ---- comparing two programs ---- */

struct pools {
	uint64_t v[6][256];
	size_t n[6];
};

static void pool_add(struct pools *p, int idx, uint64_t x)
{
	for (size_t i = 0; i < p->n[idx]; i++)
		if (p->v[idx][i] == x)
			return;
	if (p->n[idx] < 256)
		p->v[idx][p->n[idx]++] = x;
}

/* Constants of the profile per argument index, with their neighbours. */
static void collect_pools(const struct json *root, struct pools *p)
{
	memset(p, 0, sizeof(*p));
	const struct json *sys = json_get(root, "syscalls");
	for (size_t i = 0; sys && i < sys->n; i++) {
		const struct json *args = json_get(sys->items[i], "args");
		for (size_t k = 0; args && k < args->n; k++) {
			int idx = (int)num(json_get(args->items[k], "index"));
			uint64_t v = num(json_get(args->items[k], "value"));
			uint64_t v2 = num(json_get(args->items[k], "valueTwo"));
			const uint64_t cands[] = { v, v - 1, v + 1, v2, v2 | ~v, v2 ^ (v & -v), v2 ^ v };
			for (size_t c = 0; c < sizeof(cands) / sizeof(cands[0]); c++)
				pool_add(p, idx, cands[c]);
		}
	}
	for (int idx = 0; idx < 6; idx++) {
		pool_add(p, idx, 0);
		pool_add(p, idx, ~0ull);
	}
}

/* V as the kernel reads it: the bits above each argument's effective
 * width (32 for an int, 12 for fchmod's mode) cleared. */
static void canon(int arch, uint32_t nr, const uint64_t v[6], uint64_t out[6])
{
	const struct syscall_desc *s = syscall_by_nr(arch, (int)nr);
	for (int i = 0; i < 6; i++) {
		out[i] = v[i];
		if (arch == ARCH_X86)
			out[i] &= 0xffffffffull;
		if (s && s->has_signature && i < s->nparams && s->params[i].bits < 64 &&
		    (s->params[i].arches & (1u << arch)))
			out[i] &= (1ull << s->params[i].bits) - 1;
	}
}

struct tally {
	unsigned long vectors, mismatches, upper_differs;
	unsigned long beyond;   /* vectors on syscalls this libseccomp does not know */
};

static uint32_t run(const struct sock_filter *insns, size_t len, uint32_t audit, uint32_t nr,
		    const uint64_t a[6])
{
	struct seccomp_data d = { .nr = (int)nr, .arch = audit };
	memcpy(d.args, a, sizeof(d.args));
	uint32_t ret = 0xffffffff;
	if (bpf_run(insns, len, &d, &ret, NULL))
		return 0xfffffffe;
	return ret;
}

static void compare_one(const char *what, const struct prog *ours, const struct prog *ref, int arch,
			uint32_t nr, const uint64_t v[6], struct tally *t)
{
	uint32_t audit = arch_table[arch].audit_arch;
	uint64_t kv[6];
	uint64_t x86v[6];
	const uint64_t *vv = v;
	if (arch == ARCH_X86) {   /* an i386 task has no upper halves */
		for (int i = 0; i < 6; i++)
			x86v[i] = v[i] & 0xffffffffull;
		vv = x86v;
	}
	canon(arch, nr, vv, kv);
	uint32_t got = run(ours->insns, ours->len, audit, nr, vv);
	uint32_t want = run(ref->insns, ref->len, audit, nr, kv);
	/* A syscall newer than this libseccomp: the reference cannot filter
	 * it (runc would skip the name), sysfence does as the profile says. */
	int real = policy_arch_of(audit, nr);   /* x32's numbers under x86_64's tag too */
	char *known = real < 0 ? NULL : seccomp_syscall_resolve_num_arch(scmp_token[real], (int)nr);
	free(known);
	if (!known && real >= 0 && syscall_by_nr(real, (int)nr)) {
		t->beyond++;
		return;
	}
	t->vectors++;
	total_vectors++;
	if (memcmp(kv, vv, sizeof(kv)) && run(ref->insns, ref->len, audit, nr, vv) != want)
		t->upper_differs++;
	if (got == want) {
		harness_count(1);
		return;
	}
	total_mismatches++;
	if (++t->mismatches > MAX_PRINTED) {
		harness_count(0);
	} else {
		char b1[32], b2[32];
		FAIL("%s: %s nr %" PRIu32 " args %#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64
		     " %#" PRIx64 ": sysfence %s, reference %s", what, arch_table[arch].name, nr, vv[0], vv[1],
		     vv[2], vv[3], vv[4], vv[5], bpf_action_str(got, b1, sizeof(b1)),
		     bpf_action_str(want, b2, sizeof(b2)));
	}
}

static uint64_t pick(const struct pools *p, int idx)
{
	uint64_t r = rnd();
	uint64_t x = r % 4 == 0 ? rnd() : p->v[idx][(r >> 8) % p->n[idx]];
	switch ((r >> 40) % 5) {
	case 0: return x & 0xffffffffull;
	case 1: return x | 0xffffffff00000000ull;
	case 2: return (x & 0xffffffffull) | (rnd() << 32);
	default: return x;
	}
}

/* Every number of every arch of MASK; the syscalls NAMED (with
 * conditions) get RANDOM vectors from the pools each. */
static void compare(const char *what, const struct prog *ours, const struct prog *ref, unsigned mask,
		    const struct pools *p, unsigned random, struct tally *t)
{
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(mask & (1u << a)))
			continue;
		uint32_t bias = a == ARCH_X32 ? X32_BIT : 0;
		for (uint32_t k = 0; k < NR_MAX; k++) {
			uint32_t nr = k | bias;
			uint64_t zero[6] = { 0 }, ones[6], v[6];
			for (int i = 0; i < 6; i++)
				ones[i] = ~0ull;
			compare_one(what, ours, ref, a, nr, zero, t);
			compare_one(what, ours, ref, a, nr, ones, t);
			/* a few random vectors everywhere, many where a rule
			 * might compare arguments */
			uint32_t got = run(ours->insns, ours->len, arch_table[a].audit_arch, nr, zero);
			uint32_t alt = run(ours->insns, ours->len, arch_table[a].audit_arch, nr, ones);
			unsigned n = got == alt ? 4 : random;
			for (unsigned r = 0; r < n; r++) {
				for (int i = 0; i < 6; i++)
					v[i] = pick(p, i);
				compare_one(what, ours, ref, a, nr, v, t);
			}
		}
		/* numbers of the other ABI (x32 <-> x86_64) on this arch */
		uint64_t zero[6] = { 0 };
		for (uint32_t k = 0; k < NR_MAX; k += 7)
			compare_one(what, ours, ref, a, k ^ X32_BIT ^ bias, zero, t);
	}
}

/* Syscalls whose verdict may depend on arguments get RANDOM vectors;
 * finding them by looking at two vectors misses some, so also every
 * syscall named in an entry with args. */
static void compare_named(const char *what, const struct prog *ours, const struct prog *ref,
			  unsigned mask, const struct json *root, const struct pools *p, unsigned random,
			  struct tally *t)
{
	const struct json *sys = json_get(root, "syscalls");
	for (size_t i = 0; sys && i < sys->n; i++) {
		const struct json *names = json_get(sys->items[i], "names");
		if (!json_get(sys->items[i], "args"))
			continue;
		for (size_t k = 0; names && k < names->n; k++)
			for (int a = 0; a < ARCH_COUNT; a++) {
				if (!(mask & (1u << a)))
					continue;
				int nr = seccomp_syscall_resolve_name_arch(scmp_token[a], names->items[k]->text);
				if (nr < 0)
					continue;
				/* every pool value in each position, then random mixes */
				for (int idx = 0; idx < 6; idx++)
					for (size_t j = 0; j < p->n[idx]; j++)
						for (int up = 0; up < 3; up++) {
							uint64_t v[6] = { 0 };
							uint64_t x = p->v[idx][j];
							v[idx] = up == 0 ? x : up == 1 ? x & 0xffffffffull
									    : x | 0xffffffff00000000ull;
							compare_one(what, ours, ref, a, (uint32_t)nr, v, t);
						}
				for (unsigned r = 0; r < random; r++) {
					uint64_t v[6];
					for (int idx = 0; idx < 6; idx++)
						v[idx] = pick(p, idx);
					compare_one(what, ours, ref, a, (uint32_t)nr, v, t);
				}
			}
	}
}

/* ---- import + compile ---- */

static char tmpdir[] = "/tmp/sysfence-oci-XXXXXX";

static const char *write_tmp(const char *name, const char *text, size_t len)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(2);
	}
	return path;
}

static char *import(const char *profile, unsigned arch_mask, const char *name)
{
	struct arena *a = arena_new();
	struct diag d;
	FILE *log = tmpfile();   /* the expected warnings; shown when the import fails */
	diag_init(&d, log ? log : stderr);
	int err = 0;
	struct source *src = source_read(a, profile, &err);
	struct oci_import_options o = { .kernel_major = -1, .arch_mask = arch_mask, .name = name };
	char *text = NULL;
	size_t len = 0;
	if (!CHECK(src && oci_import(a, &d, src, &o, &text, &len) == 0, "import of %s failed", profile)) {
		char line[1024];
		if (log)
			rewind(log);
		while (log && fgets(line, sizeof(line), log))
			fputs(line, stderr);
	}
	if (log)
		fclose(log);
	arena_free(a);
	diag_fini(&d);
	return text;
}

static int compile(struct compilation *c, const char *path, const char *policy, unsigned arch_mask)
{
	int rc = compilation_run(c, NULL, path, policy, arch_mask, stderr);
	return CHECK(rc == 0, "%s: policy %s does not compile", path, policy ? policy : "(only)") ? 0 : -1;
}

static void equality_one(const struct json *root, const char *path, const char *pname,
			 struct group gr, const struct pools *pools, unsigned random);

/* The syscalls the reference cannot filter (newer than this libseccomp)
 * get what the profile says: the action of an entry naming them without
 * args and without includes/excludes, where the profile has one. */
static void newer_syscalls(const char *what, const struct prog *ours, unsigned mask,
			   const struct json *root)
{
	const struct json *sys = json_get(root, "syscalls");
	unsigned checked = 0;
	for (size_t i = 0; sys && i < sys->n; i++) {
		const struct json *e = sys->items[i], *names = json_get(e, "names");
		const struct json *action = json_get(e, "action");
		if (json_get(e, "args") || json_get(e, "includes") || json_get(e, "excludes") || !action ||
		    strcmp(action->text, "SCMP_ACT_ALLOW"))
			continue;
		for (size_t k = 0; names && k < names->n; k++)
			for (int a = 0; a < ARCH_COUNT; a++) {
				const struct syscall_desc *d = syscall_find(names->items[k]->text);
				int nr = d && (mask & (1u << a)) ? d->nr[a] : -1;
				char *known = nr >= 0 ? seccomp_syscall_resolve_num_arch(scmp_token[a], nr) : NULL;
				free(known);
				if (nr < 0 || known)
					continue;
				uint64_t zero[6] = { 0 };
				uint32_t got = run(ours->insns, ours->len, arch_table[a].audit_arch, (uint32_t)nr, zero);
				checked++;
				CHECK(got == SECCOMP_RET_ALLOW,
				      "%s: %s on %s (newer than libseccomp) is not allowed as the profile says",
				      what, names->items[k]->text, arch_table[a].name);
			}
	}
	if (checked)
		harness_note("%s: %u (syscall, arch) pairs newer than libseccomp checked", what, checked);
}

/* Imports PROFILE for the arches in RESTRICT (0: all) and compares every
 * policy with libseccomp's filter of the same host (or, where the importer
 * wrote one policy per arch, with libseccomp's for that arch). */
static void equality(const char *profile, const char *name, unsigned restrict_mask, unsigned random)
{
	struct arena *a = arena_new();
	struct diag d;
	diag_init(&d, stderr);
	int err;
	harness_case_begin("%s: import", name);
	struct source *src = source_read(a, profile, &err);
	struct json *root = src ? json_parse(a, &d, src) : NULL;
	CHECK(root, "cannot read %s", profile);
	char *text = root ? import(profile, restrict_mask, name) : NULL;
	harness_case_end();
	if (!text) {
		arena_free(a);
		diag_fini(&d);
		return;
	}
	const char *path = write_tmp("imported.policy", text, strlen(text));
	struct group groups[ARCH_COUNT];
	int ng = ref_groups(root, groups);
	struct pools pools;
	collect_pools(root, &pools);
	for (int g = 0; g < ng; g++) {
		struct group gr = groups[g];
		if (restrict_mask)
			gr.mask &= restrict_mask;
		if (!gr.mask)
			continue;
		char pname[128], decl[160];
		if (ng > 1)
			snprintf(pname, sizeof(pname), "%s_%s", name, arch_table[gr.host].name);
		else
			snprintf(pname, sizeof(pname), "%s", name);
		snprintf(decl, sizeof(decl), "\npolicy %s {", pname);
		if (!strstr(text, decl)) {
			/* written as one policy per arch (split.json) */
			for (int arch = 0; arch < ARCH_COUNT; arch++)
				if (gr.mask & (1u << arch)) {
					char sub[160];
					snprintf(sub, sizeof(sub), "%s_%s", pname, arch_table[arch].name);
					equality_one(root, path, sub, (struct group){ gr.host, 1u << arch }, &pools,
						     random);
				}
			continue;
		}
		equality_one(root, path, pname, gr, &pools, random);
	}
	free(text);
	arena_free(a);
	diag_fini(&d);
}

static void equality_one(const struct json *root, const char *path, const char *pname,
			 struct group gr, const struct pools *pools, unsigned random)
{
	struct compilation c;
	struct prog ref = { 0 };
	harness_case_begin("%s: the same filter as libseccomp's", pname);
	if (compile(&c, path, pname, 0) == 0 && CHECK(ref_build(root, &gr, &ref) == 0,
						      "%s: no reference filter", pname)) {
		struct prog ours = { c.filter.insns, c.filter.len };
		struct tally t = { 0 };
		compare(pname, &ours, &ref, gr.mask, pools, random, &t);
		compare_named(pname, &ours, &ref, gr.mask, root, pools, random, &t);
		harness_note("%s: %lu vectors, %lu mismatches (%lu where libseccomp decides on bits the "
			     "kernel ignores; %lu on syscalls newer than libseccomp not compared), "
			     "%zu vs %zu instructions",
			     pname, t.vectors, t.mismatches, t.upper_differs, t.beyond, ours.len, ref.len);
		newer_syscalls(pname, &ours, gr.mask, root);
	}
	harness_case_end();
	free(ref.insns);
	compilation_free(&c);
}

/* ---- round trip: policy -> OCI JSON -> policy ---- */

/* Compares the filter OURS with that of the reimported policy PNAME of
 * PATH, then with libseccomp's filter of the exported JSON: a case each. */
static void round_trip_group(const struct prog *ours, const char *path, const char *pname,
			     const struct json *root, const struct group *g, const struct pools *pools)
{
	struct compilation back;
	struct prog ref = { 0 };
	harness_case_begin("round trip %s", pname);
	int compiled = compile(&back, path, pname, 0) == 0;
	if (compiled) {
		struct prog again = { back.filter.insns, back.filter.len };
		struct tally t = { 0 };
		compare(pname, ours, &again, g->mask, pools, 200, &t);
		compare_named(pname, ours, &again, g->mask, root, pools, 500, &t);
		harness_note("round trip %s: %lu vectors, %lu mismatches", pname, t.vectors, t.mismatches);
	}
	harness_case_end();
	if (compiled) {
		struct tally l = { 0 };
		harness_case_begin("exported JSON through libseccomp %s", pname);
		if (CHECK(ref_build(root, g, &ref) == 0, "%s: libseccomp cannot build the exported JSON", pname)) {
			compare(pname, ours, &ref, g->mask, pools, 200, &l);
			compare_named(pname, ours, &ref, g->mask, root, pools, 500, &l);
			harness_note("exported JSON through libseccomp %s: %lu vectors, %lu mismatches", pname,
				     l.vectors, l.mismatches);
		}
		harness_case_end();
	}
	free(ref.insns);
	compilation_free(&back);
}

static void round_trip_policy(const char *policy_path, const char *policy, const char *stem)
{
	struct compilation orig;
	harness_case_begin("%s: compile, export as OCI JSON, import again", stem);
	if (compile(&orig, policy_path, policy, 0)) {
		harness_case_end();
		compilation_free(&orig);
		return;
	}
	const char *json_text;
	size_t len;
	if (!CHECK(oci_export(&orig.unit, &orig.pb, &json_text, &len) == 0, "%s: export refused", policy_path)) {
		harness_case_end();
		compilation_free(&orig);
		return;
	}
	char json_path[4096];
	snprintf(json_path, sizeof(json_path), "%s", write_tmp("exported.json", json_text, len));
	struct arena *a = arena_new();
	struct diag d;
	diag_init(&d, stderr);
	int err;
	struct json *root = json_parse(a, &d, source_read(a, json_path, &err));
	char *text = import(json_path, 0, stem);
	int read_back = CHECK(root && text, "%s: exported JSON does not read back", policy_path);
	harness_case_end();
	if (!read_back)
		goto out;
	const char *path = write_tmp("reimported.policy", text, strlen(text));
	struct group groups[ARCH_COUNT];
	int ng = ref_groups(root, groups);
	struct pools pools;
	collect_pools(root, &pools);
	struct prog ours = { orig.filter.insns, orig.filter.len };
	for (int g = 0; g < ng; g++) {
		char pname[128];
		if (ng > 1)
			snprintf(pname, sizeof(pname), "%s_%s", stem, arch_table[groups[g].host].name);
		else
			snprintf(pname, sizeof(pname), "%s", stem);
		round_trip_group(&ours, path, pname, root, &groups[g], &pools);
	}
out:
	free(text);
	arena_free(a);
	diag_fini(&d);
	compilation_free(&orig);
}

static void round_trip(const char *policy_path, const char *stem)
{
	round_trip_policy(policy_path, NULL, stem);
}

/* Docker's profile, imported, then exported and imported again. */
static void docker_round_trip(const char *docker)
{
	harness_case_begin("docker_default: import for the round trip");
	char *text = import(docker, (1u << ARCH_X86_64) | (1u << ARCH_X32) | (1u << ARCH_AARCH64),
			    "docker_default");
	harness_case_end();
	if (!text)
		return;
	char path[4096];
	snprintf(path, sizeof(path), "%s", write_tmp("docker.policy", text, strlen(text)));
	free(text);
	round_trip_policy(path, "docker_default_x86_64", "docker_again_x86_64");
	round_trip_policy(path, "docker_default_aarch64", "docker_again_aarch64");
}

/* ---- the kernel: Docker's filter in a child ---- */

struct kprobe {
	const char *what;
	long nr;
	long a0, a1, a2;
	int want_errno;      /* 0: must succeed */
};

static const struct kprobe kprobes[] = {
	{ "getpid", SYS_getpid, 0, 0, 0, 0 },
	{ "personality(0xffffffff) (query)", SYS_personality, 0xffffffffL, 0, 0, 0 },
	{ "socket(AF_UNIX)", SYS_socket, AF_UNIX, SOCK_STREAM, 0, 0 },
	{ "socket(AF_VSOCK)", SYS_socket, 40, SOCK_STREAM, 0, EPERM },
	{ "personality(0x1234)", SYS_personality, 0x1234, 0, 0, EPERM },
	{ "unshare(CLONE_NEWUSER)", SYS_unshare, CLONE_NEWUSER, 0, 0, EPERM },
	{ "keyctl", SYS_keyctl, 0, 0, 0, EPERM },
	{ "clone3(NULL, 0)", 435, 0, 0, 0, ENOSYS },
	{ "clone(CLONE_NEWNS)", SYS_clone, CLONE_NEWNS, 0, 0, EPERM },
};
#define NKPROBES (sizeof(kprobes) / sizeof(kprobes[0]))

/* In a forked child: loads FILTER and makes each probe's syscall, with
 * the errnos in RES (0: success). Never returns. */
static void kernel_child(const struct sock_fprog *filter, int *res)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter))
		_exit(3);
	for (size_t i = 0; i < NKPROBES; i++) {
		const struct kprobe *p = &kprobes[i];
		long r = syscall(p->nr, p->a0, p->a1, p->a2, 0L, 0L, 0L);
		res[i] = r >= 0 ? 0 : errno;
	}
	_exit(0);
}

/* Runs the probes under C's filter in a child; RES gets their errnos.
 * Returns 0 when the child finished. */
static int kernel_run(const struct compilation *c, int *res)
{
	memset(res, 0xff, NKPROBES * sizeof(int));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		struct sock_fprog prog = { (unsigned short)c->filter.len, c->filter.insns };
		kernel_child(&prog, res);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "kernel check: child did not finish (status %#x)", status) ? 0 : -1;
}

static const char *outcome(int err)
{
	return err ? strerror(err) : "success";
}

static void kernel_check(const char *docker)
{
	harness_case_begin("kernel: Docker's filter loaded in a child");
	if (arch_native() != ARCH_X86_64) {
		harness_case_skip("not an x86_64 machine");
		harness_case_end();
		return;
	}
	char *text = import(docker, (1u << ARCH_X86_64) | (1u << ARCH_X32), "docker_default");
	if (!text) {
		harness_case_end();
		return;
	}
	const char *path = write_tmp("kernel.policy", text, strlen(text));
	free(text);
	struct compilation c;
	int ran = compile(&c, path, "docker_default_x86_64", 0) == 0;
	int *res = ran ? mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) : MAP_FAILED;
	ran = ran && CHECK(res != MAP_FAILED, "mmap: %s", strerror(errno)) && kernel_run(&c, res) == 0;
	harness_case_end();
	for (size_t i = 0; ran && i < NKPROBES; i++) {
		const struct kprobe *p = &kprobes[i];
		harness_case_begin("kernel: %s -> %s", p->what, outcome(p->want_errno));
		CHECK(res[i] == p->want_errno, "kernel: %s gave %s, want %s", p->what, outcome(res[i]),
		      outcome(p->want_errno));
		harness_case_end();
	}
	if (res != MAP_FAILED)
		munmap(res, 4096);
	compilation_free(&c);
}

/* ---- the command line ---- */

/* Runs ARGV, returns its exit status and its stdout+stderr in OUT. */
static int run_cli(char *const argv[], char *out, size_t outlen)
{
	int fds[2];
	if (pipe(fds))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	size_t n = 0;
	ssize_t k;
	while (n + 1 < outlen && (k = read(fds[0], out + n, outlen - n - 1)) > 0)
		n += (size_t)k;
	out[n] = '\0';
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void bad_profiles(const char *sysfence, const char *dir)
{
	static const struct { const char *file; const char *where; } cases[] = {
		{ "syntax.json", "syntax.json:5:5: error: expected ',' or ']'" },
		{ "unknown_op.json", "unknown_op.json:6:49: error: unknown comparison 'SCMP_CMP_APPROX'" },
		{ "index.json", "index.json:6:28: error: 'index' must be an argument number from 0 to 5" },
		{ "type.json", "type.json:5:16: error: 'names' must be an array, not a string" },
		{ "wide.json", "wide.json:6:40: error: 'family' of 'socket' is 32 bits wide" },
	};
	char out_path[4200], in[4200], buf[8192];
	snprintf(out_path, sizeof(out_path), "%s/bad.policy", tmpdir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(in, sizeof(in), "%s/%s", dir, cases[i].file);
		FILE *f = fopen(out_path, "w");
		fputs("keep\n", f);
		fclose(f);
		char *argv[] = { (char *)sysfence, "import-oci", in, "-o", out_path, NULL };
		int rc = run_cli(argv, buf, sizeof(buf));
		f = fopen(out_path, "r");
		char kept[16] = "";
		if (!f || !fgets(kept, sizeof(kept), f))
			kept[0] = '\0';
		if (f)
			fclose(f);
		harness_case_begin("bad profile %s: exit 1, located error, no output", cases[i].file);
		CHECK(rc == 1 && strstr(buf, cases[i].where) && strstr(buf, "^") && !strcmp(kept, "keep\n"),
		      "bad profile %s: exit %d, output file %s, diagnostics:\n%s", cases[i].file, rc,
		      strcmp(kept, "keep\n") ? "changed" : "intact", buf);
		harness_case_end();
	}
	snprintf(in, sizeof(in), "%s/unknown_op.json", dir);
	char *argv[] = { (char *)sysfence, "import-oci", "--format=json", in, "-o", out_path, NULL };
	int rc = run_cli(argv, buf, sizeof(buf));
	harness_case_begin("--format=json gives JSON lines");
	CHECK(rc == 1 && strstr(buf, "{\"severity\":\"error\",\"file\":") && strstr(buf, "\"line\":6,\"column\":49"),
	      "--format=json: exit %d, output:\n%s", rc, buf);
	harness_case_end();
}

/* import-oci and compile -f oci through the CLI, and their files. */
static void cli_round(const char *sysfence, const char *docker)
{
	char pol[4096], js[4096], buf[1 << 16];
	snprintf(pol, sizeof(pol), "%s/cli.policy", tmpdir);
	snprintf(js, sizeof(js), "%s/cli.json", tmpdir);
	char *imp[] = { (char *)sysfence, "import-oci", (char *)docker, "-o", pol, NULL };
	int rc = run_cli(imp, buf, sizeof(buf));
	char *exp[] = { (char *)sysfence, "compile", pol, "-p", "docker_default_x86_64", "-o", js, NULL };
	int rc2 = rc ? -1 : run_cli(exp, buf, sizeof(buf));
	struct arena *a = arena_new();
	struct diag d;
	diag_init(&d, stderr);
	int err;
	struct source *src = rc2 == 0 ? source_read(a, js, &err) : NULL;
	struct json *root = src ? json_parse(a, &d, src) : NULL;
	const struct json *sys = json_get(root, "syscalls");
	harness_case_begin("CLI: import-oci, then compile -o x.json writes OCI entries");
	if (CHECK(!rc && !rc2 && sys && sys->n >= 5, "CLI: import-oci exit %d, compile -o .json exit %d:\n%s",
		  rc, rc2, buf))
		harness_note("CLI: compile -o x.json wrote %zu OCI entries", sys->n);
	harness_case_end();
	arena_free(a);
	diag_fini(&d);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void each_file(const char *dir, const char *suffix, void (*fn)(const char *path, const char *stem))
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (ends_with(list[i]->d_name, suffix)) {
			char path[4096], stem[256];
			snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
			snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(list[i]->d_name) - strlen(suffix)),
				 list[i]->d_name);
			fn(path, stem);
		}
		free(list[i]);
	}
	if (CHECK(n >= 0, "cannot list %s", dir))
		free(list);
}

static void profile_equality(const char *path, const char *stem)
{
	equality(path, stem, 0, 2000);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s SYSFENCE DOCKER_JSON TESTS_OCI_DIR\n", argv[0]);
		return 2;
	}
	const char *sysfence = argv[1], *docker = argv[2], *dir = argv[3];
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	char sub[3000];
	/* Docker's profile is part of the repository (tests/oci/data): a
	 * missing copy is a failure, not a reason to skip. */
	int have_docker = access(docker, R_OK) == 0;
	CHECK(have_docker, "Docker's default profile: %s: %s", docker, strerror(errno));
	/* Docker's default profile, every arch of both hosts. */
	if (have_docker)
		equality(docker, "docker_default",
			 (1u << ARCH_X86_64) | (1u << ARCH_X86) | (1u << ARCH_X32) | (1u << ARCH_AARCH64), 3000);
	snprintf(sub, sizeof(sub), "%s/profiles", dir);
	each_file(sub, ".json", profile_equality);
	snprintf(sub, sizeof(sub), "%s/roundtrip", dir);
	each_file(sub, ".policy", round_trip);
	if (have_docker) {
		docker_round_trip(docker);
		kernel_check(docker);
		cli_round(sysfence, docker);
	}
	snprintf(sub, sizeof(sub), "%s/bad", dir);
	bad_profiles(sysfence, sub);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	harness_note("%lu vectors compared, %lu mismatches", total_vectors, total_mismatches);
	return harness_summary();
}
