/* live — the UI/trainer interface and the training thread. See live.h. */
/* syscall(SYS_gettid) for the evaluator's own nice (eval_yield_to_training) */
#define _GNU_SOURCE
#include "live.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "actmap.h"
#include "util.h"

struct live {
    pthread_mutex_t mu;
    pthread_mutex_t files;    /* writers of the run's CSV files: the evaluator, the export thread */
    pthread_cond_t cond;      /* the trainer thread sleeps on it while paused, done or held */
    pthread_cond_t hold_cond; /* live_wait_hold sleeps on it until the trainer holds */
    /* ---- control block (UI writes, trainer reads), under mu ---- */
    struct trainer_controls want;
    double lambda_of[REG_COUNT]; /* λ per loss, for live_set_loss */
    int auto_eval;               /* live evaluation on (the default) */
    int want_paused;
    unsigned requests;
    char rewind_to[48];      /* the checkpoint a REQ_REWIND goes back to */
    int show_next, show_pin; /* live_show's wishes, for REQ_SHOW */
    int show_unit;           /* live_show_cell's unit, or -1 */
    int steps_asked;         /* n presses not yet trained (LIVE_REQ_STEP) */
    /* ---- snapshot (trainer and evaluator write, UI reads), under mu ---- */
    struct live_snapshot snap;
    struct live_point *pts;
    size_t npts, cap_pts;
    struct live_marker *marks;
    size_t nmarks, cap_marks;
    /* ---- following a journal (live_start_following) ---- */
    struct replay_follow *follow; /* NULL: keys drive training; else owned by the trainer thread */
    uint64_t hold_every, eval_every;
    int held; /* the trainer waits for live_release (under mu) */
    /* ---- owned by the trainer thread ---- */
    struct session s;
    int probe_every;
    size_t probe_n;
    float *probe_acts, *probe_prob;
    uint32_t *probe_counts; /* LIVE_MAX_UNITS x DATASET_MAX_GROUPS */
    size_t seen_pos;        /* the probe sequence "what the network sees" shows */
    double last_batch;      /* when the last batch started (ftl_now), for the pace; 0: none yet */
    /* ---- the evaluator: started by the trainer thread, joined by it or by live_stop ---- */
    pthread_t eval_thread;
    int eval_started; /* a thread exists that nobody joined yet (trainer thread only) */
    /* live evaluation: the next automatic one starts once the trainer passes
     * next_auto (wall seconds), set from how long the last one took (under mu) */
    double next_auto;
    uint64_t last_eval_step;
    int eval_announce; /* the running evaluation was asked for (e): say when it is done */
    struct model eval_model;
    /* ---- plumbing ---- */
    pthread_t thread;
    int wake_fd;
    int close_rc;
    char close_err[FTL_ERRLEN];
};

/* Requests only this file makes (live_rewind carries a name with it). */
#define REQ_REWIND 0x100u
#define REQ_SHOW 0x200u

static const char *const state_names[] = {"running",  "paused", "done",
                                          "diverged", "failed", "closed"};

const char *live_state_name(enum live_state s)
{
    return s <= LIVE_CLOSED ? state_names[s] : "?";
}

/* One byte down the pipe wakes the UI's poll; a full pipe already will. */
static void wake(struct live *l)
{
    if (l->wake_fd >= 0) {
        char b = 1;
        ssize_t r = write(l->wake_fd, &b, 1);
        (void)r;
    }
}

/* ---- helpers run under the lock ---- */

static void set_message_locked(struct live *l, const char *fmt, va_list ap)
{
    vsnprintf(l->snap.message, sizeof l->snap.message, fmt, ap);
    l->snap.message_serial++;
}

static void post_locked(struct live *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message_locked(l, fmt, ap);
    va_end(ap);
}

static void add_marker_locked(struct live *l, uint64_t step, enum ctl_id id, double value)
{
    if (l->nmarks == l->cap_marks) {
        l->cap_marks = l->cap_marks ? 2 * l->cap_marks : 16;
        l->marks = xrealloc(l->marks, l->cap_marks * sizeof *l->marks);
    }
    l->marks[l->nmarks++] = (struct live_marker){step, id, value};
}

/* ---- UI side ---- */

void live_post(struct live *l, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&l->mu);
    va_start(ap, fmt);
    set_message_locked(l, fmt, ap);
    va_end(ap);
    pthread_mutex_unlock(&l->mu);
    wake(l);
}

/*
 * Once training is over (done, diverged, failed) the controls are what the
 * run ended with: a key then changes nothing, neither the controls nor the
 * journal, and says so (a divergence or an error keeps its own message).
 */
static int training_over_locked(struct live *l)
{
    enum live_state st = l->snap.state;
    if (st == LIVE_RUNNING || st == LIVE_PAUSED) return 0;
    if (st == LIVE_DONE)
        post_locked(l, "training done: keys change nothing now; e evaluates, x exports, q quits");
    pthread_mutex_unlock(&l->mu);
    wake(l);
    return 1;
}

static void control_changed(struct live *l)
{
    l->snap.ctl = l->want;
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->mu);
    wake(l);
}

void live_set_loss(struct live *l, enum reg_kind k)
{
    live_set_control(l, CTL_LOSS, k);
}

void live_step_control(struct live *l, enum ctl_id id, int dir)
{
    pthread_mutex_lock(&l->mu);
    if (training_over_locked(l)) return;
    ctl_set(&l->want, id, ctl_step(id, ctl_get(&l->want, id), dir));
    control_changed(l);
}

