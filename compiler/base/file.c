/* Reading whole files (see file.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/mem.h"

/* Why PATH, open as F, cannot be read whole, or 0. A regular file that
 * says it is too big is refused before a byte is read (a sparse file of
 * terabytes costs nothing to make); a device has no end to wait for
 * (/dev/zero), so it is refused too. Pipes and sockets have no size: they
 * are read, and cut at the limit. */
static int check_kind(FILE *f)
{
	struct stat st;
	if (fstat(fileno(f), &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return FILE_ERR_DEVICE;
	if (S_ISREG(st.st_mode) && st.st_size > FILE_MAX_BYTES)
		return FILE_ERR_TOO_BIG;
	return 0;
}

/* Reads F to its end into a malloc'd buffer (*N bytes), or returns NULL
 * with *ERR set: a file that grows past the limit while read is refused
 * as one that is too big from the start. */
static char *read_stream(FILE *f, size_t *n, int *err)
{
	size_t cap = 4096, got;
	char *buf = mem_alloc(cap);
	*n = 0;
	while ((got = fread(buf + *n, 1, cap - *n - 1, f)) > 0) {
		*n += got;
		if (*n > FILE_MAX_BYTES) {
			free(buf);
			*err = FILE_ERR_TOO_BIG;
			return NULL;
		}
		if (cap - *n - 1 == 0) {
			cap *= 2;
			buf = mem_realloc(buf, cap, 1);
		}
	}
	*err = ferror(f) ? EIO : 0;
	if (*err) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *read_all(struct arena *a, const char *path, size_t *len, int *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = errno;
		return NULL;
	}
	size_t n = 0;
	char *buf = NULL;
	*err = check_kind(f);
	if (!*err)
		buf = read_stream(f, &n, err);
	fclose(f);
	if (!buf)
		return NULL;
	char *text = arena_strndup(a, buf, n);
	free(buf);
	*len = n;
	return text;
}

const char *file_error(int err)
{
	switch (err) {
	case FILE_ERR_TOO_BIG:
		return "it is larger than " FILE_MAX_TEXT " bytes, the limit for an input file";
	case FILE_ERR_DEVICE:
		return "it is a device, not a file or a pipe";
	}
	return strerror(err);
}

struct source *source_read(struct arena *a, const char *path, int *err)
{
	size_t n;
	char *text = read_all(a, path, &n, err);
	if (!text)
		return NULL;
	struct source *src = arena_alloc(a, sizeof(*src));
	src->path = arena_strdup(a, path);
	src->text = text;
	src->len = n;
	return src;
}
