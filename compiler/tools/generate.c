/* The generated policy: explicit rules for what the chosen stdlib rulesets
 * do not decide, the text, and its check by the real pipeline. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/compilation.h"
#include "tools/generate.h"

struct gen {
	struct arena *a;
	struct diag *d;
	const struct trace *t;
	const struct gen_options *o;
	const struct trace_sys *clone3;   /* when it gets ENOSYS and clone stands in */
	struct generated *out;
	char *force_plain;         /* per trace syscall: its condition failed the check */
};

/* ---- names for values ---- */

static uint64_t cval(int arch, const char *name)
{
	const struct constant_desc *c = constant_find(name);
	return c && (c->present & (1u << arch)) ? (uint64_t)c->value[arch] : 0;
}

/* A constant's name for VALUE (compared under MASK): the first of PREFER
 * that has it, else the first constant (in table order) whose name starts
 * with one of PREFIXES, else the number. */
static const char *value_name(struct gen *g, uint64_t value, uint64_t mask, const char *const *prefer,
			      const char *const *prefixes)
{
	int arch = g->t->arch;
	value &= mask;
	for (; prefer && *prefer; prefer++) {
		const struct constant_desc *c = constant_find(*prefer);
		if (c && (c->present & (1u << arch)) && ((uint64_t)c->value[arch] & mask) == value)
			return *prefer;
	}
	for (; prefixes && *prefixes; prefixes++)
		for (size_t i = 0; i < constant_count(); i++) {
			const struct constant_desc *c = constant_at(i);
			if (strncmp(c->name, *prefixes, strlen(*prefixes)) == 0 &&
			    (c->present & (1u << arch)) && ((uint64_t)c->value[arch] & mask) == value)
				return c->name;
		}
	return value < 10 ? arena_printf(g->a, "%llu", (unsigned long long)value)
			  : arena_printf(g->a, "0x%llx", (unsigned long long)value);
}

/* ---- explicit rules ---- */

static const char *rule_syscall(struct gen *g, const struct trace_sys *s);

const char *gen_action_text(uint32_t expect)
{
	return expect == SECCOMP_RET_ALLOW ? "allow" : "errno(ENOSYS)";   /* the two plan_clone3 uses */
}

static void add_rule(struct gen *g, const struct trace_sys *s, const char *cond, size_t count,
		     const char *why)
{
	struct gen_rule *r = arena_alloc(g->a, sizeof(*r));
	r->sys = s;
	r->syscall = rule_syscall(g, s);
	r->action = gen_action_text(s->expect);
	r->cond = cond;
	r->count = count;
	char failed[128] = "";
	if (s->failed) {
		size_t n = (size_t)snprintf(failed, sizeof(failed), ", %zu failed (", s->failed);
		for (size_t i = 0; i < s->nerrnos && n < sizeof(failed); i++)
			n += (size_t)snprintf(failed + n, sizeof(failed) - n, "%s%s", i ? ", " : "", s->errnos[i]);
		if (n < sizeof(failed))
			snprintf(failed + n, sizeof(failed) - n, ")");
	}
	r->note = count ? arena_printf(g->a, "seen %zu time%s%s%s%s", count, count == 1 ? "" : "s", failed,
				       why ? "; " : "", why ? why : "")
			: arena_strdup(g->a, why ? why : "not seen");
	ptrvec_push(g->a, &g->out->rules, r);
}

/* The register of argument NAME of S, when every call of S gave it;
 * else -1 and *WHY says which value could not be read. */
static int arg_read(struct gen *g, const struct trace_sys *s, const char *name, const char **why)
{
	int i = s->desc ? syscall_arg_index(s->desc, name) : -1;
	*why = NULL;
	if (i < 0)
		return -1;
	for (size_t k = 0; k < s->vecs.n; k++)
		if (!(((const struct trace_vec *)s->vecs.v[k])->known & (1u << i))) {
			*why = arena_printf(g->a, "the log did not give every %s as a number%s%s%s", name,
					    s->unread[i] ? " ('" : "", s->unread[i] ? s->unread[i] : "",
					    s->unread[i] ? "')" : "");
			return -1;
		}
	return i;
}

