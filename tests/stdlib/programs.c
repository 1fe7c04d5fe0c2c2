/* Real glibc programs under policies made only of the standard library.
 *
 * usage: stdlib_programs [SCENARIO]          (TAP on standard output)
 *        stdlib_programs exec-child          (run by the procs scenario)
 *
 * Each scenario (scenario.h) does real work under the filter compiled at
 * build time from tests/stdlib/SCENARIO.policy, then tries what that
 * composition must deny and expects EPERM, an errno return, each time.
 */
#define _GNU_SOURCE
#include "scenario.h"

#include "files.h"
#include "procs.h"
#include "signals.h"
#include "tcp.h"
#include "threads.h"
#include "udp_unix.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

extern char **environ;

#define FILTER(name) sysfence_##name##_filter, sysfence_##name##_filter_len

/* ---- attempts shared by several scenarios ---- */

/* fork() must fail; should it succeed, the child leaves at once. */
static void deny_fork(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	check_errno("fork() is denied", EPERM, pid, errno);
}

static void deny_execve(void)
{
	char *argv[] = { (char *)"true", NULL };
	denied("execve() is denied", execve("/bin/true", argv, environ));
}

static void deny_socket(void)
{
	denied("socket(AF_INET, SOCK_STREAM) is denied", socket(AF_INET, SOCK_STREAM, 0));
}

static void deny_ptrace_kill(void)
{
	denied("ptrace(PTRACE_TRACEME) is denied", ptrace(PTRACE_TRACEME, 0, 0, 0));
	denied("kill() of another process is denied", kill(parent_pid, 0));
}

/* ---- files: print, read files, list a directory, stat ---- */

static const char data_text[] = "line one\nline two\n";
#define DATA_LEN ((long)sizeof(data_text) - 1)
static char data_path[256], new_path[256], dir_path[256], newdir_path[256];
static int spare_pipe[2];

