/*
 * test_loss — BCE, DeCov, XCov and the proposed KL-margin loss (src/loss.c).
 *
 * Built twice from this one file:
 *   - with -DFTL_DOUBLE: central finite differences of every gradient, and
 *     values and gradients against tests/ref/loss_ref.h (PyTorch float64
 *     autograd, tests/ref/loss_ref.py) at 1e-10;
 *   - without (float, the build that trains): the same references at float
 *     tolerance, the edge cases, and the per-step cost of each regulariser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loss.h"
#include "rng.h"
#include "util.h"

#include "ref/loss_ref.h"

#ifdef FTL_DOUBLE
#define REF_TOL 1e-10 /* against the float64 references */
#else
#define REF_TOL 1e-5 /* float build against the same float64 references */
#endif
#define GRAD_REF_TOL (4 * REF_TOL)
#define FD_TOL 1e-6

// ---- helpers ----

/* s * sin(a*i + b*j + c): the input formula shared with loss_ref.py. */
static double wave(int i, int j, double a, double b, double c, double s)
{
    return s * sin(a * i + b * j + c);
}

/* X (rows x cols, stride ld) = wave(i, j, ...), optionally through ReLU. */
static void fill_wave(real *X, int rows, int cols, int ld, double a, double b, double c, double s,
                      int relu)
{
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            double v = wave(i, j, a, b, c, s);
            X[(size_t)i * ld + j] = (real)(relu && v < 0 ? 0.0 : v);
        }
}

static void fill_normal(struct rng *r, real *X, size_t n, double s, int relu)
{
    for (size_t i = 0; i < n; i++) {
        double v = s * rng_normal(r);
        X[i] = (real)(relu && v < 0 ? 0.0 : v);
    }
}

static real *reals(size_t n)
{
    return xcalloc(n ? n : 1, sizeof(real));
}

static int all_finite(const real *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite((double)x[i])) return 0;
    return 1;
}

static double max_abs_double(const double *x, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(x[i]) > m) m = fabs(x[i]);
    return m;
}

/* Scalar relative error, failing with a message above tol. */
static void check_value(const char *what, double got, double ref, double tol)
{
    double err = fabs(got - ref) / fmax(fabs(ref), DBL_MIN);
    if (!(err <= tol))
        fail_msg("%s: value %.17g, reference %.17g, relative error %.3g > %.3g", what, got, ref,
                 err, tol);
}

/* Normwise relative error max|got − ref| / max|ref| of a (rows x cols, stride ld) gradient. */
static void check_grad(const char *what, const real *got, int rows, int cols, int ld,
                       const double *ref, double tol)
{
    size_t n = (size_t)rows * cols;
    double scale = fmax(max_abs_double(ref, n), DBL_MIN), err = 0.0;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            err = fmax(err, fabs((double)got[(size_t)i * ld + j] - ref[(size_t)i * cols + j]));
    if (!(err / scale <= tol))
        fail_msg("%s: gradient relative error %.3g > %.3g", what, err / scale, tol);
}

// ---- the table ----

static void test_reg_table(void **state)
{
    (void)state;
    /* The paper's four come first, in its order; a loss added later goes after them. */
    static const char *const names[] = {"baseline", "decov", "xcov", "proposed"};
    for (int k = 0; k < 4; k++) {
        assert_string_equal(reg_table[k].name, names[k]);
        assert_int_equal(reg_table[k].key, '1' + k);
    }
    for (int k = 0; k < REG_COUNT; k++) {
        assert_int_equal(reg_table[k].kind, k);
        assert_int_equal(reg_from_name(reg_table[k].name), k);
        assert_int_equal(reg_from_key(reg_table[k].key), k);
        assert_non_null(reg_table[k].title);
        assert_non_null(reg_table[k].value);
        assert_true(reg_table[k].default_lambda > 0);
    }
    assert_string_equal(reg_table[REG_PROPOSED].title, "Proposed (KL margin)");
    assert_int_equal(reg_from_name("Proposed"), -1);
    assert_int_equal(reg_from_name(""), -1);
    assert_int_equal(reg_from_name(NULL), -1);
    assert_int_equal(reg_from_key('9'), -1);
}

// ---- references (PyTorch float64 autograd) ----

