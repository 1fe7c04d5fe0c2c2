/* Grammar of the sysfence policy language (docs/language.md).
 * A pure parser: all state lives in struct parse_ctx. It builds the AST of
 * one file; names are bound later, by the resolver. */
%require "3.7"
%define api.pure full
%define parse.error detailed
%locations
%expect 0
%param { struct parse_ctx *ctx }

%code requires {
#include "frontend/parse_ctx.h"
}

%code {
#include <string.h>

/* The parser's own stack grows with nesting too ('!', '(' and unary
 * operators are shifted before anything is reduced): past this it gives
 * up with "memory exhausted", which yyerror words as the depth limit.
 * A level of `a || (b || (...))` takes three entries, `!(` two, and a
 * file's own structure a few dozen; parentheses alone add no level to
 * the tree, but 60000 of them stop here. (The stack is on the heap.) */
#define YYMAXDEPTH (4 * AST_DEPTH_MAX + 500)

#include "frontend/lint_ids.h"

/* The scanner's entry point, named by flex; wrapped so both sides can
 * share one %param. */
int sf_lex(YYSTYPE *lval, YYLTYPE *lloc, void *scanner);

static int yylex(YYSTYPE *lval, YYLTYPE *lloc, struct parse_ctx *ctx)
{
	/* The first token is made up here and says what to parse: one
	 * grammar, two entry points (see `start`). */
	if (!ctx->started) {
		ctx->started = 1;
		/* where the text starts: an empty value's "unexpected end of
		 * file" points there */
		lloc->first_line = lloc->last_line = ctx->line;
		lloc->first_column = lloc->last_column = ctx->col;
		return ctx->expr_only ? START_EXPR : START_FILE;
	}
	/* After too many errors, the rest of the file is not read: an end of
	 * file now ends the parse (what it says about that is not shown). */
	if (diag_stopped(ctx->diag))
		return YYEOF;
	return sf_lex(lval, lloc, ctx->scanner);
}

static struct loc L(struct parse_ctx *ctx, YYLTYPE l)
{
	return (struct loc){ ctx->src, l.first_line, l.first_column };
}

static void yyerror(YYLTYPE *l, struct parse_ctx *ctx, const char *msg)
{
	/* Bison says "syntax error, unexpected X, expecting Y"; keep the
	 * useful part. */
	if (strncmp(msg, "syntax error, ", 14) == 0)
		msg += 14;
	if (strcmp(msg, "memory exhausted") == 0) {
		diag_error(ctx->diag, L(ctx, *l), "expression nests too deeply: more than %d levels",
			   AST_DEPTH_MAX);
		return;
	}
	diag_error(ctx->diag, L(ctx, *l), "%s", msg);
	/* An annotation at the end of a body or file applies to nothing. */
	if (ctx->dangling.src && (strncmp(msg, "unexpected '}'", 14) == 0 ||
				  strncmp(msg, "unexpected end of file", 22) == 0))
		diag_note(ctx->diag, ctx->dangling,
			  "this annotation must be followed by what it applies to");
	/* At the end of the file, say which '{' is still open. */
	if (ctx->open_name && strncmp(msg, "unexpected end of file", 22) == 0)
		diag_note(ctx->diag, ctx->open_brace, "the '{' of '%s' opened here is never closed",
			  ctx->open_name);
}

static void open_brace(struct parse_ctx *ctx, const char *name, YYLTYPE l)
{
	ctx->open_brace = L(ctx, l);
	ctx->open_name = name;
	ctx->dangling = (struct loc){ 0 };   /* the ruleset's annotations have their owner */
}

static void *node(struct parse_ctx *ctx, size_t size)
{
	return arena_alloc(ctx->arena, size);
}

static struct expr *expr_new(struct parse_ctx *ctx, enum expr_kind k, YYLTYPE l)
{
	struct expr *e = node(ctx, sizeof(*e));
	e->kind = k;
	e->loc = L(ctx, l);
	e->depth = 1;
	return e;
}

/* Whether a node DEPTH levels deep is over AST_DEPTH_MAX; reported at OP,
 * the operator that goes over, unless a child was cut and reported
 * already (one error per overlong chain, not one per operator after it). */
static int too_deep(struct parse_ctx *ctx, int depth, int reported, YYLTYPE op)
{
	if (depth <= AST_DEPTH_MAX)
		return 0;
	if (!reported)
		diag_error(ctx->diag, L(ctx, op), "expression nests too deeply: more than %d levels",
			   AST_DEPTH_MAX);
	return 1;
}

static int max_depth(int a, int b)
{
	return a > b ? a : b;
}

/* An over-deep node is not built: its deeper operand stands for it, so no
 * tree past the parser is deeper than AST_DEPTH_MAX. */
static struct expr *cut_expr(struct expr *a, struct expr *b)
{
	struct expr *keep = !b || a->depth >= b->depth ? a : b;
	keep->too_deep = 1;
	return keep;
}

static struct expr *unary(struct parse_ctx *ctx, int op, struct expr *a, YYLTYPE l)
{
	if (too_deep(ctx, a->depth + 1, a->too_deep, l))
		return cut_expr(a, NULL);
	struct expr *e = expr_new(ctx, EXPR_UNARY, l);
	e->op = op;
	e->op_loc = e->loc;
	e->lhs = a;
	e->depth = a->depth + 1;
	return e;
}

static struct expr *binary(struct parse_ctx *ctx, int op, struct expr *a,
			   struct expr *b, YYLTYPE l)
{
	int depth = 1 + max_depth(a->depth, b->depth);
	if (too_deep(ctx, depth, a->too_deep || b->too_deep, l))
		return cut_expr(a, b);
	struct expr *e = expr_new(ctx, EXPR_BINARY, l);
	e->op = op;
	e->op_loc = e->loc;
	e->lhs = a;
	e->rhs = b;
	e->depth = depth;
	e->loc = a->loc;   /* a binary expression is where its left side starts */
	return e;
}

static struct cond *cond_new(struct parse_ctx *ctx, enum cond_kind k, YYLTYPE l)
{
	struct cond *c = node(ctx, sizeof(*c));
	c->kind = k;
	c->loc = L(ctx, l);
	c->depth = 1;
	return c;
}

static struct cond *cut_cond(struct cond *a, struct cond *b)
{
	struct cond *keep = !b || a->depth >= b->depth ? a : b;
	keep->too_deep = 1;
	return keep;
}

/* A || B, A && B (B NULL: ! A), at operator OP; see too_deep. */
static struct cond *cond_op(struct parse_ctx *ctx, enum cond_kind k, struct cond *a,
			    struct cond *b, YYLTYPE at, YYLTYPE op)
{
	int depth = 1 + max_depth(a->depth, b ? b->depth : 0);
	if (too_deep(ctx, depth, a->too_deep || (b && b->too_deep), op))
		return cut_cond(a, b);
	struct cond *c = cond_new(ctx, k, at);
	c->lhs = a;
	c->rhs = b;
	c->depth = depth;
	return c;
}

static struct stmt *stmt_new(struct parse_ctx *ctx, enum stmt_kind k, YYLTYPE l)
{
	struct stmt *s = node(ctx, sizeof(*s));
	ctx->dangling = (struct loc){ 0 };
	s->kind = k;
	s->loc = L(ctx, l);
	return s;
}

/* Copies a vector of pointers to struct T into a packed array of T. */
static void *pack(struct parse_ctx *ctx, struct ptrvec *pv, size_t elem, size_t *n)
{
	unsigned char *out = node(ctx, pv->n * elem + 1);
	for (size_t i = 0; i < pv->n; i++)
		memcpy(out + i * elem, pv->v[i], elem);
	*n = pv->n;
	return out;
}

static struct ruleset *ruleset_new(struct parse_ctx *ctx, const char *name,
				   YYLTYPE l, int is_policy, struct ptrvec stmts, struct quiet *quiet)
{
	struct ruleset *rs = node(ctx, sizeof(*rs));
	rs->name = name;
	rs->quiet = quiet;
	rs->loc = L(ctx, l);
	rs->is_policy = is_policy;
	rs->file = ctx->file;
	rs->stmts = stmts;
	ptrvec_push(ctx->arena, &ctx->file->rulesets, rs);
	return rs;
}

static struct import *import_new(struct parse_ctx *ctx, struct quiet *quiet, const char *path,
				  YYLTYPE l, const char *alias)
{
	struct import *im = node(ctx, sizeof(*im));
	ctx->dangling = (struct loc){ 0 };
	im->loc = L(ctx, l);
	im->path = path;
	im->alias = alias;
	im->quiet = quiet;
	ptrvec_push(ctx->arena, &ctx->file->imports, im);
	return im;
}

/* One argument of @name(...): a warning id or the reason string. */
struct annot_arg {
	const char *text;
	struct loc loc;
	int is_reason;
};

static struct ptrvec annot_arg(struct parse_ctx *ctx, struct ptrvec v, const char *text,
			       YYLTYPE l, int is_reason)
{
	struct annot_arg *a = node(ctx, sizeof(*a));
	*a = (struct annot_arg){ text, L(ctx, l), is_reason };
	ptrvec_push(ctx->arena, &v, a);
	return v;
}

/* Checks the reason of @quiet(ARGS): required, last, not empty, so that
 * every silenced warning says why it does not apply. Returns it or NULL. */
static const char *quiet_reason(struct parse_ctx *ctx, YYLTYPE at, struct ptrvec args)
{
	for (size_t i = 0; i + 1 < args.n; i++) {
		struct annot_arg *a = args.v[i];
		if (a->is_reason) {
			diag_error(ctx->diag, a->loc,
				   "@quiet takes warning ids and then one reason string, last");
			return NULL;
		}
	}
	struct annot_arg *last = args.n ? args.v[args.n - 1] : NULL;
	if (!last || !last->is_reason) {
		diag_error(ctx->diag, L(ctx, at),
			   "@quiet needs a reason: @quiet(WARNING-ID, \"why it does not apply here\")");
		return NULL;
	}
	if (strspn(last->text, " \t") == strlen(last->text)) {
		diag_error(ctx->diag, last->loc,
			   "the reason of @quiet is empty; say why the warning does not apply here");
		return NULL;
	}
	if (args.n == 1)
		diag_error(ctx->diag, L(ctx, at), "@quiet names no warning id to silence");
	return last->text;
}

/* Turns @NAME(ARGS) into one struct quiet per known id. A bad reason is
 * an error, but the ids still silence their warnings: the file fails
 * anyway, and the warnings would only bury the error. */
static struct quiet *annotation(struct parse_ctx *ctx, YYLTYPE at, const char *name,
				YYLTYPE name_l, struct ptrvec args)
{
	if (strcmp(name, "quiet") != 0) {
		diag_error(ctx->diag, L(ctx, name_l),
			   "unknown annotation '@%s'; the only annotation is '@quiet'", name);
		return NULL;
	}
	const char *reason = quiet_reason(ctx, at, args);
	struct quiet *head = NULL, **tail = &head;
	for (size_t i = 0; i < args.n; i++) {
		struct annot_arg *a = args.v[i];
		if (a->is_reason || !lint_id_check(ctx->diag, a->text, a->loc))
			continue;
		struct quiet *q = node(ctx, sizeof(*q));
		*q = (struct quiet){ .id = a->text, .loc = a->loc, .reason = reason ? reason : "" };
		*tail = q;
		tail = &q->next;
	}
	return head;
}

/* Consts and arch lists have no warnings to silence. */
static void no_quiet(struct parse_ctx *ctx, const struct quiet *q, const char *what)
{
	ctx->dangling = (struct loc){ 0 };
	if (q)
		diag_error(ctx->diag, q->loc,
			   "@quiet cannot apply to %s: it goes before an import, ruleset, policy, rule, 'default' or 'use'",
			   what);
}

static struct quiet *quiet_append(struct quiet *list, struct quiet *more)
{
	struct quiet **tail = &list;
	while (*tail)
		tail = &(*tail)->next;
	*tail = more;
	return list;
}

static struct cond *cmp_new(struct cond *lhs, enum relop op)
{
	lhs->op = op;
	return lhs;
}
}