void live_set_control(struct live *l, enum ctl_id id, double v)
{
    pthread_mutex_lock(&l->mu);
    if (training_over_locked(l)) return;
    if (id == CTL_LOSS) { /* λ is kept per loss: the new one gets back the λ it had */
        l->lambda_of[l->want.loss] = l->want.lambda;
        l->want.lambda = l->lambda_of[(int)v];
    }
    ctl_set(&l->want, id, v);
    control_changed(l);
}

void live_set_paused(struct live *l, int paused)
{
    pthread_mutex_lock(&l->mu);
    if (training_over_locked(l)) return;
    l->want_paused = paused;
    control_changed(l);
}

void live_toggle_pause(struct live *l)
{
    pthread_mutex_lock(&l->mu);
    if (training_over_locked(l)) return;
    l->want_paused = !l->want_paused;
    control_changed(l);
}

static void set_pace_locked(struct live *l, int level)
{
    l->snap.pace = level < 0 ? 0 : level >= CTL_PACES ? CTL_PACES - 1 : level;
    pthread_cond_signal(&l->cond); /* a wait for the old pace's deadline ends at once */
}

void live_set_pace(struct live *l, int level)
{
    pthread_mutex_lock(&l->mu);
    set_pace_locked(l, level);
    pthread_mutex_unlock(&l->mu);
    wake(l);
}

void live_step_pace(struct live *l, int dir)
{
    /* From the level under the lock, not the UI's last snapshot: keys pressed faster than
     * the screen redraws each count. */
    pthread_mutex_lock(&l->mu);
    set_pace_locked(l, l->snap.pace + (dir > 0 ? 1 : -1));
    pthread_mutex_unlock(&l->mu);
    wake(l);
}

void live_request(struct live *l, enum live_request r)
{
    pthread_mutex_lock(&l->mu);
    l->requests |= (unsigned)r;
    if (r & LIVE_REQ_STEP) l->steps_asked++; /* n n n: three batches, even in one turn */
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->mu);
}

void live_rewind(struct live *l, const char *name)
{
    pthread_mutex_lock(&l->mu);
    snprintf(l->rewind_to, sizeof l->rewind_to, "%s", name);
    l->requests |= REQ_REWIND;
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->mu);
}

void live_show_cell(struct live *l, int digit, int unit)
{
    pthread_mutex_lock(&l->mu);
    l->show_next = 1;
    l->show_pin = digit;
    l->show_unit = unit;
    l->requests |= REQ_SHOW;
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->mu);
}

void live_show(struct live *l, int next, int pin)
{
    pthread_mutex_lock(&l->mu);
    l->show_next |= next;
    if (pin != LIVE_PIN_KEEP) l->show_pin = pin, l->show_unit = -1;
    l->requests |= REQ_SHOW;
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->mu);
}

void live_view(struct live *l, struct live_snapshot *out)
{
    pthread_mutex_lock(&l->mu);
    *out = l->snap;
    pthread_mutex_unlock(&l->mu);
}

size_t live_take_points(struct live *l, struct live_point *out, size_t max)
{
    pthread_mutex_lock(&l->mu);
    size_t n = l->npts < max ? l->npts : max;
    if (n) {
        memcpy(out, l->pts, n * sizeof *out);
        memmove(l->pts, l->pts + n, (l->npts - n) * sizeof *l->pts);
    }
    l->npts -= n;
    pthread_mutex_unlock(&l->mu);
    return n;
}

size_t live_take_markers(struct live *l, struct live_marker *out, size_t max)
{
    pthread_mutex_lock(&l->mu);
    size_t n = l->nmarks < max ? l->nmarks : max;
    if (n) {
        memcpy(out, l->marks, n * sizeof *out);
        memmove(l->marks, l->marks + n, (l->nmarks - n) * sizeof *l->marks);
    }
    l->nmarks -= n;
    pthread_mutex_unlock(&l->mu);
    return n;
}

/* The history keeps the newest LIVE_SCORE_HISTORY evaluations; returns the slot for one more. */
static struct live_scores *push_scores_locked(struct live *l)
{
    struct live_snapshot *s = &l->snap;
    if (s->nscores == LIVE_SCORE_HISTORY) {
        memmove(s->scores, s->scores + 1, (LIVE_SCORE_HISTORY - 1) * sizeof *s->scores);
        s->nscores--;
    }
    struct live_scores *sc = &s->scores[s->nscores++];
    memset(sc, 0, sizeof *sc);
    return sc;
}

void live_add_scores(struct live *l, const struct live_scores *sc)
{
    pthread_mutex_lock(&l->mu);
    *push_scores_locked(l) = *sc;
    pthread_mutex_unlock(&l->mu);
    wake(l);
}

void live_set_auto_eval(struct live *l, int on)
{
    pthread_mutex_lock(&l->mu);
    l->auto_eval = on;
    pthread_mutex_unlock(&l->mu);
}

void live_files_lock(struct live *l)
{
    pthread_mutex_lock(&l->files);
}

void live_files_unlock(struct live *l)
{
    pthread_mutex_unlock(&l->files);
}

/* ---- the evaluator thread ---- */

