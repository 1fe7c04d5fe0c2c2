/* libseccomp's own simulator tables, run against sysfence filters.
 *
 * libseccomp's regression suite (tests/NN-sim-*.tests, "test type:
 * bpf-sim") lists, for a filter built by the test program NN-*.c, syscalls
 * with arguments and the action the filter must return. The programs are
 * ported as sysfence policies (tests/libseccomp/NN-name.policy, same stem
 * as the table); this runner compiles each policy and checks every row
 * against the BPF interpreter and against the reference semantics.
 *
 * How the columns are read (libseccomp's tests/regression):
 *  - Arch: a comma-separated list. "all" is the native arch there, i.e.
 *    the arches the program built its filter for; here: the policy's own
 *    arches. "all_64" / "all_32" keep those whose libseccomp word size is
 *    64 / 32 bits (x32 is a 32-bit arch to libseccomp), "all_le" all of
 *    them (ours are little-endian), "all_be" none. "+ARCH" names an arch
 *    the program added to its filter, so the policy must target it. A bare
 *    "ARCH" applies only if it is native, here: only if the policy targets
 *    it. "-ARCH" removes an arch. Arches sysfence does not have (ppc64le,
 *    s390x, ...) are skipped and counted.
 *  - Syscall: a number, or a name resolved on each arch (sysfence's table;
 *    for a name the arch lacks, libseccomp's own negative pseudo number,
 *    which is what scmp_sys_resolver hands the simulator).
 *  - Arg0..Arg5: a number, a range LOW-HIGH (every value is tested, as the
 *    regression script does), or N. libseccomp's simulator passes 0 for an
 *    N; here N is 0 and also several other values (all ones, a sign-
 *    extended and a garbage upper half ...) that equal no constant of the
 *    tables, since an N row states a verdict that must not depend on it.
 *    On x86 the kernel passes only 32-bit values, so arguments are cut to
 *    their low half there.
 *  - Result: ALLOW, KILL (= KILL_THREAD), KILL_PROCESS, TRAP, LOG, NOTIFY,
 *    ERRNO(n), TRACE(n).
 *
 * usage: test_libseccomp TABLE_DIR POLICY_DIR */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/bpf.h"
#include "driver/compilation.h"
#include "tables/tables.h"

#define MAX_PRINTED 10            /* failures printed per table */
#define MAX_FIELDS 16
#define COMBO_BUDGET 500          /* vectors per row and arch before N values are sampled */
#define N_SAMPLES 32              /* mixed N choices per range value when sampling */

static const uint64_t n_values[] = {
	0,                            /* what scmp_bpf_sim passes for N */
	0xffffffffull,
	0xffffffffffffffffull,
	0x5a5a5a5aull,
	0xdeadbeef00001234ull,
};
#define NN (sizeof(n_values) / sizeof(n_values[0]))

/* ---- arches ---- */

/* libseccomp's arch names; ours map to enum arch_id, the others are known
 * (so that they are skipped, not rejected) but have no id. */
static const struct {
	const char *name;
	int arch;                 /* enum arch_id, or -1 */
	uint32_t token;           /* SCMP_ARCH_* for ours */
	int bits;                 /* libseccomp's word size */
} arch_names[] = {
	{ "x86", ARCH_X86, SCMP_ARCH_X86, 32 },
	{ "x86_64", ARCH_X86_64, SCMP_ARCH_X86_64, 64 },
	{ "x32", ARCH_X32, SCMP_ARCH_X32, 32 },
	{ "aarch64", ARCH_AARCH64, SCMP_ARCH_AARCH64, 64 },
	{ "arm", -1, 0, 32 }, { "mips", -1, 0, 32 }, { "mipsel", -1, 0, 32 },
	{ "mips64", -1, 0, 64 }, { "mipsel64", -1, 0, 64 }, { "mips64n32", -1, 0, 32 },
	{ "mipsel64n32", -1, 0, 32 }, { "parisc", -1, 0, 32 }, { "parisc64", -1, 0, 64 },
	{ "ppc", -1, 0, 32 }, { "ppc64", -1, 0, 64 }, { "ppc64le", -1, 0, 64 },
	{ "s390", -1, 0, 32 }, { "s390x", -1, 0, 64 }, { "riscv64", -1, 0, 64 },
	{ "sh", -1, 0, 32 }, { "sheb", -1, 0, 32 },
};
#define NARCHNAMES (sizeof(arch_names) / sizeof(arch_names[0]))

