/*
 * live — the one locked interface between the workbench's UI thread and its
 * training thread (DESIGN.md, "Threads").
 *
 *   UI thread ── live_set_* / live_request ──▶ control block ──▶ trainer thread
 *   UI thread ◀── live_view / live_take_points ── snapshot ◀── publishes
 *
 * The trainer thread owns the session (model, optimiser, data order, run
 * files); it applies control changes only between two batches, journaling
 * each with the step it took effect at. The UI never touches model memory:
 * it copies what it draws out of the snapshot under the lock and draws
 * outside it. A KMeans evaluation runs on a third thread, on a copy of the
 * weights, and reports back here, so neither the screen nor training waits.
 * Every function here takes the lock for a few copies at most; nothing
 * computes or draws while holding it.
 */
#ifndef FTLAB_LIVE_H
#define FTLAB_LIVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "evaluate.h"
#include "loss.h"
#include "replay.h"
#include "session.h"

enum live_state {
    LIVE_RUNNING,
    LIVE_PAUSED,
    LIVE_DONE,     /* the configured epochs/steps are done; still answers eval/checkpoint/quit */
    LIVE_DIVERGED, /* NaN/Inf: stopped, last good weights kept */
    LIVE_FAILED,   /* an I/O error stopped training (message says which) */
    LIVE_CLOSED,   /* the thread has written final.ckpt and ended */
};
const char *live_state_name(enum live_state s);

/* One training step, as the loss panel plots it. */
struct live_point {
    uint64_t step;
    double task, reg[REG_COUNT], total;
    double test; /* epoch-end test figure, NAN elsewhere */
    int rewound; /* > 0: not a step but a rewind to `step`; the line left is branch `rewound` */
};

/* A control change, drawn as a vertical marker. */
/* One control change, at the step it took effect (the UI words it: ctl_marker_append). */
struct live_marker {
    uint64_t step;
    enum ctl_id id;
    double value;
};

#define LIVE_MAX_UNITS 256
#define LIVE_SCORE_HISTORY 256

/* One cluster evaluation as the scores panel shows it. */
struct live_scores {
    uint64_t step;
    int nk;
    int k[EVAL_MAX_K];
    double ami_max[EVAL_MAX_K], ami_arithmetic[EVAL_MAX_K];
    double task; /* test accuracy (classify) or reconstruction error (autoencode) */
    int active_units;
};

#define LIVE_SEEN_ROWS 256   /* the most rows of one sequence the panel draws */
#define LIVE_SEEN_CHANNELS 8 /* the most channels of other data it draws */

/* One test sequence as the network sees it ("what the network sees"), from the last probe. */
struct live_seen {
    int shown;     /* 0: none yet */
    int pinned;    /* -1: any class; c: only sequences of class c (a group, a digit) are shown */
    size_t index;  /* in the test split */
    int group;     /* its true class (dataset_truth: its group, its digit for MNIST) */
    int y;         /* its binary label */
    float p59;     /* the classifier's P(y = 1) (MNIST: P(5-9)); NAN for the autoencoder */
    int unit;      /* the target-layer unit that fires most for it; -1 when none fires */
    uint64_t step; /* of the weights these figures come from */
    int len;       /* rows (at most LIVE_SEEN_ROWS) */
    int strokes;   /* pen strokes: rows holds them; else values does */
    int8_t rows[LIVE_SEEN_ROWS * 4]; /* dx, dy, eos, eod (dataset.h) */
    int channels;                    /* other data: the first channels of each row (<= 8) */
    float values[LIVE_SEEN_ROWS * LIVE_SEEN_CHANNELS];
};

/* Everything but the point series, copied out whole by live_view(). */
struct live_snapshot {
    enum live_state state;
    int evaluating;              /* a KMeans evaluation is running */
    struct trainer_controls ctl; /* as applied (or about to be, at the next batch) */
    enum model_task task;
    int units;
    uint64_t step, epoch, steps_per_epoch;
    uint64_t total_steps; /* where training ends by itself; 0: it trains until quit */
    int pace;             /* ctl_pace_rate's index: 0 = max */
    double seq_per_s;
    double elapsed;     /* training seconds, over resumes too */
    double steps_per_s; /* smoothed, for the time left */
    double last_test;   /* the last epoch-end test figure, or NAN */
    /* the Figure 2 histogram over the probe set */
    uint64_t heat_step;                                 /* 0 = none yet */
    uint32_t heat[LIVE_MAX_UNITS * DATASET_MAX_GROUPS]; /* units x classes */
    int heat_active;
    int classes;                     /* columns of heat: dataset_nclasses of the test split */
    int class_digits, class_grouped; /* the classes are the digits / groups (evaluate.h's names) */
    char class_name[DATASET_MAX_GROUPS][DATASET_GROUP_NAME];
    struct live_seen seen;
    /* cluster evaluations */
    int nscores; /* in history, oldest first (at most LIVE_SCORE_HISTORY) */
    struct live_scores scores[LIVE_SCORE_HISTORY];
    /* the evaluations of the line the last rewind left (branch left_branch, 0: none yet) */
    int left_branch, nleft;
    struct live_scores left[LIVE_SCORE_HISTORY];
    char message[256];       /* the latest notice for the status line */
    uint64_t message_serial; /* bumps with every new message */
    char data[128];          /* what it trains on, for the status line */
    char dir[512];           /* the run directory */
};

enum live_request {
    LIVE_REQ_EVAL = 1,
    LIVE_REQ_CHECKPOINT = 2,
    LIVE_REQ_QUIT = 4,
    LIVE_REQ_BOOKMARK = 8, /* session_bookmark: a checkpoint and a journal line */
    LIVE_REQ_STEP = 16,    /* n: one batch while paused (each request one; running: a notice) */
    LIVE_REQ_RESET = 32,   /* 0: session_reset, the network back to step 0's (journaled) */
};

