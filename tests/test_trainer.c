/*
 * Tests for trainer and session: resume equivalence, checkpoints, the
 * journal of control changes, the divergence guard, file order.
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

#include "checkpoint.h"
#include "session.h"
#include "synth.h"
#include "testutil.h"
#include "util.h"

static void small_config(struct trainer_config *c, struct trainer_controls *k)
{
    trainer_config_defaults(c, k);
    c->hidden = 12;
    c->units = 6;
    c->batch_size = 16;
    c->limit = 80; /* 5 steps per epoch */
    c->epochs = 0;
    c->steps = 12;
}

static void run_steps(struct session *s, uint64_t until)
{
    char err[FTL_ERRLEN];
    while (s->tr.step < until)
        assert_true(session_step(s, err) >= 0);
}

static float *copy_weights(const struct session *s)
{
    float *w = xmalloc(s->tr.model.size * sizeof *w);
    memcpy(w, s->tr.model.w, s->tr.model.size * sizeof *w);
    return w;
}

/* Train 12 steps straight, or 7 then resume to 12, with a control change in each half. */
static void test_resume_equivalence(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char *a = tmpdir_path(td, "a"), *b = tmpdir_path(td, "b"), err[FTL_ERRLEN];
    struct trainer_config c;
    struct trainer_controls k;
    small_config(&c, &k);
    struct dataset_pair d;
    struct session s;

    synth_sample(&d);
    assert_int_equal(session_create(&s, a, &c, &k, &d, err), 0);
    run_steps(&s, 3);
    struct trainer_controls k2 = s.tr.ctl;
    k2.loss = REG_PROPOSED;
    k2.lambda = 0.5;
    trainer_apply(&s.tr, &k2);
    run_steps(&s, 12);
    float *straight = copy_weights(&s);
    assert_int_equal(session_close(&s, err), 0);

    synth_sample(&d);
    assert_int_equal(session_create(&s, b, &c, &k, &d, err), 0);
    run_steps(&s, 3);
    trainer_apply(&s.tr, &k2);
    run_steps(&s, 7);
    assert_int_equal(session_close(&s, err), 0); /* final.ckpt at step 7 */

    synth_sample(&d);
    if (session_resume(&s, b, &c, &d, err) != 0) fail_msg("%s", err);
    assert_int_equal(s.tr.step, 7);
    assert_int_equal(s.tr.ctl.loss, REG_PROPOSED);
    assert_true(s.tr.ctl.lambda == 0.5);
    run_steps(&s, 12);
    assert_memory_equal(s.tr.model.w, straight, s.tr.model.size * sizeof *straight);
    assert_int_equal(session_close(&s, err), 0);

    /* The resumed run's metrics.csv has each step once, 1..12. */
    char *mpath = ftl_path_join(b, "metrics.csv"), *text;
    size_t len;
    assert_int_equal(ftl_read_file(mpath, &text, &len, err), 0);
    int rows = 0;
    for (char *p = strchr(text, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
        assert_int_equal(strtoul(p + 1, NULL, 10), ++rows);
    assert_int_equal(rows, 12);
    free(text);
    free(mpath);

    /* Both journals say the loss changed at step 3. */
    struct journal_log log;
    char *jpath = ftl_path_join(b, "journal");
    assert_int_equal(journal_read(jpath, &log, err), 0);
    int seen = 0;
    for (size_t i = 0; i < log.nevents; i++)
        if (strcmp(log.events[i].key, "loss") == 0) {
            assert_int_equal(log.events[i].step, 3);
            assert_string_equal(log.events[i].value, "proposed");
            seen++;
        }
    assert_int_equal(seen, 1);
    journal_log_free(&log);
    free(jpath);
    free(straight);
    free(a);
    free(b);
    tmpdir_free(td);
}

static void test_checkpoint_rejects_damage(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "r"), err[FTL_ERRLEN];
    struct trainer_config c;
    struct trainer_controls k;
    small_config(&c, &k);
    struct dataset_pair d;
    struct session s;
    synth_sample(&d);
    assert_int_equal(session_create(&s, dir, &c, &k, &d, err), 0);
    run_steps(&s, 2);
    char *path = ftl_path_join(dir, "checkpoints/initial.ckpt"), *bytes;
    size_t len;
    assert_int_equal(ftl_read_file(path, &bytes, &len, err), 0);
    bytes[len / 2] ^= 0x10;
    assert_int_equal(ftl_write_file(path, bytes, len, err), 0);
    assert_int_equal(trainer_load(&s.tr, path, err), -1);
    assert_non_null(strstr(err, "initial.ckpt"));
    free(bytes);

    /* A checkpoint of another architecture is refused with a clear message. */
    struct session other;
    struct trainer_config c2 = c;
    c2.units = 7;
    char *dir2 = tmpdir_path(td, "r2");
    synth_sample(&d);
    assert_int_equal(session_create(&other, dir2, &c2, &k, &d, err), 0);
    char *p2 = ftl_path_join(dir2, "checkpoints/initial.ckpt");
    assert_int_equal(trainer_load(&s.tr, p2, err), -1);
    assert_non_null(strstr(err, "fc1.weight"));
    session_free(&other);
    session_free(&s);

    /* A folder that already holds a run is not overwritten. */
    synth_sample(&d);
    assert_int_equal(session_create(&s, dir, &c, &k, &d, err), -1);
    assert_non_null(strstr(err, "already holds a run"));
    free(p2);
    free(dir2);
    free(path);
    free(dir);
    tmpdir_free(td);
}

/* lr 1e3 with SGD on the autoencoder blows up (the squared error feeds back on the output
 * weights): training stops, the weights stay finite (the last good ones). */
static void test_divergence_keeps_last_good_weights(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "r"), err[FTL_ERRLEN];
    struct trainer_config c;
    struct trainer_controls k;
    small_config(&c, &k);
    c.task = TASK_AUTOENCODE;
    c.optimizer = OPTIM_SGD;
    c.steps = 200;
    k.lr = 1e3;
    struct dataset_pair d;
    struct session s;
    synth_sample(&d);
    assert_int_equal(session_create(&s, dir, &c, &k, &d, err), 0);
    int r = 0;
    while (!trainer_finished(&s.tr) && (r = session_step(&s, err)) >= 0)
        ;
    assert_int_equal(r, -1);
    assert_int_equal(s.tr.state, TRAINER_DIVERGED);
    assert_non_null(strstr(s.tr.message, "diverged"));
    assert_true(optim_all_finite(s.tr.model.w, s.tr.model.size));
    assert_int_equal(session_step(&s, err), -1);
    assert_int_equal(session_close(&s, err), 0);
    free(dir);
    tmpdir_free(td);
}

