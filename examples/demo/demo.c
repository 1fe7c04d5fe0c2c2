/* demo: count lines, words and bytes like wc(1), under a seccomp filter.
 *
 * usage: demo [--filter FILTER.bpf] [--try-escape] [FILE...]
 *
 * It opens its input files (standard input if none) first, then confines
 * itself with the filter compiled from demo.policy, and only then reads
 * them. The filter is embedded: meson compiles demo.policy into
 * demo_filter.h at build time (see meson.build); --filter loads a .bpf file
 * instead. From then on it can read what it already holds and write to
 * standard output and error, and nothing else: from that point on it can read what it already holds and write to
 * standard output and error, and nothing else.  With --try-escape it then
 * tries what the policy forbids and reports how each attempt failed; it
 * exits 0 only if every one was denied.
 */
#define _GNU_SOURCE
#include "sysfence.h"
#include "demo_filter.h"    /* generated: sysfence compile demo.policy -f c */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* Under AddressSanitizer, the leak check at exit needs clone and ptrace,
 * which the policy forbids, and would hang or fail: a confined program
 * opts out through this hook.  Elsewhere nothing calls it. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return 1;
}

struct counts {
	unsigned long long lines, words, bytes;
};

static int count_fd(int fd, struct counts *c)
{
	static char buf[65536];
	int in_word = 0;
	ssize_t n, i;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c->bytes += (unsigned long long)n;
		for (i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)buf[i];
			c->lines += ch == '\n';
			if (isspace(ch))
				in_word = 0;
			else if (!in_word) {
				in_word = 1;
				c->words++;
			}
		}
	}
	return 0;
}

static void print_counts(const struct counts *c, const char *name)
{
	printf("%7llu %7llu %7llu%s%s\n", c->lines, c->words, c->bytes,
		   name ? " " : "", name ? name : "");
}

/* Reports one escape attempt; returns 1 if it was denied. */
static int report(const char *what, int failed, int err)
{
	if (failed)
		printf("escape: %-26s denied: %s\n", what, strerror(err));
	else
		printf("escape: %-26s NOT DENIED\n", what);
	return failed;
}

static int try_escape(const char *victim)
{
	char *sh_argv[] = { (char *)"sh", (char *)"-c", (char *)"exit 99", NULL };
	int denied = 0, fd;
	pid_t pid;

	/* Opening for writing: harmless if it worked, as nothing is written. */
	errno = 0;
	fd = open(victim, O_WRONLY | O_APPEND);
	denied += report("open for writing", fd < 0, errno);
	if (fd >= 0)
		close(fd);

	errno = 0;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	denied += report("socket(AF_INET)", fd < 0, errno);
	if (fd >= 0)
		close(fd);

	fflush(stdout); /* a child must not print our buffer again */
	errno = 0;
	pid = fork();
	if (pid == 0)
		_exit(0);
	denied += report("fork", pid < 0, errno);
	if (pid > 0)
		waitpid(pid, NULL, 0);

	/* Were this allowed, the shell would end us with status 99. */
	fflush(stdout);
	errno = 0;
	execve("/bin/sh", sh_argv, environ);
	denied += report("execve(/bin/sh)", 1, errno);

	return denied == 4;
}

int main(int argc, char **argv)
{
	struct counts total = { 0, 0, 0 };
	int escape = 0, nfiles, *fds, i, rc, status = 0;
	const char *filter_file = NULL;
	char **names = argv + 1;

	if (*names && strcmp(*names, "--filter") == 0) {
		if (!names[1]) {
			fprintf(stderr, "usage: %s [--filter FILTER.bpf] [--try-escape] [FILE...]\n",
					argv[0]);
			return 2;
		}
		filter_file = names[1];
		names += 2;
	}
	if (*names && strcmp(*names, "--try-escape") == 0) {
		escape = 1;
		names++;
	}
	nfiles = (int)(argc - (names - argv));

	/* Everything that needs more than the policy allows happens first. */
	fds = calloc((size_t)nfiles + 1, sizeof(*fds));
	if (!fds) {
		perror("demo");
		return 2;
	}
	for (i = 0; i < nfiles; i++) {
		fds[i] = open(names[i], O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			fprintf(stderr, "demo: %s: %s\n", names[i], strerror(errno));
			status = 1;
		}
	}

	if (filter_file)
		rc = sysfence_apply_file(filter_file, 0);
	else
		rc = sysfence_apply(sysfence_demo_filter, sysfence_demo_filter_len, 0);
	if (rc < 0) {
		fprintf(stderr, "demo: %s: %s\n", filter_file ? filter_file : "embedded filter",
				sysfence_strerror(rc));
		return 2;
	}

	/* Confined from here on. */
	if (nfiles == 0) {
		if (count_fd(0, &total) < 0) {
			fprintf(stderr, "demo: standard input: %s\n", strerror(errno));
			status = 1;
		}
		print_counts(&total, NULL);
	}
	for (i = 0; i < nfiles; i++) {
		struct counts c = { 0, 0, 0 };

		if (fds[i] < 0)
			continue;
		if (count_fd(fds[i], &c) < 0) {
			fprintf(stderr, "demo: %s: %s\n", names[i], strerror(errno));
			status = 1;
		}
		close(fds[i]);
		print_counts(&c, names[i]);
		total.lines += c.lines;
		total.words += c.words;
		total.bytes += c.bytes;
	}
	if (nfiles > 1)
		print_counts(&total, "total");
	free(fds);

	if (escape && !try_escape(nfiles ? names[0] : argv[0]))
		status = 1;
	return status;
}
