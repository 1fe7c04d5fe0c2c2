/* The libseccomp backend: builds one libseccomp context per arch from the
 * lowered rules, merges them, and exports the BPF program and PFC text. */
#ifndef SYSFENCE_BACKEND_H
#define SYSFENCE_BACKEND_H

#include <linux/filter.h>

#include "backend/lower.h"

struct filter {
	struct sock_filter *insns;   /* arena-allocated */
	size_t len;                  /* instructions */
	char *pfc;                   /* libseccomp's pseudo filter code */
	size_t pfc_len;
};

/* The pass that rebuilds libseccomp's exported program for speed, with
 * the unconditional rules added as verdicts (the layout pass). It sits
 * above the backend, so the driver hands it in. RUN returns 0 with the
 * new program in *OUT (allocated in A), or non-zero to keep PROG. */
struct backend_relayout {
	int (*run)(void *ctx, struct arena *a, const struct sock_filter *prog, size_t len,
		   const struct bpf_verdict *v, size_t nv, struct sock_filter **out,
		   size_t *outlen);
	void *ctx;
};

/* Builds the filter of PB from its lowering LOW. RELAYOUT NULL keeps
 * libseccomp's own program. Returns 0, or -1 after diagnosing why not. */
int backend_build(struct unit *u, const struct policy_build *pb,
		  const struct arch_lowering low[ARCH_COUNT],
		  const struct backend_relayout *relayout, struct filter *out);

#endif
