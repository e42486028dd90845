/* loss — BCE, DeCov, XCov and the proposed KL-margin loss. See loss.h, SPEC.md §3.1, §5. */
#include "loss.h"

#include <stdio.h>
#include <string.h>

static double reg_none(const struct reg_inputs *in, real scale, const struct reg_grads *g,
                       int *pairs)
{
    (void)in, (void)scale, (void)g, (void)pairs;
    return 0;
}

static double reg_decov(const struct reg_inputs *in, real scale, const struct reg_grads *g,
                        int *pairs)
{
    (void)pairs;
    return loss_decov(in->a, in->B, in->K, in->K, scale, g ? g->da : NULL, in->K, in->ws);
}

static double reg_xcov(const struct reg_inputs *in, real scale, const struct reg_grads *g,
                       int *pairs)
{
    (void)pairs;
    return loss_xcov(in->y, in->ldy, in->P, in->z, in->ldz, in->Q, in->B, scale, g ? g->dy : NULL,
                     g ? g->lddy : 0, g ? g->dz : NULL, g ? g->lddz : 0, in->ws);
}

static double reg_proposed(const struct reg_inputs *in, real scale, const struct reg_grads *g,
                           int *pairs)
{
    return loss_proposed(in->w, in->K, in->H, in->margin, scale, g ? g->dw : NULL, in->ws, pairs);
}

/*
 * Default λ: bench/table1-sweep.md has the sweep behind them (binary task,
 * AMI_max). Paper values: Romanov & Rumshisky (2017), Table 1, AMI_max at
 * k = 9, 10, 11, for the binary task and the autoencoder.
 */
const struct reg_entry reg_table[REG_COUNT] = {
    [REG_BASELINE] = {.kind = REG_BASELINE,
                      .name = "baseline",
                      .key = '1',
                      .title = "Baseline",
                      .label = "baseline",
                      .colour = "#999999",
                      .tui_series = 0,
                      .default_lambda = 1.0,
                      .pair = {REG_PAIR_NONE, REG_PAIR_NONE},
                      .paper = {{0.446, 0.467, 0.464}, {0.443, 0.454, 0.468}},
                      .value = reg_none},
    [REG_DECOV] = {.kind = REG_DECOV,
                   .name = "decov",
                   .key = '2',
                   .title = "DeCov",
                   .label = "DeCov",
                   .colour = "#E69F00",
                   .tui_series = 1,
                   .default_lambda = 1.0,
                   .pair = {REG_PAIR_NONE, REG_PAIR_NONE},
                   .paper = {{0.285, 0.287, 0.288}, {0.427, 0.443, 0.465}},
                   .value = reg_decov},
    [REG_XCOV] = {.kind = REG_XCOV,
                  .name = "xcov",
                  .key = '3',
                  .title = "XCov",
                  .label = "XCov",
                  .colour = "#56B4E9",
                  .tui_series = 2,
                  .default_lambda = 1.0,
                  .pair = {REG_PAIR_OUTPUT_VS_ACTS, REG_PAIR_ACT_HALVES},
                  .paper = {{0.507, 0.525, 0.529}, {0.396, 0.414, 0.428}},
                  .value = reg_xcov},
    [REG_PROPOSED] = {.kind = REG_PROPOSED,
                      .name = "proposed",
                      .key = '4',
                      .title = "Proposed (KL margin)",
                      .label = "KL margin",
                      .colour = "#D55E00",
                      .tui_series = 3,
                      .default_lambda = 0.1,
                      .pair = {REG_PAIR_NONE, REG_PAIR_NONE},
                      .paper = {{0.512, 0.544, 0.555}, {0.439, 0.457, 0.460}},
                      .value = reg_proposed},
};

int reg_from_name(const char *s)
{
    for (int k = 0; k < REG_COUNT; k++)
        if (s && strcmp(s, reg_table[k].name) == 0) return k;
    return -1;
}

const char *reg_names(char *buf, size_t cap, const char *last)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int k = 0; k < REG_COUNT && n < cap; k++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s",
                              k == 0               ? ""
                              : k == REG_COUNT - 1 ? last
                                                   : ", ",
                              reg_table[k].name);
    return buf;
}

int reg_from_key(int ch)
{
    for (int k = 0; k < REG_COUNT; k++)
        if (ch == reg_table[k].key) return k;
    return -1;
}

// ---- binary cross-entropy ----

