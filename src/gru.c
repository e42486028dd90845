/*
 * gru — PyTorch/cuDNN GRU over packed batches (SPEC.md §4.2-4.4).
 *
 * Layout of the cache (all row-major, one row per packed row p):
 *   gates[p] = [r, z, n, ghn]  with ghn = W_hn h_{t-1} + b_hn, the only
 *              pre-activation backward needs besides the gate values;
 *   hprev[p] = h_{t-1} of that row, so that dW_hh is one GEMM over all rows.
 * Backward overwrites gates[p] in place with [da_r, da_z, da_n r, da_n]: the
 * first 3H columns are dL/d(W_hh h + b_hh), columns 0..2H and 3H..4H are
 * dL/d(W_ih x + b_ih), each read by one GEMM after the time loop.
 */
#include "gru.h"

#include <assert.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void gru_cache_init(struct gru_cache *c, int D, int H, int cap_B, size_t cap_P)
{
    assert(D > 0 && H > 0 && cap_B > 0);
    c->D = D;
    c->H = H;
    c->cap_B = cap_B;
    c->cap_P = cap_P;
    c->gates = xmallocarray(cap_P * 4, (size_t)H * sizeof(real));
    c->hprev = xmallocarray(cap_P, (size_t)H * sizeof(real));
    c->gh = xmallocarray((size_t)cap_B * 3, (size_t)H * sizeof(real));
    c->grow = xmallocarray((size_t)cap_B * 3, (size_t)H * sizeof(real));
    const size_t rows = cap_P > (size_t)cap_B ? cap_P : (size_t)cap_B;
    c->ones = xmallocarray(rows, sizeof(real));
    for (size_t i = 0; i < rows; i++)
        c->ones[i] = 1;
    c->ready = 0;
}

void gru_cache_free(struct gru_cache *c)
{
    free(c->gates);
    free(c->hprev);
    free(c->gh);
    free(c->grow);
    free(c->ones);
    memset(c, 0, sizeof *c);
}

// ---- short vectors for the gate loops ----

/*
 * The gate arithmetic runs on VLEN values at a time through the GCC/Clang
 * vector extension: plain C arithmetic that compiles to SSE2 at the default
 * -O2 (where GCC's auto-vectoriser leaves loops with unknown trip counts and
 * selects alone), and to AVX/AVX-512 when the build enables them
 * (-march=native). A row's last partial vector is loaded zero-padded and
 * stored partially, so every H takes the same path.
 */
#if defined(__AVX512F__)
#define VBYTES 64
#elif defined(__AVX__)
#define VBYTES 32
#else
#define VBYTES 16 /* SSE2, the x86-64 baseline (and NEON's width) */
#endif
#define VLEN ((int)(VBYTES / sizeof(real)))
typedef real vreal __attribute__((vector_size(VBYTES)));

static inline vreal vload(const real *p, int m)
{
    vreal v = {0};
    if (m == VLEN)
        memcpy(&v, p, sizeof v);
    else
        memcpy(&v, p, (size_t)m * sizeof(real));
    return v;
}

static inline void vstore(real *p, vreal v, int m)
{
    if (m == VLEN)
        memcpy(p, &v, sizeof v);
    else
        memcpy(p, &v, (size_t)m * sizeof(real));
}

#ifdef FTL_DOUBLE
/* The gradient-test build keeps libm's exp. */
static inline vreal vexp(vreal x)
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
 * (truncation < 6e-9 relative; measured error < 1 ulp). x is clamped to
 * [-80, 80]: exp, 1 / (1 + exp) and hence every saturated gate stay normal
 * floats (denormals would stall the FPU), at no cost in accuracy since
 * sigmoid and tanh are already exactly 0, ±1 or tiny normals there. A NaN
 * compares false to both bounds and passes through.
 */
