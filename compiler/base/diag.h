/* Source files and diagnostics.
 *
 * Every message a user sees goes through here, so that each one has the
 * same shape: "file:line:col: error: text", the source line, a caret under
 * the column, then any "note:" lines that belong to it. With --format=json
 * each diagnostic and note is one JSON object per line instead. */
#ifndef SYSFENCE_DIAG_H
#define SYSFENCE_DIAG_H

#include <stdio.h>

struct source {
	const char *path;      /* as the user (or the import) named it */
	const char *text;      /* whole file, NUL-terminated */
	size_t len;
};

struct loc {
	const struct source *src;   /* NULL for messages not tied to a file */
	int line, col;              /* 1-based */
};

enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

enum diag_format { DIAG_TEXT, DIAG_JSON, DIAG_SARIF, DIAG_GITHUB };

/* An id and what it means: the rules of a SARIF run. */
struct diag_rule {
	const char *id;
	const char *summary;
};

/* What -W says about one warning id. */
enum diag_wstate { DIAG_W_ON, DIAG_W_OFF, DIAG_W_ERROR };
struct diag_wctl {
	const char *id;
	enum diag_wstate state;
};

/* After this many errors the next one is "too many errors; stopping" and
 * nothing more is reported (gcc's -fmax-errors): a file of garbage must
 * not produce an error per byte. */
#define DIAG_MAX_ERRORS 50
/* The widest excerpt of a source line shown under a message; a longer
 * line is cut around the caret, with "..." where it was cut. */
#define DIAG_LINE_WIDTH 160

struct diag {
	FILE *out;
	int json;              /* --format=json: the same as format = DIAG_JSON */
	enum diag_format format;
	int werror;            /* warnings count as errors */
	const struct diag_wctl *wctl;   /* -W, in order (the last for an id wins) */
	size_t nwctl;
	const struct diag_rule *rules;  /* warning ids, for SARIF (NULL-id ended) */
	int errors, warnings;
	int suppressing;       /* the last diagnostic was a duplicate: drop its notes */
	int stopped;           /* DIAG_MAX_ERRORS reached: report nothing more */
	struct seen *seen;     /* fingerprints of reported diagnostics */
	struct records *records;   /* JSON, SARIF, GitHub: not yet written */
};

void diag_init(struct diag *d, FILE *out);
/* Writes what is held back (diag_flush), then releases D. */
void diag_fini(struct diag *d);

/* The format D writes in: format, or DIAG_JSON when only json is set. */
enum diag_format diag_format_of(const struct diag *d);

/* Writes the diagnostics held back: the last one (whose notes might still
 * come) in JSON and GitHub form, the whole SARIF document, once. */
void diag_flush(struct diag *d);

/* The id of an error with message MSG: "syntax", "unknown-name",
 * "conflict", ... (diag_kind.c), DIAG_ERROR_OTHER for any other. */
#define DIAG_ERROR_OTHER "error"
const char *diag_error_kind(const char *msg);
/* The I-th error id with its summary (for SARIF rules and docs), or NULL
 * after the last. */
const struct diag_rule *diag_error_kind_at(size_t i);

void diag_error(struct diag *d, struct loc at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A warning without an id: only for inputs that are not policies (an OCI
 * profile, say), where no @quiet can be written. Warnings about a policy
 * use diag_warning_id. */
void diag_warning(struct diag *d, struct loc at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* One warning id named by a @quiet(...) annotation in a policy. An
 * annotation with several ids is several of these, linked; so are several
 * annotations on one thing. */
struct quiet {
	const char *id;
	struct loc loc;        /* of the id, for "silences nothing" */
	const char *reason;
	int used;              /* how many warnings it silenced */
	struct quiet *next;
};

/* A warning with an id (see frontend/lint_ids.c), printed as "... [id]"
 * and as "id" in JSON. SCOPE is a NULL-terminated array of the annotation
 * lists in force where the warning is (NULL: none); a @quiet for ID in any
 * of them silences it, and its notes, and counts as used. -W no-ID (in
 * wctl) silences it too; -W error=ID makes it an error. */
void diag_warning_id(struct diag *d, struct quiet *const *scope, struct loc at, const char *id,
		     const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* A note attaches to the error or warning reported just before it. */
void diag_note(struct diag *d, struct loc at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A note that stands on its own (for -v): printed even after a
 * suppressed duplicate, never counted. */
void diag_info(struct diag *d, struct loc at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A line about what a command is doing (generate -v): "sysfence: TEXT"
 * without a level, never counted; a note in JSON. */
void diag_status(struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* TEXT as it is, not counted: the usage summary after a usage error. */
void diag_text(struct diag *d, const char *text);

/* Has reporting stopped after DIAG_MAX_ERRORS? Then the caller may stop
 * too (the parser does): nothing it finds would be shown. */
int diag_stopped(const struct diag *d);

/* Did any error (or, with werror, warning) happen? */
int diag_failed(const struct diag *d);

/* The line that ends a command's text output when anything was reported,
 * "N errors, M warnings" (singular for 1); nothing in JSON, SARIF or
 * GitHub form, which it flushes instead (diag_flush). The one place that
 * counts are shown. */
void diag_summary(struct diag *d);

/* An invariant the code relies on does not hold: a bug in sysfence, not
 * in the input. Says so on stderr, naming WHERE, and aborts; nothing is
 * written. DIAG_ASSERT(COND, WHAT) is the way to call it. */
void diag_internal_error(const char *where, const char *what) __attribute__((noreturn));
#define DIAG_STR2(x) #x
#define DIAG_STR(x) DIAG_STR2(x)
#define DIAG_ASSERT(cond, what) \
	do { if (!(cond)) diag_internal_error(__FILE__ ":" DIAG_STR(__LINE__), (what)); } while (0)

/* The closest name to WANT among CANDIDATES by edit distance, or NULL when
 * none is close enough to be a plausible typo. */
struct suggest {
	const char *want;
	const char *best;
	unsigned dist;
};
void suggest_init(struct suggest *s, const char *want);
void suggest_offer(struct suggest *s, const char *candidate);
const char *suggest_result(const struct suggest *s);

#endif
