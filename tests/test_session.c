/*
 * test_session — the session's fault paths: a write that fails (simulated
 * with RLIMIT_FSIZE, which makes write() fail with EFBIG past a size, as a
 * full disk fails with ENOSPC) under --on-write-error stop and continue,
 * metrics.csv never holding a torn or missing row, recovery when space comes
 * back, a resume after a checkpoint write was killed halfway, and a
 * bookmark, a rewind and a replay of the journal to the same weights, a
 * reset (the network back to step 0's) replayed to the same weights, and a
 * run without an end (the workbench's default) through its config and journal.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "branch.h"
#include "checkpoint.h"
#include "replay.h"
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
    c->steps = 40;
}

static void new_session(struct session *s, const char *dir)
{
    struct trainer_config c;
    struct trainer_controls k;
    struct dataset_pair d;
    char err[FTL_ERRLEN];
    small_config(&c, &k);
    synth_sample(&d);
    if (session_create(s, dir, &c, &k, &d, err) != 0) fail_msg("%s", err);
}

static off_t file_size(const char *dir, const char *name)
{
    char *path = ftl_path_join(dir, name);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    free(path);
    return st.st_size;
}

/* Files may grow to at most `bytes` from now on (0: no limit again). */
static struct rlimit saved_limit;
static void limit_files(off_t bytes)
{
    if (bytes == 0) {
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved_limit), 0);
        return;
    }
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved_limit), 0);
    struct rlimit small = saved_limit;
    small.rlim_cur = (rlim_t)bytes;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
}

/* metrics.csv: a header, then rows for steps 1..steps, each whole. */
static void expect_metrics_rows(const char *dir, uint64_t steps)
{
    char *path = ftl_path_join(dir, "metrics.csv"), *text, err[FTL_ERRLEN];
    size_t len;
    if (ftl_read_file(path, &text, &len, err) != 0) fail_msg("%s", err);
    assert_true(len > 0 && text[len - 1] == '\n');
    const char *p = strchr(text, '\n') + 1;
    uint64_t want = 1;
    for (; p < text + len; want++) {
        char *end;
        unsigned long long step = strtoull(p, &end, 10);
        if (step != want || *end != ',')
            fail_msg("metrics.csv: row for step %llu where step %llu belongs", step,
                     (unsigned long long)want);
        p = strchr(p, '\n') + 1;
    }
    assert_int_equal(want - 1, steps);
    free(text);
    free(path);
}

static void test_stop_on_write_error(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "run"), err[FTL_ERRLEN], note[FTL_ERRLEN];
    struct session s;
    new_session(&s, dir);
    assert_int_equal(s.on_write_error, SESSION_WRITE_STOP);
    for (int i = 0; i < 3; i++)
        assert_int_equal(session_step(&s, err), 0);
    off_t before = file_size(dir, "metrics.csv");

    limit_files(before + 10); /* less than a row */
    int r = session_step(&s, err);
    limit_files(0);
    assert_int_equal(r, -2);
    assert_non_null(strstr(err, "metrics.csv: write failed: File too large"));
    assert_null(strchr(err, '\n'));
    assert_int_equal(file_size(dir, "metrics.csv"), before); /* the torn row was cut off */
    assert_int_equal(session_take_notice(&s, note), 0);

    /* Space again: closing writes the row that failed, and final.ckpt. */
    assert_int_equal(session_close(&s, err), 0);
    assert_string_equal(s.last_checkpoint, "final.ckpt");
    assert_int_equal(s.last_checkpoint_step, 4);
    expect_metrics_rows(dir, 4);
    free(dir);
    tmpdir_free(td);
}

/* The epoch-end checkpoint fails under stop: -2, and the last good checkpoint is named. */
static void test_stop_on_checkpoint_error(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "run"), err[FTL_ERRLEN];
    struct session s;
    new_session(&s, dir);
    for (int i = 0; i < 4; i++)
        assert_int_equal(session_step(&s, err), 0);
    /* metrics rows still fit; a checkpoint (kilobytes) does not */
    limit_files(file_size(dir, "metrics.csv") + 4096 - 1024);
    int r = session_step(&s, err);
    assert_int_equal(r, -2);
    assert_non_null(strstr(err, "checkpoints/epoch-1.ckpt: write failed"));
    assert_int_equal(session_close(&s, err), -1); /* final.ckpt cannot be written either */
    limit_files(0);
    assert_non_null(strstr(err, "final.ckpt"));
    assert_string_equal(s.last_checkpoint, "initial.ckpt");
    assert_int_equal(s.last_checkpoint_step, 0);
    /* nothing torn is left behind: no temp file, no partial checkpoint */
    char *ck = tmpdir_path(td, "run/checkpoints");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test \"$(ls '%s')\" = initial.ckpt", ck);
    assert_int_equal(system(cmd), 0);
    free(ck);
    expect_metrics_rows(dir, 5);
    free(dir);
    tmpdir_free(td);
}

