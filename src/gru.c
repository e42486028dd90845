#ifndef KERNEL_PASS
/*
 * gru — PyTorch/cuDNN GRU over packed batches (SPEC.md §4.2-4.4).
 *
 * Layout of the cache (all row-major, one row per packed row p):
 *   gates[p] = [r, z, n, ghn]  with ghn = W_hn h_{t-1} + b_hn, the only
 *              pre-activation backward needs besides the gate values;
 *   hprev[p] = h_{t-1} of that row, so that dW_hh is one GEMM over all rows.
 * Backward overwrites gates[p] in place with [da_r, da_z, da_n r, da_n]: the
 * first 3H columns are dL/d(W_hh h + b_hh), read by one GEMM for dW_hh after
 * the time loop; columns 0..2H and 3H..4H are dL/d(W_ih x + b_ih), summed
 * for the bias and W_ih gradients step by step inside the loop.
 *
 * Threads (c->threads = S > 1): rows never interact inside the layer, so
 * the time loop runs as S independent parts, part k taking the rows
 * b = k, k + S, k + 2S, ... of every step. Interleaving keeps the parts
 * equal while the shortest rows drop out, and a part's rows of one step are
 * every S-th row of that step's block, so its GEMMs read and write them in
 * place with S times the row stride as leading dimension. Nothing is shared
 * inside the loop, so nothing is locked. The weight gradients after the
 * backward loop are split among the parts by gate rows instead. OpenBLAS
 * runs single-threaded inside the parts: its own pool would fight them for
 * the cores.
 */
#include "config.h"
#include "gru.h"

#include <assert.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "blas.h"
#include "util.h"

/* count * size bytes on a 64-byte boundary (a cache line, an AVX-512 vector); aborts if none. */
static void *aligned_array(size_t count, size_t size)
{
    size_t n;
    void *p;
    if (ftl_mul_overflow(count, size, &n) || posix_memalign(&p, 64, n ? n : 1) != 0) {
        fprintf(stderr, "ftlab: out of memory (%zu x %zu bytes)\n", count, size);
        abort();
    }
    return p;
}

void gru_cache_init(struct gru_cache *c, int D, int H, int cap_B, size_t cap_P)
{
    assert(D > 0 && H > 0 && cap_B > 0);
    c->D = D;
    c->H = H;
    c->cap_B = cap_B;
    c->cap_P = cap_P;
    c->gates = aligned_array(cap_P * 4, (size_t)H * sizeof(real));
    c->hprev = xmallocarray(cap_P, (size_t)H * sizeof(real));
    c->gh = xmallocarray((size_t)cap_B * 3, (size_t)H * sizeof(real));
    c->grow = xmallocarray((size_t)cap_B * 3, (size_t)H * sizeof(real));
    const size_t rows = cap_P > (size_t)cap_B ? cap_P : (size_t)cap_B;
    c->ones = xmallocarray(rows, sizeof(real));
    for (size_t i = 0; i < rows; i++)
        c->ones[i] = 1;
    c->w_ih_t = xmallocarray((size_t)D * 3, (size_t)H * sizeof(real));
    c->sums = xmallocarray((size_t)GRU_MAX_THREADS * (D + 1) * 4, (size_t)H * sizeof(real));
    c->threads = 1;
    c->ready = 0;
    c->infer = 0;
}

void gru_cache_free(struct gru_cache *c)
{
    free(c->gates);
    free(c->hprev);
    free(c->gh);
    free(c->grow);
    free(c->ones);
    free(c->w_ih_t);
    free(c->sums);
    memset(c, 0, sizeof *c);
}

// ---- the gate kernels, compiled once per vector width ----

/*
 * The gate arithmetic is written once, at the end of this file (the part
 * under KERNEL_PASS, which this file includes into itself), over short
 * vectors of the GCC/Clang vector extension, and compiled here once per
 * width: 16 bytes (SSE2, the x86-64 baseline; NEON elsewhere) and, on
 * x86-64 GCC, 32 bytes for AVX2 and 64 for AVX-512 under `#pragma GCC
 * target`, so a default -O2 build still runs the widest kernels the CPU has
 * (chosen at run time; the sigmoids of a step cost 3x less in 64-byte
 * vectors than in 16-byte ones). Every lane computes the same operations in
 * the same order whatever the width (ISO C mode contracts no a*b+c into a
 * fused multiply-add), so all widths give bit-identical results;
 * FTLAB_GRU_VECTOR_BITS=128 or 256 caps the width, for tests and
 * measurements.
 */