/* arg_read for each of the NAMES (NULL-terminated) into REGS; when one
 * cannot be read, S gets an unconditional rule saying why, and -1. */
static int args_or_plain(struct gen *g, const struct trace_sys *s, const char *const *names, int *regs)
{
	const char *why = NULL;
	for (size_t k = 0; names[k]; k++)
		if ((regs[k] = arg_read(g, s, names[k], &why)) < 0) {
			add_rule(g, s, NULL, s->count, why);
			return -1;
		}
	return 0;
}

static const char *const AF_PREFER[] = { "AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK", NULL };
static const char *const AF_PREFIX[] = { "AF_", NULL };
static const char *const SOCK_PREFIX[] = { "SOCK_", NULL };
static const char *const IPPROTO_PREFIX[] = { "IPPROTO_", NULL };

/* socket and socketpair: one rule per (domain, type, protocol) seen; the
 * type without SOCK_NONBLOCK and SOCK_CLOEXEC, which change nothing that
 * matters to a filter. */
static void socket_rules(struct gen *g, const struct trace_sys *s)
{
	static const char *const names[] = { "domain", "type", "protocol", NULL };
	int reg[3];
	if (args_or_plain(g, s, names, reg))
		return;
	int dom = reg[0], typ = reg[1], pro = reg[2];
	int arch = g->t->arch;
	uint64_t flags = cval(arch, "SOCK_NONBLOCK") | cval(arch, "SOCK_CLOEXEC");
	char *done = arena_alloc(g->a, s->vecs.n + 1);
	for (size_t i = 0; i < s->vecs.n; i++) {
		if (done[i])
			continue;
		const struct trace_vec *v = s->vecs.v[i];
		uint64_t d = v->args[dom] & 0xffffffffu, ty = v->args[typ] & ~flags & 0xffffffffu,
			 p = v->args[pro] & 0xffffffffu;
		size_t count = 0;
		for (size_t k = i; k < s->vecs.n; k++) {
			const struct trace_vec *w = s->vecs.v[k];
			if ((w->args[dom] & 0xffffffffu) == d && (w->args[typ] & ~flags & 0xffffffffu) == ty &&
			    (w->args[pro] & 0xffffffffu) == p) {
				done[k] = 1;
				count += w->count;
			}
		}
		int inet = d == cval(arch, "AF_INET") || d == cval(arch, "AF_INET6");
		const char *proto = p && inet ? value_name(g, p, 0xffffffffu, NULL, IPPROTO_PREFIX)
					      : arena_printf(g->a, "%llu", (unsigned long long)p);
		add_rule(g, s,
			 arena_printf(g->a, "domain == %s && (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == %s && protocol == %s",
				      value_name(g, d, 0xffffffffu, AF_PREFER, AF_PREFIX),
				      value_name(g, ty, 0xffffffffu, NULL, SOCK_PREFIX), proto),
			 count, NULL);
	}
}

/* open and openat: read-only when every call was; else any mode. */
static void open_rules(struct gen *g, const struct trace_sys *s)
{
	static const char *const names[] = { "flags", NULL };
	int fl;
	if (args_or_plain(g, s, names, &fl))
		return;
	int arch = g->t->arch;
	uint64_t writes = cval(arch, "O_CREAT") | cval(arch, "O_TRUNC") | cval(arch, "O_APPEND") |
			  cval(arch, "O_EXCL") | cval(arch, "__O_TMPFILE");
	for (size_t i = 0; i < s->vecs.n; i++) {
		uint64_t f = ((const struct trace_vec *)s->vecs.v[i])->args[fl];
		if ((f & cval(arch, "O_ACCMODE")) != cval(arch, "O_RDONLY") || (f & writes)) {
			add_rule(g, s, NULL, s->count,
				 arena_printf(g->a, "also for writing (flags 0x%llx)", (unsigned long long)f));
			return;
		}
	}
	add_rule(g, s,
		 "(flags & O_ACCMODE) == O_RDONLY && (flags & (O_CREAT | O_TRUNC | O_APPEND | O_EXCL | __O_TMPFILE)) == 0",
		 s->count, "all read-only");
}

