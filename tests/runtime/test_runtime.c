/* Tests of the runtime loader (runtime/sysfence.c) against the kernel.
 *
 * Each test runs in a forked child, since a filter cannot be removed once
 * installed.  The filters are tiny and hand-built: they deny one or two
 * syscalls no libc or sanitizer runtime needs on their own, and allow the
 * rest.  A confined child ends with _exit(), so that no exit-time handler
 * (LeakSanitizer's, say) runs under the filter.  Output is TAP, from the
 * shared harness (tests/support/harness.h); a check failed in a child ends
 * that child (REQUIRE).
 */
#define _GNU_SOURCE
#include "sysfence.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

/* OTHER_ARCH: one sysfence compiles for, but not this one. */
#if defined(__x86_64__)
#define TEST_ARCH AUDIT_ARCH_X86_64
#define OTHER_ARCH AUDIT_ARCH_AARCH64
#elif defined(__aarch64__)
#define TEST_ARCH AUDIT_ARCH_AARCH64
#define OTHER_ARCH AUDIT_ARCH_X86_64
#else
#define TEST_ARCH 0 /* no test filter for this arch: main() skips */
#endif

#define SKIP HARNESS_SKIP

static char tmpdir[] = "/tmp/sysfence-runtime-XXXXXX";
static const char *self_exe;

/* In a child: a failed check is reported and ends the child. */
#define CHECK_RC(call, want)                                                 \
	do {                                                                     \
		int rc_ = (call);                                                    \
		REQUIRE(rc_ == (want), "%s returned %d (%s), want %d (%s)", #call,   \
				rc_, sysfence_strerror(rc_), (want), sysfence_strerror(want)); \
	} while (0)

/* "errno(EPERM) for syscall nr, allow everything else", after the arch
 * check every real filter makes. */
#define DENY_FILTER(sysno)                                                      \
	{                                                                        \
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,                                   \
				 offsetof(struct seccomp_data, arch)),                       \
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_ARCH, 0, 4),                \
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)), \
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (sysno), 0, 1),                   \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),                \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                        \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),                 \
	}
#define NINSNS(a) (sizeof(a) / sizeof((a)[0]))

/* RET for syscall sysno of audit_arch, allow the rest of it, kill other arches:
 * what `sysfence compile` makes of a one-rule policy. */
#define ONE_RULE_FILTER(audit_arch, sysno, ret)                                       \
	{                                                                        \
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,                                   \
				 offsetof(struct seccomp_data, arch)),                       \
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (audit_arch), 0, 4),                   \
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)), \
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (sysno), 0, 1),                   \
		BPF_STMT(BPF_RET | BPF_K, (ret)),                                    \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                        \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),                 \
	}

/* The probes: raw syscalls, so that no libc cache answers instead. */
static int denied(long nr)
{
	errno = 0;
	return syscall(nr, 0) == -1 && errno == EPERM;
}

static int allowed(long nr)
{
	return syscall(nr, 0) >= 0;
}

static int apply_deny(long nr, unsigned flags)
{
	struct sock_filter f[] = DENY_FILTER(nr);
	return sysfence_apply(f, NINSNS(f), flags);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	REQUIRE(fd >= 0);
	REQUIRE(write(fd, data, len) == (ssize_t)len);
	REQUIRE(close(fd) == 0);
}

static char *tmp_path(const char *name)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name);
	return buf;
}

/* ---- the tests; each returns 0 (pass) or SKIP, or _exit(1)s ---- */

