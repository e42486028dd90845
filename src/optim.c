/* optim — Adam and SGD over one flat parameter vector. See optim.h. */
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The divergence guard depends on NaN surviving arithmetic and comparisons. */
#ifdef __FAST_MATH__
#error                                                                                             \
    "optim.c must not be built with -ffast-math: NaN checks and the PyTorch agreement need IEEE arithmetic"
#endif

void optim_init(struct optim *o, enum optim_kind kind, size_t n, double lr)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->n = n;
    o->lr = lr;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    if (kind == OPTIM_ADAM) {
        o->m = xcalloc(n, sizeof *o->m);
        o->v = xcalloc(n, sizeof *o->v);
    }
}

void optim_free(struct optim *o)
{
    free(o->m);
    free(o->v);
    o->m = o->v = NULL;
}

double optim_grad_norm(const float *x, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)x[i] * (double)x[i];
    return sqrt(sum);
}

int optim_all_finite(const float *x, size_t n)
{
    /* A float is NaN or inf exactly when its exponent bits are all ones. */
    uint32_t worst = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        bits &= 0x7fffffffu;
        worst = bits > worst ? bits : worst;
    }
    return worst < 0x7f800000u;
}

// ---- the updates ----

static void sgd_update(float *p, const float *g, size_t n, float lr, float scale)
{
    for (size_t i = 0; i < n; i++)
        p[i] -= lr * (g[i] * scale);
}

/*
 * PyTorch's single-tensor Adam, operation for operation: the moments are
 * updated in float, the bias corrections (1 - b^t) are Python doubles there
 * and doubles here, and the step is p -= step_size · m / (sqrt(v)/sqrt(bc2) + eps).
 */
static void adam_update(struct optim *o, float *p, const float *g, float scale)
{
    o->t++;
    double bc1 = 1.0 - pow(o->beta1, (double)o->t);
    double bc2 = 1.0 - pow(o->beta2, (double)o->t);
    const float b1 = (float)o->beta1, one_minus_b1 = (float)(1.0 - o->beta1);
    const float b2 = (float)o->beta2, one_minus_b2 = (float)(1.0 - o->beta2);
    const float step_size = (float)(o->lr / bc1);
    const float bc2_sqrt = (float)sqrt(bc2);
    const float eps = (float)o->eps;
    float *m = o->m, *v = o->v;
    for (size_t i = 0; i < o->n; i++) {
        float gi = g[i] * scale;
        m[i] = m[i] * b1 + one_minus_b1 * gi;
        v[i] = v[i] * b2 + one_minus_b2 * gi * gi;
        float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        p[i] += -step_size * (m[i] / denom);
    }
}

double optim_step(struct optim *o, float *p, const float *g)
{
    double norm = optim_grad_norm(g, o->n);
    /* clip_grad_norm_: coefficient max_norm / (norm + 1e-6), applied in float */
    float scale = 1.0f;
    if (o->clip > 0 && norm > o->clip) scale = (float)(o->clip / (norm + 1e-6));
    if (o->kind == OPTIM_ADAM)
        adam_update(o, p, g, scale);
    else {
        o->t++;
        sgd_update(p, g, o->n, (float)o->lr, scale);
    }
    return norm;
}

const char *optim_kind_name(enum optim_kind k)
{
    return k == OPTIM_ADAM ? "adam" : "sgd";
}

int optim_kind_from_name(const char *s)
{
    if (strcmp(s, "adam") == 0) return OPTIM_ADAM;
    if (strcmp(s, "sgd") == 0) return OPTIM_SGD;
    return -1;
}