/*
 * An automatic evaluation runs at the lowest priority, nice 19 for its
 * thread alone (Linux: a thread's nice is its own): on a machine whose cores
 * training fills, a third runnable thread at training's priority takes a
 * third of each core from it (issue 14 measured 19 % of training's speed),
 * while at nice 19 it weighs 15 against training's 1024 per thread and runs
 * mostly in the gaps training leaves (the optimiser's single-threaded step,
 * the loss). Not SCHED_IDLE: beside any other busy process, niced or not, an
 * idle-class thread never runs, and the evaluation would never come. It takes
 * longer in wall time, and the cadence (below) spaces the next one out by
 * what it took. One the user asked for ('e') keeps its priority: they are
 * waiting for it. When the trainer waits for a low-priority evaluation
 * (join_eval, a lock it holds) the trainer's core is free, so it finishes.
 */
static void eval_yield_to_training(void)
{
#ifdef __linux__
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19); /* refused: still right */
#endif
}

static void *eval_main(void *arg)
{
    struct live *l = arg;
    pthread_mutex_lock(&l->mu);
    int asked = l->eval_announce;
    pthread_mutex_unlock(&l->mu);
    if (!asked) eval_yield_to_training();
    struct eval_opts eo;
    eval_opts_default(&eo);
    eval_opts_set_classes(&eo, dataset_nclasses(&l->s.data.test)); /* MNIST: 9, 10, 11 */
    eo.seed = l->s.tr.cfg.seed;
    eo.threads = 1; /* leave the other core to training */
    pthread_mutex_lock(&l->mu);
    uint64_t step = l->snap.step;
    pthread_mutex_unlock(&l->mu);
    struct eval_result r;
    char err[FTL_ERRLEN];
    double t0 = ftl_now();
    int computed = eval_run(&l->eval_model, &l->s.data.test, &eo, &r, err) == 0;
    double took = ftl_now() - t0;
    /* eval.csv, actmap.csv, clusters.csv: what `ftlab plot` draws the last evaluation from. */
    int rc = computed ? 0 : -1;
    if (computed) {
        live_files_lock(l);
        rc = eval_write_csv(&r, l->s.dir, step, err);
        if (rc == 0) rc = eval_append_history(&r, l->s.dir, step, err);
        live_files_unlock(l);
    }
    pthread_mutex_lock(&l->mu);
    if (rc == 0) {
        struct live_scores *sc = push_scores_locked(l);
        sc->step = step;
        sc->nk = r.nk;
        for (int j = 0; j < r.nk; j++) {
            sc->k[j] = r.k[j];
            sc->ami_max[j] = r.scores[j].ami_max;
            sc->ami_arithmetic[j] = r.scores[j].ami_arithmetic;
        }
        sc->task = r.task == TASK_CLASSIFY ? r.accuracy : r.task_loss;
        sc->active_units = r.active_units;
        /* An automatic one only updates the panel; the message line keeps what it says. */
        if (l->eval_announce)
            post_locked(l, "evaluated step %llu: AMI_max %.3f at k=%d", (unsigned long long)step,
                        r.nk ? r.scores[r.nk > 1 ? 1 : 0].ami_max : 0.0,
                        r.nk ? r.k[r.nk > 1 ? 1 : 0] : 0);
    } else {
        post_locked(l, "evaluation failed: %s", err);
    }
    if (computed) eval_result_free(&r); /* also when only writing its files failed */
    l->snap.evaluating = 0;
    /*
     * The cadence: wait nine times as long as this evaluation took before the
     * next automatic one, so evaluating costs at most a tenth of the time
     * (and, on the evaluator's one thread, of the cores) training has.
     */
    l->next_auto = ftl_now() + LIVE_EVAL_IDLE_RATIO * took;
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->mu);
    wake(l);
    return NULL;
}

/* Trainer thread: a copy of the weights goes to a new evaluator thread; announce: say
 * so on the message line when done (an evaluation the user asked for). */
/* Trainer thread: waits for the evaluation in flight, if any, and frees its copy. */
static void join_eval(struct live *l)
{
    if (l->eval_started) {
        pthread_join(l->eval_thread, NULL);
        model_free(&l->eval_model);
        l->eval_started = 0;
    }
}

static void start_eval(struct live *l, int announce)
{
    join_eval(l);
    const struct model *m = &l->s.tr.model;
    model_init(&l->eval_model, m->task, m->D, m->H, m->K);
    memcpy(l->eval_model.w, m->w, m->size * sizeof *m->w);
    pthread_mutex_lock(&l->mu);
    l->snap.evaluating = 1;
    l->eval_announce = announce;
    pthread_mutex_unlock(&l->mu);
    if (pthread_create(&l->eval_thread, NULL, eval_main, l) != 0) {
        model_free(&l->eval_model);
        pthread_mutex_lock(&l->mu);
        l->snap.evaluating = 0;
        post_locked(l, "cannot start the evaluation thread");
        pthread_mutex_unlock(&l->mu);
        return;
    }
    l->eval_started = 1;
}

/* ---- the trainer thread ---- */

/*
 * The unit that fires most for probe sequence i, as Figure 2 counts it
 * (actmap_argmax), or -1 when no unit fires (Figure 2 gives such a sequence
 * to unit 0 by its tie rule; the panel says none fires instead).
 */
static int strongest(const struct live *l, size_t i)
{
    int K = l->s.tr.model.K;
    const float *a = l->probe_acts + i * (size_t)K;
    int best = actmap_argmax(a, K);
    return a[best] > 0 ? best : -1;
}

/*
 * "What the network sees": the shown probe sequence's figures from the last
 * probe (its strongest unit, as actmap_count counts it, and P(5-9)).
 */