static const char *const NAMESPACE_FLAGS[] = {
	"CLONE_NEWNS", "CLONE_NEWCGROUP", "CLONE_NEWUTS", "CLONE_NEWIPC",
	"CLONE_NEWUSER", "CLONE_NEWPID", "CLONE_NEWNET", NULL,
};

/* clone: no namespace flag the trace did not show; threads only, or
 * processes only, when the trace made only one kind. */
static void clone_rules(struct gen *g, const struct trace_sys *s)
{
	static const char *const names[] = { "flags", NULL };
	int fl;
	if (args_or_plain(g, s, names, &fl))
		return;
	int arch = g->t->arch;
	uint64_t any = 0, all = ~0ull, thread = cval(arch, "CLONE_THREAD");
	for (size_t i = 0; i < s->vecs.n; i++) {
		uint64_t f = ((const struct trace_vec *)s->vecs.v[i])->args[fl];
		any |= f;
		all &= f;
	}
	char cond[512] = "";
	size_t n = 0;
	if (!(any & thread))
		n += (size_t)snprintf(cond + n, sizeof(cond) - n, "(flags & CLONE_THREAD) == 0");
	else if (all & thread)
		n += (size_t)snprintf(cond + n, sizeof(cond) - n, "(flags & CLONE_THREAD) != 0");
	char ns[256] = "";
	size_t m = 0;
	for (const char *const *f = NAMESPACE_FLAGS; *f; f++)
		if (!(any & cval(arch, *f)))
			m += (size_t)snprintf(ns + m, sizeof(ns) - m, "%s%s", m ? " | " : "", *f);
	if (m)
		snprintf(cond + n, sizeof(cond) - n, "%s(flags & (%s)) == 0", n ? " && " : "", ns);
	const char *kind = !(any & thread) ? "processes, no threads" : (all & thread) ? "threads only" : NULL;
	if (g->clone3)
		kind = arena_printf(g->a, "%s%sglibc's fallback for the %zu clone3 calls", kind ? kind : "",
				    kind ? "; with " : "", g->clone3->count);
	add_rule(g, s, cond[0] ? arena_strdup(g->a, cond) : NULL, s->count, kind);
}

static const char *const IOCTL_PREFIX[] = { "FIO", "TC", "TIOC", "SIOC", NULL };

/* The most ioctl requests a rule lists. Each costs the filter at least one
 * instruction, of the kernel's 4096 for the whole filter; a program that
 * made more distinct requests gets ioctl whatever the request, said so in
 * the rule's comment, rather than a policy that cannot compile. */
#define IOCTL_SET_MAX 512

static int by_value(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* The distinct low words of argument RQ of S's calls, sorted, in *OUT. */
static size_t distinct_requests(struct gen *g, const struct trace_sys *s, int rq, uint64_t **out)
{
	uint64_t *v = arena_alloc(g->a, (s->vecs.n + 1) * sizeof(*v));
	for (size_t i = 0; i < s->vecs.n; i++)
		v[i] = ((const struct trace_vec *)s->vecs.v[i])->args[rq] & 0xffffffffu;
	qsort(v, s->vecs.n, sizeof(*v), by_value);
	size_t n = 0;
	for (size_t i = 0; i < s->vecs.n; i++)
		if (n == 0 || v[n - 1] != v[i])
			v[n++] = v[i];
	*out = v;
	return n;
}

/* ioctl: the requests seen. */
static void ioctl_rules(struct gen *g, const struct trace_sys *s)
{
	static const char *const arg[] = { "request", NULL };
	int rq;
	if (args_or_plain(g, s, arg, &rq))
		return;
	uint64_t *v;
	size_t n = distinct_requests(g, s, rq, &v);
	if (n > IOCTL_SET_MAX) {
		add_rule(g, s, NULL, s->count,
			 arena_printf(g->a, "%zu distinct requests, more than a filter can list (%d); "
				      "any request", n, IOCTL_SET_MAX));
		return;
	}
	const char **names = arena_alloc(g->a, (n + 1) * sizeof(*names));
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		names[i] = value_name(g, v[i], 0xffffffffu, NULL, IOCTL_PREFIX);
		len += strlen(names[i]) + 2;
	}
	char *set = arena_alloc(g->a, len + 1), *p = set;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? ", " : "", names[i]);
	add_rule(g, s, arena_printf(g->a, "request in {%s}", set), s->count, NULL);
}

