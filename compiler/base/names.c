/* Names to pointers by open addressing (see names.h). */
#include <stdint.h>
#include <string.h>

#include "base/names.h"

static size_t slot_of(const struct names *t, const char *key)
{
	uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	size_t i = (size_t)h & (t->cap - 1);
	while (t->keys[i] && strcmp(t->keys[i], key) != 0)
		i = (i + 1) & (t->cap - 1);
	return i;
}

void names_init(struct arena *a, struct names *t, size_t n)
{
	t->cap = 8;
	while (t->cap < 2 * n + 2)
		t->cap *= 2;
	t->keys = arena_alloc(a, t->cap * sizeof(*t->keys));
	t->vals = arena_alloc(a, t->cap * sizeof(*t->vals));
}

void *names_find(const struct names *t, const char *key)
{
	if (!t->cap)
		return NULL;
	size_t i = slot_of(t, key);
	return t->keys[i] ? t->vals[i] : NULL;
}

void *names_add(struct names *t, const char *key, void *val)
{
	size_t i = slot_of(t, key);
	if (t->keys[i])
		return t->vals[i];
	t->keys[i] = key;
	t->vals[i] = val;
	return NULL;
}
