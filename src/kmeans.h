/*
 * kmeans — KMeans as scikit-learn 1.2.1 does it (SPEC.md §7): k-means++
 * seeding with 2 + floor(ln k) greedy local trials, Lloyd iterations with the
 * distances as |c|^2 - 2 x.c in chunks of rows, empty clusters moved to the
 * farthest points, n_init restarts from one seeded struct rng, the lowest
 * inertia wins. float64 throughout. Rows whose label Hamerly's bounds prove
 * cannot change are not recomputed (with room for rounding), which gives the
 * labels of computing every distance exactly (opts.exhaustive).
 *
 * The same seed gives the same result bit for bit, whatever the number of
 * threads: restarts run side by side, one thread each while there are more
 * restarts than threads, each from the rng state it would have in a serial
 * loop, and the winner is picked as the serial loop picks it; threads left
 * over split a restart's chunks of rows, whose sums are added in chunk order.
 * Labels are not sklearn's (its RNG is numpy's MT19937); the quality is
 * (SPEC.md §7.4, test_kmeans). Each call starts its own worker threads
 * (opts.threads) and uses no BLAS; calls from several threads at once are
 * safe.
 */
#ifndef FTLAB_KMEANS_H
#define FTLAB_KMEANS_H

#include <stddef.h>
#include <stdint.h>

struct kmeans_opts {
    int k;              /* clusters, 1 <= k <= n */
    int n_init;         /* restarts; sklearn 1.2.1 default 10 (>= 1.4: 1) */
    int max_iter;       /* Lloyd iterations per restart (300) */
    double tol;         /* relative tolerance (1e-4), see tol_abs below */
    uint64_t seed;      /* seeds the one rng stream all restarts draw from */
    int threads;        /* worker threads; 0 = one per online CPU (like sklearn's OpenMP) */
    const double *init; /* [k x d] starting centres in X's coordinates, or NULL for k-means++;
                           given, one run is made whatever n_init (sklearn does the same) */
    int exhaustive;     /* compute every distance every iteration, as sklearn's Lloyd does; the
                           default (0) skips those Hamerly's bounds prove cannot change a label,
                           and gives the same result bit for bit, faster (for tests) */
};

/* k given, everything else sklearn's default (n_init 10, max_iter 300, tol 1e-4),
 * seed 0, all cores, k-means++. */
void kmeans_opts_default(struct kmeans_opts *o, int k);

struct kmeans_result {
    int32_t *labels; /* [n] cluster of each sample, 0..k-1 */
    double *centers; /* [k x d] row-major, in the input's coordinates */
    double inertia;  /* sum of squared distances to the assigned centre */
    int n_iter;      /* Lloyd iterations of the winning restart */
    int n_distinct;  /* clusters holding at least one sample (< k with duplicate points) */
    double tol_abs;  /* tol * mean_j var(X[:, j]): a run stops once sum_j |c_j new - old|^2
                        <= tol_abs, or when no label changes */
};

/*
 * Clusters X [n x d] (row-major float64) into o->k clusters. On success fills
 * r (its arrays are allocated here; free with kmeans_result_free) and returns
 * 0. Returns -1 with a message in err (FTL_ERRLEN bytes) and r zeroed when
 * k < 1, k > n, d < 1, n_init < 1, max_iter < 1, tol < 0, or X holds a NaN
 * or an infinity. Fewer distinct points than k is not an error: some clusters
 * stay empty (n_distinct < k), as sklearn warns.
 */
int kmeans_fit(const double *X, size_t n, int d, const struct kmeans_opts *o,
               struct kmeans_result *r, char *err);
void kmeans_result_free(struct kmeans_result *r);

/* Width of the distance kernel fits use here: 128, 256 or 512 bits (the CPU's widest, capped by
 * FTLAB_KMEANS_VECTOR_BITS). Every width gives the same bits; this is for tests. */
int kmeans_vector_bits(void);

#endif
