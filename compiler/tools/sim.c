/* `sysfence sim` (sim.h): one syscall through a filter on the in-tree BPF
 * interpreter, explained with the deciding rule when the source is given.
 *
 * Argument values are constant expressions of the policy language and are
 * read by its own parser, resolver and evaluator (parse_expr,
 * unit_resolve_expr, policy_eval_expr), so that every operator and name a
 * policy may use works here too, with the same errors, pointing into the
 * argument as typed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/json.h"
#include "base/mem.h"
#include "driver/compilation.h"
#include "frontend/parse_ctx.h"
#include "tables/tables.h"
#include "tools/sim.h"

/* What diagnostics about a value call the text they quote. */
#define SIM_ARG_PATH "<command line>"

/* One run. With the policy source the compilation's unit and diagnostics
 * serve the values too; with a .bpf a unit without files does. */
struct sim {
	const struct sim_request *req;
	int have_policy;
	struct compilation c;        /* have_policy */
	struct arena *arena;         /* !have_policy: the values' ASTs */
	struct diag diag;            /* !have_policy */
	struct unit bare;            /* !have_policy */
	struct unit *u;              /* &c.unit or &bare */
	struct sock_filter *insns;
	size_t len;
	int arch;
};

/* ---- argument values ---- */

/* Reads ARG from byte OFFSET on (after "NAME=") as one constant expression
 * for the run's arch, with the policy's consts when it has any. */
static int sim_value(struct sim *s, const char *arg, size_t offset, uint64_t *out)
{
	struct unit *u = s->u;
	struct source *src = arena_alloc(u->arena, sizeof(*src));
	*src = (struct source){ SIM_ARG_PATH, arena_strdup(u->arena, arg), strlen(arg) };
	struct parse_ctx ctx = { .arena = u->arena, .diag = u->diag, .src = src };
	struct expr *e = parse_expr(&ctx, offset);
	if (!e || unit_resolve_expr(u, s->have_policy ? s->c.policy->file : NULL, e))
		return -1;
	return policy_eval_expr(u, s->arch, e, out);
}

/* Fills ARGS (registers) from the request's "VALUE" and "NAME=VALUE"
 * words: a name picks the parameter as in a policy, a bare value takes
 * the register after the previous one. */
static int sim_fill_args(struct sim *s, const struct syscall_desc *d, uint64_t args[6])
{
	const struct sim_request *req = s->req;
	int next = 0;
	for (int i = 0; i < req->nargs; i++) {
		const char *arg = req->args[i];
		const char *eq = strchr(arg, '=');
		int index = next;
		size_t offset = 0;
		if (eq) {
			const char *name = arena_strndup(s->u->arena, arg, (size_t)(eq - arg));
			index = syscall_arg_index(d, name);
			if (index < 0) {
				diag_error(s->u->diag, (struct loc){ 0 }, "'%s' has no argument '%s'",
					   req->syscall, name);
				return -1;
			}
			/* as in a policy: named (and argN) parameters, in registers */
			index = syscall_param_reg(d, s->arch, index);
			offset = (size_t)(eq + 1 - arg);
		}
		if (index > 5) {
			diag_error(s->u->diag, (struct loc){ 0 }, "too many arguments");
			return -1;
		}
		if (sim_value(s, arg, offset, &args[index]))
			return -1;
		next = index + 1;
	}
	return 0;
}

/* ---- the filter ---- */

int is_bpf_file(const char *path)
{
	size_t n = strlen(path);
	if (n > 4 && strcmp(path + n - 4, ".bpf") == 0)
		return 1;
	/* A pipe read here would be read no more: only files are looked into. */
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	unsigned char buf[512];
	size_t got = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return memchr(buf, 0, got) != NULL;
}

