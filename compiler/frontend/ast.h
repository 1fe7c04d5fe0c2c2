/* The syntax tree of one policy file, as the parser builds it.
 *
 * Nodes are allocated from the compilation's arena and never freed
 * individually. Every node carries the location it was written at; later
 * stages fill in the `resolved` fields but never change what was parsed. */
#ifndef SYSFENCE_AST_H
#define SYSFENCE_AST_H

#include <stdint.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/names.h"

struct syscall_desc;
struct ruleset;
struct policy_file;
struct const_decl;

enum expr_kind { EXPR_NUM, EXPR_NAME, EXPR_UNARY, EXPR_BINARY };

/* How deep a condition, with the expressions inside it, may nest. Every
 * stage after the parser (resolver, expansion, DNF, lints, doc, hashing)
 * walks the tree recursively; the parser refuses anything deeper, so this
 * bound is the only one they need, and it is small enough for each of them
 * to take on a default 8 MiB stack under AddressSanitizer. A chain of one
 * operator (a || b || ...) counts one level per operator: a 1000-term chain
 * is within it. */
#define AST_DEPTH_MAX 2000

struct expr {
	enum expr_kind kind;
	struct loc loc;
	struct loc op_loc;            /* UNARY, BINARY: where the operator is written */
	int depth;                    /* levels of nodes, this one included */
	int too_deep;                 /* the parser cut it at AST_DEPTH_MAX (reported) */
	int op;                       /* '-', '~', '|', '&', '^', '+', '*', 'L' (<<), 'R' (>>) */
	uint64_t num;                 /* EXPR_NUM */
	const char *name;             /* EXPR_NAME */
	struct expr *lhs, *rhs;       /* operands; UNARY uses lhs */
	/* resolved: EXPR_NAME binds to a const of the file or a table constant */
	struct const_decl *decl;
	const struct constant_desc *constant;
};

struct expr_list {
	struct expr **v;
	size_t n;
};

enum action_kind {
	ACT_ALLOW, ACT_LOG, ACT_TRAP, ACT_NOTIFY, ACT_KILL_THREAD,
	ACT_KILL_PROCESS, ACT_ERRNO, ACT_TRACE
};

struct action {
	enum action_kind kind;
	struct loc loc;
	struct expr *arg;             /* ERRNO and TRACE */
};

/* A relational operator; masked and set membership comparisons reuse it. */
enum relop { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOT_IN };

enum cond_kind { COND_AND, COND_OR, COND_NOT, COND_CMP };

struct cond {
	enum cond_kind kind;
	struct loc loc;
	int depth;                    /* levels, the expressions inside included */
	int too_deep;                 /* the parser cut it at AST_DEPTH_MAX (reported) */
	struct cond *lhs, *rhs;       /* AND, OR; NOT uses lhs */
	/* COND_CMP: (arg & mask) op value, or arg [not] in { set } */
	const char *arg;
	struct loc arg_loc;
	struct expr *mask;            /* NULL when unmasked */
	enum relop op;
	struct expr *value;           /* relational ops */
	struct expr_list set;         /* OP_IN, OP_NOT_IN */
};

struct syscall_ref {
	struct loc loc;
	const char *name;             /* NULL when given as a number */
	uint64_t number;
	const struct syscall_desc *desc;   /* resolved; NULL for unknown numbers */
};

struct name_ref {
	struct loc loc;
	const char *qualifier;        /* import stem or alias, or NULL */
	const char *name;
	struct ruleset *target;       /* resolved */
	const struct stmt *stmt;      /* the `use` statement it is part of */
};

enum stmt_kind { STMT_USE, STMT_RULE, STMT_DEFAULT, STMT_ARCH };

struct arch_ref {
	struct loc loc;
	const char *name;
	int arch;                     /* resolved enum arch_id */
};

struct stmt {
	enum stmt_kind kind;
	struct loc loc;
	struct quiet *quiet;          /* @quiet annotations written before it */
	/* USE */
	struct name_ref *uses;
	size_t nuses;
	/* RULE */
	int override;
	struct action action;         /* RULE and DEFAULT */
	struct syscall_ref *syscalls;
	size_t nsyscalls;
	struct cond *cond;            /* NULL: unconditional */
	/* ARCH */
	struct arch_ref *arches;
	size_t narches;
};

struct ruleset {
	const char *name;
	struct loc loc;
	int is_policy;
	struct quiet *quiet;          /* @quiet: applies to everything inside */
	struct policy_file *file;
	struct ptrvec stmts;          /* struct stmt * */
	/* resolution bookkeeping for `use` cycle detection */
	int used_by_policy;           /* lint: a policy of the root file reaches it */
	int visit;
	int expanding;                /* on the expansion stack: a `use` cycle */
};

struct const_decl {
	const char *name;
	struct loc loc;
	struct expr *value;
	struct policy_file *file;
	/* evaluation state per arch: 0 new, 1 in progress, 2 done */
	int state[4];
	uint64_t cached[4];
	int cached_neg[4];            /* cached[arch] stands for a negative number */
	int failed;                   /* a cycle or an error: evaluate no more */
	int visit;                    /* resolution's cycle check */
	struct expr *override_value;  /* from -D */
};

struct import {
	struct loc loc;
	const char *path;             /* as written */
	const char *alias;            /* NULL: the file stem */
	struct quiet *quiet;
	struct policy_file *target;   /* resolved */
};

struct policy_file {
	const struct source *src;
	const char *path;             /* path used to open it */
	const char *realpath;         /* canonical, for "load each file once" */
	const char *stem;             /* file name without directory and .policy */
	struct ptrvec imports;        /* struct import * */
	struct ptrvec consts;         /* struct const_decl * */
	struct ptrvec rulesets;       /* struct ruleset *, policies included */
	struct names const_index;     /* consts and rulesets by name (the first */
	struct names ruleset_index;   /* of duplicates), set by the resolver */
	int stream;                   /* read from a pipe or stdin: its imports are
	                               * looked up from the current directory */
	int loading;                  /* on the import stack: cycle detection */
	int resolved;
};

const char *action_name(enum action_kind k);
const char *relop_str(enum relop op);

/* Print nodes as they would be written (fully parenthesised where the
 * grammar's precedence needs it). */
#include <stdio.h>
void ast_print_expr(FILE *out, const struct expr *e);
void ast_print_cond(FILE *out, const struct cond *c);
void ast_print_action(FILE *out, const struct action *a);

#endif
