/* The machine-readable forms of diagnostics (diag_ci.c): JSON lines with
 * nested notes, one SARIF 2.1.0 document, GitHub Actions workflow
 * commands. Internal to base/diag.c, which decides what is reported. */
#ifndef SYSFENCE_DIAG_CI_H
#define SYSFENCE_DIAG_CI_H

#include "base/diag.h"

/* A diagnostic of level LV (a note here is one that stands alone). ID is
 * a warning id (LINT set) or an error kind. */
void records_add(struct diag *d, enum diag_level lv, struct loc at, const char *id, int lint,
		 const char *msg);
/* A note of the diagnostic added last; one that stands alone when there
 * is none to attach to. */
void records_note(struct diag *d, struct loc at, const char *msg);
/* Writes what is held (see diag_flush). */
void records_flush(struct diag *d);
void records_free(struct diag *d);

#endif