static void seen_figures_locked(struct live *l)
{
    struct live_seen *v = &l->snap.seen;
    const struct dataset *d = &l->s.data.test;
    if (l->probe_n == 0) return;
    size_t i = l->seen_pos;
    int best = strongest(l, i);
    size_t len = dataset_len(d, i);
    v->shown = 1;
    v->index = i;
    v->group = dataset_truth(d)[i];
    v->y = d->y[i];
    v->unit = best;
    v->p59 = l->s.tr.model.task == TASK_CLASSIFY ? l->probe_prob[i] : NAN;
    v->step = l->s.tr.step;
    v->len = (int)(len < LIVE_SEEN_ROWS ? len : LIVE_SEEN_ROWS);
    v->strokes = d->strokes;
    const float *seq = dataset_seq(d, i);
    if (d->strokes) {
        for (int k = 0; k < v->len * DATASET_STROKE_DIM; k++)
            v->rows[k] = (int8_t)seq[k];
    } else {
        int C = d->dim < LIVE_SEEN_CHANNELS ? d->dim : LIVE_SEEN_CHANNELS;
        v->channels = C;
        for (int t = 0; t < v->len; t++)
            for (int c = 0; c < C; c++)
                v->values[t * C + c] = seq[(size_t)t * (size_t)d->dim + (size_t)c];
    }
}

/* Trainer thread: live_show's wishes; the next probe sequence of the pinned digit, if any. */

/*
 * Trainer thread: live_show's wishes; the next probe sequence of the pinned
 * digit, if any, and of the pinned unit where one is (else any of the digit).
 */
static void seen_move(struct live *l)
{
    pthread_mutex_lock(&l->mu);
    int next = l->show_next, pin = l->show_pin, unit = l->show_unit;
    l->show_next = 0;
    l->snap.seen.pinned = pin;
    const uint8_t *cls = dataset_truth(&l->s.data.test);
    size_t n = l->probe_n, at = l->seen_pos, found = n;
    for (int pass = unit >= 0 ? 0 : 1; pass < 2 && found == n; pass++)
        for (size_t tries = 0; n && tries < n; tries++) {
            size_t i = (at + tries + (next ? 1 : 0)) % n;
            if ((pin < 0 || cls[i] == pin) && (pass == 1 || strongest(l, i) == unit)) {
                found = i;
                break;
            }
        }
    if (found < n) l->seen_pos = found;
    if (l->snap.heat_step) seen_figures_locked(l);
    pthread_mutex_unlock(&l->mu);
    wake(l);
}

/* Figure 2 over the probe set: forward only, on the trainer's own buffers. */
static void probe(struct live *l)
{
    struct trainer *t = &l->s.tr;
    struct dataset view = l->s.data.test; /* a prefix of the test split; never freed */
    view.n = l->probe_n;
    int K = t->model.K, C = dataset_nclasses(&view);
    uint32_t *counts = l->probe_counts; /* sized once at the start: no allocation per probe */
    if (K > LIVE_MAX_UNITS || view.n == 0) return;
    model_predict(&t->model, &t->work, &view, l->probe_acts, l->probe_prob, NULL, NULL);
    actmap_count(l->probe_acts, view.n, K, dataset_truth(&view), C, counts);
    int active = actmap_active_units(counts, K, C);
    pthread_mutex_lock(&l->mu);
    memcpy(l->snap.heat, counts, (size_t)K * (size_t)C * sizeof *counts);
    l->snap.heat_active = active;
    l->snap.heat_step = t->step ? t->step : 1;
    seen_figures_locked(l);
    pthread_mutex_unlock(&l->mu);
}

/* Seconds from one batch's start to the next's at the current pace (0 at max). */
static double pace_period_locked(const struct live *l)
{
    double rate = ctl_pace_rate[l->snap.pace];
    return rate > 0 ? 1 / rate : 0;
}

/* seconds: what the batch took; at a set pace the rates count the wait after it too. */
static void publish_step(struct live *l, double seconds, int batch)
{
    const struct trainer *t = &l->s.tr;
    struct live_point p = {
        .step = t->step, .task = t->last.task, .total = t->last.total, .test = NAN};
    memcpy(p.reg, t->last.reg, sizeof p.reg);
    pthread_mutex_lock(&l->mu);
    if (l->npts == l->cap_pts) {
        l->cap_pts = l->cap_pts ? 2 * l->cap_pts : 256;
        l->pts = xrealloc(l->pts, l->cap_pts * sizeof *l->pts);
    }
    struct live_snapshot *s = &l->snap;
    s->step = t->step;
    s->epoch = t->epoch;
    seconds = fmax(seconds, pace_period_locked(l));
    double rate = batch / fmax(seconds, 1e-9);
    s->seq_per_s = s->seq_per_s > 0 ? 0.9 * s->seq_per_s + 0.1 * rate : rate;
    s->elapsed = t->elapsed;
    /* Steps per second as tqdm smooths its rate: an exponential average over the last
     * steps, so the time left follows a change of pace without jumping at every step. */
    double sps = 1 / fmax(seconds, 1e-9);
    s->steps_per_s = s->steps_per_s > 0 ? 0.95 * s->steps_per_s + 0.05 * sps : sps;
    if (!isnan(l->s.test_metric) && t->pos == 0) {
        p.test = l->s.test_metric;
        s->last_test = l->s.test_metric;
    }
    l->pts[l->npts++] = p;
    pthread_mutex_unlock(&l->mu);
}

