/* session — a training run and its files. See session.h. */
#include "session.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "branch.h"
#include "checkpoint.h"
#include "synth.h"
#include "vitals.h"
#include "util.h"

int session_data_is_sample(const char *spec, const char **name)
{
    if (strcmp(spec, "sample") == 0) {
        if (name) *name = "digits";
        return 1;
    }
    if (strncmp(spec, "sample:", 7) == 0) {
        if (name) *name = spec + 7;
        return 1;
    }
    return 0;
}

int session_load_data(const char *spec, enum dataset_nan nan, int test_only, struct dataset_pair *p,
                      char *err)
{
    const char *name;
    if (session_data_is_sample(spec, &name)) {
        if (strcmp(name, "digits") == 0)
            synth_sample(p);
        else if (strcmp(name, "vitals") == 0)
            vitals_sample(p);
        else
            return ftl_error(err, "no embedded sample '%s' (there are: digits, vitals)", name);
        return 0;
    }
    return test_only ? dataset_load_test(spec, nan, p, err) : dataset_load(spec, nan, p, err);
}

int session_prepare_data(struct trainer_config *c, int fresh, struct dataset_pair *p, char *err)
{
    if (fresh) {
        c->input_dim = p->train.dim;
        if (c->input_dim > DATASET_MAX_DIM)
            return ftl_error(err, "%d values per step: more than %d", c->input_dim,
                             DATASET_MAX_DIM);
        if (c->standardize) dataset_standardize_fit(&p->train, c->std_mean, c->std_scale);
    }
    if (p->train.dim != c->input_dim || p->test.dim != c->input_dim)
        return ftl_error(err, "the data have %d values per step; the run was made with %d",
                         p->train.dim, c->input_dim);
    if (c->standardize) {
        dataset_standardize_apply(&p->train, c->std_mean, c->std_scale);
        dataset_standardize_apply(&p->test, c->std_mean, c->std_scale);
    }
    return 0;
}

int session_load_run_data(struct trainer_config *c, int test_only, struct dataset_pair *p,
                          char *err)
{
    if (session_load_data(c->data, c->nan, test_only, p, err) != 0) return -1;
    if (session_prepare_data(c, 0, p, err) != 0) {
        dataset_pair_free(p);
        return -1;
    }
    return 0;
}

/* dir is not a run: not there, or no config in it (the words `ftlab plot` uses too, rather
 * than a bare ENOENT on a file the user never named). -1. */
static int not_a_run(const char *dir, char *err)
{
    return ftl_is_dir(dir) ? ftl_error(err, "%s: not a run directory (no config file)", dir)
                           : ftl_error(err, "%s: no such run directory", dir);
}

int session_read_config(const char *dir, struct trainer_config *c, struct trainer_controls *k,
                        char *err)
{
    char *path = run_path(dir, "config");
    struct run_kv kv;
    if (!ftl_is_file(path)) {
        free(path);
        return not_a_run(dir, err);
    }
    int rc = run_kv_read(path, &kv, err);
    if (rc == 0) {
        rc = trainer_config_from_kv(&kv, c, k, path, err);
        run_kv_free(&kv);
    }
    free(path);
    return rc;
}

static const char *test_column(enum model_task t)
{
    return t == TASK_CLASSIFY ? "test_accuracy" : "test_error";
}

/*
 * The header: step, epoch, loss, the task term, one column per regulariser
 * (reg_table's names, the baseline's none), total, the stepped controls
 * (ctl_table's names), then the batch and test figures.
 */
static size_t metrics_header(enum model_task task, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "step,epoch,loss,task");
    for (int r = REG_BASELINE + 1; r < REG_COUNT; r++)
        n += snprintf(buf + n, cap - (size_t)n, ",%s", reg_table[r].name);
    n += snprintf(buf + n, cap - (size_t)n, ",total");
    for (int i = CTL_LOSS + 1; i < CTL_COUNT; i++)
        n += snprintf(buf + n, cap - (size_t)n, ",%s", ctl_table[i].name);
    n += snprintf(buf + n, cap - (size_t)n, ",batch_accuracy,active_pairs,elapsed,%s\n",
                  test_column(task));
    return (size_t)n;
}

