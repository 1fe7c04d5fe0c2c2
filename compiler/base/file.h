/* Reading whole input files into an arena: policies, profiles, strace
 * logs and OCI profiles are all read at once and then parsed in memory. */
#ifndef SYSFENCE_FILE_H
#define SYSFENCE_FILE_H

#include <stddef.h>

#include "base/arena.h"
#include "base/diag.h"

/* The whole of PATH, NUL-terminated, in A (length in *LEN); NULL with *ERR
 * set to an errno value when it cannot be read. */
char *read_all(struct arena *a, const char *path, size_t *len, int *err);
/* The same as a struct source (for diagnostics that quote its lines), or
 * NULL with *ERR set. */
struct source *source_read(struct arena *a, const char *path, int *err);

#endif