/* The fewest steps between two automatic evaluations at the current pace (live.h). */
static uint64_t eval_min_steps_locked(const struct live *l)
{
    double rate = ctl_pace_rate[l->snap.pace];
    double n = rate > 0 ? ceil(rate * LIVE_EVAL_MIN_SECONDS) : LIVE_EVAL_MIN_STEPS;
    return n < 1 ? 1 : n > LIVE_EVAL_MIN_STEPS ? LIVE_EVAL_MIN_STEPS : (uint64_t)n;
}

/*
 * Live cluster quality: an evaluation starts by itself once the last one has
 * been idle long enough (next_auto) and training moved on. Not journaled: it
 * changes nothing a replay redoes. live_set_auto_eval(l, 0) turns it off.
 */
static void auto_eval(struct live *l)
{
    const struct trainer *t = &l->s.tr;
    pthread_mutex_lock(&l->mu);
    int go = l->auto_eval && !l->snap.evaluating && ftl_now() >= l->next_auto &&
             t->step >= l->last_eval_step + eval_min_steps_locked(l);
    pthread_mutex_unlock(&l->mu);
    if (!go) return;
    l->last_eval_step = t->step;
    start_eval(l, 0);
}

/* Applies the UI's wishes at a batch boundary; journal and markers record them. */
static void apply_controls(struct live *l, const struct trainer_controls *want)
{
    struct trainer *t = &l->s.tr;
    struct trainer_controls old = t->ctl;
    if (memcmp(&old, want, sizeof old) == 0) return;
    trainer_apply(t, want);
    pthread_mutex_lock(&l->mu);
    for (int i = 0; i < CTL_COUNT; i++)
        if (ctl_get(want, (enum ctl_id)i) != ctl_get(&old, (enum ctl_id)i))
            add_marker_locked(l, t->step, (enum ctl_id)i, ctl_get(want, (enum ctl_id)i));
    pthread_mutex_unlock(&l->mu);
}

/*
 * A state other than running or paused ends training: what the UI asked for
 * and the trainer did not take up yet is dropped, so the controls shown are
 * the ones the run ended with and nothing more reaches the journal.
 */
static void set_state(struct live *l, enum live_state st, const char *msg, int paused)
{
    pthread_mutex_lock(&l->mu);
    l->snap.state = st;
    if (st != LIVE_RUNNING && st != LIVE_PAUSED) {
        l->want = l->s.tr.ctl;
        l->want_paused = paused;
        l->snap.ctl = l->s.tr.ctl;
    }
    if (msg) post_locked(l, "%s", msg);
    pthread_cond_broadcast(&l->hold_cond); /* over: nobody waits for a hold any more */
    pthread_mutex_unlock(&l->mu);
    wake(l);
}

/* ---- following a journal ---- */

void live_wait_hold(struct live *l)
{
    pthread_mutex_lock(&l->mu);
    while (!l->held && (l->snap.state == LIVE_RUNNING || l->snap.state == LIVE_PAUSED))
        pthread_cond_wait(&l->hold_cond, &l->mu);
    pthread_mutex_unlock(&l->mu);
}

void live_release(struct live *l)
{
    pthread_mutex_lock(&l->mu);
    l->held = 0;
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->mu);
}

/* Trainer thread: stop at this step until live_release. */
static void hold(struct live *l)
{
    pthread_mutex_lock(&l->mu);
    l->held = 1;
    pthread_cond_broadcast(&l->hold_cond);
    pthread_mutex_unlock(&l->mu);
    wake(l);
}

/* Trainer thread: no more batches. A journal followed ends at its end step, also when that is
 * step 0 (its run is made to train at least one step: replay_open). */
static int finished(const struct live *l)
{
    return trainer_finished(&l->s.tr) || (l->follow && l->s.tr.step >= l->follow->end);
}

/* Trainer thread: an evaluation of this step, its result in the snapshot before going on. */
static void eval_now(struct live *l)
{
    start_eval(l, 0);
    join_eval(l);
    l->last_eval_step = l->s.tr.step;
}

/*
 * Trainer thread: the journal's events due by this step onto *want, which
 * becomes what the UI side holds too (so the next turn does not undo it).
 * 0, or -1 having stopped training (a value replay_open's check let through).
 */
static int follow_journal(struct live *l, struct trainer_controls *want)
{
    char err[FTL_ERRLEN];
    int resets = 0;
    if (replay_due(l->follow, l->s.tr.step, want, &resets, err) != 0 ||
        (resets && session_reset(&l->s, err) != 0)) {
        set_state(l, LIVE_FAILED, err, 0);
        return -1;
    }
    pthread_mutex_lock(&l->mu);
    l->want = *want;
    l->snap.ctl = *want;
    pthread_mutex_unlock(&l->mu);
    return 0;
}

/* A point in the stream that says "rewound to step; the line left is branch". */
static void push_rewind_locked(struct live *l, uint64_t step, int branch)
{
    if (l->npts == l->cap_pts) {
        l->cap_pts = l->cap_pts ? 2 * l->cap_pts : 256;
        l->pts = xrealloc(l->pts, l->cap_pts * sizeof *l->pts);
    }
    struct live_point p = {.step = step, .task = NAN, .total = NAN, .test = NAN, .rewound = branch};
    for (int k = 0; k < REG_COUNT; k++)
        p.reg[k] = NAN;
    l->pts[l->npts++] = p;
}

/*
 * R: back to a checkpoint (session_rewind). The evaluation in flight is
 * waited for first (it writes the files the rewind moves), and the export
 * thread is kept off them. The evaluations made after the step move to the
 * snapshot's `left`, queued markers after it are dropped (the journal marks
 * them superseded), and training pauses.
 */
