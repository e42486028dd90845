/*
 * test_dense — the fully connected layer and ReLU: a small example worked by
 * hand, and (in the -DFTL_DOUBLE build) finite differences.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "rng.h"
#include "util.h"

#ifdef FTL_DOUBLE
#define TOL 1e-14
#else
#define TOL 1e-6
#endif

static void check_close(const char *what, const real *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double scale = fabs(b[i]) > 1 ? fabs(b[i]) : 1;
        if (!(fabs((double)a[i] - b[i]) <= TOL * scale))
            fail_msg("%s[%zu]: got %.17g, want %.17g", what, i, (double)a[i], b[i]);
    }
}

/*
 * x = [1 2; 3 -4], W = [1 0; 0.5 -1; 2 1], b = [0.1 0.2 -0.3]:
 * y = x W^T + b = [1.1 -1.3 3.7; 3.1 5.7 1.7], relu zeroes y[0][1].
 * With dL/d relu(y) = 1 everywhere, the mask m = [1 0 1; 1 1 1] gives
 * dW = m^T x = [4 -2; 3 -4; 4 -2], db = [2 1 2], dx = m W = [3 1; 3.5 0].
 */
static void test_worked_example(void **state)
{
    (void)state;
    const real x[] = {1, 2, 3, -4}, w[] = {1, 0, 0.5, -1, 2, 1}, b[] = {0.1, 0.2, -0.3};
    real y[6], dy[6], dx[4], dw[6] = {0}, db[3] = {0};
    dense_forward(x, w, b, 2, 2, 3, y);
    static const double want_y[] = {1.1, -1.3, 3.7, 3.1, 5.7, 1.7};
    check_close("y", y, want_y, 6);
    dense_relu_forward(y, 6);
    static const double want_relu[] = {1.1, 0, 3.7, 3.1, 5.7, 1.7};
    check_close("relu", y, want_relu, 6);

    /* Twice: dw and db accumulate, dx is overwritten. */
    for (int pass = 1; pass <= 2; pass++) {
        for (int i = 0; i < 6; i++)
            dy[i] = 1;
        dense_relu_backward(y, 6, dy);
        memset(dx, 0xff, sizeof dx);
        dense_backward(dy, x, w, 2, 2, 3, dx, dw, db);
        const double want_dw[] = {4 * pass, -2 * pass, 3 * pass, -4 * pass, 4 * pass, -2 * pass};
        const double want_db[] = {2 * pass, 1 * pass, 2 * pass};
        static const double want_dx[] = {3, 1, 3.5, 0};
        check_close("dw", dw, want_dw, 6);
        check_close("db", db, want_db, 3);
        check_close("dx", dx, want_dx, 4);
    }
    dense_backward(dy, x, w, 2, 2, 3, NULL, dw, db); /* dx is optional */
}

/* ReLU lets a NaN through, so that a diverging run is seen, not hidden. */
static void test_relu_nan(void **state)
{
    (void)state;
    real y[3] = {-1, (real)NAN, 2};
    dense_relu_forward(y, 3);
    assert_true(y[0] == 0 && isnan(y[1]) && y[2] == 2);
}

#ifdef FTL_DOUBLE
enum { B = 3, IN = 5, OUT = 4 };

/* L = sum(v * relu(x W^T + b)). */
static double loss(const real *x, const real *w, const real *b, const real *v)
{
    real y[B * OUT];
    dense_forward(x, w, b, B, IN, OUT, y);
    dense_relu_forward(y, B * OUT);
    double L = 0;
    for (int i = 0; i < B * OUT; i++)
        L += v[i] * y[i];
    return L;
}

static void fd_check(const char *what, real *p, const real *g, size_t n, const real *x,
                     const real *w, const real *b, const real *v)
{
    const double eps = 1e-6;
    for (size_t i = 0; i < n; i++) {
        real keep = p[i];
        p[i] = keep + eps;
        double up = loss(x, w, b, v);
        p[i] = keep - eps;
        double down = loss(x, w, b, v);
        p[i] = keep;
        double fd = (up - down) / (2 * eps);
        double scale = fmax(fmax(fabs(fd), fabs(g[i])), 1e-3);
        if (!(fabs(fd - g[i]) / scale < 1e-6))
            fail_msg("%s[%zu]: analytic %.12g, finite difference %.12g", what, i, g[i], fd);
    }
}

static void test_finite_differences(void **state)
{
    (void)state;
    real x[B * IN], w[OUT * IN], b[OUT], v[B * OUT], y[B * OUT], dy[B * OUT];
    real dx[B * IN], dw[OUT * IN] = {0}, db[OUT] = {0};
    struct rng r;
    rng_seed(&r, 7);
    for (int i = 0; i < B * IN; i++)
        x[i] = 2 * rng_uniform(&r) - 1;
    for (int i = 0; i < OUT * IN; i++)
        w[i] = 2 * rng_uniform(&r) - 1;
    for (int i = 0; i < OUT; i++)
        b[i] = 2 * rng_uniform(&r) - 1;
    for (int i = 0; i < B * OUT; i++)
        v[i] = 2 * rng_uniform(&r) - 1;
    dense_forward(x, w, b, B, IN, OUT, y);
    dense_relu_forward(y, B * OUT);
    int zeros = 0;
    for (int i = 0; i < B * OUT; i++)
        zeros += y[i] == 0;
    assert_true(zeros > 0 && zeros < B * OUT); /* both ReLU branches are exercised */
    memcpy(dy, v, sizeof dy);
    dense_relu_backward(y, B * OUT, dy);
    dense_backward(dy, x, w, B, IN, OUT, dx, dw, db);
    fd_check("x", x, dx, B * IN, x, w, b, v);
    fd_check("w", w, dw, OUT * IN, x, w, b, v);
    fd_check("b", b, db, OUT, x, w, b, v);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_relu_nan),
#ifdef FTL_DOUBLE
        cmocka_unit_test(test_finite_differences),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
