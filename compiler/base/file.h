/* Reading whole input files into an arena: policies, profiles, strace
 * logs and OCI profiles are all read at once and then parsed in memory. */
#ifndef SYSFENCE_FILE_H
#define SYSFENCE_FILE_H

#include <stddef.h>

#include "base/arena.h"
#include "base/diag.h"

/* No input is read past this size: policies, profiles and strace logs are
 * far smaller, and reading /dev/zero or a runaway log must end. */
#define FILE_MAX_BYTES (16 * 1024 * 1024)
#define FILE_MAX_TEXT "16777216"

/* Values of *ERR besides errno's (which are all positive). */
enum { FILE_ERR_TOO_BIG = -1, FILE_ERR_DEVICE = -2 };

/* The whole of PATH, NUL-terminated, in A (length in *LEN); NULL with *ERR
 * set to an errno value or a FILE_ERR_ when it cannot be read: over
 * FILE_MAX_BYTES, a directory, or a device (a pipe is read to its end). */
char *read_all(struct arena *a, const char *path, size_t *len, int *err);
/* The same as a struct source (for diagnostics that quote its lines), or
 * NULL with *ERR set. */
struct source *source_read(struct arena *a, const char *path, int *err);
/* What *ERR of read_all or source_read says, for "cannot read 'F': ..." */
const char *file_error(int err);

#endif
