/* The scenarios of the standard-library tests: see scenario.h. */
#define _GNU_SOURCE
#include "scenario.h"
#include "sysfence.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define MAX_CHECKS 160
#define MAX_OUTPUT 65536
#define CHILD_SECONDS 20

struct result {
    char name[96];
    int ok;
    char detail[200];
};

struct shared {
    int n;
    int overflow;
    struct result r[MAX_CHECKS];
};

static struct shared *sh;
char scratch[] = "/tmp/sysfence-stdlib-XXXXXX";
pid_t parent_pid;

void check_result(const char *name, int ok, const char *fmt, ...)
{
    int i = __atomic_fetch_add(&sh->n, 1, __ATOMIC_SEQ_CST);
    if (i >= MAX_CHECKS) {
        sh->overflow = 1;
        return;
    }
    struct result *r = &sh->r[i];
    snprintf(r->name, sizeof(r->name), "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
    va_end(ap);
    __atomic_store_n(&r->ok, ok ? 1 : -1, __ATOMIC_SEQ_CST);
}

static const char *errname(int err)
{
    const char *s = strerrorname_np(err);
    return s ? s : "?";
}

void check_errno(const char *name, int want, long ret, int err)
{
    if (ret == -1)
        check(name, err == want, "failed with %s, want %s", errname(err), errname(want));
    else
        check(name, 0, "returned %ld, want -1 with %s", ret, errname(want));
}

void check_allowed(const char *name, long ret, int err)
{
    if (ret == -1)
        check(name, err != EPERM, "failed with %s", errname(err));
    else
        check(name, 1, "returned %ld", ret);
}

/* In the child: set up, confine, work.  Never returns. */
static void child(const struct scenario *s, int out)
{
    alarm(CHILD_SECONDS);               /* a hang ends as SIGALRM */
    if (dup2(out, STDOUT_FILENO) < 0) {
        check("child set-up", 0, "dup2: %s", strerror(errno));
        _exit(1);
    }
    close(out);
    if (s->setup && s->setup() != 0)
        _exit(1);
    int rc = sysfence_apply(s->filter, s->filter_len, 0);
    if (rc != 0) {
        check("install the filter", 0, "%s", sysfence_strerror(rc));
        _exit(1);
    }
    s->work();
    exit(0);                            /* flushes stdout, under the filter */
}

static void tap_escaped(const char *label, const char *text)
{
    printf("#   %s: \"", label);
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            printf("\\n\"\n#     \"");
        else
            putchar(*p);
    }
    printf("\"\n");
}

static void remove_scratch(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", scratch);
}

static int run_one(const struct scenario *s, int *n)
{
    int failed = 0;
    memset(sh, 0, sizeof(*sh));
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        close(fds[0]);
        child(s, fds[1]);
    }
    close(fds[1]);

    static char out[MAX_OUTPUT + 1];
    size_t len = 0;
    for (;;) {
        ssize_t got = read(fds[0], out + len, MAX_OUTPUT - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
        if (len == MAX_OUTPUT)
            break;
    }
    out[len] = 0;
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;

    int count = sh->n < MAX_CHECKS ? sh->n : MAX_CHECKS;
    for (int i = 0; i < count; i++) {
        const struct result *r = &sh->r[i];
        int ok = r->ok > 0;
        printf("%s %d - %s: %s%s%s\n", ok ? "ok" : "not ok", ++*n, s->name,
               r->ok ? r->name : "(check still being written when the child ended)",
               ok ? "" : ": ", ok ? "" : r->detail);
        failed += !ok;
    }
    if (sh->overflow) {
        printf("not ok %d - %s: more than %d checks\n", ++*n, s->name, MAX_CHECKS);
        failed++;
    }

    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        printf("ok %d - %s: exits normally under the filter\n", ++*n, s->name);
    } else {
        failed++;
        if (WIFSIGNALED(status))
            printf("not ok %d - %s: killed by signal %d (%s)%s\n", ++*n, s->name,
                   WTERMSIG(status), strsignal(WTERMSIG(status)),
                   WTERMSIG(status) == SIGSYS ? ": a syscall was killed, not denied" : "");
        else
            printf("not ok %d - %s: exit status %d\n", ++*n, s->name, WEXITSTATUS(status));
    }

    const char *want = s->expected_stdout();
    if (strcmp(out, want) == 0) {
        printf("ok %d - %s: prints what it should (%zu bytes)\n", ++*n, s->name, len);
    } else {
        failed++;
        printf("not ok %d - %s: standard output differs\n", ++*n, s->name);
        tap_escaped("got ", out);
        tap_escaped("want", want);
    }
    return failed;
}

int run_scenarios(const struct scenario *list, size_t n, int argc, char **argv)
{
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    parent_pid = getpid();
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        return 1;
    }
    int failed = 0, ran = 0, count = 0;
    for (size_t i = 0; i < n; i++) {
        if (argc > 1 && strcmp(argv[1], list[i].name) != 0)
            continue;
        failed += run_one(&list[i], &count);
        ran++;
    }
    remove_scratch();
    if (!ran) {
        fprintf(stderr, "no scenario named '%s'\n", argv[1]);
        return 1;
    }
    printf("1..%d\n", count);
    return failed ? 1 : 0;
}
