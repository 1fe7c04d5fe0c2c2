/* State shared by the scanner and the parser of one file (or of one
 * expression: parse_expr). */
#ifndef SYSFENCE_PARSE_CTX_H
#define SYSFENCE_PARSE_CTX_H

#include "frontend/ast.h"

struct parse_ctx {
	struct arena *arena;
	struct diag *diag;
	const struct source *src;
	struct policy_file *file;
	void *scanner;
	int line, col;       /* scanner position of the next character */
	struct loc open_brace;      /* '{' of the ruleset being parsed, if any */
	const char *open_name;
	struct loc dangling;        /* '@' of annotations not yet attached, if any */
	int expr_only;              /* parse_expr: one expression, not a file */
	int started;                /* the entry token has been handed to the parser */
	struct expr *expr;          /* parse_expr's result */
};

/* Parses ctx->src into ctx->file. Errors go to ctx->diag; the parser
 * recovers at the next ';' or '}' so that one run reports them all. */
void parse_file(struct parse_ctx *ctx);

/* Parses ctx->src's text from byte OFFSET (column OFFSET + 1 of line 1) to
 * its end as one constant expression of the language, for values written
 * outside a policy (sim's arguments); ctx->file may be NULL. Returns its
 * AST, names unresolved, or NULL after diagnosing every error in ctx->diag
 * at its place in that text. */
struct expr *parse_expr(struct parse_ctx *ctx, size_t offset);

#endif
