/*
 * test_gru — the GRU layer against PyTorch, against a naive per-row loop,
 * and (in the -DFTL_DOUBLE build) against finite differences.
 *
 * Built twice from this one file: as float (what training runs) and with
 * -DFTL_DOUBLE, where src/gru.c is compiled in double too, the PyTorch
 * comparison is tight (1e-10) and every gradient is checked by central
 * differences.
 *
 * And built twice more with -DFTL_GRU_WIDTHS (tests/test_gru_widths_float,
 * _double): only the comparison of the 128-, 256- and 512-bit kernels, which
 * says SKIP (status 77) on a CPU with nothing wider than 128 bits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gru.h"
#include "ref/gru_ref.h"
#include "rng.h"
#include "testutil.h"
#include "util.h"

#ifdef FTL_DOUBLE
#define REF_TOL 1e-10
#else
#define REF_TOL 2e-6 /* measured worst: 6e-7 */
#endif

#define MAX_B 8
#define MAX_T 16

/* One GRU problem: parameters, inputs, packing, loss weights and buffers. */
struct problem {
    int D, H, B, T, row_input;
    int len[MAX_B], nrun[MAX_T];
    size_t off[MAX_T + 1], P;
    real *params, *grads; /* one block each: w_ih, w_hh, b_ih, b_hh */
    struct gru g, grad;
    real *in;    /* P x D packed x, or B x D u */
    real *h0;    /* B x H, or NULL */
    real *wout;  /* P x H loss weights on every step, or NULL */
    real *wlast; /* B x H loss weights on the last states */
    real *h, *dh, *hlast, *din, *dh0;
    struct gru_cache c;
};

static size_t gru_param_count(int D, int H)
{
    return (size_t)3 * H * D + (size_t)3 * H * H + (size_t)6 * H;
}

static void gru_views(struct gru *g, real *block, int D, int H)
{
    g->D = D;
    g->H = H;
    g->w_ih = block;
    g->w_hh = g->w_ih + (size_t)3 * H * D;
    g->b_ih = g->w_hh + (size_t)3 * H * H;
    g->b_hh = g->b_ih + (size_t)3 * H;
}

/* Lengths (non-increasing) -> nrun and off, as struct batch has them. */
static void problem_pack(struct problem *p, const int *len, int B)
{
    p->B = B;
    p->T = len[0];
    assert_true(B <= MAX_B && p->T <= MAX_T);
    memcpy(p->len, len, (size_t)B * sizeof(int));
    p->off[0] = 0;
    for (int t = 0; t < p->T; t++) {
        p->nrun[t] = 0;
        for (int b = 0; b < B; b++)
            p->nrun[t] += len[b] > t;
        p->off[t + 1] = p->off[t] + (size_t)p->nrun[t];
    }
    p->P = p->off[p->T];
}

/* Allocates everything after problem_pack; values are left to the caller.
 * The cache gets one spare packed row and one spare batch row, so that a
 * read past the end would meet the NaN poison rather than another buffer. */
static void problem_alloc(struct problem *p, int D, int H, int row_input, int with_h0,
                          int with_wout)
{
    p->D = D;
    p->H = H;
    p->row_input = row_input;
    size_t n = gru_param_count(D, H);
    p->params = xcalloc(n, sizeof(real));
    p->grads = xcalloc(n, sizeof(real));
    gru_views(&p->g, p->params, D, H);
    gru_views(&p->grad, p->grads, D, H);
    size_t in_rows = row_input ? (size_t)p->B : p->P;
    p->in = xcalloc(in_rows * D, sizeof(real));
    p->din = xcalloc(in_rows * D, sizeof(real));
    p->h0 = with_h0 ? xcalloc((size_t)p->B * H, sizeof(real)) : NULL;
    p->wout = with_wout ? xcalloc(p->P * H, sizeof(real)) : NULL;
    p->wlast = xcalloc((size_t)p->B * H, sizeof(real));
    p->h = xcalloc(p->P * H, sizeof(real));
    p->dh = xcalloc(p->P * H, sizeof(real));
    p->hlast = xcalloc((size_t)p->B * H, sizeof(real));
    p->dh0 = xcalloc((size_t)p->B * H, sizeof(real));
    gru_cache_init(&p->c, D, H, p->B + 1, p->P + 1);
}