%union {
	char *str;
	uint64_t num;
	struct expr *expr;
	struct cond *cond;
	struct stmt *stmt;
	struct action action;
	struct ptrvec vec;
	int flag;
	enum relop relop;
	struct quiet *quiet;
}

%token <str> IDENT "identifier" STRING "string"
%token <num> INTEGER "integer"
%token <str> ANNOT_WORD "warning id"
%token KW_IMPORT "'import'" KW_AS "'as'" KW_CONST "'const'" KW_RULESET "'ruleset'"
%token KW_POLICY "'policy'" KW_DEFAULT "'default'" KW_ARCH "'arch'" KW_USE "'use'"
%token KW_OVERRIDE "'override'" KW_IF "'if'" KW_IN "'in'" KW_NOT "'not'"
%token KW_ALLOW "'allow'" KW_LOG "'log'" KW_TRAP "'trap'" KW_NOTIFY "'notify'"
%token KW_KILL_THREAD "'kill_thread'" KW_KILL_PROCESS "'kill_process'"
%token KW_ERRNO "'errno'" KW_TRACE "'trace'"
%token OP_ANDAND "'&&'" OP_OROR "'||'" OP_EQEQ "'=='" OP_NEQ "'!='"
%token OP_LEQ "'<='" OP_GEQ "'>='" OP_SHL "'<<'" OP_SHR "'>>'"
/* Never scanned: yylex gives one of them first (parse_file, parse_expr). */
%token START_FILE "start of file" START_EXPR "start of expression"

