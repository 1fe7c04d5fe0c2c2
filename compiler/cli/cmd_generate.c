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
#include "base/json.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "cli/help.h"
#include "output/emit.h"
#include "tools/generate.h"

struct gen_cmd {
	/* Messages about the command line and the traced command: text on
	 * standard error even with --format=json, whose standard output is
	 * the summary and whose diagnostics are about the trace and policy. */
	struct cli *cli;
	const char *out, *name, *from;
	int json, verbose, min_cover, arch;
	char **cmd;
};

static int take_min_cover(struct gen_cmd *g, const char *arg)
{
	char *end;
	g->min_cover = (int)strtol(arg, &end, 10);
	if (*end || end == arg || g->min_cover < 1 || g->min_cover > 100) {
		diag_error(&g->cli->diag, (struct loc){ 0 }, "--min-cover wants a percentage from 1 to 100");
		return -1;
	}
	return 0;
}

/* One option C. Returns 0, 1 for --help, -1 for a usage error. */
static int take_option(struct gen_cmd *g, int c, const char *arg)
{
	struct diag *d = &g->cli->diag;
	switch (c) {
	case 'o': g->out = arg; return 0;
	case 'p': g->name = arg; return 0;
	case 'F': g->from = arg; return 0;
	case 'v': g->verbose = 1; return 0;
	case 'f':
		if (strcmp(arg, "json") == 0) {
			g->json = 1;
			return 0;
		}
		diag_error(d, (struct loc){ 0 }, "generate writes a policy, or --format=json");
		return -1;
	case 'm': return take_min_cover(g, arg);
	case 'a':
		g->arch = arch_by_cli_name(arg);
		if (g->arch >= 0)
			return 0;
		diag_error(d, (struct loc){ 0 }, "unknown arch '%s'", arg);
		return -1;
	case 'h': return 1;
	default: return -1;
	}
}

/* Returns 0 to go on, or -1 with the exit status in *STATUS. */
static int parse(int argc, char **argv, struct gen_cmd *g, int *status)
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
	int c, rc = 0;
	/* '+': options end at the command, whose own options are its own */
	while (rc == 0 && (c = cli_getopt(g->cli, argc, argv, "+o:p:f:vh", longopts)) != -1)
		rc = take_option(g, c, optarg);
	*status = rc > 0 ? 0 : 2;
	if (rc > 0)
		fputs(cli_help_generate, stdout);
	if (rc)
		return -1;
	g->cmd = argv + optind;
	if ((g->from != NULL) == (optind < argc) || g->arch < 0) {
		if (g->arch < 0)
			diag_error(&g->cli->diag, (struct loc){ 0 }, "this machine is not one of sysfence's arches");
		else
			cli_usage_error(g->cli, NULL);
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
	struct diag *d = &g->cli->diag;
	int n = 0;
	while (g->cmd[n])
		n++;
	const char *fixed[] = { "strace", "-f", "-qq", "-X", "raw", "-e", "signal=none", "-o", log, "--" };
	size_t nf = sizeof(fixed) / sizeof(fixed[0]);
	char **argv = mem_calloc(nf + (size_t)n + 1, sizeof(*argv));
	memcpy(argv, fixed, sizeof(fixed));
	memcpy(argv + nf, g->cmd, (size_t)n * sizeof(*argv));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (g->json)
			dup2(2, 1);   /* standard output is the summary's */
		execvp("strace", argv);
		diag_error(d, (struct loc){ 0 }, "cannot run strace: %s (it is in the 'strace' package)",
			   strerror(errno));
		_exit(127);
	}
	free(argv);
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		diag_error(d, (struct loc){ 0 }, "cannot run strace: %s", strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && access(log, F_OK) != 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		diag_warning(d, (struct loc){ 0 }, "the command %s %d; the policy allows what it did until then",
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
		diag_error(d, (struct loc){ 0 }, "cannot read '%s': %s", log, file_error(err));
		return 1;
	}
	if (g->from)
		src->path = g->from;   /* as the user named it */
	struct trace t;
	if (trace_read(&t, a, d, src, g->arch))
		return 1;
	if (g->verbose)
		diag_status(&g->cli->diag, "%zu calls of %zu syscalls; %zu exit, signal and strace lines skipped",
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
	const char *const inputs[] = { g->from, NULL };   /* --from's log; NULL when traced */
	if (g->out && emit_atomic(d, a, g->out, inputs, write_policy, gen.text))
		return 1;
	if (g->json)
		write_json(g, &t, &gen, name);
	else if (!g->out)
		fputs(gen.text, stdout);
	return 0;
}

/* Traces the command into a log in a fresh temporary directory, then
 * generates from the log; the directory goes either way. */
static int generate_traced(const struct gen_cmd *g, struct arena *a, struct diag *d)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = arena_printf(a, "%s/sysfence-generate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		diag_error(&g->cli->diag, (struct loc){ 0 }, "cannot make a temporary directory: %s",
			   strerror(errno));
		return 1;
	}
	char *log = arena_printf(a, "%s/strace.log", dir);
	int rc = run_strace(g, log) == 0 ? generate_from(g, log, a, d) : 1;
	unlink(log);
	rmdir(dir);
	return rc;
}

int cmd_generate(struct cli *cli, int argc, char **argv)
{
	struct gen_cmd g = { .cli = cli };
	int status;
	if (parse(argc, argv, &g, &status))
		return status;
	if (g.name && !is_identifier(g.name)) {
		diag_error(&cli->diag, (struct loc){ 0 }, "-p wants a name a policy can have, not '%s'", g.name);
		return 2;
	}
	struct arena *a = arena_new();
	struct diag d;   /* the trace's and the policy's, as --format says */
	diag_init(&d, g.json ? stdout : stderr);
	d.json = g.json;
	int rc = g.from ? generate_from(&g, g.from, a, &d) : generate_traced(&g, a, &d);
	diag_fini(&d);
	arena_free(a);
	return rc;
}
