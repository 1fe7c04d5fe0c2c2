/* The per-arch table, and arch names as policies and --arch write them. */
#include "base/arch.h"

#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/mem.h"

const struct arch_info arch_table[ARCH_COUNT] = {
	[ARCH_X86_64]  = { "x86_64",  AUDIT_ARCH_X86_64,  64, 0 },
	[ARCH_X86]     = { "x86",     AUDIT_ARCH_I386,    32, 0 },
	/* x32 shares AUDIT_ARCH_X86_64 and is told apart by bit 30 of nr. */
	[ARCH_X32]     = { "x32",     AUDIT_ARCH_X86_64,  64, 0x40000000u },
	[ARCH_AARCH64] = { "aarch64", AUDIT_ARCH_AARCH64, 64, 0 },
};

int arch_by_name(const char *name)
{
	if (strcmp(name, "i386") == 0)
		return ARCH_X86;
	if (strcmp(name, "arm64") == 0)
		return ARCH_AARCH64;
	for (int i = 0; i < ARCH_COUNT; i++)
		if (strcmp(name, arch_table[i].name) == 0)
			return i;
	return -1;
}

int arch_native(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return ARCH_X32;
#elif defined(__x86_64__)
	return ARCH_X86_64;
#elif defined(__i386__)
	return ARCH_X86;
#elif defined(__aarch64__)
	return ARCH_AARCH64;
#else
	return -1;
#endif
}

/* The message names every arch, so that a typo needs no manual. */
static void unknown_arch(struct diag *d, const char *name)
{
	char known[128];
	size_t n = 0;
	known[0] = '\0';
	for (int i = 0; i < ARCH_COUNT; i++)
		n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", i ? ", " : "",
				      arch_table[i].name);
	diag_error(d, (struct loc){ 0 }, "unknown arch '%s' (known: %s)", name, known);
}

int arch_parse_list(struct diag *d, const char *list, unsigned *mask)
{
	char *copy = mem_strdup(list), *save = NULL;
	int rc = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int a = arch_by_name(tok);
		if (a < 0) {
			unknown_arch(d, tok);
			rc = -1;
			break;
		}
		*mask |= 1u << a;
	}
	free(copy);
	return rc;
}