/* One metrics row into buf (at least 1024 bytes); returns its length. */
static size_t metrics_row(const struct session *s, double test, char *buf, size_t cap)
{
    const struct trainer *t = &s->tr;
    const struct model_terms *m = &t->last;
    int n = snprintf(buf, cap, "%llu,%llu,%s,%.9g", (unsigned long long)t->step,
                     (unsigned long long)t->epoch, reg_table[t->ctl.loss].name, m->task);
    for (int r = REG_BASELINE + 1; r < REG_COUNT; r++) /* the columns metrics_header names */
        n += snprintf(buf + n, cap - (size_t)n, ",%.9g", m->reg[r]);
    n += snprintf(buf + n, cap - (size_t)n, ",%.9g", m->total);
    for (int i = CTL_LOSS + 1; i < CTL_COUNT; i++)
        n += snprintf(buf + n, cap - (size_t)n, ",%.9g", ctl_get(&t->ctl, (enum ctl_id)i));
    n += snprintf(buf + n, cap - (size_t)n, ",%.6f,%d,%.3f,",
                  t->cfg.task == TASK_CLASSIFY ? (double)m->correct / t->batch.B : 0.0,
                  m->active_pairs, t->elapsed);
    n += snprintf(buf + n, cap - (size_t)n, isnan(test) ? "\n" : "%.6f\n", test);
    return (size_t)n;
}

/*
 * Appends whole rows to metrics.csv with write() on an O_APPEND descriptor:
 * what the workbench and `ftlab plot` read must be whole rows. A write that
 * fails partway (full disk) is cut off again, so the file never holds a torn row.
 */
static int metrics_append(struct session *s, const char *text, size_t len, char *err)
{
    off_t before = lseek(s->metrics_fd, 0, SEEK_END);
    for (size_t done = 0; done < len;) {
        ssize_t n = write(s->metrics_fd, text + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            if (before >= 0 && ftruncate(s->metrics_fd, before) != 0) {
                /* nothing more to do: resuming cuts metrics.csv back to a checkpoint */
            }
            return ftl_error(err, "%s/metrics.csv: write failed: %s", s->dir, strerror(e));
        }
        done += (size_t)n;
    }
    return 0;
}

static void pending_add(struct session *s, const char *text, size_t len)
{
    if (s->pending_len + len > s->pending_cap) {
        s->pending_cap = 2 * (s->pending_len + len) + 4096;
        s->pending = xrealloc(s->pending, s->pending_cap);
    }
    memcpy(s->pending + s->pending_len, text, len);
    s->pending_len += len;
}

/* The rows that waited, in one go; they stay in memory if it fails. */
static int pending_flush(struct session *s, char *err)
{
    if (s->pending_len == 0) return 0;
    if (metrics_append(s, s->pending, s->pending_len, err) != 0) return -1;
    s->pending_len = 0;
    return 0;
}

static int open_metrics(struct session *s, int truncate, char *err)
{
    char *path = run_path(s->dir, "metrics.csv");
    s->metrics_fd =
        open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0644);
    int rc = s->metrics_fd < 0 ? ftl_error(err, "%s: %s", path, strerror(errno)) : 0;
    free(path);
    return rc;
}

static int open_files(struct session *s, int truncate, char *err)
{
    if (open_metrics(s, truncate, err) != 0) return -1;
    char *path = run_path(s->dir, "journal");
    int rc = journal_open_append(&s->journal, path, err);
    free(path);
    if (rc == 0) s->tr.journal = &s->journal;
    return rc;
}

/* A fresh, empty session (no file open). */
static void session_blank(struct session *s)
{
    memset(s, 0, sizeof *s);
    s->metrics_fd = -1;
    s->lock_fd = -1;
    s->journal.fd = -1;
    s->test_metric = NAN;
}

