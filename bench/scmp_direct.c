/* The direct libseccomp build, as a process: what a program that builds
 * its filter with the libseccomp API costs, for the compile-time
 * comparison with the sysfence CLI. Reads a rule list written by
 * policy_write_rules and writes the raw BPF.
 * Usage: scmp_direct RULES OUT.bpf [OPTIMIZE] */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	struct bench_policy p;
	struct bench_prog prog;
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: scmp_direct RULES OUT.bpf [OPTIMIZE]\n");
		return 2;
	}
	if (policy_read_rules(&p, argv[1]) ||
	    scmp_build(&p, argc == 4 ? atoi(argv[3]) : 1, &prog)) {
		fprintf(stderr, "scmp_direct: cannot build %s\n", argv[1]);
		return 1;
	}
	int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t size = prog.len * sizeof(*prog.insns);
	if (fd < 0 || write(fd, prog.insns, size) != (ssize_t)size || close(fd)) {
		perror(argv[2]);
		return 1;
	}
	free(prog.insns);
	policy_free(&p);
	return 0;
}
