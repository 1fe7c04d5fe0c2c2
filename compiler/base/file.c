/* Reading whole files (see file.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/file.h"
#include "base/mem.h"

char *read_all(struct arena *a, const char *path, size_t *len, int *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = errno;
		return NULL;
	}
	/* The size is not asked for first: PATH may be a pipe or /dev/stdin. */
	size_t cap = 4096, n = 0, got;
	char *buf = mem_alloc(cap);
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			cap *= 2;
			buf = mem_realloc(buf, cap, 1);
		}
	}
	*err = ferror(f) ? EIO : 0;
	fclose(f);
	if (*err) {
		free(buf);
		return NULL;
	}
	char *text = arena_strndup(a, buf, n);
	free(buf);
	*len = n;
	return text;
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