struct sock_filter *sim_read_bpf(struct diag *d, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_error(d, (struct loc){ 0 }, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	/* One more than the kernel takes, to see that a file is too long. */
	size_t cap = BPF_MAX_INSNS + 1;
	struct sock_filter *p = mem_calloc(cap, sizeof(*p));
	size_t bytes = fread(p, 1, cap * sizeof(*p), f);
	fclose(f);
	char why[128];
	if (bytes % sizeof(*p) || bpf_check(p, bytes / sizeof(*p), why, sizeof(why))) {
		diag_error(d, (struct loc){ 0 }, "'%s' is not a valid seccomp filter: %s", path,
			   bytes % sizeof(*p) ? "its size is not a multiple of 8" : why);
		free(p);
		return NULL;
	}
	*len = bytes / sizeof(*p);
	return p;
}

struct sock_filter *read_bpf(const char *path, size_t *len)
{
	struct diag d;
	diag_init(&d, stderr);
	struct sock_filter *p = sim_read_bpf(&d, path, len);
	diag_fini(&d);
	return p;
}

static int pick_arch(unsigned mask)
{
	int native = arch_native();
	if (native >= 0 && (mask & (1u << native)))
		return native;
	for (int a = 0; a < ARCH_COUNT; a++)
		if (mask & (1u << a))
			return a;
	return native >= 0 ? native : ARCH_X86_64;
}

/* Compiles the policy or reads the .bpf, and picks the arch. Returns 0, or
 * -1 after diagnosing; sim_close() releases S either way. */
static int sim_open(struct sim *s, const struct sim_request *req)
{
	memset(s, 0, sizeof(*s));
	s->req = req;
	s->have_policy = !is_bpf_file(req->file);
	unsigned mask = req->arch_mask;
	if (s->have_policy) {
		s->u = &s->c.unit;
		if (compilation_run(&s->c, req->opts, req->file, req->policy, mask, stderr))
			return -1;
		s->insns = s->c.filter.insns;
		s->len = s->c.filter.len;
		if (!mask)
			mask = s->c.pb.arch_mask;
	} else {
		s->arena = arena_new();
		diag_init(&s->diag, stderr);
		s->bare = (struct unit){ .arena = s->arena, .diag = &s->diag, .opts = req->opts };
		s->u = &s->bare;
		s->insns = sim_read_bpf(&s->diag, req->file, &s->len);
		if (!s->insns)
			return -1;
	}
	s->arch = pick_arch(mask);
	return 0;
}

static void sim_close(struct sim *s)
{
	if (s->have_policy) {
		compilation_free(&s->c);
		return;
	}
	free(s->insns);
	diag_fini(&s->diag);
	arena_free(s->arena);
}

/* ---- the verdict ---- */

/* The rule (or the default) that decides NR with ARGS. */
struct verdict_why {
	const struct rule *rule;   /* NULL: the default, or nothing (is_default 0) */
	int is_default;
};

static struct verdict_why explain(const struct compilation *c, int arch, uint32_t nr,
				  const uint64_t args[6])
{
	const struct rule *r;
	uint32_t ref = policy_eval_rule(&c->pb, arch_table[arch].audit_arch, nr, args, &r);
	return (struct verdict_why){ r, !r && ref == c->pb.default_action };
}

static void explain_text(const struct compilation *c, struct verdict_why why)
{
	const struct rule *r = why.rule;
	char buf[32];
	if (r) {
		printf("decided by: %s:%d:%d (%s %s%s)\n", r->stmt->loc.src->path, r->stmt->loc.line,
		       r->stmt->loc.col, bpf_action_str(r->action, buf, sizeof(buf)),
		       r->sys->name ? r->sys->name : "", r->cond ? " if ..." : "");
		for (const struct use_chain *ch = r->chain; ch; ch = ch->outer)
			printf("  through: use %s%s%s at %s:%d:%d\n", ch->ref->qualifier ? ch->ref->qualifier : "",
			       ch->ref->qualifier ? "." : "", ch->ref->name, ch->ref->loc.src->path,
			       ch->ref->loc.line, ch->ref->loc.col);
	} else if (why.is_default) {
		printf("decided by: the default action (%s:%d)\n", c->pb.default_loc.src->path,
		       c->pb.default_loc.line);
	}
}

static void json_loc(struct loc at)
{
	fputs("{\"file\":", stdout);
	json_write_string(stdout, at.src->path);
	printf(",\"line\":%d,\"column\":%d", at.line, at.col);
}

/* ,"decided_by":{...} (nothing without the source). */
static void explain_json(const struct compilation *c, struct verdict_why why)
{
	const struct rule *r = why.rule;
	char buf[32], rule[160];
	if (r) {
		snprintf(rule, sizeof(rule), "%s %s%s", bpf_action_str(r->action, buf, sizeof(buf)),
			 r->sys->name ? r->sys->name : "", r->cond ? " if ..." : "");
		fputs(",\"decided_by\":", stdout);
		json_loc(r->stmt->loc);
		fputs(",\"rule\":", stdout);
		json_write_string(stdout, rule);
		fputs(",\"through\":[", stdout);
		for (const struct use_chain *ch = r->chain; ch; ch = ch->outer) {
			fputs(ch == r->chain ? "" : ",", stdout);
			json_loc(ch->ref->loc);
			fputs(",\"use\":", stdout);
			snprintf(rule, sizeof(rule), "%s%s%s", ch->ref->qualifier ? ch->ref->qualifier : "",
				 ch->ref->qualifier ? "." : "", ch->ref->name);
			json_write_string(stdout, rule);
			fputc('}', stdout);
		}
		fputs("]}", stdout);
	} else if (why.is_default) {
		fputs(",\"decided_by\":", stdout);
		json_loc(c->pb.default_loc);
		fputs(",\"rule\":\"default\",\"through\":[]}", stdout);
	}
}

enum sim_status sim_status_of(uint32_t ret)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG: return SIM_ALLOW;
	case SECCOMP_RET_ERRNO: return SIM_ERRNO;
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF: return SIM_HANDLED;
	default: return SIM_KILL;
	}
}