static void problem_free(struct problem *p)
{
    free(p->params);
    free(p->grads);
    free(p->in);
    free(p->din);
    free(p->h0);
    free(p->wout);
    free(p->wlast);
    free(p->h);
    free(p->dh);
    free(p->hlast);
    free(p->dh0);
    gru_cache_free(&p->c);
}

static void problem_forward(struct problem *p)
{
    const real *x = p->row_input ? NULL : p->in, *u = p->row_input ? p->in : NULL;
    gru_forward(&p->g, &p->c, x, u, p->h0, p->nrun, p->off, p->T, p->B, p->h);
    gru_last_state(p->h, p->len, p->off, p->B, p->H, p->hlast);
}

/* Forward + backward of sum(wout * h) + sum(wlast * hlast): gradients into p->grads (zeroed
 * first), p->din and p->dh0. */
static void problem_gradient(struct problem *p)
{
    problem_forward(p);
    memset(p->grads, 0, gru_param_count(p->D, p->H) * sizeof(real));
    if (p->wout)
        memcpy(p->dh, p->wout, p->P * p->H * sizeof(real));
    else
        memset(p->dh, 0, p->P * p->H * sizeof(real));
    gru_last_state_backward(p->wlast, p->len, p->off, p->B, p->H, p->dh);
    const real *x = p->row_input ? NULL : p->in, *u = p->row_input ? p->in : NULL;
    gru_backward(&p->g, &p->grad, &p->c, x, u, p->nrun, p->off, p->T, p->B, p->dh,
                 p->row_input ? NULL : p->din, p->row_input ? p->din : NULL, p->dh0);
}

static void fill_uniform(struct rng *r, real *a, size_t n, double scale)
{
    for (size_t i = 0; i < n; i++)
        a[i] = (real)(scale * (2 * rng_uniform(r) - 1));
}

/* A random problem: parameters large enough that the gates saturate
 * partly, so that every term of the backward pass matters. */
static void problem_random(struct problem *p, uint64_t seed, const int *len, int B, int D, int H,
                           int row_input, int with_h0, int with_wout)
{
    struct rng r;
    rng_seed(&r, seed);
    problem_pack(p, len, B);
    problem_alloc(p, D, H, row_input, with_h0, with_wout);
    fill_uniform(&r, p->params, gru_param_count(D, H), 0.8);
    fill_uniform(&r, p->in, (row_input ? (size_t)B : p->P) * D, 1.5);
    if (p->h0) fill_uniform(&r, p->h0, (size_t)B * H, 0.9);
    if (p->wout) fill_uniform(&r, p->wout, p->P * H, 1.0);
    fill_uniform(&r, p->wlast, (size_t)B * H, 1.0);
}

/* max_i |a_i - b_i| / max(|b_i|, 1) <= tol, naming the first offender. */
static void check_close(const char *what, const real *a, const double *b, size_t n, double tol)
{
    for (size_t i = 0; i < n; i++) {
        double scale = fabs(b[i]) > 1 ? fabs(b[i]) : 1;
        if (!(fabs((double)a[i] - b[i]) <= tol * scale)) {
            fail_msg("%s[%zu]: got %.17g, want %.17g (tol %g)", what, i, (double)a[i], b[i], tol);
        }
    }
}

// ---- PyTorch reference (tests/ref/gru_ref.py) ----

static void to_real(real *dst, const double *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (real)src[i];
}

static void run_ref_case(const struct gru_ref *ref)
{
    struct problem p = {0};
    const int D = ref->D, H = ref->H, B = ref->B;
    problem_pack(&p, ref->len, B);
    problem_alloc(&p, D, H, ref->row_input, ref->h0 != NULL, 1);
    to_real(p.g.w_ih, ref->w_ih, (size_t)3 * H * D);
    to_real(p.g.w_hh, ref->w_hh, (size_t)3 * H * H);
    to_real(p.g.b_ih, ref->b_ih, (size_t)3 * H);
    to_real(p.g.b_hh, ref->b_hh, (size_t)3 * H);
    size_t in_n = (ref->row_input ? (size_t)B : p.P) * D;
    to_real(p.in, ref->in, in_n);
    if (ref->h0) to_real(p.h0, ref->h0, (size_t)B * H);
    to_real(p.wout, ref->wout, p.P * H);
    to_real(p.wlast, ref->wlast, (size_t)B * H);

    problem_gradient(&p);
    print_message("case %s: P=%zu\n", ref->name, p.P);
    check_close("out", p.h, ref->out, p.P * H, REF_TOL);
    check_close("hlast", p.hlast, ref->hlast, (size_t)B * H, REF_TOL);
    check_close("d w_ih", p.grad.w_ih, ref->g_w_ih, (size_t)3 * H * D, REF_TOL);
    check_close("d w_hh", p.grad.w_hh, ref->g_w_hh, (size_t)3 * H * H, REF_TOL);
    check_close("d b_ih", p.grad.b_ih, ref->g_b_ih, (size_t)3 * H, REF_TOL);
    check_close("d b_hh", p.grad.b_hh, ref->g_b_hh, (size_t)3 * H, REF_TOL);
    check_close(ref->row_input ? "d u" : "d x", p.din, ref->g_in, in_n, REF_TOL);
    if (ref->g_h0) check_close("d h0", p.dh0, ref->g_h0, (size_t)B * H, REF_TOL);
    problem_free(&p);
}

