/*
 * model — the two networks of the paper (SPEC.md §3) over one parameter block.
 *
 *   classify:   GRU(D→H) → last valid state → FC1(H→K) + ReLU → FC2(K→1) → BCE
 *   autoencode: GRU enc(D→H) → code FC(H→K) + ReLU → s0 = tanh(dec_init(code))
 *               → GRU dec(K→H) fed the code at every step → out FC(H→D) per step,
 *               loss = Σ squared error over valid rows and columns / B
 *
 * D is the data's width (dataset.dim: 4 for pen strokes); the binary label is
 * the batch's y.
 *
 * The *target layer* is FC1 (classify) or code (autoencode): its post-ReLU
 * activations are what DeCov/XCov penalise, KMeans clusters and the heatmap
 * counts; its weight matrix (K x H) is what the proposed loss pushes apart.
 *
 * All parameters live in one allocation of model_size() reals; a table of
 * PyTorch state_dict names and shapes hands out views (llm.c style), so the
 * optimiser runs over one flat vector, a checkpoint is one record and export
 * walks the table. A gradient block has the same layout.
 */
#ifndef FTLAB_MODEL_H
#define FTLAB_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "gru.h"
#include "loss.h"
#include "real.h"

enum model_task { TASK_CLASSIFY, TASK_AUTOENCODE, TASK_COUNT };

const char *model_task_name(enum model_task t); /* "classify", "autoencode" */
int model_task_from_name(const char *s);        /* -1 if unknown */

#define MODEL_MAX_PARAMS 16

struct model_param {
    const char *name; /* PyTorch state_dict key */
    int ndim;         /* 1 or 2 */
    int rows, cols;   /* cols = 1 for vectors */
    size_t offset;    /* into the block */
};

/* Typed views into one block (parameters or gradients). */
struct model_views {
    struct gru enc;            /* gru.* (classify) or enc.* (autoencode) */
    real *target_w, *target_b; /* fc1.* or code.*: K x H, K */
    real *fc2_w, *fc2_b;       /* classify: 1 x K, 1 */
    real *init_w, *init_b;     /* autoencode: dec_init, H x K, H */
    struct gru dec;            /* autoencode: dec.*, input size K */
    real *out_w, *out_b;       /* autoencode: out, D x H, D */
};

struct model {
    enum model_task task;
    int D, H, K;
    size_t size; /* reals in the block */
    int nparam;
    struct model_param param[MODEL_MAX_PARAMS];
    real *w;              /* the parameters, owned */
    struct model_views v; /* views into w */
};

/* Lays out the table for input width D and allocates w (zeroed). */
void model_init(struct model *m, enum model_task task, int D, int H, int K);
void model_free(struct model *m);
/* PyTorch's default init: every tensor U(-1/sqrt(fan), 1/sqrt(fan)), fan = H for the
 * GRUs and in_features for the linear layers, drawn in table order from seed. */
void model_init_weights(struct model *m, uint64_t seed);
/* Views of any block laid out like m->w (e.g. a gradient block). */
void model_views(const struct model *m, real *block, struct model_views *v);
/* The parameter named s, or NULL. */
const struct model_param *model_find(const struct model *m, const char *name);

/* Every loss term of one batch; the inactive regularisers are computed too, for plots. */
struct model_terms {
    double task;           /* BCE (classify) or summed squared error / B (autoencode) */
    double reg[REG_COUNT]; /* reg[REG_BASELINE] = 0 */
    double total;          /* task + lambda * reg[active] */
    int correct;           /* classify: rows with (p > 0.5) == label */
    int active_pairs;      /* proposed: ordered unit pairs still inside the margin */
};

/* Scratch for forward/backward, sized once for batches of up to cap_B rows and cap_P packed
 * rows; cap_P must hold at least cap_B times the longest sequence of any data it will see. */
struct model_work {
    int cap_B;
    size_t cap_P;
    real *x, *h, *dh, *hlast, *dhlast; /* packed input P x D, encoder states P x H, ... */
    real *a, *da, *dtmp;               /* target layer B x K (post-ReLU), its gradient, scratch */
    real *z, *dz, *y;                  /* classify: logit, its gradient, binary label (B) */
    real *s0, *ds0, *hd, *dhd;         /* autoencode: decoder initial/all states */
    real *xhat, *dxhat, *du;           /* autoencode: reconstruction P x D, d code from decoder */
    real *reg_ws;
    struct gru_cache enc, dec;
};
void model_work_init(struct model_work *w, const struct model *m, int cap_B, size_t cap_P);
void model_work_free(struct model_work *w);

/*
 * One batch forward and, when grad is non-NULL, backward: grad (model->size
 * reals) is OVERWRITTEN with d(task + lambda * reg[active]) / d(parameters).
 */
void model_step(const struct model *m, struct model_work *w, const struct batch *b,
                enum reg_kind active, double lambda, double margin, real *grad,
                struct model_terms *t);

/*
 * Forward only over a whole dataset, in batches of up to cap_B rows of w:
 * the target-layer activations (n x K, row i = sequence i, optional), and
 * the task figures: accuracy for classify, mean reconstruction error per
 * sequence for autoencode (summed squared error / n).
 */
void model_evaluate(const struct model *m, struct model_work *w, const struct dataset *d,
                    float *acts, double *task_loss, double *accuracy);
/* The same, and (classify, optional) each sequence's P(y = 1) into prob [n]. */
void model_predict(const struct model *m, struct model_work *w, const struct dataset *d,
                   float *acts, float *prob, double *task_loss, double *accuracy);
/*
 * model_predict in batches of cap_B sequences on `threads` threads, each with
 * its own work (allocated here): the same batches, so the same results bit for
 * bit whatever the thread count.
 */
void model_predict_threads(const struct model *m, int cap_B, const struct dataset *d, int threads,
                           float *acts, float *prob, double *task_loss, double *accuracy);

#endif
