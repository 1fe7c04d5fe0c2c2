/* Reading an strace log (see trace.h for the forms it accepts). */
#include <ctype.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/policy.h"
#include "tools/trace.h"

#define BUCKETS 65536u

/* A call that began on one line and waits for its `resumed` line. */
struct pending {
	long pid;
	char *text;           /* NAME(args so far */
	struct loc at;        /* where NAME is */
	int open;
};

/* Maps offsets in a call's text back to the log: a joined call is two
 * pieces of two lines. */
struct span {
	struct loc a;         /* offset 0 */
	size_t split;         /* from here on, offsets count from B */
	struct loc b;
};

struct reader {
	struct trace *t;
	struct diag *d;
	const struct source *src;
	int failed;
};

static struct loc span_loc(const struct span *sp, size_t off)
{
	struct loc l = off < sp->split ? sp->a : sp->b;
	l.col += (int)(off < sp->split ? off : off - sp->split);
	return l;
}

static int is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* ---- syscalls ---- */

static const struct syscall_desc *desc_by_kname(int arch, const char *name)
{
	for (size_t i = 0; i < syscall_count(); i++) {
		const struct syscall_desc *d = syscall_at(i);
		if (d->kname[arch] && strcmp(d->kname[arch], name) == 0)
			return d;
	}
	return NULL;
}

/* The entry for NAME, made on first sight; NULL when the tables do not
 * know it on the trace's arch. strace prints kernel names, and
 * syscall_NNN for numbers it cannot name. */
struct trace_sys *trace_sys_get(struct trace *t, const char *name, struct loc at)
{
	for (size_t i = 0; i < t->syscalls.n; i++) {
		struct trace_sys *s = t->syscalls.v[i];
		if (strcmp(s->name, name) == 0)
			return s;
	}
	/* The entry named as strace names it (pread64, not pread) when there
	 * is one. */
	const struct syscall_desc *d = syscall_find(name);
	if (!d || !d->kname[t->arch] || strcmp(d->kname[t->arch], name) != 0)
		d = desc_by_kname(t->arch, name);
	int nr = d ? d->nr[t->arch] : -1;
	if (!d && strncmp(name, "syscall_", 8) == 0 && isdigit((unsigned char)name[8])) {
		char *end;
		long n = strtol(name + 8, &end, 0);
		if (!*end && n >= 0 && n < 0x7fffffff) {
			nr = (int)(n | (long)arch_table[t->arch].nr_bias);
			d = syscall_by_nr(t->arch, nr);
		}
	}
	if (nr < 0)
		return NULL;
	struct trace_sys *s = arena_alloc(t->arena, sizeof(*s));
	s->desc = d;
	s->nr = nr;
	s->expect = SECCOMP_RET_ALLOW;
	s->name = arena_strdup(t->arena, name);
	s->first = at;
	ptrvec_push(t->arena, &t->syscalls, s);
	return s;
}

static void add_errno(struct trace *t, struct trace_sys *s, const char *e, size_t n)
{
	for (size_t i = 0; i < s->nerrnos; i++)
		if (strlen(s->errnos[i]) == n && strncmp(s->errnos[i], e, n) == 0)
			return;
	if (s->nerrnos < TRACE_ERRNO_MAX)
		s->errnos[s->nerrnos++] = arena_strndup(t->arena, e, n);
}

static uint64_t vec_hash(const struct trace_sys *s, const struct trace_vec *v)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)(uintptr_t)s ^ v->known;
	for (int i = 0; i < 6; i++)
		h = (h ^ v->args[i]) * 0x100000001b3ull;
	h = (h ^ v->struct_flags ^ (uint64_t)v->has_struct_flags) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

void trace_add_vec(struct trace *t, struct trace_sys *s, const struct trace_vec *like, size_t count)
{
	struct trace_vec key = *like;
	for (int i = 0; i < 6; i++)
		if (!(key.known & (1u << i)))
			key.args[i] = 0;   /* unknown values do not tell calls apart */
	struct trace_vec **b = &t->buckets[vec_hash(s, &key) % BUCKETS];
	for (struct trace_vec *v = *b; v; v = v->next)
		if (v->sys == s && v->known == key.known && memcmp(v->args, key.args, sizeof(v->args)) == 0 &&
		    v->has_struct_flags == key.has_struct_flags && v->struct_flags == key.struct_flags) {
			v->count += count;
			return;
		}
	struct trace_vec *v = arena_alloc(t->arena, sizeof(*v));
	*v = key;
	v->count = count;
	v->sys = s;
	v->next = *b;
	*b = v;
	ptrvec_push(t->arena, &s->vecs, v);
}

/* Counts one call of S with the arguments of V. */
static void record(struct trace *t, struct trace_sys *s, const struct trace_vec *v)
{
	t->calls++;
	s->count++;
	trace_add_vec(t, s, v, 1);
}

