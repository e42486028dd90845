/*
 * optim — Adam and SGD over the model's one flat parameter vector.
 *
 * Adam is PyTorch's torch.optim.Adam exactly (SPEC.md §6, the PyTorch form;
 * no weight decay, no amsgrad), so a run can be cross-checked against a
 * PyTorch script:
 *     m = b1 m + (1-b1) g;   v = b2 v + (1-b2) g²;
 *     p -= lr · (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 * with the bias corrections computed in double and the per-element maths in
 * float32, as PyTorch does for float32 parameters. SGD is p -= lr g.
 *
 * Optional clipping follows torch.nn.utils.clip_grad_norm_: the total L2 norm
 * of g is taken in double, and when it exceeds `clip` the gradient used for
 * the update is g · clip / (norm + 1e-6). The caller's g is never modified.
 *
 * Every field may be changed between steps (the UI halves or doubles lr).
 * The whole state is the struct's fields: saving n, t, m and v (and the
 * hyper-parameters) and restoring them continues a run bit for bit.
 */
#ifndef FTLAB_OPTIM_H
#define FTLAB_OPTIM_H

#include <stddef.h>
#include <stdint.h>

enum optim_kind { OPTIM_SGD, OPTIM_ADAM };

struct optim {
    enum optim_kind kind;
    size_t n;     /* parameters in the flat vector */
    float *m, *v; /* [n] Adam moments (NULL for SGD); owned, freed by optim_free */
    uint64_t t;   /* steps taken so far (Adam's bias-correction exponent) */
    double lr;
    double beta1, beta2, eps; /* Adam only */
    double clip;              /* max global gradient norm; 0 = no clipping */
};

/*
 * Sets the PyTorch defaults (betas 0.9, 0.999; eps 1e-8; no clipping), t = 0,
 * and for Adam allocates zeroed moments for n parameters.
 */
/* "sgd" / "adam", and back (-1 for an unknown name). */
const char *optim_kind_name(enum optim_kind k);
int optim_kind_from_name(const char *s);

void optim_init(struct optim *o, enum optim_kind kind, size_t n, double lr);
void optim_free(struct optim *o);

/*
 * One update of p [n] with gradient g [n] (n = o->n). Returns the gradient's
 * global L2 norm before clipping (NaN or inf when g holds one; the update is
 * then applied anyway, so check the norm or optim_all_finite() first).
 */
double optim_step(struct optim *o, float *p, const float *g);

/* The L2 norm of x [n], accumulated in double. */
double optim_grad_norm(const float *x, size_t n);

/*
 * 1 when every x[i] is finite, 0 when one is NaN or ±inf. Tests the exponent
 * bits, so it stays correct even under flags that assume finite maths.
 */
int optim_all_finite(const float *x, size_t n);

#endif
