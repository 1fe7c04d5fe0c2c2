/* Names of AST enums, and printing nodes back as they would be written
 * (ast.h), for messages, `sysfence doc` and OCI export. */
#include "frontend/ast.h"

const char *action_name(enum action_kind k)
{
	static const char *const names[] = {
		[ACT_ALLOW] = "allow", [ACT_LOG] = "log", [ACT_TRAP] = "trap",
		[ACT_NOTIFY] = "notify", [ACT_KILL_THREAD] = "kill_thread",
		[ACT_KILL_PROCESS] = "kill_process", [ACT_ERRNO] = "errno",
		[ACT_TRACE] = "trace",
	};
	return names[k];
}

const char *relop_str(enum relop op)
{
	static const char *const s[] = {
		[OP_EQ] = "==", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=",
		[OP_GT] = ">", [OP_GE] = ">=", [OP_IN] = "in", [OP_NOT_IN] = "not in",
	};
	return s[op];
}

/* ---- printing, as the source would say it (for docs and messages) ---- */

#include <stdio.h>

static int binary_prec(int op)
{
	switch (op) {
	case '|': return 1;
	case '^': return 2;
	case '&': return 3;
	case 'L': case 'R': return 4;
	case '+': case '-': return 5;
	case '*': return 6;
	}
	return 7;
}

static void print_expr_prec(FILE *out, const struct expr *e, int outer)
{
	switch (e->kind) {
	case EXPR_NUM:
		if (e->num < 10)
			fprintf(out, "%llu", (unsigned long long)e->num);
		else
			fprintf(out, "0x%llx", (unsigned long long)e->num);
		return;
	case EXPR_NAME:
		fputs(e->name, out);
		return;
	case EXPR_UNARY:
		fputc(e->op, out);
		print_expr_prec(out, e->lhs, 7);
		return;
	case EXPR_BINARY: {
		int p = binary_prec(e->op);
		if (p < outer)
			fputc('(', out);
		print_expr_prec(out, e->lhs, p);
		fprintf(out, " %s ", e->op == 'L' ? "<<" : e->op == 'R' ? ">>" : (char[]){ (char)e->op, 0 });
		print_expr_prec(out, e->rhs, p + 1);
		if (p < outer)
			fputc(')', out);
		return;
	}
	}
}

void ast_print_expr(FILE *out, const struct expr *e)
{
	print_expr_prec(out, e, 0);
}

static void print_cond_prec(FILE *out, const struct cond *c, int outer)
{
	switch (c->kind) {
	case COND_OR:
	case COND_AND: {
		int p = c->kind == COND_OR ? 1 : 2;
		if (p < outer)
			fputc('(', out);
		print_cond_prec(out, c->lhs, p);
		fputs(c->kind == COND_OR ? " || " : " && ", out);
		print_cond_prec(out, c->rhs, p);
		if (p < outer)
			fputc(')', out);
		return;
	}
	case COND_NOT:
		fputc('!', out);
		print_cond_prec(out, c->lhs, 3);
		return;
	case COND_CMP:
		break;
	}
	if (c->mask) {
		fprintf(out, "(%s & ", c->arg);
		print_expr_prec(out, c->mask, 7);   /* parenthesise: reads as C would */
		fputc(')', out);
	} else {
		fputs(c->arg, out);
	}
	fprintf(out, " %s ", relop_str(c->op));
	if (c->op == OP_IN || c->op == OP_NOT_IN) {
		fputc('{', out);
		for (size_t i = 0; i < c->set.n; i++) {
			if (i)
				fputs(", ", out);
			ast_print_expr(out, c->set.v[i]);
		}
		fputc('}', out);
	} else {
		ast_print_expr(out, c->value);
	}
}

void ast_print_cond(FILE *out, const struct cond *c)
{
	print_cond_prec(out, c, 0);
}

void ast_print_action(FILE *out, const struct action *a)
{
	fputs(action_name(a->kind), out);
	if (a->arg) {
		fputc('(', out);
		ast_print_expr(out, a->arg);
		fputc(')', out);
	}
}
