/* The sysfence command line: check, compile. */
#include <getopt.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_oci.h"
#include "driver/compilation.h"
#include "tools/diff.h"
#include "tools/doc.h"
#include "output/emit.h"
#include "tools/generate.h"
#include "layout/profile.h"
#include "analysis/lint.h"
#include "tools/sim.h"
#include "tables/tables.h"

#ifndef SYSFENCE_VERSION
#define SYSFENCE_VERSION "0"
#endif

static const char usage[] =
	"usage: sysfence check [-I DIR] [-D NAME=VALUE] [--arch LIST] [--werror] [--format=json] [-v] FILE...\n"
	"       sysfence compile FILE [-p POLICY] [-o OUT] [-f bpf|c|pfc|asm|oci] [--arch LIST]\n"
	"                        [-I DIR] [-D NAME=VALUE] [-v] [--profile PROFILE]\n"
	"       sysfence sim POLICY_OR_BPF [-p POLICY] [--arch ARCH] [-I DIR] [-D NAME=VALUE]\n"
	"                    SYSCALL [ARG | NAME=VALUE]...\n"
	"       sysfence diff OLD NEW [-p POLICY] [--arch LIST] [--format=json] [-I DIR] [-D NAME=VALUE]\n"
	"       sysfence import-oci PROFILE.json [-o OUT] [--cap CAP]... [--kernel X.Y] [--arch LIST]\n"
	"                           [--name NAME] [--format=json]\n"
	"       sysfence generate [-o OUT] [-p NAME] [--format=json] [--min-cover=PERCENT]\n"
	"                         (-- COMMAND [ARG]... | --from STRACE_LOG [--arch ARCH])\n"
	"       sysfence doc [-I DIR] FILE...\n"
	"       sysfence --version\n"
	"\n"
	"check    parse, resolve and analyse policies; exit 1 on any error\n"
	"         (-v: also say which syscalls are skipped on which arch)\n"
	"compile  compile one policy to a seccomp filter (raw BPF by default);\n"
	"         --profile: order it for a syscall profile (strace -c table, or NAME COUNT lines)\n"
	"sim      run one syscall through a filter and say what it does, and why\n"
	"diff     what NEW allows or denies that OLD did not (source or .bpf);\n"
	"         exit 1 when NEW allows more, 2 when they cannot be compared\n"
	"import-oci  write an OCI/Docker seccomp profile as a sysfence policy (compile -f oci: back)\n"
	"generate write a starting policy from what COMMAND does under strace (or a log)\n"
	"doc      print a Markdown table of every ruleset in the files\n";

struct options {
	struct unit_options unit;
	const char *policy;
	const char *out;
	enum out_format fmt;
	unsigned arch_mask;
	int werror, json;
	const char *profile;   /* --profile FILE */
	char **files;
	int nfiles;
};

static int parse_arch_list(const char *list, unsigned *mask)
{
	char *copy = strdup(list), *save = NULL;
	int ok = copy != NULL;
	for (char *tok = strtok_r(copy, ",", &save); ok && tok; tok = strtok_r(NULL, ",", &save)) {
		int a = arch_by_name(tok);
		if (a < 0) {
			fprintf(stderr, "sysfence: error: unknown arch '%s' (known: x86_64, x86, x32, aarch64)\n", tok);
			ok = 0;
		} else {
			*mask |= 1u << a;
		}
	}
	free(copy);
	return ok ? 0 : -1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, 0, 'p' }, { "output", required_argument, 0, 'o' },
		{ "format", required_argument, 0, 'f' }, { "arch", required_argument, 0, 'a' },
		{ "werror", no_argument, 0, 'W' },       { "help", no_argument, 0, 'h' },
		{ "verbose", no_argument, 0, 'v' },      { "profile", required_argument, 0, 'P' },
		{ 0, 0, 0, 0 },
	};
	static const char *incs[64];
	static struct define defs[64];
	o->unit.include_dirs = incs;
	o->unit.defines = defs;
	o->fmt = FMT_NONE;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "I:D:p:o:f:hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'I':
			if (o->unit.ninclude == 64)
				return -1;
			incs[o->unit.ninclude++] = optarg;
			break;
		case 'D': {
			char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg || o->unit.ndefines == 64) {
				fprintf(stderr, "sysfence: error: -D wants NAME=VALUE, not '%s'\n", optarg);
				return -1;
			}
			*eq = '\0';
			defs[o->unit.ndefines++] = (struct define){ optarg, eq + 1 };
			break;
		}
		case 'p': o->policy = optarg; break;
		case 'o': o->out = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") == 0) {
				o->json = 1;
				break;
			}
			o->fmt = format_from_name(optarg);
			if (o->fmt == FMT_NONE) {
				fprintf(stderr, "sysfence: error: unknown format '%s' (bpf, c, pfc, asm, oci; json for check)\n", optarg);
				return -1;
			}
			break;
		case 'a':
			if (parse_arch_list(optarg, &o->arch_mask))
				return -1;
			break;
		case 'W': o->werror = 1; break;
		case 'v': o->unit.verbose = 1; break;
		case 'P': o->profile = optarg; break;
		case 'h': fputs(usage, stdout); exit(0);
		default: return -1;
		}
	}
	o->files = argv + optind;
	o->nfiles = argc - optind;
	return 0;
}

