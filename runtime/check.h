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

#endif /* SYSFENCE_CHECK_H */
