/*
 * trainer — the training state machine behind `ftlab train`, `replay` and
 * the workbench's training thread.
 *
 * One trainer_step() trains one batch. Controls (loss, lambda, margin, lr,
 * pause) change only between two steps, through trainer_apply(), which also
 * writes them to the journal stamped with the step they take effect at, so a
 * session can be replayed exactly. Epochs are shuffled from (seed, epoch),
 * which makes the data order a pure function of the position: a resumed run
 * continues with exactly the batches an uninterrupted run would see.
 *
 * Single-threaded: the workbench wraps it in its own locked interface.
 */
#ifndef FTLAB_TRAINER_H
#define FTLAB_TRAINER_H

#include <stdint.h>
#include <stdio.h>

#include "control.h"
#include "dataset.h"
#include "journal.h"
#include "loss.h"
#include "model.h"
#include "optim.h"
#include "run.h"
#include "util.h"

/* What a run is; fixed at its start and saved in RUN_DIR/config. */
struct trainer_config {
    enum model_task task;
    int hidden, units, batch_size;
    enum optim_kind optimizer;
    double clip; /* global-norm clipping, 0 = off */
    uint64_t seed;
    int shuffle;
    long limit;           /* use only the first N training sequences, 0 = all */
    long epochs, steps;   /* stop after this many epochs or steps; both 0: until stopped
                           * (the workbench's default: the user decides when it ends) */
    int threads;          /* GRU threads (OpenBLAS runs one); 0 = as many as OpenBLAS would use */
    char data[1024];      /* "sample", "sample:vitals" or the data folder */
    int input_dim;        /* D, the data's values per step (4: pen strokes; absent in old runs) */
    enum dataset_nan nan; /* missing values in the sequence formats (dataset.h) */
    int standardize;      /* per-feature (x - mean) / std from the training split */
    double std_mean[DATASET_MAX_DIM], std_scale[DATASET_MAX_DIM]; /* input_dim of each */
    char init[1024]; /* initial weights from this checkpoint; "" = from seed */
};

/* What the user may change while it runs: struct trainer_controls, control.h. */

void trainer_config_defaults(struct trainer_config *c, struct trainer_controls *k);
/* Into / out of RUN_DIR/config form. */
void trainer_config_to_kv(const struct trainer_config *c, const struct trainer_controls *k,
                          struct run_kv *kv);
int trainer_config_from_kv(const struct run_kv *kv, struct trainer_config *c,
                           struct trainer_controls *k, const char *path, char *err);
/* The settings that make a run what it is (task, sizes, seed, data order, ...) agree. */
int trainer_config_same_run(const struct trainer_config *a, const struct trainer_config *b);

/* A run's journal (journal.h) as the trainer reads it. The settings it starts with, from its
 * config lines (path names the file in err). */
int trainer_journal_config(const struct journal_log *log, const char *path,
                           struct trainer_config *c, struct trainer_controls *k, char *err);
/* Every event line that a rewind did not supersede is a control whose value ctl_parse takes,
 * or one of ctl_events: "PATH:LINE: ..." in err for the first that is not. */
int trainer_journal_check(const struct journal_log *log, const char *path, char *err);
/* One event applied to the controls; nothing for an event that is not a control. */
int trainer_journal_apply(const struct journal_entry *e, struct trainer_controls *k,
                          const char *path, char *err);

enum trainer_state { TRAINER_RUNNING, TRAINER_DONE, TRAINER_DIVERGED };

struct trainer {
    struct trainer_config cfg;
    struct trainer_controls ctl;
    const struct dataset_pair *data; /* borrowed */
    struct model model;
    struct model_work work;
    struct optim opt;
    real *grad;     /* model.size */
    real *backup_w; /* last good weights, for the divergence guard */
    struct batch batch;
    uint32_t *order; /* this epoch's order of the training sequences */
    size_t ntrain;   /* training sequences used (after --limit) */
    size_t steps_per_epoch;
    uint64_t step;  /* steps done */
    uint64_t epoch; /* current epoch, from 0 */
    size_t pos;     /* next sequence of order[] */
    enum trainer_state state;
    struct model_terms last;        /* the last step's loss terms */
    double elapsed;                 /* training seconds, over resumes too */
    struct journal *journal;        /* borrowed, or NULL */
    char message[FTL_ERRLEN];       /* why it stopped, when it did */
    char journal_error[FTL_ERRLEN]; /* the first failure to write the journal, if any */
    uint64_t journal_events;        /* journal step lines at the loaded checkpoint */
};

/* Builds model, optimiser and buffers; initial weights from cfg->seed. */
int trainer_init(struct trainer *t, const struct trainer_config *c,
                 const struct trainer_controls *k, const struct dataset_pair *d, char *err);
void trainer_free(struct trainer *t);

/*
 * Trains one batch. Returns 1 when the step ended an epoch, 0 otherwise, -1
 * when training diverged (NaN/Inf in the loss, gradients or weights): the
 * weights are then the last good ones and t->message says what happened.
 */
int trainer_step(struct trainer *t);
/* True when the configured epochs or steps are done (never for a run without either),
 * or training diverged. */
int trainer_finished(const struct trainer *t);

/* Changes the controls now (between two steps), journaling each change. */
void trainer_apply(struct trainer *t, const struct trainer_controls *k);
/* Journals a plain event (pause, resume, eval, checkpoint, quit) at the current step. */
void trainer_note(struct trainer *t, const char *event);

/* Test-split figures: accuracy (classify) or reconstruction error (autoencode); acts optional. */
void trainer_evaluate(struct trainer *t, const struct dataset *d, float *acts, double *task_loss,
                      double *accuracy);

/* Checkpoints: model, optimiser, position, controls; written atomically. */
int trainer_save(const struct trainer *t, const char *path, char *err);
/* Restores a checkpoint into an initialised trainer with the same architecture. */
int trainer_load(struct trainer *t, const char *path, char *err);
/*
 * Only what the network is from a checkpoint: the weights and the optimiser's
 * state (Adam's moments and step count). The step, the epoch, the data order,
 * the controls and the clock stay, so training goes on where it was with
 * another network: the workbench's reset (0) takes checkpoints/initial.ckpt.
 * A diverged trainer runs again. On an error nothing has changed.
 */
int trainer_load_network(struct trainer *t, const char *path, char *err);
/* Only the weights, into a model of the right architecture (for eval/embed/export). */
struct ckpt;
int trainer_load_model(struct model *m, const struct ckpt *c, const char *path, char *err);

#endif
