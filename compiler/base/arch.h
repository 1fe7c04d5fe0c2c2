/* Target architectures sysfence can compile for.
 *
 * One table, indexed by enum arch_id, holds every per-arch fact the later
 * stages need: the AUDIT_ARCH value the kernel puts in seccomp_data.arch,
 * the word size (which decides how 32-bit arguments are compared), and the
 * libseccomp token. */
#ifndef SYSFENCE_ARCH_H
#define SYSFENCE_ARCH_H

#include <stdint.h>

enum arch_id {
	ARCH_X86_64,
	ARCH_X86,      /* i386 */
	ARCH_X32,
	ARCH_AARCH64,
	ARCH_COUNT
};

#define ARCH_MASK_ALL ((1u << ARCH_COUNT) - 1)

struct arch_info {
	const char *name;       /* as written in policies and --arch: "x86_64" */
	uint32_t audit_arch;    /* seccomp_data.arch */
	unsigned word_bits;     /* 32 or 64: width of a register */
	uint32_t nr_bias;       /* x32's __X32_SYSCALL_BIT, else 0 */
};

extern const struct arch_info arch_table[ARCH_COUNT];

/* Returns the arch named NAME (also accepts the aliases "amd64",
 * "x86-64", "i386", "i686" and "arm64"), or -1. */
int arch_by_name(const char *name);
/* The same, and "native" for the arch this compiler runs on: the command
 * line's names (a policy's arch list does not depend on the host). */
int arch_by_cli_name(const char *name);
/* The arch this compiler runs on, or -1 when it is none of ours. */
int arch_native(void);

struct diag;

/* Adds the arches of LIST ("x86_64,aarch64", as --arch takes it) to *MASK.
 * Returns 0, or -1 after diagnosing the first name that is no arch. */
int arch_parse_list(struct diag *d, const char *list, unsigned *mask);

#endif