/* --no-shuffle: the first batch is exactly the first B training sequences. */
static void test_no_shuffle_first_batch(void **state)
{
    struct trainer_config c;
    struct trainer_controls k;
    small_config(&c, &k);
    c.shuffle = 0;
    struct dataset_pair d;
    synth_sample(&d);
    struct trainer t;
    char err[FTL_ERRLEN];
    assert_int_equal(trainer_init(&t, &c, &k, &d, err), 0);
    assert_true(trainer_step(&t) >= 0);
    uint32_t seen[16] = {0};
    for (int i = 0; i < t.batch.B; i++) {
        assert_true(t.batch.index[i] < 16);
        seen[t.batch.index[i]]++;
    }
    for (int i = 0; i < 16; i++)
        assert_int_equal(seen[i], 1);
    trainer_free(&t);
    c.shuffle = 1;
    assert_int_equal(trainer_init(&t, &c, &k, &d, err), 0);
    assert_true(trainer_step(&t) >= 0);
    int first = 0;
    for (int i = 0; i < t.batch.B; i++)
        first += t.batch.index[i] < 16;
    assert_true(first < 16);
    trainer_free(&t);
    dataset_pair_free(&d);
}

/* Training decreases the loss on the sample: the engine learns, end to end. */
static void test_learns(void **state)
{
    struct trainer_config c;
    struct trainer_controls k;
    trainer_config_defaults(&c, &k);
    c.hidden = 32;
    c.units = 16;
    c.batch_size = 64;
    c.limit = 2000;
    k.lr = 3e-3;
    struct dataset_pair d;
    synth_sample(&d);
    struct trainer t;
    char err[FTL_ERRLEN];
    assert_int_equal(trainer_init(&t, &c, &k, &d, err), 0);
    double before, after, acc;
    trainer_evaluate(&t, &d.test, NULL, &before, &acc);
    for (int i = 0; i < 3 * 32; i++)
        assert_true(trainer_step(&t) >= 0);
    trainer_evaluate(&t, &d.test, NULL, &after, &acc);
    printf("# test BCE %.4f -> %.4f, accuracy %.3f after 3 epochs of 2000\n", before, after, acc);
    assert_true(after < before - 0.1);
    assert_true(acc > 0.75);
    trainer_free(&t);
    dataset_pair_free(&d);
}

