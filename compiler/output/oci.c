/* The OCI names both directions share: libseccomp's action, comparison
 * and arch tokens, Docker's host arch names, kernel syscall names. */
#include "output/oci.h"

#include <string.h>

#include "bpf/bpf.h"
#include "tables/tables.h"

static const struct {
	const char *name;
	uint32_t ret;
	int takes_data;
} actions[] = {
	/* The first name of an action is the one the exporter writes. */
	{ "SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW, 0 },
	{ "SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO, 1 },
	{ "SCMP_ACT_TRACE", SECCOMP_RET_TRACE, 1 },
	{ "SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD, 0 },
	{ "SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD, 0 },    /* libseccomp: = KILL_THREAD */
	{ "SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS, 0 },
	{ "SCMP_ACT_TRAP", SECCOMP_RET_TRAP, 0 },
	{ "SCMP_ACT_LOG", SECCOMP_RET_LOG, 0 },
	{ "SCMP_ACT_NOTIFY", SECCOMP_RET_USER_NOTIF, 0 },
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

int oci_action_parse(const char *name, uint32_t *ret, int *takes_data)
{
	for (size_t i = 0; i < NACTIONS; i++)
		if (strcmp(name, actions[i].name) == 0) {
			*ret = actions[i].ret;
			*takes_data = actions[i].takes_data;
			return 0;
		}
	return -1;
}

const char *oci_action_name(uint32_t action)
{
	for (size_t i = 0; i < NACTIONS; i++)
		if ((action & SECCOMP_RET_ACTION_FULL) == actions[i].ret)
			return actions[i].name;
	return NULL;
}

static const char *const ops[] = {
	[LC_EQ] = "SCMP_CMP_EQ", [LC_NE] = "SCMP_CMP_NE", [LC_LT] = "SCMP_CMP_LT",
	[LC_LE] = "SCMP_CMP_LE", [LC_GT] = "SCMP_CMP_GT", [LC_GE] = "SCMP_CMP_GE",
	[LC_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

int oci_op_parse(const char *name, enum lcmp_op *op)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(name, ops[i]) == 0) {
			*op = (enum lcmp_op)i;
			return 0;
		}
	return -1;
}

const char *oci_op_name(enum lcmp_op op)
{
	return ops[op];
}

static const char *const tokens[ARCH_COUNT] = {
	[ARCH_X86_64] = "SCMP_ARCH_X86_64", [ARCH_X86] = "SCMP_ARCH_X86",
	[ARCH_X32] = "SCMP_ARCH_X32", [ARCH_AARCH64] = "SCMP_ARCH_AARCH64",
};

const char *oci_arch_token(int arch)
{
	return tokens[arch];
}

int oci_arch_by_token(const char *token)
{
	for (int a = 0; a < ARCH_COUNT; a++)
		if (strcmp(token, tokens[a]) == 0)
			return a;
	return -1;
}

const char *const *oci_host_names(int arch)
{
	/* Docker compares includes/excludes "arches" with the Go name of the
	 * host it runs on; the profile also uses the libseccomp-style ones. */
	static const char *const names[ARCH_COUNT][4] = {
		[ARCH_X86_64] = { "amd64", "x86_64" },
		[ARCH_X86] = { "x86", "386", "i386" },
		[ARCH_X32] = { "x32" },
		[ARCH_AARCH64] = { "arm64", "aarch64" },
	};
	return names[arch];
}

int oci_kernel_nr(const char *kname, int arch)
{
	for (size_t i = 0; i < syscall_count(); i++) {
		const struct syscall_desc *s = syscall_at(i);
		if (s->kname[arch] && strcmp(s->kname[arch], kname) == 0)
			return s->nr[arch];
	}
	return -1;
}
