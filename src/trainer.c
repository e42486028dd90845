/* trainer — one batch at a time, controls between batches. See trainer.h. */
#include "trainer.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "blas.h"
#include "checkpoint.h"
#include "rng.h"
#include "util.h"

void trainer_config_defaults(struct trainer_config *c, struct trainer_controls *k)
{
    /* SPEC.md §10: H=128, K=32, batch 256, 10 epochs; the controls' defaults: control.c. */
    memset(c, 0, sizeof *c);
    c->task = TASK_CLASSIFY;
    c->hidden = 128;
    c->units = 32;
    c->batch_size = 256;
    c->optimizer = OPTIM_ADAM;
    c->seed = 1;
    c->shuffle = 1;
    c->epochs = 10;
    c->input_dim = DATASET_STROKE_DIM;
    snprintf(c->data, sizeof c->data, "sample");
    ctl_defaults(k);
}

// ---- config file ----

void trainer_config_to_kv(const struct trainer_config *c, const struct trainer_controls *k,
                          struct run_kv *kv)
{
    run_kv_setf(kv, "ftlab", "%s", PACKAGE_VERSION);
    run_kv_set(kv, "task", model_task_name(c->task));
    run_kv_setf(kv, "hidden", "%d", c->hidden);
    run_kv_setf(kv, "units", "%d", c->units);
    run_kv_setf(kv, "batch_size", "%d", c->batch_size);
    run_kv_set(kv, "optimizer", optim_kind_name(c->optimizer));
    run_kv_setf(kv, "clip", "%.17g", c->clip);
    run_kv_setf(kv, "seed", "%llu", (unsigned long long)c->seed);
    run_kv_setf(kv, "shuffle", "%d", c->shuffle);
    run_kv_setf(kv, "limit", "%ld", c->limit);
    run_kv_setf(kv, "epochs", "%ld", c->epochs);
    run_kv_setf(kv, "steps", "%ld", c->steps);
    run_kv_setf(kv, "threads", "%d", c->threads);
    run_kv_set(kv, "data", c->data);
    /* Each written only when it differs from what a run of strokes had, so those runs keep
     * their config byte for byte and old configs read as D = 4, NaN refused, raw values. */
    if (c->input_dim != DATASET_STROKE_DIM) run_kv_setf(kv, "input_dim", "%d", c->input_dim);
    if (c->nan != DATASET_NAN_REFUSE) run_kv_set(kv, "nan", dataset_nan_name(c->nan));
    if (c->standardize) {
        size_t cap = (size_t)c->input_dim * 26 + 2;
        char *mean = xmalloc(cap), *scale = xmalloc(cap);
        size_t om = 0, os = 0;
        mean[0] = scale[0] = '\0';
        for (int i = 0; i < c->input_dim; i++) {
            om += (size_t)snprintf(mean + om, cap - om, "%s%.17g", i ? "," : "", c->std_mean[i]);
            os += (size_t)snprintf(scale + os, cap - os, "%s%.17g", i ? "," : "", c->std_scale[i]);
        }
        run_kv_set(kv, "standardize_mean", mean);
        run_kv_set(kv, "standardize_std", scale);
        free(mean);
        free(scale);
    }
    /* Written only when used, so runs without it keep their config byte for byte. */
    if (c->init[0]) run_kv_set(kv, "init", c->init);
    run_kv_set(kv, "loss", reg_table[k->loss].name);
    run_kv_setf(kv, "lambda", "%.17g", k->lambda);
    run_kv_setf(kv, "margin", "%.17g", k->margin);
    run_kv_setf(kv, "lr", "%.17g", k->lr);
}

static int kv_long(const struct run_kv *kv, const char *key, long lo, long hi, long *out,
                   const char *path, char *err)
{
    const char *s = run_kv_get(kv, key);
    char *end;
    if (!s) return ftl_error(err, "%s: no '%s' setting", path, key);
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return ftl_error(err, "%s: '%s' is '%s', expected an integer in %ld..%ld", path, key, s, lo,
                         hi);
    *out = v;
    return 0;
}

static int kv_double(const struct run_kv *kv, const char *key, double lo, double *out,
                     const char *path, char *err)
{
    const char *s = run_kv_get(kv, key);
    char *end;
    if (!s) return ftl_error(err, "%s: no '%s' setting", path, key);
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || v < lo)
        return ftl_error(err, "%s: '%s' is '%s', expected a number >= %g", path, key, s, lo);
    *out = v;
    return 0;
}