static int arch_name_index(const char *name)
{
	for (size_t i = 0; i < NARCHNAMES; i++)
		if (strcmp(arch_names[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int index_of_arch(int arch)
{
	for (size_t i = 0; i < NARCHNAMES; i++)
		if (arch_names[i].arch == arch)
			return (int)i;
	return -1;
}

/* The arch column: fills WANT with the arches to test (bit per enum
 * arch_id), MISSING with arches named by "+ARCH" that the policy does not
 * target, and SKIPPED with the names of arches sysfence lacks. Returns -1
 * on a token it does not understand. */
static int parse_arches(const char *col, unsigned policy_mask, unsigned *want, unsigned *missing,
			char *skipped, size_t skipped_len, int *nskipped)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", col);
	unsigned add = 0, remove = 0;
	*missing = 0;
	*nskipped = 0;
	skipped[0] = '\0';
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "all") == 0 || strcmp(tok, "all_le") == 0 || strcmp(tok, "+all") == 0) {
			add |= policy_mask;
			continue;
		}
		if (strcmp(tok, "all_be") == 0)
			continue;
		if (strcmp(tok, "all_64") == 0 || strcmp(tok, "all_32") == 0) {
			int bits = tok[4] == '6' ? 64 : 32;
			for (int a = 0; a < ARCH_COUNT; a++)
				if ((policy_mask & (1u << a)) && arch_names[index_of_arch(a)].bits == bits)
					add |= 1u << a;
			continue;
		}
		char sign = (tok[0] == '+' || tok[0] == '-') ? tok[0] : 0;
		int i = arch_name_index(sign ? tok + 1 : tok);
		if (i < 0)
			return -1;
		int a = arch_names[i].arch;
		if (sign == '-') {
			if (a >= 0)
				remove |= 1u << a;
			continue;
		}
		if (a < 0) {
			size_t n = strlen(skipped);
			snprintf(skipped + n, skipped_len - n, "%s%s", n ? "," : "", arch_names[i].name);
			(*nskipped)++;
			continue;
		}
		if (policy_mask & (1u << a))
			add |= 1u << a;
		else if (sign == '+')
			*missing |= 1u << a;   /* the program's filter has it; the policy must too */
		/* bare ARCH: only on that (native) arch; not ours, so not run */
	}
	*want = add & ~remove;
	*missing &= ~remove;
	return 0;
}

/* ---- values ---- */

static int parse_u64(const char *s, uint64_t *out)
{
	if (!*s)
		return -1;
	errno = 0;
	char *end;
	if (s[0] == '-') {
		long long v = strtoll(s, &end, 0);
		*out = (uint64_t)v;
	} else {
		*out = strtoull(s, &end, 0);
	}
	return errno || *end ? -1 : 0;
}

/* One argument column: N, a value, or LOW-HIGH. */
struct argspec {
	int any;
	uint64_t lo, hi;
};

static int parse_arg(const char *s, struct argspec *a)
{
	memset(a, 0, sizeof(*a));
	if (strcmp(s, "N") == 0) {
		a->any = 1;
		return 0;
	}
	const char *dash = strchr(s + 1, '-');   /* a leading '-' is a sign */
	if (dash) {
		char lo[64];
		size_t n = (size_t)(dash - s);
		if (n >= sizeof(lo))
			return -1;
		memcpy(lo, s, n);
		lo[n] = '\0';
		if (parse_u64(lo, &a->lo) || parse_u64(dash + 1, &a->hi) || a->hi < a->lo)
			return -1;
		return 0;
	}
	if (parse_u64(s, &a->lo))
		return -1;
	a->hi = a->lo;
	return 0;
}