double loss_bce_logits(const real *z, const real *y, int B, real *dz)
{
    double sum = 0.0;
    for (int b = 0; b < B; b++) {
        double zb = z[b], yb = y[b];
        /* max(z,0) - z y + log1p(exp(-|z|)): no exp of a positive number. */
        double e = exp(-fabs(zb));
        sum += (zb > 0 ? zb : 0.0) - zb * yb + log1p(e);
        if (dz) {
            double p = zb >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            dz[b] = (real)((p - yb) / B);
        }
    }
    return sum / B;
}

// ---- shared helpers ----

/*
 * out (B x K, dense) = X (B x K, stride ldx) minus its column means; out may
 * be X itself if ldx == K. Row-wise over blocks of columns, so the reads are
 * contiguous and the double sums independent.
 */
enum { CENTER_BLOCK = 64 };

static void center_columns(const real *X, int ldx, int B, int K, real *out)
{
    for (int j0 = 0; j0 < K; j0 += CENTER_BLOCK) {
        int nj = K - j0 < CENTER_BLOCK ? K - j0 : CENTER_BLOCK;
        double mean[CENTER_BLOCK] = {0};
        for (int b = 0; b < B; b++) {
            const real *x = X + (size_t)b * ldx + j0;
            for (int j = 0; j < nj; j++)
                mean[j] += x[j];
        }
        for (int j = 0; j < nj; j++)
            mean[j] /= B;
        for (int b = 0; b < B; b++) {
            const real *x = X + (size_t)b * ldx + j0;
            real *o = out + (size_t)b * K + j0;
            for (int j = 0; j < nj; j++)
                o[j] = (real)(x[j] - mean[j]);
        }
    }
}

static double half_sum_squares(const real *X, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)X[i] * X[i];
    return 0.5 * s;
}

// ---- DeCov ----

size_t loss_decov_workspace(int B, int K)
{
    return (size_t)B * K + (size_t)K * K;
}

double loss_decov(const real *A, int B, int K, int lda, real scale, real *dA, int ldda, real *ws)
{
    if (B < 1 || K < 1) return 0.0;
    real *Ac = ws;                /* B x K */
    real *G = ws + (size_t)B * K; /* K x K: C, then C with zero diagonal */

    center_columns(A, lda, B, K, Ac);
    REAL_GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, K, K, B, (real)1.0 / B, Ac, K, Ac, K,
              (real)0.0, G, K);
    /* GEMM need not return an exactly symmetric C; averaging the two halves
     * keeps value and gradient those of one symmetric function. */
    for (int i = 0; i < K; i++) {
        G[(size_t)i * K + i] = 0;
        for (int j = 0; j < i; j++) {
            real c = (real)(0.5 * ((double)G[(size_t)i * K + j] + G[(size_t)j * K + i]));
            G[(size_t)i * K + j] = G[(size_t)j * K + i] = c;
        }
    }
    double value = half_sum_squares(G, (size_t)K * K);

    /* dL/dA = (2/B) Ac G; the mean-subtraction term vanishes as 1ᵀAc = 0. */
    if (dA && scale != 0)
        REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, K, K, 2 * scale / B, Ac, K, G, K,
                  (real)1.0, dA, ldda);
    return value;
}

// ---- XCov ----

size_t loss_xcov_workspace(int B, int P, int Q)
{
    return (size_t)B * ((size_t)P + Q) + (size_t)P * Q;
}

double loss_xcov(const real *Y, int ldy, int P, const real *Z, int ldz, int Q, int B, real scale,
                 real *dY, int lddy, real *dZ, int lddz, real *ws)
{
    if (B < 1 || P < 1 || Q < 1) return 0.0;
    real *Yc = ws;                 /* B x P */
    real *Zc = Yc + (size_t)B * P; /* B x Q */
    real *X = Zc + (size_t)B * Q;  /* P x Q */

    center_columns(Y, ldy, B, P, Yc);
    center_columns(Z, ldz, B, Q, Zc);
    REAL_GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, P, Q, B, (real)1.0 / B, Yc, P, Zc, Q,
              (real)0.0, X, Q);
    double value = half_sum_squares(X, (size_t)P * Q);

    if (scale == 0) return value;
    /* dL/dY = Zc Xᵀ / B, dL/dZ = Yc X / B. */
    if (dY)
        REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, B, P, Q, scale / B, Zc, Q, X, Q,
                  (real)1.0, dY, lddy);
    if (dZ)
        REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, Q, P, scale / B, Yc, P, X, Q,
                  (real)1.0, dZ, lddz);
    return value;
}

// ---- proposed KL-margin loss ----

size_t loss_proposed_workspace(int K, int N)
{
    return 3 * (size_t)K * N + (size_t)K * K + (size_t)K;
}

