/* Exporters: raw BPF, a C header, libseccomp's PFC, an annotated
 * disassembly, and OCI seccomp JSON (oci_export.c). Output files are replaced atomically. */
#ifndef SYSFENCE_EMIT_H
#define SYSFENCE_EMIT_H

#include "backend/backend.h"

enum out_format { FMT_BPF, FMT_C, FMT_PFC, FMT_ASM, FMT_OCI, FMT_NONE };

/* The format an output path's extension asks for (.bpf .h .pfc .asm/.s .json),
 * or FMT_NONE. */
enum out_format format_from_path(const char *path);
enum out_format format_from_name(const char *name);

/* Writes FILTER in FMT to PATH ("-" for standard output). The file appears
 * complete or not at all. FMT_OCI reads only PB (oci_export lowers it), so
 * FILTER may then be empty. Returns 0 or -1 with a diagnostic. */
int emit_filter(struct unit *u, const struct policy_build *pb, const struct filter *f,
		enum out_format fmt, const char *path);

/* Writes PATH ("-": standard output) with WRITE(out, CTX), atomically:
 * the file appears complete or not at all. Returns 0, or -1 after a
 * diagnostic (or when WRITE fails). */
typedef int (*emit_writer)(FILE *out, void *ctx);
int emit_atomic(struct diag *d, struct arena *a, const char *path, emit_writer write, void *ctx);

#endif