static void test_continue_on_write_error(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "run"), err[FTL_ERRLEN], note[FTL_ERRLEN];
    struct session s;
    new_session(&s, dir);
    s.on_write_error = SESSION_WRITE_CONTINUE;
    for (int i = 0; i < 3; i++)
        assert_int_equal(session_step(&s, err), 0);
    limit_files(file_size(dir, "metrics.csv") + 10);
    /* steps 4..12 train on, over two failed epoch checkpoints (5, 10); one notice */
    for (uint64_t step = 4; step <= 12; step++)
        assert_int_equal(session_step(&s, err), step % 5 == 0);
    assert_int_equal(session_take_notice(&s, note), 1);
    assert_non_null(strstr(note, "metrics.csv: write failed"));
    assert_non_null(strstr(note, "training goes on"));
    assert_int_equal(session_take_notice(&s, note), 0);
    assert_true(s.write_failing);
    char *ck5 = tmpdir_path(td, "run/checkpoints/epoch-1.ckpt");
    assert_false(ftl_is_file(ck5));

    /* Space again: at the next epoch end the rows that waited and epoch-3.ckpt are written. */
    limit_files(0);
    for (uint64_t step = 13; step <= 15; step++)
        assert_int_equal(session_step(&s, err), step == 15);
    assert_int_equal(session_take_notice(&s, note), 1);
    assert_non_null(strstr(note, "writing works again"));
    assert_non_null(strstr(note, "epoch-3.ckpt"));
    assert_false(s.write_failing);
    expect_metrics_rows(dir, 15);
    assert_int_equal(session_close(&s, err), 0);

    /* The run resumes from final.ckpt like any other. */
    struct trainer_config c;
    struct trainer_controls k;
    struct dataset_pair d;
    assert_int_equal(session_read_config(dir, &c, &k, err), 0);
    synth_sample(&d);
    assert_int_equal(session_resume(&s, dir, &c, &d, err), 0);
    assert_int_equal(s.tr.step, 15);
    session_free(&s);
    free(ck5);
    free(dir);
    tmpdir_free(td);
}

/* Closing with rows still waiting and no space: the error says so, nothing is torn. */
static void test_continue_until_close(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "run"), err[FTL_ERRLEN];
    struct session s;
    new_session(&s, dir);
    s.on_write_error = SESSION_WRITE_CONTINUE;
    assert_int_equal(session_step(&s, err), 0);
    off_t before = file_size(dir, "metrics.csv");
    limit_files(before + 10);
    for (int i = 0; i < 3; i++)
        assert_int_equal(session_step(&s, err), 0);
    int rc = session_close(&s, err);
    limit_files(0);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "metrics.csv: write failed"));
    assert_int_equal(file_size(dir, "metrics.csv"), before);
    expect_metrics_rows(dir, 1);
    free(dir);
    tmpdir_free(td);
}

/*
 * A checkpoint write killed halfway leaves its temp file (never a torn
 * NAME.ckpt: the rename is atomic). Simulated here, with a torn checkpoint
 * from a bad disk too: resume takes the newest loadable checkpoint and
 * clears temp files whose writer is gone, not those of a live writer.
 */
