/* Reading syscall profiles, and the built-in prior. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "layout/profile.h"
#include "base/file.h"

static enum arch_id profile_arch(void)
{
	int a = arch_native();
	return a < 0 ? ARCH_X86_64 : (enum arch_id)a;
}

/* The syscall whose kernel name on ARCH is NAME (strace prints kernel
 * names: newfstatat, pread64), else the one users call NAME there. */
static const struct syscall_desc *by_kernel_name(enum arch_id arch, const char *name)
{
	for (size_t i = 0; i < syscall_count(); i++) {
		const struct syscall_desc *s = syscall_at(i);
		if (s->kname[arch] && strcmp(s->kname[arch], name) == 0)
			return s;
	}
	const struct syscall_desc *s = syscall_find(name);
	return s && s->nr[arch] >= 0 ? s : NULL;
}

static void add_count(struct arena *a, struct profile *p, const struct syscall_desc *s, double n)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].sys == s) {
			p->v[i].count += n;
			return;
		}
	p->v = arena_grow(a, p->v, p->n, &p->cap, sizeof(*p->v));
	p->v[p->n++] = (struct profile_entry){ s, n };
}

/* ---- the file formats ---- */

struct field {
	const char *s;
	size_t len;
	int col;   /* 1-based */
};

#define MAX_FIELDS 8

static size_t split_fields(const char *line, size_t len, struct field *f)
{
	size_t n = 0, i = 0;
	while (i < len && n < MAX_FIELDS + 1) {
		while (i < len && isspace((unsigned char)line[i]))
			i++;
		if (i == len)
			break;
		size_t start = i;
		while (i < len && !isspace((unsigned char)line[i]))
			i++;
		if (n < MAX_FIELDS)
			f[n] = (struct field){ line + start, i - start, (int)start + 1 };
		n++;
	}
	return n;
}

static int is_count(const struct field *f, double *v)
{
	char buf[32];
	if (f->len == 0 || f->len >= sizeof(buf))
		return 0;
	memcpy(buf, f->s, f->len);
	buf[f->len] = '\0';
	for (size_t i = 0; i < f->len; i++)
		if (!isdigit((unsigned char)buf[i]))
			return 0;
	*v = strtod(buf, NULL);
	return 1;
}

/* strace's %time, seconds and usecs/call columns: a decimal number. */
static int is_decimal(const struct field *f)
{
	int digits = 0;
	for (size_t i = 0; i < f->len; i++) {
		if (isdigit((unsigned char)f->s[i]))
			digits++;
		else if (f->s[i] != '.')
			return 0;
	}
	return digits > 0;
}

static int is_rule(const char *line, size_t len)
{
	int dashes = 0;
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '-')
			dashes++;
		else if (!isspace((unsigned char)line[i]))
			return 0;
	}
	return dashes > 0;
}

static int starts_with(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(line, prefix, n) == 0;
}

/* One line; returns 0, or -1 after a diagnostic. */
static int read_line(struct arena *a, struct diag *d, struct profile *p, const struct source *src,
		     int lineno, const char *line, size_t len)
{
	struct field f[MAX_FIELDS];
	size_t n = split_fields(line, len, f);
	/* Skipped: blank lines, comments, the strace header and rules, the
	 * total row, and strace's own messages ("strace: Process 7 attached"). */
	if (n == 0 || f[0].s[0] == '#' || starts_with(f[0].s, len - (size_t)(f[0].col - 1), "% time") ||
	    is_rule(line, len) || starts_with(f[0].s, f[0].len, "strace:"))
		return 0;
	struct loc at = { src, lineno, f[0].col };
	const struct field *name = NULL, *calls = NULL;
	double count = 0;
	if (n == 2) {
		name = &f[0];
		calls = &f[1];
	} else if ((n == 5 || n == 6) && is_decimal(&f[0]) && is_decimal(&f[1]) && is_decimal(&f[2])) {
		name = &f[n - 1];
		calls = &f[3];
		double errors;
		if (n == 6 && !is_count(&f[4], &errors)) {
			diag_error(d, (struct loc){ src, lineno, f[4].col },
				   "the errors column of an strace -c row must be a count");
			return -1;
		}
	} else {
		diag_error(d, at, "not a profile line: want 'NAME COUNT' or an strace -c row "
				  "('%% time seconds usecs/call calls [errors] syscall')");
		return -1;
	}
	if (!is_count(calls, &count)) {
		diag_error(d, (struct loc){ src, lineno, calls->col }, "'%.*s' is not a call count",
			   (int)calls->len, calls->s);
		return -1;
	}
	char *sname = arena_strndup(a, name->s, name->len);
	if (n != 2 && strcmp(sname, "total") == 0)
		return 0;
	const struct syscall_desc *s = by_kernel_name(p->arch, sname);
	if (!s) {
		struct suggest sg;
		suggest_init(&sg, sname);
		for (size_t i = 0; i < syscall_count(); i++)
			if (syscall_at(i)->kname[p->arch])
				suggest_offer(&sg, syscall_at(i)->kname[p->arch]);
		const char *best = suggest_result(&sg);
		diag_error(d, (struct loc){ src, lineno, name->col }, "unknown syscall '%s' on %s%s%s%s", sname,
			   arch_table[p->arch].name, best ? "; did you mean '" : "", best ? best : "",
			   best ? "'?" : "");
		return -1;
	}
	add_count(a, p, s, count);
	return 0;
}

