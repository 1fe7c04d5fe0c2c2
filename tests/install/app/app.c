/* A separate project built against the installed loader (pkg-config
 * sysfence): it confines itself with the filter an installed sysfence
 * compiled, from the generated header or from a .bpf file, then checks
 * that what the policy does not allow now fails with EPERM. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sysfence.h>
#include "app_filter.h"

int main(int argc, char **argv)
{
	int rc;

	if (argc == 3 && strcmp(argv[1], "--file") == 0)
		rc = sysfence_apply_file(argv[2], 0);
	else if (argc == 1)
		rc = sysfence_apply(sysfence_app_filter, sysfence_app_filter_len, 0);
	else {
		fprintf(stderr, "usage: app [--file FILTER.bpf]\n");
		return 2;
	}
	if (rc < 0) {
		fprintf(stderr, "app: cannot confine myself: %s\n", sysfence_strerror(rc));
		return 1;
	}
	/* Not in the policy: the default, errno(EPERM). */
	long pp = syscall(SYS_getppid);
	int ppid_errno = errno;
	int fd = open("/dev/null", O_RDONLY);
	int open_errno = errno;
	if (pp != -1 || ppid_errno != EPERM || fd != -1 || open_errno != EPERM) {
		fprintf(stderr, "app: not confined: getppid -> %ld, open -> %d\n", pp, fd);
		return 1;
	}
	printf("app: confined (%s): getppid and open fail with EPERM\n",
	       argc == 1 ? "header" : "file");
	return 0;
}