static void test_pytorch_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof gru_refs / sizeof gru_refs[0]; i++)
        run_ref_case(&gru_refs[i]);
}

// ---- naive reference: one row at a time, plain loops, SPEC.md §4.2 ----

static double sigmoid_d(double a)
{
    return 1 / (1 + exp(-a));
}

/* States of row b at steps 0..len-1 into out (len x H), in double. */
static void naive_row(const struct problem *p, int b, double *out)
{
    const int D = p->D, H = p->H;
    double hp[64], gx[192], gh[192];
    assert_true(H <= 64);
    for (int j = 0; j < H; j++)
        hp[j] = p->h0 ? p->h0[(size_t)b * H + j] : 0;
    for (int t = 0; t < p->len[b]; t++) {
        const real *x = p->row_input ? p->in + (size_t)b * D : p->in + (p->off[t] + b) * D;
        for (int i = 0; i < 3 * H; i++) {
            gx[i] = p->g.b_ih[i];
            gh[i] = p->g.b_hh[i];
            for (int k = 0; k < D; k++)
                gx[i] += (double)p->g.w_ih[(size_t)i * D + k] * x[k];
            for (int k = 0; k < H; k++)
                gh[i] += (double)p->g.w_hh[(size_t)i * H + k] * hp[k];
        }
        for (int j = 0; j < H; j++) {
            double r = sigmoid_d(gx[j] + gh[j]), z = sigmoid_d(gx[H + j] + gh[H + j]);
            double n = tanh(gx[2 * H + j] + r * gh[2 * H + j]);
            hp[j] = (1 - z) * n + z * hp[j];
            out[(size_t)t * H + j] = hp[j];
        }
    }
}

/* Compares the packed outputs and last states with naive_row. */
static void check_against_naive(struct problem *p, double tol)
{
    double out[MAX_T * 64];
    for (int b = 0; b < p->B; b++) {
        naive_row(p, b, out);
        for (int t = 0; t < p->len[b]; t++) {
            char what[64];
            snprintf(what, sizeof what, "row %d step %d", b, t);
            check_close(what, p->h + (p->off[t] + b) * p->H, out + (size_t)t * p->H, (size_t)p->H,
                        tol);
        }
        check_close("last state", p->hlast + (size_t)b * p->H, out + (size_t)(p->len[b] - 1) * p->H,
                    (size_t)p->H, tol);
    }
}

static void poison(real *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = (real)NAN;
}

/*
 * A finished row keeps its last valid state and nothing past any row's end
 * is read: every buffer the layer could touch out of range (the cache, the
 * spare rows behind inputs and outputs) holds NaN, which would spread into
 * the results. Run twice so that stale cache contents cannot matter either.
 */