static inline vreal vexp(vreal x)
{
    const vreal zero = {0}, lo = zero - 80.0f, hi = zero + 80.0f;
    vint below = x < lo, above = x > hi;
    x = (vreal)((below & (vint)lo) | (~below & (vint)x));
    x = (vreal)((above & (vint)hi) | (~above & (vint)x));
    vreal k = x * 1.44269504088896341f + 12582912.0f;
    vreal kf = k - 12582912.0f;
    vreal r = x - kf * 0.693145751953125f - kf * 1.428606765330187e-6f;
    vreal p = zero + 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1;
    p = p * r + 1;
    vint two_k = ((vint)k - 0x4B400000 + 127) << 23;
    return p * (vreal)two_k;
}
#endif

static inline vreal vsigmoid(vreal a)
{
    return 1 / (1 + vexp(-a));
}

/* tanh a = 2 σ(2a) - 1: absolute error of a few float ulps of 1 near 0,
 * well below the rounding of the GEMM that produced a. */
static inline vreal vtanh(vreal a)
{
    return 2 / (1 + vexp(-2 * a)) - 1;
}

/* dst[0..n) += src[0..n). */
static void vadd_into(real *dst, const real *src, int n)
{
    for (int j = 0; j < n; j += VLEN) {
        const int m = n - j < VLEN ? n - j : VLEN;
        vstore(dst + j, vload(dst + j, m) + vload(src + j, m), m);
    }
}

/* sum[j] += a[i][j] over rows i (the bias gradients): A^T 1 as one GEMV. */
static void add_column_sums(const struct gru_cache *c, const real *a, size_t rows, int cols,
                            size_t ld, real *sum)
{
    REAL_GEMV(CblasRowMajor, CblasTrans, (int)rows, cols, 1, a, (int)ld, c->ones, 1, 1, sum, 1);
}

/* dst[i] = v (rows x cols, leading dimension ld): a bias broadcast to rows. */
static void fill_rows(real *dst, size_t rows, int cols, size_t ld, const real *v)
{
    for (size_t i = 0; i < rows; i++)
        memcpy(dst + i * ld, v, (size_t)cols * sizeof(real));
}

// ---- forward ----

/*
 * One step's gate arithmetic for n rows, fused (SPEC.md §4.2):
 *   r = σ(gx_r + gh_r + b_hr), z = σ(gx_z + gh_z + b_hz),
 *   n = tanh(gx_n + r (gh_n + b_hn)), h = (1 - z) n + z h_{t-1}.
 * gx row b is at gx + b * gx_ld. It may be gate row b itself: a vector of
 * columns is read before the same columns are written.
 */
static void step_forward(int n, int H, const real *gx, size_t gx_ld, const real *gh,
                         const real *b_hh, const real *hp, real *gates, real *h)
{
    const size_t H3 = 3 * (size_t)H, H4 = 4 * (size_t)H;
    for (int b = 0; b < n; b++) {
        const real *x = gx + b * gx_ld, *a = gh + b * H3, *hb = hp + (size_t)b * H;
        real *g = gates + b * H4, *out = h + (size_t)b * H;
        for (int j = 0; j < H; j += VLEN) {
            const int m = H - j < VLEN ? H - j : VLEN;
            vreal r = vsigmoid(vload(x + j, m) + vload(a + j, m) + vload(b_hh + j, m));
            vreal z = vsigmoid(vload(x + H + j, m) + vload(a + H + j, m) +
                               vload(b_hh + H + j, m));
            vreal ghn = vload(a + 2 * H + j, m) + vload(b_hh + 2 * H + j, m);
            vreal nn = vtanh(vload(x + 2 * H + j, m) + r * ghn);
            vreal hold = vload(hb + j, m);
            vstore(g + j, r, m);
            vstore(g + H + j, z, m);
            vstore(g + 2 * H + j, nn, m);
            vstore(g + 3 * H + j, ghn, m);
            vstore(out + j, nn + z * (hold - nn), m);
        }
    }
}

