/* libFuzzer target over the whole front end, and over the BPF tooling.
 *
 * Each input is used twice:
 *
 *  1. as a policy file: written to a file of its own and compiled with
 *     compilation_run() for all four arches (diagnostics to /dev/null),
 *     and when that fails after a policy was picked, once more for the
 *     policy's own arches.
 *     When a filter comes out, it must pass bpf_check(), and the BPF
 *     interpreter must give the verdict the policy means (policy_eval) for
 *     every rule's syscall on a handful of argument vectors built from the
 *     values the conditions compare with;
 *  2. as raw bytes: an array of struct sock_filter that bpf_check(),
 *     bpf_run() and bpf_disasm() must survive, whatever it holds.
 *
 * The policy is written to a regular file in a private temporary directory,
 * not to a memfd: the loader canonicalises paths with realpath(), which
 * cannot resolve /proc/self/fd/N of a memfd ("/memfd:x (deleted)"). The
 * private directory also keeps `import "x"` from finding stray files.
 *
 * Every input that mentions FUZZ_D is compiled with -D FUZZ_D=7, so that
 * -D overrides are fuzzed too without failing every other input. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/audit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf/bpf.h"
#include "driver/compilation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* libseccomp 2.5.4 never returns on some inputs; sysfence builds through
 * it in a child with a deadline and then falls back to its own code
 * generator. A short deadline keeps such inputs far below libFuzzer's
 * -timeout, so a long run goes on past them instead of stopping at the
 * first one. (An explicit setting in the environment wins.) */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("SYSFENCE_LIBSECCOMP_TIMEOUT", "1", 0);
	return 0;
}

static char dir_path[64];
static char file_path[96];
static char inc_path[96];
static FILE *devnull;

/* The directory lives for one input only: libFuzzer leaves without
 * running atexit handlers, so a directory kept for the whole run would be
 * left behind in $TMPDIR. */
static void make_dir(void)
{
	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		if (!devnull) {
			perror("fuzz_frontend: /dev/null");
			abort();
		}
	}
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strlen(tmp) > 32)
		tmp = "/tmp";
	snprintf(dir_path, sizeof(dir_path), "%s/sysfence-fuzz-XXXXXX", tmp);
	if (!mkdtemp(dir_path)) {
		perror("fuzz_frontend: mkdtemp");
		abort();
	}
	snprintf(file_path, sizeof(file_path), "%s/fuzz.policy", dir_path);
	snprintf(inc_path, sizeof(inc_path), "%s/inc", dir_path);
	if (mkdir(inc_path, 0700) != 0) {
		perror("fuzz_frontend: mkdir");
		abort();
	}
}

static void remove_dir(void)
{
	unlink(file_path);
	rmdir(inc_path);
	rmdir(dir_path);
}

static void write_input(const uint8_t *data, size_t size)
{
	int fd = open(file_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror("fuzz_frontend: open");
		abort();
	}
	while (size > 0) {
		ssize_t n = write(fd, data, size);
		if (n <= 0) {
			perror("fuzz_frontend: write");
			abort();
		}
		data += n;
		size -= (size_t)n;
	}
	close(fd);
}

static int mentions(const uint8_t *data, size_t size, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i + n <= size; i++)
		if (memcmp(data + i, word, n) == 0)
			return 1;
	return 0;
}

/* ---- oracle for compiled filters ---- */

#define MAX_VALUES 24

struct values {
	uint64_t v[MAX_VALUES];
	size_t n;
};

static void add_value(struct values *vs, uint64_t v)
{
	for (size_t i = 0; i < vs->n; i++)
		if (vs->v[i] == v)
			return;
	if (vs->n < MAX_VALUES)
		vs->v[vs->n++] = v;
}

static void collect_values(const struct ncond *c, struct values *vs, int depth)
{
	if (!c || depth > 32)
		return;
	if (c->kind == N_ATOM) {
		const struct atom *at = &c->atom;
		add_value(vs, at->value);
		add_value(vs, at->value + 1);
		add_value(vs, at->value - 1);
		add_value(vs, at->value | (0xdeadbeefull << 32));
		for (size_t i = 0; i < at->nset && i < 4; i++)
			add_value(vs, at->set[i]);
		if (at->masked)
			add_value(vs, at->mask);
		return;
	}
	collect_values(c->lhs, vs, depth + 1);
	collect_values(c->rhs, vs, depth + 1);
}

static void fail_filter(const char *what, const char *arch, int nr, const uint64_t args[6],
			uint32_t got, uint32_t want)
{
	char g[48], w[48];
	fprintf(stderr, "fuzz_frontend: %s on %s, nr %d, args {%#llx, %#llx, %#llx, %#llx, %#llx, %#llx}: "
		"filter gives %s, policy means %s\n", what, arch, nr,
		(unsigned long long)args[0], (unsigned long long)args[1], (unsigned long long)args[2],
		(unsigned long long)args[3], (unsigned long long)args[4], (unsigned long long)args[5],
		bpf_action_str(got, g, sizeof(g)), bpf_action_str(want, w, sizeof(w)));
	abort();
}

