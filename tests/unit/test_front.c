/* Unit tests for the front end: the scanner (through the AST the parser
 * builds), the parser, name resolution and the syscall/constant tables.
 *
 * Policy sources are written to a fresh temporary directory per test;
 * diagnostics go to an open_memstream() buffer so tests can read them. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver/compilation.h"
#include "tables/tables.h"
#include "frontend/parse_ctx.h"
#include "frontend/unit.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Fails only through Check; passing checks cost nothing (the table walks
 * make thousands of them). */
#define REQUIRE(cond, ...)                          \
	do {                                        \
		if (!(cond))                        \
			ck_abort_msg(__VA_ARGS__);  \
	} while (0)

/* ---- fixture: a temporary directory ---- */

static char tmpdir[256];

static void make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base || strlen(base) > 200)
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/sysfence-front-XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void remove_tmpdir(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

/* Writes TEXT to REL under the temporary directory (creating directories)
 * and returns the full path (static storage, one per call up to 8). */
static const char *put(const char *rel, const char *text)
{
	static char paths[8][512];
	static int next;
	char *p = paths[next++ % 8];
	snprintf(p, sizeof(paths[0]), "%.255s/%.200s", tmpdir, rel);
	for (char *s = p + strlen(tmpdir) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	FILE *f = fopen(p, "w");
	ck_assert_msg(f != NULL, "cannot write %s: %s", p, strerror(errno));
	fputs(text, f);
	fclose(f);
	return p;
}

static const char *path_in(const char *rel)
{
	static char p[512];
	snprintf(p, sizeof(p), "%.255s/%.200s", tmpdir, rel);
	return p;
}

/* ---- loading and resolving with captured diagnostics ---- */

struct loaded {
	struct arena *arena;
	struct diag diag;
	struct unit unit;
	struct unit_options opts;
	FILE *out;
	char *text;
	size_t len;
	int rc;
};

static struct loaded *load_file(const char *path, const struct unit_options *opts, int resolve)
{
	struct loaded *l = calloc(1, sizeof(*l));
	ck_assert_ptr_nonnull(l);
	if (opts)
		l->opts = *opts;
	l->out = open_memstream(&l->text, &l->len);
	ck_assert_ptr_nonnull(l->out);
	l->arena = arena_new();
	diag_init(&l->diag, l->out);
	l->unit.arena = l->arena;
	l->unit.diag = &l->diag;
	l->unit.opts = &l->opts;
	l->rc = unit_load(&l->unit, path);
	if (l->rc == 0 && resolve)
		unit_resolve(&l->unit);
	fflush(l->out);
	return l;
}

static struct loaded *parse_text(const char *text)
{
	return load_file(put("root.policy", text), NULL, 0);
}

static struct loaded *resolve_text(const char *text)
{
	return load_file(put("root.policy", text), NULL, 1);
}

static const char *diags(struct loaded *l)
{
	fflush(l->out);
	return l->text ? l->text : "";
}

static void unload(struct loaded *l)
{
	diag_fini(&l->diag);
	arena_free(l->arena);
	fclose(l->out);
	free(l->text);
	free(l);
}

#define assert_clean(l) \
	ck_assert_msg((l)->diag.errors == 0, "unexpected diagnostics:\n%s", diags(l))

/* Does the diagnostic output contain NEEDLE? */
#define assert_diag(l, needle)                                                  \
	ck_assert_msg(strstr(diags(l), (needle)) != NULL, "expected \"%s\" in:\n%s", \
		      (needle), diags(l))

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static struct policy_file *root(struct loaded *l)
{
	ck_assert_ptr_nonnull(l->unit.root);
	return l->unit.root;
}

static struct const_decl *find_const(struct loaded *l, const char *name)
{
	struct policy_file *f = root(l);
	for (size_t i = 0; i < f->consts.n; i++) {
		struct const_decl *c = f->consts.v[i];
		if (strcmp(c->name, name) == 0)
			return c;
	}
	ck_abort_msg("no const %s", name);
	return NULL;
}

static struct ruleset *find_rs(struct policy_file *f, const char *name)
{
	for (size_t i = 0; i < f->rulesets.n; i++) {
		struct ruleset *rs = f->rulesets.v[i];
		if (strcmp(rs->name, name) == 0)
			return rs;
	}
	ck_abort_msg("no ruleset %s", name);
	return NULL;
}

static struct stmt *stmt_at(struct loaded *l, const char *rs, size_t i)
{
	struct ruleset *r = find_rs(root(l), rs);
	ck_assert_msg(i < r->stmts.n, "ruleset %s has %zu statements, not %zu", rs, r->stmts.n, i + 1);
	return r->stmts.v[i];
}

/* The value of a const that is a plain number. */
static uint64_t num_of(struct loaded *l, const char *name)
{
	struct const_decl *c = find_const(l, name);
	ck_assert_msg(c->value && c->value->kind == EXPR_NUM, "const %s is not a number", name);
	return c->value->num;
}

#define assert_loc(where, l_, c_)                                                     \
	do {                                                                          \
		struct loc at_ = (where);                                             \
		ck_assert_msg(at_.line == (l_) && at_.col == (c_),                    \
			      "%s is at %d:%d, expected %d:%d", #where, at_.line, at_.col, \
			      (l_), (c_));                                            \
	} while (0)

/* ================= scanner ================= */

START_TEST(test_integers_every_base)
{
	struct loaded *l = parse_text(
		"const D = 1234;\n"
		"const Z = 0;\n"
		"const LEAD = 007;\n"
		"const H = 0xDEADbeef;\n"
		"const H2 = 0XfF;\n"
		"const O = 0o755;\n"
		"const O2 = 0O17;\n"
		"const B = 0b1011;\n"
		"const B2 = 0B1;\n"
		"const MAX = 18446744073709551615;\n"
		"const MAXH = 0xffffffffffffffff;\n"
		"const MAXO = 0o1777777777777777777777;\n"
		"const MAXB = 0b1111111111111111111111111111111111111111111111111111111111111111;\n");
	assert_clean(l);
	ck_assert_uint_eq(num_of(l, "D"), 1234);
	ck_assert_uint_eq(num_of(l, "Z"), 0);
	ck_assert_uint_eq(num_of(l, "LEAD"), 7);
	ck_assert_uint_eq(num_of(l, "H"), 0xdeadbeef);
	ck_assert_uint_eq(num_of(l, "H2"), 0xff);
	ck_assert_uint_eq(num_of(l, "O"), 0755);
	ck_assert_uint_eq(num_of(l, "O2"), 017);
	ck_assert_uint_eq(num_of(l, "B"), 11);
	ck_assert_uint_eq(num_of(l, "B2"), 1);
	ck_assert_uint_eq(num_of(l, "MAX"), UINT64_MAX);
	ck_assert_uint_eq(num_of(l, "MAXH"), UINT64_MAX);
	ck_assert_uint_eq(num_of(l, "MAXO"), UINT64_MAX);
	ck_assert_uint_eq(num_of(l, "MAXB"), UINT64_MAX);
	unload(l);
}
END_TEST

START_TEST(test_integer_errors)
{
	struct loaded *l = parse_text(
		"const A = 18446744073709551616;\n"
		"const B = 0x10000000000000000;\n"
		"const C = 0x;\n"
		"const D = 0b102;\n"
		"const E = 0o8;\n"
		"const F =  12abc;\n");
	assert_diag(l, "root.policy:1:11: error: integer literal '18446744073709551616' does not fit in 64 bits");
	assert_diag(l, "root.policy:2:11: error: integer literal '0x10000000000000000' does not fit in 64 bits");
	assert_diag(l, "root.policy:3:11: error: malformed integer literal '0x'");
	assert_diag(l, "root.policy:4:11: error: malformed integer literal '0b102'");
	assert_diag(l, "root.policy:5:11: error: malformed integer literal '0o8'");
	assert_diag(l, "root.policy:6:12: error: malformed integer literal '12abc'");
	ck_assert_int_eq(l->diag.errors, 6);
	/* Each still parses as a number (0), so the const exists. */
	ck_assert_uint_eq(num_of(l, "A"), 0);
	ck_assert_uint_eq(num_of(l, "F"), 0);
	unload(l);
}
END_TEST

START_TEST(test_comments)
{
	struct loaded *l = parse_text(
		"# a comment on the first line\n"
		"policy p { # after a brace\n"
		"    allow read;# right after a token\n"
		"    # allow write;   a rule in a comment is no rule\n"
		"    allow close if fd == 3 # between tokens\n"
		"        && fd != 4;\n"
		"} # the last line has no newline");
	assert_clean(l);
	struct ruleset *p = find_rs(root(l), "p");
	ck_assert_uint_eq(p->stmts.n, 2);
	ck_assert_str_eq(stmt_at(l, "p", 0)->syscalls[0].name, "read");
	struct stmt *s = stmt_at(l, "p", 1);
	ck_assert_str_eq(s->syscalls[0].name, "close");
	ck_assert_int_eq(s->cond->kind, COND_AND);
	unload(l);
}
END_TEST

START_TEST(test_strings)
{
	put("a/b c.policy", "");
	put("x#y.policy", "");
	put(".policy", "");
	struct loaded *l = parse_text(
		"import \"a/b c\";\n"
		"import \"x#y\" as xy;\n"
		"import \"\" as empty;\n");
	assert_clean(l);
	struct policy_file *f = root(l);
	ck_assert_uint_eq(f->imports.n, 3);
	struct import *a = f->imports.v[0], *b = f->imports.v[1], *c = f->imports.v[2];
	ck_assert_str_eq(a->path, "a/b c");
	ck_assert_ptr_null(a->alias);
	ck_assert_str_eq(b->path, "x#y");
	ck_assert_str_eq(b->alias, "xy");
	ck_assert_str_eq(c->path, "");
	assert_loc(a->loc, 1, 8);
	assert_loc(b->loc, 2, 8);
	unload(l);

	/* The string ends at the end of the line; the ';' on the next one ends
	 * the import, and scanning goes on. */
	l = parse_text("policy p { allow read; }\nimport \"never closed;\n;\npolicy q { allow read; }\n");
	assert_diag(l, "root.policy:2:8: error: unterminated string");
	assert_diag(l, "root.policy:2:8: error: cannot find 'never closed;' to import");
	ck_assert_int_eq(l->diag.errors, 2);   /* no syntax error */
	ck_assert_str_eq(((struct import *)root(l)->imports.v[0])->path, "never closed;");
	find_rs(root(l), "q");
	unload(l);
}
END_TEST

START_TEST(test_unexpected_characters)
{
	struct loaded *l = parse_text("policy p {\n  allow read if fd == 1 $ 2;\n}\npolicy q { allow read; }\n\xff\n");
	assert_diag(l, "root.policy:2:25: error: unexpected character '$'");
	assert_diag(l, "root.policy:5:1: error: unexpected byte 0xff");
	unload(l);

	/* A NUL byte makes it no text file at all. */
	const char *p = put("nul.policy", "policy p { }");
	FILE *f = fopen(p, "a");
	fputc('\0', f);
	fclose(f);
	l = load_file(p, NULL, 0);
	assert_diag(l, "is not a text file");
	unload(l);
}
END_TEST

START_TEST(test_token_locations)
{
	struct loaded *l = parse_text(
		"# line 1\n"
		"const  ANSWER = 40 + 2;\n"                  /* line 2 */
		"\n"
		"policy demo {\n"                            /* line 4 */
		"\tallow read if fd == ANSWER;\n"             /* line 5: a tab is one column */
		"    errno(EPERM) write, 1;\r\n"             /* line 6, CRLF */
		"    use a, b.c;\n"                          /* line 7 */
		"    override kill_process dup if (flags & 3) in {1, 2} || !(oldfd < 3);\n"
		"}\n");
	assert_clean(l);
	struct const_decl *c = find_const(l, "ANSWER");
	assert_loc(c->loc, 2, 8);
	assert_loc(c->value->loc, 2, 17);            /* a binary expr is where its left side is */
	assert_loc(c->value->lhs->loc, 2, 17);
	assert_loc(c->value->rhs->loc, 2, 22);

	struct ruleset *rs = find_rs(root(l), "demo");
	assert_loc(rs->loc, 4, 8);

	struct stmt *s = stmt_at(l, "demo", 0);
	assert_loc(s->loc, 5, 2);
	assert_loc(s->action.loc, 5, 2);
	assert_loc(s->syscalls[0].loc, 5, 8);
	assert_loc(s->cond->loc, 5, 16);
	assert_loc(s->cond->arg_loc, 5, 16);
	assert_loc(s->cond->value->loc, 5, 22);

	s = stmt_at(l, "demo", 1);
	assert_loc(s->loc, 6, 5);
	assert_loc(s->action.arg->loc, 6, 11);
	assert_loc(s->syscalls[0].loc, 6, 18);
	assert_loc(s->syscalls[1].loc, 6, 25);

	s = stmt_at(l, "demo", 2);
	assert_loc(s->loc, 7, 5);
	assert_loc(s->uses[0].loc, 7, 9);
	assert_loc(s->uses[1].loc, 7, 12);          /* a qualified name is where it starts */

	s = stmt_at(l, "demo", 3);
	assert_loc(s->loc, 8, 5);                   /* `override` starts the rule */
	assert_loc(s->action.loc, 8, 14);
	assert_loc(s->syscalls[0].loc, 8, 27);
	struct cond *or = s->cond;
	ck_assert_int_eq(or->kind, COND_OR);
	assert_loc(or->loc, 8, 34);                  /* && and || are where their left side is */
	assert_loc(or->lhs->loc, 8, 34);             /* the '(' of a masked compare */
	assert_loc(or->lhs->arg_loc, 8, 35);
	assert_loc(or->lhs->mask->loc, 8, 43);
	assert_loc(or->lhs->set.v[1]->loc, 8, 53);
	assert_loc(or->rhs->loc, 8, 59);             /* the '!' */
	assert_loc(or->rhs->lhs->arg_loc, 8, 61);
	unload(l);
}
END_TEST

/* Diagnostics print file:line:col and the line with a caret under it. */
START_TEST(test_diagnostic_shape)
{
	struct loaded *l = parse_text("policy p {\n\tallow read if fd == 1 $;\n}\n");
	assert_diag(l, "root.policy:2:24: error: unexpected character '$'\n"
		       "  \tallow read if fd == 1 $;\n"
		       "  \t                      ^\n");
	unload(l);
}
END_TEST

/* ================= parser ================= */

START_TEST(test_items)
{
	put("one.policy", "");
	put("two.policy", "");
	struct loaded *l = parse_text(
		"import \"one\";\n"
		"import \"two\" as second;\n"
		"const A = 1;\n"
		"ruleset r { }\n"
		"policy p { }\n"
		"const B = A;\n"
		"ruleset s { allow read; }\n");
	assert_clean(l);
	struct policy_file *f = root(l);
	ck_assert_uint_eq(f->imports.n, 2);
	ck_assert_uint_eq(f->consts.n, 2);
	ck_assert_uint_eq(f->rulesets.n, 3);
	ck_assert_int_eq(find_rs(f, "r")->is_policy, 0);
	ck_assert_int_eq(find_rs(f, "p")->is_policy, 1);
	ck_assert_uint_eq(find_rs(f, "r")->stmts.n, 0);
	ck_assert_ptr_eq(find_rs(f, "s")->file, f);
	ck_assert_str_eq(f->stem, "root");
	ck_assert_int_eq(find_const(l, "B")->value->kind, EXPR_NAME);
	ck_assert_str_eq(find_const(l, "B")->value->name, "A");
	unload(l);
}
END_TEST

START_TEST(test_statement_kinds)
{
	struct loaded *l = parse_text(
		"policy p {\n"
		"    use a, imp.b, c;\n"
		"    default errno(EACCES);\n"
		"    arch x86_64, aarch64, i386;\n"
		"    allow read, 1, write, 0x3c;\n"
		"    override log close if fd == 3;\n"
		"}\n");
	assert_clean(l);
	struct stmt *s = stmt_at(l, "p", 0);
	ck_assert_int_eq(s->kind, STMT_USE);
	ck_assert_uint_eq(s->nuses, 3);
	ck_assert_ptr_null(s->uses[0].qualifier);
	ck_assert_str_eq(s->uses[0].name, "a");
	ck_assert_str_eq(s->uses[1].qualifier, "imp");
	ck_assert_str_eq(s->uses[1].name, "b");
	ck_assert_str_eq(s->uses[2].name, "c");

	s = stmt_at(l, "p", 1);
	ck_assert_int_eq(s->kind, STMT_DEFAULT);
	ck_assert_int_eq(s->action.kind, ACT_ERRNO);
	ck_assert_str_eq(s->action.arg->name, "EACCES");

	s = stmt_at(l, "p", 2);
	ck_assert_int_eq(s->kind, STMT_ARCH);
	ck_assert_uint_eq(s->narches, 3);
	ck_assert_str_eq(s->arches[0].name, "x86_64");
	ck_assert_str_eq(s->arches[2].name, "i386");
	ck_assert_int_eq(s->arches[1].arch, -1);      /* resolved later */

	s = stmt_at(l, "p", 3);
	ck_assert_int_eq(s->kind, STMT_RULE);
	ck_assert_int_eq(s->override, 0);
	ck_assert_int_eq(s->action.kind, ACT_ALLOW);
	ck_assert_ptr_null(s->cond);
	ck_assert_uint_eq(s->nsyscalls, 4);
	ck_assert_str_eq(s->syscalls[0].name, "read");
	ck_assert_ptr_null(s->syscalls[1].name);
	ck_assert_uint_eq(s->syscalls[1].number, 1);
	ck_assert_str_eq(s->syscalls[2].name, "write");
	ck_assert_uint_eq(s->syscalls[3].number, 60);

	s = stmt_at(l, "p", 4);
	ck_assert_int_eq(s->override, 1);
	ck_assert_int_eq(s->action.kind, ACT_LOG);
	ck_assert_ptr_nonnull(s->cond);
	unload(l);
}
END_TEST

START_TEST(test_actions)
{
	struct loaded *l = parse_text(
		"policy p {\n"
		"  allow a; log b; trap c; notify d; kill_thread e; kill_process f;\n"
		"  errno(EPERM) g; errno(1 + 2) h; trace(7) i;\n"
		"}\n");
	assert_clean(l);
	static const enum action_kind want[] = {
		ACT_ALLOW, ACT_LOG, ACT_TRAP, ACT_NOTIFY, ACT_KILL_THREAD, ACT_KILL_PROCESS,
		ACT_ERRNO, ACT_ERRNO, ACT_TRACE,
	};
	for (size_t i = 0; i < N(want); i++) {
		struct stmt *s = stmt_at(l, "p", i);
		ck_assert_int_eq(s->action.kind, want[i]);
		ck_assert_int_eq(s->action.arg != NULL, want[i] == ACT_ERRNO || want[i] == ACT_TRACE);
		ck_assert_int_eq(s->syscalls[0].name[0], (int)('a' + i));
	}
	ck_assert_int_eq(stmt_at(l, "p", 7)->action.arg->kind, EXPR_BINARY);
	ck_assert_uint_eq(stmt_at(l, "p", 8)->action.arg->num, 7);
	ck_assert_str_eq(action_name(ACT_KILL_PROCESS), "kill_process");
	unload(l);
}
END_TEST

static struct cond *cond_of(struct loaded *l, size_t i)
{
	struct cond *c = stmt_at(l, "p", i)->cond;
	ck_assert_ptr_nonnull(c);
	return c;
}

static void assert_cmp(const struct cond *c, const char *arg, enum relop op)
{
	ck_assert_int_eq(c->kind, COND_CMP);
	ck_assert_str_eq(c->arg, arg);
	ck_assert_int_eq(c->op, op);
}

START_TEST(test_condition_shapes)
{
	struct loaded *l = parse_text(
		"policy p {\n"
		"  allow s if a == 1 || b == 2 && c == 3;\n"        /* 0: && binds tighter */
		"  allow s if !a == 1 && b == 2;\n"                  /* 1: ! binds tighter than && */
		"  allow s if !(a == 1 && b == 2);\n"                /* 2 */
		"  allow s if (a == 1 || b == 2) && c == 3;\n"       /* 3 */
		"  allow s if a == 1 || b == 2 || c == 3;\n"         /* 4: left associative */
		"  allow s if a == 1 && a != 2 && a < 3 && a <= 4 && a > 5 && a >= 6;\n" /* 5 */
		"  allow s if (flags & O_CREAT) == 0;\n"             /* 6 */
		"  allow s if fd in {1, 2, 3};\n"                    /* 7 */
		"  allow s if fd not in {4};\n"                      /* 8 */
		"  allow s if (flags & 3) not in {1, 2} && !!(x >= 0);\n" /* 9 */
		"  allow s if ((a == 1));\n"                         /* 10 */
		"}\n");
	assert_clean(l);

	struct cond *c = cond_of(l, 0);
	ck_assert_int_eq(c->kind, COND_OR);
	assert_cmp(c->lhs, "a", OP_EQ);
	ck_assert_int_eq(c->rhs->kind, COND_AND);
	assert_cmp(c->rhs->lhs, "b", OP_EQ);
	assert_cmp(c->rhs->rhs, "c", OP_EQ);

	c = cond_of(l, 1);
	ck_assert_int_eq(c->kind, COND_AND);
	ck_assert_int_eq(c->lhs->kind, COND_NOT);
	assert_cmp(c->lhs->lhs, "a", OP_EQ);
	assert_cmp(c->rhs, "b", OP_EQ);

	c = cond_of(l, 2);
	ck_assert_int_eq(c->kind, COND_NOT);
	ck_assert_int_eq(c->lhs->kind, COND_AND);

	c = cond_of(l, 3);
	ck_assert_int_eq(c->kind, COND_AND);
	ck_assert_int_eq(c->lhs->kind, COND_OR);
	assert_cmp(c->rhs, "c", OP_EQ);

	c = cond_of(l, 4);
	ck_assert_int_eq(c->kind, COND_OR);
	ck_assert_int_eq(c->lhs->kind, COND_OR);
	assert_cmp(c->rhs, "c", OP_EQ);
	assert_cmp(c->lhs->lhs, "a", OP_EQ);

	/* a chain of && leans left: the last comparison is the top's rhs */
	c = cond_of(l, 5);
	static const enum relop ops[] = { OP_GE, OP_GT, OP_LE, OP_LT, OP_NE, OP_EQ };
	for (size_t i = 0; i < N(ops); i++) {
		if (i + 1 < N(ops)) {
			ck_assert_int_eq(c->kind, COND_AND);
			assert_cmp(c->rhs, "a", ops[i]);
			ck_assert_uint_eq(c->rhs->value->num, 6 - i);
			c = c->lhs;
		} else {
			assert_cmp(c, "a", ops[i]);
			ck_assert_uint_eq(c->value->num, 1);
		}
	}

	c = cond_of(l, 6);
	assert_cmp(c, "flags", OP_EQ);
	ck_assert_ptr_nonnull(c->mask);
	ck_assert_str_eq(c->mask->name, "O_CREAT");
	ck_assert_uint_eq(c->value->num, 0);

	c = cond_of(l, 7);
	assert_cmp(c, "fd", OP_IN);
	ck_assert_ptr_null(c->mask);
	ck_assert_ptr_null(c->value);
	ck_assert_uint_eq(c->set.n, 3);
	ck_assert_uint_eq(c->set.v[2]->num, 3);

	c = cond_of(l, 8);
	assert_cmp(c, "fd", OP_NOT_IN);
	ck_assert_uint_eq(c->set.n, 1);

	c = cond_of(l, 9);
	ck_assert_int_eq(c->kind, COND_AND);
	assert_cmp(c->lhs, "flags", OP_NOT_IN);
	ck_assert_uint_eq(c->lhs->mask->num, 3);
	ck_assert_uint_eq(c->lhs->set.n, 2);
	ck_assert_int_eq(c->rhs->kind, COND_NOT);
	ck_assert_int_eq(c->rhs->lhs->kind, COND_NOT);
	assert_cmp(c->rhs->lhs->lhs, "x", OP_GE);

	assert_cmp(cond_of(l, 10), "a", OP_EQ);
	unload(l);
}
END_TEST

/* Expression trees: precedence and associativity. */
static const struct expr *const_expr(struct loaded *l, const char *name)
{
	return find_const(l, name)->value;
}

static void assert_bin(const struct expr *e, int op)
{
	ck_assert_int_eq(e->kind, EXPR_BINARY);
	ck_assert_int_eq(e->op, op);
}

START_TEST(test_expression_precedence)
{
	struct loaded *l = parse_text(
		"const A = 1 + 2 * 3;\n"
		"const B = 1 | 2 ^ 3 & 4;\n"
		"const C = 1 << 2 + 3;\n"
		"const D = -1 - 2;\n"
		"const E = ~0 & 5;\n"
		"const F = (1 | 2) * 3;\n"
		"const G = 8 - 4 - 2;\n"
		"const H = 1 & 2 >> 1;\n"
		"const I = - - ~X;\n");
	assert_clean(l);
	const struct expr *e = const_expr(l, "A");
	assert_bin(e, '+');
	assert_bin(e->rhs, '*');

	e = const_expr(l, "B");
	assert_bin(e, '|');
	assert_bin(e->rhs, '^');
	assert_bin(e->rhs->rhs, '&');

	e = const_expr(l, "C");
	assert_bin(e, 'L');
	assert_bin(e->rhs, '+');

	e = const_expr(l, "D");
	assert_bin(e, '-');
	ck_assert_int_eq(e->lhs->kind, EXPR_UNARY);
	ck_assert_int_eq(e->lhs->op, '-');

	e = const_expr(l, "E");
	assert_bin(e, '&');
	ck_assert_int_eq(e->lhs->kind, EXPR_UNARY);
	ck_assert_int_eq(e->lhs->op, '~');

	e = const_expr(l, "F");
	assert_bin(e, '*');
	assert_bin(e->lhs, '|');

	e = const_expr(l, "G");                    /* (8 - 4) - 2 */
	assert_bin(e, '-');
	assert_bin(e->lhs, '-');
	ck_assert_uint_eq(e->rhs->num, 2);

	e = const_expr(l, "H");
	assert_bin(e, '&');
	assert_bin(e->rhs, 'R');

	e = const_expr(l, "I");
	ck_assert_int_eq(e->kind, EXPR_UNARY);
	ck_assert_int_eq(e->lhs->kind, EXPR_UNARY);
	ck_assert_int_eq(e->lhs->lhs->op, '~');
	ck_assert_str_eq(e->lhs->lhs->lhs->name, "X");
	unload(l);
}
END_TEST

START_TEST(test_error_recovery)
{
	struct loaded *l = parse_text(
		"policy p {\n"
		"    allow read if ;\n"          /* 2 */
		"    allow write;\n"
		"    deny close;\n"              /* 4 */
		"    allow 1 2;\n"               /* 5 */
		"    allow fstat;\n"
		"}\n"
		"const = 3;\n"                   /* 8 */
		"policy q { allow read; }\n"
		"ruleset r { allow if; }\n"      /* 10 */
		"const OK = 5;\n");
	const char *d = diags(l);
	ck_assert_int_ge(l->diag.errors, 5);
	ck_assert_msg(strstr(d, "root.policy:2:19: error:"), "%s", d);
	ck_assert_msg(strstr(d, "root.policy:4:5: error:"), "%s", d);
	ck_assert_msg(strstr(d, "root.policy:5:13: error:"), "%s", d);
	ck_assert_msg(strstr(d, "root.policy:8:7: error:"), "%s", d);
	ck_assert_msg(strstr(d, "root.policy:10:19: error:"), "%s", d);
	/* What lies between the errors is still there. */
	struct policy_file *f = root(l);
	struct ruleset *p = find_rs(f, "p");
	int saw_write = 0, saw_fstat = 0;
	for (size_t i = 0; i < p->stmts.n; i++) {
		struct stmt *s = p->stmts.v[i];
		if (s->kind == STMT_RULE && s->syscalls[0].name) {
			saw_write |= strcmp(s->syscalls[0].name, "write") == 0;
			saw_fstat |= strcmp(s->syscalls[0].name, "fstat") == 0;
		}
	}
	ck_assert(saw_write && saw_fstat);
	find_rs(f, "q");
	find_rs(f, "r");
	ck_assert_uint_eq(num_of(l, "OK"), 5);
	unload(l);
}
END_TEST

START_TEST(test_truncated_inputs)
{
	/* Every prefix of a policy parses (with errors) without crashing. */
	static const char text[] =
		"import \"x\" as y;\nconst C = (1 << 3) | ~2;\n"
		"policy p { default errno(EPERM); arch x86_64; use r, y.z;\n"
		"  override allow openat if (flags & O_ACCMODE) not in {1, 2} || !(dfd == -100); }\n";
	for (size_t n = 0; n < sizeof(text) - 1; n++) {
		char buf[sizeof(text)];
		memcpy(buf, text, n);
		buf[n] = '\0';
		struct loaded *l = parse_text(buf);
		ck_assert_int_eq(l->rc, 0);
		unload(l);
	}
}
END_TEST

/* ================= resolution ================= */

START_TEST(test_import_relative)
{
	put("sub/lib.policy",
	    "import \"helper\";\n"                 /* next to sub/lib.policy */
	    "ruleset io { use helper.base; allow write; }\n");
	put("sub/helper.policy", "ruleset base { allow read; }\n");
	put("helper.policy", "ruleset wrong { }\n");   /* not this one */
	struct loaded *l = resolve_text("import \"sub/lib\";\npolicy p { use lib.io; }\n");
	assert_clean(l);
	ck_assert_uint_eq(l->unit.files.n, 3);
	struct import *im = root(l)->imports.v[0];
	ck_assert_ptr_nonnull(im->target);
	ck_assert_str_eq(im->target->stem, "lib");
	struct stmt *use = stmt_at(l, "p", 0);
	ck_assert_ptr_nonnull(use->uses[0].target);
	ck_assert_str_eq(use->uses[0].target->name, "io");
	struct policy_file *lib = im->target;
	struct import *h = lib->imports.v[0];
	ck_assert_msg(strstr(h->target->path, "sub/helper.policy"), "%s", h->target->path);
	unload(l);

	/* An explicit .policy suffix and an alias work too. */
	l = resolve_text("import \"sub/lib.policy\" as L;\npolicy p { use L.io; }\n");
	assert_clean(l);
	unload(l);
	l = resolve_text("import \"sub/lib\" as L;\npolicy p { use lib.io; }\n");
	assert_diag(l, "root.policy:2:16: error: no import named 'lib'");
	unload(l);
}
END_TEST

START_TEST(test_import_include_dirs)
{
	put("inc1/other.policy", "ruleset one { allow read; }\n");
	put("inc2/other.policy", "ruleset two { allow read; }\n");
	put("inc2/only2.policy", "ruleset three { allow read; }\n");
	const char *root_path = put("src/root.policy",
				    "import \"other\";\nimport \"only2\";\n"
				    "policy p { use other.one, only2.three; }\n");
	char inc1[512], inc2[512];
	snprintf(inc1, sizeof(inc1), "%s", path_in("inc1"));
	snprintf(inc2, sizeof(inc2), "%s", path_in("inc2"));
	const char *dirs[] = { inc1, inc2 };
	struct unit_options opts = { .include_dirs = dirs, .ninclude = 2 };
	struct loaded *l = load_file(root_path, &opts, 1);
	assert_clean(l);   /* inc1 comes first: other.one exists */
	unload(l);

	const char *rev[] = { inc2, inc1 };
	opts.include_dirs = rev;
	l = load_file(root_path, &opts, 1);
	assert_diag(l, "no ruleset 'one'");
	unload(l);

	/* Without -I nothing is found, and the note says where it looked. */
	l = load_file(root_path, NULL, 1);
	assert_diag(l, "root.policy:1:8: error: cannot find 'other' to import");
	assert_diag(l, "searched next to");
	unload(l);

	/* The importing file's directory beats -I. */
	put("src/other.policy", "ruleset local { }\n");
	opts.include_dirs = dirs;
	l = load_file(root_path, &opts, 1);
	assert_diag(l, "no ruleset 'one'");
	unload(l);
}
END_TEST

START_TEST(test_import_cycles_and_sharing)
{
	put("a.policy", "import \"b\";\nruleset ra { }\n");
	put("b.policy", "import \"a\";\nruleset rb { }\n");
	struct loaded *l = resolve_text("import \"a\";\npolicy p { use a.ra; }\n");
	assert_diag(l, "import cycle:");
	assert_diag(l, "a.policy -> ");
	assert_diag(l, "b.policy");
	ck_assert_uint_eq(l->unit.files.n, 3);
	unload(l);

	/* A file importing itself. */
	l = resolve_text("import \"root\";\npolicy p { }\n");
	assert_diag(l, "import cycle:");
	unload(l);

	/* A diamond loads the shared file once. */
	put("x.policy", "import \"z\";\nruleset rx { use z.rz; }\n");
	put("y.policy", "import \"z\";\nruleset ry { use z.rz; }\n");
	put("z.policy", "ruleset rz { allow read; }\n");
	l = resolve_text("import \"x\";\nimport \"y\";\npolicy p { use x.rx, y.ry; }\n");
	assert_clean(l);
	ck_assert_uint_eq(l->unit.files.n, 4);
	struct policy_file *x = ((struct import *)root(l)->imports.v[0])->target;
	struct policy_file *y = ((struct import *)root(l)->imports.v[1])->target;
	ck_assert_ptr_eq(((struct import *)x->imports.v[0])->target,
			 ((struct import *)y->imports.v[0])->target);
	unload(l);

	/* Two imports with one name. */
	put("d1/same.policy", "ruleset s { }\n");
	put("d2/same.policy", "ruleset s { }\n");
	l = resolve_text("import \"d1/same\";\nimport \"d2/same\";\npolicy p { }\n");
	assert_diag(l, "two imports are both named 'same'");
	unload(l);
}
END_TEST

START_TEST(test_use_before_definition)
{
	struct loaded *l = resolve_text(
		"policy p { use later; allow write if fd == LATER_FD; }\n"
		"ruleset later { use even_later; }\n"
		"ruleset even_later { allow read; }\n"
		"const LATER_FD = LATER_BASE + 1;\n"
		"const LATER_BASE = 2;\n");
	assert_clean(l);
	struct stmt *use = stmt_at(l, "p", 0);
	ck_assert_ptr_eq(use->uses[0].target, find_rs(root(l), "later"));
	struct stmt *rule = stmt_at(l, "p", 1);
	ck_assert_ptr_eq(rule->cond->value->decl, find_const(l, "LATER_FD"));
	ck_assert_ptr_null(rule->cond->value->constant);
	unload(l);
}
END_TEST

START_TEST(test_use_cycles)
{
	struct loaded *l = resolve_text(
		"ruleset r1 { use r2; }\n"
		"ruleset r2 { use r3; }\n"
		"ruleset r3 { use r1; }\n"
		"ruleset me { use me; }\n"
		"policy p { use r1; }\n");
	assert_diag(l, "uses itself: r1 -> r2 -> r3 -> r1");
	assert_diag(l, "ruleset 'me' uses itself: me -> me");
	ck_assert_int_eq(count(diags(l), "uses itself"), 2);   /* each cycle once */
	unload(l);

	/* Using one ruleset twice, or along two paths, is no cycle. */
	l = resolve_text(
		"ruleset base { allow read; }\n"
		"ruleset a { use base; }\n"
		"ruleset b { use base, base; }\n"
		"policy p { use a, b, base; }\n");
	assert_clean(l);
	unload(l);
}
END_TEST

static struct loaded *with_defines(const char *text, struct define *defs, size_t n)
{
	struct unit_options opts = { .defines = defs, .ndefines = n };
	return load_file(put("root.policy", text), &opts, 1);
}

START_TEST(test_define_override)
{
	static const char text[] = "const LOG_FD = 3;\nconst FLAGS = 0;\n"
				   "policy p { allow write if fd == LOG_FD; }\n";
	struct define d1[] = { { "LOG_FD", "4" }, { "FLAGS", "O_RDONLY" } };
	struct loaded *l = with_defines(text, d1, 2);
	assert_clean(l);
	struct const_decl *c = find_const(l, "LOG_FD");
	ck_assert_ptr_nonnull(c->override_value);
	ck_assert_int_eq(c->override_value->kind, EXPR_NUM);
	ck_assert_uint_eq(c->override_value->num, 4);
	ck_assert_int_eq(c->value->kind, EXPR_NUM);   /* the source is untouched */
	ck_assert_uint_eq(c->value->num, 3);
	c = find_const(l, "FLAGS");
	ck_assert_int_eq(c->override_value->kind, EXPR_NAME);
	ck_assert_ptr_nonnull(c->override_value->constant);
	unload(l);

	struct define d2[] = { { "LOG_FD", "0x10" } };
	l = with_defines(text, d2, 1);
	ck_assert_uint_eq(find_const(l, "LOG_FD")->override_value->num, 16);
	unload(l);

	struct define d3[] = { { "LOG_FD", "-2" } };
	l = with_defines(text, d3, 1);
	assert_clean(l);
	/* the negation of the literal, as `-2` in the source: constant
	 * arithmetic reads it as a negative number */
	struct expr *neg = find_const(l, "LOG_FD")->override_value;
	ck_assert_int_eq(neg->kind, EXPR_UNARY);
	ck_assert_int_eq(neg->op, '-');
	ck_assert_uint_eq(neg->lhs->num, 2);
	unload(l);

	struct define big[] = { { "LOG_FD", "18446744073709551616" } };
	l = with_defines(text, big, 1);
	assert_diag(l, "-D LOG_FD=18446744073709551616: integer literal '18446744073709551616' does not fit in 64 bits");
	unload(l);

	struct define d4[] = { { "NOPE", "1" }, { "LOG_FD", "abc" }, { "FLAGS", "" } };
	l = with_defines(text, d4, 3);
	assert_diag(l, "-D NOPE: no const named 'NOPE' in the policy");
	assert_diag(l, "-D LOG_FD=abc: the value must be an integer or a known constant");
	assert_diag(l, "-D FLAGS=: the value must be");
	unload(l);
}
END_TEST

/* -D reaches the compiled rules. */
START_TEST(test_define_in_compilation)
{
	const char *path = put("root.policy", "const LOG_FD = 3;\n"
					      "policy p { allow write if fd == LOG_FD; }\n");
	struct define d[] = { { "LOG_FD", "7" } };
	struct unit_options opts = { .defines = d, .ndefines = 1 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct compilation c;
	int rc = compilation_run(&c, &opts, path, NULL, 1u << ARCH_X86_64, out);
	fflush(out);
	ck_assert_msg(rc == 0, "%s", text);
	const struct ptrvec *rules = &c.pb.per_arch[ARCH_X86_64].rules;
	ck_assert_uint_eq(rules->n, 1);
	const struct rule *r = rules->v[0];
	ck_assert_int_eq(r->cond->kind, N_ATOM);
	ck_assert_uint_eq(r->cond->atom.value, 7);
	uint64_t args[6] = { 7 };
	ck_assert_uint_eq(policy_eval(&c.pb, arch_table[ARCH_X86_64].audit_arch, 1, args),
			  0x7fff0000u);
	args[0] = 3;
	ck_assert_uint_ne(policy_eval(&c.pb, arch_table[ARCH_X86_64].audit_arch, 1, args),
			  0x7fff0000u);
	compilation_free(&c);
	fclose(out);
	free(text);
}
END_TEST

START_TEST(test_unknown_names_suggest)
{
	struct loaded *l = resolve_text(
		"const LOG_FD = 3;\n"
		"ruleset logging { }\n"
		"policy p {\n"
		"    arch x86_65;\n"                                   /* 4 */
		"    allow opneat;\n"                                  /* 5 */
		"    allow write if fd == LOG_FX;\n"                   /* 6 */
		"    allow openat if flgas == O_RDONLX;\n"             /* 7 */
		"    use loggin;\n"                                    /* 8 */
		"    allow qqqqqqqqqq;\n"                              /* 9 */
		"    allow read if fd == ZZZZZZZZZZZZ;\n"              /* 10 */
		"    arch sparc;\n"                                    /* 11 */
		"}\n");
	assert_diag(l, "root.policy:4:10: error: unknown arch 'x86_65'; did you mean 'x86_64'?");
	assert_diag(l, "root.policy:5:11: error: unknown syscall 'opneat'; did you mean 'openat'?");
	assert_diag(l, "root.policy:6:26: error: unknown constant 'LOG_FX'; did you mean 'LOG_FD'?");
	assert_diag(l, "root.policy:7:21: error: 'openat' has no argument 'flgas'; did you mean 'flags'?");
	assert_diag(l, "root.policy:7:30: error: unknown constant 'O_RDONLX'; did you mean 'O_RDONLY'?");
	assert_diag(l, "root.policy:8:9: error: no ruleset 'loggin' in this file; did you mean 'logging'?");
	assert_diag(l, "root.policy:9:11: error: unknown syscall 'qqqqqqqqqq'\n");
	assert_diag(l, "root.policy:10:25: error: unknown constant 'ZZZZZZZZZZZZ'\n");
	assert_diag(l, "root.policy:11:10: error: unknown arch 'sparc'; known arches are");
	unload(l);
}
END_TEST

START_TEST(test_argument_names)
{
	/* Kernel and man-page spellings, and argN up to the signature's size. */
	struct loaded *l = resolve_text(
		"policy p {\n"
		"    allow openat if dfd == 1 && dirfd == 1 && filename == 0 && pathname == 0\n"
		"                 && flags == 0 && mode == 0 && arg0 == 1 && arg3 == 0;\n"
		"    allow fstatat if flag == 0 || flags == 0;\n"
		"    allow accept4 if fd == 3 || sockfd == 3;\n"
		"    allow _sysctl if arg5 == 1;\n"        /* no signature: arg0..arg5 */
		"    allow 999 if arg4 == 1;\n"            /* a raw number has none either */
		"}\n");
	assert_clean(l);
	unload(l);

	const struct syscall_desc *openat = syscall_find("openat");
	ck_assert_int_eq(syscall_arg_index(openat, "dfd"), 0);
	ck_assert_int_eq(syscall_arg_index(openat, "dirfd"), 0);
	ck_assert_int_eq(syscall_arg_index(openat, "pathname"), 1);
	ck_assert_int_eq(syscall_arg_index(openat, "flags"), 2);
	ck_assert_int_eq(syscall_arg_index(openat, "arg3"), 3);
	ck_assert_int_eq(syscall_arg_index(openat, "arg4"), -1);
	ck_assert_int_eq(syscall_arg_index(openat, "arg6"), -1);
	ck_assert_int_eq(syscall_arg_index(openat, "arg"), -1);
	ck_assert_int_eq(syscall_arg_index(openat, "arg00"), -1);
	ck_assert_int_eq(syscall_arg_index(openat, "nope"), -1);
	ck_assert_int_eq(syscall_arg_index(NULL, "arg5"), 5);
	/* prctl's parameters are called arg2..arg5 by the kernel and the man
	 * page: the parameter's own name wins over the register number. */
	const struct syscall_desc *prctl = syscall_find("prctl");
	ck_assert_int_eq(syscall_arg_index(prctl, "option"), 0);
	ck_assert_int_eq(syscall_arg_index(prctl, "arg2"), 1);
	ck_assert_int_eq(syscall_arg_index(prctl, "arg5"), 4);
	ck_assert_int_eq(syscall_arg_index(prctl, "arg0"), 0);
	ck_assert_int_eq(syscall_arg_index(NULL, "fd"), -1);

	l = resolve_text(
		"policy p {\n"
		"    allow openat if arg4 == 1;\n"
		"    allow _sysctl if name == 1;\n"
		"    allow getpid if pid == 1;\n"
		"    allow close if xyzzy == 1;\n"
		"}\n");
	assert_diag(l, "root.policy:2:21: error: 'openat' has no argument 'arg4'; its arguments are: dirfd, pathname, flags, mode");
	assert_diag(l, "root.policy:3:22: error: argument 'name' is unknown for '_sysctl', whose signature is not known");
	assert_diag(l, "root.policy:4:21: error: 'getpid' takes no arguments, so it has no argument 'pid'");
	assert_diag(l, "root.policy:5:20: error: 'close' has no argument 'xyzzy'; its arguments are: fd");
	unload(l);
}
END_TEST

START_TEST(test_misplaced_and_duplicates)
{
	struct loaded *l = resolve_text(
		"ruleset r {\n"
		"    default allow;\n"                  /* 2 */
		"    arch x86_64;\n"                    /* 3 */
		"    override allow read;\n"            /* 4 */
		"}\n"
		"policy p {\n"
		"    default allow;\n"
		"    default errno(EPERM);\n"           /* 8 */
		"    arch x86_64;\n"
		"    arch aarch64;\n"                   /* 10 */
		"    allow 0x80000000;\n"               /* 11 */
		"}\n"
		"ruleset r { }\n"                       /* 13 */
		"const C = 1;\n"
		"const C = 2;\n");                      /* 15 */
	assert_diag(l, "root.policy:2:5: error: 'default' is only allowed in a policy, not in ruleset 'r'");
	assert_diag(l, "root.policy:3:5: error: 'arch' is only allowed in a policy, not in ruleset 'r'");
	assert_diag(l, "root.policy:4:5: error: 'override' is only allowed in a policy, not in ruleset 'r'");
	assert_diag(l, "root.policy:8:5: error: policy 'p' has two 'default' actions");
	assert_diag(l, "root.policy:10:5: error: policy 'p' has two 'arch' lists");
	assert_diag(l, "root.policy:11:11: error: syscall number 2147483648 is out of range");
	assert_diag(l, "root.policy:13:9: error: ruleset 'r' is defined twice");
	assert_diag(l, "root.policy:15:7: error: const 'C' is defined twice");
	unload(l);
}
END_TEST

/* parse_expr + unit_resolve_expr + policy_eval_expr: one value outside a
 * policy (sim's arguments), with the file's consts, the table's constants
 * and every operator, and errors at their column in the text. */
static struct expr *expr_in(struct loaded *l, const char *text, size_t offset)
{
	struct source *src = arena_alloc(l->arena, sizeof(*src));
	*src = (struct source){ "<command line>", text, strlen(text) };
	struct parse_ctx ctx = { .arena = l->arena, .diag = &l->diag, .src = src };
	struct expr *e = parse_expr(&ctx, offset);
	fflush(l->out);
	return e;
}

static uint64_t value_of(struct loaded *l, const char *text, int arch)
{
	struct expr *e = expr_in(l, text, 0);
	uint64_t v = 0;
	ck_assert_msg(e != NULL, "'%s' does not parse:\n%s", text, diags(l));
	ck_assert_int_eq(unit_resolve_expr(&l->unit, root(l), e), 0);
	ck_assert_int_eq(policy_eval_expr(&l->unit, arch, e, &v), 0);
	return v;
}

START_TEST(test_expression_entry)
{
	struct loaded *l = resolve_text("const S = 2;\npolicy p { allow read; }\n");
	assert_clean(l);
	ck_assert_uint_eq(value_of(l, "3 * 8", ARCH_X86_64), 24);
	ck_assert_uint_eq(value_of(l, "1 << S | 1", ARCH_X86_64), 5);
	ck_assert_uint_eq(value_of(l, "(1 + 2) * 8 >> 1", ARCH_X86_64), 12);
	ck_assert_uint_eq(value_of(l, "-1", ARCH_X86_64), UINT64_MAX);
	ck_assert_uint_eq(value_of(l, "~0 ^ ~1", ARCH_X86_64), 1);
	ck_assert_uint_eq(value_of(l, "O_DIRECTORY", ARCH_X86_64), 0200000);
	ck_assert_uint_eq(value_of(l, "O_DIRECTORY", ARCH_AARCH64), 040000);
	assert_clean(l);

	/* from an offset: the column counts the text before it */
	ck_assert_ptr_null(expr_in(l, "flags=1 +", 6));
	assert_diag(l, "<command line>:1:9: error: unexpected end of file");
	ck_assert_ptr_null(expr_in(l, "x=0x", 2));
	assert_diag(l, "<command line>:1:3: error: malformed integer literal '0x'");
	ck_assert_ptr_null(expr_in(l, "1 2", 0));
	assert_diag(l, "<command line>:1:3: error: unexpected integer, expecting end of file");

	struct expr *e = expr_in(l, "fd=S + O_WRONGLY", 3);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(unit_resolve_expr(&l->unit, root(l), e), -1);
	ck_assert_ptr_nonnull(e->lhs->decl);
	fflush(l->out);
	assert_diag(l, "<command line>:1:8: error: unknown constant 'O_WRONGLY'; did you mean 'O_WRONLY'?");
	/* without a file only the table's constants are known */
	e = expr_in(l, "S", 0);
	ck_assert_int_eq(unit_resolve_expr(&l->unit, NULL, e), -1);
	unload(l);
}
END_TEST

START_TEST(test_resolved_bindings)
{
	struct loaded *l = resolve_text(
		"const MINE = 1;\n"
		"policy p {\n"
		"    arch arm64, i386, x32;\n"
		"    allow fstatat if flags == MINE && dirfd == AT_FDCWD;\n"
		"}\n");
	assert_clean(l);
	struct stmt *arch = stmt_at(l, "p", 0);
	ck_assert_int_eq(arch->arches[0].arch, ARCH_AARCH64);
	ck_assert_int_eq(arch->arches[1].arch, ARCH_X86);
	ck_assert_int_eq(arch->arches[2].arch, ARCH_X32);
	struct stmt *r = stmt_at(l, "p", 1);
	ck_assert_ptr_eq(r->syscalls[0].desc, syscall_find("fstatat"));
	ck_assert_ptr_eq(r->cond->lhs->value->decl, find_const(l, "MINE"));
	ck_assert_ptr_eq(r->cond->rhs->value->constant, constant_find("AT_FDCWD"));
	unload(l);
}
END_TEST

START_TEST(test_missing_root)
{
	struct loaded *l = load_file(path_in("does-not-exist.policy"), NULL, 0);
	ck_assert_int_eq(l->rc, -1);
	assert_diag(l, "No such file or directory");
	unload(l);
	/* A directory. */
	l = load_file(tmpdir, NULL, 0);
	ck_assert_int_eq(l->rc, -1);
	assert_diag(l, "not a regular file");
	unload(l);
}
END_TEST

/* ================= tables ================= */

START_TEST(test_openat_numbers)
{
	const struct syscall_desc *d = syscall_find("openat");
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->nr[ARCH_X86_64], 257);
	ck_assert_int_eq(d->nr[ARCH_X86], 295);
	ck_assert_int_eq(d->nr[ARCH_X32], 0x40000000 | 257);
	ck_assert_int_eq(d->nr[ARCH_AARCH64], 56);
	for (int a = 0; a < ARCH_COUNT; a++)
		ck_assert_str_eq(d->kname[a], "openat");
	ck_assert(d->has_signature);
	ck_assert_uint_eq(d->nparams, 4);
	ck_assert_str_eq(d->params[0].name, "dfd");
	ck_assert_str_eq(d->params[0].alias, "dirfd");
	ck_assert_uint_eq(d->params[0].bits, 32);
	ck_assert_uint_eq(d->params[1].bits, 64);
	ck_assert_ptr_null(syscall_find("no_such_syscall"));
	ck_assert_ptr_null(syscall_find(NULL));
	ck_assert_ptr_null(syscall_find(""));
}
END_TEST

START_TEST(test_fstatat_alias)
{
	const struct syscall_desc *d = syscall_find("fstatat");
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->kname[ARCH_X86_64], "newfstatat");
	ck_assert_str_eq(d->kname[ARCH_X86], "fstatat64");
	ck_assert_str_eq(d->kname[ARCH_AARCH64], "newfstatat");
	const struct syscall_desc *n = syscall_find("newfstatat");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(d->nr[ARCH_X86_64], n->nr[ARCH_X86_64]);
	ck_assert_int_eq(d->nr[ARCH_X86_64], 262);
	ck_assert_int_eq(d->nr[ARCH_AARCH64], 79);
	ck_assert_int_eq(d->nr[ARCH_X86], syscall_find("fstatat64")->nr[ARCH_X86]);
	/* By number, the canonical (kernel) name comes back, not the alias. */
	ck_assert_str_eq(syscall_by_nr(ARCH_X86_64, 262)->name, "newfstatat");
	ck_assert_str_eq(syscall_by_nr(ARCH_AARCH64, 79)->name, "newfstatat");
	ck_assert_str_eq(syscall_by_nr(ARCH_X86, 300)->name, "fstatat64");
	ck_assert_int_eq(syscall_arg_index(d, "dirfd"), 0);
	ck_assert_int_eq(syscall_arg_index(d, "flags"), 3);
	ck_assert_int_eq(syscall_arg_index(d, "flag"), 3);
}
END_TEST

START_TEST(test_syscall_by_nr)
{
	ck_assert_str_eq(syscall_by_nr(ARCH_X86_64, 257)->name, "openat");
	ck_assert_str_eq(syscall_by_nr(ARCH_X86, 295)->name, "openat");
	ck_assert_str_eq(syscall_by_nr(ARCH_X32, 0x40000000 | 257)->name, "openat");
	ck_assert_str_eq(syscall_by_nr(ARCH_AARCH64, 56)->name, "openat");
	ck_assert_str_eq(syscall_by_nr(ARCH_X86_64, 0)->name, "read");
	ck_assert_ptr_null(syscall_by_nr(ARCH_X32, 257));           /* x32 needs bit 30 */
	/* x86's 90 is the kernel's "mmap" (old_mmap); "mmap" names mmap2 there */
	ck_assert_str_eq(syscall_by_nr(ARCH_X86, 90)->name, "old_mmap");
	ck_assert_str_eq(syscall_by_nr(ARCH_X86, 192)->name, "mmap2");
	ck_assert_ptr_null(syscall_by_nr(ARCH_X86_64, -1));
	ck_assert_ptr_null(syscall_by_nr(ARCH_X86_64, 100000));
	ck_assert_ptr_null(syscall_by_nr((enum arch_id)ARCH_COUNT, 0));
	ck_assert_ptr_null(syscall_by_nr((enum arch_id)-1, 0));
	/* Round trip: every number of every syscall maps back to an entry
	 * with that number. */
	for (size_t i = 0; i < syscall_count(); i++) {
		const struct syscall_desc *d = syscall_at(i);
		for (int a = 0; a < ARCH_COUNT; a++) {
			if (d->nr[a] < 0)
				continue;
			const struct syscall_desc *b = syscall_by_nr((enum arch_id)a, d->nr[a]);
			REQUIRE(b != NULL, "%s (%d on %s) has no canonical entry", d->name, d->nr[a],
				arch_table[a].name);
			REQUIRE(b->nr[a] == d->nr[a], "%s maps back to %s", d->name, b->name);
			REQUIRE(strcmp(b->kname[a], d->kname[a]) == 0,
				"%s on %s: kernel name %s, by number %s", d->name, arch_table[a].name,
				d->kname[a], b->kname[a]);
		}
	}
}
END_TEST

START_TEST(test_constants_per_arch)
{
	const struct constant_desc *c = constant_find("O_DIRECTORY");
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->present, ARCH_MASK_ALL);
	ck_assert_int_eq(c->value[ARCH_X86_64], 0x10000);
	ck_assert_int_eq(c->value[ARCH_X86], 0x10000);
	ck_assert_int_eq(c->value[ARCH_X32], 0x10000);
	ck_assert_int_eq(c->value[ARCH_AARCH64], 0x4000);
	c = constant_find("O_NOFOLLOW");
	ck_assert_int_ne(c->value[ARCH_X86_64], c->value[ARCH_AARCH64]);
	c = constant_find("O_RDONLY");
	ck_assert_int_eq(c->value[ARCH_X86_64], 0);
	ck_assert_int_eq(constant_find("EPERM")->value[ARCH_AARCH64], 1);
	ck_assert_int_eq(constant_find("AT_FDCWD")->value[ARCH_X86_64], -100);
	ck_assert_ptr_null(constant_find("O_NOT_A_FLAG"));
	ck_assert_ptr_null(constant_find(""));
}
END_TEST

