/*
 * gru — one GRU layer over a packed, length-sorted minibatch, PyTorch/cuDNN
 * equations (SPEC.md §4.2, reset gate applied after the W_hh product).
 *
 * Packing (SPEC.md §4.3, = PyTorch PackedSequence, see struct batch): rows
 * are sorted by length, longest first; step t holds the nrun[t] rows still
 * running (nrun non-increasing), stored as packed rows off[t] .. off[t] +
 * nrun[t] - 1, row b of step t being packed row off[t] + b. P = off[T] =
 * sum of the lengths. A finished row simply stops: its state is the one at
 * its last valid step (gru_last_state), and nothing beyond it exists.
 *
 * Input, one of two forms:
 *  - packed x (P x D): the encoder, a new input row at every step;
 *  - u (B x D), one input row per sequence fed at every step: the decoder,
 *    fed its code at every step (SPEC.md §3.2). The layer computes
 *    u W_ih^T + b_ih once per row, and backward returns du (B x D) and puts
 *    the W_ih / b_ih gradients in grad itself, so the caller never sees the
 *    3H-wide projection.
 *
 * Cost (SPEC.md §4.4): forward one nrun[t] x H x 3H GEMM per step (the
 * input projection, D wide, inside the gate loop); backward one nrun[t] x
 * 3H x H GEMM per step, then dW_hh as one GEMM over all packed rows (the
 * bias and W_ih gradients are summed inside the loop while each step's
 * gradients are in cache). No allocation after gru_cache_init. The float
 * build evaluates sigmoid/tanh through an inlined vector exp (error < 2
 * ulp; tanh within 2e-7 absolute) in the widest vectors the CPU has
 * (gru_vector_bits; every width gives the same bits); the -DFTL_DOUBLE
 * build uses libm.
 *
 * Threads: with cache->threads = S > 1 each call splits its rows over S
 * threads (the caller's and S - 1 made for the call), which run the time
 * loop without synchronising; OpenBLAS is set to one thread meanwhile. Row
 * results then match S = 1 to float rounding (the GEMMs see other shapes),
 * and a given S always gives the same bits.
 */
#ifndef FTLAB_GRU_H
#define FTLAB_GRU_H

#include <stddef.h>

#include "real.h"

/*
 * Views into the model's parameter block, PyTorch state_dict layouts
 * (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0); row blocks are the
 * gates r, z, n. The same type holds the gradients, accumulated with +=.
 */
struct gru {
    int D, H;
    real *w_ih; /* 3H x D */
    real *w_hh; /* 3H x H */
    real *b_ih; /* 3H */
    real *b_hh; /* 3H */
};

/*
 * What forward keeps for backward, plus backward's workspace. Sized once for
 * at most cap_B rows and cap_P packed rows. gru_backward consumes it (it
 * overwrites the stored gates with their gradients), so every backward needs
 * its own forward just before.
 */
struct gru_cache {
    int D, H, cap_B;
    size_t cap_P;
    real *gates;  /* cap_P x 4H: forward [r, z, n, W_hn h + b_hn];
                     after backward [da_r, da_z, da_n * r, da_n] */
    real *hprev;  /* cap_P x H: h_{t-1} of every packed row */
    real *gh;     /* cap_B x 3H: one step's h_{t-1} W_hh^T */
    real *grow;   /* cap_B x 3H: u W_ih^T + b_ih, then its gradient */
    real *ones;   /* max(cap_P, cap_B) ones: column sums as a GEMV */
    real *w_ih_t; /* D x 3H: W_ih transposed, for the projection inside the gate loop */
    real *sums;   /* GRU_MAX_THREADS x (D + 1) x 4H: each thread's sums of gate gradients */
    int threads;  /* threads per call, 1 after init; the caller may change it
                     between calls (at most GRU_MAX_THREADS are used) */
    int ready;    /* forward filled it, backward not yet run */
    int infer;    /* set by the caller: forward keeps nothing for backward (no gates, no
                     copies of h_{t-1}: less memory traffic, the same outputs bit for bit),
                     and backward may not follow */
};

#define GRU_MAX_THREADS 8

/* Width in bits of the vectors the gate kernels use on this CPU (128, 256 or 512);
 * FTLAB_GRU_VECTOR_BITS in the environment caps it. */
int gru_vector_bits(void);

/* Allocates the cache (aborts on out-of-memory); gru_cache_free releases it. */
void gru_cache_init(struct gru_cache *c, int D, int H, int cap_B, size_t cap_P);
void gru_cache_free(struct gru_cache *c);

/*
 * Runs the layer over T steps of B rows (B <= cap_B, off[T] <= cap_P).
 * Exactly one of x, u is non-NULL. h0 NULL means a zero initial state.
 */
void gru_forward(const struct gru *g, struct gru_cache *c,
                 const real *x,  /* P x D packed inputs, or NULL */
                 const real *u,  /* B x D input fed at every step, or NULL */
                 const real *h0, /* B x H, or NULL */
                 const int *nrun, const size_t *off, int T, int B,
                 real *h); /* P x H out: the state after every packed step */

/*
 * Back-propagates through the forward just run on c, with the same x or u
 * and packing (h0 and h are not needed: the cache holds every h_{t-1}).
 * dh (P x H) holds dL/dh for every packed step from outside the layer
 * (zeros where none); it is used as workspace and on return holds the total
 * dL/dh. Parameter gradients are added to grad. dx, du, dh0 (each optional)
 * are overwritten; dh0 may be asked for with h0 NULL (the gradient at the
 * zero state).
 */
void gru_backward(const struct gru *g, struct gru *grad, struct gru_cache *c,
                  const real *x, /* P x D, or NULL, as in forward */
                  const real *u, /* B x D, or NULL, as in forward */
                  const int *nrun, const size_t *off, int T, int B,
                  real *dh,   /* P x H in: external dL/dh; workspace */
                  real *dx,   /* P x D out, or NULL (only with x) */
                  real *du,   /* B x D out, or NULL (only with u) */
                  real *dh0); /* B x H out, or NULL */

/*
 * The state of every row at its last valid step: row b (length len[b] >= 1)
 * is packed row off[len[b] - 1] + b. The backward adds dhlast into those
 * rows of dh.
 */
void gru_last_state(const real *h,                                                 /* P x H */
                    const int *len, const size_t *off, int B, int H, real *hlast); /* B x H out */
void gru_last_state_backward(const real *dhlast,                                   /* B x H */
                             const int *len, const size_t *off, int B, int H,
                             real *dh); /* P x H, added to */

#endif