/* Every key trainer_config_to_kv writes: any other is refused, so that a typo ("lamda 0.5")
 * in a config edited by hand does not pass as the default. */
static const char *const config_keys[] = {"ftlab",
                                          "task",
                                          "hidden",
                                          "units",
                                          "batch_size",
                                          "optimizer",
                                          "clip",
                                          "seed",
                                          "shuffle",
                                          "limit",
                                          "epochs",
                                          "steps",
                                          "threads",
                                          "data",
                                          "input_dim",
                                          "nan",
                                          "standardize_mean",
                                          "standardize_std",
                                          "init",
                                          "loss",
                                          "lambda",
                                          "margin",
                                          "lr"};

int trainer_config_from_kv(const struct run_kv *kv, struct trainer_config *c,
                           struct trainer_controls *k, const char *path, char *err)
{
    trainer_config_defaults(c, k);
    for (size_t i = 0; i < kv->n; i++) {
        size_t j = 0;
        while (j < sizeof config_keys / sizeof *config_keys && strcmp(kv->key[i], config_keys[j]))
            j++;
        if (j == sizeof config_keys / sizeof *config_keys)
            return ftl_error(err, "%s: unknown setting '%.64s'", path, kv->key[i]);
    }
    const char *s;
    long v[9];
    int t;
    if (!(s = run_kv_get(kv, "task")) || (t = model_task_from_name(s)) < 0)
        return ftl_error(err, "%s: missing or unknown task", path);
    c->task = (enum model_task)t;
    if (!(s = run_kv_get(kv, "optimizer")) || (t = optim_kind_from_name(s)) < 0)
        return ftl_error(err, "%s: missing or unknown optimizer", path);
    c->optimizer = (enum optim_kind)t;
    if (!(s = run_kv_get(kv, "loss")) || (t = reg_from_name(s)) < 0)
        return ftl_error(err, "%s: missing or unknown loss", path);
    k->loss = (enum reg_kind)t;
    if (kv_long(kv, "hidden", 1, 4096, &v[0], path, err) ||
        kv_long(kv, "units", 2, 4096, &v[1], path, err) ||
        kv_long(kv, "batch_size", 2, 65536, &v[2], path, err) ||
        kv_long(kv, "shuffle", 0, 1, &v[3], path, err) ||
        kv_long(kv, "limit", 0, 1L << 40, &v[4], path, err) ||
        kv_long(kv, "epochs", 0, 1000000, &v[5], path, err) ||
        kv_long(kv, "steps", 0, 1000000000, &v[6], path, err) ||
        kv_long(kv, "threads", 0, 256, &v[7], path, err) ||
        kv_long(kv, "seed", 0, LONG_MAX, &v[8], path, err) ||
        kv_double(kv, "clip", 0, &c->clip, path, err) ||
        kv_double(kv, "lambda", 0, &k->lambda, path, err) ||
        kv_double(kv, "margin", 0, &k->margin, path, err) ||
        kv_double(kv, "lr", 1e-300, &k->lr, path, err))
        return -1;
    c->hidden = (int)v[0];
    c->units = (int)v[1];
    c->batch_size = (int)v[2];
    c->shuffle = (int)v[3];
    c->limit = v[4];
    c->epochs = v[5];
    c->steps = v[6];
    c->threads = (int)v[7];
    c->seed = (uint64_t)v[8];
    if (!(s = run_kv_get(kv, "data")) || strlen(s) >= sizeof c->data)
        return ftl_error(err, "%s: missing data setting", path);
    snprintf(c->data, sizeof c->data, "%s", s);
    if ((s = run_kv_get(kv, "input_dim"))) {
        if (kv_long(kv, "input_dim", 1, DATASET_MAX_DIM, &v[0], path, err)) return -1;
        c->input_dim = (int)v[0];
    }
    if ((s = run_kv_get(kv, "nan")) && (t = dataset_nan_from_name(s)) < 0)
        return ftl_error(err, "%s: 'nan' is '%s', expected refuse, zero or carry", path, s);
    if (s) c->nan = (enum dataset_nan)t;
    const char *mean = run_kv_get(kv, "standardize_mean"),
               *scale = run_kv_get(kv, "standardize_std");
    if (!mean != !scale)
        return ftl_error(err, "%s: standardize_mean and standardize_std come together", path);
    if (mean) {
        c->standardize = 1;
        const char *p[2] = {mean, scale};
        double *out[2] = {c->std_mean, c->std_scale};
        for (int j = 0; j < 2; j++)
            for (int i = 0; i < c->input_dim; i++) {
                char *end;
                out[j][i] = strtod(p[j], &end);
                if (end == p[j] || !isfinite(out[j][i]) || (j == 1 && !(out[j][i] > 0)) ||
                    *end != (i + 1 < c->input_dim ? ',' : '\0'))
                    return ftl_error(err, "%s: '%s' needs %d finite numbers%s", path,
                                     j ? "standardize_std" : "standardize_mean", c->input_dim,
                                     j ? " > 0" : "");
                p[j] = end + (*end == ',');
            }
    }
    if ((s = run_kv_get(kv, "init"))) {
        if (!*s || strlen(s) >= sizeof c->init) return ftl_error(err, "%s: bad init setting", path);
        snprintf(c->init, sizeof c->init, "%s", s);
    }
    return 0;
}

