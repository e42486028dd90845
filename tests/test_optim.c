/*
 * test_optim — Adam and SGD against torch.optim (tests/ref/optim_ref.py:
 * float32, 37 parameters, 5 steps, lr changed after step 3, clipping in one
 * case), plus the properties the trainer relies on: a zero gradient moves
 * nothing, the state restores bit for bit, the caller's gradient is never
 * touched, and the NaN check sees every NaN and inf.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "optim.h"
#include "ref/optim_ref.h"

#define N OPTIM_REF_N

// ---- the inputs, the same formulas as optim_ref.py ----

static float param0(size_t i)
{
    return (float)((1.0 + 0.5 * sin(0.7 * (double)i + 0.3)) * (i % 2 ? -1.0 : 1.0));
}

static float grad(int t, size_t i)
{
    if (i % 11 == 5) return 0.0f;
    return (float)(optim_ref_grad_scale[t] * 0.8 * sin(0.9 * (double)i + 1.3 * t + 0.2) *
                   pow(10.0, -(double)(i % 4)));
}

/* Runs one reference case: lr for steps 1-3, lr_after3 for steps 4-5. */
static void run_case(enum optim_kind kind, double lr, double lr_after3, double clip, float p[N],
                     double norms[OPTIM_REF_STEPS])
{
    struct optim o;
    optim_init(&o, kind, N, lr);
    o.clip = clip;
    float g[N];
    for (size_t i = 0; i < N; i++)
        p[i] = param0(i);
    for (int t = 0; t < OPTIM_REF_STEPS; t++) {
        if (t == 3) o.lr = lr_after3;
        for (size_t i = 0; i < N; i++)
            g[i] = grad(t, i);
        norms[t] = optim_step(&o, p, g);
    }
    assert_int_equal(o.t, OPTIM_REF_STEPS);
    optim_free(&o);
}

static void expect_close(const float *got, const float *want, size_t n, const char *what)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double rel = fabs((double)got[i] - (double)want[i]) / fabs((double)want[i]);
        if (rel > worst) worst = rel;
        if (!(rel <= 1e-6))
            fail_msg("%s: p[%zu] = %.9g, PyTorch %.9g (relative error %.3g)", what, i, got[i],
                     want[i], rel);
    }
    print_message("%s: worst relative error vs PyTorch %.3g\n", what, worst);
}

static void expect_norms(const double *norms)
{
    for (int t = 0; t < OPTIM_REF_STEPS; t++)
        if (!(fabs(norms[t] - optim_ref_norms[t]) <= 1e-12 * optim_ref_norms[t]))
            fail_msg("step %d: norm %.17g, expected %.17g", t + 1, norms[t], optim_ref_norms[t]);
}

// ---- agreement with PyTorch ----

static void test_adam_matches_pytorch(void **state)
{
    (void)state;
    float p[N];
    double norms[OPTIM_REF_STEPS];
    run_case(OPTIM_ADAM, 1e-3, 5e-4, 0, p, norms);
    expect_close(p, optim_ref_adam, N, "adam");
    expect_norms(norms);
}

static void test_adam_clipped_matches_pytorch(void **state)
{
    (void)state;
    float p[N];
    double norms[OPTIM_REF_STEPS];
    run_case(OPTIM_ADAM, 1e-2, 2e-2, 1.0, p, norms);
    expect_close(p, optim_ref_adam_clip, N, "adam, clip 1.0");
    /* the returned norm is the one before clipping, and clipping really acted */
    expect_norms(norms);
    double unclipped[OPTIM_REF_STEPS];
    float q[N];
    run_case(OPTIM_ADAM, 1e-2, 2e-2, 0, q, unclipped);
    assert_memory_not_equal(p, q, sizeof p);
}

static void test_sgd_matches_pytorch(void **state)
{
    (void)state;
    float p[N];
    double norms[OPTIM_REF_STEPS];
    run_case(OPTIM_SGD, 0.1, 0.05, 0, p, norms);
    expect_close(p, optim_ref_sgd, N, "sgd");
    expect_norms(norms);
}

// ---- properties ----

static void test_zero_gradient_moves_nothing(void **state)
{
    (void)state;
    float p[N], before[N], g[N] = {0};
    for (size_t i = 0; i < N; i++)
        before[i] = p[i] = param0(i);
    enum optim_kind kinds[] = {OPTIM_SGD, OPTIM_ADAM};
    for (size_t k = 0; k < 2; k++) {
        struct optim o;
        optim_init(&o, kinds[k], N, 0.5);
        o.clip = 1.0;
        for (int t = 0; t < 3; t++)
            assert_true(optim_step(&o, p, g) == 0.0);
        assert_memory_equal(p, before, sizeof p);
        optim_free(&o);
    }
}

