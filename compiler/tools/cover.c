/* Which standard-library rulesets a trace covers, for `sysfence generate`.
 *
 * The rulesets are the compiler's own: each stdlib file goes through the
 * front end and expansion, and a set of rulesets is judged by the
 * conflict analysis and the reference evaluator, exactly as the generated
 * policy will be compiled. */
#include <dirent.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/generate.h"

/* The arches the stdlib is written for: its rulesets expand cleanly for
 * these together (a name one of them lacks is skipped there). */
#define STDLIB_ARCHES ((1u << ARCH_X86_64) | (1u << ARCH_X86) | (1u << ARCH_AARCH64))

static int by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The stdlib/ directory an import would find first. */
static const char *stdlib_dir(struct arena *a)
{
	for (const char *const *d = stdlib_dirs(); *d; d++) {
		char *p = arena_printf(a, "%s/stdlib", *d);
		DIR *dir = opendir(p);
		if (dir) {
			closedir(dir);
			return p;
		}
	}
	return NULL;
}

static void add_ruleset(struct arena *a, struct unit *u, struct ruleset *rs, int arch,
			struct ptrvec *cands)
{
	struct policy_build pb;
	int errors = u->diag->errors;
	if (policy_expand(u, rs, STDLIB_ARCHES | (1u << arch), &pb) || u->diag->errors != errors)
		return;   /* not usable here */
	struct gen_ruleset *g = arena_alloc(a, sizeof(*g));
	g->file = u->root->stem;
	g->name = rs->name;
	g->rs = rs;
	g->rules = pb.per_arch[arch].rules;
	/* Count the distinct syscalls it allows. */
	for (size_t i = 0; i < g->rules.n; i++) {
		const struct rule *r = g->rules.v[i];
		int dup = r->action != SECCOMP_RET_ALLOW;
		for (size_t j = 0; j < i && !dup; j++) {
			const struct rule *q = g->rules.v[j];
			dup = q->nr == r->nr && q->action == SECCOMP_RET_ALLOW;
		}
		g->allowed += !dup;
	}
	ptrvec_push(a, cands, g);
}

int cover_load(struct arena *a, struct diag *d, int arch, struct ptrvec *cands)
{
	const char *dir = stdlib_dir(a);
	DIR *dh = dir ? opendir(dir) : NULL;
	if (!dh) {
		diag_error(d, (struct loc){ 0 }, "cannot find the standard library (stdlib/) in %s",
			   stdlib_dirs()[0]);
		return -1;
	}
	struct ptrvec names = { 0 };
	for (struct dirent *e; (e = readdir(dh));) {
		size_t n = strlen(e->d_name);
		if (n > 7 && strcmp(e->d_name + n - 7, ".policy") == 0)
			ptrvec_push(a, &names, arena_strdup(a, e->d_name));
	}
	closedir(dh);
	qsort(names.v, names.n, sizeof(*names.v), by_name);
	/* Each file is its own unit; their messages go nowhere: a ruleset
	 * that does not expand for this arch is simply not a candidate. */
	static const struct unit_options none;
	FILE *null = fopen("/dev/null", "w");
	struct diag *quiet = arena_alloc(a, sizeof(*quiet));
	diag_init(quiet, null);
	int rc = 0;
	for (size_t i = 0; i < names.n && null; i++) {
		struct unit *u = arena_alloc(a, sizeof(*u));
		u->arena = a;
		u->diag = quiet;
		u->opts = &none;
		if (unit_load(u, arena_printf(a, "%s/%s", dir, (char *)names.v[i]))) {
			rc = -1;
			continue;
		}
		unit_resolve(u);
		if (diag_failed(quiet)) {
			rc = -1;
			continue;
		}
		for (size_t j = 0; j < u->root->rulesets.n; j++) {
			struct ruleset *rs = u->root->rulesets.v[j];
			if (!rs->is_policy)
				add_ruleset(a, u, rs, arch, cands);
		}
	}
	diag_fini(quiet);
	if (null)
		fclose(null);
	if (rc || !null)
		diag_error(d, (struct loc){ 0 }, "the standard library in %s does not load; run `sysfence check` on it",
			   dir);
	return rc;
}

int cover_decides(const struct gen_ruleset *r, const struct trace_sys *s)
{
	for (size_t i = 0; i < r->rules.n; i++)
		if (((const struct rule *)r->rules.v[i])->nr == s->nr)
			return 1;
	return 0;
}

/* ---- judging a set of rulesets ---- */

struct judge {
	struct arena *a;
	const struct trace *t;
	struct unit quiet;          /* analysis messages go nowhere */
	struct diag diag;
};

/* The registers a condition reads. */
static unsigned cond_args(const struct ncond *c)
{
	if (!c)
		return 0;
	if (c->kind == N_ATOM)
		return 1u << c->atom.arg;
	return cond_args(c->lhs) | cond_args(c->rhs);
}

/* SET's rules (copies: the analysis marks them) analysed together as one
 * policy. NULL when they conflict. */
static struct policy_build *combine(struct judge *j, struct gen_ruleset *const *set, size_t n)
{
	struct policy_build *pb = arena_alloc(j->a, sizeof(*pb));
	int arch = j->t->arch;
	pb->policy = set[0]->rs;
	pb->default_action = SECCOMP_RET_ERRNO | 1;   /* EPERM, as the generated policy */
	pb->arch_mask = 1u << arch;
	pb->per_arch[arch].arch = arch;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < set[i]->rules.n; k++) {
			struct rule *r = arena_alloc(j->a, sizeof(*r));
			*r = *(struct rule *)set[i]->rules.v[k];
			r->dropped = 0;
			memset(&r->dnf, 0, sizeof(r->dnf));
			ptrvec_push(j->a, &pb->per_arch[arch].rules, r);
		}
	int errors = j->diag.errors;
	return policy_analyse(&j->quiet, pb) == 0 && j->diag.errors == errors ? pb : NULL;
}

