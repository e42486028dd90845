/*
 * session — a training run tied to its run directory (run.h): the trainer
 * plus the files it leaves behind. `ftlab train`, `ftlab replay` and the
 * workbench's training thread all drive training through this, so a run
 * looks the same whichever front end made it:
 *
 *   - config written once; journal gets the config and every control change;
 *   - metrics.csv gets one row per step, with the test figure at epoch ends;
 *   - checkpoints/initial.ckpt before the first step, epoch-N.ckpt after
 *     epoch N, final.ckpt when the session closes.
 *
 * Resuming loads the newest checkpoint, cuts metrics.csv back to it and
 * rewinds the journal to it, so the run continues as if never interrupted.
 *
 * A write that fails (full disk, a folder gone read-only) never leaves a torn
 * metrics row or checkpoint behind. What happens next is the user's choice,
 * on_write_error: stop (session_step returns -2) or continue (training goes
 * on in memory; metrics rows wait in memory and every write is tried again
 * at the next checkpoint). Either way session_close tries the waiting rows
 * and final.ckpt once more.
 */
#ifndef FTLAB_SESSION_H
#define FTLAB_SESSION_H

#include <stdint.h>

#include "journal.h"
#include "trainer.h"

enum session_on_write_error {
    SESSION_WRITE_STOP,     /* session_step returns -2 (the default) */
    SESSION_WRITE_CONTINUE, /* session_step goes on; session_take_notice() tells the front end */
};

struct session {
    struct trainer tr;
    struct dataset_pair data; /* owned */
    char *dir;
    struct journal journal;
    int metrics_fd;     /* RUN_DIR/metrics.csv, O_APPEND: one write() per whole row */
    int lock_fd;        /* run_lock(): this process holds RUN_DIR */
    double test_metric; /* the last epoch-end test accuracy / reconstruction error, or NAN */
    enum session_on_write_error on_write_error; /* the caller sets it after create/resume */
    /* metrics rows not yet on disk (a write failed), retried at the next checkpoint */
    char *pending;
    size_t pending_len, pending_cap;
    int write_failing;       /* a write failed and none has succeeded since */
    char notice[FTL_ERRLEN]; /* for session_take_notice(), "" when none */
    /* the newest checkpoint this session wrote or resumed from, for messages */
    char last_checkpoint[48];
    uint64_t last_checkpoint_step;
};

/* Loads the data a config names: "sample" (the digit strokes), "sample:NAME" (an embedded
 * sample: "sample:vitals") or a data folder (dataset_load, with nan; with test_only,
 * dataset_load_test: what an evaluation needs, the training split maybe left empty). */
int session_load_data(const char *spec, enum dataset_nan nan, int test_only, struct dataset_pair *p,
                      char *err);
/* True when spec names an embedded sample; *name gets "digits" or the sample's name. */
int session_data_is_sample(const char *spec, const char **name);
/*
 * Fits the data to a run's config: fresh (a new run) sets c->input_dim from
 * the data and, with c->standardize, fits mean and std on the training split;
 * then the config's standardisation is applied to both splits, so training,
 * eval, resume and replay see the same numbers. A run whose width differs
 * from the data's is refused.
 */
int session_prepare_data(struct trainer_config *c, int fresh, struct dataset_pair *p, char *err);
/* session_load_data(c->data, c->nan, test_only) then session_prepare_data(c, 0). */
int session_load_run_data(struct trainer_config *c, int test_only, struct dataset_pair *p,
                          char *err);
/* Reads RUN_DIR/config. */
int session_read_config(const char *dir, struct trainer_config *c, struct trainer_controls *k,
                        char *err);
/*
 * Starts a new run in dir (which must not hold a run already) and takes over
 * *data. Writes config, journal header, initial.ckpt.
 */
int session_create(struct session *s, const char *dir, const struct trainer_config *c,
                   const struct trainer_controls *k, struct dataset_pair *data, char *err);
/*
 * Reopens the run in dir with config c (its own, perhaps with new epochs/steps) and *data.
 * A checkpoint that cannot be read is passed over for the next newest, and the
 * session's notice (session_take_notice) says which file, why, and what was used.
 */
int session_resume(struct session *s, const char *dir, const struct trainer_config *c,
                   struct dataset_pair *data, char *err);

/*
 * One training step and its metrics row; at an epoch's end also the test
 * evaluation and epoch-N.ckpt. Returns 0, 1 at an epoch end, -1 when the
 * trainer diverged (s->tr.message says why), -2 on an I/O error (err) when
 * on_write_error is SESSION_WRITE_STOP. With SESSION_WRITE_CONTINUE a failed
 * write returns 0 or 1 as usual and leaves a notice instead.
 */
int session_step(struct session *s, char *err);
/*
 * What the front end should tell the user, once: that a write failed and
 * training goes on without it, or that writing works again. Copies it into
 * out (FTL_ERRLEN bytes) and returns 1, or returns 0 when there is none.
 */
int session_take_notice(struct session *s, char *out);
/* checkpoints/NAME.ckpt now. */
int session_checkpoint(struct session *s, const char *name, char *err);
/*
 * A bookmark: a "bookmark" journal line and checkpoints/bookmark-STEP.ckpt (its
 * name, without .ckpt, into name[cap]), to come back to with session_rewind.
 */
int session_bookmark(struct session *s, char *name, size_t cap, char *err);
/*
 * Takes the run back to checkpoints/NAME.ckpt (a bookmark, an epoch's end,
 * initial): model, optimiser, data order, step and controls are what they were
 * there, the journal records "rewind STEP EVENTS" (a replay then skips what was
 * left, and ends with the same weights), and what was trained after STEP moves
 * to RUN/branches/B (branch.h; B into *branch). Training time keeps counting.
 * On an error the session may have moved files but keeps its weights; err says why.
 */
int session_rewind(struct session *s, const char *name, int *branch, char *err);
/*
 * The workbench's reset (0): the network goes back to what it was before the
 * first step, checkpoints/initial.ckpt (seeded weights, or --init's): weights
 * and optimiser state. The step, the epoch, the data order, the controls and
 * the clock go on, so steps never go down; the journal gets "step S reset"
 * (after the weights changed: a reset that failed is not journaled), which a
 * replay applies at step S. On an error nothing has changed; err says why.
 */
int session_reset(struct session *s, char *err);
/*
 * Writes the metrics rows still waiting and final.ckpt, syncs and closes the
 * files, frees everything. s is left empty but for last_checkpoint and
 * last_checkpoint_step, which a message about the stop can name.
 */
int session_close(struct session *s, char *err);
/*
 * The newest loadable checkpoint of a run (a new string; its step in *step),
 * or NULL. skipped (optional, FTL_ERRLEN bytes) receives what was passed over
 * as damaged: "RUN/checkpoints/final.ckpt: checksum mismatch", or "".
 */
char *session_newest_checkpoint(const char *dir, uint64_t *step, char *skipped);

/*
 * The model in a checkpoint (path to a .ckpt, or a run directory: its
 * final.ckpt, else its newest checkpoint), built from the settings it carries.
 * c and step (optional) receive them and the step it was taken at.
 * model_free() the model after success.
 */
int session_load_model(const char *path, struct model *m, struct trainer_config *c, uint64_t *step,
                       char *err);

/* Moves a session to another address (it points into itself); src is left empty. */
void session_move(struct session *dst, struct session *src);

/* Frees without writing anything (after a failed create/resume, or in tests). */
void session_free(struct session *s);

#endif
