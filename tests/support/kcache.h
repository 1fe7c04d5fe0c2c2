/* The kernel's constant-action cache (kernel/seccomp.c, Linux 5.11+).
 *
 * When a filter is attached, the kernel emulates it once for every
 * syscall number of each arch it supports, and a syscall for which the
 * filter is sure to return SECCOMP_RET_ALLOW without looking at anything
 * but arch and nr is then allowed without running the filter at all. The
 * emulation is deliberately simple, so how a filter is laid out decides
 * which allows get cached; this models that rule for tests and
 * benchmarks. */
#ifndef SYSFENCE_KCACHE_H
#define SYSFENCE_KCACHE_H

#include "bpf/bpf.h"

/* 1 when the kernel would cache (ARCH, NR) as always allowed by PROG: its
 * emulation from instruction 0, with A starting at 0, meets only loads of
 * seccomp_data.nr or .arch, JA, JEQ/JGE/JGT/JSET against a constant and
 * ALU AND with a constant, and ends in RET K with SECCOMP_RET_ALLOW. Any
 * other instruction (a load of an argument, say) or running off the end
 * gives 0. PROG should have passed bpf_check. */
int kcache_const_allow(const struct sock_filter *prog, size_t len, uint32_t arch, uint32_t nr);

#endif