/* The per-arch value reaches the compiled rule of each arch. */
START_TEST(test_constants_in_compilation)
{
	const char *path = put("root.policy",
			       "policy p { allow openat if (flags & O_DIRECTORY) == 0; }\n");
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct compilation c;
	struct unit_options none = { 0 };
	unsigned mask = (1u << ARCH_X86_64) | (1u << ARCH_AARCH64);
	int rc = compilation_run(&c, &none, path, NULL, mask, out);
	fflush(out);
	ck_assert_msg(rc == 0, "%s", text);
	const struct rule *x = c.pb.per_arch[ARCH_X86_64].rules.v[0];
	const struct rule *a = c.pb.per_arch[ARCH_AARCH64].rules.v[0];
	ck_assert_uint_eq(x->cond->atom.mask, 0x10000);
	ck_assert_uint_eq(a->cond->atom.mask, 0x4000);
	ck_assert_int_eq(x->nr, 257);
	ck_assert_int_eq(a->nr, 56);
	compilation_free(&c);
	fclose(out);
	free(text);
}
END_TEST

START_TEST(test_tables_sorted_unique)
{
	ck_assert_uint_gt(syscall_count(), 300);
	for (size_t i = 1; i < syscall_count(); i++)
		REQUIRE(strcmp(syscall_at(i - 1)->name, syscall_at(i)->name) < 0,
			"syscalls out of order or repeated: %s, %s", syscall_at(i - 1)->name,
			syscall_at(i)->name);
	ck_assert_ptr_null(syscall_at(syscall_count()));

	ck_assert_uint_gt(constant_count(), 500);
	for (size_t i = 1; i < constant_count(); i++)
		REQUIRE(strcmp(constant_at(i - 1)->name, constant_at(i)->name) < 0,
			"constants out of order or repeated: %s, %s", constant_at(i - 1)->name,
			constant_at(i)->name);
	ck_assert_ptr_null(constant_at(constant_count()));

	/* Sorted is what bsearch needs: every entry is found by its name. */
	for (size_t i = 0; i < syscall_count(); i++)
		REQUIRE(syscall_find(syscall_at(i)->name) == syscall_at(i), "%s not found",
			syscall_at(i)->name);
	for (size_t i = 0; i < constant_count(); i++)
		REQUIRE(constant_find(constant_at(i)->name) == constant_at(i), "%s not found",
			constant_at(i)->name);
}
END_TEST

