/*
 * Tests for model, built with -DFTL_DOUBLE: end-to-end finite differences of
 * both networks under every regulariser, and PyTorch reference values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util.h"

/* A small dataset of unequal lengths, values like the real rows. */
static void small_data(struct dataset *d, size_t n)
{
    size_t rows = 0;
    for (size_t i = 0; i < n; i++)
        rows += 2 + (i * 5) % 7;
    dataset_init(d, n, rows, "test");
    size_t r = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = 2 + (i * 5) % 7;
        for (size_t t = 0; t < len; t++) {
            int8_t *row = d->rows + (r + t) * 4;
            row[0] = (int8_t)(t == 0 ? (int)(5 + i % 7) : (int)((i + t) % 3) - 1 + 0 * (int)i);
            row[1] = (int8_t)(t == 0 ? 9 : (int)((i * t) % 3) - 1);
            row[2] = t + 1 == len || t % 4 == 3;
            row[3] = t + 1 == len;
            if (row[0] == 0 && row[1] == 0 && !row[2])
                row[0] = 1;
        }
        r += len;
        d->offset[i + 1] = (uint32_t)r;
        d->digit[i] = (uint8_t)((i * 3) % 10);
    }
}

struct fixture {
    struct model m;
    struct model_work w;
    struct dataset d;
    struct batch b;
};

static void setup(struct fixture *f, enum model_task task, int H, int K, size_t n)
{
    model_init(&f->m, task, H, K);
    model_init_weights(&f->m, 7);
    /* Larger weights than the default init, so that every gate and ReLU path matters. */
    for (size_t i = 0; i < f->m.size; i++)
        f->m.w[i] *= 2.5;
    small_data(&f->d, n);
    uint32_t idx[64];
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint32_t)i;
    batch_init(&f->b);
    batch_fill(&f->b, &f->d, idx, (int)n);
    model_work_init(&f->w, &f->m, (int)n, f->b.off[f->b.T]);
}

static void teardown(struct fixture *f)
{
    model_work_free(&f->w);
    batch_free(&f->b);
    dataset_free(&f->d);
    model_free(&f->m);
}

static double total(struct fixture *f, enum reg_kind r, double lambda, double margin)
{
    struct model_terms t;
    model_step(&f->m, &f->w, &f->b, r, lambda, margin, NULL, &t);
    return t.total;
}

/* Central differences over every parameter; relative error against the analytic gradient. */
static void check_gradient(enum model_task task, enum reg_kind r, double lambda, double margin)
{
    struct fixture f;
    setup(&f, task, 5, 4, 6);
    real *g = xcalloc(f.m.size, sizeof *g);
    struct model_terms t;
    model_step(&f.m, &f.w, &f.b, r, lambda, margin, g, &t);
    assert_true(isfinite(t.total));
    double worst = 0, eps = 1e-5, scale = 1e-4 * fmax(1.0, fabs(t.total));
    const char *worst_name = "";
    double worst_num = 0, worst_ana = 0;
    for (int p = 0; p < f.m.nparam; p++) {
        const struct model_param *mp = &f.m.param[p];
        for (size_t j = 0; j < (size_t)mp->rows * mp->cols; j++) {
            real *w = f.m.w + mp->offset + j, keep = *w;
            *w = keep + eps;
            double up = total(&f, r, lambda, margin);
            *w = keep - eps;
            double down = total(&f, r, lambda, margin);
            *w = keep;
            double num = (up - down) / (2 * eps), ana = g[mp->offset + j];
            /* Round-off in L grows with |L| / eps; the floor keeps it from reading as an error. */
            double err = fabs(num - ana) / fmax(scale, fabs(num) + fabs(ana));
            if (err > worst) {
                worst = err;
                worst_name = mp->name;
                worst_num = num;
                worst_ana = ana;
            }
        }
    }
    printf("# %s + %s: worst relative gradient error %.2e (%s: %.10g vs %.10g), loss %g\n",
           model_task_name(task), reg_table[r].name, worst, worst_name, worst_num, worst_ana,
           t.total);
    assert_true(worst < 1e-6);
    free(g);
    teardown(&f);
}

static void test_classifier_gradients(void **state_)
{
    for (int r = 0; r < REG_COUNT; r++)
        check_gradient(TASK_CLASSIFY, (enum reg_kind)r, 0.7, 3.0);
}

static void test_autoencoder_gradients(void **state_)
{
    for (int r = 0; r < REG_COUNT; r++)
        check_gradient(TASK_AUTOENCODE, (enum reg_kind)r, 0.7, 3.0);
}

static void test_parameter_table(void **state_)
{
    struct model m;
    model_init(&m, TASK_CLASSIFY, 128, 32);
    const struct model_param *p = model_find(&m, "gru.weight_ih_l0");
    assert_non_null(p);
    assert_int_equal(p->rows, 384);
    assert_int_equal(p->cols, 4);
    assert_int_equal(model_find(&m, "fc1.weight")->rows, 32);
    assert_int_equal(model_find(&m, "fc1.weight")->cols, 128);
    assert_int_equal(model_find(&m, "fc2.bias")->ndim, 1);
    assert_int_equal(m.size, 384 * 4 + 384 * 128 + 2 * 384 + 32 * 128 + 32 + 32 + 1);
    /* PyTorch init bounds: GRU 1/sqrt(H), fc1 1/sqrt(H), fc2 1/sqrt(K). */
    model_init_weights(&m, 3);
    double mx[3] = {0};
    for (size_t j = 0; j < 384 * 128; j++)
        mx[0] = fmax(mx[0], fabs(m.v.enc.w_hh[j]));
    for (size_t j = 0; j < 32; j++)
        mx[1] = fmax(mx[1], fabs(m.v.fc2_w[j]));
    assert_true(mx[0] <= 1 / sqrt(128.0) && mx[0] > 0.95 / sqrt(128.0));
    assert_true(mx[1] <= 1 / sqrt(32.0) && mx[1] > 0.5 / sqrt(32.0));
    model_free(&m);
    model_init(&m, TASK_AUTOENCODE, 128, 32);
    assert_int_equal(model_find(&m, "dec.weight_ih_l0")->cols, 32);
    assert_int_equal(model_find(&m, "out.weight")->rows, 4);
    assert_null(model_find(&m, "fc1.weight"));
    model_free(&m);
}

/* Evaluating a dataset in batches gives each sequence's own activations, in dataset order. */
static void test_evaluate_order(void **state_)
{
    struct fixture f;
    setup(&f, TASK_CLASSIFY, 5, 4, 6);
    float acts[6 * 4];
    double loss, acc;
    model_evaluate(&f.m, &f.w, &f.d, acts, &loss, &acc);
    struct model_terms t;
    model_step(&f.m, &f.w, &f.b, REG_BASELINE, 0, 0, NULL, &t);
    assert_true(fabs(loss - t.task) < 1e-12);
    assert_true(fabs(acc - t.correct / 6.0) < 1e-12);
    for (int r = 0; r < 6; r++)
        for (int k = 0; k < 4; k++)
            assert_true(fabs(acts[f.b.index[r] * 4 + k] - f.w.a[r * 4 + k]) < 1e-6);
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameter_table),
        cmocka_unit_test(test_classifier_gradients),
        cmocka_unit_test(test_autoencoder_gradients),
        cmocka_unit_test(test_evaluate_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