/*
 * --init: the weights of another checkpoint instead of the seeded ones, so two
 * runs (or a run and a reference) start from exactly the same point. Only the
 * weights: optimiser, step and data order start fresh, as in any new run.
 */
static int load_init(struct trainer *t, const char *path, char *err)
{
    if (!path[0]) return 0;
    struct ckpt c;
    if (ckpt_read(path, &c, err) != 0) return -1;
    int rc = trainer_load_model(&t->model, &c, path, err);
    ckpt_free(&c);
    return rc;
}

int session_create(struct session *s, const char *dir, const struct trainer_config *c,
                   const struct trainer_controls *k, struct dataset_pair *data, char *err)
{
    session_blank(s);
    s->data = *data;
    memset(data, 0, sizeof *data);
    s->dir = xstrdup(dir);
    char *cfg = run_path(dir, "config");
    int exists = ftl_is_file(cfg);
    struct run_kv kv = {0};
    int rc = -1;
    if (exists) {
        ftl_error(err,
                  "%s: already holds a run (continue it with --resume, or choose another --out)",
                  dir);
        goto out;
    }
    if (run_create(dir, err) != 0 || (s->lock_fd = run_lock(dir, err)) < 0 ||
        trainer_init(&s->tr, c, k, &s->data, err) != 0 || load_init(&s->tr, c->init, err) != 0)
        goto out;
    trainer_config_to_kv(c, k, &kv);
    if (run_kv_write(&kv, cfg, err) != 0 || open_files(s, 1, err) != 0) goto out;
    for (size_t i = 0; i < kv.n; i++)
        if (journal_config(&s->journal, kv.key[i], kv.value[i], err) != 0) goto out;
    char header[1024];
    size_t n = metrics_header(c->task, header, sizeof header);
    if (metrics_append(s, header, n, err) != 0) goto out;
    rc = session_checkpoint(s, "initial", err);
out:
    run_kv_free(&kv);
    free(cfg);
    if (rc != 0) session_free(s);
    return rc;
}

/*
 * The checkpoint with the most steps in dir/checkpoints (a new path), or NULL.
 * Of several at one step (a bookmark, then control changes, then final.ckpt)
 * the one written last, by the journal lines it counts: it holds the controls
 * the journal ends with.
 */
char *session_newest_checkpoint(const char *dir, uint64_t *step_out, char *skipped)
{
    char *ckdir = run_path(dir, "checkpoints"), *best = NULL;
    if (skipped) skipped[0] = '\0';
    uint64_t best_step = 0, best_events = 0;
    DIR *d = opendir(ckdir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".ckpt") != 0) continue;
        char *path = ftl_path_join(ckdir, e->d_name), err[FTL_ERRLEN];
        struct ckpt c;
        uint64_t step, events = 0;
        /* A damaged checkpoint (killed mid-write is impossible, but a bad disk is not) is
         * passed over, and said so. */
        int ok = ckpt_read(path, &c, err) == 0;
        if (!ok && skipped) {
            size_t used = strlen(skipped);
            snprintf(skipped + used, FTL_ERRLEN - used, "%s%s", used ? "; " : "", err);
        }
        if (ok) {
            ckpt_get_u64(&c, "journal/events", &events, err); /* 0 when absent */
            if (ckpt_get_u64(&c, "trainer/step", &step, err) == 0 &&
                (!best || step > best_step || (step == best_step && events >= best_events))) {
                free(best);
                best = path;
                path = NULL;
                best_step = step;
                best_events = events;
            }
            ckpt_free(&c);
        }
        free(path);
    }
    if (d) closedir(d);
    free(ckdir);
    *step_out = best_step;
    return best;
}

/* Drops metrics rows after `step`, atomically: they belong to steps the resumed run redoes. */
static int cut_metrics(const char *dir, uint64_t step, char *err)
{
    char *path = run_path(dir, "metrics.csv");
    int rc = branch_split_csv(path, NULL, step, err);
    free(path);
    return rc;
}

/*
 * A checkpoint write killed before its rename leaves NAME.ckpt.tmp.PID.N behind
 * (util.h, ftl_atomic_*): never loaded, but it holds disk space. Removed once
 * its writer is gone.
 */
