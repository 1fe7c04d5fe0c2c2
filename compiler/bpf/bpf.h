/* Classic-BPF tooling for seccomp filters: a checker, an interpreter and a
 * disassembler.
 *
 * These run on .bpf files we did not produce ("sysfence sim"), so every
 * entry point must terminate and stay in bounds on arbitrary input. The
 * checker mirrors what the kernel's seccomp loader accepts, so that a
 * filter we call valid is one the kernel will load. */
#ifndef SYSFENCE_BPF_H
#define SYSFENCE_BPF_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BPF_MAX_INSNS 4096

/* Older uapi headers lack the newer actions; the values are ABI. */
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_KILL_THREAD
#define SECCOMP_RET_KILL_THREAD 0x00000000U
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef SECCOMP_RET_LOG
#define SECCOMP_RET_LOG 0x7ffc0000U
#endif
#ifndef SECCOMP_RET_ACTION_FULL
#define SECCOMP_RET_ACTION_FULL 0xffff0000U
#endif

/* What a program does for one syscall, whatever its arguments: on ARCH
 * (an AUDIT_ARCH value) syscall NR returns RET. The backend leaves such
 * decisions out of libseccomp's program, and the layout pass adds them. */
struct bpf_verdict {
	uint32_t arch, nr, ret;
};

/* Checks PROG the way the kernel's seccomp loader does (classic BPF
 * checker + seccomp's own opcode list). Enforced:
 *  - 1..BPF_MAX_INSNS instructions;
 *  - the opcode is exactly one seccomp accepts: LD W ABS, LD/LDX W LEN,
 *    LD/LDX IMM, LD/LDX MEM, ST, STX, ALU ADD SUB MUL DIV AND OR XOR LSH
 *    RSH (K and X) and NEG, JA, JEQ/JGT/JGE/JSET (K and X), RET K/A,
 *    TAX, TXA. ALU MOD is rejected: the kernel's seccomp list omits it;
 *  - LD W ABS offsets are 4-byte aligned and inside struct seccomp_data;
 *  - scratch memory indices are below BPF_MEMWORDS (16);
 *  - DIV by constant 0 and LSH/RSH by a constant >= 32 are rejected;
 *  - every jump target lies inside the program;
 *  - the last instruction is a RET;
 *  - no LD/LDX MEM may read a cell that some path leaves unwritten. Like
 *    the kernel, a RET is treated as falling through to the next
 *    instruction for this check, so code after a RET that is reached only
 *    by fall-through still counts as reachable.
 * Returns 0 when valid; otherwise -EINVAL and, if WHY != NULL, a one-line
 * reason naming the offending instruction index. */
int bpf_check(const struct sock_filter *prog, size_t len, char *why,
	      size_t whylen);

/* Runs PROG on D and stores the filter's return value in *RET and the
 * number of executed instructions (including the final RET, or the
 * division that ended it) in *STEPS (STEPS may be NULL). PROG is checked
 * with bpf_check first and every access is bounds-checked as well, so any
 * input is safe. A and X start at 0. A division by X == 0 ends the
 * program with return value 0, as in the kernel; shifts by X use only its
 * low 5 bits, as the kernel does. Returns 0, or -EINVAL when PROG is
 * invalid or an argument is NULL. */
int bpf_run(const struct sock_filter *prog, size_t len,
	    const struct seccomp_data *d, uint32_t *ret, size_t *steps);
/* bpf_run for a PROG that already passed bpf_check: the same, without
 * checking the whole program again on every run (every access is still
 * bounds-checked). For running one program on many inputs. */
int bpf_run_valid(const struct sock_filter *prog, size_t len,
		  const struct seccomp_data *d, uint32_t *ret, size_t *steps);

/* Names a SECCOMP_RET_* value: "allow", "kill_process", "kill_thread",
 * "trap", "errno(EACCES)" (by number when the value has no name),
 * "trace(5)", "log", "notify", or "unknown(0x...)"
 * for an action the kernel does not define (it treats those as
 * kill_process). Writes into BUF and returns it ("" if LEN is 0). */
const char *bpf_action_str(uint32_t ret, char *buf, size_t len);

/* What the disassembler's path analysis knows about the paths reaching a
 * RET instruction. */
struct bpf_reach {
	uint32_t arch;  /* seccomp_data.arch value all paths to this RET
			 * compared equal to, or 0 if unknown / several */
	int nr_known;   /* 1 when every path to this RET pinned
			 * seccomp_data.nr to a single value */
	uint32_t nr;    /* that value */
	uint32_t ret;   /* the RET K value; for RET A the constant A holds on
			 * every path, or 0 when that is not known */
	/* When every path to this RET pins both arch and nr, the distinct
	 * (arch, nr) pairs; npaths is 0 when some path does not (or there
	 * are more than BPF_REACH_PATHS). A return shared by several
	 * syscalls is described here. */
	unsigned npaths;
	struct bpf_path { uint32_t arch, nr; } paths[64];
};
#define BPF_REACH_PATHS 64

typedef void (*bpf_annotate_fn)(const struct bpf_reach *r, void *ctx,
				char *note, size_t notelen);

/* Writes one line per instruction of PROG to OUT, e.g.
 *   0000: ld   [4]                         ; arch
 *   0001: jeq  #0xc000003e -> 0002 : 0009  ; AUDIT_ARCH_X86_64
 *   0002: ld   [0]                         ; nr
 *   0003: jeq  #0x101 -> 0008 : 0004       ; openat
 *   0004: ld   [24]                        ; args[1] low
 *   0008: ret  #0x0005000d                 ; errno(EACCES)
 *   0009: ret  #0x7fff0000                 ; allow  # note
 * Jump targets are absolute indices. Loads name the seccomp_data word,
 * compares with arch name the AUDIT_ARCH_* value, compares with nr name
 * the syscall of that number on the arch every path here compared arch
 * with (sysfence's arches only), returns name the action with errno
 * values by name. For every RET, ANNOTATE (may be NULL) is called with
 * what is known about the paths reaching it, and a non-empty NOTE it
 * writes is printed after the line as "  # NOTE". Works on any input,
 * valid or not. */
void bpf_disasm(FILE *out, const struct sock_filter *prog, size_t len,
		bpf_annotate_fn annotate, void *ctx);
/* The same, with syscall numbers named as on ARCH (an AUDIT_ARCH value;
 * 0: none) where no compare on the path said anything about arch: for
 * filters that look at nr without checking arch first. */
void bpf_disasm_as(FILE *out, const struct sock_filter *prog, size_t len, uint32_t arch,
		   bpf_annotate_fn annotate, void *ctx);

#endif