%type <expr> expr
%type <cond> cond cmp lhs opt_cond
%type <stmt> stmt rule
%type <action> action
%type <vec> body name_list syscall_list ident_list expr_list annot_args
%type <quiet> quiets annotation
%type <flag> opt_override
%type <relop> relop

%left OP_OROR
%left OP_ANDAND
%precedence '!'
%left '|'
%left '^'
%left '&'
%left OP_SHL OP_SHR
%left '+' '-'
%left '*'
%precedence UNARY

%%

/* A policy file, or one constant expression on its own (a value given on
 * the command line), which then goes through the same resolver and
 * evaluator as one written in a file. */
start
	: START_FILE file
	| START_EXPR expr { ctx->expr = $2; }
	;

file
	: %empty
	| file item
	;

item
	: quiets KW_IMPORT STRING ';' { import_new(ctx, $1, $3, @3, NULL); }
	| quiets KW_IMPORT STRING KW_AS IDENT ';' { import_new(ctx, $1, $3, @3, $5); }
	| quiets KW_CONST IDENT '=' expr ';' {
		no_quiet(ctx, $1, "a const");
		struct const_decl *c = node(ctx, sizeof(*c));
		c->name = $3;
		c->loc = L(ctx, @3);
		c->value = $5;
		c->file = ctx->file;
		ptrvec_push(ctx->arena, &ctx->file->consts, c);
	}
	| quiets KW_RULESET IDENT '{' { open_brace(ctx, $3, @4); } body '}' {
		ruleset_new(ctx, $3, @3, 0, $6, $1);
		ctx->open_name = NULL;
	}
	| quiets KW_POLICY IDENT '{' { open_brace(ctx, $3, @4); } body '}' {
		ruleset_new(ctx, $3, @3, 1, $6, $1);
		ctx->open_name = NULL;
	}
	| error ';'
	| error '}' { ctx->open_name = NULL; }
	;