static void test_ref_bce(void **state)
{
    (void)state;
    enum { B = 9 };
    real z[B], y[B], dz[B];
    for (int b = 0; b < B; b++) {
        z[b] = (real)wave(b, 0, 1.7, 0.0, 0.3, 3.0);
        y[b] = (b * 7) % 3 == 0 ? 1 : 0;
    }
    check_value("bce", loss_bce_logits(z, y, B, dz), ref_bce_value, REF_TOL);
    check_grad("bce", dz, 1, B, B, ref_bce_dz, GRAD_REF_TOL);
}

static void test_ref_decov(void **state)
{
    (void)state;
    enum { B = 7, K = 5 };
    real A[B * K], dA[B * K] = {0};
    real *ws = reals(loss_decov_workspace(B, K));
    fill_wave(A, B, K, K, 1.7, 0.3, 0.1, 1.0, 1);
    check_value("decov", loss_decov(A, B, K, K, 1, dA, K, ws), ref_decov_value, REF_TOL);
    check_grad("decov", dA, B, K, K, ref_decov_dA, GRAD_REF_TOL);
    free(ws);
}

static void test_ref_xcov_classifier(void **state)
{
    (void)state;
    enum { B = 7, Q = 5 };
    real Y[B], Z[B * Q], dY[B] = {0}, dZ[B * Q] = {0};
    real *ws = reals(loss_xcov_workspace(B, 1, Q));
    for (int b = 0; b < B; b++)
        Y[b] = (real)(wave(b, 0, 0.9, 0.0, 0.2, 0.4) + 0.5);
    fill_wave(Z, B, Q, Q, 1.1, -0.7, 0.5, 1.2, 1);
    double v = loss_xcov(Y, 1, 1, Z, Q, Q, B, 1, dY, 1, dZ, Q, ws);
    check_value("xcov classifier", v, ref_xcov_cls_value, REF_TOL);
    check_grad("xcov classifier dY", dY, B, 1, 1, ref_xcov_cls_dY, GRAD_REF_TOL);
    check_grad("xcov classifier dZ", dZ, B, Q, Q, ref_xcov_cls_dZ, GRAD_REF_TOL);
    free(ws);
}

/* The autoencoder passes two halves of one code matrix, with a row stride. */
static void xcov_halves_ref(int K, double ref_value, const double *ref_dcode)
{
    enum { B = 8, PAD = 3 };
    int ld = K + PAD, P = K / 2;
    real *code = reals((size_t)B * ld), *dcode = reals((size_t)B * ld);
    real *ws = reals(loss_xcov_workspace(B, P, K - P));
    for (size_t i = 0; i < (size_t)B * ld; i++)
        code[i] = 1e3; /* padding: any use of it would show */
    fill_wave(code, B, K, ld, 0.8, 1.3, 0.2, 1.5, 1);
    double v = loss_xcov(code, ld, P, code + P, ld, K - P, B, 1, dcode, ld, dcode + P, ld, ws);
    check_value("xcov halves", v, ref_value, REF_TOL);
    check_grad("xcov halves", dcode, B, K, ld, ref_dcode, GRAD_REF_TOL);
    for (int b = 0; b < B; b++)
        for (int j = K; j < ld; j++)
            assert_true(dcode[(size_t)b * ld + j] == 0);
    free(code);
    free(dcode);
    free(ws);
}

static void test_ref_xcov_halves(void **state)
{
    (void)state;
    xcov_halves_ref(6, ref_xcov_ae6_value, ref_xcov_ae6_dcode);
    xcov_halves_ref(7, ref_xcov_ae7_value, ref_xcov_ae7_dcode);
}

static void proposed_ref(const char *name, int K, int N, double m, double a, double b, double c,
                         double s, double ref_value, int ref_active, const double *ref_dW)
{
    real *W = reals((size_t)K * N), *dW = reals((size_t)K * N);
    real *ws = reals(loss_proposed_workspace(K, N));
    int active = -1;
    fill_wave(W, K, N, N, a, b, c, s, 0);
    double v = loss_proposed(W, K, N, (real)m, 1, dW, ws, &active);
    assert_int_equal(active, ref_active);
    check_value(name, v, ref_value, REF_TOL);
    check_grad(name, dW, K, N, N, ref_dW, GRAD_REF_TOL);
    free(W);
    free(dW);
    free(ws);
}

