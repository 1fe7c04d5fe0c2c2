/* Diagnostics for CI tools (diag_ci.h): JSON lines, SARIF, GitHub
 * workflow commands. Diagnostics are held as records, with copies of
 * their texts (the sources they point into are freed file by file), until
 * their notes are complete; SARIF holds all of them to the end. */
#include "base/diag_ci.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "base/mem.h"

#ifndef SYSFENCE_VERSION
#define SYSFENCE_VERSION "0"
#endif

struct rec_loc {
	char *file;            /* NULL: not tied to a file */
	int line, col;
};

struct rec_note {
	struct rec_loc at;
	char *msg;
};

struct record {
	enum diag_level lv;
	struct rec_loc at;
	char *id;              /* NULL for a note that stands alone */
	int lint;              /* id is a warning id */
	char *msg;
	struct rec_note *notes;
	size_t nnotes;
};

struct records {
	struct record *v;
	size_t n, cap;
	int open;              /* the last record still takes notes */
	int sarif_done;        /* the document is written */
};

static const char *const level_name[] = { "error", "warning", "note" };

static struct rec_loc rec_loc(struct loc at)
{
	struct rec_loc r = { NULL, at.line, at.col };
	if (at.src)
		r.file = mem_strdup(at.src->path);
	return r;
}

static struct records *records_of(struct diag *d)
{
	if (!d->records)
		d->records = mem_calloc(1, sizeof(*d->records));
	return d->records;
}

static void record_free(struct record *r)
{
	free(r->at.file);
	free(r->id);
	free(r->msg);
	for (size_t i = 0; i < r->nnotes; i++) {
		free(r->notes[i].at.file);
		free(r->notes[i].msg);
	}
	free(r->notes);
}

/* ---- JSON lines ---- */

static void json_loc(FILE *out, const struct rec_loc *at)
{
	if (!at->file)
		return;
	fputs(",\"file\":", out);
	json_write_string(out, at->file);
	fprintf(out, ",\"line\":%d,\"column\":%d", at->line, at->col);
}

static void json_record(FILE *out, const struct record *r)
{
	fputs("{\"severity\":", out);
	json_write_string(out, level_name[r->lv]);
	json_loc(out, &r->at);
	fputs(",\"message\":", out);
	json_write_string(out, r->msg);
	if (r->id) {
		fputs(",\"id\":", out);
		json_write_string(out, r->id);
		fputs(",\"notes\":[", out);
		for (size_t i = 0; i < r->nnotes; i++) {
			fputs(i ? ",{\"severity\":\"note\"" : "{\"severity\":\"note\"", out);
			json_loc(out, &r->notes[i].at);
			fputs(",\"message\":", out);
			json_write_string(out, r->notes[i].msg);
			fputc('}', out);
		}
		fputc(']', out);
	}
	fputs("}\n", out);
}

/* ---- GitHub workflow commands ---- */

/* A command's message (PROPERTY 0) or property value: '%', CR and LF
 * escaped, and in a property ':' and ',' too. */
static void gh_escaped(FILE *out, const char *s, int property)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%25", out);
		else if (*s == '\r')
			fputs("%0D", out);
		else if (*s == '\n')
			fputs("%0A", out);
		else if (property && *s == ':')
			fputs("%3A", out);
		else if (property && *s == ',')
			fputs("%2C", out);
		else
			fputc(*s, out);
	}
}

static void gh_record(FILE *out, const struct record *r)
{
	static const char *const cmd[] = { "error", "warning", "notice" };
	fprintf(out, "::%s", cmd[r->lv]);
	if (r->at.file) {
		fputs(" file=", out);
		gh_escaped(out, r->at.file, 1);
		fprintf(out, ",line=%d,col=%d", r->at.line, r->at.col);
	}
	fputs("::", out);
	gh_escaped(out, r->msg, 0);
	if (r->id) {
		fputs(" [", out);
		gh_escaped(out, r->id, 0);
		fputc(']', out);
	}
	/* The annotation has one place: the notes go in its text. */
	for (size_t i = 0; i < r->nnotes; i++) {
		const struct rec_note *n = &r->notes[i];
		fputs("%0Anote: ", out);
		if (n->at.file) {
			gh_escaped(out, n->at.file, 0);
			fprintf(out, ":%d:%d: ", n->at.line, n->at.col);
		}
		gh_escaped(out, n->msg, 0);
	}
	fputc('\n', out);
}

/* ---- SARIF ---- */

/* PATH as a URI: relative to CWD when it is under it, else file://. */
static void sarif_uri(FILE *out, const char *path, const char *cwd)
{
	size_t n = cwd ? strlen(cwd) : 0;
	const char *prefix = "";
	if (path[0] == '/') {
		if (n > 1 && strncmp(path, cwd, n) == 0 && path[n] == '/')
			path += n + 1;
		else
			prefix = "file://";
	}
	while (strncmp(path, "./", 2) == 0)
		path += 2;
	char *buf = mem_alloc(strlen(prefix) + 3 * strlen(path) + 1);
	size_t len = (size_t)sprintf(buf, "%s", prefix);
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			buf[len++] = (char)*p;
		else
			len += (size_t)sprintf(buf + len, "%%%02X", *p);
	}
	buf[len] = '\0';
	json_write_string(out, buf);
	free(buf);
}