struct gate_kernels {
    int bits;
    void (*forward)(int n, int H, const real *x, size_t x_ld, int D, const real *w_ih_t,
                    const real *b_ih, const real *gx, size_t gx_ld, const real *gh,
                    const real *b_hh, const real *hp, size_t h_ld, real *gates, size_t g_ld,
                    real *h);
    void (*backward)(int n, int H, const real *dh, const real *hp, size_t h_ld, real *gates,
                     size_t g_ld, real *dprev);
    void (*sum_rows)(int n, int W, const real *a, size_t a_ld, const real *x, size_t x_ld, int D,
                     real *sums);
    void (*add_into)(real *dst, const real *src, int n);
};

#define KERNEL_FILE "gru.c"
#include "kernel_passes.h"

static const struct gate_kernels kernels_v16 = {128, step_forward_v16, step_backward_v16,
                                                sum_rows_v16, add_into_v16};
#ifdef WIDE_KERNELS
static const struct gate_kernels kernels_v32 = {256, step_forward_v32, step_backward_v32,
                                                sum_rows_v32, add_into_v32};
static const struct gate_kernels kernels_v64 = {512, step_forward_v64, step_backward_v64,
                                                sum_rows_v64, add_into_v64};
#endif

/* The widest kernels the CPU runs, at most FTLAB_GRU_VECTOR_BITS wide. */
static const struct gate_kernels *pick_kernels(void)
{
#ifdef WIDE_KERNELS
    int bits = ftl_vector_bits("FTLAB_GRU_VECTOR_BITS");
    if (bits == 512) return &kernels_v64;
    if (bits == 256) return &kernels_v32;
#endif
    return &kernels_v16;
}

int gru_vector_bits(void)
{
    return pick_kernels()->bits;
}

// ---- parts: the layer split over threads ----

/* One layer call, shared read-only by its parts (each writes only its own rows). */
struct part_job {
    void (*fn)(const struct part_job *j, int part);
    int parts;
    const struct gate_kernels *kern;
    const struct gru *g;
    struct gru *grad;
    struct gru_cache *c;
    const real *x, *u, *h0;
    const int *nrun;
    const size_t *off;
    int T, B;
    real *h, *dh, *dx, *du, *dh0;
};

struct part_arg {
    const struct part_job *job;
    int part;
};

static void *part_main(void *p)
{
    const struct part_arg *a = p;
    a->job->fn(a->job, a->part);
    return NULL;
}

/*
 * Runs the parts, part 0 on the calling thread, the others on threads made
 * for the call (about 50 us each, against milliseconds of work per part)
 * and joined before returning; a part whose thread cannot be had runs here.
 */
static void run_parts(const struct part_job *j)
{
    if (j->parts == 1) {
        j->fn(j, 0);
        return;
    }
    blas_single(); /* the parts' GEMMs are serial: OpenBLAS's own threads would spin */
    pthread_t tid[GRU_MAX_THREADS];
    struct part_arg arg[GRU_MAX_THREADS];
    int started[GRU_MAX_THREADS] = {0};
    for (int k = 1; k < j->parts; k++) {
        arg[k] = (struct part_arg){j, k};
        started[k] = pthread_create(&tid[k], NULL, part_main, &arg[k]) == 0;
    }
    j->fn(j, 0);
    for (int k = 1; k < j->parts; k++) {
        if (started[k])
            pthread_join(tid[k], NULL);
        else
            j->fn(j, k);
    }
}

static int parts_for(const struct gru_cache *c, int B)
{
    int s = c->threads < 1 ? 1 : c->threads;
    s = s > GRU_MAX_THREADS ? GRU_MAX_THREADS : s;
    return s > B ? B : s;
}

/* Rows b = k, k + S, ... below n: how many part k has. */
static int part_rows(int n, int S, int k)
{
    return n > k ? (n - k + S - 1) / S : 0;
}

