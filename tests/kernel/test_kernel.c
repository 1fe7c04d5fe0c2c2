/* Kernel tests: every policy here is compiled, loaded in a forked child,
 * and probed with real syscalls. Each probe states the action the policy
 * means; the test checks that the reference evaluator, the BPF interpreter
 * and the kernel all agree with it. Results come back through shared
 * memory because the child may be killed or unable to write. Each case
 * reports through the shared harness (tests/support/harness.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf/bpf.h"
#include "driver/compilation.h"
#include "harness.h"

#define GARBAGE 0xdeadbeef00000000ull
#define SIGNX   0xffffffff00000000ull

enum probe_kind { CALL_64, CALL_X32, CALL_I386 };

struct probe {
	enum probe_kind kind;
	long nr;
	uint64_t args[6];
	const char *expect;      /* "allow", "errno(EBADFD)", "kill_process", "trap", ... */
	int natural;             /* errno the syscall gives when allowed (0: succeeds) */
};

struct kcase {
	const char *name;
	const char *policy;
	struct probe probes[16];
};

struct result {
	int done;
	long ret;
	int err;
	int trapped;             /* SIGSYS handler ran for this probe */
};

static struct result *results;
static volatile int current;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)si; (void)uc;
	results[current].trapped = 1;
}

static long do_call(const struct probe *p)
{
	const uint64_t *a = p->args;
	switch (p->kind) {
	case CALL_64:
		return syscall(p->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	case CALL_X32:
		return syscall(p->nr | 0x40000000L, a[0], a[1], a[2], a[3], a[4], a[5]);
	case CALL_I386: {
		long ret;
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(p->nr), "b"(a[0]), "c"(a[1]), "d"(a[2])
				 : "memory");
		if (ret < 0 && ret > -4096) {
			errno = (int)-ret;
			return -1;
		}
		return ret;
	}
	}
	return -1;
}

static void child(const struct filter *f, const struct kcase *kc)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	struct sock_fprog prog = { (unsigned short)f->len, f->insns };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		_exit(100);
	for (int i = 0; kc->probes[i].expect; i++) {
		current = i;
		errno = 0;
		long ret = do_call(&kc->probes[i]);
		results[i].ret = ret;
		results[i].err = ret == -1 ? errno : 0;
		results[i].done = 1;
	}
	syscall(SYS_exit_group, 0);
	__builtin_trap();   /* exit_group itself was denied */
}

static uint32_t probe_arch(const struct probe *p)
{
	return p->kind == CALL_I386 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
}

static uint32_t probe_nr(const struct probe *p)
{
	return (uint32_t)(p->kind == CALL_X32 ? (p->nr | 0x40000000L) : p->nr);
}

static void check_kernel(const struct probe *p, const struct result *r,
			 uint32_t action, int died_here)
{
	char buf[32];
	const char *want = bpf_action_str(action, buf, sizeof(buf));
	uint32_t full = action & SECCOMP_RET_ACTION_FULL;
	if (full == SECCOMP_RET_KILL_PROCESS || full == SECCOMP_RET_KILL_THREAD) {
		CHECK(died_here, "probe nr %ld: expected the kernel to kill (%s), got ret %ld errno %d",
		      p->nr, want, r->ret, r->err);
		return;
	}
	if (!CHECK(r->done, "probe nr %ld: child died before it finished (expected %s)", p->nr, want))
		return;
	int expect_err;
	switch (full) {
	case SECCOMP_RET_ERRNO: expect_err = (int)(action & SECCOMP_RET_DATA); break;
	case SECCOMP_RET_TRAP:
		CHECK(r->trapped, "probe nr %ld: expected SIGSYS (trap)", p->nr);
		return;
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF: expect_err = ENOSYS; break;   /* nobody listening */
	default: expect_err = p->natural; break;                  /* allow, log */
	}
	CHECK(r->err == expect_err,
	      "probe nr %ld (args %#llx %#llx): expected %s (errno %d), kernel gave errno %d",
	      p->nr, (unsigned long long)p->args[0], (unsigned long long)p->args[1], want,
	      expect_err, r->err);
}