static void test_resume_after_killed_write(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "run"), err[FTL_ERRLEN];
    struct session s;
    new_session(&s, dir);
    for (int i = 0; i < 7; i++)
        assert_true(session_step(&s, err) >= 0);
    session_free(&s); /* as if killed: no final.ckpt */

    char *good = tmpdir_path(td, "run/checkpoints/epoch-1.ckpt"), *text;
    size_t len;
    assert_int_equal(ftl_read_file(good, &text, &len, err), 0);
    /* pid 0x7fffffff: beyond pid_max, so no such process */
    char *dead = tmpdir_path(td, "run/checkpoints/epoch-2.ckpt.tmp.2147483647");
    char *live = tmpdir_path(td, "run/checkpoints/epoch-2.ckpt.tmp.1");
    char *torn = tmpdir_path(td, "run/checkpoints/epoch-2.ckpt");
    assert_int_equal(ftl_write_file(dead, text, len / 2, err), 0);
    assert_int_equal(ftl_write_file(live, text, len / 2, err), 0);
    assert_int_equal(ftl_write_file(torn, text, len / 2, err), 0);
    free(text);

    struct trainer_config c;
    struct trainer_controls k;
    struct dataset_pair d;
    assert_int_equal(session_read_config(dir, &c, &k, err), 0);
    synth_sample(&d);
    if (session_resume(&s, dir, &c, &d, err) != 0) fail_msg("%s", err);
    assert_int_equal(s.tr.step, 5);
    assert_string_equal(s.last_checkpoint, "epoch-1.ckpt");
    assert_false(ftl_is_file(dead));
    assert_true(ftl_is_file(live)); /* pid 1 runs: perhaps a writer, left alone */
    expect_metrics_rows(dir, 5);
    for (int i = 0; i < 2; i++)
        assert_true(session_step(&s, err) >= 0);
    assert_int_equal(session_close(&s, err), 0);
    expect_metrics_rows(dir, 7);
    free(good);
    free(dead);
    free(live);
    free(torn);
    free(dir);
    tmpdir_free(td);
}

/* The final weights of two runs, bit for bit. */
static void expect_same_weights(const char *a, const char *b)
{
    struct model ma, mb;
    char err[FTL_ERRLEN];
    if (session_load_model(a, &ma, NULL, NULL, err) != 0) fail_msg("%s", err);
    if (session_load_model(b, &mb, NULL, NULL, err) != 0) fail_msg("%s", err);
    assert_int_equal(ma.size, mb.size);
    assert_memory_equal(ma.w, mb.w, ma.size * sizeof *ma.w);
    model_free(&ma);
    model_free(&mb);
}

/*
 * Bookmark at step 3, train on across two epoch ends with another learning
 * rate, rewind to the bookmark, take another loss, train to step 14: the run
 * holds one line (rows 1..14, no epoch checkpoint of the left line), the left
 * line is branch 1, and replaying the journal ends with the same weights. The
 * journal's superseded lines (steps 7..12) come before lines at earlier steps
 * (4): the replay must pass them over, not wait for their step.
 */
static void test_bookmark_rewind_replay(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "run"), *again = tmpdir_path(td, "replayed"), err[FTL_ERRLEN];
    struct session s;
    new_session(&s, dir);
    for (int i = 0; i < 3; i++)
        assert_true(session_step(&s, err) >= 0);
    char name[48];
    if (session_bookmark(&s, name, sizeof name, err) != 0) fail_msg("%s", err);
    assert_string_equal(name, "bookmark-3");
    /* A change and a checkpoint at the bookmark's own step, after it: the line left's. */
    struct trainer_controls k = s.tr.ctl;
    double margin = k.margin;
    k.margin = margin + 2;
    trainer_apply(&s.tr, &k);
    if (session_checkpoint(&s, "step-3", err) != 0) fail_msg("%s", err);
    for (int i = 0; i < 9; i++) {
        if (s.tr.step == 7) k.lr *= 4, trainer_apply(&s.tr, &k);
        assert_true(session_step(&s, err) >= 0);
    }
    assert_int_equal(s.tr.step, 12);
    int branch;
    if (session_rewind(&s, "bookmark-3", &branch, err) != 0) fail_msg("%s", err);
    assert_int_equal(branch, 1);
    assert_int_equal(s.tr.step, 3);
    assert_true(s.tr.ctl.lr < k.lr); /* the controls are the bookmark's again */
    assert_true(s.tr.ctl.margin == margin);
    expect_metrics_rows(dir, 3);
    k = s.tr.ctl;
    k.loss = REG_PROPOSED;
    k.lambda = 0.5;
    for (int i = 0; i < 11; i++) {
        if (s.tr.step == 4) trainer_apply(&s.tr, &k);
        assert_true(session_step(&s, err) >= 0);
    }
    trainer_note(&s.tr, "quit");
    assert_int_equal(session_close(&s, err), 0);
    expect_metrics_rows(dir, 14);

    struct branch_info *b;
    size_t nb;
    assert_int_equal(branch_list(dir, &b, &nb, err), 0);
    assert_int_equal(nb, 1);
    assert_int_equal(b[0].id, 1);
    assert_int_equal(b[0].first, 4);
    assert_int_equal(b[0].last, 12);
    char *left = ftl_path_join(b[0].path, "checkpoints/epoch-2.ckpt");
    assert_true(ftl_is_file(left));
    free(left);
    left = ftl_path_join(b[0].path, "checkpoints/step-3.ckpt"); /* same step, written later */
    assert_true(ftl_is_file(left));
    free(left);
    branch_list_free(b, nb);
    struct branch_point *pts;
    size_t np;
    assert_int_equal(branch_checkpoints(dir, &pts, &np, err), 0);
    for (size_t i = 0; i < np; i++) /* initial, bookmark-3, epoch-1 (step 5), epoch-2 (10) */
        assert_true(pts[i].step <= 14);
    assert_int_equal(np, 4);
    assert_string_equal(pts[0].name, "initial");
    assert_string_equal(pts[1].name, "bookmark-3");
    free(pts);

    char *journal = ftl_path_join(dir, "journal");
    if (replay_run(journal, again, NULL, NULL, NULL, err) != 0) fail_msg("%s", err);
    expect_same_weights(dir, again);
    expect_metrics_rows(again, 14);
    free(journal);
    free(again);
    free(dir);
    tmpdir_free(td);
}

