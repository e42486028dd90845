/*
 * Tests for model, built with -DFTL_DOUBLE: end-to-end finite differences of
 * both networks under every regulariser, and the values, activations and
 * gradients of the same networks in PyTorch (tests/ref/model_ref.py).
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
#include "ref/model_ref.h"
#include "util.h"

/* A small dataset of unequal lengths, values like the real rows (tests/ref/model_ref.py's
 * dataset_rows() builds the same); D > 4 adds columns 0.25 * ((7 i + 3 t + c) % 9 - 4). */
static void small_data_wide(struct dataset *d, size_t n, int D)
{
    size_t rows = 0;
    for (size_t i = 0; i < n; i++)
        rows += 2 + (i * 5) % 7;
    dataset_init(d, n, rows, D, "test");
    size_t r = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = 2 + (i * 5) % 7;
        for (size_t t = 0; t < len; t++) {
            float *row = d->x + (r + t) * (size_t)D;
            row[0] = (float)(t == 0 ? (int)(5 + i % 7) : (int)((i + t) % 3) - 1 + 0 * (int)i);
            row[1] = (float)(t == 0 ? 9 : (int)((i * t) % 3) - 1);
            row[2] = t + 1 == len || t % 4 == 3;
            row[3] = t + 1 == len;
            if (row[0] == 0 && row[1] == 0 && !row[2]) row[0] = 1;
            for (int c = 4; c < D; c++)
                row[c] = 0.25f * (float)((int)((7 * i + 3 * t + (size_t)c) % 9) - 4);
        }
        r += len;
        d->offset[i + 1] = (uint32_t)r;
        d->group[i] = (uint8_t)((i * 3) % 10);
        d->y[i] = (uint8_t)dataset_binary(d->group[i]);
    }
}

static void small_data(struct dataset *d, size_t n)
{
    small_data_wide(d, n, 4);
}

struct fixture {
    struct model m;
    struct model_work w;
    struct dataset d;
    struct batch b;
};

static void setup(struct fixture *f, enum model_task task, int H, int K, size_t n)
{
    model_init(&f->m, task, 4, H, K);
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
    model_init(&m, TASK_CLASSIFY, 4, 128, 32);
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
    model_init(&m, TASK_AUTOENCODE, 4, 128, 32);
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

/* Batches spread over threads give model_predict's bits, whatever the thread count. */
static void test_predict_threads(void **state_)
{
    (void)state_;
    for (int task = 0; task < 2; task++) {
        struct fixture f;
        setup(&f, task ? TASK_AUTOENCODE : TASK_CLASSIFY, 5, 4, 13);
        struct model_work w;
        model_work_init(&w, &f.m, 3, 3 * dataset_max_len(&f.d)); /* 5 batches */
        float want_a[13 * 4], want_p[13], got_a[13 * 4], got_p[13];
        double want_loss, want_acc, loss, acc;
        model_predict(&f.m, &w, &f.d, want_a, want_p, &want_loss, &want_acc);
        for (int threads = 1; threads <= 6; threads++) {
            memset(got_a, 0, sizeof got_a);
            model_predict_threads(&f.m, 3, &f.d, threads, got_a, got_p, &loss, &acc);
            assert_memory_equal(got_a, want_a, sizeof got_a);
            if (!task) assert_memory_equal(got_p, want_p, sizeof got_p);
            assert_true(loss == want_loss && acc == want_acc);
        }
        model_work_free(&w);
        teardown(&f);
    }
}

// ---- agreement with PyTorch (tests/ref/model_ref.py) ----

/* The worst relative difference seen so far, and where. */
struct mismatch {
    double err;
    char where[160];
};

/* |got - want| / max(|want|, tiny); tiny (a fraction of the compared vector's scale) keeps
 * entries that are zero up to round-off from reading as large relative errors. */
static void compare(struct mismatch *mm, const char *what, const char *name, size_t i, double got,
                    double want, double tiny)
{
    double err = fabs(got - want) / fmax(fabs(want), tiny);
    if (isnan(err)) err = INFINITY;
    if (err > mm->err || (mm->err == 0 && mm->where[0] == 0)) {
        mm->err = err;
        snprintf(mm->where, sizeof mm->where, "%s %s[%zu]: %.17g vs torch %.17g", what, name, i,
                 got, want);
    }
}

static double max_abs(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(v[i]));
    return m;
}

