/* `sysfence import-oci`: the command line around oci_import(). */
#ifndef SYSFENCE_CMD_OCI_H
#define SYSFENCE_CMD_OCI_H

/* ARGV[0] is "import-oci". Returns the exit status. */
int cmd_import_oci(int argc, char **argv);

#endif
