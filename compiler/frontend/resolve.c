/* Name resolution: binds every name a file uses to what it means.
 *
 *  - `use` names  -> rulesets of this file or of an import (by alias or stem)
 *  - expression names -> consts of this file, else the constant table
 *  - syscall names -> the syscall table; argument names -> the syscall's
 *    signature (kernel or man-page spelling) or arg0..arg5
 *  - arch names, and `default`/`arch` only inside a policy
 * It also rejects duplicate definitions and `use` cycles. Values are not
 * computed here: constants differ per arch, so evaluation belongs to the
 * per-arch expansion. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/lint_ids.h"
#include "tables/tables.h"
#include "frontend/unit.h"

static void duplicate(struct unit *u, struct loc at, const char *what, const char *name,
		      struct loc prev)
{
	diag_error(u->diag, at, "%s '%s' is defined twice", what, name);
	diag_note(u->diag, prev, "first defined here");
}

/* Indexes F's rulesets and consts by name; the first of a name keeps it,
 * as a scan in order would find it. Every file is indexed before any is
 * resolved, since names are looked up in imported files too. */
static void index_names(struct unit *u, struct policy_file *f)
{
	names_init(u->arena, &f->ruleset_index, f->rulesets.n);
	for (size_t i = 0; i < f->rulesets.n; i++) {
		struct ruleset *rs = f->rulesets.v[i];
		names_add(&f->ruleset_index, rs->name, rs);
	}
	names_init(u->arena, &f->const_index, f->consts.n);
	for (size_t i = 0; i < f->consts.n; i++) {
		struct const_decl *c = f->consts.v[i];
		names_add(&f->const_index, c->name, c);
	}
}

/* Reports every ruleset and const of F whose name an earlier one has. */
static void check_duplicates(struct unit *u, struct policy_file *f)
{
	for (size_t i = 0; i < f->rulesets.n; i++) {
		struct ruleset *a = f->rulesets.v[i];
		const struct ruleset *b = names_find(&f->ruleset_index, a->name);
		if (b != a)
			duplicate(u, a->loc, a->is_policy ? "policy" : "ruleset", a->name, b->loc);
	}
	for (size_t i = 0; i < f->consts.n; i++) {
		struct const_decl *a = f->consts.v[i];
		const struct const_decl *b = names_find(&f->const_index, a->name);
		if (b != a)
			duplicate(u, a->loc, "const", a->name, b->loc);
	}
	for (size_t i = 0; i < f->imports.n; i++) {
		struct import *a = f->imports.v[i];
		if (!a->target)
			continue;
		const char *an = a->alias ? a->alias : a->target->stem;
		for (size_t j = 0; j < i; j++) {
			struct import *b = f->imports.v[j];
			if (!b->target)
				continue;
			const char *bn = b->alias ? b->alias : b->target->stem;
			if (strcmp(an, bn) == 0) {
				diag_error(u->diag, a->loc, "two imports are both named '%s'", an);
				diag_note(u->diag, b->loc, "the other one is here; give one a name with 'as'");
				break;
			}
		}
	}
}

/* ---- expressions ---- */

static struct const_decl *find_const(struct policy_file *f, const char *name)
{
	return names_find(&f->const_index, name);
}

static void unknown_name(struct unit *u, struct policy_file *f, struct expr *e)
{
	struct suggest s;
	suggest_init(&s, e->name);
	for (size_t i = 0; i < f->consts.n; i++)
		suggest_offer(&s, ((struct const_decl *)f->consts.v[i])->name);
	for (size_t i = 0; i < constant_count(); i++)
		suggest_offer(&s, constant_at(i)->name);
	const char *best = suggest_result(&s);
	if (best)
		diag_error(u->diag, e->loc, "unknown constant '%s'; did you mean '%s'?", e->name, best);
	else
		diag_error(u->diag, e->loc, "unknown constant '%s'", e->name);
}

