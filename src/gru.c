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
    c->ready = 0;
}

void gru_cache_free(struct gru_cache *c)
{
    free(c->gates);
    free(c->hprev);
    free(c->gh);
    free(c->grow);
    memset(c, 0, sizeof *c);
}

static inline real sigmoid(real a)
{
    return 1 / (1 + REAL_EXP(-a));
}

/* sum[j] += a[i][j] over rows i: the bias gradients. */
static void add_column_sums(const real *a, size_t rows, int cols, size_t ld, real *sum)
{
    for (size_t i = 0; i < rows; i++) {
        const real *ai = a + i * ld;
        for (int j = 0; j < cols; j++)
            sum[j] += ai[j];
    }
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
 * gx row b is at gx + b * gx_ld (it may alias gate row b: every element is
 * read before the same column index is written).
 */
static void step_forward(int n, int H, const real *gx, size_t gx_ld, const real *gh,
                         const real *b_hh, const real *hp, real *gates, real *h)
{
    const size_t H3 = 3 * (size_t)H, H4 = 4 * (size_t)H;
    for (int b = 0; b < n; b++) {
        const real *x = gx + b * gx_ld, *a = gh + b * H3, *hb = hp + (size_t)b * H;
        real *g = gates + b * H4, *out = h + (size_t)b * H;
        for (int j = 0; j < H; j++) {
            real r = sigmoid(x[j] + a[j] + b_hh[j]);
            real z = sigmoid(x[H + j] + a[H + j] + b_hh[H + j]);
            real ghn = a[2 * H + j] + b_hh[2 * H + j];
            real nn = REAL_TANH(x[2 * H + j] + r * ghn);
            g[j] = r;
            g[H + j] = z;
            g[2 * H + j] = nn;
            g[3 * H + j] = ghn;
            out[j] = nn + z * (hb[j] - nn);
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
 * after adding the direct path dh_{t-1} += dh z into dprev (NULL: not wanted).
 */
static void step_backward(int n, int H, const real *dh, const real *hp, real *gates,
                          real *dprev)
{
    const size_t H4 = 4 * (size_t)H;
    for (int b = 0; b < n; b++) {
        const real *d = dh + (size_t)b * H, *hb = hp + (size_t)b * H;
        real *g = gates + b * H4;
        if (dprev) {
            real *dp = dprev + (size_t)b * H;
            for (int j = 0; j < H; j++)
                dp[j] += d[j] * g[H + j];
        }
        for (int j = 0; j < H; j++) {
            real r = g[j], z = g[H + j], nn = g[2 * H + j], ghn = g[3 * H + j];
            real dan = d[j] * (1 - z) * (1 - nn * nn);
            g[j] = dan * ghn * r * (1 - r);
            g[H + j] = d[j] * (hb[j] - nn) * z * (1 - z);
            g[2 * H + j] = dan * r;
            g[3 * H + j] = dan;
        }
    }
}

/* Input-side gradients for packed x: dL/d(x W_ih^T + b_ih) is gate columns
 * [0, 2H) and [3H, 4H), so each product is two GEMMs. */
static void input_backward_packed(const struct gru *g, struct gru *grad, const real *dg,
                                  size_t P, const real *x, real *dx)
{
    const int D = g->D, H = g->H, H4 = 4 * H;
    add_column_sums(dg, P, 2 * H, H4, grad->b_ih);
    add_column_sums(dg + 3 * H, P, H, H4, grad->b_ih + 2 * H);
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
            real *dst = dg + b * H3;
            for (size_t j = 0; j < 2 * (size_t)H; j++)
                dst[j] += src[j];
            for (int j = 0; j < H; j++)
                dst[2 * H + j] += src[3 * H + j];
        }
    }
    add_column_sums(dg, (size_t)B, 3 * H, H3, grad->b_ih);
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
    add_column_sums(c->gates, P, 3 * H, H4, grad->b_hh);
    REAL_GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, 3 * H, H, (int)P, 1, c->gates, (int)H4,
              c->hprev, H, 1, grad->w_hh, H);
    if (x)
        input_backward_packed(g, grad, c->gates, P, x, dx);
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
