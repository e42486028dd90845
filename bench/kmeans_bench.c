/*
 * kmeans_bench — times kmeans_fit on one dataset, for bench/kmeans_bench.py,
 * which runs scikit-learn's KMeans on the same data in the same run.
 *
 *   kmeans_bench [--raw FILE N D | --formula N D] [--k K] [--n-init R]
 *                [--repeat T] [--threads P] [--seed S]
 *
 * --raw reads N*D little-endian float64 (numpy's X.tofile()); --formula makes
 * SPEC.md §7.4's dataset with D columns. Prints one line per repeat and a
 * summary line "best_s=... median_s=... inertia=... n_iter=..." (parsed by the
 * script). Exit status 0, or 1 with a message on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "kmeans.h"
#include "util.h"

/* SPEC.md §7.4: u(i,j) = ((i*7919 + j*104729 + (i*j mod 97)) mod 10007)/10007 - 0.5,
 * X[i][j] = 3*[j mod 10 == i mod 10] + u(i,j). */
static void formula_data(double *X, size_t n, int d)
{
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < d; j++) {
            int64_t a = (int64_t)i, b = j;
            double u = (double)((a * 7919 + b * 104729 + (a * b % 97)) % 10007) / 10007 - 0.5;
            X[i * (size_t)d + (size_t)j] = 3.0 * (b % 10 == a % 10) + u;
        }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int usage(void)
{
    fprintf(stderr, "usage: kmeans_bench [--raw FILE N D | --formula N D] [--k K] [--n-init R] "
                    "[--repeat T] [--threads P] [--seed S]\n");
    return 1;
}

int main(int argc, char **argv)
{
    /* OpenBLAS's workers, started with the library, would spin beside the fit: KMeans calls no
     * BLAS, but ftlab pins OpenBLAS to one thread before any work, and so does the bench. */
    blas_single();
    const char *raw = NULL;
    size_t n = 10000;
    int d = 32, repeat = 5;
    struct kmeans_opts o;
    kmeans_opts_default(&o, 10);
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--raw") && a + 3 < argc) {
            raw = argv[++a];
            n = strtoull(argv[++a], NULL, 10);
            d = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--formula") && a + 2 < argc) {
            n = strtoull(argv[++a], NULL, 10);
            d = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--k") && a + 1 < argc) {
            o.k = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--n-init") && a + 1 < argc) {
            o.n_init = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--repeat") && a + 1 < argc) {
            repeat = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--threads") && a + 1 < argc) {
            o.threads = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
            o.seed = strtoull(argv[++a], NULL, 10);
        } else {
            return usage();
        }
    }
    if (n == 0 || d < 1 || repeat < 1) return usage();

    char err[FTL_ERRLEN];
    double *X = xmallocarray(n, (size_t)d * sizeof *X);
    if (raw) {
        char *buf;
        size_t len;
        if (ftl_read_file(raw, &buf, &len, err) < 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        if (len != n * (size_t)d * sizeof(double)) {
            fprintf(stderr, "%s: %zu bytes, expected %zu x %d float64\n", raw, len, n, d);
            return 1;
        }
        memcpy(X, buf, len);
        free(buf);
    } else {
        formula_data(X, n, d);
    }

    double *times = xmallocarray((size_t)repeat, sizeof *times);
    struct kmeans_result r = {0};
    for (int t = 0; t < repeat; t++) {
        kmeans_result_free(&r);
        o.seed += (uint64_t)(t > 0);
        double t0 = ftl_now();
        if (kmeans_fit(X, n, d, &o, &r, err) < 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        times[t] = ftl_now() - t0;
        printf("run %d: %.4f s inertia %.6f n_iter %d\n", t, times[t], r.inertia, r.n_iter);
    }
    qsort(times, (size_t)repeat, sizeof *times, cmp_double);
    printf("best_s=%.6f median_s=%.6f inertia=%.6f n_iter=%d\n", times[0], times[repeat / 2],
           r.inertia, r.n_iter);
    kmeans_result_free(&r);
    free(times);
    free(X);
    return 0;
}
