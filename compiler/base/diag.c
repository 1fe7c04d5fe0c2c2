/* Diagnostics: formatting (text or JSON), counting, duplicate
 * suppression, the closing summary line, and name suggestions. */
#include "base/diag.h"
#include "base/diag_ci.h"
#include "base/mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Duplicate suppression: the same policy can reach one ruleset through
 * several `use` paths and several arches; the user wants each problem
 * once. A fingerprint is a hash of location and text. */
struct seen {
	size_t n, cap;
	uint64_t *h;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static int seen_add(struct diag *d, uint64_t h)
{
	struct seen *s = d->seen;
	for (size_t i = 0; i < s->n; i++)
		if (s->h[i] == h)
			return 0;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 32;
		s->h = mem_realloc(s->h, s->cap, sizeof(*s->h));
	}
	s->h[s->n++] = h;
	return 1;
}

void diag_init(struct diag *d, FILE *out)
{
	memset(d, 0, sizeof(*d));
	d->out = out;
	d->seen = mem_calloc(1, sizeof(*d->seen));
}

void diag_fini(struct diag *d)
{
	diag_flush(d);
	records_free(d);
	if (d->seen)
		free(d->seen->h);
	free(d->seen);
	d->seen = NULL;
}

static const char *const level_name[] = { "error", "warning", "note" };

/* The text of line LINE of SRC, and its length. */
static const char *line_text(const struct source *src, int line, size_t *len)
{
	const char *p = src->text, *end = src->text + src->len;
	for (int l = 1; l < line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return NULL;
		p = nl + 1;
	}
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	return p;
}

/* The part of a source line shown: all of it, or DIAG_LINE_WIDTH bytes
 * around column COL (0-based CARET) when it is longer. */
struct excerpt {
	size_t from, to;
	int cut_left, cut_right;
};

static struct excerpt excerpt_of(size_t len, size_t caret)
{
	struct excerpt x = { 0, len, 0, 0 };
	if (len <= DIAG_LINE_WIDTH)
		return x;
	x.from = caret > DIAG_LINE_WIDTH / 2 ? caret - DIAG_LINE_WIDTH / 2 : 0;
	if (x.from + DIAG_LINE_WIDTH > len)
		x.from = len - DIAG_LINE_WIDTH;
	x.to = x.from + DIAG_LINE_WIDTH;
	x.cut_left = x.from > 0;
	x.cut_right = x.to < len;
	return x;
}

/* The source line and the caret under column COL, each written whole:
 * D->out is stderr, unbuffered, and a write per byte made a long line
 * cost a system call per character of every message about it. */
static void emit_excerpt(struct diag *d, const char *text, size_t len, int col)
{
	size_t caret = col > 1 ? (size_t)(col - 1) : 0;
	if (caret > len)
		caret = len;
	struct excerpt x = excerpt_of(len, caret);
	size_t width = x.to - x.from;
	char *buf = mem_alloc(width + 16);
	size_t n = 0;
	buf[n++] = ' ';
	buf[n++] = ' ';
	if (x.cut_left) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	memcpy(buf + n, text + x.from, width);
	n += width;
	if (x.cut_right) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n++] = '\n';
	fwrite(buf, 1, n, d->out);
	/* The caret line: keep tabs so it lines up under tabbed source. */
	n = 0;
	buf[n++] = ' ';
	buf[n++] = ' ';
	if (x.cut_left) {
		memcpy(buf + n, "   ", 3);
		n += 3;
	}
	for (size_t i = x.from; i < caret && i < x.to; i++)
		buf[n++] = text[i] == '\t' ? '\t' : ' ';
	buf[n++] = '^';
	buf[n++] = '\n';
	fwrite(buf, 1, n, d->out);
	free(buf);
}

static void emit_text(struct diag *d, enum diag_level lv, struct loc at, const char *id,
		      const char *msg)
{
	/* gcc's style: the id that silences a warning ends its line */
	const char *open = id ? " [" : "", *close = id ? "]" : "";
	if (!id)
		id = "";
	if (!at.src) {
		fprintf(d->out, "sysfence: %s: %s%s%s%s\n", level_name[lv], msg, open, id, close);
		return;
	}
	fprintf(d->out, "%s:%d:%d: %s: %s%s%s%s\n", at.src->path, at.line, at.col,
		level_name[lv], msg, open, id, close);
	size_t len;
	const char *text = line_text(at.src, at.line, &len);
	if (text)
		emit_excerpt(d, text, len, at.col);
}

/* Says that reporting stops here; true when it has (or had) stopped. */
static int stop_at_limit(struct diag *d, enum diag_level lv)
{
	if (d->stopped)
		return 1;
	if (lv != DIAG_ERROR || d->errors < DIAG_MAX_ERRORS)
		return 0;
	d->stopped = 1;
	d->errors++;   /* counted as printed, so that the summary adds up */
	if (diag_format_of(d) == DIAG_TEXT)
		emit_text(d, DIAG_ERROR, (struct loc){ 0 }, NULL, "too many errors; stopping");
	else
		records_add(d, DIAG_ERROR, (struct loc){ 0 }, diag_error_kind("too many errors; stopping"),
			    0, "too many errors; stopping");
	return 1;
}

enum diag_format diag_format_of(const struct diag *d)
{
	return d->format != DIAG_TEXT ? d->format : d->json ? DIAG_JSON : DIAG_TEXT;
}

void diag_flush(struct diag *d)
{
	records_flush(d);
}

