/* The libseccomp backend: builds one libseccomp context per arch from the
 * lowered rules, merges them, and exports the BPF program and PFC text. */
#ifndef SYSFENCE_BACKEND_H
#define SYSFENCE_BACKEND_H

#include <linux/filter.h>

#include "lower.h"

struct filter {
	struct sock_filter *insns;   /* arena-allocated */
	size_t len;                  /* instructions */
	char *pfc;                   /* libseccomp's pseudo filter code */
	size_t pfc_len;
};

int backend_build(struct unit *u, const struct policy_build *pb,
		  const struct arch_lowering low[ARCH_COUNT], struct filter *out);

#endif