static int files_setup(void)
{
	snprintf(data_path, sizeof(data_path), "%s/data.txt", scratch);
	snprintf(new_path, sizeof(new_path), "%s/new.txt", scratch);
	snprintf(dir_path, sizeof(dir_path), "%s/dir", scratch);
	snprintf(newdir_path, sizeof(newdir_path), "%s/newdir", scratch);
	FILE *f = fopen(data_path, "w");
	if (!f || fputs(data_text, f) < 0 || fclose(f) != 0 || mkdir(dir_path, 0700) != 0 ||
		pipe(spare_pipe) != 0) {
		check("files set-up", 0, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

static void files_work(void)
{
	struct stat st;
	char buf[128];

	printf("files: start\n");
	fprintf(stderr, "files: (standard error works too)\n");

	/* stdio: fopen, fgets, fclose */
	FILE *f = fopen(data_path, "r");
	check("fopen(\"r\") works", f != NULL, "%s", strerror(errno));
	if (f) {
		int lines = 0;
		while (fgets(buf, sizeof(buf), f))
			lines++;
		check("fgets reads the file", lines == 2, "%d lines", lines);
		check("fclose works", fclose(f) == 0, "%s", strerror(errno));
		printf("files: %d lines\n", lines);
	}

	/* open, read, lseek, pread, close */
	int fd = (int)allowed("open(O_RDONLY | O_CLOEXEC) is allowed",
						  open(data_path, O_RDONLY | O_CLOEXEC));
	check("read() reads it", read(fd, buf, sizeof(buf)) == DATA_LEN, "short read");
	check("lseek() works", lseek(fd, 5, SEEK_SET) == 5, "%s", strerror(errno));
	check("pread() works", pread(fd, buf, 4, 0) == 4 && memcmp(buf, "line", 4) == 0, "bad pread");
	check("close() works", close(fd) == 0, "%s", strerror(errno));
	allowed("openat(O_RDONLY | O_NOFOLLOW | O_NONBLOCK) is allowed",
			fd = openat(AT_FDCWD, data_path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK));
	close(fd);

	/* a directory: opendir (O_DIRECTORY), readdir (getdents64) */
	DIR *d = opendir(scratch);
	check("opendir works", d != NULL, "%s", strerror(errno));
	if (d) {
		int seen = 0;
		struct dirent *e;
		while ((e = readdir(d)))
			seen += strcmp(e->d_name, "data.txt") == 0 || strcmp(e->d_name, "dir") == 0;
		closedir(d);
		check("readdir lists the files", seen == 2, "saw %d of 2", seen);
	}

	/* metadata */
	struct stat dir_st;
	check("lstat() works", lstat(dir_path, &dir_st) == 0 && S_ISDIR(dir_st.st_mode), "%s",
		  strerror(errno));
	check("access(R_OK) works", access(data_path, R_OK) == 0, "%s", strerror(errno));
	check("getcwd() works", getcwd(buf, sizeof(buf)) != NULL, "%s", strerror(errno));
	check("stat() works", stat(data_path, &st) == 0 && st.st_size == DATA_LEN, "%s",
		  strerror(errno));
	printf("files: stat says %ld bytes\n", (long)st.st_size);

	/* memory: a large malloc is an mmap, growing it an mremap */
	char *big = malloc(4 << 20);
	check("a 4 MiB malloc works", big != NULL, "NULL");
	if (big) {
		memset(big, 1, 4 << 20);
		char *bigger = realloc(big, 16 << 20);
		check("growing it to 16 MiB works", bigger != NULL, "NULL");
		free(bigger ? bigger : big);
	}
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check("mmap(PROT_READ | PROT_WRITE) works", page != MAP_FAILED, "%s", strerror(errno));

	/* what io.open_readonly must refuse */
	denied("open(O_WRONLY) is denied", open(data_path, O_WRONLY));
	denied("open(O_RDWR) is denied", open(data_path, O_RDWR));
	denied("open(O_RDONLY | O_TRUNC) is denied", open(data_path, O_RDONLY | O_TRUNC));
	int r = stat(data_path, &st);
	check("... and the file was not truncated", r == 0 && st.st_size == DATA_LEN, "size %ld",
		  (long)st.st_size);
	denied("open(O_RDONLY | O_CREAT) is denied", open(new_path, O_RDONLY | O_CREAT, 0600));
	r = stat(new_path, &st);
	check("... and no file was created", r != 0 && errno == ENOENT, "%s", strerror(errno));
	denied("open(O_RDONLY | O_APPEND) is denied", open(data_path, O_RDONLY | O_APPEND));
	denied("open(O_RDONLY | O_EXCL) is denied", open(data_path, O_RDONLY | O_EXCL));
	denied("open(O_TMPFILE | O_RDWR) is denied", open(scratch, O_TMPFILE | O_RDWR, 0600));
	denied("openat(O_WRONLY | O_CREAT) is denied",
		   openat(AT_FDCWD, new_path, O_WRONLY | O_CREAT, 0600));
	denied("creat() is denied", creat(new_path, 0600));
	errno = 0;
	f = fopen(data_path, "w");
	check_errno("fopen(\"w\") is denied", EPERM, f ? 0 : -1, errno);
	struct open_how how = { .flags = O_RDONLY };
	denied_as("openat2() gets ENOSYS", ENOSYS,
			  syscall(SYS_openat2, AT_FDCWD, data_path, &how, sizeof(how)));

	/* nor may anything else change the file system */
	denied("unlink() is denied", unlink(data_path));
	check("... and the file is still there", stat(data_path, &st) == 0, "%s", strerror(errno));
	denied("mkdir() is denied", mkdir(newdir_path, 0700));
	denied("rmdir() is denied", rmdir(dir_path));
	denied("rename() is denied", rename(data_path, new_path));
	denied("chmod() is denied", chmod(data_path, 0777));
	denied("write() to a descriptor other than 1 and 2 is denied", write(spare_pipe[1], "x", 1));

	/* W^X, and everything no ruleset of the policy gives */
	denied("mmap(PROT_EXEC) is denied",
		   mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	if (page != MAP_FAILED)
		denied("mprotect(PROT_EXEC) is denied", mprotect(page, 4096, PROT_READ | PROT_EXEC));
	deny_socket();
	deny_fork();
	deny_execve();
	deny_ptrace_kill();

	printf("files: done\n");
}

static const char *files_stdout(void)
{
	static char want[256];
	snprintf(want, sizeof(want),
			 "files: start\nfiles: 2 lines\nfiles: stat says %ld bytes\nfiles: done\n",
			 (long)DATA_LEN);
	return want;
}

/* ---- threads: create and join, locks, sleep, clocks, stdin ---- */

#define WORKERS 4
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int finished;
static long total;
static int other_fd;

static void *hello_thread(void *arg)
{
	printf("threads: hello from a thread\n");
	fflush(stdout);
	return arg;
}

static void *worker(void *arg)
{
	long id = (long)(intptr_t)arg, sum = 0;
	for (long i = 1; i <= 1000; i++)
		sum += i * id;
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&mu);
	total += sum;
	finished++;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return arg;
}

static int threads_setup(void)
{
	/* standard input is a pipe holding one line; other_fd is another
	 * readable descriptor, which io.stdin must not reach */
	int p[2];
	if (pipe(p) != 0 || write(p[1], "a line on stdin\n", 16) != 16 || close(p[1]) != 0 ||
		dup2(p[0], STDIN_FILENO) < 0 || (other_fd = dup(p[0])) < 0) {
		check("threads set-up", 0, "%s", strerror(errno));
		return -1;
	}
	close(p[0]);
	return 0;
}

static double seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void threads_work(void)
{
	char line[64];
	check("fgets(stdin) reads standard input", fgets(line, sizeof(line), stdin) &&
		  strcmp(line, "a line on stdin\n") == 0, "%s", strerror(errno));
	printf("threads: stdin said: %s", line);

	pthread_t t;
	void *ret;
	check("pthread_create works", pthread_create(&t, NULL, hello_thread, (void *)7) == 0, "failed");
	check("pthread_join works", pthread_join(t, &ret) == 0 && ret == (void *)7, "failed");

	struct timespec t0, t1;
	check("clock_gettime(CLOCK_MONOTONIC) works", clock_gettime(CLOCK_MONOTONIC, &t0) == 0,
		  "%s", strerror(errno));

	pthread_t w[WORKERS];
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	int made = 0;
	for (long i = 0; i < WORKERS; i++)
		made += pthread_create(&w[i], i == 0 ? &attr : NULL, worker, (void *)(intptr_t)(i + 1)) == 0;
	pthread_attr_destroy(&attr);
	check("four more threads start", made == WORKERS, "%d started", made);
	pthread_mutex_lock(&mu);
	while (finished < made)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	int joined = 0;
	for (int i = 0; i < made; i++)
		joined += pthread_join(w[i], &ret) == 0 && ret == (void *)(intptr_t)(i + 1);
	check("and are joined", joined == WORKERS, "%d joined", joined);
	printf("threads: %d workers, total %ld\n", joined, total);

	check("usleep() works", usleep(20 * 1000) == 0, "%s", strerror(errno));
	check("sleep(0) works", sleep(0) == 0, "failed");
	struct timespec nap = { 0, 1000 };
	check("clock_nanosleep() works", clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, NULL) == 0, "failed");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	check("the clock moved by the time slept", seconds(&t0, &t1) >= 0.020, "%.3f s",
		  seconds(&t0, &t1));

	/* clocks the vDSO does not serve, and the syscalls themselves */
	struct timespec ts;
	struct timeval tv;
	check("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) works",
		  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0, "%s", strerror(errno));
	allowed("the clock_gettime syscall is allowed", syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts));
	allowed("the clock_getres syscall is allowed", syscall(SYS_clock_getres, CLOCK_MONOTONIC, &ts));
	allowed("the gettimeofday syscall is allowed", syscall(SYS_gettimeofday, &tv, NULL));
	check("time() works", time(NULL) > 0, "failed");
	printf("threads: slept\n");

	/* one thread more is fine; a process more is not */
	deny_fork();
	long r = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	check_errno("clone() without CLONE_THREAD is denied", EPERM, r, errno);
	struct clone_args ca = { .exit_signal = SIGCHLD };
	r = syscall(SYS_clone3, &ca, sizeof(ca));
	if (r == 0)
		_exit(0);
	check_errno("clone3() gets ENOSYS", ENOSYS, r, errno);
	/* with CLONE_NEWUSER the kernel itself would say EINVAL */
	denied("clone(CLONE_THREAD | CLONE_NEWUSER) is denied",
		   syscall(SYS_clone, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_NEWUSER, 0, 0, 0, 0));
	denied("read() from a descriptor other than 0 is denied", read(other_fd, line, 1));
	denied("clock_settime() is denied", clock_settime(CLOCK_MONOTONIC, &ts));
	denied("open() is denied", open("/etc/hostname", O_RDONLY));
	deny_execve();
	deny_socket();
	deny_ptrace_kill();

	printf("threads: done\n");
}

static const char *threads_stdout(void)
{
	long sum = 0;
	for (long id = 1; id <= WORKERS; id++)
		sum += 500500 * id;
	static char want[256];
	snprintf(want, sizeof(want),
			 "threads: stdin said: a line on stdin\nthreads: hello from a thread\n"
			 "threads: %d workers, total %ld\nthreads: slept\nthreads: done\n", WORKERS, sum);
	return want;
}

/* ---- tcp: a server thread and a client on loopback ---- */

static int tcp_port;

static void *tcp_server(void *arg)
{
	(void)arg;
	int s = (int)allowed("socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC) is allowed",
						 socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	int one = 1;
	check("setsockopt(SO_REUSEADDR) works",
		  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0, "%s", strerror(errno));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	check("bind(127.0.0.1:0) works", bind(s, (struct sockaddr *)&a, sizeof(a)) == 0, "%s",
		  strerror(errno));
	check("listen() works", listen(s, 4) == 0, "%s", strerror(errno));
	check("getsockname() works", getsockname(s, (struct sockaddr *)&a, &len) == 0, "%s",
		  strerror(errno));
	pthread_mutex_lock(&mu);
	tcp_port = ntohs(a.sin_port);
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);

	for (int i = 1; i <= 2; i++) {
		int c = i == 1 ? accept4(s, NULL, NULL, SOCK_CLOEXEC) : accept(s, NULL, NULL);
		check(i == 1 ? "accept4() works" : "accept() works", c >= 0, "%s", strerror(errno));
		char req[32] = "", resp[48];
		ssize_t n = recv(c, req, sizeof(req) - 1, 0);
		check("the server recv()s the request", n > 0, "%s", strerror(errno));
		req[n > 0 ? n : 0] = 0;
		snprintf(resp, sizeof(resp), "pong to '%s'", req);
		check("the server send()s the reply", send(c, resp, strlen(resp), 0) == (ssize_t)strlen(resp),
			  "%s", strerror(errno));
		shutdown(c, SHUT_RDWR);
		close(c);
	}
	close(s);
	return NULL;
}

static void tcp_work(void)
{
	pthread_t server;
	check("the server thread starts", pthread_create(&server, NULL, tcp_server, NULL) == 0, "failed");
	pthread_mutex_lock(&mu);
	while (!tcp_port)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	printf("tcp: server listening\n");

	for (int i = 1; i <= 2; i++) {
		int c = (int)allowed("socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) is allowed",
							 socket(AF_INET, SOCK_STREAM, i == 1 ? 0 : IPPROTO_TCP));
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(tcp_port),
								 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		check("connect() works", connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "%s",
			  strerror(errno));
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		check("getpeername() works", getpeername(c, (struct sockaddr *)&peer, &len) == 0 &&
			  ntohs(peer.sin_port) == tcp_port, "%s", strerror(errno));
		char msg[16], resp[64] = "";
		snprintf(msg, sizeof(msg), "ping %d", i);
		check("the client send()s", send(c, msg, strlen(msg), 0) == (ssize_t)strlen(msg), "%s",
			  strerror(errno));
		ssize_t n = recv(c, resp, sizeof(resp) - 1, MSG_WAITALL);
		check("the client recv()s", n > 0, "%s", strerror(errno));
		resp[n > 0 ? n : 0] = 0;
		printf("tcp: client got \"%s\"\n", resp);
		if (i == 2)
			denied("write() on a socket is denied (it is io.write's, not net's)", write(c, "x", 1));
		close(c);
	}
	check("the server thread ends", pthread_join(server, NULL) == 0, "failed");

	int s6 = (int)allowed("socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK) is allowed",
						  socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
	if (s6 >= 0)
		close(s6);

	/* only TCP: no other socket */
	denied("UDP socket() is denied", socket(AF_INET, SOCK_DGRAM, 0));
	denied("raw socket() is denied", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	denied("raw IPv6 socket() is denied", socket(AF_INET6, SOCK_RAW, IPPROTO_RAW));
	denied("packet socket() is denied", socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	denied("AF_ALG socket() is denied", socket(AF_ALG, SOCK_SEQPACKET, 0));
	denied("netlink socket() is denied", socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
	denied("Unix socket() is denied", socket(AF_UNIX, SOCK_STREAM, 0));
	denied("ICMP ping socket() is denied", socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
	denied("SCTP stream socket() is denied", socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP));
	denied("MPTCP socket() is denied", socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP));
	denied("SOCK_STREAM with an unknown type flag is denied", socket(AF_INET, SOCK_STREAM | 0x100, 0));
	int sv[2];
	denied("socketpair() is denied", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	denied("open() is denied", open("/etc/hostname", O_RDONLY));
	deny_fork();
	deny_execve();
	deny_ptrace_kill();

	printf("tcp: done\n");
}

static const char *tcp_stdout(void)
{
	return "tcp: server listening\n"
		   "tcp: client got \"pong to 'ping 1'\"\n"
		   "tcp: client got \"pong to 'ping 2'\"\n"
		   "tcp: done\n";
}

/* ---- udp_unix: UDP and Unix-domain sockets ---- */

static void udp_unix_work(void)
{
	char buf[64] = "";

	/* UDP: a server on 127.0.0.1 and a connected client */
	int srv = (int)allowed("socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC) is allowed",
						   socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	check("UDP bind() works", bind(srv, (struct sockaddr *)&a, sizeof(a)) == 0, "%s", strerror(errno));
	check("getsockname() works", getsockname(srv, (struct sockaddr *)&a, &len) == 0, "%s",
		  strerror(errno));
	int cli = (int)allowed("socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP) is allowed",
						   socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
	check("UDP connect() works", connect(cli, (struct sockaddr *)&a, sizeof(a)) == 0, "%s",
		  strerror(errno));
	check("UDP send() works", send(cli, "hello udp", 9, 0) == 9, "%s", strerror(errno));
	struct sockaddr_in from;
	len = sizeof(from);
	ssize_t n = recvfrom(srv, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &len);
	check("UDP recvfrom() works", n == 9, "%s", strerror(errno));
	buf[n > 0 ? n : 0] = 0;
	check("UDP sendto() works", sendto(srv, "ack", 3, 0, (struct sockaddr *)&from, len) == 3,
		  "%s", strerror(errno));
	char ack[8] = "";
	check("UDP recv() works", recv(cli, ack, sizeof(ack) - 1, 0) == 3, "%s", strerror(errno));
	printf("udp: server got \"%s\", client got \"%s\"\n", buf, ack);

	/* a Unix socket pair, passing the UDP socket over it (SCM_RIGHTS) */
	int sv[2];
	check("socketpair(AF_UNIX, SOCK_SEQPACKET) works",
		  socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0, "%s", strerror(errno));
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } cbuf;
	memset(&cbuf, 0, sizeof(cbuf));
	struct iovec iov = { .iov_base = (void *)"fd", .iov_len = 2 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.b,
						.msg_controllen = sizeof(cbuf.b) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &cli, sizeof(int));
	check("sendmsg(SCM_RIGHTS) works", sendmsg(sv[0], &m, 0) == 2, "%s", strerror(errno));
	char got2[4];
	struct iovec iov2 = { .iov_base = got2, .iov_len = sizeof(got2) };
	memset(&cbuf, 0, sizeof(cbuf));
	struct msghdr m2 = { .msg_iov = &iov2, .msg_iovlen = 1, .msg_control = cbuf.b,
						 .msg_controllen = sizeof(cbuf.b) };
	check("recvmsg() works", recvmsg(sv[1], &m2, 0) == 2, "%s", strerror(errno));
	c = CMSG_FIRSTHDR(&m2);
	int passed = -1;
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&passed, CMSG_DATA(c), sizeof(int));
	check("a descriptor came through", passed >= 0, "none");
	check("and is the UDP socket", passed >= 0 && send(passed, "again", 5, 0) == 5, "%s",
		  strerror(errno));
	printf("unix: passed a socket over a socket pair\n");

	/* a Unix stream server on an abstract address, and a client */
	struct sockaddr_un u = { .sun_family = AF_UNIX };
	int ulen = snprintf(u.sun_path + 1, sizeof(u.sun_path) - 1, "sysfence-stdlib-%d", (int)getpid());
	socklen_t ualen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)ulen);
	int us = (int)allowed("socket(AF_UNIX, SOCK_STREAM) is allowed", socket(AF_UNIX, SOCK_STREAM, 0));
	check("Unix bind() works", bind(us, (struct sockaddr *)&u, ualen) == 0, "%s", strerror(errno));
	check("Unix listen() works", listen(us, 1) == 0, "%s", strerror(errno));
	int uc = (int)allowed("socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK) is allowed",
						  socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
	check("Unix connect() works", connect(uc, (struct sockaddr *)&u, ualen) == 0, "%s",
		  strerror(errno));
	int ua = accept(us, NULL, NULL);
	check("Unix accept() works", ua >= 0, "%s", strerror(errno));
	check("and data flows", send(uc, "hi", 2, 0) == 2 && recv(ua, buf, 2, 0) == 2, "%s",
		  strerror(errno));
	printf("unix: stream server and client talked\n");
	close(ua);
	close(uc);
	close(us);

	/* UDP and Unix only */
	denied("TCP socket() is denied", socket(AF_INET, SOCK_STREAM, 0));
	denied("TCP over IPv6 socket() is denied", socket(AF_INET6, SOCK_STREAM, 0));
	denied("raw socket() is denied", socket(AF_INET, SOCK_RAW, IPPROTO_UDP));
	denied("packet socket() is denied", socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP)));
	denied("ICMP ping socket() is denied", socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
	denied("UDP-Lite socket() is denied", socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE));
	denied("AF_ALG socket() is denied", socket(AF_ALG, SOCK_SEQPACKET, 0));
	denied("netlink socket() is denied", socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE));
	denied("open() is denied", open("/etc/hostname", O_RDONLY));
	deny_fork();
	deny_execve();
	deny_ptrace_kill();

	printf("udp_unix: done\n");
}

static const char *udp_unix_stdout(void)
{
	return "udp: server got \"hello udp\", client got \"ack\"\n"
		   "unix: passed a socket over a socket pair\n"
		   "unix: stream server and client talked\n"
		   "udp_unix: done\n";
}

/* ---- procs: pipes, fork, fork + exec, posix_spawn, wait ---- */

static char self_exe[512];

static int procs_setup(void)
{
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0) {
		check("procs set-up", 0, "readlink: %s", strerror(errno));
		return -1;
	}
	self_exe[n] = 0;
	return 0;
}