static void do_rewind(struct live *l, const char *name, int *paused)
{
    struct trainer *t = &l->s.tr;
    char err[FTL_ERRLEN];
    uint64_t from = t->step;
    int branch;
    join_eval(l);
    live_files_lock(l);
    int rc = session_rewind(&l->s, name, &branch, err);
    live_files_unlock(l);
    if (rc != 0) {
        live_post(l, "rewind failed: %s", err);
        return;
    }
    if (!*paused) trainer_note(t, "pause");
    *paused = 1;
    uint64_t step = t->step;
    pthread_mutex_lock(&l->mu);
    size_t keep = 0;
    for (size_t i = 0; i < l->nmarks; i++)
        if (l->marks[i].step <= step) l->marks[keep++] = l->marks[i];
    l->nmarks = keep;
    struct live_snapshot *s = &l->snap;
    int kept = 0;
    s->nleft = 0;
    for (int i = 0; i < s->nscores; i++)
        if (s->scores[i].step > step)
            s->left[s->nleft++] = s->scores[i];
        else
            s->scores[kept++] = s->scores[i];
    s->nscores = kept;
    s->left_branch = branch;
    push_rewind_locked(l, step, branch);
    s->state = LIVE_PAUSED;
    s->step = step;
    s->epoch = t->epoch;
    l->want = t->ctl;
    s->ctl = t->ctl;
    l->want_paused = 1;
    l->last_eval_step = step;
    post_locked(l,
                "rewound from step %llu to %s (step %llu); the line left is branch %d (faint). "
                "Paused: space goes on",
                (unsigned long long)from, name, (unsigned long long)step, branch);
    pthread_mutex_unlock(&l->mu);
    probe(l);
    wake(l);
}

/* Seconds the pace still holds the next batch back; 0: it may start now. */
static double pace_hold_locked(const struct live *l)
{
    double period = pace_period_locked(l);
    if (period <= 0 || l->last_batch <= 0) return 0;
    double hold = l->last_batch + period - ftl_now();
    return hold > 0 ? hold : 0;
}

/* Sleeps on the condition variable for at most `seconds` (the clock is ftl_now's). */
static void wait_locked(struct live *l, double seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double whole = floor(seconds);
    ts.tv_sec += (time_t)whole;
    ts.tv_nsec += (long)((seconds - whole) * 1e9);
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&l->cond, &l->mu, &ts);
}

/*
 * One batch, its metrics row and its point, as the UI draws any step (running
 * or n). Returns 0, or -1 when training stopped: diverged or a write failed.
 */
static int train_batch(struct live *l, int paused)
{
    struct trainer *t = &l->s.tr;
    char err[FTL_ERRLEN], note[FTL_ERRLEN];
    double t0 = ftl_now();
    l->last_batch = t0;
    int r = session_step(&l->s, err);
    if (r == -1) {
        set_state(l, LIVE_DIVERGED, t->message, paused);
        return -1;
    }
    if (r == -2) {
        set_state(l, LIVE_FAILED, err, paused);
        return -1;
    }
    publish_step(l, ftl_now() - t0, t->batch.B);
    auto_eval(l);
    if (session_take_notice(&l->s, note)) live_post(l, "%s", note);
    if (r == 1 || (l->probe_every > 0 && t->step % (uint64_t)l->probe_every == 0)) probe(l);
    if (l->eval_every && t->step % l->eval_every == 0) eval_now(l);
    if (l->hold_every && t->step % l->hold_every == 0 && !finished(l)) hold(l);
    wake(l);
    return 0;
}

/* The configured epochs or steps are done: the journal says so and the keys stop. */
static void finish(struct live *l, int paused)
{
    if (l->follow && l->eval_every && l->last_eval_step != l->s.tr.step) eval_now(l);
    trainer_note(&l->s.tr, "done");
    set_state(l, LIVE_DONE, "training done: press e to evaluate, x to export, q to quit", paused);
}

/* n: the batches asked for while paused; running, or once training is over, a notice. */
static void step_asked(struct live *l, int paused, int live)
{
    pthread_mutex_lock(&l->mu);
    int n = l->steps_asked;
    l->steps_asked = 0;
    pthread_mutex_unlock(&l->mu);
    if (!live) {
        /* A divergence or an error keeps its own message. */
        if (l->snap.state == LIVE_DONE)
            live_post(l, "training done: n trains nothing now; e evaluates, x exports, q quits");
        return;
    }
    if (!paused) {
        live_post(l, "n trains one batch while paused: space pauses");
        return;
    }
    for (int i = 0; i < n; i++) {
        if (finished(l)) {
            finish(l, paused);
            return;
        }
        if (train_batch(l, paused) != 0) return;
    }
    live_post(l, "step %llu: n trains one more batch, space goes on",
              (unsigned long long)l->s.tr.step);
}

/*
 * 0: the network back to step 0's (session_reset) while the step, the epoch
 * and the data order go on. Refused once training is done or failed, like
 * any control; after a divergence it mends the run, paused, so that a
 * control (a smaller lr) can change before training goes on.
 */
