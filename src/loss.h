/*
 * loss — the training objective: binary cross-entropy on the FC2 logit and
 * the three regularisers the paper compares (SPEC.md §3, §5).
 *
 * Conventions shared by every kernel here:
 *   - matrices are row-major; `ld*` is the row stride in elements, so a
 *     caller can pass column ranges of a larger matrix;
 *   - each regulariser RETURNS its value and, when its gradient pointer is
 *     non-NULL and scale != 0, ADDS scale * gradient into it (the caller
 *     passes lambda as scale, or NULL to get the value only, e.g. for plots);
 *   - `ws` is caller-owned scratch of at least the *_workspace() size (in
 *     elements of real); nothing is allocated inside, so the kernels can run
 *     every training step;
 *   - sums are accumulated in double, whatever `real` is.
 */
#ifndef FTLAB_LOSS_H
#define FTLAB_LOSS_H

#include <stddef.h>

#include "real.h"

// ---- the regulariser table ----

enum reg_kind { REG_BASELINE, REG_DECOV, REG_XCOV, REG_PROPOSED, REG_COUNT };

/* The two tasks, in model.h's enum model_task order, for the per-task columns below. */
#define REG_TASKS 2

/*
 * What a regulariser may look at in one step: the target layer's post-ReLU
 * activations A (B x K), its weights W (K x H), and a pair of column blocks
 * (Y, Z) whose cross-covariance XCov penalises. Which pair a loss sees in a
 * task is part of its row (reg_entry.pair); the model builds the views.
 */
enum reg_pair {
    REG_PAIR_NONE,           /* the loss uses no pair */
    REG_PAIR_OUTPUT_VS_ACTS, /* Y = sigmoid of the classifier's logit (B x 1), Z = A (SPEC §5.2a) */
    REG_PAIR_ACT_HALVES,     /* Y = A's first floor(K/2) columns, Z = the rest (SPEC §5.2b) */
};

struct reg_inputs {
    int B, K, H;
    const real *a;     /* B x K, row stride K */
    const real *w;     /* K x H */
    const real *y, *z; /* the pair: B x P (stride ldy) and B x Q (stride ldz) */
    int P, Q, ldy, ldz;
    real margin;
    real *ws; /* loss_workspace_size() scratch */
};

/* Where a regulariser adds scale * its gradient (views matching reg_inputs). */
struct reg_grads {
    real *da, *dw, *dy, *dz;
    int lddy, lddz;
};

struct reg_entry {
    enum reg_kind kind;    /* == its index in reg_table */
    const char *name;      /* CLI, journal, config and metrics.csv column: "decov" */
    char key;              /* workbench key: '1'..'4' */
    const char *title;     /* plots, tables: "Proposed (KL margin)" */
    const char *label;     /* short, for a legend on a terminal: "KL margin" */
    const char *colour;    /* "#RRGGBB" in figures (Okabe-Ito, colour-blind safe) */
    int tui_series;        /* the workbench's curve colour slot (the baseline's draws the task) */
    double default_lambda; /* λ when none is given: train, the workbench and table1 alike */
    enum reg_pair pair[REG_TASKS];
    double paper[REG_TASKS][3]; /* the paper's Table 1 AMI_max at k = 9, 10, 11 */
    /*
     * Value on in; when g is non-NULL, adds scale * gradient into g. *pairs
     * receives the count of margin pairs still active (the proposed loss only).
     */
    double (*value)(const struct reg_inputs *in, real scale, const struct reg_grads *g, int *pairs);
};

/* The one table the CLI, TUI, trainer and plots read: a new loss is its kernel and a row. */
extern const struct reg_entry reg_table[REG_COUNT];

/* The kind named s (exact match), or -1 if unknown. */
int reg_from_name(const char *s);
/* The kind bound to TUI key ch, or -1. */
int reg_from_key(int ch);
/* "baseline, decov, xcov or proposed" into buf (last joins the last two); returns buf. */
const char *reg_names(char *buf, size_t cap, const char *last);

// ---- binary cross-entropy (SPEC.md §3.1) ----

/*
 * Mean over the batch of BCE(sigmoid(z_b), y_b), in the stable form
 * max(z,0) - z*y + log1p(exp(-|z|)). If dz is non-NULL it is OVERWRITTEN
 * with dL/dz = (sigmoid(z) - y) / B. B >= 1.
 */
double loss_bce_logits(const real *z /* B */, const real *y /* B, in [0,1] */, int B,
                       real *dz /* B or NULL */);

// ---- DeCov (SPEC.md §5.1) ----

/* Scratch for loss_decov: B*K + K*K elements. */
size_t loss_decov_workspace(int B, int K);

/*
 * ½ Σ_{i≠j} C_ij², C = biased (1/B) covariance of the columns of A.
 * Gradient (2/B) Ac G (Ac centred A, G = C with zero diagonal).
 * B = 1 gives 0 and a zero gradient.
 */
double loss_decov(const real *A /* B x K, row stride lda */, int B, int K, int lda, real scale,
                  real *dA /* B x K, row stride ldda, or NULL */, int ldda, real *ws);

// ---- XCov (SPEC.md §5.2) ----

/* Scratch for loss_xcov: B*(P+Q) + P*Q elements. */
size_t loss_xcov_workspace(int B, int P, int Q);

/*
 * ½ Σ_pq X_pq², X = Ycᵀ Zc / B the cross-covariance of Y and Z. Both
 * inputs get gradients (dY and dZ may each be NULL). Classifier: Y = sigmoid
 * of the logit (P = 1), Z = FC1; autoencoder: Y = the first floor(K/2) code
 * columns, Z = the rest, both views into one code matrix (and dY, dZ into
 * one gradient matrix).
 */
double loss_xcov(const real *Y /* B x P, stride ldy */, int ldy, int P,
                 const real *Z /* B x Q, stride ldz */, int ldz, int Q, int B, real scale,
                 real *dY /* B x P, stride lddy, or NULL */, int lddy,
                 real *dZ /* B x Q, stride lddz, or NULL */, int lddz, real *ws);

// ---- proposed KL-margin loss L_W (SPEC.md §5.3) ----

/* Scratch for loss_proposed: 3*K*N + K*K + K elements. */
size_t loss_proposed_workspace(int K, int N);

/*
 * Σ over ordered pairs i≠j of max(0, m − KL(d_i‖d_j)), d_i = softmax(row i
 * of W), i.e. the paper's Σ_{i<j} f(d_i,d_j) + f(d_j,d_i). Vectorised with
 * 3 GEMMs, O(K² + KN) memory, cost independent of the batch. The subgradient
 * at KL = m is 0. *active (if non-NULL) receives the number of ordered pairs
 * with KL < m, out of K(K−1). With no active pair dW is left untouched.
 */
double loss_proposed(const real *W /* K x N, row i = incoming weights of unit i */, int K, int N,
                     real margin, real scale, real *dW /* K x N or NULL */, real *ws, int *active);

/*
 * Scratch large enough for any of the three regularisers on a layer of K
 * units with fan-in N and batch B (XCov with P + Q <= K + 1, which covers
 * both the classifier's (p, FC1) and the autoencoder's two code halves).
 */
size_t loss_workspace_size(int B, int K, int N);

#endif