/* The journal at path without its "reset" lines, into out: what a replay that ignored them saw. */
static void drop_resets(const char *path, const char *out)
{
    char *text, err[FTL_ERRLEN];
    size_t len;
    if (ftl_read_file(path, &text, &len, err) != 0) fail_msg("%s", err);
    FILE *f = fopen(out, "w");
    assert_non_null(f);
    for (char *p = text; p < text + len;) {
        char *nl = strchr(p, '\n');
        size_t n = (size_t)(nl - p) + 1;
        if (!(n > 7 && strncmp(nl - 6, " reset", 6) == 0)) fwrite(p, 1, n, f);
        p = nl + 1;
    }
    assert_int_equal(fclose(f), 0);
    free(text);
}

/*
 * Train 7 steps (across an epoch end), reset, train to 12 with another
 * learning rate, reset twice at one step, train to 16: after a reset the
 * weights and Adam's state are initial.ckpt's while the step, the epoch and
 * the data position go on; the journal holds "step 7 reset"; replaying it
 * ends with the same weights bit for bit, and a replay of the journal
 * without its reset lines does not (so the test sees a replay that ignores
 * them).
 */
static void test_reset_replay(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "run"), *again = tmpdir_path(td, "replayed"),
         *blind = tmpdir_path(td, "blind"), *nores = tmpdir_path(td, "journal.noreset"),
         err[FTL_ERRLEN];
    struct session s;
    new_session(&s, dir);
    size_t n = s.tr.model.size;
    float *w0 = xmallocarray(n, sizeof *w0);
    memcpy(w0, s.tr.model.w, n * sizeof *w0);
    for (int i = 0; i < 7; i++)
        assert_true(session_step(&s, err) >= 0);
    assert_true(memcmp(w0, s.tr.model.w, n * sizeof *w0) != 0);
    uint64_t epoch = s.tr.epoch;
    size_t pos = s.tr.pos;
    if (session_reset(&s, err) != 0) fail_msg("%s", err);
    assert_memory_equal(w0, s.tr.model.w, n * sizeof *w0);
    assert_int_equal(s.tr.opt.t, 0);
    for (size_t i = 0; i < n; i++)
        if (s.tr.opt.m[i] != 0 || s.tr.opt.v[i] != 0) fail_msg("Adam's moments kept at %zu", i);
    assert_int_equal(s.tr.step, 7); /* the steps, the epoch and the data order go on */
    assert_int_equal(s.tr.epoch, epoch);
    assert_int_equal(s.tr.pos, pos);
    struct trainer_controls k = s.tr.ctl;
    for (int i = 0; i < 5; i++) {
        if (s.tr.step == 9) k.lr *= 2, trainer_apply(&s.tr, &k);
        assert_true(session_step(&s, err) >= 0);
    }
    if (session_reset(&s, err) != 0 || session_reset(&s, err) != 0) fail_msg("%s", err);
    for (int i = 0; i < 4; i++)
        assert_true(session_step(&s, err) >= 0);
    trainer_note(&s.tr, "quit");
    assert_int_equal(session_close(&s, err), 0);
    expect_metrics_rows(dir, 16);

    char *journal = ftl_path_join(dir, "journal"), *text;
    size_t len;
    if (ftl_read_file(journal, &text, &len, err) != 0) fail_msg("%s", err);
    assert_non_null(strstr(text, "\nstep 7 reset\n"));
    assert_non_null(strstr(text, "\nstep 12 reset\nstep 12 reset\n"));
    free(text);
    if (replay_run(journal, again, NULL, NULL, NULL, err) != 0) fail_msg("%s", err);
    expect_same_weights(dir, again);
    expect_metrics_rows(again, 16);

    /* Without the resets the replay ends elsewhere: the check above can fail. */
    drop_resets(journal, nores);
    if (replay_run(nores, blind, NULL, NULL, NULL, err) != 0) fail_msg("%s", err);
    struct model ma, mb;
    if (session_load_model(dir, &ma, NULL, NULL, err) != 0) fail_msg("%s", err);
    if (session_load_model(blind, &mb, NULL, NULL, err) != 0) fail_msg("%s", err);
    assert_true(memcmp(ma.w, mb.w, ma.size * sizeof *ma.w) != 0);
    model_free(&ma);
    model_free(&mb);
    free(w0);
    free(journal);
    free(nores);
    free(blind);
    free(again);
    free(dir);
    tmpdir_free(td);
}

