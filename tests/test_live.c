/*
 * Tests for live (the UI/trainer interface) and replay: a UI-like thread
 * hammers the controls while training runs (run it under ThreadSanitizer:
 * ./configure --enable-sanitizers=thread), then the journal is replayed
 * headless and must end with exactly the same weights.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "live.h"
#include "replay.h"
#include "synth.h"
#include "testutil.h"
#include "util.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void small_config(struct trainer_config *c, struct trainer_controls *k, long steps)
{
    trainer_config_defaults(c, k);
    c->hidden = 12;
    c->units = 6;
    c->batch_size = 16;
    c->limit = 160;
    c->epochs = 0;
    c->steps = steps;
}

/* Waits (polling the wake pipe as the UI does) until pred holds or 30 s pass. */
static int wait_for(struct live *l, int fd, int (*pred)(const struct live_snapshot *))
{
    struct live_snapshot v;
    for (int i = 0; i < 3000; i++) {
        live_view(l, &v);
        if (pred(&v)) return 1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 10) > 0) {
            char buf[64];
            ssize_t r = read(fd, buf, sizeof buf);
            (void)r;
        }
    }
    return 0;
}

static int is_done(const struct live_snapshot *v)
{
    return v->state == LIVE_DONE;
}

static int not_evaluating(const struct live_snapshot *v)
{
    return !v->evaluating && v->nscores > 0;
}

static void read_weights(const char *ckpt, float **w, size_t *n)
{
    struct ckpt c;
    char err[FTL_ERRLEN];
    if (ckpt_read(ckpt, &c, err) != 0) fail_msg("%s", err);
    const struct ckpt_record *r = ckpt_find(&c, "model/fc1.weight");
    assert_non_null(r);
    /* fc1 and the GRU's recurrent weights: enough to see any difference in training. */
    size_t total = 0;
    const char *names[] = {"model/fc1.weight", "model/gru.weight_hh_l0", "model/fc2.weight"};
    *w = NULL;
    for (int i = 0; i < 3; i++) {
        r = ckpt_find(&c, names[i]);
        assert_non_null(r);
        size_t cnt = r->ndim == 2 ? r->shape[0] * r->shape[1] : r->shape[0];
        *w = xrealloc(*w, (total + cnt) * sizeof **w);
        size_t shape[2] = {r->shape[0], r->ndim == 2 ? r->shape[1] : 1};
        assert_int_equal(ckpt_get_f32(&c, names[i], r->ndim, shape, *w + total, err), 0);
        total += cnt;
    }
    *n = total;
    ckpt_free(&c);
}

static void test_stress_then_replay(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "live"), *dir2 = tmpdir_path(td, "replayed"), err[FTL_ERRLEN];
    struct trainer_config c;
    struct trainer_controls k;
    small_config(&c, &k, 60);
    struct dataset_pair d;
    synth_sample(&d);
    struct session s;
    assert_int_equal(session_create(&s, dir, &c, &k, &d, err), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct live *l = live_start(&s, fds[1], 7, 64, 0);

    /* Many changes while training runs: every kind of control, pauses, evaluations. */
    struct live_point pts[512];
    uint64_t last_step = 0;
    size_t seen = 0;
    for (int i = 0; i < 400; i++) {
        switch (i % 8) {
        case 0:
            live_set_loss(l, (enum reg_kind)(i / 8 % REG_COUNT));
            break;
        case 1:
            live_step_control(l, CTL_LAMBDA, i % 16 ? 1 : -1);
            break;
        case 2:
            live_step_control(l, CTL_MARGIN, i % 16 ? 1 : -1);
            break;
        case 3:
            live_step_control(l, CTL_LR, i % 16 ? -1 : 1);
            break;
        case 4:
            live_toggle_pause(l);
            break;
        case 5:
            if (i % 40 == 5) live_request(l, LIVE_REQ_EVAL);
            break;
        case 6:
            if (i % 80 == 6) live_request(l, LIVE_REQ_CHECKPOINT);
            break;
        default:
            break;
        }
        struct live_snapshot v;
        live_view(l, &v);
        size_t n = live_take_points(l, pts, 512);
        for (size_t j = 0; j < n; j++) {
            assert_true(pts[j].step > last_step);
            last_step = pts[j].step;
        }
        seen += n;
        struct live_marker mk[64];
        live_take_markers(l, mk, 64);
        sleep_ms(1);
    }
    /* Leave it running (not paused) to the end. */
    struct live_snapshot v;
    live_view(l, &v);
    if (v.state == LIVE_PAUSED) live_toggle_pause(l);
    assert_true(wait_for(l, fds[0], is_done));
    live_request(l, LIVE_REQ_EVAL);
    assert_true(wait_for(l, fds[0], not_evaluating));
    seen += live_take_points(l, pts, 512);
    assert_int_equal(seen, 60);
    assert_int_equal(live_stop(l, err), 0);
    close(fds[0]);
    close(fds[1]);

    /* The changes landed mid-run, at batch boundaries, in the journal. */
    char *journal = ftl_path_join(dir, "journal");
    struct journal_log log;
    assert_int_equal(journal_read(journal, &log, err), 0);
    int mid = 0;
    for (size_t i = 0; i < log.nevents; i++)
        mid += log.events[i].step > 0 && log.events[i].step < 60 &&
               strcmp(log.events[i].key, "pause") != 0 && strcmp(log.events[i].key, "resume") != 0;
    printf("# %d control changes journaled between steps 1 and 59\n", mid);
    assert_true(mid >= 3);
    journal_log_free(&log);

    /* The journal replays headless to the very same weights. */
    if (replay_run(journal, dir2, NULL, NULL, NULL, err) != 0) fail_msg("%s", err);
    char *a = ftl_path_join(dir, "checkpoints/final.ckpt"),
         *b = ftl_path_join(dir2, "checkpoints/final.ckpt");
    float *wa, *wb;
    size_t na, nb;
    read_weights(a, &wa, &na);
    read_weights(b, &wb, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(wa, wb, na * sizeof *wa);
    /* The evaluation left its files for `ftlab plot`. */
    char *ev = ftl_path_join(dir, "eval.csv");
    assert_true(ftl_is_file(ev));
    free(ev);
    free(wa);
    free(wb);
    free(a);
    free(b);
    free(journal);
    free(dir);
    free(dir2);
    tmpdir_free(td);
}

/* Quitting while paused in the middle writes final.ckpt at that step. */
static void test_quit_while_paused(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "live"), err[FTL_ERRLEN];
    struct trainer_config c;
    struct trainer_controls k;
    small_config(&c, &k, 100000);
    struct dataset_pair d;
    synth_sample(&d);
    struct session s;
    assert_int_equal(session_create(&s, dir, &c, &k, &d, err), 0);
    struct live *l = live_start(&s, -1, 0, 0, 1);
    struct live_snapshot v;
    live_view(l, &v);
    assert_int_equal(v.step, 0);
    live_toggle_pause(l);
    sleep_ms(100);
    live_toggle_pause(l);
    assert_int_equal(live_stop(l, err), 0);
    char *final = ftl_path_join(dir, "checkpoints/final.ckpt");
    assert_true(ftl_is_file(final));
    free(final);
    free(dir);
    tmpdir_free(td);
}