static void remove_stale_temps(const char *dir)
{
    char *ckdir = run_path(dir, "checkpoints");
    DIR *d = opendir(ckdir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *tmp = strstr(e->d_name, ".ckpt.tmp.");
        char *end;
        if (!tmp) continue;
        long pid = strtol(tmp + 10, &end, 10);
        if ((*end && *end != '.') || pid <= 0 || /* NAME.ckpt.tmp.PID[.N] */
            ((pid_t)pid != getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH)))
            continue; /* not a temp name, or its writer still runs */
        char *path = ftl_path_join(ckdir, e->d_name);
        unlink(path);
        free(path);
    }
    if (d) closedir(d);
    free(ckdir);
}

/*
 * The run's journal still describes it, checked before a resume writes anything: a replay of
 * the run reads it, and a journal cut, replaced or edited by hand would make that replay
 * fail, or differ, long after the damage. Its config lines must be a whole run's, that
 * run's (saved), its events valid, and it must hold at least the step lines the checkpoint
 * ck counts (events).
 */
static int check_journal(const char *dir, const struct trainer_config *saved, uint64_t events,
                         const char *ck, char *err)
{
    char *path = run_path(dir, "journal");
    struct journal_log log;
    struct trainer_config jc;
    struct trainer_controls jk;
    int rc = -1;
    if (!ftl_is_file(path)) {
        ftl_error(err,
                  "%s: missing, and a replay of the run needs it (restore it, or train a new run "
                  "from these weights with --init %s)",
                  path, ck);
        free(path);
        return -1;
    }
    if (journal_read(path, &log, err) != 0) {
        free(path);
        return -1;
    }
    /* Step lines past the checkpoint's count are superseded by the resume's rewind line: a
     * replay never reads them, so they are not checked. */
    struct journal_log counted = log;
    if (counted.nevents > events) counted.nevents = events;
    if (trainer_journal_config(&log, path, &jc, &jk, err) != 0 ||
        trainer_journal_check(&counted, path, err) != 0)
        goto out;
    if (!trainer_config_same_run(&jc, saved)) {
        ftl_error(err,
                  "%s: its config lines are not those of %s/config (task, sizes, seed or data "
                  "order differ)",
                  path, dir);
        goto out;
    }
    if (log.nevents < events) {
        ftl_error(err,
                  "%s: %zu step lines where %s counts %llu: lines were cut or removed, and a "
                  "replay would differ (restore it, or train a new run from these weights with "
                  "--init)",
                  path, log.nevents, ck, (unsigned long long)events);
        goto out;
    }
    rc = 0;
out:
    journal_log_free(&log);
    free(path);
    return rc;
}

