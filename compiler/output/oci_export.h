/* Exporting a compiled policy as an OCI seccomp profile (JSON), for runc,
 * crun, Docker and podman. */
#ifndef SYSFENCE_OCI_EXPORT_H
#define SYSFENCE_OCI_EXPORT_H

#include "analysis/policy.h"

/* Lowers PB and writes it as OCI JSON to *TEXT (arena-allocated, *LEN
 * bytes). Returns 0, or -1 after diagnosing what OCI cannot express. */
int oci_export(struct unit *u, const struct policy_build *pb, const char **text, size_t *len);

#endif