static void check_filter(const struct compilation *c)
{
	char why[256];
	if (bpf_check(c->filter.insns, c->filter.len, why, sizeof(why)) != 0) {
		fprintf(stderr, "fuzz_frontend: the compiled filter fails bpf_check: %s\n", why);
		abort();
	}
	const struct policy_build *pb = &c->pb;
	/* Outside the rules: a number no rule names on each arch (the default
	 * action) and an arch no policy targets (killed). */
	const uint32_t foreign_arch = 0x40000028;   /* AUDIT_ARCH_ARM */
	uint64_t zero[6] = { 0 };
	for (int arch = 0; arch <= ARCH_COUNT; arch++) {
		uint32_t audit = arch < ARCH_COUNT ? arch_table[arch].audit_arch : foreign_arch;
		int nr = (int)((arch < ARCH_COUNT ? arch_table[arch].nr_bias : 0) | 0x3ff0);
		if (arch < ARCH_COUNT && !(pb->arch_mask & (1u << arch)))
			continue;
		struct seccomp_data d;
		memset(&d, 0, sizeof(d));
		d.arch = audit;
		d.nr = nr;
		uint32_t got = 0, want = policy_eval(pb, audit, (uint32_t)nr, zero);
		if (bpf_run(c->filter.insns, c->filter.len, &d, &got, NULL) != 0 || got != want)
			fail_filter("verdict mismatch", arch < ARCH_COUNT ? arch_table[arch].name : "arm",
				    nr, zero, got, want);
	}
	size_t budget = 2000;   /* interpreter runs per input, to keep inputs fast */
	for (int arch = 0; arch < ARCH_COUNT; arch++) {
		if (!(pb->arch_mask & (1u << arch)))
			continue;
		const struct ptrvec *rules = &pb->per_arch[arch].rules;
		for (size_t i = 0; i < rules->n && budget > 0; i++) {
			const struct rule *r = rules->v[i];
			struct values vs = { .n = 0 };
			add_value(&vs, 0);
			add_value(&vs, ~0ull);
			collect_values(r->cond, &vs, 0);
			for (size_t k = 0; k < vs.n && budget > 0; k++) {
				for (int reg = 0; reg < 6 && budget > 0; reg++, budget--) {
					/* this register takes the value, the others its
					 * neighbours, so that conjunctions get exercised */
					uint64_t args[6];
					for (int j = 0; j < 6; j++)
						args[j] = vs.v[(k + (size_t)(j != reg) * (size_t)(j + 1)) % vs.n];
					struct seccomp_data d;
					memset(&d, 0, sizeof(d));
					d.arch = arch_table[arch].audit_arch;
					d.nr = r->nr;
					for (int j = 0; j < 6; j++)
						d.args[j] = args[j];
					uint32_t got = 0, want;
					if (bpf_run(c->filter.insns, c->filter.len, &d, &got, NULL) != 0) {
						fprintf(stderr, "fuzz_frontend: bpf_run refused a checked filter\n");
						abort();
					}
					want = policy_eval(pb, d.arch, (uint32_t)d.nr, args);
					if (got != want)
						fail_filter("verdict mismatch", arch_table[arch].name, r->nr,
							    args, got, want);
				}
			}
		}
	}
}

static void compile_policy(const uint8_t *data, size_t size)
{
	write_input(data, size);
	const char *incs[] = { inc_path };
	struct define defs[] = { { "FUZZ_D", "7" } };
	struct unit_options opts = {
		.include_dirs = incs,
		.ninclude = 1,
		.defines = defs,
		.ndefines = mentions(data, size, "FUZZ_D") ? 1 : 0,
	};
	struct compilation c;
	int rc = compilation_run(&c, &opts, file_path, NULL, ARCH_MASK_ALL, devnull);
	if (rc == 0)
		check_filter(&c);
	/* Most policies that fail for all four arches fail on one of them
	 * (x86 passes mmap's arguments in memory, libseccomp lacks some
	 * syscalls there); compile those again for the policy's own arches
	 * (the host's when it names none) so that the lowering and the
	 * backend see them too. */
	int again = rc != 0 && c.policy != NULL;
	compilation_free(&c);
	if (again) {
		if (compilation_run(&c, &opts, file_path, NULL, 0, devnull) == 0)
			check_filter(&c);
		compilation_free(&c);
	}
}

/* ---- raw BPF ---- */

static void annotate(const struct bpf_reach *r, void *ctx, char *note, size_t notelen)
{
	(void)ctx;
	char buf[48];
	snprintf(note, notelen, "arch %#x nr %s%u %s", r->arch, r->nr_known ? "" : "?", r->nr,
		 bpf_action_str(r->ret, buf, sizeof(buf)));
}

static void run_bpf(const uint8_t *data, size_t size)
{
	size_t len = size / sizeof(struct sock_filter);
	/* An exactly sized heap copy, so any read past the end is caught. */
	struct sock_filter *prog = malloc(len ? len * sizeof(*prog) : 1);
	if (!prog)
		return;
	memcpy(prog, data, len * sizeof(*prog));

	char why[128];
	bpf_check(prog, len, why, sizeof(why));
	bpf_check(prog, len, NULL, 0);
	bpf_check(prog, len, why, 1);

	/* Syscall data: the bytes after the program if any, else fixed. */
	struct seccomp_data d;
	memset(&d, 0, sizeof(d));
	size_t tail = size % sizeof(struct sock_filter);
	memcpy(&d, data + size - tail, tail);
	if (tail == 0) {
		d.arch = AUDIT_ARCH_X86_64;
		d.nr = 257;
		d.args[2] = 0x10000;
	}
	uint32_t ret;
	size_t steps;
	if (bpf_run(prog, len, &d, &ret, &steps) == 0) {
		if (steps == 0 || steps > len) {
			fprintf(stderr, "fuzz_frontend: bpf_run reports %zu steps for %zu instructions\n",
				steps, len);
			abort();
		}
		char buf[48];
		bpf_action_str(ret, buf, sizeof(buf));
		bpf_action_str(ret, buf, 0);
		bpf_action_str(ret, buf, 1);
	}
	bpf_run(prog, len, &d, &ret, NULL);

	bpf_disasm(devnull, prog, len, annotate, NULL);
	bpf_disasm(devnull, prog, len, NULL, NULL);
	free(prog);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	make_dir();
	compile_policy(data, size);
	remove_dir();
	run_bpf(data, size);
	return 0;
}
