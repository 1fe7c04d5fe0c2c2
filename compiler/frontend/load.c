/* Loading files and following imports.
 *
 * An import is looked up relative to the importing file, then in each -I
 * directory, then in the standard library. Files are keyed by their real
 * path so each one is parsed once however it is reached; a file that is
 * still being loaded when it is imported again closes a cycle. A root
 * file that is a pipe or "-" (stdin) is read as a stream, its imports
 * looked up from the current directory. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/file.h"
#include "frontend/parse_ctx.h"
#include "frontend/unit.h"

#ifndef SYSFENCE_STDLIB_DIR
#define SYSFENCE_STDLIB_DIR "/usr/local/share/sysfence/policies"
#endif
#ifndef SYSFENCE_SOURCE_STDLIB_DIR
#define SYSFENCE_SOURCE_STDLIB_DIR SYSFENCE_STDLIB_DIR
#endif

const char *const *stdlib_dirs(void)
{
	static const char *const dirs[] = {
		SYSFENCE_STDLIB_DIR, SYSFENCE_SOURCE_STDLIB_DIR, NULL
	};
	return dirs;
}

static const char *file_stem(struct arena *a, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n > 7 && strcmp(base + n - 7, ".policy") == 0)
		n -= 7;
	return arena_strndup(a, base, n);
}

static struct policy_file *find_loaded(struct unit *u, const char *real)
{
	for (size_t i = 0; i < u->files.n; i++) {
		struct policy_file *f = u->files.v[i];
		if (strcmp(f->realpath, real) == 0)
			return f;
	}
	return NULL;
}

/* The import stack, for reporting cycles with the whole chain. */
struct import_frame {
	struct import *im;
	struct policy_file *from;
	struct import_frame *up;
};

static void load_imports(struct unit *u, struct policy_file *f, struct import_frame *up);

/* Reads and parses PATH, named SHOWN in messages (NULL: PATH). */
static struct policy_file *parse_path(struct unit *u, const char *path, const char *shown,
				      const char *real, struct loc from, int *err)
{
	struct source *src = source_read(u->arena, path, err);
	if (!src)
		return NULL;
	if (shown)
		src->path = shown;
	if (memchr(src->text, '\0', src->len)) {
		diag_error(u->diag, from, "'%s' is not a text file (it contains NUL bytes)", path);
		*err = 0;
		return NULL;
	}

	struct policy_file *f = arena_alloc(u->arena, sizeof(*f));
	f->src = src;
	f->path = src->path;
	f->realpath = arena_strdup(u->arena, real);
	f->stem = file_stem(u->arena, src->path);
	ptrvec_push(u->arena, &u->files, f);

	struct parse_ctx ctx = {
		.arena = u->arena, .diag = u->diag, .src = src, .file = f,
	};
	parse_file(&ctx);
	return f;
}