/* The pace (control.h's ctl_pace_rate levels): not journaled, it changes when batches run,
 * not what they do. The trainer thread waits between batches on its condition variable
 * with a deadline, so a key is answered at once even at the slowest pace. */

/* Live evaluation: idle LIVE_EVAL_IDLE_RATIO times an evaluation's duration between two
 * (at most a tenth of the time spent evaluating), and at least LIVE_EVAL_MIN_STEPS apart;
 * before the first, as long for an estimate of its duration. */
#define LIVE_EVAL_IDLE_RATIO 9.0
#define LIVE_EVAL_MIN_STEPS 20
/* At a slow pace, fewer steps: those of LIVE_EVAL_MIN_SECONDS (at least one), so the scores
 * still move while a class watches (0.5 batches/s: every 5 steps, not every 40 s). */
#define LIVE_EVAL_MIN_SECONDS 10.0

struct live;

/*
 * Takes over *s (a created or resumed session) and starts the training
 * thread. wake_fd: written (one byte, non-blocking) whenever there is
 * something new to draw; -1 for none. probe_every: steps between two
 * Figure 2 refreshes; probe_n: test sequences in the probe set.
 */
struct live *live_start(struct session *s, int wake_fd, int probe_every, size_t probe_n,
                        int start_paused);
/*
 * The trainer following a journal instead of keys (`ftlab replay --render`):
 * f's events take effect at their steps as replay_run applies them
 * (replay_due), and training stops at its end step (state done), so the
 * weights are those of a replay. For whoever draws to see chosen steps, the
 * thread holds after its first probe (step 0), after every hold_every steps
 * (0: never) and until live_release(); it evaluates (KMeans, waiting for the
 * result) every eval_every steps and at the end (eval_every 0: never), in
 * place of the automatic evaluations, which follow the clock. f stays the
 * caller's, untouched by anyone else, until live_stop().
 */
struct live *live_start_following(struct session *s, struct replay_follow *f, int probe_every,
                                  size_t probe_n, uint64_t hold_every, uint64_t eval_every);
/* Waits until the thread holds (live_start_following), or training is over. */
void live_wait_hold(struct live *l);
/* Lets the holding thread go on. */
void live_release(struct live *l);

/* Asks the thread to quit (if not yet), waits for it, frees everything. Returns 0, or -1
 * with err if closing the run failed. */
int live_stop(struct live *l, char *err);

/* ---- UI side: controls (applied at the next batch boundary) ---- */
/*
 * Selects a loss. λ is kept per loss (their scales differ by orders of
 * magnitude): the new loss gets back the λ it last had, at first its
 * default (reg_table), or the run's λ for the loss it started with.
 */
void live_set_loss(struct live *l, enum reg_kind k);
/* One step of a control up (dir > 0) or down, as its ctl_table row says (λ ×2, m +1, ...). */
void live_step_control(struct live *l, enum ctl_id id, int dir);
void live_toggle_pause(struct live *l);
/* The pace, as a level (clamped to 0..CTL_PACES-1); live_step_pace: one level slower
 * (dir > 0) or faster. Also after training ended (it changes nothing there). */
void live_set_pace(struct live *l, int level);
void live_step_pace(struct live *l, int dir);
/* A control to a value (a lesson's "lambda 0.1"); the loss keeps λ per loss as live_set_loss. */
void live_set_control(struct live *l, enum ctl_id id, double v);
void live_set_paused(struct live *l, int paused);
/* Automatic evaluations on (the default) or off; `e` (LIVE_REQ_EVAL) always works. */
void live_set_auto_eval(struct live *l, int on);
void live_request(struct live *l, enum live_request r);
/*
 * Takes the run back to checkpoints/NAME.ckpt at the next batch boundary
 * (session_rewind; also after training ended or diverged). The point stream
 * then carries a point with `rewound` set, at the checkpoint's step: what the
 * UI holds after that step is the line left behind. Training is paused after
 * a rewind, so the user can change something before going on.
 */
void live_rewind(struct live *l, const char *name);
/*
 * "What the network sees": next (1) moves to another test sequence of the
 * probe set (of the pinned class, if any); pin: -1 any class, c only that
 * class, LIVE_PIN_KEEP leaves it. Answered by the trainer thread, also while
 * paused; the figures follow every probe.
 */
#define LIVE_PIN_KEEP -2
void live_show(struct live *l, int next, int pin);
/* The same, pinned to a digit and, where the probe set has one, a sequence whose strongest
 * unit is unit (a click on a Figure 2 cell); live_show with a new pin lets the unit go. */
void live_show_cell(struct live *l, int digit, int unit);
/* A notice for the status line, from any thread (e.g. the export thread). */
void live_post(struct live *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An evaluation made before this session (a resumed run's eval.csv), as the latest score. */
void live_add_scores(struct live *l, const struct live_scores *sc);

/*
 * Held while writing the run's CSV files (eval.csv, actmap.csv, clusters.csv)
 * from a thread other than the trainer's: the evaluator and the figure export
 * both write actmap.csv, through the same temporary name (util.h's atomic
 * files are named by process, not by thread).
 */
void live_files_lock(struct live *l);
void live_files_unlock(struct live *l);

/* ---- UI side: reading ---- */
void live_view(struct live *l, struct live_snapshot *out);
/* Moves up to max new points (oldest first) and markers into the caller's arrays. */
size_t live_take_points(struct live *l, struct live_point *out, size_t max);
size_t live_take_markers(struct live *l, struct live_marker *out, size_t max);

#endif
