/*
 * dense — a fully connected layer y = x W^T + b and the ReLU that follows
 * FC1 and the bottleneck (SPEC.md §3). W is PyTorch's nn.Linear weight
 * (OUT x IN), so fc1.weight rows are the units the KL-margin loss compares
 * (SPEC.md §5.3, §10 row 12).
 */
#ifndef FTLAB_DENSE_H
#define FTLAB_DENSE_H

#include <stddef.h>

#include "real.h"

/* y = x w^T + b: one GEMM. */
void dense_forward(const real *x,                    /* B x IN */
                   const real *w,                    /* OUT x IN */
                   const real *b,                    /* OUT */
                   int B, int IN, int OUT, real *y); /* B x OUT out, overwritten */

/*
 * Gradients of dense_forward given dy = dL/dy: dw and db are added to
 * (accumulated over calls); dx (optional) is overwritten.
 */
void dense_backward(const real *dy,                   /* B x OUT */
                    const real *x,                    /* B x IN, as in forward */
                    const real *w,                    /* OUT x IN */
                    int B, int IN, int OUT, real *dx, /* B x IN out, overwritten, or NULL */
                    real *dw,                         /* OUT x IN, added to */
                    real *db);                        /* OUT, added to */

/* y = max(0, y) in place over n values. */
void dense_relu_forward(real *y, size_t n);
/* dy *= [y > 0], y being the ReLU output (subgradient 0 at 0, as PyTorch). */
void dense_relu_backward(const real *y, size_t n, real *dy);

#endif
