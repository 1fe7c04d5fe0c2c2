/* `sysfence generate`: runs a command under strace (or reads a log made
 * earlier) and writes a starting policy. See docs/generate.md. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"
#include "output/emit.h"
#include "tools/generate.h"
#include "base/json.h"

static const char usage[] =
	"usage: sysfence generate [-o OUT] [-p NAME] [--format=json] [--min-cover=PERCENT] [-v]\n"
	"                         (-- COMMAND [ARG]... | --from STRACE_LOG [--arch ARCH])\n";

struct gen_cmd {
	const char *out, *name, *from;
	int json, verbose, min_cover, arch;
	char **cmd;
};

static int parse(int argc, char **argv, struct gen_cmd *g)
{
	static const struct option longopts[] = {
		{ "output", required_argument, 0, 'o' }, { "policy", required_argument, 0, 'p' },
		{ "format", required_argument, 0, 'f' }, { "from", required_argument, 0, 'F' },
		{ "min-cover", required_argument, 0, 'm' }, { "arch", required_argument, 0, 'a' },
		{ "verbose", no_argument, 0, 'v' },      { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	g->min_cover = 40;
	g->arch = arch_native();
	optind = 1;
	int c;
	char *end;
	/* '+': options end at the command, whose own options are its own */
	while ((c = getopt_long(argc, argv, "+o:p:f:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': g->out = optarg; break;
		case 'p': g->name = optarg; break;
		case 'F': g->from = optarg; break;
		case 'v': g->verbose = 1; break;
		case 'f':
			if (strcmp(optarg, "json") != 0) {
				fprintf(stderr, "sysfence: error: generate writes a policy, or --format=json\n");
				return -1;
			}
			g->json = 1;
			break;
		case 'm':
			g->min_cover = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || g->min_cover < 1 || g->min_cover > 100) {
				fprintf(stderr, "sysfence: error: --min-cover wants a percentage from 1 to 100\n");
				return -1;
			}
			break;
		case 'a':
			g->arch = arch_by_name(optarg);
			if (g->arch < 0) {
				fprintf(stderr, "sysfence: error: unknown arch '%s'\n", optarg);
				return -1;
			}
			break;
		case 'h': fputs(usage, stdout); exit(0);
		default: return -1;
		}
	}
	g->cmd = argv + optind;
	if ((g->from != NULL) == (optind < argc) || g->arch < 0) {
		fputs(g->arch < 0 ? "sysfence: error: this machine is not one of sysfence's arches\n" : usage,
		      stderr);
		return -1;
	}
	return 0;
}

/* ---- running the command ---- */

/* strace -f follows children and threads; -X raw prints flags and
 * constants as numbers, which need no table to read; -qq and
 * -e signal=none leave out what is not a syscall. */