int session_resume(struct session *s, const char *dir, const struct trainer_config *c,
                   struct dataset_pair *data, char *err)
{
    session_blank(s);
    s->data = *data;
    memset(data, 0, sizeof *data);
    s->dir = xstrdup(dir);
    struct trainer_config saved;
    struct trainer_controls k;
    uint64_t step;
    char *ck = NULL, skipped[FTL_ERRLEN];
    int rc = -1;
    if (session_read_config(dir, &saved, &k, err) != 0 || (s->lock_fd = run_lock(dir, err)) < 0)
        goto out;
    if (!(ck = session_newest_checkpoint(dir, &step, skipped))) {
        ftl_error(err, "%s: no loadable checkpoint in checkpoints/", dir);
        goto out;
    }
    if (trainer_init(&s->tr, c, &k, &s->data, err) != 0 || trainer_load(&s->tr, ck, err) != 0 ||
        check_journal(dir, &saved, s->tr.journal_events, ck, err) != 0)
        goto out;
    /* An end the run is already past would be written to its config and then mean nothing
     * (a progress of "step 2000/300"): refused before anything is written. */
    if (c->steps > 0 && s->tr.step > (uint64_t)c->steps) {
        ftl_error(err, "%s: already at step %llu, past the --steps %ld asked for", dir,
                  (unsigned long long)s->tr.step, c->steps);
        goto out;
    }
    /* Past the last step of epoch E, even part way into the next one (the epoch counter
     * counts finished epochs only). */
    if (c->steps == 0 && c->epochs > 0 &&
        s->tr.step > (uint64_t)c->epochs * (uint64_t)s->tr.steps_per_epoch) {
        ftl_error(err, "%s: already at step %llu, past the --epochs %ld asked for (%llu steps)",
                  dir, (unsigned long long)s->tr.step, c->epochs,
                  (unsigned long long)c->epochs * (unsigned long long)s->tr.steps_per_epoch);
        goto out;
    }
    if (cut_metrics(dir, step, err) != 0 || open_files(s, 0, err) != 0) goto out;
    remove_stale_temps(dir);
    const char *base = strrchr(ck, '/');
    snprintf(s->last_checkpoint, sizeof s->last_checkpoint, "%s", base ? base + 1 : ck);
    if (skipped[0])
        snprintf(s->notice, sizeof s->notice, "passed over %.280s; resumed from %.150s (step %llu)",
                 skipped, ck, (unsigned long long)step);
    s->last_checkpoint_step = step;
    if (journal_event_count(&s->journal) > s->tr.journal_events &&
        journal_rewind(&s->journal, step, s->tr.journal_events, err) != 0)
        goto out;
    if (c->epochs != saved.epochs || c->steps != saved.steps) {
        struct run_kv kv = {0};
        char *cfg = run_path(dir, "config");
        trainer_config_to_kv(c, &k, &kv);
        rc = run_kv_write(&kv, cfg, err);
        run_kv_free(&kv);
        free(cfg);
        if (rc != 0) goto out;
        rc = -1;
    }
    trainer_note(&s->tr, "resume");
    rc = 0;
out:
    free(ck);
    if (rc != 0) session_free(s);
    return rc;
}

int session_checkpoint(struct session *s, const char *name, char *err)
{
    char file[64];
    snprintf(file, sizeof file, "checkpoints/%s.ckpt", name);
    char *path = run_path(s->dir, file);
    /* The journal reaches the disk first: a checkpoint never refers to events that could be lost.
     */
    int rc = s->tr.journal ? journal_sync(&s->journal, err) : 0;
    if (rc == 0) rc = trainer_save(&s->tr, path, err);
    if (rc == 0) {
        snprintf(s->last_checkpoint, sizeof s->last_checkpoint, "%s.ckpt", name);
        s->last_checkpoint_step = s->tr.step;
    }
    free(path);
    return rc;
}

int session_bookmark(struct session *s, char *name, size_t cap, char *err)
{
    /* The journal line first: the checkpoint counts it, so a rewind to it keeps it. */
    trainer_note(&s->tr, "bookmark");
    snprintf(name, cap, "bookmark-%llu", (unsigned long long)s->tr.step);
    return session_checkpoint(s, name, err);
}

int session_rewind(struct session *s, const char *name, int *branch, char *err)
{
    char file[80];
    snprintf(file, sizeof file, "checkpoints/%.48s.ckpt", name);
    char *path = run_path(s->dir, file);
    struct ckpt c;
    uint64_t step, events;
    int rc = -1;
    *branch = 0;
    if (ckpt_read(path, &c, err) != 0) goto out;
    rc = ckpt_get_u64(&c, "trainer/step", &step, err);
    if (rc == 0) rc = ckpt_get_u64(&c, "journal/events", &events, err);
    ckpt_free(&c);
    if (rc != 0) goto out;
    rc = -1;
    if (step > s->tr.step) {
        ftl_error(err, "%s: step %llu is ahead of the run (step %llu)", path,
                  (unsigned long long)step, (unsigned long long)s->tr.step);
        goto out;
    }
    /* Rows that wait in memory belong to the line being left: they must reach its branch. */
    if (pending_flush(s, err) != 0) goto out;
    if (s->metrics_fd >= 0) close(s->metrics_fd);
    s->metrics_fd = -1;
    int split = branch_split(s->dir, step, events, branch, err);
    if (open_metrics(s, 0, err) != 0 || split != 0) goto out;
    /* The journal says so before the weights change: a crash now resumes at step or later. */
    if (journal_rewind(&s->journal, step, events, err) != 0 || journal_sync(&s->journal, err) != 0)
        goto out;
    /* Training time keeps counting across a rewind: it is the session's, not the line's. */
    double elapsed = s->tr.elapsed;
    if (trainer_load(&s->tr, path, err) != 0) goto out;
    s->tr.elapsed = elapsed;
    snprintf(s->last_checkpoint, sizeof s->last_checkpoint, "%.40s.ckpt", name);
    s->last_checkpoint_step = step;
    rc = 0;
out:
    free(path);
    return rc;
}

