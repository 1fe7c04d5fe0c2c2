/* Replays inputs through the fuzz target without libFuzzer: each argument
 * is a file, or a directory whose regular files are all replayed (in name
 * order, not recursively). Used by the `fuzz-replay` test so that every
 * build runs the corpus, and handy to reproduce a crash under gdb.
 *
 * Reports in TAP through tests/support/harness.h, a case per input: that
 * it could be read. The target's own checks abort(), as libFuzzer wants,
 * so a finding ends the run there and fails the test. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Reads PATH whole into a buffer of exactly its size (as libFuzzer gives
 * one). Returns NULL, with the errno in *ERR (0: out of memory), when it
 * cannot. */
static uint8_t *read_input(const char *path, size_t *size, int *err)
{
	FILE *f = fopen(path, "rb");
	*err = errno;
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0, got;
	uint8_t *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	*err = ferror(f) ? EIO : 0;
	fclose(f);
	uint8_t *copy = buf && !*err ? malloc(n ? n : 1) : NULL;
	if (copy)
		memcpy(copy, buf, n);
	free(buf);
	*size = n;
	return copy;
}

/* One case: PATH through the target. */
static void replay_file(const char *path)
{
	harness_case_begin("%s", path);
	size_t n = 0;
	int err = 0;
	uint8_t *data = read_input(path, &n, &err);
	if (CHECK(data, "%s: cannot read: %s", path, err ? strerror(err) : "out of memory"))
		LLVMFuzzerTestOneInput(data, n);
	free(data);
	harness_case_end();
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Replays the regular files of DIR in name order; returns how many. */
static size_t replay_dir(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, by_name);
	if (!CHECK(n >= 0, "%s: %s", dir, strerror(errno)))
		return 0;
	size_t count = 0;
	for (int k = 0; k < n; k++) {
		char *path;
		struct stat st;
		if (asprintf(&path, "%s/%s", dir, ents[k]->d_name) < 0) {
			FAIL("%s/%s: out of memory", dir, ents[k]->d_name);
			path = NULL;
		} else if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			replay_file(path);
			count++;
		}
		free(path);
		free(ents[k]);
	}
	free(ents);
	return count;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int found = stat(argv[i], &st) == 0;
		if (!CHECK(found, "%s: %s", argv[i], strerror(errno)))
			continue;
		if (S_ISDIR(st.st_mode)) {
			count += replay_dir(argv[i]);
		} else {
			replay_file(argv[i]);
			count++;
		}
	}
	harness_note("fuzz_replay: %zu input%s replayed", count, count == 1 ? "" : "s");
	CHECK(count > 0, "no inputs found");
	return harness_summary();
}
