/* `sysfence diff OLD NEW`: prints the changes diff_compare finds, as text
 * blocks or as JSON lines, and turns them into an exit status for CI:
 * 0 NEW allows nothing OLD did not, 1 it does, 2 no comparison (bad
 * input or usage). `diff --git REV FILE` compares FILE at REV with FILE
 * (git_tree.h). diff(1) uses the same three; the house rule "bad input
 * exits 1" gives way here because 1 must mean "needs review". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "tools/diff.h"
#include "tools/git_tree.h"
#include "tables/tables.h"

static void syscall_name(int arch, uint32_t nr, char *buf, size_t len)
{
	const struct syscall_desc *d = syscall_by_nr(arch, (int)nr);
	if (d)
		snprintf(buf, len, "%s", d->name);
	else
		snprintf(buf, len, "%u", nr);
}

/* Room for "argN". */
#define ARG_NAME_MAX 8

/* The name `sim` reads back as register REG: the signature's when it maps
 * to that register, else argN (written to BUF). */
static const char *arg_name(int arch, uint32_t nr, int reg, char buf[ARG_NAME_MAX])
{
	const struct syscall_desc *d = syscall_by_nr(arch, (int)nr);
	const char *name = syscall_reg_name(d, arch, reg);
	if (syscall_arg_index(d, name) == reg)
		return name;
	snprintf(buf, ARG_NAME_MAX, "arg%d", reg);
	return buf;
}

static void value_str(uint64_t v, char *buf, size_t len)
{
	if (v < 4096)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)v);
}

/* write(fd=2): the syscall with the arguments worth naming. */
static void witness_str(const struct diff_change *c, char *buf, size_t len)
{
	size_t n = 0;
	syscall_name(c->arch, c->nr, buf, len);
	n = strlen(buf);
	n += (size_t)snprintf(buf + n, len - n, "(");
	int first = 1;
	for (int arg = 0; arg < 6 && n < len; arg++) {
		if (!(c->shown & (1u << arg)))
			continue;
		char v[24], an[ARG_NAME_MAX];
		value_str(c->args[arg], v, sizeof(v));
		n += (size_t)snprintf(buf + n, len - n, "%s%s=%s", first ? "" : ", ",
				      arg_name(c->arch, c->nr, arg, an), v);
		first = 0;
	}
	if (n < len)
		snprintf(buf + n, len - n, ")");
}

/* The source line at LOC, without its indentation. */
static void line_text(struct loc loc, char *buf, size_t len)
{
	const char *p = loc.src->text;
	for (int line = 1; line < loc.line && *p; p++)
		if (*p == '\n')
			line++;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strcspn(p, "\n#");   /* without a trailing comment */
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
}

enum decided { BY_RULE, BY_DEFAULT, BY_ARCH, BY_FILTER };

static enum decided decided_how(const struct diff_side *s, const struct rule *r, int arch)
{
	if (s->is_bpf)
		return BY_FILTER;
	if (r)
		return BY_RULE;
	return s->c.pb.arch_mask & (1u << arch) ? BY_DEFAULT : BY_ARCH;
}

static void print_side(const char *label, const struct diff_side *s, uint32_t action, const struct rule *r,
		       int arch)
{
	char act[32], text[160];
	printf("  %s: %-14s ", label, bpf_action_str(action, act, sizeof(act)));
	switch (decided_how(s, r, arch)) {
	case BY_FILTER:
		printf("by the filter %s\n", s->file);
		return;
	case BY_ARCH:
		printf("(%s targets no %s)\n", s->file, arch_table[arch].name);
		return;
	case BY_DEFAULT:
		printf("default action, %s:%d\n", s->c.pb.default_loc.src->path, s->c.pb.default_loc.line);
		return;
	case BY_RULE:
		line_text(r->stmt->loc, text, sizeof(text));
		printf("%s:%d:%d: %s\n", r->stmt->loc.src->path, r->stmt->loc.line, r->stmt->loc.col, text);
		for (const struct use_chain *ch = r->chain; ch; ch = ch->outer)
			printf("  %*s  through: use %s%s%s at %s:%d:%d\n", (int)strlen(label), "",
			       ch->ref->qualifier ? ch->ref->qualifier : "", ch->ref->qualifier ? "." : "",
			       ch->ref->name, ch->ref->loc.src->path, ch->ref->loc.line, ch->ref->loc.col);
		return;
	}
}

/* The same statement reached through the same `use`s (rules are
 * expanded per syscall, so the pointers differ). */
static int same_rule(const struct rule *x, const struct rule *y)
{
	if (!x || !y)
		return x == y;
	if (x->stmt != y->stmt)
		return 0;
	const struct use_chain *p = x->chain, *q = y->chain;
	for (; p && q; p = p->outer, q = q->outer)
		if (p->ref != q->ref)
			return 0;
	return p == q;
}