START_TEST(test_syscall_entries_well_formed)
{
	for (size_t i = 0; i < syscall_count(); i++) {
		const struct syscall_desc *d = syscall_at(i);
		int anywhere = 0;
		for (int a = 0; a < ARCH_COUNT; a++) {
			REQUIRE((d->kname[a] == NULL) == (d->nr[a] < 0),
				"%s on %s: kernel name %s but number %d", d->name, arch_table[a].name,
				d->kname[a] ? d->kname[a] : "(none)", d->nr[a]);
			if (d->nr[a] < 0)
				continue;
			anywhere = 1;
			if (a == ARCH_X32)
				REQUIRE(d->nr[a] & 0x40000000, "%s on x32 lacks bit 30: %#x", d->name,
					d->nr[a]);
			else
				REQUIRE(d->nr[a] < 0x40000000, "%s on %s: %#x", d->name,
					arch_table[a].name, d->nr[a]);
		}
		REQUIRE(anywhere, "%s exists on no arch", d->name);
		REQUIRE(d->nparams <= SYSCALL_MAX_PARAMS, "%s has %u params", d->name, d->nparams);
		if (!d->has_signature) {
			REQUIRE(d->nparams == 0, "%s: no signature but %u params", d->name, d->nparams);
			continue;
		}
		for (int p = 0; p < d->nparams; p++) {
			const struct syscall_param *q = &d->params[p];
			REQUIRE(q->name && *q->name, "%s param %d has no name", d->name, p);
			/* effective widths: 12 (openat's mode), 16 (umode_t), 32, 64 */
			REQUIRE(q->bits >= 1 && q->bits <= 64, "%s.%s is %u bits", d->name, q->name,
				q->bits);
			REQUIRE(!q->alias || strcmp(q->alias, q->name) != 0,
				"%s.%s: alias equals the name", d->name, q->name);
			/* Names are unique within a signature, aliases included. */
			for (int r = 0; r < p; r++) {
				const struct syscall_param *o = &d->params[r];
				REQUIRE(strcmp(o->name, q->name) != 0 &&
						(!q->alias || strcmp(o->name, q->alias) != 0) &&
						(!o->alias || strcmp(o->alias, q->name) != 0) &&
						(!o->alias || !q->alias || strcmp(o->alias, q->alias) != 0),
					"%s: parameters %d and %d share a name", d->name, r, p);
			}
			/* every name finds its own parameter, even one called argN */
			REQUIRE(syscall_arg_index(d, q->name) == p, "%s.%s does not resolve to itself",
				d->name, q->name);
			REQUIRE(!q->alias || syscall_arg_index(d, q->alias) == p,
				"%s.%s does not resolve to itself", d->name, q->alias);
		}
	}
}
END_TEST

