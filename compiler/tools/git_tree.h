/* `diff --git REV FILE`: FILE as it was at commit REV, with the policies
 * it may import, materialised in a temporary directory. */
#ifndef SYSFENCE_GIT_TREE_H
#define SYSFENCE_GIT_TREE_H

#include <stddef.h>

#include "base/diag.h"

struct git_tree {
	char dir[256];       /* the temporary directory, "" when none */
	char file[4096];     /* FILE at REV, inside dir */
};

/* Writes every *.policy of REV (git archive) under a new temporary
 * directory, and names FILE's copy in T->file. Returns 0, or -1 after
 * diagnosing (not a repository, no such revision, FILE not in it). */
int git_tree_open(struct git_tree *t, struct diag *d, const char *rev, const char *file);
/* Removes the directory. */
void git_tree_close(struct git_tree *t);

#endif
