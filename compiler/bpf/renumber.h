/* Renumbering syscalls in an exported program: see renumber.c. */
#ifndef SYSFENCE_RENUMBER_H
#define SYSFENCE_RENUMBER_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/* On arch AUDIT_ARCH, the program's comparisons of the syscall number
 * with FROM (a stand-in) are to be made with TO (the real syscall). */
struct renumbering {
	uint32_t audit_arch;
	uint32_t from, to;
};

/* Rewrites PROG in place so that on each renumbering's arch, syscall TO
 * takes the path FROM took, and FROM the path any number no comparison
 * names takes. Needs every FROM and TO to be distinct and TO not compared
 * anywhere. Returns 0, or -1 when PROG compares syscall numbers in a way
 * the rewrite cannot account for (PROG is then partly rewritten and must
 * be dropped). */
int bpf_renumber(struct sock_filter *prog, size_t len, const struct renumbering *r, size_t n);

#endif