START_TEST(test_constant_entries_well_formed)
{
	for (size_t i = 0; i < constant_count(); i++) {
		const struct constant_desc *c = constant_at(i);
		REQUIRE(c->present != 0, "%s is present on no arch", c->name);
		REQUIRE((c->present & ~ARCH_MASK_ALL) == 0, "%s: present %#x", c->name, c->present);
		for (int a = 0; a < ARCH_COUNT; a++)
			if (!(c->present & (1u << a)))
				REQUIRE(c->value[a] == 0, "%s: absent on %s but valued %lld", c->name,
					arch_table[a].name, (long long)c->value[a]);
	}
}
END_TEST

/* ---- large groups: the sweep (analyse.c) against brute force ---- */

/* One generated condition on fd over values below 4096 (masks only on
 * the low 12 bits, so the domain decides every overlap). */
struct gen_cond {
	int kind;            /* 0: ==, 1: range, 2: in, 3: masked == */
	uint32_t a, b, c;
};

static int gen_holds(const struct gen_cond *g, uint32_t v)
{
	switch (g->kind) {
	case 0: return v == g->a;
	case 1: return v >= g->a && v <= g->b;
	case 2: return v == g->a || v == g->b || v == g->c;
	default: return (v & g->a) == g->b;
	}
}

static int gen_print(char *out, size_t len, const struct gen_cond *g)
{
	switch (g->kind) {
	case 0: return snprintf(out, len, "fd == %u", g->a);
	case 1: return snprintf(out, len, "fd >= %u && fd <= %u", g->a, g->b);
	case 2: return snprintf(out, len, "fd in {%u, %u, %u}", g->a, g->b, g->c);
	default: return snprintf(out, len, "(fd & 0x%x) == 0x%x", g->a, g->b);
	}
}

