/*
 * rng — the one deterministic random number generator (xoshiro256**, seeded
 * through splitmix64). Every random choice in ftlab (initialisation, epoch
 * shuffles, synthetic data, k-means++) draws from a struct rng seeded from the
 * run's seed, so a seed reproduces a run bit for bit on any machine.
 */
#ifndef FTLAB_RNG_H
#define FTLAB_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
    uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
/* An independent stream: the same seed with a different stream id. */
void rng_seed_stream(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_u64(struct rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double rng_uniform(struct rng *r);
/* Uniform integer in [0, n), unbiased; n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Standard normal (Box-Muller, no cached second value: stateless apart from s). */
double rng_normal(struct rng *r);
/* Fisher-Yates shuffle of an index array. */
void rng_shuffle_u32(struct rng *r, uint32_t *a, size_t n);

#endif