/* A reset whose initial.ckpt is gone fails, saying which file, and changes nothing. */
static void test_reset_without_initial(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "run"), err[FTL_ERRLEN];
    struct session s;
    new_session(&s, dir);
    for (int i = 0; i < 3; i++)
        assert_true(session_step(&s, err) >= 0);
    size_t n = s.tr.model.size;
    float *w = xmallocarray(n, sizeof *w);
    memcpy(w, s.tr.model.w, n * sizeof *w);
    uint64_t t = s.tr.opt.t, events = journal_event_count(&s.journal);
    char *initial = ftl_path_join(dir, "checkpoints/initial.ckpt");
    assert_int_equal(unlink(initial), 0);
    assert_int_equal(session_reset(&s, err), -1);
    assert_non_null(strstr(err, "initial.ckpt"));
    assert_memory_equal(w, s.tr.model.w, n * sizeof *w);
    assert_int_equal(s.tr.opt.t, t);
    assert_int_equal(journal_event_count(&s.journal), events); /* not journaled */
    session_free(&s);
    free(initial);
    free(w);
    free(dir);
    tmpdir_free(td);
}

/*
 * No --epochs, no --steps (the workbench's default): never finished, and the
 * config (epochs 0, steps 0) reads back from RUN_DIR/config, from a
 * checkpoint and from the journal's config lines, which replay to the step
 * of the journal's last line.
 */
static void test_until_quit(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    char *dir = tmpdir_path(td, "run"), *again = tmpdir_path(td, "replayed"), err[FTL_ERRLEN];
    struct trainer_config c, back;
    struct trainer_controls k;
    struct dataset_pair d;
    struct session s;
    small_config(&c, &k);
    c.steps = 0;
    synth_sample(&d);
    if (session_create(&s, dir, &c, &k, &d, err) != 0) fail_msg("%s", err);
    for (int i = 0; i < 12; i++) { /* past two epoch ends */
        assert_false(trainer_finished(&s.tr));
        assert_true(session_step(&s, err) >= 0);
    }
    assert_false(trainer_finished(&s.tr));
    trainer_note(&s.tr, "quit");
    assert_int_equal(session_close(&s, err), 0);
    if (session_read_config(dir, &back, &k, err) != 0) fail_msg("%s", err);
    assert_int_equal(back.epochs, 0);
    assert_int_equal(back.steps, 0);
    struct model m;
    uint64_t step;
    if (session_load_model(dir, &m, &back, &step, err) != 0) fail_msg("%s", err);
    assert_int_equal(back.epochs + back.steps, 0);
    assert_int_equal(step, 12);
    model_free(&m);
    /* Resumed as it was: still without an end. */
    synth_sample(&d);
    if (session_resume(&s, dir, &back, &d, err) != 0) fail_msg("%s", err);
    assert_false(trainer_finished(&s.tr));
    session_free(&s);
    char *journal = ftl_path_join(dir, "journal");
    if (replay_run(journal, again, NULL, NULL, NULL, err) != 0) fail_msg("%s", err);
    expect_same_weights(dir, again);
    expect_metrics_rows(again, 12);
    free(journal);
    free(again);
    free(dir);
    tmpdir_free(td);
}

int main(void)
{
    /* past RLIMIT_FSIZE a write fails with EFBIG instead of killing the process */
    signal(SIGXFSZ, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stop_on_write_error),
        cmocka_unit_test(test_stop_on_checkpoint_error),
        cmocka_unit_test(test_continue_on_write_error),
        cmocka_unit_test(test_continue_until_close),
        cmocka_unit_test(test_resume_after_killed_write),
        cmocka_unit_test(test_bookmark_rewind_replay),
        cmocka_unit_test(test_reset_replay),
        cmocka_unit_test(test_reset_without_initial),
        cmocka_unit_test(test_until_quit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
