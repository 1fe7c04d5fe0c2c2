/* The program tests/generate traces: it reads a file (read-only open),
 * prints it, talks over a UNIX socketpair and starts a thread. With a
 * second argument it then does one thing more, which the trace of the
 * plain run never showed, and says how that went:
 *
 *   traced INPUT                 the plain run
 *   traced INPUT write PATH      open PATH for writing
 *   traced INPUT mkdir PATH      a syscall the plain run never made
 *   traced INPUT inet            a socket of another family
 *
 * The extra step prints "STEP: ok" or "STEP: ERRNO-NAME"; the exit status
 * is 0 unless the plain part fails. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int pair[2];

/* Sleeps first, so that pthread_join really waits (a futex) in every run. */
static void *worker(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	const char msg[] = "from the thread";
	return write(pair[1], msg, sizeof(msg)) == (ssize_t)sizeof(msg) ? NULL : (void *)1;
}

static int plain(const char *input)
{
	char buf[256];
	int fd = open(input, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n < 0 || close(fd))
		return perror(input), 1;
	buf[n] = '\0';
	printf("read %zd bytes: %s", n, buf);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair))
		return perror("socketpair"), 1;
	pthread_t t;
	void *res;
	if (pthread_create(&t, NULL, worker, NULL) || pthread_join(t, &res) || res)
		return fprintf(stderr, "thread failed\n"), 1;
	n = read(pair[0], buf, sizeof(buf));
	if (n <= 0)
		return perror("read socket"), 1;
	printf("socket: %s\n", buf);
	return 0;
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EEXIST: return "EEXIST";
	default: return strerror(e);
	}
}

static int extra(int argc, char **argv)
{
	const char *step = argv[2];
	int rc = -1;
	if (strcmp(step, "write") == 0 && argc > 3) {
		rc = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	} else if (strcmp(step, "mkdir") == 0 && argc > 3) {
		rc = mkdir(argv[3], 0700);
	} else if (strcmp(step, "inet") == 0) {
		rc = socket(AF_INET, SOCK_STREAM, 0);
	} else {
		fprintf(stderr, "traced: unknown step '%s'\n", step);
		return 2;
	}
	printf("%s: %s\n", step, rc >= 0 ? "ok" : errno_name(errno));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: traced INPUT [write PATH | mkdir PATH | inet]\n");
		return 2;
	}
	int rc = plain(argv[1]);
	if (rc == 0 && argc > 2)
		rc = extra(argc, argv);
	fflush(stdout);
	return rc;
}
