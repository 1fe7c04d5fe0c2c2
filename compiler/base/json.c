/* JSON reader (RFC 8259) with source locations, and a string writer.
 *
 * Recursive descent over the whole text; nesting is limited so that a
 * hostile profile cannot exhaust the stack. The first error stops the
 * parse: later errors in a broken document are rarely meaningful. */
#include "base/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

struct reader {
	struct arena *a;
	struct diag *d;
	const struct source *src;
	const char *p, *end;
	const char *line_start;
	int line;
	int failed;
};

static struct loc here(const struct reader *r)
{
	return (struct loc){ r->src, r->line, (int)(r->p - r->line_start) + 1 };
}

static void fail(struct reader *r, struct loc at, const char *what)
{
	if (!r->failed)
		diag_error(r->d, at, "%s", what);
	r->failed = 1;
}

static void skip_space(struct reader *r)
{
	while (r->p < r->end) {
		char c = *r->p;
		if (c == '\n') {
			r->line++;
			r->line_start = r->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		r->p++;
	}
}

static struct json *value(struct reader *r, int depth);

static void put_utf8(char *out, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xc0 | cp >> 6);
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xe0 | cp >> 12);
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (char)(0xf0 | cp >> 18);
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static int hex4(const char *p, unsigned *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0)
			return -1;
		*out = *out << 4 | (unsigned)v;
	}
	return 0;
}

/* A string literal at r->p (the opening quote); its decoded value. */
static const char *string_lit(struct reader *r)
{
	r->p++;
	char *out = arena_alloc(r->a, (size_t)(r->end - r->p) + 1);
	size_t n = 0;
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = (unsigned char)*r->p;
		if (c < 0x20) {
			fail(r, here(r), "control character in a string (end of line before the closing '\"'?)");
			return NULL;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			r->p++;
			continue;
		}
		struct loc esc = here(r);
		if (r->end - r->p < 2) {
			fail(r, esc, "unterminated string");
			return NULL;
		}
		char e = r->p[1];
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *k = e ? strchr(from, e) : NULL;
		if (k) {
			out[n++] = to[k - from];
			r->p += 2;
			continue;
		}
		unsigned cp;
		if (e != 'u' || r->end - r->p < 6 || hex4(r->p + 2, &cp)) {
			fail(r, esc, "invalid escape in a string");
			return NULL;
		}
		r->p += 6;
		if (cp >= 0xd800 && cp < 0xdc00 && r->end - r->p >= 6 && r->p[0] == '\\' &&
		    r->p[1] == 'u') {
			unsigned lo;
			if (hex4(r->p + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				r->p += 6;
			}
		}
		if (cp == 0) {
			fail(r, esc, "\\u0000 in a string is not supported");
			return NULL;
		}
		put_utf8(out, &n, cp);
	}
	if (r->p >= r->end) {
		fail(r, here(r), "unterminated string");
		return NULL;
	}
	r->p++;
	out[n] = '\0';
	return out;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static struct json *number(struct reader *r, struct json *v)
{
	const char *s = r->p;
	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p >= r->end || !is_digit(*r->p))
		goto bad;
	if (*r->p == '0' && r->p + 1 < r->end && is_digit(r->p[1]))
		goto bad;
	while (r->p < r->end && is_digit(*r->p))
		r->p++;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		if (r->p >= r->end || !is_digit(*r->p))
			goto bad;
		while (r->p < r->end && is_digit(*r->p))
			r->p++;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (r->p >= r->end || !is_digit(*r->p))
			goto bad;
		while (r->p < r->end && is_digit(*r->p))
			r->p++;
	}
	v->kind = JSON_NUMBER;
	v->text = arena_strndup(r->a, s, (size_t)(r->p - s));
	return v;
bad:
	fail(r, v->loc, "invalid number");
	return NULL;
}

static int literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return 0;
	r->p += n;
	return 1;
}