/* Counts MSG (unless it is a duplicate) and writes it, or holds it for
 * the other formats. ID is a warning id when LINT is set; an error
 * without one gets its kind. A STANDALONE note belongs to nothing. */
static void report_msg(struct diag *d, enum diag_level lv, struct loc at, const char *id,
		       int lint, int standalone, const char *msg)
{
	if (d->stopped)
		return;   /* DIAG_MAX_ERRORS reached: nothing more, notes neither */
	if (lv == DIAG_NOTE) {
		if (d->suppressing)
			return;
	} else {
		uint64_t h = fnv(0xcbf29ce484222325ull, msg, strlen(msg));
		if (at.src)
			h = fnv(h, at.src->path, strlen(at.src->path));
		h = fnv(h, &at.line, sizeof(at.line));
		h = fnv(h, &at.col, sizeof(at.col));
		h = fnv(h, &lv, sizeof(lv));
		d->suppressing = !seen_add(d, h);
		if (d->suppressing || stop_at_limit(d, lv))
			return;
		if (lv == DIAG_ERROR)
			d->errors++;
		else
			d->warnings++;
	}
	if (diag_format_of(d) == DIAG_TEXT)
		emit_text(d, lv, at, lint ? id : NULL, msg);
	else if (lv == DIAG_NOTE && !standalone)
		records_note(d, at, msg);
	else
		records_add(d, lv, at, id || lv != DIAG_ERROR ? id : diag_error_kind(msg), lint, msg);
}

static void report(struct diag *d, enum diag_level lv, struct loc at, const char *id, int lint,
		   int standalone, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	report_msg(d, lv, at, id, lint, standalone, msg);
}

#define REPORT(level, standalone)                                  \
	do {                                                       \
		va_list ap;                                        \
		va_start(ap, fmt);                                 \
		report(d, level, at, NULL, 0, standalone, fmt, ap); \
		va_end(ap);                                        \
	} while (0)

void diag_error(struct diag *d, struct loc at, const char *fmt, ...) { REPORT(DIAG_ERROR, 0); }
void diag_warning(struct diag *d, struct loc at, const char *fmt, ...) { REPORT(DIAG_WARNING, 0); }
void diag_note(struct diag *d, struct loc at, const char *fmt, ...) { REPORT(DIAG_NOTE, 0); }

/* What -W says about ID: the last word on it, else on. */
static enum diag_wstate wstate(const struct diag *d, const char *id)
{
	enum diag_wstate w = DIAG_W_ON;
	for (size_t i = 0; i < d->nwctl; i++)
		if (strcmp(d->wctl[i].id, id) == 0)
			w = d->wctl[i].state;
	return w;
}

/* The annotation that silences ID in SCOPE, or NULL. */
static struct quiet *silencer(struct quiet *const *scope, const char *id)
{
	for (; scope && *scope; scope++)
		for (struct quiet *q = *scope; q; q = q->next)
			if (strcmp(q->id, id) == 0)
				return q;
	return NULL;
}

void diag_warning_id(struct diag *d, struct quiet *const *scope, struct loc at, const char *id,
		     const char *fmt, ...)
{
	struct quiet *q = silencer(scope, id);
	if (q) {
		q->used++;
		d->suppressing = 1;   /* its notes go too */
		return;
	}
	enum diag_wstate w = wstate(d, id);
	if (w == DIAG_W_OFF) {
		d->suppressing = 1;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	report(d, w == DIAG_W_ERROR ? DIAG_ERROR : DIAG_WARNING, at, id, 1, 0, fmt, ap);
	va_end(ap);
}

void diag_info(struct diag *d, struct loc at, const char *fmt, ...)
{
	d->suppressing = 0;
	REPORT(DIAG_NOTE, 1);
}

void diag_status(struct diag *d, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (diag_format_of(d) != DIAG_TEXT)
		records_add(d, DIAG_NOTE, (struct loc){ 0 }, NULL, 0, msg);
	else
		fprintf(d->out, "sysfence: %s\n", msg);
}

void diag_text(struct diag *d, const char *text)
{
	fputs(text, d->out);
}

int diag_stopped(const struct diag *d)
{
	return d->stopped;
}

int diag_failed(const struct diag *d)
{
	return d->errors > 0 || (d->werror && d->warnings > 0);
}

void diag_summary(struct diag *d)
{
	if (diag_format_of(d) != DIAG_TEXT) {
		records_flush(d);
		return;
	}
	if (!d->errors && !d->warnings)
		return;
	fprintf(d->out, "%d error%s, %d warning%s\n", d->errors, d->errors == 1 ? "" : "s",
		d->warnings, d->warnings == 1 ? "" : "s");
}

/* Levenshtein distance, case-insensitive, capped: names are short. */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 99;
	unsigned row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			int same = (a[i - 1] | 0x20) == (b[j - 1] | 0x20);
			unsigned best = diag + (same ? 0 : 1);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

void suggest_init(struct suggest *s, const char *want)
{
	s->want = want;
	s->best = NULL;
	s->dist = ~0u;
}

void suggest_offer(struct suggest *s, const char *candidate)
{
	unsigned dist = edit_distance(s->want, candidate);
	if (dist < s->dist) {
		s->dist = dist;
		s->best = candidate;
	}
}

const char *suggest_result(const struct suggest *s)
{
	size_t len = strlen(s->want);
	unsigned limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	return s->best && s->dist <= limit ? s->best : NULL;
}

void diag_internal_error(const char *where, const char *what)
{
	fflush(stdout);
	fprintf(stderr, "sysfence: internal error: %s (%s); please report this bug\n", what, where);
	abort();
}
