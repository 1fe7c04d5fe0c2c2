/* The command line's shared parts: the context every command gets, the
 * options most commands share (options.c), and the commands main.c's
 * table dispatches to, one file each (cmd_*.c). */
#ifndef SYSFENCE_CLI_H
#define SYSFENCE_CLI_H

#include <getopt.h>

#include "frontend/unit.h"
#include "output/emit.h"

struct cli {
	/* Every message of the run. Text on standard error until a command
	 * has read its own --format, so that mistakes on the command line
	 * look the same for every command. */
	struct diag diag;
	const char *usage;          /* for usage errors and --help: the running
				     * command's help text (cli/help.h), the
				     * whole usage before a command is chosen */
	struct arena *arena;        /* what lives for the whole run (--profile) */
};

/* What a command does: ARGV[0] is its name. Returns the exit status. */
typedef int (*cli_command)(struct cli *cli, int argc, char **argv);

int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_compile(struct cli *cli, int argc, char **argv);
int cmd_sim(struct cli *cli, int argc, char **argv);
int cmd_diff(struct cli *cli, int argc, char **argv);
int cmd_import_oci(struct cli *cli, int argc, char **argv);
int cmd_generate(struct cli *cli, int argc, char **argv);
int cmd_doc(struct cli *cli, int argc, char **argv);
int cmd_exec(struct cli *cli, int argc, char **argv);
int cmd_disasm(struct cli *cli, int argc, char **argv);
int cmd_resolve(struct cli *cli, int argc, char **argv);
int cmd_dump(struct cli *cli, int argc, char **argv);

/* The options of check, compile, sim, diff and doc: -I -D -p -o -f
 * --arch --werror -W -v --profile, then the files. */
struct cli_opts {
	struct unit_options unit;   /* -I, -D, -v, --profile */
	const char *policy;         /* -p */
	const char *out;            /* -o */
	enum out_format fmt;        /* -f; FMT_NONE when not given */
	unsigned arch_mask;         /* --arch */
	int werror, json;           /* --werror (-W error), --format=json */
	enum diag_format dfmt;      /* --format=json|sarif|github; DIAG_TEXT when not given */
	struct diag_wctl *wctl;     /* -W error=ID, -W no-ID, -W ID, in order */
	size_t nwctl;
	const char *profile;        /* --profile FILE */
	const char *depfile;        /* compile --depfile FILE */
	const char *git_rev;        /* diff --git REV */
	char **files;
	int nfiles;
	const char **incs;          /* storage of unit.include_dirs */
	struct define *defs;        /* storage of unit.defines */
};

/* Parses ARGV into O. Returns 0 to go on, or -1 with the exit status to
 * end with in *STATUS: 0 after --help, 2 for a usage error, 1 for a bad
 * profile. O is released with cli_options_free() either way. */
int cli_options_parse(struct cli *cli, int argc, char **argv, struct cli_opts *o, int *status);
void cli_options_free(struct cli_opts *o);

/* Makes CLI's diagnostics what O asks for: -W, --werror and, when
 * --format names one, JSON, SARIF or GitHub form on stdout. */
void cli_diag_setup(struct cli *cli, const struct cli_opts *o);
/* Only -W and --werror (compile, whose output may be stdout). */
void cli_warnings_setup(struct cli *cli, const struct cli_opts *o);

/* Prints the usage text after a usage error; returns 2, its exit status. */
int cli_usage_error(struct cli *cli, const char *usage);

/* getopt_long with its complaints through CLI's diag instead of its own
 * stderr line: an unknown option or a missing argument is diagnosed and
 * returns '?'. OPTS is getopt's string (a leading '+' kept). */
int cli_getopt(struct cli *cli, int argc, char **argv, const char *opts,
	       const struct option *longopts);

#endif