/* Elements or members up to CLOSE; KEYS says which. */
static struct json *container(struct reader *r, struct json *v, int depth, int keys)
{
	char close = keys ? '}' : ']';
	size_t cap = 0;
	v->kind = keys ? JSON_OBJECT : JSON_ARRAY;
	r->p++;
	skip_space(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return v;
	}
	for (;;) {
		skip_space(r);
		size_t kcap = cap;
		if (keys) {
			if (r->p >= r->end || *r->p != '"') {
				fail(r, here(r), "expected a member name in double quotes");
				return NULL;
			}
			v->key_locs = arena_grow(r->a, v->key_locs, v->n, &kcap, sizeof(*v->key_locs));
			v->key_locs[v->n] = here(r);
			kcap = cap;
			v->keys = arena_grow(r->a, v->keys, v->n, &kcap, sizeof(*v->keys));
			if (!(v->keys[v->n] = string_lit(r)))
				return NULL;
			skip_space(r);
			if (r->p >= r->end || *r->p != ':') {
				fail(r, here(r), "expected ':' after the member name");
				return NULL;
			}
			r->p++;
		}
		v->items = arena_grow(r->a, v->items, v->n, &cap, sizeof(*v->items));
		if (!(v->items[v->n] = value(r, depth + 1)))
			return NULL;
		v->n++;
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return v;
		}
		fail(r, here(r), keys ? "expected ',' or '}' after an object member"
				      : "expected ',' or ']' after an array element");
		return NULL;
	}
}

static struct json *value(struct reader *r, int depth)
{
	skip_space(r);
	struct json *v = arena_alloc(r->a, sizeof(*v));
	v->loc = here(r);
	if (depth > JSON_MAX_DEPTH) {
		fail(r, v->loc, "nested more than 64 levels deep");
		return NULL;
	}
	if (r->p >= r->end) {
		fail(r, v->loc, "unexpected end of file: expected a value");
		return NULL;
	}
	switch (*r->p) {
	case '{': return container(r, v, depth, 1);
	case '[': return container(r, v, depth, 0);
	case '"':
		v->kind = JSON_STRING;
		return (v->text = string_lit(r)) ? v : NULL;
	default:
		break;
	}
	if (literal(r, "true") || literal(r, "false")) {
		v->kind = JSON_BOOL;
		v->boolean = r->p[-1] == 'e' && r->p[-2] == 'u';
		return v;
	}
	if (literal(r, "null"))
		return v;
	if (*r->p == '-' || is_digit(*r->p))
		return number(r, v);
	fail(r, v->loc, "expected a value (object, array, string, number, true, false or null)");
	return NULL;
}

struct json *json_parse(struct arena *a, struct diag *d, const struct source *src)
{
	struct reader r = { a, d, src, src->text, src->text + src->len, src->text, 1, 0 };
	struct json *root = value(&r, 0);
	if (!root)
		return NULL;
	skip_space(&r);
	if (r.p < r.end) {
		fail(&r, here(&r), "unexpected text after the JSON document");
		return NULL;
	}
	return root;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->kind != JSON_OBJECT)
		return NULL;
	/* The last of duplicate members wins, as in most JSON readers. */
	for (size_t i = obj->n; i-- > 0;)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i]->kind == JSON_NULL ? NULL : obj->items[i];
	return NULL;
}

struct loc json_key_loc(const struct json *obj, const char *key)
{
	for (size_t i = obj && obj->kind == JSON_OBJECT ? obj->n : 0; i-- > 0;)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->key_locs[i];
	return obj ? obj->loc : (struct loc){ 0 };
}

int json_u64(const struct json *v, uint64_t *out)
{
	if (!v || v->kind != JSON_NUMBER || v->text[0] == '-' || strpbrk(v->text, ".eE"))
		return -1;
	uint64_t x = 0;
	for (const char *p = v->text; *p; p++) {
		unsigned dgt = (unsigned)(*p - '0');
		if (x > (UINT64_MAX - dgt) / 10)
			return -1;
		x = x * 10 + dgt;
	}
	*out = x;
	return 0;
}

void json_write_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}