/* Part k's share of c->gh: after those of parts 0..k-1, each as many rows as it can have. */
static real *part_gh(const struct gru_cache *c, int S, int k)
{
    size_t row = 0;
    for (int j = 0; j < k; j++)
        row += (size_t)part_rows(c->cap_B, S, j);
    return c->gh + row * 3 * (size_t)c->H;
}

/* dst row i = v (n rows of cols values, rows ld apart): a bias broadcast to rows. */
static void fill_rows(real *dst, int n, int cols, size_t ld, const real *v)
{
    for (int i = 0; i < n; i++)
        memcpy(dst + i * ld, v, (size_t)cols * sizeof(real));
}

/* dst row i = src row i, or zeros with src NULL (n rows of H values, rows ld apart). */
static void copy_rows(real *dst, const real *src, int n, int H, size_t ld)
{
    for (int i = 0; i < n; i++) {
        if (src)
            memcpy(dst + i * ld, src + i * ld, (size_t)H * sizeof(real));
        else
            memset(dst + i * ld, 0, (size_t)H * sizeof(real));
    }
}

// ---- forward ----

/*
 * Part k of the time loop: its rows of every step. Packed x is projected
 * inside the gate kernel (D mul-adds per gate value against W_ih^T), which
 * spares writing and re-reading a P x 3H projection; u, fed at every step,
 * is projected once per row into grow.
 */
static void forward_part(const struct part_job *j, int k)
{
    const struct gru *g = j->g;
    struct gru_cache *c = j->c;
    const int D = g->D, H = g->H, S = j->parts;
    const size_t H3 = 3 * (size_t)H, H4 = 4 * (size_t)H;
    const size_t hs = (size_t)S * H, gs = S * H4; /* row strides of this part */
    real *gh = part_gh(c, S, k);
    if (j->u) {
        const int m = part_rows(j->B, S, k);
        fill_rows(c->grow + k * H3, m, 3 * H, S * H3, g->b_ih);
        REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, m, 3 * H, D, 1, j->u + k * D, S * D,
                  g->w_ih, D, 1, c->grow + k * H3, (int)(S * H3));
    }
    for (int t = 0; t < j->T; t++) {
        const int m = part_rows(j->nrun[t], S, k);
        if (m == 0) break; /* nrun never grows again */
        const size_t row = j->off[t] + (size_t)k;
        /* Rows still running are a prefix of the previous step's rows. */
        const real *from = t > 0   ? j->h + (j->off[t - 1] + k) * H
                           : j->h0 ? j->h0 + (size_t)k * H
                                   : NULL;
        /* h_{t-1} as the GEMM and the gates read it: copied for backward, or where it is
         * (the same rows at the same stride, so the same bits). */
        const real *hp = c->hprev + row * H;
        if (c->infer && from)
            hp = from;
        else
            copy_rows(c->hprev + row * H, from, m, H, hs);
        if (from)
            REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, m, 3 * H, H, 1, hp, (int)hs, g->w_hh,
                      H, 0, gh, (int)H3);
        else
            memset(gh, 0, m * H3 * sizeof(real));
        j->kern->forward(m, H, j->x ? j->x + row * D : NULL, (size_t)S * D, D, c->w_ih_t, g->b_ih,
                         c->grow + k * H3, S * H3, gh, g->b_hh, hp, hs,
                         c->infer ? NULL : c->gates + row * H4, gs, j->h + row * H);
    }
}

void gru_forward(const struct gru *g, struct gru_cache *c, const real *x, const real *u,
                 const real *h0, const int *nrun, const size_t *off, int T, int B, real *h)
{
    const int D = g->D, H = g->H;
    assert(c->D == D && c->H == H && B <= c->cap_B && off[T] <= c->cap_P);
    assert((x == NULL) != (u == NULL));
    assert(T >= 1 && nrun[0] == B && off[T] <= INT_MAX);
    for (int q = 0; q < 3 * H; q++)
        for (int d = 0; d < D; d++)
            c->w_ih_t[(size_t)d * 3 * H + q] = g->w_ih[(size_t)q * D + d];
    struct part_job j = {.fn = forward_part,
                         .parts = parts_for(c, B),
                         .kern = pick_kernels(),
                         .g = g,
                         .c = c,
                         .x = x,
                         .u = u,
                         .h0 = h0,
                         .nrun = nrun,
                         .off = off,
                         .T = T,
                         .B = B,
                         .h = h};
    run_parts(&j);
    c->ready = !c->infer;
}