void gru_forward(const struct gru *g, struct gru_cache *c, const real *x, const real *u,
                 const real *h0, const int *nrun, const size_t *off, int T, int B, real *h)
{
    const int D = g->D, H = g->H;
    const size_t H3 = 3 * (size_t)H, H4 = 4 * (size_t)H, P = off[T];
    assert(c->D == D && c->H == H && B <= c->cap_B && P <= c->cap_P);
    assert((x == NULL) != (u == NULL));
    assert(T >= 1 && nrun[0] == B && P <= INT_MAX);

    /* Input projection for every packed row (or every sequence) at once. */
    if (x) {
        fill_rows(c->gates, P, 3 * H, H4, g->b_ih);
        REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)P, 3 * H, D, 1, x, D,
                  g->w_ih, D, 1, c->gates, (int)H4);
    } else {
        fill_rows(c->grow, (size_t)B, 3 * H, H3, g->b_ih);
        REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, B, 3 * H, D, 1, u, D, g->w_ih, D,
                  1, c->grow, (int)H3);
    }

    for (int t = 0; t < T; t++) {
        const int n = nrun[t];
        real *hp = c->hprev + off[t] * H;
        /* Rows still running are a prefix of the previous step's rows. */
        if (t > 0)
            memcpy(hp, h + off[t - 1] * H, (size_t)n * H * sizeof(real));
        else if (h0)
            memcpy(hp, h0, (size_t)n * H * sizeof(real));
        else
            memset(hp, 0, (size_t)n * H * sizeof(real));
        if (t == 0 && !h0)
            memset(c->gh, 0, (size_t)n * H3 * sizeof(real));
        else
            REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, n, 3 * H, H, 1, hp, H, g->w_hh,
                      H, 0, c->gh, (int)H3);
        const real *gx = x ? c->gates + off[t] * H4 : c->grow;
        step_forward(n, H, gx, x ? H4 : H3, c->gh, g->b_hh, hp, c->gates + off[t] * H4,
                     h + off[t] * H);
    }
    c->ready = 1;
}

// ---- backward ----

/*
 * One step backward for n rows (SPEC.md §4.2), gates rewritten in place:
 *   dn = dh (1 - z), dz = dh (h_{t-1} - n), da_n = dn (1 - n²),
 *   da_r = da_n ghn r (1 - r), da_z = dz z (1 - z),
 * and the direct path dh_{t-1} += dh z into dprev (NULL: not wanted).
 */
static void step_backward(int n, int H, const real *dh, const real *hp, real *gates,
                          real *dprev)
{
    const size_t H4 = 4 * (size_t)H;
    for (int b = 0; b < n; b++) {
        const real *d = dh + (size_t)b * H, *hb = hp + (size_t)b * H;
        real *g = gates + b * H4, *dp = dprev ? dprev + (size_t)b * H : NULL;
        for (int j = 0; j < H; j += VLEN) {
            const int m = H - j < VLEN ? H - j : VLEN;
            vreal r = vload(g + j, m), z = vload(g + H + j, m), nn = vload(g + 2 * H + j, m);
            vreal ghn = vload(g + 3 * H + j, m), dj = vload(d + j, m);
            vreal dan = dj * (1 - z) * (1 - nn * nn);
            if (dp)
                vstore(dp + j, vload(dp + j, m) + dj * z, m);
            vstore(g + j, dan * ghn * r * (1 - r), m);
            vstore(g + H + j, dj * (vload(hb + j, m) - nn) * z * (1 - z), m);
            vstore(g + 2 * H + j, dan * r, m);
            vstore(g + 3 * H + j, dan, m);
        }
    }
}

/* Input-side gradients for packed x: dL/d(x W_ih^T + b_ih) is gate columns
 * [0, 2H) and [3H, 4H), so each product is two GEMMs. */
static void input_backward_packed(const struct gru *g, struct gru *grad,
                                  const struct gru_cache *c, const real *dg, size_t P,
                                  const real *x, real *dx)
{
    const int D = g->D, H = g->H, H4 = 4 * H;
    add_column_sums(c, dg, P, 2 * H, H4, grad->b_ih);
    add_column_sums(c, dg + 3 * H, P, H, H4, grad->b_ih + 2 * H);
    REAL_GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, 2 * H, D, (int)P, 1, dg, H4, x, D, 1,
              grad->w_ih, D);
    REAL_GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, H, D, (int)P, 1, dg + 3 * H, H4, x, D,
              1, grad->w_ih + (size_t)2 * H * D, D);
    if (!dx)
        return;
    REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)P, D, 2 * H, 1, dg, H4, g->w_ih,
              D, 0, dx, D);
    REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)P, D, H, 1, dg + 3 * H, H4,
              g->w_ih + (size_t)2 * H * D, D, 1, dx, D);
}