static int parse_action(const char *s, uint32_t *out)
{
	unsigned long n;
	char tail;
	if (strcmp(s, "ALLOW") == 0)
		*out = SECCOMP_RET_ALLOW;
	else if (strcmp(s, "KILL") == 0 || strcmp(s, "KILL_THREAD") == 0)
		*out = SECCOMP_RET_KILL_THREAD;
	else if (strcmp(s, "KILL_PROCESS") == 0)
		*out = SECCOMP_RET_KILL_PROCESS;
	else if (strcmp(s, "TRAP") == 0)
		*out = SECCOMP_RET_TRAP;
	else if (strcmp(s, "LOG") == 0)
		*out = SECCOMP_RET_LOG;
	else if (strcmp(s, "NOTIFY") == 0)
		*out = SECCOMP_RET_USER_NOTIF;
	else if (sscanf(s, "ERRNO(%lu%c", &n, &tail) == 2 && tail == ')' && n <= 0xffff)
		*out = SECCOMP_RET_ERRNO | (uint32_t)n;
	else if (sscanf(s, "TRACE(%lu%c", &n, &tail) == 2 && tail == ')' && n <= 0xffff)
		*out = SECCOMP_RET_TRACE | (uint32_t)n;
	else
		return -1;
	return 0;
}

/* The number of syscall column SYS on ARCH: a number as written, or the
 * name looked up in sysfence's table, or libseccomp's pseudo number when
 * the arch lacks it. */
static int syscall_number(const char *sys, int arch, uint32_t *nr, int *pseudo)
{
	uint64_t v;
	*pseudo = 0;
	if (isdigit((unsigned char)sys[0]) && parse_u64(sys, &v) == 0) {
		*nr = (uint32_t)v;
		return 0;
	}
	const struct syscall_desc *d = syscall_find(sys);
	if (d && d->nr[arch] >= 0) {
		*nr = (uint32_t)d->nr[arch];
		return 0;
	}
	int n = seccomp_syscall_resolve_name_arch(arch_names[index_of_arch(arch)].token, sys);
	if (n == __NR_SCMP_ERROR)
		return -1;
	*pseudo = 1;
	*nr = (uint32_t)n;
	return 0;
}

/* ---- one table ---- */

struct table_stats {
	unsigned long rows, vectors, subtests, skipped, failures, not_run;
	unsigned printed;
};