/* Adam's first step moves every element with a nonzero gradient by lr·sign(g). */
static void test_adam_first_step_is_lr(void **state)
{
    (void)state;
    float p[N], g[N];
    struct optim o;
    optim_init(&o, OPTIM_ADAM, N, 1e-3);
    for (size_t i = 0; i < N; i++) {
        p[i] = param0(i);
        g[i] = grad(0, i);
    }
    optim_step(&o, p, g);
    for (size_t i = 0; i < N; i++) {
        double moved = (double)param0(i) - (double)p[i];
        double want = g[i] > 0 ? 1e-3 : g[i] < 0 ? -1e-3 : 0;
        assert_true(fabs(moved - want) < 1e-6);
    }
    optim_free(&o);
}

/* Saving n, t, m, v and restoring them continues a run bit for bit. */
static void test_state_restores_exactly(void **state)
{
    (void)state;
    float p[N], q[N], g[N];
    struct optim a, b;
    optim_init(&a, OPTIM_ADAM, N, 1e-2);
    for (size_t i = 0; i < N; i++)
        p[i] = param0(i);
    for (int t = 0; t < 2; t++) {
        for (size_t i = 0; i < N; i++)
            g[i] = grad(t, i);
        optim_step(&a, p, g);
    }
    optim_init(&b, OPTIM_ADAM, N, 1e-2);
    memcpy(b.m, a.m, N * sizeof *b.m);
    memcpy(b.v, a.v, N * sizeof *b.v);
    b.t = a.t;
    memcpy(q, p, sizeof q);
    for (int t = 2; t < OPTIM_REF_STEPS; t++) {
        for (size_t i = 0; i < N; i++)
            g[i] = grad(t, i);
        optim_step(&a, p, g);
        optim_step(&b, q, g);
    }
    assert_memory_equal(p, q, sizeof p);
    assert_memory_equal(a.m, b.m, N * sizeof *a.m);
    assert_memory_equal(a.v, b.v, N * sizeof *a.v);
    /* and a fresh optimiser (t = 0) would not have matched */
    optim_free(&b);
    optim_init(&b, OPTIM_ADAM, N, 1e-2);
    for (size_t i = 0; i < N; i++)
        q[i] = param0(i);
    optim_step(&b, q, g);
    assert_memory_not_equal(p, q, sizeof p);
    optim_free(&a);
    optim_free(&b);
}

/* The gradient is const: clipping scales a private copy of each element. */
static void test_clip_leaves_gradient_alone(void **state)
{
    (void)state;
    float p[N], g[N], g_copy[N];
    for (size_t i = 0; i < N; i++) {
        p[i] = param0(i);
        g_copy[i] = g[i] = grad(1, i);
    }
    struct optim o;
    optim_init(&o, OPTIM_SGD, N, 1.0);
    o.clip = 0.25;
    double norm = optim_step(&o, p, g);
    assert_memory_equal(g, g_copy, sizeof g);
    /* the step taken has norm clip·norm/(norm+1e-6) */
    float step[N];
    for (size_t i = 0; i < N; i++)
        step[i] = p[i] - param0(i);
    double moved = optim_grad_norm(step, N);
    assert_true(fabs(moved - 0.25 * norm / (norm + 1e-6)) < 1e-6);
    optim_free(&o);
}

static void test_all_finite(void **state)
{
    (void)state;
    float x[N];
    for (size_t i = 0; i < N; i++)
        x[i] = param0(i);
    x[3] = FLT_MAX;
    x[4] = -FLT_MAX;
    x[5] = FLT_MIN / 8; /* subnormal */
    x[6] = -0.0f;
    assert_true(optim_all_finite(x, N));
    assert_true(optim_all_finite(x, 0));
    /* computed at run time, so nothing can be folded away */
    volatile float zero = 0.0f;
    const float bad[] = {zero / zero, -(zero / zero), 1.0f / zero, -1.0f / zero};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        for (size_t at = 0; at < N; at += 12) {
            float saved = x[at];
            x[at] = bad[b];
            if (optim_all_finite(x, N)) fail_msg("missed %g at %zu", (double)bad[b], at);
            x[at] = saved;
        }
    }
    /* a NaN gradient makes the returned norm NaN, which the trainer sees */
    float g[N] = {0};
    g[N - 1] = zero / zero;
    struct optim o;
    optim_init(&o, OPTIM_ADAM, N, 1e-3);
    assert_true(isnan(optim_step(&o, x, g)));
    assert_false(optim_all_finite(x, N));
    optim_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adam_matches_pytorch),
        cmocka_unit_test(test_adam_clipped_matches_pytorch),
        cmocka_unit_test(test_sgd_matches_pytorch),
        cmocka_unit_test(test_zero_gradient_moves_nothing),
        cmocka_unit_test(test_adam_first_step_is_lr),
        cmocka_unit_test(test_state_restores_exactly),
        cmocka_unit_test(test_clip_leaves_gradient_alone),
        cmocka_unit_test(test_all_finite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