/* A value of block BLOCK of 64 owned by action ACT (blocks go round the
 * three actions), so clean policies never overlap across actions. */
static uint32_t owned(unsigned *seed, int act)
{
	uint32_t block = (uint32_t)(rand_r(seed) % 21) * 3 + (uint32_t)act;
	return block * 64 + (uint32_t)(rand_r(seed) % 64);
}

START_TEST(test_large_groups_match_brute_force)
{
	static const char *const actions[] = { "allow", "errno(EACCES)", "trap" };
	unsigned seed = 4242;
	int conflicts = 0, clean = 0;
	for (int trial = 0; trial < 40; trial++) {
		size_t n = 70 + (size_t)(rand_r(&seed) % 80);
		struct gen_cond g[160];
		int act[160];
		char *text = NULL;
		size_t tlen = 0;
		FILE *f = open_memstream(&text, &tlen);
		fprintf(f, "policy p {\n default errno(EPERM);\n arch x86_64;\n");
		for (size_t i = 0; i < n; i++) {
			act[i] = rand_r(&seed) % 3;
			g[i].kind = rand_r(&seed) % 3;
			g[i].a = owned(&seed, act[i]);
			g[i].b = g[i].kind == 1 ? g[i].a + (uint32_t)(rand_r(&seed) % (64 - g[i].a % 64))
						: owned(&seed, act[i]);
			g[i].c = owned(&seed, act[i]);
		}
		/* Half the trials get one rule that may reach into others. */
		if (trial % 2) {
			size_t i = (size_t)(rand_r(&seed) % n);
			g[i].kind = 1 + 2 * (rand_r(&seed) % 2);
			g[i].a = (uint32_t)(rand_r(&seed) % 4000);
			g[i].b = g[i].kind == 1 ? g[i].a + (uint32_t)(rand_r(&seed) % 90) : 0;
			if (g[i].kind == 3) {   /* a mask over the low 12 bits */
				g[i].a = (uint32_t)rand_r(&seed) & 0xfff;
				g[i].b = (uint32_t)rand_r(&seed) & g[i].a;
			}
		}
		for (size_t i = 0; i < n; i++) {
			char c[96];
			gen_print(c, sizeof(c), &g[i]);
			fprintf(f, " %s write if %s;\n", actions[act[i]], c);
		}
		fprintf(f, "}\n");
		fclose(f);
		int want = 0;
		for (uint32_t v = 0; v < 4096 && !want; v++) {
			int seen = -1;
			for (size_t i = 0; i < n && !want; i++)
				if (gen_holds(&g[i], v)) {
					if (seen >= 0 && seen != act[i])
						want = 1;
					seen = act[i];
				}
		}
		const char *path = put("large.policy", text);
		char *diag = NULL;
		size_t dlen = 0;
		FILE *out = open_memstream(&diag, &dlen);
		struct compilation c;
		int rc = compilation_run(&c, NULL, path, NULL, 1u << ARCH_X86_64, out);
		fclose(out);
		int got = strstr(diag, "conflict:") != NULL;
		ck_assert_msg(got == want, "trial %d (%zu rules): brute force says %s, compile says: %.300s",
			      trial, n, want ? "conflict" : "none", diag);
		ck_assert_msg(want || rc == 0, "trial %d: %.300s", trial, diag);
		conflicts += want;
		clean += !want;
		compilation_free(&c);
		free(text);
		free(diag);
	}
	ck_assert_int_gt(conflicts, 5);   /* both kinds were really tried */
	ck_assert_int_gt(clean, 5);
}
END_TEST