/* ---- argument values ---- */

/* One term of a value: a number (with strace -y's <path> after it), NULL,
 * or a constant of the tables; strace's "A or B" for ambiguous ioctl
 * names takes the first one the tables know. */
static int eval_term(const char *s, size_t n, size_t *i, int arch, uint64_t *out)
{
	size_t p = *i;
	int neg = p < n && s[p] == '-';
	if (neg)
		p++;
	if (p < n && isdigit((unsigned char)s[p])) {
		char *end;
		uint64_t v = strtoull(s + p, &end, 0);
		if ((size_t)(end - s) > n)
			return -1;
		p = (size_t)(end - s);
		if (p < n && s[p] == '<') {   /* -y: 3</etc/passwd> */
			const char *gt = memchr(s + p, '>', n - p);
			if (!gt)
				return -1;
			p = (size_t)(gt - s) + 1;
		}
		*out = neg ? (uint64_t)0 - v : v;
		*i = p;
		return 0;
	}
	if (neg)
		return -1;
	for (;;) {
		size_t q = p;
		while (q < n && is_ident(s[q]))
			q++;
		if (q == p || q - p >= 64)
			return -1;
		char name[64];
		memcpy(name, s + p, q - p);
		name[q - p] = '\0';
		const struct constant_desc *c = constant_find(name);
		if (strcmp(name, "NULL") == 0 || (c && (c->present & (1u << arch)))) {
			*out = c ? (uint64_t)c->value[arch] : 0;
			while (q + 4 <= n && strncmp(s + q, " or ", 4) == 0) {   /* skip the rest */
				q += 4;
				while (q < n && is_ident(s[q]))
					q++;
			}
			if (q < n && s[q] == '<') {   /* -y: AT_FDCWD</tmp> */
				const char *gt = memchr(s + q, '>', n - q);
				if (!gt)
					return -1;
				q = (size_t)(gt - s) + 1;
			}
			*i = q;
			return 0;
		}
		if (q + 4 > n || strncmp(s + q, " or ", 4) != 0)
			return -1;
		p = q + 4;
	}
}

/* A whole value: terms or'ed together. */
static int eval_value(const char *s, size_t n, int arch, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	for (;;) {
		uint64_t term;
		if (eval_term(s, n, &i, arch, &term))
			return -1;
		v |= term;
		if (i == n)
			break;
		if (s[i] != '|')
			return -1;
		i++;
	}
	*out = v;
	return 0;
}