int trainer_config_same_run(const struct trainer_config *a, const struct trainer_config *b)
{
    return a->task == b->task && a->hidden == b->hidden && a->units == b->units &&
           a->batch_size == b->batch_size && a->optimizer == b->optimizer && a->seed == b->seed &&
           a->shuffle == b->shuffle && a->limit == b->limit && a->clip == b->clip &&
           a->input_dim == b->input_dim && a->standardize == b->standardize &&
           strcmp(a->init, b->init) == 0;
}

int trainer_journal_config(const struct journal_log *log, const char *path,
                           struct trainer_config *c, struct trainer_controls *k, char *err)
{
    struct run_kv kv = {0};
    for (size_t i = 0; i < log->nconfig; i++)
        run_kv_set(&kv, log->config[i].key, log->config[i].value);
    int rc = trainer_config_from_kv(&kv, c, k, path, err);
    run_kv_free(&kv);
    return rc;
}

int trainer_journal_apply(const struct journal_entry *e, struct trainer_controls *k,
                          const char *path, char *err)
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

/* Checked before the first step of a replay or a resume: a bad line then costs no training
 * and leaves no half run behind. */
int trainer_journal_check(const struct journal_log *log, const char *path, char *err)
{
    struct trainer_controls k;
    memset(&k, 0, sizeof k);
    for (size_t i = 0; i < log->nevents; i++) {
        const struct journal_entry *e = &log->events[i];
        if (e->superseded) continue;
        if (ctl_from_name(e->key) < 0 && !ctl_event_find(e->key))
            return ftl_error(err, "%s:%u: unknown event '%s'", path, e->line, e->key);
        if (trainer_journal_apply(e, &k, path, err) != 0) return -1;
    }
    return 0;
}

// ---- life cycle ----

/*
 * The GRU layers split each batch's rows over the threads themselves, with
 * no locking inside the time loop (gru.h), which scales far better on the
 * small per-step products than OpenBLAS's own threads, whose workers also
 * spin between calls and would compete with the GRU's. So OpenBLAS gets one
 * thread and the GRU layers get them all; 0 means blas.h's budget (what
 * OpenBLAS would have used: OPENBLAS_NUM_THREADS, else the cores).
 */
static void set_threads(struct trainer *t, int threads)
{
    int budget = blas_single();
    if (threads <= 0) threads = budget;
    t->work.enc.threads = threads;
    if (t->work.dec.gates) t->work.dec.threads = threads;
}

