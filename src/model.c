/* model — the classifier and the autoencoder. See model.h; maths in SPEC.md §3-5. */
#include "model.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "rng.h"
#include "util.h"

static const char *const task_names[TASK_COUNT] = {"classify", "autoencode"};

const char *model_task_name(enum model_task t)
{
    return t < TASK_COUNT ? task_names[t] : "?";
}

int model_task_from_name(const char *s)
{
    for (int i = 0; i < TASK_COUNT; i++)
        if (strcmp(s, task_names[i]) == 0) return i;
    return -1;
}

// ---- the parameter table ----

static void add_param(struct model *m, const char *name, int rows, int cols)
{
    struct model_param *p = &m->param[m->nparam++];
    p->name = name;
    p->ndim = cols == 1 && strstr(name, "weight") == NULL ? 1 : 2;
    p->rows = rows;
    p->cols = cols;
    p->offset = m->size;
    m->size += (size_t)rows * (size_t)cols;
}

static void add_gru(struct model *m, const char *const names[4], int D, int H)
{
    add_param(m, names[0], 3 * H, D);
    add_param(m, names[1], 3 * H, H);
    add_param(m, names[2], 3 * H, 1);
    add_param(m, names[3], 3 * H, 1);
}

static const char *const gru_names[4] = {"gru.weight_ih_l0", "gru.weight_hh_l0", "gru.bias_ih_l0",
                                         "gru.bias_hh_l0"};
static const char *const enc_names[4] = {"enc.weight_ih_l0", "enc.weight_hh_l0", "enc.bias_ih_l0",
                                         "enc.bias_hh_l0"};
static const char *const dec_names[4] = {"dec.weight_ih_l0", "dec.weight_hh_l0", "dec.bias_ih_l0",
                                         "dec.bias_hh_l0"};

void model_init(struct model *m, enum model_task task, int D, int H, int K)
{
    memset(m, 0, sizeof *m);
    m->task = task;
    m->D = D;
    m->H = H;
    m->K = K;
    if (task == TASK_CLASSIFY) {
        add_gru(m, gru_names, m->D, H);
        add_param(m, "fc1.weight", K, H);
        add_param(m, "fc1.bias", K, 1);
        add_param(m, "fc2.weight", 1, K);
        add_param(m, "fc2.bias", 1, 1);
    } else {
        add_gru(m, enc_names, m->D, H);
        add_param(m, "code.weight", K, H);
        add_param(m, "code.bias", K, 1);
        add_param(m, "dec_init.weight", H, K);
        add_param(m, "dec_init.bias", H, 1);
        add_gru(m, dec_names, K, H);
        add_param(m, "out.weight", m->D, H);
        add_param(m, "out.bias", m->D, 1);
    }
    m->w = xcalloc(m->size, sizeof *m->w);
    model_views(m, m->w, &m->v);
}

void model_free(struct model *m)
{
    free(m->w);
    memset(m, 0, sizeof *m);
}

const struct model_param *model_find(const struct model *m, const char *name)
{
    for (int i = 0; i < m->nparam; i++)
        if (strcmp(m->param[i].name, name) == 0) return &m->param[i];
    return NULL;
}

static void view_gru(const struct model *m, real *block, int first, int D, struct gru *g)
{
    g->D = D;
    g->H = m->H;
    g->w_ih = block + m->param[first].offset;
    g->w_hh = block + m->param[first + 1].offset;
    g->b_ih = block + m->param[first + 2].offset;
    g->b_hh = block + m->param[first + 3].offset;
}

void model_views(const struct model *m, real *block, struct model_views *v)
{
    memset(v, 0, sizeof *v);
    view_gru(m, block, 0, m->D, &v->enc);
    v->target_w = block + m->param[4].offset;
    v->target_b = block + m->param[5].offset;
    if (m->task == TASK_CLASSIFY) {
        v->fc2_w = block + m->param[6].offset;
        v->fc2_b = block + m->param[7].offset;
    } else {
        v->init_w = block + m->param[6].offset;
        v->init_b = block + m->param[7].offset;
        view_gru(m, block, 8, m->K, &v->dec);
        v->out_w = block + m->param[12].offset;
        v->out_b = block + m->param[13].offset;
    }
}

