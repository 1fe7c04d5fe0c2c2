/* Importing OCI / Docker seccomp profiles as sysfence policies. */
#ifndef SYSFENCE_OCI_IMPORT_H
#define SYSFENCE_OCI_IMPORT_H

#include <stddef.h>

#include "base/json.h"

struct oci_import_options {
	const char *const *caps;   /* capabilities granted (--cap), "CAP_SYS_ADMIN" */
	size_t ncaps;
	int kernel_major;          /* --kernel X.Y decides minKernel; -1: every minKernel holds */
	int kernel_minor;
	const char *name;          /* policy name; NULL: from the profile's file name */
	unsigned arch_mask;        /* --arch: only these arches (bit per enum arch_id); 0: all */
};

/* Reads the profile in SRC and writes an equivalent policy to *TEXT
 * (malloc'ed, *LEN bytes). Returns 0, or -1 after diagnosing what the
 * profile gets wrong or what the language cannot say; then *TEXT is NULL. */
int oci_import(struct arena *a, struct diag *d, const struct source *src,
	       const struct oci_import_options *o, char **text, size_t *len);

#endif