static void run_case(const struct kcase *kc)
{
	char path[] = "/tmp/sysfence-kernel-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, kc->policy, strlen(kc->policy)) != (ssize_t)strlen(kc->policy)) {
		FAIL("cannot write policy");
		return;
	}
	close(fd);
	struct unit_options opts = { 0 };
	struct compilation c;
	if (compilation_run(&c, &opts, path, NULL, 0, stderr)) {
		FAIL("does not compile");
		compilation_free(&c);
		unlink(path);
		return;
	}
	unlink(path);
	int n = 0;
	while (kc->probes[n].expect)
		n++;
	/* 1. the policy's meaning and the BPF program agree with the table */
	for (int i = 0; i < n; i++) {
		const struct probe *p = &kc->probes[i];
		struct seccomp_data d = { .nr = (int)probe_nr(p), .arch = probe_arch(p) };
		memcpy(d.args, p->args, sizeof(d.args));
		uint32_t ref = policy_eval(&c.pb, d.arch, d.nr, p->args), ret = 0;
		char b1[32], b2[32];
		CHECK(strcmp(bpf_action_str(ref, b1, sizeof(b1)), p->expect) == 0,
		      "probe %d: the policy means %s, the test expects %s", i, b1, p->expect);
		int rc = bpf_run(c.filter.insns, c.filter.len, &d, &ret, NULL);
		CHECK(rc == 0 && ret == ref, "probe %d: interpreter gives %s, policy means %s", i,
		      bpf_action_str(ret, b2, sizeof(b2)), b1);
	}
	/* 2. the kernel agrees */
	results = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memset(results, 0, 4096);
	pid_t pid = fork();
	if (pid == 0)
		child(&c.filter, kc);
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 100), "the kernel refused the filter");
	int died = WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
	for (int i = 0; i < n; i++) {
		const struct probe *p = &kc->probes[i];
		uint32_t ref = policy_eval(&c.pb, probe_arch(p), probe_nr(p), p->args);
		int died_here = died && !results[i].done && (i == 0 || results[i - 1].done);
		check_kernel(p, &results[i], ref, died_here);
		if (died_here)
			break;
	}
	munmap(results, 4096);
	compilation_free(&c);
}

#define P(nr, a0, a1, exp, nat) { CALL_64, nr, { a0, a1, 0, 0, 0, 0 }, exp, nat }
#define P3(nr, a0, a1, a2, exp, nat) { CALL_64, nr, { a0, a1, a2, 0, 0, 0 }, exp, nat }
#define BASE "allow exit_group, rt_sigreturn;\n"

