/* One arena per compilation: every AST node, string and table built while
 * compiling lives here and is freed at once at the end, so no stage has to
 * track ownership. */
#ifndef SYSFENCE_ARENA_H
#define SYSFENCE_ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t size);           /* zeroed */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Makes room for one more element in an arena-allocated array V of N
 * elements of SIZE bytes and capacity *CAP, doubling it when full; returns
 * the (possibly moved) array. */
void *arena_grow(struct arena *a, void *v, size_t n, size_t *cap, size_t size);

/* A growable array of pointers, allocated from an arena. */
struct ptrvec {
	void **v;
	size_t n, cap;
};
void ptrvec_push(struct arena *a, struct ptrvec *pv, void *p);

#endif