/* Loads and resolves FILE into U. Returns 0 when the front end found no errors. */
static int front_end(struct unit *u, struct arena *a, struct diag *d, const struct options *o,
		     const char *file)
{
	memset(u, 0, sizeof(*u));
	u->arena = a;
	u->diag = d;
	u->opts = &o->unit;
	if (unit_load(u, file))
		return -1;
	unit_resolve(u);
	return diag_failed(d) ? -1 : 0;
}

static void check_one(const struct options *o, struct diag *d, const char *file)
{
	struct arena *a = arena_new();
	struct unit u;
	int errors = d->errors;
	if (front_end(&u, a, d, o, file) == 0 || u.root) {
		for (size_t i = 0; u.root && i < u.root->rulesets.n; i++) {
			struct ruleset *rs = u.root->rulesets.v[i];
			struct policy_build pb;
			if (policy_expand(&u, rs, o->arch_mask, &pb) != 0)
				continue;
			if (!rs->is_policy) {
				pb.default_action = ~0u;   /* a ruleset has no default */
				if (policy_analyse(&u, &pb) == 0 && d->errors == errors)
					lint_policy(&u, &pb);
				continue;
			}
			/* A policy goes all the way through libseccomp, so that
			 * what compile would refuse (size, libseccomp limits)
			 * fails check too. */
			struct arch_lowering low[ARCH_COUNT];
			struct filter f;
			if (policy_analyse(&u, &pb) != 0)
				continue;
			if (d->errors == errors)   /* lints on a broken file are noise */
				lint_policy(&u, &pb);
			if (!diag_failed(d) && policy_lower(&u, &pb, low) == 0)
				compilation_backend(&u, &pb, low, &f);
		}
		/* Lints about the file as a whole need every part of it checked. */
		if (u.root && d->errors == errors)
			lint_root_file(&u);
	}
	arena_free(a);
}

/* Each file must check cleanly: a reference of a broken file would lie. */
static int cmd_doc(struct options *o)
{
	if (o->nfiles == 0) {
		fputs(usage, stderr);
		return 2;
	}
	int rc = 0;
	for (int i = 0; i < o->nfiles && rc == 0; i++) {
		struct diag d;
		diag_init(&d, stderr);
		struct arena *a = arena_new();
		struct unit u;
		if (front_end(&u, a, &d, o, o->files[i]) == 0) {
			/* Titles name the file as it is imported: "stdlib/io". */
			const char *title = o->files[i];
			const char *p = strstr(title, "policies/");
			if (p)
				title = p + 9;
			char buf[256];
			snprintf(buf, sizeof(buf), "%s", title);
			char *dot = strrchr(buf, '.');
			if (dot && strcmp(dot, ".policy") == 0)
				*dot = '\0';
			doc_file(stdout, u.root, buf);
		} else {
			rc = 1;
		}
		arena_free(a);
		diag_fini(&d);
	}
	return rc;
}