/* Returns -1 when a name is unknown (diagnosed), else 0. */
static int resolve_expr(struct unit *u, struct policy_file *f, struct expr *e)
{
	if (!e)
		return 0;
	switch (e->kind) {
	case EXPR_NUM:
		return 0;
	case EXPR_NAME:
		e->decl = find_const(f, e->name);
		if (!e->decl)
			e->constant = constant_find(e->name);
		if (e->decl || e->constant)
			return 0;
		unknown_name(u, f, e);
		return -1;
	case EXPR_UNARY:
		return resolve_expr(u, f, e->lhs);
	case EXPR_BINARY: {
		/* both sides, left first, so that each unknown name is reported */
		int lhs = resolve_expr(u, f, e->lhs);
		int rhs = resolve_expr(u, f, e->rhs);
		return lhs | rhs;
	}
	}
	return 0;
}

int unit_resolve_expr(struct unit *u, struct policy_file *f, struct expr *e)
{
	/* No file: only the table's constants, as in an empty policy. */
	struct policy_file none = { 0 };
	return resolve_expr(u, f ? f : &none, e);
}

/* ---- syscalls and their arguments ---- */

static void resolve_syscall(struct unit *u, struct syscall_ref *s)
{
	if (!s->name) {
		/* A raw number: it means the same number on every arch. */
		if (s->number > 0x7fffffff) {
			diag_error(u->diag, s->loc, "syscall number %llu is out of range",
				   (unsigned long long)s->number);
		}
		return;
	}
	s->desc = syscall_find(s->name);
	if (s->desc)
		return;
	struct suggest sg;
	suggest_init(&sg, s->name);
	for (size_t i = 0; i < syscall_count(); i++)
		suggest_offer(&sg, syscall_at(i)->name);
	const char *best = suggest_result(&sg);
	if (best)
		diag_error(u->diag, s->loc, "unknown syscall '%s'; did you mean '%s'?", s->name, best);
	else
		diag_error(u->diag, s->loc, "unknown syscall '%s'", s->name);
}

/* Index of argument NAME of syscall S, or -1. argN always works for
 * syscalls without a known signature; with one, N must exist. */
int syscall_arg_index(const struct syscall_desc *s, const char *name)
{
	/* A parameter's own name comes first: prctl's second parameter is
	 * called arg2 in the kernel and the man page. */
	for (int i = 0; s && i < s->nparams; i++) {
		const struct syscall_param *p = &s->params[i];
		if (strcmp(p->name, name) == 0 || (p->alias && strcmp(p->alias, name) == 0))
			return i;
	}
	if (strncmp(name, "arg", 3) == 0 && name[3] >= '0' && name[3] <= '5' && !name[4]) {
		int i = name[3] - '0';
		if (!s || !s->has_signature || i < s->nparams)
			return i;
		return -1;
	}
	return -1;
}

static void bad_arg(struct unit *u, const struct syscall_ref *s, const struct cond *c)
{
	const char *sys = s->name ? s->name : "this syscall";
	if (!s->desc || !s->desc->has_signature) {
		diag_error(u->diag, c->arg_loc,
			   "argument '%s' is unknown for '%s', whose signature is not known; name arguments arg0 to arg5",
			   c->arg, sys);
		return;
	}
	char list[512];
	size_t n = 0;
	list[0] = '\0';
	struct suggest sg;
	suggest_init(&sg, c->arg);
	for (int i = 0; i < s->desc->nparams && n < sizeof(list); i++) {
		const struct syscall_param *p = &s->desc->params[i];
		const char *shown = p->alias ? p->alias : p->name;
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", shown);
		suggest_offer(&sg, p->name);
		if (p->alias)
			suggest_offer(&sg, p->alias);
	}
	if (s->desc->nparams == 0)
		diag_error(u->diag, c->arg_loc, "'%s' takes no arguments, so it has no argument '%s'",
			   sys, c->arg);
	else if (suggest_result(&sg))
		diag_error(u->diag, c->arg_loc,
			   "'%s' has no argument '%s'; did you mean '%s'? its arguments are: %s",
			   sys, c->arg, suggest_result(&sg), list);
	else
		diag_error(u->diag, c->arg_loc, "'%s' has no argument '%s'; its arguments are: %s",
			   sys, c->arg, list);
}

static void resolve_cond(struct unit *u, struct policy_file *f, struct stmt *st, struct cond *c)
{
	if (!c)
		return;
	if (c->kind != COND_CMP) {
		resolve_cond(u, f, st, c->lhs);
		resolve_cond(u, f, st, c->rhs);
		return;
	}
	for (size_t i = 0; i < st->nsyscalls; i++) {
		struct syscall_ref *s = &st->syscalls[i];
		if (s->name && !s->desc)
			continue;   /* already reported as unknown */
		if (syscall_arg_index(s->desc, c->arg) < 0) {
			bad_arg(u, s, c);
			break;
		}
	}
	resolve_expr(u, f, c->mask);
	resolve_expr(u, f, c->value);
	for (size_t i = 0; i < c->set.n; i++)
		resolve_expr(u, f, c->set.v[i]);
}