/* Input-side gradients for a per-row input u fed at every step: the
 * projection's gradient is the sum over the row's steps, gathered in grow. */
static void input_backward_row(const struct gru *g, struct gru *grad, struct gru_cache *c,
                               const int *nrun, const size_t *off, int T, int B,
                               const real *u, real *du)
{
    const int D = g->D, H = g->H;
    const size_t H3 = 3 * (size_t)H, H4 = 4 * (size_t)H;
    real *dg = c->grow;
    memset(dg, 0, (size_t)B * H3 * sizeof(real));
    for (int t = 0; t < T; t++) {
        for (int b = 0; b < nrun[t]; b++) {
            const real *src = c->gates + (off[t] + b) * H4;
            vadd_into(dg + b * H3, src, 2 * H);
            vadd_into(dg + b * H3 + 2 * H, src + 3 * H, H);
        }
    }
    add_column_sums(c, dg, (size_t)B, 3 * H, H3, grad->b_ih);
    REAL_GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, 3 * H, D, B, 1, dg, (int)H3, u, D, 1,
              grad->w_ih, D);
    if (du)
        REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, D, 3 * H, 1, dg, (int)H3,
                  g->w_ih, D, 0, du, D);
}

void gru_backward(const struct gru *g, struct gru *grad, struct gru_cache *c, const real *x,
                  const real *u, const int *nrun, const size_t *off, int T, int B, real *dh,
                  real *dx, real *du, real *dh0)
{
    const int H = g->H;
    const size_t H4 = 4 * (size_t)H, P = off[T];
    assert(c->ready && "gru_backward needs a fresh gru_forward");
    assert((x == NULL) != (u == NULL) && !(dx && !x) && !(du && !u));
    c->ready = 0;

    if (dh0)
        memset(dh0, 0, (size_t)B * H * sizeof(real));
    for (int t = T - 1; t >= 0; t--) {
        const int n = nrun[t];
        real *dg = c->gates + off[t] * H4;
        real *dprev = t > 0 ? dh + off[t - 1] * H : dh0;
        step_backward(n, H, dh + off[t] * H, c->hprev + off[t] * H, dg, dprev);
        /* dh_{t-1} += dGh W_hh: the only GEMM inside the loop (SPEC.md §4.4). */
        if (dprev)
            REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, H, 3 * H, 1, dg, (int)H4,
                      g->w_hh, H, 1, dprev, H);
    }

    /* Weight gradients over all packed rows at once. */
    add_column_sums(c, c->gates, P, 3 * H, H4, grad->b_hh);
    REAL_GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, 3 * H, H, (int)P, 1, c->gates, (int)H4,
              c->hprev, H, 1, grad->w_hh, H);
    if (x)
        input_backward_packed(g, grad, c, c->gates, P, x, dx);
    else
        input_backward_row(g, grad, c, nrun, off, T, B, u, du);
}

// ---- last valid state ----

void gru_last_state(const real *h, const int *len, const size_t *off, int B, int H,
                    real *hlast)
{
    for (int b = 0; b < B; b++) {
        assert(len[b] >= 1);
        memcpy(hlast + (size_t)b * H, h + (off[len[b] - 1] + b) * H, (size_t)H * sizeof(real));
    }
}

void gru_last_state_backward(const real *dhlast, const int *len, const size_t *off, int B,
                             int H, real *dh)
{
    for (int b = 0; b < B; b++) {
        real *d = dh + (off[len[b] - 1] + b) * H;
        const real *s = dhlast + (size_t)b * H;
        for (int j = 0; j < H; j++)
            d[j] += s[j];
    }
}