static void check_masking(int row_input, int with_h0)
{
    static const int len[] = {7, 5, 5, 2, 1};
    const int B = 5, D = 3, H = 11; /* whole and partial vectors of the gate loops */
    struct problem p = {0};
    problem_random(&p, 11 + row_input, len, B, D, H, row_input, with_h0, 1);
    /* Inputs and outputs with one NaN row beyond their end. */
    size_t in_rows = row_input ? (size_t)B : p.P;
    p.in = xrealloc(p.in, (in_rows + 1) * D * sizeof(real));
    poison(p.in + in_rows * D, (size_t)D);
    p.h = xrealloc(p.h, (p.P + 1) * H * sizeof(real));
    p.dh = xrealloc(p.dh, (p.P + 1) * H * sizeof(real));
    for (int pass = 0; pass < 2; pass++) {
        poison(p.c.gates, p.c.cap_P * 4 * H);
        poison(p.c.hprev, p.c.cap_P * H);
        poison(p.c.gh, (size_t)p.c.cap_B * 3 * H);
        poison(p.c.grow, (size_t)p.c.cap_B * 3 * H);
        poison(p.h, (p.P + 1) * H);
        poison(p.dh + p.P * H, (size_t)H);
        poison(p.din, in_rows * D);
        poison(p.dh0, (size_t)B * H);
        problem_gradient(&p);
        check_against_naive(&p, REF_TOL);
        for (size_t i = 0; i < gru_param_count(D, H); i++)
            assert_true(isfinite(p.grads[i]));
        for (size_t i = 0; i < in_rows * D; i++)
            assert_true(isfinite(p.din[i]));
        for (size_t i = 0; i < (size_t)B * H; i++)
            assert_true(isfinite(p.dh0[i]));
        assert_true(isnan(p.h[p.P * H])); /* nothing written past the end */
    }
    problem_free(&p);
}

static void test_masking_packed_x(void **state)
{
    (void)state;
    check_masking(0, 1);
    check_masking(0, 0);
}

static void test_masking_row_input(void **state)
{
    (void)state;
    check_masking(1, 1);
}

/*
 * Rows do not interact: the batch gives each row the states and the
 * gradients it gets alone (weight gradients add up over the rows).
 */
static void test_rows_independent(void **state)
{
    (void)state;
    static const int len[] = {6, 4, 4, 1};
    const int B = 4, D = 3, H = 5;
    struct problem all = {0};
    problem_random(&all, 5, len, B, D, H, 0, 1, 1);
    problem_gradient(&all);
    size_t n = gru_param_count(D, H);
    double *sum = xcalloc(n, sizeof(double));
    for (int b = 0; b < B; b++) {
        struct problem one = {0};
        problem_pack(&one, &len[b], 1);
        problem_alloc(&one, D, H, 0, 1, 1);
        memcpy(one.params, all.params, n * sizeof(real));
        for (int t = 0; t < len[b]; t++) {
            memcpy(one.in + (size_t)t * D, all.in + (all.off[t] + b) * D, D * sizeof(real));
            memcpy(one.wout + (size_t)t * H, all.wout + (all.off[t] + b) * H, H * sizeof(real));
        }
        memcpy(one.h0, all.h0 + (size_t)b * H, H * sizeof(real));
        memcpy(one.wlast, all.wlast + (size_t)b * H, H * sizeof(real));
        problem_gradient(&one);
        double want[64];
        for (int j = 0; j < H; j++)
            want[j] = all.hlast[(size_t)b * H + j];
        check_close("alone: last state", one.hlast, want, (size_t)H, REF_TOL);
        for (int j = 0; j < H; j++)
            want[j] = all.dh0[(size_t)b * H + j];
        check_close("alone: d h0", one.dh0, want, (size_t)H, REF_TOL);
        for (int t = 0; t < len[b]; t++) {
            for (int k = 0; k < D; k++)
                want[k] = all.din[(all.off[t] + b) * D + k];
            check_close("alone: d x", one.din + (size_t)t * D, want, (size_t)D, REF_TOL);
        }
        for (size_t i = 0; i < n; i++)
            sum[i] += one.grads[i];
        problem_free(&one);
    }
    check_close("sum of rows: d params", all.grads, sum, n, REF_TOL);
    free(sum);
    problem_free(&all);
}

// ---- fast paths against the plain one ----

/* Threads change the order of additions (each sums its own rows; the GEMMs
 * see other shapes), so results match one thread to rounding, not bits. */
#ifdef FTL_DOUBLE
#define THREAD_TOL 5e-14 /* measured worst: 5e-15 */
#else
#define THREAD_TOL 5e-6 /* measured worst: 2e-6 */
#endif

/* Every output of problem_gradient, copied for comparison. */
struct outputs {
    size_t nh, ngrad, nin, nh0;
    real *h, *grads, *din, *dh0;
};