static void fail(struct table_stats *st, const char *name, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(struct table_stats *st, const char *name, int line, const char *fmt, ...)
{
	st->failures++;
	if (st->printed++ >= MAX_PRINTED)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL %s line %d: ", name, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void check_vector(const struct compilation *c, struct table_stats *st, const char *name,
			 int line, int arch, uint32_t nr, uint64_t args[6], uint32_t expect)
{
	uint32_t audit = arch_table[arch].audit_arch;
	if (arch == ARCH_X86)
		for (int i = 0; i < 6; i++)
			args[i] &= 0xffffffffull;
	struct seccomp_data d;
	memset(&d, 0, sizeof(d));
	d.arch = audit;
	d.nr = (int)nr;
	memcpy(d.args, args, sizeof(d.args));
	uint32_t ref = policy_eval(&c->pb, audit, nr, args), got = 0;
	int rc = bpf_run(c->filter.insns, c->filter.len, &d, &got, NULL);
	st->vectors++;
	if (rc == 0 && got == expect && ref == expect)
		return;
	char b0[32], b1[32], b2[32];
	fail(st, name, line,
	     "%s nr %" PRIu32 " (%#" PRIx32 ") args %#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64
	     " %#" PRIx64 " %#" PRIx64 ": table expects %s, filter %s, policy_eval %s",
	     arch_table[arch].name, nr, nr, args[0], args[1], args[2], args[3], args[4], args[5],
	     bpf_action_str(expect, b0, sizeof(b0)),
	     rc ? "fails to run" : bpf_action_str(got, b1, sizeof(b1)),
	     bpf_action_str(ref, b2, sizeof(b2)));
}

/* Runs every combination of the row's values on one arch. Ranges are
 * enumerated in full; N columns take each of n_values in every
 * combination while that stays within COMBO_BUDGET vectors, else, for each
 * range value, all N columns share one value (NN vectors) plus N_SAMPLES
 * deterministic mixed choices. */
static void run_row(const struct compilation *c, struct table_stats *st, const char *name, int line,
		    int arch, uint32_t nr, const struct argspec spec[6], uint32_t expect)
{
	uint64_t range_combos = 1;
	int nany = 0;
	for (int i = 0; i < 6; i++) {
		if (spec[i].any)
			nany++;
		else
			range_combos *= spec[i].hi - spec[i].lo + 1;
	}
	st->subtests += range_combos;
	uint64_t any_combos = 1;
	for (int i = 0; i < nany; i++)
		any_combos *= NN;
	int full = range_combos * any_combos <= COMBO_BUDGET;
	uint64_t sample = N_SAMPLES, rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)line;
	uint64_t nchoices = full ? any_combos : NN + sample;
	uint64_t cur[6];
	for (int i = 0; i < 6; i++)
		cur[i] = spec[i].lo;
	for (;;) {
		for (uint64_t k = 0; k < nchoices; k++) {
			uint64_t args[6];
			uint64_t code = k;
			for (int i = 0; i < 6; i++) {
				if (!spec[i].any) {
					args[i] = cur[i];
				} else if (full) {
					args[i] = n_values[code % NN];
					code /= NN;
				} else if (k < NN) {
					args[i] = n_values[k];            /* all N columns alike */
				} else {
					rng = rng * 6364136223846793005ull + 1442695040888963407ull;
					args[i] = n_values[(rng >> 33) % NN];
				}
			}
			check_vector(c, st, name, line, arch, nr, args, expect);
		}
		/* next range combination (odometer over the non-N columns) */
		int i;
		for (i = 0; i < 6; i++) {
			if (spec[i].any)
				continue;
			if (cur[i] < spec[i].hi) {
				cur[i]++;
				break;
			}
			cur[i] = spec[i].lo;
		}
		if (i == 6)
			break;
	}
}