static int cmd_check(struct options *o)
{
	if (o->nfiles == 0) {
		fputs(usage, stderr);
		return 2;
	}
	struct diag d;
	diag_init(&d, stderr);
	d.json = o->json;
	d.werror = o->werror;
	if (d.json)
		d.out = stdout;
	for (int i = 0; i < o->nfiles; i++)
		check_one(o, &d, o->files[i]);
	int failed = diag_failed(&d);
	if (!d.json && (d.errors || d.warnings))
		fprintf(stderr, "%d error%s, %d warning%s\n", d.errors, d.errors == 1 ? "" : "s",
			d.warnings, d.warnings == 1 ? "" : "s");
	diag_fini(&d);
	return failed ? 1 : 0;
}

static int cmd_compile(struct options *o)
{
	if (o->nfiles != 1) {
		fputs(usage, stderr);
		return 2;
	}
	enum out_format fmt = o->fmt;
	if (fmt == FMT_NONE && o->out)
		fmt = format_from_path(o->out);
	if (fmt == FMT_NONE)
		fmt = FMT_BPF;
	o->unit.want_pfc = fmt == FMT_PFC;
	const char *out = o->out;
	if (!out) {
		if (fmt == FMT_BPF) {
			fputs("sysfence: error: raw BPF is binary; name an output file with -o (or -o - for stdout)\n", stderr);
			return 2;
		}
		out = "-";
	}
	struct compilation c;
	int rc = compilation_run(&c, &o->unit, o->files[0], o->policy, o->arch_mask, stderr) == 0 &&
		 emit_filter(&c.unit, &c.pb, &c.filter, fmt, out) == 0 ? 0 : 1;
	if (c.diag.errors || c.diag.warnings)
		fprintf(stderr, "%d error%s, %d warning%s\n", c.diag.errors, c.diag.errors == 1 ? "" : "s",
			c.diag.warnings, c.diag.warnings == 1 ? "" : "s");
	compilation_free(&c);
	return rc;
}

/* The command named by ARGV[1]; a --profile is read into PROFILE_ARENA. */
static int run(int argc, char **argv, struct arena *profile_arena)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("sysfence %s\n", SYSFENCE_VERSION);
		return 0;
	}
	struct options o;
	memset(&o, 0, sizeof(o));
	const char *cmd = argv[1];
	if (strcmp(cmd, "import-oci") == 0)
		return cmd_import_oci(argc - 1, argv + 1);
	if (strcmp(cmd, "generate") == 0)
		return cmd_generate(argc - 1, argv + 1);
	/* --format=json and -f bpf share a letter; check takes json. */
	if (parse_options(argc - 1, argv + 1, &o))
		return 2;
	if (o.profile && !(o.unit.profile = profile_load(profile_arena, o.profile)))
		return 1;
	if (strcmp(cmd, "check") == 0)
		return cmd_check(&o);
	if (strcmp(cmd, "compile") == 0)
		return cmd_compile(&o);
	if (strcmp(cmd, "doc") == 0)
		return cmd_doc(&o);
	if (strcmp(cmd, "diff") == 0) {
		struct diff_request req = { &o.unit, o.nfiles == 2 ? o.files[0] : NULL,
					    o.nfiles == 2 ? o.files[1] : NULL, o.policy, o.arch_mask, o.json };
		if (!req.old_file)
			fputs(usage, stderr);
		return req.old_file ? diff_cmd(&req) : 2;
	}
	if (strcmp(cmd, "sim") == 0) {
		if (o.nfiles < 2) {
			fputs(usage, stderr);
			return 2;
		}
		if (o.arch_mask & (o.arch_mask - 1)) {
			fputs("sysfence: error: sim runs one arch at a time\n", stderr);
			return 2;
		}
		struct sim_request req = {
			&o.unit, o.files[0], o.policy, o.arch_mask, o.files[1], o.files + 2, o.nfiles - 2,
		};
		return sim_run(&req);
	}
	fprintf(stderr, "sysfence: error: unknown command '%s'\n\n%s", cmd, usage);
	return 2;
}

int main(int argc, char **argv)
{
	struct arena *profile_arena = arena_new();   /* lives as long as the run */
	int rc = run(argc, argv, profile_arena);
	arena_free(profile_arena);
	return rc;
}