/* Annotations come before the import, ruleset, policy or statement they
 * apply to. */
quiets
	: %empty { $$ = NULL; }
	| quiets annotation {
		$$ = quiet_append($1, $2);
		if (!ctx->dangling.src)
			ctx->dangling = L(ctx, @2);
	}
	;

annotation
	: '@' ANNOT_WORD '(' annot_args ')' { $$ = annotation(ctx, @1, $2, @2, $4); }
	;

annot_args
	: ANNOT_WORD { memset(&$$, 0, sizeof($$)); $$ = annot_arg(ctx, $$, $1, @1, 0); }
	| STRING     { memset(&$$, 0, sizeof($$)); $$ = annot_arg(ctx, $$, $1, @1, 1); }
	| annot_args ',' ANNOT_WORD { $$ = annot_arg(ctx, $1, $3, @3, 0); }
	| annot_args ',' STRING     { $$ = annot_arg(ctx, $1, $3, @3, 1); }
	;

body
	: %empty { memset(&$$, 0, sizeof($$)); }
	| body stmt { $$ = $1; if ($2) ptrvec_push(ctx->arena, &$$, $2); }
	;

stmt
	: quiets KW_USE name_list ';' {
		$$ = stmt_new(ctx, STMT_USE, @2);
		$$->quiet = $1;
		$$->uses = pack(ctx, &$3, sizeof(struct name_ref), &$$->nuses);
		for (size_t i = 0; i < $$->nuses; i++)
			$$->uses[i].stmt = $$;
	}
	| quiets rule ';' { $$ = $2; $$->quiet = $1; }
	| quiets KW_DEFAULT action ';' {
		$$ = stmt_new(ctx, STMT_DEFAULT, @2);
		$$->quiet = $1;
		$$->action = $3;
	}
	| quiets KW_ARCH ident_list ';' {
		no_quiet(ctx, $1, "an 'arch' list");
		$$ = stmt_new(ctx, STMT_ARCH, @2);
		$$->arches = pack(ctx, &$3, sizeof(struct arch_ref), &$$->narches);
	}
	| error ';' { $$ = NULL; }
	;

