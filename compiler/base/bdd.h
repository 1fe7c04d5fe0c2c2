/* A small reduced ordered binary decision diagram (ROBDD) package, for
 * deciding questions about seccomp filters exactly (validate.c).
 *
 * All state lives in a struct bdd_ctx: a node table with a unique hash
 * (so equal functions are equal numbers) and a lossy computed cache for
 * ITE. Nodes are never freed before the context is; instead the context
 * has a node budget. When an operation would exceed it, the context
 * becomes "failed": from then on every operation returns BDD_FALSE and
 * bdd_failed() says so, so callers check once at the end instead of
 * after every step.
 *
 * Variable 0 is the top of the order. The bit-vector helpers take vectors
 * least significant bit first (v[0] is bit 0). */
#ifndef SYSFENCE_BDD_H
#define SYSFENCE_BDD_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t bdd_t;

#define BDD_FALSE ((bdd_t)0)
#define BDD_TRUE ((bdd_t)1)

struct bdd_ctx;

/* A context for NVARS variables (at most 65535) that may hold up to
 * BUDGET nodes (0: a default of 4 million, about 200 MB at most). Aborts when out of memory. */
struct bdd_ctx *bdd_new(unsigned nvars, size_t budget);
void bdd_free(struct bdd_ctx *b);
/* Non-zero once an operation ran out of budget. */
int bdd_failed(const struct bdd_ctx *b);
/* Nodes in use (terminals included). */
size_t bdd_nodes(const struct bdd_ctx *b);
unsigned bdd_nvars(const struct bdd_ctx *b);

/* The function "variable V" and its negation. */
bdd_t bdd_var(struct bdd_ctx *b, unsigned v);
bdd_t bdd_nvar(struct bdd_ctx *b, unsigned v);
/* The node (V ? HI : LO) for LO and HI whose variables all lie below V
 * in the order (checked; a violation aborts): for bottom-up builds. */
bdd_t bdd_mk(struct bdd_ctx *b, unsigned v, bdd_t lo, bdd_t hi);
/* The top variable of F; bdd_nvars() for a terminal. */
unsigned bdd_top(const struct bdd_ctx *b, bdd_t f);

bdd_t bdd_ite(struct bdd_ctx *b, bdd_t f, bdd_t g, bdd_t h);
bdd_t bdd_not(struct bdd_ctx *b, bdd_t f);
bdd_t bdd_and(struct bdd_ctx *b, bdd_t f, bdd_t g);
bdd_t bdd_or(struct bdd_ctx *b, bdd_t f, bdd_t g);
/* The union of W[0..N) (FALSE for none); W is overwritten. */
bdd_t bdd_or_all(struct bdd_ctx *b, bdd_t *w, size_t n);
bdd_t bdd_xor(struct bdd_ctx *b, bdd_t f, bdd_t g);

/* One assignment that satisfies F, written to ASSIGN[0..nvars) as 0/1:
 * the all-zero-most one along the path (variables F does not test are
 * 0). Returns 0, or -1 when F is BDD_FALSE. */
int bdd_satone(const struct bdd_ctx *b, bdd_t f, unsigned char *assign);

/* F under ASSIGN[0..nvars) (0/1 per variable): 0 or 1. */
int bdd_eval(const struct bdd_ctx *b, bdd_t f, const unsigned char *assign);

/* The variables any of F[0..N) depends on: VARS[v] is set to 1 for each
 * (VARS has nvars entries; the others are left as they are). */
void bdd_support(const struct bdd_ctx *b, const bdd_t *f, size_t n, unsigned char *vars);

/* ---- bit vectors (v[0] is the least significant bit) ---- */

/* V == K, V < K (V <= K when INCLUSIVE), V > K (V >= K), over N bits. */
bdd_t bdd_vec_eq_const(struct bdd_ctx *b, const bdd_t *v, unsigned n, uint64_t k);
bdd_t bdd_vec_lt_const(struct bdd_ctx *b, const bdd_t *v, unsigned n, uint64_t k,
		       int inclusive);
bdd_t bdd_vec_gt_const(struct bdd_ctx *b, const bdd_t *v, unsigned n, uint64_t k,
		       int inclusive);
/* The same between two vectors. */
bdd_t bdd_vec_eq(struct bdd_ctx *b, const bdd_t *v, const bdd_t *w, unsigned n);
bdd_t bdd_vec_gt(struct bdd_ctx *b, const bdd_t *v, const bdd_t *w, unsigned n,
		 int inclusive);
/* OUT = V + W (+ CARRY_IN) modulo 2^N. OUT may alias V or W. */
void bdd_vec_add(struct bdd_ctx *b, const bdd_t *v, const bdd_t *w, bdd_t carry_in,
		 unsigned n, bdd_t *out);

#endif