static void outputs_take(struct outputs *o, const struct problem *p)
{
    o->nh = p->P * p->H;
    o->ngrad = gru_param_count(p->D, p->H);
    o->nin = (p->row_input ? (size_t)p->B : p->P) * p->D;
    o->nh0 = (size_t)p->B * p->H;
    o->h = xmallocarray(o->nh, sizeof(real));
    o->grads = xmallocarray(o->ngrad, sizeof(real));
    o->din = xmallocarray(o->nin, sizeof(real));
    o->dh0 = xmallocarray(o->nh0, sizeof(real));
    memcpy(o->h, p->h, o->nh * sizeof(real));
    memcpy(o->grads, p->grads, o->ngrad * sizeof(real));
    memcpy(o->din, p->din, o->nin * sizeof(real));
    memcpy(o->dh0, p->dh0, o->nh0 * sizeof(real));
}

static void outputs_free(struct outputs *o)
{
    free(o->h);
    free(o->grads);
    free(o->din);
    free(o->dh0);
}

/* Largest |a - b| / max(|b|, 1) over n values; NaN if either holds a NaN. */
static double max_rel_diff(const real *a, const real *b, size_t n)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]) / fmax(fabs((double)b[i]), 1);
        if (!(d <= worst)) worst = d;
    }
    return worst;
}

/* got and want agree within tol (0: bit for bit); returns the worst difference. */
static double compare_outputs(const char *what, const struct outputs *got,
                              const struct outputs *want, double tol)
{
    const real *g[] = {got->h, got->grads, got->din, got->dh0};
    const real *w[] = {want->h, want->grads, want->din, want->dh0};
    const size_t n[] = {want->nh, want->ngrad, want->nin, want->nh0};
    static const char *const names[] = {"h", "d params", "d input", "d h0"};
    double worst = 0;
    for (int i = 0; i < 4; i++) {
        double d = max_rel_diff(g[i], w[i], n[i]);
        if (tol == 0 && memcmp(g[i], w[i], n[i] * sizeof(real)) != 0)
            fail_msg("%s: %s differs from the reference (worst %.3g), expected the same bits", what,
                     names[i], d);
        if (!(d <= tol) && tol > 0) fail_msg("%s: %s differs by %.3g > %g", what, names[i], d, tol);
        worst = fmax(worst, d);
    }
    return worst;
}

/* One problem of unequal lengths: H = 37 has partial vectors at every width,
 * H = 32 none (its gates are streamed past the cache). */
static void threads_problem(struct problem *p, int H, int row_input, int with_h0, int threads)
{
    static const int len[] = {9, 7, 7, 6, 3, 2, 2, 1};
    memset(p, 0, sizeof *p);
    problem_random(p, 31 + 2 * row_input + with_h0, len, 8, 3, H, row_input, with_h0, 1);
    p->c.threads = threads;
}

/*
 * Rows split over 2, 3, 8 and more threads than rows give the results of
 * one thread (the threads run the plain loop on interleaved rows), and a
 * thread count repeats its own results bit for bit.
 */
static void test_threads_match_one(void **state)
{
    (void)state;
    static const int counts[] = {2, 3, 8, 64};
    for (int cfg = 0; cfg < 6; cfg++) {
        const int row_input = cfg % 3 == 2, with_h0 = cfg % 3 != 1, H = cfg < 3 ? 37 : 32;
        struct problem p;
        struct outputs ref, first;
        threads_problem(&p, H, row_input, with_h0, 1);
        problem_gradient(&p);
        outputs_take(&ref, &p);
        problem_free(&p);
        for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
            char what[64];
            snprintf(what, sizeof what, "H %d, %d threads, input %s, h0 %s", H, counts[i],
                     row_input ? "per row" : "packed", with_h0 ? "given" : "zero");
            threads_problem(&p, H, row_input, with_h0, counts[i]);
            problem_gradient(&p);
            outputs_take(&first, &p);
            double d = compare_outputs(what, &first, &ref, THREAD_TOL);
            problem_gradient(&p); /* again: the same bits */
            struct outputs again;
            outputs_take(&again, &p);
            compare_outputs(what, &again, &first, 0);
            print_message("%s: worst difference to one thread %.3g\n", what, d);
            outputs_free(&again);
            outputs_free(&first);
            problem_free(&p);
        }
        outputs_free(&ref);
    }
}

/*
 * Inference (cache.infer): the states are those of a forward that keeps its
 * caches, bit for bit, with one and three threads, packed input or per row,
 * zero or given h0, H with and without partial vectors; the cache is left
 * not ready, and its gates untouched (poisoned with NaN before, still NaN).
 */