name_list
	: IDENT {
		memset(&$$, 0, sizeof($$));
		struct name_ref *n = node(ctx, sizeof(*n));
		n->loc = L(ctx, @1);
		n->name = $1;
		ptrvec_push(ctx->arena, &$$, n);
	}
	| IDENT '.' IDENT {
		memset(&$$, 0, sizeof($$));
		struct name_ref *n = node(ctx, sizeof(*n));
		n->loc = L(ctx, @1);
		n->qualifier = $1;
		n->name = $3;
		ptrvec_push(ctx->arena, &$$, n);
	}
	| name_list ',' IDENT {
		$$ = $1;
		struct name_ref *n = node(ctx, sizeof(*n));
		n->loc = L(ctx, @3);
		n->name = $3;
		ptrvec_push(ctx->arena, &$$, n);
	}
	| name_list ',' IDENT '.' IDENT {
		$$ = $1;
		struct name_ref *n = node(ctx, sizeof(*n));
		n->loc = L(ctx, @3);
		n->qualifier = $3;
		n->name = $5;
		ptrvec_push(ctx->arena, &$$, n);
	}
	;

ident_list
	: IDENT {
		memset(&$$, 0, sizeof($$));
		struct arch_ref *a = node(ctx, sizeof(*a));
		a->loc = L(ctx, @1);
		a->name = $1;
		a->arch = -1;
		ptrvec_push(ctx->arena, &$$, a);
	}
	| ident_list ',' IDENT {
		$$ = $1;
		struct arch_ref *a = node(ctx, sizeof(*a));
		a->loc = L(ctx, @3);
		a->name = $3;
		a->arch = -1;
		ptrvec_push(ctx->arena, &$$, a);
	}
	;

rule
	: opt_override action syscall_list opt_cond {
		$$ = stmt_new(ctx, STMT_RULE, $1 ? @1 : @2);
		$$->override = $1;
		$$->action = $2;
		$$->syscalls = pack(ctx, &$3, sizeof(struct syscall_ref), &$$->nsyscalls);
		$$->cond = $4;
	}
	;

opt_override
	: %empty      { $$ = 0; }
	| KW_OVERRIDE { $$ = 1; }
	;

action
	: KW_ALLOW        { $$ = (struct action){ ACT_ALLOW, L(ctx, @1), NULL }; }
	| KW_LOG          { $$ = (struct action){ ACT_LOG, L(ctx, @1), NULL }; }
	| KW_TRAP         { $$ = (struct action){ ACT_TRAP, L(ctx, @1), NULL }; }
	| KW_NOTIFY       { $$ = (struct action){ ACT_NOTIFY, L(ctx, @1), NULL }; }
	| KW_KILL_THREAD  { $$ = (struct action){ ACT_KILL_THREAD, L(ctx, @1), NULL }; }
	| KW_KILL_PROCESS { $$ = (struct action){ ACT_KILL_PROCESS, L(ctx, @1), NULL }; }
	| KW_ERRNO '(' expr ')' { $$ = (struct action){ ACT_ERRNO, L(ctx, @1), $3 }; }
	| KW_TRACE '(' expr ')' { $$ = (struct action){ ACT_TRACE, L(ctx, @1), $3 }; }
	;

syscall_list
	: IDENT {
		memset(&$$, 0, sizeof($$));
		struct syscall_ref *s = node(ctx, sizeof(*s));
		s->loc = L(ctx, @1);
		s->name = $1;
		ptrvec_push(ctx->arena, &$$, s);
	}
	| INTEGER {
		memset(&$$, 0, sizeof($$));
		struct syscall_ref *s = node(ctx, sizeof(*s));
		s->loc = L(ctx, @1);
		s->number = $1;
		ptrvec_push(ctx->arena, &$$, s);
	}
	| syscall_list ',' IDENT {
		$$ = $1;
		struct syscall_ref *s = node(ctx, sizeof(*s));
		s->loc = L(ctx, @3);
		s->name = $3;
		ptrvec_push(ctx->arena, &$$, s);
	}
	| syscall_list ',' INTEGER {
		$$ = $1;
		struct syscall_ref *s = node(ctx, sizeof(*s));
		s->loc = L(ctx, @3);
		s->number = $3;
		ptrvec_push(ctx->arena, &$$, s);
	}
	;

opt_cond
	: %empty       { $$ = NULL; }
	| KW_IF cond   { $$ = $2; }
	;

cond
	: cond OP_OROR cond   { $$ = cond_op(ctx, COND_OR, $1, $3, @1, @2); }
	| cond OP_ANDAND cond { $$ = cond_op(ctx, COND_AND, $1, $3, @1, @2); }
	| '!' cond            { $$ = cond_op(ctx, COND_NOT, $2, NULL, @1, @1); }
	| '(' cond ')' { $$ = $2; }
	| cmp
	;