// ---- backward ----

/* Part k's sums: row D = Σ over its rows of the gate gradients (4H wide),
 * row d < D = Σ x_d times them (packed x only). */
static real *part_sums(const struct gru_cache *c, int k)
{
    return c->sums + (size_t)k * (c->D + 1) * 4 * c->H;
}

/*
 * Part k of the backward time loop: its rows' gate gradients (in place of
 * the gates) and dh_{t-1} += dGh W_hh, the only GEMM inside the loop
 * (SPEC.md §4.4). While a step's gradients are still in cache it also adds
 * them up for the biases and, with packed x, for W_ih (D is small, so these
 * are cheap vector sums, not GEMMs rereading every row); with u, each row's
 * gradient of its projection, the sum over the row's steps, goes to grow.
 */
static void backward_part(const struct part_job *j, int k)
{
    const struct gru *g = j->g;
    struct gru_cache *c = j->c;
    const int H = g->H, S = j->parts, D = j->x ? g->D : 0;
    const size_t H3 = 3 * (size_t)H, H4 = 4 * (size_t)H, hs = (size_t)S * H, gs = S * H4;
    real *sums = part_sums(c, k), *grow = c->grow + k * H3;
    memset(sums, 0, (size_t)(g->D + 1) * H4 * sizeof(real));
    if (j->dh0) copy_rows(j->dh0 + (size_t)k * H, NULL, part_rows(j->B, S, k), H, hs);
    if (j->u) copy_rows(grow, NULL, part_rows(j->B, S, k), 3 * H, S * H3);
    for (int t = j->T - 1; t >= 0; t--) {
        const int m = part_rows(j->nrun[t], S, k);
        if (m == 0) continue;
        const size_t row = j->off[t] + (size_t)k;
        real *dg = c->gates + row * H4;
        real *dprev = t > 0    ? j->dh + (j->off[t - 1] + k) * H
                      : j->dh0 ? j->dh0 + (size_t)k * H
                               : NULL;
        j->kern->backward(m, H, j->dh + row * H, c->hprev + row * H, hs, dg, gs, dprev);
        j->kern->sum_rows(m, 4 * H, dg, gs, j->x ? j->x + row * D : NULL, (size_t)S * D, D, sums);
        for (int i = 0; j->u && i < m; i++) {
            j->kern->add_into(grow + i * S * H3, dg + i * gs, 2 * H);
            j->kern->add_into(grow + i * S * H3 + 2 * H, dg + i * gs + 3 * H, H);
        }
        if (dprev)
            REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, H, 3 * H, 1, dg, (int)gs,
                      g->w_hh, H, 1, dprev, (int)hs);
    }
}

/*
 * Part k of dW_hh += dGh^T Hprev: its gate rows [lo, hi), one GEMM over all
 * packed rows (SPEC.md §4.4). Part 0 also adds up the parts' sums into the
 * bias and W_ih gradients and back-propagates into dx or du. For the input
 * projection, gate row q's gradient is gate column q for the r and z rows
 * (q < 2H) and column q + H (da_n, not da_n r) for the n rows.
 */
static void weights_part(const struct part_job *j, int k)
{
    const struct gru *g = j->g;
    struct gru *grad = j->grad;
    const struct gru_cache *c = j->c;
    const int D = g->D, H = g->H, H3 = 3 * H, H4 = 4 * H, S = j->parts;
    const int lo = H3 * k / S, hi = H3 * (k + 1) / S;
    const size_t P = j->off[j->T];
    if (hi > lo)
        REAL_GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, hi - lo, H, (int)P, 1, c->gates + lo, H4,
                  c->hprev, H, 1, grad->w_hh + (size_t)lo * H, H);
    if (k != 0) return;
    const int Dx = j->x ? D : 0;
    for (int p = 0; p < S; p++) {
        const real *sums = part_sums(c, p), *total = sums + (size_t)Dx * H4;
        for (int q = 0; q < H3; q++) {
            const int col = q < 2 * H ? q : q + H;
            grad->b_hh[q] += total[q];
            if (!j->x) continue;
            grad->b_ih[q] += total[col];
            for (int d = 0; d < D; d++)
                grad->w_ih[(size_t)q * D + d] += sums[(size_t)d * H4 + col];
        }
    }
    if (j->x && j->dx) {
        REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)P, D, 2 * H, 1, c->gates, H4,
                  g->w_ih, D, 0, j->dx, D);
        REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)P, D, H, 1, c->gates + 3 * H, H4,
                  g->w_ih + (size_t)2 * H * D, D, 1, j->dx, D);
    }
    if (j->u) {
        const int B = j->B;
        REAL_GEMV(CblasRowMajor, CblasTrans, B, H3, 1, c->grow, H3, c->ones, 1, 1, grad->b_ih, 1);
        REAL_GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, H3, D, B, 1, c->grow, H3, j->u, D, 1,
                  grad->w_ih, D);
        if (j->du)
            REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, D, H3, 1, c->grow, H3, g->w_ih,
                      D, 0, j->du, D);
    }
}