/* Weights after 12 steps of the small config on the sample with `threads` GRU threads. */
static float *train_with_threads(enum model_task task, int threads, size_t *n)
{
    struct trainer_config c;
    struct trainer_controls k;
    small_config(&c, &k);
    c.task = task;
    c.threads = threads;
    struct dataset_pair d;
    synth_sample(&d);
    struct trainer t;
    char err[FTL_ERRLEN];
    assert_int_equal(trainer_init(&t, &c, &k, &d, err), 0);
    assert_int_equal(t.work.enc.threads, threads);
    while (!trainer_finished(&t))
        assert_true(trainer_step(&t) >= 0);
    *n = t.model.size;
    float *w = xmalloc(*n * sizeof *w);
    memcpy(w, t.model.w, *n * sizeof *w);
    trainer_free(&t);
    dataset_pair_free(&d);
    return w;
}

/*
 * --threads 2 splits each batch's rows over two threads: a run repeats
 * itself bit for bit (replay and resume rely on it), and ends within float
 * rounding of the one-thread weights.
 */
static void test_threads(void **state)
{
    for (int task = 0; task < TASK_COUNT; task++) {
        size_t n;
        float *one = train_with_threads((enum model_task)task, 1, &n);
        float *two = train_with_threads((enum model_task)task, 2, &n);
        float *again = train_with_threads((enum model_task)task, 2, &n);
        assert_memory_equal(two, again, n * sizeof *two);
        double worst = 0;
        for (size_t i = 0; i < n; i++)
            worst = fmax(worst, fabs((double)two[i] - one[i]));
        printf("# %s: 2 threads vs 1 after 12 steps: largest weight difference %.3g\n",
               model_task_name((enum model_task)task), worst);
        assert_true(worst < 1e-6); /* measured: 5e-8 */
        free(one);
        free(two);
        free(again);
    }
}

/* Every setting trainer_config_to_kv can write reads back: from_kv refuses any key it does not
 * know, so a new one must be known there too (a config with every optional setting on). */
static void test_config_keys_round_trip(void **state)
{
    (void)state;
    struct trainer_config c, back;
    struct trainer_controls k, kb;
    trainer_config_defaults(&c, &k);
    c.input_dim = 2;
    c.nan = DATASET_NAN_CARRY;
    c.standardize = 1;
    c.std_mean[0] = 0.5, c.std_mean[1] = -1;
    c.std_scale[0] = 2, c.std_scale[1] = 3;
    snprintf(c.init, sizeof c.init, "/some/run/checkpoints/final.ckpt");
    struct run_kv kv = {0};
    trainer_config_to_kv(&c, &k, &kv);
    char err[FTL_ERRLEN] = "";
    assert_int_equal(trainer_config_from_kv(&kv, &back, &kb, "config", err), 0);
    assert_true(trainer_config_same_run(&c, &back));
    assert_int_equal(back.nan, DATASET_NAN_CARRY);
    run_kv_set(&kv, "lamda", "0.5");
    assert_int_equal(trainer_config_from_kv(&kv, &back, &kb, "config", err), -1);
    assert_string_equal(err, "config: unknown setting 'lamda'");
    run_kv_free(&kv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_equivalence),
        cmocka_unit_test(test_config_keys_round_trip),
        cmocka_unit_test(test_checkpoint_rejects_damage),
        cmocka_unit_test(test_divergence_keeps_last_good_weights),
        cmocka_unit_test(test_no_shuffle_first_batch),
        cmocka_unit_test(test_learns),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