/* Reads FD to its end. */
static void slurp(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
}

static void procs_work(void)
{
	char buf[256];
	int status;

	/* a pipe to a forked child */
	int p[2];
	check("pipe() works", pipe(p) == 0, "%s", strerror(errno));
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		const char msg[] = "hello through a pipe";
		_exit(write(p[1], msg, sizeof(msg) - 1) == sizeof(msg) - 1 ? 7 : 1);
	}
	check("fork() works", pid > 0, "%s", strerror(errno));
	close(p[1]);
	slurp(p[0], buf, sizeof(buf));
	close(p[0]);
	check("waitpid() works", waitpid(pid, &status, 0) == pid, "%s", strerror(errno));
	check("the child exits with 7", WIFEXITED(status) && WEXITSTATUS(status) == 7, "status 0x%x",
		  status);
	printf("procs: the forked child said \"%s\"\n", buf);

	/* fork + exec this program, which runs under the same filter and
	 * answers through a pipe on its standard output */
	int q[2];
	check("pipe2(O_CLOEXEC) works", pipe2(q, O_CLOEXEC) == 0, "%s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		dup2(q[1], STDOUT_FILENO);      /* dup2 drops O_CLOEXEC */
		execl(self_exe, "stdlib_programs", "exec-child", (char *)NULL);
		_exit(127);
	}
	close(q[1]);
	slurp(q[0], buf, sizeof(buf));
	close(q[0]);
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	check("waitid() works", waitid(P_PID, (id_t)pid, &info, WEXITED) == 0, "%s", strerror(errno));
	check("the exec'd child succeeds", info.si_code == CLD_EXITED && info.si_status == 0,
		  "code %d status %d (127: execve failed; 3: its socket() was not denied)",
		  info.si_code, info.si_status);
	printf("procs: %s", buf);

	/* vfork(): the vfork syscall on x86_64, clone(CLONE_VM | CLONE_VFORK)
	 * elsewhere */
	pid = vfork();
	if (pid == 0)
		_exit(5);
	check("vfork() works", pid > 0, "%s", strerror(errno));
	check("and the child exits with 5", pid > 0 && waitpid(pid, &status, 0) == pid &&
		  WIFEXITED(status) && WEXITSTATUS(status) == 5, "status 0x%x", status);

	/* posix_spawn: clone3 gets ENOSYS, glibc falls back to clone(CLONE_VM |
	 * CLONE_VFORK), and /bin/true starts under the filter */
	char *argv[] = { (char *)"true", NULL };
	int rc = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	check("posix_spawn(/bin/true) works", rc == 0, "%s", strerror(rc));
	if (rc == 0) {
		check("and /bin/true succeeds", waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
			  WEXITSTATUS(status) == 0, "status 0x%x", status);
		printf("procs: /bin/true ran\n");
	}

	/* processes, but no threads */
	pthread_t t;
	rc = pthread_create(&t, NULL, hello_thread, NULL);
	check("pthread_create() fails with EPERM", rc == EPERM, "%s", rc ? strerror(rc) : "it worked");
	denied("clone(CLONE_THREAD) is denied",      /* the kernel would say EINVAL */
		   syscall(SYS_clone, CLONE_THREAD | SIGCHLD, 0, 0, 0, 0));
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	check_errno("clone(CLONE_NEWUSER) is denied", EPERM, r, errno);
	denied("open(O_WRONLY) is denied", open(self_exe, O_WRONLY));
	denied("unlink() is denied", unlink(self_exe));
	denied("mkdir() is denied", mkdir("/tmp/sysfence-stdlib-never", 0700));
	deny_socket();
	deny_ptrace_kill();

	printf("procs: done\n");
}