static int test_basic(void)
{
	REQUIRE(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
	CHECK_RC(apply_deny(SYS_getppid, 0), 0);
	REQUIRE(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	REQUIRE(denied(SYS_getppid));
	REQUIRE(allowed(SYS_getpgid));
	return 0;
}

/* A second thread waits until the main one has applied its filter, then
 * probes getppid; the main thread learns the answer by joining it. */
static pthread_barrier_t barrier;

static void *probe_thread(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&barrier);
	return (void *)(long)denied(SYS_getppid);
}

static void threads_case(unsigned flags, int other_confined)
{
	pthread_t t;
	void *res;

	REQUIRE(pthread_barrier_init(&barrier, NULL, 2) == 0);
	REQUIRE(pthread_create(&t, NULL, probe_thread, NULL) == 0);
	CHECK_RC(apply_deny(SYS_getppid, flags), 0);
	REQUIRE(denied(SYS_getppid));
	pthread_barrier_wait(&barrier);
	REQUIRE(pthread_join(t, &res) == 0);
	REQUIRE((long)res == other_confined);
}

static int test_current_thread(void)
{
	threads_case(0, 0);
	return 0;
}

static int test_all_threads(void)
{
	threads_case(SYSFENCE_ALL_THREADS, 1);
	return 0;
}

/* A thread with a filter of its own cannot be synchronised to ours: the
 * kernel names it, and installs nothing. */
static pid_t loner_tid;

static void *loner_thread(void *arg)
{
	(void)arg;
	loner_tid = (pid_t)syscall(SYS_gettid);
	CHECK_RC(apply_deny(SYS_getpgid, 0), 0);
	pthread_barrier_wait(&barrier); /* filtered: main may try TSYNC */
	pthread_barrier_wait(&barrier); /* main is done */
	return NULL;
}

static int test_tsync_failure(void)
{
	pthread_t t;
	char want[64];

	REQUIRE(pthread_barrier_init(&barrier, NULL, 2) == 0);
	REQUIRE(pthread_create(&t, NULL, loner_thread, NULL) == 0);
	pthread_barrier_wait(&barrier);
	CHECK_RC(apply_deny(SYS_getppid, SYSFENCE_ALL_THREADS), -SYSFENCE_ETSYNC);
	REQUIRE(sysfence_last_tsync_tid() == loner_tid);
	snprintf(want, sizeof(want), "thread %ld ", (long)loner_tid);
	REQUIRE(strstr(sysfence_strerror(-SYSFENCE_ETSYNC), want) != NULL);
	REQUIRE(allowed(SYS_getppid)); /* nothing installed here */
	pthread_barrier_wait(&barrier);
	REQUIRE(pthread_join(t, NULL) == 0);
	return 0;
}

/* With a listener the kernel cannot name the thread (TSYNC_ESRCH): the
 * code is the same, the thread 0, and nothing is installed. */
static int test_tsync_listener_failure(void)
{
	struct sock_filter f[] = ONE_RULE_FILTER(TEST_ARCH, SYS_getppid,
											 SECCOMP_RET_USER_NOTIF);
	pthread_t t;
	int fd = 7, rc;

	REQUIRE(pthread_barrier_init(&barrier, NULL, 2) == 0);
	REQUIRE(pthread_create(&t, NULL, loner_thread, NULL) == 0);
	pthread_barrier_wait(&barrier);
	rc = sysfence_apply_listener(f, NINSNS(f), SYSFENCE_ALL_THREADS, &fd);
	if (rc == -EINVAL) /* a kernel older than 5.7 */
		_exit(SKIP);
	CHECK_RC(rc, -SYSFENCE_ETSYNC);
	REQUIRE(fd == -1 && sysfence_last_tsync_tid() == 0);
	REQUIRE(strstr(sysfence_strerror(rc), "names none") != NULL);
	REQUIRE(allowed(SYS_getppid));
	pthread_barrier_wait(&barrier);
	REQUIRE(pthread_join(t, NULL) == 0);
	return 0;
}

static void *enosys_thread(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&barrier);
	errno = 0;
	return (void *)(long)(syscall(SYS_getppid) == -1 && errno == ENOSYS);
}

