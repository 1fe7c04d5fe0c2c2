/* FILE at a git revision (git_tree.h). git runs as a child process with
 * its arguments as they are (no shell), so a revision is never a command;
 * the archive is unpacked by tar reading git's output through a pipe. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/git_tree.h"

extern char **environ;

/* Starts ARGV with IN and OUT as its stdin and stdout (-1: inherited);
 * returns its pid or -1. */
static pid_t spawn(char *const argv[], int in, int out)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (in >= 0)
		posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	if (out >= 0)
		posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc == 0 ? pid : -1;
}

static int wait_ok(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Runs ARGV and keeps the first line of its output in BUF. Returns 0 when
 * it succeeds. */
static int capture(char *const argv[], char *buf, size_t len)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = spawn(argv, -1, p[1]);
	close(p[1]);
	size_t n = 0;
	ssize_t got;
	while (pid > 0 && n + 1 < len && (got = read(p[0], buf + n, len - n - 1)) > 0)
		n += (size_t)got;
	close(p[0]);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return pid > 0 && wait_ok(pid) ? 0 : -1;
}

/* git archive REV '*.policy' | tar -x -C DIR, in the repository TOP. */
static int unpack(const char *top, const char *rev, const char *dir)
{
	char *git[] = { "git", "-C", (char *)top, "archive", "--format=tar", (char *)rev, "--",
			":(glob)**/*.policy", NULL };
	char *tar[] = { "tar", "-x", "-C", (char *)dir, NULL };
	int p[2];
	if (pipe(p))
		return -1;
	pid_t g = spawn(git, -1, p[1]);
	close(p[1]);
	pid_t t = spawn(tar, p[0], -1);
	close(p[0]);
	int ok = g > 0 && wait_ok(g);
	ok = t > 0 && wait_ok(t) && ok;
	return ok ? 0 : -1;
}

static void split(const char *file, char *dir, size_t len, const char **base)
{
	const char *slash = strrchr(file, '/');
	*base = slash ? slash + 1 : file;
	snprintf(dir, len, "%.*s", slash ? (int)(slash - file) + (slash == file) : 1,
		 slash ? file : ".");
}

int git_tree_open(struct git_tree *t, struct diag *d, const char *rev, const char *file)
{
	t->dir[0] = t->file[0] = '\0';
	char dir[4096], top[4096], prefix[4096], spec[8192];
	const char *base;
	split(file, dir, sizeof(dir), &base);
	char *top_argv[] = { "git", "-C", dir, "rev-parse", "--show-toplevel", NULL };
	char *prefix_argv[] = { "git", "-C", dir, "rev-parse", "--show-prefix", NULL };
	if (capture(top_argv, top, sizeof(top)) || capture(prefix_argv, prefix, sizeof(prefix))) {
		diag_error(d, (struct loc){ 0 }, "cannot read '%s' at %s: not in a git repository",
			   file, rev);
		return -1;
	}
	snprintf(spec, sizeof(spec), "%s:%s%s", rev, prefix, base);
	char sink[16];
	char *exists_argv[] = { "git", "-C", top, "cat-file", "-e", spec, NULL };
	if (capture(exists_argv, sink, sizeof(sink))) {
		diag_error(d, (struct loc){ 0 }, "cannot read '%s' at %s: git has no '%s'", file, rev,
			   spec);
		return -1;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(t->dir, sizeof(t->dir), "%s/sysfence-git-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(t->dir)) {
		diag_error(d, (struct loc){ 0 }, "cannot make a temporary directory: %s", strerror(errno));
		t->dir[0] = '\0';
		return -1;
	}
	if (unpack(top, rev, t->dir)) {
		diag_error(d, (struct loc){ 0 }, "cannot read '%s' at %s: git archive failed", file, rev);
		return -1;
	}
	if ((size_t)snprintf(t->file, sizeof(t->file), "%s/%s%s", t->dir, prefix, base) >=
	    sizeof(t->file)) {
		diag_error(d, (struct loc){ 0 }, "cannot read '%s' at %s: its path is too long", file, rev);
		return -1;
	}
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

void git_tree_close(struct git_tree *t)
{
	if (t->dir[0])
		nftw(t->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	t->dir[0] = '\0';
}
