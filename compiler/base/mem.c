/* Allocation that cannot fail (see mem.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"

void mem_out_of_memory(size_t size)
{
	/* No stdio: it may need the memory that just ran out. */
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "sysfence: fatal error: out of memory (%zu bytes)\n", size);
	if (n > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)n);
	_exit(1);
}

void *mem_alloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		mem_out_of_memory(size);
	return p;
}

void *mem_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		mem_out_of_memory(count * size);
	return p;
}

void *mem_realloc(void *p, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		mem_out_of_memory(SIZE_MAX);
	size_t bytes = count * size;
	void *q = realloc(p, bytes ? bytes : 1);
	if (!q)
		mem_out_of_memory(bytes);
	return q;
}

char *mem_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = mem_alloc(n);
	memcpy(p, s, n);
	return p;
}
