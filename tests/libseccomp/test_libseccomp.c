/* libseccomp's own simulator verdicts, run against sysfence filters.
 *
 * libseccomp's regression suite (tests/NN-sim-*.tests, "test type:
 * bpf-sim") lists, for a filter built by the test program NN-*.c, syscalls
 * with arguments and the action the filter must return. The programs are
 * ported as sysfence policies (NN-name.policy) and the verdicts are
 * transcribed into NN-name.cases (README.md says from where); this runner
 * compiles each policy and checks every case against the BPF interpreter
 * and against the reference semantics.
 *
 * A case is one line: ARCH SYSCALL ARG0 .. ARG5 ACTION.
 *  - ARCH: an arch the policy targets (x86_64, x86, x32, aarch64).
 *  - SYSCALL: a number, or a name resolved on that arch (sysfence's table;
 *    for a name the arch lacks, libseccomp's own negative pseudo number,
 *    which is what scmp_sys_resolver hands libseccomp's simulator).
 *  - ARGn: a number, a range LOW..HIGH (every value is tested, as
 *    libseccomp's regression script does), or * for any value.
 *    libseccomp's simulator passes 0 there; here * is 0 and also several
 *    other values (all ones, a sign-extended and a garbage upper half ...)
 *    that equal no constant of the tables, since such a case states a
 *    verdict that must not depend on it. On x86 the kernel passes only
 *    32-bit values, so arguments are cut to their low half there.
 *  - ACTION: as in the policy language: allow, kill_thread, kill_process,
 *    trap, log, notify, errno(N), trace(N).
 *
 * usage: test_libseccomp DIR (the .cases files and the policies) */
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
#include "harness.h"

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

