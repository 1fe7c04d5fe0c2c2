/* The exact engine of `sysfence diff` when a side is a .bpf: both sides
 * become BDDs over the bits of seccomp_data (analysis/validate.h), a
 * program by symbolic execution (once), a source by its rules. For one
 * (arch, syscall), each side's inputs split into classes, one per
 * action (program) or deciding rule (source); every non-empty meet of an
 * OLD class and a NEW class gets one vector. Those vectors show every
 * behaviour of both sides, so a disagreement anywhere shows on one of
 * them: this is a decision, not a search. diff.c evaluates the vectors
 * again (bpf_run, policy_eval_rule) and falls back to the search where
 * the engine gives up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/validate.h"
#include "base/mem.h"
#include "tools/diff.h"

struct diff_exact {
	struct validate_space *vs;
	const struct diff_side *side[2];
	struct bpf_sym_sem sem[2];   /* each side's whole semantics (a source's
	                              * only once the numbers are swept) */
	int swept;                   /* DIFFER is built */
	bdd_t differ;                /* the inputs on which the sides differ */
	int dead;                    /* gave up: every syscall falls back */
	char why[160];
};

struct diff_exact *diff_exact_new(const struct diff_side *old, const struct diff_side *new)
{
	if (!old->is_bpf && !new->is_bpf)
		return NULL;
	struct diff_exact *dx = mem_calloc(1, sizeof(*dx));
	dx->vs = validate_space_new(NULL);
	dx->side[0] = old;
	dx->side[1] = new;
	for (int s = 0; s < 2 && !dx->dead; s++) {
		const struct diff_side *d = dx->side[s];
		char msg[128];
		if (d->is_bpf && validate_space_program(dx->vs, d->insns, d->len, &dx->sem[s], msg, sizeof(msg))) {
			snprintf(dx->why, sizeof(dx->why), "%s: %s", d->file, msg);
			dx->dead = 1;
		}
	}
	return dx;
}

void diff_exact_free(struct diff_exact *dx)
{
	if (!dx)
		return;
	for (int s = 0; s < 2; s++)
		bpf_sym_sem_free(&dx->sem[s]);
	validate_space_free(dx->vs);
	free(dx);
}

const char *diff_exact_why(const struct diff_exact *dx)
{
	return dx && dx->why[0] ? dx->why : NULL;
}

/* Gives up on one syscall (FATAL: on all that follow too). */
static void give_up(struct diff_exact *dx, const char *why, int fatal)
{
	if (!dx->why[0])
		snprintf(dx->why, sizeof(dx->why), "%s", why);
	dx->dead |= fatal;
}

void diff_exact_distrust(struct diff_exact *dx, const char *why)
{
	give_up(dx, why, 1);
}

static int side_classes(struct diff_exact *dx, int s, int arch, uint32_t nr, struct validate_classes *out)
{
	const struct diff_side *d = dx->side[s];
	uint32_t audit = arch_table[arch].audit_arch;
	char msg[128];
	int rc = d->is_bpf ? validate_classes_program(dx->vs, &dx->sem[s], audit, nr, out, msg, sizeof(msg))
			   : validate_classes_policy(dx->vs, &d->c.pb, audit, nr, out, msg, sizeof(msg));
	if (rc)
		give_up(dx, msg, 1);
	return rc;
}

static void vector_add(struct diff_vectors *out, const struct seccomp_data *d, const struct validate_class *o,
		       const struct validate_class *n)
{
	if (out->n == out->cap) {
		out->cap = out->cap ? 2 * out->cap : 16;
		out->v = mem_realloc(out->v, out->cap, sizeof(*out->v));
	}
	struct diff_vector *v = &out->v[out->n++];
	memcpy(v->args, d->args, sizeof(v->args));
	v->action[0] = o->action;
	v->action[1] = n->action;
	v->rule[0] = o->rule;
	v->rule[1] = n->rule;
}

/* One vector per non-empty meet of an OLD class and a NEW class. */
static int meets(struct diff_exact *dx, const struct validate_classes c[2], struct diff_vectors *out)
{
	struct bdd_ctx *b = validate_space_bdd(dx->vs);
	for (size_t i = 0; i < c[0].n; i++)
		for (size_t j = 0; j < c[1].n; j++) {
			struct seccomp_data d;
			int rc = validate_pick(dx->vs, bdd_and(b, c[0].v[i].when, c[1].v[j].when), &d);
			if (rc < 0) {
				give_up(dx, "out of BDD budget", 1);
				return -1;
			}
			if (rc == 0)
				continue;
			/* The report names syscalls and arguments only. */
			if (d.instruction_pointer) {
				give_up(dx, "a filter decides on the instruction pointer", 0);
				return -1;
			}
			vector_add(out, &d, &c[0].v[i], &c[1].v[j]);
		}
	return 0;
}

int diff_exact_vectors(struct diff_exact *dx, int arch, uint32_t nr, struct diff_vectors *out)
{
	struct validate_classes c[2] = { { 0 }, { 0 } };
	int rc = -1;
	if (!dx->dead && side_classes(dx, 0, arch, nr, &c[0]) == 0 && side_classes(dx, 1, arch, nr, &c[1]) == 0 &&
	    meets(dx, c, out) == 0) {
		uint32_t audit = arch_table[arch].audit_arch;
		out->compared |= validate_args_read(dx->vs, audit, &c[0]) | validate_args_read(dx->vs, audit, &c[1]);
		rc = 0;
	}
	validate_classes_free(&c[0]);
	validate_classes_free(&c[1]);
	return rc;
}

/* The whole semantics of both sides (the sources' too) and where they
 * differ, built once. */
static int build_differ(struct diff_exact *dx)
{
	for (int s = 0; s < 2 && !dx->swept; s++) {
		const struct diff_side *d = dx->side[s];
		char msg[128];
		if (!d->is_bpf && validate_space_policy(dx->vs, &d->c.pb, &dx->sem[s], msg, sizeof(msg))) {
			give_up(dx, msg, 1);
			return -1;
		}
	}
	if (!dx->swept)
		dx->differ = validate_differ(dx->vs, &dx->sem[0], &dx->sem[1]);
	dx->swept = 1;
	return 0;
}

int diff_exact_other_nr(struct diff_exact *dx, int arch, const uint32_t *listed, size_t n, uint32_t *nr)
{
	char msg[128];
	if (dx->dead || build_differ(dx))
		return -1;
	int rc = validate_other_nr(dx->vs, dx->differ, arch, listed, n, nr, msg, sizeof(msg));
	if (rc < 0)
		give_up(dx, msg, 1);
	return rc;
}