struct profile *profile_read(struct arena *a, struct diag *d, const char *path)
{
	size_t len;
	int err = 0;
	char *text = read_all(a, path, &len, &err);
	if (!text || memchr(text, '\0', len)) {
		diag_error(d, (struct loc){ 0 }, "cannot read profile '%s': %s", path,
			   text ? "it is not a text file" : file_error(err));
		return NULL;
	}
	struct source *src = arena_alloc(a, sizeof(*src));
	*src = (struct source){ arena_strdup(a, path), text, len };
	struct profile *p = arena_alloc(a, sizeof(*p));
	p->arch = profile_arch();
	int bad = 0, lineno = 1;
	for (const char *line = text; line < text + len; lineno++) {
		const char *end = memchr(line, '\n', (size_t)(text + len - line));
		if (!end)
			end = text + len;
		bad |= read_line(a, d, p, src, lineno, line, (size_t)(end - line));
		line = end + 1;
	}
	return bad ? NULL : p;
}

const struct profile *profile_load(struct arena *a, const char *path)
{
	struct diag d;
	diag_init(&d, stderr);
	const struct profile *p = profile_read(a, &d, path);
	if (!p)
		diag_info(&d, (struct loc){ 0 }, "%d error%s in profile '%s'", d.errors,
			  d.errors == 1 ? "" : "s", path);
	diag_fini(&d);
	return p;
}

/* ---- the prior ----
 *
 * Relative call rates of syscalls that are hot in typical Linux programs
 * (servers, build tools, shells, language runtimes), written down from
 * general knowledge of what such programs spend their syscalls on: file
 * I/O and metadata, the allocator, locks, event loops, sockets and signal
 * masks. They are NOT fitted to any benchmark mix; they only have to rank
 * the usual suspects above the rarely called rest. */
static const struct { const char *name; double count; } prior_rates[] = {
	{ "read", 1000 },          { "write", 800 },         { "futex", 600 },
	{ "close", 600 },          { "openat", 600 },        { "newfstatat", 500 },
	{ "fstat", 400 },          { "mmap", 300 },          { "epoll_wait", 300 },
	{ "recvfrom", 250 },       { "sendto", 250 },        { "rt_sigprocmask", 250 },
	{ "poll", 200 },           { "lseek", 200 },         { "ioctl", 200 },
	{ "stat", 150 },           { "munmap", 150 },        { "mprotect", 150 },
	{ "epoll_pwait", 150 },    { "epoll_ctl", 150 },     { "recvmsg", 150 },
	{ "sendmsg", 150 },        { "writev", 150 },        { "pread64", 150 },
	{ "fcntl", 150 },          { "lstat", 100 },         { "getdents64", 100 },
	{ "statx", 100 },          { "ppoll", 100 },         { "rt_sigaction", 100 },
	{ "brk", 80 },             { "access", 80 },         { "readlink", 80 },
	{ "madvise", 60 },         { "getpid", 60 },         { "gettid", 60 },
	{ "clock_gettime", 50 },   { "nanosleep", 50 },      { "clock_nanosleep", 50 },
	{ "sched_yield", 50 },     { "select", 50 },         { "pwrite64", 50 },
	{ "readv", 50 },           { "accept4", 40 },        { "getrandom", 30 },
	{ "connect", 30 },         { "socket", 30 },         { "pselect6", 30 },
	{ "getuid", 30 },          { "faccessat", 30 },      { "geteuid", 20 },
	{ "getsockname", 20 },     { "setsockopt", 20 },     { "getsockopt", 20 },
	{ "shutdown", 20 },        { "dup2", 20 },           { "getcwd", 20 },
	{ "rt_sigreturn", 20 },    { "accept", 20 },         { "dup3", 10 },
	{ "pipe2", 10 },           { "wait4", 10 },          { "clone", 10 },
	{ "clone3", 10 },          { "set_robust_list", 10 }, { "rseq", 10 },
	{ "prlimit64", 10 },       { "uname", 10 },          { "eventfd2", 10 },
	{ "unlink", 10 },          { "rename", 10 },         { "execve", 5 },
	{ "exit_group", 5 },       { "arch_prctl", 5 },      { "exit", 5 },
};

_Static_assert(sizeof(prior_rates) / sizeof(prior_rates[0]) <= PROFILE_PRIOR_MAX,
	       "struct profile_prior has no room for the prior");

const struct profile *profile_prior(struct profile_prior *buf)
{
	struct profile *p = &buf->p;
	*p = (struct profile){ .arch = profile_arch(), .v = buf->v, .cap = PROFILE_PRIOR_MAX };
	for (size_t i = 0; i < sizeof(prior_rates) / sizeof(prior_rates[0]); i++) {
		const struct syscall_desc *s = by_kernel_name(p->arch, prior_rates[i].name);
		if (s)
			buf->v[p->n++] = (struct profile_entry){ s, prior_rates[i].count };
	}
	return p;
}