/* The name of the parameter holding element j of the block, and j's index inside it. */
static const char *param_at(const struct model *m, size_t j, size_t *local)
{
    int p = m->nparam - 1;
    while (p > 0 && m->param[p].offset > j)
        p--;
    *local = j - m->param[p].offset;
    return m->param[p].name;
}

/* The parameter table must be the reference's, name for name and shape for shape. */
static void build_reference_model(struct model *m, const struct model_ref *ref)
{
    int task = model_task_from_name(ref->task);
    assert_true(task >= 0);
    model_init(m, (enum model_task)task, ref->D, ref->H, ref->K);
    assert_int_equal(m->nparam, ref->nparam);
    assert_int_equal(m->size, ref->size);
    for (int p = 0; p < m->nparam; p++) {
        const struct model_param *mp = &m->param[p];
        assert_string_equal(mp->name, ref->names[p]);
        assert_int_equal(mp->rows, ref->shape[2 * p]);
        assert_int_equal(mp->cols, ref->shape[2 * p + 1]);
        for (size_t j = 0; j < (size_t)mp->rows * mp->cols; j++)
            m->w[mp->offset + j] = MODEL_REF_PARAM(p, j);
    }
}

/* One batch of all the sequences: every loss term, the activations and the four gradients. */
static void compare_step(const struct model *m, const struct model_ref *ref,
                         struct mismatch *values, struct mismatch *grads,
                         struct mismatch *reg_parts)
{
    struct dataset d;
    small_data_wide(&d, MODEL_REF_N, ref->D);
    uint32_t idx[MODEL_REF_N];
    for (uint32_t i = 0; i < MODEL_REF_N; i++)
        idx[i] = i;
    struct batch b;
    batch_init(&b);
    batch_fill(&b, &d, idx, MODEL_REF_N);
    struct model_work w;
    model_work_init(&w, m, MODEL_REF_N, b.off[b.T]);
    real *g = xcalloc(m->size, sizeof *g), *g0 = xcalloc(m->size, sizeof *g0);
    const double *want0 = ref->grad;
    /* The PyTorch reference knows the paper's regularisers (the first rows of reg_table);
     * a loss added later has its own finite-difference test. */
    enum { REF_NREG = sizeof ref->reg / sizeof ref->reg[0] };
    for (int r = 0; r < REF_NREG; r++) {
        struct model_terms t;
        model_step(m, &w, &b, (enum reg_kind)r, MODEL_REF_LAMBDA, MODEL_REF_MARGIN, g, &t);
        const char *rn = reg_table[r].name;
        compare(values, rn, "task", 0, t.task, ref->task_loss, 1e-300);
        for (int k = 0; k < REF_NREG; k++)
            compare(values, rn, reg_table[k].name, 0, t.reg[k], ref->reg[k], 1e-300);
        compare(values, rn, "total", 0, t.total, ref->task_loss + MODEL_REF_LAMBDA * ref->reg[r],
                1e-300);
        assert_int_equal(t.active_pairs, ref->active_pairs);
        assert_int_equal(t.correct, ref->correct);
        /* Batch row i is dataset sequence b.index[i]. */
        size_t K = (size_t)m->K, nact = MODEL_REF_N * K;
        double tiny = 1e-3 * max_abs(ref->acts, nact);
        for (size_t i = 0; i < MODEL_REF_N; i++)
            for (size_t k = 0; k < K; k++)
                compare(values, rn, "activation", b.index[i] * K + k, w.a[i * K + k],
                        ref->acts[b.index[i] * K + k], tiny);
        const double *want = ref->grad + (size_t)r * m->size;
        tiny = 1e-3 * max_abs(want, m->size);
        for (size_t j = 0; j < m->size; j++) {
            size_t local;
            const char *name = param_at(m, j, &local);
            compare(grads, rn, name, local, g[j], want[j], tiny);
        }
        if (r == REG_BASELINE) {
            memcpy(g0, g, m->size * sizeof *g);
            continue;
        }
        /* lambda * d(reg): the regulariser's own gradient, isolated from the task's. */
        double scale = 0;
        for (size_t j = 0; j < m->size; j++)
            scale = fmax(scale, fabs(want[j] - want0[j]));
        for (size_t j = 0; j < m->size; j++) {
            size_t local;
            const char *name = param_at(m, j, &local);
            compare(reg_parts, rn, name, local, g[j] - g0[j], want[j] - want0[j], scale);
        }
    }
    free(g0);
    free(g);
    model_work_free(&w);
    batch_free(&b);
    dataset_free(&d);
}

