/* The help text of each command: its synopsis and every option it takes,
 * printed by `sysfence COMMAND --help` and `sysfence help COMMAND`
 * (main.c) and after a usage error of that command. */
#ifndef SYSFENCE_CLI_HELP_H
#define SYSFENCE_CLI_HELP_H

extern const char cli_help_check[];
extern const char cli_help_compile[];
extern const char cli_help_sim[];
extern const char cli_help_diff[];
extern const char cli_help_import_oci[];
extern const char cli_help_generate[];
extern const char cli_help_doc[];
extern const char cli_help_exec[];
extern const char cli_help_disasm[];
extern const char cli_help_resolve[];
extern const char cli_help_dump[];

#endif
