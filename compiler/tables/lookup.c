/* Lookups over the generated syscall and constant tables (tables.h).
 * Hand-written, so that gen_tables.py emits data only. */
#include <stdlib.h>
#include <string.h>

#include "tables/table_data.h"

static int syscall_cmp_name(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct syscall_desc *)elem)->name);
}

const struct syscall_desc *syscall_find(const char *name)
{
	if (name == NULL)
		return NULL;
	return bsearch(name, syscall_table, syscall_table_len, sizeof(syscall_table[0]),
		       syscall_cmp_name);
}

/* Aliases carry the target's kname, which differs from their own name, so
 * the canonical entry is the one whose name is its kname on that arch.
 * Where none is (x86's old_mmap is the kernel's "mmap", and "mmap" names
 * mmap2 there), the first entry with that number stands in. */
const struct syscall_desc *syscall_by_nr(enum arch_id arch, int nr)
{
	const struct syscall_desc *any = NULL;
	if ((unsigned)arch >= ARCH_COUNT || nr < 0)
		return NULL;
	for (size_t i = 0; i < syscall_table_len; i++) {
		const struct syscall_desc *d = &syscall_table[i];
		if (d->nr[arch] != nr || d->kname[arch] == NULL)
			continue;
		if (strcmp(d->kname[arch], d->name) == 0)
			return d;
		if (!any)
			any = d;
	}
	return any;
}

size_t syscall_count(void)
{
	return syscall_table_len;
}

const struct syscall_desc *syscall_at(size_t i)
{
	return i < syscall_table_len ? &syscall_table[i] : NULL;
}

/* A short table (a few dozen rows): a linear search is enough. */
const char *syscall_param_width_by(const struct syscall_desc *d, int param)
{
	if (!d || !d->has_signature || param < 0 || param >= d->nparams)
		return NULL;
	for (size_t i = 0; i < width_by_table_len; i++)
		if (strcmp(width_by_table[i].syscall, d->name) == 0 &&
		    strcmp(width_by_table[i].param, d->params[param].name) == 0)
			return width_by_table[i].by;
	return NULL;
}

static int constant_cmp_name(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct constant_desc *)elem)->name);
}

const struct constant_desc *constant_find(const char *name)
{
	if (name == NULL)
		return NULL;
	return bsearch(name, constant_table, constant_table_len, sizeof(constant_table[0]),
		       constant_cmp_name);
}

size_t constant_count(void)
{
	return constant_table_len;
}

const struct constant_desc *constant_at(size_t i)
{
	return i < constant_table_len ? &constant_table[i] : NULL;
}

/* asm/errno.h's names are E followed by capitals and digits; EPOLL* share
 * the letter and are flags. */
static int is_errno_name(const char *name)
{
	if (name[0] != 'E' || strncmp(name, "EPOLL", 5) == 0)
		return 0;
	for (const char *p = name + 1; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

const char *errno_name(int64_t value)
{
	if (value <= 0 || value >= 4096)
		return NULL;
	/* The table is sorted by name: EAGAIN comes before its alias
	 * EWOULDBLOCK, EDEADLK before EDEADLOCK. */
	for (size_t i = 0; i < constant_table_len; i++) {
		const struct constant_desc *c = &constant_table[i];
		if (c->present == ARCH_MASK_ALL && is_errno_name(c->name) &&
		    c->value[ARCH_X86_64] == value)
			return c->name;
	}
	return NULL;
}