static int split_fields(char *line, char *fields[MAX_FIELDS])
{
	int n = 0;
	for (char *save = NULL, *tok = strtok_r(line, " \t\r\n", &save); tok && n < MAX_FIELDS;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		fields[n++] = tok;
	return n;
}

/* Runs one table; returns its failures (a policy that does not compile
 * fails every row). */
static void run_table(const char *table_path, const char *policy_path, const char *name,
		      struct table_stats *st)
{
	memset(st, 0, sizeof(*st));
	FILE *f = fopen(table_path, "r");
	if (!f) {
		fail(st, name, 0, "cannot open %s: %s", table_path, strerror(errno));
		return;
	}
	struct unit_options opts = { 0 };
	struct compilation c;
	int compiled = compilation_run(&c, &opts, policy_path, NULL, 0, stderr) == 0;
	if (!compiled)
		fail(st, name, 0, "%s does not compile", policy_path);
	char line[1024], *fields[MAX_FIELDS];
	int lineno = 0, bpf_sim = 0;
	unsigned long skipped_by_arch = 0;
	char skipped_names[256] = "";
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		if (strncmp(p, "test type:", 10) == 0) {
			char type[64] = "";
			sscanf(p + 10, "%63s", type);
			bpf_sim = strcmp(type, "bpf-sim") == 0;
			continue;
		}
		if (!bpf_sim)
			continue;
		int n = split_fields(p, fields);
		if (n != 10) {
			fail(st, name, lineno, "expected 10 columns, found %d", n);
			continue;
		}
		st->rows++;
		struct argspec spec[6];
		uint32_t expect = 0;
		int bad = 0;
		for (int i = 0; i < 6; i++)
			if (parse_arg(fields[3 + i], &spec[i])) {
				fail(st, name, lineno, "bad argument column '%s'", fields[3 + i]);
				bad = 1;
			}
		if (parse_action(fields[9], &expect)) {
			fail(st, name, lineno, "bad result column '%s'", fields[9]);
			bad = 1;
		}
		unsigned want = 0, missing = 0;
		int nskipped = 0;
		char skipped[128];
		unsigned policy_mask = compiled ? c.pb.arch_mask : 0;
		if (parse_arches(fields[1], policy_mask, &want, &missing, skipped, sizeof(skipped),
				 &nskipped)) {
			fail(st, name, lineno, "bad arch column '%s'", fields[1]);
			bad = 1;
		}
		if (bad || !compiled)
			continue;
		if (nskipped) {
			skipped_by_arch += (unsigned long)nskipped;
			if (!strstr(skipped_names, skipped)) {
				size_t len = strlen(skipped_names);
				if (len + strlen(skipped) + 2 < sizeof(skipped_names))
					sprintf(skipped_names + len, "%s%s", len ? "," : "", skipped);
			}
		}
		if (!want && !missing && !nskipped)
			st->not_run++;   /* e.g. all_32 and the policy has no 32-bit arch */
		for (int a = 0; a < ARCH_COUNT; a++)
			if (missing & (1u << a))
				fail(st, name, lineno, "the row names +%s, which the policy does not target",
				     arch_table[a].name);
		for (int a = 0; a < ARCH_COUNT; a++) {
			if (!(want & (1u << a)))
				continue;
			uint32_t nr;
			int pseudo;
			if (syscall_number(fields[2], a, &nr, &pseudo)) {
				fail(st, name, lineno, "unknown syscall '%s' on %s", fields[2],
				     arch_table[a].name);
				continue;
			}
			run_row(&c, st, name, lineno, a, nr, spec, expect);
		}
	}
	fclose(f);
	st->skipped = skipped_by_arch;
	if (st->not_run)
		printf("  %s: %lu rows name no arch the policy targets\n", name, st->not_run);
	if (compiled && st->rows && !st->vectors)
		fail(st, name, 0, "no row applies to the policy's arches");
	if (skipped_by_arch)
		printf("  %s: %lu row-arch pairs skipped for arches sysfence does not target (%s)\n",
		       name, skipped_by_arch, skipped_names);
	compilation_free(&c);
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s TABLE_DIR POLICY_DIR\n", argv[0]);
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (!d && errno == ENOENT) {
		/* The tables live in shared/, beside the checkout; a clone on
		 * its own has no copy. Say so and skip (meson's 77). */
		printf("skip: no libseccomp tables at %s (shared/ is not beside this checkout)\n",
		       argv[1]);
		return 77;
	}
	if (!d) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len <= 6 || strcmp(de->d_name + len - 6, ".tests") != 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n] = strndup(de->d_name, len - 6))) {
			perror("alloc");
			return 2;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	struct table_stats total = { 0 };
	for (size_t i = 0; i < n; i++) {
		char *table = NULL, *policy = NULL;
		if (asprintf(&table, "%s/%s.tests", argv[1], names[i]) < 0 ||
		    asprintf(&policy, "%s/%s.policy", argv[2], names[i]) < 0) {
			perror("asprintf");
			return 2;
		}
		struct table_stats st;
		run_table(table, policy, names[i], &st);
		printf("%s: %lu rows, %lu vectors checked, %lu skipped rows, %lu failures"
		       " (%lu libseccomp sub-tests on our arches)\n",
		       names[i], st.rows, st.vectors, st.skipped, st.failures, st.subtests);
		total.rows += st.rows;
		total.vectors += st.vectors;
		total.skipped += st.skipped;
		total.failures += st.failures;
		free(table);
		free(policy);
		free(names[i]);
	}
	free(names);
	printf("%zu tables, %lu rows, %lu vectors checked, %lu skipped rows, %lu failures\n", n,
	       total.rows, total.vectors, total.skipped, total.failures);
	if (n == 0) {
		fprintf(stderr, "no *.tests files in %s\n", argv[1]);
		return 1;
	}
	return total.failures ? 1 : 0;
}