static const char *procs_stdout(void)
{
	return "procs: the forked child said \"hello through a pipe\"\n"
		   "procs: exec'd child running under the inherited filter\n"
		   "procs: /bin/true ran\n"
		   "procs: done\n";
}

/* The program exec'd by procs: prints a line, checks one denial. */
static int exec_child(void)
{
	printf("exec'd child running under the inherited filter\n");
	errno = 0;
	if (socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EPERM)
		return 3;
	return 0;
}

/* ---- signals: handlers, alternate stack, raise, pthread_kill, wait ---- */

static volatile sig_atomic_t usr1, usr2, on_alt;
static char *alt_lo, *alt_hi;

static void on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

static void on_usr2(int sig, siginfo_t *si, void *uc)
{
	char here;
	(void)sig, (void)si, (void)uc;
	on_alt = &here >= alt_lo && &here < alt_hi;
	usr2++;
}

static void signals_work(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigemptyset(&sa.sa_mask);
	check("sigaction(SIGUSR1) works", sigaction(SIGUSR1, &sa, NULL) == 0, "%s", strerror(errno));
	check("raise(SIGUSR1) works", raise(SIGUSR1) == 0, "%s", strerror(errno));
	check("and the handler ran", usr1 == 1, "%d", (int)usr1);

	static char stack[64 * 1024];
	alt_lo = stack;
	alt_hi = stack + sizeof(stack);
	stack_t ss = { .ss_sp = stack, .ss_size = sizeof(stack) };
	check("sigaltstack() works", sigaltstack(&ss, NULL) == 0, "%s", strerror(errno));
	struct sigaction sa2 = { .sa_sigaction = on_usr2, .sa_flags = SA_SIGINFO | SA_ONSTACK };
	sigemptyset(&sa2.sa_mask);
	check("sigaction(SIGUSR2, SA_ONSTACK) works", sigaction(SIGUSR2, &sa2, NULL) == 0, "%s",
		  strerror(errno));
	check("pthread_kill(self, SIGUSR2) works", pthread_kill(pthread_self(), SIGUSR2) == 0, "failed");
	check("and the handler ran on the alternate stack", usr2 == 1 && on_alt, "ran %d, on it %d",
		  (int)usr2, (int)on_alt);

	sigset_t set, pending;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	check("sigprocmask(SIG_BLOCK) works", sigprocmask(SIG_BLOCK, &set, NULL) == 0, "%s",
		  strerror(errno));
	raise(SIGUSR1);
	check("sigpending() shows it", sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1),
		  "%s", strerror(errno));
	struct timespec ts = { 1, 0 };
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	errno = 0;
	int got = sigtimedwait(&set, &si, &ts);
	/* glibc folds raise()'s SI_TKILL into SI_USER */
	check("sigtimedwait() takes it", got == SIGUSR1 && si.si_code == SI_USER && si.si_pid == getpid(),
		  "returned %d (%s), si_code %d", got, strerror(errno), si.si_code);
	check("without running the handler", usr1 == 1, "%d", (int)usr1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	check("signal(SIGPIPE, SIG_IGN) works", signal(SIGPIPE, SIG_IGN) != SIG_ERR, "%s",
		  strerror(errno));
	printf("signals: SIGUSR1 handled, then waited for; SIGUSR2 on the alternate stack\n");

	/* raise() is tgkill; kill() is not allowed, not even to ourselves */
	denied("kill(getpid(), SIGUSR1) is denied (raise() is the way)", kill(getpid(), SIGUSR1));
	check("... and no signal arrived", usr1 == 1, "%d", (int)usr1);
	denied("open() is denied", open("/etc/hostname", O_RDONLY));
	deny_socket();
	deny_fork();
	deny_execve();
	deny_ptrace_kill();

	printf("signals: done\n");
}

static const char *signals_stdout(void)
{
	return "signals: SIGUSR1 handled, then waited for; SIGUSR2 on the alternate stack\n"
		   "signals: done\n";
}

static const struct scenario scenarios[] = {
	{ "files", FILTER(files), files_setup, files_work, files_stdout },
	{ "threads", FILTER(threads), threads_setup, threads_work, threads_stdout },
	{ "tcp", FILTER(tcp), NULL, tcp_work, tcp_stdout },
	{ "udp_unix", FILTER(udp_unix), NULL, udp_unix_work, udp_unix_stdout },
	{ "procs", FILTER(procs), procs_setup, procs_work, procs_stdout },
	{ "signals", FILTER(signals), NULL, signals_work, signals_stdout },
};

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exec-child") == 0)
		return exec_child();
	return run_scenarios(scenarios, sizeof(scenarios) / sizeof(scenarios[0]), argc, argv);
}