static void test_ref_proposed(void **state)
{
    (void)state;
    proposed_ref("proposed all active", 6, 9, 10, 1.7, 0.3, 0.0, 0.5, ref_p_all_value,
                 ref_p_all_active, ref_p_all_dW);
    proposed_ref("proposed partly active", 8, 16, 1, 1.3, 0.7, 0.1, 1.5, ref_p_part_value,
                 ref_p_part_active, ref_p_part_dW);
    proposed_ref("proposed huge weights", 5, 8, 5, 0.4, 1.1, 0.4, 100.0, ref_p_huge_value,
                 ref_p_huge_active, ref_p_huge_dW);
}

/* SPEC.md §5.3 scale note: all rows equal ⇒ every KL = 0 ⇒ L_W = K(K−1)m. */
static void test_proposed_equal_rows(void **state)
{
    (void)state;
    enum { K = 32, N = 128 };
    real *W = reals((size_t)K * N), *dW = reals((size_t)K * N);
    real *ws = reals(loss_proposed_workspace(K, N));
    int active = -1;
    double v = loss_proposed(W, K, N, 5, 1, dW, ws, &active);
    assert_true(v == K * (K - 1) * 5.0);
    assert_int_equal(active, K * (K - 1));
    /* A symmetric point: the pulls of all pairs cancel, so the gradient is 0. */
    for (size_t i = 0; i < (size_t)K * N; i++)
        assert_true(fabs((double)dW[i]) <= 1e-5);
    /* Equal softmax rows, not only zeros: adding a constant to a row changes
     * no softmax (exact in double, within rounding of W in float). */
    for (int i = 0; i < K; i++)
        for (int c = 0; c < N; c++)
            W[(size_t)i * N + c] = (real)(0.3 * sin(0.1 * c) + i);
    check_value("equal softmax rows", loss_proposed(W, K, N, 5, 0, NULL, ws, NULL),
                K * (K - 1) * 5.0, REF_TOL);
    free(W);
    free(dW);
    free(ws);
}

// ---- the "add scale * gradient" contract ----

static void test_scale_adds(void **state)
{
    (void)state;
    enum { B = 6, K = 4, N = 5 };
    struct rng r;
    rng_seed(&r, 11);
    real A[B * K], g1[B * K] = {0}, g2[B * K], W[K * N], w1[K * N] = {0}, w2[K * N];
    real *ws = reals(loss_workspace_size(B, K, N));
    fill_normal(&r, A, B * K, 1.0, 0);
    fill_normal(&r, W, K * N, 1.0, 0);
    for (int i = 0; i < B * K; i++)
        g2[i] = (real)(0.25 * i);
    for (int i = 0; i < K * N; i++)
        w2[i] = (real)(-0.5 * i);

    double v1 = loss_decov(A, B, K, K, 1, g1, K, ws);
    double v2 = loss_decov(A, B, K, K, (real)0.5, g2, K, ws);
    assert_true(v1 == v2 && v1 == loss_decov(A, B, K, K, 0, NULL, K, ws) && v1 > 0);
    for (int i = 0; i < B * K; i++)
        assert_true(fabs(g2[i] - (0.25 * i + 0.5 * g1[i])) <= 1e-6 * (1 + fabs(g2[i])));

    for (int i = 0; i < B * K; i++)
        g1[i] = 0, g2[i] = (real)(0.25 * i);
    v1 = loss_xcov(A, K, 1, A + 1, K, K - 1, B, 1, g1, K, g1 + 1, K, ws);
    v2 = loss_xcov(A, K, 1, A + 1, K, K - 1, B, (real)0.5, g2, K, g2 + 1, K, ws);
    assert_true(v1 == v2 && v1 > 0);
    for (int i = 0; i < B * K; i++)
        assert_true(fabs(g2[i] - (0.25 * i + 0.5 * g1[i])) <= 1e-6 * (1 + fabs(g2[i])));

    int a1, a2;
    v1 = loss_proposed(W, K, N, 10, 1, w1, ws, &a1);
    v2 = loss_proposed(W, K, N, 10, (real)0.5, w2, ws, &a2);
    assert_true(v1 == v2 && a1 == a2 && a1 == K * (K - 1));
    for (int i = 0; i < K * N; i++)
        assert_true(fabs(w2[i] - (-0.5 * i + 0.5 * w1[i])) <= 1e-6 * (1 + fabs(w2[i])));
    free(ws);
}

