#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/compilation.h"
#include "tools/sim.h"
#include "tables/tables.h"

/* ---- argument values: numbers, constants and | & ^ + - ~ ---- */

struct vparse {
	const char *p;
	int arch;
	const char *err;
};

static uint64_t v_or(struct vparse *v);

static void skip_space(struct vparse *v)
{
	while (isspace((unsigned char)*v->p))
		v->p++;
}

static uint64_t v_primary(struct vparse *v)
{
	skip_space(v);
	if (*v->p == '(') {
		v->p++;
		uint64_t x = v_or(v);
		skip_space(v);
		if (*v->p++ != ')')
			v->err = "missing ')'";
		return x;
	}
	if (isdigit((unsigned char)*v->p)) {
		int base = 10;
		const char *s = v->p;
		if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
			base = 8, s += 2;
		else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
			base = 2, s += 2;
		else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
			base = 16, s += 2;
		char *end;
		errno = 0;
		uint64_t x = strtoull(s, &end, base);
		if (errno || end == s)
			v->err = "bad number";
		v->p = end;
		return x;
	}
	if (isalpha((unsigned char)*v->p) || *v->p == '_') {
		char name[64];
		size_t n = 0;
		while ((isalnum((unsigned char)*v->p) || *v->p == '_') && n + 1 < sizeof(name))
			name[n++] = *v->p++;
		name[n] = '\0';
		const struct constant_desc *c = constant_find(name);
		if (!c || !(c->present & (1u << v->arch))) {
			v->err = "unknown constant";
			return 0;
		}
		return (uint64_t)c->value[v->arch];
	}
	v->err = "expected a number or a constant";
	return 0;
}

static uint64_t v_unary(struct vparse *v)
{
	skip_space(v);
	if (*v->p == '-') {
		v->p++;
		return (uint64_t)0 - v_unary(v);
	}
	if (*v->p == '~') {
		v->p++;
		return ~v_unary(v);
	}
	return v_primary(v);
}

/* One precedence level: operands joined by any of OPS. */
static uint64_t v_level(struct vparse *v, const char *ops, uint64_t (*next)(struct vparse *))
{
	uint64_t x = next(v);
	for (;;) {
		skip_space(v);
		char op = *v->p;
		if (!op || !strchr(ops, op) || v->err)
			return x;
		v->p++;
		uint64_t y = next(v);
		switch (op) {
		case '|': x |= y; break;
		case '^': x ^= y; break;
		case '&': x &= y; break;
		case '+': x += y; break;
		case '-': x -= y; break;
		}
	}
}

static uint64_t v_add(struct vparse *v) { return v_level(v, "+-", v_unary); }
static uint64_t v_and(struct vparse *v) { return v_level(v, "&", v_add); }
static uint64_t v_xor(struct vparse *v) { return v_level(v, "^", v_and); }
static uint64_t v_or(struct vparse *v) { return v_level(v, "|", v_xor); }

static int parse_value(const char *text, int arch, uint64_t *out)
{
	struct vparse v = { text, arch, NULL };
	*out = v_or(&v);
	skip_space(&v);
	if (!v.err && *v.p)
		v.err = "unexpected text";
	if (v.err) {
		fprintf(stderr, "sysfence: error: cannot read the value '%s' for %s: %s\n", text,
			arch_table[arch].name, v.err);
		return -1;
	}
	return 0;
}

/* ---- the filter ---- */

int is_bpf_file(const char *path)
{
	size_t n = strlen(path);
	if (n > 4 && strcmp(path + n - 4, ".bpf") == 0)
		return 1;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	unsigned char buf[512];
	size_t got = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return memchr(buf, 0, got) != NULL;
}