/* ---- rulesets ---- */

static struct policy_file *find_import_file(struct policy_file *f, const char *name,
					    int *unresolved)
{
	for (size_t i = 0; i < f->imports.n; i++) {
		struct import *im = f->imports.v[i];
		if (!im->target) {
			if ((im->alias && strcmp(im->alias, name) == 0))
				*unresolved = 1;
			continue;
		}
		const char *n = im->alias ? im->alias : im->target->stem;
		if (strcmp(n, name) == 0)
			return im->target;
	}
	return NULL;
}

static struct ruleset *find_ruleset(struct policy_file *f, const char *name)
{
	return names_find(&f->ruleset_index, name);
}

static void resolve_use(struct unit *u, struct policy_file *f, struct ruleset *rs,
			struct name_ref *n)
{
	struct policy_file *in = f;
	if (n->qualifier) {
		int unresolved = 0;
		in = find_import_file(f, n->qualifier, &unresolved);
		if (!in) {
			if (!unresolved)
				diag_error(u->diag, n->loc, "no import named '%s'", n->qualifier);
			return;
		}
	}
	n->target = find_ruleset(in, n->name);
	if (n->target && n->target->is_policy) {
		struct quiet *scope[] = { n->stmt->quiet, rs->quiet, NULL };
		diag_warning_id(u->diag, n->stmt->quiet ? scope : scope + 1, n->loc, "use-of-policy",
				"'%s' is a policy: 'use' takes its rules, not its 'default' or 'arch'",
				n->name);
	}
	if (n->target)
		return;
	struct suggest sg;
	suggest_init(&sg, n->name);
	for (size_t i = 0; i < in->rulesets.n; i++)
		suggest_offer(&sg, ((struct ruleset *)in->rulesets.v[i])->name);
	const char *best = suggest_result(&sg);
	const char *where = n->qualifier ? in->path : "this file";
	if (best)
		diag_error(u->diag, n->loc, "no ruleset '%s' in %s; did you mean '%s'?",
			   n->name, where, best);
	else
		diag_error(u->diag, n->loc, "no ruleset '%s' in %s", n->name, where);
}

static void resolve_action(struct unit *u, struct policy_file *f, struct action *a)
{
	resolve_expr(u, f, a->arg);
}

static void resolve_arch(struct unit *u, struct arch_ref *a)
{
	a->arch = arch_by_name(a->name);
	if (a->arch >= 0)
		return;
	struct suggest sg;
	suggest_init(&sg, a->name);
	for (int i = 0; i < ARCH_COUNT; i++)
		suggest_offer(&sg, arch_table[i].name);
	const char *best = suggest_result(&sg);
	if (best)
		diag_error(u->diag, a->loc, "unknown arch '%s'; did you mean '%s'?", a->name, best);
	else
		diag_error(u->diag, a->loc, "unknown arch '%s'; known arches are x86_64, x86, x32, aarch64",
			   a->name);
}

static void resolve_ruleset(struct unit *u, struct policy_file *f, struct ruleset *rs)
{
	struct stmt *seen_default = NULL, *seen_arch = NULL;
	for (size_t i = 0; i < rs->stmts.n; i++) {
		struct stmt *st = rs->stmts.v[i];
		switch (st->kind) {
		case STMT_USE:
			for (size_t j = 0; j < st->nuses; j++)
				resolve_use(u, f, rs, &st->uses[j]);
			break;
		case STMT_RULE:
			resolve_action(u, f, &st->action);
			for (size_t j = 0; j < st->nsyscalls; j++)
				resolve_syscall(u, &st->syscalls[j]);
			resolve_cond(u, f, st, st->cond);
			if (st->override && !rs->is_policy)
				diag_error(u->diag, st->loc,
					   "'override' is only allowed in a policy, not in ruleset '%s'",
					   rs->name);
			break;
		case STMT_DEFAULT:
			resolve_action(u, f, &st->action);
			if (!rs->is_policy) {
				diag_error(u->diag, st->loc,
					   "'default' is only allowed in a policy, not in ruleset '%s'",
					   rs->name);
			} else if (seen_default) {
				diag_error(u->diag, st->loc, "policy '%s' has two 'default' actions", rs->name);
				diag_note(u->diag, seen_default->loc, "the first one is here");
			}
			seen_default = st;
			break;
		case STMT_ARCH:
			for (size_t j = 0; j < st->narches; j++)
				resolve_arch(u, &st->arches[j]);
			if (!rs->is_policy) {
				diag_error(u->diag, st->loc,
					   "'arch' is only allowed in a policy, not in ruleset '%s'",
					   rs->name);
			} else if (seen_arch) {
				diag_error(u->diag, st->loc, "policy '%s' has two 'arch' lists", rs->name);
				diag_note(u->diag, seen_arch->loc, "the first one is here");
			}
			seen_arch = st;
			break;
		}
	}
}