// ---- edge cases ----

static void test_edge_batch_of_one(void **state)
{
    (void)state;
    enum { K = 5 };
    real A[K] = {0.5, 0, 3, 1e3, -2}, dA[K], Y[1] = {0.7}, dY[1] = {0.125};
    real *ws = reals(loss_workspace_size(1, K, 1));
    for (int j = 0; j < K; j++)
        dA[j] = 0.125;
    assert_true(loss_decov(A, 1, K, K, 1, dA, K, ws) == 0);
    assert_true(loss_xcov(Y, 1, 1, A, K, K, 1, 1, dY, 1, dA, K, ws) == 0);
    for (int j = 0; j < K; j++)
        assert_true(dA[j] == (real)0.125);
    assert_true(dY[0] == (real)0.125);
    free(ws);
}

static void test_edge_proposed_degenerate(void **state)
{
    (void)state;
    enum { N = 6 };
    real W[N] = {1, 2, 3, -4, 5, 0}, dW[N] = {7, 7, 7, 7, 7, 7}, ws[3 * N + 2];
    int active = -1;
    assert_true(loss_proposed(W, 1, N, 5, 1, dW, ws, &active) == 0); /* K = 1: no pairs */
    assert_int_equal(active, 0);
    for (int c = 0; c < N; c++)
        assert_true(dW[c] == 7);

    /* Distinct sharp rows, tiny margin: no hinge active, value 0, dW untouched. */
    enum { K = 4 };
    struct rng r;
    rng_seed(&r, 5);
    real V[K * N], dV[K * N], *wsv = reals(loss_proposed_workspace(K, N));
    fill_normal(&r, V, K * N, 3.0, 0);
    for (int i = 0; i < K * N; i++)
        dV[i] = (real)i;
    assert_true(loss_proposed(V, K, N, (real)1e-3, 1, dV, wsv, &active) == 0);
    assert_int_equal(active, 0);
    for (int i = 0; i < K * N; i++)
        assert_true(dV[i] == (real)i);
    free(wsv);
}

static void test_edge_huge_weights(void **state)
{
    (void)state;
    enum { K = 8, N = 16 };
    struct rng r;
    rng_seed(&r, 3);
    real W[K * N], dW[K * N] = {0};
    real *ws = reals(loss_proposed_workspace(K, N));
    for (int i = 0; i < K * N; i++)
        W[i] = (real)(rng_below(&r, 2) ? 100 : -100) * (real)rng_uniform(&r);
    W[0] = 100, W[N] = -100; /* the extremes themselves */
    int active;
    double v = loss_proposed(W, K, N, 5, 1, dW, ws, &active);
    assert_true(isfinite(v) && v >= 0);
    assert_true(all_finite(dW, K * N));
    /* All ±100: row i is +100 where (c + i) mod 3 == 0. Rows with i ≡ j (mod 3)
     * are equal (KL = 0, active); the others have disjoint maxima (KL ≈ 200). */
    for (int i = 0; i < K; i++)
        for (int c = 0; c < N; c++)
            W[i * N + c] = (real)((c + i) % 3 == 0 ? 100 : -100);
    v = loss_proposed(W, K, N, 5, 1, dW, ws, &active);
    assert_int_equal(active, 6 + 6 + 2); /* {0,3,6}, {1,4,7}, {2,5} */
    check_value("equal sharp rows", v, 14 * 5.0, 1e-5);
    assert_true(all_finite(dW, K * N));
    free(ws);
}

static void test_edge_bce_large_logits(void **state)
{
    (void)state;
    real z[4] = {100, -100, 100, -100}, y[4] = {0, 1, 1, 0}, dz[4];
    double v = loss_bce_logits(z, y, 4, dz);
    /* Two confident mistakes cost 100 each; two confident hits cost e^-100. */
    assert_true(fabs(v - 50.0) <= 1e-12);
    assert_true(all_finite(dz, 4));
    assert_true(fabs(dz[0] - 0.25) <= 1e-7 && fabs(dz[1] + 0.25) <= 1e-7);
    assert_true(fabs(dz[2]) <= 1e-7 && fabs(dz[3]) <= 1e-7);
}

