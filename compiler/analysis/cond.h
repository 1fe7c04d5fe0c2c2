/* Conditions after evaluation, and the algebra the analysis and the
 * lowering share.
 *
 * An evaluated condition (struct ncond) is a boolean tree whose leaves are
 * atoms: one comparison of one argument with numbers already computed for
 * one arch. Two normal forms are derived from it:
 *
 *  - struct dnf: an OR of conjunctions of atoms (negations pushed into the
 *    atoms). The lowering reads atoms from it, to use libseccomp's own
 *    comparisons where they say exactly what the atom says.
 *  - struct argset: for one argument, the exact set of values a conjunction
 *    allows, as a union of "x & mask == value" terms. Every comparison can
 *    be written so (ranges by prefix decomposition, != one term per bit), so
 *    argsets decide overlap exactly, yield witnesses, and are the fallback
 *    lowering for what libseccomp cannot compare directly. */
#ifndef SYSFENCE_COND_H
#define SYSFENCE_COND_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "frontend/ast.h"

struct atom {
	int arg;               /* 0..5 */
	unsigned width;        /* 1..64: the low bits of the argument the kernel
	                        * reads (12 for openat's mode, 32 for an int) */
	int masked;
	uint64_t mask;         /* all ones at WIDTH when not masked */
	enum relop op;
	uint64_t value;        /* relational ops */
	uint64_t *set;         /* OP_IN / OP_NOT_IN */
	size_t nset;
	struct loc loc;
	const char *name;      /* the argument as the policy wrote it (fd, dirfd, arg0) */
};

enum ncond_kind { N_TRUE, N_FALSE, N_AND, N_OR, N_NOT, N_ATOM };

struct ncond {
	enum ncond_kind kind;
	struct ncond *lhs, *rhs;
	struct atom atom;
};

struct conj {
	struct atom *atoms;
	size_t n;
};

struct dnf {
	struct conj *c;
	size_t n;               /* 0: the condition can never hold */
};

/* Builds the DNF of C (NULL means "always"). Returns 0, or -1 when it would
 * have more than LIMIT conjunctions. */
int dnf_build(struct arena *a, const struct ncond *c, size_t limit, struct dnf *out);

struct term {
	uint64_t mask, value;   /* x & mask == value; value has no bits outside mask */
};

struct argset {
	struct term *t;
	size_t n;               /* 0: empty set */
};

/* The set of values of one argument that ATOM accepts. */
struct argset argset_of_atom(struct arena *a, const struct atom *atom);
/* The set every atom on ARG of CONJ accepts (all values when none). */
struct argset argset_of_conj(struct arena *a, const struct conj *c, int arg);
struct argset argset_intersect(struct arena *a, struct argset x, struct argset y);
/* The same set as S in as few terms as pairwise merging finds (two terms
 * that differ in one bit of their value become one), without terms that
 * another one covers: what a union of many small sets needs. */
struct argset argset_simplify(struct arena *a, struct argset s);
int argset_is_all(struct argset s);
/* Does VALUE belong to S? */
int argset_contains(struct argset s, uint64_t value);
/* One value in both X and Y; returns 0 when they are disjoint. */
int argset_witness(struct argset x, struct argset y, uint64_t *value);

/* Evaluates an atom / a condition on concrete arguments, reading only the
 * low WIDTH bits of each: the reference semantics. */
int atom_eval(const struct atom *at, const uint64_t args[6]);
int ncond_eval(const struct ncond *c, const uint64_t args[6]);

/* Structural equality, for merging identical duplicate rules, and a hash
 * that equal conditions share. */
int ncond_equal(const struct ncond *x, const struct ncond *y);
uint64_t ncond_hash(const struct ncond *c);

/* The one argument every conjunction of D compares, its width in *WIDTH;
 * -1 when D compares none or several, at different widths, or has a
 * conjunction that always holds. */
int dnf_sole_arg(const struct dnf *d, unsigned *width);

static inline uint64_t width_mask(unsigned width)
{
	return width >= 64 ? ~0ull : (1ull << width) - 1;
}

#endif