static void test_infer_same_states(void **state)
{
    (void)state;
    for (int cfg = 0; cfg < 12; cfg++) {
        const int row_input = cfg % 3 == 2, with_h0 = cfg % 3 != 1, H = cfg % 6 < 3 ? 37 : 32;
        const int threads = cfg < 6 ? 1 : 3;
        struct problem p;
        threads_problem(&p, H, row_input, with_h0, threads);
        problem_forward(&p);
        size_t n = p.off[p.T] * (size_t)H;
        real *ref = xmallocarray(n, sizeof *ref);
        memcpy(ref, p.h, n * sizeof *ref);
        for (size_t i = 0; i < p.off[p.T] * 4 * (size_t)H; i++)
            p.c.gates[i] = NAN;
        memset(p.h, 0, n * sizeof *p.h);
        p.c.infer = 1;
        problem_forward(&p);
        assert_memory_equal(p.h, ref, n * sizeof *ref);
        assert_false(p.c.ready);
        for (size_t i = 0; i < p.off[p.T] * 4 * (size_t)H; i++)
            assert_true(isnan(p.c.gates[i]));
        free(ref);
        problem_free(&p);
    }
}

/*
 * The masking test's NaN poison with one and two threads, H = 11 and H = 32
 * (whole vectors at every width, so the gates are streamed past the cache):
 * no part reads outside its rows, and the states are the naive loop's.
 */
static void test_threads_masking(void **state)
{
    (void)state;
    static const int len[] = {7, 5, 5, 2, 1}, sizes[] = {11, 32};
    for (int cfg = 0; cfg < 8; cfg++) {
        const int row_input = cfg & 1, threads = 1 + (cfg >> 1 & 1), H = sizes[cfg >> 2];
        struct problem p = {0};
        problem_random(&p, 41 + row_input, len, 5, 3, H, row_input, 1, 1);
        p.c.threads = threads;
        poison(p.c.gates, p.c.cap_P * 4 * H);
        poison(p.c.hprev, p.c.cap_P * H);
        poison(p.c.gh, (size_t)p.c.cap_B * 3 * H);
        poison(p.c.grow, (size_t)p.c.cap_B * 3 * H);
        poison(p.dh0, (size_t)5 * H);
        problem_gradient(&p);
        check_against_naive(&p, REF_TOL);
        for (size_t i = 0; i < gru_param_count(3, H); i++)
            assert_true(isfinite(p.grads[i]));
        for (size_t i = 0; i < (size_t)5 * H; i++)
            assert_true(isfinite(p.dh0[i]));
        problem_free(&p);
    }
}

/*
 * The gate kernels in 128-, 256- and 512-bit vectors (as many as the CPU
 * runs) give the same bits: every lane does the same operations in the
 * same order.
 */
static void test_vector_widths(void **state)
{
    (void)state;
    static const char *const widths[] = {"128", "256", "512"};
    const int widest = gru_vector_bits();
    for (int cfg = 0; cfg < 4; cfg++) {
        const int row_input = cfg & 1, H = cfg < 2 ? 37 : 32;
        struct problem p;
        struct outputs ref, got;
        setenv("FTLAB_GRU_VECTOR_BITS", "128", 1);
        assert_int_equal(gru_vector_bits(), 128);
        threads_problem(&p, H, row_input, 1, 1);
        problem_gradient(&p);
        outputs_take(&ref, &p);
        problem_free(&p);
        for (int w = 1; w < 3 && atoi(widths[w]) <= widest; w++) {
            setenv("FTLAB_GRU_VECTOR_BITS", widths[w], 1);
            assert_int_equal(gru_vector_bits(), atoi(widths[w]));
            threads_problem(&p, H, row_input, 1, 1);
            problem_gradient(&p);
            outputs_take(&got, &p);
            char what[64];
            snprintf(what, sizeof what, "%s-bit kernels, H %d, input %s", widths[w], H,
                     row_input ? "per row" : "packed");
            compare_outputs(what, &got, &ref, 0);
            outputs_free(&got);
            problem_free(&p);
        }
        outputs_free(&ref);
    }
    unsetenv("FTLAB_GRU_VECTOR_BITS");
    print_message("widest kernels on this CPU: %d bits\n", widest);
}

/*
 * Saturated gates (pre-activations in the thousands) give exact 0/1 gates
 * and finite, bounded results; a NaN input is not hidden by the clamping
 * inside the gate functions but reaches the output of its row.
 */