static const char *sys_name(const struct trace_sys *s)
{
	if (!s->desc)
		return NULL;
	/* strace's (kernel) name when users may write it too: newfstatat */
	const struct syscall_desc *d = syscall_find(s->name);
	return d && d == s->desc ? s->name : s->desc->name;
}

static void explicit_rules(struct gen *g, const struct trace_sys *s, size_t index)
{
	const char *name = sys_name(s);
	if (!name || g->force_plain[index]) {
		add_rule(g, s, NULL, s->count,
			 g->force_plain[index] ? "a condition did not admit every call it saw" : NULL);
		return;
	}
	if (!strcmp(name, "socket") || !strcmp(name, "socketpair"))
		socket_rules(g, s);
	else if (!strcmp(name, "open") || !strcmp(name, "openat"))
		open_rules(g, s);
	else if (!strcmp(name, "clone"))
		clone_rules(g, s);
	else if (!strcmp(name, "ioctl"))
		ioctl_rules(g, s);
	else if (!strcmp(name, "clone3") && s == g->clone3)
		add_rule(g, s, NULL, s->count,
			 "its flags are behind a pointer; on ENOSYS glibc makes the same call with clone");
	else if (!strcmp(name, "clone3"))
		add_rule(g, s, NULL, s->count,
			 "its flags are behind a pointer, and the log did not show them all");
	else
		add_rule(g, s, NULL, s->count, NULL);
}

static int by_syscall(const void *x, const void *y)
{
	const struct gen_rule *a = *(const struct gen_rule *const *)x, *b = *(const struct gen_rule *const *)y;
	int c = strcmp(a->syscall, b->syscall);
	return c ? c : (a->cond && b->cond ? strcmp(a->cond, b->cond) : 0);
}

/* ---- the text ---- */