/* ell = log_softmax of each row of W (stable: shift by the row max), D = exp(ell). */
static void log_softmax_rows(const real *W, int K, int N, real *ell, real *D)
{
    for (int i = 0; i < K; i++) {
        const real *w = W + (size_t)i * N;
        real *l = ell + (size_t)i * N, *d = D + (size_t)i * N;
        real max = w[0];
        for (int c = 1; c < N; c++)
            if (w[c] > max) max = w[c];
        double sum = 0.0;
        for (int c = 0; c < N; c++) {
            d[c] = REAL_EXP(w[c] - max); /* in (0, 1]: no overflow */
            sum += d[c];
        }
        double lse = log(sum);
        real inv = (real)(1.0 / sum);
        for (int c = 0; c < N; c++) {
            l[c] = (real)((double)w[c] - max - lse);
            d[c] *= inv;
        }
    }
}

/*
 * KL_ij = e_i − (D ellᵀ)_ij depends on ell only through the row differences
 * ell_i − ell_j, and so does the gradient (SPEC.md §5.3): subtracting any
 * vector from every row of ell changes nothing mathematically. Centring the
 * columns removes the common −log N offset, so the difference e_i − M_ij
 * cancels fewer bits (it matters in float, where KL ~ 1e-2 at
 * initialisation); and when all rows are equal (the SPEC scale-note point)
 * ell becomes 0 (up to the rounding of one mean), so L_W = K(K−1)m to the
 * last bit.
 */
double loss_proposed(const real *W, int K, int N, real margin, real scale, real *dW, real *ws,
                     int *active)
{
    if (active) *active = 0;
    if (K < 2 || N < 1) return 0.0;
    real *ell = ws;                /* K x N  log d_i, columns centred */
    real *D = ell + (size_t)K * N; /* K x N  d_i */
    real *G = D + (size_t)K * N;   /* K x N  dL/dell */
    real *M = G + (size_t)K * N;   /* K x K  D ellᵀ, then the active mask A */
    real *r = M + (size_t)K * K;   /* K      active count per row */

    log_softmax_rows(W, K, N, ell, D);
    center_columns(ell, N, K, N, ell); /* in place, see above */
    REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, K, K, N, (real)1.0, D, N, ell, N, (real)0.0,
              M, K);

    double value = 0.0;
    int n_active = 0;
    for (int i = 0; i < K; i++) {
        double e = 0.0; /* e_i = Σ_c d_ic ell_ic (−H(d_i) before centring) */
        for (int c = 0; c < N; c++)
            e += (double)D[(size_t)i * N + c] * ell[(size_t)i * N + c];
        int row_active = 0;
        for (int j = 0; j < K; j++) {
            real *Mij = &M[(size_t)i * K + j];
            double kl = e - *Mij;
            /* Strict <: the subgradient at KL = m is 0, as relu'(0) = 0. */
            int on = i != j && kl < margin;
            if (on) value += margin - kl;
            *Mij = (real)on;
            row_active += on;
        }
        r[i] = (real)row_active;
        n_active += row_active;
    }
    if (active) *active = n_active;
    if (!dW || scale == 0 || n_active == 0) return value;

    /* G = −D ∘ (r 1ᵀ ∘ ell − A ell) + Aᵀ D  (dL/dell; a "+1" term cancels after softmax). */
    REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, K, N, K, (real)1.0, M, K, ell, N,
              (real)0.0, G, N);
    for (int i = 0; i < K; i++)
        for (int c = 0; c < N; c++) {
            size_t ic = (size_t)i * N + c;
            G[ic] = -D[ic] * (r[i] * ell[ic] - G[ic]);
        }
    REAL_GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, K, N, K, (real)1.0, M, K, D, N, (real)1.0, G,
              N);

    /* Back through log-softmax: dW_i = G_i − d_i (Σ_c G_ic). */
    for (int i = 0; i < K; i++) {
        const real *g = G + (size_t)i * N, *d = D + (size_t)i * N;
        double gsum = 0.0;
        for (int c = 0; c < N; c++)
            gsum += g[c];
        real *dw = dW + (size_t)i * N;
        for (int c = 0; c < N; c++)
            dw[c] += scale * (real)(g[c] - d[c] * gsum);
    }
    return value;
}

size_t loss_workspace_size(int B, int K, int N)
{
    size_t decov = loss_decov_workspace(B, K);
    /* P + Q <= K + 1 ⇒ B(P+Q) + PQ <= B(K+1) + K² for K >= 1. */
    size_t xcov = (size_t)B * ((size_t)K + 1) + (size_t)K * K;
    size_t proposed = loss_proposed_workspace(K, N);
    size_t n = decov > xcov ? decov : xcov;
    return n > proposed ? n : proposed;
}