static const char *trim(const char *s, size_t *n)
{
	while (*n && isspace((unsigned char)*s))
		s++, (*n)--;
	while (*n && isspace((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

/* clone3's first argument, {flags=VALUE, ...}: keeps VALUE in V. */
static void read_struct_flags(struct trace *t, const char *s, size_t n, struct trace_vec *v)
{
	static const char key[] = "{flags=";
	size_t k = sizeof(key) - 1;
	if (n <= k || strncmp(s, key, k) != 0)
		return;
	size_t e = k;
	while (e < n && s[e] != ',' && s[e] != '}')
		e++;
	v->has_struct_flags = eval_value(s + k, e - k, t->arch, &v->struct_flags) == 0;
}

/* Reads argument number POS (text S, N bytes) of a call of SYS into V.
 * strace writes some arguments as NAME=VALUE (clone's flags=...): those go
 * where the signature puts NAME. */
static void read_arg(struct trace *t, struct trace_sys *sys, const char *s, size_t n, int pos,
		     struct trace_vec *v)
{
	s = trim(s, &n);
	if (n >= 4 && strncmp(s + n - 2, "*/", 2) == 0) {   /* 0x80000 / * O_CLOEXEC * / */
		for (size_t k = n - 2; k-- > 0;)
			if (s[k] == '/' && s[k + 1] == '*') {
				n = k;
				break;
			}
		s = trim(s, &n);
	}
	size_t k = 0;
	while (k < n && is_ident(s[k]))
		k++;
	if (k && k + 1 < n && s[k] == '=' && s[k + 1] != '=') {
		char key[64];
		if (k >= sizeof(key))
			return;
		memcpy(key, s, k);
		key[k] = '\0';
		pos = sys->desc ? syscall_arg_index(sys->desc, key) : -1;
		s += k + 1;
		n -= k + 1;
	}
	if (pos == 0 && strcmp(sys->name, "clone3") == 0)
		read_struct_flags(t, s, n, v);
	if (pos < 0 || pos > 5 || (sys->desc && sys->desc->has_signature && pos >= sys->desc->nparams))
		return;
	if (eval_value(s, n, t->arch, &v->args[pos]) == 0) {
		v->known |= 1u << pos;
	} else if (!sys->unread[pos]) {
		sys->unread[pos] = arena_strndup(t->arena, s, n > 40 ? 40 : n);
	}
}

/* The end of the argument that starts at I: a ',' or ')' outside strings,
 * brackets and comments, or LEN. */
static size_t arg_end(const char *s, size_t len, size_t i)
{
	int depth = 0;
	for (; i < len; i++) {
		char c = s[i];
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			const char *e = strstr(s + i + 2, "*/");
			i = e && (size_t)(e - s) < len ? (size_t)(e - s) + 1 : len;
		} else if (c == '<' && i > 0 && is_ident(s[i - 1])) {
			const char *gt = memchr(s + i, '>', len - i);   /* -y: 3</a,b>, AT_FDCWD</> */
			i = gt ? (size_t)(gt - s) : len;
		} else if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if (c == ')' || c == ']' || c == '}') {
			if (depth == 0 && c == ')')
				return i;
			if (depth)
				depth--;
		} else if (c == ',' && depth == 0) {
			return i;
		}
	}
	return len;
}

/* ---- calls ---- */

static void bad(struct reader *r, struct loc at, const char *what)
{
	diag_error(r->d, at, "%s", what);
	r->failed = 1;
}

/* Reads one call: NAME(ARGS) = RESULT. PARTIAL: the log ends (or the
 * process exits) before the call returns, so there may be no ')' and no
 * result: the program made the call all the same. */
static void parse_call(struct reader *r, const char *text, size_t len, const struct span *sp,
		       int partial)
{
	struct trace *t = r->t;
	size_t i = 0;
	while (i < len && is_ident(text[i]))
		i++;
	if (i == 0 || i >= len || text[i] != '(' || i >= 64) {
		bad(r, span_loc(sp, 0), "expected a syscall: NAME(ARGUMENTS) = RESULT");
		return;
	}
	char name[64];
	memcpy(name, text, i);
	name[i] = '\0';
	struct trace_sys *sys = trace_sys_get(t, name, span_loc(sp, 0));
	if (!sys) {
		diag_error(r->d, span_loc(sp, 0), "'%s' is not a syscall on %s", name,
			   arch_table[t->arch].name);
		r->failed = 1;
		return;
	}
	struct trace_vec v = { 0 };
	size_t pos = i + 1;
	int closed = 0;
	for (int argi = 0;; argi++) {
		size_t end = arg_end(text, len, pos);
		if (end > pos || end >= len || text[end] != ')' || argi > 0)
			read_arg(t, sys, text + pos, end - pos, argi, &v);
		if (end >= len)
			break;
		pos = end + 1;
		if (text[end] == ')') {
			closed = 1;
			break;
		}
	}
	size_t p = pos;
	while (p < len && isspace((unsigned char)text[p]))
		p++;
	if (!partial && (!closed || p >= len || text[p] != '=')) {
		bad(r, span_loc(sp, closed ? p : i),
		    closed ? "expected '= RESULT' after the arguments" : "the argument list is not closed");
		return;
	}
	record(t, sys, &v);
	if (p < len && text[p] == '=') {
		for (p++; p < len && text[p] == ' '; p++)
			;
		if (len - p > 3 && strncmp(text + p, "-1 ", 3) == 0) {
			size_t e = p + 3;
			while (e < len && is_ident(text[e]))
				e++;
			sys->failed++;
			add_errno(t, sys, text + p + 3, e - p - 3);
		}
	}
}

static struct pending *pending_of(struct trace *t, long pid)
{
	for (size_t i = 0; i < t->pending.n; i++) {
		struct pending *pd = t->pending.v[i];
		if (pd->pid == pid && pd->open)
			return pd;
	}
	return NULL;
}

static void flush_pending(struct reader *r, long pid)
{
	for (size_t i = 0; i < r->t->pending.n; i++) {
		struct pending *pd = r->t->pending.v[i];
		if (!pd->open || (pid != -2 && pd->pid != pid))
			continue;
		struct span sp = { pd->at, (size_t)-1, pd->at };
		pd->open = 0;
		parse_call(r, pd->text, strlen(pd->text), &sp, 1);
	}
}

static const char *unfinished_mark(const char *s, size_t *n)
{
	static const char mark[] = "<unfinished ...>";
	size_t m = sizeof(mark) - 1;
	s = trim(s, n);
	if (*n >= m && strncmp(s + *n - m, mark, m) == 0) {
		*n -= m;
		trim(s, n);
		return s;
	}
	return NULL;
}

static void start_pending(struct reader *r, long pid, const char *text, size_t n, struct loc at)
{
	flush_pending(r, pid);
	struct pending *pd = arena_alloc(r->t->arena, sizeof(*pd));
	pd->pid = pid;
	pd->text = arena_strndup(r->t->arena, text, n);
	pd->at = at;
	pd->open = 1;
	ptrvec_push(r->t->arena, &r->t->pending, pd);
}

/* "<... NAME resumed>REST": the rest of a call an earlier line began. */
static void resumed(struct reader *r, long pid, const char *s, size_t n, struct loc at)
{
	size_t i = 5;   /* past "<... " */
	while (i < n && is_ident(s[i]))
		i++;
	static const char word[] = " resumed>";
	if (i == 5 || n - i < sizeof(word) - 1 || strncmp(s + i, word, sizeof(word) - 1) != 0) {
		bad(r, at, "expected '<... NAME resumed>'");
		return;
	}
	const char *name = s + 5;
	size_t nlen = i - 5, rest = i + sizeof(word) - 1;
	struct pending *pd = pending_of(r->t, pid);
	if (!pd) {   /* the log begins after the call did: count it, arguments unknown */
		char *text = arena_printf(r->t->arena, "%.*s() = ?", (int)nlen, name);
		struct span sp = { at, (size_t)-1, at };
		sp.a.col += 5;
		parse_call(r, text, strlen(text), &sp, 1);
		return;
	}
	if (strncmp(pd->text, name, nlen) != 0 || pd->text[nlen] != '(') {
		struct loc nl = at;
		nl.col += 5;
		diag_error(r->d, nl, "'%.*s' resumes, but process %ld's unfinished call is another one",
			   (int)nlen, name, pid);
		diag_note(r->d, pd->at, "the unfinished call");
		r->failed = 1;
		pd->open = 0;
		return;
	}
	pd->open = 0;
	size_t more = n - rest;
	const char *tail = unfinished_mark(s + rest, &more);
	char *text = arena_printf(r->t->arena, "%s%.*s", pd->text, (int)(tail ? more : n - rest),
				  tail ? tail : s + rest);
	struct loc b = at;
	b.col += (int)rest;
	if (tail) {   /* interrupted again */
		start_pending(r, pid, text, strlen(text), pd->at);
		return;
	}
	struct span sp = { pd->at, strlen(pd->text), b };
	parse_call(r, text, strlen(text), &sp, 0);
}

/* Skips what strace puts before a call: "[pid N] " or a pid (-f), and
 * timestamps (-t, -tt, -ttt, -r). Sets *PID (-1: none). */
static const char *skip_prefix(const char *p, const char *end, long *pid)
{
	*pid = -1;
	if (end - p > 4 && strncmp(p, "[pid", 4) == 0) {
		char *e;
		*pid = strtol(p + 4, &e, 10);
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (close)
			p = close + 1;
	}
	for (int first = 1;; first = 0) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *q = p;
		int digits = 1;
		while (q < end && (isdigit((unsigned char)*q) || *q == ':' || *q == '.'))
			digits &= isdigit((unsigned char)*q++) != 0;
		if (q == p || q == end || (*q != ' ' && *q != '\t'))
			return p;
		if (digits && first && *pid < 0)
			*pid = strtol(p, NULL, 10);
		p = q;
	}
}

/* LAST: the log's last line, without a newline: strace may have been
 * stopped while writing it, so a call cut short still counts. */
static void parse_line(struct reader *r, const char *line, size_t n, int lineno, int last)
{
	long pid;
	const char *s = skip_prefix(line, line + n, &pid);
	size_t len = (size_t)(line + n - s);
	s = trim(s, &len);
	struct loc at = { r->src, lineno, (int)(s - line) + 1 };
	if (len == 0)
		return;
	if (strncmp(s, "+++ ", 4) == 0 || strncmp(s, "--- ", 4) == 0 || strncmp(s, "strace: ", 8) == 0) {
		r->t->skipped++;
		if (s[0] == '+')
			flush_pending(r, pid);   /* it exited inside a call */
		return;
	}
	if (strncmp(s, "[ Process PID=", 14) == 0) {
		bad(r, at, "a process changed its personality (another arch); generate reads logs of one arch");
		return;
	}
	if (strncmp(s, "<... ", 5) == 0) {
		resumed(r, pid, s, len, at);
		return;
	}
	size_t m = len;
	const char *u = unfinished_mark(s, &m);
	if (u) {
		start_pending(r, pid, u, m, at);
		return;
	}
	struct span sp = { at, (size_t)-1, at };
	parse_call(r, s, len, &sp, last);
}

int trace_read(struct trace *t, struct arena *a, struct diag *d, const struct source *src, int arch)
{
	memset(t, 0, sizeof(*t));
	t->arch = arch;
	t->arena = a;
	t->buckets = arena_alloc(a, BUCKETS * sizeof(*t->buckets));
	struct reader r = { t, d, src, 0 };
	const char *p = src->text, *end = src->text + src->len;
	for (int lineno = 1; p < end; lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		parse_line(&r, p, n, lineno, nl == NULL);
		p = nl ? nl + 1 : end;
	}
	flush_pending(&r, -2);   /* calls the log ends inside */
	return r.failed ? -1 : 0;
}
