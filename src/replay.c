/* replay — a journal, re-executed. See replay.h. */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "util.h"

uint64_t replay_end_step(const struct journal_log *log)
{
    uint64_t end = 0;
    for (size_t i = 0; i < log->nevents; i++)
        if (!log->events[i].superseded && log->events[i].step > end) end = log->events[i].step;
    return end;
}

/*
 * The journal read and checked, the run created (or, resume, the partial run
 * in out_dir resumed) and *f placed at the first event the weights do not hold.
 */
static int prepare(struct replay_follow *f, const char *path, const char *out_dir,
                   const char *data_spec, int resume, struct session *s, char *err)
{
    memset(f, 0, sizeof *f);
    if (journal_read(path, &f->log, err) != 0) return -1;
    f->path = xstrdup(path);
    struct trainer_config c, theirs;
    struct trainer_controls k;
    struct dataset_pair data;
    if (trainer_journal_config(&f->log, path, &c, &k, err) != 0 ||
        trainer_journal_check(&f->log, path, err) != 0)
        goto fail;
    f->end = replay_end_step(&f->log);
    /* Train exactly as far as the session did, whatever its epochs said. */
    c.steps = f->end > 0 ? (long)f->end : 1;
    c.epochs = 0;
    if (data_spec) snprintf(c.data, sizeof c.data, "%s", data_spec);
    if (resume) {
        if (session_read_config(out_dir, &theirs, &k, err) != 0) goto fail;
        if (!trainer_config_same_run(&c, &theirs)) {
            ftl_error(err, "%s: not a replay of %s (its settings differ)", out_dir, path);
            goto fail;
        }
        if (!data_spec) snprintf(c.data, sizeof c.data, "%s", theirs.data);
    }
    if (session_load_run_data(&c, 0, &data, err) != 0) goto fail;
    if ((resume ? session_resume(s, out_dir, &c, &data, err)
                : session_create(s, out_dir, &c, &k, &data, err)) != 0)
        goto fail;
    /* Resumed at step S: events before S are in the weights already, those at S are not. */
    while (resume && f->next < f->log.nevents &&
           (f->log.events[f->next].superseded || f->log.events[f->next].step < s->tr.step))
        f->next++;
    return 0;
fail:
    replay_follow_free(f);
    return -1;
}

int replay_open(struct replay_follow *f, const char *path, const char *out_dir,
                const char *data_spec, struct session *s, char *err)
{
    return prepare(f, path, out_dir, data_spec, 0, s, err);
}

int replay_due(struct replay_follow *f, uint64_t step, struct trainer_controls *want, int *resets,
               char *err)
{
    /* Lines a rewind superseded are passed over whatever their step: the
     * line after the rewind may be at an earlier step than they are. */
    for (; f->next < f->log.nevents &&
           (f->log.events[f->next].superseded || f->log.events[f->next].step <= step);
         f->next++) {
        const struct journal_entry *e = &f->log.events[f->next];
        if (e->superseded) continue;
        if (trainer_journal_apply(e, want, f->path, err) != 0) return -1;
        *resets += strcmp(e->key, "reset") == 0;
    }
    return 0;
}

void replay_follow_free(struct replay_follow *f)
{
    journal_log_free(&f->log);
    free(f->path);
    memset(f, 0, sizeof *f);
}

static int replay(const char *path, const char *out_dir, const char *data_spec, int resume,
                  void (*progress)(uint64_t step, uint64_t end, void *ctx), void *ctx, char *err)
{
    struct replay_follow f;
    struct session s;
    int rc = -1;
    if (prepare(&f, path, out_dir, data_spec, resume, &s, err) != 0) return -1;
    for (;;) {
        struct trainer_controls want = s.tr.ctl;
        int resets = 0;
        if (replay_due(&f, s.tr.step, &want, &resets, err) != 0) goto out_session;
        /* A reset changes the network, not the controls: at once, as the session did. */
        if (resets && session_reset(&s, err) != 0) goto out_partial;
        trainer_apply(&s.tr, &want);
        if (s.tr.step >= f.end) break;
        int r = session_step(&s, err);
        if (r == -1) {
            ftl_error(err, "%s", s.tr.message);
            goto out_partial;
        }
        if (r == -2) goto out_partial;
        if (progress) progress(s.tr.step, f.end, ctx);
    }
    trainer_note(&s.tr, "stop");
    rc = session_close(&s, err);
    goto out;
out_partial:
    /* What was trained so far stays, checkpointed, for --resume to finish. */
    {
        char why[FTL_ERRLEN], ignored[FTL_ERRLEN];
        snprintf(why, sizeof why, "%s", err);
        trainer_note(&s.tr, "stop");
        session_close(&s, ignored);
        ftl_error(err,
                  "%.300s; the partial run is in %.100s (finish it with 'ftlab replay %.40s "
                  "--resume %.40s')",
                  why, out_dir, path, out_dir);
    }
    goto out;
out_session:
    session_free(&s);
out:
    replay_follow_free(&f);
    return rc;
}

int replay_run(const char *path, const char *out_dir, const char *data_spec,
               void (*progress)(uint64_t step, uint64_t end, void *ctx), void *ctx, char *err)
{
    return replay(path, out_dir, data_spec, 0, progress, ctx, err);
}

int replay_resume(const char *path, const char *out_dir, const char *data_spec,
                  void (*progress)(uint64_t step, uint64_t end, void *ctx), void *ctx, char *err)
{
    return replay(path, out_dir, data_spec, 1, progress, ctx, err);
}