struct sock_filter *read_bpf(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "sysfence: error: cannot read '%s': %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = BPF_MAX_INSNS + 1;
	struct sock_filter *p = calloc(cap, sizeof(*p));
	size_t bytes = p ? fread(p, 1, cap * sizeof(*p), f) : 0;
	fclose(f);
	char why[128];
	if (!p || bytes % sizeof(*p) || bpf_check(p, bytes / sizeof(*p), why, sizeof(why))) {
		fprintf(stderr, "sysfence: error: '%s' is not a valid seccomp filter: %s\n", path,
			!p ? "out of memory" : bytes % sizeof(*p) ? "its size is not a multiple of 8" : why);
		free(p);
		return NULL;
	}
	*len = bytes / sizeof(*p);
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

static int fill_args(const struct sim_request *req, int arch, const struct syscall_desc *d,
		     uint64_t args[6])
{
	int next = 0;
	for (int i = 0; i < req->nargs; i++) {
		char *eq = strchr(req->args[i], '=');
		int index = next;
		const char *text = req->args[i];
		if (eq) {
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)(eq - req->args[i]), req->args[i]);
			index = syscall_arg_index(d, name);
			if (index < 0) {
				fprintf(stderr, "sysfence: error: '%s' has no argument '%s'\n", req->syscall, name);
				return -1;
			}
			/* as in a policy: named (and argN) parameters, in registers */
			index = syscall_param_reg(d, arch, index);
			text = eq + 1;
		}
		if (index > 5) {
			fprintf(stderr, "sysfence: error: too many arguments\n");
			return -1;
		}
		if (parse_value(text, arch, &args[index]))
			return -1;
		next = index + 1;
	}
	return 0;
}

static void explain(const struct compilation *c, int arch, uint32_t nr, const uint64_t args[6])
{
	const struct rule *r;
	uint32_t ref = policy_eval_rule(&c->pb, arch_table[arch].audit_arch, nr, args, &r);
	char buf[32];
	if (r) {
		printf("decided by: %s:%d:%d (%s %s%s)\n", r->stmt->loc.src->path, r->stmt->loc.line,
		       r->stmt->loc.col, bpf_action_str(r->action, buf, sizeof(buf)),
		       r->sys->name ? r->sys->name : "", r->cond ? " if ..." : "");
		for (const struct use_chain *ch = r->chain; ch; ch = ch->outer)
			printf("  through: use %s%s%s at %s:%d:%d\n", ch->ref->qualifier ? ch->ref->qualifier : "",
			       ch->ref->qualifier ? "." : "", ch->ref->name, ch->ref->loc.src->path,
			       ch->ref->loc.line, ch->ref->loc.col);
	} else if (ref == c->pb.default_action) {
		printf("decided by: the default action (%s:%d)\n", c->pb.default_loc.src->path,
		       c->pb.default_loc.line);
	}
}

int sim_run(const struct sim_request *req)
{
	struct compilation c;
	int have_policy = !is_bpf_file(req->file);
	struct sock_filter *insns = NULL;
	size_t len = 0;
	unsigned mask = req->arch_mask;
	int rc = 1;
	if (have_policy) {
		if (compilation_run(&c, req->opts, req->file, req->policy, mask, stderr)) {
			compilation_free(&c);
			return 1;
		}
		insns = c.filter.insns;
		len = c.filter.len;
		if (!mask)
			mask = c.pb.arch_mask;
	} else {
		insns = read_bpf(req->file, &len);
		if (!insns)
			return 1;
	}
	int arch = pick_arch(mask);
	const struct syscall_desc *d = NULL;
	char *end;
	long nr = strtol(req->syscall, &end, 0);
	if (*end) {
		d = syscall_find(req->syscall);
		nr = d ? d->nr[arch] : -1;
		if (nr < 0) {
			fprintf(stderr, "sysfence: error: no syscall '%s' on %s\n", req->syscall,
				arch_table[arch].name);
			goto out;
		}
	} else {
		d = syscall_by_nr(arch, (int)nr);
	}
	struct seccomp_data data = { .nr = (int)nr, .arch = arch_table[arch].audit_arch };
	if (fill_args(req, arch, d, (uint64_t *)data.args))
		goto out;
	uint32_t ret;
	size_t steps;
	if (bpf_run(insns, len, &data, &ret, &steps)) {
		fprintf(stderr, "sysfence: error: the filter is not valid BPF\n");
		goto out;
	}
	char buf[32];
	printf("arch: %s\nsyscall: %s (%ld)\n", arch_table[arch].name, d ? d->name : "?", nr);
	printf("action: %s\npath: %zu instructions\n", bpf_action_str(ret, buf, sizeof(buf)), steps);
	rc = 0;
	if (have_policy) {
		explain(&c, arch, (uint32_t)nr, (uint64_t *)data.args);
		if (policy_eval(&c.pb, data.arch, (uint32_t)nr, (uint64_t *)data.args) != ret) {
			fprintf(stderr, "sysfence: internal error: the filter and the policy disagree\n");
			rc = 3;
		}
	}
out:
	if (have_policy)
		compilation_free(&c);
	else
		free(insns);
	return rc;
}
