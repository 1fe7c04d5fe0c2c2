/* The one allocator of the compiler outside the arenas: malloc and friends
 * that never return NULL. Running out of memory is not an error a
 * compiler can recover from or report per input, so they say so on
 * stderr and end the process with status 1 (diag.h's exit status for a
 * failed run); outputs are written atomically, so nothing is left half
 * done. Sizes are checked for overflow (count * size). */
#ifndef SYSFENCE_MEM_H
#define SYSFENCE_MEM_H

#include <stddef.h>

void *mem_alloc(size_t size);                       /* not zeroed */
void *mem_calloc(size_t count, size_t size);        /* zeroed */
void *mem_realloc(void *p, size_t count, size_t size);
char *mem_strdup(const char *s);
/* Never returns: reports that SIZE bytes could not be had, exits 1. */
void mem_out_of_memory(size_t size) __attribute__((noreturn));

#endif