static void test_saturation_and_nan(void **state)
{
    (void)state;
    static const int len[] = {4, 3};
    const int B = 2, D = 3, H = 9;
    struct problem p = {0};
    problem_random(&p, 21, len, B, D, H, 0, 1, 1);
    for (size_t i = 0; i < gru_param_count(D, H); i++)
        p.params[i] *= 2000;
    problem_gradient(&p);
    for (size_t i = 0; i < p.P * H; i++)
        assert_true(fabs(p.h[i]) <= 1); /* a convex mix of tanh and |h0| < 1 */
    for (size_t i = 0; i < gru_param_count(D, H); i++)
        assert_true(isfinite(p.grads[i]));
    problem_forward(&p); /* the cached gates r, z in [0, 1], n in [-1, 1] */
    for (size_t i = 0; i < p.P; i++)
        for (int j = 0; j < 3 * H; j++) {
            real v = p.c.gates[i * 4 * H + j];
            assert_true(j < 2 * H ? v >= 0 && v <= 1 : v >= -1 && v <= 1);
        }
    p.in[0] = (real)NAN; /* row 0, step 0 */
    problem_forward(&p);
    for (int t = 0; t < len[0]; t++)
        for (int j = 0; j < H; j++)
            assert_true(isnan(p.h[p.off[t] * H + j]));
    for (int t = 0; t < len[1]; t++) /* row 1 is untouched */
        for (int j = 0; j < H; j++)
            assert_true(isfinite(p.h[(p.off[t] + 1) * H + j]));
    problem_free(&p);
}

static void test_last_state(void **state)
{
    (void)state;
    /* lengths 3,2,1: packed rows t0: 0 1 2 | t1: 3 4 | t2: 5 */
    static const int len[] = {3, 2, 1};
    struct problem p = {0};
    problem_pack(&p, len, 3);
    assert_int_equal(p.P, 6);
    real h[6 * 2], hlast[3 * 2], dh[6 * 2] = {0};
    for (int i = 0; i < 12; i++)
        h[i] = (real)i;
    gru_last_state(h, len, p.off, 3, 2, hlast);
    static const double want[] = {10, 11, 8, 9, 4, 5};
    check_close("hlast", hlast, want, 6, 0);
    gru_last_state_backward(hlast, len, p.off, 3, 2, dh);
    gru_last_state_backward(hlast, len, p.off, 3, 2, dh);
    static const double want_dh[] = {0, 0, 0, 0, 8, 10, 0, 0, 16, 18, 20, 22};
    check_close("dh", dh, want_dh, 12, 0);
}

// ---- finite differences (double build only) ----

#ifdef FTL_DOUBLE
#define FD_EPS 1e-5 /* 1e-6 leaves H = 32 at the rounding noise of the summed loss */
#define FD_TOL 1e-6

/* L = sum(wout * h) + sum(wlast * hlast), in double whatever real is. */
static double problem_loss(struct problem *p)
{
    problem_forward(p);
    double L = 0;
    if (p->wout)
        for (size_t i = 0; i < p->P * p->H; i++)
            L += (double)p->wout[i] * p->h[i];
    for (size_t i = 0; i < (size_t)p->B * p->H; i++)
        L += (double)p->wlast[i] * p->hlast[i];
    return L;
}

/* Central differences of problem_loss over n values at v against the
 * analytic gradient g; relative error with a floor of 1e-3 on the scale. */
static double fd_check(struct problem *p, const char *what, real *v, const real *g, size_t n)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        real keep = v[i];
        v[i] = keep + FD_EPS;
        double up = problem_loss(p);
        v[i] = keep - FD_EPS;
        double down = problem_loss(p);
        v[i] = keep;
        double fd = (up - down) / (2 * FD_EPS);
        double scale = fmax(fmax(fabs(fd), fabs(g[i])), 1e-3);
        double err = fabs(fd - g[i]) / scale;
        if (err > worst) worst = err;
        if (!(err < FD_TOL))
            fail_msg("%s[%zu]: analytic %.12g, finite difference %.12g", what, i, g[i], fd);
    }
    return worst;
}