#ifdef FTL_DOUBLE
// ---- finite differences (float64 build only) ----

/*
 * Central differences (step h) of eval() in every element of x, compared
 * normwise with the analytic gradient eval() adds into a zeroed buffer.
 */
typedef double (*eval_fn)(void *ctx, real *grad);

static double fd_error(eval_fn eval, void *ctx, real *x, size_t n, double h)
{
    real *grad = reals(n);
    eval(ctx, grad);
    double err = 0.0;
    for (size_t k = 0; k < n; k++) {
        real saved = x[k];
        x[k] = saved + h;
        double fp = eval(ctx, NULL);
        x[k] = saved - h;
        double fm = eval(ctx, NULL);
        x[k] = saved;
        err = fmax(err, fabs((fp - fm) / (2 * h) - grad[k]));
    }
    double scale = 0.0;
    for (size_t k = 0; k < n; k++)
        scale = fmax(scale, fabs(grad[k]));
    free(grad);
    assert_true(scale > 0);
    return err / scale;
}

struct bce_ctx {
    real *z, *y;
    int B;
};

static double eval_bce(void *p, real *grad)
{
    struct bce_ctx *c = p;
    return loss_bce_logits(c->z, c->y, c->B, grad);
}

static void test_fd_bce(void **state)
{
    (void)state;
    real z[6] = {-3.1, -0.4, 0, 0.2, 1.7, 8}, y[6] = {1, 0, 1, 0.3, 0, 1};
    struct bce_ctx c = {z, y, 6};
    assert_true(fd_error(eval_bce, &c, z, 6, 1e-5) < FD_TOL);
}

struct decov_ctx {
    real *A, *ws;
    int B, K, ld;
};

static double eval_decov(void *p, real *grad)
{
    struct decov_ctx *c = p;
    return loss_decov(c->A, c->B, c->K, c->ld, 1, grad, c->ld, c->ws);
}

static void test_fd_decov(void **state)
{
    (void)state;
    enum { B = 7, K = 5, LD = K + 2 };
    struct rng r;
    rng_seed(&r, 1);
    real A[B * LD];
    fill_normal(&r, A, B * LD, 1.0, 1); /* post-ReLU: some exact zeros */
    int zeros = 0;
    for (int i = 0; i < B * LD; i++)
        zeros += A[i] == 0;
    assert_true(zeros > 3);
    struct decov_ctx c = {A, reals(loss_decov_workspace(B, K)), B, K, LD};
    double err = fd_error(eval_decov, &c, A, B * LD, 1e-5); /* padding columns must get 0 */
    print_message("decov fd error %.3g\n", err);
    assert_true(err < FD_TOL);
    free(c.ws);
}

struct xcov_ctx {
    real *Y, *Z, *dY_base, *dZ_base, *ws;
    int ldy, P, ldz, Q, B;
    int wrt_z; /* classifier shape: which input the FD buffer is */
};

static double eval_xcov_classifier(void *p, real *grad)
{
    struct xcov_ctx *c = p;
    real *dY = grad && !c->wrt_z ? grad : NULL, *dZ = grad && c->wrt_z ? grad : NULL;
    return loss_xcov(c->Y, 1, 1, c->Z, c->Q, c->Q, c->B, 1, dY, 1, dZ, c->Q, c->ws);
}

static void test_fd_xcov_classifier(void **state)
{
    (void)state;
    enum { B = 7, Q = 5 };
    struct rng r;
    rng_seed(&r, 2);
    real Y[B], Z[B * Q];
    for (int b = 0; b < B; b++)
        Y[b] = (real)(1 / (1 + exp(-2 * rng_normal(&r))));
    fill_normal(&r, Z, B * Q, 1.0, 1);
    struct xcov_ctx c = {.Y = Y, .Z = Z, .ws = reals(loss_xcov_workspace(B, 1, Q)), .Q = Q, .B = B};
    c.wrt_z = 0;
    assert_true(fd_error(eval_xcov_classifier, &c, Y, B, 1e-5) < FD_TOL);
    c.wrt_z = 1;
    assert_true(fd_error(eval_xcov_classifier, &c, Z, B * Q, 1e-5) < FD_TOL);
    free(c.ws);
}