static void sarif_physical(FILE *out, const struct rec_loc *at, const char *cwd)
{
	fputs("\"physicalLocation\":{\"artifactLocation\":{\"uri\":", out);
	sarif_uri(out, at->file, cwd);
	fprintf(out, "},\"region\":{\"startLine\":%d,\"startColumn\":%d}}", at->line, at->col);
}

static void sarif_message(FILE *out, const char *text)
{
	fputs("\"message\":{\"text\":", out);
	json_write_string(out, text);
	fputc('}', out);
}

static void sarif_rule(FILE *out, const struct diag_rule *r, const char *level, int first)
{
	fputs(first ? "{\"id\":" : ",{\"id\":", out);
	json_write_string(out, r->id);
	fputs(",\"shortDescription\":{\"text\":", out);
	json_write_string(out, r->summary);
	fprintf(out, "},\"defaultConfiguration\":{\"level\":\"%s\"}}", level);
}

static void sarif_rules(FILE *out, const struct diag *d)
{
	int first = 1;
	for (const struct diag_rule *r = d->rules; r && r->id; r++, first = 0)
		sarif_rule(out, r, "warning", first);
	const struct diag_rule *k;
	for (size_t i = 0; (k = diag_error_kind_at(i)); i++, first = 0)
		sarif_rule(out, k, "error", first);
}

static void sarif_result(FILE *out, const struct record *r, const char *cwd)
{
	fputc('{', out);
	if (r->id) {
		fputs("\"ruleId\":", out);
		json_write_string(out, r->id);
		fputc(',', out);
	}
	fprintf(out, "\"level\":\"%s\",", level_name[r->lv]);
	sarif_message(out, r->msg);
	if (r->at.file) {
		fputs(",\"locations\":[{", out);
		sarif_physical(out, &r->at, cwd);
		fputs("}]", out);
	}
	if (r->nnotes) {
		fputs(",\"relatedLocations\":[", out);
		for (size_t i = 0; i < r->nnotes; i++) {
			fprintf(out, "%s{\"id\":%zu,", i ? "," : "", i);
			if (r->notes[i].at.file) {
				sarif_physical(out, &r->notes[i].at, cwd);
				fputc(',', out);
			}
			sarif_message(out, r->notes[i].msg);
			fputc('}', out);
		}
		fputc(']', out);
	}
	fputc('}', out);
}

static void sarif_document(struct diag *d, const struct records *rs)
{
	FILE *out = d->out;
	char cwd_buf[4096];
	const char *cwd = getcwd(cwd_buf, sizeof(cwd_buf));
	fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\","
	      "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"sysfence\",\"version\":", out);
	json_write_string(out, SYSFENCE_VERSION);
	fputs(",\"rules\":[", out);
	sarif_rules(out, d);
	fputs("]}},\"results\":[", out);
	for (size_t i = 0; i < rs->n; i++) {
		if (i)
			fputc(',', out);
		sarif_result(out, &rs->v[i], cwd);
	}
	fputs("]}]}\n", out);
}

/* ---- holding and writing ---- */

/* Writes and drops every record but the open one (when KEEP_OPEN). */
static void write_held(struct diag *d, int keep_open)
{
	struct records *rs = d->records;
	size_t n = rs->n - (keep_open && rs->open ? 1 : 0);
	for (size_t i = 0; i < n; i++) {
		if (diag_format_of(d) == DIAG_GITHUB)
			gh_record(d->out, &rs->v[i]);
		else
			json_record(d->out, &rs->v[i]);
		record_free(&rs->v[i]);
	}
	if (n && rs->n > n)   /* memmove with a NULL pointer is undefined, even for 0 bytes */
		memmove(rs->v, rs->v + n, (rs->n - n) * sizeof(*rs->v));
	rs->n -= n;
	if (!rs->n)
		rs->open = 0;
}

void records_add(struct diag *d, enum diag_level lv, struct loc at, const char *id, int lint,
		 const char *msg)
{
	struct records *rs = records_of(d);
	if (diag_format_of(d) != DIAG_SARIF) {
		rs->open = 0;
		write_held(d, 0);   /* the last one's notes are complete */
	}
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 16;
		rs->v = mem_realloc(rs->v, rs->cap, sizeof(*rs->v));
	}
	rs->v[rs->n++] = (struct record){
		.lv = lv, .at = rec_loc(at), .id = id ? mem_strdup(id) : NULL, .lint = lint,
		.msg = mem_strdup(msg),
	};
	rs->open = lv != DIAG_NOTE;
}

void records_note(struct diag *d, struct loc at, const char *msg)
{
	struct records *rs = records_of(d);
	if (!rs->open) {
		records_add(d, DIAG_NOTE, at, NULL, 0, msg);
		return;
	}
	struct record *r = &rs->v[rs->n - 1];
	r->notes = mem_realloc(r->notes, r->nnotes + 1, sizeof(*r->notes));
	r->notes[r->nnotes++] = (struct rec_note){ rec_loc(at), mem_strdup(msg) };
}

void records_flush(struct diag *d)
{
	enum diag_format f = diag_format_of(d);
	if (f == DIAG_TEXT)
		return;
	struct records *rs = records_of(d);
	if (f != DIAG_SARIF) {
		write_held(d, 0);
	} else if (!rs->sarif_done) {
		sarif_document(d, rs);
		rs->sarif_done = 1;
	}
	fflush(d->out);
}

void records_free(struct diag *d)
{
	struct records *rs = d->records;
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		record_free(&rs->v[i]);
	free(rs->v);
	free(rs);
	d->records = NULL;
}
