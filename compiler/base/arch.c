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

/* Other spellings of the arches, as other tools (Debian, Go, Docker,
 * uname -m) write them. */
static const struct { const char *name; enum arch_id arch; } arch_aliases[] = {
	{ "amd64", ARCH_X86_64 }, { "x86-64", ARCH_X86_64 },
	{ "i386", ARCH_X86 },     { "i686", ARCH_X86 },
	{ "arm64", ARCH_AARCH64 },
};

int arch_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(arch_aliases) / sizeof(arch_aliases[0]); i++)
		if (strcmp(name, arch_aliases[i].name) == 0)
			return (int)arch_aliases[i].arch;
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

int arch_by_cli_name(const char *name)
{
	return strcmp(name, "native") == 0 ? arch_native() : arch_by_name(name);
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
	diag_error(d, (struct loc){ 0 }, "unknown arch '%s' (known: %s, native)", name, known);
}

int arch_parse_list(struct diag *d, const char *list, unsigned *mask)
{
	char *copy = mem_strdup(list), *save = NULL;
	int rc = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int a = arch_by_cli_name(tok);
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