void model_init_weights(struct model *m, uint64_t seed)
{
    struct rng r;
    rng_seed_stream(&r, seed, 0x1417);
    for (int i = 0; i < m->nparam; i++) {
        const struct model_param *p = &m->param[i];
        /* GRU tensors use 1/sqrt(hidden); a linear layer's weight and bias 1/sqrt(in_features). */
        int gru = strstr(p->name, "_l0") != NULL;
        int fan = gru ? m->H : (p->ndim == 2 ? p->cols : m->param[i - 1].cols);
        double bound = 1.0 / sqrt((double)fan);
        real *w = m->w + p->offset;
        for (size_t j = 0; j < (size_t)p->rows * (size_t)p->cols; j++)
            w[j] = (real)((2.0 * rng_uniform(&r) - 1.0) * bound);
    }
}

// ---- scratch ----

void model_work_init(struct model_work *w, const struct model *m, int cap_B, size_t cap_P)
{
    memset(w, 0, sizeof *w);
    w->cap_B = cap_B;
    w->cap_P = cap_P;
    size_t B = (size_t)cap_B, P = cap_P, H = (size_t)m->H, K = (size_t)m->K, D = (size_t)m->D;
    w->x = xcalloc(P * D, sizeof(real));
    w->h = xcalloc(P * H, sizeof(real));
    w->dh = xcalloc(P * H, sizeof(real));
    w->hlast = xcalloc(B * H, sizeof(real));
    w->dhlast = xcalloc(B * H, sizeof(real));
    w->a = xcalloc(B * K, sizeof(real));
    w->da = xcalloc(B * K, sizeof(real));
    w->dtmp = xcalloc(B * K, sizeof(real));
    w->z = xcalloc(B, sizeof(real));
    w->dz = xcalloc(B, sizeof(real));
    w->y = xcalloc(B, sizeof(real));
    /* + 2B: the classifier's XCov keeps sigmoid(z) and its gradient in front of the kernel's
     * scratch. */
    w->reg_ws = xcalloc(loss_workspace_size(cap_B, m->K, m->H) + 2 * B, sizeof(real));
    gru_cache_init(&w->enc, m->D, m->H, cap_B, cap_P);
    if (m->task == TASK_AUTOENCODE) {
        w->s0 = xcalloc(B * H, sizeof(real));
        w->ds0 = xcalloc(B * H, sizeof(real));
        w->hd = xcalloc(P * H, sizeof(real));
        w->dhd = xcalloc(P * H, sizeof(real));
        w->xhat = xcalloc(P * D, sizeof(real));
        w->dxhat = xcalloc(P * D, sizeof(real));
        w->du = xcalloc(B * K, sizeof(real));
        gru_cache_init(&w->dec, m->K, m->H, cap_B, cap_P);
    }
}

void model_work_free(struct model_work *w)
{
    real *bufs[] = {w->x,   w->h,    w->dh,    w->hlast, w->dhlast, w->a,   w->da,
                    w->z,   w->dz,   w->y,     w->dtmp,  w->s0,     w->ds0, w->hd,
                    w->dhd, w->xhat, w->dxhat, w->du,    w->reg_ws};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        free(bufs[i]);
    gru_cache_free(&w->enc);
    if (w->dec.gates) gru_cache_free(&w->dec);
    memset(w, 0, sizeof *w);
}

// ---- forward and backward ----

/*
 * The views of a regulariser pair (loss.h, enum reg_pair) for this batch. The
 * classifier's output pair needs sigmoid(z) and room for its gradient: both
 * live at the start of reg_ws (2B reals), the kernels' scratch after them.
 */
static void pair_views(const struct model *m, struct model_work *w, int B, enum reg_pair pair,
                       struct reg_inputs *in, struct reg_grads *g)
{
    int K = m->K;
    switch (pair) {
    case REG_PAIR_NONE:
        break;
    case REG_PAIR_OUTPUT_VS_ACTS: {
        real *p = w->reg_ws, *dp = p + B;
        for (int b = 0; b < B; b++)
            p[b] = 1 / (1 + REAL_EXP(-w->z[b]));
        memset(dp, 0, (size_t)B * sizeof *dp);
        in->y = p, in->P = 1, in->ldy = 1, in->z = w->a, in->Q = K, in->ldz = K;
        g->dy = dp, g->lddy = 1, g->dz = g->da, g->lddz = K;
        in->ws = dp + B;
        break;
    }
    case REG_PAIR_ACT_HALVES: {
        int P = K / 2;
        in->y = w->a, in->P = P, in->ldy = K, in->z = w->a + P, in->Q = K - P, in->ldz = K;
        g->dy = g->da, g->lddy = K, g->dz = g->da ? g->da + P : NULL, g->lddz = K;
        break;
    }
    }
}

