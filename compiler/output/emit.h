/* Exporters: raw BPF, a C header, libseccomp's PFC, an annotated
 * disassembly, and OCI seccomp JSON (oci_export.c). Output files are
 * replaced atomically (emit_atomic). */
#ifndef SYSFENCE_EMIT_H
#define SYSFENCE_EMIT_H

#include "backend/backend.h"

enum out_format { FMT_BPF, FMT_C, FMT_PFC, FMT_ASM, FMT_OCI, FMT_NONE };

/* The format an output path's extension asks for (.bpf .h .pfc .asm/.s .json),
 * or FMT_NONE. */
enum out_format format_from_path(const char *path);
enum out_format format_from_name(const char *name);

/* Writes FILTER in FMT to PATH as emit_atomic does, refusing to write
 * over any file of U or of INPUTS (NULL-terminated, may be NULL: the
 * other files the command read). FMT_OCI reads only PB (oci_export
 * lowers it), so FILTER may then be empty. Returns 0 or -1 with a
 * diagnostic. */
int emit_filter(struct unit *u, const struct policy_build *pb, const struct filter *f,
		enum out_format fmt, const char *path, const char *const *inputs);

/* Writes PATH with WRITE(out, CTX). A regular file, or one not there
 * yet, is replaced atomically: it appears complete or not at all, even
 * after a kill, keeps its mode and owner, and no temporary file is left.
 * A symlink is followed and its target replaced. "-" (standard output),
 * a device, FIFO or socket is written to directly. A PATH that is one of
 * INPUTS (NULL-terminated, may be NULL; as inodes, through any link) is
 * refused before anything is written. Returns 0, or -1 after a
 * diagnostic (also when WRITE fails). */
typedef int (*emit_writer)(FILE *out, void *ctx);
int emit_atomic(struct diag *d, struct arena *a, const char *path, const char *const *inputs,
		emit_writer write, void *ctx);

#endif
