// runtime/sysfence.h must be usable from C++: this only has to compile.
#include <sysfence.h>

int apply_or_explain(const struct sock_filter *f, size_t n, const char **why)
{
    int rc = sysfence_apply(f, n, SYSFENCE_ALL_THREADS | SYSFENCE_LOG);
    if (rc == -SYSFENCE_ETSYNC && sysfence_last_tsync_tid() > 0)
        rc = sysfence_apply_file("x.bpf", SYSFENCE_SPEC_ALLOW);
    if (rc == -SYSFENCE_EARCH) {
        int fd;
        rc = sysfence_apply_listener(f, n, SYSFENCE_NEW_LISTENER, &fd);
    }
    *why = sysfence_strerror(rc);
    return rc;
}