/* The same figures from model_evaluate, in batches of 3 (activations stored as float). */
static void compare_evaluate(const struct model *m, const struct model_ref *ref,
                             struct mismatch *values, struct mismatch *acts)
{
    struct dataset d;
    small_data_wide(&d, MODEL_REF_N, ref->D);
    size_t longest = 0;
    for (size_t i = 0; i < d.n; i++)
        longest = dataset_len(&d, i) > longest ? dataset_len(&d, i) : longest;
    struct model_work w;
    model_work_init(&w, m, 3, 3 * longest);
    size_t nact = MODEL_REF_N * (size_t)m->K;
    float *a = xcalloc(nact, sizeof *a);
    double loss = -1, accuracy = -1;
    model_evaluate(m, &w, &d, a, &loss, &accuracy);
    compare(values, "evaluate", "task", 0, loss, ref->task_loss, 1e-300);
    if (m->task == TASK_CLASSIFY)
        assert_true(fabs(accuracy - ref->correct / (double)MODEL_REF_N) < 1e-15);
    double tiny = 1e-3 * max_abs(ref->acts, nact);
    for (size_t i = 0; i < nact; i++)
        compare(acts, "evaluate", "activation", i, a[i], ref->acts[i], tiny);
    free(a);
    model_work_free(&w);
    dataset_free(&d);
}

static void test_pytorch_reference(void **state_)
{
    for (size_t c = 0; c < sizeof model_refs / sizeof *model_refs; c++) {
        const struct model_ref *ref = &model_refs[c];
        struct model m;
        build_reference_model(&m, ref);
        struct mismatch values = {0}, grads = {0}, reg_parts = {0}, acts = {0};
        compare_step(&m, ref, &values, &grads, &reg_parts);
        compare_evaluate(&m, ref, &values, &acts);
        printf("# %s D=%d H=%d K=%d vs PyTorch, worst relative difference:\n"
               "#   values and activations %.2e (%s)\n"
               "#   gradients %.2e (%s)\n"
               "#   regulariser part of the gradients %.2e (%s)\n"
               "#   model_evaluate's float activations %.2e (%s)\n",
               ref->task, ref->D, ref->H, ref->K, values.err, values.where, grads.err, grads.where,
               reg_parts.err, reg_parts.where, acts.err, acts.where);
        assert_true(values.err < 1e-10);
        assert_true(grads.err < 1e-10);
        /* The difference of two gradients cancels up to |task gradient| / |reg part| digits. */
        assert_true(reg_parts.err < 1e-8);
        assert_true(acts.err < 1e-6); /* float32 rounding */
        model_free(&m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameter_table),       cmocka_unit_test(test_classifier_gradients),
        cmocka_unit_test(test_autoencoder_gradients), cmocka_unit_test(test_evaluate_order),
        cmocka_unit_test(test_predict_threads),       cmocka_unit_test(test_pytorch_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
