/* Names shared by the OCI importer and exporter: libseccomp's action,
 * comparison and architecture tokens, Docker's host arch names, and
 * syscalls by kernel name (what profiles use). */
#ifndef SYSFENCE_OCI_H
#define SYSFENCE_OCI_H

#include <stdint.h>

#include "base/arch.h"
#include "backend/lower.h"

/* SCMP_ACT_* name -> SECCOMP_RET_* (without data); TAKES_DATA says the
 * action carries errnoRet. Returns 0, or -1 for an unknown name. */
int oci_action_parse(const char *name, uint32_t *ret, int *takes_data);
/* SECCOMP_RET_* (data ignored) -> SCMP_ACT_* name, or NULL. */
const char *oci_action_name(uint32_t action);

/* SCMP_CMP_* name <-> comparison. */
int oci_op_parse(const char *name, enum lcmp_op *op);
const char *oci_op_name(enum lcmp_op op);

/* SCMP_ARCH_* token of an arch, and the arch of a token (-1: not ours). */
const char *oci_arch_token(int arch);
int oci_arch_by_token(const char *token);

/* The names Docker's includes/excludes "arches" use for a host arch;
 * the first is the one Docker itself writes. NULL-terminated. */
const char *const *oci_host_names(int arch);

/* The number of the syscall the kernel calls KNAME on ARCH, or -1. */
int oci_kernel_nr(const char *kname, int arch);

#endif
