/* The notify example: a supervisor that decides each mkdir of a confined
 * child.
 *
 *     notify-demo ALLOWED_DIR PATH...
 *
 * The child applies the filter compiled from notify.policy (every mkdir
 * and mkdirat is notified, the rest allowed) with a listener, hands the
 * listener to its parent over a socketpair (SCM_RIGHTS), then tries to
 * make each PATH and prints what it got.  The parent answers each call:
 * a directory directly inside ALLOWED_DIR, named by an absolute path, is
 * made by the supervisor itself; anything else fails with EPERM.
 */
#define _GNU_SOURCE
#include "sysfence.h"
#include "supervised_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/seccomp.h>

/* ---- the child: confined, hands its listener over, makes directories */

static int send_fd(int sock, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'L';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
						  .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int child(int sock, char **paths)
{
	int listener, rc;

	rc = sysfence_apply_listener(sysfence_supervised_filter,
								 sysfence_supervised_filter_len, 0, &listener);
	if (rc < 0) {
		fprintf(stderr, "cannot confine myself: %s\n", sysfence_strerror(rc));
		return 2; /* the parent sees the socket close without an fd */
	}
	/* Before the first mkdir: until the supervisor holds the listener,
	 * nobody could answer, and the call would wait for ever. */
	if (send_fd(sock, listener) != 0) {
		perror("send listener");
		return 1;
	}
	close(listener);
	close(sock);
	for (; *paths; paths++) {
		if (mkdir(*paths, 0755) == 0)
			printf("%s: created\n", *paths);
		else
			printf("%s: %s\n", *paths, strerror(errno));
	}
	return 0;
}

/* ---- the supervisor ---- */

static int recv_fd(int sock)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
						  .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* The NUL-terminated string at addr in the memory of req's caller, or -1.
 * The id is checked after /proc/PID/mem is opened: had the caller died
 * and its pid been reused, the mem file would be another process's. */
static int read_path(int listener, const struct seccomp_notif *req,
					 unsigned long long addr, char *buf, size_t size)
{
	char mem[64];
	ssize_t n;
	int fd;

	snprintf(mem, sizeof(mem), "/proc/%u/mem", req->pid);
	fd = open(mem, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) != 0) {
		close(fd);
		return -1;
	}
	n = pread(fd, buf, size - 1, (off_t)addr);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strlen(buf) < (size_t)n ? 0 : -1; /* the NUL must be in it */
}

/* The name in ALLOWED_DIR that path makes, or NULL: one component right
 * inside it, no "." or "..", so that no symlink or climbing leads out. */
static const char *allowed_name(const char *path, const char *allowed)
{
	size_t len = strlen(allowed);
	const char *name = path + len + 1;

	if (strncmp(path, allowed, len) != 0 || path[len] != '/')
		return NULL;
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return NULL;
	return name;
}

/* The answer to one mkdir or mkdirat: 0 or -errno.  The supervisor makes
 * the directory itself instead of letting the call go on
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE): another thread of the caller could
 * change the path between our reading it and the kernel's. */
static int decide(int listener, const struct seccomp_notif *req,
				  const char *allowed, int allowed_fd)
{
	unsigned long long path_arg = req->data.args[0], mode = req->data.args[1];
	char path[PATH_MAX];
	const char *name;

	if (req->data.nr == __NR_mkdirat) {
		if ((int)req->data.args[0] != AT_FDCWD)
			return -EPERM; /* a path relative to a dirfd of the child's */
		path_arg = req->data.args[1];
		mode = req->data.args[2];
	}
	if (read_path(listener, req, path_arg, path, sizeof(path)) != 0)
		return -EPERM;
	name = allowed_name(path, allowed);
	if (!name)
		return -EPERM;
	/* mkdirat on the directory we opened, not the path again: a rename
	 * of ALLOWED_DIR meanwhile cannot redirect it.  The supervisor's
	 * umask applies, not the caller's. */
	if (mkdirat(allowed_fd, name, (mode_t)(mode & 0777)) != 0)
		return -errno;
	return 0;
}

static void answer(int listener, const char *allowed, int allowed_fd)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	memset(&req, 0, sizeof(req)); /* NOTIF_RECV wants it zeroed */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0)
		return; /* ENOENT: the caller went away meanwhile */
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.error = decide(listener, &req, allowed, allowed_fd);
	/* ENOENT here too: the caller was killed while we decided. */
	(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* Answers until the child has exited: the listener reports POLLHUP once
 * no process uses the filter (Linux 5.8), and waitpid catches older
 * kernels at the next timeout. */
static int supervise(int listener, pid_t pid, const char *allowed, int allowed_fd)
{
	struct pollfd p = { .fd = listener, .events = POLLIN };
	int status = 0;

	for (;;) {
		if (poll(&p, 1, 200) < 0 && errno != EINTR)
			return -1;
		if (p.revents & POLLIN)
			answer(listener, allowed, allowed_fd);
		else if ((p.revents & POLLHUP) || waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	if (waitpid(pid, &status, 0) == pid || errno == ECHILD)
		return status;
	return -1;
}

int main(int argc, char **argv)
{
	int sv[2], listener, allowed_fd, status;
	pid_t pid;

	if (argc < 3 || argv[1][0] != '/') {
		fprintf(stderr, "usage: notify-demo /ALLOWED_DIR PATH...\n");
		return 2;
	}
	allowed_fd = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (allowed_fd < 0 ||
		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		perror(argv[1]);
		return 2;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		close(sv[0]);
		exit(child(sv[1], argv + 2));
	}
	close(sv[1]);
	listener = recv_fd(sv[0]);
	if (listener < 0) { /* the child could not confine itself */
		waitpid(pid, &status, 0);
		return 2;
	}
	status = supervise(listener, pid, argv[1], allowed_fd);
	return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
