/* run_confined FILTER.bpf COMMAND [ARG]...: installs the filter with the
 * runtime library, then execs COMMAND under it. This is the apply point
 * `sysfence generate` assumes: the filter is in place before execve, so
 * the policy must allow the execve and everything after it. */
#include <stdio.h>
#include <unistd.h>

#include "sysfence.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: run_confined FILTER.bpf COMMAND [ARG]...\n");
		return 2;
	}
	int rc = sysfence_apply_file(argv[1], 0);
	if (rc) {
		fprintf(stderr, "run_confined: %s: %s\n", argv[1], sysfence_strerror(rc));
		return 2;
	}
	execv(argv[2], argv + 2);
	perror("run_confined: execv");   /* the filter may deny the message's write: exit says it */
	return 127;
}