void gru_backward(const struct gru *g, struct gru *grad, struct gru_cache *c, const real *x,
                  const real *u, const int *nrun, const size_t *off, int T, int B, real *dh,
                  real *dx, real *du, real *dh0)
{
    assert(c->ready && "gru_backward needs a fresh gru_forward");
    assert((x == NULL) != (u == NULL) && !(dx && !x) && !(du && !u));
    c->ready = 0;
    struct part_job j = {.fn = backward_part,
                         .parts = parts_for(c, B),
                         .kern = pick_kernels(),
                         .g = g,
                         .grad = grad,
                         .c = c,
                         .x = x,
                         .u = u,
                         .nrun = nrun,
                         .off = off,
                         .T = T,
                         .B = B,
                         .dh = dh,
                         .dx = dx,
                         .du = du,
                         .dh0 = dh0};
    run_parts(&j);
    /* dW_hh needs every row's gate gradients: a second set of parts. */
    j.fn = weights_part;
    run_parts(&j);
}

// ---- last valid state ----

void gru_last_state(const real *h, const int *len, const size_t *off, int B, int H, real *hlast)
{
    for (int b = 0; b < B; b++) {
        assert(len[b] >= 1);
        memcpy(hlast + (size_t)b * H, h + (off[len[b] - 1] + b) * H, (size_t)H * sizeof(real));
    }
}

void gru_last_state_backward(const real *dhlast, const int *len, const size_t *off, int B, int H,
                             real *dh)
{
    for (int b = 0; b < B; b++) {
        real *d = dh + (off[len[b] - 1] + b) * H;
        const real *s = dhlast + (size_t)b * H;
        for (int j = 0; j < H; j++)
            d[j] += s[j];
    }
}

#else /* KERNEL_PASS: the gate kernels for one width, VBYTES, named KERNEL(name) */

#define VLEN ((int)(VBYTES / sizeof(real)))
#define vreal KERNEL(vreal)
#define vint KERNEL(vint)
#define vload KERNEL(vload)
#define vstore KERNEL(vstore)
#define vstream KERNEL(vstream)
#define vexp KERNEL(vexp)
#define vsigmoid KERNEL(vsigmoid)
#define vtanh KERNEL(vtanh)
#define INLINE static inline __attribute__((always_inline))

typedef real vreal __attribute__((vector_size(VBYTES)));

/*
 * m values at p, m <= VLEN: a row's last partial vector is loaded
 * zero-padded and stored partially, so every H takes the same arithmetic.
 * Each kernel calls its per-vector body with m = VLEN in the main loop and
 * once more for the tail, so that the main loop's loads and stores are
 * plain vector moves (a variable-length copy would keep v on the stack).
 */
INLINE vreal vload(const real *p, int m)
{
    vreal v = {0};
    if (m == VLEN)
        memcpy(&v, p, sizeof v);
    else
        memcpy(&v, p, (size_t)m * sizeof(real));
    return v;
}

INLINE void vstore(real *p, vreal v, int m)
{
    if (m == VLEN)
        memcpy(p, &v, sizeof v);
    else
        memcpy(p, &v, (size_t)m * sizeof(real));
}

