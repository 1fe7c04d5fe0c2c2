/* A small JSON reader and writer, for OCI seccomp profiles.
 *
 * The reader keeps the line and column of every value and object key, so
 * that a mistake in a profile is reported at its place in the file with
 * diag.[ch], like a mistake in a policy. Numbers keep their source text:
 * seccomp values are 64-bit unsigned and must not pass through a double. */
#ifndef SYSFENCE_JSON_H
#define SYSFENCE_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/diag.h"

enum json_kind { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_kind kind;
	struct loc loc;
	int boolean;
	const char *text;          /* a string's value, or a number as written */
	size_t n;                  /* elements of an array, members of an object */
	struct json **items;       /* array elements / member values */
	const char **keys;         /* member names (objects) */
	struct loc *key_locs;
};

/* Parses SRC. Returns the root value, or NULL after diagnosing the first
 * syntax error (with its line and column). */
struct json *json_parse(struct arena *a, struct diag *d, const struct source *src);

/* The member KEY of OBJ (NULL when absent, null, or OBJ is not an object:
 * Go writes absent lists as null). */
const struct json *json_get(const struct json *obj, const char *key);
/* The location of member KEY's name in OBJ, or OBJ's own location. */
struct loc json_key_loc(const struct json *obj, const char *key);

/* The value of a non-negative integer without fraction or exponent that
 * fits 64 bits. Returns 0, or -1 when V is not one. */
int json_u64(const struct json *v, uint64_t *out);

/* Writes S as a JSON string literal. */
void json_write_string(FILE *out, const char *s);

#endif