static const struct kcase cases[] = {
	{ "every errno action and default deny",
	  "policy p { default errno(EACCES);\n" BASE
	  "errno(77) dup;\n errno(EPERM) fsync; allow close; }",
	  { P(SYS_dup, 1000, 0, "errno(EBADFD)", 0), P(SYS_fsync, 1000, 0, "errno(EPERM)", 0),
	    P(SYS_close, 1000, 0, "allow", EBADF), P(SYS_fdatasync, 1000, 0, "errno(EACCES)", 0) } },
	{ "32-bit fd: upper half ignored (==)",
	  "policy p {\n" BASE "allow close if fd == 1000; }",
	  { P(SYS_close, 1000, 0, "allow", EBADF), P(SYS_close, GARBAGE | 1000, 0, "allow", EBADF),
	    P(SYS_close, SIGNX | 1000, 0, "allow", EBADF), P(SYS_close, 1001, 0, "errno(EPERM)", 0),
	    P(SYS_close, GARBAGE | 1001, 0, "errno(EPERM)", 0) } },
	{ "32-bit fd: != and ordered compares ignore the upper half",
	  "policy p {\n" BASE "allow close if fd != 1000;\n allow dup if oldfd < 1000;\n"
	  "allow fsync if fd >= 2000 && fd <= 2005; }",
	  { P(SYS_close, GARBAGE | 1000, 0, "errno(EPERM)", 0), P(SYS_close, 1000, 0, "errno(EPERM)", 0),
	    P(SYS_close, GARBAGE | 1001, 0, "allow", EBADF),
	    P(SYS_dup, GARBAGE | 999, 0, "allow", EBADF), P(SYS_dup, 1000, 0, "errno(EPERM)", 0),
	    P(SYS_dup, SIGNX | 5000, 0, "errno(EPERM)", 0),
	    P(SYS_fsync, GARBAGE | 2003, 0, "allow", EBADF), P(SYS_fsync, 2006, 0, "errno(EPERM)", 0),
	    P(SYS_fsync, 1999, 0, "errno(EPERM)", 0) } },
	{ "negative constant on a 32-bit argument",
	  "policy p {\n" BASE "errno(77) close if fd == -1; allow close if fd != -1; }",
	  { P(SYS_close, 0xffffffffull, 0, "errno(EBADFD)", 0), P(SYS_close, ~0ull, 0, "errno(EBADFD)", 0),
	    P(SYS_close, 1000, 0, "allow", EBADF) } },
	{ "masked compares, masked != and in/not in",
	  "policy p {\n" BASE
	  "allow openat if (flags & O_ACCMODE) == O_RDONLY && (flags & O_CREAT) != O_CREAT;\n"
	  "allow dup if oldfd in {1000, 1002};\n errno(77) fsync if fd not in {1000, 1001};\n"
	  "allow fsync if fd in {1000, 1001}; }",
	  { P3(SYS_openat, (uint64_t)AT_FDCWD, (uint64_t)(uintptr_t)"/nonexistent/x", O_RDONLY, "allow", ENOENT),
	    P3(SYS_openat, (uint64_t)AT_FDCWD, (uint64_t)(uintptr_t)"/nonexistent/x", O_RDWR, "errno(EPERM)", 0),
	    P3(SYS_openat, (uint64_t)AT_FDCWD, (uint64_t)(uintptr_t)"/nonexistent/x", O_CREAT, "errno(EPERM)", 0),
	    P3(SYS_openat, (uint64_t)AT_FDCWD, (uint64_t)(uintptr_t)"/nonexistent/x", GARBAGE | O_RDONLY, "allow", ENOENT),
	    P(SYS_dup, 1002, 0, "allow", EBADF), P(SYS_dup, 1001, 0, "errno(EPERM)", 0),
	    P(SYS_fsync, 1001, 0, "allow", EBADF), P(SYS_fsync, 5, 0, "errno(EBADFD)", 0) } },
	{ "negation and disjunction",
	  "policy p {\n" BASE "allow dup if !(oldfd == 1000 || oldfd == 1001) && !(oldfd > 2000); }",
	  { P(SYS_dup, 1000, 0, "errno(EPERM)", 0), P(SYS_dup, 1001, 0, "errno(EPERM)", 0),
	    P(SYS_dup, 1002, 0, "allow", EBADF), P(SYS_dup, 2001, 0, "errno(EPERM)", 0),
	    P(SYS_dup, 2000, 0, "allow", EBADF) } },
	{ "64-bit argument compared on all 64 bits",
	  "policy p {\n" BASE "allow lseek if offset == 0x100000000 && fd == 1000; }",
	  { P3(SYS_lseek, 1000, 0x100000000ull, 0, "allow", EBADF),
	    P3(SYS_lseek, 1000, 0, 0, "errno(EPERM)", 0) } },
	{ "trap",
	  "policy p {\n" BASE "trap dup; }",
	  { P(SYS_dup, 1000, 0, "trap", 0) } },
	{ "trace and log",
	  "policy p {\n" BASE "trace(5) dup; log close; }",
	  { P(SYS_close, 1000, 0, "log", EBADF), P(SYS_dup, 1000, 0, "trace(5)", 0) } },
	{ "notify without a listener",
	  "policy p {\n" BASE "notify dup; allow close; }",
	  { P(SYS_dup, 1000, 0, "notify", 0), P(SYS_close, 1000, 0, "allow", EBADF) } },
	{ "kill_process",
	  "policy p {\n" BASE "allow close; kill_process dup; }",
	  { P(SYS_close, 1000, 0, "allow", EBADF), P(SYS_dup, 1000, 0, "kill_process", 0),
	    P(SYS_close, 1000, 0, "allow", EBADF) } },
	{ "kill_thread",
	  "policy p {\n" BASE "kill_thread dup; }",
	  { P(SYS_dup, 1000, 0, "kill_thread", 0) } },
	{ "x32 syscalls are rejected by an x86_64 filter",
	  "policy p {\n" BASE "allow close; }",
	  { P(SYS_close, 1000, 0, "allow", EBADF),
	    { CALL_X32, SYS_close, { 1000 }, "kill_process", 0 } } },
	{ "i386 syscalls are rejected by an x86_64 filter",
	  "policy p {\n" BASE "allow close; }",
	  { P(SYS_close, 1000, 0, "allow", EBADF),
	    { CALL_I386, 6 /* close on i386 */, { 1000 }, "kill_process", 0 } } },
	{ "a filter for x86_64 and x86 checks each arch",
	  "policy p { arch x86_64, x86;\n" BASE "allow close; errno(77) dup; }",
	  { P(SYS_close, 1000, 0, "allow", EBADF),
	    { CALL_I386, 6, { 1000 }, "allow", EBADF },
	    { CALL_I386, 41 /* dup */, { 1000 }, "errno(EBADFD)", 0 } } },
	/* libseccomp 2.5.4 pairs x86's socket calls with socketcall and does
	 * not know mseal: both go through stand-ins (backend.c). */
	{ "x86 socket calls and a syscall newer than libseccomp, on x86",
	  "policy p { arch x86_64, x86;\n" BASE "allow socket if domain == AF_UNIX; errno(77) mseal; }",
	  { { CALL_I386, 359 /* socket */, { 1 /* AF_UNIX */, 1 /* SOCK_STREAM */ }, "allow", 0 },
	    { CALL_I386, 359, { 2 /* AF_INET */, 1 }, "errno(EPERM)", 0 },
	    { CALL_I386, 102 /* socketcall */, { 1 /* SYS_SOCKET */, 0 }, "errno(EPERM)", 0 },
	    { CALL_I386, 462 /* mseal */, { 0 }, "errno(EBADFD)", 0 },
	    { CALL_64, 462 /* mseal */, { 0 }, "errno(EBADFD)", 0 },
	    P(SYS_socket, 1, 1, "allow", 0), P(SYS_socket, 2, 1, "errno(EPERM)", 0) } },
};

/* Can this kernel run i386 syscalls from a 64-bit process (IA32
 * emulation)? Asked in a child, since without it int $0x80 faults. */
static int have_ia32(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct probe p = { CALL_I386, 20 /* getpid */, { 0 }, "", 0 };
		_exit(do_call(&p) == getpid() ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int uses_i386(const struct kcase *kc)
{
	for (int i = 0; kc->probes[i].expect; i++)
		if (kc->probes[i].kind == CALL_I386)
			return 1;
	return 0;
}

int main(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);
	int ia32 = have_ia32();
	for (size_t i = 0; i < n; i++) {
		harness_case_begin("%s", cases[i].name);
		if (uses_i386(&cases[i]) && !ia32)
			harness_case_skip("this kernel has no IA32 emulation");
		else
			run_case(&cases[i]);
		harness_case_end();
	}
	return harness_summary();
}