/* The syscall the request names (a name or a number) on the run's arch:
 * its number in *NR and its descriptor (NULL for an unknown number).
 * Returns 0, or -1 after diagnosing. */
static int sim_syscall(struct sim *s, long *nr, const struct syscall_desc **d)
{
	const char *name = s->req->syscall;
	char *end;
	*nr = strtol(name, &end, 0);
	if (!*end) {
		*d = syscall_by_nr(s->arch, (int)*nr);
		return 0;
	}
	*d = syscall_find(name);
	*nr = *d ? (*d)->nr[s->arch] : -1;
	if (*nr < 0) {
		diag_error(s->u->diag, (struct loc){ 0 }, "no syscall '%s' on %s", name,
			   arch_table[s->arch].name);
		return -1;
	}
	return 0;
}

/* Runs the filter on DATA and prints the verdict (NR as the user gave it).
 * Returns sim_run's status. */
static enum sim_status sim_verdict(struct sim *s, const struct syscall_desc *d, long nr,
		       const struct seccomp_data *data)
{
	uint32_t ret;
	size_t steps;
	if (bpf_run(s->insns, s->len, data, &ret, &steps)) {
		diag_error(s->u->diag, (struct loc){ 0 }, "the filter is not valid BPF");
		return SIM_BAD_INPUT;
	}
	char buf[32];
	const uint64_t *args = (const uint64_t *)data->args;
	struct verdict_why why = { 0 };
	if (s->have_policy)
		why = explain(&s->c, s->arch, (uint32_t)data->nr, args);
	if (s->req->json) {
		fputs("{\"arch\":", stdout);
		json_write_string(stdout, arch_table[s->arch].name);
		fputs(",\"syscall\":", stdout);
		json_write_string(stdout, d ? d->name : "?");
		printf(",\"nr\":%ld,\"action\":", nr);
		json_write_string(stdout, bpf_action_str(ret, buf, sizeof(buf)));
		printf(",\"instructions\":%zu", steps);
		if (s->have_policy)
			explain_json(&s->c, why);
		fputs("}\n", stdout);
	} else {
		printf("arch: %s\nsyscall: %s (%ld)\n", arch_table[s->arch].name, d ? d->name : "?", nr);
		printf("action: %s\npath: %zu instructions\n", bpf_action_str(ret, buf, sizeof(buf)), steps);
		if (s->have_policy)
			explain_text(&s->c, why);
	}
	if (s->have_policy && policy_eval(&s->c.pb, data->arch, (uint32_t)data->nr, args) != ret) {
		diag_error(s->u->diag, (struct loc){ 0 },
			   "internal error: the filter and the policy disagree");
		return SIM_DISAGREE;
	}
	return sim_status_of(ret);
}

enum sim_status sim_run(const struct sim_request *req)
{
	struct sim s;
	enum sim_status rc = SIM_BAD_INPUT;
	long nr;
	const struct syscall_desc *d;
	if (sim_open(&s, req) == 0 && sim_syscall(&s, &nr, &d) == 0) {
		struct seccomp_data data = { .nr = (int)nr, .arch = arch_table[s.arch].audit_arch };
		if (sim_fill_args(&s, d, (uint64_t *)data.args) == 0)
			rc = sim_verdict(&s, d, nr, &data);
	}
	sim_close(&s);
	return rc;
}