/*
 * A whole vector to an aligned address, bypassing the cache: the gates are
 * read again only by backward, after the whole sequence, and a plain store
 * first reads each line it misses (measured here: 7 GB/s for plain stores
 * of a large array, 23 GB/s streamed).
 */
INLINE void vstream(real *p, vreal v)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(FTL_DOUBLE) && VBYTES == 64
    _mm512_stream_ps(p, (__m512)v);
#elif defined(__x86_64__) && defined(__GNUC__) && !defined(FTL_DOUBLE) && VBYTES == 32
    _mm256_stream_ps(p, (__m256)v);
#elif defined(__x86_64__) && defined(__GNUC__) && !defined(FTL_DOUBLE)
    _mm_stream_ps(p, (__m128)v);
#elif defined(__x86_64__) && defined(__GNUC__) && VBYTES == 64
    _mm512_stream_pd(p, (__m512d)v);
#elif defined(__x86_64__) && defined(__GNUC__) && VBYTES == 32
    _mm256_stream_pd(p, (__m256d)v);
#elif defined(__x86_64__) && defined(__GNUC__)
    _mm_stream_pd(p, (__m128d)v);
#else
    memcpy(p, &v, sizeof v);
#endif
}

#ifdef FTL_DOUBLE
/* The gradient-test build keeps libm's exp. */
INLINE vreal vexp(vreal x)
{
    for (int i = 0; i < VLEN; i++)
        x[i] = exp(x[i]);
    return x;
}
#else
typedef int32_t vint __attribute__((vector_size(VBYTES)));

/*
 * expf on VLEN lanes: exp(x) = 2^k e^r with k = round(x / ln 2) (added and
 * subtracted 1.5 * 2^23 to round), r = x - k ln 2 (ln 2 in two parts, so r
 * is exact), |r| <= ln 2 / 2, e^r by its degree-7 Taylor polynomial
 * (truncation < 6e-9 relative; measured against double exp over [-80, 80]:
 * at most 1.72 ulp, the same with Horner's evaluation as with Estrin's). x is clamped to
 * [-80, 80]: exp, 1 / (1 + exp) and hence every saturated gate stay normal
 * floats (denormals would stall the FPU), at no cost in accuracy since
 * sigmoid and tanh are already exactly 0, ±1 or tiny normals there. A NaN
 * compares false to both bounds and passes through.
 */
INLINE vreal vexp(vreal x)
{
    const vreal zero = {0}, lo = zero - 80.0f, hi = zero + 80.0f;
    vint below = x<lo, above = x> hi;
    x = (vreal)((below & (vint)lo) | (~below & (vint)x));
    x = (vreal)((above & (vint)hi) | (~above & (vint)x));
    vreal k = x * 1.44269504088896341f + 12582912.0f;
    vreal kf = k - 12582912.0f;
    vreal r = x - kf * 0.693145751953125f - kf * 1.428606765330187e-6f;
    /* Estrin's scheme: (1 + r + r²/2 + r³/6) + r⁴ (1/24 + r/120 + r²/720 + r³/5040), a
     * chain of 5 dependent operations where Horner's has 14. */
    vreal r2 = r * r, r4 = r2 * r2;
    vreal lo4 = (1 + r) + r2 * (0.5f + r * (1.0f / 6));
    vreal hi4 = (1.0f / 24 + r * (1.0f / 120)) + r2 * (1.0f / 720 + r * (1.0f / 5040));
    vreal p = lo4 + r4 * hi4;
    vint two_k = ((vint)k - 0x4B400000 + 127) << 23;
    return p * (vreal)two_k;
}
#endif

INLINE vreal vsigmoid(vreal a)
{
    return 1 / (1 + vexp(-a));
}

/* tanh a = 2 σ(2a) - 1: absolute error of a few float ulps of 1 near 0,
 * well below the rounding of the GEMM that produced a. */
INLINE vreal vtanh(vreal a)
{
    return 2 / (1 + vexp(-2 * a)) - 1;
}

/* dst[j..j+m) += src[j..j+m). */
INLINE void KERNEL(add_vector)(real *dst, const real *src, int j, int m)
{
    vstore(dst + j, vload(dst + j, m) + vload(src + j, m), m);
}