/*
 * Every regulariser of reg_table on the target layer (their values go to
 * metrics.csv whichever is active); adds lambda * d(active)/d(.) when g.
 */
static void regularise(const struct model *m, struct model_work *w, int B, enum reg_kind active,
                       double lambda, double margin, struct model_views *g, struct model_terms *t)
{
    int task = m->task;
    t->active_pairs = 0;
    for (int r = 0; r < REG_COUNT; r++) {
        const struct reg_entry *e = &reg_table[r];
        struct reg_inputs in = {.B = B,
                                .K = m->K,
                                .H = m->H,
                                .a = w->a,
                                .w = m->v.target_w,
                                .margin = (real)margin,
                                .ws = w->reg_ws};
        int backward = g && r == (int)active;
        struct reg_grads gr = {.da = backward ? w->da : NULL, .dw = backward ? g->target_w : NULL};
        pair_views(m, w, B, e->pair[task], &in, &gr);
        t->reg[r] = e->value(&in, (real)lambda, backward ? &gr : NULL, &t->active_pairs);
        /* The classifier's output pair: dY = dsigmoid into dz, the logit's gradient. */
        if (backward && e->pair[task] == REG_PAIR_OUTPUT_VS_ACTS)
            for (int b = 0; b < B; b++)
                w->dz[b] += gr.dy[b] * in.y[b] * (1 - in.y[b]);
    }
    t->total = t->task + lambda * t->reg[active];
}

static void classify_step(const struct model *m, struct model_work *w, const struct batch *b,
                          enum reg_kind active, double lambda, double margin, real *grad,
                          struct model_terms *t)
{
    int B = b->B, H = m->H, K = m->K;
    size_t P = b->off[b->T];
    const struct model_views *v = &m->v;
    gru_forward(&v->enc, &w->enc, w->x, NULL, NULL, b->nrun, b->off, b->T, B, w->h);
    gru_last_state(w->h, b->len, b->off, B, H, w->hlast);
    dense_forward(w->hlast, v->target_w, v->target_b, B, H, K, w->a);
    dense_relu_forward(w->a, (size_t)B * K);
    dense_forward(w->a, v->fc2_w, v->fc2_b, B, K, 1, w->z);
    for (int i = 0; i < B; i++)
        w->y[i] = (real)b->y[i];
    t->task = loss_bce_logits(w->z, w->y, B, grad ? w->dz : NULL);
    t->correct = 0;
    for (int i = 0; i < B; i++)
        t->correct += (w->z[i] > 0) == (w->y[i] > 0.5f);

    struct model_views g;
    if (grad) {
        memset(grad, 0, m->size * sizeof *grad);
        model_views(m, grad, &g);
        memset(w->da, 0, (size_t)B * K * sizeof *w->da);
    }
    regularise(m, w, B, active, lambda, margin, grad ? &g : NULL, t);
    if (!grad) return;
    /* da already holds lambda * dReg/da; add the path through FC2. */
    dense_backward(w->dz, w->a, v->fc2_w, B, K, 1, w->dtmp, g.fc2_w, g.fc2_b);
    for (size_t i = 0; i < (size_t)B * K; i++)
        w->da[i] += w->dtmp[i];
    dense_relu_backward(w->a, (size_t)B * K, w->da);
    dense_backward(w->da, w->hlast, v->target_w, B, H, K, w->dhlast, g.target_w, g.target_b);
    memset(w->dh, 0, P * H * sizeof *w->dh);
    gru_last_state_backward(w->dhlast, b->len, b->off, B, H, w->dh);
    gru_backward(&v->enc, &g.enc, &w->enc, w->x, NULL, b->nrun, b->off, b->T, B, w->dh, NULL, NULL,
                 NULL);
}