static void do_reset(struct live *l, int *paused)
{
    struct trainer *t = &l->s.tr;
    enum live_state st = l->snap.state;
    char err[FTL_ERRLEN];
    if (st == LIVE_DONE) {
        live_post(l, "training done: 0 resets nothing now; R rewinds to a checkpoint");
        return;
    }
    if (st == LIVE_FAILED) return; /* its message says why; nothing more reaches the journal */
    if (session_reset(&l->s, err) != 0) {
        live_post(l, "reset failed: %s", err);
        return;
    }
    pthread_mutex_lock(&l->mu);
    if (st == LIVE_DIVERGED) {
        if (!*paused) trainer_note(t, "pause");
        *paused = 1;
        l->want_paused = 1;
        l->snap.state = LIVE_PAUSED;
    }
    post_locked(l, "step %llu: reset to the initial weights (the steps go on)%s",
                (unsigned long long)t->step, *paused ? "; paused: space goes on" : "");
    pthread_mutex_unlock(&l->mu);
    probe(l);
    wake(l);
}

static void *trainer_main(void *arg)
{
    struct live *l = arg;
    struct trainer *t = &l->s.tr;
    /* Signals belong to the UI thread (it restores the terminal). */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    char err[FTL_ERRLEN];
    int paused = 0;
    double probe_start = ftl_now();
    probe(l);
    /*
     * The first automatic evaluation waits too, nine times an estimate of its
     * length (the probe's forward pass scaled to the whole test split, doubled
     * for KMeans), so a short session does not spend its first seconds
     * evaluating; after it, nine times what the last one took.
     */
    double est = 2 * (ftl_now() - probe_start) * (double)l->s.data.test.n /
                 (double)(l->probe_n ? l->probe_n : 1);
    pthread_mutex_lock(&l->mu);
    l->next_auto = ftl_now() + LIVE_EVAL_IDLE_RATIO * est;
    pthread_mutex_unlock(&l->mu);
    if (l->follow) hold(l); /* step 0, before the first batch */
    wake(l);
    for (;;) {
        pthread_mutex_lock(&l->mu);
        /* Sleep while there is nothing to do (paused, held for the UI, training over, or the
         * pace holds the next batch back) and nothing new asked. */
        for (;;) {
            int news = l->requests || l->want_paused != paused ||
                       memcmp(&l->want, &t->ctl, sizeof t->ctl) != 0;
            if (news) break;
            if (paused || l->held ||
                (l->snap.state != LIVE_RUNNING && l->snap.state != LIVE_PAUSED)) {
                pthread_cond_wait(&l->cond, &l->mu);
                continue;
            }
            double wait_s = pace_hold_locked(l);
            if (wait_s <= 0) break;
            wait_locked(l, wait_s);
        }
        struct trainer_controls want = l->want;
        int want_paused = l->want_paused;
        unsigned req = l->requests;
        l->requests = 0;
        int evaluating = l->snap.evaluating, held = l->held;
        pthread_mutex_unlock(&l->mu);

        /* Only this thread writes the state, so it may read it unlocked. */
        int live = l->snap.state == LIVE_RUNNING || l->snap.state == LIVE_PAUSED;
        if (live && !held && l->follow && follow_journal(l, &want) != 0) continue;
        if (live) apply_controls(l, &want);
        if (live && want_paused != paused) {
            paused = want_paused;
            trainer_note(t, paused ? "pause" : "resume");
            set_state(l, paused ? LIVE_PAUSED : LIVE_RUNNING, paused ? "paused" : "resumed",
                      paused);
        }
        if (req & LIVE_REQ_QUIT) break;
        if (req & REQ_SHOW) seen_move(l);
        /* A rewind also brings back a run that ended or diverged; not one whose writes fail. */
        if ((req & REQ_REWIND) && l->snap.state != LIVE_FAILED) {
            char name[sizeof l->rewind_to];
            pthread_mutex_lock(&l->mu);
            memcpy(name, l->rewind_to, sizeof name);
            l->requests |= req & ~REQ_REWIND; /* the rest, on the next turn (state changes) */
            pthread_mutex_unlock(&l->mu);
            do_rewind(l, name, &paused);
            continue;
        }
        if ((req & LIVE_REQ_BOOKMARK) && !live) {
            /* The end is final.ckpt already, and after "done" the journal takes only "quit". */
            live_post(l, "training is over: nothing new to bookmark; R rewinds to a checkpoint");
        } else if (req & LIVE_REQ_BOOKMARK) {
            char name[48];
            if (session_bookmark(&l->s, name, sizeof name, err) == 0)
                live_post(l, "bookmark %s: R rewinds here", name);
            else
                live_post(l, "bookmark failed: %s", err);
        }
        /* After training, the journal gets nothing but "quit": an evaluation or a checkpoint
         * of the final weights changes nothing a replay would redo. */
        if (req & LIVE_REQ_CHECKPOINT) {
            char name[48];
            snprintf(name, sizeof name, "step-%llu", (unsigned long long)t->step);
            if (live) trainer_note(t, "checkpoint");
            if (session_checkpoint(&l->s, name, err) == 0)
                live_post(l, "wrote checkpoints/%s.ckpt", name);
            else
                live_post(l, "checkpoint failed: %s", err);
        }
        if (req & LIVE_REQ_EVAL) {
            if (evaluating) {
                /* One already runs (perhaps an automatic one): it answers this request. */
                if (live) trainer_note(t, "eval");
                pthread_mutex_lock(&l->mu);
                l->eval_announce = 1;
                post_locked(l, "evaluating: the result shows when it is done");
                pthread_mutex_unlock(&l->mu);
                wake(l);
            } else {
                if (live) trainer_note(t, "eval");
                l->last_eval_step = t->step;
                start_eval(l, 1);
            }
        }
        if (req & LIVE_REQ_RESET) {
            do_reset(l, &paused);
            live = l->snap.state == LIVE_RUNNING || l->snap.state == LIVE_PAUSED;
        }
        if (req & LIVE_REQ_STEP) step_asked(l, paused, live);
        if (paused || !live || held) continue;
        if (finished(l)) {
            finish(l, paused);
            continue;
        }
        /* Woken by a key before the pace's deadline: back to the wait, not a batch early. */
        pthread_mutex_lock(&l->mu);
        double wait_s = pace_hold_locked(l);
        pthread_mutex_unlock(&l->mu);
        if (wait_s > 0) continue;
        train_batch(l, paused);
    }
    trainer_note(t, "quit");
    join_eval(l);
    l->close_rc = session_close(&l->s, l->close_err);
    set_state(l, LIVE_CLOSED, l->close_rc ? l->close_err : "closed", paused);
    return NULL;
}