/* dst[0..n) += src[0..n). */
static void KERNEL(add_into)(real *dst, const real *src, int n)
{
    int j = 0;
    for (; j + VLEN <= n; j += VLEN)
        KERNEL(add_vector)(dst, src, j, VLEN);
    if (j < n) KERNEL(add_vector)(dst, src, j, n - j);
}

/* One row's columns [j, j + m) of step_forward; stream: whole aligned vectors go past the cache. */
INLINE void KERNEL(forward_vector)(int H, int j, int m, const real *xb, int D, const real *w_ih_t,
                                   const real *b_ih, const real *gxb, const real *a,
                                   const real *b_hh, const real *hb, real *g, real *out, int stream)
{
    vreal xr, xz, xn;
    if (xb) {
        xr = vload(b_ih + j, m);
        xz = vload(b_ih + H + j, m);
        xn = vload(b_ih + 2 * H + j, m);
        for (int d = 0; d < D; d++) {
            const real *w = w_ih_t + (size_t)d * 3 * H;
            const vreal xd = (vreal){0} + xb[d];
            xr += xd * vload(w + j, m);
            xz += xd * vload(w + H + j, m);
            xn += xd * vload(w + 2 * H + j, m);
        }
    } else {
        xr = vload(gxb + j, m);
        xz = vload(gxb + H + j, m);
        xn = vload(gxb + 2 * H + j, m);
    }
    vreal r = vsigmoid(xr + vload(a + j, m) + vload(b_hh + j, m));
    vreal z = vsigmoid(xz + vload(a + H + j, m) + vload(b_hh + H + j, m));
    vreal ghn = vload(a + 2 * H + j, m) + vload(b_hh + 2 * H + j, m);
    vreal nn = vtanh(xn + r * ghn);
    vreal hold = vload(hb + j, m);
    if (!g) {
        /* inference: nothing kept for backward */
    } else if (stream && m == VLEN) {
        vstream(g + j, r);
        vstream(g + H + j, z);
        vstream(g + 2 * H + j, nn);
        vstream(g + 3 * H + j, ghn);
    } else {
        vstore(g + j, r, m);
        vstore(g + H + j, z, m);
        vstore(g + 2 * H + j, nn, m);
        vstore(g + 3 * H + j, ghn, m);
    }
    vstore(out + j, nn + z * (hold - nn), m);
}

/*
 * One step's gate arithmetic for n rows, fused (SPEC.md §4.2):
 *   r = σ(gx_r + gh_r + b_hr), z = σ(gx_z + gh_z + b_hz),
 *   n = tanh(gx_n + r (gh_n + b_hn)), h = (1 - z) n + z h_{t-1},
 * with gx = b_ih + Σ_d x_d W_ih^T[d] when x is given (row b at x + b x_ld),
 * else gx read from row b of gx (gx_ld apart). Rows of hp, gates and h are
 * h_ld, g_ld, h_ld apart; gh is dense (3H wide). gates NULL: not stored.
 */
static void KERNEL(step_forward)(int n, int H, const real *x, size_t x_ld, int D,
                                 const real *w_ih_t, const real *b_ih, const real *gx, size_t gx_ld,
                                 const real *gh, const real *b_hh, const real *hp, size_t h_ld,
                                 real *gates, size_t g_ld, real *h)
{
    const size_t H3 = 3 * (size_t)H;
    /* Streamed when every gate block of every row starts on a vector boundary. */
    const int stream =
        gates &&
        ((uintptr_t)gates | (g_ld * sizeof(real)) | ((size_t)H * sizeof(real))) % VBYTES == 0;
    for (int b = 0; b < n; b++) {
        const real *xb = x ? x + b * x_ld : NULL, *gxb = gx + b * gx_ld;
        const real *a = gh + b * H3, *hb = hp + b * h_ld;
        real *g = gates ? gates + b * g_ld : NULL, *out = h + b * h_ld;
        int j = 0;
        for (; j + VLEN <= H; j += VLEN) {
            KERNEL(forward_vector)
            (H, j, VLEN, xb, D, w_ih_t, b_ih, gxb, a, b_hh, hb, g, out, stream);
        }
        if (j < H)
            KERNEL(forward_vector)(H, j, H - j, xb, D, w_ih_t, b_ih, gxb, a, b_hh, hb, g, out, 0);
    }
#if defined(__x86_64__) && defined(__GNUC__)
    if (stream) _mm_sfence(); /* the streamed gates in order before anything that follows */
#endif
}

