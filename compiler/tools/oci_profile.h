/* An OCI / Docker seccomp profile, read and checked (oci_profile.c). */
#ifndef SYSFENCE_OCI_PROFILE_H
#define SYSFENCE_OCI_PROFILE_H

#include <stdio.h>

#include "base/json.h"
#include "backend/lower.h"
#include "tools/oci_import.h"

#define OCI_MAX_ARGS 6

/* One comparison of an entry. */
struct oci_arg {
	int index;
	enum lcmp_op op;
	uint64_t value, value_two;
	struct loc loc;          /* the arg object */
	struct loc value_loc;
};

/* One element of "syscalls". */
struct oci_entry {
	const struct json *obj;
	struct ptrvec names;     /* const struct json * (strings) */
	uint32_t action;         /* SECCOMP_RET_* with data */
	struct oci_arg args[OCI_MAX_ARGS];
	int nargs;
	size_t seq;              /* 1-based position in "syscalls" */
};

/* One filter: a host and the arches its filter covers. */
struct oci_group {
	int host;                /* enum arch_id of the host; -1: not named */
	unsigned mask;           /* arches of the filter */
};

struct oci_profile {
	struct arena *a;
	struct diag *d;
	const struct oci_import_options *o;
	const struct json *root;
	uint32_t default_action;
	struct ptrvec entries;   /* struct oci_entry * */
	struct oci_group groups[ARCH_COUNT];
	int ngroups;
	FILE *notes_f;           /* header comments gathered while reading */
};

/* Reads P->root (parsed) into the rest of P. Returns 0, or -1 after a
 * located diagnostic. */
int oci_profile_read(struct oci_profile *p);

/* Does the filter for HOST use E? 1 yes, 0 no (*WHY says why), -1 error. */
int oci_entry_used(struct oci_profile *p, const struct oci_entry *e, int host, const char **why);

#endif