/* Changes that do not depend on the arguments group by what changed and
 * why: a changed default, a new `use`, a whole .bpf. */
static int same_group(const struct diff_change *x, const struct diff_change *y)
{
	return x->uniform && y->uniform && x->arch == y->arch && x->kind == y->kind &&
	       x->old_action == y->old_action && x->new_action == y->new_action &&
	       same_rule(x->old_rule, y->old_rule) && same_rule(x->new_rule, y->new_rule);
}

#define GROUP_NAMED 12

static void print_text(const struct diff_side *old, const struct diff_side *new, const struct diff_result *r)
{
	char *done = mem_calloc(r->n + 1, 1);
	for (size_t i = 0; i < r->n; i++) {
		if (done[i])
			continue;
		const struct diff_change *c = &r->v[i];
		char w[512];
		size_t members = 0;
		for (size_t j = i; j < r->n; j++)
			members += j == i || (!done[j] && same_group(c, &r->v[j]));
		if (members > 1) {
			/* JSON lists every one; text names the first few. */
			printf("%s: %zu syscalls on %s:", diff_kind_name(c->kind), members, arch_table[c->arch].name);
			size_t named = 0;
			for (size_t j = i; j < r->n; j++)
				if (j == i || (!done[j] && same_group(c, &r->v[j]))) {
					syscall_name(c->arch, r->v[j].nr, w, sizeof(w));
					if (named++ < GROUP_NAMED)
						printf(" %s", w);
					done[j] = 1;
				}
			if (named > GROUP_NAMED)
				printf(" and %zu more", named - GROUP_NAMED);
			printf("\n");
		} else {
			syscall_name(c->arch, c->nr, w, sizeof(w));
			printf("%s: %s on %s\n", diff_kind_name(c->kind), w, arch_table[c->arch].name);
			witness_str(c, w, sizeof(w));
			printf("  witness: %s\n", w);
		}
		print_side("old", old, c->old_action, c->old_rule, c->arch);
		print_side("new", new, c->new_action, c->new_rule, c->arch);
		printf("\n");
	}
	free(done);
}

/* ---- JSON ---- */

static void json_side(const struct diff_side *s, uint32_t action, const struct rule *r, int arch)
{
	static const char *const how[] = { [BY_RULE] = "rule", [BY_DEFAULT] = "default",
					   [BY_ARCH] = "arch", [BY_FILTER] = "filter" };
	char act[32], text[160];
	enum decided d = decided_how(s, r, arch);
	printf("{\"action\":");
	json_write_string(stdout, bpf_action_str(action, act, sizeof(act)));
	printf(",\"allows\":%s,\"decided_by\":\"%s\",\"file\":", diff_allows(action) ? "true" : "false", how[d]);
	if (d == BY_RULE) {
		json_write_string(stdout, r->stmt->loc.src->path);
		line_text(r->stmt->loc, text, sizeof(text));
		printf(",\"line\":%d,\"col\":%d,\"text\":", r->stmt->loc.line, r->stmt->loc.col);
		json_write_string(stdout, text);
	} else if (d == BY_DEFAULT) {
		json_write_string(stdout, s->c.pb.default_loc.src->path);
		printf(",\"line\":%d", s->c.pb.default_loc.line);
	} else {
		json_write_string(stdout, s->file);
	}
	printf("}");
}

static void print_json(const struct diff_side *old, const struct diff_side *new, const struct diff_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_change *c = &r->v[i];
		char name[64], w[512];
		syscall_name(c->arch, c->nr, name, sizeof(name));
		witness_str(c, w, sizeof(w));
		printf("{\"kind\":\"%s\",\"arch\":\"%s\",\"syscall\":", diff_kind_name(c->kind),
		       arch_table[c->arch].name);
		json_write_string(stdout, name);
		printf(",\"nr\":%u,\"witness\":", c->nr);
		json_write_string(stdout, w);
		printf(",\"args\":{");
		int first = 1;
		for (int arg = 0; arg < 6; arg++)
			if (c->shown & (1u << arg)) {
				char an[ARG_NAME_MAX];
				printf("%s", first ? "" : ",");
				json_write_string(stdout, arg_name(c->arch, c->nr, arg, an));
				printf(":%llu", (unsigned long long)c->args[arg]);
				first = 0;
			}
		printf("},\"regs\":[");
		for (int arg = 0; arg < 6; arg++)
			printf("%s%llu", arg ? "," : "", (unsigned long long)c->args[arg]);
		printf("],\"old\":");
		json_side(old, c->old_action, c->old_rule, c->arch);
		printf(",\"new\":");
		json_side(new, c->new_action, c->new_rule, c->arch);
		printf("}\n");
	}
}

