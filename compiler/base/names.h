/* A table from names to pointers, for looking declarations up by name in
 * constant time: a generated policy can hold tens of thousands of consts
 * or rulesets, and a scan per reference made resolving them quadratic. */
#ifndef SYSFENCE_NAMES_H
#define SYSFENCE_NAMES_H

#include <stddef.h>

#include "base/arena.h"

struct names {
	const char **keys;
	void **vals;
	size_t cap;          /* a power of two, at least twice the entries */
};

/* An empty table for up to N names, allocated in A. */
void names_init(struct arena *a, struct names *t, size_t n);
/* The value of KEY, or NULL. */
void *names_find(const struct names *t, const char *key);
/* Adds KEY -> VAL unless KEY is there already; returns the value already
 * there (the first one added keeps the name), or NULL when VAL went in.
 * At most the N of names_init. */
void *names_add(struct names *t, const char *key, void *val);

#endif
