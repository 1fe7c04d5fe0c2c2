/* State shared by the scanner and the parser of one file. */
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
};

/* Parses ctx->src into ctx->file. Errors go to ctx->diag; the parser
 * recovers at the next ';' or '}' so that one run reports them all. */
void parse_file(struct parse_ctx *ctx);

#endif