int trainer_init(struct trainer *t, const struct trainer_config *c,
                 const struct trainer_controls *k, const struct dataset_pair *d, char *err)
{
    memset(t, 0, sizeof *t);
    t->cfg = *c;
    t->ctl = *k;
    t->data = d;
    t->ntrain = d->train.n;
    if (c->limit > 0 && (size_t)c->limit < t->ntrain) t->ntrain = (size_t)c->limit;
    if (t->ntrain == 0) return ftl_error(err, "no training sequences");
    size_t B = (size_t)c->batch_size;
    t->steps_per_epoch = (t->ntrain + B - 1) / B;
    /* Packed capacity: the batch times the longest sequence either split holds. */
    size_t maxlen = dataset_max_len(&d->train);
    if (dataset_max_len(&d->test) > maxlen) maxlen = dataset_max_len(&d->test);
    if (d->train.dim != c->input_dim || d->test.dim != c->input_dim)
        return ftl_error(err, "the data have %d values per step; this run's network takes %d",
                         d->train.dim, c->input_dim);
    model_init(&t->model, c->task, c->input_dim, c->hidden, c->units);
    model_init_weights(&t->model, c->seed);
    model_work_init(&t->work, &t->model, c->batch_size, B * maxlen);
    set_threads(t, c->threads);
    optim_init(&t->opt, c->optimizer, t->model.size, k->lr);
    t->opt.clip = c->clip;
    t->grad = xcalloc(t->model.size, sizeof *t->grad);
    t->backup_w = xcalloc(t->model.size, sizeof *t->backup_w);
    t->order = xmallocarray(t->ntrain, sizeof *t->order);
    batch_init(&t->batch);
    t->state = TRAINER_RUNNING;
    return 0;
}

void trainer_free(struct trainer *t)
{
    model_work_free(&t->work);
    model_free(&t->model);
    optim_free(&t->opt);
    free(t->grad);
    free(t->backup_w);
    free(t->order);
    batch_free(&t->batch);
    memset(t, 0, sizeof *t);
}

int trainer_finished(const struct trainer *t)
{
    if (t->state != TRAINER_RUNNING) return 1;
    if (t->cfg.steps > 0) return t->step >= (uint64_t)t->cfg.steps;
    if (t->cfg.epochs > 0) return t->epoch >= (uint64_t)t->cfg.epochs;
    return 0; /* no end was set: it trains until it is stopped */
}

/* The order of one epoch is a function of (seed, epoch) only, so resuming needs no RNG state. */
static void epoch_order(struct trainer *t)
{
    for (size_t i = 0; i < t->ntrain; i++)
        t->order[i] = (uint32_t)i;
    if (t->cfg.shuffle) {
        struct rng r;
        rng_seed_stream(&r, t->cfg.seed, 0x5eed0000ULL + t->epoch);
        rng_shuffle_u32(&r, t->order, t->ntrain);
    }
}

int trainer_step(struct trainer *t)
{
    if (t->state == TRAINER_DIVERGED) return -1;
    double t0 = ftl_now();
    if (t->pos == 0) epoch_order(t);
    size_t n = t->ntrain - t->pos;
    if (n > (size_t)t->cfg.batch_size) n = (size_t)t->cfg.batch_size;
    batch_fill(&t->batch, &t->data->train, t->order + t->pos, (int)n);
    model_step(&t->model, &t->work, &t->batch, t->ctl.loss, t->ctl.lambda, t->ctl.margin, t->grad,
               &t->last);

    const char *bad = NULL;
    if (!isfinite(t->last.total))
        bad = "the loss";
    else if (!optim_all_finite(t->grad, t->model.size))
        bad = "the gradients";
    if (!bad) {
        memcpy(t->backup_w, t->model.w, t->model.size * sizeof *t->model.w);
        t->opt.lr = t->ctl.lr;
        optim_step(&t->opt, t->model.w, t->grad);
        if (!optim_all_finite(t->model.w, t->model.size)) {
            bad = "the weights";
            memcpy(t->model.w, t->backup_w, t->model.size * sizeof *t->model.w);
        }
    }
    if (bad) {
        t->state = TRAINER_DIVERGED;
        snprintf(t->message, sizeof t->message,
                 "training diverged at step %llu: NaN or Inf in %s (loss %s, lr %g); "
                 "the weights are those of step %llu",
                 (unsigned long long)t->step + 1, bad, reg_table[t->ctl.loss].name, t->ctl.lr,
                 (unsigned long long)t->step);
        return -1;
    }
    t->step++;
    t->pos += n;
    t->elapsed += ftl_now() - t0;
    if (t->pos >= t->ntrain) {
        t->pos = 0;
        t->epoch++;
        return 1;
    }
    return 0;
}

// ---- controls and the journal ----

/* A journal that cannot be written (full disk) must not stop training: the first error is kept. */
static void journal_failed(struct trainer *t, const char *err)
{
    if (!t->journal_error[0]) snprintf(t->journal_error, sizeof t->journal_error, "%s", err);
}