/* Rows [0, rows) of a (a_ld apart), columns [j, j + m) of sum_rows. */
INLINE void KERNEL(sum_vector)(int rows, int W, int j, int m, const real *ab, size_t a_ld,
                               const real *xb, size_t x_ld, int D, real *sums)
{
    real *total = sums + (size_t)D * W + j;
    vreal s = vload(total, m);
    for (int r = 0; r < rows; r++)
        s += vload(ab + r * a_ld + j, m);
    vstore(total, s, m);
    for (int d = 0; xb && d < D; d++) {
        real *dst = sums + (size_t)d * W + j;
        vreal sd = vload(dst, m);
        for (int r = 0; r < rows; r++)
            sd += ((vreal){0} + xb[r * x_ld + d]) * vload(ab + r * a_ld + j, m);
        vstore(dst, sd, m);
    }
}

/*
 * Column sums of n rows of a (W wide, rows a_ld apart), added to row D of
 * sums (D + 1 rows of W); with x (row b at x + b x_ld), also x_bd times row
 * b of a to row d < D, for every d. Rows four at a time: each sum is loaded
 * and stored once per four rows, and the four rows stay in L1 across the
 * D + 1 sums; the additions keep the order of the rows.
 */
static void KERNEL(sum_rows)(int n, int W, const real *a, size_t a_ld, const real *x, size_t x_ld,
                             int D, real *sums)
{
    for (int b0 = 0; b0 < n; b0 += 4) {
        const int rows = n - b0 < 4 ? n - b0 : 4;
        const real *ab = a + b0 * a_ld, *xb = x ? x + b0 * x_ld : NULL;
        int j = 0;
        for (; j + VLEN <= W; j += VLEN)
            KERNEL(sum_vector)(rows, W, j, VLEN, ab, a_ld, xb, x_ld, D, sums);
        if (j < W) KERNEL(sum_vector)(rows, W, j, W - j, ab, a_ld, xb, x_ld, D, sums);
    }
}

/* One row's columns [j, j + m) of step_backward. */
INLINE void KERNEL(backward_vector)(int H, int j, int m, const real *d, const real *hb, real *g,
                                    real *dp)
{
    vreal r = vload(g + j, m), z = vload(g + H + j, m), nn = vload(g + 2 * H + j, m);
    vreal ghn = vload(g + 3 * H + j, m), dj = vload(d + j, m);
    vreal dan = dj * (1 - z) * (1 - nn * nn);
    if (dp) vstore(dp + j, vload(dp + j, m) + dj * z, m);
    vstore(g + j, dan * ghn * r * (1 - r), m);
    vstore(g + H + j, dj * (vload(hb + j, m) - nn) * z * (1 - z), m);
    vstore(g + 2 * H + j, dan * r, m);
    vstore(g + 3 * H + j, dan, m);
}

/*
 * One step backward for n rows (SPEC.md §4.2), gates rewritten in place:
 *   dn = dh (1 - z), dz = dh (h_{t-1} - n), da_n = dn (1 - n²),
 *   da_r = da_n ghn r (1 - r), da_z = dz z (1 - z),
 * and the direct path dh_{t-1} += dh z into dprev (NULL: not wanted).
 * dh, hp and dprev rows are h_ld apart, gate rows g_ld.
 */
static void KERNEL(step_backward)(int n, int H, const real *dh, const real *hp, size_t h_ld,
                                  real *gates, size_t g_ld, real *dprev)
{
    for (int b = 0; b < n; b++) {
        const real *d = dh + b * h_ld, *hb = hp + b * h_ld;
        real *g = gates + b * g_ld, *dp = dprev ? dprev + b * h_ld : NULL;
        int j = 0;
        for (; j + VLEN <= H; j += VLEN)
            KERNEL(backward_vector)(H, j, VLEN, d, hb, g, dp);
        if (j < H) KERNEL(backward_vector)(H, j, H - j, d, hb, g, dp);
    }
}

#undef VLEN
#undef vreal
#undef vint
#undef vload
#undef vstore
#undef vstream
#undef vexp
#undef vsigmoid
#undef vtanh
#undef INLINE
#endif /* KERNEL_PASS */
