/* A small seeded random generator the tests share (splitmix64), so that
 * a failing run can be repeated from its seed. */
#ifndef SYSFENCE_TEST_RNG_H
#define SYSFENCE_TEST_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s;
};

static inline uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number below N (0 when N is 0). */
static inline uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

#endif