/* Autoencoder: Y and Z are the two halves of one code matrix x (B x K, stride ld). */
static double eval_xcov_halves(void *p, real *grad)
{
    struct xcov_ctx *c = p;
    return loss_xcov(c->Y, c->ldy, c->P, c->Y + c->P, c->ldy, c->Q, c->B, 1, grad, c->ldy,
                     grad ? grad + c->P : NULL, c->ldy, c->ws);
}

static void test_fd_xcov_halves(void **state)
{
    (void)state;
    enum { B = 8 };
    struct rng r;
    rng_seed(&r, 4);
    for (int K = 6; K <= 7; K++) {
        int ld = K + 3, P = K / 2;
        real *code = reals((size_t)B * ld);
        fill_normal(&r, code, (size_t)B * ld, 1.0, 1);
        struct xcov_ctx c = {.Y = code,
                             .ldy = ld,
                             .P = P,
                             .Q = K - P,
                             .B = B,
                             .ws = reals(loss_xcov_workspace(B, P, K - P))};
        double err = fd_error(eval_xcov_halves, &c, code, (size_t)B * ld, 1e-5);
        print_message("xcov halves K=%d fd error %.3g\n", K, err);
        assert_true(err < FD_TOL);
        free(code);
        free(c.ws);
    }
}

struct proposed_ctx {
    real *W, *ws;
    int K, N, base_active;
    real m;
};

static double eval_proposed(void *p, real *grad)
{
    struct proposed_ctx *c = p;
    int active;
    double v = loss_proposed(c->W, c->K, c->N, c->m, 1, grad, c->ws, &active);
    /* A hinge switching inside ±h would make the difference meaningless. */
    if (c->base_active < 0)
        c->base_active = active;
    else
        assert_int_equal(active, c->base_active);
    return v;
}

static int fd_proposed(real *W, int K, int N, double m)
{
    struct proposed_ctx c = {W, reals(loss_proposed_workspace(K, N)), K, N, -1, (real)m};
    /* The value is ~K(K−1)m: its last bit divided by 2h sets the step. */
    double h = 1e-5 * fmax(1.0, sqrt(K * (K - 1) * m / 100));
    double err = fd_error(eval_proposed, &c, W, (size_t)K * N, h);
    print_message("proposed K=%d N=%d m=%g: %d/%d active, fd error %.3g\n", K, N, m, c.base_active,
                  K * (K - 1), err);
    assert_true(err < FD_TOL);
    free(c.ws);
    return c.base_active;
}

static void test_fd_proposed(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 7);
    real *W = reals(32 * 128);

    fill_normal(&r, W, 6 * 9, 0.5, 0); /* all active */
    assert_int_equal(fd_proposed(W, 6, 9, 10), 6 * 5);
    fill_normal(&r, W, 10 * 12, 1.5, 0); /* partly active */
    int a = fd_proposed(W, 10, 12, 1);
    assert_true(a > 0 && a < 10 * 9);
    fill_wave(W, 8, 16, 16, 1.3, 0.7, 0.1, 1.5, 0); /* reference input, min |KL − m| = 0.0175 */
    assert_int_equal(fd_proposed(W, 8, 16, 1), ref_p_part_active);
    fill_wave(W, 5, 8, 8, 0.4, 1.1, 0.4, 100.0, 0); /* huge weights, 4 of 20 active */
    assert_int_equal(fd_proposed(W, 5, 8, 5), ref_p_huge_active);
    fill_normal(&r, W, 32 * 128, 1.0 / sqrt(128.0), 0); /* FC1 at PyTorch init scale */
    assert_int_equal(fd_proposed(W, 32, 128, 5), 32 * 31);
    free(W);
}
#else
// ---- float build: the per-step cost (SPEC.md §10: K = 32, H = 128, B = 256) ----

enum { TIMING_BLOCKS = 7, TIMING_REPS = 200 };

struct timing_case {
    real *A, *dA, *W, *dW, *p, *dp, *ws;
    int B, K, N;
    double sum;
};