static int run_strace(const struct gen_cmd *g, const char *log)
{
	int n = 0;
	while (g->cmd[n])
		n++;
	const char *fixed[] = { "strace", "-f", "-qq", "-X", "raw", "-e", "signal=none", "-o", log, "--" };
	size_t nf = sizeof(fixed) / sizeof(fixed[0]);
	char **argv = calloc(nf + (size_t)n + 1, sizeof(*argv));
	if (!argv)
		return -1;
	memcpy(argv, fixed, sizeof(fixed));
	memcpy(argv + nf, g->cmd, (size_t)n * sizeof(*argv));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (g->json)
			dup2(2, 1);   /* standard output is the summary's */
		execvp("strace", argv);
		fprintf(stderr, "sysfence: error: cannot run strace: %s (it is in the 'strace' package)\n",
			strerror(errno));
		_exit(127);
	}
	free(argv);
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		fprintf(stderr, "sysfence: error: cannot run strace: %s\n", strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && access(log, F_OK) != 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "sysfence: warning: the command %s %d; the policy allows what it did until then\n",
			WIFEXITED(status) ? "exited with status" : "was killed by signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

/* ---- text around the policy ---- */

/* The command as a shell would need it: words with special characters in
 * single quotes. */
static const char *shell_words(struct arena *a, char **cmd)
{
	char *s = arena_strdup(a, "");
	for (; *cmd; cmd++) {
		const char *w = *cmd;
		int plain = *w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./=:,+@%") == strlen(w);
		if (plain) {
			s = arena_printf(a, "%s%s%s", s, *s ? " " : "", w);
			continue;
		}
		s = arena_printf(a, "%s%s'", s, *s ? " " : "");
		for (; *w; w++)
			s = *w == '\'' ? arena_printf(a, "%s'\\''", s) : arena_printf(a, "%s%c", s, *w);
		s = arena_printf(a, "%s'", s);
	}
	return s;
}

static int is_keyword(const char *s)
{
	static const char *const words[] = {
		"import", "as", "const", "ruleset", "policy", "use", "override", "allow", "log", "trap",
		"notify", "kill_thread", "kill_process", "errno", "trace", "default", "arch", "if", "in",
		"not", NULL,
	};
	for (const char *const *w = words; *w; w++)
		if (strcmp(s, *w) == 0)
			return 1;
	return 0;
}

static int is_identifier(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9') || is_keyword(s))
		return 0;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/* The policy's name: -p, else the command's file name made an identifier. */
static const char *policy_name(struct arena *a, const struct gen_cmd *g)
{
	if (g->name)
		return g->name;
	if (g->from)
		return "generated";
	const char *base = strrchr(g->cmd[0], '/');
	char *s = arena_strdup(a, base ? base + 1 : g->cmd[0]);
	for (char *p = s; *p; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			*p = '_';
	return is_identifier(s) ? s : arena_printf(a, "p_%s", s);
}

/* SOURCE_DATE_EPOCH, when set, makes the output reproducible. */
static const char *date_text(struct arena *a)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	time_t now = epoch && *epoch ? (time_t)strtoll(epoch, NULL, 10) : time(NULL);
	struct tm tm;
	char buf[64];
	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
	return arena_strdup(a, buf);
}

static int write_policy(FILE *out, void *ctx)
{
	return fputs(ctx, out) < 0 ? -1 : 0;
}

static void write_json(const struct gen_cmd *g, const struct trace *t, const struct generated *gen,
		       const char *name)
{
	printf("{\"policy_name\":");
	json_write_string(stdout, name);
	printf(",\"arch\":\"%s\",\"output\":", arch_table[t->arch].name);
	if (g->out)
		json_write_string(stdout, g->out);
	else
		fputs("null", stdout);
	printf(",\"calls\":%zu,\"syscalls\":[", t->calls);
	for (size_t i = 0; i < t->syscalls.n; i++) {
		const struct trace_sys *s = t->syscalls.v[i];
		printf("%s{\"name\":", i ? "," : "");
		json_write_string(stdout, s->name);
		printf(",\"nr\":%d,\"count\":%zu,\"failed\":%zu,\"answer\":\"%s\",\"rulesets\":[", s->nr,
		       s->count, s->failed, gen_action_text(s->expect));
		for (size_t k = 0, n = 0; k < gen->chosen.n; k++) {
			const struct gen_ruleset *r = gen->chosen.v[k];
			if (cover_decides(r, s))
				printf("%s\"%s.%s\"", n++ ? "," : "", r->file, r->name);
		}
		printf("]}");
	}
	printf("],\"rulesets\":[");
	for (size_t k = 0; k < gen->chosen.n; k++) {
		const struct gen_ruleset *r = gen->chosen.v[k];
		printf("%s{\"name\":\"%s.%s\",\"allows\":%zu,\"seen\":%zu}", k ? "," : "", r->file, r->name,
		       r->allowed, r->seen);
	}
	printf("],\"rules\":[");
	for (size_t k = 0; k < gen->rules.n; k++) {
		const struct gen_rule *r = gen->rules.v[k];
		printf("%s{\"syscall\":", k ? "," : "");
		json_write_string(stdout, r->syscall);
		printf(",\"action\":\"%s\",\"condition\":", r->action);
		if (r->cond)
			json_write_string(stdout, r->cond);
		else
			fputs("null", stdout);
		printf(",\"count\":%zu,\"note\":", r->count);
		json_write_string(stdout, r->note);
		printf("}");
	}
	printf("],\"policy\":");
	json_write_string(stdout, gen->text);
	printf("}\n");
}

/* ---- the command ---- */

static int generate_from(const struct gen_cmd *g, const char *log, struct arena *a, struct diag *d)
{
	int err;
	struct source *src = source_read(a, log, &err);
	if (!src) {
		diag_error(d, (struct loc){ 0 }, "cannot read '%s': %s", log, strerror(err));
		return 1;
	}
	if (g->from)
		src->path = g->from;   /* as the user named it */
	struct trace t;
	if (trace_read(&t, a, d, src, g->arch))
		return 1;
	if (g->verbose)
		fprintf(stderr, "sysfence: %zu calls of %zu syscalls; %zu exit, signal and strace lines skipped\n",
			t.calls, t.syscalls.n, t.skipped);
	const char *name = policy_name(a, g);
	struct gen_options o = {
		name, g->min_cover,
		g->from ? arena_printf(a, "from the strace log %s", g->from)
			: arena_printf(a, "from: strace -f %s", shell_words(a, g->cmd)),
		date_text(a),
	};
	struct generated gen;
	if (generate_policy(a, d, &t, &o, &gen))
		return 1;
	if (g->out && emit_atomic(d, a, g->out, write_policy, gen.text))
		return 1;
	if (g->json)
		write_json(g, &t, &gen, name);
	else if (!g->out)
		fputs(gen.text, stdout);
	return 0;
}

int cmd_generate(int argc, char **argv)
{
	struct gen_cmd g = { 0 };
	if (parse(argc, argv, &g))
		return 2;
	if (g.name && !is_identifier(g.name)) {
		fprintf(stderr, "sysfence: error: -p wants a name a policy can have, not '%s'\n", g.name);
		return 2;
	}
	struct arena *a = arena_new();
	struct diag d;
	diag_init(&d, g.json ? stdout : stderr);
	d.json = g.json;
	int rc = 1;
	char *dir = NULL, *log = NULL;
	if (g.from) {
		rc = generate_from(&g, g.from, a, &d);
	} else {
		const char *tmp = getenv("TMPDIR");
		dir = arena_printf(a, "%s/sysfence-generate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			fprintf(stderr, "sysfence: error: cannot make a temporary directory: %s\n", strerror(errno));
			dir = NULL;
		} else {
			log = arena_printf(a, "%s/strace.log", dir);
			if (run_strace(&g, log) == 0)
				rc = generate_from(&g, log, a, &d);
		}
	}
	if (log)
		unlink(log);
	if (dir)
		rmdir(dir);
	diag_fini(&d);
	arena_free(a);
	return rc;
}