cmp
	: lhs relop expr { $$ = cmp_new($1, $2); $$->value = $3; }
	| lhs KW_IN '{' expr_list '}' {
		$$ = cmp_new($1, OP_IN);
		$$->set.v = (struct expr **)$4.v;
		$$->set.n = $4.n;
	}
	| lhs KW_NOT KW_IN '{' expr_list '}' {
		$$ = cmp_new($1, OP_NOT_IN);
		$$->set.v = (struct expr **)$5.v;
		$$->set.n = $5.n;
	}
	;

lhs
	: IDENT {
		$$ = cond_new(ctx, COND_CMP, @1);
		$$->arg = $1;
		$$->arg_loc = L(ctx, @1);
	}
	| '(' IDENT '&' expr ')' {
		$$ = cond_new(ctx, COND_CMP, @1);
		$$->arg = $2;
		$$->arg_loc = L(ctx, @2);
		$$->mask = $4;
	}
	;

relop
	: OP_EQEQ { $$ = OP_EQ; }
	| OP_NEQ  { $$ = OP_NE; }
	| '<'     { $$ = OP_LT; }
	| OP_LEQ  { $$ = OP_LE; }
	| '>'     { $$ = OP_GT; }
	| OP_GEQ  { $$ = OP_GE; }
	;

expr_list
	: expr { memset(&$$, 0, sizeof($$)); ptrvec_push(ctx->arena, &$$, $1); }
	| expr_list ',' expr { $$ = $1; ptrvec_push(ctx->arena, &$$, $3); }
	;

expr
	: INTEGER { $$ = expr_new(ctx, EXPR_NUM, @1); $$->num = $1; }
	| IDENT   { $$ = expr_new(ctx, EXPR_NAME, @1); $$->name = $1; }
	| '(' expr ')' { $$ = $2; }
	| '-' expr %prec UNARY { $$ = unary(ctx, '-', $2, @1); }
	| '~' expr %prec UNARY { $$ = unary(ctx, '~', $2, @1); }
	| expr '|' expr    { $$ = binary(ctx, '|', $1, $3, @2); }
	| expr '^' expr    { $$ = binary(ctx, '^', $1, $3, @2); }
	| expr '&' expr    { $$ = binary(ctx, '&', $1, $3, @2); }
	| expr OP_SHL expr { $$ = binary(ctx, 'L', $1, $3, @2); }
	| expr OP_SHR expr { $$ = binary(ctx, 'R', $1, $3, @2); }
	| expr '+' expr    { $$ = binary(ctx, '+', $1, $3, @2); }
	| expr '-' expr    { $$ = binary(ctx, '-', $1, $3, @2); }
	| expr '*' expr    { $$ = binary(ctx, '*', $1, $3, @2); }
	;

%%

#include "lexer.h"

/* Scans ctx->src from byte OFFSET, which is column OFFSET + 1 of its
 * first line, and parses what ctx->expr_only asks for. Returns yyparse's
 * result (0: no syntax error). */
static int parse_from(struct parse_ctx *ctx, size_t offset)
{
	yyscan_t scanner;
	if (sf_lex_init_extra(ctx, &scanner) != 0) {
		diag_error(ctx->diag, (struct loc){ ctx->src, 1, 1 }, "cannot start the scanner");
		return -1;
	}
	ctx->scanner = scanner;
	ctx->started = 0;
	ctx->line = 1;
	ctx->col = (int)offset + 1;
	YY_BUFFER_STATE buf = sf__scan_bytes(ctx->src->text + offset,
					     (int)(ctx->src->len - offset), scanner);
	int rc = yyparse(ctx);
	sf__delete_buffer(buf, scanner);
	sf_lex_destroy(scanner);
	ctx->scanner = NULL;
	return rc;
}

void parse_file(struct parse_ctx *ctx)
{
	ctx->expr_only = 0;
	parse_from(ctx, 0);
}

struct expr *parse_expr(struct parse_ctx *ctx, size_t offset)
{
	int errors = ctx->diag->errors;
	ctx->expr_only = 1;
	ctx->expr = NULL;
	/* The scanner reports bad literals and characters and goes on, so a
	 * clean parse is not enough. */
	if (parse_from(ctx, offset) != 0 || ctx->diag->errors != errors)
		return NULL;
	return ctx->expr;
}