/* ---- use cycles ---- */

struct use_frame {
	const struct name_ref *ref;
	const struct use_frame *up;
};

static void check_cycles(struct unit *u, struct ruleset *rs, const struct use_frame *up)
{
	if (rs->visit == 2)
		return;
	if (rs->visit == 1) {
		char chain[2048];
		size_t n = (size_t)snprintf(chain, sizeof(chain), "%s", rs->name);
		const struct use_frame *fr;
		const struct use_frame *order[64];
		size_t k = 0;
		for (fr = up; fr && k < 64; fr = fr->up) {
			order[k++] = fr;
			if (fr->up && fr->up->ref->target == rs)
				break;   /* fr->up is where RS was entered */
		}
		/* order[k-1] enters RS; print from there down to the use that closes it */
		for (size_t i = k; i-- > 0 && n < sizeof(chain);)
			n += (size_t)snprintf(chain + n, sizeof(chain) - n, " -> %s",
					      order[i]->ref->target->name);
		diag_error(u->diag, up->ref->loc, "ruleset '%s' uses itself: %s", rs->name, chain);
		for (size_t i = k; i-- > 1;)
			diag_note(u->diag, order[i]->ref->loc, "'%s' used from here",
				  order[i]->ref->target->name);
		return;
	}
	rs->visit = 1;
	for (size_t i = 0; i < rs->stmts.n; i++) {
		struct stmt *st = rs->stmts.v[i];
		if (st->kind != STMT_USE)
			continue;
		for (size_t j = 0; j < st->nuses; j++) {
			if (!st->uses[j].target)
				continue;
			struct use_frame fr = { &st->uses[j], up };
			check_cycles(u, st->uses[j].target, &fr);
		}
	}
	rs->visit = 2;
}

/* ---- const cycles ----
 * Found here, on the names alone, so that a cycle is reported even when no
 * rule uses the const (evaluation, per arch, only sees what is used). */

struct const_frame {
	const struct const_decl *c;
	const struct const_frame *up;
};

static void const_refs(struct unit *u, struct const_decl *c, const struct expr *e,
		       const struct const_frame *up);

static void visit_const(struct unit *u, struct const_decl *c, struct loc use,
			const struct const_frame *up)
{
	if (c->visit == 2)
		return;
	if (c->visit == 1) {
		char chain[1024];
		size_t n = (size_t)snprintf(chain, sizeof(chain), "%s", c->name);
		const struct const_frame *fr;
		const struct const_frame *order[64];
		size_t k = 0;
		for (fr = up; fr && k < 64; fr = fr->up) {
			order[k++] = fr;
			if (fr->c == c)
				break;
		}
		for (size_t i = k - 1; i-- > 0 && n < sizeof(chain);)
			n += (size_t)snprintf(chain + n, sizeof(chain) - n, " -> %s", order[i]->c->name);
		if (n < sizeof(chain))
			snprintf(chain + n, sizeof(chain) - n, " -> %s", c->name);
		diag_error(u->diag, use, "const '%s' is defined in terms of itself: %s", c->name, chain);
		diag_note(u->diag, c->loc, "'%s' is defined here", c->name);
		c->failed = 1;
		return;
	}
	c->visit = 1;
	struct const_frame fr = { c, up };
	const_refs(u, c, c->override_value ? c->override_value : c->value, &fr);
	c->visit = 2;
}

