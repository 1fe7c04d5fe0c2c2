/* Benchmark policies: built in memory, written as a sysfence policy or as
 * the rule list that the direct libseccomp program (scmp_direct.c) reads,
 * and evaluated directly to know what every filter must answer. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

void policy_init(struct bench_policy *p, unsigned arches)
{
	memset(p, 0, sizeof(*p));
	p->arches = arches;
}

void policy_free(struct bench_policy *p)
{
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

struct bench_rule *policy_add(struct bench_policy *p, const char *name)
{
	if (p->nrules == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->rules = realloc(p->rules, p->cap * sizeof(*p->rules));
		if (!p->rules) {
			perror("bench");
			exit(1);
		}
	}
	struct bench_rule *r = &p->rules[p->nrules++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

void rule_cmp(struct bench_rule *r, unsigned arg, uint64_t mask, uint64_t value)
{
	if (r->ncmp < BENCH_MAX_CMPS)
		r->cmp[r->ncmp++] = (struct bench_cmp){ arg, mask, value, 0 };
}

void rule_cmp_ne(struct bench_rule *r, unsigned arg, uint64_t value)
{
	if (r->ncmp < BENCH_MAX_CMPS)
		r->cmp[r->ncmp++] = (struct bench_cmp){ arg, UINT64_MAX, value, 1 };
}

static const char *const arch_names[] = { "x86_64", "x86", "aarch64" };

/* Written to a temporary name and renamed, so a reader never sees half. */
static FILE *open_atomic(const char *path, char *tmp, size_t len)
{
	snprintf(tmp, len, "%s.tmp", path);
	return fopen(tmp, "w");
}

static int close_atomic(FILE *f, const char *tmp, const char *path)
{
	int bad = ferror(f);
	if (fclose(f) || bad || rename(tmp, path)) {
		remove(tmp);
		return -1;
	}
	return 0;
}

int policy_write_sysfence(const struct bench_policy *p, const char *path)
{
	char tmp[512];
	FILE *f = open_atomic(path, tmp, sizeof(tmp));
	if (!f)
		return -1;
	fprintf(f, "policy bench {\n  default errno(EPERM);\n  arch");
	const char *sep = " ";
	for (unsigned a = 0; a < 3; a++)
		if (p->arches & (1u << a)) {
			fprintf(f, "%s%s", sep, arch_names[a]);
			sep = ", ";
		}
	fprintf(f, ";\n");
	for (size_t i = 0; i < p->nrules; i++) {
		const struct bench_rule *r = &p->rules[i];
		if (r->err)
			fprintf(f, "  errno(%d) %s", r->err, r->name);
		else
			fprintf(f, "  allow %s", r->name);
		for (unsigned c = 0; c < r->ncmp; c++) {
			const struct bench_cmp *m = &r->cmp[c];
			fprintf(f, c ? " && " : " if ");
			const char *op = m->ne ? "!=" : "==";
			if (m->mask == UINT64_MAX)
				fprintf(f, "arg%u %s %#" PRIx64, m->arg, op, m->value);
			else
				fprintf(f, "(arg%u & %#" PRIx64 ") %s %#" PRIx64,
					m->arg, m->mask, op, m->value);
		}
		fprintf(f, ";\n");
	}
	fprintf(f, "}\n");
	return close_atomic(f, tmp, path);
}

/* The rule list: "arches BITS", then "NAME ERR NCMP (ARG NE MASK VALUE)*"
 * (ERR 0: allow; NE 1: !=). */
int policy_write_rules(const struct bench_policy *p, const char *path)
{
	char tmp[512];
	FILE *f = open_atomic(path, tmp, sizeof(tmp));
	if (!f)
		return -1;
	fprintf(f, "arches %u\n", p->arches);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct bench_rule *r = &p->rules[i];
		fprintf(f, "%s %d %u", r->name, r->err, r->ncmp);
		for (unsigned c = 0; c < r->ncmp; c++)
			fprintf(f, " %u %d %" PRIu64 " %" PRIu64, r->cmp[c].arg, r->cmp[c].ne,
				r->cmp[c].mask, r->cmp[c].value);
		fprintf(f, "\n");
	}
	return close_atomic(f, tmp, path);
}

int policy_read_rules(struct bench_policy *p, const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned arches, ncmp;
	int err;
	char name[32];
	if (!f || fscanf(f, "arches %u", &arches) != 1) {
		if (f)
			fclose(f);
		return -1;
	}
	policy_init(p, arches);
	while (fscanf(f, "%31s %d %u", name, &err, &ncmp) == 3) {
		struct bench_rule *r = policy_add(p, name);
		r->err = err;
		for (unsigned c = 0; c < ncmp; c++) {
			struct bench_cmp m;
			if (fscanf(f, "%u %d %" SCNu64 " %" SCNu64, &m.arg, &m.ne, &m.mask,
				   &m.value) != 4)
				break;
			if (m.ne)
				rule_cmp_ne(r, m.arg, m.value);
			else
				rule_cmp(r, m.arg, m.mask, m.value);
		}
	}
	fclose(f);
	return 0;
}

int policy_allows(const struct bench_policy *p, const char *name, const uint64_t args[6])
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct bench_rule *r = &p->rules[i];
		unsigned c = 0;
		if (strcmp(r->name, name))
			continue;
		while (c < r->ncmp &&
		       ((args[r->cmp[c].arg] & r->cmp[c].mask) == r->cmp[c].value) != r->cmp[c].ne)
			c++;
		if (c == r->ncmp)
			return !r->err;
	}
	return 0;
}