void trainer_note(struct trainer *t, const char *event)
{
    char err[FTL_ERRLEN];
    if (t->journal && journal_event(t->journal, t->step, event, NULL, err) != 0)
        journal_failed(t, err);
}

void trainer_apply(struct trainer *t, const struct trainer_controls *k)
{
    struct journal *j = t->journal;
    char err[FTL_ERRLEN];
    int rc = 0;
    for (int i = 0; j && i < CTL_COUNT; i++) {
        double v = ctl_get(k, (enum ctl_id)i);
        if (v == ctl_get(&t->ctl, (enum ctl_id)i)) continue;
        if (i == CTL_LOSS)
            rc |= journal_event(j, t->step, ctl_table[i].name, reg_table[k->loss].name, err);
        else
            rc |= journal_event_double(j, t->step, ctl_table[i].name, v, err);
    }
    if (rc) journal_failed(t, err);
    t->ctl = *k;
}

void trainer_evaluate(struct trainer *t, const struct dataset *d, float *acts, double *task_loss,
                      double *accuracy)
{
    model_evaluate(&t->model, &t->work, d, acts, task_loss, accuracy);
}

// ---- checkpoints ----

/*
 * Records: "model/<state_dict name>" (f32, the PyTorch shape), "optim/..."
 * (Adam moments and step count), "trainer/..." (position, controls, clock) and
 * "config" (the run's settings as RUN_DIR/config text, so that a checkpoint
 * alone is enough to rebuild the model).
 */
int trainer_save(const struct trainer *t, const char *path, char *err)
{
    struct ckpt c;
    ckpt_init(&c);
    struct run_kv kv = {0};
    trainer_config_to_kv(&t->cfg, &t->ctl, &kv);
    size_t len = 1;
    for (size_t i = 0; i < kv.n; i++)
        len += strlen(kv.key[i]) + strlen(kv.value[i]) + 2;
    char *text = xmalloc(len), *p = text;
    for (size_t i = 0; i < kv.n; i++)
        p += sprintf(p, "%s %s\n", kv.key[i], kv.value[i]);
    ckpt_put_str(&c, "config", text);
    free(text);
    run_kv_free(&kv);

    const struct model *m = &t->model;
    char name[96];
    for (int i = 0; i < m->nparam; i++) {
        const struct model_param *mp = &m->param[i];
        size_t shape[2] = {(size_t)mp->rows, (size_t)mp->cols};
        snprintf(name, sizeof name, "model/%s", mp->name);
        ckpt_put_f32(&c, name, m->w + mp->offset, mp->ndim, shape);
    }
    size_t n = m->size;
    ckpt_put_str(&c, "optim/kind", optim_kind_name(t->opt.kind));
    ckpt_put_u64(&c, "optim/t", t->opt.t);
    if (t->opt.m) {
        ckpt_put_f32(&c, "optim/m", t->opt.m, 1, &n);
        ckpt_put_f32(&c, "optim/v", t->opt.v, 1, &n);
    }
    ckpt_put_u64(&c, "trainer/step", t->step);
    ckpt_put_u64(&c, "trainer/epoch", t->epoch);
    ckpt_put_u64(&c, "trainer/pos", t->pos);
    ckpt_put_u64(&c, "trainer/ntrain", t->ntrain);
    ckpt_put_f64(&c, "trainer/elapsed", t->elapsed);
    ckpt_put_str(&c, "trainer/loss", reg_table[t->ctl.loss].name);
    ckpt_put_f64(&c, "trainer/lambda", t->ctl.lambda);
    ckpt_put_f64(&c, "trainer/margin", t->ctl.margin);
    ckpt_put_f64(&c, "trainer/lr", t->ctl.lr);
    ckpt_put_u64(&c, "journal/events", t->journal ? journal_event_count(t->journal) : 0);
    int rc = ckpt_write(&c, path, err);
    ckpt_free(&c);
    return rc;
}

int trainer_load_model(struct model *m, const struct ckpt *c, const char *path, char *err)
{
    char name[96];
    for (int i = 0; i < m->nparam; i++) {
        const struct model_param *mp = &m->param[i];
        size_t shape[2] = {(size_t)mp->rows, (size_t)mp->cols};
        snprintf(name, sizeof name, "model/%s", mp->name);
        if (ckpt_get_f32(c, name, mp->ndim, shape, m->w + mp->offset, err) != 0) return -1;
    }
    if (!optim_all_finite(m->w, m->size))
        return ftl_error(err, "%s: the weights hold NaN or Inf", path);
    return 0;
}