int session_reset(struct session *s, char *err)
{
    char *path = run_path(s->dir, "checkpoints/initial.ckpt");
    int rc = trainer_load_network(&s->tr, path, err);
    free(path);
    if (rc == 0) trainer_note(&s->tr, "reset");
    return rc;
}

/*
 * A write failed (err says which). Stop: hand it on (-2). Continue: note it
 * for the front end the first time, and go on (0).
 */
static int write_failed(struct session *s, const char *what, char *err)
{
    if (s->on_write_error == SESSION_WRITE_STOP) return -2;
    if (!s->write_failing)
        snprintf(s->notice, sizeof s->notice,
                 "%s; training goes on (--on-write-error continue): %s", err, what);
    s->write_failing = 1;
    return 0;
}

/* A journal line the trainer could not write (it keeps the first failure) is a failed write too. */
static int journal_failed(struct session *s, char *err)
{
    if (!s->tr.journal_error[0]) return 0;
    snprintf(err, FTL_ERRLEN, "%s", s->tr.journal_error);
    s->tr.journal_error[0] = '\0';
    return write_failed(s, "that journal line is lost (a replay may differ)", err);
}

/* At an epoch end: the rows that waited, then epoch-N.ckpt. */
static int epoch_checkpoint(struct session *s, char *err)
{
    char name[32];
    snprintf(name, sizeof name, "epoch-%llu", (unsigned long long)s->tr.epoch);
    if (pending_flush(s, err) != 0 || session_checkpoint(s, name, err) != 0)
        return write_failed(s, "writes are retried at the next checkpoint", err);
    if (s->write_failing)
        snprintf(s->notice, sizeof s->notice, "writing works again: %s/checkpoints/%s.ckpt written",
                 s->dir, name);
    s->write_failing = 0;
    return 0;
}

int session_step(struct session *s, char *err)
{
    int r = trainer_step(&s->tr);
    if (r < 0) return -1;
    double test = NAN;
    if (r == 1) {
        double loss, acc;
        trainer_evaluate(&s->tr, &s->data.test, NULL, &loss, &acc);
        test = s->tr.cfg.task == TASK_CLASSIFY ? acc : loss;
        s->test_metric = test;
    }
    char row[1024];
    size_t len = metrics_row(s, test, row, sizeof row);
    /* Rows wait behind a failure in order: none is written out of turn. */
    if (s->write_failing || s->pending_len > 0) {
        pending_add(s, row, len);
    } else if (metrics_append(s, row, len, err) != 0) {
        pending_add(s, row, len);
        if (write_failed(s, "metrics rows wait in memory for the next checkpoint", err) != 0)
            return -2;
    }
    if (journal_failed(s, err) != 0) return -2;
    if (r == 1 && epoch_checkpoint(s, err) != 0) return -2;
    return r;
}

int session_take_notice(struct session *s, char *out)
{
    if (!s->notice[0]) return 0;
    memcpy(out, s->notice, sizeof s->notice);
    s->notice[0] = '\0';
    return 1;
}