static void autoencode_step(const struct model *m, struct model_work *w, const struct batch *b,
                            enum reg_kind active, double lambda, double margin, real *grad,
                            struct model_terms *t)
{
    int B = b->B, H = m->H, K = m->K, D = m->D;
    size_t P = b->off[b->T];
    const struct model_views *v = &m->v;
    gru_forward(&v->enc, &w->enc, w->x, NULL, NULL, b->nrun, b->off, b->T, B, w->h);
    gru_last_state(w->h, b->len, b->off, B, H, w->hlast);
    dense_forward(w->hlast, v->target_w, v->target_b, B, H, K, w->a);
    dense_relu_forward(w->a, (size_t)B * K);
    dense_forward(w->a, v->init_w, v->init_b, B, K, H, w->s0);
    for (size_t i = 0; i < (size_t)B * H; i++)
        w->s0[i] = REAL_TANH(w->s0[i]);
    gru_forward(&v->dec, &w->dec, NULL, w->a, w->s0, b->nrun, b->off, b->T, B, w->hd);
    dense_forward(w->hd, v->out_w, v->out_b, (int)P, H, D, w->xhat);
    double se = 0;
    real scale = (real)(2.0 / B);
    for (size_t i = 0; i < P * D; i++) {
        real e = w->xhat[i] - w->x[i];
        se += (double)e * e;
        w->dxhat[i] = scale * e;
    }
    t->task = se / B;
    t->correct = 0;

    struct model_views g;
    if (grad) {
        memset(grad, 0, m->size * sizeof *grad);
        model_views(m, grad, &g);
        memset(w->da, 0, (size_t)B * K * sizeof *w->da);
    }
    regularise(m, w, B, active, lambda, margin, grad ? &g : NULL, t);
    if (!grad) return;
    dense_backward(w->dxhat, w->hd, v->out_w, (int)P, H, D, w->dhd, g.out_w, g.out_b);
    gru_backward(&v->dec, &g.dec, &w->dec, NULL, w->a, b->nrun, b->off, b->T, B, w->dhd, NULL,
                 w->du, w->ds0);
    for (size_t i = 0; i < (size_t)B * H; i++)
        w->ds0[i] *= 1 - w->s0[i] * w->s0[i];
    dense_backward(w->ds0, w->a, v->init_w, B, K, H, w->dtmp, g.init_w, g.init_b);
    for (size_t i = 0; i < (size_t)B * K; i++)
        w->da[i] += w->dtmp[i] + w->du[i];
    dense_relu_backward(w->a, (size_t)B * K, w->da);
    dense_backward(w->da, w->hlast, v->target_w, B, H, K, w->dhlast, g.target_w, g.target_b);
    memset(w->dh, 0, P * H * sizeof *w->dh);
    gru_last_state_backward(w->dhlast, b->len, b->off, B, H, w->dh);
    gru_backward(&v->enc, &g.enc, &w->enc, w->x, NULL, b->nrun, b->off, b->T, B, w->dh, NULL, NULL,
                 NULL);
}

void model_step(const struct model *m, struct model_work *w, const struct batch *b,
                enum reg_kind active, double lambda, double margin, real *grad,
                struct model_terms *t)
{
    memset(t, 0, sizeof *t);
    /* Without grad no backward follows, and the GRUs keep nothing for it. */
    w->enc.infer = w->dec.infer = grad == NULL;
    size_t P = b->off[b->T];
    for (size_t i = 0; i < P * (size_t)m->D; i++)
        w->x[i] = (real)b->x[i];
    if (m->task == TASK_CLASSIFY)
        classify_step(m, w, b, active, lambda, margin, grad, t);
    else
        autoencode_step(m, w, b, active, lambda, margin, grad, t);
}

void model_evaluate(const struct model *m, struct model_work *w, const struct dataset *d,
                    float *acts, double *task_loss, double *accuracy)
{
    model_predict(m, w, d, acts, NULL, task_loss, accuracy);
}

/* The sequences of the batch starting at i: as many as fit both the row capacity
 * cap_B and the packed-row capacity cap_P. */
static int predict_batch_size(int cap_B, size_t cap_P, const struct dataset *d, size_t i)
{
    int n = 0;
    size_t rows = 0;
    while (i + n < d->n && n < cap_B && rows + dataset_len(d, i + n) <= cap_P)
        rows += dataset_len(d, i + (size_t)n++);
    if (n == 0) /* a sequence longer than cap_P: the caller sized w wrongly */
        abort();
    return n;
}

/* Forward of the n sequences from i; their summed task loss and correct count. */
static void predict_batch(const struct model *m, struct model_work *w, struct batch *b,
                          uint32_t *idx, const struct dataset *d, size_t i, int n, float *acts,
                          float *prob, double *loss, long *correct)
{
    for (int r = 0; r < n; r++)
        idx[r] = (uint32_t)(i + (size_t)r);
    batch_fill(b, d, idx, n);
    struct model_terms t;
    model_step(m, w, b, REG_BASELINE, 0, 0, NULL, &t);
    *loss = t.task * n;
    *correct = t.correct;
    if (acts)
        for (int r = 0; r < n; r++)
            for (int k = 0; k < m->K; k++)
                acts[(size_t)b->index[r] * m->K + k] = (float)w->a[(size_t)r * m->K + k];
    if (prob && m->task == TASK_CLASSIFY) /* the logit, as a probability of "5-9" */
        for (int r = 0; r < n; r++)
            prob[b->index[r]] = (float)(1 / (1 + exp(-(double)w->z[r])));
}