static void const_refs(struct unit *u, struct const_decl *c, const struct expr *e,
		       const struct const_frame *up)
{
	if (!e)
		return;
	if (e->kind == EXPR_NAME && e->decl)
		visit_const(u, e->decl, e->loc, up);
	const_refs(u, c, e->lhs, up);
	const_refs(u, c, e->rhs, up);
}

/* ---- -D ---- */

/* An integer from the command line as an expression: a leading '-' makes
 * it the negation of the literal after it, as in the source, so that
 * constant arithmetic reads it as a negative number. Returns 0, or -1
 * when it is no integer (*RANGE set when it is one that does not fit in
 * 64 bits, as strtoull says). */
static int define_integer(struct unit *u, const char *text, struct loc at, struct expr *e,
			  int *range)
{
	const char *digits = text[0] == '-' ? text + 1 : text;
	char *end;
	*range = 0;
	if (!*digits || *digits == '-' || *digits == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(digits, &end, 0);
	if (*end)
		return -1;
	if (errno == ERANGE || (digits != text && v > (1ull << 63))) {
		*range = 1;
		return -1;
	}
	*e = (struct expr){ .kind = EXPR_NUM, .loc = at, .depth = 1, .num = v };
	if (digits == text)
		return 0;
	struct expr *lit = arena_alloc(u->arena, sizeof(*lit));
	*lit = *e;
	*e = (struct expr){ .kind = EXPR_UNARY, .loc = at, .op_loc = at, .depth = 2, .op = '-',
			    .lhs = lit };
	return 0;
}

/* The expression for -D NAME=VALUE, or NULL (diagnosed). */
static struct expr *define_value(struct unit *u, const struct define *d, struct loc at)
{
	struct expr *e = arena_alloc(u->arena, sizeof(*e));
	int range;
	if (define_integer(u, d->value, at, e, &range) == 0)
		return e;
	if (range) {
		/* the message a literal in the source gets */
		diag_error(u->diag, (struct loc){ 0 },
			   "-D %s=%s: integer literal '%s' does not fit in 64 bits",
			   d->name, d->value, d->value);
		return NULL;
	}
	*e = (struct expr){ .kind = EXPR_NAME, .loc = at, .depth = 1, .name = d->value };
	if ((e->constant = constant_find(d->value)) != NULL)
		return e;
	diag_error(u->diag, (struct loc){ 0 },
		   "-D %s=%s: the value must be an integer or a known constant", d->name, d->value);
	return NULL;
}

static void apply_defines(struct unit *u)
{
	for (size_t i = 0; i < u->opts->ndefines; i++) {
		const struct define *d = &u->opts->defines[i];
		int found = 0;
		for (size_t k = 0; k < u->files.n; k++) {
			struct const_decl *c = find_const(u->files.v[k], d->name);
			if (!c)
				continue;
			found = 1;
			struct expr *e = define_value(u, d, c->loc);
			if (e)
				c->override_value = e;
		}
		if (!found)
			diag_error(u->diag, (struct loc){ 0 }, "-D %s: no const named '%s' in the policy",
				   d->name, d->name);
	}
}

void unit_resolve(struct unit *u)
{
	for (size_t i = 0; i < u->files.n; i++)
		index_names(u, u->files.v[i]);
	for (size_t i = 0; i < u->files.n; i++) {
		struct policy_file *f = u->files.v[i];
		check_duplicates(u, f);
		for (size_t j = 0; j < f->consts.n; j++) {
			struct const_decl *c = f->consts.v[j];
			resolve_expr(u, f, c->value);
		}
		for (size_t j = 0; j < f->rulesets.n; j++)
			resolve_ruleset(u, f, f->rulesets.v[j]);
	}
	for (size_t i = 0; i < u->files.n; i++) {
		struct policy_file *f = u->files.v[i];
		for (size_t j = 0; j < f->rulesets.n; j++)
			check_cycles(u, f->rulesets.v[j], NULL);
		f->resolved = 1;
	}
	apply_defines(u);
	for (size_t i = 0; i < u->files.n; i++) {
		struct policy_file *f = u->files.v[i];
		for (size_t j = 0; j < f->consts.n; j++)
			visit_const(u, f->consts.v[j], ((struct const_decl *)f->consts.v[j])->loc, NULL);
	}
}
