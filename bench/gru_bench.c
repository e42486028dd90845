/*
 * gru_bench — one GRU layer alone, forward + backward, on batches shaped
 * like MNIST strokes, for profiling the layer without the trainer around it.
 *
 *   gru_bench [--threads S] [--hidden H] [--batch B] [--steps N] [--row-input D]
 *
 * Lengths follow the training set's (13..117, mean 40): a fixed
 * pseudo-random draw, sorted longest first and packed as struct batch
 * does. Input x is packed (D = 4), or with --row-input D one row of D
 * values per sequence fed at every step (the autoencoder's decoder).
 * Prints "gru_bench ... seq_per_s=... gflops=..." with the FLOP count of
 * SPEC.md §4.4 (6 H (H + D) per packed row forward, twice that backward).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gru.h"
#include "rng.h"
#include "util.h"

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads(int);
#endif

/* A length drawn like the training set's: mostly 25..55, a long tail to 117. */
static int draw_length(struct rng *r)
{
    double s = 0;
    for (int i = 0; i < 4; i++)
        s += rng_uniform(r);
    int len = (int)(40 + (s - 2) * 17);
    if (rng_uniform(r) < 0.02) len = 60 + (int)(rng_uniform(r) * 57);
    return len < 13 ? 13 : len > 117 ? 117 : len;
}

static int cmp_desc(const void *a, const void *b)
{
    return *(const int *)b - *(const int *)a;
}

int main(int argc, char **argv)
{
    ftl_flush_subnormals(); /* as ftlab's main() */
    int threads = 1, H = 128, B = 256, steps = 20, row_input = 0, D = 4;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--threads") && a + 1 < argc)
            threads = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--hidden") && a + 1 < argc)
            H = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--batch") && a + 1 < argc)
            B = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--steps") && a + 1 < argc)
            steps = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--row-input") && a + 1 < argc)
            row_input = 1, D = atoi(argv[++a]);
        else {
            fprintf(stderr, "usage: gru_bench [--threads S] [--hidden H] [--batch B] "
                            "[--steps N] [--row-input D]\n");
            return 1;
        }
    }
    if (threads < 1 || H < 1 || B < 1 || steps < 1 || D < 1) {
        fprintf(stderr, "gru_bench: every number must be positive\n");
        return 1;
    }
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    openblas_set_num_threads(1);
#endif
    struct rng r;
    rng_seed(&r, 7);
    int *len = xmallocarray((size_t)B, sizeof *len), T;
    for (int b = 0; b < B; b++)
        len[b] = draw_length(&r);
    qsort(len, (size_t)B, sizeof *len, cmp_desc);
    T = len[0];
    int *nrun = xmallocarray((size_t)T, sizeof *nrun);
    size_t *off = xmallocarray((size_t)T + 1, sizeof *off);
    off[0] = 0;
    for (int t = 0; t < T; t++) {
        nrun[t] = 0;
        while (nrun[t] < B && len[nrun[t]] > t)
            nrun[t]++;
        off[t + 1] = off[t] + (size_t)nrun[t];
    }
    const size_t P = off[T], np = (size_t)3 * H * (D + H + 2);
    real *w = xmallocarray(np, sizeof *w), *dw = xcalloc(np, sizeof *dw);
    for (size_t i = 0; i < np; i++)
        w[i] = (real)((rng_uniform(&r) * 2 - 1) / 11.3);
    struct gru g = {D,
                    H,
                    w,
                    w + (size_t)3 * H * D,
                    w + (size_t)3 * H * (D + H),
                    w + (size_t)3 * H * (D + H + 1)};
    struct gru dg = {D,
                     H,
                     dw,
                     dw + (size_t)3 * H * D,
                     dw + (size_t)3 * H * (D + H),
                     dw + (size_t)3 * H * (D + H + 1)};
    size_t in_rows = row_input ? (size_t)B : P;
    real *in = xmallocarray(in_rows * D, sizeof *in), *h = xmallocarray(P * H, sizeof *h);
    real *dh = xmallocarray(P * H, sizeof *dh);
    for (size_t i = 0; i < in_rows * D; i++)
        in[i] = (real)(rng_below(&r, 5) - 2.0);
    struct gru_cache c;
    gru_cache_init(&c, D, H, B, P);
    c.threads = threads;

    double fwd = 0, bwd = 0, cpu0 = 0;
    for (int s = -2; s < steps; s++) { /* two warm-up calls */
        if (s == 0) cpu0 = (double)clock() / CLOCKS_PER_SEC;
        double t0 = ftl_now();
        gru_forward(&g, &c, row_input ? NULL : in, row_input ? in : NULL, NULL, nrun, off, T, B, h);
        double t1 = ftl_now();
        for (size_t i = 0; i < P * H; i++)
            dh[i] = h[i] * (real)0.01;
        double t2 = ftl_now();
        gru_backward(&g, &dg, &c, row_input ? NULL : in, row_input ? in : NULL, nrun, off, T, B, dh,
                     NULL, NULL, NULL);
        double t3 = ftl_now();
        if (s >= 0) {
            fwd += t1 - t0;
            bwd += t3 - t2;
        }
    }
    double cpu = (double)clock() / CLOCKS_PER_SEC - cpu0;
    double flop = 3.0 * 6 * H * (H + (row_input ? 0 : D)) * (double)P * steps;
    printf("gru_bench threads=%d H=%d B=%d P=%zu vector_bits=%d forward_ms=%.3f "
           "backward_ms=%.3f cpu_ms=%.3f seq_per_s=%.0f gflops=%.1f\n",
           threads, H, B, P, gru_vector_bits(), 1e3 * fwd / steps, 1e3 * bwd / steps,
           1e3 * cpu / steps, (double)B * steps / (fwd + bwd), flop / (fwd + bwd) * 1e-9);
    gru_cache_free(&c);
    free(len);
    free(nrun);
    free(off);
    free(w);
    free(dw);
    free(in);
    free(h);
    free(dh);
    return 0;
}
