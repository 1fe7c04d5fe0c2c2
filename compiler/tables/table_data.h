/* The generated data behind tables.h, shared by the generated files
 * (syscalls.c, constants.c: data only) and the hand-written lookups over
 * them (lookup.c). Only the tables layer includes this; everyone else
 * goes through the functions of tables.h. */
#ifndef SYSFENCE_TABLE_DATA_H
#define SYSFENCE_TABLE_DATA_H

#include <stddef.h>

#include "tables/tables.h"

/* Sorted by name (strcmp), for bsearch. */
extern const struct syscall_desc syscall_table[];
extern const size_t syscall_table_len;

/* Sorted by syscall name. */
extern const struct syscall_width_by width_by_table[];
extern const size_t width_by_table_len;

/* Sorted by name (strcmp), for bsearch. */
extern const struct constant_desc constant_table[];
extern const size_t constant_table_len;

#endif