/* And on every thread when none has diverged. */
static int test_all_threads_listener(void)
{
	struct sock_filter f[] = ONE_RULE_FILTER(TEST_ARCH, SYS_getppid,
											 SECCOMP_RET_USER_NOTIF);
	pthread_t t;
	void *res;
	int fd = -1, rc;

	REQUIRE(pthread_barrier_init(&barrier, NULL, 2) == 0);
	REQUIRE(pthread_create(&t, NULL, enosys_thread, NULL) == 0);
	rc = sysfence_apply_listener(f, NINSNS(f), SYSFENCE_ALL_THREADS, &fd);
	if (rc == -EINVAL)
		_exit(SKIP);
	CHECK_RC(rc, 0);
	REQUIRE(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
	REQUIRE(close(fd) == 0); /* no supervisor: getppid gives ENOSYS */
	errno = 0;
	REQUIRE(syscall(SYS_getppid) == -1 && errno == ENOSYS);
	pthread_barrier_wait(&barrier); /* the other thread is confined too */
	REQUIRE(pthread_join(t, &res) == 0);
	REQUIRE((long)res == 1);
	return 0;
}

static int test_stacking(void)
{
	CHECK_RC(apply_deny(SYS_getppid, 0), 0);
	CHECK_RC(apply_deny(SYS_getpgid, 0), 0);
	REQUIRE(denied(SYS_getppid));
	REQUIRE(denied(SYS_getpgid));
	REQUIRE(allowed(SYS_getuid));
	return 0;
}

/* The exec'd test binary checks the filter itself: see main(). */
static int test_execve(void)
{
	char *argv[] = { (char *)self_exe, (char *)"--exec-check", NULL };

	CHECK_RC(apply_deny(SYS_getppid, 0), 0);
	execv(self_exe, argv);
	fprintf(stderr, "  execv %s: %s\n", self_exe, strerror(errno));
	_exit(1);
}

static int exec_check(void)
{
	return denied(SYS_getppid) && allowed(SYS_getpgid) &&
				   prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1
			   ? 0
			   : 1;
}

static int test_log_spec_allow(void)
{
	int rc = apply_deny(SYS_getppid, SYSFENCE_LOG | SYSFENCE_SPEC_ALLOW);

	if (rc == -EINVAL)
		return SKIP; /* a kernel older than 4.17 */
	CHECK_RC(rc, 0);
	REQUIRE(denied(SYS_getppid));
	return 0;
}

/* A rejected filter must leave the child as it was: not confined, not in
 * a seccomp mode, and not even no_new_privs. */
static void check_untouched(void)
{
	REQUIRE(allowed(SYS_getppid));
	REQUIRE(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
	REQUIRE(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0);
}

/* The kernel's own verdict on a filter, in a child that may be confined
 * by it: 1 when it takes the filter. */
static int kernel_takes(const struct sock_filter *insns, size_t len)
{
	struct sock_fprog prog = { .len = (unsigned short)len,
							   .filter = (struct sock_filter *)insns };

	REQUIRE(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0;
}

#define LD_W(k) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (k))
#define LD_NR LD_W(offsetof(struct seccomp_data, nr))
#define OP(code, k) BPF_STMT((code), (k))
#define RET_ALLOW OP(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define RET_A OP(BPF_RET | BPF_A, 0)
#define JEQ(k, jt, jf) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), (jf))
#define JA(k) BPF_JUMP(BPF_JMP | BPF_JA, (k), 0, 0)

/* Filters the kernel refuses, each for one reason; len past the size of
 * insns means that many RET ALLOWs. */
static const struct bad_blob {
	const char *what;
	int want;
	size_t len;
	struct sock_filter insns[7];
} bad_blobs[] = {
	{ "an unknown opcode", -SYSFENCE_EOPCODE, 2, { OP(0xff, 0), RET_ALLOW } },
	{ "MOD", -SYSFENCE_EOPCODE, 3,
	  { LD_NR, OP(BPF_ALU | BPF_MOD | BPF_K, 7), RET_A } },
	{ "a half-word load", -SYSFENCE_EOPCODE, 2,
	  { OP(BPF_LD | BPF_H | BPF_ABS, 0), RET_ALLOW } },
	{ "an indirect load", -SYSFENCE_EOPCODE, 2,
	  { OP(BPF_LD | BPF_W | BPF_IND, 0), RET_ALLOW } },
	{ "RET X", -SYSFENCE_EOPCODE, 1, { OP(BPF_RET | BPF_X, 0) } },
	{ "a RET K with a stray high bit", -SYSFENCE_EOPCODE, 1,
	  { OP(0x100 | BPF_RET | BPF_K, SECCOMP_RET_ALLOW) } },
	{ "an unaligned load", -SYSFENCE_ELOAD, 2, { LD_W(2), RET_ALLOW } },
	{ "a load just past seccomp_data", -SYSFENCE_ELOAD, 2,
	  { LD_W(sizeof(struct seccomp_data)), RET_ALLOW } },
	{ "a load of a socket-filter extension", -SYSFENCE_ELOAD, 2,
	  { LD_W(SKF_AD_OFF + SKF_AD_PROTOCOL), RET_ALLOW } },
	{ "a conditional jump past the end", -SYSFENCE_EJUMP, 2,
	  { JEQ(0, 0, 1), RET_ALLOW } },
	{ "a JA past the end", -SYSFENCE_EJUMP, 2, { JA(1), RET_ALLOW } },
	{ "a jump as the last instruction", -SYSFENCE_EJUMP, 2,
	  { RET_ALLOW, JA(0) } },
	{ "a load as the last instruction", -SYSFENCE_ENORET, 2,
	  { RET_ALLOW, LD_NR } },
	{ "no instructions", -SYSFENCE_EEMPTY, 0, { RET_ALLOW } },
	{ "4097 instructions", -SYSFENCE_ETOOLONG, SYSFENCE_MAX_INSNS + 1, { {0} } },
	{ "a division by the constant 0", -SYSFENCE_EDIVZERO, 3,
	  { LD_NR, OP(BPF_ALU | BPF_DIV | BPF_K, 0), RET_A } },
	{ "a left shift by 32", -SYSFENCE_ESHIFT, 3,
	  { LD_NR, OP(BPF_ALU | BPF_LSH | BPF_K, 32), RET_A } },
	{ "a right shift by 33", -SYSFENCE_ESHIFT, 3,
	  { LD_NR, OP(BPF_ALU | BPF_RSH | BPF_K, 33), RET_A } },
	{ "a store to scratch word 16", -SYSFENCE_EMEM, 2,
	  { OP(BPF_ST, 16), RET_ALLOW } },
	{ "a load of scratch word 16", -SYSFENCE_EMEM, 3,
	  { OP(BPF_STX, 0), OP(BPF_LDX | BPF_MEM, 16), RET_ALLOW } },
	{ "a scratch read before any write", -SYSFENCE_EMEMINIT, 2,
	  { OP(BPF_LD | BPF_MEM, 0), RET_A } },
	{ "a scratch read of another word than written", -SYSFENCE_EMEMINIT, 3,
	  { OP(BPF_ST, 1), OP(BPF_LDX | BPF_MEM, 2), RET_A } },
	{ "a scratch word written on one path only", -SYSFENCE_EMEMINIT, 5,
	  { LD_NR, JEQ(0, 0, 1), OP(BPF_ST, 3), OP(BPF_LD | BPF_MEM, 3), RET_A } },
	/* Word 0 is written on the only path to the read, but the kernel
	 * carries what the path to the RET before it lacks: so do we. */
	{ "a scratch read after a RET, as strict as the kernel", -SYSFENCE_EMEMINIT, 7,
	  { LD_NR, JEQ(0, 0, 2), OP(BPF_ST, 0), JA(1), RET_ALLOW,
		OP(BPF_LD | BPF_MEM, 0), RET_A } },
};
static const struct bad_blob *blob; /* the case's, set before its fork */

static void refused_untouched(const struct sock_filter *insns, size_t len,
							  int want)
{
	CHECK_RC(sysfence_apply(insns, len, 0), want);
	check_untouched();
	/* Nor is the check stricter than the kernel here: it refuses too. */
	REQUIRE(!kernel_takes(insns, len), "the kernel takes it");
}

static int test_bad_blob(void)
{
	static struct sock_filter big[SYSFENCE_MAX_INSNS + 1];
	size_t i;

	if (blob->len <= NINSNS(blob->insns)) {
		refused_untouched(blob->insns, blob->len, blob->want);
		return 0;
	}
	for (i = 0; i < NINSNS(big); i++)
		big[i] = (struct sock_filter)RET_ALLOW;
	refused_untouched(big, blob->len, blob->want);
	return 0;
}

static int test_null_filter(void)
{
	refused_untouched(NULL, 3, -EFAULT);
	return 0;
}

static int test_bad_flags(void)
{
	CHECK_RC(apply_deny(SYS_getppid, 0x80), -EINVAL);
	check_untouched();
	return 0;
}

/* Every opcode seccomp takes, in one filter the kernel runs: no-op
 * jumps, arithmetic on the length, scratch words written then read.  It
 * must load, and still deny getppid. */
static int test_every_opcode(void)
{
	struct sock_filter f[] = {
		OP(BPF_LD | BPF_W | BPF_LEN, 0), OP(BPF_LDX | BPF_W | BPF_LEN, 0),
		OP(BPF_ST, 0), OP(BPF_STX, 15),
		OP(BPF_LD | BPF_IMM, 6), OP(BPF_LDX | BPF_IMM, 2),
		OP(BPF_ALU | BPF_ADD | BPF_K, 1), OP(BPF_ALU | BPF_ADD | BPF_X, 0),
		OP(BPF_ALU | BPF_SUB | BPF_K, 1), OP(BPF_ALU | BPF_SUB | BPF_X, 0),
		OP(BPF_ALU | BPF_MUL | BPF_K, 3), OP(BPF_ALU | BPF_MUL | BPF_X, 0),
		OP(BPF_ALU | BPF_DIV | BPF_K, 3), OP(BPF_ALU | BPF_DIV | BPF_X, 0),
		OP(BPF_ALU | BPF_AND | BPF_K, 7), OP(BPF_ALU | BPF_AND | BPF_X, 0),
		OP(BPF_ALU | BPF_OR | BPF_K, 4), OP(BPF_ALU | BPF_OR | BPF_X, 0),
		OP(BPF_ALU | BPF_XOR | BPF_K, 1), OP(BPF_ALU | BPF_XOR | BPF_X, 0),
		OP(BPF_ALU | BPF_LSH | BPF_K, 31), OP(BPF_ALU | BPF_LSH | BPF_X, 0),
		OP(BPF_ALU | BPF_RSH | BPF_K, 31), OP(BPF_ALU | BPF_RSH | BPF_X, 0),
		OP(BPF_ALU | BPF_NEG, 0), OP(BPF_MISC | BPF_TAX, 0),
		OP(BPF_MISC | BPF_TXA, 0), OP(BPF_LD | BPF_MEM, 0),
		OP(BPF_LDX | BPF_MEM, 15), JA(0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 0),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 1, 0, 0),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 0),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 1, 0, 0),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 0),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 0),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 0),
		LD_NR, JEQ(SYS_getppid, 0, 2),
		OP(BPF_LD | BPF_IMM, SECCOMP_RET_ERRNO | EPERM), RET_A, RET_ALLOW,
	};

	CHECK_RC(sysfence_apply(f, NINSNS(f), 0), 0);
	REQUIRE(denied(SYS_getppid));
	REQUIRE(allowed(SYS_getpgid));
	return 0;
}