static int is_regular(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds the file an import names; returns its path or NULL. */
static const char *find_import(struct unit *u, struct policy_file *from, const char *name)
{
	const char *suffix = strlen(name) > 7 && strcmp(name + strlen(name) - 7, ".policy") == 0
		? "" : ".policy";
	if (name[0] == '/') {
		const char *p = arena_printf(u->arena, "%s%s", name, suffix);
		return is_regular(p) ? p : NULL;
	}
	const char *slash = from->stream ? NULL : strrchr(from->path, '/');
	const char *p = slash
		? arena_printf(u->arena, "%.*s/%s%s", (int)(slash - from->path), from->path, name, suffix)
		: arena_printf(u->arena, "%s%s", name, suffix);
	if (is_regular(p))
		return p;
	for (size_t i = 0; i < u->opts->ninclude; i++) {
		p = arena_printf(u->arena, "%s/%s%s", u->opts->include_dirs[i], name, suffix);
		if (is_regular(p))
			return p;
	}
	for (const char *const *d = stdlib_dirs(); *d; d++) {
		p = arena_printf(u->arena, "%s/%s%s", *d, name, suffix);
		if (is_regular(p))
			return p;
	}
	return NULL;
}

static void report_cycle(struct unit *u, struct import *im, struct policy_file *target,
			 struct import_frame *up)
{
	/* Walk up the stack to where TARGET was imported, naming each link. */
	char chain[2048];
	size_t n = 0;
	struct import_frame *frames[64];
	size_t nframes = 0;
	for (struct import_frame *fr = up; fr && nframes < 64; fr = fr->up) {
		frames[nframes++] = fr;
		if (fr->from == target)
			break;
	}
	n += (size_t)snprintf(chain + n, sizeof(chain) - n, "%s", target->path);
	for (size_t i = nframes; i-- > 0 && n < sizeof(chain);)
		if (frames[i]->im->target)
			n += (size_t)snprintf(chain + n, sizeof(chain) - n, " -> %s",
					      frames[i]->im->target->path);
	if (n < sizeof(chain))
		snprintf(chain + n, sizeof(chain) - n, " -> %s", target->path);
	diag_error(u->diag, im->loc, "import cycle: %s", chain);
	for (size_t i = nframes; i-- > 0;)
		diag_note(u->diag, frames[i]->im->loc, "'%s' imported from here",
			  frames[i]->im->path);
}

static void load_import(struct unit *u, struct policy_file *f, struct import *im,
			struct import_frame *up)
{
	const char *path = find_import(u, f, im->path);
	if (!path) {
		diag_error(u->diag, im->loc, "cannot find '%s' to import", im->path);
		diag_note(u->diag, (struct loc){ 0 },
			  "searched next to '%s', in %zu -I director%s, and in the standard library",
			  f->path, u->opts->ninclude, u->opts->ninclude == 1 ? "y" : "ies");
		return;
	}
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		diag_error(u->diag, im->loc, "cannot open '%s': %s", path, strerror(errno));
		return;
	}
	struct policy_file *target = find_loaded(u, real);
	if (target) {
		if (target->loading) {
			report_cycle(u, im, target, up);
			return;
		}
		im->target = target;
		return;
	}
	int err = 0;
	target = parse_path(u, path, NULL, real, im->loc, &err);
	if (!target) {
		if (err)
			diag_error(u->diag, im->loc, "cannot read '%s': %s", path, file_error(err));
		return;
	}
	im->target = target;
	struct import_frame fr = { im, f, up };
	load_imports(u, target, &fr);
}

static void load_imports(struct unit *u, struct policy_file *f, struct import_frame *up)
{
	f->loading = 1;
	for (size_t i = 0; i < f->imports.n; i++)
		load_import(u, f, f->imports.v[i], up);
	f->loading = 0;
}

/* ROOT is "-" (standard input) or a pipe, <(...) or a device: no
 * realpath (a pipe's is "pipe:[N]", which does not exist), read as a
 * stream, imports from the current directory. */
static int load_stream(struct unit *u, const char *root)
{
	int dash = strcmp(root, "-") == 0;
	int err = 0;
	u->root = parse_path(u, dash ? "/dev/stdin" : root, dash ? "<stdin>" : NULL, root,
			     (struct loc){ 0 }, &err);
	if (!u->root) {
		if (err)
			diag_error(u->diag, (struct loc){ 0 }, "cannot read '%s': %s", root, file_error(err));
		return -1;
	}
	u->root->stream = 1;
	load_imports(u, u->root, NULL);
	return 0;
}

int unit_load(struct unit *u, const char *root)
{
	struct stat st;
	if (strcmp(root, "-") == 0 || (stat(root, &st) == 0 && !S_ISREG(st.st_mode) &&
					!S_ISDIR(st.st_mode)))
		return load_stream(u, root);
	char real[PATH_MAX];
	if (!realpath(root, real)) {
		diag_error(u->diag, (struct loc){ 0 }, "cannot read '%s': %s", root, strerror(errno));
		return -1;
	}
	if (!is_regular(root)) {
		diag_error(u->diag, (struct loc){ 0 }, "cannot read '%s': not a regular file", root);
		return -1;
	}
	int err = 0;
	u->root = parse_path(u, root, NULL, real, (struct loc){ 0 }, &err);
	if (!u->root) {
		if (err)
			diag_error(u->diag, (struct loc){ 0 }, "cannot read '%s': %s", root, file_error(err));
		return -1;
	}
	load_imports(u, u->root, NULL);
	return 0;
}