/* The optimiser's state in c (step count, Adam's moments) into o, of the same kind and size. */
static int load_optim(struct optim *o, const struct ckpt *c, const char *path, char *err)
{
    const char *kind;
    size_t n = o->n;
    if (ckpt_get_str(c, "optim/kind", &kind, err) != 0) return -1;
    if (strcmp(kind, optim_kind_name(o->kind)) != 0)
        return ftl_error(err, "%s: optimiser %s, but this run uses %s", path, kind,
                         optim_kind_name(o->kind));
    if (ckpt_get_u64(c, "optim/t", &o->t, err) != 0) return -1;
    if (o->m && (ckpt_get_f32(c, "optim/m", 1, &n, o->m, err) != 0 ||
                 ckpt_get_f32(c, "optim/v", 1, &n, o->v, err) != 0))
        return -1;
    return 0;
}

int trainer_load_network(struct trainer *t, const char *path, char *err)
{
    struct ckpt c;
    if (ckpt_read(path, &c, err) != 0) return -1;
    /* Into copies first: a checkpoint that fails halfway leaves the trainer as it was. */
    struct model m;
    struct optim o;
    model_init(&m, t->model.task, t->model.D, t->model.H, t->model.K);
    optim_init(&o, t->opt.kind, t->opt.n, t->opt.lr);
    int rc = trainer_load_model(&m, &c, path, err);
    if (rc == 0) rc = load_optim(&o, &c, path, err);
    ckpt_free(&c);
    if (rc == 0) {
        memcpy(t->model.w, m.w, m.size * sizeof *m.w);
        t->opt.t = o.t;
        if (o.m) {
            memcpy(t->opt.m, o.m, o.n * sizeof *o.m);
            memcpy(t->opt.v, o.v, o.n * sizeof *o.v);
        }
        t->state = TRAINER_RUNNING;
    }
    optim_free(&o);
    model_free(&m);
    return rc;
}

int trainer_load(struct trainer *t, const char *path, char *err)
{
    struct ckpt c;
    if (ckpt_read(path, &c, err) != 0) return -1;
    int rc = -1;
    const char *loss;
    uint64_t ntrain, step, epoch, pos, events;
    if (trainer_load_model(&t->model, &c, path, err) != 0 ||
        load_optim(&t->opt, &c, path, err) != 0 ||
        ckpt_get_u64(&c, "trainer/step", &step, err) != 0 ||
        ckpt_get_u64(&c, "trainer/epoch", &epoch, err) != 0 ||
        ckpt_get_u64(&c, "trainer/pos", &pos, err) != 0 ||
        ckpt_get_u64(&c, "trainer/ntrain", &ntrain, err) != 0 ||
        ckpt_get_f64(&c, "trainer/elapsed", &t->elapsed, err) != 0 ||
        ckpt_get_str(&c, "trainer/loss", &loss, err) != 0 ||
        ckpt_get_f64(&c, "trainer/lambda", &t->ctl.lambda, err) != 0 ||
        ckpt_get_f64(&c, "trainer/margin", &t->ctl.margin, err) != 0 ||
        ckpt_get_f64(&c, "trainer/lr", &t->ctl.lr, err) != 0 ||
        ckpt_get_u64(&c, "journal/events", &events, err) != 0)
        goto out;
    int k = reg_from_name(loss);
    if (k < 0) {
        ftl_error(err, "%s: unknown loss '%s'", path, loss);
        goto out;
    }
    if (ntrain != t->ntrain || pos >= ntrain) {
        ftl_error(err,
                  "%s: trained on %llu sequences, but %zu are loaded now (other data or --limit?)",
                  path, (unsigned long long)ntrain, t->ntrain);
        goto out;
    }
    t->ctl.loss = (enum reg_kind)k;
    t->opt.lr = t->ctl.lr;
    t->step = step;
    t->epoch = epoch;
    t->pos = (size_t)pos;
    t->journal_events = events;
    if (t->pos > 0) epoch_order(t);
    t->state = TRAINER_RUNNING;
    rc = 0;
out:
    ckpt_free(&c);
    return rc;
}