/* In a child of its own: 0 when the loader and the kernel agree on
 * { ST 0; code k; RET ALLOW }, 1 when the loader passed what the kernel
 * refused, 2 when it refused what the kernel takes, 3 when it refused
 * but touched the process.  Told through memory, not the exit status,
 * since a filter that both take may kill the child at its next syscall. */
static void opcode_verdict(unsigned code, unsigned k, volatile int *verdict)
{
	struct sock_filter f[] = { OP(BPF_ST, 0), OP(code, k), RET_ALLOW };
	int rc = sysfence_apply(f, NINSNS(f), 0);

	if (rc == 0)
		*verdict = 0;
	else if (rc == -SYSFENCE_EARCH) /* RET 0: kills all, on purpose */
		*verdict = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0 ? 3 : 0;
	else if (rc == -EINVAL)
		*verdict = 1;
	else if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
		*verdict = 3;
	else
		*verdict = kernel_takes(f, NINSNS(f)) ? 2 : 0;
}

/* Each 8-bit code (and a few wider) with a few constants, one child each:
 * the loader refuses exactly what the kernel does, but for a filter that
 * kills every call (RET 0), which it refuses as one for another arch. */
static int test_opcodes_as_kernel(void)
{
	static const unsigned ks[] = { 0, 1, 4, 32 };
	volatile int *verdict = mmap(NULL, sizeof(*verdict), PROT_READ | PROT_WRITE,
								 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned code, i;
	pid_t pid;

	REQUIRE(verdict != MAP_FAILED);
	for (code = 0; code < 0x110; code++) {
		for (i = 0; i < NINSNS(ks); i++) {
			*verdict = -1;
			pid = fork();
			REQUIRE(pid >= 0);
			if (pid == 0) {
				opcode_verdict(code, ks[i], verdict);
				_exit(0);
			}
			REQUIRE(waitpid(pid, NULL, 0) == pid);
			CHECK(*verdict == 0, "code %#x k %u: verdict %d (1: laxer than "
				  "the kernel, 2: stricter, 3: touched the process)",
				  code, ks[i], *verdict);
		}
	}
	return 0;
}

/* The file is refused with want, and the process is as it was. */
static void file_refused(const char *path, int want)
{
	CHECK_RC(sysfence_apply_file(path, 0), want);
	check_untouched();
}

static int test_bad_files(void)
{
	static struct sock_filter big[SYSFENCE_MAX_INSNS + 1];
	struct sock_filter f[] = DENY_FILTER(SYS_getppid);
	struct sock_filter bad[NINSNS(f)];

	file_refused(tmp_path("missing.bpf"), -ENOENT);
	file_refused(tmpdir, -EISDIR);
	file_refused(NULL, -EFAULT);

	write_file(tmp_path("empty.bpf"), "", 0);
	file_refused(tmp_path("empty.bpf"), -SYSFENCE_EEMPTY);

	write_file(tmp_path("odd.bpf"), f, sizeof(f) - 3);
	file_refused(tmp_path("odd.bpf"), -SYSFENCE_EBADSIZE);

	write_file(tmp_path("text.bpf"), "policy demo {}\n", 15);
	file_refused(tmp_path("text.bpf"), -SYSFENCE_EBADSIZE);

	write_file(tmp_path("big.bpf"), big, sizeof(big));
	file_refused(tmp_path("big.bpf"), -SYSFENCE_ETOOLONG);

	memcpy(bad, f, sizeof(f));
	bad[3].jt = 200;
	write_file(tmp_path("jump.bpf"), bad, sizeof(bad));
	file_refused(tmp_path("jump.bpf"), -SYSFENCE_EJUMP);

	memcpy(bad, f, sizeof(f));
	bad[2].k = 3; /* an unaligned load, only the kernel refused before */
	write_file(tmp_path("load.bpf"), bad, sizeof(bad));
	file_refused(tmp_path("load.bpf"), -SYSFENCE_ELOAD);
	return 0;
}

/* Files that are not what their size says, or not files at all: refused
 * at once, without reading them to their (missing) end. */
static int test_odd_files(void)
{
	int fd;

	/* Opening a FIFO with no writer would wait for ever: the alarm ends
	 * the child, failing the case, if the loader does. */
	REQUIRE(mkfifo(tmp_path("fifo.bpf"), 0600) == 0);
	alarm(10);
	file_refused(tmp_path("fifo.bpf"), -SYSFENCE_ENOTREG);
	alarm(0);

	/* A character device, through a symlink: reading would never end. */
	REQUIRE(symlink("/dev/zero", tmp_path("zero.bpf")) == 0);
	file_refused(tmp_path("zero.bpf"), -SYSFENCE_ENOTREG);

	/* A GiB of nothing, refused by its size before any read. */
	fd = open(tmp_path("sparse.bpf"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	REQUIRE(fd >= 0);
	REQUIRE(ftruncate(fd, 1L << 30) == 0);
	REQUIRE(close(fd) == 0);
	file_refused(tmp_path("sparse.bpf"), -SYSFENCE_ETOOLONG);

	/* A regular file of size 0 that reads as text: more came than the
	 * size said, as when a writer appends while we read. */
	file_refused("/proc/self/stat", -SYSFENCE_ECHANGED);
	return 0;
}

static int test_apply_file(void)
{
	struct sock_filter f[] = DENY_FILTER(SYS_getppid);
	static struct sock_filter full[SYSFENCE_MAX_INSNS];
	size_t i;

	/* exactly the limit is fine: padding after the last RET is never run */
	memcpy(full, f, sizeof(f));
	for (i = NINSNS(f); i < NINSNS(full); i++)
		full[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	write_file(tmp_path("deny.bpf"), full, sizeof(full));
	CHECK_RC(sysfence_apply_file(tmp_path("deny.bpf"),
								 SYSFENCE_ALL_THREADS), 0);
	REQUIRE(denied(SYS_getppid));
	REQUIRE(allowed(SYS_getpgid));
	return 0;
}

/* A filter compiled for another arch only: refused, not installed to
 * kill the process at its next syscall. */
static int test_other_arch(void)
{
	struct sock_filter f[] = ONE_RULE_FILTER(OTHER_ARCH, SYS_getppid,
											 SECCOMP_RET_ERRNO | EPERM);

	CHECK_RC(sysfence_apply(f, NINSNS(f), 0), -SYSFENCE_EARCH);
	check_untouched();
	write_file(tmp_path("other-arch.bpf"), f, sizeof(f));
	file_refused(tmp_path("other-arch.bpf"), -SYSFENCE_EARCH);
	REQUIRE(strstr(sysfence_strerror(-SYSFENCE_EARCH),
				   TEST_ARCH == AUDIT_ARCH_X86_64 ? "(AUDIT_ARCH_X86_64"
												  : "(AUDIT_ARCH_AARCH64"));
	return 0;
}

/* The rule is exactly "kills exit_group and getpid": killing one of the
 * two on this arch is a policy, not a wrong arch. */
static int test_arch_rule_exact(void)
{
	struct sock_filter getpid_f[] = ONE_RULE_FILTER(TEST_ARCH, SYS_getpid,
													SECCOMP_RET_KILL_PROCESS);
	struct sock_filter exit_f[] = ONE_RULE_FILTER(TEST_ARCH, SYS_exit_group,
												  SECCOMP_RET_KILL_THREAD);

	CHECK_RC(sysfence_apply(getpid_f, NINSNS(getpid_f), 0), 0);
	CHECK_RC(sysfence_apply(exit_f, NINSNS(exit_f), 0), 0);
	REQUIRE(allowed(SYS_getppid));
	/* Not _exit(), which is exit_group: the last thread's exit ends the
	 * process as well, with its status. */
	syscall(SYS_exit, 0);
	return 1;
}

/* Without a listener the kernel answers a notify rule with ENOSYS. */
static int test_notify_without_listener(void)
{
	struct sock_filter f[] = ONE_RULE_FILTER(TEST_ARCH, SYS_getppid,
											 SECCOMP_RET_USER_NOTIF);

	CHECK_RC(sysfence_apply(f, NINSNS(f), SYSFENCE_NEW_LISTENER), -EINVAL);
	CHECK_RC(sysfence_apply_listener(f, NINSNS(f), 0, NULL), -EFAULT);
	check_untouched();
	CHECK_RC(sysfence_apply(f, NINSNS(f), 0), 0);
	errno = 0;
	REQUIRE(syscall(SYS_getppid) == -1 && errno == ENOSYS);
	return 0;
}

/* One fd over a unix socket (SCM_RIGHTS), with a status word beside it;
 * fd -1 sends the word alone. */
static int send_fd(int sock, int fd, int status)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &status, .iov_len = sizeof(status) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		msg.msg_control = ctl;
		msg.msg_controllen = sizeof(ctl);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, 0) == (ssize_t)sizeof(status) ? 0 : -1;
}

/* The status word; the fd, if one came, in *fd (else -1). */
static int recv_fd(int sock, int *fd, int *status)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = status, .iov_len = sizeof(*status) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
						  .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;

	*fd = -1;
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(*status))
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

/* The supervised child: getppid(0) must fail with the supervisor's errno
 * 42, getppid(1) return its 4242.  Exit status 0 when both did. */
static void supervised_child(int sock)
{
	struct sock_filter f[] = ONE_RULE_FILTER(TEST_ARCH, SYS_getppid,
											 SECCOMP_RET_USER_NOTIF);
	int fd = -1, rc = sysfence_apply_listener(f, NINSNS(f), 0, &fd);
	long r;

	if (send_fd(sock, fd, rc) != 0 || rc != 0)
		_exit(rc == 0 ? 1 : 0);
	close(fd); /* the supervisor has it now */
	errno = 0;
	r = syscall(SYS_getppid, 0);
	if (r != -1 || errno != 42)
		_exit(2);
	r = syscall(SYS_getppid, 1);
	_exit(r == 4242 ? 0 : 3);
}

/* Answers one notification: errno 42 for arg0 0, the value 4242 else. */
static void answer_one(int listener, pid_t child)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	memset(&req, 0, sizeof(req)); /* the kernel insists */
	REQUIRE(ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0,
			"NOTIF_RECV: %s", strerror(errno));
	REQUIRE(req.data.nr == SYS_getppid && req.pid == (__u32)child,
			"nr %d from pid %u", req.data.nr, req.pid);
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	if (req.data.args[0] == 0)
		resp.error = -42;
	else
		resp.val = 4242;
	REQUIRE(ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0,
			"NOTIF_SEND: %s", strerror(errno));
}