int session_close(struct session *s, char *err)
{
    char e2[FTL_ERRLEN];
    /* The waiting rows first, but the weights matter more than a gap in metrics.csv. */
    int rc = pending_flush(s, err);
    if (rc != 0) {
        size_t lost = 0;
        for (size_t i = 0; i < s->pending_len; i++)
            lost += s->pending[i] == '\n';
        if (session_checkpoint(s, "final", e2) == 0)
            snprintf(err + strlen(err), FTL_ERRLEN - strlen(err),
                     "; %zu metrics rows lost (final.ckpt was written)", lost);
    } else if (session_checkpoint(s, "final", err) != 0) {
        rc = -1;
    }
    if (s->metrics_fd >= 0 && close(s->metrics_fd) != 0 && rc == 0)
        rc = ftl_error(err, "%s/metrics.csv: write failed: %s", s->dir, strerror(errno));
    s->metrics_fd = -1;
    if (s->tr.journal && journal_sync(&s->journal, e2) != 0 && rc == 0)
        rc = ftl_error(err, "%s", e2);
    if (s->tr.journal_error[0] &&
        rc == 0) /* the last lines (a "stop" note) did not reach the disk */
        rc = ftl_error(err, "%s", s->tr.journal_error);
    char last[sizeof s->last_checkpoint];
    uint64_t last_step = s->last_checkpoint_step;
    memcpy(last, s->last_checkpoint, sizeof last);
    session_free(s);
    memcpy(s->last_checkpoint, last, sizeof last);
    s->last_checkpoint_step = last_step;
    return rc;
}

void session_free(struct session *s)
{
    char err[FTL_ERRLEN];
    if (s->metrics_fd >= 0) close(s->metrics_fd);
    if (s->lock_fd >= 0) close(s->lock_fd); /* last: the run is let go once all is written */
    if (s->tr.journal) journal_close(&s->journal, err);
    trainer_free(&s->tr);
    dataset_pair_free(&s->data);
    free(s->pending);
    free(s->dir);
    session_blank(s);
}

int session_load_model(const char *path, struct model *m, struct trainer_config *cfg,
                       uint64_t *step_out, char *err)
{
    char *file = NULL;
    uint64_t step;
    if (ftl_is_dir(path)) {
        char *final = run_path(path, "checkpoints/final.ckpt");
        file = ftl_is_file(final) ? final
                                  : (free(final), session_newest_checkpoint(path, &step, NULL));
        if (!file) {
            char *conf = run_path(path, "config");
            int run = ftl_is_file(conf);
            free(conf);
            return run ? ftl_error(err, "%s: no checkpoint in checkpoints/", path)
                       : not_a_run(path, err);
        }
    } else {
        file = xstrdup(path);
    }
    struct ckpt ck;
    const char *text;
    struct run_kv kv = {0};
    struct trainer_config c;
    struct trainer_controls k;
    int rc = -1;
    if (ckpt_read(file, &ck, err) != 0) goto out_file;
    if (ckpt_get_str(&ck, "config", &text, err) != 0) goto out;
    /* The config record is RUN_DIR/config's text: parse it the same way. */
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        if (sp) {
            char *key = strndup(p, (size_t)(sp - p)),
                 *val = strndup(sp + 1, (size_t)(end - sp - 1));
            run_kv_set(&kv, key, val);
            free(key);
            free(val);
        }
        p = nl ? nl + 1 : end;
    }
    if (trainer_config_from_kv(&kv, &c, &k, file, err) != 0) goto out;
    model_init(m, c.task, c.input_dim, c.hidden, c.units);
    if (trainer_load_model(m, &ck, file, err) != 0) {
        model_free(m);
        goto out;
    }
    if (cfg) *cfg = c;
    if (step_out && ckpt_get_u64(&ck, "trainer/step", step_out, err) != 0) {
        model_free(m);
        goto out;
    }
    rc = 0;
out:
    run_kv_free(&kv);
    ckpt_free(&ck);
out_file:
    free(file);
    return rc;
}

void session_move(struct session *dst, struct session *src)
{
    *dst = *src;
    dst->tr.data = &dst->data;
    if (src->tr.journal) dst->tr.journal = &dst->journal;
    session_blank(src);
}
