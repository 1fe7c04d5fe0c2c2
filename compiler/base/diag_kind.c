/* The ids of errors (diag.h, diag_error_kind): one per kind of message,
 * told by the message itself, so that every error has an id in JSON,
 * SARIF and GitHub output without each caller naming one. The first kind
 * with a matching pattern wins: a pattern starting with '^' is a prefix
 * of the message, any other one a part of it. docs/lint.md lists them. */
#include <string.h>

#include "base/diag.h"

#define MAX_PATTERNS 16

struct error_kind {
	struct diag_rule rule;
	const char *patterns[MAX_PATTERNS];   /* NULL-terminated */
};

static const struct error_kind error_kinds[] = {
	{ { "internal", "a bug in sysfence: an invariant does not hold" },
	  { "^internal error", NULL } },
	{ { "unknown-name", "a name (syscall, constant, argument, ruleset, import, arch, warning id) is not known" },
	  { "^unknown syscall", "^unknown constant", "^unknown arch", "^unknown warning id", "^no ruleset ",
	    "^no import named", "^no policy named", "has no argument", "takes no arguments",
	    "no const named", "^no syscall '", "is not a syscall on" } },
	{ { "syntax", "the text is not a policy: unexpected token, bad literal, malformed @quiet" },
	  { "^unexpected ", "^unterminated string", "^unknown annotation", "^malformed integer literal",
	    "^integer literal", "@quiet", "^cannot start the scanner", NULL } },
	{ { "conflict", "two rules match the same call with different actions, or one makes another useless" },
	  { " conflict: ", "has no effect: an unconditional", NULL } },
	{ { "redefined", "a name is defined twice, or a policy has two defaults or arch lists" },
	  { "is defined twice", "^two imports are both named", "has two 'default'", "has two 'arch'", NULL } },
	{ { "misplaced", "a statement where it is not allowed ('default' in a ruleset, ...)" },
	  { "is only allowed in a policy", NULL } },
	{ { "cycle", "an import, a ruleset or a const depends on itself" },
	  { "^import cycle", "uses itself", "defined in terms of itself", NULL } },
	{ { "out-of-range", "a value does not fit where it is used" },
	  { "is out of range", "does not fit the", "does not fit in 64 bits", "^integer overflow",
	    NULL } },
	{ { "arch-specific", "a name or an argument does not exist, or differs, on a target arch" },
	  { "is not defined on ", "does not exist on any target arch", "is not passed in a register on",
	    "differently on ", "split over two registers", "is not a register of its own", NULL } },
	{ { "import-not-found", "an import names no file next to the importer, in -I or in the standard library" },
	  { "^cannot find '", NULL } },
	{ { "no-policy", "the file has no policy to compile, or several and no -p" },
	  { "defines no policy", "choose one with -p", NULL } },
	{ { "too-large", "the filter or a condition exceeds a limit of the kernel or of sysfence" },
	  { "BPF instructions; the kernel accepts", "limit of 4096", "is too complex", "^more than ",
	    "nests too deeply", "^too many errors", NULL } },
	{ { "libseccomp", "libseccomp refused the policy or built a wrong filter" },
	  { "libseccomp", NULL } },
	{ { "io", "a file cannot be read or written, or is not what it should be" },
	  { "^cannot read", "^cannot open", "^cannot write", "is not a text file", "^cannot make",
	    "is not a valid seccomp filter", NULL } },
	{ { "usage", "a mistake on the command line" },
	  { "^-", "^unknown format", "^unknown option", "^option '", "^unknown command",
	    "runs one arch at a time", "^generate writes", "^import-oci writes", NULL } },
};

#define NKINDS (sizeof(error_kinds) / sizeof(error_kinds[0]))

static int pattern_matches(const char *pattern, const char *msg)
{
	if (pattern[0] == '^')
		return strncmp(msg, pattern + 1, strlen(pattern + 1)) == 0;
	return strstr(msg, pattern) != NULL;
}

const char *diag_error_kind(const char *msg)
{
	for (size_t i = 0; i < NKINDS; i++)
		for (size_t j = 0; j < MAX_PATTERNS && error_kinds[i].patterns[j]; j++)
			if (pattern_matches(error_kinds[i].patterns[j], msg))
				return error_kinds[i].rule.id;
	return DIAG_ERROR_OTHER;
}

const struct diag_rule *diag_error_kind_at(size_t i)
{
	static const struct diag_rule other = { DIAG_ERROR_OTHER, "any other error" };
	if (i < NKINDS)
		return &error_kinds[i].rule;
	return i == NKINDS ? &other : NULL;
}
