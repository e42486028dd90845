/*
 * sgemm_rate — what OpenBLAS sgemm reaches on the GRU's products, for
 * bench/run, which divides ftlab's training GFLOP/s by it.
 *
 *   sgemm_rate [--threads T] [--split] [--hidden H] [--batch B] [--rows P] [--seconds S]
 *   sgemm_rate --corename
 *
 * The three products of one GRU layer (SPEC.md §4.2, §4.4), with the
 * leading dimensions src/gru.c uses (gates are 4H wide):
 *   forward   Gh = h W_hh^T        B x 3H x H    (NoTrans, Trans)
 *   backward  dh += dGh W_hh       B x H x 3H    (NoTrans, NoTrans, lda 4H)
 *   weights   dW_hh += dGh^T Hprev 3H x H x P    (Trans, NoTrans, lda 4H)
 * Each moves the same 6 H^2 FLOP per packed row, so a training step spends
 * equal FLOP in each: the "mix" rate is total FLOP / total time with each
 * product timed for the same FLOP, the rate a perfect GRU implementation
 * would train at. Each product is repeated for about S seconds (default
 * 0.3) after one warm-up call. Prints one line per product and a summary
 * line "sgemm_rate threads=T core=NAME mix_gflops=..." (parsed by bench/run).
 *
 * --split: the products as ftlab runs them (src/blas.h, gru.h): OpenBLAS on
 * one thread, and T threads of our own each running its share at once -- B/T
 * rows of the forward and backward products, P/T packed rows of the weights'.
 * That is the rate ftlab's training can reach, so bench/run divides by it:
 * OpenBLAS's own threading (without --split) is another arrangement, with
 * another rate.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "util.h"

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads(int);
#endif
#ifdef HAVE_OPENBLAS_GET_CORENAME
char *openblas_get_corename(void);
#endif

static const char *corename(void)
{
#ifdef HAVE_OPENBLAS_GET_CORENAME
    return openblas_get_corename();
#else
    return "?";
#endif
}

struct product {
    const char *name;
    enum CBLAS_TRANSPOSE ta, tb;
    int M, N, K, lda, ldb;
};

static float *filled(size_t n)
{
    float *p = xmallocarray(n, sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return p;
}

/* Seconds per call, timed over about `seconds`. */
static double time_product(const struct product *p, double seconds)
{
    size_t rows_a = p->ta == CblasNoTrans ? (size_t)p->M : (size_t)p->K;
    size_t rows_b = p->tb == CblasNoTrans ? (size_t)p->K : (size_t)p->N;
    float *A = filled(rows_a * (size_t)p->lda), *Bm = filled(rows_b * (size_t)p->ldb);
    float *C = filled((size_t)p->M * (size_t)p->N);
    cblas_sgemm(CblasRowMajor, p->ta, p->tb, p->M, p->N, p->K, 1, A, p->lda, Bm, p->ldb, 1, C,
                p->N);
    long calls = 0;
    double t0 = ftl_now(), t;
    do {
        for (int i = 0; i < 10; i++)
            cblas_sgemm(CblasRowMajor, p->ta, p->tb, p->M, p->N, p->K, 1, A, p->lda, Bm, p->ldb, 1,
                        C, p->N);
        calls += 10;
        t = ftl_now() - t0;
    } while (t < seconds);
    free(A);
    free(Bm);
    free(C);
    return t / (double)calls;
}

/* One thread's share of a --split run: its own buffers, `calls` products. */
struct share {
    struct product p;
    long calls;
};

static void *run_share(void *arg)
{
    const struct share *sh = arg;
    const struct product *p = &sh->p;
    size_t rows_a = p->ta == CblasNoTrans ? (size_t)p->M : (size_t)p->K;
    size_t rows_b = p->tb == CblasNoTrans ? (size_t)p->K : (size_t)p->N;
    float *A = filled(rows_a * (size_t)p->lda), *Bm = filled(rows_b * (size_t)p->ldb);
    float *C = filled((size_t)p->M * (size_t)p->N);
    for (long i = 0; i < sh->calls; i++)
        cblas_sgemm(CblasRowMajor, p->ta, p->tb, p->M, p->N, p->K, 1, A, p->lda, Bm, p->ldb, 1, C,
                    p->N);
    free(A);
    free(Bm);
    free(C);
    return NULL;
}

/* FLOP/s of T threads each running its share of p at once (--split): the shares' rows (M) or,
 * for the weights' product, their packed rows (K). */
static double split_rate(const struct product *p, int T, double seconds)
{
    struct product q = *p;
    if (p->ta == CblasTrans)
        q.K = p->K / T > 0 ? p->K / T : 1;
    else
        q.M = p->M / T > 0 ? p->M / T : 1;
    double one = time_product(&q, seconds / 4); /* calibrates: about `seconds` in all */
    struct share sh = {q, (long)(seconds / one) + 10};
    pthread_t tid[64];
    if (T > 64) T = 64;
    double t0 = ftl_now();
    for (int t = 1; t < T; t++)
        pthread_create(&tid[t], NULL, run_share, &sh);
    run_share(&sh);
    for (int t = 1; t < T; t++)
        pthread_join(tid[t], NULL);
    double wall = ftl_now() - t0;
    return 2.0 * q.M * q.N * q.K * (double)sh.calls * T / wall;
}

int main(int argc, char **argv)
{
    int threads = 0, split = 0, H = 128, B = 256, P = 10240;
    double seconds = 0.3;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--corename")) {
            printf("%s\n", corename());
            return 0;
        } else if (!strcmp(argv[a], "--threads") && a + 1 < argc) {
            threads = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--split")) {
            split = 1;
        } else if (!strcmp(argv[a], "--hidden") && a + 1 < argc) {
            H = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--batch") && a + 1 < argc) {
            B = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--rows") && a + 1 < argc) {
            P = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--seconds") && a + 1 < argc) {
            seconds = atof(argv[++a]);
        } else {
            fprintf(stderr, "usage: sgemm_rate [--threads T] [--split] [--hidden H] [--batch B] "
                            "[--rows P] [--seconds S] | --corename\n");
            return 1;
        }
    }
    if (H < 1 || B < 1 || P < 1 || seconds <= 0) {
        fprintf(stderr, "sgemm_rate: sizes and seconds must be positive\n");
        return 1;
    }
    if (split && threads < 1) threads = 1;
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    if (split)
        openblas_set_num_threads(1);
    else if (threads > 0)
        openblas_set_num_threads(threads);
#endif
    const struct product prods[] = {
        {"forward", CblasNoTrans, CblasTrans, B, 3 * H, H, H, H},
        {"backward", CblasNoTrans, CblasNoTrans, B, H, 3 * H, 4 * H, H},
        {"weights", CblasTrans, CblasNoTrans, 3 * H, H, P, 4 * H, H},
    };
    double total_flop = 0, total_s = 0;
    for (size_t i = 0; i < sizeof prods / sizeof *prods; i++) {
        const struct product *p = &prods[i];
        double flop = 2.0 * p->M * p->N * p->K;
        double s = split ? flop / split_rate(p, threads, seconds) : time_product(p, seconds);
        printf("%-9s %5d x %5d x %5d  %8.1f GFLOP/s\n", p->name, p->M, p->N, p->K, flop / s * 1e-9);
        /* Equal FLOP per product: weight each by the time 1 GFLOP of it takes. */
        total_flop += 1e9;
        total_s += 1e9 / (flop / s);
    }
    printf("sgemm_rate threads=%d split=%d core=%s mix_gflops=%.1f\n", threads, split, corename(),
           total_flop / total_s * 1e-9);
    return 0;
}