int cover_answers(const struct policy_build *pb, int arch, const struct trace_sys *s, int *own)
{
	const struct ptrvec *rules = &pb->per_arch[arch].rules;
	unsigned reads = 0;
	int decides = 0, mine = 0;
	for (size_t i = 0; i < rules->n; i++) {
		const struct rule *r = rules->v[i];
		if (r->nr == s->nr && !r->dropped) {
			decides = 1;
			mine |= r->chain == NULL;
			reads |= cond_args(r->cond);
		}
	}
	if (own)
		*own = mine;
	if (!decides)
		return 0;
	uint32_t audit = arch_table[arch].audit_arch;
	for (size_t i = 0; i < s->vecs.n; i++) {
		const struct trace_vec *v = s->vecs.v[i];
		if ((reads & ~v->known) || policy_eval(pb, audit, (uint32_t)s->nr, v->args) != s->expect)
			return -1;
	}
	return 1;
}

static int judge_sys(const struct judge *j, const struct policy_build *pb, const struct trace_sys *s)
{
	return cover_answers(pb, j->t->arch, s, NULL);
}

/* How many syscalls of the trace PB fully allows; *BROKEN: how many it
 * decides without allowing every call. */
static size_t judge_set(const struct judge *j, const struct policy_build *pb, size_t *broken)
{
	size_t full = 0;
	*broken = 0;
	for (size_t i = 0; i < j->t->syscalls.n; i++) {
		int st = judge_sys(j, pb, j->t->syscalls.v[i]);
		full += st == 1;
		*broken += st < 0;
	}
	return full;
}

/* Is every rule of R already in the set PB (the same rule reached twice,
 * as memory.no_exec through base.basic)? */
static int subsumed(const struct judge *j, const struct policy_build *pb, const struct gen_ruleset *r)
{
	const struct ptrvec *have = &pb->per_arch[j->t->arch].rules;
	for (size_t i = 0; i < r->rules.n; i++) {
		const struct rule *x = r->rules.v[i];
		int found = 0;
		for (size_t k = 0; k < have->n && !found; k++) {
			const struct rule *y = have->v[k];
			found = y->nr == x->nr && y->action == x->action && ncond_equal(y->cond, x->cond);
		}
		if (!found)
			return 0;
	}
	return 1;
}

static void count_seen(const struct trace *t, struct gen_ruleset *g)
{
	g->seen = 0;
	for (size_t i = 0; i < t->syscalls.n; i++) {
		const struct trace_sys *s = t->syscalls.v[i];
		for (size_t k = 0; k < g->rules.n; k++) {
			const struct rule *r = g->rules.v[k];
			if (r->nr == s->nr && r->action == SECCOMP_RET_ALLOW) {
				g->seen++;
				break;
			}
		}
	}
}

/* Drops chosen rulesets, newest first, until no syscall is decided
 * without being allowed for every call. */
static void repair(struct judge *j, struct ptrvec *chosen)
{
	while (chosen->n) {
		struct policy_build *pb = combine(j, (struct gen_ruleset **)chosen->v, chosen->n);
		const struct trace_sys *bad = NULL;
		for (size_t i = 0; pb && i < j->t->syscalls.n && !bad; i++)
			if (judge_sys(j, pb, j->t->syscalls.v[i]) < 0)
				bad = j->t->syscalls.v[i];
		if (pb && !bad)
			return;
		size_t drop = chosen->n - 1;
		while (bad && drop > 0 && !cover_decides(chosen->v[drop], bad))
			drop--;
		memmove(&chosen->v[drop], &chosen->v[drop + 1], (chosen->n - drop - 1) * sizeof(void *));
		chosen->n--;
	}
}

void cover_choose(struct arena *a, const struct trace *t, struct ptrvec *cands, int min_cover,
		  struct ptrvec *chosen)
{
	struct judge j = { .a = a, .t = t };
	FILE *null = fopen("/dev/null", "w");
	if (!null || !cands->n)
		return;
	diag_init(&j.diag, null);
	static const struct unit_options none;
	j.quiet = (struct unit){ .arena = a, .diag = &j.diag, .opts = &none };
	char *rejected = arena_alloc(a, cands->n);
	struct gen_ruleset **set = arena_alloc(a, (cands->n + 1) * sizeof(*set));
	size_t nset = 0, full = 0;
	struct policy_build *cur = NULL;
	for (size_t i = 0; i < cands->n; i++) {
		struct gen_ruleset *g = cands->v[i];
		count_seen(t, g);
		rejected[i] = g->seen == 0 || g->seen * 100 < (size_t)min_cover * g->allowed;
	}
	for (;;) {
		size_t best = cands->n, best_full = full;
		for (size_t i = 0; i < cands->n; i++) {
			if (rejected[i])
				continue;
			if (cur && subsumed(&j, cur, cands->v[i])) {
				rejected[i] = 1;
				continue;
			}
			set[nset] = cands->v[i];
			struct policy_build *pb = combine(&j, set, nset + 1);
			size_t broken, f = pb ? judge_set(&j, pb, &broken) : 0;
			if (!pb)
				rejected[i] = 1;
			else if (f > best_full)
				best = i, best_full = f;
		}
		if (best == cands->n)
			break;
		set[nset++] = cands->v[best];
		rejected[best] = 1;
		cur = combine(&j, set, nset);
		full = best_full;
	}
	for (size_t i = 0; i < nset; i++)
		ptrvec_push(a, chosen, set[i]);
	repair(&j, chosen);
	diag_fini(&j.diag);
	fclose(null);
}