static int test_notify_supervised(void)
{
	int sv[2], listener, rc, status;
	pid_t pid;

	REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0)
		supervised_child(sv[1]);
	close(sv[1]);
	alarm(20); /* a lost notification ends the case, not the suite */
	REQUIRE(recv_fd(sv[0], &listener, &rc) == 0);
	if (rc == -EINVAL) { /* a kernel older than 5.0 */
		REQUIRE(waitpid(pid, NULL, 0) == pid);
		return SKIP;
	}
	CHECK_RC(rc, 0);
	REQUIRE(listener >= 0);
	answer_one(listener, pid);
	answer_one(listener, pid);
	REQUIRE(waitpid(pid, &status, 0) == pid);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			"supervised child: status %#x", status);
	return 0;
}

static int test_strerror(void)
{
	static const int codes[] = {
		-SYSFENCE_EBADSIZE, -SYSFENCE_EEMPTY, -SYSFENCE_ETOOLONG,
		-SYSFENCE_EJUMP, -SYSFENCE_ENORET, -SYSFENCE_EOPCODE,
		-SYSFENCE_ELOAD, -SYSFENCE_EDIVZERO, -SYSFENCE_ESHIFT,
		-SYSFENCE_EMEM, -SYSFENCE_EMEMINIT, -SYSFENCE_ENOTREG,
		-SYSFENCE_ECHANGED, -SYSFENCE_EARCH, -EINVAL, -EFAULT, -ENOMEM, -ENOSYS, -ENOENT,
		-EISDIR,
	};
	size_t i, j;

	for (i = 0; i < NINSNS(codes); i++) {
		REQUIRE(sysfence_strerror(codes[i]) != NULL);
		REQUIRE(strlen(sysfence_strerror(codes[i])) > 8);
		for (j = 0; j < i; j++)
			REQUIRE(strcmp(sysfence_strerror(codes[i]),
						 sysfence_strerror(codes[j])) != 0);
	}
	REQUIRE(strcmp(sysfence_strerror(0), "success") == 0);
	REQUIRE(strstr(sysfence_strerror(-SYSFENCE_ETOOLONG), "4096") != NULL);
	REQUIRE(strstr(sysfence_strerror(-ENOENT), "No such file") != NULL);
	REQUIRE(strcmp(sysfence_strerror(-99999), "unknown sysfence error") == 0);
	REQUIRE(strcmp(sysfence_strerror(5), "unknown sysfence error") == 0);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "filter on the current thread; no_new_privs set", test_basic },
	{ "second thread unconfined without ALL_THREADS", test_current_thread },
	{ "second thread confined with ALL_THREADS", test_all_threads },
	{ "ALL_THREADS fails on a diverged thread, naming it", test_tsync_failure },
	{ "ALL_THREADS with a listener fails unnamed, installs nothing",
	  test_tsync_listener_failure },
	{ "ALL_THREADS with a listener: a close-on-exec fd", test_all_threads_listener },
	{ "two stacked filters give the intersection", test_stacking },
	{ "filter inherited across execve", test_execve },
	{ "LOG and SPEC_ALLOW flags", test_log_spec_allow },
	{ "refused untouched, as by the kernel: a NULL filter", test_null_filter },
	{ "an unknown flag refused, child left untouched", test_bad_flags },
	{ "every opcode seccomp takes, in one filter", test_every_opcode },
	{ "the loader refuses exactly the opcodes the kernel does",
	  test_opcodes_as_kernel },
	{ "bad files rejected, child left untouched", test_bad_files },
	{ "FIFO, device, sparse and /proc files refused at once", test_odd_files },
	{ "apply from a file", test_apply_file },
	{ "a filter for another arch only refused untouched", test_other_arch },
	{ "killing getpid or exit_group alone is no wrong arch",
	  test_arch_rule_exact },
	{ "notify without a listener: ENOSYS; NEW_LISTENER needs one",
	  test_notify_without_listener },
	{ "notify: a supervisor's errno and value reach the child",
	  test_notify_supervised },
	{ "sysfence_strerror messages", test_strerror },
};

int main(int argc, char **argv)
{
	size_t i;
	char cmd[300], name[128];

	if (argc == 2 && strcmp(argv[1], "--exec-check") == 0)
		_exit(exec_check()); /* confined: see test_execve */

	if (TEST_ARCH == 0) {
		printf("1..0 # SKIP no test filter for this architecture\n");
		return 0;
	}
	self_exe = "/proc/self/exe";
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}

	for (i = 0; i < NINSNS(tests); i++)
		harness_case_forked(tests[i].name, tests[i].fn);
	for (i = 0; i < NINSNS(bad_blobs); i++) {
		snprintf(name, sizeof(name), "refused untouched, as by the kernel: %s",
				 bad_blobs[i].what);
		blob = &bad_blobs[i];
		harness_case_forked(name, test_bad_blob);
	}

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return harness_summary();
}