/* Comment lines "    # TEXT", TEXT wrapped at a space before 80 columns. */
static void comment_wrapped(FILE *out, const char *indent, const char *text)
{
	const char *p = text;
	size_t room = 80 - strlen(indent) - 2;
	while (*p) {
		size_t n = strlen(p);
		if (n > room) {   /* after the last ", " that fits, else the last space */
			size_t k = room;
			while (k > 0 && strncmp(p + k, ", ", 2) != 0)
				k--;
			n = k ? k + 1 : room;
			while (!k && n > 0 && p[n] != ' ')
				n--;
			if (n == 0)
				n = strcspn(p, " ");
		}
		fprintf(out, "%s# %.*s\n", indent, (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
}

static const char *rule_syscall(struct gen *g, const struct trace_sys *s)
{
	const char *name = sys_name(s);
	return name ? name : arena_printf(g->a, "%d", s->nr - (int)arch_table[g->t->arch].nr_bias);
}

/* "brk 12, mmap 40, ..." for the syscalls of the trace R decides. */
static const char *covered_list(struct gen *g, const struct gen_ruleset *r)
{
	char *list = arena_strdup(g->a, "");
	for (size_t i = 0; i < g->t->syscalls.n; i++) {
		const struct trace_sys *s = g->t->syscalls.v[i];
		if (cover_decides(r, s) && s->count)
			list = arena_printf(g->a, "%s%s%s %zu", list, *list ? ", " : "", rule_syscall(g, s),
					    s->count);
		else if (cover_decides(r, s))
			list = arena_printf(g->a, "%s%s%s for clone3", list, *list ? ", " : "", rule_syscall(g, s));
	}
	return list;
}

static int write_text(struct gen *g, FILE *out)
{
	const struct gen_options *o = g->o;
	const struct trace *t = g->t;
	size_t made = 0;   /* syscalls with calls (clone may only stand in for clone3) */
	for (size_t i = 0; i < t->syscalls.n; i++)
		made += ((const struct trace_sys *)t->syscalls.v[i])->count != 0;
	fprintf(out, "# Generated by `sysfence generate` on %s.\n", o->date);
	for (const char *p = o->source; p && *p;) {
		size_t n = strcspn(p, "\n");
		fprintf(out, "# %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	fprintf(out, "#\n# A starting point: it allows what the traced run did (%zu calls of %zu\n"
		     "# syscalls) and denies the rest with EPERM. Calls that failed in the\n"
		     "# trace are allowed all the same: the program saw the kernel's answer,\n"
		     "# and under the filter it gets that answer again. Review it before use.\n",
		t->calls, made);
	const struct ptrvec *chosen = &g->out->chosen;
	if (chosen->n)
		fputc('\n', out);
	for (size_t i = 0; i < chosen->n; i++) {
		const struct gen_ruleset *r = chosen->v[i];
		int dup = 0;
		for (size_t k = 0; k < i && !dup; k++)
			dup = strcmp(((const struct gen_ruleset *)chosen->v[k])->file, r->file) == 0;
		if (!dup)
			fprintf(out, "import \"stdlib/%s\";\n", r->file);
	}
	fprintf(out, "\npolicy %s {\n    default errno(EPERM);\n    arch %s;\n", o->name,
		arch_table[t->arch].name);
	for (size_t i = 0; i < chosen->n; i++) {
		const struct gen_ruleset *r = chosen->v[i];
		fputc('\n', out);
		comment_wrapped(out, "    ", arena_printf(g->a, "%s.%s (%zu of the %zu syscalls it allows seen): %s",
							  r->file, r->name, r->seen, r->allowed, covered_list(g, r)));
		fprintf(out, "    use %s.%s;\n", r->file, r->name);
	}
	const struct ptrvec *rules = &g->out->rules;
	if (rules->n)
		fputc('\n', out);
	for (size_t i = 0; i < rules->n; i++) {
		const struct gen_rule *r = rules->v[i];
		char *rule = arena_printf(g->a, "%s %s%s%s;", r->action, r->syscall,
					  r->cond ? " if " : "", r->cond ? r->cond : "");
		if (strlen(rule) + strlen(r->note) + 7 <= 80) {
			fprintf(out, "    %-*s # %s\n", (int)(strlen(rule) < 32 ? 32 : strlen(rule)), rule, r->note);
			continue;
		}
		comment_wrapped(out, "    ", r->note);
		/* A long condition: one comparison a line. */
		for (const char *p = rule; *p;) {
			const char *and = strlen(p) > 76 ? strstr(p + 1, " && ") : NULL;
			size_t n = and ? (size_t)(and - p) : strlen(p);
			fprintf(out, "%s%.*s\n", p == rule ? "    " : "        ", (int)n, p);
			p += n + (and ? 1 : 0);
		}
	}
	fprintf(out, "}\n");
	return ferror(out) ? -1 : 0;
}

/* ---- the check ---- */

/* Compiles TEXT (from a temporary file: imports resolve as they will from
 * the output) and checks every call of the trace. Returns 0; 1 when some
 * explicit rule must lose its condition (marked in force_plain); -1 after
 * an internal error. */
static int check_text(struct gen *g, const char *text)
{
	const char *dir = getenv("TMPDIR");
	char *path = arena_printf(g->a, "%s/sysfence-generate-XXXXXX.policy", dir && *dir ? dir : "/tmp");
	int fd = mkstemps(path, 7);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		diag_error(g->d, (struct loc){ 0 }, "cannot write a temporary file in %s", dir ? dir : "/tmp");
		if (fd >= 0)
			unlink(path);
		return -1;
	}
	struct compilation c;
	int rc = 0;
	if (compilation_run(&c, NULL, path, NULL, 0, stderr)) {
		diag_error(g->d, (struct loc){ 0 },
			   "internal error: the generated policy does not compile; it is kept in %s", path);
		compilation_free(&c);
		return -1;
	}
	for (size_t i = 0; i < g->t->syscalls.n; i++) {
		const struct trace_sys *s = g->t->syscalls.v[i];
		int own;
		if (cover_answers(&c.pb, g->t->arch, s, &own) == 1)
			continue;
		if (own && !g->force_plain[i]) {
			g->force_plain[i] = 1;
			rc = rc < 0 ? rc : 1;
		} else {
			diag_error(g->d, (struct loc){ 0 },
				   "internal error: the generated policy denies calls of '%s' that the trace shows; it is kept in %s",
				   s->name, path);
			rc = -1;
		}
	}
	compilation_free(&c);
	if (rc >= 0)
		unlink(path);
	return rc;
}

static int build_text(struct gen *g)
{
	g->out->rules.n = 0;
	for (size_t i = 0; i < g->t->syscalls.n; i++) {
		const struct trace_sys *s = g->t->syscalls.v[i];
		int decided = 0;
		for (size_t k = 0; k < g->out->chosen.n && !decided; k++)
			decided = cover_decides(g->out->chosen.v[k], s);
		if (!decided)
			explicit_rules(g, s, i);
	}
	qsort(g->out->rules.v, g->out->rules.n, sizeof(void *), by_syscall);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return -1;
	int rc = write_text(g, out);
	rc |= fclose(out) ? -1 : 0;
	g->out->text = text ? arena_strndup(g->a, text, len) : NULL;
	free(text);
	return rc || !g->out->text ? -1 : 0;
}

/* glibc's clone3 calls (pthread_create, posix_spawn) fall back to clone
 * with the same flags when clone3 fails with ENOSYS. clone's flags are in
 * a register, clone3's behind a pointer: so when the log showed every
 * clone3 call's flags, clone3 gets ENOSYS and clone those flags. */
static const struct trace_sys *plan_clone3(struct trace *t)
{
	struct trace_sys *c3 = NULL;
	for (size_t i = 0; i < t->syscalls.n; i++)
		if (strcmp(((struct trace_sys *)t->syscalls.v[i])->name, "clone3") == 0)
			c3 = t->syscalls.v[i];
	for (size_t i = 0; c3 && i < c3->vecs.n; i++)
		if (!((const struct trace_vec *)c3->vecs.v[i])->has_struct_flags)
			return NULL;
	struct trace_sys *cl = c3 ? trace_sys_get(t, "clone", c3->first) : NULL;
	int fl = cl && cl->desc ? syscall_arg_index(cl->desc, "flags") : -1;
	if (fl < 0)
		return NULL;
	c3->expect = SECCOMP_RET_ERRNO | ENOSYS;
	for (size_t i = 0; i < c3->vecs.n; i++) {
		const struct trace_vec *v = c3->vecs.v[i];
		struct trace_vec w = { .known = 1u << fl };
		w.args[fl] = v->struct_flags;
		trace_add_vec(t, cl, &w, v->count);
	}
	return c3;
}

int generate_policy(struct arena *a, struct diag *d, struct trace *t,
		    const struct gen_options *o, struct generated *out)
{
	memset(out, 0, sizeof(*out));
	if (t->syscalls.n == 0) {
		diag_error(d, (struct loc){ 0 }, "the trace shows no syscalls");
		return -1;
	}
	const struct trace_sys *clone3 = plan_clone3(t);
	struct gen g = { a, d, t, o, clone3, out, arena_alloc(a, t->syscalls.n) };
	struct ptrvec cands = { 0 };
	if (cover_load(a, d, t->arch, &cands))
		return -1;
	cover_choose(a, t, &cands, o->min_cover, &out->chosen);
	/* A condition that fails the check loses it; one more round at most
	 * for each rule. */
	for (int round = 0; round < 2; round++) {
		if (build_text(&g)) {
			diag_error(d, (struct loc){ 0 }, "out of memory");
			return -1;
		}
		int rc = check_text(&g, out->text);
		if (rc <= 0)
			return rc;
	}
	diag_error(d, (struct loc){ 0 }, "internal error: the generated policy still denies calls of the trace");
	return -1;
}