/* libseccomp's tokens for sysfence's arches, for its pseudo numbers. */
static uint32_t scmp_token(int arch)
{
	switch (arch) {
	case ARCH_X86: return SCMP_ARCH_X86;
	case ARCH_X86_64: return SCMP_ARCH_X86_64;
	case ARCH_X32: return SCMP_ARCH_X32;
	case ARCH_AARCH64: return SCMP_ARCH_AARCH64;
	}
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

/* One argument column: *, a value, or LOW..HIGH. */
struct argspec {
	int any;
	uint64_t lo, hi;
};

static int parse_arg(const char *s, struct argspec *a)
{
	memset(a, 0, sizeof(*a));
	if (strcmp(s, "*") == 0) {
		a->any = 1;
		return 0;
	}
	const char *dots = strstr(s, "..");
	if (dots) {
		char lo[64];
		size_t n = (size_t)(dots - s);
		if (n >= sizeof(lo))
			return -1;
		memcpy(lo, s, n);
		lo[n] = '\0';
		if (parse_u64(lo, &a->lo) || parse_u64(dots + 2, &a->hi) || a->hi < a->lo)
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
	if (strcmp(s, "allow") == 0)
		*out = SECCOMP_RET_ALLOW;
	else if (strcmp(s, "kill_thread") == 0)
		*out = SECCOMP_RET_KILL_THREAD;
	else if (strcmp(s, "kill_process") == 0)
		*out = SECCOMP_RET_KILL_PROCESS;
	else if (strcmp(s, "trap") == 0)
		*out = SECCOMP_RET_TRAP;
	else if (strcmp(s, "log") == 0)
		*out = SECCOMP_RET_LOG;
	else if (strcmp(s, "notify") == 0)
		*out = SECCOMP_RET_USER_NOTIF;
	else if (sscanf(s, "errno(%lu%c", &n, &tail) == 2 && tail == ')' && n <= 0xffff)
		*out = SECCOMP_RET_ERRNO | (uint32_t)n;
	else if (sscanf(s, "trace(%lu%c", &n, &tail) == 2 && tail == ')' && n <= 0xffff)
		*out = SECCOMP_RET_TRACE | (uint32_t)n;
	else
		return -1;
	return 0;
}

/* The number of syscall SYS on ARCH: a number as written, or the
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
	int n = seccomp_syscall_resolve_name_arch(scmp_token(arch), sys);
	if (n == __NR_SCMP_ERROR)
		return -1;
	*pseudo = 1;
	*nr = (uint32_t)n;
	return 0;
}

/* ---- one table ---- */

struct table_stats {
	unsigned long cases, vectors, subtests;
};

static void check_vector(const struct compilation *c, struct table_stats *st, int line, int arch,
			 uint32_t nr, uint64_t args[6], uint32_t expect)
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
	char b0[32], b1[32], b2[32];
	CHECK(rc == 0 && got == expect && ref == expect,
	      "line %d: %s nr %" PRIu32 " (%#" PRIx32 ") args %#" PRIx64 " %#" PRIx64 " %#" PRIx64
	      " %#" PRIx64 " %#" PRIx64 " %#" PRIx64 ": the case expects %s, filter %s, policy_eval %s",
	      line, arch_table[arch].name, nr, nr, args[0], args[1], args[2], args[3], args[4], args[5],
	      bpf_action_str(expect, b0, sizeof(b0)),
	      rc ? "fails to run" : bpf_action_str(got, b1, sizeof(b1)),
	      bpf_action_str(ref, b2, sizeof(b2)));
}

/* Runs every combination of the case's values on one arch. Ranges are
 * enumerated in full; N columns take each of n_values in every
 * combination while that stays within COMBO_BUDGET vectors, else, for each
 * range value, all N columns share one value (NN vectors) plus N_SAMPLES
 * deterministic mixed choices. */
static void run_case(const struct compilation *c, struct table_stats *st, int line, int arch, uint32_t nr, const struct argspec spec[6], uint32_t expect)
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
			check_vector(c, st, line, arch, nr, args, expect);
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

/* Checks every case of one table; a policy that does not compile fails
 * the table. */
static void run_table(const char *cases_path, const char *policy_path, struct table_stats *st)
{
	memset(st, 0, sizeof(*st));
	FILE *f = fopen(cases_path, "r");
	if (!f) {
		FAIL("cannot open %s: %s", cases_path, strerror(errno));
		return;
	}
	struct unit_options opts = { 0 };
	struct compilation c;
	int compiled = compilation_run(&c, &opts, policy_path, NULL, 0, stderr) == 0;
	if (!CHECK(compiled, "%s does not compile", policy_path)) {
		compilation_free(&c);
		fclose(f);
		return;
	}
	char line[1024], *fields[MAX_FIELDS];
	int lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		int n = split_fields(p, fields);
		if (!CHECK(n == 9, "line %d: expected 9 columns, found %d", lineno, n))
			continue;
		st->cases++;
		struct argspec spec[6];
		uint32_t expect = 0;
		int bad = 0;
		for (int i = 0; i < 6; i++)
			bad |= !CHECK(parse_arg(fields[2 + i], &spec[i]) == 0,
				      "line %d: bad argument column '%s'", lineno, fields[2 + i]);
		bad |= !CHECK(parse_action(fields[8], &expect) == 0, "line %d: bad action '%s'", lineno,
			      fields[8]);
		int arch = arch_by_name(fields[0]);
		bad |= !CHECK(arch >= 0 && (c.pb.arch_mask & (1u << arch)),
			      "line %d: '%s' is no arch the policy targets", lineno, fields[0]);
		if (bad)
			continue;
		uint32_t nr = 0;
		int pseudo;
		if (!CHECK(syscall_number(fields[1], arch, &nr, &pseudo) == 0,
			   "line %d: unknown syscall '%s' on %s", lineno, fields[1], arch_table[arch].name))
			continue;
		run_case(&c, st, lineno, arch, nr, spec, expect);
	}
	fclose(f);
	CHECK(st->vectors > 0, "%s has no case", cases_path);
	compilation_free(&c);
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	/* The cases are part of the repository: a missing directory or an
	 * empty one is a failure, never a skip. */
	DIR *d = opendir(argv[1]);
	if (!d) {
		FAIL("%s: %s", argv[1], strerror(errno));
		return harness_summary();
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len <= 6 || strcmp(de->d_name + len - 6, ".cases") != 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n] = strndup(de->d_name, len - 6))) {
			perror("alloc");
			return 2;
		}
		n++;
	}
	closedir(d);
	CHECK(n > 0, "no *.cases files in %s", argv[1]);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	harness_print_limit(MAX_PRINTED);
	struct table_stats total = { 0 };
	for (size_t i = 0; i < n; i++) {
		char *cases = NULL, *policy = NULL;
		if (asprintf(&cases, "%s/%s.cases", argv[1], names[i]) < 0 ||
		    asprintf(&policy, "%s/%s.policy", argv[1], names[i]) < 0) {
			perror("asprintf");
			return 2;
		}
		struct table_stats st;
		harness_case_begin("%s", names[i]);
		run_table(cases, policy, &st);
		harness_note("%s: %lu cases, %lu vectors checked (%lu libseccomp sub-tests)", names[i],
			     st.cases, st.vectors, st.subtests);
		harness_case_end();
		total.cases += st.cases;
		total.vectors += st.vectors;
		total.subtests += st.subtests;
		free(cases);
		free(policy);
		free(names[i]);
	}
	free(names);
	harness_note("%zu tables, %lu cases, %lu vectors checked, %lu libseccomp sub-tests", n,
		     total.cases, total.vectors, total.subtests);
	return harness_summary();
}
