/* replay — a journal, re-executed. See replay.h. */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "util.h"

int replay_config(const struct journal_log *log, const char *path, struct trainer_config *c,
                  struct trainer_controls *k, char *err)
{
    struct run_kv kv = {0};
    for (size_t i = 0; i < log->nconfig; i++)
        run_kv_set(&kv, log->config[i].key, log->config[i].value);
    int rc = trainer_config_from_kv(&kv, c, k, path, err);
    run_kv_free(&kv);
    return rc;
}

uint64_t replay_end_step(const struct journal_log *log)
{
    uint64_t end = 0;
    for (size_t i = 0; i < log->nevents; i++)
        if (!log->events[i].superseded && log->events[i].step > end) end = log->events[i].step;
    return end;
}

/* Applies one event to the controls; 0 when it is not a control (pause, eval, ...). */
static int apply_event(const struct journal_entry *e, struct trainer_controls *k, const char *path,
                       char *err)
{
    int id = ctl_from_name(e->key);
    double v;
    char why[FTL_ERRLEN];
    if (id < 0) return 0;
    if (ctl_parse((enum ctl_id)id, e->value ? e->value : "", &v, why) != 0)
        return ftl_error(err, "%s:%u: %s", path, e->line, why);
    ctl_set(k, (enum ctl_id)id, v);
    return 0;
}

/*
 * Every event checked before the first step: a control's value as ctl_parse
 * takes it, any other key one of ctl_events. A bad line then costs no training
 * and leaves no half run behind.
 */
static int validate(const struct journal_log *log, const char *path, char *err)
{
    struct trainer_controls k;
    memset(&k, 0, sizeof k);
    for (size_t i = 0; i < log->nevents; i++) {
        const struct journal_entry *e = &log->events[i];
        if (e->superseded) continue;
        if (ctl_from_name(e->key) < 0 && !ctl_event_find(e->key))
            return ftl_error(err, "%s:%u: unknown event '%s'", path, e->line, e->key);
        if (apply_event(e, &k, path, err) != 0) return -1;
    }
    return 0;
}

/* The resumed run must be this journal's: the settings that make a run what it is agree. */
static int same_run(const struct trainer_config *a, const struct trainer_config *b)
{
    return a->task == b->task && a->hidden == b->hidden && a->units == b->units &&
           a->batch_size == b->batch_size && a->optimizer == b->optimizer && a->seed == b->seed &&
           a->shuffle == b->shuffle && a->limit == b->limit && a->clip == b->clip &&
           strcmp(a->init, b->init) == 0;
}

static int replay(const char *path, const char *out_dir, const char *data_spec, int resume,
                  void (*progress)(uint64_t step, uint64_t end, void *ctx), void *ctx, char *err)
{
    struct journal_log log;
    if (journal_read(path, &log, err) != 0) return -1;
    struct trainer_config c, theirs;
    struct trainer_controls k;
    struct dataset_pair data;
    struct session s;
    int rc = -1;
    if (replay_config(&log, path, &c, &k, err) != 0 || validate(&log, path, err) != 0) goto out_log;
    uint64_t end = replay_end_step(&log);
    /* Train exactly as far as the session did, whatever its epochs said. */
    c.steps = end > 0 ? (long)end : 1;
    c.epochs = 0;
    if (data_spec) snprintf(c.data, sizeof c.data, "%s", data_spec);
    if (resume) {
        if (session_read_config(out_dir, &theirs, &k, err) != 0) goto out_log;
        if (!same_run(&c, &theirs)) {
            ftl_error(err, "%s: not a replay of %s (its settings differ)", out_dir, path);
            goto out_log;
        }
        if (!data_spec) snprintf(c.data, sizeof c.data, "%s", theirs.data);
    }
    if (session_load_data(c.data, &data, err) != 0) goto out_log;
    if ((resume ? session_resume(&s, out_dir, &c, &data, err)
                : session_create(&s, out_dir, &c, &k, &data, err)) != 0)
        goto out_log;
    /* Resumed at step S: events before S are in the weights already, those at S are not. */
    size_t next = 0;
    while (resume && next < log.nevents &&
           (log.events[next].superseded || log.events[next].step < s.tr.step))
        next++;
    for (;;) {
        struct trainer_controls want = s.tr.ctl;
        /* Lines a rewind superseded are passed over whatever their step: the
         * line after the rewind may be at an earlier step than they are. */
        for (; next < log.nevents &&
               (log.events[next].superseded || log.events[next].step <= s.tr.step);
             next++) {
            const struct journal_entry *e = &log.events[next];
            if (e->superseded) continue;
            if (apply_event(e, &want, path, err) != 0) goto out_session;
            /* A reset changes the network, not the controls: at once, as the session did. */
            if (strcmp(e->key, "reset") == 0 && session_reset(&s, err) != 0) goto out_partial;
        }
        trainer_apply(&s.tr, &want);
        if (s.tr.step >= end) break;
        int r = session_step(&s, err);
        if (r == -1) {
            ftl_error(err, "%s", s.tr.message);
            goto out_partial;
        }
        if (r == -2) goto out_partial;
        if (progress) progress(s.tr.step, end, ctx);
    }
    trainer_note(&s.tr, "stop");
    rc = session_close(&s, err);
    goto out_log;
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
    goto out_log;
out_session:
    session_free(&s);
out_log:
    journal_log_free(&log);
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