void model_predict(const struct model *m, struct model_work *w, const struct dataset *d,
                   float *acts, float *prob, double *task_loss, double *accuracy)
{
    struct batch b;
    batch_init(&b);
    uint32_t *idx = xmallocarray((size_t)w->cap_B, sizeof *idx);
    double loss = 0;
    long correct = 0;
    for (size_t i = 0; i < d->n;) {
        int n = predict_batch_size(w->cap_B, w->cap_P, d, i);
        double l;
        long c;
        predict_batch(m, w, &b, idx, d, i, n, acts, prob, &l, &c);
        loss += l;
        correct += c;
        i += (size_t)n;
    }
    if (task_loss) *task_loss = d->n ? loss / (double)d->n : 0;
    if (accuracy) *accuracy = d->n ? (double)correct / (double)d->n : 0;
    free(idx);
    batch_free(&b);
}

/*
 * model_predict over threads. The batches are model_predict's, and each is
 * computed as there (a batch's GEMMs have the same shapes on any thread), so
 * the activations are the same bits; the figures are summed in batch order
 * afterwards, so they are too. Threads take batches in turn from a counter
 * and write disjoint rows of acts and prob.
 */
struct predict_job {
    const struct model *m;
    const struct dataset *d;
    int cap_B;
    size_t cap_P;
    size_t nbatch, *first; /* [nbatch + 1] first sequence of each batch */
    float *acts, *prob;
    double *loss; /* [nbatch] */
    long *correct;
    pthread_mutex_t mu;
    size_t next;
};

static void *predict_worker(void *arg)
{
    struct predict_job *j = arg;
    struct model_work w;
    model_work_init(&w, j->m, j->cap_B, j->cap_P);
    struct batch b;
    batch_init(&b);
    uint32_t *idx = xmallocarray((size_t)j->cap_B, sizeof *idx);
    for (;;) {
        pthread_mutex_lock(&j->mu);
        size_t k = j->next < j->nbatch ? j->next++ : SIZE_MAX;
        pthread_mutex_unlock(&j->mu);
        if (k == SIZE_MAX) break;
        predict_batch(j->m, &w, &b, idx, j->d, j->first[k], (int)(j->first[k + 1] - j->first[k]),
                      j->acts, j->prob, &j->loss[k], &j->correct[k]);
    }
    free(idx);
    batch_free(&b);
    model_work_free(&w);
    return NULL;
}

void model_predict_threads(const struct model *m, int cap_B, const struct dataset *d, int threads,
                           float *acts, float *prob, double *task_loss, double *accuracy)
{
    struct predict_job j = {.m = m, .d = d, .cap_B = cap_B, .acts = acts, .prob = prob};
    j.cap_P = (size_t)cap_B * dataset_max_len(d);
    j.first = xmallocarray(d->n + 1, sizeof *j.first);
    for (size_t i = 0; i < d->n; i += (size_t)predict_batch_size(cap_B, j.cap_P, d, i))
        j.first[j.nbatch++] = i;
    j.first[j.nbatch] = d->n;
    j.loss = xcalloc(j.nbatch + 1, sizeof *j.loss);
    j.correct = xcalloc(j.nbatch + 1, sizeof *j.correct);
    pthread_mutex_init(&j.mu, NULL);
    int extra = threads - 1 < (int)j.nbatch - 1 ? threads - 1 : (int)j.nbatch - 1;
    pthread_t *tid = xcalloc(extra > 0 ? (size_t)extra : 1, sizeof *tid);
    int started = 0;
    while (started < extra && pthread_create(&tid[started], NULL, predict_worker, &j) == 0)
        started++; /* fewer threads is slower, not wrong */
    predict_worker(&j);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&j.mu);
    double loss = 0;
    long correct = 0;
    for (size_t k = 0; k < j.nbatch; k++)
        loss += j.loss[k], correct += j.correct[k];
    if (task_loss) *task_loss = d->n ? loss / (double)d->n : 0;
    if (accuracy) *accuracy = d->n ? (double)correct / (double)d->n : 0;
    free(tid), free(j.first), free(j.loss), free(j.correct);
}
