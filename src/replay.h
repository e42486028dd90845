/*
 * replay — re-executes a journal headless: the run's settings from its
 * config lines, then every control change (loss, lambda, margin, lr) at the
 * step it took effect at, until the step of its last event. Same seed, same
 * changes at the same steps: the same weights, bit for bit (with the same
 * number of BLAS threads). An interactive session becomes an experiment.
 */
#ifndef FTLAB_REPLAY_H
#define FTLAB_REPLAY_H

#include <stdint.h>

#include "journal.h"
#include "session.h"
#include "trainer.h"

/* The step the session ended at: its last event's step. */
uint64_t replay_end_step(const struct journal_log *log);

/*
 * Replays the journal at path into a new run in out_dir, on the data its
 * config names (or data_spec: "sample" or a folder, when non-NULL).
 * progress (may be NULL) is called after every step. Every line is checked
 * before the first step; if training fails later (divergence, a full disk),
 * what was trained stays in out_dir and err says how to finish it.
 */
int replay_run(const char *path, const char *out_dir, const char *data_spec,
               void (*progress)(uint64_t step, uint64_t end, void *ctx), void *ctx, char *err);
/*
 * A journal followed step by step: what a replay does between two batches,
 * for any driver of the trainer (replay_run's loop; the workbench's renderer,
 * through live.h's live_start_following), so that they train alike.
 */
struct replay_follow {
    struct journal_log log;
    char *path;
    size_t next;  /* the first event not applied yet */
    uint64_t end; /* replay_end_step: train exactly this far */
};

/*
 * Reads and checks the journal at path (every line, before anything is made)
 * and creates a new run in out_dir on its settings, on the data its config
 * names or data_spec, set to stop at the journal's end step; *f follows it
 * from step 0. 0, or -1 with err (no session then).
 */
int replay_open(struct replay_follow *f, const char *path, const char *out_dir,
                const char *data_spec, struct session *s, char *err);
/*
 * Onto *want, in order, the events of the journal due by step (at or before
 * it, not applied yet; lines a rewind superseded passed over, whatever their
 * step): the controls to trainer_apply before the batch after step; *resets
 * grows by the "reset" lines among them (session_reset them: the network goes
 * back to step 0's). 0, or -1 with err (a value ctl_parse refuses:
 * replay_open checked them all).
 */
int replay_due(struct replay_follow *f, uint64_t step, struct trainer_controls *want, int *resets,
               char *err);
void replay_follow_free(struct replay_follow *f);

/* Finishes a replay that stopped: resumes out_dir and applies the rest of the journal. */
int replay_resume(const char *path, const char *out_dir, const char *data_spec,
                  void (*progress)(uint64_t step, uint64_t end, void *ctx), void *ctx, char *err);

#endif