static void timing_run(struct timing_case *t, int which)
{
    const real lambda = (real)1e-9; /* gradients stay small and finite */
    int B = t->B, K = t->K, N = t->N;
    switch (which) {
    case 0:
        t->sum += loss_proposed(t->W, K, N, 5, lambda, t->dW, t->ws, NULL);
        break;
    case 1:
        t->sum += loss_decov(t->A, B, K, K, lambda, t->dA, K, t->ws);
        break;
    case 2:
        t->sum += loss_xcov(t->p, 1, 1, t->A, K, K, B, lambda, t->dp, 1, t->dA, K, t->ws);
        break;
    default:
        t->sum += loss_xcov(t->A, K, K / 2, t->A + K / 2, K, K - K / 2, B, lambda, t->dA, K,
                            t->dA + K / 2, K, t->ws);
    }
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/*
 * Microseconds per call: the best wall-clock block of TIMING_REPS calls, and
 * the process CPU time (all threads) per call, which a busy shared machine
 * disturbs less.
 */
static void timing_measure(struct timing_case *t, int which, double *wall_us, double *cpu_us)
{
    double best = INFINITY, c0 = cpu_seconds();
    for (int k = 0; k < TIMING_BLOCKS; k++) {
        double t0 = ftl_now();
        for (int i = 0; i < TIMING_REPS; i++)
            timing_run(t, which);
        best = fmin(best, (ftl_now() - t0) / TIMING_REPS);
    }
    *wall_us = 1e6 * best;
    *cpu_us = 1e6 * (cpu_seconds() - c0) / (TIMING_BLOCKS * TIMING_REPS);
}

static void test_timing(void **state)
{
    (void)state;
    enum { B = 256, K = 32, N = 128 };
    struct rng r;
    rng_seed(&r, 9);
    struct timing_case t = {reals((size_t)B * K),
                            reals((size_t)B * K),
                            reals((size_t)K * N),
                            reals((size_t)K * N),
                            reals(B),
                            reals(B),
                            reals(loss_workspace_size(B, K, N)),
                            B,
                            K,
                            N,
                            0.0};
    fill_normal(&r, t.A, (size_t)B * K, 1.0, 1);
    fill_normal(&r, t.W, (size_t)K * N, 1.0 / sqrt(N), 0);
    for (int b = 0; b < B; b++)
        t.p[b] = (real)rng_uniform(&r);
    static const char *const what[4] = {"proposed K=32 N=128", "decov B=256 K=32",
                                        "xcov (p, FC1) B=256 K=32", "xcov halves B=256 K=32"};
    print_message("per call, float, value + gradient (wall: best of %d x %d; cpu: mean):\n",
                  TIMING_BLOCKS, TIMING_REPS);
    for (int which = 0; which < 4; which++) {
        double wall, cpu;
        timing_measure(&t, which, &wall, &cpu);
        print_message("  %-26s wall %7.1f us   cpu %7.1f us\n", what[which], wall, cpu);
    }
    assert_true(isfinite(t.sum) && all_finite(t.dW, (size_t)K * N) &&
                all_finite(t.dA, (size_t)B * K));
    free(t.A), free(t.dA), free(t.W), free(t.dW), free(t.p), free(t.dp), free(t.ws);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reg_table),
        cmocka_unit_test(test_ref_bce),
        cmocka_unit_test(test_ref_decov),
        cmocka_unit_test(test_ref_xcov_classifier),
        cmocka_unit_test(test_ref_xcov_halves),
        cmocka_unit_test(test_ref_proposed),
        cmocka_unit_test(test_proposed_equal_rows),
        cmocka_unit_test(test_scale_adds),
        cmocka_unit_test(test_edge_batch_of_one),
        cmocka_unit_test(test_edge_proposed_degenerate),
        cmocka_unit_test(test_edge_huge_weights),
        cmocka_unit_test(test_edge_bce_large_logits),
#ifdef FTL_DOUBLE
        cmocka_unit_test(test_fd_bce),
        cmocka_unit_test(test_fd_decov),
        cmocka_unit_test(test_fd_xcov_classifier),
        cmocka_unit_test(test_fd_xcov_halves),
        cmocka_unit_test(test_fd_proposed),
#else
        cmocka_unit_test(test_timing),
#endif
    };
#ifdef FTL_DOUBLE
    return cmocka_run_group_tests_name("loss (double)", tests, NULL, NULL);
#else
    return cmocka_run_group_tests_name("loss (float)", tests, NULL, NULL);
#endif
}
