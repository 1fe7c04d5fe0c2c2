/* The one table of results: sections of rows, printed as aligned text for
 * the terminal or as Markdown for docs/performance.md. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_COLS 8
enum kind { SECTION, HEADER, ROW, NOTE };
struct line {
	enum kind kind;
	int ncol;
	char *cell[MAX_COLS];
};

static struct line *lines;
static size_t nlines, cap;

static struct line *new_line(enum kind kind)
{
	if (nlines == cap) {
		cap = cap ? 2 * cap : 64;
		lines = realloc(lines, cap * sizeof(*lines));
		if (!lines) {
			perror("bench");
			exit(1);
		}
	}
	struct line *l = &lines[nlines++];
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	return l;
}

static void add_cells(enum kind kind, int ncol, va_list ap)
{
	struct line *l = new_line(kind);
	l->ncol = ncol < MAX_COLS ? ncol : MAX_COLS;
	for (int i = 0; i < l->ncol; i++)
		l->cell[i] = strdup(va_arg(ap, const char *));
}

void table_section(const char *title)
{
	new_line(SECTION)->cell[0] = strdup(title);
}

void table_header(int ncol, ...)
{
	va_list ap;
	va_start(ap, ncol);
	add_cells(HEADER, ncol, ap);
	va_end(ap);
}

void table_row(int ncol, ...)
{
	va_list ap;
	va_start(ap, ncol);
	add_cells(ROW, ncol, ap);
	va_end(ap);
}

void table_note(const char *f, ...)
{
	va_list ap;
	char *s;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	new_line(NOTE)->cell[0] = s ? s : strdup("");
}

/* A formatted string that lives until exit: the cells copy it anyway, and
 * a small ring keeps several alive within one table_row call. */
const char *fmt(const char *f, ...)
{
	static char ring[16][128];
	static unsigned next;
	char *buf = ring[next++ % 16];
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, sizeof(ring[0]), f, ap);
	va_end(ap);
	return buf;
}

/* Column widths of the rows from FIRST up to the next section. */
static void widths(size_t first, int w[MAX_COLS])
{
	memset(w, 0, MAX_COLS * sizeof(int));
	for (size_t i = first; i < nlines && lines[i].kind != SECTION; i++)
		for (int c = 0; c < lines[i].ncol; c++)
			if ((int)strlen(lines[i].cell[c]) > w[c])
				w[c] = (int)strlen(lines[i].cell[c]);
}

void table_print_text(FILE *out)
{
	int w[MAX_COLS] = { 0 };
	for (size_t i = 0; i < nlines; i++) {
		const struct line *l = &lines[i];
		switch (l->kind) {
		case SECTION:
			fprintf(out, "\n%s\n", l->cell[0]);
			widths(i + 1, w);
			break;
		case NOTE:
			fprintf(out, "  %s\n", l->cell[0]);
			break;
		case HEADER:
		case ROW:
			for (int c = 0; c < l->ncol; c++)
				/* First column left-aligned (names), numbers right. */
				fprintf(out, c ? "  %*s" : "  %-*s", w[c], l->cell[c]);
			fprintf(out, "\n");
			break;
		}
	}
}

void table_print_markdown(FILE *out)
{
	for (size_t i = 0; i < nlines; i++) {
		const struct line *l = &lines[i];
		switch (l->kind) {
		case SECTION:
			fprintf(out, "\n## %s\n\n", l->cell[0]);
			break;
		case NOTE:
			/* A blank line ends the table and keeps notes apart. */
			if (i > 0 && lines[i - 1].kind == ROW)
				fprintf(out, "\n");
			fprintf(out, "%s\n\n", l->cell[0]);
			break;
		case HEADER:
		case ROW:
			for (int c = 0; c < l->ncol; c++)
				fprintf(out, "| %s ", l->cell[c]);
			fprintf(out, "|\n");
			if (l->kind == HEADER) {
				for (int c = 0; c < l->ncol; c++)
					fprintf(out, c ? "|---:" : "|:---");
				fprintf(out, "|\n");
			}
			break;
		}
	}
}
