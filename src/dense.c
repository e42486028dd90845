/*
 * dense — fully connected layer and ReLU (SPEC.md §3).
 */
#include "dense.h"

#include <string.h>

void dense_forward(const real *x, const real *w, const real *b, int B, int IN, int OUT, real *y)
{
    for (int i = 0; i < B; i++)
        memcpy(y + (size_t)i * OUT, b, (size_t)OUT * sizeof(real));
    REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, B, OUT, IN, 1, x, IN, w, IN, 1, y, OUT);
}

void dense_backward(const real *dy, const real *x, const real *w, int B, int IN, int OUT, real *dx,
                    real *dw, real *db)
{
    /* dW += dy^T x;  db += column sums of dy;  dx = dy W. */
    REAL_GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, OUT, IN, B, 1, dy, OUT, x, IN, 1, dw, IN);
    for (int i = 0; i < B; i++) {
        const real *d = dy + (size_t)i * OUT;
        for (int j = 0; j < OUT; j++)
            db[j] += d[j];
    }
    if (dx)
        REAL_GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, IN, OUT, 1, dy, OUT, w, IN, 0, dx,
                  IN);
}

void dense_relu_forward(real *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = y[i] < 0 ? 0 : y[i]; /* keeps a NaN visible */
}

void dense_relu_backward(const real *y, size_t n, real *dy)
{
    for (size_t i = 0; i < n; i++)
        dy[i] = y[i] > 0 ? dy[i] : 0;
}
