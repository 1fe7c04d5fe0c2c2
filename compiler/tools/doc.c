/* `sysfence doc`: a Markdown reference of every ruleset in the given
 * files, generated from the policies themselves so it cannot drift from
 * them. */
#include <stdio.h>
#include <stdlib.h>

#include "tools/doc.h"

static void print_stmt(FILE *out, const struct ruleset *rs, const struct stmt *st, int first)
{
	fprintf(out, "| %s%s%s | ", first ? "`" : "", first ? rs->name : "", first ? "`" : "");
	if (st->kind == STMT_USE) {
		fputs("use | ", out);
		for (size_t i = 0; i < st->nuses; i++)
			fprintf(out, "%s`%s%s%s`", i ? ", " : "", st->uses[i].qualifier ? st->uses[i].qualifier : "",
				st->uses[i].qualifier ? "." : "", st->uses[i].name);
		fputs(" | |\n", out);
		return;
	}
	if (st->override)
		fputs("override ", out);
	ast_print_action(out, &st->action);
	fputs(" | ", out);
	for (size_t i = 0; i < st->nsyscalls; i++) {
		if (st->syscalls[i].name)
			fprintf(out, "%s%s", i ? ", " : "", st->syscalls[i].name);
		else
			fprintf(out, "%s%llu", i ? ", " : "", (unsigned long long)st->syscalls[i].number);
	}
	fputs(" | ", out);
	if (st->cond) {
		/* `|` would end the table cell; Markdown wants it escaped. */
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		if (m) {
			ast_print_cond(m, st->cond);
			fclose(m);
			fputc('`', out);
			for (char *p = text; p && *p; p++) {
				if (*p == '|')
					fputc('\\', out);
				fputc(*p, out);
			}
			fputc('`', out);
			free(text);
		}
	}
	fputs(" |\n", out);
}

void doc_file(FILE *out, const struct policy_file *f, const char *title)
{
	fprintf(out, "## %s\n\n", title);
	fputs("| ruleset | action | syscalls | condition |\n|---|---|---|---|\n", out);
	for (size_t i = 0; i < f->rulesets.n; i++) {
		const struct ruleset *rs = f->rulesets.v[i];
		int first = 1;
		for (size_t j = 0; j < rs->stmts.n; j++) {
			const struct stmt *st = rs->stmts.v[j];
			if (st->kind != STMT_RULE && st->kind != STMT_USE)
				continue;
			print_stmt(out, rs, st, first);
			first = 0;
		}
		if (first)
			fprintf(out, "| `%s` | | (empty) | |\n", rs->name);
	}
	fputc('\n', out);
}
