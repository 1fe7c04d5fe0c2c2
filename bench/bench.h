/* The benchmark suite behind `./dev bench`: shared types and helpers.
 *
 * A benchmark policy is described once (struct bench_policy) and turned
 * into both a sysfence policy file and the equivalent libseccomp API
 * calls, so that the two sides of every comparison filter exactly the
 * same thing. Every figure goes into one table (table.c), printed as text
 * or written as Markdown for docs/performance.md. */
#ifndef SYSFENCE_BENCH_H
#define SYSFENCE_BENCH_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Target arches, as a bit set. */
enum { BENCH_X86_64 = 1, BENCH_X86 = 2, BENCH_AARCH64 = 4 };

/* One comparison: (arg & mask) == value, or != when NE; mask UINT64_MAX
 * is a plain == (!=). */
struct bench_cmp {
	unsigned arg;
	uint64_t mask, value;
	int ne;
};

/* allow NAME [if cmp && cmp ...] (or errno(ERR) NAME ... when ERR is not
 * 0); rules for one name are alternatives. */
#define BENCH_MAX_CMPS 3
struct bench_rule {
	char name[32];
	unsigned ncmp;
	struct bench_cmp cmp[BENCH_MAX_CMPS];
	int err;
};

/* Every policy has default errno(EPERM); its rules say what else. */
struct bench_policy {
	unsigned arches;
	struct bench_rule *rules;
	size_t nrules, cap;
};

struct bench_prog {
	struct sock_filter *insns;
	size_t len;
};

/* The syscall mix (bench/data/mix-x86_64.tsv). */
struct mix_entry {
	int nr;
	long count;
	char name[32];
};
struct mix {
	struct mix_entry e[128];
	size_t n;
};

/* Paths the suite works with; defaults are compiled in by meson. */
/* The filters the tables compare. */
enum builder { SYSFENCE, SYSFENCE_PROFILE, SCMP_DEFAULT, SCMP_TREE, NBUILDERS };

struct bench_env {
	const char *sysfence;    /* the CLI binary */
	const char *scmp_direct; /* the direct libseccomp program */
	const char *runtime_lib; /* libsysfence.a */
	const char *source_root;
	const char *data_dir;      /* bench/data: the syscall mix and its profile */
	const char *docker_names;
	char tmpdir[64];
	int quick;               /* fewer repetitions (the smoke test) */
	int has_profile;         /* `sysfence compile --profile` exists */
	struct mix mix;
	/* Figures the issue sets targets for, filled in by the sections
	 * (-1: not measured). */
	double kcache_share;     /* smallest share sysfence's filters get cached */
	double ratio_360;        /* compile wall time, sysfence / libseccomp, 360 */
	double growth_exp;       /* sysfence's fitted exponent, CPU time */
	double growth_exp_wall;
	/* mean and max executed instructions, [0] mix allow-list, [1] mix +
	 * conditions */
	double mean[2][NBUILDERS], max[2][NBUILDERS];
	long docker_socket[2];   /* socket in Docker's x86_64 profile: sysfence, best libseccomp */
	double ratio_x86_64_cpu; /* compile CPU time, sysfence / libseccomp, Docker x86_64 */
	double nm_exp[2];        /* growth exponents, non-merging rules: sysfence, libseccomp (CPU) */
	double kib_rule[2];      /* peak RSS growth per rule: sysfence, libseccomp */
};

/* policy.c: building and writing policies. */
void policy_init(struct bench_policy *p, unsigned arches);
void policy_free(struct bench_policy *p);
struct bench_rule *policy_add(struct bench_policy *p, const char *name);
void rule_cmp(struct bench_rule *r, unsigned arg, uint64_t mask, uint64_t value);
void rule_cmp_ne(struct bench_rule *r, unsigned arg, uint64_t value);
int policy_write_sysfence(const struct bench_policy *p, const char *path);
int policy_write_rules(const struct bench_policy *p, const char *path);
int policy_read_rules(struct bench_policy *p, const char *path);
/* Does the policy allow NAME with ARGS (the 64-bit values)? */
int policy_allows(const struct bench_policy *p, const char *name, const uint64_t args[6]);

/* workloads.c: the policies and the argument-vector mix the suite uses. */
int mix_read(struct mix *m, const char *path);
void policy_mix(struct bench_policy *p, const struct mix *m, unsigned arches, int skip_socket);
void policy_conditional(struct bench_policy *p, const struct mix *m);
int policy_docker(struct bench_policy *p, const char *names_path, size_t n);
void policy_fd_rules(struct bench_policy *p, size_t nrules, unsigned stagger);
void policy_one_syscall_two_actions(struct bench_policy *p, size_t nrules);
void policy_x86_64_only(struct bench_policy *p);
void policy_accept_spread(struct bench_policy *p, size_t nrules);
void policy_first_syscalls(struct bench_policy *p, const struct mix *m, size_t n);
/* The argument vectors of one call in the mix: share of the calls, args. */
struct vector {
	double share;
	uint64_t args[6];
};
size_t vectors_for(const char *name, const struct vector **out);
const char *vectors_describe(void);

/* scmp_build.c: the policy through the libseccomp API. optimize is
 * SCMP_FLTATR_CTL_OPTIMIZE (1 default layout, 2 binary tree). */
int scmp_build(const struct bench_policy *p, int optimize, struct bench_prog *out);

/* util.c */
uint64_t now_ns(void);
double median(double *v, size_t n);
/* Runs ARGV with stdout to /dev/null and stderr to ERRPATH (NULL: ours);
 * returns its wall time in ns, or -1 when it cannot start or exits
 * non-zero. CPU_NS (may be NULL) gets its user + system time, with the
 * children it waited for. */
double run_timed(char *const argv[], const char *errpath, double *cpu_ns);
/* The same, RSS_KIB (may be NULL) getting the peak resident set size of
 * it or of any child it waited for, in KiB. */
double run_measured(char *const argv[], const char *errpath, double *cpu_ns, double *rss_kib);
void show_error(const char *errpath);
int read_prog(const char *path, struct bench_prog *out);
/* Compiles P with the sysfence CLI (adding --profile PROFILE if non-NULL). */
int sysfence_build(const struct bench_env *env, const struct bench_policy *p,
		   const char *profile, struct bench_prog *out);

extern const char *const builder_names[NBUILDERS];
/* Builds P with builder B; 1 when that builder is not available (no
 * profile), -1 on failure. */
int bench_build(const struct bench_env *env, const struct bench_policy *p, enum builder b,
		struct bench_prog *out);
char *tmp_path(const struct bench_env *env, const char *name);
/* Runs FN in a forked child; its NOUT results come back in OUT. 0 when the
 * child returned 0. */
int in_child(int (*fn)(void *ctx, double *out), void *ctx, double *out, size_t nout);

/* Counts a figure that could not be measured (a build or a check failed):
 * bench_suite then exits 1, so the smoke test notices. */
void bench_failed(void);
int bench_failures(void);

/* table.c: the one table of results. */
void table_section(const char *title);
void table_header(int ncol, ...);
void table_row(int ncol, ...);
void table_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
void table_print_text(FILE *out);
void table_print_markdown(FILE *out);

/* The sections. */
void bench_quality(struct bench_env *env);
void bench_arguments(struct bench_env *env);
void bench_kcache(struct bench_env *env);
void bench_runtime(struct bench_env *env);
void bench_compile(struct bench_env *env);
void bench_loader(struct bench_env *env);

#endif