/* Polls the snapshot (1 ms steps, up to 20 s) until pred holds; 1 if it did. */
static int poll_view(struct live *l, struct live_snapshot *v,
                     int (*pred)(const struct live_snapshot *, int), int arg)
{
    for (int i = 0; i < 20000; i++) { /* 20 s: 30 steps on a busy machine */
        live_view(l, v);
        if (pred(v, arg)) return 1;
        sleep_ms(1);
    }
    return 0;
}
static int shows_digit(const struct live_snapshot *v, int d)
{
    return v->seen.shown && v->seen.pinned == d && v->seen.group == d;
}
static int at_step(const struct live_snapshot *v, int step)
{
    return v->step >= (uint64_t)step;
}
static int is_paused(const struct live_snapshot *v, int unused)
{
    (void)unused;
    return v->state == LIVE_PAUSED;
}
static int shows_other(const struct live_snapshot *v, int index)
{
    return v->seen.shown && (int)v->seen.index != index;
}

/*
 * "What the network sees", paused after a few steps: pinned to each digit, it
 * shows sequences of that digit only; pinned to a digit and the unit that
 * fires most for one of them (a click on that Figure 2 cell), it moves to
 * another sequence of that digit whose strongest unit is that one, where
 * there is one, or back to the same.
 */
static void test_seen(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "live"), err[FTL_ERRLEN];
    struct trainer_config c;
    struct trainer_controls k;
    small_config(&c, &k, 100000);
    c.hidden = 32, c.units = 16, c.batch_size = 32, c.limit = 0; /* room for units to differ */
    struct dataset_pair d;
    synth_sample(&d);
    struct session s;
    assert_int_equal(session_create(&s, dir, &c, &k, &d, err), 0);
    /* Some training first (Figure 2 probed every 5 steps), so units differ between sequences. */
    struct live *l = live_start(&s, -1, 5, 200, 0);
    struct live_snapshot v;
    assert_true(poll_view(l, &v, at_step, 80));
    live_set_paused(l, 1);
    assert_true(poll_view(l, &v, is_paused, 0));
    int tested = 0;
    for (int digit = 0; digit < 10; digit++) {
        live_show(l, 1, digit);
        assert_true(poll_view(l, &v, shows_digit, digit));
        /* The units that win this digit's sequences, by stepping through them (v). */
        int count[64] = {0};
        for (int i = 0; i < 24; i++) {
            if (v.seen.unit >= 0 && v.seen.unit < 64) count[v.seen.unit]++;
            int at = (int)v.seen.index;
            live_show(l, 1, LIVE_PIN_KEEP);
            if (!poll_view(l, &v, shows_other, at)) break; /* the only one of its digit */
            assert_int_equal(v.seen.group, digit);
        }
        /* A unit that wins some of them but not the most: a click on its cell must find one. */
        int mode = 0, rare = -1;
        for (int u = 0; u < 64; u++)
            if (count[u] > count[mode]) mode = u;
        for (int u = 0; u < 64; u++)
            if (count[u] > 0 && u != mode) rare = u;
        if (rare < 0) continue;
        live_show_cell(l, digit, rare);
        sleep_ms(200); /* paused, the trainer answers at once; the view before would pass too */
        assert_true(poll_view(l, &v, shows_digit, digit));
        assert_int_equal(v.seen.unit, rare);
        tested++;
    }
    printf("# %d digits with a second unit to click\n", tested);
    assert_true(tested > 0);
    live_show(l, 0, -1); /* any digit again: v moves on */
    live_view(l, &v);
    int before = (int)v.seen.index;
    live_show(l, 1, LIVE_PIN_KEEP);
    assert_true(poll_view(l, &v, shows_other, before));
    assert_int_equal(v.seen.pinned, -1);
    assert_int_equal(live_stop(l, err), 0);
    free(dir);
    tmpdir_free(td);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stress_then_replay),
        cmocka_unit_test(test_quit_while_paused),
        cmocka_unit_test(test_seen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