/* ---- summary ---- */

/* Every syscall was decided, none compared on a sample (both sources:
 * the cells; a .bpf side: the exact engine, see diff_exact.c). */
static int exact(const struct diff_result *r)
{
	return r->nsampled == 0 && !r->numbers_open;
}

static void print_json_summary(const struct diff_result *r)
{
	char name[64];
	printf("{\"summary\":true,\"changes\":%zu,\"unlisted\":%zu,\"widens\":%s,\"exact\":%s,\"syscalls\":%zu,"
	       "\"vectors\":%zu,\"sampled\":[",
	       r->n, r->unlisted, r->widens ? "true" : "false", exact(r) ? "true" : "false", r->syscalls, r->vectors);
	for (size_t i = 0; i < r->nsampled; i++) {
		syscall_name(r->sampled[i].arch, r->sampled[i].nr, name, sizeof(name));
		printf("%s{\"arch\":\"%s\",\"syscall\":", i ? "," : "", arch_table[r->sampled[i].arch].name);
		json_write_string(stdout, name);
		printf("}");
	}
	printf("]");
	if (r->inexact_why[0]) {
		printf(",\"inexact_why\":");
		json_write_string(stdout, r->inexact_why);
	}
	printf("}\n");
}

static void print_summary(const struct diff_result *r, int json)
{
	char name[64];
	if (json) {
		print_json_summary(r);
		return;
	}
	if (r->n)
		printf("%zu change%s; NEW %s\n", r->n, r->n == 1 ? "" : "s",
		       r->widens ? "allows something OLD did not" : "allows nothing OLD did not");
	else if (exact(r))
		printf("no difference (exact: %zu syscalls)\n", r->syscalls);
	else
		printf("no difference found among %zu argument vectors over %zu syscalls\n", r->vectors, r->syscalls);
	if (r->unlisted)
		printf("more changes (found on %zu vectors) on syscalls listed above are not shown\n", r->unlisted);
	if (r->n && exact(r))
		printf("the comparison is exact: there are no other differences\n");
	if (r->inexact_why[0])
		printf("the exact comparison gave up (%s): %s, so differences elsewhere may exist\n", r->inexact_why,
		       r->nsampled ? "the syscalls below were searched instead" : "numbers not listed were not compared");
	if (r->nsampled) {
		printf("compared on a sample only:");
		for (size_t i = 0; i < r->nsampled; i++) {
			syscall_name(r->sampled[i].arch, r->sampled[i].nr, name, sizeof(name));
			printf(" %s/%s", arch_table[r->sampled[i].arch].name, name);
		}
		printf("\n");
	}
}

int diff_cmd(const struct diff_request *req)
{
	struct diff_side old, new;
	int rc = 2;
	if (diff_side_open(&old, req, req->old_file) == 0) {
		if (diff_side_open(&new, req, req->new_file) == 0) {
			struct diff_result r;
			diff_compare(&old, &new, req->arch_mask, &r);
			if (req->json)
				print_json(&old, &new, &r);
			else
				print_text(&old, &new, &r);
			print_summary(&r, req->json);
			rc = r.widens ? 1 : 0;
			diff_result_free(&r);
		}
		diff_side_close(&new);
	}
	diff_side_close(&old);
	return rc;
}

/* diff --git REV FILE: OLD is FILE at REV, with the policies of REV. */
static int diff_git(struct cli *cli, const struct cli_opts *o)
{
	struct git_tree t;
	int status = 2;
	if (git_tree_open(&t, &cli->diag, o->git_rev, o->files[0]) == 0) {
		struct diff_request req = { &o->unit, t.file, o->files[0], o->policy, o->arch_mask,
					    o->json };
		status = diff_cmd(&req);
	}
	git_tree_close(&t);
	return status;
}

int cmd_diff(struct cli *cli, int argc, char **argv)
{
	struct cli_opts o;
	int status;
	if (cli_options_parse(cli, argc, argv, &o, &status) == 0) {
		struct diff_request req = { &o.unit, o.nfiles == 2 ? o.files[0] : NULL,
					    o.nfiles == 2 ? o.files[1] : NULL, o.policy, o.arch_mask, o.json };
		if (o.dfmt == DIAG_SARIF || o.dfmt == DIAG_GITHUB)
			status = cli_usage_error(cli, NULL);
		else if (o.git_rev)
			status = o.nfiles == 1 ? diff_git(cli, &o) : cli_usage_error(cli, NULL);
		else
			status = req.old_file ? diff_cmd(&req) : cli_usage_error(cli, NULL);
	}
	cli_options_free(&o);
	return status;
}