/* live_start's and live_start_following's: the thread, with follow (NULL: keys) set before. */
static struct live *start(struct session *s, int wake_fd, int probe_every, size_t probe_n,
                          int start_paused, struct replay_follow *follow, uint64_t hold_every,
                          uint64_t eval_every)
{
    struct live *l = xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    pthread_mutex_init(&l->files, NULL);
    /* The monotonic clock (ftl_now's) for the pace's timed waits: a clock change cannot
     * stall training or rush it. */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&l->hold_cond, NULL);
    l->follow = follow;
    l->hold_every = follow ? hold_every : 0;
    l->eval_every = follow ? eval_every : 0;
    session_move(&l->s, s);
    l->wake_fd = wake_fd;
    l->probe_every = probe_every;
    l->probe_n = probe_n < l->s.data.test.n ? probe_n : l->s.data.test.n;
    l->probe_acts = xcalloc(l->probe_n * (size_t)l->s.tr.model.K + 1, sizeof *l->probe_acts);
    l->probe_prob = xcalloc(l->probe_n + 1, sizeof *l->probe_prob);
    l->probe_counts = xcalloc(LIVE_MAX_UNITS * DATASET_MAX_GROUPS, sizeof *l->probe_counts);
    l->show_pin = -1;
    l->show_unit = -1;
    l->snap.seen.pinned = -1;
    const struct trainer *t = &l->s.tr;
    l->want = t->ctl;
    for (int r = 0; r < REG_COUNT; r++)
        l->lambda_of[r] = reg_table[r].default_lambda;
    l->want_paused = start_paused;
    l->snap.elapsed = l->s.tr.elapsed;
    l->auto_eval = !follow; /* a journal followed evaluates on its own cadence of steps */
    struct live_snapshot *snap = &l->snap;
    snap->state = LIVE_RUNNING;
    /* A finished run, resumed: done from the first frame, so no key slips into the journal. */
    if (trainer_finished(t)) {
        snap->state = LIVE_DONE;
        snprintf(snap->message, sizeof snap->message,
                 "training done: press e to evaluate, x to export, q to quit");
    }
    snap->ctl = t->ctl;
    snap->task = t->cfg.task;
    snap->units = t->model.K;
    snap->step = t->step;
    snap->epoch = t->epoch;
    snap->steps_per_epoch = t->steps_per_epoch;
    snap->total_steps = follow             ? follow->end
                        : t->cfg.steps > 0 ? (uint64_t)t->cfg.steps
                                           : (uint64_t)t->cfg.epochs * t->steps_per_epoch;
    snap->last_test = NAN;
    const char *sample;
    const struct dataset *test = &l->s.data.test;
    if (!session_data_is_sample(t->cfg.data, &sample))
        snprintf(snap->data, sizeof snap->data, "%s",
                 test->strokes ? "MNIST strokes" : "sequences");
    else if (strcmp(sample, "digits") == 0)
        snprintf(snap->data, sizeof snap->data, "embedded sample");
    else
        snprintf(snap->data, sizeof snap->data, "%s sample", sample);
    snap->classes = dataset_nclasses(test);
    snap->class_digits = test->strokes && test->ngroups == DATASET_DIGITS;
    snap->class_grouped = test->ngroups > 0;
    for (int c = 0; c < snap->classes; c++)
        snprintf(snap->class_name[c], DATASET_GROUP_NAME, "%s", dataset_class_name(test, c));
    snprintf(snap->dir, sizeof snap->dir, "%s", l->s.dir);
    if (pthread_create(&l->thread, NULL, trainer_main, l) != 0) {
        fprintf(stderr, "ftlab: cannot start the training thread\n");
        abort();
    }
    return l;
}

struct live *live_start(struct session *s, int wake_fd, int probe_every, size_t probe_n,
                        int start_paused)
{
    return start(s, wake_fd, probe_every, probe_n, start_paused, NULL, 0, 0);
}

struct live *live_start_following(struct session *s, struct replay_follow *f, int probe_every,
                                  size_t probe_n, uint64_t hold_every, uint64_t eval_every)
{
    return start(s, -1, probe_every, probe_n, 0, f, hold_every, eval_every);
}

int live_stop(struct live *l, char *err)
{
    live_request(l, LIVE_REQ_QUIT);
    pthread_join(l->thread, NULL);
    int rc = l->close_rc;
    if (rc && err) snprintf(err, FTL_ERRLEN, "%s", l->close_err);
    pthread_mutex_destroy(&l->mu);
    pthread_mutex_destroy(&l->files);
    pthread_cond_destroy(&l->cond);
    pthread_cond_destroy(&l->hold_cond);
    free(l->pts);
    free(l->marks);
    free(l->probe_acts);
    free(l->probe_prob);
    free(l->probe_counts);
    free(l);
    return rc;
}
