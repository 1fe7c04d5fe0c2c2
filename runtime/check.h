/* sysfence runtime, internal: the kernel's checks of a filter (check.c).
 * Not installed; sysfence.h holds the codes it returns. */
#ifndef SYSFENCE_CHECK_H
#define SYSFENCE_CHECK_H

#include "sysfence.h"

/* 0 when the kernel would take these len instructions as a seccomp filter,
 * else the first reason it would not: -SYSFENCE_E*, or -EFAULT for a NULL
 * insns.  Reads the instructions and nothing else. */
__attribute__((visibility("hidden")))
int sysfence_check_filter(const struct sock_filter *insns, size_t len);

/* -SYSFENCE_EARCH when the filter, run as the kernel would on this
 * process's arch, kills both exit_group and getpid (interp.c): a filter
 * for another arch.  0 otherwise, and on arches sysfence does not know.
 * Needs a filter sysfence_check_filter has passed. */
__attribute__((visibility("hidden")))
int sysfence_check_arch(const struct sock_filter *insns, size_t len);

/* This process's arch as seccomp sees it: "AUDIT_ARCH_X86_64", ... */
__attribute__((visibility("hidden")))
const char *sysfence_arch_name(void);

#endif /* SYSFENCE_CHECK_H */
