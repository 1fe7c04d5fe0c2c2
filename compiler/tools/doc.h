#ifndef SYSFENCE_DOC_H
#define SYSFENCE_DOC_H

#include <stdio.h>

#include "frontend/unit.h"

/* Writes a Markdown section titled TITLE: one table row per rule or `use`
 * of every ruleset and policy in F, in source order. */
void doc_file(FILE *out, const struct policy_file *f, const char *title);

#endif