/* Every parameter and input of one configuration. */
static void check_gradients(int row_input, int with_h0, int with_wout, int H)
{
    static const int len[] = {5, 3, 3, 1};
    const int B = 4, D = 3;
    struct problem p = {0};
    problem_random(&p, 100 + 4 * row_input + 2 * with_h0 + with_wout, len, B, D, H, row_input,
                   with_h0, with_wout);
    problem_gradient(&p);
    size_t n = gru_param_count(D, H);
    real *analytic = xmalloc(n * sizeof(real));
    memcpy(analytic, p.grads, n * sizeof(real));
    struct gru ga;
    gru_views(&ga, analytic, D, H);
    size_t in_n = (row_input ? (size_t)B : p.P) * D;
    real *din = xmalloc(in_n * sizeof(real)), *dh0 = xmalloc((size_t)B * H * sizeof(real));
    memcpy(din, p.din, in_n * sizeof(real));
    memcpy(dh0, p.dh0, (size_t)B * H * sizeof(real));

    double worst = 0;
    worst = fmax(worst, fd_check(&p, "w_ih", p.g.w_ih, ga.w_ih, (size_t)3 * H * D));
    worst = fmax(worst, fd_check(&p, "w_hh", p.g.w_hh, ga.w_hh, (size_t)3 * H * H));
    worst = fmax(worst, fd_check(&p, "b_ih", p.g.b_ih, ga.b_ih, (size_t)3 * H));
    worst = fmax(worst, fd_check(&p, "b_hh", p.g.b_hh, ga.b_hh, (size_t)3 * H));
    worst = fmax(worst, fd_check(&p, row_input ? "u" : "x", p.in, din, in_n));
    /* h0 NULL: the gradient at the zero state, checked through explicit zeros. */
    if (!p.h0) p.h0 = xcalloc((size_t)B * H, sizeof(real));
    worst = fmax(worst, fd_check(&p, "h0", p.h0, dh0, (size_t)B * H));
    print_message("H %d, input %s, h0 %s, loss on %s: worst relative error %.2e\n", H,
                  row_input ? "per row" : "packed", with_h0 ? "given" : "zero",
                  with_wout ? "every step" : "last state", worst);
    free(analytic);
    free(din);
    free(dh0);
    problem_free(&p);
}

static void test_gradients_packed_x(void **state)
{
    (void)state;
    check_gradients(0, 1, 1, 4);
    check_gradients(0, 1, 0, 4);
    check_gradients(0, 0, 1, 4);
    check_gradients(0, 1, 0, 32); /* whole vectors: the gates are streamed */
}

static void test_gradients_row_input(void **state)
{
    (void)state;
    check_gradients(1, 1, 1, 4);
    check_gradients(1, 0, 0, 4);
    check_gradients(1, 1, 0, 32);
}
#endif

/* Subnormals flush to zero once ftl_flush_subnormals() ran, in the thread that called it and
 * in a thread it creates afterwards (the GRU's workers; ftlab calls it first thing in main).
 * Last in the list: it leaves the setting on for the rest of the process. */
static volatile float tiny = 1e-30f, scale = 1e-12f; /* product 1e-42: subnormal */

static void *flushes(void *arg)
{
    *(int *)arg = tiny * scale == 0.0f;
    return NULL;
}

static void test_flush_subnormals(void **state)
{
    (void)state;
    int in_thread = 0;
    if (!ftl_flush_subnormals()) skip();
    assert_true(tiny * scale == 0.0f);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, flushes, &in_thread), 0);
    pthread_join(t, NULL);
    assert_true(in_thread);
}

#ifdef FTL_GRU_WIDTHS
enum { WIDTHS_ONLY = 1 };
#else
enum { WIDTHS_ONLY = 0 };
#endif

int main(void)
{
    const struct CMUnitTest widths[] = {
        cmocka_unit_test(test_vector_widths),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pytorch_reference),  cmocka_unit_test(test_last_state),
        cmocka_unit_test(test_masking_packed_x),   cmocka_unit_test(test_masking_row_input),
        cmocka_unit_test(test_rows_independent),   cmocka_unit_test(test_saturation_and_nan),
        cmocka_unit_test(test_threads_match_one),  cmocka_unit_test(test_infer_same_states),
        cmocka_unit_test(test_threads_masking),
#ifdef FTL_DOUBLE
        cmocka_unit_test(test_gradients_packed_x), cmocka_unit_test(test_gradients_row_input),
#endif
        cmocka_unit_test(test_flush_subnormals),
    };
    if (!WIDTHS_ONLY) return cmocka_run_group_tests(tests, NULL, NULL);
    if (gru_vector_bits() == 128)
        return testutil_skip_all("the widest GRU kernels here are 128-bit (the CPU's, or "
                                 "FTLAB_GRU_VECTOR_BITS): nothing wider to compare them with");
    return cmocka_run_group_tests(widths, NULL, NULL);
}
