#include "base/arch.h"

#include <linux/audit.h>
#include <string.h>

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