static Suite *front_suite(void)
{
	Suite *s = suite_create("front");
	TCase *t = tcase_create("scanner");
	tcase_add_checked_fixture(t, make_tmpdir, remove_tmpdir);
	tcase_add_test(t, test_integers_every_base);
	tcase_add_test(t, test_integer_errors);
	tcase_add_test(t, test_comments);
	tcase_add_test(t, test_strings);
	tcase_add_test(t, test_unexpected_characters);
	tcase_add_test(t, test_token_locations);
	tcase_add_test(t, test_diagnostic_shape);
	suite_add_tcase(s, t);

	t = tcase_create("analysis");
	tcase_add_checked_fixture(t, make_tmpdir, remove_tmpdir);
	tcase_add_test(t, test_large_groups_match_brute_force);
	tcase_set_timeout(t, 120);
	suite_add_tcase(s, t);

	t = tcase_create("parser");
	tcase_add_checked_fixture(t, make_tmpdir, remove_tmpdir);
	tcase_add_test(t, test_items);
	tcase_add_test(t, test_statement_kinds);
	tcase_add_test(t, test_actions);
	tcase_add_test(t, test_condition_shapes);
	tcase_add_test(t, test_expression_precedence);
	tcase_add_test(t, test_error_recovery);
	tcase_add_test(t, test_truncated_inputs);
	suite_add_tcase(s, t);

	t = tcase_create("resolve");
	tcase_add_checked_fixture(t, make_tmpdir, remove_tmpdir);
	tcase_add_test(t, test_import_relative);
	tcase_add_test(t, test_import_include_dirs);
	tcase_add_test(t, test_import_cycles_and_sharing);
	tcase_add_test(t, test_use_before_definition);
	tcase_add_test(t, test_use_cycles);
	tcase_add_test(t, test_define_override);
	tcase_add_test(t, test_define_in_compilation);
	tcase_add_test(t, test_unknown_names_suggest);
	tcase_add_test(t, test_argument_names);
	tcase_add_test(t, test_misplaced_and_duplicates);
	tcase_add_test(t, test_resolved_bindings);
	tcase_add_test(t, test_expression_entry);
	tcase_add_test(t, test_missing_root);
	suite_add_tcase(s, t);

	t = tcase_create("tables");
	tcase_add_checked_fixture(t, make_tmpdir, remove_tmpdir);
	tcase_add_test(t, test_openat_numbers);
	tcase_add_test(t, test_fstatat_alias);
	tcase_add_test(t, test_syscall_by_nr);
	tcase_add_test(t, test_constants_per_arch);
	tcase_add_test(t, test_constants_in_compilation);
	tcase_add_test(t, test_tables_sorted_unique);
	tcase_add_test(t, test_syscall_entries_well_formed);
	tcase_add_test(t, test_constant_entries_well_formed);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(front_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
